/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/spinlock.h (apsim shim) - spinlock_t / raw_spinlock_t on
 * sim_spinlock (interrupt flags are unused: there are no interrupts).
 * Sleeping while holding one is a SIM_F_SLEEP_ATOMIC finding (libsim).
 */
#ifndef _APSIM_LINUX_SPINLOCK_H
#define _APSIM_LINUX_SPINLOCK_H

#include <linux/types.h>
#include <linux/lockdep.h>
#include <apsim/sim.h>

typedef struct spinlock {
	struct sim_spinlock _s;
} spinlock_t;
typedef spinlock_t raw_spinlock_t;

#define __SPIN_LOCK_UNLOCKED(x) {					\
	._s = {								\
		.dep_map = {						\
			.key = (const struct sim_lock_class_key *)&(x),	\
			.name = #x,					\
		},							\
		.wq = { .name = #x, .map = &(x)._s.dep_map },		\
	} }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RAW_SPINLOCK(x) DEFINE_SPINLOCK(x)

#define spin_lock_init(l) do {						\
	static struct sim_lock_class_key __key;				\
	sim_spin_init(&(l)->_s, #l, &__key, SIM_SITE);			\
} while (0)
#define raw_spin_lock_init spin_lock_init

#define spin_lock(l) sim_spin_lock(&(l)->_s, SIM_SITE)
#define spin_lock_bh spin_lock
#define spin_lock_irq spin_lock
#define spin_lock_nested(l, sub) spin_lock(l)
#define spin_trylock(l) sim_spin_trylock(&(l)->_s, SIM_SITE)
#define spin_unlock(l) sim_spin_unlock(&(l)->_s, SIM_SITE)
#define spin_unlock_bh spin_unlock
#define spin_unlock_irq spin_unlock
#define spin_lock_irqsave(l, flags) do { (flags) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { (void)(flags); spin_unlock(l); } while (0)
#define spin_is_locked(l) ((l)->_s.owner != 0)

#define raw_spin_lock spin_lock
#define raw_spin_unlock spin_unlock
#define raw_spin_lock_irqsave spin_lock_irqsave
#define raw_spin_unlock_irqrestore spin_unlock_irqrestore
#define raw_spin_trylock spin_trylock

#define local_irq_save(flags) do { (flags) = 0; } while (0)
#define local_irq_restore(flags) do { (void)(flags); } while (0)
#define local_irq_disable() do { } while (0)
#define local_irq_enable() do { } while (0)
#define local_bh_disable() do { } while (0)
#define local_bh_enable() do { } while (0)
#define preempt_disable() do { } while (0)
#define preempt_enable() do { } while (0)

#endif
