// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP tunnel socket's send paths: the skb of an MRC packet, its UDP
 * and IPv6 headers (and the outer one of SRv6 H.Encaps), routed through
 * the dst cache of route.c and sent; and the socket's local port. For
 * rust/ffi/udp.rs.
 */
#include "helpers.h"
#include <net/ip6_checksum.h>
#include <linux/udp.h>
#include <net/udp.h>
#include <net/inet_ecn.h>

/* An skb with room for `len` bytes of MRC packet and every header below it. */
struct sk_buff *mrc_alloc_tx_skb(unsigned int len)
{
	/* Two IPv6 headers: SRv6 H.Encaps adds an outer one. */
	unsigned int headroom = LL_MAX_HEADER + 2 * sizeof(struct ipv6hdr) + sizeof(struct udphdr);
	struct sk_buff *skb = alloc_skb(headroom + len, GFP_ATOMIC);

	if (skb)
		skb_reserve(skb, headroom);
	return skb;
}

/*
 * Puts UDP and IPv6 headers in front of the MRC packet in `skb`. The UDP
 * checksum is left to the device (CHECKSUM_PARTIAL) unless `full`, for a
 * packet that is encapsulated again (SRv6), whose inner checksum no device
 * will fill in. Every MRC packet is ECN-capable (ECT(0)): a queue on the
 * way marks it Congestion Experienced instead of dropping it, the
 * receiver echoes the mark in its SACK, and NSCC takes it as its signal.
 */
static void mrc_push_udp6(struct sk_buff *skb, const struct in6_addr *saddr,
			  const struct in6_addr *daddr, u16 sport, u16 dport, __be32 flowlabel,
			  u8 hop_limit, bool full)
{
	unsigned int len = skb->len + sizeof(struct udphdr);
	struct ipv6hdr *ip6;
	struct udphdr *uh;

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons(len);
	uh->check = 0;
	if (full) {
		uh->check = csum_ipv6_magic(saddr, daddr, len, IPPROTO_UDP,
					    csum_partial(uh, len, 0));
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
		skb->ip_summed = CHECKSUM_NONE;
	} else {
		udp6_set_csum(false, skb, saddr, daddr, len);
	}
	ip6 = skb_push(skb, sizeof(*ip6));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6, INET_ECN_ECT_0, flowlabel);
	ip6->payload_len = htons(len);
	ip6->nexthdr = IPPROTO_UDP;
	ip6->hop_limit = hop_limit;
	ip6->saddr = *saddr;
	ip6->daddr = *daddr;
	skb->protocol = htons(ETH_P_IPV6);
}

unsigned int mrc_skb_tailroom(const struct sk_buff *skb)
{
	return skb_tailroom(skb);
}

unsigned int mrc_skb_frags_left(const struct sk_buff *skb)
{
	return MAX_SKB_FRAGS - skb_shinfo(skb)->nr_frags;
}

/* Appends a fragment to an outgoing skb, its truesize counting the bytes. */
static void mrc_skb_put_frag(struct sk_buff *skb, struct page *page, unsigned int off,
			     unsigned int len)
{
	skb_fill_page_desc(skb, skb_shinfo(skb)->nr_frags, page, off, len);
	skb->len += len;
	skb->data_len += len;
	skb->truesize += len;
}

/*
 * Appends `len` bytes of an outgoing message's page (a chunk of
 * rust/ffi/pages.rs) as a fragment holding a reference of its own. The
 * page is shared with the message, whose bytes a retransmission sends
 * again, so the skb marks its fragments as shared (SKBFL_SHARED_FRAG), as
 * the kernel does for pages spliced from a file.
 */
int mrc_skb_add_page_frag(struct sk_buff *skb, struct page *page, unsigned int off,
			  unsigned int len)
{
	if (skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
		return -EMSGSIZE;
	get_page(page);
	mrc_skb_put_frag(skb, page, off, len);
	skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
	return 0;
}

/*
 * Appends a copy of `len` bytes of headers as a fragment of their own (from
 * the CPU's page fragment cache): the headers of a batch's packets after
 * the first, which lie between their payloads' fragments.
 */
int mrc_skb_add_header_frag(struct sk_buff *skb, const void *hdr, unsigned int len)
{
	struct page *page;
	void *buf;

	if (skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
		return -EMSGSIZE;
	buf = netdev_alloc_frag(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, hdr, len);
	page = virt_to_head_page(buf);
	mrc_skb_put_frag(skb, page, buf - page_address(page), len);
	return 0;
}

/*
 * Routes and sends an skb holding an MRC packet from the tunnel socket `sk`
 * (an unspecified `saddr` takes the route's source), with the route from
 * `cache` if it holds a current one (`cache` may be NULL); consumes the skb
 * in every case. A non-zero `gso_size` below the skb's length makes it a
 * UDP GSO batch (SKB_GSO_UDP_L4): MRC packets of `gso_size` bytes back to
 * back (the last may be shorter), which the stack, or the device,
 * segments into one datagram each as late as it can.
 */
int mrc_udp6_send(struct sock *sk, struct sk_buff *skb, const struct in6_addr *saddr,
		  const struct in6_addr *daddr, u16 sport, u16 dport, u32 flow_label,
		  struct mrc_dst *cache, unsigned int gso_size)
{
	unsigned int payload = skb->len;
	struct net *net = sock_net(sk);
	/*
	 * A deliberate twin of mrc_srv6_send's flow, which is the outer
	 * header's (IPPROTO_IPV6 toward `outer`, no ports).
	 */
	struct flowi6 fl6 = {
		.flowi6_proto = IPPROTO_UDP,
		.daddr = *daddr,
		.saddr = *saddr,
		.flowlabel = htonl(flow_label & IPV6_FLOWLABEL_MASK),
		.fl6_sport = htons(sport),
		.fl6_dport = htons(dport),
	};
	struct dst_entry *dst;

	dst = mrc_dst_lookup(cache, net, sk, &fl6);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return PTR_ERR(dst);
	}
	/* The checksum is set up for the whole batch before it becomes one. */
	mrc_push_udp6(skb, &fl6.saddr, daddr, sport, dport, fl6.flowlabel,
		      ip6_dst_hoplimit(dst), false);
	if (gso_size && payload > gso_size) {
		skb_shinfo(skb)->gso_size = gso_size;
		skb_shinfo(skb)->gso_type = SKB_GSO_UDP_L4;
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(payload, gso_size);
	}
	skb_dst_set(skb, dst);
	return ip6_local_out(net, sk, skb) < 0 ? -ENOBUFS : 0;
}

/*
 * SRv6 H.Encaps of an MRC packet: the skb holds the MRC packet; this adds
 * the inner UDP and IPv6 headers toward the peer and an outer IPv6 header
 * toward `outer` (a uSID container), and sends it, routed like
 * mrc_udp6_send. Consumes the skb.
 */
int mrc_srv6_send(struct sock *sk, struct sk_buff *skb, const struct in6_addr *saddr,
		  const struct in6_addr *daddr, u16 sport, u16 dport, u32 flow_label,
		  const struct in6_addr *outer, struct mrc_dst *cache)
{
	struct net *net = sock_net(sk);
	/*
	 * A deliberate twin of mrc_udp6_send's flow: this one routes the outer
	 * header (IPPROTO_IPV6 toward `outer`, no ports).
	 */
	struct flowi6 fl6 = {
		.flowi6_proto = IPPROTO_IPV6,
		.daddr = *outer,
		.saddr = *saddr,
		.flowlabel = htonl(flow_label & IPV6_FLOWLABEL_MASK),
	};
	struct dst_entry *dst;
	struct ipv6hdr *ip6;

	dst = mrc_dst_lookup(cache, net, sk, &fl6);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return PTR_ERR(dst);
	}
	mrc_push_udp6(skb, &fl6.saddr, daddr, sport, dport, fl6.flowlabel, 64, true);
	ip6 = skb_push(skb, sizeof(*ip6));
	skb_reset_network_header(skb);
	/* ECN-capable as the inner header is (RFC 6040's normal mode). */
	ip6_flow_hdr(ip6, INET_ECN_ECT_0, fl6.flowlabel);
	ip6->nexthdr = IPPROTO_IPV6;
	ip6->hop_limit = ip6_dst_hoplimit(dst);
	ip6->saddr = fl6.saddr;
	ip6->daddr = *outer;
	skb_dst_set(skb, dst);
	return ip6_local_out(net, sk, skb) < 0 ? -ENOBUFS : 0;
}

/*
 * Makes the tunnel socket `sk` call `data_ready` (in softirq) once for every
 * datagram UDP queues on it, which it takes with mrc_udp_dequeue, and
 * accept UDP GSO batches whole (SKB_GSO_UDP_L4, as the UDP_GRO socket
 * option does): UDP would cut a batch into datagrams for a socket with an
 * encap_rcv hook (udp_unexpected_gso), and queues it whole for one
 * without. What arrived before is handed to `data_ready` here.
 */
void mrc_udp_set_data_ready(struct sock *sk, void (*data_ready)(struct sock *sk))
{
	unsigned int queued;

	udp_set_bit(ACCEPT_L4, sk);
	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sk->sk_data_ready, data_ready);
	write_unlock_bh(&sk->sk_callback_lock);
	local_bh_disable();
	rcu_read_lock();
	for (queued = skb_queue_len_lockless(&sk->sk_receive_queue); queued; queued--)
		data_ready(sk);
	rcu_read_unlock();
	local_bh_enable();
}

/*
 * Takes the oldest datagram (or GSO batch) queued on the tunnel socket `sk`,
 * checksum verified (as udp_recvmsg does: UDP defers it to the reader),
 * positioned at its UDP payload with its network and transport headers
 * set, and counted as UDP counts a datagram read; NULL if none is queued or
 * its checksum is wrong (dropped, counted as UDP counts it).
 */
struct sk_buff *mrc_udp_dequeue(struct sock *sk)
{
	struct sk_buff *skb;
	int err;

	skb = skb_recv_udp(sk, MSG_DONTWAIT, &err);
	if (skb && !udp_skb_csum_unnecessary(skb) && __udp_lib_checksum_complete(skb)) {
		UDP6_INC_STATS(sock_net(sk), UDP_MIB_CSUMERRORS, 0);
		UDP6_INC_STATS(sock_net(sk), UDP_MIB_INERRORS, 0);
		kfree_skb_reason(skb, SKB_DROP_REASON_UDP_CSUM);
		return NULL;
	}
	if (skb)
		UDP6_INC_STATS(sock_net(sk), UDP_MIB_INDATAGRAMS, 0);
	return skb;
}

/*
 * Bottom halves off and on again around a run of sends (rust/ffi/udp.rs
 * `Tunnel::sending`): the receive softirq a send raises (veth and loopback
 * deliver through the backlog) then runs once for the run, at the enable.
 */
void mrc_local_bh_disable(void)
{
	local_bh_disable();
}

void mrc_local_bh_enable(void)
{
	local_bh_enable();
}

u16 mrc_sock_local_port(const struct sock *sk)
{
	return ntohs(inet_sk(sk)->inet_sport);
}
