/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/fmt.c - the trace notes' formatter: vsnprintf's output, cheaper.
 *
 * Owns: sim_vfmt() and sim_fmt().  Trace notes are formatted eagerly at
 * every traced event (`queue_work %s on %s`, `work %s start`, op results),
 * and glibc's vsnprintf costs ~600 instructions for a note of two `%s`
 * (the FILE machinery): 9 % of a 6.12 D2 execution.  This formatter writes
 * literal text and the common conversions itself - `%s`, `%c`, `%d` `%i`
 * `%u` `%x` `%X` with the `l`, `ll`, `z`, `h`, `hh` lengths, the `0` flag
 * and a field width, `%%` - and hands any other format to vsnprintf, so
 * the result is always vsnprintf's, byte for byte (tests/check_sim_fmt.c
 * compares them).
 */
#include <apsim/sim.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* Append n bytes of s to buf[*o] (room: len - 1 bytes of text in all). */
static inline void put(char *buf, size_t len, size_t *o, const char *s, size_t n)
{
	if (*o < len) {
		size_t room = len - 1 - *o;

		memcpy(buf + *o, s, n < room ? n : room);
	}
	*o += n;
}

/* The conversions handled here; false: leave the whole format to vsnprintf. */
static bool fmt_fast(char *buf, size_t len, size_t *out, const char *fmt, va_list ap)
{
	size_t o = 0;
	const char *p = fmt;

	while (*p) {
		const char *q = strchr(p, '%');
		char num[24], *e = num + sizeof(num), *d;
		bool zero = false, neg = false;
		int width = 0, lng = 0;
		unsigned long long v;
		unsigned base = 10;
		const char *digits = "0123456789abcdef";

		if (!q) {
			put(buf, len, &o, p, strlen(p));
			break;
		}
		put(buf, len, &o, p, (size_t)(q - p));
		p = q + 1;
		if (*p == '%') {
			put(buf, len, &o, "%", 1);
			p++;
			continue;
		}
		if (*p == '0') {
			zero = true;
			p++;
		}
		while (*p >= '0' && *p <= '9' && width < 1000)
			width = width * 10 + (*p++ - '0');
		if (*p == 'l') {
			lng = 1;
			if (*++p == 'l') {
				lng = 2;
				p++;
			}
		} else if (*p == 'z') {
			lng = 3;
			p++;
		} else if (*p == 'h') {
			lng = -1;
			if (*++p == 'h') {
				lng = -2;
				p++;
			}
		}
		switch (*p) {
		case 's': {
			const char *s;
			size_t n;

			if (lng || zero)
				return false;
			s = va_arg(ap, const char *);
			if (!s)
				return false;	/* "(null)": vsnprintf's business */
			n = strlen(s);
			for (size_t i = n; i < (size_t)width; i++)
				put(buf, len, &o, " ", 1);
			put(buf, len, &o, s, n);
			p++;
			continue;
		}
		case 'c': {
			char c;

			if (lng || zero)
				return false;
			c = (char)va_arg(ap, int);
			for (int i = 1; i < width; i++)
				put(buf, len, &o, " ", 1);
			put(buf, len, &o, &c, 1);
			p++;
			continue;
		}
		case 'd':
		case 'i': {
			long long sv = lng == 2 ? va_arg(ap, long long) :
				       lng == 1 ? va_arg(ap, long) :
				       lng == 3 ? (long long)va_arg(ap, ssize_t) : va_arg(ap, int);

			if (lng == -1)
				sv = (short)sv;
			else if (lng == -2)
				sv = (signed char)sv;
			neg = sv < 0;
			v = neg ? 0ULL - (unsigned long long)sv : (unsigned long long)sv;
			break;
		}
		case 'X':
			digits = "0123456789ABCDEF";
			/* fall through */
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			v = lng == 2 ? va_arg(ap, unsigned long long) :
			    lng == 1 ? va_arg(ap, unsigned long) :
			    lng == 3 ? va_arg(ap, size_t) : va_arg(ap, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng == -2)
				v = (unsigned char)v;
			break;
		default:
			return false;
		}
		p++;
		d = e;
		do {
			*--d = digits[v % base];
			v /= base;
		} while (v);
		{
			int nd = (int)(e - d) + neg;

			if (!zero)
				for (; nd < width; nd++)
					put(buf, len, &o, " ", 1);
			if (neg)
				put(buf, len, &o, "-", 1);
			if (zero)
				for (; nd < width; nd++)
					put(buf, len, &o, "0", 1);
		}
		put(buf, len, &o, d, (size_t)(e - d));
	}
	*out = o;
	return true;
}

int sim_vfmt(char *buf, size_t len, const char *fmt, va_list ap)
{
	va_list aq;
	size_t o;

	va_copy(aq, ap);
	if (fmt_fast(buf, len, &o, fmt, aq)) {
		va_end(aq);
		if (len)
			buf[o < len ? o : len - 1] = '\0';
		return o > (size_t)INT32_MAX ? -1 : (int)o;
	}
	va_end(aq);
	return vsnprintf(buf, len, fmt, ap);
}

int sim_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sim_vfmt(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
