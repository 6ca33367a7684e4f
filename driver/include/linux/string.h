/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/string.h (apsim shim) - mem/str functions.  The libc ones are
 * declared with libc-identical prototypes (so a shim .c may include both)
 * and resolve to libc at link time; the kernel-only ones (strscpy,
 * sysfs_streq, kstrdup, kmemdup ...) live in driver/kernel/lib.c and slab.c.
 */
#ifndef _APSIM_LINUX_STRING_H
#define _APSIM_LINUX_STRING_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/compiler.h>

#ifdef APSIM_FREESTANDING
void *memcpy(void *__restrict dest, const void *__restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
char *strcpy(char *__restrict dest, const char *__restrict src);
char *strncpy(char *__restrict dest, const char *__restrict src, size_t n);
char *strcat(char *__restrict dest, const char *__restrict src);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *h, const char *n);
char *strsep(char **__restrict sp, const char *__restrict delim);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
#else
#include <string.h>
#endif

#if defined(APSIM_FREESTANDING) && defined(APSIM_KASAN)
/* As KASAN's: the driver's mem* calls check both ranges (driver/kernel/lib.c). */
void *shim_kasan_memcpy(void *dest, const void *src, size_t n);
void *shim_kasan_memmove(void *dest, const void *src, size_t n);
void *shim_kasan_memset(void *s, int c, size_t n);
#define memcpy(d, s, n)		shim_kasan_memcpy(d, s, n)
#define memmove(d, s, n)	shim_kasan_memmove(d, s, n)
#define memset(s, c, n)		shim_kasan_memset(s, c, n)
#endif

ssize_t strscpy(char *dest, const char *src, size_t count);
bool sysfs_streq(const char *s1, const char *s2);
int match_string(const char *const *array, size_t n, const char *string);
char *strim(char *s);
char *skip_spaces(const char *str);
#define strstrip strim

/* Allocation helpers, defined with the slab (site-recording macros). */
#include <linux/slab.h>

#endif
