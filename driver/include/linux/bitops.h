/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/bitops.h (apsim shim) - bit operations over unsigned long words,
 * including s390's MSB0 "_inv" family: bit nr of an _inv bitmap is bit
 * (nr ^ (BITS_PER_LONG - 1)) of the kernel bitmap, i.e. bit 0 is the most
 * significant bit of word 0 (the architecture's numbering of AP masks).
 * Atomic variants are plain: one simulated thread runs at a time.
 */
#ifndef _APSIM_LINUX_BITOPS_H
#define _APSIM_LINUX_BITOPS_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/compiler.h>

/* The atomic ones are marked accesses for the race detector (the
 * value-returning ones fully ordered); the __ ones are plain, as in the
 * kernel. */
/* gcc's ASan checks an address once per function (a store after a load
 * of the same word is not checked again): the store of a read-modify-write
 * calls the store hook itself, so the race detector and the locking rules
 * see it as a store (it is checked after the store; the load before it
 * was checked). */
#ifdef APSIM_KASAN
void __asan_store8_noabort(void *addr);
#define __APSIM_STORED(p) __asan_store8_noabort((void *)(p))
#else
#define __APSIM_STORED(p) do { } while (0)
#endif
#define __APSIM_RMW(addr, nr, op) do {						\
	addr[BIT_WORD(nr)] = addr[BIT_WORD(nr)] op;				\
	__APSIM_STORED(&addr[BIT_WORD(nr)]);					\
} while (0)
static inline void __set_bit(unsigned long nr, volatile unsigned long *addr)
{
	__APSIM_RMW(addr, nr, | BIT_MASK(nr));
}
static inline void __clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	__APSIM_RMW(addr, nr, & ~BIT_MASK(nr));
}
static inline void __change_bit(unsigned long nr, volatile unsigned long *addr)
{
	__APSIM_RMW(addr, nr, ^ BIT_MASK(nr));
}
static inline bool __test_and_set_bit(unsigned long nr, volatile unsigned long *addr)
{
	bool old = (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)) & 1;

	__set_bit(nr, addr);
	return old;
}
static inline bool __test_and_clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	bool old = (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)) & 1;

	__clear_bit(nr, addr);
	return old;
}
static inline bool __apsim_test_bit(unsigned long nr, const volatile unsigned long *addr)
{
	return (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)) & 1;
}
#define set_bit(nr, addr) __apsim_marked_void(__set_bit(nr, addr))
#define clear_bit(nr, addr) __apsim_marked_void(__clear_bit(nr, addr))
#define change_bit(nr, addr) __apsim_marked_void(__change_bit(nr, addr))
#define test_bit(nr, addr) __apsim_marked(__apsim_test_bit(nr, addr))
#define test_and_set_bit(nr, addr) ({ volatile unsigned long *__ta = (addr); \
	__apsim_ordered(__ta, __test_and_set_bit(nr, __ta)); })
#define test_and_clear_bit(nr, addr) ({ volatile unsigned long *__ta = (addr); \
	__apsim_ordered(__ta, __test_and_clear_bit(nr, __ta)); })
#define clear_bit_unlock clear_bit
#define test_and_set_bit_lock test_and_set_bit

static inline unsigned long __ffs(unsigned long w) { return __builtin_ctzl(w); }
static inline unsigned long __fls(unsigned long w) { return BITS_PER_LONG - 1 - __builtin_clzl(w); }
static inline unsigned long ffz(unsigned long w) { return __ffs(~w); }
static inline int ffs(int x) { return __builtin_ffs(x); }
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline unsigned int hweight8(unsigned int w) { return __builtin_popcount(w & 0xff); }
static inline unsigned int hweight16(unsigned int w) { return __builtin_popcount(w & 0xffff); }
static inline unsigned int hweight32(unsigned int w) { return __builtin_popcount(w); }
static inline unsigned long hweight64(u64 w) { return __builtin_popcountll(w); }
static inline unsigned long hweight_long(unsigned long w) { return __builtin_popcountl(w); }

/* Find the next set (or clear) bit at or after `offset`; `size` if none. */
static inline unsigned long _find_next_bit_k(const unsigned long *addr, unsigned long size,
					     unsigned long offset, unsigned long invert)
{
	unsigned long w;

	if (offset >= size)
		return size;
	w = (addr[BIT_WORD(offset)] ^ invert) & (~0UL << (offset % BITS_PER_LONG));
	offset -= offset % BITS_PER_LONG;
	while (!w) {
		offset += BITS_PER_LONG;
		if (offset >= size)
			return size;
		w = addr[BIT_WORD(offset)] ^ invert;
	}
	offset += __ffs(w);
	return offset < size ? offset : size;
}
static inline unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
					  unsigned long offset)
{
	return _find_next_bit_k(addr, size, offset, 0UL);
}
static inline unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
					       unsigned long offset)
{
	return _find_next_bit_k(addr, size, offset, ~0UL);
}
static inline unsigned long find_first_bit(const unsigned long *addr, unsigned long size)
{
	return find_next_bit(addr, size, 0);
}
static inline unsigned long find_first_zero_bit(const unsigned long *addr, unsigned long size)
{
	return find_next_zero_bit(addr, size, 0);
}
static inline unsigned long find_last_bit(const unsigned long *addr, unsigned long size)
{
	while (size--)
		if (test_bit(size, addr))
			return size;
	return size;
}

#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = find_first_bit((addr), (size));			\
	     (bit) < (size);						\
	     (bit) = find_next_bit((addr), (size), (bit) + 1))
#define for_each_clear_bit(bit, addr, size)				\
	for ((bit) = find_first_zero_bit((addr), (size));		\
	     (bit) < (size);						\
	     (bit) = find_next_zero_bit((addr), (size), (bit) + 1))

/* ---- s390 MSB0 bit numbering ("inverted" bit numbers within a long) ---- */

static inline unsigned long __bit_inv(unsigned long nr)
{
	return nr ^ (BITS_PER_LONG - 1);
}
static inline void set_bit_inv(unsigned long nr, volatile unsigned long *ptr)
{
	set_bit(__bit_inv(nr), ptr);
}
static inline void clear_bit_inv(unsigned long nr, volatile unsigned long *ptr)
{
	clear_bit(__bit_inv(nr), ptr);
}
static inline bool test_and_clear_bit_inv(unsigned long nr, volatile unsigned long *ptr)
{
	return test_and_clear_bit(__bit_inv(nr), ptr);
}
static inline bool test_bit_inv(unsigned long nr, const volatile unsigned long *ptr)
{
	return test_bit(__bit_inv(nr), ptr);
}
#define __set_bit_inv set_bit_inv
#define __clear_bit_inv clear_bit_inv

/* Next bit set in MSB0 order at or after `offset`; `size` if none. */
static inline unsigned long find_next_bit_inv(const unsigned long *addr, unsigned long size,
					      unsigned long offset)
{
	for (; offset < size; offset++) {
		unsigned long w = addr[BIT_WORD(offset)];
		unsigned long in = offset % BITS_PER_LONG;
		unsigned long rest;

		if (in == 0 && w == 0) {
			offset += BITS_PER_LONG - 1;
			continue;
		}
		rest = w << in;		/* bit `offset` now at the MSB */
		if (!rest) {
			offset += BITS_PER_LONG - 1 - in;
			continue;
		}
		offset += __builtin_clzl(rest);
		return offset < size ? offset : size;
	}
	return size;
}
static inline unsigned long find_first_bit_inv(const unsigned long *addr, unsigned long size)
{
	return find_next_bit_inv(addr, size, 0);
}
#define for_each_set_bit_inv(bit, addr, size)				\
	for ((bit) = find_first_bit_inv((addr), (size));		\
	     (bit) < (size);						\
	     (bit) = find_next_bit_inv((addr), (size), (bit) + 1))

#include <linux/bitmap.h>

#endif
