/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/cover.c - code coverage of the real driver, for apsim fuzz.
 *
 * Owns: the callback of `-fsanitize-coverage=trace-pc` (gcc or clang: a
 * call at every basic block of the code built with it, the driver only),
 * and a byte map indexed by a hash of the block's address.
 * The map is process-local; `apsim fuzz` merges it into the campaign's
 * shared map (cli/fuzz.c).  Not built for libFuzzer (it owns the callback
 * and measures coverage itself).
 */
#include "internal.h"

#ifdef APSIM_COVER
extern char __executable_start[];
void sim__cov_edge(uint32_t loc);
uint8_t sim__cover_map[SIM_COVER_SIZE];

void __sanitizer_cov_trace_pc(void);
void __sanitizer_cov_trace_pc(void)
{
	uintptr_t pc = (uintptr_t)__builtin_return_address(0);

	sim__cover_map[(pc ^ (pc >> 15)) & (SIM_COVER_SIZE - 1)] = 1;
	/* the edge for guided fuzzing (sim/cov.c): the offset in the binary,
	 * so that it is the same in every process */
	pc -= (uintptr_t)__executable_start;
	sim__cov_edge((uint32_t)((pc ^ (pc >> 13)) * 0x9E3779B1u) >> 8);
}
#endif

const uint8_t *sim_cover_map(void)
{
#ifdef APSIM_COVER
	return sim__cover_map;
#else
	return NULL;
#endif
}
