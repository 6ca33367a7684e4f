// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz/groups.c - the findings of a fuzz campaign by root cause.
 *
 * Owns: the "findings by root cause" part of the campaign summary: one bug
 * reached along different paths or threads gives several signatures; the
 * group key (sim_finding_group, sim/report.c) puts them under one header.
 */
#include <stdlib.h>
#include <string.h>

#include <apsim/sim.h>
#include "fuzz/groups.h"

void apsim_fuzz_print_root_causes(FILE *out, const char *dir_prefix, const char *const *sigs,
				  const char *const *dirs, const char *const *known, int n)
{
	char (*key)[256] = calloc((size_t)n + 1, sizeof(*key));
	int *grp = calloc((size_t)n + 1, sizeof(int)), *size = calloc((size_t)n + 1, sizeof(int));
	int *order = calloc((size_t)n + 1, sizeof(int)), ng = 0;

	if (!key || !grp || !size || !order || n <= 0)
		goto out;
	ng = sim_finding_groups(sigs, n, grp, key);
	for (int i = 0; i < n; i++)
		size[grp[i]]++;
	/* most members first, stable: insertion sort of group indexes */
	for (int g = 0; g < ng; g++) {
		int k = g;

		while (k > 0 && size[order[k - 1]] < size[g]) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = g;
	}
	fprintf(out, "findings by root cause: %d root cause%s, %d finding%s\n", ng, ng == 1 ? "" : "s",
		n, n == 1 ? "" : "s");
	for (int k = 0; k < ng; k++) {
		int g = order[k];

		fprintf(out, "  %-52s %d finding%s\n", key[g], size[g], size[g] == 1 ? "" : "s");
		for (int i = 0; i < n; i++)
			if (grp[i] == g)
				fprintf(out, "      %-56s %s/%s%s%s\n", sigs[i], dir_prefix, dirs[i],
					known && known[i] ? "  known: " : "",
					known && known[i] ? known[i] : "");
	}
out:
	free(key);
	free(grp);
	free(size);
	free(order);
}
