/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/shrink.c - greedy scenario shrinker (see shrink.h).
 *
 * Owns: the reduction passes and their order (threads, thread ops, setup ops,
 * faults, host ids, PCT depth), repeated until no pass makes progress or the
 * candidate budget is spent.  Each pass tries one removal at a time and keeps
 * it when the predicate still holds; a setup op whose removal breaks the
 * reproduction (or the cross-reference rule) is kept.
 */
#include <string.h>

#include "fuzz/shrink.h"
#include "fuzz/gen.h"

bool apsim_scn_refs_ok(const struct apsim_scenario *s)
{
	bool mdev[APSIM_MAX_MDEVS] = { false };
	int vcpus[APSIM_MAX_KVMS] = { 0 };

	if (s->allow_undeclared)
		return true;
	for (int pass = 0; pass < 2; pass++)
		for (int t = -1; t < s->nthreads; t++) {
			const struct apsim_op *ops = t < 0 ? s->setup : s->threads[t].ops;
			int n = t < 0 ? s->nsetup : s->threads[t].nops;

			if (t >= 0 && n == 0)
				return false;     /* the parser wants an op per thread */
			for (int k = 0; k < n; k++) {
				const struct apsim_op *o = &ops[k];

				if (pass == 0) {
					if (o->kind == APSIM_OP_MDEV_CREATE && o->mdev >= 0 &&
					    o->mdev < APSIM_MAX_MDEVS)
						mdev[o->mdev] = true;
					if (o->kind == APSIM_OP_KVM_CREATE && o->kvm >= 0 &&
					    o->kvm < APSIM_MAX_KVMS && vcpus[o->kvm] < o->arg)
						vcpus[o->kvm] = (int)o->arg;
					continue;
				}
				if (o->mdev >= 0 && (o->mdev >= APSIM_MAX_MDEVS || !mdev[o->mdev]))
					return false;
				if (o->kvm >= 0 && (o->kvm >= APSIM_MAX_KVMS || !vcpus[o->kvm]))
					return false;
				if (o->vcpu >= 0 && o->kvm >= 0 && o->vcpu >= vcpus[o->kvm])
					return false;
			}
		}
	return true;
}

struct shr {
	struct apsim_scenario *best;
	struct apsim_scenario cand;
	apsim_shrink_fn fn;
	void *arg;
	int max;
	struct apsim_shrink_stats *st;
};

/* Try cand: if valid and it reproduces, it becomes best.  false when the
 * budget is spent (and nothing was tried). */
static bool try_cand(struct shr *h, bool *ok)
{
	*ok = false;
	if (!apsim_scn_refs_ok(&h->cand))
		return true;              /* invalid: not a candidate, costs nothing */
	if (h->st->candidates >= h->max) {
		h->st->capped = true;
		return false;
	}
	h->st->candidates++;
	if (h->fn(&h->cand, h->arg)) {
		memcpy(h->best, &h->cand, sizeof(h->cand));
		h->st->accepted++;
		*ok = true;
	}
	return true;
}

static void del_op(struct apsim_op *ops, int *n, int i)
{
	memmove(&ops[i], &ops[i + 1], sizeof(ops[0]) * (size_t)(*n - i - 1));
	(*n)--;
	memset(&ops[*n], 0, sizeof(ops[0]));
}

static void del_thread(struct apsim_scenario *s, int t)
{
	memmove(&s->threads[t], &s->threads[t + 1],
		sizeof(s->threads[0]) * (size_t)(s->nthreads - t - 1));
	s->nthreads--;
	memset(&s->threads[s->nthreads], 0, sizeof(s->threads[0]));
}

#define TRY() do { if (!try_cand(h, &ok)) return -1; if (ok) progress++; } while (0)

/* Each pass returns the number of accepted steps, or -1 when out of budget. */
static int pass_threads(struct shr *h)
{
	int progress = 0;
	bool ok;

	for (int t = h->best->nthreads - 1; t >= 0; t--) {
		memcpy(&h->cand, h->best, sizeof(h->cand));
		del_thread(&h->cand, t);
		TRY();
	}
	return progress;
}

static int pass_thread_ops(struct shr *h)
{
	int progress = 0;
	bool ok;

	for (int t = h->best->nthreads - 1; t >= 0; t--)
		for (int i = h->best->threads[t].nops - 1; i >= 0; i--) {
			if (h->best->threads[t].nops <= 1)
				break;    /* dropping the last op = dropping the thread */
			memcpy(&h->cand, h->best, sizeof(h->cand));
			del_op(h->cand.threads[t].ops, &h->cand.threads[t].nops, i);
			TRY();
		}
	return progress;
}

static int pass_setup_ops(struct shr *h)
{
	int progress = 0;
	bool ok;

	/* from the end: later ops depend on earlier ones, not the reverse */
	for (int i = h->best->nsetup - 1; i >= 0; i--) {
		memcpy(&h->cand, h->best, sizeof(h->cand));
		del_op(h->cand.setup, &h->cand.nsetup, i);
		TRY();
	}
	return progress;
}

static int pass_faults(struct shr *h)
{
	int progress = 0;
	bool ok;

	for (int i = h->best->nfaults - 1; i >= 0; i--) {
		struct apsim_scenario *c = &h->cand;

		memcpy(c, h->best, sizeof(*c));
		memmove(&c->faults[i], &c->faults[i + 1],
			sizeof(c->faults[0]) * (size_t)(c->nfaults - i - 1));
		c->nfaults--;
		memset(&c->faults[c->nfaults], 0, sizeof(c->faults[0]));
		TRY();
	}
	return progress;
}

static int pass_host(struct shr *h)
{
	int progress = 0;
	bool ok;

	for (int which = 0; which < 3; which++)
		for (int id = 255; id >= 0; id--) {
			uint8_t *m = which == 0 ? h->best->cfg.apm :
				     which == 1 ? h->best->cfg.aqm : h->best->cfg.adm;
			uint8_t *cm;

			if (!(m[id / 8] & (0x80 >> (id % 8))))
				continue;
			memcpy(&h->cand, h->best, sizeof(h->cand));
			cm = which == 0 ? h->cand.cfg.apm :
			     which == 1 ? h->cand.cfg.aqm : h->cand.cfg.adm;
			cm[id / 8] &= ~(0x80 >> (id % 8));
			TRY();
		}
	return progress;
}

static int pass_explore(struct shr *h)
{
	int progress = 0;
	bool ok;

	while (h->best->explore.pct_depth > 1) {
		memcpy(&h->cand, h->best, sizeof(h->cand));
		h->cand.explore.pct_depth--;
		TRY();
		if (!ok)
			break;
	}
	return progress;
}

int apsim_shrink(struct apsim_scenario *s, apsim_shrink_fn fn, void *arg,
		 int max_candidates, struct apsim_shrink_stats *st)
{
	static struct shr h;     /* large (two scenarios): not on the stack */
	struct apsim_shrink_stats dummy;
	int (*const passes[])(struct shr *) = {
		pass_threads, pass_thread_ops, pass_setup_ops, pass_faults,
		pass_host, pass_explore,
	};

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	st->ops_before = apsim_scn_count_ops(s);
	st->threads_before = s->nthreads;
	memset(&h, 0, sizeof(h));
	h.best = s;
	h.fn = fn;
	h.arg = arg;
	h.max = max_candidates;
	h.st = st;
	for (;;) {
		int progress = 0, r = 0;

		for (size_t p = 0; p < sizeof(passes) / sizeof(passes[0]); p++) {
			r = passes[p](&h);
			if (r < 0)
				break;
			progress += r;
		}
		if (r < 0 || !progress)
			break;
	}
	st->ops_after = apsim_scn_count_ops(s);
	st->threads_after = s->nthreads;
	return st->accepted;
}
