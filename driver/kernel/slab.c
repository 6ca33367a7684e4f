/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/slab.c - the checked kernel allocator behind kmalloc & co.
 *
 * Owns: the per-execution allocation arena, object metadata (allocation
 * and free sites/tasks), use-after-free / out-of-bounds classification of
 * faults, double/invalid free detection, the leak report and failslab; its part of a world snapshot.
 *
 * Three modes (not in ASan builds), chosen per execution:
 *
 * shadow (default when the kernel side is built with APSIM_KASAN, i.e.
 * -fsanitize=kernel-address, gcc or clang): objects are packed in one read/write
 * region with 16-byte redzones between them, and libsim's shadow memory
 * (sim/shadow.c) marks each granule addressable, redzone or freed.  Every
 * load and store of the instrumented driver and shim code, and every sync
 * primitive's object, is checked at the access: exact like the guard mode
 * (reads included, byte-exact bounds), without a system call per object.
 * Freed objects are never reused within an execution (quarantine).
 *
 * guard (APSIM_SLAB=guard; default without APSIM_KASAN): every object gets
 * its own page-granular slot in
 * one big PROT_NONE reservation: [object pages][guard page].  The object
 * ends at the end of its last page (8-byte aligned; the < 8 bytes of slack
 * behind it are a redzone checked at kfree), so an access past its end
 * hits the guard page, which is never made accessible.  kfree makes the
 * slot PROT_NONE again and never reuses it within the execution
 * (quarantine), so a later access faults and the fault classifier reports
 * a KASAN-like use-after-free with both sites.
 *
 * Protection changes are the dominant cost of an execution (a page-table
 * change, and on virtualised hosts a costly shadow fault at the next touch),
 * so the arena keeps a per-page protection state and only calls mprotect
 * when a page must change: shim_slab_reset() just rewinds the bump pointer,
 * and since executions of a scenario mostly repeat the same allocation
 * sequence, guard pages stay PROT_NONE and the pages of objects that were
 * live at the end of the previous execution stay accessible.  Within an
 * execution every page below the bump pointer is in exactly the state the
 * layout above prescribes (set at allocation and at kfree), so detection is
 * unchanged; pages above it may keep a previous execution's state.
 *
 * ASan builds (APSIM_ASAN or the sanitizer itself) use malloc, poison freed
 * objects with ASan and keep them until reset; faults are ASan's business.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__) || defined(APSIM_ASAN)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif

#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define SLAB_PAGE	4096UL
#define ARENA_SIZE	(8UL << 30)	/* virtual reservation */
#define SHADOW_ARENA	(1UL << 30)	/* shadow mode's region */
#define SHADOW_RZ	16		/* redzone behind every object */
#define REDZONE_BYTE	0xfc
#define UNINIT_BYTE	0xa5
#define POISON_FREE	0x6b	/* as the kernel's SLAB_POISON */

enum { SLOT_LIVE = 1, SLOT_FREED = 2 };

struct slot {
	uintptr_t start;		/* first page of the slot (shadow: the object) */
	uintptr_t end;			/* shadow mode: end of its redzone */
	uint32_t npages;		/* object pages; one guard page follows */
	size_t size;
	void *obj;
	const struct sim_site *asite, *fsite;
	const char *afn;		/* kmalloc, kzalloc ... */
	int atid, ftid;
	uint8_t state;
	bool persistent;
	bool sysfs_buf;
};

static struct slot *slots;
static size_t nslots, slots_cap;
#ifndef SLAB_ASAN
static uintptr_t arena, bump;
/* shadow mode: region and allocation pointer */
static uintptr_t sharena, shbump;
/* protection of each arena page: 0 = PROT_NONE, 1 = read/write */
static uint8_t *pstate;
#define ARENA_PAGES	(ARENA_SIZE / SLAB_PAGE)
#endif
static int failed_count;
/*
 * Mode: shadow, guard (quarantine by page protection: exact, every access
 * to a freed object faults) or, opt-in with APSIM_SLAB=poison in the
 * environment or shim_slab_set_mode(), poison, like SLUB debug: kfree fills
 * the object with POISON_FREE and the end-of-execution check
 * (shim_slab_leak_check) reports writes after free; reads of freed memory
 * are then only caught when the poison value crashes (pointers).  A mode
 * set while objects exist takes effect at the next reset.
 */
static int mode = -1, want_mode = -1;

static int default_mode(void)
{
	const char *e = getenv("APSIM_SLAB");

	if (e && !strcmp(e, "poison"))
		return SHIM_SLAB_POISON;
	if (e && !strcmp(e, "guard"))
		return SHIM_SLAB_GUARD;
#ifdef APSIM_KASAN
	return SHIM_SLAB_SHADOW;
#else
	return SHIM_SLAB_GUARD;	/* the kernel side is not instrumented */
#endif
}

static void mode_apply(void)
{
	if (nslots && mode >= 0)
		return;
	mode = want_mode >= 0 ? want_mode : default_mode();
#ifndef APSIM_KASAN
	if (mode == SHIM_SLAB_SHADOW)
		mode = SHIM_SLAB_GUARD;
#endif
}

void shim_slab_set_mode(int m)
{
	want_mode = m;
	mode_apply();
}

int shim_slab_mode(void)
{
#ifdef SLAB_ASAN
	return SHIM_SLAB_ASAN;
#else
	if (mode < 0)
		mode_apply();
	return mode;
#endif
}

void shim_slab_set_poison_mode(bool on)
{
	shim_slab_set_mode(on ? SHIM_SLAB_POISON : -1);
}

static bool poisoning(void)
{
	return shim_slab_mode() == SHIM_SLAB_POISON;
}

static bool shadowing(void)
{
	return mode == SHIM_SLAB_SHADOW;
}

/* failslab */
static bool fail_on;
static char fail_spec[128];
static int fail_nth, fail_seen;

/* last shim entry site per thread, for reports */
static const struct sim_site *last_site[SIM_MAX_THREADS + 1];

void shim_note_site(const struct sim_site *site)
{
	int tid = sim_tid();

	if (tid >= 0 && tid <= SIM_MAX_THREADS)
		last_site[tid] = site;
}

const struct sim_site *shim_last_site(int tid)
{
	return tid >= 0 && tid <= SIM_MAX_THREADS ? last_site[tid] : NULL;
}

static const char *base_name(const char *f)
{
	const char *s = f ? strrchr(f, '/') : NULL;

	return s ? s + 1 : (f ? f : "?");
}

static const char *site_text(const struct sim_site *s, char *buf, size_t len)
{
	if (!s) {
		snprintf(buf, len, "?");
		return buf;
	}
	snprintf(buf, len, "%s:%d (%s)", base_name(s->file), s->line, s->func ? s->func : "?");
	return buf;
}

/* A task id (sim_task_id) as "name/tid". */
static const char *task_text(int task, char *buf, size_t len)
{
	const char *n = task >= 0 ? sim_task_name(task) : NULL;

	snprintf(buf, len, "%s/%d", n ? n : (task < 0 ? "host" : "?"), SIM_TASK_TID(task));
	return buf;
}

static bool site_matches(const struct sim_site *s, const char *spec)
{
	char buf[160];

	if (!spec[0])
		return true;
	if (!s)
		return false;
	if (s->func && !strcmp(s->func, spec))
		return true;
	snprintf(buf, sizeof(buf), "%s:%d", base_name(s->file), s->line);
	if (!strcmp(buf, spec))
		return true;
	return !strcmp(base_name(s->file), spec);
}

void shim_slab_fail_set(const char *site_spec, int nth)
{
	if (!site_spec || nth < 0) {
		fail_on = false;
		return;
	}
	snprintf(fail_spec, sizeof(fail_spec), "%s", site_spec);
	fail_nth = nth;
	fail_seen = 0;
	fail_on = true;
}

int shim_slab_failed_count(void)
{
	return failed_count;
}

/* should_failslab (mm/failslab.c, 6.1 and 6.12), as with ignore-gfp-wait=N:
 * the caller has already let __GFP_NOFAIL and size 0 through. */
static bool should_fail(const struct sim_site *site)
{
	if (!fail_on || !site_matches(site, fail_spec))
		return false;
	fail_seen++;
	if (fail_nth == 0 || fail_seen == fail_nth) {
		failed_count++;
		sim_trace_note(site, "failslab: allocation failed (injected)");
		return true;
	}
	return false;
}

static struct slot *new_slot(void)
{
	if (nslots == slots_cap) {
		size_t ncap = slots_cap ? slots_cap * 2 : 4096;
		struct slot *n = realloc(slots, ncap * sizeof(*n));

		if (!n)
			return NULL;
		slots = n;
		slots_cap = ncap;
	}
	memset(&slots[nslots], 0, sizeof(slots[0]));
	return &slots[nslots++];
}

#ifndef SLAB_ASAN
/* ------------------------------------------------------ page-slot arena */

static void fault_classifier_install(void);

static bool arena_init(void)
{
	void *p;

	if (arena)
		return true;
	p = mmap(NULL, ARENA_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return false;
	pstate = mmap(NULL, ARENA_PAGES, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pstate == MAP_FAILED) {
		munmap(p, ARENA_SIZE);
		pstate = NULL;
		return false;
	}
	arena = bump = (uintptr_t)p;
	fault_classifier_install();
	return true;
}

/* The slot holding address a (object pages or its guard page; shadow mode:
 * the object or the redzone behind it), or NULL.  Slots are in address
 * order. */
static struct slot *slot_of(uintptr_t a)
{
	size_t lo = 0, hi = nslots;

	if (shadowing() ? a < sharena || a >= shbump : !arena || a < arena || a >= bump)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (slots[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a < slots[lo - 1].end ? &slots[lo - 1] : NULL;
}

/*
 * Give pages [start, start + n pages) protection rw (1) or none (0), with
 * one mprotect per maximal run of pages whose state must change.
 */
static int pages_set(uintptr_t start, size_t n, uint8_t rw)
{
	size_t first = (start - arena) / SLAB_PAGE, end = first + n, i = first;

	while (i < end) {
		size_t j;

		if (pstate[i] == rw) {
			i++;
			continue;
		}
		for (j = i + 1; j < end && pstate[j] != rw; j++)
			;
		if (mprotect((void *)(arena + i * SLAB_PAGE), (j - i) * SLAB_PAGE,
			     rw ? PROT_READ | PROT_WRITE : PROT_NONE))
			return -1;
		memset(pstate + i, rw, j - i);
		i = j;
	}
	return 0;
}


/* ------------------------------------------------------- shadow arena */

static void slab_shadow_report(uintptr_t addr, size_t size, bool is_write, uintptr_t pc,
			       uint8_t code, const struct sim_site *site);

/*
 * Shadow mode: an object's slot index is kept in the 8 bytes before it,
 * which are always redzone (the previous object's SHADOW_RZ, an alignment
 * gap, or the arena's first redzone), as a tag and the index: kfree finds
 * its slot with one load instead of a binary search over every slot (2 %
 * of a generated world, most of it cache misses).  The allocator's own
 * bytes: not instrumented, restored with the arena by a snapshot, and a
 * driver write there (a KASAN report) only makes the check below fail over
 * to the search.
 */
#define RZ_TAG 0x736c6f74u	/* "slot" */

static inline void rz_tag_set(uintptr_t obj, size_t idx)
{
	uint64_t v = ((uint64_t)RZ_TAG << 32) | (uint32_t)idx;

	memcpy((void *)(obj - 8), &v, sizeof(v));
}

/* The slot of the object at a, by its tag; NULL: ask slot_of. */
static inline struct slot *rz_tag_slot(uintptr_t a)
{
	uint64_t v;

	if (!shadowing() || (a & 7) || a < sharena + 8 || a >= shbump)
		return NULL;
	memcpy(&v, (const void *)(a - 8), sizeof(v));
	if ((uint32_t)(v >> 32) != RZ_TAG || (uint32_t)v >= nslots ||
	    (uintptr_t)slots[(uint32_t)v].obj != a)
		return NULL;
	return &slots[(uint32_t)v];
}

static void *shadow_alloc(size_t size, bool zero, struct slot **out)
{
	size_t rsize = (size + 7) & ~7UL, align = 8;
	uintptr_t obj, next;
	struct slot *s;

	if (!sharena) {
		void *p = sim_shadow_reserve(SHADOW_ARENA, slab_shadow_report);

		if (!p)
			return NULL;
		sharena = (uintptr_t)p;
		fault_classifier_install();	/* faults above the used part */
		sim_shadow_poison(p, SHADOW_RZ, SIM_SHADOW_REDZONE);
		shbump = sharena + SHADOW_RZ;
	}
	/* kmalloc aligns power-of-two sizes naturally, up to a page (a
	 * PAGE_SIZE sysfs buffer is page aligned, which sysfs_emit checks) */
	if (!(size & (size - 1)))
		align = size < 8 ? 8 : size < SLAB_PAGE ? size : SLAB_PAGE;
	obj = (shbump + align - 1) & ~(uintptr_t)(align - 1);
	next = obj + rsize + SHADOW_RZ;
	if (next > sharena + SHADOW_ARENA)
		return NULL;
	s = new_slot();
	if (!s)
		return NULL;
	sim_shadow_poison((void *)shbump, obj - shbump, SIM_SHADOW_REDZONE);
	sim_shadow_unpoison((void *)obj, size);
	/* a partial last granule is encoded by unpoison; then the redzone */
	sim_shadow_poison((void *)(obj + rsize), SHADOW_RZ, SIM_SHADOW_REDZONE);
	shbump = next;
	s->start = obj;
	s->end = next;
	s->size = size;
	s->obj = (void *)obj;
	memset(s->obj, zero ? 0 : UNINIT_BYTE, size);
	memset((char *)s->obj + size, REDZONE_BYTE, rsize - size);
	rz_tag_set(obj, (size_t)(s - slots));
	*out = s;
	return s->obj;
}

static void *slot_alloc(size_t size, bool zero, struct slot **out)
{
	size_t rsize = (size + 7) & ~7UL;
	uint32_t npages = (uint32_t)((rsize + SLAB_PAGE - 1) / SLAB_PAGE);
	uintptr_t start, end;
	struct slot *s;

	if (!nslots)
		mode_apply();
	if (shadowing())
		return shadow_alloc(size, zero, out);
	if (!arena_init())
		return NULL;
	if (!npages)
		npages = 1;
	if (bump + (npages + 1) * SLAB_PAGE > arena + ARENA_SIZE)
		return NULL;
	s = new_slot();
	if (!s)
		return NULL;
	start = bump;
	bump += (npages + 1) * SLAB_PAGE;
	end = start + npages * SLAB_PAGE;
	if (pages_set(start, npages, 1) || pages_set(end, 1, 0)) {
		nslots--;
		bump = start;
		return NULL;
	}
	s->start = start;
	s->end = end + SLAB_PAGE;
	s->npages = npages;
	s->size = size;
	s->obj = (void *)(end - rsize);
	memset(s->obj, zero ? 0 : UNINIT_BYTE, size);
	memset((char *)s->obj + size, REDZONE_BYTE, rsize - size);
	*out = s;
	return s->obj;
}

static void slot_release(struct slot *s)
{
	if (shadowing())
		sim_shadow_poison(s->obj, (s->size + 7) & ~7UL, SIM_SHADOW_FREED);
	else if (poisoning())
		memset(s->obj, POISON_FREE, s->size);
	else
		pages_set(s->start, s->npages, 0);
}

static bool redzone_ok(const struct slot *s)
{
	size_t rsize = (s->size + 7) & ~7UL;
	const unsigned char *p = (const unsigned char *)s->obj + s->size;

	for (size_t i = 0; i < rsize - s->size; i++)
		if (p[i] != REDZONE_BYTE)
			return false;
	return true;
}

static struct slot *slot_find_obj(const void *p)
{
	struct slot *s = rz_tag_slot((uintptr_t)p);

	if (s)
		return s;
	s = slot_of((uintptr_t)p);
	return s && s->obj == p ? s : NULL;
}

void shim_slab_reset(void)
{
	if (sharena && shbump > sharena) {
		size_t used = shbump - sharena;

		/* back to unused (above shbump it already is) */
		sim_shadow_poison((void *)sharena, used, SIM_SHADOW_UNUSED);
		if (used > (256UL << 20))
			madvise((void *)sharena, used, MADV_DONTNEED);
		sim_shadow_poison((void *)sharena, SHADOW_RZ, SIM_SHADOW_REDZONE);
		shbump = sharena + SHADOW_RZ;
	}
	/* no protection change here: the next execution's allocations and
	 * kfrees set each page they use (see pages_set) */
	if (arena && bump > arena) {
		size_t used = bump - arena;

		/* give memory back now and then: a long exploration must not grow */
		if (used > (256UL << 20))
			madvise((void *)arena, used, MADV_DONTNEED);
	}
	bump = arena;
	nslots = 0;
	failed_count = 0;
	memset(last_site, 0, sizeof(last_site));
	mode_apply();
}

/* ------------------------------------------------------ fault reports */

/* Where an access happened: the sync primitive's call site, or the code
 * address symbolized ("func (file:line) inlined in ..."). */
static void access_where(const struct sim_site *site, uintptr_t pc, char *where, size_t len)
{
	if (site)
		snprintf(where, len, "%s (%s:%d)", site->func ? site->func : "?",
			 base_name(site->file), site->line);
	else
		sim_symbolize(pc, where, len);
}

/* "last shim call of the task: SITE\n", or "" when the task made none */
static const char *last_call_line(const struct sim_site *ls, char *buf, size_t len)
{
	char st[160];

	if (!ls) {
		buf[0] = 0;
		return buf;
	}
	snprintf(buf, len, "last shim call of the task: %s\n", site_text(ls, st, sizeof(st)));
	return buf;
}

static const char *size_text(size_t size, char *buf, size_t len)
{
	if (size)
		snprintf(buf, len, "%zu", size);
	else
		snprintf(buf, len, "?");
	return buf;
}

static void report_access(struct slot *s, uintptr_t a, bool is_write, bool oob,
			  uintptr_t pc, size_t size, const struct sim_site *site)
{
	char t1[96], t2[96], t3[96], s1[160], s2[160], sig[200], sz[24];
	int tid = sim_tid();
	const struct sim_site *ls = shim_last_site(tid);
	long off = (long)(a - (uintptr_t)s->obj);
	const char *afunc = s->asite && s->asite->func ? s->asite->func : "?";
	const char *kind = oob ? "slab-out-of-bounds" : "use-after-free";

	if (s->sysfs_buf && oob) {
		char drv[96];

		/* named after the driver's show function that overflowed (the
		 * innermost driver frame), else the last shim call */
		sim_backtrace_driver_func(drv, sizeof(drv));
		snprintf(sig, sizeof(sig), "memory:sysfs-show-overflow:%s",
			 drv[0] ? drv : ls && ls->func ? ls->func : "?");
		sim_report(SIM_F_MEMORY, true, sig,
			   "BUG: sysfs show buffer overflow\n"
			   "%s of size %s at offset %ld of the %zu-byte show buffer by task %s\n"
			   "last shim call: %s\n",
			   is_write ? "Write" : "Read", size_text(size, sz, sizeof(sz)), off, s->size,
			   task_text(sim_task_id(), t1, sizeof(t1)), site_text(ls, s1, sizeof(s1)));
		return;
	}
	char where[300], s3[160];

	access_where(site, pc ? pc : sim_fault_pc(), where, sizeof(where));
	if (!strcmp(where, "?") && ls && ls->func)
		snprintf(where, sizeof(where), "%s", ls->func);
	/* dedup key: kind, the object's allocating function and the driver
	 * function that made the access (else the innermost frame), no line */
	if (!sim_backtrace_driver_func(s3, sizeof(s3))[0])
		snprintf(s3, sizeof(s3), "%.*s", (int)strcspn(where, " "), where);
	snprintf(sig, sizeof(sig), "memory:%s:%s@%s", kind, afunc, s3);
	sim_report(SIM_F_MEMORY, true, sig,
		   "==================================================================\n"
		   "BUG: KASAN: %s in %s\n"
		   "%s of size %s at offset %ld of a %zu-byte object (%s) by task %s\n"
		   "%s\n"
		   "Allocated by task %s:\n %s at %s\n\n"
		   "%s%s%s%s%s"
		   "==================================================================\n",
		   kind, where,
		   is_write ? "Write" : "Read", size_text(size, sz, sizeof(sz)), off, s->size,
		   off < 0 ? "before its start" : (size_t)off >= s->size ? "past its end" : "inside",
		   task_text(sim_task_id(), t1, sizeof(t1)), last_call_line(ls, s1, sizeof(s1)),
		   task_text(s->atid, t2, sizeof(t2)), s->afn ? s->afn : "kmalloc",
		   site_text(s->asite, s2, sizeof(s2)),
		   s->state == SLOT_FREED ? "Freed by task " : "",
		   s->state == SLOT_FREED ? task_text(s->ftid, t3, sizeof(t3)) : "",
		   s->state == SLOT_FREED ? ":\n kfree at " : "",
		   s->state == SLOT_FREED ? site_text(s->fsite, s3, sizeof(s3)) : "",
		   s->state == SLOT_FREED ? "\n" : "");
}

static void slab_shadow_report(uintptr_t a, size_t size, bool is_write, uintptr_t pc,
			       uint8_t code, const struct sim_site *site);

static bool slab_fault_classifier(void *addr, bool is_write)
{
	uintptr_t a = (uintptr_t)addr;
	struct slot *s = slot_of(a);

	if (!s && sharena && a - sharena < SHADOW_ARENA) {
		/* shadow mode, inline instrumentation: the region above what
		 * was ever handed out is not mapped (sim/shadow.c), an access
		 * there faults instead of reaching the shadow check */
		uintptr_t pc = 0;

		sim_fault_backtrace(&pc, 1);
		slab_shadow_report(a, 0, is_write, pc, SIM_SHADOW_UNUSED, NULL);
		return true;
	}
	if (!s)
		return false;
	if (a >= s->start + s->npages * SLAB_PAGE)
		report_access(s, a, is_write, true, 0, 0, NULL);
	else if (s->state == SLOT_FREED && !poisoning())
		report_access(s, a, is_write, false, 0, 0, NULL);
	else
		return false;	/* a live object's page: not ours to explain */
	return true;
}

/* A bad access found by the shadow check (instrumented code). */
static void slab_shadow_report(uintptr_t a, size_t size, bool is_write, uintptr_t pc,
			       uint8_t code, const struct sim_site *site)
{
	struct slot *s = slot_of(a);
	char where[300], sig[200], t1[96], s1[160], sz[24];
	const struct sim_site *ls;

	if (s) {
		report_access(s, a, is_write, code != SIM_SHADOW_FREED, pc, size, site);
		return;
	}
	ls = shim_last_site(sim_tid());
	access_where(site, pc, where, sizeof(where));
	snprintf(sig, sizeof(sig), "memory:wild-memory-access@%.*s",
		 (int)strcspn(where, " "), where);
	sim_report(SIM_F_MEMORY, true, sig,
		   "==================================================================\n"
		   "BUG: KASAN: wild-memory-access in %s\n"
		   "%s of size %s at a slab address that is no object (%s) by task %s\n"
		   "%s"
		   "==================================================================\n",
		   where, is_write ? "Write" : "Read", size_text(size, sz, sizeof(sz)),
		   code == SIM_SHADOW_UNUSED ? "not allocated in this execution" : "between objects",
		   task_text(sim_task_id(), t1, sizeof(t1)), last_call_line(ls, s1, sizeof(s1)));
}

static void fault_classifier_install(void)
{
	sim_set_fault_classifier(slab_fault_classifier);
}

#else
/* ---------------------------------------------------------- ASan mode */

static struct slot *slot_find_obj(const void *p)
{
	for (size_t i = nslots; i-- > 0;)
		if (slots[i].obj == p)
			return &slots[i];
	return NULL;
}

static struct slot *slot_of(uintptr_t a)
{
	for (size_t i = nslots; i-- > 0;)
		if (a >= (uintptr_t)slots[i].obj && a < (uintptr_t)slots[i].obj + slots[i].size)
			return &slots[i];
	return NULL;
}


static void *slot_alloc(size_t size, bool zero, struct slot **out)
{
	struct slot *s = new_slot();
	void *p;

	if (!s)
		return NULL;
	/* kmalloc aligns power-of-two sizes naturally (a PAGE_SIZE buffer is
	 * page aligned, which sysfs_emit checks) */
	{
		size_t al = 16, sz = size ? size : 1;

		if (!(sz & (sz - 1)))
			al = sz < 4096 ? (sz < 16 ? 16 : sz) : 4096;
		p = aligned_alloc(al, (sz + al - 1) / al * al);
	}
	if (!p) {
		nslots--;
		return NULL;
	}
	memset(p, zero ? 0 : UNINIT_BYTE, size);
	s->size = size;
	s->obj = p;
	*out = s;
	return p;
}

static void slot_release(struct slot *s)
{
	ASAN_POISON_MEMORY_REGION(s->obj, s->size ? s->size : 1);
}

static bool redzone_ok(const struct slot *s)
{
	return true;
}

void shim_slab_reset(void)
{
	for (size_t i = 0; i < nslots; i++) {
		ASAN_UNPOISON_MEMORY_REGION(slots[i].obj, slots[i].size ? slots[i].size : 1);
		free(slots[i].obj);
	}
	nslots = 0;
	failed_count = 0;
	memset(last_site, 0, sizeof(last_site));
}
#endif

/* ----------------------------------------------------------- allocation */

/* kmalloc (include/linux/slab.h, mm/slab_common.c, 6.1 and 6.12): size 0
 * -> ZERO_SIZE_PTR (no failslab), > KMALLOC_MAX_SIZE -> NULL. */
static void *do_alloc(size_t size, gfp_t flags, const struct sim_site *site, const char *fn,
		      bool sysfs_buf)
{
	struct slot *s = NULL;
	void *p;

	shim_note_site(site);
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	if (!(flags & __GFP_NOFAIL) && should_fail(site))
		return NULL;
	p = slot_alloc(size, flags & __GFP_ZERO, &s);
	if (!p)
		return NULL;
	s->asite = site;
	s->afn = fn;
	s->atid = sim_task_id();
	s->state = SLOT_LIVE;
	s->sysfs_buf = sysfs_buf;
	return p;
}

void *shim_kmalloc(size_t size, gfp_t flags, const struct sim_site *site)
{
	return do_alloc(size, flags, site, (flags & __GFP_ZERO) ? "kzalloc" : "kmalloc", false);
}

/* kmalloc_array / kcalloc (include/linux/slab.h, 6.1 and 6.12): NULL on
 * overflow. */
void *shim_kmalloc_array(size_t n, size_t size, gfp_t flags, const struct sim_site *site)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return do_alloc(n * size, flags, site, (flags & __GFP_ZERO) ? "kcalloc" : "kmalloc_array",
			false);
}

/* A PAGE_SIZE buffer for sysfs show() with the guard page right behind. */
void *shim_slab_sysfs_buf(const struct sim_site *site)
{
	return do_alloc(SLAB_PAGE, GFP_KERNEL | __GFP_ZERO | __GFP_NOFAIL, site, "sysfs_buf", true);
}

static void report_free(const char *kind, struct slot *s, const void *p,
			const struct sim_site *site)
{
	char t1[96], t2[96], t3[96], s1[160], s2[160], s3[160], sig[200];
	const char *afunc = s && s->asite && s->asite->func ? s->asite->func :
			    (site && site->func ? site->func : "?");

	snprintf(sig, sizeof(sig), "memory:%s:%s@%s", kind, afunc,
		 site && site->func ? site->func : "?");
	if (!s) {
		sim_report(SIM_F_MEMORY, true, sig,
			   "BUG: KASAN: %s in %s\n"
			   "kfree of a pointer that is no slab object (%s) by task %s at %s\n",
			   kind, site && site->func ? site->func : "?",
			   p ? "not an object start" : "NULL",
			   task_text(sim_task_id(), t1, sizeof(t1)), site_text(site, s1, sizeof(s1)));
		return;
	}
	sim_report(SIM_F_MEMORY, true, sig,
		   "BUG: KASAN: %s in %s\n"
		   "kfree of a %zu-byte object by task %s at %s\n\n"
		   "Allocated by task %s:\n %s at %s\n\n"
		   "%s%s%s%s",
		   kind, site && site->func ? site->func : "?", s->size,
		   task_text(sim_task_id(), t1, sizeof(t1)), site_text(site, s1, sizeof(s1)),
		   task_text(s->atid, t2, sizeof(t2)), s->afn ? s->afn : "kmalloc",
		   site_text(s->asite, s2, sizeof(s2)),
		   s->state == SLOT_FREED ? "Freed (first) by task " : "",
		   s->state == SLOT_FREED ? task_text(s->ftid, t3, sizeof(t3)) : "",
		   s->state == SLOT_FREED ? ":\n kfree at " : "",
		   s->state == SLOT_FREED ? site_text(s->fsite, s3, sizeof(s3)) : "");
}

/* kfree (mm/slab_common.c, 6.1 and 6.12): NULL and ZERO_SIZE_PTR ignored;
 * KASAN's double-free / invalid-free reports. */
void shim_kfree(const void *p, const struct sim_site *site)
{
	struct slot *s;

	shim_note_site(site);
	if (ZERO_OR_NULL_PTR(p))
		return;
	s = slot_find_obj(p);
	if (!s) {
		report_free("invalid-free", slot_of((uintptr_t)p), p, site);
		return;
	}
	if (s->state == SLOT_FREED) {
		report_free("double-free", s, p, site);
		return;
	}
	if (!redzone_ok(s))
		report_free("slab-out-of-bounds", s, p, site);
	s->state = SLOT_FREED;
	s->fsite = site;
	s->ftid = sim_task_id();
	slot_release(s);
	sim_point_freed(s->obj, s->size);
}

/* ksize (6.1 and 6.12): the requested size here, the bucket's there. */
size_t shim_ksize(const void *p)
{
	struct slot *s = slot_find_obj(p);

	return s && s->state == SLOT_LIVE ? s->size : 0;
}

/* krealloc (mm/slab_common.c __do_krealloc, 6.1 and 6.12): always a new
 * object (the kernel keeps one that fits, docs/shim-fidelity.md). */
void *shim_krealloc(const void *p, size_t size, gfp_t flags, const struct sim_site *site)
{
	size_t old = p ? shim_ksize(p) : 0;
	void *n;

	if (!size) {
		shim_kfree(p, site);
		return ZERO_SIZE_PTR;
	}
	n = do_alloc(size, flags, site, "krealloc", false);
	if (!n)
		return NULL;
	if (old)
		memcpy(n, p, old < size ? old : size);
	shim_kfree(p, site);
	return n;
}

/* kmemdup, kstrdup, kstrndup (mm/util.c, 6.1 and 6.12). */
void *shim_kmemdup(const void *src, size_t len, gfp_t flags, const struct sim_site *site)
{
	void *p = do_alloc(len, flags, site, "kmemdup", false);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

char *shim_kstrdup(const char *s, gfp_t flags, const struct sim_site *site)
{
	return s ? shim_kmemdup(s, strlen(s) + 1, flags, site) : NULL;
}

char *shim_kstrndup(const char *s, size_t max, gfp_t flags, const struct sim_site *site)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strnlen(s, max);
	p = do_alloc(n + 1, flags, site, "kstrndup", false);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

/* Plain functions for use as pointers (no caller site available). */
static const struct sim_site fnptr_site = { "slab.c", 0, "(function pointer)" };

void *(kmalloc)(size_t size, gfp_t flags)
{
	return shim_kmalloc(size, flags, &fnptr_site);
}

void *(kzalloc)(size_t size, gfp_t flags)
{
	return shim_kmalloc(size, flags | __GFP_ZERO, &fnptr_site);
}

void (kfree)(const void *p)
{
	shim_kfree(p, &fnptr_site);
}

/* --------------------------------------------------------------- checks */

void shim_slab_set_persistent(const void *p, bool persistent)
{
	struct slot *s = slot_find_obj(p);

	if (s)
		s->persistent = persistent;
}

int shim_slab_live_count(void)
{
	int n = 0;

	for (size_t i = 0; i < nslots; i++)
		n += slots[i].state == SLOT_LIVE;
	return n;
}

/* Poison mode: a freed object whose poison changed was written after free. */
static void poison_check(void)
{
#ifndef SLAB_ASAN
	static unsigned char poison_page[SLAB_PAGE];

	if (!poisoning())
		return;
	if (poison_page[0] != POISON_FREE)
		memset(poison_page, POISON_FREE, sizeof(poison_page));
	for (size_t i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];
		const unsigned char *p = s->obj;
		char t1[96], t2[96], s1[160], s2[160], sig[200];
		size_t off;

		if (s->state != SLOT_FREED)
			continue;
		for (off = 0; off < s->size; off += SLAB_PAGE) {
			size_t n = s->size - off < SLAB_PAGE ? s->size - off : SLAB_PAGE;

			if (memcmp(p + off, poison_page, n))
				break;
		}
		if (off >= s->size)
			continue;
		while (p[off] == POISON_FREE)
			off++;
		snprintf(sig, sizeof(sig), "memory:use-after-free:%s",
			 s->asite && s->asite->func ? s->asite->func : "?");
		sim_report(SIM_F_MEMORY, true, sig,
			   "==================================================================\n"
			   "BUG: KASAN: use-after-free (poison overwritten, found at the end of the execution)\n"
			   "Write at offset %zu of a freed %zu-byte object\n\n"
			   "Allocated by task %s:\n %s at %s\n\n"
			   "Freed by task %s:\n kfree at %s\n"
			   "==================================================================\n",
			   off, s->size, task_text(s->atid, t1, sizeof(t1)),
			   s->afn ? s->afn : "kmalloc", site_text(s->asite, s1, sizeof(s1)),
			   task_text(s->ftid, t2, sizeof(t2)), site_text(s->fsite, s2, sizeof(s2)));
	}
#endif
}

/* Leaks are grouped (and named) by the allocating function and file: two
 * allocation lines of one function are one leak signature. */
static bool same_leak_site(const struct slot *a, const struct slot *b)
{
	const struct sim_site *x = a->asite, *y = b->asite;

	if (x == y)
		return true;
	if (!x || !y || !x->func || !y->func)
		return false;
	return !strcmp(x->func, y->func) && !strcmp(base_name(x->file), base_name(y->file));
}

int shim_slab_leak_check(void)
{
	int total = 0;
	bool *done;

	poison_check();
	{
		size_t i;

		for (i = 0; i < nslots; i++)
			if (slots[i].state == SLOT_LIVE && !slots[i].persistent)
				break;
		if (i == nslots)
			return 0;	/* the common case: nothing leaked */
	}
	done = calloc(nslots ? nslots : 1, sizeof(bool));

	for (size_t i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];
		char sig[200], s1[160], t1[96];
		size_t bytes = 0;
		int count = 0;

		if (s->state != SLOT_LIVE || s->persistent || (done && done[i]))
			continue;
		/* group by allocation site, in allocation order */
		for (size_t j = i; j < nslots; j++) {
			struct slot *o = &slots[j];

			if (o->state == SLOT_LIVE && !o->persistent && same_leak_site(o, s) &&
			    !(done && done[j])) {
				count++;
				bytes += o->size;
				if (done)
					done[j] = true;
			}
		}
		total += count;
		/* function and file, not the line: the signature stays when a
		 * patch moves the allocation (the report names the line) */
		snprintf(sig, sizeof(sig), "memory:leak:%s@%s",
			 s->asite && s->asite->func ? s->asite->func : "?",
			 s->asite ? base_name(s->asite->file) : "?");
		sim_report(SIM_F_MEMORY, false, sig,
			   "BUG: memory leak\nunreferenced object(s): %d, %zu bytes, first of size %zu\n"
			   "  allocated by task %s:\n  %s at %s\n",
			   count, bytes, s->size, task_text(s->atid, t1, sizeof(t1)),
			   s->afn ? s->afn : "kmalloc", site_text(s->asite, s1, sizeof(s1)));
	}
	free(done);
	return total;
}

/* ------------------------------------------------------ world snapshots */

/*
 * The allocator's part of a world snapshot (driver/kernel/module.c): the
 * objects of the set-up part (the used part of the shadow region, byte for
 * byte, and its shadow), their metadata, the bump pointer, failslab and the
 * last sites.  Shadow mode only (the default); in the other modes a snapshot
 * is refused and every execution rebuilds the world.  The slot array and the
 * region stay where they are (they are the process's, not the execution's).
 */
#ifndef SLAB_ASAN
static struct {
	bool valid;
	size_t nslots, used;
	struct slot *slots;
	void *bytes, *shadow;
	int failed_count, mode, want_mode;
	bool fail_on;
	char fail_spec[128];
	int fail_nth, fail_seen;
	const struct sim_site *last_site[SIM_MAX_THREADS + 1];
} ss;

static struct shim_snap_buf ss_mem[3];   /* ss.slots, ss.bytes, ss.shadow */

void shim_slab_snapshot_drop(void)
{
	memset(&ss, 0, sizeof(ss));
}

int shim_slab_snapshot_save(void)
{
	shim_slab_snapshot_drop();
	if (!shadowing() || !sharena || shbump < sharena)
		return -EAGAIN;
	ss.nslots = nslots;
	ss.used = shbump - sharena;
	ss.slots = shim_snap_buf(&ss_mem[0], sizeof(*slots) * (nslots ? nslots : 1));
	ss.bytes = shim_snap_buf(&ss_mem[1], ss.used ? ss.used : 1);
	ss.shadow = shim_snap_buf(&ss_mem[2], ss.used / 8 + 1);
	if (!ss.slots || !ss.bytes || !ss.shadow) {
		shim_slab_snapshot_drop();
		return -ENOMEM;
	}
	memcpy(ss.slots, slots, sizeof(*slots) * nslots);
	memcpy(ss.bytes, (void *)sharena, ss.used);
	sim_shadow_save((void *)sharena, ss.used, ss.shadow);
	ss.failed_count = failed_count;
	ss.mode = mode;
	ss.want_mode = want_mode;
	ss.fail_on = fail_on;
	memcpy(ss.fail_spec, fail_spec, sizeof(fail_spec));
	ss.fail_nth = fail_nth;
	ss.fail_seen = fail_seen;
	memcpy(ss.last_site, last_site, sizeof(last_site));
	ss.valid = true;
	return 0;
}

int shim_slab_snapshot_restore(void)
{
	uintptr_t end = sharena + ss.used;

	if (!ss.valid || !sharena || ss.nslots > slots_cap)
		return -EINVAL;
	/* what the last execution allocated past the snapshot: unused again */
	if (shbump > end)
		sim_shadow_poison((void *)end, shbump - end, SIM_SHADOW_UNUSED);
	memcpy((void *)sharena, ss.bytes, ss.used);
	sim_shadow_restore((void *)sharena, ss.used, ss.shadow);
	shbump = end;
	nslots = ss.nslots;
	memcpy(slots, ss.slots, sizeof(*slots) * ss.nslots);
	failed_count = ss.failed_count;
	mode = ss.mode;
	want_mode = ss.want_mode;
	fail_on = ss.fail_on;
	memcpy(fail_spec, ss.fail_spec, sizeof(fail_spec));
	fail_nth = ss.fail_nth;
	fail_seen = ss.fail_seen;
	memcpy(last_site, ss.last_site, sizeof(last_site));
	return 0;
}
#else
void shim_slab_snapshot_drop(void)
{
}

int shim_slab_snapshot_save(void)
{
	return -EAGAIN;   /* objects are the sanitizer's */
}

int shim_slab_snapshot_restore(void)
{
	return -EINVAL;
}
#endif

/* The allocator's part of shim_world_state_hash (module.c): the arena's
 * used part, its shadow (what is allocated, freed, a redzone) and the slot
 * table.  Not in shadow mode: no hash (h zeroed: nothing is compared). */
#ifdef SLAB_ASAN
void shim_slab_state_hash(uint64_t h[2])
{
	h[0] = h[1] = 0;   /* objects are the sanitizer's */
}
#else
static struct shim_snap_buf sh_shadow __attribute__((section("apsim_keep")));

void shim_slab_state_hash(uint64_t h[2])
{
	size_t used;
	void *buf;

	if (!shadowing() || !sharena || shbump < sharena) {
		h[0] = h[1] = 0;
		return;
	}
	used = shbump - sharena;
	shim_hash_words(h, (const void *)sharena, used);
	buf = shim_snap_buf(&sh_shadow, used / 8 + 1);
	if (!buf) {
		h[0] = h[1] = 0;
		return;
	}
	sim_shadow_save((const void *)sharena, used, buf);
	shim_hash_words(h, buf, used / 8);
	shim_hash_words(h, slots, sizeof(*slots) * nslots);
}
#endif
