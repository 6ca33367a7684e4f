// SPDX-License-Identifier: GPL-2.0
/*
 * cli/util.c - small helpers of the command line that are not about one
 * sub-command.
 *
 * Owns: the wall clock of progress lines and figures (cli_now_s) and the
 * column width of printed traces (cli_trace_width).  Results on disk are
 * libsim's (sim_out_*, <apsim/sim.h>).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

/* Wall-clock seconds: progress lines and figures only, never the simulation. */
double cli_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cli_trace_width(void)
{
	const char *e = getenv("APSIM_TRACE_WIDTH");
	long w;

	if (e && !cli_parse_long(e, 16, 400, &w))
		return (int)w;
	return 56;   /* "lock &matrix_dev->guests_lock @vfio_ap_ops.c:NNNN" */
}

/* The artefacts of finding f (sim_out_write_finding) with apsim's replay
 * command: this binary, scn_path. */
int cli_write_finding(const char *dir, const struct sim_finding *f,
		      const char *scn_path, const char *header)
{
	char self[PATH_MAX];
	struct sim_out_finding o = {
		.f = f, .header = header, .trace_width = cli_trace_width(),
		.replay_bin = self, .scn_path = scn_path,
	};

	if (cli_self_path("apsim", self, sizeof(self)))
		snprintf(self, sizeof(self), "apsim");
	return sim_out_write_finding(dir, &o);
}
