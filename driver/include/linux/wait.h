/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/wait.h (apsim shim) - wait queues on sim_waitq.  wait_event*()
 * re-checks the condition after every wake-up; each block is a scheduling
 * point.  Checking the condition and blocking is atomic in the simulation
 * (one thread runs between scheduling points), so no wake-up is lost.
 */
#ifndef _APSIM_LINUX_WAIT_H
#define _APSIM_LINUX_WAIT_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/jiffies.h>
#include <apsim/sim.h>

typedef struct wait_queue_head {
	struct sim_waitq _w;
} wait_queue_head_t;

#define __WAIT_QUEUE_HEAD_INITIALIZER(wq_) { ._w = { .name = #wq_ } }
#define DECLARE_WAIT_QUEUE_HEAD(wq_) wait_queue_head_t wq_ = __WAIT_QUEUE_HEAD_INITIALIZER(wq_)
#define init_waitqueue_head(wq) do {					\
	(wq)->_w.waiters = 0;						\
	(wq)->_w.name = #wq;						\
	(wq)->_w.map = NULL;						\
} while (0)

#define wake_up(wq) sim_waitq_wake_all(&(wq)->_w)
#define wake_up_all(wq) sim_waitq_wake_all(&(wq)->_w)
#define wake_up_interruptible(wq) sim_waitq_wake_all(&(wq)->_w)
#define wake_up_interruptible_all(wq) sim_waitq_wake_all(&(wq)->_w)
#define wake_up_nr(wq, nr) sim_waitq_wake_all(&(wq)->_w)
#define waitqueue_active(wq) ((wq)->_w.waiters != 0)
#define wq_has_sleeper(wq) waitqueue_active(wq)

#define wait_event(wq, condition) do {					\
	sim_might_sleep(SIM_SITE);					\
	while (!(condition))						\
		sim_waitq_block(&(wq)._w, 0, SIM_SITE);			\
} while (0)
#define wait_event_interruptible(wq, condition) ({ wait_event(wq, condition); 0; })
#define wait_event_killable(wq, condition) ({ wait_event(wq, condition); 0; })
#define wait_event_idle(wq, condition) wait_event(wq, condition)

/*
 * Returns 0 if the timeout elapsed with the condition false, else the
 * remaining jiffies (at least 1), like the kernel.
 */
#define wait_event_timeout(wq, condition, timeout) ({			\
	uint64_t __deadline = sim_now_ns() + jiffies_to_nsecs(timeout);	\
	long __ret = 1;							\
	sim_might_sleep(SIM_SITE);					\
	while (!(condition)) {						\
		if (sim_waitq_block(&(wq)._w, __deadline, SIM_SITE)) {	\
			__ret = (condition) ? 1 : 0;			\
			break;						\
		}							\
	}								\
	if (__ret) {							\
		uint64_t __now = sim_now_ns();				\
		__ret = __now < __deadline ?				\
			(long)((__deadline - __now) / JIFFY_NS) : 0;	\
		if (__ret < 1)						\
			__ret = 1;					\
	}								\
	__ret; })
#define wait_event_interruptible_timeout(wq, condition, timeout) \
	wait_event_timeout(wq, condition, timeout)
#define wait_event_killable_timeout(wq, condition, timeout) \
	wait_event_timeout(wq, condition, timeout)

#endif
