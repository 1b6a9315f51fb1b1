//! The listening side of connection set-up, without per-request state: a
//! connect request to our port is either admitted (the caller then builds
//! the responder with [`Connection::accept`]) or refused with a connect
//! reject. Half-open connections are bounded by a backlog, so a flood of
//! requests costs at most `backlog` connections. A request that finds the
//! backlog full displaces the oldest half-open connection instead of being
//! refused: requests forged from addresses that never answer then cannot
//! lock out one that completes its handshake within `backlog` requests'
//! time (TCP's answer without syncookies, dropping the oldest request).
//!
//! [`Connection::accept`]: super::Connection::accept

use super::PacketError;
use crate::proto::wire::{Body, ConnectRejectRepr, ConnectRequestRepr, Packet, RejectReason};

/// What the caller does with a packet the listener looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListenAction {
    /// Admitted: build a responder from this request (it counts against
    /// the backlog until [`Listener::half_open_done`]).
    Accept {
        /// The validated request.
        request: ConnectRequestRepr,
        /// The partition key it came with.
        pkey: u16,
        /// The backlog was full: the caller drops its oldest half-open
        /// connection, whose place this one takes (without calling
        /// [`Listener::half_open_done`] for it).
        displaces: bool,
    },
    /// Refused: send the `len` bytes written into the buffer back to the
    /// requester (a connect reject).
    Reply {
        /// Bytes written.
        len: usize,
    },
    /// Dropped.
    Drop(PacketError),
}

/// A listener on one MRC port.
#[derive(Clone, Copy, Debug)]
pub struct Listener {
    port: u16,
    backlog: u16,
    half_open: u16,
    rejected: u64,
    displaced: u64,
}

impl Listener {
    /// A listener on `port` admitting at most `backlog` half-open
    /// connections at a time.
    pub fn new(port: u16, backlog: u16) -> Self {
        Listener {
            port,
            backlog,
            half_open: 0,
            rejected: 0,
            displaced: 0,
        }
    }

    /// Half-open connections admitted and not yet done.
    pub fn half_open(&self) -> u16 {
        self.half_open
    }

    /// Whether at least half the backlog is taken: a listener under a
    /// flood stops resending its accepts (see `AnsweredRequest`).
    pub fn at_least_half_full(&self) -> bool {
        u32::from(self.half_open).saturating_mul(2) >= u32::from(self.backlog)
    }

    /// Requests refused so far.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Half-open connections displaced by newer requests so far.
    pub fn displaced(&self) -> u64 {
        self.displaced
    }

    /// An admitted connection became established or closed.
    pub fn half_open_done(&mut self) {
        self.half_open = self.half_open.saturating_sub(1);
    }

    /// Look at a connectionless packet for this listener; a reject is
    /// written into `buf`.
    pub fn handle_packet(&mut self, bytes: &[u8], buf: &mut [u8]) -> ListenAction {
        let packet = match Packet::parse(bytes) {
            Ok(packet) => packet,
            Err(e) => return ListenAction::Drop(PacketError::Malformed(e)),
        };
        let Body::ConnectRequest(request) = packet.body else {
            return ListenAction::Drop(PacketError::UnexpectedOpcode);
        };
        if request.dest_port != self.port {
            return self.reject(&request, packet.pkey, RejectReason::NoListener, buf);
        }
        let displaces = self.half_open >= self.backlog;
        if displaces {
            self.displaced = self.displaced.saturating_add(1);
        } else {
            self.half_open = self.half_open.saturating_add(1);
        }
        ListenAction::Accept {
            request,
            pkey: packet.pkey,
            displaces,
        }
    }

    /// Refuse `request` for `reason` (also for the caller's own reasons,
    /// e.g. when [`Connection::accept`](super::Connection::accept) refuses
    /// its parameters; then also call [`half_open_done`](Self::half_open_done)
    /// for the admission); the reject is written into `buf`.
    pub fn reject(
        &mut self,
        request: &ConnectRequestRepr,
        pkey: u16,
        reason: RejectReason,
        buf: &mut [u8],
    ) -> ListenAction {
        self.rejected = self.rejected.saturating_add(1);
        let reject = Packet {
            pkey,
            dest_conn: request.initiator_conn,
            body: Body::ConnectReject(ConnectRejectRepr {
                reason,
                echo_psn: request.initial_psn,
            }),
        };
        match reject.emit(buf) {
            Ok(len) => ListenAction::Reply { len },
            Err(e) => ListenAction::Drop(PacketError::Malformed(e)),
        }
    }
}
