/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/snapshot.c - the core's part of a world snapshot: an execution that
 * starts where an earlier execution of the same exploration stood after its
 * set-up part.
 *
 * Owns: the conditions under which the core's state at such a point is a
 * function of the exploration alone (not of the seed, not of earlier
 * executions), what of it is kept (the step counter, the virtual clock, the
 * wait-queue order counter, where the main thread last stopped, the
 * execution counter the rules checker keys its caches on, the validator's
 * classes and graph, the exhaustive search's position, the findings of the
 * set-up part and the phase), and putting it back.
 *
 * Conditions (else -EAGAIN, and the caller rebuilds as before): the main
 * thread is the only thread ever spawned, no decision was made, nothing was
 * drawn from the seed's streams (scheduler, main thread, host), no fatal
 * finding, no lock held, no timed waiter, race detection off, no replay,
 * the lock graph not kept across executions.  PCT's change points that fall
 * into the set-up part only lower the main thread's priority: they are
 * replayed on restore (one per step, as schedule() does).
 *
 * The shim kernel's memory (its sections, the slab region and its shadow)
 * is the caller's part (driver/kernel/module.c, slab.c).
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct {
	bool valid;
	enum sim_strategy strategy;
	uint64_t step, now, block_seq, preemptions;
	const struct sim_site *site;
	const void *next_obj;
	size_t ex_n;
	uint64_t ex_pending;
	struct sim__ld_snap *ld;
	struct sim__trace_snap *trace;   /* when tracing: the set-up part's events */
	struct sim__findings_snap *findings;   /* the set-up part's findings */
	int nfound;                      /* how many */
	bool brief;                      /* their reports were not written:
					  * only a brief execution takes them */
} snap;

void sim_snapshot_drop(void)
{
	sim__lockdep_snap_free(snap.ld);
	sim__trace_snap_free(snap.trace);
	sim__findings_snap_free(snap.findings);
	memset(&snap, 0, sizeof(snap));
}

int sim_snapshot_save(void)
{
	const struct sim_thread *t = &sim__world.t[0];

	sim_snapshot_drop();
	if (!sim__world.in_run || sim__world.cur != t || sim__world.nthreads != 1 ||
	    sim__world.live != 1 || sim__world.decisions || sim__world.ndec ||
	    sim__world.preemptions || sim__world.timed || sim__race_on ||
	    sim__world.strategy == SIM_STRAT_REPLAY || sim__world.opts.lockdep_keep_graph ||
	    sim__world.stopping || sim__world.deadlock || sim__world.hang ||
	    sim__world.diverged || sim__world.redundant ||
	    sim__world.rng != sim__rng_start || t->rng != sim__t0rng_start ||
	    sim__host_rng() != sim__hostrng_start ||
	    t->nops || t->spin_depth || (sim__world.lockdep && sim__lockdep_depth0()))
		return -EAGAIN;
	snap.ld = sim__lockdep_snap_save();
	if (sim__world.trace)
		snap.trace = sim__trace_snap_save();
	snap.findings = sim__findings_snap_save();
	snap.brief = sim__world.brief_findings;
	snap.nfound = sim_findings_count();
	if (!snap.ld || (sim__world.trace && !snap.trace) || !snap.findings) {
		sim_snapshot_drop();
		return -ENOMEM;
	}
	snap.strategy = sim__world.strategy;
	snap.step = sim__world.step;
	snap.now = sim__world.now;
	snap.block_seq = sim__world.block_seq;
	snap.preemptions = sim__world.preemptions;
	snap.site = t->site;
	snap.next_obj = t->next_obj;
	if (snap.strategy == SIM_STRAT_EXHAUSTIVE)
		sim__explore_snap_get(&snap.ex_n, &snap.ex_pending);
	snap.valid = true;
	return 0;
}

int sim_snapshot_restore(void)
{
	struct sim_thread *t = &sim__world.t[0];

	if (!snap.valid || !sim__world.in_run || sim__world.cur != t ||
	    sim__world.nthreads != 1 || sim__world.step != 0 ||
	    sim__world.strategy != snap.strategy || sim__world.trace != !!snap.trace ||
	    (snap.nfound && sim__world.brief_findings != snap.brief) || sim__race_on)
		return -EINVAL;
	if (snap.strategy == SIM_STRAT_EXHAUSTIVE &&
	    !sim__explore_snap_set(snap.ex_n, snap.ex_pending))
		return -EINVAL;          /* nothing changed */
	if (!sim__findings_snap_restore(snap.findings) ||
	    (snap.trace && !sim__trace_snap_restore(snap.trace))) {
		sim__findings_reset();   /* as the run began */
		if (snap.strategy == SIM_STRAT_EXHAUSTIVE)
			sim__explore_snap_set(0, 0);
		return -ENOMEM;          /* the caller rebuilds from step 0 */
	}
	sim__world.step = snap.step;
	sim__world.now = snap.now;
	sim__world.block_seq = snap.block_seq;
	sim__world.preemptions = snap.preemptions;
	t->site = snap.site;
	t->next_obj = snap.next_obj;
	for (uint64_t s = 1; s <= snap.step && sim__world.pct_next < sim__world.pct_ncp; s++)
		if (s >= sim__world.pct_cp[sim__world.pct_next]) {
			t->prio = (uint64_t)(sim__world.pct_ncp - sim__world.pct_next);
			sim__world.pct_next++;
		}
	sim__lockdep_snap_restore(snap.ld);
	return 0;
}
