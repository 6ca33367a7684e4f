/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_snapshot.c - a world snapshot gives bit for bit the outcome
 * of a rebuild.
 *
 * Owns: the comparison of explorations run twice, once with world
 * snapshots (driver/world/world.c: every execution after the first starts
 * from the world as the first left it after its set-up block) and once
 * rebuilding every world (apsim_world_set_snapshot(0), as APSIM_SNAPSHOT=0).
 * For every shipped scenario of this build's tree and variant, under random
 * (two seeds), PCT, bounded exhaustive search and random with the trace on
 * (as apsim run records it), each execution's record
 * must be identical: the result (steps, decisions, preemptions, virtual
 * time, deadlock/hang/crash/redundant), the schedule file, the trace, every finding
 * (kind, signature, step, thread, phase, full report), every op result
 * and sysfs read, the lock validator's graph; and the explorations'
 * statistics; also with other worlds run between the executions of an
 * exploration; and generated worlds that share a set-up part
 * (apsim_world_run_shared) against a rebuild of each.  The test also checks
 * that snapshots were really used (it cannot pass by rebuilding twice), and
 * runs from the source tree (it reads scenarios/).
 */
#include <apsim/sim.h>
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/world/world.h"
#include "driver/scenario/scenario.h"
#include "fuzz/gen.h"
#include "check_util.h"

#define MAX_EXECS 400

/* Builds whose allocator has shadow memory (APSIM_KASAN, the default;
 * passed by the Makefile) take snapshots; ASan, KASAN=0 (guard pages) and
 * APSIM_SLAB=guard|poison rebuild every world. */
static bool snapshots_expected(void)
{
#ifdef APSIM_KASAN
	return !getenv("APSIM_SLAB");
#else
	return false;
#endif
}

struct rec {
	char *text[MAX_EXECS + 1];
	int n;
	struct apsim_exec ex;
};

static void put_exec(FILE *f, const struct apsim_exec *ex)
{
	fprintf(f, "setup:");
	for (int i = 0; i < APSIM_MAX_OPS; i++)
		if (ex->setup[i] != APSIM_RES_NOT_RUN)
			fprintf(f, " %d=%ld", i, ex->setup[i]);
	for (int t = 0; t < APSIM_MAX_THREADS; t++) {
		fprintf(f, "\nthr%d:", t);
		for (int i = 0; i < APSIM_MAX_OPS; i++)
			if (ex->thr[t][i] != APSIM_RES_NOT_RUN)
				fprintf(f, " %d=%ld", i, ex->thr[t][i]);
	}
	fprintf(f, "\nmismatches %d '%s' invariants %d reads %d\n", ex->mismatches, ex->mismatch,
		ex->invariants_checked, ex->nreads);
	for (int i = 0; i < ex->nreads && i < 8; i++)
		fprintf(f, "read %d: %s\n", i, ex->reads[i]);
}

static int on_exec(uint64_t idx, const struct sim_result *r, void *arg)
{
	struct rec *rc = arg;
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	fprintf(f, "exec %llu: findings %d deadlock %d hang %d crashed %d diverged %d "
		"redundant %d steps %llu decisions %llu preemptions %llu vtime %llu\n",
		(unsigned long long)idx, r->nfindings, r->deadlock, r->hang, r->crashed,
		r->diverged, r->redundant, (unsigned long long)r->steps,
		(unsigned long long)r->decisions, (unsigned long long)r->preemptions,
		(unsigned long long)r->vtime_ns);
	sim_schedule_write(f);
	for (int i = 0; i < sim_findings_count(); i++) {
		const struct sim_finding *fd = sim_finding_get(i);

		fprintf(f, "finding %d %s step %llu tid %d phase %s\n%s\n", fd->kind,
			fd->signature, (unsigned long long)fd->step, fd->tid,
			fd->phase ? fd->phase : "-", fd->report ? fd->report : "");
	}
	if (sim_trace_enabled())
		sim_trace_print(f, 100);
	put_exec(f, &rc->ex);
	sim_lockdep_dot(f);     /* the validator's classes and graph */
	fclose(f);
	if (rc->n < MAX_EXECS)
		rc->text[rc->n++] = buf;
	else
		free(buf);
	return 0;
}

static int on_exec_nested(uint64_t idx, const struct sim_result *r, void *arg);

static void rec_free(struct rec *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->text[i]);
	r->n = 0;
}

/* Explore s under o twice (snapshot, rebuild), recording each execution
 * with cb (on_exec, or one that runs other worlds in between), and compare. */
static void compare_cb(const struct apsim_scenario *s, const struct sim_opts *o, uint64_t iters,
		       const char *what, sim_exec_cb cb, unsigned long *used)
{
	static struct rec a, b;
	struct sim_explore_stats sa, sb;
	unsigned long u0;
	long na, nb;

	/* execution by execution: without the exhaustive search's state memo,
	 * which keys on the world's bytes at the join: a rebuilt world and a
	 * restored one can reach it with different bytes, so the two may cut
	 * different executions short; the memo keeps the findings, not each
	 * execution (check_sim_explore, APSIM_MEMO=verify) */
	setenv("APSIM_MEMO", "0", 1);
	u0 = apsim_world_snapshot_used();
	apsim_world_set_snapshot(1);
	na = apsim_world_explore(s, o, iters, cb, &a, &a.ex, &sa);
	*used += apsim_world_snapshot_used() - u0;
	apsim_world_set_snapshot(0);
	u0 = apsim_world_snapshot_used();
	nb = apsim_world_explore(s, o, iters, cb, &b, &b.ex, &sb);
	ck_assert_uint_eq(apsim_world_snapshot_used(), u0);
	apsim_world_set_snapshot(-1);
	unsetenv("APSIM_MEMO");
	ck_assert_msg(na == nb, "%s %s: %ld executions with snapshots, %ld rebuilt", s->file,
		      what, na, nb);
	ck_assert_msg(sa.executions == sb.executions && sa.complete == sb.complete &&
		      sa.redundant == sb.redundant && sa.bound_pruned == sb.bound_pruned &&
		      sa.pruned == sb.pruned, "%s %s: exploration statistics differ", s->file, what);
	ck_assert_int_eq(a.n, b.n);
	for (int i = 0; i < a.n; i++)
		ck_assert_msg(!strcmp(a.text[i], b.text[i]),
			      "%s %s: execution %d differs\n--- snapshot:\n%s\n--- rebuild:\n%s",
			      s->file, what, i, a.text[i], b.text[i]);
	rec_free(&a);
	rec_free(&b);
}

static void compare(const struct apsim_scenario *s, const struct sim_opts *o, uint64_t iters,
		    const char *what, unsigned long *used)
{
	compare_cb(s, o, iters, what, on_exec, used);
}

static int nfiles;
static char files[256][512];

static void collect(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && nfiles < 256) {
		char p[512];
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (n > 4 && !strcmp(e->d_name + n - 4, ".scn"))
			snprintf(files[nfiles++], sizeof(files[0]), "%s", p);
		else if (e->d_type == DT_DIR)
			collect(p);
	}
	closedir(d);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

START_TEST(snapshot_equals_rebuild)
{
	static struct apsim_scenario s;
	unsigned long used = 0;
	int ran = 0;
	char err[512];

	/* Under user-space ASan the allocator is ASan's: no snapshot is taken,
	 * and the shipped scenarios that reach the driver's known
	 * use-after-free abort in ASan's report instead of a finding. */
	if (tu_asan())
		return;
	apsim_world_init();
	ck_assert_int_eq(apsim_rules_load(NULL, err, sizeof(err)), 0);   /* the tree's rules */
	/* the incremental points are checked on the way (rules_incremental_*) */
	apsim_rules_verify(true, NULL, NULL);
	/* and the arrays the shim modules restore themselves, at every restore */
	unsigned long hole_bad = 0;

	apsim_world_snapshot_verify(true, &hole_bad);
	nfiles = 0;
	collect("scenarios");
	ck_assert_msg(nfiles > 10, "run from the source tree: scenarios/ not found");
	qsort(files, (size_t)nfiles, sizeof(files[0]), cmp);
	for (int i = 0; i < nfiles; i++) {
		struct sim_opts o;

		apsim_scn_init(&s);
		if (apsim_scn_parse_file(files[i], &s, err, sizeof(err)))
			continue;
		if (strcmp(s.variant, apsim_variant_name) ||
		    !apsim_scn_tree_ok(&s, apsim_ksrc_version))
			continue;
		ran++;
		for (int k = 0; k < 5; k++) {
			sim_opts_default(&o);
			o.trace = false;
			/* the locking rules as apsim run and fuzz check them (their
			 * field watches are part of the snapshot) from the PCT pass on */
			apsim_rules_enable(k >= 2);
			if (s.explore.max_steps > 0)
				o.max_steps = (uint64_t)s.explore.max_steps;
			switch (k) {
			case 0:
			case 1:
				o.strategy = SIM_STRAT_RANDOM;
				o.seed = 1 + 1000003ULL * (uint64_t)k;
				compare(&s, &o, 120, k ? "random seed 1000004" : "random seed 1", &used);
				break;
			case 2:
				o.strategy = SIM_STRAT_PCT;
				o.seed = 7;
				o.pct_depth = 3;
				compare(&s, &o, 120, "pct depth 3", &used);
				break;
			case 3:
				o.strategy = SIM_STRAT_EXHAUSTIVE;
				o.preemption_bound = 2;
				compare(&s, &o, 150, "exhaustive pb 2", &used);
				break;
			case 4:   /* as apsim run: tracing on (the trace is compared) */
				o.strategy = SIM_STRAT_RANDOM;
				o.seed = 99;
				o.trace = true;
				compare(&s, &o, 40, "random seed 99, traced", &used);
				break;
			}
		}
	}
	apsim_rules_enable(false);
	unsigned long skipped, missed;

	apsim_rules_verify(false, &skipped, &missed);
	apsim_world_snapshot_verify(false, NULL);
	ck_assert_msg(hole_bad == 0, "%lu restored entries (rows, buckets, arrays, rule slots) differ from the snapshot",
		      hole_bad);
	ck_assert_msg(missed == 0, "incremental rule points: %lu of %lu skips missed a change",
		      missed, skipped);
	ck_assert_msg(ran > 5, "only %d scenarios of this tree and variant", ran);
	/* the comparison is not vacuous: executions started from a snapshot */
	if (snapshots_expected())
		ck_assert_msg(used > (unsigned long)ran * 100,
			      "snapshots used only %lu times in %d scenarios", used, ran);
}
END_TEST

/*
 * The rules checker's incremental points (driver/world/rules.c): a point
 * compares an mdev's watched fields with their snapshot only when an access
 * touched them since the last point.  With verification on, the skipped
 * compares are done anyway: none may find a change, over generated worlds
 * as apsim fuzz runs them (rules on, one execution each, and the shrinker's
 * explorations of one world) and the shipped scenarios (above).
 */
START_TEST(rules_incremental_points_miss_nothing)
{
	static struct apsim_scenario s;
	static struct apsim_exec ex;
	unsigned long skipped, missed;
	char err[512];

	if (tu_asan())
		return;
	apsim_world_init();
	ck_assert_int_eq(apsim_rules_load(NULL, err, sizeof(err)), 0);
	apsim_rules_enable(true);
	apsim_rules_verify(true, NULL, NULL);
	for (uint64_t seed = 1; seed <= 1500; seed++) {
		struct sim_result res;
		struct sim_opts o;

		apsim_gen_scenario(seed * 7919, NULL, &s);
		sim_opts_default(&o);
		o.trace = false;
		o.seed = seed;
		if (s.explore.strategy >= 0 && s.explore.strategy != SIM_STRAT_EXHAUSTIVE &&
		    s.explore.strategy != SIM_STRAT_REPLAY)
			o.strategy = s.explore.strategy;
		if (s.explore.max_steps > 0)
			o.max_steps = (uint64_t)s.explore.max_steps;
		if (seed % 50)
			apsim_world_run(&s, &o, &res, &ex);
		else	/* from a world snapshot, as shrinking explores */
			apsim_world_explore(&s, &o, 20, NULL, NULL, &ex, NULL);
	}
	apsim_rules_verify(false, &skipped, &missed);
	apsim_rules_enable(false);
	ck_assert_msg(missed == 0, "%lu of %lu skipped compares would have missed a change",
		      missed, skipped);
	/* not vacuous: with a shadow region the points do skip */
	if (snapshots_expected())
		ck_assert_msg(skipped > 10000, "only %lu skips", skipped);
}
END_TEST

/* APSIM_SNAPSHOT=0 and apsim_world_set_snapshot(0) force the rebuild */
START_TEST(snapshot_off_rebuilds)
{
	static struct apsim_scenario s;
	struct apsim_exec ex;
	struct sim_opts o;
	char err[512];
	unsigned long u0;

	apsim_world_init();
	apsim_scn_init(&s);
	ck_assert_int_eq(apsim_scn_parse_file("scenarios/fixed/d2-inuse.scn", &s, err, sizeof(err)), 0);
	sim_opts_default(&o);
	o.seed = 3;
	apsim_world_set_snapshot(0);
	u0 = apsim_world_snapshot_used();
	ck_assert_int_eq(apsim_world_explore(&s, &o, 50, NULL, NULL, &ex, NULL), 50);
	ck_assert_uint_eq(apsim_world_snapshot_used(), u0);
	apsim_world_set_snapshot(1);
	ck_assert_int_eq(apsim_world_explore(&s, &o, 50, NULL, NULL, &ex, NULL), 50);
	if (snapshots_expected())
		ck_assert_uint_eq(apsim_world_snapshot_used(), u0 + 49);
	/* one execution (apsim_world_run) never keeps a snapshot */
	struct sim_result r;

	u0 = apsim_world_snapshot_used();
	ck_assert_int_eq(apsim_world_run(&s, &o, &r, &ex), 0);
	ck_assert_int_eq(apsim_world_run(&s, &o, &r, &ex), 0);
	ck_assert_uint_eq(apsim_world_snapshot_used(), u0);
	apsim_world_set_snapshot(-1);
}
END_TEST

/* A callback that runs other worlds between the executions of an
 * exploration (as a finding writer could): the restored executions must not
 * see anything of them (execution counters, lock classes, slab objects). */
static const struct apsim_scenario *nested;
static struct apsim_exec nested_ex;

static int on_exec_nested(uint64_t idx, const struct sim_result *r, void *arg)
{
	struct sim_result nr;
	struct sim_opts o;

	on_exec(idx, r, arg);
	if (idx % 7 == 3) {
		sim_opts_default(&o);
		o.seed = idx;
		o.trace = idx % 2;
		apsim_world_run(nested, &o, &nr, &nested_ex);
	}
	return 0;
}

START_TEST(snapshot_survives_other_worlds_between)
{
	static struct apsim_scenario d2, other;
	struct sim_opts o;
	char err[512];
	unsigned long used = 0;

	if (tu_asan())
		return;
	apsim_world_init();
	apsim_scn_init(&d2);
	apsim_scn_init(&other);
	ck_assert_int_eq(apsim_scn_parse_file("scenarios/fixed/d2-inuse.scn", &d2, err, sizeof(err)), 0);
	ck_assert_int_eq(apsim_scn_parse_file("bench/small-mix.scn", &other, err, sizeof(err)), 0);
	nested = &other;
	for (int k = 0; k < 2; k++) {
		sim_opts_default(&o);
		o.strategy = k ? SIM_STRAT_EXHAUSTIVE : SIM_STRAT_RANDOM;
		o.preemption_bound = 2;
		o.seed = 5;
		o.trace = !k;
		compare_cb(&d2, &o, 100, k ? "exhaustive, other worlds between" :
			   "random, traced, other worlds between", on_exec_nested, &used);
	}
}
END_TEST

/*
 * The AP bus' and the AP model's per-card rows are host memory that a
 * restore copies back only when an execution changed them (dirty marks in
 * driver/kernel/apbus.c and ap_hw.c).  Here every execution's racing
 * thread changes them: it takes adapter 5 out (its row loses a queue),
 * brings adapter 7 in (a row the snapshot has not) and scans, then reads
 * the state back through the driver and the bus; with other worlds (other
 * rows) run between some executions.  Every execution must see the set-up
 * world again.  (A restore that skips a changed row gives a different
 * queue status or bind result in the second execution: tried.)
 */
static const char rows_scn[] =
	"scenario rows\n"
	"host adapters 5,6 domains 4,9 control-domains 4\n"
	"host free-adapters 5,6,7 free-domains 4,9\n"
	"setup:\n"
	"    create_mdev m0\n"
	"    assign_domain m0 4\n"
	"    assign_adapter m0 5\n"
	"    read_queue_status 05.0004\n"
	"thread t0:\n"
	"    read_queue_status 05.0004\n"
	"    config_remove_adapter 5\n"
	"    config_add_adapter 7\n"
	"    ap_scan\n"
	"    read_queue_status 07.0004\n"
	"    bind 07.0009\n"
	"    unbind 06.0009\n"
	"    read_matrix m0\n"
	"thread t1:\n"
	"    bind 05.0009\n"
	"    read_queue_status 05.0009\n"
	"    assign_adapter m0 7\n"
	"    read_matrix m0\n";

START_TEST(snapshot_restores_changed_rows)
{
	static struct apsim_scenario s, other;
	struct sim_opts o;
	char err[512];
	unsigned long used;

	if (tu_asan())
		return;
	apsim_world_init();
	apsim_scn_init(&s);
	apsim_scn_init(&other);
	ck_assert_msg(apsim_scn_parse_buf(rows_scn, strlen(rows_scn), "rows.scn", &s, err,
					  sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(apsim_scn_parse_file("bench/small-mix.scn", &other, err, sizeof(err)), 0);
	nested = &other;
	unsigned long hole_bad = 0;

	apsim_world_snapshot_verify(true, &hole_bad);
	for (int k = 0; k < 2; k++) {
		sim_opts_default(&o);
		o.strategy = SIM_STRAT_RANDOM;
		o.seed = 11 + (uint64_t)k;
		used = 0;
		compare_cb(&s, &o, 60, k ? "rows, other worlds between" : "rows", k ? on_exec_nested : on_exec,
			   &used);
		if (snapshots_expected())
			ck_assert_uint_ge(used, 50);
	}
	/* executions cut short by the step budget (a hang, like a deadlock,
	 * ends an execution without its teardown): the queue devices of
	 * adapter 7 are left in buckets the snapshot has empty */
	for (uint64_t steps = 20; steps <= 400; steps += 20) {
		sim_opts_default(&o);
		o.strategy = SIM_STRAT_RANDOM;
		o.seed = 5;
		o.max_steps = steps;
		used = 0;
		compare_cb(&s, &o, 10, "rows, cut short", on_exec, &used);
	}
	apsim_world_snapshot_verify(false, NULL);
	/* the bus' rows and the buckets of its queue table, restored by their
	 * module (holes in the copy of the sections): as saved */
	ck_assert_msg(hole_bad == 0, "%lu restored entries (rows, buckets, arrays, rule slots) differ from the snapshot",
		      hole_bad);
}
END_TEST

/*
 * apsim_world_run_shared (apsim fuzz --share-setup): generated worlds whose
 * seeds share a set-up part (host, setup block, strategy) run one after the
 * other, each from the snapshot the first of its group took (or the last
 * rebuild left), must give bit for bit what a rebuild of each gives: the
 * same record as above (result, schedule, findings, trace, op results and
 * reads, lock graph).  Rules on, a quarter of the groups traced, an
 * exploration of another world now and then (as a finding's reproduction
 * runs in the campaign) replacing the snapshot, and a run of a world of 8
 * threads into the same results between two runs of a group.
 */
/*
 * A set-up part with findings (non-fatal: a WARN, a rule, a lock not held)
 * is kept in the snapshot with its findings: every later execution of the
 * exploration starts from it and reports them as a rebuild does (reports,
 * steps, phase), with the reports written or brief (as apsim fuzz runs).
 * The shipped scenarios of this tree whose set-up reports such a finding
 * are compared both ways; at least one must have started its executions
 * from snapshots.
 */
START_TEST(snapshot_keeps_setup_findings)
{
	static struct apsim_scenario s;
	static struct apsim_exec ex;
	unsigned long used = 0, used_one;
	int with = 0, with_used = 0;
	char err[512];

	if (tu_asan() || !snapshots_expected())
		return;
	apsim_world_init();
	ck_assert_int_eq(apsim_rules_load(NULL, err, sizeof(err)), 0);
	apsim_rules_enable(true);
	nfiles = 0;
	collect("scenarios");
	qsort(files, (size_t)nfiles, sizeof(files[0]), cmp);
	for (int i = 0; i < nfiles; i++) {
		struct sim_opts o;
		struct sim_result res;
		bool setup_finding = false;

		apsim_scn_init(&s);
		if (apsim_scn_parse_file(files[i], &s, err, sizeof(err)) ||
		    strcmp(s.variant, apsim_variant_name) || !apsim_scn_tree_ok(&s, apsim_ksrc_version))
			continue;
		sim_opts_default(&o);
		o.trace = false;
		o.strategy = SIM_STRAT_RANDOM;
		o.seed = 1;
		apsim_world_run(&s, &o, &res, &ex);
		for (int k = 0; k < sim_findings_count(); k++) {
			const struct sim_finding *f = sim_finding_get(k);

			if (f->phase && (!strcmp(f->phase, "the setup block") ||
					 !strcmp(f->phase, "modprobe vfio_ap")))
				setup_finding = true;
		}
		if (!setup_finding)
			continue;
		with++;
		used_one = used;
		o.brief_findings = false;
		compare(&s, &o, 60, "set-up finding, random", &used);
		o.brief_findings = true;
		o.seed = 2;
		compare(&s, &o, 60, "set-up finding, brief", &used);
		o.brief_findings = false;
		o.trace = true;
		o.seed = 3;
		compare(&s, &o, 20, "set-up finding, traced", &used);
		/* (other conditions may refuse the snapshot: a random draw in
		 * the set-up, a module that failed to load) */
		if (used - used_one >= 100)
			with_used++;
	}
	apsim_rules_enable(false);
	/* 6.1: zapq-busy-warn (its WARNs); 6.12: the ap_config read rule of
	 * ops-6.12/ap-config-*; the d1, d2 variants: their rules */
	ck_assert_msg(with > 0, "no shipped scenario of this tree has a finding in its set-up");
	ck_assert_msg(with_used > 0, "none of the %d scenarios with a finding in the set-up started "
		      "an execution from a snapshot", with);
}
END_TEST

static void shared_opts(const struct apsim_scenario *s, uint64_t seed, struct sim_opts *o)
{
	sim_opts_default(o);
	o->trace = (seed / 8) % 4 == 0;
	o->strategy = s->explore.strategy;
	o->seed = s->explore.seed;
	if (s->explore.pct_depth > 0)
		o->pct_depth = s->explore.pct_depth;
}

START_TEST(shared_setup_equals_rebuild)
{
	static struct apsim_scenario sc[2], other;   /* (two: the scenario moves) */
	static struct rec a, b;
	static struct apsim_exec ex_b;
	struct apsim_gen_opts go;
	struct sim_result res;
	struct sim_opts o;
	unsigned long u0, hole_bad = 0;
	char err[512];
	const uint64_t first = 3000, n = 400;

	if (tu_asan())
		return;
	apsim_world_init();
	ck_assert_int_eq(apsim_rules_load(NULL, err, sizeof(err)), 0);
	apsim_rules_enable(true);
	apsim_scn_init(&other);
	ck_assert_int_eq(apsim_scn_parse_file("bench/small-mix.scn", &other, err, sizeof(err)), 0);
	apsim_gen_opts_default(&go);
	go.share = 8;
	apsim_world_snapshot_verify(true, &hole_bad);
	u0 = apsim_world_snapshot_used();
	for (uint64_t seed = first; seed < first + n; seed++) {
		struct apsim_scenario *s = &sc[seed % 2];

		apsim_gen_scenario(seed, &go, s);
		shared_opts(s, seed, &o);
		ck_assert_int_eq(apsim_world_run_shared(s, &o, &res, &a.ex), 0);
		on_exec(seed, &res, &a);
		if (seed % 50 == 17) {   /* another world's exploration between */
			sim_opts_default(&o);
			o.seed = seed;
			apsim_world_explore(&other, &o, 5, NULL, NULL, &ex_b, NULL);
		}
		if (seed % 50 == 33) {   /* a run of 8 threads into the same results */
			static struct apsim_scenario wide;
			struct apsim_gen_opts wo;

			apsim_gen_opts_default(&wo);
			wo.threads_min = wo.threads_max = APSIM_MAX_THREADS;
			wo.ops_min = wo.ops_max = 4;
			apsim_gen_scenario(seed, &wo, &wide);
			sim_opts_default(&o);
			apsim_world_run(&wide, &o, &res, &a.ex);
		}
	}
	u0 = apsim_world_snapshot_used() - u0;
	apsim_world_snapshot_verify(false, NULL);
	apsim_world_set_snapshot(0);
	for (uint64_t seed = first; seed < first + n; seed++) {
		struct apsim_scenario *s = &sc[0];

		apsim_gen_scenario(seed, &go, s);
		shared_opts(s, seed, &o);
		ck_assert_int_eq(apsim_world_run(s, &o, &res, &b.ex), 0);
		on_exec(seed, &res, &b);
	}
	apsim_world_set_snapshot(-1);
	apsim_rules_enable(false);
	ck_assert_int_eq(a.n, b.n);
	for (int i = 0; i < a.n; i++)
		ck_assert_msg(!strcmp(a.text[i], b.text[i]),
			      "seed %llu (--share-setup 8) differs\n--- shared:\n%.3000s\n--- rebuild:\n%.3000s",
			      (unsigned long long)first + (unsigned long long)i, a.text[i], b.text[i]);
	rec_free(&a);
	rec_free(&b);
	ck_assert_msg(hole_bad == 0, "%lu restored entries differ from the snapshot", hole_bad);
	/* not vacuous: most runs started from their group's snapshot */
	if (snapshots_expected())
		ck_assert_msg(u0 > n / 2, "only %lu of %llu runs shared a set-up", u0,
			      (unsigned long long)n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, snapshot_off_rebuilds);
	tcase_add_test(tc, snapshot_survives_other_worlds_between);
	tcase_add_test(tc, snapshot_equals_rebuild);
	tcase_add_test(tc, snapshot_restores_changed_rows);
	tcase_add_test(tc, snapshot_keeps_setup_findings);
	tcase_add_test(tc, shared_setup_equals_rebuild);
	tcase_add_test(tc, rules_incremental_points_miss_nothing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
