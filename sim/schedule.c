/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/schedule.c - schedule files: record, write, parse, replay.
 *
 * Owns: the decision log of an execution (one entry per scheduling point
 * where more than one thread was runnable), the versioned text format
 *
 *   apsim-schedule 1
 *   seed 42
 *   strategy pct
 *   threads 3
 *   # step tid site
 *   12 T2 vfio_ap_ops.c:55
 *   end 345
 *
 * its robust parser (errors as "file:line:col: expected ..."), and replay
 * (SIM_STRAT_REPLAY) with divergence detection.
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SITE_LEN 96

struct sched_line {
	uint64_t step;
	int tid;
	int line;               /* line in the file */
	char site[SITE_LEN];
};

struct sim_schedule {
	char fname[128];
	uint64_t seed;
	enum sim_strategy strategy;
	int threads;
	bool has_end;
	uint64_t end;
	int end_line;
	size_t n, cap;
	struct sched_line *d;
};

/* ------------------------------------------------------------ recording */

void sim__dec_push(uint64_t step, int tid, const struct sim_site *site)
{
	if (sim__world.ndec == sim__world.dec_cap) {
		size_t nc = sim__world.dec_cap ? sim__world.dec_cap * 2 : 1024;
		struct sim_decision *p = realloc(sim__world.dec, nc * sizeof(*p));
		if (!p)
			return;
		sim__world.dec = p;
		sim__world.dec_cap = nc;
	}
	sim__world.dec[sim__world.ndec].step = step;
	sim__world.dec[sim__world.ndec].tid = tid;
	sim__world.dec[sim__world.ndec].site = site;
	sim__world.ndec++;
}

int sim_schedule_write(FILE *out)
{
	char sb[SITE_LEN];
	enum sim_strategy s = sim__world.strategy;

	if (s == SIM_STRAT_REPLAY && sim__world.replay)
		s = sim__world.replay->strategy;
	fprintf(out, "apsim-schedule 1\n");
	fprintf(out, "seed %llu\n", (unsigned long long)sim__world.seed);
	fprintf(out, "strategy %s\n", sim_strategy_name(s));
	fprintf(out, "threads %d\n", sim__world.nthreads);
	for (int i = 0; i < sim__world.nthreads; i++)
		fprintf(out, "# T%d %s\n", i, sim__world.t[i].name);
	fprintf(out, "# step tid site (decisions: points with >1 runnable thread)\n");
	for (size_t i = 0; i < sim__world.ndec; i++)
		fprintf(out, "%llu T%d %s\n", (unsigned long long)sim__world.dec[i].step,
			sim__world.dec[i].tid,
			sim_site_str(sim__world.dec[i].site, sb, sizeof(sb)));
	fprintf(out, "end %llu\n", (unsigned long long)sim__world.step);
	return ferror(out) ? -EIO : 0;
}

/* ------------------------------------------------------------ parsing */

struct lexer {
	const char *fname;
	int line;
	const char *start, *p;
	char *err;
	size_t errlen;
};

static bool fail(struct lexer *lx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool fail(struct lexer *lx, const char *fmt, ...)
{
	va_list ap;
	int o;

	if (!lx->err || !lx->errlen)
		return false;
	o = snprintf(lx->err, lx->errlen, "%s:%d:%d: ", lx->fname, lx->line,
		     (int)(lx->p - lx->start) + 1);
	if (o < 0 || (size_t)o >= lx->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(lx->err + o, lx->errlen - (size_t)o, fmt, ap);
	va_end(ap);
	return false;
}

static void skip_ws(struct lexer *lx)
{
	while (*lx->p == ' ' || *lx->p == '\t')
		lx->p++;
}

static bool at_eol(struct lexer *lx)
{
	skip_ws(lx);
	return *lx->p == 0 || *lx->p == '#';
}

static bool expect_eol(struct lexer *lx)
{
	if (!at_eol(lx))
		return fail(lx, "expected end of line");
	return true;
}

static bool parse_u64(struct lexer *lx, uint64_t *v, const char *what)
{
	uint64_t x = 0;

	skip_ws(lx);
	if (!isdigit((unsigned char)*lx->p))
		return fail(lx, "expected %s (a decimal number)", what);
	while (isdigit((unsigned char)*lx->p)) {
		unsigned d = (unsigned)(*lx->p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return fail(lx, "expected %s: number too large", what);
		x = x * 10 + d;
		lx->p++;
	}
	if (*lx->p && *lx->p != ' ' && *lx->p != '\t' && *lx->p != '#')
		return fail(lx, "expected %s (a decimal number)", what);
	*v = x;
	return true;
}

static bool parse_word(struct lexer *lx, char *buf, size_t len, const char *what)
{
	size_t n = 0;

	skip_ws(lx);
	if (!*lx->p || *lx->p == '#' || isspace((unsigned char)*lx->p))
		return fail(lx, "expected %s", what);
	while (*lx->p && !isspace((unsigned char)*lx->p)) {
		if (n + 1 >= len)
			return fail(lx, "expected %s: too long", what);
		buf[n++] = *lx->p++;
	}
	buf[n] = 0;
	return true;
}

static bool keyword(struct lexer *lx, const char *kw)
{
	size_t l = strlen(kw);

	if (strncmp(lx->p, kw, l) || (lx->p[l] && !isspace((unsigned char)lx->p[l])))
		return false;
	lx->p += l;
	return true;
}

static bool push_line(struct sim_schedule *s, const struct sched_line *d)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct sched_line *p = realloc(s->d, nc * sizeof(*p));
		if (!p)
			return false;
		s->d = p;
		s->cap = nc;
	}
	s->d[s->n++] = *d;
	return true;
}

struct sim_schedule *sim_schedule_parse(FILE *in, const char *fname, char *err,
					size_t errlen)
{
	struct sim_schedule *s;
	struct lexer lx = { fname ? fname : "<schedule>", 0, NULL, NULL, err, errlen };
	char *buf = NULL;
	size_t bcap = 0;
	ssize_t n;
	int stage = 0;   /* 0 header, 1 seed, 2 strategy, 3 threads, 4 body, 5 end */
	uint64_t last_step = 0;

	if (err && errlen)
		err[0] = 0;
	if (!in) {
		fail(&lx, "expected a readable file");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		fail(&lx, "out of memory");
		return NULL;
	}
	snprintf(s->fname, sizeof(s->fname), "%s", lx.fname);
	while ((n = getline(&buf, &bcap, in)) >= 0) {
		lx.line++;
		if ((size_t)n != strlen(buf)) {
			lx.start = lx.p = buf;
			lx.p += strlen(buf);
			fail(&lx, "expected text, found a NUL byte");
			goto bad;
		}
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = 0;
		lx.start = lx.p = buf;
		if (at_eol(&lx))
			continue;   /* blank or comment */
		if (stage == 5) {
			fail(&lx, "expected end of file after 'end'");
			goto bad;
		}
		if (stage == 0) {
			uint64_t v;
			if (!keyword(&lx, "apsim-schedule")) {
				fail(&lx, "expected 'apsim-schedule 1' header");
				goto bad;
			}
			if (!parse_u64(&lx, &v, "format version"))
				goto bad;
			if (v != 1) {
				lx.p--;
				fail(&lx, "expected format version 1, found %llu",
				     (unsigned long long)v);
				goto bad;
			}
			if (!expect_eol(&lx))
				goto bad;
			stage = 1;
		} else if (stage == 1) {
			if (!keyword(&lx, "seed")) {
				fail(&lx, "expected 'seed N'");
				goto bad;
			}
			if (!parse_u64(&lx, &s->seed, "seed") || !expect_eol(&lx))
				goto bad;
			stage = 2;
		} else if (stage == 2) {
			char word[32];
			const char *at;
			if (!keyword(&lx, "strategy")) {
				fail(&lx, "expected 'strategy NAME'");
				goto bad;
			}
			skip_ws(&lx);
			at = lx.p;
			if (!parse_word(&lx, word, sizeof(word), "strategy name"))
				goto bad;
			if (sim_strategy_parse(word, &s->strategy)) {
				lx.p = at;
				fail(&lx, "expected a strategy (random, pct, rr, exhaustive, replay), found '%s'", word);
				goto bad;
			}
			if (!expect_eol(&lx))
				goto bad;
			stage = 3;
		} else if (stage == 3) {
			uint64_t v;
			if (!keyword(&lx, "threads")) {
				fail(&lx, "expected 'threads N'");
				goto bad;
			}
			if (!parse_u64(&lx, &v, "thread count"))
				goto bad;
			if (v < 1 || v > SIM_MAX_THREADS) {
				lx.p--;
				fail(&lx, "expected a thread count in 1..%d", SIM_MAX_THREADS);
				goto bad;
			}
			s->threads = (int)v;
			if (!expect_eol(&lx))
				goto bad;
			stage = 4;
		} else {
			struct sched_line d;
			uint64_t v;
			if (keyword(&lx, "end")) {
				if (!parse_u64(&lx, &s->end, "step count") || !expect_eol(&lx))
					goto bad;
				if (s->end < last_step) {
					fail(&lx, "expected end >= last decision step %llu",
					     (unsigned long long)last_step);
					goto bad;
				}
				s->has_end = true;
				s->end_line = lx.line;
				stage = 5;
				continue;
			}
			memset(&d, 0, sizeof(d));
			d.line = lx.line;
			if (!parse_u64(&lx, &d.step, "step number"))
				goto bad;
			if (d.step <= last_step && s->n) {
				lx.p = lx.start;
				fail(&lx, "expected step numbers to increase (previous %llu)",
				     (unsigned long long)last_step);
				goto bad;
			}
			if (d.step == 0) {
				lx.p = lx.start;
				fail(&lx, "expected a step number >= 1");
				goto bad;
			}
			skip_ws(&lx);
			if (*lx.p != 'T') {
				fail(&lx, "expected thread id 'T<n>'");
				goto bad;
			}
			lx.p++;
			if (!parse_u64(&lx, &v, "thread number after 'T'"))
				goto bad;
			if (v >= (uint64_t)s->threads) {
				lx.p--;
				fail(&lx, "expected a thread below 'threads %d'", s->threads);
				goto bad;
			}
			d.tid = (int)v;
			if (!parse_word(&lx, d.site, sizeof(d.site), "site (file:line or 'start')"))
				goto bad;
			if (!expect_eol(&lx))
				goto bad;
			last_step = d.step;
			if (!push_line(s, &d)) {
				fail(&lx, "out of memory");
				goto bad;
			}
		}
	}
	if (stage < 4) {
		static const char *const need[] = { "'apsim-schedule 1' header",
			"'seed N'", "'strategy NAME'", "'threads N'" };
		lx.line++;
		lx.start = lx.p = "";
		fail(&lx, "expected %s before end of file", need[stage]);
		goto bad;
	}
	free(buf);
	return s;
bad:
	free(buf);
	sim_schedule_free(s);
	return NULL;
}

void sim_schedule_free(struct sim_schedule *s)
{
	if (!s)
		return;
	free(s->d);
	free(s);
}

uint64_t sim__schedule_seed(const struct sim_schedule *s)
{
	return s ? s->seed : 0;
}

/* ------------------------------------------------------------ replay */

static void diverge(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diverge(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim__world.diverged = true;
	sim_report(SIM_F_DIVERGENCE, false, "divergence", "%s\n", msg);
}

static void runnable_list(uint64_t en, char *buf, size_t len)
{
	int o = 0;

	buf[0] = 0;
	for (uint64_t b = en; b && o < (int)len; b &= b - 1)
		o += snprintf(buf + o, len - (size_t)o, "%sT%d", o ? " " : "",
			      __builtin_ctzll(b));
}

bool sim__replay_check(void)
{
	const struct sim_schedule *s = sim__world.replay;

	if (sim__world.replay_idx < s->n && s->d[sim__world.replay_idx].step < sim__world.step) {
		const struct sched_line *d = &s->d[sim__world.replay_idx];
		diverge("schedule %s:%d: expected T%d at step %llu (%s) but there "
			"was no decision at that step (only one thread could run)",
			s->fname, d->line, d->tid, (unsigned long long)d->step, d->site);
		return false;
	}
	return true;
}

int sim__replay_pick(uint64_t en)
{
	const struct sim_schedule *s = sim__world.replay;
	const struct sched_line *d;
	char sb[SITE_LEN], rl[256];

	if (!(en & (en - 1)))
		return __builtin_ctzll(en);    /* no decision here */
	runnable_list(en, rl, sizeof(rl));
	if (sim__world.replay_idx >= s->n) {
		diverge("schedule %s: the program reached a decision at step %llu "
			"(runnable: %s) but the schedule has no more decisions",
			s->fname, (unsigned long long)sim__world.step, rl);
		return -1;
	}
	d = &s->d[sim__world.replay_idx];
	if (d->step != sim__world.step) {
		diverge("schedule %s:%d: expected T%d at step %llu (%s) but the "
			"program reached a decision at step %llu first (runnable: %s)",
			s->fname, d->line, d->tid, (unsigned long long)d->step,
			d->site, (unsigned long long)sim__world.step, rl);
		return -1;
	}
	if (d->tid >= sim__world.nthreads || !(en & BIT(d->tid))) {
		diverge("schedule %s:%d: expected T%d at step %llu (%s) but T%d is "
			"not runnable (runnable: %s)", s->fname, d->line, d->tid,
			(unsigned long long)d->step, d->site, d->tid, rl);
		return -1;
	}
	sim_site_str(sim__world.t[d->tid].site, sb, sizeof(sb));
	if (strcmp(sb, d->site)) {
		diverge("schedule %s:%d: expected T%d at step %llu (%s) but T%d is "
			"at %s", s->fname, d->line, d->tid,
			(unsigned long long)d->step, d->site, d->tid, sb);
		return -1;
	}
	sim__world.replay_idx++;
	return d->tid;
}

void sim__replay_end(void)
{
	const struct sim_schedule *s = sim__world.replay;

	if (sim__world.diverged || !s)
		return;
	if (sim__world.replay_idx < s->n) {
		const struct sched_line *d = &s->d[sim__world.replay_idx];
		diverge("schedule %s:%d: expected T%d at step %llu (%s) but the "
			"execution ended at step %llu", s->fname, d->line, d->tid,
			(unsigned long long)d->step, d->site,
			(unsigned long long)sim__world.step);
	} else if (s->has_end && s->end != sim__world.step) {
		diverge("schedule %s:%d: expected the execution to end at step %llu "
			"but it ended at step %llu", s->fname, s->end_line,
			(unsigned long long)s->end, (unsigned long long)sim__world.step);
	}
}
