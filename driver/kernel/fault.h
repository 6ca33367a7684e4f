/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/fault.h - fault points of the shim kernel: kernel services
 * that can fail, made to fail on demand (from a scenario's `fault` lines,
 * armed by driver/world/world.c: the module-init ones, `modprobe`, just
 * before the driver's module init and disarmed after it, the others after
 * the setup block; and from the tests).
 *
 * Owns: the fault-point enum, arming (nth call or every call, with the
 * errno the real kernel function returns) and the check each shim service
 * makes at its entry (shim_fault_hit).  The allocation failures (failslab,
 * driver/kernel/slab.c) and the AP response codes (driver/kernel/ap_hw.c)
 * have their own injectors.
 *
 * Each point names the kernel function it stands for; the errors it may
 * return are those of the function in linux 6.1 and 6.12 (the scenario side
 * lists them: driver/scenario/faults.def).  The state of a point lives for
 * one execution (sim_generation): a new execution starts with every point
 * disarmed.
 */
#ifndef APSIM_SHIM_FAULT_H
#define APSIM_SHIM_FAULT_H

#include <apsim/sim.h>

/* SHIM_FAULT_POINT(ENUM, "name"): the name is the scenario's `fault NAME`. */
#define SHIM_FAULT_POINTS \
	SHIM_FAULT_POINT(PIN_PAGES, "pin_pages")             /* vfio_pin_pages */ \
	SHIM_FAULT_POINT(GISC_REGISTER, "gisc_register")     /* kvm_s390_gisc_register */ \
	SHIM_FAULT_POINT(GISC_UNREGISTER, "gisc_unregister") /* kvm_s390_gisc_unregister */ \
	SHIM_FAULT_POINT(DEVICE_ADD, "device_add")           /* device_add (device_register) */ \
	SHIM_FAULT_POINT(SYSFS_GROUP, "sysfs_group")         /* sysfs_create_group */ \
	SHIM_FAULT_POINT(MDEV_REGISTER, "mdev_register")     /* mdev_register_driver/_parent */ \
	SHIM_FAULT_POINT(EVENTFD, "eventfd")                 /* eventfd_ctx_fdget */ \
	SHIM_FAULT_POINT(DRIVER_REGISTER, "driver_register") /* driver_register */ \
	SHIM_FAULT_POINT(QCI, "qci")                         /* ap_qci (PQAP(QCI)) */

enum shim_fault_point {
#define SHIM_FAULT_POINT(e, name) SHIM_FP_##e,
	SHIM_FAULT_POINTS
#undef SHIM_FAULT_POINT
	SHIM_FP__COUNT
};

/* "pin_pages" -> SHIM_FP_PIN_PAGES; -1 for an unknown name. */
int shim_fault_lookup(const char *name);
const char *shim_fault_name(enum shim_fault_point p);
/*
 * Arm point p for this execution: fail its nth call from now on (1-based),
 * or every call (nth 0), with err (a negative errno).  nth < 0 disarms.
 */
void shim_fault_arm(enum shim_fault_point p, int nth, int err);
void shim_fault_disarm_all(void);
/*
 * At the entry of the service: 0 (go on), or the errno to return (the call
 * is counted; an injected failure is noted in the trace at site).
 */
int shim_fault_hit(enum shim_fault_point p, const struct sim_site *site);
/* Failures injected at p in this execution; the errno p is armed with. */
int shim_fault_count(enum shim_fault_point p);
int shim_fault_err(enum shim_fault_point p);

#endif /* APSIM_SHIM_FAULT_H */
