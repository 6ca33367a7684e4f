/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_fuzz.c - Check suite of the fuzzer: generator determinism and
 * validity (round trip through the .scn writer and parser), op-vocabulary
 * coverage, the byte decoder, the shrinker on synthetic predicates (known
 * minimum, budget cap), the shard split, the mutator (valid, deterministic
 * mutants of every kind) and the corpus (compact form, files), and -- when
 * built with APSIM_BIN (needs the full driver) -- campaign determinism of
 * `apsim fuzz`, unguided and guided, and guided corpora resumed and merged.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fuzz/campaign.h"
#include "fuzz/corpus.h"
#include "fuzz/gen.h"
#include "fuzz/mutate.h"
#include "fuzz/shrink.h"
#include "driver/scenario/scenario.h"

#include <apsim/sim.h>
#include "check_util.h"

/* Where the tests write: the binary's own build directory (make passes
 * APSIM_TEST_OUT), so that the suites of two trees and of the ASan build
 * can run side by side (make check runs its pieces with -j 2). */
#ifndef APSIM_TEST_OUT
#define APSIM_TEST_OUT "build/tests"
#endif
#define TOUT APSIM_TEST_OUT

static char *write_str(const struct apsim_scenario *s, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(apsim_scn_write(f, s), 0);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

static struct apsim_scenario A, B, P;

START_TEST(gen_deterministic)
{
	for (uint64_t seed = 0; seed < 300; seed++) {
		char *a, *b;

		apsim_gen_scenario(seed, NULL, &A);
		apsim_gen_scenario(seed, NULL, &B);
		a = write_str(&A, NULL);
		b = write_str(&B, NULL);
		ck_assert_str_eq(a, b);
		ck_assert_int_eq(memcmp(&A, &B, sizeof(A)), 0);
		free(a);
		free(b);
	}
	/* different seeds give different worlds (nearly always) */
	{
		int same = 0;

		for (uint64_t seed = 1; seed < 100; seed++) {
			char *a, *b;

			apsim_gen_scenario(seed, NULL, &A);
			apsim_gen_scenario(seed + 1000, NULL, &B);
			a = write_str(&A, NULL);
			b = write_str(&B, NULL);
			/* names differ by construction: compare from line 3 on */
			same += !strcmp(strchr(strchr(a, '\n') + 1, '\n'),
					strchr(strchr(b, '\n') + 1, '\n'));
			free(a);
			free(b);
		}
		ck_assert_int_le(same, 2);
	}
}
END_TEST

static void check_roundtrip(const struct apsim_scenario *s, const char *what, uint64_t seed)
{
	char err[512];
	size_t n;
	char *a = write_str(s, &n), *b;
	int rc = apsim_scn_parse_buf(a, n, "gen.scn", &P, err, sizeof(err));

	if (rc)
		ck_abort_msg("%s %llu does not parse: %s\n%s", what,
			     (unsigned long long)seed, err, a);
	ck_assert(apsim_scn_refs_ok(s));
	b = write_str(&P, NULL);
	ck_assert_msg(!strcmp(a, b), "%s %llu: write/parse/write differs", what,
		      (unsigned long long)seed);
	ck_assert_int_ge(s->nthreads, 1);
	for (int t = 0; t < s->nthreads; t++)
		ck_assert_int_ge(s->threads[t].nops, 1);
	free(a);
	free(b);
}

START_TEST(gen_valid_2000)
{
	for (uint64_t seed = 0; seed < 2000; seed++) {
		apsim_gen_scenario(seed, NULL, &A);
		check_roundtrip(&A, "seed", seed);
		ck_assert(A.explore.strategy == SIM_STRAT_RANDOM ||
			  A.explore.strategy == SIM_STRAT_PCT);
		if (A.explore.strategy == SIM_STRAT_PCT)
			ck_assert(A.explore.pct_depth >= 1 && A.explore.pct_depth <= 3);
		ck_assert(A.nthreads >= 2 && A.nthreads <= 4);
		for (int t = 0; t < A.nthreads; t++)
			ck_assert(A.threads[t].nops >= 1 && A.threads[t].nops <= 4);
	}
}
END_TEST

/* apsim_gen_scenario_ref clears only what its buffer's counts cover: the
 * whole struct is apsim_gen_scenario's, byte for byte, whatever ran
 * before (a world of 8 threads of 64 ops, then small ones, large worlds,
 * sharing on and off). */
START_TEST(gen_ref_equals_gen)
{
	struct apsim_gen_opts big, share, *opts[3] = { NULL, NULL, NULL };
	int large = 0;

	apsim_gen_opts_default(&big);
	big.threads_min = 1;
	big.threads_max = APSIM_MAX_THREADS;
	big.ops_min = 1;
	big.ops_max = APSIM_MAX_OPS;
	apsim_gen_opts_default(&share);
	share.share = 16;
	opts[1] = &big;
	opts[2] = &share;
	for (uint64_t seed = 0; seed < 3000; seed++) {
		const struct apsim_gen_opts *o = opts[(seed * 7) % 3];
		const struct apsim_scenario *r = apsim_gen_scenario_ref(seed, o);

		memset(&A, 0x5a, sizeof(A));   /* apsim_gen_scenario clears it all */
		apsim_gen_scenario(seed, o, &A);
		if (memcmp(r, &A, sizeof(A)))
			ck_abort_msg("seed %llu: the ref scenario differs", (unsigned long long)seed);
		large += apsim_gen_seed_is_large(seed);
	}
	ck_assert_int_gt(large, 0);
}
END_TEST

/* --share-setup G: the seeds of a group (s / G) share the host
 * configuration, the setup block and the strategy, not their threads, and
 * every scenario is valid; a large world is the default generator's (its
 * own set-up); G = 1 is the default generator, draw for draw. */
START_TEST(gen_share_setup)
{
	static struct apsim_scenario F;   /* the group's first small world */
	struct apsim_gen_opts o;
	int same_threads = 0, groups_differ = 0, shared = 0, large = 0;
	uint64_t fseed = UINT64_MAX;

	apsim_gen_opts_default(&o);
	for (uint64_t seed = 0; seed < 200; seed++) {
		apsim_gen_scenario(seed, NULL, &A);
		apsim_gen_scenario(seed, &o, &B);
		ck_assert_int_eq(memcmp(&A, &B, sizeof(A)), 0);
	}
	o.share = 8;
	for (uint64_t seed = 0; seed < 2400; seed++) {
		apsim_gen_scenario(seed, &o, &A);
		check_roundtrip(&A, "share seed", seed);
		if (apsim_gen_seed_is_large(seed)) {
			apsim_gen_scenario(seed, NULL, &B);
			ck_assert_int_eq(memcmp(&A, &B, sizeof(A)), 0);
			large++;
			continue;
		}
		if (fseed == UINT64_MAX || fseed / 8 != seed / 8) {
			groups_differ += fseed != UINT64_MAX && memcmp(&F.cfg, &A.cfg, sizeof(A.cfg));
			F = A;
			fseed = seed;
			continue;
		}
		ck_assert_msg(!memcmp(&F.cfg, &A.cfg, sizeof(A.cfg)) && F.nsetup == A.nsetup &&
			      !memcmp(F.setup, A.setup, sizeof(A.setup[0]) * (size_t)A.nsetup) &&
			      F.explore.strategy == A.explore.strategy,
			      "seed %llu: not the set-up of seed %llu", (unsigned long long)seed,
			      (unsigned long long)fseed);
		shared++;
		same_threads += A.nthreads == F.nthreads &&
				!memcmp(A.threads, F.threads, sizeof(A.threads[0]) * (size_t)A.nthreads);
	}
	ck_assert_int_ge(large, 3);             /* 0.5 % of 2400 */
	ck_assert_int_ge(shared, 2000);
	ck_assert_int_le(same_threads, shared / 100);   /* their own threads */
	ck_assert_int_ge(groups_differ, 270);   /* of 299: groups differ */
}
END_TEST

START_TEST(gen_opts_ranges)
{
	struct apsim_gen_opts o;

	apsim_gen_opts_default(&o);
	o.threads_min = 5;
	o.threads_max = 6;
	o.ops_min = 3;
	o.ops_max = 3;
	for (uint64_t seed = 0; seed < 200; seed++) {
		apsim_gen_scenario(seed, &o, &A);
		check_roundtrip(&A, "opts seed", seed);
		ck_assert(A.nthreads >= 5 && A.nthreads <= 6);
		for (int t = 0; t < A.nthreads; t++)
			ck_assert_int_eq(A.threads[t].nops, 3);
	}
}
END_TEST

START_TEST(gen_covers_vocabulary)
{
	int seen[APSIM_OP__COUNT] = { 0 }, old[APSIM_OP__COUNT] = { 0 };
	int pct = 0, rnd = 0, kmalloc = 0, aprc = 0, malformed = 0, oor = 0;
	struct apsim_gen_opts go;

	/* the default draws the ops every tree has, never a newer tree's */
	for (uint64_t seed = 0; seed < 300; seed++) {
		apsim_gen_scenario(seed, NULL, &A);
		for (int t = 0; t < A.nthreads; t++)
			for (int i = 0; i < A.threads[t].nops; i++)
				old[A.threads[t].ops[i].kind]++;
	}
	ck_assert_int_gt(old[APSIM_OP_ASSIGN_ADAPTER], 0);
	for (int k = 1; k < APSIM_OP__COUNT; k++)
		if (apsim_op_since(k))
			ck_assert_msg(!old[k], "op %s (since %s) generated for every tree",
				      apsim_op_name(k), apsim_op_since(k));
	/* a 6.12 driver: the whole vocabulary */
	apsim_gen_opts_default(&go);
	go.kver = "6.12.0";
	for (uint64_t seed = 0; seed < 2000; seed++) {
		apsim_gen_scenario(seed, &go, &A);
		for (int t = 0; t < A.nthreads; t++)
			for (int i = 0; i < A.threads[t].nops; i++) {
				const struct apsim_op *op = &A.threads[t].ops[i];

				seen[op->kind]++;
				if (!strcmp(op->str, "zz") || !strcmp(op->str, "5\n") ||
				    !strcmp(op->str, ""))
					malformed++;
				if (!strcmp(op->str, "256") || !strcmp(op->str, "0xffff"))
					oor++;
			}
		pct += A.explore.strategy == SIM_STRAT_PCT;
		rnd += A.explore.strategy == SIM_STRAT_RANDOM;
		for (int f = 0; f < A.nfaults; f++) {
			kmalloc += A.faults[f].kind == APSIM_FAULT_KMALLOC;
			aprc += A.faults[f].kind == APSIM_FAULT_AP_RC;
		}
	}
	for (int k = 1; k < APSIM_OP__COUNT; k++)
		ck_assert_msg(seen[k] > 0, "op %s never generated", apsim_op_name(k));
	ck_assert_int_gt(pct, 100);
	ck_assert_int_gt(rnd, 100);
	ck_assert_int_gt(kmalloc, 10);
	ck_assert_int_gt(aprc, 10);
	ck_assert_int_gt(malformed, 10);
	ck_assert_int_gt(oor, 10);
}
END_TEST

START_TEST(gen_bytes_valid)
{
	uint8_t buf[512];
	uint64_t st = 42;

	apsim_gen_from_bytes(NULL, 0, &A);
	check_roundtrip(&A, "empty bytes", 0);
	for (int i = 0; i < 1000; i++) {
		size_t len = (size_t)(sim_splitmix64(&st) % sizeof(buf));

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)sim_splitmix64(&st);
		apsim_gen_from_bytes(buf, len, &A);
		check_roundtrip(&A, "bytes", (uint64_t)i);
		apsim_gen_from_bytes(buf, len, &B);
		ck_assert_int_eq(memcmp(&A, &B, sizeof(A)), 0);
	}
	/* bytes beyond the end read as zeros: a prefix padded with zeros
	 * decodes like the prefix */
	memset(buf, 0, sizeof(buf));
	buf[0] = 7; buf[1] = 3; buf[2] = 200;
	apsim_gen_from_bytes(buf, 3, &A);
	apsim_gen_from_bytes(buf, sizeof(buf), &B);
	{
		char *a = write_str(&A, NULL), *b = write_str(&B, NULL);

		/* descriptions carry the length: compare without them */
		ck_assert_str_eq(strstr(a, "\nhost"), strstr(b, "\nhost"));
		free(a);
		free(b);
	}
}
END_TEST

/* ------------------------------------------------------------ shrinker */

struct synth {
	enum apsim_op_kind in_thread;   /* some thread contains this op kind */
	enum apsim_op_kind in_setup;    /* setup contains this op kind */
	int calls;
};

static bool synth_repro(const struct apsim_scenario *s, void *arg)
{
	struct synth *y = arg;
	bool t = false, u = false;

	y->calls++;
	for (int i = 0; i < s->nthreads; i++)
		for (int k = 0; k < s->threads[i].nops; k++)
			t |= s->threads[i].ops[k].kind == y->in_thread;
	for (int k = 0; k < s->nsetup; k++)
		u |= s->setup[k].kind == y->in_setup;
	return t && u;
}

static void add_thread_op(struct apsim_scenario *s, int t, const struct apsim_op *op)
{
	memcpy(&s->threads[t].ops[s->threads[t].nops++], op, sizeof(*op));
}

START_TEST(shrink_reaches_minimum)
{
	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct synth y = { APSIM_OP_KVM_PV_COMMAND, APSIM_OP_MDEV_CREATE, 0 };
		struct apsim_shrink_stats st;
		struct apsim_op op;

		apsim_gen_scenario(seed, NULL, &A);
		/* make sure the target is present: pv_command on a kvm k0
		 * created in setup (so kvm_create k0 must stay too) */
		memset(&op, 0, sizeof(op));
		op.mdev = op.vcpu = op.card = op.domain = -1;
		op.kind = APSIM_OP_KVM_CREATE;
		op.kvm = 0;
		op.arg = 1;
		memmove(&A.setup[1], &A.setup[0], sizeof(A.setup[0]) * A.nsetup);
		memcpy(&A.setup[0], &op, sizeof(op));
		A.nsetup++;
		op.kind = APSIM_OP_KVM_PV_COMMAND;
		op.arg = 0;
		add_thread_op(&A, A.nthreads - 1, &op);
		A.explore.strategy = SIM_STRAT_PCT;
		A.explore.pct_depth = 3;
		ck_assert(synth_repro(&A, &y));
		ck_assert(apsim_scn_refs_ok(&A));

		y.calls = 0;
		apsim_shrink(&A, synth_repro, &y, 100000, &st);
		ck_assert_int_eq(st.candidates, y.calls);
		ck_assert(!st.capped);
		ck_assert(synth_repro(&A, &y));
		ck_assert(apsim_scn_refs_ok(&A));
		/* known minimum: one thread [kvm_pv_command k0]; setup
		 * [kvm_create k0, create_mdev mX]; no faults; no host ids;
		 * PCT depth 1 */
		ck_assert_int_eq(A.nthreads, 1);
		ck_assert_int_eq(A.threads[0].nops, 1);
		ck_assert_int_eq(A.threads[0].ops[0].kind, APSIM_OP_KVM_PV_COMMAND);
		ck_assert_int_eq(A.nsetup, 2);
		ck_assert_int_eq(A.setup[0].kind, APSIM_OP_KVM_CREATE);
		ck_assert_int_eq(A.setup[1].kind, APSIM_OP_MDEV_CREATE);
		ck_assert_int_eq(A.nfaults, 0);
		for (int i = 0; i < 32; i++)
			ck_assert(!A.cfg.apm[i] && !A.cfg.aqm[i] && !A.cfg.adm[i]);
		ck_assert_int_eq(A.explore.pct_depth, 1);
		ck_assert_int_eq(st.ops_after, 3);
		check_roundtrip(&A, "shrunk", seed);
	}
}
END_TEST

/* Predicate on a dependency: the setup op must keep the mdev an op needs. */
static bool needs_assign(const struct apsim_scenario *s, void *arg)
{
	(void)arg;
	for (int i = 0; i < s->nthreads; i++)
		for (int k = 0; k < s->threads[i].nops; k++)
			if (s->threads[i].ops[k].kind == APSIM_OP_ASSIGN_ADAPTER)
				return true;
	return false;
}

START_TEST(shrink_keeps_dependencies)
{
	for (uint64_t seed = 1; seed <= 300; seed++) {
		bool has = false, thread_creates = false;

		apsim_gen_scenario(seed, NULL, &A);
		for (int i = 0; i < A.nthreads; i++)
			for (int k = 0; k < A.threads[i].nops; k++) {
				has |= A.threads[i].ops[k].kind == APSIM_OP_ASSIGN_ADAPTER;
				thread_creates |= A.threads[i].ops[k].kind == APSIM_OP_MDEV_CREATE;
			}
		/* (an mdev created only by a thread op is a local minimum of
		 * two ops in two threads: not this test's subject) */
		if (!has || thread_creates)
			continue;
		apsim_shrink(&A, needs_assign, NULL, 100000, NULL);
		/* minimum: the assign plus the create_mdev of its mdev */
		ck_assert_int_eq(A.nthreads, 1);
		ck_assert_int_eq(A.threads[0].nops, 1);
		ck_assert_int_eq(A.threads[0].ops[0].kind, APSIM_OP_ASSIGN_ADAPTER);
		ck_assert_int_eq(A.nsetup, 1);
		ck_assert_int_eq(A.setup[0].kind, APSIM_OP_MDEV_CREATE);
		ck_assert_int_eq(A.setup[0].mdev, A.threads[0].ops[0].mdev);
		check_roundtrip(&A, "shrunk-dep", seed);
	}
}
END_TEST

static bool always(const struct apsim_scenario *s, void *arg)
{
	(*(int *)arg)++;
	(void)s;
	return true;
}

START_TEST(shrink_budget_cap)
{
	int calls = 0;
	struct apsim_shrink_stats st;

	apsim_gen_scenario(7, NULL, &A);
	apsim_shrink(&A, always, &calls, 5, &st);
	ck_assert(st.capped);
	ck_assert_int_eq(st.candidates, 5);
	ck_assert_int_eq(calls, 5);
	ck_assert(apsim_scn_refs_ok(&A));
}
END_TEST

/* -------------------------------------------------------------- shards */

START_TEST(shard_split_exact)
{
	int idx, n;

	ck_assert_int_eq(apsim_fuzz_shard_parse("0/4", &idx, &n), 0);
	ck_assert(idx == 0 && n == 4);
	ck_assert_int_eq(apsim_fuzz_shard_parse("3/4", &idx, &n), 0);
	ck_assert_int_eq(apsim_fuzz_shard_parse("4/4", &idx, &n), -1);
	ck_assert_int_eq(apsim_fuzz_shard_parse("1/0", &idx, &n), -1);
	ck_assert_int_eq(apsim_fuzz_shard_parse("a/2", &idx, &n), -1);
	ck_assert_int_eq(apsim_fuzz_shard_parse("1/", &idx, &n), -1);
	ck_assert_int_eq(apsim_fuzz_shard_parse("-1/2", &idx, &n), -1);
	ck_assert_int_eq(apsim_fuzz_shard_parse("1/2x", &idx, &n), -1);
	for (int N = 1; N <= 9; N++) {
		for (uint64_t s = 100; s < 1100; s++) {
			int owners = 0;

			for (int I = 0; I < N; I++)
				owners += apsim_fuzz_shard_owns(s, I, N);
			ck_assert_int_eq(owners, 1);
		}
	}
}
END_TEST

/* ------------------------------------------------------------- mutator */

/* Chains of mutants of 1000 generated scenarios: every mutant is valid
 * (cross references, an op per thread, unique thread names: it writes and
 * parses back to the same text), the same seed gives the same mutant, a
 * mutant reported as changed differs from its input, and every kind of
 * mutation happens. */
START_TEST(mutate_valid_deterministic)
{
	static struct apsim_scenario m, again, other;
	unsigned kinds = 0;
	int changed = 0;

	for (uint64_t seed = 1; seed <= 1000; seed++) {
		apsim_gen_scenario(seed, NULL, &m);
		apsim_gen_scenario(seed + 7777, NULL, &other);
		for (int step = 0; step < 4; step++) {
			uint64_t ms = seed * 131 + (uint64_t)step;
			char *before = write_str(&m, NULL), *after, *a2;
			unsigned k;

			memcpy(&again, &m, sizeof(m));
			k = apsim_mutate(&m, step & 1 ? &other : NULL, ms, NULL);
			apsim_mutate(&again, step & 1 ? &other : NULL, ms, NULL);
			after = write_str(&m, NULL);
			a2 = write_str(&again, NULL);
			ck_assert_str_eq(after, a2);
			ck_assert(apsim_scn_refs_ok(&m));
			if (k && strcmp(before, after))
				changed++;
			if (!k)
				ck_assert_str_eq(before, after);
			kinds |= k;
			check_roundtrip(&m, "mutant", seed);
			free(before);
			free(after);
			free(a2);
		}
	}
	ck_assert_int_gt(changed, 3000);
	ck_assert_uint_eq(kinds, (1u << APSIM_MUT__COUNT) - 1);
}
END_TEST

/* ------------------------------------------------------------- corpus */

START_TEST(corpus_entries_and_files)
{
	static struct apsim_corpus c;
	static struct apsim_scenario s, back;
	char dir[] = TOUT "/corpus-unit", name[64], name2[64], **names;
	int n;

	ck_assert_int_eq(system("rm -rf " TOUT "/corpus-unit"), 0);
	for (uint64_t seed = 1; seed <= 200; seed++) {
		char *a, *b;

		apsim_gen_scenario(seed, NULL, &s);
		ck_assert_int_eq(apsim_corpus_add(&c, &s), (int)seed - 1);
		apsim_corpus_set_seed(&c, (int)seed - 1, seed);
		apsim_corpus_get(&c, (int)seed - 1, &back);
		a = write_str(&s, NULL);
		b = write_str(&back, NULL);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	/* entries stay intact as the corpus grows */
	apsim_gen_scenario(17, NULL, &s);
	apsim_corpus_get(&c, 16, &back);
	{
		char *a = write_str(&s, NULL), *b = write_str(&back, NULL);

		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	ck_assert_uint_eq(apsim_corpus_seed(&c, 16), 17);
	apsim_corpus_free(&c);
	/* files: named by their text (the same scenario, the same name), listed sorted */
	ck_assert_int_eq(apsim_corpus_write(dir, &s, name, sizeof(name)), 0);
	ck_assert_int_eq(apsim_corpus_write(dir, &s, name2, sizeof(name2)), 0);
	ck_assert_str_eq(name, name2);
	apsim_gen_scenario(18, NULL, &s);
	ck_assert_int_eq(apsim_corpus_write(dir, &s, name2, sizeof(name2)), 0);
	ck_assert_str_ne(name, name2);
	ck_assert_int_eq(apsim_corpus_list(dir, &names, &n), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_lt(strcmp(names[0], names[1]), 0);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	ck_assert_int_eq(apsim_corpus_list(TOUT "/corpus-none", &names, &n), 0);
	ck_assert_int_eq(n, 0);
}
END_TEST

#ifdef APSIM_BIN
/* ----------------------------------------------- campaign (needs driver) */

/* Seeds per campaign.  The user-space ASan build runs each execution
 * several times slower; there a quarter of the seeds runs the same code
 * (generation, shrinking, guided corpus, -j 2, shards and merge) and keeps
 * every assertion meaningful (a guided campaign of 500 seeds keeps over 100
 * corpus entries; make check runs this suite on two trees and their ASan
 * builds). */
#ifdef APSIM_ASAN
#define CAMPAIGN_SEEDS "500"
#else
#define CAMPAIGN_SEEDS "2000"
#endif

/* A campaign into out (removed first) with these arguments: its exit code. */
static int run_fuzz_args(const char *out, const char *args)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd),
		 "rm -rf '%s' && CI=1 '%s' fuzz -q %s --out '%s' >/dev/null 2>&1",
		 out, APSIM_BIN, args, out);
	st = system(cmd);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The suite's campaign: seeds 1.. CAMPAIGN_SEEDS, small shrink budget. */
static int run_fuzz(const char *out, const char *extra)
{
	char args[512];

	snprintf(args, sizeof(args), "--seed 1 --iterations " CAMPAIGN_SEEDS " --shrink-budget 20 %s",
		 extra);
	return run_fuzz_args(out, args);
}

static char *sigs(const char *out)
{
	char cmd[1024], *buf = NULL;
	size_t n = 0, cap = 0;
	FILE *p;
	int c;

	/* the records in their order, without the timing fields */
	snprintf(cmd, sizeof(cmd),
		 "grep -o '\"signature\":.*\"complete\":[a-z]*' '%s/summary.json'", out);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while ((c = fgetc(p)) != EOF) {
		if (n + 2 > cap)
			buf = realloc(buf, cap = cap ? cap * 2 : 256);
		buf[n++] = (char)c;
	}
	pclose(p);
	if (!buf)
		buf = calloc(1, 1);
	buf[n] = 0;
	return buf;
}

START_TEST(campaign_deterministic)
{
	int r1 = run_fuzz(TOUT "/fuzz-det-1", "");
	int r2 = run_fuzz(TOUT "/fuzz-det-2", "");
	int r3 = run_fuzz(TOUT "/fuzz-det-3", "-j 2");
	char *a, *b, *c;

	ck_assert(r1 == 0 || r1 == 1);
	ck_assert_int_eq(r1, r2);
	ck_assert_int_eq(r1, r3);
	a = sigs(TOUT "/fuzz-det-1");
	b = sigs(TOUT "/fuzz-det-2");
	c = sigs(TOUT "/fuzz-det-3");
	ck_assert_str_eq(a, b);
	/* -j 2 writes what -j 1 writes: each signature owned by its lowest
	 * seed, directories numbered by seed, same files */
	ck_assert_str_eq(a, c);
	ck_assert_int_eq(r1 == 1, a[0] != 0);
	ck_assert_int_eq(system("diff -r -q -x summary.json " TOUT "/fuzz-det-1 "
				TOUT "/fuzz-det-3 >/dev/null"), 0);
	/* the seeds in reverse chunk order: every signature is first found at
	 * a higher seed; the result must still be the same */
	setenv("APSIM_FUZZ_CHUNK_ORDER", "reverse", 1);
	ck_assert_int_eq(run_fuzz(TOUT "/fuzz-det-4", ""), r1);
	unsetenv("APSIM_FUZZ_CHUNK_ORDER");
	free(c);
	c = sigs(TOUT "/fuzz-det-4");
	ck_assert_str_eq(a, c);
	ck_assert_int_eq(system("diff -r -q -x summary.json " TOUT "/fuzz-det-1 "
				TOUT "/fuzz-det-4 >/dev/null"), 0);
	free(a);
	free(b);
	free(c);
	/* (the above with the default --share-setup 16: worlds from their
	 * group's snapshot, the groups' runs split differently by -j 2 and
	 * the reverse order) and every seed its own set-up, rebuilt */
	r1 = run_fuzz(TOUT "/fuzz-det-5", "--share-setup 1");
	ck_assert_int_eq(run_fuzz(TOUT "/fuzz-det-6", "--share-setup 1 -j 2"), r1);
	a = sigs(TOUT "/fuzz-det-5");
	b = sigs(TOUT "/fuzz-det-6");
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(system("diff -r -q -x summary.json " TOUT "/fuzz-det-5 "
				TOUT "/fuzz-det-6 >/dev/null"), 0);
	free(a);
	free(b);
}
END_TEST

/* A number of OUT/summary.json ("entries_kept", "features", "executions"). */
static long summary_num(const char *out, const char *key)
{
	char path[512], line[512], pat[64];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/summary.json", out);
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (v < 0 && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, pat);

		if (p)
			v = strtol(p + strlen(pat), NULL, 10);
	}
	fclose(f);
	ck_assert_msg(v >= 0, "%s: no %s", path, key);
	return v;
}

static int count_files(const char *dir)
{
	char cmd[512], buf[64];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -c '\\.scn$'", dir);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), p));
	pclose(p);
	return atoi(buf);
}

/* A guided campaign is reproducible for a given seed range and -j:
 * the same findings, files and corpus twice, with -j 1 and with -j 2. */
START_TEST(campaign_guided_deterministic)
{
	int r1 = run_fuzz(TOUT "/fuzz-g-1", "--guided");
	int r2 = run_fuzz(TOUT "/fuzz-g-2", "--guided");
	int r3 = run_fuzz(TOUT "/fuzz-g-3", "--guided -j 2");
	int r4 = run_fuzz(TOUT "/fuzz-g-4", "--guided -j 2");
	char *a, *b;

	ck_assert(r1 == 0 || r1 == 1);
	ck_assert_int_eq(r1, r2);
	ck_assert_int_eq(r3, r4);
	a = sigs(TOUT "/fuzz-g-1");
	b = sigs(TOUT "/fuzz-g-2");
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(system("diff -r -q -x summary.json " TOUT "/fuzz-g-1 "
				TOUT "/fuzz-g-2 >/dev/null"), 0);
	ck_assert_int_eq(system("diff -r -q -x summary.json " TOUT "/fuzz-g-3 "
				TOUT "/fuzz-g-4 >/dev/null"), 0);
	/* the corpus is on disk, one file per entry kept */
	ck_assert_int_gt(count_files(TOUT "/fuzz-g-1/corpus"), 10);
	ck_assert_int_eq(count_files(TOUT "/fuzz-g-1/corpus"),
			 summary_num(TOUT "/fuzz-g-1", "entries_kept"));
	free(a);
	free(b);
}
END_TEST

/* --corpus DIR resumes a campaign: every entry of DIR is run first, so the
 * resumed campaign starts from at least the feedback the first one ended
 * with (each feature was kept with the entry that showed it first), and
 * its new entries go into DIR. */
START_TEST(campaign_guided_resume)
{
	const char *c1 = TOUT "/fuzz-r-1/corpus";
	long f1, f2, n1, n2, e2;

	ck_assert_int_le(run_fuzz(TOUT "/fuzz-r-1", "--guided --no-shrink"), 1);
	f1 = summary_num(TOUT "/fuzz-r-1", "features");
	n1 = count_files(c1);
	ck_assert_int_gt(n1, 10);
	ck_assert_int_le(run_fuzz(TOUT "/fuzz-r-2",
				  "--guided --no-shrink --corpus " TOUT "/fuzz-r-1/corpus --iterations 1"), 1);
	f2 = summary_num(TOUT "/fuzz-r-2", "features");
	e2 = summary_num(TOUT "/fuzz-r-2", "executions");
	n2 = count_files(c1);
	ck_assert_int_ge(f2, f1);
	ck_assert_int_eq(e2, n1 + 1);          /* the corpus, then the one seed */
	ck_assert_int_ge(n2, n1);
}
END_TEST

/* Shards' corpora merge: --merge --corpus INTO --corpus A --corpus B keeps
 * the entries of A and B that add feedback (the same files), and the merged
 * corpus covers what each shard's did. */
START_TEST(campaign_guided_merge)
{
	long fa, fb, fm;
	int na, nb, nm;

	ck_assert_int_le(run_fuzz(TOUT "/fuzz-m-a", "--guided --no-shrink --shard 0/2"), 1);
	ck_assert_int_le(run_fuzz(TOUT "/fuzz-m-b", "--guided --no-shrink --shard 1/2"), 1);
	fa = summary_num(TOUT "/fuzz-m-a", "features");
	fb = summary_num(TOUT "/fuzz-m-b", "features");
	na = count_files(TOUT "/fuzz-m-a/corpus");
	nb = count_files(TOUT "/fuzz-m-b/corpus");
	ck_assert_int_eq(system("rm -rf " TOUT "/fuzz-m-into"), 0);
	ck_assert_int_le(run_fuzz(TOUT "/fuzz-m-m",
				  "--guided --merge --corpus " TOUT "/fuzz-m-into "
				  "--corpus " TOUT "/fuzz-m-a/corpus --corpus " TOUT "/fuzz-m-b/corpus"), 1);
	fm = summary_num(TOUT "/fuzz-m-m", "features");
	nm = count_files(TOUT "/fuzz-m-into");
	ck_assert_int_ge(fm, fa > fb ? fa : fb);
	ck_assert_int_gt(nm, 0);
	ck_assert_int_le(nm, na + nb);
	ck_assert_int_eq(summary_num(TOUT "/fuzz-m-m", "executions"), na + nb);
	/* every merged file is one of the shards' (same name, same text) */
	ck_assert_int_eq(system("cd " TOUT "/fuzz-m-into && for f in *.scn; do "
				"cmp -s $f ../fuzz-m-a/corpus/$f || cmp -s $f ../fuzz-m-b/corpus/$f || exit 1; done"), 0);
	/* --merge needs two corpora and --guided */
	ck_assert_int_eq(run_fuzz(TOUT "/fuzz-m-x", "--guided --merge --corpus " TOUT "/fuzz-m-into"), 2);
	ck_assert_int_eq(run_fuzz(TOUT "/fuzz-m-x", "--corpus " TOUT "/fuzz-m-into"), 2);
}
END_TEST

/* fuzz --races: the data-race detector in every execution (a data-race
 * finding, replayed with --races); without it, no data-race finding.  (In
 * the user-space ASan build the driver's accesses have no hooks, so the
 * detector sees none of them: there, only that the option is taken.) */
START_TEST(campaign_races)
{
	unsetenv("APSIM_RACES");
#ifdef APSIM_ASAN
	ck_assert_int_le(run_fuzz(TOUT "/fuzz-races", "--races --iterations 50 --no-shrink"), 1);
	return;
#endif
	ck_assert_int_eq(run_fuzz(TOUT "/fuzz-races", "--races --iterations 300 --no-shrink"), 1);
	ck_assert_int_eq(system("grep -q '\"kind\":\"data-race\"' " TOUT "/fuzz-races/summary.json"), 0);
	ck_assert_int_eq(system("grep -q -- '--races' " TOUT "/fuzz-races/*-data-race/replay.sh"), 0);
	ck_assert_int_le(run_fuzz(TOUT "/fuzz-noraces", "--iterations 300 --no-shrink"), 1);
	ck_assert_int_ne(system("grep -q '\"kind\":\"data-race\"' " TOUT "/fuzz-noraces/summary.json"), 0);
}
END_TEST

/* --print-seed N: exactly the scenario apsim_gen_scenario(N) gives with
 * the same generator options, as the campaign runs it (one execution). */
static void check_print_seed(uint64_t seed, const char *opts, const struct apsim_gen_opts *go)
{
	static struct apsim_scenario s;
	char cmd[512], *want = NULL, got[1 << 16];
	size_t wlen = 0, n;
	FILE *f, *p;

	apsim_gen_scenario(seed, go, &s);
	s.explore.iterations = 1;
	f = open_memstream(&want, &wlen);
	ck_assert_int_eq(apsim_scn_write(f, &s), 0);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' fuzz --print-seed %llu %s", APSIM_BIN,
		 (unsigned long long)seed, opts);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(got, 1, sizeof(got) - 1, p);
	got[n] = 0;
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(got, want);
	free(want);
}

/* The binary's driver version ("driver: linux 6.1.192 (...)" of apsim
 * version): the campaign draws the ops that tree has. */
static const char *bin_kver(void)
{
	static char v[64];
	char cmd[512], line[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' version", APSIM_BIN);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "driver: linux %63s", v) == 1)
			break;
	pclose(p);
	ck_assert_msg(v[0], "no driver version from '%s'", cmd);
	return v;
}

START_TEST(campaign_print_seed)
{
	struct apsim_gen_opts go;

	apsim_gen_opts_default(&go);
	go.kver = bin_kver();
	go.share = APSIM_CAMPAIGN_SHARE_SETUP;   /* the campaign's default */
	check_print_seed(140, "", &go);
	check_print_seed(0xfffffffffffffULL, "", &go);
	go.threads_min = go.threads_max = 1;
	go.ops_min = 5;
	go.ops_max = 7;
	check_print_seed(815, "--threads 1-1 --ops 5-7", &go);
	apsim_gen_opts_default(&go);
	go.kver = bin_kver();
	check_print_seed(140, "--share-setup 1", &go);
	go.share = 8;
	check_print_seed(8007, "--share-setup 8", &go);
}
END_TEST

/*
 * A large world keeps its own set-up (docs/fuzzing.md): it runs without a
 * world snapshot, so its group's snapshot stays for the seeds after it.
 * A group of 16 with one large seed in its middle: its first seed builds
 * the set-up, the large one builds its own, the 14 others start from the
 * group's snapshot (when a large world took a snapshot, it dropped the
 * group's: 13).  ASan builds take no world snapshots.
 */
START_TEST(campaign_large_world_keeps_group_snapshot)
{
	uint64_t g = 0, seed = 0;
	char extra[64];
	long n;

	for (uint64_t s = 16; !seed && s < 1000000; s++) {
		int nl = 0;

		if (s % 16 == 0 || s % 16 > 13 || !apsim_gen_seed_is_large(s))
			continue;
		g = s - s % 16;
		for (uint64_t k = g; k < g + 16; k++)
			nl += apsim_gen_seed_is_large(k);
		if (nl == 1)
			seed = s;
	}
	ck_assert_uint_ne(seed, 0);
	snprintf(extra, sizeof(extra), "--seed %llu --iterations 16 --no-shrink",
		 (unsigned long long)g);
	ck_assert_int_le(run_fuzz_args(TOUT "/fuzz-large-group", extra), 1);
	n = summary_num(TOUT "/fuzz-large-group", "from_snapshot");
#ifdef APSIM_ASAN
	ck_assert_int_eq(n, 0);
#else
	ck_assert_msg(n == 14, "seeds %llu..%llu (large: %llu): %ld started from a snapshot, not 14",
		      (unsigned long long)g, (unsigned long long)g + 15,
		      (unsigned long long)seed, n);
#endif
}
END_TEST

START_TEST(campaign_usage_errors)
{
	char cmd[512];
	const char *bad[] = { "--shard 2/2", "--threads 3-1", "-j 0", "--bogus",
			      "--iterations x", "--ops 0-2", "--share-setup 0",
			      "--guided --share-setup 4" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st;

		snprintf(cmd, sizeof(cmd), "'%s' fuzz %s >/dev/null 2>&1", APSIM_BIN, bad[i]);
		st = system(cmd);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 2, "'%s' did not exit 2", bad[i]);
	}
}
END_TEST
#endif

static Suite *suite(void)
{
	Suite *s = suite_create("fuzz");
	TCase *g = tcase_create("generator"), *h = tcase_create("shrinker"),
	      *d = tcase_create("shard");

	tcase_set_timeout(g, 120);
	tcase_set_timeout(h, 120);
	tcase_add_test(g, gen_deterministic);
	tcase_add_test(g, gen_valid_2000);
	tcase_add_test(g, gen_opts_ranges);
	tcase_add_test(g, gen_share_setup);
	tcase_add_test(g, gen_ref_equals_gen);
	tcase_add_test(g, gen_covers_vocabulary);
	tcase_add_test(g, gen_bytes_valid);
	tcase_add_test(h, shrink_reaches_minimum);
	tcase_add_test(h, shrink_keeps_dependencies);
	tcase_add_test(h, shrink_budget_cap);
	tcase_add_test(d, shard_split_exact);
	tcase_add_test(g, mutate_valid_deterministic);
	tcase_add_test(g, corpus_entries_and_files);
	suite_add_tcase(s, g);
	suite_add_tcase(s, h);
	suite_add_tcase(s, d);
#ifdef APSIM_BIN
	{
		TCase *c = tcase_create("campaign");

		tcase_set_timeout(c, 600);
		tcase_add_test(c, campaign_deterministic);
		tcase_add_test(c, campaign_usage_errors);
		tcase_add_test(c, campaign_large_world_keeps_group_snapshot);
		tcase_add_test(c, campaign_print_seed);
		tcase_add_test(c, campaign_guided_deterministic);
		tcase_add_test(c, campaign_guided_resume);
		tcase_add_test(c, campaign_guided_merge);
		tcase_add_test(c, campaign_races);
		suite_add_tcase(s, c);
	}
#endif
	return s;
}

int main(void)
{
	return tu_run(suite());
}
