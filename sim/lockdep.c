/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/lockdep.c - the lock validator (lockdep semantics).
 *
 * Owns: lock classes (key + subclass, ids in first-use order), the
 * per-thread held-lock stacks, the typed lock dependency graph, the
 * chain-key cache, the edge list with acquisition sites (for lock-graph
 * diffs), and the checks: recursive locking, circular
 * dependency (strong-path BFS over SR/ER/SN/EN edges), bad unlock
 * balance, lockdep_assert_held, locks held at thread exit.  Report text
 * is produced by sim/lockdep_report.c.
 *
 * All state is in fixed arrays: no malloc on any path except report
 * formatting.  Nothing here depends on host addresses for ordering:
 * pointers are only used as lookup keys, never printed or iterated.
 */
#include "lockdep.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(LD_OP_LEN == SIM_OPLEN, "op label size must match the core's");

struct ld_class ld_classes[LD_MAX_CLASSES];
int ld_nclasses = 1;
struct ld_edge ld_edges[LD_MAX_EDGES];
int ld_nedges;
struct ld_thread ld_threads[SIM_MAX_THREADS];
struct ld_closer ld_closers[LD_MAX_CLOSERS];
int ld_ncloser;

/* Threads whose depth or lost count may be non-zero: a reset or restore
 * clears those, not all SIM_MAX_THREADS (one 5 KB stride apart each). */
static uint64_t ld_tmask;
_Static_assert(SIM_MAX_THREADS <= 64, "ld_tmask has a bit per thread");

static void ld_threads_clear(void)
{
	for (uint64_t m = ld_tmask; m; m &= m - 1) {
		struct ld_thread *t = &ld_threads[__builtin_ctzll(m)];

		t->depth = 0;
		t->lost = 0;
	}
	ld_tmask = 0;
}

/* Execution epoch: per-map class caches are valid only within it. */
static uint32_t ld_epoch = 1;
/* The snapshot last restored, whose classes and edges ld_classes[1,
 * ld_snap_ncls) and ld_edges[0, ld_snap_nedges) still hold, but for the
 * fields an execution changes in place (a class's edge list and name hash,
 * an edge's link, dependency bits and cycle mark): its next restore puts
 * back only those.  Cleared when an execution writes an entry of that
 * prefix anew (one that did not start from the snapshot registers its
 * classes from id 1). */
static const struct sim__ld_snap *ld_cheap;
static int ld_snap_ncls, ld_snap_nedges;
/* In an execution restored from it: the epoch of the execution that saved
 * it (0 otherwise).  A map stamped with that epoch whose cached id is below
 * ld_snap_ncls holds a snapshot class (its memory is the snapshot's, or it
 * was not re-initialised since), restored with the same id: still valid. */
static uint32_t ld_snap_epoch;
static uint64_t ld_nvalid;

/* (key, subclass) -> class id lookup; never iterated. */
#define LD_CLS_SLOTS 2048
static struct {
	const void *key;
	uint16_t id;
	uint8_t sub;
} ld_cls_hash[LD_CLS_SLOTS];

static uint64_t ld_chain[LD_CHAIN_SLOTS];
static int ld_nchain;
/* Slots in use, so a reset clears only those (executions are short and
 * many: no 160 KiB memset per execution). */
static uint16_t ld_chain_used[LD_CHAIN_MAX];
static uint16_t ld_cls_used[LD_MAX_CLASSES];

static char ld_reported[LD_MAX_REPORTED][256];
static int ld_nreported;

static bool ld_warned_classes, ld_warned_edges, ld_warned_chain,
	ld_warned_depth, ld_warned_subclass;

/* ------------------------------------------------------------ helpers */

/* The chain key of a held stack from its prefix's key and the new entry.
 * After the xor, each step is a bijection, so two stacks collide exactly
 * when a fuller mix would make them collide too; one multiply and a shift
 * are enough to spread the low bits the chain table is indexed by (on
 * every acquisition, so the latency counts). */
static inline uint64_t ld_mix(uint64_t k, unsigned id)
{
	k ^= ((uint64_t)id + 1) * 0x9E3779B97F4A7C15ull;
	k *= 0xBF58476D1CE4E5B9ull;
	k ^= k >> 29;
	return k ? k : 1;
}

/* Current simulated thread, -1 on the host or with the validator off. */
static inline int ld_tid(void)
{
	const struct sim_thread *t = sim__cur();

	return t && sim__world.lockdep ? t->tid : -1;
}

static size_t ld_ptr_hash(const void *p, unsigned sub)
{
	uint64_t k = (uint64_t)(uintptr_t)p;

	k = (k >> 3) * 0x9E3779B97F4A7C15ull + sub;
	return (size_t)(k >> 40) & (LD_CLS_SLOTS - 1);
}

/* Record a signature; false if it was already reported. */
static bool ld_first_report(const char *sig)
{
	for (int i = 0; i < ld_nreported; i++)
		if (!strcmp(ld_reported[i], sig))
			return false;
	if (ld_nreported < LD_MAX_REPORTED) {
		snprintf(ld_reported[ld_nreported], sizeof(ld_reported[0]), "%s", sig);
		ld_nreported++;
	}
	return true;
}

/* -------------------------------------------------------------- classes */

static uint16_t ld_register(struct sim_lockdep_map *m, unsigned sub)
{
	const void *key = m->key ? (const void *)m->key : (const void *)m;
	size_t i = ld_ptr_hash(key, sub);
	char sitebuf[96];

	for (;;) {
		if (!ld_cls_hash[i].id)
			break;
		if (ld_cls_hash[i].key == key && ld_cls_hash[i].sub == sub)
			return ld_cls_hash[i].id;
		i = (i + 1) & (LD_CLS_SLOTS - 1);
	}
	if (ld_nclasses >= LD_MAX_CLASSES) {
		if (!ld_warned_classes) {
			ld_warned_classes = true;
			ld_report_overflow("MAX_LOCKDEP_KEYS",
					   "more than 511 lock classes; further classes are not validated");
		}
		return 0;
	}

	uint16_t id = (uint16_t)ld_nclasses++;
	struct ld_class *c = &ld_classes[id];

	if (ld_cheap && id < ld_snap_ncls)
		ld_cheap = NULL;

	memset(c, 0, sizeof(*c));
	c->key = key;
	c->subclass = (uint8_t)sub;
	c->unkeyed = !m->key;
	c->init_site = m->init_site;
	c->first_after = c->last_after = -1;
	if (m->name) {
		size_t l = strnlen(m->name, sizeof(c->base) - 1);

		memcpy(c->base, m->name, l);
		c->base[l] = 0;
	} else {
		ld_fmt_site(sitebuf, sizeof(sitebuf), m->init_site);
		snprintf(c->base, sizeof(c->base), "lock@%.70s", sitebuf);
	}
	/* name_version: distinct keys sharing a name get #2, #3, ... */
	uint16_t version = 0;
	bool same_key = false;

	for (int j = 1; j < (int)id; j++) {
		struct ld_class *o = &ld_classes[j];

		if (strcmp(o->base, c->base))
			continue;
		if (o->key == key) {
			version = o->version;
			same_key = true;
			break;
		}
		if (o->version > version)
			version = o->version;
	}
	if (!same_key)
		version++;
	c->version = version ? version : 1;

	size_t n = strlen(c->base);
	if (n > sizeof(c->name) - 12)
		n = sizeof(c->name) - 12;
	memcpy(c->name, c->base, n);
	c->name[n] = 0;
	if (c->version > 1)
		n += (size_t)snprintf(c->name + n, sizeof(c->name) - n, "#%u", c->version);
	if (sub)
		snprintf(c->name + n, sizeof(c->name) - n, "/%u", sub);

	ld_cls_hash[i].key = key;
	ld_cls_hash[i].sub = (uint8_t)sub;
	ld_cls_hash[i].id = id;
	ld_cls_used[id] = (uint16_t)i;
	return id;
}

static uint16_t ld_class_slow(struct sim_lockdep_map *m, int subclass)
{
	if (subclass < 0 || subclass >= LD_MAX_SUBCLASS) {
		if (!ld_warned_subclass) {
			ld_warned_subclass = true;
			ld_report_overflow("MAX_LOCKDEP_SUBCLASSES",
					   "invalid subclass (must be 0..7); using 7");
		}
		subclass = subclass < 0 ? 0 : LD_MAX_SUBCLASS - 1;
	}
	uint16_t id = ld_register(m, (unsigned)subclass);

	if (subclass < 2 && id) {
		if (m->generation != ld_epoch) {
			m->class_cache[0] = m->class_cache[1] = 0;
			m->generation = ld_epoch;
		}
		m->class_cache[subclass] = id;
	}
	return id;
}

static inline uint16_t ld_class_of(struct sim_lockdep_map *m, int subclass)
{
	if ((unsigned)subclass < 2 && m->class_cache[subclass] &&
	    (m->generation == ld_epoch ||
	     (m->generation == ld_snap_epoch && (int)m->class_cache[subclass] < ld_snap_ncls)))
		return (uint16_t)m->class_cache[subclass];
	return ld_class_slow(m, subclass);
}

/* ----------------------------------------------------------- chain cache */

/* Returns true when the chain is new (validation needed). */
static bool ld_chain_add(uint64_t key)
{
	size_t i = (size_t)key & (LD_CHAIN_SLOTS - 1);

	for (;;) {
		if (ld_chain[i] == key)
			return false;
		if (!ld_chain[i])
			break;
		i = (i + 1) & (LD_CHAIN_SLOTS - 1);
	}
	if (ld_nchain >= LD_CHAIN_MAX) {
		if (!ld_warned_chain) {
			ld_warned_chain = true;
			ld_report_overflow("MAX_LOCKDEP_CHAINS",
					   "chain cache full; new chains are validated every time");
		}
		return true;
	}
	ld_chain[i] = key;
	ld_chain_used[ld_nchain++] = (uint16_t)i;
	return true;
}

/* ------------------------------------------------------------- the graph */

static inline uint8_t ld_calc_dep(const struct ld_held *prev,
				  const struct ld_held *next)
{
	unsigned bit = (prev->read == 0) + ((next->read != 2) << 1);

	return (uint8_t)(1u << bit);
}

/*
 * Search a strong path next -> ... -> prev over locks_after edges
 * (lockdep's check_noncircular): a path may not contain an edge -(*R)->
 * followed by an edge -(S*)->.  States are (class, only_xr), where
 * only_xr says the path so far can only arrive through -(*R)-> edges.
 * A match closes a deadlock when the new edge prev -> next is -(E*)->
 * (prev held exclusively) or the path arrives through a -(*N)-> edge.
 */
static struct ld_cycle ld_cy;
static uint32_t ld_seen[LD_MAX_CLASSES][2];
static uint32_t ld_stamp;
static struct {
	uint16_t cls;
	uint8_t xr;
	int parent;
	int edge;
} ld_q[2 * LD_MAX_CLASSES];

static bool ld_find_path(const struct ld_held *next, const struct ld_held *prev)
{
	int head = 0, tail = 0, hit = -1;

	if (++ld_stamp == 0) {
		memset(ld_seen, 0, sizeof(ld_seen));
		ld_stamp = 1;
	}
	ld_q[tail].cls = next->cls;
	ld_q[tail].xr = next->read == 2;
	ld_q[tail].parent = -1;
	ld_q[tail].edge = -1;
	ld_seen[next->cls][ld_q[tail].xr] = ld_stamp;
	tail++;
	if (next->cls == prev->cls && (prev->read == 0 || !ld_q[0].xr))
		hit = 0;

	while (hit < 0 && head < tail) {
		int cur = head++;
		uint16_t c = ld_q[cur].cls;
		bool xr = ld_q[cur].xr;

		for (int e = ld_classes[c].first_after; e >= 0; e = ld_edges[e].next) {
			uint8_t dep = ld_edges[e].dep;

			if (xr)
				dep &= (uint8_t)~(LD_DEP_SR | LD_DEP_SN);
			if (!dep)
				continue;
			uint8_t cxr = !(dep & (LD_DEP_SN | LD_DEP_EN));
			uint16_t to = ld_edges[e].to;

			if (ld_seen[to][cxr] == ld_stamp ||
			    (cxr && ld_seen[to][0] == ld_stamp))
				continue;
			ld_seen[to][cxr] = ld_stamp;
			ld_q[tail].cls = to;
			ld_q[tail].xr = cxr;
			ld_q[tail].parent = cur;
			ld_q[tail].edge = e;
			if (to == prev->cls && (prev->read == 0 || !cxr)) {
				hit = tail++;
				break;
			}
			tail++;
		}
	}
	if (hit < 0)
		return false;

	int n = 0;
	for (int k = hit; k >= 0; k = ld_q[k].parent)
		n++;
	ld_cy.n = n;
	for (int k = hit, pos = n - 1; k >= 0; k = ld_q[k].parent, pos--) {
		ld_cy.path[pos] = ld_q[k].cls;
		if (pos > 0)
			ld_cy.edges[pos - 1] = ld_q[k].edge;
	}
	return true;
}

static int ld_cmp_name(const void *a, const void *b)
{
	return strcmp(ld_classes[*(const uint16_t *)a].name,
		      ld_classes[*(const uint16_t *)b].name);
}

static void ld_cycle_signature(char *sig, size_t len)
{
	static uint16_t ids[LD_MAX_CLASSES];
	size_t off;

	memcpy(ids, ld_cy.path, sizeof(ids[0]) * (size_t)ld_cy.n);
	qsort(ids, (size_t)ld_cy.n, sizeof(ids[0]), ld_cmp_name);
	off = (size_t)snprintf(sig, len, "lock-cycle:");
	for (int i = 0; i < ld_cy.n && off < len; i++)
		off += (size_t)snprintf(sig + off, len - off, "%s%s", i ? "," : "",
					ld_classes[ids[i]].name);
}

static void ld_recursive(int tid, const struct ld_held *prev,
			 const struct ld_held *next)
{
	char sig[256];

	snprintf(sig, sizeof(sig), "lock-recursive:%s", ld_classes[next->cls].name);
	if (ld_first_report(sig))
		ld_report_recursive(tid, prev, next, sig);
}

/* check_prev_add(): false when the new dependency closes a cycle. */
static bool ld_prev_add(int tid, const struct ld_held *prev,
			const struct ld_held *next)
{
	if (ld_find_path(next, prev)) {
		if (prev->cls == next->cls) {
			ld_recursive(tid, prev, next);
			return false;
		}
		char sig[256];

		ld_cycle_signature(sig, sizeof(sig));
		if (ld_first_report(sig)) {
			for (int i = 0; i < ld_cy.n - 1; i++)
				ld_edges[ld_cy.edges[i]].in_cycle = true;
			if (ld_ncloser < LD_MAX_CLOSERS) {
				ld_closers[ld_ncloser].from = prev->cls;
				ld_closers[ld_ncloser].to = next->cls;
				ld_closers[ld_ncloser].dep = ld_calc_dep(prev, next);
				ld_ncloser++;
			}
			ld_report_cycle(tid, prev, next, &ld_cy, sig);
		}
		return false;
	}

	uint8_t dep = ld_calc_dep(prev, next);
	struct ld_class *pc = &ld_classes[prev->cls];

	for (int e = pc->first_after; e >= 0; e = ld_edges[e].next)
		if (ld_edges[e].to == next->cls) {
			ld_edges[e].dep |= dep;
			return true;
		}
	if (ld_nedges >= LD_MAX_EDGES) {
		if (!ld_warned_edges) {
			ld_warned_edges = true;
			ld_report_overflow("MAX_LOCKDEP_ENTRIES",
					   "more than 8192 dependencies; new ones are not recorded");
		}
		return true;
	}
	int id = ld_nedges++;
	struct ld_edge *e = &ld_edges[id];

	if (ld_cheap && id < ld_snap_nedges)
		ld_cheap = NULL;
	memset(e, 0, sizeof(*e));
	e->from = prev->cls;
	e->to = next->cls;
	e->dep = dep;
	e->next = -1;
	e->prev_site = prev->site;
	e->next_site = next->site;
	e->prev_read = prev->read;
	e->next_read = next->read;
	e->tid = tid;
	{
		const char *tn = ld_thread_name(tid);
		size_t l = tn ? strnlen(tn, sizeof(e->thread) - 1) : 0;

		memcpy(e->thread, tn ? tn : "", l);
		e->thread[l] = 0;
	}
	if (next->op) {   /* e is zeroed: a copy to the NUL */
		const char *op = sim__label_text(next->op);

		memcpy(e->op, op, strnlen(op, sizeof(e->op) - 1));
	}
	e->npcs = sim_backtrace(e->pcs, LD_TRACE_PCS);
	if (pc->last_after >= 0)
		ld_edges[pc->last_after].next = id;
	else
		pc->first_after = id;
	pc->last_after = id;
	return true;
}

/* Full validation of a new chain (lockdep's validate_chain slow path). */
static void ld_validate(int tid, struct ld_thread *t, const struct ld_held *next)
{
	int d = t->depth;

	ld_nvalid++;
	/* check_deadlock(): the same class already held? */
	for (int i = 0; i < d; i++) {
		const struct ld_held *prev = &t->h[i];

		if (prev->cls != next->cls)
			continue;
		if (next->read == 2 && prev->read)
			continue;  /* read-after-read recursion is allowed */
		ld_recursive(tid, prev, next);
		return;
	}
	/* check_prevs_add(): the consecutive trylocks on top plus the
	 * last non-trylock entry are the sources of new edges. */
	for (int i = d - 1; i >= 0; i--) {
		const struct ld_held *prev = &t->h[i];

		if (!prev->cls)
			continue;	/* not validated: look below it */
		if (!ld_prev_add(tid, prev, next))
			return;
		if (!prev->trylock)
			break;
	}
}

/* Push t->h[t->depth] (filled in by the caller) and validate it. */
static inline void ld_push(int tid, struct ld_thread *t)
{
	struct ld_held *h = &t->h[t->depth];
	uint64_t k = t->depth ? t->h[t->depth - 1].chain_key : 0;

	h->chain_key = ld_mix(k, ((unsigned)h->cls << 3) | ((unsigned)h->read << 1) |
				 h->trylock);
	/* Trylocks keep the stack but add no dependencies of their own. */
	t->maps[t->depth] = h->map;
	if (h->cls && !h->trylock && ld_chain_add(h->chain_key))
		ld_validate(tid, t, h);
	t->depth++;
	ld_tmask |= 1ull << tid;
}

/* ------------------------------------------------------------ public API */

void sim_lockdep_init_map(struct sim_lockdep_map *m, const char *name,
			  const struct sim_lock_class_key *key,
			  const struct sim_site *site)
{
	m->key = key;
	m->name = name;
	m->init_site = site;
	m->class_cache[0] = m->class_cache[1] = 0;
	m->generation = 0;
	m->novalidate = false;
}

void sim_lockdep_set_novalidate(struct sim_lockdep_map *m)
{
	m->novalidate = true;
}

void sim_lockdep_acquire(struct sim_lockdep_map *m, int subclass,
			 enum sim_lock_read read, bool trylock,
			 const struct sim_site *site)
{
	int tid = ld_tid();

	if ((unsigned)tid >= SIM_MAX_THREADS || !m)
		return;
	struct ld_thread *t = &ld_threads[tid];

	if (t->depth >= LD_MAX_DEPTH) {
		t->lost++;
		ld_tmask |= 1ull << tid;
		if (!ld_warned_depth) {
			ld_warned_depth = true;
			ld_report_overflow("MAX_LOCK_DEPTH",
					   "depth: 48  max: 48!  further acquisitions are not tracked");
		}
		return;
	}
	struct ld_held *h = &t->h[t->depth];

	h->map = m;
	h->site = site;
	h->op = sim__op_ref(tid);	/* its text is made only if read */
	/* class 0: held and printed, never validated (kernel: check = 0) */
	h->cls = m->novalidate ? 0 : ld_class_of(m, subclass);
	h->read = (uint8_t)read;
	h->trylock = trylock;
	ld_push(tid, t);
}

void sim_lockdep_release(struct sim_lockdep_map *m, const struct sim_site *site)
{
	int tid = ld_tid();

	if ((unsigned)tid >= SIM_MAX_THREADS || !m)
		return;
	struct ld_thread *t = &ld_threads[tid];
	int i = t->depth - 1;

	if (i >= 0 && t->h[i].map == m) {  /* the common, in-order case */
		t->depth = i;
		return;
	}
	for (i--; i >= 0; i--)
		if (t->h[i].map == m)
			break;
	if (i < 0) {
		if (t->lost > 0) {
			t->lost--;
			return;
		}
		ld_report_bad_unlock(tid, m, site);
		return;
	}
	/* Out-of-order release: drop the entry and re-acquire the ones above
	 * it, which validates the new chains as lockdep does. */
	struct ld_held above[LD_MAX_DEPTH];
	int n = t->depth - 1 - i;

	memcpy(above, &t->h[i + 1], sizeof(above[0]) * (size_t)n);
	t->depth = i;
	for (int k = 0; k < n; k++) {
		t->h[t->depth] = above[k];
		ld_push(tid, t);
	}
}

static bool ld_is_held(int tid, const struct sim_lockdep_map *m, int read)
{
	struct ld_thread *t = &ld_threads[tid];

	for (int i = t->depth - 1; i >= 0; i--)
		if (t->h[i].map == m)
			return read < 0 || (read ? 1 : 0) == (t->h[i].read ? 1 : 0);
	return false;
}

bool sim_lockdep_is_held(const struct sim_lockdep_map *m, int read)
{
	int tid = ld_tid();

	if ((unsigned)tid >= SIM_MAX_THREADS)
		return true;  /* like lockdep when it cannot tell */
	return ld_is_held(tid, m, read);
}

void sim_lockdep_assert_held(const struct sim_lockdep_map *m, int read,
			     const struct sim_site *site)
{
	int tid = ld_tid();

	if ((unsigned)tid >= SIM_MAX_THREADS || !m)
		return;
	if (!ld_is_held(tid, m, read))
		ld_report_not_held(tid, m, read, site);
}

int sim_lockdep_depth(int tid)
{
	if ((unsigned)tid >= SIM_MAX_THREADS)
		return 0;
	return ld_threads[tid].depth;
}

void sim_lockdep_print_held(FILE *out, int tid)
{
	ld_print_held_list(out, tid);
}

int sim_lockdep_held_maps(int tid, const struct sim_lockdep_map **out, int max)
{
	if ((unsigned)tid >= SIM_MAX_THREADS || max <= 0)
		return 0;
	struct ld_thread *t = &ld_threads[tid];
	int n = t->depth < max ? t->depth : max;

	memcpy(out, t->maps, sizeof(out[0]) * (size_t)n);
	return n;
}

const struct sim_lockdep_map *const *sim_lockdep_held_stack(int tid, int *n)
{
	if ((unsigned)tid >= SIM_MAX_THREADS) {
		*n = 0;
		return NULL;
	}
	*n = ld_threads[tid].depth;
	return ld_threads[tid].maps;
}

/* ---------------------------------------------------------- core hooks */

void sim__lockdep_reset(bool keep_graph)
{
	ld_threads_clear();
	ld_snap_epoch = 0;
	ld_epoch++;
	if (!ld_epoch)
		ld_epoch = 1;
	if (keep_graph)
		return;
	for (int i = 1; i < ld_nclasses; i++)
		ld_cls_hash[ld_cls_used[i]].id = 0;
	for (int i = 0; i < ld_nchain; i++)
		ld_chain[ld_chain_used[i]] = 0;
	ld_nchain = 0;
	ld_nclasses = 1;
	ld_nedges = 0;
	ld_nreported = 0;
	ld_ncloser = 0;
	ld_nvalid = 0;
	ld_warned_classes = ld_warned_edges = ld_warned_chain = false;
	ld_warned_depth = ld_warned_subclass = false;
}

void sim__lockdep_thread_exit(int tid)
{
	if ((unsigned)tid >= SIM_MAX_THREADS)
		return;
	struct ld_thread *t = &ld_threads[tid];

	for (int i = 0; i < t->depth; i++)
		ld_report_held_exit(tid, &t->h[i]);
	t->depth = 0;
	t->lost = 0;
}

/* ------------------------------------------------------------ test hooks */

uint64_t sim__lockdep_validations(void)
{
	return ld_nvalid;
}

int sim__lockdep_nclasses(void)
{
	return ld_nclasses - 1;
}

static uint64_t name_hash(uint16_t cls)
{
	struct ld_class *c = &ld_classes[cls];

	if (!c->name_hash) {
		uint64_t h = 0xcbf29ce484222325ULL;

		for (const char *s = c->name; *s; s++)
			h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
		c->name_hash = h ? h : 1;
	}
	return c->name_hash;
}

size_t sim_lockdep_pair_ids(uint64_t *out, size_t max)
{
	size_t n = 0;

	for (int e = 0; e < ld_nedges; e++, n++)
		if (n < max) {
			uint64_t h = name_hash(ld_edges[e].from) * 0x9E3779B97F4A7C15ULL ^
				     name_hash(ld_edges[e].to);

			h ^= h >> 29;
			out[n] = h ? h : 1;
		}
	return n;
}

unsigned sim__lockdep_edge_dep(const char *from, const char *to)
{
	for (int e = 0; e < ld_nedges; e++)
		if (!strcmp(ld_classes[ld_edges[e].from].name, from) &&
		    !strcmp(ld_classes[ld_edges[e].to].name, to))
			return ld_edges[e].dep;
	return 0;
}

int sim_lockdep_edges(struct sim_lock_edge *out, int max)
{
	int n = 0;

	for (int e = 0; e < ld_nedges; e++, n++)
		if (n < max) {
			out[n].from = ld_classes[ld_edges[e].from].name;
			out[n].to = ld_classes[ld_edges[e].to].name;
			out[n].from_site = ld_edges[e].prev_site;
			out[n].site = ld_edges[e].next_site;
		}
	for (int k = 0; k < ld_ncloser; k++, n++)
		if (n < max) {
			out[n].from = ld_classes[ld_closers[k].from].name;
			out[n].to = ld_classes[ld_closers[k].to].name;
			out[n].from_site = NULL;
			out[n].site = NULL;
		}
	return n;
}

/* ------------------------------------------------- world snapshot (snapshot.c) */

/*
 * The validator's state at a snapshot point (sim/snapshot.c): the classes,
 * the dependency graph, the chain cache and the reported signatures, so
 * that an execution restored from the snapshot validates exactly
 * as one that ran the set-up part itself.  Only the used entries are kept;
 * the BFS scratch (ld_seen, ld_stamp) is never restored (its stamps only
 * have to be fresh).
 */
struct sim__ld_snap {
	int nclasses, nedges, ncloser, nchain, nreported;
	uint32_t epoch;
	uint64_t nvalid;
	bool warned[5];
	struct ld_class *classes;
	uint16_t *cls_used;
	struct { const void *key; uint16_t id; uint8_t sub; } *cls_slot;
	struct ld_edge *edges;
	struct ld_closer *closers;
	uint16_t *chain_used;
	uint64_t *chain_val;
	char (*reported)[256];
};

void sim__lockdep_snap_free(struct sim__ld_snap *s)
{
	if (!s)
		return;
	if (ld_cheap == s)
		ld_cheap = NULL;
	free(s->classes);
	free(s->cls_used);
	free(s->cls_slot);
	free(s->edges);
	free(s->closers);
	free(s->chain_used);
	free(s->chain_val);
	free(s->reported);
	free(s);
}

struct sim__ld_snap *sim__lockdep_snap_save(void)
{
	struct sim__ld_snap *s = calloc(1, sizeof(*s));
	int nc = ld_nclasses;

	if (!s)
		return NULL;
	s->nclasses = ld_nclasses;
	s->nedges = ld_nedges;
	s->ncloser = ld_ncloser;
	s->nchain = ld_nchain;
	s->nreported = ld_nreported;
	s->epoch = ld_epoch;
	s->nvalid = ld_nvalid;
	s->warned[0] = ld_warned_classes;
	s->warned[1] = ld_warned_edges;
	s->warned[2] = ld_warned_chain;
	s->warned[3] = ld_warned_depth;
	s->warned[4] = ld_warned_subclass;
	s->classes = malloc(sizeof(*s->classes) * (size_t)nc);
	s->cls_used = malloc(sizeof(*s->cls_used) * (size_t)nc);
	s->cls_slot = malloc(sizeof(*s->cls_slot) * (size_t)nc);
	s->edges = malloc(sizeof(*s->edges) * (size_t)(ld_nedges + 1));
	s->closers = malloc(sizeof(*s->closers) * (size_t)(ld_ncloser + 1));
	s->chain_used = malloc(sizeof(*s->chain_used) * (size_t)(ld_nchain + 1));
	s->chain_val = malloc(sizeof(*s->chain_val) * (size_t)(ld_nchain + 1));
	s->reported = malloc(sizeof(*s->reported) * (size_t)(ld_nreported + 1));
	if (!s->classes || !s->cls_used || !s->cls_slot || !s->edges || !s->closers ||
	    !s->chain_used || !s->chain_val || !s->reported) {
		sim__lockdep_snap_free(s);
		return NULL;
	}
	memcpy(s->classes, ld_classes, sizeof(*s->classes) * (size_t)nc);
	memcpy(s->cls_used, ld_cls_used, sizeof(*s->cls_used) * (size_t)nc);
	for (int i = 1; i < nc; i++) {
		s->cls_slot[i].key = ld_cls_hash[ld_cls_used[i]].key;
		s->cls_slot[i].id = ld_cls_hash[ld_cls_used[i]].id;
		s->cls_slot[i].sub = ld_cls_hash[ld_cls_used[i]].sub;
	}
	memcpy(s->edges, ld_edges, sizeof(*s->edges) * (size_t)ld_nedges);
	memcpy(s->closers, ld_closers, sizeof(*s->closers) * (size_t)ld_ncloser);
	for (int i = 0; i < ld_nchain; i++) {
		s->chain_used[i] = ld_chain_used[i];
		s->chain_val[i] = ld_chain[ld_chain_used[i]];
	}
	memcpy(s->reported, ld_reported, sizeof(*s->reported) * (size_t)ld_nreported);
	return s;
}

void sim__lockdep_snap_restore(const struct sim__ld_snap *s)
{
	/* forget what the executions after the snapshot added */
	for (int i = 1; i < ld_nclasses; i++)
		ld_cls_hash[ld_cls_used[i]].id = 0;
	for (int i = 0; i < ld_nchain; i++)
		ld_chain[ld_chain_used[i]] = 0;
	ld_nclasses = s->nclasses;
	if (ld_cheap == s) {
		for (int i = 1; i < s->nclasses; i++) {
			ld_classes[i].first_after = s->classes[i].first_after;
			ld_classes[i].last_after = s->classes[i].last_after;
			ld_classes[i].name_hash = s->classes[i].name_hash;
		}
	} else {
		memcpy(ld_classes, s->classes, sizeof(*s->classes) * (size_t)s->nclasses);
	}
	memcpy(ld_cls_used, s->cls_used, sizeof(*s->cls_used) * (size_t)s->nclasses);
	for (int i = 1; i < s->nclasses; i++) {
		ld_cls_hash[ld_cls_used[i]].key = s->cls_slot[i].key;
		ld_cls_hash[ld_cls_used[i]].id = s->cls_slot[i].id;
		ld_cls_hash[ld_cls_used[i]].sub = s->cls_slot[i].sub;
	}
	ld_nedges = s->nedges;
	if (ld_cheap == s) {
		for (int e = 0; e < s->nedges; e++) {
			ld_edges[e].next = s->edges[e].next;
			ld_edges[e].dep = s->edges[e].dep;
			ld_edges[e].in_cycle = s->edges[e].in_cycle;
		}
	} else {
		memcpy(ld_edges, s->edges, sizeof(*s->edges) * (size_t)s->nedges);
	}
	ld_cheap = s;
	ld_snap_ncls = s->nclasses;
	ld_snap_nedges = s->nedges;
	ld_ncloser = s->ncloser;
	memcpy(ld_closers, s->closers, sizeof(*s->closers) * (size_t)s->ncloser);
	ld_nchain = s->nchain;
	for (int i = 0; i < s->nchain; i++) {
		ld_chain_used[i] = s->chain_used[i];
		ld_chain[s->chain_used[i]] = s->chain_val[i];
	}
	ld_nreported = s->nreported;
	memcpy(ld_reported, s->reported, sizeof(*s->reported) * (size_t)s->nreported);
	/* not the epoch (an epoch is never reused): the maps' class caches
	 * stamped with the snapshot's epoch stay valid for its classes
	 * (ld_snap_epoch, ld_class_of); later ids are this execution's own */
	ld_nvalid = s->nvalid;
	ld_snap_epoch = s->epoch;
	ld_warned_classes = s->warned[0];
	ld_warned_edges = s->warned[1];
	ld_warned_chain = s->warned[2];
	ld_warned_depth = s->warned[3];
	ld_warned_subclass = s->warned[4];
	ld_threads_clear();
}

int sim__lockdep_depth0(void)
{
	return ld_threads[0].depth + ld_threads[0].lost;
}
