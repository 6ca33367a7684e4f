// SPDX-License-Identifier: GPL-2.0
/*
 * tests/check_shim_faults.c - the shim kernel's fault points
 * (driver/kernel/fault.h, scenario syntax `fault NAME [err E] [nth N|every]`)
 * and the fidelity of the vfio DMA unmap path, each through the real
 * driver: a scenario is parsed, run for one execution, and the driver's
 * answer and the state it leaves are asserted against what the kernel
 * function and the driver's source do (cited at each test).
 *
 * Owns: nothing but these tests.
 */
#include <linux/kernel.h>
#include <linux/kvm_host.h>
#include "vfio_ap_private.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/s390.h"
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"
#include "check_util.h"
#include "check_world_util.h"

static struct apsim_scenario scn;
static struct apsim_exec ex;

/* State after the threads, before teardown (the inspect hook). */
static struct facts {
	int nmdevs;
	int pinned;            /* pages pinned by every mdev's vfio device */
	int gisc3;             /* kvm k0's GISC 3 registrations */
	bool irq_enabled;      /* queue 05.0004's interrupts (saved_isc valid) */
} F;

static void inspect(void *arg)
{
	struct ap_matrix_mdev *mm;
	struct kvm *kvm = shim_kvm_get(0);

	memset(&F, 0, sizeof(F));
	list_for_each_entry(mm, &matrix_dev->mdev_list, node) {
		struct list_head *n;
		struct vfio_ap_queue *q;
		int bkt;

		F.nmdevs++;
		list_for_each(n, &mm->vdev._pins)
			F.pinned++;
		hash_for_each(mm->qtable.queues, bkt, q, mdev_qnode)
			if (q->apqn == AP_MKQID(5, 4))
				F.irq_enabled = q->saved_isc != VFIO_AP_ISC_INVALID;
	}
	F.gisc3 = kvm ? shim_kvm_gisc_refcount(kvm, 3) : -1;
}

static int count_kind(enum sim_finding_kind k)
{
	int n = 0;

	for (int i = 0; i < sim_findings_count(); i++)
		if (sim_finding_get(i)->kind == k)
			n++;
	return n;
}

/* The world every test starts from: mdev m0 with queue 05.0004, open with kvm k0. */
static const char hdr[] =
	"scenario t\n"
	"host adapters 5 domains 4\n"
	"host free-adapters 5 free-domains 4\n"
	"setup:\n"
	"    kvm_create k0 vcpus 1\n"
	"    create_mdev m0\n"
	"    assign_adapter m0 5\n"
	"    assign_domain m0 4\n"
	"    open m0 k0\n";

/* Parse hdr + text (more setup ops, faults, threads), run one execution
 * (round robin); the "-> R" results must hold.  Returns the number of
 * findings. */
static bool allow_mismatch;

static int run(const char *text)
{
	/* indented lines first continue the header's setup block */
	tu_scn_parse(&scn, hdr, text);
	return tu_scn_run(&scn, &ex, inspect, allow_mismatch);
}

/* PQAP(AQIC) results as the executor returns them: cc << 8 | response code */
#define AQIC_OK                 0x000
#define AQIC_INVALID_ADDRESS    0x306   /* cc 3, AP_RESPONSE_INVALID_ADDRESS */
#define AQIC_INVALID_GISA       0x308   /* cc 3, AP_RESPONSE_INVALID_GISA */

/* ------------------------------------------------------------ the names */

/* Every scenario fault point is a shim point of the same name (the world
 * arms them by name), and each names its kernel function and a default
 * error the function returns. */
START_TEST(points_match_the_shim)
{
	for (int p = 0; p < APSIM_FP__COUNT; p++) {
		const char *n = apsim_fault_point_name(p);

		ck_assert_msg(shim_fault_lookup(n) >= 0, "%s is not a shim fault point", n);
		ck_assert_str_eq(shim_fault_name(shim_fault_lookup(n)), n);
		ck_assert_int_eq(apsim_fault_point_lookup(n), p);
		ck_assert(apsim_fault_point_err_ok(p, apsim_fault_point_default_err(p)));
		ck_assert(strcmp(apsim_fault_point_func(p), "?") != 0);
	}
	ck_assert_int_eq(shim_fault_lookup("no_such_point"), -1);
}
END_TEST

/* ----------------------------------------------------------- pin_pages */

/*
 * 6.1 vfio_ap_irq_enable (vfio_ap_ops.c:410-419): when vfio_pin_pages()
 * does not return 1, the guest gets AP_RESPONSE_INVALID_ADDRESS and nothing
 * is registered; vfio_pin_pages fails with the type1 driver's error.
 */
START_TEST(pin_pages_fails_aqic_invalid_address)
{
	ck_assert_int_eq(run("fault pin_pages err -EFAULT\n"
			     "thread vcpu:\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 774\n"), 0);
	ck_assert_int_eq(AQIC_INVALID_ADDRESS, 774);
	ck_assert_int_eq(F.pinned, 0);
	ck_assert_int_eq(F.gisc3, 0);
	ck_assert(!F.irq_enabled);
	/* the same without the fault: pinned, registered, enabled */
	ck_assert_int_eq(run("thread vcpu:\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 0\n"), 0);
	ck_assert_int_eq(F.pinned, 1);
	ck_assert_int_eq(F.gisc3, 1);
	ck_assert(F.irq_enabled);
}
END_TEST

/* nth N fails only the Nth call: the second queue's pin. */
START_TEST(pin_pages_nth)
{
	ck_assert_int_eq(run("fault pin_pages nth 2\n"
			     "thread vcpu:\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 0\n"
			     "    pqap_aqic_disable k0.0 05.0004 -> 0\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 774\n"), 0);
	ck_assert_int_eq(F.pinned, 0);
	ck_assert_int_eq(F.gisc3, 0);
}
END_TEST

/* ------------------------------------------------------- gisc_register */

/*
 * 6.1 vfio_ap_irq_enable (vfio_ap_ops.c:430-438): kvm_s390_gisc_register()
 * < 0 -> the NIB is unpinned again and the guest gets
 * AP_RESPONSE_INVALID_GISA; 6.12 (vfio_ap_ops.c:463-471) answers
 * AP_RESPONSE_INVALID_ADDRESS instead.  kvm_s390_gisc_register returns
 * -ENODEV (no GISA) or -ERANGE (gisc > MAX_ISC) before changing anything.
 */
START_TEST(gisc_register_fails_aqic_invalid_gisa)
{
	ck_assert_int_eq(run(APSIM_HAS_EVENTFD_REQ ?        /* 6.12 */
			     "fault gisc_register err -ERANGE\n"
			     "thread vcpu:\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 774\n" :
			     "fault gisc_register err -ERANGE\n"
			     "thread vcpu:\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 776\n"), 0);
	ck_assert_int_eq(AQIC_INVALID_GISA, 776);
	ck_assert_int_eq(AQIC_INVALID_ADDRESS, 774);
	ck_assert_int_eq(F.pinned, 0);      /* unpinned on the error path */
	ck_assert_int_eq(F.gisc3, 0);
	ck_assert(!F.irq_enabled);
}
END_TEST

/* ----------------------------------------------------- gisc_unregister */

/*
 * 6.1 vfio_ap_irq_disable -> vfio_ap_free_aqic_resources
 * (vfio_ap_ops.c:279) ignores kvm_s390_gisc_unregister's return: the
 * disable still succeeds, and the failed unregister leaves the GISC's
 * registration count as it was (the function's -ENODEV/-ERANGE returns
 * come before any change).
 */
START_TEST(gisc_unregister_failure_ignored_by_61)
{
	ck_assert_int_eq(run("fault gisc_unregister\n"
			     "thread vcpu:\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 0\n"
			     "    pqap_aqic_disable k0.0 05.0004 -> 0\n"), 1);
	ck_assert_int_eq(F.pinned, 0);
	ck_assert_int_eq(F.gisc3, 1);       /* still registered */
	ck_assert(!F.irq_enabled);
	/* which the driver-state invariants see: a registration no queue owns */
	ck_assert(tu_has_finding("invariant:gisc-refcount"));
}
END_TEST

/* ---------------------------------------------------------- device_add */

/*
 * mdev_device_create (6.1 drivers/vfio/mdev/mdev_core.c): device_add of
 * the mdev fails -> the error is create's; the mdev is put (freed).  The
 * 2nd device_add is vfio_register_emulated_iommu_dev's in
 * vfio_ap_mdev_probe (vfio_ap_ops.c:721): the driver's probe fails, its
 * err_put_vdev path frees the matrix_mdev, and mdev_device_create returns
 * the error.  Nothing may leak (the slab leak check at teardown).
 */
START_TEST(device_add_fails_create_mdev)
{
	ck_assert_int_eq(run("fault device_add\n"
			     "thread admin:\n"
			     "    create_mdev m1 -> -ENOMEM\n"), 0);
	ck_assert_int_eq(F.nmdevs, 1);
	ck_assert_int_eq(run("fault device_add err -EEXIST nth 2\n"
			     "thread admin:\n"
			     "    create_mdev m1 -> -EEXIST\n"
			     "    create_mdev m2 -> 0\n"), 0);
	ck_assert_int_eq(F.nmdevs, 2);
	ck_assert_int_eq(count_kind(SIM_F_MEMORY), 0);
}
END_TEST

/* --------------------------------------------------------- sysfs_group */

/*
 * vfio_ap_mdev_probe_queue (6.1 vfio_ap_ops.c:1898): sysfs_create_group of
 * the queue's attributes fails -> probe returns the error before it
 * allocates the vfio_ap_queue; the queue stays without a driver, its
 * `status` attribute does not exist.
 */
START_TEST(sysfs_group_fails_queue_probe)
{
	ck_assert_int_eq(run("    unbind 05.0004 -> 0\n"
			     "fault sysfs_group err -EEXIST\n"
			     "thread admin:\n"
			     "    bind 05.0004 -> -EEXIST\n"
			     "    read_queue_status 05.0004 -> -ENOENT\n"), 0);
	ck_assert_int_eq(count_kind(SIM_F_MEMORY), 0);
	ck_assert_int_eq(run("    unbind 05.0004 -> 0\n"
			     "thread admin:\n"
			     "    bind 05.0004 -> 0\n"
			     "    read_queue_status 05.0004\n"), 0);
}
END_TEST

/* ------------------------------------------------------- mdev_register */

/*
 * 6.1 vfio_ap_mdev_register (vfio_ap_ops.c:1860): mdev_register_driver
 * fails -> module init fails with its error, after vfio_ap_init
 * (vfio_ap_drv.c) unwinds what it registered: nothing of the driver may
 * stay allocated.  (Module load is before a scenario's faults are armed,
 * so this point is the shim's only; docs/scenarios.md.)
 */
static int load_rc, leaks_after;

static void load_body(void *arg)
{
	struct shim_ap_hostcfg c;

	memset(&c, 0, sizeof(c));
	c.apxa = true;
	c.apm[0] = 0x04;        /* adapter 5, domain 4 */
	c.aqm[0] = 0x08;
	ck_assert_int_eq(shim_ap_config_set(&c), 0);
	shim_fault_arm(SHIM_FP_MDEV_REGISTER, (int)(long)arg, -ENOMEM);
	load_rc = shim_module_load();
	if (!load_rc)
		shim_module_unload();
	leaks_after = shim_slab_leak_check();
}

START_TEST(mdev_register_fails_module_init)
{
	struct sim_opts o;
	struct sim_result r;

	for (long nth = 1; nth <= 2; nth++) {   /* mdev_register_driver, _parent */
		apsim_world_init();
		shim_driver_data_restore();
		shim_base_reset();
		shim_s390_reset();
		sim_opts_default(&o);
		o.strategy = SIM_STRAT_RR;
		ck_assert_int_eq(sim_run(&o, load_body, NULL, (void *)nth, &r), 0);
		ck_assert_int_eq(load_rc, -ENOMEM);
		ck_assert_int_eq(leaks_after, 0);
	}
}
END_TEST

/* ------------------------------------------------------------- eventfd */

/*
 * 6.12 vfio_ap_set_request_irq (vfio_ap_ops.c:2182): eventfd_ctx_fdget
 * fails -> the ioctl returns its error and the driver keeps no trigger.
 * eventfd_ctx_fdget returns -EBADF (no such fd) or -EINVAL (not an eventfd).
 */
START_TEST(eventfd_fails_set_irqs)
{
	if (!APSIM_HAS_EVENTFD_REQ)
		return;         /* the 6.1 driver has no request eventfd */
	ck_assert_int_eq(run("fault eventfd\n"
			     "thread qemu:\n"
			     "    set_req_eventfd m0 -> -EBADF\n"
			     "    set_req_eventfd m0 -> 0\n"
			     "    clear_req_eventfd m0 -> 0\n"), 0);   /* (else the 6.12 leak) */
	ck_assert_int_eq(run("fault eventfd err -EINVAL every\n"
			     "thread qemu:\n"
			     "    set_req_eventfd m0 -> -EINVAL\n"
			     "    clear_req_eventfd m0 -> 0\n"), 0);
}
END_TEST

/* ------------------------------------------------------------ DMA unmap */

/*
 * vfio_dma_do_unmap (drivers/vfio/vfio_iommu_type1.c, 6.1 and 6.12) calls
 * the driver's dma_unmap with the whole mapping (dma->iova, dma->size) while
 * the mapping holds pinned pages, and BUG()s after the 11th notification
 * of the same mapping (BUG_ON(++retries > 10)).  6.1's
 * vfio_ap_mdev_dma_unmap (vfio_ap_ops.c:1558) unpins `iova`, the mapping's
 * first page, not the NIB: the kernel BUG is the real 6.1 behaviour.
 * 6.12's (unmap_iova) disables the interrupts of every queue whose NIB is
 * in the range: the NIB is unpinned, the unmap completes.
 */
START_TEST(dma_unmap_passes_the_whole_mapping)
{
	int n = run("thread qemu:\n"
		    "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 0\n"
		    "    dma_unmap m0 0x200000 -> 0\n");

	if (!APSIM_HAS_EVENTFD_REQ) {           /* 6.1 */
		ck_assert_int_eq(n, 1);
		ck_assert_int_eq(count_kind(SIM_F_BUG), 1);
		ck_assert(tu_has_finding("bug:vfio_dma_do_unmap"));
	} else {                                /* 6.12 */
		ck_assert_int_eq(n, 0);
		ck_assert_int_eq(F.pinned, 0);
		ck_assert_int_eq(F.gisc3, 0);
		ck_assert(!F.irq_enabled);
	}
	/* nothing pinned: no notification, the mapping goes; a later pin
	 * finds no vfio_dma (-EINVAL): AQIC answers invalid address */
	ck_assert_int_eq(run("thread qemu:\n"
			     "    dma_unmap m0 0x200000 -> 0\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 774\n"), 0);
	ck_assert_int_eq(F.pinned, 0);
	/* the last close releases the container; the next open maps again */
	ck_assert_int_eq(run("thread qemu:\n"
			     "    dma_unmap m0 0x200000 -> 0\n"
			     "    close m0 -> 0\n"
			     "    open m0 k0 -> 0\n"
			     "    sleep 100\n"           /* the close's queue reset */
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 0\n"), 0);
	ck_assert_int_eq(F.pinned, 1);
}
END_TEST

/* A result that "-> R1|R2" does not allow: the run's mismatch names the
 * op, what it returned and what was allowed, and the execution is a
 * finding (written with its schedule by apsim run). */
START_TEST(wrong_result_is_a_finding)
{
	allow_mismatch = true;
	ck_assert_int_eq(run("fault device_add\n"
			     "thread admin:\n"
			     "    create_mdev m1 -> 0|-EEXIST\n"
			     "    create_mdev m2 -> 0|-EEXIST\n"), 1);
	allow_mismatch = false;
	ck_assert_int_eq(ex.mismatches, 1);
	ck_assert_str_eq(ex.mismatch, "t.scn:12:5: create_mdev m1 returned -ENOMEM, expected 0|-EEXIST");
	ck_assert(tu_has_finding("invariant:op-result:create_mdev@t.scn:12"));
	ck_assert_int_eq(ex.thr[0][0], -ENOMEM);
	ck_assert_int_eq(ex.thr[0][1], 0);
}
END_TEST

Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("fault points");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, points_match_the_shim);
	tcase_add_test(tc, pin_pages_fails_aqic_invalid_address);
	tcase_add_test(tc, pin_pages_nth);
	tcase_add_test(tc, gisc_register_fails_aqic_invalid_gisa);
	tcase_add_test(tc, gisc_unregister_failure_ignored_by_61);
	tcase_add_test(tc, device_add_fails_create_mdev);
	tcase_add_test(tc, sysfs_group_fails_queue_probe);
	tcase_add_test(tc, mdev_register_fails_module_init);
	tcase_add_test(tc, eventfd_fails_set_irqs);
	tcase_add_test(tc, dma_unmap_passes_the_whole_mapping);
	tcase_add_test(tc, wrong_result_is_a_finding);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(faults_suite());
}
