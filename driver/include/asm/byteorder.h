/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/byteorder.h (apsim shim) - explicit-endian loads/stores, defined by
 * byte order of the data (independent of the host's): leXX_to_cpup reads
 * a little-endian value, beXX a big-endian one.
 */
#ifndef _APSIM_ASM_BYTEORDER_H
#define _APSIM_ASM_BYTEORDER_H
#include <linux/types.h>

static inline u16 le16_to_cpup(const __le16 *p)
{
	const u8 *b = (const u8 *)p;

	return (u16)(b[0] | (b[1] << 8));
}
static inline u32 le32_to_cpup(const __le32 *p)
{
	const u8 *b = (const u8 *)p;

	return (u32)b[0] | ((u32)b[1] << 8) | ((u32)b[2] << 16) | ((u32)b[3] << 24);
}
static inline u64 le64_to_cpup(const __le64 *p)
{
	return le32_to_cpup((const __le32 *)p) |
	       ((u64)le32_to_cpup((const __le32 *)p + 1) << 32);
}
static inline u16 be16_to_cpup(const __be16 *p)
{
	const u8 *b = (const u8 *)p;

	return (u16)((b[0] << 8) | b[1]);
}
static inline u32 be32_to_cpup(const __be32 *p)
{
	const u8 *b = (const u8 *)p;

	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | (u32)b[3];
}
static inline u64 be64_to_cpup(const __be64 *p)
{
	return ((u64)be32_to_cpup((const __be32 *)p) << 32) |
	       be32_to_cpup((const __be32 *)p + 1);
}
#define le16_to_cpu(x) le16_to_cpup(&(__le16){ (x) })
#define le32_to_cpu(x) le32_to_cpup(&(__le32){ (x) })
#define le64_to_cpu(x) le64_to_cpup(&(__le64){ (x) })
#endif
