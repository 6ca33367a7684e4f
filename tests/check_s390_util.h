/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_s390_util.h - shared part of the host-side tests of the s390
 * shim (check_shim_s390, check_shim_big), which see no kernel headers.
 *
 * Owns: the generic shim entry points those tests call (driver/kernel/base.h
 * needs the kernel headers, so they are declared here once), and
 * tu_s390_run(), one execution of a test body in a fresh shim.  Include
 * after <check.h>/check_util.h and driver/kernel/s390.h.
 */
#ifndef APSIM_CHECK_S390_UTIL_H
#define APSIM_CHECK_S390_UTIL_H

#include <sys/types.h>

struct device;
struct mdev_device;
void shim_base_reset(void);
int shim_module_load(void);
void shim_module_unload(void);
int shim_slab_live_count(void);
int shim_mdev_create(int index, struct mdev_device **out);
int shim_mdev_remove(struct mdev_device *mdev);
struct device *shim_mdev_device(struct mdev_device *mdev);
ssize_t shim_sysfs_write(struct device *dev, const char *attr, const char *buf,
			 size_t count);
int shim_vfio_open(struct mdev_device *mdev, struct kvm *kvm);
void shim_vfio_close(struct mdev_device *mdev);

static void (*tu_s390_body)(void);

static void tu_s390_main(void *arg)
{
	(void)arg;
	tu_s390_body();
}

/* A fresh shim (generic and s390 parts), then fn() as thread 0 of one
 * execution under o; its result in *res. */
static inline void tu_s390_run(void (*fn)(void), const struct sim_opts *o, struct sim_result *res)
{
	shim_base_reset();
	shim_s390_reset();
	tu_s390_body = fn;
	ck_assert_int_eq(sim_run(o, tu_s390_main, NULL, NULL, res), 0);
}

#endif /* APSIM_CHECK_S390_UTIL_H */
