/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli/scn_parse.h - the .scn scenario file format: parser and writer.
 *
 * Owns: reading a scenario file (docs/scenarios.md) into a struct
 * apsim_scenario (driver/ops.h) and writing one back.  The writer's output
 * parses back to an identical struct: apsim_scn_parse(apsim_scn_write(s)) == s
 * for every s the parser produces.
 */
#ifndef APSIM_SCN_PARSE_H
#define APSIM_SCN_PARSE_H

#include <stddef.h>
#include <stdio.h>

#include "ops.h"

/* Limits of the file itself (the model's limits are in ops.h). */
#define APSIM_SCN_MAX_FILE    (1 << 20)   /* bytes */
#define APSIM_SCN_MAX_TOKENS  64          /* per line */

/*
 * Fill *s with the defaults of an empty scenario: everything unset
 * (explore fields -1), apxa on, card type CEX7, no reservations given
 * (= every AP bus mask bit set, as on a fresh system).
 */
void apsim_scn_init(struct apsim_scenario *s);

/*
 * Parse a scenario.  Returns 0, or -EINVAL with err set to
 * "FILE:LINE:COL: error: ..." describing the first error (LINE and COL are
 * 1-based, COL counts bytes).  apsim_scn_parse_file returns another negative
 * errno (err "FILE: error: ...") when the file cannot be read.  On error
 * *out holds a partial scenario and must not be run.
 */
int apsim_scn_parse_file(const char *path, struct apsim_scenario *out,
			 char *err, size_t errlen);
int apsim_scn_parse_buf(const char *buf, size_t len, const char *fname,
			struct apsim_scenario *out, char *err, size_t errlen);

/* Write s as a readable .scn file.  Returns 0 or -EIO. */
int apsim_scn_write(FILE *f, const struct apsim_scenario *s);

/* One op in scenario syntax without location or "-> R" (for reports):
 * e.g. "assign_adapter m0 5".  Returns buf. */
const char *apsim_scn_op_str(const struct apsim_op *op, char *buf, size_t len);

/*
 * Name tables shared by the parser and the writer (cli/ops_names.c).
 * *_parse return 0 or -1 (unknown name); *_name return NULL for a value
 * without a name (the writer then prints the number).
 */
int scn_card_type_parse(const char *s, int *out);      /* "cex7" -> 13 */
const char *scn_card_type_name(int v);
int scn_ap_rc_parse(const char *s, int *out);          /* "busy" -> 0x05 */
const char *scn_ap_rc_name(int v);
int scn_crypto_attr_parse(const char *s, int *out);    /* "enable-apie" -> 4 */
const char *scn_crypto_attr_name(int v);
int scn_strategy_parse(const char *s, int *out);       /* enum sim_strategy */
const char *scn_strategy_name(int v);
int scn_expect_parse(const char *s, int *out);         /* enum apsim_expect_kind */
const char *scn_expect_name(int v);

#endif /* APSIM_SCN_PARSE_H */
