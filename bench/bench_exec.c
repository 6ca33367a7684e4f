/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench_exec.c - apsim's own speed, against the project's goals.
 *
 * Owns: context switch ns; uncontended lock+unlock ns with and without the
 * validator; scheduling decisions/s; executions/s of the smallest useful
 * race (bench/small-mix.scn: one mdev, one queue, two threads with one
 * sysfs store each) and of the documented D2
 * scenario (scenarios/fixed/d2-inuse.scn, parsed with the CLI parser) on the
 * real driver INCLUDING the per-execution state reset (random strategy,
 * trace off, locking rules off; with world snapshots, the default, and
 * rebuilding every world; and with the locking rules on, as `apsim run`
 * checks them); executions/s of a fuzz-like mix (fuzz/gen.c scenarios, one
 * execution each, locking rules on, groups of 16 seeds sharing a set-up,
 * as `apsim fuzz` runs them; with --no-rules; every world rebuilt, as
 * --share-setup 1); both on 1 core and with 2
 * forked worker processes (scaling ratio); bounded-exhaustive (preemption
 * bound 2) exploration time of D2 on the base build and, by timing the d2
 * variant binary, of deadlocks/d2-inuse.scn; the shrinking of 8 generated
 * findings as a campaign shrinks them, with world snapshots and rebuilding
 * (the speed-up of each); seeds/s of the `apsim fuzz`
 * binary (one worker, with and without shrinking, and --share-setup 1),
 * and --no-shrink of every other tree's apsim built beside it
 * (BUILD_ROOT/<series>/apsim: exec.tree_<series>.*); the profile split of the
 * D2 executions (what dominates an execution).  Figures only, never pass/fail.
 */
#include <dirent.h>
#include <apsim/sim.h>
#include <sched.h>
#include <sys/wait.h>

#include "fuzz/campaign.h"
#include "fuzz/gen.h"
#include "fuzz/shrink.h"
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"
#include "bench_common.h"
#include "bench_prof.h"

#define D2_FIXED "scenarios/fixed/d2-inuse.scn"
#define D2_BUGGY "scenarios/deadlocks/d2-inuse.scn"
#define SMALL_MIX "bench/small-mix.scn"

/* ------------------------------------------------------ libsim core */

#define NSW 2000000L
#define NLOCK 1000000L
#include "bench_core.h"

#define NYIELD 300000L
static void yielder(void *arg)
{
	(void)arg;
	for (long i = 0; i < NYIELD; i++)
		sim_yield(SIM_SITE);
}
static void yield_main(void *arg)
{
	(void)arg;
	sim_thread_spawn("y1", yielder, NULL);
	sim_thread_spawn("y2", yielder, NULL);
	sim_thread_join_all(SIM_SITE);
}

static double decisions_per_s(void)
{
	struct sim_opts o;
	struct sim_result r;

	sim_opts_default(&o);
	o.max_steps = NYIELD * 4;
	double t0 = bench_now();

	sim_run(&o, yield_main, NULL, NULL, &r);
	return (double)r.decisions / (bench_now() - t0);
}

/* ------------------------------------------------------ executions */

static struct apsim_scenario d2, small;
static struct apsim_exec ex;

static void d2_opts(struct sim_opts *o, uint64_t seed)
{
	sim_opts_default(o);
	o->strategy = SIM_STRAT_RANDOM;
	o->seed = seed;
	o->trace = false;
}

static int count_bad(uint64_t idx, const struct sim_result *res, void *arg)
{
	(void)idx;
	*(long *)arg += res->nfindings > 0;
	return 0;
}

/* n executions of a scenario (random strategy), executions/s; *bad =
 * executions with findings (the scenarios used expect none). */
static double scn_execs(const struct apsim_scenario *s, long n, uint64_t seed, long *bad)
{
	struct sim_opts o;
	struct sim_explore_stats st;
	long nbad = 0;
	double t0;

	d2_opts(&o, seed);
	t0 = bench_now();
	apsim_world_explore(s, &o, (uint64_t)n, count_bad, &nbad, &ex, &st);
	double dt = bench_now() - t0;

	if (bad)
		*bad = nbad;
	return (double)st.executions / dt;
}

static double d2_execs(long n, uint64_t seed, long *bad)
{
	return scn_execs(&d2, n, seed, bad);
}

/* Generated scenarios of seeds first .. first + n - 1 in chunks of 64
 * consecutive seeds, worker w of k taking the chunks c with c % k == w (as
 * apsim fuzz -j hands out chunks); one execution each (apsim fuzz's
 * run_seed), groups of mix_share seeds sharing a set-up as `apsim fuzz`
 * runs them (--share-setup 16 by default; 1: every world rebuilt).  k = 1:
 * all n. */
#define MIX_CHUNK 64
static int mix_share = APSIM_CAMPAIGN_SHARE_SETUP;

/* The mix with the lock validator off too (exec.mix_nochecks_execs_per_s):
 * what the driver, the shim, the scheduler and the world snapshots cost
 * without a checker; no command runs like that. */
static bool mix_nolockdep;

/* The options a campaign runs a generated seed's world with. */
static void mix_opts(const struct apsim_scenario *s, struct sim_opts *o)
{
	sim_opts_default(o);
	o->preemption_bound = 2;
	if (s->explore.strategy >= 0 && s->explore.strategy != SIM_STRAT_EXHAUSTIVE &&
	    s->explore.strategy != SIM_STRAT_REPLAY)
		o->strategy = s->explore.strategy;
	if (s->explore.has_seed)
		o->seed = s->explore.seed;
	if (s->explore.pct_depth > 0)
		o->pct_depth = s->explore.pct_depth;
	if (s->explore.max_steps > 0)
		o->max_steps = (uint64_t)s->explore.max_steps;
	o->trace = false;
	if (mix_nolockdep)
		o->lockdep = false;
}

static double mix_execs_chunked(long n, uint64_t first, int w, int k)
{
	const struct apsim_scenario *s;
	struct apsim_gen_opts go;
	struct sim_result res;
	struct sim_opts o;
	double t0 = bench_now();

	long done = 0;

	apsim_gen_opts_default(&go);
	go.share = mix_share;
	for (long i = 0; i < n; i++) {
		if ((i / MIX_CHUNK) % k != w)
			continue;
		done++;
		s = apsim_gen_scenario_ref(first + (uint64_t)i, &go);   /* as apsim fuzz */
		mix_opts(s, &o);
		if (mix_share > 1)
			apsim_world_run_shared(s, &o, &res, &ex);
		else
			apsim_world_run(s, &o, &res, &ex);
	}
	return done / (bench_now() - t0);
}

static double mix_execs(long n, uint64_t first)
{
	return mix_execs_chunked(n, first, 0, 1);
}

/* k forked workers: D2 (which 0) runs n executions per worker with its own
 * seeds; the mix (which 1) splits the same n generated seeds between the
 * workers (in chunks of 64 seeds, as apsim fuzz -j does), so 1 and 2 workers do the same
 * work.  Aggregate executions/s over the wall time of the slowest. */
static double forked(int k, long n, int which, bool pin)
{
	double t0 = bench_now();

	fflush(stdout);
	for (int w = 0; w < k; w++) {
		pid_t p = fork();

		if (p == 0) {
			if (pin) {   /* one CPU per worker: no cross-CPU TLB shootdowns */
				cpu_set_t cs;

				CPU_ZERO(&cs);
				CPU_SET(w % (int)sysconf(_SC_NPROCESSORS_ONLN), &cs);
				sched_setaffinity(0, sizeof(cs), &cs);
			}
			if (which == 0)
				d2_execs(n, 1000 + (uint64_t)w * (uint64_t)n, NULL);
			else
				mix_execs_chunked(n, 1, w, k);
			_exit(0);
		}
	}
	for (int w = 0; w < k; w++)
		wait(NULL);
	return (double)(which == 0 ? k * n : n) / (bench_now() - t0);
}

/* The machine's own ceiling: a CPU-bound loop in 1 and 2 processes. */
static double spin_scaling(void)
{
	double t[3];

	for (int k = 1; k <= 2; k++) {
		double t0 = bench_now();

		for (int w = 0; w < k; w++)
			if (fork() == 0) {
				volatile unsigned long x = 0;

				for (long i = 0; i < 300000000L; i++)
					x += (unsigned long)i;
				_exit(0);
			}
		for (int w = 0; w < k; w++)
			wait(NULL);
		t[k] = bench_now() - t0;
	}
	return 2 * t[1] / t[2];
}

/*
 * Shrinking: the first NSHR generated worlds (every world its own set-up,
 * seeds from 500,000, the rules on) whose execution has a finding other than
 * a hang (hangs shrink with runs to the step budget: minutes, not the
 * shrinker's speed), each shrunk for its first finding's signature as a
 * campaign shrinks a new finding (apsim_campaign_shrink).
 */
#define NSHR 8
static struct apsim_scenario shr_in[NSHR], shr_work;
static char shr_sig[NSHR][256];
static int nshr;

static void shrink_inputs(void)
{
	struct apsim_gen_opts go;
	struct sim_result res;
	struct sim_opts o;

	apsim_gen_opts_default(&go);
	go.share = 1;
	for (uint64_t seed = 500000; seed < 520000 && nshr < NSHR; seed++) {
		const struct apsim_scenario *s = apsim_gen_scenario_ref(seed, &go);
		const struct sim_finding *f;

		mix_opts(s, &o);
		apsim_world_run(s, &o, &res, &ex);
		if (sim_findings_count() < 1 || (f = sim_finding_get(0))->kind == SIM_F_HANG)
			continue;
		memcpy(&shr_in[nshr], s, sizeof(shr_in[0]));
		snprintf(shr_sig[nshr], sizeof(shr_sig[0]), "%s", f->signature);
		nshr++;
	}
}

/* Shrink every input: seconds; *cand candidates in all. */
static double shrink_all(int *cand)
{
	double t0 = bench_now();

	*cand = 0;
	for (int i = 0; i < nshr; i++) {
		struct apsim_shrink_stats st;

		memcpy(&shr_work, &shr_in[i], sizeof(shr_work));
		apsim_campaign_shrink(&shr_work, shr_sig[i], 150, &st, NULL);
		*cand += st.candidates;
	}
	return bench_now() - t0;
}

/* bounded-exhaustive exploration of scenario s: seconds, *n executions */
static double exhaustive(const struct apsim_scenario *s, int pb, uint64_t *n, bool *complete)
{
	struct sim_opts o;
	struct sim_explore_stats st;

	sim_opts_default(&o);
	o.strategy = SIM_STRAT_EXHAUSTIVE;
	o.preemption_bound = pb;
	o.trace = false;
	double t0 = bench_now();

	apsim_world_explore(s, &o, 0, NULL, NULL, &ex, &st);
	double dt = bench_now() - t0;

	*n = st.executions;
	*complete = st.complete;
	return dt;
}

static double run_proc(char *const argv[], int *status)
{
	double t0 = bench_now();
	pid_t p = fork();

	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(p, status, 0);
	return bench_now() - t0;
}


/* `apsim fuzz` itself (campaign, one execution per generated seed, tracing
 * off), one worker: seeds/s over the process's wall time, start-up
 * included.  shrink: as a user runs it (findings shrunk) or --no-shrink;
 * share: --share-setup G (NULL: the default, 16).
 * Returns -1 when the binary is missing or the campaign failed. */
static double fuzz_proc(const char *apsim, long n, bool shrink, const char *share)
{
	char nbuf[32], out[64];
	char *av[16];
	int k = 0, st = 0;
	double dt;

	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	snprintf(out, sizeof(out), "/tmp/apsim-bench-fuzz-%d", (int)getpid());
	av[k++] = (char *)apsim;
	av[k++] = "fuzz";
	av[k++] = "-q";
	av[k++] = "--seed";
	av[k++] = "500000";
	av[k++] = "--iterations";
	av[k++] = nbuf;
	av[k++] = "-j";
	av[k++] = "1";
	av[k++] = "--out";
	av[k++] = out;
	if (!shrink)
		av[k++] = "--no-shrink";
	if (share) {
		av[k++] = "--share-setup";
		av[k++] = (char *)share;
	}
	av[k] = NULL;
	setenv("CI", "1", 1);
	dt = run_proc(av, &st);
	bench_rm_out(out);
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return (double)n / dt;
}

/* ---------------------------------------------------------------- main */

static void row(const char *what, struct bench_stat s, const char *unit, const char *goal,
		const char *verdict)
{
	printf("  %-52s %12.2f %-4s [%.2f..%.2f] %s%s%s\n", what, s.med, unit, s.min, s.max,
	       goal ? goal : "", verdict ? "  " : "", verdict ? verdict : "");
}

/* A row of seconds printed in milliseconds (the JSON keeps seconds). */
static void row_ms(const char *what, struct bench_stat s, const char *goal, const char *verdict)
{
	s.med *= 1e3, s.min *= 1e3, s.max *= 1e3;
	row(what, s, "ms", goal, verdict);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	char err[512], dir[4096], var[4096];
	int R;

	bench_prof_reexec(argv);
	if (bench_parse_opts(argc, argv, &o, NULL))
		return 2;
	R = o.runs;
	apsim_scn_init(&d2);
	if (apsim_scn_parse_file(D2_FIXED, &d2, err, sizeof(err))) {
		fprintf(stderr, "bench_exec: %s (run from the source tree)\n", err);
		return 2;
	}
	apsim_scn_init(&small);
	if (apsim_scn_parse_file(SMALL_MIX, &small, err, sizeof(err))) {
		fprintf(stderr, "bench_exec: %s (run from the source tree)\n", err);
		return 2;
	}
	apsim_world_init();
	/* the locking-document rules, as apsim run and apsim fuzz check them
	 * by default; enabled only around the measurements that say so */
	if (apsim_rules_load(NULL, err, sizeof(err))) {
		fprintf(stderr, "bench_exec: rules: %s\n", err);
		return 2;
	}

	double sw[16], lon[16], loff[16], dec[16], e1[16], m1[16], m1n[16], m1s[16], m1x[16], sm[16], e1ru[16];
	long sbad = 0;
	long nd2 = o.quick ? 1000 : 2000, nmix = o.quick ? 300 : 500;
	/* the 1-core mix: generated worlds differ a lot in cost (a large world
	 * is ~50 small ones), so each run takes 2,000 of them */
	long nmix1 = 4 * nmix;
	long bad = 0;

	for (int r = 0; r < R; r++) {
		sw[r] = bench_ctx_switch_ns(NSW);
		lon[r] = bench_lock_unlock_ns(NLOCK, true);
		loff[r] = bench_lock_unlock_ns(NLOCK, false);
		dec[r] = decisions_per_s();
	}
	/* D2 executions/s, 1 core, profiled */
	/* each run is followed at once by the same executions rebuilding every
	 * world (APSIM_SNAPSHOT=0, not profiled): the world snapshot's speed-up
	 * as a ratio of two neighbouring measurements */
	double e1r[16], snr[16];

	bench_prof_start(o.profile);
	for (int r = 0; r < R; r++) {
		bench_prof_on = 1;
		e1[r] = d2_execs(nd2, 1 + (uint64_t)r * (uint64_t)nd2, r == 0 ? &bad : NULL);
		bench_prof_on = 0;
		apsim_world_set_snapshot(0);
		e1r[r] = d2_execs(nd2, 1 + (uint64_t)r * (uint64_t)nd2, NULL);
		apsim_world_set_snapshot(-1);
		snr[r] = e1[r] / e1r[r];
	}
	struct bench_split sp;

	bench_prof_stop(&sp);
	/* the fuzz-like mix as apsim fuzz runs it (rules on), then without
	 * the rules (as --no-rules), and D2 with the rules (as apsim run) */
	for (int r = 0; r < R; r++) {
		apsim_rules_enable(true);
		m1[r] = mix_execs(nmix1, 1 + (uint64_t)r * (uint64_t)nmix1);
		e1ru[r] = d2_execs(nd2, 1 + (uint64_t)r * (uint64_t)nd2, NULL);
		apsim_rules_enable(false);
		m1n[r] = mix_execs(nmix1, 1 + (uint64_t)r * (uint64_t)nmix1);
		apsim_rules_enable(true);	/* every world its own set-up */
		mix_share = 1;
		m1s[r] = mix_execs(nmix1, 1 + (uint64_t)r * (uint64_t)nmix1);
		mix_share = APSIM_CAMPAIGN_SHARE_SETUP;
		apsim_rules_enable(false);
		mix_nolockdep = true;	/* no checker but the memory checks */
		m1x[r] = mix_execs(nmix1, 1 + (uint64_t)r * (uint64_t)nmix1);
		mix_nolockdep = false;
	}
	for (int r = 0; r < R; r++)
		sm[r] = scn_execs(&small, 4 * nd2, 1 + (uint64_t)r * 4 * (uint64_t)nd2,
				  r == 0 ? &sbad : NULL);

	/* parallel: the same work in 1 and in 2 forked workers (medians) */
	double f1[16], f2[16], g1[16], g2[16], sc[16], scm[16], cpu[16], p1[16], p2[16], scp[16];
	int PR = R < 3 ? R : 3;

	/* Windows of ~0.5 s per worker (D2: 40x its executions; the mix: 48x
	 * its seeds, which also differ a lot in cost): the wall time of two
	 * workers is the slower one's, and with windows of 10-100 ms that max
	 * of two picked up the VM's jitter (the mix "scaled" 1.46-1.64x with
	 * 4,000 seeds, 1.9-2.0x with 19,200 in the same sitting) */
	for (int r = 0; r < PR; r++) {
		f1[r] = forked(1, 40 * nd2, 0, false);
		f2[r] = forked(2, 40 * nd2, 0, false);
		sc[r] = f2[r] / f1[r];
		p1[r] = forked(1, 40 * nd2, 0, true);
		p2[r] = forked(2, 40 * nd2, 0, true);
		scp[r] = p2[r] / p1[r];
		apsim_rules_enable(true);	/* as apsim fuzz */
		g1[r] = forked(1, 48 * nmix, 1, false);
		g2[r] = forked(2, 48 * nmix, 1, false);
		apsim_rules_enable(false);
		scm[r] = g2[r] / g1[r];
		cpu[r] = spin_scaling();
	}

	/* bounded-exhaustive D2 (pb 2), base build */
	double ex_s[16];
	uint64_t ex_n = 0;
	bool ex_c = false;

	double ex_r[16];
	uint64_t ex_rn = 0;
	bool ex_rc = false;

	for (int r = 0; r < R; r++) {   /* alternating, as D2 above */
		ex_s[r] = exhaustive(&d2, 2, &ex_n, &ex_c);
		apsim_world_set_snapshot(0);
		ex_r[r] = exhaustive(&d2, 2, &ex_rn, &ex_rc);
		apsim_world_set_snapshot(-1);
	}

	/* shrinking, with world snapshots and rebuilding (alternating) */
	double sh_s[16], sh_r[16];
	int sh_c = 0, sh_rc = 0;

	apsim_rules_enable(true);	/* as apsim fuzz */
	shrink_inputs();
	for (int r = 0; r < R && nshr; r++) {
		sh_s[r] = shrink_all(&sh_c);
		apsim_world_set_snapshot(0);
		sh_r[r] = shrink_all(&sh_rc);
		apsim_world_set_snapshot(-1);
	}
	apsim_rules_enable(false);

	/* apsim fuzz, 1 worker, with and without shrinking (the binary next
	 * to the bench directory) */
	double fz[16], fzn[16], fzs[16];
	int nfz = 0;
	long nfuzz = o.quick ? 5000 : 20000;

	bench_self_dir(dir, sizeof(dir));
	snprintf(var, sizeof(var), "%s/../apsim", dir);
	if (access(var, X_OK) == 0) {
		for (nfz = 0; nfz < R; nfz++) {
			fz[nfz] = fuzz_proc(var, nfuzz, true, NULL);
			fzn[nfz] = fuzz_proc(var, nfuzz, false, NULL);
			fzs[nfz] = fuzz_proc(var, nfuzz, true, "1");
			if (fz[nfz] < 0 || fzn[nfz] < 0 || fzs[nfz] < 0) {
				nfz = 0;
				break;
			}
		}
	}

	/* apsim fuzz --no-shrink of every other tree built beside this one
	 * (BUILD_ROOT/<series>/apsim, e.g. build/6.12/apsim: the tree the
	 * maintainers change), the same seeds: exec.tree_<series>.* */
	struct { char series[32]; double r[16]; int n; } tf[4];
	int ntf = 0;
	{
		char root[PATH_MAX];
		DIR *d;
		struct dirent *de;

		bench_self_dir(dir, sizeof(dir));
		snprintf(root, sizeof(root), "%s/..", dir);
		d = opendir(root);
		while (d && (de = readdir(d)) && ntf < 4) {
			if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
			    strlen(de->d_name) >= sizeof(tf[0].series))
				continue;
			snprintf(var, sizeof(var), "%s/%s/apsim", root, de->d_name);
			if (access(var, X_OK))
				continue;
			snprintf(tf[ntf].series, sizeof(tf[ntf].series), "%s", de->d_name);
			for (tf[ntf].n = 0; tf[ntf].n < R; tf[ntf].n++) {
				tf[ntf].r[tf[ntf].n] = fuzz_proc(var, nfuzz, false, NULL);
				if (tf[ntf].r[tf[ntf].n] < 0)
					break;
			}
			if (tf[ntf].n)
				ntf++;
		}
		if (d)
			closedir(d);
		/* in the series' order, whatever the directory's */
		for (int i = 1; i < ntf; i++)
			for (int j = i; j > 0 && strcmp(tf[j - 1].series, tf[j].series) > 0; j--) {
				__typeof__(tf[0]) x = tf[j];

				tf[j] = tf[j - 1];
				tf[j - 1] = x;
			}
	}

	/* d2-inuse on the d2 variant: time the variant binary (process) */
	double vv[16];
	int vst = -1, nv = 0;

	bench_self_dir(dir, sizeof(dir));
	snprintf(var, sizeof(var), "%s/../variants/d2/apsim", dir);
	if (access(var, X_OK) == 0 && access(D2_BUGGY, R_OK) == 0) {
		/* its finding goes to a directory of the bench's own, removed
		 * after each run (without --out, apsim-out/ in the caller's
		 * directory: the checkout) */
		char vout[64];
		char *av[] = { var, "run", D2_BUGGY, "--strategy", "exhaustive",
			       "--preemption-bound", "2", "-q", "--out", vout, NULL };

		snprintf(vout, sizeof(vout), "/tmp/apsim-bench-d2-%d", (int)getpid());
		for (nv = 0; nv < R; nv++) {
			vv[nv] = run_proc(av, &vst);
			bench_rm_out(vout);
		}
	}

	struct bench_stat s_sw = bench_stat_of(sw, R), s_on = bench_stat_of(lon, R),
			  s_off = bench_stat_of(loff, R), s_dec = bench_stat_of(dec, R),
			  s_e1 = bench_stat_of(e1, R), s_m1 = bench_stat_of(m1, R), s_sm = bench_stat_of(sm, R),
			  s_f1 = bench_stat_of(f1, PR), s_f2 = bench_stat_of(f2, PR),
			  s_sc = bench_stat_of(sc, PR), s_g1 = bench_stat_of(g1, PR),
			  s_g2 = bench_stat_of(g2, PR), s_scm = bench_stat_of(scm, PR),
			  s_ex = bench_stat_of(ex_s, R), s_cpu = bench_stat_of(cpu, PR),
			  s_p1 = bench_stat_of(p1, PR), s_p2 = bench_stat_of(p2, PR),
			  s_scp = bench_stat_of(scp, PR);
	char v[64];

	printf("apsim's own speed (libsim %s, driver %s), median of %d runs [min..max]\n",
	       sim_version, apsim_ksrc_version, R);
#define VERD(ok) ((ok) ? "met" : "NOT met")
	row("context switch (sim_ctx_jump)", s_sw, "ns", "goal <= 7 ns", VERD(s_sw.med <= 7));
	row("mutex lock+unlock, uncontended, validator on", s_on, "ns", "goal <= 40 ns",
	    VERD(s_on.med <= 40));
	row("mutex lock+unlock, uncontended, validator off", s_off, "ns", NULL, NULL);
	s_dec.med /= 1e6; s_dec.min /= 1e6; s_dec.max /= 1e6;
	row("scheduling decisions/s (2 yielders, random)", s_dec, "M/s", NULL, NULL);
	snprintf(v, sizeof(v), "goal >= 100000/s/core");
	row("small mix executions/s, 1 core (bench/small-mix.scn)", s_sm, "/s", v,
	    VERD(s_sm.med >= 100000));
	printf("  %-52s %12.2f us/exec; %ld execution(s) of the first run had findings\n",
	       "  = per execution", 1e6 / s_sm.med, sbad);
	row("D2 fixed executions/s, 1 core (world snapshot)", s_e1, "/s", "goal >= 150000/s",
	    VERD(s_e1.med >= 150000));
	printf("  %-52s %12.2f us/exec; %ld execution(s) of the first run had findings\n",
	       "  = per execution", 1e6 / s_e1.med, bad);
	{
		struct bench_stat s_e1r = bench_stat_of(e1r, R), s_snr = bench_stat_of(snr, R);

		row("D2 executions/s, 1 core, rebuilding every world", s_e1r, "/s", NULL, NULL);
		row("  = world snapshot speed-up (same seeds)", s_snr, "x", NULL, NULL);
		bench_figs_stat("exec.d2_rebuild_execs_per_s", s_e1r, "1/s");
		bench_figs_stat("exec.d2_snapshot_speedup", s_snr, "x");
	}
	{
		struct bench_stat s_e1ru = bench_stat_of(e1ru, R);

		row("D2 executions/s, 1 core, locking rules on", s_e1ru, "/s", NULL, NULL);
		bench_figs_stat("exec.d2_rules_execs_per_s", s_e1ru, "1/s");
	}
	row("fuzz-like mix executions/s, 1 core (rules on)", s_m1, "/s", "goal >= 100000/s",
	    VERD(s_m1.med >= 100000));
	{
		struct bench_stat s_m1n = bench_stat_of(m1n, R);

		row("fuzz-like mix executions/s, 1 core, --no-rules", s_m1n, "/s", NULL, NULL);
		bench_figs_stat("exec.mix_norules_execs_per_s", s_m1n, "1/s");
		struct bench_stat s_m1s = bench_stat_of(m1s, R);

		row("fuzz-like mix, 1 core, every world rebuilt (--share-setup 1)", s_m1s, "/s", NULL, NULL);
		bench_figs_stat("exec.mix_noshare_execs_per_s", s_m1s, "1/s");
		struct bench_stat s_m1x = bench_stat_of(m1x, R);

		row("fuzz-like mix, 1 core, no rules and no lock validator", s_m1x, "/s", NULL, NULL);
		bench_figs_stat("exec.mix_nochecks_execs_per_s", s_m1x, "1/s");
	}
	row("D2 executions/s, 1 forked worker", s_f1, "/s", NULL, NULL);
	row("D2 executions/s, 2 forked workers", s_f2, "/s", NULL, NULL);
	row("D2 parallel scaling (2 workers / 1)", s_sc, "x", "goal >= 1.8x", VERD(s_sc.med >= 1.8));
	row("D2 executions/s, 1 worker pinned to a CPU", s_p1, "/s", NULL, NULL);
	row("D2 executions/s, 2 workers pinned, 1 CPU each", s_p2, "/s", NULL, NULL);
	row("D2 parallel scaling, pinned workers", s_scp, "x", "goal >= 1.8x", VERD(s_scp.med >= 1.8));
	row("mix executions/s, 1 forked worker", s_g1, "/s", NULL, NULL);
	row("mix executions/s, 2 forked workers", s_g2, "/s", NULL, NULL);
	row("mix parallel scaling (2 workers / 1)", s_scm, "x", "goal >= 1.8x", VERD(s_scm.med >= 1.8));
	row("machine ceiling: CPU loop scaling (2 procs / 1)", s_cpu, "x", NULL, NULL);
	{
		double rel[16];
		struct bench_stat s_rel;

		double relu[16];
		struct bench_stat s_relu;

		/* the goal's figure: workers pinned, as apsim fuzz -j 2 runs
		 * them (fuzz/campaign.c pin_worker); unpinned for comparison */
		for (int r = 0; r < PR; r++) {
			rel[r] = scp[r] / cpu[r];
			relu[r] = sc[r] / cpu[r];
		}
		s_rel = bench_stat_of(rel, PR);
		s_relu = bench_stat_of(relu, PR);
		row("D2 scaling (pinned, as apsim fuzz) / CPU-loop scaling", s_rel, "x", "goal >= 0.9",
		    VERD(s_rel.med >= 0.9));
		row("D2 scaling (unpinned) / CPU-loop scaling", s_relu, "x", NULL, NULL);
		bench_figs_stat("exec.d2_scaling_vs_cpu", s_rel, "x");
		bench_figs_stat("exec.d2_scaling_unpinned_vs_cpu", s_relu, "x");
	}
	if (nfz) {
		struct bench_stat s_fz = bench_stat_of(fz, nfz), s_fzn = bench_stat_of(fzn, nfz),
				  s_fzs = bench_stat_of(fzs, nfz);

		row("apsim fuzz seeds/s, 1 worker (shrinking included)", s_fz, "/s",
		    "goal >= 100000/s/core", VERD(s_fz.med >= 100000));
		row("apsim fuzz seeds/s, 1 worker, --no-shrink", s_fzn, "/s", NULL, NULL);
		row("apsim fuzz seeds/s, 1 worker, --share-setup 1", s_fzs, "/s", NULL, NULL);
		bench_figs_stat("exec.fuzz_execs_per_s", s_fz, "1/s");
		bench_figs_stat("exec.fuzz_noshare_execs_per_s", s_fzs, "1/s");
		bench_figs_stat("exec.fuzz_noshrink_execs_per_s", s_fzn, "1/s");
	} else {
		printf("  %-52s %12s      skipped: %s missing or failed\n", "apsim fuzz seeds/s",
		       "-", var);
		bench_note("exec.fuzz_note", "skipped: apsim binary missing or the campaign failed");
	}
	for (int i = 0; i < ntf; i++) {
		struct bench_stat st = bench_stat_of(tf[i].r, tf[i].n);
		char label[96], key[96];

		snprintf(label, sizeof(label), "apsim fuzz seeds/s, 1 worker, --no-shrink, %s",
			 tf[i].series);
		snprintf(key, sizeof(key), "exec.tree_%s.fuzz_noshrink_execs_per_s", tf[i].series);
		row(label, st, "/s", NULL, NULL);
		bench_figs_stat(key, st, "1/s");
	}
	row_ms("exhaustive pb 2, fixed D2, in-process", s_ex, "goal < 1 s", VERD(s_ex.med < 1));
	printf("  %-52s %12llu executions, %s\n", "  = explored", (unsigned long long)ex_n,
	       ex_c ? "complete" : "INCOMPLETE");
	{
		struct bench_stat s_exr = bench_stat_of(ex_r, R);

		row_ms("exhaustive pb 2, fixed D2, rebuilding every world", s_exr, NULL, NULL);
		printf("  %-52s %12llu executions, %s\n", "  = explored", (unsigned long long)ex_rn,
		       ex_rc ? "complete" : "INCOMPLETE");
		bench_figs_stat("exec.exhaustive_d2_rebuild_s", s_exr, "s");
	}
	if (nshr) {
		struct bench_stat s_sh = bench_stat_of(sh_s, R), s_shr = bench_stat_of(sh_r, R);
		double ratio[16];

		for (int r = 0; r < R; r++)
			ratio[r] = sh_r[r] / sh_s[r];
		char what[80];

		snprintf(what, sizeof(what), "shrinking %d generated findings, world snapshots", nshr);
		row_ms(what, s_sh, NULL, NULL);
		printf("  %-52s %12d candidates%s\n", "  = tried", sh_c,
		       sh_c == sh_rc ? "" : " (NOT the same as rebuilding!)");
		row_ms("shrinking the same, rebuilding every world", s_shr, NULL, NULL);
		row("  = world snapshot speed-up in shrinking", bench_stat_of(ratio, R), "x", NULL, NULL);
		bench_figs_stat("exec.shrink_s", s_sh, "s");
		bench_figs_stat("exec.shrink_rebuild_s", s_shr, "s");
		bench_figs_stat("exec.shrink_snapshot_speedup", bench_stat_of(ratio, R), "x");
		bench_fig("exec.shrink_candidates", sh_c, "");
	}
	{
		double ratio[16];

		for (int r = 0; r < R; r++)
			ratio[r] = ex_r[r] / ex_s[r];
		row("  = world snapshot speed-up in exhaustive search", bench_stat_of(ratio, R), "x",
		    NULL, NULL);
		bench_figs_stat("exec.exhaustive_snapshot_speedup", bench_stat_of(ratio, R), "x");
	}
	if (nv) {
		struct bench_stat s_v = bench_stat_of(vv, nv);

		row_ms("exhaustive pb 2, d2-inuse on d2 variant (process)", s_v, "goal < 1 s",
		    VERD(s_v.med < 1));
		bench_figs_stat("exec.exhaustive_d2_variant_process_s", s_v, "s");
		bench_fig("exec.exhaustive_d2_variant_exit", WIFEXITED(vst) ? WEXITSTATUS(vst) : -1, "");
	} else {
		printf("  %-52s %12s      skipped: %s missing (make variants)\n",
		       "exhaustive pb 2, d2-inuse on d2 variant", "-", var);
		bench_note("exec.exhaustive_d2_variant_note", "skipped: d2 variant not built");
	}
	double prof_s = 0;

	for (int r = 0; r < R; r++)
		prof_s += nd2 / e1[r];
	bench_prof_print(&sp, "exec.d2_profile", 10, prof_s, (double)nd2 * R, "exec");

	bench_figs_stat("exec.ctx_switch_ns", s_sw, "ns");
	bench_figs_stat("exec.lock_unlock_validator_ns", s_on, "ns");
	bench_figs_stat("exec.lock_unlock_novalidator_ns", s_off, "ns");
	bench_figs_stat("exec.decisions_per_s_M", s_dec, "M/s");
	bench_figs_stat("exec.d2_execs_per_s", s_e1, "1/s");
	bench_figs_stat("exec.mix_execs_per_s", s_m1, "1/s");
	bench_figs_stat("exec.small_mix_execs_per_s", s_sm, "1/s");
	bench_figs_stat("exec.d2_fork1_execs_per_s", s_f1, "1/s");
	bench_figs_stat("exec.d2_fork2_execs_per_s", s_f2, "1/s");
	bench_figs_stat("exec.d2_scaling", s_scp, "x");	/* pinned, as apsim fuzz -j */
	bench_figs_stat("exec.d2_scaling_unpinned", s_sc, "x");
	bench_figs_stat("exec.d2_pinned1_execs_per_s", s_p1, "1/s");
	bench_figs_stat("exec.d2_pinned2_execs_per_s", s_p2, "1/s");
	bench_figs_stat("exec.mix_fork1_execs_per_s", s_g1, "1/s");
	bench_figs_stat("exec.mix_fork2_execs_per_s", s_g2, "1/s");
	bench_figs_stat("exec.mix_scaling", s_scm, "x");
	bench_figs_stat("exec.exhaustive_d2_s", s_ex, "s");
	bench_figs_stat("exec.machine_cpu_scaling", s_cpu, "x");
	bench_fig("exec.exhaustive_d2_executions", (double)ex_n, "");
	bench_fig("exec.exhaustive_d2_complete", ex_c, "");
	bench_fig("exec.d2_findings_first_run", (double)bad, "");
	if (o.profile)
		printf("  profile written: %s (google-pprof --text %s %s)\n", o.profile, argv[0],
		       o.profile);
	return bench_json_write(o.json, "exec") ? 1 : 0;
}
