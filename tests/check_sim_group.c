/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_group.c - root-cause groups of finding signatures
 * (sim_finding_group, sim/report.c): findings of one bug along different
 * paths share a group, different bugs do not.
 *
 * Owns: these cases.
 */
#include "check_util.h"

static const char *grp(const char *sig)
{
	static char buf[256];

	return sim_finding_group(sig, buf, sizeof(buf));
}

START_TEST(lock_findings_group_by_their_classes)
{
	/* the d2 ABBA: the wait-for deadlock, lockdep's cycle and the rule
	 * order violation name the same two classes */
	ck_assert_str_eq(grp("deadlock:&matrix_dev->guests_lock,ap_perms_mutex"),
			 "locks:&matrix_dev->guests_lock,ap_perms_mutex");
	ck_assert_str_eq(grp("lock-cycle:ap_perms_mutex,&matrix_dev->guests_lock"),
			 "locks:&matrix_dev->guests_lock,ap_perms_mutex");
	ck_assert_str_eq(grp("rule:order:&matrix_dev->guests_lock->ap_perms_mutex"),
			 "locks:&matrix_dev->guests_lock,ap_perms_mutex");
	ck_assert_str_eq(grp("lock-recursive:&kvm->lock"), "locks:&kvm->lock");
	/* a stall is no lock cycle */
	ck_assert_str_eq(grp("deadlock:stall:wq"), "deadlock:stall:wq");
}
END_TEST

START_TEST(memory_findings_group_by_the_object)
{
	ck_assert_str_eq(grp("memory:use-after-free:_vfio_alloc_device@get_update_locks_for_queue"),
			 "freed:_vfio_alloc_device");
	ck_assert_str_eq(grp("memory:use-after-free:_vfio_alloc_device@vfio_ap_mdev_remove_queue"),
			 "freed:_vfio_alloc_device");
	ck_assert_str_eq(grp("memory:double-free:_vfio_alloc_device@vfio_ap_mdev_release_dev"),
			 "freed:_vfio_alloc_device");
	ck_assert_str_eq(grp("memory:use-after-free:_vfio_alloc_device"), "freed:_vfio_alloc_device");
	ck_assert_str_eq(grp("memory:leak:vfio_ap_mdev_probe@vfio_ap_ops.c"), "leak:vfio_ap_mdev_probe");
	ck_assert_str_eq(grp("memory:out-of-bounds:vfio_ap_mdev_probe@matrix_show"),
			 "memory:out-of-bounds:vfio_ap_mdev_probe");
	ck_assert_str_eq(grp("memory:wild-memory-access@handle_pqap"), "memory:wild-memory-access@handle_pqap");
	/* another object: another group */
	ck_assert_str_ne(grp("memory:use-after-free:vfio_ap_mdev_probe@x"), "freed:_vfio_alloc_device");
}
END_TEST

START_TEST(function_findings_group_by_the_function)
{
	ck_assert_str_eq(grp("warn:vfio_ap_irq_disable"), "fn:vfio_ap_irq_disable");
	ck_assert_str_eq(grp("bug:vfio_ap_irq_disable"), "fn:vfio_ap_irq_disable");
	ck_assert_str_eq(grp("crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain"), "fn:vfio_ap_mdev_hot_unplug_domain");
	ck_assert_str_eq(grp("crash:SIGBUS@vfio_ap_mdev_hot_unplug_domain"), "fn:vfio_ap_mdev_hot_unplug_domain");
	ck_assert_str_eq(grp("lock-not-held:ap_perms_mutex@vfio_ap_mdev_validate_masks"),
			 "lock-not-held:ap_perms_mutex");
	ck_assert_str_eq(grp("lock-not-held:ap_perms_mutex@vfio_ap_mdev_verify_no_sharing"),
			 "lock-not-held:ap_perms_mutex");
	ck_assert_str_eq(grp("bad-unlock:&matrix_dev->mdevs_lock@vfio_ap_mdev_remove"),
			 "bad-unlock:&matrix_dev->mdevs_lock");
	ck_assert_str_eq(grp("invariant:gisc-refcount"), "invariant:gisc-refcount");
	ck_assert_str_eq(grp("hang"), "hang");
}
END_TEST

START_TEST(groups_join_one_lock_order_bug)
{
	/* the d2 ABBA as the d2 variant reports it: the order rule (mdevs_lock
	 * before ap_perms_mutex), lockdep's three-lock cycle, the wait-for
	 * deadlock of two classes; then an unrelated WARN and a second
	 * accessor of a freed object */
	const char *sigs[] = {
		"rule:order:&matrix_dev->mdevs_lock->ap_perms_mutex",
		"warn:vfio_ap_irq_disable",
		"deadlock:&matrix_dev->guests_lock,ap_perms_mutex",
		"memory:use-after-free:_vfio_alloc_device@get_update_locks_for_queue",
		"lock-cycle:&matrix_dev->guests_lock,&matrix_dev->mdevs_lock,ap_perms_mutex",
		"memory:use-after-free:_vfio_alloc_device@vfio_ap_mdev_remove_queue",
		"lock-recursive:&kvm->lock",
	};
	int grp[7];
	char keys[7][256];
	int ng = sim_finding_groups(sigs, 7, grp, keys);

	ck_assert_int_eq(ng, 4);
	ck_assert_int_eq(grp[0], 0);
	ck_assert_int_eq(grp[2], 0);
	ck_assert_int_eq(grp[4], 0);
	ck_assert_str_eq(keys[0], "locks:&matrix_dev->guests_lock,&matrix_dev->mdevs_lock,ap_perms_mutex");
	ck_assert_int_eq(grp[1], 1);
	ck_assert_str_eq(keys[1], "fn:vfio_ap_irq_disable");
	ck_assert_int_eq(grp[3], 2);
	ck_assert_int_eq(grp[5], 2);
	ck_assert_str_eq(keys[2], "freed:_vfio_alloc_device");
	/* one shared class is not enough: another lock bug */
	ck_assert_int_eq(grp[6], 3);
	ck_assert_str_eq(keys[3], "locks:&kvm->lock");
}
END_TEST

START_TEST(groups_one_shared_class_is_two_bugs)
{
	const char *sigs[] = { "deadlock:&kvm->lock,ap_perms_mutex", "deadlock:&matrix_dev->guests_lock,ap_perms_mutex" };
	int grp[2];
	char keys[2][256];

	ck_assert_int_eq(sim_finding_groups(sigs, 2, grp, keys), 2);
	ck_assert_int_ne(grp[0], grp[1]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sim_group");
	TCase *tc = tcase_create("group");

	tcase_add_test(tc, lock_findings_group_by_their_classes);
	tcase_add_test(tc, memory_findings_group_by_the_object);
	tcase_add_test(tc, function_findings_group_by_the_function);
	tcase_add_test(tc, groups_join_one_lock_order_bug);
	tcase_add_test(tc, groups_one_shared_class_is_two_bugs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
