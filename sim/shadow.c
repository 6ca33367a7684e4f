/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/shadow.c - shadow memory for one region: a software KASAN.
 *
 * Owns: the region the allocator reserves (sim_shadow_reserve), its shadow
 * (one byte per 8-byte granule, ASan's encoding), the access check, and the
 * entry points that `-fsanitize=kernel-address` (gcc or clang) emits in the
 * code built with it (the real driver and the shim kernel): inline
 * instrumentation's __asan_report_{load,store}{1,2,4,8,16,_n}_noabort (the
 * default build, SIM_SHADOW_OFFSET: the shadow of the address space and the
 * race detector's gate, below) and outline instrumentation's
 * __asan_{load,store}{1,2,4,8,16,N}_noabort (`make KASAN_INLINE=0`).
 *
 * Why: an exact use-after-free/out-of-bounds check must catch reads too, at
 * the access, with the faulting function.  Page protection does that but
 * costs a page-table change per kmalloc/kfree (a syscall, and on virtual
 * machines an exit), which dominated an execution and stopped parallel
 * workers from scaling.  Checking a shadow byte costs a compare in the
 * common case (an address outside the region) and a table load inside it.
 *
 * Code that is not instrumented (libsim, libc) is not checked, except the
 * sync primitives, which check their object at every entry (sync.c), so a
 * lock taken in a freed object is reported like any other access.
 *
 * Not built into ASan builds: there the compiler runtime owns __asan_*.
 */
#include "internal.h"

/* ASan builds: the compiler runtime owns __asan_* and the shadow. */
#if !defined(APSIM_ASAN) && !defined(__SANITIZE_ADDRESS__)
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHADOW_NO_HOOKS 1
#endif
#endif
#else
#define SHADOW_NO_HOOKS 1
#endif
#ifdef SHADOW_NO_HOOKS
#undef SIM_SHADOW_OFFSET
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

uintptr_t sim__sh_lo, sim__sh_size;	/* size 0: no region */
#define sh_lo sim__sh_lo
#define sh_size sim__sh_size
int8_t *sim__sh_map;
uintptr_t sim__sh_valid;	/* granules below this offset are set */
#define sh_map sim__sh_map
#define sh_valid sim__sh_valid
static sim_shadow_reporter sh_report;
static sim_shadow_watcher sh_watcher;	/* accesses to SIM_SHADOW_WATCH granules */

#ifdef SIM_SHADOW_OFFSET
/*
 * Inline instrumentation (the default build): the compiler checks every
 * access of the instrumented code itself, reading the shadow byte at
 * (a >> 3) + SIM_SHADOW_OFFSET and calling __asan_report_* only when it is
 * not 0.  So the shadow of the whole user address space is mapped, read
 * only, at startup (zero pages: addressable, no memory), and the region's
 * part is made writable by sim_shadow_reserve: that part is sh_map, the
 * shadow the allocator writes.
 *
 * The gate: with the race detector on, every region access must reach the
 * hooks, not only the bad ones.  Then the region's part of the compiler's
 * shadow (the gate) holds SIM_SHADOW_GATE everywhere and the real shadow
 * moves to a buffer of its own (sh_map points to it); the hooks check
 * there.  Turned back off, the real shadow is copied back.
 *
 * Memory of the region above sh_valid (never handed out) is PROT_NONE:
 * its shadow reads 0, so an access there faults (a crash finding) instead
 * of the outline build's `unused` report.
 */
#define GATE_SPAN ((1UL << 47) >> 3)	/* the shadow of 128 TiB */
#define SIM_SHADOW_GATE 0xf1
static int8_t *gate;		/* the region's part of the compiler's shadow */
static int8_t *gate_buf;	/* the real shadow while the gate is closed */
static bool gate_calls;

static void *gate_try(size_t span)
{
	void *p = mmap((void *)(uintptr_t)SIM_SHADOW_OFFSET, span, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);	/* a hint: taken when free */

	if (p != MAP_FAILED && p != (void *)(uintptr_t)SIM_SHADOW_OFFSET) {
		munmap(p, span);
		errno = EEXIST;
		return MAP_FAILED;
	}
	return p;
}

/*
 * The whole user address space's shadow, else (valgrind refuses 16 TiB;
 * its clients live below 128 GiB) the shadow of the low 256 GiB, if the
 * process lives there: an address above what is mapped would fault at its
 * shadow load.
 */
__attribute__((constructor(101))) static void gate_map(void)
{
	void *p = gate_try(GATE_SPAN), *h;
	int e = errno, local;

	if (p == MAP_FAILED) {
		uintptr_t top = (1UL << 38) - 1;

		h = malloc(1);
		if ((uintptr_t)&local < top && (uintptr_t)h < top && (uintptr_t)&gate < top &&
		    (uintptr_t)&e < top)
			p = gate_try((top + 1) >> 3);
		free(h);
	}
	if (p == MAP_FAILED) {
		fprintf(stderr, "apsim: cannot reserve the KASAN shadow (16 TiB of address space at %#lx, "
			"no memory): %s\n"
			"apsim: (under `ulimit -v`? a `make KASAN_INLINE=0` build needs no reservation)\n",
			(unsigned long)SIM_SHADOW_OFFSET, strerror(e));
		_exit(3);
	}
}

static int8_t *region_shadow(uintptr_t lo, size_t size)
{
	int8_t *m = (int8_t *)(uintptr_t)((lo >> 3) + SIM_SHADOW_OFFSET);

	return mprotect(m, size / 8, PROT_READ | PROT_WRITE) ? NULL : m;
}
#define REGION_PROT PROT_NONE
#else
static int8_t *region_shadow(uintptr_t lo, size_t size)
{
	void *m = mmap(NULL, size / 8, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	(void)lo;
	return m == MAP_FAILED ? NULL : m;
}
#define REGION_PROT (PROT_READ | PROT_WRITE)
#endif

void *sim_shadow_reserve(size_t size, sim_shadow_reporter report)
{
	void *p;
	int8_t *m;

	if (sh_size)
		return (void *)sh_lo;
	size = (size + 65535) & ~(size_t)65535;
	/* 64 KiB aligned: the region's shadow starts on a page */
	p = mmap(NULL, size + 65536, REGION_PROT,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	{
		uintptr_t a = (uintptr_t)p, al = (a + 65535) & ~(uintptr_t)65535;

		if (al > a)
			munmap(p, al - a);
		munmap((void *)(al + size), a + 65536 - al);
		p = (void *)al;
	}
	m = region_shadow((uintptr_t)p, size);
	if (!m) {
		munmap(p, size);
		return NULL;
	}
	/* untouched shadow would read as 0 (addressable): it is set to
	 * SIM_SHADOW_UNUSED lazily, up to the highest granule the allocator
	 * has poisoned or unpoisoned (sh_valid); above that every access is
	 * an access to unused memory */
	sh_map = m;
	sh_valid = 0;
	sh_lo = (uintptr_t)p;
	sh_size = size;
	sh_report = report;
#ifdef SIM_SHADOW_OFFSET
	gate = m;
	if (gate_calls) {
		gate_calls = false;
		sim__shadow_gate(true);
	}
#endif
	return p;
}

/* Make the shadow of [0, end) valid (SIM_SHADOW_UNUSED where it was not). */
static void valid_to(uintptr_t end)
{
	uintptr_t to;

	if (end <= sh_valid)
		return;
	to = (end + (64UL << 10) - 1) & ~((64UL << 10) - 1);
	if (to > sh_size)
		to = sh_size;
	memset(sh_map + (sh_valid >> 3), SIM_SHADOW_UNUSED, (to - sh_valid) >> 3);
#ifdef SIM_SHADOW_OFFSET
	if (gate_calls)
		memset(gate + (sh_valid >> 3), SIM_SHADOW_GATE, (to - sh_valid) >> 3);
	if (mprotect((void *)(sh_lo + sh_valid), to - sh_valid, PROT_READ | PROT_WRITE)) {
		fprintf(stderr, "apsim: mprotect of the shadow region: %s\n", strerror(errno));
		abort();
	}
#endif
	sh_valid = to;
}

#ifdef SIM_SHADOW_OFFSET
void sim__shadow_gate(bool calls)
{
	size_t n;

	if (calls == gate_calls)
		return;
	gate_calls = calls;
	if (!sh_size)
		return;		/* sim_shadow_reserve closes it */
	n = sh_valid >> 3;
	if (calls) {
		if (!gate_buf) {
			void *m = mmap(NULL, sh_size / 8, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

			if (m == MAP_FAILED) {
				fprintf(stderr, "apsim: no memory for the race detector's shadow\n");
				abort();
			}
			gate_buf = m;
		}
		memcpy(gate_buf, gate, n);
		memset(gate, SIM_SHADOW_GATE, n);
		sh_map = gate_buf;
	} else {
		memcpy(gate, gate_buf, n);
		sh_map = gate;
	}
}
#else
void sim__shadow_gate(bool calls)
{
	(void)calls;
}
#endif

void sim_shadow_unpoison(const void *p, size_t n)
{
	uintptr_t off = (uintptr_t)p - sh_lo;

	if (off >= sh_size)
		return;
	valid_to(off + n + 8);
	memset(sh_map + (off >> 3), 0, n >> 3);
	if (n & 7)
		sh_map[(off + n) >> 3] = (int8_t)(n & 7);
}

void sim_shadow_poison(const void *p, size_t n, uint8_t code)
{
	uintptr_t off = (uintptr_t)p - sh_lo;

	if (off >= sh_size)
		return;
	valid_to(off + n + 8);
	memset(sh_map + (off >> 3), code, (n + 7) >> 3);
}

bool __attribute__((noinline)) sim__shadow_check(uintptr_t a, size_t n, bool w, uintptr_t pc,
						 const struct sim_site *site)
{
	uintptr_t off = a - sh_lo, last, g;
	bool watched = false;

	if (!n)
		return true;
	/* fast path: whole granules, all addressable (a lock in a live object) */
	if (!((off | n) & 7) && off + n <= sh_valid) {
		const int8_t *p = sh_map + (off >> 3);
		size_t ng = n >> 3, i;
		uint64_t acc = 0, v;
		uint32_t u, u2;

		if (ng >= 8) {	/* words; the last one overlaps its neighbour */
			for (i = 0; i + 8 <= ng; i += 8) {
				memcpy(&v, p + i, 8);
				acc |= v;
			}
			memcpy(&v, p + ng - 8, 8);
			acc |= v;
		} else if (ng >= 4) {
			memcpy(&u, p, 4);
			memcpy(&u2, p + ng - 4, 4);
			acc = u | u2;
		} else {
			for (i = 0; i < ng; i++)
				acc |= (uint8_t)p[i];
		}
		if (!acc)
			return true;
	}
	if (n > sh_size - off)
		n = sh_size - off;
	last = off + n - 1;
	for (g = off >> 3; g <= last >> 3; g++) {
		int8_t v = g < sh_valid >> 3 ? sh_map[g] : (int8_t)SIM_SHADOW_UNUSED;
		uintptr_t lo, hi;

		if (!v)
			continue;
		if (v == (int8_t)SIM_SHADOW_WATCH) {
			watched = true;
			continue;
		}
		lo = g == off >> 3 ? (off & 7) : 0;
		hi = g == last >> 3 ? (last & 7) : 7;
		if (v > 0 && hi < (uintptr_t)v)
			continue;
		/* first bad byte of the access */
		{
			uintptr_t bad = g * 8 + (v > 0 && lo < (uintptr_t)v ? (uintptr_t)v : lo);

			if (sh_report)
				sh_report(sh_lo + bad, n, w, pc,
					  v > 0 ? SIM_SHADOW_REDZONE : (uint8_t)v, site);
		}
		return false;
	}
	if (watched && sh_watcher)
		sh_watcher(a, n, w, pc);
	return true;
}

bool sim_shadow_check(const void *p, size_t n, bool is_write, uintptr_t pc)
{
	uintptr_t a = (uintptr_t)p;

	if (likely(a - sh_lo >= sh_size))
		return true;
	return sim__shadow_check(a, n, is_write, pc, NULL);
}

#ifndef SHADOW_NO_HOOKS
/*
 * Instrumentation entry points (-fsanitize=kernel-address, outline).
 * The caller's return address locates the access for the report.
 */
#define PC() ((uintptr_t)__builtin_return_address(0) - 1)
/*
 * A watched granule's access from a hook, what sim__shadow_check does for
 * it: it is addressable, the watcher sees it.  Not inlined and not a tail
 * call, so that the watcher's backtrace has as many frames of this file
 * above the access as through sim__shadow_check (the watcher records
 * WPCS frames: the same frames, the same findings).
 */
static void __attribute__((noinline)) watch_hit(uintptr_t a, size_t n, bool w, uintptr_t pc)
{
	if (sh_watcher)
		sh_watcher(a, n, w, pc);
	__asm__ volatile("" ::: "memory");	/* not a tail call: keep this frame */
}
/* The common in-region cases inline: 1 one granule, addressable; 2 one
 * granule, watched; 0 the slow path. */
static inline __attribute__((always_inline)) int granule_ok(unsigned long a, unsigned long size)
{
	uintptr_t off = a - sh_lo;
	int8_t v;

	if ((off & 7) + size > 8 || off >= sh_valid)
		return 0;	/* crosses a granule, or unused: the slow path */
	v = sh_map[off >> 3];
	if (likely(!v) || (v > 0 && (off & 7) + size <= (uintptr_t)v))
		return 1;
	return v == (int8_t)SIM_SHADOW_WATCH ? 2 : 0;
}
/* In the region: the shadow check, then (a good access, detector on) the
 * race check.  The calls are in the hook itself (not in an inlined
 * helper): a backtrace through either has the same frames. */
#define IN_REGION(a, size, w, ok)					\
	do {								\
		int ok_ = (ok);						\
		if (ok_ == 2)						\
			watch_hit(a, size, w, PC());			\
		else if (!ok_ && !sim__shadow_check(a, size, w, PC(), NULL)) \
			break;						\
		if (unlikely(sim__race_on))				\
			sim_race_access((const void *)(a), size, w, PC()); \
	} while (0)
#define HOOK(kind, size, w)						\
	void __asan_##kind##size##_noabort(unsigned long a);		\
	void __asan_##kind##size##_noabort(unsigned long a)		\
	{								\
		if (unlikely(a - sh_lo < sh_size))			\
			IN_REGION(a, size, w, granule_ok(a, size));	\
	}
HOOK(load, 1, false)
HOOK(load, 2, false)
HOOK(load, 4, false)
HOOK(load, 8, false)
HOOK(load, 16, false)
HOOK(store, 1, true)
HOOK(store, 2, true)
HOOK(store, 4, true)
HOOK(store, 8, true)
HOOK(store, 16, true)

void __asan_loadN_noabort(unsigned long a, unsigned long n);
void __asan_loadN_noabort(unsigned long a, unsigned long n)
{
	if (unlikely(a - sh_lo < sh_size))
		IN_REGION(a, n, false, 0);
}

void __asan_storeN_noabort(unsigned long a, unsigned long n);
void __asan_storeN_noabort(unsigned long a, unsigned long n)
{
	if (unlikely(a - sh_lo < sh_size))
		IN_REGION(a, n, true, 0);
}

/* Inline instrumentation calls these when the shadow byte is not 0 (or the
 * race detector's gate is closed): the hooks' checks on the real shadow,
 * so the same functions under the names inline code calls. */
#define REPORT(name, hook) void name(unsigned long a) __attribute__((alias(#hook)));
REPORT(__asan_report_load1_noabort, __asan_load1_noabort)
REPORT(__asan_report_load2_noabort, __asan_load2_noabort)
REPORT(__asan_report_load4_noabort, __asan_load4_noabort)
REPORT(__asan_report_load8_noabort, __asan_load8_noabort)
REPORT(__asan_report_load16_noabort, __asan_load16_noabort)
REPORT(__asan_report_store1_noabort, __asan_store1_noabort)
REPORT(__asan_report_store2_noabort, __asan_store2_noabort)
REPORT(__asan_report_store4_noabort, __asan_store4_noabort)
REPORT(__asan_report_store8_noabort, __asan_store8_noabort)
REPORT(__asan_report_store16_noabort, __asan_store16_noabort)
void __asan_report_load_n_noabort(unsigned long a, unsigned long n)
	__attribute__((alias("__asan_loadN_noabort")));
void __asan_report_store_n_noabort(unsigned long a, unsigned long n)
	__attribute__((alias("__asan_storeN_noabort")));

/* gcc may emit this before noreturn calls; there is no stack shadow here. */
void __asan_handle_no_return(void);
void __asan_handle_no_return(void)
{
}
#endif

/* ------------------------------------------------- world snapshot (snapshot.c) */

/* Raw copies of the shadow of [p, p + n) (p and n granule aligned): what a
 * snapshot of the allocator's region keeps and puts back. */
void sim_shadow_save(const void *p, size_t n, void *buf)
{
	uintptr_t off = (uintptr_t)p - sh_lo;

	if (off >= sh_size || !n)
		return;
	valid_to(off + n);
	memcpy(buf, sh_map + (off >> 3), n >> 3);
}

void sim_shadow_restore(const void *p, size_t n, const void *buf)
{
	uintptr_t off = (uintptr_t)p - sh_lo;

	if (off >= sh_size || !n)
		return;
	valid_to(off + n);
	memcpy(sh_map + (off >> 3), buf, n >> 3);
}

/*
 * Watched granules (sim_shadow_watch): addressable granules whose shadow
 * byte is SIM_SHADOW_WATCH instead of 0.  The inline check of the hooks
 * sends them to sim__shadow_check, which treats them as addressable and
 * calls the watcher: granules nobody watches cost nothing more.  Freeing
 * (poisoning) a watched granule ends its watch; unwatching leaves granules
 * that were poisoned meanwhile as they are.
 */
void sim_shadow_set_watcher(sim_shadow_watcher fn)
{
	sh_watcher = fn;
}

bool sim_shadow_watched(const void *p)
{
	uintptr_t off = (uintptr_t)p - sh_lo;

	return off < sh_valid && sh_map[off >> 3] == (int8_t)SIM_SHADOW_WATCH;
}

int sim_shadow_watch(const void *p, size_t n, bool on)
{
	uintptr_t off = (uintptr_t)p - sh_lo, g, end;
	int8_t *map = sh_map;	/* a local: the stores below cannot change it */

	if (!sh_size || off >= sh_size || n > sh_size - off || ((off | n) & 7))
		return -ENOTSUP;
	end = (off + n) >> 3;
	if (end > sh_valid >> 3)
		end = sh_valid >> 3;
	/* eight granules at a time: on marks the 0 bytes, off clears the
	 * SIM_SHADOW_WATCH ones (exact per-byte zero test) */
	for (g = off >> 3; g + 8 <= end; g += 8) {
		const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full, wb = 0x0101010101010101ull * SIM_SHADOW_WATCH;
		uint64_t x, y, zero;

		memcpy(&x, map + g, 8);
		y = on ? x : x ^ wb;
		zero = ~(((y & lo7) + lo7) | y | lo7);	/* 0x80 where y's byte is 0 */
		zero = (zero >> 7) * 0xff;		/* 0xff there */
		x = on ? x | (zero & wb) : x & ~zero;
		memcpy(map + g, &x, 8);
	}
	for (; g < end; g++) {
		if (on && !map[g])
			map[g] = (int8_t)SIM_SHADOW_WATCH;
		else if (!on && map[g] == (int8_t)SIM_SHADOW_WATCH)
			map[g] = 0;
	}
	return 0;
}
