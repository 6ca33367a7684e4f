/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <apsim/cov.h> - feedback of one execution, for coverage-guided fuzzing
 * (apsim fuzz --guided).
 *
 * Owns the API of sim/cov.c: a per-execution map of hit counters (AFL
 * style: SIM_COV_SIZE bytes indexed by a hash), filled by the driver's
 * edges (builds with driver coverage, make COVER=1: the trace-pc callback of
 * sim/cover.c) and by any feature the caller adds (lock pairs, operation
 * results, schedule features ...), and the comparison of that map, its
 * counts folded into buckets (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+),
 * against a "seen" map owned by the caller (a worker's, a campaign's).
 * Lock contention (who waited where for a lock taken where) is recorded by
 * libsim itself in every execution (a few instructions, only when a thread
 * is about to block).
 */
#ifndef APSIM_COV_H
#define APSIM_COV_H

#include <stddef.h>
#include <stdint.h>

#define SIM_COV_SIZE 65536

/* Classes of features: an id is hashed with its class, so that a lock pair
 * and an operation result never share a slot by construction. */
enum sim_cov_class {
	SIM_COV_EDGE = 1,      /* driver edges (trace-pc), added by sim/cover.c */
	SIM_COV_LOCK_PAIR,     /* a lock dependency (sim_lockdep_pair_ids) */
	SIM_COV_OP_RESULT,     /* an (operation, result) pair */
	SIM_COV_SCHED,         /* schedule features: preemptions, decisions */
	SIM_COV_FINDING,       /* a finding signature (known or not) */
	SIM_COV_OTHER,
};

/* Start a new execution's map (all counters 0). */
void sim_cov_begin(void);
/* Count feature `id` of class `cls` once more in this execution. */
void sim_cov_add(enum sim_cov_class cls, uint64_t id);
/* Feature `id` of class `cls` is present (counted once, however often). */
void sim_cov_mark(enum sim_cov_class cls, uint64_t id);
/* The lock contentions of this execution (sim/sync.c: a thread about to
 * wait for a lock another thread holds), each an id of the pair (waiting
 * site, holder's site): how many, at most max stored.  Each is also a
 * feature of class SIM_COV_SCHED. */
size_t sim_cov_contentions(uint64_t *out, size_t max);
/* Are driver edges counted (a build with driver coverage)? */
int sim_cov_has_edges(void);
/*
 * Fold this execution's map into `seen` (SIM_COV_SIZE bytes, a bit per
 * bucket) and return how many (slot, bucket) bits were new.  With
 * seen == NULL nothing is folded: the number of non-zero slots of the
 * execution is returned.
 */
size_t sim_cov_merge(uint8_t *seen);
/* Would this execution add anything to `seen`?  (Nothing is folded.) */
size_t sim_cov_novel(const uint8_t *seen);
/* Slots of `seen` with any bit: the size of what a seen map covers. */
size_t sim_cov_count(const uint8_t *seen);

#endif /* APSIM_COV_H */
