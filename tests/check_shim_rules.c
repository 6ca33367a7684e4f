// SPDX-License-Identifier: GPL-2.0
/*
 * tests/check_shim_rules.c - the locking rules checker (driver/world/rules.c)
 * on the real driver: the rules file of the tree's series is the built-in
 * one, its parser's errors name FILE:LINE:COL, a read of a watched field
 * without the required lock is a finding naming the reading line (checked
 * at the load), a change is a finding naming the line that stored it,
 * alternatives (`A | B`) and `exempt` lines hold, and the shipped rules
 * find nothing on single-threaded paths.
 */
#include <linux/kernel.h>
#include <linux/kvm_host.h>
#include "vfio_ap_private.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/bitops.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/world/world.h"
#include "driver/scenario/scenario.h"
#include "check_util.h"

static struct apsim_scenario scn;
static struct apsim_exec ex;

static const char hdr[] =
	"scenario t\n"
	"host adapters 5,6 domains 4 control-domains 4\n"
	"host free-adapters 5,6\n"
	"host free-domains 4\n"
	"setup:\n"
	"    create_mdev m0\n"
	"    assign_adapter m0 5\n"
	"    assign_domain m0 4\n";

/* Load rules from text (a temporary file): 0 or the loader's error. */
static int load(const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/apsim-rules-XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	rc = apsim_rules_load(path, err, errlen);
	unlink(path);
	/* the error names the file: replace its random name */
	if (rc) {
		char *p = strstr(err, path);

		if (p) {
			memmove(p + 1, p + strlen(path), strlen(p + strlen(path)) + 1);
			*p = 'R';
		}
	}
	return rc;
}

static void use_rules(const char *text)
{
	char err[256];

	ck_assert_msg(load(text, err, sizeof(err)) == 0, "%s", err);
	apsim_rules_enable(true);
}

/* One execution (round robin) of hdr + body; returns the findings. */
static int run(const char *body)
{
	char text[4096], err[256];
	struct sim_opts o;
	struct sim_result r;

	snprintf(text, sizeof(text), "%s%s", hdr, body);
	ck_assert_msg(apsim_scn_parse_buf(text, strlen(text), "t.scn", &scn, err,
					  sizeof(err)) == 0, "%s", err);
	sim_opts_default(&o);
	o.strategy = SIM_STRAT_RR;
	o.trace = false;
	ck_assert_int_eq(apsim_world_run(&scn, &o, &r, &ex), 0);
	return sim_findings_count();
}

static const struct sim_finding *find(const char *sig)
{
	for (int i = 0; i < sim_findings_count(); i++)
		if (!strcmp(sim_finding_get(i)->signature, sig))
			return sim_finding_get(i);
	return NULL;
}

static const struct sim_finding *find_part(const char *part)
{
	for (int i = 0; i < sim_findings_count(); i++)
		if (strstr(sim_finding_get(i)->signature, part))
			return sim_finding_get(i);
	return NULL;
}

static void dump(void)
{
	for (int i = 0; i < sim_findings_count(); i++)
		fprintf(stderr, "finding: %s\n%s\n", sim_finding_get(i)->signature,
			sim_finding_get(i)->report ? sim_finding_get(i)->report : "");
}

static void teardown(void)
{
	char err[256];

	ck_assert_int_eq(apsim_rules_load(NULL, err, sizeof(err)), 0);
	apsim_rules_enable(true);
}

/* The built-in rules are the series' file, and find nothing on the
 * single-threaded paths that read and write every watched field. */
START_TEST(builtin_rules_of_the_series)
{
	char err[256];

	ck_assert_str_eq(apsim_rules_default_path(),
			 !strcmp(APSIM_KSERIES, "6.1") ? "rules/vfio-ap-locking.rules"
						       : "rules/vfio-ap-locking-6.12.rules");
	ck_assert_int_eq(apsim_rules_load(NULL, err, sizeof(err)), 0);
	/* the document it encodes is the series' one, extracted with the
	 * driver into the kernel tree apsim builds from */
	{
		char doc[4096];

		ck_assert_str_eq(apsim_rules_document(),
				 !strcmp(APSIM_KSERIES, "6.1") ? "Documentation/s390/vfio-ap-locking.rst"
							       : "Documentation/arch/s390/vfio-ap-locking.rst");
		snprintf(doc, sizeof(doc), "%s/%s", apsim_ksrc_path, apsim_rules_document());
		ck_assert_msg(access(doc, R_OK) == 0, "%s not extracted", doc);
	}
	apsim_rules_enable(true);
	if (run("    kvm_create k0 vcpus 1\n"
		"    assign_control_domain m0 4\n"
		"    read_matrix m0\n"
		"    read_control_domains m0\n"
		"    read_guest_matrix m0\n"
		"    open m0 k0\n"
		"    read_guest_matrix m0\n"
		"    unassign_domain m0 4\n"
		"    close m0\n"
		"    remove_mdev m0\n"))
		dump();
	ck_assert_int_eq(sim_findings_count(), 0);
}
END_TEST

START_TEST(parse_errors)
{
	static const struct {
		const char *text, *err;
	} t[] = {
		{ "bogus x\n", "R:1:1: error: expected 'document', 'order', 'field', 'read' or 'exempt'" },
		{ "\nfield nope requires a\n", "R:2:7: error: expected a watched field" },
		{ "read matrix_mdev.kvm needs a\n", "R:1:27: error: expected 'requires'" },
		{ "read matrix_mdev.kvm requires a |\n", "error: expected a lock name" },
		{ "read matrix_mdev.kvm requires a b\n", "R:1:33: error: expected ',' or ' | ' between lock names" },
		{ "order a -> b c\n", "R:1:14: error: expected ' -> ' between lock names" },
		{ "exempt write matrix_mdev.kvm in f\n", "R:1:8: error: expected 'read' or 'field'" },
		{ "exempt read matrix_mdev.kvm at f\n", "error: expected 'in FUNCTION'" },
		{ "document a b\n", "R:1:10: error: expected one document path" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = 0;
		ck_assert_int_lt(load(t[i].text, err, sizeof(err)), 0);
		ck_assert_msg(strstr(err, t[i].err), "%s: got '%s', wanted '%s'", t[i].text, err, t[i].err);
	}
#if !APSIM_HAS_EVENTFD_REQ
	ck_assert_int_lt(load("read matrix_mdev.req_trigger requires a\n", err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "is not a field of this tree's driver"), "%s", err);
#else
	ck_assert_int_eq(load("read matrix_mdev.req_trigger requires a\n", err, sizeof(err)), 0);
#endif
	/* a good file with every directive loads */
	ck_assert_msg(load("document D.rst\norder a -> b\nfield kvm.apcb requires write a | b, c\n"
			   "read matrix_mdev.kvm requires a\nexempt read matrix_mdev.kvm in f\n",
			   err, sizeof(err)) == 0, "%s", err);
}
END_TEST

#ifdef APSIM_KASAN
/* A read without the lock a read rule requires: a finding at the load,
 * naming the reading function and line, the document, the rule. */
START_TEST(read_rule_names_reading_line)
{
	const struct sim_finding *f;

	use_rules("document Doc.rst\nread matrix_mdev.matrix requires &kvm->lock\n");
	run("    read_matrix m0\n");
	f = find("rule:read:matrix_mdev.matrix:&kvm->lock@vfio_ap_mdev_matrix_show");
	if (!f)
		dump();
	ck_assert_ptr_nonnull(f);
	ck_assert(strstr(f->report, "apsim: locking rule violated (Doc.rst)"));
	ck_assert(strstr(f->report, "read matrix_mdev.matrix without holding &kvm->lock"));
	ck_assert(strstr(f->report, "read at: "));
	ck_assert(strstr(f->report, "vfio_ap_mdev_matrix_show (vfio_ap_ops.c:"));
	ck_assert(strstr(f->report, "Call Trace:\n"));
	ck_assert(strstr(f->report, "while doing: read_matrix m0"));
}
END_TEST

/* One of the alternatives held: no finding; the lock the show takes. */
START_TEST(read_rule_alternatives)
{
	use_rules("read matrix_mdev.matrix requires &kvm->lock | &matrix_dev->mdevs_lock\n");
	run("    read_matrix m0\n");
	ck_assert_ptr_null(find_part("@vfio_ap_mdev_matrix_show"));
	/* the same read with a rule the show does not meet */
	use_rules("read matrix_mdev.matrix requires &matrix_dev->mdevs_lock, &kvm->lock\n");
	run("    read_matrix m0\n");
	ck_assert_ptr_nonnull(find_part("@vfio_ap_mdev_matrix_show"));
}
END_TEST

/* `exempt read FIELD in FUNC`: not a finding when FUNC is on the stack.
 * First the same read without the exemption: the checker memoises what it
 * learnt of that stack, and must not reuse it under other rules. */
START_TEST(read_rule_exempt)
{
	use_rules("read matrix_mdev.matrix requires &kvm->lock\n");
	run("    read_matrix m0\n");
	ck_assert_ptr_nonnull(find_part("@vfio_ap_mdev_matrix_show"));
	use_rules("read matrix_mdev.matrix requires &kvm->lock\n"
		  "exempt read matrix_mdev.matrix in vfio_ap_mdev_matrix_show\n");
	run("    read_matrix m0\n"
	    "    assign_control_domain m0 4\n");
	ck_assert_ptr_null(find_part("@vfio_ap_mdev_matrix_show"));
	ck_assert_ptr_nonnull(find_part("@assign_control_domain_store"));
}
END_TEST

/* A change of a watched field without the lock its rule requires: the
 * finding names the line of the store (a set_bit in the store). */
START_TEST(write_rule_names_storing_line)
{
	const struct sim_finding *f;

	use_rules("field matrix_mdev.matrix requires &kvm->lock\n");
	run("    assign_control_domain m0 4\n");
	f = find("rule:matrix_mdev.matrix:&kvm->lock@assign_control_domain_store");
	if (!f)
		dump();
	ck_assert_ptr_nonnull(f);
	ck_assert(strstr(f->report, "changed matrix_mdev.matrix (of one instance) without holding &kvm->lock"));
	ck_assert(strstr(f->report, "written at: __set_bit (bitops.h:"));
	ck_assert(strstr(f->report, "assign_control_domain_store (vfio_ap_ops.c:"));
	ck_assert(!strstr(f->report, "its last load"));
	/* the APCB store of the kvm shim names the driver's caller */
	use_rules("field kvm.apcb requires ap_perms_mutex\n");
	run("    kvm_create k0 vcpus 1\n"
	    "    open m0 k0\n");
	f = find("rule:kvm.apcb:ap_perms_mutex@vfio_ap_mdev_update_guest_apcb");
	if (!f)
		dump();
	ck_assert_ptr_nonnull(f);
	ck_assert(strstr(f->report, "written at: kvm_arch_crypto_set_masks (kvm.c:"));
}
END_TEST

/*
 * The race detector on instrumented code: a set_bit's store is a write
 * (gcc checks the word once, with the load of the read-modify-write: the
 * shim's bitops call the store hook themselves), so a plain read racing it
 * is a race; the same two accesses ordered by a mutex are not.
 */
static unsigned long *word;
static DEFINE_MUTEX(word_lock);
static bool word_locked;

static void t_set(void *a)
{
	if (word_locked)
		mutex_lock(&word_lock);
	set_bit(5, word);
	if (word_locked)
		mutex_unlock(&word_lock);
}

static void t_read(void *a)
{
	const volatile unsigned long *p = word;

	if (word_locked)
		mutex_lock(&word_lock);
	(void)*p;
	if (word_locked)
		mutex_unlock(&word_lock);
}

static void bits_main(void *a)
{
	word = kzalloc(64, GFP_KERNEL);
	sim_thread_spawn("setter", t_set, NULL);
	sim_thread_spawn("reader", t_read, NULL);
	sim_thread_join_all(SIM_SITE);
	kfree(word);
}

static int bits_races(bool locked, char **rep)
{
	int found = 0;

	*rep = NULL;
	word_locked = locked;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		struct sim_opts o;
		struct sim_result r;

		sim_opts_default(&o);
		o.strategy = SIM_STRAT_RANDOM;
		o.seed = seed;
		o.races = true;
		shim_base_reset();
		ck_assert_int_eq(sim_run(&o, bits_main, NULL, NULL, &r), 0);
		for (int j = 0; j < sim_findings_count(); j++)
			if (sim_finding_get(j)->kind == SIM_F_DATA_RACE) {
				found++;
				if (!*rep)
					*rep = strdup(sim_finding_get(j)->report);
				break;
			}
	}
	return found;
}

START_TEST(race_set_bit_is_a_write)
{
	char *rep;

	ck_assert_int_eq(bits_races(false, &rep), 8);
	ck_assert_ptr_nonnull(rep);
	ck_assert_msg(strstr(rep, "write (marked) to slab+"), "%s", rep);
	ck_assert_msg(strstr(rep, "__set_bit (bitops.h:"), "%s", rep);
	ck_assert_msg(strstr(rep, "t_read (check_shim_rules.c:"), "%s", rep);
	free(rep);
	ck_assert_int_eq(bits_races(true, &rep), 0);
	free(rep);
}
END_TEST

/*
 * A watched granule reaches the watcher on two paths: a one-granule access
 * from the hook's inline check (sim/shadow.c watch_hit), any other access
 * through sim__shadow_check.  Both give the watcher the access, and the
 * same number of shadow.c frames above the accessing function: the rules
 * checker keeps a fixed number of frames of a store's stack, so one frame
 * more or less would change the call traces of its findings.
 */
struct wacc {
	uintptr_t a;
	size_t n;
	bool w;
	int shadow_frames;              /* shadow.c frames above the access */
	char func[96];                  /* the first frame below them */
};
static struct wacc wacc[4];
static int nwacc;

static void test_watcher(uintptr_t a, size_t n, bool is_write, uintptr_t pc)
{
	uintptr_t pcs[16];
	struct sim_frame fr[32];
	int nf = sim_symbolize_stack(pcs, sim_backtrace(pcs, 16), fr, 32), i = 0;
	struct wacc *w = &wacc[nwacc < 4 ? nwacc++ : 3];

	w->a = a;
	w->n = n;
	w->w = is_write;
	while (i < nf && !strcmp(fr[i].file, "check_shim_rules.c"))
		i++;	/* this function */
	for (w->shadow_frames = 0; i < nf && !strcmp(fr[i].file, "shadow.c"); i++)
		w->shadow_frames++;
	snprintf(w->func, sizeof(w->func), "%s", i < nf ? fr[i].func : "?");
}

static uint64_t *wbuf;

static noinline void w_access(void *a)
{
	volatile uint64_t *p = wbuf;

	(void)p[0];                                     /* one granule */
	(void)*(volatile uint64_t *)((char *)wbuf + 4); /* two granules */
	p[1] = 7;                                       /* one granule */
}

static void w_main(void *a)
{
	wbuf = kzalloc(64, GFP_KERNEL);
	ck_assert_int_eq(sim_shadow_watch(wbuf, 16, true), 0);
	sim_shadow_set_watcher(test_watcher);
	w_access(NULL);
	sim_shadow_set_watcher(NULL);
	sim_shadow_watch(wbuf, 16, false);
	kfree(wbuf);
}

START_TEST(watched_access_frames_on_both_paths)
{
	struct sim_opts o;
	struct sim_result r;

	apsim_rules_enable(false);
	nwacc = 0;
	sim_opts_default(&o);
	shim_base_reset();
	ck_assert_int_eq(sim_run(&o, w_main, NULL, NULL, &r), 0);
	ck_assert_int_eq(sim_findings_count(), 0);
	ck_assert_int_eq(nwacc, 3);
	ck_assert_uint_eq(wacc[0].a, (uintptr_t)wbuf);
	ck_assert_uint_eq(wacc[0].n, 8);
	ck_assert(!wacc[0].w);
	ck_assert_uint_eq(wacc[1].a, (uintptr_t)wbuf + 4);
	ck_assert_uint_eq(wacc[1].n, 8);
	ck_assert(!wacc[1].w);
	ck_assert_uint_eq(wacc[2].a, (uintptr_t)wbuf + 8);
	ck_assert(wacc[2].w);
	for (int i = 0; i < 3; i++) {
		/* the hook and the function that called the watcher */
		ck_assert_int_eq(wacc[i].shadow_frames, 2);
		ck_assert_str_eq(wacc[i].func, "w_access");
	}
}
END_TEST

/* The order: a lock taken while one the order puts after it is held (6.1
 * and 6.12 take &kvm->lock, then &matrix_dev->mdevs_lock, when a guest
 * opens the mdev); the order as the driver keeps it finds nothing. */
START_TEST(order_rule_on_the_held_stack)
{
	const struct sim_finding *f;

	use_rules("order &matrix_dev->mdevs_lock -> &kvm->lock\n");
	run("    kvm_create k0 vcpus 1\n"
	    "    open m0 k0\n");
	f = find("rule:order:&kvm->lock->&matrix_dev->mdevs_lock");
	if (!f)
		dump();
	ck_assert_ptr_nonnull(f);
	ck_assert(strstr(f->report, "took &matrix_dev->mdevs_lock while holding &kvm->lock"));
	use_rules("order &kvm->lock -> &matrix_dev->mdevs_lock\n");
	run("    kvm_create k0 vcpus 1\n"
	    "    open m0 k0\n");
	ck_assert_ptr_null(find_part("rule:order:"));
}
END_TEST
#else
/* Without the shadow (ASan, KASAN=0 builds) nothing is watched: read rules
 * find nothing, and changes are found without their line. */
START_TEST(no_watch_without_shadow)
{
	const struct sim_finding *f;

	use_rules("read matrix_mdev.matrix requires &kvm->lock\n"
		  "field matrix_mdev.matrix requires &kvm->lock\n");
	run("    read_matrix m0\n"
	    "    assign_control_domain m0 4\n");
	ck_assert_ptr_null(find_part("rule:read:"));
	f = find("rule:matrix_mdev.matrix:&kvm->lock");
	ck_assert_ptr_nonnull(f);
	ck_assert(strstr(f->report, "written at: (no instrumented store seen)"));
}
END_TEST
#endif

Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, builtin_rules_of_the_series);
	tcase_add_test(tc, parse_errors);
#ifdef APSIM_KASAN
	tcase_add_test(tc, read_rule_names_reading_line);
	tcase_add_test(tc, read_rule_alternatives);
	tcase_add_test(tc, read_rule_exempt);
	tcase_add_test(tc, write_rule_names_storing_line);
	tcase_add_test(tc, race_set_bit_is_a_write);
	tcase_add_test(tc, watched_access_frames_on_both_paths);
	tcase_add_test(tc, order_rule_on_the_held_stack);
#else
	tcase_add_test(tc, no_watch_without_shadow);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(rules_suite());
}
