/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/svg.h - a small deterministic SVG plot writer for the benchmark
 * figures (`apsim bench` writes FILE.svg next to its --json FILE).
 *
 * Owns: the document (svg_begin/svg_end), a log-log line chart with axes,
 * decade ticks, grid and legend (svg_loglog), and a horizontal bar chart
 * on a log axis (svg_bars).  No external plotting dependency; the same
 * figures give the same bytes (fixed number formats, no time, no ids).
 */
#ifndef APSIM_BENCH_SVG_H
#define APSIM_BENCH_SVG_H

#include <stdbool.h>
#include <stdio.h>

struct svg_series {
	const char *name;          /* legend text */
	const double *x, *y;       /* n points; points <= 0 are left out */
	int n;
	int color;                 /* index into the palette */
	bool dashed;
};

/* A panel's place in the document. */
struct svg_box {
	double x, y, w, h;
};

void svg_begin(FILE *f, int width, int height, const char *title);
void svg_end(FILE *f);
/* Log-log chart of ns series into box b (axes, decade ticks, legend on the
 * right of the plot area). */
void svg_loglog(FILE *f, struct svg_box b, const char *title, const char *xlabel,
		const char *ylabel, const struct svg_series *s, int ns);
/* Horizontal bars of n values (log axis), labelled. */
void svg_bars(FILE *f, struct svg_box b, const char *title, const char *xlabel,
	      const char *const *labels, const double *v, int n);
/* Characters of s escaped for SVG text. */
void svg_text_escaped(FILE *f, const char *s);

#endif /* APSIM_BENCH_SVG_H */
