/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/lockdep.h (apsim shim) - lockdep annotations mapped onto libsim's
 * validator.  Every shim lock type (struct mutex, rw_semaphore, spinlock_t)
 * wraps the sim primitive as member `_s`, whose dep_map is the lock's map.
 */
#ifndef _APSIM_LINUX_LOCKDEP_H
#define _APSIM_LINUX_LOCKDEP_H

#include <apsim/sim.h>

#define lock_class_key sim_lock_class_key
struct lockdep_map_k;

#define lockdep_assert_held(l) \
	sim_lockdep_assert_held(&(l)->_s.dep_map, -1, SIM_SITE)
#define lockdep_assert_held_write(l) \
	sim_lockdep_assert_held(&(l)->_s.dep_map, 0, SIM_SITE)
#define lockdep_assert_held_read(l) \
	sim_lockdep_assert_held(&(l)->_s.dep_map, 1, SIM_SITE)
#define lockdep_assert_held_once(l) lockdep_assert_held(l)
#define lockdep_is_held(l) sim_lockdep_is_held(&(l)->_s.dep_map, -1)
#define lockdep_assert_none_held_once() do { } while (0)
#define lockdep_set_class(l, key) do { (void)(key); } while (0)
#define lockdep_set_class_and_name(l, key, name) do { (void)(key); } while (0)
#define lockdep_set_subclass(l, sub) do { } while (0)
#define lockdep_set_novalidate_class(l) sim_lockdep_set_novalidate(&(l)->_s.dep_map)

#define SINGLE_DEPTH_NESTING 1

#endif
