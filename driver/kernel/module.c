/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/module.c - module load/unload of the driver and the
 * per-execution reset of the generic shim.
 *
 * Owns: THIS_MODULE and its use count, the driver's module_init /
 * module_exit (found in the "apsim_modinit" section the module_init macro
 * fills), the snapshot/restore of the real driver's writable data (its
 * .data, .data.rel.local, .data.rel and .bss are renamed by the Makefile into the sections
 * apsim_drv_data / apsim_drv_bss, bounded by linker-provided symbols), and
 * shim_base_reset().
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"

#include <stdlib.h>
#include <string.h>

struct module shim_this_module = { .name = KBUILD_MODNAME };

extern const struct shim_module_entry __start_apsim_modinit[] __attribute__((weak));
extern const struct shim_module_entry __stop_apsim_modinit[] __attribute__((weak));
extern char __start_apsim_drv_data[] __attribute__((weak));
extern char __stop_apsim_drv_data[] __attribute__((weak));
extern char __start_apsim_drv_bss[] __attribute__((weak));
extern char __stop_apsim_drv_bss[] __attribute__((weak));

void shim_slab_reset(void);
void shim_vfio_reset(void);
void shim_lib_reset(void);
void shim_dbf_reset(void);

static bool loaded;
static char *snap_data, *snap_bss;
static size_t snap_data_len, snap_bss_len;

bool try_module_get(struct module *mod)
{
	if (!mod)
		return true;
	if (!mod->live)
		return false;
	mod->refcnt++;
	return true;
}

void module_put(struct module *mod)
{
	if (!mod)
		return;
	if (WARN(mod->refcnt <= 0, "module_put: %s use count underflow\n", mod->name))
		return;
	mod->refcnt--;
}

static initcall_t find_init(void)
{
	for (const struct shim_module_entry *e = __start_apsim_modinit;
	     e && e < __stop_apsim_modinit; e++)
		if (e->init)
			return e->init;
	return NULL;
}

static exitcall_t find_exit(void)
{
	for (const struct shim_module_entry *e = __start_apsim_modinit;
	     e && e < __stop_apsim_modinit; e++)
		if (e->exit)
			return e->exit;
	return NULL;
}

int shim_module_load(void)
{
	initcall_t init = find_init();
	int ret;

	if (loaded)
		return -EEXIST;
	if (!init)
		return -ENOENT;
	shim_this_module.refcnt = 0;
	shim_this_module.live = true;
	ret = init();
	if (ret) {
		shim_this_module.live = false;
		return ret;
	}
	loaded = true;
	return 0;
}

void shim_module_unload(void)
{
	exitcall_t exit_fn = find_exit();

	if (!loaded)
		return;
	if (WARN(shim_this_module.refcnt > 0,
		 "rmmod %s: module is in use (%d users); not unloaded\n",
		 shim_this_module.name, shim_this_module.refcnt))
		return;
	shim_this_module.live = false;
	if (exit_fn)
		exit_fn();
	loaded = false;
}

static void snap(char *start, char *stop, char **copy, size_t *len)
{
	if (!start || !stop || stop <= start)
		return;
	*len = (size_t)(stop - start);
	free(*copy);
	*copy = malloc(*len);
	if (*copy)
		memcpy(*copy, start, *len);
}

void shim_driver_data_snapshot(void)
{
	snap(__start_apsim_drv_data, __stop_apsim_drv_data, &snap_data, &snap_data_len);
	snap(__start_apsim_drv_bss, __stop_apsim_drv_bss, &snap_bss, &snap_bss_len);
}

void shim_driver_data_restore(void)
{
	if (snap_data)
		memcpy(__start_apsim_drv_data, snap_data, snap_data_len);
	if (snap_bss)
		memcpy(__start_apsim_drv_bss, snap_bss, snap_bss_len);
}

void shim_base_reset(void)
{
	shim_exec_gen++;
	if (!shim_exec_gen)
		shim_exec_gen = 1;
	shim_slab_reset();
	shim_slab_fail_set(NULL, -1);
	shim_vfio_reset();
	shim_lib_reset();
	shim_dbf_reset();
	loaded = false;
	shim_this_module.refcnt = 0;
	shim_this_module.live = false;
}
