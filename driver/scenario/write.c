/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/scenario/write.c - writer of .scn scenario files.
 *
 * Owns: the canonical textual form of a struct apsim_scenario (used for
 * minimal reproducers written by the fuzzer's shrinker and by the CLI), and
 * the one-line text of an op, by the operand kinds of driver/scenario/ops.def
 * (apsim_scn_op_str for reports, apsim_scn_op_label for traces).  Invariant,
 * tested by tests/check_scn.c and fuzz/targets/fuzz_scn_parse.c: for every
 * scenario s the parser produces, parsing the writer's output yields s again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <apsim/sim.h>
#include "driver/scenario/scenario.h"

/* Append to a bounded buffer. */
struct sbuf {
	char *b;
	size_t len, o;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->o >= sb->len)
		return;
	va_start(ap, fmt);
	n = sim_vfmt(sb->b + sb->o, sb->len - sb->o, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->o = sb->o + (size_t)n < sb->len ? sb->o + n : sb->len - 1;
}

/* A string as a bare word when that reads back identically, else quoted. */
static void sb_str2(struct sbuf *sb, const char *s, bool quote)
{
	bool bare = !quote && s[0] != 0 && strcmp(s, "->") != 0;
	const unsigned char *c;

	for (c = (const unsigned char *)s; *c && bare; c++)
		if (*c <= 0x20 || *c >= 0x7f || *c == '"' || *c == '#' || *c == '\\')
			bare = false;
	if (bare) {
		sb_printf(sb, "%s", s);
		return;
	}
	sb_printf(sb, "\"");
	for (c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"':  sb_printf(sb, "\\\""); break;
		case '\\': sb_printf(sb, "\\\\"); break;
		case '\n': sb_printf(sb, "\\n"); break;
		case '\t': sb_printf(sb, "\\t"); break;
		case '\r': sb_printf(sb, "\\r"); break;
		default:
			if (*c < 0x20 || *c >= 0x7f)
				sb_printf(sb, "\\x%02x", *c);
			else
				sb_printf(sb, "%c", *c);
		}
	}
	sb_printf(sb, "\"");
}

static void sb_str(struct sbuf *sb, const char *s)
{
	sb_str2(sb, s, false);
}

static bool bit_get(const uint8_t *m, int id)
{
	return m[id / 8] & (0x80 >> (id % 8));
}

/* Ids whose bit equals `val` as "1,4-6,200". Returns false if there are none. */
static bool sb_idlist(struct sbuf *sb, const uint8_t *m, bool val)
{
	bool any = false;
	int id = 0;

	while (id < 256) {
		int end;

		if (bit_get(m, id) != val) {
			id++;
			continue;
		}
		for (end = id; end + 1 < 256 && bit_get(m, end + 1) == val; end++)
			;
		sb_printf(sb, "%s%d", any ? "," : "", id);
		if (end > id)
			sb_printf(sb, "-%d", end);
		any = true;
		id = end + 1;
	}
	return any;
}

static void sb_apqn(struct sbuf *sb, int card, int dom)
{
	if (card < 0 && dom < 0) {
		sb_printf(sb, "any");
		return;
	}
	if (card < 0)
		sb_printf(sb, "*");
	else
		sb_printf(sb, "%02x", card & 0xff);
	if (dom < 0)
		sb_printf(sb, ".*");
	else
		sb_printf(sb, ".%04x", dom & 0xff);
}

/* Op in file syntax, or (label) its trace label: no arg operands, STR
 * quoted as is (see driver/scenario/ops.def). */
static void sb_op(struct sbuf *sb, const struct apsim_op *op, bool label)
{
	const enum scn_operand *opnd = scn_op_operands(op->kind);
	const char *n;

	sb_printf(sb, "%s", apsim_op_name(op->kind));
	for (int k = 0; k < SCN_MAX_OPERANDS; k++) {
		switch (opnd[k]) {
		case SCN_OPND_MDEV:
			sb_printf(sb, " m%d", op->mdev);
			break;
		case SCN_OPND_KVM:
			sb_printf(sb, " k%d", op->kvm);
			break;
		case SCN_OPND_KVM_OR_NONE:
			if (op->kvm < 0)
				sb_printf(sb, " none");
			else
				sb_printf(sb, " k%d", op->kvm);
			break;
		case SCN_OPND_VCPU:
			sb_printf(sb, " k%d.%d", op->kvm, op->vcpu);
			break;
		case SCN_OPND_APQN:
			sb_printf(sb, " ");
			sb_apqn(sb, op->card, op->domain);
			break;
		case SCN_OPND_CARD:
			sb_printf(sb, " %d", op->card);
			break;
		case SCN_OPND_DOMAIN:
			sb_printf(sb, " %d", op->domain);
			break;
		case SCN_OPND_STR:
			if (label && op->range) {   /* a range: not a literal string */
				sb_printf(sb, " %s", op->str);
				break;
			}
			if (label) {
				sb_printf(sb, " \"%s\"", op->str);
				break;
			}
			sb_printf(sb, " ");
			/* a literal string of a range's shape is written quoted */
			sb_str2(sb, op->str, !op->range && apsim_op_takes_range(op->kind) &&
				apsim_range_parse(op->str, (int)strlen(op->str), NULL, NULL));
			break;
		case SCN_OPND_IOVA:
			if (!label)
				sb_printf(sb, " 0x%lx", op->arg);
			break;
		case SCN_OPND_ISC:
			if (!label)
				sb_printf(sb, " isc %ld", op->arg);
			break;
		case SCN_OPND_VCPUS:
			if (!label)
				sb_printf(sb, " vcpus %ld", op->arg);
			break;
		case SCN_OPND_CRYPTO:
			if (label)
				break;
			n = op->arg >= 0 && op->arg <= 255 ? scn_crypto_attr_name((int)op->arg) : NULL;
			if (n)
				sb_printf(sb, " %s", n);
			else
				sb_printf(sb, " %ld", op->arg);
			break;
		case SCN_OPND_MS:
			if (!label)
				sb_printf(sb, " %ld", op->arg);
			break;
		case SCN_OPND_EVENTFD:
			if (op->arg)
				sb_printf(sb, " bad");
			break;
		case SCN_OPND__:
		default:
			return;
		}
	}
}

static const char *op_text(const struct apsim_op *op, char *buf, size_t len, bool label)
{
	struct sbuf sb = { buf, len, 0 };

	if (!buf || !len)
		return "";
	buf[0] = 0;
	sb_op(&sb, op, label);
	return buf;
}

const char *apsim_scn_op_str(const struct apsim_op *op, char *buf, size_t len)
{
	return op_text(op, buf, len, false);
}

const char *apsim_scn_op_label(const struct apsim_op *op, char *buf, size_t len)
{
	return op_text(op, buf, len, true);
}

static bool is_ident(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static void put_ops(FILE *f, const struct apsim_op *ops, int n)
{
	char line[512], eb[128];
	int k;

	for (k = 0; k < n; k++) {
		apsim_scn_op_str(&ops[k], line, sizeof(line));
		if (ops[k].has_expect)
			fprintf(f, "    %-32s -> %s\n", line,
				apsim_op_expect_str(&ops[k], eb, sizeof(eb)));
		else
			fprintf(f, "    %s\n", line);
	}
}

int apsim_scn_write(FILE *f, const struct apsim_scenario *s)
{
	const struct apsim_hostcfg *c = &s->cfg;
	const struct apsim_explore_spec *e = &s->explore;
	char line[2048], eb[32];
	struct sbuf sb;
	const char *n;
	int i, k;

#define LINE_BEGIN() (sb = (struct sbuf){ line, sizeof(line), 0 }, line[0] = 0)
#define LINE_END() fprintf(f, "%s\n", line)

	LINE_BEGIN();
	sb_printf(&sb, "scenario ");
	sb_str(&sb, s->name[0] ? s->name : "unnamed");
	LINE_END();
	if (s->description[0]) {
		LINE_BEGIN();
		sb_printf(&sb, "description ");
		sb_str2(&sb, s->description, true);
		LINE_END();
	}
	if (s->variant[0] && is_ident(s->variant))
		fprintf(f, "variant %s\n", s->variant);
	if (s->ntrees) {
		fputs("tree", f);
		for (i = 0; i < s->ntrees; i++)
			fprintf(f, " %s", s->trees[i]);
		fputc('\n', f);
	}
	if (s->allow_undeclared)
		fprintf(f, "option allow-undeclared\n");

	/* host */
	{
		static const char *const keys[3] = { "adapters", "domains", "control-domains" };
		const uint8_t *masks[3] = { c->apm, c->aqm, c->adm };

		for (i = 0; i < 3; i++) {
			LINE_BEGIN();
			sb_printf(&sb, "host %s ", keys[i]);
			if (sb_idlist(&sb, masks[i], true))
				LINE_END();
		}
	}
	if (!c->apxa)
		fprintf(f, "host apxa off\n");
	if (c->aqic_us > 0)
		fprintf(f, "host aqic-completion-us %d\n", c->aqic_us);
	if (c->card_type != 13) {
		n = scn_card_type_name(c->card_type);
		if (n)
			fprintf(f, "host card-type %s\n", n);
		else if (c->card_type >= 0 && c->card_type <= 255)
			fprintf(f, "host card-type %d\n", c->card_type);
	}
	for (i = 0; i < 2; i++) {
		bool have = i ? c->have_aqmask : c->have_apmask;
		const uint8_t *m = i ? c->aqmask : c->apmask;

		if (!have)
			continue;
		LINE_BEGIN();
		sb_printf(&sb, "host %s ", i ? "free-domains" : "free-adapters");
		if (sb_idlist(&sb, m, false))
			LINE_END();
		else
			fprintf(f, "host %s all\n", i ? "aqmask" : "apmask");
	}

	/* faults */
	for (i = 0; i < s->nfaults; i++) {
		const struct apsim_fault *ft = &s->faults[i];

		LINE_BEGIN();
		if (ft->kind == APSIM_FAULT_KMALLOC) {
			sb_printf(&sb, "fault kmalloc");
			if (ft->site[0]) {
				sb_printf(&sb, " at ");
				sb_str(&sb, ft->site);
			}
			if (ft->nth > 0)
				sb_printf(&sb, " nth %d", ft->nth);
			else
				sb_printf(&sb, " every");
			if (ft->modprobe)
				sb_printf(&sb, " modprobe");
		} else if (ft->kind == APSIM_FAULT_AP_RC) {
			sb_printf(&sb, "fault ap %s ", ft->insn[0] ? ft->insn : "tapq");
			sb_apqn(&sb, ft->card, ft->domain);
			n = scn_ap_rc_name(ft->rc);
			if (n)
				sb_printf(&sb, " rc %s", n);
			else
				sb_printf(&sb, " rc %d", ft->rc);
			if (ft->count > 0)
				sb_printf(&sb, " count %d", ft->count);
			else
				sb_printf(&sb, " always");
		} else if (ft->kind == APSIM_FAULT_POINT) {
			char e[32];

			sb_printf(&sb, "fault %s", apsim_fault_point_name(ft->point));
			sb_printf(&sb, " err %s", apsim_errno_name(ft->err, e, sizeof(e)));
			if (ft->nth > 0)
				sb_printf(&sb, " nth %d", ft->nth);
			else
				sb_printf(&sb, " every");
			if (ft->modprobe && !apsim_fault_point_modprobe_only(ft->point))
				sb_printf(&sb, " modprobe");	/* (else implied) */
		} else {
			continue;
		}
		LINE_END();
	}

	/* blocks */
	if (s->nsetup > 0) {
		fprintf(f, "\nsetup:\n");
		put_ops(f, s->setup, s->nsetup);
	}
	for (i = 0; i < s->nthreads; i++) {
		const struct apsim_thread_spec *th = &s->threads[i];

		if (is_ident(th->name) && strlen(th->name) < 32)
			fprintf(f, "\nthread %s:\n", th->name);
		else
			fprintf(f, "\nthread t%d:\n", i);
		put_ops(f, th->ops, th->nops);
	}

	/* explore */
	LINE_BEGIN();
	sb_printf(&sb, "explore");
	if (e->strategy >= 0 && e->strategy < SIM_STRAT_REPLAY)   /* as the parser takes */
		sb_printf(&sb, " strategy %s", sim_strategy_name(e->strategy));
	if (e->has_seed)
		sb_printf(&sb, " seed %llu", (unsigned long long)e->seed);
	if (e->iterations >= 0)
		sb_printf(&sb, " iterations %ld", e->iterations);
	if (e->pct_depth >= 0)
		sb_printf(&sb, " pct-depth %d", e->pct_depth);
	if (e->preemption_bound >= 0)
		sb_printf(&sb, " preemption-bound %d", e->preemption_bound);
	if (e->max_steps >= 0)
		sb_printf(&sb, " max-steps %ld", e->max_steps);
	if (e->hung_task_s >= 0)
		sb_printf(&sb, " hung-task-timeout %ld", e->hung_task_s);
	if (strcmp(line, "explore"))
		fprintf(f, "\n%s\n", line);

	/* expectations */
	for (i = 0; i < s->nexpect; i++) {
		const struct apsim_expect *x = &s->expect[i];

		n = apsim_expect_name(x->kind);
		if (!n)
			continue;
		LINE_BEGIN();
		sb_printf(&sb, "expect %s", n);
		switch (x->kind) {
		case APSIM_EXPECT_LOCK_CYCLE:
			for (k = 0; k < x->nclasses && k < 6; k++) {
				sb_printf(&sb, " ");
				sb_str2(&sb, x->classes[k], true);
			}
			break;
		case APSIM_EXPECT_RULE:
		case APSIM_EXPECT_DATA_RACE:
		case APSIM_EXPECT_HANG:
			if (x->str[0]) {
				sb_printf(&sb, " ");
				sb_str2(&sb, x->str, true);
			}
			break;
		case APSIM_EXPECT_MEMORY:
			if (x->str[0]) {
				sb_printf(&sb, " ");
				sb_str(&sb, x->str);
			}
			break;
		case APSIM_EXPECT_RESULT_SEEN:
			sb_printf(&sb, " %s %s", x->str[0] ? x->str : "?",
				  apsim_errno_name(x->value, eb, sizeof(eb)));
			break;
		default:
			break;
		}
		LINE_END();
	}
	fflush(f);
	return ferror(f) ? -EIO : 0;
#undef LINE_BEGIN
#undef LINE_END
}

void apsim_scn_clear_locs(struct apsim_scenario *s)
{
	int i, k;

	for (i = 0; i < APSIM_MAX_OPS; i++)
		memset(&s->setup[i].loc, 0, sizeof(struct apsim_loc));
	for (k = 0; k < APSIM_MAX_THREADS; k++)
		for (i = 0; i < APSIM_MAX_OPS; i++)
			memset(&s->threads[k].ops[i].loc, 0, sizeof(struct apsim_loc));
	for (i = 0; i < APSIM_MAX_FAULTS; i++)
		memset(&s->faults[i].loc, 0, sizeof(struct apsim_loc));
	for (i = 0; i < APSIM_MAX_EXPECT; i++)
		memset(&s->expect[i].loc, 0, sizeof(struct apsim_loc));
}

/* ------------------------------------------------------ "-> R1|R2|..." */

bool apsim_op_result_ok(const struct apsim_op *op, long r)
{
	if (!op->has_expect || r == op->expect)
		return true;
	for (int i = 0; i < op->nalt && i < APSIM_MAX_ALT; i++)
		if (r == op->alt[i])
			return true;
	return false;
}

const char *apsim_op_expect_str(const struct apsim_op *op, char *buf, size_t len)
{
	char e[32];
	size_t o;

	if (!buf || !len)
		return "";
	o = (size_t)snprintf(buf, len, "%s", apsim_errno_name(op->expect, e, sizeof(e)));
	for (int i = 0; i < op->nalt && i < APSIM_MAX_ALT && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "|%s",
				      apsim_errno_name(op->alt[i], e, sizeof(e)));
	return buf;
}
