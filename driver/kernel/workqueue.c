// SPDX-License-Identifier: GPL-2.0
/*
 * driver/kernel/workqueue.c - workqueues of the shim kernel under the
 * deterministic scheduler.
 *
 * Owns: system_wq ("events") and system_long_wq ("events_long"), the
 * pending list of each, its simulated kworker threads, and the work item
 * states (pending bit, queued/started/finished counts, flushers).
 *
 * A queued work is run by a kworker thread of its workqueue: queue_work
 * spawns one through libsim (sim_thread_spawn) while the workqueue has
 * fewer than WQ_MAX_WORKERS; a kworker runs pending works in order and
 * exits when the list is empty.  So every strategy (random, PCT,
 * exhaustive, replay) interleaves work items with each other and with the
 * threads that queue and flush them; the world's final join waits for them.
 * The workqueue bookkeeping is state no sim primitive protects: every
 * operation on it starts with sim_point_shared(), so the exhaustive search
 * orders it against every other step.
 *
 * Lock validation as lockdep does it (kernel/workqueue.c): a kworker
 * "acquires" the workqueue's map "(wq_completion)<name>" and then the
 * work's map "(work_completion)<work>" around the work function; flushing
 * (or cancelling) a work that is pending or running acquires and releases
 * the work's map.  Flushing while holding a lock the work takes therefore
 * closes a cycle L -> work -> L that the validator reports in lockdep's
 * format, whichever happens first.
 *
 * State is per execution: a workqueue whose generation is not the current
 * execution's starts empty (works live in slab memory, which is rewound).
 * Outside a simulation (no scheduler) queue_work runs the work at once.
 */
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/workqueue.h>
#include <apsim/sim.h>
#include "driver/kernel/genstamp.h"

#include <stdio.h>
#include <string.h>

/* At most this many kworkers per workqueue at a time: enough for two works
 * to run concurrently, bounded so bursts of works fit SIM_MAX_THREADS live
 * threads (a kworker that exited leaves its slot to a later thread). */
#define WQ_MAX_WORKERS 2

struct kworker_slot {
	struct work_struct *cur;		/* the work it runs, or NULL */
	unsigned int seq;			/* its queueing number */
	bool live;
};

struct workqueue_struct {
	const char *name;
	struct sim_lockdep_map lockdep_map;	/* "(wq_completion)<name>" */
	struct sim_lock_class_key key;
	uint32_t gen;				/* execution of the state below */
	struct list_head pending;		/* work_struct.entry */
	struct kworker_slot slot[WQ_MAX_WORKERS];
	unsigned int spawned;			/* kworkers spawned (names) */
	struct sim_waitq done;			/* flushers: a work finished */
};

static struct workqueue_struct wq_events = {
	.name = "events",
	.lockdep_map = { .name = "(wq_completion)events" },
	.done = { .name = "events" },
};
static struct workqueue_struct wq_events_long = {
	.name = "events_long",
	.lockdep_map = { .name = "(wq_completion)events_long" },
	.done = { .name = "events_long" },
};
struct workqueue_struct *system_wq = &wq_events;
struct workqueue_struct *system_long_wq = &wq_events_long;
static struct workqueue_struct *const all_wqs[] = { &wq_events, &wq_events_long };
SHIM_GEN_STAMP(wq_events, wq_events.gen);
SHIM_GEN_STAMP(wq_events_long, wq_events_long.gen);

/* The workqueue's state for the current execution. */
static struct workqueue_struct *wq_cur(struct workqueue_struct *wq)
{
	unsigned int gen = sim_generation();

	if (wq->gen != gen || !wq->pending.next) {
		wq->gen = gen;
		INIT_LIST_HEAD(&wq->pending);
		memset(wq->slot, 0, sizeof(wq->slot));
		wq->spawned = 0;
		wq->done.waiters = 0;
		wq->lockdep_map.key = &wq->key;
		wq->lockdep_map.class_cache[0] = wq->lockdep_map.class_cache[1] = 0;
	}
	return wq;
}

void apsim_init_work(struct work_struct *work, work_func_t func,
		     const char *name, const struct sim_lock_class_key *key,
		     const struct sim_site *site)
{
	work->data = 0;
	INIT_LIST_HEAD(&work->entry);
	work->func = func;
	sim_lockdep_init_map(&work->lockdep_map, name, key, site);
	work->_wq = NULL;
	work->_queued = 0;
}

/*
 * Run one work as a kworker does: the maps are held around the function.
 * The function may free the work (kernel rules: a flusher holds its own
 * reference), so nothing touches it afterwards: like lockdep, the work's
 * map is acquired through a copy.
 */
static void run_one(struct workqueue_struct *wq, struct kworker_slot *me,
		    struct work_struct *work)
{
	static const struct sim_site run_site = { __FILE__, __LINE__, "process_one_work" };
	struct sim_lockdep_map map = work->lockdep_map;
	work_func_t fn = work->func;

	list_del_init(&work->entry);
	work->data &= ~1UL; sim_race_sync(&wq->pending);	/* it may be queued again while it runs */
	me->cur = work;
	me->seq = work->_queued;
	if (sim_trace_enabled())
		sim_trace_note(&run_site, "work %s start", map.name);
	sim_lockdep_acquire(&wq->lockdep_map, 0, SIM_LOCK_EXCL, false, &run_site);
	sim_lockdep_acquire(&map, 0, SIM_LOCK_EXCL, false, &run_site);
	fn(work);
	sim_lockdep_release(&map, &run_site);
	sim_lockdep_release(&wq->lockdep_map, &run_site);
	if (sim_trace_enabled())
		sim_trace_note(&run_site, "work %s done", map.name);
	me->cur = NULL; sim_race_sync(&wq->pending);	/* pool->lock after the function */
	/* nobody waiting: no wake-up and no scheduling point (a flusher
	 * checks and blocks in one step: one that comes later sees the work
	 * finished) */
	if (wq->done.waiters)
		sim_waitq_wake_all(&wq->done);
}

static void kworker(void *arg)
{
	struct kworker_slot *me = arg;
	struct workqueue_struct *wq = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(all_wqs) && !wq; i++)
		if (me >= all_wqs[i]->slot && me < all_wqs[i]->slot + WQ_MAX_WORKERS)
			wq = all_wqs[i];
	for (;;) {
		sim_point_shared(SIM_SITE);
		if (sim_race_sync(&wq->pending), list_empty(&wq->pending))
			break;
		run_one(wq, me, list_first_entry(&wq->pending, struct work_struct, entry));
	}
	/* no wake-up: no flusher waits for a kworker's exit (work_busy and
	 * flush_workqueue look at the works, whose end run_one woke them for;
	 * a wake-up here only made them check and wait again, a step the
	 * exhaustive search orders against every other) */
	me->live = false;
}

/* "kworker/<wq>:<n>", the name of a workqueue's n-th kworker of an
 * execution (every execution that resets a queue spawns some): the first
 * ones are constants, not formatted at each spawn. */
#define KW_N(w) { "kworker/" w ":0", "kworker/" w ":1", "kworker/" w ":2", \
	"kworker/" w ":3", "kworker/" w ":4", "kworker/" w ":5", "kworker/" w ":6", \
	"kworker/" w ":7", "kworker/" w ":8", "kworker/" w ":9", "kworker/" w ":10", \
	"kworker/" w ":11", "kworker/" w ":12", "kworker/" w ":13", "kworker/" w ":14", \
	"kworker/" w ":15" }
static const char *const kw_names[2][16] = { KW_N("events"), KW_N("events_long") };

static const char *kworker_name(const struct workqueue_struct *wq, unsigned int n,
				char *buf, size_t len)
{
	int w = wq == &wq_events ? 0 : wq == &wq_events_long ? 1 : -1;

	if (w >= 0 && n < 16)
		return kw_names[w][n];
	sim_fmt(buf, len, "kworker/%s:%u", wq->name, n);
	return buf;
}

bool apsim_queue_work(struct workqueue_struct *wq, struct work_struct *work,
		      const struct sim_site *site)
{
	struct kworker_slot *free = NULL;
	char name[32];
	const char *nm;

	if (sim_tid() < 0) {		/* no scheduler: run it now */
		work->func(work);
		return true;
	}
	sim_point_shared(site);
	wq = wq_cur(wq);
	if (sim_race_sync(&wq->pending), work->data & 1UL)	/* pool->lock, for the race detector */
		return false;
	work->data |= 1UL;
	work->_queued++;
	work->_wq = wq;
	list_add_tail(&work->entry, &wq->pending); sim_race_sync(&wq->pending);
	if (sim_trace_enabled())
		sim_trace_note(site, "queue_work %s on %s", work->lockdep_map.name, wq->name);
	for (int i = 0; i < WQ_MAX_WORKERS; i++) {
		if (wq->slot[i].live && !wq->slot[i].cur)
			return true;	/* an idle kworker will take it */
		if (!wq->slot[i].live && !free)
			free = &wq->slot[i];
	}
	if (!free)
		return true;		/* the busy kworkers take it next */
	nm = kworker_name(wq, wq->spawned++, name, sizeof(name));
	free->live = true;
	free->cur = NULL;
	if (sim_thread_spawn(nm, kworker, free) < 0) {
		free->live = false;
		for (int i = 0; i < WQ_MAX_WORKERS; i++)
			if (wq->slot[i].live)
				return true;
		sim_report(SIM_F_INVARIANT, true, "invariant:shim-workqueue-no-thread",
			   "shim: no simulated thread left for a kworker of %s "
			   "(%d threads at most per execution)\n",
			   wq->name, SIM_MAX_THREADS);
	}
	return true;
}

/* Is queueing number seq (or an earlier one) of work pending or running? */
static bool work_busy(struct workqueue_struct *wq, const struct work_struct *work,
		      unsigned int seq)
{
	if ((work->data & 1UL) && work->_queued == seq)
		return true;
	for (int i = 0; i < WQ_MAX_WORKERS; i++)
		if (wq->slot[i].cur == work && (int)(wq->slot[i].seq - seq) <= 0)
			return true;
	return false;
}

/* Flush (cancel_sync: the queueing is off the list already): the work's
 * map is touched when there is something to wait for, as lockdep does. */
static bool wait_work(struct work_struct *work, unsigned int seq,
		      const struct sim_site *site)
{
	struct workqueue_struct *wq = work->_wq;

	if (!wq || (sim_race_sync(&wq->pending), !work_busy(wq_cur(wq), work, seq)))	/* pool->lock */
		return false;
	sim_lockdep_acquire(&work->lockdep_map, 0, SIM_LOCK_EXCL, false, site);
	sim_lockdep_release(&work->lockdep_map, site);
	if (sim_trace_enabled())
		sim_trace_note(site, "flush_work %s", work->lockdep_map.name);
	while (work_busy(wq, work, seq))
		sim_waitq_block(&wq->done, 0, site);
	return sim_race_sync(&wq->pending), true;
}

bool apsim_flush_work(struct work_struct *work, const struct sim_site *site)
{
	sim_might_sleep(site);
	if (sim_tid() < 0)
		return false;
	sim_point_shared(site);
	return wait_work(work, work->_queued, site);
}

static bool cancel_pending(struct work_struct *work)
{
	if (!(work->data & 1UL))
		return false;
	list_del_init(&work->entry);
	work->data &= ~1UL;
	return true;
}

bool apsim_cancel_work(struct work_struct *work, const struct sim_site *site)
{
	if (sim_tid() < 0)
		return false;
	sim_point_shared(site);
	return cancel_pending(work);
}

bool apsim_cancel_work_sync(struct work_struct *work, const struct sim_site *site)
{
	bool was_pending;

	sim_might_sleep(site);
	if (sim_tid() < 0)
		return false;
	sim_point_shared(site);
	was_pending = cancel_pending(work);
	wait_work(work, work->_queued, site);
	return was_pending;
}

void apsim_flush_workqueue(struct workqueue_struct *wq, const struct sim_site *site)
{
	sim_might_sleep(site);
	if (sim_tid() < 0)
		return;
	sim_point_shared(site);
	wq = wq_cur(wq);
	sim_lockdep_acquire(&wq->lockdep_map, 0, SIM_LOCK_EXCL, false, site);
	sim_lockdep_release(&wq->lockdep_map, site);
	for (;;) {
		bool busy = !list_empty(&wq->pending);

		for (int i = 0; i < WQ_MAX_WORKERS; i++)
			busy |= wq->slot[i].cur != NULL;
		if (!busy)
			break;
		sim_waitq_block(&wq->done, 0, site);
	}
}
