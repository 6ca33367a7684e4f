// SPDX-License-Identifier: GPL-2.0
/*
 * tests/check_shim_fidelity.c - the shim-fidelity audit of issue 14
 * (docs/shim-fidelity.md): each divergence fixed in the AP bus, the AP
 * instructions, the slab and the registration services is pinned here by
 * the kernel behaviour it now follows (file, function and series cited at
 * each test), and the module-init fault points (`fault ... modprobe`,
 * `mdev_register`, `driver_register`, `qci`) are driven through the real driver's
 * vfio_ap_init and its unwinding.
 *
 * Owns: nothing but these tests.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mdev.h>
#include "vfio_ap_private.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/s390.h"
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"
#include "check_shim_util.h"
#include "check_util.h"
#include "check_world_util.h"

static struct apsim_scenario scn;
static struct apsim_exec ex;

/* The hardware state of two queues after the threads (inspect hook). */
static struct shim_apq_state q0504, q0605;

static void inspect(void *arg)
{
	shim_ap_hw_queue_state(5, 4, &q0504);
	shim_ap_hw_queue_state(6, 5, &q0605);
}

/* A host with adapters 5 (free for vfio_ap) and 6, domains 4 (free) and 5:
 * 06.0005 is the default driver's, the others vfio_ap's; the text adds
 * faults, setup and threads. */
static const char hdr[] =
	"scenario t\n"
	"host adapters 5,6 domains 4,5 control-domains 4\n"
	"host free-adapters 5 free-domains 4\n";

static void parse(const char *text)
{
	tu_scn_parse(&scn, hdr, text);
}

/* One execution (round robin); the "-> R" results must hold.  Returns the
 * number of findings. */
static int run(const char *text)
{
	parse(text);
	memset(&q0504, 0, sizeof(q0504));
	memset(&q0605, 0, sizeof(q0605));
	return tu_scn_run(&scn, &ex, inspect, false);
}

/* ------------------------------------------------ module-init faults */

/*
 * 6.1 and 6.12 vfio_ap_mdev_register (vfio_ap_ops.c): mdev_register_driver
 * fails -> vfio_ap_init (vfio_ap_drv.c) unregisters the AP driver and
 * destroys the matrix device.  The host then has no mdev parent:
 * mdev_device_create is unreachable (the shim answers -ENODEV), and the
 * driver must have freed all it allocated.  `fault mdev_register` is armed
 * before the module loads without `modprobe` (the point is init-only).
 */
START_TEST(mdev_register_driver_fails_modprobe)
{
	ck_assert_int_eq(run("fault mdev_register\n"
			     "setup:\n"
			     "    create_mdev m0 -> -ENODEV\n"
			     "thread a:\n"
			     "    bind 05.0004 -> -ENODEV\n"      /* no vfio_ap driver */
			     "    read_queue_status 05.0004 -> -ENOENT\n"), 0);
	ck_assert_int_eq(shim_fault_count(SHIM_FP_MDEV_REGISTER), 1);
	ck_assert(scn.faults[0].modprobe);
	ck_assert(!ex.invariants_checked);        /* no driver to check */
}
END_TEST

/* The same, at mdev_register_parent (mdev_core.c; the point's 2nd call),
 * whose error vfio_ap_mdev_register unwinds with mdev_unregister_driver. */
START_TEST(mdev_register_parent_fails_modprobe)
{
	ck_assert_int_eq(run("fault mdev_register err -EEXIST nth 2\n"
			     "thread a:\n"
			     "    create_mdev m0 -> -ENODEV\n"), 0);
	ck_assert_int_eq(shim_fault_count(SHIM_FP_MDEV_REGISTER), 1);
}
END_TEST

/*
 * driver_register (drivers/base/driver.c) during vfio_ap_init: the 1st call
 * is vfio_ap_matrix_dev_create's driver_register(&matrix_driver).  6.1
 * unwinds it with device_unregister (the last reference: the release frees
 * matrix_dev) and falls through to put_device on the freed device, a
 * use-after-free; 6.12 calls device_del there instead (vfio_ap_drv.c).
 * The 2nd call is ap_driver_register (vfio_ap_init destroys the matrix
 * device), the 3rd mdev_register_driver's: both unwind cleanly.  There is
 * no 4th call: the module loads, the point is disarmed after the init.
 */
START_TEST(driver_register_fails_modprobe)
{
	/* 6.1's use-after-free is a real one in the ASan build, where the
	 * host's AddressSanitizer stops the process before apsim reports it:
	 * that case runs in the normal build only */
	if (APSIM_HAS_EVENTFD_REQ || !tu_asan()) {
		int n = run("fault driver_register err -ENOMEM nth 1\n");

		if (!APSIM_HAS_EVENTFD_REQ) {             /* 6.1 */
			ck_assert_int_eq(n, 1);
			ck_assert(tu_has_finding("memory:use-after-free:vfio_ap_matrix_dev_create"));
		} else {
			ck_assert_int_eq(n, 0);
		}
	}
	ck_assert_int_eq(run("fault driver_register err -EBUSY nth 2\n"
			     "thread a:\n"
			     "    create_mdev m0 -> -ENODEV\n"), 0);
	ck_assert_int_eq(run("fault driver_register err -EINVAL nth 3\n"
			     "thread a:\n"
			     "    create_mdev m0 -> -ENODEV\n"), 0);
	ck_assert_int_eq(run("fault driver_register nth 4\n"
			     "thread a:\n"
			     "    create_mdev m0 -> 0\n"), 0);
	ck_assert_int_eq(shim_fault_count(SHIM_FP_DRIVER_REGISTER), 0);
}
END_TEST

/*
 * `fault device_add ... modprobe`: the init's device_add calls are
 * root_device_register's (1st) and the matrix device's device_register
 * (2nd; vfio_ap_matrix_dev_create unwinds with put_device, whose release
 * frees matrix_dev).  Without `modprobe` the same fault is the threads':
 * the module loads and create_mdev fails instead (mdev_device_create's
 * device_add).
 */
START_TEST(device_add_fails_modprobe)
{
	for (int nth = 1; nth <= 2; nth++) {
		char text[256];

		snprintf(text, sizeof(text), "fault device_add nth %d modprobe\n"
			 "thread a:\n"
			 "    create_mdev m0 -> -ENODEV\n", nth);
		ck_assert_int_eq(run(text), 0);
		ck_assert_int_eq(shim_fault_count(SHIM_FP_DEVICE_ADD), 1);
	}
	ck_assert_int_eq(run("fault device_add nth 1\n"
			     "thread a:\n"
			     "    create_mdev m0 -> -ENOMEM\n"
			     "    create_mdev m0 -> 0\n"), 0);
}
END_TEST

/* `fault kmalloc at vfio_ap_matrix_dev_create modprobe`: the kzalloc of
 * matrix_dev fails, vfio_ap_init returns -ENOMEM (matrix_alloc_err);
 * nothing leaks. */
START_TEST(kmalloc_fails_modprobe)
{
	ck_assert_int_eq(run("fault kmalloc at vfio_ap_matrix_dev_create modprobe\n"
			     "thread a:\n"
			     "    create_mdev m0 -> -ENODEV\n"), 0);
	ck_assert_int_eq(shim_slab_failed_count(), 1);
}
END_TEST

/*
 * `fault sysfs_group nth 1 modprobe`: a failing probe is not an init
 * failure (driver_attach ignores it, drivers/base/dd.c): the module loads
 * on both trees.  On 6.1 the first sysfs_create_group of the init is
 * vfio_ap_mdev_probe_queue's for the free queue 05.0004, probed when
 * ap_driver_register attaches the driver: the queue stays without a driver
 * (no `status` file).  On 6.12 it is the matrix driver's dev_groups (the
 * `features` file, vfio_ap_drv.c), created by really_probe after the
 * matrix device's probe: that probe fails, the matrix device stays
 * unbound, and the mdev parent is registered all the same.
 */
START_TEST(sysfs_group_fails_modprobe)
{
	if (!APSIM_HAS_EVENTFD_REQ)               /* 6.1 */
		ck_assert_int_eq(run("fault sysfs_group nth 1 modprobe\n"
				     "thread a:\n"
				     "    read_queue_status 05.0004 -> -ENOENT\n"
				     "    create_mdev m0 -> 0\n"), 0);
	else
		ck_assert_int_eq(run("fault sysfs_group nth 1 modprobe\n"
				     "thread a:\n"
				     "    create_mdev m0 -> 0\n"), 0);
	ck_assert_int_eq(shim_fault_count(SHIM_FP_SYSFS_GROUP), 1);
}
END_TEST

/*
 * `fault qci` (module init only): ap_qci (asm/ap.h) fails with
 * -EOPNOTSUPP in vfio_ap_matrix_dev_create (vfio_ap_drv.c, 6.1 and 6.12),
 * which jumps to matrix_alloc_err past the kfree of the matrix_dev it
 * allocated: the leak check reports it, on both trees.
 */
START_TEST(qci_fails_modprobe_leaks_matrix_dev)
{
	ck_assert_int_eq(run("fault qci\n"
			     "thread a:\n"
			     "    create_mdev m0 -> -ENODEV\n"), 1);
	ck_assert(tu_has_finding("memory:leak:vfio_ap_matrix_dev_create"));
	ck_assert_int_eq(shim_fault_count(SHIM_FP_QCI), 1);
}
END_TEST

/* The scenario syntax: `modprobe` on kmalloc and fault points, implied for
 * the init-only points (and then not written), refused elsewhere. */
START_TEST(modprobe_syntax)
{
	char buf[4096], err[256];
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	parse("fault device_add nth 2 modprobe\n"
	      "fault kmalloc at vfio_ap_matrix_dev_create every modprobe\n"
	      "fault mdev_register nth 2\n"
	      "fault pin_pages\n");
	ck_assert(scn.faults[0].modprobe && scn.faults[1].modprobe && scn.faults[2].modprobe);
	ck_assert(!scn.faults[3].modprobe);
	f = open_memstream(&out, &len);
	ck_assert_int_eq(apsim_scn_write(f, &scn), 0);
	fclose(f);
	ck_assert_msg(strstr(out, "fault device_add err -ENOMEM nth 2 modprobe\n"), "%s", out);
	ck_assert_msg(strstr(out, "fault kmalloc at vfio_ap_matrix_dev_create every modprobe\n"), "%s", out);
	ck_assert_msg(strstr(out, "fault mdev_register err -ENOMEM nth 2\n"), "%s", out);
	ck_assert_msg(strstr(out, "fault pin_pages err -EINVAL nth 1\n"), "%s", out);
	free(out);
	snprintf(buf, sizeof(buf), "%sfault ap zapq 05.0004 rc busy modprobe\n", hdr);
	ck_assert_int_ne(apsim_scn_parse_buf(buf, strlen(buf), "t.scn", &scn, err, sizeof(err)), 0);
	snprintf(buf, sizeof(buf), "%sfault device_add modprobe nth 2\n", hdr);
	ck_assert_int_ne(apsim_scn_parse_buf(buf, strlen(buf), "t.scn", &scn, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "t.scn:4:"), "%s", err);
}
END_TEST

/* A world whose modprobe failed bypasses the world snapshot: an
 * exploration rebuilds it for every execution, each one clean. */
static int nfound;

static int count_exec(uint64_t i, const struct sim_result *res, void *arg)
{
	nfound += sim_findings_count();
	return 0;
}

START_TEST(failed_modprobe_world_not_snapshotted)
{
	struct sim_opts o;
	unsigned long u0;

	parse("fault mdev_register\n"
	      "setup:\n"
	      "    kvm_create k0 vcpus 1\n"
	      "thread a:\n"
	      "    create_mdev m0 -> -ENODEV\n"
	      "thread b:\n"
	      "    create_mdev m1 -> -ENODEV\n");
	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RANDOM;
	o.seed = 7;
	apsim_world_set_snapshot(1);
	u0 = apsim_world_snapshot_used();
	nfound = 0;
	ck_assert_int_eq(apsim_world_explore(&scn, &o, 20, count_exec, NULL, &ex, NULL), 20);
	ck_assert_uint_eq(apsim_world_snapshot_used(), u0);
	apsim_world_set_snapshot(-1);
	ck_assert_int_eq(nfound, 0);
	ck_assert_int_eq(ex.mismatches, 0);
}
END_TEST

/* ------------------------------------------------- fidelity fixes */

/*
 * ap_device_remove (drivers/s390/crypto/ap_bus.c, 6.1 and 6.12) calls
 * ap_queue_remove (ap_queue.c) after the driver's remove: ZAPQ, which
 * disables the queue's interruptions and starts its reset.  Unbinding
 * 06.0005 from the default driver (whose remove does nothing) leaves
 * exactly that ZAPQ; the queue is in reset afterwards.
 */
START_TEST(unbind_resets_the_queue)
{
	ck_assert_int_eq(run("thread a:\n"
			     "    unbind 06.0005 -> 0\n"), 0);
	ck_assert_uint_eq(q0605.nr_zapq, 1);
	ck_assert(q0605.reset_in_progress);
	ck_assert(!q0605.irq_enabled);
	/* vfio_ap's remove resets the queue itself (vfio_ap_mdev_reset_queue),
	 * then the bus's ZAPQ: one more than the driver's */
	ck_assert_int_eq(run("thread a:\n"
			     "    unbind 05.0004 -> 0\n"), 0);
	ck_assert_uint_ge(q0504.nr_zapq, 2);
}
END_TEST

/*
 * vfio_iommu_type1_unregister_device (drivers/vfio/vfio_iommu_type1.c, 6.1
 * and 6.12) takes iommu->device_list_lock before it touches the device's
 * iommu_entry.  The shim tested list_empty() on it first, unlocked, while
 * another device's last close list_del'ed its neighbour under the lock,
 * writing this node: the race detector reported
 * race:container_unregister,container_unregister (a 6.12 campaign of
 * 2026-12-04, shrunk to two closes).  Random schedules, detector on.
 */
START_TEST(container_unregister_touches_the_node_locked)
{
	int races = 0;

	parse("setup:\n"
	      "    kvm_create k0 vcpus 1\n"
	      "    kvm_create k1 vcpus 1\n"
	      "    create_mdev m0\n"
	      "    create_mdev m1\n"
	      "    open m0 k0\n"
	      "    open m1 k1\n"
	      "thread t0:\n"
	      "    close m1\n"
	      "thread t1:\n"
	      "    close m0\n");
	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct sim_opts o;
		struct sim_result r;

		sim_opts_default(&o);
		o.strategy = SIM_STRAT_RANDOM;
		o.seed = seed;
		o.trace = false;
		o.races = true;
		ck_assert_int_eq(apsim_world_run(&scn, &o, &r, &ex), 0);
		races += tu_has_finding("race:container_unregister");
	}
	ck_assert_int_eq(races, 0);
}
END_TEST

/*
 * mdev_register_driver (drivers/vfio/mdev/mdev_driver.c, 6.1 and 6.12)
 * returns -EINVAL for a driver without device_api, before driver_register.
 */
static struct mdev_driver no_api = { .driver = { .name = "noapi" } };
static int reg_rc;

static void reg_body(void *arg)
{
	reg_rc = mdev_register_driver(&no_api);
}

/* fn as thread 0 of one round-robin run on a fresh shim and AP bus. */
static void run_fresh(sim_fn fn)
{
	struct sim_opts o;
	struct sim_result r;

	tu_shim_fresh();
	shim_s390_reset();
	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RR;
	o.trace = false;
	o.max_steps = 1ULL << 40;
	ck_assert_int_eq(sim_run(&o, fn, NULL, NULL, &r), 0);
}

START_TEST(mdev_register_driver_needs_device_api)
{
	run_fresh(reg_body);
	ck_assert_int_eq(reg_rc, -EINVAL);
}
END_TEST

/*
 * ap_get_qdev (ap_bus.c, 6.1 and 6.12) walks every bucket of ap_queues;
 * the shim looks in the qid's bucket unless shim_ap_kernel_lookup_cost
 * (bench_apcb) is set: both give the same queue (or none) for every APQN
 * of a crowded table (1,536 queues in 256 buckets).
 */
static int qdev_diff, qdev_found;

static void qdev_body(void *arg)
{
	struct shim_ap_hostcfg c;

	memset(&c, 0, sizeof(c));
	c.apxa = true;
	memset(c.apm, 0xff, 32);		/* adapters 0-255 */
	c.aqm[0] = c.adm[0] = 0xfc;		/* domains 0-5 */
	ck_assert_int_eq(shim_ap_config_set(&c), 0);
	for (int a = 0; a < 256; a++)
		for (int d = 0; d < 8; d++) {
			struct ap_queue *q[2];

			for (int k = 0; k < 2; k++) {
				shim_ap_kernel_lookup_cost = k;
				q[k] = ap_get_qdev(AP_MKQID(a, d));
				if (q[k])
					put_device(&q[k]->ap_dev.device);
			}
			qdev_diff += q[0] != q[1];
			qdev_found += q[0] && q[0]->qid == AP_MKQID(a, d);
		}
	shim_ap_kernel_lookup_cost = false;
}

START_TEST(ap_get_qdev_by_bucket_is_the_walk)
{
	run_fresh(qdev_body);
	ck_assert_int_eq(qdev_diff, 0);
	ck_assert_int_eq(qdev_found, 256 * 6);
}
END_TEST

/*
 * The slab (mm/slab_common.c, 6.1 and 6.12): kmalloc(0) is ZERO_SIZE_PTR
 * (no object, no failslab call), kfree of NULL and ZERO_SIZE_PTR does
 * nothing, kmalloc_array overflow is NULL, kzalloc zeroes, krealloc to 0
 * frees and returns ZERO_SIZE_PTR, krealloc keeps the contents, kmemdup of
 * 0 bytes is ZERO_SIZE_PTR; failslab (mm/failslab.c) never fails a
 * __GFP_NOFAIL allocation.
 */
static void slab_body(void *arg)
{
	char *p, *q;

	ck_assert_ptr_eq(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
	ck_assert_ptr_null(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	p = kzalloc(24, GFP_KERNEL);
	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < 24; i++)
		ck_assert_int_eq(p[i], 0);
	memcpy(p, "fidelity", 9);
	q = krealloc(p, 64, GFP_KERNEL);
	ck_assert_ptr_nonnull(q);
	ck_assert_str_eq(q, "fidelity");
	ck_assert_ptr_eq(krealloc(q, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	ck_assert_ptr_eq(kmemdup("x", 0, GFP_KERNEL), ZERO_SIZE_PTR);
	shim_slab_fail_set("", 0);           /* every allocation fails ... */
	ck_assert_ptr_null(kmalloc(8, GFP_KERNEL));
	p = kmalloc(8, GFP_KERNEL | __GFP_NOFAIL);   /* ... but a NOFAIL one */
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);   /* failslab not asked */
	shim_slab_fail_set(NULL, -1);
	kfree(p);
}

START_TEST(slab_kernel_semantics)
{
	struct sim_opts o;
	struct sim_result r;

	tu_shim_fresh();
	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RR;
	ck_assert_int_eq(sim_run(&o, slab_body, NULL, NULL, &r), 0);
	ck_assert_int_eq(sim_findings_count(), 0);
	ck_assert_int_eq(shim_slab_leak_check(), 0);
}
END_TEST

Suite *fidelity_suite(void)
{
	Suite *s = suite_create("fidelity");
	TCase *tc = tcase_create("module init faults");
	TCase *tf = tcase_create("fixes");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mdev_register_driver_fails_modprobe);
	tcase_add_test(tc, mdev_register_parent_fails_modprobe);
	tcase_add_test(tc, driver_register_fails_modprobe);
	tcase_add_test(tc, device_add_fails_modprobe);
	tcase_add_test(tc, kmalloc_fails_modprobe);
	tcase_add_test(tc, sysfs_group_fails_modprobe);
	tcase_add_test(tc, qci_fails_modprobe_leaks_matrix_dev);
	tcase_add_test(tc, modprobe_syntax);
	tcase_add_test(tc, failed_modprobe_world_not_snapshotted);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tf, 60);
	tcase_add_test(tf, unbind_resets_the_queue);
	tcase_add_test(tf, container_unregister_touches_the_node_locked);
	tcase_add_test(tf, mdev_register_driver_needs_device_api);
	tcase_add_test(tf, slab_kernel_semantics);
	tcase_add_test(tf, ap_get_qdev_by_bucket_is_the_walk);
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	return tu_run(fidelity_suite());
}
