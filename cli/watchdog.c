// SPDX-License-Identifier: GPL-2.0
/*
 * cli/watchdog.c - the wall-clock watchdog of an execution (--exec-timeout).
 *
 * Owns: a once-a-second timer (SIGALRM) that looks at a heartbeat counter
 * (cli_watchdog_beat: one per execution); when it has not moved for the
 * budget while a simulated thread runs (driver code looping without a
 * scheduling point), that thread is stopped the way a crash stops it
 * (SIGABRT, caught by libsim, which ends the execution) and the crash is
 * turned into a `hang` finding (cli_watchdog_finding) with the execution's
 * schedule and trace.  Stuck outside the simulated threads, apsim says so
 * and exits 1.  In ASan builds (libsim leaves the crash signals to ASan)
 * it always does the latter.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz/campaign.h"

static volatile sig_atomic_t wd_fired;
static volatile uint64_t wd_beat;
static uint64_t wd_last;
static long wd_still, wd_limit, wd_secs;

static void wd_tick(int sig)
{
	static const char msg[] = "apsim: watchdog: no execution finished within --exec-timeout, "
				  "outside the simulated threads: stopping\n";
	int e = errno;

	(void)sig;
	if (wd_beat != wd_last) {
		wd_last = wd_beat;
		wd_still = 0;
	} else if (++wd_still >= wd_limit && !wd_fired) {
		wd_fired = 1;
#ifndef APSIM_ASAN
		if (sim_tid() >= 0) {
			raise(SIGABRT);
			errno = e;
			return;
		}
#endif
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(CLI_EXIT_FINDING);
		_exit(CLI_EXIT_FINDING);
	}
	errno = e;
}

void cli_watchdog_beat(void)
{
	wd_beat++;
}

bool cli_watchdog_fired(void)
{
	return wd_fired;
}

void cli_watchdog_start(long secs)
{
	struct sigaction sa;
	struct itimerval it = { { 1, 0 }, { 1, 0 } };

	wd_fired = 0;
	wd_still = 0;
	wd_limit = secs;
	wd_secs = secs;
	if (!secs)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wd_tick;
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

void cli_watchdog_stop(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	if (wd_secs)
		setitimer(ITIMER_REAL, &it, NULL);
	wd_secs = 0;
}

const struct sim_finding *cli_watchdog_finding(const struct sim_finding *f)
{
	static struct sim_finding h;
	static char text[512];

	if (!wd_fired || f->kind != SIM_F_CRASH)
		return f;
	h = *f;
	h.kind = SIM_F_HANG;
	snprintf(h.signature, sizeof(h.signature), "%s", APSIM_WALL_HANG_SIG);
	snprintf(text, sizeof(text),
		 "INFO: no progress: wall-clock budget exhausted (--exec-timeout %ld s)\n"
		 "thread T%d was stopped at step %llu while running code that reaches no\n"
		 "scheduling point (e.g. a loop in driver code)\n",
		 wd_limit, f->tid, (unsigned long long)f->step);
	h.report = text;
	return &h;
}
