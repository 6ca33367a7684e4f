// SPDX-License-Identifier: GPL-2.0
/*
 * sim/calls.c - entry and exit of driver functions in the trace.
 *
 * Owns: the -finstrument-functions hooks (__cyg_profile_func_enter/exit;
 * the real driver is compiled with that flag), the switch that turns their
 * recording on (sim_trace_calls; off, a hook costs one predictable
 * branch), and the names of the recorded functions: resolved when a trace
 * is printed, all unknown addresses in one addr2line run.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static bool calls_on;

int sim_trace_calls(bool on)
{
#ifdef APSIM_TRACE_CALLS
	calls_on = on;
	return 0;
#else
	return on ? -ENOTSUP : 0;   /* the driver has no hooks (TRACE_CALLS=0) */
#endif
}

#define NO_INSTR __attribute__((no_instrument_function))

void __cyg_profile_func_enter(void *fn, void *call_site) NO_INSTR;
void __cyg_profile_func_exit(void *fn, void *call_site) NO_INSTR;

static void NO_INSTR record(bool enter, void *fn)
{
	if (!sim__world.trace || !sim__world.cur)
		return;
	sim__trace_call(sim__world.cur->tid, enter, (uintptr_t)fn);
}

void __cyg_profile_func_enter(void *fn, void *call_site)
{
	if (__builtin_expect(calls_on, 0))
		record(true, fn);
}

void __cyg_profile_func_exit(void *fn, void *call_site)
{
	if (__builtin_expect(calls_on, 0))
		record(false, fn);
}

/* ------------------------------------------------------------- names */

struct fn_name {
	uintptr_t pc;
	char *name;     /* "func" */
	char *where;    /* "file.c:line" of its definition, or NULL */
};

static struct fn_name *names;
static size_t nnames, cap_names;

static int cmp_pc(const void *a, const void *b)
{
	uintptr_t x = ((const struct fn_name *)a)->pc, y = ((const struct fn_name *)b)->pc;

	return x < y ? -1 : x > y;
}

static struct fn_name *lookup(uintptr_t pc)
{
	struct fn_name key = { .pc = pc };

	return nnames ? bsearch(&key, names, nnames, sizeof(*names), cmp_pc) : NULL;
}

static void add_name(uintptr_t pc, const char *name, const char *where)
{
	if (nnames == cap_names) {
		size_t nc = cap_names ? cap_names * 2 : 64;
		struct fn_name *p = realloc(names, nc * sizeof(*p));

		if (!p)
			return;
		names = p;
		cap_names = nc;
	}
	names[nnames].pc = pc;
	names[nnames].name = strdup(name);
	names[nnames].where = where ? strdup(where) : NULL;
	nnames++;
}

/*
 * Resolve the n addresses in pcs (of one object, the executable) with one
 * `addr2line -f -e OBJ ADDR...` (an argument vector, no shell): it prints
 * two lines per address, function and file:line.
 */
static void resolve_batch(const char *obj, uintptr_t base, const uintptr_t *pcs, size_t n)
{
	char **argv = calloc(n + 5, sizeof(*argv));
	char *hex = malloc(n * 24);
	char func[256], loc[512];
	pid_t pid;
	FILE *f;
	size_t i;

	if (!argv || !hex)
		goto out;
	argv[0] = "addr2line";
	argv[1] = "-f";
	argv[2] = "-e";
	argv[3] = (char *)obj;
	for (i = 0; i < n; i++) {
		snprintf(hex + i * 24, 24, "0x%lx", (unsigned long)(pcs[i] - base));
		argv[4 + i] = hex + i * 24;
	}
	f = sim__pipe_from(argv, &pid);
	if (!f)
		goto out;
	for (i = 0; i < n && fgets(func, sizeof(func), f); i++) {
		const char *slash;

		func[strcspn(func, "\n")] = 0;
		if (!fgets(loc, sizeof(loc), f))
			loc[0] = 0;
		loc[strcspn(loc, " \n")] = 0;
		slash = strrchr(loc, '/');
		add_name(pcs[i], func[0] && strcmp(func, "??") ? func : "?",
			 loc[0] && loc[0] != '?' ? (slash ? slash + 1 : loc) : NULL);
	}
	fclose(f);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
out:
	/* what addr2line did not answer stays unnamed, once */
	for (i = 0; i < n; i++) {
		bool known = false;

		for (size_t j = 0; j < nnames && !known; j++)
			known = names[j].pc == pcs[i];
		if (!known)
			add_name(pcs[i], "?", NULL);
	}
	qsort(names, nnames, sizeof(*names), cmp_pc);
	free(argv);
	free(hex);
}

void sim__calls_resolve(const uintptr_t *pcs, size_t n)
{
	uintptr_t *todo = malloc((n ? n : 1) * sizeof(*todo));
	Dl_info di;
	size_t m = 0;

	if (!todo)
		return;
	for (size_t i = 0; i < n; i++) {
		bool dup = lookup(pcs[i]) != NULL;

		for (size_t j = 0; j < m && !dup; j++)
			dup = todo[j] == pcs[i];
		if (!dup)
			todo[m++] = pcs[i];
	}
	/* the driver is linked into the executable: one object, one run */
	if (m && dladdr((void *)todo[0], &di) && di.dli_fname) {
		resolve_batch(di.dli_fname, (uintptr_t)di.dli_fbase, todo, m);
	} else if (m) {
		for (size_t i = 0; i < m; i++)
			add_name(todo[i], "?", NULL);
		qsort(names, nnames, sizeof(*names), cmp_pc);
	}
	free(todo);
}

const char *sim__calls_name(uintptr_t pc, const char **where)
{
	const struct fn_name *f = lookup(pc);

	*where = f ? f->where : NULL;
	return f ? f->name : "?";
}
