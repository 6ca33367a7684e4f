/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/scenario/parse.c - parser of .scn scenario files (docs/scenarios.md).
 *
 * Owns: the lexer (lines, bare words, "quoted strings" with escapes,
 * comments), the grammar of every line kind (scenario, description, variant,
 * option, host, fault, setup:, thread NAME:, operations by the operand kinds
 * of driver/scenario/ops.def, explore, expect),
 * the limits, and the cross-reference check (every mdev/kvm an op names is
 * created somewhere).  Input is untrusted: any byte sequence yields either a
 * scenario or one "FILE:LINE:COL: error: ..." message, never a crash, with
 * no recursion and no allocation proportional to anything but the input.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apsim/sim.h>
#include "driver/scenario/scenario.h"

struct tok {
	const char *s;     /* decoded text, NUL-terminated */
	int len;
	int col;           /* 1-based byte column of the token's first byte */
	bool quoted;
};

enum block { B_NONE, B_SETUP, B_THREAD };

struct parser {
	const char *fname;
	char *err;
	size_t errlen;
	bool failed;

	int line;                 /* current line, 1-based */
	int eol_col;              /* column just after the line's last byte */
	struct tok t[APSIM_SCN_MAX_TOKENS];
	int nt;
	char *dbuf;               /* decoded token texts of the current line */

	struct apsim_scenario *s;
	enum block block;
	int block_line;
	bool seen_scenario, seen_setup, seen_desc, seen_variant, seen_tree;
	int scenario_line;
};

/* ------------------------------------------------------------ errors */

static int perr_at(struct parser *p, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int perr_at(struct parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return -EINVAL;
	p->failed = true;
	if (!p->err || !p->errlen)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "%s:%d:%d: error: ", p->fname, line, col);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define perr(p, col, ...) perr_at(p, (p)->line, col, __VA_ARGS__)

/* A printable rendering of a token for "got ..." (quoted, escaped, cut). */
static const char *tok_desc(const struct tok *t, char *buf, size_t len)
{
	size_t o = 0;
	int i;
	char q = t->quoted ? '"' : '\'';

	buf[o++] = q;
	for (i = 0; i < t->len && o + 8 < len; i++) {
		unsigned char c = (unsigned char)t->s[i];

		if (i >= 40) {
			o += snprintf(buf + o, len - o, "...");
			break;
		}
		if (c == '\\' || c == (unsigned char)q)
			o += snprintf(buf + o, len - o, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += snprintf(buf + o, len - o, "\\x%02x", c);
	}
	if (o + 1 < len)
		buf[o++] = q;
	buf[o] = 0;
	return buf;
}

/* "expected WHAT, got <token i | end of line>" at token i (or end of line). */
static int expected(struct parser *p, int i, const char *what)
{
	char d[80];

	if (i >= p->nt)
		return perr(p, p->eol_col, "expected %s, got end of line", what);
	return perr(p, p->t[i].col, "expected %s, got %s", what,
		    tok_desc(&p->t[i], d, sizeof(d)));
}

/* --------------------------------------------------------------- lexer */

static bool is_bare_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '#';
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Split line [l, l+n) into tokens.  dbuf has room for n + 1 bytes. */
static int lex_line(struct parser *p, const char *l, int n)
{
	char *d = p->dbuf;
	int i = 0;

	p->nt = 0;
	p->eol_col = n + 1;
	while (i < n) {
		unsigned char c = (unsigned char)l[i];
		struct tok *t;

		if (c == ' ' || c == '\t') {
			i++;
			continue;
		}
		if (c == '#') {          /* comment to end of line */
			p->eol_col = i + 1;
			break;
		}
		if (c != '"' && !is_bare_byte(c))
			return perr(p, i + 1, "expected printable ASCII text, got byte 0x%02x", c);
		if (p->nt >= APSIM_SCN_MAX_TOKENS)
			return perr(p, i + 1, "too many words on one line (max %d)",
				    APSIM_SCN_MAX_TOKENS);
		t = &p->t[p->nt++];
		t->col = i + 1;
		t->s = d;
		t->quoted = c == '"';
		if (!t->quoted) {
			while (i < n && is_bare_byte((unsigned char)l[i]))
				*d++ = l[i++];
		} else {
			int open = i++;

			for (;;) {
				if (i >= n)
					return perr(p, open + 1, "expected '\"' closing the string, got end of line");
				c = (unsigned char)l[i];
				if (c == '"') {
					i++;
					break;
				}
				if (c == '\\') {
					int h1, h2;

					if (i + 1 >= n)
						return perr(p, i + 1, "expected escape character after '\\', got end of line");
					switch (l[i + 1]) {
					case '\\': *d++ = '\\'; i += 2; continue;
					case '"':  *d++ = '"';  i += 2; continue;
					case 'n':  *d++ = '\n'; i += 2; continue;
					case 't':  *d++ = '\t'; i += 2; continue;
					case 'r':  *d++ = '\r'; i += 2; continue;
					case 'x':
						h1 = i + 2 < n ? hexval((unsigned char)l[i + 2]) : -1;
						h2 = i + 3 < n ? hexval((unsigned char)l[i + 3]) : -1;
						if (h1 < 0 || h2 < 0)
							return perr(p, i + 1, "expected two hex digits after '\\x'");
						if (h1 == 0 && h2 == 0)
							return perr(p, i + 1, "expected a nonzero byte, got '\\x00' (strings cannot hold NUL)");
						*d++ = (char)(h1 * 16 + h2);
						i += 4;
						continue;
					default:
						if ((unsigned char)l[i + 1] >= 0x20 && (unsigned char)l[i + 1] < 0x7f)
							return perr(p, i + 1, "expected escape \\\\ \\\" \\n \\t \\r or \\xHH, got '\\%c'", l[i + 1]);
						return perr(p, i + 1, "expected escape \\\\ \\\" \\n \\t \\r or \\xHH, got '\\' and byte 0x%02x",
							    (unsigned char)l[i + 1]);
					}
				}
				if (c < 0x20 && c != '\t')
					return perr(p, i + 1, "expected string text, got byte 0x%02x (write it as \\x%02x)", c, c);
				if (c == 0x7f)
					return perr(p, i + 1, "expected string text, got byte 0x7f (write it as \\x7f)");
				*d++ = (char)c;
				i++;
			}
		}
		t->len = (int)(d - t->s);
		*d++ = 0;
	}
	return 0;
}

/* -------------------------------------------------------- token helpers */

static bool tok_is(const struct parser *p, int i, const char *word)
{
	return i < p->nt && !p->t[i].quoted && !strcmp(p->t[i].s, word);
}

static int want_end(struct parser *p, int i)
{
	if (i < p->nt)
		return expected(p, i, "end of line");
	return 0;
}

/* Unsigned decimal or 0x hex of s[0..n), no sign; -1 syntax, -2 overflow. */
static int parse_u64n(const char *s, int n, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10, i = 0, d;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= n)
		return -1;
	for (; i < n; i++) {
		d = hexval((unsigned char)s[i]);
		if (d < 0 || d >= base)
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -2;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* An unsigned number token in [min, max]. */
static int want_num(struct parser *p, int i, uint64_t min, uint64_t max,
		    const char *what, uint64_t *out)
{
	char w[128];
	uint64_t v;
	int r;

	if (i >= p->nt)
		return expected(p, i, what);
	r = parse_u64n(p->t[i].s, p->t[i].len, &v);
	if (r == 0 && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	if (r == -1)
		snprintf(w, sizeof(w), "%s (decimal or 0x hex number)", what);
	else
		snprintf(w, sizeof(w), "%s in %llu..%llu", what,
			 (unsigned long long)min, (unsigned long long)max);
	return expected(p, i, w);
}

static int want_int(struct parser *p, int i, int min, int max, const char *what, int *out)
{
	uint64_t v;
	int r = want_num(p, i, (uint64_t)min, (uint64_t)max, what, &v);

	if (!r)
		*out = (int)v;
	return r;
}

/* A string argument (bare word or quoted) of at most size-1 bytes. */
static int want_str(struct parser *p, int i, char *dst, size_t size, const char *what)
{
	char d[80];

	if (i >= p->nt || (!p->t[i].quoted && !strcmp(p->t[i].s, "->")))
		return expected(p, i, what);
	if ((size_t)p->t[i].len >= size)
		return perr(p, p->t[i].col, "expected %s of at most %zu bytes, got %s of %d bytes",
			    what, size - 1, tok_desc(&p->t[i], d, sizeof(d)), p->t[i].len);
	memcpy(dst, p->t[i].s, p->t[i].len + 1);
	return 0;
}

static bool is_ident(const char *s, int len)
{
	int i;

	if (len <= 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* Object reference: prefix + decimal index < max, e.g. "m3", "k0". */
static int parse_index(const char *s, int len, int *out)
{
	int v = 0, i;

	if (len < 1 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int want_obj(struct parser *p, int i, char prefix, int max, const char *what, int *out)
{
	char w[64];
	int v;

	snprintf(w, sizeof(w), "%s %c0..%c%d", what, prefix, prefix, max - 1);
	if (i >= p->nt || p->t[i].len < 2 || p->t[i].s[0] != prefix ||
	    parse_index(p->t[i].s + 1, p->t[i].len - 1, &v) || v >= max)
		return expected(p, i, w);
	*out = v;
	return 0;
}

/* "kN.V" */
static int want_vcpu(struct parser *p, int i, int *kvm, int *vcpu)
{
	char w[64];
	const char *s, *dot;

	snprintf(w, sizeof(w), "vcpu kN.V (k0..k%d, V 0..%d)", APSIM_MAX_KVMS - 1,
		 APSIM_MAX_VCPUS - 1);
	if (i >= p->nt)
		return expected(p, i, w);
	s = p->t[i].s;
	dot = strchr(s, '.');
	if (s[0] != 'k' || !dot || parse_index(s + 1, (int)(dot - s - 1), kvm) ||
	    *kvm >= APSIM_MAX_KVMS || parse_index(dot + 1, (int)strlen(dot + 1), vcpu) ||
	    *vcpu >= APSIM_MAX_VCPUS)
		return expected(p, i, w);
	return 0;
}

/* One hex field of an APQN: 1..maxd hex digits, or "*" when wild is set. */
static int parse_hexfield(const char *s, int n, int maxd, bool wild, int *out)
{
	int v = 0, i, h;

	if (wild && n == 1 && s[0] == '*') {
		*out = -1;
		return 0;
	}
	if (n < 1 || n > maxd)
		return -1;
	for (i = 0; i < n; i++) {
		h = hexval((unsigned char)s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	if (v > 255)
		return -1;
	*out = v;
	return 0;
}

/* APQN "CC.DDDD" (hex, as the driver prints it); with wild also "any", "*". */
static int want_apqn(struct parser *p, int i, bool wild, int *card, int *dom)
{
	const char *what = wild ? "APQN CC.DDDD (hex card '.' hex domain, '*' or 'any' for any)"
				: "APQN CC.DDDD (hex card 00..ff '.' hex domain 0000..00ff)";
	const char *s, *dot;

	if (i >= p->nt)
		return expected(p, i, what);
	s = p->t[i].s;
	if (wild && (!strcmp(s, "any") || !strcmp(s, "*"))) {
		*card = *dom = -1;
		return 0;
	}
	dot = strchr(s, '.');
	if (!dot || parse_hexfield(s, (int)(dot - s), 2, wild, card) ||
	    parse_hexfield(dot + 1, (int)strlen(dot + 1), 4, wild, dom))
		return expected(p, i, what);
	return 0;
}

/* MSB0 bitmaps of 256 ids, as in the QCI masks. */
static void bit_set(uint8_t *m, int id, bool on)
{
	if (on)
		m[id / 8] |= 0x80 >> (id % 8);
	else
		m[id / 8] &= ~(0x80 >> (id % 8));
}

/* An id list "5,6,0x10-0x1f" (decimal or 0x hex, ranges a-b) into a bitmap. */
static int want_idlist(struct parser *p, int i, const char *what, uint8_t out[32])
{
	const char *s;
	int pos = 0, n;

	memset(out, 0, 32);
	if (i >= p->nt)
		return expected(p, i, what);
	s = p->t[i].s;
	n = p->t[i].len;
	for (;;) {
		int start = pos, e, dash = -1, col;
		uint64_t a, b;

		while (pos < n && s[pos] != ',')
			pos++;
		e = pos;
		col = p->t[i].quoted ? p->t[i].col : p->t[i].col + start;
		for (int k = start; k < e; k++)
			if (s[k] == '-') {
				dash = k;
				break;
			}
		if (dash < 0) {
			if (parse_u64n(s + start, e - start, &a) || a > 255)
				goto bad;
			b = a;
		} else {
			if (parse_u64n(s + start, dash - start, &a) || a > 255 ||
			    parse_u64n(s + dash + 1, e - dash - 1, &b) || b > 255)
				goto bad;
			if (b < a)
				return perr(p, col, "expected a range low-high with low <= high, got '%.*s'",
					    e - start, s + start);
		}
		for (uint64_t id = a; id <= b; id++)
			bit_set(out, (int)id, true);
		if (pos >= n)
			return 0;
		pos++;     /* ',' */
		continue;
bad:
		return perr(p, col, "expected %s (ids 0..255, decimal or 0x hex, ranges a-b, ',' between), got '%.*s'",
			    what, e - start, s + start);
	}
}

static int want_result(struct parser *p, int i, long *out)
{
	if (i >= p->nt || p->t[i].quoted || apsim_errno_parse(p->t[i].s, out))
		return expected(p, i, "result (bytes >= 0, -EXXX errno name, or negative number)");
	return 0;
}

/*
 * "-> R" or "-> R1|R2|...": the results an op may return, one word, `|`
 * between, at most 1 + APSIM_MAX_ALT, no repeats.
 */
static int want_results(struct parser *p, int i, struct apsim_op *op)
{
	char part[64];
	const char *w, *bar;
	int n = 0;
	long v;

	if (i >= p->nt || p->t[i].quoted || !strchr(p->t[i].s, '|'))
		return want_result(p, i, &op->expect);
	for (w = p->t[i].s;; w = bar + 1) {
		size_t l;

		bar = strchr(w, '|');
		l = bar ? (size_t)(bar - w) : strlen(w);
		if (l >= sizeof(part))
			l = sizeof(part) - 1;
		memcpy(part, w, l);
		part[l] = 0;
		if (n > APSIM_MAX_ALT || apsim_errno_parse(part, &v) ||
		    (n > 0 && apsim_op_result_ok(op, v)))
			return expected(p, i, n > APSIM_MAX_ALT ?
					"at most 4 results, '|' between" :
					"results (bytes >= 0, -EXXX errno names or negative numbers), '|' between, each once");
		if (n == 0)
			op->expect = v;
		else
			op->alt[op->nalt++] = v;
		op->has_expect = true;   /* for apsim_op_result_ok above */
		n++;
		if (!bar)
			return 0;
	}
}

/* ----------------------------------------------------------- the lines */

static int end_block(struct parser *p, bool at_eof, int eof_line)
{
	struct apsim_thread_spec *th;
	char w[128];

	if (p->block == B_THREAD) {
		th = &p->s->threads[p->s->nthreads - 1];
		if (th->nops == 0) {
			snprintf(w, sizeof(w), "an operation in thread '%s' (line %d)",
				 th->name, p->block_line);
			if (at_eof)
				return perr_at(p, eof_line, 1, "expected %s, got end of file", w);
			return expected(p, 0, w);
		}
	}
	p->block = B_NONE;
	return 0;
}

static int line_scenario(struct parser *p)
{
	struct apsim_scenario *s = p->s;
	int r;

	if (p->seen_scenario)
		return perr(p, p->t[0].col, "expected one 'scenario' line, got a second one (first at line %d)",
			    p->scenario_line);
	p->seen_scenario = true;
	p->scenario_line = p->line;
	if ((r = want_str(p, 1, s->name, sizeof(s->name), "scenario name")))
		return r;
	if (!s->name[0])
		return expected(p, 1, "a non-empty scenario name");
	return want_end(p, 2);
}

static int line_description(struct parser *p)
{
	int r;

	if (p->seen_desc)
		return perr(p, p->t[0].col, "expected one 'description' line, got a second one");
	p->seen_desc = true;
	if ((r = want_str(p, 1, p->s->description, sizeof(p->s->description),
			  "description \"text\"")))
		return r;
	return want_end(p, 2);
}

static int line_variant(struct parser *p)
{
	int r;

	if (p->seen_variant)
		return perr(p, p->t[0].col, "expected one 'variant' line, got a second one");
	p->seen_variant = true;
	if (p->nt > 1 && !is_ident(p->t[1].s, p->t[1].len))
		return expected(p, 1, "variant name (letters, digits, '_', '-', '.')");
	if ((r = want_str(p, 1, p->s->variant, sizeof(p->s->variant), "variant name")))
		return r;
	return want_end(p, 2);
}

/* A kernel series: "6.1", "6.12" (digits, a dot, digits). */
static bool is_series(const char *t, int len)
{
	int i = 0, a = 0, b = 0;

	while (i < len && t[i] >= '0' && t[i] <= '9' && a < 3)
		i++, a++;
	if (i == len || t[i] != '.')
		return false;
	i++;
	while (i < len && t[i] >= '0' && t[i] <= '9' && b < 3)
		i++, b++;
	return a && b && i == len;
}

static int line_tree(struct parser *p)
{
	if (p->seen_tree)
		return perr(p, p->t[0].col, "expected one 'tree' line, got a second one");
	p->seen_tree = true;
	if (p->nt < 2)
		return expected(p, 1, "kernel series (e.g. 6.1 or 6.12)");
	for (int i = 1; i < p->nt; i++) {
		if (!is_series(p->t[i].s, p->t[i].len))
			return expected(p, i, "kernel series (e.g. 6.1 or 6.12)");
		if (p->s->ntrees == APSIM_MAX_TREES)
			return perr(p, p->t[i].col, "too many series on a 'tree' line (limit %d)",
				    APSIM_MAX_TREES);
		memcpy(p->s->trees[p->s->ntrees], p->t[i].s, (size_t)p->t[i].len);
		p->s->trees[p->s->ntrees++][p->t[i].len] = 0;
	}
	return 0;
}

bool apsim_scn_tree_ok(const struct apsim_scenario *s, const char *kver)
{
	for (int i = 0; i < s->ntrees; i++) {
		size_t n = strlen(s->trees[i]);

		if (!strncmp(kver, s->trees[i], n) && (kver[n] == '.' || kver[n] == 0))
			return true;
	}
	return s->ntrees == 0;
}

static int line_option(struct parser *p)
{
	if (tok_is(p, 1, "allow-undeclared"))
		p->s->allow_undeclared = true;
	else
		return expected(p, 1, "option name (allow-undeclared)");
	return want_end(p, 2);
}

static int line_host(struct parser *p)
{
	struct apsim_hostcfg *c = &p->s->cfg;
	uint8_t m[32];
	int i = 1, r, k;

	if (p->nt < 2)
		return expected(p, 1, "host setting (adapters, domains, control-domains, apxa, card-type, free-adapters, free-domains, apmask, aqmask, aqic-completion-us)");
	while (i < p->nt) {
		if (tok_is(p, i, "adapters") || tok_is(p, i, "domains") ||
		    tok_is(p, i, "control-domains")) {
			uint8_t *dst = tok_is(p, i, "adapters") ? c->apm :
				       tok_is(p, i, "domains") ? c->aqm : c->adm;

			if ((r = want_idlist(p, i + 1, "id list", m)))
				return r;
			for (k = 0; k < 32; k++)
				dst[k] |= m[k];
			i += 2;
		} else if (tok_is(p, i, "free-adapters") || tok_is(p, i, "free-domains")) {
			bool ap = tok_is(p, i, "free-adapters");
			uint8_t *dst = ap ? c->apmask : c->aqmask;

			if ((r = want_idlist(p, i + 1, "id list", m)))
				return r;
			if (ap)
				c->have_apmask = true;
			else
				c->have_aqmask = true;
			for (k = 0; k < 32; k++)
				dst[k] &= ~m[k];
			i += 2;
		} else if (tok_is(p, i, "apmask") || tok_is(p, i, "aqmask")) {
			bool ap = tok_is(p, i, "apmask");

			if (!tok_is(p, i + 1, "all"))
				return expected(p, i + 1, "'all' (use free-adapters / free-domains to clear bits)");
			memset(ap ? c->apmask : c->aqmask, 0xff, 32);
			if (ap)
				c->have_apmask = true;
			else
				c->have_aqmask = true;
			i += 2;
		} else if (tok_is(p, i, "apxa")) {
			if (tok_is(p, i + 1, "on"))
				c->apxa = true;
			else if (tok_is(p, i + 1, "off"))
				c->apxa = false;
			else
				return expected(p, i + 1, "'on' or 'off'");
			i += 2;
		} else if (tok_is(p, i, "aqic-completion-us")) {
			if ((r = want_int(p, i + 1, 0, 1000000, "AQIC completion time (us)", &c->aqic_us)))
				return r;
			i += 2;
		} else if (tok_is(p, i, "card-type")) {
			int v;

			if (i + 1 < p->nt && scn_card_type_parse(p->t[i + 1].s, &v) == 0)
				c->card_type = v;
			else if (i + 1 < p->nt && p->t[i + 1].s[0] >= '0' && p->t[i + 1].s[0] <= '9') {
				if ((r = want_int(p, i + 1, 0, 255, "card type", &c->card_type)))
					return r;
			} else
				return expected(p, i + 1, "card type (cex4, cex5, cex6, cex7, cex8 or a number)");
			i += 2;
		} else {
			return expected(p, i, "host setting (adapters, domains, control-domains, apxa, card-type, free-adapters, free-domains, apmask, aqmask, aqic-completion-us)");
		}
	}
	return 0;
}

/* The options every counted fault point shares: `nth N` (the Nth call,
 * what = its noun), `every`, and a final `modprobe`.  Returns 1 when the
 * token at *i was one of them (and *i moved past it), 0 when it was not,
 * or a parse error. */
static int fault_count_opt(struct parser *p, int *i, struct apsim_fault *f, bool *seen_nth,
			   const char *what)
{
	int r;

	if (tok_is(p, *i, "nth") && !*seen_nth) {
		if ((r = want_int(p, *i + 1, 1, 1000000, what, &f->nth)))
			return r;
		*seen_nth = true;
		*i += 2;
	} else if (tok_is(p, *i, "every") && !*seen_nth) {
		f->nth = 0;
		*seen_nth = true;
		*i += 1;
	} else if (tok_is(p, *i, "modprobe") && *i == p->nt - 1) {
		f->modprobe = true;
		*i += 1;
	} else {
		return 0;
	}
	return 1;
}

/*
 * `fault POINT [err ERRNO] [nth N | every] [modprobe]`
 * (driver/scenario/faults.def): ERRNO must be one the point's kernel
 * function returns; default err = its first error, nth 1.  `modprobe`: the
 * fault is armed during the driver's module init only (implied for a point
 * the driver calls only there).
 */
static int fault_point(struct parser *p, struct apsim_fault *f)
{
	bool seen_err = false, seen_nth = false;
	int i = 2, r;

	f->kind = APSIM_FAULT_POINT;
	f->point = apsim_fault_point_lookup(p->t[1].s);
	f->err = apsim_fault_point_default_err(f->point);
	f->nth = 1;
	f->modprobe = apsim_fault_point_modprobe_only(f->point);
	while (i < p->nt) {
		if (tok_is(p, i, "err") && !seen_err) {
			long v;
			char errs[160], what[300];

			snprintf(what, sizeof(what), "an error %s returns (%s)",
				 apsim_fault_point_func(f->point),
				 apsim_fault_point_errs(f->point, errs, sizeof(errs)));
			if (i + 1 >= p->nt || p->t[i + 1].quoted ||
			    apsim_errno_parse(p->t[i + 1].s, &v) ||
			    !apsim_fault_point_err_ok(f->point, (int)v))
				return expected(p, i + 1, what);
			f->err = (int)v;
			seen_err = true;
			i += 2;
		} else if ((r = fault_count_opt(p, &i, f, &seen_nth, "call number"))) {
			if (r < 0)
				return r;
		} else {
			return expected(p, i, "'err ERRNO', 'nth N', 'every', 'modprobe' or end of line");
		}
	}
	return 0;
}

static int line_fault(struct parser *p)
{
	struct apsim_scenario *s = p->s;
	struct apsim_fault *f;
	int i = 2, r;

	if (s->nfaults >= APSIM_MAX_FAULTS)
		return perr(p, p->t[0].col, "too many faults (max %d)", APSIM_MAX_FAULTS);
	f = &s->faults[s->nfaults];
	memset(f, 0, sizeof(*f));
	f->card = f->domain = -1;
	f->loc.line = p->line;
	f->loc.col = p->t[0].col;
	if (tok_is(p, 1, "kmalloc")) {
		f->kind = APSIM_FAULT_KMALLOC;
		f->nth = 1;
		bool seen_at = false, seen_nth = false;

		while (i < p->nt) {
			if (tok_is(p, i, "at") && !seen_at) {
				if ((r = want_str(p, i + 1, f->site, sizeof(f->site),
						  "allocation site (function or file.c:line)")))
					return r;
				seen_at = true;
				i += 2;
			} else if ((r = fault_count_opt(p, &i, f, &seen_nth, "allocation number"))) {
				if (r < 0)
					return r;
			} else {
				return expected(p, i, "'at SITE', 'nth N', 'every', 'modprobe' or end of line");
			}
		}
	} else if (tok_is(p, 1, "ap")) {
		f->kind = APSIM_FAULT_AP_RC;
		f->count = 1;
		if (!(tok_is(p, 2, "tapq") || tok_is(p, 2, "zapq") || tok_is(p, 2, "aqic")))
			return expected(p, 2, "AP instruction (tapq, zapq, aqic)");
		snprintf(f->insn, sizeof(f->insn), "%s", p->t[2].s);
		if ((r = want_apqn(p, 3, true, &f->card, &f->domain)))
			return r;
		if (!tok_is(p, 4, "rc"))
			return expected(p, 4, "'rc'");
		if (p->nt > 5 && scn_ap_rc_parse(p->t[5].s, &f->rc) == 0)
			;
		else if (p->nt > 5 && p->t[5].s[0] >= '0' && p->t[5].s[0] <= '9') {
			if ((r = want_int(p, 5, 0, 255, "response code", &f->rc)))
				return r;
		} else
			return expected(p, 5, "AP response code (normal, q-not-avail, reset-in-progress, deconfigured, checkstopped, busy, invalid-address, otherwise-changed, ... or a number)");
		i = 6;
		if (tok_is(p, i, "count")) {
			if ((r = want_int(p, i + 1, 1, 1000000, "count", &f->count)))
				return r;
			i += 2;
		} else if (tok_is(p, i, "always")) {
			f->count = 0;
			i++;
		}
		if (i < p->nt)
			return expected(p, i, "'count N', 'always' or end of line");
	} else if (p->nt > 1 && !p->t[1].quoted && apsim_fault_point_lookup(p->t[1].s) >= 0) {
		if ((r = fault_point(p, f)))
			return r;
	} else {
		char list[256], what[300];

		snprintf(what, sizeof(what), "fault kind (kmalloc, ap, %s)",
			 apsim_fault_point_list(list, sizeof(list)));
		return expected(p, 1, what);
	}
	s->nfaults++;
	return 0;
}

static int line_explore(struct parser *p)
{
	struct apsim_explore_spec *e = &p->s->explore;
	int i = 1, r;
	uint64_t v;

	if (p->nt < 2)
		return expected(p, 1, "explore setting (strategy, seed, iterations, pct-depth, preemption-bound, max-steps, hung-task-timeout)");
	for (; i < p->nt; i += 2) {
		const struct tok *t = &p->t[i];
		bool dup;

		dup = (tok_is(p, i, "strategy") && e->strategy >= 0) ||
		      (tok_is(p, i, "seed") && e->has_seed) ||
		      (tok_is(p, i, "iterations") && e->iterations >= 0) ||
		      (tok_is(p, i, "pct-depth") && e->pct_depth >= 0) ||
		      (tok_is(p, i, "preemption-bound") && e->preemption_bound >= 0) ||
		      (tok_is(p, i, "max-steps") && e->max_steps >= 0) ||
		      (tok_is(p, i, "hung-task-timeout") && e->hung_task_s >= 0);
		if (dup)
			return perr(p, t->col, "expected each explore setting once, got '%s' a second time", t->s);
		if (tok_is(p, i, "strategy")) {
			enum sim_strategy st;

			/* every strategy but replay (that needs a schedule file) */
			if (i + 1 >= p->nt || sim_strategy_parse(p->t[i + 1].s, &st) ||
			    st == SIM_STRAT_REPLAY) {
				char w[96];
				int o = snprintf(w, sizeof(w), "strategy (");

				for (st = 0; st < SIM_STRAT_REPLAY; st++)
					o += snprintf(w + o, sizeof(w) - o, "%s%s", st ? ", " : "",
						      sim_strategy_name(st));
				snprintf(w + o, sizeof(w) - o, ")");
				return expected(p, i + 1, w);
			}
			e->strategy = st;
		} else if (tok_is(p, i, "seed")) {
			if ((r = want_num(p, i + 1, 0, UINT64_MAX, "seed", &v)))
				return r;
			e->seed = v;
			e->has_seed = true;
		} else if (tok_is(p, i, "iterations")) {
			if ((r = want_num(p, i + 1, 0, APSIM_SCN_MAX_ITERATIONS, "iterations", &v)))
				return r;
			e->iterations = (long)v;
		} else if (tok_is(p, i, "pct-depth")) {
			if ((r = want_num(p, i + 1, 1, APSIM_SCN_MAX_PCT_DEPTH, "pct-depth", &v)))
				return r;
			e->pct_depth = (int)v;
		} else if (tok_is(p, i, "preemption-bound")) {
			if ((r = want_num(p, i + 1, 0, APSIM_SCN_MAX_PREEMPTION_BOUND, "preemption-bound", &v)))
				return r;
			e->preemption_bound = (int)v;
		} else if (tok_is(p, i, "max-steps")) {
			if ((r = want_num(p, i + 1, 1, APSIM_SCN_MAX_ITERATIONS, "max-steps", &v)))
				return r;
			e->max_steps = (long)v;
		} else if (tok_is(p, i, "hung-task-timeout")) {
			if ((r = want_num(p, i + 1, 0, APSIM_SCN_MAX_HUNG_TASK_S, "hung-task-timeout seconds", &v)))
				return r;
			e->hung_task_s = (long)v;
		} else {
			return expected(p, i, "explore setting (strategy, seed, iterations, pct-depth, preemption-bound, max-steps, hung-task-timeout)");
		}
	}
	return 0;
}

static int line_expect(struct parser *p)
{
	struct apsim_scenario *s = p->s;
	struct apsim_expect *x;
	int r, i;

	if (s->nexpect >= APSIM_MAX_EXPECT)
		return perr(p, p->t[0].col, "too many expectations (max %d)", APSIM_MAX_EXPECT);
	x = &s->expect[s->nexpect];
	memset(x, 0, sizeof(*x));
	x->loc.line = p->line;
	x->loc.col = p->t[0].col;
	if (p->nt < 2 || p->t[1].quoted || apsim_expect_parse(p->t[1].s, &x->kind)) {
		char w[256], l[200];

		snprintf(w, sizeof(w), "expectation (%s)", apsim_expect_list(l, sizeof(l)));
		return expected(p, 1, w);
	}
	switch (x->kind) {
	case APSIM_EXPECT_LOCK_CYCLE:
		for (i = 2; i < p->nt; i++) {
			if (x->nclasses >= 6)
				return perr(p, p->t[i].col, "too many lock classes in one lock-cycle (max 6)");
			if ((r = want_str(p, i, x->classes[x->nclasses], sizeof(x->classes[0]),
					  "lock class name")))
				return r;
			x->nclasses++;
		}
		break;
	case APSIM_EXPECT_MEMORY:
		if (p->nt > 2) {
			static const char *const kinds[] = {
				"use-after-free", "slab-out-of-bounds", "double-free", "invalid-free",
				"wild-memory-access", "leak", "sysfs-show-overflow",
			};
			bool known = false;

			if ((r = want_str(p, 2, x->str, sizeof(x->str),
					  "memory finding kind (e.g. use-after-free)")))
				return r;
			/* KIND, or KIND:more of the signature */
			size_t kl = strcspn(x->str, ":");

			for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
				known |= strlen(kinds[k]) == kl && !strncmp(x->str, kinds[k], kl);
			if (!known)
				return perr(p, p->t[2].col, "expected memory finding kind (use-after-free, slab-out-of-bounds, "
					    "double-free, invalid-free, wild-memory-access, leak, sysfs-show-overflow), got '%.*s'",
					    (int)kl, x->str);
			if ((r = want_end(p, 3)))
				return r;
		}
		break;
	case APSIM_EXPECT_RULE:
	case APSIM_EXPECT_DATA_RACE:
	case APSIM_EXPECT_HANG:
		/* optional: a part of the finding's signature */
		if (p->nt > 2) {
			if ((r = want_str(p, 2, x->str, sizeof(x->str), "part of a signature")))
				return r;
			if ((r = want_end(p, 3)))
				return r;
		}
		break;
	case APSIM_EXPECT_RESULT_SEEN:
		if (p->nt < 3 || apsim_op_lookup(p->t[2].s) == APSIM_OP_NONE)
			return expected(p, 2, "operation name");
		snprintf(x->str, sizeof(x->str), "%s", apsim_op_name(apsim_op_lookup(p->t[2].s)));
		if ((r = want_result(p, 3, &x->value)))
			return r;
		if ((r = want_end(p, 4)))
			return r;
		break;
	default:
		if ((r = want_end(p, 2)))
			return r;
	}
	s->nexpect++;
	return 0;
}

static int line_setup(struct parser *p)
{
	int i = 1;

	if (p->seen_setup)
		return perr(p, p->t[0].col, "expected one 'setup:' block, got a second one");
	if (strcmp(p->t[0].s, "setup:")) {
		if (!tok_is(p, 1, ":"))
			return expected(p, 1, "':' after 'setup'");
		i = 2;
	}
	if (want_end(p, i))
		return -EINVAL;
	p->seen_setup = true;
	p->block = B_SETUP;
	p->block_line = p->line;
	return 0;
}

static int line_thread(struct parser *p)
{
	struct apsim_scenario *s = p->s;
	struct apsim_thread_spec *th;
	const char *what = "thread name (letters, digits, '_', '-', '.'; at most 31) followed by ':'";
	int len, i = 2, k;

	if (s->nthreads >= APSIM_MAX_THREADS)
		return perr(p, p->t[0].col, "too many threads (max %d)", APSIM_MAX_THREADS);
	if (p->nt < 2 || p->t[1].quoted)
		return expected(p, 1, what);
	len = p->t[1].len;
	if (len > 0 && p->t[1].s[len - 1] == ':')
		len--;
	else if (tok_is(p, 2, ":"))
		i = 3;
	else if (p->nt > 1 && is_ident(p->t[1].s, len) && len < 32)
		return expected(p, 2, "':' after the thread name");
	if (!is_ident(p->t[1].s, len) || len >= 32)
		return expected(p, 1, what);
	if (want_end(p, i))
		return -EINVAL;
	for (k = 0; k < s->nthreads; k++)
		if ((int)strlen(s->threads[k].name) == len &&
		    !memcmp(s->threads[k].name, p->t[1].s, len))
			return perr(p, p->t[1].col, "expected a new thread name, got '%.*s' (already used)",
				    len, p->t[1].s);
	th = &s->threads[s->nthreads++];
	memset(th, 0, sizeof(*th));
	memcpy(th->name, p->t[1].s, len);
	p->block = B_THREAD;
	p->block_line = p->line;
	return 0;
}

/* A bare word "LO-HI" on an op that takes ranges (driver/scenario/range.c):
 * 1 when the word is not range-shaped, 0 when it is a range (op->range set;
 * the caller's want_str copies the word as written into op->str), or an
 * error at the word. */
static int want_range(struct parser *p, int i, struct apsim_op *op)
{
	const struct tok *t = &p->t[i];

	switch (apsim_range_parse(t->s, t->len, NULL, NULL)) {
	case APSIM_RANGE_NONE:
		return 1;
	case APSIM_RANGE_REVERSED:
		return perr(p, t->col, "expected an id range LO-HI with LO <= HI, got '%s'", t->s);
	case APSIM_RANGE_BAD:
		return perr(p, t->col, "expected an id range LO-HI of ids 0..255 (decimal or 0x hex), got '%s'"
			    " (quote it to write the string as is)", t->s);
	default:
		op->range = true;
		return 0;
	}
}

/* Operand kind k (driver/scenario/ops.def) of op at token *i, into op;
 * *i moves past it. */
static int want_operand(struct parser *p, int *i, enum scn_operand k, struct apsim_op *op)
{
	uint64_t v = 0;
	int r = 0, a = 0;

	switch (k) {
	case SCN_OPND_MDEV:
		return want_obj(p, (*i)++, 'm', APSIM_MAX_MDEVS, "mdev", &op->mdev);
	case SCN_OPND_KVM:
		return want_obj(p, (*i)++, 'k', APSIM_MAX_KVMS, "kvm", &op->kvm);
	case SCN_OPND_KVM_OR_NONE:
		if (!tok_is(p, *i, "none"))
			r = want_obj(p, *i, 'k', APSIM_MAX_KVMS, "kvm ('none' for no kvm)", &op->kvm);
		(*i)++;
		return r;
	case SCN_OPND_VCPU:
		return want_vcpu(p, (*i)++, &op->kvm, &op->vcpu);
	case SCN_OPND_APQN:
		return want_apqn(p, (*i)++, false, &op->card, &op->domain);
	case SCN_OPND_CARD:
		return want_int(p, (*i)++, 0, 255, "adapter id", &op->card);
	case SCN_OPND_DOMAIN:
		return want_int(p, (*i)++, 0, 255, "domain id", &op->domain);
	case SCN_OPND_STR:
		if (apsim_op_takes_range(op->kind) && *i < p->nt && !p->t[*i].quoted &&
		    (r = want_range(p, *i, op)) < 0)
			return r;   /* range-shaped but not a valid range */
		return want_str(p, (*i)++, op->str, sizeof(op->str), "sysfs string (word or \"quoted\")");
	case SCN_OPND_IOVA:
		r = want_num(p, (*i)++, 0, INT64_MAX, "iova", &v);
		break;
	case SCN_OPND_ISC:
		if (!tok_is(p, *i, "isc"))
			r = expected(p, *i, "'isc'");
		else
			r = want_num(p, *i + 1, 0, 7, "interruption subclass", &v);
		*i += 2;
		break;
	case SCN_OPND_VCPUS:
		v = 1;
		if (tok_is(p, *i, "vcpus")) {
			r = want_num(p, *i + 1, 1, APSIM_MAX_VCPUS, "number of vcpus", &v);
			*i += 2;
		}
		break;
	case SCN_OPND_CRYPTO:
		if (*i < p->nt && scn_crypto_attr_parse(p->t[*i].s, &a) == 0)
			v = (uint64_t)a;
		else if (*i < p->nt && p->t[*i].s[0] >= '0' && p->t[*i].s[0] <= '9')
			r = want_int(p, *i, 0, 255, "crypto attribute", &a), v = (uint64_t)a;
		else
			r = expected(p, *i, "crypto attribute (enable-aes-kw, enable-dea-kw, disable-aes-kw, disable-dea-kw, enable-apie, disable-apie or a number)");
		(*i)++;
		break;
	case SCN_OPND_MS:
		r = want_num(p, (*i)++, 0, 3600000, "milliseconds", &v);
		break;
	case SCN_OPND_EVENTFD:
		if (tok_is(p, *i, "bad")) {
			v = 1;
			(*i)++;
		}
		break;
	case SCN_OPND__:
	default:
		return 0;
	}
	op->arg = (long)v;     /* the arg operands */
	return r;
}

static int line_op(struct parser *p, enum apsim_op_kind kind)
{
	struct apsim_scenario *s = p->s;
	const enum scn_operand *opnd = scn_op_operands(kind);
	struct apsim_op op;
	int i = 1, r = 0, k;

	if (p->block == B_NONE)
		return perr(p, p->t[0].col, "expected a 'setup:' or 'thread NAME:' line before operation '%s'",
			    p->t[0].s);
	if (p->block == B_SETUP ? s->nsetup >= APSIM_MAX_OPS :
	    s->threads[s->nthreads - 1].nops >= APSIM_MAX_OPS)
		return perr(p, p->t[0].col, "too many operations in %s (max %d)",
			    p->block == B_SETUP ? "setup" : "this thread", APSIM_MAX_OPS);
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.mdev = op.kvm = op.vcpu = op.card = op.domain = -1;
	op.loc.line = p->line;
	op.loc.col = p->t[0].col;

	for (k = 0; k < SCN_MAX_OPERANDS && !r; k++)
		r = want_operand(p, &i, opnd[k], &op);
	if (r)
		return r;
	if (tok_is(p, i, "->")) {
		if ((r = want_results(p, i + 1, &op)))
			return r;
		op.has_expect = true;
		i += 2;
	}
	if (i < p->nt)
		return expected(p, i, "'-> RESULT' or end of line");
	/* memcpy, not assignment: keeps padding zeroed (scenarios compare with memcmp) */
	if (p->block == B_SETUP)
		memcpy(&s->setup[s->nsetup++], &op, sizeof(op));
	else {
		struct apsim_thread_spec *th = &s->threads[s->nthreads - 1];

		memcpy(&th->ops[th->nops++], &op, sizeof(op));
	}
	return 0;
}

/* ----------------------------------------------- cross-reference check */

static int check_refs(struct parser *p)
{
	const struct apsim_scenario *s = p->s;
	bool mdev[APSIM_MAX_MDEVS] = { false };
	int kvm_vcpus[APSIM_MAX_KVMS] = { 0 };
	int pass, t, k;

	if (s->allow_undeclared)
		return 0;
	for (pass = 0; pass < 2; pass++) {
		for (t = -1; t < s->nthreads; t++) {
			const struct apsim_op *ops = t < 0 ? s->setup : s->threads[t].ops;
			int n = t < 0 ? s->nsetup : s->threads[t].nops;

			for (k = 0; k < n; k++) {
				const struct apsim_op *o = &ops[k];

				if (pass == 0) {
					if (o->kind == APSIM_OP_MDEV_CREATE)
						mdev[o->mdev] = true;
					if (o->kind == APSIM_OP_KVM_CREATE &&
					    kvm_vcpus[o->kvm] < o->arg)
						kvm_vcpus[o->kvm] = (int)o->arg;
					continue;
				}
				if (o->mdev >= 0 && !mdev[o->mdev])
					return perr_at(p, o->loc.line, o->loc.col,
						       "mdev m%d is never created (add 'create_mdev m%d' or 'option allow-undeclared')",
						       o->mdev, o->mdev);
				if (o->kvm >= 0 && !kvm_vcpus[o->kvm])
					return perr_at(p, o->loc.line, o->loc.col,
						       "kvm k%d is never created (add 'kvm_create k%d' or 'option allow-undeclared')",
						       o->kvm, o->kvm);
				if (o->vcpu >= 0 && o->kvm >= 0 && o->vcpu >= kvm_vcpus[o->kvm])
					return perr_at(p, o->loc.line, o->loc.col,
						       "vcpu k%d.%d does not exist (kvm_create k%d creates %d vcpus)",
						       o->kvm, o->vcpu, o->kvm, kvm_vcpus[o->kvm]);
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------ the file */

void apsim_scn_init(struct apsim_scenario *s)
{
	memset(s, 0, sizeof(*s));
	apsim_scn_set_defaults(s);
}

void apsim_scn_set_defaults(struct apsim_scenario *s)
{
	s->cfg.apxa = true;
	s->cfg.card_type = 13;   /* AP_DEVICE_TYPE_CEX7 */
	memset(s->cfg.apmask, 0xff, sizeof(s->cfg.apmask));
	memset(s->cfg.aqmask, 0xff, sizeof(s->cfg.aqmask));
	s->explore.strategy = -1;
	s->explore.iterations = -1;
	s->explore.pct_depth = -1;
	s->explore.preemption_bound = -1;
	s->explore.max_steps = -1;
	s->explore.hung_task_s = -1;
}

static int parse_line(struct parser *p)
{
	const char *w = p->t[0].s;
	enum apsim_op_kind kind;

	if (!p->seen_scenario && !tok_is(p, 0, "scenario"))
		return expected(p, 0, "'scenario NAME' as the first line");
	if (!p->t[0].quoted) {
		kind = apsim_op_lookup(w);
		if (kind != APSIM_OP_NONE)
			return line_op(p, kind);
	}
	/* every other line ends a setup/thread block */
	if (end_block(p, false, 0))
		return -EINVAL;
	if (tok_is(p, 0, "scenario"))
		return line_scenario(p);
	if (tok_is(p, 0, "description"))
		return line_description(p);
	if (tok_is(p, 0, "variant"))
		return line_variant(p);
	if (tok_is(p, 0, "tree"))
		return line_tree(p);
	if (tok_is(p, 0, "option"))
		return line_option(p);
	if (tok_is(p, 0, "host"))
		return line_host(p);
	if (tok_is(p, 0, "fault"))
		return line_fault(p);
	if (tok_is(p, 0, "setup") || tok_is(p, 0, "setup:"))
		return line_setup(p);
	if (tok_is(p, 0, "thread"))
		return line_thread(p);
	if (tok_is(p, 0, "explore"))
		return line_explore(p);
	if (tok_is(p, 0, "expect"))
		return line_expect(p);
	return expected(p, 0, "a keyword (scenario, description, variant, tree, option, host, fault, setup:, thread, explore, expect) or an operation");
}

int apsim_scn_parse_buf(const char *buf, size_t len, const char *fname,
			struct apsim_scenario *out, char *err, size_t errlen)
{
	struct parser p;
	size_t pos = 0;
	int r = 0;

	memset(&p, 0, sizeof(p));
	p.fname = fname ? fname : "<input>";
	p.err = err;
	p.errlen = errlen;
	p.s = out;
	if (err && errlen)
		err[0] = 0;
	apsim_scn_init(out);
	snprintf(out->file, sizeof(out->file), "%s", p.fname);
	if (len > APSIM_SCN_MAX_FILE)
		return perr_at(&p, 1, 1, "expected a file of at most %d bytes, got %zu bytes",
			       APSIM_SCN_MAX_FILE, len);
	if (!buf)
		len = 0;
	p.dbuf = malloc(len + 2);
	if (!p.dbuf)
		return perr_at(&p, 1, 1, "out of memory");

	while (pos < len) {
		const char *l = buf + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;

		pos += n + (nl ? 1 : 0);
		p.line++;
		if (n > 0 && l[n - 1] == '\r')   /* CRLF */
			n--;
		if ((r = lex_line(&p, l, (int)n)))
			goto out;
		if (p.nt == 0)
			continue;
		if ((r = parse_line(&p)))
			goto out;
	}
	/* end of file: line after the last complete line */
	{
		int eof_line = (len == 0 || buf[len - 1] == '\n') ? p.line + 1 : p.line;

		if ((r = end_block(&p, true, eof_line)))
			goto out;
		if (!p.seen_scenario) {
			r = perr_at(&p, eof_line, 1, "expected 'scenario NAME' as the first line, got end of file");
			goto out;
		}
	}
	r = check_refs(&p);
out:
	free(p.dbuf);
	return r ? -EINVAL : 0;
}

int apsim_scn_parse_file(const char *path, struct apsim_scenario *out,
			 char *err, size_t errlen)
{
	FILE *f;
	char *buf;
	size_t n;
	int r, e;

	apsim_scn_init(out);
	f = fopen(path, "rb");
	if (!f) {
		e = errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: error: cannot open: %s", path, strerror(e));
		return -e;
	}
	buf = malloc(APSIM_SCN_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		if (err && errlen)
			snprintf(err, errlen, "%s: error: out of memory", path);
		return -ENOMEM;
	}
	n = fread(buf, 1, APSIM_SCN_MAX_FILE + 1, f);
	if (ferror(f)) {
		e = errno ? errno : EIO;
		free(buf);
		fclose(f);
		if (err && errlen)
			snprintf(err, errlen, "%s: error: cannot read: %s", path, strerror(e));
		return -e;
	}
	fclose(f);
	r = apsim_scn_parse_buf(buf, n, path, out, err, errlen);
	free(buf);
	return r;
}
