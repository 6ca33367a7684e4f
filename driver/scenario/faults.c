// SPDX-License-Identifier: GPL-2.0
/*
 * driver/scenario/faults.c - the fault points of the scenario language
 * (`fault NAME [err ERRNO] [nth N | every]`), from driver/scenario/faults.def.
 *
 * Owns: the point table (names, the kernel function each stands for, the
 * kernel series that has it, the errors the function returns) and the
 * look-ups the parser, the writer, the generator and the CLI's tree check
 * make.  Host-side (no kernel headers): errno values are the host's, which
 * on Linux are the kernel's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/scenario/scenario.h"

#define MAX_ERRS 8

static const struct fp_info {
	const char *name, *func, *since;
	const char *when;          /* "modprobe": called during module init only */
	int errs[MAX_ERRS];        /* 0-terminated; errs[0] is the default */
} points[APSIM_FP__COUNT] = {
#define APSIM_FAULT_POINT(e, n, f, s, w, ...) [APSIM_FP_##e] = { n, f, s, w, { __VA_ARGS__ } },
#include "driver/scenario/faults.def"
#undef APSIM_FAULT_POINT
};

static const struct fp_info *info(int p)
{
	return p >= 0 && p < APSIM_FP__COUNT ? &points[p] : NULL;
}

int apsim_fault_point_lookup(const char *name)
{
	for (int i = 0; name && i < APSIM_FP__COUNT; i++)
		if (!strcmp(points[i].name, name))
			return i;
	return -1;
}

const char *apsim_fault_point_name(int p)
{
	return info(p) ? info(p)->name : "?";
}

const char *apsim_fault_point_func(int p)
{
	return info(p) ? info(p)->func : "?";
}

const char *apsim_fault_point_since(int p)
{
	return info(p) ? info(p)->since : NULL;
}

bool apsim_fault_point_modprobe_only(int p)
{
	return info(p) && info(p)->when;	/* 0 or "modprobe" */
}

bool apsim_fault_point_tree_ok(int p, const char *kver)
{
	const char *since = apsim_fault_point_since(p);

	return info(p) && (!since || apsim_series_num(kver) >= apsim_series_num(since));
}

bool apsim_fault_point_err_ok(int p, int err)
{
	for (int i = 0; info(p) && i < MAX_ERRS && points[p].errs[i]; i++)
		if (points[p].errs[i] == err)
			return true;
	return false;
}

int apsim_fault_point_default_err(int p)
{
	return info(p) ? points[p].errs[0] : -EINVAL;
}

const char *apsim_fault_point_errs(int p, char *buf, size_t len)
{
	char e[32];
	size_t o = 0;

	if (!buf || !len)
		return "";
	buf[0] = 0;
	for (int i = 0; info(p) && i < MAX_ERRS && points[p].errs[i] && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
			      apsim_errno_name(points[p].errs[i], e, sizeof(e)));
	return buf;
}

const char *apsim_fault_point_list(char *buf, size_t len)
{
	size_t o = 0;

	if (!buf || !len)
		return "";
	buf[0] = 0;
	for (int i = 0; i < APSIM_FP__COUNT && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "", points[i].name);
	return buf;
}

int apsim_fault_point_nerrs(int p)
{
	int n = 0;

	while (info(p) && n < MAX_ERRS && points[p].errs[n])
		n++;
	return n;
}

int apsim_fault_point_err(int p, int i)
{
	return i >= 0 && i < apsim_fault_point_nerrs(p) ? points[p].errs[i] : 0;
}
