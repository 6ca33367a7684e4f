/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench_common.h - helpers shared by the benchmark programs
 * (bench_apcb, bench_exec, bench_native): wall clock and cycle counter,
 * median/spread of repeated runs, a least-squares line fit, the common
 * options (--json FILE, --quick, --profile FILE) and a tiny JSON writer
 * (strings through sim/quote.c).
 *
 * Owns nothing global beyond the option block and the JSON stream; header
 * only (every bench is one translation unit).  Figures only, never pass/fail.
 */
#ifndef APSIM_BENCH_COMMON_H
#define APSIM_BENCH_COMMON_H

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <apsim/sim.h>

#pragma GCC diagnostic ignored "-Wformat-truncation"

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline uint64_t bench_rdtsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
#else
	return (uint64_t)(bench_now() * 1e9);
#endif
}

/* Median and spread (min, max) of n values (the array is sorted). */
struct bench_stat {
	double med, min, max;
	int n;
};

static int bench_cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline struct bench_stat bench_stat_of(double *v, int n)
{
	struct bench_stat s = { 0, 0, 0, n };

	if (n <= 0)
		return s;
	qsort(v, (size_t)n, sizeof(double), bench_cmpd);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

/* Spread as +-% of the median: half the range. */
static inline double bench_spread_pct(struct bench_stat s)
{
	return s.med > 0 ? 50.0 * (s.max - s.min) / s.med : 0;
}

/* Least squares y = a + b x; r2 = coefficient of determination. */
static inline void bench_fit(const double *x, const double *y, int n,
			     double *a, double *b, double *r2)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, ss_tot = 0, ss_res = 0, my;

	for (int i = 0; i < n; i++) {
		sx += x[i]; sy += y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i];
	}
	double d = n * sxx - sx * sx;

	*b = d != 0 ? (n * sxy - sx * sy) / d : 0;
	*a = (sy - *b * sx) / n;
	my = sy / n;
	for (int i = 0; i < n; i++) {
		double e = y[i] - (*a + *b * x[i]);

		ss_res += e * e;
		ss_tot += (y[i] - my) * (y[i] - my);
	}
	*r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
}

/* ------------------------------------------------------------- options */

struct bench_opts {
	const char *json;       /* --json FILE */
	const char *profile;    /* --profile FILE (gperftools CPU profile) */
	bool quick;             /* --quick: fewer runs, smaller sizes */
	int runs;               /* repetitions for medians */
};

static inline int bench_parse_opts(int argc, char **argv, struct bench_opts *o,
				   const char *usage_extra)
{
	memset(o, 0, sizeof(*o));
	o->runs = 5;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			o->json = argv[++i];
		else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
			o->profile = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			o->quick = true;
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			o->runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--json FILE] [--profile FILE] [--quick] [--runs N]%s\n",
				argv[0], usage_extra ? usage_extra : "");
			return -1;
		}
	}
	if (o->quick && o->runs > 3)
		o->runs = 3;
	if (o->runs < 1)
		o->runs = 1;
	return 0;
}

/* ---------------------------------------------------------------- JSON */

/*
 * A flat JSON object per bench program: {"bench": NAME, "machine": {...},
 * "figures": {key: value, ...}, "notes": [...]} written at the end.
 */
#define BENCH_MAX_FIG 1024
struct bench_fig {
	char key[128];
	double val;
	char unit[16];
	bool is_str;
	char str[200];
};
static struct bench_fig bench_figs[BENCH_MAX_FIG];
static int bench_nfigs;

static inline void bench_fig(const char *key, double val, const char *unit)
{
	if (bench_nfigs >= BENCH_MAX_FIG)
		return;
	struct bench_fig *f = &bench_figs[bench_nfigs++];

	snprintf(f->key, sizeof(f->key), "%s", key);
	f->val = val;
	snprintf(f->unit, sizeof(f->unit), "%s", unit ? unit : "");
	f->is_str = false;
}

static inline void bench_figs_stat(const char *key, struct bench_stat s, const char *unit)
{
	char k[96];

	bench_fig(key, s.med, unit);
	snprintf(k, sizeof(k), "%s.min", key);
	bench_fig(k, s.min, unit);
	snprintf(k, sizeof(k), "%s.max", key);
	bench_fig(k, s.max, unit);
}

static inline void bench_note(const char *key, const char *fmt, ...)
{
	va_list ap;

	if (bench_nfigs >= BENCH_MAX_FIG)
		return;
	struct bench_fig *f = &bench_figs[bench_nfigs++];

	snprintf(f->key, sizeof(f->key), "%s", key);
	f->is_str = true;
	va_start(ap, fmt);
	vsnprintf(f->str, sizeof(f->str), fmt, ap);
	va_end(ap);
}

static inline void bench_cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');

			if (p) {
				p += 1 + (p[1] == ' ');
				p[strcspn(p, "\n")] = 0;
				snprintf(buf, len, "%s", p);
			}
			break;
		}
	fclose(f);
}

static inline int bench_json_write(const char *path, const char *name)
{
	char cpu[256], kern[256] = "unknown";
	FILE *f, *k;

	if (!path)
		return 0;
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	bench_cpu_model(cpu, sizeof(cpu));
	k = fopen("/proc/sys/kernel/osrelease", "r");
	if (k) {
		if (fgets(kern, sizeof(kern), k))
			kern[strcspn(kern, "\n")] = 0;
		fclose(k);
	}
	fprintf(f, "{\n  \"bench\": ");
	sim_out_json_str(f, name);
	fprintf(f, ",\n  \"machine\": {\"nproc\": %ld, \"cpu\": ",
		sysconf(_SC_NPROCESSORS_ONLN));
	sim_out_json_str(f, cpu);
	fprintf(f, ", \"kernel\": ");
	sim_out_json_str(f, kern);
	fprintf(f, "},\n  \"figures\": {");
	for (int i = 0; i < bench_nfigs; i++) {
		struct bench_fig *g = &bench_figs[i];

		fprintf(f, "%s\n    ", i ? "," : "");
		sim_out_json_str(f, g->key);
		if (g->is_str) {
			fprintf(f, ": ");
			sim_out_json_str(f, g->str);
		} else if (isfinite(g->val)) {
			fprintf(f, ": %.6g", g->val);
		} else {
			fprintf(f, ": null");
		}
	}
	fprintf(f, "\n  },\n  \"units\": {");
	int first = 1;

	for (int i = 0; i < bench_nfigs; i++) {
		struct bench_fig *g = &bench_figs[i];

		if (g->is_str || !g->unit[0] || strchr(g->key, '.'))
			continue;
		fprintf(f, "%s\n    ", first ? "" : ",");
		first = 0;
		sim_out_json_str(f, g->key);
		fprintf(f, ": ");
		sim_out_json_str(f, g->unit);
	}
	fprintf(f, "\n  }\n}\n");
	return fclose(f);
}

/* Directory of this executable ("build/bench"), for sibling paths. */
static inline void bench_self_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n <= 0) {
		snprintf(buf, len, ".");
		return;
	}
	buf[n] = 0;
	char *s = strrchr(buf, '/');

	if (s)
		*s = 0;
}

/* Remove an output directory of the bench's own (under /tmp): a run of
 * apsim writes its findings there instead of apsim-out/ in the caller's
 * directory (the checkout). */
static inline void bench_rm_out(const char *dir)
{
	pid_t p = fork();

	if (p == 0) {
		execl("/bin/rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
}

#endif /* APSIM_BENCH_COMMON_H */
