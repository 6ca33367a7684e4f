// SPDX-License-Identifier: GPL-2.0
/*
 * sim/calls.c - entry and exit of driver functions in the trace.
 *
 * Owns: the -finstrument-functions hooks (__cyg_profile_func_enter/exit;
 * the real driver is compiled with that flag), the switch that turns their
 * recording on (sim_trace_calls; off, a hook costs one predictable
 * branch), and the names of the recorded functions: resolved when a trace
 * is printed (symbolize.c's frame cache: 64 addresses per addr2line run).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

/* Names come from symbolize.c's cache of inline chains (one addr2line run
 * per 64 addresses); a function's entry address is its own innermost frame. */
void sim__calls_resolve(const uintptr_t *pcs, size_t n)
{
	sim__frames_fill(pcs, (int)n);
}

const char *sim__calls_name(uintptr_t pc, const char **where)
{
	static char loc[96];
	int k;
	const struct sim_frame *f = sim__frames_of(pc, &k);

	*where = NULL;
	if (!k)
		return "?";
	if (strcmp(f[0].file, "?")) {
		snprintf(loc, sizeof(loc), "%s:%d", f[0].file, f[0].line);
		*where = loc;
	}
	return f[0].func;
}
