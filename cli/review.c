// SPDX-License-Identifier: GPL-2.0
/*
 * cli/review.c - `apsim review`: what a patch series changes, base tree vs
 * patched tree; `apsim cache clean`.
 *
 * Owns: the build cache of review and --ksrc (a copy of each tree's driver
 * files and its build, keyed by a hash of their content, in
 * $APSIM_CACHE_DIR, else $XDG_CACHE_HOME/apsim, else ~/.cache/apsim),
 * applying patches (unified
 * diffs, git format-patch files, mboxes of a series) with patch(1) run
 * with an argument vector, running the shipped scenarios and a fuzz budget
 * with the same seeds on both binaries, the comparison of their JSON
 * outputs and lock graphs (new, also-on-base, known and fixed findings,
 * changed scenario outcomes, lock-order edges that appear or disappear),
 * and the review report: text, Markdown, JSON, JUnit; exit codes for CI
 * and for git bisect run (docs/review.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const char usage_review[] =
"usage: apsim review --base TREE (--patch FILE... | --new TREE) [options]\n"
"\n"
"Builds the driver of TREE (a kernel tree with drivers/s390/crypto/vfio_ap*)\n"
"and of the patched tree (TREE + the patches, applied in order, or --new\n"
"TREE), runs the shipped scenarios and a fuzz budget with the same seeds on\n"
"both, and reports only what changed: findings new in the patched tree (each\n"
"re-run on the base: \"new\" or \"also on base\"), findings fixed, scenarios\n"
"whose outcome changed, lock-order edges that appear or disappear, and\n"
"which added or changed driver lines ran at all.\n"
"\n"
"  --base TREE            the tree the patches apply to\n"
"  --patch FILE...        unified diffs, git format-patch files or an mbox of\n"
"                         a series (-p1 paths, as git writes them)\n"
"  --new TREE             the patched tree itself (instead of --patch)\n"
"  --seed N               first fuzz seed (default 1)\n"
"  --iterations N         fuzz executions on each tree (default 100000)\n"
"  --time S               fuzz the new tree for S seconds instead, then the base\n"
"                         with the same seeds\n"
"  --scenarios PATH...    the scenarios to run on both trees (files or\n"
"                         directories; default: the shipped scenarios/)\n"
"  --new-shim SWITCH...   build the patched tree with these legacy shim\n"
"                         behaviours (driver/world/switches.def: the kernel\n"
"                         around the driver of a historic variant)\n"
"  --known FILE           known findings (e.g. known/linux-6.1.known): reported\n"
"                         as known, never as new\n"
"  --out DIR              outputs of both trees (default apsim-out/review)\n"
"  --format text|md|json  report format on stdout (default text)\n"
"  --junit FILE           also write JUnit XML\n"
"  --bisect               exit codes for git bisect run: 0 nothing new, 1 new\n"
"                         findings, 125 the tree cannot be built or patched\n"
"  --compare BASE NEW     no build: compare the outputs of two earlier runs\n"
"                         (directories with run.json from run --format json,\n"
"                         lock-graph.txt from run --lock-graph, fuzz/ from fuzz)\n"
"  -q, --quiet            no progress on standard error\n"
"\n"
"exit codes: 0 nothing new, 1 new findings, 2 usage, patch or build error,\n"
"3 a result could not be written.\n"
"Builds are cached (apsim cache clean removes them).  See docs/review.md.\n";

static const char *const drv_files[] = {
	"vfio_ap_ops.c", "vfio_ap_drv.c", "vfio_ap_private.h", "vfio_ap_debug.h", "ap_bus.h",
};
#define NDRV (int)(sizeof(drv_files) / sizeof(drv_files[0]))
#define DRV_DIR "drivers/s390/crypto"

static bool quiet;
/* --new-shim: legacy shim switches (driver/world/switches.def) the patched
 * tree is built with ("SHIM=a b" for make; part of its cache key), so that
 * a historic variant (its driver edit as a patch, plus the kernel around the
 * driver it needs) can be reviewed; shim_now: the tree being staged/built */
static char shim_switches[512];
static const char *shim_now = "";

static void progress(const char *fmt, const char *a, const char *b)
{
	if (quiet)
		return;
	fprintf(stderr, "apsim: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------ processes */

/* argv (PATH search, no shell: cli_spawn) with stdout/stderr on the given
 * fds (-1: inherited); its exit code, 128 + signal, or -1. */
static int spawn(char *const argv[], int out_fd, int err_fd)
{
	int saved = -1, st;

	fflush(stderr);
	if (err_fd >= 0) {
		saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
		dup2(err_fd, 2);
	}
	st = cli_spawn(argv, out_fd, -1);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	if (st < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int spawn_to(char *const argv[], const char *out, const char *err)
{
	int o = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	int e = err ? open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	int rc;

	if ((out && o < 0) || (err && e < 0)) {
		fprintf(stderr, "apsim: review: cannot create %s: %s\n",
			out && o < 0 ? out : err, strerror(errno));
		if (o >= 0)
			close(o);
		if (e >= 0)
			close(e);
		return -1;
	}
	rc = spawn(argv, o, e);
	if (o >= 0)
		close(o);
	if (e >= 0)
		close(e);
	return rc;
}

static char *slurp(const char *path)
{
	char *buf = NULL, err[PATH_MAX + 128];
	size_t len;

	if (cli_read_input(path, 256u << 20, &buf, &len, err, sizeof(err)))
		return NULL;
	return buf;
}

/* Print the last lines of a log file to stderr. */
static void tail_log(const char *path, int lines)
{
	char *t = slurp(path), *p;
	int n = 0;

	if (!t)
		return;
	for (p = t + strlen(t); p > t; p--)
		if (p[-1] == '\n' && p[0] && ++n > lines)
			break;
	fprintf(stderr, "%s", p);
	free(t);
}

static int mkdirs(const char *path)
{
	char p[PATH_MAX];

	if ((size_t)snprintf(p, sizeof(p), "%s", path) >= sizeof(p))
		return -1;
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0755) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

static int rm_rf(const char *path)
{
	char *argv[] = { "rm", "-rf", "--", (char *)path, NULL };

	return spawn(argv, -1, -1);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	return close(out) || n < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ the cache */

static int cache_dir(char *out, size_t len)
{
	const char *e = getenv("APSIM_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME");
	const char *h = getenv("HOME");

	if (e && e[0] == '/')
		snprintf(out, len, "%s", e);
	else if (x && x[0] == '/')
		snprintf(out, len, "%s/apsim", x);
	else if (h && h[0] == '/')
		snprintf(out, len, "%s/.cache/apsim", h);
	else
		return -1;
	return mkdirs(out);
}

/* The apsim checkout this binary was built from (its Makefile builds the
 * trees). */
static int apsim_top(char *out, size_t len)
{
	char self[PATH_MAX], t[PATH_MAX + 16];

	if (cli_self_path("", self, sizeof(self)))
		return -1;
	/* build/apsim, build/6.12/apsim, build/variants/d2/apsim: the
	 * checkout is the first directory above with the Makefile and cli/ */
	for (int up = 1; up <= 4; up++) {
		size_t o = (size_t)snprintf(t, sizeof(t), "%s", self);

		for (int k = 0; k < up && o < sizeof(t); k++)
			o += (size_t)snprintf(t + o, sizeof(t) - o, "/..");
		if (o + 16 >= sizeof(t))
			return -1;
		strcat(t, "/cli/review.c");
		if (access(t, R_OK))
			continue;
		strcpy(strrchr(t, '/') - 4, "/Makefile");
		if (access(t, R_OK) || !realpath(t, out) || strlen(out) >= len)
			return -1;
		*strrchr(out, '/') = 0;
		return 0;
	}
	return -1;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * Stage a tree: copy TREE's driver files (and its Makefile, for the
 * version) to a new directory of the cache, apply the patches in order,
 * and move it to <cache>/<hash of content>/ksrc (kept if it exists).
 * key_dir gets <cache>/<hash>.  0, or 2 after a message (patch errors
 * name the patch and the hunk).
 */
static int stage_tree(const char *cache, const char *top, const char *tree,
		      char *const *patches, int npatches, char *key_dir, size_t len)
{
	char stage[PATH_MAX], d[PATH_MAX + 64], from[PATH_MAX + 64], to[PATH_MAX + 64];
	char fin[PATH_MAX + 64];
	uint64_t h = fnv(0xcbf29ce484222325ULL, top, strlen(top));
	struct stat sb;

	if (stat(tree, &sb) || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "apsim: review: %s: not a directory\n", tree);
		return 2;
	}
	snprintf(stage, sizeof(stage), "%s/stage-%d", cache, (int)getpid());
	rm_rf(stage);
	snprintf(d, sizeof(d), "%s/" DRV_DIR, stage);
	if (mkdirs(d)) {
		fprintf(stderr, "apsim: review: cannot create %s: %s\n", d, strerror(errno));
		return 2;
	}
	for (int i = 0; i < NDRV; i++) {
		snprintf(from, sizeof(from), "%s/" DRV_DIR "/%s", tree, drv_files[i]);
		snprintf(to, sizeof(to), "%s/%s", d, drv_files[i]);
		if (copy_file(from, to)) {
			fprintf(stderr, "apsim: review: %s: %s (expected a kernel tree with "
				DRV_DIR "/vfio_ap_ops.c ...)\n", from, strerror(errno));
			rm_rf(stage);
			return 2;
		}
	}
	snprintf(from, sizeof(from), "%s/Makefile", tree);
	snprintf(to, sizeof(to), "%s/Makefile", stage);
	if (!access(from, R_OK))
		copy_file(from, to);
	for (int i = 0; i < npatches; i++) {
		char abs[PATH_MAX], log[PATH_MAX + 32];
		char *argv[] = { "patch", "-p1", "--batch", "--forward", "--fuzz=0", "--no-backup-if-mismatch",
				 "-r", "-", "-d", stage, "-i", abs, NULL };
		char *out, *l;
		int rc, failed = 0;

		if (!realpath(patches[i], abs)) {
			fprintf(stderr, "apsim: review: --patch %s: %s\n", patches[i], strerror(errno));
			rm_rf(stage);
			return 2;
		}
		snprintf(log, sizeof(log), "%s.patch.log", stage);
		rc = spawn_to(argv, log, log);
		out = slurp(log);
		unlink(log);
		/* "Hunk #2 FAILED at 1234." names the hunk; files apsim does not
		 * build ("can't find file to patch") are skipped */
		for (l = out; l && *l; ) {
			char *eol = strchr(l, '\n');

			if (eol)
				*eol = 0;
			if (strstr(l, "FAILED") || strstr(l, "malformed") || strstr(l, "Reversed") ||
			    strstr(l, "Only garbage")) {
				fprintf(stderr, "apsim: review: patch %s does not apply: %s\n", patches[i], l);
				failed++;
			} else if (!strncmp(l, "patching file ", 14)) {
				snprintf(fin, sizeof(fin), "%s", l + 14);
			}
			l = eol ? eol + 1 : NULL;
		}
		if (rc != 0 && !failed && out && !strstr(out, "can't find file to patch")) {
			fprintf(stderr, "apsim: review: patch %s does not apply (patch exit %d):\n%s",
				patches[i], rc, out);
			failed++;
		}
		if (!failed && out && !strstr(out, "patching file ")) {
			fprintf(stderr, "apsim: review: patch %s changes no file (no unified diff in it?)\n",
				patches[i]);
			failed++;
		}
		if (rc != 0 && !failed && !quiet)
			fprintf(stderr, "apsim: review: %s: hunks for files apsim does not build were skipped\n",
				patches[i]);
		free(out);
		if (failed) {
			rm_rf(stage);
			return 2;
		}
		(void)fin;
	}
	for (int i = 0; i < NDRV; i++) {
		char *t;

		snprintf(to, sizeof(to), "%s/%s", d, drv_files[i]);
		if (!(t = slurp(to))) {
			fprintf(stderr, "apsim: review: a patch removed " DRV_DIR "/%s\n", drv_files[i]);
			rm_rf(stage);
			return 2;
		}
		h = fnv(h, drv_files[i], strlen(drv_files[i]) + 1);
		h = fnv(h, t, strlen(t) + 1);
		free(t);
	}
	snprintf(to, sizeof(to), "%s/Makefile", stage);
	{
		char *t = slurp(to);

		if (t)
			h = fnv(h, t, strlen(t));
		free(t);
	}
	if (shim_now[0])
		h = fnv(h, shim_now, strlen(shim_now));
	snprintf(key_dir, len, "%s/%016llx", cache, (unsigned long long)h);
	snprintf(fin, sizeof(fin), "%s/ksrc", key_dir);
	if (!stat(fin, &sb)) {
		rm_rf(stage);
		return 0;
	}
	if (mkdirs(key_dir) || rename(stage, fin)) {
		fprintf(stderr, "apsim: review: cannot create %s: %s\n", fin, strerror(errno));
		rm_rf(stage);
		return 2;
	}
	return 0;
}

/* make -C TOP BUILD=KEY/build KSRC=KEY/ksrc KEY/build/apsim; 0 or 2. */
static int build_tree(const char *top, const char *key_dir, const char *what,
		      char *bin, size_t len)
{
	char b[PATH_MAX + 16], k[PATH_MAX + 16], t[PATH_MAX + 16], log[PATH_MAX + 16];
	/* LINECOV=1: the driver with gcc's line counters (coverage of the
	 * changed lines); the cache's builds only, never the checkout's */
	char sh[sizeof(shim_switches) + 8];
	char *argv[] = { "make", "-s", "-j2", "-C", (char *)top, b, k, "LINECOV=1", sh, t, NULL };
	int rc;

	snprintf(sh, sizeof(sh), "SHIM=%s", shim_now);
	snprintf(b, sizeof(b), "BUILD=%s/build", key_dir);
	snprintf(k, sizeof(k), "KSRC=%s/ksrc", key_dir);
	snprintf(t, sizeof(t), "%s/build/apsim", key_dir);
	snprintf(log, sizeof(log), "%s/build.log", key_dir);
	snprintf(bin, len, "%s", t);
	progress("building the %s tree (%s)", what, key_dir);
	rc = spawn_to(argv, log, log);
	if (rc != 0) {
		fprintf(stderr, "apsim: review: the %s tree does not build (make exit %d); the end of %s:\n",
			what, rc, log);
		tail_log(log, 15);
		return 2;
	}
	return 0;
}

int cli_cache_build(const char *tree, char *bin, size_t len)
{
	char cache[PATH_MAX], top[PATH_MAX], key[PATH_MAX];

	if (apsim_top(top, sizeof(top)) || cache_dir(cache, sizeof(cache))) {
		fprintf(stderr, "apsim: no apsim checkout or cache directory for the build\n");
		return 2;
	}
	if (stage_tree(cache, top, tree, NULL, 0, key, sizeof(key)))
		return 2;
	return build_tree(top, key, "--ksrc", bin, len);
}

static const char usage_cache[] =
"usage: apsim cache clean\n"
"\n"
"Removes apsim's build cache (the trees and builds of apsim review): the\n"
"directory $APSIM_CACHE_DIR, else $XDG_CACHE_HOME/apsim, else ~/.cache/apsim.\n";

int cli_cache(int argc, char **argv)
{
	char dir[PATH_MAX];

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_cache, stdout);
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "clean"))
		return cli_usage_error("cache", "%s", "expected: apsim cache clean");
	if (cache_dir(dir, sizeof(dir))) {
		fprintf(stderr, "apsim: cache: no cache directory (set APSIM_CACHE_DIR or HOME)\n");
		return 2;
	}
	if (rm_rf(dir) != 0) {
		fprintf(stderr, "apsim: cache clean: cannot remove %s\n", dir);
		return 2;
	}
	printf("removed %s\n", dir);
	return 0;
}

/* ------------------------------------------------------------ JSON bits */

/* The string value of the next "key": "value" from *p on, up to `stop`
 * (NULL = the end); advances *p past it.  Handles \" and \\ escapes. */
static bool jstr(const char **p, const char *stop, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *s;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	s = strstr(*p, pat);
	if (!s || (stop && s >= stop))
		return false;
	s += strlen(pat);
	while (*s == ' ' || *s == ':')
		s++;
	if (*s != '"')
		return false;
	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		if (n + 1 < len)
			out[n++] = *s;
	}
	out[n] = 0;
	*p = s;
	return true;
}

static long long jnum(const char *text, const char *key)
{
	char pat[64];
	const char *s;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	s = strstr(text, pat);
	if (!s)
		return -1;
	s += strlen(pat);
	while (*s == ' ' || *s == ':')
		s++;
	return strtoll(s, NULL, 10);
}

static void jout(FILE *f, const char *s)
{
	sim_out_json_str(f, s);
}

/* ------------------------------------------------------------ results */

enum status { ST_NEW, ST_ALSO_BASE, ST_KNOWN };
static const char *const status_name[] = { "new", "also on base", "known" };

struct finding {
	char sig[256], kind[32];
	char where[160];           /* scenario name, or "fuzz seed N" */
	char dir[PATH_MAX];        /* its output directory */
	char reason[256];          /* known: why */
	char group[256];           /* its root cause (sim_finding_group) */
	enum status st;
};

struct side {
	const char *name;          /* "base" / "new" */
	char bin[PATH_MAX];
	char out[PATH_MAX];
	struct finding *f;
	int nf;
	/* scenario outcomes */
	char (*scn)[128];
	char (*result)[8];
	int nscn;
	/* lock graph lines */
	char **edge;
	int nedge;
	long long execs;
};

static void add_finding(struct side *s, const char *sig, const char *kind,
			const char *where, const char *dir)
{
	struct finding *f;

	for (int i = 0; i < s->nf; i++)
		if (!strcmp(s->f[i].sig, sig))
			return;
	s->f = realloc(s->f, (size_t)(s->nf + 1) * sizeof(*s->f));
	if (!s->f)
		exit(2);
	f = &s->f[s->nf++];
	memset(f, 0, sizeof(*f));
	snprintf(f->sig, sizeof(f->sig), "%s", sig);
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	snprintf(f->where, sizeof(f->where), "%s", where);
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
}

static const struct finding *find_sig(const struct side *s, const char *sig)
{
	for (int i = 0; i < s->nf; i++)
		if (!strcmp(s->f[i].sig, sig))
			return &s->f[i];
	return NULL;
}

/* run --format json: one object a line per scenario. */
static void parse_run(struct side *s, const char *text)
{
	for (const char *l = text; l && *l; ) {
		const char *eol = strchr(l, '\n'), *p = l, *fs;
		char name[128] = "", result[8] = "", sig[256], kind[32], dir[PATH_MAX];

		if (!eol)
			eol = l + strlen(l);
		if (jstr(&p, eol, "scenario", name, sizeof(name)) &&
		    jstr(&p, eol, "result", result, sizeof(result))) {
			s->scn = realloc(s->scn, (size_t)(s->nscn + 1) * sizeof(*s->scn));
			s->result = realloc(s->result, (size_t)(s->nscn + 1) * sizeof(*s->result));
			if (!s->scn || !s->result)
				exit(2);
			snprintf(s->scn[s->nscn], sizeof(s->scn[0]), "%s", name);
			snprintf(s->result[s->nscn], sizeof(s->result[0]), "%s", result);
			s->nscn++;
			fs = strstr(l, "\"findings\"");
			p = fs && fs < eol ? fs : eol;
			while (jstr(&p, eol, "kind", kind, sizeof(kind)) &&
			       jstr(&p, eol, "signature", sig, sizeof(sig)) &&
			       jstr(&p, eol, "dir", dir, sizeof(dir)))
				add_finding(s, sig, kind, name, dir);
		}
		l = *eol ? eol + 1 : NULL;
	}
}

/* fuzz summary.json */
static void parse_fuzz(struct side *s, const char *text, const char *fuzz_out)
{
	const char *p = strstr(text, "\"findings\"");
	char sig[256], kind[32], seed[32], dir[PATH_MAX], where[64], full[PATH_MAX * 2];

	s->execs = jnum(text, "executions");
	while (p && jstr(&p, NULL, "signature", sig, sizeof(sig)) &&
	       jstr(&p, NULL, "kind", kind, sizeof(kind))) {
		const char *q = p;
		long long sd;

		while (*q == '"' || *q == ',' || *q == ' ')
			q++;
		sd = jnum(q, "seed");
		snprintf(seed, sizeof(seed), "%lld", sd);
		if (!jstr(&p, NULL, "dir", dir, sizeof(dir)))
			break;
		snprintf(where, sizeof(where), "fuzz seed %s", seed);
		snprintf(full, sizeof(full), "%s/%s", fuzz_out, dir);
		add_finding(s, sig, kind, where, full);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void parse_graph(struct side *s, const char *text)
{
	for (const char *l = text; l && *l; ) {
		const char *eol = strchr(l, '\n');
		size_t n = eol ? (size_t)(eol - l) : strlen(l);

		if (n) {
			s->edge = realloc(s->edge, (size_t)(s->nedge + 1) * sizeof(*s->edge));
			if (!s->edge)
				exit(2);
			s->edge[s->nedge++] = strndup(l, n);
		}
		l = eol ? eol + 1 : NULL;
	}
	qsort(s->edge, (size_t)s->nedge, sizeof(*s->edge), cmp_str);
}

/* "FROM -> TO" part of a lock-graph line */
static size_t edge_key_len(const char *e)
{
	return strcspn(e, "\t");
}

/* A lock-graph line without its line numbers: "FROM -> TO\tFUNC\tFUNC"
 * (the edge and the functions that create it). */
static void edge_ident(const char *e, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = e; *p && o + 1 < len; ) {
		if (*p == ' ' && p[1] == '(') {         /* " (file:line)" */
			const char *q = strchr(p, ')');

			p = q ? q + 1 : p + strlen(p);
			continue;
		}
		if (!strncmp(p, "held since ", 11)) {
			p += 11;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = 0;
}

static bool has_edge(const struct side *s, const char *e)
{
	size_t n = edge_key_len(e);

	for (int i = 0; i < s->nedge; i++)
		if (edge_key_len(s->edge[i]) == n && !strncmp(s->edge[i], e, n))
			return true;
	return false;
}

static bool has_site(const struct side *s, const char *e)
{
	char a[512], b[512];
	const char *t = strchr(e, '\t');

	if (t && t[1] == '-' && t[2] == '\t')
		return true;    /* only seen closing a cycle: no site to compare */

	edge_ident(e, a, sizeof(a));
	for (int i = 0; i < s->nedge; i++) {
		edge_ident(s->edge[i], b, sizeof(b));
		if (!strcmp(a, b))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ running */

/* The shipped scenarios this tree's binary runs itself (those naming a
 * variant need that variant's binary: historic shim behaviours). */
static int collect_scenarios(const char *dir, char ***list, int *n)
{
	struct dirent **ents;
	int m = scandir(dir, &ents, NULL, alphasort);

	if (m < 0)
		return -1;
	for (int i = 0; i < m; i++) {
		char p[PATH_MAX];
		struct stat sb;
		size_t l = strlen(ents[i]->d_name);

		if (ents[i]->d_name[0] != '.' &&
		    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, ents[i]->d_name) < sizeof(p) &&
		    !stat(p, &sb)) {
			if (S_ISDIR(sb.st_mode)) {
				collect_scenarios(p, list, n);
			} else if (l > 4 && !strcmp(ents[i]->d_name + l - 4, ".scn")) {
				char *t = slurp(p);
				bool variant = false;

				for (const char *q = t; q && *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL)
					if (!strncmp(q, "variant ", 8))
						variant = true;
				free(t);
				if (!variant) {
					*list = realloc(*list, (size_t)(*n + 2) * sizeof(**list));
					if (!*list)
						exit(2);
					(*list)[(*n)++] = strdup(p);
				}
			}
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

struct review_opts {
	const char *base, *newtree, *out, *junit, *known_file;
	const char *cmp_base, *cmp_new;    /* --compare: outputs of earlier runs */
	char **patches;
	int npatches;
	char **scn_paths;                  /* --scenarios */
	int nscn_paths;
	uint64_t seed;
	long iterations, time;
	enum { FMT_TEXT, FMT_MD, FMT_JSON } fmt;
	bool bisect;
	struct apsim_known known;
};

/* Read OUT/run.json, OUT/lock-graph.txt and OUT/fuzz/summary.json of a
 * tree's runs; 0, or 2 when OUT has none of them. */
static int load_side(struct side *s)
{
	char p[PATH_MAX + 32], fz[PATH_MAX + 16], *t;
	int found = 0;

	snprintf(p, sizeof(p), "%s/run.json", s->out);
	if ((t = slurp(p))) {
		parse_run(s, t);
		free(t);
		found++;
	}
	snprintf(p, sizeof(p), "%s/lock-graph.txt", s->out);
	if ((t = slurp(p))) {
		parse_graph(s, t);
		free(t);
		found++;
	}
	snprintf(fz, sizeof(fz), "%s/fuzz", s->out);
	snprintf(p, sizeof(p), "%s/summary.json", fz);
	if ((t = slurp(p))) {
		parse_fuzz(s, t, fz);
		free(t);
		found++;
	}
	if (!found) {
		fprintf(stderr, "apsim: review: %s has no run.json, lock-graph.txt or fuzz/summary.json\n",
			s->out);
		return 2;
	}
	return 0;
}

/* A side's run or fuzz process failed with rc: a result it could not
 * write stays exit 3 (CLI_EXIT_WRITE), anything else is 2. */
static int side_fail(int rc)
{
	return rc == CLI_EXIT_WRITE ? CLI_EXIT_WRITE : 2;
}

/* One tree's scenarios, then its fuzz budget: 0, 2, or 3 (side_fail). */
static int run_side_procs(struct side *s, const struct review_opts *ro, char **scns, int nscns,
			  long iterations)
{
	char runjson[PATH_MAX + 16], graph[PATH_MAX + 16], runout[PATH_MAX + 16], err[PATH_MAX + 16];
	char fz[PATH_MAX + 16], seed[32], iters[32], tm[32];
	char **argv = calloc((size_t)nscns + 16, sizeof(*argv));
	int n = 0, rc;

	if (!argv || mkdirs(s->out))
		return 2;
	/* every process of this tree's runs merges its driver line counters
	 * into OUT/gcov (flat: the build's directories stripped) */
	{
		char g[PATH_MAX + 16], abs[PATH_MAX];

		snprintf(g, sizeof(g), "%s/gcov", s->out);
		rm_rf(g);
		if (mkdirs(g) || !realpath(g, abs))
			return 2;
		setenv("GCOV_PREFIX", abs, 1);
		setenv("GCOV_PREFIX_STRIP", "999", 1);
	}
	snprintf(runjson, sizeof(runjson), "%s/run.json", s->out);
	snprintf(graph, sizeof(graph), "%s/lock-graph.txt", s->out);
	snprintf(runout, sizeof(runout), "%s/run", s->out);
	snprintf(err, sizeof(err), "%s/stderr.txt", s->out);
	rm_rf(runout);
	argv[n++] = s->bin;
	argv[n++] = "run";
	argv[n++] = "-q";
	argv[n++] = "--keep-going";     /* the same budgets on both trees */
	argv[n++] = "--format";
	argv[n++] = "json";
	argv[n++] = "--out";
	argv[n++] = runout;
	argv[n++] = "--lock-graph";
	argv[n++] = graph;
	for (int i = 0; i < nscns; i++)
		argv[n++] = scns[i];
	argv[n] = NULL;
	progress("running the shipped scenarios on the %s tree%s", s->name, "");
	rc = spawn_to(argv, runjson, err);
	free(argv);
	if (rc != 0 && rc != 1) {
		fprintf(stderr, "apsim: review: %s run failed (exit %d); the end of %s:\n", s->name, rc, err);
		tail_log(err, 10);
		return side_fail(rc);
	}
	/* the fuzz budget: the same seeds on both trees */
	snprintf(fz, sizeof(fz), "%s/fuzz", s->out);
	rm_rf(fz);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)ro->seed);
	snprintf(iters, sizeof(iters), "%ld", iterations);
	snprintf(tm, sizeof(tm), "%ld", ro->time);
	{
		char *fa[] = { s->bin, "fuzz", "-q", "--seed", seed, "--iterations", iters,
			       "--out", fz, iterations ? NULL : "--time", tm, NULL };

		progress("fuzzing the %s tree (%s)", s->name,
			 iterations ? "the same seeds" : "for --time seconds");
		rc = spawn_to(fa, "/dev/null", err);
	}
	unsetenv("GCOV_PREFIX");
	unsetenv("GCOV_PREFIX_STRIP");
	if (rc != 0 && rc != 1) {
		fprintf(stderr, "apsim: review: %s fuzz failed (exit %d); the end of %s:\n", s->name, rc, err);
		tail_log(err, 10);
		return side_fail(rc);
	}
	return 0;
}

static int run_side(struct side *s, const struct review_opts *ro, char **scns, int nscns,
		    long iterations)
{
	int rc = run_side_procs(s, ro, scns, nscns, iterations);

	return rc ? rc : load_side(s);
}

/*
 * Both trees' runs at once, each side in a child process of its own (its
 * scenarios, then its fuzz budget; the outputs are separate directories),
 * when the fuzz budget is a number of seeds: a --time budget fixes the
 * seeds on the new tree first.  On two cores a review takes about the time
 * of its slower side instead of the sum (6.12: ~11 minutes -> ~6).
 */
static int run_sides(struct side *n, struct side *b, const struct review_opts *ro, char **scns,
		     int nscns)
{
	struct side *sd[2] = { n, b };
	pid_t pid[2];
	int bad = 0, wr = 0, rc;

	if (!ro->iterations) {
		if ((rc = run_side(n, ro, scns, nscns, 0)))
			return rc;
		return run_side(b, ro, scns, nscns, n->execs > 0 ? n->execs : 1);
	}
	progress("running the shipped scenarios, then the same fuzz seeds, on both trees%s%s",
		 " side by side", "");
	for (int i = 0; i < 2; i++) {
		fflush(NULL);
		pid[i] = fork();
		if (pid[i] < 0) {
			fprintf(stderr, "apsim: review: fork: %s\n", strerror(errno));
			if (i)
				waitpid(pid[0], NULL, 0);
			return 2;
		}
		if (!pid[i]) {
			quiet = true;	/* (the line above; errors still say which tree) */
			_exit(run_side_procs(sd[i], ro, scns, nscns, ro->iterations));
		}
	}
	for (int i = 0; i < 2; i++) {
		int st;

		while (waitpid(pid[i], &st, 0) < 0)
			if (errno != EINTR) {
				st = -1;
				break;
			}
		if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == CLI_EXIT_WRITE)
			wr = 1;
		else
			bad |= st == -1 || !WIFEXITED(st) || WEXITSTATUS(st);
	}
	if (bad)
		return 2;
	if (wr)
		return CLI_EXIT_WRITE;
	return load_side(n) || load_side(b) ? 2 : 0;
}

/* Re-run a finding of the new tree on the base binary: its scenario (the
 * fuzz reproducer, shrunk when it could be), exploring as the file says. */
static bool seen_on_base(const struct side *base, const struct finding *f, const char *out)
{
	char scn[PATH_MAX + 32], o[PATH_MAX + 32], js[PATH_MAX + 32];
	char *argv[] = { (char *)base->bin, "run", "-q", "--keep-going", "--format", "json",
			 "--out", o, scn, NULL };
	char *t;
	bool seen;

	if (strncmp(f->where, "fuzz seed ", 10) || !base->bin[0])
		return false;  /* a shipped scenario: base ran it with the same seeds */
	snprintf(scn, sizeof(scn), "%s/minimal.scn", f->dir);
	if (access(scn, R_OK))
		snprintf(scn, sizeof(scn), "%s/scenario.scn", f->dir);
	snprintf(o, sizeof(o), "%s/recheck/%s", out, strrchr(f->dir, '/') ? strrchr(f->dir, '/') + 1 : "x");
	snprintf(js, sizeof(js), "%s.json", o);
	rm_rf(o);
	*strrchr(o, '/') = 0;
	mkdirs(o);
	o[strlen(o)] = '/';
	if (spawn_to(argv, js, "/dev/null") < 0)
		return false;
	t = slurp(js);
	seen = false;
	if (t) {
		char pat[300];

		snprintf(pat, sizeof(pat), "\"signature\":\"%s\"", f->sig);
		seen = strstr(t, pat) != NULL;
	}
	free(t);
	return seen;
}

/* ------------------------------------------------ coverage of the changed lines */

/*
 * Which added or changed driver lines of the patched tree ran during the
 * review.  The changed lines are those of `diff -U0 BASE NEW` (run with an
 * argument vector) between the staged driver files of the two trees, as
 * numbered in the new tree; the review builds (LINECOV=1) have the driver
 * compiled with gcc's --coverage, every process of the new tree's runs (the
 * scenario run, the fuzz parent and each forked worker: sim_linecov_flush)
 * merges its counters into NEW-OUT/gcov/ (GCOV_PREFIX), and `gcov
 * --json-format --stdout` reads them back.  A changed line gcov lists is a
 * line with code (ran: count > 0); one it does not list carries no code of
 * its own at this optimisation level (a comment, a declaration, a brace).
 */
struct cline {
	char file[32];            /* a driver file's name */
	int line;                 /* in the new tree */
	int state;                /* -1 no code, 0 not run, 1 ran */
	char fn[128];
};

struct changed {
	struct cline *l;
	int n, ncode, nran;
	bool measured;
	char why[160];            /* not measured: why */
};

/* "@@ -a[,b] +c[,d] @@" lines of diff -U0 output -> the new lines. */
static void parse_udiff(struct changed *c, const char *file, const char *text)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *p;
		long from, cnt = 1;
		char *e;

		if (strncmp(l, "@@ -", 4) || !(p = strstr(l, " +")))
			continue;
		from = strtol(p + 2, &e, 10);
		if (*e == ',')
			cnt = strtol(e + 1, &e, 10);
		for (long i = 0; i < cnt; i++) {
			struct cline *x;

			c->l = realloc(c->l, (size_t)(c->n + 1) * sizeof(*c->l));
			if (!c->l)
				exit(2);
			x = &c->l[c->n++];
			memset(x, 0, sizeof(*x));
			snprintf(x->file, sizeof(x->file), "%s", file);
			x->line = (int)(from + i);
			x->state = -1;
		}
	}
}

/* The changed lines between two staged trees (cache KEY/ksrc dirs). */
static int changed_lines(struct changed *c, const char *kb, const char *kn, const char *tmp)
{
	for (int i = 0; i < NDRV; i++) {
		char a[PATH_MAX + 64], b[PATH_MAX + 64], *t;
		char *argv[] = { "diff", "-U0", a, b, NULL };
		int rc;

		snprintf(a, sizeof(a), "%s/ksrc/" DRV_DIR "/%s", kb, drv_files[i]);
		snprintf(b, sizeof(b), "%s/ksrc/" DRV_DIR "/%s", kn, drv_files[i]);
		rc = spawn_to(argv, tmp, "/dev/null");
		if (rc != 0 && rc != 1) {
			snprintf(c->why, sizeof(c->why), "diff of %s failed (exit %d)", drv_files[i], rc);
			return -1;
		}
		if ((t = slurp(tmp)))
			parse_udiff(c, drv_files[i], t);
		free(t);
	}
	unlink(tmp);
	return 0;
}

static struct cline *cline_at(struct changed *c, const char *path, int line)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char suf[96];
	size_t pl = strlen(path), sl;

	/* only the tree's driver files (drivers/s390/crypto/NAME), not the
	 * shim headers */
	snprintf(suf, sizeof(suf), DRV_DIR "/%s", base);
	sl = strlen(suf);
	if (pl < sl || strcmp(path + pl - sl, suf))
		return NULL;
	for (int i = 0; i < c->n; i++)
		if (c->l[i].line == line && !strcmp(c->l[i].file, base))
			return &c->l[i];
	return NULL;
}

/*
 * gcov's JSON intermediate format: {"files": [{"lines": [{"line_number":
 * N, "count": C, "function_name": F, ...}, ...], "file": PATH, ...}]}, one
 * object a line per data file.  Walked by nesting depth: a file object is
 * at depth 3, a line object at depth 5 (the key order is not relied on).
 */
static void parse_gcov(struct changed *c, const char *text)
{
	struct { long line, count; char fn[128]; } *ls = NULL;
	int nls = 0, depth = 0;
	char key[32] = "", file[PATH_MAX] = "", s[PATH_MAX];
	long line = -1, count = -1;
	char fn[128] = "";

	for (const char *p = text; *p; p++) {
		if (*p == '"') {
			size_t o = 0;

			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (o + 1 < sizeof(s))
					s[o++] = *p;
			}
			s[o] = 0;
			if (!*p)
				break;
			{
				const char *q = p + 1;

				while (*q == ' ')
					q++;
				if (*q == ':') {
					snprintf(key, sizeof(key), "%s", s);
					continue;
				}
			}
			if (depth == 3 && !strcmp(key, "file"))
				snprintf(file, sizeof(file), "%s", s);
			else if (depth == 5 && !strcmp(key, "function_name"))
				snprintf(fn, sizeof(fn), "%s", s);
		} else if ((*p == '-' || (*p >= '0' && *p <= '9')) && depth == 5) {
			char *e;
			long v = strtol(p, &e, 10);

			if (!strcmp(key, "line_number"))
				line = v;
			else if (!strcmp(key, "count"))
				count = v;
			p = e - 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
			if (depth == 5) {
				line = count = -1;
				fn[0] = 0;
			}
			if (depth == 3) {
				nls = 0;
				file[0] = 0;
			}
		} else if (*p == '}' || *p == ']') {
			if (depth == 5 && *p == '}' && line > 0 && count >= 0) {
				ls = realloc(ls, (size_t)(nls + 1) * sizeof(*ls));
				if (!ls)
					exit(2);
				ls[nls].line = line;
				ls[nls].count = count;
				snprintf(ls[nls].fn, sizeof(ls[nls].fn), "%s", fn);
				nls++;
			}
			if (depth == 3 && *p == '}')
				for (int i = 0; i < nls; i++) {
					struct cline *x = cline_at(c, file, (int)ls[i].line);
					int st = ls[i].count > 0;

					if (!x)
						continue;
					if (st > x->state)
						x->state = st;
					if (!x->fn[0])
						snprintf(x->fn, sizeof(x->fn), "%s", ls[i].fn);
				}
			depth--;
		}
	}
	free(ls);
}

/* Run gcov on the new tree's counters (NEW-OUT/gcov/, the .gcno files of
 * its build copied next to them). */
static void changed_cover(struct changed *c, const char *key_dir, const char *gdir)
{
	static const char *const objs[] = { "vfio_ap_ops.o.raw", "vfio_ap_drv.o.raw" };
	char gcda[2][PATH_MAX + 64], from[PATH_MAX + 64], to[PATH_MAX + 64], js[PATH_MAX + 16];
	char err[PATH_MAX + 16];
	char *argv[] = { "gcov", "--json-format", "--stdout", gcda[0], gcda[1], NULL };
	char *t;
	int rc;

	for (int i = 0; i < 2; i++) {
		snprintf(gcda[i], sizeof(gcda[i]), "%s/%s.gcda", gdir, objs[i]);
		snprintf(from, sizeof(from), "%s/build/obj/kernel/%s.gcno", key_dir, objs[i]);
		snprintf(to, sizeof(to), "%s/%s.gcno", gdir, objs[i]);
		if (access(gcda[i], R_OK) || copy_file(from, to)) {
			snprintf(c->why, sizeof(c->why), "no line counters (%s): not a LINECOV=1 build?",
				 access(gcda[i], R_OK) ? gcda[i] : from);
			return;
		}
	}
	snprintf(js, sizeof(js), "%s/gcov.json", gdir);
	snprintf(err, sizeof(err), "%s/gcov.err", gdir);
	rc = spawn_to(argv, js, err);
	if (rc != 0) {
		snprintf(c->why, sizeof(c->why), "gcov failed (exit %d, %s)", rc, err);
		return;
	}
	if ((t = slurp(js)))
		parse_gcov(c, t);
	free(t);
	c->measured = true;
	for (int i = 0; i < c->n; i++) {
		c->ncode += c->l[i].state >= 0;
		c->nran += c->l[i].state > 0;
	}
}

/* The lines not run, as ranges "FILE:A-B in FN" (consecutive lines of one
 * function, lines without code in between joined). */
static void not_run_ranges(const struct changed *c, void (*out)(void *, const char *, int, int, const char *),
			   void *arg)
{
	for (int i = 0; i < c->n; i++) {
		const struct cline *x = &c->l[i];
		int j = i, last = i;

		if (x->state != 0)
			continue;
		while (j + 1 < c->n && !strcmp(c->l[j + 1].file, x->file) &&
		       c->l[j + 1].line == c->l[j].line + 1 && c->l[j + 1].state <= 0 &&
		       (c->l[j + 1].state < 0 || !strcmp(c->l[j + 1].fn, x->fn))) {
			j++;
			if (c->l[j].state == 0)
				last = j;
		}
		out(arg, x->file, x->line, c->l[last].line, x->fn);
		i = last;
	}
}

/* ------------------------------------------------------------ the report */

struct diff {
	struct finding **added, **fixed;
	int nadded, nfixed, nnew, nknown;
	const char **sc_name, **sc_base, **sc_new;
	int nsc;
	const char **e_add, **e_del;        /* edges new / gone */
	int nadd, ndel;
	const char **s_add, **s_del;        /* known edges, created by new / no longer by these functions */
	int nsadd, nsdel;
	struct changed *cl;                 /* coverage of the changed lines (NULL: --compare) */
	int ngroups;                        /* root causes of the added findings */
};

/* Order the findings by root cause (groups in the order of their first
 * finding, stable within), each with its group key; the number of groups. */
static void group_findings(struct finding **f, int n, int *ngroups)
{
	const char **sigs = calloc((size_t)n + 1, sizeof(*sigs));
	int *grp = calloc((size_t)n + 1, sizeof(*grp));
	char (*keys)[256] = calloc((size_t)n + 1, sizeof(*keys));

	*ngroups = 0;
	if (!sigs || !grp || !keys)
		exit(2);
	for (int i = 0; i < n; i++)
		sigs[i] = f[i]->sig;
	sim_finding_groups(sigs, n, grp, keys);
	for (int i = 0; i < n; i++)
		snprintf(f[i]->group, sizeof(f[i]->group), "%s", keys[grp[i]]);
	free(sigs);
	free(grp);
	free(keys);
	for (int i = 0; i < n; i++) {
		bool first = true;

		for (int j = 0; j < i && first; j++)
			first = strcmp(f[j]->group, f[i]->group) != 0;
		*ngroups += first;
		if (!first)
			continue;
		/* pull the later members of this group up behind it */
		for (int j = i + 1, at = i + 1; j < n; j++)
			if (!strcmp(f[j]->group, f[i]->group)) {
				struct finding *x = f[j];

				memmove(&f[at + 1], &f[at], (size_t)(j - at) * sizeof(*f));
				f[at++] = x;
			}
	}
}

static int group_size(struct finding *const *f, int n, const char *g)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += !strcmp(f[i]->group, g);
	return k;
}

static void md_code(FILE *f, const char *s)
{
	fprintf(f, "`%s`", s);
}

/* "FROM -> TO\tSITE\theld since SITE" -> pieces */
static void edge_parts(const char *e, char *key, size_t kl, char *site, size_t sl)
{
	size_t n = edge_key_len(e);
	const char *s = e[n] ? e + n + 1 : "";
	const char *h = strchr(s, '\t');

	snprintf(key, kl, "%.*s", (int)n, e);
	/* "FUNC (file:line), held since FUNC (file:line)" */
	snprintf(site, sl, "%.*s%s%s", (int)strcspn(s, "\t"), s, h ? ", " : "", h ? h + 1 : "");
}

static void list_edges(FILE *f, bool md, const char *mark, const char *what,
		       const char **e, int n)
{
	char key[256], site[384];

	for (int i = 0; i < n; i++) {
		edge_parts(e[i], key, sizeof(key), site, sizeof(site));
		if (md)
			fprintf(f, "- **%s** `%s` %s %s\n", mark, key, what, site);
		else
			fprintf(f, "  %s %s\n      %s %s\n", mark, key, what, site);
	}
}

struct nr_out { FILE *f; int fmt; int n; };   /* fmt: 0 text, 1 md, 2 json */

static void nr_print(void *arg, const char *file, int from, int to, const char *fn)
{
	struct nr_out *o = arg;
	char at[64];

	if (from == to)
		snprintf(at, sizeof(at), "%s:%d", file, from);
	else
		snprintf(at, sizeof(at), "%s:%d-%d", file, from, to);
	if (o->fmt == 2) {
		fprintf(o->f, "%s{\"file\":", o->n ? "," : "");
		jout(o->f, file);
		fprintf(o->f, ",\"from\":%d,\"to\":%d,\"function\":", from, to);
		jout(o->f, fn);
		fprintf(o->f, "}");
	} else if (o->fmt == 1) {
		fprintf(o->f, "- not run: `%s` in `%s`\n", at, fn);
	} else {
		fprintf(o->f, "  not run: %s in %s\n", at, fn);
	}
	o->n++;
}

/* "changed lines: N of M ran ..." and the lines not run */
static void report_changed(FILE *f, const struct changed *c, bool md)
{
	struct nr_out o = { f, md, 0 };

	fprintf(f, "%s%schanged lines: ", md ? "\n" : "", md ? "### " : "");
	if (!c) {
		fprintf(f, "not measured (--compare: no trees)\n");
		return;
	}
	if (!c->measured) {
		fprintf(f, "not measured (%s)\n", c->why[0] ? c->why : "no changed lines");
		return;
	}
	if (!c->n) {
		fprintf(f, "none added or changed (the patches only delete driver lines)\n");
		return;
	}
	fprintf(f, "%d of %d ran (%d added or changed driver lines, %d without code of their own)\n",
		c->nran, c->ncode, c->n, c->n - c->ncode);
	not_run_ranges(c, nr_print, &o);
}

static void report_text(FILE *f, const struct review_opts *ro, const struct side *b,
			const struct side *n, const struct diff *d, bool md)
{
	const char *h = md ? "### " : "";

	if (md)
		fprintf(f, "## apsim review\n\n");
	else
		fprintf(f, "apsim review\n");
	fprintf(f, "%sbase %s, new %s%s%s\n", md ? "" : "  ", ro->base,
		ro->newtree ? ro->newtree : ro->base, ro->newtree ? "" : " + ",
		ro->newtree ? "" : "patches");
	for (int i = 0; !ro->newtree && i < ro->npatches; i++)
		fprintf(f, "%s  patch %d: %s\n", md ? "-" : "  ", i + 1, ro->patches[i]);
	if (shim_switches[0])
		fprintf(f, "%s  legacy shim switches of the patched tree: %s\n", md ? "-" : "  ", shim_switches);
	fprintf(f, "%s%d scenarios and %lld fuzz executions (seeds %llu..) on each tree\n\n",
		md ? "" : "  ", n->nscn, n->execs, (unsigned long long)ro->seed);

	fprintf(f, "%sfindings new in the patched tree: %d (%d new, %d also on base, %d known)%s",
		h, d->nadded, d->nnew, d->nadded - d->nnew - d->nknown, d->nknown, d->nadded ? "" : "\n");
	if (d->nadded)
		fprintf(f, ", %d root cause%s\n", d->ngroups, d->ngroups == 1 ? "" : "s");
	for (int i = 0; i < d->nadded; i++) {
		const struct finding *x = d->added[i];

		if (!i || strcmp(d->added[i - 1]->group, x->group)) {
			int k = group_size(d->added, d->nadded, x->group);

			if (md)
				fprintf(f, "- root cause `%s` (%d finding%s):\n", x->group, k, k == 1 ? "" : "s");
			else
				fprintf(f, "  root cause %s (%d finding%s)\n", x->group, k, k == 1 ? "" : "s");
		}
		if (md) {
			fprintf(f, "  - **%s** ", status_name[x->st]);
			md_code(f, x->sig);
			fprintf(f, " (%s; report: `%s/report.txt`)%s%s\n", x->where, x->dir,
				x->st == ST_KNOWN ? ": " : "", x->st == ST_KNOWN ? x->reason : "");
		} else {
			fprintf(f, "    %-13s %s\n    %13s %s -> %s/report.txt\n", status_name[x->st], x->sig, "",
				x->where, x->dir);
			if (x->st == ST_KNOWN)
				fprintf(f, "    %13s known: %s\n", "", x->reason);
		}
	}
	fprintf(f, "%s%sfindings fixed (on base, not in the patched tree): %d\n", md ? "\n" : "", h, d->nfixed);
	for (int i = 0; i < d->nfixed; i++) {
		if (md) {
			fprintf(f, "- ");
			md_code(f, d->fixed[i]->sig);
			fprintf(f, " (%s)\n", d->fixed[i]->where);
		} else {
			fprintf(f, "  fixed         %s\n  %13s %s\n", d->fixed[i]->sig, "", d->fixed[i]->where);
		}
	}
	fprintf(f, "%s%sscenarios whose outcome changed: %d\n", md ? "\n" : "", h, d->nsc);
	for (int k = 0; k < 2; k++) {
		const char *to = k ? "pass" : "fail";
		int m = 0;

		for (int i = 0; i < d->nsc; i++)
			if (!strcmp(d->sc_new[i], to)) {
				fprintf(f, "%s%s%s", m ? ", " : md ? "- " : "  ",
					m ? "" : k ? "fail -> pass: " : "pass -> fail: ", d->sc_name[i]);
				m++;
			}
		if (m)
			fputc('\n', f);
	}
	fprintf(f, "%s%slock-order edges: %d new, %d gone; %d created in new places, %d no longer in old ones\n",
		md ? "\n" : "", h, d->nadd, d->ndel, d->nsadd, d->nsdel);
	list_edges(f, md, "+", "in", d->e_add, d->nadd);
	list_edges(f, md, "-", "base: in", d->e_del, d->ndel);
	list_edges(f, md, "+site", "now also in", d->s_add, d->nsadd);
	list_edges(f, md, "-site", "no longer in", d->s_del, d->nsdel);
	report_changed(f, d->cl, md);
	fprintf(f, "%s%s\n", md ? "\n**result:** " : "result: ",
		d->nnew ? "NEW FINDINGS" : "nothing new");
	(void)b;
}

static void report_json(FILE *f, const struct review_opts *ro, const struct side *n,
			const struct diff *d)
{
	char key[256], site[384];

	fprintf(f, "{\"apsim\":\"%s\",\"base\":", apsim_version);
	jout(f, ro->base);
	fprintf(f, ",\"new\":");
	jout(f, ro->newtree ? ro->newtree : "");
	fprintf(f, ",\"patches\":[");
	for (int i = 0; !ro->newtree && i < ro->npatches; i++) {
		fprintf(f, "%s", i ? "," : "");
		jout(f, ro->patches[i]);
	}
	fprintf(f, "],\"scenarios\":%d,\"fuzz_executions\":%lld,\"seed\":%llu,\n\"findings\":[",
		n->nscn, n->execs, (unsigned long long)ro->seed);
	for (int i = 0; i < d->nadded; i++) {
		const struct finding *x = d->added[i];

		fprintf(f, "%s\n {\"status\":\"%s\",\"kind\":\"%s\",\"signature\":", i ? "," : "",
			status_name[x->st], x->kind);
		jout(f, x->sig);
		fprintf(f, ",\"group\":");
		jout(f, x->group);
		fprintf(f, ",\"where\":");
		jout(f, x->where);
		fprintf(f, ",\"dir\":");
		jout(f, x->dir);
		if (x->st == ST_KNOWN) {
			fprintf(f, ",\"known\":");
			jout(f, x->reason);
		}
		fprintf(f, "}");
	}
	fprintf(f, "],\n\"fixed\":[");
	for (int i = 0; i < d->nfixed; i++) {
		fprintf(f, "%s\n {\"kind\":\"%s\",\"signature\":", i ? "," : "", d->fixed[i]->kind);
		jout(f, d->fixed[i]->sig);
		fprintf(f, ",\"where\":");
		jout(f, d->fixed[i]->where);
		fprintf(f, "}");
	}
	fprintf(f, "],\n\"scenarios_changed\":[");
	for (int i = 0; i < d->nsc; i++) {
		fprintf(f, "%s{\"scenario\":", i ? "," : "");
		jout(f, d->sc_name[i]);
		fprintf(f, ",\"base\":\"%s\",\"new\":\"%s\"}", d->sc_base[i], d->sc_new[i]);
	}
	fprintf(f, "],\n\"lock_edges_added\":[");
	for (int i = 0; i < d->nadd; i++) {
		edge_parts(d->e_add[i], key, sizeof(key), site, sizeof(site));
		fprintf(f, "%s{\"edge\":", i ? "," : "");
		jout(f, key);
		fprintf(f, ",\"site\":");
		jout(f, site);
		fprintf(f, "}");
	}
	fprintf(f, "],\n\"lock_edges_removed\":[");
	for (int i = 0; i < d->ndel; i++) {
		edge_parts(d->e_del[i], key, sizeof(key), site, sizeof(site));
		fprintf(f, "%s{\"edge\":", i ? "," : "");
		jout(f, key);
		fprintf(f, ",\"base_site\":");
		jout(f, site);
		fprintf(f, "}");
	}
	for (int k = 0; k < 2; k++) {
		fprintf(f, "],\n\"%s\":[", k ? "lock_sites_removed" : "lock_sites_added");
		for (int i = 0; i < (k ? d->nsdel : d->nsadd); i++) {
			edge_parts(k ? d->s_del[i] : d->s_add[i], key, sizeof(key), site, sizeof(site));
			fprintf(f, "%s{\"edge\":", i ? "," : "");
			jout(f, key);
			fprintf(f, ",\"site\":");
			jout(f, site);
			fprintf(f, "}");
		}
	}
	fprintf(f, "],\n\"changed_lines\":");
	if (!d->cl || !d->cl->measured) {
		fprintf(f, "{\"measured\":false,\"why\":");
		jout(f, !d->cl ? "--compare: no trees" : d->cl->why);
		fprintf(f, "}");
	} else {
		struct nr_out o = { f, 2, 0 };

		fprintf(f, "{\"measured\":true,\"changed\":%d,\"with_code\":%d,\"ran\":%d,\"not_run\":[",
			d->cl->n, d->cl->ncode, d->cl->nran);
		not_run_ranges(d->cl, nr_print, &o);
		fprintf(f, "]}");
	}
	fprintf(f, ",\n\"result\":\"%s\"}\n", d->nnew ? "new findings" : "nothing new");
}

static void xml(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: if ((unsigned char)*s >= 0x20) fputc(*s, f);
		}
}

static int report_junit(const char *path, const struct diff *d)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "apsim: review: --junit %s: %s\n", path, strerror(errno));
		return CLI_EXIT_WRITE;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuite name=\"apsim review\" tests=\"%d\" failures=\"%d\">\n",
		d->nadded + 1, d->nnew);
	fprintf(f, "  <testcase classname=\"apsim.review\" name=\"no new findings\">%s</testcase>\n",
		d->nnew ? "<failure message=\"the patched tree has new findings\"/>" : "");
	for (int i = 0; i < d->nadded; i++) {
		const struct finding *x = d->added[i];

		fprintf(f, "  <testcase classname=\"apsim.review.%s\" name=\"", x->kind);
		xml(f, x->sig);
		fprintf(f, "\">");
		if (x->st == ST_NEW) {
			fprintf(f, "<failure message=\"new finding (root cause ");
			xml(f, x->group);
			fprintf(f, "; ");
			xml(f, x->where);
			fprintf(f, "; ");
			xml(f, x->dir);
			fprintf(f, "/report.txt)\"/>");
		} else {
			fprintf(f, "<skipped message=\"%s\"/>", status_name[x->st]);
		}
		fprintf(f, "</testcase>\n");
	}
	/* coverage of the changed lines: information, never a failure */
	if (d->cl && d->cl->measured) {
		struct nr_out o = { f, 0, 0 };

		fprintf(f, "  <testcase classname=\"apsim.review\" name=\"changed lines: %d of %d ran\">"
			"<system-out>", d->cl->nran, d->cl->ncode);
		{
			char *buf = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&buf, &len);

			if (m) {
				o.f = m;
				not_run_ranges(d->cl, nr_print, &o);
				fclose(m);
				xml(f, buf);
				free(buf);
			}
		}
		fprintf(f, "</system-out></testcase>\n");
	}
	fprintf(f, "</testsuite>\n");
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "apsim: review: cannot write %s\n", path);
		return CLI_EXIT_WRITE;
	}
	return 0;
}

/* ------------------------------------------------------------ the command */

static void push(const char ***arr, int *n, const char *v)
{
	*arr = realloc(*arr, (size_t)(*n + 1) * sizeof(**arr));
	if (!*arr)
		exit(2);
	(*arr)[(*n)++] = v;
}

int cli_review(int argc, char **argv)
{
	struct review_opts ro = { .seed = 1, .iterations = 100000, .out = "apsim-out/review" };
	char cache[PATH_MAX], top[PATH_MAX], kb[PATH_MAX], kn[PATH_MAX], scdir[PATH_MAX + 16];
	struct side b = { .name = "base" }, n = { .name = "new" };
	struct diff d = { 0 };
	char **scns = NULL;
	int nscns = 0, rc, bad_build, fail;
	bool have_iter = false;

	ro.patches = calloc((size_t)argc + 1, sizeof(char *));
	ro.scn_paths = calloc((size_t)argc + 1, sizeof(char *));
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--bisect"))
			ro.bisect = true;
	/* in --bisect mode a build or patch error means "skip this commit"
	 * (125); usage errors abort the bisection (128) */
	bad_build = ro.bisect ? 125 : 2;
#define USAGE(...) return (cli_usage_error("review", __VA_ARGS__), ro.bisect ? 128 : 2)
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long x;

#define NEED() do { if (!v || !v[0]) USAGE("option %s needs a value", a); i++; } while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_review, stdout);
			return 0;
		} else if (!strcmp(a, "--base")) {
			NEED();
			ro.base = v;
		} else if (!strcmp(a, "--new")) {
			NEED();
			ro.newtree = v;
		} else if (!strcmp(a, "--patch")) {
			NEED();
			ro.patches[ro.npatches++] = (char *)v;
			while (i + 1 < argc && argv[i + 1][0] != '-')
				ro.patches[ro.npatches++] = argv[++i];
		} else if (!strcmp(a, "--scenarios")) {
			NEED();
			ro.scn_paths[ro.nscn_paths++] = (char *)v;
			while (i + 1 < argc && argv[i + 1][0] != '-')
				ro.scn_paths[ro.nscn_paths++] = argv[++i];
		} else if (!strcmp(a, "--new-shim")) {
			NEED();
			do {
				size_t l = strlen(shim_switches);

				snprintf(shim_switches + l, sizeof(shim_switches) - l, "%s%s", l ? " " : "",
					 argv[i]);
			} while (i + 1 < argc && argv[i + 1][0] != '-' && ++i);
		} else if (!strcmp(a, "--seed")) {
			NEED();
			if (cli_parse_u64(v, &ro.seed))
				USAGE("--seed: expected 0..2^64-1, got '%s'", v);
		} else if (!strcmp(a, "--iterations")) {
			NEED();
			if (cli_parse_long(v, 1, 1000000000L, &ro.iterations))
				USAGE("--iterations: expected 1..10^9, got '%s'", v);
			have_iter = true;
		} else if (!strcmp(a, "--time")) {
			NEED();
			if (cli_parse_long(v, 1, 86400, &ro.time))
				USAGE("--time: expected 1..86400 seconds, got '%s'", v);
		} else if (!strcmp(a, "--known")) {
			NEED();
			ro.known_file = v;
		} else if (!strcmp(a, "--out")) {
			NEED();
			ro.out = v;
		} else if (!strcmp(a, "--junit")) {
			NEED();
			if ((x = cli_check_out_file("review", "--junit", v)))
				return ro.bisect ? 128 : (int)x;
			ro.junit = v;
		} else if (!strcmp(a, "--format")) {
			NEED();
			if (!strcmp(v, "text"))
				ro.fmt = FMT_TEXT;
			else if (!strcmp(v, "md") || !strcmp(v, "markdown"))
				ro.fmt = FMT_MD;
			else if (!strcmp(v, "json"))
				ro.fmt = FMT_JSON;
			else
				USAGE("--format: expected text|md|json, got '%s'", v);
		} else if (!strcmp(a, "--bisect")) {
			;
		} else if (!strcmp(a, "--compare")) {
			NEED();
			if (i + 1 >= argc || !argv[i + 1][0])
				USAGE("%s", "--compare needs two directories: BASE-OUT NEW-OUT");
			ro.cmp_base = v;
			ro.cmp_new = argv[++i];
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else {
			USAGE(a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", a);
		}
#undef NEED
	}
	if (ro.cmp_base) {
		if (ro.base || ro.newtree || ro.npatches)
			USAGE("%s", "--compare BASE-OUT NEW-OUT compares outputs: no --base, --new or --patch");
		if (ro.known_file && cli_known_load("review", ro.known_file, &ro.known))
			return 2;
		snprintf(b.out, sizeof(b.out), "%s", ro.cmp_base);
		snprintf(n.out, sizeof(n.out), "%s", ro.cmp_new);
		ro.base = ro.cmp_base;
		ro.newtree = ro.cmp_new;
		if (load_side(&b) || load_side(&n))
			return 2;
		goto compare;
	}
	/* an error of apsim or of its input, not of the commit: --bisect stops */
	fail = ro.bisect ? 128 : 2;
	if (!ro.base)
		USAGE("%s", "--base TREE is required");
	if (!ro.newtree == !ro.npatches)
		USAGE("%s", "give either --patch FILE... or --new TREE");
	if (ro.time && have_iter)
		USAGE("%s", "--time and --iterations: give one fuzz budget");
	if (ro.time)
		ro.iterations = 0;
	if (ro.known_file && cli_known_load("review", ro.known_file, &ro.known))
		return fail;
	if (apsim_top(top, sizeof(top))) {
		fprintf(stderr, "apsim: review: cannot find the apsim checkout of this binary "
			"(its Makefile builds the trees)\n");
		return fail;
	}
	if (cache_dir(cache, sizeof(cache))) {
		fprintf(stderr, "apsim: review: no cache directory (set APSIM_CACHE_DIR or HOME)\n");
		return fail;
	}
	/* --out (given or the default) before the builds, which take minutes */
	if (cli_check_out_dir("review", "--out", ro.out))
		return fail;
	/* trees and builds */
	if ((rc = stage_tree(cache, top, ro.base, NULL, 0, kb, sizeof(kb))))
		return bad_build;
	shim_now = shim_switches;
	if ((rc = stage_tree(cache, top, ro.newtree ? ro.newtree : ro.base, ro.patches,
			     ro.newtree ? 0 : ro.npatches, kn, sizeof(kn))))
		return bad_build;
	shim_now = "";
	if (build_tree(top, kb, "base", b.bin, sizeof(b.bin)))
		return bad_build;
	shim_now = shim_switches;
	if (build_tree(top, kn, "new", n.bin, sizeof(n.bin)))
		return bad_build;
	shim_now = "";
	/* runs: both trees at once, or the new tree first (a --time budget
	 * fixes the seeds): run_sides */
	snprintf(scdir, sizeof(scdir), "%s/scenarios", top);
	if (!ro.nscn_paths)
		ro.scn_paths[ro.nscn_paths++] = scdir;
	for (int i = 0; i < ro.nscn_paths; i++) {
		struct stat sb;
		char *ab = realpath(ro.scn_paths[i], NULL);

		if (!ab || stat(ab, &sb)) {
			fprintf(stderr, "apsim: review: --scenarios %s: %s\n", ro.scn_paths[i], strerror(errno));
			return fail;
		}
		if (S_ISDIR(sb.st_mode)) {
			collect_scenarios(ab, &scns, &nscns);
			free(ab);
		} else {
			scns = realloc(scns, (size_t)(nscns + 2) * sizeof(*scns));
			if (!scns)
				exit(2);
			scns[nscns++] = ab;
		}
	}
	if (!nscns) {
		fprintf(stderr, "apsim: review: no scenarios in %s\n", ro.scn_paths[0]);
		return fail;
	}
	snprintf(b.out, sizeof(b.out), "%s/base", ro.out);
	snprintf(n.out, sizeof(n.out), "%s/new", ro.out);
	if (mkdirs(ro.out)) {
		fprintf(stderr, "apsim: review: --out %s: %s\n", ro.out, strerror(errno));
		return fail;
	}
	/* (a failed run is apsim's trouble, not the commit's: --bisect stops) */
	if ((rc = run_sides(&n, &b, &ro, scns, nscns)))
		return ro.bisect ? 128 : rc;
	/* which changed lines ran (the new tree's counters) */
	{
		static struct changed cl;
		char tmp[PATH_MAX + 16], g[PATH_MAX + 16];

		snprintf(tmp, sizeof(tmp), "%s/changed.diff", n.out);
		snprintf(g, sizeof(g), "%s/gcov", n.out);
		if (!changed_lines(&cl, kb, kn, tmp))
			changed_cover(&cl, kn, g);
		d.cl = &cl;
	}
	/* re-runs of findings on the base keep its counters out of the cache */
	{
		char g[PATH_MAX + 16], abs[PATH_MAX];

		snprintf(g, sizeof(g), "%s/gcov", b.out);
		if (realpath(g, abs)) {
			setenv("GCOV_PREFIX", abs, 1);
			setenv("GCOV_PREFIX_STRIP", "999", 1);
		}
	}
compare:
	/* findings of the new tree that base did not show */
	for (int i = 0; i < n.nf; i++) {
		struct finding *x = &n.f[i];
		const struct apsim_known_entry *k;

		if (find_sig(&b, x->sig))
			continue;
		if ((k = apsim_known_match(&ro.known, x->sig))) {
			x->st = ST_KNOWN;
			snprintf(x->reason, sizeof(x->reason), "%s", k->reason);
		} else {
			if (b.bin[0])
				progress("re-running %s on the base tree%s", x->sig, "");
			x->st = seen_on_base(&b, x, ro.out) ? ST_ALSO_BASE : ST_NEW;
		}
		d.added = realloc(d.added, (size_t)(d.nadded + 1) * sizeof(*d.added));
		d.added[d.nadded++] = x;
		d.nnew += x->st == ST_NEW;
		d.nknown += x->st == ST_KNOWN;
	}
	group_findings(d.added, d.nadded, &d.ngroups);
	for (int i = 0; i < b.nf; i++)
		if (!find_sig(&n, b.f[i].sig)) {
			d.fixed = realloc(d.fixed, (size_t)(d.nfixed + 1) * sizeof(*d.fixed));
			d.fixed[d.nfixed++] = &b.f[i];
		}
	for (int i = 0; i < n.nscn; i++)
		for (int j = 0; j < b.nscn; j++)
			if (!strcmp(n.scn[i], b.scn[j]) && strcmp(n.result[i], b.result[j])) {
				int k = d.nsc;

				push(&d.sc_name, &k, n.scn[i]);
				k = d.nsc;
				push(&d.sc_base, &k, b.result[j]);
				push(&d.sc_new, &d.nsc, n.result[i]);
			}
	for (int i = 0; i < n.nedge; i++)
		if (!has_edge(&b, n.edge[i]))
			push(&d.e_add, &d.nadd, n.edge[i]);
		else if (!has_site(&b, n.edge[i]))
			push(&d.s_add, &d.nsadd, n.edge[i]);
	for (int i = 0; i < b.nedge; i++)
		if (!has_edge(&n, b.edge[i]))
			push(&d.e_del, &d.ndel, b.edge[i]);
		else if (!has_site(&n, b.edge[i]))
			push(&d.s_del, &d.nsdel, b.edge[i]);
	if (ro.fmt == FMT_JSON)
		report_json(stdout, &ro, &n, &d);
	else
		report_text(stdout, &ro, &b, &n, &d, ro.fmt == FMT_MD);
	rc = d.nnew ? CLI_EXIT_FINDING : CLI_EXIT_OK;
	if (ro.junit && report_junit(ro.junit, &d) && !ro.bisect)
		rc = CLI_EXIT_WRITE;
	if (fflush(stdout) && !ro.bisect)
		rc = CLI_EXIT_WRITE;
	return rc;
}
