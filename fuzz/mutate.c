/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/mutate.c - mutation of scenarios for coverage-guided campaigns (see
 * mutate.h).
 *
 * Owns: the choice of mutations and their weights, the donor scenario new
 * operations and faults come from (a scenario the generator draws from the
 * mutation's seed, so a new operation has the generator's mix of valid,
 * malformed and out-of-range arguments and only the tree's operations), the
 * remapping of a donor's (or a spliced thread's) objects onto the objects
 * the mutant creates, and the validity check (apsim_scn_refs_ok) with
 * retries.  Pure: no I/O, no globals that outlive a call.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <apsim/sim.h>
#include "fuzz/mutate.h"
#include "fuzz/shrink.h"

#define ATTEMPTS 8

struct mut {
	uint64_t st;
	struct apsim_scenario *s;
	const struct apsim_scenario *other;
	const struct apsim_gen_opts *go;
	uint64_t donor_seed;
	bool have_donor;
	int ops_cap, threads_max;
};

static struct apsim_scenario donor;   /* static: ~100 KB */

static uint64_t rnd(struct mut *m)
{
	return sim_splitmix64(&m->st);
}

static int below(struct mut *m, int n)
{
	return n <= 1 ? 0 : (int)(rnd(m) % (uint64_t)n);
}

static const struct apsim_scenario *get_donor(struct mut *m)
{
	if (!m->have_donor) {
		struct apsim_gen_opts o = *m->go;

		o.fault_pct = 100;
		/* only the generator writes the donor: cleared as far as used */
		apsim_gen_scenario_reuse(m->donor_seed, &o, &donor);
		m->have_donor = true;
	}
	return &donor;
}

/* The objects s creates: mdevs, kvms with their vcpu counts. */
struct objs {
	int mdev[APSIM_MAX_MDEVS], nmdev;
	int kvm[APSIM_MAX_KVMS], nkvm;
	int vcpus[APSIM_MAX_KVMS];
};

static void objs_of(const struct apsim_scenario *s, struct objs *o)
{
	bool md[APSIM_MAX_MDEVS] = { false };

	memset(o, 0, sizeof(*o));
	for (int t = -1; t < s->nthreads; t++) {
		const struct apsim_op *ops = t < 0 ? s->setup : s->threads[t].ops;
		int n = t < 0 ? s->nsetup : s->threads[t].nops;

		for (int k = 0; k < n; k++) {
			const struct apsim_op *op = &ops[k];

			if (op->kind == APSIM_OP_MDEV_CREATE && op->mdev >= 0 &&
			    op->mdev < APSIM_MAX_MDEVS)
				md[op->mdev] = true;
			if (op->kind == APSIM_OP_KVM_CREATE && op->kvm >= 0 &&
			    op->kvm < APSIM_MAX_KVMS && o->vcpus[op->kvm] < op->arg)
				o->vcpus[op->kvm] = (int)op->arg;
		}
	}
	for (int i = 0; i < APSIM_MAX_MDEVS; i++)
		if (md[i])
			o->mdev[o->nmdev++] = i;
	for (int i = 0; i < APSIM_MAX_KVMS; i++)
		if (o->vcpus[i])
			o->kvm[o->nkvm++] = i;
}

/* Make op name only objects of s: false when it cannot. */
static bool remap(const struct objs *o, struct apsim_op *op)
{
	if (op->kind != APSIM_OP_MDEV_CREATE && op->mdev >= 0) {
		bool ok = false;

		for (int i = 0; i < o->nmdev; i++)
			ok |= o->mdev[i] == op->mdev;
		if (!ok) {
			if (!o->nmdev)
				return false;
			op->mdev = o->mdev[op->mdev % o->nmdev];
		}
	}
	if (op->kind != APSIM_OP_KVM_CREATE && op->kvm >= 0) {
		if (op->kvm >= APSIM_MAX_KVMS || !o->vcpus[op->kvm]) {
			if (!o->nkvm)
				return false;
			op->kvm = o->kvm[op->kvm % o->nkvm];
		}
		if (op->vcpu >= 0)
			op->vcpu %= o->vcpus[op->kvm];
	}
	return true;
}

/* A random op of s: its list (t: thread, -1 = setup) and index i. */
static bool pick_op(struct mut *m, bool setup_too, int *t, int *i)
{
	struct apsim_scenario *s = m->s;
	int total = setup_too ? s->nsetup : 0, k;

	for (int j = 0; j < s->nthreads; j++)
		total += s->threads[j].nops;
	if (!total)
		return false;
	k = below(m, total);
	if (setup_too && k < s->nsetup) {
		*t = -1;
		*i = k;
		return true;
	}
	if (setup_too)
		k -= s->nsetup;
	for (int j = 0; j < s->nthreads; j++) {
		if (k < s->threads[j].nops) {
			*t = j;
			*i = k;
			return true;
		}
		k -= s->threads[j].nops;
	}
	return false;
}

static struct apsim_op *ops_of(struct apsim_scenario *s, int t, int **n)
{
	if (t < 0) {
		*n = &s->nsetup;
		return s->setup;
	}
	*n = &s->threads[t].nops;
	return s->threads[t].ops;
}

/* A donor op (from the donor's threads, or its setup), remapped onto s. */
static bool donor_op(struct mut *m, struct apsim_op *out)
{
	const struct apsim_scenario *d = get_donor(m);
	struct objs o;
	int total = 0, k;

	for (int j = 0; j < d->nthreads; j++)
		total += d->threads[j].nops;
	if (!total)
		return false;
	k = below(m, total);
	for (int j = 0; j < d->nthreads; j++) {
		if (k < d->threads[j].nops) {
			*out = d->threads[j].ops[k];
			break;
		}
		k -= d->threads[j].nops;
	}
	/* a new donor for the next draw */
	m->donor_seed = rnd(m);
	m->have_donor = false;
	objs_of(m->s, &o);
	return remap(&o, out);
}

static bool insert_op(struct mut *m)
{
	struct apsim_scenario *s = m->s;
	struct apsim_op op;
	int t = below(m, s->nthreads + 1) - 1, *n;   /* -1: setup, rarely */
	struct apsim_op *ops;

	if (t < 0 && below(m, 4))
		t = below(m, s->nthreads);
	ops = ops_of(s, t, &n);
	if (*n >= (t < 0 ? APSIM_MAX_OPS : m->ops_cap) || !donor_op(m, &op))
		return false;
	{
		int at = below(m, *n + 1);

		memmove(&ops[at + 1], &ops[at], sizeof(ops[0]) * (size_t)(*n - at));
		ops[at] = op;
		(*n)++;
	}
	return true;
}

static bool delete_op(struct mut *m)
{
	int t, i, *n;
	struct apsim_op *ops;

	if (!pick_op(m, below(m, 5) == 0, &t, &i))
		return false;
	ops = ops_of(m->s, t, &n);
	if (t >= 0 && *n <= 1)
		return false;
	memmove(&ops[i], &ops[i + 1], sizeof(ops[0]) * (size_t)(*n - i - 1));
	(*n)--;
	return true;
}

static bool replace_op(struct mut *m)
{
	int t, i, *n;
	struct apsim_op *ops, op;

	if (!pick_op(m, false, &t, &i) || !donor_op(m, &op))
		return false;
	ops = ops_of(m->s, t, &n);
	ops[i] = op;
	return true;
}

static const char *const strs[] = {
	"", "0x", "-1", "zz", "256", "0xffff", "255", "+", "1,2", " 5", "5\n",
};

static bool mutate_args(struct mut *m)
{
	struct objs o;
	int t, i, *n;
	struct apsim_op *op;
	const enum scn_operand *opnd;
	bool done = false;

	if (!pick_op(m, below(m, 4) == 0, &t, &i))
		return false;
	op = &ops_of(m->s, t, &n)[i];
	opnd = scn_op_operands(op->kind);
	objs_of(m->s, &o);
	for (int k = 0; k < SCN_MAX_OPERANDS && opnd[k] != SCN_OPND__; k++) {
		if (below(m, 2))
			continue;
		switch (opnd[k]) {
		case SCN_OPND_MDEV:
			if (op->kind != APSIM_OP_MDEV_CREATE && o.nmdev)
				op->mdev = o.mdev[below(m, o.nmdev)];
			else if (op->kind == APSIM_OP_MDEV_CREATE)
				op->mdev = below(m, 4);
			break;
		case SCN_OPND_KVM:
		case SCN_OPND_KVM_OR_NONE:
		case SCN_OPND_VCPU:
			if (opnd[k] == SCN_OPND_KVM_OR_NONE && !below(m, 5))
				op->kvm = -1;
			else if (o.nkvm && op->kind != APSIM_OP_KVM_CREATE)
				op->kvm = o.kvm[below(m, o.nkvm)];
			if (opnd[k] == SCN_OPND_VCPU && op->kvm >= 0 && o.vcpus[op->kvm])
				op->vcpu = below(m, o.vcpus[op->kvm]);
			break;
		case SCN_OPND_APQN:
			if (below(m, 2))
				op->card = below(m, 2) ? below(m, 16) : (op->card + 1) % 256;
			else
				op->domain = below(m, 2) ? below(m, 16) : (op->domain + 1) % 256;
			break;
		case SCN_OPND_CARD:
			op->card = below(m, 16);
			break;
		case SCN_OPND_DOMAIN:
			op->domain = below(m, 16);
			break;
		case SCN_OPND_STR:
			switch (below(m, 4)) {
			case 0:
				snprintf(op->str, sizeof(op->str), "%d", below(m, 16));
				break;
			case 1:
				snprintf(op->str, sizeof(op->str), "0x%x", below(m, 16));
				break;
			case 2:
				snprintf(op->str, sizeof(op->str), "%c%d", below(m, 2) ? '+' : '-',
					 below(m, 16));
				break;
			default:
				snprintf(op->str, sizeof(op->str), "%s",
					 strs[below(m, (int)(sizeof(strs) / sizeof(strs[0])))]);
			}
			break;
		case SCN_OPND_IOVA:
			op->arg = (long)below(m, 16) * 4096;
			break;
		case SCN_OPND_ISC:
			op->arg = below(m, 8);
			break;
		case SCN_OPND_VCPUS:
			op->arg = 1 + below(m, 2);
			break;
		case SCN_OPND_CRYPTO:
			op->arg = below(m, 10) < 9 ? below(m, 6) : 9;
			break;
		case SCN_OPND_MS:
			op->arg = below(m, 20);
			break;
		case SCN_OPND_EVENTFD:
			op->arg = !op->arg;
			break;
		default:
			continue;
		}
		done = true;
	}
	return done;
}

static bool move_op(struct mut *m)
{
	struct apsim_scenario *s = m->s;
	int t, i, u;
	struct apsim_op op;

	if (!pick_op(m, false, &t, &i))
		return false;
	u = below(m, s->nthreads);
	if (u == t) {       /* swap with a neighbour */
		int j = below(m, s->threads[t].nops);

		op = s->threads[t].ops[i];
		s->threads[t].ops[i] = s->threads[t].ops[j];
		s->threads[t].ops[j] = op;
		return i != j;
	}
	if (s->threads[t].nops <= 1 || s->threads[u].nops >= m->ops_cap)
		return false;
	op = s->threads[t].ops[i];
	memmove(&s->threads[t].ops[i], &s->threads[t].ops[i + 1],
		sizeof(op) * (size_t)(s->threads[t].nops - i - 1));
	s->threads[t].nops--;
	{
		int at = below(m, s->threads[u].nops + 1);

		memmove(&s->threads[u].ops[at + 1], &s->threads[u].ops[at],
			sizeof(op) * (size_t)(s->threads[u].nops - at));
		s->threads[u].ops[at] = op;
		s->threads[u].nops++;
	}
	return true;
}

static bool dup_thread(struct mut *m)
{
	struct apsim_scenario *s = m->s;

	if (s->nthreads >= m->threads_max)
		return false;
	s->threads[s->nthreads] = s->threads[below(m, s->nthreads)];
	s->nthreads++;
	return true;
}

static bool delete_thread(struct mut *m)
{
	struct apsim_scenario *s = m->s;
	int t;

	if (s->nthreads <= 1)
		return false;
	t = below(m, s->nthreads);
	memmove(&s->threads[t], &s->threads[t + 1], sizeof(s->threads[0]) * (size_t)(s->nthreads - t - 1));
	s->nthreads--;
	return true;
}

static bool splice(struct mut *m)
{
	const struct apsim_scenario *o = m->other;
	struct apsim_scenario *s = m->s;
	struct apsim_thread_spec th;
	struct objs ob;
	int t;

	if (!o || !o->nthreads)
		return false;
	th = o->threads[below(m, o->nthreads)];
	objs_of(s, &ob);
	for (int i = 0; i < th.nops; i++)
		if (!remap(&ob, &th.ops[i]))
			return false;
	t = s->nthreads < m->threads_max && below(m, 2) ? s->nthreads++ : below(m, s->nthreads);
	s->threads[t] = th;
	return true;
}

static bool fault(struct mut *m)
{
	struct apsim_scenario *s = m->s;
	int c = below(m, 3);

	if (c == 0 || !s->nfaults) {        /* add one of a donor's */
		const struct apsim_scenario *d = get_donor(m);

		if (s->nfaults >= 4 || !d->nfaults)
			return false;
		s->faults[s->nfaults++] = d->faults[below(m, d->nfaults)];
		m->donor_seed = rnd(m);
		m->have_donor = false;
		return true;
	}
	if (c == 1) {                       /* remove one */
		int i = below(m, s->nfaults);

		memmove(&s->faults[i], &s->faults[i + 1], sizeof(s->faults[0]) * (size_t)(s->nfaults - i - 1));
		s->nfaults--;
		return true;
	}
	{                                   /* change one */
		struct apsim_fault *f = &s->faults[below(m, s->nfaults)];

		if (f->kind == APSIM_FAULT_KMALLOC)
			f->nth = 1 + below(m, f->site[0] ? 3 : 20);
		else if (below(m, 2))
			f->count = below(m, 4);
		else
			f->rc = 1 + below(m, 7);
	}
	return true;
}

static bool schedule(struct mut *m)
{
	struct apsim_explore_spec *e = &m->s->explore;

	e->seed = rnd(m) & 0x7fffffffffffffffULL;
	e->has_seed = true;
	if (!below(m, 4)) {
		if (e->strategy == SIM_STRAT_PCT && below(m, 2)) {
			e->strategy = SIM_STRAT_RANDOM;
			e->pct_depth = -1;
		} else {
			e->strategy = SIM_STRAT_PCT;
			e->pct_depth = 1 + below(m, 3);
		}
	}
	return true;
}

static bool host(struct mut *m)
{
	struct apsim_hostcfg *c = &m->s->cfg;
	uint8_t *maps[] = { c->apm, c->aqm, c->adm, c->apmask, c->aqmask };
	int id = below(m, 16);
	uint8_t *map = maps[below(m, 5)];

	map[id / 8] ^= (uint8_t)(0x80 >> (id % 8));
	if (map == c->apmask)
		c->have_apmask = true;
	if (map == c->aqmask)
		c->have_aqmask = true;
	return true;
}

static const struct { enum apsim_mut_kind k; int w; bool (*fn)(struct mut *); } table[] = {
	{ APSIM_MUT_SCHEDULE, 24, schedule },
	{ APSIM_MUT_ARGS, 16, mutate_args },
	{ APSIM_MUT_INSERT_OP, 14, insert_op },
	{ APSIM_MUT_REPLACE_OP, 10, replace_op },
	{ APSIM_MUT_DELETE_OP, 8, delete_op },
	{ APSIM_MUT_MOVE_OP, 6, move_op },
	{ APSIM_MUT_DUP_THREAD, 4, dup_thread },
	{ APSIM_MUT_DELETE_THREAD, 3, delete_thread },
	{ APSIM_MUT_FAULT, 6, fault },
	{ APSIM_MUT_SPLICE, 6, splice },
	{ APSIM_MUT_HOST, 3, host },
};
#define NTABLE (int)(sizeof(table) / sizeof(table[0]))

static unsigned one(struct mut *m)
{
	int tot = 0, r;

	for (int i = 0; i < NTABLE; i++)
		tot += table[i].w;
	r = below(m, tot);
	for (int i = 0; i < NTABLE; i++) {
		if (r < table[i].w)
			return table[i].fn(m) ? 1u << table[i].k : 0;
		r -= table[i].w;
	}
	return 0;
}

void apsim_mutate_schedule(struct apsim_scenario *s, uint64_t seed)
{
	struct mut m;

	memset(&m, 0, sizeof(m));
	m.st = seed ^ 0x7363686564756c65ULL;    /* "schedule" */
	m.s = s;
	schedule(&m);
}

unsigned apsim_mutate(struct apsim_scenario *s, const struct apsim_scenario *other,
		      uint64_t seed, const struct apsim_gen_opts *go)
{
	static struct apsim_scenario orig;
	struct apsim_gen_opts dflt;
	struct mut m;

	if (!go) {
		apsim_gen_opts_default(&dflt);
		go = &dflt;
	}
	memset(&m, 0, sizeof(m));
	m.st = seed ^ 0x6d75746174696f6eULL;    /* "mutation" */
	m.s = s;
	m.other = other;
	m.go = go;
	m.donor_seed = rnd(&m);
	m.ops_cap = go->ops_max * 2 > 8 ? go->ops_max * 2 : 8;
	if (m.ops_cap > APSIM_MAX_OPS)
		m.ops_cap = APSIM_MAX_OPS;
	m.threads_max = go->threads_max + 1 < APSIM_MAX_THREADS ? go->threads_max + 1 : APSIM_MAX_THREADS;
	memcpy(&orig, s, sizeof(orig));
	for (int a = 0; a < ATTEMPTS; a++) {
		int n = below(&m, 2) ? 1 : 1 + below(&m, 4);
		unsigned done = 0;

		for (int i = 0; i < n; i++)
			done |= one(&m);
		for (int t = 0; t < s->nthreads; t++)
			snprintf(s->threads[t].name, sizeof(s->threads[t].name), "t%d", t);
		if (done && apsim_scn_refs_ok(s))
			return done;
		memcpy(s, &orig, sizeof(orig));
	}
	return 0;
}
