/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/facility.h (apsim shim) - s390 host facility tests (STFLE bits).
 *
 * Owns: test_facility().  The installed facilities are a deterministic
 * per-execution setting of the AP hardware model (driver/kernel/ap_hw.c):
 * by default 12 (QCI), 15 (APFT) and 65 (AQIC) are installed.
 */
#ifndef _APSIM_ASM_FACILITY_H
#define _APSIM_ASM_FACILITY_H

#include <linux/types.h>

bool shim_test_facility(unsigned long nr);

static inline int test_facility(unsigned long nr)
{
	return shim_test_facility(nr);
}

#endif /* _APSIM_ASM_FACILITY_H */
