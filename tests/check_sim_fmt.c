/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_sim_fmt.c - sim_fmt (sim/fmt.c) against the C library's
 * snprintf: the same text and the same return value for every format the
 * fast path handles (and for formats it hands on), every value class
 * (0, extremes, negatives), and every buffer length from 0 up to past the
 * text (truncation).  The trace notes are formatted with it, so a
 * difference would change traces.
 */
#include "check_util.h"

#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <wchar.h>

static const char *volatile null_str;	/* NULL, unknown to the compiler */

/* sim_fmt and snprintf on every buffer length 0..len(text)+2 */
static void same(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void same(const char *fmt, ...)
{
	char want[512], got[512];
	va_list ap, aq;
	int nw, ng;

	va_start(ap, fmt);
	va_copy(aq, ap);
	nw = vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	ck_assert_int_ge(nw, 0);
	ck_assert_int_lt(nw, (int)sizeof(want) - 3);
	for (size_t len = 0; len <= (size_t)nw + 2; len++) {
		char w2[512];
		va_list a2, a3;

		memset(got, 0x5a, sizeof(got));
		memset(w2, 0x5a, sizeof(w2));
		va_copy(a2, aq);
		va_copy(a3, aq);
		ng = sim_vfmt(len ? got : NULL, len, fmt, a2);
		vsnprintf(len ? w2 : NULL, len, fmt, a3);
		va_end(a2);
		va_end(a3);
		ck_assert_msg(ng == nw, "\"%s\": returned %d, snprintf %d", fmt, ng, nw);
		ck_assert_msg(!memcmp(got, w2, len + 1), "\"%s\" len %zu: \"%.*s\" vs \"%.*s\"", fmt,
			      len, (int)len, got, (int)len, w2);
	}
	va_end(aq);
}

START_TEST(fast_conversions_match_snprintf)
{
	same("plain text");
	same("%%");
	same("100%% done %s", "x");
	same("queue_work %s on %s", "vfio_ap_mdev_reset_queue_work", "events");
	same("work %s start", "w");
	same("%s", "");
	same("[%8s|%3s|%1s]", "ab", "abcdef", "");
	same("%c%c%3c|", 'a', 0x7f, 'z');
	same("m%d: release deferred", 3);
	same("ap: attaching queue %02x.%04x failed", 0x3d, 0x1a);
	same("%d %d %d %d", 0, -1, INT_MAX, INT_MIN);
	same("%i|%5d|%05d|%2d", -42, -42, -42, 12345);
	same("%u %u %x %X %08x %8X", 0u, UINT_MAX, 0xdeadbeefu, 0xabcu, 0x1fu, 0xffu);
	same("%ld %lu %lx %lld %llu %llx", LONG_MIN, ULONG_MAX, 0x123456789abcdefUL,
	     LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ULL);
	same("%zu %zd %zx", (size_t)-1, (ssize_t)-5, (size_t)4096);
	same("%hd %hu %hhd %hhu %hx %hhx", -70000, 70000, 300, 300, 0x12345, 0x1ff);
	same("%010d|%010ld|%3u|%03u", -123, 9876543210L, 123456u, 5u);
	same("%s = %s", "assign_adapter m0 5", "-EBUSY (-16)");
}
END_TEST

/* formats the fast path hands to vsnprintf: the same output all the same */
START_TEST(other_formats_match_snprintf)
{
	same("%-8s|%+d|% d|%#x|%.3s|%*d|%p", "ab", 5, 5, 255, "abcdef", 4, 9, (void *)0x1000);
	same("%s %d %s", "a", 1, null_str);
	same("%5.2f %e %g", 3.14159, 1e10, 0.5);
	same("%lc%ls", (wint_t)'x', L"wide");
	same("%8.3d|%-5d|", 42, 42);
	same("%jd %td", (intmax_t)-1, (ptrdiff_t)-2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("fmt");

	tcase_add_test(tc, fast_conversions_match_snprintf);
	tcase_add_test(tc, other_formats_match_snprintf);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
