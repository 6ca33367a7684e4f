// SPDX-License-Identifier: GPL-2.0
/*
 * cli/main.c - the apsim command line: argument parsing and sub-command
 * dispatch (run, fuzz, review, known, cache, variants, bench, help,
 * --version).
 *
 * Owns: global options, exit codes (0 ok, 1 finding/expectation failed,
 * 2 usage/parse/input/build error, 3 a result could not be written),
 * re-exec of variant binaries, the list of known variants, the --ksrc
 * rebuild (in the build cache of cli/review.c: make run with an argument
 * vector, never a shell).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

const char apsim_version[] = "0.1.0";

static const char usage_main[] =
"usage: apsim <command> [options]\n"
"\n"
"Deterministic concurrency test bed for the s390 vfio_ap driver: the real\n"
"driver source runs on a simulated kernel under a deterministic scheduler.\n"
"\n"
"commands:\n"
"  run FILE|DIR...     run scenario files against the real driver\n"
"  fuzz                random operation mixes against the real driver\n"
"  review              findings a patch series adds or fixes (base vs new tree)\n"
"  known --from OUT    write a known-findings file from a run's or fuzz output\n"
"  cache clean         remove the build cache of review and --ksrc\n"
"  variants            list the historic driver variants this build has\n"
"  bench               benchmarks (also: make bench)\n"
"  help [COMMAND]      this text, or a command's options\n"
"  --version           apsim, driver tree and variant of this binary\n"
"\n"
"environment:\n"
"  APSIM_TRACE_WIDTH=N   column width of traces (printed and trace.txt),\n"
"                        16..400 (default 56)\n"
"  APSIM_SLAB=guard|poison  how the simulated slab checks memory (default:\n"
"                        shadow memory, like KASAN)\n"
"  APSIM_RACES=1         the data-race detector on (run --races; fuzz too)\n"
"  APSIM_SNAPSHOT=0      rebuild every execution's world (no world snapshot)\n"
"  APSIM_MEMO=0|verify   exhaustive search: no reuse of explored end states\n"
"                        (0), or run them anyway and check (verify)\n"
"  CI                    when set, no progress line is drawn\n"
"\n"
"exit codes: 0 all expectations held, 1 a bug was found or an expectation\n"
"failed, 2 usage, parse, input or build error, 3 a result could not be\n"
"written.  See docs/apsim.1 and README.md.\n";

static const char usage_run[] =
"usage: apsim run [options] FILE|DIR...\n"
"\n"
"Runs each scenario (*.scn; a DIR runs every *.scn below it, sorted) and\n"
"checks its expectations.  A scenario that names a variant runs in that\n"
"variant's binary (build/variants/NAME/apsim) unless --variant is given.\n"
"\n"
"  --seed N               base seed, 0..2^64-1 (default: the scenario's, else 1)\n"
"  --strategy S           %s\n"
"  --iterations N         executions to explore, 0..10^12 (exhaustive: a cap,\n"
"                         0 = none; other strategies need N >= 1)\n"
"  --max-iterations N     at most N executions per scenario, whatever its own\n"
"                         budget (an exhaustive search stops there: incomplete)\n"
"  --pct-depth D          PCT bug depth d, 1..16 (default 3)\n"
"  --preemption-bound K   exhaustive: at most K preemptions, 0..1000 (default 2)\n"
"  --max-steps N          hang budget in scheduling points per execution\n"
"  --hung-task-timeout S  a thread blocked without a timeout for more than S\n"
"                         virtual seconds is a hang, as the kernel's hung-task\n"
"                         detector (default 120; 0 = off: the 600 s budget)\n"
"  --exec-timeout S       wall-clock budget per execution, seconds (default 0 =\n"
"                         none): a driver loop becomes a `hang` finding\n"
"  --schedule FILE        replay this schedule (implies --strategy replay) and\n"
"                         print its trace (width: APSIM_TRACE_WIDTH, 'apsim help')\n"
"  --trace-calls          traces also show entry and exit of driver functions\n"
"                         (`call FUNC @file.c:LINE`, `ret FUNC`)\n"
"  --ksrc DIR             rebuild against this kernel tree first (make KSRC=DIR)\n"
"  --variant NAME         run on this driver variant (\"base\" = unmodified;\n"
"                         the names 'apsim variants' lists)\n"
"  --out DIR              where findings are written (default apsim-out)\n"
"  --format text|json     summary format on stdout (default text)\n"
"  --junit FILE           also write JUnit XML\n"
"  --rules FILE           locking-document rules to check (default: built in,\n"
"                         the tree's rules/vfio-ap-locking*.rules)\n"
"  --no-rules             do not check the locking-document rules\n"
"  --known FILE           known findings (docs/review.md): listed apart, never\n"
"                         a failure\n"
"  --lock-graph FILE      write every lock-order edge seen, with the site that\n"
"                         created it (one a line, sorted)\n"
"  --races                also detect data races (docs/races.md; APSIM_RACES=1)\n"
"  --keep-going           do not stop a scenario at its first finding\n"
"  -q, --quiet            only failures and the summary line\n"
"  -v, --verbose          print each finding's report too (its trace is in\n"
"                         trace.txt next to it)\n"
"\n"
"Findings are listed with the phase they happened in (the setup block, the\n"
"racing threads, the end checks); those the scenario expects come first, the\n"
"others under \"also found\".\n";

static const char usage_fuzz[] =
"usage: apsim fuzz [options]\n"
"\n"
"  --seed N               first seed (default 1)\n"
"  --time SECONDS         stop after this long (wall clock; a hard limit)\n"
"  --iterations N         stop after N executions (default 10000; 0 = until --time)\n"
"  --exec-timeout S       kill a worker whose execution runs longer (default 30;\n"
"                         0 = never): its seed becomes a `hang` finding\n"
"  --hung-task-timeout S  a thread blocked without a timeout for more than S\n"
"                         virtual seconds is a hang (default 120; 0 = off); set\n"
"                         in each scenario's explore line, so its reproducers\n"
"                         keep it\n"
"  -j N                   N worker processes (default 1)\n"
"  --shard I/N            only seeds s with s % N == I (for batch engines)\n"
"  --out DIR              findings and minimal reproducers (default apsim-out/fuzz;\n"
"                         must be new or empty)\n"
"  --variant NAME         fuzz this driver variant\n"
"  --ksrc DIR             rebuild against this kernel tree first\n"
"  --no-shrink            keep findings unshrunk\n"
"  --no-rules             do not check the locking-document rules (faster)\n"
"  --shrink-budget N      candidate runs the shrinker may spend per finding\n"
"                         (default 150)\n"
"  --threads A-B          simulated threads per mix (default 2-4)\n"
"  --ops A-B              operations per thread (default 1-4)\n"
"  --share-setup G        groups of G consecutive seeds share their host\n"
"                         configuration, setup block and strategy, and run from\n"
"                         one world snapshot of it (default 16; 1: every seed\n"
"                         its own set-up)\n"
"  --format text|json     final summary format (OUT/summary.json is always written)\n"
"  --convert FILE         turn a libFuzzer crash input into a readable .scn\n"
"  --known FILE           known findings (docs/review.md): listed apart, not\n"
"                         counted for the exit code, not shrunk\n"
"  --print-seed N         print the scenario seed N generates, then exit\n"
"  --guided               coverage-guided: keep a corpus of the scenarios that\n"
"                         showed new feedback and mutate them (docs/fuzzing.md)\n"
"  --unguided             one generated scenario per seed, no corpus (default)\n"
"  --corpus DIR           guided: the corpus to resume from and to write (default\n"
"                         OUT/corpus); again: more corpora to read from\n"
"  --merge                guided: only merge the other --corpus into the first\n"
"  --races                also detect data races (docs/races.md; APSIM_RACES=1)\n"
"  -q, --quiet            no progress (a line on a terminal, else every 10 s)\n"
"\n"
"SIGINT/SIGTERM stop the campaign gracefully (a second one at once); OUT/summary.json\n"
"is written at the start, every 5 s and at the end.\n"
"See docs/fuzzing.md (sharding across machines, merging output directories).\n";

/* The usage of cmd (NULL or "help": the main text) on f; -1 when apsim has
 * no command cmd (nothing printed). */
static int usage(FILE *f, const char *cmd)
{
	char strategies[128];

	cli_strategy_list(strategies, sizeof(strategies), " | ");
	if (cmd && !strcmp(cmd, "run"))
		fprintf(f, usage_run, strategies);   /* its one %s: the strategies */
	else if (cmd && !strcmp(cmd, "fuzz"))
		fputs(usage_fuzz, f);
	else if (cmd && (!strcmp(cmd, "review") || !strcmp(cmd, "known") || !strcmp(cmd, "cache") ||
			 !strcmp(cmd, "bench"))) {
		char *argv[] = { (char *)cmd, "--help", NULL };

		if (!strcmp(cmd, "review"))
			cli_review(2, argv);
		else if (!strcmp(cmd, "known"))
			cli_known(2, argv);
		else if (!strcmp(cmd, "bench"))
			cli_bench(2, argv);
		else
			cli_cache(2, argv);
	}
	else if (cmd && !strcmp(cmd, "variants"))
		fputs("usage: apsim variants\n"
		      "  lists the historic driver variants this build has (make variants\n"
		      "  builds them), each with the commits it rebuilds; run or fuzz one\n"
		      "  with --variant NAME\n", f);
	else if (cmd && strcmp(cmd, "help"))
		return -1;
	else
		fputs(usage_main, f);
	return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "apsim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'apsim help %s')\n", cmd ? cmd : "");
	return 2;
}

int cli_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

void cli_print_version(FILE *f)
{
	fprintf(f, "apsim %s\n", apsim_version);
	fprintf(f, "driver: linux %s (%s, sha %s)\n",
		apsim_ksrc_version[0] ? apsim_ksrc_version : "unknown",
		apsim_ksrc_path, apsim_ksrc_sha);
	fprintf(f, "variant: %s\n", apsim_variant_name[0] ? apsim_variant_name : "base (unmodified)");
	if (apsim_variant_name[0])
		fprintf(f, "history: %s\n", apsim_variant_history);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Variant names: what a .scn `variant` line accepts, never a path. */
static bool variant_name_ok(const char *n)
{
	if (!n[0] || n[0] == '.' || strlen(n) > 31)
		return false;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* The variant names of this build, sorted; returns their number. */
static int variant_names(char **names, int max)
{
	char dir[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (cli_build_path("variants", dir, sizeof(dir)) || !(d = opendir(dir)))
		return 0;
	while ((e = readdir(d)) && n < max)
		if (variant_name_ok(e->d_name))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	return n;
}

bool cli_variant_known(const char *name)
{
	char *names[64];
	bool found = false;
	int n;

	if (!strcmp(name, "base") ||
	    (apsim_variant_name[0] && !strcmp(name, apsim_variant_name)))
		return true;
	if (!variant_name_ok(name))
		return false;
	n = variant_names(names, 64);
	for (int i = 0; i < n; i++) {
		found |= !strcmp(names[i], name);
		free(names[i]);
	}
	return found;
}

/* The "history: " line of `BIN --version`, run without a shell. */
static void variant_history(const char *bin, char *out, size_t len)
{
	char *argv[] = { (char *)bin, "--version", NULL };
	char buf[4096], *h;
	int fds[2];
	ssize_t n;

	out[0] = 0;
	if (access(bin, X_OK) || pipe2(fds, O_CLOEXEC))
		return;
	if (cli_spawn(argv, fds[1], -1) < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	buf[n > 0 ? n : 0] = 0;
	h = strstr(buf, "history: ");
	if (h) {
		h += 9;
		h[strcspn(h, "\n")] = 0;
		snprintf(out, len, "%s", h);
	}
}

static int cmd_variants(int argc, char **argv)
{
	char bin[PATH_MAX], hist[512];
	char *names[64];
	int n;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout, "variants");
			return 0;
		}
		return cli_usage_error("variants", "unexpected argument '%s'", argv[1]);
	}

	printf("%-8s %s\n", "base", "the unmodified driver from the kernel tree");
	n = variant_names(names, 64);
	for (int i = 0; i < n; i++) {
		if (cli_variant_bin(names[i], bin, sizeof(bin)))
			bin[0] = 0;
		variant_history(bin, hist, sizeof(hist));
		printf("%-8s %s\n", names[i], hist[0] ? hist : "(not built: run make variants)");
		free(names[i]);
	}
	return 0;
}

/* A --ksrc path goes into make's recipes: only plain path characters. */
static bool ksrc_path_ok(const char *p)
{
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/._-+,@", *p)))
			return false;
	return true;
}

/* If --ksrc DIR is given, rebuild through make and re-exec the new binary. */
static int maybe_rebuild_ksrc(int argc, char **argv)
{
	const char *ksrc = NULL;
	char abs[PATH_MAX], bin[PATH_MAX * 2];
	struct stat sb;

	if (getenv("APSIM_KSRC_DONE"))
		return -1;
	for (int i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--ksrc"))
			ksrc = argv[i + 1];
	if (!ksrc)
		return -1;
	errno = 0;
	if (!realpath(ksrc, abs) || stat(abs, &sb) || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "apsim: --ksrc %s: %s\n", ksrc,
			errno ? strerror(errno) : "not a directory");
		return 2;
	}
	if (!ksrc_path_ok(abs)) {
		fprintf(stderr, "apsim: --ksrc %s: expected a path of letters, digits and / . _ - + , @ only "
			"(it is passed to make)\n", ksrc);
		return 2;
	}
	/* Built in the review cache, keyed by the content of its driver
	 * files (cli/review.c): a relative and an absolute path are one
	 * build, and apsim cache clean removes it. */
	if (cli_cache_build(abs, bin, sizeof(bin))) {
		fprintf(stderr, "apsim: build against --ksrc %s failed\n", ksrc);
		return 2;
	}
	setenv("APSIM_KSRC_DONE", "1", 1);
	execv(bin, argv);
	fprintf(stderr, "apsim: cannot run %s: %s\n", bin, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	int r;

	if (argc < 2) {
		usage(stderr, NULL);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		cli_print_version(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout, NULL);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (usage(stdout, argc > 2 ? argv[2] : NULL) == 0)
			return 0;
		fprintf(stderr, "apsim: help: unknown command '%s'\n", argv[2]);
		usage(stderr, NULL);
		return 2;
	}
	r = maybe_rebuild_ksrc(argc, argv);
	if (r >= 0)
		return r;
	if (!strcmp(argv[1], "run"))
		return cli_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fuzz"))
		return cli_fuzz(argc - 1, argv + 1);
	if (!strcmp(argv[1], "variants"))
		return cmd_variants(argc - 1, argv + 1);
	if (!strcmp(argv[1], "known"))
		return cli_known(argc - 1, argv + 1);
	if (!strcmp(argv[1], "review"))
		return cli_review(argc - 1, argv + 1);
	if (!strcmp(argv[1], "cache"))
		return cli_cache(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return cli_bench(argc - 1, argv + 1);
	fprintf(stderr, "apsim: unknown command '%s'\n", argv[1]);
	usage(stderr, NULL);
	return 2;
}
