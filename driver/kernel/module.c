/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/module.c - module load/unload of the driver and the
 * per-execution reset of the generic shim.
 *
 * Owns: THIS_MODULE and its use count, the driver's module_init /
 * module_exit (found in the "apsim_modinit" section the module_init macro
 * fills), the snapshot/restore of the real driver's writable data (its
 * .data, .data.rel.local, .data.rel and .bss are renamed by the Makefile into the sections
 * apsim_drv_data / apsim_drv_bss, bounded by linker-provided symbols), and
 * shim_base_reset(); at the end, the world snapshot of the shim's and the driver's memory.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"

#include <stdlib.h>
#include <string.h>

struct module shim_this_module = { .name = KBUILD_MODNAME };

extern const struct shim_module_entry __start_apsim_modinit[] __attribute__((weak));
extern const struct shim_module_entry __stop_apsim_modinit[] __attribute__((weak));
extern char __start_apsim_drv_data[] __attribute__((weak));
extern char __stop_apsim_drv_data[] __attribute__((weak));
extern char __start_apsim_drv_bss[] __attribute__((weak));
extern char __stop_apsim_drv_bss[] __attribute__((weak));

void shim_slab_reset(void);
void shim_vfio_reset(void);
void shim_lib_reset(void);
void shim_dbf_reset(void);

static bool loaded;
static char *snap_data, *snap_bss;
static size_t snap_data_len, snap_bss_len;

bool try_module_get(struct module *mod)
{
	if (!mod)
		return true;
	if (!mod->live)
		return false;
	mod->refcnt++;
	return true;
}

void module_put(struct module *mod)
{
	if (!mod)
		return;
	if (WARN(mod->refcnt <= 0, "module_put: %s use count underflow\n", mod->name))
		return;
	mod->refcnt--;
}

static initcall_t find_init(void)
{
	for (const struct shim_module_entry *e = __start_apsim_modinit;
	     e && e < __stop_apsim_modinit; e++)
		if (e->init)
			return e->init;
	return NULL;
}

static exitcall_t find_exit(void)
{
	for (const struct shim_module_entry *e = __start_apsim_modinit;
	     e && e < __stop_apsim_modinit; e++)
		if (e->exit)
			return e->exit;
	return NULL;
}

int shim_module_load(void)
{
	initcall_t init = find_init();
	int ret;

	if (loaded)
		return -EEXIST;
	if (!init)
		return -ENOENT;
	shim_this_module.refcnt = 0;
	shim_this_module.live = true;
	ret = init();
	if (ret) {
		shim_this_module.live = false;
		return ret;
	}
	loaded = true;
	return 0;
}

void shim_module_unload(void)
{
	exitcall_t exit_fn = find_exit();

	if (!loaded)
		return;
	if (WARN(shim_this_module.refcnt > 0,
		 "rmmod %s: module is in use (%d users); not unloaded\n",
		 shim_this_module.name, shim_this_module.refcnt))
		return;
	shim_this_module.live = false;
	if (exit_fn)
		exit_fn();
	loaded = false;
}

static void snap(char *start, char *stop, char **copy, size_t *len)
{
	if (!start || !stop || stop <= start)
		return;
	*len = (size_t)(stop - start);
	free(*copy);
	*copy = malloc(*len);
	if (*copy)
		memcpy(*copy, start, *len);
}

void shim_driver_data_snapshot(void)
{
	snap(__start_apsim_drv_data, __stop_apsim_drv_data, &snap_data, &snap_data_len);
	snap(__start_apsim_drv_bss, __stop_apsim_drv_bss, &snap_bss, &snap_bss_len);
}

void shim_driver_data_restore(void)
{
	if (snap_data)
		memcpy(__start_apsim_drv_data, snap_data, snap_data_len);
	if (snap_bss)
		memcpy(__start_apsim_drv_bss, snap_bss, snap_bss_len);
}

void shim_base_reset(void)
{
	shim_exec_gen++;
	if (!shim_exec_gen)
		shim_exec_gen = 1;
	shim_slab_reset();
	shim_slab_fail_set(NULL, -1);
	shim_vfio_reset();
	shim_lib_reset();
	shim_dbf_reset();
	loaded = false;
	shim_this_module.refcnt = 0;
	shim_this_module.live = false;
}

/* ------------------------------------------------------ world snapshots */

/*
 * The shim kernel's part of a world snapshot (driver/world/world.c takes
 * it after the set-up part): every writable byte of the shim (its .data and
 * .bss, renamed by the Makefile into apsim_shim_data / apsim_shim_bss, as
 * the driver's into apsim_drv_*), of the real driver, and the allocator's
 * objects (slab.c).  Restoring it puts the simulated kernel back exactly as
 * the set-up part left it; libsim's part is sim_snapshot_*.
 */
extern char __start_apsim_shim_data[] __attribute__((weak));
extern char __stop_apsim_shim_data[] __attribute__((weak));
extern char __start_apsim_shim_bss[] __attribute__((weak));
extern char __stop_apsim_shim_bss[] __attribute__((weak));

int shim_slab_snapshot_save(void);
int shim_slab_snapshot_restore(void);
void shim_slab_snapshot_drop(void);
/* Holes in the copy (snaparr.h): ranges their module restores itself
 * (SHIM_SNAP_HOLE: ap_hw.c's per-card row pointers, apbus.c's and the
 * buckets of ap_queues, restored by their post-restore code) and the
 * arrays declared with SHIM_SNAP_ARRAY (restored here, element by element). */
unsigned long shim_ap_hw_snap_check(void);
unsigned long shim_ap_bus_snap_check(void);
#include "driver/kernel/snaparr.h"
extern const struct shim_snap_hole __start_apsim_snaphole[] __attribute__((weak));
extern const struct shim_snap_hole __stop_apsim_snaphole[] __attribute__((weak));
extern struct shim_snap_arr *const __start_apsim_snaparr[] __attribute__((weak));
extern struct shim_snap_arr *const __stop_apsim_snaparr[] __attribute__((weak));

static void snaparr_save(void)
{
	for (struct shim_snap_arr *const *p = __start_apsim_snaparr; p < __stop_apsim_snaparr; p++) {
		struct shim_snap_arr *a = *p;

		memcpy(a->saved, a->base, a->esize * (size_t)a->n);
		memset(a->dirty, 0, sizeof(uint64_t) * (size_t)((a->n + 63) / 64));
	}
}

static void snaparr_restore(void)
{
	for (struct shim_snap_arr *const *p = __start_apsim_snaparr; p < __stop_apsim_snaparr; p++) {
		struct shim_snap_arr *a = *p;

		for (int k = 0; k < (a->n + 63) / 64; k++) {
			for (uint64_t m = a->dirty[k]; m; m &= m - 1) {
				size_t i = (size_t)k * 64 + (size_t)__builtin_ctzll(m);

				if (i < (size_t)a->n)
					memcpy((char *)a->base + i * a->esize,
					       (char *)a->saved + i * a->esize, a->esize);
			}
			a->dirty[k] = 0;
		}
	}
}

static unsigned long snaparr_check(void)
{
	unsigned long bad = 0;

	for (struct shim_snap_arr *const *p = __start_apsim_snaparr; p < __stop_apsim_snaparr; p++) {
		struct shim_snap_arr *a = *p;

		for (int i = 0; i < a->n; i++)
			bad += memcmp((char *)a->base + (size_t)i * a->esize,
				      (char *)a->saved + (size_t)i * a->esize, a->esize) != 0;
	}
	return bad;
}
int shim_ap_hw_snap_save(void);
void shim_ap_hw_snap_restore(void);
void shim_ap_hw_snap_drop(void);
int shim_ap_hw_snap_restore_post(void);
/* apbus.c's queue rows (host memory), kept the same way */
int shim_ap_bus_snap_save(void);
void shim_ap_bus_snap_restore(void);
int shim_ap_bus_snap_restore_post(void);
void shim_ap_bus_snap_drop(void);

#define WS_MAX_HOLES 8
struct sect {
	char *start, *stop, *copy;
	int nholes;
	struct { char *lo, *hi; } hole[WS_MAX_HOLES];   /* not copied; sorted, disjoint */
};
/* the snapshot's own bookkeeping must survive its restore: outside the
 * shim's sections */
#define WS_KEEP __attribute__((section("apsim_keep")))
static struct sect ws[4] WS_KEEP;
static struct shim_snap_buf ws_buf[4] WS_KEEP;   /* ws[i].copy's memory */
static bool ws_valid WS_KEEP;

void *shim_snap_buf(struct shim_snap_buf *b, size_t n)
{
	if (n > b->cap) {
		void *p = realloc(b->p, n);

		if (!p)
			return NULL;
		b->p = p;
		b->cap = n;
	}
	return b->p;
}

void shim_world_snapshot_drop(void)
{
	for (int i = 0; i < 4; i++)
		ws[i].copy = NULL;
	ws_valid = false;
	shim_slab_snapshot_drop();
	shim_ap_hw_snap_drop(); shim_ap_bus_snap_drop();
}

static void sect_copy(const struct sect *w, bool save)
{
	char *a = w->start;

	for (int i = 0; i <= w->nholes; i++) {
		char *b = i < w->nholes ? w->hole[i].lo : w->stop;
		char *c = w->copy + (a - w->start);

		if (b > a) {
			if (save)
				memcpy(c, a, (size_t)(b - a));
			else
				memcpy(a, c, (size_t)(b - a));
		}
		if (i < w->nholes)
			a = w->hole[i].hi;
	}
}

/* Put hole h into the section that holds it, in address order. */
static void sect_add_hole(struct shim_snap_hole h)
{
	char *lo = h.lo, *hi = (char *)h.lo + h.len;

	if (!h.len)
		return;
	for (int i = 0; i < 4; i++) {
		struct sect *w = &ws[i];
		int k;

		if (!w->start || lo < w->start || hi > w->stop)
			continue;
		if (w->nholes == WS_MAX_HOLES)
			abort();   /* a module added a hole: raise WS_MAX_HOLES */
		for (k = w->nholes; k > 0 && w->hole[k - 1].lo > lo; k--)
			w->hole[k] = w->hole[k - 1];
		w->hole[k].lo = lo;
		w->hole[k].hi = hi;
		w->nholes++;
		return;
	}
	abort();           /* a hole outside the shim's sections */
}

static uint32_t ws_gen WS_KEEP;   /* sim_generation() of the execution that saved */

int shim_world_snapshot_save(void)
{
	int ret;

	shim_world_snapshot_drop();
	ws[0] = (struct sect){ __start_apsim_shim_data, __stop_apsim_shim_data, NULL };
	ws[1] = (struct sect){ __start_apsim_shim_bss, __stop_apsim_shim_bss, NULL };
	ws[2] = (struct sect){ __start_apsim_drv_data, __stop_apsim_drv_data, NULL };
	ws[3] = (struct sect){ __start_apsim_drv_bss, __stop_apsim_drv_bss, NULL };
	if (!ws[0].start || !ws[1].start)
		return -EAGAIN;   /* a build without the shim's sections */
	ret = shim_slab_snapshot_save();
	if (!ret)
		ret = shim_ap_hw_snap_save();
	if (!ret)
		ret = shim_ap_bus_snap_save();
	if (ret) {
		shim_world_snapshot_drop();
		return ret;
	}
	for (const struct shim_snap_hole *h = __start_apsim_snaphole; h < __stop_apsim_snaphole; h++)
		sect_add_hole(*h);
	for (struct shim_snap_arr *const *p = __start_apsim_snaparr; p < __stop_apsim_snaparr; p++)
		sect_add_hole((struct shim_snap_hole){ (*p)->base, (*p)->esize * (size_t)(*p)->n });
	for (int i = 0; i < 4; i++) {
		size_t n = ws[i].start && ws[i].stop > ws[i].start ?
			   (size_t)(ws[i].stop - ws[i].start) : 0;

		if (!n)
			continue;
		ws[i].copy = shim_snap_buf(&ws_buf[i], n);
		if (!ws[i].copy) {
			shim_world_snapshot_drop();
			return -ENOMEM;
		}
		sect_copy(&ws[i], true);
	}
	snaparr_save();
	ws_valid = true;
	ws_gen = sim_generation();
	return 0;
}

int shim_world_snapshot_restore(void)
{
	int ret;

	if (!ws_valid)
		return -EINVAL;
	ret = shim_slab_snapshot_restore();
	if (ret)
		return ret;
	shim_ap_hw_snap_restore();     /* first: they note this execution's memory */
	shim_ap_bus_snap_restore();
	for (int i = 0; i < 4; i++)
		if (ws[i].copy)
			sect_copy(&ws[i], false);
	snaparr_restore();
	if (shim_ap_hw_snap_restore_post() || shim_ap_bus_snap_restore_post())
		return -ENOMEM;   /* the memory is this execution's again: the caller rebuilds */
	shim_world_restamp(ws_gen, sim_generation());
	return 0;
}

/* The word hash of shim_world_state_hash: eight multiplicative lanes over
 * 8-byte words (independent chains), a 32-bit half equal to this
 * execution's generation or the validator's epoch (one more) taken as one
 * constant; folded into the two 64-bit halves of h.  The halves to
 * normalise are rare: a vector test of 64 bytes at a time finds the blocks
 * that hold one (the hash is that of normalising every word).  With a
 * memcpy call per block and every half compared, the hash was 29 % of
 * 6.12's shipped searches; 15-16 % now (docs/performance.md). */
static inline __attribute__((always_inline)) uint32_t gen_norm(uint32_t w, uint32_t g)
{
	return w - g <= 1 ? 0x9e3779b9u : w;
}

static inline __attribute__((always_inline)) uint64_t word_norm(uint64_t w, uint32_t g)
{
	return gen_norm((uint32_t)w, g) | (uint64_t)gen_norm((uint32_t)(w >> 32), g) << 32;
}

/* unaligned, aliasing loads: gcc does not inline memcpy in objects built
 * with -fsanitize=kernel-address, as the shim is (a call per block) */
typedef uint32_t hash_v4u __attribute__((vector_size(16)));
typedef uint32_t hash_v4u_ua __attribute__((vector_size(16), aligned(1), may_alias));
typedef uint64_t hash_u64_ua __attribute__((aligned(1), may_alias));

__attribute__((no_sanitize_address)) void shim_hash_words(uint64_t h[2], const void *p, size_t n)
{
	const unsigned char *b = p;
	const uint64_t P = 0x9e3779b97f4a7c15ULL;
	uint32_t g = sim_generation();
	const hash_v4u gv = { g, g, g, g }, one = { 1, 1, 1, 1 };
	uint64_t l0 = h[0], l1 = h[1], l2 = h[0] ^ 0x2545f4914f6cdd1dULL, l3 = h[1] + n;
	uint64_t l4 = l0 + 1, l5 = l1 + 2, l6 = l2 + 3, l7 = l3 + 4;
	size_t i = 0;

	for (; i + 64 <= n; i += 64) {
		const hash_u64_ua *q = (const hash_u64_ua *)(b + i);
		const hash_v4u_ua *v = (const hash_v4u_ua *)(b + i);
		uint64_t w0 = q[0], w1 = q[1], w2 = q[2], w3 = q[3], w4 = q[4], w5 = q[5], w6 = q[6], w7 = q[7];
		hash_v4u m = ((v[0] - gv) <= one) | ((v[1] - gv) <= one) | ((v[2] - gv) <= one) |
			     ((v[3] - gv) <= one);

		if (__builtin_expect((m[0] | m[1] | m[2] | m[3]) != 0, 0)) {
			w0 = word_norm(w0, g);
			w1 = word_norm(w1, g);
			w2 = word_norm(w2, g);
			w3 = word_norm(w3, g);
			w4 = word_norm(w4, g);
			w5 = word_norm(w5, g);
			w6 = word_norm(w6, g);
			w7 = word_norm(w7, g);
		}
		l0 = (l0 ^ w0) * P;
		l1 = (l1 ^ w1) * P;
		l2 = (l2 ^ w2) * P;
		l3 = (l3 ^ w3) * P;
		l4 = (l4 ^ w4) * P;
		l5 = (l5 ^ w5) * P;
		l6 = (l6 ^ w6) * P;
		l7 = (l7 ^ w7) * P;
	}
	for (; i + 8 <= n; i += 8)
		l0 = (l0 ^ word_norm(*(const hash_u64_ua *)(b + i), g)) * P;
	if (i < n) {
		uint64_t w = 0;

		for (size_t k = i; k < n; k++)
			w |= (uint64_t)b[k] << 8 * (k - i);
		l1 = (l1 ^ word_norm(w, g)) * P;
	}
	l0 ^= l4 * 0xc2b2ae3d27d4eb4fULL;
	l1 ^= l5 * 0x165667b19e3779f9ULL;
	l2 ^= l6 * 0x27d4eb2f165667c5ULL;
	l3 ^= l7 * 0x85ebca77c2b2ae63ULL;
	l0 ^= l0 >> 31;
	l1 ^= l1 >> 29;
	l2 ^= l2 >> 33;
	l3 ^= l3 >> 27;
	h[0] = (l0 + l2 * 0xff51afd7ed558ccdULL) ^ (l1 >> 17) ^ (l3 << 11);
	h[1] = (l1 + l3 * 0xc4ceb9fe1a85ec53ULL) ^ (l0 >> 13) ^ (l2 << 7);
}

void shim_world_state_hash(uint64_t h[2])
{
	char *const sect[4][2] = {
		{ __start_apsim_shim_data, __stop_apsim_shim_data },
		{ __start_apsim_shim_bss, __stop_apsim_shim_bss },
		{ __start_apsim_drv_data, __stop_apsim_drv_data },
		{ __start_apsim_drv_bss, __stop_apsim_drv_bss },
	};

	h[0] = h[1] = 0;
	if (!sect[0][0] || !sect[1][0])
		return;
	h[0] = 0xcbf29ce484222325ULL;
	h[1] = 0x9ae16a3b2f90404fULL;
	for (int i = 0; i < 4; i++)
		if (sect[i][0] && sect[i][1] > sect[i][0])
			shim_hash_words(h, sect[i][0], (size_t)(sect[i][1] - sect[i][0]));
	shim_slab_state_hash(h);
	shim_ap_hw_state_hash(h);
	shim_ap_bus_state_hash(h);
}

unsigned long shim_world_snapshot_check(void)
{
	return ws_valid ? shim_ap_hw_snap_check() + shim_ap_bus_snap_check() + snaparr_check() : 0;
}

/*
 * The shim modules that keep per-execution state lazily (state stamped with
 * sim_generation(), reset when the stamp is old: faults, eventfds, PV, the
 * workqueues; each registers its stamp with SHIM_GEN_STAMP, base.h) would
 * take the restored state for a leftover of an earlier execution.  What the
 * snapshot's execution stamped is this execution's now.
 */
extern uint32_t *const __start_apsim_genstamps[] __attribute__((weak));
extern uint32_t *const __stop_apsim_genstamps[] __attribute__((weak));

void shim_world_restamp(uint32_t from, uint32_t to)
{
	for (uint32_t *const *s = __start_apsim_genstamps; s < __stop_apsim_genstamps; s++)
		if (**s == from)
			**s = to;
}
