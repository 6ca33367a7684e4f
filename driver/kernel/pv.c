// SPDX-License-Identifier: GPL-2.0
/*
 * driver/kernel/pv.c - protected-virtualization (secure execution) guests
 * of the shim kernel, as far as the 6.12 vfio_ap driver asks about them.
 *
 * Owns: a guest's protected state (kvm->arch.shim_pv, off unless
 * shim_kvm_set_pv() turns it on), kvm_s390_pv_cpu_is_protected(), and the
 * Ultravisor calls for the notification byte (uv_pin_shared,
 * gmap_convert_to_secure: they succeed and are counted per execution).
 */
#include <linux/kernel.h>
#include <linux/kvm_host.h>
#include <asm/kvm_host.h>
#include <asm/uv.h>
#include <apsim/sim.h>
#include "driver/kernel/s390.h"
#include "driver/kernel/genstamp.h"

static struct {
	uint32_t gen;
	struct shim_pv_counts n;
} pv;
SHIM_GEN_STAMP(pv, pv.gen);

static struct shim_pv_counts *pv_counts(void)
{
	if (pv.gen != sim_generation()) {
		memset(&pv, 0, sizeof(pv));
		pv.gen = sim_generation();
	}
	return &pv.n;
}

void shim_kvm_set_pv(struct kvm *kvm, bool on)
{
	sim_race_sync(kvm); kvm->arch.shim_pv = on; sim_race_sync(kvm);	/* kvm->lock, vcpu->mutex */
}

void shim_pv_get_counts(struct shim_pv_counts *out)
{
	*out = *pv_counts();
}

bool kvm_s390_pv_is_protected(struct kvm *kvm)
{
	return kvm && ({ bool v; sim_race_sync(kvm); v = kvm->arch.shim_pv; sim_race_sync(kvm); v; });
}

bool kvm_s390_pv_cpu_is_protected(struct kvm_vcpu *vcpu)
{
	return vcpu && kvm_s390_pv_is_protected(vcpu->kvm);
}

int uv_pin_shared(unsigned long paddr)
{
	pv_counts()->pin_shared++;
	return 0;
}

int gmap_convert_to_secure(struct gmap *gmap, unsigned long gaddr)
{
	pv_counts()->convert_to_secure++;
	return 0;
}
