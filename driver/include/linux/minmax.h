/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/minmax.h (apsim shim) - min/max/clamp without double evaluation.
 */
#ifndef _APSIM_LINUX_MINMAX_H
#define _APSIM_LINUX_MINMAX_H

#ifndef min
#define min(x, y) ({ __typeof__(x) _mx = (x); __typeof__(y) _my = (y); \
		     (void)(&_mx == &_my); _mx < _my ? _mx : _my; })
#endif
#ifndef max
#define max(x, y) ({ __typeof__(x) _mx = (x); __typeof__(y) _my = (y); \
		     (void)(&_mx == &_my); _mx > _my ? _mx : _my; })
#endif
#define min_t(type, x, y) ({ type _mtx = (x); type _mty = (y); _mtx < _mty ? _mtx : _mty; })
#define max_t(type, x, y) ({ type _mtx = (x); type _mty = (y); _mtx > _mty ? _mtx : _mty; })
#define min3(x, y, z) min((__typeof__(x))min(x, y), z)
#define max3(x, y, z) max((__typeof__(x))max(x, y), z)
#define clamp(val, lo, hi) min((__typeof__(val))max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define clamp_val(val, lo, hi) clamp_t(__typeof__(val), val, lo, hi)
#endif
