/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/scenario/scenario.h - the operations API: every entry point of the vfio_ap driver
 * as an operation a simulated thread performs, and the scenario model
 * (world + threads + expectations) that the parser fills and the executor runs.
 *
 * Owns: enum apsim_op_kind (the vocabulary), struct apsim_op, struct
 * apsim_scenario.  Host-side only (no kernel headers): both the CLI/parser and
 * the kernel-side executor include it.
 *
 * Objects are named by index: mdevN ("m0"), kvmN ("k0"), vcpus as kvm+index.
 * An APQN is (card, domain).  Every op returns the driver's real result:
 * bytes written / read, or a negative errno.
 */
#ifndef APSIM_SCENARIO_H
#define APSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define APSIM_MAX_MDEVS    16
#define APSIM_MAX_KVMS     8
#define APSIM_MAX_VCPUS    4      /* per kvm */
#define APSIM_MAX_THREADS  8      /* simulated worker threads per scenario */
#define APSIM_MAX_OPS      64     /* per thread (and for setup) */
#define APSIM_MAX_EXPECT   16
#define APSIM_MAX_FAULTS   16
#define APSIM_STR_MAX      96     /* sysfs write strings */

enum apsim_op_kind {
	APSIM_OP_NONE = 0,
	/* mdev lifecycle (mdev core -> driver probe/remove) */
	APSIM_OP_MDEV_CREATE,        /* mdev */
	APSIM_OP_MDEV_REMOVE,        /* mdev */
	/* mdev sysfs attribute writes: str is written as-is (may be malformed) */
	APSIM_OP_ASSIGN_ADAPTER,     /* mdev, str */
	APSIM_OP_UNASSIGN_ADAPTER,
	APSIM_OP_ASSIGN_DOMAIN,
	APSIM_OP_UNASSIGN_DOMAIN,
	APSIM_OP_ASSIGN_CONTROL_DOMAIN,
	APSIM_OP_UNASSIGN_CONTROL_DOMAIN,
	/* sysfs reads (result = bytes; text kept for expectations) */
	APSIM_OP_READ_MATRIX,        /* mdev */
	APSIM_OP_READ_GUEST_MATRIX,  /* mdev */
	APSIM_OP_READ_CONTROL_DOMAINS, /* mdev */
	APSIM_OP_READ_QUEUE_STATUS,  /* card, domain */
	/* vfio device */
	APSIM_OP_VFIO_OPEN,          /* mdev, kvm (kvm = -1: open without kvm) */
	APSIM_OP_VFIO_CLOSE,         /* mdev */
	APSIM_OP_VFIO_GET_INFO,      /* mdev */
	APSIM_OP_VFIO_RESET,         /* mdev */
	APSIM_OP_DMA_UNMAP,          /* mdev, arg = iova */
	/* guest: PQAP(AQIC) intercepted on a vcpu (thread holds vcpu->mutex) */
	APSIM_OP_PQAP_AQIC_ENABLE,   /* kvm, vcpu, card, domain, arg = isc */
	APSIM_OP_PQAP_AQIC_DISABLE,  /* kvm, vcpu, card, domain */
	/* AP bus */
	APSIM_OP_APMASK_WRITE,       /* str, e.g. "-0x05" "+3" "0xff00..." */
	APSIM_OP_AQMASK_WRITE,       /* str */
	APSIM_OP_QUEUE_BIND,         /* card, domain: bind to vfio_ap */
	APSIM_OP_QUEUE_UNBIND,       /* card, domain */
	/* host AP configuration (QCI) change + AP bus rescan */
	APSIM_OP_CONFIG_ADD_ADAPTER,     /* card (takes effect at next scan) */
	APSIM_OP_CONFIG_REMOVE_ADAPTER,  /* card */
	APSIM_OP_CONFIG_ADD_DOMAIN,      /* domain */
	APSIM_OP_CONFIG_REMOVE_DOMAIN,   /* domain */
	APSIM_OP_CONFIG_ADD_CONTROL_DOMAIN,
	APSIM_OP_CONFIG_REMOVE_CONTROL_DOMAIN,
	APSIM_OP_AP_SCAN,            /* config changed callback + (un)bind + scan complete */
	/* kvm */
	APSIM_OP_KVM_CREATE,         /* kvm, arg = number of vcpus */
	APSIM_OP_KVM_DESTROY,        /* kvm (drops the creator's reference) */
	APSIM_OP_KVM_VM_CRYPTO,      /* kvm, arg = KVM_S390_VM_CRYPTO_* attribute */
	APSIM_OP_KVM_PV_COMMAND,     /* kvm: kvm->lock then every vcpu->mutex */
	/* plain scheduling */
	APSIM_OP_YIELD,
	APSIM_OP_SLEEP_MS,           /* arg = ms of virtual time */
	APSIM_OP__COUNT
};

/* Where an op came from in a scenario file (0 for generated ops). */
struct apsim_loc {
	int line, col;
};

struct apsim_op {
	enum apsim_op_kind kind;
	int mdev;                  /* -1 = n/a */
	int kvm;                   /* -1 = n/a / none */
	int vcpu;
	int card, domain;          /* APQN */
	long arg;
	char str[APSIM_STR_MAX];   /* sysfs write payload (NUL-terminated) */
	bool has_expect;           /* "-> RESULT" */
	long expect;               /* expected return (e.g. -EINVAL, or >= 0) */
	struct apsim_loc loc;
};

/* Host AP configuration and AP bus state before the driver loads. */
struct apsim_hostcfg {
	uint8_t apm[32], aqm[32], adm[32];   /* QCI masks, MSB0 bit order */
	bool apxa;                            /* 256 ids (else 64 adapters / 16 domains) */
	bool have_apmask, have_aqmask;
	uint8_t apmask[32], aqmask[32];       /* AP bus reservations (1 = host default drivers) */
	int card_type;                        /* AP_DEVICE_TYPE_* of all cards (default CEX7) */
};

enum apsim_fault_kind {
	APSIM_FAULT_KMALLOC = 1,   /* fail the Nth (nth) allocation at site (or any site) */
	APSIM_FAULT_AP_RC,         /* AP instruction `insn` on apqn returns rc, `count` times */
};

struct apsim_fault {
	enum apsim_fault_kind kind;
	char site[64];             /* kmalloc: "func" or "file.c:line" or "" for any */
	int nth;                   /* kmalloc: 1-based; 0 = every */
	char insn[8];              /* "tapq" "zapq" "aqic" */
	int card, domain;          /* -1 = any */
	int rc;                    /* AP_RESPONSE_* */
	int count;                 /* how many times (0 = always) */
	struct apsim_loc loc;
};

enum apsim_expect_kind {
	APSIM_EXPECT_NO_DEADLOCK = 1,
	APSIM_EXPECT_VALIDATOR_CLEAN,     /* no lockdep-class finding */
	APSIM_EXPECT_INVARIANTS,          /* invariants hold after every execution */
	APSIM_EXPECT_RULES_CLEAN,         /* no locking-document rule violation */
	APSIM_EXPECT_CLEAN,               /* all four above + no memory/WARN finding */
	APSIM_EXPECT_DEADLOCK,            /* a real deadlock is reached */
	APSIM_EXPECT_LOCK_CYCLE,          /* a lockdep cycle naming classes[] */
	APSIM_EXPECT_MEMORY,              /* a memory fault (str: "use-after-free" ...) */
	APSIM_EXPECT_WARN,                /* a WARN fires */
	APSIM_EXPECT_RESULT_SEEN,         /* some execution saw op `str` return `value` */
	APSIM_EXPECT_CRASH,               /* a crash (e.g. NULL dereference) in driver code */
};

struct apsim_expect {
	enum apsim_expect_kind kind;
	int nclasses;
	char classes[6][64];       /* lock class names, e.g. "&matrix_dev->guests_lock" */
	char str[64];
	long value;
	struct apsim_loc loc;
};

struct apsim_thread_spec {
	char name[32];
	int nops;
	struct apsim_op ops[APSIM_MAX_OPS];
};

struct apsim_explore_spec {
	int strategy;              /* enum sim_strategy, -1 = unset */
	uint64_t seed;
	bool has_seed;
	long iterations;           /* -1 = unset */
	int pct_depth;             /* -1 = unset */
	int preemption_bound;      /* -1 = unset */
	long max_steps;            /* -1 = unset */
};

struct apsim_scenario {
	char file[256];
	char name[96];
	char description[256];
	char variant[32];          /* "" = unmodified driver */
	struct apsim_hostcfg cfg;
	int nfaults;
	struct apsim_fault faults[APSIM_MAX_FAULTS];
	int nsetup;                /* run in order on thread 0 before the threads */
	struct apsim_op setup[APSIM_MAX_OPS];
	int nthreads;
	struct apsim_thread_spec threads[APSIM_MAX_THREADS];
	struct apsim_explore_spec explore;
	int nexpect;
	struct apsim_expect expect[APSIM_MAX_EXPECT];
	/* "option allow-undeclared": do not require that every mdev/kvm an op
	 * names is created by some create_mdev/kvm_create in the scenario. */
	bool allow_undeclared;
};

/* Names: "assign_adapter" etc. (the scenario-file spelling). */
const char *apsim_op_name(enum apsim_op_kind k);
enum apsim_op_kind apsim_op_lookup(const char *name);
/* errno names: "-EINVAL" <-> -22; returns 0 on success, -1 unknown. */
const char *apsim_errno_name(long v, char *buf, int len);
int apsim_errno_parse(const char *s, long *out);

/* ------------------------------------------------------------ scenario files */
#include <stddef.h>
#include <stdio.h>


/* Limits of the file itself (the model's limits are in ops.h). */
#define APSIM_SCN_MAX_FILE    (1 << 20)   /* bytes */
/* Ranges shared by the scenario file and the apsim command line
 * (docs/scenarios.md, "Exploration"). */
#define APSIM_SCN_MAX_ITERATIONS        1000000000000L  /* also max-steps */
#define APSIM_SCN_MAX_PCT_DEPTH         16
#define APSIM_SCN_MAX_PREEMPTION_BOUND  1000
#define APSIM_SCN_MAX_TOKENS  64          /* per line */

/*
 * Fill *s with the defaults of an empty scenario: everything unset
 * (explore fields -1), apxa on, card type CEX7, no reservations given
 * (= every AP bus mask bit set, as on a fresh system).
 */
void apsim_scn_init(struct apsim_scenario *s);

/*
 * Parse a scenario.  Returns 0, or -EINVAL with err set to
 * "FILE:LINE:COL: error: ..." describing the first error (LINE and COL are
 * 1-based, COL counts bytes).  apsim_scn_parse_file returns another negative
 * errno (err "FILE: error: ...") when the file cannot be read.  On error
 * *out holds a partial scenario and must not be run.
 */
int apsim_scn_parse_file(const char *path, struct apsim_scenario *out,
			 char *err, size_t errlen);
int apsim_scn_parse_buf(const char *buf, size_t len, const char *fname,
			struct apsim_scenario *out, char *err, size_t errlen);

/* Write s as a readable .scn file.  Returns 0 or -EIO. */
int apsim_scn_write(FILE *f, const struct apsim_scenario *s);

/* One op in scenario syntax without location or "-> R" (for reports):
 * e.g. "assign_adapter m0 5".  Returns buf. */
const char *apsim_scn_op_str(const struct apsim_op *op, char *buf, size_t len);

/*
 * Name tables shared by the parser and the writer (driver/scenario/names.c).
 * *_parse return 0 or -1 (unknown name); *_name return NULL for a value
 * without a name (the writer then prints the number).
 */
int scn_card_type_parse(const char *s, int *out);      /* "cex7" -> 13 */
const char *scn_card_type_name(int v);
int scn_ap_rc_parse(const char *s, int *out);          /* "busy" -> 0x05 */
const char *scn_ap_rc_name(int v);
int scn_crypto_attr_parse(const char *s, int *out);    /* "enable-apie" -> 4 */
const char *scn_crypto_attr_name(int v);
int scn_strategy_parse(const char *s, int *out);       /* enum sim_strategy */
const char *scn_strategy_name(int v);
int scn_expect_parse(const char *s, int *out);         /* enum apsim_expect_kind */
const char *scn_expect_name(int v);

#endif /* APSIM_SCENARIO_H */
