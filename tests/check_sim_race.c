/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_race.c - the data-race detector (sim/race.c): true races
 * found (write/write, read/write) with KCSAN's report shape and the locks
 * each side held, happens-before respected through every primitive (mutex,
 * rwsem, spinlock, completion, wait-queue wake-up, spawn/join, fully
 * ordered atomics), neighbour bytes of one granule not reported, two
 * marked accesses not reported (a plain and a marked
 * one are), one report per signature
 * per execution, nothing with the detector off.
 *
 * The accesses are made with sim_race_access() from small noinline
 * functions (what the __asan_* hooks of instrumented code call), on an
 * object in the shadow region, so that the test does not depend on the
 * compiler's instrumentation (and runs in ASan builds too).
 */
#include "check_util.h"

#define REGION (1UL << 20)

static char *region;
static long *obj;		/* a "heap object" in the region */

static void no_report(uintptr_t a, size_t n, bool w, uintptr_t pc, uint8_t code,
		      const struct sim_site *site)
{
	ck_abort_msg("unexpected shadow report");
}

static void setup(void)
{
	if (!region) {
		region = sim_shadow_reserve(REGION, no_report);
		ck_assert_ptr_nonnull(region);
	}
	obj = (long *)(region + 4096);
	sim_shadow_unpoison(obj, 64);
	memset(obj, 0, 64);
}

/* The accesses, each in its own function (the report names them). */
static __attribute__((noinline)) void store_a(long *p, long v)
{
	sim_race_access(p, sizeof(*p), true, (uintptr_t)store_a + 1);
	*p = v;
}

static __attribute__((noinline)) void store_b(long *p, long v)
{
	sim_race_access(p, sizeof(*p), true, (uintptr_t)store_b + 1);
	*p = v;
}

static __attribute__((noinline)) long load_c(long *p)
{
	sim_race_access(p, sizeof(*p), false, (uintptr_t)load_c + 1);
	return *p;
}

static __attribute__((noinline)) void marked_store(long *p, long v)
{
	sim_race_marked++;
	sim_race_access(p, sizeof(*p), true, (uintptr_t)marked_store + 1);
	*p = v;
	sim_race_marked--;
}

/* Two threads, then the join. */
static void spawn_join2(const char *na, sim_fn a, const char *nb, sim_fn b)
{
	sim_thread_spawn(na, a, NULL);
	sim_thread_spawn(nb, b, NULL);
	sim_thread_join_all(SIM_SITE);
}

/* Run fn once per seed 1..n with the detector on (off when races is
 * false); returns how many executions had a data-race finding, and the
 * first one's report (caller frees) in *rep if rep. */
static int run_races(sim_fn fn, int n, bool races, char **rep)
{
	int found = 0;

	if (rep)
		*rep = NULL;
	for (int i = 0; i < n; i++) {
		struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, (uint64_t)i + 1);
		struct sim_result r;
		int k = 0;

		o.races = races;
		setup();
		ck_assert_int_eq(sim_run(&o, fn, NULL, NULL, &r), 0);
		for (int j = 0; j < sim_findings_count(); j++)
			if (sim_finding_get(j)->kind == SIM_F_DATA_RACE)
				k++;
		/* nothing else goes wrong in these programs */
		ck_assert_int_eq(k, sim_findings_count());
		/* one report per signature per execution */
		ck_assert_int_le(k, 1);
		if (k) {
			found++;
			if (rep && !*rep)
				*rep = strdup(sim_finding_get(0)->report);
		}
	}
	return found;
}

/* ------------------------------------------------------------ true races */

static struct sim_mutex m;
static struct sim_lock_class_key mkey;

static void ww_a(void *arg)
{
	for (int i = 0; i < 10; i++)
		store_a(obj, i);
}

static void ww_b(void *arg)
{
	for (int i = 0; i < 10; i++)
		store_b(obj, 100 + i);
}

static void ww_main(void *arg)
{
	spawn_join2("alpha", ww_a, "beta", ww_b);
}

START_TEST(test_write_write_race)
{
	char *rep;
	const struct sim_finding *f;

	ck_assert_int_eq(run_races(ww_main, 5, true, &rep), 5);
	ck_assert_ptr_nonnull(rep);
	ck_assert_msg(strstr(rep, "BUG: KCSAN: data-race in store_a / store_b\n"), "%s", rep);
	ck_assert_msg(strstr(rep, "write to slab+0x1000 of 8 bytes by task T"), "%s", rep);
	ck_assert_msg(strstr(rep, "(alpha):\n store_a (check_sim_race.c:"), "%s", rep);
	ck_assert_msg(strstr(rep, "(beta):\n store_b (check_sim_race.c:"), "%s", rep);
	ck_assert_msg(strstr(rep, "no locks held"), "%s", rep);
	free(rep);
	/* the last run's finding: its signature names both functions, sorted */
	f = tu_find(SIM_F_DATA_RACE);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->signature, "race:store_a,store_b");
	ck_assert_str_eq(sim_finding_kind_name(SIM_F_DATA_RACE), "data-race");
}
END_TEST

START_TEST(test_off_by_default)
{
	struct sim_opts o;

	unsetenv("APSIM_RACES");
	sim_opts_default(&o);
	ck_assert(!o.races);
	setenv("APSIM_RACES", "1", 1);
	sim_opts_default(&o);
	ck_assert(o.races);
	unsetenv("APSIM_RACES");
	ck_assert_int_eq(run_races(ww_main, 3, false, NULL), 0);
}
END_TEST

/* One side under a lock, the other not: a read/write race that names the
 * lock the writer held. */
static void rw_locked_writer(void *arg)
{
	sim_mutex_lock(&m, 0, SIM_SITE);
	store_a(obj + 1, 7);
	sim_mutex_unlock(&m, SIM_SITE);
}

static void rw_bare_reader(void *arg)
{
	(void)load_c(obj + 1);
}

static void rw_main(void *arg)
{
	sim_mutex_init(&m, "race_lock", &mkey, SIM_SITE);
	spawn_join2("writer", rw_locked_writer, "reader", rw_bare_reader);
}

START_TEST(test_read_write_race_names_locks)
{
	char *rep;

	ck_assert_int_eq(run_races(rw_main, 6, true, &rep), 6);
	ck_assert_msg(strstr(rep, "data-race in load_c / store_a"), "%s", rep);
	ck_assert_msg(strstr(rep, "read to slab+0x1008 of 8 bytes"), "%s", rep);
	ck_assert_msg(strstr(rep, "1 lock held: race_lock"), "%s", rep);
	ck_assert_msg(strstr(rep, "no locks held"), "%s", rep);
	free(rep);
}
END_TEST

/* ------------------------------------------------------------ happens-before */

static void mutex_side_a(void *arg)
{
	sim_mutex_lock(&m, 0, SIM_SITE);
	store_a(obj, 1);
	(void)load_c(obj);
	sim_mutex_unlock(&m, SIM_SITE);
}

static void mutex_side_b(void *arg)
{
	sim_mutex_lock(&m, 0, SIM_SITE);
	store_b(obj, 2);
	sim_mutex_unlock(&m, SIM_SITE);
}

static void mutex_main(void *arg)
{
	sim_mutex_init(&m, "m", &mkey, SIM_SITE);
	sim_thread_spawn("a", mutex_side_a, NULL);
	spawn_join2("b", mutex_side_b, "c", mutex_side_a);
}

START_TEST(test_hb_mutex)
{
	ck_assert_int_eq(run_races(mutex_main, 30, true, NULL), 0);
}
END_TEST

/* A world with more sync objects than a fixed table held (4,096: the
 * 65,536-queue worlds have a work item and locks per queue): the mutex's
 * clock, made after them, still orders the two sides. */
static char many[6000];

static void many_main(void *arg)
{
	for (size_t i = 0; i < sizeof(many); i++)
		sim_race_sync(&many[i]);
	mutex_main(arg);
}

START_TEST(test_hb_after_many_sync_objects)
{
	ck_assert_int_eq(run_races(many_main, 10, true, NULL), 0);
}
END_TEST

static struct sim_rwsem rw;
static struct sim_lock_class_key rwkey;

static void rwsem_writer(void *arg)
{
	sim_rwsem_down_write(&rw, 0, SIM_SITE);
	store_a(obj, 1);
	sim_rwsem_up_write(&rw, SIM_SITE);
}

static void rwsem_reader(void *arg)
{
	sim_rwsem_down_read(&rw, 0, SIM_SITE);
	(void)load_c(obj);
	sim_rwsem_up_read(&rw, SIM_SITE);
}

static void rwsem_downgrader(void *arg)
{
	sim_rwsem_down_write(&rw, 0, SIM_SITE);
	store_b(obj, 2);
	sim_rwsem_downgrade_write(&rw, SIM_SITE);
	(void)load_c(obj);
	sim_rwsem_up_read(&rw, SIM_SITE);
}

static void rwsem_main(void *arg)
{
	sim_rwsem_init(&rw, "rw", &rwkey, SIM_SITE);
	sim_thread_spawn("w", rwsem_writer, NULL);
	sim_thread_spawn("r1", rwsem_reader, NULL);
	spawn_join2("r2", rwsem_reader, "d", rwsem_downgrader);
}

START_TEST(test_hb_rwsem)
{
	ck_assert_int_eq(run_races(rwsem_main, 30, true, NULL), 0);
}
END_TEST

/* Readers do not order each other: writing under down_read races. */
static void rwsem_bad_a(void *arg)
{
	sim_rwsem_down_read(&rw, 0, SIM_SITE);
	store_a(obj, 1);
	sim_rwsem_up_read(&rw, SIM_SITE);
}

static void rwsem_bad_b(void *arg)
{
	sim_rwsem_down_read(&rw, 0, SIM_SITE);
	store_b(obj, 2);
	sim_rwsem_up_read(&rw, SIM_SITE);
}

static void rwsem_bad_main(void *arg)
{
	sim_rwsem_init(&rw, "rw", &rwkey, SIM_SITE);
	spawn_join2("a", rwsem_bad_a, "b", rwsem_bad_b);
}

START_TEST(test_rwsem_readers_do_not_order)
{
	char *rep;

	ck_assert_int_eq(run_races(rwsem_bad_main, 10, true, &rep), 10);
	ck_assert_msg(strstr(rep, "1 lock held: rw"), "%s", rep);
	free(rep);
}
END_TEST

static struct sim_spinlock sl;
static struct sim_lock_class_key slkey;

static void spin_side_a(void *arg)
{
	sim_spin_lock(&sl, SIM_SITE);
	store_a(obj, 1);
	sim_spin_unlock(&sl, SIM_SITE);
}

static void spin_side_b(void *arg)
{
	if (sim_spin_trylock(&sl, SIM_SITE)) {
		store_b(obj, 2);
		sim_spin_unlock(&sl, SIM_SITE);
	}
	sim_spin_lock(&sl, SIM_SITE);
	(void)load_c(obj);
	sim_spin_unlock(&sl, SIM_SITE);
}

static void spin_main(void *arg)
{
	sim_spin_init(&sl, "sl", &slkey, SIM_SITE);
	spawn_join2("a", spin_side_a, "b", spin_side_b);
}

START_TEST(test_hb_spinlock)
{
	ck_assert_int_eq(run_races(spin_main, 30, true, NULL), 0);
}
END_TEST

static struct sim_completion done;

static void comp_producer(void *arg)
{
	store_a(obj, 1);
	sim_complete(&done, SIM_SITE);
}

static void comp_consumer(void *arg)
{
	sim_completion_wait(&done, SIM_SITE);
	(void)load_c(obj);
	store_b(obj, 2);
}

static void comp_main(void *arg)
{
	sim_completion_init(&done);
	spawn_join2("consumer", comp_consumer, "producer", comp_producer);
}

START_TEST(test_hb_completion)
{
	ck_assert_int_eq(run_races(comp_main, 30, true, NULL), 0);
}
END_TEST

/* A wake-up orders the waker before the wait it ends.  The flag is the
 * test's own (not in the region); the consumer touches the object only
 * when it really blocked (without blocking there is no edge: a race). */
static struct sim_waitq wq = { .name = "wq" };
static volatile int flag, blocked_runs;

static void wq_waker(void *arg)
{
	store_a(obj, 1);
	flag = 1;
	sim_waitq_wake_all(&wq);
}

static void wq_waiter(void *arg)
{
	bool blocked = false;

	while (!flag) {
		ck_assert_int_eq(sim_waitq_block(&wq, 0, SIM_SITE), 0);
		blocked = true;
	}
	if (blocked) {
		blocked_runs++;
		store_b(obj, 2);
	}
}

static void wq_main(void *arg)
{
	flag = 0;
	wq.waiters = 0;
	spawn_join2("waiter", wq_waiter, "waker", wq_waker);
}

START_TEST(test_hb_waitq)
{
	blocked_runs = 0;
	ck_assert_int_eq(run_races(wq_main, 30, true, NULL), 0);
	ck_assert_int_gt(blocked_runs, 0);
}
END_TEST

static void child(void *arg)
{
	(void)load_c(obj);
	store_b(obj, 2);
}

static void spawn_join_main(void *arg)
{
	store_a(obj, 1);             /* before the spawn */
	sim_thread_spawn("child", child, NULL);
	sim_thread_join_all(SIM_SITE);
	store_a(obj, 3);             /* after the join */
	(void)load_c(obj);
	sim_thread_spawn("child2", child, NULL);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(test_hb_spawn_join)
{
	ck_assert_int_eq(run_races(spawn_join_main, 20, true, NULL), 0);
}
END_TEST

/* Slots of exited threads are reused once the table is full (sim/sched.c).
 * A race with the slot's earlier thread names that thread; and a new thread
 * takes a slot whose thread's exit is ordered before its spawner, so a race
 * with a thread that exited unordered is still found. */
static int nexited;
static int reuse_tid[2];

static void reuse_writer(void *arg)
{
	store_a(obj, 1);
	nexited++;
}

static void reuse_filler(void *arg)
{
	nexited++;
}

static bool reuse_read;

static void reuse_reader(void *arg)
{
	reuse_tid[(intptr_t)arg] = sim_tid();
	load_c(obj);
	reuse_read = true;
}

static void reuse_late(void *arg)
{
	while (!reuse_read)	/* live until the reader took another slot */
		sim_yield(SIM_SITE);
}

static void reuse_fill(const char *name, sim_fn first)
{
	nexited = 0;
	sim_thread_spawn(name, first, NULL);
	for (int i = 2; i < SIM_MAX_THREADS; i++)
		sim_thread_spawn("filler", reuse_filler, NULL);
	while (nexited < SIM_MAX_THREADS - 1)
		sim_yield(SIM_SITE);
}

static void reuse_names_main(void *arg)
{
	reuse_fill("writer", reuse_writer);	/* no join: no exit is ordered */
	reuse_read = false;
	sim_thread_spawn("late", reuse_late, NULL);		/* slot 1 */
	sim_thread_spawn("reader", reuse_reader, (void *)0);	/* slot 2 */
	sim_thread_join_all(SIM_SITE);
}

START_TEST(test_reused_slot_names_its_thread)
{
	char *rep;

	ck_assert_int_eq(run_races(reuse_names_main, 3, true, &rep), 3);
	ck_assert_int_eq(reuse_tid[0], 2);
	ck_assert_ptr_nonnull(rep);
	/* the write was T1's first thread's, not "late"'s, which took T1 */
	ck_assert_msg(strstr(rep, "write to slab+0x1000 of 8 bytes by task T1 (writer):\n store_a"),
		      "%s", rep);
	ck_assert_msg(strstr(rep, "by task T2 (reader):\n load_c"), "%s", rep);
	free(rep);
}
END_TEST

static void reuse_ordered_main(void *arg)
{
	reuse_fill("first", reuse_filler);
	sim_thread_join_all(SIM_SITE);	/* every exit is ordered before main */
	nexited = 0;
	sim_thread_spawn("writer", reuse_writer, NULL);		/* slot 1 again */
	while (!nexited)
		sim_yield(SIM_SITE);
	/* slot 1's exit is not ordered before main: the reader takes slot 2,
	 * and its read races with the write */
	sim_thread_spawn("reader", reuse_reader, (void *)1);
	sim_thread_join_all(SIM_SITE);
}

START_TEST(test_reused_slot_keeps_races)
{
	char *rep;

	ck_assert_int_eq(run_races(reuse_ordered_main, 3, true, &rep), 3);
	ck_assert_int_eq(reuse_tid[1], 2);
	ck_assert_msg(strstr(rep, "by task T1 (writer):\n store_a"), "%s", rep);
	free(rep);
}
END_TEST

/* A fully ordered atomic (sim_race_sync: value-returning atomics,
 * test_and_set_bit) orders what came before it in one thread before what
 * follows it in another. */
static long token;

static void atomic_a(void *arg)
{
	store_a(obj, 1);
	sim_race_sync(&token);
	token = 1;
}

static void atomic_b(void *arg)
{
	while (!token)
		sim_yield(SIM_SITE);
	sim_race_sync(&token);
	store_b(obj, 2);
}

static void atomic_main(void *arg)
{
	token = 0;
	spawn_join2("a", atomic_a, "b", atomic_b);
}

START_TEST(test_hb_atomic)
{
	ck_assert_int_eq(run_races(atomic_main, 20, true, NULL), 0);
}
END_TEST

/* Two threads writing different bytes of one granule do not race. */
static __attribute__((noinline)) void store_byte(char *p, char v)
{
	sim_race_access(p, 1, true, (uintptr_t)store_byte + 1);
	*p = v;
}

static void byte_0(void *arg)
{
	store_byte((char *)(obj + 3), 1);
}

static void byte_1(void *arg)
{
	store_byte((char *)(obj + 3) + 1, 2);
	store_byte((char *)(obj + 3) + 2, 3);
}

static void bytes_main(void *arg)
{
	spawn_join2("a", byte_0, "b", byte_1);
}

START_TEST(test_neighbour_bytes)
{
	ck_assert_int_eq(run_races(bytes_main, 20, true, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ marked */

static void marked_a(void *arg)
{
	for (int i = 0; i < 5; i++)
		marked_store(obj + 2, i);
}

static void marked_main(void *arg)
{
	spawn_join2("a", marked_a, "b", marked_a);
}

START_TEST(test_marked_not_reported)
{
	ck_assert_int_eq(run_races(marked_main, 20, true, NULL), 0);
	ck_assert_int_eq(sim_race_marked, 0);
}
END_TEST

/* A plain access racing with a marked one is reported (KCSAN's rule). */
static void plain_b(void *arg)
{
	store_b(obj + 2, 9);
}

static void mixed_main(void *arg)
{
	spawn_join2("a", marked_a, "b", plain_b);
}

START_TEST(test_plain_vs_marked_reported)
{
	char *rep;

	ck_assert_int_eq(run_races(mixed_main, 10, true, &rep), 10);
	ck_assert_msg(strstr(rep, "data-race in marked_store / store_b"), "%s", rep);
	ck_assert_msg(strstr(rep, "write (marked) to slab+0x1010 of 8 bytes"), "%s", rep);
	free(rep);
}
END_TEST

/* Two concurrent readers, then a writer that follows only one of them. */
static struct sim_completion c1;

static void reader_1(void *arg)
{
	(void)load_c(obj);
	sim_complete(&c1, SIM_SITE);
}

static void reader_2(void *arg)
{
	(void)load_c(obj);
}

static void late_writer(void *arg)
{
	sim_completion_wait(&c1, SIM_SITE);
	store_a(obj, 5);
}

static void shared_read_main(void *arg)
{
	sim_completion_init(&c1);
	sim_thread_spawn("r1", reader_1, NULL);
	spawn_join2("r2", reader_2, "w", late_writer);
}

START_TEST(test_shared_reads)
{
	char *rep;

	/* the writer is ordered after r1 but never after r2: whatever the
	 * order of the two reads, the write races with r2's read (when it
	 * comes after the write, it is a read/write race) */
	ck_assert_int_eq(run_races(shared_read_main, 20, true, &rep), 20);
	ck_assert_msg(strstr(rep, "data-race in load_c / store_a"), "%s", rep);
	free(rep);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim_race");
	TCase *tc = tcase_create("race");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_write_write_race);
	tcase_add_test(tc, test_off_by_default);
	tcase_add_test(tc, test_read_write_race_names_locks);
	tcase_add_test(tc, test_hb_mutex);
	tcase_add_test(tc, test_hb_after_many_sync_objects);
	tcase_add_test(tc, test_hb_rwsem);
	tcase_add_test(tc, test_rwsem_readers_do_not_order);
	tcase_add_test(tc, test_hb_spinlock);
	tcase_add_test(tc, test_hb_completion);
	tcase_add_test(tc, test_hb_waitq);
	tcase_add_test(tc, test_hb_spawn_join);
	tcase_add_test(tc, test_hb_atomic);
	tcase_add_test(tc, test_reused_slot_names_its_thread);
	tcase_add_test(tc, test_reused_slot_keeps_races);
	tcase_add_test(tc, test_neighbour_bytes);
	tcase_add_test(tc, test_marked_not_reported);
	tcase_add_test(tc, test_plain_vs_marked_reported);
	tcase_add_test(tc, test_shared_reads);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
