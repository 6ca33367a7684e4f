/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/explore.c - running many executions: sim_explore and the bounded
 * exhaustive search.
 *
 * Owns: per-execution seed derivation for RANDOM/PCT/RR, and the
 * EXHAUSTIVE strategy: depth-first search over scheduling decisions by
 * re-execution (each execution re-runs main from scratch and follows the
 * recorded prefix), a preemption bound, and sleep sets.  Two steps are
 * independent when they operate on different objects (the object a thread
 * is parked in front of: the lock it is about to take, SIM_OBJ_NONE for
 * purely local code, SIM_OBJ_UNKNOWN = dependent with everything).  A run
 * whose runnable threads are all asleep is redundant (an equivalent
 * interleaving was explored) and is ended early.
 *
 * Sleep sets and the preemption bound: a branch whose subtree the bound cut
 * is never put to sleep for its siblings (the plain combination can miss
 * interleavings inside the bound, Coons et al., OOPSLA'13).  The reduction
 * is exact for programs whose shared state is protected by sim primitives.
 * State that is not (an executor's bookkeeping) must be announced with
 * sim_point_shared(): the step after it is dependent with every step.  Without that, the search once missed a
 * close racing an ioctl in the world executor (driver/world/world.c).
 * A step that frees memory (sim_point_freed, from kfree) is dependent
 * with a thread parked in front of an object inside it: that thread
 * wakes.  Without that, a lock taken in an object that another thread's
 * step freed under another lock (the 6.12 request eventfd,
 * scenarios/findings/req-trigger-replace-uaf.scn) is reached only where
 * the bound keeps the branch awake (tests/check_sim_explore.c).
 *
 * Also the state memo (sim_explore_seen, below): a state from which the
 * rest of an execution depends only on a key its caller hashes (the
 * executor: the world after the racing threads are joined) is explored on
 * once per search; later executions that reach it end there.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


struct node {
	uint64_t enabled;
	uint64_t sleep;       /* at entry */
	uint64_t done;        /* branches explored (chosen is the latest) */
	uint64_t partial;     /* explored branches whose subtree the bound cut */
	uint64_t mark;        /* ex.bound_pruned when `chosen` was started */
	int32_t pre;          /* preemptions before this node */
	int8_t cur;           /* thread that reached the point */
	int8_t chosen;
	bool cur_enabled;
};

static struct {
	struct node *nodes;
	size_t n, cap;        /* n: valid prefix (nodes of the last run) */
	size_t prefix;        /* nodes to follow in the current run */
	uint64_t pending_sleep;
	bool active;          /* driven by sim_explore (keep the stack) */
	bool in_run;          /* inside the search's own sim_run (not a world
			       * its callback runs between executions) */
	bool no_reduction;
	int bound;
	uint64_t bound_pruned;
} ex;

/*
 * The state memo (sim_explore_seen): world states reached where the rest
 * of an execution depends on nothing else (the executor: after the racing
 * threads are joined, before the end checks and the teardown).  An entry
 * is complete once the search has explored everything below the node depth
 * it was made at (backtrack pops above it); a later execution that reaches
 * an equal state ends there, as a redundant run does, but counts as an
 * execution (its racing part is a trace of its own).  Where the bound cut
 * the first one's subtree, the reuse counts as cut too (the siblings'
 * sleep sets must not take it for complete, as for `partial` below).
 */
struct memo_ent {
	uint64_t lo, hi;        /* the key; lo == hi == 0: empty */
	uint64_t outcome;       /* the first execution's (APSIM_MEMO=verify) */
	bool complete, pruned, has_outcome;
};

static struct {
	struct memo_ent *t;
	size_t cap, n;          /* cap: a power of two (0: none yet) */
	struct { size_t ent; size_t depth; uint64_t bp0, runs0; } *pend;
	uint64_t runs;          /* executions started (with redundant ones) */
	uint64_t fin, fin_runs; /* entries completed, the runs below them */
	uint64_t lookups, hits; /* keys looked up, complete entries found */
	size_t npend, cappend;
	int mode;               /* 0 off, 1 on, 2 verify */
	size_t cur;             /* this execution's entry + 1 (0: none) */
	bool cur_verify;        /* a hit under verify: compare at the end */
	uint64_t mismatches;
} memo;

#define MEMO_MAX ((size_t)1 << 20)   /* entries: 40 MB at most */
/* the lookups after which a search decides whether the memo pays */
#define MEMO_PROBE 128

static struct memo_ent *memo_slot(uint64_t lo, uint64_t hi)
{
	for (size_t i = (size_t)(lo ^ (hi >> 7)) & (memo.cap - 1);; i = (i + 1) & (memo.cap - 1)) {
		struct memo_ent *e = &memo.t[i];

		if ((e->lo == lo && e->hi == hi) || (!e->lo && !e->hi))
			return e;
	}
}

static bool memo_grow(void)
{
	size_t nc = memo.cap ? memo.cap * 2 : 1024;
	struct memo_ent *old = memo.t, *t;
	size_t oc = memo.cap;

	if (nc > MEMO_MAX)
		return false;
	t = calloc(nc, sizeof(*t));
	if (!t)
		return false;
	memo.t = t;
	memo.cap = nc;
	for (size_t i = 0; i < oc; i++)
		if (old[i].lo || old[i].hi)
			*memo_slot(old[i].lo, old[i].hi) = old[i];
	/* pending entries are found again by their key */
	for (size_t k = 0; k < memo.npend; k++) {
		const struct memo_ent *e = &old[memo.pend[k].ent];

		memo.pend[k].ent = (size_t)(memo_slot(e->lo, e->hi) - memo.t);
	}
	if (memo.cur) {
		const struct memo_ent *e = &old[memo.cur - 1];

		memo.cur = (size_t)(memo_slot(e->lo, e->hi) - memo.t) + 1;
	}
	free(old);
	return true;
}

static void memo_reset(void)
{
	const char *m = getenv("APSIM_MEMO");

	free(memo.t);
	free(memo.pend);
	memset(&memo, 0, sizeof(memo));
	memo.mode = m && !strcmp(m, "0") ? 0 : m && !strcmp(m, "verify") ? 2 : 1;
}

/* The entries whose subtree the search has left are complete. */
static void memo_finish(size_t depth)
{
	while (memo.npend && memo.pend[memo.npend - 1].depth >= depth) {
		struct memo_ent *e = &memo.t[memo.pend[memo.npend - 1].ent];

		e->complete = true;
		e->pruned = ex.bound_pruned != memo.pend[memo.npend - 1].bp0;
		memo.fin_runs += memo.runs - memo.pend[memo.npend - 1].runs0 + 1;
		memo.npend--;
		memo.fin++;
	}
}

/*
 * Whether the memo pays, decided once, at the MEMO_PROBE-th lookup (a
 * count, not a clock: the same search decides alike every time).  A hit
 * saves the end checks and teardowns of the executions below its state
 * (the completed states' average; none completed: no hit either), a lookup
 * costs the key (~50 KB hashed, less than a 6.1 teardown: 6.1's shipped
 * searches, where a hit saves one teardown, run 15-20 % faster with the
 * memo).  A search whose hits so far save fewer than half a teardown per
 * lookup stops hashing.
 */
static void memo_probe(void)
{
	if (memo.mode == 1 &&
	    (!memo.fin || 2 * memo.hits * memo.fin_runs < memo.lookups * memo.fin))
		memo.mode = 0;
}

static inline uint64_t memo_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xbf58476d1ce4e5b9ULL;
}

bool sim_explore_memo_wanted(void)
{
	return ex.active && ex.in_run && memo.mode && !sim__race_on && ex.n >= ex.prefix;
}

bool sim_explore_seen(uint64_t key_lo, uint64_t key_hi)
{
	uint64_t lo = key_lo, hi = key_hi;
	struct memo_ent *e;

	memo.cur = 0;
	if (!sim_explore_memo_wanted() || (!key_lo && !key_hi) ||
	    sim__world.live != 1 || !sim__world.cur || sim__world.cur->tid != 0)
		return false;
	/* the core's part of the state */
	lo = memo_mix(lo, sim__world.preemptions);
	lo = memo_mix(lo, sim__world.step);
	lo = memo_mix(lo, sim__world.now);
	lo = memo_mix(lo, ex.pending_sleep);
	hi = memo_mix(hi, sim__world.rng);
	hi = memo_mix(hi, sim__world.t[0].rng);
	hi = memo_mix(hi, sim__host_rng());
	hi = memo_mix(hi, (uint64_t)sim__world.nthreads);
	if (!lo && !hi)
		lo = 1;
	/* room for one more entry first (a full table still answers) */
	if ((memo.n + 1) * 2 > memo.cap && !memo_grow() && !memo.cap)
		return false;
	e = memo_slot(lo, hi);
	memo.hits += e->lo == lo && e->hi == hi && e->complete;
	if (++memo.lookups == MEMO_PROBE)
		memo_probe();   /* (on the lookups so far, this one included) */
	if (e->lo == lo && e->hi == hi) {
		if (!e->complete)
			return false;      /* (its subtree is not left yet) */
		memo.cur = (size_t)(e - memo.t) + 1;
		if (memo.mode == 2) {
			memo.cur_verify = true;
			return false;
		}
		if (e->pruned)
			ex.bound_pruned++;
		return true;
	}
	if ((memo.n + 1) * 2 > memo.cap)
		return false;          /* full: no new entries */
	if (memo.npend == memo.cappend) {
		size_t nc = memo.cappend ? memo.cappend * 2 : 64;
		void *p = realloc(memo.pend, nc * sizeof(*memo.pend));

		if (!p)
			return false;
		memo.pend = p;
		memo.cappend = nc;
	}
	e->lo = lo;
	e->hi = hi;
	memo.n++;
	memo.pend[memo.npend].ent = (size_t)(e - memo.t);
	memo.pend[memo.npend].depth = ex.n;
	memo.pend[memo.npend].bp0 = ex.bound_pruned;
	memo.pend[memo.npend].runs0 = memo.runs;
	memo.npend++;
	memo.cur = (size_t)(e - memo.t) + 1;
	memo.cur_verify = false;
	return false;
}

void sim_explore_outcome(uint64_t h)
{
	struct memo_ent *e;

	if (!memo.cur)
		return;
	e = &memo.t[memo.cur - 1];
	if (!memo.cur_verify) {
		e->outcome = h;
		e->has_outcome = true;
	} else if (e->has_outcome && e->outcome != h) {
		memo.mismatches++;
	}
	memo.cur = 0;
}

static inline bool indep(const void *a, const void *b)
{
	if (a == SIM_OBJ_NONE || b == SIM_OBJ_NONE)
		return true;
	if (a == SIM_OBJ_UNKNOWN || b == SIM_OBJ_UNKNOWN)
		return false;
	return a != b;
}

static uint64_t filter_sleep(uint64_t s, int chosen)
{
	const void *co = sim__world.t[chosen].next_obj;
	uint64_t out = 0;

	for (uint64_t b = s & ~BIT(chosen); b; b &= b - 1) {
		int u = __builtin_ctzll(b);
		if (indep(sim__world.t[u].next_obj, co))
			out |= BIT(u);
	}
	return out;
}

void sim__explore_begin_run(void)
{
	if (!ex.active) {
		ex.n = 0;
		ex.bound_pruned = 0;
	}
	ex.prefix = ex.n;
	ex.n = 0;
	ex.pending_sleep = 0;
	memo.cur = 0;
	memo.runs++;
	ex.no_reduction = sim__world.opts.no_reduction;
	ex.bound = sim__world.opts.preemption_bound;
}

static bool allowed(const struct node *nd, int c)
{
	if (ex.bound < 0 || !nd->cur_enabled || c == nd->cur)
		return true;
	return nd->pre + 1 <= ex.bound;
}

int sim__explore_pick(struct sim_thread *cur, uint64_t en)
{
	size_t i = ex.n;
	struct node *nd;
	int chosen;

	if (i >= ex.cap) {
		size_t nc = ex.cap ? ex.cap * 2 : 1024;
		struct node *p = realloc(ex.nodes, nc * sizeof(*p));
		if (!p) {
			sim_report(SIM_F_HANG, false, "explore-oom",
				   "exhaustive search: out of memory for the DFS stack\n");
			return -1;
		}
		ex.nodes = p;
		ex.cap = nc;
	}
	nd = &ex.nodes[i];
	if (i < ex.prefix) {
		/* following the prefix of the previous run */
		if (nd->enabled != en || nd->cur != cur->tid) {
			sim__world.diverged = true;
			sim_report(SIM_F_DIVERGENCE, false, "nondeterministic",
				   "exhaustive search: the program is not deterministic: "
				   "at step %llu the runnable set or the running thread "
				   "differs from the previous execution\n",
				   (unsigned long long)sim__world.step);
			ex.n = i;
			return -1;
		}
		chosen = nd->chosen;
	} else {
		nd->enabled = en;
		nd->sleep = ex.no_reduction ? 0 : (ex.pending_sleep & en);
		nd->done = 0;
		nd->pre = (int32_t)sim__world.preemptions;
		nd->cur = (int8_t)cur->tid;
		nd->cur_enabled = (en & BIT(cur->tid)) != 0;
		uint64_t cands = en & ~nd->sleep;
		if (!cands) {
			/* sleep-set blocked: everything from here was explored */
			sim__world.redundant = true;
			ex.n = i;    /* no node for this point */
			return -1;
		}
		uint64_t ok = 0;
		for (uint64_t b = cands; b; b &= b - 1)
			if (allowed(nd, __builtin_ctzll(b)))
				ok |= b & -b;
		if (!ok) {
			sim__world.redundant = true;
			ex.bound_pruned += (uint64_t)sim__popcount(cands);
			ex.n = i;
			return -1;
		}
		chosen = (ok & BIT(cur->tid)) ? cur->tid : __builtin_ctzll(ok);
		nd->chosen = (int8_t)chosen;
		nd->done = BIT(chosen);
		nd->partial = 0;
		nd->mark = ex.bound_pruned;
	}
	ex.n = i + 1;
	/* A sibling explored before may sleep only if its whole subtree was
	 * explored: where the preemption bound cut it, the interleavings that
	 * sleeping would skip here were not all covered there (the known
	 * unsoundness of sleep sets under a bound, Coons et al. OOPSLA'13). */
	ex.pending_sleep = ex.no_reduction ? 0 :
		filter_sleep(nd->sleep | (nd->done & ~nd->partial & ~BIT(chosen)), chosen);
	return chosen;
}

void sim_point_freed(const void *p, size_t n)
{
	uint64_t s = ex.pending_sleep;

	for (; s; s &= s - 1) {
		int u = __builtin_ctzll(s);
		uintptr_t o = (uintptr_t)sim__world.t[u].next_obj;

		if (o - (uintptr_t)p < n)
			ex.pending_sleep &= ~BIT(u);
	}
}

/* Set up the next branch; false when the search space is exhausted. */
static bool backtrack(void)
{
	while (ex.n > 0) {
		struct node *nd = &ex.nodes[ex.n - 1];

		memo_finish(ex.n);
		uint64_t cands = nd->enabled & ~nd->sleep & ~nd->done;

		/* the subtree of the branch just finished: did the bound cut it? */
		if (ex.bound_pruned != nd->mark)
			nd->partial |= BIT(nd->chosen);
		for (uint64_t b = cands; b; b &= b - 1) {
			int c = __builtin_ctzll(b);
			if (!allowed(nd, c)) {
				ex.bound_pruned++;
				nd->done |= BIT(c);
				nd->partial |= BIT(c);
				continue;
			}
			nd->chosen = (int8_t)c;
			nd->done |= BIT(c);
			nd->mark = ex.bound_pruned;
			return true;
		}
		ex.n--;
	}
	memo_finish(0);
	return false;
}

static uint64_t exec_seed(uint64_t seed, uint64_t i)
{
	return i == 0 ? seed : sim__mix(seed, i);
}

long sim_explore(const struct sim_opts *o, uint64_t iterations, sim_fn main_fn,
		 sim_fn teardown, void *main_arg, sim_exec_cb on_exec,
		 void *cb_arg, struct sim_explore_stats *stats)
{
	struct sim_explore_stats st;
	struct sim_opts oo;
	struct sim_result res;
	int rc;

	if (!o || !main_fn)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	oo = *o;
	if (o->strategy != SIM_STRAT_EXHAUSTIVE) {
		for (uint64_t i = 0; !iterations || i < iterations; i++) {
			if (!iterations && i >= 1 && o->strategy == SIM_STRAT_REPLAY)
				break;
			oo.seed = exec_seed(o->seed, i);
			rc = sim_run(&oo, main_fn, teardown, main_arg, &res);
			if (rc < 0)
				return rc;
			st.executions++;
			if (on_exec && on_exec(i, &res, cb_arg))
				break;
			if (!iterations && i + 1 >= 1000000)
				break;
		}
		if (stats)
			*stats = st;
		return (long)st.executions;
	}

	ex.n = 0;
	ex.bound_pruned = 0;
	ex.active = true;
	memo_reset();
	for (;;) {
		ex.in_run = true;
		rc = sim_run(&oo, main_fn, teardown, main_arg, &res);
		ex.in_run = false;
		if (rc < 0) {
			ex.active = false;
			return rc;
		}
		if (res.redundant) {
			st.redundant++;
			st.pruned++;
		} else {
			st.executions++;
			st.reused += res.reused;
			if (on_exec && on_exec(st.executions - 1, &res, cb_arg))
				break;
		}
		if (res.diverged)
			break;
		if (!backtrack()) {
			st.complete = true;
			break;
		}
		if (iterations && st.executions >= iterations)
			break;
	}
	ex.active = false;
	st.bound_pruned = ex.bound_pruned;
	st.memo_mismatches = memo.mismatches;
	if (stats)
		*stats = st;
	return (long)st.executions;
}

/* World snapshots (sim/snapshot.c): the search's position at the snapshot
 * point of an exhaustive search.  The set-up part's nodes (one runnable
 * thread each: never a branch) stay on the stack until the search ends, so
 * a restored execution only has to continue after them. */
void sim__explore_snap_get(size_t *n, uint64_t *pending_sleep)
{
	*n = ex.n;
	*pending_sleep = ex.pending_sleep;
}

bool sim__explore_snap_set(size_t n, uint64_t pending_sleep)
{
	if (n > ex.prefix || n > ex.cap)
		return false;
	ex.n = n;
	ex.pending_sleep = pending_sleep;
	return true;
}
