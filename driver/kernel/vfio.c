/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/vfio.c - the VFIO core and the mdev core of the shim kernel.
 *
 * Owns: vfio_device allocation/registration/unregistration (the latter
 * blocks until every user closed the device, like 6.1's), the user side
 * (open/close/ioctl/dma_unmap through base.h), the device set and group
 * locks ("&dev_set->lock", "&group->group_lock") as real sim mutexes in the
 * kernel's order, pinned-page bookkeeping, the mdev bus, parents, types,
 * drivers and device create/remove (mdev_list_lock, parent->unreg_sem).
 */
#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/vfio.h>
#include <linux/mdev.h>
#include <linux/slab.h>
#include <linux/uuid.h>
#include <linux/module.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"

#include <stdio.h>
#include <string.h>

struct vfio_group {
	struct mutex group_lock;
	struct kvm *kvm;
};

struct vfio_pin {
	struct list_head node;
	dma_addr_t iova;
	int refs;
	struct page page;
};

static LIST_HEAD(vfio_devices);		/* registered: vfio_device.group_next */
static unsigned int vfio_next_index;
static bool vfio_iova_mapped(struct vfio_device *device, dma_addr_t iova);	/* at the end: */
static void vfio_dma_do_unmap(struct vfio_device *device, u64 iova, u64 size);	/* DMA mappings */
static void vfio_dma_set_unmapped(struct vfio_device *device, bool unmapped);

/*
 * The container's IOMMU (vfio_iommu_type1): the open devices it tells of a
 * DMA unmap (device_list, through vfio_device.iommu_entry) and the lock
 * its notification holds around the drivers' dma_unmap callbacks
 * (vfio_notify_dma_unmap).  A device joins the list at its first open
 * (vfio_device_container_register): 6.1 after open_device, 6.2+ just
 * before it (APSIM_VFIO_REGISTER_FIRST: vfio_device_group_use_iommu, so a
 * callback can race with open_device, and a failed open_device leaves the
 * list again); it leaves the list after close_device
 * (vfio_iommu_type1_unregister_device, under device_list_lock), so a
 * callback can race with close_device but never runs on a device that was
 * unregistered, let alone freed.
 */
static struct {
	struct mutex device_list_lock;
	struct list_head device_list;
} iommu_s;
static typeof(iommu_s) *const iommu = &iommu_s;	/* lockdep names the lock &iommu->device_list_lock */

static void container_register(struct vfio_device *device)
{
	if (!device->ops->dma_unmap)	/* vfio_iommu_type1_register_device */
		return;
	mutex_lock(&iommu->device_list_lock);
	list_add(&device->iommu_entry, &iommu->device_list);
	mutex_unlock(&iommu->device_list_lock);
}

/* vfio_iommu_type1_unregister_device: called for a registered device
 * only (the last close; 6.2+ also a failed first open), and the node is
 * touched under the lock only: a neighbour's list_del writes this node's
 * pointers under that lock (the shim's unlocked list_empty test before it
 * raced with that: race:container_unregister,container_unregister). */
static void container_unregister(struct vfio_device *device)
{
	if (!device->ops->dma_unmap)
		return;
	mutex_lock(&iommu->device_list_lock);
	if (!list_empty(&device->iommu_entry))
		list_del_init(&device->iommu_entry);
	mutex_unlock(&iommu->device_list_lock);
}

static struct mutex mdev_list_lock;
static struct mutex parent_list_lock;
static LIST_HEAD(mdev_list);
static LIST_HEAD(parent_list);
static struct bus_type mdev_bus_type;

/* -------------------------------------------------------- vfio devices */

static void vfio_device_release(struct device *dev)
{
	struct vfio_device *device = container_of(dev, struct vfio_device, device);

	if (device->dev_set) {
		kfree(device->dev_set);
		device->dev_set = NULL;
	}
	if (device->ops->release)
		device->ops->release(device);
}

int vfio_init_device(struct vfio_device *device, struct device *dev,
		     const struct vfio_device_ops *ops)
{
	int ret;

	init_completion(&device->comp);
	INIT_LIST_HEAD(&device->_pins);
	INIT_LIST_HEAD(&device->group_next);
	INIT_LIST_HEAD(&device->iommu_entry);	/* empty: not on the container's list */
	device->dev = dev;
	device->ops = ops;
	device->index = vfio_next_index++;
	if (ops->init) {
		ret = ops->init(device);
		if (ret)
			return ret;
	}
	device_initialize(&device->device);
	device->device.release = APSIM_VFIO_CORE_FREES ? vfio_device_release_free : vfio_device_release;
	device->device.parent = dev;
	return 0;
}

struct vfio_device *_vfio_alloc_device(size_t size, struct device *dev,
				       const struct vfio_device_ops *ops)
{
	struct vfio_device *device;
	int ret;

	if (WARN_ON(size < sizeof(struct vfio_device)))
		return ERR_PTR(-EINVAL);
	device = kvzalloc(size, GFP_KERNEL);
	if (!device)
		return ERR_PTR(-ENOMEM);
	ret = vfio_init_device(device, dev, ops);
	if (ret) {
		kvfree(device);
		return ERR_PTR(ret);
	}
	return device;
}

void vfio_free_device(struct vfio_device *device)
{
	kvfree(device);
}

static int __vfio_register_dev(struct vfio_device *device)
{
	struct vfio_device_set *set;
	struct vfio_group *group;
	int ret;

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	group = kzalloc(sizeof(*group), GFP_KERNEL);
	if (!set || !group) {
		kfree(set);
		kfree(group);
		return -ENOMEM;
	}
	mutex_init(&set->lock);
	INIT_LIST_HEAD(&set->device_list);
	set->set_id = device;
	set->device_count = 1;
	mutex_init(&group->group_lock);
	device->dev_set = set;
	device->group = group;
	dev_set_name(&device->device, "vfio%u", device->index);
	ret = device_add(&device->device);
	if (ret) {
		kfree(group);
		device->group = NULL;
		return ret;
	}
	refcount_set(&device->refcount, 1);
	KLIST_LOCK(&vfio_devices); list_add_tail(&device->group_next, &vfio_devices);
	device->_registered = true; KLIST_UNLOCK(&vfio_devices);
	return 0;
}

int vfio_register_group_dev(struct vfio_device *device)
{
	return __vfio_register_dev(device);
}

int vfio_register_emulated_iommu_dev(struct vfio_device *device)
{
	return __vfio_register_dev(device);
}

static void vfio_device_put_user(struct vfio_device *device)
{
	if (refcount_dec_and_test(&device->refcount))
		complete(&device->comp);
}

static shim_vfio_busy_fn busy_hook;

void shim_vfio_set_busy_hook(shim_vfio_busy_fn fn)
{
	busy_hook = fn;
}

void vfio_unregister_group_dev(struct vfio_device *device)
{
	unsigned int i = 0;
	bool warned = false;

	if (WARN_ON(!device->_registered))
		return;
	if (!refcount_dec_and_test(&device->refcount)) {
		for (;;) {
			unsigned long rc;

			if (device->ops->request)
				device->ops->request(device, i++);
			rc = wait_for_completion_timeout(&device->comp, HZ * 10);
			if (rc)
				break;
			if (!warned) {
				dev_warn(device->dev,
					 "Device is currently in use, task \"%s\" (%d) blocked until device is released",
					 current->comm, current->pid);
				warned = true;
				if (busy_hook)
					busy_hook(device);
			}
		}
	}
	KLIST_LOCK(&vfio_devices); list_del_init(&device->group_next);
	device->_registered = false; KLIST_UNLOCK(&vfio_devices);
	device_del(&device->device);
	kfree(device->group);
	device->group = NULL;
}

static struct vfio_pin *pin_find(struct vfio_device *device, dma_addr_t iova, bool exact)
{
	struct vfio_pin *p;

	KLIST_LOCK(&device->_pins); list_for_each_entry(p, &device->_pins, node)	/* iommu->lock */
		if (p->iova == iova)
			return p;
	if (exact)
		return NULL;
	list_for_each_entry(p, &device->_pins, node)
		if ((p->iova & PAGE_MASK) == (iova & PAGE_MASK))
			return p;
	return NULL;
}

int vfio_pin_pages(struct vfio_device *device, dma_addr_t iova, int npage, int prot,
		   struct page **pages)
{
	int i;

	if (!pages || !npage || WARN_ON(!device->open_count))
		return -EINVAL;
	if (!device->ops->dma_unmap)
		return -EINVAL;
	if (npage > (int)VFIO_PIN_PAGES_MAX_ENTRIES)
		return -E2BIG;
	/* vfio_iommu_type1_pin_pages (6.1, 6.12): -EINVAL when no vfio_dma
	 * holds the iova; any of its errors when the fault point fires */
	i = shim_fault_hit(SHIM_FP_PIN_PAGES, SIM_SITE);
	if (!i && !vfio_iova_mapped(device, iova))
		i = -EINVAL;
	if (i)
		return i;
	for (i = 0; i < npage; i++) {
		dma_addr_t a = iova + (dma_addr_t)i * PAGE_SIZE;
		struct vfio_pin *p = pin_find(device, a, true);

		if (!p) {
			p = kzalloc(sizeof(*p), GFP_KERNEL | __GFP_NOFAIL);
			p->iova = a;
			p->page.phys = a & PAGE_MASK;
			list_add_tail(&p->node, &device->_pins);
		}
		p->refs++; KLIST_UNLOCK(&device->_pins);
		pages[i] = &p->page;
	}
	return npage;
}

void vfio_unpin_pages(struct vfio_device *device, dma_addr_t iova, int npage)
{
	if (WARN_ON(npage <= 0 || npage > (int)VFIO_PIN_PAGES_MAX_ENTRIES))
		return;
	if (WARN_ON(!device->open_count))
		return;
	for (int i = 0; i < npage; i++) {
		dma_addr_t a = iova + (dma_addr_t)i * PAGE_SIZE;
		struct vfio_pin *p = pin_find(device, a, true);	/* vfio_find_vpfn: exact iova */
		if (WARN_ON(!vfio_iova_mapped(device, a)))	/* type1: WARN_ON(i != npage) */
			break;
		if (!p)		/* not pinned: vfio_unpin_page_external skips it */
			continue;
		if (--p->refs == 0) {
			list_del(&p->node);
			kfree(p);
		} KLIST_UNLOCK(&device->_pins);
	}
}

int vfio_dma_rw(struct vfio_device *device, dma_addr_t iova, void *data, size_t len, bool write)
{
	return -EINVAL;
}

/*
 * The user is gone: 6.1 keeps pins in the container's vfio_dma pfn_list
 * past the device's close; when the container is released,
 * vfio_iommu_unmap_unpin_all -> vfio_remove_dma WARNs for every mapping
 * that still has pinned pages (vfio_iommu_type1.c:1203,
 * WARN_ON(!RB_EMPTY_ROOT(&dma->pfn_list))) and then drops them.  The shim
 * has no separate container: the last close stands for the user's exit.
 */
static void vfio_iommu_unmap_unpin_all(struct vfio_device *device)
{
	if (KLIST_LOCK(&device->_pins), !list_empty(&device->_pins)) {
		struct vfio_pin *p = list_first_entry(&device->_pins, struct vfio_pin, node);

		WARN(1, "vfio_remove_dma: iova 0x%llx still pinned (%d refs) when the container is released\n",
		     (unsigned long long)p->iova, p->refs);
	}
	while (!list_empty(&device->_pins)) {
		struct vfio_pin *p = list_first_entry(&device->_pins, struct vfio_pin, node);

		list_del(&p->node);
		kfree(p);
	}
}

/* ---------------------------------------------------------- user side */

static struct vfio_device *vfio_of(struct mdev_device *mdev)
{
	struct vfio_device *d;

	if (!mdev)
		return NULL;
	KLIST_LOCK(&vfio_devices); list_for_each_entry(d, &vfio_devices, group_next)
		if (d->dev == &mdev->dev)
			return KLIST_UNLOCK(&vfio_devices), d;
	return KLIST_UNLOCK(&vfio_devices), NULL;
}

struct vfio_device *shim_mdev_vfio_device(struct mdev_device *mdev)
{
	return vfio_of(mdev);
}

int shim_vfio_open(struct mdev_device *mdev, struct kvm *kvm)
{
	struct vfio_device *device = vfio_of(mdev);
	struct module *owner;
	int ret = 0;

	if (!device || !refcount_inc_not_zero(&device->refcount))
		return -ENODEV;
	mutex_lock(&device->dev_set->lock);
	device->open_count++;
	if (device->open_count == 1) {
		owner = device->dev->driver ? device->dev->driver->owner : NULL;
		if (!try_module_get(owner)) {
			ret = -ENODEV;
			goto err_count;
		}
		mutex_lock(&device->group->group_lock);
		device->group->kvm = kvm;
		device->kvm = kvm;
		if (APSIM_VFIO_REGISTER_FIRST)
			container_register(device);
		if (device->ops->open_device) {
			ret = device->ops->open_device(device);
			if (ret) {
				if (APSIM_VFIO_REGISTER_FIRST)	/* 6.1 had not registered it */
					container_unregister(device);
				device->kvm = NULL;
				mutex_unlock(&device->group->group_lock);
				module_put(owner);
				goto err_count;
			}
		}
		if (!APSIM_VFIO_REGISTER_FIRST)
			container_register(device);
		mutex_unlock(&device->group->group_lock);
	}
	mutex_unlock(&device->dev_set->lock);
	return 0;

err_count:
	device->open_count--;
	mutex_unlock(&device->dev_set->lock);
	vfio_device_put_user(device);
	return ret;
}

void shim_vfio_close(struct mdev_device *mdev)
{
	struct vfio_device *device = vfio_of(mdev);

	if (WARN(!device || !device->open_count, "shim_vfio_close of a device not open\n"))
		return;
	mutex_lock(&device->dev_set->lock);
	mutex_lock(&device->group->group_lock);
	if (device->open_count == 1 && device->ops->close_device)
		device->ops->close_device(device);
	if (device->open_count == 1)	/* vfio_device_container_unregister */
		container_unregister(device);
	mutex_unlock(&device->group->group_lock);
	device->open_count--;
	if (device->open_count == 0) {
		vfio_iommu_unmap_unpin_all(device);	/* the container releases every pin */
		device->kvm = NULL;
		vfio_dma_set_unmapped(device, false);	/* and its DMA mapping */
		module_put(device->dev->driver ? device->dev->driver->owner : NULL);
	}
	mutex_unlock(&device->dev_set->lock);
	vfio_device_put_user(device);
}

long shim_vfio_ioctl(struct mdev_device *mdev, unsigned int cmd, unsigned long arg)
{
	struct vfio_device *device = vfio_of(mdev);

	if (!device || !device->open_count)
		return -ENODEV;
	if (!device->ops->ioctl)
		return -EINVAL;
	return device->ops->ioctl(device, cmd, arg);
}

void shim_vfio_dma_unmap(struct mdev_device *mdev, u64 iova, u64 len)
{
	struct vfio_device *device = vfio_of(mdev);

	/*
	 * The VMM's VFIO_IOMMU_UNMAP_DMA when guest memory holding
	 * [iova, iova + len) goes away: it unmaps the whole mapping, as
	 * QEMU's vfio memory listener does for a RAM section
	 * (vfio_dma_do_unmap at the end of this file).
	 *
	 * The driver's dma_unmap callback is told the whole mapping, not
	 * [iova, iova + len): vfio_notify_dma_unmap passes dma->iova and
	 * dma->size.  6.1's vfio_ap_mdev_dma_unmap then unpins the first
	 * page of the mapping (vfio_unpin_pages(vdev, iova, 1)), which is not
	 * the NIB a queue pinned unless the NIB is exactly the mapping's
	 * start (vfio_find_vpfn matches the iova exactly): the NIB stays
	 * pinned, vfio notifies again, and after the 11th notification
	 * BUG_ON(++retries > 10) fires.  6.12's callback disables the
	 * interrupts of every queue whose NIB lies in the mapping
	 * (unmap_iova), which unpins them.
	 *
	 * (The shim used to pass the requested page to the callback,
	 * which hid this.)
	 */
	struct vfio_device *d;

	if (!device)
		return;
	/* the container notifies the devices on its list, under its lock */
	mutex_lock(&iommu->device_list_lock);
	list_for_each_entry(d, &iommu->device_list, iommu_entry)
		if (d == device) {
			vfio_dma_do_unmap(device, iova, len);
			break;
		}
	mutex_unlock(&iommu->device_list_lock);
}

int shim_vfio_pinned_count(struct mdev_device *mdev)
{
	struct vfio_device *device = vfio_of(mdev);
	struct vfio_pin *p;
	int n = 0;

	if (device)
		list_for_each_entry(p, &device->_pins, node)
			n += p->refs;
	return n;
}

/* --------------------------------------------------------------- mdev */

/*
 * As drivers/vfio/mdev of 6.1: the mdev bus never matches (an mdev is bound
 * to its parent's driver explicitly at create); mdev_list_lock guards the
 * list, uuids and instance counts; create and remove hold the parent's
 * unreg_sem for reading (trylock), mdev_unregister_parent for writing
 * while it removes the parent's mdevs.
 */

#define to_mdev_driver(drv) container_of(drv, struct mdev_driver, driver)

static int mdev_probe(struct device *dev)
{
	struct mdev_driver *drv = to_mdev_driver(dev->driver);

	return drv->probe ? drv->probe(to_mdev_device(dev)) : 0;
}

static void mdev_remove(struct device *dev)
{
	struct mdev_driver *drv = to_mdev_driver(dev->driver);

	if (drv->remove)
		drv->remove(to_mdev_device(dev));
}

static int mdev_match(struct device *dev, struct device_driver *drv)
{
	return 0;	/* explicit binding only (device_driver_attach) */
}

/*
 * mdev_register_driver (drivers/vfio/mdev/mdev_driver.c, 6.1 and 6.12):
 * -EINVAL without device_api, then driver_register (-EINVAL for a bus not
 * registered: the shim answered -ENODEV before issue 14).  Fault point
 * `mdev_register` (calls 1 of a module init), armed before the module loads.
 */
int mdev_register_driver(struct mdev_driver *drv)
{
	if (!drv->device_api || !apsim_bus_p(&mdev_bus_type)->_registered)
		return -EINVAL;
	if (shim_fault_hit(SHIM_FP_MDEV_REGISTER, SIM_SITE))
		return shim_fault_err(SHIM_FP_MDEV_REGISTER);
	drv->driver.bus = &mdev_bus_type;
	return driver_register(&drv->driver);
}

void mdev_unregister_driver(struct mdev_driver *drv)
{
	driver_unregister(&drv->driver);
}

/* mdev_register_parent (drivers/vfio/mdev/mdev_core.c, 6.1 and 6.12): its
 * errors are parent_create_sysfs_files' (-ENOMEM; -EEXIST for a device
 * that already has mdev_supported_types).  Fault point `mdev_register`
 * (call 2 of a module init). */
int mdev_register_parent(struct mdev_parent *parent, struct device *dev,
			 struct mdev_driver *mdev_driver, struct mdev_type **types,
			 unsigned int nr_types)
{
	struct mdev_parent *p;

	if (!dev || shim_fault_hit(SHIM_FP_MDEV_REGISTER, SIM_SITE))	/* mdev_core.c */
		return dev ? shim_fault_err(SHIM_FP_MDEV_REGISTER) : -EINVAL;
	mutex_lock(&parent_list_lock);
	list_for_each_entry(p, &parent_list, _next) {
		if (p->dev == dev) {
			mutex_unlock(&parent_list_lock);
			return -EEXIST;
		}
	}
	init_rwsem(&parent->unreg_sem);
	parent->dev = dev;
	parent->mdev_driver = mdev_driver;
	parent->types = types;
	parent->nr_types = nr_types;
	atomic_set(&parent->available_instances, mdev_driver->max_instances);
	for (unsigned int i = 0; i < nr_types; i++)
		types[i]->parent = parent;
	get_device(dev);
	list_add_tail(&parent->_next, &parent_list);
	mutex_unlock(&parent_list_lock);
	return 0;
}

static void mdev_device_remove_common(struct mdev_device *mdev)
{
	struct mdev_parent *parent = mdev->type->parent;

	device_del(&mdev->dev);
	if (!parent->mdev_driver->get_available)
		atomic_inc(&parent->available_instances);
	put_device(&mdev->dev);
}

void mdev_unregister_parent(struct mdev_parent *parent)
{
	struct mdev_device *mdev, *n;

	mutex_lock(&parent_list_lock);
	list_del_init(&parent->_next);
	mutex_unlock(&parent_list_lock);
	down_write(&parent->unreg_sem);
	list_for_each_entry_safe(mdev, n, &mdev_list, next) {
		if (mdev->type->parent == parent && mdev->dev._added)
			mdev_device_remove_common(mdev);
	}
	up_write(&parent->unreg_sem);
	put_device(parent->dev);
}

static void mdev_device_release(struct device *dev)
{
	struct mdev_device *mdev = to_mdev_device(dev);

	mutex_lock(&mdev_list_lock);
	list_del(&mdev->next);
	mutex_unlock(&mdev_list_lock);
	kfree(mdev);
}

int shim_mdev_create(int index, struct mdev_device **out)
{
	struct mdev_parent *parent;
	struct mdev_type *type;
	struct mdev_driver *drv;
	struct mdev_device *mdev, *tmp;
	char name[UUID_STRING_LEN + 1];
	guid_t uuid;
	int ret;

	if (out)
		*out = NULL;
	if (list_empty(&parent_list))
		return -ENODEV;
	parent = list_first_entry(&parent_list, struct mdev_parent, _next);
	if (!parent->nr_types)
		return -ENODEV;
	type = parent->types[0];
	drv = parent->mdev_driver;
	shim_guid_from_index(index, &uuid);

	mutex_lock(&mdev_list_lock);
	list_for_each_entry(tmp, &mdev_list, next) {
		if (guid_equal(&tmp->uuid, &uuid)) {
			mutex_unlock(&mdev_list_lock);
			return -EEXIST;
		}
	}
	if (!drv->get_available) {
		if (!atomic_read(&parent->available_instances)) {
			mutex_unlock(&mdev_list_lock);
			return -EUSERS;
		}
		atomic_dec(&parent->available_instances);
	}
	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev) {
		if (!drv->get_available)
			atomic_inc(&parent->available_instances);
		mutex_unlock(&mdev_list_lock);
		return -ENOMEM;
	}
	mdev->type = type;
	mdev->_index = index;
	guid_copy(&mdev->uuid, &uuid);
	list_add(&mdev->next, &mdev_list);
	mutex_unlock(&mdev_list_lock);

	mdev->dev.parent = parent->dev;
	mdev->dev.bus = &mdev_bus_type;
	mdev->dev.release = mdev_device_release;
	shim_guid_to_str(&uuid, name);
	dev_set_name(&mdev->dev, "%s", name);
	device_initialize(&mdev->dev);

	if (!down_read_trylock(&parent->unreg_sem)) {
		ret = -ENODEV;
		goto out_put_device;
	}
	ret = device_add(&mdev->dev);
	if (ret)
		goto out_unlock;
	ret = device_driver_attach(&drv->driver, &mdev->dev);
	if (ret)
		goto out_del;
	mdev->active = true;
	up_read(&parent->unreg_sem);
	if (out)
		*out = mdev;
	return 0;

out_del:
	device_del(&mdev->dev);
out_unlock:
	up_read(&parent->unreg_sem);
out_put_device:
	if (!drv->get_available)
		atomic_inc(&parent->available_instances);
	put_device(&mdev->dev);
	return ret;
}

int shim_mdev_remove(struct mdev_device *mdev)
{
	struct mdev_device *tmp;
	struct mdev_parent *parent;
	bool found = false;

	mutex_lock(&mdev_list_lock);
	list_for_each_entry(tmp, &mdev_list, next) {
		if (tmp == mdev) {
			found = true;
			break;
		}
	}
	if (!found) {
		mutex_unlock(&mdev_list_lock);
		return -ENODEV;
	}
	if (!mdev->active) {
		mutex_unlock(&mdev_list_lock);
		return -EAGAIN;
	}
	mdev->active = false;
	mutex_unlock(&mdev_list_lock);

	parent = mdev->type->parent;
	if (!down_read_trylock(&parent->unreg_sem))
		return -ENODEV;
	mdev_device_remove_common(mdev);
	up_read(&parent->unreg_sem);
	return 0;
}

struct device *shim_mdev_device(struct mdev_device *mdev)
{
	return mdev ? &mdev->dev : NULL;
}

void shim_vfio_reset(void)
{
	INIT_LIST_HEAD(&vfio_devices);
	memset(&iommu_s, 0, sizeof(iommu_s));
	mutex_init(&iommu->device_list_lock);
	INIT_LIST_HEAD(&iommu->device_list);
	INIT_LIST_HEAD(&mdev_list);
	INIT_LIST_HEAD(&parent_list);
	vfio_next_index = 0;
	/* fault points: driver/kernel/fault.c (per execution) */
	memset(&mdev_list_lock, 0, sizeof(mdev_list_lock));
	memset(&parent_list_lock, 0, sizeof(parent_list_lock));
	mutex_init(&mdev_list_lock);
	mutex_init(&parent_list_lock);
	memset(&mdev_bus_type, 0, sizeof(mdev_bus_type));
	mdev_bus_type.name = "mdev";
	mdev_bus_type.probe = mdev_probe;
	mdev_bus_type.remove = mdev_remove;
	mdev_bus_type.match = mdev_match;
	(void)!bus_register(&mdev_bus_type);
}

/* ------------------------------------------------------------- 6.2+ core */

/* The vfio core frees the device after the driver's release (6.2+: the
 * driver's release no longer calls vfio_free_device). */
void vfio_device_release_free(struct device *dev)
{
	struct vfio_device *device = container_of(dev, struct vfio_device, device);

	vfio_device_release(dev);
	kvfree(device);
}

/* ------------------------------------------------ the VMM's DMA mappings */

/*
 * vfio_iommu_type1 keeps the user's DMA mappings (struct vfio_dma); a
 * device of an emulated IOMMU (vfio_ap) pins pages only inside one
 * (vfio_iommu_type1_pin_pages: -EINVAL otherwise).  The shim's VMM maps the
 * guest's memory (1 GiB, the guest of kvm.c) as ONE mapping at iova 0, as
 * QEMU's vfio memory listener maps the guest's RAM section; it stays until
 * the VMM unmaps it (shim_vfio_dma_unmap) or the container is released
 * (the last close: vfio_iommu_unmap_unpin_all), and the next open maps it
 * again.
 */
#define SHIM_DMA_MAP_IOVA	0ULL
#define SHIM_DMA_MAP_SIZE	(1ULL << 30)

static bool vfio_dma_unmapped(struct vfio_device *device)
{
	bool unmapped;

	KLIST_LOCK(&device->_pins);	/* iommu->lock guards the vfio_dma tree */
	unmapped = device->_dma_unmapped;
	KLIST_UNLOCK(&device->_pins);
	return unmapped;
}

static void vfio_dma_set_unmapped(struct vfio_device *device, bool unmapped)
{
	KLIST_LOCK(&device->_pins);	/* iommu->lock */
	device->_dma_unmapped = unmapped;
	KLIST_UNLOCK(&device->_pins);
}

static bool vfio_iova_mapped(struct vfio_device *device, dma_addr_t iova)
{
	return !vfio_dma_unmapped(device) && iova >= SHIM_DMA_MAP_IOVA &&
	       iova - SHIM_DMA_MAP_IOVA < SHIM_DMA_MAP_SIZE;
}

/*
 * vfio_dma_do_unmap (drivers/vfio/vfio_iommu_type1.c, 6.1 and 6.12) for a
 * request that touches the mapping: while the mapping holds pinned pages
 * (!RB_EMPTY_ROOT(&dma->pfn_list)), vfio_notify_dma_unmap calls the
 * driver's dma_unmap with the WHOLE mapping, dma->iova and dma->size (not
 * the requested range), and starts over; after the 11th notification of
 * the same mapping BUG_ON(++retries > 10) stops the kernel.  Then the
 * mapping is removed (vfio_remove_dma).  iommu->lock, which the kernel
 * holds around the vfio_dma tree, is modelled as the ordering of the
 * device's pin list (KLIST_LOCK: vfio_dma_unmapped/vfio_dma_set_unmapped);
 * iommu->device_list_lock, held around the callbacks, is taken by the
 * caller (shim_vfio_dma_unmap).
 */
static void vfio_dma_do_unmap(struct vfio_device *device, u64 iova, u64 size)
{
	struct vfio_pin *p;
	bool pinned;

	if (vfio_dma_unmapped(device) || !size ||
	    iova >= SHIM_DMA_MAP_IOVA + SHIM_DMA_MAP_SIZE || iova + size <= SHIM_DMA_MAP_IOVA)
		return;		/* no mapping in the range: nothing to do */
	for (int retries = 0;; retries++) {
		pinned = false; KLIST_LOCK(&device->_pins);	/* iommu->lock */
		list_for_each_entry(p, &device->_pins, node)
			if (p->iova - SHIM_DMA_MAP_IOVA < SHIM_DMA_MAP_SIZE)
				pinned = true;
		if (KLIST_UNLOCK(&device->_pins), !pinned)
			break;
		BUG_ON(retries > 10);
		device->ops->dma_unmap(device, SHIM_DMA_MAP_IOVA, SHIM_DMA_MAP_SIZE);
	}
	vfio_dma_set_unmapped(device, true);
}
