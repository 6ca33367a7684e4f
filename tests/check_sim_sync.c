/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_sync.c - sync primitive semantics and the deadlock
 * detector: ABBA and 3-lock cycles found by random and PCT, rwsem fairness
 * and downgrade, completions, sleeping under a spinlock, bad unlock.
 */
#include "check_util.h"

#include <errno.h>

static struct sim_mutex ma, mb, mc;
static struct sim_lock_class_key ka, kb, kc;

/* ---------------------------------------------------------------- ABBA */

static void abba_1(void *arg)
{
	sim_mutex_lock(&ma, 0, SIM_SITE);
	sim_mutex_lock(&mb, 0, SIM_SITE);
	sim_mutex_unlock(&mb, SIM_SITE);
	sim_mutex_unlock(&ma, SIM_SITE);
}

static void abba_2(void *arg)
{
	sim_mutex_lock(&mb, 0, SIM_SITE);
	sim_mutex_lock(&ma, 0, SIM_SITE);
	sim_mutex_unlock(&ma, SIM_SITE);
	sim_mutex_unlock(&mb, SIM_SITE);
}

static void abba_main(void *arg)
{
	sim_mutex_init(&ma, "lock_A", &ka, SIM_SITE);
	sim_mutex_init(&mb, "lock_B", &kb, SIM_SITE);
	sim_thread_spawn("worker-a", abba_1, NULL);
	sim_thread_spawn("worker-b", abba_2, NULL);
	sim_thread_join_all(SIM_SITE);
}

static int find_deadlock(enum sim_strategy s, sim_fn fn, int tries, bool lockdep,
			 char **report, char *sig, size_t siglen)
{
	for (int i = 0; i < tries; i++) {
		struct sim_opts o = tu_opts(s, (uint64_t)i + 1);
		struct sim_result r;
		o.lockdep = lockdep;
		ck_assert_int_eq(sim_run(&o, fn, NULL, NULL, &r), 0);
		if (r.deadlock) {
			const struct sim_finding *f = tu_find(SIM_F_DEADLOCK);
			ck_assert_ptr_nonnull(f);
			ck_assert(!r.hang);
			*report = strdup(f->report);
			snprintf(sig, siglen, "%s", f->signature);
			return i + 1;
		}
		ck_assert_ptr_null(tu_find(SIM_F_DEADLOCK));
	}
	return 0;
}

START_TEST(abba_random_finds_deadlock)
{
	char *rep = NULL, sig[256];
	int n = find_deadlock(SIM_STRAT_RANDOM, abba_main, 200, false, &rep, sig,
			      sizeof(sig));

	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(sig, "deadlock:lock_A,lock_B");
	ck_assert_ptr_nonnull(strstr(rep, "INFO: task T1 (worker-a) blocked: deadlock"));
	ck_assert_ptr_nonnull(strstr(rep, "T1 (worker-a) is waiting for lock lock_B"));
	ck_assert_ptr_nonnull(strstr(rep, "held by T2 (worker-b)"));
	ck_assert_ptr_nonnull(strstr(rep, "T2 (worker-b) is waiting for lock lock_A"));
	ck_assert_ptr_nonnull(strstr(rep, "held by T1 (worker-a)"));
	ck_assert_ptr_nonnull(strstr(rep, "check_sim_sync.c:"));
	ck_assert_ptr_nonnull(strstr(rep, "*** DEADLOCK ***"));
	free(rep);
}
END_TEST

START_TEST(abba_pct_finds_deadlock_with_lockdep)
{
	char *rep = NULL, sig[256];
	int n = find_deadlock(SIM_STRAT_PCT, abba_main, 200, true, &rep, sig,
			      sizeof(sig));

	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(sig, "deadlock:lock_A,lock_B");
	ck_assert_ptr_nonnull(strstr(rep, "T1 (worker-a) holds:"));
	ck_assert_ptr_nonnull(strstr(rep, "T2 (worker-b) holds:"));
	free(rep);
}
END_TEST

/* 3 threads, 3 locks, cycle A->B->C->A */
static void cyc3(void *arg)
{
	struct sim_mutex **l = arg;
	sim_mutex_lock(l[0], 0, SIM_SITE);
	sim_yield(SIM_SITE);
	sim_mutex_lock(l[1], 0, SIM_SITE);
	sim_mutex_unlock(l[1], SIM_SITE);
	sim_mutex_unlock(l[0], SIM_SITE);
}

static struct sim_mutex *p1[2] = { &ma, &mb }, *p2[2] = { &mb, &mc },
			*p3[2] = { &mc, &ma };

static void cyc3_main(void *arg)
{
	sim_mutex_init(&ma, "lock_A", &ka, SIM_SITE);
	sim_mutex_init(&mb, "lock_B", &kb, SIM_SITE);
	sim_mutex_init(&mc, "lock_C", &kc, SIM_SITE);
	sim_thread_spawn("t-ab", cyc3, p1);
	sim_thread_spawn("t-bc", cyc3, p2);
	sim_thread_spawn("t-ca", cyc3, p3);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(three_lock_cycle)
{
	char *rep = NULL, sig[256];
	int n = find_deadlock(SIM_STRAT_RANDOM, cyc3_main, 500, false, &rep, sig,
			      sizeof(sig));

	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(sig, "deadlock:lock_A,lock_B,lock_C");
	ck_assert_ptr_nonnull(strstr(rep, "wait-for cycle of 3 threads"));
	ck_assert_ptr_nonnull(strstr(rep, "T1 (t-ab) is waiting for lock lock_B"));
	ck_assert_ptr_nonnull(strstr(rep, "T2 (t-bc) is waiting for lock lock_C"));
	ck_assert_ptr_nonnull(strstr(rep, "T3 (t-ca) is waiting for lock lock_A"));
	free(rep);
	rep = NULL;
	n = find_deadlock(SIM_STRAT_PCT, cyc3_main, 500, false, &rep, sig, sizeof(sig));
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(sig, "deadlock:lock_A,lock_B,lock_C");
	free(rep);
}
END_TEST

/* A lost wake-up: blocked forever on a completion nobody completes. */
static struct sim_completion lost;
static void lost_waiter(void *arg)
{
	sim_completion_wait(&lost, SIM_SITE);
}
static void lost_main(void *arg)
{
	sim_completion_init(&lost);
	sim_thread_spawn("waiter", lost_waiter, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(stall_without_cycle_is_deadlock)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;
	const struct sim_finding *f;

	ck_assert_int_eq(sim_run(&o, lost_main, NULL, NULL, &r), 0);
	ck_assert(r.deadlock);
	f = tu_find(SIM_F_DEADLOCK);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->signature, "deadlock:stall:completion,join");
	ck_assert_ptr_nonnull(strstr(f->report, "T1 (waiter) is blocked on completion"));
}
END_TEST

/* ---------------------------------------------------------------- rwsem */

static struct sim_rwsem rw;
static struct sim_lock_class_key krw;
static int readers_inside, max_readers_inside;
static int log_[16], nlog;

static void reader(void *arg)
{
	sim_rwsem_down_read(&rw, 0, SIM_SITE);
	readers_inside++;
	if (readers_inside > max_readers_inside)
		max_readers_inside = readers_inside;
	sim_sleep_ns(100, SIM_SITE);
	readers_inside--;
	sim_rwsem_up_read(&rw, SIM_SITE);
}

static void two_readers_main(void *arg)
{
	sim_rwsem_init(&rw, "rw", &krw, SIM_SITE);
	sim_thread_spawn("r1", reader, NULL);
	sim_thread_spawn("r2", reader, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(rwsem_readers_share)
{
	for (uint64_t s = 1; s <= 5; s++) {
		struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, s);
		struct sim_result r;
		readers_inside = max_readers_inside = 0;
		ck_assert_int_eq(sim_run(&o, two_readers_main, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.nfindings, 0);
		ck_assert_int_eq(max_readers_inside, 2);
		ck_assert_uint_eq(r.vtime_ns, 100);     /* slept concurrently */
	}
}
END_TEST

/* T1 holds read; T2 wants write (waits); T3 wants read later: must wait
 * for the writer (a waiting writer blocks new readers). */
static void fair_r1(void *arg)
{
	sim_rwsem_down_read(&rw, 0, SIM_SITE);
	log_[nlog++] = 1;
	sim_sleep_ns(1000, SIM_SITE);
	log_[nlog++] = -1;
	sim_rwsem_up_read(&rw, SIM_SITE);
}
static void fair_w(void *arg)
{
	sim_sleep_ns(10, SIM_SITE);
	sim_rwsem_down_write(&rw, 0, SIM_SITE);
	log_[nlog++] = 2;
	sim_sleep_ns(10, SIM_SITE);
	log_[nlog++] = -2;
	sim_rwsem_up_write(&rw, SIM_SITE);
}
static void fair_r3(void *arg)
{
	sim_sleep_ns(20, SIM_SITE);
	ck_assert_int_eq(rw.writers_waiting, 1);
	sim_rwsem_down_read(&rw, 0, SIM_SITE);
	log_[nlog++] = 3;
	sim_rwsem_up_read(&rw, SIM_SITE);
}
static void fair_main(void *arg)
{
	sim_rwsem_init(&rw, "rw", &krw, SIM_SITE);
	sim_thread_spawn("r1", fair_r1, NULL);
	sim_thread_spawn("w", fair_w, NULL);
	sim_thread_spawn("r3", fair_r3, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(rwsem_waiting_writer_blocks_new_readers)
{
	for (uint64_t s = 1; s <= 5; s++) {
		struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, s);
		struct sim_result r;
		nlog = 0;
		ck_assert_int_eq(sim_run(&o, fair_main, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.nfindings, 0);
		ck_assert_int_eq(nlog, 5);
		int expect[5] = { 1, -1, 2, -2, 3 };
		for (int i = 0; i < 5; i++)
			ck_assert_int_eq(log_[i], expect[i]);
	}
}
END_TEST

static void dg_writer(void *arg)
{
	sim_rwsem_down_write(&rw, 0, SIM_SITE);
	sim_sleep_ns(10, SIM_SITE);
	sim_rwsem_downgrade_write(&rw, SIM_SITE);
	log_[nlog++] = 1;
	sim_sleep_ns(100, SIM_SITE);     /* reader gets in meanwhile */
	log_[nlog++] = -1;
	sim_rwsem_up_read(&rw, SIM_SITE);
}
static void dg_reader(void *arg)
{
	sim_sleep_ns(5, SIM_SITE);
	sim_rwsem_down_read(&rw, 0, SIM_SITE);
	log_[nlog++] = 2;
	ck_assert_int_eq(rw.nreaders, 2);
	sim_rwsem_up_read(&rw, SIM_SITE);
}
static void dg_main(void *arg)
{
	sim_rwsem_init(&rw, "rw", &krw, SIM_SITE);
	sim_thread_spawn("writer", dg_writer, NULL);
	sim_thread_spawn("reader", dg_reader, NULL);
	sim_thread_join_all(SIM_SITE);
	ck_assert(!sim_rwsem_is_locked(&rw));
}

START_TEST(rwsem_downgrade)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 4);
	struct sim_result r;

	nlog = 0;
	ck_assert_int_eq(sim_run(&o, dg_main, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(nlog, 3);
	ck_assert_int_eq(log_[0], 1);
	ck_assert_int_eq(log_[1], 2);
	ck_assert_int_eq(log_[2], -1);
}
END_TEST

static int try_results[4];
static void try_main(void *arg)
{
	sim_rwsem_init(&rw, "rw", &krw, SIM_SITE);
	sim_mutex_init(&ma, "lock_A", &ka, SIM_SITE);
	try_results[0] = sim_mutex_trylock(&ma, SIM_SITE);
	try_results[1] = sim_mutex_trylock(&ma, SIM_SITE);
	ck_assert(sim_mutex_is_locked(&ma));
	sim_mutex_unlock(&ma, SIM_SITE);
	ck_assert(!sim_mutex_is_locked(&ma));
	try_results[2] = sim_rwsem_down_read_trylock(&rw, SIM_SITE);
	try_results[3] = sim_rwsem_down_write_trylock(&rw, SIM_SITE);
	sim_rwsem_up_read(&rw, SIM_SITE);
	ck_assert_int_eq(sim_rwsem_down_write_trylock(&rw, SIM_SITE), 1);
	ck_assert_int_eq(sim_rwsem_down_read_trylock(&rw, SIM_SITE), 0);
	sim_rwsem_up_write(&rw, SIM_SITE);
	ck_assert_int_eq(sim_mutex_lock_interruptible(&ma, 0, SIM_SITE), 0);
	sim_mutex_unlock(&ma, SIM_SITE);
}

START_TEST(trylocks)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;

	ck_assert_int_eq(sim_run(&o, try_main, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(try_results[0], 1);
	ck_assert_int_eq(try_results[1], 0);
	ck_assert_int_eq(try_results[2], 1);
	ck_assert_int_eq(try_results[3], 0);
}
END_TEST

/* ---------------------------------------------------------------- mutual exclusion */

static int in_cs, cs_violations, cs_count;
static void cs_worker(void *arg)
{
	for (int i = 0; i < 20; i++) {
		sim_mutex_lock(&ma, 0, SIM_SITE);
		in_cs++;
		if (in_cs != 1)
			cs_violations++;
		sim_yield(SIM_SITE);
		cs_count++;
		in_cs--;
		sim_mutex_unlock(&ma, SIM_SITE);
	}
}
static void cs_main(void *arg)
{
	sim_mutex_init(&ma, "lock_A", &ka, SIM_SITE);
	for (int i = 0; i < 4; i++)
		sim_thread_spawn("cs", cs_worker, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(mutex_excludes)
{
	for (uint64_t s = 1; s <= 10; s++) {
		struct sim_opts o = tu_opts(s & 1 ? SIM_STRAT_RANDOM : SIM_STRAT_PCT, s);
		struct sim_result r;
		in_cs = cs_violations = cs_count = 0;
		ck_assert_int_eq(sim_run(&o, cs_main, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.nfindings, 0);
		ck_assert_int_eq(cs_violations, 0);
		ck_assert_int_eq(cs_count, 80);
		ck_assert_uint_gt(r.decisions, 0);
	}
}
END_TEST

/* ---------------------------------------------------------------- completion */

static struct sim_completion comp;
static int comp_log[8], ncomp;
static void comp_waiter(void *arg)
{
	sim_completion_wait(&comp, SIM_SITE);
	comp_log[ncomp++] = (int)(intptr_t)arg;
}
static void comp_main(void *arg)
{
	sim_completion_init(&comp);
	sim_thread_spawn("w1", comp_waiter, (void *)1);
	sim_thread_spawn("w2", comp_waiter, (void *)2);
	sim_sleep_ns(50, SIM_SITE);
	comp_log[ncomp++] = 0;
	sim_complete(&comp, SIM_SITE);
	sim_sleep_ns(50, SIM_SITE);
	ck_assert_int_eq(ncomp, 2);
	sim_complete_all(&comp, SIM_SITE);
	sim_thread_join_all(SIM_SITE);
	/* wait_timeout on a completed-all completion returns at once */
	ck_assert_uint_gt(sim_completion_wait_timeout(&comp, 10, SIM_SITE), 0);
}

START_TEST(completion_semantics)
{
	for (uint64_t s = 1; s <= 4; s++) {
		struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, s);
		struct sim_result r;
		ncomp = 0;
		ck_assert_int_eq(sim_run(&o, comp_main, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.nfindings, 0);
		ck_assert_int_eq(ncomp, 3);
		ck_assert_int_eq(comp_log[0], 0);
		ck_assert_uint_eq(r.vtime_ns, 100);
	}
}
END_TEST

static uint64_t timeout_left;
static void comp_to_main(void *arg)
{
	sim_completion_init(&comp);
	timeout_left = sim_completion_wait_timeout(&comp, 700, SIM_SITE);
}

START_TEST(completion_timeout)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;

	timeout_left = 99;
	ck_assert_int_eq(sim_run(&o, comp_to_main, NULL, NULL, &r), 0);
	ck_assert_uint_eq(timeout_left, 0);
	ck_assert_uint_eq(r.vtime_ns, 700);
	ck_assert(!r.deadlock);
}
END_TEST

/* ---------------------------------------------------------------- atomic sleep */

static struct sim_spinlock sl;
static struct sim_lock_class_key ksl;
static void atomic_sleeper(void *arg)
{
	sim_spin_lock(&sl, SIM_SITE);
	sim_mutex_lock(&ma, 0, SIM_SITE);    /* sleeping under a spinlock */
	sim_mutex_unlock(&ma, SIM_SITE);
	sim_spin_unlock(&sl, SIM_SITE);
	sim_might_sleep(SIM_SITE);           /* fine: no spinlock held */
}
static void atomic_main(void *arg)
{
	sim_spin_init(&sl, "my_spin", &ksl, SIM_SITE);
	sim_mutex_init(&ma, "lock_A", &ka, SIM_SITE);
	sim_thread_spawn("atomic", atomic_sleeper, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(sleep_under_spinlock)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;
	const struct sim_finding *f;

	o.lockdep = false;
	ck_assert_int_eq(sim_run(&o, atomic_main, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.nfindings, 1);
	f = tu_find(SIM_F_SLEEP_ATOMIC);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->tid, 1);
	ck_assert_ptr_nonnull(strstr(f->report,
		"BUG: sleeping function called from invalid context at check_sim_sync.c:"));
	ck_assert_ptr_nonnull(strstr(f->report, "my_spin"));
	ck_assert_ptr_nonnull(strstr(f->signature, "sleep-atomic:my_spin@check_sim_sync.c:"));
}
END_TEST

static void spin_sleep_worker(void *arg)
{
	sim_spin_lock(&sl, SIM_SITE);
	sim_sleep_ns(10, SIM_SITE);
	sim_spin_unlock(&sl, SIM_SITE);
}
static void spin_sleep_main(void *arg)
{
	sim_spin_init(&sl, "my_spin", &ksl, SIM_SITE);
	sim_thread_spawn("s1", spin_sleep_worker, NULL);
	sim_thread_spawn("s2", spin_sleep_worker, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(spinlock_excludes_and_flags_sleep)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 2);
	struct sim_result r;

	o.lockdep = false;
	ck_assert_int_eq(sim_run(&o, spin_sleep_main, NULL, NULL, &r), 0);
	ck_assert(!r.deadlock);
	/* the two sleeps ran one after the other: the lock excluded */
	ck_assert_uint_eq(r.vtime_ns, 20);
	/* same signature twice: deduplicated */
	ck_assert_int_eq(r.nfindings, 1);
	ck_assert_int_eq(tu_find(SIM_F_SLEEP_ATOMIC) != NULL, 1);
}
END_TEST

/* ---------------------------------------------------------------- bad unlock */

static void bad_unlocker(void *arg)
{
	sim_mutex_unlock(&ma, SIM_SITE);     /* held by main */
}
static void bad_unlock_main(void *arg)
{
	sim_mutex_init(&ma, "lock_A", &ka, SIM_SITE);
	sim_mutex_lock(&ma, 0, SIM_SITE);
	sim_thread_spawn("intruder", bad_unlocker, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(bad_unlock_reported)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);
	struct sim_result r;
	const struct sim_finding *f;

	o.lockdep = false;
	ck_assert_int_eq(sim_run(&o, bad_unlock_main, NULL, NULL, &r), 0);
	f = tu_find(SIM_F_LOCK_BAD_UNLOCK);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->tid, 1);
	ck_assert_str_eq(f->signature, "bad-unlock:lock_A");
	ck_assert_ptr_nonnull(strstr(f->report, "held by another thread"));
	/* with the validator on, it reports it (once, not twice) */
	o.lockdep = true;
	ck_assert_int_eq(sim_run(&o, bad_unlock_main, NULL, NULL, &r), 0);
	int n = 0;
	for (int i = 0; i < sim_findings_count(); i++)
		n += sim_finding_get(i)->kind == SIM_F_LOCK_BAD_UNLOCK;
	ck_assert_int_le(n, 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sim_sync");
	TCase *tc = tcase_create("sync");

	tcase_add_test(tc, abba_random_finds_deadlock);
	tcase_add_test(tc, abba_pct_finds_deadlock_with_lockdep);
	tcase_add_test(tc, three_lock_cycle);
	tcase_add_test(tc, stall_without_cycle_is_deadlock);
	tcase_add_test(tc, rwsem_readers_share);
	tcase_add_test(tc, rwsem_waiting_writer_blocks_new_readers);
	tcase_add_test(tc, rwsem_downgrade);
	tcase_add_test(tc, trylocks);
	tcase_add_test(tc, mutex_excludes);
	tcase_add_test(tc, completion_semantics);
	tcase_add_test(tc, completion_timeout);
	tcase_add_test(tc, sleep_under_spinlock);
	tcase_add_test(tc, spinlock_excludes_and_flags_sleep);
	tcase_add_test(tc, bad_unlock_reported);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
