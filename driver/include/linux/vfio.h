/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/vfio.h (apsim shim) - the VFIO device API of 6.1 as vfio_ap uses
 * it (struct vfio_device, vfio_device_ops, vfio_alloc_device,
 * registration, pin/unpin) plus the uapi bits the driver's ioctl needs.
 * The core is driver/kernel/vfio.c; its glue API is in driver/kernel/base.h.
 */
#ifndef _APSIM_LINUX_VFIO_H
#define _APSIM_LINUX_VFIO_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/iommu.h>
#include <linux/uaccess.h>

/* ---- uapi ---- */
#define _APSIM_IOC(dir, type, nr, size) \
	(((dir) << 30) | ((size) << 16) | ((type) << 8) | (nr))
#ifndef _IO
#define _IO(type, nr) _APSIM_IOC(0U, (unsigned int)(type), (unsigned int)(nr), 0U)
#endif
#define VFIO_TYPE	(';')
#define VFIO_BASE	100

struct vfio_device_info {
	__u32 argsz;
	__u32 flags;
#define VFIO_DEVICE_FLAGS_RESET	(1 << 0)
#define VFIO_DEVICE_FLAGS_PCI	(1 << 1)
#define VFIO_DEVICE_FLAGS_PLATFORM (1 << 2)
#define VFIO_DEVICE_FLAGS_AMBA	(1 << 3)
#define VFIO_DEVICE_FLAGS_CCW	(1 << 4)
#define VFIO_DEVICE_FLAGS_AP	(1 << 5)
#define VFIO_DEVICE_FLAGS_FSL_MC (1 << 6)
#define VFIO_DEVICE_FLAGS_CAPS	(1 << 7)
	__u32 num_regions;
	__u32 num_irqs;
	__u32 cap_offset;
};
#define VFIO_DEVICE_GET_INFO	_IO(VFIO_TYPE, VFIO_BASE + 7)
#define VFIO_DEVICE_RESET	_IO(VFIO_TYPE, VFIO_BASE + 11)
#define VFIO_DEVICE_API_AP_STRING "vfio-ap"

/* Interrupts (6.12: the AP request IRQ). */
struct vfio_irq_info {
	__u32 argsz;
	__u32 flags;
#define VFIO_IRQ_INFO_EVENTFD		(1 << 0)
#define VFIO_IRQ_INFO_MASKABLE		(1 << 1)
#define VFIO_IRQ_INFO_AUTOMASKED	(1 << 2)
#define VFIO_IRQ_INFO_NORESIZE		(1 << 3)
	__u32 index;
	__u32 count;
};
#define VFIO_DEVICE_GET_IRQ_INFO	_IO(VFIO_TYPE, VFIO_BASE + 9)

struct vfio_irq_set {
	__u32 argsz;
	__u32 flags;
#define VFIO_IRQ_SET_DATA_NONE		(1 << 0)
#define VFIO_IRQ_SET_DATA_BOOL		(1 << 1)
#define VFIO_IRQ_SET_DATA_EVENTFD	(1 << 2)
#define VFIO_IRQ_SET_ACTION_MASK	(1 << 3)
#define VFIO_IRQ_SET_ACTION_UNMASK	(1 << 4)
#define VFIO_IRQ_SET_ACTION_TRIGGER	(1 << 5)
	__u32 index;
	__u32 start;
	__u32 count;
	__u8 data[];
};
#define VFIO_DEVICE_SET_IRQS		_IO(VFIO_TYPE, VFIO_BASE + 10)
#define VFIO_IRQ_SET_DATA_TYPE_MASK	(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL | \
					 VFIO_IRQ_SET_DATA_EVENTFD)
#define VFIO_IRQ_SET_ACTION_TYPE_MASK	(VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_ACTION_UNMASK | \
					 VFIO_IRQ_SET_ACTION_TRIGGER)

/* vfio-ap interrupt indexes */
enum {
	VFIO_AP_REQ_IRQ_INDEX,
	VFIO_AP_NUM_IRQS
};

/* ---- kernel API ---- */
struct iommufd_ctx;
struct kvm;
struct vfio_device;
struct vfio_group;
struct vm_area_struct;

/* One set per device (no shared reset sets in vfio_ap). */
struct vfio_device_set {
	void *set_id;
	struct mutex lock;		/* "&dev_set->lock" */
	struct list_head device_list;
	unsigned int device_count;
};

struct vfio_device_ops {
	char *name;
	int (*init)(struct vfio_device *vdev);
	void (*release)(struct vfio_device *vdev);
	int (*open_device)(struct vfio_device *vdev);
	void (*close_device)(struct vfio_device *vdev);
	ssize_t (*read)(struct vfio_device *vdev, char __user *buf, size_t count, loff_t *ppos);
	ssize_t (*write)(struct vfio_device *vdev, const char __user *buf, size_t count,
			 loff_t *size);
	long (*ioctl)(struct vfio_device *vdev, unsigned int cmd, unsigned long arg);
	int (*mmap)(struct vfio_device *vdev, struct vm_area_struct *vma);
	void (*request)(struct vfio_device *vdev, unsigned int count);
	int (*match)(struct vfio_device *vdev, char *buf);
	void (*dma_unmap)(struct vfio_device *vdev, u64 iova, u64 length);
	int (*device_feature)(struct vfio_device *device, u32 flags, void __user *arg,
			      size_t argsz);
	/* iommufd (6.2+; the shim has no iommufd: never called) */
	int (*bind_iommufd)(struct vfio_device *vdev, struct iommufd_ctx *ictx, u32 *out_device_id);
	void (*unbind_iommufd)(struct vfio_device *vdev);
	int (*attach_ioas)(struct vfio_device *vdev, u32 *pt_id);
	void (*detach_ioas)(struct vfio_device *vdev);
};

/* No iommufd in the shim (CONFIG_IOMMUFD off): the helpers are NULL. */
#define vfio_iommufd_emulated_bind \
	((int (*)(struct vfio_device *, struct iommufd_ctx *, u32 *))NULL)
#define vfio_iommufd_emulated_unbind ((void (*)(struct vfio_device *))NULL)
#define vfio_iommufd_emulated_attach_ioas ((int (*)(struct vfio_device *, u32 *))NULL)
#define vfio_iommufd_emulated_detach_ioas ((void (*)(struct vfio_device *))NULL)

struct vfio_device {
	struct device *dev;
	const struct vfio_device_ops *ops;
	const void *mig_ops;
	const void *log_ops;
	struct vfio_group *group;
	struct vfio_device_set *dev_set;
	struct list_head dev_set_list;
	unsigned int migration_flags;
	struct kvm *kvm;		/* set for open_device/close_device */

	unsigned int index;
	struct device device;		/* its kref covers the object's life */
	refcount_t refcount;		/* users of the registered device */
	unsigned int open_count;
	struct completion comp;
	struct list_head group_next;
	struct list_head iommu_entry;
	/* shim */
	struct list_head _pins;		/* pinned iovas (vfio.c) */
	bool _dma_unmapped;		/* the VMM unmapped the guest's memory (vfio.c) */
	bool _registered;
};

struct vfio_device *_vfio_alloc_device(size_t size, struct device *dev,
				       const struct vfio_device_ops *ops);
#define vfio_alloc_device(dev_struct, member, dev, ops)			\
	container_of(_vfio_alloc_device(sizeof(struct dev_struct) +	\
					BUILD_BUG_ON_ZERO(offsetof(	\
						struct dev_struct, member)), \
					dev, ops),			\
		     struct dev_struct, member)
int vfio_init_device(struct vfio_device *device, struct device *dev,
		     const struct vfio_device_ops *ops);
void vfio_free_device(struct vfio_device *device);
static inline void vfio_put_device(struct vfio_device *device)
{
	put_device(&device->device);
}
int vfio_register_group_dev(struct vfio_device *device);
int vfio_register_emulated_iommu_dev(struct vfio_device *device);
void vfio_unregister_group_dev(struct vfio_device *device);

#define VFIO_PIN_PAGES_MAX_ENTRIES (PAGE_SIZE / sizeof(unsigned long))
int vfio_pin_pages(struct vfio_device *device, dma_addr_t iova, int npage, int prot,
		   struct page **pages);
void vfio_unpin_pages(struct vfio_device *device, dma_addr_t iova, int npage);
/* Check a VFIO_DEVICE_SET_IRQS header against a device with num_irqs
 * interrupts of max_irq_type indexes; *data_size: the bytes of data that
 * follow it.  0 or -EINVAL (driver/kernel/vfio_irq.c). */
int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
				       int max_irq_type, size_t *data_size);
int vfio_dma_rw(struct vfio_device *device, dma_addr_t iova, void *data, size_t len,
		bool write);

#endif
