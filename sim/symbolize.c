// SPDX-License-Identifier: GPL-2.0
/*
 * sim/symbolize.c - code address -> "func (file.c:line)" for reports.
 *
 * Runs addr2line on the executable at report time only (never on a hot
 * path), with an argument vector (no shell: the executable's path may hold
 * any character).  The address is made relative to the object's load base first, so
 * the answer does not depend on where ASLR put the program.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

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

/*
 * Run argv (a program and its arguments, never a shell) with its standard
 * output as a stream and its standard error discarded; NULL on failure
 * (nothing left to wait for).  The caller closes it and waits for *pid.
 */
FILE *sim__pipe_from(char *const argv[], pid_t *pid)
{
	int fds[2];
	FILE *f;

	if (pipe2(fds, O_CLOEXEC))
		return NULL;
	fflush(stdout);
	fflush(stderr);
	*pid = fork();
	if (*pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (*pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fds[1], 1);
		if (null >= 0)
			dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f) {
		close(fds[0]);
		waitpid(*pid, NULL, 0);
	}
	return f;
}

/* addr2line -f -i -e FILE ADDR, its standard output as a stream. */
static FILE *addr2line(const char *file, uintptr_t addr, pid_t *pid)
{
	char a[32];
	char *argv[] = { "addr2line", "-f", "-i", "-e", (char *)file, a, NULL };

	snprintf(a, sizeof(a), "0x%lx", (unsigned long)addr);
	return sim__pipe_from(argv, pid);
}

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
	char func[256] = "", loc[512] = "";
	FILE *p;
	pid_t pid;

	snprintf(buf, len, "?");
	if (!pc || !dladdr((void *)pc, &di) || !di.dli_fname)
		return buf;
	p = addr2line(di.dli_fname, pc - (uintptr_t)di.dli_fbase, &pid);
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
	fclose(p);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (!buf[0])
		snprintf(buf, len, "?");
	return buf;
}
