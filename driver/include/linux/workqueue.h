/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/workqueue.h (apsim shim) - work items and workqueues under the
 * deterministic scheduler (driver/kernel/workqueue.c).
 *
 * Owns: struct work_struct, struct workqueue_struct, system_wq and
 * system_long_wq, INIT_WORK, queue_work, flush_work, cancel_work_sync,
 * work_pending.  A queued work runs on a simulated kworker thread (spawned
 * through libsim, so every strategy interleaves it with the other threads).
 * The lock validator sees work items as lockdep does: running a work
 * "acquires" the workqueue's and the work's lockdep maps around the
 * function; flush_work of a pending or running work acquires and releases
 * the work's map, so flushing a work while holding a lock the work takes
 * is a circular dependency.
 */
#ifndef _APSIM_LINUX_WORKQUEUE_H
#define _APSIM_LINUX_WORKQUEUE_H

#include <linux/types.h>
#include <linux/list.h>
#include <apsim/sim.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

#define WORK_STRUCT_PENDING_BIT	0

struct work_struct {
	unsigned long data;		/* bit 0: pending */
	struct list_head entry;		/* on its workqueue while pending */
	work_func_t func;
	struct sim_lockdep_map lockdep_map; /* "(work_completion)<name>" */
	/* shim */
	struct workqueue_struct *_wq;	/* last queued on */
	unsigned int _queued;		/* times queued (a run covers all so far) */
};

struct workqueue_struct;
extern struct workqueue_struct *system_wq;
extern struct workqueue_struct *system_long_wq;

void apsim_init_work(struct work_struct *work, work_func_t func,
		     const char *name, const struct sim_lock_class_key *key,
		     const struct sim_site *site);
#define INIT_WORK(_work, _func) do {					\
	static struct sim_lock_class_key __key;				\
	apsim_init_work((_work), (_func), "(work_completion)" #_work,	\
			&__key, SIM_SITE);				\
} while (0)
#define INIT_WORK_ONSTACK(_work, _func) INIT_WORK(_work, _func)

#define work_pending(work) (((work)->data & 1UL) != 0)

bool apsim_queue_work(struct workqueue_struct *wq, struct work_struct *work,
		      const struct sim_site *site);
bool apsim_flush_work(struct work_struct *work, const struct sim_site *site);
bool apsim_cancel_work_sync(struct work_struct *work, const struct sim_site *site);
bool apsim_cancel_work(struct work_struct *work, const struct sim_site *site);
void apsim_flush_workqueue(struct workqueue_struct *wq, const struct sim_site *site);

/* true if the work was queued, false if it was already pending. */
#define queue_work(wq, work) apsim_queue_work((wq), (work), SIM_SITE)
#define schedule_work(work) apsim_queue_work(system_wq, (work), SIM_SITE)
/* Wait for the last queueing of work to finish; true if it had to wait. */
#define flush_work(work) apsim_flush_work((work), SIM_SITE)
/* Take a pending work off its queue and wait for a running one; true if it
 * was pending. */
#define cancel_work_sync(work) apsim_cancel_work_sync((work), SIM_SITE)
#define cancel_work(work) apsim_cancel_work((work), SIM_SITE)
#define flush_workqueue(wq) apsim_flush_workqueue((wq), SIM_SITE)
#define flush_scheduled_work() apsim_flush_workqueue(system_wq, SIM_SITE)

#endif
