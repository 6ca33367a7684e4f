/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/param.h (apsim shim) - HZ.  Also reached from glibc's <sys/param.h>.
 */
#ifndef _APSIM_LINUX_PARAM_H
#define _APSIM_LINUX_PARAM_H
#ifndef HZ
#define HZ 100
#endif
#define USER_HZ 100
#ifndef EXEC_PAGESIZE
#define EXEC_PAGESIZE 4096
#endif
#endif
