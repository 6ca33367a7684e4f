/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/sched.h (apsim shim) - schedule(), cond_resched(), task states and
 * a minimal `current` naming the simulated thread.
 */
#ifndef _APSIM_LINUX_SCHED_H
#define _APSIM_LINUX_SCHED_H

#include <linux/types.h>
#include <linux/jiffies.h>
#include <apsim/sim.h>

#define TASK_RUNNING		0
#define TASK_INTERRUPTIBLE	1
#define TASK_UNINTERRUPTIBLE	2
#define TASK_KILLABLE		TASK_UNINTERRUPTIBLE
#define TASK_COMM_LEN		16

struct task_struct {
	int pid;
	const char *comm;
};
/* A per-call snapshot of the current simulated thread (pid = sim tid). */
struct task_struct *shim_current(void);
#define current shim_current()
#define task_pid_nr(t) ((t)->pid)

#define set_current_state(s) do { } while (0)
#define __set_current_state(s) do { } while (0)
#define schedule() sim_yield(SIM_SITE)
#define yield() sim_yield(SIM_SITE)
#define cond_resched() ({ sim_yield(SIM_SITE); 0; })
#define signal_pending(t) 0
#define fatal_signal_pending(t) 0

/* Sleep `timeout` jiffies of virtual time; returns 0 (never woken early). */
#define schedule_timeout(timeout) ({					\
	sim_might_sleep(SIM_SITE);					\
	sim_sleep_ns(jiffies_to_nsecs(timeout), SIM_SITE);		\
	0L; })
#define schedule_timeout_uninterruptible(t) schedule_timeout(t)
#define schedule_timeout_interruptible(t) schedule_timeout(t)
#define schedule_timeout_killable(t) schedule_timeout(t)
#define schedule_timeout_idle(t) schedule_timeout(t)

#endif
