// SPDX-License-Identifier: GPL-2.0
/*
 * driver/world/world.c - the executor: builds a scenario's world (host AP
 * configuration, faults, the driver module, setup operations), runs every
 * operation of every thread through the same path the kernel takes, and
 * tears the world down again, once per execution.
 *
 * Owns: the per-execution object table (mdevs, kvms), op dispatch, op
 * results and their "-> R" checks, module (un)load, per-execution reset, phases, world snapshots.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/vfio.h>
#include <linux/mdev.h>
#include <linux/kvm_host.h>
#include "vfio_ap_private.h"

#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/s390.h"
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct world {
	const struct apsim_scenario *scn;
	struct apsim_exec *ex;
	struct mdev_device *mdev[APSIM_MAX_MDEVS];
	bool mdev_gone[APSIM_MAX_MDEVS];
	int open_count[APSIM_MAX_MDEVS];    /* open file descriptors */
	int fd_busy[APSIM_MAX_MDEVS];       /* ioctls in progress on them */
	int release_due[APSIM_MAX_MDEVS];   /* closed, released when not busy */
	struct kvm *kvm[APSIM_MAX_KVMS];
	bool kvm_destroyed[APSIM_MAX_KVMS];
	bool loaded;
};

static struct world W;
static struct apsim_exec exec_scratch;
static void (*inspect_fn)(void *);
static void *inspect_arg;

void apsim_world_set_inspect(void (*fn)(void *arg), void *arg)
{
	inspect_fn = fn;
	inspect_arg = arg;
}

bool apsim_world_driver_live(void)
{
	return W.loaded;
}

const struct apsim_exec *apsim_world_exec(void)
{
	return W.ex;
}

void apsim_world_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	shim_driver_data_snapshot();
}

/* ------------------------------------------------ per-execution reset */

/* Every execution starts from the same world: the variant's shim switches,
 * the scenario's host configuration, no objects, every result "not run". */
static void apply_variant_flags(void);
static void vfio_busy(struct vfio_device *vd);

/* The scenario's host configuration, in the AP bus shim's own type. */
static void apply_hostcfg(const struct apsim_hostcfg *c)
{
	struct shim_ap_hostcfg h;

	memcpy(h.apm, c->apm, sizeof(h.apm));
	memcpy(h.aqm, c->aqm, sizeof(h.aqm));
	memcpy(h.adm, c->adm, sizeof(h.adm));
	h.apxa = c->apxa;
	h.have_apmask = c->have_apmask;
	h.have_aqmask = c->have_aqmask;
	memcpy(h.apmask, c->apmask, sizeof(h.apmask));
	memcpy(h.aqmask, c->aqmask, sizeof(h.aqmask));
	h.card_type = c->card_type;
	shim_ap_config_set(&h); shim_ap_hw_set_aqic_ns((uint64_t)c->aqic_us * 1000);   /* ap_hw.c */
}

static void snap_rows_written(const struct apsim_scenario *s, const struct apsim_exec *ex);

static void world_reset(const struct apsim_scenario *s, struct apsim_exec *ex)
{
	apsim_world_init();
	memset(&W, 0, sizeof(W));
	W.scn = s;
	W.ex = ex ? ex : &exec_scratch;
	for (int i = 0; i < APSIM_MAX_OPS; i++) {
		W.ex->setup[i] = APSIM_RES_NOT_RUN;
		for (int t = 0; t < APSIM_MAX_THREADS; t++)
			W.ex->thr[t][i] = APSIM_RES_NOT_RUN;
	}
	W.ex->mismatches = 0;
	W.ex->mismatch[0] = 0;
	W.ex->invariants_checked = false;
	W.ex->nreads = 0;
	snap_rows_written(s, W.ex);
	shim_driver_data_restore();
	shim_base_reset();
	shim_s390_reset();
	apply_variant_flags();
	shim_vfio_set_busy_hook(vfio_busy);
	apply_hostcfg(&s->cfg);
}

/* -------------------------------------------------------------- dispatch */

static struct mdev_device *get_mdev(int i)
{
	if (i < 0 || i >= APSIM_MAX_MDEVS || W.mdev_gone[i])
		return NULL;
	return sim_race_sync(&W.mdev[i]), W.mdev[i];	/* a lookup (kernfs, fdget): ordered after the creation */
}

/* The mdev behind the VMM's open device fd (ioctls, close, DMA unmap):
 * an fd stays usable while a removal runs, as the kernel's does until the
 * last close (the removal waits for it, 6.12 asking user space with
 * `request`), so a VMM can answer a removal by closing or by SET_IRQS. */
static struct mdev_device *get_fd_mdev(int i)
{
	if (i < 0 || i >= APSIM_MAX_MDEVS || !W.mdev[i] || W.open_count[i] <= 0)
		return NULL;
	return sim_race_sync(&W.mdev[i]), W.mdev[i];
}

static struct kvm *get_kvm(int i)
{
	if (i < 0 || i >= APSIM_MAX_KVMS || W.kvm_destroyed[i])
		return NULL;
	return sim_race_sync(&W.kvm[i]), W.kvm[i];	/* as above */
}

struct device *apsim_world_mdev_device(int i)
{
	struct mdev_device *m = get_mdev(i);

	return m ? shim_mdev_device(m) : NULL;
}

static long sysfs_store(const struct apsim_op *op, const char *attr)
{
	struct mdev_device *m = get_mdev(op->mdev);

	if (!m)
		return -ENOENT;   /* the sysfs file does not exist */
	return op->range ? apsim_world_store_range(attr, op) :
		shim_sysfs_write(shim_mdev_device(m), attr, op->str, strlen(op->str));
}

static long sysfs_show(struct device *dev, const char *attr)
{
	static char buf[4096 + 1];
	long r;

	if (!dev)
		return -ENOENT;
	r = shim_sysfs_read(dev, attr, buf);
	if (W.ex->nreads < (int)ARRAY_SIZE(W.ex->reads)) {
		size_t n = r > 0 ? (size_t)r : 0;

		if (n >= sizeof(W.ex->reads[0]))
			n = sizeof(W.ex->reads[0]) - 1;
		memcpy(W.ex->reads[W.ex->nreads], buf, n);
		W.ex->reads[W.ex->nreads][n] = 0;
		W.ex->nreads++;
	}
	return r;
}

/*
 * The device's file.  An ioctl holds a reference on the file (fdget), so a
 * close() from another thread while it runs only drops the descriptor; the
 * release (vfio_device_fops_release -> close_device, and what a removal
 * waits for) happens at the last fput, when the ioctl returns.
 */
static long fd_ioctl(int i, struct mdev_device *m, unsigned int cmd, unsigned long arg)
{
	long r;

	W.fd_busy[i]++;
	r = shim_vfio_ioctl(m, cmd, arg);
	if (--W.fd_busy[i] == 0)
		while (W.release_due[i] > 0) {
			W.release_due[i]--;
			shim_vfio_close(m);
		}
	return r;
}

static void fd_close(int i)
{
	W.open_count[i]--;
	if (W.fd_busy[i]) {
		W.release_due[i]++;
		sim_trace_note(SIM_SITE, "m%d: release deferred to the end of the ioctl in progress", i);
		return;
	}
	shim_vfio_close(W.mdev[i]);
}
struct exec_arg;
static bool snap_restore(const struct exec_arg *a);
static unsigned long snap_id_cur;   /* the running execution's snapshot id */
static unsigned long share_id(const struct apsim_scenario *s, const struct sim_opts *o);
static long do_op_more(const struct apsim_op *op); static char *op_label(const struct apsim_op *op, char *buf, size_t len); static unsigned long exec_serial, label_serial; static void snap_take(void); static void apply_fault_more(const struct apsim_fault *f); static void result_finding(const struct apsim_op *op, const char *label, long r);
static long do_op(const struct apsim_op *op)
{
	struct mdev_device *m;
	struct kvm *kvm;
	long ret;

	switch (op->kind) {
	case APSIM_OP_MDEV_CREATE:
		if (op->mdev < 0 || op->mdev >= APSIM_MAX_MDEVS)
			return -EINVAL;
		if (W.mdev[op->mdev] && !W.mdev_gone[op->mdev])
			return -EEXIST;
		/* W.mdev keeps a removed mdev until the index is reused: a
		 * removal in progress still needs it (the fd holder) */
		ret = shim_mdev_create(op->mdev, &m);
		if (ret == 0) {
			W.mdev[op->mdev] = m;
			W.mdev_gone[op->mdev] = false; sim_race_sync(&W.mdev[op->mdev]);
			W.open_count[op->mdev] = 0;
		}
		return ret;
	case APSIM_OP_MDEV_REMOVE:
		m = get_mdev(op->mdev);
		if (!m)
			return -ENOENT;
		W.mdev_gone[op->mdev] = true;
		return shim_mdev_remove(m);
	case APSIM_OP_ASSIGN_ADAPTER:
		return sysfs_store(op, "assign_adapter");
	case APSIM_OP_UNASSIGN_ADAPTER:
		return sysfs_store(op, "unassign_adapter");
	case APSIM_OP_ASSIGN_DOMAIN:
		return sysfs_store(op, "assign_domain");
	case APSIM_OP_UNASSIGN_DOMAIN:
		return sysfs_store(op, "unassign_domain");
	case APSIM_OP_ASSIGN_CONTROL_DOMAIN:
		return sysfs_store(op, "assign_control_domain");
	case APSIM_OP_UNASSIGN_CONTROL_DOMAIN:
		return sysfs_store(op, "unassign_control_domain");
	case APSIM_OP_READ_MATRIX:
		m = get_mdev(op->mdev);
		return sysfs_show(m ? shim_mdev_device(m) : NULL, "matrix");
	case APSIM_OP_READ_GUEST_MATRIX:
		m = get_mdev(op->mdev);
		return sysfs_show(m ? shim_mdev_device(m) : NULL, "guest_matrix");
	case APSIM_OP_READ_CONTROL_DOMAINS:
		m = get_mdev(op->mdev);
		return sysfs_show(m ? shim_mdev_device(m) : NULL, "control_domains");
	case APSIM_OP_READ_QUEUE_STATUS:
		return sysfs_show(shim_ap_queue_device(op->card, op->domain), "status");
	case APSIM_OP_VFIO_OPEN:
		m = get_mdev(op->mdev);
		if (!m)
			return -ENOENT;
		kvm = op->kvm >= 0 ? get_kvm(op->kvm) : NULL;
		if (op->kvm >= 0 && !kvm)
			return -EBADF;   /* the kvm fd is gone */
		/*
		 * The group's kvm association (kvm-vfio device) keeps the VM
		 * alive while the open runs: kvm_destroy_vm first detaches the
		 * groups under group_lock, so it cannot free the kvm under an
		 * open in progress.  Model that with a reference.
		 */
		if (kvm)
			kvm_get_kvm(kvm);
		ret = shim_vfio_open(m, kvm);
		if (kvm)
			kvm_put_kvm(kvm);
		if (ret == 0)
			W.open_count[op->mdev]++;
		return ret;
	case APSIM_OP_VFIO_CLOSE:
		m = get_fd_mdev(op->mdev);
		if (!m)
			return -EBADF;
		fd_close(op->mdev);
		return 0;
	case APSIM_OP_VFIO_GET_INFO: {
		struct vfio_device_info info = { .argsz = sizeof(info) };

		m = get_fd_mdev(op->mdev);
		if (!m)
			return -EBADF;
		ret = fd_ioctl(op->mdev, m, VFIO_DEVICE_GET_INFO, (unsigned long)&info);
		return ret;
	}
	case APSIM_OP_VFIO_RESET:
		m = get_fd_mdev(op->mdev);
		if (!m)
			return -EBADF;
		return fd_ioctl(op->mdev, m, VFIO_DEVICE_RESET, 0);
	case APSIM_OP_DMA_UNMAP:
		m = get_fd_mdev(op->mdev);
		if (!m)
			return -EBADF;
		shim_vfio_dma_unmap(m, op->arg, PAGE_SIZE);
		return 0;
	case APSIM_OP_PQAP_AQIC_ENABLE:
	case APSIM_OP_PQAP_AQIC_DISABLE:
		kvm = get_kvm(op->kvm);
		if (!kvm)
			return -EBADF;
		return shim_vcpu_run_pqap_aqic(kvm, op->vcpu, op->card, op->domain,
					       op->kind == APSIM_OP_PQAP_AQIC_ENABLE,
					       (int)op->arg, 0);
	case APSIM_OP_APMASK_WRITE:
		return shim_ap_apmask_write(op->str);
	case APSIM_OP_AQMASK_WRITE:
		return shim_ap_aqmask_write(op->str);
	case APSIM_OP_QUEUE_BIND:
		return shim_ap_queue_bind(op->card, op->domain);
	case APSIM_OP_QUEUE_UNBIND:
		return shim_ap_queue_unbind(op->card, op->domain);
	case APSIM_OP_CONFIG_ADD_ADAPTER:
		return shim_ap_config_add_adapter(op->card);
	case APSIM_OP_CONFIG_REMOVE_ADAPTER:
		return shim_ap_config_remove_adapter(op->card);
	case APSIM_OP_CONFIG_ADD_DOMAIN:
		return shim_ap_config_add_domain(op->domain);
	case APSIM_OP_CONFIG_REMOVE_DOMAIN:
		return shim_ap_config_remove_domain(op->domain);
	case APSIM_OP_CONFIG_ADD_CONTROL_DOMAIN:
		return shim_ap_config_add_control_domain(op->domain);
	case APSIM_OP_CONFIG_REMOVE_CONTROL_DOMAIN:
		return shim_ap_config_remove_control_domain(op->domain);
	case APSIM_OP_AP_SCAN:
		shim_ap_scan();
		return 0;
	case APSIM_OP_KVM_CREATE:
		if (op->kvm < 0 || op->kvm >= APSIM_MAX_KVMS)
			return -EINVAL;
		if (W.kvm[op->kvm] && !W.kvm_destroyed[op->kvm])
			return -EEXIST;
		W.kvm[op->kvm] = shim_kvm_create(op->arg > 0 ? (int)op->arg : 1);
		if (!W.kvm[op->kvm])
			return -ENOMEM;
		W.kvm_destroyed[op->kvm] = false; sim_race_sync(&W.kvm[op->kvm]);
		return 0;
	case APSIM_OP_KVM_DESTROY:
		kvm = get_kvm(op->kvm);
		if (!kvm)
			return -EBADF;
		W.kvm_destroyed[op->kvm] = true;
		shim_kvm_destroy(kvm);
		return 0;
	case APSIM_OP_KVM_VM_CRYPTO:
		kvm = get_kvm(op->kvm);
		if (!kvm)
			return -EBADF;
		return shim_kvm_vm_crypto(kvm, (int)op->arg);
	case APSIM_OP_KVM_PV_COMMAND:
		kvm = get_kvm(op->kvm);
		if (!kvm)
			return -EBADF;
		return shim_kvm_pv_command(kvm);
	case APSIM_OP_YIELD:
		sim_yield(SIM_SITE);
		return 0;
	case APSIM_OP_SLEEP_MS:
		msleep(op->arg);
		return 0;
	default:
		return do_op_more(op);
	}
}

/* The op stack's label (sim_op_push_fn): made only when a report, a
 * trace or a new lock dependency reads it. */
static void op_label_fn(const void *op, char *buf, size_t len)
{
	char lbuf[128];
	const char *l = op_label(op, lbuf, sizeof(lbuf));
	size_t n = strnlen(l, len - 1);	/* its prefix: the formatter truncates */

	memcpy(buf, l, n);
	buf[n] = 0;
}

static void run_op(const struct apsim_op *op, long *result)
{
	char lbuf[128], rbuf[32], ebuf[128];
	const char *label = NULL;
	long r;

	sim_op_push_fn(op_label_fn, op);
	/* the op starts by reading and updating W (open fds, removed mdevs),
	 * which no sim primitive protects */
	sim_point_shared(SIM_SITE);
	r = do_op(op);
	sim_op_pop();
	*result = r;
	if (sim_trace_enabled()) {
		label = op_label(op, lbuf, sizeof(lbuf));   /* cached over an exploration (at the end) */
		sim_trace_note(SIM_SITE, "%s = %s", label,
			       apsim_errno_name(r, rbuf, sizeof(rbuf)));
	}
	if (apsim_op_result_ok(op, r))
		return;
	if (!label)
		label = op_label(op, lbuf, sizeof(lbuf));
	if (!W.ex->mismatches++)	/* "-> R1|R2|..." */
		snprintf(W.ex->mismatch, sizeof(W.ex->mismatch),
			 "%s:%d:%d: %s returned %s, expected %s",
			 W.scn->file, op->loc.line, op->loc.col, label,
			 apsim_errno_name(r, rbuf, sizeof(rbuf)),
			 apsim_op_expect_str(op, ebuf, sizeof(ebuf)));
	result_finding(op, label, r);	/* at the end of the file */
}

/* ------------------------------------------------------- thread bodies */

/*
 * The executor's side of the invariants: matrix_mdev->kvm is set exactly
 * while the vfio device is open with a kvm (whose crypto is set up: the
 * driver ignores a kvm without a CRYCB), and then it is that kvm.
 */
static void check_open_invariant(void)
{
	for (int i = 0; i < APSIM_MAX_MDEVS; i++) {
		struct mdev_device *m = get_mdev(i);
		struct ap_matrix_mdev *mm;
		struct kvm *want;

		if (!m)
			continue;
		mm = dev_get_drvdata(shim_mdev_device(m));
		if (!mm)
			continue;
		/* the vfio core's own state (the executor's counters are updated
		 * outside its locks, so they can lag behind a racing close) */
		{
			struct vfio_device *vd = shim_mdev_vfio_device(m);

			want = vd && vd->open_count > 0 ? vd->kvm : NULL;
		}
		if (want && !want->arch.crypto.crycbd)
			want = NULL;
		if (mm->kvm != want)
			sim_report(SIM_F_INVARIANT, false, "invariant:kvm-pointer-tracks-open",
				   "apsim: invariant violated: kvm-pointer-tracks-open\n"
				   "mdev m%d is %s, but matrix_mdev->kvm is %s\n", i,
				   want ? "open with a kvm" : "not open with a kvm",
				   mm->kvm ? (mm->kvm == want ? "its kvm" : "another kvm") : "NULL");
	}
}

/*
 * The fd holder.  A removal waits in vfio_unregister_group_dev until the
 * device's last user closes it.  When a scenario removes an mdev that it
 * keeps open and no operation closes it in time, 6.1 waits for user space
 * (vfio_ap has no `request` callback to ask); the VMM holding the fd would
 * eventually close it or exit.  apsim plays that process: after the first
 * 10-second wait it starts a thread "fd-holder" that closes the device
 * (every open of it), like the release at process exit, so the removal
 * completes instead of reporting a hang.  A close that itself blocks (on a
 * lock the removal holds...) is still found: as a deadlock or a hang.
 */
static void fd_holder(void *arg)
{
	int i = (int)(long)arg;

	sim_trace_note(SIM_SITE, "fd holder of m%d closes it (process exit)", i);
	while (W.mdev[i] && W.open_count[i] > 0)
		fd_close(i);
}

static void vfio_busy(struct vfio_device *vd)
{
	for (int i = 0; i < APSIM_MAX_MDEVS; i++)
		if (W.mdev[i] && shim_mdev_vfio_device(W.mdev[i]) == vd && W.open_count[i] > 0) {
			/* With SIM_MAX_THREADS threads live at once there is no
			 * slot for the holder (an exited thread's slot is reused),
			 * and the removal would wait for user space until the
			 * budget ran out, reported as a hang of the driver's.  It
			 * would be apsim's limit: said so, and the execution ends. */
			if (sim_thread_spawn("fd-holder", fd_holder, (void *)(long)i) < 0)
				sim_report(SIM_F_INVARIANT, true, "invariant:shim-fd-holder-no-thread",
					   "apsim: no simulated thread left for the fd holder of m%d "
					   "(%d threads at most per execution): its removal would wait "
					   "for user space to close it\n", i, SIM_MAX_THREADS);
			return;
		}
}

static void worker(void *arg)
{
	int t = (int)(long)arg;
	const struct apsim_thread_spec *ts = &W.scn->threads[t];

	for (int i = 0; i < ts->nops; i++)
		run_op(&ts->ops[i], &W.ex->thr[t][i]);
}

/* The variant's `shim` lines (checked against switches.def at build time). */
static void apply_variant_flags(void)
{
	static const struct { const char *name; bool *flag; } sw[] = {
#define SWITCH(name, flag) { name, &flag },
#include "driver/world/switches.def"
	};

	for (int i = 0; apsim_variant_shim_flags[i]; i++)
		for (size_t k = 0; k < sizeof(sw) / sizeof(sw[0]); k++)
			if (!strcmp(apsim_variant_shim_flags[i], sw[k].name))
				*sw[k].flag = true;
}

/* A fault armed during the module init only (`fault ... modprobe`; the
 * parser sets it for the points the driver calls only there). */
static bool fault_at_modprobe(const struct apsim_fault *f)
{
	return (f->kind == APSIM_FAULT_KMALLOC || f->kind == APSIM_FAULT_POINT) && f->modprobe;
}

/* Arm the faults of one part: the module init (modprobe) or the threads'
 * part.  Returns how many were armed. */
static int apply_faults(const struct apsim_scenario *s, bool modprobe)
{
	int n = 0;

	for (int i = 0; i < s->nfaults; i++) {
		const struct apsim_fault *f = &s->faults[i];

		if (fault_at_modprobe(f) != modprobe)
			continue;
		n++;
		if (f->kind == APSIM_FAULT_KMALLOC)
			shim_slab_fail_set(f->site, f->nth);
		else
			apply_fault_more(f);	/* AP response codes, fault points */
	}
	return n;
}

/*
 * modprobe vfio_ap, with the scenario's `modprobe` faults armed during the
 * module init (and disarmed after it, whether they fired or not).  A module
 * init that fails on them leaves a host without vfio_ap, as a failed
 * modprobe does: what vfio_ap_init unwound is gone (a leak or a bad put
 * there is a finding), the operations answer as the kernel would without
 * the driver (no mdev parent: create_mdev -ENODEV; no vfio_ap driver on
 * the AP bus: bind -ENODEV), and neither the driver's invariants (its
 * matrix_dev is freed) nor a world snapshot apply.  A module init that
 * fails without such a fault is a finding, and the execution ends.
 */
static bool load_module(const struct apsim_scenario *s)
{
	int armed = apply_faults(s, true), ret;

	if (armed)
		sim_phase("modprobe vfio_ap");   /* findings of the init say so */
	ret = shim_module_load();
	if (armed) {
		shim_slab_fail_set(NULL, -1);
		shim_fault_disarm_all();
		sim_phase("the setup block");
	}
	if (!ret) {
		W.loaded = true;
		return true;
	}
	if (!armed) {
		sim_report(SIM_F_INVARIANT, true, "invariant:module-load",
			   "vfio_ap module init failed: %d\n", ret);
		return false;
	}
	if (sim_trace_enabled())
		sim_trace_note(SIM_SITE, "modprobe vfio_ap failed (%d): the host runs without vfio_ap", ret);
	return true;
}

/*
 * The exhaustive search's state memo (sim_explore_seen): after the racing
 * threads are joined, the end checks and the teardown depend only on the
 * world (the shim's, the driver's and the allocator's memory, the AP
 * model, this executor's table) and on the core's state, which
 * sim_explore_seen adds.  An execution that reaches a world an earlier one
 * of the same search reached, and whose end checks and teardown (every
 * interleaving of them) were explored, ends here: the racing part was its
 * own, the rest is known.  APSIM_MEMO=0 turns it off, APSIM_MEMO=verify
 * runs them anyway and counts the ones whose outcome (the findings after
 * the join, the clock at the end) differs.  The validator's caches (a lock
 * map's class cache, the chain cache) are outside the key: they change
 * what it computes again, never what it finds.
 */
static bool memo_track;
static int memo_nfound;

static void memo_at_join(void)
{
	const struct sim_lockdep_map *held[1];
	uint64_t h[2];

	memo_track = false;
	if (!W.loaded || inspect_fn || !sim_explore_memo_wanted() ||
	    sim_lockdep_held_maps(0, held, 1) != 0)
		return;
	shim_world_state_hash(h);
	if (!h[0] && !h[1])
		return;
	shim_hash_words(h, &W, sizeof(W));
	if (sim_explore_seen(h[0], h[1])) {
		W.ex->invariants_checked = true;	/* (the earlier one checked them) */
		sim_end_execution();
	}
	memo_track = true;
	memo_nfound = sim_findings_count();
}

static void memo_at_end(void)
{
	uint64_t h[2];

	if (!memo_track)
		return;
	memo_track = false;
	/* what the end checks and the teardown found, and the clock they
	 * left: the outcome APSIM_MEMO=verify compares */
	h[0] = (uint64_t)(sim_findings_count() - memo_nfound);
	h[1] = sim_now_ns();
	for (int i = memo_nfound; i < sim_findings_count(); i++) {
		const struct sim_finding *f = sim_finding_get(i);

		shim_hash_words(h, f->signature, strlen(f->signature));
	}
	sim_explore_outcome(h[0] ^ (h[1] * 0x9e3779b97f4a7c15ULL));
}

static void world_main(void *arg)
{
	const struct apsim_scenario *s = W.scn;

	if (!arg) {   /* (else restored from a world snapshot: at the end) */
		if (!load_module(s))
			return;
		for (int i = 0; i < s->nsetup; i++)
			run_op(&s->setup[i], &W.ex->setup[i]);
		if (W.loaded)
			snap_take();   /* the snapshot (none after a failed modprobe) */
	}
	apply_faults(s, false);   /* faults apply to the concurrent part */
	sim_phase("the racing threads");
	for (int t = 0; t < s->nthreads; t++)
		if (sim_thread_spawn(s->threads[t].name, worker, (void *)(long)t) < 0)
			sim_report(SIM_F_INVARIANT, true, "invariant:spawn",
				   "cannot spawn thread %.39s\n", s->threads[t].name);
	sim_thread_join_all(SIM_SITE);
	memo_at_join();
	sim_phase("the end checks and teardown");
	if (W.loaded) {   /* (after a failed modprobe: no driver state to check) */
		apsim_invariants_check();
		check_open_invariant();
		W.ex->invariants_checked = true;
	}
	if (inspect_fn)
		apsim_rules_unwatched(inspect_fn, inspect_arg);	/* the test inspects: not the driver */
	/* Tear down in the order a host would: close, remove, destroy, unload. */
	shim_slab_fail_set(NULL, -1);
	for (int i = 0; i < APSIM_MAX_MDEVS; i++)
		while (W.mdev[i] && !W.mdev_gone[i] && W.open_count[i] > 0)
			fd_close(i);
	for (int i = 0; i < APSIM_MAX_MDEVS; i++)
		if (W.mdev[i] && !W.mdev_gone[i]) {
			W.mdev_gone[i] = true;
			shim_mdev_remove(W.mdev[i]);
		}
	for (int i = 0; i < APSIM_MAX_KVMS; i++)
		if (W.kvm[i] && !W.kvm_destroyed[i]) {
			W.kvm_destroyed[i] = true;
			shim_kvm_destroy(W.kvm[i]);
		}
	W.loaded = false;   /* matrix_dev is freed during unload */
	shim_module_unload();
	shim_slab_leak_check();
	memo_at_end();
}

/* What every execution of a run or an exploration starts from. */
struct exec_arg {
	const struct apsim_scenario *scn;
	struct apsim_exec *ex;
	unsigned long serial;     /* of the exploration (0: one run): op_label's cache */
	unsigned long snap_id; }; /* the world snapshot it may start from (0: none) */

static void exec_main(void *arg)
{
	const struct exec_arg *a = arg;
	bool restored = snap_restore(a);

	label_serial = a->serial;
	snap_id_cur = a->snap_id;
	if (!restored)
		world_reset(a->scn, a->ex);
	sim_phase("the setup block");
	world_main(restored ? &W : NULL);
}

int apsim_world_run(const struct apsim_scenario *s, const struct sim_opts *o,
		    struct sim_result *res, struct apsim_exec *ex)
{
	struct exec_arg a = { s, ex };

	return sim_run(o, exec_main, NULL, &a, res);
}

long apsim_world_explore(const struct apsim_scenario *s, const struct sim_opts *o,
			 uint64_t iterations, sim_exec_cb cb, void *cb_arg,
			 struct apsim_exec *ex, struct sim_explore_stats *st)
{
	unsigned long serial = ++exec_serial;
	struct exec_arg a = { s, ex, serial, serial };

	return sim_explore(o, iterations, exec_main, NULL, &a, cb, cb_arg, st);
}

int apsim_world_run_shared(const struct apsim_scenario *s, const struct sim_opts *o,
			   struct sim_result *res, struct apsim_exec *ex)
{
	struct exec_arg a = { s, ex, 0, share_id(s, o) };

	return sim_run(o, exec_main, NULL, &a, res);
}

/* ------------------------------------------------- operations since 6.12 */

/*
 * The operations of ops.def with SINCE "6.12", after every traced site of
 * this file (their line numbers appear in traces).  On a tree whose driver
 * lacks what an op drives, the op answers -EOPNOTSUPP; apsim refuses such a
 * scenario before it runs (apsim_op_tree_ok), so this is only a backstop.
 */

/* VFIO_DEVICE_SET_IRQS on the request IRQ: trigger with eventfd fd (-1 =
 * clear), through the device's file as the VMM would. */
static long set_req_irq(int i, struct mdev_device *m, int fd)
{
	struct {
		struct vfio_irq_set hdr;
		s32 fd;
	} a = {
		.hdr = { .argsz = sizeof(a),
			 .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			 .index = VFIO_AP_REQ_IRQ_INDEX, .start = 0, .count = 1 },
		.fd = fd,
	};

	return fd_ioctl(i, m, VFIO_DEVICE_SET_IRQS, (unsigned long)&a);
}

static long do_op_more(const struct apsim_op *op)
{
	struct mdev_device *m;
	struct kvm *kvm;
	long ret;
	int fd;

	switch (op->kind) {
	case APSIM_OP_WRITE_AP_CONFIG:
	case APSIM_OP_READ_AP_CONFIG:
	case APSIM_OP_SET_REQ_EVENTFD:
	case APSIM_OP_CLEAR_REQ_EVENTFD:
	case APSIM_OP_PV_ON:
	case APSIM_OP_PV_OFF:
		if (!APSIM_HAS_EVENTFD_REQ || !APSIM_HAS_PV)
			return -EOPNOTSUPP;
		break;
	default:
		return -ENOSYS;
	}
	switch (op->kind) {
	case APSIM_OP_WRITE_AP_CONFIG:
		return sysfs_store(op, "ap_config");
	case APSIM_OP_READ_AP_CONFIG:
		m = get_mdev(op->mdev);
		return sysfs_show(m ? shim_mdev_device(m) : NULL, "ap_config");
	case APSIM_OP_SET_REQ_EVENTFD:
		m = get_fd_mdev(op->mdev);
		if (!m)
			return -EBADF;
		fd = op->arg ? shim_eventfd_other() : shim_eventfd_create();
		if (fd < 0 || op->arg)
			return fd < 0 ? fd : set_req_irq(op->mdev, m, fd);
		ret = set_req_irq(op->mdev, m, fd);
		/* the driver holds its own reference to the eventfd context
		 * (until cleared or released): the VMM's descriptor goes, as
		 * it would when the process exits; a reference the driver
		 * keeps past the world's teardown is a leak finding */
		shim_eventfd_close(fd);
		return ret;
	case APSIM_OP_CLEAR_REQ_EVENTFD:
		m = get_fd_mdev(op->mdev);
		if (!m)
			return -EBADF;
		return set_req_irq(op->mdev, m, -1);
	case APSIM_OP_PV_ON:
	case APSIM_OP_PV_OFF:
		kvm = get_kvm(op->kvm);
		if (!kvm)
			return -EBADF;
		shim_kvm_set_pv(kvm, op->kind == APSIM_OP_PV_ON);
		return 0;
	default:
		return -ENOSYS;
	}
}

/* ------------------------------------------- op labels of an exploration */

/*
 * The label of an op (the op stack's, the trace note, a mismatch) depends
 * on the op alone.  Most executions read none (the op stack's labels are
 * made when a report or a new lock dependency reads them, run_op); an
 * exploration with a trace, or whose executions add dependencies, reads
 * the same ones in every execution, so it formats each label once (the
 * formatting was ~5 % of a traced D2 execution).  The
 * cache lives for one apsim_world_explore call (label_serial, set by
 * exec_main from its exec_arg): a caller may reuse the scenario's storage
 * for another scenario afterwards (the fuzz campaign and the benchmarks do),
 * and a single apsim_world_run (serial 0) formats as before.
 */
#define LABEL_LEN 128
static struct {
	unsigned long serial;               /* the exploration the texts are of */
	uint32_t gen;                       /* valid[] == gen: text is current */
	uint32_t valid[1 + APSIM_MAX_THREADS][APSIM_MAX_OPS];
	char text[1 + APSIM_MAX_THREADS][APSIM_MAX_OPS][LABEL_LEN];
} lc;

static char *op_label(const struct apsim_op *op, char *buf, size_t len)
{
	const struct apsim_scenario *s = W.scn;
	int row = -1;
	long i = 0;

	if (s && label_serial && len == LABEL_LEN) {
		if (op >= s->setup && op < s->setup + APSIM_MAX_OPS) {
			row = 0;
			i = op - s->setup;
		} else {
			for (int t = 0; t < APSIM_MAX_THREADS && row < 0; t++)
				if (op >= s->threads[t].ops && op < s->threads[t].ops + APSIM_MAX_OPS) {
					row = 1 + t;
					i = op - s->threads[t].ops;
				}
		}
	}
	if (row < 0) {
		apsim_scn_op_label(op, buf, len);
		return buf;
	}
	if (lc.serial != label_serial) {   /* another exploration: forget */
		lc.serial = label_serial;
		if (++lc.gen == 0) {
			memset(lc.valid, 0, sizeof(lc.valid));
			lc.gen = 1;
		}
	}
	if (lc.valid[row][i] != lc.gen) {
		apsim_scn_op_label(op, lc.text[row][i], LABEL_LEN);
		lc.valid[row][i] = lc.gen;
	}
	return lc.text[row][i];
}

/* ------------------------------------------------------ world snapshots */

/*
 * Within one exploration (apsim_world_explore: the same scenario and
 * options, seeds derived per execution) every execution rebuilds the same
 * world before its threads race: host configuration, module load, setup
 * block, faults.  The first execution keeps that world at the snapshot
 * point (snap_take, in world_main), the later ones start from it
 * (snap_restore, in exec_main): the shim's and the driver's memory and the
 * allocator's objects (shim_world_snapshot_*), the core's scheduler, clock,
 * validator and search state (sim_snapshot_*), the executor's W and the
 * setup's results.  Each part refuses when its state at that point would
 * depend on the seed or on earlier executions (a second thread, a decision,
 * a random draw, a finding, race detection, a replay, a slab mode without
 * shadow memory): then every execution of the exploration rebuilds.  With
 * tracing on, the set-up part's trace is part of the snapshot.
 * One exploration's snapshot is replaced by the next one's.
 */
static struct {
	unsigned long serial;     /* the exploration it belongs to (0: none) */
	bool valid;
	struct world w;
	struct apsim_exec ex;
	int hi[APSIM_MAX_THREADS];   /* rows of results written since (snap_ex_restore) */
	int setup_hi;                /* the same for the setup's results */
} snap;
static int snap_on = -1;      /* apsim_world_set_snapshot */
static unsigned long snap_used;

void apsim_world_set_snapshot(int on)
{
	snap_on = on;
}

unsigned long apsim_world_snapshot_used(void)
{
	return snap_used;
}

static unsigned long *snap_verify_bad;

void apsim_world_snapshot_verify(bool on, unsigned long *bad)
{
	snap_verify_bad = on ? bad : NULL;
}

extern char *getenv(const char *name);
void apsim_rules_snapshot_save(void);      /* rules.c */
void apsim_rules_snapshot_restore(void);
unsigned long apsim_rules_snapshot_check(void);   /* tests: slots that differ */

static bool snap_enabled(void)
{
	static int env = -1;

	if (snap_on >= 0)
		return snap_on;
	if (env < 0) {
		const char *e = getenv("APSIM_SNAPSHOT");

		env = !(e && !strcmp(e, "0"));
	}
	return env;
}

static void snap_take(void)
{
	if (!snap_id_cur || snap.serial == snap_id_cur || !snap_enabled())
		return;
	snap.serial = snap_id_cur;   /* one try per exploration or set-up part */
	snap.valid = false;
	if (sim_snapshot_save())
		return;
	if (shim_world_snapshot_save()) {
		sim_snapshot_drop();
		return;
	}
	apsim_rules_snapshot_save();
	snap.w = W;
	snap.ex = *W.ex;
	for (int t = 0; t < APSIM_MAX_THREADS; t++)   /* this run's own rows */
		snap.hi[t] = t < W.scn->nthreads ? W.scn->threads[t].nops : 0;
	snap.setup_hi = W.scn->nsetup;
	snap.valid = true;
}

/* A rebuilt execution writes the results of its threads' ops: when they
 * are the snapshot's results struct, the next restore puts those rows
 * back too (a run between the runs of a group may have more threads). */
static void snap_rows_written(const struct apsim_scenario *s, const struct apsim_exec *ex)
{
	if (!snap.valid || snap.w.ex != ex)
		return;
	if (snap.setup_hi < s->nsetup)
		snap.setup_hi = s->nsetup;
	for (int t = 0; t < s->nthreads && t < APSIM_MAX_THREADS; t++)
		if (snap.hi[t] < s->threads[t].nops)
			snap.hi[t] = s->threads[t].nops;
}

/* The results as the set-up part left them: the setup results and reads
 * (then "not run" for every op of the threads).  Only the rows of the
 * scenario's setup and threads are rewritten, and the rows written since
 * the last restore by other scenarios (snap.hi, snap.setup_hi:
 * apsim_world_run_shared, and runs rebuilt into the same results): the
 * others are "not run" since the rebuild that took the snapshot (a 9 KB
 * copy was 5 % of an execution). */
static void snap_ex_restore(struct apsim_exec *d, const struct apsim_exec *e,
			    const struct apsim_scenario *s)
{
	/* (the results past an op list's end are "not run" in both: no
	 * execution writes them) */
	memcpy(d->setup, e->setup,
	       sizeof(d->setup[0]) * (size_t)(s->nsetup > snap.setup_hi ? s->nsetup : snap.setup_hi));
	snap.setup_hi = s->nsetup;
	for (int t = 0; t < APSIM_MAX_THREADS; t++) {
		int n = t < s->nthreads ? s->threads[t].nops : 0;

		memcpy(d->thr[t], e->thr[t], sizeof(d->thr[t][0]) * (size_t)(n > snap.hi[t] ? n : snap.hi[t]));
		snap.hi[t] = n;
	}
	d->mismatches = e->mismatches;
	memcpy(d->mismatch, e->mismatch, sizeof(d->mismatch));
	d->invariants_checked = e->invariants_checked;
	d->nreads = e->nreads;
	for (int i = 0; i < e->nreads && i < (int)ARRAY_SIZE(e->reads); i++)
		memcpy(d->reads[i], e->reads[i], sizeof(d->reads[i]));
}

static bool snap_restore(const struct exec_arg *a)
{
	const struct apsim_scenario *s = a->scn;

	/* (the id says whose set-up part it is: that exploration's scenario,
	 * or one with the same set-up part, apsim_world_run_shared) */
	if (!snap.valid || !a->snap_id || snap.serial != a->snap_id || !snap_enabled() ||
	    snap.w.ex != (a->ex ? a->ex : &exec_scratch))
		return false;
	if (shim_world_snapshot_restore())
		return false;      /* nothing was changed */
	if (snap_verify_bad)
		*snap_verify_bad += shim_world_snapshot_check();
	if (sim_snapshot_restore())
		return false;      /* the shim's memory is a valid leftover: rebuild */
	apsim_rules_snapshot_restore();
	if (snap_verify_bad)
		*snap_verify_bad += apsim_rules_snapshot_check();
	W = snap.w;
	W.scn = s;             /* (shared: the same set-up part, other threads) */
	snap_ex_restore(W.ex, &snap.ex, s);
	snap_used++;
	return true;
}

/*
 * apsim_world_run_shared: the snapshot id of a scenario's set-up part.
 * What the world does before the snapshot point depends on the scenario's
 * host configuration, setup block, modprobe faults and file name (in the
 * setup's "-> R" mismatch texts), and on the options but the seed and the
 * PCT depth (no decision or draw happens before that point:
 * sim_snapshot_save refuses otherwise).  When all of them equal those of
 * the previous call, the id is the same and the run may start from that
 * call's snapshot (if it was taken into the same results' struct:
 * snap_restore); else a new id.  Compared with memcmp: scenarios and
 * options start all zeroes (apsim_scn_init or the generator's own buffer,
 * sim_opts_default), and differing padding could only make a rebuild,
 * never a wrong restore.
 */
static struct {
	unsigned long id;
	struct sim_opts o;        /* seed and pct_depth zeroed */
	char file[sizeof(((struct apsim_scenario *)0)->file)];
	struct apsim_hostcfg cfg;
	int nsetup, nfaults;
	struct apsim_op setup[APSIM_MAX_OPS];
	struct apsim_fault faults[APSIM_MAX_FAULTS];   /* the modprobe ones */
} sk;

static unsigned long share_id(const struct apsim_scenario *s, const struct sim_opts *o)
{
	struct apsim_fault mf[APSIM_MAX_FAULTS];
	struct sim_opts so;
	int nmf = 0;

	memcpy(&so, o, sizeof(so));
	so.seed = 0;
	so.pct_depth = 0;
	for (int i = 0; i < s->nfaults && i < APSIM_MAX_FAULTS; i++)
		if (fault_at_modprobe(&s->faults[i]))
			memcpy(&mf[nmf++], &s->faults[i], sizeof(mf[0]));
	if (sk.id && !memcmp(&sk.o, &so, sizeof(so)) && sk.nsetup == s->nsetup &&
	    sk.nfaults == nmf && !strcmp(sk.file, s->file) &&
	    !memcmp(&sk.cfg, &s->cfg, sizeof(sk.cfg)) &&
	    !memcmp(sk.setup, s->setup, sizeof(s->setup[0]) * (size_t)s->nsetup) &&
	    !memcmp(sk.faults, mf, sizeof(mf[0]) * (size_t)nmf))
		return sk.id;
	sk.id = ++exec_serial;
	memcpy(&sk.o, &so, sizeof(so));
	sk.nsetup = s->nsetup;
	sk.nfaults = nmf;
	snprintf(sk.file, sizeof(sk.file), "%s", s->file);
	memcpy(&sk.cfg, &s->cfg, sizeof(sk.cfg));
	memcpy(sk.setup, s->setup, sizeof(s->setup[0]) * (size_t)s->nsetup);
	memcpy(sk.faults, mf, sizeof(mf[0]) * (size_t)nmf);
	return sk.id;
}

/* ------------------------------------------------------ more fault kinds */

/* The faults but kmalloc: AP response codes, and the shim's fault points
 * (driver/kernel/fault.h, armed by name: tests/check_shim_faults.c checks that
 * every point of driver/scenario/faults.def is one of the shim's). */
static void apply_fault_more(const struct apsim_fault *f)
{
	if (f->kind == APSIM_FAULT_AP_RC)
		shim_ap_inject(f->insn, f->card, f->domain, f->rc, f->count);
	else if (f->kind == APSIM_FAULT_POINT)
		shim_fault_arm(shim_fault_lookup(apsim_fault_point_name(f->point)), f->nth, f->err);
}

/* ---------------------------------------------- a result "-> R" forbids */

/*
 * An op returned a result its "-> R1|R2|..." does not allow: besides the
 * run's failure (W.ex->mismatch), a finding, so that the execution is
 * written to disk with its schedule and replays (signature
 * "invariant:op-result:OP@FILE:LINE", one per op line).
 */
static void result_finding(const struct apsim_op *op, const char *label, long r)
{
	char sig[160], rbuf[32], ebuf[128];
	const char *base = strrchr(W.scn->file, '/');

	base = base ? base + 1 : W.scn->file;
	snprintf(sig, sizeof(sig), "invariant:op-result:%s@%s:%d", apsim_op_name(op->kind),
		 base, op->loc.line);
	sim_report(SIM_F_INVARIANT, false, sig,
		   "apsim: %s:%d:%d: %s returned %s, expected %s\n", W.scn->file,
		   op->loc.line, op->loc.col, label, apsim_errno_name(r, rbuf, sizeof(rbuf)),
		   apsim_op_expect_str(op, ebuf, sizeof(ebuf)));
}
