/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/bits.h (apsim shim) - BIT(), GENMASK(), BITS_PER_LONG.
 */
#ifndef _APSIM_LINUX_BITS_H
#define _APSIM_LINUX_BITS_H

#define BITS_PER_LONG		64
#define BITS_PER_LONG_LONG	64
#define BITS_PER_BYTE		8
#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l)	(((~0ULL) << (l)) & (~0ULL >> (63 - (h))))
#define BITS_TO_LONGS(nr)	(((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define BITS_TO_BYTES(nr)	(((nr) + 7) / 8)
#define BITS_TO_U32(nr)		(((nr) + 31) / 32)
#endif
