//! Snapshots of a connection: `MRC_INFO` and one `MRC_PATH_INFO` entry per
//! EV, as getsockopt(2) returns them and the controller's `conn-get`
//! shows them (with the connection's endpoints and profiles).

use super::conn::Conn;
use super::{MrcSock, Phase};
use crate::ffi::bindings;
use crate::proto::conn::ConnState;
use crate::proto::path::EvState;

/// A live connection, read under its socket's mutex.
pub(crate) struct ConnSnapshot<'a> {
    conn: &'a Conn,
    /// The EV and CC profiles it was made with (`MRC_EV_PROFILE`,
    /// `MRC_CC_PROFILE`; 0: the built-in ones).
    pub(crate) ev_profile: u64,
    pub(crate) cc_profile: u64,
}

impl ConnSnapshot<'_> {
    /// `MRC_INFO`.
    pub(crate) fn info(&self) -> bindings::mrc_info {
        conn_info(self.conn)
    }

    /// The local address and MRC port.
    pub(crate) fn local(&self) -> ([u8; 16], u16) {
        (self.conn.local.addr, self.conn.local.port)
    }

    /// The peer's address and MRC port (0 on the accepting side).
    pub(crate) fn peer(&self) -> ([u8; 16], u16) {
        (self.conn.peer.addr, self.conn.peer.port)
    }

    /// Each EV's `MRC_PATH_INFO` entry, in index order.
    pub(crate) fn evs(&self) -> impl Iterator<Item = bindings::mrc_path_info> + '_ {
        (0..self.conn.core().paths().ev_count()).map_while(|ev| path_info(self.conn, ev))
    }
}

impl MrcSock {
    /// Runs `f` on a snapshot of the socket's connection, under its mutex;
    /// `None` if it has no live connection (none yet, or retired).
    pub(crate) fn with_conn<R>(&self, f: impl FnOnce(&ConnSnapshot<'_>) -> R) -> Option<R> {
        let g = self.inner.lock();
        let Phase::Conn(conn) = &g.phase else {
            return None;
        };
        if g.retired {
            return None;
        }
        Some(f(&ConnSnapshot {
            conn,
            ev_profile: g.cfg.ev_profile,
            cc_profile: g.cfg.cc_profile,
        }))
    }
}

/// `linux/mrc.h`'s `MRC_EV_*` of an EV state.
fn ev_state_code(s: EvState) -> u8 {
    (match s {
        EvState::Good => bindings::MRC_EV_GOOD,
        EvState::Skip => bindings::MRC_EV_SKIP,
        EvState::AssumedBad => bindings::MRC_EV_ASSUMED_BAD,
        EvState::Denied => bindings::MRC_EV_DENIED,
    }) as u8
}

/// The `MRC_PATH_INFO` entry of EV `ev`; `None` past the EV count.
pub(super) fn path_info(conn: &Conn, ev: u16) -> Option<bindings::mrc_path_info> {
    let p = conn.core().paths().stats(ev)?;
    Some(bindings::mrc_path_info {
        mrcp_state: ev_state_code(p.state()),
        mrcp_srtt_us: (p.srtt_ns() / 1000) as u32,
        mrcp_packets_sent: p.sent(),
        mrcp_packets_acked: p.acked(),
        mrcp_lost: p.lost(),
        mrcp_timeouts: p.timeouts(),
        ..Default::default()
    })
}

/// `MRC_INFO` of a socket in `phase`.
pub(super) fn info(phase: &Phase) -> bindings::mrc_info {
    match phase {
        Phase::Conn(conn) => conn_info(conn),
        Phase::Listening(_) => bindings::mrc_info {
            mrci_state: bindings::MRC_STATE_LISTEN as u8,
            ..Default::default()
        },
        Phase::Idle => bindings::mrc_info {
            mrci_state: bindings::MRC_STATE_CLOSED as u8,
            ..Default::default()
        },
    }
}

/// `MRC_INFO` of a connection.
fn conn_info(conn: &Conn) -> bindings::mrc_info {
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
        mrci_ecn_echoes: s.ecn_echoes,
        mrci_credit_probes: s.credit_probes,
        ..Default::default()
    }
}
