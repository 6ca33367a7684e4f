/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/completion.h (apsim shim) - struct completion on sim_completion.
 * Timeouts are in jiffies of virtual time.
 */
#ifndef _APSIM_LINUX_COMPLETION_H
#define _APSIM_LINUX_COMPLETION_H

#include <linux/jiffies.h>
#include <apsim/sim.h>

struct completion {
	struct sim_completion _c;
};

#define COMPLETION_INITIALIZER(x) { ._c = { .done = 0, .wq = { .name = #x } } }
#define DECLARE_COMPLETION(x) struct completion x = COMPLETION_INITIALIZER(x)
#define DECLARE_COMPLETION_ONSTACK(x) DECLARE_COMPLETION(x)

static inline void init_completion(struct completion *c)
{
	sim_completion_init(&c->_c);
}
static inline void reinit_completion(struct completion *c)
{
	c->_c.done = 0;
}
#define wait_for_completion(c) sim_completion_wait(&(c)->_c, SIM_SITE)
#define wait_for_completion_interruptible(c) ({ wait_for_completion(c); 0; })
#define wait_for_completion_killable(c) ({ wait_for_completion(c); 0; })
/* Returns 0 on timeout, else the remaining jiffies (at least 1). */
#define wait_for_completion_timeout(c, timeout) ({			\
	uint64_t __rem = sim_completion_wait_timeout(&(c)->_c,		\
			jiffies_to_nsecs(timeout), SIM_SITE);		\
	__rem ? (unsigned long)(__rem / JIFFY_NS ? __rem / JIFFY_NS : 1) : 0UL; })
#define wait_for_completion_interruptible_timeout(c, t) ((long)wait_for_completion_timeout(c, t))
#define wait_for_completion_killable_timeout(c, t) ((long)wait_for_completion_timeout(c, t))
#define complete(c) sim_complete(&(c)->_c, SIM_SITE)
#define complete_all(c) sim_complete_all(&(c)->_c, SIM_SITE)
static inline bool completion_done(struct completion *c)
{
	return c->_c.done != 0;
}
static inline bool try_wait_for_completion(struct completion *c)
{
	if (!c->_c.done)
		return false;
	if (c->_c.done != ~0U)
		c->_c.done--;
	return true;
}

#endif
