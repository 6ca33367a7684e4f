/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/ratelimit.h (apsim shim) - the kernel's rate limit of log messages:
 * at most `burst` messages per `interval` jiffies of virtual time from one
 * state (DEFAULT: 10 per 5 s), the rest counted and reported as "func: N
 * callbacks suppressed" when the next interval starts.  A suppressed
 * message is not formatted (its arguments are not read), as in the kernel.
 * The states of printk_ratelimited and dev_*_ratelimited are static
 * variables of the code that prints: the driver's are in its data section,
 * so every execution starts with them fresh.  Implemented in
 * driver/kernel/printk.c (shim_ratelimit).
 */
#ifndef _APSIM_LINUX_RATELIMIT_H
#define _APSIM_LINUX_RATELIMIT_H

#include <linux/jiffies.h>

struct ratelimit_state {
	int interval;          /* jiffies; 0: no limit */
	int burst;
	int printed;
	int missed;
	unsigned long begin;   /* jiffies the interval began */
	bool started;          /* begin is set (the kernel's begin != 0: its
				* jiffies never is 0, the virtual clock's is) */
};

#define DEFAULT_RATELIMIT_INTERVAL	(5 * HZ)
#define DEFAULT_RATELIMIT_BURST		10

#define RATELIMIT_STATE_INIT(name, interval_init, burst_init) \
	{ .interval = (interval_init), .burst = (burst_init) }
#define DEFINE_RATELIMIT_STATE(name, interval_init, burst_init) \
	struct ratelimit_state name = RATELIMIT_STATE_INIT(name, interval_init, burst_init)

/* 1: print this message, 0: suppressed (counted). */
int shim_ratelimit(struct ratelimit_state *rs, const char *func);
#define __ratelimit(state) shim_ratelimit(state, __func__)

#endif
