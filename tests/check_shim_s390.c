/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_shim_s390.c - unit tests of the s390 half of the shim kernel:
 * kvm-s390 (references, APCB masks, GISC refcounts, PQAP intercept, the
 * kvm->lock paths), the AP hardware model (TAPQ/ZAPQ/AQIC, injection),
 * the AP bus (mask parsing, reservations, bindings, scans, lock
 * assertions) and the big-endian layouts (docs/endianness.md).
 *
 * Owns: nothing but these tests.  Every scenario runs inside sim_run so
 * locks, lockdep and findings are live; results are recorded in statics and
 * asserted after the run.
 */
#include <errno.h>
#include <sys/types.h>
#include "driver/kernel/s390.h"
#include "driver/scenario/scenario.h"
#include "check_util.h"
#include "check_s390_util.h"


#define CRYCB_FORMAT2 3
#define KVM_S390_VM_CRYPTO_ENABLE_APIE 4
#define KVM_S390_VM_CRYPTO_DISABLE_APIE 5

#define RC_NORMAL 0x00
#define RC_Q_NOT_AVAIL 0x01
#define RC_RESET_IN_PROGRESS 0x02
#define RC_BUSY 0x05
#define RC_OTHERWISE_CHANGED 0x07

static struct sim_result res;

/* Fresh world, then body() as thread 0 of one execution. */
static void run(void (*fn)(void))
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);

	tu_s390_run(fn, &o, &res);
}

static int count_kind(enum sim_finding_kind k)
{
	int n = 0;

	for (int i = 0; i < sim_findings_count(); i++)
		if (sim_finding_get(i)->kind == k)
			n++;
	return n;
}

static void set_bit_msb0(uint8_t *bytes, int nr)
{
	bytes[nr / 8] |= 0x80 >> (nr % 8);
}

/* card 1 and 3, domains 2 and 4, control domain 2; everything reserved */
static void std_cfg(struct shim_ap_hostcfg *c)
{
	memset(c, 0, sizeof(*c));
	c->apxa = true;
	set_bit_msb0(c->apm, 1);
	set_bit_msb0(c->apm, 3);
	set_bit_msb0(c->aqm, 2);
	set_bit_msb0(c->aqm, 4);
	set_bit_msb0(c->adm, 2);
}

static void msb0_set(unsigned long *m, int nr)
{
	m[nr / 64] |= 1UL << (63 - nr % 64);
}

/* ------------------------------------------------------------------ kvm */

static int r_ref[8];
static bool r_bool[8];
static int r_int[16];
static long r_live[4];

static void body_refcount(void)
{
	struct kvm *kvm;

	r_live[0] = shim_slab_live_count();
	kvm = shim_kvm_create(2);
	r_bool[0] = kvm != NULL;
	if (!kvm)
		return;
	r_ref[0] = shim_kvm_refcount(kvm);
	kvm_get_kvm(kvm);
	r_ref[1] = shim_kvm_refcount(kvm);
	shim_kvm_destroy(kvm);          /* creator's reference */
	r_ref[2] = shim_kvm_refcount(kvm);
	r_bool[1] = shim_kvm_get(0) == kvm;
	r_bool[2] = shim_kvm_online_vcpus(kvm) == 2;
	kvm_put_kvm(kvm);               /* last: destroys */
	r_bool[3] = shim_kvm_get(0) == NULL;
	r_live[1] = shim_slab_live_count();
	r_int[0] = shim_kvm_count();
}

START_TEST(kvm_refcount_destroy_on_last_put)
{
	run(body_refcount);
	ck_assert(r_bool[0]);
	ck_assert_int_eq(r_ref[0], 1);
	ck_assert_int_eq(r_ref[1], 2);
	ck_assert_int_eq(r_ref[2], 1);
	ck_assert(r_bool[1]);
	ck_assert(r_bool[2]);
	ck_assert(r_bool[3]);
	ck_assert_int_eq(r_live[1], r_live[0]);   /* vcpus, run, crycb, kvm freed */
	ck_assert_int_eq(r_int[0], 1);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

static unsigned long m_apm[4], m_aqm[4], m_adm[4];

static void body_masks_nolock(void)
{
	struct kvm *kvm = shim_kvm_create(1);

	memset(m_apm, 0, sizeof(m_apm));
	msb0_set(m_apm, 5);
	kvm_arch_crypto_set_masks(kvm, m_apm, m_aqm, m_adm);
	shim_kvm_destroy(kvm);
}

START_TEST(kvm_set_masks_without_lock_is_a_finding)
{
	const struct sim_finding *f;

	run(body_masks_nolock);
	f = tu_find(SIM_F_LOCK_NOT_HELD);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->signature, "kvm->lock"));
}
END_TEST

static void body_masks_legacy(void)
{
	struct kvm *kvm = shim_kvm_create(1);

	shim_kvm_legacy_masks_take_lock = true;
	memset(m_apm, 0, sizeof(m_apm));
	msb0_set(m_apm, 5);
	kvm_arch_crypto_set_masks(kvm, m_apm, m_aqm, m_adm);
	r_bool[0] = shim_kvm_apcb_equals(kvm, m_apm, m_aqm, m_adm);
	r_bool[1] = !shim_kvm_is_locked(kvm);
	shim_kvm_destroy(kvm);
}

START_TEST(kvm_set_masks_legacy_takes_lock)
{
	run(body_masks_legacy);
	ck_assert(r_bool[0]);
	ck_assert(r_bool[1]);
	ck_assert_int_eq(count_kind(SIM_F_LOCK_NOT_HELD), 0);
}
END_TEST

static void body_masks_locked(void)
{
	static const unsigned long zero[4];
	struct kvm *kvm = shim_kvm_create(1);

	memset(m_apm, 0, sizeof(m_apm));
	memset(m_aqm, 0, sizeof(m_aqm));
	memset(m_adm, 0, sizeof(m_adm));
	msb0_set(m_apm, 0);
	msb0_set(m_apm, 200);
	msb0_set(m_aqm, 7);
	msb0_set(m_adm, 255);
	shim_kvm_lock(kvm);
	kvm_arch_crypto_set_masks(kvm, m_apm, m_aqm, m_adm);
	shim_kvm_unlock(kvm);
	r_bool[0] = shim_kvm_apcb_equals(kvm, m_apm, m_aqm, m_adm);
	/* format 2: s390 doubleword values in apcb1 */
	r_bool[1] = shim_kvm_apcb1_word(kvm, 0, 0) == 0x8000000000000000ULL &&
		    shim_kvm_apcb1_word(kvm, 0, 3) == (1ULL << (63 - 8)) &&
		    shim_kvm_apcb1_word(kvm, 1, 0) == (1ULL << 56) &&
		    shim_kvm_apcb1_word(kvm, 2, 3) == 1ULL;
	r_bool[2] = shim_kvm_crycb_format(kvm) == CRYCB_FORMAT2;
	shim_kvm_lock(kvm);
	kvm_arch_crypto_clear_masks(kvm);
	shim_kvm_unlock(kvm);
	r_bool[3] = shim_kvm_apcb_equals(kvm, zero, zero, zero);
	r_int[0] = shim_kvm_masks_updates(kvm);
	shim_kvm_destroy(kvm);
}

START_TEST(kvm_set_masks_with_lock_fills_apcb)
{
	run(body_masks_locked);
	ck_assert(r_bool[0]);
	ck_assert(r_bool[1]);
	ck_assert(r_bool[2]);
	ck_assert(r_bool[3]);
	ck_assert_int_eq(r_int[0], 2);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

static void body_gisc(void)
{
	struct kvm *kvm = shim_kvm_create(1);

	r_int[0] = kvm_s390_gisc_register(kvm, 3);
	r_int[1] = kvm_s390_gisc_register(kvm, 3);
	r_int[2] = shim_kvm_gisc_refcount(kvm, 3);
	r_int[3] = shim_kvm_gisc_mask(kvm);
	r_int[4] = kvm_s390_gisc_unregister(kvm, 3);
	r_int[5] = kvm_s390_gisc_unregister(kvm, 3);
	r_int[6] = kvm_s390_gisc_unregister(kvm, 3);
	r_int[7] = shim_kvm_gisc_mask(kvm);
	r_int[8] = kvm_s390_gisc_register(kvm, 8);
	r_int[9] = kvm_s390_gisc_unregister(kvm, 9);
	shim_kvm_set_gisa(kvm, false);
	r_int[10] = kvm_s390_gisc_register(kvm, 1);
	r_int[11] = kvm_s390_gisc_unregister(kvm, 1);
	shim_kvm_destroy(kvm);
}

START_TEST(kvm_gisc_refcounts)
{
	run(body_gisc);
	ck_assert_int_eq(r_int[0], 6);          /* the host's AP ISC (nisc) */
	ck_assert_int_eq(r_int[1], 6);
	ck_assert_int_eq(r_int[2], 2);
	ck_assert_int_eq(r_int[3], 0x80 >> 3);
	ck_assert_int_eq(r_int[4], 0);
	ck_assert_int_eq(r_int[5], 0);
	ck_assert_int_eq(r_int[6], -EINVAL);
	ck_assert_int_eq(r_int[7], 0);
	ck_assert_int_eq(r_int[8], -ERANGE);
	ck_assert_int_eq(r_int[9], -ERANGE);
	ck_assert_int_eq(r_int[10], -ENODEV);
	ck_assert_int_eq(r_int[11], -ENODEV);
}
END_TEST

static struct shim_pqap_result pq[4];

static void body_pqap_nohook(void)
{
	struct kvm *kvm = shim_kvm_create(2);

	r_int[0] = shim_vcpu_pqap_aqic(kvm, 1, 1, 2, true, 3,
				       SHIM_PQAP_NIB_DEFAULT, &pq[0]);
	r_int[1] = shim_vcpu_pqap_aqic(kvm, 0, 1, 2, false, 0,
				       SHIM_PQAP_NIB_DEFAULT, &pq[1]);
	r_int[2] = shim_vcpu_pqap_aqic(kvm, 5, 1, 2, true, 3, 0, NULL);
	r_int[3] = shim_kvm_vm_crypto(kvm, KVM_S390_VM_CRYPTO_DISABLE_APIE);
	r_int[4] = shim_vcpu_run_pqap_aqic(kvm, 0, 1, 2, true, 3, 0);
	r_int[5] = shim_kvm_vm_crypto(kvm, KVM_S390_VM_CRYPTO_ENABLE_APIE);
	r_int[6] = shim_vcpu_run_pqap_aqic(kvm, 0, 1, 2, true, 3, 0);
	r_int[7] = shim_kvm_vm_crypto(kvm, 77);
	r_int[8] = shim_kvm_pv_command(kvm);
	r_bool[0] = !shim_kvm_is_locked(kvm) && !shim_kvm_vcpu_is_locked(kvm, 0);
	shim_kvm_destroy(kvm);
}

START_TEST(pqap_without_hook_answers_rc1_cc3)
{
	run(body_pqap_nohook);
	ck_assert_int_eq(r_int[0], 0x301);
	ck_assert_int_eq(pq[0].ret, 0);
	ck_assert_int_eq(pq[0].cc, 3);
	ck_assert_int_eq(pq[0].rc, 0x01);
	/* s390: 4-byte status memcpy'd into bits 63-32, low word kept (isc 3) */
	ck_assert_uint_eq(pq[0].gpr1, 0x0001000000000003ULL);
	ck_assert_int_eq(r_int[1], 0x301);
	ck_assert_uint_eq(pq[1].gpr1, 0x0001000000000000ULL);
	ck_assert_int_eq(r_int[2], -EINVAL);            /* no vcpu 5 */
	ck_assert_int_eq(r_int[3], 0);
	ck_assert_int_eq(r_int[4], -EOPNOTSUPP);        /* APIE off: to user space */
	ck_assert_int_eq(r_int[5], 0);
	ck_assert_int_eq(r_int[6], 0x301);
	ck_assert_int_eq(r_int[7], -ENXIO);
	ck_assert_int_eq(r_int[8], 0);
	ck_assert(r_bool[0]);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

/* A hook that answers like vfio_ap would: status word in bits 31-0. */
static int hook_calls;
static int fake_hook(struct kvm_vcpu *vcpu)
{
	hook_calls++;
	/* the value vfio_ap's handle_pqap leaves: E bit, response code 6 */
	shim_vcpu_gprs(vcpu)[1] = 0x80060000ULL;
	return 0;
}
static int (*fake_hook_ptr)(struct kvm_vcpu *) = fake_hook;

static void body_pqap_hook(void)
{
	struct kvm *kvm = shim_kvm_create(1);

	shim_kvm_set_pqap_hook(kvm, &fake_hook_ptr);
	r_int[0] = shim_vcpu_pqap_aqic(kvm, 0, 1, 2, true, 3, 0, &pq[0]);
	shim_kvm_set_pqap_hook(kvm, NULL);
	shim_kvm_destroy(kvm);
}

START_TEST(pqap_hook_status_lands_as_on_s390)
{
	hook_calls = 0;
	run(body_pqap_hook);
	ck_assert_int_eq(hook_calls, 1);
	/* s390 value: E bit (0x80000000) | rc 0x06 << 16, upper word clear */
	ck_assert_uint_eq(pq[0].gpr1, 0x80060000ULL);
	ck_assert_int_eq(pq[0].cc, 3);
	ck_assert_int_eq(pq[0].rc, 0x06);
	ck_assert_int_eq(r_int[0], 0x306);
}
END_TEST

/* ------------------------------------------------------------- AP model */

static int st[16];
static uint32_t sw[16];
static struct shim_apq_state qs[4];
static unsigned long info;

#define E_BIT 0x80000000U
#define IR_BIT 0x01000000U

static void body_ap_model(void)
{
	struct shim_ap_hostcfg c;

	std_cfg(&c);
	shim_ap_config_set(&c);
	st[0] = shim_ap_hw_aqic(1, 2, true, 5, 0x2000, &sw[0]);
	shim_ap_hw_queue_state(1, 2, &qs[0]);
	st[1] = shim_ap_hw_tapq(1, 2, &sw[1], &info);
	st[2] = shim_ap_hw_aqic(1, 2, true, 5, 0x2000, &sw[2]);   /* already on */
	st[3] = shim_ap_hw_zapq(1, 2, &sw[3]);
	shim_ap_hw_queue_state(1, 2, &qs[1]);
	st[4] = shim_ap_hw_tapq(1, 2, &sw[4], NULL);              /* resetting */
	st[5] = shim_ap_hw_zapq(1, 2, &sw[5]);
	st[6] = shim_ap_hw_aqic(1, 2, true, 5, 0x2000, &sw[6]);
	sim_sleep_ns(20 * 1000 * 1000, SIM_SITE);                 /* msleep(20) */
	st[7] = shim_ap_hw_tapq(1, 2, &sw[7], NULL);
	st[8] = shim_ap_hw_aqic(1, 2, true, 5, 0, &sw[8]);        /* no indicator */
	st[9] = shim_ap_hw_tapq(2, 2, &sw[9], NULL);              /* not configured */
	st[10] = shim_ap_hw_aqic(1, 2, false, 0, 0, &sw[10]);
	r_int[0] = shim_ap_hw_queue_state(2, 2, &qs[2]);
}

START_TEST(ap_model_aqic_zapq_tapq)
{
	run(body_ap_model);
	ck_assert_int_eq(st[0], RC_NORMAL);
	ck_assert(sw[0] & IR_BIT);
	ck_assert(qs[0].irq_enabled);
	ck_assert_int_eq(qs[0].isc, 5);
	ck_assert_uint_eq(qs[0].nib, 0x2000);
	ck_assert_int_eq(st[1], RC_NORMAL);
	ck_assert_uint_eq(sw[1], E_BIT | IR_BIT);
	ck_assert_uint_eq((info >> 24) & 0xff, 13);  /* CEX7 */
	ck_assert_int_eq(st[2], RC_OTHERWISE_CHANGED);
	ck_assert_uint_eq(sw[2], E_BIT | IR_BIT | (RC_OTHERWISE_CHANGED << 16));
	ck_assert_int_eq(st[3], RC_NORMAL);
	ck_assert_uint_eq(sw[3], E_BIT);             /* empty, irq off */
	ck_assert(!qs[1].irq_enabled);
	ck_assert(qs[1].reset_in_progress);
	ck_assert_int_eq(st[4], RC_RESET_IN_PROGRESS);
	ck_assert_int_eq(st[5], RC_RESET_IN_PROGRESS);
	ck_assert_int_eq(st[6], RC_RESET_IN_PROGRESS);
	ck_assert_int_eq(st[7], RC_NORMAL);
	ck_assert(!(sw[7] & IR_BIT));
	ck_assert_int_eq(st[8], 0x06);               /* invalid address */
	ck_assert_int_eq(st[9], RC_Q_NOT_AVAIL);
	ck_assert_int_eq(st[10], RC_NORMAL);
	ck_assert_int_eq(r_int[0], -ENODEV);
}
END_TEST

static void body_inject(void)
{
	struct shim_ap_hostcfg c;

	std_cfg(&c);
	shim_ap_config_set(&c);
	shim_ap_hw_set_reset_ns(0);
	r_int[0] = shim_ap_inject("zapq", 3, 4, RC_BUSY, 2);
	r_int[1] = shim_ap_inject("nqap", 3, 4, RC_BUSY, 2);
	r_int[2] = shim_ap_inject("tapq", -1, -1, 0x04, 1);
	st[0] = shim_ap_hw_zapq(3, 4, NULL);
	st[1] = shim_ap_hw_zapq(1, 4, NULL);          /* other APQN: normal */
	st[2] = shim_ap_hw_zapq(3, 4, NULL);
	st[3] = shim_ap_hw_zapq(3, 4, NULL);
	st[4] = shim_ap_hw_tapq(1, 2, NULL, NULL);
	st[5] = shim_ap_hw_tapq(1, 2, NULL, NULL);
	r_int[3] = shim_ap_inject_pending();
	r_int[4] = shim_ap_inject("aqic", -1, 2, 0x03, 0);   /* always */
	for (int i = 0; i < 3; i++)
		st[6 + i] = shim_ap_hw_aqic(3, 2, true, 1, 0x1000, NULL);
	st[9] = shim_ap_hw_aqic(3, 4, true, 1, 0x1000, NULL);
}

START_TEST(ap_model_injection_count)
{
	run(body_inject);
	ck_assert_int_eq(r_int[0], 0);
	ck_assert_int_eq(r_int[1], -EINVAL);
	ck_assert_int_eq(r_int[2], 0);
	ck_assert_int_eq(st[0], RC_BUSY);
	ck_assert_int_eq(st[1], RC_NORMAL);
	ck_assert_int_eq(st[2], RC_BUSY);
	ck_assert_int_eq(st[3], RC_NORMAL);
	ck_assert_int_eq(st[4], 0x04);
	ck_assert_int_eq(st[5], RC_NORMAL);
	ck_assert_int_eq(r_int[3], 0);
	ck_assert_int_eq(r_int[4], 0);
	for (int i = 6; i < 9; i++)
		ck_assert_int_eq(st[i], 0x03);
	ck_assert_int_eq(st[9], RC_NORMAL);
}
END_TEST

/* ------------------------------------------------------ apmask parsing */

struct mask_case {
	const char *in;
	long ret;                 /* -1: strlen(in) */
	const char *show;         /* expected apmask after (NULL: unchanged) */
};

#define ZERO16 "0000000000000000"
#define ALL16 "ffffffffffffffff"
static const struct mask_case mcases[] = {
	/* absolute */
	{ "0x8000", -1, "0x8000000000000000" ZERO16 ZERO16 ZERO16 "\n" },
	{ "0xff\n", -1, "0xff00000000000000" ZERO16 ZERO16 ZERO16 "\n" },
	{ "x0f", -1, "0x0f00000000000000" ZERO16 ZERO16 ZERO16 "\n" },
	{ "c", -1, "0xc000000000000000" ZERO16 ZERO16 ZERO16 "\n" },
	{ "", -1, "0x" ZERO16 ZERO16 ZERO16 ZERO16 "\n" },
	{ "0x" ALL16 ALL16 ALL16 ALL16, -1, "0x" ALL16 ALL16 ALL16 ALL16 "\n" },
	/* relative, applied to the previous mask (all ones) */
	{ "-0-255", -1, "0x" ZERO16 ZERO16 ZERO16 ZERO16 "\n" },
	{ "+1", -1, "0x4000000000000000" ZERO16 ZERO16 ZERO16 "\n" },
	{ "+4-7,-1", -1, "0x0f00000000000000" ZERO16 ZERO16 ZERO16 "\n" },
	{ "+0x40", -1, "0x0f00000000000000" "8000000000000000" ZERO16 ZERO16 "\n" },
	{ "+010,-0x40\n", -1, "0x0f80000000000000" ZERO16 ZERO16 ZERO16 "\n" },
	{ "+255,,+254", -1, "0x0f80000000000000" ZERO16 ZERO16 "0000000000000003\n" },
	{ "-0-255,+0", -1, "0x8000000000000000" ZERO16 ZERO16 ZERO16 "\n" },
	/* malformed: -EINVAL, mask unchanged */
	{ "+256", -EINVAL, NULL },
	{ "+5-3", -EINVAL, NULL },
	{ "+3-256", -EINVAL, NULL },
	{ "*1", -EINVAL, NULL },
	{ "+1 ", -EINVAL, NULL },
	{ "+", -EINVAL, NULL },
	{ "+1,-", -EINVAL, NULL },
	{ "+1-", -EINVAL, NULL },
	{ "+x1", -EINVAL, NULL },
	{ "0xfg", -EINVAL, NULL },
	{ "0X1", -EINVAL, NULL },
	{ " 0x1", -EINVAL, NULL },
	{ "0x1\n\n", -EINVAL, NULL },
	{ "0x" ALL16 ALL16 ALL16 ALL16 "f", -EINVAL, NULL },
	{ "-0-255,+0,1", -EINVAL, NULL },
};
#define NMC ((int)(sizeof(mcases) / sizeof(mcases[0])))
static long mres[NMC];
static char mshow[NMC][80];
static long aq_ret[4];
static char aq_show[2][80];

static void body_masks_parse(void)
{
	struct shim_ap_hostcfg c;

	std_cfg(&c);
	shim_ap_config_set(&c);
	for (int i = 0; i < NMC; i++) {
		mres[i] = shim_ap_apmask_write(mcases[i].in);
		shim_ap_apmask_show(mshow[i]);
	}
	aq_ret[0] = shim_ap_aqmask_write("-0-255,+2");
	shim_ap_aqmask_show(aq_show[0]);
	aq_ret[1] = shim_ap_aqmask_write("+2-");
	shim_ap_aqmask_show(aq_show[1]);
}

START_TEST(ap_mask_parsing_all_formats)
{
	run(body_masks_parse);
	for (int i = 0; i < NMC; i++) {
		long want = mcases[i].ret == -1 ? (long)strlen(mcases[i].in) : mcases[i].ret;
		const char *show = mcases[i].show ? mcases[i].show :
				   (i ? mshow[i - 1] : NULL);

		ck_assert_msg(mres[i] == want, "case %d \"%s\": got %ld want %ld",
			      i, mcases[i].in, mres[i], want);
		if (show)
			ck_assert_msg(!strcmp(mshow[i], show),
				      "case %d \"%s\": mask %s want %s", i,
				      mcases[i].in, mshow[i], show);
	}
	ck_assert_int_eq(aq_ret[0], 9);
	ck_assert_str_eq(aq_show[0], "0x2000000000000000" ZERO16 ZERO16 ZERO16 "\n");
	ck_assert_int_eq(aq_ret[1], -EINVAL);
	ck_assert_str_eq(aq_show[1], aq_show[0]);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

/* --------------------------------------------------- AP bus ownership */

static void body_helpers_unlocked(void)
{
	struct shim_ap_hostcfg c;
	unsigned long apm[4] = { 0 }, aqm[4] = { 0 };

	std_cfg(&c);
	shim_ap_config_set(&c);
	msb0_set(apm, 1);
	msb0_set(aqm, 2);
	r_int[0] = ap_apqn_in_matrix_owned_by_def_drv(apm, aqm);
	r_int[1] = count_kind(SIM_F_LOCK_NOT_HELD);
	shim_ap_perms_lock();
	r_int[2] = ap_apqn_in_matrix_owned_by_def_drv(apm, aqm);
	r_int[3] = ap_owned_by_def_drv(1, 2);
	r_int[4] = ap_owned_by_def_drv(256, 2);
	shim_ap_perms_unlock();
	r_int[5] = count_kind(SIM_F_LOCK_NOT_HELD);
	shim_ap_apmask_write("-1");
	shim_ap_perms_lock();
	r_int[6] = ap_apqn_in_matrix_owned_by_def_drv(apm, aqm);
	r_int[7] = ap_owned_by_def_drv(1, 2);
	r_int[8] = ap_owned_by_def_drv(3, 2);
	shim_ap_perms_unlock();
	shim_ap_legacy_helper_locks = true;
	r_int[9] = ap_owned_by_def_drv(3, 4);        /* takes the lock itself */
	r_int[10] = count_kind(SIM_F_LOCK_NOT_HELD);
}

START_TEST(ap_helpers_need_ap_perms_mutex)
{
	const struct sim_finding *f;

	run(body_helpers_unlocked);
	ck_assert_int_eq(r_int[0], 1);
	ck_assert_int_eq(r_int[1], 1);
	ck_assert_int_eq(r_int[2], 1);
	ck_assert_int_eq(r_int[3], 1);
	ck_assert_int_eq(r_int[4], -EINVAL);
	ck_assert_int_eq(r_int[5], 1);               /* no new finding */
	ck_assert_int_eq(r_int[6], 0);
	ck_assert_int_eq(r_int[7], 0);
	ck_assert_int_eq(r_int[8], 1);
	ck_assert_int_eq(r_int[9], 1);
	ck_assert_int_eq(r_int[10], 1);
	f = tu_find(SIM_F_LOCK_NOT_HELD);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->signature, "ap_perms_mutex"));
}
END_TEST

static const char *drv_name[8];

static void body_bus(void)
{
	struct shim_ap_hostcfg c;

	std_cfg(&c);
	shim_ap_config_set(&c);
	r_int[0] = shim_ap_queue_count();
	drv_name[0] = shim_ap_queue_driver(1, 2);
	r_int[1] = shim_ap_apmask_write("-1");       /* no vfio_ap: unbound */
	drv_name[1] = shim_ap_queue_driver(1, 2);
	drv_name[2] = shim_ap_queue_driver(3, 2);
	r_int[2] = shim_ap_queue_bind(1, 2);         /* vfio_ap not loaded */
	r_int[3] = shim_ap_apmask_write("+1");
	drv_name[3] = shim_ap_queue_driver(1, 2);
	r_int[4] = shim_ap_queue_unbind(1, 2);
	drv_name[4] = shim_ap_queue_driver(1, 2);
	r_int[5] = shim_ap_queue_unbind(1, 2);
	/* configuration change + scan */
	r_int[6] = shim_ap_config_add_adapter(5);
	r_int[7] = shim_ap_queue_count();            /* not before the scan */
	shim_ap_scan();
	r_int[8] = shim_ap_queue_count();
	drv_name[5] = shim_ap_queue_driver(5, 4);
	shim_ap_config_remove_domain(2);
	shim_ap_scan();
	r_int[9] = shim_ap_queue_count();
	r_bool[0] = shim_ap_queue_device(1, 2) == NULL &&
		    shim_ap_queue_device(5, 4) != NULL;
	r_int[10] = shim_ap_config_add_adapter(300);
}

START_TEST(ap_bus_bindings_and_scan)
{
	run(body_bus);
	ck_assert_int_eq(r_int[0], 4);
	ck_assert_str_eq(drv_name[0], "cex4queue");
	ck_assert_int_eq(r_int[1], 2);
	ck_assert_ptr_null(drv_name[1]);
	ck_assert_str_eq(drv_name[2], "cex4queue");
	ck_assert_int_eq(r_int[2], -ENODEV);
	ck_assert_int_eq(r_int[3], 2);
	ck_assert_str_eq(drv_name[3], "cex4queue");
	ck_assert_int_eq(r_int[4], 0);
	ck_assert_ptr_null(drv_name[4]);
	ck_assert_int_eq(r_int[5], -ENODEV);
	ck_assert_int_eq(r_int[6], 0);
	ck_assert_int_eq(r_int[7], 4);
	ck_assert_int_eq(r_int[8], 6);
	ck_assert_str_eq(drv_name[5], "cex4queue");
	ck_assert_int_eq(r_int[9], 3);               /* 1.4 3.4 5.4 */
	ck_assert(r_bool[0]);
	ck_assert_int_eq(r_int[10], -EINVAL);
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

/* ------------------------------------------- with the real vfio_ap driver */

static long e[40];
static const char *e_drv[4];

#define W(dev, attr, str) shim_sysfs_write(dev, attr, str, strlen(str))

static void body_driver(void)
{
	struct shim_ap_hostcfg c;
	struct mdev_device *m = NULL;
	struct kvm *kvm;
	struct device *md;
	unsigned long apm[4] = { 0 }, aqm[4] = { 0 }, adm[4] = { 0 }, zero[4] = { 0 };
	struct shim_apq_state hq;
	int i = 0;

	std_cfg(&c);
	c.have_apmask = true;
	set_bit_msb0(c.apmask, 3);                  /* card 3 for the host */
	shim_ap_config_set(&c);
	e[i++] = shim_module_load();                                 /* 0 */
	e_drv[0] = shim_ap_queue_driver(1, 2);
	e_drv[1] = shim_ap_queue_driver(3, 2);
	e[i++] = shim_mdev_create(0, &m);                            /* 1 */
	if (!m)
		return;
	md = shim_mdev_device(m);
	e[i++] = W(md, "assign_adapter", "1");                       /* 2 */
	e[i++] = W(md, "assign_domain", "2");                        /* 3 */
	e[i++] = W(md, "assign_domain", "4");                        /* 4 */
	e[i++] = W(md, "assign_control_domain", "2");                /* 5 */
	kvm = shim_kvm_create(1);
	e[i++] = shim_vfio_open(m, kvm);                             /* 6 */
	e[i++] = shim_kvm_has_pqap_hook(kvm);                 /* 7 */
	e[i++] = shim_kvm_refcount(kvm);                             /* 8 */
	msb0_set(apm, 1);
	msb0_set(aqm, 2);
	msb0_set(aqm, 4);
	msb0_set(adm, 2);
	e[i++] = shim_kvm_apcb_equals(kvm, apm, aqm, adm);           /* 9 */
	e[i++] = shim_vcpu_run_pqap_aqic(kvm, 0, 1, 2, true, 3, 0);  /* 10 */
	e[i++] = shim_kvm_gisc_refcount(kvm, 3);                     /* 11 */
	shim_ap_hw_queue_state(1, 2, &hq);
	e[i++] = hq.irq_enabled && hq.isc == 6;                      /* 12 */
	e[i++] = shim_vcpu_run_pqap_aqic(kvm, 0, 1, 2, true, 3, 0);  /* 13 */
	e[i++] = shim_kvm_gisc_refcount(kvm, 3);                     /* 14 */
	e[i++] = shim_ap_apmask_write("+1");                         /* 15 */
	e[i++] = shim_vcpu_run_pqap_aqic(kvm, 0, 1, 2, false, 0, 0); /* 16 */
	e[i++] = shim_kvm_gisc_refcount(kvm, 3);                     /* 17 */
	e[i++] = W(md, "assign_adapter", "3");                       /* 18 */
	e[i++] = shim_ap_queue_unbind(1, 4);                         /* 19 */
	e[i++] = shim_kvm_apcb_equals(kvm, zero, aqm, adm);          /* 20 */
	e[i++] = shim_ap_queue_bind(1, 4);                           /* 21 */
	e[i++] = shim_kvm_apcb_equals(kvm, apm, aqm, adm);           /* 22 */
	e_drv[2] = shim_ap_queue_driver(1, 4);
	shim_ap_config_remove_adapter(1);
	shim_ap_scan();
	e[i++] = shim_kvm_apcb_equals(kvm, zero, aqm, adm);          /* 23 */
	e[i++] = shim_ap_queue_count();                              /* 24 */
	shim_vfio_close(m);
	e[i++] = shim_kvm_refcount(kvm);                             /* 25 */
	e[i++] = shim_kvm_apcb_equals(kvm, zero, zero, zero);        /* 26 */
	e[i++] = shim_mdev_remove(m);                                /* 27 */
	shim_kvm_destroy(kvm);
	shim_module_unload();
	e[i++] = shim_kvm_get(0) == NULL;                            /* 28 */
}

START_TEST(driver_end_to_end)
{
	run(body_driver);
	ck_assert_int_eq(e[0], 0);
	ck_assert_str_eq(e_drv[0], "vfio_ap");
	ck_assert_str_eq(e_drv[1], "cex4queue");
	ck_assert_int_eq(e[1], 0);
	ck_assert_int_eq(e[2], 1);
	ck_assert_int_eq(e[3], 1);
	ck_assert_int_eq(e[4], 1);
	ck_assert_int_eq(e[5], 1);
	ck_assert_int_eq(e[6], 0);
	ck_assert_int_eq(e[7], 1);
	ck_assert_int_eq(e[8], 2);
	ck_assert_int_eq(e[9], 1);
	ck_assert_int_eq(e[10], 0);              /* AQIC enable: rc 0, cc 0 */
	ck_assert_int_eq(e[11], 1);
	ck_assert_int_eq(e[12], 1);              /* host ISC = nisc (AP_ISC) */
	ck_assert_int_eq(e[13], 0x307);          /* already enabled */
	ck_assert_int_eq(e[14], 1);
	ck_assert_int_eq(e[15], -EBUSY);         /* in_use: card 1 is assigned */
	ck_assert_int_eq(e[16], 0);
	ck_assert_int_eq(e[17], 0);
	ck_assert_int_lt(e[18], 0);              /* card 3 is the host's */
	ck_assert_int_eq(e[19], 0);
	ck_assert_int_eq(e[20], 1);              /* APID 1 filtered out */
	ck_assert_int_eq(e[21], 0);
	ck_assert_int_eq(e[22], 1);
	ck_assert_str_eq(e_drv[2], "vfio_ap");
	ck_assert_int_eq(e[23], 1);              /* adapter 1 hot-unplugged */
	ck_assert_int_eq(e[24], 2);
	ck_assert_int_eq(e[25], 1);
	ck_assert_int_eq(e[26], 1);
	ck_assert_int_eq(e[27], 0);
	ck_assert_int_eq(e[28], 1);
	for (int k = 0; k < sim_findings_count(); k++)
		ck_assert_msg(0, "finding: %s", sim_finding_get(k)->signature);
}
END_TEST

/* ------------------------------------------------------------ layouts */

START_TEST(layout_status_and_qci_like_s390)
{
	char err[160] = "";
	unsigned long qcil[4] = { 0 };      /* 8-aligned like the QCI block */
	unsigned int *qci = (unsigned int *)qcil;

	ck_assert_msg(shim_s390_layout_selftest(err, sizeof(err)) == 0, "%s", err);
	/* the unsigned long view of a QCI mask holds s390 doublewords */
	ap_cfg_assign(qci, 0, true);
	ap_cfg_assign(qci, 65, true);
	ck_assert_uint_eq(qcil[0], 0x8000000000000000UL);
	ck_assert_uint_eq(qcil[1], 0x4000000000000000UL);
	ck_assert(ap_cfg_test(qci, 65));
	ck_assert(!ap_cfg_test(qci, 64));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("shim_s390");
	TCase *k = tcase_create("kvm"), *a = tcase_create("ap"), *l = tcase_create("layout");

	tcase_add_test(k, kvm_refcount_destroy_on_last_put);
	tcase_add_test(k, kvm_set_masks_without_lock_is_a_finding);
	tcase_add_test(k, kvm_set_masks_legacy_takes_lock);
	tcase_add_test(k, kvm_set_masks_with_lock_fills_apcb);
	tcase_add_test(k, kvm_gisc_refcounts);
	tcase_add_test(k, pqap_without_hook_answers_rc1_cc3);
	tcase_add_test(k, pqap_hook_status_lands_as_on_s390);
	tcase_add_test(a, ap_model_aqic_zapq_tapq);
	tcase_add_test(a, ap_model_injection_count);
	tcase_add_test(a, ap_mask_parsing_all_formats);
	tcase_add_test(a, ap_helpers_need_ap_perms_mutex);
	tcase_add_test(a, ap_bus_bindings_and_scan);
	tcase_add_test(a, driver_end_to_end);
	tcase_add_test(l, layout_status_and_qci_like_s390);
	suite_add_tcase(s, k);
	suite_add_tcase(s, a);
	suite_add_tcase(s, l);
	return s;
}

int main(void)
{
	/* Check forks every test from this pristine process, so the driver's
	 * data needs no snapshot/restore here. */
	return tu_run(suite());
}
