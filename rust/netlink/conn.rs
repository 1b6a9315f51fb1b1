//! `conn-get`: the namespace's live connections (like ss): endpoints,
//! state, profiles, RTT, window and counters, and each EV's state and
//! counters, from the snapshots getsockopt(2)'s MRC_INFO and MRC_PATH_INFO
//! return.
//!
//! The endpoint's tables are locked only to pick the connections; each
//! socket is then locked in turn to write its message (lock order: a
//! socket's mutex before the tables).

use super::attr::Name;
use crate::ffi::bindings;
use crate::ffi::genl::{Dump, Message, Refusal, Request};
use crate::proto::ev::MAX_EVS;
use crate::sock::ConnSnapshot;
use crate::sock::Endpoint;
use kernel::error::code;
use kernel::prelude::*;

const LOCAL_CONN: Name = Name::new(bindings::MRC_A_CONN_LOCAL_CONN, "local-conn");
const PEER_CONN: Name = Name::new(bindings::MRC_A_CONN_PEER_CONN, "peer-conn");
const LOCAL_ADDR: Name = Name::new(bindings::MRC_A_CONN_LOCAL_ADDR, "local-addr");
const LOCAL_PORT: Name = Name::new(bindings::MRC_A_CONN_LOCAL_PORT, "local-port");
const PEER_ADDR: Name = Name::new(bindings::MRC_A_CONN_PEER_ADDR, "peer-addr");
const PEER_PORT: Name = Name::new(bindings::MRC_A_CONN_PEER_PORT, "peer-port");
const STATE: Name = Name::new(bindings::MRC_A_CONN_STATE, "state");
const EV_PROFILE_ID: Name = Name::new(bindings::MRC_A_CONN_EV_PROFILE_ID, "ev-profile-id");
const CC_PROFILE_ID: Name = Name::new(bindings::MRC_A_CONN_CC_PROFILE_ID, "cc-profile-id");
const EV_COUNT: Name = Name::new(bindings::MRC_A_CONN_EV_COUNT, "ev-count");
const ACTIVE_EVS: Name = Name::new(bindings::MRC_A_CONN_ACTIVE_EVS, "active-evs");
const SRTT: Name = Name::new(bindings::MRC_A_CONN_SRTT, "srtt");
const CWND: Name = Name::new(bindings::MRC_A_CONN_CWND, "cwnd");
const BYTES_IN_FLIGHT: Name = Name::new(bindings::MRC_A_CONN_BYTES_IN_FLIGHT, "bytes-in-flight");
const PACKETS_SENT: Name = Name::new(bindings::MRC_A_CONN_PACKETS_SENT, "packets-sent");
const PACKETS_ACKED: Name = Name::new(bindings::MRC_A_CONN_PACKETS_ACKED, "packets-acked");
const PACKETS_RETRANS: Name = Name::new(bindings::MRC_A_CONN_PACKETS_RETRANS, "packets-retrans");
const EV: Name = Name::new(bindings::MRC_A_CONN_EV, "ev");

const EV_INDEX: Name = Name::new(bindings::MRC_A_CONN_EV_INDEX, "index");
const EV_STATE: Name = Name::new(bindings::MRC_A_CONN_EV_STATE, "state");
const EV_SRTT: Name = Name::new(bindings::MRC_A_CONN_EV_SRTT, "srtt");
const EV_SENT: Name = Name::new(bindings::MRC_A_CONN_EV_PACKETS_SENT, "packets-sent");
const EV_ACKED: Name = Name::new(bindings::MRC_A_CONN_EV_PACKETS_ACKED, "packets-acked");
const EV_LOST: Name = Name::new(bindings::MRC_A_CONN_EV_LOST, "lost");
const EV_TIMEOUTS: Name = Name::new(bindings::MRC_A_CONN_EV_TIMEOUTS, "timeouts");

/// Bytes of an attribute with a payload of `len` bytes, padding included
/// (`nla_total_size`).
const fn attr(len: usize) -> usize {
    len.saturating_add(4 + 3) & !3
}

/// Bytes of a message's headers: `nlmsghdr` and `genlmsghdr`.
const HEADERS: usize = 16 + 4;
/// Bytes of a connection's attributes without its EVs: ten u32 or u16,
/// five u64 and two addresses.
const CONN_SIZE: usize = 10 * attr(4) + 5 * attr(8) + 2 * attr(16);
/// Bytes of one `ev` nest: three u32 and four u64.
const EV_SIZE: usize = attr(0) + 3 * attr(4) + 4 * attr(8);

/// Bytes of the message of a connection with `evs` EVs.
const fn message_size(evs: usize) -> usize {
    HEADERS
        .saturating_add(CONN_SIZE)
        .saturating_add(evs.saturating_mul(EV_SIZE))
}

/// The largest message: a connection with the most EVs (19656 bytes).
pub(crate) const MAX_MESSAGE: usize = message_size(MAX_EVS);

/// Connections a dump picks from the tables at a time.
const BATCH: usize = 32;

// A twin by shape of cc_profile.rs's `fill` (one put per attribute):
// deliberate, each writes its own attribute set.
fn fill(msg: &mut Message<'_>, c: &ConnSnapshot<'_>) -> Result {
    let info = c.info();
    let (local_addr, local_port) = c.local();
    let (peer_addr, peer_port) = c.peer();
    msg.put_u32(LOCAL_CONN.ty, info.mrci_local_conn)?;
    msg.put_u32(PEER_CONN.ty, info.mrci_peer_conn)?;
    msg.put(LOCAL_ADDR.ty, &local_addr)?;
    msg.put(LOCAL_PORT.ty, &local_port.to_ne_bytes())?;
    msg.put(PEER_ADDR.ty, &peer_addr)?;
    msg.put(PEER_PORT.ty, &peer_port.to_ne_bytes())?;
    msg.put_u32(STATE.ty, u32::from(info.mrci_state))?;
    msg.put_u64(EV_PROFILE_ID.ty, c.ev_profile)?;
    msg.put_u64(CC_PROFILE_ID.ty, c.cc_profile)?;
    msg.put_u32(EV_COUNT.ty, u32::from(info.mrci_ev_count))?;
    msg.put_u32(ACTIVE_EVS.ty, u32::from(info.mrci_active_evs))?;
    msg.put_u32(SRTT.ty, info.mrci_srtt_us)?;
    msg.put_u32(CWND.ty, info.mrci_cwnd)?;
    msg.put_u32(BYTES_IN_FLIGHT.ty, info.mrci_bytes_in_flight)?;
    msg.put_u64(PACKETS_SENT.ty, info.mrci_packets_sent)?;
    msg.put_u64(PACKETS_ACKED.ty, info.mrci_packets_acked)?;
    msg.put_u64(PACKETS_RETRANS.ty, info.mrci_packets_retrans)?;
    for (index, ev) in (0u32..).zip(c.evs()) {
        msg.nest(EV.ty, |m| {
            m.put_u32(EV_INDEX.ty, index)?;
            m.put_u32(EV_STATE.ty, u32::from(ev.mrcp_state))?;
            m.put_u32(EV_SRTT.ty, ev.mrcp_srtt_us)?;
            m.put_u64(EV_SENT.ty, ev.mrcp_packets_sent)?;
            m.put_u64(EV_ACKED.ty, ev.mrcp_packets_acked)?;
            m.put_u64(EV_LOST.ty, ev.mrcp_lost)?;
            m.put_u64(EV_TIMEOUTS.ty, ev.mrcp_timeouts)
        })?;
    }
    Ok(())
}

/// `conn-get` (do): the connection numbered `local-conn`.
pub(crate) fn get<'a>(endpoint: &Endpoint, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let n = LOCAL_CONN.u32(attrs)?.ok_or_else(|| LOCAL_CONN.missing())?;
    let gone = || LOCAL_CONN.refuse(code::ENOENT, attrs, "no live connection has this number");
    let sock = endpoint.conn(n).ok_or_else(gone)?;
    sock.with_conn(|c| {
        let size = message_size(c.evs().count()).saturating_sub(HEADERS);
        req.reply(bindings::MRC_CMD_CONN_GET, size, |msg| fill(msg, c))
    })
    .ok_or_else(gone)?
    .map_err(Refusal::from)
}

/// `conn-get` (dump), in local number order; the cursor is the number of
/// the last connection written.
pub(crate) fn dump<'a>(endpoint: &Endpoint, dump: &mut Dump<'a>) -> Result<(), Refusal<'a>> {
    let mut after = u32::try_from(dump.cursor()).unwrap_or(u32::MAX);
    loop {
        let batch = endpoint.conns_after(after, BATCH)?;
        if batch.is_empty() {
            return Ok(());
        }
        for (n, sock) in batch.iter() {
            after = *n;
            // A connection retired since it was picked is left out.
            let written = sock.with_conn(|c| {
                dump.entry(bindings::MRC_CMD_CONN_GET, u64::from(*n), |msg| {
                    fill(msg, c)
                })
            });
            if let Some(false) = written.transpose()? {
                return Ok(());
            }
        }
    }
}
