/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/scenario/scenario.h - the operations API: every entry point of the vfio_ap driver
 * as an operation a simulated thread performs, and the scenario model
 * (world + threads + expectations) that the parser fills and the executor runs.
 *
 * Owns: enum apsim_op_kind (the vocabulary, from driver/scenario/ops.def),
 * struct apsim_op, struct apsim_scenario, and the API of the scenario
 * library (names, parser, writer, expectation semantics).  Host-side only
 * (no kernel headers): both the CLI/parser and the kernel-side executor
 * include it.
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
#define APSIM_MAX_TREES    4      /* series on a `tree` line */
#define APSIM_STR_MAX      96     /* sysfs write strings */
#define APSIM_MAX_ALT      3      /* "-> R1|R2|R3|R4": alternatives after R1 */

/* The operations: one line each in driver/scenario/ops.def. */
enum apsim_op_kind {
	APSIM_OP_NONE = 0,
#define APSIM_OP(e, name, o1, o2, o3, since) APSIM_OP_##e,
#include "driver/scenario/ops.def"
#undef APSIM_OP
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
	bool has_expect;           /* "-> RESULT" or "-> R1|R2|..." */
	bool range;                /* str is an id range "LO-HI": one write per id (range.c) */
	long expect;               /* expected return (e.g. -EINVAL, or >= 0) */
	int nalt;                  /* "-> R1|R2|...": results also allowed */
	long alt[APSIM_MAX_ALT];   /* (R2, ... in file order) */
	struct apsim_loc loc;
};

/* Host AP configuration and AP bus state before the driver loads. */
struct apsim_hostcfg {
	uint8_t apm[32], aqm[32], adm[32];   /* QCI masks, MSB0 bit order */
	bool apxa;                            /* 256 ids (else 64 adapters / 16 domains) */
	bool have_apmask, have_aqmask;
	uint8_t apmask[32], aqmask[32];       /* AP bus reservations (1 = host default drivers) */
	int card_type;                        /* AP_DEVICE_TYPE_* of all cards (default CEX7) */
	int aqic_us;                          /* AQIC completion time: ZAPQ/RAPQ busy (0x05) meanwhile */
};

enum apsim_fault_kind {
	APSIM_FAULT_KMALLOC = 1,   /* fail the Nth (nth) allocation at site (or any site) */
	APSIM_FAULT_AP_RC,         /* AP instruction `insn` on apqn returns rc, `count` times */
	APSIM_FAULT_POINT,         /* kernel service `point` fails with `err`: nth call (0 = every) */
};

/* The fault points of `fault NAME ...`: one line each in driver/scenario/faults.def. */
enum apsim_fault_point {
#define APSIM_FAULT_POINT(e, name, func, since, when, ...) APSIM_FP_##e,
#include "driver/scenario/faults.def"
#undef APSIM_FAULT_POINT
	APSIM_FP__COUNT
};

struct apsim_fault {
	enum apsim_fault_kind kind;
	char site[64];             /* kmalloc: "func" or "file.c:line" or "" for any */
	int nth;                   /* kmalloc: 1-based; 0 = every */
	char insn[8];              /* "tapq" "zapq" "aqic" */
	int card, domain;          /* -1 = any */
	int rc;                    /* AP_RESPONSE_* */
	int count;                 /* how many times (0 = always) */
	int point;                 /* APSIM_FAULT_POINT: enum apsim_fault_point */
	int err;                   /* APSIM_FAULT_POINT: the negative errno */
	bool modprobe;             /* kmalloc, POINT: armed during the driver's module init only */
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
	APSIM_EXPECT_BUG,                 /* a kernel BUG (BUG_ON) fires */
	APSIM_EXPECT_RULE,                /* a locking-rule finding (str: part of its signature) */
	APSIM_EXPECT_DATA_RACE,           /* a data race (str: part of its signature); runs
					     the scenario with the race detector */
	APSIM_EXPECT_HANG,                /* a hang (str: part of its signature) */
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
	long hung_task_s;          /* hung-task limit, seconds; 0 = off, -1 = unset */
};

/* The hung-task limit of sim_opts (hung_task_ns) an explore spec sets;
 * `fallback` when it sets none. */
static inline uint64_t apsim_explore_hung_task_ns(const struct apsim_explore_spec *e,
						  uint64_t fallback)
{
	if (e->hung_task_s < 0)
		return fallback;
	return e->hung_task_s ? (uint64_t)e->hung_task_s * 1000000000ULL : UINT64_MAX;
}

struct apsim_scenario {
	char file[256];
	char name[96];
	char description[256];
	char variant[32];          /* "" = unmodified driver */
	int ntrees;                /* "tree 6.1 ...": the kernel series it is for */
	char trees[APSIM_MAX_TREES][8];   /* "6.1"; none = every tree */
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

/*
 * Is scenario s for the driver of kernel version kver ("6.12.117")?  True
 * when it names no tree, or one whose series ("6.12") is kver's.
 */
bool apsim_scn_tree_ok(const struct apsim_scenario *s, const char *kver);

/* Names: "assign_adapter" etc. (the scenario-file spelling). */
const char *apsim_op_name(enum apsim_op_kind k);
enum apsim_op_kind apsim_op_lookup(const char *name);
/* errno names: "-EINVAL" <-> -22; returns 0 on success, -1 unknown. */
const char *apsim_errno_name(long v, char *buf, int len);
int apsim_errno_parse(const char *s, long *out);

/* ------------------------------------------------------------ scenario files */

/* Limits of the file itself (the model's limits are at the top). */
#define APSIM_SCN_MAX_FILE    (1 << 20)   /* bytes */
/* Ranges shared by the scenario file and the apsim command line
 * (docs/scenarios.md, "Exploration"). */
#define APSIM_SCN_MAX_ITERATIONS        1000000000000L  /* also max-steps */
#define APSIM_SCN_MAX_HUNG_TASK_S       86400           /* hung-task-timeout, seconds */
#define APSIM_SCN_MAX_PCT_DEPTH         16
#define APSIM_SCN_MAX_PREEMPTION_BOUND  1000
#define APSIM_SCN_MAX_TOKENS  64          /* per line */

/*
 * Fill *s with the defaults of an empty scenario: everything unset
 * (explore fields -1), apxa on, card type CEX7, no reservations given
 * (= every AP bus mask bit set, as on a fresh system).
 */
void apsim_scn_init(struct apsim_scenario *s);
/* The defaults apsim_scn_init sets, on a scenario that is all zeroes. */
void apsim_scn_set_defaults(struct apsim_scenario *s);

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

/* Id ranges on assign/unassign ops (driver/scenario/range.c): which ops
 * take them; the shape of s[0..n) ("LO-HI", decimal or 0x hex, ids 0..255);
 * a range op's ids (count, or -1) and the string written for id. */
enum { APSIM_RANGE_NONE = 0, APSIM_RANGE_OK = 1, APSIM_RANGE_BAD = -1,
       APSIM_RANGE_REVERSED = -2 };
bool apsim_op_takes_range(enum apsim_op_kind k);
int apsim_range_parse(const char *s, int n, int *lo, int *hi);
int apsim_op_range_ids(const struct apsim_op *op, int *lo, int *hi);
const char *apsim_op_range_str(const struct apsim_op *op, int id, char *buf, size_t len);

/* Write s as a readable .scn file.  Returns 0 or -EIO. */
int apsim_scn_write(FILE *f, const struct apsim_scenario *s);

/* Zero every file location (struct apsim_loc) in s: what the write/parse
 * round trip is compared on (a rewritten file has other line numbers). */
void apsim_scn_clear_locs(struct apsim_scenario *s);

/* One op in scenario syntax without location or "-> R" (for reports):
 * e.g. "assign_adapter m0 5".  Returns buf. */
const char *apsim_scn_op_str(const struct apsim_op *op, char *buf, size_t len);
/* The op's label in traces and mismatch reports: its name and the objects it
 * acts on, without arg operands (ops.def), sysfs strings in quotes as they
 * are: e.g. "assign_adapter m0 \"5\"", "kvm_create k0".  Returns buf. */
const char *apsim_scn_op_label(const struct apsim_op *op, char *buf, size_t len);

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

/* Operand kinds of driver/scenario/ops.def (see there). */
enum scn_operand {
	SCN_OPND__ = 0,        /* `_`: no (further) operand */
	SCN_OPND_MDEV,
	SCN_OPND_KVM,
	SCN_OPND_KVM_OR_NONE,
	SCN_OPND_VCPU,
	SCN_OPND_APQN,
	SCN_OPND_CARD,
	SCN_OPND_DOMAIN,
	SCN_OPND_STR,
	SCN_OPND_IOVA,
	SCN_OPND_ISC,
	SCN_OPND_VCPUS,
	SCN_OPND_CRYPTO,
	SCN_OPND_MS,
	SCN_OPND_EVENTFD,
};
#define SCN_MAX_OPERANDS 3
/* The SCN_MAX_OPERANDS operand kinds of op k in file order, SCN_OPND__
 * after the last (all SCN_OPND__ for APSIM_OP_NONE and unknown k). */
const enum scn_operand *scn_op_operands(enum apsim_op_kind k);
/* The kernel series from which op k exists (its SINCE column of ops.def),
 * NULL for every tree; whether the driver of kernel version kver ("6.1.192")
 * has it (series compared as numbers: 6.12 is after 6.1). */
const char *apsim_op_since(enum apsim_op_kind k);
/* "6.12.117" -> 6 * 1000 + 12 (a kernel series as a number); -1 if none */
long apsim_series_num(const char *v);
bool apsim_op_tree_ok(enum apsim_op_kind k, const char *kver);

/* ------------------------------------ expectations (driver/scenario/expect.c) */

/* "no-deadlock" <-> APSIM_EXPECT_NO_DEADLOCK; parse returns 0 or -1,
 * name NULL for an unknown kind. */
int apsim_expect_parse(const char *s, enum apsim_expect_kind *out);
const char *apsim_expect_name(enum apsim_expect_kind k);
/* Every expectation keyword, ", " between: "clean, no-deadlock, ...".  Returns buf. */
const char *apsim_expect_list(char *buf, size_t len);
/* Is result r one "-> R..." of op allows?  (True without "-> ...".) */
bool apsim_op_result_ok(const struct apsim_op *op, long r);
/* The op's "-> ..." as written: "-EBUSY", "0|-EBUSY".  Returns buf. */
const char *apsim_op_expect_str(const struct apsim_op *op, char *buf, size_t len);
/* Positive expectations ask for something to be found (deadlock, lock-cycle,
 * memory, warn, crash, result, bug); the others forbid findings. */
bool apsim_expect_is_positive(enum apsim_expect_kind k);
/* What a positive expectation looks for, for "expected WHAT was not found":
 * "deadlock", "lock cycle", "memory fault", "WARN", "crash", "result",
 * "kernel BUG". */
const char *apsim_expect_what(enum apsim_expect_kind k);
/*
 * The rule of scenario s that a finding of kind `finding` (enum
 * sim_finding_kind) breaks, e.g. "expect no-deadlock", "expect clean
 * (default)" (no expect line), "no replay divergence", "no crash" (without
 * `expect crash`); NULL if s allows the finding.
 */
const char *apsim_expect_violation(const struct apsim_scenario *s, int finding);
/* Does a finding (kind, signature) meet positive expectation e?  (Never for
 * `expect result`: see apsim_expect_result_met.) */
bool apsim_expect_met_by_finding(const struct apsim_expect *e, int finding,
				 const char *signature);
/* Does op returning `result` meet `expect result` e? */
bool apsim_expect_result_met(const struct apsim_expect *e, const struct apsim_op *op,
			     long result);
/*
 * The expectation under which `apsim run` passes exactly when a fuzz finding
 * (kind, signature) reproduces: deadlock, lock-cycle with the signature's
 * classes, memory with its kind, warn, crash, bug.  Returns 0 with *e filled, or
 * -1 (*e zeroed) for a kind no expectation asks for (e.g. a hang).
 */
int apsim_expect_for_finding(struct apsim_expect *e, int finding, const char *signature);
/* Does the scenario need the data-race detector (an `expect data-race`)? */
bool apsim_expect_needs_races(const struct apsim_scenario *s);

/*
 * Known findings (driver/scenario/known.c), like a sanitizer suppression
 * list: one entry a line, `PATTERN REASON...`, where PATTERN is a finding
 * signature with `*` (any text) and `?` (one character) wildcards, and
 * REASON says why it is known (a driver bug with a link into
 * docs/findings.md, or a fault reaction).  `#` starts a comment line;
 * blank lines are ignored.  A finding matching an entry is "known": still
 * written and listed, apart, and not counted for the exit code.
 */
struct apsim_known_entry {
	char pattern[256];
	char reason[256];
	int line;
	int hits;                  /* matches so far (unused entries are listed) */
};
struct apsim_known {
	int n;
	struct apsim_known_entry *e;
};
/* Parse TEXT (named NAME in messages).  0, or -1 with "NAME:LINE: error:
 * why" in err (then *k is empty). */
int apsim_known_parse(const char *text, const char *name, struct apsim_known *k,
		      char *err, size_t errlen);
/* The entry SIGNATURE matches (its hits counted), or NULL. */
const struct apsim_known_entry *apsim_known_match(struct apsim_known *k, const char *signature);
bool apsim_known_glob(const char *pattern, const char *s);
void apsim_known_free(struct apsim_known *k);

/* ---------------------------------- fault points (driver/scenario/faults.c) */

/* "pin_pages" -> APSIM_FP_PIN_PAGES; -1 for an unknown name. */
int apsim_fault_point_lookup(const char *name);
/* The point's name, the kernel function it stands for ("?" if unknown),
 * the kernel series from which it exists (NULL = every tree). */
const char *apsim_fault_point_name(int p);
const char *apsim_fault_point_func(int p);
const char *apsim_fault_point_since(int p);
/* Does the driver of kernel version kver ("6.1.192") have point p? */
bool apsim_fault_point_tree_ok(int p, const char *kver);
/* The driver calls p's function during its module init only (faults.def
 * WHEN "modprobe"): a fault at p is always armed before the module loads. */
bool apsim_fault_point_modprobe_only(int p);
/* The errors p's kernel function returns: is err one?  The default (the
 * first).  All of them as "-EINVAL, -EPERM, ..." (returns buf). */
bool apsim_fault_point_err_ok(int p, int err);
int apsim_fault_point_default_err(int p);
const char *apsim_fault_point_errs(int p, char *buf, size_t len);
/* How many errors p's function returns; the i-th (0 past the end). */
int apsim_fault_point_nerrs(int p);
int apsim_fault_point_err(int p, int i);
/* Every point's name, ", " between (returns buf). */
const char *apsim_fault_point_list(char *buf, size_t len);

#endif /* APSIM_SCENARIO_H */
