/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/corpus.h - the corpus of a coverage-guided campaign (apsim fuzz
 * --guided): the scenarios kept because their execution showed new
 * feedback, in memory (compact: only the ops a scenario has) and on disk (a
 * directory of scenario files, one per entry, named by a hash of its text,
 * so that the union of two corpora is a union of file names).
 */
#ifndef APSIM_FUZZ_CORPUS_H
#define APSIM_FUZZ_CORPUS_H

#include <stdint.h>

#include "driver/scenario/scenario.h"

struct apsim_corpus_entry;

struct apsim_corpus {
	int n, cap;
	struct apsim_corpus_entry *e;
};

/* Keep s (a copy): its index, or -ENOMEM. */
int apsim_corpus_add(struct apsim_corpus *c, const struct apsim_scenario *s);
/* Entry i as a scenario (out is overwritten). */
void apsim_corpus_get(const struct apsim_corpus *c, int i, struct apsim_scenario *out);
/* The seed (iteration) at which entry i was kept (set by the caller). */
void apsim_corpus_set_seed(struct apsim_corpus *c, int i, uint64_t seed);
uint64_t apsim_corpus_seed(const struct apsim_corpus *c, int i);
void apsim_corpus_free(struct apsim_corpus *c);

/*
 * Write s into directory dir as HASH.scn (HASH: 16 hex digits of the
 * FNV-1a hash of the file's text), atomically; name (may be NULL) gets the
 * file name.  0, or -errno.  The same scenario always gets the same name.
 */
int apsim_corpus_write(const char *dir, const struct apsim_scenario *s, char *name, size_t len);

/*
 * The *.scn files of dir, sorted by name (the order a corpus is loaded
 * in): *names (free each and the array), *n.  0, or -errno (a missing dir
 * is an empty corpus: 0 with *n = 0).
 */
int apsim_corpus_list(const char *dir, char ***names, int *n);

#endif /* APSIM_FUZZ_CORPUS_H */
