/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/kernel.h (apsim shim) - the kernel's grab bag: container_of,
 * ARRAY_SIZE, min/max, rounding helpers, kstrto*, sprintf family,
 * might_sleep / cond_resched.  Pulls in printk.h and bug.h like the real one.
 */
#ifndef _APSIM_LINUX_KERNEL_H
#define _APSIM_LINUX_KERNEL_H

#include <stdarg.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/limits.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/bitops.h>
#include <linux/minmax.h>
#include <linux/container_of.h>
#include <linux/kstrtox.h>
#include <linux/printk.h>
#include <linux/bug.h>
#include <linux/string.h>
#include <linux/sched.h>
#include <asm/page.h>
#include <asm/byteorder.h>

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define DIV_ROUND_UP_ULL(n, d) DIV_ROUND_UP((unsigned long long)(n), (d))
#define DIV_ROUND_CLOSEST(x, d) (((x) + ((d) / 2)) / (d))
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y) ((x) - ((x) % (y)))
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define PTR_ALIGN(p, a) ((__typeof__(p))ALIGN((unsigned long)(p), (a)))
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))
#define swap(a, b) do { __typeof__(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

/* sprintf family: kernel semantics, implemented in driver/kernel/lib.c. */
int shim_vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int shim_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int shim_sprintf(char *buf, const char *fmt, ...) __printf(2, 3);
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
char *kasprintf(gfp_t gfp, const char *fmt, ...) __printf(2, 3);
int hex_to_bin(unsigned char ch);
/* linux/hex.h */
extern const char hex_asc[];
#define hex_asc_lo(x)	hex_asc[((x) & 0x0f)]
#define hex_asc_hi(x)	hex_asc[((x) & 0xf0) >> 4]
#ifdef APSIM_FREESTANDING
/* The driver: route to the shim formatter (deterministic %p, %pad ...). */
#define vsnprintf shim_vsnprintf
#define snprintf shim_snprintf
#define sprintf shim_sprintf
#endif

/* might_sleep(): a finding if called in atomic context. */
#define might_sleep() sim_might_sleep(SIM_SITE)
#define might_sleep_if(cond) do { if (cond) might_sleep(); } while (0)
#define might_fault() might_sleep()

#define num_online_cpus() 1
#define smp_processor_id() 0
#define raw_smp_processor_id() 0

#endif
