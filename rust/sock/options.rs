//! SOL_MRC socket options: connection parameters (set before connect or
//! listen), the interim SRv6 path list, and MRC_INFO / MRC_PATH_INFO.

use crate::ffi::errno;
use super::config::SockConfig;
use super::{MrcSock, Phase};
use crate::ffi::bindings;
use crate::ffi::msg::{OptIn, OptOut};
use crate::ffi::uapi;
use crate::proto::conn::{ConnState, RetryPolicy, MAX_TIMEOUT_EXP};
use crate::proto::path::EvState;
use kernel::prelude::*;
use kernel::sync::Arc;

const SOL_MRC: i32 = bindings::SOL_MRC as i32;

pub(super) fn set(sock: &Arc<MrcSock>, level: i32, name: i32, opt: OptIn) -> Result {
    if level != SOL_MRC {
        return Err(errno::enoprotoopt());
    }
    let mut g = sock.inner.lock();
    let idle = matches!(g.phase, Phase::Idle);
    let cfg = &mut g.cfg;
    match name as u32 {
        bindings::MRC_EV_PROFILE | bindings::MRC_CC_PROFILE => {
            let mut b = [0u8; 8];
            opt.read(&mut b)?;
            let id = u64::from_ne_bytes(b);
            if name as u32 == bindings::MRC_EV_PROFILE {
                cfg.ev_profile = id;
            } else {
                cfg.cc_profile = id;
            }
        }
        bindings::MRC_MPR => cfg.mpr = SockConfig::valid_mpr(opt.read_int()?).ok_or(EINVAL)?,
        bindings::MRC_ACK_TIMEOUT => {
            let t = u8::try_from(opt.read_int()?).map_err(|_| EINVAL)?;
            if t > MAX_TIMEOUT_EXP {
                return Err(EINVAL);
            }
            cfg.retry.timeout = t;
        }
        bindings::MRC_RETRIES => {
            let mut b = [0u8; 2];
            opt.read(&mut b)?;
            let retry = RetryPolicy {
                timeout: cfg.retry.timeout,
                linear_cnt: b[0],
                exp_cnt: b[1],
            };
            if !retry.is_valid() {
                return Err(EINVAL);
            }
            cfg.retry = retry;
        }
        bindings::MRC_MAX_WIMM => {
            cfg.max_wimm = u16::try_from(opt.read_int()?)
                .ok()
                .filter(|w| *w > 0)
                .ok_or(EINVAL)?
        }
        bindings::MRC_EV_COUNT => {
            cfg.ev_count = SockConfig::valid_ev_count(opt.read_int()?).ok_or(EINVAL)?
        }
        bindings::MRC_SRV6_PATHS => {
            if opt.len() % 16 != 0 || opt.len() > 16 * super::paths::MAX_SRV6_PATHS {
                return Err(EINVAL);
            }
            let mut raw = KVec::new();
            raw.extend_with(opt.len(), 0u8, GFP_KERNEL)?;
            opt.read(&mut raw)?;
            let mut addrs = KVec::with_capacity(opt.len() / 16, GFP_KERNEL)?;
            for chunk in raw.chunks_exact(16) {
                let mut a = [0u8; 16];
                a.copy_from_slice(chunk);
                addrs.push(a, GFP_KERNEL)?;
            }
            if !idle {
                return Err(errno::eisconn());
            }
            g.paths.set_srv6(&addrs)?;
            return Ok(());
        }
        bindings::MRC_INFO | bindings::MRC_PATH_INFO => return Err(errno::enoprotoopt()),
        _ => return Err(errno::enoprotoopt()),
    }
    if !idle {
        return Err(errno::eisconn());
    }
    Ok(())
}

pub(super) fn get(sock: &Arc<MrcSock>, level: i32, name: i32, out: &mut OptOut) -> Result {
    if level != SOL_MRC {
        return Err(errno::enoprotoopt());
    }
    let g = sock.inner.lock();
    let cfg = &g.cfg;
    let int = |v: i32| v.to_ne_bytes();
    match name as u32 {
        bindings::MRC_EV_PROFILE => out.write(&cfg.ev_profile.to_ne_bytes()),
        bindings::MRC_CC_PROFILE => out.write(&cfg.cc_profile.to_ne_bytes()),
        bindings::MRC_MPR => out.write(&int(cfg.mpr.into())),
        bindings::MRC_ACK_TIMEOUT => out.write(&int(cfg.retry.timeout.into())),
        bindings::MRC_RETRIES => out.write(&[cfg.retry.linear_cnt, cfg.retry.exp_cnt]),
        bindings::MRC_MAX_WIMM => out.write(&int(cfg.max_wimm.into())),
        bindings::MRC_EV_COUNT => out.write(&int(cfg.ev_count.into())),
        bindings::MRC_SRV6_PATHS => {
            let paths = g.paths.srv6();
            let mut raw = KVec::with_capacity(paths.len() * 16, GFP_KERNEL)?;
            for p in paths {
                raw.extend_from_slice(p, GFP_KERNEL)?;
            }
            out.write(&raw)
        }
        bindings::MRC_INFO => out.write(uapi::info_bytes(&info(&g.phase))),
        bindings::MRC_PATH_INFO => {
            let Phase::Conn(conn) = &g.phase else {
                return Err(errno::enotconn());
            };
            let paths = conn.core().paths();
            let n = usize::from(paths.ev_count()).min(out.capacity()? / uapi::PATH_INFO_LEN);
            let mut raw = KVec::with_capacity(n * uapi::PATH_INFO_LEN, GFP_KERNEL)?;
            for ev in 0..n as u16 {
                let Some(p) = paths.stats(ev) else { break };
                let e = bindings::mrc_path_info {
                    mrcp_state: state_code(p.state()),
                    mrcp_srtt_us: (p.srtt_ns() / 1000) as u32,
                    mrcp_packets_sent: p.sent(),
                    mrcp_packets_acked: p.acked(),
                    mrcp_lost: p.lost(),
                    mrcp_timeouts: p.timeouts(),
                    ..Default::default()
                };
                raw.extend_from_slice(uapi::path_info_bytes(&e), GFP_KERNEL)?;
            }
            out.write(&raw)
        }
        _ => Err(errno::enoprotoopt()),
    }
}

fn state_code(s: EvState) -> u8 {
    (match s {
        EvState::Good => bindings::MRC_EV_GOOD,
        EvState::Skip => bindings::MRC_EV_SKIP,
        EvState::AssumedBad => bindings::MRC_EV_ASSUMED_BAD,
        EvState::Denied => bindings::MRC_EV_DENIED,
    }) as u8
}

/// MRC_INFO of a socket.
fn info(phase: &Phase) -> bindings::mrc_info {
    let Phase::Conn(conn) = phase else {
        return bindings::mrc_info {
            mrci_state: match phase {
                Phase::Listening(_) => bindings::MRC_STATE_LISTEN as u8,
                _ => bindings::MRC_STATE_CLOSED as u8,
            },
            ..Default::default()
        };
    };
    let core = conn.core();
    let s = core.stats();
    bindings::mrc_info {
        mrci_state: (match core.state() {
            ConnState::Connecting => bindings::MRC_STATE_CONNECTING,
            ConnState::Accepting => bindings::MRC_STATE_ACCEPTING,
            ConnState::Established => bindings::MRC_STATE_ESTABLISHED,
            ConnState::Closing => bindings::MRC_STATE_CLOSING,
            ConnState::Closed(_) => bindings::MRC_STATE_CLOSED,
        }) as u8,
        mrci_local_conn: core.local_conn().get(),
        mrci_peer_conn: core.peer_conn().get(),
        mrci_ev_count: s.ev_count,
        mrci_active_evs: s.active_evs,
        mrci_srtt_us: (s.srtt_ns / 1000) as u32,
        mrci_cwnd: s.cwnd,
        mrci_bytes_in_flight: s.bytes_in_flight,
        mrci_max_payload: core.config().max_payload.into(),
        mrci_packets_sent: s.packets_sent,
        mrci_bytes_sent: s.bytes_sent,
        mrci_packets_acked: s.packets_acked,
        mrci_bytes_acked: s.bytes_acked,
        mrci_packets_retrans: s.packets_retransmitted,
        mrci_bytes_retrans: s.bytes_retransmitted,
        mrci_packets_received: s.packets_received,
        mrci_bytes_received: s.bytes_received,
        mrci_messages_sent: s.messages_sent,
        mrci_messages_received: s.messages_received,
        mrci_rack_losses: s.rack_losses,
        mrci_timeout_losses: s.timeout_losses,
        mrci_ack_timeouts: s.ack_timeouts,
        mrci_duplicates: s.duplicates,
        mrci_rejected: s.rejected,
        ..Default::default()
    }
}
