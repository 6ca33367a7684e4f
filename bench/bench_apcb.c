/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench_apcb.c - the APCB commit path of the real vfio_ap driver.
 *
 * Owns: the matrix-size sweep of the paths that commit a mdev's matrix into
 * the guest: assign/unassign adapter and domain with the kvm attached
 * (sysfs store -> vfio_ap_mdev_filter_matrix against the host config and the
 * bound queues -> shadow APCB -> kvm_arch_crypto_set_masks), and the hot
 * unplug/plug of an adapter (host config change + AP bus scan ->
 * on_config_changed / probe / on_scan_complete -> set_masks).  Each size is
 * one simulated execution in which one simulated thread builds the world
 * (host config with NA adapters x ND domains, all freed for vfio_ap and
 * bound, kvm k0, mdev m0 with the whole matrix, open m0 k0) and then does
 * many operations, each timed.  Reported: ns/op (median of runs, spread),
 * the least-squares fit ns = a + b*(|apm|*|aqm|) with R^2, the ratio to a
 * lower bound measured in the same run (copying three 256-bit masks), and
 * the driver / shim split from a gperftools profile of the op loops.
 *
 * The shim's AP bus holds at most 1024 queue devices (MAXQ in
 * driver/kernel/apbus.c), so the square sweep stops at 32x32; 256x4 and 4x256
 * use the full APXA id range at the same queue count.
 */
#include <apsim/sim.h>
#include <sys/types.h>

#include "driver/world/world.h"
#include "driver/scenario/scenario.h"
#include "driver/kernel/s390.h"
#include "bench_common.h"
#include "bench_prof.h"

/* The glue API (driver/kernel/base.h, s390.h) needs the shim kernel headers;
 * the bench is host code, so declare the few entry points it calls. */
struct mdev_device;
struct device;
struct kvm;
void shim_driver_data_restore(void);
void shim_base_reset(void);
void shim_s390_reset(void);
int shim_module_load(void);
void shim_module_unload(void);
struct kvm *shim_kvm_create(int nvcpus);
void shim_kvm_destroy(struct kvm *kvm);
int shim_mdev_create(int index, struct mdev_device **out);
int shim_mdev_remove(struct mdev_device *mdev);
struct device *shim_mdev_device(struct mdev_device *mdev);
ssize_t shim_sysfs_write(struct device *dev, const char *attr, const char *buf, size_t count);
int shim_vfio_open(struct mdev_device *mdev, struct kvm *kvm);
void shim_vfio_close(struct mdev_device *mdev);
int shim_ap_config_add_adapter(int card);
int shim_ap_config_remove_adapter(int card);
void shim_ap_scan(void);
int shim_kvm_masks_updates(struct kvm *kvm);
int shim_ap_queue_count(void);
const char *shim_ap_queue_driver(int card, int dom);

enum { OP_ASSIGN_A, OP_UNASSIGN_A, OP_ASSIGN_D, OP_UNASSIGN_D, OP_HOT_UNPLUG,
       OP_HOT_PLUG, OP__N };
static const char *const op_name[OP__N] = {
	"assign_adapter", "unassign_adapter", "assign_domain", "unassign_domain",
	"hot unplug adapter (cfg+scan)", "hot plug adapter (cfg+scan)",
};
static const char *const op_key[OP__N] = {
	"assign_adapter", "unassign_adapter", "assign_domain", "unassign_domain",
	"hot_unplug", "hot_plug",
};

struct size { int na, nd; };
static const struct size sizes_full[] = {
	{ 1, 1 }, { 2, 2 }, { 4, 4 }, { 8, 8 }, { 16, 16 }, { 32, 32 }, { 256, 4 }, { 4, 256 },
};
static const struct size sizes_quick[] = {
	{ 1, 1 }, { 4, 4 }, { 16, 16 }, { 32, 32 },
};

/* ------------------------------------------------------- one execution */

static struct {
	struct size sz;
	int iters;
	double ns[OP__N];         /* mean ns/op of this execution */
	double masks_per_op[OP__N];
	double lb_ns;             /* lower bound: 3 x 256-bit mask copy */
	int queues, bound;
	char err[200];
	double loop_s, nops;      /* all executions: timed op loops */
} X;

static void set_bits(uint8_t *m, int n)
{
	for (int i = 0; i < n; i++)
		m[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

static long wr(struct device *dev, const char *attr, int nr)
{
	char b[16];
	int n = snprintf(b, sizeof(b), "%d", nr);

	return shim_sysfs_write(dev, attr, b, (size_t)n);
}

static volatile unsigned long lb_src[3][4], lb_dst[3][4];

static double lower_bound_ns(long n)
{
	double t0 = bench_now();

	for (long i = 0; i < n; i++) {
		memcpy((void *)lb_dst, (const void *)lb_src, sizeof(lb_dst));
		__asm__ __volatile__("" ::: "memory");
	}
	return (bench_now() - t0) * 1e9 / n;
}

static void exec_main(void *arg)
{
	static struct shim_ap_hostcfg cfg;
	struct mdev_device *m = NULL;
	struct device *dev;
	struct kvm *kvm;
	int na = X.sz.na, nd = X.sz.nd, a = na - 1, d = nd - 1;
	double t, acc[OP__N] = { 0 };
	int masks[OP__N] = { 0 };

	(void)arg;
	shim_driver_data_restore();
	shim_base_reset();
	shim_s390_reset();
	memset(&cfg, 0, sizeof(cfg));
	cfg.apxa = true;
	set_bits(cfg.apm, na);
	set_bits(cfg.aqm, nd);
	set_bits(cfg.adm, nd);
	cfg.have_apmask = cfg.have_aqmask = true;
	memset(cfg.apmask, 0xff, sizeof(cfg.apmask));
	memset(cfg.aqmask, 0xff, sizeof(cfg.aqmask));
	for (int i = 0; i < na; i++)     /* free for vfio_ap */
		cfg.apmask[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	for (int i = 0; i < nd; i++)
		cfg.aqmask[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	if (shim_ap_config_set(&cfg) || shim_module_load()) {
		snprintf(X.err, sizeof(X.err), "world setup failed");
		return;
	}
	kvm = shim_kvm_create(1);
	if (!kvm || shim_mdev_create(0, &m)) {
		snprintf(X.err, sizeof(X.err), "kvm/mdev creation failed");
		return;
	}
	dev = shim_mdev_device(m);
	for (int i = 0; i < na; i++)
		if (wr(dev, "assign_adapter", i) < 0)
			snprintf(X.err, sizeof(X.err), "assign_adapter %d failed", i);
	for (int i = 0; i < nd; i++)
		if (wr(dev, "assign_domain", i) < 0)
			snprintf(X.err, sizeof(X.err), "assign_domain %d failed", i);
	if (shim_vfio_open(m, kvm))
		snprintf(X.err, sizeof(X.err), "open m0 k0 failed");
	X.queues = shim_ap_queue_count();
	X.bound = 0;
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nd; j++) {
			const char *drv = shim_ap_queue_driver(i, j);

			X.bound += drv && !strcmp(drv, "vfio_ap");
		}
	if (X.err[0])
		return;

#define TIMED(op, call) do {                                            \
		int mu = shim_kvm_masks_updates(kvm);                      \
		t = bench_now();                                           \
		call;                                                      \
		acc[op] += bench_now() - t;                                \
		masks[op] += shim_kvm_masks_updates(kvm) - mu;             \
	} while (0)

	bench_prof_on = 1;
	for (int it = 0; it < X.iters; it++) {
		TIMED(OP_UNASSIGN_A, wr(dev, "unassign_adapter", a));
		TIMED(OP_ASSIGN_A, wr(dev, "assign_adapter", a));
		TIMED(OP_UNASSIGN_D, wr(dev, "unassign_domain", d));
		TIMED(OP_ASSIGN_D, wr(dev, "assign_domain", d));
		TIMED(OP_HOT_UNPLUG, (shim_ap_config_remove_adapter(a), shim_ap_scan()));
		TIMED(OP_HOT_PLUG, (shim_ap_config_add_adapter(a), shim_ap_scan()));
	}
	bench_prof_on = 0;
	for (int k = 0; k < OP__N; k++) {
		X.loop_s += acc[k];
		X.nops += X.iters;
		X.ns[k] = acc[k] * 1e9 / X.iters;
		X.masks_per_op[k] = (double)masks[k] / X.iters;
	}
	X.lb_ns = lower_bound_ns(1000000);
	shim_vfio_close(m);
	shim_mdev_remove(m);
	shim_kvm_destroy(kvm);
	shim_module_unload();
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	struct bench_opts o;
	const struct size *sizes;
	int nsizes;

	bench_prof_reexec(argv);
	if (bench_parse_opts(argc, argv, &o, NULL))
		return 2;
	sizes = o.quick ? sizes_quick : sizes_full;
	nsizes = o.quick ? 4 : (int)(sizeof(sizes_full) / sizeof(sizes_full[0]));
	apsim_world_init();
	bench_prof_start(o.profile);

	double med[16][OP__N], lbmed[16], x[16], masks[16][OP__N];
	struct bench_stat st[16][OP__N];
	int qn[16], bn[16];

	printf("APCB commit path of the real driver (%s), ns/op: median of %d runs [min..max]\n",
	       apsim_ksrc_version, o.runs);
	printf("  one simulated thread per execution, lockdep on, trace off; each size = one execution per run\n");
	for (int s = 0; s < nsizes; s++) {
		double v[OP__N][16], lb[16];
		int prod = sizes[s].na * sizes[s].nd;

		X.sz = sizes[s];
		X.iters = prod >= 512 ? (o.quick ? 10 : 30) : prod >= 64 ? (o.quick ? 40 : 100)
			  : (o.quick ? 200 : 500);
		for (int r = 0; r < o.runs; r++) {
			struct sim_opts so;
			struct sim_result res;

			sim_opts_default(&so);
			so.max_steps = 1ULL << 40;
			so.max_vtime_ns = 1ULL << 62;
			so.trace = false;
			X.err[0] = 0;
			sim_run(&so, exec_main, NULL, NULL, &res);
			if (X.err[0] || res.nfindings) {
				printf("  %dx%d: %s%s (%d findings", sizes[s].na, sizes[s].nd, X.err,
				       X.err[0] ? "" : "run ended with findings", res.nfindings);
				if (sim_findings_count() > 0)
					printf(": %s", sim_finding_get(0)->signature);
				printf(")\n");
				if (X.err[0]) {
					nsizes = s;
					goto done;
				}
			}
			for (int k = 0; k < OP__N; k++)
				v[k][r] = X.ns[k];
			lb[r] = X.lb_ns;
		}
		for (int k = 0; k < OP__N; k++) {
			st[s][k] = bench_stat_of(v[k], o.runs);
			med[s][k] = st[s][k].med;
			masks[s][k] = X.masks_per_op[k];
		}
		lbmed[s] = bench_stat_of(lb, o.runs).med;
		x[s] = prod;
		qn[s] = X.queues;
		bn[s] = X.bound;
	}
done:;
	struct bench_split sp;

	bench_prof_stop(&sp);
	if (nsizes == 0)
		return 1;

	/* table: one row per size */
	printf("  %-9s %6s", "size", "queues");
	for (int k = 0; k < OP__N; k++)
		printf(" %15s", op_key[k]);
	printf(" %9s\n", "lowbound");
	for (int s = 0; s < nsizes; s++) {
		char key[128];

		printf("  %4dx%-4d %6d", sizes[s].na, sizes[s].nd, qn[s]);
		for (int k = 0; k < OP__N; k++) {
			printf(" %9.0f+-%3.0f%%", med[s][k], bench_spread_pct(st[s][k]));
			snprintf(key, sizeof(key), "apcb.%dx%d.%s_ns", sizes[s].na, sizes[s].nd, op_key[k]);
			bench_figs_stat(key, st[s][k], "ns");
		}
		printf(" %7.2fns\n", lbmed[s]);
		snprintf(key, sizeof(key), "apcb.%dx%d.lower_bound_ns", sizes[s].na, sizes[s].nd);
		bench_fig(key, lbmed[s], "ns");
		snprintf(key, sizeof(key), "apcb.%dx%d.queues_bound", sizes[s].na, sizes[s].nd);
		bench_fig(key, bn[s], "");
	}
	printf("  (+-%% = half the min..max range over runs; queues = AP queue devices, all bound to vfio_ap:");
	for (int s = 0; s < nsizes; s++)
		printf(" %s", bn[s] == sizes[s].na * sizes[s].nd ? "y" : "N");
	printf(")\n  set_masks calls per op at the largest size:");
	for (int k = 0; k < OP__N; k++)
		printf(" %s=%.1f", op_key[k], masks[nsizes - 1][k]);
	printf("\n");

	/* fit ns = a + b * |apm|*|aqm| and the ratio to the lower bound */
	printf("  fit ns = a + b*(|apm|*|aqm|) over the square sizes (NxN), and ratio to the lower bound\n");
	printf("  %-32s %10s %10s %7s %12s %12s\n", "op", "a (ns)", "b (ns/q)", "R^2",
	       "x lowb 1x1", "x lowb max");
	for (int k = 0; k < OP__N; k++) {
		double y[16], fa, fb, r2;
		char key[128];

		int nsq = 0;
		double xs[16];

		for (int s = 0; s < nsizes; s++)   /* the square sweep */
			if (sizes[s].na == sizes[s].nd) {
				xs[nsq] = x[s];
				y[nsq++] = med[s][k];
			}
		bench_fit(xs, y, nsq, &fa, &fb, &r2);
		printf("  %-32s %10.0f %10.2f %7.3f %12.0f %12.0f\n", op_name[k], fa, fb, r2,
		       med[0][k] / lbmed[0], med[nsizes - 1][k] / lbmed[nsizes - 1]);
		snprintf(key, sizeof(key), "apcb.fit.%s.a_ns", op_key[k]);
		bench_fig(key, fa, "ns");
		snprintf(key, sizeof(key), "apcb.fit.%s.b_ns_per_queue", op_key[k]);
		bench_fig(key, fb, "ns");
		snprintf(key, sizeof(key), "apcb.fit.%s.r2", op_key[k]);
		bench_fig(key, r2, "");
		snprintf(key, sizeof(key), "apcb.ratio_to_lower_bound.%s", op_key[k]);
		bench_fig(key, med[0][k] / lbmed[0], "x");
	}
	bench_prof_print(&sp, "apcb.profile", 10, X.loop_s, X.nops, "op");
	if (o.profile)
		printf("  profile written: %s (google-pprof --text %s %s)\n", o.profile,
		       argv[0], o.profile);
	bench_note("apcb.limit", "shim AP bus holds at most 1024 queue devices: square sweep stops at 32x32");
	return bench_json_write(o.json, "apcb") ? 1 : 0;
}
