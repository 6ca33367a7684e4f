/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_lockdep.c - unit tests of the lock validator.
 *
 * Owns: the Check suite for sim/lockdep.c and sim/lockdep_report.c.
 * Simulated threads run through sim_run; most cases run threads one
 * after the other (spawn + join) so no real deadlock happens and the
 * validator alone must predict it, as lockdep does.  The locks are bare
 * sim_lockdep_map objects annotated directly (the validator's contract),
 * plus one case through sim_mutex for the integration.
 */
#include <apsim/sim.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/lockdep.h"
#include "check_util.h"

#define S SIM_SITE

static struct sim_lock_class_key key_a, key_b, key_c, key_m, key_s, key_inst;
static struct sim_lockdep_map A, B, C, M, RW, I1, I2;

static void init_maps(void)
{
	sim_lockdep_init_map(&A, "&lock_a", &key_a, S);
	sim_lockdep_init_map(&B, "&lock_b", &key_b, S);
	sim_lockdep_init_map(&C, "&lock_c", &key_c, S);
	sim_lockdep_init_map(&M, "&mutex_m", &key_m, S);
	sim_lockdep_init_map(&RW, "&rwsem_s", &key_s, S);
	/* two instances of one class (same init site / key) */
	sim_lockdep_init_map(&I1, "&inst->lock", &key_inst, S);
	sim_lockdep_init_map(&I2, "&inst->lock", &key_inst, S);
}

static void lock(struct sim_lockdep_map *m, const struct sim_site *site)
{
	sim_lockdep_acquire(m, 0, SIM_LOCK_EXCL, false, site);
}

static void unlock(struct sim_lockdep_map *m)
{
	sim_lockdep_release(m, S);
}

/* Run the given thread functions one after the other. */
static sim_fn seq_fns[8];
static int seq_n;

static void seq_main(void *arg)
{
	static const char *names[] = { "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8" };

	for (int i = 0; i < seq_n; i++) {
		sim_thread_spawn(names[i], seq_fns[i], arg);
		sim_thread_join_all(S);
	}
}

static struct sim_result run_opts(const struct sim_opts *o, int n, ...)
{
	struct sim_result res;
	va_list ap;

	va_start(ap, n);
	seq_n = n;
	for (int i = 0; i < n; i++)
		seq_fns[i] = va_arg(ap, sim_fn);
	va_end(ap);
	memset(&res, 0, sizeof(res));
	ck_assert_int_eq(sim_run(o, seq_main, NULL, NULL, &res), 0);
	return res;
}

#define run_seq(...)                                                  \
	({                                                            \
		struct sim_opts _o;                                   \
		sim_opts_default(&_o);                                \
		_o.strategy = SIM_STRAT_RR;                           \
		_o.seed = 1;                                          \
		run_opts(&_o, __VA_ARGS__);                           \
	})

static int count_kind(enum sim_finding_kind k)
{
	int n = 0;

	for (int i = 0; i < sim_findings_count(); i++)
		if (sim_finding_get(i)->kind == k)
			n++;
	return n;
}

static const struct sim_finding *first_kind(enum sim_finding_kind k)
{
	for (int i = 0; i < sim_findings_count(); i++)
		if (sim_finding_get(i)->kind == k)
			return sim_finding_get(i);
	return NULL;
}

#define assert_has(text, needle)                                              \
	ck_assert_msg(strstr((text), (needle)) != NULL,                       \
		      "missing \"%s\" in report:\n%s", (needle), (text))

static char *dot_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sim_lockdep_dot(f);
	fclose(f);
	return buf;
}

/* ------------------------------------------------------------------ ABBA */

static void t_ab(void *arg)
{
	sim_op_push("assign_adapter m0 5");
	lock(&A, S);
	lock(&B, S);
	unlock(&B);
	unlock(&A);
	sim_op_pop();
}

static void t_ba(void *arg)
{
	sim_op_push("apmask 0xff");
	lock(&B, S);
	lock(&A, S);
	unlock(&A);
	unlock(&B);
	sim_op_pop();
}

START_TEST(abba_reported_without_deadlock)
{
	init_maps();
	struct sim_result r = run_seq(2, t_ab, t_ba);

	ck_assert(!r.deadlock);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	ck_assert_int_eq(sim_findings_count(), 1);
	const struct sim_finding *f = first_kind(SIM_F_LOCK_CYCLE);

	ck_assert_str_eq(f->signature, "lock-cycle:&lock_a,&lock_b");
	const char *t = f->report;
	assert_has(t, "======================================================\n"
		      "WARNING: possible circular locking dependency detected\n");
	assert_has(t, "t2/");
	assert_has(t, " is trying to acquire lock:\n(&lock_a) at: t_ba (check_sim_lockdep.c:");
	assert_has(t, "\nbut task is already holding lock:\n(&lock_b) at: t_ba");
	assert_has(t, "which lock already depends on the new lock.");
	assert_has(t, "the existing dependency chain (in reverse order) is:");
	assert_has(t, "\n-> #1 (&lock_b):\n       t_ab (check_sim_lockdep.c:");
	assert_has(t, "op: assign_adapter m0 5");
	assert_has(t, "by: t1/");
	assert_has(t, "\n-> #0 (&lock_a):\n       t_ba (check_sim_lockdep.c:");
	assert_has(t, "other info that might help us debug this:");
	assert_has(t, " Possible unsafe locking scenario:\n\n"
		      "       CPU0                    CPU1\n"
		      "       ----                    ----\n"
		      "  lock(&lock_b);\n"
		      "                               lock(&lock_a);\n"
		      "                               lock(&lock_b);\n"
		      "  lock(&lock_a);\n\n"
		      " *** DEADLOCK ***\n");
	assert_has(t, "1 lock held by t2/");
	assert_has(t, " #0: &lock_b at: t_ba (check_sim_lockdep.c:");
	assert_has(t, "[op: apmask 0xff]");
	ck_assert(strstr(t, "Chain exists of:") == NULL);

}
END_TEST

/* Labels made when read (sim_op_push_fn): the ABBA report shows them as
 * sim_op_push's, each made once at most, and an op whose label nothing
 * reads is never formatted. */
static int lazy_calls[3];
static const char *const lazy_text[3] = {
	"assign_adapter m0 5", "apmask 0xff",
	"a label longer than the sixty-three characters an op stack keeps, cut",
};

static void lazy_fmt(const void *arg, char *buf, size_t len)
{
	int i = (int)(intptr_t)arg;

	lazy_calls[i]++;
	snprintf(buf, len, "%s", lazy_text[i]);
}

/* x then y, released in reverse (the lazy ABBA's threads) */
static void nest(struct sim_lockdep_map *x, struct sim_lockdep_map *y)
{
	lock(x, S);
	lock(y, S);
	unlock(y);
	unlock(x);
}

static void t_ab_lazy(void *arg)
{
	sim_op_push_fn(lazy_fmt, (const void *)(intptr_t)2);	/* nothing reads it */
	sim_op_pop();
	sim_op_push_fn(lazy_fmt, (const void *)(intptr_t)0);
	nest(&A, &B);
	sim_op_pop();
}

static void t_ba_lazy(void *arg)
{
	sim_op_push_fn(lazy_fmt, (const void *)(intptr_t)1);
	nest(&B, &A);
	sim_op_pop();
}

static void t_long_lazy(void *arg)
{
	sim_op_push_fn(lazy_fmt, (const void *)(intptr_t)2);
	for (int k = 0; k < 2; k++) {	/* made once, then kept */
		ck_assert_int_eq(strlen(sim_op_label(sim_tid())), 63);
		ck_assert(!strncmp(sim_op_label(sim_tid()), lazy_text[2], 63));
	}
	sim_op_pop();
}

START_TEST(lazy_op_labels)
{
	init_maps();
	memset(lazy_calls, 0, sizeof(lazy_calls));
	struct sim_result r = run_seq(2, t_ab_lazy, t_ba_lazy);

	ck_assert(!r.deadlock);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	const char *t = first_kind(SIM_F_LOCK_CYCLE)->report;

	assert_has(t, "op: assign_adapter m0 5");
	assert_has(t, "[op: apmask 0xff]");
	/* t_ab's label: by its new dependency A -> B; t_ba's: by the report
	 * (its B -> A closes the cycle, and the held list prints it) */
	ck_assert_int_eq(lazy_calls[0], 1);
	ck_assert_int_eq(lazy_calls[1], 1);
	ck_assert_int_eq(lazy_calls[2], 0);
	run_seq(1, t_long_lazy);
	ck_assert_int_eq(lazy_calls[2], 1);
}
END_TEST

/* The same inversion twice in one execution: reported once. */
START_TEST(cycle_reported_once_per_execution)
{
	init_maps();
	run_seq(4, t_ab, t_ba, t_ab, t_ba);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
}
END_TEST

/* ------------------------------------------------------- 3-lock cycle */

/* The chain's entries carry the stack that created each dependency, and
 * #0 the stack of the acquisition being tried (lockdep's saved traces). */
static __attribute__((noinline)) void nest_ab(void)
{
	lock(&A, S);
	lock(&B, S);
	unlock(&B);
	unlock(&A);
	__asm__ volatile("");	/* not a tail call */
}

static __attribute__((noinline)) void nest_outer_ab(void *arg)
{
	nest_ab();
	__asm__ volatile("");
}

static __attribute__((noinline)) void nest_ba(void)
{
	lock(&B, S);
	lock(&A, S);
	unlock(&A);
	unlock(&B);
	__asm__ volatile("");
}

static __attribute__((noinline)) void nest_outer_ba(void *arg)
{
	nest_ba();
	__asm__ volatile("");
}

START_TEST(cycle_entries_carry_stacks)
{
	init_maps();
	struct sim_result r = run_seq(2, nest_outer_ab, nest_outer_ba);

	ck_assert(!r.deadlock);
	const struct sim_finding *f = first_kind(SIM_F_LOCK_CYCLE);

	ck_assert_ptr_nonnull(f);
	const char *t = f->report;
	const char *e1 = strstr(t, "\n-> #1 (&lock_b):\n       nest_ab (check_sim_lockdep.c:");
	const char *e0 = strstr(t, "\n-> #0 (&lock_a):\n       nest_ba (check_sim_lockdep.c:");

	ck_assert_msg(e1 && e0 && e1 < e0, "%s", t);
	/* each entry: the site, then its callers, then what was held */
	const char *c1 = strstr(e1, "\n       nest_outer_ab (check_sim_lockdep.c:");
	const char *h1 = strstr(e1, "\n       holding (&lock_a) taken at: nest_ab");
	const char *c0 = strstr(e0, "\n       nest_outer_ba (check_sim_lockdep.c:");
	const char *h0 = strstr(e0, "\n       holding (&lock_b) taken at: nest_ba");

	ck_assert_msg(c1 && h1 && c1 < h1 && h1 < e0, "%s", t);
	ck_assert_msg(c0 && h0 && c0 < h0, "%s", t);
	/* the validator's own frames and the scheduler's are left out */
	ck_assert_msg(!strstr(t, " (lockdep.c:") && !strstr(t, " (sched.c:") &&
		      !strstr(t, "sim_lockdep_acquire"), "%s", t);
}
END_TEST

static void t_bc(void *arg) { lock(&B, S); lock(&C, S); unlock(&C); unlock(&B); }
static void t_ca(void *arg) { lock(&C, S); lock(&A, S); unlock(&A); unlock(&C); }

START_TEST(three_lock_cycle)
{
	init_maps();
	run_seq(3, t_ab, t_bc, t_ca);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	const struct sim_finding *f = first_kind(SIM_F_LOCK_CYCLE);

	ck_assert_str_eq(f->signature, "lock-cycle:&lock_a,&lock_b,&lock_c");
	/* t3 holds C and wants A; A -> B -> C exists. */
	assert_has(f->report, "-> #2 (&lock_c):");
	assert_has(f->report, "-> #1 (&lock_b):");
	assert_has(f->report, "-> #0 (&lock_a):");
	assert_has(f->report, "Chain exists of:\n  &lock_a --> &lock_b --> &lock_c\n");
	assert_has(f->report, "  lock(&lock_c);\n"
			      "                               lock(&lock_b);\n"
			      "                               lock(&lock_c);\n"
			      "  lock(&lock_a);\n");
}
END_TEST

/* A different thread order closes the same cycle: same signature. */
START_TEST(cycle_signature_stable)
{
	init_maps();
	run_seq(3, t_bc, t_ca, t_ab);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	ck_assert_str_eq(first_kind(SIM_F_LOCK_CYCLE)->signature,
			 "lock-cycle:&lock_a,&lock_b,&lock_c");
}
END_TEST

/* --------------------------------------------- instances vs classes */

static void t_inst_nested(void *arg)
{
	lock(&I1, S);
	lock(&I2, S);
	unlock(&I2);
	unlock(&I1);
}

static void t_inst_subclass(void *arg)
{
	lock(&I1, S);
	sim_lockdep_acquire(&I2, 1, SIM_LOCK_EXCL, false, S);
	unlock(&I2);
	unlock(&I1);
}

/* lockdep_set_novalidate_class (dev->mutex): nesting two instances is no
 * recursion, an order through it is no cycle, it is still held (assertions)
 * and edges pass below it: holding A, NV, taking B adds A -> B. */
static void t_nv_nested(void *arg)
{
	lock(&I1, S);
	lock(&I2, S);
	ck_assert(sim_lockdep_is_held(&I1, -1));
	ck_assert(sim_lockdep_is_held(&I2, -1));
	unlock(&I2);
	unlock(&I1);
}

static void t_nv_a_i_b(void *arg)
{
	lock(&A, S);
	lock(&I1, S);
	lock(&B, S);
	unlock(&B);
	unlock(&I1);
	unlock(&A);
}

static void t_nv_b_i(void *arg)
{
	lock(&B, S);
	lock(&I1, S);
	unlock(&I1);
	unlock(&B);
}

static void t_nv_i_b(void *arg)
{
	lock(&I1, S);
	lock(&B, S);
	unlock(&B);
	unlock(&I1);
}

static void t_ba_plain(void *arg)
{
	lock(&B, S);
	lock(&A, S);
	unlock(&A);
	unlock(&B);
}

START_TEST(novalidate_class)
{
	init_maps();
	sim_lockdep_set_novalidate(&I1);
	sim_lockdep_set_novalidate(&I2);
	run_seq(1, t_nv_nested);
	ck_assert_int_eq(sim_findings_count(), 0);
	run_seq(2, t_nv_b_i, t_nv_i_b);
	ck_assert_int_eq(sim_findings_count(), 0);
	run_seq(2, t_nv_a_i_b, t_ba_plain);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	ck_assert_str_eq(first_kind(SIM_F_LOCK_CYCLE)->signature, "lock-cycle:&lock_a,&lock_b");
}
END_TEST

START_TEST(same_class_recursive)
{
	init_maps();
	run_seq(1, t_inst_nested);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_RECURSIVE), 1);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 0);
	const struct sim_finding *f = first_kind(SIM_F_LOCK_RECURSIVE);

	ck_assert_str_eq(f->signature, "lock-recursive:&inst->lock");
	assert_has(f->report, "============================================\n"
			      "WARNING: possible recursive locking detected\n");
	assert_has(f->report, "is trying to acquire lock:\n(&inst->lock) at: t_inst_nested");
	assert_has(f->report, "but task is already holding lock:\n(&inst->lock) at:");
	assert_has(f->report, "       CPU0\n       ----\n  lock(&inst->lock);\n"
			      "  lock(&inst->lock);\n\n *** DEADLOCK ***\n");
	assert_has(f->report, " May be due to missing lock nesting notation");
	/* lockdep's dump_stack(): the thread's stack, without the validator */
	assert_has(f->report, "\nstack backtrace:\n");
	assert_has(f->report, " t_inst_nested (check_sim_lockdep.c:");
	ck_assert_msg(!strstr(f->report, " (lockdep.c:"), "%s", f->report);
	ck_assert_int_eq(sim__lockdep_nclasses(), 1);
}
END_TEST

START_TEST(subclass_is_separate_class)
{
	init_maps();
	run_seq(1, t_inst_subclass);
	ck_assert_int_eq(sim_findings_count(), 0);
	ck_assert_int_eq(sim__lockdep_nclasses(), 2);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&inst->lock", "&inst->lock/1"), LD_DEP_EN);
}
END_TEST

/* Two keys with one name get lockdep's "#2" name version. */
static struct sim_lock_class_key key_dup1, key_dup2;
static struct sim_lockdep_map D1, D2, U1;
static void t_dup(void *arg)
{
	lock(&D1, S);
	lock(&D2, S);
	lock(&U1, S);
	unlock(&U1);
	unlock(&D2);
	unlock(&D1);
}

START_TEST(name_versions_and_unkeyed)
{
	sim_lockdep_init_map(&D1, "&dev->lock", &key_dup1, S);
	sim_lockdep_init_map(&D2, "&dev->lock", &key_dup2, S);
	sim_lockdep_init_map(&U1, "static_lock", NULL, S);
	run_seq(1, t_dup);
	ck_assert_int_eq(sim_findings_count(), 0);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&dev->lock", "&dev->lock#2"), LD_DEP_EN);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&dev->lock#2", "static_lock"), LD_DEP_EN);
}
END_TEST

/* ------------------------------------------------------------ trylock */

static void t_a_tryb(void *arg)
{
	lock(&A, S);
	sim_lockdep_acquire(&B, 0, SIM_LOCK_EXCL, true, S);
	unlock(&B);
	unlock(&A);
}

START_TEST(trylock_adds_no_edge)
{
	init_maps();
	run_seq(2, t_a_tryb, t_ba);
	/* lockdep: the trylock of B under A records no A -> B dependency, so
	 * B -> A later is no inversion (a trylock cannot deadlock). */
	ck_assert_int_eq(sim_findings_count(), 0);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&lock_a", "&lock_b"), 0);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&lock_b", "&lock_a"), LD_DEP_EN);
}
END_TEST

static void t_tryb_a(void *arg)
{
	sim_lockdep_acquire(&B, 0, SIM_LOCK_EXCL, true, S);
	lock(&A, S);
	unlock(&A);
	unlock(&B);
}

START_TEST(trylock_held_is_edge_source)
{
	init_maps();
	/* B held by trylock, then A blocking: B -> A recorded.  Then A -> B
	 * closes the cycle: lockdep reports it. */
	run_seq(2, t_tryb_a, t_ab);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&lock_b", "&lock_a"), LD_DEP_EN);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	ck_assert_str_eq(first_kind(SIM_F_LOCK_CYCLE)->signature,
			 "lock-cycle:&lock_a,&lock_b");
}
END_TEST

static void t_a_tryb_c(void *arg)
{
	lock(&A, S);
	sim_lockdep_acquire(&B, 0, SIM_LOCK_EXCL, true, S);
	lock(&C, S);
	unlock(&C);
	unlock(&B);
	unlock(&A);
}

START_TEST(trylock_consecutive_sources)
{
	init_maps();
	run_seq(1, t_a_tryb_c);
	/* consecutive trylocks on top plus the last non-trylock entry */
	ck_assert_uint_eq(sim__lockdep_edge_dep("&lock_b", "&lock_c"), LD_DEP_EN);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&lock_a", "&lock_c"), LD_DEP_EN);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&lock_a", "&lock_b"), 0);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

/* A trylock of a class already held is no recursion report. */
static void t_a_trya(void *arg)
{
	lock(&I1, S);
	sim_lockdep_acquire(&I2, 0, SIM_LOCK_EXCL, true, S);
	unlock(&I2);
	unlock(&I1);
}

START_TEST(trylock_same_class_not_recursive)
{
	init_maps();
	run_seq(1, t_a_trya);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

/* -------------------------------------------------------------- rwsem */

static enum sim_lock_read rw_mode;

static void t_read_then_m(void *arg)
{
	sim_lockdep_acquire(&RW, 0, rw_mode, false, S);
	lock(&M, S);
	unlock(&M);
	unlock(&RW);
}

static void t_m_then_read(void *arg)
{
	lock(&M, S);
	sim_lockdep_acquire(&RW, 0, rw_mode, false, S);
	unlock(&RW);
	unlock(&M);
}

START_TEST(rwsem_nonrecursive_read_inversion)
{
	init_maps();
	rw_mode = SIM_LOCK_READ;  /* down_read */
	run_seq(2, t_read_then_m, t_m_then_read);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&rwsem_s", "&mutex_m"), LD_DEP_SN);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	const struct sim_finding *f = first_kind(SIM_F_LOCK_CYCLE);

	ck_assert_str_eq(f->signature, "lock-cycle:&mutex_m,&rwsem_s");
	assert_has(f->report, "(&rwsem_s) (read) at: t_m_then_read");
	assert_has(f->report, "  lock(&mutex_m);\n"
			      "                               lock(&rwsem_s);\n"
			      "                               lock(&mutex_m);\n"
			      "  rlock(&rwsem_s);\n");
}
END_TEST

START_TEST(rwsem_recursive_read_no_report)
{
	init_maps();
	rw_mode = SIM_LOCK_READ_REC;  /* rwlock read side */
	run_seq(2, t_read_then_m, t_m_then_read);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&rwsem_s", "&mutex_m"), LD_DEP_SN);
	ck_assert_uint_eq(sim__lockdep_edge_dep("&mutex_m", "&rwsem_s"), LD_DEP_ER);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

static void t_write_then_m(void *arg)
{
	sim_lockdep_acquire(&RW, 0, SIM_LOCK_EXCL, false, S);
	lock(&M, S);
	unlock(&M);
	unlock(&RW);
}

START_TEST(rwsem_writer_vs_reader)
{
	init_maps();
	rw_mode = SIM_LOCK_READ_REC;  /* even a recursive reader vs a writer */
	run_seq(2, t_write_then_m, t_m_then_read);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	assert_has(first_kind(SIM_F_LOCK_CYCLE)->report, "  rlock(&rwsem_s);\n");
}
END_TEST

/* Read-after-read recursion of one class: allowed only for read=2. */
static void t_read_twice(void *arg)
{
	sim_lockdep_acquire(&RW, 0, rw_mode, false, S);
	sim_lockdep_acquire(&RW, 0, rw_mode, false, S);
	unlock(&RW);
	unlock(&RW);
}

START_TEST(rwsem_read_recursion)
{
	init_maps();
	rw_mode = SIM_LOCK_READ;
	run_seq(1, t_read_twice);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_RECURSIVE), 1);
	assert_has(first_kind(SIM_F_LOCK_RECURSIVE)->report, "  rlock(&rwsem_s);\n  rlock(&rwsem_s);\n");
	rw_mode = SIM_LOCK_READ_REC;
	run_seq(1, t_read_twice);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

/* ---------------------------------------------------------- bad unlock */

static void t_bad_unlock(void *arg)
{
	lock(&A, S);
	unlock(&B);
	unlock(&A);
}

START_TEST(bad_unlock)
{
	init_maps();
	run_seq(1, t_bad_unlock);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_BAD_UNLOCK), 1);
	ck_assert_int_eq(sim_findings_count(), 1);
	const char *t = first_kind(SIM_F_LOCK_BAD_UNLOCK)->report;

	assert_has(t, "=====================================\n"
		      "WARNING: bad unlock balance detected!\n");
	assert_has(t, " is trying to release lock (&lock_b) at:\nunlock (check_sim_lockdep.c:");
	assert_has(t, "but there are no more locks to release!\n");
	assert_has(t, "1 lock held by t1/");
	assert_has(t, " #0: &lock_a at: t_bad_unlock");
	assert_has(t, "\nstack backtrace:\n");
	assert_has(t, " t_bad_unlock (check_sim_lockdep.c:");
}
END_TEST

/* --------------------------------------------------------- assert_held */

static bool held_res[8];

static void t_assert(void *arg)
{
	held_res[0] = sim_lockdep_is_held(&A, -1);
	sim_lockdep_assert_held(&A, -1, S);       /* fails: not held */
	lock(&A, S);
	sim_lockdep_acquire(&RW, 0, SIM_LOCK_READ, false, S);
	held_res[1] = sim_lockdep_is_held(&A, -1);
	held_res[2] = sim_lockdep_is_held(&A, 0);
	held_res[3] = sim_lockdep_is_held(&A, 1);
	held_res[4] = sim_lockdep_is_held(&RW, 1);
	held_res[5] = sim_lockdep_is_held(&RW, 0);
	sim_lockdep_assert_held(&A, -1, S);       /* passes */
	sim_lockdep_assert_held(&A, 0, S);        /* passes */
	sim_lockdep_assert_held(&RW, 1, S);       /* passes */
	sim_lockdep_assert_held(&RW, 0, S);       /* fails: held for read */
	unlock(&RW);
	unlock(&A);
}

START_TEST(assert_held)
{
	init_maps();
	run_seq(1, t_assert);
	ck_assert(!held_res[0]);
	ck_assert(held_res[1]);
	ck_assert(held_res[2]);
	ck_assert(!held_res[3]);
	ck_assert(held_res[4]);
	ck_assert(!held_res[5]);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_NOT_HELD), 2);
	ck_assert_int_eq(sim_findings_count(), 2);
	const char *t = sim_finding_get(0)->report;

	assert_has(t, "WARNING: CPU: 0 PID: ");
	assert_has(t, " at ");
	assert_has(t, "check_sim_lockdep.c:");
	assert_has(t, " t_assert\n");
	assert_has(t, "lockdep_assert_held(&lock_a) failed\n");
	/* the WARN's Call Trace, inside its cut-here block */
	{
		const char *ct = strstr(t, "Call Trace:\n");
		const char *fr = ct ? strstr(ct, " t_assert (check_sim_lockdep.c:") : NULL;
		const char *end = strstr(t, "---[ end trace");

		ck_assert_msg(ct && fr && end && fr < end, "%s", t);
	}
	assert_has(sim_finding_get(1)->report, "lockdep_assert_held_write(&rwsem_s) failed\n");
	assert_has(sim_finding_get(1)->report, "2 locks held by t1/");
}
END_TEST

/* -------------------------------------------------------- held at exit */

static void t_exit_held(void *arg)
{
	lock(&A, S);
	lock(&B, S);
}

START_TEST(held_at_exit)
{
	init_maps();
	run_seq(1, t_exit_held);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_HELD_EXIT), 2);
	const struct sim_finding *f = first_kind(SIM_F_LOCK_HELD_EXIT);

	ck_assert_str_eq(f->signature, "lock-held-exit:&lock_a");
	assert_has(f->report, "WARNING: lock held when thread exits!");
	assert_has(f->report, "is exiting with locks still held!");
	assert_has(f->report, "2 locks held by t1/");
}
END_TEST

/* -------------------------------------------------------- held list API */

static char held_text[1024];
static int held_n, held_depth, held_sn;
static const struct sim_lockdep_map *held_maps[4], *held_stack[4];

static void t_out_of_order(void *arg)
{
	sim_op_push("assign_adapter m0 5");
	lock(&A, S);
	lock(&B, S);
	lock(&C, S);
	unlock(&B);  /* out of order */
	held_depth = sim_lockdep_depth(sim_tid());
	held_n = sim_lockdep_held_maps(sim_tid(), held_maps, 4);
	{
		const struct sim_lockdep_map *const *st = sim_lockdep_held_stack(sim_tid(), &held_sn);

		for (int i = 0; i < held_sn && i < 4; i++)
			held_stack[i] = st[i];
	}
	FILE *f = fmemopen(held_text, sizeof(held_text) - 1, "w");

	sim_lockdep_print_held(f, sim_tid());
	fclose(f);
	unlock(&C);
	unlock(&A);
	sim_op_pop();
}

START_TEST(out_of_order_release_and_held_list)
{
	init_maps();
	run_seq(1, t_out_of_order);
	ck_assert_int_eq(sim_findings_count(), 0);
	ck_assert_int_eq(held_depth, 2);
	ck_assert_int_eq(held_n, 2);
	ck_assert_ptr_eq(held_maps[0], &A);
	ck_assert_ptr_eq(held_maps[1], &C);
	/* the copy-free view agrees after the re-acquisition */
	ck_assert_int_eq(held_sn, 2);
	ck_assert_ptr_eq(held_stack[0], &A);
	ck_assert_ptr_eq(held_stack[1], &C);
	assert_has(held_text, "2 locks held by t1/");
	assert_has(held_text, " #0: &lock_a at: t_out_of_order (check_sim_lockdep.c:");
	assert_has(held_text, ") [op: assign_adapter m0 5]\n #1: &lock_c at: t_out_of_order");
	/* lockdep re-acquires the locks above a released one: A -> C */
	ck_assert_uint_eq(sim__lockdep_edge_dep("&lock_a", "&lock_c"), LD_DEP_EN);
}
END_TEST

/* --------------------------------------------------------- determinism */

START_TEST(report_text_deterministic)
{
	char *first;

	init_maps();
	run_seq(3, t_ab, t_bc, t_ca);
	ck_assert_int_eq(sim_findings_count(), 1);
	first = strdup(sim_finding_get(0)->report);
	char *dot1 = dot_text();

	init_maps();
	run_seq(3, t_ab, t_bc, t_ca);
	ck_assert_int_eq(sim_findings_count(), 1);
	ck_assert_str_eq(sim_finding_get(0)->report, first);
	char *dot2 = dot_text();

	ck_assert_str_eq(dot1, dot2);
	free(first);
	free(dot1);
	free(dot2);
}
END_TEST

/* ------------------------------------------------------------------ DOT */

START_TEST(dot_has_cycle_edges)
{
	init_maps();
	run_seq(3, t_ab, t_bc, t_ca);
	char *d = dot_text();

	assert_has(d, "digraph lockdep {");
	/* class ids in first-use order: A=1, B=2, C=3 */
	assert_has(d, "c1 [label=\"&lock_a\"];");
	assert_has(d, "c2 [label=\"&lock_b\"];");
	assert_has(d, "c3 [label=\"&lock_c\"];");
	assert_has(d, "c1 -> c2 [label=\"EN\", color=red");
	assert_has(d, "c2 -> c3 [label=\"EN\", color=red");
	assert_has(d, "c3 -> c1 [label=\"EN (closes cycle)\", color=red");
	free(d);
}
END_TEST

/* ---------------------------------------------------------- chain cache */

static uint64_t valid_after_first, valid_after_all;

static void t_repeat(void *arg)
{
	lock(&A, S);
	lock(&B, S);
	unlock(&B);
	unlock(&A);
	valid_after_first = sim__lockdep_validations();
	for (int i = 0; i < 1000; i++) {
		lock(&A, S);
		lock(&B, S);
		unlock(&B);
		unlock(&A);
	}
	valid_after_all = sim__lockdep_validations();
}

START_TEST(chain_cache_hits)
{
	init_maps();
	run_seq(1, t_repeat);
	ck_assert_uint_eq(valid_after_first, 2);  /* chains [A] and [A,B] */
	ck_assert_uint_eq(valid_after_all, valid_after_first);
}
END_TEST

/* ------------------------------------------------------------ keep_graph */

START_TEST(keep_graph_across_executions)
{
	struct sim_opts o;

	init_maps();
	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RR;
	o.lockdep_keep_graph = true;
	run_opts(&o, 1, t_ab);
	ck_assert_int_eq(sim_findings_count(), 0);
	run_opts(&o, 1, t_ba);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	run_opts(&o, 1, t_ba);  /* once per process with keep_graph */
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 0);

	/* without keep_graph every execution starts from an empty graph */
	o.lockdep_keep_graph = false;
	run_opts(&o, 1, t_ab);
	run_opts(&o, 1, t_ba);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 0);
}
END_TEST

START_TEST(lockdep_off)
{
	struct sim_opts o;

	init_maps();
	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RR;
	o.lockdep = false;
	run_opts(&o, 3, t_ab, t_ba, t_bad_unlock);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

/* ------------------------------------------- through the real primitives */

static struct sim_mutex mx_a, mx_b;
static struct sim_lock_class_key mkey_a, mkey_b;

static void t_mx_ab(void *arg)
{
	sim_mutex_lock(&mx_a, 0, S);
	sim_mutex_lock(&mx_b, 0, S);
	sim_mutex_unlock(&mx_b, S);
	sim_mutex_unlock(&mx_a, S);
}

static void t_mx_ba(void *arg)
{
	sim_mutex_lock(&mx_b, 0, S);
	sim_mutex_lock(&mx_a, 0, S);
	sim_mutex_unlock(&mx_a, S);
	sim_mutex_unlock(&mx_b, S);
}

START_TEST(mutex_abba_integration)
{
	sim_mutex_init(&mx_a, "&matrix_dev->guests_lock", &mkey_a, S);
	sim_mutex_init(&mx_b, "ap_perms_mutex", &mkey_b, S);
	struct sim_result r = run_seq(2, t_mx_ab, t_mx_ba);

	ck_assert(!r.deadlock);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
	ck_assert_str_eq(first_kind(SIM_F_LOCK_CYCLE)->signature,
			 "lock-cycle:&matrix_dev->guests_lock,ap_perms_mutex");
}
END_TEST

/* ----------------------------------------------------------- overflows */

#define NDEEP 50
static struct sim_lock_class_key deep_keys[NDEEP];
static struct sim_lockdep_map deep[NDEEP];
static int deep_depth;

static void t_deep(void *arg)
{
	for (int i = 0; i < NDEEP; i++)
		lock(&deep[i], S);
	deep_depth = sim_lockdep_depth(sim_tid());
	for (int i = NDEEP - 1; i >= 0; i--)
		unlock(&deep[i]);
}

START_TEST(depth_overflow_warns_once)
{
	for (int i = 0; i < NDEEP; i++)
		sim_lockdep_init_map(&deep[i], "&deep", &deep_keys[i], S);
	run_seq(1, t_deep);
	ck_assert_int_eq(deep_depth, 48);
	/* one warning; the untracked releases are no bad-unlock reports */
	ck_assert_int_eq(count_kind(SIM_F_WARN), 1);
	ck_assert_int_eq(sim_findings_count(), 1);
	assert_has(sim_finding_get(0)->report, "BUG: MAX_LOCK_DEPTH too low!");
}
END_TEST

#define NMANY 600
static struct sim_lock_class_key many_keys[NMANY];
static struct sim_lockdep_map many[NMANY];

static void t_many(void *arg)
{
	for (int i = 0; i < NMANY; i++) {
		lock(&many[i], S);
		unlock(&many[i]);
	}
	/* validation keeps working for the registered classes */
	lock(&A, S);
	lock(&B, S);
	unlock(&B);
	unlock(&A);
	lock(&B, S);
	lock(&A, S);
	unlock(&A);
	unlock(&B);
}

START_TEST(class_overflow_warns_once)
{
	init_maps();
	for (int i = 0; i < NMANY; i++)
		sim_lockdep_init_map(&many[i], "&many", &many_keys[i], S);
	/* register A and B first so they have classes */
	run_seq(2, t_ab, t_many);
	ck_assert_int_eq(sim__lockdep_nclasses(), LD_MAX_CLASSES - 1);
	ck_assert_int_eq(count_kind(SIM_F_WARN), 1);
	assert_has(first_kind(SIM_F_WARN)->report, "BUG: MAX_LOCKDEP_KEYS too low!");
	ck_assert_int_eq(count_kind(SIM_F_LOCK_CYCLE), 1);
}
END_TEST

/* Concurrent ABBA under random schedules: annotation happens before
 * blocking, so the cycle is reported in every execution, including
 * those that then really deadlock. */
static int explore_cycles, explore_deadlocks;

static int on_exec(uint64_t idx, const struct sim_result *res, void *arg)
{
	if (count_kind(SIM_F_LOCK_CYCLE) == 1)
		explore_cycles++;
	if (res->deadlock)
		explore_deadlocks++;
	return 0;
}

static void conc_main(void *arg)
{
	/* a deadlocked execution leaves the mutexes held: fresh per run */
	sim_mutex_init(&mx_a, "&matrix_dev->guests_lock", &mkey_a, S);
	sim_mutex_init(&mx_b, "ap_perms_mutex", &mkey_b, S);
	sim_thread_spawn("t1", t_mx_ab, NULL);
	sim_thread_spawn("t2", t_mx_ba, NULL);
	sim_thread_join_all(S);
}

START_TEST(concurrent_abba_always_reported)
{
	struct sim_opts o;

	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RANDOM;
	o.seed = 42;
	ck_assert_int_eq(sim_explore(&o, 100, conc_main, NULL, NULL, on_exec, NULL, NULL), 100);
	ck_assert_int_eq(explore_cycles, 100);
	ck_assert_int_gt(explore_deadlocks, 0);
}
END_TEST

static Suite *lockdep_suite(void)
{
	Suite *s = suite_create("lockdep");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, abba_reported_without_deadlock);
	tcase_add_test(tc, cycle_entries_carry_stacks);
	tcase_add_test(tc, cycle_reported_once_per_execution);
	tcase_add_test(tc, lazy_op_labels);
	tcase_add_test(tc, three_lock_cycle);
	tcase_add_test(tc, cycle_signature_stable);
	tcase_add_test(tc, same_class_recursive);
	tcase_add_test(tc, novalidate_class);
	tcase_add_test(tc, subclass_is_separate_class);
	tcase_add_test(tc, name_versions_and_unkeyed);
	tcase_add_test(tc, trylock_adds_no_edge);
	tcase_add_test(tc, trylock_held_is_edge_source);
	tcase_add_test(tc, trylock_consecutive_sources);
	tcase_add_test(tc, trylock_same_class_not_recursive);
	tcase_add_test(tc, rwsem_nonrecursive_read_inversion);
	tcase_add_test(tc, rwsem_recursive_read_no_report);
	tcase_add_test(tc, rwsem_writer_vs_reader);
	tcase_add_test(tc, rwsem_read_recursion);
	tcase_add_test(tc, bad_unlock);
	tcase_add_test(tc, assert_held);
	tcase_add_test(tc, held_at_exit);
	tcase_add_test(tc, out_of_order_release_and_held_list);
	tcase_add_test(tc, report_text_deterministic);
	tcase_add_test(tc, dot_has_cycle_edges);
	tcase_add_test(tc, chain_cache_hits);
	tcase_add_test(tc, keep_graph_across_executions);
	tcase_add_test(tc, lockdep_off);
	tcase_add_test(tc, mutex_abba_integration);
	tcase_add_test(tc, concurrent_abba_always_reported);
	tcase_add_test(tc, depth_overflow_warns_once);
	tcase_add_test(tc, class_overflow_warns_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(lockdep_suite());
}
