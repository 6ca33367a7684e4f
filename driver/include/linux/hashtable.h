/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/hashtable.h (apsim shim) - fixed-size hashtables of hlists.
 */
#ifndef _APSIM_LINUX_HASHTABLE_H
#define _APSIM_LINUX_HASHTABLE_H

#include <linux/list.h>
#include <linux/hash.h>
#include <linux/kernel.h>

#define DEFINE_HASHTABLE(name, bits) \
	struct hlist_head name[1 << (bits)] = { [0 ... ((1 << (bits)) - 1)] = HLIST_HEAD_INIT }
#define DECLARE_HASHTABLE(name, bits) struct hlist_head name[1 << (bits)]
#define HASH_SIZE(name) (ARRAY_SIZE(name))
#define HASH_BITS(name) (__builtin_ctz(HASH_SIZE(name)))
#define hash_min(val, bits) \
	(sizeof(val) <= 4 ? hash_32((u32)(val), bits) : hash_long(val, bits))

static inline void __hash_init(struct hlist_head *ht, unsigned int sz)
{
	for (unsigned int i = 0; i < sz; i++)
		INIT_HLIST_HEAD(&ht[i]);
}
#define hash_init(table) __hash_init(table, HASH_SIZE(table))
#define hash_add(table, node, key) \
	hlist_add_head(node, &table[hash_min(key, HASH_BITS(table))])
static inline bool hash_hashed(struct hlist_node *node)
{
	return !hlist_unhashed(node);
}
static inline bool __hash_empty(struct hlist_head *ht, unsigned int sz)
{
	for (unsigned int i = 0; i < sz; i++)
		if (!hlist_empty(&ht[i]))
			return false;
	return true;
}
#define hash_empty(table) __hash_empty(table, HASH_SIZE(table))
static inline void hash_del(struct hlist_node *node)
{
	hlist_del_init(node);
}
#define hash_for_each(name, bkt, obj, member)				\
	for ((bkt) = 0, obj = NULL; obj == NULL && (bkt) < HASH_SIZE(name); (bkt)++) \
		hlist_for_each_entry(obj, &name[bkt], member)
#define hash_for_each_safe(name, bkt, tmp, obj, member)			\
	for ((bkt) = 0, obj = NULL; obj == NULL && (bkt) < HASH_SIZE(name); (bkt)++) \
		hlist_for_each_entry_safe(obj, tmp, &name[bkt], member)
#define hash_for_each_possible(name, obj, member, key)			\
	hlist_for_each_entry(obj, &name[hash_min(key, HASH_BITS(name))], member)

#endif
