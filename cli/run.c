// SPDX-License-Identifier: GPL-2.0
/*
 * cli/run.c - `apsim run`: run scenario files against the real driver,
 * explore their interleavings, check expectations, write findings.
 *
 * Owns: applying the expectations (their semantics: driver/scenario/expect.c)
 * to a run's findings and results, per-scenario summaries (text/JSON; the
 * text lists the expected findings first, then "also found", each with
 * the phase it happened in), JUnit
 * output, delegation of scenarios needing another variant to its binary,
 * the walk of scenario directories (each directory once, by device and
 * inode; every entry that cannot be used is reported).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct run_opts {
	struct sim_opts so;
	bool have_strategy, have_seed, have_pct, have_pb, have_steps, have_hung;
	long iterations;          /* -1 = scenario's / default */
	long max_iterations;      /* 0 = none: a cap on whatever budget applies */
	const char *schedule;
	const char *variant;      /* NULL = the scenario's */
	const char *out;
	bool json, quiet, verbose, keep_going;
	const char *junit;
	const char *junit_fragment;  /* internal: child appends testcases here */
	const char *rules;        /* locking rules file (NULL = built in) */
	bool no_rules;
	char **passthru;          /* options to forward to a variant binary */
	int npassthru;
	long exec_timeout;        /* wall-clock seconds per execution, 0 = none */
	struct apsim_known known; /* --known FILE: findings listed apart */
	const char *lock_graph;   /* --lock-graph FILE */
};

#define MAX_SEEN 64

struct scn_run {
	const struct apsim_scenario *s;
	const struct run_opts *ro;
	char outdir[PATH_MAX];
	char header[1024];
	int nseen;
	char seen[MAX_SEEN][256];
	enum sim_finding_kind seen_kind[MAX_SEEN];
	char seen_dir[MAX_SEEN][PATH_MAX];
	uint64_t seen_exec[MAX_SEEN];
	const char *seen_phase[MAX_SEEN];   /* sim_phase() when found, or NULL */
	bool seen_unwritten[MAX_SEEN];      /* its directory could not be written */
	bool result_seen[APSIM_MAX_EXPECT];
	int mismatches;
	char mismatch[256];
	uint64_t execs;
	double t0;
	bool progress;
	int write_errors;
	char write_error[PATH_MAX + 128];
	char scn_copy[PATH_MAX + 16];  /* OUT/NAME/scenario.scn: what replay.sh runs */
	bool scn_copied;
};


struct bytes {
	const char *p;
	size_t n;
};

static void fill_bytes(FILE *f, void *arg)
{
	const struct bytes *b = arg;

	fwrite(b->p, 1, b->n, f);
}

/*
 * The scenario, as read, next to its findings (OUT/NAME/scenario.scn): each
 * finding's replay.sh runs that copy ("$d/../scenario.scn"), so the output
 * directory replays wherever it is moved and whatever becomes of the
 * original.  Once per run of a scenario; on failure replay.sh names the
 * original.
 */
static const char *scenario_copy(struct scn_run *r)
{
	char err[512], *buf = NULL;
	size_t len = 0;
	struct bytes b;

	if (!r->scn_copied) {
		r->scn_copied = true;
		snprintf(r->scn_copy, sizeof(r->scn_copy), "%s/scenario.scn", r->outdir);
		if (sim_out_mkdirs(r->outdir) ||
		    cli_read_input(r->s->file, APSIM_SCN_MAX_FILE, &buf, &len, err, sizeof(err))) {
			r->scn_copy[0] = 0;
		} else {
			b.p = buf;
			b.n = len;
			if (sim_out_write_atomic(r->scn_copy, fill_bytes, &b))
				r->scn_copy[0] = 0;
		}
		free(buf);
	}
	return r->scn_copy[0] ? r->scn_copy : r->s->file;
}

/* Does any seen finding (or op result) meet positive expectation e? */
static bool expect_met(struct scn_run *r, const struct apsim_expect *e, int ei)
{
	for (int i = 0; i < r->nseen; i++)
		if (apsim_expect_met_by_finding(e, r->seen_kind[i], r->seen[i]))
			return true;
	return e->kind == APSIM_EXPECT_RESULT_SEEN && r->result_seen[ei];
}

static void note_results(struct scn_run *r, const struct apsim_exec *ex)
{
	const struct apsim_scenario *s = r->s;

	if (!ex)
		return;
	if (ex->mismatches && !r->mismatches++)
		snprintf(r->mismatch, sizeof(r->mismatch), "%s", ex->mismatch);
	for (int i = 0; i < s->nexpect; i++) {
		const struct apsim_expect *e = &s->expect[i];

		if (e->kind != APSIM_EXPECT_RESULT_SEEN || r->result_seen[i])
			continue;
		for (int t = -1; t < s->nthreads && !r->result_seen[i]; t++) {
			int n = t < 0 ? s->nsetup : s->threads[t].nops;
			const struct apsim_op *ops = t < 0 ? s->setup : s->threads[t].ops;

			for (int j = 0; j < n; j++) {
				long v = t < 0 ? ex->setup[j] : ex->thr[t][j];

				if (apsim_expect_result_met(e, &ops[j], v)) {
					r->result_seen[i] = true;
					break;
				}
			}
		}
	}
}

static bool all_positive_met(struct scn_run *r)
{
	bool any = false;

	for (int i = 0; i < r->s->nexpect; i++) {
		if (!apsim_expect_is_positive(r->s->expect[i].kind))
			continue;
		any = true;
		if (!expect_met(r, &r->s->expect[i], i))
			return false;
	}
	return any;
}

/* ------------------------------------------------------------ lock graph */

/* --lock-graph FILE: every lock-order edge of every execution with the
 * functions that create it, one a line:
 * "FROM -> TO<TAB>FUNC (FILE:LINE)<TAB>held since FUNC (FILE:LINE)", where
 * TO was acquired in FUNC with FROM held since the second FUNC (the lines
 * are those first seen for that pair of functions); sorted. */
struct graph_edge {
	char key[400];          /* "FROM -> TO\tFUNC\tFUNC": identity */
	char edge[200];
	char site[160], from_site[160];
};
static struct graph_edge *graph;
static int ngraph, capgraph;

static void site_text(char *buf, size_t len, const struct sim_site *s)
{
	char b[96];

	if (!s)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s (%s)", s->func ? s->func : "?", sim_site_str(s, b, sizeof(b)));
}

static void graph_collect(void)
{
	struct sim_lock_edge e[256];
	int n = sim_lockdep_edges(e, 256);

	for (int i = 0; i < n && i < 256; i++) {
		char key[400];
		int j;

		/* an edge that closed a cycle has no site: listed once, as "-" */
		snprintf(key, sizeof(key), "%s -> %s\t%s\t%s", e[i].from, e[i].to,
			 e[i].site && e[i].site->func ? e[i].site->func : "-",
			 e[i].from_site && e[i].from_site->func ? e[i].from_site->func : "-");
		for (j = 0; j < ngraph; j++)
			if (!strcmp(graph[j].key, key))
				break;
		if (j < ngraph)
			continue;
		if (ngraph == capgraph) {
			struct graph_edge *g;

			capgraph = capgraph ? 2 * capgraph : 64;
			g = realloc(graph, (size_t)capgraph * sizeof(*g));
			if (!g)
				return;
			graph = g;
		}
		snprintf(graph[ngraph].key, sizeof(graph[ngraph].key), "%s", key);
		snprintf(graph[ngraph].edge, sizeof(graph[ngraph].edge), "%s -> %s", e[i].from, e[i].to);
		site_text(graph[ngraph].site, sizeof(graph[ngraph].site), e[i].site);
		site_text(graph[ngraph].from_site, sizeof(graph[ngraph].from_site), e[i].from_site);
		ngraph++;
	}
}

static int cmp_edge(const void *a, const void *b)
{
	return strcmp(((const struct graph_edge *)a)->key, ((const struct graph_edge *)b)->key);
}

static int graph_write(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "apsim: --lock-graph %s: %s\n", path, strerror(errno));
		return CLI_EXIT_WRITE;
	}
	qsort(graph, (size_t)ngraph, sizeof(*graph), cmp_edge);
	for (int i = 0; i < ngraph; i++) {
		bool sited = false;

		/* an edge that closed a cycle has no site: listed only when
		 * no execution created it with one */
		for (int j = 0; j < ngraph && !strcmp(graph[i].site, "-"); j++)
			sited |= j != i && !strcmp(graph[j].edge, graph[i].edge) &&
				 strcmp(graph[j].site, "-");
		if (!sited)
			fprintf(f, "%s\t%s\theld since %s\n", graph[i].edge, graph[i].site,
				graph[i].from_site);
	}
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "apsim: cannot write %s\n", path);
		return CLI_EXIT_WRITE;
	}
	return 0;
}

static const struct apsim_known_entry *known_of(const struct run_opts *ro, const char *sig);

static int on_exec(uint64_t idx, const struct sim_result *res, void *arg)
{
	struct scn_run *r = arg;
	int n = sim_findings_count();
	bool stop = false;

	r->execs = idx + 1;
	cli_watchdog_beat();
	if (r->ro->lock_graph)
		graph_collect();
	note_results(r, apsim_world_exec());
	for (int i = 0; i < n; i++) {
		const struct sim_finding *f = cli_watchdog_finding(sim_finding_get(i));
		int j;
		int err;

		for (j = 0; j < r->nseen; j++)
			if (!strcmp(r->seen[j], f->signature))
				break;
		if (j < r->nseen || r->nseen >= MAX_SEEN)
			continue;
		snprintf(r->seen[j], sizeof(r->seen[j]), "%s", f->signature);
		r->seen_kind[j] = f->kind;
		r->seen_exec[j] = idx;
		r->seen_phase[j] = f->phase;
		snprintf(r->seen_dir[j], sizeof(r->seen_dir[j]), "%s/%02d-%s",
			 r->outdir, j + 1, sim_finding_kind_name(f->kind));
		r->nseen++;
		char hdr[1400];
		snprintf(hdr, sizeof(hdr), "%sexecution: #%llu\n", r->header,
			 (unsigned long long)idx);
		err = cli_write_finding(r->seen_dir[j], f, scenario_copy(r), hdr);
		if (err < 0) {
			if (!r->write_errors++)
				snprintf(r->write_error, sizeof(r->write_error),
					 "cannot write %s: %s", r->seen_dir[j], strerror(-err));
			fprintf(stderr, "apsim: cannot write %s: %s\n", r->seen_dir[j],
				strerror(-err));
			/* nothing lost: the report goes to the terminal instead */
			r->seen_unwritten[j] = true;
			{
				const char *t = f->report ? f->report : "(no report)\n";
				struct bytes rb = { t, strlen(t) };

				sim_out_lost("report", f->signature, fill_bytes, &rb);
			}
		}
		/* a --known finding is no failure: the search goes on for
		 * the others (it stopped the exploration at the first one) */
		if (apsim_expect_violation(r->s, f->kind) && !r->ro->keep_going &&
		    !known_of(r->ro, f->signature))
			stop = true;
	}
	if (r->mismatches && !r->ro->keep_going)
		stop = true;
	if (all_positive_met(r) && !r->ro->keep_going)
		stop = true;
	if (cli_watchdog_fired())
		stop = true;    /* the driver state after a stopped loop is unknown */
	if (r->progress && (idx & 63) == 0) {
		double dt = cli_now_s() - r->t0;

		fprintf(stderr, "\r  %-40.40s exec %llu  %.0f exec/s  findings %d   ",
			r->s->name, (unsigned long long)(idx + 1),
			dt > 0 ? (idx + 1) / dt : 0.0, r->nseen);
	}
	(void)res;
	return stop;
}

/*
 * The order the findings of a scenario are shown in, headline first:
 * those its positive expectations name (the documented bug), in the order
 * of the scenario's expect lines, then the others in the order found.
 * Returns the headline count.
 */
static int finding_order(const struct scn_run *r, int *order)
{
	bool placed[MAX_SEEN] = { false };
	int n = 0, nexp;

	for (int e = 0; e < r->s->nexpect; e++) {
		const struct apsim_expect *x = &r->s->expect[e];

		if (!apsim_expect_is_positive(x->kind))
			continue;
		for (int i = 0; i < r->nseen; i++)
			if (!placed[i] && apsim_expect_met_by_finding(x, r->seen_kind[i], r->seen[i])) {
				placed[i] = true;
				order[n++] = i;
			}
	}
	nexp = n;
	for (int i = 0; i < r->nseen; i++)
		if (!placed[i])
			order[n++] = i;
	return nexp;
}

/*
 * The listing: headline, then "also found:" (when the scenario expects
 * something, found or not), each finding with its phase.
 */
/* The --known entry a signature matches (without counting a hit). */
static const struct apsim_known_entry *known_of(const struct run_opts *ro, const char *sig)
{
	for (int i = 0; i < ro->known.n; i++)
		if (apsim_known_glob(ro->known.e[i].pattern, sig))
			return &ro->known.e[i];
	return NULL;
}

/* The expected findings first (in the order of the expect lines), then
 * "also found"; findings of the --known file last, with their reason. */
/*
 * The scenario's findings by root cause (sim_finding_group), when one
 * root cause has several findings: a header per group, its members under
 * it.  Singletons are the listing above as it is.
 */
static void print_root_causes(const struct scn_run *r, const int *order)
{
	static char key[MAX_SEEN][256];
	const char *sigs[MAX_SEEN];
	int size[MAX_SEEN] = { 0 }, ng, grp[MAX_SEEN], multi = 0;

	for (int k = 0; k < r->nseen; k++)
		sigs[k] = r->seen[order[k]];
	ng = sim_finding_groups(sigs, r->nseen, grp, key);
	for (int k = 0; k < r->nseen; k++)
		multi += ++size[grp[k]] == 2;
	if (!multi)
		return;
	printf("     by root cause: %d root cause%s of %d findings\n", ng, ng == 1 ? "" : "s", r->nseen);
	for (int j = 0; j < ng; j++) {
		printf("       %s (%d finding%s)\n", key[j], size[j], size[j] == 1 ? "" : "s");
		for (int k = 0; k < r->nseen; k++)
			if (grp[k] == j)
				printf("         %s\n", sigs[k]);
	}
}

static void print_findings(const struct scn_run *r)
{
	int order[MAX_SEEN];
	int nexp = finding_order(r, order);
	bool expects = false, also = false;

	for (int e = 0; e < r->s->nexpect; e++)
		expects |= apsim_expect_is_positive(r->s->expect[e].kind);
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < r->nseen; k++) {
			int i = order[k];
			const struct apsim_known_entry *kn = known_of(r->ro, r->seen[i]);

			if (!kn != !pass)
				continue;
			if (!pass && expects && k >= nexp && !also) {
				printf("     also found:\n");
				also = true;
			}
			if (kn)
				printf("     known %-7s %s (%s)\n",
				       sim_finding_kind_name(r->seen_kind[i]), r->seen[i], kn->reason);
			else
				printf("     %-13s %s\n", sim_finding_kind_name(r->seen_kind[i]), r->seen[i]);
			if (r->seen_unwritten[i])
				printf("     %13s not written: %s (its report: above, on stderr)", "",
				       r->seen_dir[i]);
			else
				printf("     %13s -> %s/report.txt", "", r->seen_dir[i]);
			if (r->seen_phase[i])
				printf("  (in %s)", r->seen_phase[i]);
			putchar('\n');
		}
	print_root_causes(r, order);
}

/* ------------------------------------------------------------ one scenario */

struct outcome {
	bool pass;
	char why[512];
	uint64_t execs;
	double secs;
	bool complete;
	uint64_t reused;        /* exhaustive: ended at a state explored on */
};


static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

static void junit_case(FILE *f, const struct apsim_scenario *s, const struct outcome *o)
{
	fprintf(f, "  <testcase classname=\"apsim\" name=\"");
	xml_str(f, s->name[0] ? s->name : s->file);
	fprintf(f, "\" file=\"");
	xml_str(f, s->file);
	fprintf(f, "\" time=\"%.3f\">", o->secs);
	if (!o->pass) {
		fprintf(f, "<failure message=\"");
		xml_str(f, o->why);
		fprintf(f, "\"/>");
	}
	fprintf(f, "</testcase>\n");
}

static void fill_opts(const struct apsim_scenario *s, const struct run_opts *ro,
		      struct sim_opts *o, uint64_t *iters)
{
	*o = ro->so;
	if (!ro->have_strategy && s->explore.strategy >= 0)
		o->strategy = s->explore.strategy;
	if (!ro->have_seed && s->explore.has_seed)
		o->seed = s->explore.seed;
	if (!ro->have_pct && s->explore.pct_depth > 0)
		o->pct_depth = s->explore.pct_depth;
	if (!ro->have_pb && s->explore.preemption_bound >= 0)
		o->preemption_bound = s->explore.preemption_bound;
	if (!ro->have_steps && s->explore.max_steps > 0)
		o->max_steps = s->explore.max_steps;
	if (!ro->have_hung)
		o->hung_task_ns = apsim_explore_hung_task_ns(&s->explore, o->hung_task_ns);
	if (ro->iterations >= 0)
		*iters = ro->iterations;
	else if (s->explore.iterations >= 0)
		*iters = s->explore.iterations;
	else
		*iters = o->strategy == SIM_STRAT_EXHAUSTIVE ? 0 : 200;
	if (ro->max_iterations > 0 && (*iters == 0 || *iters > (uint64_t)ro->max_iterations))
		*iters = (uint64_t)ro->max_iterations;
	o->trace = true;
	if (apsim_expect_needs_races(s))
		o->races = true;	/* `expect data-race` */
}

static void known_json(const struct run_opts *ro, const char *sig)
{
	const struct apsim_known_entry *k = known_of(ro, sig);

	if (k) {
		printf(",\"known\":");
		sim_out_json_str(stdout, k->reason);
	}
}

static int run_scenario(const char *path, const struct run_opts *ro, FILE *junit,
			int *nfail)
{
	static struct apsim_scenario s;
	static struct apsim_exec ex;
	static struct scn_run r;
	struct sim_explore_stats st;
	struct outcome o = { .pass = true };
	struct sim_opts so;
	uint64_t iters;
	char err[512];
	int rc;

	rc = cli_parse_scenario(path, &s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	memset(&r, 0, sizeof(r));
	r.s = &s;
	r.ro = ro;
	fill_opts(&s, ro, &so, &iters);
	if (!ro->schedule && iters == 0 && so.strategy != SIM_STRAT_EXHAUSTIVE) {
		fprintf(stderr, "apsim: %s: iterations 0 (no cap) is only for the exhaustive strategy; "
			"%s needs a count (--iterations N)\n", path, sim_strategy_name(so.strategy));
		return 2;
	}
	snprintf(r.outdir, sizeof(r.outdir), "%s/%s", ro->out,
		 s.name[0] ? s.name : "scenario");
	snprintf(r.header, sizeof(r.header),
		 "apsim %s -- driver: linux %s (%s, sha %s), variant: %s\n"
		 "scenario: %s (%s)\nstrategy: %s, seed %llu, pct-depth %d, preemption-bound %d\n",
		 apsim_version, apsim_ksrc_version, apsim_ksrc_path, apsim_ksrc_sha,
		 apsim_variant_name[0] ? apsim_variant_name : "base",
		 s.name, path, sim_strategy_name(so.strategy),
		 (unsigned long long)so.seed, so.pct_depth, so.preemption_bound);
	r.progress = !ro->quiet && isatty(2) && !getenv("CI");
	r.t0 = cli_now_s();

	cli_watchdog_start(ro->exec_timeout);
	if (ro->schedule) {
		struct sim_schedule *sch;
		struct sim_result res;

		sch = cli_parse_schedule(ro->schedule, err, sizeof(err));
		if (!sch) {
			cli_watchdog_stop();
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		so.strategy = SIM_STRAT_REPLAY;
		so.replay = sch;
		rc = apsim_world_run(&s, &so, &res, &ex);
		on_exec(0, &res, &r);
		st.executions = 1;
		st.complete = true;
		sim_schedule_free(sch);
		if (ro->verbose || !ro->quiet)
			sim_trace_print(stdout, cli_trace_width());
	} else {
		long n = apsim_world_explore(&s, &so, iters, on_exec, &r, &ex, &st);

		if (n < 0) {
			cli_watchdog_stop();
			fprintf(stderr, "apsim: %s: exploration failed: %s\n", path, strerror((int)-n));
			return 2;
		}
	}
	cli_watchdog_stop();
	if (r.progress)
		fprintf(stderr, "\r%*s\r", 78, "");
	o.execs = r.execs;
	o.secs = cli_now_s() - r.t0;
	o.complete = st.complete;
	o.reused = st.reused;
	if (st.memo_mismatches) {
		o.pass = false;
		snprintf(o.why, sizeof(o.why), "APSIM_MEMO=verify: %llu execution(s) reached a "
			 "state the search had explored on, and the end checks and teardown "
			 "found something else (an apsim bug: please report it)",
			 (unsigned long long)st.memo_mismatches);
	}

	/* Evaluate expectations. */
	for (int i = 0; i < r.nseen && o.pass; i++) {
		const char *v = apsim_expect_violation(&s, r.seen_kind[i]);

		if (v && r.seen_kind[i] != SIM_F_DIVERGENCE &&
		    apsim_known_match(&((struct run_opts *)ro)->known, r.seen[i]))
			continue;       /* --known: listed apart, never a failure */

		if (v && r.seen_kind[i] == SIM_F_DIVERGENCE) {
			o.pass = false;
			snprintf(o.why, sizeof(o.why), "the replay left its schedule: %s (see %s)",
				 r.seen[i], r.seen_dir[i]);
		} else if (v) {
			o.pass = false;
			snprintf(o.why, sizeof(o.why), "%s, but found %s: %s (see %s)", v,
				 sim_finding_kind_name(r.seen_kind[i]), r.seen[i], r.seen_dir[i]);
		}
	}
	/* A replay runs one schedule: it passes when it reproduces a finding
	 * (the one its schedule was written for) that no negative expectation
	 * forbids, or one expected result; not every positive expectation. */
	bool replay_met = ro->schedule && r.nseen > 0;

	for (int i = 0; ro->schedule && i < s.nexpect; i++)
		if (apsim_expect_is_positive(s.expect[i].kind) && expect_met(&r, &s.expect[i], i))
			replay_met = true;
	for (int i = 0; i < s.nexpect && o.pass && !replay_met; i++)
		if (apsim_expect_is_positive(s.expect[i].kind) && !expect_met(&r, &s.expect[i], i)) {
			o.pass = false;
			snprintf(o.why, sizeof(o.why), "%s:%d:%d: expected %s was not found in %llu executions",
				 s.file, s.expect[i].loc.line, s.expect[i].loc.col,
				 apsim_expect_what(s.expect[i].kind), (unsigned long long)r.execs);
		}
	if (o.pass && r.mismatches) {
		o.pass = false;
		snprintf(o.why, sizeof(o.why), "%s", r.mismatch);
	}
	if (r.write_errors) {
		o.pass = false;
		snprintf(o.why, sizeof(o.why), "%s", r.write_error);
	}
	if (!o.pass)
		(*nfail)++;

	if (ro->json) {
		printf("{\"scenario\":");
		sim_out_json_str(stdout, s.name);
		printf(",\"file\":");
		sim_out_json_str(stdout, path);
		printf(",\"variant\":");
		sim_out_json_str(stdout, apsim_variant_name);
		printf(",\"strategy\":\"%s\",\"seed\":%llu,\"executions\":%llu,\"complete\":%s,\"reused\":%llu,\"result\":\"%s\"",
		       sim_strategy_name(so.strategy), (unsigned long long)so.seed,
		       (unsigned long long)o.execs, o.complete ? "true" : "false",
		       (unsigned long long)o.reused,
		       o.pass ? "pass" : "fail");
		if (!o.pass) {
			printf(",\"why\":");
			sim_out_json_str(stdout, o.why);
		}
		printf(",\"findings\":[");
		for (int i = 0; i < r.nseen; i++) {
			printf("%s{\"kind\":\"%s\",\"signature\":", i ? "," : "",
			       sim_finding_kind_name(r.seen_kind[i]));
			sim_out_json_str(stdout, r.seen[i]);
			printf(",\"execution\":%llu,\"dir\":", (unsigned long long)r.seen_exec[i]);
			sim_out_json_str(stdout, r.seen_dir[i]);
			known_json(ro, r.seen[i]);
			{
				char g[256];

				printf(",\"group\":");
				sim_out_json_str(stdout, sim_finding_group(r.seen[i], g, sizeof(g)));
			}
			printf("}");
		}
		printf("]}\n");
	} else {
		if (!ro->quiet || !o.pass)
			printf("%s %-34s %-8s %6llu exec%s  %.2fs%s\n", o.pass ? "PASS" : "FAIL",
			       s.name, apsim_variant_name[0] ? apsim_variant_name : "base",
			       (unsigned long long)o.execs, o.complete ? " (complete)" : "",
			       o.secs, r.nseen ? "" : "");
		if (!ro->quiet)
			print_findings(&r);
		if (!o.pass)
			printf("     why: %s\n", o.why);
	}
	if (ro->verbose) {
		int order[MAX_SEEN];

		finding_order(&r, order);
		for (int k = 0; k < r.nseen; k++) {
			char p[PATH_MAX + 16];
			FILE *f;
			char line[512];

			snprintf(p, sizeof(p), "%s/report.txt", r.seen_dir[order[k]]);
			if ((f = fopen(p, "r"))) {
				while (fgets(line, sizeof(line), f))
					fputs(line, stdout);
				fclose(f);
			}
		}
	}
	if (junit)
		junit_case(junit, &s, &o);
	fflush(stdout);
	return r.write_errors ? CLI_EXIT_WRITE : 0;
}

/* Run `path` in the binary of `variant`, forwarding options. */
static int run_in_variant(const char *variant, const char *path,
			  const struct run_opts *ro, const char *frag, int *nfail)
{
	char bin[PATH_MAX];
	char *argv[96];
	int n = 0, st, fds[2] = { -1, -1 };
	char *in = NULL;
	size_t inlen = 0;
	pid_t pid;

	if (cli_variant_bin(variant, bin, sizeof(bin)))
		return 2;
	if (access(bin, X_OK)) {
		fprintf(stderr, "apsim: %s needs variant '%s' but %s is not built (run: make variants)\n",
			path, variant, bin);
		return 2;
	}
	argv[n++] = bin;
	argv[n++] = "run";
	for (int i = 0; i < ro->npassthru && n < 90; i++)
		argv[n++] = ro->passthru[i];
	if (frag) {
		argv[n++] = "--junit-fragment";
		argv[n++] = (char *)frag;
	}
	argv[n++] = "--variant";
	argv[n++] = (char *)variant;
	argv[n++] = (char *)path;
	argv[n] = NULL;
	/* standard input was read once, here: the child gets its bytes */
	if (cli_is_stdin(path)) {
		char err[512];

		if (cli_read_input(path, APSIM_SCN_MAX_FILE, &in, &inlen, err, sizeof(err)) ||
		    pipe(fds)) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		if (in) {
			dup2(fds[0], 0);
			close(fds[0]);
			close(fds[1]);
		}
		setenv("APSIM_CHILD", "1", 1);
		execv(bin, argv);
		fprintf(stderr, "apsim: cannot run %s: %s\n", bin, strerror(errno));
		_exit(2);
	}
	if (in) {
		signal(SIGPIPE, SIG_IGN);
		close(fds[0]);
		for (size_t off = 0; off < inlen;) {
			ssize_t w = write(fds[1], in + off, inlen - off);

			if (w <= 0 && errno != EINTR)
				break;
			off += w > 0 ? (size_t)w : 0;
		}
		close(fds[1]);
		free(in);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return 2;
	if (WEXITSTATUS(st) == 1)
		(*nfail)++;
	return WEXITSTATUS(st) == 2 || WEXITSTATUS(st) == 3 ? WEXITSTATUS(st) : 0;
}

/* ------------------------------------------------------------ file lists */

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories already walked (device, inode): symlink loops end. */
struct visited {
	dev_t dev[256];
	ino_t ino[256];
	int n;
};

static bool visit(struct visited *v, const struct stat *sb)
{
	for (int i = 0; i < v->n; i++)
		if (v->dev[i] == sb->st_dev && v->ino[i] == sb->st_ino)
			return false;
	if (v->n < 256) {
		v->dev[v->n] = sb->st_dev;
		v->ino[v->n++] = sb->st_ino;
	}
	return true;
}

static void add_path(const char *path, char ***list, int *n, int *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*list = realloc(*list, *cap * sizeof(**list));
	}
	(*list)[(*n)++] = strdup(path);
}

static bool is_scn(const char *name)
{
	size_t l = strlen(name);

	return l >= 4 && !strcmp(name + l - 4, ".scn");
}

/*
 * The scenarios named by path: a file, or every *.scn below a directory
 * (sorted; entries starting with '.' are not looked at).  A directory
 * reached twice (a symlink loop) is walked once and the second way is
 * reported; an entry that cannot be read or is not a regular file is
 * reported by name and makes the run exit 2.  Returns 0 or 2.
 */
static int collect(const char *path, char ***list, int *n, int *cap,
		   struct visited *seen, int depth)
{
	struct stat sb;

	if (cli_is_stdin(path) && !depth) {
		add_path(path, list, n, cap);
		return 0;
	}
	if (stat(path, &sb)) {
		fprintf(stderr, "apsim: %s: %s\n", path,
			errno == ELOOP ? "symbolic link loop" : strerror(errno));
		return 2;
	}
	if (S_ISDIR(sb.st_mode)) {
		DIR *d;
		struct dirent *e;
		char **sub = NULL;
		int ns = 0, cs = 0, rc = 0;

		if (!visit(seen, &sb)) {
			fprintf(stderr, "apsim: %s: skipped, a directory already walked (symbolic link loop?)\n",
				path);
			return 0;
		}
		if (depth > 64) {
			fprintf(stderr, "apsim: %s: directories nested too deep\n", path);
			return 2;
		}
		d = opendir(path);
		if (!d) {
			fprintf(stderr, "apsim: %s: cannot read directory: %s\n", path, strerror(errno));
			return 2;
		}
		while ((e = readdir(d))) {
			char p[PATH_MAX];
			struct stat es;

			if (e->d_name[0] == '.')
				continue;
			if ((size_t)snprintf(p, sizeof(p), "%s/%s", path, e->d_name) >= sizeof(p)) {
				fprintf(stderr, "apsim: %s/%s: path too long\n", path, e->d_name);
				rc = 2;
				continue;
			}
			if (stat(p, &es)) {
				/* a dangling or looping link: only worth a word
				 * when it looks like a scenario or a directory */
				if (is_scn(e->d_name) || e->d_type == DT_LNK || e->d_type == DT_DIR) {
					fprintf(stderr, "apsim: %s: %s\n", p,
						errno == ELOOP ? "symbolic link loop" : strerror(errno));
					rc = 2;
				}
				continue;
			}
			if (!S_ISDIR(es.st_mode) && !is_scn(e->d_name))
				continue;
			if (!S_ISDIR(es.st_mode) && !S_ISREG(es.st_mode)) {
				fprintf(stderr, "apsim: %s: skipped, not a regular file\n", p);
				rc = 2;
				continue;
			}
			if (ns == cs) {
				cs = cs ? cs * 2 : 16;
				sub = realloc(sub, cs * sizeof(*sub));
			}
			sub[ns++] = strdup(p);
		}
		closedir(d);
		qsort(sub, ns, sizeof(*sub), cmp_path);
		for (int i = 0; i < ns; i++) {
			if (collect(sub[i], list, n, cap, seen, depth + 1))
				rc = 2;
			free(sub[i]);
		}
		free(sub);
		return rc;
	}
	/* a file named on the command line is read as it is (a FIFO or a
	 * device is reported when it is read) */
	add_path(path, list, n, cap);
	return 0;
}

/*
 * Which variant does the scenario at path name ("" = none or a parse error,
 * which running it reports)?  *skip: it names kernel trees and this
 * driver's is not one of them.
 */
static void scenario_info(const char *path, const struct run_opts *ro,
			  char *variant, size_t len, bool *skip)
{
	static struct apsim_scenario s;
	char err[256];

	variant[0] = 0;
	*skip = false;
	if (cli_parse_scenario(path, &s, err, sizeof(err)) == 0) {
		snprintf(variant, len, "%s", s.variant);
		if (!apsim_scn_tree_ok(&s, apsim_ksrc_version)) {
			*skip = true;
			if (ro->json) {
				printf("{\"scenario\":");
				sim_out_json_str(stdout, s.name);
				printf(",\"file\":");
				sim_out_json_str(stdout, path);
				printf(",\"result\":\"skip\",\"trees\":[");
				for (int i = 0; i < s.ntrees; i++)
					printf("%s\"%s\"", i ? "," : "", s.trees[i]);
				printf("]}\n");
				return;
			}
			printf("SKIP %-34s tree", s.name);
			for (int i = 0; i < s.ntrees; i++)
				printf(" %s", s.trees[i]);
			printf(" only (this driver: linux %s)\n", apsim_ksrc_version);
		}
	}
}

int cli_run(int argc, char **argv)
{
	struct run_opts ro = { .iterations = -1, .out = "apsim-out" };
	char **files = NULL;
	int nfiles = 0, cap = 0, rc = 0, wrc = 0, nfail = 0, nrun = 0, nskip = 0;
	char **paths = NULL;
	int npaths = 0;
	FILE *junit = NULL;
	char fragpath[PATH_MAX] = "";
	struct cli_opts p;

	sim_opts_default(&ro.so);
	ro.so.seed = 1;
	ro.so.preemption_bound = 2;
	ro.passthru = calloc(argc + 1, sizeof(char *));
	paths = calloc(argc + 1, sizeof(char *));
	cli_opts_init(&p, "run", argc, argv);
	while (cli_opts_next(&p)) {
		const char *a = p.arg, *v;
		long x;
		bool fwd = true;

		if (cli_opts_is(&p, "--seed", NULL)) {
			if (cli_opts_u64(&p, "0..2^64-1", &ro.so.seed))
				break;
			ro.have_seed = true;
		} else if (cli_opts_is(&p, "--strategy", NULL)) {
			enum sim_strategy s;
			char list[128];

			if (!(v = cli_opts_value(&p)))
				break;
			cli_strategy_list(list, sizeof(list), "|");
			if (sim_strategy_parse(v, &s)) {
				cli_opts_bad(&p, list, v);
				break;
			}
			ro.so.strategy = s;
			ro.have_strategy = true;
		} else if (cli_opts_is(&p, "--iterations", NULL)) {
			if (cli_opts_long(&p, 0, APSIM_SCN_MAX_ITERATIONS,
					  "0..10^12 (0: exhaustive without a cap)", &x))
				break;
			ro.iterations = x;
		} else if (cli_opts_is(&p, "--max-iterations", NULL)) {
			if (cli_opts_long(&p, 1, APSIM_SCN_MAX_ITERATIONS, "1..10^12", &x))
				break;
			ro.max_iterations = x;
		} else if (cli_opts_is(&p, "--pct-depth", NULL)) {
			if (cli_opts_long(&p, 1, APSIM_SCN_MAX_PCT_DEPTH, "1..16", &x))
				break;
			ro.so.pct_depth = x;
			ro.have_pct = true;
		} else if (cli_opts_is(&p, "--preemption-bound", NULL)) {
			if (cli_opts_long(&p, 0, APSIM_SCN_MAX_PREEMPTION_BOUND, "0..1000", &x))
				break;
			ro.so.preemption_bound = x;
			ro.have_pb = true;
		} else if (cli_opts_is(&p, "--max-steps", NULL)) {
			if (cli_opts_long(&p, 1, APSIM_SCN_MAX_ITERATIONS, "1..10^12", &x))
				break;
			ro.so.max_steps = x;
			ro.have_steps = true;
		} else if (cli_opts_is(&p, "--hung-task-timeout", NULL)) {
			if (cli_opts_long(&p, 0, 86400, "0..86400 seconds", &x))
				break;
			ro.so.hung_task_ns = x ? (uint64_t)x * 1000000000ULL : UINT64_MAX;
			ro.have_hung = true;
		} else if (cli_opts_is(&p, "--exec-timeout", NULL)) {
			if (cli_opts_long(&p, 0, 86400, "0..86400 seconds", &x))
				break;
			ro.exec_timeout = x;
		} else if (cli_opts_is(&p, "--schedule", NULL)) {
			if (!(v = cli_opts_value(&p)))
				break;
			if (!*v) {
				p.rc = cli_usage_error("run", "%s", "--schedule: expected a schedule file, "
						       "got an empty string");
				break;
			}
			ro.schedule = v;
		} else if (cli_opts_is(&p, "--ksrc", NULL)) {
			if (!cli_opts_value(&p))   /* handled in main before dispatch */
				break;
			fwd = false;
		} else if (cli_opts_is(&p, "--variant", NULL)) {
			if (cli_opts_variant(&p, &ro.variant))
				break;
			fwd = false;
		} else if (cli_opts_is(&p, "--out", NULL)) {
			if (cli_opts_out(&p, false, &ro.out))
				break;
		} else if (cli_opts_is(&p, "--format", NULL)) {
			if (cli_opts_format(&p, &ro.json))
				break;
		} else if (cli_opts_is(&p, "--junit", NULL)) {
			if (cli_opts_out(&p, true, &ro.junit))
				break;
			fwd = false;
		} else if (cli_opts_is(&p, "--junit-fragment", NULL)) {
			if (!(ro.junit_fragment = cli_opts_value(&p)))
				break;
			fwd = false;
		} else if (cli_opts_is(&p, "--rules", NULL)) {
			char err[512];

			if (!(v = cli_opts_value(&p)))
				break;
			if (cli_check_input(v, err, sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				p.rc = CLI_EXIT_USAGE;
				break;
			}
			ro.rules = v;
		} else if (cli_opts_is(&p, "--known", NULL)) {
			if (!(v = cli_opts_value(&p)))
				break;
			apsim_known_free(&ro.known);
			if (cli_known_load("run", v, &ro.known))
				return 2;
		} else if (cli_opts_is(&p, "--lock-graph", NULL)) {
			if (cli_opts_out(&p, true, &ro.lock_graph))
				break;
			fwd = false;    /* a variant's graph is not this tree's */
		} else if (cli_opts_is(&p, "--no-rules", NULL)) {
			ro.no_rules = true;
		} else if (cli_opts_is(&p, "--races", NULL)) {
			ro.so.races = true;	/* data-race detector (docs/races.md) */
		} else if (cli_opts_is(&p, "--keep-going", NULL)) {
			ro.keep_going = true;
		} else if (cli_opts_is(&p, "--trace-calls", NULL)) {
			if (sim_trace_calls(true))
				return cli_usage_error("run", "%s", "--trace-calls: this build's driver has no "
						       "function hooks (rebuild with make TRACE_CALLS=1)");
		} else if (cli_opts_is(&p, "-q", "--quiet")) {
			ro.quiet = true;
		} else if (cli_opts_is(&p, "-v", "--verbose")) {
			ro.verbose = true;
		} else if (a[0] == '-' && a[1]) {
			cli_opts_unknown(&p, NULL);
			break;
		} else {
			paths[npaths++] = (char *)a;
			fwd = false;
		}
		if (fwd) {
			ro.passthru[ro.npassthru++] = (char *)a;
			if (argv[p.i] != a)
				ro.passthru[ro.npassthru++] = argv[p.i];
		}
	}
	if (p.rc)
		return p.rc;
	if (!npaths)
		return cli_usage_error("run", "%s", "no scenario FILE or DIR given");
	if (ro.have_strategy && ro.so.strategy == SIM_STRAT_REPLAY && !ro.schedule)
		return cli_usage_error("run", "%s", "--strategy replay needs --schedule FILE (a finding's schedule.txt)");
	if (ro.schedule && ro.have_strategy && ro.so.strategy != SIM_STRAT_REPLAY)
		return cli_usage_error("run", "--schedule replays one schedule: drop --strategy %s",
				       sim_strategy_name(ro.so.strategy));
	if (ro.schedule)
		ro.so.strategy = SIM_STRAT_REPLAY;
	if (!ro.no_rules) {
		char err[512];

		if (apsim_rules_load(ro.rules, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
	}
	apsim_rules_enable(!ro.no_rules);
	for (int i = 0; i < npaths; i++) {
		struct visited seen = { .n = 0 };
		int before = nfiles;

		if (collect(paths[i], &files, &nfiles, &cap, &seen, 0)) {
			rc = 2;
			nfail++;
			nrun++;
		} else if (nfiles == before) {
			fprintf(stderr, "apsim: no scenarios found in %s\n", paths[i]);
			rc = 2;
		}
	}
	if (ro.schedule && nfiles != 1) {
		fprintf(stderr, "apsim: --schedule replays one scenario, got %d scenario files\n", nfiles);
		return 2;
	}
	if (ro.junit) {
		junit = fopen(ro.junit, "w");
		if (!junit) {
			fprintf(stderr, "apsim: %s: %s\n", ro.junit, strerror(errno));
			return 2;
		}
		fprintf(junit, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"apsim\">\n");
		snprintf(fragpath, sizeof(fragpath), "%s.frag", ro.junit);
		unlink(fragpath);
	}
	FILE *frag = NULL;
	if (ro.junit_fragment)
		frag = fopen(ro.junit_fragment, "a");
	for (int i = 0; i < nfiles; i++) {
		char want[64], named[64];
		const char *mine = apsim_variant_name[0] ? apsim_variant_name : "base";
		bool skip;
		int r;

		scenario_info(files[i], &ro, named, sizeof(named), &skip);
		if (skip) {
			nskip++;
			continue;
		}
		snprintf(want, sizeof(want), "%s", ro.variant ? ro.variant : named[0] ? named : "base");

		if (strcmp(want, mine))
			r = run_in_variant(want, files[i], &ro, ro.junit ? fragpath : NULL, &nfail);
		else
			r = run_scenario(files[i], &ro, frag ? frag : junit, &nfail);
		if (r == 2) {
			rc = 2;
			nfail++;   /* could not run: a parse or usage error */
		} else if (r == CLI_EXIT_WRITE) {
			wrc = CLI_EXIT_WRITE;
		}
		nrun++;
	}
	if (frag && (ferror(frag) | fclose(frag))) {
		fprintf(stderr, "apsim: cannot write %s: %s\n", ro.junit_fragment, strerror(errno));
		wrc = CLI_EXIT_WRITE;
	}
	if (junit) {
		FILE *fr = fopen(fragpath, "r");
		char line[2048];

		if (fr) {
			while (fgets(line, sizeof(line), fr))
				fputs(line, junit);
			fclose(fr);
			unlink(fragpath);
		}
		fprintf(junit, "</testsuite>\n");
		if (ferror(junit) | fflush(junit) | fclose(junit)) {
			fprintf(stderr, "apsim: cannot write %s: %s\n", ro.junit, strerror(errno));
			wrc = CLI_EXIT_WRITE;
		}
	}
	if (ro.lock_graph && graph_write(ro.lock_graph))
		wrc = CLI_EXIT_WRITE;
	if (!getenv("APSIM_CHILD") && !ro.json)
		printf(nskip ? "%d passed, %d failed, %d skipped\n" : "%d passed, %d failed\n",
		       nrun - nfail, nfail, nskip);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "apsim: cannot write standard output: %s\n", strerror(errno));
		wrc = CLI_EXIT_WRITE;
	}
	if (rc)
		return 2;
	if (wrc)
		return wrc;
	return nfail ? 1 : 0;
}
