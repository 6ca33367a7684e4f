/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asm/kvm.h (apsim shim) - the s390 KVM user API pieces the shim needs.
 *
 * Owns: struct kvm_sync_regs (the guest general registers the PQAP
 * intercept reads and writes) and the KVM_S390_VM_CRYPTO attribute numbers.
 */
#ifndef _APSIM_ASM_KVM_H
#define _APSIM_ASM_KVM_H

#include <linux/types.h>

/* Registers synchronised between kvm and user space (only what is used). */
struct kvm_sync_regs {
	__u64 prefix;
	__u64 pc;
	__u64 gprs[16];		/* guest general purpose registers */
};

/* KVM_SET_DEVICE_ATTR on the VM: groups and the crypto attributes. */
#define KVM_S390_VM_MEM_CTRL		0
#define KVM_S390_VM_TOD			1
#define KVM_S390_VM_CRYPTO		2
#define KVM_S390_VM_CPU_MODEL		3

#define KVM_S390_VM_CRYPTO_ENABLE_AES_KW	0
#define KVM_S390_VM_CRYPTO_ENABLE_DEA_KW	1
#define KVM_S390_VM_CRYPTO_DISABLE_AES_KW	2
#define KVM_S390_VM_CRYPTO_DISABLE_DEA_KW	3
#define KVM_S390_VM_CRYPTO_ENABLE_APIE		4
#define KVM_S390_VM_CRYPTO_DISABLE_APIE		5

#endif /* _APSIM_ASM_KVM_H */
