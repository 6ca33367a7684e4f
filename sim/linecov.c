/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/linecov.c - line coverage of the real driver for apsim review.
 *
 * Owns: flushing gcc's gcov counters of a process that leaves with _exit
 * (a fuzz worker), so that every worker's executions reach the .gcda files.
 * Only builds with LINECOV=1 (the review's cached builds: the driver built
 * with --coverage, linked with libgcov and -u __gcov_dump) have gcov;
 * elsewhere __gcov_dump is an unresolved weak symbol and this does nothing.
 * libgcov merges the counters of every process into the files under a file
 * lock; where they go is GCOV_PREFIX (set by apsim review).
 */
#include "internal.h"

extern void __gcov_dump(void) __attribute__((weak));

void sim_linecov_flush(void)
{
	if (__gcov_dump)
		__gcov_dump();
}
