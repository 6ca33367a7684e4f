// SPDX-License-Identifier: GPL-2.0
/*
 * cli/artefacts.c - writing a finding's artefacts to disk, atomically and
 * before anything else can fail: report, interleaving, schedule, replay
 * command, Perfetto JSON and the lock dependency graph.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

void cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* Wall-clock seconds: progress lines and figures only, never the simulation. */
double cli_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cli_trace_width(void)
{
	const char *e = getenv("APSIM_TRACE_WIDTH");
	long w;

	if (e && !cli_parse_long(e, 16, 400, &w))
		return (int)w;
	return 44;
}

int cli_mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, 0777) && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	if (mkdir(tmp, 0777) && errno != EEXIST)
		return -errno;
	return 0;
}

int cli_write_atomic(const char *path, void (*fill)(FILE *, void *), void *arg)
{
	char tmp[PATH_MAX];
	FILE *f;
	int err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fill(f, arg);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

struct report_arg {
	const struct sim_finding *f;
	const char *header;
};

static void fill_report(FILE *out, void *a)
{
	struct report_arg *r = a;

	fputs(r->header, out);
	fprintf(out, "finding: %s (%s) at step %llu\n\n",
		sim_finding_kind_name(r->f->kind), r->f->signature,
		(unsigned long long)r->f->step);
	if (r->f->report)
		fputs(r->f->report, out);
}

static void fill_trace(FILE *out, void *a)
{
	sim_trace_print(out, cli_trace_width());
}

static void fill_json(FILE *out, void *a)
{
	sim_trace_print_json(out);
}

static void fill_sched(FILE *out, void *a)
{
	sim_schedule_write(out);
}

static void fill_dot(FILE *out, void *a)
{
	sim_lockdep_dot(out);
}

static void fill_replay(FILE *out, void *a)
{
	fputs(a, out);
}

int cli_write_finding(const char *dir, const struct sim_finding *f,
		      const char *scn_path, const char *header,
		      const char *replay_extra)
{
	char p[PATH_MAX], cmd[PATH_MAX * 3], self[PATH_MAX], abs_scn[PATH_MAX], abs_dir[PATH_MAX];
	struct report_arg ra = { f, header };
	int err;

	err = cli_mkdirs(dir);
	if (err)
		return err;
	/* The report first: it is what a user needs if anything after fails. */
	snprintf(p, sizeof(p), "%s/report.txt", dir);
	err = cli_write_atomic(p, fill_report, &ra);
	if (err)
		return err;
	snprintf(p, sizeof(p), "%s/schedule.txt", dir);
	err = cli_write_atomic(p, fill_sched, NULL);
	if (err)
		return err;
	if (cli_self_path("apsim", self, sizeof(self)))
		snprintf(self, sizeof(self), "apsim");
	if (!realpath(scn_path, abs_scn))
		snprintf(abs_scn, sizeof(abs_scn), "%s", scn_path);
	if (!realpath(dir, abs_dir))
		snprintf(abs_dir, sizeof(abs_dir), "%s", dir);
	{
		/* relative to the script when the scenario is next to it or one
		 * level up (fuzz output): the directory may be moved or renamed */
		char scn_ref[PATH_MAX + 16];
		size_t dl = strlen(abs_dir);
		const char *slash = strrchr(abs_dir, '/');
		size_t pl = slash ? (size_t)(slash - abs_dir) : 0;

		if (!strncmp(abs_scn, abs_dir, dl) && abs_scn[dl] == '/' &&
		    !strchr(abs_scn + dl + 1, '/'))
			snprintf(scn_ref, sizeof(scn_ref), "$d/%s", abs_scn + dl + 1);
		else if (pl && !strncmp(abs_scn, abs_dir, pl) && abs_scn[pl] == '/' &&
			 !strchr(abs_scn + pl + 1, '/'))
			snprintf(scn_ref, sizeof(scn_ref), "$d/../%s", abs_scn + pl + 1);
		else
			snprintf(scn_ref, sizeof(scn_ref), "%s", abs_scn);
		snprintf(cmd, sizeof(cmd),
			 "#!/bin/sh\n# Replays this finding's interleaving exactly.\n"
			 "d=$(cd \"$(dirname \"$0\")\" && pwd)\n"
			 "exec '%s' run \"%s\" --schedule \"$d/schedule.txt\"%s \"$@\"\n",
			 self, scn_ref, replay_extra ? replay_extra : "");
	}
	snprintf(p, sizeof(p), "%s/replay.sh", dir);
	err = cli_write_atomic(p, fill_replay, cmd);
	if (err)
		return err;
	chmod(p, 0755);
	snprintf(p, sizeof(p), "%s/trace.txt", dir);
	err = cli_write_atomic(p, fill_trace, NULL);
	if (err)
		return err;
	snprintf(p, sizeof(p), "%s/trace.json", dir);
	err = cli_write_atomic(p, fill_json, NULL);
	if (err)
		return err;
	snprintf(p, sizeof(p), "%s/lockdep.dot", dir);
	return cli_write_atomic(p, fill_dot, NULL);
}
