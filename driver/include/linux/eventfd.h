/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/eventfd.h (apsim shim) - eventfd contexts as a driver sees them: a
 * context from a file descriptor of the simulated VMM, signal, put.  The
 * fd table and the VMM side (create, close, read the count) are in
 * driver/kernel/eventfd.c; its glue API is in driver/kernel/base.h.
 *
 * Owns: struct eventfd_ctx (opaque) and the driver-side calls.  A context
 * lives while the VMM's fd or a driver reference holds it; the last put
 * frees it (a later use is a use-after-free the shadow checker reports).
 * eventfd_signal() takes the context's wait-queue spinlock like the kernel.
 */
#ifndef _APSIM_LINUX_EVENTFD_H
#define _APSIM_LINUX_EVENTFD_H

#include <linux/types.h>
#include <linux/err.h>

struct eventfd_ctx;

/* A reference to the context behind fd: ERR_PTR(-EBADF) for a descriptor
 * the VMM does not have open, ERR_PTR(-EINVAL) for one that is not an
 * eventfd. */
struct eventfd_ctx *eventfd_ctx_fdget(int fd);
void eventfd_ctx_put(struct eventfd_ctx *ctx);
/* Add 1 (6.8+: eventfd_signal(ctx)) or n (older trees) to the counter. */
void apsim_eventfd_signal(struct eventfd_ctx *ctx, __u64 n);
#if APSIM_HAS_EVENTFD_REQ
static inline void eventfd_signal(struct eventfd_ctx *ctx)
{
	apsim_eventfd_signal(ctx, 1);
}
#else
static inline __u64 eventfd_signal(struct eventfd_ctx *ctx, __u64 n)
{
	apsim_eventfd_signal(ctx, n);
	return n;
}
#endif

#endif
