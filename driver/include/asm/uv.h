/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/uv.h (apsim shim) - the Ultravisor calls the 6.12 driver makes for a
 * protected guest's notification byte (driver/kernel/pv.c).
 *
 * Owns: uv_pin_shared() (0: the page is shared with the host, or a
 * negative errno) and gmap_convert_to_secure().  The shim's pages are
 * always shareable; the calls are counted (shim_pv_counts in s390.h).
 */
#ifndef _APSIM_ASM_UV_H
#define _APSIM_ASM_UV_H

struct gmap;
int uv_pin_shared(unsigned long paddr);
int gmap_convert_to_secure(struct gmap *gmap, unsigned long gaddr);

#endif
