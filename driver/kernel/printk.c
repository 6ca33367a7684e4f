/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/printk.c - printk, dev_printk, WARN and BUG.
 *
 * Owns: kernel log output (to the simulation trace via sim_trace_note, so
 * it is ordered with the schedule and deterministic), the rate limit of
 * the *_ratelimited messages (linux/ratelimit.h), WARN -> SIM_F_WARN
 * findings with a kernel-like "WARNING: CPU: 0 PID: <tid> at FILE:LINE
 * func" text (non-fatal), BUG -> SIM_F_BUG (fatal; the thread does not
 * return), the execution generation used by WARN_ONCE, and `current`.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/bug.h>
#include <linux/device.h>
#include <linux/sched.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/snaparr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long shim_exec_gen = 1;

static const char *base_name(const char *f)
{
	const char *s = f ? strrchr(f, '/') : NULL;

	return s ? s + 1 : (f ? f : "?");
}

static const char *level_name(char c)
{
	switch (c) {
	case '0': return "emerg";
	case '1': return "alert";
	case '2': return "crit";
	case '3': return "err";
	case '4': return "warn";
	case '5': return "notice";
	case '6': return "info";
	case '7': return "debug";
	case 'c': return "cont";
	default: return "default";
	}
}

/* Strip a KERN_<level> prefix; returns the level character ('d' if none). */
static const char *strip_level(const char *fmt, char *lvl)
{
	*lvl = 'd';
	while (fmt[0] == KERN_SOH[0] && fmt[1]) {
		*lvl = fmt[1];
		fmt += 2;
	}
	return fmt;
}

static void trim_nl(char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '\n')
		s[--n] = 0;
}

int shim_vprintk(const struct sim_site *site, const char *fmt, va_list ap)
{
	char buf[1024], lvl;
	int n;

	shim_note_site(site);
	fmt = strip_level(fmt, &lvl);
	n = shim_vsnprintf(buf, sizeof(buf), fmt, ap);
	trim_nl(buf);
	sim_trace_note(site, "printk %s: %s", level_name(lvl), buf);
	return n;
}

/* The kernel's ___ratelimit (lib/ratelimit.c), without its trylock: no
 * other simulated thread runs between two scheduling points. */
int shim_ratelimit(struct ratelimit_state *rs, const char *func)
{
	unsigned long now = jiffies;

	if (!rs->interval)
		return 1;
	if (!rs->started) {
		rs->begin = now;
		rs->started = true;
	}
	if (time_after(now, rs->begin + (unsigned long)rs->interval)) {
		if (rs->missed) {
			shim_printk(SIM_SITE, KERN_WARNING "%s: %d callbacks suppressed\n", func,
				    rs->missed);
			rs->missed = 0;
		}
		rs->begin = now;
		rs->printed = 0;
	}
	if (rs->burst && rs->burst > rs->printed) {
		rs->printed++;
		return 1;
	}
	rs->missed++;
	return 0;
}

int shim_printk(const struct sim_site *site, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = shim_vprintk(site, fmt, ap);
	va_end(ap);
	return n;
}

int shim_dev_printk(const struct sim_site *site, const char *level, const struct device *dev,
		    const char *fmt, ...)
{
	char buf[1024], lvl = level && level[0] == KERN_SOH[0] ? level[1] : 'd';
	const char *drv = "";
	va_list ap;
	int n;

	shim_note_site(site);
	if (dev && dev->driver && dev->driver->name)
		drv = dev->driver->name;
	else if (dev && dev->bus && dev->bus->name)
		drv = dev->bus->name;
	va_start(ap, fmt);
	n = shim_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	trim_nl(buf);
	sim_trace_note(site, "printk %s: %s %s: %s", level_name(lvl), drv,
		       dev ? dev_name(dev) : "(NULL device *)", buf);
	return n;
}

void shim_warn(const struct sim_site *site, const char *cond, const char *fmt, ...)
{
	char msg[1024] = "", sig[200], tname[64];
	int tid = sim_tid();
	const char *tn = tid >= 0 ? sim_thread_name(tid) : NULL;

	shim_note_site(site);
	if (fmt) {
		va_list ap;

		va_start(ap, fmt);
		shim_vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		trim_nl(msg);
	}
	snprintf(tname, sizeof(tname), "%s", tn ? tn : "host");
	snprintf(sig, sizeof(sig), "warn:%s", site->func ? site->func : base_name(site->file));
	sim_report(SIM_F_WARN, false, sig,
		   "%s%s------------[ cut here ]------------\n"
		   "WARNING: CPU: 0 PID: %d at %s:%d %s\n"
		   "Comm: %s%s%s\n",
		   msg, msg[0] ? "\n" : "", tid, base_name(site->file), site->line,
		   site->func ? site->func : "?", tname,
		   cond ? "  condition: " : "", cond ? cond : "");
}

void shim_bug(const struct sim_site *site, const char *cond)
{
	char sig[200];

	shim_note_site(site);
	snprintf(sig, sizeof(sig), "bug:%s", site->func ? site->func : base_name(site->file));
	sim_report(SIM_F_BUG, true, sig,
		   "------------[ cut here ]------------\n"
		   "kernel BUG at %s:%d!\n%s%s%sin %s, PID: %d\n",
		   base_name(site->file), site->line, cond ? "condition: " : "",
		   cond ? cond : "", cond ? "\n" : "", site->func ? site->func : "?", sim_tid());
	if (sim_tid() < 0)
		abort();
	/* a fatal finding ends the execution at the next scheduling point */
	for (;;)
		sim_yield(site);
}

static struct task_struct tasks[SIM_MAX_THREADS + 1];
SHIM_SNAP_ARRAY(tasks, tasks);   /* a world snapshot restores the ones written */
static struct task_struct host_task = { .pid = -1, .comm = "host" };

struct task_struct *shim_current(void)
{
	int tid = sim_tid();
	struct task_struct *t;

	if (tid < 0 || tid > SIM_MAX_THREADS)
		return &host_task;
	t = &tasks[tid];
	shim_snap_dirty(&shim_snap_tasks, tid);
	t->pid = tid;
	t->comm = sim_thread_name(tid);
	return t;
}
