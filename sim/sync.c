/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/sync.c - kernel-semantics synchronization primitives.
 *
 * Owns: sim_mutex, sim_rwsem (writer-waiting blocks new readers),
 * sim_spinlock (per-thread held-spinlock tracking, might_sleep checks),
 * sim_completion.  Every blocking operation and every release is a
 * scheduling point; releases get a point before (the release itself is one
 * step on the lock) and one after (preemption right after the unlock).
 * Blocking uses the wait queue embedded in each object; the lock validator
 * is called before blocking (acquire) and on release.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>


static inline int me(void)
{
	return sim__world.cur ? sim__world.cur->tid : -1;
}

static inline void ev(enum sim_ev k, const struct sim_lockdep_map *m,
		      const struct sim_site *site)
{
	if (unlikely(sim__world.trace) && sim__world.cur)
		sim__trace_ev(sim__world.cur->tid, k, m->name, site, NULL);
}

/* ------------------------------------------------------------ might_sleep */

void sim__might_sleep_report(const struct sim_site *site, const char *what)
{
	struct sim_thread *t = sim__world.cur;
	char sbuf[96], sig[200];
	const char *lname;
	lname = t->spins[(t->spin_depth > SIM_SPINSTACK ? SIM_SPINSTACK : t->spin_depth) - 1]
			->dep_map.name;
	sim_site_str(site, sbuf, sizeof(sbuf));
	snprintf(sig, sizeof(sig), "sleep-atomic:%s@%s", lname ? lname : "?", sbuf);
	sim_report(SIM_F_SLEEP_ATOMIC, false, sig,
		   "BUG: sleeping function called from invalid context at %s\n"
		   "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: %d, name: %s\n"
		   "preempt_count: %d, expected: 0\n"
		   "blocking operation: %s while holding spinlock %s\n",
		   sbuf, t->tid, t->name, t->spin_depth, what,
		   lname ? lname : "?");
}

void sim_might_sleep(const struct sim_site *site)
{
	sim__check_might_sleep(site, "might_sleep");
}

/* ------------------------------------------------------------ mutex */

static void lockobj_init(struct sim_lockdep_map *m, struct sim_waitq *wq,
			 const char *name, const struct sim_lock_class_key *key,
			 const struct sim_site *site)
{
	memset(wq, 0, sizeof(*wq));
	wq->name = name;
	wq->map = m;
	sim_lockdep_init_map(m, name, key, site);
}

void sim_mutex_init(struct sim_mutex *m, const char *name,
		    const struct sim_lock_class_key *key, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(m, true, site);
	m->owner = 0;
	m->owner_site = NULL;
	lockobj_init(&m->dep_map, &m->wq, name, key, site);
}

void sim_mutex_lock(struct sim_mutex *m, int subclass, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(m, true, site);
	struct sim_thread *t = sim__world.cur;

	if (unlikely(!t)) {             /* host context: no blocking */
		(void)subclass;
		m->owner = 1;           /* host context: recorded as tid 0 */
		m->owner_site = site;
		return;
	}
	sim__check_might_sleep(site, "mutex_lock");
	sim__point(m, site);
	if (sim__world.lockdep)
		sim_lockdep_acquire(&m->dep_map, subclass, SIM_LOCK_EXCL, false, site);
	if (m->owner)
		sim__cov_contend(site, m->owner_site);
	while (m->owner)
		sim__block(&m->wq, 0, m, site);
	m->owner = t->tid + 1;
	m->owner_site = site;
	SIM_RACE(sim__race_acquire(m, &m->dep_map));
	ev(SIM_EV_LOCK, &m->dep_map, site);
}

int sim_mutex_lock_interruptible(struct sim_mutex *m, int subclass,
				 const struct sim_site *site)
{
	sim_mutex_lock(m, subclass, site);
	return 0;
}

int sim_mutex_trylock(struct sim_mutex *m, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(m, true, site);
	struct sim_thread *t = sim__world.cur;

	if (t)
		sim__point(m, site);
	if (m->owner) {
		ev(SIM_EV_TRYLOCK_FAIL, &m->dep_map, site);
		return 0;
	}
	m->owner = me() + 1 ? me() + 1 : 1;
	m->owner_site = site;
	if (t && sim__world.lockdep)
		sim_lockdep_acquire(&m->dep_map, 0, SIM_LOCK_EXCL, true, site);
	SIM_RACE(sim__race_acquire(m, &m->dep_map));
	ev(SIM_EV_TRYLOCK_OK, &m->dep_map, site);
	return 1;
}

static void bad_unlock(const struct sim_lockdep_map *m, const char *what,
		       int owner_tid, const struct sim_site *site)
{
	char sbuf[96], sig[200];

	/* the validator reports this as "bad unlock balance" itself */
	if (sim__world.lockdep)
		return;
	sim_site_str(site, sbuf, sizeof(sbuf));
	snprintf(sig, sizeof(sig), "bad-unlock:%s", m->name ? m->name : "?");
	sim_report(SIM_F_LOCK_BAD_UNLOCK, false, sig,
		   "WARNING: bad unlock balance detected!\n"
		   "%s (T%d) is trying to release lock (%s) at %s\n"
		   "but %s\n",
		   sim__world.cur ? sim__world.cur->name : "host", me(),
		   m->name ? m->name : "?", sbuf,
		   owner_tid < 0 ? "the lock is not held"
				 : what);
}

void sim_mutex_unlock(struct sim_mutex *m, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(m, true, site);
	struct sim_thread *t = sim__world.cur;

	if (unlikely(!t)) {
		m->owner = 0;
		sim__wake_one(&m->wq);
		return;
	}
	sim__point(m, site);
	if (sim__world.lockdep)
		sim_lockdep_release(&m->dep_map, site);
	if (unlikely(m->owner != t->tid + 1))
		bad_unlock(&m->dep_map, "it is held by another thread",
			   m->owner - 1, site);
	SIM_RACE(sim__race_release(m, &m->dep_map));
	m->owner = 0;
	m->owner_site = NULL;
	ev(SIM_EV_UNLOCK, &m->dep_map, site);
	sim__wake_one(&m->wq);
	sim__point(SIM_OBJ_NONE, site);
}

bool sim_mutex_is_locked(const struct sim_mutex *m)
{
	SIM_SHADOW_ENTRY(m, false, NULL);
	return m->owner != 0;
}

/* ------------------------------------------------------------ rwsem */

void sim_rwsem_init(struct sim_rwsem *s, const char *name,
		    const struct sim_lock_class_key *key, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(s, true, site);
	s->writer = 0;
	s->readers = 0;
	s->nreaders = 0;
	s->writers_waiting = 0;
	s->owner_site = NULL;
	lockobj_init(&s->dep_map, &s->wq, name, key, site);
}

void sim_rwsem_down_read(struct sim_rwsem *s, int subclass, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(s, true, site);
	struct sim_thread *t = sim__world.cur;

	if (unlikely(!t)) {
		s->nreaders++;
		return;
	}
	sim__check_might_sleep(site, "down_read");
	sim__point(s, site);
	if (sim__world.lockdep)
		sim_lockdep_acquire(&s->dep_map, subclass, SIM_LOCK_READ, false, site);
	/* a waiting writer blocks new readers */
	if (s->writer || s->writers_waiting)
		sim__cov_contend(site, s->owner_site);
	while (s->writer || s->writers_waiting)
		sim__block(&s->wq, 0, s, site);
	s->readers |= BIT(t->tid);
	s->nreaders++;
	s->owner_site = site;
	SIM_RACE(sim__race_acquire(s, &s->dep_map));
	ev(SIM_EV_DOWN_READ, &s->dep_map, site);
}

void sim_rwsem_down_write(struct sim_rwsem *s, int subclass, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(s, true, site);
	struct sim_thread *t = sim__world.cur;

	if (unlikely(!t)) {
		s->writer = 1;
		return;
	}
	sim__check_might_sleep(site, "down_write");
	sim__point(s, site);
	if (sim__world.lockdep)
		sim_lockdep_acquire(&s->dep_map, subclass, SIM_LOCK_EXCL, false, site);
	if (s->writer || s->nreaders) {
		sim__cov_contend(site, s->owner_site);
		s->writers_waiting++;
		while (s->writer || s->nreaders)
			sim__block(&s->wq, 0, s, site);
		s->writers_waiting--;
	}
	s->writer = t->tid + 1;
	s->owner_site = site;
	SIM_RACE(sim__race_acquire((char *)s + 1, NULL));
	SIM_RACE(sim__race_acquire(s, &s->dep_map));
	ev(SIM_EV_DOWN_WRITE, &s->dep_map, site);
}

int sim_rwsem_down_read_trylock(struct sim_rwsem *s, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(s, true, site);
	struct sim_thread *t = sim__world.cur;

	if (t)
		sim__point(s, site);
	if (s->writer || s->writers_waiting) {
		ev(SIM_EV_TRYLOCK_FAIL, &s->dep_map, site);
		return 0;
	}
	if (t)
		s->readers |= BIT(t->tid);
	s->nreaders++;
	s->owner_site = site;
	if (t && sim__world.lockdep)
		sim_lockdep_acquire(&s->dep_map, 0, SIM_LOCK_READ, true, site);
	SIM_RACE(sim__race_acquire(s, &s->dep_map));
	ev(SIM_EV_DOWN_READ, &s->dep_map, site);
	return 1;
}

int sim_rwsem_down_write_trylock(struct sim_rwsem *s, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(s, true, site);
	struct sim_thread *t = sim__world.cur;

	if (t)
		sim__point(s, site);
	if (s->writer || s->nreaders) {
		ev(SIM_EV_TRYLOCK_FAIL, &s->dep_map, site);
		return 0;
	}
	s->writer = me() + 1 ? me() + 1 : 1;
	s->owner_site = site;
	if (t && sim__world.lockdep)
		sim_lockdep_acquire(&s->dep_map, 0, SIM_LOCK_EXCL, true, site);
	SIM_RACE(sim__race_acquire((char *)s + 1, NULL));
	SIM_RACE(sim__race_acquire(s, &s->dep_map));
	ev(SIM_EV_DOWN_WRITE, &s->dep_map, site);
	return 1;
}

void sim_rwsem_up_read(struct sim_rwsem *s, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(s, true, site);
	struct sim_thread *t = sim__world.cur;

	if (unlikely(!t)) {
		if (s->nreaders > 0)
			s->nreaders--;
		sim__wake_all(&s->wq);
		return;
	}
	sim__point(s, site);
	if (sim__world.lockdep)
		sim_lockdep_release(&s->dep_map, site);
	if (unlikely(!(s->readers & BIT(t->tid)))) {
		bad_unlock(&s->dep_map, "it is not read-held by this thread",
			   s->nreaders ? 0 : -1, site);
		if (s->nreaders == 0)
			goto out;
	}
	SIM_RACE(sim__race_release((char *)s + 1, &s->dep_map));
	s->readers &= ~BIT(t->tid);
	s->nreaders--;
	ev(SIM_EV_UP_READ, &s->dep_map, site);
	if (s->nreaders == 0)
		sim__wake_all(&s->wq);
out:
	sim__point(SIM_OBJ_NONE, site);
}

void sim_rwsem_up_write(struct sim_rwsem *s, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(s, true, site);
	struct sim_thread *t = sim__world.cur;

	if (unlikely(!t)) {
		s->writer = 0;
		sim__wake_all(&s->wq);
		return;
	}
	sim__point(s, site);
	if (sim__world.lockdep)
		sim_lockdep_release(&s->dep_map, site);
	if (unlikely(s->writer != t->tid + 1))
		bad_unlock(&s->dep_map, "it is not write-held by this thread",
			   s->writer - 1, site);
	SIM_RACE(sim__race_release(s, &s->dep_map));
	s->writer = 0;
	s->owner_site = NULL;
	ev(SIM_EV_UP_WRITE, &s->dep_map, site);
	sim__wake_all(&s->wq);
	sim__point(SIM_OBJ_NONE, site);
}

void sim_rwsem_downgrade_write(struct sim_rwsem *s, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(s, true, site);
	struct sim_thread *t = sim__world.cur;

	if (unlikely(!t))
		return;
	sim__point(s, site);
	if (unlikely(s->writer != t->tid + 1)) {
		bad_unlock(&s->dep_map, "it is not write-held by this thread",
			   s->writer - 1, site);
		return;
	}
	if (sim__world.lockdep) {
		sim_lockdep_release(&s->dep_map, site);
		sim_lockdep_acquire(&s->dep_map, 0, SIM_LOCK_READ, true, site);
	}
	SIM_RACE(sim__race_release(s, &s->dep_map));
	SIM_RACE(sim__race_acquire(s, &s->dep_map));
	s->writer = 0;
	s->readers |= BIT(t->tid);
	s->nreaders++;
	ev(SIM_EV_DOWNGRADE, &s->dep_map, site);
	sim__wake_all(&s->wq);
	sim__point(SIM_OBJ_NONE, site);
}

bool sim_rwsem_is_locked(const struct sim_rwsem *s)
{
	SIM_SHADOW_ENTRY(s, false, NULL);
	return s->writer || s->nreaders;
}

/* ------------------------------------------------------------ spinlock */

void sim_spin_init(struct sim_spinlock *l, const char *name,
		   const struct sim_lock_class_key *key, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(l, true, site);
	l->owner = 0;
	lockobj_init(&l->dep_map, &l->wq, name, key, site);
}

static void spin_push(struct sim_thread *t, struct sim_spinlock *l)
{
	if (t->spin_depth < SIM_SPINSTACK)
		t->spins[t->spin_depth] = l;
	t->spin_depth++;
}

static void spin_pop(struct sim_thread *t, struct sim_spinlock *l)
{
	int n = t->spin_depth < SIM_SPINSTACK ? t->spin_depth : SIM_SPINSTACK;

	if (t->spin_depth == 0)
		return;
	/* remove l (usually the innermost) */
	for (int i = n - 1; i >= 0; i--) {
		if (t->spins[i] == l) {
			memmove(&t->spins[i], &t->spins[i + 1],
				(size_t)(n - 1 - i) * sizeof(t->spins[0]));
			break;
		}
	}
	t->spin_depth--;
}

void sim_spin_lock(struct sim_spinlock *l, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(l, true, site);
	struct sim_thread *t = sim__world.cur;

	if (unlikely(!t)) {
		l->owner = 1;
		return;
	}
	sim__point(l, site);
	if (sim__world.lockdep)
		sim_lockdep_acquire(&l->dep_map, 0, SIM_LOCK_EXCL, false, site);
	while (l->owner)                /* spinning = waiting for the owner */
		sim__block(&l->wq, 0, l, site);
	l->owner = t->tid + 1;
	spin_push(t, l);
	SIM_RACE(sim__race_acquire(l, &l->dep_map));
	ev(SIM_EV_SPIN_LOCK, &l->dep_map, site);
}

int sim_spin_trylock(struct sim_spinlock *l, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(l, true, site);
	struct sim_thread *t = sim__world.cur;

	if (t)
		sim__point(l, site);
	if (l->owner) {
		ev(SIM_EV_TRYLOCK_FAIL, &l->dep_map, site);
		return 0;
	}
	l->owner = me() + 1 ? me() + 1 : 1;
	if (t) {
		spin_push(t, l);
		if (sim__world.lockdep)
			sim_lockdep_acquire(&l->dep_map, 0, SIM_LOCK_EXCL, true, site);
		SIM_RACE(sim__race_acquire(l, &l->dep_map));
	}
	ev(SIM_EV_TRYLOCK_OK, &l->dep_map, site);
	return 1;
}

void sim_spin_unlock(struct sim_spinlock *l, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(l, true, site);
	struct sim_thread *t = sim__world.cur;

	if (unlikely(!t)) {
		l->owner = 0;
		sim__wake_one(&l->wq);
		return;
	}
	sim__point(l, site);
	if (sim__world.lockdep)
		sim_lockdep_release(&l->dep_map, site);
	if (unlikely(l->owner != t->tid + 1))
		bad_unlock(&l->dep_map, "it is held by another thread",
			   l->owner - 1, site);
	else
		spin_pop(t, l);
	SIM_RACE(sim__race_release(l, &l->dep_map));
	l->owner = 0;
	ev(SIM_EV_SPIN_UNLOCK, &l->dep_map, site);
	sim__wake_one(&l->wq);
	sim__point(SIM_OBJ_NONE, site);
}

/* ------------------------------------------------------------ completion */

void sim_completion_init(struct sim_completion *c)
{
	SIM_SHADOW_ENTRY(c, true, NULL);
	c->done = 0;
	memset(&c->wq, 0, sizeof(c->wq));
	c->wq.name = "completion";
}

static void cev(enum sim_ev k, const struct sim_site *site)
{
	if (unlikely(sim__world.trace) && sim__world.cur)
		sim__trace_ev(sim__world.cur->tid, k, "completion", site, NULL);
}

void sim_completion_wait(struct sim_completion *c, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(c, true, site);
	if (!sim__world.cur) {
		if (c->done && c->done != ~0u)
			c->done--;
		return;
	}
	sim__check_might_sleep(site, "wait_for_completion");
	sim__point(c, site);
	cev(SIM_EV_WAIT, site);
	while (!c->done)
		sim__block(&c->wq, 0, c, site);
	SIM_RACE(sim__race_acquire(c, NULL));
	if (c->done != ~0u)
		c->done--;
}

uint64_t sim_completion_wait_timeout(struct sim_completion *c, uint64_t ns,
				     const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(c, true, site);
	uint64_t deadline;

	if (!sim__world.cur) {
		if (!c->done)
			return 0;
		if (c->done != ~0u)
			c->done--;
		return ns ? ns : 1;
	}
	sim__check_might_sleep(site, "wait_for_completion_timeout");
	sim__point(c, site);
	cev(SIM_EV_WAIT, site);
	deadline = sim__world.now + ns;
	while (!c->done) {
		if (sim__world.now >= deadline ||
		    sim__block(&c->wq, deadline, c, site) == -ETIMEDOUT) {
			if (c->done)
				break;
			return 0;
		}
	}
	SIM_RACE(sim__race_acquire(c, NULL));
	if (c->done != ~0u)
		c->done--;
	return deadline > sim__world.now ? deadline - sim__world.now : 1;
}

void sim_complete(struct sim_completion *c, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(c, true, site);
	if (sim__world.cur)
		sim__point(c, site);
	SIM_RACE(sim__race_release(c, NULL));
	cev(SIM_EV_COMPLETE, site);
	if (c->done != ~0u)
		c->done++;
	sim__wake_one(&c->wq);
}

void sim_complete_all(struct sim_completion *c, const struct sim_site *site)
{
	SIM_SHADOW_ENTRY(c, true, site);
	if (sim__world.cur)
		sim__point(c, site);
	SIM_RACE(sim__race_release(c, NULL));
	cev(SIM_EV_COMPLETE, site);
	c->done = ~0u;
	sim__wake_all(&c->wq);
}
