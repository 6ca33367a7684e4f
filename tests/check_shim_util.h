/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_shim_util.h - shared helpers of the shim kernel's Check tests.
 *
 * Owns: tu_shim_fresh(), the state a test execution starts from (the
 * driver's data as loaded, a reset generic shim).  Include after the shim
 * kernel headers and driver/kernel/base.h.
 */
#ifndef APSIM_CHECK_SHIM_UTIL_H
#define APSIM_CHECK_SHIM_UTIL_H

/* The driver's writable data as at startup and a fresh generic shim. */
static inline void tu_shim_fresh(void)
{
	static bool snapped;

	if (!snapped) {
		shim_driver_data_snapshot();
		snapped = true;
	}
	shim_driver_data_restore();
	shim_base_reset();
}

#endif /* APSIM_CHECK_SHIM_UTIL_H */
