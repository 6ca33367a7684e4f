/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/check_shim_base.c - the generic shim kernel: checked slab (UAF with
 * both sites, double free, leaks, failslab), kstrto* semantics, s390 MSB0
 * bitops, printk_ratelimited, sysfs dispatch by name and show-buffer overflow, vfio unregister
 * blocking until close, the driver-data restore, and the state memo's word
 * hash.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/device.h>
#include <linux/vfio.h>
#include <linux/mdev.h>
#include <linux/delay.h>
#include "vfio_ap_private.h"
#include "driver/kernel/base.h"
#include "check_util.h"
#include "check_shim_util.h"

static struct sim_result run(sim_fn main, sim_fn teardown)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);
	struct sim_result r;

	tu_shim_fresh();
	ck_assert_int_eq(sim_run(&o, main, teardown, NULL, &r), 0);
	return r;
}

static const struct sim_finding *find_sig(const char *prefix)
{
	for (int i = 0; i < sim_findings_count(); i++)
		if (!strncmp(sim_finding_get(i)->signature, prefix, strlen(prefix)))
			return sim_finding_get(i);
	return NULL;
}

/* ------------------------------------------------------------------ slab */

static int basic_ok;

static void slab_basic(void *arg)
{
	u8 *a = kzalloc(100, GFP_KERNEL);
	u64 *b = kcalloc(4, sizeof(u64), GFP_KERNEL);
	char *s = kstrdup("abc", GFP_KERNEL);

	basic_ok = a && b && s && !strcmp(s, "abc") && ((uintptr_t)b % 8) == 0;
	for (int i = 0; i < 100; i++)
		basic_ok &= a[i] == 0;
	basic_ok &= shim_slab_live_count() == 3;
	kfree(a);
	kfree(b);
	kfree(s);
	kfree(NULL);
	basic_ok &= shim_slab_live_count() == 0;
}

START_TEST(test_slab_basic)
{
	struct sim_result r = run(slab_basic, NULL);

	ck_assert_int_eq(r.nfindings, 0);
	ck_assert(basic_ok);
}
END_TEST

static volatile int sink;

static int *uaf_alloc_obj(void)
{
	return kmalloc(64, GFP_KERNEL);
}

static void uaf_free_obj(int *p)
{
	kfree(p);
}

static void slab_uaf(void *arg)
{
	int *p = uaf_alloc_obj();

	p[3] = 1;
	uaf_free_obj(p);
	sink = p[3];	/* faults: freed slot is PROT_NONE */
}

/* The exact modes, one per loop iteration: shadow memory (the default of
 * APSIM_KASAN builds; guard pages without it) and guard pages. */
static const int slab_modes[] = { SHIM_SLAB_SHADOW, SHIM_SLAB_GUARD };

static void slab_mode_set(int i)
{
	shim_slab_set_mode(slab_modes[i]);
}

START_TEST(test_slab_uaf)
{
	const struct sim_finding *f;

	if (tu_asan())
		return;
	slab_mode_set(_i);
	run(slab_uaf, NULL);
	f = find_sig("memory:use-after-free:uaf_alloc_obj@slab_uaf");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->kind, SIM_F_MEMORY);
	ck_assert_ptr_nonnull(strstr(f->report, "BUG: KASAN: use-after-free in slab_uaf"));
	ck_assert_ptr_nonnull(strstr(f->report,
				     shim_slab_mode() == SHIM_SLAB_SHADOW ?
				     "Read of size 4 at offset 12" : "Read of size ? at offset 12"));
	ck_assert_ptr_nonnull(strstr(f->report, "Allocated by task"));
	ck_assert_ptr_nonnull(strstr(f->report, "(uaf_alloc_obj)"));
	ck_assert_ptr_nonnull(strstr(f->report, "Freed by task"));
	ck_assert_ptr_nonnull(strstr(f->report, "(uaf_free_obj)"));
	ck_assert_ptr_null(strstr(f->report, "0x7f"));
	shim_slab_set_mode(-1);
}
END_TEST

/* Shadow mode only: bounds are byte-exact at the access (guard pages
 * see an overflow into the < 8 bytes of slack only at kfree). */
static void slab_oob_exact(void *arg)
{
	char *p = kmalloc(10, GFP_KERNEL);

	sink = p[9];
	sink = p[10];
}

struct locked_obj {
	long pad;
	struct mutex lock;
};

static struct locked_obj *lock_obj_alloc(void)
{
	struct locked_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	mutex_init(&o->lock);
	return o;
}

/* a lock taken in a freed object (libsim's sync code is not instrumented,
 * it checks its object at every entry) */
static void slab_lock_after_free(void *arg)
{
	struct locked_obj *o = lock_obj_alloc();

	kfree(o);
	mutex_lock(&o->lock);
}

static void slab_wild(void *arg)
{
	char *p = kmalloc(8, GFP_KERNEL);

	sink = p[1 << 16];	/* slab memory nobody was given */
}

/* The slab in shadow mode (after one execution: the mode applies at the
 * first allocation); false, mode reset, in a KASAN=0 build. */
static bool shadow_mode_on(void)
{
	shim_slab_set_mode(SHIM_SLAB_SHADOW);
	run(slab_basic, NULL);
	if (shim_slab_mode() != SHIM_SLAB_SHADOW) {	/* KASAN=0 build */
		shim_slab_set_mode(-1);
		return false;
	}
	return true;
}

START_TEST(test_slab_shadow)
{
	const struct sim_finding *f;

	if (tu_asan())
		return;
	if (!shadow_mode_on())
		return;
	ck_assert_int_eq(run(slab_basic, NULL).nfindings, 0);
	ck_assert(basic_ok);
	run(slab_oob_exact, NULL);
	f = find_sig("memory:slab-out-of-bounds:slab_oob_exact@slab_oob_exact");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "Read of size 1 at offset 10 of a 10-byte object (past its end)"));
	run(slab_lock_after_free, NULL);
	f = find_sig("memory:use-after-free:lock_obj_alloc@slab_lock_after_free");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "Write of size"));
	ck_assert_ptr_nonnull(strstr(f->report, "Freed by task"));
	run(slab_wild, NULL);
	ck_assert_ptr_nonnull(find_sig("memory:wild-memory-access@slab_wild"));
	shim_slab_set_mode(-1);
}
END_TEST

/* ---- the shadow's race gate (inline instrumentation, sim/shadow.c) ---- */

static long *gate_obj;

static void gate_store_a(void *arg)
{
	for (int i = 0; i < 4; i++)
		gate_obj[1] = i;
}

static void gate_store_b(void *arg)
{
	for (int i = 0; i < 4; i++)
		gate_obj[1] = 100 + i;
}

/* two threads store the same slab word without a lock: a race */
static void gate_race(void *arg)
{
	gate_obj = kzalloc(4 * sizeof(long), GFP_KERNEL);
	sim_thread_spawn("alpha", gate_store_a, NULL);
	sim_thread_spawn("beta", gate_store_b, NULL);
	sim_thread_join_all(SIM_SITE);
	kfree(gate_obj);
}

/* a read after free, past the object's end, and a clean read */
static void gate_uaf(void *arg)
{
	long *p = kzalloc(4 * sizeof(long), GFP_KERNEL);

	sink = (char)p[3];
	kfree(p);
	sink = (char)p[2];
}

static void gate_oob(void *arg)
{
	char *p = kmalloc(13, GFP_KERNEL);

	sink = p[12];
	sink = p[13];
	kfree(p);
}

static struct sim_result run_races(sim_fn main, bool races)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RANDOM, 3);
	struct sim_result r;

	o.races = races;
	tu_shim_fresh();
	ck_assert_int_eq(sim_run(&o, main, NULL, NULL, &r), 0);
	return r;
}

/*
 * The detector toggled between executions: memory errors are found the
 * same with it on (every slab access reaches the hook) and off (only bad
 * ones do), races only with it on, and nothing is found in a clean
 * execution after a toggle.
 */
START_TEST(test_slab_race_gate)
{
	if (tu_asan())
		return;
	if (!shadow_mode_on())
		return;
	for (int round = 0; round < 2; round++) {
		run_races(gate_race, true);
		ck_assert_ptr_nonnull(find_sig("race:gate_store_a,gate_store_b"));
		ck_assert_int_eq(run_races(gate_race, false).nfindings, 0);
		for (int on = 0; on < 2; on++) {
			ck_assert_int_eq(run_races(gate_uaf, on).nfindings, 1);
			ck_assert_ptr_nonnull(find_sig("memory:use-after-free:gate_uaf@gate_uaf"));
			ck_assert_int_eq(run_races(gate_oob, on).nfindings, 1);
			ck_assert_ptr_nonnull(find_sig("memory:slab-out-of-bounds:gate_oob@gate_oob"));
			ck_assert_int_eq(run_races(slab_basic, on).nfindings, 0);
			ck_assert(basic_ok);
		}
	}
	shim_slab_set_mode(-1);
}
END_TEST

static void slab_oob(void *arg)
{
	char *p = kmalloc(4096, GFP_KERNEL);

	p[4096] = 1;	/* guard page */
}

START_TEST(test_slab_oob)
{
	if (tu_asan())
		return;
	slab_mode_set(_i);
	run(slab_oob, NULL);
	ck_assert_ptr_nonnull(find_sig("memory:slab-out-of-bounds:slab_oob@slab_oob"));
	shim_slab_set_mode(-1);
}
END_TEST

/* The arena keeps page protections across executions: a layout that
 * changes from one execution to the next must still put the guard page and
 * the freed slots of this execution out of reach. */
static int layout_step;

static void slab_layout(void *arg)
{
	char *p, *q;

	switch (layout_step) {
	case 0:		/* a 3-page object left live, a freed one behind it */
		p = kmalloc(3 * 4096, GFP_KERNEL);
		q = kmalloc(64, GFP_KERNEL);
		p[0] = 1;
		kfree(q);
		break;
	case 1:		/* a 1-page object: its guard was an object page */
		p = kmalloc(4096, GFP_KERNEL);
		p[4096] = 1;
		break;
	case 2:		/* where run 0 freed q, a live object now; then freed */
		p = kmalloc(3 * 4096, GFP_KERNEL);
		q = kmalloc(64, GFP_KERNEL);
		q[0] = 1;
		kfree(p);
		kfree(q);
		sink = p[5000];
		break;
	}
}

START_TEST(test_slab_layout_changes)
{
	if (tu_asan())
		return;
	slab_mode_set(_i);
	layout_step = 0;
	ck_assert_int_eq(run(slab_layout, NULL).nfindings, 0);
	layout_step = 1;
	run(slab_layout, NULL);
	ck_assert_ptr_nonnull(find_sig("memory:slab-out-of-bounds:slab_layout"));
	layout_step = 2;
	run(slab_layout, NULL);
	ck_assert_ptr_nonnull(find_sig("memory:use-after-free:slab_layout"));
	ck_assert_ptr_nonnull(strstr(find_sig("memory:use-after-free:slab_layout")->report,
				     "offset 5000"));
	shim_slab_set_mode(-1);
}
END_TEST

/* Opt-in poison mode: no page protection; a write after free is reported
 * by the end-of-execution check, with both sites. */
static void slab_poison_waf(void *arg)
{
	int *p = uaf_alloc_obj();

	uaf_free_obj(p);
	p[3] = 7;
	shim_slab_leak_check();
}

START_TEST(test_slab_poison_mode)
{
	const struct sim_finding *f;

	if (tu_asan())
		return;
	shim_slab_set_poison_mode(true);
	run(slab_poison_waf, NULL);
	shim_slab_set_poison_mode(false);
	f = find_sig("memory:use-after-free:uaf_alloc_obj");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "offset 12"));
	ck_assert_ptr_nonnull(strstr(f->report, "(uaf_free_obj)"));
	run(slab_uaf, NULL);	/* back to exact mode */
	ck_assert_ptr_nonnull(find_sig("memory:use-after-free:uaf_alloc_obj"));
}
END_TEST

static void slab_double_free(void *arg)
{
	void *p = kmalloc(10, GFP_KERNEL);

	kfree(p);
	kfree(p);
}

START_TEST(test_slab_double_free)
{
	const struct sim_finding *f;

	run(slab_double_free, NULL);
	f = find_sig("memory:double-free:slab_double_free");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "Freed (first) by task"));
}
END_TEST

/*
 * kfree finds an object's slot by the tag the allocator keeps in the
 * redzone before it (shadow mode), and trusts it only when that slot's
 * object is this one: a tag copied from another object (here a's, written
 * into b's redzone without the shadow check, as a stray write past a
 * neighbour would leave it) must not free a instead of b.
 */
static int tag_ok;

__attribute__((no_sanitize_address)) static void raw_copy8(void *dst, const void *src)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;

	for (int i = 0; i < 8; i++)
		d[i] = s[i];
}

static void slab_tag_clobbered(void *arg)
{
	char *a = kmalloc(24, GFP_KERNEL);
	char *b = kmalloc(40, GFP_KERNEL);

	raw_copy8(b - 8, a - 8);	/* b's tag now names a's slot */
	kfree(b);
	tag_ok = shim_slab_live_count() == 1 && shim_ksize(a) == 24 && shim_ksize(b) == 0;
	kfree(a);
	tag_ok &= shim_slab_live_count() == 0;
}

START_TEST(test_slab_tag_clobbered)
{
	struct sim_result r = run(slab_tag_clobbered, NULL);

	ck_assert_int_eq(r.nfindings, 0);	/* no invalid or double free */
	ck_assert(tag_ok);
}
END_TEST

static int leaked;

static void slab_leak(void *arg)
{
	void *keep = kmalloc(10, GFP_KERNEL);
	void *persist = kmalloc(20, GFP_KERNEL);
	void *keep2 = kzalloc(30, GFP_KERNEL);   /* another line, same function */

	(void)keep;
	(void)keep2;
	shim_slab_set_persistent(persist, true);
}

static void leak_teardown(void *arg)
{
	leaked = shim_slab_leak_check();
}

START_TEST(test_slab_leak)
{
	const struct sim_finding *f;

	run(slab_leak, leak_teardown);
	ck_assert_int_eq(leaked, 2);
	/* one signature per allocating function and file, no line number (a
	 * patch that moves the allocation keeps it); the report counts both
	 * objects of the two allocation lines and names the first one's line */
	ck_assert_int_eq(sim_findings_count(), 1);
	f = find_sig("memory:leak:slab_leak@check_shim_base.c");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->signature, "memory:leak:slab_leak@check_shim_base.c");
	ck_assert_int_eq(f->kind, SIM_F_MEMORY);
	ck_assert_ptr_nonnull(strstr(f->report, "unreferenced object(s): 2, 40 bytes"));
	ck_assert_ptr_nonnull(strstr(f->report, "check_shim_base.c:"));
}
END_TEST

static void *fs_res[4];

static void *failslab_target(void)
{
	return kmalloc(8, GFP_KERNEL);
}

static void slab_failslab(void *arg)
{
	shim_slab_fail_set("failslab_target", 2);
	for (int i = 0; i < 3; i++)
		fs_res[i] = failslab_target();
	fs_res[3] = kmalloc(8, GFP_KERNEL);	/* other site: never fails */
	for (int i = 0; i < 4; i++)
		kfree(fs_res[i]);
}

START_TEST(test_slab_failslab)
{
	run(slab_failslab, NULL);
	ck_assert_ptr_nonnull(fs_res[0]);
	ck_assert_ptr_null(fs_res[1]);
	ck_assert_ptr_nonnull(fs_res[2]);
	ck_assert_ptr_nonnull(fs_res[3]);
	ck_assert_int_eq(shim_slab_failed_count(), 1);
}
END_TEST

/* --------------------------------------------------------------- lib/bits */

START_TEST(test_kstrtoul)
{
	unsigned long v = 77;
	unsigned int u;
	int i;

	ck_assert_int_eq(kstrtoul("0x1f", 0, &v), 0);
	ck_assert_uint_eq(v, 31);
	ck_assert_int_eq(kstrtoul("017", 0, &v), 0);
	ck_assert_uint_eq(v, 15);
	ck_assert_int_eq(kstrtoul("42\n", 0, &v), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(kstrtoul("ff", 16, &v), 0);
	ck_assert_uint_eq(v, 255);
	ck_assert_int_eq(kstrtoul("0xff", 16, &v), 0);
	ck_assert_uint_eq(v, 255);
	v = 9;
	ck_assert_int_eq(kstrtoul("42\n\n", 0, &v), -EINVAL);
	ck_assert_int_eq(kstrtoul(" 42", 0, &v), -EINVAL);
	ck_assert_int_eq(kstrtoul("", 0, &v), -EINVAL);
	ck_assert_int_eq(kstrtoul("-1", 0, &v), -EINVAL);
	ck_assert_int_eq(kstrtoul("12x", 10, &v), -EINVAL);
	ck_assert_int_eq(kstrtoul("99999999999999999999", 10, &v), -ERANGE);
	ck_assert_uint_eq(v, 9);
	ck_assert_int_eq(kstrtouint("4294967296", 10, &u), -ERANGE);
	ck_assert_int_eq(kstrtoint("-5", 10, &i), 0);
	ck_assert_int_eq(i, -5);
}
END_TEST

START_TEST(test_bitops_inv)
{
	DECLARE_BITMAP(m, 256) = { 0 };
	unsigned long bit, seen[4], n = 0;

	set_bit_inv(0, m);
	ck_assert_uint_eq(m[0], 1UL << 63);
	ck_assert(test_bit_inv(0, m));
	ck_assert(test_bit(63, m));
	set_bit_inv(63, m);
	ck_assert_uint_eq(m[0], (1UL << 63) | 1UL);
	set_bit_inv(64, m);
	ck_assert_uint_eq(m[1], 1UL << 63);
	set_bit_inv(200, m);
	ck_assert_uint_eq(find_first_bit_inv(m, 256), 0);
	for_each_set_bit_inv(bit, m, 256)
		if (n < 4)
			seen[n++] = bit;
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(seen[0], 0);
	ck_assert_uint_eq(seen[1], 63);
	ck_assert_uint_eq(seen[2], 64);
	ck_assert_uint_eq(seen[3], 200);
	clear_bit_inv(0, m);
	ck_assert_uint_eq(find_first_bit_inv(m, 256), 63);
	ck_assert_uint_eq(bitmap_weight(m, 256), 3);
	bitmap_clear(m, 0, 256);
	ck_assert(bitmap_empty(m, 256));
	ck_assert_uint_eq(find_first_bit_inv(m, 256), 256);
}
END_TEST

/* linux/hashtable.h: hash_for_each visits only buckets added to since
 * hash_init (a bit per bucket after the heads), in bucket order, the same
 * entries as a walk of every head; hash_del leaves the bit (a superset),
 * hash_init clears it. */
struct ht_ent {
	int key;
	struct hlist_node node;
};

static int ht_walk_all(struct hlist_head *ht, unsigned int n, int *out)
{
	struct ht_ent *e;
	int k = 0;

	for (unsigned int b = 0; b < n; b++)
		hlist_for_each_entry(e, &ht[b], node)
			out[k++] = e->key;
	return k;
}

typedef DECLARE_HASHTABLE(ht256_t, 8);

/* hash_for_each over *tp visits what a walk of every bucket does, in the
 * same order; returns how many. */
static int ht_walk_check(ht256_t *tp)
{
	static int want[600], got[600];
	struct ht_ent *e;
	int n = ht_walk_all(*tp, 256, want), k = 0, bkt;

	hash_for_each((*tp), bkt, e, node)
		got[k++] = e->key;
	ck_assert_int_eq(k, n);
	ck_assert_mem_eq(got, want, sizeof(int) * (size_t)n);
	return n;
}

START_TEST(test_hashtable_occupancy)
{
	ht256_t t;
	DECLARE_HASHTABLE(s, 3);
	static struct ht_ent ent[600];
	int want[600], got[600], n, k, bkt;
	struct ht_ent *e;
	struct hlist_node *tmp;

	ck_assert_uint_eq(HASH_SIZE(t), 256);
	ck_assert_uint_eq(HASH_BITS(t), 8);
	ck_assert_uint_eq(HASH_SIZE(s), 8);
	ck_assert_uint_eq(HASH_BITS(s), 3);
	ck_assert_uint_eq(sizeof(t), 256 * sizeof(struct hlist_head) + 4 * sizeof(long));
	memset(t, 0xa5, sizeof(t));	/* hash_init must clear the bits too */
	hash_init(t);
	ck_assert(hash_empty(t));
	k = 0;
	hash_for_each(t, bkt, e, node)
		k++;
	ck_assert_int_eq(k, 0);
	ck_assert_int_eq(bkt, 256);
	/* several keys per bucket, buckets in every bitmap word */
	for (int i = 0; i < 600; i++) {
		ent[i].key = (i * 7919) % 1500;
		hash_add(t, &ent[i].node, ent[i].key);
	}
	ck_assert(!hash_empty(t));
	ck_assert_int_eq(ht_walk_check(&t), 600);
	/* delete all but a few: the walk still matches the full one */
	for (int i = 0; i < 600; i++)
		if (i % 97)
			hash_del(&ent[i].node);
	n = ht_walk_all(t, 256, want);
	ck_assert_int_eq(n, 7);
	k = 0;
	hash_for_each_safe(t, bkt, tmp, e, node) {
		got[k++] = e->key;
		hash_del(&e->node);
	}
	ck_assert_int_eq(k, n);
	ck_assert_mem_eq(got, want, sizeof(int) * (size_t)n);
	ck_assert(hash_empty(t));	/* bits left set, buckets empty */
	/* sparse: a word's tail empty, the next word's low bits set */
	{
		static const unsigned int target[] = { 10, 67, 130, 131, 255 };

		hash_init(t);
		for (int i = 0; i < 5; i++) {
			int key = 0;

			while (hash_min(key, 8) != target[i])
				key++;
			ent[i].key = key;
			hash_add(t, &ent[i].node, key);
		}
		ck_assert_int_eq(ht_walk_check(&t), 5);
		for (int i = 0; i < 5; i++)
			hash_del(&ent[i].node);
	}
	/* a break stops the walk at its entry */
	hash_add(t, &ent[1].node, 5);
	hash_add(t, &ent[2].node, 200);
	hash_for_each(t, bkt, e, node)
		if (e->key == ent[1].key)
			break;
	ck_assert_ptr_eq(e, &ent[1]);
	hash_init(s);
	hash_add(s, &ent[3].node, 3);
	k = 0;
	hash_for_each(s, bkt, e, node)
		k++;
	ck_assert_int_eq(k, 1);
	hash_for_each_possible(s, e, node, 3)
		ck_assert_ptr_eq(e, &ent[3]);
}
END_TEST

START_TEST(test_formatter)
{
	char buf[128];
	dma_addr_t nib = 0x1234;
	guid_t g;

	shim_snprintf(buf, sizeof(buf), "nib=%pad x=%#04x s=%s", &nib, 5, "ok");
	ck_assert_str_eq(buf, "nib=0x0000000000001234 x=0x05 s=ok");
	shim_snprintf(buf, sizeof(buf), "%p", buf);
	ck_assert_str_eq(buf, "(ptrval)");
	shim_guid_from_index(3, &g);
	shim_snprintf(buf, sizeof(buf), "%pUl", &g);
	ck_assert_str_eq(buf, "00000003-5a5a-4000-8000-000000000003");
	ck_assert_int_eq(scnprintf(buf, 4, "%s", "abcdef"), 3);
}
END_TEST

/* Formats of numbers and characters go whole to the fast formatter, the
 * others one conversion at a time: both are the C library's output and
 * length, for every buffer size (truncation), on either path. */
#define SAME_AS_LIBC(...) do {							\
		char want_[96], got_[96];					\
		int nw_ = snprintf(want_, sizeof(want_), __VA_ARGS__);		\
		for (size_t len_ = 0; len_ <= (size_t)nw_ + 2; len_++) {	\
			memset(got_, 0x5a, sizeof(got_));			\
			ck_assert_int_eq(shim_snprintf(got_, len_, __VA_ARGS__), nw_); \
			if (len_) {						\
				ck_assert_int_eq(strncmp(got_, want_, len_ - 1), 0); \
				ck_assert_int_eq(got_[len_ - 1 < (size_t)nw_ ? len_ - 1 : (size_t)nw_], 0); \
			} else {						\
				ck_assert_int_eq((unsigned char)got_[0], 0x5a); \
			}							\
		}								\
	} while (0)

START_TEST(test_formatter_numbers_as_libc)
{
	SAME_AS_LIBC("%02x.%04x", 0x0a, 0x1f);
	SAME_AS_LIBC("%d %i %u %x %X %c|", -7, 8, 9u, 0xabu, 0xcdu, 'q');
	SAME_AS_LIBC("%-5d|%5d|%05d|%-4x|", 42, -42, 42, 0x2au);
	SAME_AS_LIBC("%ld %lu %lld %llu %zu %lx", -1L, 2UL, -3LL, 4ULL, (size_t)5, 0xfeUL);
	SAME_AS_LIBC("%hhd %hd %hhu %hu", 300, 70000, 300, 70000);
	SAME_AS_LIBC("100%% of %d", 3);
	SAME_AS_LIBC("no conversion");
	SAME_AS_LIBC("%s=%d %.2s", "name", 5, "abc");	/* the other path */
	SAME_AS_LIBC("%*d|%#x|%+d", 4, 7, 0x10u, 3);	/* the other path */
}
END_TEST

/* ------------------------------------------------- printk_ratelimited */

/* The kernel's rate limit (lib/ratelimit.c): 10 messages per 5 s from one
 * call site, then "N callbacks suppressed" when the next interval starts;
 * a suppressed message's arguments are not even evaluated. */
static int evals;

static const char *counted(const char *s)
{
	evals++;
	return s;
}

static void say(int i)
{
	pr_notice_ratelimited("msg %d %s\n", i, counted("ok"));
}

static void ratelimit_prog(void *arg)
{
	for (int i = 0; i < 25; i++)
		say(i);
	msleep(5100);                    /* past the 5 s interval */
	say(25);
}

START_TEST(test_printk_ratelimited)
{
	struct sim_opts o = tu_opts(SIM_STRAT_RR, 1);
	struct sim_result r;
	char *buf = NULL, *p;
	size_t len = 0;
	int printed = 0;
	FILE *f;

	tu_shim_fresh();
	o.trace = true;
	evals = 0;
	ck_assert_int_eq(sim_run(&o, ratelimit_prog, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(evals, 11);
	f = open_memstream(&buf, &len);
	sim_trace_print(f, 200);
	fclose(f);
	for (p = buf; (p = strstr(p, "printk notice: msg ")); p++)
		printed++;
	ck_assert_int_eq(printed, 11);
	ck_assert_ptr_nonnull(strstr(buf, "msg 9 ok"));
	ck_assert_ptr_null(strstr(buf, "msg 10 "));
	ck_assert_ptr_nonnull(strstr(buf, "say: 15 callbacks suppressed"));
	ck_assert_ptr_nonnull(strstr(buf, "msg 25 ok"));
	ck_assert(strstr(buf, "callbacks suppressed") < strstr(buf, "msg 25 ok"));
	free(buf);
}
END_TEST

/* ------------------------------------------------- printk %s arguments */

/* The kernel's string() reads a %s argument in KASAN-instrumented code:
 * printing a freed string, or one without its NUL, is a KASAN report;
 * a precision bounds the read; NULL and error pointers print as
 * check_pointer_msg() does. */
static char pr_out[4][32];
static bool pr_overrun;
static char *volatile pr_null;   /* (not a constant: no format warning) */

static void printk_freed_prog(void *arg)
{
	char *name = kstrdup("vfio_ap_queue", GFP_KERNEL);

	kfree(name);
	pr_info("queue %s\n", name);
}

static void printk_unterminated_prog(void *arg)
{
	char *p = kmalloc(4, GFP_KERNEL);

	memcpy(p, "abcd", 4);
	shim_snprintf(pr_out[0], sizeof(pr_out[0]), "[%.4s]", p);   /* bounded: fine */
	shim_snprintf(pr_out[1], sizeof(pr_out[1]), "[%s]", pr_null);
	shim_snprintf(pr_out[2], sizeof(pr_out[2]), "[%s]", (char *)ERR_PTR(-ENODEV));
	if (pr_overrun)
		shim_snprintf(pr_out[3], sizeof(pr_out[3]), "[%s]", p);
	kfree(p);
}

/* sprintf of numbers into a buffer too small for them: the formatter's
 * stores go through the shadow checks on its fast path too */
static void sprintf_overflow_prog(void *arg)
{
	char *p = kmalloc(6, GFP_KERNEL);

	shim_sprintf(p, "%02x.%04x", 0x0a, 0x1f);	/* 7 bytes and the NUL */
	kfree(p);
}

START_TEST(test_sprintf_numbers_checked)
{
	const struct sim_finding *f;

	if (tu_asan() || shim_slab_mode() != SHIM_SLAB_SHADOW)
		return;	/* ASan owns the checks; KASAN=0: no shadow */
	run(sprintf_overflow_prog, NULL);
	f = find_sig("memory:slab-out-of-bounds:");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "Write of size 1 at offset 6"));
}
END_TEST

START_TEST(test_printk_string_checked)
{
	const struct sim_finding *f;

	if (tu_asan() || shim_slab_mode() != SHIM_SLAB_SHADOW)
		return;	/* ASan owns the checks; KASAN=0: no shadow */
	run(printk_freed_prog, NULL);
	f = find_sig("memory:use-after-free:");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "Read of size 1 at offset 0"));
	ck_assert_ptr_nonnull(strstr(f->report, "printk_freed_prog"));

	pr_overrun = false;
	run(printk_unterminated_prog, NULL);
	ck_assert_int_eq(sim_findings_count(), 0);
	ck_assert_str_eq(pr_out[0], "[abcd]");
	ck_assert_str_eq(pr_out[1], "[(null)]");
	ck_assert_str_eq(pr_out[2], "[(efault)]");
	pr_overrun = true;
	run(printk_unterminated_prog, NULL);
	f = find_sig("memory:slab-out-of-bounds:");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "Read of size 1 at offset 4"));
}
END_TEST

/* ---------------------------------------------------------------- sysfs */

static char val[32] = "init";
static int overflow_mode;

static ssize_t knob_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	if (overflow_mode) {
		memset(buf, 'x', PAGE_SIZE + 8);	/* past the page: guard */
		return PAGE_SIZE;
	}
	return sysfs_emit(buf, "%s\n", val);
}

static ssize_t knob_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	snprintf(val, sizeof(val), "%.*s", (int)strcspn(buf, "\n"), buf);
	return count;
}
static DEVICE_ATTR_RW(knob);
static struct attribute *t_attrs[] = { &dev_attr_knob.attr, NULL };
static const struct attribute_group t_group = { .attrs = t_attrs };

static struct device tdev;
static ssize_t r_write, r_read, r_unknown;
static char rbuf[PAGE_SIZE];

static void tdev_release(struct device *dev)
{
}

static void sysfs_prog(void *arg)
{
	memset(&tdev, 0, sizeof(tdev));
	dev_set_name(&tdev, "tdev");
	tdev.release = tdev_release;
	ck_assert_int_eq(device_register(&tdev), 0);
	ck_assert_int_eq(sysfs_create_group(&tdev.kobj, &t_group), 0);
	/* fs/sysfs/group.c internal_create_group (6.1, 6.12): a group with
	 * neither attrs nor bin_attrs is -EINVAL; the same group twice -EEXIST */
	{
		static const struct attribute_group empty = { .name = "empty" };

		ck_assert_int_eq(sysfs_create_group(&tdev.kobj, &empty), -EINVAL);
		ck_assert_int_eq(sysfs_create_group(&tdev.kobj, &t_group), -EEXIST);
	}
	r_write = shim_sysfs_write(&tdev, "knob", "hello\n", 6);
	r_read = shim_sysfs_read(&tdev, "knob", rbuf);
	r_unknown = shim_sysfs_read(&tdev, "nope", rbuf + 100);
	if (overflow_mode)
		return;
	sysfs_remove_group(&tdev.kobj, &t_group);
	ck_assert_int_eq(shim_sysfs_read(&tdev, "knob", rbuf + 200), -ENOENT);
	device_unregister(&tdev);
}

START_TEST(test_sysfs_dispatch)
{
	struct sim_result r;

	overflow_mode = 0;
	r = run(sysfs_prog, NULL);
	for (int i = 0; i < sim_findings_count(); i++)
		fprintf(stderr, "%s\n%s\n", sim_finding_get(i)->signature,
			sim_finding_get(i)->report ? sim_finding_get(i)->report : "");
	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(r_write, 6);
	ck_assert_int_eq(r_read, 6);
	ck_assert_str_eq(rbuf, "hello\n");
	ck_assert_int_eq(r_unknown, -ENOENT);
}
END_TEST

START_TEST(test_sysfs_overflow)
{
	const struct sim_finding *f;

	if (tu_asan())
		return;
	overflow_mode = 1;
	run(sysfs_prog, NULL);
	f = find_sig("memory:sysfs-show-overflow");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->report, "sysfs show buffer overflow"));
}
END_TEST

/* ----------------------------------------------------------------- vfio */

struct tmdev {
	struct vfio_device vdev;
	int opened;
};

static int t_unmaps;
static u64 t_unpin_on_unmap;
static bool t_open_probe;	/* open_device looks at the container's list */
static int t_open_ret;
static int t_unmaps_in_open, t_listed_in_open;
static struct mdev_device *tm;

static int t_open(struct vfio_device *v)
{
	if (t_open_probe) {
		struct page *pg;
		int before = t_unmaps;

		t_listed_in_open = !list_empty(&v->iommu_entry);
		if (t_open_ret)
			return t_open_ret;
		/* a pin in the mapping: an unmap notifies the listed devices */
		ck_assert_int_eq(vfio_pin_pages(v, 0x5000, 1, IOMMU_READ, &pg), 1);
		t_unpin_on_unmap = 0x5000;
		shim_vfio_dma_unmap(tm, 0x5000, 0x1000);
		t_unpin_on_unmap = 0;
		t_unmaps_in_open = t_unmaps - before;
		if (shim_vfio_pinned_count(tm))		/* not notified */
			vfio_unpin_pages(v, 0x5000, 1);
		return 0;
	}
	container_of(v, struct tmdev, vdev)->opened++;
	return 0;
}

static void t_close(struct vfio_device *v)
{
	container_of(v, struct tmdev, vdev)->opened--;
}

static void t_release(struct vfio_device *v)
{
	if (!APSIM_VFIO_CORE_FREES)	/* 6.1: the driver frees its device */
		vfio_free_device(v);
}

static u64 t_unmap_iova, t_unmap_len, t_unpin_on_unmap;

static void t_dma_unmap(struct vfio_device *v, u64 iova, u64 len)
{
	t_unmaps++;
	t_unmap_iova = iova;
	t_unmap_len = len;
	if (t_unpin_on_unmap)
		vfio_unpin_pages(v, t_unpin_on_unmap, 1);
}

static const struct vfio_device_ops t_ops = {
	.open_device = t_open, .close_device = t_close,
	.release = t_release, .dma_unmap = t_dma_unmap,
};

static int t_probe(struct mdev_device *mdev)
{
	struct tmdev *t = vfio_alloc_device(tmdev, vdev, &mdev->dev, &t_ops);
	int ret;

	if (IS_ERR(t))
		return PTR_ERR(t);
	ret = vfio_register_emulated_iommu_dev(&t->vdev);
	if (ret) {
		vfio_put_device(&t->vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, t);
	return 0;
}

static void t_remove(struct mdev_device *mdev)
{
	struct tmdev *t = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&t->vdev);
	vfio_put_device(&t->vdev);
}

static struct mdev_driver t_driver = {
	.max_instances = 2, .device_api = "test",   /* mdev_register_driver: -EINVAL without */
	.driver = { .name = "tmdev" },
	.probe = t_probe, .remove = t_remove,
};
static struct device tparent;
static struct mdev_type t_type = { .sysfs_name = "t" };
static struct mdev_type *t_types[] = { &t_type };
static struct mdev_parent t_parent;
static uint64_t t_closed_at, t_removed_at;
static int t_pins_after_close;
static bool t_leave_pin;	/* close with the page still pinned */

static void t_user(void *arg)
{
	struct page *pg;

	ck_assert_int_eq(shim_vfio_open(tm, NULL), 0);
	ck_assert_int_eq(vfio_pin_pages(shim_mdev_vfio_device(tm), 0x5000, 1,
					IOMMU_READ, &pg), 1);
	ck_assert_uint_eq(page_to_phys(pg), 0x5000);
	msleep(50);
	if (!t_leave_pin)
		vfio_unpin_pages(shim_mdev_vfio_device(tm), 0x5000, 1);
	t_closed_at = sim_now_ns();
	shim_vfio_close(tm);
	t_pins_after_close = shim_vfio_pinned_count(tm);
}

static void t_remover(void *arg)
{
	msleep(10);		/* the device is open by now */
	ck_assert_int_eq(shim_mdev_remove(tm), 0);
	t_removed_at = sim_now_ns();
}

/* The test parent device, the test mdev driver and its parent registered
 * (the vfio tests' world), and taken down again. */
static void t_parent_up(void)
{
	memset(&tparent, 0, sizeof(tparent));
	dev_set_name(&tparent, "tparent");
	tparent.release = tdev_release;
	ck_assert_int_eq(device_register(&tparent), 0);
	ck_assert_int_eq(mdev_register_driver(&t_driver), 0);
	ck_assert_int_eq(mdev_register_parent(&t_parent, &tparent, &t_driver, t_types, 1), 0);
}

static void t_parent_down(void)
{
	mdev_unregister_parent(&t_parent);
	mdev_unregister_driver(&t_driver);
	device_unregister(&tparent);
}

static void vfio_prog(void *arg)
{
	t_parent_up();
	ck_assert_int_eq(shim_mdev_create(0, &tm), 0);
	ck_assert_str_eq(dev_name(shim_mdev_device(tm)), "00000000-5a5a-4000-8000-000000000000");
	ck_assert_int_eq(shim_mdev_create(0, NULL), -EEXIST);
	sim_thread_spawn("user", t_user, NULL);
	sim_thread_spawn("remover", t_remover, NULL);
	sim_thread_join_all(SIM_SITE);
	t_parent_down();
}

static int vfio_leaks;

static void vfio_teardown(void *arg)
{
	vfio_leaks = shim_slab_leak_check();
}

START_TEST(test_vfio_unregister_waits_for_close)
{
	struct sim_result r = run(vfio_prog, vfio_teardown);

	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_uint_gt(t_closed_at, 0);
	ck_assert_uint_ge(t_removed_at, t_closed_at);
	ck_assert_int_eq(t_pins_after_close, 0);
	ck_assert_int_eq(vfio_leaks, 0);
}
END_TEST

/* 6.1: a pin the driver still holds when the user goes away is a WARN
 * (vfio_remove_dma at container release), not silently dropped. */
START_TEST(test_vfio_pin_left_at_close_warns)
{
	struct sim_result r;

	t_leave_pin = true;
	r = run(vfio_prog, vfio_teardown);
	t_leave_pin = false;
	ck_assert_int_eq(r.nfindings, 1);
	ck_assert_int_eq(t_pins_after_close, 0);
	ck_assert_int_eq(vfio_leaks, 0);
}
END_TEST

static void unpin_bad(void *arg)
{
	vfio_prog(NULL);
}

static void unpin_prog(void *arg)
{
	t_parent_up();
	ck_assert_int_eq(shim_mdev_create(1, &tm), 0);
	ck_assert_int_eq(shim_vfio_open(tm, NULL), 0);
	vfio_unpin_pages(shim_mdev_vfio_device(tm), 0x9000, 1);
	shim_vfio_close(tm);
}

/*
 * vfio_iommu_type1 (6.1 and 6.12): pins are found by their exact iova
 * (vfio_find_vpfn), so unpinning the page's start leaves an unaligned pin;
 * VFIO_IOMMU_UNMAP_DMA notifies the driver with the whole mapping
 * (vfio_notify_dma_unmap: dma->iova, dma->size) and removes it once no pin
 * is left; a later pin there fails with -EINVAL (vfio_iommu_type1_pin_pages:
 * no vfio_dma), an unpin there WARNs (vfio_iommu_type1_unpin_pages:
 * WARN_ON(i != npage)).
 */
static int t1_pins[3], t1_pin_after;

static void type1_prog(void *arg)
{
	struct vfio_device *v;
	struct page *pg;

	t_parent_up();
	ck_assert_int_eq(shim_mdev_create(2, &tm), 0);
	ck_assert_int_eq(shim_vfio_open(tm, NULL), 0);
	v = shim_mdev_vfio_device(tm);
	ck_assert_int_eq(vfio_pin_pages(v, 0x5123, 1, IOMMU_READ, &pg), 1);
	vfio_unpin_pages(v, 0x5000, 1);                 /* not this pin */
	t1_pins[0] = shim_vfio_pinned_count(tm);
	t_unmaps = 0;
	t_unpin_on_unmap = 0x5123;                      /* the driver unpins it */
	shim_vfio_dma_unmap(tm, 0x5000, 0x1000);
	t_unpin_on_unmap = 0;
	t1_pins[1] = shim_vfio_pinned_count(tm);
	t1_pin_after = vfio_pin_pages(v, 0x5123, 1, IOMMU_READ, &pg);
	vfio_unpin_pages(v, 0x5123, 1);                 /* no mapping: WARN */
	shim_vfio_close(tm);
	ck_assert_int_eq(shim_vfio_open(tm, NULL), 0);  /* mapped again */
	t1_pins[2] = vfio_pin_pages(v, 0x5123, 1, IOMMU_READ, &pg);
	vfio_unpin_pages(v, 0x5123, 1);
	shim_vfio_close(tm);
	ck_assert_int_eq(shim_mdev_remove(tm), 0);
	t_parent_down();
}

/*
 * When a device joins the container's list (its DMA unmap notifications):
 * 6.1 registers it after open_device, 6.2+ before (vfio_device_group_use_iommu
 * in vfio_df_device_first_open), so there a VFIO_IOMMU_UNMAP_DMA can reach
 * the driver while open_device runs; a failed open_device leaves the list.
 */
static int reg_listed[4], reg_unmaps;

static void register_order_prog(void *arg)
{
	struct vfio_device *v;

	t_parent_up();
	ck_assert_int_eq(shim_mdev_create(2, &tm), 0);
	v = shim_mdev_vfio_device(tm);
	t_open_probe = true;
	t_open_ret = -EIO;			/* open_device fails */
	ck_assert_int_eq(shim_vfio_open(tm, NULL), -EIO);
	reg_listed[0] = t_listed_in_open;
	reg_listed[1] = !list_empty(&v->iommu_entry);
	t_open_ret = 0;				/* open_device succeeds */
	ck_assert_int_eq(shim_vfio_open(tm, NULL), 0);
	reg_unmaps = t_unmaps_in_open;
	reg_listed[2] = !list_empty(&v->iommu_entry);
	t_open_probe = false;
	shim_vfio_close(tm);
	reg_listed[3] = !list_empty(&v->iommu_entry);
	ck_assert_int_eq(shim_mdev_remove(tm), 0);
	t_parent_down();
}

START_TEST(test_vfio_container_register_order)
{
	struct sim_result r = run(register_order_prog, NULL);

	ck_assert_int_eq(r.nfindings, 0);
	ck_assert_int_eq(reg_listed[0], APSIM_VFIO_REGISTER_FIRST);	/* during open_device */
	ck_assert_int_eq(reg_listed[1], 0);	/* a failed open leaves the list */
	ck_assert_int_eq(reg_unmaps, APSIM_VFIO_REGISTER_FIRST);	/* notified during open_device */
	ck_assert_int_eq(reg_listed[2], 1);
	ck_assert_int_eq(reg_listed[3], 0);	/* the last close leaves it */
}
END_TEST

START_TEST(test_vfio_type1_mapping_semantics)
{
	struct sim_result r = run(type1_prog, NULL);

	ck_assert_int_eq(t1_pins[0], 1);
	ck_assert_int_eq(t_unmaps, 1);
	ck_assert_uint_eq(t_unmap_iova, 0);
	ck_assert_uint_eq(t_unmap_len, 1ULL << 30);     /* the whole mapping */
	ck_assert_int_eq(t1_pins[1], 0);
	ck_assert_int_eq(t1_pin_after, -EINVAL);
	ck_assert_int_eq(t1_pins[2], 1);
	ck_assert_int_eq(r.nfindings, 1);
	ck_assert_int_eq(sim_finding_get(0)->kind, SIM_F_WARN);
	ck_assert_str_eq(sim_finding_get(0)->signature, "warn:vfio_unpin_pages");
}
END_TEST

/* vfio_iommu_type1 skips pages that are not pinned without a warning (the
 * driver's dma_unmap callback unpins whatever iova it is told about). */
START_TEST(test_vfio_unpin_not_pinned_silent)
{
	(void)unpin_bad;
	run(unpin_prog, NULL);
	ck_assert_ptr_null(tu_find(SIM_F_WARN));
}
END_TEST

/* --------------------------------------------------------- driver data */

START_TEST(test_driver_data_restore)
{
	tu_shim_fresh();
	ck_assert_ptr_null(matrix_dev);
	matrix_dev = (struct ap_matrix_dev *)&tdev;
	shim_driver_data_restore();
	ck_assert_ptr_null(matrix_dev);
}
END_TEST

/* ------------------------------------------------------- the state hash */

/*
 * shim_hash_words (the state memo's key, driver/kernel/module.c): a 32-bit
 * half equal to the execution's generation or one more is one constant,
 * wherever it lies (the 64-byte blocks take a vector test to find it, the
 * tail a word loop); any other change changes the hash.
 */
static void hash_of(const uint32_t *w, size_t nbytes, uint64_t out[2])
{
	out[0] = 1;
	out[1] = 2;
	shim_hash_words(out, w, nbytes);
}

START_TEST(test_state_hash_generation)
{
	uint32_t w[52], g = sim_generation();	/* 208 bytes: 3 blocks, then words, then 0-7 bytes */
	uint64_t ref[2], h[2];

	for (int i = 0; i < 52; i++)
		w[i] = 0x01000193u * (uint32_t)(i + 7);
	for (size_t n = 200; n <= 208; n += 4)
		for (int k = 0; k < (int)(n / 4); k++) {
			uint32_t keep = w[k];

			w[k] = g;
			hash_of(w, n, ref);
			w[k] = g + 1;
			hash_of(w, n, h);
			ck_assert_msg(h[0] == ref[0] && h[1] == ref[1], "n %zu half %d: g+1 != g", n, k);
			w[k] = 0x9e3779b9u;	/* what a stamp stands for */
			hash_of(w, n, h);
			ck_assert(h[0] == ref[0] && h[1] == ref[1]);
			w[k] = g + 2;
			hash_of(w, n, h);
			ck_assert_msg(h[0] != ref[0] || h[1] != ref[1], "n %zu half %d: g+2 == g", n, k);
			w[k] = keep;
		}
	hash_of(w, 208, ref);
	hash_of(w, 204, h);
	ck_assert(h[0] != ref[0] || h[1] != ref[1]);	/* the length counts */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shim_base");
	TCase *tc = tcase_create("base");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_slab_basic);
	tcase_add_test(tc, test_printk_ratelimited);
	tcase_add_test(tc, test_printk_string_checked);
	tcase_add_loop_test(tc, test_slab_uaf, 0, 2);
	tcase_add_loop_test(tc, test_slab_oob, 0, 2);
	tcase_add_loop_test(tc, test_slab_layout_changes, 0, 2);
	tcase_add_test(tc, test_slab_shadow);
	tcase_add_test(tc, test_slab_race_gate);
	tcase_add_test(tc, test_slab_poison_mode);
	tcase_add_test(tc, test_slab_double_free);
	tcase_add_test(tc, test_slab_tag_clobbered);
	tcase_add_test(tc, test_slab_leak);
	tcase_add_test(tc, test_slab_failslab);
	tcase_add_test(tc, test_kstrtoul);
	tcase_add_test(tc, test_bitops_inv);
	tcase_add_test(tc, test_hashtable_occupancy);
	tcase_add_test(tc, test_formatter);
	tcase_add_test(tc, test_formatter_numbers_as_libc);
	tcase_add_test(tc, test_sprintf_numbers_checked);
	tcase_add_test(tc, test_sysfs_dispatch);
	tcase_add_test(tc, test_sysfs_overflow);
	tcase_add_test(tc, test_vfio_unregister_waits_for_close);
	tcase_add_test(tc, test_vfio_pin_left_at_close_warns);
	tcase_add_test(tc, test_vfio_unpin_not_pinned_silent);
	tcase_add_test(tc, test_vfio_type1_mapping_semantics);
	tcase_add_test(tc, test_vfio_container_register_order);
	tcase_add_test(tc, test_driver_data_restore);
	tcase_add_test(tc, test_state_hash_generation);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
