/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/kvm.c - the kvm-s390 pieces vfio_ap interacts with.
 *
 * Owns: guest (struct kvm) and vcpu creation/destruction with the
 * users_count reference (last kvm_put_kvm frees everything), the CRYCB and
 * its APCB masks (kvm_arch_crypto_set_masks/clear_masks), the GISA ISC
 * alert refcounts (kvm_s390_gisc_register/unregister), the guest memory
 * model (gfn_to_hva), the PQAP intercept (priv.c handle_pqap), and the two
 * ioctl paths that take kvm->lock from outside vfio_ap: KVM_S390_VM_CRYPTO
 * and KVM_S390_PV_COMMAND.  Modelled on arch/s390/kvm in linux 6.1:
 *  - set/clear_masks take no lock but need kvm->lock held (the kernel's
 *    kvm_s390_vcpu_block_all WARNs otherwise; here lockdep_assert_held, a
 *    SIM_F_LOCK_NOT_HELD finding).  Blocking vcpus only waits for vcpus in
 *    SIE; simulated vcpus are never in SIE, so nothing waits;
 *  - the PQAP intercept runs in a vcpu thread holding vcpu->mutex, does
 *    its checks without locks, then down_read(pqap_hook_rwsem) -> hook ->
 *    up_read; without a hook it answers response code 0x01 with cc 3.
 * Addresses that s390 keeps in 31-bit fields (crycbd, GISA origin) are
 * deterministic fake values derived from the guest's table slot, never
 * host addresses; the GISA is never dereferenced.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/lockdep.h>
#include <linux/bug.h>
#include <linux/kvm_host.h>
#include <asm/ap.h>
#include <asm/kvm.h>

#include <apsim/sim.h>
#include "driver/kernel/s390.h"

#include <string.h>

#define KVM_TABLE 64
#define SHIM_GUEST_MEM_PAGES (1UL << 18)          /* 1 GiB of guest memory */
#define SHIM_SIE_PAGE2_BASE 0x01000000UL          /* fake 31-bit addresses */
#define SHIM_HVA_BASE 0x7e0000000000UL            /* fake host addresses */
#define PGM_PRIVILEGED_OP 0x02
#define PGM_SPECIFICATION 0x06

bool shim_kvm_legacy_pqap_nolock;
bool shim_kvm_legacy_masks_take_lock;

static struct {
	struct kvm *tab[KVM_TABLE];
	int n;                     /* highest used slot + 1 */
	int masks_updates[KVM_TABLE];
	uint32_t epoch;            /* bumped by every change of tab[] and masks_updates[] */
} K;

void shim_kvm_reset(void)
{
	/* The slab shim forgets the previous execution's objects. */
	memset(&K, 0, sizeof(K));
	shim_kvm_legacy_pqap_nolock = false;
	shim_kvm_legacy_masks_take_lock = false;
}

static void fac_set(struct kvm *kvm, unsigned long nr)
{
	kvm->arch.fac_list[nr / 64] |= 1ULL << (63 - nr % 64);
}

static unsigned long sie_page2_addr(int slot)
{
	return SHIM_SIE_PAGE2_BASE + (unsigned long)slot * 0x1000;
}

static void vcpu_crypto_setup(struct kvm_vcpu *vcpu)
{
	struct kvm *kvm = vcpu->kvm;
	struct kvm_s390_sie_block *sb = vcpu->arch.sie_block;

	sb->crycbd = kvm->arch.crypto.crycbd;
	if (kvm->arch.crypto.apie)
		sb->eca |= ECA_APIE;
	else
		sb->eca &= ~ECA_APIE;
}

static void free_vcpu(struct kvm_vcpu *vcpu)
{
	if (!vcpu)
		return;
	kfree(vcpu->arch.sie_block);
	kfree(vcpu->run);
	kfree(vcpu);
}

static void kvm_free(struct kvm *kvm)
{
	for (int i = 0; i < KVM_MAX_VCPUS; i++)
		free_vcpu(kvm->vcpus[i]);
	kfree(kvm->arch.shim_crycb_mem);
	if (kvm->shim_slot >= 0 && kvm->shim_slot < KVM_TABLE &&
	    K.tab[kvm->shim_slot] == kvm) {
		K.tab[kvm->shim_slot] = NULL;
		K.epoch++;
	}
	kfree(kvm);
}

struct kvm *shim_kvm_create(int nvcpus)
{
	struct kvm *kvm;
	int slot;

	if (nvcpus < 1 || nvcpus > KVM_MAX_VCPUS)
		return NULL;
	for (slot = 0; slot < KVM_TABLE && K.tab[slot]; slot++)
		;
	if (slot == KVM_TABLE)
		return NULL;
	kvm = kzalloc(sizeof(*kvm), GFP_KERNEL);
	if (!kvm)
		return NULL;
	kvm->shim_slot = -1;
	mutex_init(&kvm->lock);
	kvm->users_count = 1;
	kvm->shim_mem_pages = SHIM_GUEST_MEM_PAGES;
	fac_set(kvm, 15);   /* APFT */
	fac_set(kvm, 65);   /* AQIC interpretation */
	fac_set(kvm, 76);   /* MSA3 (key wrapping) */

	/* kvm_s390_crypto_init */
	kvm->arch.shim_crycb_mem = kzalloc(sizeof(struct kvm_s390_crypto_cb),
					   GFP_KERNEL);
	if (!kvm->arch.shim_crycb_mem)
		goto fail;
	kvm->arch.crypto.crycb = kvm->arch.shim_crycb_mem;
	{
		struct ap_config_info qci;

		memset(&qci, 0, sizeof(qci));
		/* format 2 when APXA is installed, else format 1 */
		if (ap_instructions_available() && ap_qci(&qci) == 0 && qci.apxa)
			kvm->arch.crypto.crycbd = (u32)(sie_page2_addr(slot) + 0x800) |
						  CRYCB_FORMAT2;
		else
			kvm->arch.crypto.crycbd = (u32)(sie_page2_addr(slot) + 0x800) |
						  CRYCB_FORMAT1;
	}
	init_rwsem(&kvm->arch.crypto.pqap_hook_rwsem);
	kvm->arch.crypto.apie = ap_instructions_available();
	/* kvm_s390_gisa_init */
	kvm->arch.gisa_int.origin =
		(struct kvm_s390_gisa *)(sie_page2_addr(slot) + 0x900);
	spin_lock_init(&kvm->arch.gisa_int.alert.ref_lock);

	for (int i = 0; i < nvcpus; i++) {
		struct kvm_vcpu *vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL);

		if (!vcpu)
			goto fail;
		kvm->vcpus[i] = vcpu;
		vcpu->kvm = kvm;
		vcpu->vcpu_id = i;
		vcpu->vcpu_idx = i;
		mutex_init(&vcpu->mutex);
		vcpu->run = kzalloc(sizeof(*vcpu->run), GFP_KERNEL);
		vcpu->arch.sie_block = kzalloc(sizeof(*vcpu->arch.sie_block),
					       GFP_KERNEL);
		if (!vcpu->run || !vcpu->arch.sie_block)
			goto fail;
		if (kvm->arch.gisa_int.origin)
			vcpu->arch.sie_block->eca |= ECA_AIV;
		vcpu_crypto_setup(vcpu);
		kvm->created_vcpus++;
		kvm->online_vcpus++;
	}
	kvm->shim_slot = slot;
	K.tab[slot] = kvm;
	K.masks_updates[slot] = 0;
	K.epoch++;
	if (slot + 1 > K.n)
		K.n = slot + 1;
	return kvm;
fail:
	kvm_free(kvm);
	return NULL;
}

void kvm_get_kvm(struct kvm *kvm)
{
	WARN_ON(READ_ONCE(kvm->users_count) <= 0);	/* refcount_t in the kernel */
	__apsim_marked_void(kvm->users_count++);
}

bool kvm_get_kvm_safe(struct kvm *kvm)
{
	if (READ_ONCE(kvm->users_count) <= 0)
		return false;
	__apsim_marked_void(kvm->users_count++);
	return true;
}

static void kvm_destroy_vm(struct kvm *kvm)
{
	if (mutex_is_locked(&kvm->lock))
		sim_report(SIM_F_WARN, false, "warn:kvm-destroyed-with-lock-held",
			   "apsim: kvm destroyed while kvm->lock is held\n");
	for (int i = 0; i < kvm->online_vcpus; i++)
		if (kvm->vcpus[i] && mutex_is_locked(&kvm->vcpus[i]->mutex))
			sim_report(SIM_F_WARN, false,
				   "warn:kvm-destroyed-with-vcpu-mutex-held",
				   "apsim: kvm destroyed while vcpu %d's mutex is held\n", i);
	kvm_free(kvm);
}

void kvm_put_kvm(struct kvm *kvm)
{
	if (WARN_ON(READ_ONCE(kvm->users_count) <= 0))
		return;
	if (__apsim_ordered(&kvm->users_count, --kvm->users_count == 0))	/* release; acquire at 0 */
		kvm_destroy_vm(kvm);
}

void shim_kvm_destroy(struct kvm *kvm)
{
	if (kvm)
		kvm_put_kvm(kvm);
}

unsigned long gfn_to_hva(struct kvm *kvm, gfn_t gfn)
{
	if (gfn >= kvm->shim_mem_pages)
		return KVM_HVA_ERR_BAD;
	return SHIM_HVA_BASE + gfn * 4096UL;
}

void shim_kvm_set_gisa(struct kvm *kvm, bool on)
{
	kvm->arch.gisa_int.origin = on ?
		(struct kvm_s390_gisa *)(sie_page2_addr(kvm->shim_slot) + 0x900) : NULL;
}

/* ------------------------------------------------------------ crypto */

/* kvm_s390_vcpu_block_all: kvm->lock must be held. */
static void vcpu_block_all(struct kvm *kvm)
{
	lockdep_assert_held(&kvm->lock);
	/* Simulated vcpus never run in SIE: nobody to kick or wait for. */
}

/*
 * Legacy (pre-86956e70) set/clear_masks took kvm->lock themselves.  In that
 * code only the set/unset-KVM notifier committed masks, without kvm->lock;
 * the 6.1 paths that call them with kvm->lock already held (hot plug under
 * get_update_locks_for_mdev) did not exist, so the legacy lock is taken only
 * when the caller does not hold it.
 */
static bool legacy_lock(struct kvm *kvm)
{
	if (!shim_kvm_legacy_masks_take_lock ||
	    kvm->lock._s.owner == sim_tid() + 1)
		return false;
	mutex_lock(&kvm->lock);
	return true;
}

void kvm_arch_crypto_set_masks(struct kvm *kvm, unsigned long *apm,
			       unsigned long *aqm, unsigned long *adm)
{
	struct kvm_s390_crypto_cb *crycb = kvm->arch.crypto.crycb;
	bool took = legacy_lock(kvm); sim_shadow_check(crycb, sizeof(*crycb), true, (uintptr_t)__builtin_return_address(0)); /* the APCB store, for the rules */

	vcpu_block_all(kvm);
	switch (kvm->arch.crypto.crycbd & CRYCB_FORMAT_MASK) {
	case CRYCB_FORMAT2:
		/* 256-bit masks: the s390 doublewords, one per host word */
		memcpy(crycb->apcb1.apm, apm, 32);
		memcpy(crycb->apcb1.aqm, aqm, 32);
		memcpy(crycb->apcb1.adm, adm, 32);
		break;
	case CRYCB_FORMAT1:
	case CRYCB_FORMAT0:
		/*
		 * s390 copies 8 bytes of apm and the first 2 bytes of aqm/adm,
		 * i.e. the MSB0 bits 0-15 of the doubleword = value bits 63-48.
		 * (A byte memcpy on a little-endian host would take bits 15-0.)
		 */
		crycb->apcb0.apm[0] = apm[0];
		crycb->apcb0.aqm[0] = aqm[0] & 0xffff000000000000ULL;
		crycb->apcb0.adm[0] = adm[0] & 0xffff000000000000ULL;
		break;
	default:
		break;
	}
	if (kvm->shim_slot >= 0) {
		K.masks_updates[kvm->shim_slot]++;
		K.epoch++;
	}
	if (took)
		mutex_unlock(&kvm->lock);
}

void kvm_arch_crypto_clear_masks(struct kvm *kvm)
{
	bool took = legacy_lock(kvm); sim_shadow_check(kvm->arch.crypto.crycb, sizeof(struct kvm_s390_crypto_cb), true, (uintptr_t)__builtin_return_address(0)); /* as above */

	vcpu_block_all(kvm);
	memset(&kvm->arch.crypto.crycb->apcb0, 0,
	       sizeof(kvm->arch.crypto.crycb->apcb0));
	memset(&kvm->arch.crypto.crycb->apcb1, 0,
	       sizeof(kvm->arch.crypto.crycb->apcb1));
	if (kvm->shim_slot >= 0) {
		K.masks_updates[kvm->shim_slot]++;
		K.epoch++;
	}
	if (took)
		mutex_unlock(&kvm->lock);
}

static int vm_crypto(struct kvm *kvm, int attr);

int shim_kvm_vm_crypto(struct kvm *kvm, int attr)
{
	int ret;

	kvm_get_kvm(kvm);                /* the VM fd is in use by the ioctl */
	ret = vm_crypto(kvm, attr);
	kvm_put_kvm(kvm);
	return ret;
}

static int vm_crypto(struct kvm *kvm, int attr)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;

	mutex_lock(&kvm->lock);
	switch (attr) {
	case KVM_S390_VM_CRYPTO_ENABLE_AES_KW:
	case KVM_S390_VM_CRYPTO_ENABLE_DEA_KW:
	case KVM_S390_VM_CRYPTO_DISABLE_AES_KW:
	case KVM_S390_VM_CRYPTO_DISABLE_DEA_KW:
		if (!test_kvm_facility(kvm, 76)) {
			mutex_unlock(&kvm->lock);
			return -EINVAL;
		}
		if (attr == KVM_S390_VM_CRYPTO_ENABLE_AES_KW)
			kvm->arch.crypto.aes_kw = 1;
		else if (attr == KVM_S390_VM_CRYPTO_ENABLE_DEA_KW)
			kvm->arch.crypto.dea_kw = 1;
		else if (attr == KVM_S390_VM_CRYPTO_DISABLE_AES_KW)
			kvm->arch.crypto.aes_kw = 0;
		else
			kvm->arch.crypto.dea_kw = 0;
		break;
	case KVM_S390_VM_CRYPTO_ENABLE_APIE:
	case KVM_S390_VM_CRYPTO_DISABLE_APIE:
		if (!ap_instructions_available()) {
			mutex_unlock(&kvm->lock);
			return -EOPNOTSUPP;
		}
		kvm->arch.crypto.apie = attr == KVM_S390_VM_CRYPTO_ENABLE_APIE;
		break;
	default:
		mutex_unlock(&kvm->lock);
		return -ENXIO;
	}
	/* kvm_s390_vcpu_crypto_reset_all */
	vcpu_block_all(kvm);
	kvm_for_each_vcpu(i, vcpu, kvm)
		vcpu_crypto_setup(vcpu);
	mutex_unlock(&kvm->lock);
	return 0;
}

int shim_kvm_pv_command(struct kvm *kvm)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;

	kvm_get_kvm(kvm);                /* the VM fd is in use by the ioctl */
	mutex_lock(&kvm->lock);
	/* kvm_s390_cpus_to_pv: each vcpu->mutex in turn */
	kvm_for_each_vcpu(i, vcpu, kvm) {
		mutex_lock(&vcpu->mutex);
		mutex_unlock(&vcpu->mutex);
	}
	mutex_unlock(&kvm->lock);
	kvm_put_kvm(kvm);
	return 0;
}

/* ------------------------------------------------------------- GISA */

int kvm_s390_gisc_register(struct kvm *kvm, u32 gisc)	/* interrupt.c, 6.1 and 6.12 */
{
	struct kvm_s390_gisa_interrupt *gi = &kvm->arch.gisa_int;
	int rc = !gi->origin ? -ENODEV : gisc > MAX_ISC ? -ERANGE : 0;

	if (rc || (rc = shim_fault_hit(SHIM_FP_GISC_REGISTER, SIM_SITE)))
		return rc;	/* its errors come before any effect */

	spin_lock(&gi->alert.ref_lock);
	gi->alert.ref_count[gisc]++;
	if (gi->alert.ref_count[gisc] == 1)
		gi->alert.mask |= 0x80 >> gisc;
	spin_unlock(&gi->alert.ref_lock);
	return AP_ISC;   /* the host's nonspecific ISC of the GIB */
}

int kvm_s390_gisc_unregister(struct kvm *kvm, u32 gisc)	/* interrupt.c, 6.1 and 6.12 */
{
	struct kvm_s390_gisa_interrupt *gi = &kvm->arch.gisa_int;
	int rc = !gi->origin ? -ENODEV : gisc > MAX_ISC ? -ERANGE : 0;

	if (rc || (rc = shim_fault_hit(SHIM_FP_GISC_UNREGISTER, SIM_SITE)))
		return rc;	/* -ENODEV, -ERANGE: before any effect */

	/* -EINVAL below: no registration of gisc to drop */
	spin_lock(&gi->alert.ref_lock);
	if (gi->alert.ref_count[gisc] == 0) {
		rc = -EINVAL;
	} else if (--gi->alert.ref_count[gisc] == 0) {
		gi->alert.mask &= ~(0x80 >> gisc);
	}
	spin_unlock(&gi->alert.ref_lock);
	return rc;
}

/* ------------------------------------------------------ PQAP intercept */

static void set_psw_cc(struct kvm_vcpu *vcpu, unsigned long cc)
{
	vcpu->arch.sie_block->gpsw.mask &= ~PSW_MASK_CC;
	vcpu->arch.sie_block->gpsw.mask |= cc << PSW_SHIFT_CC;
}

int shim_vcpu_cc(struct kvm_vcpu *vcpu)
{
	return (vcpu->arch.sie_block->gpsw.mask & PSW_MASK_CC) >> PSW_SHIFT_CC;
}

static int inject_pgm(struct kvm_vcpu *vcpu, int code)
{
	vcpu->arch.shim_pgm_code = code;
	return 0;
}

int shim_kvm_pqap(struct kvm_vcpu *vcpu, unsigned long gr0, unsigned long gr1,
		  unsigned long gr2)
{
	struct kvm *kvm = vcpu->kvm;
	crypto_hook hook;
	struct ap_queue_status status;
	int ret;

	vcpu->run->s.regs.gprs[0] = gr0;
	vcpu->run->s.regs.gprs[1] = gr1;
	vcpu->run->s.regs.gprs[2] = gr2;
	vcpu->arch.shim_pgm_code = 0;
	vcpu->arch.shim_status_hi = false;
	set_psw_cc(vcpu, 0);

	if (!ap_instructions_available())
		return -EOPNOTSUPP;
	if (!(vcpu->arch.sie_block->eca & ECA_APIE))
		return -EOPNOTSUPP;
	if (((gr0 >> 24) & 0xff) != 0x03)
		return -EOPNOTSUPP;
	if (vcpu->arch.sie_block->gpsw.mask & PSW_MASK_PSTATE)
		return inject_pgm(vcpu, PGM_PRIVILEGED_OP);
	if (gr0 & 0x007f0000UL)
		return inject_pgm(vcpu, PGM_SPECIFICATION);
	if (!test_kvm_facility(kvm, 15) && (gr0 & 0x00800000UL))
		return inject_pgm(vcpu, PGM_SPECIFICATION);
	if (!(kvm->arch.crypto.crycbd & 0x02) && (gr0 & 0x0000c0f0UL))
		return inject_pgm(vcpu, PGM_SPECIFICATION);
	if (!test_kvm_facility(kvm, 65))
		return inject_pgm(vcpu, PGM_SPECIFICATION);

	if (shim_kvm_legacy_pqap_nolock) {
		/*
		 * pre-1e753732 priv.c: no lock.  The hook pointer is loaded
		 * once (kept in a register, as compiled code does), then the
		 * intercept is preemptible before the call (the window that
		 * try_module_get() on the hook's owner used to open), then
		 * it calls through the pointer.  If the device was closed and
		 * the mdev removed meanwhile, the pointer aims into a freed
		 * matrix_mdev: the slab shim reports the use-after-free.
		 *
		 * The vcpu thread may also be preempted by the host in that
		 * window: it stays off the CPU for 0, 25, 50 or 75 ms of
		 * virtual time (drawn from the execution's seed), long enough
		 * for a close + remove, which sleeps while resetting queues.
		 */
		crypto_hook *p = READ_ONCE(kvm->arch.crypto.pqap_hook);

		if (p) {
			sim_yield(SIM_SITE);
			sim_sleep_ns((sim_rand() % 4) * 25 * 1000000ULL, SIM_SITE);
			hook = *p;
			ret = hook(vcpu);
			if (!ret && (vcpu->run->s.regs.gprs[1] & 0x00ff0000))
				set_psw_cc(vcpu, 3);
			return ret;
		}
	} else {
		down_read(&kvm->arch.crypto.pqap_hook_rwsem);
		if (kvm->arch.crypto.pqap_hook) {
			hook = *kvm->arch.crypto.pqap_hook;
			ret = hook(vcpu);
			if (!ret && (vcpu->run->s.regs.gprs[1] & 0x00ff0000))
				set_psw_cc(vcpu, 3);
			up_read(&kvm->arch.crypto.pqap_hook_rwsem);
			return ret;
		}
		up_read(&kvm->arch.crypto.pqap_hook_rwsem);
	}
	/*
	 * No hook: response code 0x01, cc 3.  s390 memcpy()s the 4-byte
	 * status to &gprs[1], i.e. into bits 63-32 of the big-endian register
	 * (the low word keeps the guest's value); reproduce that value.
	 */
	memset(&status, 0, sizeof(status));
	status.response_code = 0x01;
	vcpu->run->s.regs.gprs[1] =
		((u64)ap_queue_status_word(status) << 32) |
		(vcpu->run->s.regs.gprs[1] & 0xffffffffULL);
	vcpu->arch.shim_status_hi = true;
	set_psw_cc(vcpu, 3);
	return 0;
}

int shim_vcpu_pqap_aqic(struct kvm *kvm, int vcpu_idx, int card, int dom,
			bool enable, int isc, unsigned long nib,
			struct shim_pqap_result *out)
{
	struct shim_pqap_result r;
	struct kvm_vcpu *vcpu = kvm ? kvm_get_vcpu(kvm, vcpu_idx) : NULL;
	unsigned long gr0, gr1, gr2;
	unsigned int apqn;

	memset(&r, 0, sizeof(r));
	if (!vcpu || card < 0 || card > 255 || dom < 0 || dom > 255) {
		r.ret = -EINVAL;
		goto out;
	}
	apqn = AP_MKQID(card, dom);
	gr0 = (3UL << 24) | apqn;                      /* fc 3 = AQIC */
	gr1 = enable ? ((1UL << (63 - 16)) | (isc & 0x07)) : 0;
	if (nib == SHIM_PQAP_NIB_ZERO)
		gr2 = 0;
	else if (nib == SHIM_PQAP_NIB_DEFAULT)
		gr2 = 0x100000UL + (unsigned long)apqn * 4096UL;
	else
		gr2 = nib;

	/* the vcpu's file holds a reference on the VM while it runs */
	kvm_get_kvm(kvm);
	mutex_lock(&vcpu->mutex);        /* the vcpu thread is in KVM_RUN */
	r.ret = shim_kvm_pqap(vcpu, gr0, gr1, gr2);
	r.cc = shim_vcpu_cc(vcpu);
	r.pgm = vcpu->arch.shim_pgm_code;
	r.gpr1 = vcpu->run->s.regs.gprs[1];
	if (r.ret == 0 && !r.pgm) {
		/* With a hook the status word is in bits 31-0; without one
		 * kvm put it into bits 63-32. */
		if (vcpu->arch.shim_status_hi)
			r.rc = (r.gpr1 >> 48) & 0xff;
		else
			r.rc = (r.gpr1 >> 16) & 0xff;
	}
	mutex_unlock(&vcpu->mutex);
	kvm_put_kvm(kvm);
out:
	if (out)
		*out = r;
	if (r.ret < 0)
		return r.ret;
	if (r.pgm)
		return -EFAULT;
	return (r.cc << 8) | r.rc;
}

int shim_vcpu_run_pqap_aqic(struct kvm *kvm, int vcpu_idx, int card, int dom,
			    bool enable, int isc, unsigned long nib)
{
	return shim_vcpu_pqap_aqic(kvm, vcpu_idx, card, dom, enable, isc, nib, NULL);
}

/* --------------------------------------------------------- introspection */

/*
 * The locking-rules checker calls these three at every scheduling point
 * (driver/world/rules.c): not instrumented, they read the table and a
 * live kvm's slot (the table drops a kvm before it is freed), which the
 * shadow check would always pass and the race detector ignores anyway.
 */
__attribute__((no_sanitize_address)) int shim_kvm_count(void)
{
	return K.n;
}

__attribute__((no_sanitize_address)) struct kvm *shim_kvm_get(int i)
{
	return i >= 0 && i < K.n ? K.tab[i] : NULL;
}

int shim_kvm_refcount(struct kvm *kvm)
{
	return kvm->users_count;
}

int shim_kvm_gisc_refcount(struct kvm *kvm, int isc)
{
	if (isc < 0 || isc > MAX_ISC)
		return -1;
	return (int)kvm->arch.gisa_int.alert.ref_count[isc];
}

bool shim_kvm_apcb_equals(struct kvm *kvm, const unsigned long *apm,
			  const unsigned long *aqm, const unsigned long *adm)
{
	const struct kvm_s390_crypto_cb *c = kvm->arch.crypto.crycb;

	if ((kvm->arch.crypto.crycbd & CRYCB_FORMAT_MASK) == CRYCB_FORMAT2)
		return !memcmp(c->apcb1.apm, apm, 32) &&
		       !memcmp(c->apcb1.aqm, aqm, 32) &&
		       !memcmp(c->apcb1.adm, adm, 32);
	return c->apcb0.apm[0] == apm[0] &&
	       c->apcb0.aqm[0] == (aqm[0] & 0xffff000000000000ULL) &&
	       c->apcb0.adm[0] == (adm[0] & 0xffff000000000000ULL);
}

__attribute__((no_sanitize_address)) int shim_kvm_masks_updates(struct kvm *kvm)
{
	return kvm->shim_slot >= 0 ? K.masks_updates[kvm->shim_slot] : 0;
}

__attribute__((no_sanitize_address)) uint32_t shim_kvm_epoch(void)
{
	return K.epoch;
}

/* ------------------------------------------------------ host-side handles */

void shim_kvm_lock(struct kvm *kvm)
{
	mutex_lock(&kvm->lock);
}

void shim_kvm_unlock(struct kvm *kvm)
{
	mutex_unlock(&kvm->lock);
}

bool shim_kvm_is_locked(struct kvm *kvm)
{
	return mutex_is_locked(&kvm->lock);
}

bool shim_kvm_vcpu_is_locked(struct kvm *kvm, int vcpu_idx)
{
	struct kvm_vcpu *vcpu = kvm_get_vcpu(kvm, vcpu_idx);

	return vcpu && mutex_is_locked(&vcpu->mutex);
}

int shim_kvm_online_vcpus(struct kvm *kvm)
{
	return kvm->online_vcpus;
}

int shim_kvm_crycb_format(struct kvm *kvm)
{
	return kvm->arch.crypto.crycbd & CRYCB_FORMAT_MASK;
}

uint64_t shim_kvm_apcb1_word(struct kvm *kvm, int which, int idx)
{
	const struct kvm_s390_apcb1 *a = &kvm->arch.crypto.crycb->apcb1;

	if (idx < 0 || idx > 3)
		return 0;
	return which == 0 ? a->apm[idx] : which == 1 ? a->aqm[idx] : a->adm[idx];
}

int shim_kvm_gisc_mask(struct kvm *kvm)
{
	return kvm->arch.gisa_int.alert.mask;
}

bool shim_kvm_has_pqap_hook(struct kvm *kvm)
{
	return kvm->arch.crypto.pqap_hook != NULL;
}

void shim_kvm_set_pqap_hook(struct kvm *kvm, crypto_hook *hook)
{
	down_write(&kvm->arch.crypto.pqap_hook_rwsem);
	kvm->arch.crypto.pqap_hook = hook;
	up_write(&kvm->arch.crypto.pqap_hook_rwsem);
}

uint64_t *shim_vcpu_gprs(struct kvm_vcpu *vcpu)
{
	return (uint64_t *)vcpu->run->s.regs.gprs;
}
