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

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)					\
	do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)

#define smp_mb()	barrier()
#define smp_rmb()	barrier()
#define smp_wmb()	barrier()
#define mb()		barrier()
#define rmb()		barrier()
#define wmb()		barrier()
#define smp_mb__before_atomic() barrier()
#define smp_mb__after_atomic()	barrier()
#define smp_store_release(p, v) WRITE_ONCE(*(p), v)
#define smp_load_acquire(p)	READ_ONCE(*(p))

#define __same_type(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#define __must_be_array(a) 0

#endif
