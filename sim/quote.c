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
	while (s && *s) {
		/* the run up to the next character that needs escaping, at once */
		size_t n = 0;
		unsigned char c;

		while ((c = (unsigned char)s[n]) && c != '"' && c != '\\' && c >= 0x20)
			n++;
		if (n)
			fwrite(s, 1, n, f);
		s += n;
		if (!c)
			break;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else
			fprintf(f, "\\u%04x", c);
		s++;
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
