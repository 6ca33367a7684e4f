/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apsim-kapi.h (apsim shim) - the kernel API the shim offers, derived from
 * the kernel version of the tree the driver comes from.
 *
 * Owns: KERNEL_VERSION/LINUX_VERSION_CODE, APSIM_KVER and the one mapping
 * from a kernel series to the shim's feature macros (APSIM_HAS_*,
 * APSIM_AP_*).  Shim code tests these named features, never a version.
 * Force-included (through linux/kconfig.h) into every kernel-side
 * translation unit, after build/gen/kversion.h (tools/ksrc-info.sh writes it
 * from the tree's Makefile).  Macros only.
 *
 * A series apsim does not know is a build error; tools/ksrc-info.sh turns it
 * into a message naming the version and docs/kernel-trees.md (exit 2).
 * Adding a tree = one block below + the shim code behind its features
 * (docs/kernel-trees.md).
 */
#ifndef _APSIM_KAPI_H
#define _APSIM_KAPI_H

#ifndef APSIM_KVER_MAJOR
#error "apsim: build/gen/kversion.h was not included (see the Makefile's KDEFS)"
#endif

#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define APSIM_KVER KERNEL_VERSION(APSIM_KVER_MAJOR, APSIM_KVER_MINOR, APSIM_KVER_SUB)
#define LINUX_VERSION_CODE APSIM_KVER
#define APSIM_KSERIES_IS(a, b) (APSIM_KVER_MAJOR == (a) && APSIM_KVER_MINOR == (b))

/*
 * Feature macros (each 0 or 1).  Services only a newer tree calls
 * (workqueues, eventfd, the vfio IRQ ioctls, PV and UV calls) are always
 * built; a macro switches where the trees' APIs differ, or tells tests and
 * the executor what the tree's driver does.
 *  APSIM_HAS_EVENTFD_REQ   the one-argument eventfd_signal() (6.8+); the
 *                          driver has the request IRQ (VFIO_DEVICE_SET_IRQS,
 *                          GET_IRQ_INFO) and relays vfio requests
 *  APSIM_AP_HWINFO         asm/ap.h of 6.12: struct ap_tapq_hwinfo (TAPQ GR2
 *                          as a structure) that ap_tapq()/ap_test_queue() fill,
 *                          ap_rapq()/ap_zapq() with an fbit, union ap_qirq_ctrl
 *  APSIM_AP_RESCAN_BOOL    ap_bus_force_rescan() returns bool
 *  APSIM_AP_RESET_ASYNC    the driver verifies a queue reset in a work item
 *                          that polls TAPQ until the reset is done
 *  APSIM_HAS_PV            the driver asks kvm_s390_pv_cpu_is_protected()
 *                          and shares a protected guest's NIB (uv_pin_shared)
 *  APSIM_BUS_CONST         struct bus_type is const (the driver core takes
 *                          const bus pointers, match() is optional)
 *  APSIM_VFIO_CORE_FREES   the vfio core frees a vfio_device after the
 *                          driver's release callback (6.2+)
 *  APSIM_VFIO_REGISTER_FIRST  the vfio core registers a device with the
 *                          container's IOMMU (its DMA unmap notifications)
 *                          before open_device and unregisters it after
 *                          close_device (6.2+: vfio_device_group_use_iommu);
 *                          6.1 registers it after open_device
 * And a name: APSIM_LOCKING_RULES, the rules file (rules/, built in) that
 * encodes the series' Documentation/.../vfio-ap-locking.rst.
 */
#if APSIM_KSERIES_IS(6, 1)
#define APSIM_KSERIES		"6.1"
#define APSIM_HAS_EVENTFD_REQ	0
#define APSIM_AP_HWINFO		0
#define APSIM_AP_RESCAN_BOOL	0
#define APSIM_AP_RESET_ASYNC	0
#define APSIM_HAS_PV		0
#define APSIM_BUS_CONST		0
#define APSIM_VFIO_CORE_FREES	0
#define APSIM_VFIO_REGISTER_FIRST	0
#define APSIM_LOCKING_RULES	"rules/vfio-ap-locking.rules"
#elif APSIM_KSERIES_IS(6, 12)
#define APSIM_KSERIES		"6.12"
#define APSIM_HAS_EVENTFD_REQ	1
#define APSIM_AP_HWINFO		1
#define APSIM_AP_RESCAN_BOOL	1
#define APSIM_AP_RESET_ASYNC	1
#define APSIM_HAS_PV		1
#define APSIM_BUS_CONST		1
#define APSIM_VFIO_CORE_FREES	1
#define APSIM_VFIO_REGISTER_FIRST	1
#define APSIM_LOCKING_RULES	"rules/vfio-ap-locking-6.12.rules"
#else
#error "apsim: the shim does not know this kernel series (docs/kernel-trees.md)"
#endif

#endif /* _APSIM_KAPI_H */
