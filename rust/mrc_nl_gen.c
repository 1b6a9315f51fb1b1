// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/mrc.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "mrc_nl_gen.h"

#include <uapi/linux/mrc_netlink.h>
#include <linux/mrc.h>
#include <linux/mrc.h>

/* Integer value ranges */
static const struct netlink_range_validation mrc_a_conn_local_conn_range = {
	.min	= 1ULL,
	.max	= 16777215ULL,
};

/* Common nested types */
const struct nla_policy mrc_ev_field_nl_policy[MRC_A_EV_FIELD_MASK + 1] = {
	[MRC_A_EV_FIELD_WIDTH] = NLA_POLICY_RANGE(NLA_U32, 1, 64),
	[MRC_A_EV_FIELD_INIT_VAL] = { .type = NLA_U64, },
	[MRC_A_EV_FIELD_MIN_VAL] = { .type = NLA_U64, },
	[MRC_A_EV_FIELD_MAX_VAL] = { .type = NLA_U64, },
	[MRC_A_EV_FIELD_MASK] = { .type = NLA_U64, },
};

/* MRC_CMD_EV_FMT_NEW - do */
static const struct nla_policy mrc_ev_fmt_new_nl_policy[MRC_A_EV_FMT_FIELD_WIDTH + 1] = {
	[MRC_A_EV_FMT_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_EV_FMT_MODE] = NLA_POLICY_MAX(NLA_U32, 3),
	[MRC_A_EV_FMT_FIELD_WIDTH] = NLA_POLICY_RANGE(NLA_U32, 1, 64),
};

/* MRC_CMD_EV_FMT_SET - do */
static const struct nla_policy mrc_ev_fmt_set_nl_policy[MRC_A_EV_FMT_FIELD_WIDTH + 1] = {
	[MRC_A_EV_FMT_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_EV_FMT_STATE] = NLA_POLICY_MAX(NLA_U32, 2),
	[MRC_A_EV_FMT_MODE] = NLA_POLICY_MAX(NLA_U32, 3),
	[MRC_A_EV_FMT_FIELD_WIDTH] = NLA_POLICY_RANGE(NLA_U32, 1, 64),
};

/* MRC_CMD_EV_FMT_GET - do */
static const struct nla_policy mrc_ev_fmt_get_nl_policy[MRC_A_EV_FMT_ID + 1] = {
	[MRC_A_EV_FMT_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

/* MRC_CMD_EV_FMT_DEL - do */
static const struct nla_policy mrc_ev_fmt_del_nl_policy[MRC_A_EV_FMT_ID + 1] = {
	[MRC_A_EV_FMT_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

/* MRC_CMD_EV_PROFILE_NEW - do */
static const struct nla_policy mrc_ev_profile_new_nl_policy[MRC_A_EV_PROFILE_EV + 1] = {
	[MRC_A_EV_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_EV_PROFILE_MODE] = NLA_POLICY_MAX(NLA_U32, 2),
	[MRC_A_EV_PROFILE_FMT_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_EV_PROFILE_EV_COUNT] = NLA_POLICY_RANGE(NLA_U32, 1, 256),
	[MRC_A_EV_PROFILE_EV_MIN_ACTIVE] = NLA_POLICY_MAX(NLA_U32, 256),
	[MRC_A_EV_PROFILE_EV_EVENT_MASK] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[MRC_A_EV_PROFILE_FIELD] = NLA_POLICY_NESTED(mrc_ev_field_nl_policy),
	[MRC_A_EV_PROFILE_EV] = NLA_POLICY_EXACT_LEN(32),
};

/* MRC_CMD_EV_PROFILE_SET - do */
static const struct nla_policy mrc_ev_profile_set_nl_policy[MRC_A_EV_PROFILE_EV + 1] = {
	[MRC_A_EV_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_EV_PROFILE_STATE] = NLA_POLICY_MAX(NLA_U32, 2),
	[MRC_A_EV_PROFILE_MODE] = NLA_POLICY_MAX(NLA_U32, 2),
	[MRC_A_EV_PROFILE_FMT_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_EV_PROFILE_EV_COUNT] = NLA_POLICY_RANGE(NLA_U32, 1, 256),
	[MRC_A_EV_PROFILE_EV_MIN_ACTIVE] = NLA_POLICY_MAX(NLA_U32, 256),
	[MRC_A_EV_PROFILE_EV_EVENT_MASK] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[MRC_A_EV_PROFILE_FIELD] = NLA_POLICY_NESTED(mrc_ev_field_nl_policy),
	[MRC_A_EV_PROFILE_EV] = NLA_POLICY_EXACT_LEN(32),
};

/* MRC_CMD_EV_PROFILE_GET - do */
static const struct nla_policy mrc_ev_profile_get_nl_policy[MRC_A_EV_PROFILE_EV_ARRAY_MAX + 1] = {
	[MRC_A_EV_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_EV_PROFILE_EV_ARRAY_MAX] = { .type = NLA_U32, },
};

/* MRC_CMD_EV_PROFILE_DEL - do */
static const struct nla_policy mrc_ev_profile_del_nl_policy[MRC_A_EV_PROFILE_ID + 1] = {
	[MRC_A_EV_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

/* MRC_CMD_CC_PROFILE_NEW - do */
static const struct nla_policy mrc_cc_profile_new_nl_policy[MRC_A_CC_PROFILE_MTU + 1] = {
	[MRC_A_CC_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_CC_PROFILE_ALGO] = NLA_POLICY_MAX(NLA_U32, 0),
	[MRC_A_CC_PROFILE_LINK_RATE] = { .type = NLA_U64, },
	[MRC_A_CC_PROFILE_BASE_RTT] = { .type = NLA_U64, },
	[MRC_A_CC_PROFILE_TARGET_DELAY] = { .type = NLA_U64, },
	[MRC_A_CC_PROFILE_ETA] = { .type = NLA_U32, },
	[MRC_A_CC_PROFILE_FI] = { .type = NLA_U32, },
	[MRC_A_CC_PROFILE_FI_SCALE] = NLA_POLICY_MAX(NLA_U32, 1024),
	[MRC_A_CC_PROFILE_GAMMA] = NLA_POLICY_RANGE(NLA_U32, 1, 1024),
	[MRC_A_CC_PROFILE_MAX_MD_JUMP] = NLA_POLICY_RANGE(NLA_U32, 1, 1023),
	[MRC_A_CC_PROFILE_MAX_CWND] = { .type = NLA_U32, },
	[MRC_A_CC_PROFILE_QA_GATE] = NLA_POLICY_MAX(NLA_U32, 31),
	[MRC_A_CC_PROFILE_QA_THRESHOLD] = { .type = NLA_U64, },
	[MRC_A_CC_PROFILE_ADJUST_BYTES] = { .type = NLA_U32, },
	[MRC_A_CC_PROFILE_ADJUST_PERIOD] = { .type = NLA_U64, },
	[MRC_A_CC_PROFILE_DISABLE_QA] = NLA_POLICY_MAX(NLA_U8, 1),
	[MRC_A_CC_PROFILE_MTU] = { .type = NLA_U32, },
};

/* MRC_CMD_CC_PROFILE_SET - do */
static const struct nla_policy mrc_cc_profile_set_nl_policy[MRC_A_CC_PROFILE_MTU + 1] = {
	[MRC_A_CC_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_CC_PROFILE_STATE] = NLA_POLICY_MAX(NLA_U32, 2),
	[MRC_A_CC_PROFILE_BASE_RTT] = { .type = NLA_U64, },
	[MRC_A_CC_PROFILE_TARGET_DELAY] = { .type = NLA_U64, },
	[MRC_A_CC_PROFILE_ETA] = { .type = NLA_U32, },
	[MRC_A_CC_PROFILE_FI] = { .type = NLA_U32, },
	[MRC_A_CC_PROFILE_FI_SCALE] = NLA_POLICY_MAX(NLA_U32, 1024),
	[MRC_A_CC_PROFILE_GAMMA] = NLA_POLICY_RANGE(NLA_U32, 1, 1024),
	[MRC_A_CC_PROFILE_MAX_MD_JUMP] = NLA_POLICY_RANGE(NLA_U32, 1, 1023),
	[MRC_A_CC_PROFILE_MAX_CWND] = { .type = NLA_U32, },
	[MRC_A_CC_PROFILE_QA_GATE] = NLA_POLICY_MAX(NLA_U32, 31),
	[MRC_A_CC_PROFILE_QA_THRESHOLD] = { .type = NLA_U64, },
	[MRC_A_CC_PROFILE_ADJUST_BYTES] = { .type = NLA_U32, },
	[MRC_A_CC_PROFILE_ADJUST_PERIOD] = { .type = NLA_U64, },
	[MRC_A_CC_PROFILE_DISABLE_QA] = NLA_POLICY_MAX(NLA_U8, 1),
	[MRC_A_CC_PROFILE_MTU] = { .type = NLA_U32, },
};

/* MRC_CMD_CC_PROFILE_GET - do */
static const struct nla_policy mrc_cc_profile_get_nl_policy[MRC_A_CC_PROFILE_ID + 1] = {
	[MRC_A_CC_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

/* MRC_CMD_CC_PROFILE_DEL - do */
static const struct nla_policy mrc_cc_profile_del_nl_policy[MRC_A_CC_PROFILE_ID + 1] = {
	[MRC_A_CC_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

/* MRC_CMD_EV_SET - do */
static const struct nla_policy mrc_ev_set_nl_policy[MRC_A_PROFILE_EV_VALUE + 1] = {
	[MRC_A_PROFILE_EV_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_PROFILE_EV_INDEX] = NLA_POLICY_MAX(NLA_U32, 255),
	[MRC_A_PROFILE_EV_STATE] = NLA_POLICY_MAX(NLA_U32, 3),
	[MRC_A_PROFILE_EV_VALUE] = NLA_POLICY_EXACT_LEN(32),
};

/* MRC_CMD_EV_GET - do */
static const struct nla_policy mrc_ev_get_do_nl_policy[MRC_A_PROFILE_EV_INDEX + 1] = {
	[MRC_A_PROFILE_EV_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[MRC_A_PROFILE_EV_INDEX] = NLA_POLICY_MAX(NLA_U32, 255),
};

/* MRC_CMD_EV_GET - dump */
static const struct nla_policy mrc_ev_get_dump_nl_policy[MRC_A_PROFILE_EV_PROFILE_ID + 1] = {
	[MRC_A_PROFILE_EV_PROFILE_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

/* MRC_CMD_CONN_GET - do */
static const struct nla_policy mrc_conn_get_nl_policy[MRC_A_CONN_LOCAL_CONN + 1] = {
	[MRC_A_CONN_LOCAL_CONN] = NLA_POLICY_FULL_RANGE(NLA_U32, &mrc_a_conn_local_conn_range),
};

/* MRC_CMD_PROBE - do */
static const struct nla_policy mrc_probe_nl_policy[MRC_A_PROBE_TIMEOUT + 1] = {
	[MRC_A_PROBE_ADDR] = NLA_POLICY_EXACT_LEN(16),
	[MRC_A_PROBE_EV_PROFILE_ID] = { .type = NLA_U64, },
	[MRC_A_PROBE_INDEX] = NLA_POLICY_MAX(NLA_U32, 255),
	[MRC_A_PROBE_TIMEOUT] = NLA_POLICY_RANGE(NLA_U32, 1, 10000),
};

/* Ops table for mrc */
const struct genl_split_ops mrc_nl_ops[22] = {
	{
		.cmd	= MRC_CMD_DEV_GET,
		.doit	= mrc_nl_dev_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_EV_FMT_NEW,
		.doit		= mrc_nl_ev_fmt_new_doit,
		.policy		= mrc_ev_fmt_new_nl_policy,
		.maxattr	= MRC_A_EV_FMT_FIELD_WIDTH,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_EV_FMT_SET,
		.doit		= mrc_nl_ev_fmt_set_doit,
		.policy		= mrc_ev_fmt_set_nl_policy,
		.maxattr	= MRC_A_EV_FMT_FIELD_WIDTH,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_EV_FMT_GET,
		.doit		= mrc_nl_ev_fmt_get_doit,
		.policy		= mrc_ev_fmt_get_nl_policy,
		.maxattr	= MRC_A_EV_FMT_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= MRC_CMD_EV_FMT_GET,
		.dumpit	= mrc_nl_ev_fmt_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MRC_CMD_EV_FMT_DEL,
		.doit		= mrc_nl_ev_fmt_del_doit,
		.policy		= mrc_ev_fmt_del_nl_policy,
		.maxattr	= MRC_A_EV_FMT_ID,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_EV_PROFILE_NEW,
		.doit		= mrc_nl_ev_profile_new_doit,
		.policy		= mrc_ev_profile_new_nl_policy,
		.maxattr	= MRC_A_EV_PROFILE_EV,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_EV_PROFILE_SET,
		.doit		= mrc_nl_ev_profile_set_doit,
		.policy		= mrc_ev_profile_set_nl_policy,
		.maxattr	= MRC_A_EV_PROFILE_EV,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_EV_PROFILE_GET,
		.doit		= mrc_nl_ev_profile_get_doit,
		.policy		= mrc_ev_profile_get_nl_policy,
		.maxattr	= MRC_A_EV_PROFILE_EV_ARRAY_MAX,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= MRC_CMD_EV_PROFILE_GET,
		.dumpit	= mrc_nl_ev_profile_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MRC_CMD_EV_PROFILE_DEL,
		.doit		= mrc_nl_ev_profile_del_doit,
		.policy		= mrc_ev_profile_del_nl_policy,
		.maxattr	= MRC_A_EV_PROFILE_ID,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_CC_PROFILE_NEW,
		.doit		= mrc_nl_cc_profile_new_doit,
		.policy		= mrc_cc_profile_new_nl_policy,
		.maxattr	= MRC_A_CC_PROFILE_MTU,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_CC_PROFILE_SET,
		.doit		= mrc_nl_cc_profile_set_doit,
		.policy		= mrc_cc_profile_set_nl_policy,
		.maxattr	= MRC_A_CC_PROFILE_MTU,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_CC_PROFILE_GET,
		.doit		= mrc_nl_cc_profile_get_doit,
		.policy		= mrc_cc_profile_get_nl_policy,
		.maxattr	= MRC_A_CC_PROFILE_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= MRC_CMD_CC_PROFILE_GET,
		.dumpit	= mrc_nl_cc_profile_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MRC_CMD_CC_PROFILE_DEL,
		.doit		= mrc_nl_cc_profile_del_doit,
		.policy		= mrc_cc_profile_del_nl_policy,
		.maxattr	= MRC_A_CC_PROFILE_ID,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_EV_SET,
		.doit		= mrc_nl_ev_set_doit,
		.policy		= mrc_ev_set_nl_policy,
		.maxattr	= MRC_A_PROFILE_EV_VALUE,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_EV_GET,
		.doit		= mrc_nl_ev_get_doit,
		.policy		= mrc_ev_get_do_nl_policy,
		.maxattr	= MRC_A_PROFILE_EV_INDEX,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MRC_CMD_EV_GET,
		.dumpit		= mrc_nl_ev_get_dumpit,
		.policy		= mrc_ev_get_dump_nl_policy,
		.maxattr	= MRC_A_PROFILE_EV_PROFILE_ID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MRC_CMD_CONN_GET,
		.doit		= mrc_nl_conn_get_doit,
		.policy		= mrc_conn_get_nl_policy,
		.maxattr	= MRC_A_CONN_LOCAL_CONN,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= MRC_CMD_CONN_GET,
		.start	= mrc_nl_conn_get_start,
		.dumpit	= mrc_nl_conn_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MRC_CMD_PROBE,
		.doit		= mrc_nl_probe_doit,
		.policy		= mrc_probe_nl_policy,
		.maxattr	= MRC_A_PROBE_TIMEOUT,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group mrc_nl_mcgrps[] = {
	[MRC_NLGRP_EVENTS] = { "events", },
};
