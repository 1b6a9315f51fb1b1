// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family's requests, replies and dumps, and the
 * events multicast with the family while it is registered. For
 * rust/ffi/genl/ (request.rs, refusal.rs, dump.rs, mod.rs).
 */
#include "../ffi/bindings_helper.h"
#include <net/genetlink.h>
#include "../mrc_nl_gen.h"

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

struct nlattr *mrc_nla_nest_start(struct sk_buff *skb, int type)
{
	return nla_nest_start(skb, type);
}

void mrc_nla_nest_end(struct sk_buff *skb, struct nlattr *nest)
{
	nla_nest_end(skb, nest);
}

void mrc_nlmsg_free(struct sk_buff *skb)
{
	nlmsg_free(skb);
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

struct net *mrc_genl_dump_net(struct netlink_callback *cb)
{
	return sock_net(cb->skb->sk);
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
