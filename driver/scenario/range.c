/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/scenario/range.c - id ranges on assign/unassign operations.
 *
 * Owns: the compact form for bulk work of docs/scenarios.md ("Ranges"):
 * `assign_adapter m0 0x00-0x3f` is one operation that the executor expands
 * into successive sysfs writes, one per id from low to high ("0x0", "0x1",
 * ... when the low bound is written in 0x hex, else "0", "1", ...).  The
 * op keeps the range text as written in op->str and op->range set; a bare
 * word of that shape on another op, or a quoted one, stays a literal string.
 * Which operations take ranges, the shape test shared by the parser and the
 * writer, and the strings of the successive writes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "driver/scenario/scenario.h"

bool apsim_op_takes_range(enum apsim_op_kind k)
{
	switch (k) {
	case APSIM_OP_ASSIGN_ADAPTER:
	case APSIM_OP_UNASSIGN_ADAPTER:
	case APSIM_OP_ASSIGN_DOMAIN:
	case APSIM_OP_UNASSIGN_DOMAIN:
	case APSIM_OP_ASSIGN_CONTROL_DOMAIN:
	case APSIM_OP_UNASSIGN_CONTROL_DOMAIN:
		return true;
	default:
		return false;
	}
}

/* One bound: decimal or 0x hex, 1..8 digits; -1 syntax, else the value. */
static long bound(const char *s, int n)
{
	long v = 0;
	int base = 10, i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= n || n - i > 8)
		return -1;
	for (; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		v = v * base + d;
	}
	return v;
}

int apsim_range_parse(const char *s, int n, int *lo, int *hi)
{
	const char *dash;
	long a, b;

	if (n < 3 || s[0] < '0' || s[0] > '9')
		return APSIM_RANGE_NONE;
	dash = memchr(s, '-', (size_t)n);
	if (!dash || dash + 1 >= s + n || dash[1] < '0' || dash[1] > '9' ||
	    memchr(dash + 1, '-', (size_t)(s + n - dash - 1)))
		return APSIM_RANGE_NONE;
	a = bound(s, (int)(dash - s));
	b = bound(dash + 1, (int)(s + n - dash - 1));
	if (a < 0 || b < 0 || a > 255 || b > 255)
		return APSIM_RANGE_BAD;
	if (b < a)
		return APSIM_RANGE_REVERSED;
	if (lo)
		*lo = (int)a;
	if (hi)
		*hi = (int)b;
	return APSIM_RANGE_OK;
}

int apsim_op_range_ids(const struct apsim_op *op, int *lo, int *hi)
{
	if (!op->range ||
	    apsim_range_parse(op->str, (int)strlen(op->str), lo, hi) != APSIM_RANGE_OK)
		return -1;
	return *hi - *lo + 1;
}

const char *apsim_op_range_str(const struct apsim_op *op, int id, char *buf, size_t len)
{
	bool hex = op->str[0] == '0' && (op->str[1] == 'x' || op->str[1] == 'X');

	snprintf(buf, len, hex ? "0x%x" : "%d", id);
	return buf;
}
