// SPDX-License-Identifier: GPL-2.0
/*
 * Received datagrams: the checks on and view of an skb the UDP tunnel
 * socket received, freeing it, and the queue that carries it from softirq
 * to work. For rust/ffi/skb.rs (mrc_kfree_skb also for udp.rs).
 */
#include "../ffi/bindings_helper.h"
#include <linux/udp.h>
#include <net/inet_ecn.h>

/*
 * Describes the MRC packet in an skb that arrived on the UDP tunnel socket
 * (its network and UDP headers in the linear data, as UDP left them; UDP
 * may have pulled skb->data past its header): where its bytes lie, linear
 * or not (nothing is copied), and the addresses. Fails if the UDP length
 * does not fit the packet.
 */
int mrc_skb_datagram(struct sk_buff *skb, struct mrc_datagram *d)
{
	const struct ipv6hdr *ip6;
	const struct udphdr *uh;
	int off = skb_transport_offset(skb) + (int)sizeof(*uh);
	unsigned int ulen;

	if (skb->protocol != htons(ETH_P_IPV6) || off < 0 || off > skb_headlen(skb))
		return -EINVAL;
	uh = udp_hdr(skb);
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) || off + ulen - sizeof(*uh) > skb->len)
		return -EINVAL;
	ip6 = ipv6_hdr(skb);
	d->off = off;
	d->len = ulen - sizeof(*uh);
	d->head = skb->data + off;
	d->head_len = min(skb_headlen(skb) - off, d->len);
	d->saddr = ip6->saddr;
	d->daddr = ip6->daddr;
	d->sport = ntohs(uh->source);
	d->flow_label = ntohl(ip6_flowlabel(ip6));
	d->ce = INET_ECN_is_ce(ipv6_get_dsfield(ip6));
	return 0;
}

/* Copies `len` bytes from `off` bytes past skb->data, linear or not. */
int mrc_skb_copy_bits(const struct sk_buff *skb, u32 off, void *to, u32 len)
{
	return skb_copy_bits(skb, off, to, len);
}

void mrc_kfree_skb(struct sk_buff *skb)
{
	kfree_skb(skb);
}

void mrc_consume_skb(struct sk_buff *skb)
{
	consume_skb(skb);
}

void mrc_skb_queue_init(struct sk_buff_head *q)
{
	skb_queue_head_init(q);
}

#define MRC_SKB_CB(skb) ((struct mrc_skb_wait *)(skb)->cb)

/*
 * Queues an skb the tunnel took off UDP's path (its control block is ours
 * now) with what `w` says of it: when it arrived and where its packets lie
 * in its UDP payload (`seg_len` bytes from `seg_off`, cut every
 * `seg_size` bytes when it is a UDP GSO batch kept whole), which
 * mrc_skb_dequeue hands back.
 */
void mrc_skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb,
			const struct mrc_skb_wait *w)
{
	BUILD_BUG_ON(sizeof(struct mrc_skb_wait) > sizeof_field(struct sk_buff, cb));
	*MRC_SKB_CB(skb) = *w;
	skb_queue_tail(q, skb);
}

u32 mrc_skb_truesize(const struct sk_buff *skb)
{
	return skb->truesize;
}

struct sk_buff *mrc_skb_dequeue(struct sk_buff_head *q, struct mrc_skb_wait *w)
{
	struct sk_buff *skb = skb_dequeue(q);

	if (skb)
		*w = *MRC_SKB_CB(skb);
	return skb;
}

u32 mrc_skb_gso_size(const struct sk_buff *skb)
{
	return skb_is_gso(skb) ? skb_shinfo(skb)->gso_size : 0;
}

struct sk_buff *mrc_skb_clone(struct sk_buff *skb)
{
	return skb_clone(skb, GFP_ATOMIC);
}

/*
 * Whether the queue is empty, without its lock: a consumer that has just
 * synchronized with the producers (see rust/ffi/skb.rs) sees their pushes.
 */
bool mrc_skb_queue_empty(const struct sk_buff_head *q)
{
	return skb_queue_empty_lockless(q);
}

void mrc_skb_queue_purge(struct sk_buff_head *q)
{
	skb_queue_purge(q);
}
