// SPDX-License-Identifier: GPL-2.0
/*
 * driver/world/rules.c - the locking document as executable rules.
 *
 * Loads a rules file (the tree's rules/vfio-ap-locking*.rules is built in,
 * chosen by APSIM_LOCKING_RULES of driver/include/apsim-kapi.h; users can
 * pass an edited copy) and checks it.  Writes: at every scheduling point;
 * the simulation is sequential, so a watched field that changed since the
 * last point was changed by the thread that just ran: its held locks must
 * include every lock the rule requires.  The global order is checked on
 * the held stack of that thread.  Reads: the watched fields' memory is
 * watched in the shadow (sim_shadow_watch): every instrumented load of it
 * checks the field's read rule at the load, and every store records its
 * code address and stack, so a finding names the line that wrote or read
 * the field.  Violations are SIM_F_RULE findings, signed
 * rule:FIELD:LOCK@FUNC (writes), rule:read:FIELD:LOCK@FUNC (reads),
 * rule:order:A->B; FUNC is the innermost driver function of the access.
 *
 * Owns: the rules parser, field snapshots and watches, the checks.
 */
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/kvm_host.h>
#include "vfio_ap_private.h"

#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/s390.h"
#include "driver/world/world.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field_id {
	F_MDEV_KVM, F_MDEV_MATRIX, F_MDEV_SHADOW, F_MDEV_LIST, F_KVM_HOOK, F_KVM_APCB,
	F_MDEV_REQ,
	F__COUNT
};

static const char *const field_names[F__COUNT] = {
	"matrix_mdev.kvm", "matrix_mdev.matrix", "matrix_mdev.shadow_apcb",
	"matrix_dev.mdev_list", "kvm.pqap_hook", "kvm.apcb", "matrix_mdev.req_trigger",
};
#define FIELD_LIST "matrix_mdev.kvm, matrix_mdev.matrix, matrix_mdev.shadow_apcb, " \
	"matrix_dev.mdev_list, kvm.pqap_hook, kvm.apcb, matrix_mdev.req_trigger"

#define MAX_REQ 6
#define MAX_ALT 4
#define MAX_ORDER 12
#define NAME_LEN 64
#define REQ_TEXT 300

/* One requirement: one of alt[] held (in mode: -1 any, 0 write, 1 read). */
struct req {
	int nalt;
	char alt[MAX_ALT][NAME_LEN];
	int8_t id[MAX_ALT];             /* alt's bit in name_info.alts, -1: none */
	int mode;
	char text[2][REQ_TEXT];         /* the alternatives joined by "|" and by " | "
					 * (a finding's signature, its report) */
};

/* Distinct lock names the requirements mention (bits of name_info.alts). */
#define MAX_ALT_NAMES 64

static struct {
	int nreq[F__COUNT];
	struct req req[F__COUNT][MAX_REQ];
	int nrreq[F__COUNT];            /* read rules */
	struct req rreq[F__COUNT][MAX_REQ];
	bool any_read;
	int norder;
	char order[MAX_ORDER][NAME_LEN];
	char doc[160];                  /* `document PATH` */
	int nexempt;                    /* `exempt read|field FIELD in FUNC` */
	struct {
		int field;
		bool read;
		char func[NAME_LEN];
	} exempt[16];
	int naltnames;
	char altnames[MAX_ALT_NAMES][NAME_LEN];
	bool loaded;
	bool enabled;
} R;

/*
 * Lock names are string literals (the mutex_init argument), so a table
 * keyed by the name pointer (open addressing) gives a name's rank in the
 * order and the requirement names it equals without string compares on
 * the hot path (this runs at every scheduling point and watched access).
 * Filled on a name's first use; cleared when rules are loaded.
 */
#define NAME_SLOTS 256
struct name_info {
	const char *name;
	int rank;                       /* last index in R.order, -1: none */
	uint64_t alts;                  /* bit i: equals R.altnames[i] */
};
static struct name_info name_tab[NAME_SLOTS];
static int nname_tab;

/* The built-in rules files (build/gen/rules.c, from rules/\*.rules). */
struct apsim_rules_text {
	const char *path, *text;
};
extern const struct apsim_rules_text apsim_rules_texts[];

/* ---------------------------------------------------------------- parser */

static int perr(char *err, size_t len, const char *file, int line, int col,
		const char *what)
{
	snprintf(err, len, "%s:%d:%d: error: %s", file, line, col, what);
	return -EINVAL;
}

static char *skip_ws(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Read one lock name token (up to ',', white space or end; lock names such
 * as &kvm->lock contain "->", so the order separator must stand alone). */
static char *read_name(char *p, char *out)
{
	int n = 0;

	p = skip_ws(p);
	while (*p && *p != ',' && *p != ' ' && *p != '\t') {
		if (n < NAME_LEN - 1)
			out[n++] = *p;
		p++;
	}
	out[n] = 0;
	return p;
}

/* The bit of a requirement's lock name in name_info.alts (-1: too many
 * names, compared as strings). */
static int8_t alt_name_id(const char *word)
{
	for (int i = 0; i < R.naltnames; i++)
		if (!strcmp(R.altnames[i], word))
			return (int8_t)i;
	if (R.naltnames >= MAX_ALT_NAMES)
		return -1;
	snprintf(R.altnames[R.naltnames], NAME_LEN, "%s", word);
	return (int8_t)R.naltnames++;
}

/* The texts of q's alternatives (req_text). */
static void req_texts(struct req *q)
{
	static const char *const seps[2] = { "|", " | " };

	for (int t = 0; t < 2; t++) {
		size_t o = 0;

		q->text[t][0] = 0;
		for (int a = 0; a < q->nalt && o < REQ_TEXT; a++)
			o += (size_t)sim_fmt(q->text[t] + o, REQ_TEXT - o, "%s%s", a ? seps[t] : "", q->alt[a]);
	}
}

/* The requirement list after `requires`: LOCK [| LOCK ...], ... */
static int parse_reqs(char *p, char *line, struct req *reqs, int *nreqs, const char *file,
		      int lineno, char *err, size_t errlen)
{
	while (*(p = skip_ws(p))) {
		struct req *q;
		char word[NAME_LEN];

		if (*nreqs >= MAX_REQ)
			return perr(err, errlen, file, lineno, (int)(p - line) + 1, "too many locks for one field (max 6)");
		q = &reqs[*nreqs];
		memset(q, 0, sizeof(*q));
		q->mode = -1;
		for (;;) {
			char *at = skip_ws(p);

			p = read_name(p, word);
			if (!q->nalt && (!strcmp(word, "write") || !strcmp(word, "read"))) {
				q->mode = word[0] == 'w' ? 0 : 1;
				at = skip_ws(p);
				p = read_name(p, word);
			}
			if (!word[0] || !strcmp(word, "|"))
				return perr(err, errlen, file, lineno, (int)(at - line) + 1, "expected a lock name");
			if (q->nalt >= MAX_ALT)
				return perr(err, errlen, file, lineno, (int)(at - line) + 1, "too many alternatives (max 4)");
			q->id[q->nalt] = alt_name_id(word);
			snprintf(q->alt[q->nalt++], NAME_LEN, "%s", word);
			p = skip_ws(p);
			if (p[0] == '|' && (p[1] == ' ' || p[1] == '\t' || !p[1])) {
				p++;
				continue;
			}
			break;
		}
		req_texts(q);
		(*nreqs)++;
		if (*p == ',')
			p++;
		else if (*p)
			return perr(err, errlen, file, lineno, (int)(p - line) + 1, "expected ',' or ' | ' between lock names");
	}
	return 0;
}

/* Rules parsed so far: a description memoised under other rules (their
 * exemptions) is stale (describe_memo). */
static unsigned rules_epoch;

static int parse_rules(const char *text, const char *file, char *err, size_t errlen)
{
	char *buf = strdup(text), *line, *next;
	int lineno = 0, rc = 0;

	rules_epoch++;
	memset(&R, 0, sizeof(R));
	memset(name_tab, 0, sizeof(name_tab));
	nname_tab = 0;
	for (line = buf; line; line = next) {
		char *p, word[NAME_LEN];

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		p = skip_ws(line);
		if (!*p || *p == '#')
			continue;
		p = read_name(p, word);
		if (!strcmp(word, "document")) {
			char *d = skip_ws(p);
			size_t n = strcspn(d, " \t");

			if (!n || n >= sizeof(R.doc) || *skip_ws(d + n)) {
				rc = perr(err, errlen, file, lineno, (int)(d - line) + 1, "expected one document path");
				goto out;
			}
			memcpy(R.doc, d, n);
			R.doc[n] = 0;
		} else if (!strcmp(word, "exempt")) {
			char kind[NAME_LEN], fn[NAME_LEN], in[NAME_LEN];
			char *at = skip_ws(p);
			int f;

			p = read_name(p, kind);
			if (strcmp(kind, "read") && strcmp(kind, "field")) {
				rc = perr(err, errlen, file, lineno, (int)(at - line) + 1, "expected 'read' or 'field'");
				goto out;
			}
			at = skip_ws(p);
			p = read_name(p, word);
			for (f = 0; f < F__COUNT; f++)
				if (!strcmp(word, field_names[f]))
					break;
			if (f == F__COUNT) {
				rc = perr(err, errlen, file, lineno, (int)(at - line) + 1,
					  "expected a watched field (" FIELD_LIST ")");
				goto out;
			}
			at = skip_ws(p);
			p = read_name(p, in);
			at = skip_ws(p);
			p = read_name(p, fn);
			if (strcmp(in, "in") || !fn[0] || *skip_ws(p)) {
				rc = perr(err, errlen, file, lineno, (int)(at - line) + 1, "expected 'in FUNCTION'");
				goto out;
			}
			if (R.nexempt >= 16) {
				rc = perr(err, errlen, file, lineno, 1, "too many exempt lines (max 16)");
				goto out;
			}
			R.exempt[R.nexempt].field = f;
			R.exempt[R.nexempt].read = kind[0] == 'r';
			snprintf(R.exempt[R.nexempt].func, NAME_LEN, "%s", fn);
			R.nexempt++;
		} else if (!strcmp(word, "order")) {
			while (*(p = skip_ws(p))) {
				if (R.norder >= MAX_ORDER) {
					rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "too many locks in the order (max 12)");
					goto out;
				}
				p = read_name(p, R.order[R.norder]);
				if (!R.order[R.norder][0]) {
					rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "expected a lock name");
					goto out;
				}
				R.norder++;
				p = skip_ws(p);
				if (p[0] == '-' && p[1] == '>' && (p[2] == ' ' || p[2] == '\t'))
					p += 2;
				else if (*p) {
					rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "expected ' -> ' between lock names");
					goto out;
				}
			}
		} else if (!strcmp(word, "field") || !strcmp(word, "read")) {
			bool rd = word[0] == 'r';
			int f;

			p = read_name(p, word);
			for (f = 0; f < F__COUNT; f++)
				if (!strcmp(word, field_names[f]))
					break;
			if (f == F__COUNT) {
				rc = perr(err, errlen, file, lineno, (int)(p - line) - (int)strlen(word) + 1,
					  "expected a watched field (" FIELD_LIST ")");
				goto out;
			}
#if !APSIM_HAS_EVENTFD_REQ
			if (f == F_MDEV_REQ) {
				rc = perr(err, errlen, file, lineno, (int)(p - line) - (int)strlen(word) + 1,
					  "matrix_mdev.req_trigger is not a field of this tree's driver (6.8+)");
				goto out;
			}
#endif
			p = read_name(p, word);
			if (strcmp(word, "requires")) {
				rc = perr(err, errlen, file, lineno, (int)(p - line) + 1, "expected 'requires'");
				goto out;
			}
			rc = rd ? parse_reqs(p, line, R.rreq[f], &R.nrreq[f], file, lineno, err, errlen)
				: parse_reqs(p, line, R.req[f], &R.nreq[f], file, lineno, err, errlen);
			if (rc)
				goto out;
			if (rd)
				R.any_read = true;
		} else {
			rc = perr(err, errlen, file, lineno, (int)(p - line) - (int)strlen(word) + 1,
				  "expected 'document', 'order', 'field', 'read' or 'exempt'");
			goto out;
		}
	}
	R.loaded = true;
out:
	free(buf);
	return rc;
}

/* The built-in rules of this tree (APSIM_LOCKING_RULES, apsim-kapi.h). */
const char *apsim_rules_default_path(void)
{
	return APSIM_LOCKING_RULES;
}

int apsim_rules_load(const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *text;
	long n;
	int rc;

	if (!path) {
		for (const struct apsim_rules_text *t = apsim_rules_texts; t->path; t++)
			if (!strcmp(t->path, APSIM_LOCKING_RULES))
				return parse_rules(t->text, t->path, err, errlen);
		snprintf(err, errlen, "%s: error: not built in", APSIM_LOCKING_RULES);
		return -ENOENT;
	}
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: error: %s", path, strerror(errno));
		return -errno;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || n > (1 << 20)) {
		fclose(f);
		snprintf(err, errlen, "%s: error: not a rules file", path);
		return -EINVAL;
	}
	text = calloc(1, n + 1);
	if (fread(text, 1, n, f) != (size_t)n)
		n = 0;
	fclose(f);
	rc = parse_rules(text, path, err, errlen);
	free(text);
	return rc;
}

/* -------------------------------------------------------------- snapshots */

#define MAX_WATCH 32
#define WPCS 24

/* An access to a watched field: who, and its stack (for the line). */
struct acc {
	uint32_t seq;             /* point_seq of the access (0: none) */
	int tid;
	int n;
	uintptr_t pc, pcs[WPCS];
};

/*
 * The last store into a watched field and the last load of it.  The
 * compiler checks a store once with an earlier load of the same field in
 * the same function (gcc's ASan dedup: `x |= m`, `if (!p) p = v;`), so a
 * change with no store seen is named by the last load of that thread.
 */
struct wrec {
	struct acc st, ld;
};

struct snap {
	const void *obj;          /* identity only: never printed */
	uint32_t touched;         /* point_seq of the last access to a field */
	uint64_t v[F__COUNT];
	struct ap_matrix matrix, shadow;   /* copies of the watched fields */
	bool valid;
	struct wrec w[F__COUNT];
};

/* matrix and shadow_apcb are neighbours in the driver's struct as in the
 * snapshot: the points compare both at once. */
#define MDEV_SPAN (offsetof(struct ap_matrix_mdev, shadow_apcb) + sizeof(struct ap_matrix) - \
		   offsetof(struct ap_matrix_mdev, matrix))
_Static_assert(offsetof(struct snap, shadow) - offsetof(struct snap, matrix) ==
	       offsetof(struct ap_matrix_mdev, shadow_apcb) - offsetof(struct ap_matrix_mdev, matrix) &&
	       MDEV_SPAN == 2 * sizeof(struct ap_matrix),
	       "matrix and shadow_apcb must be neighbours in both structs");

static struct snap mdev_snap[MAX_WATCH], kvm_snap[MAX_WATCH];
/* Above these, no slot has been valid since the last snapshot save or
 * restore or reset (slots are taken from the lowest free index): the loops
 * over the slots stop there instead of loading 32 headers 3.3 KB apart. */
static int mdev_hi, kvm_hi;
/* mdev_snap[i].obj while valid, else NULL: the lookup at every point
 * scans this, not the big snapshots */
static const void *mdev_key[MAX_WATCH];
/* the mdev_key index of the mdev at each list position last time (a hint:
 * the lookup checks it first) */
static int8_t pos_hint[MAX_WATCH];
static struct wrec list_w;        /* the mdev list: head and nodes */
static uint64_t list_hash;
static bool list_valid;
static uint32_t snap_gen;
static uint32_t point_seq = 1;    /* scheduling points seen by the checker */
/* Quiet points (point_quiet): the point_seq of the last access to any
 * watched field, and what the last full point saw. */
static uint32_t any_touch;
static bool point_full = true;    /* the next point compares in full */
static uint32_t full_kvm_epoch;   /* shim_kvm_epoch() at the last full point */
static int full_nlisted;          /* mdevs listed then */
static const void *full_dev;      /* the matrix_dev whose list it walked */

/* Watched address ranges (rebuilt when the set of watched objects changes). */
#define MAX_RANGES (MAX_WATCH * 9 + MAX_WATCH * 2 + 1)
static struct range {
	uintptr_t lo, hi;
	int field;
	struct wrec *w;
	uint32_t *touch;          /* its object's snap.touched */
	uint8_t *wdirty;          /* its object's bits of access records written */
} ranges[MAX_RANGES];
/* Per snapshot slot, the fields whose access records (snap.w) were written
 * since the world snapshot's save or the slot's last restore: a restore
 * copies back the slot's other fields and only those records. */
static uint8_t mdev_wdirty[MAX_WATCH], kvm_wdirty[MAX_WATCH];
static uint8_t list_wdirty;       /* the list's ranges' (unused: list_w is restored whole) */
_Static_assert(F__COUNT <= 8, "a bit per field in the wdirty masks");
static uint32_t list_touch;       /* the list's ranges' (unused) */
static int nranges;
static bool ranges_dirty;
/* The set of ranges has an id, new (never reused) at every change and put
 * back with the ranges by a snapshot restore. */
static uint32_t ranges_id = 1, ranges_last_id = 1;

/*
 * The range scan's answer for one granule (accesses within one granule),
 * kept while ranges_id stays: the index of the one range holding the
 * granule, or -1 for none.  Only unique answers are kept (overlapping
 * ranges are left to the scan, which prefers the range hit last).
 * Filled at a granule's first access, direct mapped.
 */
#define WMEMO 256
static struct {
	uintptr_t g;
	uint32_t id;
	int r;
} wmemo[WMEMO];

static void ranges_changed(void)
{
	ranges_id = ++ranges_last_id;
}

/* Read findings already reported this execution (by code address). */
#define RSEEN 64
static uintptr_t rseen[RSEEN];
static int nrseen;

/* A lock name's entry, made at its first use. */
static noinline const struct name_info *name_fill(const char *name, size_t h)
{
	static struct name_info spare;  /* table full: computed, not kept */
	struct name_info *e;

	for (;; h = (h + 1) & (NAME_SLOTS - 1)) {
		if (name_tab[h].name == name && name)
			return &name_tab[h];
		if (!name_tab[h].name)
			break;
	}
	e = name && nname_tab < NAME_SLOTS / 2 ? &name_tab[h] : &spare;
	e->rank = -1;
	e->alts = 0;
	if (name) {
		for (int r = 0; r < R.norder; r++)
			if (!strcmp(name, R.order[r]))
				e->rank = r;
		for (int i = 0; i < R.naltnames; i++)
			if (!strcmp(name, R.altnames[i]))
				e->alts |= 1ull << i;
	}
	if (e != &spare) {
		e->name = name;
		nname_tab++;
	}
	return e;
}

/* A lock name's entry in name_tab (filled on first use). */
static inline const struct name_info *name_info(const char *name)
{
	size_t h = (size_t)(((uint64_t)(uintptr_t)name >> 3) * 0x9E3779B97F4A7C15ull >> 56);

	if (likely(name_tab[h].name == name && name))
		return &name_tab[h];
	return name_fill(name, h);
}

/* Whether a held lock's name is alternative a of q. */
static inline bool is_alt(const char *name, const struct req *q, int a)
{
	if (q->id[a] < 0)
		return !strcmp(name, q->alt[a]);
	return (name_info(name)->alts >> q->id[a]) & 1;
}

static bool holds(int tid, const struct req *q, const struct sim_lockdep_map **held, int nheld)
{
	for (int a = 0; a < q->nalt; a++)
		for (int i = 0; i < nheld; i++)
			if (is_alt(held[i]->name, q, a)) {
				if (q->mode < 0 || tid != sim_tid())
					return true;
				if (sim_lockdep_is_held(held[i], q->mode))
					return true;
			}
	return false;
}

/* q's alternatives, "A" or "A|B" (sep 0: signatures) or "A | B" (sep 1:
 * reports), made when the rules are parsed (req_texts). */
static inline const char *req_text(const struct req *q, int sep)
{
	return q->text[sep];
}

static const char *doc_name(void)
{
	return R.doc[0] ? R.doc : "the locking document";
}

/* Frames of the checker itself and of the shadow hooks (skipped). */
static bool own_frame(const struct sim_frame *f)
{
	return !strcmp(f->file, "rules.c") || !strcmp(f->file, "shadow.c") ||
	       !strncmp(f->func, "shim_kasan_", 11);
}

static bool end_frame(const struct sim_frame *f)
{
	return !strcmp(f->file, "world.c") || !strcmp(f->file, "sched.c") || !strcmp(f->file, "?");
}

/*
 * The access of a stack recorded in a watch: "at" = the line of the access
 * (its inline chain), drv = the innermost driver function; the call trace
 * goes to out (if not NULL); *exempt (if not NULL) is set when a function
 * an `exempt` line names for field f (read or write) is on the stack.
 */
static void describe(const uintptr_t *pcs, int n, char *at, size_t atlen, char *drv,
		     size_t drvlen, FILE *out, int f, bool rd, bool *exempt)
{
	struct sim_frame fr[WPCS * 2];
	int nf = sim_symbolize_stack(pcs, n, fr, WPCS * 2), i = 0;
	bool in_chain = true;
	size_t o = 0;

	at[0] = drv[0] = 0;
	while (i < nf && own_frame(&fr[i]))
		i++;
	for (int j = i; j < nf && !end_frame(&fr[j]); j++) {
		if (!drv[0] && !strncmp(fr[j].file, "vfio_ap", 7))
			snprintf(drv, drvlen, "%s", fr[j].func);
		if (exempt && !*exempt)
			for (int e = 0; e < R.nexempt; e++)
				if (R.exempt[e].field == f && R.exempt[e].read == rd &&
				    !strcmp(R.exempt[e].func, fr[j].func))
					*exempt = true;
		/* the access's inline chain: up to its first real frame */
		if (in_chain && o < atlen)
			o += (size_t)snprintf(at + o, atlen - o, "%s%s (%s:%d)", j == i ? "" : " inlined in ",
					      fr[j].func, fr[j].file, fr[j].line);
		in_chain = in_chain && fr[j].inlined;
	}
	if (!at[0])
		snprintf(at, atlen, "(unknown)");
	if (!out || i >= nf)
		return;
	fprintf(out, "Call Trace:\n");
	for (int j = i; j < nf && !end_frame(&fr[j]); j++)
		fprintf(out, " %s (%s:%d)%s%s\n", fr[j].func, fr[j].file, fr[j].line,
			fr[j].inlined ? " [inlined]" : "",
			strncmp(fr[j].file, "vfio_ap", 7) ? " [shim]" : "");
}

/*
 * describe() of a backtrace, memoised: the same code addresses give the
 * same frames in one process, so a violation met again (6.12's
 * ap_config_show reads the matrix without its lock in every world that
 * shows it) costs a lookup instead of a symbolisation and a memstream
 * (13 % of a 6.12 campaign's instructions before).  Open addressing: a
 * backtrace takes the first of DESC_PROBE slots from its hash that holds it
 * or is free (a stale epoch is free), else evicts the first.  (A direct map
 * of 64 slots re-described a third of the lookups of a 6.12 campaign: its
 * 15 backtraces collided, 1,807 misses in 3,000 worlds; now 15.)  The texts
 * are the ones describe() wrote.
 */
#define DESC_SLOTS 256
#define DESC_PROBE 8
static struct desc {
	int n, f;
	unsigned epoch;            /* rules_epoch it was described under */
	bool rd, exempt, valid;
	uintptr_t pcs[WPCS];
	char at[400], drv[96];
	char *trace;               /* the Call Trace text (malloc'ed), or NULL */
} desc_memo[DESC_SLOTS];

static const struct desc *describe_memo(const uintptr_t *pcs, int n, int f, bool rd)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)(f * 2 + rd);
	struct desc *d = NULL;
	size_t tlen = 0, at;
	FILE *tf;

	if (n > WPCS)
		n = WPCS;
	for (int i = 0; i < n; i++)
		h = (h ^ pcs[i]) * 0x100000001b3ULL;
	at = (size_t)((h ^ (h >> 29)) % DESC_SLOTS);
	for (int k = 0; k < DESC_PROBE; k++) {
		struct desc *e = &desc_memo[(at + (size_t)k) % DESC_SLOTS];

		if (!e->valid || e->epoch != rules_epoch) {
			if (!d)
				d = e;
			continue;
		}
		if (e->n == n && e->f == f && e->rd == rd &&
		    !memcmp(e->pcs, pcs, sizeof(pcs[0]) * (size_t)n))
			return e;
	}
	if (!d)
		d = &desc_memo[at];
	free(d->trace);
	d->trace = NULL;
	d->exempt = false;
	tf = open_memstream(&d->trace, &tlen);
	describe(pcs, n, d->at, sizeof(d->at), d->drv, sizeof(d->drv), tf, f, rd, &d->exempt);
	if (tf)
		fclose(tf);
	d->n = n, d->f = f, d->rd = rd, d->valid = true, d->epoch = rules_epoch;
	memcpy(d->pcs, pcs, sizeof(pcs[0]) * (size_t)n);
	return d;
}

static unsigned long point_changes;	/* check_field calls (verification) */

static void check_field(int tid, enum field_id f, int idx, const struct wrec *w)
{
	const struct sim_lockdep_map *held[48];
	int nheld = sim_lockdep_held_maps(tid, held, 48);
	const struct acc *ac = !w ? NULL :
		w->st.seq == point_seq && w->st.tid == tid && w->st.n > 0 ? &w->st :
		w->ld.seq == point_seq && w->ld.tid == tid && w->ld.n > 0 ? &w->ld : NULL;
	bool seen = ac != NULL;

	point_changes++;
	for (int i = 0; i < R.nreq[f]; i++) {
		const struct req *q = &R.req[f][i];
		const struct desc *d = NULL;
		const char *at = "(no instrumented store seen)", *drv = "", *trace = NULL;
		char sig[300];
		const char *locks;

		if (holds(tid, q, held, nheld))
			continue;
		if (seen) {
			d = describe_memo(ac->pcs, ac->n, f, false);
			if (d->exempt)
				continue;
			at = d->at, drv = d->drv, trace = d->trace;
		}
		sim_fmt(sig, sizeof(sig), "rule:%s:%s%s%s", field_names[f],
			 req_text(q, 0), drv[0] ? "@" : "", drv);
		locks = req_text(q, 1);
		sim_report(SIM_F_RULE, false, sig,
			   "apsim: locking rule violated (%s)\n"
			   "%s/%d changed %s%s without holding %s%s\n"
			   "written at: %s%s\n"
			   "rule: field %s requires%s %s\n"
			   "while doing: %s\n%s",
			   doc_name(), sim_thread_name(tid), tid, field_names[f],
			   idx >= 0 ? " (of one instance)" : "",
			   q->mode == 0 ? "for write " : q->mode == 1 ? "for read " : "",
			   locks, at, ac == &w->st || !seen ? "" :
			   " (its last load: no store was seen; the compiler checks a store"
			   " after a load of the same field in one function only once)",
			   field_names[f],
			   q->mode == 0 ? " write" : q->mode == 1 ? " read" : "", locks,
			   sim_op_label(tid), trace ? trace : "");
	}
}

/* Returns whether the thread held what every read rule of f requires. */
/* noinline: its backtrace counts frames from here, as it always did */
static noinline bool check_read(int tid, enum field_id f, uintptr_t pc)
{
	const struct sim_lockdep_map *held[48];
	int nheld = sim_lockdep_held_maps(tid, held, 48);

	for (int i = 0; i < R.nrreq[f]; i++) {
		const struct req *q = &R.rreq[f][i];
		const struct desc *d;
		const char *at, *drv, *trace;
		char sig[300];
		const char *locks;
		uintptr_t pcs[WPCS];
		int n, k;

		if (holds(tid, q, held, nheld))
			continue;
		for (k = 0; k < nrseen; k++)
			if (rseen[k] == pc)
				return false;
		if (nrseen < RSEEN)
			rseen[nrseen++] = pc;
		n = sim_backtrace(pcs, WPCS);
		d = describe_memo(pcs, n, f, true);
		if (d->exempt)
			return false;
		at = d->at, drv = d->drv, trace = d->trace;
		sim_fmt(sig, sizeof(sig), "rule:read:%s:%s%s%s", field_names[f],
			 req_text(q, 0), drv[0] ? "@" : "", drv);
		locks = req_text(q, 1);
		sim_report(SIM_F_RULE, false, sig,
			   "apsim: locking rule violated (%s)\n"
			   "%s/%d read %s without holding %s%s\n"
			   "read at: %s\n"
			   "rule: read %s requires%s %s\n"
			   "while doing: %s\n%s",
			   doc_name(), sim_thread_name(tid), tid, field_names[f],
			   q->mode == 0 ? "for write " : q->mode == 1 ? "for read " : "",
			   locks, at, field_names[f],
			   q->mode == 0 ? " write" : q->mode == 1 ? " read" : "", locks,
			   sim_op_label(tid), trace ? trace : "");
		return false;
	}
	return true;
}

/* Read checks done in this interval between scheduling points: a thread's
 * held locks change only at a scheduling point, so one check per thread and
 * field and interval decides them all. */
static struct {
	uint32_t seq;
	int tid;
} read_checked[F__COUNT];

/* The range an access touched (-1: none): the memo, else the scan. */
static int range_last;	/* the range hit last: loops hit one range */

static noinline int range_scan(uintptr_t a, size_t n)
{
	if ((a & 7) + n <= 8) {
		uintptr_t g = a >> 3;
		__typeof__(wmemo[0]) *e = &wmemo[(g * 0x9E3779B97F4A7C15ull) >> 56];
		int i = -1, cnt = 0;

		for (int k = 0; k < nranges; k++)
			if (a < ranges[k].hi && a + n > ranges[k].lo)
				i = k, cnt++;
		if (cnt <= 1) {
			e->g = g;
			e->id = ranges_id;
			e->r = i;
			return i;
		}
	}
	for (int k = 0; k <= nranges; k++) {	/* last, then 0..nranges-1 */
		int i = k ? k - 1 : range_last;

		if (k && i == range_last)
			continue;
		if (i >= nranges)
			continue;
		if (a >= ranges[i].hi || a + n <= ranges[i].lo)
			continue;
		return i;
	}
	return -1;
}

static inline int range_of(uintptr_t a, size_t n)
{
	uintptr_t g = a >> 3;
	__typeof__(wmemo[0]) *e = &wmemo[(g * 0x9E3779B97F4A7C15ull) >> 56];

	if ((a & 7) + n <= 8 && e->id == ranges_id && e->g == g)
		return e->r;
	return range_scan(a, n);
}

/*
 * Whether a store to field f needs its stack: only a store whose thread
 * lacks a lock some write rule of f requires can be reported.  The held
 * locks change only at scheduling points (a lock operation's point comes
 * before its acquire or release), so what the thread holds now is what the
 * next point's check_field sees, and a store made holding every required
 * lock is never the "written at" of a report (a third of the time
 * sim_backtrace took in a generated world went to such stores).
 */
static struct {
	uint32_t seq;
	int tid;
	bool need;
} store_checked[F__COUNT];	/* decided in this interval (point_seq) */

static noinline bool store_needs_stack_slow(int tid, int f)
{
	int nheld;
	const struct sim_lockdep_map *const *stack = sim_lockdep_held_stack(tid, &nheld);
	bool need = false;

	for (int i = 0; i < R.nreq[f] && !need; i++)
		need = !holds(tid, &R.req[f][i], (const struct sim_lockdep_map **)stack, nheld);
	store_checked[f].seq = point_seq;
	store_checked[f].tid = tid;
	store_checked[f].need = need;
	return need;
}

static inline bool store_needs_stack(int tid, int f)
{
	if (!R.nreq[f])
		return false;
	if (store_checked[f].seq == point_seq && store_checked[f].tid == tid)
		return store_checked[f].need;
	return store_needs_stack_slow(tid, f);
}

/* The shadow's watcher: an instrumented access touched a watched field. */
static void rules_watch(uintptr_t a, size_t n, bool is_write, uintptr_t pc)
{
	struct range *r;
	struct acc *ac;
	int tid, i;

	if (!R.enabled || snap_gen != sim_generation() || (tid = sim_tid()) < 0)
		return;
	i = range_of(a, n);
	if (i < 0)
		return;
	r = &ranges[i];
	range_last = i;
	ac = is_write ? &r->w->st : &r->w->ld;
	/* a store's stack; a load's code address only (loads are many:
	 * the fallback names the line and function, without a trace) */
	ac->seq = point_seq;
	ac->tid = tid;
	ac->pc = pc;
	*r->touch = point_seq;
	any_touch = point_seq;
	*r->wdirty |= (uint8_t)(1u << r->field);
	if (is_write)
		ac->n = store_needs_stack(tid, r->field) ? sim_backtrace(ac->pcs, WPCS) : 0;
	else
		ac->pcs[0] = pc, ac->n = 1;
	if (!is_write && R.nrreq[r->field] &&
	    (read_checked[r->field].seq != point_seq || read_checked[r->field].tid != tid)) {
		/* a violation stays checked at every reading pc (the
		 * finding names each function; rseen dedups) */
		if (check_read(tid, (enum field_id)r->field, pc)) {
			read_checked[r->field].seq = point_seq;
			read_checked[r->field].tid = tid;
		}
	}
}

static void range_add(const void *p, size_t len, int field, struct wrec *w, uint32_t *touch,
		      uint8_t *wdirty)
{
	uintptr_t lo = (uintptr_t)p & ~(uintptr_t)7, hi = ((uintptr_t)p + len + 7) & ~(uintptr_t)7;

	if (nranges >= MAX_RANGES || !p)
		return;
	ranges[nranges].lo = lo;
	ranges[nranges].hi = hi;
	ranges[nranges].field = field;
	ranges[nranges].w = w;
	ranges[nranges].touch = touch;
	ranges[nranges].wdirty = wdirty;
	nranges++;
	sim_shadow_watch((const void *)lo, hi - lo, true);
}

/* Watch the fields of the objects snapshotted now (and stop watching the
 * others); only when that set changed. */
static void ranges_rebuild(void)
{
	for (int i = 0; i < nranges; i++)
		sim_shadow_watch((const void *)ranges[i].lo, ranges[i].hi - ranges[i].lo, false);
	nranges = 0;
	ranges_dirty = false;
	ranges_changed();
	if (!R.enabled)
		return;
	if (matrix_dev)
		range_add(&matrix_dev->mdev_list, sizeof(matrix_dev->mdev_list), F_MDEV_LIST, &list_w,
			  &list_touch, &list_wdirty);
	for (int i = 0; i < mdev_hi; i++) {
		struct ap_matrix_mdev *mm = (struct ap_matrix_mdev *)mdev_snap[i].obj;

		if (!mdev_snap[i].valid)
			continue;
		range_add(&mm->node, sizeof(mm->node), F_MDEV_LIST, &list_w, &list_touch, &list_wdirty);
		range_add(&mm->kvm, sizeof(mm->kvm), F_MDEV_KVM, &mdev_snap[i].w[F_MDEV_KVM],
			  &mdev_snap[i].touched, &mdev_wdirty[i]);
		/* the masks: apm_max, aqm_max and adm_max are set once, when the
		 * mdev is created (vfio_ap_matrix_init), and only read after */
		range_add(mm->matrix.apm, sizeof(mm->matrix.apm), F_MDEV_MATRIX, &mdev_snap[i].w[F_MDEV_MATRIX],
			  &mdev_snap[i].touched, &mdev_wdirty[i]);
		range_add(mm->matrix.aqm, sizeof(mm->matrix.aqm), F_MDEV_MATRIX, &mdev_snap[i].w[F_MDEV_MATRIX],
			  &mdev_snap[i].touched, &mdev_wdirty[i]);
		range_add(mm->matrix.adm, sizeof(mm->matrix.adm), F_MDEV_MATRIX, &mdev_snap[i].w[F_MDEV_MATRIX],
			  &mdev_snap[i].touched, &mdev_wdirty[i]);
		range_add(mm->shadow_apcb.apm, sizeof(mm->shadow_apcb.apm), F_MDEV_SHADOW,
			  &mdev_snap[i].w[F_MDEV_SHADOW],
			  &mdev_snap[i].touched, &mdev_wdirty[i]);
		range_add(mm->shadow_apcb.aqm, sizeof(mm->shadow_apcb.aqm), F_MDEV_SHADOW,
			  &mdev_snap[i].w[F_MDEV_SHADOW],
			  &mdev_snap[i].touched, &mdev_wdirty[i]);
		range_add(mm->shadow_apcb.adm, sizeof(mm->shadow_apcb.adm), F_MDEV_SHADOW,
			  &mdev_snap[i].w[F_MDEV_SHADOW],
			  &mdev_snap[i].touched, &mdev_wdirty[i]);
#if APSIM_HAS_EVENTFD_REQ
		range_add(&mm->req_trigger, sizeof(mm->req_trigger), F_MDEV_REQ,
			  &mdev_snap[i].w[F_MDEV_REQ],
			  &mdev_snap[i].touched, &mdev_wdirty[i]);
#endif
	}
	for (int k = 0; k < kvm_hi; k++) {
		struct kvm *kvm = (struct kvm *)kvm_snap[k].obj;

		if (!kvm_snap[k].valid)
			continue;
		range_add(&kvm->arch.crypto.pqap_hook, sizeof(kvm->arch.crypto.pqap_hook), F_KVM_HOOK,
			  &kvm_snap[k].w[F_KVM_HOOK],
				  &kvm_snap[k].touched, &kvm_wdirty[k]);
		if (kvm->arch.crypto.crycb)
			range_add(kvm->arch.crypto.crycb, sizeof(*kvm->arch.crypto.crycb), F_KVM_APCB,
				  &kvm_snap[k].w[F_KVM_APCB],
				  &kvm_snap[k].touched, &kvm_wdirty[k]);
	}
}

static inline int order_rank(const char *name)
{
	return name_info(name)->rank;
}

/*
 * The held stack each thread was last checked with (per execution): a
 * stack that was already reported is not reported again while it stays.
 * Only a stack that breaks the order is kept (n >= 0); n = -1 stands for
 * one that does not, which can never equal a breaking one, so the checks
 * of the (many) clean stacks copy nothing.
 */
static struct {
	uint32_t gen;
	int n;
	const struct sim_lockdep_map *held[48];
} order_seen[SIM_MAX_THREADS];

/* check_order's report: tid's stack breaks the order. */
static noinline void order_report(int tid)
{
	const struct sim_lockdep_map *held[48];
	int nheld = sim_lockdep_held_maps(tid, held, 48);	/* a copy */
	int last = -1;
	const char *last_name = NULL;

	if (tid < SIM_MAX_THREADS) {
		uint32_t gen = sim_generation();

		if (order_seen[tid].gen == gen && order_seen[tid].n == nheld &&
		    !memcmp(order_seen[tid].held, held, sizeof(held[0]) * (size_t)nheld))
			return;
		order_seen[tid].gen = gen;
		order_seen[tid].n = nheld;
		memcpy(order_seen[tid].held, held, sizeof(held[0]) * (size_t)nheld);
	}
	for (int i = 0; i < nheld; i++) {
		int rank = order_rank(held[i]->name);

		if (rank < 0)
			continue;
		if (rank < last) {
			char sig[200];

			sim_fmt(sig, sizeof(sig), "rule:order:%s->%s", last_name, held[i]->name);
			sim_report(SIM_F_RULE, false, sig,
				   "apsim: locking order violated (%s)\n"
				   "%s/%d took %s while holding %s\n"
				   "rule: the order is %s first, ... (see the rules file)\n"
				   "while doing: %s\n",
				   doc_name(), sim_thread_name(tid), tid, held[i]->name, last_name,
				   R.order[0], sim_op_label(tid));
		}
		if (rank > last) {
			last = rank;
			last_name = held[i]->name;
		}
	}
}

/* The global order on the held stack of tid (at every point). */
static inline void check_order(int tid)
{
	int nheld, last = -1;
	const struct sim_lockdep_map *const *stack = sim_lockdep_held_stack(tid, &nheld);

	/* the common case: the stack keeps the order (fewer than two locks
	 * always do) */
	for (int i = 0; i < nheld && nheld > 1; i++) {
		int rank = order_rank(stack[i]->name);

		if (rank < 0)
			continue;
		if (rank < last) {
			order_report(tid);
			return;
		}
		last = rank;
	}
	if (tid < SIM_MAX_THREADS) {
		order_seen[tid].gen = sim_generation();
		order_seen[tid].n = -1;
	}
}

/*
 * Incremental points: an mdev's watched fields are compared with their
 * snapshot only when some access touched them since the last point.  Every
 * instrumented access of a watched granule reaches rules_watch, which
 * stamps its object's snap.touched with point_seq (a store the compiler
 * folded into an earlier load of the same function is stamped by that
 * load); so an mdev not touched in this interval is unchanged,
 * while its watch holds (sim_shadow_watched: the ranges were installed at
 * the point that made the snapshot, and freeing the mdev ends them).  The
 * apm_max..adm_max words between the watched masks are written once, by
 * the mdev's creation, before its snapshot.  Without a shadow region (ASan
 * and KASAN_INLINE=0 builds) nothing is watched and every point compares.
 * apsim_rules_verify(true) compares anyway and counts the skips that would
 * have missed a change (tests/check_snapshot.c).
 */
static bool verify_on;
static unsigned long verify_missed, verify_skipped;

static inline bool untouched(const struct snap *s, const struct ap_matrix_mdev *mm)
{
	return s->touched != point_seq && sim_shadow_watched(mm->matrix.apm);
}

static inline bool snap_same(const struct snap *s, const struct ap_matrix_mdev *mm)
{
	return !memcmp(&s->matrix, &mm->matrix, MDEV_SPAN) &&
	       s->v[F_MDEV_KVM] == (uint64_t)(uintptr_t)mm->kvm;
}

/* With verification on: does the skip hold?  (false: compare as always) */
static noinline bool verify_skip_slow(const struct snap *s, const struct ap_matrix_mdev *mm)
{
	verify_skipped++;
	if (snap_same(s, mm))
		return false;
	verify_missed++;
	return true;
}

static inline bool verify_skip(const struct snap *s, const struct ap_matrix_mdev *mm)
{
	return verify_on && verify_skip_slow(s, mm);
}

void apsim_rules_verify(bool on, unsigned long *skipped, unsigned long *missed)
{
	if (skipped)
		*skipped = verify_skipped;
	if (missed)
		*missed = verify_missed;
	verify_on = on;
	verify_skipped = verify_missed = 0;
}

/*
 * A quiet point: no access touched a watched field since the last point
 * (any_touch), no kvm was created or freed and no kvm's masks changed
 * (shim_kvm_epoch), and the last point compared in full and left every
 * listed mdev watched, over the same matrix_dev.  Then nothing a full point
 * compares can differ: each mdev is untouched (as untouched() decides it,
 * its watch still holding: the walk below), the list is unchanged (its head
 * and every listed node are watched, so a list_add or list_del touches),
 * and each kvm's hook is a watched field.  Most points are quiet (91 % of
 * D2's); apsim_rules_verify(true) compares them anyway and counts as missed
 * a quiet point at which the full compare found a change.
 */
static inline bool point_quiet(void)
{
	struct ap_matrix_mdev *mm;

	if (point_full || any_touch == point_seq || ranges_dirty || !list_valid ||
	    full_nlisted >= MAX_WATCH || full_dev != matrix_dev ||
	    shim_kvm_epoch() != full_kvm_epoch)
		return false;
	list_for_each_entry(mm, &matrix_dev->mdev_list, node)
		if (!sim_shadow_watched(mm->matrix.apm))
			return false;
	return true;
}

/* rules_point with the driver live: compare the watched fields with their
 * snapshots, check the order. */
static noinline void point_check(int tid)
{
	struct ap_matrix_mdev *mm;
	int n = 0, nkvm;
	uint64_t lh = 0xcbf29ce484222325ULL;
	unsigned long changes = point_changes;
	bool quiet;

	if (snap_gen != sim_generation()) {
		snap_gen = sim_generation();
		/* access records need no reset: point_seq only grows */
		for (int i = 0; i < MAX_WATCH; i++) {
			mdev_snap[i].valid = kvm_snap[i].valid = false;
			mdev_key[i] = NULL;
		}
		mdev_hi = kvm_hi = 0;
		list_valid = false;
		nranges = 0;	/* the slab's reset cleared the watches */
		ranges_changed();
		nrseen = 0;
		ranges_dirty = true;
	}
	if (R.norder)
		check_order(tid);
	quiet = point_quiet();
	if (quiet && !verify_on) {
		point_seq++;
		return;
	}
	/* mdev_list membership and per-mdev fields */
	list_for_each_entry(mm, &matrix_dev->mdev_list, node) {
		lh = (lh ^ (uint64_t)(uintptr_t)mm) * 0x100000001b3ULL;
		if (n < MAX_WATCH) {
			struct snap *s = NULL;
			int h = pos_hint[n];

			if (mdev_key[h] == mm)	/* where this list position was */
				s = &mdev_snap[h];
			else
				for (int i = 0; i < MAX_WATCH; i++)
					if (mdev_key[i] == mm) {
						s = &mdev_snap[i];
						pos_hint[n] = (int8_t)i;
						break;
					}
			if (!s) {
				for (int i = 0; i < MAX_WATCH && !s; i++)
					if (!mdev_key[i]) {
						s = &mdev_snap[i];
						mdev_key[i] = mm;
						pos_hint[n] = (int8_t)i;
						if (i >= mdev_hi)
							mdev_hi = i + 1;
					}
				if (s) {
					s->valid = true;
					s->obj = mm;
					s->v[F_MDEV_KVM] = (uint64_t)(uintptr_t)mm->kvm;
					s->matrix = mm->matrix;
					s->shadow = mm->shadow_apcb;
#if APSIM_HAS_EVENTFD_REQ
					s->v[F_MDEV_REQ] = (uint64_t)(uintptr_t)mm->req_trigger;
#endif
					ranges_dirty = true;
				}
			} else {
				/* compared only when an access touched it since the
				 * last point; unchanged is the common case (one compare) */
				bool skip = untouched(s, mm) && !verify_skip(s, mm);
				bool changed = !skip && !snap_same(s, mm);

				if (changed && s->v[F_MDEV_KVM] != (uint64_t)(uintptr_t)mm->kvm) {
					check_field(tid, F_MDEV_KVM, n, &s->w[F_MDEV_KVM]);
					s->v[F_MDEV_KVM] = (uint64_t)(uintptr_t)mm->kvm;
				}
				if (changed && memcmp(&s->matrix, &mm->matrix, sizeof(s->matrix))) {
					check_field(tid, F_MDEV_MATRIX, n, &s->w[F_MDEV_MATRIX]);
					s->matrix = mm->matrix;
				}
				if (changed && memcmp(&s->shadow, &mm->shadow_apcb, sizeof(s->shadow))) {
					check_field(tid, F_MDEV_SHADOW, n, &s->w[F_MDEV_SHADOW]);
					s->shadow = mm->shadow_apcb;
				}
#if APSIM_HAS_EVENTFD_REQ
				if (s->v[F_MDEV_REQ] != (uint64_t)(uintptr_t)mm->req_trigger) {
					check_field(tid, F_MDEV_REQ, n, &s->w[F_MDEV_REQ]);
					s->v[F_MDEV_REQ] = (uint64_t)(uintptr_t)mm->req_trigger;
				}
#endif
			}
		}
		n++;
	}
	if (list_valid && lh != list_hash) {
		check_field(tid, F_MDEV_LIST, -1, &list_w);
		/* forget snapshots of mdevs no longer listed */
		for (int i = 0; i < mdev_hi; i++) {
			bool found = false;

			if (!mdev_snap[i].valid)
				continue;
			list_for_each_entry(mm, &matrix_dev->mdev_list, node)
				if (mdev_snap[i].obj == mm)
					found = true;
			if (!found) {
				mdev_snap[i].valid = false;
				mdev_key[i] = NULL;
				ranges_dirty = true;
			}
		}
	}
	list_hash = lh;
	list_valid = true;
	/* kvm fields */
	nkvm = shim_kvm_count();
	for (int k = 0; k < nkvm && k < MAX_WATCH; k++) {
		struct kvm *kvm = shim_kvm_get(k);
		struct snap *s = &kvm_snap[k];
		uint64_t hook, apcb;

		if (!kvm) {
			if (s->valid)
				ranges_dirty = true;
			s->valid = false;
			continue;
		}
		hook = (uint64_t)(uintptr_t)kvm->arch.crypto.pqap_hook;
		/* the checker's read, not the kernel's: shim_kvm_masks_updates is
		 * not instrumented (kvm.c), so the race detector never sees it */
		apcb = (uint64_t)shim_kvm_masks_updates(kvm);
		if (s->valid && s->obj == kvm) {
			if (s->v[F_KVM_HOOK] != hook)
				check_field(tid, F_KVM_HOOK, k, &s->w[F_KVM_HOOK]);
			if (s->v[F_KVM_APCB] != apcb)
				check_field(tid, F_KVM_APCB, k, &s->w[F_KVM_APCB]);
		} else {
			ranges_dirty = true;
		}
		s->valid = true;
		if (k >= kvm_hi)
			kvm_hi = k + 1;
		s->obj = kvm;
		s->v[F_KVM_HOOK] = hook;
		s->v[F_KVM_APCB] = apcb;
	}
	if (quiet) {	/* (verify_on): a change is a check or a new set of watches */
		verify_skipped++;
		if (point_changes != changes || ranges_dirty)
			verify_missed++;
	}
	if (ranges_dirty)
		ranges_rebuild();
	full_kvm_epoch = shim_kvm_epoch();
	full_nlisted = n;
	full_dev = matrix_dev;
	point_full = false;
	point_seq++;
}

/* The scheduler's point hook (many points have no driver loaded). */
static void rules_point(int tid, void *arg)
{
	(void)arg;
	if (apsim_world_driver_live() && matrix_dev && tid >= 0)
		point_check(tid);
}

void apsim_rules_enable(bool on)
{
	char err[256];

	if (on && !R.loaded && apsim_rules_load(NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "apsim: built-in rules: %s\n", err);
		return;
	}
	R.enabled = on;
	point_full = true;
	sim_set_point_hook(on ? rules_point : NULL, NULL);
	sim_shadow_set_watcher(on ? rules_watch : NULL);
	if (!on)
		ranges_rebuild();
}

/* Run fn with the field watches paused: an inspection of the driver's state
 * by the executor or a test is not an access of the driver's. */
void apsim_rules_unwatched(void (*fn)(void *), void *arg)
{
	sim_shadow_set_watcher(NULL);
	fn(arg);
	sim_shadow_set_watcher(R.enabled ? rules_watch : NULL);
	point_full = true;	/* (what fn did touched nothing) */
}

/* The document the loaded rules encode (`document PATH`), "" if none. */
const char *apsim_rules_document(void)
{
	return R.doc;
}

/* ------------------------------------------------------ world snapshots */

/*
 * The checker's part of a world snapshot (driver/world/world.c): its
 * per-execution caches as the set-up part left them.  They are valid for
 * the execution counter (sim_generation) they carry; the restored execution
 * has a new counter, so what was current at the snapshot is copied and
 * stamped with it, and the rest stays stale.  The rules themselves and the
 * rank cache do not change within an exploration.
 */
static struct {
	uint32_t gen;             /* sim_generation() at the snapshot */
	uint32_t snap_gen;
	uint64_t list_hash;
	bool list_valid;
	struct snap mdev[MAX_WATCH], kvm[MAX_WATCH];
	int mdev_hi, kvm_hi;
	__typeof__(order_seen[0]) order[SIM_MAX_THREADS];
	/* the field watches (wt-rules): the shadow's marks are restored with the
	 * allocator's region, these with the checker; point_seq too, so that the
	 * access records' intervals compare as in the saving execution */
	const void *mdev_key[MAX_WATCH];
	struct wrec list_w;
	struct range ranges[MAX_RANGES];
	int nranges;
	uint32_t ranges_id;
	bool ranges_dirty;
	uintptr_t rseen[RSEEN];
	int nrseen;
	uint32_t point_seq;
	__typeof__(read_checked) read_checked;
	__typeof__(store_checked) store_checked;
	int order_hi;              /* threads below it may have a saved order */
} rs;

/*
 * A slot into the snapshot: all but its access records, and the records
 * written since the last save or restore (the wdirty bits).  The others
 * are the snapshot's already: a record is written only by rules_watch,
 * which sets its bit; a save or a restore makes the slot's records equal
 * to the snapshot's and clears the bits (a restore leaves the bits of a
 * slot it skips).  Bytes, padding too (apsim_rules_snapshot_check).  The
 * records are 3,024 of a slot's 3,344 bytes, and of the 64 slots' 214 KB
 * a generated world writes a few records.
 */
static void snap_save_slot(struct snap *to, const struct snap *s, uint8_t wdirty)
{
	memcpy(to, s, offsetof(struct snap, w));
	for (unsigned m = wdirty; m; m &= m - 1) {
		int f = __builtin_ctz(m);

		memcpy(&to->w[f], &s->w[f], sizeof(to->w[f]));
	}
}

void apsim_rules_snapshot_save(void)
{
	rs.gen = sim_generation();
	rs.snap_gen = snap_gen;
	rs.list_hash = list_hash;
	rs.list_valid = list_valid;
	for (int i = 0; i < MAX_WATCH; i++) {
		snap_save_slot(&rs.mdev[i], &mdev_snap[i], mdev_wdirty[i]);
		snap_save_slot(&rs.kvm[i], &kvm_snap[i], kvm_wdirty[i]);
	}
	rs.mdev_hi = mdev_hi;
	rs.kvm_hi = kvm_hi;
	memcpy(rs.mdev_key, mdev_key, sizeof(mdev_key));
	rs.list_w = list_w;
	memcpy(rs.ranges, ranges, sizeof(ranges[0]) * (size_t)nranges);
	rs.nranges = nranges;
	rs.ranges_id = ranges_id;
	rs.ranges_dirty = ranges_dirty;
	memcpy(rs.rseen, rseen, sizeof(rseen));
	rs.nrseen = nrseen;
	rs.point_seq = point_seq;
	memcpy(rs.read_checked, read_checked, sizeof(read_checked));
	memcpy(rs.store_checked, store_checked, sizeof(store_checked));
	memset(mdev_wdirty, 0, sizeof(mdev_wdirty));
	memset(kvm_wdirty, 0, sizeof(kvm_wdirty));
	rs.order_hi = 0;
	for (int t = 0; t < SIM_MAX_THREADS; t++) {
		rs.order[t].gen = order_seen[t].gen;
		if (order_seen[t].gen == rs.gen) {
			rs.order_hi = t + 1;
			rs.order[t].n = order_seen[t].n;
			if (order_seen[t].n > 0)
				memcpy(rs.order[t].held, order_seen[t].held,
				       sizeof(order_seen[t].held[0]) * (size_t)order_seen[t].n);
		}
	}
}

/* A slot as saved: all but its access records, and the records of the
 * fields written since (the others still hold the saved ones). */
static void snap_restore_slot(struct snap *d, const struct snap *from, uint8_t *wdirty)
{
	memcpy(d, from, offsetof(struct snap, w));
	for (unsigned m = *wdirty; m; m &= m - 1) {
		int f = __builtin_ctz(m);

		memcpy(&d->w[f], &from->w[f], sizeof(d->w[f]));
	}
	*wdirty = 0;
}

/* After a restore (tests): the slots valid in the snapshot that differ
 * from it. */
unsigned long apsim_rules_snapshot_check(void)
{
	unsigned long bad = 0;

	if (rs.snap_gen != rs.gen)
		return 0;
	for (int i = 0; i < MAX_WATCH; i++) {
		bad += rs.mdev[i].valid && memcmp(&mdev_snap[i], &rs.mdev[i], sizeof(rs.mdev[i]));
		bad += rs.kvm[i].valid && memcmp(&kvm_snap[i], &rs.kvm[i], sizeof(rs.kvm[i]));
	}
	return bad;
}

/* At the start of an execution restored from the snapshot (no point yet). */
void apsim_rules_snapshot_restore(void)
{
	uint32_t g = sim_generation();

	point_full = true;

	if (rs.snap_gen == rs.gen) {
		snap_gen = g;
		list_hash = rs.list_hash;
		list_valid = rs.list_valid;
		int mn = mdev_hi > rs.mdev_hi ? mdev_hi : rs.mdev_hi;
		int kn = kvm_hi > rs.kvm_hi ? kvm_hi : rs.kvm_hi;

		for (int i = 0; i < mn; i++)
			if (rs.mdev[i].valid || mdev_snap[i].valid)
				snap_restore_slot(&mdev_snap[i], &rs.mdev[i], &mdev_wdirty[i]);
		for (int i = 0; i < kn; i++)
			if (rs.kvm[i].valid || kvm_snap[i].valid)
				snap_restore_slot(&kvm_snap[i], &rs.kvm[i], &kvm_wdirty[i]);
		mdev_hi = rs.mdev_hi;
		kvm_hi = rs.kvm_hi;
		memcpy(mdev_key, rs.mdev_key, sizeof(mdev_key));
		list_w = rs.list_w;
		memcpy(ranges, rs.ranges, sizeof(ranges[0]) * (size_t)rs.nranges);
		nranges = rs.nranges;
		ranges_id = rs.ranges_id;
		ranges_dirty = rs.ranges_dirty;
		memcpy(rseen, rs.rseen, sizeof(rseen));
		nrseen = rs.nrseen;
		point_seq = rs.point_seq;
		memcpy(read_checked, rs.read_checked, sizeof(read_checked));
		memcpy(store_checked, rs.store_checked, sizeof(store_checked));
	}   /* else no point of the set-up part saw the driver: stale anyway */
	for (int t = 0; t < rs.order_hi; t++)
		if (rs.order[t].gen == rs.gen) {
			order_seen[t].gen = g;
			order_seen[t].n = rs.order[t].n;
			if (rs.order[t].n > 0)
				memcpy(order_seen[t].held, rs.order[t].held,
				       sizeof(order_seen[t].held[0]) * (size_t)rs.order[t].n);
		}
}
