// SPDX-License-Identifier: GPL-2.0
/*
 * tests/check_shim_driver.c - every entry point of the real vfio_ap driver
 * driven through the same path the kernel takes (scenario -> executor ->
 * shim -> driver), with its real effects asserted on the driver's and the
 * shim's state, and the single-threaded paths producing no finding at all
 * (validator, invariants, locking rules, memory).
 */
#include <linux/kernel.h>
#include <linux/kvm_host.h>
#include "vfio_ap_private.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/s390.h"
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"
#include "check_util.h"

static struct apsim_scenario scn;
static struct apsim_exec ex;

/* Facts gathered by the inspect hook (after the threads, before teardown). */
static struct facts {
	int nmdevs;
	bool attached, hook_ok, apcb_eq_shadow, apcb_empty;
	int kvm_refs;
	int gisc3;
	int saved_isc;
	int in_use_rc;
	const char *q64_driver;
} F;

static const char hdr[] =
	"scenario t\n"
	"host adapters 5,6 domains 4 control-domains 4\n"
	"host free-adapters 5,6\n"            /* domains stay reserved in aqmask */
	"setup:\n"
	"    kvm_create k0 vcpus 1\n"
	"    create_mdev m0\n";

static void inspect(void *arg)
{
	struct ap_matrix_mdev *mm;
	struct kvm *kvm = shim_kvm_get(0);
	static const unsigned long zero[BITS_TO_LONGS(256)];

	memset(&F, 0, sizeof(F));
	F.saved_isc = -1;
	list_for_each_entry(mm, &matrix_dev->mdev_list, node) {
		struct vfio_ap_queue *q;
		int bkt;

		F.nmdevs++;
		if (mm->kvm) {
			F.attached = true;
			F.hook_ok = kvm && kvm->arch.crypto.pqap_hook == &mm->pqap_hook;
			F.apcb_eq_shadow = shim_kvm_apcb_equals(mm->kvm, mm->shadow_apcb.apm,
								mm->shadow_apcb.aqm,
								mm->shadow_apcb.adm);
		}
		hash_for_each(mm->qtable.queues, bkt, q, mdev_qnode)
			if (q->apqn == AP_MKQID(5, 4))
				F.saved_isc = q->saved_isc;
	}
	if (kvm) {
		F.kvm_refs = shim_kvm_refcount(kvm);
		F.gisc3 = shim_kvm_gisc_refcount(kvm, 3);
		F.apcb_empty = shim_kvm_apcb_equals(kvm, zero, zero, zero);
	}
	{
		DECLARE_BITMAP(apm, 256);
		DECLARE_BITMAP(aqm, 256);

		bitmap_zero(apm, 256);
		bitmap_zero(aqm, 256);
		set_bit_inv(5, apm);
		set_bit_inv(4, aqm);
		F.in_use_rc = vfio_ap_mdev_resource_in_use(apm, aqm);
	}
	F.q64_driver = shim_ap_queue_driver(6, 4);
}

/* Parse hdr + body, run one execution (round robin), return findings. */
static int run(const char *body)
{
	char text[4096], err[256];
	struct sim_opts o;
	struct sim_result r;

	snprintf(text, sizeof(text), "%s%s", hdr, body);
	ck_assert_msg(apsim_scn_parse_buf(text, strlen(text), "t.scn", &scn, err,
					  sizeof(err)) == 0, "%s", err);
	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RR;
	o.trace = false;
	apsim_world_set_inspect(inspect, NULL);
	apsim_rules_enable(true);
	ck_assert_int_eq(apsim_world_run(&scn, &o, &r, &ex), 0);
	apsim_world_set_inspect(NULL, NULL);
	for (int i = 0; i < sim_findings_count(); i++)
		fprintf(stderr, "finding: %s\n%s\n", sim_finding_get(i)->signature,
			sim_finding_get(i)->report ? sim_finding_get(i)->report : "");
	ck_assert_msg(ex.mismatches == 0, "%s", ex.mismatch);
	ck_assert(ex.invariants_checked);
	return sim_findings_count();
}

START_TEST(assign_lists_apqn)
{
	ck_assert_int_eq(run("    assign_domain m0 4      -> 1\n"
			     "    assign_adapter m0 5     -> 1\n"
			     "    assign_control_domain m0 4 -> 1\n"
			     "    read_matrix m0          -> 8\n"
			     "    read_control_domains m0 -> 5\n"
			     "    read_guest_matrix m0    -> 8\n"), 0);
	ck_assert_str_eq(ex.reads[0], "05.0004\n");
	ck_assert_str_eq(ex.reads[1], "0004\n");
	/* the shadow APCB is filtered on assign even with no guest attached */
	ck_assert_str_eq(ex.reads[2], "05.0004\n");
	ck_assert_int_eq(F.nmdevs, 1);
	ck_assert(!F.attached);
	/* the APQN is assigned: in_use reports it */
	ck_assert_int_eq(F.in_use_rc, -EADDRINUSE);
}
END_TEST

START_TEST(open_attaches_guest)
{
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    assign_adapter m0 5\n"
			     "    assign_control_domain m0 4\n"
			     "    open m0 k0              -> 0\n"
			     "    read_guest_matrix m0    -> 8\n"
			     "    read_queue_status 05.0004 -> 7\n"), 0);
	ck_assert_str_eq(ex.reads[0], "05.0004\n");
	ck_assert_str_eq(ex.reads[1], "in use\n");
	ck_assert(F.attached);
	ck_assert(F.hook_ok);
	ck_assert(F.apcb_eq_shadow);
	ck_assert(!F.apcb_empty);
	ck_assert_int_eq(F.kvm_refs, 2);      /* creator + the driver's */
}
END_TEST

START_TEST(open_without_kvm_fails)
{
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    open m0 none            -> -EINVAL\n"
			     "    read_queue_status 06.0004 -> 11\n"), 0);
	ck_assert_str_eq(ex.reads[0], "unassigned\n");
	ck_assert(!F.attached);
}
END_TEST

START_TEST(close_detaches_guest)
{
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    assign_adapter m0 5\n"
			     "    open m0 k0\n"
			     "    close m0                -> 0\n"
			     "    read_queue_status 05.0004 -> 9\n"), 0);
	ck_assert_str_eq(ex.reads[0], "assigned\n");
	ck_assert(!F.attached);
	ck_assert(F.apcb_empty);
	ck_assert_int_eq(F.kvm_refs, 1);      /* the driver dropped its reference */
}
END_TEST

START_TEST(apmask_reclaim_refused)
{
	/* Adapter 5 is assigned to m0: reserving it for the host fails because
	 * the driver's in_use callback answers -EADDRINUSE (the AP bus turns
	 * that into -EBUSY); adapter 6 is free and can be reserved. */
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    assign_adapter m0 5\n"
			     "    apmask \"+5\"             -> -EBUSY\n"
			     "    apmask \"+6\"             -> 2\n"), 0);
	ck_assert_int_eq(F.in_use_rc, -EADDRINUSE);
	ck_assert_str_eq(F.q64_driver, "cex4queue");   /* 06.0004 went back to the host */
}
END_TEST

START_TEST(assign_reserved_refused)
{
	/* Adapter 6 reserved again, then assigning it is refused. */
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    apmask \"+6\"             -> 2\n"
			     "    assign_adapter m0 6     -> -EADDRNOTAVAIL\n"
			     "    read_matrix m0          -> 6\n"), 0);
	ck_assert_str_eq(ex.reads[0], ".0004\n");
}
END_TEST

START_TEST(pqap_aqic_enable_disable)
{
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    assign_adapter m0 5\n"
			     "    open m0 k0\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 0\n"), 0);
	ck_assert_int_eq(F.saved_isc, 3);
	ck_assert_int_eq(F.gisc3, 1);
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    assign_adapter m0 5\n"
			     "    open m0 k0\n"
			     "    pqap_aqic_enable k0.0 05.0004 isc 3 -> 0\n"
			     "    pqap_aqic_disable k0.0 05.0004 -> 0\n"), 0);
	ck_assert_int_eq(F.saved_isc, VFIO_AP_ISC_INVALID);
	ck_assert_int_eq(F.gisc3, 0);
}
END_TEST

START_TEST(pqap_without_hook)
{
	/* No mdev attached to k0: kvm answers response code 1 with cc 3. */
	ck_assert_int_eq(run("    pqap_aqic_enable k0.0 05.0004 isc 3 -> 0x301\n"), 0);
}
END_TEST

START_TEST(malformed_sysfs_input)
{
	/* an empty write never reaches the store (sysfs returns 0) */
	ck_assert_int_eq(run("    assign_adapter m0 \"\"      -> 0\n"
			     "    assign_adapter m0 zz        -> -EINVAL\n"
			     "    assign_adapter m0 \"0x\"    -> -EINVAL\n"
			     "    assign_adapter m0 \"-1\"    -> -EINVAL\n"
			     "    assign_adapter m0 256       -> -ENODEV\n"
			     "    assign_adapter m0 99999999999999999999 -> -ERANGE\n"
			     "    assign_domain m0 \" 4\"     -> -EINVAL\n"
			     "    assign_domain m0 \"4\\n\"   -> 2\n"
			     "    unassign_domain m0 x        -> -EINVAL\n"
			     "    assign_control_domain m0 256 -> -ENODEV\n"
			     "    unassign_control_domain m0 7 -> 1\n"
			     "    read_matrix m0              -> 6\n"), 0);
	ck_assert_str_eq(ex.reads[0], ".0004\n");
}
END_TEST

START_TEST(queue_unbind_bind_filters_guest)
{
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    assign_adapter m0 5\n"
			     "    assign_adapter m0 6\n"
			     "    open m0 k0\n"
			     "    read_guest_matrix m0    -> 16\n"
			     "    unbind 06.0004          -> 0\n"
			     "    read_guest_matrix m0    -> 8\n"
			     "    bind 06.0004            -> 0\n"
			     "    read_guest_matrix m0    -> 16\n"), 0);
	ck_assert_str_eq(ex.reads[0], "05.0004\n06.0004\n");
	ck_assert_str_eq(ex.reads[1], "05.0004\n");
	ck_assert_str_eq(ex.reads[2], "05.0004\n06.0004\n");
	ck_assert(F.apcb_eq_shadow);
}
END_TEST

START_TEST(hot_unplug_by_config_change)
{
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    assign_adapter m0 5\n"
			     "    assign_adapter m0 6\n"
			     "    open m0 k0\n"
			     "    config_remove_adapter 6 -> 0\n"
			     "    ap_scan                 -> 0\n"
			     "    read_guest_matrix m0    -> 8\n"
			     "    config_add_adapter 6    -> 0\n"
			     "    ap_scan                 -> 0\n"
			     "    read_guest_matrix m0    -> 16\n"), 0);
	ck_assert_str_eq(ex.reads[0], "05.0004\n");
	ck_assert_str_eq(ex.reads[1], "05.0004\n06.0004\n");
	ck_assert(F.apcb_eq_shadow);
}
END_TEST

START_TEST(ioctls_and_remove)
{
	ck_assert_int_eq(run("    assign_domain m0 4\n"
			     "    assign_adapter m0 5\n"
			     "    open m0 k0\n"
			     "    get_info m0             -> 0\n"
			     "    reset m0                -> 0\n"
			     "    dma_unmap m0 0x1000     -> 0\n"
			     "    close m0\n"
			     "    remove_mdev m0          -> 0\n"
			     "    kvm_vm_crypto k0 enable-apie -> 0\n"
			     "    kvm_pv_command k0       -> 0\n"), 0);
	ck_assert_int_eq(F.nmdevs, 0);
}
END_TEST

Suite *driver_suite(void)
{
	Suite *s = suite_create("driver");
	TCase *tc = tcase_create("entry points");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, assign_lists_apqn);
	tcase_add_test(tc, open_attaches_guest);
	tcase_add_test(tc, open_without_kvm_fails);
	tcase_add_test(tc, close_detaches_guest);
	tcase_add_test(tc, apmask_reclaim_refused);
	tcase_add_test(tc, assign_reserved_refused);
	tcase_add_test(tc, pqap_aqic_enable_disable);
	tcase_add_test(tc, pqap_without_hook);
	tcase_add_test(tc, malformed_sysfs_input);
	tcase_add_test(tc, queue_unbind_bind_filters_guest);
	tcase_add_test(tc, hot_unplug_by_config_change);
	tcase_add_test(tc, ioctls_and_remove);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(driver_suite());
}
