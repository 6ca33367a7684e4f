/* SPDX-License-Identifier: GPL-2.0 */
/*
 * driver/kernel/dbf.c - the s390 debug feature (asm/debug.h).
 *
 * Owns: debug areas (registration, level, views) and their events.  An
 * event at or below the area's level is formatted at event time by the
 * shim formatter (so %pad & co. work and no pointer value is printed) and
 * appended to the simulation trace as "dbf <area> <level>: <text>".
 * Areas are shim-owned statics (not slab objects): at most DBF_MAX_AREAS.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/debug.h>
#include <apsim/sim.h>
#include "driver/kernel/base.h"
#include "driver/kernel/snaparr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DBF_MAX_AREAS 8

struct debug_view debug_sprintf_view = { .name = "sprintf" };
struct debug_view debug_hex_ascii_view = { .name = "hex_ascii" };

static struct debug_info areas[DBF_MAX_AREAS];
SHIM_SNAP_ARRAY(areas, areas);   /* a world snapshot restores the ones written */
#define AREA_DIRTY(id) shim_snap_dirty(&shim_snap_areas, (struct debug_info *)(id) - areas)
static unsigned long nr_events;

debug_info_t *debug_register_mode(const char *name, int pages, int nr_areas, int buf_size,
				  umode_t mode, uid_t uid, gid_t gid)
{
	for (int i = 0; i < DBF_MAX_AREAS; i++) {
		struct debug_info *id = &areas[i];

		if (id->registered)
			continue;
		AREA_DIRTY(id);
		memset(id, 0, sizeof(*id));
		snprintf(id->name, sizeof(id->name), "%s", name);
		id->level = DEBUG_DEFAULT_LEVEL;
		id->pages_per_area = pages;
		id->nr_areas = nr_areas;
		id->buf_size = buf_size;
		id->registered = true;
		return id;
	}
	return NULL;
}

debug_info_t *debug_register(const char *name, int pages, int nr_areas, int buf_size)
{
	return debug_register_mode(name, pages, nr_areas, buf_size, 0, 0, 0);
}

void debug_unregister(debug_info_t *id)
{
	if (!id)
		return;
	WARN_ON(!id->registered);
	AREA_DIRTY(id);
	id->registered = false;
}

void debug_set_level(debug_info_t *id, int new_level)
{
	if (!id)
		return;
	if (new_level == DEBUG_OFF_LEVEL || (new_level >= 0 && new_level <= DEBUG_MAX_LEVEL)) {
		AREA_DIRTY(id);
		id->level = new_level;
	}
}

int debug_register_view(debug_info_t *id, struct debug_view *view)
{
	if (!id || id->nr_views >= DEBUG_MAX_VIEWS)
		return -1;
	AREA_DIRTY(id);
	id->views[id->nr_views++] = view;
	return 0;
}

int debug_unregister_view(debug_info_t *id, struct debug_view *view)
{
	if (!id)
		return -1;
	for (int i = 0; i < id->nr_views; i++) {
		if (id->views[i] == view) {
			AREA_DIRTY(id);
			id->views[i] = id->views[--id->nr_views];
			return 0;
		}
	}
	return -1;
}

void debug_set_critical(void)
{
}

static debug_entry_t *record(const struct sim_site *site, debug_info_t *id, int level,
			     const char *text)
{
	char buf[1024];
	size_t n;

	shim_note_site(site);
	if (!id || !id->registered || level > id->level)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", text);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	AREA_DIRTY(id);
	id->nr_events++;
	nr_events++;
	id->last.clock = (unsigned long)sim_now_ns();
	id->last.level = level;
	id->last.cpu = 0;
	sim_trace_note(site, "dbf %s %d: %s", id->name, level, buf);
	return &id->last;
}

debug_entry_t *shim_debug_sprintf_event(const struct sim_site *site, debug_info_t *id,
					int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!id || level > id->level)
		return NULL;
	va_start(ap, fmt);
	shim_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return record(site, id, level, buf);
}

debug_entry_t *shim_debug_text_event(const struct sim_site *site, debug_info_t *id, int level,
				     const char *txt)
{
	return record(site, id, level, txt);
}

debug_entry_t *shim_debug_event(const struct sim_site *site, debug_info_t *id, int level,
				const void *data, int len)
{
	char buf[3 * 64 + 1] = "";
	const unsigned char *b = data;

	for (int i = 0; i < len && i < 64; i++)
		snprintf(buf + 3 * i, sizeof(buf) - 3 * i, "%02x ", b[i]);
	return record(site, id, level, buf);
}

void shim_dbf_reset(void)
{
	shim_snap_dirty_all(&shim_snap_areas);
	memset(areas, 0, sizeof(areas));
	nr_events = 0;
}
