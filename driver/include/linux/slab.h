/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/slab.h (apsim shim) - kmalloc family over the checked slab of
 * driver/kernel/slab.c.  Every allocation macro passes SIM_SITE so the
 * caller's file:line is recorded (allocation/free sites in memory reports,
 * failslab matching, leak signatures).  Plain functions of the same names
 * exist too (for use as function pointers).
 */
#ifndef _APSIM_LINUX_SLAB_H
#define _APSIM_LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/compiler.h>
#include <apsim/sim.h>

#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)
#define ARCH_KMALLOC_MINALIGN 8
#define KMALLOC_MAX_SIZE (1UL << 25)

void *shim_kmalloc(size_t size, gfp_t flags, const struct sim_site *site);
void *shim_kmalloc_array(size_t n, size_t size, gfp_t flags, const struct sim_site *site);
void *shim_krealloc(const void *p, size_t size, gfp_t flags, const struct sim_site *site);
void shim_kfree(const void *p, const struct sim_site *site);
void *shim_kmemdup(const void *src, size_t len, gfp_t flags, const struct sim_site *site);
char *shim_kstrdup(const char *s, gfp_t flags, const struct sim_site *site);
char *shim_kstrndup(const char *s, size_t max, gfp_t flags, const struct sim_site *site);
size_t shim_ksize(const void *p);

void *kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void kfree(const void *p);

#define kmalloc(size, flags) shim_kmalloc(size, flags, SIM_SITE)
#define kzalloc(size, flags) shim_kmalloc(size, (flags) | __GFP_ZERO, SIM_SITE)
#define kmalloc_array(n, size, flags) shim_kmalloc_array(n, size, flags, SIM_SITE)
#define kcalloc(n, size, flags) shim_kmalloc_array(n, size, (flags) | __GFP_ZERO, SIM_SITE)
#define krealloc(p, size, flags) shim_krealloc(p, size, flags, SIM_SITE)
#define kmalloc_node(size, flags, node) kmalloc(size, flags)
#define kzalloc_node(size, flags, node) kzalloc(size, flags)
#define kfree(p) shim_kfree(p, SIM_SITE)
#define kfree_sensitive(p) shim_kfree(p, SIM_SITE)
#define kvfree(p) shim_kfree(p, SIM_SITE)
#define vfree(p) shim_kfree(p, SIM_SITE)
#define kmemdup(src, len, flags) shim_kmemdup(src, len, flags, SIM_SITE)
#define kstrdup(s, flags) shim_kstrdup(s, flags, SIM_SITE)
#define kstrdup_const(s, flags) shim_kstrdup(s, flags, SIM_SITE)
#define kfree_const(p) shim_kfree(p, SIM_SITE)
#define kstrndup(s, max, flags) shim_kstrndup(s, max, flags, SIM_SITE)
#define ksize(p) shim_ksize(p)
#define kvmalloc(size, flags) shim_kmalloc(size, flags, SIM_SITE)
#define kvzalloc(size, flags) shim_kmalloc(size, (flags) | __GFP_ZERO, SIM_SITE)
#define kvcalloc(n, size, flags) shim_kmalloc_array(n, size, (flags) | __GFP_ZERO, SIM_SITE)
#define kvmalloc_array(n, size, flags) shim_kmalloc_array(n, size, flags, SIM_SITE)
#define vmalloc(size) shim_kmalloc(size, GFP_KERNEL, SIM_SITE)
#define vzalloc(size) shim_kmalloc(size, GFP_KERNEL | __GFP_ZERO, SIM_SITE)

#endif
