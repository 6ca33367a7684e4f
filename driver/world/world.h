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
 * World snapshots (docs/performance.md): within one apsim_world_explore
 * call, the first execution keeps the world after the set-up block (the
 * host configuration, the loaded driver, the setup operations), and every
 * later execution starts from it instead of rebuilding it (then arms the
 * faults of the racing part); the
 * outcome is bit for bit that of a rebuild (tests/check_snapshot.c).  on:
 * 1 use snapshots, 0 always rebuild, -1 the default (on unless
 * APSIM_SNAPSHOT=0 is in the environment).  apsim_world_snapshot_used
 * counts the executions that started from a snapshot (tests, benchmarks).
 */
void apsim_world_set_snapshot(int on);
unsigned long apsim_world_snapshot_used(void);
/* Tests: after every restore, count what the snapshot's restore left to
 * the modules that differs from the snapshot (the holes of the shim's copy,
 * shim_world_snapshot_check; the rules checker's slots,
 * apsim_rules_snapshot_check); *bad accumulates while on. */
void apsim_world_snapshot_verify(bool on, unsigned long *bad);

/*
 * Run one execution of scenario `s` under options `o`.  Findings are in
 * libsim (sim_findings_count/sim_finding_get); op results in *ex.
 */
int apsim_world_run(const struct apsim_scenario *s, const struct sim_opts *o,
		    struct sim_result *res, struct apsim_exec *ex);

/*
 * apsim_world_run, but the execution may start from the snapshot an
 * earlier call took of the same set-up part: the same host configuration,
 * setup block, modprobe faults, file name and options but the seed and the
 * PCT depth, and the same ex; only the racing threads, their faults and the
 * seed differ (apsim fuzz --share-setup).  Bit for bit the outcome of
 * apsim_world_run (tests/check_snapshot.c).
 */
int apsim_world_run_shared(const struct apsim_scenario *s, const struct sim_opts *o,
			   struct sim_result *res, struct apsim_exec *ex);

/* Explore `iterations` executions (see sim_explore); ex gets the last one. */
long apsim_world_explore(const struct apsim_scenario *s, const struct sim_opts *o,
			 uint64_t iterations, sim_exec_cb cb, void *cb_arg,
			 struct apsim_exec *ex, struct sim_explore_stats *st);

/* An assign/unassign op with an id range as successive sysfs writes into
 * the attr of op's mdev (driver/world/store_range.c). */
struct device;
long apsim_world_store_range(const char *attr, const struct apsim_op *op);
/* The device of the scenario's mdev i, looked up now (a path lookup in
 * sysfs: NULL once the mdev was removed). */
struct device *apsim_world_mdev_device(int i);

/* Is the driver loaded (its state inspectable) in the current execution? */
bool apsim_world_driver_live(void);

/* The current execution's op results (valid inside an explore callback). */
const struct apsim_exec *apsim_world_exec(void);

/* Invariant checker (callable when no operation is in flight, in a sim
 * thread or in teardown).  Reports SIM_F_INVARIANT findings; returns count. */
int apsim_invariants_check(void);

/* Locking-document rules (driver/world/rules.c). */
int apsim_rules_load(const char *path, char *err, size_t errlen);
/* The built-in rules file of this tree (rules/...). */
const char *apsim_rules_default_path(void);
void apsim_rules_enable(bool on);
/* fn(arg) with the rules' field watches paused (inspections). */
void apsim_rules_unwatched(void (*fn)(void *), void *arg);
/* The document the loaded rules encode (their `document` line), or "". */
const char *apsim_rules_document(void);
/* Verification of the incremental points (tests): with on, every point
 * also compares the mdevs it would skip.  Returns (through the pointers)
 * the skips and the skips that would have missed a change since the last
 * call, and starts counting anew. */
void apsim_rules_verify(bool on, unsigned long *skipped, unsigned long *missed);

#endif /* APSIM_DRIVER_H */
