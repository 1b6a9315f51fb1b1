//! Wire formats: every MRC header as a validated `Repr` with `parse` and
//! `emit`, and [`Packet`], the whole packet. Nothing outside this module
//! knows a byte offset.
//!
//! A packet is the UDP payload (destination port 4791 by default):
//! the 12-byte base header ([`BaseRepr`], laid out like the InfiniBand BTH),
//! one extension header chosen by the opcode ([`Opcode`]), and for data
//! packets the payload. Each header's file opens with its byte layout.
//! All multi-byte fields are big-endian; every reserved bit must be zero;
//! every length, offset and count is checked before use, and each failure
//! has its own [`WireError`]. Accepted bytes re-emit identically: there is
//! one encoding per packet.

mod base;
#[cfg(test)]
mod check;
mod connect_accept;
mod connect_reject;
mod connect_request;
mod cursor;
mod data;
mod error;
mod nack;
mod opcode;
mod packet;
mod probe;
mod reason_psn;
mod reset;
mod sack;

#[cfg(test)]
mod strategy;
#[cfg(test)]
mod tests;

pub use base::{BaseRepr, ConnNumber, Trim, WIRE_VERSION};
pub use connect_accept::ConnectAcceptRepr;
pub use connect_reject::{ConnectRejectRepr, RejectReason};
pub use connect_request::ConnectRequestRepr;
pub use data::{DataRepr, MAX_PAYLOAD};
pub use error::WireError;
pub use nack::{NackCode, NackRepr};
pub use opcode::{DataKind, Opcode};
pub(crate) use packet::PAYLOAD_STAND_IN;
pub use packet::{trim_in_place, Body, Packet, Received};
pub use probe::{ProbeRequestRepr, ProbeResponseRepr};
pub use reset::{ResetReason, ResetRepr};
pub use sack::{SackCredit, SackRepr};

/// The default UDP destination port of MRC (the RoCEv2 port).
pub const UDP_PORT: u16 = 4791;
