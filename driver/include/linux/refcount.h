/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/refcount.h (apsim shim) - refcount_t as an int, marked accesses
 * (decrements fully ordered for the race detector); an increment from zero
 * or a decrement below zero is a WARN finding (saturating: left at 0).
 */
#ifndef _APSIM_LINUX_REFCOUNT_H
#define _APSIM_LINUX_REFCOUNT_H

#include <linux/types.h>
#include <linux/bug.h>

typedef struct refcount_struct {
	int refs;
} refcount_t;

#define REFCOUNT_INIT(n) { .refs = (n) }
static inline void refcount_set(refcount_t *r, int n) { WRITE_ONCE(r->refs, n); }
static inline unsigned int refcount_read(const refcount_t *r) { return READ_ONCE(r->refs); }

#define refcount_inc(r) do {						\
	refcount_t *__r = (r);						\
	if (READ_ONCE(__r->refs) <= 0)					\
		shim_warn(SIM_SITE, "refcount_inc", "refcount_t: addition on 0; use-after-free.\n"); \
	else								\
		__apsim_marked_void(__r->refs++);			\
} while (0)
#define refcount_add(n, r) do { int __n = (n); while (__n-- > 0) refcount_inc(r); } while (0)
#define refcount_inc_not_zero(r) ({ refcount_t *__r = (r); \
	__apsim_marked(__r->refs > 0 ? (__r->refs++, true) : false); })
#define refcount_dec_and_test(r) ({					\
	refcount_t *__r = (r);						\
	bool __z = false;						\
	if (READ_ONCE(__r->refs) <= 0)					\
		shim_warn(SIM_SITE, "refcount_dec_and_test", "refcount_t: underflow; use-after-free.\n"); \
	else	/* release; acquire at 0 (fully ordered here) */	\
		__z = __apsim_ordered(&__r->refs, --__r->refs == 0);	\
	__z; })
#define refcount_dec(r) do {						\
	refcount_t *__r = (r);						\
	if (READ_ONCE(__r->refs) <= 1)					\
		shim_warn(SIM_SITE, "refcount_dec", "refcount_t: decrement hit 0; leaking memory.\n"); \
	if (READ_ONCE(__r->refs) > 0)					\
		__apsim_ordered(&__r->refs, __r->refs--);		\
} while (0)
#define refcount_sub_and_test(n, r) ({ int __n = (n); bool __z = false; \
	while (__n-- > 0) __z = refcount_dec_and_test(r); __z; })

#endif
