// SPDX-License-Identifier: GPL-2.0
/*
 * sim/opinfo.c - public accessors over core internals for code outside
 * sim/ (the driver glue's rules checker): op labels and the execution
 * counter.
 */
#include "internal.h"

const char *sim_op_label(int tid)
{
	const char *l = sim__op_label(tid);

	return l ? l : "";
}

uint32_t sim_generation(void)
{
	return sim__generation();
}
