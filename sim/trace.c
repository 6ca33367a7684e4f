/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/trace.c - the event trace of an execution.
 *
 * Owns: recording (a growable array of small fixed-size records, only when
 * opts.trace; free-form text in a side arena; function entry/exit events
 * from sim/calls.c, named when printed), sim_trace_note, the text
 * rendering with one column per thread, Chrome trace-event JSON for
 * Perfetto, and the FNV-1a hash of the event stream (no addresses).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct sim_event {
	uint64_t step;
	const char *obj;               /* static or lock name (not freed) */
	union {
		const struct sim_site *site;
		uintptr_t pc;          /* SIM_EV_CALL/RET: the function */
	};
	uint32_t text;                 /* offset+1 into the arena, 0 = none;
					* SIM_EV_SPAWN: the thread's name (a
					* slot's name changes when it is reused) */
	int16_t tid;
	uint8_t kind;
};

static struct sim_event *evs;
static size_t nev, cap_ev;
static char *arena;
static size_t narena, cap_arena;
static size_t ncalls;                  /* SIM_EV_CALL/RET events recorded */
/* Thread names of the traced execution (kept for printing after a run). */

static const char *const ev_names[SIM_EV__COUNT] = {
	[SIM_EV_SPAWN] = "spawn", [SIM_EV_EXIT] = "exit",
	[SIM_EV_LOCK] = "lock", [SIM_EV_BLOCK] = "block",
	[SIM_EV_WAKE] = "wake", [SIM_EV_UNLOCK] = "unlock",
	[SIM_EV_TRYLOCK_OK] = "trylock", [SIM_EV_TRYLOCK_FAIL] = "trylock-fail",
	[SIM_EV_DOWN_READ] = "down_read", [SIM_EV_DOWN_WRITE] = "down_write",
	[SIM_EV_UP_READ] = "up_read", [SIM_EV_UP_WRITE] = "up_write",
	[SIM_EV_DOWNGRADE] = "downgrade", [SIM_EV_SPIN_LOCK] = "spin_lock",
	[SIM_EV_SPIN_UNLOCK] = "spin_unlock", [SIM_EV_WAIT] = "wait",
	[SIM_EV_COMPLETE] = "complete", [SIM_EV_SLEEP] = "sleep",
	[SIM_EV_YIELD] = "yield", [SIM_EV_NOTE] = "note",
	[SIM_EV_FINDING] = "FINDING", [SIM_EV_TIMEOUT] = "timeout",
	[SIM_EV_JOIN] = "join", [SIM_EV_CALL] = "call", [SIM_EV_RET] = "ret",
};

void sim__trace_reset(void)
{
	nev = 0;
	narena = 0;
	ncalls = 0;
}

static uint32_t arena_put(const char *s)
{
	size_t l = strlen(s) + 1;

	if (narena + l > cap_arena) {
		size_t nc = cap_arena ? cap_arena * 2 : 4096;
		while (nc < narena + l)
			nc *= 2;
		char *p = realloc(arena, nc);
		if (!p)
			return 0;
		arena = p;
		cap_arena = nc;
	}
	memcpy(arena + narena, s, l);
	narena += l;
	return (uint32_t)(narena - l + 1);
}

static struct sim_event *ev_push(int tid, enum sim_ev kind)
{
	struct sim_event *e;

	if (nev == cap_ev) {
		size_t nc = cap_ev ? cap_ev * 2 : 1024;
		struct sim_event *p = realloc(evs, nc * sizeof(*p));
		if (!p)
			return NULL;
		evs = p;
		cap_ev = nc;
	}
	e = &evs[nev++];
	e->step = sim__world.step;
	e->tid = (int16_t)tid;
	e->kind = (uint8_t)kind;
	return e;
}

void sim__trace_ev(int tid, enum sim_ev kind, const char *obj,
		   const struct sim_site *site, const char *text)
{
	struct sim_event *e = ev_push(tid, kind);

	if (!e)
		return;
	e->site = site;
	if (kind == SIM_EV_SPAWN) {
		e->obj = NULL;
		e->text = obj ? arena_put(obj) : 0;
		return;
	}
	e->obj = obj;
	e->text = text ? arena_put(text) : 0;
}

void sim__trace_call(int tid, bool enter, uintptr_t fn)
{
	struct sim_event *e = ev_push(tid, enter ? SIM_EV_CALL : SIM_EV_RET);

	if (!e)
		return;
	e->obj = NULL;
	e->pc = fn;
	e->text = 0;
	ncalls++;
}

static bool is_call(const struct sim_event *e)
{
	return e->kind == SIM_EV_CALL || e->kind == SIM_EV_RET;
}

/* Name the functions of the call events, all at once, before printing. */
static void resolve_calls(void)
{
	uintptr_t *pcs;
	size_t n = 0;

	if (!ncalls || !(pcs = malloc(ncalls * sizeof(*pcs))))
		return;
	for (size_t i = 0; i < nev && n < ncalls; i++)
		if (evs[i].kind == SIM_EV_CALL)
			pcs[n++] = evs[i].pc;
	sim__calls_resolve(pcs, n);
	free(pcs);
}

bool sim_trace_enabled(void)
{
	return sim__world.trace;
}

void sim_trace_note(const struct sim_site *site, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!sim__world.trace)
		return;
	va_start(ap, fmt);
	sim_vfmt(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sim__trace_ev(sim__world.cur ? sim__world.cur->tid : -1, SIM_EV_NOTE, NULL, site, buf);
}

static const char *ev_text(const struct sim_event *e)
{
	return e->text && e->kind != SIM_EV_SPAWN ? arena + e->text - 1 : NULL;
}

static const char *ev_obj(const struct sim_event *e)
{
	if (e->kind == SIM_EV_SPAWN)
		return e->text ? arena + e->text - 1 : NULL;
	return e->obj;
}

/* "kind obj @site text" */
static void ev_format(const struct sim_event *e, char *buf, size_t len)
{
	char sb[96];
	const char *txt = ev_text(e);
	int o = sim_fmt(buf, len, "%s", ev_names[e->kind] ? ev_names[e->kind] : "?");

	if (is_call(e)) {
		const char *where, *fn = sim__calls_name(e->pc, &where);

		if (e->kind == SIM_EV_CALL && where)
			sim_fmt(buf + o, len - (size_t)o, " %s @%s", fn, where);
		else
			sim_fmt(buf + o, len - (size_t)o, " %s", fn);
		return;
	}
	if (ev_obj(e) && o < (int)len)
		o += sim_fmt(buf + o, len - (size_t)o, " %s", ev_obj(e));
	if (e->site && o < (int)len)
		o += sim_fmt(buf + o, len - (size_t)o, " @%s",
			      sim_site_str(e->site, sb, sizeof(sb)));
	if (txt && o < (int)len)
		sim_fmt(buf + o, len - (size_t)o, " %s", txt);
}

void sim__trace_tail(FILE *out, int n)
{
	size_t from = nev > (size_t)n ? nev - (size_t)n : 0;
	char buf[320];

	resolve_calls();
	for (size_t i = from; i < nev; i++) {
		ev_format(&evs[i], buf, sizeof(buf));
		fprintf(out, "  [%llu] T%d %s\n", (unsigned long long)evs[i].step,
			evs[i].tid, buf);
	}
}

/* fprintf's bytes, formatted by sim_vfmt (the printers below write a
 * line or more per event of traces of thousands of events) */
static void __attribute__((format(printf, 2, 3))) put_fmt(FILE *out, const char *fmt, ...)
{
	char b[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sim_vfmt(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(b)) {
		va_start(ap, fmt);
		vfprintf(out, fmt, ap);
		va_end(ap);
		return;
	}
	fwrite(b, 1, (size_t)n, out);
}

/* A thread column's title: "T5 name", and how many threads had the slot
 * before the last one (their spawn events name them). */
static void slot_label(int t, char *buf, size_t len)
{
	const struct sim_thread *th = &sim__world.t[t];

	if (th->inc)
		snprintf(buf, len, "T%d %s (+%u before)", t, th->name, th->inc);
	else
		snprintf(buf, len, "T%d %s", t, th->name);
}

void sim_trace_print(FILE *out, int col_width)
{
	int nt = sim__world.nthreads;
	char buf[320], cell[320];

	resolve_calls();
	if (col_width < 8)
		col_width = 8;
	if (col_width > 300)
		col_width = 300;
	fprintf(out, "%8s", "step");
	for (int t = 0; t < nt; t++) {
		slot_label(t, cell, sizeof(cell));
		fprintf(out, " | %-*.*s", col_width, col_width, cell);
	}
	fputc('\n', out);
	fprintf(out, "%8s", "--------");
	for (int t = 0; t < nt; t++) {
		fputs("-+-", out);
		for (int i = 0; i < col_width; i++)
			fputc('-', out);
	}
	fputc('\n', out);
	/* one line per event, built here and written at once: the bytes of
	 * "%8llu" and " | %-*.*s" per thread, without a printf call per cell
	 * (a hang's trace of 6,000 steps and 6 threads is 2 MB: fprintf made
	 * writing it most of a short 6.12 campaign) */
	size_t cap = 32 + (size_t)nt * ((size_t)col_width + 3) + 9 + sizeof(buf);
	char *line = malloc(cap);

	if (!line)
		return;
	for (size_t i = 0; i < nev; i++) {
		const struct sim_event *e = &evs[i];
		char *p = line;
		size_t n;

		ev_format(e, buf, sizeof(buf));
		p += sim_fmt(p, 32, "%8llu", (unsigned long long)e->step);
		for (int t = 0; t < nt; t++) {
			n = t == e->tid ? strnlen(buf, (size_t)col_width) : 0;
			memcpy(p, " | ", 3);
			memcpy(p + 3, buf, n);
			memset(p + 3 + n, ' ', (size_t)col_width - n);
			p += 3 + (size_t)col_width;
		}
		if (e->tid < 0 || e->tid >= nt) {
			n = strlen(buf);
			memcpy(p, " | host: ", 9);
			memcpy(p + 9, buf, n);
			p += 9 + n;
		}
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), out);
	}
	free(line);
}

void sim_trace_print_json(FILE *out)
{
	char sb[96];
	bool first = true;

	resolve_calls();
	fputs("{\"traceEvents\":[\n", out);
	for (int t = 0; t < sim__world.nthreads; t++) {
		char nb[80];
		slot_label(t, nb, sizeof(nb));
		put_fmt(out, "%s{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":",
			first ? "" : ",\n", t);
		sim_out_json_str(out, nb);
		fputs("}}", out);
		first = false;
	}
	for (size_t i = 0; i < nev; i++) {
		const struct sim_event *e = &evs[i];
		bool instant = e->kind == SIM_EV_NOTE || e->kind == SIM_EV_FINDING;
		char name[200];

		if (is_call(e)) {
			/* a function is a duration slice: B at entry, E at exit */
			const char *where, *fn = sim__calls_name(e->pc, &where);

			fputs(first ? "{\"name\":" : ",\n{\"name\":", out);
			first = false;
			sim_out_json_str(out, fn);
			put_fmt(out, ",\"cat\":\"call\",\"ph\":\"%s\",\"pid\":1,\"tid\":%d,\"ts\":%llu",
				e->kind == SIM_EV_CALL ? "B" : "E", e->tid, (unsigned long long)e->step);
			fputs(",\"args\":{\"site\":", out);
			sim_out_json_str(out, where ? where : "");
			fputs("}}", out);
			continue;
		}
		sim_fmt(name, sizeof(name), "%s%s%s",
			 ev_names[e->kind] ? ev_names[e->kind] : "?",
			 ev_obj(e) ? " " : "", ev_obj(e) ? ev_obj(e) : "");
		fputs(first ? "{\"name\":" : ",\n{\"name\":", out);
		first = false;
		sim_out_json_str(out, name);
		put_fmt(out, ",\"cat\":\"sim\",\"ph\":\"%s\",\"pid\":1,\"tid\":%d,\"ts\":%llu",
			instant ? "i" : "X", e->tid, (unsigned long long)e->step);
		if (instant)
			fputs(",\"s\":\"t\"", out);
		else
			fputs(",\"dur\":1", out);
		fputs(",\"args\":{\"site\":", out);
		sim_out_json_str(out, e->site ? sim_site_str(e->site, sb, sizeof(sb)) : "");
		if (ev_text(e)) {
			fputs(",\"text\":", out);
			sim_out_json_str(out, ev_text(e));
		}
		fputs("}}", out);
	}
	fputs("\n],\"displayTimeUnit\":\"ns\"}\n", out);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	if (s)
		h = fnv(h, s, strlen(s));
	return fnv(h, "", 1);
}

uint64_t sim_trace_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char sb[96];

	if (!nev) {
		/* no event trace: hash the decisions (always recorded) */
		for (size_t i = 0; i < sim__world.ndec; i++) {
			h = fnv(h, &sim__world.dec[i].step, sizeof(sim__world.dec[i].step));
			h = fnv(h, &sim__world.dec[i].tid, sizeof(sim__world.dec[i].tid));
		}
		h = fnv(h, &sim__world.step, sizeof(sim__world.step));
		return h;
	}
	for (size_t i = 0; i < nev; i++) {
		const struct sim_event *e = &evs[i];
		int32_t tid = e->tid;
		h = fnv(h, &e->step, sizeof(e->step));
		h = fnv(h, &tid, sizeof(tid));
		h = fnv(h, &e->kind, 1);
		if (is_call(e)) {
			/* the function's offset in the program: no address */
			uintptr_t off = e->pc - (uintptr_t)&sim_trace_hash;

			h = fnv(h, &off, sizeof(off));
			continue;
		}
		h = fnv_str(h, ev_obj(e));
		h = fnv_str(h, e->site ? sim_site_str(e->site, sb, sizeof(sb)) : NULL);
		h = fnv_str(h, ev_text(e));
	}
	return h;
}

/* ------------------------------------------------- world snapshot (snapshot.c) */

/* The trace of the set-up part: kept with a world snapshot and put back, so
 * a restored execution's trace is the one a rebuild records. */
struct sim__trace_snap {
	size_t nev, narena, ncalls;
	struct sim_event *evs;
	char *arena;
};

void sim__trace_snap_free(struct sim__trace_snap *s)
{
	if (!s)
		return;
	free(s->evs);
	free(s->arena);
	free(s);
}

struct sim__trace_snap *sim__trace_snap_save(void)
{
	struct sim__trace_snap *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->nev = nev;
	s->narena = narena;
	s->ncalls = ncalls;
	s->evs = malloc(sizeof(*evs) * (nev ? nev : 1));
	s->arena = malloc(narena ? narena : 1);
	if (!s->evs || !s->arena) {
		sim__trace_snap_free(s);
		return NULL;
	}
	if (nev)
		memcpy(s->evs, evs, sizeof(*evs) * nev);
	if (narena)
		memcpy(s->arena, arena, narena);
	return s;
}

bool sim__trace_snap_restore(const struct sim__trace_snap *s)
{
	if (cap_ev < s->nev) {
		struct sim_event *p = realloc(evs, s->nev * sizeof(*p));

		if (!p)
			return false;
		evs = p;
		cap_ev = s->nev;
	}
	if (cap_arena < s->narena) {
		char *p = realloc(arena, s->narena);

		if (!p)
			return false;
		arena = p;
		cap_arena = s->narena;
	}
	if (s->nev)
		memcpy(evs, s->evs, sizeof(*evs) * s->nev);
	if (s->narena)
		memcpy(arena, s->arena, s->narena);
	nev = s->nev;
	narena = s->narena;
	ncalls = s->ncalls;
	return true;
}
