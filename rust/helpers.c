// SPDX-License-Identifier: GPL-2.0
/*
 * The C side of mrc.ko: module parameters (Rust's module! macro in 6.12 has
 * none) and out-of-line copies of static inline kernel functions, so that
 * the Rust FFI layer can call them. Nothing else belongs here.
 */
#include "ffi/bindings_helper.h"
#include <net/ip6_checksum.h>
#include <linux/udp.h>
#include <uapi/linux/mrc.h>

int mrc_param_family = AF_MRC_DEFAULT;
module_param_named(family, mrc_param_family, int, 0444);
MODULE_PARM_DESC(family, "address family number of AF_MRC (default "
		 __stringify(AF_MRC_DEFAULT) "; must be free and below AF_MAX)");

void mrc_sock_put(struct sock *sk)
{
	sock_put(sk);
}

void mrc_sock_orphan(struct sock *sk)
{
	sock_orphan(sk);
}

/* Counts the sock in its namespace's /proc/net/protocols "sockets" column. */
void mrc_sock_inuse_add(struct sock *sk, int val)
{
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, val);
}

void *mrc_net_generic(const struct net *net, unsigned int id)
{
	return net_generic(net, id);
}

/*
 * Linearizes an skb that arrived on the UDP tunnel socket (skb->data at the
 * UDP header) and describes its MRC payload. Fails if the UDP length does
 * not fit the packet.
 */
int mrc_skb_datagram(struct sk_buff *skb, struct mrc_datagram *d)
{
	const struct ipv6hdr *ip6;
	const struct udphdr *uh;
	unsigned int ulen;

	if (skb_linearize(skb) || skb->protocol != htons(ETH_P_IPV6))
		return -EINVAL;
	uh = udp_hdr(skb);
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) || (u8 *)uh + ulen > skb_tail_pointer(skb))
		return -EINVAL;
	ip6 = ipv6_hdr(skb);
	d->payload = (const u8 *)(uh + 1);
	d->len = ulen - sizeof(*uh);
	d->saddr = ip6->saddr;
	d->daddr = ip6->daddr;
	d->sport = ntohs(uh->source);
	d->flow_label = ntohl(ip6_flowlabel(ip6));
	return 0;
}

void mrc_kfree_skb(struct sk_buff *skb)
{
	kfree_skb(skb);
}

/* An skb with room for `len` bytes of MRC packet and every header below it. */
struct sk_buff *mrc_alloc_tx_skb(unsigned int len)
{
	unsigned int headroom = LL_MAX_HEADER + sizeof(struct ipv6hdr) + sizeof(struct udphdr);
	struct sk_buff *skb = alloc_skb(headroom + len, GFP_ATOMIC);

	if (skb)
		skb_reserve(skb, headroom);
	return skb;
}

/*
 * Routes and sends an skb holding an MRC packet from the tunnel socket `sk`;
 * consumes the skb in every case.
 */
int mrc_udp6_send(struct sock *sk, struct sk_buff *skb, const struct in6_addr *saddr,
		  const struct in6_addr *daddr, u16 sport, u16 dport, u32 flow_label)
{
	struct flowi6 fl6 = {
		.flowi6_proto = IPPROTO_UDP,
		.daddr = *daddr,
		.saddr = *saddr,
		.flowlabel = htonl(flow_label & IPV6_FLOWLABEL_MASK),
		.fl6_sport = htons(sport),
		.fl6_dport = htons(dport),
	};
	struct dst_entry *dst;

	dst = ip6_dst_lookup_flow(sock_net(sk), sk, &fl6, NULL);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return PTR_ERR(dst);
	}
	udp_tunnel6_xmit_skb(dst, sk, skb, dst->dev, saddr, daddr, 0, ip6_dst_hoplimit(dst),
			     fl6.flowlabel, htons(sport), htons(dport), false);
	return 0;
}

u16 mrc_sock_local_port(const struct sock *sk)
{
	return ntohs(inet_sk(sk)->inet_sport);
}

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
