/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_scn_range.c - Check tests of id ranges on assign/unassign
 * operations (driver/scenario/range.c, docs/scenarios.md "Ranges").
 *
 * Owns: tests that a bare LO-HI parses into a range op (op->range, the text
 * as written), that a quoted one and one on another op stay literal
 * strings, that the writer gives both back (parse(write(s)) == s, stable
 * text), the strings of the successive writes, and the FILE:LINE:COL errors
 * of malformed ranges; and the host line of the AP model's AQIC completion
 * time (the ZAPQ busy answer).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apsim/sim.h>
#include "driver/scenario/scenario.h"

static struct apsim_scenario S, S2;
static char err[1024];

static int parse(const char *text)
{
	return apsim_scn_parse_buf(text, strlen(text), "t.scn", &S, err, sizeof(err));
}

static char *write_str(const struct apsim_scenario *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(apsim_scn_write(f, s), 0);
	fclose(f);
	return buf;
}

/* parse(write(S)) == S and the written text is stable; returns the text */
static char *roundtrip(void)
{
	static struct apsim_scenario a;
	char *t1, *t2;
	size_t l1, l2;

	memcpy(&a, &S, sizeof(a));
	t1 = write_str(&a, &l1);
	ck_assert_msg(apsim_scn_parse_buf(t1, l1, "w.scn", &S2, err, sizeof(err)) == 0,
		      "written scenario does not parse: %s\n%s", err, t1);
	apsim_scn_clear_locs(&a);
	apsim_scn_clear_locs(&S2);
	snprintf(a.file, sizeof(a.file), "%s", S2.file);
	ck_assert_msg(!memcmp(&a, &S2, sizeof(a)), "round trip changed the scenario:\n%s", t1);
	t2 = write_str(&S2, &l2);
	ck_assert_msg(l1 == l2 && !memcmp(t1, t2, l1), "writer not stable:\n%s\n---\n%s", t1, t2);
	free(t2);
	return t1;
}

static const char *const text =
	"scenario ranges\n"
	"host adapters 0-84 domains 0-0x54\n"
	"setup:\n"
	"    create_mdev m0\n"
	"    assign_adapter m0 0x00-0x3f\n"
	"    assign_domain m0 0-84 -> 2\n"
	"    assign_control_domain m0 7-7\n"
	"    unassign_adapter m0 \"1-2\"\n"
	"    unassign_domain m0 0X10-0XfF\n"
	"    unassign_control_domain m0 5\n"
	"    apmask 0-3\n";

START_TEST(test_range_parse)
{
	struct apsim_op *o = S.setup;
	int lo = -1, hi = -1;
	char b[16];

	ck_assert_msg(parse(text) == 0, "%s", err);
	ck_assert_int_eq(S.nsetup, 8);
	ck_assert(o[1].range);
	ck_assert_str_eq(o[1].str, "0x00-0x3f");
	ck_assert_int_eq(apsim_op_range_ids(&o[1], &lo, &hi), 64);
	ck_assert_int_eq(lo, 0);
	ck_assert_int_eq(hi, 63);
	ck_assert_str_eq(apsim_op_range_str(&o[1], 0x2a, b, sizeof(b)), "0x2a");
	ck_assert(o[2].range && o[2].has_expect && o[2].expect == 2);
	ck_assert_int_eq(apsim_op_range_ids(&o[2], &lo, &hi), 85);
	ck_assert_str_eq(apsim_op_range_str(&o[2], 84, b, sizeof(b)), "84");
	ck_assert(o[3].range);
	ck_assert_int_eq(apsim_op_range_ids(&o[3], &lo, &hi), 1);
	ck_assert(!o[4].range);                        /* quoted: literal */
	ck_assert_str_eq(o[4].str, "1-2");
	ck_assert_int_eq(apsim_op_range_ids(&o[4], &lo, &hi), -1);
	ck_assert(o[5].range);
	ck_assert_int_eq(apsim_op_range_ids(&o[5], &lo, &hi), 240);
	ck_assert_str_eq(apsim_op_range_str(&o[5], 255, b, sizeof(b)), "0xff");
	ck_assert(!o[6].range);                        /* one id */
	ck_assert(!o[7].range);                        /* apmask takes "0-3" as is */
	ck_assert_str_eq(o[7].str, "0-3");
}
END_TEST

START_TEST(test_range_write)
{
	char *t, lb[128];

	ck_assert_msg(parse(text) == 0, "%s", err);
	t = roundtrip();
	ck_assert_ptr_nonnull(strstr(t, "\n    assign_adapter m0 0x00-0x3f\n"));
	ck_assert_ptr_nonnull(strstr(t, "    unassign_adapter m0 \"1-2\"\n"));
	ck_assert_ptr_nonnull(strstr(t, "    apmask 0-3\n"));
	free(t);
	/* labels: a range is not a quoted string */
	ck_assert_str_eq(apsim_scn_op_label(&S.setup[1], lb, sizeof(lb)),
			 "assign_adapter m0 0x00-0x3f");
	ck_assert_str_eq(apsim_scn_op_label(&S.setup[4], lb, sizeof(lb)),
			 "unassign_adapter m0 \"1-2\"");
	/* a generated literal of a range's shape is written quoted */
	apsim_scn_init(&S);
	snprintf(S.name, sizeof(S.name), "lit");
	S.nsetup = 2;
	memset(S.setup, 0, 2 * sizeof(S.setup[0]));
	S.setup[0].kind = APSIM_OP_MDEV_CREATE;
	S.setup[0].mdev = 0;
	S.setup[1].kind = APSIM_OP_ASSIGN_DOMAIN;
	S.setup[1].mdev = 0;
	for (int k = 0; k < 2; k++)
		S.setup[k].kvm = S.setup[k].vcpu = S.setup[k].card = S.setup[k].domain = -1;
	S.setup[0].mdev = S.setup[1].mdev = 0;
	snprintf(S.setup[1].str, sizeof(S.setup[1].str), "0x300-1");
	t = roundtrip();
	ck_assert_ptr_nonnull(strstr(t, "assign_domain m0 \"0x300-1\""));
	free(t);
}
END_TEST

static const struct { const char *text, *msg; } bad[] = {
	{ "scenario x\nsetup:\n create_mdev m0\n assign_adapter m0 9-3\n",
	  "t.scn:4:20: error: expected an id range LO-HI with LO <= HI, got '9-3'" },
	{ "scenario x\nsetup:\n create_mdev m0\n assign_domain m0 0-256\n",
	  "t.scn:4:19: error: expected an id range LO-HI of ids 0..255 (decimal or 0x hex), got '0-256' (quote it to write the string as is)" },
	{ "scenario x\nsetup:\n create_mdev m0\n unassign_domain   m0 0x0-0xg\n",
	  "t.scn:4:23: error: expected an id range LO-HI of ids 0..255 (decimal or 0x hex), got '0x0-0xg' (quote it to write the string as is)" },
	{ "scenario x\nthread t:\n create_mdev m0\n assign_control_domain m0 1-0x\n",
	  "t.scn:4:27: error: expected an id range LO-HI of ids 0..255 (decimal or 0x hex), got '1-0x' (quote it to write the string as is)" },
};

START_TEST(test_range_errors)
{
	ck_assert_int_eq(parse(bad[_i].text), -EINVAL);
	ck_assert_msg(!strcmp(err, bad[_i].msg), "case %d:\n got  %s\n want %s", _i, err, bad[_i].msg);
}
END_TEST

/* Shapes that are not ranges stay strings (the driver sees them as is). */
START_TEST(test_not_ranges)
{
	static const char *const words[] = { "-1", "1-", "1-2-3", "x1-2", "1--2", "a-1" };

	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		char t[128];

		snprintf(t, sizeof(t), "scenario x\nsetup:\n create_mdev m0\n assign_adapter m0 %s\n",
			 words[k]);
		ck_assert_msg(parse(t) == 0, "%s: %s", words[k], err);
		ck_assert_msg(!S.setup[1].range, "%s parsed as a range", words[k]);
		ck_assert_str_eq(S.setup[1].str, words[k]);
		free(roundtrip());
	}
}
END_TEST

/* The AP model's AQIC completion time (ZAPQ busy meanwhile): a host line. */
START_TEST(test_aqic_completion_host_line)
{
	char *t;

	ck_assert_msg(parse("scenario x\nhost adapters 5 aqic-completion-us 5000\n") == 0, "%s", err);
	ck_assert_int_eq(S.cfg.aqic_us, 5000);
	t = roundtrip();
	ck_assert_ptr_nonnull(strstr(t, "host aqic-completion-us 5000\n"));
	free(t);
	ck_assert_int_eq(parse("scenario x\nhost aqic-completion-us 1000001\n"), -EINVAL);
	ck_assert_str_eq(err, "t.scn:2:25: error: expected AQIC completion time (us) in 0..1000000, got '1000001'");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scn_range");
	TCase *tc = tcase_create("range");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_range_parse);
	tcase_add_test(tc, test_range_write);
	tcase_add_loop_test(tc, test_range_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_not_ranges);
	tcase_add_test(tc, test_aqic_completion_host_line);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
