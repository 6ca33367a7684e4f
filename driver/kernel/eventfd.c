// SPDX-License-Identifier: GPL-2.0
/*
 * driver/kernel/eventfd.c - eventfd contexts of the shim kernel, as a VMM
 * (the scenario's user space) and a driver see them.
 *
 * Owns: the per-execution fd table of the simulated VMM (fds
 * EFD_FD_BASE.. are eventfds, EFD_OTHER_FD is an open fd of another kind),
 * struct eventfd_ctx with its count, reference count and wait-queue lock
 * ("&ctx->wqh.lock", a spinlock, taken by eventfd_signal as the kernel
 * does), and the driver calls of linux/eventfd.h.
 *
 * A context is a slab object: it lives while the VMM's fd or a driver
 * reference (eventfd_ctx_fdget) holds it and is freed by the last put or
 * close, so a driver that signals a context it no longer holds a
 * reference to is a use-after-free the shadow checker reports, and one
 * that keeps a reference after the VMM closed the fd keeps the object
 * alive (shim_eventfd_live(), the slab leak check).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/eventfd.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"

#define EFD_MAX		16
#define EFD_FD_BASE	20
#define EFD_OTHER_FD	19

struct eventfd_ctx {
	spinlock_t lock;		/* the kernel's ctx->wqh.lock */
	__u64 count;
	int refs;
};

static struct {
	uint32_t gen;
	struct eventfd_ctx *fd[EFD_MAX];	/* the VMM's open eventfds */
	int live;				/* contexts not freed */
} efd;
SHIM_GEN_STAMP(eventfd, efd.gen);

static void efd_cur(void)
{
	if (efd.gen != sim_generation()) {
		memset(&efd, 0, sizeof(efd));
		efd.gen = sim_generation();
	}
}

static struct eventfd_ctx **efd_slot(int fd)
{
	efd_cur();
	if (fd < EFD_FD_BASE || fd >= EFD_FD_BASE + EFD_MAX || !efd.fd[fd - EFD_FD_BASE])
		return NULL;
	return &efd.fd[fd - EFD_FD_BASE];
}

static void efd_put(struct eventfd_ctx *ctx)
{
	if (--ctx->refs == 0) {
		efd.live--;
		kfree(ctx);
	}
}

int shim_eventfd_create(void)
{
	efd_cur();
	for (int i = 0; i < EFD_MAX; i++) {
		struct eventfd_ctx *ctx;

		if (efd.fd[i])
			continue;
		ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
		if (!ctx)
			return -ENOMEM;
		spin_lock_init(&ctx->lock);
		ctx->refs = 1;
		efd.fd[i] = ctx;
		efd.live++;
		return EFD_FD_BASE + i;
	}
	return -EMFILE;
}

int shim_eventfd_close(int fd)
{
	struct eventfd_ctx **slot = efd_slot(fd);
	struct eventfd_ctx *ctx;

	if (!slot)
		return -EBADF;
	ctx = *slot;
	*slot = NULL;
	efd_put(ctx);
	return 0;
}

void shim_eventfd_close_all(void)
{
	for (int fd = EFD_FD_BASE; fd < EFD_FD_BASE + EFD_MAX; fd++)
		shim_eventfd_close(fd);
}

long long shim_eventfd_count(int fd)
{
	struct eventfd_ctx **slot = efd_slot(fd);

	return slot ? (long long)(*slot)->count : -EBADF;
}

int shim_eventfd_refs(int fd)
{
	struct eventfd_ctx **slot = efd_slot(fd);

	return slot ? (*slot)->refs : -EBADF;
}

int shim_eventfd_live(void)
{
	efd_cur();
	return efd.live;
}

int shim_eventfd_other(void)
{
	return EFD_OTHER_FD;
}

struct eventfd_ctx *eventfd_ctx_fdget(int fd)
{
	struct eventfd_ctx **slot = efd_slot(fd);

	if (!slot || shim_fault_hit(SHIM_FP_EVENTFD, SIM_SITE))	/* fs/eventfd.c */
		return ERR_PTR(slot ? shim_fault_err(SHIM_FP_EVENTFD) : fd == EFD_OTHER_FD ? -EINVAL : -EBADF);
	(*slot)->refs++;
	return *slot;
}

void eventfd_ctx_put(struct eventfd_ctx *ctx)
{
	efd_put(ctx);
}

void apsim_eventfd_signal(struct eventfd_ctx *ctx, __u64 n)
{
	spin_lock(&ctx->lock);
	ctx->count += n;
	spin_unlock(&ctx->lock);
}
