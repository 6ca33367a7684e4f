/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/mutex.h (apsim shim) - struct mutex on sim_mutex.  The lock class
 * of mutex_init() is one static key per init site, named by the
 * stringified argument (like lockdep: "&matrix_dev->guests_lock").
 * DEFINE_MUTEX(x) needs no init call: its key is its own address.
 */
#ifndef _APSIM_LINUX_MUTEX_H
#define _APSIM_LINUX_MUTEX_H

#include <linux/types.h>
#include <linux/lockdep.h>
#include <apsim/sim.h>

struct mutex {
	struct sim_mutex _s;
};

#define __MUTEX_INITIALIZER(x) {					\
	._s = {								\
		.dep_map = {						\
			.key = (const struct sim_lock_class_key *)&(x),	\
			.name = #x,					\
		},							\
		.wq = { .name = #x, .map = &(x)._s.dep_map },		\
	} }
#define DEFINE_MUTEX(x) struct mutex x = __MUTEX_INITIALIZER(x)

#define mutex_init(m) do {						\
	static struct sim_lock_class_key __key;				\
	sim_mutex_init(&(m)->_s, #m, &__key, SIM_SITE);			\
} while (0)
#define __mutex_init(m, name, key) sim_mutex_init(&(m)->_s, name, key, SIM_SITE)
#define mutex_destroy(m) do { (void)(m); } while (0)

#define mutex_lock(m) sim_mutex_lock(&(m)->_s, 0, SIM_SITE)
#define mutex_lock_nested(m, sub) sim_mutex_lock(&(m)->_s, sub, SIM_SITE)
#define mutex_lock_interruptible(m) sim_mutex_lock_interruptible(&(m)->_s, 0, SIM_SITE)
#define mutex_lock_interruptible_nested(m, sub) \
	sim_mutex_lock_interruptible(&(m)->_s, sub, SIM_SITE)
#define mutex_lock_killable(m) sim_mutex_lock_interruptible(&(m)->_s, 0, SIM_SITE)
#define mutex_lock_killable_nested(m, sub) \
	sim_mutex_lock_interruptible(&(m)->_s, sub, SIM_SITE)
#define mutex_lock_io(m) mutex_lock(m)
#define mutex_trylock(m) sim_mutex_trylock(&(m)->_s, SIM_SITE)
#define mutex_unlock(m) sim_mutex_unlock(&(m)->_s, SIM_SITE)
#define mutex_is_locked(m) sim_mutex_is_locked(&(m)->_s)

#endif
