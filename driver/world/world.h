/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/world/world.h - host-side API of the driver glue: run a scenario's world
 * against the real vfio_ap driver inside libsim, one execution at a time.
 *
 * Owns: struct apsim_exec (per-execution op results), the build identity
 * (driver tree, version, variant).  No kernel headers here: the CLI, tests,
 * fuzzer and benchmarks include it.
 */
#ifndef APSIM_DRIVER_H
#define APSIM_DRIVER_H

#include <apsim/sim.h>
#include "driver/scenario/scenario.h"

#define APSIM_RES_NOT_RUN  (-100000L)   /* op never ran (execution ended first) */

struct apsim_exec {
	long setup[APSIM_MAX_OPS];
	long thr[APSIM_MAX_THREADS][APSIM_MAX_OPS];
	int mismatches;              /* ops whose "-> R" expectation failed */
	char mismatch[256];          /* the first one, human-readable */
	bool invariants_checked;
	int nreads;                  /* sysfs reads, in the order they ran */
	char reads[8][512];
};

/*
 * Called on thread 0 after every thread has finished and the invariants were
 * checked, before the world is torn down: tests inspect the driver and shim
 * state there.  NULL to remove.
 */
void apsim_world_set_inspect(void (*fn)(void *arg), void *arg);

/* Build identity (generated at build time). */
extern const char apsim_variant_name[];     /* "" for the unmodified driver */
extern const char apsim_variant_history[];
extern const char *const apsim_variant_shim_flags[];
extern const char apsim_ksrc_path[];
extern const char apsim_ksrc_version[];
extern const char apsim_ksrc_sha[];

/* One-time process setup (driver data snapshot); idempotent. */
void apsim_world_init(void);

/*
 * Run one execution of scenario `s` under options `o`.  Findings are in
 * libsim (sim_findings_count/sim_finding_get); op results in *ex.
 */
int apsim_world_run(const struct apsim_scenario *s, const struct sim_opts *o,
		    struct sim_result *res, struct apsim_exec *ex);

/* Explore `iterations` executions (see sim_explore); ex gets the last one. */
long apsim_world_explore(const struct apsim_scenario *s, const struct sim_opts *o,
			 uint64_t iterations, sim_exec_cb cb, void *cb_arg,
			 struct apsim_exec *ex, struct sim_explore_stats *st);

/* An assign/unassign op with an id range as successive sysfs writes into
 * dev's attr (driver/world/store_range.c). */
struct device;
long apsim_world_store_range(struct device *dev, const char *attr,
			     const struct apsim_op *op);

/* Is the driver loaded (its state inspectable) in the current execution? */
bool apsim_world_driver_live(void);

/* The current execution's op results (valid inside an explore callback). */
const struct apsim_exec *apsim_world_exec(void);

/* Invariant checker (callable when no operation is in flight, in a sim
 * thread or in teardown).  Reports SIM_F_INVARIANT findings; returns count. */
int apsim_invariants_check(void);

/* Locking-document rules (driver/world/rules.c). */
int apsim_rules_load(const char *path, char *err, size_t errlen);
void apsim_rules_enable(bool on);

#endif /* APSIM_DRIVER_H */
