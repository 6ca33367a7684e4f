/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/shrink.h - the fuzzer's scenario shrinker.
 *
 * Owns: greedy reduction of a scenario to a smaller one for which a caller's
 * reproduce() predicate still holds (drop threads, drop ops of threads and
 * setup, drop faults, simplify the host configuration, lower the PCT depth,
 * to a fixpoint), bounded by a cap on candidate runs.  Candidates are always
 * valid scenarios (the parser's cross-reference rule holds).  The shrinker
 * knows nothing about findings: the predicate decides what "reproduces" means.
 */
#ifndef APSIM_FUZZ_SHRINK_H
#define APSIM_FUZZ_SHRINK_H

#include <stdbool.h>

#include "driver/scenario/scenario.h"

/* true = candidate s still shows the behaviour being shrunk for. */
typedef bool (*apsim_shrink_fn)(const struct apsim_scenario *s, void *arg);

struct apsim_shrink_stats {
	int candidates;        /* reproduce() calls made */
	int accepted;          /* candidates that reproduced (steps taken) */
	bool capped;           /* stopped by max_candidates before a fixpoint */
	int ops_before, ops_after;
	int threads_before, threads_after;
};

/*
 * Shrink *s in place.  s must reproduce on entry (not re-checked).  At most
 * max_candidates calls of fn.  Deterministic: the same s and a deterministic
 * fn give the same result.  Returns the number of accepted steps.
 */
int apsim_shrink(struct apsim_scenario *s, apsim_shrink_fn fn, void *arg,
		 int max_candidates, struct apsim_shrink_stats *st);

/* The parser's cross-reference rule: every mdev, kvm and vcpu an op names is
 * created by some op (or allow_undeclared is set). */
bool apsim_scn_refs_ok(const struct apsim_scenario *s);

#endif /* APSIM_FUZZ_SHRINK_H */
