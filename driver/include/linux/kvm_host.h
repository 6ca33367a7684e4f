/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/kvm_host.h (apsim shim) - the generic KVM objects vfio_ap touches.
 *
 * Owns: struct kvm (kvm->lock, the users_count reference, the vcpus),
 * struct kvm_vcpu (vcpu->mutex, vcpu->run with the guest registers),
 * kvm_get_kvm/kvm_put_kvm, gfn_to_hva/kvm_is_error_hva (guest memory model:
 * every gfn below shim_kvm_mem_pages is backed).  Implemented in
 * driver/kernel/kvm.c; the glue API is in driver/kernel/s390.h.
 */
#ifndef _APSIM_LINUX_KVM_HOST_H
#define _APSIM_LINUX_KVM_HOST_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/kvm_types.h>
#include <asm/kvm.h>
#include <asm/kvm_host.h>

/* The run structure shared with user space: only the synced registers. */
struct kvm_run {
	__u8 immediate_exit;
	__u32 exit_reason;
	union {
		struct kvm_sync_regs regs;
		char padding[2048];
	} s;
};

struct kvm_vcpu {
	struct kvm *kvm;
	struct mutex mutex;		/* held by the vcpu thread in KVM_RUN */
	struct kvm_run *run;
	int vcpu_id;
	int vcpu_idx;
	struct kvm_vcpu_arch arch;
};

struct kvm {
	struct mutex lock;		/* "&kvm->lock" */
	int users_count;		/* refcount (kvm_get_kvm/kvm_put_kvm) */
	int created_vcpus;
	int online_vcpus;
	struct kvm_vcpu *vcpus[KVM_MAX_VCPUS];
	struct kvm_arch arch;
	/* shim bookkeeping */
	int shim_slot;			/* index in the shim's kvm table */
	unsigned long shim_mem_pages;	/* guest memory size in pages */
};

static inline int test_kvm_facility(struct kvm *kvm, unsigned long nr)
{
	return nr < 256 &&
	       ((kvm->arch.fac_list[nr / 64] >> (63 - nr % 64)) & 1);
}

#define kvm_for_each_vcpu(idx, vcpup, kvm)                                    \
	for ((idx) = 0; (idx) < (unsigned long)(kvm)->online_vcpus &&          \
			((vcpup) = (kvm)->vcpus[(idx)]) != NULL; (idx)++)

static inline struct kvm_vcpu *kvm_get_vcpu(struct kvm *kvm, int i)
{
	if (i < 0 || i >= kvm->online_vcpus)
		return NULL;
	return kvm->vcpus[i];
}

void kvm_get_kvm(struct kvm *kvm);
bool kvm_get_kvm_safe(struct kvm *kvm);
void kvm_put_kvm(struct kvm *kvm);

/* Guest memory: a deterministic fake host virtual address per backed gfn. */
#define KVM_HVA_ERR_BAD		(~0UL << 47)
#define KVM_HVA_ERR_RO_BAD	(KVM_HVA_ERR_BAD + 4096)
unsigned long gfn_to_hva(struct kvm *kvm, gfn_t gfn);
static inline bool kvm_is_error_hva(unsigned long addr)
{
	return addr >= KVM_HVA_ERR_BAD;
}

#endif /* _APSIM_LINUX_KVM_HOST_H */
