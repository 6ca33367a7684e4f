/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/init.h (apsim shim) - __init/__exit are plain code here.
 */
#ifndef _APSIM_LINUX_INIT_H
#define _APSIM_LINUX_INIT_H
#include <linux/compiler.h>
#endif
