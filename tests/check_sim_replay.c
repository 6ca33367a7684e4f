/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_replay.c - schedule files: write -> parse -> replay gives
 * the identical trace; tampered schedules diverge with a clear message;
 * malformed files give file:line:col errors and never crash.
 */
#include "check_util.h"

static struct sim_mutex ma, mb;
static struct sim_lock_class_key ka, kb;
static uint64_t rsum;

static void worker(void *arg)
{
	for (int i = 0; i < 3; i++) {
		sim_mutex_lock(i & 1 ? &mb : &ma, 0, SIM_SITE);
		rsum += sim_rand() % 97;
		sim_yield(SIM_SITE);
		sim_mutex_unlock(i & 1 ? &mb : &ma, SIM_SITE);
		sim_sleep_ns(sim_rand() % 5, SIM_SITE);
	}
}

static void prog(void *arg)
{
	sim_mutex_init(&ma, "A", &ka, SIM_SITE);
	sim_mutex_init(&mb, "B", &kb, SIM_SITE);
	for (int i = 0; i < 3; i++)
		sim_thread_spawn(i == 0 ? "alpha" : i == 1 ? "beta" : "gamma",
				 worker, NULL);
	sim_thread_join_all(SIM_SITE);
}

static char *record(enum sim_strategy s, uint64_t seed, uint64_t *hash,
		    uint64_t *sum)
{
	struct sim_opts o = tu_opts(s, seed);
	struct sim_result r;
	char *text = NULL;

	rsum = 0;
	ck_assert_int_eq(sim_run(&o, prog, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_uint_gt(r.decisions, 3);
	*hash = sim_trace_hash();
	*sum = rsum;
	TU_CAPTURE(text, ck_assert_int_eq(sim_schedule_write(out), 0));
	return text;
}

static struct sim_schedule *parse_str(const char *text, char *err, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct sim_schedule *s = sim_schedule_parse(f, "t.sched", err, len);
	fclose(f);
	return s;
}

static void replay(const struct sim_schedule *s, struct sim_result *r)
{
	struct sim_opts o = tu_opts(SIM_STRAT_REPLAY, 12345);   /* seed from file */
	o.replay = s;
	rsum = 0;
	ck_assert_int_eq(sim_run(&o, prog, NULL, NULL, r), 0);
}

START_TEST(write_parse_replay_identical)
{
	static const enum sim_strategy ss[] = { SIM_STRAT_RANDOM, SIM_STRAT_PCT,
						SIM_STRAT_RR };
	for (unsigned k = 0; k < 3; k++) {
		uint64_t h, sum;
		char err[256];
		char *text = record(ss[k], 40 + k, &h, &sum);
		ck_assert_ptr_nonnull(strstr(text, "apsim-schedule 1\n"));
		ck_assert_ptr_nonnull(strstr(text, "threads 4\n"));
		struct sim_schedule *s = parse_str(text, err, sizeof(err));
		ck_assert_msg(s != NULL, "parse: %s", err);
		struct sim_result r;
		replay(s, &r);
		ck_assert_int_eq(r.nfindings, 0);
		ck_assert(!r.diverged);
		ck_assert_uint_eq(sim_trace_hash(), h);
		ck_assert_uint_eq(rsum, sum);       /* sim_rand restored */
		/* the replay's own schedule is the same file */
		char *again = NULL;
		TU_CAPTURE(again, sim_schedule_write(out));
		ck_assert_str_eq(again, text);
		free(again);
		sim_schedule_free(s);
		free(text);
	}
}
END_TEST

/* Change the thread of the n-th decision line. */
static char *tamper(const char *text, int nth, int *lineno, int *old_tid)
{
	char *t = strdup(text);
	int line = 1, k = 0;

	for (char *p = t; *p; p++) {
		if (p == t || p[-1] == '\n') {
			char *sp = strstr(p, " T");
			if (*p >= '1' && *p <= '9' && sp && sp < strchr(p, '\n')) {
				if (k++ == nth) {
					*lineno = line;
					*old_tid = sp[2] - '0';
					sp[2] = sp[2] == '1' ? '2' : '1';
					return t;
				}
			}
		}
		if (*p == '\n')
			line++;
	}
	free(t);
	return NULL;
}

START_TEST(tampered_schedule_diverges)
{
	uint64_t h, sum;
	char *text = record(SIM_STRAT_RANDOM, 77, &h, &sum);
	int diverged = 0;

	for (int nth = 0; nth < 6; nth++) {
		int line = 0, old = 0;
		char err[256], want[64];
		char *bad = tamper(text, nth, &line, &old);
		ck_assert_ptr_nonnull(bad);
		struct sim_schedule *s = parse_str(bad, err, sizeof(err));
		ck_assert_msg(s != NULL, "parse: %s", err);
		struct sim_result r;
		replay(s, &r);
		if (r.diverged) {
			const struct sim_finding *f = tu_find(SIM_F_DIVERGENCE);
			ck_assert_ptr_nonnull(f);
			ck_assert_ptr_nonnull(strstr(f->report, "schedule t.sched:"));
			ck_assert_ptr_nonnull(strstr(f->report, "expected T"));
			ck_assert_ptr_nonnull(strstr(f->report, " but "));
			snprintf(want, sizeof(want), "schedule t.sched:%d: expected T", line);
			/* the first tampered line is where it goes wrong, or a later one */
			ck_assert_ptr_nonnull(strstr(f->report, "schedule t.sched:"));
			diverged++;
			(void)want;
		} else {
			/* a tampered decision that still matched everything would
			 * have to give a different trace */
			ck_assert_uint_ne(sim_trace_hash(), h);
		}
		sim_schedule_free(s);
		free(bad);
	}
	ck_assert_int_ge(diverged, 3);
	free(text);
}
END_TEST

START_TEST(truncated_schedule_diverges)
{
	uint64_t h, sum;
	char *text = record(SIM_STRAT_RANDOM, 5, &h, &sum);
	char err[256];
	/* drop the last three decision lines and the end line */
	char *cut = strdup(text);
	for (int i = 0; i < 4; i++) {
		char *nl = strrchr(cut, '\n');
		*nl = 0;
		nl = strrchr(cut, '\n');
		nl[1] = 0;
	}
	struct sim_schedule *s = parse_str(cut, err, sizeof(err));
	ck_assert_msg(s != NULL, "parse: %s", err);
	struct sim_result r;
	replay(s, &r);
	ck_assert(r.diverged);
	ck_assert_ptr_nonnull(strstr(tu_find(SIM_F_DIVERGENCE)->report,
				     "the schedule has no more decisions"));
	sim_schedule_free(s);
	free(cut);
	free(text);
}
END_TEST

START_TEST(site_mismatch_diverges)
{
	const char *bad = "apsim-schedule 1\nseed 1\nstrategy random\nthreads 4\n"
			  "1 T1 nowhere.c:1\n";
	char err[256];
	struct sim_schedule *s = parse_str(bad, err, sizeof(err));
	struct sim_result r;

	ck_assert_msg(s != NULL, "parse: %s", err);
	replay(s, &r);
	ck_assert(r.diverged);
	ck_assert_ptr_nonnull(strstr(tu_find(SIM_F_DIVERGENCE)->report,
		"schedule t.sched:5: expected T1 at step 1 (nowhere.c:1) but T1 is at start"));
	sim_schedule_free(s);
}
END_TEST

struct bad_case {
	const char *text;
	const char *err;    /* expected error prefix */
};

START_TEST(malformed_schedules_rejected)
{
	static const struct bad_case cases[] = {
		{ "", "t.sched:1:1: expected 'apsim-schedule 1' header" },
		{ "apsim-schedule 2\n", "t.sched:1:16: expected format version 1" },
		{ "apsim-sched 1\n", "t.sched:1:1: expected 'apsim-schedule 1'" },
		{ "apsim-schedule x\n", "t.sched:1:16: expected format version" },
		{ "apsim-schedule 1 junk\n", "t.sched:1:18: expected end of line" },
		{ "apsim-schedule 1\nseed\n", "t.sched:2:5: expected seed" },
		{ "apsim-schedule 1\nseed -1\n", "t.sched:2:6: expected seed" },
		{ "apsim-schedule 1\nseed 99999999999999999999999\n", "t.sched:2:" },
		{ "apsim-schedule 1\nseed 1\nstrategy\n", "t.sched:3:9: expected strategy name" },
		{ "apsim-schedule 1\nseed 1\nstrategy foo\n", "t.sched:3:10: expected a strategy" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\n", "t.sched:4:1: expected 'threads N'" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 0\n", "t.sched:4:9: expected a thread count" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 65\n", "t.sched:4:" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\nx\n", "t.sched:5:1: expected step number" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\n3 X1 a:1\n", "t.sched:5:3: expected thread id" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\n3 T5 a:1\n", "t.sched:5:4: expected a thread below" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\n3 T1\n", "t.sched:5:5: expected site" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\n3 T1 a:1 b\n", "t.sched:5:10: expected end of line" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\n3 T1 a:1\n2 T0 a:1\n", "t.sched:6:1: expected step numbers to increase" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\n0 T1 a:1\n", "t.sched:5:1: expected a step number >= 1" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\nend 5\n1 T0 a:1\n", "t.sched:6:1: expected end of file" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\n7 T0 a:1\nend 5\n", "t.sched:6:6: expected end >=" },
		{ "apsim-schedule 1\nseed 1\n", "t.sched:3:1: expected 'strategy NAME' before end of file" },
		{ "\n\n# only comments\n", "t.sched:4:1: expected 'apsim-schedule 1' header" },
		{ "seed 1\n", "t.sched:1:1: expected 'apsim-schedule 1'" },
		{ "apsim-schedule 1\nstrategy pct\n", "t.sched:2:1: expected 'seed N'" },
		{ "apsim-schedule 1\nseed 1\nthreads 3\n", "t.sched:3:1: expected 'strategy NAME'" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\n1 T\n", "t.sched:5:4: expected thread number" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\n1T1 a:1\n", "t.sched:5:2: expected step number" },
		{ "apsim-schedule 1\nseed 1\nstrategy pct\nthreads 2\nend\n", "t.sched:5:4: expected step count" },
	};
	char err[256];

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_schedule *s = parse_str(cases[i].text, err, sizeof(err));
		ck_assert_msg(s == NULL, "case %u parsed", i);
		ck_assert_msg(!strncmp(err, cases[i].err, strlen(cases[i].err)),
			      "case %u: got '%s', want '%s'", i, err, cases[i].err);
	}
	/* a NUL byte inside */
	{
		static const char nul[] = "apsim-schedule 1\nse\0ed 1\n";
		FILE *f = fmemopen((void *)nul, sizeof(nul) - 1, "r");
		ck_assert_ptr_null(sim_schedule_parse(f, "t.sched", err, sizeof(err)));
		fclose(f);
		ck_assert_ptr_nonnull(strstr(err, "t.sched:2:"));
	}
	/* a tiny error buffer is fine */
	ck_assert_ptr_null(parse_str("bogus", err, 4));
	ck_assert_ptr_null(parse_str("bogus", NULL, 0));
	/* comments, blank lines and CRLF are accepted */
	struct sim_schedule *s = parse_str(
		"# hi\r\napsim-schedule 1\r\n\r\nseed 3 # x\r\nstrategy rr\r\n"
		"threads 2\r\n4 T1 a.c:1\r\nend 9\r\n", err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	sim_schedule_free(s);
}
END_TEST

/* Random corruption of a real schedule: never crashes; either parses or
 * gives a file:line:col error. */
START_TEST(fuzzed_schedules_never_crash)
{
	uint64_t h, sum, st = 0x1234;
	char *text = record(SIM_STRAT_PCT, 3, &h, &sum);
	size_t len = strlen(text);
	char err[256];
	static const char alphabet[] = "0123456789 T\n#:-xapsimend\t";

	for (int i = 0; i < 300; i++) {
		char *t = strdup(text);
		int edits = 1 + (int)(st % 4);
		for (int e = 0; e < edits; e++) {
			st = st * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t pos = (st >> 33) % len;
			t[pos] = alphabet[(st >> 20) % (sizeof(alphabet) - 1)];
		}
		if (i % 7 == 0)
			t[(st >> 40) % len] = 0;     /* truncation */
		struct sim_schedule *s = parse_str(t, err, sizeof(err));
		if (!s) {
			ck_assert_msg(!strncmp(err, "t.sched:", 8), "err '%s'", err);
			int line, col;
			ck_assert_int_eq(sscanf(err, "t.sched:%d:%d:", &line, &col), 2);
			ck_assert_int_ge(line, 1);
			ck_assert_int_ge(col, 1);
		} else {
			/* parsed: replaying it must not crash either */
			struct sim_result r;
			replay(s, &r);
			sim_schedule_free(s);
		}
		free(t);
	}
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sim_replay");
	TCase *tc = tcase_create("replay");

	tcase_add_test(tc, write_parse_replay_identical);
	tcase_add_test(tc, tampered_schedule_diverges);
	tcase_add_test(tc, truncated_schedule_diverges);
	tcase_add_test(tc, site_mismatch_diverges);
	tcase_add_test(tc, malformed_schedules_rejected);
	tcase_add_test(tc, fuzzed_schedules_never_crash);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
