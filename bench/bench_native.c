/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench_native.c - apsim side by side with its peers on the D2
 * deadlock (assign_adapter vs an apmask write, fixed by 3f85d1df).
 *
 * Owns: a small NATIVE MODEL of the two D2 code paths on pthread mutexes
 * (not the driver: the driver cannot run natively; only its lock sequence
 * is modelled), the native overhead baseline (the same operations without
 * apsim's scheduler), and the time-to-detect comparison of the D2 lock-order
 * cycle: apsim (the d2 variant binary on scenarios/deadlocks/d2-inuse.scn)
 * vs ThreadSanitizer (this file built with clang -fsanitize=thread, run on
 * the buggy model) vs valgrind helgrind (the plain build on the buggy model).
 * Peers whose tool is missing are skipped with a note.
 *
 *   bench_native [--json FILE] [--quick] [--runs N] [--apsim PATH] [--scn PATH]
 *   bench_native --model buggy|fixed [--iters N]   (the model alone)
 *
 * The model, lock for lock (6.0-rc driver = buggy, 6.1 = fixed):
 *   apmask write:    ap_perms_mutex -> in_use(): guests_lock -> mdevs_lock
 *   assign_adapter:  buggy: guests_lock -> kvm->lock -> mdevs_lock, then the
 *                    AP bus helper takes ap_perms_mutex
 *                    fixed: ap_perms_mutex first, then the same three
 * The buggy model runs its two threads one after the other (no real
 * deadlock can happen); both peers report the inversion from lock order.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "bench_common.h"

/* ------------------------------------------------------------ the model */

static pthread_mutex_t ap_perms_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t guests_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t mdevs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t kvm_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile unsigned long apm_matrix, apmask, shadow;
static int model_buggy;

/* vfio_ap_mdev_resource_in_use(): guests_lock -> mdevs_lock */
static int in_use(unsigned long newly_reserved)
{
	int busy;

	pthread_mutex_lock(&guests_lock);
	pthread_mutex_lock(&mdevs_lock);
	busy = (apm_matrix & newly_reserved) != 0;
	pthread_mutex_unlock(&mdevs_lock);
	pthread_mutex_unlock(&guests_lock);
	return busy;
}

/* apmask_store("+6") */
static void *op_apmask(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&ap_perms_mutex);
	if (!in_use(1UL << 6))
		apmask |= 1UL << 6;
	pthread_mutex_unlock(&ap_perms_mutex);
	return NULL;
}

/* ap_apqn_in_matrix_owned_by_def_drv(): buggy version locks itself */
static int owned_by_def_drv(unsigned long apm)
{
	int r;

	if (model_buggy)
		pthread_mutex_lock(&ap_perms_mutex);
	r = (apm & apmask) != 0;
	if (model_buggy)
		pthread_mutex_unlock(&ap_perms_mutex);
	return r;
}

/* assign_adapter_store("5") with kvm attached */
static void *op_assign(void *arg)
{
	(void)arg;
	if (!model_buggy)
		pthread_mutex_lock(&ap_perms_mutex);
	pthread_mutex_lock(&guests_lock);
	pthread_mutex_lock(&kvm_lock);
	pthread_mutex_lock(&mdevs_lock);
	if (!owned_by_def_drv(1UL << 5)) {
		apm_matrix |= 1UL << 5;
		shadow = apm_matrix;      /* filter + kvm_arch_crypto_set_masks */
	}
	pthread_mutex_unlock(&mdevs_lock);
	pthread_mutex_unlock(&kvm_lock);
	pthread_mutex_unlock(&guests_lock);
	if (!model_buggy)
		pthread_mutex_unlock(&ap_perms_mutex);
	return NULL;
}

/* One execution: reset, both operations on two threads. */
static void model_exec(bool sequential)
{
	pthread_t a, q;

	apm_matrix = 0;
	apmask = 0;
	shadow = 0;
	pthread_create(&a, NULL, op_apmask, NULL);
	if (sequential)
		pthread_join(a, NULL);
	pthread_create(&q, NULL, op_assign, NULL);
	if (!sequential)
		pthread_join(a, NULL);
	pthread_join(q, NULL);
}

static int model_main(const char *which, long iters)
{
	model_buggy = !strcmp(which, "buggy");
	for (long i = 0; i < iters; i++)
		model_exec(model_buggy);
	return 0;
}

/* ---------------------------------------------------------- baselines */

/* The operations alone on one thread (no thread creation): ns per pair. */
static double native_ops_ns(long n)
{
	model_buggy = 0;
	double t0 = bench_now();

	for (long i = 0; i < n; i++) {
		apm_matrix = 0;
		apmask = 0;
		op_apmask(NULL);
		op_assign(NULL);
	}
	return (bench_now() - t0) * 1e9 / n;
}

/* Executions/s of the fixed model, two real threads per execution. */
static double native_execs_per_s(long n)
{
	model_buggy = 0;
	double t0 = bench_now();

	for (long i = 0; i < n; i++)
		model_exec(false);
	return n / (bench_now() - t0);
}

/* ------------------------------------------------------------- peers */

/* Run argv (env additions in envs, may be NULL); output to a temp file;
 * wall seconds, or -1.  *found: the output contained `needle`. */
static double run_timed(char *const argv[], const char *env, const char *needle,
			bool *found, int *status)
{
	char tmpl[] = "/tmp/apsim-bench-XXXXXX";
	int fd = mkstemp(tmpl);
	double t0, dt;
	pid_t pid;

	if (fd < 0)
		return -1;
	unlink(tmpl);
	t0 = bench_now();
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (env)
			putenv((char *)env);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, status, 0);
	dt = bench_now() - t0;
	*found = false;
	if (needle) {
		static char buf[1 << 20];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		if (n > 0) {
			buf[n] = 0;
			*found = strcasestr(buf, needle) != NULL;
		}
	}
	close(fd);
	return dt;
}

static bool executable(const char *p)
{
	return p && access(p, X_OK) == 0;
}

static bool find_in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char dir[4096];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(dir, sizeof(dir), "%.*s/%s", (int)n, path, name);
		if (executable(dir)) {
			snprintf(out, len, "%s", dir);
			return true;
		}
		path += n + (path[n] == ':');
	}
	return false;
}

struct peer {
	const char *name;
	struct bench_stat wall;
	bool ran, detected;
	char note[200];
};

static void time_peer(struct peer *p, char *const argv[], const char *env,
		      const char *needle, int runs)
{
	double v[16];
	int st, nd = 0;
	bool found = false;

	for (int i = 0; i < runs; i++) {
		v[i] = run_timed(argv, env, needle, &found, &st);
		nd += found;
	}
	p->wall = bench_stat_of(v, runs);
	p->ran = true;
	p->detected = nd == runs;
	if (!p->detected)
		snprintf(p->note, sizeof(p->note), "cycle reported in %d of %d runs", nd, runs);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	char self[4096], dir[4096], apsim[4096], scn[4096], tsan[4096], vg[4096];
	char *rest[8];
	int nrest = 0;

	/* model mode (also what the TSan build and helgrind run) */
	if (argc >= 3 && !strcmp(argv[1], "--model")) {
		long iters = 1;

		if (argc >= 5 && !strcmp(argv[3], "--iters"))
			iters = atol(argv[4]);
		return model_main(argv[2], iters);
	}
	bench_self_dir(dir, sizeof(dir));
	snprintf(apsim, sizeof(apsim), "%s/../variants/d2/apsim", dir);
	snprintf(scn, sizeof(scn), "scenarios/deadlocks/d2-inuse.scn");
	rest[nrest++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--apsim") && i + 1 < argc)
			snprintf(apsim, sizeof(apsim), "%s", argv[++i]);
		else if (!strcmp(argv[i], "--scn") && i + 1 < argc)
			snprintf(scn, sizeof(scn), "%s", argv[++i]);
		else if (nrest < 7)
			rest[nrest++] = argv[i];
	}
	rest[nrest] = NULL;
	if (bench_parse_opts(nrest, rest, &o, " [--apsim PATH] [--scn PATH]"))
		return 2;
	snprintf(self, sizeof(self), "%s/bench_native", dir);
	snprintf(tsan, sizeof(tsan), "%s/tsan/bench_native", dir);

	int runs = o.quick ? 3 : 5;

	/* native baseline */
	double ops[16], ex[16];

	for (int i = 0; i < runs; i++) {
		ops[i] = native_ops_ns(o.quick ? 200000 : 1000000);
		ex[i] = native_execs_per_s(o.quick ? 2000 : 10000);
	}
	struct bench_stat sops = bench_stat_of(ops, runs), sex = bench_stat_of(ex, runs);

	/* peers: detect the D2 lock-order cycle */
	struct peer pa = { "apsim (d2 variant, run d2-inuse.scn)" },
		    pt = { "ThreadSanitizer (clang, native model)" },
		    ph = { "valgrind helgrind (native model)" };

	if (executable(apsim) && access(scn, R_OK) == 0) {
		char out[64];   /* its finding: bench_rm_out */
		char *av[] = { apsim, "run", scn, "--out", out, NULL };

		snprintf(out, sizeof(out), "/tmp/apsim-bench-native-%d", (int)getpid());
		time_peer(&pa, av, NULL, "ap_perms_mutex", runs);
		bench_rm_out(out);
	} else {
		snprintf(pa.note, sizeof(pa.note), "skipped: %s or %s missing (make variants)", apsim, scn);
	}
	if (executable(tsan)) {
		char *av[] = { tsan, "--model", "buggy", NULL };

		time_peer(&pt, av, "TSAN_OPTIONS=detect_deadlocks=1 second_deadlock_stack=1",
			  "lock-order-inversion", runs);
	} else {
		snprintf(pt.note, sizeof(pt.note), "skipped: %s not built (clang missing?)", tsan);
	}
	if (find_in_path("valgrind", vg, sizeof(vg))) {
		char *av[] = { vg, "--tool=helgrind", self, "--model", "buggy", NULL };

		time_peer(&ph, av, NULL, "lock order", runs);
	} else {
		snprintf(ph.note, sizeof(ph.note), "skipped: valgrind not installed");
	}

	printf("peers on D2 (median of %d runs, [min..max])\n", runs);
	printf("  NOTE: the native figures run a pthread MODEL of the two D2 lock\n"
	       "  sequences (bench_native.c), not the vfio_ap driver, which cannot\n"
	       "  run natively.  apsim runs the real driver (d2 variant).\n");
	printf("  %-52s %10.1f ns   [%.1f..%.1f]\n", "native model: apmask+assign ops, 1 thread",
	       sops.med, sops.min, sops.max);
	printf("  %-52s %10.0f /s   [%.0f..%.0f]\n", "native model: executions (2 pthreads each)",
	       sex.med, sex.min, sex.max);
	bench_figs_stat("native.ops_pair_ns", sops, "ns");
	bench_figs_stat("native.execs_per_s", sex, "1/s");
	bench_note("native.note", "pthread model of the D2 lock sequences, not the driver");

	printf("  time to detect the D2 lock-order cycle (process wall time):\n");
	struct peer *ps[] = { &pa, &pt, &ph };
	const char *keys[] = { "detect.apsim_s", "detect.tsan_s", "detect.helgrind_s" };

	for (int i = 0; i < 3; i++) {
		struct peer *p = ps[i];

		if (p->ran) {
			printf("  %-52s %10.3f s    [%.3f..%.3f]%s%s\n", p->name, p->wall.med,
			       p->wall.min, p->wall.max, p->note[0] ? "  " : "", p->note);
			bench_figs_stat(keys[i], p->wall, "s");
			bench_fig(i == 0 ? "detect.apsim_found" : i == 1 ? "detect.tsan_found"
				  : "detect.helgrind_found", p->detected, "");
		} else {
			printf("  %-52s %10s      %s\n", p->name, "-", p->note);
			bench_note(i == 0 ? "detect.apsim_note" : i == 1 ? "detect.tsan_note"
				   : "detect.helgrind_note", "%s", p->note);
		}
	}
	if (pa.ran && pt.ran) {
		printf("  %-52s %10.2fx\n", "ratio TSan / apsim", pt.wall.med / pa.wall.med);
		bench_fig("detect.ratio_tsan_over_apsim", pt.wall.med / pa.wall.med, "x");
	}
	if (pa.ran && ph.ran) {
		printf("  %-52s %10.2fx\n", "ratio helgrind / apsim", ph.wall.med / pa.wall.med);
		bench_fig("detect.ratio_helgrind_over_apsim", ph.wall.med / pa.wall.med, "x");
	}
	return bench_json_write(o.json, "native") ? 1 : 0;
}
