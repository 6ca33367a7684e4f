/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/atomic.h (apsim shim) - atomic_t / atomic64_t as plain integers
 * (one simulated thread runs at a time; atomics are not scheduling points).
 */
#ifndef _APSIM_LINUX_ATOMIC_H
#define _APSIM_LINUX_ATOMIC_H

#include <linux/types.h>
#include <linux/compiler.h>

#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }
#define atomic_read(v) READ_ONCE((v)->counter)
#define atomic_set(v, i) WRITE_ONCE((v)->counter, (i))
/* Marked (not checked by the race detector); value-returning RMWs are
 * fully ordered, as in the kernel: an acquire and release of the atomic. */
#define atomic_add(i, v) __apsim_marked_void((v)->counter += (i))
#define atomic_sub(i, v) __apsim_marked_void((v)->counter -= (i))
#define atomic_inc(v) __apsim_marked_void((v)->counter++)
#define atomic_dec(v) __apsim_marked_void((v)->counter--)
#define atomic_add_return(i, v) __apsim_ordered(&(v)->counter, (v)->counter += (i))
#define atomic_sub_return(i, v) __apsim_ordered(&(v)->counter, (v)->counter -= (i))
#define atomic_inc_return(v) __apsim_ordered(&(v)->counter, ++(v)->counter)
#define atomic_dec_return(v) __apsim_ordered(&(v)->counter, --(v)->counter)
#define atomic_fetch_add(i, v) __apsim_ordered(&(v)->counter, ({ __typeof__((v)->counter) __o = (v)->counter; (v)->counter += (i); __o; }))
#define atomic_fetch_inc(v) atomic_fetch_add(1, v)
#define atomic_dec_and_test(v) __apsim_ordered(&(v)->counter, --(v)->counter == 0)
#define atomic_inc_and_test(v) __apsim_ordered(&(v)->counter, ++(v)->counter == 0)
#define atomic_sub_and_test(i, v) __apsim_ordered(&(v)->counter, ((v)->counter -= (i)) == 0)
#define atomic_xchg(v, n) __apsim_ordered(&(v)->counter, ({ __typeof__((v)->counter) __o = (v)->counter; (v)->counter = (n); __o; }))
#define atomic_cmpxchg(v, old, n) __apsim_ordered(&(v)->counter, ({ __typeof__((v)->counter) __o = (v)->counter; \
	if (__o == (old)) (v)->counter = (n); __o; }))
#define atomic_inc_not_zero(v) __apsim_ordered(&(v)->counter, (v)->counter ? ((v)->counter++, 1) : 0)
#define atomic_add_unless(v, a, u) __apsim_ordered(&(v)->counter, (v)->counter != (u) ? ((v)->counter += (a), 1) : 0)

#define atomic64_read atomic_read
#define atomic64_set atomic_set
#define atomic64_add atomic_add
#define atomic64_sub atomic_sub
#define atomic64_inc atomic_inc
#define atomic64_dec atomic_dec
#define atomic64_add_return atomic_add_return
#define atomic64_inc_return atomic_inc_return
#define atomic64_dec_return atomic_dec_return
#define atomic_long_read atomic_read
#define atomic_long_set atomic_set
#define atomic_long_inc atomic_inc
#define atomic_long_dec atomic_dec

#define xchg(p, n) __apsim_ordered(p, ({ __typeof__(*(p)) __o = *(p); *(p) = (n); __o; }))
#define cmpxchg(p, old, n) __apsim_ordered(p, ({ __typeof__(*(p)) __o = *(p); if (__o == (old)) *(p) = (n); __o; }))

#endif
