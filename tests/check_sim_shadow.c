/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_shadow.c - the shadow's word-at-a-time paths (sim/shadow.c)
 * against a byte-at-a-time reference: sim_shadow_watch marks exactly the
 * addressable (0) granules and unmarks exactly the watched ones, whatever
 * the other shadow bytes (poison codes, partial granules) and the range's
 * length; an object check (sim_shadow_check) reports exactly when one of
 * its granules is not addressable, for objects of every granule count
 * (the clean test reads words, the last one overlapping).
 *
 * The shadow is read back with sim_shadow_save; no instrumented code runs,
 * so the test runs in ASan builds too.
 */
#include "check_util.h"

#define REGION (1UL << 20)
#define SPAN 40                 /* granules under test */

static char *region;
static int nreports;
static uintptr_t report_addr;

static void on_report(uintptr_t a, size_t n, bool w, uintptr_t pc, uint8_t code,
		      const struct sim_site *site)
{
	nreports++;
	report_addr = a;
}

static char *base(void)
{
	if (!region) {
		region = sim_shadow_reserve(REGION, on_report);
		ck_assert_ptr_nonnull(region);
	}
	return region + 8192;
}

/* Set the shadow of granule i to v (0, a poison code, or 1..7). */
static void set_granule(char *b, int i, uint8_t v)
{
	if (v == 0)
		sim_shadow_unpoison(b + 8 * i, 8);
	else if (v < 8)
		sim_shadow_unpoison(b + 8 * i, v);
	else
		sim_shadow_poison(b + 8 * i, 8, v);
}

/* A pattern of shadow values, from a seed (xorshift). */
static uint8_t pattern(uint64_t *s)
{
	static const uint8_t vals[] = { 0, 0, 0, SIM_SHADOW_WATCH, 0xfb, 0xfc, 0xfd, 3, 7, 1 };

	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return vals[*s % (sizeof(vals) / sizeof(vals[0]))];
}

START_TEST(watch_marks_exactly_the_addressable_granules)
{
	char *b = base();
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	for (int round = 0; round < 400; round++) {
		uint8_t before[SPAN], after[SPAN], want[SPAN];
		int from = (int)(seed % 9), len = (int)((seed >> 8) % (SPAN - 9));
		bool on = round & 1;

		for (int i = 0; i < SPAN; i++)
			set_granule(b, i, pattern(&seed));
		sim_shadow_save(b, 8 * SPAN, before);
		ck_assert_int_eq(sim_shadow_watch(b + 8 * from, 8 * (size_t)len, on), 0);
		sim_shadow_save(b, 8 * SPAN, after);
		for (int i = 0; i < SPAN; i++) {
			bool in = i >= from && i < from + len;

			want[i] = before[i];
			if (in && on && before[i] == 0)
				want[i] = SIM_SHADOW_WATCH;
			if (in && !on && before[i] == SIM_SHADOW_WATCH)
				want[i] = 0;
		}
		ck_assert_msg(!memcmp(after, want, SPAN), "round %d (from %d len %d %s)", round, from,
			      len, on ? "on" : "off");
	}
}
END_TEST

START_TEST(object_check_reports_exactly_a_bad_granule)
{
	char *b = base();

	for (int ng = 1; ng <= 24; ng++)
		for (int bad = -1; bad < ng; bad++) {
			for (int i = 0; i < ng + 2; i++)
				set_granule(b, i, 0);
			if (bad >= 0)
				set_granule(b, bad, 0xfb);
			nreports = 0;
			ck_assert_int_eq(sim_shadow_check(b, 8 * (size_t)ng, false, 1), bad < 0);
			ck_assert_int_eq(nreports, bad >= 0);
			if (bad >= 0)
				ck_assert_uint_eq(report_addr, (uintptr_t)b + 8 * (uintptr_t)bad);
		}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shadow");
	TCase *tc = tcase_create("shadow");

	tcase_add_test(tc, watch_marks_exactly_the_addressable_granules);
	tcase_add_test(tc, object_check_reports_exactly_a_bad_granule);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
