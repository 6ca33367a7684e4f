// SPDX-License-Identifier: GPL-2.0
/*
 * cli/bench.c - `apsim bench [--json FILE] [--profile FILE] [--quick]`.
 *
 * Owns: running the benchmark programs built next to this binary
 * (BUILD/bench/bench_sim_core, bench_apcb, bench_exec, bench_native; see
 * docs/performance.md) one after the other, and the APCB benchmark of every
 * kernel tree apsim built (the base tree's BUILD_ROOT/bench/bench_apcb and
 * each BUILD_ROOT/<series>/bench/bench_apcb, e.g. build/6.12/), forwarding
 * --quick, --profile (this tree's APCB run's profile goes to FILE, the D2
 * executions' to FILE.exec), merging their JSON parts into one --json FILE:
 * {"apsim": VERSION, "parts": {"apcb-6.1": {...}, "apcb-6.12": {...},
 * "exec": {...}, ...}} (an APCB part is named by the tree its program
 * reports), and writing the picture next to it (FILE.svg, FILE's .json
 * replaced): the APCB cost curves per operation and tree (log-log) and the
 * executions/s of each scenario bench_exec measured (bench/svg.c).
 * The benchmarks run from the source tree (they read scenarios/).
 * Exit status: 0, 1 when a benchmark failed, 2 usage / not built.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "bench/svg.h"

#define MAXB 12

struct bench_run {
	char name[64];        /* "apcb-6.12", "exec", ... (the JSON part) */
	char path[PATH_MAX];  /* the program */
	char part[PATH_MAX];  /* its --json output */
	bool opts;            /* takes --quick/--json */
	int profile;          /* 0 none, 1 FILE, 2 FILE.exec */
	bool apcb, ran;
};

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

static char *slurp(const char *path)
{
	FILE *in = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char tmp[8192];

	if (!in)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), in)) > 0) {
		char *nb = realloc(buf, len + n + 1);

		if (!nb) {
			free(buf);
			fclose(in);
			return NULL;
		}
		buf = nb;
		memcpy(buf + len, tmp, n);
		len += n;
		buf[len] = 0;
	}
	fclose(in);
	return buf;
}

static void copy_file(FILE *out, const char *path)
{
	char *t = slurp(path);

	fputs(t ? t : "null", out);
	free(t);
}

/* ---------------------------------------------- figures of a JSON part */

/* The value of figure `key` in a part's "figures" object (the flat format
 * of bench/bench_common.h), or NAN; a string figure into str if given. */
static double figure(const char *json, const char *key, char *str, size_t slen)
{
	char pat[160];
	const char *p, *fig = json ? strstr(json, "\"figures\": {") : NULL;

	if (!fig)
		return NAN;
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(fig, pat);
	if (!p)
		return NAN;
	p += strlen(pat);
	if (*p == '"') {
		size_t n = strcspn(p + 1, "\"");

		if (str && slen)
			snprintf(str, slen, "%.*s", (int)(n < slen ? n : slen - 1), p + 1);
		return NAN;
	}
	if (!strncmp(p, "null", 4))
		return NAN;
	return strtod(p, NULL);
}

/* Figures "PREFIX<name>SUFFIX" (numbers; not their .min/.max), in file
 * order: names and values. */
static int figures_ending(const char *json, const char *prefix, const char *suffix,
			  char names[][64], double *v, int max)
{
	const char *p = json ? strstr(json, "\"figures\": {") : NULL;
	size_t ls = strlen(suffix), lp = strlen(prefix);
	int n = 0;

	if (!p)
		return 0;
	p = strchr(p, '{') + 1;
	while (n < max) {
		const char *k, *e;
		size_t kl;

		p += strspn(p, " \t\r\n,");
		if (*p != '"')
			break;                  /* '}' (or malformed): the end */
		k = p + 1;
		e = strchr(k, '"');
		if (!e || strncmp(e, "\": ", 3))
			break;
		kl = (size_t)(e - k);
		p = e + 3;
		if (*p == '"') {                /* a string figure: skip it */
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
			continue;
		}
		if (kl > lp + ls && !strncmp(k, prefix, lp) && !strncmp(e - ls, suffix, ls)) {
			snprintf(names[n], 64, "%.*s", (int)(kl - lp - ls), k + lp);
			v[n++] = strncmp(p, "null", 4) ? strtod(p, NULL) : 0;
		}
		p += strcspn(p, ",}");
	}
	return n;
}

static const char *const apcb_ops[] = { "assign_adapter", "unassign_adapter", "assign_domain",
					"unassign_domain", "hot_unplug", "hot_plug", "ap_config" };
#define NAPCB_OPS (int)(sizeof(apcb_ops) / sizeof(apcb_ops[0]))

static int write_svg(const char *path, struct bench_run *b, int nb)
{
	static double xs[MAXB][NAPCB_OPS + 1][9], ys[MAXB][NAPCB_OPS + 1][9];
	static char labels[64][160], sname[64][64];
	const char *lab[64];
	struct svg_series s[64];
	double ev[64];
	int ns = 0, tree = 0, ne = 0;
	char *exec = NULL;
	FILE *f;

	for (int i = 0; i < nb; i++) {
		char *j;

		if (!b[i].ran)
			continue;
		j = slurp(b[i].part);
		if (!j)
			continue;
		if (!b[i].apcb) {
			if (!strcmp(b[i].name, "exec") && !exec)
				exec = j;
			else
				free(j);
			continue;
		}
		for (int k = 0; k <= NAPCB_OPS && ns < 64; k++) {
			int np = 0;

			for (int e = 0; e <= 8; e++) {   /* 1x1 .. 256x256 */
				char key[96];
				double y;

				snprintf(key, sizeof(key), "apcb.%dx%d.%s_ns", 1 << e, 1 << e,
					 k < NAPCB_OPS ? apcb_ops[k] : "lower_bound");
				y = figure(j, key, NULL, 0);
				if (y > 0) {
					xs[tree][k][np] = (double)(1 << e) * (1 << e);
					ys[tree][k][np++] = y / 1000.0;
				}
			}
			if (!np)
				continue;
			snprintf(labels[ns], sizeof(labels[ns]), "%s %s", b[i].name + 5,
				 k < NAPCB_OPS ? apcb_ops[k] : "lower bound");
			s[ns] = (struct svg_series){ labels[ns], xs[tree][k], ys[tree][k], np,
						     k < NAPCB_OPS ? k : 8, tree % 2 == 1 };
			ns++;
		}
		free(j);
		if (tree < MAXB - 1)
			tree++;
	}
	ne = figures_ending(exec, "exec.", "_execs_per_s", sname, ev, 64);
	for (int i = 0; i < ne; i++)
		lab[i] = sname[i];
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "apsim bench: %s: %s\n", path, strerror(errno));
		free(exec);
		return -1;
	}
	svg_begin(f, 900, 520 + 60 + 22 * (ne ? ne : 1), "apsim bench");
	svg_loglog(f, (struct svg_box){ 0, 34, 900, 500 },
		   "APCB commit path of the real driver (per operation and kernel tree; dashed: second tree)",
		   "queues in the matrix |apm| x |aqm| (square sizes 1x1 .. 256x256)",
		   "microseconds per operation", s, ns);
	svg_bars(f, (struct svg_box){ 0, 540, 900, 60 + 22 * (ne ? ne : 1) },
		 "executions/s per scenario (bench_exec, medians)", "executions per second",
		 lab, ev, ne);
	svg_end(f);
	free(exec);
	return fclose(f) ? -1 : 0;
}

/* ------------------------------------------------------------ the runs */

static bool is_series(const char *s)
{
	const char *dot = strchr(s, '.');

	return dot && dot > s && dot[1] && strspn(s, "0123456789.") == strlen(s) &&
	       !strchr(dot + 1, '.');
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The APCB programs of every tree built: ROOT/bench/bench_apcb first, then
 * ROOT/<series>/bench/bench_apcb in name order; ROOT is BUILD, or BUILD/..
 * when this binary is a non-base tree's (BUILD_ROOT/<series>/apsim). */
static int apcb_programs(char paths[][PATH_MAX], int max)
{
	char build[PATH_MAX], root[PATH_MAX], *names[32];
	const char *base;
	int n = 0, nn = 0;
	DIR *d;
	struct dirent *de;

	if (cli_build_path(".", build, sizeof(build)))
		return 0;
	build[strlen(build) - 2] = 0;                  /* strip "/." */
	base = strrchr(build, '/') ? strrchr(build, '/') + 1 : build;
	if (is_series(base))
		snprintf(root, sizeof(root), "%.*s", (int)(base - build - 1), build);
	else
		snprintf(root, sizeof(root), "%s", build);
	snprintf(paths[n], PATH_MAX, "%s/bench/bench_apcb", root);
	if (access(paths[n], X_OK) == 0)
		n++;
	d = opendir(root);
	while (d && (de = readdir(d)) && nn < 32)
		if (is_series(de->d_name))
			names[nn++] = strdup(de->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)nn, sizeof(names[0]), cmp_str);
	for (int i = 0; i < nn; i++) {
		if (n < max) {
			snprintf(paths[n], PATH_MAX, "%s/%s/bench/bench_apcb", root, names[i]);
			if (access(paths[n], X_OK) == 0)
				n++;
		}
		free(names[i]);
	}
	return n;
}

int cli_bench(int argc, char **argv)
{
	const char *json = NULL, *profile = NULL;
	bool quick = false;
	static struct bench_run b[MAXB];
	char prof_exec[PATH_MAX], apcb[4][PATH_MAX], self_apcb[PATH_MAX];
	int failed = 0, nb = 0, na;
	struct cli_opts p;

	cli_opts_init(&p, "bench", argc, argv);
	while (cli_opts_next(&p)) {
		if (cli_opts_is(&p, "--json", NULL)) {
			if (cli_opts_out(&p, true, &json))	/* before minutes of benchmarks */
				break;
		} else if (cli_opts_is(&p, "--profile", NULL)) {
			if (cli_opts_out(&p, true, &profile))
				break;
		} else if (cli_opts_is(&p, "--quick", NULL)) {
			quick = true;
		} else if (cli_opts_is(&p, "-h", "--help")) {
			printf("usage: apsim bench [--json FILE] [--profile FILE] [--quick]\n"
			       "  runs the benchmarks built next to apsim (make bench builds them)\n"
			       "  from the source tree, and the APCB benchmark of every kernel tree\n"
			       "  built (make TREE=6.12 bench); --json also writes the plot of the\n"
			       "  APCB curves and executions/s next to FILE (FILE.svg);\n"
			       "  --profile: gperftools CPU profile of the APCB run in FILE, of\n"
			       "  the D2 executions in FILE.exec\n"
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

	/* the programs, in order: core, the APCB of every tree, exec, native */
	{
		static const char *const progs[] = { "bench_sim_core", "bench_apcb", "bench_exec",
						     "bench_native" };

		cli_build_path("bench/bench_apcb", self_apcb, sizeof(self_apcb));
		na = apcb_programs(apcb, 4);
		for (int i = 0; i < 4; i++) {
			char rel[64];

			if (i == 1) {
				if (na == 0) {   /* not built: reported below */
					snprintf(b[nb].name, sizeof(b[nb].name), "apcb");
					snprintf(b[nb].path, sizeof(b[nb].path), "%s", self_apcb);
					b[nb].opts = b[nb].apcb = true;
					b[nb].profile = 1;
					nb++;
				}
				for (int k = 0; k < na; k++) {
					snprintf(b[nb].name, sizeof(b[nb].name), "apcb");
					snprintf(b[nb].path, sizeof(b[nb].path), "%s", apcb[k]);
					b[nb].opts = b[nb].apcb = true;
					b[nb].profile = !strcmp(apcb[k], self_apcb);
					nb++;
				}
				continue;
			}
			snprintf(rel, sizeof(rel), "bench/%s", progs[i]);
			snprintf(b[nb].name, sizeof(b[nb].name), "%s", progs[i] + 6);
			if (cli_build_path(rel, b[nb].path, sizeof(b[nb].path)))
				b[nb].path[0] = 0;
			b[nb].opts = i > 0;   /* bench_sim_core takes no options */
			b[nb].profile = i == 2 ? 2 : 0;
			nb++;
		}
	}
	for (int i = 0; i < nb; i++) {
		char *av[12];
		int n = 0, rc;

		if (!b[i].path[0] || access(b[i].path, X_OK)) {
			fprintf(stderr, "apsim bench: %s not built (make bench)\n",
				b[i].path[0] ? b[i].path : b[i].name);
			failed = failed ? failed : 2;
			continue;
		}
		snprintf(b[i].part, sizeof(b[i].part), "/tmp/apsim-bench-%d-%d.json", (int)getpid(), i);
		av[n++] = b[i].path;
		if (b[i].opts) {
			if (quick)
				av[n++] = "--quick";
			av[n++] = "--json";
			av[n++] = b[i].part;
			if (profile && b[i].profile == 1) {
				av[n++] = "--profile";
				av[n++] = (char *)profile;
			} else if (profile && b[i].profile == 2) {
				av[n++] = "--profile";
				av[n++] = prof_exec;
			}
		}
		av[n] = NULL;
		printf("== %s%s%s\n", b[i].apcb ? "bench_apcb " : "bench_", b[i].apcb ? b[i].path : b[i].name,
		       "");
		rc = run_one(av);
		if (rc) {
			fprintf(stderr, "apsim bench: %s exited with %d\n", b[i].path, rc);
			failed = 1;
		} else {
			b[i].ran = b[i].opts;
		}
		if (b[i].ran && b[i].apcb) {   /* name the part by its tree */
			char *j = slurp(b[i].part), tree[64] = "", series[16];
			size_t dots = 0, k;

			figure(j, "apcb.tree", tree, sizeof(tree));
			free(j);
			for (k = 0; tree[k] && k < sizeof(series) - 1; k++) {
				if (tree[k] == '.' && ++dots == 2)
					break;
				series[k] = tree[k];
			}
			series[k] = 0;
			snprintf(b[i].name, sizeof(b[i].name), "apcb-%s", series[0] ? series : "unknown");
		}
	}
	if (json) {
		FILE *f = fopen(json, "w");
		char svg[PATH_MAX];
		size_t jl = strlen(json);

		if (!f) {
			fprintf(stderr, "apsim bench: %s: %s\n", json, strerror(errno));
			return 2;
		}
		fprintf(f, "{\"apsim\": \"%s\", \"parts\": {", apsim_version);
		for (int i = 0, first = 1; i < nb; i++) {
			if (!b[i].ran)
				continue;
			fprintf(f, "%s\n\"%s\": ", first ? "" : ",", b[i].name);
			first = 0;
			copy_file(f, b[i].part);
		}
		fprintf(f, "}}\n");
		if (fclose(f))
			failed = 1;
		else
			printf("results: %s\n", json);
		if (jl > 5 && !strcmp(json + jl - 5, ".json"))
			snprintf(svg, sizeof(svg), "%.*s.svg", (int)(jl - 5), json);
		else
			snprintf(svg, sizeof(svg), "%s.svg", json);
		if (write_svg(svg, b, nb))
			failed = 1;
		else
			printf("plot: %s\n", svg);
	}
	for (int i = 0; i < nb; i++)
		if (b[i].ran)
			unlink(b[i].part);
	return failed;
}
