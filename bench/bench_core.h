/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench_core.h - the libsim core measurements shared by bench_sim_core
 * (libsim alone) and bench_exec (apsim's speed table), so both report the
 * same thing measured the same way.
 *
 * Owns: the raw context switch (two contexts bouncing through
 * sim_ctx_jump, <apsim/ctx.h>) and the uncontended sim_mutex lock+unlock
 * inside a simulated thread.
 *
 * Header only: one translation unit per bench program.
 */
#ifndef APSIM_BENCH_CORE_H
#define APSIM_BENCH_CORE_H

#include <stdbool.h>
#include <sys/mman.h>
#include <time.h>

#include <apsim/ctx.h>
#include <apsim/sim.h>

static double bench_core_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------ context switch */

static struct sim_ctx bench_ctx_main, bench_ctx_peer;

static void bench_ctx_peer_fn(void *arg)
{
	(void)arg;
	for (;;)
		sim_ctx_jump(&bench_ctx_peer, &bench_ctx_main, false);
}

/* ns per switch: n round trips to a peer context and back (two switches
 * each) on a 64 KiB stack. */
static double bench_ctx_switch_ns(long n)
{
	size_t sz = 64 * 1024;
	void *stk = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t0, dt;

	if (stk == MAP_FAILED)
		return 0;
	sim_ctx_make(&bench_ctx_peer, stk, sz, bench_ctx_peer_fn, NULL);
	t0 = bench_core_clock();
	for (long i = 0; i < n; i++)
		sim_ctx_jump(&bench_ctx_main, &bench_ctx_peer, false);
	dt = bench_core_clock() - t0;
	munmap(stk, sz);
	return dt * 1e9 / (2.0 * n);
}

/* ------------------------------------------------------ mutex fast path */

static struct sim_mutex bench_lock_m;
static struct sim_lock_class_key bench_lock_k;
static long bench_lock_n;
static double bench_lock_result;

static void bench_lock_main(void *arg)
{
	double t0;

	(void)arg;
	sim_mutex_init(&bench_lock_m, "bench_mutex", &bench_lock_k, SIM_SITE);
	t0 = bench_core_clock();
	for (long i = 0; i < bench_lock_n; i++) {
		sim_mutex_lock(&bench_lock_m, 0, SIM_SITE);
		sim_mutex_unlock(&bench_lock_m, SIM_SITE);
	}
	bench_lock_result = (bench_core_clock() - t0) * 1e9 / bench_lock_n;
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

#endif /* APSIM_BENCH_CORE_H */
