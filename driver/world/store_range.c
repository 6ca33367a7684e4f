/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/world/store_range.c - the executor's side of id ranges.
 *
 * Owns: running an assign/unassign op whose operand is an id range
 * (`assign_adapter m0 0x00-0x3f`, driver/scenario/range.c) as successive
 * sysfs writes into the mdev's attribute, one per id from low to high, as an
 * admin's shell loop does: every write is made, each is its own store into
 * the real driver (with its own locking), and the op's result is the first
 * negative result, else the result of the last write.  Each write opens the
 * file anew (`echo ID > .../assign_adapter`): once the mdev is removed, the
 * rest fail with -ENOENT.
 */
#include <linux/kernel.h>
#include <linux/device.h>

#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

long apsim_world_store_range(const char *attr, const struct apsim_op *op)
{
	long r, res = 0;
	int lo, hi;

	if (apsim_op_range_ids(op, &lo, &hi) < 0)
		return -EINVAL;
	for (int id = lo; id <= hi; id++) {
		char b[16], rb[32];
		struct device *dev = apsim_world_mdev_device(op->mdev);

		apsim_op_range_str(op, id, b, sizeof(b));
		r = dev ? shim_sysfs_write(dev, attr, b, strlen(b)) : -ENOENT;
		if (sim_trace_enabled())
			sim_trace_note(SIM_SITE, "%s \"%s\" = %s", attr, b,
				       apsim_errno_name(r, rb, sizeof(rb)));
		if (res >= 0)
			res = r;
	}
	return res;
}
