/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/isc.h (apsim shim) - s390 I/O interruption subclasses.
 *
 * Owns: the ISC numbers ap_bus.h and kvm-s390 refer to (MAX_ISC, AP_ISC).
 * The shim has no interruption delivery; these are only values.
 */
#ifndef _APSIM_ASM_ISC_H
#define _APSIM_ASM_ISC_H

#define MAX_ISC			7	/* ISCs 0..7 */
#define IO_SCH_ISC		3
#define CONSOLE_ISC		1
#define EADM_SCH_ISC		4
#define CHSC_SCH_ISC		7
#define QDIO_AIRQ_ISC		IO_SCH_ISC
#define PCI_ISC			2
#define AP_ISC			6	/* the host AP bus' ISC */

static inline void isc_register(unsigned int isc) { (void)isc; }
static inline void isc_unregister(unsigned int isc) { (void)isc; }

#endif /* _APSIM_ASM_ISC_H */
