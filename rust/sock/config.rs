//! The per-socket connection parameters (SOL_MRC options) and the core
//! configuration they make.

use super::paths::Paths;
use crate::control::lease::CcProfileLease;
use crate::control::Control;
use crate::netns::Defaults;
use crate::proto::conn::{AcceptParams, ConnConfig, RetryPolicy, MAX_MPR, MAX_PAYLOAD};
use crate::proto::nscc::NsccConfig;
use crate::proto::path::{PathConfig, MAX_EVS};
use kernel::prelude::*;
use kernel::sync::Arc;

/// Every connection offers dynamic MPR (it is used when both ends do).
const DYNAMIC_MPR: bool = true;

/// Largest message, bytes (EMSGSIZE above).
pub(crate) const MAX_MESSAGE: u32 = 4 << 20;

/// Bytes of each packet besides the MRC payload: IPv6 (40), UDP (8) and
/// the largest data header (40); SRv6 adds the outer IPv6 header.
const UDP_OVERHEAD: u32 = 40 + 8 + 40;
const SRV6_OVERHEAD: u32 = 40;

/// Smallest payload per packet, whatever the route's MTU says.
const MIN_PAYLOAD: u32 = 256;

// A twin by shape only of netns.rs's `Defaults` (deliberate): one socket's
// settings and the namespace's defaults.
/// What a socket's options set for its connections.
#[derive(Clone, Copy)]
pub(crate) struct SockConfig {
    pub(crate) ev_profile: u64,
    pub(crate) cc_profile: u64,
    pub(crate) mpr: u8,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_wimm: u16,
    pub(crate) ev_count: u16,
    cc_rate: u64,
    cc_base_rtt_ns: u64,
    /// A listener's limit of half-open connections.
    pub(crate) max_half_open: u16,
    /// New data packets sent on one EV in a row.
    burst: u8,
}

impl SockConfig {
    /// A new socket's parameters: the namespace's `net.mrc.*` defaults.
    pub(crate) fn new(d: &Defaults) -> Self {
        Self {
            ev_profile: 0,
            cc_profile: 0,
            mpr: d.mpr,
            retry: RetryPolicy {
                timeout: d.ack_timeout,
                linear_cnt: 7,
                exp_cnt: 7,
            },
            max_wimm: 64,
            ev_count: d.ev_count,
            cc_rate: d.cc_rate,
            cc_base_rtt_ns: d.cc_base_rtt_ns,
            max_half_open: d.max_half_open,
            burst: d.burst,
        }
    }

    /// Checks an MPR value.
    pub(crate) fn valid_mpr(v: i32) -> Option<u8> {
        u8::try_from(v).ok().filter(|m| (1..=MAX_MPR).contains(m))
    }

    /// Checks an EV count.
    pub(crate) fn valid_ev_count(v: i32) -> Option<u16> {
        u16::try_from(v).ok().filter(|n| (1..=MAX_EVS).contains(n))
    }

    /// Leases the CC profile the socket names, if any (ENOENT: no such
    /// profile; EBUSY: not ONLINE).
    pub(crate) fn cc_lease(&self, control: &Arc<Control>) -> Result<Option<CcProfileLease>> {
        match self.cc_profile {
            0 => Ok(None),
            id => Control::lease_cc_profile(control, id).map(Some),
        }
    }

    /// What a listener's accept announces (as the connection that
    /// [`conn_config`](Self::conn_config) configures would).
    pub(crate) fn accept_params(&self) -> AcceptParams {
        AcceptParams {
            mpr: self.mpr,
            max_wimm: self.max_wimm,
            dynamic_mpr: DYNAMIC_MPR,
        }
    }

    /// The core configuration for a connection over `paths` whose first
    /// hop's route has MTU `mtu`: packets fill the MTU, as TCP's MSS does.
    /// An EV profile sets the EV count, a CC profile NSCC's parameters.
    pub(crate) fn conn_config(
        &self,
        paths: &Paths,
        cc: Option<&CcProfileLease>,
        mtu: u32,
    ) -> ConnConfig {
        let overhead = UDP_OVERHEAD.saturating_add(if paths.is_srv6() { SRV6_OVERHEAD } else { 0 });
        let payload = mtu
            .saturating_sub(overhead)
            .clamp(MIN_PAYLOAD, u32::from(MAX_PAYLOAD));
        ConnConfig {
            max_payload: payload as u16,
            mpr: self.mpr,
            dynamic_mpr: DYNAMIC_MPR,
            max_wimm: self.max_wimm,
            retry: self.retry,
            ack_every: 2,
            ack_delay_ns: 50_000,
            max_message_len: MAX_MESSAGE,
            ev_count: paths.ev_count().unwrap_or(self.ev_count),
            // A probe is answered within about an RTT, which the ACK
            // timeout bounds: waiting less would time out every probe on a
            // slow path.
            path: PathConfig {
                probe_timeout_ns: self.retry.base_ns(),
                // A burst buys one UDP GSO batch; an SRv6 route sends each
                // packet in its own skb, so there it would only cluster
                // packets on one EV.
                burst: if paths.is_srv6() { 1 } else { self.burst },
                ..PathConfig::default()
            },
            nscc: cc.map_or_else(
                || NsccConfig::for_path(self.cc_rate, self.cc_base_rtt_ns),
                |l| *l.config(),
            ),
            pkey: 0xFFFF,
            ev_profile: self.ev_profile,
            cc_profile: self.cc_profile,
        }
    }
}
