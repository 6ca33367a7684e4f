/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/lib.c - kernel library routines for the shim.
 *
 * Owns: the kernel formatter (shim_vsnprintf: libc conversions plus the
 * kernel %p extensions, printed deterministically - never a pointer value),
 * the sprintf family with kernel semantics, sysfs_emit, kstrto* /
 * simple_strto*, string helpers (strscpy, sysfs_streq, ...), uuid/guid
 * helpers, user copies with failure injection, and the timer list.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/uuid.h>
#include <linux/uaccess.h>
#include <linux/timer.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ formatter */

struct outbuf {
	char *buf;
	size_t size;
	size_t len;		/* would-be length */
};

static void out_str(struct outbuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
}

static void out_fmt(struct outbuf *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sim_vfmt(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		out_str(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void out_uuid(struct outbuf *o, const u8 *b, bool le, bool upper)
{
	static const int be_idx[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	static const int le_idx[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	const int *idx = le ? le_idx : be_idx;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out_str(o, "-", 1);
		out_fmt(o, upper ? "%02X" : "%02x", b[idx[i]]);
	}
}

/* Kernel %p extensions; *pf points after 'p'.  Never prints an address. */
static void out_pointer(struct outbuf *o, const char **pf, const void *ptr, int width)
{
	const char *f = *pf;

	switch (*f) {
	case 'a': {		/* %pa[dp]: phys_addr_t / dma_addr_t by reference */
		u64 v = 0;

		f++;
		if (*f == 'd' || *f == 'p')
			f++;
		if (ptr)
			v = *(const u64 *)ptr;
		out_fmt(o, "0x%016llx", (unsigned long long)v);
		break;
	}
	case 'U': {		/* %pU[bBlL] */
		bool le = false, upper = false;

		f++;
		if (*f == 'b' || *f == 'B' || *f == 'l' || *f == 'L') {
			le = *f == 'l' || *f == 'L';
			upper = *f == 'B' || *f == 'L';
			f++;
		}
		if (ptr)
			out_uuid(o, ptr, le, upper);
		else
			out_str(o, "(null)", 6);
		break;
	}
	case 'b': {		/* %*pb / %*pbl: bitmap of `width` bits */
		const unsigned long *m = ptr;
		bool list = f[1] == 'l';
		int nbits = width > 0 ? width : 0;

		f += list ? 2 : 1;
		if (!m)
			break;
		if (list) {
			bool first = true;

			for (int i = 0; i < nbits; i++) {
				int j;

				if (!test_bit(i, m))
					continue;
				for (j = i; j + 1 < nbits && test_bit(j + 1, m); j++)
					;
				if (!first)
					out_str(o, ",", 1);
				first = false;
				if (j > i)
					out_fmt(o, "%d-%d", i, j);
				else
					out_fmt(o, "%d", i);
				i = j;
			}
		} else {
			int nwords = (nbits + 31) / 32;
			bool first = true;

			for (int w = nwords - 1; w >= 0; w--) {
				u32 v = (u32)(m[w / 2] >> ((w % 2) * 32));
				int bits = (w == nwords - 1 && nbits % 32) ? nbits % 32 : 32;

				if (bits < 32)
					v &= (1U << bits) - 1;
				if (!first)
					out_str(o, ",", 1);
				out_fmt(o, first && bits < 32 ? "%0*x" : "%08x",
					first && bits < 32 ? (bits + 3) / 4 : v, v);
				first = false;
			}
		}
		break;
	}
	case 'e':		/* %pe: error pointer */
		f++;
		out_fmt(o, "%ld", (long)(intptr_t)ptr);
		break;
	case 'S': case 's': case 'F': case 'f': case 'B':
		f++;
		while (*f == 'R' || *f == 'b')
			f++;
		out_str(o, "?", 1);
		break;
	default:
		while (isalnum((unsigned char)*f) && (*f == 'K' || *f == 'x' || *f == 'X'))
			f++;
		out_str(o, ptr ? "(ptrval)" : "(null)", ptr ? 8 : 6);
		break;
	}
	*pf = f;
}

/*
 * A %s argument as the kernel's string() and check_pointer_msg()
 * (lib/vsprintf.c) take it: NULL prints "(null)", an address in the first
 * page or an error pointer "(efault)", and every other string is read byte
 * by byte up to its NUL or the precision, in code that KASAN instruments
 * (this file is): printing a freed or overrun string is a KASAN report, as
 * in the kernel, before libc's formatter reads it unchecked.
 */
static const char *string_arg(const char *s, int prec)
{
	if (!s)
		return "(null)";
	if ((unsigned long)s < PAGE_SIZE || IS_ERR(s))
		return "(efault)";
	for (int i = 0; prec < 0 || i < prec; i++)
		if (!((const volatile char *)s)[i])
			break;
	return s;
}

/*
 * A format of numbers and characters only (flags 0 and -, a width, the
 * lengths h, hh, l, ll, z; d i u x X c; %%): the kernel's output is the C
 * library's, so the whole format goes to sim_vfmt at once (vsnprintf's output,
 * cheaper) instead of one conversion at a time: AP queue names
 * ("%02x.%04x") and the matrix shows were ~2 % of a generated world's
 * instructions.  The text is then stored as on the path below, so an
 * overflowing sprintf is still a shadow finding.  Strings stay on the
 * path below (string_arg reads them through the shadow checks), as do
 * pointers, '*' and precisions.
 */
static bool plain_numeric(const char *fmt)
{
	for (const char *p = strchr(fmt, '%'); p; p = strchr(p, '%')) {
		p++;
		if (*p == '%') {
			p++;
			continue;
		}
		while (*p == '0' || *p == '-')
			p++;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p == 'h') {
			p += p[1] == 'h' ? 2 : 1;
		} else if (*p == 'l') {
			p += p[1] == 'l' ? 2 : 1;
		} else if (*p == 'z') {
			p++;
		}
		if (!*p || !strchr("diuxXc", *p))
			return false;
		p++;
	}
	return true;
}

int shim_vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct outbuf o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, args);
	if (plain_numeric(fmt)) {
		char tmp[256];
		va_list aq;
		int n;

		va_copy(aq, ap);
		n = sim_vfmt(tmp, sizeof(tmp), fmt, aq);
		va_end(aq);
		if (n >= 0 && (size_t)n < sizeof(tmp)) {
			/* written as below, byte by byte through the shadow
			 * checks (an unbounded sprintf past its buffer) */
			out_str(&o, tmp, (size_t)n);
			fmt += strlen(fmt);	/* done: the loop below has nothing left */
		}
	}
	while (*fmt) {
		char spec[32];
		size_t sl = 0;
		int width = -1, prec = -1;
		int lmod = 0;	/* 0 none, 1 h, 2 hh, 3 l, 4 ll, 5 z, 6 t, 7 j, 8 L */
		const char *start;

		if (*fmt != '%') {
			const char *p = strchr(fmt, '%');
			size_t n = p ? (size_t)(p - fmt) : strlen(fmt);

			out_str(&o, fmt, n);
			fmt += n;
			continue;
		}
		start = fmt++;
		if (*fmt == '%') {
			out_str(&o, "%", 1);
			fmt++;
			continue;
		}
		spec[sl++] = '%';
		while (*fmt && strchr("-+ #0", *fmt) && sl < 8)
			spec[sl++] = *fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
			sl += snprintf(spec + sl, sizeof(spec) - sl, "%d", width);
		} else {
			while (isdigit((unsigned char)*fmt) && sl < 16)
				spec[sl++] = *fmt++;
		}
		if (*fmt == '.') {
			spec[sl++] = *fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
				sl += snprintf(spec + sl, sizeof(spec) - sl, "%d", prec);
			} else {
				prec = 0;
				while (isdigit((unsigned char)*fmt) && sl < 24) {
					prec = prec * 10 + (*fmt - '0');
					spec[sl++] = *fmt++;
				}
			}
		}
		if (*fmt == 'h') {
			lmod = 1;
			spec[sl++] = *fmt++;
			if (*fmt == 'h') {
				lmod = 2;
				spec[sl++] = *fmt++;
			}
		} else if (*fmt == 'l') {
			lmod = 3;
			spec[sl++] = *fmt++;
			if (*fmt == 'l') {
				lmod = 4;
				spec[sl++] = *fmt++;
			}
		} else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j' || *fmt == 'L' ||
			   *fmt == 'q') {
			lmod = *fmt == 'z' ? 5 : *fmt == 't' ? 6 : *fmt == 'j' ? 7 : 8;
			spec[sl++] = *fmt == 'q' ? 'L' : *fmt;
			if (*fmt == 'q' || *fmt == 'L') {
				spec[sl - 1] = 'l';
				spec[sl++] = 'l';
			}
			fmt++;
		}
		if (!*fmt) {
			out_str(&o, start, strlen(start));
			break;
		}
		spec[sl++] = *fmt;
		spec[sl] = 0;
		switch (*fmt++) {
		case 'd': case 'i': {
			long long v;

			if (lmod == 4 || lmod == 8)
				v = va_arg(ap, long long);
			else if (lmod >= 3)
				v = va_arg(ap, long);
			else
				v = va_arg(ap, int);
			if (lmod == 4 || lmod == 8)
				out_fmt(&o, spec, v);
			else if (lmod >= 3)
				out_fmt(&o, spec, (long)v);
			else
				out_fmt(&o, spec, (int)v);
			break;
		}
		case 'u': case 'x': case 'X': case 'o': {
			if (lmod == 4 || lmod == 8)
				out_fmt(&o, spec, va_arg(ap, unsigned long long));
			else if (lmod >= 3)
				out_fmt(&o, spec, va_arg(ap, unsigned long));
			else
				out_fmt(&o, spec, va_arg(ap, unsigned int));
			break;
		}
		case 'c':
			out_fmt(&o, spec, va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			out_fmt(&o, spec, string_arg(s, prec));
			break;
		}
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
			out_fmt(&o, spec, va_arg(ap, double));
			break;
		case 'p': {
			const void *p = va_arg(ap, const void *);

			out_pointer(&o, &fmt, p, width);
			break;
		}
		case 'n':
			(void)va_arg(ap, void *);
			break;
		default:
			out_str(&o, start, (size_t)(fmt - start));
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int shim_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = shim_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int shim_sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = shim_vsnprintf(buf, INT_MAX, fmt, ap);
	va_end(ap);
	return n;
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	int n;

	if (!size)
		return 0;
	n = shim_vsnprintf(buf, size, fmt, args);
	return (size_t)n < size ? n : (int)size - 1;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

char *kasprintf(gfp_t gfp, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = shim_vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = shim_kmalloc(n + 1, gfp, SIM_SITE);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	shim_vsnprintf(p, n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int sysfs_emit(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (WARN(!buf || ((uintptr_t)buf & (PAGE_SIZE - 1)), "invalid sysfs_emit: buf not page aligned\n"))
		return 0;
	va_start(ap, fmt);
	n = vscnprintf(buf, PAGE_SIZE, fmt, ap);
	va_end(ap);
	return n;
}

int sysfs_emit_at(char *buf, int at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (WARN(!buf || ((uintptr_t)buf & (PAGE_SIZE - 1)) || at < 0 || at >= (int)PAGE_SIZE,
		 "invalid sysfs_emit_at: at=%d\n", at))
		return 0;
	va_start(ap, fmt);
	n = vscnprintf(buf + at, PAGE_SIZE - at, fmt, ap);
	va_end(ap);
	return n;
}

/* --------------------------------------------------------------- kstrto */

static const char *fixup_radix(const char *s, unsigned int *base)
{
	if (*base == 0) {
		if (s[0] == '0') {
			if (_tolower(s[1]) == 'x' && isxdigit((unsigned char)s[2]))
				*base = 16;
			else
				*base = 8;
		} else {
			*base = 10;
		}
	}
	if (*base == 16 && s[0] == '0' && _tolower(s[1]) == 'x')
		s += 2;
	return s;
}

/* Parse digits; returns chars consumed (0 = none), *overflow set. */
static size_t parse_integer(const char *s, unsigned int base, unsigned long long *p,
			    bool *overflow)
{
	unsigned long long res = 0;
	size_t n = 0;

	*overflow = false;
	for (;; s++, n++) {
		unsigned int c = (unsigned char)*s, val;

		if (c >= '0' && c <= '9')
			val = c - '0';
		else if (_tolower(c) >= 'a' && _tolower(c) <= 'f')
			val = _tolower(c) - 'a' + 10;
		else
			break;
		if (val >= base)
			break;
		if (res > (ULLONG_MAX - val) / base)
			*overflow = true;
		res = res * base + val;
	}
	*p = res;
	return n;
}

static int _kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long v;
	bool ovf;
	size_t n;

	s = fixup_radix(s, &base);
	n = parse_integer(s, base, &v, &ovf);
	if (!n)
		return -EINVAL;
	if (ovf)
		return -ERANGE;
	s += n;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = v;
	return 0;
}

int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	if (s[0] == '+')
		s++;
	return _kstrtoull(s, base, res);
}

int kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long t;
	int rv;

	if (s[0] == '-') {
		rv = _kstrtoull(s + 1, base, &t);
		if (rv < 0)
			return rv;
		if ((long long)-t > 0)
			return -ERANGE;
		*res = -t;
	} else {
		rv = kstrtoull(s, base, &t);
		if (rv < 0)
			return rv;
		if ((long long)t < 0)
			return -ERANGE;
		*res = t;
	}
	return 0;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long t;
	int rv = kstrtoull(s, base, &t);

	if (rv < 0)
		return rv;
	if (t != (unsigned long)t)
		return -ERANGE;
	*res = t;
	return 0;
}

int kstrtol(const char *s, unsigned int base, long *res)
{
	long long t;
	int rv = kstrtoll(s, base, &t);

	if (rv < 0)
		return rv;
	if (t != (long)t)
		return -ERANGE;
	*res = t;
	return 0;
}

#define KSTRTO_NARROW(name, type, wide, wfn, lo, hi)			\
int name(const char *s, unsigned int base, type *res)			\
{									\
	wide t;								\
	int rv = wfn(s, base, &t);					\
									\
	if (rv < 0)							\
		return rv;						\
	if (t < (wide)(lo) || t > (wide)(hi))				\
		return -ERANGE;						\
	*res = (type)t;							\
	return 0;							\
}
KSTRTO_NARROW(kstrtouint, unsigned int, unsigned long long, kstrtoull, 0, UINT_MAX)
KSTRTO_NARROW(kstrtoint, int, long long, kstrtoll, INT_MIN, INT_MAX)
KSTRTO_NARROW(kstrtou16, u16, unsigned long long, kstrtoull, 0, 0xffff)
KSTRTO_NARROW(kstrtos16, s16, long long, kstrtoll, -32768, 32767)
KSTRTO_NARROW(kstrtou8, u8, unsigned long long, kstrtoull, 0, 0xff)
KSTRTO_NARROW(kstrtos8, s8, long long, kstrtoll, -128, 127)

int kstrtobool(const char *s, bool *res)
{
	if (!s)
		return -EINVAL;
	switch (s[0]) {
	case 'y': case 'Y': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case '0':
		*res = false;
		return 0;
	case 'o': case 'O':
		switch (s[1]) {
		case 'n': case 'N':
			*res = true;
			return 0;
		case 'f': case 'F':
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

unsigned long long simple_strtoull(const char *cp, char **endp, unsigned int base)
{
	unsigned long long v;
	bool ovf;
	size_t n;

	cp = fixup_radix(cp, &base);
	n = parse_integer(cp, base, &v, &ovf);
	if (endp)
		*endp = (char *)cp + n;
	return v;
}

unsigned long simple_strtoul(const char *cp, char **endp, unsigned int base)
{
	return simple_strtoull(cp, endp, base);
}

long simple_strtol(const char *cp, char **endp, unsigned int base)
{
	if (*cp == '-')
		return -(long)simple_strtoull(cp + 1, endp, base);
	return simple_strtoull(cp, endp, base);
}

/* --------------------------------------------------------------- strings */

ssize_t strscpy(char *dest, const char *src, size_t count)
{
	size_t n;

	if (!count)
		return -E2BIG;
	n = strnlen(src, count);
	if (n == count) {
		memcpy(dest, src, count - 1);
		dest[count - 1] = 0;
		return -E2BIG;
	}
	memcpy(dest, src, n + 1);
	return n;
}

bool sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	if (*s1 == '\n' && !s1[1] && !*s2)
		return true;
	return false;
}

int match_string(const char *const *array, size_t n, const char *string)
{
	for (size_t i = 0; i < n; i++) {
		if (!array[i])
			break;
		if (!strcmp(array[i], string))
			return (int)i;
	}
	return -EINVAL;
}

char *skip_spaces(const char *str)
{
	while (isspace((unsigned char)*str))
		str++;
	return (char *)str;
}

char *strim(char *s)
{
	size_t size = strlen(s);
	char *end;

	if (!size)
		return s;
	end = s + size - 1;
	while (end >= s && isspace((unsigned char)*end))
		end--;
	end[1] = 0;
	return skip_spaces(s);
}

/* ------------------------------------------------------------------ uuid */

const char hex_asc[] = "0123456789abcdef";

static void hex_bytes(const u8 *b, const int *idx, char *out)
{
	int o = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex_asc_hi(b[idx[i]]);
		out[o++] = hex_asc_lo(b[idx[i]]);
	}
	out[o] = 0;
}

static const int guid_index[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
static const int uuid_index[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

void shim_guid_to_str(const guid_t *g, char *out)
{
	hex_bytes(g->b, guid_index, out);
}

void shim_uuid_to_str(const uuid_t *u, char *out)
{
	hex_bytes(u->b, uuid_index, out);
}

bool uuid_is_valid(const char *uuid)
{
	for (int i = 0; i < UUID_STRING_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (uuid[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)uuid[i])) {
			return false;
		}
	}
	return true;
}

int hex_to_bin(unsigned char c)
{
	int ch = c;

	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = _tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static int parse_uuid(const char *s, u8 *b, const int *idx)
{
	static const int pos[16] = { 0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34 };

	if (!uuid_is_valid(s))
		return -EINVAL;
	for (int i = 0; i < 16; i++) {
		int hi = hex_to_bin(s[pos[i]]), lo = hex_to_bin(s[pos[i] + 1]);

		b[idx[i]] = (u8)(hi << 4 | lo);
	}
	return 0;
}

int guid_parse(const char *uuid, guid_t *g)
{
	return parse_uuid(uuid, g->b, guid_index);
}

int uuid_parse(const char *uuid, uuid_t *u)
{
	return parse_uuid(uuid, u->b, uuid_index);
}

void shim_guid_from_index(int index, guid_t *g)
{
	/* text form: 0000000N-5a5a-4000-8000-0000000000NN (version 4, variant 1) */
	u32 a = (u32)index;

	memset(g, 0, sizeof(*g));
	g->b[0] = a & 0xff;
	g->b[1] = (a >> 8) & 0xff;
	g->b[2] = (a >> 16) & 0xff;
	g->b[3] = (a >> 24) & 0xff;
	g->b[4] = 0x5a;
	g->b[5] = 0x5a;
	g->b[6] = 0x00;
	g->b[7] = 0x40;
	g->b[8] = 0x80;
	g->b[15] = a & 0xff;
}

/* --------------------------------------------------------------- uaccess */

static bool ua_on;
static int ua_nth, ua_seen;

void shim_uaccess_fail_set(int nth)
{
	ua_on = nth >= 0;
	ua_nth = nth;
	ua_seen = 0;
}

static bool ua_fail(const void *user)
{
	if ((uintptr_t)user < PAGE_SIZE)
		return true;
	if (!ua_on)
		return false;
	ua_seen++;
	return ua_nth == 0 || ua_seen == ua_nth;
}

unsigned long shim_copy_from_user(void *to, const void __user *from, unsigned long n)
{
	might_sleep();
	if (ua_fail(from))
		return n;
	memcpy(to, from, n);
	return 0;
}

unsigned long shim_copy_to_user(void __user *to, const void *from, unsigned long n)
{
	might_sleep();
	if (ua_fail(to))
		return n;
	memcpy(to, from, n);
	return 0;
}

/* ---------------------------------------------------------------- timers */

static LIST_HEAD(timers);

void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), unsigned int flags)
{
	INIT_LIST_HEAD(&t->entry);
	t->function = fn;
	t->flags = flags;
	t->pending = false;
}

int mod_timer(struct timer_list *t, unsigned long expires)
{
	int was = t->pending;

	if (t->pending)
		list_del_init(&t->entry);
	t->expires = expires;
	t->pending = true;
	list_add_tail(&t->entry, &timers);
	return was;
}

void add_timer(struct timer_list *t)
{
	mod_timer(t, t->expires);
}

int del_timer(struct timer_list *t)
{
	int was = t->pending;

	if (t->pending)
		list_del_init(&t->entry);
	t->pending = false;
	return was;
}

int shim_timers_fire_expired(void)
{
	int n = 0;
	bool again = true;

	while (again) {
		struct timer_list *t;

		again = false;
		list_for_each_entry(t, &timers, entry) {
			if (time_after_eq(jiffies, t->expires)) {
				del_timer(t);
				t->function(t);
				n++;
				again = true;
				break;
			}
		}
	}
	return n;
}

void shim_lib_reset(void)
{
	INIT_LIST_HEAD(&timers);
	ua_on = false;
}

#ifdef APSIM_KASAN
/* KASAN-checked mem* for the driver (linux/string.h maps them here). */
#define KASAN_PC() ((uintptr_t)__builtin_return_address(0) - 1)

void *shim_kasan_memcpy(void *dest, const void *src, size_t n)
{
	if (sim_shadow_check(src, n, false, KASAN_PC()) &&
	    sim_shadow_check(dest, n, true, KASAN_PC()))
		memcpy(dest, src, n);
	return dest;
}

void *shim_kasan_memmove(void *dest, const void *src, size_t n)
{
	if (sim_shadow_check(src, n, false, KASAN_PC()) &&
	    sim_shadow_check(dest, n, true, KASAN_PC()))
		memmove(dest, src, n);
	return dest;
}

void *shim_kasan_memset(void *s, int c, size_t n)
{
	if (sim_shadow_check(s, n, true, KASAN_PC()))
		memset(s, c, n);
	return s;
}
#endif
