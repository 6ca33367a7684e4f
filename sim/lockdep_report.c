/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/lockdep_report.c - report text of the lock validator.
 *
 * Owns: the lockdep-shaped report texts (possible circular locking
 * dependency, possible recursive locking, bad unlock balance,
 * lockdep_assert_held failure, lock held at thread exit, table
 * overflows), the held-lock list ("N locks held by T/tid:") and the
 * Graphviz DOT rendering of the dependency graph.  Output contains no
 * host addresses: only class names, sites, op labels, thread names/ids.
 */
#include "internal.h"
#include "lockdep.h"

#include <stdlib.h>
#include <string.h>

#define LD_BAR_CIRC "======================================================"
#define LD_BAR_REC  "============================================"
#define LD_BAR_UNL  "====================================="
#define LD_BAR_EXIT "================================================"

const char *ld_thread_name(int tid)
{
	const char *n = sim_thread_name(tid);

	return n && *n ? n : "thread";
}

void ld_fmt_site(char *buf, size_t len, const struct sim_site *s)
{
	const char *f, *slash;

	if (!s) {
		snprintf(buf, len, "?");
		return;
	}
	f = s->file ? s->file : "?";
	slash = strrchr(f, '/');
	if (slash)
		f = slash + 1;
	snprintf(buf, len, "%s (%s:%d)", s->func ? s->func : "?", f, s->line);
}

const char *ld_map_name(const struct sim_lockdep_map *m, char *buf, size_t len)
{
	if (m && m->name)
		return m->name;
	char site[96];

	ld_fmt_site(site, sizeof(site), m ? m->init_site : NULL);
	snprintf(buf, len, "lock@%s", site);
	return buf;
}

static const char *ld_read_note(int read, bool trylock)
{
	static const char *notes[2][3] = {
		{ "", " (read)", " (recursive read)" },
		{ " (trylock)", " (read, trylock)", " (recursive read, trylock)" },
	};

	return notes[trylock ? 1 : 0][read >= 0 && read <= 2 ? read : 0];
}

/* "(name) (read) at: func (file.c:12) [op: label]" */
static void ld_put_lock(FILE *out, const struct ld_held *h, bool parens)
{
	char site[128];
	const struct ld_class *c = &ld_classes[h->cls];
	char nb[128];
	const char *name = h->cls ? c->name : ld_map_name(h->map, nb, sizeof(nb));

	ld_fmt_site(site, sizeof(site), h->site);
	fprintf(out, parens ? "(%s)%s%s at: %s" : "%s%s%s at: %s", name,
		h->cls && c->unkeyed ? " (unkeyed)" : "",
		ld_read_note(h->read, h->trylock), site);
	if (h->op && sim__label_text(h->op)[0])
		fprintf(out, " [op: %s]", h->op->text);
	fputc('\n', out);
}

void ld_print_held_list(FILE *out, int tid)
{
	if ((unsigned)tid >= SIM_MAX_THREADS)
		return;
	const struct ld_thread *t = &ld_threads[tid];

	if (!t->depth) {
		fprintf(out, "no locks held by %s/%d.\n", ld_thread_name(tid), tid);
		return;
	}
	fprintf(out, "%d lock%s held by %s/%d:\n", t->depth, t->depth > 1 ? "s" : "",
		ld_thread_name(tid), tid);
	for (int i = 0; i < t->depth; i++) {
		fprintf(out, " #%d: ", i);
		ld_put_lock(out, &t->h[i], false);
	}
}

/* The "kernel ident" line under the title, padded to the bar's width. */
static void ld_ident(FILE *out, const char *bar)
{
	char id[96];
	int n = snprintf(id, sizeof(id), "apsim (%s) ", sim_version);
	int w = (int)strlen(bar);

	fputs(id, out);
	for (int i = n; i < w || i < n + 4; i++)
		fputc('-', out);
	fputc('\n', out);
}

/* Open a report buffer; ld_emit() sends and frees it. */
static FILE *ld_open(char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	return open_memstream(buf, len);
}

static void ld_emit(FILE *out, char **buf, enum sim_finding_kind kind,
		    const char *sig)
{
	fclose(out);  /* sets *buf */
	sim_report(kind, false, sig, "%s", *buf ? *buf : "");
	free(*buf);
}

/* The reporting thread's stack, as lockdep's dump_stack() ends a report
 * (title: "stack backtrace:", or "Call Trace:" inside a WARN). */
static void ld_put_stack(FILE *out, const char *title)
{
	uintptr_t pcs[LD_TRACE_PCS];
	int n = sim_backtrace(pcs, LD_TRACE_PCS);

	if (n <= 0)
		return;
	fprintf(out, "%s\n", title);
	sim__print_stack(out, pcs, n, " ", NULL);
}

static const char *ld_cname(uint16_t cls)
{
	return ld_classes[cls].name;
}

/* ------------------------------------------------------------- circular */

static void ld_put_entry_edge(FILE *out, const struct ld_edge *e)
{
	char site[128];

	ld_fmt_site(site, sizeof(site), e->next_site);
	fprintf(out, "       %s%s\n", site, ld_read_note(e->next_read, false));
	sim__print_stack(out, e->pcs, e->npcs, "       ", e->next_site ? e->next_site->func : NULL);
	ld_fmt_site(site, sizeof(site), e->prev_site);
	fprintf(out, "       holding (%s)%s taken at: %s\n", ld_cname(e->from),
		ld_read_note(e->prev_read, false), site);
	if (e->op[0])
		fprintf(out, "       op: %s\n", e->op);
	fprintf(out, "       by: %s/%d\n", e->thread, e->tid);
}

void ld_report_cycle(int tid, const struct ld_held *prev,
		     const struct ld_held *next, const struct ld_cycle *cy,
		     const char *signature)
{
	char *buf;
	size_t len;
	FILE *out = ld_open(&buf, &len);
	const char *tn = ld_thread_name(tid);
	char site[128];
	uintptr_t now_pcs[LD_TRACE_PCS];
	int now_n = sim_backtrace(now_pcs, LD_TRACE_PCS);

	if (!out)
		return;
	fprintf(out, "\n%s\nWARNING: possible circular locking dependency detected\n",
		LD_BAR_CIRC);
	ld_ident(out, LD_BAR_CIRC);
	fprintf(out, "%s/%d is trying to acquire lock:\n", tn, tid);
	ld_put_lock(out, next, true);
	fprintf(out, "\nbut task is already holding lock:\n");
	ld_put_lock(out, prev, true);
	fprintf(out, "\nwhich lock already depends on the new lock.\n\n");
	fprintf(out, "\nthe existing dependency chain (in reverse order) is:\n");

	for (int k = cy->n - 1; k >= 0; k--) {
		fprintf(out, "\n-> #%d (%s):\n", k, ld_cname(cy->path[k]));
		if (k > 0) {
			ld_put_entry_edge(out, &ld_edges[cy->edges[k - 1]]);
			continue;
		}
		/* #0: the acquisition being attempted right now. */
		ld_fmt_site(site, sizeof(site), next->site);
		fprintf(out, "       %s%s\n", site, ld_read_note(next->read, false));
		sim__print_stack(out, now_pcs, now_n, "       ", next->site ? next->site->func : NULL);
		ld_fmt_site(site, sizeof(site), prev->site);
		fprintf(out, "       holding (%s)%s taken at: %s\n", ld_cname(prev->cls),
			ld_read_note(prev->read, false), site);
		if (next->op && sim__label_text(next->op)[0])
			fprintf(out, "       op: %s\n", next->op->text);
		fprintf(out, "       by: %s/%d\n", tn, tid);
	}

	fprintf(out, "\nother info that might help us debug this:\n\n");
	uint16_t src = next->cls, tgt = prev->cls;
	uint16_t parent = cy->n >= 2 ? cy->path[cy->n - 2] : src;

	if (parent != src)
		fprintf(out, "Chain exists of:\n  %s --> %s --> %s\n\n", ld_cname(src),
			ld_cname(parent), ld_cname(tgt));
	fprintf(out, " Possible unsafe locking scenario:\n\n");
	fprintf(out, "       CPU0                    CPU1\n");
	fprintf(out, "       ----                    ----\n");
	fprintf(out, "  %s(%s);\n", prev->read ? "rlock" : "lock", ld_cname(tgt));
	fprintf(out, "                               lock(%s);\n", ld_cname(parent));
	fprintf(out, "                               lock(%s);\n", ld_cname(tgt));
	fprintf(out, "  %s(%s);\n", next->read ? "rlock" : "lock", ld_cname(src));
	fprintf(out, "\n *** DEADLOCK ***\n\n");
	ld_print_held_list(out, tid);
	ld_emit(out, &buf, SIM_F_LOCK_CYCLE, signature);
}

/* ------------------------------------------------------------ recursive */

void ld_report_recursive(int tid, const struct ld_held *prev,
			 const struct ld_held *next, const char *signature)
{
	char *buf;
	size_t len;
	FILE *out = ld_open(&buf, &len);

	if (!out)
		return;
	fprintf(out, "\n%s\nWARNING: possible recursive locking detected\n", LD_BAR_REC);
	ld_ident(out, LD_BAR_REC);
	fprintf(out, "%s/%d is trying to acquire lock:\n", ld_thread_name(tid), tid);
	ld_put_lock(out, next, true);
	fprintf(out, "\nbut task is already holding lock:\n");
	ld_put_lock(out, prev, true);
	fprintf(out, "\nother info that might help us debug this:\n");
	fprintf(out, " Possible unsafe locking scenario:\n\n");
	fprintf(out, "       CPU0\n");
	fprintf(out, "       ----\n");
	fprintf(out, "  %s(%s);\n", prev->read ? "rlock" : "lock", ld_cname(prev->cls));
	fprintf(out, "  %s(%s);\n", next->read ? "rlock" : "lock", ld_cname(next->cls));
	fprintf(out, "\n *** DEADLOCK ***\n\n");
	fprintf(out, " May be due to missing lock nesting notation\n\n");
	ld_print_held_list(out, tid);
	ld_put_stack(out, "\nstack backtrace:");
	ld_emit(out, &buf, SIM_F_LOCK_RECURSIVE, signature);
}

/* ----------------------------------------------------------- bad unlock */

void ld_report_bad_unlock(int tid, const struct sim_lockdep_map *m,
			  const struct sim_site *site)
{
	char *buf;
	size_t len;
	char nb[128], sb[128], sig[256];
	FILE *out = ld_open(&buf, &len);
	const char *name = ld_map_name(m, nb, sizeof(nb));

	if (!out)
		return;
	ld_fmt_site(sb, sizeof(sb), site);
	fprintf(out, "\n%s\nWARNING: bad unlock balance detected!\n", LD_BAR_UNL);
	ld_ident(out, LD_BAR_UNL);
	fprintf(out, "%s/%d is trying to release lock (%s) at:\n", ld_thread_name(tid),
		tid, name);
	fprintf(out, "%s\n", sb);
	fprintf(out, "but there are no more locks to release!\n");
	fprintf(out, "\nother info that might help us debug this:\n");
	ld_print_held_list(out, tid);
	ld_put_stack(out, "\nstack backtrace:");
	/* lock and function, no line: stable across builds and hunks */
	snprintf(sig, sizeof(sig), "bad-unlock:%.120s@%.120s", name,
		 site && site->func ? site->func : "?");
	ld_emit(out, &buf, SIM_F_LOCK_BAD_UNLOCK, sig);
}

/* -------------------------------------------------------- assert_held */

/* The file as the kernel prints it: from "drivers/" on when present. */
static const char *ld_kfile(const char *f)
{
	const char *d, *slash;

	if (!f)
		return "?";
	d = strstr(f, "drivers/");
	if (d)
		return d;
	if (f[0] == '/' && (slash = strrchr(f, '/')))
		return slash + 1;
	return f;
}

void ld_report_not_held(int tid, const struct sim_lockdep_map *m, int read,
			const struct sim_site *site)
{
	char *buf;
	size_t len;
	char nb[128], sig[256];
	FILE *out = ld_open(&buf, &len);
	const char *name = ld_map_name(m, nb, sizeof(nb));
	const char *variant = read < 0 ? "" : read ? "_read" : "_write";
	const char *file = ld_kfile(site ? site->file : NULL);
	int line = site ? site->line : 0;
	const char *func = site && site->func ? site->func : "?";

	if (!out)
		return;
	fprintf(out, "------------[ cut here ]------------\n");
	fprintf(out, "WARNING: CPU: 0 PID: %d at %s:%d %s\n", tid, file, line, func);
	fprintf(out, "lockdep_assert_held%s(%s) failed\n", variant, name);
	ld_print_held_list(out, tid);
	ld_put_stack(out, "Call Trace:");
	fprintf(out, "---[ end trace 0000000000000000 ]---\n");
	{
		/* the driver function that does not hold it (else the
		 * asserting one): no line, stable across builds */
		char drv[96];

		sim_backtrace_driver_func(drv, sizeof(drv));
		snprintf(sig, sizeof(sig), "lock-not-held:%s@%s", name, drv[0] ? drv : func);
	}
	ld_emit(out, &buf, SIM_F_LOCK_NOT_HELD, sig);
}

/* ---------------------------------------------------------- thread exit */

void ld_report_held_exit(int tid, const struct ld_held *h)
{
	char *buf;
	size_t len;
	char sig[256], nb[128];
	FILE *out = ld_open(&buf, &len);
	const char *name = h->cls ? ld_cname(h->cls) : ld_map_name(h->map, nb, sizeof(nb));

	if (!out)
		return;
	fprintf(out, "\n%s\nWARNING: lock held when thread exits!\n", LD_BAR_EXIT);
	ld_ident(out, LD_BAR_EXIT);
	fprintf(out, "%s/%d is exiting with locks still held!\n", ld_thread_name(tid), tid);
	fprintf(out, "lock: ");
	ld_put_lock(out, h, true);
	ld_print_held_list(out, tid);
	snprintf(sig, sizeof(sig), "lock-held-exit:%s", name);
	ld_emit(out, &buf, SIM_F_LOCK_HELD_EXIT, sig);
}

/* ------------------------------------------------------------ overflow */

void ld_report_overflow(const char *what, const char *detail)
{
	char sig[128];

	snprintf(sig, sizeof(sig), "lockdep-overflow:%s", what);
	sim_report(SIM_F_WARN, false, sig, "BUG: %s too low!\n%s\n", what, detail);
}

/* ------------------------------------------------------------------ DOT */

static void ld_dot_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void ld_dot_dep(char *buf, size_t len, uint8_t dep)
{
	static const char *names[4] = { "SR", "ER", "SN", "EN" };
	size_t off = 0;

	buf[0] = 0;
	for (int b = 3; b >= 0; b--)
		if (dep & (1u << b))
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? "," : "", names[b]);
}

void sim_lockdep_dot(FILE *out)
{
	char dep[32];

	fprintf(out, "digraph lockdep {\n");
	fprintf(out, "\tnode [shape=box, fontname=\"monospace\"];\n");
	for (int c = 1; c < ld_nclasses; c++) {
		fprintf(out, "\tc%d [label=", c);
		ld_dot_str(out, ld_classes[c].name);
		fprintf(out, "];\n");
	}
	for (int c = 1; c < ld_nclasses; c++)
		for (int e = ld_classes[c].first_after; e >= 0; e = ld_edges[e].next) {
			const struct ld_edge *ed = &ld_edges[e];
			bool red = ed->in_cycle;

			for (int k = 0; k < ld_ncloser && !red; k++)
				red = ld_closers[k].from == ed->from && ld_closers[k].to == ed->to;
			ld_dot_dep(dep, sizeof(dep), ed->dep);
			fprintf(out, "\tc%d -> c%d [label=\"%s\"%s];\n", ed->from, ed->to, dep,
				red ? ", color=red, penwidth=2, style=bold" : "");
		}
	/* Edges that closed a reported cycle are never added to the graph
	 * (as in lockdep); draw them so the cycle is visible. */
	for (int k = 0; k < ld_ncloser; k++) {
		bool in_graph = false;

		for (int e = ld_classes[ld_closers[k].from].first_after; e >= 0;
		     e = ld_edges[e].next)
			if (ld_edges[e].to == ld_closers[k].to)
				in_graph = true;
		if (in_graph)
			continue;
		ld_dot_dep(dep, sizeof(dep), ld_closers[k].dep);
		fprintf(out, "\tc%d -> c%d [label=\"%s (closes cycle)\", color=red, "
			"penwidth=2, style=\"bold,dashed\"];\n",
			ld_closers[k].from, ld_closers[k].to, dep);
	}
	fprintf(out, "}\n");
}
