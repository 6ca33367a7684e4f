/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli/fuzz.c - `apsim fuzz`: options of a fuzzing campaign.
 *
 * Owns: option parsing of `apsim fuzz` into struct apsim_campaign_opts,
 * --print-seed (the scenario a seed generates), --convert (libFuzzer input
 * -> readable .scn), the re-exec of another variant's binary (--variant) and
 * the call of the campaign engine (fuzz/campaign.c) with what the program
 * lends it: its version, its own path for replay.sh, the trace width and
 * the wall-clock watchdog (cli/watchdog.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz/campaign.h"
#include "fuzz/gen.h"
#include "driver/world/world.h"

/* ------------------------------------------------------------ options */

/* The value of a range option (--threads, --ops): "A-B" or "A", with
 * 1 <= A <= B <= hi. */
static int opt_range(struct cli_opts *p, int hi, int *a, int *b)
{
	const char *v = cli_opts_value(p);
	char buf[64], what[64], *dash;
	long x, y;

	if (!v)
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	dash = strchr(buf, '-');
	if (dash)
		*dash = 0;
	if (strlen(v) >= sizeof(buf) || cli_parse_long(buf, 1, hi, &x) ||
	    cli_parse_long(dash ? dash + 1 : buf, 1, hi, &y) || x > y) {
		snprintf(what, sizeof(what), "A-B with 1 <= A <= B <= %d", hi);
		cli_opts_bad(p, what, v);
		return -1;
	}
	*a = (int)x;
	*b = (int)y;
	return 0;
}

static int convert(const char *file, const char *out)
{
	static struct apsim_scenario s;
	char path[PATH_MAX], err[512], *buf;
	const char *base = strrchr(file, '/');
	size_t n;
	int e;

	if (cli_read_input(file, CLI_MAX_INPUT, &buf, &n, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	apsim_gen_from_bytes((const uint8_t *)buf, n, &s);
	free(buf);
	s.explore.iterations = 1;
	base = base ? base + 1 : file;
	snprintf(s.name, sizeof(s.name), "%.80s", base);
	if ((e = sim_out_mkdirs(out))) {
		fprintf(stderr, "apsim: cannot create %s: %s\n", out, strerror(-e));
		return CLI_EXIT_WRITE;
	}
	snprintf(path, sizeof(path), "%s/%s.scn", out, base);
	if ((e = apsim_fuzz_write_scn(path, &s))) {
		fprintf(stderr, "apsim: cannot write %s: %s\n", path, strerror(-e));
		return CLI_EXIT_WRITE;
	}
	printf("%s\n", path);
	return 0;
}

/* --variant NAME other than this binary's: exec that variant's binary
 * with the same arguments; -1 when NAME is this binary's. */
static int exec_variant(const char *variant, int argc, char **argv)
{
	const char *mine = apsim_variant_name[0] ? apsim_variant_name : "base";
	char bin[PATH_MAX];
	char **av;

	if (!strcmp(variant, mine))
		return -1;
	if (cli_variant_bin(variant, bin, sizeof(bin)) || access(bin, X_OK)) {
		fprintf(stderr, "apsim: variant '%s' is not built (run: make variants)\n", variant);
		return CLI_EXIT_USAGE;
	}
	av = calloc((size_t)argc + 2, sizeof(*av));
	if (!av)
		return CLI_EXIT_USAGE;
	av[0] = bin;
	memcpy(av + 1, argv, (size_t)argc * sizeof(*av));   /* "fuzz" and its options */
	execv(bin, av);
	fprintf(stderr, "apsim: cannot run %s: %s\n", bin, strerror(errno));
	free(av);
	return CLI_EXIT_USAGE;
}

/* --print-seed N: the scenario seed N generates, as the campaign runs it. */
static int print_seed(uint64_t seed, const struct apsim_gen_opts *gen)
{
	static struct apsim_scenario s;

	apsim_gen_scenario(seed, gen, &s);
	s.explore.iterations = 1;
	if (apsim_fuzz_scn_print(stdout, &s) || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "apsim: cannot write standard output: %s\n", strerror(errno));
		return CLI_EXIT_WRITE;
	}
	return CLI_EXIT_OK;
}

int cli_fuzz(int argc, char **argv)
{
	static struct apsim_campaign_opts co;
	static struct apsim_known known;   /* --known FILE */
	bool have_iter = false, zero_iter = false, have_print = false, no_rules = false;
	bool have_share = false;
	const char *variant = NULL, *conv = NULL, *v;
	char self[PATH_MAX];
	uint64_t print = 0;
	struct cli_opts p;
	long x;

	apsim_campaign_opts_default(&co);
	cli_opts_init(&p, "fuzz", argc, argv);
	while (cli_opts_next(&p)) {
		const char *a = p.arg;

		if (cli_opts_is(&p, "--seed", NULL)) {
			if (cli_opts_u64(&p, "0..2^64-1", &co.first))
				break;
		} else if (cli_opts_is(&p, "--print-seed", NULL)) {
			if (cli_opts_u64(&p, "0..2^64-1", &print))
				break;
			have_print = true;
		} else if (cli_opts_is(&p, "--time", NULL)) {
			char *end;

			if (!(v = cli_opts_value(&p)))
				break;
			errno = 0;
			co.time_limit = strtod(v, &end);
			if (errno || *end || !*v || !(co.time_limit > 0) || co.time_limit > 1e9) {
				cli_opts_bad(&p, "seconds > 0", v);
				break;
			}
		} else if (cli_opts_is(&p, "--iterations", NULL)) {
			if (cli_opts_long(&p, 0, APSIM_SCN_MAX_ITERATIONS,
					  "0..10^12 (0: until --time)", &x))
				break;
			co.count = (uint64_t)x;
			have_iter = x > 0;
			zero_iter = x == 0;
		} else if (cli_opts_is(&p, "--exec-timeout", NULL)) {
			if (cli_opts_long(&p, 0, 86400, "0..86400 seconds", &co.exec_timeout))
				break;
		} else if (cli_opts_is(&p, "--hung-task-timeout", NULL)) {
			/* into every scenario's explore line: its reproducers
			 * (scenario.scn, minimal.scn) carry it */
			if (cli_opts_long(&p, 0, APSIM_SCN_MAX_HUNG_TASK_S, "0..86400 seconds",
					  &co.gen.hung_task_s))
				break;
		} else if (!strncmp(a, "-j", 2)) {
			const char *jv = a[2] ? a + 2 : cli_opts_value(&p);

			if (!jv)
				break;
			if (cli_parse_long(jv, 1, APSIM_CAMPAIGN_MAX_JOBS, &x)) {
				p.arg = "-j";
				cli_opts_bad(&p, "1..64 worker processes", jv);
				break;
			}
			co.jobs = (int)x;
		} else if (cli_opts_is(&p, "--shard", NULL)) {
			if (!(v = cli_opts_value(&p)))
				break;
			if (apsim_fuzz_shard_parse(v, &co.shard_i, &co.shard_n)) {
				cli_opts_bad(&p, "I/N with 0 <= I < N", v);
				break;
			}
		} else if (cli_opts_is(&p, "--out", NULL)) {
			if (cli_opts_out(&p, false, &co.out))
				break;
		} else if (cli_opts_is(&p, "--variant", NULL)) {
			if (cli_opts_variant(&p, &variant))
				break;
		} else if (cli_opts_is(&p, "--ksrc", NULL)) {
			if (!cli_opts_value(&p))   /* handled in main before dispatch */
				break;
		} else if (cli_opts_is(&p, "--no-shrink", NULL)) {
			co.no_shrink = true;
		} else if (cli_opts_is(&p, "--no-rules", NULL)) {
			no_rules = true;	/* the locking rules cost ~40 % of an execution */
		} else if (cli_opts_is(&p, "--shrink-budget", NULL)) {
			if (cli_opts_long(&p, 1, 100000, "1..100000 candidate runs", &x))
				break;
			co.shrink_budget = (int)x;
		} else if (cli_opts_is(&p, "--threads", NULL)) {
			if (opt_range(&p, APSIM_MAX_THREADS, &co.gen.threads_min, &co.gen.threads_max))
				break;
		} else if (cli_opts_is(&p, "--ops", NULL)) {
			if (opt_range(&p, APSIM_MAX_OPS, &co.gen.ops_min, &co.gen.ops_max))
				break;
		} else if (cli_opts_is(&p, "--share-setup", NULL)) {
			if (cli_opts_long(&p, 1, 1000000, "1..1000000 seeds per set-up", &x))
				break;
			co.gen.share = (int)x;
			have_share = true;
		} else if (cli_opts_is(&p, "--format", NULL)) {
			if (cli_opts_format(&p, &co.json))
				break;
		} else if (cli_opts_is(&p, "--convert", NULL)) {
			if (!(conv = cli_opts_value(&p)))
				break;
		} else if (cli_opts_is(&p, "--known", NULL)) {
			if (!(v = cli_opts_value(&p)))
				break;
			apsim_known_free(&known);
			if (cli_known_load("fuzz", v, &known))
				return 2;
			co.known = &known;
		} else if (cli_opts_is(&p, "--guided", NULL)) {
			co.guided = true;
		} else if (cli_opts_is(&p, "--unguided", NULL)) {
			co.guided = false;
		} else if (cli_opts_is(&p, "--corpus", NULL)) {
			if (!(v = cli_opts_value(&p)))
				break;
			if (co.ncorpus == APSIM_CAMPAIGN_MAX_CORPORA) {
				cli_opts_bad(&p, "at most 16 --corpus directories", v);
				break;
			}
			co.corpus[co.ncorpus++] = v;
		} else if (cli_opts_is(&p, "--merge", NULL)) {
			co.merge_only = true;
		} else if (cli_opts_is(&p, "--races", NULL)) {
			co.races = true;	/* data-race detector (docs/races.md) */
		} else if (cli_opts_is(&p, "-q", "--quiet")) {
			co.quiet = true;
		} else {
			cli_opts_unknown(&p, "unexpected argument '%s'");
			break;
		}
	}
	if (p.rc)
		return p.rc;
	if (conv)
		return convert(conv, strcmp(co.out, "apsim-out/fuzz") ? co.out : ".");
	if (variant) {
		int r = exec_variant(variant, argc, argv);

		if (r >= 0)
			return r;
	}
	if (co.guided && !have_share)
		co.gen.share = 1;   /* a guided campaign's seeds: each its own set-up */
	if (have_print)
		return print_seed(print, &co.gen);
	if (have_share && co.gen.share > 1 && co.guided)
		return cli_usage_error("fuzz", "%s", "--share-setup is for unguided campaigns: a guided one "
				       "runs mutants of its corpus, each with its own set-up");
	if ((co.ncorpus || co.merge_only) && !co.guided)
		return cli_usage_error("fuzz", "%s", "--corpus and --merge are for guided campaigns (--guided)");
	if (co.merge_only && co.ncorpus < 2)
		return cli_usage_error("fuzz", "%s", "--merge: give the corpus to merge into and at least one "
				       "more (--corpus INTO --corpus FROM ...)");
	if (zero_iter && !(co.time_limit > 0))
		return cli_usage_error("fuzz", "%s", "--iterations 0 means until --time: give --time SECONDS");
	if (co.time_limit > 0 && !have_iter) {
		co.count = UINT64_MAX - co.first;      /* until the time is up */
		co.until_time = true;
	}
	if (co.first + co.count < co.first)
		return cli_usage_error("fuzz", "%s", "--seed + --iterations overflows 64 bits");
	if (cli_self_path("apsim", self, sizeof(self)))
		snprintf(self, sizeof(self), "apsim");
	co.version = apsim_version;
	co.replay_bin = self;
	co.trace_width = cli_trace_width();
	co.exec_begin = cli_watchdog_beat;
	co.watchdog_start = cli_watchdog_start;
	co.watchdog_stop = cli_watchdog_stop;
	apsim_rules_enable(!no_rules);	/* the locking rules, checked as apsim run checks them */
	return apsim_campaign_run(&co);
}
