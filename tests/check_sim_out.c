/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_out.c - results on disk (sim/out.c): shell quoting (exact
 * words, and a round trip through sh for hostile strings), JSON strings,
 * atomic writes, mkdir -p, and a finding's directory whose replay.sh is run
 * with sh for scenario, directory and binary names that try to run a
 * command: nothing may run, the stub binary must get the exact arguments,
 * and a fuzz-style directory must replay after being moved.
 */
#include "check_util.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static char *quoted(const char *s)
{
	char *q = NULL;

	TU_CAPTURE(q, sim_out_sh_quote(out, s));
	return q;
}

START_TEST(sh_quote_words)
{
	static const char *const cases[][2] = {
		{ "abc", "'abc'" },
		{ "", "''" },
		{ "a'b", "'a'\\''b'" },
		{ "'", "''\\'''" },
		{ "$(touch x) `y` \"z\"", "'$(touch x) `y` \"z\"'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *q = quoted(cases[i][0]);

		ck_assert_str_eq(q, cases[i][1]);
		free(q);
	}
}
END_TEST

/* A scratch directory (cwd of the shells this test runs). */
static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_sim_out.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(chdir(tmpdir), 0);
}

static void remove_tmpdir(void)
{
	char cmd[128];

	ck_assert_int_eq(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static bool exists(const char *dir, const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

START_TEST(sh_quote_round_trip)
{
	static const char *const hostile[] = {
		"$(touch PWNED)", "`touch PWNED`", "'; touch PWNED; '", "a'b'c",
		"\"$(touch PWNED)\"", "back\\slash\\", "two\nlines", "*", "$HOME",
		"x && touch PWNED", "''", "\\'",
	};

	make_tmpdir();
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		char *q = quoted(hostile[i]), *cmd = NULL, got[256];
		size_t n;
		FILE *p;

		TU_CAPTURE(cmd, fprintf(out, "printf %%s %s", q));
		p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		n = fread(got, 1, sizeof(got) - 1, p);
		got[n] = 0;
		ck_assert_int_eq(pclose(p), 0);
		ck_assert_str_eq(got, hostile[i]);
		free(q);
		free(cmd);
	}
	ck_assert(!exists(tmpdir, "PWNED"));
	remove_tmpdir();
}
END_TEST

START_TEST(json_string)
{
	char *s = NULL;

	TU_CAPTURE(s, sim_out_json_str(out, "a\"b\\c\n\x01\xc3\xa9"));
	ck_assert_str_eq(s, "\"a\\\"b\\\\c\\u000a\\u0001\xc3\xa9\"");
	free(s);
	TU_CAPTURE(s, sim_out_json_str(out, NULL));
	ck_assert_str_eq(s, "\"\"");
	free(s);
}
END_TEST

static void fill_hello(FILE *f, void *arg)
{
	fputs(arg, f);
}

START_TEST(atomic_write_and_mkdirs)
{
	char p[PATH_MAX], got[32] = "";
	FILE *f;

	make_tmpdir();
	snprintf(p, sizeof(p), "%s/a/b/c", tmpdir);
	ck_assert_int_eq(sim_out_mkdirs(p), 0);
	ck_assert_int_eq(sim_out_mkdirs(p), 0);	/* exists: fine */
	snprintf(p, sizeof(p), "%s/a/b/c/f.txt", tmpdir);
	ck_assert_int_eq(sim_out_write_atomic(p, fill_hello, "hello\n"), 0);
	f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(got, sizeof(got), f));
	fclose(f);
	ck_assert_str_eq(got, "hello\n");
	ck_assert(!exists(tmpdir, "a/b/c/f.txt.tmp"));
	snprintf(p, sizeof(p), "%s/missing/f.txt", tmpdir);
	ck_assert_int_eq(sim_out_write_atomic(p, fill_hello, "x"), -ENOENT);
	remove_tmpdir();
}
END_TEST

/* ------------------------------------------------------- finding dirs */

static void warn_prog(void *arg)
{
	sim_report(SIM_F_WARN, false, "warn:out-test", "WARNING: out test\n");
}

/* The stub apsim: writes its arguments, one per line, to $ARGV_OUT. */
static void make_stub(const char *dir, char *bin, size_t len)
{
	FILE *f;

	ck_assert_int_eq(sim_out_mkdirs(dir), 0);
	snprintf(bin, len, "%s/apsim", dir);
	f = fopen(bin, "w");
	ck_assert_ptr_nonnull(f);
	fputs("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$ARGV_OUT\"\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(bin, 0755), 0);
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs("# scenario\n", f);
	fclose(f);
}

/* Write finding dir for scn with the stub, check the files, run replay.sh
 * (from `run_dir` if not NULL: the directory after a move) and compare the
 * stub's argv with the expected scenario and schedule paths. */
static void replay_case(const char *dir, const char *scn, const char *bin,
			const char *run_dir, const char *run_scn)
{
	const struct sim_finding *f = tu_find(SIM_F_WARN);
	struct sim_out_finding o = {
		.f = f, .header = "header line\n", .trace_width = 30,
		.replay_bin = bin, .scn_path = scn,
	};
	static const char *const files[] = {
		"report.txt", "schedule.txt", "replay.sh", "trace.txt", "trace.json",
		"lockdep.dot",
	};
	char p[PATH_MAX], argv_out[PATH_MAX], want[4 * PATH_MAX], *cmd = NULL, *got = NULL;
	char rdir[PATH_MAX], rscn[PATH_MAX];
	struct stat st;
	FILE *in;
	size_t n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sim_out_write_finding(dir, &o), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ck_assert_msg(exists(dir, files[i]), "%s missing", files[i]);
	snprintf(p, sizeof(p), "%s/report.txt", dir);
	in = fopen(p, "r");
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(fgets(want, sizeof(want), in));
	ck_assert_str_eq(want, "header line\n");
	ck_assert_ptr_nonnull(fgets(want, sizeof(want), in));
	ck_assert_str_eq(want, "finding: warn (warn:out-test) at step 0\n");
	fclose(in);
	snprintf(p, sizeof(p), "%s/replay.sh", dir);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert(st.st_mode & S_IXUSR);

	if (run_dir) {
		ck_assert_ptr_nonnull(realpath(run_dir, rdir));
		ck_assert_ptr_nonnull(realpath(run_scn, rscn));
	} else {
		ck_assert_ptr_nonnull(realpath(dir, rdir));
		ck_assert_ptr_nonnull(realpath(scn, rscn));
	}
	snprintf(argv_out, sizeof(argv_out), "%s/argv.txt", tmpdir);
	unlink(argv_out);
	ck_assert_int_eq(setenv("ARGV_OUT", argv_out, 1), 0);
	snprintf(p, sizeof(p), "%s/replay.sh", rdir);
	TU_CAPTURE(cmd, (fputs("sh ", out), sim_out_sh_quote(out, p),
			 fputs(" extra 'arg two'", out)));
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);

	/* the scenario may be named through $d/..: compare the file it names */
	in = fopen(argv_out, "r");
	ck_assert_ptr_nonnull(in);
	got = calloc(1, 4 * PATH_MAX);
	n = fread(got, 1, 4 * PATH_MAX - 1, in);
	got[n] = 0;
	fclose(in);
	{
		char *scn_arg = strchr(got, '\n') + 1, *rest = strchr(scn_arg, '\n');
		char rgot[PATH_MAX];

		*rest++ = 0;
		ck_assert(!strncmp(got, "run\n", 4));
		ck_assert_ptr_nonnull(realpath(scn_arg, rgot));
		ck_assert_str_eq(rgot, rscn);
		snprintf(want, sizeof(want), "--schedule\n%s/schedule.txt\nextra\narg two\n", rdir);
		ck_assert_str_eq(rest, want);
	}
	free(got);
}

START_TEST(finding_dir_hostile_names)
{
	char bin[PATH_MAX], parent[PATH_MAX], dir[PATH_MAX], scn[PATH_MAX];
	char moved[PATH_MAX], mdir[PATH_MAX], mscn[PATH_MAX], elsewhere[PATH_MAX];
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 1);

	make_tmpdir();
	ck_assert_int_eq(sim_run(&o, warn_prog, NULL, NULL, NULL), 0);
	snprintf(parent, sizeof(parent), "%s/b'in $(touch PWNED)", tmpdir);
	make_stub(parent, bin, sizeof(bin));

	/* fuzz layout: the scenario one level up, then the tree moved */
	snprintf(parent, sizeof(parent), "%s/o'ut$(touch PWNED)", tmpdir);
	snprintf(dir, sizeof(dir), "%s/min`touch PWNED`", parent);
	snprintf(scn, sizeof(scn), "%s/a$(touch PWNED)'.scn", parent);
	ck_assert_int_eq(sim_out_mkdirs(parent), 0);
	touch(scn);
	replay_case(dir, scn, bin, NULL, NULL);
	snprintf(moved, sizeof(moved), "%s/moved \"$(touch PWNED)\"", tmpdir);
	ck_assert_int_eq(rename(parent, moved), 0);
	snprintf(mdir, sizeof(mdir), "%s/min`touch PWNED`", moved);
	snprintf(mscn, sizeof(mscn), "%s/a$(touch PWNED)'.scn", moved);
	replay_case(mdir, mscn, bin, mdir, mscn);
	/* ... the same with the scenario inside the finding's directory */
	snprintf(dir, sizeof(dir), "%s/min`touch PWNED`", moved);
	snprintf(scn, sizeof(scn), "%s/in;touch PWNED'.scn", dir);
	touch(scn);
	replay_case(dir, scn, bin, NULL, NULL);
	/* apsim run layout: the scenario anywhere (absolute path) */
	snprintf(elsewhere, sizeof(elsewhere), "%s/x\"y'z $(touch PWNED)", tmpdir);
	ck_assert_int_eq(sim_out_mkdirs(elsewhere), 0);
	snprintf(scn, sizeof(scn), "%s/s`touch PWNED`.scn", elsewhere);
	touch(scn);
	snprintf(dir, sizeof(dir), "%s/run/01-warn", tmpdir);
	replay_case(dir, scn, bin, NULL, NULL);

	ck_assert(!exists(tmpdir, "PWNED"));
	ck_assert(!exists(dir, "PWNED"));
	ck_assert(!exists(moved, "PWNED"));
	remove_tmpdir();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sim_out");
	TCase *tc = tcase_create("out");

	tcase_add_test(tc, sh_quote_words);
	tcase_add_test(tc, sh_quote_round_trip);
	tcase_add_test(tc, json_string);
	tcase_add_test(tc, atomic_write_and_mkdirs);
	tcase_add_test(tc, finding_dir_hostile_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
