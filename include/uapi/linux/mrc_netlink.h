/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/mrc.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_MRC_NETLINK_H
#define _UAPI_LINUX_MRC_NETLINK_H

#define MRC_FAMILY_NAME		"mrc"
#define MRC_FAMILY_VERSION	1

/**
 * enum mrc_ev_fmt_mode - Where an expanded EV is carried on the wire.
 * @MRC_EV_FMT_MODE_UDP: The UDP source port (16 bits).
 * @MRC_EV_FMT_MODE_STEV: The UDP source port (upper 16 bits) and the low 16
 *   bits of the IPv6 flow label (32 bits).
 * @MRC_EV_FMT_MODE_SRV6: The outer IPv6 destination of SRv6 H.Encaps, a uSID
 *   container (128 bits).
 * @MRC_EV_FMT_MODE_SRV6_SRH: The outer IPv6 destination and the single segment
 *   of an SRH (256 bits).
 */
enum mrc_ev_fmt_mode {
	MRC_EV_FMT_MODE_UDP,
	MRC_EV_FMT_MODE_STEV,
	MRC_EV_FMT_MODE_SRV6,
	MRC_EV_FMT_MODE_SRV6_SRH,
};

/**
 * enum mrc_ev_profile_mode - How an EV profile's EVs are chosen.
 * @MRC_EV_PROFILE_MODE_AUTO: The stack picks EVs over every value the fields'
 *   masks allow.
 * @MRC_EV_PROFILE_MODE_EXPLICIT: The controller supplies the EV array before
 *   the profile goes online.
 * @MRC_EV_PROFILE_MODE_GENERATED: The stack generates EVs within each field's
 *   min..max.
 */
enum mrc_ev_profile_mode {
	MRC_EV_PROFILE_MODE_AUTO,
	MRC_EV_PROFILE_MODE_EXPLICIT,
	MRC_EV_PROFILE_MODE_GENERATED,
};

/**
 * enum mrc_profile_state - The state of a profile.
 * @MRC_PROFILE_STATE_INIT: Created, not usable; freely configurable.
 * @MRC_PROFILE_STATE_OFFLINE: Configured and validated, not usable; still
 *   configurable.
 * @MRC_PROFILE_STATE_ONLINE: Usable by connections; changes are limited.
 */
enum mrc_profile_state {
	MRC_PROFILE_STATE_INIT,
	MRC_PROFILE_STATE_OFFLINE,
	MRC_PROFILE_STATE_ONLINE,
};

/**
 * enum mrc_ev_event - EV state transitions an EV profile reports to the events
 *   group.
 * @MRC_EV_EVENT_ASSUMED_BAD: GOOD -> ASSUMED_BAD.
 * @MRC_EV_EVENT_GOOD: ASSUMED_BAD -> GOOD.
 */
enum mrc_ev_event {
	MRC_EV_EVENT_ASSUMED_BAD = 1,
	MRC_EV_EVENT_GOOD = 2,
};

/**
 * enum mrc_cc_algo - Congestion control algorithms.
 * @MRC_CC_ALGO_NSCC: NSCC, the Ultra Ethernet congestion control MRC uses.
 */
enum mrc_cc_algo {
	MRC_CC_ALGO_NSCC,
};

enum {
	MRC_A_DEV_PROTO_VERSION = 1,
	MRC_A_DEV_MAX_EV_FMT_PROFILES,
	MRC_A_DEV_MAX_EV_PROFILES,
	MRC_A_DEV_MAX_CC_PROFILES,
	MRC_A_DEV_MAX_EVS,
	MRC_A_DEV_MAX_FIELDS,
	MRC_A_DEV_MAX_FIELD_WIDTH,
	MRC_A_DEV_EV_BYTES,
	MRC_A_DEV_EV_FMT_MODE,
	MRC_A_DEV_EV_PROFILE_MODE,
	MRC_A_DEV_CC_ALGO,

	__MRC_A_DEV_MAX,
	MRC_A_DEV_MAX = (__MRC_A_DEV_MAX - 1)
};

enum {
	MRC_A_EV_FMT_ID = 1,
	MRC_A_EV_FMT_STATE,
	MRC_A_EV_FMT_MODE,
	MRC_A_EV_FMT_FIELD_WIDTH,
	MRC_A_EV_FMT_USERS,

	__MRC_A_EV_FMT_MAX,
	MRC_A_EV_FMT_MAX = (__MRC_A_EV_FMT_MAX - 1)
};

enum {
	MRC_A_EV_FIELD_WIDTH = 1,
	MRC_A_EV_FIELD_INIT_VAL,
	MRC_A_EV_FIELD_MIN_VAL,
	MRC_A_EV_FIELD_MAX_VAL,
	MRC_A_EV_FIELD_MASK,

	__MRC_A_EV_FIELD_MAX,
	MRC_A_EV_FIELD_MAX = (__MRC_A_EV_FIELD_MAX - 1)
};

enum {
	MRC_A_EV_PROFILE_ID = 1,
	MRC_A_EV_PROFILE_STATE,
	MRC_A_EV_PROFILE_MODE,
	MRC_A_EV_PROFILE_FMT_ID,
	MRC_A_EV_PROFILE_EV_COUNT,
	MRC_A_EV_PROFILE_EV_MIN_ACTIVE,
	MRC_A_EV_PROFILE_EV_EVENT_MASK,
	MRC_A_EV_PROFILE_FIELD,
	MRC_A_EV_PROFILE_EV,
	MRC_A_EV_PROFILE_USERS,
	MRC_A_EV_PROFILE_EV_ARRAY_MAX,

	__MRC_A_EV_PROFILE_MAX,
	MRC_A_EV_PROFILE_MAX = (__MRC_A_EV_PROFILE_MAX - 1)
};

enum {
	MRC_A_PROFILE_EV_PROFILE_ID = 1,
	MRC_A_PROFILE_EV_INDEX,
	MRC_A_PROFILE_EV_STATE,
	MRC_A_PROFILE_EV_VALUE,

	__MRC_A_PROFILE_EV_MAX,
	MRC_A_PROFILE_EV_MAX = (__MRC_A_PROFILE_EV_MAX - 1)
};

enum {
	MRC_A_EV_EVENT_CONN = 1,
	MRC_A_EV_EVENT_EV_PROFILE_ID,
	MRC_A_EV_EVENT_INDEX,
	MRC_A_EV_EVENT_OLD_STATE,
	MRC_A_EV_EVENT_NEW_STATE,
	MRC_A_EV_EVENT_TIME,
	MRC_A_EV_EVENT_DROPPED,

	__MRC_A_EV_EVENT_MAX,
	MRC_A_EV_EVENT_MAX = (__MRC_A_EV_EVENT_MAX - 1)
};

enum {
	MRC_A_CC_PROFILE_ID = 1,
	MRC_A_CC_PROFILE_STATE,
	MRC_A_CC_PROFILE_ALGO,
	MRC_A_CC_PROFILE_LINK_RATE,
	MRC_A_CC_PROFILE_BASE_RTT,
	MRC_A_CC_PROFILE_TARGET_DELAY,
	MRC_A_CC_PROFILE_ETA,
	MRC_A_CC_PROFILE_FI,
	MRC_A_CC_PROFILE_FI_SCALE,
	MRC_A_CC_PROFILE_GAMMA,
	MRC_A_CC_PROFILE_MAX_MD_JUMP,
	MRC_A_CC_PROFILE_MAX_CWND,
	MRC_A_CC_PROFILE_QA_GATE,
	MRC_A_CC_PROFILE_QA_THRESHOLD,
	MRC_A_CC_PROFILE_ADJUST_BYTES,
	MRC_A_CC_PROFILE_ADJUST_PERIOD,
	MRC_A_CC_PROFILE_DISABLE_QA,
	MRC_A_CC_PROFILE_MTU,
	MRC_A_CC_PROFILE_USERS,

	__MRC_A_CC_PROFILE_MAX,
	MRC_A_CC_PROFILE_MAX = (__MRC_A_CC_PROFILE_MAX - 1)
};

enum {
	MRC_CMD_DEV_GET = 1,
	MRC_CMD_EV_FMT_NEW,
	MRC_CMD_EV_FMT_SET,
	MRC_CMD_EV_FMT_GET,
	MRC_CMD_EV_FMT_DEL,
	MRC_CMD_EV_PROFILE_NEW,
	MRC_CMD_EV_PROFILE_SET,
	MRC_CMD_EV_PROFILE_GET,
	MRC_CMD_EV_PROFILE_DEL,
	MRC_CMD_CC_PROFILE_NEW,
	MRC_CMD_CC_PROFILE_SET,
	MRC_CMD_CC_PROFILE_GET,
	MRC_CMD_CC_PROFILE_DEL,
	MRC_CMD_EV_SET,
	MRC_CMD_EV_GET,
	MRC_CMD_EV_STATE_NTF,

	__MRC_CMD_MAX,
	MRC_CMD_MAX = (__MRC_CMD_MAX - 1)
};

#define MRC_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_MRC_NETLINK_H */
