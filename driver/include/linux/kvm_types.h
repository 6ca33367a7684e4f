/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux/kvm_types.h (apsim shim) - kvm address types.
 *
 * Owns: gfn_t, gpa_t, hva_t.
 */
#ifndef _APSIM_LINUX_KVM_TYPES_H
#define _APSIM_LINUX_KVM_TYPES_H

#include <linux/types.h>

struct kvm;
struct kvm_vcpu;

typedef u64 gpa_t;
typedef u64 gfn_t;
typedef unsigned long hva_t;

#endif /* _APSIM_LINUX_KVM_TYPES_H */
