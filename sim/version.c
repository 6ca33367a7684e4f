/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/version.c - libsim version string and strategy names.
 *
 * Owns: sim_version, sim_strategy_name, sim_strategy_parse.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

const char sim_version[] = "apsim-libsim 0.1";

static const char *const names[] = {
	[SIM_STRAT_RANDOM] = "random",
	[SIM_STRAT_PCT] = "pct",
	[SIM_STRAT_RR] = "rr",
	[SIM_STRAT_EXHAUSTIVE] = "exhaustive",
	[SIM_STRAT_REPLAY] = "replay",
};

const char *sim_strategy_name(enum sim_strategy s)
{
	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[s];
}

int sim_strategy_parse(const char *name, enum sim_strategy *out)
{
	if (!name)
		return -EINVAL;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			if (out)
				*out = (enum sim_strategy)i;
			return 0;
		}
	}
	return -EINVAL;
}
