// SPDX-License-Identifier: GPL-2.0
/*
 * sim/symbolize.c - code address -> "func (file.c:line)" for reports.
 *
 * Runs addr2line on the executable at report time only (never on a hot
 * path).  The address is made relative to the object's load base first, so
 * the answer does not depend on where ASLR put the program.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <apsim/sim.h>

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

#define CACHE 32
static struct {
	uintptr_t pc;
	char text[300];
} cache[CACHE];
static int ncache;

static const char *symbolize_uncached(uintptr_t pc, char *buf, size_t len);

const char *sim_symbolize(uintptr_t pc, char *buf, size_t len)
{
	for (int i = 0; i < ncache; i++)
		if (cache[i].pc == pc) {
			snprintf(buf, len, "%s", cache[i].text);
			return buf;
		}
	symbolize_uncached(pc, buf, len);
	if (ncache < CACHE) {
		cache[ncache].pc = pc;
		snprintf(cache[ncache].text, sizeof(cache[ncache].text), "%s", buf);
		ncache++;
	}
	return buf;
}

static const char *symbolize_uncached(uintptr_t pc, char *buf, size_t len)
{
	Dl_info di;
	char cmd[1200], func[256] = "", loc[512] = "";
	FILE *p;

	snprintf(buf, len, "?");
	if (!pc || !dladdr((void *)pc, &di) || !di.dli_fname)
		return buf;
	snprintf(cmd, sizeof(cmd), "addr2line -f -i -e '%s' 0x%lx 2>/dev/null",
		 di.dli_fname, (unsigned long)(pc - (uintptr_t)di.dli_fbase));
	p = popen(cmd, "r");
	if (!p)
		return buf;
	/* pairs of lines: function, file:line; with -i the inline chain,
	 * innermost first: "f (a.h:3) inlined in g (b.c:9)" */
	buf[0] = 0;
	while (fgets(func, sizeof(func), p)) {
		size_t used = strlen(buf);

		func[strcspn(func, "\n")] = 0;
		loc[0] = 0;
		if (fgets(loc, sizeof(loc), p))
			loc[strcspn(loc, "\n")] = 0;
		loc[strcspn(loc, " ")] = 0;
		if (!func[0] || !strcmp(func, "??"))
			break;
		snprintf(buf + used, len - used, "%s%s (%s)", used ? " inlined in " : "",
			 func, loc[0] && loc[0] != '?' ? base_name(loc) : "?");
	}
	pclose(p);
	if (!buf[0])
		snprintf(buf, len, "?");
	return buf;
}
