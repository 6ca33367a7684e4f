// SPDX-License-Identifier: GPL-2.0
/*
 * cli/known.c - `apsim known --from OUT` and the --known FILE option.
 *
 * Owns: loading a known-findings file for run, fuzz and review (the format
 * and matching are the scenario library's: driver/scenario/known.c), and
 * writing one from a run's or a fuzz campaign's output: a JSON file (run
 * --format json output, a fuzz summary.json, a review --format json
 * report) or an output directory (its summary.json, else every finding's
 * report.txt below it).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_known_load(const char *cmd, const char *path, struct apsim_known *k)
{
	char err[PATH_MAX + 256], *buf = NULL;
	size_t len = 0;

	if (cli_read_input(path, CLI_MAX_INPUT, &buf, &len, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (apsim_known_parse(buf, path, k, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		free(buf);
		return 2;
	}
	free(buf);
	(void)cmd;
	return 0;
}

/* ------------------------------------------------------------ known --from */

struct sigset {
	char **s;
	int n, cap;
};

static void add_sig(struct sigset *ss, const char *s, size_t len)
{
	for (int i = 0; i < ss->n; i++)
		if (strlen(ss->s[i]) == len && !strncmp(ss->s[i], s, len))
			return;
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? 2 * ss->cap : 32;
		ss->s = realloc(ss->s, (size_t)ss->cap * sizeof(*ss->s));
		if (!ss->s)
			exit(2);
	}
	ss->s[ss->n++] = strndup(s, len);
}

/* Every "signature":"..." of a JSON text (no escapes in signatures). */
static void sigs_of_json(struct sigset *ss, const char *text)
{
	for (const char *p = text; (p = strstr(p, "\"signature\"")); ) {
		const char *q;

		p += 11;
		while (*p == ' ' || *p == ':')
			p++;
		if (*p != '"')
			continue;
		q = strchr(++p, '"');
		if (!q)
			break;
		if (q > p)
			add_sig(ss, p, (size_t)(q - p));
		p = q + 1;
	}
}

/* The "finding: KIND (SIGNATURE) at step" line of a report.txt. */
static void sig_of_report(struct sigset *ss, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *a, *b;

		if (strncmp(line, "finding: ", 9) || !(a = strchr(line, '(')) ||
		    !(b = strstr(a, ") at step")))
			continue;
		add_sig(ss, a + 1, (size_t)(b - a - 1));
		break;
	}
	fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct sigset *ss, const char *dir, int depth)
{
	struct dirent **ents;
	int n;

	if (depth > 6 || (n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return;
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX];
		struct stat sb;

		if (ents[i]->d_name[0] != '.' &&
		    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, ents[i]->d_name) < sizeof(p) &&
		    !lstat(p, &sb)) {
			if (S_ISDIR(sb.st_mode) && strcmp(ents[i]->d_name, "minimal"))
				walk(ss, p, depth + 1);
			else if (S_ISREG(sb.st_mode) && !strcmp(ents[i]->d_name, "report.txt"))
				sig_of_report(ss, p);
		}
		free(ents[i]);
	}
	free(ents);
}

static const char usage_known[] =
"usage: apsim known --from OUT [--out FILE]\n"
"\n"
"Writes a known-findings file (for run, fuzz and review --known FILE) from\n"
"the findings of OUT: a JSON file (apsim run --format json output, a fuzz\n"
"summary.json, an apsim review --format json report) or an output\n"
"directory (its summary.json, else every finding's report.txt below it).\n"
"Each entry gets a reason to fill in (see docs/review.md).\n"
"\n"
"  --from OUT             the run's or campaign's output\n"
"  --out FILE             write here (default: standard output)\n";

int cli_known(int argc, char **argv)
{
	const char *from = NULL, *out = NULL;
	struct sigset ss = { 0 };
	struct stat sb;
	FILE *f = stdout;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--from") || !strcmp(argv[i], "--out")) && i + 1 < argc) {
			if (!argv[i + 1][0])
				return cli_usage_error("known", "%s: expected a path, got an empty string", argv[i]);
			*(argv[i][2] == 'f' ? &from : &out) = argv[i + 1];
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_known, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--from") || !strcmp(argv[i], "--out")) {
			return cli_usage_error("known", "option %s needs a value", argv[i]);
		} else {
			return cli_usage_error("known", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!from)
		return cli_usage_error("known", "%s", "--from OUT is required");
	if (stat(from, &sb)) {
		fprintf(stderr, "apsim: known --from %s: %s\n", from, strerror(errno));
		return 2;
	}
	if (S_ISDIR(sb.st_mode)) {
		char p[PATH_MAX];
		char *buf = NULL, err[PATH_MAX + 128];
		size_t len;

		snprintf(p, sizeof(p), "%s/summary.json", from);
		if (!access(p, R_OK) && !cli_read_input(p, 64u << 20, &buf, &len, err, sizeof(err)))
			sigs_of_json(&ss, buf);
		else
			walk(&ss, from, 0);
		free(buf);
	} else {
		char *buf = NULL, err[PATH_MAX + 128];
		size_t len;

		if (cli_read_input(from, 64u << 20, &buf, &len, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		sigs_of_json(&ss, buf);
		free(buf);
	}
	qsort(ss.s, (size_t)ss.n, sizeof(*ss.s), cmp_str);
	if (out && !(f = fopen(out, "w"))) {
		fprintf(stderr, "apsim: known --out %s: %s\n", out, strerror(errno));
		return 2;
	}
	fprintf(f, "# apsim known-findings file (apsim run|fuzz|review --known FILE)\n"
		   "# written by apsim known --from %s\n"
		   "# one entry a line: SIGNATURE-PATTERN REASON (`*` matches any text)\n", from);
	for (int i = 0; i < ss.n; i++) {
		fprintf(f, "%-60s TODO: why this is known (driver bug: docs/findings.md#N; or fault reaction)\n",
			ss.s[i]);
		free(ss.s[i]);
	}
	free(ss.s);
	if (!ss.n)
		fprintf(stderr, "apsim: known --from %s: no findings found\n", from);
	if (f != stdout ? (ferror(f) | fclose(f)) : fflush(f)) {
		fprintf(stderr, "apsim: cannot write %s\n", out ? out : "standard output");
		rc = CLI_EXIT_WRITE;
	}
	return rc;
}
