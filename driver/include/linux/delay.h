/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/delay.h (apsim shim) - msleep & co. in virtual time (scheduling
 * points; sleeping ones may_sleep-checked); udelay/mdelay busy-wait in
 * virtual time without the atomic-context check.
 */
#ifndef _APSIM_LINUX_DELAY_H
#define _APSIM_LINUX_DELAY_H

#include <linux/types.h>
#include <linux/jiffies.h>
#include <apsim/sim.h>

#define msleep(ms) do {							\
	sim_might_sleep(SIM_SITE);					\
	sim_sleep_ns((uint64_t)(ms) * NSEC_PER_MSEC, SIM_SITE);		\
} while (0)
#define msleep_interruptible(ms) ({ msleep(ms); 0UL; })
#define ssleep(s) msleep((s) * 1000UL)
#define usleep_range(min, max) do {					\
	sim_might_sleep(SIM_SITE);					\
	sim_sleep_ns((uint64_t)(min) * NSEC_PER_USEC, SIM_SITE);	\
} while (0)
#define fsleep(us) usleep_range(us, us)
#define udelay(us) sim_sleep_ns((uint64_t)(us) * NSEC_PER_USEC, SIM_SITE)
#define ndelay(ns) sim_sleep_ns((uint64_t)(ns), SIM_SITE)
#define mdelay(ms) sim_sleep_ns((uint64_t)(ms) * NSEC_PER_MSEC, SIM_SITE)

#endif
