/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/kref.h (apsim shim) - kref on refcount_t.
 */
#ifndef _APSIM_LINUX_KREF_H
#define _APSIM_LINUX_KREF_H

#include <linux/refcount.h>

struct kref {
	refcount_t refcount;
};
#define KREF_INIT(n) { .refcount = REFCOUNT_INIT(n) }
static inline void kref_init(struct kref *k) { refcount_set(&k->refcount, 1); }
static inline unsigned int kref_read(const struct kref *k) { return refcount_read(&k->refcount); }
#define kref_get(k) refcount_inc(&(k)->refcount)
#define kref_get_unless_zero(k) refcount_inc_not_zero(&(k)->refcount)
#define kref_put(k, release) ({						\
	struct kref *__k = (k);						\
	int __rel = 0;							\
	if (refcount_dec_and_test(&__k->refcount)) {			\
		(release)(__k);						\
		__rel = 1;						\
	}								\
	__rel; })
#define kref_put_mutex(k, release, lock) ({				\
	struct kref *__k = (k);						\
	int __rel = 0;							\
	mutex_lock(lock);						\
	if (refcount_dec_and_test(&__k->refcount)) {			\
		(release)(__k);						\
		__rel = 1;						\
	} else								\
		mutex_unlock(lock);					\
	__rel; })

#endif
