/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/targets/fuzz_world.c - libFuzzer target: operation mixes against the real
 * vfio_ap driver.
 *
 * Owns: decoding libFuzzer bytes into a scenario (apsim_gen_from_bytes: the
 * world, the threads and the scheduler strategy/seed all come from the
 * bytes), running one execution, turning serious findings into a trap so
 * libFuzzer saves the input (kinds chosen by APSIM_FUZZ_TRAP), and
 * lock-pair coverage feedback: an 8-bit counter table indexed by
 * hash(outer held lock class, inner held lock class) sampled at every
 * scheduling point, so new lock nestings count as new coverage.
 *
 *   make fuzz-world && build/fuzz/fuzz_world -max_len=512 build/fuzz/corpus-world
 *   build/apsim fuzz --convert crash-<sha1> --out repro/   (readable .scn)
 *
 * APSIM_FUZZ_TRAP: comma-separated finding kinds (sim_finding_kind_name
 * spelling, e.g. "deadlock,memory,crash,invariant,lock-cycle", the default),
 * "all", or "none".  APSIM_FUZZ_VERBOSE=1 prints each trapping finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apsim/sim.h>
#include "driver/world/world.h"
#include "fuzz/gen.h"

#define PAIR_COUNTERS 4096

static struct apsim_scenario scn;
static struct apsim_exec ex;
static bool trap_kind[SIM_F__COUNT];
static bool verbose;

/* Lock-pair feedback: libFuzzer treats this table like its own edge
 * counters (registered with __sanitizer_cov_8bit_counters_init). */
static uint8_t pair_counters[PAIR_COUNTERS]
	__attribute__((aligned(64)));
/* libFuzzer wants a PC table entry (pc, flags) per counter: synthetic PCs
 * inside this table (flags 0), never symbolized as code. */
static uintptr_t pair_pcs[2 * PAIR_COUNTERS];
/* weak: AFL++'s libFuzzer driver may not provide them (then no pair feedback) */
void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop)
	__attribute__((weak));
void __sanitizer_cov_pcs_init(const uintptr_t *beg, const uintptr_t *end)
	__attribute__((weak));

__attribute__((constructor)) static void register_counters(void)
{
	if (!__sanitizer_cov_8bit_counters_init || !__sanitizer_cov_pcs_init)
		return;
	for (int i = 0; i < PAIR_COUNTERS; i++)
		pair_pcs[2 * i] = (uintptr_t)&pair_counters[i];
	__sanitizer_cov_8bit_counters_init(pair_counters, pair_counters + PAIR_COUNTERS);
	__sanitizer_cov_pcs_init(pair_pcs, pair_pcs + 2 * PAIR_COUNTERS);
}

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void pair_point(int tid, void *arg)
{
	const struct sim_lockdep_map *held[16];
	int n;

	(void)arg;
	if (tid < 0)
		return;
	n = sim_lockdep_held_maps(tid, held, 16);
	for (int i = 1; i < n; i++) {
		uint32_t h = str_hash(held[i - 1]->name) * 31u + str_hash(held[i]->name);
		uint8_t *c = &pair_counters[h % PAIR_COUNTERS];

		if (*c < 255)
			(*c)++;
	}
}

static void parse_trap(void)
{
	const char *env = getenv("APSIM_FUZZ_TRAP");
	char buf[512], *tok, *save;

	if (!env)
		env = "deadlock,memory,crash,invariant,lock-cycle";
	snprintf(buf, sizeof(buf), "%s", env);
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		bool found = false;

		for (int k = 1; k < SIM_F__COUNT; k++)
			if (!strcmp(tok, "all") || !strcmp(tok, sim_finding_kind_name(k))) {
				trap_kind[k] = true;
				found = true;
			}
		if (!found && strcmp(tok, "none")) {
			fprintf(stderr, "fuzz_world: APSIM_FUZZ_TRAP: unknown finding kind '%s'; kinds:", tok);
			for (int k = 1; k < SIM_F__COUNT; k++)
				fprintf(stderr, " %s", sim_finding_kind_name(k));
			fprintf(stderr, "\n");
			exit(2);
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	parse_trap();
	verbose = getenv("APSIM_FUZZ_VERBOSE") != NULL;
	apsim_world_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_result res;
	struct sim_opts o;

	apsim_gen_from_bytes(data, size, &scn);
	/*
	 * APSIM_FUZZ_NO_KMALLOC=1 drops allocation-failure faults: the smoke
	 * run in `make check` must not stop at the known 6.1 NULL dereference
	 * after a failed kzalloc (docs/findings.md), which no sanitizer build
	 * survives.
	 */
	if (getenv("APSIM_FUZZ_NO_KMALLOC")) {
		int n = 0;

		for (int i = 0; i < scn.nfaults; i++)
			if (scn.faults[i].kind != APSIM_FAULT_KMALLOC)
				scn.faults[n++] = scn.faults[i];
		scn.nfaults = n;
	}
	sim_opts_default(&o);
	o.preemption_bound = 2;
	o.strategy = scn.explore.strategy >= 0 ? scn.explore.strategy : SIM_STRAT_RANDOM;
	o.seed = scn.explore.seed;
	if (scn.explore.pct_depth > 0)
		o.pct_depth = scn.explore.pct_depth;
	o.hung_task_ns = apsim_explore_hung_task_ns(&scn.explore, o.hung_task_ns);
	o.trace = false;
	sim_set_point_hook(pair_point, NULL);
	apsim_world_run(&scn, &o, &res, &ex);
	sim_set_point_hook(NULL, NULL);
	for (int i = 0; i < sim_findings_count(); i++) {
		const struct sim_finding *f = sim_finding_get(i);

		if (f->kind > 0 && f->kind < SIM_F__COUNT && trap_kind[f->kind]) {
			fprintf(stderr, "fuzz_world: %s: %s\n", sim_finding_kind_name(f->kind),
				f->signature);
			if (verbose && f->report)
				fputs(f->report, stderr);
			__builtin_trap();
		}
	}
	return 0;
}
