/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/mm_types.h (apsim shim) - struct page as the vfio shim hands it out
 * from vfio_pin_pages(): it only carries the (simulated) physical address.
 */
#ifndef _APSIM_LINUX_MM_TYPES_H
#define _APSIM_LINUX_MM_TYPES_H
#include <linux/types.h>

struct page {
	unsigned long flags;
	phys_addr_t phys;	/* simulated host physical address of the page */
};
struct mm_struct;
#endif
