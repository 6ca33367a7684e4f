/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/targets/fuzz_scn_parse.c - libFuzzer target for the scenario parser.
 *
 * Owns: the properties checked on arbitrary input bytes: the parser never
 * crashes or reads out of bounds (ASan/UBSan), an error message always
 * starts with the file name, and every accepted scenario survives
 * write -> parse unchanged (up to source locations) with a stable text form.
 *
 *   make fuzz-scn && build/fuzz/fuzz_scn_parse -max_len=4096 scenarios/
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/scenario/scenario.h"

static struct apsim_scenario a, b;

static char *write_str(const struct apsim_scenario *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	if (apsim_scn_write(f, s))
		abort();
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	char *t1, *t2;
	size_t l1, l2;

	if (apsim_scn_parse_buf((const char *)data, size, "fuzz.scn", &a, err, sizeof(err))) {
		if (strncmp(err, "fuzz.scn:", 9))
			abort();
		return 0;
	}
	t1 = write_str(&a, &l1);
	if (apsim_scn_parse_buf(t1, l1, "fuzz.scn", &b, err, sizeof(err))) {
		fprintf(stderr, "written scenario does not parse: %s\n%s", err, t1);
		abort();
	}
	apsim_scn_clear_locs(&a);
	apsim_scn_clear_locs(&b);
	if (memcmp(&a, &b, sizeof(a))) {
		fprintf(stderr, "round trip changed the scenario:\n%s", t1);
		abort();
	}
	t2 = write_str(&b, &l2);
	if (l1 != l2 || memcmp(t1, t2, l1)) {
		fprintf(stderr, "writer output not stable:\n%s\n---\n%s", t1, t2);
		abort();
	}
	free(t1);
	free(t2);
	return 0;
}
