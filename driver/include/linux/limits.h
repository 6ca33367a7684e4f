/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/limits.h (apsim shim) - the uapi path/arg limits (glibc's
 * <limits.h> includes <linux/limits.h>, which resolves here in shim builds)
 * and the kernel's integer limits.  Guarded so libc's <limits.h> may come
 * before or after.
 */
#ifndef _APSIM_LINUX_LIMITS_H
#define _APSIM_LINUX_LIMITS_H

#define NR_OPEN		1024
#define NGROUPS_MAX	65536
#define ARG_MAX		131072
#define LINK_MAX	127
#define MAX_CANON	255
#define MAX_INPUT	255
#define NAME_MAX	255
#define PATH_MAX	4096
#define PIPE_BUF	4096
#define XATTR_NAME_MAX	255
#define XATTR_SIZE_MAX	65536
#define XATTR_LIST_MAX	65536
#define RTSIG_MAX	32

#ifdef __KERNEL__
#ifndef INT_MAX
#define INT_MAX		((int)(~0U >> 1))
#endif
#ifndef INT_MIN
#define INT_MIN		(-INT_MAX - 1)
#endif
#ifndef UINT_MAX
#define UINT_MAX	(~0U)
#endif
#ifndef LONG_MAX
#define LONG_MAX	((long)(~0UL >> 1))
#endif
#ifndef LONG_MIN
#define LONG_MIN	(-LONG_MAX - 1)
#endif
#ifndef ULONG_MAX
#define ULONG_MAX	(~0UL)
#endif
#ifndef LLONG_MAX
#define LLONG_MAX	((long long)(~0ULL >> 1))
#endif
#ifndef LLONG_MIN
#define LLONG_MIN	(-LLONG_MAX - 1)
#endif
#ifndef ULLONG_MAX
#define ULLONG_MAX	(~0ULL)
#endif
#ifndef SHRT_MAX
#define SHRT_MAX	((short)(USHRT_MAX >> 1))
#endif
#ifndef USHRT_MAX
#define USHRT_MAX	((unsigned short)~0U)
#endif
#define U8_MAX		((unsigned char)~0U)
#define S8_MAX		((signed char)(U8_MAX >> 1))
#define S8_MIN		((signed char)(-S8_MAX - 1))
#define U16_MAX		((unsigned short)~0U)
#define S16_MAX		((short)(U16_MAX >> 1))
#define S16_MIN		((short)(-S16_MAX - 1))
#define U32_MAX		(~0U)
#define S32_MAX		((int)(U32_MAX >> 1))
#define S32_MIN		((int)(-S32_MAX - 1))
#define U64_MAX		(~0ULL)
#define S64_MAX		((long long)(U64_MAX >> 1))
#define S64_MIN		((long long)(-S64_MAX - 1))
#define SIZE_MAX_K	(~(size_t)0)
#endif

#endif
