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
#include <net/genetlink.h>
#include "mrc_nl_gen.h"

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

void mrc_consume_skb(struct sk_buff *skb)
{
	consume_skb(skb);
}

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
 * will fill in.
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
	ip6_flow_hdr(ip6, 0, flowlabel);
	ip6->payload_len = htons(len);
	ip6->nexthdr = IPPROTO_UDP;
	ip6->hop_limit = hop_limit;
	ip6->saddr = *saddr;
	ip6->daddr = *daddr;
	skb->protocol = htons(ETH_P_IPV6);
}

/*
 * The route for `fl6`: the one kept in `c` while the IPv6 stack's cookie
 * says it is current (as a connected socket's dst cache), else a fresh
 * lookup, kept in `c`. `c` may be NULL (no cache). Returns a referenced dst
 * or an ERR_PTR, with fl6->saddr set to the route's source.
 */
static struct dst_entry *mrc_dst_lookup(struct mrc_dst *c, struct net *net, struct sock *sk,
					struct flowi6 *fl6)
{
	struct dst_entry *dst;

	if (c && c->dst) {
		if (dst_check(c->dst, c->cookie)) {
			dst_hold(c->dst);
			fl6->saddr = c->saddr;
			return c->dst;
		}
		dst_release(c->dst);
		c->dst = NULL;
	}
	dst = ip6_dst_lookup_flow(net, sk, fl6, NULL);
	if (c && !IS_ERR(dst)) {
		dst_hold(dst);
		c->dst = dst;
		c->cookie = rt6_get_cookie(dst_rt6_info(dst));
		c->saddr = fl6->saddr;
	}
	return dst;
}

void mrc_dst_release(struct mrc_dst *c)
{
	dst_release(c->dst);
	c->dst = NULL;
}

/*
 * Routes and sends an skb holding an MRC packet from the tunnel socket `sk`
 * (an unspecified `saddr` takes the route's source), with the route from
 * `cache` if it holds a current one (`cache` may be NULL); consumes the skb
 * in every case.
 */
int mrc_udp6_send(struct sock *sk, struct sk_buff *skb, const struct in6_addr *saddr,
		  const struct in6_addr *daddr, u16 sport, u16 dport, u32 flow_label,
		  struct mrc_dst *cache)
{
	struct net *net = sock_net(sk);
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
	mrc_push_udp6(skb, &fl6.saddr, daddr, sport, dport, fl6.flowlabel,
		      ip6_dst_hoplimit(dst), false);
	skb_dst_set(skb, dst);
	return ip6_local_out(net, sk, skb) < 0 ? -ENOBUFS : 0;
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

/* The module's workqueue: every connection's and namespace's work runs here. */
struct workqueue_struct *mrc_alloc_workqueue(void)
{
	return alloc_workqueue("mrc", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
}

/* A one-shot soft hrtimer on CLOCK_MONOTONIC calling fire(ctx) in softirq. */
static enum hrtimer_restart mrc_timer_fn(struct hrtimer *timer)
{
	struct mrc_timer *t = container_of(timer, struct mrc_timer, timer);

	t->fire(t->ctx);
	return HRTIMER_NORESTART;
}

void mrc_timer_init(struct mrc_timer *t, void (*fire)(const void *ctx), const void *ctx)
{
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	t->timer.function = mrc_timer_fn;
	t->fire = fire;
	t->ctx = ctx;
}

void mrc_timer_arm(struct mrc_timer *t, u64 at_ns)
{
	hrtimer_start(&t->timer, ns_to_ktime(at_ns), HRTIMER_MODE_ABS_SOFT);
}

void mrc_timer_cancel(struct mrc_timer *t)
{
	hrtimer_cancel(&t->timer);
}

void mrc_skb_queue_init(struct sk_buff_head *q)
{
	skb_queue_head_init(q);
}

void mrc_skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb)
{
	skb_queue_tail(q, skb);
}

u32 mrc_skb_truesize(const struct sk_buff *skb)
{
	return skb->truesize;
}

struct sk_buff *mrc_skb_dequeue(struct sk_buff_head *q)
{
	return skb_dequeue(q);
}

void mrc_skb_queue_purge(struct sk_buff_head *q)
{
	skb_queue_purge(q);
}

void mrc_sock_hold(struct sock *sk)
{
	sock_hold(sk);
}

/* Wakes every task sleeping on the socket (poll, epoll and blocking calls). */
void mrc_sk_wake(struct sock *sk)
{
	sk->sk_state_change(sk);
}

/*
 * Sleeps on the socket's wait queue until woken, for at most `timeo`
 * jiffies, unless *seq already moved on from `seen` (the wake-up that
 * changed it came first). Returns the time left.
 */
long mrc_sk_wait(struct sock *sk, const u32 *seq, u32 seen, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	if (READ_ONCE(*seq) == seen && !signal_pending(current))
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
	remove_wait_queue(sk_sleep(sk), &wait);
	return timeo;
}

bool mrc_signal_pending(void)
{
	return signal_pending(current);
}

int mrc_sock_intr_errno(long timeo)
{
	return sock_intr_errno(timeo);
}

long mrc_sock_sndtimeo(const struct sock *sk, bool nonblock)
{
	return sock_sndtimeo(sk, nonblock);
}

long mrc_sock_rcvtimeo(const struct sock *sk, bool nonblock)
{
	return sock_rcvtimeo(sk, nonblock);
}

int mrc_sock_bufsize(const struct sock *sk, bool send)
{
	return send ? READ_ONCE(sk->sk_sndbuf) : READ_ONCE(sk->sk_rcvbuf);
}

void mrc_sock_set_err(struct sock *sk, int err)
{
	WRITE_ONCE(sk->sk_err, err);
}

void mrc_sock_poll_wait(struct file *file, struct socket *sock, poll_table *p)
{
	sock_poll_wait(file, sock, p);
}

void mrc_send_sigpipe(void)
{
	send_sig(SIGPIPE, current, 0);
}

size_t mrc_msg_len(struct msghdr *msg)
{
	return msg_data_left(msg);
}

int mrc_msg_copy_from(struct msghdr *msg, void *buf, size_t len)
{
	return copy_from_iter_full(buf, len, &msg->msg_iter) ? 0 : -EFAULT;
}

int mrc_msg_copy_to(struct msghdr *msg, const void *buf, size_t len)
{
	return copy_to_iter(buf, len, &msg->msg_iter) == len ? 0 : -EFAULT;
}

/*
 * The MRC_IMM control message of a sendmsg: 1 and *imm set if there is one,
 * 0 if not, -EINVAL for a malformed or unknown SOL_MRC control message.
 */
int mrc_msg_imm(struct msghdr *msg, u32 *imm)
{
	struct cmsghdr *cmsg;
	int found = 0;

	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level != SOL_MRC)
			continue;
		if (cmsg->cmsg_type != MRC_IMM || cmsg->cmsg_len != CMSG_LEN(sizeof(u32)))
			return -EINVAL;
		memcpy(imm, CMSG_DATA(cmsg), sizeof(u32));
		found = 1;
	}
	return found;
}

int mrc_msg_put_imm(struct msghdr *msg, u32 imm)
{
	return put_cmsg(msg, SOL_MRC, MRC_IMM, sizeof(imm), &imm);
}

void mrc_msg_set_flags(struct msghdr *msg, int flags)
{
	msg->msg_flags |= flags;
}

int mrc_copy_from_sockptr(void *dst, sockptr_t src, size_t len)
{
	return copy_from_sockptr(dst, src, len) ? -EFAULT : 0;
}

/* The source address the stack would pick to reach `daddr`. */
int mrc_route_saddr(struct net *net, const struct in6_addr *daddr, struct in6_addr *saddr)
{
	struct flowi6 fl6 = { .flowi6_proto = IPPROTO_UDP, .daddr = *daddr };
	struct dst_entry *dst;
	int err = ip6_dst_lookup(net, NULL, &dst, &fl6);

	if (err)
		return err;
	*saddr = fl6.saddr;
	dst_release(dst);
	return 0;
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
	ip6_flow_hdr(ip6, 0, fl6.flowlabel);
	ip6->nexthdr = IPPROTO_IPV6;
	ip6->hop_limit = ip6_dst_hoplimit(dst);
	ip6->saddr = fl6.saddr;
	ip6->daddr = *outer;
	skb_dst_set(skb, dst);
	return ip6_local_out(net, sk, skb) < 0 ? -ENOBUFS : 0;
}

struct net *mrc_sock_net(const struct sock *sk)
{
	return sock_net(sk);
}

/* Whether `addr` is one of the addresses of the sock's namespace. */
bool mrc_sock_addr_local(const struct sock *sk, const struct in6_addr *addr)
{
	return ipv6_chk_addr(sock_net(sk), addr, NULL, 0);
}

/* Whether the calling task has CAP_NET_RAW in the user namespace that owns
 * the sock's network namespace. */
bool mrc_sock_net_raw_capable(const struct sock *sk)
{
	return ns_capable(sock_net(sk)->user_ns, CAP_NET_RAW);
}

/* The MTU of the route to `daddr`, or a negative error. */
int mrc_route_mtu(struct net *net, const struct in6_addr *daddr)
{
	struct flowi6 fl6 = { .flowi6_proto = IPPROTO_UDP, .daddr = *daddr };
	struct dst_entry *dst;
	int err = ip6_dst_lookup(net, NULL, &dst, &fl6);
	int mtu;

	if (err)
		return err;
	mtu = dst_mtu(dst);
	dst_release(dst);
	return mtu;
}

/* Generic netlink: the static inlines of net/genetlink.h and net/netlink.h. */
struct net *mrc_genl_info_net(const struct genl_info *info)
{
	return genl_info_net(info);
}

/* The request's attributes: the stream after the genetlink header. */
const void *mrc_genl_attrs(const struct genl_info *info, int *len)
{
	*len = nlmsg_attrlen(info->nlhdr, GENL_HDRLEN);
	return nlmsg_attrdata(info->nlhdr, GENL_HDRLEN);
}

/*
 * Refuses a request with the message `msg` (copied, up to the extack
 * buffer's 79 bytes), pointing at the offending attribute `bad` or, if
 * there is none, naming the missing attribute `miss_type`.
 */
void mrc_genl_set_err(struct netlink_ext_ack *extack, const struct nlattr *bad, u16 miss_type,
		      const char *msg, size_t len)
{
	if (!extack)
		return;
	snprintf(extack->_msg_buf, NETLINK_MAX_FMTMSG_LEN, "%.*s", (int)min_t(size_t, len, INT_MAX), msg);
	extack->_msg = extack->_msg_buf;
	extack->bad_attr = bad;
	if (!bad && miss_type) {
		extack->miss_type = miss_type;
		extack->miss_nest = NULL;
	}
}

struct sk_buff *mrc_genlmsg_new(size_t payload)
{
	return genlmsg_new(payload, GFP_KERNEL);
}

void *mrc_genlmsg_put_reply(struct sk_buff *skb, struct genl_info *info, u8 cmd)
{
	return genlmsg_put_reply(skb, info, info->family, 0, cmd);
}

/* Ends the reply and sends it; consumes the skb. */
int mrc_genlmsg_reply(struct sk_buff *skb, void *hdr, struct genl_info *info)
{
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/* Starts one message of a dump (NLM_F_MULTI, to the dumping socket). */
void *mrc_genl_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   genl_info_dump(cb)->family, NLM_F_MULTI, cmd);
}

void mrc_genlmsg_end(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
}

void mrc_genlmsg_cancel(struct sk_buff *skb, void *hdr)
{
	genlmsg_cancel(skb, hdr);
}

void mrc_nlmsg_free(struct sk_buff *skb)
{
	nlmsg_free(skb);
}

struct nlattr *mrc_nla_nest_start(struct sk_buff *skb, int type)
{
	return nla_nest_start(skb, type);
}

void mrc_nla_nest_end(struct sk_buff *skb, struct nlattr *nest)
{
	nla_nest_end(skb, nest);
}

struct net *mrc_genl_dump_net(struct netlink_callback *cb)
{
	return sock_net(cb->skb->sk);
}

/*
 * The family events are multicast with, while it is registered: events come
 * from connections, which may outlive the family at unload (it goes first).
 */
static struct genl_family __rcu *mrc_genl_events_family;

void mrc_genl_events_publish(struct genl_family *family)
{
	rcu_assign_pointer(mrc_genl_events_family, family);
	if (!family)
		synchronize_rcu();
}

/* A message of `cmd` for the events group; its type is set when it is sent. */
struct sk_buff *mrc_genl_event_new(u8 cmd, void **hdr)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	if (!skb)
		return NULL;
	nlh = nlmsg_put(skb, 0, 0, 0, GENL_HDRLEN, 0);
	if (!nlh) {
		nlmsg_free(skb);
		return NULL;
	}
	genl = nlmsg_data(nlh);
	genl->cmd = cmd;
	genl->version = MRC_FAMILY_VERSION;
	genl->reserved = 0;
	*hdr = nlh;
	return skb;
}

/* Sends an event to the events group of `net`; consumes the skb. */
int mrc_genl_event_send(struct net *net, struct sk_buff *skb, void *hdr)
{
	struct nlmsghdr *nlh = hdr;
	struct genl_family *family;
	int err;

	rcu_read_lock();
	family = rcu_dereference(mrc_genl_events_family);
	if (!family) {
		rcu_read_unlock();
		nlmsg_free(skb);
		return -ESRCH;
	}
	nlh->nlmsg_type = family->id;
	nlmsg_end(skb, nlh);
	err = genlmsg_multicast_netns(family, net, skb, 0, MRC_NLGRP_EVENTS, GFP_ATOMIC);
	rcu_read_unlock();
	return err;
}

/* The dump request's attributes (the request skb lives as long as the dump). */
const void *mrc_genl_dump_attrs(struct netlink_callback *cb, int *len)
{
	*len = nlmsg_attrlen(cb->nlh, GENL_HDRLEN);
	return nlmsg_attrdata(cb->nlh, GENL_HDRLEN);
}

struct netlink_ext_ack *mrc_genl_dump_extack(struct netlink_callback *cb)
{
	return cb->extack;
}

/* Where a dump keeps its place between calls. */
long *mrc_genl_dump_cursor(struct netlink_callback *cb)
{
	return &cb->args[0];
}

unsigned int mrc_skb_len(const struct sk_buff *skb)
{
	return skb->len;
}
