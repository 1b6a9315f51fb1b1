//! SOL_MRC socket options: connection parameters (set before connect or
//! listen), the interim SRv6 path list, and MRC_INFO / MRC_PATH_INFO (the
//! snapshots of `snapshot.rs`).

use super::config::SockConfig;
use super::{snapshot, MrcSock, Phase};
use crate::ffi::bindings;
use crate::ffi::errno;
use crate::ffi::msg::{OptIn, OptOut};
use crate::ffi::uapi;
use crate::proto::conn::{RetryPolicy, MAX_TIMEOUT_EXP};
use kernel::prelude::*;
use kernel::sync::Arc;

const SOL_MRC: i32 = bindings::SOL_MRC as i32;

pub(super) fn set(sock: &Arc<MrcSock>, level: i32, name: i32, opt: OptIn) -> Result {
    if level != SOL_MRC {
        return Err(errno::enoprotoopt());
    }
    let mut g = sock.inner.lock();
    let idle = matches!(g.phase, Phase::Idle);
    // Applied only if the socket is idle: a refused option changes nothing.
    let mut cfg = g.cfg;
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
    g.cfg = cfg;
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
        bindings::MRC_INFO => out.write(uapi::info_bytes(&snapshot::info(&g.phase))),
        bindings::MRC_PATH_INFO => {
            let Phase::Conn(conn) = &g.phase else {
                return Err(errno::enotconn());
            };
            let evs = conn.core().paths().ev_count();
            let n = usize::from(evs).min(out.capacity()? / uapi::PATH_INFO_LEN);
            let mut raw = KVec::with_capacity(n * uapi::PATH_INFO_LEN, GFP_KERNEL)?;
            for ev in 0..n as u16 {
                let Some(e) = snapshot::path_info(conn, ev) else {
                    break;
                };
                raw.extend_from_slice(uapi::path_info_bytes(&e), GFP_KERNEL)?;
            }
            out.write(&raw)
        }
        _ => Err(errno::enoprotoopt()),
    }
}
