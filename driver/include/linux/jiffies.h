/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/jiffies.h (apsim shim) - jiffies read from libsim's virtual clock
 * (HZ = 100; jiffies is an expression, never a variable).
 */
#ifndef _APSIM_LINUX_JIFFIES_H
#define _APSIM_LINUX_JIFFIES_H

#include <linux/types.h>
#include <linux/param.h>
#include <linux/limits.h>
#include <apsim/sim.h>

#define NSEC_PER_USEC	1000UL
#define NSEC_PER_MSEC	1000000UL
#define NSEC_PER_SEC	1000000000UL
#define USEC_PER_MSEC	1000UL
#define USEC_PER_SEC	1000000UL
#define MSEC_PER_SEC	1000UL
#define JIFFY_NS	(NSEC_PER_SEC / HZ)
#define MAX_JIFFY_OFFSET ((LONG_MAX >> 1) - 1)
#define MAX_SCHEDULE_TIMEOUT LONG_MAX

static inline unsigned long shim_jiffies(void)
{
	return (unsigned long)(sim_now_ns() / JIFFY_NS);
}
#define jiffies shim_jiffies()
#define jiffies_64 ((u64)shim_jiffies())
static inline u64 get_jiffies_64(void) { return shim_jiffies(); }

static inline uint64_t jiffies_to_nsecs(unsigned long j) { return (uint64_t)j * JIFFY_NS; }
static inline unsigned int jiffies_to_msecs(unsigned long j) { return j * (MSEC_PER_SEC / HZ); }
static inline unsigned int jiffies_to_usecs(unsigned long j) { return j * (USEC_PER_SEC / HZ); }
static inline unsigned long msecs_to_jiffies(unsigned int m)
{
	return (m + (MSEC_PER_SEC / HZ) - 1) / (MSEC_PER_SEC / HZ);
}
static inline unsigned long usecs_to_jiffies(unsigned int u)
{
	return (u + (USEC_PER_SEC / HZ) - 1) / (USEC_PER_SEC / HZ);
}
static inline unsigned long nsecs_to_jiffies(u64 n) { return n / JIFFY_NS; }

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)	time_after_eq(b, a)
#define time_is_before_jiffies(a) time_after(jiffies, a)
#define time_is_after_jiffies(a) time_before(jiffies, a)

static inline u64 ktime_get_ns(void) { return sim_now_ns(); }
typedef s64 ktime_t;
static inline ktime_t ktime_get(void) { return (ktime_t)sim_now_ns(); }

#endif
