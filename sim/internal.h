/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/internal.h - state shared between the files of the libsim core.
 *
 * Owns: the world (threads, run state, strategy state), the scheduling-point
 * entry points used by the sync primitives, trace recording, and the small
 * internal API offered to the lock validator (sim/lockdep.c):
 *   sim__op_label, sim__generation
 * and the hooks the validator provides to the scheduler:
 *   sim__lockdep_reset, sim__lockdep_thread_exit.
 * Nothing outside sim/ may include this file.
 */
#ifndef APSIM_INTERNAL_H
#define APSIM_INTERNAL_H

#include <apsim/sim.h>
#include <setjmp.h>
#include <string.h>
#include <sys/types.h>
#include <apsim/ctx.h>

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define BIT(t)      (1ULL << (t))

/* ---- API for the lock validator (stable) ---- */
/* Innermost op label of thread tid (sim_op_push), or NULL when none:
 * sim__op_label, inline, below the world. */
/* Execution counter: increments at the start of every sim_run. */
uint32_t sim__generation(void);
/* Provided by sim/lockdep.c; called by the scheduler. */
void sim__lockdep_reset(bool keep_graph);   /* start of every execution */
void sim__lockdep_thread_exit(int tid);     /* a thread exits */

/* ---- shadow memory (sim/shadow.c): checks of sync objects ---- */
extern uintptr_t sim__sh_lo, sim__sh_size;
extern int8_t *sim__sh_map;               /* one byte per granule */
extern uintptr_t sim__sh_valid;           /* offsets below are set */
/* The common case of an object check, inline: [off, off + n) whole,
 * valid granules, all addressable and unwatched (shadow 0).  The same
 * test as sim__shadow_check's first one: true means it would return true
 * and do nothing else. */
static inline bool sim__shadow_clean(uintptr_t off, size_t n)
{
	const int8_t *p = sim__sh_map + (off >> 3);
	size_t ng = n >> 3, i;
	uint64_t acc = 0, v;

	if (((off | n) & 7) || !n || off + n > sim__sh_valid)
		return false;
	for (i = 0; i + 8 <= ng; i += 8) {
		memcpy(&v, p + i, 8);
		acc |= v;
	}
	if (ng & 7) {
		if (ng >= 8) {
			memcpy(&v, p + ng - 8, 8);
			acc |= v;
		} else {
			for (i = 0; i < ng; i++)
				acc |= (uint8_t)p[i];
		}
	}
	return !acc;
}
/* Check an access of n bytes at a inside the region; reports a bad one
 * (named by site if given, else by pc) and returns false. */
bool sim__shadow_check(uintptr_t a, size_t n, bool is_write, uintptr_t pc,
		       const struct sim_site *site);
/* At the entry of a sync primitive: is its object (*p) addressable?  The
 * caller's site names the access (the return address may belong to the
 * caller's caller after a tail call). */
#define SIM_SHADOW_ENTRY(p, wr, site)					\
	do {								\
		if (unlikely((uintptr_t)(p) - sim__sh_lo < sim__sh_size) && \
		    !sim__shadow_clean((uintptr_t)(p) - sim__sh_lo, sizeof(*(p)))) \
			sim__shadow_check((uintptr_t)(p), sizeof(*(p)), (wr), \
				(uintptr_t)__builtin_return_address(0) - 1, (site)); \
	} while (0)

/* ---- data races (sim/race.c) ---- */
extern bool sim__race_on;                 /* this execution checks races */
/* Every region access to the hooks (true) or only the bad ones (false):
 * inline instrumentation's gate (shadow.c); set with sim__race_on. */
void sim__shadow_gate(bool calls);
void sim__race_reset(void);               /* start of every execution */
void sim__race_spawn(int parent, int child); /* parent -1: the main thread */
/* child takes the slot of an exited thread: its clock goes on from there */
void sim__race_respawn(int parent, int child, uint32_t inc);
/* Did the exit of slot's thread happen before parent's present? */
bool sim__race_exit_ordered(int slot, int parent);
void sim__race_join(int tid);             /* every exited thread -> tid */
/* The current thread acquires / releases the clock of obj; lock (or NULL)
 * is the lock it takes / drops, for the held-lock lists of reports. */
void sim__race_acquire(const void *obj, const struct sim_lockdep_map *lock);
void sim__race_release(const void *obj, const struct sim_lockdep_map *lock);
#define SIM_RACE(call) do { if (unlikely(sim__race_on)) call; } while (0)

/* ---- objects of the next step (exhaustive-search independence) ---- */
#define SIM_OBJ_NONE    ((const void *)0)       /* touches nothing shared */
#define SIM_OBJ_UNKNOWN ((const void *)1)       /* dependent with all */

enum sim_tstate {
	SIM_T_FREE = 0,
	SIM_T_RUNNABLE,
	SIM_T_BLOCKED,     /* on a waitq (maybe with deadline) */
	SIM_T_SLEEPING,    /* sim_sleep_ns */
	SIM_T_EXITED,
};

#define SIM_OPSTACK 8
#define SIM_OPLEN   64

/*
 * An op label (sim_op_push, sim_op_push_fn): its text, or how to make it
 * (fmt(arg)), made at its first reader: most labels are never read (no
 * report, no trace).  Held locks keep a pointer to their acquisition's
 * label, so labels live in a per-execution arena (sim__labels, reset when
 * an execution starts) rather than on the thread's op stack.
 */
struct sim_label {
	sim_label_fn fmt;              /* NULL: text is made */
	const void *arg;
	char text[SIM_OPLEN];
};
/* Labels per execution before the arena wraps (the oldest are then reused:
 * a lock held since one of them would show a later op's label); apsim's
 * executions push at most 9 x 64. */
#define SIM_LABELS 1024
extern struct sim_label sim__labels[SIM_LABELS];

/* A label's text (made now if it was not). */
static inline const char *sim__label_text(struct sim_label *l)
{
	if (l->fmt) {
		l->text[0] = 0;
		l->fmt(l->arg, l->text, sizeof(l->text));
		l->text[sizeof(l->text) - 1] = 0;
		l->fmt = NULL;
	}
	return l->text;
}
#define SIM_SPINSTACK 8

struct sim_thread {
	struct sim_ctx ctx;
	int tid;
	enum sim_tstate state;
	sim_fn fn;
	void *arg;
	const struct sim_site *site;   /* where it is parked / last point */
	const void *next_obj;          /* object of its next step */
	struct sim_waitq *wq;          /* blocked on */
	uint64_t deadline;             /* sleeping / timed wait (0 = none) */
	uint64_t block_seq;            /* FIFO order among waiters */
	uint64_t blocked_at;           /* virtual time it blocked (hung task) */
	int wake_result;
	int spin_depth;
	struct sim_spinlock *spins[SIM_SPINSTACK];
	uint64_t prio;                 /* PCT */
	uint64_t rng;                  /* sim_rand stream */
	int nops;
	struct sim_label *ops[SIM_OPSTACK];
	char name[32];
	uint32_t inc;                  /* incarnation: earlier threads of the slot */
};

/* The name of a thread whose slot a later thread took (sched.c). */
struct sim_retired {
	int task;                      /* tid | inc << 6 */
	char name[32];
};

/* One recorded decision (a point where >1 thread was runnable). */
struct sim_decision {
	uint64_t step;
	const struct sim_site *site;   /* where the chosen thread was parked */
	int tid;
};

struct sim_world {
	/* hot */
	struct sim_thread *cur;        /* running simulated thread, NULL = host */
	uint64_t step;
	uint64_t runnable;             /* bit per tid */
	uint64_t max_steps;
	enum sim_strategy strategy;
	bool single_fast;              /* 1 runnable => no strategy call */
	bool lockdep;
	bool trace;
	bool brief_findings;   /* sim_opts.brief_findings and !trace */
	bool stopping;
	sim_point_hook hook;
	void *hook_arg;
	uint64_t now;
	uint64_t timed;                /* threads with a deadline */
	uint64_t max_vtime;
	uint64_t rng;                  /* scheduler PRNG */
	uint64_t block_seq;
	/* run state */
	bool in_run;
	bool in_thread_ctx;            /* a simulated thread is on the CPU */
	int nthreads;                  /* tids 0..nthreads-1 used */
	int live;
	/* threads whose slot was reused (the table was full), in order */
	struct sim_retired *retired;
	size_t nretired, capretired;
	struct sim_opts opts;
	uint64_t seed;
	uint32_t generation;
	unsigned nlabels;              /* sim__labels used by this execution */
	uint64_t decisions, preemptions;
	bool deadlock, hang, crashed, diverged, redundant, reused;
	int hung_tid;                  /* hung-task hang: the thread, else -1 */
	struct sim_waitq join_wq;
	struct sim_ctx host;
	sigjmp_buf host_jb;
	/* PCT */
	uint64_t pct_cp[16];
	int pct_ncp, pct_next;
	/* decisions of this execution (schedule file) */
	struct sim_decision *dec;
	size_t ndec, dec_cap;
	/* replay */
	const struct sim_schedule *replay;
	size_t replay_idx;
	struct sim_thread t[SIM_MAX_THREADS];
};

/* The one world of this process (defined in sched.c). */
extern struct sim_world sim__world;

static inline struct sim_thread *sim__cur(void) { return sim__world.cur; }

static inline struct sim_label *sim__op_ref(int tid)
{
	if (tid < 0 || tid >= sim__world.nthreads || sim__world.t[tid].nops == 0)
		return NULL;
	const struct sim_thread *t = &sim__world.t[tid];
	return t->ops[(t->nops > SIM_OPSTACK ? SIM_OPSTACK : t->nops) - 1];
}

static inline const char *sim__op_label(int tid)
{
	struct sim_label *l = sim__op_ref(tid);

	return l ? sim__label_text(l) : NULL;
}

/* ---- sched.c ---- */
/* A scheduling point of the running thread (it stays runnable).  obj is
 * the object its next step operates on (SIM_OBJ_*). */
void sim__point(const void *obj, const struct sim_site *site);
/* Block the running thread on wq (internal: no might-sleep check). */
int sim__block(struct sim_waitq *wq, uint64_t deadline, const void *obj,
	       const struct sim_site *site);
void sim__wake_one(struct sim_waitq *wq);
void sim__wake_all(struct sim_waitq *wq);
/* End the execution now (from a simulated thread: never returns). */
void sim__stop(void);
void sim__might_sleep_report(const struct sim_site *site, const char *what);
/* A blocking operation: reported when the thread holds a spinlock.  Inline:
 * every lock operation checks it, and almost always nothing is held. */
static inline void sim__check_might_sleep(const struct sim_site *site, const char *what)
{
	const struct sim_thread *t = sim__world.cur;

	if (t && unlikely(t->spin_depth != 0))
		sim__might_sleep_report(site, what);
}
const char *sim__state_name(const struct sim_thread *t);

/* ---- report.c ---- */
void sim__findings_reset(void);
/* Return addresses of the frame-pointer chain from fp, inside [lo, hi). */
int sim__fp_walk(uintptr_t fp, uintptr_t lo, uintptr_t hi, uintptr_t *pcs, int max);
void sim__report_deadlock(void);
/* Is there a cycle of threads waiting for locks held by each other? */
bool sim__wait_cycle(void);
void sim__report_hang(const char *why, int hung_tid);
void sim__report_crash(int sig, int tid, uintptr_t addr);
/* A saved stack pcs[0..n) (sim_backtrace), a frame a line after indent:
 * the validator's and the primitives' frames left out, then the frames of
 * skip_func (the call site already printed; NULL: none), up to the
 * executor's (lockdep's print_lock_trace). */
void sim__print_stack(FILE *out, const uintptr_t *pcs, int n, const char *indent,
		      const char *skip_func);
/* Is wq the wait queue of a sim_mutex / sim_rwsem / sim_spinlock?  Fills
 * the holder mask and the lock name. */
bool sim__waitq_owners(const struct sim_waitq *wq, uint64_t *owners,
		       const char **name, const struct sim_site **owner_site);

/* ---- trace.c ---- */
enum sim_ev {
	SIM_EV_SPAWN = 1, SIM_EV_EXIT, SIM_EV_LOCK, SIM_EV_BLOCK, SIM_EV_WAKE,
	SIM_EV_UNLOCK, SIM_EV_TRYLOCK_OK, SIM_EV_TRYLOCK_FAIL, SIM_EV_DOWN_READ,
	SIM_EV_DOWN_WRITE, SIM_EV_UP_READ, SIM_EV_UP_WRITE, SIM_EV_DOWNGRADE,
	SIM_EV_SPIN_LOCK, SIM_EV_SPIN_UNLOCK, SIM_EV_WAIT, SIM_EV_COMPLETE,
	SIM_EV_SLEEP, SIM_EV_YIELD, SIM_EV_NOTE, SIM_EV_FINDING, SIM_EV_TIMEOUT,
	SIM_EV_JOIN, SIM_EV_CALL, SIM_EV_RET, SIM_EV__COUNT
};
void sim__trace_reset(void);
void sim__trace_ev(int tid, enum sim_ev kind, const char *obj,
		   const struct sim_site *site, const char *text);
/* The last n events of the trace as text, for reports. */
void sim__trace_tail(FILE *out, int n);
/* Entry (enter) or exit of the function at fn (sim/calls.c's hooks). */
void sim__trace_call(int tid, bool enter, uintptr_t fn);

/* ---- symbolize.c ---- */
/* argv's standard output as a stream (no shell); close it, then wait for *pid. */
FILE *sim__pipe_from(char *const argv[], pid_t *pid);

/* ---- calls.c ---- */
/* Name the function addresses pcs[0..n) (one addr2line run for the new ones). */
void sim__calls_resolve(const uintptr_t *pcs, size_t n);
/* symbolize.c: the cache of inline chains behind backtraces and call names */
void sim__frames_fill(const uintptr_t *pcs, int n);
const struct sim_frame *sim__frames_of(uintptr_t pc, int *n);
/* The name of a resolved function ("?" if unknown), *where its file:line or NULL. */
const char *sim__calls_name(uintptr_t pc, const char **where);

/* ---- schedule.c ---- */
void sim__dec_push(uint64_t step, int tid, const struct sim_site *site);
/* Replay: pick at a decision point; -1 = diverged (finding reported). */
int sim__replay_pick(uint64_t en);
/* Replay: called at every point (detect missed decisions); false = diverged. */
bool sim__replay_check(void);
void sim__replay_end(void);
uint64_t sim__schedule_seed(const struct sim_schedule *s);

/* ---- explore.c ---- */
void sim__explore_begin_run(void);
/* Exhaustive pick; returns -1 to end the execution (redundant/pruned). */
int sim__explore_pick(struct sim_thread *cur, uint64_t en);

/* ---- world snapshots (snapshot.c) ---- */
struct sim__ld_snap;
struct sim__ld_snap *sim__lockdep_snap_save(void);
void sim__lockdep_snap_restore(const struct sim__ld_snap *s);
void sim__lockdep_snap_free(struct sim__ld_snap *s);
int sim__lockdep_depth0(void);               /* held by thread 0 */
struct sim__trace_snap;
struct sim__trace_snap *sim__trace_snap_save(void);
bool sim__trace_snap_restore(const struct sim__trace_snap *s);
void sim__trace_snap_free(struct sim__trace_snap *s);
struct sim__findings_snap;
struct sim__findings_snap *sim__findings_snap_save(void);
bool sim__findings_snap_restore(const struct sim__findings_snap *s);
void sim__findings_snap_free(struct sim__findings_snap *s);
void sim__explore_snap_get(size_t *n, uint64_t *pending_sleep);
bool sim__explore_snap_set(size_t n, uint64_t pending_sleep);
/* sched.c: the streams of this execution as sim_run left them for main */
extern uint64_t sim__rng_start, sim__t0rng_start, sim__hostrng_start;
uint64_t sim__host_rng(void);

/* ---- helpers ---- */
static inline uint64_t sim__mix(uint64_t a, uint64_t b)
{
	uint64_t s = a ^ (b * 0xd1b54a32d192ed03ULL);
	return sim_splitmix64(&s);
}
/* Bits set in m, for the sparse masks of runnable threads (without
 * -mpopcnt, __builtin_popcountll is a libgcc call). */
static inline unsigned sim__popcount(uint64_t m)
{
	unsigned n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

static inline int sim__nth_bit(uint64_t m, unsigned n)
{
	while (n--)
		m &= m - 1;
	return __builtin_ctzll(m);
}

/* sim/cov.c: a thread is about to wait for a lock another holds (the
 * feedback of guided fuzzing). */
void sim__cov_contend_slow(const struct sim_site *waiter, const struct sim_site *holder);
/* Feedback is collected once sim_cov_begin ran in this process (guided
 * campaigns); the others pay one branch per contention. */
extern bool sim__cov_active;
static inline void sim__cov_contend(const struct sim_site *waiter, const struct sim_site *holder)
{
	if (unlikely(sim__cov_active))
		sim__cov_contend_slow(waiter, holder);
}

#endif /* APSIM_INTERNAL_H */
