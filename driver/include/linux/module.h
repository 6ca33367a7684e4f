/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/module.h (apsim shim) - one driver module per link.  module_init /
 * module_exit record the driver's entry points in a linker section read by
 * driver/kernel/module.c (shim_module_load/unload, base.h).  THIS_MODULE is a
 * real object with a use count for try_module_get/module_put.
 */
#ifndef _APSIM_LINUX_MODULE_H
#define _APSIM_LINUX_MODULE_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/export.h>

struct module {
	const char *name;
	int refcnt;
	bool live;
};

extern struct module shim_this_module;
#define THIS_MODULE (&shim_this_module)

bool try_module_get(struct module *mod);
void module_put(struct module *mod);
static inline void __module_get(struct module *mod) { (void)try_module_get(mod); }
#define module_refcount(mod) ((mod) ? (mod)->refcnt : 0)

typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);

/* The registered entry points (at most one module in the link). */
struct shim_module_entry {
	initcall_t init;
	exitcall_t exit;
};

#define module_init(fn)							\
	static const struct shim_module_entry __shim_modinit_##fn	\
	__attribute__((used, section("apsim_modinit"), aligned(8))) = { .init = fn }
#define module_exit(fn)							\
	static const struct shim_module_entry __shim_modexit_##fn	\
	__attribute__((used, section("apsim_modinit"), aligned(8))) = { .exit = fn }
#define late_initcall(fn) module_init(fn)
#define subsys_initcall(fn) module_init(fn)

#define MODULE_LICENSE(x)
#define MODULE_AUTHOR(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_VERSION(x)
#define MODULE_ALIAS(x)
#define MODULE_SOFTDEP(x)
#define MODULE_IMPORT_NS(x)
#define MODULE_DEVICE_TABLE(type, name)
#define MODULE_PARM_DESC(var, desc)
#define module_param(name, type, perm)
#define module_param_named(name, var, type, perm)

#endif
