/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/groups.h - the fuzz summary's findings by root cause (fuzz/groups.c).
 */
#ifndef APSIM_FUZZ_GROUPS_H
#define APSIM_FUZZ_GROUPS_H

#include <stdio.h>

/*
 * Print the findings grouped by root cause (sim_finding_group): a header
 * per group (its key and how many findings), its members under it with
 * their directories (OUT/DIR), groups with most members first, then in the
 * order of their first finding.  `known[i]`: the reason when the finding is
 * known, else NULL (NULL array: none known).
 */
void apsim_fuzz_print_root_causes(FILE *out, const char *dir_prefix, const char *const *sigs,
				  const char *const *dirs, const char *const *known, int n);

#endif
