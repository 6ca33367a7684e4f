/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/compiler_types.h (apsim shim) - sparse/section annotations as no-ops
 * and the attribute shorthands the driver uses.
 */
#ifndef _APSIM_LINUX_COMPILER_TYPES_H
#define _APSIM_LINUX_COMPILER_TYPES_H

#define __user
#define __kernel
#define __iomem
#define __force
#define __rcu
#define __percpu
#define __bitwise
#define __safe
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __cond_lock(x, c) (c)

#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif
#define noinline	__attribute__((__noinline__))
#define __noreturn	__attribute__((__noreturn__))
#define __must_check	__attribute__((__warn_unused_result__))
#define __maybe_unused	__attribute__((__unused__))
#define __always_unused	__attribute__((__unused__))
#define __used		__attribute__((__used__))
#define __cold		__attribute__((__cold__))
#define __packed	__attribute__((__packed__))
#define __aligned(x)	__attribute__((__aligned__(x)))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#define __scanf(a, b)	__attribute__((__format__(scanf, a, b)))
#define __weak		__attribute__((__weak__))
#define __section(s)	__attribute__((__section__(s)))
#define __deprecated
#define __randomize_layout
#define __no_randomize_layout
#define notrace
#define __visible
#define __read_mostly
#define __ro_after_init
#define __init
#define __exit
#define __initdata
#define __exitdata
#define __initconst
#define __refdata
#define __devinit
#define __devexit
#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif
#ifndef inline
#define inline inline
#endif

#endif
