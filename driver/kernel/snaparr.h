/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/snaparr.h - what a world snapshot leaves out of its copy of
 * the shim's sections, for the module that owns it to restore.
 *
 * Owns: SHIM_SNAP_HOLE, by which a module registers a range of its statics
 * that it restores itself (after the copy, in its own post-restore code:
 * apbus.c's and ap_hw.c's row pointers and ap_queues' buckets, which visit
 * only the entries in use); and SHIM_SNAP_ARRAY, by which a shim module declares, next to a static
 * array, that a world snapshot (module.c) is to leave the array out of its
 * copy of the sections and restore only the elements written since the
 * last save or restore; and shim_snap_dirty, which the module calls at
 * every write of an element (shim_snap_dirty_all at a bulk write, such as
 * a reset).  The module's own state for it (the saved elements, the dirty
 * bits) is outside the copied sections, and the descriptor is registered
 * in the linker section apsim_snaparr, as SHIM_GEN_STAMP does.  An element
 * not written since the last save or restore still holds what the snapshot
 * holds, so the restore is exact (check_snapshot verifies it after every
 * restore, apsim_world_snapshot_verify).
 */
#ifndef APSIM_SHIM_SNAPARR_H
#define APSIM_SHIM_SNAPARR_H

#include <stddef.h>
#include <stdint.h>

struct shim_snap_hole {
	void *lo;
	size_t len;
};

#define SHIM_SNAP_HOLE(name, lo_, len_)						\
	static const struct shim_snap_hole shim_snap_hole_##name		\
		__attribute__((section("apsim_snaphole"), used)) = { (lo_), (len_) }

struct shim_snap_arr {
	void *base;
	size_t esize;
	int n;
	void *saved;          /* n * esize bytes */
	uint64_t *dirty;      /* (n + 63) / 64 words */
};

#define SHIM_SNAP_ARRAY(name, arr)						\
	static char shim_snap_saved_##name[sizeof(arr)]			\
		__attribute__((section("apsim_keep")));				\
	static uint64_t shim_snap_dirty_##name[(ARRAY_SIZE(arr) + 63) / 64]	\
		__attribute__((section("apsim_keep")));				\
	static struct shim_snap_arr shim_snap_##name				\
		__attribute__((section("apsim_keep"))) = {			\
		.base = (arr), .esize = sizeof((arr)[0]), .n = ARRAY_SIZE(arr), \
		.saved = shim_snap_saved_##name, .dirty = shim_snap_dirty_##name }; \
	static struct shim_snap_arr *const shim_snap_reg_##name		\
		__attribute__((section("apsim_snaparr"), used)) = &shim_snap_##name

static inline void shim_snap_dirty(struct shim_snap_arr *a, long i)
{
	if (i >= 0 && i < a->n)
		a->dirty[i / 64] |= 1ULL << (i % 64);
}

static inline void shim_snap_dirty_all(struct shim_snap_arr *a)
{
	for (int k = 0; k < (a->n + 63) / 64; k++)
		a->dirty[k] = ~0ULL;
}

#endif /* APSIM_SHIM_SNAPARR_H */
