//! The family's constants, as `include/uapi/linux/mrc_netlink.h` (generated
//! from the spec) defines them; `tests/uapi.rs` checks every value here
//! against the header.

/// The family's name.
pub const MRC_FAMILY_NAME: &str = "mrc";
/// The version requests carry.
pub const MRC_FAMILY_VERSION: u8 = 1;

// One constant a line as the header has them (tests/uapi.rs checks each): alike
// in shape, never the same.
pub const MRC_CMD_DEV_GET: u8 = 1;
pub const MRC_CMD_EV_FMT_NEW: u8 = 2;
pub const MRC_CMD_EV_FMT_SET: u8 = 3;
pub const MRC_CMD_EV_FMT_GET: u8 = 4;
pub const MRC_CMD_EV_FMT_DEL: u8 = 5;
pub const MRC_CMD_EV_PROFILE_NEW: u8 = 6;
pub const MRC_CMD_EV_PROFILE_SET: u8 = 7;
pub const MRC_CMD_EV_PROFILE_GET: u8 = 8;
pub const MRC_CMD_EV_PROFILE_DEL: u8 = 9;
pub const MRC_CMD_CC_PROFILE_NEW: u8 = 10;
pub const MRC_CMD_CC_PROFILE_SET: u8 = 11;
pub const MRC_CMD_CC_PROFILE_GET: u8 = 12;
pub const MRC_CMD_CC_PROFILE_DEL: u8 = 13;
pub const MRC_CMD_EV_SET: u8 = 14;
pub const MRC_CMD_EV_GET: u8 = 15;
pub const MRC_CMD_EV_STATE_NTF: u8 = 16;
pub const MRC_CMD_CONN_GET: u8 = 17;
pub const MRC_CMD_PROBE: u8 = 18;

/// The multicast group of EV state changes.
pub const MRC_MCGRP_EVENTS: &str = "events";

// One constant a line as the header has them (tests/uapi.rs checks each): alike in shape, never the same.
pub const MRC_A_DEV_PROTO_VERSION: u16 = 1;
pub const MRC_A_DEV_MAX_EV_FMT_PROFILES: u16 = 2;
pub const MRC_A_DEV_MAX_EV_PROFILES: u16 = 3;
pub const MRC_A_DEV_MAX_CC_PROFILES: u16 = 4;
pub const MRC_A_DEV_MAX_EVS: u16 = 5;
pub const MRC_A_DEV_MAX_FIELDS: u16 = 6;
pub const MRC_A_DEV_MAX_FIELD_WIDTH: u16 = 7;
pub const MRC_A_DEV_EV_BYTES: u16 = 8;
pub const MRC_A_DEV_EV_FMT_MODE: u16 = 9;
pub const MRC_A_DEV_EV_PROFILE_MODE: u16 = 10;
pub const MRC_A_DEV_CC_ALGO: u16 = 11;

pub const MRC_A_EV_FMT_ID: u16 = 1;
pub const MRC_A_EV_FMT_STATE: u16 = 2;
pub const MRC_A_EV_FMT_MODE: u16 = 3;
pub const MRC_A_EV_FMT_FIELD_WIDTH: u16 = 4;
pub const MRC_A_EV_FMT_USERS: u16 = 5;

pub const MRC_A_EV_FIELD_WIDTH: u16 = 1;
pub const MRC_A_EV_FIELD_INIT_VAL: u16 = 2;
pub const MRC_A_EV_FIELD_MIN_VAL: u16 = 3;
pub const MRC_A_EV_FIELD_MAX_VAL: u16 = 4;
pub const MRC_A_EV_FIELD_MASK: u16 = 5;

pub const MRC_A_EV_PROFILE_ID: u16 = 1;
pub const MRC_A_EV_PROFILE_STATE: u16 = 2;
pub const MRC_A_EV_PROFILE_MODE: u16 = 3;
pub const MRC_A_EV_PROFILE_FMT_ID: u16 = 4;
pub const MRC_A_EV_PROFILE_EV_COUNT: u16 = 5;
pub const MRC_A_EV_PROFILE_EV_MIN_ACTIVE: u16 = 6;
pub const MRC_A_EV_PROFILE_EV_EVENT_MASK: u16 = 7;
pub const MRC_A_EV_PROFILE_FIELD: u16 = 8;
pub const MRC_A_EV_PROFILE_EV: u16 = 9;
pub const MRC_A_EV_PROFILE_USERS: u16 = 10;
pub const MRC_A_EV_PROFILE_EV_ARRAY_MAX: u16 = 11;

pub const MRC_A_PROFILE_EV_PROFILE_ID: u16 = 1;
pub const MRC_A_PROFILE_EV_INDEX: u16 = 2;
pub const MRC_A_PROFILE_EV_STATE: u16 = 3;
pub const MRC_A_PROFILE_EV_VALUE: u16 = 4;

pub const MRC_A_EV_EVENT_CONN: u16 = 1;
pub const MRC_A_EV_EVENT_EV_PROFILE_ID: u16 = 2;
pub const MRC_A_EV_EVENT_INDEX: u16 = 3;
pub const MRC_A_EV_EVENT_OLD_STATE: u16 = 4;
pub const MRC_A_EV_EVENT_NEW_STATE: u16 = 5;
pub const MRC_A_EV_EVENT_TIME: u16 = 6;
pub const MRC_A_EV_EVENT_DROPPED: u16 = 7;

pub const MRC_A_PROBE_ADDR: u16 = 1;
pub const MRC_A_PROBE_EV_PROFILE_ID: u16 = 2;
pub const MRC_A_PROBE_INDEX: u16 = 3;
pub const MRC_A_PROBE_TIMEOUT: u16 = 4;
pub const MRC_A_PROBE_RESULT: u16 = 5;

pub const MRC_A_PROBE_RESULT_INDEX: u16 = 1;
pub const MRC_A_PROBE_RESULT_RTT: u16 = 2;
pub const MRC_A_PROBE_RESULT_TIMED_OUT: u16 = 3;

pub const MRC_A_CC_PROFILE_ID: u16 = 1;
pub const MRC_A_CC_PROFILE_STATE: u16 = 2;
pub const MRC_A_CC_PROFILE_ALGO: u16 = 3;
pub const MRC_A_CC_PROFILE_LINK_RATE: u16 = 4;
pub const MRC_A_CC_PROFILE_BASE_RTT: u16 = 5;
pub const MRC_A_CC_PROFILE_TARGET_DELAY: u16 = 6;
pub const MRC_A_CC_PROFILE_ETA: u16 = 7;
pub const MRC_A_CC_PROFILE_FI: u16 = 8;
pub const MRC_A_CC_PROFILE_FI_SCALE: u16 = 9;
pub const MRC_A_CC_PROFILE_GAMMA: u16 = 10;
pub const MRC_A_CC_PROFILE_MAX_MD_JUMP: u16 = 11;
pub const MRC_A_CC_PROFILE_MAX_CWND: u16 = 12;
pub const MRC_A_CC_PROFILE_QA_GATE: u16 = 13;
pub const MRC_A_CC_PROFILE_QA_THRESHOLD: u16 = 14;
pub const MRC_A_CC_PROFILE_ADJUST_BYTES: u16 = 15;
pub const MRC_A_CC_PROFILE_ADJUST_PERIOD: u16 = 16;
pub const MRC_A_CC_PROFILE_DISABLE_QA: u16 = 17;
pub const MRC_A_CC_PROFILE_MTU: u16 = 18;
pub const MRC_A_CC_PROFILE_USERS: u16 = 19;

pub const MRC_A_CONN_EV_INDEX: u16 = 1;
pub const MRC_A_CONN_EV_STATE: u16 = 2;
pub const MRC_A_CONN_EV_SRTT: u16 = 3;
pub const MRC_A_CONN_EV_PACKETS_SENT: u16 = 4;
pub const MRC_A_CONN_EV_PACKETS_ACKED: u16 = 5;
pub const MRC_A_CONN_EV_LOST: u16 = 6;
pub const MRC_A_CONN_EV_TIMEOUTS: u16 = 7;

pub const MRC_A_CONN_LOCAL_CONN: u16 = 1;
pub const MRC_A_CONN_PEER_CONN: u16 = 2;
pub const MRC_A_CONN_LOCAL_ADDR: u16 = 3;
pub const MRC_A_CONN_LOCAL_PORT: u16 = 4;
pub const MRC_A_CONN_PEER_ADDR: u16 = 5;
pub const MRC_A_CONN_PEER_PORT: u16 = 6;
pub const MRC_A_CONN_STATE: u16 = 7;
pub const MRC_A_CONN_EV_PROFILE_ID: u16 = 8;
pub const MRC_A_CONN_CC_PROFILE_ID: u16 = 9;
pub const MRC_A_CONN_EV_COUNT: u16 = 10;
pub const MRC_A_CONN_ACTIVE_EVS: u16 = 11;
pub const MRC_A_CONN_SRTT: u16 = 12;
pub const MRC_A_CONN_CWND: u16 = 13;
pub const MRC_A_CONN_BYTES_IN_FLIGHT: u16 = 14;
pub const MRC_A_CONN_PACKETS_SENT: u16 = 15;
pub const MRC_A_CONN_PACKETS_ACKED: u16 = 16;
pub const MRC_A_CONN_PACKETS_RETRANS: u16 = 17;
pub const MRC_A_CONN_EV: u16 = 18;

pub const MRC_EV_FMT_MODE_UDP: u32 = 0;
pub const MRC_EV_FMT_MODE_STEV: u32 = 1;
pub const MRC_EV_FMT_MODE_SRV6: u32 = 2;
pub const MRC_EV_FMT_MODE_SRV6_SRH: u32 = 3;

pub const MRC_EV_PROFILE_MODE_AUTO: u32 = 0;
pub const MRC_EV_PROFILE_MODE_EXPLICIT: u32 = 1;
pub const MRC_EV_PROFILE_MODE_GENERATED: u32 = 2;

pub const MRC_PROFILE_STATE_INIT: u32 = 0;
pub const MRC_PROFILE_STATE_OFFLINE: u32 = 1;
pub const MRC_PROFILE_STATE_ONLINE: u32 = 2;

pub const MRC_EV_EVENT_ASSUMED_BAD: u32 = 1;
pub const MRC_EV_EVENT_GOOD: u32 = 2;

pub const MRC_CC_ALGO_NSCC: u32 = 0;

/// EV states: `linux/mrc.h`'s (the spec's ev-state names that header).
pub const MRC_EV_GOOD: u32 = 0;
pub const MRC_EV_SKIP: u32 = 1;
pub const MRC_EV_ASSUMED_BAD: u32 = 2;
pub const MRC_EV_DENIED: u32 = 3;

/// Connection states: `linux/mrc.h`'s (the spec's conn-state names that
/// header).
pub const MRC_STATE_CLOSED: u32 = 0;
pub const MRC_STATE_LISTEN: u32 = 1;
pub const MRC_STATE_CONNECTING: u32 = 2;
pub const MRC_STATE_ACCEPTING: u32 = 3;
pub const MRC_STATE_ESTABLISHED: u32 = 4;
pub const MRC_STATE_CLOSING: u32 = 5;
