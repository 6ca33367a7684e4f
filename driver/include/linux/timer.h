/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/timer.h (apsim shim) - struct timer_list.  Timers are recorded
 * (pending, expires) but never fire by themselves: nothing in vfio_ap
 * relies on them.  shim_timers_fire_expired() runs the expired ones in the
 * calling thread for models that want it (driver/kernel/lib.c).
 */
#ifndef _APSIM_LINUX_TIMER_H
#define _APSIM_LINUX_TIMER_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/jiffies.h>

struct timer_list {
	struct list_head entry;
	unsigned long expires;
	void (*function)(struct timer_list *);
	u32 flags;
	bool pending;
};

void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), unsigned int flags);
int mod_timer(struct timer_list *t, unsigned long expires);
void add_timer(struct timer_list *t);
int del_timer(struct timer_list *t);
#define del_timer_sync del_timer
#define timer_shutdown_sync del_timer
static inline int timer_pending(const struct timer_list *t) { return t->pending; }
int shim_timers_fire_expired(void);
#define from_timer(var, callback_timer, timer_fieldname) \
	container_of(callback_timer, __typeof__(*var), timer_fieldname)

#endif
