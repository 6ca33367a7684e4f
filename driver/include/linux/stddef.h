/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/stddef.h (apsim shim) - offsetof helpers.
 */
#ifndef _APSIM_LINUX_STDDEF_H
#define _APSIM_LINUX_STDDEF_H
#include <stddef.h>
#include <linux/types.h>

#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof_field(TYPE, MEMBER))
#endif
