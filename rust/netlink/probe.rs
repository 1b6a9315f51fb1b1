//! `probe`: the controller probes EVs toward a host, connectionless. Each
//! probe request leaves as the EV's packets would (its EV profile's
//! steering, or the built-in AUTO one); the host's mrc.ko answers from its
//! receive hook, and the reply finds the batch by its probe id.

use super::attr::Name;
use crate::clock::now_ns;
use crate::endpoint::ProbeBatch;
use crate::ffi::bindings;
use crate::ffi::genl::{Message, Refusal, Request};
use crate::ffi::route::{Ipv6Addr, Route};
use crate::proto::path::MAX_EVS;
use crate::sock::NetMrc;
use crate::sock::Paths;
use kernel::error::code;
use kernel::prelude::*;

// A twin by shape of ev.rs's attribute names (deliberate): each command has its
// own attribute set.
const ADDR: Name = Name::new(bindings::MRC_A_PROBE_ADDR, "addr");
const EV_PROFILE_ID: Name = Name::new(bindings::MRC_A_PROBE_EV_PROFILE_ID, "ev-profile-id");
const INDEX: Name = Name::new(bindings::MRC_A_PROBE_INDEX, "index");
const TIMEOUT: Name = Name::new(bindings::MRC_A_PROBE_TIMEOUT, "timeout");
const RESULT: u32 = bindings::MRC_A_PROBE_RESULT;
const RESULT_INDEX: u32 = bindings::MRC_A_PROBE_RESULT_INDEX;
const RESULT_RTT: u32 = bindings::MRC_A_PROBE_RESULT_RTT;
const RESULT_TIMED_OUT: u32 = bindings::MRC_A_PROBE_RESULT_TIMED_OUT;

/// How long a batch waits without a `timeout` attribute, ms.
const DEFAULT_TIMEOUT_MS: u32 = 1000;
/// Attribute bytes of one result (nest, index, rtt).
const RESULT_BYTES: usize = 4 + 8 + 8;

/// `probe` (do).
pub(crate) fn probe<'a>(net: &NetMrc, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let at = ADDR.get(attrs).ok_or_else(|| ADDR.missing())?;
    let addr = Ipv6Addr::try_from(at.payload())
        .map_err(|_| ADDR.refuse_at(code::EINVAL, Some(at), "an IPv6 address is 16 bytes"))?;
    if addr == [0; 16] || addr[0] == 0xff {
        return Err(ADDR.refuse_at(code::EINVAL, Some(at), "a unicast address"));
    }
    let profile = EV_PROFILE_ID.u64(attrs)?.unwrap_or(0);
    let paths = Paths::default()
        .with_profile(net.control(), profile)
        .map_err(|e| {
            EV_PROFILE_ID.refuse(
                e,
                attrs,
                "not an online EV profile of UDP, STEV or SRv6 mode",
            )
        })?;
    let count = paths.ev_count().unwrap_or(net.defaults().ev_count);
    let mut evs = KVec::with_capacity(usize::from(MAX_EVS), GFP_KERNEL)?;
    for at in attrs.all(INDEX.ty) {
        let index = INDEX.u32_at(at)?;
        if index >= u32::from(count) {
            return Err(INDEX.refuse_at(
                code::EINVAL,
                Some(at),
                format_args!("the profile has {count} EVs"),
            ));
        }
        if evs.len() >= usize::from(MAX_EVS) {
            return Err(INDEX.refuse_at(code::E2BIG, Some(at), "at most 256 EVs a batch"));
        }
        evs.push(index as u16, GFP_KERNEL)?;
    }
    if evs.is_empty() {
        for index in 0..count {
            evs.push(index, GFP_KERNEL)?;
        }
    }
    let timeout = TIMEOUT.u32(attrs)?.unwrap_or(DEFAULT_TIMEOUT_MS);
    let ep = net.endpoint();
    let src = ep
        .source_for(&addr)
        .map_err(|e| ADDR.refuse_at(e, Some(at), "no route to the host"))?;
    let batch = ProbeBatch::new(&evs, now_ns())?;
    let id = ep.add_probe(batch.clone())?;
    for &ev in evs.iter() {
        let steering = paths.steering(ev);
        let mut route = Route {
            src: &src,
            dst: &addr,
            src_port: steering.src_port,
            flow_label: steering.flow_label,
            via: steering.via.as_ref(),
            cache: None,
        };
        // A probe that cannot leave is a probe without a reply.
        let _ = ep.send_probe(&mut route, id, ev, now_ns());
    }
    let results = batch.wait(timeout);
    ep.remove_probe(id);
    let results = results?;
    let size = results
        .len()
        .saturating_mul(RESULT_BYTES)
        .saturating_add(64);
    Ok(req.reply(bindings::MRC_CMD_PROBE, size, |msg| fill(msg, &results))?)
}

fn fill(msg: &mut Message<'_>, results: &[(u16, Option<u64>)]) -> Result {
    for &(ev, rtt) in results {
        msg.nest(RESULT, |m| {
            m.put_u32(RESULT_INDEX, u32::from(ev))?;
            match rtt {
                Some(ns) => m.put_u32(RESULT_RTT, u32::try_from(ns).unwrap_or(u32::MAX)),
                None => m.put(RESULT_TIMED_OUT, &[]),
            }
        })?;
    }
    Ok(())
}
