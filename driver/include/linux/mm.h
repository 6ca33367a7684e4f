/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/mm.h (apsim shim) - page helpers.
 */
#ifndef _APSIM_LINUX_MM_H
#define _APSIM_LINUX_MM_H
#include <linux/types.h>
#include <linux/mm_types.h>
#include <asm/page.h>
#include <linux/slab.h>
#endif
