// SPDX-License-Identifier: GPL-2.0
/*
 * driver/scenario/known.c - known-findings files: parse, match.
 *
 * Owns: the format of a known-findings file (docs/review.md: a signature
 * pattern and a reason a line, `#` comments), its parser with FILE:LINE
 * errors, and the glob matching of finding signatures against it, for
 * `apsim run|fuzz|review --known FILE`.  Host-side, no I/O (the caller
 * reads the file).
 */
#include <stdlib.h>
#include <string.h>

#include "driver/scenario/scenario.h"

/* `*` any text (also empty), `?` one character, everything else itself. */
bool apsim_known_glob(const char *p, const char *s)
{
	const char *star = NULL, *back = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			back = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++back;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int apsim_known_parse(const char *text, const char *name, struct apsim_known *k,
		      char *err, size_t errlen)
{
	int line = 0, cap = 0;

	k->n = 0;
	k->e = NULL;
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n'), *end = eol ? eol : p + strlen(p);
		const char *a = p, *b, *r;
		struct apsim_known_entry *e;

		line++;
		p = eol ? eol + 1 : NULL;
		while (a < end && blank(*a))
			a++;
		if (a == end || *a == '#')
			continue;
		for (b = a; b < end && !blank(*b); b++)
			;
		for (r = b; r < end && blank(*r); r++)
			;
		while (end > r && blank(end[-1]))
			end--;
		if (r == end) {
			snprintf(err, errlen, "%s:%d: error: '%.*s' has no reason "
				 "(expected: SIGNATURE-PATTERN REASON...)", name, line, (int)(b - a), a);
			goto fail;
		}
		if (b - a >= (long)sizeof(e->pattern) || end - r >= (long)sizeof(e->reason)) {
			snprintf(err, errlen, "%s:%d: error: entry too long (pattern < %zu, reason < %zu characters)",
				 name, line, sizeof(e->pattern), sizeof(e->reason));
			goto fail;
		}
		if (!memchr(a, ':', (size_t)(b - a)) && !(b - a == 1 && *a == '*')) {
			snprintf(err, errlen, "%s:%d: error: '%.*s' is not a signature pattern "
				 "(KIND:..., e.g. crash:SIGSEGV@vfio_ap_mdev_hot_unplug_domain)",
				 name, line, (int)(b - a), a);
			goto fail;
		}
		if (k->n == cap) {
			struct apsim_known_entry *ne;

			cap = cap ? 2 * cap : 16;
			ne = realloc(k->e, (size_t)cap * sizeof(*ne));
			if (!ne) {
				snprintf(err, errlen, "%s: error: out of memory", name);
				goto fail;
			}
			k->e = ne;
		}
		e = &k->e[k->n++];
		memset(e, 0, sizeof(*e));
		memcpy(e->pattern, a, (size_t)(b - a));
		memcpy(e->reason, r, (size_t)(end - r));
		e->line = line;
	}
	return 0;
fail:
	apsim_known_free(k);
	return -1;
}

const struct apsim_known_entry *apsim_known_match(struct apsim_known *k, const char *sig)
{
	for (int i = 0; k && i < k->n; i++)
		if (apsim_known_glob(k->e[i].pattern, sig)) {
			k->e[i].hits++;
			return &k->e[i];
		}
	return NULL;
}

void apsim_known_free(struct apsim_known *k)
{
	free(k->e);
	k->e = NULL;
	k->n = 0;
}
