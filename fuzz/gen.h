/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/gen.h - the fuzzer's scenario generator: a seed (or a byte string
 * from libFuzzer) -> a random but valid struct apsim_scenario.
 *
 * Owns: the deterministic choice stream (splitmix64 or bytes), the shape of
 * generated worlds (host AP config, reservations, kvms, mdevs, setup), the
 * draw of operations from the whole enum apsim_op_kind vocabulary with valid
 * and malformed arguments, random fault injection and exploration settings.
 * Pure: no globals, no I/O; the same input always gives the same scenario,
 * and apsim_scn_write() of the result parses back with apsim_scn_parse_buf().
 */
#ifndef APSIM_FUZZ_GEN_H
#define APSIM_FUZZ_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "driver/scenario/scenario.h"

struct apsim_gen_opts {
	int threads_min, threads_max;   /* simulated threads per mix (default 2-4) */
	int ops_min, ops_max;           /* operations per thread (default 1-4) */
	int fault_pct;                  /* % of scenarios with faults (default 25) */
	const char *kver;               /* draw the ops this driver version has
					 * (apsim_op_tree_ok); NULL (default):
					 * the ops every tree has */
	int share;                      /* seeds per shared set-up part: seeds
					 * s and s' with s / share == s' / share
					 * get the same host configuration,
					 * setup block and strategy (default 1:
					 * each its own) */
	long hung_task_s;               /* every scenario's explore
					 * hung-task-timeout (seconds, 0 = off;
					 * default -1: none, the 120 s) */
};

void apsim_gen_opts_default(struct apsim_gen_opts *o);

/* seed -> scenario (o may be NULL for the defaults). */
void apsim_gen_scenario(uint64_t seed, const struct apsim_gen_opts *o,
			struct apsim_scenario *out);

/*
 * The same scenario, in the generator's own buffer: valid until the next
 * call, not to be written.  Byte for byte what apsim_gen_scenario gives,
 * without clearing 116 KB each time (the buffer's entries past its counts
 * stay zero: only the used ones are cleared).  For the hot loops (the
 * campaign's unguided runs, the bench's mix).
 */
const struct apsim_scenario *apsim_gen_scenario_ref(uint64_t seed,
						    const struct apsim_gen_opts *o);

/*
 * The same into buf, which is all zeroes (static storage) or was last
 * written by this function: such a buffer stays zero past its counts, so
 * only the used entries are cleared.  A buffer anything else writes (a
 * mutation, a corpus entry) needs apsim_gen_scenario.
 */
void apsim_gen_scenario_reuse(uint64_t seed, const struct apsim_gen_opts *o,
			      struct apsim_scenario *buf);

/* Whether seed's world is a large one (a machine's shape: docs/fuzzing.md,
 * "Large worlds"); decided from the seed apart from the choice stream. */
bool apsim_gen_seed_is_large(uint64_t seed);

/* Whether seed's scenario takes its set-up part from its group's stream
 * (o->share > 1, and not a large world, which keeps its own): whether
 * other seeds can start from its world snapshot. */
bool apsim_gen_shares_setup(uint64_t seed, const struct apsim_gen_opts *o);

/* libFuzzer bytes -> scenario; once the bytes run out every draw is 0. */
void apsim_gen_from_bytes(const uint8_t *data, size_t len,
			  struct apsim_scenario *out);

/*
 * Sharding (--shard I/N): seed s belongs to shard I of N iff s % N == I.
 * parse "I/N" (0 <= I < N <= 1000000): 0 or -1.
 */
int apsim_fuzz_shard_parse(const char *s, int *idx, int *n);
static inline int apsim_fuzz_shard_owns(uint64_t seed, int idx, int n)
{
	return n <= 1 || seed % (uint64_t)n == (uint64_t)idx;
}

/* Number of operations (setup + threads) of a scenario. */
int apsim_scn_count_ops(const struct apsim_scenario *s);

#endif /* APSIM_FUZZ_GEN_H */
