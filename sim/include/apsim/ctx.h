/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apsim/ctx.h - libsim's user-level execution contexts: the public API of
 * the context module (sim/ctx.c, sim/ctx_x86_64.S).
 *
 * Owns: the machine-level context switch (hand-written assembly on x86-64,
 * ucontext elsewhere) and the AddressSanitizer fiber annotations around it.
 * libsim's scheduler runs every simulated thread on it; the benchmarks
 * measure the raw switch through it.  A context is made once on a stack the
 * caller owns (sim_ctx_make) and entered by switching to it (sim_ctx_jump);
 * its function must never return.
 */
#ifndef APSIM_CTX_H
#define APSIM_CTX_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif
#if !defined(SIM_ASAN) && defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#endif

/* Hand-written switch on x86-64; ucontext elsewhere (or when forced with
 * -DAPSIM_UCONTEXT, which also lets the fallback be tested on x86-64). */
#if defined(__x86_64__) && !defined(APSIM_UCONTEXT)
#define SIM_CTX_ASM 1
#else
#include <ucontext.h>
#endif

#ifdef SIM_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom,
				    size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save,
				     const void **bottom_old, size_t *size_old);
#endif

struct sim_ctx {
#ifdef SIM_CTX_ASM
	void *sp;                 /* saved stack pointer (callee-saved regs below) */
#else
	ucontext_t uc;
	void (*fn)(void *);       /* entry, read by the trampoline */
	void *arg;
#endif
	void *fake_stack;         /* ASan fake-stack handle while switched out */
	const void *stack_lo;     /* stack bounds (ASan needs them) */
	size_t stack_size;
};

#ifdef SIM_CTX_ASM
/* Save callee-saved registers on the current stack, store sp in *save,
 * load new_sp and resume there.  No syscall. (ctx_x86_64.S) */
void sim_ctx_switch(void **save, void *new_sp);
void sim_ctx_entry(void);
#endif

/* Prepare c to start fn(arg) on the stack [lo, lo+size). */
void sim_ctx_make(struct sim_ctx *c, void *lo, size_t size,
		  void (*fn)(void *), void *arg);

/* Switch from `from` to `to`.  `dying`: `from` will never be resumed. */
static inline __attribute__((always_inline)) void
sim_ctx_jump(struct sim_ctx *from, struct sim_ctx *to, bool dying)
{
#ifdef SIM_ASAN
	__sanitizer_start_switch_fiber(dying ? NULL : &from->fake_stack,
				       to->stack_lo, to->stack_size);
#else
	(void)dying;
#endif
#ifdef SIM_CTX_ASM
	sim_ctx_switch(&from->sp, to->sp);
#else
	swapcontext(&from->uc, &to->uc);
#endif
#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
}

/* First thing a new context does (ASan bookkeeping). */
static inline void sim_ctx_started(void)
{
#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
}

#endif /* APSIM_CTX_H */
