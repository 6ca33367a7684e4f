/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_shim_kapi.c - the kernel API the shim offers per tree
 * (driver/include/apsim-kapi.h), through the real driver.
 *
 * Owns: nothing but these tests.  Trees with the request IRQ
 * (APSIM_HAS_EVENTFD_REQ): VFIO_DEVICE_GET_IRQ_INFO / SET_IRQS with
 * valid, malformed and out-of-range arguments, a bad fd, the driver's
 * reference on the VMM's eventfd, the vfio core's request on a removal
 * while the device is open signalling it, and the reference dropped by
 * fd -1.  Trees with PV guests (APSIM_HAS_PV): PQAP(AQIC) of a protected
 * guest pins the notification byte shared with the Ultravisor, an
 * unprotected one does not.  Older trees: the same ioctls are unknown to
 * the driver.  The tree's version reaches the shim (kversion.h).
 */
#include <linux/kernel.h>
#include <linux/kvm_host.h>
#include <linux/vfio.h>
#include <linux/mdev.h>
#include <linux/delay.h>
#include "driver/kernel/base.h"
#include "driver/kernel/s390.h"
#include "check_util.h"
#include "check_shim_util.h"

static struct mdev_device *m;
static struct kvm *kvm;

static void set_bit8(uint8_t *mask, int id)
{
	mask[id / 8] |= 0x80 >> (id % 8);
}

/* Adapter 5, domain 4 (usage and control), both free for vfio_ap; the
 * module loaded; a guest; mdev 0 with 05.0004 assigned, open. */
static void setup(void)
{
	struct shim_ap_hostcfg h;

	shim_driver_data_restore();
	shim_base_reset();
	shim_s390_reset();
	memset(&h, 0, sizeof(h));
	set_bit8(h.apm, 5);
	set_bit8(h.aqm, 4);
	set_bit8(h.adm, 4);
	h.apxa = true;
	h.have_apmask = h.have_aqmask = true;	/* nothing reserved for the host */
	ck_assert_int_eq(shim_ap_config_set(&h), 0);
	ck_assert_int_eq(shim_module_load(), 0);
	kvm = shim_kvm_create(1);
	ck_assert_ptr_nonnull(kvm);
	ck_assert_int_eq(shim_mdev_create(0, &m), 0);
	ck_assert_int_eq(shim_sysfs_write(shim_mdev_device(m), "assign_adapter", "5", 1), 1);
	ck_assert_int_eq(shim_sysfs_write(shim_mdev_device(m), "assign_domain", "4", 1), 1);
	ck_assert_int_eq(shim_vfio_open(m, kvm), 0);
}

static struct sim_result run(sim_fn main)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);
	struct sim_result r;

	tu_shim_fresh();
	ck_assert_int_eq(sim_run(&o, main, NULL, NULL, &r), 0);
	for (int i = 0; i < sim_findings_count(); i++)
		fprintf(stderr, "finding: %s\n", sim_finding_get(i)->signature);
	return r;
}

/* ------------------------------------------------------ request IRQ */

struct set_irqs {
	struct vfio_irq_set hdr;
	s32 fd;
};

static long set_irqs(u32 argsz, u32 flags, u32 index, u32 start, u32 count, s32 fd)
{
	struct set_irqs a = {
		.hdr = { .argsz = argsz, .flags = flags, .index = index,
			 .start = start, .count = count },
		.fd = fd,
	};

	return shim_vfio_ioctl(m, VFIO_DEVICE_SET_IRQS, (unsigned long)&a);
}

#define TRIGGER_EVENTFD (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)

static struct {
	long info_rc, info_bad_index, info_short;
	u32 info_count, info_flags;
	long bad_fd, other_fd, bad_flags, bad_index, bad_range, short_argsz, no_trigger,
	     two_types, neg_fd, set_ok, clear_ok;
	int refs_set, refs_cleared;
	long long signalled;
	int live_end;
} R;

static void remover(void *arg)
{
	ck_assert_int_eq(shim_mdev_remove(m), 0);
}

static void req_main(void *arg)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_AP_REQ_IRQ_INDEX };
	struct vfio_irq_info bad = { .argsz = sizeof(bad), .index = VFIO_AP_NUM_IRQS };
	struct vfio_irq_info shrt = { .argsz = 4, .index = VFIO_AP_REQ_IRQ_INDEX };
	const u32 full = sizeof(struct set_irqs);
	int fd;

	setup();
	fd = shim_eventfd_create();
	R.info_rc = shim_vfio_ioctl(m, VFIO_DEVICE_GET_IRQ_INFO, (unsigned long)&info);
	R.info_count = info.count;
	R.info_flags = info.flags;
	R.info_bad_index = shim_vfio_ioctl(m, VFIO_DEVICE_GET_IRQ_INFO, (unsigned long)&bad);
	R.info_short = shim_vfio_ioctl(m, VFIO_DEVICE_GET_IRQ_INFO, (unsigned long)&shrt);
	R.bad_fd = set_irqs(full, TRIGGER_EVENTFD, 0, 0, 1, fd + 1);
	R.other_fd = set_irqs(full, TRIGGER_EVENTFD, 0, 0, 1, shim_eventfd_other());
	R.bad_flags = set_irqs(full, TRIGGER_EVENTFD | (1 << 9), 0, 0, 1, fd);
	R.bad_index = set_irqs(full, TRIGGER_EVENTFD, VFIO_AP_NUM_IRQS, 0, 1, fd);
	R.bad_range = set_irqs(full, TRIGGER_EVENTFD, 0, 0, 2, fd);
	R.short_argsz = set_irqs(full - 1, TRIGGER_EVENTFD, 0, 0, 1, fd);
	R.no_trigger = set_irqs(full, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_MASK,
				0, 0, 1, fd);
	R.two_types = set_irqs(full, TRIGGER_EVENTFD | VFIO_IRQ_SET_DATA_BOOL, 0, 0, 1, fd);
	R.neg_fd = set_irqs(full, TRIGGER_EVENTFD, 0, 0, 1, -2);
	R.set_ok = set_irqs(full, TRIGGER_EVENTFD, 0, 0, 1, fd);
	R.refs_set = shim_eventfd_refs(fd);
	/* A removal while the device is open: the vfio core asks the driver
	 * to relay the request to the VMM, which lets go. */
	sim_thread_spawn("remover", remover, NULL);
	while (shim_eventfd_count(fd) == 0)
		msleep(1);
	R.signalled = shim_eventfd_count(fd);
	R.clear_ok = set_irqs(full, TRIGGER_EVENTFD, 0, 0, 1, -1);
	R.refs_cleared = shim_eventfd_refs(fd);
	shim_vfio_close(m);
	sim_thread_join_all(SIM_SITE);
	shim_eventfd_close(fd);
	R.live_end = shim_eventfd_live();
	shim_kvm_destroy(kvm);
	shim_module_unload();
}

static void old_main(void *arg)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = 0 };

	setup();
	R.info_rc = shim_vfio_ioctl(m, VFIO_DEVICE_GET_IRQ_INFO, (unsigned long)&info);
	R.set_ok = set_irqs(sizeof(struct set_irqs), TRIGGER_EVENTFD, 0, 0, 1, -1);
	shim_vfio_close(m);
	ck_assert_int_eq(shim_mdev_remove(m), 0);
	shim_kvm_destroy(kvm);
	shim_module_unload();
}

START_TEST(test_request_irq)
{
	struct sim_result r;

	memset(&R, 0, sizeof(R));
	if (!APSIM_HAS_EVENTFD_REQ) {
		r = run(old_main);
		ck_assert_int_eq(r.nfindings, 0);
		ck_assert_int_eq(R.info_rc, -EOPNOTSUPP);
		ck_assert_int_eq(R.set_ok, -EOPNOTSUPP);
		return;
	}
	r = run(req_main);
	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(R.info_rc, 0);
	ck_assert_uint_eq(R.info_count, 1);
	ck_assert_uint_eq(R.info_flags, VFIO_IRQ_INFO_EVENTFD);
	ck_assert_int_eq(R.info_bad_index, -EINVAL);
	ck_assert_int_eq(R.info_short, -EINVAL);
	ck_assert_int_eq(R.bad_fd, -EBADF);
	ck_assert_int_eq(R.other_fd, -EINVAL);
	ck_assert_int_eq(R.bad_flags, -EINVAL);
	ck_assert_int_eq(R.bad_index, -EINVAL);
	ck_assert_int_eq(R.bad_range, -EINVAL);
	ck_assert_int_eq(R.short_argsz, -EINVAL);
	ck_assert_int_eq(R.no_trigger, -EINVAL);
	ck_assert_int_eq(R.two_types, -EINVAL);
	ck_assert_int_eq(R.neg_fd, -EINVAL);
	ck_assert_int_eq(R.set_ok, 0);
	ck_assert_int_eq(R.refs_set, 2);		/* the fd's and the driver's */
	ck_assert_int_ge(R.signalled, 1);
	ck_assert_int_eq(R.clear_ok, 0);
	ck_assert_int_eq(R.refs_cleared, 1);
	ck_assert_int_eq(R.live_end, 0);
}
END_TEST

/* ------------------------------------------------------------ PV guests */

static struct shim_pv_counts pv_off, pv_on;
static int aqic_off, aqic_on;

static void pv_main(void *arg)
{
	setup();
	aqic_off = shim_vcpu_pqap_aqic(kvm, 0, 5, 4, true, 3, SHIM_PQAP_NIB_DEFAULT, NULL);
	shim_pv_get_counts(&pv_off);
	shim_vcpu_pqap_aqic(kvm, 0, 5, 4, false, 0, SHIM_PQAP_NIB_DEFAULT, NULL);
	shim_kvm_set_pv(kvm, true);
	aqic_on = shim_vcpu_pqap_aqic(kvm, 0, 5, 4, true, 3, SHIM_PQAP_NIB_DEFAULT, NULL);
	shim_pv_get_counts(&pv_on);
	shim_vcpu_pqap_aqic(kvm, 0, 5, 4, false, 0, SHIM_PQAP_NIB_DEFAULT, NULL);
	shim_vfio_close(m);
	ck_assert_int_eq(shim_mdev_remove(m), 0);
	shim_kvm_destroy(kvm);
	shim_module_unload();
}

START_TEST(test_pv_guest_pins_nib)
{
	struct sim_result r = run(pv_main);

	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(aqic_off, aqic_on);
	ck_assert_int_eq(pv_off.pin_shared, 0);
	/* only a tree that knows protected guests asks the Ultravisor */
	ck_assert_int_eq(pv_on.pin_shared, APSIM_HAS_PV ? 1 : 0);
}
END_TEST

/* ------------------------------------------------------------- version */

START_TEST(test_kversion)
{
	ck_assert_int_eq(APSIM_KVER, KERNEL_VERSION(APSIM_KVER_MAJOR, APSIM_KVER_MINOR,
						    APSIM_KVER_SUB));
	ck_assert_int_eq(LINUX_VERSION_CODE, APSIM_KVER);
	ck_assert(!strncmp(APSIM_KVER_STRING, APSIM_KSERIES ".", strlen(APSIM_KSERIES) + 1));
	/* the 6.12 API is offered to 6.12 and only there */
	ck_assert_int_eq(APSIM_HAS_EVENTFD_REQ, APSIM_KVER >= KERNEL_VERSION(6, 12, 0));
	ck_assert_int_eq(APSIM_AP_HWINFO, APSIM_KVER >= KERNEL_VERSION(6, 12, 0));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("shim_kapi");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_request_irq);
	tcase_add_test(tc, test_pv_guest_pins_nib);
	tcase_add_test(tc, test_kversion);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
