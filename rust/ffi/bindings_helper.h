/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bindgen sees: the kernel headers the FFI layer binds to, and the C
 * helpers of rust/helpers/ (static inlines and macros that bindgen cannot
 * turn into callable functions). The allowlist is rust/ffi/allowlist.
 */
#ifndef MRC_BINDINGS_HELPER_H
#define MRC_BINDINGS_HELPER_H

#include <linux/errno.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <net/ip6_route.h>
#include <net/addrconf.h>
#include <linux/capability.h>
#include <net/udp_tunnel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/hrtimer.h>
#include <linux/workqueue.h>
#include <linux/poll.h>
#include <linux/uio.h>
#include <linux/random.h>
#include <net/ip6_checksum.h>
#include <uapi/linux/mrc.h>
#include <net/genetlink.h>
#include "../mrc_nl_gen.h"

#ifdef __BINDGEN__
/* Macros bindgen cannot evaluate, as constants it can. */
const gfp_t MRC_GFP_KERNEL = GFP_KERNEL;
const unsigned int MRC_SIOCINQ = SIOCINQ;
const unsigned int MRC_SIOCOUTQ = SIOCOUTQ;
const u8 MRC_GENL_MCAST_CAP_NET_ADMIN = GENL_MCAST_CAP_NET_ADMIN;
#endif

/* Module parameter `family` (rust/helpers/param.c). */
extern int mrc_param_family;

void mrc_sock_put(struct sock *sk);
void mrc_sock_orphan(struct sock *sk);
void mrc_sock_inuse_add(struct sock *sk, int val);
void *mrc_net_generic(const struct net *net, unsigned int id);

/* An MRC datagram as the UDP tunnel socket received it (rust/ffi/skb.rs). */
struct mrc_datagram {
	/* The MRC packet: `len` bytes from `off` bytes past skb->data, of
	 * which the first `head_len` lie in the linear data, at `head`. */
	const u8 *head;
	u32 head_len;
	u32 off;
	u32 len;
	struct in6_addr saddr;
	struct in6_addr daddr;
	u16 sport;
	u32 flow_label;
	/* The IPv6 header's ECN field said Congestion Experienced. */
	bool ce;
};
int mrc_skb_datagram(struct sk_buff *skb, struct mrc_datagram *d);
int mrc_skb_copy_bits(const struct sk_buff *skb, u32 off, void *to, u32 len);
void mrc_kfree_skb(struct sk_buff *skb);
void mrc_consume_skb(struct sk_buff *skb);
struct sk_buff *mrc_alloc_tx_skb(unsigned int len);
/* A route kept for reuse while current (rust/ffi/route.rs `RouteCache`). */
struct mrc_dst {
	struct dst_entry *dst;
	u32 cookie;
	struct in6_addr saddr;
};
void mrc_dst_release(struct mrc_dst *c);
int mrc_udp6_send(struct sock *sk, struct sk_buff *skb, const struct in6_addr *saddr,
		  const struct in6_addr *daddr, u16 sport, u16 dport, u32 flow_label,
		  struct mrc_dst *cache, unsigned int gso_size);
unsigned int mrc_skb_tailroom(const struct sk_buff *skb);
unsigned int mrc_skb_frags_left(const struct sk_buff *skb);
int mrc_skb_add_page_frag(struct sk_buff *skb, struct page *page, unsigned int off,
			  unsigned int len);
int mrc_skb_add_header_frag(struct sk_buff *skb, const void *hdr, unsigned int len);
void mrc_udp_set_data_ready(struct sock *sk, void (*data_ready)(struct sock *sk));
struct sk_buff *mrc_udp_dequeue(struct sock *sk);
u16 mrc_sock_local_port(const struct sock *sk);
void mrc_local_bh_disable(void);
void mrc_local_bh_enable(void);
struct proc_dir_entry *mrc_proc_create(struct net *net, const char *name,
				       int (*show)(struct seq_file *, void *), void *data);
void mrc_proc_remove(struct net *net, const char *name);
void *mrc_seq_pde_data(struct seq_file *seq);
void mrc_seq_put_u64(struct seq_file *seq, const char *name, u64 value);

/* The module's workqueue and per-connection timers (rust/ffi/work.rs, timer.rs). */
struct workqueue_struct *mrc_alloc_workqueue(void);
struct mrc_timer {
	struct hrtimer timer;
	void (*fire)(const void *ctx);
	const void *ctx;
};
void mrc_timer_init(struct mrc_timer *t, void (*fire)(const void *ctx), const void *ctx);
void mrc_timer_arm(struct mrc_timer *t, u64 at_ns);
void mrc_timer_cancel(struct mrc_timer *t);

/* Counters kept per CPU (rust/ffi/percpu.rs): `n` u64s on each CPU. */
void *mrc_percpu_alloc(unsigned int n);
void mrc_percpu_free(void *c);
void mrc_percpu_add(void *c, unsigned int i, u64 v);
u64 mrc_percpu_sum(void *c, unsigned int i);

/* Datagram queues (rust/ffi/skb.rs). */
void mrc_skb_queue_init(struct sk_buff_head *q);
/* What a queued skb's control block holds while it waits. */
struct mrc_skb_wait {
	u64 arrival_ns;
	u32 seg_off;
	u32 seg_len;
	u32 seg_size;
};
void mrc_skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb,
			const struct mrc_skb_wait *w);
u32 mrc_skb_truesize(const struct sk_buff *skb);
struct sk_buff *mrc_skb_dequeue(struct sk_buff_head *q, struct mrc_skb_wait *w);
u32 mrc_skb_gso_size(const struct sk_buff *skb);
struct sk_buff *mrc_skb_clone(struct sk_buff *skb);
bool mrc_skb_queue_empty(const struct sk_buff_head *q);
void mrc_skb_queue_purge(struct sk_buff_head *q);

/* Sockets: references, waiting and waking, limits (rust/ffi/sock.rs). */
void mrc_sock_hold(struct sock *sk);
struct net *mrc_sock_net(const struct sock *sk);
bool mrc_sock_addr_local(const struct sock *sk, const struct in6_addr *addr);
bool mrc_sock_net_raw_capable(const struct sock *sk);
void mrc_sk_wake(struct sock *sk);
long mrc_sk_wait(struct sock *sk, const u32 *seq, u32 seen, long timeo);
bool mrc_signal_pending(void);
int mrc_sock_intr_errno(long timeo);
long mrc_sock_sndtimeo(const struct sock *sk, bool nonblock);
long mrc_sock_rcvtimeo(const struct sock *sk, bool nonblock);
int mrc_sock_bufsize(const struct sock *sk, bool send);
void mrc_sock_set_err(struct sock *sk, int err);
void mrc_sock_poll_wait(struct file *file, struct socket *sock, poll_table *p);
void mrc_send_sigpipe(void);
struct mem_cgroup *mrc_sk_charge_begin(const struct sock *sk);
void mrc_sk_charge_end(struct mem_cgroup *old);

/* Message headers of sendmsg/recvmsg (rust/ffi/msg.rs). */
size_t mrc_msg_len(struct msghdr *msg);
int mrc_msg_copy_from(struct msghdr *msg, void *buf, size_t len);
/* An outgoing message's pages (rust/ffi/pages.rs). */
struct page *mrc_alloc_chunk(unsigned int order);
void *mrc_page_address(struct page *page);
void mrc_put_page(struct page *page);
int mrc_msg_copy_to(struct msghdr *msg, const void *buf, size_t len);
int mrc_msg_imm(struct msghdr *msg, u32 *imm);
int mrc_msg_put_imm(struct msghdr *msg, u32 imm);
void mrc_msg_set_flags(struct msghdr *msg, int flags);
int mrc_copy_from_sockptr(void *dst, sockptr_t src, size_t len);

/* Routing and SRv6 (rust/ffi/udp.rs). */
int mrc_route_saddr(struct net *net, const struct in6_addr *daddr, struct in6_addr *saddr);
int mrc_route_mtu(struct net *net, const struct in6_addr *daddr);
int mrc_srv6_send(struct sock *sk, struct sk_buff *skb, const struct in6_addr *saddr,
		  const struct in6_addr *daddr, u16 sport, u16 dport, u32 flow_label,
		  const struct in6_addr *outer, struct mrc_dst *cache);

/* Generic netlink (rust/ffi/genl/). */
struct net *mrc_genl_info_net(const struct genl_info *info);
const void *mrc_genl_attrs(const struct genl_info *info, int *len);
void mrc_genl_set_err(struct netlink_ext_ack *extack, const struct nlattr *bad, u16 miss_type,
		      const char *msg, size_t len);
struct sk_buff *mrc_genlmsg_new(size_t payload);
void *mrc_genlmsg_put_reply(struct sk_buff *skb, struct genl_info *info, u8 cmd);
int mrc_genlmsg_reply(struct sk_buff *skb, void *hdr, struct genl_info *info);
void *mrc_genl_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd);
void mrc_genlmsg_end(struct sk_buff *skb, void *hdr);
void mrc_genlmsg_cancel(struct sk_buff *skb, void *hdr);
void mrc_nlmsg_free(struct sk_buff *skb);
struct nlattr *mrc_nla_nest_start(struct sk_buff *skb, int type);
void mrc_nla_nest_end(struct sk_buff *skb, struct nlattr *nest);
struct net *mrc_genl_dump_net(struct netlink_callback *cb);
long *mrc_genl_dump_cursor(struct netlink_callback *cb);
const void *mrc_genl_dump_attrs(struct netlink_callback *cb, int *len);
struct netlink_ext_ack *mrc_genl_dump_extack(struct netlink_callback *cb);
void mrc_genl_events_publish(struct genl_family *family);
struct sk_buff *mrc_genl_event_new(u8 cmd, void **hdr);
int mrc_genl_event_send(struct net *net, struct sk_buff *skb, void *hdr);
unsigned int mrc_skb_len(const struct sk_buff *skb);

#endif
