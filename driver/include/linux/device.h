/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/device.h (apsim shim) - the device model: struct device,
 * device_driver, bus_type, device_type, device attributes, dev_printk.
 * Owns the shapes only; the core (registration, reference counting,
 * match/probe/remove dispatch, sysfs groups) is driver/kernel/device.c and
 * its glue API is driver/kernel/base.h.  Shim-private fields start with '_'.
 */
#ifndef _APSIM_LINUX_DEVICE_H
#define _APSIM_LINUX_DEVICE_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/kobject.h>
#include <linux/ratelimit.h>
#include <linux/sysfs.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/wait.h>
#include <linux/timer.h>
#include <linux/slab.h>
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <linux/gfp.h>

struct device;
struct device_driver;
struct bus_type;
struct kobj_uevent_env;

struct device_type {
	const char *name;
	const struct attribute_group **groups;
	void (*release)(struct device *dev);
};

/* The shim's state of a bus (the kernel's subsys_private). */
struct apsim_bus_priv {
	struct list_head _devices;	/* struct device._bus_node */
	struct list_head _drivers;	/* struct device_driver._bus_node */
	bool _registered;
};

struct bus_type {
	const char *name;
	const char *dev_name;
	const struct attribute_group **bus_groups;
	const struct attribute_group **dev_groups;
	const struct attribute_group **drv_groups;
	int (*match)(struct device *dev, struct device_driver *drv);
	int (*uevent)(struct device *dev, struct kobj_uevent_env *env);
	int (*probe)(struct device *dev);
	void (*sync_state)(struct device *dev);
	void (*remove)(struct device *dev);
	void (*shutdown)(struct device *dev);
#if !APSIM_BUS_CONST
	/* shim */
	struct apsim_bus_priv _p;
#endif
};

enum probe_type {
	PROBE_DEFAULT_STRATEGY,
	PROBE_PREFER_ASYNCHRONOUS,
	PROBE_FORCE_SYNCHRONOUS,
};

struct device_driver {
	const char *name;
	const struct bus_type *bus;
	struct module *owner;
	const char *mod_name;
	bool suppress_bind_attrs;
	enum probe_type probe_type;
	const void *of_match_table;
	const void *acpi_match_table;
	int (*probe)(struct device *dev);
	void (*sync_state)(struct device *dev);
	int (*remove)(struct device *dev);
	void (*shutdown)(struct device *dev);
	const struct attribute_group **groups;
	const struct attribute_group **dev_groups;
	/* shim */
	struct list_head _bus_node;
	struct list_head _devices;	/* bound devices: struct device._drv_node */
	bool _registered;
};

struct device {
	struct kobject kobj;
	struct device *parent;
	const char *init_name;
	const struct device_type *type;
	const struct bus_type *bus;
	struct device_driver *driver;
	void *platform_data;
	void *driver_data;
	struct mutex mutex;		/* device_lock() */
	const struct attribute_group **groups;
	void (*release)(struct device *dev);
	u32 id;
	bool offline_disabled:1;
	bool offline:1;
	/* shim */
	struct list_head _bus_node;
	struct list_head _drv_node;
	int _refs;			/* get_device/put_device */
	int _knode_refs;		/* bus list node: 1 while listed + iterators */
	bool _knode_dead;		/* deleted from the bus list (klist_del) */
	bool _killed;			/* device_del started (dev->p->dead) */
	bool _initialized, _added, _dead;
};

struct device_attribute {
	struct attribute attr;
	ssize_t (*show)(struct device *dev, struct device_attribute *attr, char *buf);
	ssize_t (*store)(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count);
};

struct driver_attribute {
	struct attribute attr;
	ssize_t (*show)(struct device_driver *driver, char *buf);
	ssize_t (*store)(struct device_driver *driver, const char *buf, size_t count);
};

struct bus_attribute {
	struct attribute attr;
	ssize_t (*show)(struct bus_type *bus, char *buf);
	ssize_t (*store)(struct bus_type *bus, const char *buf, size_t count);
};

#define DEVICE_ATTR(_name, _mode, _show, _store) \
	struct device_attribute dev_attr_##_name = __ATTR(_name, _mode, _show, _store)
#define DEVICE_ATTR_RW(_name) struct device_attribute dev_attr_##_name = __ATTR_RW(_name)
#define DEVICE_ATTR_ADMIN_RW(_name) \
	struct device_attribute dev_attr_##_name = __ATTR_RW_MODE(_name, 0600)
#define DEVICE_ATTR_RO(_name) struct device_attribute dev_attr_##_name = __ATTR_RO(_name)
#define DEVICE_ATTR_ADMIN_RO(_name) \
	struct device_attribute dev_attr_##_name = __ATTR_RO_MODE(_name, 0400)
#define DEVICE_ATTR_WO(_name) struct device_attribute dev_attr_##_name = __ATTR_WO(_name)
#define __ATTR_RW_MODE(_name, _mode) __ATTR(_name, _mode, _name##_show, _name##_store)
#define DRIVER_ATTR_RW(_name) struct driver_attribute driver_attr_##_name = __ATTR_RW(_name)
#define DRIVER_ATTR_RO(_name) struct driver_attribute driver_attr_##_name = __ATTR_RO(_name)
#define DRIVER_ATTR_WO(_name) struct driver_attribute driver_attr_##_name = __ATTR_WO(_name)
#define BUS_ATTR_RW(_name) struct bus_attribute bus_attr_##_name = __ATTR_RW(_name)
#define BUS_ATTR_RO(_name) struct bus_attribute bus_attr_##_name = __ATTR_RO(_name)
#define BUS_ATTR_WO(_name) struct bus_attribute bus_attr_##_name = __ATTR_WO(_name)

#define to_device_attr(a) container_of(a, struct device_attribute, attr)
#define kobj_to_dev(k) container_of(k, struct device, kobj)

static inline const char *dev_name(const struct device *dev)
{
	return dev->init_name && !dev->kobj.name[0] ? dev->init_name : dev->kobj.name;
}
int dev_set_name(struct device *dev, const char *fmt, ...) __printf(2, 3);

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}
static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

#define device_lock(dev) mutex_lock(&(dev)->mutex)
#define device_unlock(dev) mutex_unlock(&(dev)->mutex)
#define device_trylock(dev) mutex_trylock(&(dev)->mutex)
#define device_lock_assert(dev) lockdep_assert_held(&(dev)->mutex)

void device_initialize(struct device *dev);
int __must_check device_add(struct device *dev);
int __must_check device_register(struct device *dev);
void device_del(struct device *dev);
void device_unregister(struct device *dev);
struct device *get_device(struct device *dev);
void put_device(struct device *dev);
bool device_is_registered(struct device *dev);
int device_attach(struct device *dev);
int device_reprobe(struct device *dev);
void device_release_driver(struct device *dev);
int __must_check device_driver_attach(struct device_driver *drv, struct device *dev);
int device_create_file(struct device *dev, const struct device_attribute *attr);
void device_remove_file(struct device *dev, const struct device_attribute *attr);
int __must_check device_add_groups(struct device *dev, const struct attribute_group **groups);
void device_remove_groups(struct device *dev, const struct attribute_group **groups);
int device_for_each_child(struct device *dev, void *data,
			  int (*fn)(struct device *dev, void *data));
static inline bool device_is_bound(struct device *dev) { return dev->driver != NULL; }

/* A bus's shim state: in the bus, or (APSIM_BUS_CONST: buses are const
 * objects) in a table in driver/kernel/bus_const.c. */
#if APSIM_BUS_CONST
struct apsim_bus_priv *apsim_bus_p(const struct bus_type *bus);
#else
#define apsim_bus_p(bus) (&((struct bus_type *)(bus))->_p)
#endif
int __must_check bus_register(const struct bus_type *bus);
void bus_unregister(const struct bus_type *bus);
int bus_for_each_dev(const struct bus_type *bus, struct device *start, void *data,
		     int (*fn)(struct device *dev, void *data));
int bus_for_each_drv(const struct bus_type *bus, struct device_driver *start, void *data,
		     int (*fn)(struct device_driver *drv, void *data));
struct device *bus_find_device(const struct bus_type *bus, struct device *start, const void *data,
			       int (*match)(struct device *dev, const void *data));
int __must_check bus_rescan_devices(const struct bus_type *bus);

int __must_check driver_register(struct device_driver *drv);
void driver_unregister(struct device_driver *drv);
int driver_attach(struct device_driver *drv);
int driver_for_each_device(struct device_driver *drv, struct device *start, void *data,
			   int (*fn)(struct device *dev, void *data));
struct device *driver_find_device(struct device_driver *drv, struct device *start,
				  const void *data,
				  int (*match)(struct device *dev, const void *data));

struct device *root_device_register(const char *name);
void root_device_unregister(struct device *root);

/* dev_printk family: to the trace, prefixed "<driver> <dev_name>: ". */
int shim_dev_printk(const struct sim_site *site, const char *level,
		    const struct device *dev, const char *fmt, ...) __printf(4, 5);
#define dev_printk(level, dev, fmt, ...) shim_dev_printk(SIM_SITE, level, dev, fmt, ##__VA_ARGS__)
#define dev_emerg(dev, fmt, ...) dev_printk(KERN_EMERG, dev, fmt, ##__VA_ARGS__)
#define dev_crit(dev, fmt, ...) dev_printk(KERN_CRIT, dev, fmt, ##__VA_ARGS__)
#define dev_alert(dev, fmt, ...) dev_printk(KERN_ALERT, dev, fmt, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) dev_printk(KERN_ERR, dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) dev_printk(KERN_WARNING, dev, fmt, ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) dev_printk(KERN_NOTICE, dev, fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...) dev_printk(KERN_INFO, dev, fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...) dev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__)
#define dev_level_ratelimited(dev_level, dev, fmt, ...)			\
do {									\
	static DEFINE_RATELIMIT_STATE(_rs, DEFAULT_RATELIMIT_INTERVAL,	\
				      DEFAULT_RATELIMIT_BURST);		\
	if (__ratelimit(&_rs))						\
		dev_level(dev, fmt, ##__VA_ARGS__);			\
} while (0)
#define dev_err_ratelimited(dev, fmt, ...) \
	dev_level_ratelimited(dev_err, dev, fmt, ##__VA_ARGS__)
#define dev_warn_ratelimited(dev, fmt, ...) \
	dev_level_ratelimited(dev_warn, dev, fmt, ##__VA_ARGS__)
#define dev_notice_ratelimited(dev, fmt, ...) \
	dev_level_ratelimited(dev_notice, dev, fmt, ##__VA_ARGS__)
#define dev_warn_once dev_warn
#define dev_err_once dev_err
#define dev_info_once dev_info
#define dev_WARN(dev, fmt, ...) WARN(1, "%s: " fmt, dev_name(dev), ##__VA_ARGS__)

#endif
