/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_util.h - tiny shared helpers for the Check unit tests.
 *
 * Owns: default options for tests, finding lookup, capturing FILE output
 * into a string, and a one-line suite runner.  Header-only, generic.
 */
#ifndef APSIM_CHECK_UTIL_H
#define APSIM_CHECK_UTIL_H

#include <apsim/sim.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options for tests: given strategy and seed, trace on, lockdep on. */
static inline struct sim_opts tu_opts(enum sim_strategy s, uint64_t seed)
{
	struct sim_opts o;

	sim_opts_default(&o);
	o.strategy = s;
	o.seed = seed;
	o.trace = true;
	return o;
}

/* First finding of `kind` in the last run, or NULL. */
static inline const struct sim_finding *tu_find(enum sim_finding_kind kind)
{
	for (int i = 0; i < sim_findings_count(); i++)
		if (sim_finding_get(i)->kind == kind)
			return sim_finding_get(i);
	return NULL;
}

/* Capture what fn(out, arg) prints; caller frees. */
#define TU_CAPTURE(var, stmt_using_out)                                      \
	do {                                                                   \
		size_t tu_len_ = 0;                                            \
		FILE *out = open_memstream(&(var), &tu_len_);                 \
		stmt_using_out;                                                \
		fclose(out);                                                   \
	} while (0)

/* Is the test binary built with (user-space) AddressSanitizer?  The
 * kernel-address instrumentation of APSIM_KASAN builds is apsim's own
 * shadow checker, not ASan. */
static inline int tu_asan(void)
{
#if defined(APSIM_KASAN)
	return 0;
#elif defined(APSIM_ASAN) || defined(__SANITIZE_ADDRESS__)
	return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return 1;
#else
	return 0;
#endif
#else
	return 0;
#endif
}

/* Run a suite; returns a process exit code. */
static inline int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* APSIM_CHECK_UTIL_H */
