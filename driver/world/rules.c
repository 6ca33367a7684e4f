// SPDX-License-Identifier: GPL-2.0
/*
 * driver/world/rules.c - the locking document as executable rules.
 *
 * Loads a rules file (rules/vfio-ap-locking.rules is built in; users can
 * pass an edited copy) and checks it at every scheduling point.  The
 * simulation is sequential, so a watched field that changed since the last
 * point was changed by the thread that just ran: its held locks must include
 * every lock the rule requires.  The global order is checked on the held
 * stack of that thread.  Violations are SIM_F_RULE findings.
 *
 * Owns: the rules parser, field snapshots, the order check.
 */
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/kvm_host.h>
#include "vfio_ap_private.h"

#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/s390.h"
#include "driver/world/world.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field_id {
	F_MDEV_KVM, F_MDEV_MATRIX, F_MDEV_SHADOW, F_MDEV_LIST, F_KVM_HOOK, F_KVM_APCB,
	F__COUNT
};

static const char *const field_names[F__COUNT] = {
	"matrix_mdev.kvm", "matrix_mdev.matrix", "matrix_mdev.shadow_apcb",
	"matrix_dev.mdev_list", "kvm.pqap_hook", "kvm.apcb",
};

#define MAX_REQ 6
#define MAX_ORDER 12
#define NAME_LEN 64

struct req {
	char lock[NAME_LEN];
	int mode;                 /* -1 any, 0 write, 1 read */
};

static struct {
	int nreq[F__COUNT];
	struct req req[F__COUNT][MAX_REQ];
	int norder;
	char order[MAX_ORDER][NAME_LEN];
	bool loaded;
	bool enabled;
} R;

/*
 * Lock names are string literals (the mutex_init argument), so a small
 * cache from name pointer to rank spares the string compares on the hot
 * path (this runs at every scheduling point).
 */
#define RANK_CACHE 64
static struct {
	const char *name;
	int rank;
} rank_cache[RANK_CACHE];
static int nrank_cache;

extern const char apsim_rules_default[];

/* ---------------------------------------------------------------- parser */

static int perr(char *err, size_t len, const char *file, int line, int col,
		const char *what)
{
	snprintf(err, len, "%s:%d:%d: error: %s", file, line, col, what);
	return -EINVAL;
}

static char *skip_ws(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Read one lock name token (up to ',', white space or end; lock names such
 * as &kvm->lock contain "->", so the order separator must stand alone). */
static char *read_name(char *p, char *out)
{
	int n = 0;

	p = skip_ws(p);
	while (*p && *p != ',' && *p != ' ' && *p != '\t') {
		if (n < NAME_LEN - 1)
			out[n++] = *p;
		p++;
	}
	out[n] = 0;
	return p;
}

static int parse_rules(const char *text, const char *file, char *err, size_t errlen)
{
	char *buf = strdup(text), *line, *next;
	int lineno = 0, rc = 0;

	memset(&R, 0, sizeof(R));
	nrank_cache = 0;
	for (line = buf; line; line = next) {
		char *p, word[NAME_LEN];

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		p = skip_ws(line);
		if (!*p || *p == '#')
			continue;
		p = read_name(p, word);
		if (!strcmp(word, "order")) {
			while (*(p = skip_ws(p))) {
				if (R.norder >= MAX_ORDER) {
					rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "too many locks in the order (max 12)");
					goto out;
				}
				p = read_name(p, R.order[R.norder]);
				if (!R.order[R.norder][0]) {
					rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "expected a lock name");
					goto out;
				}
				R.norder++;
				p = skip_ws(p);
				if (p[0] == '-' && p[1] == '>' && (p[2] == ' ' || p[2] == '\t'))
					p += 2;
				else if (*p) {
					rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "expected ' -> ' between lock names");
					goto out;
				}
			}
		} else if (!strcmp(word, "field")) {
			int f;

			p = read_name(p, word);
			for (f = 0; f < F__COUNT; f++)
				if (!strcmp(word, field_names[f]))
					break;
			if (f == F__COUNT) {
				rc = perr(err, errlen, file, lineno, (int)(p - line) - (int)strlen(word) + 1,
					  "expected a watched field (matrix_mdev.kvm, matrix_mdev.matrix, matrix_mdev.shadow_apcb, matrix_dev.mdev_list, kvm.pqap_hook, kvm.apcb)");
				goto out;
			}
			p = read_name(p, word);
			if (strcmp(word, "requires")) {
				rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "expected 'requires'");
				goto out;
			}
			while (*(p = skip_ws(p))) {
				struct req *q;

				if (R.nreq[f] >= MAX_REQ) {
					rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "too many locks for one field (max 6)");
					goto out;
				}
				q = &R.req[f][R.nreq[f]];
				q->mode = -1;
				p = read_name(p, q->lock);
				if (!strcmp(q->lock, "write") || !strcmp(q->lock, "read")) {
					q->mode = q->lock[0] == 'w' ? 0 : 1;
					p = read_name(p, q->lock);
				}
				if (!q->lock[0]) {
					rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "expected a lock name");
					goto out;
				}
				R.nreq[f]++;
				p = skip_ws(p);
				if (*p == ',')
					p++;
				else if (*p) {
					rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "expected ',' between lock names");
					goto out;
				}
			}
		} else {
			rc = perr(err, errlen, file, lineno, (int)(p - line) - (int)strlen(word) + 1,
				  "expected 'order' or 'field'");
			goto out;
		}
	}
	R.loaded = true;
out:
	free(buf);
	return rc;
}

int apsim_rules_load(const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *text;
	long n;
	int rc;

	if (!path)
		return parse_rules(apsim_rules_default, "rules/vfio-ap-locking.rules", err, errlen);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: error: %s", path, strerror(errno));
		return -errno;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || n > (1 << 20)) {
		fclose(f);
		snprintf(err, errlen, "%s: error: not a rules file", path);
		return -EINVAL;
	}
	text = calloc(1, n + 1);
	if (fread(text, 1, n, f) != (size_t)n)
		n = 0;
	fclose(f);
	rc = parse_rules(text, path, err, errlen);
	free(text);
	return rc;
}

/* -------------------------------------------------------------- snapshots */

#define MAX_WATCH 32

struct snap {
	const void *obj;          /* identity only: never printed */
	uint64_t v[F__COUNT];
	struct ap_matrix matrix, shadow;   /* copies of the watched fields */
	bool valid;
};

static struct snap mdev_snap[MAX_WATCH], kvm_snap[MAX_WATCH];
static uint64_t list_hash;
static bool list_valid;
static uint32_t snap_gen;

static bool holds(int tid, const struct req *q, const struct sim_lockdep_map **held, int nheld)
{
	for (int i = 0; i < nheld; i++)
		if (!strcmp(held[i]->name, q->lock)) {
			if (q->mode < 0 || tid != sim_tid())
				return true;
			return sim_lockdep_is_held(held[i], q->mode);
		}
	return false;
}

static void check_field(int tid, enum field_id f, int idx)
{
	const struct sim_lockdep_map *held[48];
	int nheld = sim_lockdep_held_maps(tid, held, 48);

	for (int i = 0; i < R.nreq[f]; i++) {
		const struct req *q = &R.req[f][i];
		char sig[200];

		if (holds(tid, q, held, nheld))
			continue;
		snprintf(sig, sizeof(sig), "rule:%s:%s", field_names[f], q->lock);
		sim_report(SIM_F_RULE, false, sig,
			   "apsim: locking rule violated (Documentation/s390/vfio-ap-locking.rst)\n"
			   "%s/%d changed %s%s without holding %s%s\n"
			   "rule: field %s requires%s %s\n"
			   "while doing: %s\n",
			   sim_thread_name(tid), tid, field_names[f],
			   idx >= 0 ? " (of one instance)" : "",
			   q->mode == 0 ? "for write " : q->mode == 1 ? "for read " : "",
			   q->lock, field_names[f],
			   q->mode == 0 ? " write" : q->mode == 1 ? " read" : "", q->lock,
			   sim_op_label(tid));
	}
}

static int order_rank(const char *name)
{
	int rank = -1;

	for (int i = 0; i < nrank_cache; i++)
		if (rank_cache[i].name == name)
			return rank_cache[i].rank;
	for (int r = 0; r < R.norder; r++)
		if (!strcmp(name, R.order[r]))
			rank = r;
	if (nrank_cache < RANK_CACHE) {
		rank_cache[nrank_cache].name = name;
		rank_cache[nrank_cache].rank = rank;
		nrank_cache++;
	}
	return rank;
}

/* The held stack each thread was last checked with (per execution): the
 * order can only change when the stack does, which most points do not. */
static struct {
	uint32_t gen;
	int n;
	const struct sim_lockdep_map *held[48];
} order_seen[SIM_MAX_THREADS];

static void check_order(int tid)
{
	const struct sim_lockdep_map *held[48];
	int nheld = sim_lockdep_held_maps(tid, held, 48);
	int last = -1;
	const char *last_name = NULL;

	if (tid < SIM_MAX_THREADS) {
		if (order_seen[tid].gen == sim_generation() && order_seen[tid].n == nheld &&
		    !memcmp(order_seen[tid].held, held, sizeof(held[0]) * (size_t)nheld))
			return;
		order_seen[tid].gen = sim_generation();
		order_seen[tid].n = nheld;
		memcpy(order_seen[tid].held, held, sizeof(held[0]) * (size_t)nheld);
	}

	for (int i = 0; i < nheld; i++) {
		int rank = order_rank(held[i]->name);

		if (rank < 0)
			continue;
		if (rank < last) {
			char sig[200];

			snprintf(sig, sizeof(sig), "rule:order:%s->%s", last_name, held[i]->name);
			sim_report(SIM_F_RULE, false, sig,
				   "apsim: locking order violated (Documentation/s390/vfio-ap-locking.rst)\n"
				   "%s/%d took %s while holding %s\n"
				   "rule: the order is %s first, ... (see the rules file)\n"
				   "while doing: %s\n",
				   sim_thread_name(tid), tid, held[i]->name, last_name,
				   R.order[0], sim_op_label(tid));
		}
		if (rank > last) {
			last = rank;
			last_name = held[i]->name;
		}
	}
}

static void rules_point(int tid, void *arg)
{
	struct ap_matrix_mdev *mm;
	int n = 0;
	uint64_t lh = 0xcbf29ce484222325ULL;

	(void)arg;
	if (!apsim_world_driver_live() || !matrix_dev || tid < 0)
		return;
	if (snap_gen != sim_generation()) {
		snap_gen = sim_generation();
		memset(mdev_snap, 0, sizeof(mdev_snap));
		memset(kvm_snap, 0, sizeof(kvm_snap));
		list_valid = false;
	}
	if (R.norder)
		check_order(tid);
	/* mdev_list membership and per-mdev fields */
	list_for_each_entry(mm, &matrix_dev->mdev_list, node) {
		lh = (lh ^ (uint64_t)(uintptr_t)mm) * 0x100000001b3ULL;
		if (n < MAX_WATCH) {
			struct snap *s = NULL;

			for (int i = 0; i < MAX_WATCH; i++)
				if (mdev_snap[i].valid && mdev_snap[i].obj == mm)
					s = &mdev_snap[i];
			if (!s) {
				for (int i = 0; i < MAX_WATCH && !s; i++)
					if (!mdev_snap[i].valid)
						s = &mdev_snap[i];
				if (s) {
					s->valid = true;
					s->obj = mm;
					s->v[F_MDEV_KVM] = (uint64_t)(uintptr_t)mm->kvm;
					s->matrix = mm->matrix;
					s->shadow = mm->shadow_apcb;
				}
			} else {
				if (s->v[F_MDEV_KVM] != (uint64_t)(uintptr_t)mm->kvm) {
					check_field(tid, F_MDEV_KVM, n);
					s->v[F_MDEV_KVM] = (uint64_t)(uintptr_t)mm->kvm;
				}
				if (memcmp(&s->matrix, &mm->matrix, sizeof(s->matrix))) {
					check_field(tid, F_MDEV_MATRIX, n);
					s->matrix = mm->matrix;
				}
				if (memcmp(&s->shadow, &mm->shadow_apcb, sizeof(s->shadow))) {
					check_field(tid, F_MDEV_SHADOW, n);
					s->shadow = mm->shadow_apcb;
				}
			}
		}
		n++;
	}
	if (list_valid && lh != list_hash) {
		check_field(tid, F_MDEV_LIST, -1);
		/* forget snapshots of mdevs no longer listed */
		for (int i = 0; i < MAX_WATCH; i++) {
			bool found = false;

			if (!mdev_snap[i].valid)
				continue;
			list_for_each_entry(mm, &matrix_dev->mdev_list, node)
				if (mdev_snap[i].obj == mm)
					found = true;
			if (!found)
				mdev_snap[i].valid = false;
		}
	}
	list_hash = lh;
	list_valid = true;
	/* kvm fields */
	for (int k = 0; k < shim_kvm_count() && k < MAX_WATCH; k++) {
		struct kvm *kvm = shim_kvm_get(k);
		struct snap *s = &kvm_snap[k];
		uint64_t hook, apcb;

		if (!kvm) {
			s->valid = false;
			continue;
		}
		hook = (uint64_t)(uintptr_t)kvm->arch.crypto.pqap_hook;
		apcb = (uint64_t)shim_kvm_masks_updates(kvm);
		if (s->valid && s->obj == kvm) {
			if (s->v[F_KVM_HOOK] != hook)
				check_field(tid, F_KVM_HOOK, k);
			if (s->v[F_KVM_APCB] != apcb)
				check_field(tid, F_KVM_APCB, k);
		}
		s->valid = true;
		s->obj = kvm;
		s->v[F_KVM_HOOK] = hook;
		s->v[F_KVM_APCB] = apcb;
	}
}

void apsim_rules_enable(bool on)
{
	char err[256];

	if (on && !R.loaded && apsim_rules_load(NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "apsim: built-in rules: %s\n", err);
		return;
	}
	R.enabled = on;
	sim_set_point_hook(on ? rules_point : NULL, NULL);
}

/* ------------------------------------------------------ world snapshots */

/*
 * The checker's part of a world snapshot (driver/world/world.c): its
 * per-execution caches as the set-up part left them.  They are valid for
 * the execution counter (sim_generation) they carry; the restored execution
 * has a new counter, so what was current at the snapshot is copied and
 * stamped with it, and the rest stays stale.  The rules themselves and the
 * rank cache do not change within an exploration.
 */
static struct {
	uint32_t gen;             /* sim_generation() at the snapshot */
	uint32_t snap_gen;
	uint64_t list_hash;
	bool list_valid;
	struct snap mdev[MAX_WATCH], kvm[MAX_WATCH];
	__typeof__(order_seen[0]) order[SIM_MAX_THREADS];
} rs;

void apsim_rules_snapshot_save(void)
{
	rs.gen = sim_generation();
	rs.snap_gen = snap_gen;
	rs.list_hash = list_hash;
	rs.list_valid = list_valid;
	for (int i = 0; i < MAX_WATCH; i++) {
		rs.mdev[i] = mdev_snap[i];
		rs.kvm[i] = kvm_snap[i];
	}
	for (int t = 0; t < SIM_MAX_THREADS; t++) {
		rs.order[t].gen = order_seen[t].gen;
		if (order_seen[t].gen == rs.gen) {
			rs.order[t].n = order_seen[t].n;
			memcpy(rs.order[t].held, order_seen[t].held,
			       sizeof(order_seen[t].held[0]) * (size_t)order_seen[t].n);
		}
	}
}

/* At the start of an execution restored from the snapshot (no point yet). */
void apsim_rules_snapshot_restore(void)
{
	uint32_t g = sim_generation();

	if (rs.snap_gen == rs.gen) {
		snap_gen = g;
		list_hash = rs.list_hash;
		list_valid = rs.list_valid;
		for (int i = 0; i < MAX_WATCH; i++) {
			if (rs.mdev[i].valid || mdev_snap[i].valid)
				mdev_snap[i] = rs.mdev[i];
			if (rs.kvm[i].valid || kvm_snap[i].valid)
				kvm_snap[i] = rs.kvm[i];
		}
	}   /* else no point of the set-up part saw the driver: stale anyway */
	for (int t = 0; t < SIM_MAX_THREADS; t++)
		if (rs.order[t].gen == rs.gen) {
			order_seen[t].gen = g;
			order_seen[t].n = rs.order[t].n;
			memcpy(order_seen[t].held, rs.order[t].held,
			       sizeof(order_seen[t].held[0]) * (size_t)rs.order[t].n);
		}
}
