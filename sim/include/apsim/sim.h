/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apsim/sim.h - the public API of libsim, apsim's deterministic simulation core.
 *
 * Owns: simulated threads, the scheduler and its strategies, virtual time,
 * kernel-semantics sync primitives, the lock validator hooks, the
 * data-race detector (sim_race_*), findings,
 * the trace/schedule and results on disk (sim_out_*: atomic files, a
 * finding's directory).  The context switch has its own header,
 * <apsim/ctx.h>.  Everything above it (shim kernel, driver glue, CLI,
 * fuzzer) talks to the core only through this header.
 *
 * Conventions (libuv-like): functions return 0 or a negative errno; names are
 * sim_<module>_<op>; double-underscore names are internals shared between
 * the core's own files.  One simulation (one "world") exists per host process
 * at a time; the host process is single-threaded while it runs.
 */
#ifndef APSIM_SIM_H
#define APSIM_SIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifndef APSIM_FREESTANDING
#include <stdio.h>
#else
/* The real driver is compiled freestanding (-nostdinc): no libc, no FILE. */
typedef struct _IO_FILE FILE;
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ sites */

/* A source location in the code that performed an operation (driver or shim). */
struct sim_site {
	const char *file;
	int line;
	const char *func;
};

/* A unique static site object for the expansion point. */
#define SIM_SITE                                                              \
	({                                                                     \
		static const struct sim_site __sim_site = { __FILE__, __LINE__, \
							    __func__ };        \
		&__sim_site;                                                   \
	})

/* file basename:line, e.g. "vfio_ap_ops.c:55" into buf; returns buf. */
const char *sim_site_str(const struct sim_site *s, char *buf, size_t len);

/* --------------------------------------------------------------- threads */

#define SIM_MAX_THREADS 64
/* The hung-task detector's default limit (the kernel's 120 s). */
#define SIM_HUNG_TASK_DEFAULT_NS (120ULL * 1000000000ULL)

typedef void (*sim_fn)(void *arg);

/*
 * Create a simulated thread; may be called from the program's main thread or
 * any simulated thread.  Returns its tid (>= 1; the main thread is tid 0) or
 * a negative errno.  Thread creation and exit are scheduling points.
 */
int sim_thread_spawn(const char *name, sim_fn fn, void *arg);
/* Current tid, or -1 when not inside a simulation. */
int sim_tid(void);
const char *sim_thread_name(int tid);
/*
 * A tid names a slot of the thread table.  Slots are not reused while the
 * table has room; once all SIM_MAX_THREADS are taken, a new thread takes the
 * slot of an exited one (see docs/architecture.md).  A task id names the
 * thread itself: tid | incarnation << 6, equal to the tid for a slot's first
 * thread.  Record it where a report names a thread later (who allocated an
 * object, who freed it); sim_task_name() gives its name ("?" if unknown).
 */
int sim_task_id(void);
const char *sim_task_name(int task);
#define SIM_TASK_TID(task)	((task) < 0 ? (task) : (task) & (SIM_MAX_THREADS - 1))
/* Block until every other thread has exited (or the run ends). */
void sim_thread_join_all(const struct sim_site *site);
/* Explicit scheduling point (schedule(), cond_resched(), yield()). */
void sim_yield(const struct sim_site *site);
/* A scheduling point in front of code that touches state no sim primitive
 * protects (an executor's own bookkeeping): the exhaustive search treats
 * the step as dependent with every other one, so it explores both orders. */
void sim_point_shared(const struct sim_site *site);
/* The running thread freed [p, p+n) (kfree): for the exhaustive search the
 * step that frees is dependent with a thread parked in front of an object
 * inside it (a lock in the freed object), which the sleep sets therefore
 * wake.  Cheap when nothing sleeps (every strategy but exhaustive). */
void sim_point_freed(const void *p, size_t n);
/*
 * Push/pop a label naming what the current thread is doing (e.g. an
 * operation "assign_adapter mdev0 0x05"); shown in reports as the "stack"
 * context beneath the lock's call site.
 */
void sim_op_push(const char *label);
/* The same with the label made only when something reads it (a report,
 * a trace, a lock's first dependency): fn(arg, buf, len) writes it into
 * buf, truncated to len - 1 characters; it must write the same text
 * whenever it is called within the execution, and arg must live as long. */
typedef void (*sim_label_fn)(const void *arg, char *buf, size_t len);
void sim_op_push_fn(sim_label_fn fn, const void *arg);
void sim_op_pop(void);
/* The innermost label of thread tid ("" if none). */
const char *sim_op_label(int tid);
/* Execution counter: changes at the start of every execution. */
uint32_t sim_generation(void);

/* ------------------------------------------------------------ virtual time */

uint64_t sim_now_ns(void);
/* Sleep in virtual time: the thread is runnable again when the virtual clock
 * reaches now+ns.  The clock advances only when no thread is runnable. */
void sim_sleep_ns(uint64_t ns, const struct sim_site *site);

/* ------------------------------------------------------- wait primitive */

/*
 * The single low-level blocking mechanism all primitives are built on.
 * A thread blocks on a sim_waitq until woken (or until a virtual deadline).
 * `owner_of` lets the deadlock detector build the wait-for graph: for a lock
 * it names the tid(s) currently holding the object.
 */
struct sim_waitq {
	uint64_t waiters;          /* bit per tid */
	const char *name;          /* for reports */
	struct sim_lockdep_map *map; /* the lock this queue belongs to, or NULL */
};

/* Block the current thread on wq (a scheduling point).  Returns 0 when woken,
 * -ETIMEDOUT when deadline_ns (absolute virtual time; 0 = none) passed. */
int sim_waitq_block(struct sim_waitq *wq, uint64_t deadline_ns,
		    const struct sim_site *site);
void sim_waitq_wake_one(struct sim_waitq *wq);
void sim_waitq_wake_all(struct sim_waitq *wq);

/* ------------------------------------------------------- lock validator */

/* Identity of a lock class is the key's address (one per init site). */
struct sim_lock_class_key {
	char __unused;
};

/* Per-lock-instance validator state; embedded first in every sim lock. */
struct sim_lockdep_map {
	const struct sim_lock_class_key *key;
	const char *name;            /* e.g. "&matrix_dev->guests_lock" */
	const struct sim_site *init_site;
	uint32_t class_cache[2];     /* internal: class ids by subclass (0 = unset) */
	uint32_t generation;         /* internal: execution the cache belongs to */
	bool novalidate;             /* lockdep_set_novalidate_class() */
};

enum sim_lock_read {
	SIM_LOCK_EXCL = 0,       /* mutex, down_write, spin_lock */
	SIM_LOCK_READ = 1,       /* down_read: non-recursive read */
	SIM_LOCK_READ_REC = 2,   /* recursive read (rwlock read side) */
};

void sim_lockdep_init_map(struct sim_lockdep_map *m, const char *name,
			  const struct sim_lock_class_key *key,
			  const struct sim_site *site);
/* As the kernel's lockdep_set_novalidate_class() (dev->mutex): the lock is
 * tracked as held (assertions, held-lock lists) but takes part in no
 * dependency or recursion check, neither as the new lock nor as a held one. */
void sim_lockdep_set_novalidate(struct sim_lockdep_map *m);
/* Annotate an acquisition.  For blocking acquisitions call BEFORE blocking
 * (so a possible deadlock is reported first), for trylocks after success. */
void sim_lockdep_acquire(struct sim_lockdep_map *m, int subclass,
			 enum sim_lock_read read, bool trylock,
			 const struct sim_site *site);
void sim_lockdep_release(struct sim_lockdep_map *m, const struct sim_site *site);
/* Is m held by the current thread?  read: -1 any, 0 write, 1 read. */
bool sim_lockdep_is_held(const struct sim_lockdep_map *m, int read);
/* lockdep_assert_held*(): a WARN-class finding when violated. */
void sim_lockdep_assert_held(const struct sim_lockdep_map *m, int read,
			     const struct sim_site *site);
/* Number of locks the current thread holds, and a text list for reports. */
int sim_lockdep_depth(int tid);
void sim_lockdep_print_held(FILE *out, int tid);
/* Iterate the held locks of a thread (for the rules checker). */
int sim_lockdep_held_maps(int tid, const struct sim_lockdep_map **out, int max);
/* The same without a copy: the thread's held maps, outermost first (*n of
 * them; valid until its next lock operation). */
const struct sim_lockdep_map *const *sim_lockdep_held_stack(int tid, int *n);
/* Emit the dependency graph as Graphviz DOT (cycle edges highlighted). */
void sim_lockdep_dot(FILE *out);
/* The dependencies (lock pairs: `to` taken while holding `from`) the last
 * execution recorded, as ids that are stable across executions and
 * processes (a hash of the two class names).  Returns how many; at most
 * max are stored. */
size_t sim_lockdep_pair_ids(uint64_t *out, size_t max);
/*
 * The lock-order edges the last execution recorded (`to` acquired while
 * holding `from`), in the order they were first seen, with the sites that
 * created them: where `from` was held from and where `to` was acquired
 * (NULL for an edge that closed a reported cycle: lockdep never adds it to
 * the graph).  Names and sites are static.  Returns how many; at most max
 * are stored.  (apsim run --lock-graph FILE, apsim review's graph diff.)
 */
struct sim_lock_edge {
	const char *from, *to;
	const struct sim_site *from_site, *site;
};
int sim_lockdep_edges(struct sim_lock_edge *out, int max);

/* --------------------------------------------------------- sync primitives */

struct sim_mutex {
	struct sim_lockdep_map dep_map;
	int owner;                 /* tid + 1, 0 = unlocked */
	const struct sim_site *owner_site;
	struct sim_waitq wq;
};

struct sim_rwsem {
	struct sim_lockdep_map dep_map;
	int writer;                /* tid + 1 */
	uint64_t readers;          /* bit per tid */
	int nreaders;
	int writers_waiting;       /* a waiting writer blocks new readers */
	const struct sim_site *owner_site;
	struct sim_waitq wq;
};

struct sim_spinlock {
	struct sim_lockdep_map dep_map;
	int owner;                 /* tid + 1 */
	struct sim_waitq wq;
};

struct sim_completion {
	unsigned int done;
	struct sim_waitq wq;
};

void sim_mutex_init(struct sim_mutex *m, const char *name,
		    const struct sim_lock_class_key *key, const struct sim_site *site);
void sim_mutex_lock(struct sim_mutex *m, int subclass, const struct sim_site *site);
/* interruptible/killable variants: same as lock in the simulation (no
 * signals), return 0. */
int sim_mutex_lock_interruptible(struct sim_mutex *m, int subclass,
				 const struct sim_site *site);
int sim_mutex_trylock(struct sim_mutex *m, const struct sim_site *site); /* 1 = got it */
void sim_mutex_unlock(struct sim_mutex *m, const struct sim_site *site);
bool sim_mutex_is_locked(const struct sim_mutex *m);

void sim_rwsem_init(struct sim_rwsem *s, const char *name,
		    const struct sim_lock_class_key *key, const struct sim_site *site);
void sim_rwsem_down_read(struct sim_rwsem *s, int subclass, const struct sim_site *site);
void sim_rwsem_down_write(struct sim_rwsem *s, int subclass, const struct sim_site *site);
int sim_rwsem_down_read_trylock(struct sim_rwsem *s, const struct sim_site *site);
int sim_rwsem_down_write_trylock(struct sim_rwsem *s, const struct sim_site *site);
void sim_rwsem_up_read(struct sim_rwsem *s, const struct sim_site *site);
void sim_rwsem_up_write(struct sim_rwsem *s, const struct sim_site *site);
void sim_rwsem_downgrade_write(struct sim_rwsem *s, const struct sim_site *site);
bool sim_rwsem_is_locked(const struct sim_rwsem *s);

void sim_spin_init(struct sim_spinlock *l, const char *name,
		   const struct sim_lock_class_key *key, const struct sim_site *site);
void sim_spin_lock(struct sim_spinlock *l, const struct sim_site *site);
int sim_spin_trylock(struct sim_spinlock *l, const struct sim_site *site);
void sim_spin_unlock(struct sim_spinlock *l, const struct sim_site *site);

/* might_sleep(): a finding when the current thread holds a spinlock. */
void sim_might_sleep(const struct sim_site *site);

void sim_completion_init(struct sim_completion *c);
void sim_completion_wait(struct sim_completion *c, const struct sim_site *site);
/* Returns remaining ns (>0) or 0 on timeout. */
uint64_t sim_completion_wait_timeout(struct sim_completion *c, uint64_t ns,
				     const struct sim_site *site);
void sim_complete(struct sim_completion *c, const struct sim_site *site);
void sim_complete_all(struct sim_completion *c, const struct sim_site *site);

/* ---------------------------------------------------------------- findings */

enum sim_finding_kind {
	SIM_F_DEADLOCK = 1,      /* no thread can run: wait-for cycle */
	SIM_F_HANG,              /* step/virtual-time budget exhausted */
	SIM_F_LOCK_CYCLE,        /* lockdep: possible circular locking dependency */
	SIM_F_LOCK_RECURSIVE,    /* lockdep: possible recursive locking */
	SIM_F_LOCK_BAD_UNLOCK,   /* lockdep: bad unlock balance */
	SIM_F_LOCK_HELD_EXIT,    /* lock held when a thread exits */
	SIM_F_LOCK_NOT_HELD,     /* lockdep_assert_held failed */
	SIM_F_SLEEP_ATOMIC,      /* sleeping function called from invalid context */
	SIM_F_WARN,              /* WARN/WARN_ON/WARN_ONCE in driver or shim */
	SIM_F_BUG,               /* BUG/BUG_ON */
	SIM_F_MEMORY,            /* use-after-free, double free, overflow, leak */
	SIM_F_INVARIANT,         /* a driver/shim invariant did not hold */
	SIM_F_RULE,              /* locking-document rule violated */
	SIM_F_CRASH,             /* SIGSEGV/SIGBUS/abort inside a simulated thread */
	SIM_F_DIVERGENCE,        /* replay no longer matches the schedule file */
	SIM_F_DATA_RACE,         /* two unordered accesses, one a write (races) */
	SIM_F__COUNT
};

const char *sim_finding_kind_name(enum sim_finding_kind k);

struct sim_finding {
	enum sim_finding_kind kind;
	char signature[256];     /* dedup key: e.g. "lock-cycle:A->B->A" */
	char *report;            /* full text report (malloc'd) */
	uint64_t step;           /* step at which it was found */
	int tid;
	const char *phase;       /* sim_phase() when found, NULL = none */
};

/*
 * Report a finding.  `signature` identifies it across runs (no addresses,
 * no step numbers).  The formatted text is the report body; the core adds
 * the thread's held locks and recent trace.  Findings marked fatal end the
 * execution (the scheduler stops running threads after this call returns
 * to it); non-fatal ones are recorded and the run continues.
 */
void sim_report(enum sim_finding_kind kind, bool fatal, const char *signature,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void sim_vreport(enum sim_finding_kind kind, bool fatal, const char *signature,
		 const char *fmt, va_list ap);
/*
 * Name the part of the execution that runs from now on (a static string,
 * e.g. "setup" or "threads"); findings record it.  Every execution starts
 * with none (NULL).
 */
void sim_phase(const char *name);
/* Findings of the current/last run. */
int sim_findings_count(void);
const struct sim_finding *sim_finding_get(int i);
/*
 * The root-cause group of a finding signature (findings of one bug along
 * different paths share it: the lock classes of a cycle, a freed object by
 * its allocator, the function that WARNs or faults, the lock not held;
 * sim/report.c lists the rules).  Written into buf; returns buf.
 */
const char *sim_finding_group(const char *sig, char *buf, size_t len);
/*
 * Group n findings by root cause: grp[i] gets finding i's group (numbered in
 * the order of their first finding), keys[g] each group's key; returns the
 * number of groups.  Equal keys group; lock groups sharing two or more lock
 * classes are one (the deadlock, the lockdep cycle and the order rule of
 * one lock-order bug), keyed by the union of their classes.
 */
int sim_finding_groups(const char *const *sigs, int n, int *grp, char (*keys)[256]);

/* ----------------------------------------------------------------- tracing */

/* vsnprintf/snprintf, the same output byte for byte, cheaper for the
 * common conversions (%s %c %d %i %u %x %X, lengths l ll z h hh, the 0 flag
 * and a width; anything else goes to vsnprintf): trace notes (sim/fmt.c). */
int sim_vfmt(char *buf, size_t len, const char *fmt, va_list ap);
int sim_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Append a free-form event to the trace (e.g. s390dbf output, op results). */
/* Is the current execution traced (so that formatting a note is worth it)? */
bool sim_trace_enabled(void);
void sim_trace_note(const struct sim_site *site, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Record entry and exit of the functions compiled with
 * -finstrument-functions (the real driver) in traced executions: `call
 * FUNC @file.c:LINE` and `ret FUNC` events, named when the trace is printed.
 * Off by default (then a hook costs one branch).  -ENOTSUP: this build's
 * driver has no hooks (make TRACE_CALLS=0).
 */
int sim_trace_calls(bool on);

/* --------------------------------------------------------------------- runs */

enum sim_strategy {
	SIM_STRAT_RANDOM = 0,
	SIM_STRAT_PCT,
	SIM_STRAT_RR,
	SIM_STRAT_EXHAUSTIVE,
	SIM_STRAT_REPLAY,
};

const char *sim_strategy_name(enum sim_strategy s);
int sim_strategy_parse(const char *name, enum sim_strategy *out); /* 0 or -EINVAL */

struct sim_schedule; /* a parsed schedule file (opaque) */

struct sim_opts {
	enum sim_strategy strategy;
	uint64_t seed;
	int pct_depth;           /* PCT d (>= 1); default 3 */
	int pct_steps_hint;      /* PCT k estimate; default 200 */
	int preemption_bound;    /* exhaustive: max preemptions (-1 = none) */
	uint64_t max_steps;      /* hang budget; default 1,000,000 */
	uint64_t max_vtime_ns;   /* hang budget in virtual time; default 600 s */
	uint64_t hung_task_ns;   /* a thread blocked without a timeout for longer
				  * is a hang, as the kernel's hung-task detector
				  * (hung_task_timeout_secs); default 120 s
				  * (SIM_HUNG_TASK_DEFAULT_NS), UINT64_MAX = never */
	size_t stack_size;       /* per simulated thread; default 256 KiB */
	bool trace;              /* keep the full event trace (needed for output) */
	bool lockdep;            /* run the validator (default true) */
	bool lockdep_keep_graph; /* keep the dependency graph across executions */
	const struct sim_schedule *replay; /* for SIM_STRAT_REPLAY */
	bool no_reduction;       /* exhaustive: no sleep sets (full enumeration) */
	bool races;              /* data-race detector (sim_race_access); default
				  * false, true when APSIM_RACES=1 is set */
	bool brief_findings;     /* findings keep kind, signature, step, thread
				  * and phase but no report text (runs that
				  * compare signatures only, as apsim fuzz's
				  * untraced ones); ignored when trace is on */
};

void sim_opts_default(struct sim_opts *o);

/* Result of one execution. */
struct sim_result {
	int nfindings;
	bool deadlock, hang, crashed, diverged;
	uint64_t steps;          /* scheduling points executed */
	uint64_t decisions;      /* points with more than one runnable thread */
	uint64_t preemptions;
	uint64_t vtime_ns;
	bool redundant;          /* exhaustive: sleep-set blocked / bound cut,
				  * ended early (equivalent run explored) */
	bool reused;             /* exhaustive: ended where an earlier
				  * execution's equal state was explored on
				  * (sim_explore_seen) */
};

/*
 * Run one execution: `main` runs as thread 0 in a fresh world; it may spawn
 * threads.  The execution ends when all threads exit, on a fatal finding, on
 * deadlock, or when a budget runs out.  Then `teardown` (may be NULL) runs on
 * the host stack with the world still inspectable (no scheduling possible).
 * Returns 0, or a negative errno for a usage error.
 */
int sim_run(const struct sim_opts *o, sim_fn main, sim_fn teardown, void *arg,
	    struct sim_result *res);

/*
 * Explore many executions of the same program.  For RANDOM/PCT/RR runs
 * `iterations` executions with seeds derived from o->seed; for EXHAUSTIVE
 * enumerates interleavings up to the preemption bound with sleep sets
 * (iterations = cap, 0 = no cap).  Every execution runs `main(main_arg)`
 * and `teardown(main_arg)` as sim_run does; `on_exec(index, result, cb_arg)`
 * is called after each execution (may be NULL); return nonzero from it to
 * stop early.  Returns the number of executions run, or a negative errno.
 */
struct sim_explore_stats {
	uint64_t executions;
	uint64_t pruned;         /* sleep-set pruned branches */
	bool complete;           /* exhaustive: the whole space was covered */
	uint64_t redundant;      /* exhaustive: runs ended early as redundant */
	uint64_t bound_pruned;   /* exhaustive: branches cut by preemption_bound */
	uint64_t reused;         /* exhaustive: executions among `executions`
				  * ended at a state explored on before */
	uint64_t memo_mismatches; /* APSIM_MEMO=verify: reuses that would have
				  * been wrong (0, or the key misses state) */
};
typedef int (*sim_exec_cb)(uint64_t exec_index, const struct sim_result *res,
			   void *arg);
/*
 * The exhaustive search's state memo.  The caller (the main thread, the only
 * live thread, holding no lock) states that the rest of the execution
 * depends only on the world state that key hashes; the core adds its own
 * part (preemptions made, step counter, virtual clock, random streams,
 * threads, sleep set).  True when an earlier execution of this search
 * reached an equal state and everything after it was explored: the caller
 * then ends the execution (sim_end_execution).  False outside an
 * exhaustive search, while an execution still follows the search's prefix
 * (it explores another branch after that point), with the race detector
 * on, or with APSIM_MEMO=0.  With APSIM_MEMO=verify nothing is reused:
 * the execution goes on and sim_explore_outcome compares.
 */
bool sim_explore_seen(uint64_t key_lo, uint64_t key_hi);
/* Whether sim_explore_seen could answer true now (cheap: the caller hashes
 * its state only then). */
bool sim_explore_memo_wanted(void);
/* At the end of an execution that called sim_explore_seen: a hash of what
 * happened after it (the findings since, the clock): the memo's
 * verification. */
void sim_explore_outcome(uint64_t h);
/* End the current execution here (from a simulated thread). */
void sim_end_execution(void) __attribute__((noreturn));
long sim_explore(const struct sim_opts *o, uint64_t iterations, sim_fn main,
		 sim_fn teardown, void *main_arg, sim_exec_cb on_exec,
		 void *cb_arg, struct sim_explore_stats *stats);

/* ------------------------------------------------------ trace and schedule */

/* Text rendering of the last execution's trace, one column per thread. */
void sim_trace_print(FILE *out, int col_width);
/* Chrome/Perfetto trace-event JSON of the last execution. */
void sim_trace_print_json(FILE *out);
/* Hash of the last execution's trace (determinism checks). */
uint64_t sim_trace_hash(void);

/* Write the last execution's schedule (versioned, human readable). */
int sim_schedule_write(FILE *out);
/* Parse a schedule; on error returns NULL with "file:line:col: msg" in err. */
struct sim_schedule *sim_schedule_parse(FILE *in, const char *fname, char *err,
					size_t errlen);
void sim_schedule_free(struct sim_schedule *s);

/* --------------------------------------------------------- results on disk */

/* mkdir -p: 0 or a negative errno. */
int sim_out_mkdirs(const char *path);
/* Write the whole file `path` at once: fill(f, arg) writes into path.tmp,
 * which is flushed, synced and renamed over path, so a crash never leaves
 * a half-written file.  0 or a negative errno. */
int sim_out_write_atomic(const char *path, void (*fill)(FILE *f, void *arg),
			 void *arg);
/* Nothing lost: a result that could not be written goes to stderr whole,
 * in one write (processes that share the terminal do not interleave it):
 * "apsim: the WHAT of SIG, not written:", then what fill(f, arg) makes,
 * ending with a newline. */
void sim_out_lost(const char *what, const char *sig,
		  void (*fill)(FILE *f, void *arg), void *arg);
/* s as a JSON string literal (NULL as ""). */
void sim_out_json_str(FILE *f, const char *s);
/* s as one POSIX shell word, whatever it holds: in single quotes, each '
 * as '\''. */
void sim_out_sh_quote(FILE *f, const char *s);

/* A finding of the execution that just ended (traced), to write to disk. */
struct sim_out_finding {
	const struct sim_finding *f;
	const char *header;      /* report.txt text before the finding line */
	int trace_width;         /* trace.txt column width (sim_trace_print) */
	/* replay.sh runs `replay_bin run SCENARIO --schedule DIR/schedule.txt`
	 * (the apsim command line): scn_path relative to the script when it
	 * is in DIR or DIR/.., so the directory may be moved, else absolute */
	const char *replay_bin;
	const char *scn_path;
};
/*
 * Write finding o->f into DIR (created): report.txt first, then
 * schedule.txt, replay.sh, trace.txt, trace.json and lockdep.dot, each
 * with sim_out_write_atomic.  0 or a negative errno (the files before the
 * failing one are complete).
 */
int sim_out_write_finding(const char *dir, const struct sim_out_finding *o);

/* ------------------------------------------------------------- misc hooks */

/*
 * Called at every scheduling point with the thread that is about to be
 * switched away from (the thread that ran since the last point).  Used by
 * the locking-rules checker (watched fields).  NULL to remove.
 */
typedef void (*sim_point_hook)(int tid, void *arg);
void sim_set_point_hook(sim_point_hook fn, void *arg);

/*
 * Fault classifier: when a simulated thread takes SIGSEGV/SIGBUS, the core
 * asks the classifier (the slab shim) whether the faulting address is one it
 * owns (a freed object, a redzone).  If it returns true it has already called
 * sim_report() with a SIM_F_MEMORY finding (use-after-free with allocation
 * and free sites...) and the core ends the execution without a second
 * SIM_F_CRASH finding.
 */
typedef bool (*sim_fault_classifier)(void *addr, bool is_write);
void sim_set_fault_classifier(sim_fault_classifier fn);
/* Program counter of the last fault in a simulated thread (0 if unknown). */
uintptr_t sim_fault_pc(void);
/*
 * "func (file.c:line)" for a code address of this program (addr2line over
 * the executable, at report time only; deterministic for a given binary).
 * Returns buf; "?" when it cannot tell.
 */
const char *sim_symbolize(uintptr_t pc, char *buf, size_t len);

/*
 * Backtraces of simulated threads (frame-pointer chains; everything is
 * built with -fno-omit-frame-pointer).  sim_fault_backtrace: the faulting
 * thread's at the last crash, pcs[0] the faulting pc, then return
 * addresses; sim_backtrace: the calling simulated thread's return
 * addresses (0 outside a simulated thread).  sim_symbolize_stack expands
 * them into frames with their inline chains, innermost first.
 */
struct sim_frame {
	char func[96];
	char file[64];            /* base name */
	int line;
	bool inlined;             /* inlined into the next frame */
};
int sim_fault_backtrace(uintptr_t *pcs, int max);
int sim_backtrace(uintptr_t *pcs, int max);
int sim_symbolize_stack(const uintptr_t *pcs, int n, struct sim_frame *fr, int max);
/* The innermost function of the real driver (vfio_ap*.c) on the calling
 * simulated thread's stack, for signatures; "" if there is none. */
const char *sim_backtrace_driver_func(char *buf, size_t len);

/*
 * Shadow memory (a software KASAN for one region): libsim keeps one shadow
 * byte per 8 bytes of a region the allocator reserves with
 * sim_shadow_reserve(), and code compiled with
 * `-fsanitize=kernel-address` (gcc or clang) has every load and store
 * checked against it: inline (the default build: the compiler tests the
 * shadow byte at (addr >> 3) + SIM_SHADOW_OFFSET and calls
 * __asan_report_{load,store}N_noabort, provided here, when it is not 0)
 * or outline (`make KASAN_INLINE=0`: a call to __asan_{load,store}N_noabort
 * per access).  The sync primitives check their object at every entry.
 * Shadow values are ASan's: 0 = 8 addressable
 * bytes, 1..7 = that many leading bytes, and the SIM_SHADOW_* codes.  A bad
 * access goes to the reporter (the allocator, which knows the objects); it
 * normally ends the execution with sim_report(SIM_F_MEMORY, true, ...).
 */
#define SIM_SHADOW_REDZONE	0xfa	/* between objects */
#define SIM_SHADOW_FREED	0xfd	/* freed object (quarantined) */
#define SIM_SHADOW_UNUSED	0xfe	/* above the allocation pointer */
/* site: the call site of a sync primitive whose object was bad, or NULL
 * (then pc, the code address of the access, names it) */
typedef void (*sim_shadow_reporter)(uintptr_t addr, size_t size, bool is_write,
				    uintptr_t pc, uint8_t code, const struct sim_site *site);
/* Reserve (once) a read/write region of `size` bytes (multiple of 4096)
 * and its shadow, all SIM_SHADOW_UNUSED.  Returns its base or NULL. */
void *sim_shadow_reserve(size_t size, sim_shadow_reporter report);
/* Mark [p, p+n) addressable (p 8-aligned; a partial last granule is
 * encoded exactly) or give it a SIM_SHADOW_* code (p, n 8-aligned). */
void sim_shadow_unpoison(const void *p, size_t n);
void sim_shadow_poison(const void *p, size_t n, uint8_t code);
/* Check an access of n bytes at p made from code address pc; reports and
 * returns false when it is bad.  No-op (true) outside the region. */
bool sim_shadow_check(const void *p, size_t n, bool is_write, uintptr_t pc);
/* Raw copy of the shadow of [p, p+n) (8-aligned) into buf (n / 8 bytes) and
 * back: the allocator's part of a world snapshot (sim/snapshot.c). */
void sim_shadow_save(const void *p, size_t n, void *buf);
void sim_shadow_restore(const void *p, size_t n, const void *buf);

/*
 * World snapshots (sim/snapshot.c): the core's part of "an execution starts
 * from the state after its set-up part".  Called by the main thread of an
 * execution at a point where it is the only thread: sim_snapshot_save keeps
 * what the set-up part changed in the scheduler, the virtual clock, the
 * validator, the search and the trace (returns 0, or -EAGAIN when this
 * execution's state cannot be restored bit for bit: another thread, a
 * decision, a finding, a draw from the seed's streams, race detection on, a
 * replay, a kept lock graph, a held lock).  sim_snapshot_restore, at the
 * start of a later execution of the same exploration (same options but the
 * seed), puts it back: the execution continues as if its main thread had run
 * the set-up part itself.  sim_snapshot_drop forgets it.
 */
int sim_snapshot_save(void);
int sim_snapshot_restore(void);
void sim_snapshot_drop(void);

/*
 * Watched memory (the locking rules' fields): a watched granule is
 * addressable, and every instrumented access that touches it calls the
 * watcher (before the access, with its code address).  Unwatched granules
 * cost nothing more.  sim_shadow_watch (p, n 8-aligned) marks or unmarks
 * the addressable granules of [p, p+n); freeing memory ends its watch.
 * A watcher that sees every access may skip re-reading what nobody touched
 * while sim_shadow_watched says the watch holds.
 * -ENOTSUP without a shadow region (ASan and KASAN=0 builds) or outside it.
 */
#define SIM_SHADOW_WATCH	0xf0	/* addressable, watched */
typedef void (*sim_shadow_watcher)(uintptr_t addr, size_t size, bool is_write, uintptr_t pc);
void sim_shadow_set_watcher(sim_shadow_watcher fn);
int sim_shadow_watch(const void *p, size_t n, bool on);
/* Is the granule of p watched now (false without a region, once freed)? */
bool sim_shadow_watched(const void *p);

/*
 * Data races (sim/race.c; on when sim_opts.races): happens-before race
 * detection on the shadow region.  Every instrumented access of a simulated
 * thread in the region (the __asan_* hooks call sim_race_access after the
 * shadow check) is checked against the last write and the reads of its
 * 8-byte granules; vector clocks follow the sync primitives (unlock ->
 * lock, up_* -> down_*, complete -> wait, wake-up -> woken wait), spawn and
 * join.  Two accesses from different threads, at least one a write, not
 * ordered by these edges, are a SIM_F_DATA_RACE finding (non-fatal), one
 * per signature "race:FUNC_A,FUNC_B" (the two functions, sorted) per
 * execution, reported in KCSAN's shape: both accesses (task, function and
 * file:line, read/write, size, the locks held), the value.
 *
 * Marked accesses (READ_ONCE/WRITE_ONCE, atomics, bitops in the shim
 * headers) raise sim_race_marked around the access: two marked accesses
 * never race; a plain access racing with a marked one does (as in KCSAN).
 */
extern volatile int sim_race_marked;
/* Check and record an access of n bytes at p by the current simulated
 * thread, made at code address pc (marked while sim_race_marked is
 * raised).  No-op outside the region, outside a thread, detector off. */
void sim_race_access(const void *p, size_t n, bool is_write, uintptr_t pc);
/* A fully ordered atomic operation on p (value-returning atomics, xchg,
 * test_and_set_bit; smp_store_release / smp_load_acquire): the current
 * thread acquires and then releases the clock kept for p. */
void sim_race_sync(const volatile void *p);
/* +1 / -1: accesses in between are apsim's own (a checker reading driver
 * state through shim functions), not checked nor recorded. */
void sim_race_ignore(int delta);

/*
 * Driver code coverage (builds with APSIM_COVER: the driver compiled with
 * -fsanitize-coverage=trace-pc): a byte per hashed basic-block address,
 * 1 once the block ran in this process.  NULL without coverage.
 */
#define SIM_COVER_SIZE 65536
const uint8_t *sim_cover_map(void);
/* Line coverage (review builds, LINECOV=1: gcc --coverage on the driver):
 * write this process's gcov counters now (before _exit); a no-op elsewhere. */
void sim_linecov_flush(void);

/* Deterministic PRNG of the current execution (for shim choices). */
uint64_t sim_rand(void);
/* splitmix64 (Steele, Lea, Flood 2014): advances *state by the golden
 * gamma and returns the mixed value.  libsim's streams and apsim fuzz's
 * choice stream are made of it. */
static inline uint64_t sim_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Version string of libsim. */
extern const char sim_version[];

#ifdef __cplusplus
}
#endif
#endif /* APSIM_SIM_H */
