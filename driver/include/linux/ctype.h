/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/ctype.h (apsim shim) - ASCII classification.  Freestanding (the
 * driver): own inline functions; with libc: libc's <ctype.h> (the same
 * results in the "C" locale, and no clash with its declarations).
 */
#ifndef _APSIM_LINUX_CTYPE_H
#define _APSIM_LINUX_CTYPE_H

#ifdef APSIM_FREESTANDING
static inline int isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline int islower(int c) { return c >= 'a' && c <= 'z'; }
static inline int isalpha(int c) { return isupper(c) || islower(c); }
static inline int isalnum(int c) { return isalpha(c) || isdigit(c); }
static inline int isxdigit(int c)
{
	return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline int isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}
static inline int isprint(int c) { return c >= 0x20 && c < 0x7f; }
static inline int ispunct(int c) { return isprint(c) && !isalnum(c) && c != ' '; }
static inline int iscntrl(int c) { return (c >= 0 && c < 0x20) || c == 0x7f; }
static inline int tolower(int c) { return isupper(c) ? c - 'A' + 'a' : c; }
static inline int toupper(int c) { return islower(c) ? c - 'a' + 'A' : c; }
#else
#include <ctype.h>
#endif

#ifndef _tolower
static inline char _tolower(const char c) { return c | 0x20; }
#endif
static inline int isodigit(const char c) { return c >= '0' && c <= '7'; }

#endif
