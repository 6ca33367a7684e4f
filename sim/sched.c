/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/sched.c - simulated threads, the scheduler and virtual time.
 *
 * Owns: the world, thread creation/exit on pooled mmap'd stacks with guard
 * pages, the scheduling point (strategy choice: random, PCT, round-robin,
 * replay, exhaustive via explore.c), the wait queue (the one blocking
 * mechanism), the virtual clock, budgets, crash isolation (signals on an
 * alternate stack + siglongjmp to the host), the threads' op stacks and
 * the execution's arena of op labels (sim_op_push, sim_op_push_fn) and
 * sim_run itself.
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

struct sim_world sim__world;

/* ------------------------------------------------------------ stacks */

struct sim_stack {
	void *map;          /* includes the guard page */
	size_t map_len;
	void *lo;           /* usable stack */
	size_t size;
};
static struct sim_stack stacks[SIM_MAX_THREADS];
static size_t page_size;

#ifdef SIM_ASAN
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif

static int stack_get(int tid, size_t size, void **lo)
{
	struct sim_stack *s = &stacks[tid];

	if (s->map && s->size != size) {
		munmap(s->map, s->map_len);
		s->map = NULL;
	}
	if (!s->map) {
		size_t len = size + page_size;
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return -ENOMEM;
		mprotect(p, page_size, PROT_NONE);      /* guard page */
		s->map = p;
		s->map_len = len;
		s->lo = (char *)p + page_size;
		s->size = size;
	}
#ifdef SIM_ASAN
	/* a thread of an execution that ended early (a crash, a hang) left
	 * its frames' redzones poisoned on this stack: the next thread on it
	 * starts clean */
	__asan_unpoison_memory_region(s->lo, s->size);
#endif
	*lo = s->lo;
	return 0;
}

/* ------------------------------------------------------------ accessors */

int sim_tid(void)
{
	return sim__world.cur ? sim__world.cur->tid : -1;
}

const char *sim_thread_name(int tid)
{
	if (tid < 0 || tid >= sim__world.nthreads)
		return tid == -1 ? "host" : "?";
	return sim__world.t[tid].name;
}

int sim_task_id(void)
{
	const struct sim_thread *t = sim__world.cur;

	return t ? t->tid | (int)(t->inc << 6) : -1;
}

const char *sim_task_name(int task)
{
	int tid = SIM_TASK_TID(task);

	if (task < 0 || tid >= sim__world.nthreads)
		return sim_thread_name(task);
	if ((uint32_t)task >> 6 == sim__world.t[tid].inc)
		return sim__world.t[tid].name;
	for (size_t i = 0; i < sim__world.nretired; i++)
		if (sim__world.retired[i].task == task)
			return sim__world.retired[i].name;
	return "?";
}

uint32_t sim__generation(void) { return sim__world.generation; }
uint64_t sim_now_ns(void) { return sim__world.now; }

struct sim_label sim__labels[SIM_LABELS];

/* Push an op onto the running thread's stack: the arena's next label
 * (internal.h: it wraps past SIM_LABELS) made by fn(arg), or NULL when
 * there is no thread or the stack is full (deeper ops are counted only). */
static struct sim_label *op_push(sim_label_fn fn, const void *arg)
{
	struct sim_thread *t = sim__world.cur;
	struct sim_label *l = NULL;

	if (!t)
		return NULL;
	if (t->nops < SIM_OPSTACK) {
		l = &sim__labels[sim__world.nlabels++ % SIM_LABELS];
		l->fmt = fn;
		l->arg = arg;
		t->ops[t->nops] = l;
	}
	t->nops++;
	return l;
}

void sim_op_push(const char *label)
{
	struct sim_label *l = op_push(NULL, NULL);

	if (l) {
		strncpy(l->text, label ? label : "", SIM_OPLEN - 1);
		l->text[SIM_OPLEN - 1] = 0;
	}
}

void sim_op_push_fn(sim_label_fn fn, const void *arg)
{
	op_push(fn, arg);
}

void sim_op_pop(void)
{
	if (sim__world.cur && sim__world.cur->nops > 0)
		sim__world.cur->nops--;
}

const char *sim__state_name(const struct sim_thread *t)
{
	switch (t->state) {
	case SIM_T_RUNNABLE: return "runnable";
	case SIM_T_BLOCKED: return t->deadline ? "blocked (timed)" : "blocked";
	case SIM_T_SLEEPING: return "sleeping";
	case SIM_T_EXITED: return "exited";
	default: return "free";
	}
}

void sim_set_point_hook(sim_point_hook fn, void *arg)
{
	sim__world.hook = fn;
	sim__world.hook_arg = arg;
}

static uint64_t host_rng;

uint64_t sim_rand(void)
{
	/* One stream per thread: values do not depend on the interleaving. */
	if (sim__world.cur)
		return sim_splitmix64(&sim__world.cur->rng);
	return sim_splitmix64(&host_rng);
}

void sim_opts_default(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->strategy = SIM_STRAT_RANDOM;
	o->seed = 1;
	o->pct_depth = 3;
	o->pct_steps_hint = 200;
	o->preemption_bound = -1;
	o->max_steps = 1000000;
	o->max_vtime_ns = 600ULL * 1000000000ULL;
	o->hung_task_ns = SIM_HUNG_TASK_DEFAULT_NS;
	o->stack_size = 256 * 1024;
	o->trace = false;
	o->lockdep = true;
	o->races = getenv("APSIM_RACES") && !strcmp(getenv("APSIM_RACES"), "1");
}

/* ------------------------------------------------------------ switching */

static void switch_to(struct sim_thread *from, struct sim_thread *to)
{
	sim__world.cur = to;
	sim_ctx_jump(&from->ctx, &to->ctx, from->state == SIM_T_EXITED);
}

/* Leave the simulated world for good (from a simulated thread). */
static __attribute__((noreturn)) void to_host(void)
{
	struct sim_thread *t = sim__world.cur;

	sim__world.stopping = true;
	sim__world.in_thread_ctx = false;
	sim__world.cur = NULL;
	sim_ctx_jump(&t->ctx, &sim__world.host, true);
	__builtin_unreachable();
}

void sim_end_execution(void)
{
	sim__world.reused = true;
	to_host();
}

void sim__stop(void)
{
	sim__world.stopping = true;
	if (sim__world.cur && sim__world.in_thread_ctx)
		to_host();
}

/* ------------------------------------------------------------ time */

/*
 * The kernel's hung-task detector (kernel/hung_task.c): a task that stays
 * in an uninterruptible wait for hung_task_timeout_secs (120 s by default)
 * is reported.  Here: a thread blocked without a timeout (a mutex, a
 * completion, flush_work ...) while the clock would move past
 * blocked_at + hung_task_ns.  The clock stops at that point, the earliest
 * such thread is named (sim__world.hung_tid) and the caller reports a
 * hang, or a deadlock when the blocked threads form a wait-for cycle.
 * Until then the clock moves only while somebody polls or sleeps, so a
 * thread blocked behind a loop that never ends (6.12's apq_reset_check)
 * is found after 120 virtual seconds, not after the 600 s budget.
 */
static bool hung_task(uint64_t next)
{
	uint64_t lim = sim__world.opts.hung_task_ns, at = UINT64_MAX;
	int tid = -1;

	if (lim == UINT64_MAX)
		return false;
	for (int i = 0; i < sim__world.nthreads; i++) {
		const struct sim_thread *t = &sim__world.t[i];

		/* (join is the harness's wait, not a kernel task's) */
		if (t->state == SIM_T_BLOCKED && !t->deadline &&
		    t->wq != &sim__world.join_wq && t->blocked_at + lim < at) {
			at = t->blocked_at + lim;
			tid = i;
		}
	}
	if (tid < 0 || at >= next || at > sim__world.max_vtime)
		return false;
	if (at > sim__world.now)
		sim__world.now = at;
	sim__world.hung_tid = tid;
	return true;
}

/* Advance the clock to the earliest deadline; returns the new runnable
 * mask (0 if nobody has a deadline, or a thread hung: hung_task). */
static uint64_t advance_time(void)
{
	uint64_t m = sim__world.timed, min = UINT64_MAX;

	if (!m)
		return 0;
	for (uint64_t b = m; b; b &= b - 1) {
		struct sim_thread *t = &sim__world.t[__builtin_ctzll(b)];
		if (t->deadline < min)
			min = t->deadline;
	}
	if (min > sim__world.now && hung_task(min))
		return 0;
	if (min > sim__world.max_vtime) {
		sim__world.now = sim__world.max_vtime;
		return 0;
	}
	if (min > sim__world.now)
		sim__world.now = min;
	for (uint64_t b = m; b; b &= b - 1) {
		struct sim_thread *t = &sim__world.t[__builtin_ctzll(b)];
		if (t->deadline > sim__world.now)
			continue;
		sim__world.timed &= ~BIT(t->tid);
		t->deadline = 0;
		if (t->state == SIM_T_BLOCKED && t->wq) {
			t->wq->waiters &= ~BIT(t->tid);
			t->wq = NULL;
			t->wake_result = -ETIMEDOUT;
			if (sim__world.trace)
				sim__trace_ev(t->tid, SIM_EV_TIMEOUT, NULL, t->site, NULL);
		}
		t->state = SIM_T_RUNNABLE;
		sim__world.runnable |= BIT(t->tid);
	}
	return sim__world.runnable;
}

/* ------------------------------------------------------------ strategies */

static int pick_pct(struct sim_thread *cur, uint64_t en)
{
	if (sim__world.pct_next < sim__world.pct_ncp &&
	    sim__world.step >= sim__world.pct_cp[sim__world.pct_next]) {
		/* change point: the running thread drops below everybody */
		cur->prio = (uint64_t)(sim__world.pct_ncp - sim__world.pct_next);
		sim__world.pct_next++;
	}
	int best = -1;
	uint64_t bp = 0;
	for (uint64_t b = en; b; b &= b - 1) {
		int i = __builtin_ctzll(b);
		if (best < 0 || sim__world.t[i].prio > bp) {
			best = i;
			bp = sim__world.t[i].prio;
		}
	}
	return best;
}

static int pick_rr(struct sim_thread *cur, uint64_t en)
{
	int n = cur->tid + 1;
	uint64_t hi = n >= 64 ? 0 : en & (~0ULL << n);
	return __builtin_ctzll(hi ? hi : en);
}

static int pick(struct sim_thread *cur, uint64_t en)
{
	switch (sim__world.strategy) {
	case SIM_STRAT_PCT:
		return pick_pct(cur, en);
	case SIM_STRAT_RR:
		return pick_rr(cur, en);
	case SIM_STRAT_REPLAY:
		return sim__replay_pick(en);
	case SIM_STRAT_EXHAUSTIVE:
		return sim__explore_pick(cur, en);
	case SIM_STRAT_RANDOM:
	default: {
		unsigned n = sim__popcount(en);
		uint64_t r = sim_splitmix64(&sim__world.rng);
		return sim__nth_bit(en, (unsigned)(((unsigned __int128)r * n) >> 64));
	}
	}
}

/* The heart: the running thread reached a scheduling point; its state is
 * already updated (runnable, blocked, sleeping or exited). */
static void schedule(void)
{
	struct sim_thread *t = sim__world.cur;
	uint64_t en;
	int next;

	sim__world.step++;
	if (sim__world.hook)
		sim__world.hook(t->tid, sim__world.hook_arg);
	if (unlikely(sim__world.stopping))
		to_host();
	if (unlikely(sim__world.step >= sim__world.max_steps)) {
		sim__world.hang = true;
		sim__report_hang("step budget exhausted", -1);
		to_host();
	}
	en = sim__world.runnable;
	if (likely(en == BIT(t->tid) && sim__world.single_fast)) {
		if (unlikely(sim__world.pct_next < sim__world.pct_ncp) &&
		    sim__world.step >= sim__world.pct_cp[sim__world.pct_next])
			pick_pct(t, en);
		return;
	}
	if (sim__world.strategy == SIM_STRAT_REPLAY && !sim__replay_check())
		to_host();
	if (!en) {
		en = advance_time();
		if (!en) {
			if (sim__world.live == 0)
				to_host();              /* everybody exited */
			/* threads that only wait with timeouts (a removal
			 * polling for a close ...) do not hide a lock cycle */
			if (sim__world.timed && !sim__wait_cycle()) {
				sim__world.hang = true;
				sim__report_hang("virtual time budget exhausted",
						 sim__world.hung_tid);
			} else {
				sim__world.deadlock = true;
				sim__report_deadlock();
			}
			to_host();
		}
		if (sim__world.strategy == SIM_STRAT_REPLAY && !sim__replay_check())
			to_host();
	}
	next = pick(t, en);
	if (next < 0)
		to_host();
	if (en & (en - 1)) {
		sim__world.decisions++;
		sim__dec_push(sim__world.step, next, sim__world.t[next].site);
	}
	if (next != t->tid) {
		if (en & BIT(t->tid))
			sim__world.preemptions++;
		switch_to(t, &sim__world.t[next]);
		/* resumed */
		if (unlikely(sim__world.stopping))
			to_host();
	}
}

void sim__point(const void *obj, const struct sim_site *site)
{
	struct sim_thread *t = sim__world.cur;

	if (!t)
		return;
	if (site)
		t->site = site;
	t->next_obj = obj;
	schedule();
}

void sim_point_shared(const struct sim_site *site)
{
	sim__point(SIM_OBJ_UNKNOWN, site);
}

void sim_yield(const struct sim_site *site)
{
	if (sim__world.cur && sim__world.trace)
		sim__trace_ev(sim__world.cur->tid, SIM_EV_YIELD, NULL, site, NULL);
	sim__point(SIM_OBJ_NONE, site);
}

/* ------------------------------------------------------------ wait queues */

int sim__block(struct sim_waitq *wq, uint64_t deadline, const void *obj,
	       const struct sim_site *site)
{
	struct sim_thread *t = sim__world.cur;

	if (!t)
		return -EAGAIN;
	if (deadline && deadline <= sim__world.now) {
		sim__point(obj, site);
		return -ETIMEDOUT;
	}
	t->state = SIM_T_BLOCKED;
	t->wq = wq;
	t->block_seq = ++sim__world.block_seq;
	t->blocked_at = sim__world.now;
	t->wake_result = 0;
	if (site)
		t->site = site;
	t->next_obj = obj;
	wq->waiters |= BIT(t->tid);
	sim__world.runnable &= ~BIT(t->tid);
	if (deadline) {
		t->deadline = deadline;
		sim__world.timed |= BIT(t->tid);
	}
	if (sim__world.trace)
		sim__trace_ev(t->tid, SIM_EV_BLOCK, wq->name, site, NULL);
	schedule();
	return t->wake_result;
}

static void wake(struct sim_thread *t)
{
	t->wq->waiters &= ~BIT(t->tid);
	t->wq = NULL;
	t->state = SIM_T_RUNNABLE;
	t->wake_result = 0;
	t->deadline = 0;
	sim__world.timed &= ~BIT(t->tid);
	sim__world.runnable |= BIT(t->tid);
}

/*
 * The waiters of wq that are really blocked on it.  A wait queue in static
 * storage can outlive an execution that was stopped (fatal finding, crash)
 * while threads waited on it: their bits are stale and must not wake
 * anything in a later execution.
 */
static uint64_t live_waiters(struct sim_waitq *wq)
{
	uint64_t live = 0;

	for (uint64_t b = wq->waiters; b; b &= b - 1) {
		int tid = __builtin_ctzll(b);

		if (tid < sim__world.nthreads && sim__world.t[tid].state == SIM_T_BLOCKED &&
		    sim__world.t[tid].wq == wq)
			live |= BIT(tid);
	}
	wq->waiters = live;
	return live;
}

void sim__wake_one(struct sim_waitq *wq)
{
	struct sim_thread *best = NULL;

	for (uint64_t b = live_waiters(wq); b; b &= b - 1) {
		struct sim_thread *t = &sim__world.t[__builtin_ctzll(b)];
		if (!best || t->block_seq < best->block_seq)
			best = t;
	}
	if (best)
		wake(best);
}

void sim__wake_all(struct sim_waitq *wq)
{
	live_waiters(wq);
	while (wq->waiters)
		wake(&sim__world.t[__builtin_ctzll(wq->waiters)]);
}

static const void *wq_obj(const struct sim_waitq *wq)
{
	return wq->map ? (const void *)wq->map : (const void *)wq;
}

int sim_waitq_block(struct sim_waitq *wq, uint64_t deadline_ns,
		    const struct sim_site *site)
{
	if (!sim__world.cur)
		return -EAGAIN;
	sim__check_might_sleep(site, "wait");
	/* what the caller does after waking is unknown to us */
	(void)wq_obj;
	int ret = sim__block(wq, deadline_ns, SIM_OBJ_UNKNOWN, site);

	if (!ret)
		SIM_RACE(sim__race_acquire(wq, NULL));	/* woken: after the waker */
	return ret;
}

void sim_waitq_wake_one(struct sim_waitq *wq)
{
	if (sim__world.cur) {
		if (sim__world.trace)
			sim__trace_ev(sim__world.cur->tid, SIM_EV_WAKE, wq->name, NULL, NULL);
		sim__point(wq_obj(wq), NULL);
	}
	SIM_RACE(sim__race_release(wq, NULL));
	if (sim__world.in_run || sim__world.cur)
		sim__wake_one(wq);
}

void sim_waitq_wake_all(struct sim_waitq *wq)
{
	if (sim__world.cur) {
		if (sim__world.trace)
			sim__trace_ev(sim__world.cur->tid, SIM_EV_WAKE, wq->name, NULL, NULL);
		sim__point(wq_obj(wq), NULL);
	}
	SIM_RACE(sim__race_release(wq, NULL));
	if (sim__world.in_run || sim__world.cur)
		sim__wake_all(wq);
}

/* ------------------------------------------------------------ sleeping */

void sim_sleep_ns(uint64_t ns, const struct sim_site *site)
{
	struct sim_thread *t = sim__world.cur;

	if (!t)
		return;
	sim__check_might_sleep(site, "sleep");
	if (sim__world.trace)
		sim__trace_ev(t->tid, SIM_EV_SLEEP, NULL, site, NULL);
	if (ns == 0) {
		sim__point(SIM_OBJ_NONE, site);
		return;
	}
	t->state = SIM_T_SLEEPING;
	t->deadline = sim__world.now + ns < sim__world.now ? UINT64_MAX : sim__world.now + ns;
	t->site = site ? site : t->site;
	t->next_obj = SIM_OBJ_NONE;
	sim__world.timed |= BIT(t->tid);
	sim__world.runnable &= ~BIT(t->tid);
	schedule();
}

/* ------------------------------------------------------------ threads */

static void thread_exit(void);

static void thread_main(void *arg)
{
	struct sim_thread *t = arg;

	sim_ctx_started();
	t->fn(t->arg);
	thread_exit();
}

/*
 * The slot of a new thread: the next unused one while the table has room
 * (every execution that fits keeps its tids), else an exited thread's.
 * Among those, the first one whose thread's exit happened before the
 * spawner's present, so the race detector loses nothing: the new thread's
 * clock on the slot goes on from the old thread's, and any access of the
 * old thread is then ordered before the new one's, as it truly is.  If no
 * exit is ordered so, the first exited slot: accesses of the old thread
 * and of the new one are then not checked against each other (the kernel's
 * kworker that runs its next work is ordered so by its program order).
 */
static int slot_pick(void)
{
	int parent = sim__world.cur ? sim__world.cur->tid : -1, any = -1;

	if (sim__world.nthreads < SIM_MAX_THREADS)
		return sim__world.nthreads;
	for (int i = 0; i < SIM_MAX_THREADS; i++) {
		if (sim__world.t[i].state != SIM_T_EXITED)
			continue;
		if (!sim__race_on || sim__race_exit_ordered(i, parent))
			return i;
		if (any < 0)
			any = i;
	}
	return any < 0 ? -EAGAIN : any;
}

/* The slot's thread leaves its name for reports that name it later. */
static void slot_retire(struct sim_thread *t)
{
	struct sim_world *w = &sim__world;

	if (w->nretired == w->capretired) {
		size_t c = w->capretired ? 2 * w->capretired : 64;
		struct sim_retired *r = realloc(w->retired, c * sizeof(*r));

		if (!r)
			abort();
		w->retired = r;
		w->capretired = c;
	}
	w->retired[w->nretired].task = t->tid | (int)(t->inc << 6);
	memcpy(w->retired[w->nretired].name, t->name, sizeof(t->name));
	w->nretired++;
}

static int thread_create(const char *name, sim_fn fn, void *arg)
{
	int tid = slot_pick();
	bool reuse = tid >= 0 && tid < sim__world.nthreads;
	uint32_t inc = 0;
	struct sim_thread *t;
	void *lo;

	if (tid < 0)
		return -EAGAIN;
	if (stack_get(tid, sim__world.opts.stack_size, &lo))
		return -ENOMEM;
	t = &sim__world.t[tid];
	if (reuse) {
		slot_retire(t);
		inc = t->inc + 1;
	}
	memset(t, 0, offsetof(struct sim_thread, ops));
	t->nops = 0;
	t->inc = inc;
	t->tid = tid;
	t->fn = fn;
	t->arg = arg;
	t->state = SIM_T_RUNNABLE;
	t->next_obj = SIM_OBJ_NONE;
	{   /* snprintf's "%s", without the formatter: every execution spawns */
		const char *nm = name ? name : "thread";
		size_t n = strnlen(nm, sizeof(t->name) - 1);

		memcpy(t->name, nm, n);
		t->name[n] = 0;
	}
	{
		uint64_t s = sim__mix(sim__world.seed ^ 0x72616e64ULL,
				      (uint64_t)tid + 1 + ((uint64_t)inc << 32));
		t->rng = sim_splitmix64(&s);
	}
	if (sim__world.strategy == SIM_STRAT_PCT) {
		/* random distinct priority, above every change-point value */
		uint64_t r = sim_splitmix64(&sim__world.rng) >> 24;
		t->prio = ((r + 32) << 6) | (uint64_t)tid;
	}
	sim_ctx_make(&t->ctx, lo, sim__world.opts.stack_size, thread_main, t);
	if (!reuse) {
		sim__world.nthreads++;
		SIM_RACE(sim__race_spawn(sim__world.cur ? sim__world.cur->tid : -1, tid));
	} else {
		SIM_RACE(sim__race_respawn(sim__world.cur ? sim__world.cur->tid : -1, tid, inc));
	}
	sim__world.live++;
	sim__world.runnable |= BIT(tid);
	return tid;
}

int sim_thread_spawn(const char *name, sim_fn fn, void *arg)
{
	int tid;

	if (!sim__world.in_run)
		return -EINVAL;
	tid = thread_create(name, fn, arg);
	if (tid < 0)
		return tid;
	if (sim__world.trace && sim__world.cur)
		sim__trace_ev(sim__world.cur->tid, SIM_EV_SPAWN, sim__world.t[tid].name,
			      NULL, NULL);
	sim__point(SIM_OBJ_NONE, NULL);
	return tid;
}

static bool others_live(int tid)
{
	for (int i = 0; i < sim__world.nthreads; i++)
		if (i != tid && sim__world.t[i].state != SIM_T_EXITED)
			return true;
	return false;
}

void sim_thread_join_all(const struct sim_site *site)
{
	struct sim_thread *t = sim__world.cur;

	if (!t)
		return;
	sim__check_might_sleep(site, "join");
	if (sim__world.trace)
		sim__trace_ev(t->tid, SIM_EV_JOIN, NULL, site, NULL);
	sim__point(SIM_OBJ_UNKNOWN, site);
	while (others_live(t->tid))
		sim__block(&sim__world.join_wq, 0, SIM_OBJ_UNKNOWN, site);
	SIM_RACE(sim__race_join(t->tid));
}

static void thread_exit(void)
{
	struct sim_thread *t = sim__world.cur;

	if (sim__world.lockdep)
		sim__lockdep_thread_exit(t->tid);
	if (sim__world.trace)
		sim__trace_ev(t->tid, SIM_EV_EXIT, NULL, NULL, NULL);
	t->state = SIM_T_EXITED;
	t->next_obj = SIM_OBJ_NONE;
	sim__world.runnable &= ~BIT(t->tid);
	sim__world.live--;
	/* the joiner (sim_thread_join_all) is the one live thread left: a
	 * wake-up before would only re-check and block again, a step the
	 * exhaustive search must order against every other one */
	if (sim__world.live <= 1)
		sim__wake_all(&sim__world.join_wq);
	schedule();
	__builtin_unreachable();
}

/* ------------------------------------------------------------ crashes */

static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NSIGS (int)(sizeof(crash_sigs) / sizeof(crash_sigs[0]))
static struct sigaction old_sa[NSIGS];
static void *altstack;
static volatile sig_atomic_t crash_sig;
static volatile int crash_tid;
static void *volatile crash_addr;
static volatile uintptr_t crash_pc;
static uintptr_t crash_bt[32];
static int crash_nbt;
static volatile bool crash_write;
static sim_fault_classifier fault_classifier;

void sim_set_fault_classifier(sim_fault_classifier fn)
{
	fault_classifier = fn;
}

uintptr_t sim_fault_pc(void)
{
	return crash_pc;
}

int sim_fault_backtrace(uintptr_t *pcs, int max)
{
	int n = 0;

	if (max < 1 || !crash_pc)
		return 0;
	pcs[n++] = crash_pc;
	for (int i = 0; i < crash_nbt && n < max; i++)
		pcs[n++] = crash_bt[i];
	return n;
}

static void crash_handler(int sig, siginfo_t *si, void *ucv)
{
	crash_addr = si ? si->si_addr : NULL;
	crash_write = false;
	crash_pc = 0;
	crash_nbt = 0;
#if defined(__x86_64__) && defined(REG_ERR)
	if (ucv) {
		ucontext_t *uc = ucv;
		crash_pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
		/* the faulting thread's frame chain, walked now (its stack
		 * is left at once) */
		if (sim__world.in_thread_ctx && sim__world.cur) {
			const struct sim_ctx *c = &sim__world.cur->ctx;

			crash_nbt = sim__fp_walk((uintptr_t)uc->uc_mcontext.gregs[REG_RBP],
						 (uintptr_t)c->stack_lo,
						 (uintptr_t)c->stack_lo + c->stack_size,
						 crash_bt, 32);
		}
		if (sig == SIGSEGV || sig == SIGBUS)
			crash_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
	}
#else
	(void)ucv;
#endif
	if (!sim__world.in_thread_ctx || !sim__world.cur) {
		/* not ours (the handlers stay installed between runs): hand it
		 * to whatever was installed before us, by default the default
		 * action */
		for (int i = 0; i < NSIGS; i++)
			if (crash_sigs[i] == sig)
				sigaction(sig, &old_sa[i], NULL);
		raise(sig);
		return;
	}
	crash_sig = sig;
	crash_tid = sim__world.cur->tid;
	sim__world.in_thread_ctx = false;
	siglongjmp(sim__world.host_jb, 1);
}

static bool asan_present(void)
{
#ifdef SIM_ASAN
	return true;
#else
	return false;
#endif
}

/*
 * The crash handlers and the alternate signal stack are installed once, at
 * the first sim_run (of the thread, for the stack), and stay: installing
 * them per run cost a dozen system calls per execution.  Outside a run the
 * handler passes the signal on to the previous disposition.  The handlers
 * run with SA_NODEFER, so leaving one by siglongjmp leaves the signal
 * unblocked and sim_run needs no signal-mask save per run (sigsetjmp(.., 0));
 * after a crash only, the mask of the first installation is restored, in
 * case the crash path blocked signals (abort() does).
 */
static bool handlers_on;
static __thread bool altstack_on;
static sigset_t host_mask;

static void handlers_install(void)
{
	struct sigaction sa;
	stack_t ss;

	if (asan_present())
		return;
	if (!altstack_on) {
		void *p = malloc(64 * 1024);

		if (p) {
			ss.ss_sp = p;
			ss.ss_size = 64 * 1024;
			ss.ss_flags = 0;
			if (!sigaltstack(&ss, NULL)) {
				altstack_on = true;
				if (!altstack)
					altstack = p;
			} else {
				free(p);
			}
		}
	}
	if (handlers_on)
		return;
	sigprocmask(SIG_SETMASK, NULL, &host_mask);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < NSIGS; i++)
		sigaction(crash_sigs[i], &sa, &old_sa[i]);
	handlers_on = true;
}

/* After a crash: undo what the crash path may have done to the mask. */
static void handlers_after_crash(void)
{
	if (handlers_on)
		sigprocmask(SIG_SETMASK, &host_mask, NULL);
}

/* ------------------------------------------------------------ runs */

static void world_reset(const struct sim_opts *o)
{
	sim__world.opts = *o;
	if (!sim__world.opts.stack_size)
		sim__world.opts.stack_size = 256 * 1024;
	sim__world.opts.stack_size =
		(sim__world.opts.stack_size + page_size - 1) & ~(page_size - 1);
	if (!sim__world.opts.max_steps)
		sim__world.opts.max_steps = 1000000;
	if (!sim__world.opts.max_vtime_ns)
		sim__world.opts.max_vtime_ns = 600ULL * 1000000000ULL;
	if (!sim__world.opts.hung_task_ns)
		sim__world.opts.hung_task_ns = SIM_HUNG_TASK_DEFAULT_NS;
	if (sim__world.opts.pct_depth < 1)
		sim__world.opts.pct_depth = 3;
	if (sim__world.opts.pct_steps_hint < 1)
		sim__world.opts.pct_steps_hint = 200;
	sim__world.strategy = o->strategy;
	sim__world.seed = o->seed;
	if (o->strategy == SIM_STRAT_REPLAY)
		sim__world.seed = sim__schedule_seed(o->replay);
	sim__world.cur = NULL;
	sim__world.step = 0;
	sim__world.runnable = 0;
	sim__world.max_steps = sim__world.opts.max_steps;
	sim__world.single_fast = sim__world.strategy != SIM_STRAT_EXHAUSTIVE;
	sim__world.lockdep = o->lockdep;
	sim__world.trace = o->trace;
	sim__world.brief_findings = o->brief_findings && !o->trace;
	sim__world.stopping = false;
	sim__world.now = 0;
	sim__world.timed = 0;
	sim__world.max_vtime = sim__world.opts.max_vtime_ns;
	{
		uint64_t s = sim__world.seed ^ 0x5343484544ULL;
		sim__world.rng = sim_splitmix64(&s);
	}
	host_rng = sim__mix(sim__world.seed, 0x686f7374ULL);
	sim__world.block_seq = 0;
	sim__world.nthreads = 0;
	sim__world.nretired = 0;
	sim__world.live = 0;
	sim__world.decisions = sim__world.preemptions = 0;
	sim__world.deadlock = sim__world.hang = sim__world.crashed = false;
	sim__world.hung_tid = -1;
	sim__world.diverged = sim__world.redundant = sim__world.reused = false;
	memset(&sim__world.join_wq, 0, sizeof(sim__world.join_wq));
	sim__world.join_wq.name = "join";
	sim__world.generation++;
	sim__world.nlabels = 0;
	sim__world.ndec = 0;
	sim__world.replay = o->replay;
	sim__world.replay_idx = 0;
	sim__world.pct_ncp = sim__world.pct_next = 0;
	if (sim__world.strategy == SIM_STRAT_PCT) {
		int n = sim__world.opts.pct_depth - 1;
		if (n > 16)
			n = 16;
		for (int i = 0; i < n; i++)
			sim__world.pct_cp[i] = 1 + sim_splitmix64(&sim__world.rng) %
					  (uint64_t)sim__world.opts.pct_steps_hint;
		/* sort ascending (insertion sort, tiny) */
		for (int i = 1; i < n; i++)
			for (int j = i;
			     j > 0 && sim__world.pct_cp[j] < sim__world.pct_cp[j - 1]; j--) {
				uint64_t x = sim__world.pct_cp[j];
				sim__world.pct_cp[j] = sim__world.pct_cp[j - 1];
				sim__world.pct_cp[j - 1] = x;
			}
		sim__world.pct_ncp = n;
	}
	sim__findings_reset();
	sim__trace_reset();
	sim__race_on = o->races;
	sim__shadow_gate(sim__race_on);
	SIM_RACE(sim__race_reset());
	if (sim__world.strategy == SIM_STRAT_EXHAUSTIVE)
		sim__explore_begin_run();
}

int sim_run(const struct sim_opts *o, sim_fn main_fn, sim_fn teardown,
	    void *arg, struct sim_result *res)
{
	struct sim_opts def;

	if (sim__world.in_run)
		return -EBUSY;
	if (!main_fn)
		return -EINVAL;
	if (!o) {
		sim_opts_default(&def);
		o = &def;
	}
	if ((unsigned)o->strategy > SIM_STRAT_REPLAY)
		return -EINVAL;
	if (o->strategy == SIM_STRAT_REPLAY && !o->replay)
		return -EINVAL;
	if (!page_size)
		page_size = (size_t)sysconf(_SC_PAGESIZE);

	world_reset(o);
	sim__lockdep_reset(o->lockdep_keep_graph);
	sim__world.in_run = true;
	if (thread_create("main", main_fn, arg) < 0) {
		sim__world.in_run = false;
		return -ENOMEM;
	}
	sim__rng_start = sim__world.rng;      /* sim/snapshot.c compares */
	sim__t0rng_start = sim__world.t[0].rng;
	sim__hostrng_start = host_rng;
#ifdef SIM_ASAN
	{
		pthread_attr_t at;
		void *lo = NULL;
		size_t sz = 0;
		if (!pthread_getattr_np(pthread_self(), &at)) {
			pthread_attr_getstack(&at, &lo, &sz);
			pthread_attr_destroy(&at);
		}
		sim__world.host.stack_lo = lo;
		sim__world.host.stack_size = sz;
	}
#endif
	handlers_install();
	crash_sig = 0;
	if (sigsetjmp(sim__world.host_jb, 0) == 0) {
		sim__world.in_thread_ctx = true;
		sim__world.cur = &sim__world.t[0];
		sim_ctx_jump(&sim__world.host, &sim__world.t[0].ctx, false);
	} else {
		sim__world.crashed = true;
	}
	sim__world.in_thread_ctx = false;
	sim__world.cur = NULL;
	if (sim__world.crashed) {
		handlers_after_crash();
		bool classified = false;
		if (fault_classifier && (crash_sig == SIGSEGV || crash_sig == SIGBUS)) {
			/* let the classifier report as the faulting thread */
			sim__world.cur = &sim__world.t[crash_tid];
			classified = fault_classifier(crash_addr, crash_write);
			sim__world.cur = NULL;
		}
		if (!classified)
			sim__report_crash(crash_sig, crash_tid, (uintptr_t)crash_addr);
	}
	if (sim__world.strategy == SIM_STRAT_REPLAY)
		sim__replay_end();
	sim__world.in_run = false;
	if (teardown)
		teardown(arg);
	if (res) {
		memset(res, 0, sizeof(*res));
		res->nfindings = sim_findings_count();
		res->deadlock = sim__world.deadlock;
		res->hang = sim__world.hang;
		res->crashed = sim__world.crashed;
		res->diverged = sim__world.diverged;
		res->redundant = sim__world.redundant;
		res->reused = sim__world.reused;
		res->steps = sim__world.step;
		res->decisions = sim__world.decisions;
		res->preemptions = sim__world.preemptions;
		res->vtime_ns = sim__world.now;
	}
	return 0;
}

/* ------------------------------------------------------------ snapshots */

/* What sim_run gave the main thread (sim/snapshot.c checks that the set-up
 * part drew nothing from the seed's streams). */
uint64_t sim__rng_start, sim__t0rng_start, sim__hostrng_start;

uint64_t sim__host_rng(void)
{
	return host_rng;
}
