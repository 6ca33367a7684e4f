// SPDX-License-Identifier: GPL-2.0
/*
 * driver/kernel/vfio_irq.c - the VFIO core's interrupt-ioctl helper.
 *
 * Owns: vfio_set_irqs_validate_and_prepare(), the check of a
 * VFIO_DEVICE_SET_IRQS header that the 6.12 driver's request-IRQ ioctl
 * relies on: argsz covers the header, index and the start/count range fit
 * the device, exactly the known flag bits, one data type (none, bool,
 * eventfd) whose payload argsz covers.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/vfio.h>

int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
				       int max_irq_type, size_t *data_size)
{
	const size_t hdr_size = offsetofend(struct vfio_irq_set, count);
	size_t each;

	if (hdr->argsz < hdr_size || hdr->index >= (u32)max_irq_type)
		return -EINVAL;
	if (hdr->count >= U32_MAX - hdr->start)
		return -EINVAL;
	if (hdr->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	if (data_size)
		*data_size = 0;
	if (hdr->start >= (u32)num_irqs || hdr->start + hdr->count > (u32)num_irqs)
		return -EINVAL;
	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		each = sizeof(u8);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		each = sizeof(s32);
		break;
	default:		/* more than one data type */
		return -EINVAL;
	}
	if (!data_size || hdr->argsz - hdr_size < (size_t)hdr->count * each)
		return -EINVAL;
	*data_size = (size_t)hdr->count * each;
	return 0;
}
