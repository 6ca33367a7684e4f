/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/bitmap.h (apsim shim) - bitmap_* over unsigned long words.  Bits
 * beyond `nbits` in the last word are ignored by the predicates.
 */
#ifndef _APSIM_LINUX_BITMAP_H
#define _APSIM_LINUX_BITMAP_H

#include <linux/types.h>
#include <linux/bits.h>

#define BITMAP_LAST_WORD_MASK(nbits) (~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))

static inline unsigned long __bm_mask(unsigned int nbits, unsigned int k)
{
	return (k == BIT_WORD(nbits - 1)) ? BITMAP_LAST_WORD_MASK(nbits) : ~0UL;
}
static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = 0;
}
static inline void bitmap_fill(unsigned long *dst, unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = ~0UL;
	if (nbits % BITS_PER_LONG)
		dst[BITS_TO_LONGS(nbits) - 1] &= BITMAP_LAST_WORD_MASK(nbits);
}
static inline void bitmap_copy(unsigned long *dst, const unsigned long *src, unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = src[k];
}
/* Returns true if the result is non-empty. */
static inline bool bitmap_and(unsigned long *dst, const unsigned long *a,
			      const unsigned long *b, unsigned int nbits)
{
	unsigned long r = 0;

	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		r |= (dst[k] = a[k] & b[k]) & __bm_mask(nbits, k);
	return r != 0;
}
static inline void bitmap_or(unsigned long *dst, const unsigned long *a,
			     const unsigned long *b, unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = a[k] | b[k];
}
static inline void bitmap_xor(unsigned long *dst, const unsigned long *a,
			      const unsigned long *b, unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = a[k] ^ b[k];
}
static inline bool bitmap_andnot(unsigned long *dst, const unsigned long *a,
				 const unsigned long *b, unsigned int nbits)
{
	unsigned long r = 0;

	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		r |= (dst[k] = a[k] & ~b[k]) & __bm_mask(nbits, k);
	return r != 0;
}
static inline void bitmap_complement(unsigned long *dst, const unsigned long *src,
				     unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = ~src[k];
}
static inline bool bitmap_equal(const unsigned long *a, const unsigned long *b,
				unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		if ((a[k] ^ b[k]) & __bm_mask(nbits, k))
			return false;
	return true;
}
static inline bool bitmap_intersects(const unsigned long *a, const unsigned long *b,
				     unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		if ((a[k] & b[k]) & __bm_mask(nbits, k))
			return true;
	return false;
}
static inline bool bitmap_subset(const unsigned long *a, const unsigned long *b,
				 unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		if ((a[k] & ~b[k]) & __bm_mask(nbits, k))
			return false;
	return true;
}
static inline bool bitmap_empty(const unsigned long *src, unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		if (src[k] & __bm_mask(nbits, k))
			return false;
	return true;
}
static inline bool bitmap_full(const unsigned long *src, unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		if (~src[k] & __bm_mask(nbits, k))
			return false;
	return true;
}
static inline unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits)
{
	unsigned int w = 0;

	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		w += __builtin_popcountl(src[k] & __bm_mask(nbits, k));
	return w;
}
/* Set / clear `len` bits starting at `start` (kernel bit numbering). */
static inline void bitmap_set(unsigned long *map, unsigned int start, unsigned int len)
{
	for (unsigned int i = start; i < start + len; i++)
		map[BIT_WORD(i)] |= BIT_MASK(i);
}
static inline void bitmap_clear(unsigned long *map, unsigned int start, unsigned int len)
{
	for (unsigned int i = start; i < start + len; i++)
		map[BIT_WORD(i)] &= ~BIT_MASK(i);
}

#endif
