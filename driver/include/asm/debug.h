/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/debug.h (apsim shim) - the s390 debug feature (s390dbf).  Events at
 * or below the area's level are formatted at event time by the shim
 * formatter (kernel formats including %pad; no pointer values) and appended
 * to the simulation trace as "dbf <area> <level>: <text>" via
 * sim_trace_note.  driver/kernel/dbf.c.
 */
#ifndef _APSIM_ASM_DEBUG_H
#define _APSIM_ASM_DEBUG_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <apsim/sim.h>

#define DEBUG_MAX_LEVEL		6
#define DEBUG_OFF_LEVEL		(-1)
#define DEBUG_FLUSH_ALL		(-1)
#define DEBUG_MAX_VIEWS		10
#define DEBUG_MAX_NAME_LEN	64
#define DEBUG_DEFAULT_LEVEL	3

typedef struct debug_info debug_info_t;

typedef struct __debug_entry {
	unsigned long clock;	/* virtual ns */
	int level;
	int cpu;
} debug_entry_t;

struct debug_view {
	char name[DEBUG_MAX_NAME_LEN];
	void *prolog_proc;
	void *header_proc;
	void *format_proc;
	void *input_proc;
	void *private_data;
};

struct debug_info {
	char name[DEBUG_MAX_NAME_LEN];
	int level;
	int pages_per_area;
	int nr_areas;
	int buf_size;
	int nr_views;
	struct debug_view *views[DEBUG_MAX_VIEWS];
	unsigned long nr_events;	/* events recorded (level passed) */
	debug_entry_t last;		/* returned to callers */
	bool registered;
};

extern struct debug_view debug_sprintf_view;
extern struct debug_view debug_hex_ascii_view;

debug_info_t *debug_register(const char *name, int pages, int nr_areas, int buf_size);
debug_info_t *debug_register_mode(const char *name, int pages, int nr_areas, int buf_size,
				  umode_t mode, uid_t uid, gid_t gid);
void debug_unregister(debug_info_t *id);
void debug_set_level(debug_info_t *id, int new_level);
int debug_register_view(debug_info_t *id, struct debug_view *view);
int debug_unregister_view(debug_info_t *id, struct debug_view *view);
void debug_set_critical(void);

debug_entry_t *shim_debug_sprintf_event(const struct sim_site *site, debug_info_t *id,
					int level, const char *fmt, ...) __printf(4, 5);
debug_entry_t *shim_debug_text_event(const struct sim_site *site, debug_info_t *id,
				     int level, const char *txt);
debug_entry_t *shim_debug_event(const struct sim_site *site, debug_info_t *id,
				int level, const void *data, int len);

static inline bool debug_level_enabled(debug_info_t *id, int level)
{
	return id && level <= id->level;
}

#define debug_sprintf_event(_id, _level, _fmt, ...)			\
	shim_debug_sprintf_event(SIM_SITE, _id, _level, _fmt, ##__VA_ARGS__)
#define debug_sprintf_exception debug_sprintf_event
#define debug_text_event(_id, _level, _txt) shim_debug_text_event(SIM_SITE, _id, _level, _txt)
#define debug_text_exception debug_text_event
#define debug_event(_id, _level, _data, _len) shim_debug_event(SIM_SITE, _id, _level, _data, _len)
#define debug_exception debug_event
#define debug_int_event(_id, _level, _tag) ({ int __t = (_tag); debug_event(_id, _level, &__t, sizeof(__t)); })
#define debug_long_event(_id, _level, _tag) ({ long __t = (_tag); debug_event(_id, _level, &__t, sizeof(__t)); })

#endif
