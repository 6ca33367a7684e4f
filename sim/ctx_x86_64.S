/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/ctx_x86_64.S - context switch of simulated threads (x86-64 SysV).
 *
 * Owns: sim_ctx_switch (save rbx rbp r12-r15 on the old stack, swap rsp,
 * restore, and resume with pop+jmp instead of ret: the indirect jump does
 * not unbalance the return-stack buffer) and sim_ctx_entry, the first frame
 * of a new context (r12 = argument, r13 = function).
 */
#ifdef __x86_64__
	.text
	.globl	sim_ctx_switch
	.type	sim_ctx_switch, @function
	.p2align 4
/* void sim_ctx_switch(void **save (rdi), void *new_sp (rsi)) */
sim_ctx_switch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	popq	%r8
	jmp	*%r8
	.cfi_endproc
	.size	sim_ctx_switch, .-sim_ctx_switch

	.globl	sim_ctx_entry
	.type	sim_ctx_entry, @function
	.p2align 4
sim_ctx_entry:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%r12, %rdi
	callq	*%r13
	ud2
	.cfi_endproc
	.size	sim_ctx_entry, .-sim_ctx_entry
#endif
	.section .note.GNU-stack,"",@progbits
