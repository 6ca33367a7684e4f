/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/hashtable.h (apsim shim) - fixed-size hashtables of hlists.
 */
#ifndef _APSIM_LINUX_HASHTABLE_H
#define _APSIM_LINUX_HASHTABLE_H

#include <linux/list.h>
#include <linux/hash.h>
#include <linux/kernel.h>

/*
 * A table of 2^bits buckets carries, after its buckets, one bit per bucket
 * (in trailing hlist_head-sized words, so DECLARE_HASHTABLE stays one
 * declarator and `extern DECLARE_HASHTABLE(...)` still works): set by
 * hash_add, cleared only by hash_init.  The set is a superset of the
 * buckets that hold an entry (hash_del has no table to clear a bit in).
 * hash_for_each visits the buckets in the kernel's order but skips those
 * never added to, instead of loading all 256 heads of the driver's queue
 * tables (each load shadow-checked: 5 % of an execution).  Nothing else
 * changes: the same entries in the same order, and no store while walking.
 */
#define __APSIM_HT_WORDS(n)  (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DEFINE_HASHTABLE(name, bits) \
	struct hlist_head name[(1 << (bits)) + __APSIM_HT_WORDS(1 << (bits))] = \
		{ [0 ... ((1 << (bits)) - 1)] = HLIST_HEAD_INIT }
#define DECLARE_HASHTABLE(name, bits) \
	struct hlist_head name[(1 << (bits)) + __APSIM_HT_WORDS(1 << (bits))]
/* n buckets + ceil(n/64) words: n = floor(total * 64 / 65) for n >= 1 */
#define __APSIM_HT_N(total) ((total) - __APSIM_HT_WORDS((total) * BITS_PER_LONG / (BITS_PER_LONG + 1)))
#define HASH_SIZE(name) (__APSIM_HT_N(ARRAY_SIZE(name)))
#define HASH_BITS(name) (__builtin_ctz(HASH_SIZE(name)))
#define __apsim_ht_occ(name) ((unsigned long *)&(name)[HASH_SIZE(name)])
#define hash_min(val, bits) \
	(sizeof(val) <= 4 ? hash_32((u32)(val), bits) : hash_long(val, bits))

static inline void __hash_init(struct hlist_head *ht, unsigned int sz)
{
	for (unsigned int i = 0; i < sz; i++)
		INIT_HLIST_HEAD(&ht[i]);
	for (unsigned int i = 0; i < __APSIM_HT_WORDS(sz); i++)
		((unsigned long *)&ht[sz])[i] = 0;
}
#define hash_init(table) __hash_init(table, HASH_SIZE(table))

#define hash_add(table, node, key) do {					\
		unsigned int __bkt = hash_min(key, HASH_BITS(table));	\
		__apsim_ht_occ(table)[__bkt / BITS_PER_LONG] |= 1UL << (__bkt % BITS_PER_LONG); \
		hlist_add_head(node, &(table)[__bkt]);			\
	} while (0)
static inline bool hash_hashed(struct hlist_node *node)
{
	return !hlist_unhashed(node);
}

/* The first bucket at or after bkt that was added to since hash_init; sz if none. */
static inline unsigned int __apsim_ht_next(const unsigned long *occ, unsigned int sz,
					   unsigned int bkt)
{
	while (bkt < sz) {
		unsigned long w = occ[bkt / BITS_PER_LONG] >> (bkt % BITS_PER_LONG);

		if (w)
			return bkt + (unsigned int)__builtin_ctzl(w);
		bkt = (bkt / BITS_PER_LONG + 1) * BITS_PER_LONG;
	}
	return sz;
}
static inline bool __hash_empty(struct hlist_head *ht, unsigned int sz)
{
	const unsigned long *occ = (const unsigned long *)&ht[sz];

	for (unsigned int i = __apsim_ht_next(occ, sz, 0); i < sz;
	     i = __apsim_ht_next(occ, sz, i + 1))
		if (!hlist_empty(&ht[i]))
			return false;
	return true;
}
#define hash_empty(table) __hash_empty(table, HASH_SIZE(table))
static inline void hash_del(struct hlist_node *node)
{
	hlist_del_init(node);
}
/* The buckets added to, in order, until a walk of one stops early (obj
 * left non-NULL by a break), as the kernel's loop over every bucket. */
#define __apsim_ht_for_buckets(name, bkt, obj)				\
	for ((bkt) = __apsim_ht_next(__apsim_ht_occ(name), HASH_SIZE(name), 0), obj = NULL; \
	     obj == NULL && (bkt) < HASH_SIZE(name);			\
	     (bkt) = __apsim_ht_next(__apsim_ht_occ(name), HASH_SIZE(name), (bkt) + 1))
#define hash_for_each(name, bkt, obj, member)				\
	__apsim_ht_for_buckets(name, bkt, obj)				\
		hlist_for_each_entry(obj, &name[bkt], member)
#define hash_for_each_safe(name, bkt, tmp, obj, member)			\
	__apsim_ht_for_buckets(name, bkt, obj)				\
		hlist_for_each_entry_safe(obj, tmp, &name[bkt], member)
#define hash_for_each_possible(name, obj, member, key)			\
	hlist_for_each_entry(obj, &name[hash_min(key, HASH_BITS(name))], member)

#endif
