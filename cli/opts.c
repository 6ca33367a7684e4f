// SPDX-License-Identifier: GPL-2.0
/*
 * cli/opts.c - the option parser of the sub-commands (run, fuzz, bench).
 *
 * Owns: walking a sub-command's arguments (cli_opts_next), matching option
 * names, taking an option's value from the next argument, number values in
 * a range, and the text of usage errors: "option X needs a value",
 * "X: expected WHAT, got 'V'", "unknown option 'X'", each followed by
 * "(see 'apsim help CMD')" and exit code 2 (cli_usage_error, with the
 * number parsers cli_parse_long / cli_parse_u64, in cli/main.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_opts_init(struct cli_opts *p, const char *cmd, int argc, char **argv)
{
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
}

bool cli_opts_next(struct cli_opts *p)
{
	if (p->rc || p->i + 1 >= p->argc)
		return false;
	p->arg = p->argv[++p->i];
	return true;
}

bool cli_opts_is(const struct cli_opts *p, const char *name, const char *alias)
{
	return !strcmp(p->arg, name) || (alias && !strcmp(p->arg, alias));
}

const char *cli_opts_value(struct cli_opts *p)
{
	if (p->i + 1 >= p->argc) {
		p->rc = cli_usage_error(p->cmd, "option %s needs a value", p->arg);
		return NULL;
	}
	return p->argv[++p->i];
}

int cli_opts_bad(struct cli_opts *p, const char *what, const char *v)
{
	char fmt[256];

	snprintf(fmt, sizeof(fmt), "%s: expected %s, got '%%s'", p->arg, what);
	return p->rc = cli_usage_error(p->cmd, fmt, v);
}

int cli_opts_long(struct cli_opts *p, long lo, long hi, const char *what, long *out)
{
	const char *v = cli_opts_value(p);

	if (!v)
		return -1;
	if (cli_parse_long(v, lo, hi, out)) {
		cli_opts_bad(p, what, v);
		return -1;
	}
	return 0;
}

int cli_opts_u64(struct cli_opts *p, const char *what, uint64_t *out)
{
	const char *v = cli_opts_value(p);

	if (!v)
		return -1;
	if (cli_parse_u64(v, out)) {
		cli_opts_bad(p, what, v);
		return -1;
	}
	return 0;
}

int cli_opts_format(struct cli_opts *p, bool *json)
{
	const char *v = cli_opts_value(p);

	if (!v)
		return -1;
	if (strcmp(v, "json") && strcmp(v, "text")) {
		cli_opts_bad(p, "text|json", v);
		return -1;
	}
	*json = !strcmp(v, "json");
	return 0;
}

int cli_opts_variant(struct cli_opts *p, const char **out)
{
	const char *v = cli_opts_value(p);

	if (!v)
		return -1;
	if (!cli_variant_known(v)) {
		cli_opts_bad(p, "a name 'apsim variants' lists", v);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_opts_out(struct cli_opts *p, bool file, const char **out)
{
	const char *v = cli_opts_value(p);

	if (!v)
		return -1;
	p->rc = file ? cli_check_out_file(p->cmd, p->arg, v) : cli_check_out_dir(p->cmd, p->arg, v);
	if (p->rc)
		return -1;
	*out = v;
	return 0;
}

int cli_opts_unknown(struct cli_opts *p, const char *nonopt)
{
	return p->rc = cli_usage_error(p->cmd, p->arg[0] == '-' ? "unknown option '%s'" : nonopt,
				       p->arg);
}

void cli_strategy_list(char *buf, size_t len, const char *sep)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; strcmp(sim_strategy_name((enum sim_strategy)i), "unknown") && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? sep : "",
				      sim_strategy_name((enum sim_strategy)i));
}
