/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_fuzz_large.c - Check tests of the generator's large worlds
 * (fuzz/gen.c, docs/fuzzing.md "Large worlds").
 *
 * Owns: tests that the share of large worlds is the documented 0.5 % of the
 * seeds and is a property of the seed (deterministic), that a large world
 * has a real machine's shape (dozens of adapters or up to 256 domains,
 * partially free for vfio_ap, several guests, mdevs holding hundreds of
 * APQNs through id ranges, an admin script), and that every large scenario
 * writes and parses back to itself.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apsim/sim.h>
#include "fuzz/gen.h"
#include "driver/scenario/scenario.h"

#define NSEEDS 20000

static struct apsim_scenario A, B;
static char err[512];

static int bits(const uint8_t *m)
{
	int n = 0;

	for (int i = 0; i < 32; i++)
		n += __builtin_popcount(m[i]);
	return n;
}

static bool shape_large(const struct apsim_scenario *s)
{
	return bits(s->cfg.apm) > 4 || bits(s->cfg.aqm) > 4;
}

START_TEST(large_share_is_half_a_percent_of_the_seeds)
{
	int nlarge = 0, again = 0;

	for (uint64_t seed = 0; seed < NSEEDS; seed++) {
		bool l = apsim_gen_seed_is_large(seed);

		apsim_gen_scenario(seed, NULL, &A);
		ck_assert_msg(l == shape_large(&A), "seed %llu: flag %d, shape %d",
			      (unsigned long long)seed, l, shape_large(&A));
		nlarge += l;
	}
	for (uint64_t seed = 0; seed < NSEEDS; seed++)
		again += apsim_gen_seed_is_large(seed);
	ck_assert_int_eq(again, nlarge);
	/* 0.5 % (LARGE_PER_MILLE 5): 100 of 20000, binomial sd 10 */
	ck_assert_int_ge(nlarge, 70);
	ck_assert_int_le(nlarge, 130);
	printf("large worlds: %d of %d seeds\n", nlarge, NSEEDS);
}
END_TEST

/* APQNs an mdev's setup assigns: its adapter ids x its domain ids. */
static int mdev_apqns(const struct apsim_scenario *s, int m)
{
	int na = 0, nd = 0, lo, hi;

	for (int i = 0; i < s->nsetup; i++) {
		const struct apsim_op *o = &s->setup[i];
		int n;

		if (o->mdev != m)
			continue;
		n = o->range ? apsim_op_range_ids(o, &lo, &hi) : 1;
		if (o->kind == APSIM_OP_ASSIGN_ADAPTER)
			na += n;
		else if (o->kind == APSIM_OP_ASSIGN_DOMAIN)
			nd += n;
	}
	return na * nd;
}

START_TEST(large_worlds_have_machine_shapes)
{
	int n = 0, hundreds = 0, wide = 0, lpar = 0, admin = 0;

	for (uint64_t seed = 0; seed < NSEEDS; seed++) {
		int na, nd, kvms = 0, most = 0;
		bool free_part;

		if (!apsim_gen_seed_is_large(seed))
			continue;
		apsim_gen_scenario(seed, NULL, &A);
		n++;
		na = bits(A.cfg.apm);
		nd = bits(A.cfg.aqm);
		ck_assert(na >= 2 && na <= 24);
		ck_assert(nd >= 16 && nd <= 256);
		ck_assert(na * nd <= 24 * 85 || na <= 4);
		wide += nd > 85;
		lpar += na >= 8 && nd <= 85;
		/* partially free: some adapters stay the host's, some are free */
		free_part = A.cfg.have_apmask && bits(A.cfg.apmask) < 256;
		ck_assert(free_part);
		for (int i = 0; i < A.nsetup; i++)
			kvms += A.setup[i].kind == APSIM_OP_KVM_CREATE;
		ck_assert_int_ge(kvms, 2);
		for (int m = 0; m < APSIM_MAX_MDEVS; m++)
			if (mdev_apqns(&A, m) > most)
				most = mdev_apqns(&A, m);
		hundreds += most >= 100;
		admin += !strcmp(A.threads[0].name, "admin");
		/* the writer's text parses back to the same scenario */
		{
			char *t = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&t, &len);

			ck_assert_int_eq(apsim_scn_write(f, &A), 0);
			fclose(f);
			ck_assert_msg(apsim_scn_parse_buf(t, len, A.file, &B, err, sizeof(err)) == 0,
				      "seed %llu: %s\n%s", (unsigned long long)seed, err, t);
			apsim_scn_clear_locs(&A);
			apsim_scn_clear_locs(&B);
			ck_assert_msg(!memcmp(&A, &B, sizeof(A)), "seed %llu: round trip differs\n%s",
				      (unsigned long long)seed, t);
			free(t);
		}
	}
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(admin, n);
	ck_assert_int_gt(wide, n / 5);            /* up to 256 domains */
	ck_assert_int_gt(lpar, n / 3);            /* dozens of adapters, up to 85 domains */
	ck_assert_int_gt(hundreds, n / 2);        /* mdevs holding hundreds of APQNs */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz_large");
	TCase *tc = tcase_create("large");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, large_share_is_half_a_percent_of_the_seeds);
	tcase_add_test(tc, large_worlds_have_machine_shapes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
