/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/svg.c - a small deterministic SVG plot writer (see svg.h).
 *
 * Owns: the palette, the log scales (range rounded out to whole decades),
 * axes with decade ticks and 2/5 minor grid lines, polylines with point
 * markers, legends, and bars.  Every number is printed with a fixed format,
 * so equal inputs give equal bytes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/svg.h"

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
	"#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
};
#define NPAL (int)(sizeof(palette) / sizeof(palette[0]))

void svg_text_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
				fputc(*s, f);
		}
	}
}

static void text(FILE *f, double x, double y, const char *anchor, int size,
		 const char *extra, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\"%s%s>",
		x, y, anchor, size, extra ? " " : "", extra ? extra : "");
	svg_text_escaped(f, s);
	fputs("</text>\n", f);
}

void svg_begin(FILE *f, int width, int height, const char *title)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
		   "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
		width, height, width, height, width, height);
	if (title)
		text(f, width / 2.0, 22, "middle", 16, "font-weight=\"bold\"", title);
}

void svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

/* Whole decades around [lo, hi] (both > 0). */
static void decades(double lo, double hi, int *d0, int *d1)
{
	*d0 = (int)floor(log10(lo));
	*d1 = (int)ceil(log10(hi));
	if (*d1 <= *d0)
		*d1 = *d0 + 1;
}

static void decade_label(char *buf, size_t len, int d)
{
	static const char *const small[] = { "1", "10", "100", "1k", "10k", "100k",
					     "1M", "10M", "100M", "1G" };

	if (d >= 0 && d <= 9)
		snprintf(buf, len, "%s", small[d]);
	else
		snprintf(buf, len, "1e%d", d);
}

struct axis {
	double px0, px1;      /* pixels */
	int d0, d1;           /* decades */
};

static double ax_map(const struct axis *a, double v)
{
	return a->px0 + (log10(v) - a->d0) / (a->d1 - a->d0) * (a->px1 - a->px0);
}

/* Ticks, grid and labels of a log axis; horizontal (x) or vertical. */
static void ax_draw(FILE *f, const struct axis *a, bool horiz, double c0, double c1)
{
	char lb[32];

	for (int d = a->d0; d <= a->d1; d++)
		for (int m = 1; m <= (d < a->d1 ? 9 : 1); m++) {
			double p = ax_map(a, m * pow(10, d));
			bool major = m == 1;

			if (!major && m != 2 && m != 5)
				continue;
			if (horiz)
				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
					   "stroke=\"%s\" stroke-width=\"%s\"/>\n",
					p, c0, p, c1, major ? "#bbbbbb" : "#e6e6e6", major ? "1" : "0.5");
			else
				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
					   "stroke=\"%s\" stroke-width=\"%s\"/>\n",
					c0, p, c1, p, major ? "#bbbbbb" : "#e6e6e6", major ? "1" : "0.5");
			if (!major)
				continue;
			decade_label(lb, sizeof(lb), d);
			if (horiz)
				text(f, p, c1 + 14, "middle", 10, NULL, lb);
			else
				text(f, c0 - 5, p + 3.5, "end", 10, NULL, lb);
		}
}

void svg_loglog(FILE *f, struct svg_box b, const char *title, const char *xlabel,
		const char *ylabel, const struct svg_series *s, int ns)
{
	double xlo = INFINITY, xhi = 0, ylo = INFINITY, yhi = 0;
	double legend_w = 230, px0 = b.x + 60, px1 = b.x + b.w - legend_w - 10;
	double py0 = b.y + b.h - 40, py1 = b.y + 30;
	struct axis ax, ay;
	char buf[64];

	for (int k = 0; k < ns; k++)
		for (int i = 0; i < s[k].n; i++)
			if (s[k].x[i] > 0 && s[k].y[i] > 0) {
				xlo = fmin(xlo, s[k].x[i]);
				xhi = fmax(xhi, s[k].x[i]);
				ylo = fmin(ylo, s[k].y[i]);
				yhi = fmax(yhi, s[k].y[i]);
			}
	text(f, b.x + b.w / 2, b.y + 16, "middle", 13, "font-weight=\"bold\"", title);
	if (!(xhi > 0)) {
		text(f, b.x + b.w / 2, b.y + b.h / 2, "middle", 12, NULL, "(no figures)");
		return;
	}
	ax = (struct axis){ px0, px1, 0, 0 };
	ay = (struct axis){ py0, py1, 0, 0 };
	decades(xlo, xhi, &ax.d0, &ax.d1);
	decades(ylo, yhi, &ay.d0, &ay.d1);
	ax_draw(f, &ax, true, py1, py0);
	ax_draw(f, &ay, false, px0, px1);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		   "stroke=\"black\"/>\n", px0, py1, px1 - px0, py0 - py1);
	text(f, (px0 + px1) / 2, py0 + 32, "middle", 11, NULL, xlabel);
	snprintf(buf, sizeof(buf), "rotate(-90 %.1f %.1f)", b.x + 16, (py0 + py1) / 2);
	{
		char extra[96];

		snprintf(extra, sizeof(extra), "transform=\"%s\"", buf);
		text(f, b.x + 16, (py0 + py1) / 2, "middle", 11, extra, ylabel);
	}
	for (int k = 0; k < ns; k++) {
		const char *col = palette[((s[k].color % NPAL) + NPAL) % NPAL];
		int np = 0;

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"",
			col, s[k].dashed ? " stroke-dasharray=\"6 4\"" : "");
		for (int i = 0; i < s[k].n; i++)
			if (s[k].x[i] > 0 && s[k].y[i] > 0)
				fprintf(f, "%s%.1f,%.1f", np++ ? " " : "", ax_map(&ax, s[k].x[i]),
					ax_map(&ay, s[k].y[i]));
		fputs("\"/>\n", f);
		for (int i = 0; i < s[k].n; i++)
			if (s[k].x[i] > 0 && s[k].y[i] > 0)
				fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n",
					ax_map(&ax, s[k].x[i]), ax_map(&ay, s[k].y[i]), col);
		/* legend */
		{
			double ly = py1 + 8 + 15 * k, lx = px1 + 14;

			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
				   "stroke-width=\"2\"%s/>\n", lx, ly, lx + 24, ly, col,
				s[k].dashed ? " stroke-dasharray=\"6 4\"" : "");
			text(f, lx + 30, ly + 4, "start", 10, NULL, s[k].name);
		}
	}
}

void svg_bars(FILE *f, struct svg_box b, const char *title, const char *xlabel,
	      const char *const *labels, const double *v, int n)
{
	double lo = INFINITY, hi = 0, px0 = b.x + 230, px1 = b.x + b.w - 70;
	double py1 = b.y + 30, py0 = b.y + b.h - 40, bh;
	struct axis ax;
	char buf[48];

	text(f, b.x + b.w / 2, b.y + 16, "middle", 13, "font-weight=\"bold\"", title);
	for (int i = 0; i < n; i++)
		if (v[i] > 0) {
			lo = fmin(lo, v[i]);
			hi = fmax(hi, v[i]);
		}
	if (!(hi > 0)) {
		text(f, b.x + b.w / 2, b.y + b.h / 2, "middle", 12, NULL, "(no figures)");
		return;
	}
	ax = (struct axis){ px0, px1, 0, 0 };
	decades(lo, hi, &ax.d0, &ax.d1);
	ax_draw(f, &ax, true, py1, py0);
	bh = (py0 - py1) / n;
	for (int i = 0; i < n; i++) {
		double y = py1 + i * bh + bh * 0.15, x1 = v[i] > 0 ? ax_map(&ax, v[i]) : px0;

		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
			px0, y, x1 - px0, bh * 0.7, palette[i % NPAL]);
		text(f, px0 - 6, y + bh * 0.35 + 4, "end", 10, NULL, labels[i]);
		snprintf(buf, sizeof(buf), "%.0f", v[i]);
		text(f, x1 + 4, y + bh * 0.35 + 4, "start", 10, NULL, buf);
	}
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		   "stroke=\"black\"/>\n", px0, py1, px1 - px0, py0 - py1);
	text(f, (px0 + px1) / 2, py0 + 32, "middle", 11, NULL, xlabel);
}
