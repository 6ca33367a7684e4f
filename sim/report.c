/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/report.c - findings of an execution.
 *
 * Owns: sim_report/sim_vreport (storage, dedup by kind+signature, the
 * phase of the execution a finding happened in (sim_phase), the
 * "apsim: <kind>" report framing with thread, op labels, held locks and
 * recent trace), fatal findings ending the execution, and the reports the
 * core itself produces: deadlock (wait-for cycle), hang (budget) and crash;
 * kernel-style call traces of WARN, BUG, memory and crash reports (crash
 * signatures name the innermost driver function of that trace).
 */
#include "internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FINDINGS 128

static struct sim_finding findings[MAX_FINDINGS];
static int nfindings;
static const char *phase;       /* sim_phase() of this execution */

static const char *const kind_names[SIM_F__COUNT] = {
	[SIM_F_DEADLOCK] = "deadlock",
	[SIM_F_HANG] = "hang",
	[SIM_F_LOCK_CYCLE] = "lock-cycle",
	[SIM_F_LOCK_RECURSIVE] = "lock-recursive",
	[SIM_F_LOCK_BAD_UNLOCK] = "bad-unlock",
	[SIM_F_LOCK_HELD_EXIT] = "lock-held-at-exit",
	[SIM_F_LOCK_NOT_HELD] = "lock-not-held",
	[SIM_F_SLEEP_ATOMIC] = "sleep-in-atomic",
	[SIM_F_WARN] = "warn",
	[SIM_F_BUG] = "bug",
	[SIM_F_MEMORY] = "memory",
	[SIM_F_INVARIANT] = "invariant",
	[SIM_F_RULE] = "rule",
	[SIM_F_CRASH] = "crash",
	[SIM_F_DIVERGENCE] = "divergence",
	[SIM_F_DATA_RACE] = "data-race",
};

const char *sim_finding_kind_name(enum sim_finding_kind k)
{
	if ((int)k <= 0 || k >= SIM_F__COUNT || !kind_names[k])
		return "unknown";
	return kind_names[k];
}

void sim__findings_reset(void)
{
	for (int i = 0; i < nfindings; i++)
		free(findings[i].report);
	nfindings = 0;
	phase = NULL;
}

void sim_phase(const char *name)
{
	phase = name;
}

int sim_findings_count(void)
{
	return nfindings;
}

const struct sim_finding *sim_finding_get(int i)
{
	if (i < 0 || i >= nfindings)
		return NULL;
	return &findings[i];
}

/* The findings of a world snapshot's set-up part (snapshot.c): non-fatal
 * findings of the set-up, each execution started from the snapshot has them
 * as a rebuild has, with their reports and the phase. */
struct sim__findings_snap {
	int n;
	const char *phase;
	struct sim_finding f[];
};

struct sim__findings_snap *sim__findings_snap_save(void)
{
	struct sim__findings_snap *s = calloc(1, sizeof(*s) + sizeof(s->f[0]) * (size_t)nfindings);

	if (!s)
		return NULL;
	s->phase = phase;
	for (int i = 0; i < nfindings; i++) {
		s->f[i] = findings[i];
		s->f[i].report = NULL;
		if (findings[i].report && !(s->f[i].report = strdup(findings[i].report))) {
			s->n = i;
			sim__findings_snap_free(s);
			return NULL;
		}
	}
	s->n = nfindings;
	return s;
}

/* false: out of memory (the findings are then those of a new execution) */
bool sim__findings_snap_restore(const struct sim__findings_snap *s)
{
	sim__findings_reset();
	for (int i = 0; i < s->n; i++) {
		findings[i] = s->f[i];
		if (s->f[i].report && !(findings[i].report = strdup(s->f[i].report))) {
			nfindings = i;
			sim__findings_reset();
			return false;
		}
		nfindings = i + 1;
	}
	phase = s->phase;
	return true;
}

void sim__findings_snap_free(struct sim__findings_snap *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		free(s->f[i].report);
	free(s);
}

const char *sim_site_str(const struct sim_site *s, char *buf, size_t len)
{
	const char *f, *slash;

	if (!len)
		return buf;
	if (!s || !s->file) {
		sim_fmt(buf, len, "start");
		return buf;
	}
	f = s->file;
	slash = strrchr(f, '/');
	if (slash)
		f = slash + 1;
	sim_fmt(buf, len, "%s:%d", f, s->line);
	return buf;
}

/* ------------------------------------------------------------ backtraces */

int sim_backtrace(uintptr_t *pcs, int max)
{
	const struct sim_thread *t = sim__world.cur;

	if (max < 1 || !t || !sim__world.in_thread_ctx)
		return 0;
	return sim__fp_walk((uintptr_t)__builtin_frame_address(0), (uintptr_t)t->ctx.stack_lo,
			    (uintptr_t)t->ctx.stack_lo + t->ctx.stack_size, pcs, max);
}

/* The real driver's files (vfio_ap_ops.c, vfio_ap_drv.c, vfio_ap_*.h). */
static bool driver_frame(const struct sim_frame *f)
{
	return !strncmp(f->file, "vfio_ap", 7);
}

/* Frames of the reporting machinery (skipped at the top of a backtrace)
 * and of the executor (where a backtrace ends). */
static bool reporter_frame(const struct sim_frame *f)
{
	static const char *const files[] = { "report.c", "printk.c", "slab.c", "shadow.c", "sync.c",
					     "lockdep.c", "lockdep_report.c" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(f->file, files[i]))
			return true;
	return false;
}

static bool executor_frame(const struct sim_frame *f)
{
	return !strcmp(f->file, "world.c") || !strcmp(f->file, "sched.c") ||
	       !strcmp(f->file, "?");
}

#define BT_FRAMES 48

/* One frame of a call trace: driver frames as they are, shim frames
 * marked (the shim function is named after the kernel one it stands for). */
static void put_frame(FILE *out, const char *indent, const struct sim_frame *f)
{
	fprintf(out, "%s%s (%s:%d)%s%s\n", indent, f->func, f->file, f->line,
		f->inlined ? " [inlined]" : "", driver_frame(f) ? "" : " [shim]");
}

/*
 * A kernel-style call trace of frames fr[0..n) (innermost first): the
 * reporter's own frames are left out, the trace stops at the executor.
 * Driver frames are named as they are, shim frames by the shim function
 * (which is named after the kernel function it stands for).  Returns the
 * innermost driver function, or NULL.
 */
static const char *print_call_trace(FILE *out, const struct sim_frame *fr, int n)
{
	const char *drv = NULL;
	int i = 0;

	while (i < n && reporter_frame(&fr[i]))
		i++;
	if (i >= n)
		return NULL;
	fprintf(out, "Call Trace:\n");
	for (; i < n && !executor_frame(&fr[i]); i++) {
		if (driver_frame(&fr[i]) && !drv)
			drv = fr[i].func;
		put_frame(out, " ", &fr[i]);
	}
	return drv;
}

void sim__print_stack(FILE *out, const uintptr_t *pcs, int n, const char *indent,
		      const char *skip_func)
{
	struct sim_frame fr[BT_FRAMES];
	int i = 0;

	n = sim_symbolize_stack(pcs, n, fr, BT_FRAMES);
	while (i < n && reporter_frame(&fr[i]))
		i++;
	/* the site's function, and what was inlined into it to take the
	 * lock (the shim's mutex_lock): already printed as the site */
	for (int j = i; skip_func && j < n && j < i + 4; j++)
		if (!strcmp(fr[j].func, skip_func)) {
			for (i = j; i < n && !strcmp(fr[i].func, skip_func); i++)
				;
			break;
		}
	for (; i < n && !executor_frame(&fr[i]); i++)
		put_frame(out, indent, &fr[i]);
}

const char *sim_backtrace_driver_func(char *buf, size_t len)
{
	uintptr_t pcs[BT_FRAMES];
	struct sim_frame fr[BT_FRAMES];
	int n = sim_backtrace(pcs, BT_FRAMES);

	n = sim_symbolize_stack(pcs, n, fr, BT_FRAMES);
	buf[0] = 0;
	for (int i = 0; i < n; i++)
		if (driver_frame(&fr[i])) {
			snprintf(buf, len, "%s", fr[i].func);
			break;
		}
	return buf;
}

static bool wants_backtrace(enum sim_finding_kind kind)
{
	return kind == SIM_F_WARN || kind == SIM_F_BUG || kind == SIM_F_MEMORY;
}

void sim_vreport(enum sim_finding_kind kind, bool fatal, const char *signature,
		 const char *fmt, va_list ap)
{
	struct sim_thread *t = sim__world.cur;
	struct sim_finding *f;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	if (!signature)
		signature = "";
	for (int i = 0; i < nfindings; i++)
		if (findings[i].kind == kind && !strcmp(findings[i].signature, signature))
			goto done;               /* already reported this execution */
	if (nfindings >= MAX_FINDINGS)
		goto done;
	if (sim__world.brief_findings)
		goto store;              /* no text: nobody reads it */
	out = open_memstream(&text, &len);
	if (!out)
		goto done;
	fprintf(out, "apsim: %s", sim_finding_kind_name(kind));
	if (t)
		fprintf(out, " in T%d (%s)", t->tid, t->name);
	fprintf(out, " at step %llu", (unsigned long long)sim__world.step);
	if (phase)
		fprintf(out, ", in %s", phase);
	fputc('\n', out);
	vfprintf(out, fmt, ap);
	fflush(out);
	if (len == 0 || text[len - 1] != '\n')
		fputc('\n', out);
	if (t) {
		if (t->nops) {
			int n = t->nops > SIM_OPSTACK ? SIM_OPSTACK : t->nops;
			fprintf(out, "operation stack of T%d (%s):\n", t->tid, t->name);
			for (int i = n - 1; i >= 0; i--)
				fprintf(out, "  %s\n", sim__label_text(t->ops[i]));
		}
		if (wants_backtrace(kind) && sim__world.in_thread_ctx) {
			uintptr_t pcs[BT_FRAMES];
			struct sim_frame fr[BT_FRAMES];
			int n = sim_backtrace(pcs, BT_FRAMES);

			n = sim_symbolize_stack(pcs, n, fr, BT_FRAMES);
			print_call_trace(out, fr, n);
		}
		if (sim__world.lockdep && kind != SIM_F_DEADLOCK && kind != SIM_F_LOCK_CYCLE &&
		    kind != SIM_F_LOCK_RECURSIVE && kind != SIM_F_LOCK_BAD_UNLOCK &&
		    kind != SIM_F_LOCK_HELD_EXIT && kind != SIM_F_LOCK_NOT_HELD) {
			fprintf(out, "locks held by T%d (%s):\n", t->tid, t->name);
			sim_lockdep_print_held(out, t->tid);
		}
	}
	if (sim__world.trace) {
		fprintf(out, "recent events:\n");
		sim__trace_tail(out, 10);
	}
	fclose(out);
store:
	f = &findings[nfindings++];
	f->kind = kind;
	snprintf(f->signature, sizeof(f->signature), "%s", signature);
	f->report = text;
	f->step = sim__world.step;
	f->tid = t ? t->tid : -1;
	f->phase = phase;
	if (sim__world.trace)
		sim__trace_ev(t ? t->tid : -1, SIM_EV_FINDING,
			      sim_finding_kind_name(kind), NULL, f->signature);
done:
	if (fatal)
		sim__stop();
}

void sim_report(enum sim_finding_kind kind, bool fatal, const char *signature,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_vreport(kind, fatal, signature, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ wait-for */

bool sim__waitq_owners(const struct sim_waitq *wq, uint64_t *owners,
		       const char **name, const struct sim_site **owner_site)
{
	uintptr_t base;

	if (!wq || !wq->map)
		return false;
	/* The waitq sits at a type-specific offset from dep_map (the first
	 * member): that offset is the kind tag. */
	base = (uintptr_t)wq->map;
	*name = wq->map->name ? wq->map->name : "?";
	if ((uintptr_t)wq - base == offsetof(struct sim_mutex, wq)) {
		const struct sim_mutex *m = (const void *)base;
		*owners = m->owner > 0 ? BIT(m->owner - 1) : 0;
		*owner_site = m->owner_site;
		return true;
	}
	if ((uintptr_t)wq - base == offsetof(struct sim_rwsem, wq)) {
		const struct sim_rwsem *s = (const void *)base;
		*owners = (s->writer > 0 ? BIT(s->writer - 1) : 0) | s->readers;
		*owner_site = s->owner_site;
		return true;
	}
	if ((uintptr_t)wq - base == offsetof(struct sim_spinlock, wq)) {
		const struct sim_spinlock *l = (const void *)base;
		*owners = l->owner > 0 ? BIT(l->owner - 1) : 0;
		*owner_site = NULL;
		return true;
	}
	return false;
}

_Static_assert(offsetof(struct sim_mutex, dep_map) == 0, "dep_map first");
_Static_assert(offsetof(struct sim_rwsem, dep_map) == 0, "dep_map first");
_Static_assert(offsetof(struct sim_spinlock, dep_map) == 0, "dep_map first");
_Static_assert(offsetof(struct sim_mutex, wq) != offsetof(struct sim_rwsem, wq) &&
	       offsetof(struct sim_mutex, wq) != offsetof(struct sim_spinlock, wq) &&
	       offsetof(struct sim_rwsem, wq) != offsetof(struct sim_spinlock, wq),
	       "wait queue offsets identify the lock type");

static uint64_t waits_for(int tid)
{
	const struct sim_thread *t = &sim__world.t[tid];
	uint64_t owners = 0;
	const char *n;
	const struct sim_site *os;

	if (t->state != SIM_T_BLOCKED || !t->wq)
		return 0;
	if (!sim__waitq_owners(t->wq, &owners, &n, &os))
		return 0;
	return owners & ~BIT(tid);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_blocked(FILE *out, const struct sim_thread *t)
{
	char sb[96], ob[96];
	uint64_t owners = 0;
	const char *name = NULL;
	const struct sim_site *os = NULL;

	sim_site_str(t->site, sb, sizeof(sb));
	if (t->wq && sim__waitq_owners(t->wq, &owners, &name, &os)) {
		fprintf(out, "T%d (%s) is waiting for lock %s at %s", t->tid,
			t->name, name, sb);
		for (uint64_t b = owners; b; b &= b - 1) {
			int o = __builtin_ctzll(b);
			fprintf(out, ", held by T%d (%s)", o, sim__world.t[o].name);
			if (os)
				fprintf(out, " (acquired at %s)",
					sim_site_str(os, ob, sizeof(ob)));
		}
		fputc('\n', out);
	} else {
		fprintf(out, "T%d (%s) is %s on %s at %s\n", t->tid, t->name,
			sim__state_name(t), t->wq && t->wq->name ? t->wq->name : "-",
			sb);
	}
}

/* A cycle in the wait-for graph (threads waiting for locks held by each
 * other), in wait order starting at its lowest tid; returns its length, 0
 * if there is none. */
static int find_cycle(int *cyc)
{
	int color[SIM_MAX_THREADS] = { 0 }, parent[SIM_MAX_THREADS];
	int ncyc = 0;

	/* iterative DFS from each tid */
	for (int s = 0; s < sim__world.nthreads && !ncyc; s++) {
		int stack[SIM_MAX_THREADS], sp = 0;
		uint64_t pending[SIM_MAX_THREADS];
		if (color[s])
			continue;
		stack[sp] = s;
		pending[sp] = waits_for(s);
		color[s] = 1;
		parent[s] = -1;
		sp++;
		while (sp && !ncyc) {
			int u = stack[sp - 1];
			if (!pending[sp - 1]) {
				color[u] = 2;
				sp--;
				continue;
			}
			int v = __builtin_ctzll(pending[sp - 1]);
			pending[sp - 1] &= pending[sp - 1] - 1;
			if (color[v] == 1) {
				/* cycle v -> ... -> u -> v */
				for (int x = u; ; x = parent[x]) {
					cyc[ncyc++] = x;
					if (x == v)
						break;
				}
			} else if (!color[v]) {
				color[v] = 1;
				parent[v] = u;
				stack[sp] = v;
				pending[sp] = waits_for(v);
				sp++;
			}
		}
	}
	/* cyc is reversed (u back to v): put it in wait order, lowest tid first */
	for (int i = 0; i < ncyc / 2; i++) {
		int x = cyc[i];
		cyc[i] = cyc[ncyc - 1 - i];
		cyc[ncyc - 1 - i] = x;
	}
	if (ncyc) {
		int lo = 0;
		for (int i = 1; i < ncyc; i++)
			if (cyc[i] < cyc[lo])
				lo = i;
		int tmp[SIM_MAX_THREADS];
		for (int i = 0; i < ncyc; i++)
			tmp[i] = cyc[(lo + i) % ncyc];
		memcpy(cyc, tmp, sizeof(int) * (size_t)ncyc);
	}

	return ncyc;
}

bool sim__wait_cycle(void)
{
	int cyc[SIM_MAX_THREADS];

	return find_cycle(cyc) > 0;
}

void sim__report_deadlock(void)
{
	int cyc[SIM_MAX_THREADS], ncyc = find_cycle(cyc);
	char *text = NULL, sig[256];
	size_t len = 0;
	FILE *out;

	out = open_memstream(&text, &len);
	if (!out)
		return;
	if (ncyc) {
		const char *names[SIM_MAX_THREADS];
		int nn = 0;
		fprintf(out, "INFO: task T%d (%s) blocked: deadlock\n", cyc[0],
			sim__world.t[cyc[0]].name);
		fprintf(out, "wait-for cycle of %d threads:\n", ncyc);
		for (int i = 0; i < ncyc; i++) {
			const struct sim_thread *t = &sim__world.t[cyc[i]];
			uint64_t ow;
			const char *n;
			const struct sim_site *os;
			fputs("  ", out);
			print_blocked(out, t);
			if (sim__waitq_owners(t->wq, &ow, &n, &os))
				names[nn++] = n;
		}
		qsort(names, (size_t)nn, sizeof(names[0]), cmpstr);
		int o = snprintf(sig, sizeof(sig), "deadlock:");
		for (int i = 0; i < nn && o < (int)sizeof(sig); i++)
			o += snprintf(sig + o, sizeof(sig) - (size_t)o, "%s%s",
				      i ? "," : "", names[i]);
		fputc('\n', out);
		for (int i = 0; i < ncyc; i++) {
			const struct sim_thread *t = &sim__world.t[cyc[i]];
			fprintf(out, "T%d (%s) holds:\n", t->tid, t->name);
			if (sim__world.lockdep)
				sim_lockdep_print_held(out, t->tid);
			if (t->nops)
				fprintf(out, "  during: %s\n", sim__op_label(t->tid));
		}
		fputs("\n*** DEADLOCK ***\n", out);
	} else {
		/* everybody blocked without a lock cycle (lost wake-up etc.) */
		const char *names[SIM_MAX_THREADS];
		int nn = 0;
		fprintf(out, "INFO: all threads blocked: no runnable thread, no timer\n");
		for (int i = 0; i < sim__world.nthreads; i++) {
			const struct sim_thread *t = &sim__world.t[i];
			if (t->state != SIM_T_BLOCKED)
				continue;
			fputs("  ", out);
			print_blocked(out, t);
			names[nn++] = t->wq && t->wq->name ? t->wq->name : "?";
		}
		qsort(names, (size_t)nn, sizeof(names[0]), cmpstr);
		int o = snprintf(sig, sizeof(sig), "deadlock:stall:");
		for (int i = 0; i < nn && o < (int)sizeof(sig); i++)
			if (i == 0 || strcmp(names[i], names[i - 1]))
				o += snprintf(sig + o, sizeof(sig) - (size_t)o, "%s%s",
					      i ? "," : "", names[i]);
		for (int i = 0; i < sim__world.nthreads; i++) {
			if (sim__world.t[i].state != SIM_T_BLOCKED || !sim__world.lockdep)
				continue;
			fprintf(out, "T%d (%s) holds:\n", i, sim__world.t[i].name);
			sim_lockdep_print_held(out, i);
		}
		fputs("\n*** DEADLOCK ***\n", out);
	}
	fclose(out);
	{
		/* attributed to the first thread of the cycle; the text already
		 * holds the per-thread details */
		struct sim_thread *save = sim__world.cur;
		sim__world.cur = ncyc ? &sim__world.t[cyc[0]] : NULL;
		sim_report(SIM_F_DEADLOCK, false, sig, "%s", text);
		sim__world.cur = save;
	}
	free(text);
}

/*
 * "hang:F,G": the functions where the threads that keep the execution
 * going stand: runnable, sleeping or in a timed wait (a loop that polls,
 * spins or re-waits: the cause of the hang), sorted, once each, no line
 * numbers.  Threads blocked without a timeout (on a mutex, in flush_work,
 * waiting for the looping one) are its victims: the report lists them, the
 * signature leaves them out, so that one cause is one signature whatever
 * the other threads were doing (6.12's reset work polling a queue that
 * never finishes its reset gave 225 signatures in a 30-minute campaign
 * when every thread was named).  When no thread keeps going, every thread
 * that did not exit is named; "hang" when no thread names one.
 */
static bool hang_active(const struct sim_thread *t)
{
	return t->state == SIM_T_RUNNABLE || t->state == SIM_T_SLEEPING ||
	       (t->state == SIM_T_BLOCKED && t->deadline);
}

static void hang_signature(char *sig, size_t len)
{
	const char *names[SIM_MAX_THREADS];
	int nn = 0, o;
	bool any_active = false;

	for (int i = 0; i < sim__world.nthreads; i++)
		any_active |= hang_active(&sim__world.t[i]);
	for (int i = 0; i < sim__world.nthreads; i++) {
		const struct sim_thread *t = &sim__world.t[i];

		if (t->state != SIM_T_EXITED && t->site && t->site->func &&
		    (!any_active || hang_active(t)))
			names[nn++] = t->site->func;
	}
	qsort(names, (size_t)nn, sizeof(names[0]), cmpstr);
	o = snprintf(sig, len, "hang");
	for (int i = 0; i < nn && o >= 0 && (size_t)o < len; i++)
		if (!i || strcmp(names[i], names[i - 1]))
			o += snprintf(sig + o, len - (size_t)o, "%s%s", i ? "," : ":", names[i]);
}

void sim__report_hang(const char *why, int hung_tid)
{
	char sig[256];
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct sim_thread *save = sim__world.cur;

	if (!out)
		return;
	if (hung_tid >= 0)   /* the shape of kernel/hung_task.c's report */
		fprintf(out, "INFO: task T%d (%s) blocked for more than %llu seconds"
			" (steps %llu, virtual time %llu ns)\n", hung_tid,
			sim__world.t[hung_tid].name,
			(unsigned long long)(sim__world.opts.hung_task_ns / 1000000000ULL),
			(unsigned long long)sim__world.step, (unsigned long long)sim__world.now);
	else
		fprintf(out, "INFO: no progress: %s (steps %llu, virtual time %llu ns)\n",
			why, (unsigned long long)sim__world.step,
			(unsigned long long)sim__world.now);
	fprintf(out, "thread states:\n");
	for (int i = 0; i < sim__world.nthreads; i++) {
		const struct sim_thread *t = &sim__world.t[i];
		char sb[96];
		if (t->state == SIM_T_BLOCKED) {
			fputs("  ", out);
			print_blocked(out, t);
		} else {
			fprintf(out, "  T%d (%s) %s at %s\n", i, t->name,
				sim__state_name(t), sim_site_str(t->site, sb, sizeof(sb)));
		}
	}
	/* as the kernel's hung-task report ends (debug_show_all_locks) */
	for (int i = 0, any = 0; sim__world.lockdep && i < sim__world.nthreads; i++) {
		if (sim__world.t[i].state == SIM_T_EXITED || sim_lockdep_depth(i) <= 0)
			continue;
		if (!any++)
			fputs("\nShowing all locks held in the system:\n", out);
		sim_lockdep_print_held(out, i);
	}
	fclose(out);
	sim__world.cur = NULL;
	hang_signature(sig, sizeof(sig));
	sim_report(SIM_F_HANG, false, sig, "%s", text);
	sim__world.cur = save;
	free(text);
}

void sim__report_crash(int sig, int tid, uintptr_t addr)
{
	const struct sim_thread *t = &sim__world.t[tid];
	char sb[96], sigs[128];
	struct sim_thread *save = sim__world.cur;
	const char *sn = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" :
			 sig == SIGFPE ? "SIGFPE" : sig == SIGILL ? "SIGILL" :
			 sig == SIGABRT ? "SIGABRT" : "signal";
	uintptr_t lo = (uintptr_t)t->ctx.stack_lo;

	char where[300], *bt = NULL;
	size_t btlen = 0;
	uintptr_t pcs[BT_FRAMES];
	struct sim_frame fr[BT_FRAMES];
	int n = sim_fault_backtrace(pcs, BT_FRAMES);
	const char *drv = NULL;
	FILE *btf = open_memstream(&bt, &btlen);

	sim_site_str(t->site, sb, sizeof(sb));
	/* Name the faulting code itself when it can be told, else the last
	 * scheduling point. */
	sim_symbolize(sim_fault_pc(), where, sizeof(where));
	n = sim_symbolize_stack(pcs, n, fr, BT_FRAMES);
	if (btf) {
		drv = print_call_trace(btf, fr, n);
		fclose(btf);
	}
	/* The signature names the innermost driver function on the faulting
	 * thread's stack (else the innermost function): no line numbers, no
	 * header helpers, so one bug has one signature at every -O level and
	 * after unrelated hunks (the report keeps the whole text). */
	{
		const char *fn = drv ? drv : strcmp(where, "?") ? where : sb;

		snprintf(sigs, sizeof(sigs), "crash:%s@%.*s", sn, (int)strcspn(fn, " ("), fn);
	}
	sim__world.cur = (struct sim_thread *)t;
	sim_report(SIM_F_CRASH, false, sigs,
		   "BUG: %s in %s\n"
		   "%s in simulated thread T%d (%s)%s\n"
		   "last scheduling point: %s\n"
		   "%s"
		   "the execution was stopped; the process goes on\n",
		   sn, where, sn, tid, t->name,
		   (sig == SIGSEGV || sig == SIGBUS) && addr < 4096 ?
			   " (NULL pointer dereference)" :
		   (sig == SIGSEGV && addr + 4096 >= lo && addr < lo) ?
			   " (stack overflow: guard page hit)" : "",
		   sb, bt ? bt : "");
	free(bt);
	sim__world.cur = save;
}

/*
 * The root-cause group of a finding, from its signature alone (so run,
 * fuzz, review and known files can all compute it, also from JSON):
 * findings of one bug that reach it along different paths or threads
 * share it (docs/review.md, "Root causes").
 *   deadlock:A,B / lock-cycle:A,B / rule:order:A->B / lock-recursive:A
 *                                  -> locks:A,B (the lock classes, sorted)
 *   memory:use-after-free|double-free|invalid-free:ALLOC@F
 *                                  -> freed:ALLOC (a freed object, by its
 *                                     allocator, whoever touches it)
 *   memory:leak:ALLOC@FILE         -> leak:ALLOC
 *   memory:KIND:ALLOC@F            -> memory:KIND:ALLOC
 *   crash:SIG@F, warn:F, bug:F     -> fn:F (the function that faults or WARNs)
 *   lock-not-held:L@F              -> lock-not-held:L (the lock not taken)
 *   bad-unlock:L@F                 -> bad-unlock:L
 *   anything else                  -> the signature itself
 */
static int sim__cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *sim_finding_group(const char *sig, char *buf, size_t len)
{
	static const char *const lockp[] = { "deadlock:", "lock-cycle:", "rule:order:", "lock-recursive:" };
	const char *at = strrchr(sig, '@');

	for (size_t i = 0; i < sizeof(lockp) / sizeof(lockp[0]); i++) {
		size_t pl = strlen(lockp[i]);
		char tmp[256], *names[32], *p, *save = NULL;
		int n = 0, o;

		if (strncmp(sig, lockp[i], pl) || !strncmp(sig, "deadlock:stall:", 15))
			continue;
		snprintf(tmp, sizeof(tmp), "%s", sig + pl);
		/* rule:order:A->B, where a class name may hold "->" itself
		 * ("&matrix_dev->guests_lock"): B starts at "->&", else after
		 * "&x->y" when A starts with '&', else at the first "->" */
		if (i == 2) {
			p = strstr(tmp, "->&");
			if (!p)
				p = strstr(tmp[0] == '&' && strstr(tmp, "->") ? strstr(tmp, "->") + 2 : tmp, "->");
			if (p)
				*p++ = ',', *p = ',';
		}
		for (p = strtok_r(tmp, ",", &save); p && n < 32; p = strtok_r(NULL, ",", &save))
			names[n++] = p;
		qsort(names, (size_t)n, sizeof(names[0]), sim__cmp_cstr);
		o = snprintf(buf, len, "locks:");
		for (int k = 0; k < n && o >= 0 && (size_t)o < len; k++)
			if (!k || strcmp(names[k], names[k - 1]))
				o += snprintf(buf + o, len - (size_t)o, "%s%s", o > 6 ? "," : "", names[k]);
		return buf;
	}
	if (!strncmp(sig, "memory:", 7)) {
		const char *kind = sig + 7, *c = strchr(kind, ':');
		size_t kl = c ? (size_t)(c - kind) : 0;
		const char *alloc = c ? c + 1 : NULL;
		size_t al = alloc ? strcspn(alloc, "@") : 0;

		if (!c || (at && at < c)) {
			snprintf(buf, len, "%s", sig);
		} else if ((kl == 14 && !strncmp(kind, "use-after-free", 14)) ||
			   (kl == 11 && !strncmp(kind, "double-free", 11)) ||
			   (kl == 12 && !strncmp(kind, "invalid-free", 12))) {
			snprintf(buf, len, "freed:%.*s", (int)al, alloc);
		} else if (kl == 4 && !strncmp(kind, "leak", 4)) {
			snprintf(buf, len, "leak:%.*s", (int)al, alloc);
		} else {
			snprintf(buf, len, "memory:%.*s:%.*s", (int)kl, kind, (int)al, alloc);
		}
		return buf;
	}
	if (!strncmp(sig, "crash:", 6) && at) {
		snprintf(buf, len, "fn:%s", at + 1);
		return buf;
	}
	if (!strncmp(sig, "warn:", 5) || !strncmp(sig, "bug:", 4)) {
		snprintf(buf, len, "fn:%s", strchr(sig, ':') + 1);
		return buf;
	}
	if ((!strncmp(sig, "lock-not-held:", 14) || !strncmp(sig, "bad-unlock:", 11)) && at) {
		snprintf(buf, len, "%.*s", (int)(at - sig), sig);
		return buf;
	}
	snprintf(buf, len, "%s", sig);
	return buf;
}

/* "locks:A,B,C" -> the class names (pointers into tmp), sorted */
static int sim__lock_set(const char *key, char *tmp, size_t len, char **names, int max)
{
	char *save = NULL;
	int n = 0;

	if (strncmp(key, "locks:", 6))
		return 0;
	snprintf(tmp, len, "%s", key + 6);
	for (char *p = strtok_r(tmp, ",", &save); p && n < max; p = strtok_r(NULL, ",", &save))
		names[n++] = p;
	return n;
}

/*
 * Can two groups be one root cause?  Equal keys; or two lock groups that
 * share at least two lock classes (the ABBA of a deadlock, the longer cycle
 * lockdep saw through a third lock and the order rule that one of its edges
 * breaks: one lock-order bug), key then the union of the classes.
 */
static bool sim__group_join(char *key, size_t len, const char *other)
{
	char ta[256], tb[256], *a[32], *b[32], *u[64];
	int na, nb, nu = 0, common = 0, o;

	if (!strcmp(key, other))
		return true;
	na = sim__lock_set(key, ta, sizeof(ta), a, 32);
	nb = sim__lock_set(other, tb, sizeof(tb), b, 32);
	if (!na || !nb)
		return false;
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			common += !strcmp(a[i], b[j]);
	if (common < 2)
		return false;
	for (int i = 0; i < na; i++)
		u[nu++] = a[i];
	for (int j = 0; j < nb; j++) {
		bool dup = false;

		for (int i = 0; i < na; i++)
			dup |= !strcmp(a[i], b[j]);
		if (!dup)
			u[nu++] = b[j];
	}
	qsort(u, (size_t)nu, sizeof(u[0]), sim__cmp_cstr);
	{
		char out[256];

		o = snprintf(out, sizeof(out), "locks:");
		for (int i = 0; i < nu && o >= 0 && (size_t)o < sizeof(out); i++)
			o += snprintf(out + o, sizeof(out) - (size_t)o, "%s%s", i ? "," : "", u[i]);
		snprintf(key, len, "%s", out);
	}
	return true;
}

int sim_finding_groups(const char *const *sigs, int n, int *grp, char (*keys)[256])
{
	int ng = 0;
	bool merged = true;

	for (int i = 0; i < n; i++) {
		char k[256];
		int g;

		sim_finding_group(sigs[i], k, sizeof(k));
		for (g = 0; g < ng && !sim__group_join(keys[g], sizeof(keys[g]), k); g++)
			;
		if (g == ng)
			snprintf(keys[ng++], sizeof(keys[0]), "%s", k);
		grp[i] = g;
	}
	/* a group that grew may now join a later one */
	while (merged) {
		merged = false;
		for (int g = 0; g < ng && !merged; g++)
			for (int h = g + 1; h < ng && !merged; h++)
				if (sim__group_join(keys[g], sizeof(keys[g]), keys[h])) {
					for (int i = 0; i < n; i++)
						grp[i] = grp[i] == h ? g : grp[i] > h ? grp[i] - 1 : grp[i];
					memmove(keys[h], keys[h + 1], (size_t)(ng - h - 1) * sizeof(keys[0]));
					ng--;
					merged = true;
				}
	}
	return ng;
}
