// SPDX-License-Identifier: GPL-2.0
/*
 * Counters kept per CPU, as the kernel keeps its SNMP counters: adding
 * touches only this CPU's copy, reading sums them. For rust/ffi/percpu.rs,
 * which sees the per-CPU pointer as an opaque `void *`.
 */
#include "../ffi/bindings_helper.h"
#include <linux/percpu.h>

static u64 __percpu *mrc_percpu(void *c)
{
	return (u64 __percpu __force *)c;
}

void *mrc_percpu_alloc(unsigned int n)
{
	return (void __force *)__alloc_percpu_gfp(n * sizeof(u64), sizeof(u64),
						  GFP_KERNEL_ACCOUNT);
}

void mrc_percpu_free(void *c)
{
	free_percpu(mrc_percpu(c));
}

void mrc_percpu_add(void *c, unsigned int i, u64 v)
{
	this_cpu_add(mrc_percpu(c)[i], v);
}

u64 mrc_percpu_sum(void *c, unsigned int i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(mrc_percpu(c), cpu)[i];
	return sum;
}
