// SPDX-License-Identifier: GPL-2.0
/*
 * cli/bench.c - `apsim bench [--json FILE] [--profile FILE] [--quick]`.
 *
 * Owns: running the benchmark programs built next to this binary
 * (BUILD/bench/bench_sim_core, bench_apcb, bench_exec, bench_native; see
 * docs/performance.md) one after the other, forwarding --quick, --profile
 * (the APCB run's profile goes to FILE, the D2 executions' to FILE.exec)
 * and merging their JSON parts into one --json FILE:
 * {"apsim": VERSION, "parts": {"apcb": {...}, "exec": {...}, ...}}.
 * The benchmarks run from the source tree (they read scenarios/).
 * Exit status: 0, 1 when a benchmark failed, 2 usage / not built.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const char *const benches[] = { "bench_sim_core", "bench_apcb", "bench_exec",
				       "bench_native" };
#define NBENCH (int)(sizeof(benches) / sizeof(benches[0]))

static int run_one(char *const argv[])
{
	int st;
	pid_t p;

	fflush(stdout);
	p = fork();
	if (p < 0)
		return -errno;
	if (p == 0) {
		execv(argv[0], argv);
		fprintf(stderr, "apsim bench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(p, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void copy_file(FILE *out, const char *path)
{
	FILE *in = fopen(path, "r");
	char buf[8192];
	size_t n;

	if (!in) {
		fputs("null", out);
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
}

int cli_bench(int argc, char **argv)
{
	const char *json = NULL, *profile = NULL;
	bool quick = false;
	char path[NBENCH][PATH_MAX], part[NBENCH][PATH_MAX], prof_exec[PATH_MAX];
	bool ran[NBENCH] = { false };
	int failed = 0;
	struct cli_opts p;

	cli_opts_init(&p, "bench", argc, argv);
	while (cli_opts_next(&p)) {
		if (cli_opts_is(&p, "--json", NULL)) {
			json = cli_opts_value(&p);
		} else if (cli_opts_is(&p, "--profile", NULL)) {
			profile = cli_opts_value(&p);
		} else if (cli_opts_is(&p, "--quick", NULL)) {
			quick = true;
		} else if (cli_opts_is(&p, "-h", "--help")) {
			printf("usage: apsim bench [--json FILE] [--profile FILE] [--quick]\n"
			       "  runs the benchmarks built next to apsim (make bench builds them)\n"
			       "  from the source tree; --profile: gperftools CPU profile of the\n"
			       "  APCB run in FILE, of the D2 executions in FILE.exec\n"
			       "  (google-pprof --text build/bench/bench_apcb FILE)\n");
			return 0;
		} else {
			cli_opts_unknown(&p, "unknown argument '%s'");
		}
	}
	if (p.rc)
		return p.rc;
	if (access("scenarios/fixed/d2-inuse.scn", R_OK) != 0)
		fprintf(stderr, "apsim bench: note: run from the source tree (scenarios/ not found)\n");
	if (profile)
		snprintf(prof_exec, sizeof(prof_exec), "%s.exec", profile);
	for (int b = 0; b < NBENCH; b++) {
		char rel[64];
		char *av[12];
		int n = 0, rc;

		snprintf(rel, sizeof(rel), "bench/%s", benches[b]);
		if (cli_build_path(rel, path[b], sizeof(path[b])) || access(path[b], X_OK)) {
			fprintf(stderr, "apsim bench: %s not built (make bench)\n", rel);
			failed = failed ? failed : 2;
			continue;
		}
		snprintf(part[b], sizeof(part[b]), "/tmp/apsim-bench-%d-%s.json", (int)getpid(),
			 benches[b]);
		av[n++] = path[b];
		if (b > 0) {   /* bench_sim_core takes no options */
			if (quick)
				av[n++] = "--quick";
			av[n++] = "--json";
			av[n++] = part[b];
			if (profile && b == 1) {
				av[n++] = "--profile";
				av[n++] = (char *)profile;
			} else if (profile && b == 2) {
				av[n++] = "--profile";
				av[n++] = prof_exec;
			}
		}
		av[n] = NULL;
		printf("== %s\n", benches[b]);
		rc = run_one(av);
		if (rc) {
			fprintf(stderr, "apsim bench: %s exited with %d\n", benches[b], rc);
			failed = 1;
		} else {
			ran[b] = b > 0;
		}
	}
	if (json) {
		FILE *f = fopen(json, "w");

		if (!f) {
			fprintf(stderr, "apsim bench: %s: %s\n", json, strerror(errno));
			return 2;
		}
		fprintf(f, "{\"apsim\": \"%s\", \"parts\": {", apsim_version);
		for (int b = 1, first = 1; b < NBENCH; b++) {
			if (!ran[b])
				continue;
			fprintf(f, "%s\n\"%s\": ", first ? "" : ",", benches[b] + 6);
			first = 0;
			copy_file(f, part[b]);
		}
		fprintf(f, "}}\n");
		if (fclose(f))
			failed = 1;
		else
			printf("results: %s\n", json);
	}
	for (int b = 1; b < NBENCH; b++)
		if (ran[b])
			unlink(part[b]);
	return failed;
}
