/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/cov.c - feedback of one execution for coverage-guided fuzzing.
 *
 * Owns: the per-execution map of hit counters (<apsim/cov.h>), the edge
 * hook the trace-pc callback of sim/cover.c calls in builds with driver
 * coverage (AFL's edge: the previous block's hash shifted, XOR the current
 * block's), the bucketing of counts and the comparison with a seen map.
 * The map is process-local (one worker's executions); what is "seen"
 * belongs to the caller (fuzz/campaign.c).  Deterministic: an execution's
 * map depends only on what the execution ran (block addresses are hashed
 * as offsets from the driver's own code, never as absolute addresses).
 */
#include "internal.h"

#include <string.h>

#include <apsim/cov.h>

uint8_t sim__cov_exec[SIM_COV_SIZE] __attribute__((aligned(64)));
uint32_t sim__cov_prev;
static uint64_t contend[64];    /* this execution's contentions */
static size_t ncontend;
bool sim__cov_active;
/*
 * The slots this execution made non-zero, in the order it did: clearing
 * the map and walking it cost what the execution touched, not 64 KB each
 * (the map is sparse without driver edges: the walk and the clearing were
 * ~8 % of a guided campaign).  Beyond TOUCH_MAX the whole map is walked
 * and cleared, as before.  The walk's results do not depend on the order.
 */
#define TOUCH_MAX 4096
static uint16_t touched[TOUCH_MAX];
static size_t ntouched;         /* > TOUCH_MAX: overflowed */

void sim_cov_begin(void)
{
	sim__cov_active = true;
	if (ntouched > TOUCH_MAX)
		memset(sim__cov_exec, 0, sizeof(sim__cov_exec));
	else
		for (size_t i = 0; i < ntouched; i++)
			sim__cov_exec[touched[i]] = 0;
	ntouched = 0;
	sim__cov_prev = 0;
	ncontend = 0;
}

static inline void touch(uint32_t at)
{
	if (ntouched < TOUCH_MAX)
		touched[ntouched] = (uint16_t)at;
	ntouched += ntouched <= TOUCH_MAX;
}

static inline void bump(uint32_t at)
{
	uint8_t *c = &sim__cov_exec[at & (SIM_COV_SIZE - 1)];

	if (!*c)
		touch(at & (SIM_COV_SIZE - 1));
	*c += *c != 255;
}

static uint32_t slot_of(enum sim_cov_class cls, uint64_t id)
{
	uint64_t h = (id + (uint64_t)cls * 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;

	h ^= h >> 31;
	h *= 0x94D049BB133111EBULL;
	h ^= h >> 29;
	return (uint32_t)h;
}

void sim_cov_add(enum sim_cov_class cls, uint64_t id)
{
	bump(slot_of(cls, id));
}

void sim_cov_mark(enum sim_cov_class cls, uint64_t id)
{
	uint32_t at = slot_of(cls, id) & (SIM_COV_SIZE - 1);

	if (!sim__cov_exec[at]) {
		touch(at);
		sim__cov_exec[at] = 1;
	}
}

/* Called by sim/cover.c for every basic block of the driver (COVER builds):
 * `loc` is a hash of the block's offset in the driver's code. */
void sim__cov_edge(uint32_t loc)
{
	bump(loc ^ sim__cov_prev);
	sim__cov_prev = loc >> 1;
}

/* Contention: a thread about to block on a lock another holds (sim/sync.c):
 * the pair (where it waits, where the holder took it), by file and line, as
 * a feature and in the execution's list (sim_cov_contentions). */

static uint64_t site_hash(uint64_t h, const struct sim_site *s)
{
	if (!s)
		return h * 31;
	for (const char *p = s->file ? s->file : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return (h ^ (uint64_t)(unsigned)s->line) * 0x100000001b3ULL;
}

void sim__cov_contend_slow(const struct sim_site *waiter, const struct sim_site *holder)
{
	uint64_t h = site_hash(site_hash(0xcbf29ce484222325ULL, waiter), holder);

	h = h ? h : 1;
	sim_cov_mark(SIM_COV_SCHED, h);
	for (size_t i = 0; i < ncontend; i++)
		if (contend[i] == h)
			return;
	if (ncontend < sizeof(contend) / sizeof(contend[0]))
		contend[ncontend++] = h;
}

size_t sim_cov_contentions(uint64_t *out, size_t max)
{
	for (size_t i = 0; i < ncontend && i < max; i++)
		out[i] = contend[i];
	return ncontend < max ? ncontend : max;
}

int sim_cov_has_edges(void)
{
	return sim_cover_map() != NULL;
}

/* AFL's buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+ -> one bit each. */
static uint8_t bucket(uint8_t c)
{
	if (c <= 3)
		return c ? (uint8_t)(1u << (c - 1)) : 0;
	if (c < 8)
		return 8;
	if (c < 16)
		return 16;
	if (c < 32)
		return 32;
	if (c < 128)
		return 64;
	return 128;
}

static inline size_t walk_slot(size_t j, uint8_t *seen, bool fold)
{
	uint8_t b = bucket(sim__cov_exec[j]);

	if (!b)
		return 0;
	if (!seen)
		return 1;
	if (!(b & ~seen[j]))
		return 0;
	if (fold)
		seen[j] |= b;
	return 1;
}

static size_t walk(uint8_t *seen, bool fold)
{
	const uint64_t *w = (const uint64_t *)sim__cov_exec;
	size_t n = 0;

	if (ntouched <= TOUCH_MAX) {    /* each touched slot once */
		for (size_t i = 0; i < ntouched; i++)
			n += walk_slot(touched[i], seen, fold);
		return n;
	}
	for (size_t i = 0; i < SIM_COV_SIZE / 8; i++) {
		if (!w[i])
			continue;
		for (size_t j = i * 8; j < i * 8 + 8; j++)
			n += walk_slot(j, seen, fold);
	}
	return n;
}

size_t sim_cov_merge(uint8_t *seen)
{
	return walk(seen, true);
}

size_t sim_cov_novel(const uint8_t *seen)
{
	return walk((uint8_t *)seen, false);
}

size_t sim_cov_count(const uint8_t *seen)
{
	const uint64_t *w = (const uint64_t *)seen;
	size_t n = 0;

	for (size_t i = 0; i < SIM_COV_SIZE / 8; i++)
		if (w[i])
			for (size_t j = i * 8; j < i * 8 + 8; j++)
				n += seen[j] != 0;
	return n;
}
