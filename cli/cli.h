/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli/cli.h - internals shared by the apsim command-line modules.
 *
 * Owns: the sub-command entry points and small helpers (number parsing,
 * the option parser, the build layout, a finding's artefacts with apsim's
 * replay command).
 */
#ifndef APSIM_CLI_H
#define APSIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <apsim/sim.h>
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"

extern const char apsim_version[];

/* Exit codes of every command (README.md, docs/apsim.1). */
enum {
	CLI_EXIT_OK = 0,        /* ran; every expectation held / nothing found */
	CLI_EXIT_FINDING = 1,   /* a finding, or an expectation failed */
	CLI_EXIT_USAGE = 2,     /* usage, parse, input or build error */
	CLI_EXIT_WRITE = 3,     /* a result (finding, summary, report) could not be written */
};

/* Size caps of input files (scenarios: APSIM_SCN_MAX_FILE). */
#define CLI_MAX_SCHEDULE (64u << 20)
#define CLI_MAX_INPUT    (1u << 20)

int cli_run(int argc, char **argv);
int cli_fuzz(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_known(int argc, char **argv);
int cli_review(int argc, char **argv);
int cli_cache(int argc, char **argv);

/* Build the driver of kernel tree TREE in the build cache (cli/review.c);
 * its apsim binary in bin.  0, or 2 after a message. */
int cli_cache_build(const char *tree, char *bin, size_t len);
/* Load a known-findings file (cli/known.c): 0, or 2 after a message. */
int cli_known_load(const char *cmd, const char *path, struct apsim_known *k);

int cli_usage_error(const char *cmd, const char *fmt, const char *arg);

/*
 * The option parser of the sub-commands (cli/opts.c).  Walk the arguments
 * with cli_opts_next (p.arg: the current one); the value getters take the
 * next argument as the current option's value.  On a usage error (message
 * printed) they return NULL / -1, p.rc is the exit code (2) and
 * cli_opts_next returns false.
 */
struct cli_opts {
	const char *cmd;        /* "run", "fuzz", "bench": in messages */
	int argc;
	char **argv;
	int i;                  /* argv index of the current argument */
	const char *arg;        /* the current argument */
	int rc;                 /* 0, or the exit code of a usage error */
};
void cli_opts_init(struct cli_opts *p, const char *cmd, int argc, char **argv);
bool cli_opts_next(struct cli_opts *p);
/* Is the current argument NAME (or ALIAS, may be NULL)? */
bool cli_opts_is(const struct cli_opts *p, const char *name, const char *alias);
/* The current option's value, or NULL: "option X needs a value". */
const char *cli_opts_value(struct cli_opts *p);
/* "X: expected WHAT, got 'V'" about the current option X: returns 2. */
int cli_opts_bad(struct cli_opts *p, const char *what, const char *v);
/* The value as a number in lo..hi / as a u64 (else cli_opts_bad(WHAT)). */
int cli_opts_long(struct cli_opts *p, long lo, long hi, const char *what, long *out);
int cli_opts_u64(struct cli_opts *p, const char *what, uint64_t *out);
/* --format text|json; --variant NAME (one `apsim variants` lists). */
int cli_opts_format(struct cli_opts *p, bool *json);
int cli_opts_variant(struct cli_opts *p, const char **out);
/* An output directory (file: an output file) as cli_check_out_dir/_file. */
int cli_opts_out(struct cli_opts *p, bool file, const char **out);
/* "unknown option 'X'" for -X, else NONOPT (a format with one %s): 2. */
int cli_opts_unknown(struct cli_opts *p, const char *nonopt);
/* libsim's strategy names, SEP between them ("random|pct|..."). */
void cli_strategy_list(char *buf, size_t len, const char *sep);
int cli_parse_long(const char *s, long lo, long hi, long *out);
/* An unsigned 64-bit number (decimal or 0x hex; no sign): 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *out);
/* Is NAME a variant `apsim variants` lists ("base" or a built variant)? */
bool cli_variant_known(const char *name);
/*
 * The build layout (cli/layout.c): BUILD/apsim is the base binary,
 * BUILD/variants/NAME/apsim the others.  cli_self_path: <dir of this
 * binary>/REL; cli_build_path: BUILD/REL; cli_variant_bin: the binary of
 * variant NAME ("base" too).  0, or -1 (path too long, no /proc).
 */
int cli_self_path(const char *rel, char *out, size_t len);
int cli_build_path(const char *rel, char *out, size_t len);
int cli_variant_bin(const char *variant, char *out, size_t len);
void cli_print_version(FILE *f);

/* Wall-clock seconds (display/figures only). */
double cli_now_s(void);

/* Column width of interleaving traces: $APSIM_TRACE_WIDTH, default 56. */
int cli_trace_width(void);

/*
 * Write the artefacts of finding `f` of the execution that just ended into
 * DIR (sim_out_write_finding: report.txt, schedule.txt, replay.sh,
 * trace.txt, trace.json, lockdep.dot); replay.sh runs this apsim binary on
 * `scn_path`.  Returns 0 or -errno.
 */
int cli_write_finding(const char *dir, const struct sim_finding *f,
		      const char *scn_path, const char *header);

/*
 * Inputs (cli/input.c).  cli_read_input reads PATH whole into *buf
 * (NUL-terminated, free()d by the caller): a regular file of at most max
 * bytes, or standard input ("-", /dev/stdin), which is read once and kept.
 * Anything else (FIFO, device, directory) is an error.  On error, err holds
 * "PATH: error: why" and a negative errno is returned.
 */
bool cli_is_stdin(const char *path);
int cli_read_input(const char *path, size_t max, char **buf, size_t *len,
		   char *err, size_t errlen);
int cli_check_input(const char *path, char *err, size_t errlen);
int cli_parse_scenario(const char *path, struct apsim_scenario *s, char *err, size_t errlen);
struct sim_schedule *cli_parse_schedule(const char *path, char *err, size_t errlen);
/* --out DIR / --junit FILE checks: 0, or 2 after a message naming it. */
int cli_check_out_dir(const char *cmd, const char *opt, const char *path);
int cli_check_out_file(const char *cmd, const char *opt, const char *path);
/* Run argv (PATH search, no shell) with stdout on out_fd and stdin on
 * in_fd (-1: inherited); its wait status, or -errno. */
int cli_spawn(char *const argv[], int out_fd, int in_fd);

/*
 * The wall-clock watchdog of executions (cli/watchdog.c): start with a
 * budget in seconds (0 = off), beat once per execution; a crash finding
 * of the execution it stopped becomes a `hang` (APSIM_WALL_HANG_SIG of
 * fuzz/campaign.h).  `apsim run` and the campaign (through its hooks)
 * use it: it stays with the program, which owns the process's signals.
 */
void cli_watchdog_start(long secs);
void cli_watchdog_stop(void);
void cli_watchdog_beat(void);
bool cli_watchdog_fired(void);
const struct sim_finding *cli_watchdog_finding(const struct sim_finding *f);

#endif /* APSIM_CLI_H */
