/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/scenario/names.c - the names of things in scenario files.
 *
 * Owns: the tables built from driver/scenario/ops.def (the scenario-file
 * spelling of every operation kind: apsim_op_name / apsim_op_lookup, and
 * its operand kinds: scn_op_operands), the errno names the driver, the
 * AP bus, VFIO and KVM can return (apsim_errno_name / apsim_errno_parse),
 * and the card type, AP response code and crypto attribute names, as
 * declared in driver/scenario/scenario.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/scenario/scenario.h"

static const char *const op_names[APSIM_OP__COUNT] = {
	[APSIM_OP_NONE] = "none",
#define APSIM_OP(e, name, o1, o2, o3, since) [APSIM_OP_##e] = name,
#include "driver/scenario/ops.def"
#undef APSIM_OP
};

static const enum scn_operand op_operands[APSIM_OP__COUNT][SCN_MAX_OPERANDS] = {
#define APSIM_OP(e, name, o1, o2, o3, since) \
	[APSIM_OP_##e] = { SCN_OPND_##o1, SCN_OPND_##o2, SCN_OPND_##o3 },
#include "driver/scenario/ops.def"
#undef APSIM_OP
};

static const char *const op_since[APSIM_OP__COUNT] = {
#define APSIM_OP(e, name, o1, o2, o3, since) [APSIM_OP_##e] = since,
#include "driver/scenario/ops.def"
#undef APSIM_OP
};

const char *apsim_op_since(enum apsim_op_kind k)
{
	if ((int)k < 0 || k >= APSIM_OP__COUNT)
		return NULL;
	return op_since[k];
}

/* "6.12.117" -> 6 * 1000 + 12; -1 if it does not start with a series
 * (ops' and fault points' SINCE, faults.c) */
long apsim_series_num(const char *v)
{
	char *end;
	long maj, min;

	maj = strtol(v, &end, 10);
	if (end == v || *end != '.')
		return -1;
	v = end + 1;
	min = strtol(v, &end, 10);
	if (end == v)
		return -1;
	return maj * 1000 + min;
}

bool apsim_op_tree_ok(enum apsim_op_kind k, const char *kver)
{
	const char *since = apsim_op_since(k);

	return !since || apsim_series_num(kver) >= apsim_series_num(since);
}

const enum scn_operand *scn_op_operands(enum apsim_op_kind k)
{
	if ((int)k < 0 || k >= APSIM_OP__COUNT)
		k = APSIM_OP_NONE;
	return op_operands[k];
}

const char *apsim_op_name(enum apsim_op_kind k)
{
	if ((int)k < 0 || k >= APSIM_OP__COUNT || !op_names[k])
		return "?";
	return op_names[k];
}

enum apsim_op_kind apsim_op_lookup(const char *name)
{
	int k;

	if (!name)
		return APSIM_OP_NONE;
	for (k = APSIM_OP_NONE + 1; k < APSIM_OP__COUNT; k++)
		if (op_names[k] && !strcmp(op_names[k], name))
			return (enum apsim_op_kind)k;
	if (!strcmp(name, "sleep_ms"))    /* alias */
		return APSIM_OP_SLEEP_MS;
	return APSIM_OP_NONE;
}

/* Kernel-internal errnos that are not in the host's <errno.h>. */
#define K_ERESTARTSYS  512
#define K_EPROBE_DEFER 517
#define K_ENOTSUPP     524

static const struct {
	const char *name;
	long val;
} errnos[] = {
	/* first entry for a value is its canonical name */
	{ "EPERM", EPERM },         { "ENOENT", ENOENT },
	{ "ESRCH", ESRCH },         { "EINTR", EINTR },
	{ "EIO", EIO },             { "ENXIO", ENXIO },
	{ "E2BIG", E2BIG },         { "ENOEXEC", ENOEXEC },
	{ "EBADF", EBADF },         { "ECHILD", ECHILD },
	{ "EAGAIN", EAGAIN },       { "ENOMEM", ENOMEM },
	{ "EACCES", EACCES },       { "EFAULT", EFAULT },
	{ "EBUSY", EBUSY },         { "EEXIST", EEXIST },
	{ "EXDEV", EXDEV },         { "ENODEV", ENODEV },
	{ "ENOTDIR", ENOTDIR },     { "EISDIR", EISDIR },
	{ "EINVAL", EINVAL },       { "ENFILE", ENFILE },
	{ "EMFILE", EMFILE },       { "ENOTTY", ENOTTY },
	{ "EFBIG", EFBIG },         { "ENOSPC", ENOSPC },
	{ "ESPIPE", ESPIPE },       { "EROFS", EROFS },
	{ "EMLINK", EMLINK },       { "EPIPE", EPIPE },
	{ "EDOM", EDOM },           { "ERANGE", ERANGE },
	{ "EDEADLK", EDEADLK },     { "ENAMETOOLONG", ENAMETOOLONG },
	{ "ENOLCK", ENOLCK },       { "ENOSYS", ENOSYS },
	{ "ENOTEMPTY", ENOTEMPTY }, { "ELOOP", ELOOP },
	{ "ENODATA", ENODATA },     { "EOVERFLOW", EOVERFLOW },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EADDRINUSE", EADDRINUSE },
	{ "EADDRNOTAVAIL", EADDRNOTAVAIL }, { "ENOBUFS", ENOBUFS },
	{ "ETIMEDOUT", ETIMEDOUT }, { "EALREADY", EALREADY },
	{ "EINPROGRESS", EINPROGRESS }, { "ECANCELED", ECANCELED },
	{ "ENOTSUPP", K_ENOTSUPP }, { "ERESTARTSYS", K_ERESTARTSYS },
	{ "EPROBE_DEFER", K_EPROBE_DEFER },
	/* aliases (parse only) */
	{ "EWOULDBLOCK", EAGAIN },  { "EDEADLOCK", EDEADLK },
};

const char *apsim_errno_name(long v, char *buf, int len)
{
	size_t i;

	if (!buf || len <= 0)
		return "";
	if (v < 0) {
		for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
			if (-errnos[i].val == v) {
				snprintf(buf, len, "-%s", errnos[i].name);
				return buf;
			}
		}
	}
	snprintf(buf, len, "%ld", v);
	return buf;
}

/* Strict integer: optional '-', decimal or 0x hex, no junk, no overflow. */
static int parse_long_strict(const char *s, long *out)
{
	unsigned long long v = 0, lim;
	int neg = 0, base = 10, d, any = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	lim = neg ? (unsigned long long)__LONG_MAX__ + 1 : (unsigned long long)__LONG_MAX__;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (v > (lim - d) / base)
			return -1;
		v = v * base + d;
		any = 1;
	}
	if (!any)
		return -1;
	*out = neg ? (long)(0 - v) : (long)v;
	return 0;
}

int apsim_errno_parse(const char *s, long *out)
{
	size_t i;

	if (!s || !out)
		return -1;
	if (s[0] == '-' && s[1] == 'E') {
		for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
			if (!strcmp(s + 1, errnos[i].name)) {
				*out = -errnos[i].val;
				return 0;
			}
		}
		return -1;
	}
	return parse_long_strict(s, out);
}

/* ------------------------------------------- scenario-file name tables */

struct name_val {
	const char *name;
	int val;
};

#define NV_LOOKUP(tab, s, out)                                           \
	({                                                               \
		int __r = -1;                                            \
		for (size_t __i = 0; s && __i < sizeof(tab) / sizeof(tab[0]); __i++) \
			if (!strcmp(tab[__i].name, s)) {                 \
				*(out) = tab[__i].val;                   \
				__r = 0;                                 \
				break;                                   \
			}                                                \
		__r;                                                     \
	})
#define NV_NAME(tab, v)                                                  \
	({                                                               \
		const char *__n = NULL;                                  \
		for (size_t __i = 0; __i < sizeof(tab) / sizeof(tab[0]); __i++) \
			if (tab[__i].val == (v)) {                       \
				__n = tab[__i].name;                     \
				break;                                   \
			}                                                \
		__n;                                                     \
	})

/* AP_DEVICE_TYPE_* (ap_bus.h) */
static const struct name_val card_types[] = {
	{ "cex4", 10 }, { "cex5", 11 }, { "cex6", 12 }, { "cex7", 13 }, { "cex8", 14 },
};

/* AP_RESPONSE_* (ap_bus.h); first name of a value is canonical */
static const struct name_val ap_rcs[] = {
	{ "normal", 0x00 },           { "q-not-avail", 0x01 },
	{ "reset-in-progress", 0x02 }, { "deconfigured", 0x03 },
	{ "checkstopped", 0x04 },     { "busy", 0x05 },
	{ "invalid-address", 0x06 },  { "otherwise-changed", 0x07 },
	{ "invalid-gisa", 0x08 },     { "q-full", 0x10 },
	{ "no-pending-reply", 0x10 }, { "index-too-big", 0x11 },
	{ "no-first-part", 0x13 },    { "message-too-big", 0x15 },
	{ "req-fac-not-inst", 0x16 }, { "invalid-domain", 0x42 },
};

/* KVM_S390_VM_CRYPTO_* attributes (arch/s390/include/uapi/asm/kvm.h) */
static const struct name_val crypto_attrs[] = {
	{ "enable-aes-kw", 0 },  { "enable-dea-kw", 1 },
	{ "disable-aes-kw", 2 }, { "disable-dea-kw", 3 },
	{ "enable-apie", 4 },    { "disable-apie", 5 },
	{ "KVM_S390_VM_CRYPTO_ENABLE_AES_KW", 0 },  { "KVM_S390_VM_CRYPTO_ENABLE_DEA_KW", 1 },
	{ "KVM_S390_VM_CRYPTO_DISABLE_AES_KW", 2 }, { "KVM_S390_VM_CRYPTO_DISABLE_DEA_KW", 3 },
	{ "KVM_S390_VM_CRYPTO_ENABLE_APIE", 4 },    { "KVM_S390_VM_CRYPTO_DISABLE_APIE", 5 },
};

int scn_card_type_parse(const char *s, int *out) { return NV_LOOKUP(card_types, s, out); }
const char *scn_card_type_name(int v) { return NV_NAME(card_types, v); }
int scn_ap_rc_parse(const char *s, int *out) { return NV_LOOKUP(ap_rcs, s, out); }
const char *scn_ap_rc_name(int v) { return NV_NAME(ap_rcs, v); }
int scn_crypto_attr_parse(const char *s, int *out) { return NV_LOOKUP(crypto_attrs, s, out); }
const char *scn_crypto_attr_name(int v) { return NV_NAME(crypto_attrs, v); }
