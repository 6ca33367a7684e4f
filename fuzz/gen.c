/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/gen.c - the fuzzer's scenario generator (see gen.h).
 *
 * Owns: the choice stream (splitmix64 from a seed, or libFuzzer bytes with
 * zeros after the end), the world shape (host AP config with APXA, 1-4
 * adapters and usage domains among small ids, control domains, apmask/aqmask
 * reservations that free some of them for vfio_ap, 0-2 kvms, 1-3 mdevs with
 * assignments, opens and PQAP AQIC in setup), the concurrent part (threads of
 * operations drawn from the whole vocabulary, with valid, malformed and
 * out-of-range arguments), faults and exploration settings.
 * Large worlds (LARGE_PER_MILLE of the seeds, decided from the seed apart
 * from the choice stream, so small worlds are drawn exactly as before): the
 * shapes of real machines (gen_large_host: dozens of adapters and up to 85,
 * or up to 256, usage domains, partially free for vfio_ap; 2-4 guests and
 * 2-4 mdevs holding hundreds of APQNs, assigned with id ranges) and an
 * admin script as the first thread (gen_admin: bulk unassign/assign with
 * ranges, AP bus mask ranges, a hot unplug and scan).
 *
 * The hot loops take the scenario in the generator's own buffer
 * (apsim_gen_scenario_ref), which it keeps zero past its counts and clears
 * only as far as they reach.
 *
 * Every scenario it returns is valid: every mdev/kvm/vcpu an operation names
 * is created somewhere (the parser's cross-reference rule), every thread has
 * at least one operation, every field is inside the parser's ranges.
 */
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/gen.h"
#include "driver/scenario/scenario.h"

#include <apsim/sim.h>

void apsim_gen_opts_default(struct apsim_gen_opts *o)
{
	o->threads_min = 2;
	o->threads_max = 4;
	o->ops_min = 1;
	o->ops_max = 4;
	o->fault_pct = 25;
	o->kver = NULL;
	o->share = 1;
	o->hung_task_s = -1;
}

int apsim_scn_count_ops(const struct apsim_scenario *s)
{
	int n = s->nsetup;

	for (int t = 0; t < s->nthreads; t++)
		n += s->threads[t].nops;
	return n;
}

int apsim_fuzz_shard_parse(const char *s, int *idx, int *n)
{
	unsigned long a, b;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	a = strtoul(s, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end || b < 1 || b > 1000000 || a >= b)
		return -1;
	*idx = (int)a;
	*n = (int)b;
	return 0;
}

/* ------------------------------------------------------- choice stream */

struct src {
	bool bytes;
	uint64_t st;
	const uint8_t *d;
	size_t len, pos;
};

static uint64_t raw(struct src *r, int nbytes)
{
	uint64_t v = 0;

	if (!r->bytes)
		return sim_splitmix64(&r->st);
	for (int i = 0; i < nbytes; i++)
		v = v << 8 | (r->pos < r->len ? r->d[r->pos++] : 0);
	return v;
}

/* Uniform-ish in [0, n). */
static int below(struct src *r, int n)
{
	if (n <= 1) {
		return 0;
	}
	return (int)(raw(r, n <= 256 ? 1 : 2) % (uint64_t)n);
}

static int range(struct src *r, int lo, int hi)
{
	return hi <= lo ? lo : lo + below(r, hi - lo + 1);
}

static bool chance(struct src *r, int pct)
{
	return below(r, 100) < pct;
}

/* ------------------------------------------------------------ the world */

#define ID_POOL 16        /* ids are drawn among 0..15 */
#define LARGE_PER_MILLE 5  /* large worlds: 0.5 % of the seeds (docs/fuzzing.md) */

struct gen {
	struct src r;
	struct apsim_scenario *s;
	bool large;                /* a large world (gen_large_host) */
	bool shared;               /* --share-setup: */
	uint64_t share_st;         /* the seed's own stream after the set-up part */
	bool share_pct;            /* shared set-up: the group's strategy is PCT */
	int ad[256], nad;          /* configured adapters */
	int dom[256], ndom;        /* configured usage domains */
	int cdom[256], ncdom;      /* configured control domains */
	int fa_lo, fa_hi, fd_lo, fd_hi;   /* large: the ids free for vfio_ap */
	int nmdev;                 /* mdevs m0..m(nmdev-1) are created somewhere */
	int nkvm;                  /* kvms k0..k(nkvm-1) are created somewhere */
	int vcpus[APSIM_MAX_KVMS];
	/* setup bookkeeping */
	int m_ad[APSIM_MAX_MDEVS], m_dom[APSIM_MAX_MDEVS];   /* one assigned id or -1 */
	int m_kvm[APSIM_MAX_MDEVS];                          /* opened with kvm or -1 */
};

static void bit_set(uint8_t *m, int id)
{
	m[id / 8] |= 0x80 >> (id % 8);
}

static void bit_clear(uint8_t *m, int id)
{
	m[id / 8] &= ~(0x80 >> (id % 8));
}

/* n distinct ids of 0..ID_POOL-1, in increasing order. */
static int pick_ids(struct src *r, int n, int *out)
{
	bool used[ID_POOL] = { false };
	int k = 0;

	while (k < n) {
		int id = below(r, ID_POOL);

		while (used[id])
			id = (id + 1) % ID_POOL;
		used[id] = true;
		k++;
	}
	k = 0;
	for (int id = 0; id < ID_POOL; id++)
		if (used[id])
			out[k++] = id;
	return k;
}

static void init_op(struct apsim_op *op, enum apsim_op_kind kind)
{
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->mdev = op->kvm = op->vcpu = op->card = op->domain = -1;
}

static const char *const malformed[] = {
	"", "0x", "-1", "zz", "99999999999999999999", " 5", "5\n", "1,2", "+",
};
#define NMAL (int)(sizeof(malformed) / sizeof(malformed[0]))

/* An id string for assign_* / unassign_* writes: mostly a configured id,
 * sometimes another small id, an out-of-range id or a malformed string. */
static void id_string(struct gen *g, const int *ids, int n, char *dst)
{
	int c = below(&g->r, 100), id;

	if (c < 60 && n > 0) {
		id = ids[below(&g->r, n)];
		sim_fmt(dst, APSIM_STR_MAX, chance(&g->r, 30) ? "0x%x" : "%d", id);
	} else if (c < 75) {
		sim_fmt(dst, APSIM_STR_MAX, "%d", below(&g->r, ID_POOL));
	} else if (c < 85) {
		static const char *const oor[] = { "256", "0xffff", "255", "0x100" };

		sim_fmt(dst, APSIM_STR_MAX, "%s", oor[below(&g->r, 4)]);
	} else {
		sim_fmt(dst, APSIM_STR_MAX, "%s", malformed[below(&g->r, NMAL)]);
	}
}

/* A string for /sys/bus/ap/apmask or aqmask. */
static void mask_string(struct gen *g, const int *ids, int n, char *dst)
{
	int c = below(&g->r, 100);
	int id = n > 0 && chance(&g->r, 70) ? ids[below(&g->r, n)] : below(&g->r, ID_POOL);

	if (c < 35) {
		sim_fmt(dst, APSIM_STR_MAX, "%c%d", chance(&g->r, 50) ? '+' : '-', id);
	} else if (c < 50) {
		int id2 = n > 0 ? ids[below(&g->r, n)] : below(&g->r, ID_POOL);

		sim_fmt(dst, APSIM_STR_MAX, "-%d,+%d", id, id2);
	} else if (c < 65) {
		/* absolute mask: 0x + up to 64 hex digits, MSB0 */
		uint8_t m[32];
		int o;

		memset(m, 0xff, sizeof(m));
		for (int k = 0; k < n; k++)
			if (chance(&g->r, 50))
				bit_clear(m, ids[k]);
		o = sim_fmt(dst, APSIM_STR_MAX, "0x");
		for (int k = 0; k < 32 && o < APSIM_STR_MAX - 3; k++)
			o += sim_fmt(dst + o, APSIM_STR_MAX - o, "%02x", m[k]);
	} else if (c < 75) {
		sim_fmt(dst, APSIM_STR_MAX, "+0x%x", id);
	} else if (c < 85) {
		static const char *const oor[] = { "+256", "-999", "+0xffff", "0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" };

		sim_fmt(dst, APSIM_STR_MAX, "%s", oor[below(&g->r, 4)]);
	} else {
		sim_fmt(dst, APSIM_STR_MAX, "%s", malformed[below(&g->r, NMAL)]);
	}
}

/* An ap_config string (6.12): "APM,AQM,ADM" hex masks (MSB0) of the first
 * 32 ids (the pools' ids, or any), or malformed / out of range. */
static void ap_config_string(struct gen *g, char *dst)
{
	const int *ids[3] = { g->ad, g->dom, g->cdom };
	const int nids[3] = { g->nad, g->ndom, g->ncdom };
	int c = below(&g->r, 100), o = 0;

	if (c >= 80) {
		static const char *const bad[] = { "0x80", "0x80,0x40", "", "0x1,0x1,0x1,0x1",
						   "0x800000000000000000000000000000000000000000000000000000000000000000,0,0" };

		sim_fmt(dst, APSIM_STR_MAX, "%s", c < 90 ? bad[below(&g->r, 5)] :
			 malformed[below(&g->r, NMAL)]);
		return;
	}
	for (int k = 0; k < 3; k++) {
		uint8_t m[4] = { 0 };

		for (int j = 0; j < nids[k]; j++)
			if (ids[k][j] < 32 && chance(&g->r, 60))
				m[ids[k][j] / 8] |= 0x80 >> (ids[k][j] % 8);
		if (chance(&g->r, 10))
			m[below(&g->r, 4)] |= 1;
		o += sim_fmt(dst + o, APSIM_STR_MAX - o, "%s0x%02x%02x%02x%02x", k ? "," : "",
			      m[0], m[1], m[2], m[3]);
	}
}

static int pick_card(struct gen *g)
{
	return g->nad && chance(&g->r, 80) ? g->ad[below(&g->r, g->nad)] : below(&g->r, ID_POOL);
}

static int pick_domain(struct gen *g)
{
	return g->ndom && chance(&g->r, 80) ? g->dom[below(&g->r, g->ndom)] : below(&g->r, ID_POOL);
}

static void new_kvm(struct gen *g, struct apsim_op *op)
{
	int k = g->nkvm < APSIM_MAX_KVMS && (g->nkvm < 2 || chance(&g->r, 50)) ?
		g->nkvm : below(&g->r, g->nkvm);

	init_op(op, APSIM_OP_KVM_CREATE);
	op->kvm = k;
	op->arg = range(&g->r, 1, 2);
	if (k == g->nkvm)
		g->nkvm++;
	if (g->vcpus[k] < op->arg)
		g->vcpus[k] = (int)op->arg;
}

/* One operation of kind `kind` with drawn arguments. */
static void gen_op(struct gen *g, enum apsim_op_kind kind, struct apsim_op *op)
{
	struct src *r = &g->r;

	init_op(op, kind);
	switch (kind) {
	case APSIM_OP_MDEV_CREATE:
		if (g->nmdev < APSIM_MAX_MDEVS && chance(r, 40))
			op->mdev = g->nmdev++;
		else
			op->mdev = below(r, g->nmdev);
		break;
	case APSIM_OP_MDEV_REMOVE:
	case APSIM_OP_READ_MATRIX:
	case APSIM_OP_READ_GUEST_MATRIX:
	case APSIM_OP_READ_CONTROL_DOMAINS:
	case APSIM_OP_VFIO_CLOSE:
	case APSIM_OP_VFIO_GET_INFO:
	case APSIM_OP_VFIO_RESET:
	case APSIM_OP_READ_AP_CONFIG:
	case APSIM_OP_CLEAR_REQ_EVENTFD:
		op->mdev = below(r, g->nmdev);
		break;
	case APSIM_OP_ASSIGN_ADAPTER:
	case APSIM_OP_UNASSIGN_ADAPTER:
		op->mdev = below(r, g->nmdev);
		id_string(g, g->ad, g->nad, op->str);
		break;
	case APSIM_OP_ASSIGN_DOMAIN:
	case APSIM_OP_UNASSIGN_DOMAIN:
		op->mdev = below(r, g->nmdev);
		id_string(g, g->dom, g->ndom, op->str);
		break;
	case APSIM_OP_ASSIGN_CONTROL_DOMAIN:
	case APSIM_OP_UNASSIGN_CONTROL_DOMAIN:
		op->mdev = below(r, g->nmdev);
		id_string(g, g->cdom, g->ncdom, op->str);
		break;
	case APSIM_OP_READ_QUEUE_STATUS:
	case APSIM_OP_QUEUE_BIND:
	case APSIM_OP_QUEUE_UNBIND:
		op->card = pick_card(g);
		op->domain = pick_domain(g);
		break;
	case APSIM_OP_VFIO_OPEN:
		op->mdev = below(r, g->nmdev);
		op->kvm = g->nkvm && chance(r, 85) ? below(r, g->nkvm) : -1;
		break;
	case APSIM_OP_DMA_UNMAP:
		op->mdev = below(r, g->nmdev);
		op->arg = (long)below(r, 16) * 4096;
		break;
	case APSIM_OP_PQAP_AQIC_ENABLE:
	case APSIM_OP_PQAP_AQIC_DISABLE:
		if (!g->nkvm) {
			new_kvm(g, op);
			break;
		}
		op->kvm = below(r, g->nkvm);
		op->vcpu = below(r, g->vcpus[op->kvm]);
		op->card = pick_card(g);
		op->domain = pick_domain(g);
		if (kind == APSIM_OP_PQAP_AQIC_ENABLE)
			op->arg = below(r, 8);
		break;
	case APSIM_OP_APMASK_WRITE:
		mask_string(g, g->ad, g->nad, op->str);
		break;
	case APSIM_OP_AQMASK_WRITE:
		mask_string(g, g->dom, g->ndom, op->str);
		break;
	case APSIM_OP_CONFIG_ADD_ADAPTER:
	case APSIM_OP_CONFIG_REMOVE_ADAPTER:
		op->card = pick_card(g);
		break;
	case APSIM_OP_CONFIG_ADD_DOMAIN:
	case APSIM_OP_CONFIG_REMOVE_DOMAIN:
		op->domain = pick_domain(g);
		break;
	case APSIM_OP_CONFIG_ADD_CONTROL_DOMAIN:
	case APSIM_OP_CONFIG_REMOVE_CONTROL_DOMAIN:
		op->domain = g->ncdom && chance(r, 70) ? g->cdom[below(r, g->ncdom)] : below(r, ID_POOL);
		break;
	case APSIM_OP_KVM_CREATE:
		new_kvm(g, op);
		break;
	case APSIM_OP_KVM_DESTROY:
	case APSIM_OP_KVM_PV_COMMAND:
	case APSIM_OP_PV_ON:
	case APSIM_OP_PV_OFF:
		if (!g->nkvm) {
			new_kvm(g, op);
			break;
		}
		op->kvm = below(r, g->nkvm);
		break;
	case APSIM_OP_KVM_VM_CRYPTO:
		if (!g->nkvm) {
			new_kvm(g, op);
			break;
		}
		op->kvm = below(r, g->nkvm);
		op->arg = chance(r, 90) ? below(r, 6) : 9;
		break;
	case APSIM_OP_SLEEP_MS:
		op->arg = below(r, 20);
		break;
	case APSIM_OP_WRITE_AP_CONFIG:
		op->mdev = below(r, g->nmdev);
		ap_config_string(g, op->str);
		break;
	case APSIM_OP_SET_REQ_EVENTFD:
		op->mdev = below(r, g->nmdev);
		op->arg = chance(r, 10);      /* a fd that is not an eventfd */
		break;
	case APSIM_OP_AP_SCAN:
	case APSIM_OP_YIELD:
	default:
		break;
	}
}

static struct apsim_op *setup_op(struct gen *g, enum apsim_op_kind kind)
{
	struct apsim_op *op = &g->s->setup[g->s->nsetup++];

	init_op(op, kind);
	return op;
}

static void gen_host(struct gen *g)
{
	struct apsim_hostcfg *c = &g->s->cfg;
	struct src *r = &g->r;
	int freed;

	c->apxa = true;
	g->nad = pick_ids(r, range(r, 1, 4), g->ad);
	g->ndom = pick_ids(r, range(r, 1, 4), g->dom);
	for (int i = 0; i < g->nad; i++)
		bit_set(c->apm, g->ad[i]);
	for (int i = 0; i < g->ndom; i++)
		bit_set(c->aqm, g->dom[i]);
	/* control domains: usually the usage domains, plus 0-2 others */
	{
		uint8_t m[32] = { 0 };
		int extra[2], ne = pick_ids(r, below(r, 3), extra);

		if (chance(r, 70))
			for (int i = 0; i < g->ndom; i++)
				bit_set(m, g->dom[i]);
		for (int i = 0; i < ne; i++)
			bit_set(m, extra[i]);
		memcpy(c->adm, m, 32);
		g->ncdom = 0;
		for (int id = 0; id < ID_POOL && g->ncdom < 6; id++)
			if (m[id / 8] & (0x80 >> (id % 8)))
				g->cdom[g->ncdom++] = id;
	}
	if (chance(r, 10))
		c->card_type = range(r, 10, 14);   /* CEX4 .. CEX8 */
	/* AP bus reservations: free most configured ids for vfio_ap */
	c->have_apmask = c->have_aqmask = true;
	freed = 0;
	for (int i = 0; i < g->nad; i++)
		if (chance(r, 75))
			bit_clear(c->apmask, g->ad[i]), freed++;
	if (!freed)
		bit_clear(c->apmask, g->ad[0]);
	if (chance(r, 25))
		bit_clear(c->apmask, below(r, ID_POOL));
	freed = 0;
	for (int i = 0; i < g->ndom; i++)
		if (chance(r, 75))
			bit_clear(c->aqmask, g->dom[i]), freed++;
	if (!freed)
		bit_clear(c->aqmask, g->dom[0]);
	if (chance(r, 25))
		bit_clear(c->aqmask, below(r, ID_POOL));
}

static void gen_setup(struct gen *g)
{
	struct src *r = &g->r;
	int nk = range(r, 0, 2), nm = range(r, 1, 3);
	struct apsim_op *op;

	for (int k = 0; k < nk; k++) {
		op = setup_op(g, APSIM_OP_KVM_CREATE);
		op->kvm = k;
		op->arg = range(r, 1, 2);
		g->vcpus[k] = (int)op->arg;
	}
	g->nkvm = nk;
	for (int m = 0; m < nm; m++) {
		op = setup_op(g, APSIM_OP_MDEV_CREATE);
		op->mdev = m;
		g->m_ad[m] = g->m_dom[m] = g->m_kvm[m] = -1;
	}
	g->nmdev = nm;
	for (int m = 0; m < nm; m++) {
		int na = below(r, 3), nd = below(r, 3), nc = below(r, 2);

		for (int i = 0; i < na; i++) {
			int id = g->ad[below(r, g->nad)];

			op = setup_op(g, APSIM_OP_ASSIGN_ADAPTER);
			op->mdev = m;
			sim_fmt(op->str, sizeof(op->str), chance(r, 30) ? "0x%x" : "%d", id);
			g->m_ad[m] = id;
		}
		for (int i = 0; i < nd; i++) {
			int id = g->dom[below(r, g->ndom)];

			op = setup_op(g, APSIM_OP_ASSIGN_DOMAIN);
			op->mdev = m;
			sim_fmt(op->str, sizeof(op->str), chance(r, 30) ? "0x%x" : "%d", id);
			g->m_dom[m] = id;
		}
		for (int i = 0; i < nc && g->ncdom; i++) {
			op = setup_op(g, APSIM_OP_ASSIGN_CONTROL_DOMAIN);
			op->mdev = m;
			sim_fmt(op->str, sizeof(op->str), "%d", g->cdom[below(r, g->ncdom)]);
		}
	}
	for (int m = 0; m < nm; m++) {
		if (!chance(r, 50))
			continue;
		op = setup_op(g, APSIM_OP_VFIO_OPEN);
		op->mdev = m;
		op->kvm = nk && chance(r, 85) ? below(r, nk) : -1;
		g->m_kvm[m] = op->kvm;
	}
	for (int m = 0; m < nm; m++) {
		int k = g->m_kvm[m];

		if (k < 0 || g->m_ad[m] < 0 || g->m_dom[m] < 0 || !chance(r, 50))
			continue;
		op = setup_op(g, APSIM_OP_PQAP_AQIC_ENABLE);
		op->kvm = k;
		op->vcpu = below(r, g->vcpus[k]);
		op->card = g->m_ad[m];
		op->domain = g->m_dom[m];
		op->arg = below(r, 8);
	}
}

/* A fault point of the tree (driver/scenario/faults.def), one of its
 * function's errors, the nth call (1..3) or every call (gen_all).  Not the
 * module-init points (a world whose modprobe failed races nothing). */
static void gen_fault_point(struct gen *g, struct apsim_fault *f, const char *kver)
{
	struct src *r = &g->r;
	int pts[APSIM_FP__COUNT], n = 0;

	for (int p = 0; p < APSIM_FP__COUNT; p++)
		if ((kver ? apsim_fault_point_tree_ok(p, kver) : !apsim_fault_point_since(p)) &&
		    !apsim_fault_point_modprobe_only(p))
			pts[n++] = p;
	f->kind = APSIM_FAULT_POINT;
	f->point = pts[below(r, n)];
	f->err = apsim_fault_point_err(f->point, below(r, apsim_fault_point_nerrs(f->point)));
	f->nth = chance(r, 15) ? 0 : range(r, 1, 3);
}

static void gen_faults(struct gen *g, int pct)
{
	static const char *const sites[] = {
		"vfio_ap_mdev_probe", "vfio_ap_mdev_probe_queue",
		"vfio_ap_mdev_hot_unplug_adapter", "vfio_ap_mdev_hot_unplug_domain",
	};
	static const char *const insns[] = { "tapq", "zapq", "aqic" };
	struct src *r = &g->r;
	int n;

	if (!chance(r, pct))
		return;
	n = range(r, 1, 2);
	for (int i = 0; i < n; i++) {
		struct apsim_fault *f = &g->s->faults[g->s->nfaults++];

		memset(f, 0, sizeof(*f));
		f->card = f->domain = -1;
		if (chance(r, 50)) {
			f->kind = APSIM_FAULT_KMALLOC;
			if (chance(r, 50)) {
				f->nth = range(r, 1, 20);
			} else {
				sim_fmt(f->site, sizeof(f->site), "%s", sites[below(r, 4)]);
				f->nth = range(r, 1, 3);
			}
		} else {
			f->kind = APSIM_FAULT_AP_RC;
			sim_fmt(f->insn, sizeof(f->insn), "%s", insns[below(r, 3)]);
			if (chance(r, 60)) {
				f->card = pick_card(g);
				f->domain = pick_domain(g);
			}
			f->rc = range(r, 1, 7);
			f->count = chance(r, 15) ? 0 : range(r, 1, 3);
		}
	}
}

/* ------------------------------------------------------- large worlds */

/* "LO-HI" as a range operand (decimal or 0x hex), op->range set. */
static void range_str(struct gen *g, struct apsim_op *op, int lo, int hi)
{
	bool hex = chance(&g->r, 50);

	memset(op->str, 0, sizeof(op->str));   /* scenarios compare with memcmp */
	op->range = lo < hi;
	if (op->range)
		sim_fmt(op->str, sizeof(op->str), hex ? "0x%02x-0x%02x" : "%d-%d", lo, hi);
	else
		sim_fmt(op->str, sizeof(op->str), "%d", lo);
}

/* A machine's shape: either an LPAR-like one (8-24 adapters, 16-85 usage
 * domains: 85 is a CEX card's domain count) or a wide one (2-4 adapters,
 * 86-256 domains); ids in blocks (adapters from a drawn start, domains
 * mostly from 0), control domains = usage domains; part of each block free
 * for vfio_ap, the rest the host's.  At most 24 x 85 = 2040 queues. */
static void gen_large_host(struct gen *g)
{
	struct apsim_hostcfg *c = &g->s->cfg;
	struct src *r = &g->r;
	bool lpar = chance(r, 60);
	int na = lpar ? range(r, 8, 24) : range(r, 2, 4);
	int nd = lpar ? range(r, 16, 85) : range(r, 86, 256);
	int a0 = below(r, 256 - na + 1), d0 = chance(r, 70) ? 0 : below(r, 256 - nd + 1);
	int nfa, nfd;

	c->apxa = true;
	g->nad = na;
	g->ndom = nd;
	for (int i = 0; i < na; i++) {
		g->ad[i] = a0 + i;
		bit_set(c->apm, a0 + i);
	}
	for (int i = 0; i < nd; i++) {
		g->dom[i] = d0 + i;
		bit_set(c->aqm, d0 + i);
		bit_set(c->adm, d0 + i);
		g->cdom[i] = d0 + i;
	}
	g->ncdom = nd;
	if (chance(r, 10))
		c->card_type = range(r, 10, 14);
	/* free for vfio_ap: a block of the adapters, most of the domains */
	nfa = range(r, na > 3 ? na / 4 : 1, na > 1 ? 3 * na / 4 : 1);
	nfd = range(r, nd / 2, nd);
	g->fa_lo = a0 + below(r, na - nfa + 1);
	g->fa_hi = g->fa_lo + nfa - 1;
	g->fd_lo = d0 + below(r, nd - nfd + 1);
	g->fd_hi = g->fd_lo + nfd - 1;
	c->have_apmask = c->have_aqmask = true;
	for (int id = g->fa_lo; id <= g->fa_hi; id++)
		bit_clear(c->apmask, id);
	for (int id = g->fd_lo; id <= g->fd_hi; id++)
		bit_clear(c->aqmask, id);
}

/* 2-4 guests, 1-4 mdevs over disjoint blocks of the free adapters (3 or
 * more each where there are that many), each
 * with a block of the free domains (hundreds of APQNs), control domains,
 * opens with distinct guests and a PQAP AQIC. */
static void gen_large_setup(struct gen *g)
{
	struct src *r = &g->r;
	int nk = range(r, 2, 4), nfa = g->fa_hi - g->fa_lo + 1;
	int nm = range(r, 2, 4), per;
	struct apsim_op *op;

	if (nm > nfa / 3)            /* mdevs of 3 or more adapters */
		nm = nfa / 3 > 0 ? nfa / 3 : 1;
	per = nfa / nm;
	for (int k = 0; k < nk; k++) {
		op = setup_op(g, APSIM_OP_KVM_CREATE);
		op->kvm = k;
		op->arg = range(r, 1, 2);
		g->vcpus[k] = (int)op->arg;
	}
	g->nkvm = nk;
	for (int m = 0; m < nm; m++) {
		op = setup_op(g, APSIM_OP_MDEV_CREATE);
		op->mdev = m;
		g->m_kvm[m] = -1;
	}
	g->nmdev = nm;
	for (int m = 0; m < nm; m++) {
		int alo = g->fa_lo + m * per, ahi = m == nm - 1 ? g->fa_hi : alo + per - 1;
		int nfd = g->fd_hi - g->fd_lo + 1, dn = range(r, nfd > 1 ? nfd / 2 : 1, nfd);
		int dlo = g->fd_lo + below(r, nfd - dn + 1);

		op = setup_op(g, APSIM_OP_ASSIGN_ADAPTER);
		op->mdev = m;
		range_str(g, op, alo, ahi);
		op = setup_op(g, APSIM_OP_ASSIGN_DOMAIN);
		op->mdev = m;
		range_str(g, op, dlo, dlo + dn - 1);
		op = setup_op(g, APSIM_OP_ASSIGN_CONTROL_DOMAIN);
		op->mdev = m;
		range_str(g, op, dlo, dlo + range(r, 0, dn - 1));
		g->m_ad[m] = alo;
		g->m_dom[m] = dlo;
	}
	for (int m = 0; m < nm; m++) {
		if (m >= nk || !chance(r, 75))
			continue;
		op = setup_op(g, APSIM_OP_VFIO_OPEN);
		op->mdev = m;
		op->kvm = m;                 /* a guest per mdev */
		g->m_kvm[m] = m;
		if (chance(r, 50)) {
			op = setup_op(g, APSIM_OP_PQAP_AQIC_ENABLE);
			op->kvm = m;
			op->vcpu = below(r, g->vcpus[m]);
			op->card = g->m_ad[m];
			op->domain = g->m_dom[m];
			op->arg = below(r, 8);
		}
	}
}

/* An admin script of n ops on one mdev: bulk unassign and reassign of a
 * block of its domains or adapters with ranges, an AP bus mask change over a
 * range ("+LO-HI" / "-LO-HI", the bus' own syntax), a read, and now and then
 * a hot unplug of an adapter with the scan that follows; cut to n ops, or
 * filled up to n with reads. */
static void gen_admin(struct gen *g, struct apsim_thread_spec *th, int nmax)
{
	struct src *r = &g->r;
	int m = below(r, g->nmdev);
	int nfd = g->fd_hi - g->fd_lo + 1, n = range(r, 1, nfd > 16 ? 16 : nfd);
	int dlo = g->fd_lo + below(r, nfd - n + 1);
	struct apsim_op *op;

	sim_fmt(th->name, sizeof(th->name), "admin");
	op = &th->ops[th->nops++];
	init_op(op, chance(r, 70) ? APSIM_OP_UNASSIGN_DOMAIN : APSIM_OP_UNASSIGN_ADAPTER);
	op->mdev = m;
	if (op->kind == APSIM_OP_UNASSIGN_DOMAIN)
		range_str(g, op, dlo, dlo + n - 1);
	else
		range_str(g, op, g->m_ad[m], g->m_ad[m] + (g->m_ad[m] < 255 ? below(r, 2) : 0));
	op = &th->ops[th->nops++];
	memcpy(op, &th->ops[th->nops - 2], sizeof(*op));
	op->kind = op->kind == APSIM_OP_UNASSIGN_DOMAIN ? APSIM_OP_ASSIGN_DOMAIN
							: APSIM_OP_ASSIGN_ADAPTER;
	if (chance(r, 50)) {
		op = &th->ops[th->nops++];
		init_op(op, chance(r, 50) ? APSIM_OP_AQMASK_WRITE : APSIM_OP_APMASK_WRITE);
		if (op->kind == APSIM_OP_AQMASK_WRITE)
			sim_fmt(op->str, sizeof(op->str), "%c%d-%d", chance(r, 50) ? '+' : '-',
				 dlo, dlo + n - 1);
		else
			sim_fmt(op->str, sizeof(op->str), "%c%d-%d", chance(r, 50) ? '+' : '-',
				 g->fa_lo, g->fa_hi);
	}
	op = &th->ops[th->nops++];
	init_op(op, APSIM_OP_READ_MATRIX);
	op->mdev = m;
	if (chance(r, 30)) {
		op = &th->ops[th->nops++];
		init_op(op, APSIM_OP_CONFIG_REMOVE_ADAPTER);
		op->card = g->ad[below(r, g->nad)];
		op = &th->ops[th->nops++];
		init_op(op, APSIM_OP_AP_SCAN);
	}
	if (th->nops > nmax)
		th->nops = nmax;    /* (ops past it stay zeroed below) */
	for (int i = th->nops; i < APSIM_MAX_OPS && i < 8; i++)
		memset(&th->ops[i], 0, sizeof(th->ops[i]));
	while (th->nops < nmax) {
		op = &th->ops[th->nops++];
		init_op(op, APSIM_OP_READ_MATRIX);
		op->mdev = m;
	}
}

/* Is this seed's world a large one?  From the seed, not the choice stream. */
static bool seed_is_large(uint64_t seed)
{
	uint64_t st = seed ^ 0x6c61726765776f72ULL;   /* "largewor" */

	return sim_splitmix64(&st) % 1000 < LARGE_PER_MILLE;
}

/* The tree's vocabulary, in ops.def order (every tree's ops first): kept
 * for the last kver asked (a campaign asks for one), *n its size. */
static const enum apsim_op_kind *tree_kinds(const char *kver, int *n)
{
	static struct {
		bool have, any;           /* any: kver NULL (the ops of every tree) */
		char kver[64];
		int n;
		enum apsim_op_kind k[APSIM_OP__COUNT];
	} v;

	if (!v.have || v.any != !kver || (kver && strcmp(v.kver, kver)) ||
	    (kver && strlen(kver) >= sizeof(v.kver))) {
		v.have = true;
		v.any = !kver;
		sim_fmt(v.kver, sizeof(v.kver), "%s", kver ? kver : "");
		v.n = 0;
		for (int k = 1; k < APSIM_OP__COUNT; k++)
			if (kver ? apsim_op_tree_ok((enum apsim_op_kind)k, kver) :
				   !apsim_op_since((enum apsim_op_kind)k))
				v.k[v.n++] = (enum apsim_op_kind)k;
	}
	*n = v.n;
	return v.k;
}

static void gen_all(struct gen *g, const struct apsim_gen_opts *o)
{
	struct apsim_scenario *s = g->s;
	struct src *r = &g->r;
	int nt, nkinds;
	const enum apsim_op_kind *kinds = tree_kinds(o->kver, &nkinds);

	if (g->large) {
		gen_large_host(g);
		gen_large_setup(g);
	} else {
		gen_host(g);
		gen_setup(g);
	}
	if (g->shared) {   /* shared set-up: the group's strategy, then the seed's draws */
		g->share_pct = chance(r, 50);
		r->st = g->share_st;
	}
	gen_faults(g, o->fault_pct);
	nt = range(r, o->threads_min, o->threads_max);
	if (nt > APSIM_MAX_THREADS)
		nt = APSIM_MAX_THREADS;
	for (int t = 0; t < nt; t++) {
		struct apsim_thread_spec *th = &s->threads[s->nthreads++];
		int n = range(r, o->ops_min, o->ops_max);

		if (n < 1)
			n = 1;
		if (n > APSIM_MAX_OPS)
			n = APSIM_MAX_OPS;
		if (g->large && t == 0) {
			gen_admin(g, th, n);
			continue;
		}
		sim_fmt(th->name, sizeof(th->name), "t%d", t);
		for (int i = 0; i < n; i++)
			gen_op(g, kinds[below(r, nkinds)], &th->ops[th->nops++]);
	}
	/* exploration: random or PCT (depth 1-3), seed from the stream */
	if (g->shared ? g->share_pct : chance(r, 50)) {
		s->explore.strategy = SIM_STRAT_PCT;
		s->explore.pct_depth = range(r, 1, 3);
	} else {
		s->explore.strategy = SIM_STRAT_RANDOM;
	}
	s->explore.seed = raw(r, 8) & 0x7fffffffffffffffULL;
	s->explore.has_seed = true;
	s->explore.hung_task_s = o->hung_task_s;	/* no draw */
	/* a fault point, drawn last: every draw above is an older build's */
	if (s->nfaults < APSIM_MAX_FAULTS && chance(r, o->fault_pct)) {
		struct apsim_fault *f = &s->faults[s->nfaults++];

		memset(f, 0, sizeof(*f));
		f->card = f->domain = -1;
		gen_fault_point(g, f, o->kver);
	}
}

static void clamp_opts(struct apsim_gen_opts *o)
{
	if (o->threads_min < 1)
		o->threads_min = 1;
	if (o->threads_max > APSIM_MAX_THREADS)
		o->threads_max = APSIM_MAX_THREADS;
	if (o->threads_max < o->threads_min)
		o->threads_max = o->threads_min;
	if (o->ops_min < 1)
		o->ops_min = 1;
	if (o->ops_max > APSIM_MAX_OPS)
		o->ops_max = APSIM_MAX_OPS;
	if (o->ops_max < o->ops_min)
		o->ops_max = o->ops_min;
}

static void gen_begin(struct apsim_scenario *out)
{
	apsim_scn_init(out);   /* the defaults of an empty scenario file */
}

/* out holds the empty scenario (apsim_scn_init, or scn_clear_used). */
static void gen_seed(uint64_t seed, const struct apsim_gen_opts *o,
		     struct apsim_scenario *out)
{
	static struct gen g;     /* not reentrant-sensitive: fully reset below */
	struct apsim_gen_opts oo;

	if (o)
		oo = *o;
	else
		apsim_gen_opts_default(&oo);
	clamp_opts(&oo);
	memset(&g, 0, sizeof(g));
	g.s = out;
	g.r.st = seed ^ 0x617073696d67656eULL;   /* "apsimgen" */
	g.large = seed_is_large(seed);
	sim_fmt(out->name, sizeof(out->name), "fuzz-%llu", (unsigned long long)seed);
	sim_fmt(out->description, sizeof(out->description),
		 "generated by apsim fuzz from seed %llu", (unsigned long long)seed);
	if (apsim_gen_shares_setup(seed, &oo)) {
		/* the set-up part (host, setup block, strategy) from the group's
		 * stream, the rest from the seed's.  A large world keeps its own
		 * set-up (as without sharing): its bugs are mostly the set-up's,
		 * and it is 0.5 % of the seeds */
		uint64_t first = seed - seed % (uint64_t)oo.share;

		g.shared = true;
		g.share_st = seed ^ 0x73686172656473ULL;   /* "shareds" */
		g.r.st = first ^ 0x7365747570ULL;                /* "setup" */
		sim_fmt(out->description, sizeof(out->description),
			 "generated by apsim fuzz from seed %llu (--share-setup %d)",
			 (unsigned long long)seed, oo.share);
	}
	gen_all(&g, &oo);
}

void apsim_gen_scenario(uint64_t seed, const struct apsim_gen_opts *o,
			struct apsim_scenario *out)
{
	gen_begin(out);
	gen_seed(seed, o, out);
}

/* Zero the byte ranges [a, b) of s. */
static void zero(void *s, size_t a, size_t b)
{
	if (b > a)
		memset((char *)s + a, 0, b - a);
}

/*
 * Make s, whose array entries past their counts are zero, all zeroes
 * again, writing only what its counts cover: the generator's buffer after
 * a run (check_fuzz gen_ref_equals_gen compares the whole struct with
 * apsim_gen_scenario's over seeds of every size).
 */
static void scn_clear_used(struct apsim_scenario *s)
{
	const size_t op = sizeof(struct apsim_op), th = sizeof(struct apsim_thread_spec);
	const size_t so = offsetof(struct apsim_scenario, setup);
	const size_t to = offsetof(struct apsim_scenario, threads);
	const size_t tops = offsetof(struct apsim_thread_spec, ops);
	int nt = s->nthreads < APSIM_MAX_THREADS ? s->nthreads : APSIM_MAX_THREADS;
	int ns = s->nsetup < APSIM_MAX_OPS ? s->nsetup : APSIM_MAX_OPS;

	for (int t = 0; t < nt; t++) {
		struct apsim_thread_spec *p = &s->threads[t];
		int n = p->nops < APSIM_MAX_OPS ? p->nops : APSIM_MAX_OPS;

		zero(p, 0, tops + (size_t)n * op);
		zero(p, tops + APSIM_MAX_OPS * op, th);
	}
	zero(s, 0, so + (size_t)ns * op);                 /* header, host, faults */
	zero(s, so + APSIM_MAX_OPS * op, to);             /* nthreads */
	zero(s, to + APSIM_MAX_THREADS * th, sizeof(*s)); /* explore, expect */
}

void apsim_gen_scenario_reuse(uint64_t seed, const struct apsim_gen_opts *o,
			      struct apsim_scenario *buf)
{
	scn_clear_used(buf);
	apsim_scn_set_defaults(buf);
	gen_seed(seed, o, buf);
}

const struct apsim_scenario *apsim_gen_scenario_ref(uint64_t seed,
						    const struct apsim_gen_opts *o)
{
	static struct apsim_scenario own;   /* zero (static) before the first */

	apsim_gen_scenario_reuse(seed, o, &own);
	return &own;
}

void apsim_gen_from_bytes(const uint8_t *data, size_t len,
			  struct apsim_scenario *out)
{
	static struct gen g;
	struct apsim_gen_opts oo;

	/* libFuzzer mixes: 1-6 threads of 1-4 ops, faults more often */
	apsim_gen_opts_default(&oo);
	oo.threads_min = 1;
	oo.threads_max = 6;
	oo.fault_pct = 35;
	memset(&g, 0, sizeof(g));
	gen_begin(out);
	g.s = out;
	g.r.bytes = true;
	g.r.d = data;
	g.r.len = data ? len : 0;
	g.large = data && len > 0 && data[0] == 'L';   /* 1 in 256 mutations */
	sim_fmt(out->name, sizeof(out->name), "fuzz-bytes");
	sim_fmt(out->description, sizeof(out->description),
		 "decoded by apsim fuzz --convert from %zu bytes", len);
	gen_all(&g, &oo);
}

bool apsim_gen_seed_is_large(uint64_t seed)
{
	return seed_is_large(seed);
}

bool apsim_gen_shares_setup(uint64_t seed, const struct apsim_gen_opts *o)
{
	return o->share > 1 && !seed_is_large(seed);
}
