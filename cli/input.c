// SPDX-License-Identifier: GPL-2.0
/*
 * cli/input.c - how apsim reads the files a user names and checks the
 * directories it writes to.
 *
 * Owns: reading an input file whole with a size cap (regular files only: a
 * FIFO, a device or a directory is an error naming it; standard input,
 * "-" or /dev/stdin, is read once and the bytes are kept for later
 * readers), the check of an output directory option (--out) and of output
 * file options, the scenario and schedule readers built on them, and the
 * running of a program with an argument vector (never a shell).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static char *stdin_buf;
static size_t stdin_len;
static bool stdin_read;

bool cli_is_stdin(const char *path)
{
	return !strcmp(path, "-") || !strcmp(path, "/dev/stdin") ||
	       !strcmp(path, "/dev/fd/0") || !strcmp(path, "/proc/self/fd/0");
}

static const char *type_name(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" :
	       S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
	       S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* Read fd to its end or to max + 1 bytes. */
static int read_all(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);

	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if (n == cap)
				break;
			nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(b);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

int cli_read_input(const char *path, size_t max, char **buf, size_t *len,
		   char *err, size_t errlen)
{
	struct stat sb;
	int fd, r;

	if (cli_is_stdin(path)) {
		if (!stdin_read) {
			r = read_all(0, max, &stdin_buf, &stdin_len);
			if (r) {
				snprintf(err, errlen, "%s: error: cannot read: %s", path, strerror(-r));
				return r;
			}
			stdin_read = true;
		}
		if (stdin_len > max) {
			snprintf(err, errlen, "%s: error: larger than %zu bytes", path, max);
			return -EFBIG;
		}
		*buf = malloc(stdin_len + 1);
		if (!*buf)
			return -ENOMEM;
		memcpy(*buf, stdin_buf, stdin_len + 1);
		*len = stdin_len;
		return 0;
	}
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		r = errno;
		snprintf(err, errlen, "%s: error: cannot open: %s", path, strerror(r));
		return -r;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		r = errno;
		if (!r || S_ISDIR(sb.st_mode) || !S_ISREG(sb.st_mode))
			snprintf(err, errlen, "%s: error: expected a regular file, got %s",
				 path, type_name(sb.st_mode));
		else
			snprintf(err, errlen, "%s: error: %s", path, strerror(r));
		close(fd);
		return -EINVAL;
	}
	if ((unsigned long long)sb.st_size > max) {
		snprintf(err, errlen, "%s: error: expected a file of at most %zu bytes, got %lld bytes",
			 path, max, (long long)sb.st_size);
		close(fd);
		return -EFBIG;
	}
	fcntl(fd, F_SETFL, 0);
	r = read_all(fd, max, buf, len);
	close(fd);
	if (r) {
		snprintf(err, errlen, "%s: error: cannot read: %s", path, strerror(-r));
		return r;
	}
	if (*len > max) {     /* grew while being read */
		free(*buf);
		snprintf(err, errlen, "%s: error: expected a file of at most %zu bytes", path, max);
		return -EFBIG;
	}
	return 0;
}

/*
 * Every operation of a scenario meant for this driver's tree must exist on
 * it (the SINCE column of driver/scenario/ops.def): the first that does not
 * is an error at its line, -EINVAL.  (A scenario for other trees only is
 * skipped, not checked.)
 */
static int check_ops_tree(const struct apsim_scenario *s, char *err, size_t errlen)
{
	const struct apsim_op *bad = NULL;

	for (int i = 0; i < s->nsetup && !bad; i++)
		if (!apsim_op_tree_ok(s->setup[i].kind, apsim_ksrc_version))
			bad = &s->setup[i];
	for (int t = 0; t < s->nthreads && !bad; t++)
		for (int i = 0; i < s->threads[t].nops && !bad; i++)
			if (!apsim_op_tree_ok(s->threads[t].ops[i].kind, apsim_ksrc_version))
				bad = &s->threads[t].ops[i];
	for (int i = 0; i < s->nfaults; i++)       /* and every fault point */
		if (s->faults[i].kind == APSIM_FAULT_POINT &&
		    !apsim_fault_point_tree_ok(s->faults[i].point, apsim_ksrc_version)) {
			snprintf(err, errlen, "%s:%d:%d: error: fault '%s' needs a %s tree (this driver: linux %s)",
				 s->file, s->faults[i].loc.line, s->faults[i].loc.col,
				 apsim_fault_point_name(s->faults[i].point),
				 apsim_fault_point_since(s->faults[i].point), apsim_ksrc_version);
			return -EINVAL;
		}
	if (!bad)
		return 0;
	snprintf(err, errlen, "%s:%d:%d: error: operation '%s' needs a %s tree (this driver: linux %s)",
		 s->file, bad->loc.line, bad->loc.col, apsim_op_name(bad->kind),
		 apsim_op_since(bad->kind), apsim_ksrc_version);
	return -EINVAL;
}

int cli_parse_scenario(const char *path, struct apsim_scenario *s, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int r;

	apsim_scn_init(s);
	r = cli_read_input(path, APSIM_SCN_MAX_FILE, &buf, &len, err, errlen);
	if (r)
		return r;
	r = apsim_scn_parse_buf(buf, len, path, s, err, errlen);
	free(buf);
	if (r == 0 && apsim_scn_tree_ok(s, apsim_ksrc_version))
		r = check_ops_tree(s, err, errlen);
	return r;
}

struct sim_schedule *cli_parse_schedule(const char *path, char *err, size_t errlen)
{
	struct sim_schedule *sch;
	char *buf;
	size_t len;
	FILE *f;

	if (cli_read_input(path, CLI_MAX_SCHEDULE, &buf, &len, err, errlen))
		return NULL;
	f = fmemopen(buf, len ? len : 1, "r");
	if (!f) {
		snprintf(err, errlen, "%s: error: %s", path, strerror(errno));
		free(buf);
		return NULL;
	}
	if (!len)
		fgetc(f);     /* fmemopen needs a size > 0: an empty stream */
	sch = sim_schedule_parse(f, path, err, errlen);
	fclose(f);
	free(buf);
	return sch;
}

int cli_check_input(const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int r = cli_read_input(path, CLI_MAX_INPUT, &buf, &len, err, errlen);

	if (!r)
		free(buf);
	return r;
}

/*
 * Can something be made in directory p (is_dir), or file p be written?
 * Tried, not asked: access() answers from the permission bits, which root
 * passes where nothing can be made all the same (/proc, /sys).  A directory is probed by
 * making and removing an entry of its own (.apsim-probe-PID), a file by
 * opening it for writing without O_TRUNC (its contents stay).  0 or errno.
 */
static int can_write(const char *p, bool is_dir)
{
	char probe[PATH_MAX];
	int fd;

	if (!is_dir) {
		fd = open(p, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	if ((size_t)snprintf(probe, sizeof(probe), "%s/.apsim-probe-%ld", p,
			     (long)getpid()) >= sizeof(probe))
		return ENAMETOOLONG;
	if (mkdir(probe, 0700))
		return errno;
	rmdir(probe);
	return 0;
}

/*
 * An output option's value: not empty; if it exists, of the right type
 * and writable; if not, where it would be made: a file's directory must
 * exist (it is opened, not made), a directory's nearest existing ancestor
 * must be a directory (the rest is made), and writable (can_write).  So an
 * --out under a regular file or in /proc is refused before anything runs,
 * not when the first result is written.
 */
static int check_out(const char *cmd, const char *opt, const char *path, bool dir)
{
	char up[PATH_MAX];
	const char *d = path;
	struct stat sb;
	int err;

	if (!path[0])
		return cli_usage_error(cmd, dir ? "%s: expected a directory name, got an empty string" :
				       "%s: expected a file name, got an empty string", opt);
	if (!stat(path, &sb) && (dir ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode))) {
		fprintf(stderr, "apsim: %s %s: exists and is not a %s\n", opt, path,
			dir ? "directory" : "regular file");
		return 2;
	}
	if ((size_t)snprintf(up, sizeof(up), "%s", path) >= sizeof(up)) {
		fprintf(stderr, "apsim: %s: path too long\n", opt);
		return 2;
	}
	/* up the path to what exists (dirname: "a" -> ".", "/a" -> "/") */
	while (stat(d, &sb)) {
		if ((errno != ENOENT && errno != ENOTDIR) || (!dir && d != path) ||
		    !strcmp(d, "/") || !strcmp(d, ".")) {
			fprintf(stderr, "apsim: %s %s: %s: %s\n", opt, path, d, strerror(errno));
			return 2;
		}
		d = dirname(up);
		memmove(up, d, strlen(d) + 1);	/* dirname may return a static "." */
		d = up;
	}
	if (d != path && !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "apsim: %s %s: %s is not a directory\n", opt, path, d);
		return 2;
	}
	if ((err = can_write(d, S_ISDIR(sb.st_mode)))) {
		fprintf(stderr, "apsim: %s %s: cannot %s %s: %s\n", opt, path,
			S_ISDIR(sb.st_mode) ? "create anything in" : "write", d, strerror(err));
		return 2;
	}
	return 0;
}

int cli_check_out_dir(const char *cmd, const char *opt, const char *path)
{
	return check_out(cmd, opt, path, true);
}

int cli_check_out_file(const char *cmd, const char *opt, const char *path)
{
	return check_out(cmd, opt, path, false);
}

int cli_spawn(char *const argv[], int out_fd, int in_fd)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (out_fd >= 0 && out_fd != 1)
			dup2(out_fd, 1);
		if (in_fd >= 0 && in_fd != 0)
			dup2(in_fd, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "apsim: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return st;
}
