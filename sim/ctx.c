/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/ctx.c - making an execution context (see <apsim/ctx.h>).
 *
 * Owns: sim_ctx_make: the first frame of a new context for the assembly
 * switch (ctx_x86_64.S) or, elsewhere, a ucontext with a trampoline.
 */
#include <apsim/ctx.h>
#include <stdint.h>

#ifdef SIM_CTX_ASM
void sim_ctx_make(struct sim_ctx *c, void *lo, size_t size,
		  void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 72);

	/* popped by sim_ctx_switch: r15 r14 r13 r12 rbx rbp, then the
	 * resume address; rsp is then 16-byte aligned for the call. */
	sp[0] = 0;                       /* r15 */
	sp[1] = 0;                       /* r14 */
	sp[2] = (uint64_t)(uintptr_t)fn; /* r13 */
	sp[3] = (uint64_t)(uintptr_t)arg;/* r12 */
	sp[4] = 0;                       /* rbx */
	sp[5] = 0;                       /* rbp */
	sp[6] = (uint64_t)(uintptr_t)sim_ctx_entry;
	sp[7] = 0;
	sp[8] = 0;
	c->sp = sp;
	c->stack_lo = lo;
	c->stack_size = size;
	c->fake_stack = NULL;
}
#else
/* makecontext passes ints: the context pointer travels as two halves. */
static void uc_trampoline(unsigned int hi, unsigned int lo)
{
	struct sim_ctx *c = (struct sim_ctx *)(uintptr_t)(((uint64_t)hi << 32) | lo);

	c->fn(c->arg);
}
void sim_ctx_make(struct sim_ctx *c, void *lo, size_t size,
		  void (*fn)(void *), void *arg)
{
	uint64_t p = (uint64_t)(uintptr_t)c;

	getcontext(&c->uc);
	c->uc.uc_stack.ss_sp = lo;
	c->uc.uc_stack.ss_size = size;
	c->uc.uc_link = NULL;
	c->fn = fn;
	c->arg = arg;
	makecontext(&c->uc, (void (*)(void))uc_trampoline, 2,
		    (unsigned int)(p >> 32), (unsigned int)p);
	c->stack_lo = lo;
	c->stack_size = size;
	c->fake_stack = NULL;
}
#endif
