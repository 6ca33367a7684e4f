/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_scn.c - Check tests of the .scn scenario format.
 *
 * Owns: tests of driver/scenario/parse.c, write.c, names.c and expect.c: every
 * operation of ops.def and every line kind parses into the right fields and
 * writes back (op text and trace label), expectation semantics (what each
 * expectation forbids or asks for, a fuzz finding's expectation), write -> parse is
 * the identity, malformed inputs give the exact FILE:LINE:COL error, limits
 * are enforced, and a seeded mutation run (20k inputs) never crashes.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apsim/sim.h>
#include "driver/scenario/scenario.h"
#include "check_util.h"

static struct apsim_scenario S, S2;
static char err[1024];

static int parse(const char *text)
{
	return apsim_scn_parse_buf(text, strlen(text), "t.scn", &S, err, sizeof(err));
}

#define PARSE_OK(text)                                                  \
	do {                                                            \
		int __r = parse(text);                                  \
		ck_assert_msg(__r == 0, "parse failed: %s", err);       \
	} while (0)

static char *write_str(const struct apsim_scenario *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(apsim_scn_write(f, s), 0);
	fclose(f);
	return buf;
}

/* S parsed from text; check parse(write(S)) == S and the text is stable. */
static void check_roundtrip(void)
{
	static struct apsim_scenario a;
	char *t1, *t2;
	size_t l1, l2;
	int r;

	memcpy(&a, &S, sizeof(a));
	t1 = write_str(&a, &l1);
	r = apsim_scn_parse_buf(t1, l1, a.file, &S2, err, sizeof(err));
	ck_assert_msg(r == 0, "written scenario does not parse: %s\n%s", err, t1);
	apsim_scn_clear_locs(&a);
	apsim_scn_clear_locs(&S2);
	if (memcmp(&a, &S2, sizeof(a))) {
		size_t off = 0;

		while (((char *)&a)[off] == ((char *)&S2)[off])
			off++;
		ck_abort_msg("round trip changed the scenario at byte %zu:\n%s", off, t1);
	}
	t2 = write_str(&S2, &l2);
	ck_assert_msg(l1 == l2 && !memcmp(t1, t2, l1), "writer not stable:\n%s\n---\n%s", t1, t2);
	free(t1);
	free(t2);
}

/* ------------------------------------------------------------- names */

START_TEST(test_op_names)
{
	int k;

	for (k = APSIM_OP_NONE + 1; k < APSIM_OP__COUNT; k++) {
		const char *n = apsim_op_name(k);

		ck_assert_str_ne(n, "?");
		ck_assert_int_eq(apsim_op_lookup(n), k);
	}
	ck_assert_int_eq(apsim_op_lookup("assign_adapter"), APSIM_OP_ASSIGN_ADAPTER);
	ck_assert_int_eq(apsim_op_lookup("open"), APSIM_OP_VFIO_OPEN);
	ck_assert_int_eq(apsim_op_lookup("sleep"), APSIM_OP_SLEEP_MS);
	ck_assert_int_eq(apsim_op_lookup("bogus"), APSIM_OP_NONE);
	ck_assert_int_eq(apsim_op_lookup(""), APSIM_OP_NONE);
	ck_assert_str_eq(apsim_op_name(APSIM_OP__COUNT), "?");
	ck_assert_str_eq(apsim_op_name(-3), "?");
}
END_TEST

START_TEST(test_errno_names)
{
	static const struct { const char *n; long v; } t[] = {
		{ "-EINVAL", -EINVAL }, { "-ENODEV", -ENODEV }, { "-EADDRINUSE", -EADDRINUSE },
		{ "-EBUSY", -EBUSY }, { "-EPERM", -EPERM }, { "-ENOMEM", -ENOMEM },
		{ "-EFAULT", -EFAULT }, { "-EIO", -EIO }, { "-ENOENT", -ENOENT },
		{ "-EOPNOTSUPP", -EOPNOTSUPP }, { "-ENXIO", -ENXIO }, { "-EAGAIN", -EAGAIN },
		{ "-ERANGE", -ERANGE }, { "-EEXIST", -EEXIST }, { "-ENOTSUPP", -524 },
		{ "-ETIMEDOUT", -ETIMEDOUT }, { "-EDEADLK", -EDEADLK },
	};
	char buf[32];
	long v;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(apsim_errno_parse(t[i].n, &v), 0);
		ck_assert_int_eq(v, t[i].v);
		ck_assert_str_eq(apsim_errno_name(t[i].v, buf, sizeof(buf)), t[i].n);
	}
	ck_assert_int_eq(apsim_errno_parse("-EWOULDBLOCK", &v), 0);
	ck_assert_int_eq(v, -EAGAIN);
	ck_assert_int_eq(apsim_errno_parse("6", &v), 0);
	ck_assert_int_eq(v, 6);
	ck_assert_int_eq(apsim_errno_parse("0x10", &v), 0);
	ck_assert_int_eq(v, 16);
	ck_assert_int_eq(apsim_errno_parse("-22", &v), 0);
	ck_assert_int_eq(v, -22);
	ck_assert_int_eq(apsim_errno_parse("-9223372036854775808", &v), 0);
	ck_assert_int_eq(apsim_errno_parse("9223372036854775808", &v), -1);
	ck_assert_int_eq(apsim_errno_parse("99999999999999999999", &v), -1);
	ck_assert_int_eq(apsim_errno_parse("-EBOGUS", &v), -1);
	ck_assert_int_eq(apsim_errno_parse("EINVAL", &v), -1);
	ck_assert_int_eq(apsim_errno_parse("", &v), -1);
	ck_assert_int_eq(apsim_errno_parse("-", &v), -1);
	ck_assert_int_eq(apsim_errno_parse("0x", &v), -1);
	ck_assert_str_eq(apsim_errno_name(-4000, buf, sizeof(buf)), "-4000");
	ck_assert_str_eq(apsim_errno_name(7, buf, sizeof(buf)), "7");
}
END_TEST

/* ------------------------------------------------------ valid scenarios */

static const char *const all_ops =
	"scenario all-ops\n"
	"description \"every op once\"\n"
	"setup:\n"
	"  kvm_create k0 vcpus 2\n"                     /* 0 */
	"  kvm_create k1\n"
	"  create_mdev m0\n"
	"  create_mdev m15\n"
	"  assign_adapter m0 5 -> 1\n"
	"  unassign_adapter m0 0x05\n"                  /* 5 */
	"  assign_domain m0 \"4\\n\" -> 2\n"
	"  unassign_domain m0 \"\"  -> -EINVAL\n"
	"  assign_control_domain m0 \"-1\"\n"
	"  unassign_control_domain m0 999999999999 -> -ERANGE\n"
	"  read_matrix m0\n"                            /* 10 */
	"  read_guest_matrix m0\n"
	"  read_control_domains m0\n"
	"  read_queue_status 05.0004\n"
	"  open m0 k0\n"
	"  open m15 none -> -EINVAL\n"                  /* 15 */
	"  close m0\n"
	"  get_info m0\n"
	"  reset m0\n"
	"  dma_unmap m0 0x7f000\n"
	"  pqap_aqic_enable k0.1 05.0004 isc 3\n"       /* 20 */
	"  pqap_aqic_disable k0.0 ff.00ff\n"
	"  apmask -5\n"
	"  aqmask \"+0x04,0x05\"\n"
	"  bind 5.4\n"
	"  unbind 05.0004\n"                            /* 25 */
	"  config_add_adapter 7\n"
	"  config_remove_adapter 0x07\n"
	"  config_add_domain 8\n"
	"  config_remove_domain 8\n"
	"  config_add_control_domain 9\n"               /* 30 */
	"  config_remove_control_domain 255\n"
	"  ap_scan\n"
	"  kvm_vm_crypto k0 enable-apie\n"
	"  kvm_vm_crypto k0 KVM_S390_VM_CRYPTO_DISABLE_DEA_KW\n"
	"  kvm_vm_crypto k1 77\n"                       /* 35 */
	"  kvm_pv_command k0\n"
	"  yield\n"
	"  sleep 20\n"
	"  remove_mdev m15\n"
	"  kvm_destroy k1\n"                            /* 40 */
	"thread t1:\n"
	"  yield\n";

START_TEST(test_all_ops)
{
	const struct apsim_op *o = S.setup;

	PARSE_OK(all_ops);
	ck_assert_int_eq(S.nsetup, 41);
	ck_assert_int_eq(S.nthreads, 1);
	ck_assert_str_eq(S.name, "all-ops");
	ck_assert_str_eq(S.description, "every op once");
	ck_assert_str_eq(S.file, "t.scn");

	ck_assert_int_eq(o[0].kind, APSIM_OP_KVM_CREATE);
	ck_assert_int_eq(o[0].kvm, 0);
	ck_assert_int_eq(o[0].arg, 2);
	ck_assert_int_eq(o[0].mdev, -1);
	ck_assert_int_eq(o[0].loc.line, 4);
	ck_assert_int_eq(o[0].loc.col, 3);
	ck_assert_int_eq(o[1].arg, 1);             /* vcpus default */
	ck_assert_int_eq(o[3].mdev, 15);
	ck_assert_int_eq(o[4].kind, APSIM_OP_ASSIGN_ADAPTER);
	ck_assert_str_eq(o[4].str, "5");
	ck_assert(o[4].has_expect);
	ck_assert_int_eq(o[4].expect, 1);
	ck_assert_int_eq(o[5].kind, APSIM_OP_UNASSIGN_ADAPTER);
	ck_assert_str_eq(o[5].str, "0x05");
	ck_assert(!o[5].has_expect);
	ck_assert_str_eq(o[6].str, "4\n");
	ck_assert_int_eq(o[6].kind, APSIM_OP_ASSIGN_DOMAIN);
	ck_assert_str_eq(o[7].str, "");
	ck_assert_int_eq(o[7].expect, -EINVAL);
	ck_assert_int_eq(o[8].kind, APSIM_OP_ASSIGN_CONTROL_DOMAIN);
	ck_assert_str_eq(o[8].str, "-1");
	ck_assert_int_eq(o[9].kind, APSIM_OP_UNASSIGN_CONTROL_DOMAIN);
	ck_assert_str_eq(o[9].str, "999999999999");
	ck_assert_int_eq(o[9].expect, -ERANGE);
	ck_assert_int_eq(o[10].kind, APSIM_OP_READ_MATRIX);
	ck_assert_int_eq(o[11].kind, APSIM_OP_READ_GUEST_MATRIX);
	ck_assert_int_eq(o[12].kind, APSIM_OP_READ_CONTROL_DOMAINS);
	ck_assert_int_eq(o[13].kind, APSIM_OP_READ_QUEUE_STATUS);
	ck_assert_int_eq(o[13].card, 5);
	ck_assert_int_eq(o[13].domain, 4);
	ck_assert_int_eq(o[14].kind, APSIM_OP_VFIO_OPEN);
	ck_assert_int_eq(o[14].mdev, 0);
	ck_assert_int_eq(o[14].kvm, 0);
	ck_assert_int_eq(o[15].kvm, -1);
	ck_assert_int_eq(o[15].expect, -EINVAL);
	ck_assert_int_eq(o[16].kind, APSIM_OP_VFIO_CLOSE);
	ck_assert_int_eq(o[17].kind, APSIM_OP_VFIO_GET_INFO);
	ck_assert_int_eq(o[18].kind, APSIM_OP_VFIO_RESET);
	ck_assert_int_eq(o[19].kind, APSIM_OP_DMA_UNMAP);
	ck_assert_int_eq(o[19].arg, 0x7f000);
	ck_assert_int_eq(o[20].kind, APSIM_OP_PQAP_AQIC_ENABLE);
	ck_assert_int_eq(o[20].kvm, 0);
	ck_assert_int_eq(o[20].vcpu, 1);
	ck_assert_int_eq(o[20].card, 5);
	ck_assert_int_eq(o[20].domain, 4);
	ck_assert_int_eq(o[20].arg, 3);
	ck_assert_int_eq(o[21].kind, APSIM_OP_PQAP_AQIC_DISABLE);
	ck_assert_int_eq(o[21].card, 255);
	ck_assert_int_eq(o[21].domain, 255);
	ck_assert_int_eq(o[22].kind, APSIM_OP_APMASK_WRITE);
	ck_assert_str_eq(o[22].str, "-5");
	ck_assert_int_eq(o[23].kind, APSIM_OP_AQMASK_WRITE);
	ck_assert_str_eq(o[23].str, "+0x04,0x05");
	ck_assert_int_eq(o[24].kind, APSIM_OP_QUEUE_BIND);
	ck_assert_int_eq(o[24].card, 5);
	ck_assert_int_eq(o[24].domain, 4);
	ck_assert_int_eq(o[25].kind, APSIM_OP_QUEUE_UNBIND);
	ck_assert_int_eq(o[26].kind, APSIM_OP_CONFIG_ADD_ADAPTER);
	ck_assert_int_eq(o[26].card, 7);
	ck_assert_int_eq(o[27].kind, APSIM_OP_CONFIG_REMOVE_ADAPTER);
	ck_assert_int_eq(o[27].card, 7);
	ck_assert_int_eq(o[28].kind, APSIM_OP_CONFIG_ADD_DOMAIN);
	ck_assert_int_eq(o[28].domain, 8);
	ck_assert_int_eq(o[29].kind, APSIM_OP_CONFIG_REMOVE_DOMAIN);
	ck_assert_int_eq(o[30].kind, APSIM_OP_CONFIG_ADD_CONTROL_DOMAIN);
	ck_assert_int_eq(o[30].domain, 9);
	ck_assert_int_eq(o[31].kind, APSIM_OP_CONFIG_REMOVE_CONTROL_DOMAIN);
	ck_assert_int_eq(o[31].domain, 255);
	ck_assert_int_eq(o[32].kind, APSIM_OP_AP_SCAN);
	ck_assert_int_eq(o[33].kind, APSIM_OP_KVM_VM_CRYPTO);
	ck_assert_int_eq(o[33].arg, 4);
	ck_assert_int_eq(o[34].arg, 3);
	ck_assert_int_eq(o[35].arg, 77);
	ck_assert_int_eq(o[36].kind, APSIM_OP_KVM_PV_COMMAND);
	ck_assert_int_eq(o[37].kind, APSIM_OP_YIELD);
	ck_assert_int_eq(o[38].kind, APSIM_OP_SLEEP_MS);
	ck_assert_int_eq(o[38].arg, 20);
	ck_assert_int_eq(o[39].kind, APSIM_OP_MDEV_REMOVE);
	ck_assert_int_eq(o[40].kind, APSIM_OP_KVM_DESTROY);
	ck_assert_str_eq(S.threads[0].name, "t1");
	ck_assert_int_eq(S.threads[0].nops, 1);
	check_roundtrip();
}
END_TEST

/*
 * Every line of driver/scenario/ops.def, with a sample of each operand kind
 * (the writer's form) and whether the trace label shows it: a scenario line
 * with the op parses into that op, is written back identically and named
 * and labelled by it.  A new operation needs nothing here.
 */
static const struct {
	enum apsim_op_kind kind;
	const char *name, *opnd[3];
} ops_def[] = {
#define APSIM_OP(e, n, o1, o2, o3, since) { APSIM_OP_##e, n, { #o1, #o2, #o3 } },
#include "driver/scenario/ops.def"
#undef APSIM_OP
};

static const struct {
	const char *kind, *text, *label;     /* label NULL: not in the label */
} samples[] = {
	{ "MDEV", "m1", "m1" },           { "KVM", "k0", "k0" },
	{ "KVM_OR_NONE", "k1", "k1" },    { "VCPU", "k0.1", "k0.1" },
	{ "APQN", "05.0004", "05.0004" }, { "CARD", "7", "7" },
	{ "DOMAIN", "8", "8" },           { "STR", "0x5", "\"0x5\"" },
	{ "IOVA", "0x1000", NULL },       { "ISC", "isc 3", NULL },
	{ "VCPUS", "vcpus 2", NULL },     { "CRYPTO", "enable-apie", NULL },
	{ "MS", "20", NULL },             { "EVENTFD", "bad", "bad" },
};

/* `tree`: the kernel series a scenario is for; others skip it. */
START_TEST(test_tree_line)
{
	PARSE_OK("scenario t\ntree 6.1 6.12\nthread a:\n    yield\n");
	ck_assert_int_eq(S.ntrees, 2);
	ck_assert_str_eq(S.trees[0], "6.1");
	ck_assert_str_eq(S.trees[1], "6.12");
	check_roundtrip();
	ck_assert(apsim_scn_tree_ok(&S, "6.1.192"));
	ck_assert(apsim_scn_tree_ok(&S, "6.12.117"));
	ck_assert(!apsim_scn_tree_ok(&S, "6.6.60"));
	PARSE_OK("scenario t\ntree 6.1\nthread a:\n    yield\n");
	ck_assert(apsim_scn_tree_ok(&S, "6.1"));
	ck_assert(!apsim_scn_tree_ok(&S, "6.12.117"));   /* a series, not a prefix */
	PARSE_OK("scenario t\nthread a:\n    yield\n");
	ck_assert(apsim_scn_tree_ok(&S, "6.12.117"));     /* no tree line: every tree */
	ck_assert_int_eq(parse("scenario t\ntree 6\n"), -EINVAL);
	ck_assert_str_eq(err, "t.scn:2:6: error: expected kernel series (e.g. 6.1 or 6.12), got '6'");
	ck_assert_int_eq(parse("scenario t\ntree\n"), -EINVAL);
	ck_assert_int_eq(parse("scenario t\ntree 6.1\ntree 6.12\n"), -EINVAL);
	ck_assert_str_eq(err, "t.scn:3:1: error: expected one 'tree' line, got a second one");
	ck_assert_int_eq(parse("scenario t\ntree 6.1 6.2 6.3 6.4 6.5\n"), -EINVAL);
}
END_TEST

/* ops.def SINCE: from which kernel series an op exists (series compared as
 * numbers, not strings: 6.12 is after 6.2). */
START_TEST(test_op_since)
{
	ck_assert_ptr_null(apsim_op_since(APSIM_OP_ASSIGN_ADAPTER));
	ck_assert_ptr_null(apsim_op_since(APSIM_OP__COUNT));
	ck_assert_str_eq(apsim_op_since(APSIM_OP_WRITE_AP_CONFIG), "6.12");
	ck_assert_str_eq(apsim_op_since(APSIM_OP_PV_OFF), "6.12");
	ck_assert(apsim_op_tree_ok(APSIM_OP_ASSIGN_ADAPTER, "6.1.192"));
	ck_assert(!apsim_op_tree_ok(APSIM_OP_WRITE_AP_CONFIG, "6.1.192"));
	ck_assert(!apsim_op_tree_ok(APSIM_OP_SET_REQ_EVENTFD, "6.2.0"));
	ck_assert(apsim_op_tree_ok(APSIM_OP_SET_REQ_EVENTFD, "6.12.117"));
	ck_assert(apsim_op_tree_ok(APSIM_OP_PV_ON, "6.13"));
	ck_assert(apsim_op_tree_ok(APSIM_OP_PV_ON, "7.0.1"));
	ck_assert(!apsim_op_tree_ok(APSIM_OP_PV_ON, "unknown"));
}
END_TEST

START_TEST(test_ops_def)
{
	char line[160], label[160], text[256], buf[160];
	size_t i, j;
	int k;

	ck_assert_int_eq(sizeof(ops_def) / sizeof(ops_def[0]), APSIM_OP__COUNT - 1);
	for (i = 0; i < sizeof(ops_def) / sizeof(ops_def[0]); i++) {
		const struct apsim_op *o = &S.setup[0];
		size_t lo, bo;

		ck_assert_int_eq(ops_def[i].kind, (int)i + 1);
		ck_assert_str_eq(apsim_op_name(ops_def[i].kind), ops_def[i].name);
		lo = (size_t)snprintf(line, sizeof(line), "%s", ops_def[i].name);
		bo = (size_t)snprintf(label, sizeof(label), "%s", ops_def[i].name);
		for (k = 0; k < 3 && strcmp(ops_def[i].opnd[k], "_"); k++) {
			for (j = 0; j < sizeof(samples) / sizeof(samples[0]); j++)
				if (!strcmp(samples[j].kind, ops_def[i].opnd[k]))
					break;
			ck_assert_msg(j < sizeof(samples) / sizeof(samples[0]),
				      "operand kind %s has no sample", ops_def[i].opnd[k]);
			lo += (size_t)snprintf(line + lo, sizeof(line) - lo, " %s", samples[j].text);
			if (samples[j].label)
				bo += (size_t)snprintf(label + bo, sizeof(label) - bo, " %s", samples[j].label);
		}
		snprintf(text, sizeof(text), "scenario one-op\noption allow-undeclared\nsetup:\n  %s\n", line);
		PARSE_OK(text);
		ck_assert_int_eq(S.nsetup, 1);
		ck_assert_int_eq(o->kind, ops_def[i].kind);
		ck_assert_str_eq(apsim_scn_op_str(o, buf, sizeof(buf)), line);
		ck_assert_str_eq(apsim_scn_op_label(o, buf, sizeof(buf)), label);
		check_roundtrip();
	}
}
END_TEST

/*
 * Op lines with particular operands: the writer's form (what
 * apsim_scn_op_str gives back) and the trace label (apsim_scn_op_label, the
 * text traces and mismatch reports show: arg operands left out, sysfs strings
 * quoted as they are).
 */
static const struct {
	enum apsim_op_kind kind;
	const char *line, *label;
} op_lines[] = {
	{ APSIM_OP_ASSIGN_ADAPTER, "assign_adapter m0 5", "assign_adapter m0 \"5\"" },
	{ APSIM_OP_UNASSIGN_ADAPTER, "unassign_adapter m0 \"5\\n\"", "unassign_adapter m0 \"5\n\"" },
	{ APSIM_OP_UNASSIGN_DOMAIN, "unassign_domain m0 \"\"", "unassign_domain m0 \"\"" },
	{ APSIM_OP_ASSIGN_CONTROL_DOMAIN, "assign_control_domain m0 -1", "assign_control_domain m0 \"-1\"" },
	{ APSIM_OP_UNASSIGN_CONTROL_DOMAIN, "unassign_control_domain m0 \"a b\"",
	  "unassign_control_domain m0 \"a b\"" },
	{ APSIM_OP_APMASK_WRITE, "apmask \"->\"", "apmask \"->\"" },
	{ APSIM_OP_AQMASK_WRITE, "aqmask +0x04,0x05", "aqmask \"+0x04,0x05\"" },
	{ APSIM_OP_VFIO_OPEN, "open m1 none", "open m1 none" },
	{ APSIM_OP_DMA_UNMAP, "dma_unmap m0 0x7f000", "dma_unmap m0" },
	{ APSIM_OP_PQAP_AQIC_DISABLE, "pqap_aqic_disable k1.0 ff.00ff", "pqap_aqic_disable k1.0 ff.00ff" },
	{ APSIM_OP_CONFIG_REMOVE_DOMAIN, "config_remove_domain 255", "config_remove_domain 255" },
	{ APSIM_OP_KVM_CREATE, "kvm_create k7 vcpus 1", "kvm_create k7" },
	{ APSIM_OP_KVM_VM_CRYPTO, "kvm_vm_crypto k0 disable-dea-kw", "kvm_vm_crypto k0" },
	{ APSIM_OP_KVM_VM_CRYPTO, "kvm_vm_crypto k0 77", "kvm_vm_crypto k0" },
	{ APSIM_OP_SLEEP_MS, "sleep 0", "sleep" },
	{ APSIM_OP_WRITE_AP_CONFIG, "write_ap_config m0 0x4,0x8,", "write_ap_config m0 \"0x4,0x8,\"" },
	{ APSIM_OP_SET_REQ_EVENTFD, "set_req_eventfd m2", "set_req_eventfd m2" },
	{ APSIM_OP_SET_REQ_EVENTFD, "set_req_eventfd m2 bad", "set_req_eventfd m2 bad" },
};

START_TEST(test_op_lines)
{
	char text[256], buf[160];
	size_t i;

	for (i = 0; i < sizeof(op_lines) / sizeof(op_lines[0]); i++) {
		const struct apsim_op *o = &S.setup[0];
		const char *name = apsim_op_name(op_lines[i].kind);
		char *w;
		size_t wl;

		snprintf(text, sizeof(text), "scenario one-op\noption allow-undeclared\nsetup:\n  %s\n",
			 op_lines[i].line);
		PARSE_OK(text);
		ck_assert_int_eq(S.nsetup, 1);
		ck_assert_int_eq(o->kind, op_lines[i].kind);
		/* named by its ops.def name, written back as it was read */
		ck_assert(!strncmp(op_lines[i].line, name, strlen(name)));
		ck_assert_str_eq(apsim_scn_op_str(o, buf, sizeof(buf)), op_lines[i].line);
		ck_assert_str_eq(apsim_scn_op_label(o, buf, sizeof(buf)), op_lines[i].label);
		w = write_str(&S, &wl);
		snprintf(text, sizeof(text), "\n    %s\n", op_lines[i].line);
		ck_assert_msg(strstr(w, text), "'%s' not written back:\n%s", op_lines[i].line, w);
		free(w);
		check_roundtrip();
	}
	/* operand kinds: `_` ends the list, nothing for unknown kinds */
	ck_assert_int_eq(scn_op_operands(APSIM_OP_PQAP_AQIC_ENABLE)[2], SCN_OPND_ISC);
	ck_assert_int_eq(scn_op_operands(APSIM_OP_YIELD)[0], SCN_OPND__);
	ck_assert_int_eq(scn_op_operands(APSIM_OP__COUNT)[0], SCN_OPND__);
	/* a short buffer truncates, NUL-terminated */
	PARSE_OK("scenario t\noption allow-undeclared\nsetup:\n  assign_adapter m0 12345\n");
	ck_assert_str_eq(apsim_scn_op_label(&S.setup[0], buf, 12), "assign_adap");
}
END_TEST

/* --------------------------------------------------------- expectations */

START_TEST(test_expect_names)
{
	static const enum apsim_expect_kind pos[] = {
		APSIM_EXPECT_DEADLOCK, APSIM_EXPECT_LOCK_CYCLE, APSIM_EXPECT_MEMORY,
		APSIM_EXPECT_WARN, APSIM_EXPECT_CRASH, APSIM_EXPECT_RESULT_SEEN, APSIM_EXPECT_BUG,
		APSIM_EXPECT_RULE, APSIM_EXPECT_DATA_RACE, APSIM_EXPECT_HANG,
	};
	enum apsim_expect_kind k, got;
	char buf[256];

	for (k = APSIM_EXPECT_NO_DEADLOCK; k <= APSIM_EXPECT_HANG; k++) {
		const char *n = apsim_expect_name(k);

		ck_assert_ptr_nonnull(n);
		ck_assert_int_eq(apsim_expect_parse(n, &got), 0);
		ck_assert_int_eq(got, k);
	}
	ck_assert_str_eq(apsim_expect_name(APSIM_EXPECT_RESULT_SEEN), "result");
	ck_assert_ptr_null(apsim_expect_name(0));
	ck_assert_int_eq(apsim_expect_parse("sadness", &got), -1);
	ck_assert_int_eq(apsim_expect_parse(NULL, &got), -1);
	ck_assert_str_eq(apsim_expect_list(buf, sizeof(buf)),
			 "clean, no-deadlock, validator-clean, invariants, rules-clean, deadlock, "
			 "lock-cycle, memory, warn, crash, result, bug, rule, data-race, hang");
	for (k = APSIM_EXPECT_NO_DEADLOCK; k <= APSIM_EXPECT_HANG; k++) {
		bool p = false;

		for (size_t i = 0; i < sizeof(pos) / sizeof(pos[0]); i++)
			p |= pos[i] == k;
		ck_assert_msg(apsim_expect_is_positive(k) == p, "expect %s", apsim_expect_name(k));
	}
	ck_assert_str_eq(apsim_expect_what(APSIM_EXPECT_LOCK_CYCLE), "lock cycle");
	ck_assert_str_eq(apsim_expect_what(APSIM_EXPECT_MEMORY), "memory fault");
	ck_assert_str_eq(apsim_expect_what(APSIM_EXPECT_WARN), "WARN");
	ck_assert_str_eq(apsim_expect_what(APSIM_EXPECT_RESULT_SEEN), "result");
}
END_TEST

/* The rule a finding breaks under the expectations of `text`. */
static const char *violation(const char *text, enum sim_finding_kind f)
{
	char t[512];

	snprintf(t, sizeof(t), "scenario v\n%s", text);
	PARSE_OK(t);
	return apsim_expect_violation(&S, f);
}

START_TEST(test_expect_violation)
{
	static const struct {
		const char *text;            /* expect lines */
		enum sim_finding_kind f;
		const char *rule;            /* NULL: allowed */
	} t[] = {
		{ "expect no-deadlock\n", SIM_F_DEADLOCK, "expect no-deadlock" },
		{ "expect no-deadlock\n", SIM_F_HANG, "expect no-deadlock" },
		{ "expect no-deadlock\n", SIM_F_LOCK_CYCLE, NULL },
		{ "expect no-deadlock\n", SIM_F_WARN, NULL },
		{ "expect validator-clean\n", SIM_F_LOCK_CYCLE, "expect validator-clean" },
		{ "expect validator-clean\n", SIM_F_LOCK_RECURSIVE, "expect validator-clean" },
		{ "expect validator-clean\n", SIM_F_LOCK_BAD_UNLOCK, "expect validator-clean" },
		{ "expect validator-clean\n", SIM_F_LOCK_HELD_EXIT, "expect validator-clean" },
		{ "expect validator-clean\n", SIM_F_LOCK_NOT_HELD, "expect validator-clean" },
		{ "expect validator-clean\n", SIM_F_SLEEP_ATOMIC, "expect validator-clean" },
		{ "expect validator-clean\n", SIM_F_DEADLOCK, NULL },
		{ "expect validator-clean\n", SIM_F_MEMORY, NULL },
		{ "expect invariants\n", SIM_F_INVARIANT, "expect invariants" },
		{ "expect invariants\n", SIM_F_RULE, NULL },
		{ "expect rules-clean\n", SIM_F_RULE, "expect rules-clean" },
		{ "expect rules-clean\n", SIM_F_INVARIANT, NULL },
		/* the first expectation in file order that forbids it */
		{ "expect invariants\nexpect clean\n", SIM_F_INVARIANT, "expect invariants" },
		{ "expect invariants\nexpect clean\n", SIM_F_RULE, "expect clean" },
		/* positive ones allow other findings, but never divergences or crashes */
		{ "expect deadlock\n", SIM_F_WARN, NULL },
		{ "expect deadlock\n", SIM_F_DEADLOCK, NULL },
		{ "expect result apmask -EBUSY\n", SIM_F_MEMORY, NULL },
		{ "expect deadlock\n", SIM_F_DIVERGENCE, "no replay divergence" },
		{ "expect crash\n", SIM_F_DIVERGENCE, "no replay divergence" },
		{ "expect deadlock\n", SIM_F_CRASH, "no crash" },
		{ "expect rules-clean\n", SIM_F_CRASH, "no crash" },
		{ "expect crash\n", SIM_F_CRASH, NULL },
		{ "expect warn\nexpect crash\n", SIM_F_CRASH, NULL },
	};
	enum sim_finding_kind f;
	const char *v;

	/* no expect line: every finding fails the run; expect clean: the same */
	for (f = SIM_F_DEADLOCK; f < SIM_F__COUNT; f++) {
		ck_assert_str_eq(violation("", f), "expect clean (default)");
		ck_assert_str_eq(violation("expect clean\n", f), "expect clean");
	}
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = violation(t[i].text, t[i].f);
		ck_assert_msg(t[i].rule ? v && !strcmp(v, t[i].rule) : !v,
			      "%s finding %d: got %s, want %s", t[i].text, t[i].f,
			      v ? v : "(allowed)", t[i].rule ? t[i].rule : "(allowed)");
	}
}
END_TEST

static const struct apsim_expect *expect_of(const char *line)
{
	char t[512];

	snprintf(t, sizeof(t), "scenario m\n%s\n", line);
	PARSE_OK(t);
	ck_assert_int_eq(S.nexpect, 1);
	return &S.expect[0];
}

START_TEST(test_expect_met)
{
	static const char cyc[] = "lock-cycle:&matrix_dev->guests_lock,&matrix_dev->mdevs_lock,ap_perms_mutex";
	const struct apsim_expect *e;
	struct apsim_op op;

	e = expect_of("expect deadlock");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_DEADLOCK, "deadlock:a,b"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_HANG, "hang"));
	e = expect_of("expect lock-cycle \"ap_perms_mutex\" \"&matrix_dev->guests_lock\"");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_LOCK_CYCLE, cyc));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_LOCK_CYCLE, "lock-cycle:ap_perms_mutex,&kvm->lock"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_RULE, cyc));
	e = expect_of("expect lock-cycle");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_LOCK_CYCLE, "lock-cycle:x,y"));
	e = expect_of("expect memory use-after-free");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_MEMORY, "memory:use-after-free:vfio_ap_irq_disable"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_MEMORY, "memory:double-free:kfree"));
	e = expect_of("expect memory");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_MEMORY, "memory:leak:x"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_WARN, "memory:leak:x"));
	e = expect_of("expect warn");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_WARN, "warn:x"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_BUG, "bug:x"));
	e = expect_of("expect crash");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_CRASH, "crash:x"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_MEMORY, "crash:x"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_BUG, "bug:x"));
	e = expect_of("expect bug");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_BUG, "bug:vfio_dma_do_unmap"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_WARN, "warn:x"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_CRASH, "crash:x"));
	ck_assert_str_eq(apsim_expect_what(APSIM_EXPECT_BUG), "kernel BUG");
	e = expect_of("expect rule \"@vfio_ap_mdev_request\"");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_RULE,
		  "rule:read:matrix_mdev.req_trigger:&matrix_dev->mdevs_lock@vfio_ap_mdev_request"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_RULE, "rule:order:a->b"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_DATA_RACE, "race:x@vfio_ap_mdev_request"));
	e = expect_of("expect rule");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_RULE, "rule:order:a->b"));
	e = expect_of("expect data-race \"ap_config_show\"");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_DATA_RACE, "race:ap_config_show,ap_config_store"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_DATA_RACE, "race:a,b"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_RULE, "rule:ap_config_show"));
	e = expect_of("expect hang \"apq_reset_check\"");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_HANG, "hang:apq_reset_check"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_HANG, "hang:spinner"));
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_DEADLOCK, "deadlock:apq_reset_check"));
	e = expect_of("expect hang");
	ck_assert(apsim_expect_met_by_finding(e, SIM_F_HANG, "hang"));
	/* negative expectations are never "met"; result only by an op result */
	e = expect_of("expect clean");
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_DEADLOCK, "deadlock:a"));
	e = expect_of("expect result apmask -EBUSY");
	ck_assert(!apsim_expect_met_by_finding(e, SIM_F_DEADLOCK, "deadlock:a"));
	memset(&op, 0, sizeof(op));
	op.kind = APSIM_OP_APMASK_WRITE;
	ck_assert(apsim_expect_result_met(e, &op, -EBUSY));
	ck_assert(!apsim_expect_result_met(e, &op, 3));
	op.kind = APSIM_OP_AQMASK_WRITE;
	ck_assert(!apsim_expect_result_met(e, &op, -EBUSY));
	e = expect_of("expect deadlock");
	ck_assert(!apsim_expect_result_met(e, &op, 0));
}
END_TEST

START_TEST(test_expect_for_finding)
{
	static const struct {
		enum sim_finding_kind f;
		const char *sig, *line;       /* the expectation as written */
	} t[] = {
		{ SIM_F_DEADLOCK, "deadlock:&matrix_dev->guests_lock,ap_perms_mutex", "expect deadlock" },
		{ SIM_F_LOCK_CYCLE, "lock-cycle:&matrix_dev->guests_lock,&matrix_dev->mdevs_lock,ap_perms_mutex",
		  "expect lock-cycle \"&matrix_dev->guests_lock\" \"&matrix_dev->mdevs_lock\" \"ap_perms_mutex\"" },
		{ SIM_F_MEMORY, "memory:use-after-free:vfio_ap_mdev_unset_kvm", "expect memory use-after-free" },
		{ SIM_F_MEMORY, "memory", "expect memory" },
		{ SIM_F_WARN, "warn:vfio_ap_irq_disable", "expect warn" },
		{ SIM_F_CRASH, "crash:SIGSEGV:x", "expect crash" },
		{ SIM_F_BUG, "bug:vfio_dma_do_unmap", "expect bug" },
		{ SIM_F_RULE, "rule:order:a->b", "expect rule \"rule:order:a->b\"" },
		{ SIM_F_RULE, "rule:read:matrix_mdev.matrix:&matrix_dev->mdevs_lock|&matrix_dev->guests_lock@write_ap_bitmap",
		  "expect rule \"@write_ap_bitmap\"" },
		{ SIM_F_DATA_RACE, "race:ap_config_show,ap_config_store",
		  "expect data-race \"race:ap_config_show,ap_config_store\"" },
		{ SIM_F_HANG, "hang:apq_reset_check", "expect hang \"hang:apq_reset_check\"" },
	};
	static const enum sim_finding_kind none[] = {
		SIM_F_INVARIANT, SIM_F_LOCK_RECURSIVE, SIM_F_DIVERGENCE,
	};
	static struct apsim_scenario sc;
	char *w;
	size_t wl, i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		apsim_scn_init(&sc);
		snprintf(sc.name, sizeof(sc.name), "f");
		ck_assert_int_eq(apsim_expect_for_finding(&sc.expect[0], t[i].f, t[i].sig), 0);
		sc.nexpect = 1;
		/* the reproducer passes exactly when the finding recurs */
		ck_assert(apsim_expect_met_by_finding(&sc.expect[0], t[i].f, t[i].sig));
		ck_assert_ptr_null(apsim_expect_violation(&sc, t[i].f));
		w = write_str(&sc, &wl);
		ck_assert_msg(strstr(w, t[i].line), "wanted '%s' in:\n%s", t[i].line, w);
		free(w);
	}
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		apsim_scn_init(&sc);
		sc.expect[0].kind = APSIM_EXPECT_CLEAN;
		sc.expect[0].nclasses = 3;
		ck_assert_int_eq(apsim_expect_for_finding(&sc.expect[0], none[i], "x:y"), -1);
		ck_assert_int_eq(sc.expect[0].kind, 0);
		ck_assert_int_eq(sc.expect[0].nclasses, 0);
	}
	/* `expect data-race` turns the race detector on; nothing else does */
	expect_of("expect data-race");
	ck_assert(apsim_expect_needs_races(&S));
	expect_of("expect rule \"@write_ap_bitmap\"");
	ck_assert(!apsim_expect_needs_races(&S));
	ck_assert_str_eq(S.expect[0].str, "@write_ap_bitmap");
}
END_TEST

static const char *const full =
	"# the D2 deadlock\n"
	"scenario d2-assign-vs-apmask\n"
	"description \"assign_adapter races an apmask write\\t(pre-6.0)\"\n"
	"variant d2\n"
	"host adapters 5,6 domains 4-6 control-domains 0x04 apxa off\n"
	"host adapters 0x10-0x11\n"
	"host free-adapters 5,6 free-domains 4-6\n"
	"host card-type cex6\n"
	"fault kmalloc at vfio_ap_mdev_probe nth 2\n"
	"fault kmalloc every\n"
	"fault kmalloc at \"vfio_ap_ops.c:711\"\n"
	"fault ap zapq 05.0004 rc reset-in-progress count 2\n"
	"fault ap tapq any rc 0x42 always\n"
	"fault ap aqic 05.* rc busy\n"
	"setup:\n"
	"    kvm_create k0 vcpus 2\n"
	"    create_mdev m0\n"
	"    assign_domain m0 4\n"
	"    open m0 k0\n"
	"thread admin:\n"
	"    apmask \"-5\"                    -> -EBUSY\n"
	"thread qemu :\n"
	"    assign_adapter m0 6\n"
	"explore strategy pct seed 18446744073709551615 iterations 500\n"
	"explore pct-depth 2 preemption-bound 3 max-steps 100000 hung-task-timeout 30\n"
	"expect deadlock\n"
	"expect lock-cycle \"ap_perms_mutex\" \"&matrix_dev->guests_lock\"\n"
	"expect lock-cycle\n"
	"expect clean\n"
	"expect no-deadlock\n"
	"expect validator-clean\n"
	"expect invariants\n"
	"expect rules-clean\n"
	"expect memory use-after-free\n"
	"expect memory\n"
	"expect warn\n"
	"expect result apmask -EBUSY\n";

static bool bit(const uint8_t *m, int id)
{
	return m[id / 8] & (0x80 >> (id % 8));
}

START_TEST(test_full)
{
	const struct apsim_hostcfg *c = &S.cfg;
	int id;

	PARSE_OK(full);
	ck_assert_str_eq(S.name, "d2-assign-vs-apmask");
	ck_assert_str_eq(S.description, "assign_adapter races an apmask write\t(pre-6.0)");
	ck_assert_str_eq(S.variant, "d2");
	/* host */
	for (id = 0; id < 256; id++) {
		ck_assert_int_eq(bit(c->apm, id), id == 5 || id == 6 || id == 16 || id == 17);
		ck_assert_int_eq(bit(c->aqm, id), id >= 4 && id <= 6);
		ck_assert_int_eq(bit(c->adm, id), id == 4);
		ck_assert_int_eq(bit(c->apmask, id), !(id == 5 || id == 6));
		ck_assert_int_eq(bit(c->aqmask, id), !(id >= 4 && id <= 6));
	}
	ck_assert_int_eq(c->apm[0], 0x06);     /* MSB0: adapters 5,6 */
	ck_assert(!c->apxa);
	ck_assert(c->have_apmask && c->have_aqmask);
	ck_assert_int_eq(c->card_type, 12);
	/* faults */
	ck_assert_int_eq(S.nfaults, 6);
	ck_assert_int_eq(S.faults[0].kind, APSIM_FAULT_KMALLOC);
	ck_assert_str_eq(S.faults[0].site, "vfio_ap_mdev_probe");
	ck_assert_int_eq(S.faults[0].nth, 2);
	ck_assert_int_eq(S.faults[0].loc.line, 9);
	ck_assert_int_eq(S.faults[1].nth, 0);
	ck_assert_str_eq(S.faults[1].site, "");
	ck_assert_str_eq(S.faults[2].site, "vfio_ap_ops.c:711");
	ck_assert_int_eq(S.faults[2].nth, 1);
	ck_assert_int_eq(S.faults[3].kind, APSIM_FAULT_AP_RC);
	ck_assert_str_eq(S.faults[3].insn, "zapq");
	ck_assert_int_eq(S.faults[3].card, 5);
	ck_assert_int_eq(S.faults[3].domain, 4);
	ck_assert_int_eq(S.faults[3].rc, 2);
	ck_assert_int_eq(S.faults[3].count, 2);
	ck_assert_int_eq(S.faults[4].card, -1);
	ck_assert_int_eq(S.faults[4].domain, -1);
	ck_assert_int_eq(S.faults[4].rc, 0x42);
	ck_assert_int_eq(S.faults[4].count, 0);
	ck_assert_int_eq(S.faults[5].card, 5);
	ck_assert_int_eq(S.faults[5].domain, -1);
	ck_assert_int_eq(S.faults[5].rc, 5);
	ck_assert_int_eq(S.faults[5].count, 1);
	/* blocks */
	ck_assert_int_eq(S.nsetup, 4);
	ck_assert_int_eq(S.nthreads, 2);
	ck_assert_str_eq(S.threads[0].name, "admin");
	ck_assert_str_eq(S.threads[1].name, "qemu");
	ck_assert_int_eq(S.threads[0].ops[0].kind, APSIM_OP_APMASK_WRITE);
	ck_assert_int_eq(S.threads[0].ops[0].expect, -EBUSY);
	ck_assert_int_eq(S.threads[0].ops[0].loc.line, 21);
	ck_assert_int_eq(S.threads[0].ops[0].loc.col, 5);
	/* explore */
	ck_assert_int_eq(S.explore.strategy, SIM_STRAT_PCT);
	ck_assert(S.explore.has_seed);
	ck_assert(S.explore.seed == UINT64_MAX);
	ck_assert_int_eq(S.explore.iterations, 500);
	ck_assert_int_eq(S.explore.pct_depth, 2);
	ck_assert_int_eq(S.explore.preemption_bound, 3);
	ck_assert_int_eq(S.explore.max_steps, 100000);
	ck_assert_int_eq(S.explore.hung_task_s, 30);
	ck_assert(apsim_explore_hung_task_ns(&S.explore, 7) == 30000000000ULL);
	/* expectations */
	ck_assert_int_eq(S.nexpect, 12);
	ck_assert_int_eq(S.expect[0].kind, APSIM_EXPECT_DEADLOCK);
	ck_assert_int_eq(S.expect[1].kind, APSIM_EXPECT_LOCK_CYCLE);
	ck_assert_int_eq(S.expect[1].nclasses, 2);
	ck_assert_str_eq(S.expect[1].classes[0], "ap_perms_mutex");
	ck_assert_str_eq(S.expect[1].classes[1], "&matrix_dev->guests_lock");
	ck_assert_int_eq(S.expect[2].nclasses, 0);
	ck_assert_int_eq(S.expect[3].kind, APSIM_EXPECT_CLEAN);
	ck_assert_int_eq(S.expect[4].kind, APSIM_EXPECT_NO_DEADLOCK);
	ck_assert_int_eq(S.expect[5].kind, APSIM_EXPECT_VALIDATOR_CLEAN);
	ck_assert_int_eq(S.expect[6].kind, APSIM_EXPECT_INVARIANTS);
	ck_assert_int_eq(S.expect[7].kind, APSIM_EXPECT_RULES_CLEAN);
	ck_assert_int_eq(S.expect[8].kind, APSIM_EXPECT_MEMORY);
	ck_assert_str_eq(S.expect[8].str, "use-after-free");
	ck_assert_str_eq(S.expect[9].str, "");
	ck_assert_int_eq(S.expect[10].kind, APSIM_EXPECT_WARN);
	ck_assert_int_eq(S.expect[11].kind, APSIM_EXPECT_RESULT_SEEN);
	ck_assert_str_eq(S.expect[11].str, "apmask");
	ck_assert_int_eq(S.expect[11].value, -EBUSY);
	ck_assert_int_eq(S.expect[11].loc.line, 37);
	check_roundtrip();
}
END_TEST

START_TEST(test_defaults)
{
	int i;

	PARSE_OK("scenario x\n");
	ck_assert(S.cfg.apxa);
	ck_assert_int_eq(S.cfg.card_type, 13);
	ck_assert(!S.cfg.have_apmask && !S.cfg.have_aqmask);
	for (i = 0; i < 32; i++) {
		ck_assert_int_eq(S.cfg.apmask[i], 0xff);
		ck_assert_int_eq(S.cfg.apm[i], 0);
	}
	ck_assert_int_eq(S.explore.strategy, -1);
	ck_assert_int_eq(S.explore.iterations, -1);
	ck_assert_int_eq(S.explore.pct_depth, -1);
	ck_assert_int_eq(S.explore.preemption_bound, -1);
	ck_assert_int_eq(S.explore.max_steps, -1);
	ck_assert_int_eq(S.explore.hung_task_s, -1);
	ck_assert(apsim_explore_hung_task_ns(&S.explore, 7) == 7);	/* unset: the caller's */
	ck_assert(!S.explore.has_seed);
	ck_assert_int_eq(S.nthreads + S.nsetup + S.nexpect + S.nfaults, 0);
	check_roundtrip();
	/* host apmask all keeps have_apmask through a round trip */
	PARSE_OK("scenario x\nhost apmask all aqmask all\n");
	ck_assert(S.cfg.have_apmask && S.cfg.have_aqmask);
	check_roundtrip();
	PARSE_OK("scenario x\nhost free-adapters 0-255\n");
	ck_assert_int_eq(S.cfg.apmask[31], 0);
	check_roundtrip();
}
END_TEST

/* CRLF, tabs, no final newline, comments, quoting oddities. */
START_TEST(test_whitespace)
{
	PARSE_OK("scenario\tx\r\n\r\n# c\r\nsetup:\r\n\tcreate_mdev m0 # trailing\r\n"
		 "\tassign_adapter\tm0\t\"a#b \\\"q\\\" \\x01\\xff\"\r\n"
		 "thread t:\n  apmask \"->\"\n  aqmask \\x41");
	ck_assert_str_eq(S.name, "x");
	ck_assert_int_eq(S.nsetup, 2);
	ck_assert_str_eq(S.setup[1].str, "a#b \"q\" \x01\xff");
	ck_assert_int_eq(S.setup[1].loc.line, 6);
	ck_assert_int_eq(S.setup[1].loc.col, 2);
	ck_assert_str_eq(S.threads[0].ops[0].str, "->");
	ck_assert_str_eq(S.threads[0].ops[1].str, "\\x41");   /* bare words are literal */
	check_roundtrip();
}
END_TEST

START_TEST(test_allow_undeclared)
{
	PARSE_OK("scenario x\noption allow-undeclared\nthread a:\n open m3 k7\n pqap_aqic_disable k1.3 01.0001\n");
	ck_assert(S.allow_undeclared);
	check_roundtrip();
	/* kvm created in another thread counts */
	PARSE_OK("scenario x\nthread a:\n open m0 k1\nthread b:\n create_mdev m0\n kvm_create k1 vcpus 4\n pqap_aqic_disable k1.3 01.0001\n");
}
END_TEST

START_TEST(test_limits_ok)
{
	static char buf[65536];
	size_t o = 0, keep;
	int i, t;

	o += snprintf(buf + o, sizeof(buf) - o, "scenario lim\nsetup:\n");
	for (i = 0; i < APSIM_MAX_OPS; i++)
		o += snprintf(buf + o, sizeof(buf) - o, " yield\n");
	for (t = 0; t < APSIM_MAX_THREADS; t++) {
		o += snprintf(buf + o, sizeof(buf) - o, "thread t%d:\n", t);
		for (i = 0; i < APSIM_MAX_OPS; i++)
			o += snprintf(buf + o, sizeof(buf) - o, " sleep %d\n", i);
	}
	for (i = 0; i < APSIM_MAX_EXPECT; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "expect clean\n");
	for (i = 0; i < APSIM_MAX_FAULTS; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "fault kmalloc nth %d\n", i + 1);
	keep = o;
	o += snprintf(buf + o, sizeof(buf) - o, "thread x:\n apmask \"%0*d\"\n", APSIM_STR_MAX - 1, 7);
	/* the ninth thread is one too many */
	ck_assert_int_eq(parse(buf), -EINVAL);
	ck_assert_msg(strstr(err, "too many threads (max 8)"), "%s", err);
	buf[keep] = 0;
	PARSE_OK(buf);
	ck_assert_int_eq(S.nsetup, APSIM_MAX_OPS);
	ck_assert_int_eq(S.nthreads, APSIM_MAX_THREADS);
	ck_assert_int_eq(S.nexpect, APSIM_MAX_EXPECT);
	ck_assert_int_eq(S.nfaults, APSIM_MAX_FAULTS);
	check_roundtrip();
}
END_TEST

/* ------------------------------------------------------------- errors */

static const struct {
	const char *text;
	const char *msg;     /* the full error text */
} bad[] = {
	{ "scenario x\nsetup:\n  frobnicate m0\n",
	  "t.scn:3:3: error: expected a keyword (scenario, description, variant, tree, option, host, fault, setup:, thread, explore, expect) or an operation, got 'frobnicate'" },
	{ "scenario x\nsetup:\n  create_mdev\n",
	  "t.scn:3:14: error: expected mdev m0..m15, got end of line" },
	{ "scenario x\nsetup:\n  create_mdev m16\n",
	  "t.scn:3:15: error: expected mdev m0..m15, got 'm16'" },
	{ "scenario x\nsetup:\n  bind 5.g\n",
	  "t.scn:3:8: error: expected APQN CC.DDDD (hex card 00..ff '.' hex domain 0000..00ff), got '5.g'" },
	{ "scenario x\nsetup:\n  bind 05.0100\n",
	  "t.scn:3:8: error: expected APQN CC.DDDD (hex card 00..ff '.' hex domain 0000..00ff), got '05.0100'" },
	{ "scenario x\nsetup:\n  sleep 12x\n",
	  "t.scn:3:9: error: expected milliseconds (decimal or 0x hex number), got '12x'" },
	{ "scenario x\nsetup:\n  config_add_adapter 99999999999999999999999\n",
	  "t.scn:3:22: error: expected adapter id in 0..255, got '99999999999999999999999'" },
	{ "scenario x\nsetup:\n  create_mdev m0\n  assign_adapter m0 \"5\n",
	  "t.scn:4:21: error: expected '\"' closing the string, got end of line" },
	{ "scenario x\nthread a:\nexpect clean\n",
	  "t.scn:3:1: error: expected an operation in thread 'a' (line 2), got 'expect'" },
	{ "scenario x\nthread a:\n",
	  "t.scn:3:1: error: expected an operation in thread 'a' (line 2), got end of file" },
	{ "scenario x\nthread a:\n  # only a comment",
	  "t.scn:3:1: error: expected an operation in thread 'a' (line 2), got end of file" },
	{ "scenario x\n  yield\n",
	  "t.scn:2:3: error: expected a 'setup:' or 'thread NAME:' line before operation 'yield'" },
	{ "scenario x\nscenario y\n",
	  "t.scn:2:1: error: expected one 'scenario' line, got a second one (first at line 1)" },
	{ "# no name\nsetup:\n",
	  "t.scn:2:1: error: expected 'scenario NAME' as the first line, got 'setup:'" },
	{ "",
	  "t.scn:1:1: error: expected 'scenario NAME' as the first line, got end of file" },
	{ "scenario x\nthread a\n yield\n",
	  "t.scn:2:9: error: expected ':' after the thread name, got end of line" },
	{ "scenario x\nthread a:\n yield\nthread a:\n yield\n",
	  "t.scn:4:8: error: expected a new thread name, got 'a' (already used)" },
	{ "scenario x\nsetup:\n create_mdev m0\n assign_adapter m0 5 -> -EBOGUS\n",
	  "t.scn:4:25: error: expected result (bytes >= 0, -EXXX errno name, or negative number), got '-EBOGUS'" },
	{ "scenario x\nsetup:\n create_mdev m0\n assign_adapter m0 5 6\n",
	  "t.scn:4:22: error: expected '-> RESULT' or end of line, got '6'" },
	{ "scenario x\nsetup:\n create_mdev m0\n assign_adapter m0 ->\n",
	  "t.scn:4:20: error: expected sysfs string (word or \"quoted\"), got '->'" },
	{ "scenario x\nsetup:\n apmask \"a\\qb\"\n",
	  "t.scn:3:11: error: expected escape \\\\ \\\" \\n \\t \\r or \\xHH, got '\\q'" },
	{ "scenario x\nsetup:\n apmask \"a\\x00\"\n",
	  "t.scn:3:11: error: expected a nonzero byte, got '\\x00' (strings cannot hold NUL)" },
	{ "scenario x\nsetup:\n apmask a\x01z\n",
	  "t.scn:3:10: error: expected printable ASCII text, got byte 0x01" },
	{ "scenario \xc3\xa9\n",
	  "t.scn:1:10: error: expected printable ASCII text, got byte 0xc3" },
	{ "scenario x\nhost adapters 1,3-x,5\n",
	  "t.scn:2:17: error: expected id list (ids 0..255, decimal or 0x hex, ranges a-b, ',' between), got '3-x'" },
	{ "scenario x\nhost adapters 1,7-3\n",
	  "t.scn:2:17: error: expected a range low-high with low <= high, got '7-3'" },
	{ "scenario x\nhost adapters 256\n",
	  "t.scn:2:15: error: expected id list (ids 0..255, decimal or 0x hex, ranges a-b, ',' between), got '256'" },
	{ "scenario x\nhost apxa maybe\n",
	  "t.scn:2:11: error: expected 'on' or 'off', got 'maybe'" },
	{ "scenario x\nfault ap zapq 05.0004 rc wobbly\n",
	  "t.scn:2:26: error: expected AP response code (normal, q-not-avail, reset-in-progress, deconfigured, checkstopped, busy, invalid-address, otherwise-changed, ... or a number), got 'wobbly'" },
	{ "scenario x\nfault ap nqap any rc busy\n",
	  "t.scn:2:10: error: expected AP instruction (tapq, zapq, aqic), got 'nqap'" },
	{ "scenario x\nexplore strategy dfs\n",
	  "t.scn:2:18: error: expected strategy (random, pct, rr, exhaustive), got 'dfs'" },
	{ "scenario x\nexplore seed 1 seed 2\n",
	  "t.scn:2:16: error: expected each explore setting once, got 'seed' a second time" },
	{ "scenario x\nexplore seed 18446744073709551616\n",
	  "t.scn:2:14: error: expected seed in 0..18446744073709551615, got '18446744073709551616'" },
	{ "scenario x\nexplore hung-task-timeout 86401\n",
	  "t.scn:2:27: error: expected hung-task-timeout seconds in 0..86400, got '86401'" },
	{ "scenario x\nexplore hung-task-timeout 0 hung-task-timeout 5\n",
	  "t.scn:2:29: error: expected each explore setting once, got 'hung-task-timeout' a second time" },
	{ "scenario x\nexplore hung-task 5\n",
	  "t.scn:2:9: error: expected explore setting (strategy, seed, iterations, pct-depth, preemption-bound, max-steps, hung-task-timeout), got 'hung-task'" },
	{ "scenario x\nexpect sadness\n",
	  "t.scn:2:8: error: expected expectation (clean, no-deadlock, validator-clean, invariants, rules-clean, deadlock, lock-cycle, memory, warn, crash, result, bug, rule, data-race, hang), got 'sadness'" },
	{ "scenario x\nexpect result frob -EBUSY\n",
	  "t.scn:2:15: error: expected operation name, got 'frob'" },
	{ "scenario x\nexpect deadlock now\n",
	  "t.scn:2:17: error: expected end of line, got 'now'" },
	{ "scenario x\nthread a:\n open m0 k3\n",
	  "t.scn:3:2: error: mdev m0 is never created (add 'create_mdev m0' or 'option allow-undeclared')" },
	{ "scenario x\nthread a:\n create_mdev m0\n open m0 k3\n",
	  "t.scn:4:2: error: kvm k3 is never created (add 'kvm_create k3' or 'option allow-undeclared')" },
	{ "scenario x\nsetup:\n kvm_create k0 vcpus 2\nthread a:\n pqap_aqic_disable k0.2 05.0004\n",
	  "t.scn:5:2: error: vcpu k0.2 does not exist (kvm_create k0 creates 2 vcpus)" },
	{ "scenario x\nsetup:\n kvm_create k0 vcpus 5\n",
	  "t.scn:3:22: error: expected number of vcpus in 1..4, got '5'" },
	{ "scenario x\nsetup:\n pqap_aqic_enable k0.0 05.0004\n",
	  "t.scn:3:31: error: expected 'isc', got end of line" },
	{ "scenario x\nsetup:\n yield\nsetup:\n yield\n",
	  "t.scn:4:1: error: expected one 'setup:' block, got a second one" },
	{ "scenario x\ndescription \"a\"\ndescription \"b\"\n",
	  "t.scn:3:1: error: expected one 'description' line, got a second one" },
	{ "scenario x\nvariant \"d 2\"\n",
	  "t.scn:2:9: error: expected variant name (letters, digits, '_', '-', '.'), got \"d 2\"" },
	{ "scenario x\nhost\n",
	  "t.scn:2:5: error: expected host setting (adapters, domains, control-domains, apxa, card-type, free-adapters, free-domains, apmask, aqmask, aqic-completion-us), got end of line" },
	{ "scenario x\nsetup:\n apmask \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n",
	  "t.scn:3:9: error: expected sysfs string (word or \"quoted\") of at most 95 bytes, got \"0123456789012345678901234567890123456789...\" of 100 bytes" },
	{ "scenario x\nsetup:\n kvm_vm_crypto k0 enable-everything\n",
	  "t.scn:3:19: error: expected crypto attribute (enable-aes-kw, enable-dea-kw, disable-aes-kw, disable-dea-kw, enable-apie, disable-apie or a number), got 'enable-everything'" },
	{ "scenario x\noption be-lenient\n",
	  "t.scn:2:8: error: expected option name (allow-undeclared), got 'be-lenient'" },
	{ "scenario x\nexpect memory use-after-fee\n",
	  "t.scn:2:15: error: expected memory finding kind (use-after-free, slab-out-of-bounds, double-free, "
	  "invalid-free, wild-memory-access, leak, sysfs-show-overflow), got 'use-after-fee'" },
	{ "scenario x\nexpect memory \"use-after-fee:f@g\"\n",
	  "t.scn:2:15: error: expected memory finding kind (use-after-free, slab-out-of-bounds, double-free, "
	  "invalid-free, wild-memory-access, leak, sysfs-show-overflow), got 'use-after-fee'" },
	{ "scenario x\nexplore pct-depth 17\n",
	  "t.scn:2:19: error: expected pct-depth in 1..16, got '17'" },
	{ "scenario x\nexplore preemption-bound 1001\n",
	  "t.scn:2:26: error: expected preemption-bound in 0..1000, got '1001'" },
};

START_TEST(test_errors)
{
	const char *text = bad[_i].text;
	int r = parse(text);

	ck_assert_msg(r == -EINVAL, "case %d parsed: %s", _i, text);
	ck_assert_msg(!strcmp(err, bad[_i].msg), "case %d:\n got  %s\n want %s", _i, err, bad[_i].msg);
}
END_TEST

/* A NUL byte inside the buffer is data, not the end of the input. */
START_TEST(test_nul_byte)
{
	static const char t[] = "scenario x\nsetup:\n yield\0\n";

	ck_assert_int_eq(apsim_scn_parse_buf(t, sizeof(t) - 1, "n.scn", &S, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "n.scn:3:7: error: expected printable ASCII text, got byte 0x00");
	/* a NULL buffer is an empty file */
	ck_assert_int_eq(apsim_scn_parse_buf(NULL, 0, NULL, &S, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "<input>:1:1: error: expected 'scenario NAME' as the first line, got end of file");
	/* a tiny error buffer truncates, never overflows */
	ck_assert_int_eq(apsim_scn_parse_buf("x", 1, "n.scn", &S, err, 5), -EINVAL);
	ck_assert_str_eq(err, "n.sc");
	ck_assert_int_eq(apsim_scn_parse_buf("x", 1, "n.scn", &S, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_too_many)
{
	static char buf[65536];
	size_t o;
	int i;

	/* ops in one thread */
	o = snprintf(buf, sizeof(buf), "scenario x\nthread a:\n");
	for (i = 0; i <= APSIM_MAX_OPS; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "  yield\n");
	ck_assert_int_eq(parse(buf), -EINVAL);
	ck_assert_str_eq(err, "t.scn:67:3: error: too many operations in this thread (max 64)");
	/* expectations */
	o = snprintf(buf, sizeof(buf), "scenario x\n");
	for (i = 0; i <= APSIM_MAX_EXPECT; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "expect warn\n");
	ck_assert_int_eq(parse(buf), -EINVAL);
	ck_assert_str_eq(err, "t.scn:18:1: error: too many expectations (max 16)");
	/* faults */
	o = snprintf(buf, sizeof(buf), "scenario x\n");
	for (i = 0; i <= APSIM_MAX_FAULTS; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "fault kmalloc\n");
	ck_assert_int_eq(parse(buf), -EINVAL);
	ck_assert_str_eq(err, "t.scn:18:1: error: too many faults (max 16)");
	/* words on a line */
	o = snprintf(buf, sizeof(buf), "scenario x\nexpect lock-cycle");
	for (i = 0; i < APSIM_SCN_MAX_TOKENS; i++)
		o += snprintf(buf + o, sizeof(buf) - o, " a");
	ck_assert_int_eq(parse(buf), -EINVAL);
	ck_assert_str_eq(err, "t.scn:2:143: error: too many words on one line (max 64)");
	/* lock classes */
	ck_assert_int_eq(parse("scenario x\nexpect lock-cycle a b c d e f g\n"), -EINVAL);
	ck_assert_str_eq(err, "t.scn:2:31: error: too many lock classes in one lock-cycle (max 6)");
}
END_TEST

/* --------------------------------------------------------- files, corpus */

#define CORPUS_DIR "tests/scn_corpus/"

START_TEST(test_file_errors)
{
	static const struct { const char *file, *where; } t[] = {
		{ "bad_crlf_unterminated.scn", ":5:23: error: expected '\"' closing the string" },
		{ "bad_binary.scn", ":2:1: error: expected printable ASCII text, got byte 0x7f" },
		{ "bad_empty_thread.scn", ":9:1: error: expected an operation in thread 'qemu' (line 7), got 'expect'" },
		{ "bad_undeclared_kvm.scn", ":6:5: error: kvm k3 is never created" },
		{ "bad_overflow.scn", ":4:41: error: expected result (bytes >= 0" },
	};
	char path[256], want[512];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(path, sizeof(path), CORPUS_DIR "%s", t[i].file);
		ck_assert_int_eq(apsim_scn_parse_file(path, &S, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "%s%s", path, t[i].where);
		ck_assert_msg(!strncmp(err, want, strlen(want)), "%s:\n got  %s\n want %s...", t[i].file, err, want);
	}
	ck_assert_int_eq(apsim_scn_parse_file(CORPUS_DIR "no-such-file.scn", &S, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, CORPUS_DIR "no-such-file.scn: error: cannot open: No such file or directory");
	ck_assert_int_eq(apsim_scn_parse_file(CORPUS_DIR "good_d2.scn", &S, err, sizeof(err)), 0);
	ck_assert_str_eq(S.file, CORPUS_DIR "good_d2.scn");
	ck_assert_int_eq(S.nthreads, 2);
	check_roundtrip();
}
END_TEST

/* ------------------------------------------------------------ robustness */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

START_TEST(test_mutations)
{
	static const char *const seeds[] = { full, all_ops };
	static const char snippets[][24] = {
		"\n", " ", "\"", "\\", "#", "->", ":", "\r\n", "\t", "0x", "-", ",",
		"m99", "k0.9", "thread t:\n", "setup:\n", "expect ", "\\x", "\0",
		"18446744073709551616", "99999999999999999999",
	};
	static char buf[8192];
	int it, ok = 0;

	for (it = 0; it < 20000; it++) {
		const char *seed = seeds[it % 2];
		size_t len = strlen(seed), m, nmut = 1 + next() % 4;

		memcpy(buf, seed, len);
		for (m = 0; m < nmut; m++) {
			size_t pos = len ? next() % len : 0;

			switch (next() % 5) {
			case 0:   /* flip bits */
				if (len)
					buf[pos] ^= (char)(1u << (next() % 8));
				break;
			case 1:   /* random byte */
				if (len)
					buf[pos] = (char)next();
				break;
			case 2:   /* truncate */
				len = pos;
				break;
			case 3: { /* insert a snippet */
				const char *sn = snippets[next() % (sizeof(snippets) / sizeof(snippets[0]))];
				size_t sl = sn[0] ? strlen(sn) : 1;

				if (len + sl < sizeof(buf)) {
					memmove(buf + pos + sl, buf + pos, len - pos);
					memcpy(buf + pos, sn, sl);
					len += sl;
				}
				break;
			}
			default:  /* delete a span */
				if (len) {
					size_t n = next() % 16;

					if (pos + n > len)
						n = len - pos;
					memmove(buf + pos, buf + pos + n, len - pos - n);
					len -= n;
				}
			}
		}
		/* parse exactly len bytes: the copy has no terminating NUL in reach */
		{
			char *exact = malloc(len ? len : 1);

			memcpy(exact, buf, len);
			if (apsim_scn_parse_buf(exact, len, "mut.scn", &S, err, sizeof(err)) == 0) {
				ok++;
				check_roundtrip();
			} else {
				ck_assert_msg(!strncmp(err, "mut.scn:", 8), "bad error text: %s", err);
				ck_assert_msg(strstr(err, ": error: "), "bad error text: %s", err);
			}
			free(exact);
		}
	}
	/* the mutator keeps some inputs valid: the round trip is exercised */
	ck_assert_int_gt(ok, 100);
}
END_TEST

/* Known-findings files (driver/scenario/known.c). */
START_TEST(test_known)
{
	struct apsim_known k;
	char err[256];
	const struct apsim_known_entry *e;
	static const char text[] =
		"# comment\n"
		"\n"
		"crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain  driver bug, docs/findings.md#3\n"
		"  memory:use-after-free:*@get_update_locks_for_queue\tstale link  \n"
		"warn:vfio_ap_?rq_disable fault\n";

	ck_assert_int_eq(apsim_known_parse(text, "t.known", &k, err, sizeof(err)), 0);
	ck_assert_int_eq(k.n, 3);
	ck_assert_int_eq(k.e[1].line, 4);
	ck_assert_str_eq(k.e[1].reason, "stale link");
	e = apsim_known_match(&k, "crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->reason, "driver bug, docs/findings.md#3");
	/* a pattern matches whole signatures only */
	ck_assert_ptr_null(apsim_known_match(&k, "crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain2"));
	ck_assert_ptr_null(apsim_known_match(&k, "crash:SIGSEGV@vfio_ap_mdev_hot_unplug_adapter"));
	ck_assert_ptr_nonnull(apsim_known_match(&k,
		"memory:use-after-free:_vfio_alloc_device@get_update_locks_for_queue"));
	ck_assert_ptr_null(apsim_known_match(&k,
		"memory:use-after-free:_vfio_alloc_device@get_update_locks_for_queue_x"));
	ck_assert_ptr_nonnull(apsim_known_match(&k, "warn:vfio_ap_irq_disable"));
	ck_assert_ptr_null(apsim_known_match(&k, "warn:vfio_ap_irq_enable"));
	ck_assert_int_eq(k.e[0].hits, 1);
	ck_assert(apsim_known_glob("*", ""));
	ck_assert(apsim_known_glob("a*b*c", "aXbYbc"));
	ck_assert(!apsim_known_glob("a*b", "aXbc"));
	apsim_known_free(&k);

	/* errors name the line */
	ck_assert_int_eq(apsim_known_parse("# x\nwarn:x\n", "t.known", &k, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "t.known:2: error: 'warn:x' has no reason "
			 "(expected: SIGNATURE-PATTERN REASON...)");
	ck_assert_int_eq(k.n, 0);
	ck_assert_int_eq(apsim_known_parse("vfio_ap_irq_disable some reason\n", "t.known", &k,
					   err, sizeof(err)), -1);
	ck_assert(strstr(err, "t.known:1: error: 'vfio_ap_irq_disable' is not a signature pattern"));
}
END_TEST

/* `fault NAME [err ERRNO] [nth N | every]` (driver/scenario/faults.def):
 * fields, defaults, the written form and its round trip, and the errors. */
START_TEST(test_fault_points)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "scenario x\nfault pin_pages err -ENOSPC\n",
		  "t.scn:2:21: error: expected an error vfio_pin_pages (6.1 drivers/vfio/container.c, 6.12 vfio_main.c) -> vfio_iommu_type1_pin_pages returns (-EINVAL, -EPERM, -EBUSY, -ENODEV, -EFAULT, -ENOMEM), got '-ENOSPC'" },
		{ "scenario x\nfault gisc_register err\n",
		  "t.scn:2:24: error: expected an error kvm_s390_gisc_register (arch/s390/kvm/interrupt.c) returns (-ENODEV, -ERANGE), got end of line" },
		{ "scenario x\nfault device_add nth 0\n",
		  "t.scn:2:22: error: expected call number in 1..1000000, got '0'" },
		{ "scenario x\nfault sysfs_group every nth 2\n",
		  "t.scn:2:25: error: expected 'err ERRNO', 'nth N', 'every', 'modprobe' or end of line, got 'nth'" },
		{ "scenario x\nfault eventfd at foo\n",
		  "t.scn:2:15: error: expected 'err ERRNO', 'nth N', 'every', 'modprobe' or end of line, got 'at'" },
		{ "scenario x\nfault vfio_pin\n",
		  "t.scn:2:7: error: expected fault kind (kmalloc, ap, pin_pages, gisc_register, gisc_unregister, device_add, sysfs_group, eventfd, driver_register, mdev_register, qci), got 'vfio_pin'" },
	};

	PARSE_OK("scenario x\n"
		 "fault pin_pages\n"
		 "fault gisc_register err -ERANGE nth 3\n"
		 "fault gisc_unregister every\n"
		 "fault device_add err -EEXIST\n"
		 "fault sysfs_group nth 2 err -EINVAL\n"
		 "fault eventfd err -EINVAL every\n");
	ck_assert_int_eq(S.nfaults, 6);
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(S.faults[i].kind, APSIM_FAULT_POINT);
	ck_assert_int_eq(S.faults[0].point, APSIM_FP_PIN_PAGES);
	ck_assert_int_eq(S.faults[0].err, -EINVAL);             /* the default */
	ck_assert_int_eq(S.faults[0].nth, 1);
	ck_assert_int_eq(S.faults[1].point, APSIM_FP_GISC_REGISTER);
	ck_assert_int_eq(S.faults[1].err, -ERANGE);
	ck_assert_int_eq(S.faults[1].nth, 3);
	ck_assert_int_eq(S.faults[2].err, -ENODEV);
	ck_assert_int_eq(S.faults[2].nth, 0);
	ck_assert_int_eq(S.faults[3].err, -EEXIST);
	ck_assert_int_eq(S.faults[4].nth, 2);
	ck_assert_int_eq(S.faults[4].err, -EINVAL);
	ck_assert_int_eq(S.faults[5].point, APSIM_FP_EVENTFD);
	ck_assert_int_eq(S.faults[5].loc.line, 7);
	check_roundtrip();
	{
		size_t l;
		char *t = write_str(&S, &l);

		ck_assert_msg(strstr(t, "fault pin_pages err -EINVAL nth 1\n") &&
			      strstr(t, "fault gisc_unregister err -ENODEV every\n") &&
			      strstr(t, "fault sysfs_group err -EINVAL nth 2\n"), "%s", t);
		free(t);
	}
	/* the tree of each point */
	ck_assert(apsim_fault_point_tree_ok(APSIM_FP_PIN_PAGES, "6.1.192"));
	ck_assert(!apsim_fault_point_tree_ok(APSIM_FP_EVENTFD, "6.1.192"));
	ck_assert(apsim_fault_point_tree_ok(APSIM_FP_EVENTFD, "6.12.117"));
	ck_assert_str_eq(apsim_fault_point_since(APSIM_FP_EVENTFD), "6.12");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i].text), -EINVAL);
		ck_assert_str_eq(err, bad[i].msg);
	}
}
END_TEST

/* "-> R1|R2|...": every execution must return one of the results. */
START_TEST(test_result_alternatives)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "scenario x\nsetup:\n  ap_scan -> 0|\n",
		  "t.scn:3:14: error: expected results (bytes >= 0, -EXXX errno names or negative numbers), '|' between, each once, got '0|'" },
		{ "scenario x\nsetup:\n  ap_scan -> 0|0\n",
		  "t.scn:3:14: error: expected results (bytes >= 0, -EXXX errno names or negative numbers), '|' between, each once, got '0|0'" },
		{ "scenario x\nsetup:\n  ap_scan -> 0|-EBOGUS\n",
		  "t.scn:3:14: error: expected results (bytes >= 0, -EXXX errno names or negative numbers), '|' between, each once, got '0|-EBOGUS'" },
		{ "scenario x\nsetup:\n  ap_scan -> 0|1|2|3|4\n",
		  "t.scn:3:14: error: expected at most 4 results, '|' between, got '0|1|2|3|4'" },
		{ "scenario x\nsetup:\n  ap_scan -> \"0|1\"\n",
		  "t.scn:3:14: error: expected result (bytes >= 0, -EXXX errno name, or negative number), got \"0|1\"" },
	};
	char buf[128];

	PARSE_OK("scenario x\n"
		 "setup:\n"
		 "  create_mdev m0 -> 0|-ENOMEM\n"
		 "  assign_adapter m0 5 -> 1|-EADDRINUSE|-ENODEV|-22\n"
		 "  ap_scan -> 0\n"
		 "  yield\n");
	ck_assert(S.setup[0].has_expect);
	ck_assert_int_eq(S.setup[0].expect, 0);
	ck_assert_int_eq(S.setup[0].nalt, 1);
	ck_assert_int_eq(S.setup[0].alt[0], -ENOMEM);
	ck_assert_int_eq(S.setup[1].nalt, 3);
	ck_assert_int_eq(S.setup[1].alt[2], -EINVAL);
	ck_assert_int_eq(S.setup[2].nalt, 0);
	ck_assert(apsim_op_result_ok(&S.setup[0], 0));
	ck_assert(apsim_op_result_ok(&S.setup[0], -ENOMEM));
	ck_assert(!apsim_op_result_ok(&S.setup[0], -EBUSY));
	ck_assert(apsim_op_result_ok(&S.setup[1], -EINVAL));
	ck_assert(!apsim_op_result_ok(&S.setup[2], 1));
	ck_assert(apsim_op_result_ok(&S.setup[3], 12345));   /* no "->": anything */
	ck_assert_str_eq(apsim_op_expect_str(&S.setup[1], buf, sizeof(buf)),
			 "1|-EADDRINUSE|-ENODEV|-EINVAL");
	check_roundtrip();
	{
		size_t l;
		char *t = write_str(&S, &l);

		ck_assert_msg(strstr(t, "-> 0|-ENOMEM\n") && strstr(t, "-> 1|-EADDRINUSE|-ENODEV|-EINVAL\n"),
			      "%s", t);
		free(t);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(bad[i].text), -EINVAL);
		ck_assert_str_eq(err, bad[i].msg);
	}
}
END_TEST

/* Every shipped scenario parses, and writes back to a text that parses to
 * the same scenario (result alternatives, fault points included). */
static int shipped_roundtrip(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	int n = 0;

	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (l > 4 && !strcmp(e->d_name + l - 4, ".scn")) {
			ck_assert_msg(apsim_scn_parse_file(path, &S, err, sizeof(err)) == 0, "%s", err);
			check_roundtrip();
			n++;
		} else if (!strchr(e->d_name, '.')) {
			n += shipped_roundtrip(path);
		}
	}
	closedir(d);
	return n;
}

START_TEST(test_shipped_roundtrip)
{
	ck_assert_int_ge(shipped_roundtrip("scenarios"), 70);
}
END_TEST

static Suite *scn_suite(void)
{
	
Suite *s = suite_create("scn");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_op_names);
	tcase_add_test(tc, test_tree_line);
	tcase_add_test(tc, test_errno_names);
	tcase_add_test(tc, test_all_ops);
	tcase_add_test(tc, test_ops_def);
	tcase_add_test(tc, test_op_since);
	tcase_add_test(tc, test_op_lines);
	tcase_add_test(tc, test_expect_names);
	tcase_add_test(tc, test_expect_violation);
	tcase_add_test(tc, test_expect_met);
	tcase_add_test(tc, test_expect_for_finding);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_whitespace);
	tcase_add_test(tc, test_allow_undeclared);
	tcase_add_test(tc, test_limits_ok);
	tcase_add_loop_test(tc, test_errors, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_too_many);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_mutations);
	tcase_add_test(tc, test_known);
	tcase_add_test(tc, test_fault_points);
	tcase_add_test(tc, test_result_alternatives);
	tcase_add_test(tc, test_shipped_roundtrip);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(scn_suite());
}
