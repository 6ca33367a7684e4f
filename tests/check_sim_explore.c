/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_explore.c - sim_explore: exact execution counts of the
 * exhaustive search (without reduction: binomial counts; with sleep sets:
 * one run per Mazurkiewicz trace), the preemption bound, deadlock found
 * exhaustively, per-execution seeds for the random strategies, and which
 * argument goes to the program and which to the per-execution callback.
 *
 * Counting model: every thread runs in segments between its scheduling
 * points; a thread that passes k points (spawn, yields, lock/unlock points,
 * its exit) has k segments.  Without reduction the search enumerates all
 * interleavings of segments: C(a+b, a) for two threads with a and b.
 */
#include "check_util.h"

static int nyield_main, nyield_t1;

static void yielder(void *arg)
{
	for (int i = 0; i < nyield_t1; i++)
		sim_yield(SIM_SITE);
}

/* main: spawn T1 then `nyield_main` yields, exit.  After the spawn point
 * main has nyield_main+1 segments, T1 has nyield_t1+1. */
static void yield_prog(void *arg)
{
	sim_thread_spawn("t1", yielder, NULL);
	for (int i = 0; i < nyield_main; i++)
		sim_yield(SIM_SITE);
}

static uint64_t binom(int n, int k)
{
	uint64_t r = 1;
	for (int i = 1; i <= k; i++)
		r = r * (uint64_t)(n - k + i) / (uint64_t)i;
	return r;
}

static struct sim_opts ex_opts(bool reduction, int bound)
{
	struct sim_opts o = tu_opts(SIM_STRAT_EXHAUSTIVE, 1);
	o.trace = false;
	o.no_reduction = !reduction;
	o.preemption_bound = bound;
	return o;
}

static uint64_t distinct_hashes[4096];
static int ndistinct;

static int collect(uint64_t i, const struct sim_result *r, void *arg)
{
	uint64_t h = sim_trace_hash();
	for (int j = 0; j < ndistinct; j++)
		if (distinct_hashes[j] == h)
			return 0;
	if (ndistinct < 4096)
		distinct_hashes[ndistinct++] = h;
	return 0;
}

START_TEST(textbook_counts_without_reduction)
{
	for (int a = 0; a <= 3; a++) {
		for (int b = 0; b <= 3; b++) {
			struct sim_opts o = ex_opts(false, -1);
			struct sim_explore_stats st;
			nyield_main = a;
			nyield_t1 = b;
			ndistinct = 0;
			long n = sim_explore(&o, 0, yield_prog, NULL, NULL, collect, NULL, &st);
			ck_assert_msg((uint64_t)n == binom(a + b + 2, a + 1),
				      "a=%d b=%d: %ld executions, want %llu", a, b, n,
				      (unsigned long long)binom(a + b + 2, a + 1));
			ck_assert(st.complete);
			ck_assert_uint_eq(st.redundant, 0);
			/* every execution is a different interleaving */
			ck_assert_int_eq(ndistinct, (int)n);
		}
	}
}
END_TEST

START_TEST(independent_steps_reduce_to_one)
{
	/* yields touch nothing shared: one trace, and the sleep sets cut
	 * every other branch early (a+1 redundant runs for the branches at
	 * main's points). */
	for (int a = 0; a <= 3; a++) {
		struct sim_opts o = ex_opts(true, -1);
		struct sim_explore_stats st;
		nyield_main = a;
		nyield_t1 = 2;
		long n = sim_explore(&o, 0, yield_prog, NULL, NULL, NULL, NULL, &st);
		ck_assert_int_eq(n, 1);
		ck_assert(st.complete);
		ck_assert_uint_eq(st.redundant, (uint64_t)a + 1);
	}
}
END_TEST

START_TEST(preemption_bound_counts)
{
	/* a = b = 1: the 6 interleavings have 0,1,1,2,2,3 preemptions */
	static const long want[] = { 1, 3, 5, 6 };
	nyield_main = 1;
	nyield_t1 = 1;
	for (int bound = 0; bound <= 3; bound++) {
		struct sim_opts o = ex_opts(false, bound);
		struct sim_explore_stats st;
		long n = sim_explore(&o, 0, yield_prog, NULL, NULL, NULL, NULL, &st);
		ck_assert_msg(n == want[bound], "bound %d: %ld", bound, n);
		ck_assert(st.complete);
		if (bound < 3)
			ck_assert_uint_gt(st.bound_pruned, 0);
	}
}
END_TEST

/* Two threads, each lock A; unlock A.  Traces of the A events: who goes
 * first, and whether the other one tried and blocked meanwhile: 4. */
static struct sim_mutex ma, mb;
static struct sim_lock_class_key ka, kb;
static int final_order[2], nfinal;
static int order_seen[3];

static void locker(void *arg)
{
	struct sim_mutex *m = arg ? arg : &ma;
	sim_mutex_lock(m, 0, SIM_SITE);
	if (nfinal < 2)
		final_order[nfinal++] = sim_tid();
	sim_mutex_unlock(m, SIM_SITE);
}

static void same_lock_prog(void *arg)
{
	sim_mutex_init(&ma, "A", &ka, SIM_SITE);
	sim_mutex_init(&mb, "B", &kb, SIM_SITE);
	nfinal = 0;
	sim_thread_spawn("t1", locker, arg == (void *)1 ? &ma : NULL);
	sim_thread_spawn("t2", locker, arg == (void *)1 ? &mb : NULL);
}

static int count_order(uint64_t i, const struct sim_result *r, void *arg)
{
	ck_assert_int_eq(r->nfindings, 0);
	if (nfinal == 2)
		order_seen[final_order[0]]++;
	return 0;
}

START_TEST(same_lock_traces)
{
	struct sim_opts o = ex_opts(true, -1);
	struct sim_explore_stats st;
	long n;

	memset(order_seen, 0, sizeof(order_seen));
	n = sim_explore(&o, 0, same_lock_prog, NULL, NULL, count_order, NULL, &st);
	ck_assert_int_eq(n, 4);
	ck_assert(st.complete);
	ck_assert_int_eq(order_seen[1], 2);
	ck_assert_int_eq(order_seen[2], 2);

	/* without reduction: many more runs, same two outcomes */
	o = ex_opts(false, -1);
	memset(order_seen, 0, sizeof(order_seen));
	long full = sim_explore(&o, 0, same_lock_prog, NULL, NULL, count_order, NULL, &st);
	ck_assert_int_gt(full, n);
	ck_assert(st.complete);
	ck_assert_int_gt(order_seen[1], 0);
	ck_assert_int_gt(order_seen[2], 0);
}
END_TEST

START_TEST(different_locks_one_trace)
{
	struct sim_opts o = ex_opts(true, -1);
	struct sim_explore_stats st;

	long n = sim_explore(&o, 0, same_lock_prog, NULL, (void *)1, NULL, NULL, &st);
	ck_assert_int_eq(n, 1);
	ck_assert(st.complete);
	ck_assert_uint_gt(st.redundant, 0);
}
END_TEST

/* The world's final join: main spawns two lockers of A and waits for
 * both.  It is woken when the last of them exits, not at each exit: a
 * wake-up while another thread lives only re-checks and blocks again, and
 * that step (dependent with every other) gave the search a branch at each
 * point after the first exit.  6.12's kworkers exit one by one: it
 * multiplied its exhaustive searches by up to 20.  22 executions here (42
 * when main woke at each exit), and both lockers still take A first in
 * some of them. */
static void join_prog(void *arg)
{
	same_lock_prog(arg);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(join_wakes_at_the_last_exit)
{
	struct sim_opts o = ex_opts(true, -1);
	struct sim_explore_stats st;

	memset(order_seen, 0, sizeof(order_seen));
	long n = sim_explore(&o, 0, join_prog, NULL, NULL, count_order, NULL, &st);
	ck_assert_msg(n == 22, "%ld executions", n);
	ck_assert(st.complete);
	ck_assert_int_gt(order_seen[1], 0);
	ck_assert_int_gt(order_seen[2], 0);
}
END_TEST

/* ABBA exhaustively: the deadlock is found; with sleep sets exactly one
 * execution deadlocks (the two failing acquisitions commute). */
static void ab(void *arg)
{
	struct sim_mutex **l = arg;
	sim_mutex_lock(l[0], 0, SIM_SITE);
	sim_mutex_lock(l[1], 0, SIM_SITE);
	sim_mutex_unlock(l[1], SIM_SITE);
	sim_mutex_unlock(l[0], SIM_SITE);
}
static struct sim_mutex *pab[2] = { &ma, &mb }, *pba[2] = { &mb, &ma };
static void abba_prog(void *arg)
{
	sim_mutex_init(&ma, "A", &ka, SIM_SITE);
	sim_mutex_init(&mb, "B", &kb, SIM_SITE);
	sim_thread_spawn("t-ab", ab, pab);
	sim_thread_spawn("t-ba", ab, pba);
}

static int ndeadlocks, nclean;
static int count_deadlocks(uint64_t i, const struct sim_result *r, void *arg)
{
	if (r->deadlock) {
		ndeadlocks++;
		ck_assert_ptr_nonnull(tu_find(SIM_F_DEADLOCK));
		ck_assert_str_eq(tu_find(SIM_F_DEADLOCK)->signature, "deadlock:A,B");
	} else {
		nclean++;
	}
	return 0;
}

START_TEST(abba_exhaustive)
{
	struct sim_opts o = ex_opts(true, -1);
	struct sim_explore_stats st;

	o.lockdep = false;
	ndeadlocks = nclean = 0;
	long n = sim_explore(&o, 0, abba_prog, NULL, NULL, count_deadlocks, NULL, &st);
	ck_assert(st.complete);
	ck_assert_int_eq(ndeadlocks, 1);
	ck_assert_int_eq(n, ndeadlocks + nclean);

	o = ex_opts(false, -1);
	o.lockdep = false;
	ndeadlocks = nclean = 0;
	long full = sim_explore(&o, 0, abba_prog, NULL, NULL, count_deadlocks, NULL, &st);
	ck_assert(st.complete);
	ck_assert_int_gt(full, n);
	ck_assert_int_gt(ndeadlocks, 1);

	/* preemption bound 0: switches only when a thread blocks or exits;
	 * the deadlock needs a preemption */
	o = ex_opts(true, 0);
	o.lockdep = false;
	ndeadlocks = nclean = 0;
	sim_explore(&o, 0, abba_prog, NULL, NULL, count_deadlocks, NULL, &st);
	ck_assert_int_eq(ndeadlocks, 0);
	o = ex_opts(true, 1);
	o.lockdep = false;
	ndeadlocks = nclean = 0;
	sim_explore(&o, 0, abba_prog, NULL, NULL, count_deadlocks, NULL, &st);
	ck_assert_int_ge(ndeadlocks, 1);
}
END_TEST

/*
 * Property: under a preemption bound, the search with sleep sets reaches
 * every Mazurkiewicz trace that the search without reduction reaches with
 * the same bound.  Programs: 2-3 threads, each a random sequence of
 * lock/unlock pairs on 3 mutexes; a trace is identified by the order in
 * which threads acquired each mutex.  (Plain sleep sets under a bound miss
 * some: a branch the bound cut must not be put to sleep.)
 */
#define RP_THREADS 3
#define RP_OPS 4
static struct sim_mutex rp_m[3];
static int rp_prog[RP_THREADS][RP_OPS], rp_nops[RP_THREADS], rp_nthreads;
static int rp_log[3][RP_THREADS * RP_OPS], rp_nlog[3];
static uint64_t rp_set[2][8192];
static int rp_nset[2], rp_which;

static void rp_thread(void *arg)
{
	int t = (int)(intptr_t)arg;

	for (int i = 0; i < rp_nops[t]; i++) {
		int m = rp_prog[t][i];

		sim_mutex_lock(&rp_m[m], 0, SIM_SITE);
		rp_log[m][rp_nlog[m]++] = t;
		sim_mutex_unlock(&rp_m[m], SIM_SITE);
	}
}

static void rp_main(void *arg)
{
	static const char *names[] = { "a", "b", "c" };
	static struct sim_lock_class_key keys[3];

	for (int m = 0; m < 3; m++) {
		sim_mutex_init(&rp_m[m], "rp", &keys[m], SIM_SITE);
		rp_nlog[m] = 0;
	}
	for (int t = 0; t < rp_nthreads; t++)
		sim_thread_spawn(names[t], rp_thread, (void *)(intptr_t)t);
	sim_thread_join_all(SIM_SITE);
}

static int rp_collect(uint64_t i, const struct sim_result *r, void *arg)
{
	uint64_t h = 1469598103934665603ULL;

	for (int m = 0; m < 3; m++) {
		for (int k = 0; k < rp_nlog[m]; k++)
			h = (h ^ (uint64_t)(rp_log[m][k] + 1)) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	for (int j = 0; j < rp_nset[rp_which]; j++)
		if (rp_set[rp_which][j] == h)
			return 0;
	if (rp_nset[rp_which] < 8192)
		rp_set[rp_which][rp_nset[rp_which]++] = h;
	return 0;
}

START_TEST(bounded_reduction_keeps_every_trace)
{
	uint64_t rng = 42;
	int programs = 0, with_cut = 0;
	int nprog = tu_asan() ? 12 : 60;	/* ASan: ~30x slower per execution */

	for (int p = 0; p < nprog; p++) {
		rp_nthreads = 2 + (int)(p % 2);
		for (int t = 0; t < rp_nthreads; t++) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			rp_nops[t] = 1 + (int)((rng >> 33) % RP_OPS);
			for (int i = 0; i < rp_nops[t]; i++) {
				rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
				rp_prog[t][i] = (int)((rng >> 33) % 3);
			}
		}
		for (int bound = 0; bound <= 2; bound++) {
			struct sim_explore_stats st;

			for (rp_which = 0; rp_which < 2; rp_which++) {
				struct sim_opts o = ex_opts(rp_which == 1, bound);

				rp_nset[rp_which] = 0;
				sim_explore(&o, 0, rp_main, NULL, NULL, rp_collect, NULL, &st);
				ck_assert(st.complete);
				if (rp_which == 1 && st.bound_pruned)
					with_cut++;
			}
			/* every trace of the unreduced search is reached with reduction */
			for (int j = 0; j < rp_nset[0]; j++) {
				bool found = false;

				for (int k = 0; k < rp_nset[1] && !found; k++)
					found = rp_set[1][k] == rp_set[0][j];
				ck_assert_msg(found, "program %d, bound %d: a trace of the unreduced "
					      "search is missing with sleep sets", p, bound);
			}
			ck_assert_int_le(rp_nset[1], rp_nset[0]);
		}
		programs++;
	}
	ck_assert_int_eq(programs, nprog);
	ck_assert_int_gt(with_cut, 0);	/* the bound did cut some searches */
}
END_TEST

/*
 * The state memo (sim_explore_seen): two lockers of A leave the same
 * state (a counter at 2) in either order; after joining them main states
 * that the rest depends on the counter alone, then "tears down" with two
 * threads that take B and C in opposite orders (a branching part with a
 * deadlock in some interleavings).  With the memo, the second racing order
 * ends at the join: fewer executions, the deadlock still found; with
 * APSIM_MEMO=verify nothing is reused, the counts equal the plain search's
 * and no reuse would have changed the outcome; APSIM_MEMO=0 is the plain
 * search.
 */
static struct sim_mutex mc_a, mc_b, mc_c;
static struct sim_lock_class_key kc_a, kc_b, kc_c;
static int mc_counter;

static void mc_locker(void *arg)
{
	sim_mutex_lock(&mc_a, 0, SIM_SITE);
	mc_counter++;
	sim_mutex_unlock(&mc_a, SIM_SITE);
}

static struct sim_mutex *mc_bc[2] = { &mc_b, &mc_c }, *mc_cb[2] = { &mc_c, &mc_b };

static void memo_prog(void *arg)
{
	sim_mutex_init(&mc_a, "A", &kc_a, SIM_SITE);
	sim_mutex_init(&mc_b, "B", &kc_b, SIM_SITE);
	sim_mutex_init(&mc_c, "C", &kc_c, SIM_SITE);
	mc_counter = 0;
	sim_thread_spawn("l1", mc_locker, NULL);
	sim_thread_spawn("l2", mc_locker, NULL);
	sim_thread_join_all(SIM_SITE);
	if (sim_explore_memo_wanted() && sim_explore_seen((uint64_t)mc_counter, 0x6d656d6fULL))
		sim_end_execution();
	sim_thread_spawn("t-bc", ab, mc_bc);	/* the ABBA test's lockers */
	sim_thread_spawn("t-cb", ab, mc_cb);
	sim_thread_join_all(SIM_SITE);
	sim_explore_outcome((uint64_t)mc_counter);
}

static int mc_deadlocks;
static int mc_count(uint64_t i, const struct sim_result *r, void *arg)
{
	mc_deadlocks += r->deadlock;
	return 0;
}

static long memo_run(const char *mode, struct sim_explore_stats *st)
{
	struct sim_opts o = ex_opts(true, 2);
	long n;

	o.lockdep = false;
	if (mode)
		setenv("APSIM_MEMO", mode, 1);
	else
		unsetenv("APSIM_MEMO");
	mc_deadlocks = 0;
	n = sim_explore(&o, 0, memo_prog, NULL, NULL, mc_count, NULL, st);
	unsetenv("APSIM_MEMO");
	ck_assert(st->complete);
	return n;
}

/*
 * The memo decides at its 128th lookup whether it pays: a search whose
 * states never repeat stops hashing there (the key is most of what a 6.1
 * execution after the join costs), one whose states repeat keeps it.
 * mp_unique: every execution reaches a state of its own.
 */
static bool mp_unique;
static long mp_serial, mp_wanted;

static void mp_locker(void *arg)
{
	for (int i = 0; i < 2; i++) {
		sim_mutex_lock(&mc_a, 0, SIM_SITE);
		mc_counter++;
		sim_mutex_unlock(&mc_a, SIM_SITE);
	}
}

static void memo_probe_prog(void *arg)
{
	sim_mutex_init(&mc_a, "A", &kc_a, SIM_SITE);
	mc_counter = 0;
	mp_serial++;
	for (int t = 0; t < 3; t++)
		sim_thread_spawn("l", mp_locker, NULL);
	sim_thread_join_all(SIM_SITE);
	if (!sim_explore_memo_wanted())
		return;
	mp_wanted++;
	if (sim_explore_seen(mp_unique ? (uint64_t)mp_serial : (uint64_t)mc_counter, 0x70726f62ULL))
		sim_end_execution();
	sim_explore_outcome(0);
}

static long memo_probe_run(bool unique, struct sim_explore_stats *st)
{
	struct sim_opts o = ex_opts(true, 2);

	o.lockdep = false;
	unsetenv("APSIM_MEMO");
	mp_unique = unique;
	mp_serial = mp_wanted = 0;
	return sim_explore(&o, 0, memo_probe_prog, NULL, NULL, NULL, NULL, st);
}

START_TEST(state_memo_stops_where_nothing_repeats)
{
	struct sim_explore_stats rep, uniq;
	long nr = memo_probe_run(false, &rep), nu;

	ck_assert(rep.complete);
	ck_assert_int_gt(nr, 128);
	ck_assert_int_eq(mp_wanted, nr);		/* every execution looked up */
	/* one state: reused once its first subtree is left */
	ck_assert_uint_gt(rep.reused, (uint64_t)nr / 2);
	nu = memo_probe_run(true, &uniq);
	ck_assert(uniq.complete);
	ck_assert_int_gt(nu, 128);
	ck_assert_uint_eq(uniq.reused, 0);
	ck_assert_int_eq(mp_wanted, 128);		/* then no more keys */
}
END_TEST

START_TEST(state_memo_reuses_explored_states)
{
	struct sim_explore_stats plain, memo, verify;
	long np = memo_run("0", &plain), nm, nv;
	int dp = mc_deadlocks, dm, dv;

	nm = memo_run(NULL, &memo);
	dm = mc_deadlocks;
	nv = memo_run("verify", &verify);
	dv = mc_deadlocks;
	ck_assert_uint_eq(plain.reused, 0);
	ck_assert_int_gt(dp, 0);
	ck_assert_uint_gt(memo.reused, 0);
	ck_assert_msg(nm < np, "memo %ld executions, plain %ld", nm, np);
	ck_assert_int_gt(dm, 0);		/* the teardown's deadlock: still found */
	ck_assert_int_eq(nv, np);		/* verify reuses nothing ... */
	ck_assert_uint_eq(verify.reused, 0);
	ck_assert_int_eq(dv, dp);
	ck_assert_uint_eq(verify.memo_mismatches, 0);	/* ... and nothing differed */
	/* outside an exhaustive search there is nothing to reuse */
	ck_assert(!sim_explore_memo_wanted());
}
END_TEST

/* A free is a step's effect the sleep sets must see: "user" takes the lock
 * inside an object that "freer" frees under another lock (the 6.12
 * request eventfd: scenarios/findings/req-trigger-replace-uaf.scn).  The
 * two lock points commute, the free does not: with sleep sets the user
 * must still see the object freed in some run, as without reduction, for
 * every preemption bound. */
static struct {
	struct sim_mutex lock;
	int freed;
} fobj;
static struct sim_mutex fother;
static struct sim_lock_class_key kfobj, kfother;
static int fsaw[2];
static bool fannounce;

static void f_user(void *arg)
{
	sim_mutex_lock(&fobj.lock, 0, SIM_SITE);
	fsaw[fobj.freed]++;
	sim_mutex_unlock(&fobj.lock, SIM_SITE);
}

static void f_freer(void *arg)
{
	sim_mutex_lock(&fother, 0, SIM_SITE);
	fobj.freed = 1;
	if (fannounce)
		sim_point_freed(&fobj, sizeof(fobj));
	sim_mutex_unlock(&fother, SIM_SITE);
}

static void free_prog(void *arg)
{
	memset(&fobj, 0, sizeof(fobj));
	sim_mutex_init(&fobj.lock, "obj", &kfobj, SIM_SITE);
	sim_mutex_init(&fother, "other", &kfother, SIM_SITE);
	sim_thread_spawn("user", f_user, NULL);
	sim_thread_spawn("freer", f_freer, NULL);
}

START_TEST(a_free_wakes_a_sleeping_locker)
{
	static const int bounds[] = { 1, 2, 3, -1 };

	for (int b = 0; b < 4; b++) {
		int bound = bounds[b];
		struct sim_explore_stats st;
		struct sim_opts o = ex_opts(false, bound);

		fannounce = true;
		memset(fsaw, 0, sizeof(fsaw));
		sim_explore(&o, 0, free_prog, NULL, NULL, NULL, NULL, &st);
		ck_assert(st.complete);
		ck_assert_int_gt(fsaw[0], 0);
		ck_assert_int_gt(fsaw[1], 0);

		o = ex_opts(true, bound);
		memset(fsaw, 0, sizeof(fsaw));
		sim_explore(&o, 0, free_prog, NULL, NULL, NULL, NULL, &st);
		ck_assert(st.complete);
		ck_assert_int_gt(fsaw[0], 0);
		ck_assert_msg(fsaw[1] > 0, "bound %d: the run where the lock's object is "
			      "freed first was put to sleep", bound);

		/* the test can fail: unannounced, the reduction loses it
		 * (at bound 1 the bound cuts the first branch, which then
		 * never sleeps: found there by that rule) */
		fannounce = false;
		memset(fsaw, 0, sizeof(fsaw));
		sim_explore(&o, 0, free_prog, NULL, NULL, NULL, NULL, &st);
		ck_assert(st.complete);
		if (bound != 1)
			ck_assert_int_eq(fsaw[1], 0);
	}
}
END_TEST

START_TEST(iteration_cap_and_early_stop)
{
	struct sim_opts o = ex_opts(false, -1);
	struct sim_explore_stats st;

	nyield_main = 3;
	nyield_t1 = 3;
	long n = sim_explore(&o, 5, yield_prog, NULL, NULL, NULL, NULL, &st);
	ck_assert_int_eq(n, 5);
	ck_assert(!st.complete);
}
END_TEST

static uint64_t seen_seeds[16];
static int seed_cb(uint64_t i, const struct sim_result *r, void *arg)
{
	seen_seeds[i] = sim_trace_hash();
	return i == 9;     /* stop after 10 */
}

START_TEST(random_explore_seeds)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 11);
	struct sim_explore_stats st;
	uint64_t first[16];

	nyield_main = 4;
	nyield_t1 = 4;
	long n = sim_explore(&o, 100, yield_prog, NULL, NULL, seed_cb, NULL, &st);
	ck_assert_int_eq(n, 10);
	memcpy(first, seen_seeds, sizeof(first));
	n = sim_explore(&o, 100, yield_prog, NULL, NULL, seed_cb, NULL, &st);
	ck_assert_int_eq(memcmp(first, seen_seeds, sizeof(first)), 0);
	int distinct = 0;
	for (int i = 0; i < 10; i++) {
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= first[j] == first[i];
		distinct += !dup;
	}
	ck_assert_int_ge(distinct, 5);
	/* execution 0 uses the seed itself: equals a plain sim_run */
	ck_assert_int_eq(sim_run(&o, yield_prog, NULL, NULL, NULL), 0);
	ck_assert_uint_eq(sim_trace_hash(), first[0]);
}
END_TEST

/* main and teardown get main_arg, the callback cb_arg, under both loops
 * (exhaustive and seeded). */
struct args_seen {
	int mains, teardowns, cbs;
	bool mixed;
};
static struct args_seen seen;
static int main_token, cb_token;

static void args_main(void *arg)
{
	seen.mains++;
	seen.mixed |= arg != &main_token;
	sim_thread_spawn("t1", yielder, NULL);
	sim_yield(SIM_SITE);
}

static void args_teardown(void *arg)
{
	seen.teardowns++;
	seen.mixed |= arg != &main_token;
}

static int args_cb(uint64_t i, const struct sim_result *r, void *arg)
{
	seen.cbs++;
	seen.mixed |= arg != &cb_token;
	return 0;
}

START_TEST(main_and_callback_arguments)
{
	enum sim_strategy strat[] = { SIM_STRAT_EXHAUSTIVE, SIM_STRAT_RANDOM };

	nyield_t1 = 1;
	for (int k = 0; k < 2; k++) {
		struct sim_opts o = tu_opts(strat[k], 3);
		long n;

		o.no_reduction = true;
		memset(&seen, 0, sizeof(seen));
		n = sim_explore(&o, 4, args_main, args_teardown, &main_token, args_cb,
				&cb_token, NULL);
		ck_assert_int_eq(n, 4);
		ck_assert_int_eq(seen.mains, 4);
		ck_assert_int_eq(seen.teardowns, 4);
		ck_assert_int_eq(seen.cbs, 4);
		ck_assert_msg(!seen.mixed, "%s: an argument went to the wrong function",
			      sim_strategy_name(strat[k]));
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sim_explore");
	TCase *tc = tcase_create("explore");

	/* a hang guard, not a speed test: bounded_reduction_keeps_every_trace takes
	 * ~17 s of CPU under ASan and over 60 s of wall clock on a loaded machine */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, textbook_counts_without_reduction);
	tcase_add_test(tc, independent_steps_reduce_to_one);
	tcase_add_test(tc, preemption_bound_counts);
	tcase_add_test(tc, same_lock_traces);
	tcase_add_test(tc, join_wakes_at_the_last_exit);
	tcase_add_test(tc, state_memo_reuses_explored_states);
	tcase_add_test(tc, state_memo_stops_where_nothing_repeats);
	tcase_add_test(tc, different_locks_one_trace);
	tcase_add_test(tc, abba_exhaustive);
	tcase_add_test(tc, iteration_cap_and_early_stop);
	tcase_add_test(tc, random_explore_seeds);
	tcase_add_test(tc, bounded_reduction_keeps_every_trace);
	tcase_add_test(tc, a_free_wakes_a_sleeping_locker);
	tcase_add_test(tc, main_and_callback_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
