/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/apbus.c - the s390 AP bus as the vfio_ap driver sees it.
 *
 * Owns: the "ap" bus_type and its queue devices (struct ap_queue from the
 * driver tree's ap_bus.h), ap_driver_register/unregister, the match/probe/
 * remove dispatch with the apmask/aqmask reservation rule, ap_perms and
 * ap_perms_mutex, ap_get_qdev, ap_owned_by_def_drv,
 * ap_apqn_in_matrix_owned_by_def_drv, ap_parse_mask_str, the apmask/aqmask
 * stores, the AP bus scan with the on_config_changed/on_scan_complete
 * callbacks, and a stand-in for zcrypt's default queue driver ("cex4queue",
 * AP_DRIVER_FLAG_DEFAULT).  Modelled on drivers/s390/crypto/ap_bus.c of
 * linux 6.1 (behaviour re-implemented here, not copied):
 *  - a queue device binds to a default driver iff its APQN is reserved
 *    (card in ap_perms.apm and domain in ap_perms.aqm), otherwise only to
 *    a non-default driver (vfio_ap); the probe reads the masks under
 *    ap_perms_mutex;
 *  - an apmask/aqmask store takes ap_perms_mutex, parses the new mask,
 *    asks every driver's in_use() about the APQNs being taken away from
 *    the non-default drivers (any nonzero answer -> -EBUSY), commits,
 *    unlocks, then reprobes every queue whose owner class changed;
 *  - the ownership helpers require the caller to hold ap_perms_mutex
 *    (lockdep_assert_held), or take it themselves under the legacy switch
 *    shim_ap_legacy_helper_locks (pre-3f85d1df).
 *  - bus scans are serialised: 6.1 runs ap_scan_bus as the single work
 *    item ap_scan_work, which ap_bus_force_rescan queues and flushes; the
 *    shim runs the scan in the caller under a mutex named after the work
 *    (so lockdep sees the work's dependencies as it sees flush_work's);
 *  - bind/unbind (the driver's sysfs bind/unbind files) pin the queue
 *    device like bus_find_device_by_name does, and bind of a bound queue
 *    is -EBUSY (device_driver_attach).
 * Deliberate difference: revising the bindings of a queue that has no
 * driver attaches it (6.1 would dereference the missing driver).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/lockdep.h>
#include <linux/bitops.h>
#include <linux/bitmap.h>
#include <linux/hashtable.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <asm/ap.h>
#include "ap_bus.h"

#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/snaparr.h"
#include "driver/kernel/s390.h"
/* (the host configuration comes as struct shim_ap_hostcfg, s390.h) */

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- globals */

int ap_domain_index = -1;
atomic_t ap_max_msg_size = ATOMIC_INIT(AP_DEFAULT_MAX_MSG_SIZE);
DEFINE_HASHTABLE(ap_queues, 8);
DEFINE_SPINLOCK(ap_queues_lock);
struct ap_perms ap_perms;
DEFINE_MUTEX(ap_perms_mutex);
/* stands for the work item ap_scan_work (queue_work + flush_work) */
static DEFINE_MUTEX(ap_scan_work);

bool shim_ap_legacy_helper_locks;

#define MAXQ (AP_DEVICES * AP_DOMAINS)   /* every APQN; a queue's slot is its APQN */
struct qrow { struct ap_queue *q[AP_DOMAINS]; u64 present[AP_DOMAINS / 64]; };   /* one card */
static struct {
	struct ap_config_info qci, qci_old;   /* the bus' view (last scan) */
	bool qci_valid;
	int nq;                               /* queue devices on the bus */
	struct qrow *row[AP_DEVICES]; u64 rows[AP_DEVICES / 64];   /* a card's row: on first use */
	bool bus_registered;
	int nscans;
} B;
static struct ap_queue **qslot(int i, bool alloc); static void qset(int i, struct ap_queue *aq); static void qrows_free(void); static void brow_dirty(int card);
static void ap_queue_device_release(struct device *dev);

static const struct device_type ap_queue_type = {
	.name = "ap_queue",
};

static int ap_bus_match(struct device *dev, struct device_driver *drv);
static int ap_device_probe(struct device *dev);
static void ap_device_remove(struct device *dev);

struct bus_type ap_bus_type;

static const struct bus_type ap_bus_type_init = {
	.name = "ap",
	.match = ap_bus_match,
	.probe = ap_device_probe,
	.remove = ap_device_remove,
};

static bool is_queue_dev(struct device *dev)
{
	return dev->type == &ap_queue_type;
}

/* ------------------------------------------------------ default driver */

static struct ap_device_id def_queue_ids[] = {
	{ .dev_type = AP_DEVICE_TYPE_CEX4, .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX5, .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX6, .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX7, .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ .dev_type = AP_DEVICE_TYPE_CEX8, .match_flags = AP_DEVICE_ID_MATCH_QUEUE_TYPE },
	{ /* end */ },
};

static int def_probe(struct ap_device *apdev)
{
	(void)apdev;
	return 0;
}

static void def_remove(struct ap_device *apdev)
{
	(void)apdev;
}

static struct ap_driver def_drv;

static const struct ap_driver def_drv_init = {
	.ids = def_queue_ids,
	.flags = AP_DRIVER_FLAG_DEFAULT,
	.probe = def_probe,
	.remove = def_remove,
};

/* ------------------------------------------------------------------ reset */

/* only the shim's static state: not instrumented (no checked store per
 * hash bucket) */
__attribute__((no_sanitize_address)) void shim_ap_bus_reset(void)
{
	qrows_free();   /* the slab shim has already dropped the queue objects */
	memset(&B, 0, sizeof(B));
	ap_bus_type = ap_bus_type_init;
	def_drv = def_drv_init;
	memset(ap_queues, 0, sizeof(ap_queues));	/* hash_init: all buckets empty */
	ap_queues_lock = (spinlock_t)__SPIN_LOCK_UNLOCKED(ap_queues_lock);
	ap_perms_mutex = (struct mutex)__MUTEX_INITIALIZER(ap_perms_mutex);
	ap_scan_work = (struct mutex)__MUTEX_INITIALIZER(ap_scan_work);
	memset(&ap_perms, 0, sizeof(ap_perms));
	ap_domain_index = -1;
	shim_ap_legacy_helper_locks = false;
}

void shim_s390_reset(void)
{
	shim_ap_hw_reset();
	shim_ap_bus_reset();
	shim_kvm_reset();
}

/* -------------------------------------------------------------- matching */

/* ap_bus_match (ap_bus.c, 6.1 and 6.12), queue devices only. */
static int ap_bus_match(struct device *dev, struct device_driver *drv)
{
	struct ap_driver *ap_drv = to_ap_drv(drv);
	struct ap_device_id *id;

	for (id = ap_drv->ids; id && id->match_flags; id++)
		if (is_queue_dev(dev) &&
		    (id->match_flags & AP_DEVICE_ID_MATCH_QUEUE_TYPE) &&
		    id->dev_type == to_ap_dev(dev)->device_type)
			return 1;
	return 0;
}

static bool apqn_reserved(int card, int queue)
{
	return test_bit_inv(card, ap_perms.apm) && test_bit_inv(queue, ap_perms.aqm);
}

/* ap_device_probe (ap_bus.c, 6.1 and 6.12), without
 * ap_check_bindings_complete. */
static int ap_device_probe(struct device *dev)
{
	struct ap_device *ap_dev = to_ap_dev(dev);
	struct ap_driver *ap_drv = to_ap_drv(dev->driver);
	int rc = -ENODEV;

	if (!get_device(dev))
		return rc;
	if (is_queue_dev(dev)) {
		int card = AP_QID_CARD(to_ap_queue(dev)->qid);
		int queue = AP_QID_QUEUE(to_ap_queue(dev)->qid);
		bool devres, drvres;

		/* reserved APQNs only for default drivers and vice versa */
		mutex_lock(&ap_perms_mutex);
		devres = apqn_reserved(card, queue);
		mutex_unlock(&ap_perms_mutex);
		drvres = ap_drv->flags & AP_DRIVER_FLAG_DEFAULT;
		if (devres != drvres)
			goto out;
	}
	spin_lock_bh(&ap_queues_lock);
	if (is_queue_dev(dev))
		hash_add(ap_queues, &to_ap_queue(dev)->hnode, to_ap_queue(dev)->qid);
	spin_unlock_bh(&ap_queues_lock);

	rc = ap_drv->probe ? ap_drv->probe(ap_dev) : -ENODEV;
	if (rc) {
		spin_lock_bh(&ap_queues_lock);
		if (is_queue_dev(dev))
			hash_del(&to_ap_queue(dev)->hnode);
		spin_unlock_bh(&ap_queues_lock);
	}
out:
	if (rc)
		put_device(dev);
	return rc;
}

/*
 * ap_device_remove (ap_bus.c, 6.1 and 6.12): the driver's remove, then
 * ap_queue_remove (ap_queue.c) resets the queue with ZAPQ under the
 * queue's lock (clearing its interruption registration) whatever the
 * driver left; the answer is ignored.  (The shim omitted the ZAPQ before
 * issue 14: an injected or busy ZAPQ answer was not consumed by it, and
 * the queue was not in reset after an unbind.)  ap_queue_prepare_remove's
 * flush has nothing to flush: no messages are modelled.
 */
static void ap_device_remove(struct device *dev)
{
	struct ap_device *ap_dev = to_ap_dev(dev);
	struct ap_driver *ap_drv = to_ap_drv(dev->driver);

	if (ap_drv->remove)
		ap_drv->remove(ap_dev);
	if (is_queue_dev(dev)) {
		struct ap_queue *aq = to_ap_queue(dev);

		spin_lock_bh(&aq->lock);
		apsim_hw_reset(aq->qid, true);	/* ap_zapq (dev_state: nobody reads it) */
		spin_unlock_bh(&aq->lock);
	}
	spin_lock_bh(&ap_queues_lock);
	if (is_queue_dev(dev))
		hash_del(&to_ap_queue(dev)->hnode);
	spin_unlock_bh(&ap_queues_lock);
	put_device(dev);
}

/* ap_get_qdev (ap_bus.c, 6.1 and 6.12): the kernel walks every bucket
 * (hash_for_each), not the qid's bucket.  The answer is the same either
 * way (queues of one qid can only be in its bucket, met in the same
 * order) and so are the lock and the points: only the cost differs.  The
 * shim looks in the qid's bucket (the walk's loads of 256 bucket heads
 * were ~3 % of a generated world's time), and walks them all, as the
 * kernel does, when shim_ap_kernel_lookup_cost is set: bench_apcb measures
 * what linking an APQN costs the kernel (docs/performance.md, "APCB commit
 * path"). */
bool shim_ap_kernel_lookup_cost;

__attribute__((no_sanitize_address)) struct ap_queue *ap_get_qdev(ap_qid_t qid)
{
	int bkt;
	struct ap_queue *aq;

	spin_lock_bh(&ap_queues_lock);
	if (shim_ap_kernel_lookup_cost) {
		hash_for_each(ap_queues, bkt, aq, hnode)
			if (aq->qid == qid)
				goto found;
	} else {
		hash_for_each_possible(ap_queues, aq, hnode, qid)
			if (aq->qid == qid)
				goto found;
	}
	spin_unlock_bh(&ap_queues_lock);
	return NULL;
found:
	get_device(&aq->ap_dev.device);
	spin_unlock_bh(&ap_queues_lock);
	return aq;
}

/* ap_driver_register / ap_driver_unregister (ap_bus.c, 6.1 and 6.12);
 * fault point `driver_register` through driver_register. */
int ap_driver_register(struct ap_driver *ap_drv, struct module *owner,
		       char *name)
{
	struct device_driver *drv = &ap_drv->driver;

	drv->bus = &ap_bus_type;
	drv->owner = owner;
	drv->name = name;
	return driver_register(drv);
}

void ap_driver_unregister(struct ap_driver *ap_drv)
{
	driver_unregister(&ap_drv->driver);
}

/* ap_bus_force_rescan (ap_bus.c, 6.1 void / 6.12 bool): the scan, in the
 * caller. */
APSIM_RESCAN_T ap_bus_force_rescan(void)
{
	APSIM_RESCAN_RETURN(shim_ap_scan());
}

/* ------------------------------------------------------ ownership helpers */

static bool helper_lock(void)
{
	if (shim_ap_legacy_helper_locks) {
		mutex_lock(&ap_perms_mutex);
		return true;
	}
	lockdep_assert_held(&ap_perms_mutex);
	return false;
}

static void helper_unlock(bool locked)
{
	if (locked)
		mutex_unlock(&ap_perms_mutex);
}

/* ap_owned_by_def_drv (ap_bus.c, 6.1 and 6.12). */
int ap_owned_by_def_drv(int card, int queue)
{
	bool locked;
	int rc = 0;

	if (card < 0 || card >= AP_DEVICES || queue < 0 || queue >= AP_DOMAINS)
		return -EINVAL;
	locked = helper_lock();
	if (apqn_reserved(card, queue))
		rc = 1;
	helper_unlock(locked);
	return rc;
}

/* ap_apqn_in_matrix_owned_by_def_drv (ap_bus.c, 6.1 and 6.12). */
int ap_apqn_in_matrix_owned_by_def_drv(unsigned long *apm, unsigned long *aqm)
{
	bool locked = helper_lock();
	unsigned long cards = 0, doms = 0;

	/* 6.1 tests every (card, queue) bit pair; the same answer word-wise:
	 * some card in apm & ap_perms.apm and some domain in aqm & ap_perms.aqm */
	for (int k = 0; k < BITS_TO_LONGS(AP_DEVICES); k++)
		cards |= apm[k] & ap_perms.apm[k];
	for (int k = 0; k < BITS_TO_LONGS(AP_DOMAINS); k++)
		doms |= aqm[k] & ap_perms.aqm[k];
	helper_unlock(locked);
	return cards && doms;
}

/* ------------------------------------------------------------ mask parsing */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * An unsigned number with the kernel's base-0 rules (simple_strtoul):
 * "0x"/"0X" followed by a hex digit = hex, a leading 0 = octal, else
 * decimal.  Returns false if no digit was consumed.
 */
static bool parse_number(const char **pp, unsigned long *out)
{
	const char *p = *pp;
	unsigned int base = 10;
	unsigned long v = 0;
	const char *start;
	int d;

	if (p[0] == '0') {
		if ((p[1] == 'x' || p[1] == 'X') && hexval(p[2]) >= 0) {
			base = 16;
			p += 2;
		} else {
			base = 8;
		}
	}
	start = p;
	while ((d = hexval(*p)) >= 0 && d < (int)base) {
		v = v * base + d;
		p++;
	}
	if (p == start)
		return false;
	*out = v;
	*pp = p;
	return true;
}

/* "0x<hex digits>" (or "x..." or bare digits), MSB0, rest padded with 0. */
static int parse_absolute(const char *s, unsigned long *map, int bits)
{
	int nr = 0, d;

	if (s[0] == '0' && s[1] == 'x')
		s += 2;
	else if (s[0] == 'x')
		s += 1;
	for (; nr < bits && (d = hexval(*s)) >= 0; s++, nr += 4)
		for (int b = 0; b < 4; b++)
			if (d & (8 >> b))
				set_bit_inv(nr + b, map);
	if (*s == '\n')
		s++;
	return *s ? -EINVAL : 0;
}

/* Comma separated "+a", "-a", "+a-b", "-a-b" terms applied in order. */
static int parse_relative(const char *s, unsigned long *map, int bits)
{
	while (*s) {
		char sign = *s++;
		unsigned long first, last, nr;

		if (sign != '+' && sign != '-')
			return -EINVAL;
		if (!parse_number(&s, &first) || first >= (unsigned long)bits)
			return -EINVAL;
		last = first;
		if (*s == '-') {
			s++;
			if (!parse_number(&s, &last) || first > last ||
			    last >= (unsigned long)bits)
				return -EINVAL;
		}
		for (nr = first; nr <= last; nr++) {
			if (sign == '+')
				set_bit_inv(nr, map);
			else
				clear_bit_inv(nr, map);
		}
		while (*s == ',' || *s == '\n')
			s++;
	}
	return 0;
}

/* New mask from str: relative to cur when it starts with '+'/'-'. */
static int parse_mask(const char *str, const unsigned long *cur, int bits,
		      unsigned long *newmap)
{
	size_t size = BITS_TO_LONGS(bits) * sizeof(unsigned long);

	if (bits & 7)
		return -EINVAL;
	if (*str == '+' || *str == '-') {
		memcpy(newmap, cur, size);
		return parse_relative(str, newmap, bits);
	}
	memset(newmap, 0, size);
	return parse_absolute(str, newmap, bits);
}

/* ap_parse_mask_str (ap_bus.c, 6.1 and 6.12). */
int ap_parse_mask_str(const char *str, unsigned long *bitmap, int bits,
		      struct mutex *lock)
{
	unsigned long *newmap;
	size_t size;
	int rc;

	if (bits & 7)
		return -EINVAL;
	size = BITS_TO_LONGS(bits) * sizeof(unsigned long);
	newmap = kmalloc(size, GFP_KERNEL);
	if (!newmap)
		return -ENOMEM;
	if (mutex_lock_interruptible(lock)) {
		kfree(newmap);
		return -ERESTARTSYS;
	}
	rc = parse_mask(str, bitmap, bits, newmap);
	if (rc == 0)
		memcpy(bitmap, newmap, size);
	mutex_unlock(lock);
	kfree(newmap);
	return rc;
}

/* ------------------------------------------------------ apmask / aqmask */

struct in_use_arg {
	unsigned long *apm, *aqm;
};

static int verify_reservations(struct device_driver *drv, void *data)
{
	struct in_use_arg *a = data;
	struct ap_driver *ap_drv = to_ap_drv(drv);
	int rc = 0;

	if (!try_module_get(drv->owner))
		return 0;
	if (ap_drv->in_use && ap_drv->in_use(a->apm, a->aqm))
		rc = -EBUSY;
	module_put(drv->owner);
	return rc;
}

static int revise_reserved(struct device *dev, void *unused)
{
	int card, queue;
	bool devres, drvres;

	(void)unused;
	if (!is_queue_dev(dev))
		return 0;
	card = AP_QID_CARD(to_ap_queue(dev)->qid);
	queue = AP_QID_QUEUE(to_ap_queue(dev)->qid);
	mutex_lock(&ap_perms_mutex);
	devres = apqn_reserved(card, queue);
	mutex_unlock(&ap_perms_mutex);
	if (!dev->driver) {
		if (device_attach(dev) < 0)
			sim_trace_note(SIM_SITE, "ap: attaching queue %02x.%04x failed",
				       card, queue);
		return 0;
	}
	drvres = to_ap_drv(dev->driver)->flags & AP_DRIVER_FLAG_DEFAULT;
	if (devres != drvres && device_reprobe(dev))
		sim_trace_note(SIM_SITE, "ap: reprobing queue %02x.%04x failed",
			       card, queue);
	return 0;
}

static void ap_bus_revise_bindings(void)
{
	bus_for_each_dev(&ap_bus_type, NULL, NULL, revise_reserved);
}

/* apmask_store/aqmask_store with apmask_commit/aqmask_commit and
 * ap_bus_revise_bindings (ap_bus.c, 6.1 and 6.12). */
/* apmask (is_apm) or aqmask store. */
static ssize_t mask_store(const char *buf, bool is_apm)
{
	DECLARE_BITMAP(newm, AP_DEVICES);
	DECLARE_BITMAP(taken, AP_DEVICES);
	unsigned long *cur = is_apm ? ap_perms.apm : ap_perms.aqm;
	bool changes = false;
	int rc;

	if (!buf)
		return -EINVAL;
	if (mutex_lock_interruptible(&ap_perms_mutex))
		return -ERESTARTSYS;
	rc = parse_mask(buf, cur, AP_DEVICES, newm);
	if (rc)
		goto done;
	changes = memcmp(cur, newm, APMASKSIZE) != 0;
	if (changes) {
		/* bits newly set move APQNs from the non-default drivers */
		if (bitmap_andnot(taken, newm, cur, AP_DEVICES)) {
			struct in_use_arg a = {
				.apm = is_apm ? taken : ap_perms.apm,
				.aqm = is_apm ? ap_perms.aqm : taken,
			};

			rc = bus_for_each_drv(&ap_bus_type, NULL, &a,
					      verify_reservations);
		}
		if (!rc)
			memcpy(cur, newm, APMASKSIZE);
	}
done:
	mutex_unlock(&ap_perms_mutex);
	if (rc)
		return rc;
	if (changes)
		ap_bus_revise_bindings();
	return strlen(buf);
}

long shim_ap_apmask_write(const char *buf)
{
	return mask_store(buf, true);
}

long shim_ap_aqmask_write(const char *buf)
{
	return mask_store(buf, false);
}

static ssize_t mask_show(char *buf, const unsigned long *m)
{
	int rc;

	if (mutex_lock_interruptible(&ap_perms_mutex))
		return -ERESTARTSYS;
	rc = snprintf(buf, 72, "0x%016lx%016lx%016lx%016lx\n",
		      m[0], m[1], m[2], m[3]);
	mutex_unlock(&ap_perms_mutex);
	return rc;
}

long shim_ap_apmask_show(char *buf)
{
	return mask_show(buf, ap_perms.apm);
}

long shim_ap_aqmask_show(char *buf)
{
	return mask_show(buf, ap_perms.aqm);
}

void shim_ap_perms_lock(void)
{
	mutex_lock(&ap_perms_mutex);
}

void shim_ap_perms_unlock(void)
{
	mutex_unlock(&ap_perms_mutex);
}

/* ------------------------------------------------------- queue devices */

static int qindex(int card, int dom)
{
	unsigned int qid = AP_MKQID(card, dom);

	if (card < 0 || card >= AP_DEVICES || dom < 0 || dom >= AP_DOMAINS)
		return -1;
	/* the slot of a queue device is its APQN */
	return qslot((int)qid, false) && *qslot((int)qid, false) ? (int)qid : -1;
}

static void ap_queue_device_release(struct device *dev)
{
	struct ap_queue *aq = to_ap_queue(dev);
	int i = qindex(AP_QID_CARD(aq->qid), AP_QID_QUEUE(aq->qid));

	if (i >= 0 && *qslot(i, false) == aq)   /* still on the bus */
		qset(i, NULL);
	shim_slab_set_persistent(aq, false);
	kfree(aq);
}

/* dev_set_name(dev, "%02x.%04x", card, dom) without the formatter: a large
 * host registers thousands of queue devices per world, and the formatter was
 * a quarter of that (the same bytes; a cheaper numeric path in the formatter
 * itself won back a tenth of it, 2026-12-06: performance-history.md). */
static void queue_name(struct device *dev, int card, int dom)
{
	char *n = dev->kobj.name;

	BUILD_BUG_ON(sizeof(dev->kobj.name) < 8);
	n[0] = hex_asc_hi(card);
	n[1] = hex_asc_lo(card);
	n[2] = '.';
	n[3] = hex_asc_hi(dom >> 8);
	n[4] = hex_asc_lo(dom >> 8);
	n[5] = hex_asc_hi(dom);
	n[6] = hex_asc_lo(dom);
	n[7] = 0;
}

static int queue_create(int card, int dom)
{
	struct ap_queue *aq;
	int slot, rc;

	slot = AP_MKQID(card, dom);   /* the slot is the APQN */
	if (!qslot(slot, true) || *qslot(slot, false))
		return qslot(slot, false) ? -EEXIST : -ENOMEM;
	/* (the card's row is host memory, freed at shim_ap_bus_reset) */
	aq = kzalloc(sizeof(*aq), GFP_KERNEL);
	if (!aq)
		return -ENOMEM;
	shim_slab_set_persistent(aq, true);
	aq->qid = AP_MKQID(card, dom);
	aq->ap_dev.device_type = shim_ap_hw_card_type(card);
	aq->config = true;
	aq->dev_state = AP_DEV_STATE_OPERATING;
	aq->sm_state = AP_SM_STATE_IDLE;
	INIT_LIST_HEAD(&aq->pendingq);
	INIT_LIST_HEAD(&aq->requestq);
	spin_lock_init(&aq->lock);
	aq->ap_dev.device.bus = &ap_bus_type;
	aq->ap_dev.device.type = &ap_queue_type;
	aq->ap_dev.device.release = ap_queue_device_release;
	queue_name(&aq->ap_dev.device, card, dom);
	/* published once initialised: a lookup by name (bus_find_device_by_name,
	 * shim_ap_queue_device) is ordered after every write above, as the
	 * kernel's klist_add under the klist lock in device_add orders them */
	sim_race_sync(&B.row);
	qset(slot, aq);
	/* on the bus from here; device_register may already see it */

	rc = device_register(&aq->ap_dev.device);
	if (rc) {
		put_device(&aq->ap_dev.device);
		return rc;
	}
	return 0;
}

static void queue_remove(int i)
{
	struct ap_queue *aq = i >= 0 ? *qslot(i, false) : NULL;

	if (!aq)
		return;
	qset(i, NULL);   /* gone from the bus even if references remain */
	device_unregister(&aq->ap_dev.device);
}

struct device *shim_ap_queue_device(int card, int dom)
{
	int i = (sim_race_sync(&B.row), qindex(card, dom));	/* bus_find_device_by_name */
	struct device *dev = i < 0 ? NULL : &(*qslot(i, false))->ap_dev.device;

	/* found by name only once device_add has put it on the bus's klist
	 * (a scan still registering it, or a removal past device_del: not) */
	return dev && shim_device_on_bus(dev) ? dev : NULL;
}

const char *shim_ap_queue_driver(int card, int dom)
{
	struct device *dev = shim_ap_queue_device(card, dom);

	return dev && dev->driver ? dev->driver->name : NULL;
}

int shim_ap_queue_count(void)
{
	int n = B.nq;

	/* B.nq counts the set slots (qset) */


	return n;
}

struct find_drv {
	const char *name;
	struct device_driver *found;
};

static int find_drv_fn(struct device_driver *drv, void *data)
{
	struct find_drv *f = data;

	if (drv->name && !strcmp(drv->name, f->name)) {
		f->found = drv;
		return 1;
	}
	return 0;
}

/* echo APQN > /sys/bus/ap/drivers/vfio_ap/bind */
/* bind_store (drivers/base/bus.c, 6.1 and 6.12) of the vfio_ap driver. */
int shim_ap_queue_bind(int card, int dom)
{
	struct device *dev = shim_ap_queue_device(card, dom);
	struct find_drv f = { .name = "vfio_ap" };

	int rc;

	bus_for_each_drv(&ap_bus_type, NULL, &f, find_drv_fn);
	if (!dev || !f.found || !ap_bus_match(dev, f.found))
		return -ENODEV;
	get_device(dev);		/* bus_find_device_by_name */
	rc = shim_device_bind(dev, f.found);
	put_device(dev);
	return rc;
}

/* echo APQN > /sys/bus/ap/drivers/<its driver>/unbind */
int shim_ap_queue_unbind(int card, int dom)
{
	struct device *dev = shim_ap_queue_device(card, dom);

	if (!dev || !dev->driver)
		return -ENODEV;
	get_device(dev);		/* bus_find_device_by_name */
	shim_device_unbind(dev);
	put_device(dev);
	return 0;
}

/* ------------------------------------------------------ configuration */

/* 32 MSB0 mask bytes (bit 7 of byte 0 = number 0) to the four s390
 * doublewords of a QCI mask or an inverted-bit bitmap (number nr is bit
 * 63 - nr % 64 of word nr / 64): each word is the big-endian value of its
 * eight bytes. */
static void bytes_to_words(unsigned long *w, const uint8_t *bytes)
{
	for (int k = 0; k < 4; k++) {
		unsigned long v = 0;

		for (int j = 0; j < 8; j++)
			v = v << 8 | bytes[8 * k + j];
		w[k] = v;
	}
}

/* ap_scan_adapter/ap_scan_domains: per adapter, per domain in order,
 * remove the queue devices that left configuration c and add new ones. */
static int scan_queues(const struct ap_config_info *c)
{
	/* only the rows of the cards in `cards` are initialised (no 8 KiB
	 * memset per scan); a scan can be interrupted, so nothing static */
	u64 present[AP_DEVICES][AP_DOMAINS / 64];
	u64 want[AP_DOMAINS / 64] = { 0 }, cards[AP_DEVICES / 64] = { 0 };
	int rc = 0;

	for (int ck = 0; ck < AP_DEVICES / 64; ck++)   /* the cards that have a row */
		for (u64 cb = B.rows[ck]; cb; cb &= cb - 1) {
			int card = ck * 64 + __builtin_ctzll(cb);

			if (!(cards[card / 64] & (1ULL << (card % 64)))) {
				cards[card / 64] |= 1ULL << (card % 64);
				memset(present[card], 0, sizeof(present[card]));
			}
			memcpy(present[card], B.row[card]->present, sizeof(present[card]));
		}
	for (int k = 0; k < AP_DOMAINS / 64; k++) {
		u64 v = ((const u64 *)c->aqm)[k];

		/* MSB0 doubleword: domain 64k + j is bit 63 - j */
		for (int j = 0; v; j++, v <<= 1)
			if (v >> 63)
				want[k] |= 1ULL << j;
	}
	for (int k = 0; k < AP_DEVICES / 64; k++) {
		u64 v = ((const u64 *)c->apm)[k];

		for (int j = 0; v; j++, v <<= 1)
			if ((v >> 63) && !(cards[k] & (1ULL << j))) {
				cards[k] |= 1ULL << j;
				memset(present[64 * k + j], 0, sizeof(present[0]));
			}
	}
	for (int ck = 0; ck < AP_DEVICES / 64; ck++)
		for (u64 cb = cards[ck]; cb; cb &= cb - 1) {
			int card = ck * 64 + __builtin_ctzll(cb);
			bool card_on = ap_cfg_test(c->apm, card);

			/* the domains that are present or wanted, in ascending order */
			for (int k = 0; k < AP_DOMAINS / 64; k++) {
				u64 have_k = present[card][k], todo = have_k | (card_on ? want[k] : 0);

				while (todo) {
					int dom = k * 64 + __builtin_ctzll(todo);
					bool have = (have_k >> (dom % 64)) & 1;
					bool on = card_on && ((want[k] >> (dom % 64)) & 1);

					todo &= todo - 1;
					if (have && !on) {
						queue_remove(qindex(card, dom));
					} else if (!have && on) {
						int r = queue_create(card, dom);

						if (r && !rc)
							rc = r;
					}
				}
			}
		}
	return rc;
}

int shim_ap_config_set(const struct shim_ap_hostcfg *cfg)
{
	struct ap_config_info qci;
	int rc;

	memset(&qci, 0, sizeof(qci));
	qci.apxa = cfg->apxa;
	qci.Na = cfg->apxa ? 255 : 63;
	qci.Nd = cfg->apxa ? 255 : 15;
	bytes_to_words((unsigned long *)qci.apm, cfg->apm);
	bytes_to_words((unsigned long *)qci.aqm, cfg->aqm);
	bytes_to_words((unsigned long *)qci.adm, cfg->adm);
	shim_ap_hw_set_qci(&qci);
	if (cfg->card_type)
		shim_ap_hw_set_card_type(-1, cfg->card_type);

	/* ap_perms_init: everything reserved unless a mask is given */
	memset(&ap_perms, 0, sizeof(ap_perms));
	memset(ap_perms.ioctlm, 0xff, sizeof(ap_perms.ioctlm));
	if (cfg->have_apmask)
		bytes_to_words(ap_perms.apm, cfg->apmask);
	else
		memset(ap_perms.apm, 0xff, sizeof(ap_perms.apm));
	if (cfg->have_aqmask)
		bytes_to_words(ap_perms.aqm, cfg->aqmask);
	else
		memset(ap_perms.aqm, 0xff, sizeof(ap_perms.aqm));

	if (!B.bus_registered) {
		rc = bus_register(&ap_bus_type);
		if (rc)
			return rc;
		B.bus_registered = true;
		rc = ap_driver_register(&def_drv, NULL, "cex4queue");
		if (rc)
			return rc;
	}
	/* ap_init_qci_info + the initial scan (no config change) */
	if (ap_qci(&B.qci) != 0)
		memset(&B.qci, 0, sizeof(B.qci));
	B.qci_old = B.qci;
	B.qci_valid = true;
	return scan_queues(&B.qci);
}

static int cfg_change(unsigned int *(*which)(struct ap_config_info *), int nr,
		      bool on)
{
	struct ap_config_info qci;

	if (nr < 0 || nr > 255)
		return -EINVAL;
	shim_ap_hw_get_qci(&qci);
	ap_cfg_assign(which(&qci), nr, on);
	shim_ap_hw_set_qci(&qci);
	return 0;
}

static unsigned int *sel_apm(struct ap_config_info *c) { return c->apm; }
static unsigned int *sel_aqm(struct ap_config_info *c) { return c->aqm; }
static unsigned int *sel_adm(struct ap_config_info *c) { return c->adm; }

int shim_ap_config_add_adapter(int card) { return cfg_change(sel_apm, card, true); }
int shim_ap_config_remove_adapter(int card) { return cfg_change(sel_apm, card, false); }
int shim_ap_config_add_domain(int dom) { return cfg_change(sel_aqm, dom, true); }
int shim_ap_config_remove_domain(int dom) { return cfg_change(sel_aqm, dom, false); }
int shim_ap_config_add_control_domain(int dom) { return cfg_change(sel_adm, dom, true); }
int shim_ap_config_remove_control_domain(int dom) { return cfg_change(sel_adm, dom, false); }

static int notify_cfg_changed(struct device_driver *drv, void *data)
{
	struct ap_driver *ap_drv = to_ap_drv(drv);

	(void)data;
	if (try_module_get(drv->owner)) {
		if (ap_drv->on_config_changed)
			ap_drv->on_config_changed(&B.qci, &B.qci_old);
		module_put(drv->owner);
	}
	return 0;
}

static int notify_scan_done(struct device_driver *drv, void *data)
{
	struct ap_driver *ap_drv = to_ap_drv(drv);

	(void)data;
	if (try_module_get(drv->owner)) {
		if (ap_drv->on_scan_complete)
			ap_drv->on_scan_complete(&B.qci, &B.qci_old);
		module_put(drv->owner);
	}
	return 0;
}

void shim_ap_scan(void)
{
	bool changed;

	if (!B.qci_valid)
		return;
	mutex_lock(&ap_scan_work);
	/* ap_get_configuration */
	B.qci_old = B.qci;
	if (ap_qci(&B.qci) != 0)
		B.qci = B.qci_old;
	changed = memcmp(&B.qci, &B.qci_old, sizeof(B.qci)) != 0;
	if (changed)
		bus_for_each_drv(&ap_bus_type, NULL, NULL, notify_cfg_changed);
	scan_queues(&B.qci);
	if (changed)
		bus_for_each_drv(&ap_bus_type, NULL, NULL, notify_scan_done);
	B.nscans++;
	mutex_unlock(&ap_scan_work);
}

/* ------------------------------------------------------------- 6.12 API */

/* A hex string ("0x" optional, MSB0) into a zeroed-by-the-caller bitmap of
 * bits (a multiple of 8); bits beyond the string stay 0. */
/* ap_hex2bitmap (ap_bus.c, 6.1 and 6.12). */
int ap_hex2bitmap(const char *str, unsigned long *bitmap, int bits)
{
	const char *digits = str + (str[0] == '0' && str[1] == 'x' ? 2 : str[0] == 'x');

	if ((bits & 7) || hexval(*digits) < 0)	/* at least one digit */
		return -EINVAL;
	return parse_absolute(str, bitmap, bits);
}

/* --------------------------------------------------- queue device table */

/* (ap_get_qdev walks every bucket of ap_queues as 6.1 and 6.12 do, with
 * shim_ap_kernel_lookup_cost: O(queues)
 * per lookup, which the driver does for each APQN it links, so assigning
 * into a large matrix is quadratic in the real kernel too.  The walk only
 * reads the shim's own queue devices, so it is not instrumented: with the
 * shadow check at every node it dominated large worlds, 2,000 queues and
 * more, several times over.) */

#include <stdlib.h>

/* The slot of APQN i (card i >> 8, domain i & 0xff), or NULL when the card
 * has no row yet; alloc creates the row (host memory, like the rest of the
 * bus' own state: the memory held is proportional to the cards that had a
 * queue device, AP_DOMAINS pointers each, and freed at reset). */
static struct ap_queue **qslot(int i, bool alloc)
{
	int card = i / AP_DOMAINS;

	if (i < 0 || i >= MAXQ)
		return NULL;
	if (!B.row[card]) {
		if (!alloc)
			return NULL;
		B.row[card] = calloc(1, sizeof(*B.row[card]));
		if (!B.row[card])
			return NULL;
		B.rows[card / 64] |= 1ULL << (card % 64);
		brow_dirty(card);
	}
	return &B.row[card]->q[i % AP_DOMAINS];
}

/* Put aq (or NULL) into the existing slot i; keeps B.nq and the row's
 * present bits. */
static void qset(int i, struct ap_queue *aq)
{
	struct qrow *r = B.row[i / AP_DOMAINS];
	int d = i % AP_DOMAINS;

	B.nq += (aq != NULL) - (r->q[d] != NULL);
	r->q[d] = aq;
	brow_dirty(i / AP_DOMAINS);
	if (aq)
		r->present[d / 64] |= 1ULL << (d % 64);
	else
		r->present[d / 64] &= ~(1ULL << (d % 64));
}

static void qrows_free(void)
{
	for (int k = 0; k < AP_DEVICES / 64; k++)	/* the cards with a row */
		for (u64 m = B.rows[k]; m; m &= m - 1)
			free(B.row[k * 64 + __builtin_ctzll(m)]);
}

size_t shim_ap_bus_bytes(void)
{
	size_t n = 0;

	for (int c = 0; c < AP_DEVICES; c++)
		n += B.row[c] ? sizeof(*B.row[c]) : 0;
	return n;
}

/* ------------------------------------------------------ world snapshots */

/*
 * The bus' queue rows are host memory (qslot): a world snapshot (module.c)
 * copies the shim's sections, which hold only their pointers, so the bus
 * keeps the rows' contents as the set-up part left them and puts them back
 * into the memory this execution holds (rows added since are freed, rows a
 * world run in between freed are allocated again).  The bookkeeping lives
 * outside the shim's sections.
 */
#define BKEEP __attribute__((section("apsim_keep")))
static struct qrow *bs_row[AP_DEVICES] BKEEP;     /* saved contents (NULL: no row) */
static struct shim_snap_buf bs_mem[AP_DEVICES] BKEEP;   /* their memory, kept across saves */
static struct qrow *bcur_row[AP_DEVICES] BKEEP;   /* this execution's rows */
/* A row whose memory holds the saved contents since the last save or
 * restore (bs_done[c]) and that nothing changed since (no bit in bs_dirty:
 * qslot and qset mark every row they create or write) is not copied again
 * (a 2 KB copy per card was most of a D2 restore). */
static struct qrow *bs_done[AP_DEVICES] BKEEP;
static u64 bs_dirty[AP_DEVICES / 64] BKEEP;

static void brow_dirty(int card)
{
	bs_dirty[card / 64] |= 1ULL << (card % 64);
}

void shim_ap_bus_snap_drop(void)
{
	for (int c = 0; c < AP_DEVICES; c++) {
		bs_row[c] = NULL;
		bs_done[c] = NULL;
	}
}

/*
 * Holes in the generic copy of the sections (module.c): the row pointers
 * (restored by shim_ap_bus_snap_restore_post for the cards of B.rows, now
 * or saved; NULL elsewhere in both) and the bucket heads of ap_queues (the
 * buckets of its occupancy bits, now or saved; a bucket outside both was
 * never added to, so it is empty in both).  The occupancy bits themselves
 * are after the heads, outside the hole: the generic copy restores them.
 */
#define APQ_N HASH_SIZE(ap_queues)
#define APQ_W (APQ_N / 64)
static struct hlist_head bq_saved[APQ_N] BKEEP;
static u64 bq_occ[APQ_W] BKEEP, bq_cur[APQ_W] BKEEP;

static const u64 *apq_occ(void)
{
	return (const u64 *)&ap_queues[APQ_N];
}

SHIM_SNAP_HOLE(bus_rows, B.row, sizeof(B.row));
SHIM_SNAP_HOLE(ap_queues_heads, ap_queues, sizeof(ap_queues[0]) * APQ_N);

/* After a restore (tests): the row pointers and bucket heads that are not
 * the saved ones. */
unsigned long shim_ap_bus_snap_check(void)
{
	unsigned long bad = 0;

	for (int c = 0; c < AP_DEVICES; c++) {
		bool live = (B.rows[c / 64] >> (c % 64)) & 1;

		if (!bs_row[c])
			bad += B.row[c] != NULL || live;
		else
			bad += !B.row[c] || !live || memcmp(B.row[c], bs_row[c], sizeof(*B.row[c])) != 0;
	}
	for (int b = 0; b < APQ_N; b++) {
		bool occ = (bq_occ[b / 64] >> (b % 64)) & 1;

		bad += ap_queues[b].first != (occ ? bq_saved[b].first : NULL);
		bad += ((apq_occ()[b / 64] >> (b % 64)) & 1) != occ;
	}
	return bad;
}

int shim_ap_bus_snap_save(void)
{
	shim_ap_bus_snap_drop();
	memcpy(bq_occ, apq_occ(), sizeof(bq_occ));
	for (int k = 0; k < APQ_W; k++)
		for (u64 m = bq_occ[k]; m; m &= m - 1) {
			int b = k * 64 + __builtin_ctzll(m);

			bq_saved[b] = ap_queues[b];
		}
	for (int c = 0; c < AP_DEVICES; c++) {
		if (!B.row[c])
			continue;
		bs_row[c] = shim_snap_buf(&bs_mem[c], sizeof(*bs_row[c]));
		if (!bs_row[c]) {
			shim_ap_bus_snap_drop();
			return -ENOMEM;
		}
		*bs_row[c] = *B.row[c];
		bs_done[c] = B.row[c];
	}
	memset(bs_dirty, 0, sizeof(bs_dirty));
	return 0;
}

/* Before the shim's sections are copied back: this execution's rows (the
 * cards of B.rows). */
static u64 bcur_has[AP_DEVICES / 64] BKEEP;

void shim_ap_bus_snap_restore(void)
{
	memcpy(bq_cur, apq_occ(), sizeof(bq_cur));
	memcpy(bcur_has, B.rows, sizeof(bcur_has));
	for (int k = 0; k < AP_DEVICES / 64; k++)
		for (u64 m = bcur_has[k]; m; m &= m - 1) {
			int c = k * 64 + __builtin_ctzll(m);

			bcur_row[c] = B.row[c];
		}
}

/* After: B.rows (the bitmap of rows) is the saved one, the rows follow it.
 * Only the cards with a saved row or a row of this execution are visited
 * (the others are NULL in both). */
int shim_ap_bus_snap_restore_post(void)
{
	for (int k = 0; k < AP_DEVICES / 64; k++)
		for (u64 m = B.rows[k] | bcur_has[k]; m; m &= m - 1) {
			int c = k * 64 + __builtin_ctzll(m);
			struct qrow *r = (bcur_has[k] >> (c % 64)) & 1 ? bcur_row[c] : NULL;

			if (bs_row[c]) {
				if (!r || r != bs_done[c] || (bs_dirty[k] & (1ULL << (c % 64)))) {
					if (!r && !(r = malloc(sizeof(*r))))
						return -ENOMEM;
					*r = *bs_row[c];
					bs_done[c] = r;
				}
			} else if (r) {
				free(r);
				r = NULL;
			}
			B.row[c] = r;
		}
	for (int k = 0; k < APQ_W; k++)
		for (u64 m = bq_occ[k] | bq_cur[k]; m; m &= m - 1) {
			int b = k * 64 + __builtin_ctzll(m);

			ap_queues[b] = (bq_occ[k] >> (b % 64)) & 1 ? bq_saved[b]
								 : (struct hlist_head)HLIST_HEAD_INIT;
		}
	memset(bs_dirty, 0, sizeof(bs_dirty));
	return 0;
}

/* The AP bus' part of shim_world_state_hash (module.c): the rows of its
 * queue devices (B itself is in the shim's sections). */
void shim_ap_bus_state_hash(uint64_t h[2])
{
	for (int ck = 0; ck < AP_DEVICES / 64; ck++)
		for (u64 cb = B.rows[ck]; cb; cb &= cb - 1) {
			int card = ck * 64 + __builtin_ctzll(cb);

			if (B.row[card])
				shim_hash_words(h, B.row[card], sizeof(*B.row[card]));
		}
}
