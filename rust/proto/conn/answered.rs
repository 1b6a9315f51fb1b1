//! A connect request the listener admitted and answered before any
//! connection exists for it, as TCP's request socket: the responder's
//! connection number and initial PSN are chosen and the accept is sent,
//! but the connection ([`Connection::accept`]) is built only when the
//! initiator's first packet shows that it got the accept at its address.
//! A flood of requests forged from addresses that never answer then costs
//! one of these each (a few dozen bytes), not a connection.
//!
//! The accept is sent again on the doubling part of the listener's retry
//! schedule, at most [`MAX_ACCEPT_RESENDS`] times, for an initiator whose
//! confirmation was lost (a repeated request is answered at once too).
//!
//! [`Connection::accept`]: super::Connection::accept

use super::RetryPolicy;
use crate::proto::psn::Psn;
use crate::proto::wire::{
    Body, ConnNumber, ConnectAcceptRepr, ConnectRequestRepr, Packet, WireError,
};

/// Most times an answered request's accept is sent again (TCP's
/// `tcp_synack_retries` is 5).
pub const MAX_ACCEPT_RESENDS: u32 = 5;

/// What the responder announces in its accept: its own parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcceptParams {
    /// MPR (units of 128 PSNs).
    pub mpr: u8,
    /// Write-with-Immediate operations accepted in flight.
    pub max_wimm: u16,
    /// Whether this end enables dynamic MPR.
    pub dynamic_mpr: bool,
}

/// What happens to an answered request whose deadline passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnsweredTimeout {
    /// Send the accept again (and wait until the next deadline).
    Resend,
    /// Its retries are used up: forget it.
    Expire,
}

/// An admitted connect request, answered, not yet a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnsweredRequest {
    /// The request.
    pub request: ConnectRequestRepr,
    /// The partition key it came with.
    pub pkey: u16,
    /// The connection number the accept gave the responder.
    pub responder_conn: ConnNumber,
    /// The responder's first PSN, as the accept announced it.
    pub initial_psn: Psn,
    /// When the accept was last sent (ns).
    sent_at: u64,
    /// Times it was sent again.
    resends: u32,
}

impl AnsweredRequest {
    /// `request` (with `pkey`), answered at `now` for a responder numbered
    /// `responder_conn` whose PSNs start at `initial_psn`.
    pub fn new(
        request: ConnectRequestRepr,
        pkey: u16,
        responder_conn: ConnNumber,
        initial_psn: Psn,
        now: u64,
    ) -> Self {
        Self {
            request,
            pkey,
            responder_conn,
            initial_psn,
            sent_at: now,
            resends: 0,
        }
    }

    /// Writes the accept into `buf`: the one the responder built from it
    /// (by `Connection::accept` with the same parameters) would send.
    pub fn emit_accept(&self, params: AcceptParams, buf: &mut [u8]) -> Result<usize, WireError> {
        Packet {
            pkey: self.pkey,
            dest_conn: self.request.initiator_conn,
            body: Body::ConnectAccept(ConnectAcceptRepr {
                responder_conn: self.responder_conn,
                initial_psn: self.initial_psn,
                mpr: u16::from(params.mpr),
                max_wimm: params.max_wimm,
                dynamic_mpr: params.dynamic_mpr && self.request.dynamic_mpr,
                echo_psn: self.request.initial_psn,
            }),
        }
        .emit(buf)
    }

    /// When its deadline is, under the listener's `retry` policy: the
    /// doubling intervals that follow its linear retries.
    pub fn deadline(&self, retry: &RetryPolicy) -> u64 {
        let step = u32::from(retry.linear_cnt)
            .saturating_add(1)
            .saturating_add(self.resends);
        let wait = retry
            .interval_ns(step)
            .or_else(|| retry.interval_ns(step.saturating_sub(1)))
            .unwrap_or_else(|| retry.base_ns());
        self.sent_at.saturating_add(wait)
    }

    /// Its deadline passed at `now`: resend (counted as sent at `now`) or
    /// expire.
    pub fn on_timeout(&mut self, now: u64, retry: &RetryPolicy) -> AnsweredTimeout {
        let next = u32::from(retry.linear_cnt)
            .saturating_add(2)
            .saturating_add(self.resends);
        if self.resends >= MAX_ACCEPT_RESENDS || retry.interval_ns(next).is_none() {
            return AnsweredTimeout::Expire;
        }
        self.resends = self.resends.saturating_add(1);
        self.sent_at = now;
        AnsweredTimeout::Resend
    }
}
