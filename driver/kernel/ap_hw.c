/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/ap_hw.c - the deterministic AP hardware model behind asm/ap.h.
 *
 * Owns: the hardware AP configuration (what PQAP(QCI) returns), per-queue
 * hardware state (reset in progress until a virtual time, interruptions
 * enabled, ISC, NIB), the PQAP functions TAPQ/RAPQ/ZAPQ/AQIC/QCI, response
 * code injection, the installed facilities and instruction counters.
 *
 * Semantics (modelled on the AP architecture as the driver relies on it):
 *  - an APQN exists iff its card is in the QCI apm and its domain in aqm;
 *    otherwise every instruction answers AP_RESPONSE_Q_NOT_AVAIL;
 *  - ZAPQ/RAPQ disable interruptions, empty the queue and leave it "reset
 *    in progress" for reset_ns of virtual time; while it is, ZAPQ/RAPQ/AQIC
 *    answer AP_RESPONSE_RESET_IN_PROGRESS and TAPQ reports the same code
 *    (queue empty, interruptions off), so the driver's msleep() retry
 *    loops run;
 *  - AQIC with ir=1 enables interruptions (isc, nib remembered); when they
 *    are already enabled it answers AP_RESPONSE_OTHERWISE_CHANGED; a zero
 *    indicator address answers AP_RESPONSE_INVALID_ADDRESS; ir=0 disables;
 *  - TAPQ reports queue_empty (no messages are modelled) and irq_enabled;
 *    gr2 carries the AP type in bits 31-24 and the functions in 63-32;
 *  - an injected response code is returned with the queue's current flags
 *    and changes no state.
 *  - ZAPQ/RAPQ answer AP_RESPONSE_BUSY (0x05) while an AQIC's change of
 *    the interruption state is still completing (aqic_ns of virtual time
 *    after the AQIC; 0, the default, completes it at once): the queue is
 *    busy with the previous command, the reset was not performed, and the
 *    program is expected to retry it (see shim_ap_hw_set_aqic_ns).
 * State is only kept for queues an instruction touched: a dense array in
 * first-touch order plus, per card that has a touched queue, a row of
 * AP_DOMAINS indexes, so memory is proportional to what the driver touched
 * (up to all 256 x 256 APQNs).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <asm/ap.h>
#include <asm/facility.h>
#include "ap_bus.h"

#include <apsim/sim.h>
#include "driver/kernel/s390.h"
#include "driver/kernel/snaparr.h"
#include "driver/kernel/fault.h"
#include "driver/kernel/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HWQ_MAX (256 * 256)     /* every APQN */
#define HWQ_KEEP 64             /* a dense array this small is kept at reset */
#define INJ_MAX 32

static void row_dirty(unsigned int card);
static void rows_forget(void);

struct hwq {
	u16 apqn;
	bool irq;
	u8 isc;
	u64 nib;
	u64 reset_until;        /* virtual ns; reset in progress while now < */
	u64 busy_until;         /* virtual ns; an AQIC completes while now < */
	unsigned int nr_zapq, nr_aqic, nr_tapq;
};

enum insn { I_TAPQ, I_ZAPQ, I_AQIC, I_RAPQ, I__N };
static const char *const insn_names[I__N] = { "tapq", "zapq", "aqic", "rapq" };

struct inj {
	enum insn insn;
	int card, dom, rc;
	int left;               /* > 0: remaining; -1: forever */
};

static struct {
	struct ap_config_info qci;
	bool qci_avail;
	bool insn_avail;
	u64 fac[4];             /* s390 facility list, MSB0 */
	u8 card_type[256];      /* 0 = default */
	int default_type;
	uint64_t reset_ns;
	uint64_t aqic_ns;       /* AQIC completion time (0: at once) */
	int nq, cap;
	struct hwq *q;          /* touched queues, first-touch order */
	uint32_t *row[256];     /* per card: index + 1 into q, by domain */
	int ninj;
	struct inj inj[INJ_MAX];
} hw;

static void fac_assign(unsigned long nr, bool on)
{
	if (nr >= 256)
		return;
	if (on)
		hw.fac[nr / 64] |= 1ULL << (63 - nr % 64);
	else
		hw.fac[nr / 64] &= ~(1ULL << (63 - nr % 64));
}

void shim_ap_hw_reset(void)
{
	memset(&hw.qci, 0, sizeof(hw.qci));
	hw.qci.apxa = 1;
	hw.qci.Na = 255;
	hw.qci.Nd = 255;
	hw.qci_avail = true;
	hw.insn_avail = true;
	memset(hw.fac, 0, sizeof(hw.fac));
	fac_assign(12, true);   /* QCI */
	fac_assign(15, true);   /* APFT */
	fac_assign(65, true);   /* AQIC */
	memset(hw.card_type, 0, sizeof(hw.card_type));
	hw.default_type = AP_DEVICE_TYPE_CEX7;
	hw.reset_ns = 1000000;  /* 1 ms */
	hw.aqic_ns = 0;
	rows_forget();	/* free the rows this execution's memory holds */
	if (hw.cap > HWQ_KEEP) {        /* memory follows the configuration */
		free(hw.q);
		hw.q = NULL;
		hw.cap = 0;
	} else if (hw.q) {
		memset(hw.q, 0, sizeof(hw.q[0]) * hw.nq);
	}
	hw.nq = 0;
	hw.ninj = 0;
}

/* test_facility (arch/s390/include/asm/facility.h, 6.1 and 6.12). */
bool shim_test_facility(unsigned long nr)
{
	return nr < 256 && ((hw.fac[nr / 64] >> (63 - nr % 64)) & 1);
}

/* ap_instructions_available (asm/ap.h, 6.1 and 6.12; there a TAPQ of
 * APQN 0 that does not program-check): the host's switch. */
bool ap_instructions_available(void)
{
	return hw.insn_avail;
}

void shim_ap_hw_get_qci(struct ap_config_info *out)
{
	*out = hw.qci;
}

static bool configured(unsigned int apqn);

void shim_ap_hw_set_qci(const struct ap_config_info *in)
{
	hw.qci = *in;
	/* A queue leaving the configuration loses its interruption state. */
	for (int i = 0; i < hw.nq; i++)
		if (!configured(hw.q[i].apqn)) {
			hw.q[i].irq = false;
			hw.q[i].isc = 0;
			hw.q[i].nib = 0;
			hw.q[i].reset_until = 0;
			hw.q[i].busy_until = 0;
		}
}

void shim_ap_hw_set_card_type(int card, int type)
{
	if (card >= 0 && card < 256)
		hw.card_type[card] = (u8)type;
	else if (card < 0)
		hw.default_type = type;
}

int shim_ap_hw_card_type(int card)
{
	if (card >= 0 && card < 256 && hw.card_type[card])
		return hw.card_type[card];
	return hw.default_type;
}

void shim_ap_hw_set_reset_ns(uint64_t ns)
{
	hw.reset_ns = ns;
}

/* ------------------------------------------------------------ injection */

int shim_ap_inject(const char *insn, int card, int dom, int rc, int count)
{
	int i;

	for (i = 0; i < I__N; i++)
		if (insn && !strcmp(insn, insn_names[i]))
			break;
	if (i == I__N || rc < 0 || rc > 0xff || count < 0)
		return -EINVAL;
	if (hw.ninj >= INJ_MAX)
		return -ENOSPC;
	hw.inj[hw.ninj++] = (struct inj){ .insn = i, .card = card, .dom = dom,
					  .rc = rc, .left = count ? count : -1 };
	return 0;
}

int shim_ap_inject_pending(void)
{
	int n = 0;

	for (int i = 0; i < hw.ninj; i++)
		if (hw.inj[i].left != 0)
			n++;
	return n;
}

/* An injected response code for this execution of insn on apqn, or -1. */
static int inject_take(enum insn insn, unsigned int apqn)
{
	for (int i = 0; i < hw.ninj; i++) {
		struct inj *j = &hw.inj[i];

		if (j->insn != insn || j->left == 0)
			continue;
		if (j->card >= 0 && j->card != (int)AP_QID_CARD(apqn))
			continue;
		if (j->dom >= 0 && j->dom != (int)AP_QID_QUEUE(apqn))
			continue;
		if (j->left > 0)
			j->left--;
		return j->rc;
	}
	return -1;
}

/* -------------------------------------------------------------- queues */

static bool configured(unsigned int apqn)
{
	return ap_cfg_test(hw.qci.apm, AP_QID_CARD(apqn)) &&
	       ap_cfg_test(hw.qci.aqm, AP_QID_QUEUE(apqn));
}


static struct hwq *hwq_find(unsigned int apqn, bool create)
{
	unsigned int card = AP_QID_CARD(apqn), dom = AP_QID_QUEUE(apqn);
	uint32_t *row = hw.row[card];

	if (row && row[dom])
		return &hw.q[row[dom] - 1];
	if (!create)
		return NULL;
	if (!row) {
		row = hw.row[card] = calloc(256, sizeof(*row));
		if (!row)
			goto full;
		row_dirty(card);
	}
	if (hw.nq == hw.cap) {
		int ncap = hw.cap ? 2 * hw.cap : 16;
		struct hwq *n = ncap <= HWQ_MAX ? realloc(hw.q, ncap * sizeof(*n)) : NULL;

		if (!n)
			goto full;
		hw.q = n;
		hw.cap = ncap;
	}
	hw.q[hw.nq] = (struct hwq){ .apqn = (u16)apqn };
	row[dom] = (uint32_t)++hw.nq;
	row_dirty(card);
	return &hw.q[hw.nq - 1];
full:
	sim_report(SIM_F_INVARIANT, true, "invariant:ap-hw-table-full",
		   "apsim: AP hardware model: no memory for queue %02x.%04x\n",
		   card, dom);
	{
		static struct hwq spare;   /* the execution ends at the report */

		spare = (struct hwq){ .apqn = (u16)apqn };
		return &spare;
	}
}

/* Bytes the model holds for its queues (the Check test of proportional
 * memory compares a small and a full configuration). */
size_t shim_ap_hw_bytes(void)
{
	size_t n = (size_t)hw.cap * sizeof(hw.q[0]);

	for (int c = 0; c < 256; c++)
		n += hw.row[c] ? 256 * sizeof(uint32_t) : 0;
	return n;
}

void shim_ap_hw_set_aqic_ns(uint64_t ns)
{
	hw.aqic_ns = ns;
}

static bool resetting(const struct hwq *q)
{
	return q && sim_now_ns() < q->reset_until;
}

static struct ap_queue_status mkstatus(const struct hwq *q, int rc)
{
	struct ap_queue_status s;

	memset(&s, 0, sizeof(s));
	s.response_code = rc;
	s.queue_empty = 1;
	s.irq_enabled = q && q->irq;
	return s;
}

static unsigned long tapq_info(unsigned int apqn)
{
	unsigned long fac = (0x80000000UL >> APSIM_TAPQ_FAC_COPRO) |
			    (0x80000000UL >> APSIM_TAPQ_FAC_APXA);

	return (fac << 32) |
	       ((unsigned long)(shim_ap_hw_card_type(AP_QID_CARD(apqn)) & 0xff) << 24);
}

/* PQAP(TAPQ): ap_tapq / ap_test_queue (asm/ap.h, 6.1 and 6.12; 6.12 wraps
 * GR2 in struct ap_tapq_hwinfo).  Native codes 0x00, 0x01, 0x02. */
struct ap_queue_status apsim_hw_tapq(ap_qid_t qid, unsigned long *info)
{
	unsigned int apqn = qid & 0xffff;
	struct hwq *q = hwq_find(apqn, configured(apqn));
	int rc = inject_take(I_TAPQ, apqn);

	if (q)
		q->nr_tapq++;
	if (rc < 0) {
		if (!configured(apqn))
			return mkstatus(q, AP_RESPONSE_Q_NOT_AVAIL);
		rc = resetting(q) ? AP_RESPONSE_RESET_IN_PROGRESS
				  : AP_RESPONSE_NORMAL;
	}
	if (info && rc != AP_RESPONSE_Q_NOT_AVAIL)
		*info = tapq_info(apqn);
	return mkstatus(q, rc);
}

static struct ap_queue_status do_reset(ap_qid_t qid, enum insn insn)
{
	unsigned int apqn = qid & 0xffff;
	struct hwq *q = hwq_find(apqn, configured(apqn));
	int rc = inject_take(insn, apqn);

	if (q)
		q->nr_zapq++;
	if (rc >= 0)
		return mkstatus(q, rc);
	if (!configured(apqn))
		return mkstatus(q, AP_RESPONSE_Q_NOT_AVAIL);
	if (resetting(q))
		return mkstatus(q, AP_RESPONSE_RESET_IN_PROGRESS);
	if (sim_now_ns() < q->busy_until)   /* an AQIC is still completing */
		return mkstatus(q, AP_RESPONSE_BUSY);
	q->irq = false;
	q->isc = 0;
	q->nib = 0;
	q->reset_until = sim_now_ns() + hw.reset_ns;
	return mkstatus(q, AP_RESPONSE_NORMAL);
}

/* PQAP(ZAPQ) / PQAP(RAPQ): ap_zapq / ap_rapq (asm/ap.h, 6.1 and 6.12; the
 * 6.12 F bit is not modelled).  Native codes 0x00, 0x01, 0x02, 0x05. */
struct ap_queue_status apsim_hw_reset(ap_qid_t qid, bool zeroize)
{
	return do_reset(qid, zeroize ? I_ZAPQ : I_RAPQ);
}

/* PQAP(AQIC): ap_aqic (asm/ap.h, 6.1 and 6.12).  Native codes 0x00, 0x01,
 * 0x02, 0x06 (zero NIB), 0x07 (enable while enabled). */
struct ap_queue_status ap_aqic(ap_qid_t qid, apsim_qirq_t qirqctrl,
			       phys_addr_t pa_ind)
{
	unsigned int apqn = qid & 0xffff;
	struct hwq *q = hwq_find(apqn, configured(apqn));
	int rc = inject_take(I_AQIC, apqn);

	if (q)
		q->nr_aqic++;
	if (rc >= 0)
		return mkstatus(q, rc);
	if (!configured(apqn))
		return mkstatus(q, AP_RESPONSE_Q_NOT_AVAIL);
	if (resetting(q))
		return mkstatus(q, AP_RESPONSE_RESET_IN_PROGRESS);
	if (qirqctrl.ir) {
		if (q->irq)
			return mkstatus(q, AP_RESPONSE_OTHERWISE_CHANGED);
		if (!pa_ind)
			return mkstatus(q, AP_RESPONSE_INVALID_ADDRESS);
		q->irq = true;
		q->isc = qirqctrl.isc;
		q->nib = pa_ind;
	} else {
		q->irq = false;
		q->isc = 0;
		q->nib = 0;
	}
	q->busy_until = hw.aqic_ns ? sim_now_ns() + hw.aqic_ns : 0;
	return mkstatus(q, AP_RESPONSE_NORMAL);
}

/* PQAP(QCI): ap_qci (asm/ap.h, 6.1 and 6.12): 0, or -EOPNOTSUPP as the
 * program check of a machine without the facility. */
int ap_qci(struct ap_config_info *config)
{
	int rc;

	if (!hw.qci_avail || !hw.insn_avail)
		return -EOPNOTSUPP;
	if ((rc = shim_fault_hit(SHIM_FP_QCI, SIM_SITE)))	/* module init only */
		return rc;
	*config = hw.qci;
	return 0;
}

int shim_ap_hw_queue_state(int card, int dom, struct shim_apq_state *out)
{
	unsigned int apqn;
	struct hwq *q;

	if (card < 0 || card > 255 || dom < 0 || dom > 255)
		return -EINVAL;
	apqn = AP_MKQID(card, dom);
	q = hwq_find(apqn, false);
	memset(out, 0, sizeof(*out));
	out->configured = configured(apqn);
	out->queue_empty = true;
	if (q) {
		out->reset_in_progress = resetting(q);
		out->irq_enabled = q->irq;
		out->isc = q->isc;
		out->nib = q->nib;
		out->nr_zapq = q->nr_zapq;
		out->nr_aqic = q->nr_aqic;
		out->nr_tapq = q->nr_tapq;
	}
	return out->configured ? 0 : -ENODEV;
}

/* ------------------------------------------------ host-side wrappers */

static int hw_result(struct ap_queue_status st, uint32_t *word)
{
	if (word)
		*word = ap_queue_status_word(st);
	return st.response_code;
}

int shim_ap_hw_tapq(int card, int dom, uint32_t *word, unsigned long *info)
{
	return hw_result(apsim_hw_tapq(AP_MKQID(card, dom), info), word);
}

int shim_ap_hw_zapq(int card, int dom, uint32_t *word)
{
	return hw_result(apsim_hw_reset(AP_MKQID(card, dom), true), word);
}

int shim_ap_hw_aqic(int card, int dom, bool ir, int isc, uint64_t nib,
		    uint32_t *word)
{
	apsim_qirq_t ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.ir = ir;
	ctl.isc = isc;
	return hw_result(ap_aqic(AP_MKQID(card, dom), ctl, nib), word);
}

/* The layouts of docs/endianness.md, checked as the driver uses them. */
int shim_s390_layout_selftest(char *err, size_t len)
{
	struct ap_queue_status s;
	apsim_qirq_t q;
	struct ap_config_info ci;
	unsigned long long reg = 0xdeadbeefcafef00dULL, v;

	memset(&s, 0, sizeof(s));
	s.queue_empty = 1;
	s.irq_enabled = 1;
	s.response_code = 0x02;
	/* handle_pqap: memcpy(&gprs[1], &qstatus, sizeof(qstatus)); >>= 32 */
	memcpy(&reg, &s, sizeof(s));
	reg >>= 32;
	if (reg != 0x81020000ULL || ap_queue_status_word(s) != 0x81020000U) {
		snprintf(err, len, "status in gpr1 is %#llx, s390: 0x81020000", reg);
		return -1;
	}
	memset(&q, 0, sizeof(q));
	q.ir = 1;
	q.gisc = 3;
	q.isc = 6;
	q.gisa = 0x123;
	memcpy(&v, &q, sizeof(v));
	if (v != ((1ULL << 47) | (3ULL << 40) | (0x123ULL << 4) | 6)) {
		snprintf(err, len, "ap_qirq_ctrl register value %#llx", v);
		return -1;
	}
	memset(&ci, 0, sizeof(ci));
	ci.apxa = 1;
	if (((unsigned char *)&ci)[0] != 0x40) {
		snprintf(err, len, "QCI flag byte %#x, s390: 0x40",
			 ((unsigned char *)&ci)[0]);
		return -1;
	}
	ap_cfg_assign(ci.apm, 0, true);
	ap_cfg_assign(ci.apm, 65, true);
	if (((unsigned long *)ci.apm)[0] != 0x8000000000000000UL ||
	    ((unsigned long *)ci.apm)[1] != 0x4000000000000000UL ||
	    !test_bit_inv(65, (unsigned long *)ci.apm) ||
	    test_bit_inv(64, (unsigned long *)ci.apm)) {
		snprintf(err, len, "QCI masks are not s390 doublewords");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------ world snapshots */

/*
 * The model's queue array (hw.q) and its per-card index rows are host
 * memory: a world snapshot (module.c) copies the shim's sections, which
 * hold only the pointers, so the model keeps the contents itself (what the
 * set-up part left: hw.nq entries, the rows that existed) and, at a
 * restore, puts them back into the memory this execution holds (it may
 * have grown the array, added rows, or a world run in between may have
 * freed and reallocated everything).  The bookkeeping lives outside the
 * shim's sections (it must survive a restore).
 */
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);

#define KEEP __attribute__((section("apsim_keep")))
static struct hwq *hws_q KEEP;
static int hws_nq KEEP;
static uint32_t *hws_row[256] KEEP;        /* saved row contents (NULL: no row) */
static struct shim_snap_buf hws_mem[256] KEEP;   /* their memory, kept across saves */
static struct shim_snap_buf hws_qmem KEEP;  /* hws_q's */
static struct hwq *cur_q KEEP;             /* this execution's memory, across */
static int cur_cap KEEP;                   /* the sections' copy */
static uint32_t *cur_row[256] KEEP;
/* A row whose memory holds the saved contents since the last save or
 * restore (hws_done[c]) and that nothing changed since (no bit in
 * hws_dirty: hwq_find marks every row it creates or writes) is not copied
 * again: most executions touch no row (a 1 KB copy per card was most of
 * a D2 restore). */
static uint32_t *hws_done[256] KEEP;
static uint64_t hws_dirty[4] KEEP;
/* the cards with a row: in this execution's memory (row_dirty sets, a
 * reset clears), and saved */
static uint64_t hw_live[4] KEEP, hws_has[4] KEEP;

static void row_dirty(unsigned int card)
{
	hws_dirty[card / 64] |= 1ULL << (card % 64);
	hw_live[card / 64] |= 1ULL << (card % 64);
}

static void rows_forget(void)
{
	for (int k = 0; k < 4; k++)
		for (uint64_t m = hw_live[k]; m; m &= m - 1) {
			int c = k * 64 + __builtin_ctzll(m);

			free(hw.row[c]);
		}
	memset(hw.row, 0, sizeof(hw.row));
	memset(hw_live, 0, sizeof(hw_live));
}

static bool row_is_dirty(int card)
{
	return hws_dirty[card / 64] & (1ULL << (card % 64));
}

/* The row pointers: shim_ap_hw_snap_restore_post sets those of the cards
 * with a saved row or a row of this execution; the others are NULL both in
 * the snapshot and now (hw.row[c] != NULL only for the cards of hw_live). */
SHIM_SNAP_HOLE(hw_rows, hw.row, sizeof(hw.row));

/* After a restore (tests): the cards whose row is not the saved one. */
unsigned long shim_ap_hw_snap_check(void)
{
	unsigned long bad = 0;

	for (int c = 0; c < 256; c++) {
		bool live = (hw_live[c / 64] >> (c % 64)) & 1;

		if (!hws_row[c])
			bad += hw.row[c] != NULL || live;
		else
			bad += !hw.row[c] || !live ||
			       memcmp(hw.row[c], hws_row[c], 256 * sizeof(uint32_t)) != 0;
	}
	return bad;
}

void shim_ap_hw_snap_drop(void)
{
	hws_q = NULL;
	hws_nq = 0;
	for (int c = 0; c < 256; c++) {
		hws_row[c] = NULL;
		hws_done[c] = NULL;
	}
	memset(hws_has, 0, sizeof(hws_has));
}

int shim_ap_hw_snap_save(void)
{
	shim_ap_hw_snap_drop();
	hws_q = shim_snap_buf(&hws_qmem, sizeof(hw.q[0]) * (size_t)(hw.nq ? hw.nq : 1));
	if (!hws_q)
		return -ENOMEM;
	if (hw.nq)
		memcpy(hws_q, hw.q, sizeof(hw.q[0]) * (size_t)hw.nq);
	hws_nq = hw.nq;
	for (int c = 0; c < 256; c++) {
		if (!hw.row[c])
			continue;
		hws_row[c] = shim_snap_buf(&hws_mem[c], 256 * sizeof(uint32_t));
		if (!hws_row[c]) {
			shim_ap_hw_snap_drop();
			return -ENOMEM;
		}
		memcpy(hws_row[c], hw.row[c], 256 * sizeof(uint32_t));
		hws_done[c] = hw.row[c];
		hws_has[c / 64] |= 1ULL << (c % 64);
	}
	memset(hws_dirty, 0, sizeof(hws_dirty));
	return 0;
}

/* Before the shim's sections are copied back: note this execution's memory. */
static uint64_t cur_has[4] KEEP;

void shim_ap_hw_snap_restore(void)
{
	cur_q = hw.q;
	cur_cap = hw.cap;
	memcpy(cur_has, hw_live, sizeof(cur_has));
	for (int k = 0; k < 4; k++)
		for (uint64_t m = cur_has[k]; m; m &= m - 1) {
			int c = k * 64 + __builtin_ctzll(m);

			cur_row[c] = hw.row[c];
		}
}

/* After: the saved contents into this execution's memory (or new memory);
 * only the cards with a saved row or a row of this execution are visited
 * (the others are NULL in both). */
int shim_ap_hw_snap_restore_post(void)
{
	hw.q = cur_q;
	hw.cap = cur_cap;
	if (hw.cap < hws_nq) {
		struct hwq *n = realloc(hw.q, sizeof(*n) * (size_t)hws_nq);

		if (!n)
			return -ENOMEM;
		hw.q = n;
		hw.cap = hws_nq;
	}
	if (hws_nq)
		memcpy(hw.q, hws_q, sizeof(hw.q[0]) * (size_t)hws_nq);
	for (int k = 0; k < 4; k++)
		for (uint64_t m = hws_has[k] | cur_has[k]; m; m &= m - 1) {
			int c = k * 64 + __builtin_ctzll(m);
			uint32_t *r = (cur_has[k] >> (c % 64)) & 1 ? cur_row[c] : NULL;

			if (hws_row[c]) {
				if (!r || r != hws_done[c] || row_is_dirty(c)) {
					if (!r && !(r = malloc(256 * sizeof(uint32_t))))
						return -ENOMEM;
					memcpy(r, hws_row[c], 256 * sizeof(uint32_t));
					hws_done[c] = r;
				}
			} else if (r) {
				free(r);
				r = NULL;
			}
			hw.row[c] = r;
		}
	memcpy(hw_live, hws_has, sizeof(hw_live));
	memset(hws_dirty, 0, sizeof(hws_dirty));
	return 0;
}

/* The AP model's part of shim_world_state_hash (module.c): the touched
 * queues and the rows that index them (the struct hw itself is in the
 * shim's sections). */
void shim_ap_hw_state_hash(uint64_t h[2])
{
	if (hw.q)
		shim_hash_words(h, hw.q, sizeof(*hw.q) * (size_t)hw.nq);
	for (int card = 0; card < 256; card++)
		if (hw.row[card])
			shim_hash_words(h, hw.row[card], 256 * sizeof(*hw.row[card]));
}
