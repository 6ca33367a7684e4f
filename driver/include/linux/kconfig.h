/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/kconfig.h (apsim shim) - force-included into every kernel-side
 * translation unit.  Owns: the configuration the real driver is built with
 * (an s390 64-bit kernel with VFIO_AP) and the IS_ENABLED() family.
 * Macros only: it is seen before any libc header in shim .c files.
 */
#ifndef _APSIM_LINUX_KCONFIG_H
#define _APSIM_LINUX_KCONFIG_H

#define CONFIG_S390 1
#define CONFIG_64BIT 1
#define CONFIG_VFIO_AP 1
#define CONFIG_VFIO_MDEV 1
#define CONFIG_ZCRYPT 1
#define CONFIG_KVM 1
#define CONFIG_S390_DEBUG 1
#define CONFIG_HZ 100

/* IS_ENABLED(CONFIG_X): 1 when CONFIG_X is defined to 1, else 0. */
#define __APSIM_ARG_PLACEHOLDER_1 0,
#define __apsim_take_second(__ignored, val, ...) val
#define __apsim_is_defined(x) ___apsim_is_defined(x)
#define ___apsim_is_defined(val) ____apsim_is_defined(__APSIM_ARG_PLACEHOLDER_##val)
#define ____apsim_is_defined(arg1_or_junk) __apsim_take_second(arg1_or_junk 1, 0)
#define IS_BUILTIN(option) __apsim_is_defined(option)
#define IS_MODULE(option) 0
#define IS_ENABLED(option) __apsim_is_defined(option)
#define IS_REACHABLE(option) __apsim_is_defined(option)

/* The kernel API of the tree's version (feature macros). */
#include <apsim-kapi.h>

#endif
