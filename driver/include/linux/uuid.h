/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/uuid.h (apsim shim) - guid_t/uuid_t (16 bytes) and helpers
 * (driver/kernel/lib.c).  The simulation derives uuids deterministically.
 */
#ifndef _APSIM_LINUX_UUID_H
#define _APSIM_LINUX_UUID_H
#include <linux/types.h>
#include <linux/string.h>

#define UUID_SIZE 16
#define UUID_STRING_LEN 36

typedef struct {
	__u8 b[UUID_SIZE];
} guid_t;
typedef struct {
	__u8 b[UUID_SIZE];
} uuid_t;

#define GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)		\
((guid_t) {{ (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff, ((a) >> 24) & 0xff, \
	     (b) & 0xff, ((b) >> 8) & 0xff, (c) & 0xff, ((c) >> 8) & 0xff, \
	     (d0), (d1), (d2), (d3), (d4), (d5), (d6), (d7) }})

static inline bool guid_equal(const guid_t *a, const guid_t *b)
{
	return memcmp(a, b, sizeof(guid_t)) == 0;
}
static inline void guid_copy(guid_t *dst, const guid_t *src)
{
	memcpy(dst, src, sizeof(guid_t));
}
static inline bool guid_is_null(const guid_t *g)
{
	static const guid_t z;

	return guid_equal(g, &z);
}
static inline bool uuid_equal(const uuid_t *a, const uuid_t *b)
{
	return memcmp(a, b, sizeof(uuid_t)) == 0;
}
static inline void uuid_copy(uuid_t *dst, const uuid_t *src)
{
	memcpy(dst, src, sizeof(uuid_t));
}
/* Text form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (37 bytes with NUL);
 * guid: first three fields little endian, like the kernel's %pUl. */
void shim_guid_to_str(const guid_t *g, char *out);
void shim_uuid_to_str(const uuid_t *u, char *out);
int guid_parse(const char *uuid, guid_t *g);
int uuid_parse(const char *uuid, uuid_t *u);
bool uuid_is_valid(const char *uuid);
/* Deterministic guid for a simulation index. */
void shim_guid_from_index(int index, guid_t *g);

#endif
