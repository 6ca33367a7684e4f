/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench_sim_core.c - speed figures of the libsim core.
 *
 * Owns: medians over 7 runs of: raw context switch (ours vs glibc
 * swapcontext, same run), uncontended sim_mutex lock+unlock inside a
 * simulated thread (validator on and off), simulated steps per second.
 * Figures only, never pass/fail.
 */
#include <apsim/sim.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "bench_core.h"

#define RUNS 7

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, RUNS, sizeof(double), cmpd);
	return v[RUNS / 2];
}

/* ---------------------------------------------------- raw switch: glibc */

#define NSW 2000000L

static ucontext_t u_main, u_peer;
static void upeer(void)
{
	for (;;)
		swapcontext(&u_peer, &u_main);
}

static double bench_glibc(void)
{
	size_t sz = 64 * 1024;
	void *stk = malloc(sz);
	getcontext(&u_peer);
	u_peer.uc_stack.ss_sp = stk;
	u_peer.uc_stack.ss_size = sz;
	u_peer.uc_link = NULL;
	makecontext(&u_peer, upeer, 0);
	long n = NSW / 4;
	double t0 = now_s();
	for (long i = 0; i < n; i++)
		swapcontext(&u_main, &u_peer);
	double dt = now_s() - t0;
	free(stk);
	return dt * 1e9 / (2.0 * n);
}

#define NLOCK 2000000L

/* ---------------------------------------------------- steps per second */

#define NYIELD 500000L
static void yielder(void *arg)
{
	for (long i = 0; i < NYIELD; i++)
		sim_yield(SIM_SITE);
}
static void steps_main(void *arg)
{
	sim_thread_spawn("y1", yielder, NULL);
	sim_thread_spawn("y2", yielder, NULL);
	sim_thread_join_all(SIM_SITE);
}

static double bench_steps(enum sim_strategy s, double *switches)
{
	struct sim_opts o;
	struct sim_result r;
	sim_opts_default(&o);
	o.strategy = s;
	o.max_steps = NYIELD * 4;
	double t0 = now_s();
	sim_run(&o, steps_main, NULL, NULL, &r);
	double dt = now_s() - t0;
	*switches = (double)r.decisions;
	return (double)r.steps / dt;
}

int main(void)
{
	double ours[RUNS], glibc[RUNS], lk_on[RUNS], lk_off[RUNS], st_rnd[RUNS],
	       st_pct[RUNS], sw;

	for (int i = 0; i < RUNS; i++) {
		ours[i] = bench_ctx_switch_ns(NSW);
		glibc[i] = bench_glibc();
		lk_on[i] = bench_lock_unlock_ns(NLOCK, true);
		lk_off[i] = bench_lock_unlock_ns(NLOCK, false);
		st_rnd[i] = bench_steps(SIM_STRAT_RANDOM, &sw);
		st_pct[i] = bench_steps(SIM_STRAT_PCT, &sw);
	}
	printf("libsim core (%s), median of %d runs\n", sim_version, RUNS);
	printf("  %-46s %10s\n", "measure", "value");
	printf("  %-46s %7.2f ns\n", "context switch (sim_ctx_switch)", median(ours));
	printf("  %-46s %7.2f ns\n", "context switch (glibc swapcontext)", median(glibc));
	printf("  %-46s %7.2f ns\n", "mutex lock+unlock, uncontended, lockdep on", median(lk_on));
	printf("  %-46s %7.2f ns\n", "mutex lock+unlock, uncontended, lockdep off", median(lk_off));
	printf("  %-46s %7.2f M/s\n", "simulated steps/s (2 yielders, random)", median(st_rnd) / 1e6);
	printf("  %-46s %7.2f M/s\n", "simulated steps/s (2 yielders, pct)", median(st_pct) / 1e6);
	return 0;
}
