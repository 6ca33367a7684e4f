/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/kobject.h (apsim shim) - a kobject is a name, a parent and the
 * attribute groups created on it (the simulated sysfs directory).  The
 * reference count of a device lives in struct device (device.h).
 */
#ifndef _APSIM_LINUX_KOBJECT_H
#define _APSIM_LINUX_KOBJECT_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/kref.h>
#include <linux/sysfs.h>

#define KOBJ_NAME_LEN 64
#define KOBJ_MAX_GROUPS 8

enum kobject_action {
	KOBJ_ADD, KOBJ_REMOVE, KOBJ_CHANGE, KOBJ_MOVE, KOBJ_ONLINE, KOBJ_OFFLINE,
	KOBJ_BIND, KOBJ_UNBIND,
};

struct kobject {
	char name[KOBJ_NAME_LEN];
	struct kobject *parent;
	struct kref kref;
	/* the simulated sysfs directory: groups created on this kobject */
	const struct attribute_group *groups[KOBJ_MAX_GROUPS];
	int nr_groups;
};

struct kset {
	struct list_head list;
	struct kobject kobj;
};

static inline const char *kobject_name(const struct kobject *kobj)
{
	return kobj->name;
}
static inline int kobject_uevent(struct kobject *kobj, enum kobject_action a) { return 0; }
static inline int kobject_uevent_env(struct kobject *kobj, enum kobject_action a, char *envp[])
{
	return 0;
}

/* The kernel's kobject.h brings workqueues to every device user. */
#include <linux/workqueue.h>

#endif
