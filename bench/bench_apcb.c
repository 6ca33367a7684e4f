/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench_apcb.c - the APCB commit path of the real vfio_ap driver.
 *
 * Owns: the matrix-size sweep of the paths that commit a mdev's matrix into
 * the guest: assign/unassign adapter and domain with the kvm attached
 * (sysfs store -> vfio_ap_mdev_filter_matrix against the host config and the
 * bound queues -> shadow APCB -> kvm_arch_crypto_set_masks), and the hot
 * unplug/plug of an adapter (host config change + AP bus scan ->
 * on_config_changed / probe / on_scan_complete -> set_masks), and on trees
 * that have it (6.12) the mdev's ap_config attribute (the whole matrix in one
 * write: here the last adapter taken out and put back).  Each size is
 * one simulated execution in which one simulated thread builds the world
 * (host config with NA adapters x ND domains, all freed for vfio_ap and
 * bound, kvm k0, mdev m0 with the whole matrix, open m0 k0) and then does
 * many operations, each timed.  Reported: ns/op (median of runs, spread),
 * the least-squares fit ns = a + b*(|apm|*|aqm|) with R^2, the ratio to a
 * lower bound measured in the same run at each size (the bitmap work a
 * commit cannot avoid: testing every APQN of apm x aqm in a bitmap of the
 * bound queues, and copying the three 256-bit masks), and the driver / shim
 * split from a gperftools profile of the op loops.
 *
 * The square sweep goes up to the architecture's 256x256 (65,536 queues, all
 * bound to vfio_ap and in the guest); 256x4 and 4x256 are the skewed shapes.
 * The figures are keyed apcb.NAxND.<op>_ns; `apsim bench` runs this program
 * of every tree it built and plots the curves (bench/svg.c).
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
       OP_HOT_PLUG, OP_AP_CONFIG, OP__N };
static const char *const op_name[OP__N] = {
	"assign_adapter", "unassign_adapter", "assign_domain", "unassign_domain",
	"hot unplug adapter (cfg+scan)", "hot plug adapter (cfg+scan)",
	"ap_config write (6.12)",
};
static const char *const op_key[OP__N] = {
	"assign_adapter", "unassign_adapter", "assign_domain", "unassign_domain",
	"hot_unplug", "hot_plug", "ap_config",
};
static int nops = OP__N;   /* OP_AP_CONFIG only where the tree has it */

struct size { int na, nd; };
static const struct size sizes_full[] = {
	{ 1, 1 }, { 2, 2 }, { 4, 4 }, { 8, 8 }, { 16, 16 }, { 32, 32 }, { 64, 64 },
	{ 128, 128 }, { 256, 256 }, { 256, 4 }, { 4, 256 },
};
static const struct size sizes_quick[] = {
	{ 1, 1 }, { 4, 4 }, { 16, 16 }, { 64, 64 }, { 256, 256 }, { 256, 4 }, { 4, 256 },
};

/* ------------------------------------------------------- one execution */

static struct {
	struct size sz;
	int iters;                /* op rounds of this execution (a chunk) */
	double acc[OP__N];        /* seconds and calls, summed over the chunks */
	int calls[OP__N], masks[OP__N];
	double lb_ns;             /* lower bound: the bitmap work of a commit */
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
static unsigned long lb_bound[256 * 256 / 64];   /* queues bound to vfio_ap */

/* The work a commit of an na x nd matrix cannot avoid: every APQN of
 * apm x aqm tested in a bitmap of the bound queues (what filtering does),
 * the three masks copied into the APCB. */
static double lower_bound_ns(int na, int nd, long n)
{
	unsigned long apm[4] = { 0 }, aqm[4] = { 0 };
	volatile unsigned long sink = 0;
	double t0;

	for (int i = 0; i < na; i++)
		apm[i / 64] |= 1UL << (i % 64);
	for (int i = 0; i < nd; i++)
		aqm[i / 64] |= 1UL << (i % 64);
	memset(lb_bound, 0xff, sizeof(lb_bound));
	t0 = bench_now();
	for (long it = 0; it < n; it++) {
		unsigned long ok = 0;

		for (int ak = 0; ak < 4; ak++)
			for (unsigned long a = apm[ak]; a; a &= a - 1) {
				int ap = ak * 64 + __builtin_ctzl(a);

				for (int dk = 0; dk < 4; dk++)
					for (unsigned long d = aqm[dk]; d; d &= d - 1) {
						unsigned q = ap * 256 + dk * 64 + __builtin_ctzl(d);

						ok += (lb_bound[q / 64] >> (q % 64)) & 1;
					}
			}
		memcpy((void *)lb_dst, (const void *)lb_src, sizeof(lb_dst));
		sink += ok;
		__asm__ __volatile__("" ::: "memory");
	}
	(void)sink;
	return (bench_now() - t0) * 1e9 / n;
}

/* "0x<apm>,0x<aqm>,0x<adm>" (MSB0 hex, 64 digits each) of the first na
 * adapters but `skip`, nd domains and nd control domains. */
static void ap_config_str(char *buf, size_t len, int na, int nd, int skip)
{
	uint8_t m[3][32];
	size_t o = 0;

	memset(m, 0, sizeof(m));
	for (int i = 0; i < na; i++)
		if (i != skip)
			m[0][i / 8] |= (uint8_t)(0x80 >> (i % 8));
	for (int i = 0; i < nd; i++) {
		m[1][i / 8] |= (uint8_t)(0x80 >> (i % 8));
		m[2][i / 8] |= (uint8_t)(0x80 >> (i % 8));
	}
	for (int k = 0; k < 3; k++) {
		o += (size_t)snprintf(buf + o, len - o, "%s0x", k ? "," : "");
		for (int j = 0; j < 32; j++)
			o += (size_t)snprintf(buf + o, len - o, "%02x", m[k][j]);
	}
}

static void exec_main(void *arg)
{
	static struct shim_ap_hostcfg cfg;
	struct mdev_device *m = NULL;
	struct device *dev;
	struct kvm *kvm;
	int na = X.sz.na, nd = X.sz.nd, a = na - 1, d = nd - 1;
	double t, *acc = X.acc;
	int *masks = X.masks, *calls = X.calls;
	static char cfg_less[256], cfg_full[256];

	(void)arg;
	shim_driver_data_restore();
	shim_base_reset();
	shim_s390_reset();
	memset(&cfg, 0, sizeof(cfg));
	cfg.apxa = true;
	/* the adapters come later, by one configuration change: the matrix
	 * is assigned first, then every queue is probed into it (assigning
	 * into 65,536 bound queues costs each link an ap_get_qdev walk over
	 * all of them: minutes at 256x256, for the same end state) */
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
	for (int i = 0; i < na; i++)
		shim_ap_config_add_adapter(i);
	shim_ap_scan();
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
		calls[op]++;                                               \
		masks[op] += shim_kvm_masks_updates(kvm) - mu;             \
	} while (0)

	ap_config_str(cfg_less, sizeof(cfg_less), na, nd, a);
	ap_config_str(cfg_full, sizeof(cfg_full), na, nd, -1);

	bench_prof_on = 1;
	for (int it = 0; it < X.iters; it++) {
		TIMED(OP_UNASSIGN_A, wr(dev, "unassign_adapter", a));
		TIMED(OP_ASSIGN_A, wr(dev, "assign_adapter", a));
		TIMED(OP_UNASSIGN_D, wr(dev, "unassign_domain", d));
		TIMED(OP_ASSIGN_D, wr(dev, "assign_domain", d));
		TIMED(OP_HOT_UNPLUG, (shim_ap_config_remove_adapter(a), shim_ap_scan()));
		TIMED(OP_HOT_PLUG, (shim_ap_config_add_adapter(a), shim_ap_scan()));
		if (nops > OP_AP_CONFIG) {
			long r1, r2;

			TIMED(OP_AP_CONFIG, r1 = shim_sysfs_write(dev, "ap_config", cfg_less,
								  strlen(cfg_less)));
			TIMED(OP_AP_CONFIG, r2 = shim_sysfs_write(dev, "ap_config", cfg_full,
								  strlen(cfg_full)));
			if ((r1 < 0 || r2 < 0) && !X.err[0])
				snprintf(X.err, sizeof(X.err), "ap_config write failed: %ld %ld", r1, r2);
		}
	}
	bench_prof_on = 0;
	/* no teardown: the next execution resets the shim and the driver's
	 * data (a 6.12 close would queue a reset work per queue) */
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	struct bench_opts o;
	const struct size *sizes;
	int nsizes;
	char key[128];

	bench_prof_reexec(argv);
	if (bench_parse_opts(argc, argv, &o, NULL))
		return 2;
	sizes = o.quick ? sizes_quick : sizes_full;
	nsizes = o.quick ? (int)(sizeof(sizes_quick) / sizeof(sizes_quick[0]))
			 : (int)(sizeof(sizes_full) / sizeof(sizes_full[0]));
	nops = apsim_op_tree_ok(APSIM_OP_WRITE_AP_CONFIG, apsim_ksrc_version) ? OP__N : OP_AP_CONFIG;
	apsim_world_init();
	shim_ap_kernel_lookup_cost = true;	/* the kernel's ap_get_qdev walk */
	bench_prof_start(o.profile);

	double med[16][OP__N], lbmed[16], x[16], masks[16][OP__N];
	struct bench_stat st[16][OP__N];
	int qn[16], bn[16];

	printf("APCB commit path of the real driver (%s), ns/op: median of %d runs [min..max]"
	       " (3 at 128x128 and more)\n", apsim_ksrc_version, o.runs);
	printf("  one simulated thread per execution, lockdep on, trace off; each size = one execution per run\n");
	for (int s = 0; s < nsizes; s++) {
		double v[OP__N][16], lb[16];
		int prod = sizes[s].na * sizes[s].nd;

		X.sz = sizes[s];
		/* the largest sizes cost seconds per op (the driver's and the bus'
		 * lookups walk every queue): fewer ops and at most 3 runs there */
		int runs = prod >= 16384 && o.runs > 3 ? 3 : o.runs;

		X.iters = prod >= 16384 ? (o.quick ? 1 : 2) : prod >= 512 ? (o.quick ? 10 : 30)
			  : prod >= 64 ? (o.quick ? 40 : 100) : (o.quick ? 200 : 500);
		/* a run = executions of at most `chunk` op rounds each: 6.12 resets
		 * queues on a workqueue whose kworkers are simulated threads, at
		 * most SIM_MAX_THREADS per execution */
		int total = X.iters, chunk = prod >= 4096 ? 1 : 5;

		for (int r = 0; r < runs; r++) {
			struct sim_opts so;
			struct sim_result res;

			memset(X.acc, 0, sizeof(X.acc));
			memset(X.calls, 0, sizeof(X.calls));
			memset(X.masks, 0, sizeof(X.masks));
			X.err[0] = 0;
			for (int done = 0; done < total && !X.err[0]; done += X.iters) {
				X.iters = total - done < chunk ? total - done : chunk;
				sim_opts_default(&so);
				so.max_steps = 1ULL << 40;
				so.max_vtime_ns = 1ULL << 62;
				so.trace = false;
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
			}
			X.iters = total;
			for (int k = 0; k < nops; k++) {
				X.loop_s += X.acc[k];
				X.nops += X.calls[k];
				v[k][r] = X.calls[k] ? X.acc[k] * 1e9 / X.calls[k] : 0;
			}
			lb[r] = lower_bound_ns(sizes[s].na, sizes[s].nd, prod >= 4096 ? 2000 : 200000);
		}
		for (int k = 0; k < nops; k++) {
			st[s][k] = bench_stat_of(v[k], runs);
			med[s][k] = st[s][k].med;
			masks[s][k] = X.calls[k] ? (double)X.masks[k] / X.calls[k] : 0;
		}
		lbmed[s] = bench_stat_of(lb, runs).med;
		x[s] = prod;
		qn[s] = X.queues;
		bn[s] = X.bound;
		printf("  %4dx%-4d done\n", sizes[s].na, sizes[s].nd);
		fflush(stdout);
	}
done:;
	struct bench_split sp;

	bench_prof_stop(&sp);
	if (nsizes == 0)
		return 1;

	/* table: one row per size, microseconds */
	printf("  us/op     %6s", "queues");
	for (int k = 0; k < nops; k++)
		printf(" %16s", op_key[k]);
	printf(" %10s\n", "lowbound");
	for (int s = 0; s < nsizes; s++) {
		printf("  %4dx%-4d %6d", sizes[s].na, sizes[s].nd, qn[s]);
		for (int k = 0; k < nops; k++) {
			printf(" %10.1f+-%3.0f%%", med[s][k] / 1e3, bench_spread_pct(st[s][k]));
			snprintf(key, sizeof(key), "apcb.%dx%d.%s_ns", sizes[s].na, sizes[s].nd, op_key[k]);
			bench_figs_stat(key, st[s][k], "ns");
		}
		printf(" %8.3fus\n", lbmed[s] / 1e3);
		snprintf(key, sizeof(key), "apcb.%dx%d.lower_bound_ns", sizes[s].na, sizes[s].nd);
		bench_fig(key, lbmed[s], "ns");
		snprintf(key, sizeof(key), "apcb.%dx%d.queues_bound", sizes[s].na, sizes[s].nd);
		bench_fig(key, bn[s], "");
	}
	printf("  (+-%% = half the min..max range over runs; queues = AP queue devices, all bound to vfio_ap:");
	for (int s = 0; s < nsizes; s++)
		printf(" %s", bn[s] == sizes[s].na * sizes[s].nd ? "y" : "N");
	printf(")\n  set_masks calls per op at the largest square size:");
	{
		int big = 0;

		for (int s = 0; s < nsizes; s++)
			if (sizes[s].na == sizes[s].nd)
				big = s;
		for (int k = 0; k < nops; k++)
			printf(" %s=%.1f", op_key[k], masks[big][k]);
	}
	printf("\n");

	/* fit ns = a + b * |apm|*|aqm| and the ratio to the lower bound */
	printf("  fit ns = a + b*(|apm|*|aqm|) over the square sizes (NxN), and ratio to the lower bound\n");
	printf("  %-32s %12s %10s %7s %12s %12s\n", "op", "a (ns)", "b (ns/q)", "R^2",
	       "x lowb 1x1", "x lowb max");
	for (int k = 0; k < nops; k++) {
		double y[16], xs[16], fa, fb, r2;
		int nsq = 0, big = 0;

		for (int s = 0; s < nsizes; s++)   /* the square sweep */
			if (sizes[s].na == sizes[s].nd) {
				xs[nsq] = x[s];
				y[nsq++] = med[s][k];
				big = s;
			}
		bench_fit(xs, y, nsq, &fa, &fb, &r2);
		printf("  %-32s %12.0f %10.2f %7.3f %12.0f %12.0f\n", op_name[k], fa, fb, r2,
		       med[0][k] / lbmed[0], med[big][k] / lbmed[big]);
		snprintf(key, sizeof(key), "apcb.fit.%s.a_ns", op_key[k]);
		bench_fig(key, fa, "ns");
		snprintf(key, sizeof(key), "apcb.fit.%s.b_ns_per_queue", op_key[k]);
		bench_fig(key, fb, "ns");
		snprintf(key, sizeof(key), "apcb.fit.%s.r2", op_key[k]);
		bench_fig(key, r2, "");
		snprintf(key, sizeof(key), "apcb.ratio_to_lower_bound.%s", op_key[k]);
		bench_fig(key, med[0][k] / lbmed[0], "x");
		snprintf(key, sizeof(key), "apcb.ratio_to_lower_bound_max.%s", op_key[k]);
		bench_fig(key, med[big][k] / lbmed[big], "x");
	}
	bench_prof_print(&sp, "apcb.profile", 10, X.loop_s, X.nops, "op");
	if (o.profile)
		printf("  profile written: %s (google-pprof --text %s %s)\n", o.profile,
		       argv[0], o.profile);
	bench_note("apcb.tree", "%s", apsim_ksrc_version);
	bench_note("apcb.sizes", "square 1x1..256x256 (the architecture's 65536 queues) and 256x4, 4x256");
	return bench_json_write(o.json, "apcb") ? 1 : 0;
}
