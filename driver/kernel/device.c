/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/device.c - the driver core and sysfs of the shim kernel.
 *
 * Owns: device registration and reference counting (release at zero),
 * buses and drivers (registration, match, probe/remove dispatch with the
 * device lock held, driver dev_groups created after probe and removed
 * before remove, like really_probe / __device_release_driver), root
 * devices, attribute groups on kobjects and attribute read/write by name
 * (shim_sysfs_read/write, base.h) with an overflow-guarded show buffer.
 *
 * Lifetime follows drivers/base of 6.1: a bus' device list behaves like
 * its klist (klist_devices with get_device/put_device callbacks): the list
 * holds a reference on each listed device, an iterator (bus_for_each_dev,
 * bus_find_device, driver_attach, ...) pins the node it stands on, a node
 * deleted by device_del stays linked (and the device alive) until the last
 * iterator leaves it and is skipped by iterators meanwhile, and the device
 * is released at its last put_device.  device_del marks the device dead
 * under its lock first (kill_device), so a concurrent device_attach,
 * device_driver_attach or driver_attach skips it as the kernel does.
 */
#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/lockdep.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/snaparr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void *shim_slab_sysfs_buf(const struct sim_site *site);
extern unsigned long shim_exec_gen;	/* printk.c, bumped by shim_base_reset */

/* ------------------------------------------------------------ attributes */

static struct attribute *group_find(const struct attribute_group *grp, const char *name)
{
	const char *n = name;

	if (grp->name) {
		size_t l = strlen(grp->name);

		if (strncmp(name, grp->name, l) || name[l] != '/')
			return NULL;
		n = name + l + 1;
	}
	for (struct attribute **a = grp->attrs; a && *a; a++)
		if ((*a)->name && !strcmp((*a)->name, n))
			return *a;
	return NULL;
}

static struct attribute *kobj_find_attr_grp(struct kobject *kobj, const char *name,
					    const struct attribute_group **grpp)
{
	KLIST_LOCK(kobj); for (int i = 0; i < kobj->nr_groups; i++) {	/* kernfs_rwsem */
		struct attribute *a = group_find(kobj->groups[i], name);

		if (a) {
			if (grpp)
				*grpp = kobj->groups[i];
			return a;
		}
	}
	return NULL;
}

static struct attribute *kobj_find_attr(struct kobject *kobj, const char *name)
{
	return kobj_find_attr_grp(kobj, name, NULL);
}

/*
 * kernfs active references.  A show or store runs with an active reference
 * on its attribute's node (kernfs_fop_read_iter / kernfs_fop_write_iter ->
 * kernfs_get_active), and removing the node (sysfs_remove_group ->
 * kernfs_remove_by_name -> __kernfs_remove) first deactivates it, so no new
 * show/store can start, then waits in kernfs_drain until the shows/stores
 * in progress have returned.  The shim counts the in-progress calls per
 * (kobject, group); sysfs_remove_group unlinks the group (new lookups fail,
 * like deactivation) and waits for the count to reach zero.  Slots carry the
 * execution generation, so a new execution starts with none in use.
 */
#define SYSFS_ACTIVE_SLOTS 64

static struct sysfs_active {
	unsigned long gen;
	struct kobject *kobj;
	const struct attribute_group *grp;
	int count;
} sysfs_active[SYSFS_ACTIVE_SLOTS];

/* A world snapshot restores the slots written since its save or last
 * restore (snaparr.h): every write below marks its slot. */
SHIM_SNAP_ARRAY(sysfs_active, sysfs_active);

/* Slots at or above active_hi were not used in execution active_hi_gen
 * (a slot is taken at the lowest free index): the scans stop there. */
static int active_hi;
static unsigned long active_hi_gen;

static wait_queue_head_t sysfs_drain_wq = { ._w = { .name = "sysfs_drain_wq" } };

/* the table is the shim's own static memory: not worth a checked load per slot */
static __attribute__((no_sanitize_address))
struct sysfs_active *active_slot(struct kobject *kobj, const struct attribute_group *grp,
				 bool create)
{
	struct sysfs_active *free = NULL;
	int hi;

	if (active_hi_gen != shim_exec_gen) {
		active_hi_gen = shim_exec_gen;
		active_hi = 0;
	}
	hi = active_hi < SYSFS_ACTIVE_SLOTS ? active_hi + 1 : SYSFS_ACTIVE_SLOTS;
	for (int i = 0; i < hi; i++) {
		struct sysfs_active *s = &sysfs_active[i];

		if (s->gen == shim_exec_gen && s->count > 0) {
			if (s->kobj == kobj && s->grp == grp)
				return s;
		} else if (!free) {
			free = s;
		}
	}
	if (!create)
		return NULL;
	if (WARN(!free, "shim: more than %d sysfs groups with shows/stores in progress\n",
		 SYSFS_ACTIVE_SLOTS))
		return NULL;
	shim_snap_dirty(&shim_snap_sysfs_active, free - sysfs_active);
	free->gen = shim_exec_gen;
	free->kobj = kobj;
	free->grp = grp;
	free->count = 0;
	if (free - sysfs_active >= active_hi)
		active_hi = (int)(free - sysfs_active) + 1;
	return free;
}

/* kernfs_get_active: called right after the lookup, with no scheduling point between. */
static struct sysfs_active *active_get(struct kobject *kobj, const struct attribute_group *grp)
{
	struct sysfs_active *s = active_slot(kobj, grp, true);

	if (s) {
		shim_snap_dirty(&shim_snap_sysfs_active, s - sysfs_active);
		s->count++;
	}
	return s;
}

static void active_put(struct sysfs_active *s)
{
	if (s)
		shim_snap_dirty(&shim_snap_sysfs_active, s - sysfs_active);
	if (sim_race_sync(&sysfs_drain_wq), s && --s->count == 0)	/* kernfs_put_active: ordered */
		wake_up_all(&sysfs_drain_wq);
}

/* kernfs_drain: wait until no show/store of the group is in progress. */
static void sysfs_drain(struct kobject *kobj, const struct attribute_group *grp)
{
	wait_event(sysfs_drain_wq, !active_slot(kobj, grp, false)); sim_race_sync(&sysfs_drain_wq);
}

int sysfs_create_group(struct kobject *kobj, const struct attribute_group *grp)
{
	if (!kobj || !grp || (!grp->attrs && !grp->bin_attrs) || shim_fault_hit(SHIM_FP_SYSFS_GROUP, SIM_SITE))
		return kobj && grp && (grp->attrs || grp->bin_attrs) ? shim_fault_err(SHIM_FP_SYSFS_GROUP) : -EINVAL;
	for (int i = 0; i < kobj->nr_groups; i++)
		if (kobj->groups[i] == grp)
			return -EEXIST;
	for (struct attribute **a = grp->attrs; a && *a; a++) {
		char full[128];
		size_t n = 0, l;

		/* "group/attr" (or "attr"), without a printf per attribute */
		if (grp->name) {
			l = strnlen(grp->name, sizeof(full) - 2);
			memcpy(full, grp->name, l);
			full[l] = '/';
			n = l + 1;
		}
		l = strnlen((*a)->name, sizeof(full) - 1 - n);
		memcpy(full + n, (*a)->name, l);
		full[n + l] = 0;
		if (kobj_find_attr(kobj, full)) {
			printk(KERN_ERR "sysfs: cannot create duplicate filename '%s/%s'\n",
			       kobject_name(kobj), full);
			return -EEXIST;
		}
	}
	if (kobj->nr_groups >= KOBJ_MAX_GROUPS)
		return -ENOMEM;
	kobj->groups[kobj->nr_groups++] = grp; KLIST_UNLOCK(kobj);
	return 0;
}

void sysfs_remove_group(struct kobject *kobj, const struct attribute_group *grp)
{
	for (int i = 0; i < kobj->nr_groups; i++) {
		if (kobj->groups[i] == grp) {
			memmove(&kobj->groups[i], &kobj->groups[i + 1],
				(kobj->nr_groups - i - 1) * sizeof(kobj->groups[0]));
			kobj->nr_groups--;
			sysfs_drain(kobj, grp);
			return;
		}
	}
	WARN(1, "sysfs group '%s' not found for kobject '%s'\n",
	     grp->name ? grp->name : "(unnamed)", kobject_name(kobj));
}

int sysfs_create_groups(struct kobject *kobj, const struct attribute_group **groups)
{
	int ret;

	for (int i = 0; groups && groups[i]; i++) {
		ret = sysfs_create_group(kobj, groups[i]);
		if (ret) {
			while (--i >= 0)
				sysfs_remove_group(kobj, groups[i]);
			return ret;
		}
	}
	return 0;
}

void sysfs_remove_groups(struct kobject *kobj, const struct attribute_group **groups)
{
	for (int i = 0; groups && groups[i]; i++)
		sysfs_remove_group(kobj, groups[i]);
}

int device_add_groups(struct device *dev, const struct attribute_group **groups)
{
	return sysfs_create_groups(&dev->kobj, groups);
}

void device_remove_groups(struct device *dev, const struct attribute_group **groups)
{
	sysfs_remove_groups(&dev->kobj, groups);
}

int device_create_file(struct device *dev, const struct device_attribute *attr)
{
	return -ENOSYS;		/* not used by vfio_ap; groups only */
}

void device_remove_file(struct device *dev, const struct device_attribute *attr)
{
}

/* Show into a guarded page; copy the result to buf (PAGE_SIZE bytes). */
static ssize_t do_show_locked(struct kobject *kobj, struct attribute *a, bool is_dev, char *buf);

static ssize_t do_show(struct kobject *kobj, struct attribute *a, const struct attribute_group *grp,
		       bool is_dev, char *buf)
{
	struct sysfs_active *act = active_get(kobj, grp);
	ssize_t ret = do_show_locked(kobj, a, is_dev, buf);

	active_put(act);
	return ret;
}

static ssize_t do_show_locked(struct kobject *kobj, struct attribute *a, bool is_dev, char *buf)
{
	char *page = shim_slab_sysfs_buf(SIM_SITE);
	ssize_t ret;

	if (is_dev) {
		struct device_attribute *da = container_of(a, struct device_attribute, attr);

		if (!da->show) {
			kfree(page);
			return -EIO;
		}
		ret = da->show(kobj_to_dev(kobj), da, page);
	} else {
		struct kobj_attribute *ka = container_of(a, struct kobj_attribute, attr);

		if (!ka->show) {
			kfree(page);
			return -EIO;
		}
		ret = ka->show(kobj, ka, page);
	}
	if (ret >= (ssize_t)PAGE_SIZE) {
		char sig[160];

		snprintf(sig, sizeof(sig), "memory:sysfs-show-overflow:%s", a->name);
		sim_report(SIM_F_MEMORY, false, sig,
			   "BUG: sysfs show buffer overflow\n"
			   "show of '%s/%s' returned bad count %zd (buffer is %lu bytes)\n",
			   kobject_name(kobj), a->name, ret, PAGE_SIZE);
	}
	if (buf) {
		size_t n = ret > 0 ? (size_t)ret : 0;

		if (n > PAGE_SIZE - 1)
			n = PAGE_SIZE - 1;
		memcpy(buf, page, n);
		buf[n] = 0;
	}
	kfree(page);
	return ret;
}

static ssize_t do_store_locked(struct kobject *kobj, struct attribute *a, bool is_dev,
			       const char *buf, size_t count);

static ssize_t do_store(struct kobject *kobj, struct attribute *a, const struct attribute_group *grp,
			bool is_dev, const char *buf, size_t count)
{
	struct sysfs_active *act = active_get(kobj, grp);
	ssize_t ret = do_store_locked(kobj, a, is_dev, buf, count);

	active_put(act);
	return ret;
}

static ssize_t do_store_locked(struct kobject *kobj, struct attribute *a, bool is_dev,
			       const char *buf, size_t count)
{
	size_t len = count < PAGE_SIZE ? count : PAGE_SIZE - 1;
	char *kbuf;
	ssize_t ret;

	if (!count)
		return 0;
	kbuf = kmalloc(len + 1, GFP_KERNEL | __GFP_NOFAIL);
	memcpy(kbuf, buf, len);
	kbuf[len] = 0;
	if (is_dev) {
		struct device_attribute *da = container_of(a, struct device_attribute, attr);

		ret = da->store ? da->store(kobj_to_dev(kobj), da, kbuf, len) : -EIO;
	} else {
		struct kobj_attribute *ka = container_of(a, struct kobj_attribute, attr);

		ret = ka->store ? ka->store(kobj, ka, kbuf, len) : -EIO;
	}
	kfree(kbuf);
	return ret;
}

ssize_t shim_sysfs_read(struct device *dev, const char *attr, char *buf)
{
	const struct attribute_group *grp;
	struct attribute *a;

	if (!dev)
		return -ENODEV;
	a = kobj_find_attr_grp(&dev->kobj, attr, &grp);
	if (!a)
		return -ENOENT;
	return do_show(&dev->kobj, a, grp, true, buf);
}

ssize_t shim_sysfs_write(struct device *dev, const char *attr, const char *buf, size_t count)
{
	const struct attribute_group *grp;
	struct attribute *a;

	if (!dev)
		return -ENODEV;
	a = kobj_find_attr_grp(&dev->kobj, attr, &grp);
	if (!a)
		return -ENOENT;
	return do_store(&dev->kobj, a, grp, true, buf, count);
}

/*
 * What the user side of sysfs keeps from kernfs (6.1) and what it leaves
 * out.  Kept: the attribute is found by name at every call, as an open()
 * would find it; the show or store runs under an active reference
 * (kernfs_get_active), so removing the group (kernfs_remove) waits until
 * no show or store of it runs; a show fills a fresh page and its count is
 * checked against PAGE_SIZE (sysfs_kf_seq_show); a store gets a
 * NUL-terminated copy and is not called for an empty write
 * (sysfs_kf_write); no device lock is taken around either.  Left out: the
 * open file (a call is an open, one read or write and a close: no
 * seq_file position, no of->mutex, no open file that keeps the node
 * between calls), and the active references are counted per group, not
 * per node: a group's nodes go at once (sysfs_remove_group), so the drain
 * waits for the same shows and stores.  Attribute access by name is for
 * devices only (shim_sysfs_read/write, base.h).
 */

/* --------------------------------------------------------------- devices */

int dev_set_name(struct device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	shim_vsnprintf(dev->kobj.name, sizeof(dev->kobj.name), fmt, ap);
	va_end(ap);
	return 0;
}

void device_initialize(struct device *dev)
{
	mutex_init(&dev->mutex);
	lockdep_set_novalidate_class(&dev->mutex);	/* as device_initialize */
	INIT_LIST_HEAD(&dev->_bus_node);
	INIT_LIST_HEAD(&dev->_drv_node);
	dev->_refs = 1;
	dev->_initialized = true;
	dev->_dead = false;
}

struct device *get_device(struct device *dev)
{
	if (!dev)
		return NULL;
	if (WARN(dev->_refs <= 0, "get_device on a released device '%s'\n", dev_name(dev)))
		return dev;
	dev->_refs++;
	return dev;
}

static void device_release(struct device *dev)
{
	dev->_dead = true;
	if (dev->release)
		dev->release(dev);
	else if (dev->type && dev->type->release)
		dev->type->release(dev);
	else
		WARN(1, "Device '%s' does not have a release() function, it is broken and must be fixed.\n",
		     dev_name(dev));
}

void put_device(struct device *dev)
{
	if (!dev)
		return;
	if (WARN(dev->_refs <= 0, "put_device: refcount underflow on '%s'\n", dev_name(dev)))
		return;
	if (--dev->_refs == 0)
		device_release(dev);
}

bool device_is_registered(struct device *dev)
{
	return dev->_added;
}

static int bind_locked(struct device *dev, struct device_driver *drv)
{
	int ret;

	if (dev->driver)
		return -EBUSY;
	dev->driver = drv;
	KLIST_LOCK(&drv->_devices); list_add_tail(&dev->_drv_node, &drv->_devices); KLIST_UNLOCK(&drv->_devices);
	if (dev->bus && dev->bus->probe)
		ret = dev->bus->probe(dev);
	else if (drv->probe)
		ret = drv->probe(dev);
	else
		ret = 0;
	if (!ret) {
		ret = device_add_groups(dev, drv->dev_groups);
		if (ret) {
			if (dev->bus && dev->bus->remove)
				dev->bus->remove(dev);
			else if (drv->remove)
				drv->remove(dev);
		}
	}
	if (ret) {
		KLIST_LOCK(&drv->_devices); list_del_init(&dev->_drv_node); KLIST_UNLOCK(&drv->_devices);
		dev->driver = NULL;
		dev_set_drvdata(dev, NULL);
	}
	return ret;
}

static void unbind_locked(struct device *dev)
{
	struct device_driver *drv = dev->driver;

	if (!drv)
		return;
	device_remove_groups(dev, drv->dev_groups);
	if (dev->bus && dev->bus->remove)
		dev->bus->remove(dev);
	else if (drv->remove)
		drv->remove(dev);
	KLIST_LOCK(&drv->_devices); list_del_init(&dev->_drv_node); KLIST_UNLOCK(&drv->_devices);
	dev->driver = NULL;
	dev_set_drvdata(dev, NULL);
}

/* device_driver_attach: __driver_probe_device under the device lock. */
int shim_device_bind(struct device *dev, struct device_driver *drv)
{
	int ret;

	device_lock(dev);
	if (dev->_killed || !dev->_added)
		ret = -ENODEV;
	else
		ret = bind_locked(dev, drv);
	device_unlock(dev);
	return ret;
}

void shim_device_unbind(struct device *dev)
{
	device_lock(dev);
	unbind_locked(dev);
	device_unlock(dev);
}

int device_driver_attach(struct device_driver *drv, struct device *dev)
{
	return shim_device_bind(dev, drv);
}

void device_release_driver(struct device *dev)
{
	shim_device_unbind(dev);
}

static bool drv_matches(struct device *dev, struct device_driver *drv)
{
	return !dev->bus->match || dev->bus->match(dev, drv) > 0;
}

int device_attach(struct device *dev)
{
	struct device_driver *drv;
	int ret = 0;

	if (!dev->bus || !apsim_bus_p(dev->bus)->_registered)
		return 0;
	device_lock(dev);
	if (dev->_killed) {		/* __device_attach: dev->p->dead */
		device_unlock(dev);
		return 0;
	}
	if (dev->driver) {
		device_unlock(dev);
		return 1;
	}
	list_for_each_entry(drv, &apsim_bus_p(dev->bus)->_drivers, _bus_node) {
		if (!drv_matches(dev, drv))
			continue;
		if (!bind_locked(dev, drv)) {
			ret = 1;
			break;
		}
	}
	device_unlock(dev);
	return ret;
}

/* bus.c: device_driver_detach, then bus_rescan_devices_helper. */
int device_reprobe(struct device *dev)
{
	int ret = 0;

	if (dev->driver)
		device_release_driver(dev);
	if (!dev->driver)
		ret = device_attach(dev);
	return ret < 0 ? ret : 0;
}

/* ------------------------------------------------- the bus' device klist */

/* klist_add_tail with the klist_devices_get callback */
static void knode_add(struct device *dev, const struct bus_type *bus)
{
	get_device(dev);
	dev->_knode_refs = 1;
	dev->_knode_dead = false;
	KLIST_LOCK(&apsim_bus_p(bus)->_devices); list_add_tail(&dev->_bus_node, &apsim_bus_p(bus)->_devices); KLIST_UNLOCK(&apsim_bus_p(bus)->_devices);
}

/* Is dev on its bus's device klist (added, not yet deleted)?  What
 * bus_find_device_by_name and a sysfs lookup by name can find: the klist
 * iterator takes the klist lock and skips dead nodes. */
bool shim_device_on_bus(struct device *dev)
{
	bool on;

	if (!dev || !dev->bus)
		return false;
	KLIST_LOCK(&apsim_bus_p(dev->bus)->_devices);
	on = dev->_knode_refs > 0 && !dev->_knode_dead;
	KLIST_UNLOCK(&apsim_bus_p(dev->bus)->_devices);
	return on;
}

/* klist_put: unlink at the last reference, then klist_devices_put */
static void knode_put(struct device *dev)
{	KLIST_LOCK(&apsim_bus_p(dev->bus)->_devices);
	if (WARN(dev->_knode_refs <= 0, "klist node refcount underflow on '%s'\n",
		 dev_name(dev)))
		return;
	if (--dev->_knode_refs == 0) {
		list_del_init(&dev->_bus_node); KLIST_UNLOCK(&apsim_bus_p(dev->bus)->_devices);
		put_device(dev);	/* klist_devices_put: after the unlock */
	} else KLIST_UNLOCK(&apsim_bus_p(dev->bus)->_devices);
}

/* klist_del, guarded by klist_node_attached like bus_remove_device */
static void knode_del(struct device *dev)
{	KLIST_LOCK(&apsim_bus_p(dev->bus)->_devices);
	if (dev->_knode_dead || dev->_knode_refs <= 0)
		return;
	dev->_knode_dead = true;
	knode_put(dev);
}

struct bus_iter {
	const struct bus_type *bus;
	struct device *cur;
};

/* klist_iter_init_node: start after @start (pinned) or at the head */
static void bus_iter_init(struct bus_iter *it, const struct bus_type *bus, struct device *start)
{
	it->bus = bus;
	it->cur = NULL; KLIST_LOCK(&apsim_bus_p(bus)->_devices);
	if (start && start->_knode_refs > 0) {
		start->_knode_refs++;
		it->cur = start; KLIST_UNLOCK(&apsim_bus_p(bus)->_devices);
	}
}

/* klist_next: pin the next live node, then let go of the current one */
static struct device *bus_iter_next(struct bus_iter *it)
{	KLIST_LOCK(&apsim_bus_p(it->bus)->_devices);
	struct device *last = it->cur, *next = NULL;
	struct list_head *pos = last ? last->_bus_node.next : apsim_bus_p(it->bus)->_devices.next;

	for (; pos != &apsim_bus_p(it->bus)->_devices; pos = pos->next) {
		struct device *d = list_entry(pos, struct device, _bus_node);

		if (!d->_knode_dead) {
			d->_knode_refs++;
			next = d;
			break;
		}
	}
	it->cur = next; KLIST_UNLOCK(&apsim_bus_p(it->bus)->_devices);
	if (last)
		knode_put(last);
	return next;
}

/* klist_iter_exit */
static void bus_iter_exit(struct bus_iter *it)
{
	if (it->cur)
		knode_put(it->cur);
	it->cur = NULL;
}

int device_add(struct device *dev)
{
	int ret;

	if (!dev->_initialized)
		device_initialize(dev);
	if (!dev->kobj.name[0] && dev->init_name)
		dev_set_name(dev, "%s", dev->init_name);
	if (!dev->kobj.name[0] || (ret = shim_fault_hit(SHIM_FP_DEVICE_ADD, SIM_SITE)))
		return dev->kobj.name[0] ? ret : -EINVAL;	/* drivers/base/core.c */
	get_device(dev->parent);
	dev->kobj.parent = dev->parent ? &dev->parent->kobj : NULL;
	if (dev->bus && (ret = device_add_groups(dev, dev->bus->dev_groups)))
		goto err;
	if (dev->type && (ret = device_add_groups(dev, dev->type->groups)))
		goto err_bus;
	if ((ret = device_add_groups(dev, dev->groups)))
		goto err_type;
	dev->_added = true;
	if (dev->bus) {
		knode_add(dev, dev->bus);	/* bus_add_device */
		device_attach(dev);		/* bus_probe_device */
	}
	return 0;
err_type:
	if (dev->type)
		device_remove_groups(dev, dev->type->groups);
err_bus:
	if (dev->bus)
		device_remove_groups(dev, dev->bus->dev_groups);
err:
	put_device(dev->parent);
	return ret;
}

int device_register(struct device *dev)
{
	device_initialize(dev);
	return device_add(dev);
}

void device_del(struct device *dev)
{
	if (WARN(!dev->_added, "device_del of a device not added '%s'\n", dev_name(dev)))
		return;
	/* kill_device under the device lock (dev->mutex is a novalidate
	 * class, so nesting it under the parent's is no recursion) */
	device_lock(dev);
	dev->_killed = true;
	device_unlock(dev);
	device_remove_groups(dev, dev->groups);		/* device_remove_attrs */
	if (dev->type)
		device_remove_groups(dev, dev->type->groups);
	if (dev->bus) {					/* bus_remove_device */
		device_remove_groups(dev, dev->bus->dev_groups);
		knode_del(dev);
		device_release_driver(dev);
	}
	dev->_added = false;
	put_device(dev->parent);
}

void device_unregister(struct device *dev)
{
	device_del(dev);
	put_device(dev);
}

int device_for_each_child(struct device *dev, void *data, int (*fn)(struct device *, void *))
{
	return 0;	/* children are not tracked */
}

/* ------------------------------------------------------------ root devices */

struct root_device {
	struct device dev;
};

static void root_device_release(struct device *dev)
{
	kfree(container_of(dev, struct root_device, dev));
}

struct device *root_device_register(const char *name)
{
	struct root_device *root = kzalloc(sizeof(*root), GFP_KERNEL);
	int err;

	if (!root)
		return ERR_PTR(-ENOMEM);
	dev_set_name(&root->dev, "%s", name);
	root->dev.release = root_device_release;
	err = device_register(&root->dev);
	if (err) {
		put_device(&root->dev);
		return ERR_PTR(err);
	}
	return &root->dev;
}

void root_device_unregister(struct device *dev)
{
	device_unregister(dev);
}

/* ------------------------------------------------------------ buses */

int bus_register(const struct bus_type *bus)
{
	INIT_LIST_HEAD(&apsim_bus_p(bus)->_devices);
	INIT_LIST_HEAD(&apsim_bus_p(bus)->_drivers);
	apsim_bus_p(bus)->_registered = true;
	return 0;
}

void bus_unregister(const struct bus_type *bus)
{
	WARN(!list_empty(&apsim_bus_p(bus)->_drivers), "bus '%s' unregistered with drivers\n", bus->name);
	apsim_bus_p(bus)->_registered = false;
}

int bus_for_each_dev(const struct bus_type *bus, struct device *start, void *data,
		     int (*fn)(struct device *, void *))
{
	struct bus_iter it;
	struct device *dev;
	int ret = 0;

	if (!bus || !apsim_bus_p(bus)->_registered)
		return -EINVAL;
	bus_iter_init(&it, bus, start);
	while (!ret && (dev = bus_iter_next(&it)))
		ret = fn(dev, data);
	bus_iter_exit(&it);
	return ret;
}

int bus_for_each_drv(const struct bus_type *bus, struct device_driver *start, void *data,
		     int (*fn)(struct device_driver *, void *))
{
	struct device_driver *drv, *n;
	bool go = !start;
	int ret = 0;

	if (!apsim_bus_p(bus)->_registered)
		return -EINVAL;
	list_for_each_entry_safe(drv, n, &apsim_bus_p(bus)->_drivers, _bus_node) {
		if (!go) {
			go = drv == start;
			continue;
		}
		ret = fn(drv, data);
		if (ret)
			break;
	}
	return ret;
}

struct device *bus_find_device(const struct bus_type *bus, struct device *start, const void *data,
			       int (*match)(struct device *, const void *))
{
	struct bus_iter it;
	struct device *dev;

	if (!bus || !apsim_bus_p(bus)->_registered)
		return NULL;
	bus_iter_init(&it, bus, start);
	while ((dev = bus_iter_next(&it)))
		if (match(dev, data) && get_device(dev))
			break;
	bus_iter_exit(&it);
	return dev;
}

/*
 * The bus' devices form a klist (above): bus_for_each_dev and
 * bus_find_device pin the node they stand on, so fn and match may sleep
 * and a device deleted meanwhile is skipped.  The bus' drivers and a
 * driver's devices are plain lists here (klists in the kernel):
 * bus_for_each_drv and driver_for_each_device keep only the next entry
 * (fn may unlink the current one, no other), driver_find_device keeps
 * nothing (match must not unlink); a start entry no longer on its list
 * makes these walks visit nothing, where bus_for_each_dev starts at the
 * head.
 */

static int bus_rescan_devices_helper(struct device *dev, void *data)
{
	int ret = 0;

	(void)data;
	if (!dev->driver)
		ret = device_attach(dev);
	return ret < 0 ? ret : 0;
}

int bus_rescan_devices(const struct bus_type *bus)
{
	return bus_for_each_dev(bus, NULL, NULL, bus_rescan_devices_helper);
}

/* ------------------------------------------------------------ drivers */

/* __driver_attach: match, then driver_probe_device under the lock */
static int driver_attach_one(struct device *dev, void *data)
{
	struct device_driver *drv = data;

	if (!drv_matches(dev, drv))
		return 0;
	shim_device_bind(dev, drv);	/* -ENODEV if dead, -EBUSY if bound */
	return 0;
}

int driver_attach(struct device_driver *drv)
{
	return bus_for_each_dev(drv->bus, NULL, drv, driver_attach_one);
}

/* driver_register (drivers/base/driver.c, 6.1 and 6.12); fault point
 * `driver_register` after the bus check (bus_add_driver's -ENOMEM, ...). */
int driver_register(struct device_driver *drv)
{
	struct device_driver *o;
	int ret;

	if (!drv->bus || !apsim_bus_p(drv->bus)->_registered) {
		printk(KERN_ERR "Driver '%s' was unable to register with bus_type '%s' because the bus was not initialized.\n",
		       drv->name, drv->bus ? drv->bus->name : "?");
		return -EINVAL;
	}
	if ((ret = shim_fault_hit(SHIM_FP_DRIVER_REGISTER, SIM_SITE)))
		return ret;
	list_for_each_entry(o, &apsim_bus_p(drv->bus)->_drivers, _bus_node) {
		if (!strcmp(o->name, drv->name)) {
			printk(KERN_ERR "Error: Driver '%s' is already registered, aborting...\n",
			       drv->name);
			return -EBUSY;
		}
	}
	INIT_LIST_HEAD(&drv->_devices);
	list_add_tail(&drv->_bus_node, &apsim_bus_p(drv->bus)->_drivers);
	drv->_registered = true;
	driver_attach(drv);
	return 0;
}

void driver_unregister(struct device_driver *drv)
{
	if (WARN(!drv->_registered, "Unexpected driver unregister of '%s'!\n", drv->name))
		return;
	/* driver_detach: last bound device first, pinned, unbound only if
	 * still bound to drv (device_release_driver_internal) */
	while (KLIST_LOCK(&drv->_devices), !list_empty(&drv->_devices)) {
		struct device *dev = list_last_entry(&drv->_devices, struct device, _drv_node);

		get_device(dev); KLIST_UNLOCK(&drv->_devices);
		device_lock(dev);
		if (dev->driver == drv)
			unbind_locked(dev);
		device_unlock(dev);
		put_device(dev);
	}
	list_del_init(&drv->_bus_node);
	drv->_registered = false;
}

int driver_for_each_device(struct device_driver *drv, struct device *start, void *data,
			   int (*fn)(struct device *, void *))
{
	struct device *dev, *n;
	bool go = !start;
	int ret = 0;

	KLIST_LOCK(&drv->_devices); list_for_each_entry_safe(dev, n, &drv->_devices, _drv_node) {
		if (!go) {
			go = dev == start;
			continue;
		}
		ret = fn(dev, data);
		if (ret)
			break;
	}
	return ret;
}

struct device *driver_find_device(struct device_driver *drv, struct device *start,
				  const void *data, int (*match)(struct device *, const void *))
{
	struct device *dev;
	bool go = !start;

	KLIST_LOCK(&drv->_devices); list_for_each_entry(dev, &drv->_devices, _drv_node) {
		if (!go) {
			go = dev == start;
			continue;
		}
		if (match(dev, data))
			return get_device(dev);
	}
	return NULL;
}
