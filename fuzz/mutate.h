/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/mutate.h - mutation of scenarios for coverage-guided campaigns
 * (apsim fuzz --guided).
 *
 * Owns the API of fuzz/mutate.c: one call turns a corpus scenario into a
 * mutant by a stack of 1-4 random mutations of its operations, arguments,
 * threads, faults and schedule (and splices from a second corpus
 * scenario), drawn from a seed: the same inputs always give the same
 * mutant.  Every mutant is valid (the parser's cross-reference rule holds,
 * every thread has an operation).
 */
#ifndef APSIM_FUZZ_MUTATE_H
#define APSIM_FUZZ_MUTATE_H

#include <stdint.h>

#include "driver/scenario/scenario.h"
#include "fuzz/gen.h"

/* The kinds of mutation (for statistics and the tests). */
enum apsim_mut_kind {
	APSIM_MUT_INSERT_OP,      /* a new operation (drawn by the generator) */
	APSIM_MUT_DELETE_OP,
	APSIM_MUT_REPLACE_OP,
	APSIM_MUT_ARGS,           /* ids, strings, numbers of one operation */
	APSIM_MUT_MOVE_OP,        /* to another thread, or swapped in its thread */
	APSIM_MUT_DUP_THREAD,
	APSIM_MUT_DELETE_THREAD,
	APSIM_MUT_FAULT,          /* add, remove or change a fault */
	APSIM_MUT_SCHEDULE,       /* scheduler seed, strategy, PCT depth */
	APSIM_MUT_SPLICE,         /* a thread of the other scenario */
	APSIM_MUT_HOST,           /* a host configuration or reservation bit */
	APSIM_MUT__COUNT
};

/*
 * Mutate *s in place.  other (may be NULL) is a second corpus scenario to
 * splice from; go gives the generator's options (thread and op bounds,
 * the tree's vocabulary).  Returns a bit mask of the mutations applied
 * (1 << enum apsim_mut_kind); the mutant differs from the input unless
 * every attempt was invalid (then 0 and *s is unchanged).
 */
unsigned apsim_mutate(struct apsim_scenario *s, const struct apsim_scenario *other,
		      uint64_t seed, const struct apsim_gen_opts *go);

/* Only the schedule: a new scheduler seed, sometimes another strategy or
 * PCT depth (the same operations, another interleaving). */
void apsim_mutate_schedule(struct apsim_scenario *s, uint64_t seed);

#endif /* APSIM_FUZZ_MUTATE_H */
