/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/campaign.c - the fuzzing campaign engine (`apsim fuzz`).
 *
 * Owns: the seed range and its split into shards (--shard I/N) and into
 * chunks claimed by worker processes (-j N), the state the workers share (a
 * MAP_SHARED mapping manipulated with Concurrency Kit atomics: counters,
 * chunk cursor, stop flag, the global signature dedup table and the finding
 * records), crash isolation of workers (a dead worker's seed becomes a
 * finding, the worker is restarted), per-finding artefacts (scenario.scn,
 * sim_out_write_finding files, shrinking through the reproduce() predicate,
 * minimal.scn + minimal/ replay files), the progress line (a terminal) or
 * the periodic progress lines (anything else), the summary (OUT/summary.json,
 * text or JSON on stdout, the findings grouped by kind and function), and
 * the loop of coverage-guided campaigns (--guided: each worker's corpus and
 * seen map, the choice between a generated scenario and a mutant, what is
 * kept, the corpus directory loaded, resumed and merged; see "guided"
 * below).  Its options come from the program (fuzz/campaign.h; parsing:
 * cli/fuzz.c).
 *
 * Robustness: a worker whose execution makes no progress for
 * --exec-timeout seconds of wall clock is killed and its seed becomes a
 * `hang` finding; --time is a hard limit (workers still busy STOP_GRACE_S
 * after it are killed); SIGINT/SIGTERM stop the campaign gracefully (a
 * second one kills the workers); OUT/summary.json is written at the start,
 * refreshed every SUMMARY_EVERY_S seconds and at the end (its "status"
 * says which); an --out that already holds files is refused; every write
 * error is reported with its file and errno and makes the exit code 3.
 *
 * Determinism: a seed fully determines its scenario and its execution, so
 * a seed range always yields the same output: each signature is owned by
 * the lowest seed that showed it and directories are numbered in seed
 * order, whatever -j is (settle() repairs what the workers' race changed).
 * Guided campaigns are reproducible for a given -j (each worker runs a fixed
 * stride of chunks with its own corpus: see "guided" below).
 * Wall clock is only used for --time, the progress lines and the summary's
 * timing fields.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include <apsim/sim.h>
#include <apsim/cov.h>
#include "driver/world/world.h"
#include "fuzz/campaign.h"
#include "fuzz/corpus.h"
#include "fuzz/gen.h"
#include "fuzz/mutate.h"
#include "fuzz/groups.h"
#include "fuzz/shrink.h"

#define CHUNK          64       /* seeds claimed at once by a worker */
#define DEDUP_SLOTS    4096     /* open-addressing table of signature hashes */
#define PAIR_SLOTS     8192     /* lock pairs seen by the campaign (coverage) */
#define MAX_FINDINGS   256      /* finding records kept (more are counted) */
#define MAX_JOBS       APSIM_CAMPAIGN_MAX_JOBS
#define REPRO_EXECS    64       /* executions per reproduce() candidate */
#define MAX_RESTARTS   100      /* worker restarts before giving up */
#define STOP_GRACE_S   10.0     /* after --time or a signal: then workers are killed */
#define SUMMARY_EVERY_S 5.0     /* refresh of OUT/summary.json while running */
#define PROGRESS_EVERY_S 10.0   /* progress lines when stderr is no terminal */
#define HANG_SIG       APSIM_WALL_HANG_SIG

enum rec_state { REC_EMPTY = 0, REC_WRITING, REC_DONE, REC_ABANDONED };

struct frec {
	uint64_t state;
	uint64_t hash;
	uint64_t seed;
	uint64_t repro_seed;       /* minimal.scn: explore seed */
	int kind;
	int ops, shrunk_ops;       /* shrunk_ops -1: not shrunk */
	int repro_iterations;      /* minimal.scn: explore iterations */
	int shrink_candidates;
	int sub;                   /* its index among its seed's findings */
	int slot;                  /* its signature's slot in the dedup table */
	int wsig;                  /* worker-crash: the signal (< 0: exit status) */
	int write_failed;          /* an artefact could not be written */
	uint64_t found_execs;      /* campaign executions when it was found */
	double found_s;            /* seconds from the start to that moment */
	char sig[256];
	char dir[64];              /* relative to OUT */
	char where[64];            /* function (or place) of the finding: grouping */
};

struct wslot {
	uint64_t pid;
	uint64_t cur_seed;         /* published before each execution */
	uint64_t chunk_end;        /* end (exclusive, as seed) of the current chunk */
	uint64_t busy;             /* 1 while running cur_seed */
	uint64_t done;
	uint64_t beat;             /* executions started (watchdog heartbeat) */
};

struct shared {
	double t0;                 /* campaign start (wall clock) */
	uint64_t cursor;           /* next unclaimed offset into the seed range */
	uint64_t execs;
	uint64_t from_snap;        /* seeds whose execution started from a
				    * (shared) set-up's world snapshot */
	uint64_t stop;
	uint64_t nfind;            /* records claimed (may exceed MAX_FINDINGS) */
	uint64_t overflow;         /* dedup table full */
	uint64_t write_errors;     /* artefacts that could not be written */
	uint64_t npairs;           /* coverage: distinct lock pairs */
	uint64_t pairs[PAIR_SLOTS];
	uint64_t nresults;         /* coverage: distinct (operation, result) */
	uint64_t results[PAIR_SLOTS];
	uint64_t nblocks;          /* coverage: driver blocks (COVER builds) */
	uint8_t blocks[SIM_COVER_SIZE];
	uint64_t ncorpus;          /* guided: corpus entries kept (all workers) */
	uint64_t nfeatures;        /* guided: (slot, bucket) feedback bits seen */
	uint8_t seen[SIM_COV_SIZE];/* guided: the union of the workers' seen maps */
	uint64_t table[DEDUP_SLOTS];
	uint64_t minseed[DEDUP_SLOTS];  /* lowest seed (+1) that showed it */
	struct wslot w[MAX_JOBS];
	struct frec f[MAX_FINDINGS];
};


static struct apsim_campaign_opts FO;
static struct shared *SH;
static int my_slot;
/* the scenario each worker is running (shared: a dead worker's is written
 * by the parent); guided campaigns only */
static struct apsim_scenario *SCN;
/* APSIM_FUZZ_STOP_ON=PATTERN: stop the campaign once a finding whose
 * signature matches PATTERN (`*`, `?` as in --known) is written (the
 * time-to-find measurements of docs/fuzzing.md) */
static const char *stop_on;

/* Wall-clock seconds: --time, progress and timing fields only. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}



/* FNV-1a; 0 is the empty-slot marker. */
static uint64_t sig_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* Insert h (non-zero) into the open-addressing table `set` of `slots`
 * entries, shared between the workers (CAS): its slot, *is_new = this
 * caller inserted it; -1 when the table is full. */
static int set_insert(uint64_t *set, unsigned slots, uint64_t h, bool *is_new)
{
	*is_new = false;
	for (unsigned i = 0; i < slots; i++) {
		unsigned at = (unsigned)((h + i) % slots);
		uint64_t v = ck_pr_load_64(&set[at]);

		if (v == 0 && ck_pr_cas_64(&set[at], 0, h)) {
			*is_new = true;
			return (int)at;
		}
		if (v == h || ck_pr_load_64(&set[at]) == h)
			return (int)at;
	}
	return -1;
}

/* The dedup slot of signature hash h (*is_new: this caller owns it). */
static int dedup_slot(uint64_t h, bool *is_new)
{
	int at = set_insert(SH->table, DEDUP_SLOTS, h, is_new);

	if (at < 0)
		ck_pr_inc_64(&SH->overflow);
	return at;
}

/* Record that `seed` showed the signature in slot `at` (keeps the lowest):
 * true when it lowered it. */
static bool seed_seen(int at, uint64_t seed)
{
	uint64_t *p, cur;

	if (at < 0)
		return false;
	p = &SH->minseed[at];
	for (;;) {
		cur = ck_pr_load_64(p);
		if (cur && cur <= seed + 1)
			return false;
		if (ck_pr_cas_64(p, cur, seed + 1))
			return true;
	}
}

/*
 * Guided campaigns: a seed no longer determines its scenario (a mutant of
 * the corpus), so the scenario of a seed that lowered a signature's owner
 * is kept in OUT/.guided/SLOT-SEED.scn for settle(), which makes the
 * finding's artefacts again from it (removed at the end).
 */
static void guided_path(char *buf, size_t len, int slot, uint64_t seed)
{
	snprintf(buf, len, "%s/.guided/%d-%llu.scn", FO.out, slot, (unsigned long long)seed);
}

static void guided_keep(int slot, uint64_t seed, const struct apsim_scenario *s)
{
	static struct apsim_scenario c;
	char path[PATH_MAX + 64], dir[PATH_MAX + 16];
	int e;

	memcpy(&c, s, sizeof(c));
	c.explore.iterations = 1;
	snprintf(dir, sizeof(dir), "%s/.guided", FO.out);
	guided_path(path, sizeof(path), slot, seed);
	if ((e = sim_out_mkdirs(dir)) || (e = apsim_fuzz_write_scn(path, &c)))
		fprintf(stderr, "apsim: cannot write %s: %s\n", path, strerror(-e));
}

/* The scenario of `seed`: generated (unguided), or the one kept by
 * guided_keep (false: none). */
static bool scenario_of(uint64_t seed, int slot, struct apsim_scenario *s)
{
	char path[PATH_MAX + 64], err[512];

	if (!FO.guided) {
		apsim_gen_scenario(seed, &FO.gen, s);
		return true;
	}
	guided_path(path, sizeof(path), slot, seed);
	if (apsim_scn_parse_file(path, s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return false;
	}
	return true;
}

/* --------------------------------------------------------------- runs */

/* Heartbeat of this worker for the parent's watchdog: an execution starts. */
static void beat(void)
{
	if (SH)
		ck_pr_inc_64(&SH->w[my_slot].beat);
	if (FO.exec_begin)
		FO.exec_begin();
}

/* A write error: counted (exit code 3) and reported with file and errno. */
static void write_failed(struct frec *r, const char *path, int err)
{
	fprintf(stderr, "apsim: cannot write %s: %s\n", path, strerror(err < 0 ? -err : err));
	if (r)
		r->write_failed = 1;
	if (SH)
		ck_pr_inc_64(&SH->write_errors);
}

static void opts_for(const struct apsim_scenario *s, struct sim_opts *o)
{
	sim_opts_default(o);
	o->seed = 1;
	o->preemption_bound = 2;      /* as `apsim run` */
	if (s->explore.strategy >= 0)
		o->strategy = s->explore.strategy;
	if (s->explore.has_seed)
		o->seed = s->explore.seed;
	if (s->explore.pct_depth > 0)
		o->pct_depth = s->explore.pct_depth;
	if (s->explore.preemption_bound >= 0)
		o->preemption_bound = s->explore.preemption_bound;
	if (s->explore.max_steps > 0)
		o->max_steps = s->explore.max_steps;
	o->hung_task_ns = apsim_explore_hung_task_ns(&s->explore, o->hung_task_ns);
	if (FO.races)
		o->races = true;
	o->trace = false;
	/* the campaign compares signatures; a finding's report comes from
	 * its traced re-run (write_artefacts), which sim_run gives text */
	o->brief_findings = true;
}

struct repro_ctx {
	const char *sig;
	bool found;
	uint64_t index;            /* execution index of the last reproduction */
};

static int repro_cb(uint64_t idx, const struct sim_result *res, void *arg)
{
	struct repro_ctx *c = arg;
	int n = sim_findings_count();

	(void)res;
	beat();
	for (int i = 0; i < n; i++)
		if (!strcmp(sim_finding_get(i)->signature, c->sig)) {
			c->found = true;
			c->index = idx;
			return 1;
		}
	return 0;
}

/* Explore up to `iters` executions of s; true if sig shows up. */
static bool explore_for(const struct apsim_scenario *s, const char *sig, long iters,
			bool trace, struct repro_ctx *c)
{
	static struct apsim_exec ex;
	struct sim_explore_stats st;
	struct sim_opts o;

	opts_for(s, &o);
	o.trace = trace;
	c->sig = sig;
	c->found = false;
	apsim_world_explore(s, &o, (uint64_t)iters, repro_cb, c, &ex, &st);
	return c->found;
}

/* The shrinker's predicate. */
static bool reproduce(const struct apsim_scenario *s, void *arg)
{
	struct repro_ctx *c = arg, t;

	if (explore_for(s, c->sig, REPRO_EXECS, false, &t)) {
		c->found = true;
		c->index = t.index;
		return true;
	}
	return false;
}

int apsim_campaign_shrink(struct apsim_scenario *s, const char *sig, int budget,
			  struct apsim_shrink_stats *st, uint64_t *repro_index)
{
	struct repro_ctx rc = { sig, true, 0 };
	int steps = apsim_shrink(s, reproduce, &rc, budget, st);

	if (repro_index)
		*repro_index = rc.index;
	return steps;
}

/* ---------------------------------------------------------- artefacts */

int apsim_fuzz_scn_print(FILE *f, const struct apsim_scenario *s)
{
	static struct apsim_scenario c;

	/* a variant binary's scenarios name their variant: `apsim run` runs a
	 * scenario in the binary of the variant it names (base if none) */
	if (!s->variant[0] && apsim_variant_name[0]) {
		memcpy(&c, s, sizeof(c));
		snprintf(c.variant, sizeof(c.variant), "%s", apsim_variant_name);
		s = &c;
	}
	return apsim_scn_write(f, s);
}

static void fill_scn(FILE *f, void *arg)
{
	apsim_fuzz_scn_print(f, arg);
}

int apsim_fuzz_write_scn(const char *path, const struct apsim_scenario *s)
{
	return sim_out_write_atomic(path, fill_scn, (void *)s);
}

/* The artefacts of finding f (sim_out_write_finding), replayed by the
 * program's binary on scn_path. */
static int write_finding(const char *dir, const struct sim_finding *f,
			 const char *scn_path, const char *header)
{
	struct sim_out_finding o = {
		.f = f, .header = header, .trace_width = FO.trace_width,
		.replay_bin = FO.replay_bin, .scn_path = scn_path,
	};

	return sim_out_write_finding(dir, &o);
}

static void fill_text(FILE *f, void *arg)
{
	fputs(arg, f);
}

/* Artefact path of record r (what, made by fill(arg)): written at once, or,
 * when that fails or its directory could not be made (nodir, already
 * counted), to stderr instead (sim_out_lost).  Whether it is on disk. */
static bool put_artefact(struct frec *r, bool nodir, const char *path, const char *what,
			 void (*fill)(FILE *, void *), void *arg)
{
	int err = nodir ? 0 : sim_out_write_atomic(path, fill, arg);

	if (!nodir && !err)
		return true;
	if (err)
		write_failed(r, path, err);
	sim_out_lost(what, r->sig, fill, arg);
	return false;
}

/* The expectation `apsim run` needs to pass exactly when the finding
 * reproduces; kinds without an expectation keyword get none (an unexpected
 * finding makes `apsim run` exit 1). */
static void set_expectation(struct apsim_scenario *s, int kind, const char *sig)
{
	s->nexpect = apsim_expect_for_finding(&s->expect[0], kind, sig) ? 0 : 1;
}

static void header_for(char *buf, size_t len, uint64_t seed, const struct apsim_scenario *s)
{
	snprintf(buf, len,
		 "apsim %s fuzz -- driver: linux %s (%s, sha %s), variant: %s\n"
		 "scenario: %s (%s %llu)\nstrategy: %s, seed %llu, pct-depth %d\n",
		 FO.version, apsim_ksrc_version, apsim_ksrc_path, apsim_ksrc_sha,
		 apsim_variant_name[0] ? apsim_variant_name : "base", s->name,
		 FO.guided ? "guided campaign, iteration" : "generated from seed",
		 (unsigned long long)seed,
		 sim_strategy_name(s->explore.strategy >= 0 ? s->explore.strategy : 0),
		 (unsigned long long)s->explore.seed,
		 s->explore.pct_depth > 0 ? s->explore.pct_depth : 3);
}

static const struct sim_finding *find_sig(const char *sig)
{
	for (int i = 0; i < sim_findings_count(); i++)
		if (!strcmp(sim_finding_get(i)->signature, sig))
			return sim_finding_get(i);
	return NULL;
}

/*
 * Where finding `sig` happened, for the grouped summary: the function of a
 * WARN (its report's "WARNING: ... at FILE:LINE FUNCTION" line), the
 * function of a crash ("crash:SIGSEGV@FUNCTION"), else the signature after
 * its kind ("gisc-refcount", "A->B->A").
 */
static void where_of(char *out, size_t len, const char *sig, const char *report)
{
	const char *w = report ? strstr(report, "WARNING: ") : NULL;
	const char *at = strchr(sig, '@'), *colon = strchr(sig, ':');

	if (w && (w == report || w[-1] == '\n')) {
		const char *end = w + strcspn(w, "\n"), *fn = end;

		while (fn > w && fn[-1] != ' ')
			fn--;
		snprintf(out, len, "%.*s", (int)(end - fn), fn);
	} else if (at) {
		snprintf(out, len, "%s", at + 1);
	} else {
		snprintf(out, len, "%s", colon ? colon + 1 : sig);
	}
}

/* The artefacts of record r from `seed` (its generated scenario gen) into
 * directory dir: scenario, traced re-run, shrink, minimal.scn. */
static void write_artefacts(struct frec *r, const char *dir, uint64_t seed,
			    const struct apsim_scenario *gen, int kind, const char *sig)
{
	static struct apsim_scenario s, min;
	static struct apsim_exec ex;
	char path[PATH_MAX + 32], hdr[1024], mdir[PATH_MAX + 16];
	struct sim_result res;
	struct sim_opts o;
	const struct sim_finding *f;
	struct repro_ctx rc;
	bool nodir;
	int err;

	r->shrunk_ops = -1;
	/* a directory that cannot be made: every artefact to stderr instead */
	if ((err = sim_out_mkdirs(dir)))
		write_failed(r, dir, err);
	nodir = err != 0;
	/* 1. the generated scenario, as a file `apsim run` replays (exec 0) */
	memcpy(&s, gen, sizeof(s));
	s.explore.iterations = 1;
	set_expectation(&s, kind, sig);
	r->ops = apsim_scn_count_ops(&s);
	snprintf(path, sizeof(path), "%s/scenario.scn", dir);
	put_artefact(r, nodir, path, "scenario", fill_scn, &s);
	/* 2. the same execution again with the trace on */
	opts_for(&s, &o);
	o.trace = true;
	beat();
	apsim_world_run(&s, &o, &res, &ex);
	header_for(hdr, sizeof(hdr), seed, &s);
	f = find_sig(sig);
	where_of(r->where, sizeof(r->where), sig, f ? f->report : NULL);
	if (!f)
		fprintf(stderr, "apsim: seed %llu: finding %s did not recur with tracing on\n",
			(unsigned long long)seed, sig);
	else if (nodir || (err = write_finding(dir, f, path, hdr))) {
		if (!nodir)
			write_failed(r, dir, err);
		sim_out_lost("report", sig, fill_text, (void *)(f->report ? f->report : "(no report)\n"));
	}
	/* 3. shrink (not a finding the --known file lists: it is explained
	 * already, and shrinking the many hangs of one known cause would
	 * take the campaign's time) */
	if (!FO.no_shrink && f && !(FO.known && apsim_known_match(FO.known, sig))) {
		struct apsim_shrink_stats st;
		uint64_t idx;

		memcpy(&min, gen, sizeof(min));
		apsim_campaign_shrink(&min, sig, FO.shrink_budget, &st, &idx);
		r->shrink_candidates = st.candidates;
		snprintf(min.name, sizeof(min.name), "fuzz-%llu-min", (unsigned long long)seed);
		snprintf(min.description, sizeof(min.description),
			 "%s, shrunk by apsim fuzz from seed %llu (%d -> %d ops)",
			 sim_finding_kind_name(kind), (unsigned long long)seed,
			 st.ops_before, st.ops_after);
		min.explore.iterations = (long)idx + 1;
		set_expectation(&min, kind, sig);
		r->shrunk_ops = st.ops_after;
		r->repro_seed = min.explore.seed;
		r->repro_iterations = (int)idx + 1;
		snprintf(path, sizeof(path), "%s/minimal.scn", dir);
		/* (lost: its run's report would repeat the one above) */
		if (!put_artefact(r, nodir, path, "minimal scenario", fill_scn, &min))
			return;
		/* 4. the shrunk run's schedule, trace and replay command */
		if (explore_for(&min, sig, (long)idx + 1, true, &rc) && (f = find_sig(sig))) {
			header_for(hdr, sizeof(hdr), seed, &min);
			snprintf(mdir, sizeof(mdir), "%s/minimal", dir);
			if ((err = write_finding(mdir, f, path, hdr)))
				write_failed(r, mdir, err);
		} else {
			fprintf(stderr, "apsim: seed %llu: minimal scenario did not reproduce %s\n",
				(unsigned long long)seed, sig);
		}
	}
}

/* A new signature owned by this worker: artefacts, shrink, minimal.scn.
 * Everything is on disk (atomically) before the campaign goes on. */
static void handle_new(uint64_t seed, const struct apsim_scenario *gen, int kind,
		       const char *sig, int sub, int slot)
{
	char dir[PATH_MAX];
	uint64_t k = ck_pr_faa_64(&SH->nfind, 1);
	struct frec *r;

	if (k >= MAX_FINDINGS)
		return;
	r = &SH->f[k];
	r->found_s = now_s() - SH->t0;
	r->found_execs = ck_pr_load_64(&SH->execs) + 1;
	r->hash = sig_hash(sig);
	r->seed = seed;
	r->sub = sub;
	r->slot = slot;
	r->kind = kind;
	r->shrunk_ops = -1;
	snprintf(r->sig, sizeof(r->sig), "%s", sig);
	snprintf(r->dir, sizeof(r->dir), "%02llu-%s", (unsigned long long)k + 1,
		 sim_finding_kind_name(kind));
	ck_pr_fence_store();
	ck_pr_store_64(&r->state, REC_WRITING);
	snprintf(dir, sizeof(dir), "%s/%s", FO.out, r->dir);
	write_artefacts(r, dir, seed, gen, kind, sig);
	ck_pr_fence_store();
	ck_pr_store_64(&r->state, REC_DONE);
}

/* ----------------------------------------------------------- coverage */

/*
 * Coverage shown by the progress line and the summary: the distinct lock
 * pairs (lock dependencies: B taken while holding A, by class name) and
 * the distinct (operation, result) pairs the campaign's executions
 * reached, and, in builds with driver coverage (make COVER=1), the
 * distinct basic blocks of the driver that ran.  Each worker filters
 * through local sets first, so the shared tables (CAS, as the dedup table)
 * see each id about once per worker.
 */
static uint64_t local_pairs[PAIR_SLOTS];

static uint64_t local_results[PAIR_SLOTS];

/* (operation kind, result) as an id; results > 0 (byte counts) count as 1 */
static uint64_t result_id(int kind, long r)
{
	uint64_t h = ((uint64_t)(unsigned)kind << 32 | (uint32_t)(r > 0 ? 1 : r)) *
		     0x9E3779B97F4A7C15ULL;

	h ^= h >> 31;
	return h ? h : 1;
}

static void cover_add(uint64_t *local, uint64_t *shared, uint64_t *count, uint64_t id)
{
	bool is_new;

	if (set_insert(local, PAIR_SLOTS, id, &is_new) >= 0 && is_new &&
	    set_insert(shared, PAIR_SLOTS, id, &is_new) >= 0 && is_new)
		ck_pr_inc_64(count);
}

static void cover_exec(const struct apsim_scenario *s, const struct apsim_exec *ex)
{
	uint64_t ids[256];
	size_t n = sim_lockdep_pair_ids(ids, 256);

	for (size_t i = 0; i < n && i < 256; i++)
		cover_add(local_pairs, SH->pairs, &SH->npairs, ids[i]);
	for (int i = 0; i < s->nsetup; i++)
		if (ex->setup[i] != APSIM_RES_NOT_RUN)
			cover_add(local_results, SH->results, &SH->nresults,
				  result_id(s->setup[i].kind, ex->setup[i]));
	for (int t = 0; t < s->nthreads; t++)
		for (int i = 0; i < s->threads[t].nops; i++)
			if (ex->thr[t][i] != APSIM_RES_NOT_RUN)
				cover_add(local_results, SH->results, &SH->nresults,
					  result_id(s->threads[t].ops[i].kind, ex->thr[t][i]));
}

/* COVER builds: fold this worker's block map into the campaign's. */
static void cover_blocks(void)
{
	const uint8_t *m = sim_cover_map();

	if (!m)
		return;
	for (size_t i = 0; i < SIM_COVER_SIZE; i++)
		if (m[i] && !SH->blocks[i] && !ck_pr_fas_8(&SH->blocks[i], 1))
			ck_pr_inc_64(&SH->nblocks);
}

/* ------------------------------------------------------------ workers */

/* ------------------------------------------------------------ guided */

/*
 * Coverage-guided campaigns (--guided): each worker keeps a corpus of the
 * scenarios whose execution showed feedback it had not seen (sim/cov.c:
 * driver edges in COVER builds, lock pairs, lock contentions, (operation,
 * result) pairs, schedule features, finding signatures), and runs, for each seed of its share of the range,
 * either the generator's scenario of that seed (its first WARMUP seeds, then
 * FRESH_PCT % of the batches, and while the corpus is empty) or a mutant of
 * the corpus entry its batch drew (BATCH, below):
 * SCHEDULE_PCT % of them only get another interleaving, the others a stack
 * of mutations of their operations, arguments, threads, faults and
 * schedule (fuzz/mutate.c).  Each worker's seeds are a fixed stride of chunks (not
 * claimed), so that its sequence of executions, and with it the campaign,
 * is a function of (--seed, --iterations, -j, the corpus it starts from).
 */
#define WARMUP         1000     /* a worker's first seeds: all generated (as unguided) */
#define FRESH_PCT      30       /* then: generated afresh (breadth: shallow bugs) */
#define SCHEDULE_PCT   35       /* of the mutants: another interleaving only */
#define CORPUS_MAX     50000    /* entries kept in memory per worker */

static struct apsim_corpus G_corpus;
static uint64_t G_runs;                 /* seeds drawn with a corpus (WARMUP) */
static int G_prio[4096], G_nprio;       /* entries that showed a new lock pair or finding */
static uint8_t G_seen[SIM_COV_SIZE];
static char G_dir[PATH_MAX];

static int log2_bucket(uint64_t v)
{
	int b = 0;

	while (v) {
		v >>= 1;
		b++;
	}
	return b;
}

/* This execution's feedback (the driver's edges and lock contentions are
 * in the map already): how many (slot, bucket) bits are new to this worker
 * (folded in).  *prio: a lock pair, a lock contention or a finding
 * signature new to the worker (the entry is then also a priority entry:
 * see pick_entry). */
static uint64_t G_interest[PAIR_SLOTS];

static size_t feedback(const struct apsim_scenario *s, const struct apsim_exec *ex,
		       const struct sim_result *res, bool *prio)
{
	uint64_t ids[256];
	size_t n = sim_lockdep_pair_ids(ids, 256);
	bool is_new;

	*prio = false;
	for (size_t i = 0; i < n && i < 256; i++) {
		sim_cov_mark(SIM_COV_LOCK_PAIR, ids[i]);
		if (set_insert(G_interest, PAIR_SLOTS, ids[i], &is_new) >= 0 && is_new)
			*prio = true;
	}
	for (int t = -1; t < s->nthreads; t++) {
		const struct apsim_op *ops = t < 0 ? s->setup : s->threads[t].ops;
		const long *r = t < 0 ? ex->setup : ex->thr[t];
		int nops = t < 0 ? s->nsetup : s->threads[t].nops;

		for (int i = 0; i < nops; i++)
			if (r[i] != APSIM_RES_NOT_RUN)
				sim_cov_mark(SIM_COV_OP_RESULT, result_id(ops[i].kind, r[i]));
	}
	n = sim_cov_contentions(ids, 256);
	for (size_t i = 0; i < n; i++)
		if (set_insert(G_interest, PAIR_SLOTS, ids[i], &is_new) >= 0 && is_new)
			*prio = true;
	sim_cov_mark(SIM_COV_SCHED, 0x100 | (uint64_t)log2_bucket(res->preemptions));
	for (int i = 0; i < sim_findings_count(); i++) {
		uint64_t h = sig_hash(sim_finding_get(i)->signature);

		sim_cov_mark(SIM_COV_FINDING, h);
		if (set_insert(G_interest, PAIR_SLOTS, h, &is_new) >= 0 && is_new)
			*prio = true;
	}
	return sim_cov_merge(G_seen);
}

/* The campaign-wide union of the workers' seen maps (progress, summary). */
static void share_seen(void)
{
	for (size_t i = 0; i < SIM_COV_SIZE; i++) {
		uint8_t want = G_seen[i], have = ck_pr_load_8(&SH->seen[i]);

		if (want & ~have) {
			ck_pr_or_8(&SH->seen[i], want);
			if (!have)
				ck_pr_inc_64(&SH->nfeatures);
		}
	}
}

/* Keep s (it showed new feedback at `seed`): in memory, and in the
 * corpus directory when `write`. */
static void corpus_keep(struct apsim_scenario *s, uint64_t seed, bool write, bool prio)
{
	char name[64], path[PATH_MAX + 80];
	int e, i;

	s->explore.iterations = 1;
	if (G_corpus.n < CORPUS_MAX && (i = apsim_corpus_add(&G_corpus, s)) >= 0) {
		apsim_corpus_set_seed(&G_corpus, i, seed);
		if (prio && G_nprio < (int)(sizeof(G_prio) / sizeof(G_prio[0])))
			G_prio[G_nprio++] = i;
	}
	ck_pr_inc_64(&SH->ncorpus);
	share_seen();
	if (write && (e = apsim_corpus_write(G_dir, s, name, sizeof(name)))) {
		snprintf(path, sizeof(path), "%s/%s", G_dir, name);
		write_failed(NULL, path, e);
	}
}

/* A corpus entry: a third of the draws among the priority entries (they
 * showed a lock pair or a finding first: a lock cycle is one interleaving
 * away from a deadlock), a third among the newest quarter, a third
 * uniform. */
static int pick_entry(uint64_t *st)
{
	uint64_t r = sim_splitmix64(st);
	int n = G_corpus.n, c = (int)(r % 3);

	r /= 3;
	if (c == 0 && G_nprio)
		return G_prio[r % (uint64_t)G_nprio];
	if (c == 1 && n >= 8)
		return n - 1 - (int)(r % (uint64_t)(n / 4));
	return (int)(r % (uint64_t)n);
}

/*
 * Batches: the seeds of a batch (seed / BATCH, consecutive seeds of one
 * worker's chunk) are all generated afresh or all mutants of one corpus
 * entry, drawn at the batch's first seed the worker runs.  Mutants of one
 * parent mostly keep its host and setup block, so they start from one world
 * snapshot (apsim_world_run_shared), as an unguided campaign's groups do.
 */
#define BATCH          8
static struct {
	uint64_t id;              /* seed / BATCH of the batch drawn last */
	int parent;               /* its corpus entry; -1: generated afresh */
} G_batch = { UINT64_MAX, -1 };

/* The scenario of `seed` in a guided campaign, into s; true: a mutant
 * (run with the batch's shared set-up). */
static bool guided_scenario(uint64_t seed, struct apsim_scenario *s)
{
	static struct apsim_scenario other;
	uint64_t st = seed ^ 0x6775696465647365ULL;   /* "guidedse" */
	const struct apsim_scenario *o = NULL;
	char parent[96];

	if (G_batch.id != seed / BATCH) {
		uint64_t bst = (seed / BATCH) ^ 0x6775696465646261ULL;   /* "guidedba" */
		bool fresh = !G_corpus.n || G_runs < WARMUP ||
			     sim_splitmix64(&bst) % 100 < FRESH_PCT;

		G_batch.id = seed / BATCH;
		G_batch.parent = fresh ? -1 : pick_entry(&bst);
	}
	if (G_corpus.n)
		G_runs++;
	if (G_batch.parent < 0) {
		apsim_gen_scenario(seed, &FO.gen, s);
		return false;
	}
	apsim_corpus_get(&G_corpus, G_batch.parent, s);
	snprintf(parent, sizeof(parent), "%s", s->name);
	if (sim_splitmix64(&st) % 100 < SCHEDULE_PCT) {
		apsim_mutate_schedule(s, sim_splitmix64(&st));
	} else {
		if (G_corpus.n > 1 && sim_splitmix64(&st) % 4 == 0) {
			apsim_corpus_get(&G_corpus, pick_entry(&st), &other);
			o = &other;
		}
		apsim_mutate(s, o, sim_splitmix64(&st), &FO.gen);
	}
	if (FO.gen.hung_task_s >= 0)	/* the campaign's, whatever the parents' */
		s->explore.hung_task_s = FO.gen.hung_task_s;
	snprintf(s->name, sizeof(s->name), "fuzz-%llu", (unsigned long long)seed);
	snprintf(s->description, sizeof(s->description),
		 "mutated by apsim fuzz --guided at iteration %llu from %s",
		 (unsigned long long)seed, parent);
	return true;
}

static void run_seed(uint64_t seed)
{
	static struct apsim_exec ex;
	static char sigs[16][256];
	int kinds[16], subs[16], slots[16], n, nn = 0;
	const struct apsim_scenario *s;
	struct sim_result res;
	bool prio, shared = FO.gen.share > 1;
	struct sim_opts o;

	if (FO.guided) {
		shared = guided_scenario(seed, &SCN[my_slot]);
		s = &SCN[my_slot];
	} else {
		s = apsim_gen_scenario_ref(seed, &FO.gen);   /* not written below */
		/* a set-up of its own (a large world): nobody else would start
		 * from its snapshot, and taking one would drop the group's */
		shared = apsim_gen_shares_setup(seed, &FO.gen);
	}
	opts_for(s, &o);
	beat();
	if (FO.guided)
		sim_cov_begin();
	if (shared) {
		unsigned long used = apsim_world_snapshot_used();

		apsim_world_run_shared(s, &o, &res, &ex);   /* the group's set-up snapshot */
		if (apsim_world_snapshot_used() != used)
			ck_pr_inc_64(&SH->from_snap);
	} else {
		apsim_world_run(s, &o, &res, &ex);
	}
	cover_exec(s, &ex);
	if (!(seed & 127))
		cover_blocks();
	if (FO.guided && feedback(s, &ex, &res, &prio))
		corpus_keep(&SCN[my_slot], seed, true, prio);
	n = sim_findings_count();
	/* copy out first: handling one re-runs the world */
	for (int i = 0; i < n && nn < 16; i++) {
		const struct sim_finding *f = sim_finding_get(i);
		bool is_new;
		int at = dedup_slot(sig_hash(f->signature), &is_new);

		if (seed_seen(at, seed) && !is_new && FO.guided)
			guided_keep(at, seed, s);
		if (!is_new)
			continue;
		snprintf(sigs[nn], sizeof(sigs[nn]), "%s", f->signature);
		subs[nn] = i;
		slots[nn] = at;
		kinds[nn++] = f->kind;
	}
	for (int i = 0; i < nn; i++) {
		handle_new(seed, s, kinds[i], sigs[i], subs[i], slots[i]);
		if (stop_on && apsim_known_glob(stop_on, sigs[i]))
			ck_pr_store_64(&SH->stop, 1);
	}
}

/*
 * Load the corpora at the start of a guided worker: the files of every
 * --corpus directory in name order (the first directory's, then the
 * others'); file number g (counted over all of them) belongs to worker
 * g % -j (all to the one worker of --merge).  Each is run once; those that
 * show feedback new to the worker are kept, and those of a read-only
 * directory are copied into the campaign's corpus.  Findings of these runs
 * are not recorded (they are the earlier campaigns'); a file that does not
 * parse, or is for another kernel tree, is skipped with a message.
 */
static char **L_names[APSIM_CAMPAIGN_MAX_CORPORA];
static int L_n[APSIM_CAMPAIGN_MAX_CORPORA];

/* The parent lists the corpora before the workers start (they write into
 * the first one): every worker loads from the same listing. */
static void corpus_list_all(void)
{
	int ndirs = FO.ncorpus ? FO.ncorpus : 1;

	for (int d = 0; d < ndirs; d++) {
		const char *dir = d == 0 ? G_dir : FO.corpus[d];
		int e = apsim_corpus_list(dir, &L_names[d], &L_n[d]);

		if (e)
			fprintf(stderr, "apsim: cannot read corpus %s: %s\n", dir, strerror(-e));
	}
}

static void corpus_load(void)
{
	static struct apsim_exec ex;
	struct apsim_scenario *s = &SCN[my_slot];
	uint64_t g = 0;
	int ndirs = FO.ncorpus ? FO.ncorpus : 1;

	for (int d = 0; d < ndirs && !ck_pr_load_64(&SH->stop); d++) {
		const char *dir = d == 0 ? G_dir : FO.corpus[d];
		char **names = L_names[d], path[PATH_MAX + 300], err[512];
		int n = L_n[d];

		for (int i = 0; i < n; i++, g++) {
			struct sim_result res;
			struct sim_opts o;
			bool prio;

			if (ck_pr_load_64(&SH->stop) || (!FO.merge_only && g % (uint64_t)FO.jobs != (uint64_t)my_slot))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (apsim_scn_parse_file(path, s, err, sizeof(err))) {
				fprintf(stderr, "apsim: corpus entry skipped: %s\n", err);
				continue;
			}
			if (!apsim_scn_tree_ok(s, apsim_ksrc_version)) {
				fprintf(stderr, "apsim: corpus entry skipped: %s is for another kernel tree\n", path);
				continue;
			}
			opts_for(s, &o);
			beat();
			sim_cov_begin();
			apsim_world_run(s, &o, &res, &ex);
			cover_exec(s, &ex);
			ck_pr_inc_64(&SH->execs);
			if (feedback(s, &ex, &res, &prio))
				corpus_keep(s, 0, d > 0, prio);
		}
	}
}

/* Run seeds [from, to) of the range (offsets -> seeds, shard filter). */
static void run_span(uint64_t from, uint64_t to)
{
	struct wslot *w = &SH->w[my_slot];

	for (uint64_t seed = from; seed < to; seed++) {
		if (ck_pr_load_64(&SH->stop))
			return;
		if (!apsim_fuzz_shard_owns(seed, FO.shard_i, FO.shard_n))
			continue;
		ck_pr_store_64(&w->chunk_end, to);
		ck_pr_store_64(&w->cur_seed, seed);
		ck_pr_store_64(&w->busy, 1);
		run_seed(seed);
		ck_pr_store_64(&w->busy, 0);
		ck_pr_inc_64(&SH->execs);
	}
}

/* A guided worker: its corpus, then its fixed stride of chunks (k = slot,
 * slot + jobs, ...; a restarted worker goes on after its dead one's seed). */
static void guided_main(int slot, uint64_t resume_from, uint64_t resume_to)
{
	uint64_t nchunks = FO.count / CHUNK + (FO.count % CHUNK != 0), k = (uint64_t)slot;

	corpus_load();
	if (!FO.merge_only) {
		if (resume_from < resume_to) {
			run_span(resume_from, resume_to);
			k = (resume_from - FO.first) / CHUNK + (uint64_t)FO.jobs;
		}
		for (; k < nchunks && !ck_pr_load_64(&SH->stop); k += (uint64_t)FO.jobs) {
			uint64_t off = k * CHUNK, end = off + CHUNK < FO.count ? off + CHUNK : FO.count;

			run_span(FO.first + off, FO.first + end);
		}
	}
	share_seen();
	cover_blocks();
	ck_pr_store_64(&SH->w[my_slot].done, 1);
}

static void worker_main(int slot, uint64_t resume_from, uint64_t resume_to)
{
	my_slot = slot;
	if (FO.guided) {
		guided_main(slot, resume_from, resume_to);
		return;
	}
	if (resume_from < resume_to)
		run_span(resume_from, resume_to);
	/* APSIM_FUZZ_CHUNK_ORDER=reverse hands the chunks out from the end of
	 * the range (for the tests: every signature is then first seen at a
	 * higher seed than its lowest, and settle() must put it right) */
	const char *order = getenv("APSIM_FUZZ_CHUNK_ORDER");
	bool reverse = order && !strcmp(order, "reverse");
	uint64_t nchunks = (FO.count + CHUNK - 1) / CHUNK;

	while (!ck_pr_load_64(&SH->stop)) {
		uint64_t off = ck_pr_faa_64(&SH->cursor, CHUNK), end;

		if (off >= FO.count)
			break;
		if (reverse)
			off = (nchunks - 1 - off / CHUNK) * CHUNK;
		end = off + CHUNK < FO.count ? off + CHUNK : FO.count;
		run_span(FO.first + off, FO.first + end);
	}
	cover_blocks();
	ck_pr_store_64(&SH->w[my_slot].done, 1);
}

/*
 * With -j N no larger than the CPUs this process may use, worker `slot`
 * binds itself to the slot-th of them (as AFL++ binds each instance to a
 * free core), so that workers do not migrate between the CPUs.  What it
 * buys is not settled: two quiet bench_exec runs gave D2 scaling 1.81x
 * pinned vs 1.69x unpinned, then 1.65x vs 1.67x (docs/performance.md).
 * More workers than CPUs, or a failing call, leave the scheduler's choice.
 * No outcome depends on it.
 */
static void pin_worker(int slot)
{
	cpu_set_t allowed, one;
	int n = 0;

	if (FO.jobs < 2 || sched_getaffinity(0, sizeof(allowed), &allowed) ||
	    FO.jobs > CPU_COUNT(&allowed))
		return;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &allowed) || n++ != slot)
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		(void)sched_setaffinity(0, sizeof(one), &one);
		return;
	}
}

static pid_t spawn_worker(int slot, uint64_t from, uint64_t to)
{
	pid_t pid, parent = getpid();

	fflush(stdout);
	fflush(stderr);
	ck_pr_store_64(&SH->w[slot].busy, 0);
	ck_pr_store_64(&SH->w[slot].done, 0);
	pid = fork();
	if (pid == 0) {
		/* the parent stops the campaign on SIGINT/SIGTERM (a terminal's
		 * ^C reaches the whole process group) */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		/* a parent killed with -9 takes its workers along */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		pin_worker(slot);
		worker_main(slot, from, to);
		fflush(stdout);
		fflush(stderr);
		sim_linecov_flush();
		_exit(0);
	}
	if (pid > 0)
		ck_pr_store_64(&SH->w[slot].pid, (uint64_t)pid);
	return pid;
}

/* scenario.scn and report.txt of a worker-crash record, for `seed` (cur:
 * the scenario the worker ran, guided campaigns; else that of the seed). */
static void write_crash(struct frec *r, const char *dir, uint64_t seed,
			const struct apsim_scenario *cur)
{
	static struct apsim_scenario s;
	char path[PATH_MAX + 32], text[1024];
	int sig = r->wsig;
	bool nodir;
	int err;

	if (cur)
		memcpy(&s, cur, sizeof(s));
	else if (!scenario_of(seed, r->slot, &s))
		return;
	s.explore.iterations = 1;
	r->seed = seed;
	r->ops = apsim_scn_count_ops(&s);
	/* a directory that cannot be made: both texts to stderr instead */
	if ((err = sim_out_mkdirs(dir)))
		write_failed(r, dir, err);
	nodir = err != 0;
	snprintf(path, sizeof(path), "%s/scenario.scn", dir);
	put_artefact(r, nodir, path, "scenario", fill_scn, &s);
	if (r->kind == SIM_F_HANG)
		snprintf(text, sizeof(text),
			 "finding: hang (%s)\n\nINFO: no progress: wall-clock budget exhausted: an execution of\n"
			 "seed %llu (or of the handling of a finding of it) ran for more than\n"
			 "%ld s (--exec-timeout) without finishing; the worker was killed.\n"
			 "Reproduce: apsim run scenario.scn --exec-timeout %ld (in this directory)\n",
			 r->sig, (unsigned long long)seed, FO.exec_timeout, FO.exec_timeout);
	else
		snprintf(text, sizeof(text),
			 "finding: crash (%s)\n\nThe fuzz worker process died (signal %d: %s)\n"
			 "while running seed %llu (or while handling a finding of it).\n"
			 "Reproduce: apsim run scenario.scn (in this directory)\n",
			 r->sig, sig, sig > 0 ? strsignal(sig) : "exited", (unsigned long long)seed);
	snprintf(path, sizeof(path), "%s/report.txt", dir);
	put_artefact(r, nodir, path, "report", fill_text, text);
}

/* A worker died while running seed: record it as a crash finding (hung:
 * the watchdog killed it, a hang finding). */
static void worker_crashed(uint64_t seed, int sig, bool hung, const struct apsim_scenario *cur)
{
	char signature[64], dir[PATH_MAX];
	uint64_t k;
	struct frec *r;
	bool is_new;
	int at;

	if (hung)
		snprintf(signature, sizeof(signature), "%s", HANG_SIG);
	else if (sig > 0)
		snprintf(signature, sizeof(signature), "worker-crash:%s", strsignal(sig));
	else
		snprintf(signature, sizeof(signature), "worker-crash:exit-%d", -sig);
	at = dedup_slot(sig_hash(signature), &is_new);
	if (seed_seen(at, seed) && !is_new && cur)
		guided_keep(at, seed, cur);
	if (!is_new)
		return;
	k = ck_pr_faa_64(&SH->nfind, 1);
	if (k >= MAX_FINDINGS)
		return;
	r = &SH->f[k];
	r->hash = sig_hash(signature);
	r->seed = seed;
	r->sub = 0;
	r->slot = at;
	r->wsig = sig;
	r->kind = hung ? SIM_F_HANG : SIM_F_CRASH;
	r->shrunk_ops = -1;
	r->found_s = now_s() - SH->t0;
	r->found_execs = ck_pr_load_64(&SH->execs);
	snprintf(r->sig, sizeof(r->sig), "%s", signature);
	snprintf(r->where, sizeof(r->where), "%s", signature);
	snprintf(r->dir, sizeof(r->dir), "%02llu-%s", (unsigned long long)k + 1,
		 sim_finding_kind_name(r->kind));
	snprintf(dir, sizeof(dir), "%s/%s", FO.out, r->dir);
	write_crash(r, dir, seed, cur);
	ck_pr_fence_store();
	ck_pr_store_64(&r->state, REC_DONE);
}

/* ------------------------------------------------------------ settle */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int rec_order(const void *a, const void *b)
{
	const struct frec *x = a, *y = b;

	if (x->seed != y->seed)
		return x->seed < y->seed ? -1 : 1;
	if (x->sub != y->sub)
		return x->sub < y->sub ? -1 : 1;
	return strcmp(x->sig, y->sig);
}

/* Give record r its artefacts from the lower seed `seed` (a worker got to
 * the signature first from a higher one): into a new directory that then
 * replaces the old. */
static void redo_lower(struct frec *r, uint64_t seed)
{
	static struct apsim_scenario s;
	static struct apsim_exec ex;
	char a[PATH_MAX], b[PATH_MAX + 16], t[PATH_MAX + 16];
	struct sim_result res;
	struct sim_opts o;
	int sub = -1;

	snprintf(a, sizeof(a), "%s/%s", FO.out, r->dir);
	if (!strncmp(r->sig, "worker-crash:", 13) || !strcmp(r->sig, HANG_SIG)) {
		write_crash(r, a, seed, NULL);	/* not re-run: it would kill or stop this process */
		return;
	}
	if (!scenario_of(seed, r->slot, &s))
		return;
	opts_for(&s, &o);
	apsim_world_run(&s, &o, &res, &ex);
	for (int j = 0; j < sim_findings_count() && sub < 0; j++)
		if (!strcmp(sim_finding_get(j)->signature, r->sig))
			sub = j;
	if (sub < 0) {
		fprintf(stderr, "apsim: seed %llu: finding %s did not recur; keeping seed %llu\n",
			(unsigned long long)seed, r->sig, (unsigned long long)r->seed);
		return;
	}
	snprintf(t, sizeof(t), "%s/.settle-%s", FO.out, r->dir);
	rm_tree(t);
	write_artefacts(r, t, seed, &s, r->kind, r->sig);
	snprintf(b, sizeof(b), "%s.old", a);
	if (rename(a, b) || rename(t, a)) {
		write_failed(r, a, errno);
		return;
	}
	rm_tree(b);
	r->seed = seed;
	r->sub = sub;
}

/*
 * After the workers, make OUT what one worker would have written.  A
 * signature belongs to the lowest seed that showed it; with -j N another
 * worker may have got to it first from a higher seed, so its artefacts are
 * made again from the lowest one.  Then the records are sorted by (seed,
 * index of the finding within its seed's execution) and their directories
 * renamed to match (in two steps: a new name may be another's old one).
 */
static void settle(void)
{
	uint64_t n = SH->nfind < MAX_FINDINGS ? SH->nfind : MAX_FINDINGS;
	char a[PATH_MAX], b[PATH_MAX + 16];

	for (uint64_t i = 0; i < n; i++) {
		struct frec *r = &SH->f[i];
		uint64_t low = r->slot >= 0 ? ck_pr_load_64(&SH->minseed[r->slot]) : 0;

		if (r->state == REC_DONE && low && low - 1 < r->seed)
			redo_lower(r, low - 1);
	}
	qsort(SH->f, n, sizeof(SH->f[0]), rec_order);
	for (int step = 0; step < 2; step++)
		for (uint64_t i = 0; i < n; i++) {
			struct frec *r = &SH->f[i];
			char final[64], want[64];

			snprintf(final, sizeof(final), "%02llu-%s", (unsigned long long)i + 1,
				 sim_finding_kind_name(r->kind));
			if (!strcmp(final, r->dir))
				continue;
			if (step == 0)
				snprintf(want, sizeof(want), ".renum-%llu", (unsigned long long)i);
			else
				snprintf(want, sizeof(want), "%s", final);
			snprintf(a, sizeof(a), "%s/%s", FO.out, r->dir);
			snprintf(b, sizeof(b), "%s/%s", FO.out, want);
			if (rename(a, b) == 0)
				snprintf(r->dir, sizeof(r->dir), "%s", want);
			else if (step == 1 && errno != ENOENT)   /* abandoned: never made */
				write_failed(r, b, errno);
		}
}

/* ----------------------------------------------------------- summary */

struct summary {
	double secs;
	uint64_t execs;
	const char *status;        /* running, stopped (signal), finished */
};

static void fill_summary(FILE *f, void *arg)
{
	const struct summary *sm = arg;
	uint64_t n = ck_pr_load_64(&SH->nfind), shown = 0;
	char blocks[32];

	if (n > MAX_FINDINGS)
		n = MAX_FINDINGS;
	if (sim_cover_map())
		snprintf(blocks, sizeof(blocks), "%llu", (unsigned long long)SH->nblocks);
	else
		snprintf(blocks, sizeof(blocks), "null");
	fprintf(f, "{\n  \"apsim\": \"%s\",\n  \"status\": \"%s\",\n  \"variant\": ",
		FO.version, sm->status);
	sim_out_json_str(f, apsim_variant_name[0] ? apsim_variant_name : "base");
	fprintf(f, ",\n  \"seed\": %llu,\n  \"iterations\": %llu,\n  \"shard\": \"%d/%d\",\n"
		"  \"jobs\": %d,\n  \"share_setup\": %d,\n  \"executions\": %llu,\n"
		"  \"from_snapshot\": %llu,\n  \"seconds\": %.3f,\n"
		"  \"execs_per_sec\": %.1f,\n  \"coverage\": {\"lock_pairs\": %llu, \"op_results\": %llu, \"driver_blocks\": %s},\n",
		(unsigned long long)FO.first, (unsigned long long)(FO.until_time ? 0 : FO.count),
		FO.shard_i, FO.shard_n, FO.jobs, FO.gen.share > 1 ? FO.gen.share : 1,
		(unsigned long long)sm->execs, (unsigned long long)ck_pr_load_64(&SH->from_snap),
		sm->secs, sm->secs > 0 ? sm->execs / sm->secs : 0.0, (unsigned long long)SH->npairs,
		(unsigned long long)SH->nresults, blocks);
	if (FO.guided) {
		fprintf(f, "  \"guided\": {\"corpus\": ");
		sim_out_json_str(f, G_dir);
		fprintf(f, ", \"entries_kept\": %llu, \"features\": %llu, \"driver_edges\": %s},\n",
			(unsigned long long)ck_pr_load_64(&SH->ncorpus),
			(unsigned long long)ck_pr_load_64(&SH->nfeatures),
			sim_cov_has_edges() ? "true" : "false");
	}
	fprintf(f, "  \"findings\": [");
	for (uint64_t i = 0; i < n; i++) {
		const struct frec *r = &SH->f[i];

		/* claimed by a worker that has not filled it in yet (or died
		 * doing so): nothing to say */
		if (ck_pr_load_64((uint64_t *)&r->state) == REC_EMPTY)
			continue;
		fprintf(f, "%s\n    {\"signature\":", shown++ ? "," : "");
		sim_out_json_str(f, r->sig);
		fprintf(f, ",\"kind\":\"%s\",\"seed\":%llu,\"dir\":", sim_finding_kind_name(r->kind),
			(unsigned long long)r->seed);
		sim_out_json_str(f, r->dir);
		fprintf(f, ",\"ops\":%d,\"shrunk_ops\":%d,\"complete\":%s,"
			"\"found_at_exec\":%llu,\"found_after_s\":%.3f}", r->ops,
			r->shrunk_ops, r->state == REC_DONE && !r->write_failed ? "true" : "false",
			(unsigned long long)r->found_execs, r->found_s);
	}
	fprintf(f, "%s]\n}\n", shown ? "\n  " : "");
}

static bool write_summary(const struct summary *sm)
{
	char path[PATH_MAX];
	int e;

	snprintf(path, sizeof(path), "%s/summary.json", FO.out);
	e = sim_out_write_atomic(path, fill_summary, (void *)sm);
	if (e)
		write_failed(NULL, path, e);
	return !e;
}

/* SIGINT/SIGTERM: 1 = stop gracefully, 2 = a second one: stop now. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	(void)sig;
	if (stop_signal < 2)
		stop_signal++;
}

static void stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * A reused --out would mix two campaigns' findings: an OUT that holds
 * anything is refused (use a new directory, or remove it; several runs are
 * combined with tools/fuzz-merge.sh).
 */
static bool out_in_use(const char *out)
{
	DIR *d = opendir(out);
	struct dirent *e;
	bool used = false;

	if (!d)
		return false;
	while (!used && (e = readdir(d)))
		used = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	if (used)
		fprintf(stderr, "apsim: --out %s is not empty (the output of an earlier campaign?): "
			"give a new directory or remove it; tools/fuzz-merge.sh combines campaigns\n", out);
	return used;
}

/* The state of the campaign at time t: executions, rate, findings,
 * coverage, the highest seed being run. */
static void progress_line(char *buf, size_t len, double t, double t0)
{
	uint64_t e = ck_pr_load_64(&SH->execs), cur = 0;
	char cov[128];
	int cl;

	for (int j = 0; j < FO.jobs; j++)
		if (SH->w[j].cur_seed > cur)
			cur = SH->w[j].cur_seed;
	cl = snprintf(cov, sizeof(cov), "%llu lock pairs, %llu op results",
		      (unsigned long long)ck_pr_load_64(&SH->npairs),
		      (unsigned long long)ck_pr_load_64(&SH->nresults));
	if (sim_cover_map())
		cl += snprintf(cov + cl, sizeof(cov) - (size_t)cl, ", %llu blocks",
			       (unsigned long long)ck_pr_load_64(&SH->nblocks));
	if (FO.guided && cl < (int)sizeof(cov))
		snprintf(cov + cl, sizeof(cov) - (size_t)cl, ", corpus %llu",
			 (unsigned long long)ck_pr_load_64(&SH->ncorpus));
	snprintf(buf, len, "execs %llu  %.0f exec/s  unique findings %llu  coverage %s  seed %llu",
		 (unsigned long long)e, t > t0 ? e / (t - t0) : 0.0,
		 (unsigned long long)ck_pr_load_64(&SH->nfind), cov, (unsigned long long)cur);
}

/*
 * The findings grouped by kind and function (one bug often shows as
 * several signatures): count and first directory of each group, most
 * frequent first, then in directory order.
 */
static void print_groups(uint64_t n)
{
	static int first[MAX_FINDINGS], count[MAX_FINDINGS], order[MAX_FINDINGS];
	int ng = 0;

	for (uint64_t i = 0; i < n; i++) {
		const struct frec *r = &SH->f[i];
		int g;

		for (g = 0; g < ng; g++) {
			const struct frec *q = &SH->f[first[g]];

			if (q->kind == r->kind && !strcmp(q->where, r->where))
				break;
		}
		if (g == ng) {
			first[ng] = (int)i;
			count[ng++] = 0;
		}
		count[g]++;
	}
	for (int g = 0; g < ng; g++) {
		int k = g;

		while (k > 0 && count[order[k - 1]] < count[g]) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = g;
	}
	printf("findings by kind and function (most frequent first):\n");
	for (int k = 0; k < ng; k++) {
		const struct frec *r = &SH->f[first[order[k]]];

		printf("  %4d  %-13s %-40s %s/%s\n", count[order[k]], sim_finding_kind_name(r->kind),
		       r->where[0] ? r->where : "?", FO.out, r->dir);
	}
	/* by root cause: fuzz/groups.c */
	{
		static const char *sg[MAX_FINDINGS], *dr[MAX_FINDINGS], *kn[MAX_FINDINGS];

		for (uint64_t i = 0; i < n; i++) {
			const struct apsim_known_entry *k = FO.known ? apsim_known_match(FO.known, SH->f[i].sig) : NULL;

			sg[i] = SH->f[i].sig;
			dr[i] = SH->f[i].dir;
			kn[i] = k ? k->reason : NULL;
		}
		apsim_fuzz_print_root_causes(stdout, FO.out, sg, dr, kn, (int)n);
	}
}

void apsim_campaign_opts_default(struct apsim_campaign_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->first = 1;
	o->count = 10000;
	o->jobs = 1;
	o->shard_n = 1;
	o->out = "apsim-out/fuzz";
	o->shrink_budget = 150;
	o->exec_timeout = 30;
	o->version = "?";
	o->replay_bin = "apsim";
	o->trace_width = 44;
	apsim_gen_opts_default(&o->gen);
	o->gen.kver = apsim_ksrc_version;   /* the ops this driver has */
	o->gen.share = APSIM_CAMPAIGN_SHARE_SETUP;   /* unguided campaigns only */
}

int apsim_campaign_run(const struct apsim_campaign_opts *opts)
{
	double t0, last = 0, last_summary, stop_at = 0;
	int restarts = 0, live = 0;
	struct summary sm;
	pid_t pids[MAX_JOBS];
	uint64_t beats[MAX_JOBS];
	double beat_t[MAX_JOBS];
	bool hung[MAX_JOBS], killed_all = false;
	bool progress, plain;
	double plain_every = PROGRESS_EVERY_S;
	const char *every;
	char line[256];

	FO = *opts;
	if (FO.guided)
		FO.gen.share = 1;   /* its seeds' scenarios: each its own set-up */
	stop_on = getenv("APSIM_FUZZ_STOP_ON");
	if (stop_on && !*stop_on)
		stop_on = NULL;
	if (out_in_use(FO.out))
		return APSIM_CAMPAIGN_UNUSABLE;
	{
		int e = sim_out_mkdirs(FO.out);

		if (e) {
			fprintf(stderr, "apsim: cannot create %s: %s\n", FO.out, strerror(-e));
			return APSIM_CAMPAIGN_WRITE;
		}
	}

	SH = mmap(NULL, sizeof(*SH), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (SH == MAP_FAILED) {
		fprintf(stderr, "apsim: mmap: %s\n", strerror(errno));
		return APSIM_CAMPAIGN_UNUSABLE;
	}
	memset(SH, 0, sizeof(*SH));
	if (FO.guided) {
		if (FO.merge_only) {
			FO.jobs = 1;
			FO.count = 0;
		}
		SCN = mmap(NULL, sizeof(*SCN) * (size_t)FO.jobs, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (SCN == MAP_FAILED) {
			fprintf(stderr, "apsim: mmap: %s\n", strerror(errno));
			return APSIM_CAMPAIGN_UNUSABLE;
		}
		if (FO.ncorpus)
			snprintf(G_dir, sizeof(G_dir), "%s", FO.corpus[0]);
		else
			snprintf(G_dir, sizeof(G_dir), "%s/corpus", FO.out);
		corpus_list_all();
	}
	apsim_world_init();       /* snapshot once; workers inherit it */
	progress = !FO.quiet && isatty(2) && !getenv("CI");
	plain = !FO.quiet && !progress;
	if ((every = getenv("APSIM_FUZZ_PROGRESS_S")))
		plain_every = strtod(every, NULL);
	t0 = now_s();
	SH->t0 = t0;
	last = progress ? 0 : t0;   /* plain lines: the first after plain_every */
	sm.secs = 0;
	sm.execs = 0;
	sm.status = "running";
	if (!write_summary(&sm))
		return APSIM_CAMPAIGN_WRITE;
	last_summary = t0;
	stop_signals();
	for (int j = 0; j < FO.jobs; j++) {
		pids[j] = spawn_worker(j, 0, 0);
		if (pids[j] < 0) {
			fprintf(stderr, "apsim: fork: %s\n", strerror(errno));
			ck_pr_store_64(&SH->stop, 1);
			break;
		}
		beats[j] = 0;
		beat_t[j] = t0;
		hung[j] = false;
		live++;
	}
	while (live > 0) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		double t = now_s();

		if (p > 0) {
			int j;

			for (j = 0; j < FO.jobs && pids[j] != p; j++)
				;
			if (j == FO.jobs)
				continue;
			live--;
			pids[j] = -1;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && SH->w[j].done)
				continue;
			/* killed at the hard stop: its seed was not finished, no finding */
			if (killed_all)
				continue;
			/* died: the seed it was on is a finding; resume after it */
			{
				uint64_t seed = ck_pr_load_64(&SH->w[j].cur_seed);
				uint64_t end = ck_pr_load_64(&SH->w[j].chunk_end);
				int sig = WIFSIGNALED(st) ? WTERMSIG(st) :
					  -(WIFEXITED(st) ? WEXITSTATUS(st) : 1);

				ck_pr_inc_64(&SH->execs);
				worker_crashed(seed, sig, hung[j], FO.guided ? &SCN[j] : NULL);
				for (uint64_t i = 0; i < MAX_FINDINGS && i < SH->nfind; i++)
					if (SH->f[i].state == REC_WRITING && SH->f[i].seed == seed)
						SH->f[i].state = REC_ABANDONED;
				if (!ck_pr_load_64(&SH->stop) && restarts++ < MAX_RESTARTS) {
					pids[j] = spawn_worker(j, seed + 1, end);
					if (pids[j] > 0) {
						live++;
						beats[j] = ck_pr_load_64(&SH->w[j].beat);
						beat_t[j] = t;
						hung[j] = false;
					}
				} else if (restarts > MAX_RESTARTS) {
					fprintf(stderr, "apsim: too many worker crashes, stopping\n");
					ck_pr_store_64(&SH->stop, 1);
				}
			}
			continue;
		}
		/* graceful stop: --time is up, or SIGINT/SIGTERM */
		if (!stop_at && ((FO.time_limit > 0 && t - t0 >= FO.time_limit) || stop_signal)) {
			ck_pr_store_64(&SH->stop, 1);
			stop_at = t;
		}
		/* hard stop: STOP_GRACE_S later, or a second signal */
		if (stop_at && !killed_all && (t - stop_at >= STOP_GRACE_S || stop_signal > 1)) {
			if (!FO.quiet)
				fprintf(stderr, "apsim: stopping the workers still busy\n");
			for (int j = 0; j < FO.jobs; j++)
				if (pids[j] > 0)
					kill(pids[j], SIGKILL);
			killed_all = true;
		}
		/* per-execution watchdog: a worker whose heartbeat stands still */
		for (int j = 0; j < FO.jobs && FO.exec_timeout > 0 && !killed_all; j++) {
			uint64_t b = ck_pr_load_64(&SH->w[j].beat);

			if (pids[j] <= 0 || hung[j])
				continue;
			if (b != beats[j] || !ck_pr_load_64(&SH->w[j].busy)) {
				beats[j] = b;
				beat_t[j] = t;
			} else if (t - beat_t[j] >= FO.exec_timeout) {
				hung[j] = true;
				kill(pids[j], SIGKILL);
			}
		}
		if (t - last_summary >= SUMMARY_EVERY_S) {
			sm.secs = t - t0;
			sm.execs = ck_pr_load_64(&SH->execs);
			write_summary(&sm);
			last_summary = t;
		}
		if (progress && t - last >= 0.25) {
			progress_line(line, sizeof(line), t, t0);
			fprintf(stderr, "\r  %s   ", line);
			last = t;
		} else if (plain && t - last >= plain_every) {
			progress_line(line, sizeof(line), t, t0);
			fprintf(stderr, "apsim fuzz: %.0f s: %s\n", t - t0, line);
			last = t;
		}
		if (p == 0) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	if (progress)
		fprintf(stderr, "\r%*s\r", 78, "");
	sm.secs = now_s() - t0;
	sm.execs = ck_pr_load_64(&SH->execs);
	sm.status = stop_signal ? "stopped" : "finished";
	if (killed_all)
		for (uint64_t i = 0; i < MAX_FINDINGS && i < SH->nfind; i++)
			if (SH->f[i].state == REC_WRITING)
				SH->f[i].state = REC_ABANDONED;
	if (!stop_signal) {
		/* settle re-runs seeds here, in the parent: a driver loop must
		 * not stop the campaign there either */
		if (FO.watchdog_start)
			FO.watchdog_start(FO.exec_timeout);
		settle();
		if (FO.watchdog_stop)
			FO.watchdog_stop();
	}
	if (FO.guided) {
		char g[PATH_MAX + 16];

		snprintf(g, sizeof(g), "%s/.guided", FO.out);
		rm_tree(g);
	}
	{
		uint64_t n = SH->nfind < MAX_FINDINGS ? SH->nfind : MAX_FINDINGS;
		uint64_t nknown = 0;
		int rc;

		for (uint64_t i = 0; FO.known && i < n; i++)
			nknown += apsim_known_match(FO.known, SH->f[i].sig) != NULL;
		write_summary(&sm);
		if (FO.json) {
			fill_summary(stdout, &sm);
		} else {
			printf("fuzz: %llu executions in %.1fs (%.0f exec/s), %llu unique finding%s -> %s\n",
			       (unsigned long long)sm.execs, sm.secs,
			       sm.secs > 0 ? sm.execs / sm.secs : 0.0,
			       (unsigned long long)SH->nfind, SH->nfind == 1 ? "" : "s", FO.out);
			printf("coverage: %llu lock pairs, %llu operation results",
			       (unsigned long long)SH->npairs, (unsigned long long)SH->nresults);
			if (sim_cover_map())
				printf(", %llu driver basic blocks", (unsigned long long)SH->nblocks);
			printf("\n");
			if (FO.gen.share > 1 || FO.guided)
				printf("set-ups: %llu of the %llu executions started from a shared set-up's snapshot (%.0f %%)\n",
				       (unsigned long long)SH->from_snap, (unsigned long long)sm.execs,
				       sm.execs ? 100.0 * (double)SH->from_snap / (double)sm.execs : 0.0);
			if (FO.guided)
				printf("guided: %llu corpus entries kept (%s), %llu feedback features\n",
				       (unsigned long long)SH->ncorpus, G_dir,
				       (unsigned long long)SH->nfeatures);
			for (uint64_t i = 0; i < n; i++) {
				const struct frec *r = &SH->f[i];

				printf("  %-13s seed %-8llu %s\n  %13s found after %llu executions, %.2f s\n"
				       "  %13s -> %s/%s", sim_finding_kind_name(r->kind),
				       (unsigned long long)r->seed, r->sig, "",
				       (unsigned long long)r->found_execs, r->found_s, "", FO.out, r->dir);
				if (r->shrunk_ops >= 0)
					printf("/minimal.scn (%d -> %d ops)", r->ops, r->shrunk_ops);
				if (r->write_failed)
					printf("  (NOT completely written: what is missing went to stderr)");
				else if (r->state != REC_DONE)
					printf("  (incomplete: the campaign was stopped)");
				printf("\n");
				if (FO.known && apsim_known_match(FO.known, r->sig))
					printf("  %13s known: %s\n", "", apsim_known_match(FO.known, r->sig)->reason);
			}
			if (n)
				print_groups(n);
		}
		if (SH->overflow)
			fprintf(stderr, "apsim: dedup table full: %llu findings not recorded\n",
				(unsigned long long)SH->overflow);
		if (stop_signal)
			fprintf(stderr, "apsim: stopped by a signal; %s/summary.json lists what was found\n", FO.out);
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "apsim: cannot write standard output: %s\n", strerror(errno));
			ck_pr_inc_64(&SH->write_errors);
		}
		if (FO.known && FO.known->n && !FO.json)
			printf("%llu known (--known), %llu new\n", (unsigned long long)nknown,
			       (unsigned long long)(SH->nfind - nknown));
		rc = SH->nfind > nknown ? APSIM_CAMPAIGN_FINDINGS : APSIM_CAMPAIGN_CLEAN;
		if (SH->write_errors) {
			fprintf(stderr, "apsim: %llu write error%s: results in %s are incomplete\n",
				(unsigned long long)SH->write_errors, SH->write_errors == 1 ? "" : "s", FO.out);
			rc = APSIM_CAMPAIGN_WRITE;
		}
		return rc;
	}
}
