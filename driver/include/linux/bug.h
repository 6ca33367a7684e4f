/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/bug.h (apsim shim) - WARN and BUG families as simulation findings.
 * WARN -> SIM_F_WARN (non-fatal, the code continues like the kernel's),
 * BUG -> SIM_F_BUG (fatal, the thread never returns).  WARN_ONCE and
 * WARN_ON_ONCE fire once per execution per site.  Implemented in
 * driver/kernel/printk.c.
 */
#ifndef _APSIM_LINUX_BUG_H
#define _APSIM_LINUX_BUG_H

#include <linux/compiler.h>
#include <apsim/sim.h>

/* Execution generation: bumped by shim_base_reset() (never 0). */
extern unsigned long shim_exec_gen;

void shim_warn(const struct sim_site *site, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void __noreturn shim_bug(const struct sim_site *site, const char *cond);

#define __SHIM_ONCE(expr) ({						\
	static unsigned long __shim_once_gen;				\
	bool __shim_first = __shim_once_gen != shim_exec_gen;		\
	if (__shim_first)						\
		__shim_once_gen = shim_exec_gen;			\
	__shim_first; })

#define WARN_ON(condition) ({						\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		shim_warn(SIM_SITE, #condition, NULL);			\
	unlikely(__ret_warn_on); })

#define WARN(condition, format...) ({					\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		shim_warn(SIM_SITE, #condition, format);		\
	unlikely(__ret_warn_on); })

#define WARN_ON_ONCE(condition) ({					\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on) && __SHIM_ONCE(0))			\
		shim_warn(SIM_SITE, #condition, NULL);			\
	unlikely(__ret_warn_on); })

#define WARN_ONCE(condition, format...) ({				\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on) && __SHIM_ONCE(0))			\
		shim_warn(SIM_SITE, #condition, format);		\
	unlikely(__ret_warn_on); })

#define BUG() shim_bug(SIM_SITE, NULL)
#define BUG_ON(condition) do { if (unlikely(condition)) shim_bug(SIM_SITE, #condition); } while (0)

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")
#define BUILD_BUG_ON_MSG(cond, msg) _Static_assert(!(cond), msg)
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int:(-!!(e)); })))
#define BUILD_BUG() do { } while (0)

#endif
