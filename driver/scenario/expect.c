/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/scenario/expect.c - what the expectations of a scenario mean.
 *
 * Owns: the expectation table (keywords, positive or negative, the words
 * reports use), which finding kinds each negative expectation forbids and
 * the rules that hold without one (no expect line = clean; replay
 * divergences always fail, crashes unless `expect crash`), when a finding or
 * an op result meets a positive expectation, and the expectation a fuzz
 * finding's reproducer carries.  `apsim run` and `apsim fuzz` decide with
 * these functions (API in driver/scenario/scenario.h).  Finding kinds are
 * libsim's enum sim_finding_kind.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <apsim/sim.h>
#include "driver/scenario/scenario.h"

/* In the order the parser lists them. */
static const struct expect_info {
	enum apsim_expect_kind kind;
	const char *name;          /* `expect NAME` */
	const char *rule;          /* negative: the rule a forbidden finding breaks */
	const char *what;          /* positive: "expected WHAT was not found" */
} expects[] = {
#define NEG(k, n)     { APSIM_EXPECT_##k, n, "expect " n, NULL }
#define POS(k, n, w)  { APSIM_EXPECT_##k, n, NULL, w }
	NEG(CLEAN, "clean"),
	NEG(NO_DEADLOCK, "no-deadlock"),
	NEG(VALIDATOR_CLEAN, "validator-clean"),
	NEG(INVARIANTS, "invariants"),
	NEG(RULES_CLEAN, "rules-clean"),
	POS(DEADLOCK, "deadlock", "deadlock"),
	POS(LOCK_CYCLE, "lock-cycle", "lock cycle"),
	POS(MEMORY, "memory", "memory fault"),
	POS(WARN, "warn", "WARN"),
	POS(CRASH, "crash", "crash"),
	POS(RESULT_SEEN, "result", "result"),
	POS(BUG, "bug", "kernel BUG"),
	POS(RULE, "rule", "locking-rule finding"),
	POS(DATA_RACE, "data-race", "data race"),
	POS(HANG, "hang", "hang"),
#undef NEG
#undef POS
};
#define NEXPECTS (sizeof(expects) / sizeof(expects[0]))

static const struct expect_info *info(enum apsim_expect_kind k)
{
	for (size_t i = 0; i < NEXPECTS; i++)
		if (expects[i].kind == k)
			return &expects[i];
	return NULL;
}

int apsim_expect_parse(const char *s, enum apsim_expect_kind *out)
{
	for (size_t i = 0; s && i < NEXPECTS; i++)
		if (!strcmp(expects[i].name, s)) {
			*out = expects[i].kind;
			return 0;
		}
	return -1;
}

const char *apsim_expect_name(enum apsim_expect_kind k)
{
	const struct expect_info *x = info(k);

	return x ? x->name : NULL;
}

const char *apsim_expect_list(char *buf, size_t len)
{
	size_t o = 0;

	if (!buf || !len)
		return "";
	buf[0] = 0;
	for (size_t i = 0; i < NEXPECTS && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "", expects[i].name);
	return buf;
}

bool apsim_expect_is_positive(enum apsim_expect_kind k)
{
	const struct expect_info *x = info(k);

	return x && x->what;
}

const char *apsim_expect_what(enum apsim_expect_kind k)
{
	const struct expect_info *x = info(k);

	return x && x->what ? x->what : "?";
}

static bool is_lockdep_kind(int f)
{
	return f == SIM_F_LOCK_CYCLE || f == SIM_F_LOCK_RECURSIVE ||
	       f == SIM_F_LOCK_BAD_UNLOCK || f == SIM_F_LOCK_HELD_EXIT ||
	       f == SIM_F_LOCK_NOT_HELD || f == SIM_F_SLEEP_ATOMIC;
}

/* Does negative expectation k forbid findings of kind f? */
static bool forbids(enum apsim_expect_kind k, int f)
{
	switch (k) {
	case APSIM_EXPECT_CLEAN:
		return true;
	case APSIM_EXPECT_NO_DEADLOCK:
		return f == SIM_F_DEADLOCK || f == SIM_F_HANG;
	case APSIM_EXPECT_VALIDATOR_CLEAN:
		return is_lockdep_kind(f);
	case APSIM_EXPECT_INVARIANTS:
		return f == SIM_F_INVARIANT;
	case APSIM_EXPECT_RULES_CLEAN:
		return f == SIM_F_RULE;
	default:
		return false;
	}
}

const char *apsim_expect_violation(const struct apsim_scenario *s, int f)
{
	bool crash_expected = false;

	for (int i = 0; i < s->nexpect; i++) {
		const struct expect_info *x = info(s->expect[i].kind);

		if (x && x->rule && forbids(x->kind, f))
			return x->rule;
		if (s->expect[i].kind == APSIM_EXPECT_CRASH)
			crash_expected = true;
	}
	if (!s->nexpect)
		return "expect clean (default)";
	/* Divergences are never expected; crashes only by `expect crash`. */
	if (f == SIM_F_DIVERGENCE)
		return "no replay divergence";
	if (f == SIM_F_CRASH && !crash_expected)
		return "no crash";
	return NULL;
}

bool apsim_expect_met_by_finding(const struct apsim_expect *e, int f, const char *sig)
{
	switch (e->kind) {
	case APSIM_EXPECT_DEADLOCK:
		return f == SIM_F_DEADLOCK;
	case APSIM_EXPECT_LOCK_CYCLE:
		/* a cycle through every named class */
		if (f != SIM_F_LOCK_CYCLE)
			return false;
		for (int c = 0; c < e->nclasses; c++)
			if (!strstr(sig, e->classes[c]))
				return false;
		return true;
	case APSIM_EXPECT_MEMORY:
		return f == SIM_F_MEMORY && (!e->str[0] || strstr(sig, e->str));
	case APSIM_EXPECT_WARN:
		return f == SIM_F_WARN;
	case APSIM_EXPECT_CRASH:
		return f == SIM_F_CRASH;
	case APSIM_EXPECT_BUG:
		return f == SIM_F_BUG;
	case APSIM_EXPECT_RULE:
		return f == SIM_F_RULE && (!e->str[0] || strstr(sig, e->str));
	case APSIM_EXPECT_DATA_RACE:
		return f == SIM_F_DATA_RACE && (!e->str[0] || strstr(sig, e->str));
	case APSIM_EXPECT_HANG:
		return f == SIM_F_HANG && (!e->str[0] || strstr(sig, e->str));
	default:
		return false;
	}
}

bool apsim_expect_needs_races(const struct apsim_scenario *s)
{
	for (int i = 0; i < s->nexpect; i++)
		if (s->expect[i].kind == APSIM_EXPECT_DATA_RACE)
			return true;
	return false;
}

bool apsim_expect_result_met(const struct apsim_expect *e, const struct apsim_op *op,
			     long result)
{
	return e->kind == APSIM_EXPECT_RESULT_SEEN &&
	       !strcmp(apsim_op_name(op->kind), e->str) && result == e->value;
}

int apsim_expect_for_finding(struct apsim_expect *e, int f, const char *sig)
{
	memset(e, 0, sizeof(*e));
	switch (f) {
	case SIM_F_DEADLOCK:
		e->kind = APSIM_EXPECT_DEADLOCK;
		return 0;
	case SIM_F_LOCK_CYCLE: {
		/* "lock-cycle:A,B,C" -> expect lock-cycle "A" "B" "C" */
		const char *p = strchr(sig, ':');

		e->kind = APSIM_EXPECT_LOCK_CYCLE;
		while (p && p[1] && e->nclasses < 6) {
			const char *q = strchr(p + 1, ',');
			size_t n = q ? (size_t)(q - p - 1) : strlen(p + 1);

			if (n > 0 && n < sizeof(e->classes[0])) {
				memcpy(e->classes[e->nclasses], p + 1, n);
				e->classes[e->nclasses][n] = 0;
				e->nclasses++;
			}
			p = q;
		}
		return 0;
	}
	case SIM_F_MEMORY: {
		/* "memory:use-after-free:..." -> expect memory "use-after-free" */
		const char *p = strchr(sig, ':');
		size_t n = 0;

		e->kind = APSIM_EXPECT_MEMORY;
		if (p) {
			p++;
			while (p[n] && ((p[n] >= 'a' && p[n] <= 'z') || p[n] == '-'))
				n++;
			if (n && n < sizeof(e->str))
				memcpy(e->str, p, n);
		}
		return 0;
	}
	case SIM_F_WARN:
		e->kind = APSIM_EXPECT_WARN;
		return 0;
	case SIM_F_CRASH:
		e->kind = APSIM_EXPECT_CRASH;
		return 0;
	case SIM_F_BUG:
		e->kind = APSIM_EXPECT_BUG;
		return 0;
	case SIM_F_RULE:
	case SIM_F_DATA_RACE:
	case SIM_F_HANG:
		/* the signature, or its part after the first ':' if that fits */
		e->kind = f == SIM_F_RULE ? APSIM_EXPECT_RULE :
			  f == SIM_F_HANG ? APSIM_EXPECT_HANG : APSIM_EXPECT_DATA_RACE;
		if (strlen(sig) < sizeof(e->str))
			snprintf(e->str, sizeof(e->str), "%s", sig);
		else if (strchr(sig, '@') && strlen(strchr(sig, '@')) < sizeof(e->str))
			snprintf(e->str, sizeof(e->str), "%s", strchr(sig, '@'));
		return 0;
	default:
		return -1;
	}
}
