/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/corpus.c - the corpus of a coverage-guided campaign (see corpus.h).
 *
 * Owns: the compact in-memory form of a corpus entry (host configuration,
 * faults, exploration settings and only the operations the scenario has:
 * a full struct apsim_scenario is ~100 KB, an entry a few hundred bytes),
 * its expansion back into a scenario, and the corpus directory: the file
 * name of an entry (a hash of its text) and the sorted listing a campaign
 * loads.  What is kept and why is the campaign's (fuzz/campaign.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apsim/sim.h>
#include "fuzz/corpus.h"

struct apsim_corpus_entry {
	char name[96];
	char description[256];
	struct apsim_hostcfg cfg;
	struct apsim_explore_spec explore;
	int nfaults, nsetup, nthreads;
	int nops[APSIM_MAX_THREADS];
	char tname[APSIM_MAX_THREADS][32];
	struct apsim_fault *faults;
	struct apsim_op *ops;       /* setup, then each thread's ops */
	uint64_t seed;
	bool allow_undeclared;
};

int apsim_corpus_add(struct apsim_corpus *c, const struct apsim_scenario *s)
{
	struct apsim_corpus_entry *e;
	int nops = s->nsetup, k;

	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 64;
		void *p = realloc(c->e, (size_t)cap * sizeof(*c->e));

		if (!p)
			return -ENOMEM;
		c->e = p;
		c->cap = cap;
	}
	for (int t = 0; t < s->nthreads; t++)
		nops += s->threads[t].nops;
	e = &c->e[c->n];
	memset(e, 0, sizeof(*e));
	e->faults = malloc(sizeof(*e->faults) * (size_t)(s->nfaults ? s->nfaults : 1));
	e->ops = malloc(sizeof(*e->ops) * (size_t)(nops ? nops : 1));
	if (!e->faults || !e->ops) {
		free(e->faults);
		free(e->ops);
		return -ENOMEM;
	}
	memcpy(e->name, s->name, sizeof(e->name));
	memcpy(e->description, s->description, sizeof(e->description));
	e->cfg = s->cfg;
	e->explore = s->explore;
	e->allow_undeclared = s->allow_undeclared;
	e->nfaults = s->nfaults;
	memcpy(e->faults, s->faults, sizeof(*e->faults) * (size_t)s->nfaults);
	e->nsetup = s->nsetup;
	memcpy(e->ops, s->setup, sizeof(*e->ops) * (size_t)s->nsetup);
	k = s->nsetup;
	e->nthreads = s->nthreads;
	for (int t = 0; t < s->nthreads; t++) {
		e->nops[t] = s->threads[t].nops;
		memcpy(e->tname[t], s->threads[t].name, sizeof(e->tname[t]));
		memcpy(&e->ops[k], s->threads[t].ops, sizeof(*e->ops) * (size_t)e->nops[t]);
		k += e->nops[t];
	}
	return c->n++;
}

void apsim_corpus_get(const struct apsim_corpus *c, int i, struct apsim_scenario *out)
{
	const struct apsim_corpus_entry *e = &c->e[i];
	int k;

	apsim_scn_init(out);
	memcpy(out->name, e->name, sizeof(out->name));
	memcpy(out->description, e->description, sizeof(out->description));
	out->cfg = e->cfg;
	out->explore = e->explore;
	out->allow_undeclared = e->allow_undeclared;
	out->nfaults = e->nfaults;
	memcpy(out->faults, e->faults, sizeof(*e->faults) * (size_t)e->nfaults);
	out->nsetup = e->nsetup;
	memcpy(out->setup, e->ops, sizeof(*e->ops) * (size_t)e->nsetup);
	k = e->nsetup;
	out->nthreads = e->nthreads;
	for (int t = 0; t < e->nthreads; t++) {
		out->threads[t].nops = e->nops[t];
		memcpy(out->threads[t].name, e->tname[t], sizeof(e->tname[t]));
		memcpy(out->threads[t].ops, &e->ops[k], sizeof(*e->ops) * (size_t)e->nops[t]);
		k += e->nops[t];
	}
}

void apsim_corpus_set_seed(struct apsim_corpus *c, int i, uint64_t seed)
{
	c->e[i].seed = seed;
}

uint64_t apsim_corpus_seed(const struct apsim_corpus *c, int i)
{
	return c->e[i].seed;
}

void apsim_corpus_free(struct apsim_corpus *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->e[i].faults);
		free(c->e[i].ops);
	}
	free(c->e);
	memset(c, 0, sizeof(*c));
}

/* A corpus file: a temporary name, then renamed (no fsync: a corpus entry
 * is not a finding; an entry lost or cut short by a host crash is skipped
 * with a message when the corpus is loaded). */
static int write_file(const char *path, const char *text, size_t n)
{
	char tmp[4200];
	FILE *f;
	int e = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (!(f = fopen(tmp, "w")))
		return -errno;
	if (fwrite(text, 1, n, f) != n)
		e = -EIO;
	if (fclose(f) && !e)
		e = -errno;
	if (!e && rename(tmp, path))
		e = -errno;
	if (e)
		unlink(tmp);
	return e;
}

int apsim_corpus_write(const char *dir, const struct apsim_scenario *s, char *name, size_t len)
{
	char *text = NULL, path[4096], base[32];
	size_t n = 0;
	uint64_t h = 0xcbf29ce484222325ULL;
	FILE *m = open_memstream(&text, &n);
	int e;

	if (!m)
		return -errno;
	if (apsim_scn_write(m, s) || fclose(m)) {
		free(text);
		return -EIO;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)text[i]) * 0x100000001b3ULL;
	snprintf(base, sizeof(base), "%016llx.scn", (unsigned long long)h);
	if (name)
		snprintf(name, len, "%s", base);
	if ((e = sim_out_mkdirs(dir))) {
		free(text);
		return e;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, base);
	e = write_file(path, text, n);
	free(text);
	return e;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int apsim_corpus_list(const char *dir, char ***names, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	int k = 0, cap = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l < 5 || de->d_name[0] == '.' || strcmp(de->d_name + l - 4, ".scn"))
			continue;
		if (k == cap) {
			void *p = realloc(v, sizeof(*v) * (size_t)(cap = cap ? cap * 2 : 64));

			if (!p)
				break;
			v = p;
		}
		if (!(v[k] = strdup(de->d_name)))
			break;
		k++;
	}
	closedir(d);
	if (k)
		qsort(v, (size_t)k, sizeof(*v), by_name);
	*names = v;
	*n = k;
	return 0;
}
