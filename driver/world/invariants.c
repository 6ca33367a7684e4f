// SPDX-License-Identifier: GPL-2.0
/*
 * driver/world/invariants.c - the driver/shim invariant checker.
 *
 * Callable when no operation is in flight.  Reads the real driver's state
 * (matrix_dev, its mdev_list, each matrix_mdev's matrix/shadow APCB/qtable)
 * and the shim's (AP bus reservations, queue bindings, kvm APCBs, gisc
 * counts) and reports each broken invariant as a SIM_F_INVARIANT finding
 * whose signature is the invariant's name.
 *
 * Owns: the list of invariants (docs/invariants.md describes them).
 */
#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/kvm_host.h>
#include "vfio_ap_private.h"

#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/s390.h"
#include "driver/world/world.h"

#include <string.h>

static int nviol;

#define VIOL(name, ...)                                                        \
	do {                                                                   \
		nviol++;                                                       \
		sim_report(SIM_F_INVARIANT, false, "invariant:" name,          \
			   "apsim: invariant violated: " name "\n" __VA_ARGS__); \
	} while (0)

static bool apqn_in(const struct ap_matrix *m, unsigned long apid, unsigned long apqi)
{
	return test_bit_inv(apid, m->apm) && test_bit_inv(apqi, m->aqm);
}

static struct vfio_ap_queue *qtable_find(struct ap_matrix_mdev *mm, int apqn)
{
	struct vfio_ap_queue *q;

	hash_for_each_possible(mm->qtable.queues, q, mdev_qnode, apqn)
		if (q->apqn == apqn)
			return q;
	return NULL;
}

static int mdev_index(struct ap_matrix_mdev *mm)
{
	int i = 0;
	struct ap_matrix_mdev *it;

	list_for_each_entry(it, &matrix_dev->mdev_list, node) {
		if (it == mm)
			return i;
		i++;
	}
	return -1;
}

static bool subset(const unsigned long *a, const unsigned long *b,
		   const unsigned long *c, unsigned int bits)
{
	for (unsigned int i = 0; i < BITS_TO_LONGS(bits); i++)
		if (a[i] & ~(b[i] & c[i]))
			return false;
	return true;
}

static void check_mdev(struct ap_matrix_mdev *mm)
{
	unsigned long apid, apqi;
	int idx = mdev_index(mm);
	struct ap_matrix_mdev *other;
	struct vfio_ap_queue *q;
	int bkt;

	/* 1. no APQN shared by two mdevs */
	list_for_each_entry(other, &matrix_dev->mdev_list, node) {
		if (other == mm || mdev_index(other) < idx)
			continue;
		for_each_set_bit_inv(apid, mm->matrix.apm, AP_DEVICES)
			for_each_set_bit_inv(apqi, mm->matrix.aqm, AP_DOMAINS)
				if (apqn_in(&other->matrix, apid, apqi))
					VIOL("apqn-shared",
					     "APQN %02lx.%04lx is assigned to mdev #%d and mdev #%d\n",
					     apid, apqi, idx, mdev_index(other));
	}
	/* 2. no APQN of an mdev reserved for the host's default drivers */
	for_each_set_bit_inv(apid, mm->matrix.apm, AP_DEVICES)
		for_each_set_bit_inv(apqi, mm->matrix.aqm, AP_DOMAINS)
			if (test_bit_inv(apid, ap_perms.apm) &&
			    test_bit_inv(apqi, ap_perms.aqm))
				VIOL("apqn-reserved-for-host",
				     "APQN %02lx.%04lx of mdev #%d is reserved for the host default drivers (apmask/aqmask)\n",
				     apid, apqi, idx);
	/* 3. shadow APCB within matrix and host configuration */
	if (!subset(mm->shadow_apcb.apm, mm->matrix.apm,
		    (unsigned long *)matrix_dev->info.apm, AP_DEVICES) ||
	    !subset(mm->shadow_apcb.aqm, mm->matrix.aqm,
		    (unsigned long *)matrix_dev->info.aqm, AP_DOMAINS) ||
	    !subset(mm->shadow_apcb.adm, mm->matrix.adm,
		    (unsigned long *)matrix_dev->info.adm, AP_DOMAINS))
		VIOL("shadow-apcb-subset",
		     "mdev #%d: shadow APCB is not a subset of matrix & host AP configuration\n", idx);
	/* ... and every shadow APQN has a linked queue bound to vfio_ap */
	for_each_set_bit_inv(apid, mm->shadow_apcb.apm, AP_DEVICES)
		for_each_set_bit_inv(apqi, mm->shadow_apcb.aqm, AP_DOMAINS) {
			int apqn = AP_MKQID(apid, apqi);
			struct device *dev;

			q = qtable_find(mm, apqn);
			if (!q) {
				VIOL("shadow-apqn-unlinked",
				     "mdev #%d: guest APQN %02lx.%04lx has no linked vfio_ap queue\n",
				     idx, apid, apqi);
				continue;
			}
			dev = shim_ap_queue_device(apid, apqi);
			if (!dev || dev_get_drvdata(dev) != q)
				VIOL("shadow-apqn-unbound",
				     "mdev #%d: guest APQN %02lx.%04lx is not bound to vfio_ap\n",
				     idx, apid, apqi);
		}
	/* 7. queues in the qtable point back at this mdev */
	hash_for_each(mm->qtable.queues, bkt, q, mdev_qnode)
		if (q->matrix_mdev != mm)
			VIOL("qtable-backlink",
			     "mdev #%d: queue %02x.%04x in its qtable links to another mdev\n",
			     idx, AP_QID_CARD(q->apqn), AP_QID_QUEUE(q->apqn));
	/* 4/5/6. guest attachment */
	if (mm->kvm) {
		struct kvm *kvm = mm->kvm;

		if (!shim_kvm_apcb_equals(kvm, mm->shadow_apcb.apm,
					  mm->shadow_apcb.aqm, mm->shadow_apcb.adm))
			VIOL("guest-apcb-equals-shadow",
			     "mdev #%d: the guest's APCB differs from the shadow APCB\n", idx);
		if (kvm->arch.crypto.pqap_hook != &mm->pqap_hook)
			VIOL("pqap-hook-attached",
			     "mdev #%d is attached but the kvm's pqap_hook does not point at its hook\n", idx);
		if (shim_kvm_refcount(kvm) < 1)
			VIOL("kvm-reference", "mdev #%d holds a kvm with no reference\n", idx);
	}
}

static void check_kvm(struct kvm *kvm, int attached)
{
	if (!attached) {
		static const unsigned long zero[BITS_TO_LONGS(AP_DEVICES)];

		if (!shim_kvm_apcb_equals(kvm, zero, zero, zero))
			VIOL("guest-apcb-empty-when-detached",
			     "a kvm with no mdev attached still has AP resources in its APCB\n");
		if (kvm->arch.crypto.pqap_hook)
			VIOL("pqap-hook-attached",
			     "a kvm with no mdev attached still has a pqap_hook\n");
	}
	/* 8. gisc refcounts match the saved ISCs of queues with IRQs enabled
	 * (one walk of each attached qtable counts every ISC: the walk per
	 * ISC was the checker's main cost) */
	int want_isc[8] = { 0 };
	struct ap_matrix_mdev *mm;

	list_for_each_entry(mm, &matrix_dev->mdev_list, node) {
		struct vfio_ap_queue *q;
		int bkt;

		if (mm->kvm != kvm)
			continue;
		hash_for_each(mm->qtable.queues, bkt, q, mdev_qnode)
			if (q->saved_isc < 8)
				want_isc[q->saved_isc]++;
	}
	for (int isc = 0; isc < 8; isc++) {
		int want = want_isc[isc];

		if (shim_kvm_gisc_refcount(kvm, isc) != want)
			VIOL("gisc-refcount",
			     "gisc %d: registered %d times, but %d queues saved that ISC\n",
			     isc, shim_kvm_gisc_refcount(kvm, isc), want);
	}
}

int apsim_invariants_check(void)
{
	struct ap_matrix_mdev *mm;
	int tid = sim_tid();

	nviol = 0;
	if (!matrix_dev)
		return 0;
	if (sim_mutex_is_locked(&matrix_dev->guests_lock._s) ||
	    sim_mutex_is_locked(&matrix_dev->mdevs_lock._s) ||
	    sim_mutex_is_locked(&ap_perms_mutex._s) ||
	    (tid >= 0 && sim_lockdep_depth(tid) > 0))
		VIOL("locks-released", "a lock is still held with no operation in flight\n");
	list_for_each_entry(mm, &matrix_dev->mdev_list, node)
		check_mdev(mm);
	for (int i = 0; i < shim_kvm_count(); i++) {
		struct kvm *kvm = shim_kvm_get(i);
		int attached = 0;

		if (!kvm)
			continue;
		list_for_each_entry(mm, &matrix_dev->mdev_list, node)
			if (mm->kvm == kvm)
				attached++;
		if (attached > 1)
			VIOL("one-mdev-per-kvm", "%d mdevs are attached to one kvm\n", attached);
		/* 5. the kvm's references: one per attached mdev at least */
		if (shim_kvm_refcount(kvm) < attached)
			VIOL("kvm-reference",
			     "kvm has %d references but %d mdevs hold one\n",
			     shim_kvm_refcount(kvm), attached);
		check_kvm(kvm, attached);
	}
	return nviol;
}
