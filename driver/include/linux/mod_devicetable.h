/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/mod_devicetable.h (apsim shim) - device id tables (only the AP bus
 * one is needed).
 */
#ifndef _APSIM_LINUX_MOD_DEVICETABLE_H
#define _APSIM_LINUX_MOD_DEVICETABLE_H
#include <linux/types.h>

typedef unsigned long kernel_ulong_t;

struct ap_device_id {
	__u16 match_flags;	/* AP_DEVICE_ID_MATCH_* */
	__u8 dev_type;
	kernel_ulong_t driver_info;
};

#define AP_DEVICE_ID_MATCH_CARD_TYPE	0x01
#define AP_DEVICE_ID_MATCH_QUEUE_TYPE	0x02
#endif
