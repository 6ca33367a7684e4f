// SPDX-License-Identifier: GPL-2.0
/*
 * driver/kernel/bus_const.c - the shim state of const buses.
 *
 * Owns: (trees with APSIM_BUS_CONST, 6.3+) the table that maps a bus to
 * its struct apsim_bus_priv (device and driver lists, registered flag):
 * those trees declare buses const (the kernel keeps its subsys_private
 * outside the bus as well), so the shim cannot keep the state in the bus.
 * An entry is (re)initialised by bus_register, like the in-bus state.
 */
#include <linux/kernel.h>
#include <linux/device.h>
#include <apsim/sim.h>

#if APSIM_BUS_CONST
#define MAX_BUSES 8

static struct {
	const struct bus_type *bus;
	struct apsim_bus_priv p;
} buses[MAX_BUSES];

struct apsim_bus_priv *apsim_bus_p(const struct bus_type *bus)
{
	int i;

	for (i = 0; i < MAX_BUSES && buses[i].bus; i++)
		if (buses[i].bus == bus)
			return &buses[i].p;
	if (i == MAX_BUSES) {
		sim_report(SIM_F_INVARIANT, true, "invariant:shim-bus-table-full",
			   "shim: more than %d buses\n", MAX_BUSES);
		i = MAX_BUSES - 1;
	}
	buses[i].bus = bus;
	INIT_LIST_HEAD(&buses[i].p._devices);
	INIT_LIST_HEAD(&buses[i].p._drivers);
	return &buses[i].p;
}
#endif
