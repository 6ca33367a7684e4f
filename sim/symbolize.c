// SPDX-License-Identifier: GPL-2.0
/*
 * sim/symbolize.c - code address -> "func (file.c:line)" for reports.
 *
 * Runs addr2line on the executable at report time only (never on a hot
 * path), with an argument vector (no shell: the executable's path may hold
 * any character).  The address is made relative to the object's load base first, so
 * the answer does not depend on where ASLR put the program (a position-
 * dependent executable, as gcc builds link apsim, is asked by its own
 * addresses: load_bias).  One addr2line
 * stays running per process as a server (it reads the debug information
 * once; the race detector symbolizes every code address it meets), each
 * answer closed by the echo of a sentinel query (-a); the frame cache
 * below asks it too, a batch of addresses at a time, and runs addr2line
 * once per batch only when the server cannot be used.  Also owns backtraces:
 * the frame-pointer walk of a simulated thread's stack and their
 * symbolization (cached per address).
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

/* What to subtract from a code address of di's object for addr2line: its
 * load base, or 0 for a position-dependent executable (ET_EXEC: its
 * addresses are the ones its debug information names). */
static uintptr_t load_bias(const Dl_info *di)
{
	const ElfW(Ehdr) *eh = di->dli_fbase;

	return eh && eh->e_type == ET_EXEC ? 0 : (uintptr_t)di->dli_fbase;
}

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

/* Start argv with standard input in (or inherited: -1), standard output
 * out and standard error on /dev/null; its pid or -1. */
static pid_t run_child(char **argv, int in, int out)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (in >= 0)
			dup2(in, 0);
		dup2(out, 1);
		if (null >= 0)
			dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

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
	*pid = run_child((char **)argv, -1, fds[1]);
	close(fds[1]);
	if (*pid < 0) {
		close(fds[0]);
		return NULL;
	}
	f = fdopen(fds[0], "r");
	if (!f) {
		close(fds[0]);
		waitpid(*pid, NULL, 0);
	}
	return f;
}

/* ---- the addr2line server of this process ---- */
static struct {
	pid_t pid, owner;       /* owner: the process that started it */
	int to;                 /* its stdin (a socket: no SIGPIPE on send) */
	FILE *from;
	char file[4096];
} srv;

static void srv_stop(void)
{
	if (srv.owner == getpid() && srv.pid > 0) {
		close(srv.to);
		fclose(srv.from);
		while (waitpid(srv.pid, NULL, 0) < 0 && errno == EINTR)
			;
	} else if (srv.from) {          /* inherited by fork: not ours to reap */
		close(srv.to);
		fclose(srv.from);
	}
	memset(&srv, 0, sizeof(srv));
}

static bool srv_start(const char *file)
{
	char *argv[] = { "addr2line", "-a", "-f", "-i", "-e", (char *)file, NULL };
	int sv[2], fds[2];

	if (srv.from && srv.owner == getpid() && !strcmp(srv.file, file))
		return true;
	if (srv.from)
		srv_stop();
	if (strlen(file) >= sizeof(srv.file) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return false;
	if (pipe2(fds, O_CLOEXEC)) {
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	srv.pid = run_child(argv, sv[1], fds[1]);
	close(sv[1]);
	close(fds[1]);
	srv.from = srv.pid > 0 ? fdopen(fds[0], "r") : NULL;
	if (!srv.from) {
		close(sv[0]);
		close(fds[0]);
		if (srv.pid > 0)
			waitpid(srv.pid, NULL, 0);
		memset(&srv, 0, sizeof(srv));
		return false;
	}
	srv.to = sv[0];
	srv.owner = getpid();
	{
		static bool at_exit;

		/* reap it at exit (an orphan may outlive us as a zombie) */
		if (!at_exit && !atexit(srv_stop))
			at_exit = true;
	}
	snprintf(srv.file, sizeof(srv.file), "%s", file);
	return true;
}

/* The answer for addr, in the format of symbolize_uncached; false when
 * the server failed (it is stopped). */
static bool srv_query(const char *file, uintptr_t addr, char *buf, size_t len)
{
	char q[64], func[256], loc[512];
	int n;
	bool stop = false;

	if (!srv_start(file))
		return false;
	n = snprintf(q, sizeof(q), "0x%lx\n0x0\n", (unsigned long)addr);
	if (send(srv.to, q, (size_t)n, MSG_NOSIGNAL) != n ||
	    !fgets(func, sizeof(func), srv.from) || strncmp(func, "0x", 2))
		goto fail;
	buf[0] = 0;
	/* pairs until the sentinel's echo ("0x..."), then its own pair */
	for (;;) {
		if (!fgets(func, sizeof(func), srv.from))
			goto fail;
		if (!strncmp(func, "0x", 2)) {
			if (!fgets(func, sizeof(func), srv.from) ||
			    !fgets(loc, sizeof(loc), srv.from))
				goto fail;
			break;
		}
		if (!fgets(loc, sizeof(loc), srv.from))
			goto fail;
		func[strcspn(func, "\n")] = 0;
		loc[strcspn(loc, "\n")] = 0;
		loc[strcspn(loc, " ")] = 0;
		if (!func[0] || !strcmp(func, "??"))
			stop = true;
		if (stop)
			continue;
		{
			size_t used = strlen(buf);

			snprintf(buf + used, len - used, "%s%s (%s)", used ? " inlined in " : "",
				 func, loc[0] && loc[0] != '?' ? base_name(loc) : "?");
		}
	}
	if (!buf[0])
		snprintf(buf, len, "?");
	return true;
fail:
	srv_stop();
	return false;
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
	const struct sim_frame *f;
	Dl_info di;
	int k;

	snprintf(buf, len, "?");
	if (!pc || !dladdr((void *)pc, &di) || !di.dli_fname)
		return buf;
	if (srv_query(di.dli_fname, pc - load_bias(&di), buf, len))
		return buf;
	/* no server: one addr2line run through the frame cache; the inline
	 * chain innermost first: "f (a.h:3) inlined in g (b.c:9)" */
	sim__frames_fill(&pc, 1);
	f = sim__frames_of(pc, &k);
	buf[0] = 0;
	for (int j = 0; j < k; j++) {
		size_t used = strlen(buf);

		if (strcmp(f[j].file, "?"))
			snprintf(buf + used, len - used, "%s%s (%s:%d)", j ? " inlined in " : "",
				 f[j].func, f[j].file, f[j].line);
		else
			snprintf(buf + used, len - used, "%s%s (?)", j ? " inlined in " : "", f[j].func);
	}
	if (!buf[0])
		snprintf(buf, len, "?");
	return buf;
}

/* ------------------------------------------------------------ backtraces */

int sim__fp_walk(uintptr_t fp, uintptr_t lo, uintptr_t hi, uintptr_t *pcs, int max)
{
	int n = 0;

	/* x86-64 frame records: [fp] = caller's fp, [fp + 8] = return
	 * address; everything is built with -fno-omit-frame-pointer.  Only
	 * frames inside the simulated thread's stack are followed. */
	while (n < max && fp >= lo && fp + 16 <= hi && !(fp & 7)) {
		const uintptr_t *rec = (const uintptr_t *)fp;

		if (!rec[1])
			break;
		pcs[n++] = rec[1];
		if (rec[0] <= fp)
			break;
		fp = rec[0];
	}
	return n;
}

/* Per code address: its inline chain (innermost first). */
#define FCACHE 1024
#define FCHAIN 4
static struct {
	uintptr_t pc;
	int n;
	struct sim_frame f[FCHAIN];
} fcache[FCACHE];
static int nfcache;

static int fcache_find(uintptr_t pc)
{
	for (int i = 0; i < nfcache; i++)
		if (fcache[i].pc == pc)
			return i;
	return -1;
}

/* Read addr2line -a -f -i answers from p into the cache: an address line
 * ("0x..."), then its (function, file:line) pairs.  With sentinel (the
 * server), stop after the pair of the query 0x0 that closes a batch; false
 * when the stream ended first. */
static bool fcache_read(FILE *p, uintptr_t base, bool sentinel)
{
	char line[512], loc[512];
	int cur = -1;

	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "0x", 2)) {
			uintptr_t a = (uintptr_t)strtoull(line, NULL, 16);

			if (sentinel && !a)
				return fgets(line, sizeof(line), p) && fgets(loc, sizeof(loc), p);
			cur = -1;
			if (nfcache < FCACHE) {
				cur = nfcache++;
				fcache[cur].pc = a + base;
				fcache[cur].n = 0;
			}
			continue;
		}
		loc[0] = 0;
		if (!fgets(loc, sizeof(loc), p))
			break;
		loc[strcspn(loc, "\n ")] = 0;
		if (cur < 0 || fcache[cur].n >= FCHAIN || !line[0] || !strcmp(line, "??"))
			continue;
		{
			struct sim_frame *f = &fcache[cur].f[fcache[cur].n++];
			char *colon = strrchr(loc, ':');

			snprintf(f->func, sizeof(f->func), "%s", line);
			f->line = colon ? atoi(colon + 1) : 0;
			if (colon)
				*colon = 0;
			snprintf(f->file, sizeof(f->file), "%s", loc[0] == '?' ? "?" : base_name(loc));
			f->inlined = false;
		}
	}
	return !sentinel;
}

/* The uncached addresses of one object through this process' addr2line
 * server (it reads the debug information once, where a run per batch
 * read it every time: most of a short campaign's time); false when the
 * server failed (it is stopped, the cache is as before). */
static bool fcache_srv(const char *obj, uintptr_t base, const uintptr_t *pcs, int n)
{
	char q[64 * 24 + 8];
	int len = 0, before = nfcache;

	if (!srv_start(obj))
		return false;
	for (int i = 0; i < n && i < 64; i++)
		len += snprintf(q + len, sizeof(q) - (size_t)len, "0x%lx\n",
				(unsigned long)(pcs[i] - base));
	len += snprintf(q + len, sizeof(q) - (size_t)len, "0x0\n");
	if (send(srv.to, q, (size_t)len, MSG_NOSIGNAL) == len && fcache_read(srv.from, base, true))
		return true;
	srv_stop();
	nfcache = before;
	return false;
}

/* One addr2line -a -f -i answer for the uncached addresses of one object:
 * from the server, or else from a run of its own. */
static void fcache_fill(const char *obj, uintptr_t base, const uintptr_t *pcs, int n)
{
	char *argv[6 + 64 + 1], addrs[64][24];
	int na = 0;
	pid_t pid;
	FILE *p;

	if (!fcache_srv(obj, base, pcs, n)) {
		argv[na++] = "addr2line";
		argv[na++] = "-a";
		argv[na++] = "-f";
		argv[na++] = "-i";
		argv[na++] = "-e";
		argv[na++] = (char *)obj;
		for (int i = 0; i < n && i < 64; i++) {
			snprintf(addrs[i], sizeof(addrs[i]), "0x%lx", (unsigned long)(pcs[i] - base));
			argv[na++] = addrs[i];
		}
		argv[na] = NULL;
		p = sim__pipe_from(argv, &pid);
		if (!p)
			return;
		fcache_read(p, base, false);
		fclose(p);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	/* every frame of a chain but the last is inlined into the next */
	for (int i = 0; i < nfcache; i++)
		for (int j = 0; j + 1 < fcache[i].n; j++)
			fcache[i].f[j].inlined = true;
}

/* Cache the inline chains of the n addresses in pcs (those of the
 * executable's object; others stay unknown), 64 per addr2line run. */
void sim__frames_fill(const uintptr_t *pcs, int n)
{
	uintptr_t look[64];
	Dl_info di, d2;
	int i = 0;

	while (i < n) {
		int nlook = 0;

		for (; i < n && nlook < 64; i++)
			if (pcs[i] && fcache_find(pcs[i]) < 0)
				look[nlook++] = pcs[i];
		if (!nlook || !dladdr((void *)look[0], &di) || !di.dli_fname)
			continue;
		/* apsim is linked statically against its libraries: one object */
		int same = 0;

		for (int k = 0; k < nlook; k++)
			if (dladdr((void *)look[k], &d2) && d2.dli_fbase == di.dli_fbase)
				look[same++] = look[k];
		fcache_fill(di.dli_fname, load_bias(&di), look, same);
	}
}

/* The cached inline chain of pc (innermost first): *n frames, 0 = unknown. */
const struct sim_frame *sim__frames_of(uintptr_t pc, int *n)
{
	int c = fcache_find(pc);

	*n = c < 0 ? 0 : fcache[c].n;
	return c < 0 ? NULL : fcache[c].f;
}

int sim_symbolize_stack(const uintptr_t *pcs, int n, struct sim_frame *fr, int max)
{
	uintptr_t look[64] = { 0 };
	int nlook = 0, out = 0;

	/* return addresses point after the call: look up the call itself */
	for (int i = 0; i < n && nlook < 64; i++)
		look[nlook++] = i ? pcs[i] - 1 : pcs[i];
	sim__frames_fill(look, nlook);
	for (int i = 0; i < nlook && out < max; i++) {
		int k;
		const struct sim_frame *f = sim__frames_of(look[i], &k);

		for (int j = 0; j < k && out < max; j++)
			fr[out++] = f[j];
	}
	return out;
}
