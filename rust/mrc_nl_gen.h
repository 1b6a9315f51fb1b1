/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/mrc.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_MRC_GEN_H
#define _LINUX_MRC_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/mrc_netlink.h>
#include <linux/mrc.h>
#include <linux/mrc.h>

/* Common nested types */
extern const struct nla_policy mrc_ev_field_nl_policy[MRC_A_EV_FIELD_MASK + 1];

/* Ops table for mrc */
extern const struct genl_split_ops mrc_nl_ops[22];

int mrc_nl_conn_get_start(struct netlink_callback *cb);

int mrc_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_fmt_new_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_fmt_set_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_fmt_get_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_fmt_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int mrc_nl_ev_fmt_del_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_profile_new_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_profile_set_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_profile_get_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_profile_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int mrc_nl_ev_profile_del_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_cc_profile_new_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_cc_profile_set_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_cc_profile_get_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_cc_profile_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int mrc_nl_cc_profile_del_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_set_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_get_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_ev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int mrc_nl_conn_get_doit(struct sk_buff *skb, struct genl_info *info);
int mrc_nl_conn_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int mrc_nl_probe_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	MRC_NLGRP_EVENTS,
};

#endif /* _LINUX_MRC_GEN_H */
