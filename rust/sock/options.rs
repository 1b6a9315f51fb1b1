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

const SOL_MRC: i32 = bindings::SOL_MRC as i32;

/// A setsockopt value, read from the user before the socket's mutex is
/// taken: a page fault that stalls (userfaultfd, FUSE) must not hold the
/// mutex, which the namespace's receive work takes too.
enum Change {
    EvProfile(u64),
    CcProfile(u64),
    Mpr(u8),
    AckTimeout(u8),
    Retries(u8, u8),
    MaxWimm(u16),
    EvCount(u16),
    Srv6(KVec<[u8; 16]>),
}

impl Change {
    /// Reads and checks option `name`'s value.
    fn read(name: u32, opt: &OptIn) -> Result<Self> {
        Ok(match name {
            bindings::MRC_EV_PROFILE | bindings::MRC_CC_PROFILE => {
                let mut b = [0u8; 8];
                opt.read(&mut b)?;
                let id = u64::from_ne_bytes(b);
                if name == bindings::MRC_EV_PROFILE {
                    Change::EvProfile(id)
                } else {
                    Change::CcProfile(id)
                }
            }
            bindings::MRC_MPR => Change::Mpr(SockConfig::valid_mpr(opt.read_int()?).ok_or(EINVAL)?),
            bindings::MRC_ACK_TIMEOUT => {
                let t = u8::try_from(opt.read_int()?).map_err(|_| EINVAL)?;
                if t > MAX_TIMEOUT_EXP {
                    return Err(EINVAL);
                }
                Change::AckTimeout(t)
            }
            bindings::MRC_RETRIES => {
                let mut b = [0u8; 2];
                opt.read(&mut b)?;
                Change::Retries(b[0], b[1])
            }
            bindings::MRC_MAX_WIMM => Change::MaxWimm(
                u16::try_from(opt.read_int()?)
                    .ok()
                    .filter(|w| *w > 0)
                    .ok_or(EINVAL)?,
            ),
            bindings::MRC_EV_COUNT => {
                Change::EvCount(SockConfig::valid_ev_count(opt.read_int()?).ok_or(EINVAL)?)
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
                Change::Srv6(addrs)
            }
            _ => return Err(errno::enoprotoopt()),
        })
    }
}

pub(super) fn set(sock: &MrcSock, level: i32, name: i32, opt: OptIn) -> Result {
    if level != SOL_MRC {
        return Err(errno::enoprotoopt());
    }
    let change = Change::read(name as u32, &opt)?;
    let mut g = sock.inner.lock();
    // Applied only if the socket is idle: a refused option changes nothing.
    if !matches!(g.phase, Phase::Idle) {
        return Err(errno::eisconn());
    }
    let mut cfg = g.cfg;
    match change {
        Change::EvProfile(id) => cfg.ev_profile = id,
        Change::CcProfile(id) => cfg.cc_profile = id,
        Change::Mpr(mpr) => cfg.mpr = mpr,
        Change::AckTimeout(t) => cfg.retry.timeout = t,
        Change::Retries(linear_cnt, exp_cnt) => {
            let retry = RetryPolicy {
                timeout: cfg.retry.timeout,
                linear_cnt,
                exp_cnt,
            };
            if !retry.is_valid() {
                return Err(EINVAL);
            }
            cfg.retry = retry;
        }
        Change::MaxWimm(w) => cfg.max_wimm = w,
        Change::EvCount(n) => cfg.ev_count = n,
        Change::Srv6(addrs) => return g.paths.set_srv6(&addrs),
    }
    g.cfg = cfg;
    Ok(())
}

/// getsockopt(2): the value is built under the socket's mutex and copied to
/// the user after it is dropped.
pub(super) fn get(sock: &MrcSock, level: i32, name: i32, out: &mut OptOut) -> Result {
    if level != SOL_MRC {
        return Err(errno::enoprotoopt());
    }
    let room = out.capacity()?;
    let value = value(sock, name as u32, room)?;
    out.write(&value)
}

/// The bytes of option `name`, at most `room` of MRC_PATH_INFO's records.
fn value(sock: &MrcSock, name: u32, room: usize) -> Result<KVec<u8>> {
    let g = sock.inner.lock();
    let cfg = &g.cfg;
    let int = |v: i32| v.to_ne_bytes();
    let mut raw = KVec::new();
    match name {
        bindings::MRC_EV_PROFILE => {
            raw.extend_from_slice(&cfg.ev_profile.to_ne_bytes(), GFP_KERNEL)?
        }
        bindings::MRC_CC_PROFILE => {
            raw.extend_from_slice(&cfg.cc_profile.to_ne_bytes(), GFP_KERNEL)?
        }
        bindings::MRC_MPR => raw.extend_from_slice(&int(cfg.mpr.into()), GFP_KERNEL)?,
        bindings::MRC_ACK_TIMEOUT => {
            raw.extend_from_slice(&int(cfg.retry.timeout.into()), GFP_KERNEL)?
        }
        bindings::MRC_RETRIES => {
            raw.extend_from_slice(&[cfg.retry.linear_cnt, cfg.retry.exp_cnt], GFP_KERNEL)?
        }
        bindings::MRC_MAX_WIMM => raw.extend_from_slice(&int(cfg.max_wimm.into()), GFP_KERNEL)?,
        bindings::MRC_EV_COUNT => raw.extend_from_slice(&int(cfg.ev_count.into()), GFP_KERNEL)?,
        bindings::MRC_SRV6_PATHS => {
            for p in g.paths.srv6() {
                raw.extend_from_slice(p, GFP_KERNEL)?;
            }
        }
        bindings::MRC_INFO => {
            raw.extend_from_slice(uapi::info_bytes(&snapshot::info(&g.phase)), GFP_KERNEL)?
        }
        bindings::MRC_PATH_INFO => {
            let Phase::Conn(conn) = &g.phase else {
                return Err(errno::enotconn());
            };
            let evs = conn.core().paths().ev_count();
            let n = usize::from(evs).min(room / uapi::PATH_INFO_LEN);
            raw.reserve(n.saturating_mul(uapi::PATH_INFO_LEN), GFP_KERNEL)?;
            for ev in 0..n as u16 {
                let Some(e) = snapshot::path_info(conn, ev) else {
                    break;
                };
                raw.extend_from_slice(uapi::path_info_bytes(&e), GFP_KERNEL)?;
            }
        }
        _ => return Err(errno::enoprotoopt()),
    }
    Ok(raw)
}
