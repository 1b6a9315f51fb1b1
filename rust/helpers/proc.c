// SPDX-License-Identifier: GPL-2.0
/*
 * Files under /proc/net/ of one namespace, and writing their lines.
 * For rust/ffi/proc.rs.
 */
#include "../ffi/bindings_helper.h"

struct proc_dir_entry *mrc_proc_create(struct net *net, const char *name,
				       int (*show)(struct seq_file *, void *), void *data)
{
	return proc_create_net_single(name, 0444, net->proc_net, show, data);
}

void mrc_proc_remove(struct net *net, const char *name)
{
	remove_proc_entry(name, net->proc_net);
}

/* The data of a proc_create_net_single() file (its seq private is the net). */
void *mrc_seq_pde_data(struct seq_file *seq)
{
	return pde_data(file_inode(seq->file));
}

void mrc_seq_put_u64(struct seq_file *seq, const char *name, u64 value)
{
	seq_printf(seq, "%s %llu\n", name, value);
}
