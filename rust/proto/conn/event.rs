//! What a connection tells its caller: [`ConnEvent`]s, and why it closed.

use crate::proto::path::EvEvent;
use crate::proto::wire::{RejectReason, ResetReason};

/// A message's sequence number within its direction of the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MsgId(pub u32);

/// Why a connection is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// Both ends finished: everything sent was acked and the peer closed.
    Finished,
    /// This end reset the connection.
    LocalReset,
    /// The peer reset the connection, for the reason it gave.
    PeerReset(ResetReason),
    /// The listener refused the connection, for the reason it gave.
    Rejected(RejectReason),
    /// The peer broke the protocol (e.g. a connect accept that contradicts
    /// the one already taken); a reset was sent.
    ProtocolError,
    /// The ACK timeout retries ran out (during the handshake or later).
    RetriesExhausted,
}

/// Something the caller must learn, returned by `poll_event`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnEvent {
    /// The handshake completed; data may flow.
    Connected,
    /// Every byte of an outgoing message was acked: the caller may free
    /// its bytes. Reported in message order.
    MessageSent {
        /// The message.
        msg: MsgId,
    },
    /// An incoming message is complete (all its bytes were placed), reported
    /// in message order.
    MessageReceived {
        /// The message.
        msg: MsgId,
        /// Its length in bytes.
        len: u32,
        /// Its immediate value, if it was a Write-with-Immediate.
        imm: Option<u32>,
    },
    /// An EV changed between GOOD and ASSUMED_BAD.
    Path(EvEvent),
    /// The connection is closed; no further input is accepted.
    Closed(CloseReason),
}
