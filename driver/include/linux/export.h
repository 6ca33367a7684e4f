/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/export.h (apsim shim) - symbol exports are no-ops.
 */
#ifndef _APSIM_LINUX_EXPORT_H
#define _APSIM_LINUX_EXPORT_H
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define EXPORT_SYMBOL_NS(sym, ns)
#define EXPORT_SYMBOL_NS_GPL(sym, ns)
#endif
