/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/lockdep.h - private interface of the lock validator.
 *
 * Owns: the validator's data structures (lock classes, dependency edges,
 * per-thread held-lock stacks, reported cycles) shared between
 * sim/lockdep.c (the checks and the graph) and sim/lockdep_report.c (the
 * lockdep-shaped report text and the DOT output), plus a few test-only
 * introspection functions.  Nothing outside the validator and its unit
 * test includes this file.
 */
#ifndef APSIM_LOCKDEP_H
#define APSIM_LOCKDEP_H

#include <apsim/sim.h>

#define LD_MAX_CLASSES    512      /* class ids 1..511 (0 = none) */
#define LD_MAX_EDGES      8192
#define LD_CHAIN_SLOTS    16384    /* open addressing, power of two */
#define LD_CHAIN_MAX      15360    /* fill limit (keeps probes short) */
#define LD_MAX_DEPTH      48
#define LD_MAX_SUBCLASS   8
#define LD_NAME_LEN       80
#define LD_OP_LEN         64
#define LD_TNAME_LEN      32
#define LD_MAX_REPORTED   256      /* distinct reported signatures kept */
#define LD_MAX_CLOSERS    256      /* cycle-closing edges remembered for DOT */
#define LD_TRACE_PCS      16       /* return addresses kept per dependency */

/* Dependency type bits of an edge prev -> next (lockdep's SR/ER/SN/EN):
 * bit0 = prev held exclusively, bit1 = next taken non-recursively. */
#define LD_DEP_SR 0x1u
#define LD_DEP_ER 0x2u
#define LD_DEP_SN 0x4u
#define LD_DEP_EN 0x8u

struct ld_class {
	const void *key;               /* identity: key address (+ subclass) */
	const struct sim_site *init_site;
	int first_after, last_after;   /* edge list (insertion order), -1 = none */
	uint8_t subclass;
	bool unkeyed;                  /* map had no key: keyed by instance */
	uint16_t version;              /* lockdep's name_version (#n suffix) */
	char base[LD_NAME_LEN];        /* the map's name */
	char name[LD_NAME_LEN];        /* display name: base[#n][/sub] */
	uint64_t name_hash;            /* of name, 0 = not computed yet */
};

/* The first occurrence of a dependency, kept for reports. */
struct ld_edge {
	uint16_t from, to;
	uint8_t dep;                   /* LD_DEP_* mask */
	bool in_cycle;                 /* part of a reported cycle */
	int next;                      /* next edge of `from`, -1 = end */
	const struct sim_site *prev_site, *next_site;
	uint8_t prev_read, next_read;
	int tid;
	char thread[LD_TNAME_LEN];
	char op[LD_OP_LEN];
	/* the stack that took `to` (lockdep's save_trace), innermost first */
	int npcs;
	uintptr_t pcs[LD_TRACE_PCS];
};

struct ld_held {
	const struct sim_lockdep_map *map;
	const struct sim_site *site;
	struct sim_label *op;          /* op label at acquisition, or NULL */
	uint64_t chain_key;            /* chain key including this entry */
	uint16_t cls;
	uint8_t read;
	uint8_t trylock;
};

struct ld_thread {
	int depth;
	int lost;                      /* acquisitions not recorded (overflow) */
	struct ld_held h[LD_MAX_DEPTH];
	/* h[i].map for i < depth, contiguous (sim_lockdep_held_stack) */
	const struct sim_lockdep_map *maps[LD_MAX_DEPTH];
};

/* A found cycle: path[0] = next's class ... path[n-1] = prev's class,
 * edges[i] connects path[i] -> path[i+1]; the new edge prev -> next
 * closes it. */
struct ld_cycle {
	int n;
	uint16_t path[LD_MAX_CLASSES];
	int edges[LD_MAX_CLASSES];
};

extern struct ld_class ld_classes[LD_MAX_CLASSES];
extern int ld_nclasses;                       /* ids 1..ld_nclasses-1 used */
extern struct ld_edge ld_edges[LD_MAX_EDGES];
extern int ld_nedges;
extern struct ld_thread ld_threads[SIM_MAX_THREADS];
struct ld_closer { uint16_t from, to; uint8_t dep; };
extern struct ld_closer ld_closers[LD_MAX_CLOSERS];
extern int ld_ncloser;

/* ---- lockdep_report.c ---- */
/* "(name)" style lock text of a held entry / a class. */
void ld_fmt_site(char *buf, size_t len, const struct sim_site *s);
void ld_print_held_list(FILE *out, int tid);
void ld_report_cycle(int tid, const struct ld_held *prev,
		     const struct ld_held *next, const struct ld_cycle *cy,
		     const char *signature);
void ld_report_recursive(int tid, const struct ld_held *prev,
			 const struct ld_held *next, const char *signature);
void ld_report_bad_unlock(int tid, const struct sim_lockdep_map *m,
			  const struct sim_site *site);
void ld_report_not_held(int tid, const struct sim_lockdep_map *m, int read,
			const struct sim_site *site);
void ld_report_held_exit(int tid, const struct ld_held *h);
void ld_report_overflow(const char *what, const char *detail);
/* Display name of a map that may have no class (yet). */
const char *ld_map_name(const struct sim_lockdep_map *m, char *buf, size_t len);
const char *ld_thread_name(int tid);

/* ---- test-only introspection (lockdep.c) ---- */
/* Number of full chain validations (chain-cache misses) since the last
 * graph reset. */
uint64_t sim__lockdep_validations(void);
int sim__lockdep_nclasses(void);   /* registered classes */
/* Does the graph hold an edge between the classes named a and b?
 * Returns its LD_DEP_* mask, 0 if none. */
unsigned sim__lockdep_edge_dep(const char *from, const char *to);

/* Hooks called by the scheduler (also declared in sim/internal.h). */
void sim__lockdep_reset(bool keep_graph);
void sim__lockdep_thread_exit(int tid);

#endif /* APSIM_LOCKDEP_H */
