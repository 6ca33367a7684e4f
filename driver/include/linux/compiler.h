/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/compiler.h (apsim shim) - annotations, branch hints, READ_ONCE /
 * WRITE_ONCE and barriers.  Owns nothing at run time: only one simulated
 * thread runs at a time, so barriers are compiler barriers.
 */
#ifndef _APSIM_LINUX_COMPILER_H
#define _APSIM_LINUX_COMPILER_H

#include <linux/compiler_types.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define barrier()	__asm__ __volatile__("" ::: "memory")

/* Marked accesses: an access made while sim_race_marked is raised is
 * marked for libsim's race detector (two marked accesses never race:
 * sim/race.c); the address and the value are computed outside the window. */
extern volatile int sim_race_marked;
void sim_race_sync(const volatile void *p);
#define __apsim_marked(expr) ({ sim_race_marked++; __auto_type __mv = (expr); sim_race_marked--; __mv; })
#define __apsim_marked_void(stmt) do { sim_race_marked++; stmt; sim_race_marked--; } while (0)
/* A fully ordered RMW on *p: acquire and release of p's clock, marked. */
#define __apsim_ordered(p, expr) ({ sim_race_sync(p); __apsim_marked(expr); })
#define READ_ONCE(x)	({ const volatile __typeof__(x) *__rp = &(x); __apsim_marked(*__rp); })
#define WRITE_ONCE(x, val)					\
	do { volatile __typeof__(x) *__wp = &(x); __typeof__(x) __wv = (val); __apsim_marked_void(*__wp = __wv); } while (0)

#define smp_mb()	barrier()
#define smp_rmb()	barrier()
#define smp_wmb()	barrier()
#define mb()		barrier()
#define rmb()		barrier()
#define wmb()		barrier()
#define smp_mb__before_atomic() barrier()
#define smp_mb__after_atomic()	barrier()
#define smp_store_release(p, v) do { sim_race_sync(p); WRITE_ONCE(*(p), v); } while (0)
#define smp_load_acquire(p)	({ __auto_type __la = READ_ONCE(*(p)); sim_race_sync(p); __la; })

#define __same_type(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#define __must_be_array(a) 0

#endif
