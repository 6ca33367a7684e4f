/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/rwsem.h (apsim shim) - struct rw_semaphore on sim_rwsem; classes
 * like mutex.h (init_rwsem: static key per site, stringified name).
 */
#ifndef _APSIM_LINUX_RWSEM_H
#define _APSIM_LINUX_RWSEM_H

#include <linux/types.h>
#include <linux/lockdep.h>
#include <apsim/sim.h>

struct rw_semaphore {
	struct sim_rwsem _s;
};

#define __RWSEM_INITIALIZER(x) {					\
	._s = {								\
		.dep_map = {						\
			.key = (const struct sim_lock_class_key *)&(x),	\
			.name = #x,					\
		},							\
		.wq = { .name = #x, .map = &(x)._s.dep_map },		\
	} }
#define DECLARE_RWSEM(x) struct rw_semaphore x = __RWSEM_INITIALIZER(x)

#define init_rwsem(s) do {						\
	static struct sim_lock_class_key __key;				\
	sim_rwsem_init(&(s)->_s, #s, &__key, SIM_SITE);			\
} while (0)

#define down_read(s) sim_rwsem_down_read(&(s)->_s, 0, SIM_SITE)
#define down_read_nested(s, sub) sim_rwsem_down_read(&(s)->_s, sub, SIM_SITE)
#define down_read_killable(s) ({ down_read(s); 0; })
#define down_read_interruptible(s) ({ down_read(s); 0; })
#define down_write(s) sim_rwsem_down_write(&(s)->_s, 0, SIM_SITE)
#define down_write_nested(s, sub) sim_rwsem_down_write(&(s)->_s, sub, SIM_SITE)
#define down_write_killable(s) ({ down_write(s); 0; })
#define down_read_trylock(s) sim_rwsem_down_read_trylock(&(s)->_s, SIM_SITE)
#define down_write_trylock(s) sim_rwsem_down_write_trylock(&(s)->_s, SIM_SITE)
#define up_read(s) sim_rwsem_up_read(&(s)->_s, SIM_SITE)
#define up_write(s) sim_rwsem_up_write(&(s)->_s, SIM_SITE)
#define downgrade_write(s) sim_rwsem_downgrade_write(&(s)->_s, SIM_SITE)
#define rwsem_is_locked(s) sim_rwsem_is_locked(&(s)->_s)

#endif
