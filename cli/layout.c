// SPDX-License-Identifier: GPL-2.0
/*
 * cli/layout.c - where apsim's binaries are in a build tree.
 *
 * Owns: the build layout, known here only: BUILD/apsim is the base binary
 * (the unmodified driver), BUILD/variants/NAME/apsim the binary of variant
 * NAME, BUILD/bench/ the benchmarks; paths are found from this binary's own
 * path (/proc/self/exe), so a binary of any variant finds the others.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Path of a sibling binary: <dir of this exe>/<rel>. */
int cli_self_path(const char *rel, char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = 0;
	if ((size_t)snprintf(out, len, "%s/%s", self, rel) >= len)
		return -1;
	return 0;
}

/* BUILD/<rel>: from a variant's binary (BUILD/variants/NAME/apsim) two
 * levels up. */
int cli_build_path(const char *rel, char *out, size_t len)
{
	char tmp[PATH_MAX];

	if (!apsim_variant_name[0])
		return cli_self_path(rel, out, len);
	if ((size_t)snprintf(tmp, sizeof(tmp), "../../%s", rel) >= sizeof(tmp))
		return -1;
	return cli_self_path(tmp, out, len);
}

int cli_variant_bin(const char *variant, char *out, size_t len)
{
	char rel[PATH_MAX];

	if (!strcmp(variant, "base"))
		snprintf(rel, sizeof(rel), "apsim");
	else if ((size_t)snprintf(rel, sizeof(rel), "variants/%s/apsim", variant) >= sizeof(rel))
		return -1;
	return cli_build_path(rel, out, len);
}
