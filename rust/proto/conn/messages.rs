//! Per-message records of both directions, in caller storage indexed by
//! message sequence number modulo a power of two: the sender's view (length,
//! immediate, bytes acked) and the receiver's (length, immediate, bytes
//! placed). The bytes themselves stay with the caller.

use super::slots;

/// Sender view of one message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct TxMessage {
    pub(super) len: u32,
    pub(super) imm: Option<u32>,
    /// Packets of the message not acked yet.
    pub(super) packets_left: u32,
}

/// Receiver view of one message: present once its first packet arrived.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct RxMessage {
    pub(super) started: bool,
    pub(super) len: u32,
    pub(super) imm: Option<u32>,
    pub(super) placed: u32,
}

/// The records of one message sequence number in both directions
/// (caller storage: allocate `MessageSlot::default()` slots).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageSlot {
    pub(super) tx: TxMessage,
    pub(super) rx: RxMessage,
}

/// Slots usable in `len` records: the largest power of two that fits
/// (it divides 2^32, so indexing stays consistent across the wrap).
pub(super) fn usable_slots(len: usize) -> u32 {
    slots::usable(len, 1 << 31)
}

/// Index of message `seq`'s slot among `slots` (a power of two).
pub(super) use slots::slot_of;
