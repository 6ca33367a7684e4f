/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/printk.h (apsim shim) - printk and pr_*.  Messages go to the
 * simulation trace (sim_trace_note), formatted by the shim formatter, so
 * they are deterministic (no pointer values); the *_ratelimited ones pass
 * the kernel's rate limit first (linux/ratelimit.h).  Implemented in
 * driver/kernel/printk.c.
 */
#ifndef _APSIM_LINUX_PRINTK_H
#define _APSIM_LINUX_PRINTK_H

#include <stdarg.h>
#include <linux/compiler.h>
#include <linux/ratelimit.h>
#include <apsim/sim.h>

#define KERN_SOH	"\001"
#define KERN_EMERG	KERN_SOH "0"
#define KERN_ALERT	KERN_SOH "1"
#define KERN_CRIT	KERN_SOH "2"
#define KERN_ERR	KERN_SOH "3"
#define KERN_WARNING	KERN_SOH "4"
#define KERN_NOTICE	KERN_SOH "5"
#define KERN_INFO	KERN_SOH "6"
#define KERN_DEBUG	KERN_SOH "7"
#define KERN_DEFAULT	""
#define KERN_CONT	KERN_SOH "c"

#define LOGLEVEL_ERR	 3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_INFO	 6
#define LOGLEVEL_DEBUG	 7

int shim_printk(const struct sim_site *site, const char *fmt, ...) __printf(2, 3);
int shim_vprintk(const struct sim_site *site, const char *fmt, va_list ap);

#define printk(fmt, ...) shim_printk(SIM_SITE, fmt, ##__VA_ARGS__)
#define vprintk(fmt, ap) shim_vprintk(SIM_SITE, fmt, ap)

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define pr_emerg(fmt, ...)   printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)   printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)    printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)     printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)    printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warning pr_warn
#define pr_notice(fmt, ...)  printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)    printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)    printk(KERN_CONT fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)   printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_devel pr_debug
#define printk_ratelimited(fmt, ...)					\
({									\
	static DEFINE_RATELIMIT_STATE(_rs, DEFAULT_RATELIMIT_INTERVAL,	\
				      DEFAULT_RATELIMIT_BURST);		\
									\
	if (__ratelimit(&_rs))						\
		printk(fmt, ##__VA_ARGS__);				\
})
#define pr_err_ratelimited(fmt, ...) \
	printk_ratelimited(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...) \
	printk_ratelimited(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice_ratelimited(fmt, ...) \
	printk_ratelimited(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...) \
	printk_ratelimited(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_once         pr_warn
#define pr_err_once          pr_err
#define pr_info_once         pr_info
#define no_printk(fmt, ...)  ({ if (0) printk(fmt, ##__VA_ARGS__); 0; })

#endif
