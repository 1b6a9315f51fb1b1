/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bindgen sees: the kernel headers the FFI layer binds to, and the C
 * helpers of rust/helpers.c (static inlines and macros that bindgen cannot
 * turn into callable functions). The allowlist is in rust/ffi/Kbuild.bindgen.
 */
#ifndef MRC_BINDINGS_HELPER_H
#define MRC_BINDINGS_HELPER_H

#include <linux/errno.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <net/ip6_route.h>
#include <net/udp_tunnel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>

#ifdef __BINDGEN__
/* Macros bindgen cannot evaluate, as constants it can. */
const gfp_t MRC_GFP_KERNEL = GFP_KERNEL;
#endif

/* Module parameter `family` (rust/helpers.c). */
extern int mrc_param_family;

void mrc_sock_put(struct sock *sk);
void mrc_sock_orphan(struct sock *sk);
void mrc_sock_inuse_add(struct sock *sk, int val);
void *mrc_net_generic(const struct net *net, unsigned int id);

/* An MRC datagram as the UDP tunnel socket received it (rust/ffi/udp.rs). */
struct mrc_datagram {
	const u8 *payload;
	u32 len;
	struct in6_addr saddr;
	struct in6_addr daddr;
	u16 sport;
	u32 flow_label;
};
int mrc_skb_datagram(struct sk_buff *skb, struct mrc_datagram *d);
void mrc_kfree_skb(struct sk_buff *skb);
struct sk_buff *mrc_alloc_tx_skb(unsigned int len);
int mrc_udp6_send(struct sock *sk, struct sk_buff *skb, const struct in6_addr *saddr,
		  const struct in6_addr *daddr, u16 sport, u16 dport, u32 flow_label);
u16 mrc_sock_local_port(const struct sock *sk);
struct proc_dir_entry *mrc_proc_create(struct net *net, const char *name,
				       int (*show)(struct seq_file *, void *), void *data);
void mrc_proc_remove(struct net *net, const char *name);
void *mrc_seq_pde_data(struct seq_file *seq);
void mrc_seq_put_u64(struct seq_file *seq, const char *name, u64 value);

#endif
