/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/campaign.h - the fuzzing campaign engine behind `apsim fuzz`.
 *
 * Owns: the API of a campaign over a seed range: its options (struct
 * apsim_campaign_opts, filled by the program's option parser, cli/fuzz.c),
 * what the program lends it (its version, the binary replay.sh runs, the
 * trace width, the wall-clock watchdog of executions as hooks) and its exit
 * codes.  The engine itself (workers, shared state, dedup, artefacts,
 * shrinking, settle, progress, summary, signals) is fuzz/campaign.c.
 */
#ifndef APSIM_FUZZ_CAMPAIGN_H
#define APSIM_FUZZ_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "driver/scenario/scenario.h"
#include "fuzz/gen.h"

#define APSIM_CAMPAIGN_MAX_JOBS 64
#define APSIM_CAMPAIGN_MAX_CORPORA 16

/*
 * The signature of a `hang` finding: an execution made no progress for the
 * wall-clock budget (a killed worker here, the program's watchdog in
 * `apsim run`).
 */
#define APSIM_WALL_HANG_SIG "hang:wall-clock"

/* Exit codes of apsim_campaign_run (those of apsim, README.md). */
enum {
	APSIM_CAMPAIGN_CLEAN = 0,      /* nothing found */
	APSIM_CAMPAIGN_FINDINGS = 1,   /* at least one finding */
	APSIM_CAMPAIGN_UNUSABLE = 2,   /* --out in use, no memory, no fork */
	APSIM_CAMPAIGN_WRITE = 3,      /* a result could not be written */
};

struct apsim_campaign_opts {
	uint64_t first, count;     /* seed range [first, first + count) */
	bool until_time;           /* count is "until time_limit" */
	double time_limit;         /* seconds, 0 = none */
	long exec_timeout;         /* wall-clock seconds per execution, 0 = none */
	int jobs;                  /* worker processes, 1..APSIM_CAMPAIGN_MAX_JOBS */
	int shard_i, shard_n;      /* this campaign runs the seeds s % n == i */
	const char *out;           /* output directory (must be empty or absent) */
	bool no_shrink, quiet, json;
	int shrink_budget;         /* candidate runs per shrink */
	struct apsim_gen_opts gen;
	/* known findings (--known FILE): listed with their reason, not
	 * counted for the exit code; NULL = none */
	struct apsim_known *known;
	/* --races: the data-race detector on in every execution */
	bool races;
	/* coverage-guided campaign (--guided; --unguided: seeds only) */
	bool guided;
	/* --corpus DIR (repeatable): corpus[0] is the campaign's corpus
	 * (loaded at the start, new entries written into it; default
	 * OUT/corpus), the others are read only: their entries that add
	 * feedback are copied into corpus[0].  merge_only: load and merge,
	 * run no seed (--merge). */
	const char *corpus[APSIM_CAMPAIGN_MAX_CORPORA];
	int ncorpus;
	bool merge_only;

	/* lent by the program */
	const char *version;       /* in headers and summary.json */
	const char *replay_bin;    /* the binary replay.sh runs */
	int trace_width;           /* columns of trace.txt */
	/* The wall-clock watchdog of executions that run in this process
	 * (settle re-runs seeds in the parent): exec_begin is called as each
	 * execution starts, watchdog_start(secs) / watchdog_stop() bracket
	 * the parent's re-runs.  Any may be NULL. */
	void (*exec_begin)(void);
	void (*watchdog_start)(long secs);
	void (*watchdog_stop)(void);
};

/* Seeds per shared set-up of an unguided campaign by default
 * (--share-setup; docs/fuzzing.md "Shared set-ups"). */
#define APSIM_CAMPAIGN_SHARE_SETUP 16

/* The defaults of `apsim fuzz` (seeds 1..10000, -j 1, apsim-out/fuzz,
 * --share-setup 16, ...). */
void apsim_campaign_opts_default(struct apsim_campaign_opts *o);

/*
 * Run the campaign: results in o->out (finding directories, summary.json),
 * the summary on stdout (text or JSON), progress and errors on stderr.
 * Returns an APSIM_CAMPAIGN_* exit code.
 */
int apsim_campaign_run(const struct apsim_campaign_opts *o);

/*
 * Shrink *s for the finding signature sig as a campaign shrinks each new
 * finding (fuzz/shrink.h; each candidate explored for up to 64 executions,
 * from its world snapshot): at most budget candidates; returns the steps
 * taken, and in *repro_index (if not NULL) the execution of the shrunk
 * scenario that showed sig.  s must show sig (not re-checked).
 */
struct apsim_shrink_stats;
int apsim_campaign_shrink(struct apsim_scenario *s, const char *sig, int budget,
			  struct apsim_shrink_stats *st, uint64_t *repro_index);

/* A scenario as apsim_scn_write writes it, naming this binary's variant
 * when it names none (so that `apsim run` replays it in this driver). */
int apsim_fuzz_scn_print(FILE *f, const struct apsim_scenario *s);

/* A scenario file written atomically (sim_out_write_atomic, with
 * apsim_fuzz_scn_print): 0 or -errno. */
int apsim_fuzz_write_scn(const char *path, const struct apsim_scenario *s);

#endif /* APSIM_FUZZ_CAMPAIGN_H */
