/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/uaccess.h (apsim shim) - user copies are memcpy from/to host
 * memory that can fail: a NULL (first page) user pointer or an injected
 * fault (shim_uaccess_fail_set in base.h) copies nothing and returns the
 * number of bytes not copied, like the kernel.  driver/kernel/lib.c.
 */
#ifndef _APSIM_LINUX_UACCESS_H
#define _APSIM_LINUX_UACCESS_H
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>

unsigned long __must_check shim_copy_from_user(void *to, const void __user *from,
					       unsigned long n);
unsigned long __must_check shim_copy_to_user(void __user *to, const void *from,
					     unsigned long n);
#define copy_from_user(to, from, n) shim_copy_from_user(to, from, n)
#define copy_to_user(to, from, n) shim_copy_to_user(to, from, n)
#define get_user(x, ptr) ({ __typeof__(*(ptr)) __gu; \
	int __e = shim_copy_from_user(&__gu, ptr, sizeof(__gu)) ? -EFAULT : 0; \
	if (!__e)							\
		(x) = __gu;						\
	__e; })
#define put_user(x, ptr) ({ __typeof__(*(ptr)) __pu = (x); \
	shim_copy_to_user(ptr, &__pu, sizeof(__pu)) ? -EFAULT : 0; })
#endif
