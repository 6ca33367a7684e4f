/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/zcrypt.h (apsim shim) - the zcrypt user API header.
 *
 * Owns: the device-count limits (vfio_ap sizes its mdev type's
 * max_instances with MAX_ZDEV_ENTRIES_EXT).
 */
#ifndef _APSIM_ASM_ZCRYPT_H
#define _APSIM_ASM_ZCRYPT_H

#define ZCRYPT_VERSION		2
#define ZCRYPT_RELEASE		2
#define MAX_ZDEV_CARDIDS_EXT	256
#define MAX_ZDEV_DOMAINS_EXT	256
#define MAX_ZDEV_ENTRIES_EXT	(MAX_ZDEV_CARDIDS_EXT * MAX_ZDEV_DOMAINS_EXT)

#endif /* _APSIM_ASM_ZCRYPT_H */
