/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_world_util.h - shared helpers of the Check tests that run a
 * scenario text through the world executor (check_shim_faults,
 * check_shim_fidelity).
 *
 * Owns: tu_scn_parse() (header + text into a scenario), tu_scn_run() (one
 * round-robin execution with an inspect hook, the "-> R" results checked)
 * and tu_has_finding().  Include after <check.h>, <apsim/sim.h>,
 * driver/world/world.h and driver/scenario/scenario.h.
 */
#ifndef APSIM_CHECK_WORLD_UTIL_H
#define APSIM_CHECK_WORLD_UTIL_H

#include <stdio.h>
#include <string.h>

/* hdr + text into *scn; a parse error fails the test with its message. */
static inline void tu_scn_parse(struct apsim_scenario *scn, const char *hdr, const char *text)
{
	char buf[4096], err[256];

	snprintf(buf, sizeof(buf), "%s%s", hdr, text);
	ck_assert_msg(apsim_scn_parse_buf(buf, strlen(buf), "t.scn", scn, err,
					  sizeof(err)) == 0, "%s", err);
}

/* One round-robin, untraced execution of scn with the inspect hook (NULL:
 * none); its findings go to stderr; the "-> R" results must hold unless
 * allow_mismatch.  Returns the number of findings. */
static inline int tu_scn_run(struct apsim_scenario *scn, struct apsim_exec *ex,
			     void (*inspect)(void *), bool allow_mismatch)
{
	struct sim_opts o;
	struct sim_result r;

	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RR;
	o.trace = false;
	apsim_world_set_inspect(inspect, NULL);
	ck_assert_int_eq(apsim_world_run(scn, &o, &r, ex), 0);
	apsim_world_set_inspect(NULL, NULL);
	for (int i = 0; i < sim_findings_count(); i++)
		fprintf(stderr, "finding: %s\n", sim_finding_get(i)->signature);
	if (!allow_mismatch)
		ck_assert_msg(ex->mismatches == 0, "%s", ex->mismatch);
	return sim_findings_count();
}

/* Does a finding of the last execution have sig_part in its signature? */
static inline bool tu_has_finding(const char *sig_part)
{
	for (int i = 0; i < sim_findings_count(); i++)
		if (strstr(sim_finding_get(i)->signature, sig_part))
			return true;
	return false;
}

#endif /* APSIM_CHECK_WORLD_UTIL_H */
