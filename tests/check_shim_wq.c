/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_shim_wq.c - the shim kernel's workqueues and eventfd.
 *
 * Owns: nothing but these tests: a work runs once on a simulated kworker
 * and flush_work waits for it; the exhaustive search finds both orders of
 * a work and the thread that queued it; flushing a work under a lock the
 * work takes is reported as a circular dependency through
 * (work_completion); cancel_work_sync; eventfd lifetime (fd and driver
 * references, bad fds, a signal after the last put is a use-after-free);
 * the real driver's queue reset on trees that verify it asynchronously
 * (APSIM_AP_RESET_ASYNC: a kworker polls TAPQ until the reset is done).
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/delay.h>
#include <linux/workqueue.h>
#include <linux/eventfd.h>
#include "driver/kernel/base.h"
#include "driver/kernel/s390.h"
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"
#include "check_util.h"
#include "check_shim_util.h"

/* Between the executions of an exploration (an execution the search ends
 * early leaves locks held and objects allocated): a fresh shim. */
static void reset_teardown(void *arg)
{
	shim_base_reset();
}

static struct sim_result run(enum sim_strategy s, sim_fn main)
{
	struct sim_opts o = tu_opts(s, 1);
	struct sim_result r;

	tu_shim_fresh();
	ck_assert_int_eq(sim_run(&o, main, NULL, NULL, &r), 0);
	return r;
}

/* Every interleaving of main (no preemption bound), cb after each. */
static struct sim_explore_stats explore(sim_fn main, sim_exec_cb cb, void *arg, bool trace)
{
	struct sim_opts o = tu_opts(SIM_STRAT_EXHAUSTIVE, 1);
	struct sim_explore_stats st;

	o.preemption_bound = -1;
	o.trace = trace;
	tu_shim_fresh();
	sim_explore(&o, 0, main, reset_teardown, arg, cb, arg, &st);
	return st;
}

/* A work item in a slab object, as the driver has them. */
struct obj {
	struct work_struct work;
	struct mutex *lock;
	int runs;
	char thread[32];
};

static DEFINE_MUTEX(test_lock);
static DEFINE_MUTEX(outer);

static void locks_reset(void)
{
	test_lock = (struct mutex)__MUTEX_INITIALIZER(test_lock);
	outer = (struct mutex)__MUTEX_INITIALIZER(outer);
}
static char order[8];
static int norder;

static void note(char c)
{
	mutex_lock(&test_lock);
	if (norder < (int)sizeof(order) - 1)
		order[norder++] = c;
	mutex_unlock(&test_lock);
}

static void work_fn(struct work_struct *w)
{
	struct obj *o = container_of(w, struct obj, work);

	o->runs++;
	snprintf(o->thread, sizeof(o->thread), "%s", sim_thread_name(sim_tid()));
	if (o->lock) {
		mutex_lock(o->lock);
		mutex_unlock(o->lock);
	}
	note('W');
}

static struct obj *obj_new(struct mutex *lock)
{
	struct obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	INIT_WORK(&o->work, work_fn);
	o->lock = lock;
	return o;
}

/* --------------------------------------------------------- queue, flush */

static int q1, q2, pend, fl, runs_after, fl_idle;
static char thread[32];

static void queue_flush_main(void *arg)
{
	struct obj *o = obj_new(NULL);

	locks_reset();

	q1 = queue_work(system_long_wq, &o->work);
	pend = work_pending(&o->work);
	q2 = queue_work(system_long_wq, &o->work);
	fl = flush_work(&o->work);
	runs_after = o->runs;
	snprintf(thread, sizeof(thread), "%s", o->thread);
	fl_idle = flush_work(&o->work);		/* nothing to wait for */
	kfree(o);
}

static int qf_execs, qf_bad, qf_coalesced, qf_twice;

/* In every order: the first queueing succeeds, a second one while the
 * work is pending is coalesced (false, one run), else it runs again; the
 * flush returns having waited for the last one (false when it had already
 * run); a kworker ran it. */
static int queue_flush_exec(uint64_t i, const struct sim_result *res, void *arg)
{
	qf_execs++;
	if (res->nfindings || !q1 || fl_idle || runs_after != (q2 ? 2 : 1) ||
	    strncmp(thread, "kworker/events_long:", 20))
		qf_bad++;
	qf_coalesced += !q2;
	qf_twice += q2;
	return 0;
}

START_TEST(test_queue_flush)
{
	struct sim_explore_stats st = explore(queue_flush_main, queue_flush_exec, NULL, false);

	ck_assert(st.complete);
	ck_assert_int_gt(qf_execs, 1);
	ck_assert_int_eq(qf_bad, 0);
	ck_assert_int_gt(qf_coalesced, 0);
	ck_assert_int_gt(qf_twice, 0);
}
END_TEST

/* ------------------------------------------- exhaustive interleavings */

static void order_main(void *arg)
{
	struct obj *o = obj_new(NULL);

	locks_reset();

	norder = 0;
	memset(order, 0, sizeof(order));
	queue_work(system_wq, &o->work);
	note('M');
	flush_work(&o->work);
	kfree(o);
}

static bool seen_wm, seen_mw, seen_other;

static int order_exec(uint64_t i, const struct sim_result *res, void *arg)
{
	if (!strcmp(order, "WM"))
		seen_wm = true;
	else if (!strcmp(order, "MW"))
		seen_mw = true;
	else
		seen_other = true;
	return 0;
}

START_TEST(test_exhaustive_orders)
{
	struct sim_explore_stats st = explore(order_main, order_exec, NULL, false);

	ck_assert_uint_gt(st.executions, 1);
	ck_assert(st.complete);
	ck_assert(seen_wm);
	ck_assert(seen_mw);
	ck_assert(!seen_other);
}
END_TEST

/* ------------------------------------------------ flush under the lock */

static bool flush_locked;	/* flush inside outer, else after it */

static void flush_main(void *arg)
{
	struct obj *o = obj_new(&outer);

	locks_reset();
	queue_work(system_long_wq, &o->work);
	mutex_lock(&outer);
	if (flush_locked)
		flush_work(&o->work);	/* the work takes outer: deadlock */
	mutex_unlock(&outer);
	if (!flush_locked)
		flush_work(&o->work);
	kfree(o);
}

static bool cycle_seen, cycle_named;

static int cycle_exec(uint64_t i, const struct sim_result *res, void *arg)
{
	const struct sim_finding *f = tu_find(SIM_F_LOCK_CYCLE);

	if (f) {
		cycle_seen = true;
		cycle_named |= strstr(f->report, "(work_completion)&o->work") != NULL &&
			       strstr(f->report, "circular locking dependency") != NULL &&
			       strstr(f->signature, "outer") != NULL;
	}
	return cycle_seen;
}

START_TEST(test_flush_under_lock_cycle)
{
	flush_locked = true;
	explore(flush_main, cycle_exec, NULL, true);

	ck_assert(cycle_seen);
	ck_assert(cycle_named);
}
END_TEST

/* The same work flushed without the lock: no finding in any order. */
static int clean_exec(uint64_t i, const struct sim_result *res, void *arg)
{
	int *bad = arg;

	*bad += res->nfindings;
	return 0;
}

START_TEST(test_flush_unlocked_clean)
{
	int bad = 0;
	struct sim_explore_stats st;

	flush_locked = false;
	st = explore(flush_main, clean_exec, &bad, true);

	ck_assert_uint_gt(st.executions, 1);
	ck_assert(st.complete);
	ck_assert_int_eq(bad, 0);
}
END_TEST

/* ----------------------------------------------------- cancel_work_sync */

static int c_pending, c_runs, c_again;

static void cancel_main(void *arg)
{
	struct obj *o = obj_new(NULL);

	locks_reset();
	queue_work(system_wq, &o->work);
	c_pending = cancel_work_sync(&o->work);
	c_again = cancel_work_sync(&o->work);
	c_runs = o->runs;		/* nothing runs it after the cancel */
	msleep(10);
	c_runs += 10 * o->runs;
	kfree(o);
}

static int cs_bad, cs_cancelled, cs_ran;

/* Cancelled while pending: never runs; otherwise it ran before the cancel
 * returned; either way not again. */
static int cancel_exec(uint64_t i, const struct sim_result *res, void *arg)
{
	if (res->nfindings || c_again || c_runs != (c_pending ? 0 : 11))
		cs_bad++;
	cs_cancelled += c_pending;
	cs_ran += !c_pending;
	return 0;
}

START_TEST(test_cancel_sync)
{
	struct sim_explore_stats st = explore(cancel_main, cancel_exec, NULL, false);

	ck_assert(st.complete);
	ck_assert_int_eq(cs_bad, 0);
	ck_assert_int_gt(cs_cancelled, 0);
	ck_assert_int_gt(cs_ran, 0);
}
END_TEST

/* -------------------------------------------------------------- eventfd */

static long e_bad, e_other, e_refs1, e_refs2, e_live1, e_live2, e_live3, e_count, e_close2;

static void efd_main(void *arg)
{
	int fd = shim_eventfd_create();
	struct eventfd_ctx *ctx;

	e_bad = PTR_ERR(eventfd_ctx_fdget(fd + 1));
	e_other = PTR_ERR(eventfd_ctx_fdget(shim_eventfd_other()));
	ctx = eventfd_ctx_fdget(fd);
	e_refs1 = shim_eventfd_refs(fd);
	apsim_eventfd_signal(ctx, 1);
	apsim_eventfd_signal(ctx, 2);
	e_count = shim_eventfd_count(fd);
	shim_eventfd_close(fd);			/* the VMM lets go first */
	e_close2 = shim_eventfd_close(fd);
	e_refs2 = shim_eventfd_refs(fd);
	e_live1 = shim_eventfd_live();		/* the driver still holds it */
	e_live2 = shim_slab_live_count();
	eventfd_ctx_put(ctx);
	e_live3 = shim_eventfd_live();
}

START_TEST(test_eventfd_lifetime)
{
	struct sim_result r = run(SIM_STRAT_RR, efd_main);

	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(e_bad, -EBADF);
	ck_assert_int_eq(e_other, -EINVAL);
	ck_assert_int_eq(e_refs1, 2);
	ck_assert_int_eq(e_count, 3);
	ck_assert_int_eq(e_close2, -EBADF);
	ck_assert_int_eq(e_refs2, -EBADF);
	ck_assert_int_eq(e_live1, 1);
	ck_assert_int_eq(e_live2, 1);
	ck_assert_int_eq(e_live3, 0);
}
END_TEST

static void efd_uaf_main(void *arg)
{
	int fd = shim_eventfd_create();
	struct eventfd_ctx *ctx = eventfd_ctx_fdget(fd);

	eventfd_ctx_put(ctx);
	shim_eventfd_close(fd);			/* the last reference */
	apsim_eventfd_signal(ctx, 1);		/* use after free */
}

START_TEST(test_eventfd_signal_after_put)
{
	const struct sim_finding *f;

	if (tu_asan())
		return;	/* ASan builds: ASan owns use-after-free */
	run(SIM_STRAT_RR, efd_uaf_main);
	f = tu_find(SIM_F_MEMORY);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->signature, "use-after-free"));
}
END_TEST

/* --------------------------------------------- the driver's reset work */

static struct apsim_scenario scn;
static struct apsim_exec ex;
static struct shim_apq_state q54;

static void inspect(void *arg)
{
	shim_ap_hw_queue_state(5, 4, &q54);
}

START_TEST(test_driver_reset_work)
{
	static const char text[] =
		"scenario t\n"
		"host adapters 5 domains 4 control-domains 4\n"
		"host free-adapters 5\n"
		"setup:\n"
		"    kvm_create k0 vcpus 1\n"
		"    create_mdev m0\n"
		"    assign_domain m0 4\n"
		"    assign_adapter m0 5\n"
		"thread a:\n"
		"    open m0 k0 -> 0\n"
		"    close m0 -> 0\n";
	char err[256], *trace = NULL;
	struct sim_opts o;
	struct sim_result r;

	ck_assert_msg(apsim_scn_parse_buf(text, strlen(text), "t.scn", &scn, err,
					  sizeof(err)) == 0, "%s", err);
	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RR;
	o.trace = true;
	apsim_world_set_inspect(inspect, NULL);
	ck_assert_int_eq(apsim_world_run(&scn, &o, &r, &ex), 0);
	apsim_world_set_inspect(NULL, NULL);
	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(ex.mismatches, 0);
	TU_CAPTURE(trace, sim_trace_print(out, 120));
	if (APSIM_AP_RESET_ASYNC) {
		/* the works waited for the resets to complete */
		ck_assert(!q54.reset_in_progress);
		/* close resets the queue, a kworker verifies it through TAPQ */
		ck_assert_ptr_nonnull(strstr(trace, "kworker/events_long"));
		ck_assert_ptr_nonnull(strstr(trace, "queue_work (work_completion)&q->reset_work"));
		ck_assert_uint_ge(q54.nr_tapq, 1);
	} else {
		ck_assert_ptr_null(strstr(trace, "kworker/"));
	}
	free(trace);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("shim_wq");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_queue_flush);
	tcase_add_test(tc, test_exhaustive_orders);
	tcase_add_test(tc, test_flush_under_lock_cycle);
	tcase_add_test(tc, test_flush_unlocked_clean);
	tcase_add_test(tc, test_cancel_sync);
	tcase_add_test(tc, test_eventfd_lifetime);
	tcase_add_test(tc, test_eventfd_signal_after_put);
	tcase_add_test(tc, test_driver_reset_work);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
