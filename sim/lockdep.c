/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/lockdep.c - the lock validator (lockdep semantics).
 *
 * Owns: lock classes, per-thread held-lock stacks, the lock dependency
 * graph, the chain-key cache, and the checks (recursion, circular
 * dependency, bad unlock, assert_held, held at thread exit).
 *
 * STUB: no-op versions so the rest of libsim links; the real validator
 * replaces this file shortly.
 */
#include <apsim/sim.h>

void sim__lockdep_reset(bool keep_graph);
void sim__lockdep_thread_exit(int tid);

void sim__lockdep_reset(bool keep_graph) { (void)keep_graph; }
void sim__lockdep_thread_exit(int tid) { (void)tid; }

void sim_lockdep_init_map(struct sim_lockdep_map *m, const char *name,
			  const struct sim_lock_class_key *key,
			  const struct sim_site *site)
{
	m->key = key;
	m->name = name;
	m->init_site = site;
	m->class_cache[0] = m->class_cache[1] = 0;
	m->generation = 0;
}

void sim_lockdep_acquire(struct sim_lockdep_map *m, int subclass,
			 enum sim_lock_read read, bool trylock,
			 const struct sim_site *site) { }
void sim_lockdep_release(struct sim_lockdep_map *m, const struct sim_site *site) { }
bool sim_lockdep_is_held(const struct sim_lockdep_map *m, int read) { return true; }
void sim_lockdep_assert_held(const struct sim_lockdep_map *m, int read,
			     const struct sim_site *site) { }
int sim_lockdep_depth(int tid) { return 0; }
void sim_lockdep_print_held(FILE *out, int tid) { }
int sim_lockdep_held_maps(int tid, const struct sim_lockdep_map **out, int max) { return 0; }
void sim_lockdep_dot(FILE *out) { fprintf(out, "digraph lockdep {\n}\n"); }
