/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/s390.h - the glue API of the s390 half of the shim kernel:
 * the AP hardware model (ap_hw.c), the AP bus (apbus.c) and kvm-s390
 * (kvm.c).  Included by the driver glue (driver/world/world.c, invariants.c) and
 * the tests; compiled with the shim kernel headers (CFLAGS_SHIM).
 *
 * Owns: every shim_ap_* / shim_kvm_* / shim_vcpu_* entry point and the
 * legacy-behaviour switches for historic driver variants.
 *
 * Host-includable: only <stdint.h>-style types, no kernel headers, so the
 * CLI and the Check tests (which never see the shim headers) can use it.
 *
 * Conventions: functions return 0 / a count / a negative errno.  Functions
 * that lock (all sysfs-like writes, bind/unbind, scan, kvm create/destroy,
 * vm_crypto, pv_command, pqap) must run inside a simulated thread.
 * Bitmaps (apm/aqm/adm) are unsigned long arrays with s390 MSB0 numbering
 * (use *_bit_inv), i.e. the driver's own representation.
 */
#ifndef APSIM_SHIM_S390_H
#define APSIM_SHIM_S390_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "driver/kernel/fault.h"    /* the fault points */

struct device;
struct kvm;
struct kvm_vcpu;

/*
 * The host's AP configuration before the driver loads (what QCI reports and
 * how the AP bus reserves adapters and domains for the default drivers).
 * Masks in MSB0 bit order, byte 0 = ids 0-7.
 */
struct shim_ap_hostcfg {
	uint8_t apm[32], aqm[32], adm[32];   /* QCI masks */
	bool apxa;                            /* 256 ids (else 64 adapters / 16 domains) */
	bool have_apmask, have_aqmask;        /* else everything reserved (ap_perms_init) */
	uint8_t apmask[32], aqmask[32];       /* AP bus reservations (1 = host default drivers) */
	int card_type;                        /* AP_DEVICE_TYPE_* of all cards (0 = model default) */
};

/* ------------------------------------------------------------------ reset */

/* Reset all s390 shim state (hardware model, AP bus, kvm table, legacy
 * switches) for the next execution.  Host memory of the previous
 * execution's AP bus objects is released. */
void shim_s390_reset(void);

/* --------------------------------------------------- legacy behaviours */

/* pre-1e753732: the PQAP intercept reads and calls the hook without
 * kvm->arch.crypto.pqap_hook_rwsem (with a scheduling point in between). */
extern bool shim_kvm_legacy_pqap_nolock;
/* pre-86956e70: kvm_arch_crypto_set_masks/clear_masks take kvm->lock. */
extern bool shim_kvm_legacy_masks_take_lock;
/* pre-3f85d1df: ap_owned_by_def_drv/ap_apqn_in_matrix_owned_by_def_drv take
 * ap_perms_mutex themselves (instead of asserting it is held). */
extern bool shim_ap_legacy_helper_locks;
/* ap_get_qdev walks every bucket of ap_queues as the kernel does, instead
 * of the qid's bucket (the same answer, cheaper): for benchmarks of the
 * kernel's cost (bench_apcb).  Process-wide, not reset with the bus. */
extern bool shim_ap_kernel_lookup_cost;

/* ------------------------------------------------- AP hardware (ap_hw.c) */

/* MSB0 access to a QCI mask (unsigned int[8], see asm/ap.h): the aligned
 * unsigned long view holds the s390 doublewords. */
static inline bool ap_cfg_test(const unsigned int *mask, unsigned int nr)
{
	const unsigned long *w = (const unsigned long *)mask;

	return nr < 256 && ((w[nr / 64] >> (63 - nr % 64)) & 1);
}
static inline void ap_cfg_assign(unsigned int *mask, unsigned int nr, bool on)
{
	unsigned long *w = (unsigned long *)mask;

	if (nr >= 256)
		return;
	if (on)
		w[nr / 64] |= 1UL << (63 - nr % 64);
	else
		w[nr / 64] &= ~(1UL << (63 - nr % 64));
}

/*
 * Inject a response code: the next `count` executions (0 = every one) of
 * instruction `insn` ("tapq", "zapq", "aqic", "rapq") on a matching queue
 * (card/dom -1 = any) return response code `rc` and change no state.
 * Returns 0, -EINVAL (unknown insn) or -ENOSPC.
 */
int shim_ap_inject(const char *insn, int card, int dom, int rc, int count);
/* Remaining injections (for tests). */
int shim_ap_inject_pending(void);

/* Hardware configuration (what PQAP(QCI) answers now). */
struct ap_config_info;
void shim_ap_hw_get_qci(struct ap_config_info *out);
void shim_ap_hw_set_qci(const struct ap_config_info *in);
/* Host-side wrappers of the PQAP functions: return the response code; the
 * 32-bit s390 status word (may be NULL) and TAPQ's gr2 (may be NULL). */
int shim_ap_hw_tapq(int card, int dom, uint32_t *word, unsigned long *info);
int shim_ap_hw_zapq(int card, int dom, uint32_t *word);
int shim_ap_hw_aqic(int card, int dom, bool ir, int isc, uint64_t nib,
		    uint32_t *word);
/* Self-test of the s390 layouts (docs/endianness.md): 0, or -1 with a
 * message in err. */
int shim_s390_layout_selftest(char *err, size_t len);
/* Adapter type reported by TAPQ (default AP_DEVICE_TYPE_CEX7). */
void shim_ap_hw_set_card_type(int card, int type);
int shim_ap_hw_card_type(int card);
/* Virtual time a ZAPQ/RAPQ reset stays "in progress" (default 1 ms). */
void shim_ap_hw_set_reset_ns(uint64_t ns);
/* Virtual time an AQIC's interruption change takes to complete; meanwhile
 * ZAPQ/RAPQ answer AP_RESPONSE_BUSY (default 0: completes at once). */
void shim_ap_hw_set_aqic_ns(uint64_t ns);
/* Host bytes the model holds for touched queues (proportional memory). */
size_t shim_ap_hw_bytes(void);
/* Per-queue hardware state (for tests and invariants). */
struct shim_apq_state {
	bool configured;          /* card and domain in the hardware QCI */
	bool reset_in_progress;
	bool irq_enabled;
 	uint8_t isc;              /* host ISC given with AQIC (enable) */
	uint64_t nib;                 /* notification indicator address */
	bool queue_empty;
	unsigned int nr_zapq, nr_aqic, nr_tapq;  /* instructions executed */
};
int shim_ap_hw_queue_state(int card, int dom, struct shim_apq_state *out);

/* -------------------------------------------------------- AP bus (apbus.c) */

/*
 * Host configuration before the module loads: hardware QCI (apm/aqm/adm,
 * apxa), AP bus reservations (apmask/aqmask; default all ones = everything
 * owned by the host's default drivers), card type.  Registers the default
 * driver (a stand-in for zcrypt's cex4queue driver), runs the initial scan:
 * one queue device per configured (card, domain), bound to the default
 * driver when reserved.  Must run inside a simulated thread.
 */
int shim_ap_config_set(const struct shim_ap_hostcfg *cfg);

/* /sys/bus/ap/apmask and aqmask writes (ap_bus.c apmask_store semantics):
 * returns strlen(buf), -EINVAL (malformed), -EBUSY (in_use refused). */
long shim_ap_apmask_write(const char *buf);
long shim_ap_aqmask_write(const char *buf);
/* Show (0x%016lx x4, like apmask_show) into buf (>= 72 bytes). */
long shim_ap_apmask_show(char *buf);
long shim_ap_aqmask_show(char *buf);

/* Manual bind to vfio_ap (driver sysfs "bind") / unbind from its driver.
 * bind: 0, -ENODEV (no such queue / vfio_ap not registered or refuses),
 * -EBUSY (already bound).  unbind: 0, -ENODEV (no queue / not bound). */
int shim_ap_queue_bind(int card, int dom);
int shim_ap_queue_unbind(int card, int dom);
/* The queue device of (card, dom), NULL if none. */
struct device *shim_ap_queue_device(int card, int dom);
/* Name of the driver a queue is bound to ("vfio_ap", "cex4queue") or NULL. */
const char *shim_ap_queue_driver(int card, int dom);
int shim_ap_queue_count(void);
/* Host bytes of the bus' queue table (a row per card that had a queue). */
size_t shim_ap_bus_bytes(void);

/* Hardware configuration changes (take effect at the next shim_ap_scan()). */
int shim_ap_config_add_adapter(int card);
int shim_ap_config_remove_adapter(int card);
int shim_ap_config_add_domain(int dom);
int shim_ap_config_remove_domain(int dom);
int shim_ap_config_add_control_domain(int dom);
int shim_ap_config_remove_control_domain(int dom);
/* One AP bus scan (ap_scan_bus): QCI changed -> on_config_changed(new, old)
 * to every driver; queue devices of vanished APQNs removed, new ones added
 * and probed; changed -> on_scan_complete(new, old). */
void shim_ap_scan(void);

/* ------------------------------------------------------------ kvm (kvm.c) */

/* Create a guest with nvcpus (1..KVM_MAX_VCPUS) vcpus, a format-2 CRYCB,
 * APIE enabled, a GISA and facilities 15/65.  Reference count 1. */
struct kvm *shim_kvm_create(int nvcpus);
/* Drop the creator's reference (kvm_put_kvm); the last put destroys. */
void shim_kvm_destroy(struct kvm *kvm);
/* KVM_SET_DEVICE_ATTR(KVM_S390_VM_CRYPTO, attr): kvm->lock -> crypto reset
 * of all vcpus -> unlock.  0, -ENXIO (attr), -EOPNOTSUPP/-EINVAL. */
int shim_kvm_vm_crypto(struct kvm *kvm, int attr);
/* KVM_S390_PV_COMMAND (KVM_PV_ENABLE shape): kvm->lock, then each
 * vcpu->mutex in turn, unlock. */
int shim_kvm_pv_command(struct kvm *kvm);
/* Remove (on=false) / give back the guest's GISA (gisc_register: -ENODEV). */
void shim_kvm_set_gisa(struct kvm *kvm, bool on);

/* The PQAP intercept (priv.c handle_pqap) for registers gr0..gr2; the
 * caller holds vcpu->mutex.  Returns the intercept's result (0 or
 * -EOPNOTSUPP); guest-visible outcome in the vcpu: gprs[1], cc, pgm. */
int shim_kvm_pqap(struct kvm_vcpu *vcpu, unsigned long gr0, unsigned long gr1,
		  unsigned long gr2);
int shim_vcpu_cc(struct kvm_vcpu *vcpu);

/* What the guest sees after a PQAP. */
struct shim_pqap_result {
	int ret;          /* intercept return (0, -EOPNOTSUPP: to user space) */
	int cc;           /* condition code */
	int pgm;          /* program interruption code injected (0 = none) */
	uint64_t gpr1;    /* general register 1 */
	uint8_t rc;       /* response code as the guest reads it */
};
#define SHIM_PQAP_NIB_ZERO (~0UL)   /* nib argument: really pass 0 in gr2 */
#define SHIM_PQAP_NIB_DEFAULT 0UL   /* a valid guest page for the APQN */
/*
 * A vcpu thread executing PQAP(AQIC) fc=3: lock vcpu->mutex, build gr0
 * (fc 3, APQN), gr1 (IR bit 16 when enable, guest ISC in bits 61-63), gr2
 * (the NIB; SHIM_PQAP_NIB_DEFAULT = a valid page derived from the APQN),
 * run the intercept, unlock.  *out (may be NULL) gets the details.
 * Returns: ret when negative (-EOPNOTSUPP: the intercept goes to user
 * space; -EINVAL: bad vcpu index; -EFAULT: a program interruption was
 * injected), else (cc << 8) | response_code (0 = success; 0x301 = no hook).
 */
int shim_vcpu_pqap_aqic(struct kvm *kvm, int vcpu_idx, int card, int dom,
			bool enable, int isc, unsigned long nib,
			struct shim_pqap_result *out);
int shim_vcpu_run_pqap_aqic(struct kvm *kvm, int vcpu_idx, int card, int dom,
			    bool enable, int isc, unsigned long nib);

/* The kvm-s390 functions vfio_ap calls (also declared by the shim's
 * linux/kvm_host.h and asm/kvm_host.h). */
void kvm_get_kvm(struct kvm *kvm);
void kvm_put_kvm(struct kvm *kvm);
void kvm_arch_crypto_set_masks(struct kvm *kvm, unsigned long *apm,
			       unsigned long *aqm, unsigned long *adm);
void kvm_arch_crypto_clear_masks(struct kvm *kvm);
int kvm_s390_gisc_register(struct kvm *kvm, uint32_t gisc);
int kvm_s390_gisc_unregister(struct kvm *kvm, uint32_t gisc);

/* Host-side handles on kvm internals (tests, glue). */
void shim_kvm_lock(struct kvm *kvm);              /* mutex_lock(&kvm->lock) */
void shim_kvm_unlock(struct kvm *kvm);
bool shim_kvm_is_locked(struct kvm *kvm);
bool shim_kvm_vcpu_is_locked(struct kvm *kvm, int vcpu_idx);
int shim_kvm_online_vcpus(struct kvm *kvm);
int shim_kvm_crycb_format(struct kvm *kvm);       /* CRYCB_FORMAT* */
/* apcb1 word: which 0 = apm, 1 = aqm, 2 = adm; idx 0..3 */
uint64_t shim_kvm_apcb1_word(struct kvm *kvm, int which, int idx);
int shim_kvm_gisc_mask(struct kvm *kvm);          /* alert mask, 0x80 >> isc */
bool shim_kvm_has_pqap_hook(struct kvm *kvm);
/* Set (hook != NULL) or clear the hook under pqap_hook_rwsem for write. */
void shim_kvm_set_pqap_hook(struct kvm *kvm, int (**hook)(struct kvm_vcpu *));
/* The guest general registers of a vcpu (gprs[16]). */
uint64_t *shim_vcpu_gprs(struct kvm_vcpu *vcpu);

/* AP bus: lock/unlock ap_perms_mutex from host code (tests). */
void shim_ap_perms_lock(void);
void shim_ap_perms_unlock(void);
int ap_owned_by_def_drv(int card, int queue);
int ap_apqn_in_matrix_owned_by_def_drv(unsigned long *apm, unsigned long *aqm);

/* Introspection for invariants/tests. */
int shim_kvm_count(void);                 /* size of the kvm table */
struct kvm *shim_kvm_get(int i);          /* NULL once freed */
int shim_kvm_refcount(struct kvm *kvm);
int shim_kvm_gisc_refcount(struct kvm *kvm, int isc);
/* The guest's APCB (format 2 apcb1) equals the given bitmaps. */
bool shim_kvm_apcb_equals(struct kvm *kvm, const unsigned long *apm,
			  const unsigned long *aqm, const unsigned long *adm);
/* Counters: set_masks / clear_masks calls on this kvm. */
int shim_kvm_masks_updates(struct kvm *kvm);
/* Changes when the table above does (a kvm created or freed) or any kvm's
 * masks counter: equal values mean none of those answers changed. */
uint32_t shim_kvm_epoch(void);

/* Internal to the s390 shim files. */
void shim_ap_hw_reset(void);
void shim_ap_bus_reset(void);
void shim_kvm_reset(void);

/*
 * ap_bus_force_rescan() as the tree declares it (APSIM_AP_RESCAN_BOOL: it
 * returns bool, true when a scan ran; the shim's scan always runs).
 */
#if APSIM_AP_RESCAN_BOOL
#define APSIM_RESCAN_T bool
#define APSIM_RESCAN_RETURN(scan) return ((scan), true)
#else
#define APSIM_RESCAN_T void
#define APSIM_RESCAN_RETURN(scan) scan
#endif

/* Protected guests (driver/kernel/pv.c): turn a guest's protected state
 * on or off; the Ultravisor calls the driver made in this execution. */
struct shim_pv_counts {
	int pin_shared;		/* uv_pin_shared */
	int convert_to_secure;	/* gmap_convert_to_secure */
};
void shim_kvm_set_pv(struct kvm *kvm, bool on);
void shim_pv_get_counts(struct shim_pv_counts *out);

#endif /* APSIM_SHIM_S390_H */
