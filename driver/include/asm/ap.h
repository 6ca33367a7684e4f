/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/ap.h (apsim shim) - the s390 Adjunct Processor instruction interface.
 *
 * Owns: ap_qid_t and the APQN macros, struct ap_queue_status, struct
 * ap_qirq_ctrl, struct ap_config_info (the QCI block) and the PQAP
 * functions (TAPQ, RAPQ, ZAPQ, AQIC, QCI) as the driver calls them.  On s390
 * these are inline assembly; here they are calls into the deterministic AP
 * hardware model in driver/kernel/ap_hw.c.
 *
 * Endianness: s390 is big-endian and numbers bits MSB0.  The structures
 * below are laid out so that a little-endian host sees the same *values*
 * the driver would see on s390 (see docs/endianness.md):
 *   - ap_queue_status is an 8-byte object on a little-endian host whose
 *     upper 32-bit half holds the s390 status word, so the driver's
 *     "memcpy(&gpr1, &status, sizeof(status)); gpr1 >>= 32" yields exactly
 *     the register value s390 produces;
 *   - bit-fields are declared in reverse order on little-endian hosts so the
 *     32/64-bit values have the s390 bit positions;
 *   - the QCI masks hold host-native 64-bit words whose values are the s390
 *     doublewords, so casting them to unsigned long * and using *_bit_inv
 *     (MSB0 numbering) gives s390's answers.
 */
#ifndef _APSIM_ASM_AP_H
#define _APSIM_ASM_AP_H

#include <linux/types.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define APSIM_HOST_BE 1
#else
#define APSIM_HOST_BE 0
#endif

/* An AP queue number: card (APID) in bits 15-8, domain (APQI) in bits 7-0. */
typedef unsigned int ap_qid_t;

#define AP_MKQID(_card, _queue) (((_card) & 0xff) << 8 | ((_queue) & 0xff))
#define AP_QID_CARD(_qid) (((_qid) >> 8) & 0xff)
#define AP_QID_QUEUE(_qid) ((_qid) & 0xff)

/*
 * The AP queue status word (s390: 32 bits, flags in the first byte, the
 * response code in the second).  s390 bit numbering of the 32-bit word:
 * queue_empty = 0x80000000, replies_waiting = 0x40000000, queue_full =
 * 0x20000000, irq_enabled = 0x01000000, response_code = 0x00ff0000.
 */
struct ap_queue_status {
#if APSIM_HOST_BE
	unsigned int queue_empty	: 1;
	unsigned int replies_waiting	: 1;
	unsigned int queue_full		: 1;
	unsigned int _pad1		: 4;
	unsigned int irq_enabled	: 1;
	unsigned int response_code	: 8;
	unsigned int _pad2		: 16;
#else
	/* Lower half of the 8-byte object: never carries status. */
	unsigned int _le_low		: 32;
	/* Upper half: the s390 status word, fields from LSB upwards. */
	unsigned int _pad2		: 16;
	unsigned int response_code	: 8;
	unsigned int irq_enabled	: 1;
	unsigned int _pad1		: 4;
	unsigned int queue_full		: 1;
	unsigned int replies_waiting	: 1;
	unsigned int queue_empty	: 1;
#endif
};

/* The 32-bit s390 status word of a status (what gpr1 bits 31-0 show). */
static inline u32 ap_queue_status_word(struct ap_queue_status s)
{
	return ((u32)s.queue_empty << 31) | ((u32)s.replies_waiting << 30) |
	       ((u32)s.queue_full << 29) | ((u32)s.irq_enabled << 24) |
	       ((u32)s.response_code << 16);
}

/*
 * PQAP(AQIC) general register 1 contents (a 64-bit value).  s390 bit
 * positions of the 64-bit register: zone 55-48, ir 47, gisc 42-40, gf 33-32,
 * gisa 30-4, isc 2-0.  APSIM_QIRQ_FIELDS: the fields at those positions on
 * either host; 6.1 has them as a struct, 6.12 as a union with .value.
 */
#if APSIM_HOST_BE
#define APSIM_QIRQ_FIELDS \
	unsigned int _res1 : 8; \
	unsigned int zone  : 8; \
	unsigned int ir    : 1; \
	unsigned int _res2 : 4; \
	unsigned int gisc  : 3; \
	unsigned int _res3 : 6; \
	unsigned int gf    : 2; \
	unsigned int _res4 : 1; \
	unsigned int gisa  : 27; \
	unsigned int _res5 : 1; \
	unsigned int isc   : 3;
#else	/* low word (bits 31-0) first, then the high word */
#define APSIM_QIRQ_FIELDS \
	unsigned int isc   : 3; \
	unsigned int _res5 : 1; \
	unsigned int gisa  : 27; \
	unsigned int _res4 : 1; \
	unsigned int gf    : 2; \
	unsigned int _res3 : 6; \
	unsigned int gisc  : 3; \
	unsigned int _res2 : 4; \
	unsigned int ir    : 1; \
	unsigned int zone  : 8; \
	unsigned int _res1 : 8;
#endif
#if APSIM_AP_HWINFO
union ap_qirq_ctrl {
	unsigned long value;
	struct {
		APSIM_QIRQ_FIELDS
	};
};
typedef union ap_qirq_ctrl apsim_qirq_t;
#else
struct ap_qirq_ctrl {
	APSIM_QIRQ_FIELDS
};
typedef struct ap_qirq_ctrl apsim_qirq_t;
#endif

/*
 * The QCI block (128 bytes).  The flag byte has the s390 bit positions
 * (apsc 0x80, apxa 0x40, qact 0x20, rc8a 0x10).  apm/aqm/adm: 256-bit MSB0
 * masks; every aligned pair of unsigned ints is one host-native 64-bit word
 * holding the s390 doubleword (use ap_cfg_test/ap_cfg_set from
 * driver/kernel/s390.h, or test_bit_inv on the unsigned long view; NOT
 * ap_test_bit() on the unsigned int view on a little-endian host).
 */
struct ap_config_info {
#if APSIM_HOST_BE
	unsigned int apsc	 : 1;
	unsigned int apxa	 : 1;
	unsigned int qact	 : 1;
	unsigned int rc8a	 : 1;
	unsigned char _reserved1 : 4;
#else
	unsigned char _reserved1 : 4;
	unsigned char rc8a	 : 1;
	unsigned char qact	 : 1;
	unsigned char apxa	 : 1;
	unsigned char apsc	 : 1;
#endif
#if APSIM_HOST_BE
	unsigned char apsb	 : 1;
	unsigned char _reserved2b : 7;
#else
	unsigned char _reserved2b : 7;
	unsigned char apsb	 : 1;	/* B bit (6.12) */
#endif
	unsigned char _reserved2[2];
	/* max # of APs - 1 / Domains - 1 (6.1 spells them Na, Nd) */
	union { unsigned char Na; unsigned char na; };
	union { unsigned char Nd; unsigned char nd; };
	unsigned char _reserved3[10];
	unsigned int apm[8];		/* AP ID mask */
	unsigned int aqm[8];		/* AP (usage) queue mask */
	unsigned int adm[8];		/* AP (control) domain mask */
	unsigned char _reserved4[16];
} __attribute__((aligned(8)));

_Static_assert(sizeof(apsim_qirq_t) == 8, "ap_qirq_ctrl is a 64-bit register");
_Static_assert(sizeof(struct ap_config_info) == 128, "QCI block is 128 bytes");

/* PQAP(TAPQ) answers the AP instructions are installed (shim: configurable). */
bool ap_instructions_available(void);

/*
 * The AP hardware model (driver/kernel/ap_hw.c).  gr2: the TAPQ general
 * register 2 value as s390 has it (facility bits 63-32, AP type 31-24, ...).
 * The tree's own PQAP signatures are the inline functions below.
 */
struct ap_queue_status apsim_hw_tapq(ap_qid_t qid, unsigned long *gr2);
struct ap_queue_status apsim_hw_reset(ap_qid_t qid, bool zeroize);
/* PQAP(QCI): fill *config; 0 or -EOPNOTSUPP. */
int ap_qci(struct ap_config_info *config);
/* PQAP(AQIC): enable (ir=1) / disable interruptions for a queue. */
struct ap_queue_status ap_aqic(ap_qid_t qid, apsim_qirq_t qirqctrl,
			       phys_addr_t pa_ind);

/* TAPQ GR2 facility bits (MSB0 bit numbers of bits 63-32). */
#define APSIM_TAPQ_FAC_APSC	0
#define APSIM_TAPQ_FAC_MEX4K	1
#define APSIM_TAPQ_FAC_CRT4K	2
#define APSIM_TAPQ_FAC_COPRO	3
#define APSIM_TAPQ_FAC_ACCEL	4
#define APSIM_TAPQ_FAC_EP11	5
#define APSIM_TAPQ_FAC_APXA	6

#if APSIM_AP_HWINFO
/* TAPQ GR2 as a structure (6.12), s390 bit positions on either host. */
struct ap_tapq_hwinfo {
	union {
		unsigned long value;
		struct {
#if APSIM_HOST_BE
			unsigned int fac    : 32;
			unsigned int apinfo : 32;
#else
			unsigned int apinfo : 32;
			unsigned int fac    : 32;
#endif
		};
		struct {
#if APSIM_HOST_BE
			unsigned int apsc  : 1;
			unsigned int mex4k : 1;
			unsigned int crt4k : 1;
			unsigned int cca   : 1;
			unsigned int accel : 1;
			unsigned int ep11  : 1;
			unsigned int apxa  : 1;
			unsigned int slcf  : 1;
			unsigned int class : 8;
			unsigned int bs    : 2;
			unsigned int	   : 14;
			unsigned int at    : 8;
			unsigned int nd    : 8;
			unsigned int	   : 4;
			unsigned int ml    : 4;
			unsigned int	   : 4;
			unsigned int qd    : 4;
#else
			unsigned int qd    : 4;
			unsigned int	   : 4;
			unsigned int ml    : 4;
			unsigned int	   : 4;
			unsigned int nd    : 8;
			unsigned int at    : 8;
			unsigned int	   : 14;
			unsigned int bs    : 2;
			unsigned int class : 8;
			unsigned int slcf  : 1;
			unsigned int apxa  : 1;
			unsigned int ep11  : 1;
			unsigned int accel : 1;
			unsigned int cca   : 1;
			unsigned int crt4k : 1;
			unsigned int mex4k : 1;
			unsigned int apsc  : 1;
#endif
		};
	};
};
_Static_assert(sizeof(struct ap_tapq_hwinfo) == 8, "TAPQ GR2 is a 64-bit register");

#define AP_BS_Q_USABLE			0
#define AP_BS_Q_USABLE_NO_SECURE_KEY	1
#define AP_BS_Q_AVAIL_FOR_BINDING	2
#define AP_BS_Q_UNUSABLE		3

static inline struct ap_queue_status ap_tapq(ap_qid_t qid, struct ap_tapq_hwinfo *info)
{
	unsigned long gr2 = 0;
	struct ap_queue_status st = apsim_hw_tapq(qid, info ? &gr2 : NULL);

	if (info)
		info->value = gr2;
	return st;
}
static inline struct ap_queue_status ap_test_queue(ap_qid_t qid, int tbit,
						   struct ap_tapq_hwinfo *info)
{
	return ap_tapq(tbit ? qid | 1UL << 23 : qid, info);
}
/* fbit (SE guests): not modelled, the reset is the same. */
static inline struct ap_queue_status ap_rapq(ap_qid_t qid, int fbit)
{
	return apsim_hw_reset(qid, false);
}
static inline struct ap_queue_status ap_zapq(ap_qid_t qid, int fbit)
{
	return apsim_hw_reset(qid, true);
}
#else
/* PQAP(TAPQ): status; *info (if non-NULL) gets gr2 (bits 31-24 = AP type). */
static inline struct ap_queue_status ap_tapq(ap_qid_t qid, unsigned long *info)
{
	return apsim_hw_tapq(qid, info);
}
/* TAPQ with the T bit (facilities test) when tbit != 0. */
static inline struct ap_queue_status ap_test_queue(ap_qid_t qid, int tbit,
						   unsigned long *info)
{
	return apsim_hw_tapq(tbit ? qid | 1UL << 23 : qid, info);
}
/* PQAP(RAPQ) / PQAP(ZAPQ): reset (and zeroize) the queue. */
static inline struct ap_queue_status ap_rapq(ap_qid_t qid)
{
	return apsim_hw_reset(qid, false);
}
static inline struct ap_queue_status ap_zapq(ap_qid_t qid)
{
	return apsim_hw_reset(qid, true);
}
#endif

/* The AP bus is told about a configuration change (no-op in the shim). */
static inline void ap_bus_cfg_chg(void) {}

#endif /* _APSIM_ASM_AP_H */
