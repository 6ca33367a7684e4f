/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/page.h (apsim shim) - 4 KiB pages (as on s390) and page_to_phys().
 */
#ifndef _APSIM_ASM_PAGE_H
#define _APSIM_ASM_PAGE_H

#include <linux/mm_types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr) (((addr) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGNED(addr) (((unsigned long)(addr) & (PAGE_SIZE - 1)) == 0)
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)
#define page_to_phys(page) ((page)->phys)
#define page_to_pfn(page) ((unsigned long)((page)->phys >> PAGE_SHIFT))
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)

/* The shim's physical addresses are host virtual addresses. */
#define virt_to_phys(p) ((unsigned long)(p))
#define phys_to_virt(pa) ((void *)(unsigned long)(pa))
#define __pa(p) virt_to_phys(p)
#define __va(pa) phys_to_virt(pa)

#endif
