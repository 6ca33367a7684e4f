// SPDX-License-Identifier: GPL-2.0
/*
 * driver/kernel/fault.c - the fault points of the shim kernel (fault.h):
 * arming, counting and the trace note of each injected failure.
 *
 * Owns: the per-execution state of every point (armed, nth, errno, calls
 * seen, failures injected).  The services call shim_fault_hit() first thing,
 * before any effect, so an injected failure has the effect the real
 * function's early error return has: nothing changed.
 */
#include <string.h>
#include <apsim/sim.h>
#include "driver/kernel/fault.h"
#include "driver/kernel/genstamp.h"

static const char *const names[SHIM_FP__COUNT] = {
#define SHIM_FAULT_POINT(e, name) [SHIM_FP_##e] = name,
	SHIM_FAULT_POINTS
#undef SHIM_FAULT_POINT
};

static struct {
	uint32_t gen;
	struct {
		bool armed;
		int nth;           /* 0 = every call */
		int err;
		int seen;          /* calls since armed */
		int failed;        /* failures injected */
	} p[SHIM_FP__COUNT];
} F;
SHIM_GEN_STAMP(fault, F.gen);

/* A new execution starts with every point disarmed. */
static void cur(void)
{
	if (F.gen != sim_generation()) {
		memset(&F, 0, sizeof(F));
		F.gen = sim_generation();
	}
}

int shim_fault_lookup(const char *name)
{
	for (int i = 0; name && i < SHIM_FP__COUNT; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

const char *shim_fault_name(enum shim_fault_point p)
{
	return (unsigned int)p < SHIM_FP__COUNT ? names[p] : "?";
}

void shim_fault_arm(enum shim_fault_point p, int nth, int err)
{
	cur();
	if ((unsigned int)p >= SHIM_FP__COUNT)
		return;
	F.p[p].armed = nth >= 0 && err < 0;
	F.p[p].nth = nth;
	F.p[p].err = err;
	F.p[p].seen = 0;
}

void shim_fault_disarm_all(void)
{
	cur();
	for (int i = 0; i < SHIM_FP__COUNT; i++)
		F.p[i].armed = false;
}

int shim_fault_hit(enum shim_fault_point p, const struct sim_site *site)
{
	cur();
	if ((unsigned int)p >= SHIM_FP__COUNT || !F.p[p].armed)
		return 0;
	F.p[p].seen++;
	if (F.p[p].nth != 0 && F.p[p].seen != F.p[p].nth)
		return 0;
	F.p[p].failed++;
	if (sim_trace_enabled())
		sim_trace_note(site, "fault %s: failure injected (%d)", names[p], F.p[p].err);
	return F.p[p].err;
}

int shim_fault_count(enum shim_fault_point p)
{
	cur();
	return (unsigned int)p < SHIM_FP__COUNT ? F.p[p].failed : 0;
}

int shim_fault_err(enum shim_fault_point p)
{
	cur();
	return (unsigned int)p < SHIM_FP__COUNT ? F.p[p].err : 0;
}
