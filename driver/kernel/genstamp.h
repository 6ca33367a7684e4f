/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/genstamp.h - the registry of per-execution stamps.
 *
 * Owns: SHIM_GEN_STAMP, by which a shim module that keeps per-execution
 * state lazily (stamped with sim_generation(), reset when the stamp is
 * another execution's: faults, eventfds, PV, the workqueues) registers its
 * stamp once, at its definition, in the linker section apsim_genstamps
 * (outside the sections a world snapshot copies); and shim_world_restamp
 * (module.c), which after a restore makes every stamp that says the
 * snapshot's execution (`from`) say this one (`to`).
 */
#ifndef APSIM_SHIM_GENSTAMP_H
#define APSIM_SHIM_GENSTAMP_H

#include <stdint.h>

#define SHIM_GEN_STAMP(name, lv)						\
	static uint32_t *const shim_stamp_##name				\
	__attribute__((section("apsim_genstamps"), used)) = &(lv)

void shim_world_restamp(uint32_t from, uint32_t to);

#endif /* APSIM_SHIM_GENSTAMP_H */
