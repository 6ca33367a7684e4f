/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/race.c - happens-before data-race detection on the shadow region.
 *
 * Owns: the vector clock of every simulated thread, the clocks of the sync
 * objects (locks, completions, wait queues: a side table keyed by the
 * object's address, so no object changes size), the race shadow (one cell
 * per 8-byte granule of the region sim/shadow.c keeps: last write epoch and
 * the read epochs, FastTrack style, each with the bytes it touched, so that
 * neighbours in one granule do not race), the held locks per epoch (for
 * reports) and the SIM_F_DATA_RACE report in KCSAN's shape.
 *
 * Happens-before edges: lock release -> the next acquisition of the same
 * lock (a rwsem has two clocks: what writers released, which every
 * acquisition joins, and what readers released, which only writers join),
 * complete() -> the wait that returns because of it, a wake-up of a wait
 * queue -> the wait it ends, spawn (parent before child), join (every
 * exited thread before the joiner).  Two accesses to one granule from
 * different threads, one a write, not ordered by these edges, are a race.
 *
 * Marked accesses (READ_ONCE, WRITE_ONCE, atomics, bitops of the shim
 * headers) run with sim_race_marked raised: recorded as marked, and two
 * marked accesses never race (a plain one racing with a marked one does,
 * as in KCSAN).  Host-context accesses (no simulated thread) are ignored.
 *
 * Cost: the shadow (32 bytes per granule) is reserved once, NORESERVE, so
 * memory follows the granules touched; a cell belongs to the execution whose
 * generation it carries, so a new execution starts without clearing.  The
 * slab never reuses an address within an execution, so a cell never mixes
 * two objects.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

bool sim__race_on;
volatile int sim_race_marked;
static int ignore_depth;	/* sim_race_ignore: apsim's own reads of driver state */

/* An epoch: clock << 6 | tid; 0 = none (clocks start at 1). */
#define TID_BITS	6
#define E_TID(e)	((int)((e) & (SIM_MAX_THREADS - 1)))
#define E_CLK(e)	((e) >> TID_BITS)
_Static_assert(SIM_MAX_THREADS == 1 << TID_BITS, "epoch layout");

#define HELD_MAX	8	/* locks remembered per thread */
#define RSHARED		0x80000000u	/* cell.r: index of a shared read set */
#define RMAX		8	/* concurrent reads kept per granule */

struct cell {
	uint32_t gen;		/* execution the cell belongs to */
	uint32_t w;		/* last write epoch */
	uint32_t r;		/* last read epoch, or RSHARED | set index */
	uint8_t wsz, rsz;	/* span: offset in the granule << 4 | size */
	uint16_t mk;		/* WMK, RMK: that access was marked */
	uintptr_t wpc, rpc;
};
#define WMK 1
#define RMK 2

struct rset {
	int n;
	uint32_t e[RMAX];
	uint8_t sz[RMAX];	/* spans */
	bool mk[RMAX];
	uintptr_t pc[RMAX];
};

struct rthread {
	uint32_t vc[SIM_MAX_THREADS];
	int nheld;
	bool held_changed;	/* since the last snapshot */
	const struct sim_lockdep_map *held[HELD_MAX];
	/* held locks of each epoch: log[clock - 1] = off << 4 | n names */
	uint32_t *log;
	size_t nlog, caplog;
};

static struct rthread rt[SIM_MAX_THREADS];
static struct cell *cells;
static size_t ncells;
static uint32_t gen;		/* sim__world.generation at the reset */

/* held-lock name snapshots of this execution */
static const char **names;
static size_t nnames, capnames;

/* shared read sets of this execution */
static struct rset *rsets;
static size_t nrsets, caprsets;

/*
 * sync object -> vector clock: open addressing, per execution (an entry of
 * another execution's generation is free).  It doubles at half full, so a
 * large world's sync objects (a work item and a lock per queue: a module
 * unload of 65,536 queues) all keep their clocks, with short probes.  (A
 * fixed 4,096-slot table lost the edges of the objects past it and, full,
 * scanned all of it at every lookup: an unload took minutes.)
 */
struct syncent {
	const void *key;
	uint32_t gen;
	uint32_t vc;		/* index into vcs */
};
static struct syncent *sync_tab;
static unsigned sync_bits;	/* 1 << sync_bits entries (0: none yet) */
static uint32_t (*vcs)[SIM_MAX_THREADS];
static size_t nvcs, capvcs;

/* Threads that took an exited thread's slot: from which clock of the
 * slot on (this execution), to name the thread of an epoch. */
static struct occupant {
	int tid;
	uint32_t from, inc;
} *occ;
static size_t nocc, capocc;

/* races already reported this execution (by pc pair) */
#define SEEN_MAX 64
static struct { uintptr_t a, b; } seen[SEEN_MAX];
static int nseen;

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	p = realloc(p, c * elem);
	if (!p)
		abort();
	*cap = c;
	return p;
}

/* ------------------------------------------------------------ epochs, locks */

static uint32_t snapshot(const struct rthread *r)
{
	int n = r->nheld < HELD_MAX ? r->nheld : HELD_MAX;

	names = grow(names, &capnames, nnames + (size_t)n, sizeof(*names));
	for (int i = 0; i < n; i++)
		names[nnames + i] = r->held[i]->name ? r->held[i]->name : "?";
	nnames += (size_t)n;
	return (uint32_t)(nnames - (size_t)n) << 4 | (uint32_t)n;
}

/* A new epoch of thread t (after a sync operation): remember its locks. */
static void tick(int t)
{
	struct rthread *r = &rt[t];

	r->vc[t]++;
	r->log = grow(r->log, &r->caplog, r->nlog + 1, sizeof(*r->log));
	r->log[r->nlog] = r->nlog && !r->held_changed ? r->log[r->nlog - 1] : snapshot(r);
	r->nlog++;
	r->held_changed = false;
}

static void thread_start(int t, int parent)
{
	struct rthread *r = &rt[t];

	if (parent >= 0)
		memcpy(r->vc, rt[parent].vc, sizeof(r->vc));
	else
		memset(r->vc, 0, sizeof(r->vc));
	r->vc[t] = 0;
	r->nheld = 0;
	r->nlog = 0;
	tick(t);
}

static inline bool sync_free(const struct syncent *e)
{
	return e->gen != gen || !e->key;
}

/* The slot of key in a table of 1 << bits: its entry, or the free slot
 * that ends its probe (the table is at most half full). */
static struct syncent *sync_slot(struct syncent *tab, unsigned bits, const void *key)
{
	size_t mask = ((size_t)1 << bits) - 1;
	size_t h = (size_t)(((uintptr_t)key * 0x9e3779b97f4a7c15ULL) >> (64 - bits));

	for (;; h = (h + 1) & mask)
		if (sync_free(&tab[h]) || tab[h].key == key)
			return &tab[h];
}

static void sync_grow(void)
{
	unsigned bits = sync_bits ? sync_bits + 1 : 12;
	struct syncent *t = calloc((size_t)1 << bits, sizeof(*t));

	if (!t)
		abort();
	for (size_t i = 0; sync_bits && i < (size_t)1 << sync_bits; i++)
		if (!sync_free(&sync_tab[i]))
			*sync_slot(t, bits, sync_tab[i].key) = sync_tab[i];
	free(sync_tab);
	sync_tab = t;
	sync_bits = bits;
}

static uint32_t *sync_vc(const void *key, bool create)
{
	struct syncent *e;

	if (!sync_bits)
		sync_grow();
	e = sync_slot(sync_tab, sync_bits, key);
	if (!sync_free(e))
		return vcs[e->vc];
	if (!create)
		return NULL;
	if ((nvcs + 1) * 2 > (size_t)1 << sync_bits) {
		sync_grow();
		e = sync_slot(sync_tab, sync_bits, key);
	}
	vcs = grow(vcs, &capvcs, nvcs + 1, sizeof(*vcs));
	memset(vcs[nvcs], 0, sizeof(*vcs));
	e->key = key;
	e->gen = gen;
	e->vc = (uint32_t)nvcs++;
	return vcs[e->vc];
}

void sim__race_reset(void)
{
	gen = sim__world.generation;
	nnames = nrsets = nvcs = 0;
	nseen = nocc = 0;
	for (int t = 0; t < SIM_MAX_THREADS; t++)
		rt[t].nlog = 0;
}

void sim__race_spawn(int parent, int child)
{
	thread_start(child, parent);
	if (parent >= 0)
		tick(parent);
}

bool sim__race_exit_ordered(int slot, int parent)
{
	return parent >= 0 && rt[parent].vc[slot] >= rt[slot].vc[slot];
}

void sim__race_respawn(int parent, int child, uint32_t inc)
{
	struct rthread *r = &rt[child];
	uint32_t own = r->vc[child];	/* the old thread's last clock */

	if (parent >= 0)
		memcpy(r->vc, rt[parent].vc, sizeof(r->vc));
	else
		memset(r->vc, 0, sizeof(r->vc));
	if (r->vc[child] < own)
		r->vc[child] = own;
	r->nheld = 0;
	r->held_changed = true;
	occ = grow(occ, &capocc, nocc + 1, sizeof(*occ));
	occ[nocc++] = (struct occupant){ child, own + 1, inc };
	/* the log stays: it is indexed by the slot's clock, which goes on */
	tick(child);
	if (parent >= 0)
		tick(parent);
}

/* The task id of the thread whose epoch on slot t had clock clk. */
static int task_at(int t, uint32_t clk)
{
	uint32_t inc = 0;

	for (size_t i = 0; i < nocc; i++)
		if (occ[i].tid == t && occ[i].from <= clk)
			inc = occ[i].inc;
	return t | (int)(inc << 6);
}

/* dst := dst joined with src (the threads of this execution) */
static void vc_join(uint32_t *dst, const uint32_t *src)
{
	for (int i = 0; i < sim__world.nthreads; i++)
		if (src[i] > dst[i])
			dst[i] = src[i];
}

void sim__race_join(int t)
{
	for (int u = 0; u < sim__world.nthreads; u++) {
		if (u == t || sim__world.t[u].state != SIM_T_EXITED)
			continue;
		vc_join(rt[t].vc, rt[u].vc);
	}
	tick(t);
}

/* The current thread acquires (joins) or releases (into) obj's clock; lock
 * (or NULL) joins or leaves its held locks.  Then a new epoch. */
static void sync_op(const void *obj, const struct sim_lockdep_map *lock, bool release)
{
	struct sim_thread *th = sim__world.cur;
	struct rthread *r;
	uint32_t *v;

	if (!th)
		return;
	r = &rt[th->tid];
	v = sync_vc(obj, release);
	if (v && release)
		vc_join(v, r->vc);
	else if (v)
		vc_join(r->vc, v);
	if (lock && !release) {
		if (r->nheld < HELD_MAX)
			r->held[r->nheld] = lock;
		r->nheld++;
		r->held_changed = true;
	} else if (lock && r->nheld > 0) {
		int n = r->nheld < HELD_MAX ? r->nheld : HELD_MAX;

		for (int i = n - 1; i >= 0; i--)
			if (r->held[i] == lock) {
				memmove(&r->held[i], &r->held[i + 1],
					(size_t)(n - 1 - i) * sizeof(r->held[0]));
				break;
			}
		r->nheld--;
		r->held_changed = true;
	}
	tick(th->tid);
}

void sim__race_acquire(const void *obj, const struct sim_lockdep_map *lock)
{
	sync_op(obj, lock, false);
}

void sim__race_release(const void *obj, const struct sim_lockdep_map *lock)
{
	sync_op(obj, lock, true);
}

/* ------------------------------------------------------------ reports */

/* pc -> "func (file:line) inlined in ..." (addr2line is slow: cached for
 * the process) */
#define SYM_SLOTS 1024
static struct {
	uintptr_t pc;
	char *text;
} sym_tab[SYM_SLOTS];

static const char *symbol(uintptr_t pc)
{
	size_t h = (size_t)((pc * 0x9e3779b97f4a7c15ULL) >> 54) & (SYM_SLOTS - 1);
	char buf[512];

	for (size_t i = 0; i < SYM_SLOTS; i++, h = (h + 1) & (SYM_SLOTS - 1)) {
		if (sym_tab[h].pc == pc && sym_tab[h].text)
			return sym_tab[h].text;
		if (!sym_tab[h].text) {
			sim_symbolize(pc, buf, sizeof(buf));
			sym_tab[h].pc = pc;
			sym_tab[h].text = strdup(buf);
			return sym_tab[h].text ? sym_tab[h].text : "?";
		}
	}
	return "?";
}

/* The function the code address belongs to: the outermost of its inline
 * chain (the symbol KCSAN's %pS would print). */
static void func_of(const char *sym, char *out, size_t len)
{
	const char *p = sym, *q;

	while ((q = strstr(p, " inlined in ")))
		p = q + strlen(" inlined in ");
	snprintf(out, len, "%.*s", (int)strcspn(p, " "), p);
}

static void print_locks(FILE *out, int t, uint32_t snap, bool now)
{
	const struct rthread *r = &rt[t];
	int n = now ? (r->nheld < HELD_MAX ? r->nheld : HELD_MAX) : (int)(snap & 15);

	if (!n) {
		fprintf(out, " no locks held\n");
		return;
	}
	fprintf(out, " %d lock%s held:", n, n == 1 ? "" : "s");
	for (int i = 0; i < n; i++)
		fprintf(out, " %s", now ? (r->held[i]->name ? r->held[i]->name : "?")
				 : names[(snap >> 4) + (uint32_t)i]);
	fputc('\n', out);
}

static void access_block(FILE *out, bool w, bool mk, uintptr_t a, size_t n, int t,
			 const char *tname, const char *sym, uint32_t snap, bool now)
{
	fprintf(out, "%s%s to slab+0x%lx of %zu bytes by task T%d (%s):\n %s\n",
		w ? "write" : "read", mk ? " (marked)" : "", (unsigned long)(a - sim__sh_lo), n, t,
		tname, sym);
	print_locks(out, t, snap, now);
}

static void report(uintptr_t a, size_t n, bool w, bool mk, uintptr_t pc,
		   uint32_t pe, bool pw, bool pmk, uint8_t pspan, uintptr_t ppc)
{
	uintptr_t pa = (a & ~(uintptr_t)7) + (pspan >> 4);
	size_t pn = pspan & 15;
	int t = sim__world.cur->tid, u = E_TID(pe);
	uint32_t clk = E_CLK(pe), snap = 0;
	const char *s1, *s2;
	char f1[160], f2[160], sig[200], *text = NULL;
	size_t len = 0;
	uint64_t v = 0;
	FILE *out;

	for (int i = 0; i < nseen; i++)
		if (seen[i].a == pc && seen[i].b == ppc)
			return;
	if (nseen < SEEN_MAX) {
		seen[nseen].a = pc;
		seen[nseen].b = ppc;
		nseen++;
	}
	s1 = symbol(pc);
	s2 = symbol(ppc);
	func_of(s1, f1, sizeof(f1));
	func_of(s2, f2, sizeof(f2));
	if (strcmp(f1, f2) <= 0)
		snprintf(sig, sizeof(sig), "race:%s,%s", f1, f2);
	else
		snprintf(sig, sizeof(sig), "race:%s,%s", f2, f1);
	if (clk >= 1 && clk - 1 < rt[u].nlog)
		snap = rt[u].log[clk - 1];
	memcpy(&v, (const void *)a, n < 8 ? n : 8);
	out = open_memstream(&text, &len);
	if (!out)
		return;
	fprintf(out, "BUG: KCSAN: data-race in %s / %s\n\n",
		strcmp(f1, f2) <= 0 ? f1 : f2, strcmp(f1, f2) <= 0 ? f2 : f1);
	access_block(out, w, mk, a, n, t, sim_thread_name(t), s1, 0, true);
	fputc('\n', out);
	access_block(out, pw, pmk, pa, pn, u, sim_task_name(task_at(u, clk)), s2, snap, false);
	fprintf(out, "\n%s: ", w ? (pw ? "value before this write (written by the other)"
				  : "value before this write") : "value read");
	if (n == 8 && v - sim__sh_lo < sim__sh_size)
		fprintf(out, "slab+0x%llx\n", (unsigned long long)(v - sim__sh_lo));
	else if (n == 8 && v >> 40)	/* a host address: differs per process */
		fprintf(out, "(a pointer)\n");
	else
		fprintf(out, "0x%0*llx\n", (int)(n < 8 ? n : 8) * 2, (unsigned long long)v);
	fclose(out);
	sim_report(SIM_F_DATA_RACE, false, sig, "%s", text ? text : "");
	free(text);
}

/* ------------------------------------------------------------ accesses */

static bool cells_map(void)
{
	void *m;

	if (cells)
		return true;
	if (!sim__sh_size)
		return false;
	ncells = sim__sh_size >> 3;
	m = mmap(NULL, ncells * sizeof(struct cell), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		sim__race_on = false;
		sim__shadow_gate(false);
		return false;
	}
	cells = m;
	return true;
}

static inline bool hb(const uint32_t *vc, int t, uint32_t e)
{
	return !e || E_TID(e) == t || E_CLK(e) <= vc[E_TID(e)];
}

static void read_add(struct cell *c, const uint32_t *vc, int t, uint32_t e,
		     uint8_t span, bool mk, uintptr_t pc)
{
	struct rset *s;

	if (!(c->r & RSHARED)) {
		if (hb(vc, t, c->r)) {
			c->r = e;
			c->rsz = span;
			c->rpc = pc;
			c->mk = (uint16_t)((c->mk & ~RMK) | (mk ? RMK : 0));
			return;
		}
		/* two concurrent reads: a set */
		rsets = grow(rsets, &caprsets, nrsets + 1, sizeof(*rsets));
		s = &rsets[nrsets];
		s->n = 1;
		s->e[0] = c->r;
		s->sz[0] = c->rsz;
		s->mk[0] = c->mk & RMK;
		s->pc[0] = c->rpc;
		c->r = RSHARED | (uint32_t)nrsets++;
	}
	s = &rsets[c->r & ~RSHARED];
	/* keep only the reads this one does not follow */
	{
		int k = 0;

		for (int i = 0; i < s->n; i++)
			if (!hb(vc, t, s->e[i])) {
				s->e[k] = s->e[i];
				s->sz[k] = s->sz[i];
				s->mk[k] = s->mk[i];
				s->pc[k] = s->pc[i];
				k++;
			}
		if (k == RMAX)
			k--;	/* drop the newest of a full set */
		s->e[k] = e;
		s->sz[k] = span;
		s->mk[k] = mk;
		s->pc[k] = pc;
		s->n = k + 1;
	}
}

/* Do two spans of one granule share a byte? */
static inline bool overlap(uint8_t x, uint8_t y)
{
	return (x >> 4) < (y >> 4) + (y & 15) && (y >> 4) < (x >> 4) + (x & 15);
}

/* Does the earlier access (epoch pe, marked pmk, span ps) race with this
 * one?  Not when ordered before it, nor when both are marked (KCSAN's
 * rule), nor when they touch different bytes of the granule. */
#define RACES(pe, pmk, ps) (!hb(vc, t, (pe)) && !(mk && (pmk)) && overlap(span, (ps)))

static void granule(uintptr_t a, size_t n, bool w, bool mk, uintptr_t pc, int t,
		    const uint32_t *vc, uint32_t e)
{
	struct cell *c = &cells[(a - sim__sh_lo) >> 3];
	uint8_t span = (uint8_t)((a & 7) << 4 | n);

	if (c->gen != gen) {
		memset(c, 0, sizeof(*c));
		c->gen = gen;
	}
	if (w) {
		if (c->w == e && !c->r) {
			if (!mk)
				c->mk &= ~WMK;	/* plain wins within an epoch */
			return;
		}
		if (RACES(c->w, c->mk & WMK, c->wsz))
			report(a, n, true, mk, pc, c->w, true, c->mk & WMK, c->wsz, c->wpc);
		else if (c->r & RSHARED) {
			const struct rset *s = &rsets[c->r & ~RSHARED];

			for (int i = 0; i < s->n; i++)
				if (RACES(s->e[i], s->mk[i], s->sz[i])) {
					report(a, n, true, mk, pc, s->e[i], false, s->mk[i],
					       s->sz[i], s->pc[i]);
					break;
				}
		} else if (RACES(c->r, c->mk & RMK, c->rsz)) {
			report(a, n, true, mk, pc, c->r, false, c->mk & RMK, c->rsz, c->rpc);
		}
		c->w = e;
		c->wsz = span;
		c->wpc = pc;
		c->r = 0;
		c->mk = mk ? WMK : 0;
		return;
	}
	if (c->r == e) {
		if (!mk)
			c->mk &= ~RMK;
		return;
	}
	if (RACES(c->w, c->mk & WMK, c->wsz))
		report(a, n, false, mk, pc, c->w, true, c->mk & WMK, c->wsz, c->wpc);
	read_add(c, vc, t, e, span, mk, pc);
}

void sim_race_access(const void *p, size_t n, bool is_write, uintptr_t pc)
{
	struct sim_thread *th = sim__world.cur;
	uintptr_t a = (uintptr_t)p, end;
	const uint32_t *vc;
	uint32_t e;
	int t;

	if (!th || !n || !sim__race_on || a - sim__sh_lo >= sim__sh_size || ignore_depth)
		return;
	if (unlikely(!cells) && !cells_map())
		return;
	if (unlikely(gen != sim__world.generation))
		sim__race_reset();
	t = th->tid;
	vc = rt[t].vc;
	e = vc[t] << TID_BITS | (uint32_t)t;
	end = a + n;
	if (end - sim__sh_lo > sim__sh_size)
		end = sim__sh_lo + sim__sh_size;
	/* each granule the access touches, with the bytes it touches there */
	while (a < end) {
		uintptr_t g_end = (a | 7) + 1;
		size_t k = (g_end < end ? g_end : end) - a;

		granule(a, k, is_write, sim_race_marked != 0, pc, t, vc, e);
		a += k;
	}
}

void sim_race_sync(const volatile void *p)
{
	if (!sim__race_on || !sim__world.cur)
		return;
	if (unlikely(gen != sim__world.generation))
		sim__race_reset();
	sim__race_acquire((const void *)p, NULL);
	sim__race_release((const void *)p, NULL);
}

/* Accesses between sim_race_ignore(1) and sim_race_ignore(-1) are not the
 * simulated kernel's (the checkers' reads through shim functions): not
 * checked nor recorded, as KCSAN's kcsan_disable_current. */
void sim_race_ignore(int delta)
{
	ignore_depth += delta;
}
