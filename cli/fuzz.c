// SPDX-License-Identifier: GPL-2.0
/*
 * cli/fuzz.c - `apsim fuzz` (placeholder until the fuzzer lands).
 */
#include <stdio.h>
#include "cli.h"

int cli_fuzz(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "apsim: fuzz is not available in this build yet\n");
	return 2;
}
