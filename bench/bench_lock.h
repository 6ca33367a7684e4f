/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench_lock.h - the uncontended sim_mutex lock+unlock measurement,
 * shared by bench_sim_core (libsim alone) and bench_exec (apsim's speed
 * table) so both report the same thing measured the same way.
 *
 * Header only: one translation unit per bench program.
 */
#ifndef APSIM_BENCH_LOCK_H
#define APSIM_BENCH_LOCK_H

#include <stdbool.h>
#include <time.h>

#include <apsim/sim.h>

static struct sim_mutex bench_lock_m;
static struct sim_lock_class_key bench_lock_k;
static long bench_lock_n;
static double bench_lock_result;

static double bench_lock_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench_lock_main(void *arg)
{
	double t0;

	(void)arg;
	sim_mutex_init(&bench_lock_m, "bench_mutex", &bench_lock_k, SIM_SITE);
	t0 = bench_lock_clock();
	for (long i = 0; i < bench_lock_n; i++) {
		sim_mutex_lock(&bench_lock_m, 0, SIM_SITE);
		sim_mutex_unlock(&bench_lock_m, SIM_SITE);
	}
	bench_lock_result = (bench_lock_clock() - t0) * 1e9 / bench_lock_n;
}

/* ns per lock+unlock pair inside a simulated thread, validator on or off. */
static double bench_lock_unlock_ns(long n, bool lockdep)
{
	struct sim_opts o;

	sim_opts_default(&o);
	o.lockdep = lockdep;
	o.max_steps = (uint64_t)n * 4 + 100;
	bench_lock_n = n;
	sim_run(&o, bench_lock_main, NULL, NULL, NULL);
	return bench_lock_result;
}

#endif /* APSIM_BENCH_LOCK_H */
