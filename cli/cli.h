/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli/cli.h - internals shared by the apsim command-line modules.
 *
 * Owns: the sub-command entry points and small helpers (number parsing,
 * paths of sibling binaries, a finding's artefacts with apsim's replay
 * command).
 */
#ifndef APSIM_CLI_H
#define APSIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <apsim/sim.h>
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"
#include "driver/scenario/scenario.h"

extern const char apsim_version[];

int cli_run(int argc, char **argv);
int cli_fuzz(int argc, char **argv);
int cli_bench(int argc, char **argv);

int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
int cli_parse_long(const char *s, long lo, long hi, long *out);
int cli_self_path(const char *rel, char *out, size_t len);
void cli_print_version(FILE *f);

/* Wall-clock seconds (display/figures only). */
double cli_now_s(void);

/* Column width of interleaving traces: $APSIM_TRACE_WIDTH, default 44. */
int cli_trace_width(void);

/*
 * Write the artefacts of finding `f` of the execution that just ended into
 * DIR (sim_out_write_finding: report.txt, schedule.txt, replay.sh,
 * trace.txt, trace.json, lockdep.dot); replay.sh runs this apsim binary on
 * `scn_path`.  Returns 0 or -errno.
 */
int cli_write_finding(const char *dir, const struct sim_finding *f,
		      const char *scn_path, const char *header);

#endif /* APSIM_CLI_H */
