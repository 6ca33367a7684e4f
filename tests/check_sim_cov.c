/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_cov.c - the feedback map of guided fuzzing (sim/cov.c):
 * what an execution's map folds into a seen map (AFL's buckets), that a new
 * execution starts from an empty map, and both ways of walking and
 * clearing it: the list of touched slots (a sparse execution) and the whole
 * map (more slots than the list holds).  The campaign keeps what a walk
 * calls new, so a slot walked twice or missed would change corpora.
 */
#include "check_util.h"

#include <apsim/cov.h>
#include <string.h>

static uint8_t seen[SIM_COV_SIZE];

/* n distinct features of one class, each counted `times` times */
static void add_n(int n, int times, uint64_t base)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < times; k++)
			sim_cov_add(SIM_COV_OTHER, base + (uint64_t)i);
}

/* slots of the current map: sim_cov_merge(NULL) counts them */
static size_t slots(void)
{
	return sim_cov_merge(NULL);
}

static void cycle(int n)
{
	size_t first, s;

	memset(seen, 0, sizeof(seen));
	sim_cov_begin();
	ck_assert_uint_eq(slots(), 0);
	add_n(n, 1, 1000);
	s = slots();
	/* hash collisions may merge a few features into one slot */
	ck_assert_uint_le(s, (size_t)n);
	ck_assert_uint_ge(s, n < 1000 ? (size_t)n - (size_t)n / 50 - 1 : (size_t)n * 8 / 10);
	ck_assert_uint_eq(sim_cov_novel(seen), s);
	first = sim_cov_merge(seen);
	ck_assert_uint_eq(first, s);
	ck_assert_uint_eq(sim_cov_count(seen), s);
	/* the same again: nothing new */
	ck_assert_uint_eq(sim_cov_novel(seen), 0);
	ck_assert_uint_eq(sim_cov_merge(seen), 0);

	/* a new execution starts empty, whichever way the last one was kept */
	sim_cov_begin();
	ck_assert_uint_eq(slots(), 0);
	ck_assert_uint_eq(sim_cov_novel(seen), 0);
	/* the same features twice each: a new bucket (2) in every slot */
	add_n(n, 2, 1000);
	ck_assert_uint_eq(sim_cov_novel(seen), s);
	ck_assert_uint_eq(sim_cov_merge(seen), s);
	ck_assert_uint_eq(sim_cov_count(seen), s);
	/* marks count once, however often */
	sim_cov_begin();
	for (int k = 0; k < 5; k++)
		sim_cov_mark(SIM_COV_OTHER, 1000);
	ck_assert_uint_eq(slots(), 1);
	ck_assert_uint_eq(sim_cov_novel(seen), 0);	/* bucket 1 seen before */
	sim_cov_begin();
	ck_assert_uint_eq(slots(), 0);
}

START_TEST(sparse_execution)
{
	cycle(100);
	cycle(1);
}
END_TEST

/* more slots than the touched list holds: the whole map is walked and
 * cleared, with the same answers */
START_TEST(dense_execution)
{
	cycle(20000);	/* ~17,200 slots (collisions), past the list's 4,096 */
	cycle(3);	/* after an overflow, a sparse one again */
}
END_TEST

/* saturation at 255 and the 128+ bucket */
START_TEST(counters_saturate)
{
	memset(seen, 0, sizeof(seen));
	sim_cov_begin();
	add_n(1, 1000, 7);
	ck_assert_uint_eq(sim_cov_merge(seen), 1);
	sim_cov_begin();
	add_n(1, 200, 7);	/* 128+ again: the same bucket */
	ck_assert_uint_eq(sim_cov_novel(seen), 0);
	sim_cov_begin();
	add_n(1, 100, 7);	/* 32-127: a new one */
	ck_assert_uint_eq(sim_cov_novel(seen), 1);
	sim_cov_begin();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cov");
	TCase *tc = tcase_create("cov");

	tcase_add_test(tc, sparse_execution);
	tcase_add_test(tc, dense_execution);
	tcase_add_test(tc, counters_saturate);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
