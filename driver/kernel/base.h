/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/base.h - the glue API of the generic shim kernel: what the
 * driver glue (driver/world/world.c), the s390 half of the shim and the tests
 * call to drive the device core, sysfs, vfio/mdev, the slab and the module.
 * Include after the shim kernel headers (needs struct device etc.).
 *
 * Owns: per-execution reset of the generic shim, module load/unload and the
 * driver-data snapshot, slab checks (leaks, failslab), sysfs dispatch by
 * attribute name, driver binding, mdev/vfio user-side operations.
 * Conventions: 0 or a negative errno.
 */
#ifndef APSIM_SHIM_BASE_H
#define APSIM_SHIM_BASE_H

#include <linux/types.h>
#include <linux/device.h>
#include <apsim/sim.h>
#include "driver/kernel/fault.h"    /* the fault points */

struct mdev_device;
struct kvm;

/* ------------------------------------------------------------ execution */

/* Reset everything generic for the next execution (slab arena, module
 * state, device/bus lists, vfio/mdev state, injections, WARN_ONCE).  Call
 * before each execution, outside simulated threads. */
void shim_base_reset(void);

/* ---------------------------------------------------------------- module */

/* Copy of the driver's writable data (.data/.bss of the real driver
 * objects): take once at startup, restore before each execution. */
void shim_driver_data_snapshot(void);
void shim_driver_data_restore(void);
/* Call the driver's module_init; 0 or its error.  -EEXIST if loaded. */
int shim_module_load(void);
/* Call module_exit (if loaded).  A module use count > 0 is a WARN finding
 * (the kernel would refuse rmmod). */
void shim_module_unload(void);

/* ------------------------------------------------------------------ slab */

/* Report (SIM_F_MEMORY, non-fatal, one finding per allocation site,
 * signature "memory:leak:<func>@<file:line>") every live object not marked
 * persistent.  Returns the number of leaked objects. */
int shim_slab_leak_check(void);
/*
 * How freed objects and bounds are checked (see slab.c): shadow memory
 * (default in APSIM_KASAN builds: exact, no system calls), guard pages
 * (APSIM_SLAB=guard: exact, one mprotect per object), poison
 * (APSIM_SLAB=poison: writes after free found at the end, reads only when
 * they crash).  ASan builds: ASan.  -1 = the default (environment).  A
 * change takes effect when no object exists (at the next reset).
 */
enum { SHIM_SLAB_SHADOW, SHIM_SLAB_GUARD, SHIM_SLAB_POISON, SHIM_SLAB_ASAN };
void shim_slab_set_mode(int mode);
int shim_slab_mode(void);
/* Opt-in (also APSIM_SLAB=poison): shim_slab_set_mode(POISON or default) */
void shim_slab_set_poison_mode(bool on);
/* Objects that legitimately outlive the module (AP bus devices ...). */
void shim_slab_set_persistent(const void *p, bool persistent);
/* Free everything (rewind the arena); called by shim_base_reset. */
void shim_slab_reset(void);
/* World snapshots (module.c, slab.c): keep every writable byte of the shim,
 * the driver and the allocator's objects after the set-up part, and put it
 * back at the start of a later execution.  save: 0 or -EAGAIN (the slab is
 * not in shadow mode, the build has no shim sections). */
int shim_world_snapshot_save(void);
int shim_world_snapshot_restore(void);
void shim_world_snapshot_drop(void);
/* After a restore: the entries of the copy's holes (module-restored arrays,
 * module.c) that differ from the snapshot; 0 when the restore is right.
 * For tests (apsim_world_snapshot_verify). */
unsigned long shim_world_snapshot_check(void);
/*
 * A hash of every writable byte of the shim, the driver and the
 * allocator's objects (what a world snapshot keeps), and of the AP model's
 * and the AP bus' rows: two worlds with equal hashes behave alike from here
 * on.  The execution's generation stamps (sim_generation(), and one more:
 * the lock validator's epoch in lock maps) hash as one value, so equal
 * worlds of two executions hash alike.  Zero when the slab is not in shadow mode or the
 * build has no shim sections (then nothing is compared).
 * shim_hash_words: the word hash it is built from (n bytes, any alignment).
 */
void shim_world_state_hash(uint64_t h[2]);
void shim_hash_words(uint64_t h[2], const void *p, size_t n);
void shim_slab_state_hash(uint64_t h[2]);
void shim_ap_hw_state_hash(uint64_t h[2]);
void shim_ap_bus_state_hash(uint64_t h[2]);
/* A snapshot's copy buffer, kept across saves: it grows to the largest copy
 * asked for and is never given back, so a save neither mallocs nor frees.
 * Returns the buffer (at least n bytes), NULL when out of memory. */
struct shim_snap_buf {
	void *p;
	size_t cap;
};
void *shim_snap_buf(struct shim_snap_buf *b, size_t n);
#include "driver/kernel/genstamp.h"   /* SHIM_GEN_STAMP, shim_world_restamp */
/*
 * failslab: fail (return NULL) the nth (1-based) allocation matching
 * site_spec from now on; nth = 0 fails all matching allocations.
 * site_spec: allocating function name, "file.c:line", "file.c", or ""
 * for any.  site_spec NULL disables injection.
 */
void shim_slab_fail_set(const char *site_spec, int nth);
/* Number of allocations failed by injection in this execution. */
int shim_slab_failed_count(void);
/* Live objects / total allocations of this execution. */
int shim_slab_live_count(void);

/* ---------------------------------------------------- device core, sysfs */

/* Bind dev to drv: dev->driver = drv, bus->probe (or drv->probe), then the
 * driver's dev_groups appear on dev.  Device lock held throughout.
 * -EBUSY if already bound, the probe's error otherwise. */
int shim_device_bind(struct device *dev, struct device_driver *drv);
/* dev is on its bus's klist: what a lookup by name finds (device.c) */
bool shim_device_on_bus(struct device *dev);
/* Unbind: dev_groups removed, then bus->remove (or drv->remove), drvdata
 * cleared.  No-op if unbound. */
void shim_device_unbind(struct device *dev);

/*
 * Read/write an attribute by name, looked up in every group on the
 * device's kobject (device/type/bus/driver dev_groups, sysfs_create_group
 * groups).  -ENOENT if absent, -EIO if it has no show/store.  read: buf
 * must hold PAGE_SIZE bytes; the show callback writes into a page-sized
 * buffer with a guard behind it (overflow = SIM_F_MEMORY "sysfs show buffer
 * overflow"); returns show's result, buf NUL-terminated.  write: count
 * bytes of buf (copied into a PAGE_SIZE buffer, NUL-terminated like
 * kernfs); returns store's result.
 */
ssize_t shim_sysfs_read(struct device *dev, const char *attr, char *buf);
ssize_t shim_sysfs_write(struct device *dev, const char *attr, const char *buf, size_t count);

/* ------------------------------------------------------------- vfio/mdev */

/* Create mdev number `index` (uuid derived from index) on the registered
 * parent's first type, as a write to .../mdev_supported_types/X/create
 * would: the mdev driver's probe runs.  -ENODEV if no parent, -EEXIST if
 * the index exists, -EUSERS if no instances left, or probe's error. */
int shim_mdev_create(int index, struct mdev_device **out);
/* Remove it like .../<uuid>/remove: attributes gone first, then the
 * driver's remove (which blocks while the vfio device is open), then the
 * device is released.  -ENODEV if not a live mdev. */
int shim_mdev_remove(struct mdev_device *mdev);
struct device *shim_mdev_device(struct mdev_device *mdev);
/* The mdev's vfio device (the driver's drvdata is not needed). */
struct vfio_device *shim_mdev_vfio_device(struct mdev_device *mdev);

/* Open the vfio device as a VFIO group fd user with `kvm` associated (the
 * group's kvm; a kvm reference is the caller's business): dev_set->lock,
 * group_lock, first open calls ops->open_device.  -ENODEV if unregistered
 * or unregistering, open_device's error otherwise. */
int shim_vfio_open(struct mdev_device *mdev, struct kvm *kvm);
/* Close: last close calls ops->close_device; drops the user reference
 * (wakes vfio_unregister_group_dev). */
void shim_vfio_close(struct mdev_device *mdev);
/*
 * User space's side of vfio_unregister_group_dev: called once per removal,
 * in the removing thread, when the device is still open after the first
 * 10-second wait (where 6.1 says "Device is currently in use ... blocked
 * until device is released").  The executor plays the fd holder (see
 * driver/world/world.c).  NULL: nobody reacts and the removal waits forever.
 */
typedef void (*shim_vfio_busy_fn)(struct vfio_device *device);
void shim_vfio_set_busy_hook(shim_vfio_busy_fn fn);
/* ops->ioctl on an open device; -ENODEV if not open. */
long shim_vfio_ioctl(struct mdev_device *mdev, unsigned int cmd, unsigned long arg);
/* The IOMMU unmaps [iova, iova+len): ops->dma_unmap; pages still pinned in
 * the range afterwards are a WARN finding. */
void shim_vfio_dma_unmap(struct mdev_device *mdev, u64 iova, u64 len);
/* Pages currently pinned for this mdev's vfio device. */
int shim_vfio_pinned_count(struct mdev_device *mdev);

/* --------------------------------------------------------------- uaccess */

/* Fail the nth (1-based; 0 = all) copy_{from,to}_user; nth < 0 disables. */
void shim_uaccess_fail_set(int nth);

/* ------------------------------------------------------------------ misc */

/* Record the calling thread's latest shim entry site (for memory reports). */
void shim_note_site(const struct sim_site *site);
const struct sim_site *shim_last_site(int tid);

/* vfio.c: the vfio device's release when the core frees it
 * (APSIM_VFIO_CORE_FREES). */
void vfio_device_release_free(struct device *dev);

/* ---------------------------------------------------------------- eventfd */

/*
 * The VMM's side of eventfd (driver/kernel/eventfd.c): a new eventfd
 * (its fd number, or -EMFILE), close (-EBADF if not open), the counter
 * the VMM would read (or -EBADF), references to the context behind fd
 * (the fd's own plus the driver's; -EBADF), and live contexts in this
 * execution (open fds and driver references; 0 = nothing leaked).  An
 * fd number that was never an eventfd: shim_eventfd_other() gives one
 * (eventfd_ctx_fdget answers -EINVAL).  State is per execution.
 */
int shim_eventfd_create(void);
int shim_eventfd_close(int fd);
long long shim_eventfd_count(int fd);
int shim_eventfd_refs(int fd);
int shim_eventfd_live(void);
int shim_eventfd_other(void);
/* Close every open eventfd (the VMM process exits). */
void shim_eventfd_close_all(void);

/*
 * The kernel's klists (a bus' and a driver's device lists) and a vfio
 * group's device list are under a lock (klist k_lock, group->device_lock)
 * the shim does not take, one simulated thread running at a time: the race
 * detector gets the ordering of that lock (sim_race_sync, no scheduling
 * point, no lock event), so list operations do not race among themselves
 * nor with the publication of what they link.
 */
#define KLIST_LOCK(head)	sim_race_sync(head)
#define KLIST_UNLOCK(head)	sim_race_sync(head)

#endif
