/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/container_of.h (apsim shim).
 */
#ifndef _APSIM_LINUX_CONTAINER_OF_H
#define _APSIM_LINUX_CONTAINER_OF_H
#include <stddef.h>

#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)((char *)__mptr - offsetof(type, member))); })
#define container_of_const(ptr, type, member) container_of(ptr, type, member)
#endif
