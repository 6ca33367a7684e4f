/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/quote.c - strings written for another reader: JSON string literals and
 * POSIX shell words.
 *
 * Owns: sim_out_json_str and sim_out_sh_quote (declared with the other
 * "results on disk" functions in <apsim/sim.h>).  Depends on nothing else of
 * libsim, so programs that do not link the core (bench_native, its
 * ThreadSanitizer build) use this file alone.
 */
#include <apsim/sim.h>

#include <stdio.h>

void sim_out_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void sim_out_sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}
