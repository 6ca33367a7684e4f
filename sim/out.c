/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/out.c - results on disk (see "results on disk" in <apsim/sim.h>).
 *
 * Owns: whole-file atomic writes (temporary name, flush, fsync, rename),
 * mkdir -p, a result that could not be written sent to stderr instead
 * (sim_out_lost), and a finding's
 * directory: report.txt (first: it is what a user needs if anything after
 * it fails), schedule.txt, replay.sh, trace.txt, trace.json, lockdep.dot.
 * Every string replay.sh interpolates goes through sim_out_sh_quote
 * (sim/quote.c).
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sim_out_mkdirs(const char *path)
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

void sim_out_lost(const char *what, const char *sig, void (*fill)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	fprintf(m, "apsim: the %s of %s, not written:\n", what, sig);
	fill(m, arg);
	if (!fflush(m) && len && buf[len - 1] != '\n')
		fputc('\n', m);
	if (!fclose(m))
		for (size_t o = 0; o < len;) {
			ssize_t w = write(2, buf + o, len - o);

			if (w <= 0)
				break;
			o += (size_t)w;
		}
	free(buf);
}

int sim_out_write_atomic(const char *path, void (*fill)(FILE *, void *), void *arg)
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

/* ------------------------------------------------------ a finding's files */

static void fill_report(FILE *out, void *a)
{
	const struct sim_out_finding *o = a;

	fputs(o->header ? o->header : "", out);
	fprintf(out, "finding: %s (%s) at step %llu\n\n",
		sim_finding_kind_name(o->f->kind), o->f->signature,
		(unsigned long long)o->f->step);
	if (o->f->report)
		fputs(o->f->report, out);
}

static void fill_trace(FILE *out, void *a)
{
	const struct sim_out_finding *o = a;

	sim_trace_print(out, o->trace_width);
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

struct replay_arg {
	const char *bin;
	const char *scn_up;   /* "" (next to the script), "../" or NULL */
	const char *scn;      /* file name if scn_up, else the absolute path */
	bool races;           /* a data race: replayed with the detector on */
	uint64_t hung_task_ns;    /* the run's hung-task limit */
};

static void fill_replay(FILE *out, void *a)
{
	const struct replay_arg *r = a;

	fputs("#!/bin/sh\n# Replays this finding's interleaving exactly.\n"
	      "d=$(cd \"$(dirname \"$0\")\" && pwd)\nexec ", out);
	sim_out_sh_quote(out, r->bin);
	fputs(" run ", out);
	if (r->scn_up)
		fprintf(out, "\"$d\"/%s", r->scn_up);
	sim_out_sh_quote(out, r->scn);
	fprintf(out, " --schedule \"$d/schedule.txt\"%s", r->races ? " --races" : "");
	/* a limit other than the default (the command line's or the
	 * scenario's): the replay's detector fires where the run's did */
	if (r->hung_task_ns != SIM_HUNG_TASK_DEFAULT_NS)
		fprintf(out, " --hung-task-timeout %llu",
			r->hung_task_ns == UINT64_MAX ? 0ULL
			: (unsigned long long)(r->hung_task_ns / 1000000000ULL));
	fputs(" \"$@\"\n", out);
}

/*
 * The scenario as replay.sh names it: relative to the script when it is
 * next to it or one level up (fuzz output: the directory may be moved or
 * renamed), else by its absolute path.
 */
static void replay_scn_ref(const char *dir, const char *scn_path, char *abs_scn,
			   struct replay_arg *r)
{
	char abs_dir[PATH_MAX];
	const char *slash;
	size_t dl, pl;

	if (!realpath(scn_path, abs_scn))
		snprintf(abs_scn, PATH_MAX, "%s", scn_path);
	if (!realpath(dir, abs_dir))
		snprintf(abs_dir, sizeof(abs_dir), "%s", dir);
	dl = strlen(abs_dir);
	slash = strrchr(abs_dir, '/');
	pl = slash ? (size_t)(slash - abs_dir) : 0;
	r->scn_up = NULL;
	r->scn = abs_scn;
	if (!strncmp(abs_scn, abs_dir, dl) && abs_scn[dl] == '/' &&
	    !strchr(abs_scn + dl + 1, '/')) {
		r->scn_up = "";
		r->scn = abs_scn + dl + 1;
	} else if (pl && !strncmp(abs_scn, abs_dir, pl) && abs_scn[pl] == '/' &&
		   !strchr(abs_scn + pl + 1, '/')) {
		r->scn_up = "../";
		r->scn = abs_scn + pl + 1;
	}
}

int sim_out_write_finding(const char *dir, const struct sim_out_finding *o)
{
	static const struct {
		const char *name;
		void (*fill)(FILE *, void *);
	} after[] = {
		{ "trace.txt", fill_trace },
		{ "trace.json", fill_json },
		{ "lockdep.dot", fill_dot },
	};
	char p[PATH_MAX], abs_scn[PATH_MAX];
	struct replay_arg ra = { o->replay_bin, .races = o->f->kind == SIM_F_DATA_RACE,
				 .hung_task_ns = sim__world.opts.hung_task_ns };
	int err;

	err = sim_out_mkdirs(dir);
	if (err)
		return err;
	snprintf(p, sizeof(p), "%s/report.txt", dir);
	err = sim_out_write_atomic(p, fill_report, (void *)o);
	if (err)
		return err;
	snprintf(p, sizeof(p), "%s/schedule.txt", dir);
	err = sim_out_write_atomic(p, fill_sched, NULL);
	if (err)
		return err;
	replay_scn_ref(dir, o->scn_path, abs_scn, &ra);
	snprintf(p, sizeof(p), "%s/replay.sh", dir);
	err = sim_out_write_atomic(p, fill_replay, &ra);
	if (err)
		return err;
	chmod(p, 0755);
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, after[i].name);
		err = sim_out_write_atomic(p, after[i].fill, (void *)o);
		if (err)
			return err;
	}
	return 0;
}
