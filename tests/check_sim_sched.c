/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_sched.c - scheduler tests: threads run and interleave,
 * determinism of traces, strategies, virtual time, budgets (hang vs
 * deadlock), crash isolation, op labels and the point hook.
 */
#include "check_util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------------------------------------------------------------- basics */

static int counter;
static int order[64], norder;

static void worker_count(void *arg)
{
	for (int i = 0; i < 5; i++) {
		if (norder < 64)
			order[norder++] = (int)(intptr_t)arg;
		counter++;
		sim_yield(SIM_SITE);
	}
}

static void main_two(void *arg)
{
	ck_assert_int_eq(sim_tid(), 0);
	ck_assert_int_eq(sim_thread_spawn("a", worker_count, (void *)1), 1);
	ck_assert_int_eq(sim_thread_spawn("b", worker_count, (void *)2), 2);
	sim_thread_join_all(SIM_SITE);
	ck_assert_int_eq(counter, 10);
}

START_TEST(threads_run_and_interleave)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);
	struct sim_result r;

	counter = norder = 0;
	ck_assert_int_eq(sim_run(&o, main_two, NULL, NULL, &r), 0);
	ck_assert_int_eq(counter, 10);
	ck_assert_int_eq(r.nfindings, 0);
	ck_assert(!r.deadlock && !r.hang && !r.crashed);
	/* round-robin switches at every point: a and b alternate */
	int switches = 0;
	for (int i = 1; i < norder; i++)
		switches += order[i] != order[i - 1];
	ck_assert_int_ge(switches, 6);
	ck_assert_int_eq(sim_tid(), -1);
	ck_assert_str_eq(sim_thread_name(1), "a");
}
END_TEST

START_TEST(random_interleaves_differently)
{
	uint64_t hashes[8];
	int distinct = 0;

	for (int s = 0; s < 8; s++) {
		struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, (uint64_t)s + 100);
		counter = norder = 0;
		ck_assert_int_eq(sim_run(&o, main_two, NULL, NULL, NULL), 0);
		hashes[s] = sim_trace_hash();
		int seen = 0;
		for (int j = 0; j < s; j++)
			seen |= hashes[j] == hashes[s];
		distinct += !seen;
	}
	ck_assert_int_ge(distinct, 4);
}
END_TEST

/* ---------------------------------------------------------------- determinism */

static struct sim_mutex dm_a, dm_b;
static struct sim_lock_class_key dk_a, dk_b;

static void det_worker(void *arg)
{
	for (int i = 0; i < 4; i++) {
		sim_mutex_lock(&dm_a, 0, SIM_SITE);
		sim_trace_note(SIM_SITE, "iter %d r=%llu", i,
			       (unsigned long long)(sim_rand() % 1000));
		sim_mutex_unlock(&dm_a, SIM_SITE);
		sim_mutex_lock(&dm_b, 0, SIM_SITE);
		sim_sleep_ns(10 + sim_rand() % 50, SIM_SITE);
		sim_mutex_unlock(&dm_b, SIM_SITE);
	}
}

static void det_main(void *arg)
{
	sim_mutex_init(&dm_a, "dm_a", &dk_a, SIM_SITE);
	sim_mutex_init(&dm_b, "dm_b", &dk_b, SIM_SITE);
	for (int i = 0; i < 3; i++)
		sim_thread_spawn("w", det_worker, NULL);
	sim_thread_join_all(SIM_SITE);
}

static void run_det(enum sim_strategy s, uint64_t seed, uint64_t *hash,
		    char **text, char **json)
{
	struct sim_opts o = tu_opts(s, seed);
	struct sim_result r;

	ck_assert_int_eq(sim_run(&o, det_main, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.nfindings, 0);
	*hash = sim_trace_hash();
	TU_CAPTURE(*text, sim_trace_print(out, 24));
	if (json)
		TU_CAPTURE(*json, sim_trace_print_json(out));
}

START_TEST(determinism_same_seed)
{
	static const enum sim_strategy ss[] = { SIM_STRAT_RANDOM, SIM_STRAT_PCT,
						SIM_STRAT_RR };
	for (unsigned k = 0; k < 3; k++) {
		uint64_t h1, h2;
		char *t1, *t2, *j1, *j2;
		run_det(ss[k], 7, &h1, &t1, &j1);
		run_det(ss[k], 7, &h2, &t2, &j2);
		ck_assert_uint_eq(h1, h2);
		ck_assert_str_eq(t1, t2);
		ck_assert_str_eq(j1, j2);
		ck_assert_ptr_nonnull(strstr(t1, "T1 w"));
		ck_assert_ptr_nonnull(strstr(t1, "lock dm_a"));
		ck_assert_ptr_nonnull(strstr(j1, "\"thread_name\""));
		ck_assert_ptr_nonnull(strstr(j1, "\"ph\":\"X\""));
		free(t1); free(t2); free(j1); free(j2);
	}
}
END_TEST

START_TEST(determinism_different_seeds_differ)
{
	uint64_t h[6];
	int distinct = 0;

	for (int i = 0; i < 6; i++) {
		char *t;
		run_det(SIM_STRAT_RANDOM, (uint64_t)i * 31 + 5, &h[i], &t, NULL);
		free(t);
		int seen = 0;
		for (int j = 0; j < i; j++)
			seen |= h[j] == h[i];
		distinct += !seen;
	}
	ck_assert_int_ge(distinct, 3);
}
END_TEST

/* ---------------------------------------------------------------- time */

static int wake_order[8], nwake;
static uint64_t wake_time[8];

static void sleeper(void *arg)
{
	uint64_t ns = (uint64_t)(uintptr_t)arg;
	sim_sleep_ns(ns, SIM_SITE);
	wake_time[nwake] = sim_now_ns();
	wake_order[nwake++] = (int)ns;
}

static void sleep_main(void *arg)
{
	sim_thread_spawn("s300", sleeper, (void *)300);
	sim_thread_spawn("s100", sleeper, (void *)100);
	sim_thread_spawn("s200", sleeper, (void *)200);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(virtual_time_orders_sleepers)
{
	for (uint64_t seed = 1; seed < 6; seed++) {
		struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, seed);
		struct sim_result r;
		nwake = 0;
		ck_assert_int_eq(sim_run(&o, sleep_main, NULL, NULL, &r), 0);
		ck_assert_int_eq(nwake, 3);
		ck_assert_int_eq(wake_order[0], 100);
		ck_assert_int_eq(wake_order[1], 200);
		ck_assert_int_eq(wake_order[2], 300);
		ck_assert_uint_eq(wake_time[0], 100);
		ck_assert_uint_eq(wake_time[1], 200);
		ck_assert_uint_eq(wake_time[2], 300);
		ck_assert_uint_eq(r.vtime_ns, 300);
	}
}
END_TEST

static struct sim_waitq tq;
static int tq_rc;

static void timed_waiter(void *arg)
{
	tq_rc = sim_waitq_block(&tq, sim_now_ns() + 5000, SIM_SITE);
}

static void timed_main(void *arg)
{
	memset(&tq, 0, sizeof(tq));
	tq.name = "tq";
	sim_thread_spawn("tw", timed_waiter, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(waitq_deadline_times_out)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 3);
	struct sim_result r;

	tq_rc = 1;
	ck_assert_int_eq(sim_run(&o, timed_main, NULL, NULL, &r), 0);
	ck_assert_int_eq(tq_rc, -ETIMEDOUT);
	ck_assert_uint_eq(r.vtime_ns, 5000);
	ck_assert(!r.deadlock);
}
END_TEST

/* ---------------------------------------------------------------- hang */

static void spinner(void *arg)
{
	for (;;)
		sim_yield(SIM_SITE);
}

static void hang_main(void *arg)
{
	sim_thread_spawn("spinner", spinner, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(hang_is_not_deadlock)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;
	const struct sim_finding *f;

	o.max_steps = 5000;
	o.trace = false;
	ck_assert_int_eq(sim_run(&o, hang_main, NULL, NULL, &r), 0);
	ck_assert(r.hang);
	ck_assert(!r.deadlock);
	ck_assert_ptr_null(tu_find(SIM_F_DEADLOCK));
	f = tu_find(SIM_F_HANG);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "step budget"));
	ck_assert_ptr_nonnull(strstr(f->report, "spinner"));
	ck_assert_uint_eq(r.steps, 5000);
}
END_TEST

static void long_sleeper(void *arg)
{
	for (;;)
		sim_sleep_ns(1000000000ULL, SIM_SITE);
}

static void vhang_main(void *arg)
{
	sim_thread_spawn("napper", long_sleeper, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(hang_virtual_time_budget)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;

	o.max_vtime_ns = 10ULL * 1000000000ULL;
	ck_assert_int_eq(sim_run(&o, vhang_main, NULL, NULL, &r), 0);
	ck_assert(r.hang);
	ck_assert(!r.deadlock);
	ck_assert_ptr_nonnull(strstr(tu_find(SIM_F_HANG)->report, "virtual time"));
}
END_TEST

/* A hang's signature names the thread that keeps the execution going (a
 * poller sleeping in a loop with a lock held), not its victims blocked
 * without a timeout (on that lock, in join): one cause, one signature. */
static struct sim_mutex hm;
static struct sim_lock_class_key hk;

static void napper_locked(void *arg)
{
	sim_mutex_lock(&hm, 0, SIM_SITE);
	for (;;)
		sim_sleep_ns(20000000ULL, SIM_SITE);
}

static void victim(void *arg)
{
	sim_yield(SIM_SITE);
	sim_mutex_lock(&hm, 0, SIM_SITE);
}

static void sig_main(void *arg)
{
	sim_mutex_init(&hm, "hang_lock", &hk, SIM_SITE);
	sim_thread_spawn("napper", napper_locked, NULL);
	sim_thread_spawn("victim", victim, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(hang_signature_names_the_loop)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);
	struct sim_result r;
	const struct sim_finding *f;

	o.max_vtime_ns = 10ULL * 1000000000ULL;
	ck_assert_int_eq(sim_run(&o, sig_main, NULL, NULL, &r), 0);
	ck_assert(r.hang);
	f = tu_find(SIM_F_HANG);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->signature, "hang:napper_locked");
	/* the victims are in the report */
	ck_assert_ptr_nonnull(strstr(f->report, "victim"));
	ck_assert_ptr_nonnull(strstr(f->report, "hang_lock"));
}
END_TEST

/* The kernel's hung-task detector: a thread blocked without a timeout
 * for more than 120 s of virtual time (hung_task_ns) while another polls
 * is a hang, found at 120 s, not at the 600 s budget; a wait that ends
 * sooner, or the harness's join, is none. */
static uint64_t hold_polls;   /* 20 ms sleeps with hm held; 0 = for ever */

static void holder(void *arg)
{
	sim_mutex_lock(&hm, 0, SIM_SITE);
	for (uint64_t i = 0; !hold_polls || i < hold_polls; i++)
		sim_sleep_ns(20000000ULL, SIM_SITE);
	sim_mutex_unlock(&hm, SIM_SITE);
}

static void waiter(void *arg)
{
	sim_yield(SIM_SITE);
	sim_mutex_lock(&hm, 0, SIM_SITE);
	sim_mutex_unlock(&hm, SIM_SITE);
}

static void hung_main(void *arg)
{
	sim_mutex_init(&hm, "hang_lock", &hk, SIM_SITE);
	sim_thread_spawn("holder", holder, NULL);
	if (arg)
		sim_thread_spawn("waiter", waiter, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(hang_hung_task)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);
	struct sim_result r;
	const struct sim_finding *f;

	hold_polls = 0;
	ck_assert_int_eq(sim_run(&o, hung_main, NULL, (void *)1, &r), 0);
	ck_assert(r.hang);
	ck_assert(!r.deadlock);
	f = tu_find(SIM_F_HANG);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->signature, "hang:holder");
	ck_assert_ptr_nonnull(strstr(f->report,
		"INFO: task T2 (waiter) blocked for more than 120 seconds"));
	ck_assert_ptr_nonnull(strstr(f->report, "virtual time 120000000000 ns"));
	/* the locks every thread holds, as the kernel's report ends */
	ck_assert_ptr_nonnull(strstr(f->report, "Showing all locks held in the system:"));
	ck_assert_ptr_nonnull(strstr(f->report, "1 lock held by holder/1:"));
	ck_assert_ptr_nonnull(strstr(f->report, "hang_lock"));

	/* off: the 600 s budget */
	o.hung_task_ns = UINT64_MAX;
	ck_assert_int_eq(sim_run(&o, hung_main, NULL, (void *)1, &r), 0);
	f = tu_find(SIM_F_HANG);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "virtual time budget exhausted"));
	ck_assert_ptr_nonnull(strstr(f->report, "virtual time 600000000000 ns"));
	ck_assert_str_eq(f->signature, "hang:holder");
}
END_TEST

START_TEST(hang_hung_task_none)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);
	struct sim_result r;

	/* the waiter waits 100 s: no hang */
	hold_polls = 5000;
	ck_assert_int_eq(sim_run(&o, hung_main, NULL, (void *)1, &r), 0);
	ck_assert(!r.hang);
	ck_assert_int_eq(r.nfindings, 0);
	/* the holder sleeps 130 s, only main's join waits for it: no hang */
	hold_polls = 6500;
	ck_assert_int_eq(sim_run(&o, hung_main, NULL, NULL, &r), 0);
	ck_assert(!r.hang);
	ck_assert_int_eq(r.nfindings, 0);
	/* the waiter waits 130 s: a hang */
	ck_assert_int_eq(sim_run(&o, hung_main, NULL, (void *)1, &r), 0);
	ck_assert(r.hang);
}
END_TEST

START_TEST(hang_signature_spinner)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;

	o.max_steps = 5000;
	ck_assert_int_eq(sim_run(&o, hang_main, NULL, NULL, &r), 0);
	ck_assert_str_eq(tu_find(SIM_F_HANG)->signature, "hang:spinner");
}
END_TEST

/* ---------------------------------------------------------------- crash */

static void crasher(void *arg)
{
	sim_op_push("crash-op");
	sim_yield(SIM_SITE);
	*(volatile int *)(uintptr_t)arg = 42;     /* NULL write */
}

static void crash_main(void *arg)
{
	sim_thread_spawn("crasher", crasher, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(crash_is_isolated)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;
	const struct sim_finding *f;

	if (tu_asan())
		return;     /* ASan owns SIGSEGV */
	ck_assert_int_eq(sim_run(&o, crash_main, NULL, NULL, &r), 0);
	ck_assert(r.crashed);
	f = tu_find(SIM_F_CRASH);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->tid, 1);
	ck_assert_ptr_nonnull(strstr(f->report, "SIGSEGV"));
	ck_assert_ptr_nonnull(strstr(f->report, "crasher"));
	ck_assert_ptr_nonnull(strstr(f->report, "NULL pointer"));
	ck_assert_ptr_nonnull(strstr(f->report, "crash-op"));
	ck_assert_ptr_nonnull(strstr(f->report, "check_sim_sched.c:"));
	/* the process goes on, and the next run works */
	counter = norder = 0;
	ck_assert_int_eq(sim_run(&o, main_two, NULL, NULL, &r), 0);
	ck_assert_int_eq(counter, 10);
	ck_assert(!r.crashed);
	ck_assert_int_eq(r.nfindings, 0);
}
END_TEST

/* The handlers stay installed between runs: a crash after a crash (also
 * after abort(), which blocks signals on its way) is still caught, and a
 * fault outside any run still gets the default action. */
static void aborter(void *arg)
{
	sim_yield(SIM_SITE);
	abort();
}

static void abort_main(void *arg)
{
	sim_thread_spawn("aborter", aborter, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(crash_after_crash)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;
	pid_t pid;
	int status;

	if (tu_asan())
		return;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(sim_run(&o, i == 1 ? abort_main : crash_main, NULL, NULL, &r), 0);
		ck_assert(r.crashed);
		ck_assert_ptr_nonnull(tu_find(SIM_F_CRASH));
		ck_assert_ptr_nonnull(strstr(tu_find(SIM_F_CRASH)->report,
					     i == 1 ? "SIGABRT" : "SIGSEGV"));
	}
	counter = norder = 0;
	ck_assert_int_eq(sim_run(&o, main_two, NULL, NULL, &r), 0);
	ck_assert(!r.crashed);
	ck_assert_int_eq(counter, 10);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		*(volatile int *)(uintptr_t)0 = 1;   /* outside any run */
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}
END_TEST

/* ---------------------------------------------------------------- misc */

static int hook_calls;
static void hook(int tid, void *arg)
{
	hook_calls++;
	ck_assert_int_ge(tid, 0);
}

static const char *seen_label;
static void label_worker(void *arg)
{
	sim_op_push("outer op");
	sim_op_push("inner op");
	seen_label = sim_finding_kind_name(SIM_F_WARN);
	sim_report(SIM_F_WARN, false, "warn:test", "WARNING: test warning\n");
	sim_op_pop();
	sim_op_pop();
}

static void label_main(void *arg)
{
	sim_thread_spawn("labeler", label_worker, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(op_labels_and_hook)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;
	const struct sim_finding *f;

	hook_calls = 0;
	sim_set_point_hook(hook, NULL);
	ck_assert_int_eq(sim_run(&o, label_main, NULL, NULL, &r), 0);
	sim_set_point_hook(NULL, NULL);
	ck_assert_uint_eq((uint64_t)hook_calls, r.steps);
	ck_assert_int_gt(hook_calls, 2);
	f = tu_find(SIM_F_WARN);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->tid, 1);
	ck_assert_str_eq(f->signature, "warn:test");
	ck_assert_ptr_nonnull(strstr(f->report, "apsim: warn in T1 (labeler)"));
	ck_assert_ptr_nonnull(strstr(f->report, "inner op"));
	ck_assert_ptr_nonnull(strstr(f->report, "outer op"));
	ck_assert(!r.deadlock);
}
END_TEST

/* brief_findings: the same finding (kind, signature, step, thread) without
 * its report text; with the trace on the text is made anyway. */
START_TEST(brief_findings)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;
	const struct sim_finding *f;
	uint64_t step;
	int tid;

	o.trace = false;
	ck_assert_int_eq(sim_run(&o, label_main, NULL, NULL, &r), 0);
	f = tu_find(SIM_F_WARN);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(f->report);
	step = f->step;
	tid = f->tid;
	o.brief_findings = true;
	ck_assert_int_eq(sim_run(&o, label_main, NULL, NULL, &r), 0);
	f = tu_find(SIM_F_WARN);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->signature, "warn:test");
	ck_assert_uint_eq(f->step, step);
	ck_assert_int_eq(f->tid, tid);
	ck_assert_ptr_null(f->report);
	o.trace = true;
	ck_assert_int_eq(sim_run(&o, label_main, NULL, NULL, &r), 0);
	f = tu_find(SIM_F_WARN);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "apsim: warn in T1 (labeler)"));
}
END_TEST

static int after_fatal;
static void fatal_worker(void *arg)
{
	sim_report(SIM_F_BUG, true, "bug:test", "kernel BUG at test\n");
	after_fatal = 1;
}
static void fatal_main(void *arg)
{
	sim_thread_spawn("bugger", fatal_worker, NULL);
	sim_thread_join_all(SIM_SITE);
	after_fatal = 2;
}
static int teardown_ran;
static void fatal_teardown(void *arg)
{
	teardown_ran = 1;
	ck_assert_int_eq(sim_tid(), -1);
}

START_TEST(fatal_finding_ends_execution)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;

	after_fatal = 0;
	teardown_ran = 0;
	ck_assert_int_eq(sim_run(&o, fatal_main, fatal_teardown, NULL, &r), 0);
	ck_assert_int_eq(after_fatal, 0);
	ck_assert_int_eq(teardown_ran, 1);
	ck_assert_int_eq(r.nfindings, 1);
	ck_assert_int_eq(sim_finding_get(0)->kind, SIM_F_BUG);
}
END_TEST

static void rand_worker(void *arg)
{
	uint64_t *out = arg;
	for (int i = 0; i < 4; i++) {
		out[i] = sim_rand();
		sim_yield(SIM_SITE);
	}
}
static uint64_t rv[2][4];
static void rand_main(void *arg)
{
	sim_thread_spawn("r1", rand_worker, rv[0]);
	sim_thread_spawn("r2", rand_worker, rv[1]);
}

START_TEST(rand_streams_independent_of_interleaving)
{
	uint64_t ref[2][4];
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 9);

	ck_assert_int_eq(sim_run(&o, rand_main, NULL, NULL, NULL), 0);
	memcpy(ref, rv, sizeof(ref));
	o.strategy = SIM_STRAT_RR;
	ck_assert_int_eq(sim_run(&o, rand_main, NULL, NULL, NULL), 0);
	ck_assert_int_eq(memcmp(ref, rv, sizeof(ref)), 0);
	ck_assert_uint_ne(rv[0][0], rv[1][0]);
	o.seed = 10;
	ck_assert_int_eq(sim_run(&o, rand_main, NULL, NULL, NULL), 0);
	ck_assert_uint_ne(ref[0][0], rv[0][0]);
}
END_TEST

START_TEST(usage_errors)
{
	struct sim_opts o = tu_opts(SIM_STRAT_REPLAY, 1);
	enum sim_strategy s;

	ck_assert_int_eq(sim_run(&o, main_two, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(sim_run(NULL, NULL, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(sim_thread_spawn("x", worker_count, NULL), -EINVAL);
	ck_assert_int_eq(sim_strategy_parse("pct", &s), 0);
	ck_assert_int_eq(s, SIM_STRAT_PCT);
	ck_assert_int_eq(sim_strategy_parse("bogus", &s), -EINVAL);
	ck_assert_str_eq(sim_strategy_name(SIM_STRAT_EXHAUSTIVE), "exhaustive");
	ck_assert_str_eq(sim_finding_kind_name(SIM_F_DEADLOCK), "deadlock");
	ck_assert_ptr_nonnull(strstr(sim_version, "libsim"));
}
END_TEST

/* The thread table: SIM_MAX_THREADS live threads at most (a spawn then
 * fails with -EAGAIN); once every slot was used, a new thread takes an
 * exited one's slot, and the old thread's name stays with its task id. */
static struct sim_waitq gate_wq = { .name = "gate" };
static bool gate_open;
static int slot_tid[200], slot_task[200];

static void gated(void *arg)
{
	while (!gate_open)
		sim_waitq_block(&gate_wq, 0, SIM_SITE);
	worker_count(arg);
}

static void record_slot(void *arg)
{
	slot_tid[(intptr_t)arg] = sim_tid();
	slot_task[(intptr_t)arg] = sim_task_id();
}

static void many_main(void *arg)
{
	int n = 0;

	gate_open = false;
	while (sim_thread_spawn("m", gated, NULL) > 0)
		n++;
	ck_assert_int_eq(n, SIM_MAX_THREADS - 1);	/* all live: -EAGAIN */
	ck_assert_int_eq(sim_thread_spawn("m", gated, NULL), -EAGAIN);
	gate_open = true;
	sim_waitq_wake_all(&gate_wq);
	sim_thread_join_all(SIM_SITE);
	ck_assert_int_eq(counter, 5 * (SIM_MAX_THREADS - 1));
	/* every slot exited: a new thread takes the first exited one */
	for (int i = 0; i < 200; i++) {
		char name[16];

		snprintf(name, sizeof(name), "r%d", i);
		ck_assert_int_eq(sim_thread_spawn(name, record_slot, (void *)(intptr_t)i), 1);
		sim_thread_join_all(SIM_SITE);
	}
	for (int i = 0; i < 200; i++) {
		char name[16];

		snprintf(name, sizeof(name), "r%d", i);
		ck_assert_int_eq(slot_tid[i], 1);
		ck_assert_int_eq(SIM_TASK_TID(slot_task[i]), 1);
		ck_assert_int_eq(slot_task[i] >> 6, 1 + i);
		ck_assert_str_eq(sim_task_name(slot_task[i]), name);
	}
	ck_assert_str_eq(sim_task_name(1), "m");	/* the slot's first thread */
	ck_assert_str_eq(sim_task_name(0), "main");
	ck_assert_str_eq(sim_task_name(1 | 999 << 6), "?");
	ck_assert_str_eq(sim_thread_name(1), "r199");	/* the slot's last */
}

START_TEST(thread_limit_and_slot_reuse)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 2);
	struct sim_result r;

	o.trace = false;
	for (int i = 0; i < 3; i++) {	/* the stacks are reused too */
		counter = norder = 0;
		ck_assert_int_eq(sim_run(&o, many_main, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.nfindings, 0);
		norder = 0;
	}
}
END_TEST

/* A wait queue in static storage outlives an execution stopped by a fatal
 * finding while a thread waited on it: a later execution that wakes the
 * queue must not resume that thread's dead context. */
static struct sim_waitq stale_wq = { .name = "stale_wq" };
static int stale_resumed;

static void stale_waiter(void *arg)
{
	sim_waitq_block(&stale_wq, 0, SIM_SITE);
	stale_resumed++;
}

static void stale_run1(void *arg)
{
	sim_thread_spawn("waiter", stale_waiter, NULL);
	sim_thread_spawn("waiter2", stale_waiter, NULL);
	sim_yield(SIM_SITE);
	sim_yield(SIM_SITE);
	sim_yield(SIM_SITE);
	sim_report(SIM_F_BUG, true, "bug:stop", "stop the execution\n");
}

static void stale_run2(void *arg)
{
	sim_waitq_wake_all(&stale_wq);
	sim_yield(SIM_SITE);
	sim_waitq_wake_one(&stale_wq);
	sim_yield(SIM_SITE);
}

START_TEST(stale_waiters_not_resumed)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);
	struct sim_result r;

	stale_resumed = 0;
	sim_run(&o, stale_run1, NULL, NULL, &r);
	ck_assert_int_eq(r.nfindings, 1);
	ck_assert(stale_wq.waiters != 0);	/* left behind by the stop */
	ck_assert_int_eq(sim_run(&o, stale_run2, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(stale_resumed, 0);
	ck_assert_int_eq(stale_wq.waiters, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sim_sched");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, threads_run_and_interleave);
	tcase_add_test(tc, random_interleaves_differently);
	tcase_add_test(tc, determinism_same_seed);
	tcase_add_test(tc, determinism_different_seeds_differ);
	tcase_add_test(tc, virtual_time_orders_sleepers);
	tcase_add_test(tc, waitq_deadline_times_out);
	tcase_add_test(tc, hang_is_not_deadlock);
	tcase_add_test(tc, hang_virtual_time_budget);
	tcase_add_test(tc, hang_signature_names_the_loop);
	tcase_add_test(tc, hang_signature_spinner);
	tcase_add_test(tc, crash_is_isolated);
	tcase_add_test(tc, crash_after_crash);
	tcase_add_test(tc, op_labels_and_hook);
	tcase_add_test(tc, brief_findings);
	tcase_add_test(tc, fatal_finding_ends_execution);
	tcase_add_test(tc, rand_streams_independent_of_interleaving);
	tcase_add_test(tc, usage_errors);
	tcase_add_test(tc, thread_limit_and_slot_reuse);
	tcase_add_test(tc, stale_waiters_not_resumed);
	tcase_add_test(tc, hang_hung_task);
	tcase_add_test(tc, hang_hung_task_none);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
