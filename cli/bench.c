// SPDX-License-Identifier: GPL-2.0
/*
 * cli/bench.c - `apsim bench` (placeholder until the benchmarks land).
 */
#include <stdio.h>
#include "cli.h"

int cli_bench(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "apsim: bench is not available in this build yet; use make bench\n");
	return 2;
}
