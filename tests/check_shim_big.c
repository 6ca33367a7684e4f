/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_shim_big.c - worlds as big as real machines: the AP bus shim
 * and the AP hardware model at the architecture's 256 x 256 queues, with
 * memory proportional to what is configured, and the model's AP_RESPONSE_BUSY
 * answer to ZAPQ as each kernel tree's real driver handles it.
 *
 * Owns: nothing but these tests.  Every body runs as thread 0 of one sim_run
 * (locks, lockdep and findings live); results are asserted after the run.
 */
#include <errno.h>
#include <sys/types.h>
#include "driver/kernel/s390.h"
#include "check_util.h"
#include "check_s390_util.h"

extern const char apsim_ksrc_version[];

#define RC_NORMAL 0x00
#define RC_BUSY 0x05

static struct sim_result res;

static void run(void (*fn)(void))
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);

	o.trace = false;
	o.max_steps = 1ULL << 40;
	tu_s390_run(fn, &o, &res);
}

static void set_first(uint8_t *m, int n)
{
	for (int i = 0; i < n; i++)
		m[i / 8] |= 0x80 >> (i % 8);
}

/* na adapters x nd domains, all for the host's default driver */
static void cfg_of(struct shim_ap_hostcfg *c, int na, int nd)
{
	memset(c, 0, sizeof(*c));
	c->apxa = true;
	set_first(c->apm, na);
	set_first(c->aqm, nd);
	set_first(c->adm, nd);
}

/* ------------------------------------------------ 256 x 256 and memory */

static int q_count[4];
static bool q_dev[4];
static size_t bus_bytes[2], hw_bytes[2];
static int tapq_rc[2];
static int na_, nd_;

static void body_size(void)
{
	struct shim_ap_hostcfg c;
	int bad = 0;

	cfg_of(&c, na_, nd_);
	q_count[0] = shim_ap_config_set(&c);
	q_count[1] = shim_ap_queue_count();
	q_dev[0] = shim_ap_queue_device(na_ - 1, nd_ - 1) != NULL;
	q_dev[1] = shim_ap_queue_device(na_, 0) == NULL;
	/* every configured queue answers TAPQ (the model keeps its state) */
	for (int a = 0; a < na_; a++)
		for (int d = 0; d < nd_; d++)
			bad += shim_ap_hw_tapq(a, d, NULL, NULL) != RC_NORMAL;
	tapq_rc[0] = bad;
	bus_bytes[0] = shim_ap_bus_bytes();
	hw_bytes[0] = shim_ap_hw_bytes();
	/* hot unplug of the last adapter through a configuration change */
	shim_ap_config_remove_adapter(na_ - 1);
	shim_ap_scan();
	q_count[2] = shim_ap_queue_count();
	q_dev[2] = shim_ap_queue_device(na_ - 1, 0) == NULL;
	shim_ap_config_add_adapter(na_ - 1);
	shim_ap_scan();
	q_count[3] = shim_ap_queue_count();
	q_dev[3] = shim_ap_queue_device(na_ - 1, nd_ - 1) != NULL;
}

static void sized(int na, int nd)
{
	na_ = na;
	nd_ = nd;
	memset(q_count, 0, sizeof(q_count));
	run(body_size);
	ck_assert_int_eq(q_count[0], 0);
	ck_assert_int_eq(q_count[1], na * nd);
	ck_assert(q_dev[0]);
	ck_assert(q_dev[1] || na == 256);
	ck_assert_int_eq(tapq_rc[0], 0);
	ck_assert_int_eq(q_count[2], (na - 1) * nd);
	ck_assert(q_dev[2]);
	ck_assert_int_eq(q_count[3], na * nd);
	ck_assert(q_dev[3]);
	for (int k = 0; k < sim_findings_count(); k++)
		ck_assert_msg(0, "finding: %s", sim_finding_get(k)->signature);
}

START_TEST(ap_bus_and_model_hold_256x256)
{
	sized(256, 256);
	ck_assert_int_eq(q_count[1], 65536);
}
END_TEST

START_TEST(memory_is_proportional_to_the_configuration)
{
	size_t small_bus, small_hw;

	sized(4, 4);
	small_bus = bus_bytes[0];
	small_hw = hw_bytes[0];
	sized(256, 256);
	/* the bus: a row per card that has queues (4 vs 256 rows) */
	ck_assert_uint_gt(small_bus, 0);
	ck_assert_uint_eq(bus_bytes[0], 64 * small_bus);
	/* the model: bounded bytes per touched queue, for both sizes; the
	 * small world holds a few KiB, not a 65536-queue table */
	ck_assert_uint_le(small_hw, 8192);
	ck_assert_uint_le(small_hw / 16, 512);
	ck_assert_uint_le(hw_bytes[0] / 65536, 512);
	ck_assert_uint_gt(hw_bytes[0], 64 * small_hw);
}
END_TEST

START_TEST(skewed_shapes_use_the_whole_id_range)
{
	sized(256, 4);
	sized(4, 256);
}
END_TEST

/* ------------------------------------------- ZAPQ answering 0x05 (busy) */

static int z_rc[4];
static struct shim_apq_state z_st[4];

static void body_model_busy(void)
{
	struct shim_ap_hostcfg c;

	cfg_of(&c, 1, 1);
	shim_ap_config_set(&c);
	shim_ap_hw_set_aqic_ns(5000000);                    /* 5 ms */
	z_rc[0] = shim_ap_hw_aqic(0, 0, true, 3, 0x1000, NULL);
	z_rc[1] = shim_ap_hw_zapq(0, 0, NULL);               /* still completing */
	shim_ap_hw_queue_state(0, 0, &z_st[0]);
	sim_sleep_ns(6000000, SIM_SITE);
	z_rc[2] = shim_ap_hw_zapq(0, 0, NULL);
	shim_ap_hw_queue_state(0, 0, &z_st[1]);
	shim_ap_hw_set_aqic_ns(0);                          /* the default */
	sim_sleep_ns(2000000, SIM_SITE);
	shim_ap_hw_aqic(0, 0, true, 3, 0x1000, NULL);
	z_rc[3] = shim_ap_hw_zapq(0, 0, NULL);
}

START_TEST(ap_model_zapq_busy_while_aqic_completes)
{
	run(body_model_busy);
	ck_assert_int_eq(z_rc[0], RC_NORMAL);
	ck_assert_int_eq(z_rc[1], RC_BUSY);
	/* busy: the reset was not performed */
	ck_assert(z_st[0].irq_enabled);
	ck_assert(!z_st[0].reset_in_progress);
	ck_assert_int_eq(z_rc[2], RC_NORMAL);
	ck_assert(!z_st[1].irq_enabled);
	ck_assert(z_st[1].reset_in_progress);
	ck_assert_int_eq(z_rc[3], RC_NORMAL);   /* aqic_ns 0: never busy */
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

static long d[8];
static struct shim_apq_state d_st;

#define W(dev, attr, str) shim_sysfs_write(dev, attr, str, strlen(str))

/* One queue 00.0000 for vfio_ap, m0 with it, open with k0, the guest
 * enables interruptions (PQAP AQIC) and the device is closed at once:
 * the close resets the queue (vfio_ap_mdev_reset_queues) while the AQIC
 * is still completing, so ZAPQ answers AP_RESPONSE_BUSY. */
static void body_driver_busy(void)
{
	struct shim_ap_hostcfg c;
	struct mdev_device *m = NULL;
	struct kvm *kvm;
	int i = 0;

	cfg_of(&c, 1, 1);
	c.have_apmask = c.have_aqmask = true;
	memset(c.apmask, 0xff, sizeof(c.apmask));
	memset(c.aqmask, 0xff, sizeof(c.aqmask));
	c.apmask[0] &= 0x7f;                                     /* adapter 0 free */
	c.aqmask[0] &= 0x7f;                                     /* domain 0 free */
	shim_ap_config_set(&c);
	shim_ap_hw_set_aqic_ns(5000000);
	d[i++] = shim_module_load();                             /* 0 */
	d[i++] = shim_mdev_create(0, &m);                        /* 1 */
	if (!m)
		return;
	d[i++] = W(shim_mdev_device(m), "assign_adapter", "0");  /* 2 */
	d[i++] = W(shim_mdev_device(m), "assign_domain", "0");   /* 3 */
	kvm = shim_kvm_create(1);
	d[i++] = shim_vfio_open(m, kvm);                         /* 4 */
	d[i++] = shim_vcpu_run_pqap_aqic(kvm, 0, 0, 0, true, 3, 0); /* 5 */
	shim_vfio_close(m);
	shim_ap_hw_queue_state(0, 0, &d_st);
	d[i++] = shim_mdev_remove(m);                            /* 6 */
	shim_kvm_destroy(kvm);
	shim_module_unload();
}

static const struct sim_finding *warn_with(const char *text)
{
	for (int k = 0; k < sim_findings_count(); k++) {
		const struct sim_finding *f = sim_finding_get(k);

		if (f->kind == SIM_F_WARN && f->report && strstr(f->report, text))
			return f;
	}
	return NULL;
}

/*
 * What each tree's vfio_ap_mdev_reset_queue does with ZAPQ rc 0x05:
 *  - 6.1: not among its cases: the default branch, "things are really
 *    broken, give up": WARN "PQAP/ZAPQ for 00.0000 failed with invalid rc=5"
 *    and -EIO, without retrying the reset (one ZAPQ);
 *  - 6.12: AP_RESPONSE_BUSY is handled with NORMAL and RESET_IN_PROGRESS:
 *    apq_reset_check (on system_long_wq, flushed by
 *    vfio_ap_mdev_reset_queues) polls TAPQ every AP_RESET_INTERVAL and,
 *    since the ZAPQ answered busy, issues it again: two ZAPQs, the queue
 *    is reset, no WARN.
 */
START_TEST(driver_handles_zapq_busy_as_its_tree_does)
{
	bool v61 = !strncmp(apsim_ksrc_version, "6.1.", 4);
	bool v612 = !strncmp(apsim_ksrc_version, "6.12.", 5);

	run(body_driver_busy);
	ck_assert_int_eq(d[0], 0);
	ck_assert_int_eq(d[1], 0);
	ck_assert_int_eq(d[2], 1);
	ck_assert_int_eq(d[3], 1);
	ck_assert_int_eq(d[4], 0);
	ck_assert_int_eq(d[5], 0);                        /* AQIC: rc 0, cc 0 */
	if (v61) {
		ck_assert_ptr_nonnull(warn_with("invalid rc=5"));
		ck_assert_uint_eq(d_st.nr_zapq, 1);
		ck_assert(d_st.irq_enabled);              /* never reset */
	} else if (v612) {
		ck_assert_ptr_null(warn_with("rc="));
		ck_assert_uint_eq(d_st.nr_zapq, 2);
		ck_assert(!d_st.irq_enabled);
		for (int k = 0; k < sim_findings_count(); k++)
			ck_assert_msg(0, "finding: %s", sim_finding_get(k)->signature);
	} else {
		ck_assert(d_st.nr_zapq >= 1);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("shim_big");
	TCase *t = tcase_create("big");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, ap_bus_and_model_hold_256x256);
	tcase_add_test(t, memory_is_proportional_to_the_configuration);
	tcase_add_test(t, skewed_shapes_use_the_whole_id_range);
	tcase_add_test(t, ap_model_zapq_busy_while_aqic_completes);
	tcase_add_test(t, driver_handles_zapq_busy_as_its_tree_does);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
