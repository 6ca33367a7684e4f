/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/kvm_host.h (apsim shim) - the s390 parts of a KVM guest.
 *
 * Owns: the SIE control block fields the AP code reads (eca, ipa/ipb, the
 * guest PSW, crycbd), the crypto control block (CRYCB with APCB0/APCB1),
 * struct kvm_s390_crypto (crycb, pqap_hook and its rwsem, apie), the GISA
 * interrupt state (origin, per-ISC alert refcounts) and the exported
 * kvm-s390 functions vfio_ap calls.  Implemented in driver/kernel/kvm.c.
 *
 * Masks in the APCBs are host-native 64-bit words holding the s390
 * doubleword values (MSB0: bit 0 of the architecture = value bit 63), i.e.
 * the same representation as the driver's *_bit_inv bitmaps.
 */
#ifndef _APSIM_ASM_KVM_HOST_H
#define _APSIM_ASM_KVM_HOST_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/kvm_types.h>
#include <asm/isc.h>

#define KVM_MAX_VCPUS		16

/* Guest PSW */
typedef struct {
	unsigned long mask;
	unsigned long addr;
} shim_psw_t;

#define PSW_MASK_PSTATE		0x0001000000000000UL
#define PSW_MASK_CC		0x0000300000000000UL
#define PSW_SHIFT_CC		44

/* The SIE control block: only the fields the AP paths use. */
struct kvm_s390_sie_block {
	shim_psw_t gpsw;		/* guest PSW (problem state, cc) */
#define ECA_CEI		0x80000000
#define ECA_IB		0x40000000
#define ECA_SIGPI	0x10000000
#define ECA_MVPGI	0x01000000
#define ECA_AIV		0x00200000
#define ECA_VX		0x00020000
#define ECA_PROTEXCI	0x00002000
#define ECA_APIE	0x00000008
#define ECA_SII		0x00000001
	__u32 eca;
	__u16 ipa;			/* intercepted instruction, first halfword */
	__u32 ipb;			/* ... and the rest */
	__u32 crycbd;			/* crypto control block designation */
	__u8 ecb3;
};

struct kvm_vcpu_arch {
	struct kvm_s390_sie_block *sie_block;
	/* shim: the last program interruption injected (0 = none) */
	int shim_pgm_code;
	/* shim: the last no-hook PQAP answer went to gpr1 bits 63-32 */
	bool shim_status_hi;
};

/* The PQAP hook vfio_ap registers: called by the intercept for PQAP(AQIC). */
typedef int (*crypto_hook)(struct kvm_vcpu *vcpu);

struct kvm_s390_crypto {
	struct kvm_s390_crypto_cb *crycb;
	struct rw_semaphore pqap_hook_rwsem;
	crypto_hook *pqap_hook;
	__u32 crycbd;
	__u8 aes_kw;
	__u8 dea_kw;
	__u8 apie;
};

#define CRYCB_FORMAT_MASK	0x00000003
#define CRYCB_FORMAT0		0x00000000
#define CRYCB_FORMAT1		0x00000001
#define CRYCB_FORMAT2		0x00000003

/* AP control blocks: format 0/1 (64 adapters, 16 domains), format 2 (256). */
#define APCB0_MASK_SIZE 1
struct kvm_s390_apcb0 {
	__u64 apm[APCB0_MASK_SIZE];
	__u64 aqm[APCB0_MASK_SIZE];
	__u64 adm[APCB0_MASK_SIZE];
	__u64 reserved18;
};

#define APCB1_MASK_SIZE 4
struct kvm_s390_apcb1 {
	__u64 apm[APCB1_MASK_SIZE];
	__u64 aqm[APCB1_MASK_SIZE];
	__u64 adm[APCB1_MASK_SIZE];
	__u64 reserved60[4];
};

struct kvm_s390_crypto_cb {
	struct kvm_s390_apcb0 apcb0;		/* 0x0000 */
	__u8 reserved20[0x0048 - 0x0020];
	__u8 dea_wrapping_key_mask[24];		/* 0x0048 */
	__u8 aes_wrapping_key_mask[32];		/* 0x0060 */
	struct kvm_s390_apcb1 apcb1;		/* 0x0080 */
};

/* The guest interruption state area.  Never dereferenced by anyone: the
 * shim's origin is a deterministic fake 31-bit address (see kvm.c). */
struct kvm_s390_gisa;

struct kvm_s390_gisa_iam {
	u8 mask;
	spinlock_t ref_lock;
	u32 ref_count[MAX_ISC + 1];
};

struct kvm_s390_gisa_interrupt {
	struct kvm_s390_gisa *origin;
	struct kvm_s390_gisa_iam alert;
};

struct kvm_arch {
	struct kvm_s390_crypto crypto;
	struct kvm_s390_gisa_interrupt gisa_int;
	/* guest facility list, s390 MSB0 numbering (bit 0 = value bit 63) */
	u64 fac_list[4];
	/* shim: backing store of the crypto control block */
	struct kvm_s390_crypto_cb *shim_crycb_mem;
	struct gmap *gmap;		/* guest address space (opaque) */
	bool shim_pv;			/* protected (secure execution) guest */
};

void kvm_arch_crypto_clear_masks(struct kvm *kvm);
void kvm_arch_crypto_set_masks(struct kvm *kvm, unsigned long *apm,
			       unsigned long *aqm, unsigned long *adm);
int kvm_s390_gisc_register(struct kvm *kvm, u32 gisc);
int kvm_s390_gisc_unregister(struct kvm *kvm, u32 gisc);

/* Protected-virtualization guests (APSIM_HAS_PV): the shim's guests are
 * not protected unless shim_kvm_set_pv() (driver/kernel/s390.h) says so. */
struct kvm_vcpu;
bool kvm_s390_pv_cpu_is_protected(struct kvm_vcpu *vcpu);
bool kvm_s390_pv_is_protected(struct kvm *kvm);
#include <asm/uv.h>

#endif /* _APSIM_ASM_KVM_HOST_H */
