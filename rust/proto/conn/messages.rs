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
/// Whether it started and whether it carries an immediate share one byte,
/// so that a slot is 32 bytes: 128 slots fill 4 KiB exactly (at 36 bytes
/// they needed 4.5, which an allocator rounds up to 8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct RxMessage {
    pub(super) len: u32,
    pub(super) placed: u32,
    imm: u32,
    start: RxStart,
}

/// Whether a message's first packet arrived, and with an immediate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum RxStart {
    #[default]
    NotYet,
    Plain,
    WithImm,
}

impl RxMessage {
    /// The record of a message whose first packet announced `len` bytes
    /// and `imm`.
    pub(super) fn first(len: u32, imm: Option<u32>) -> Self {
        Self {
            len,
            placed: 0,
            imm: imm.unwrap_or(0),
            start: if imm.is_some() {
                RxStart::WithImm
            } else {
                RxStart::Plain
            },
        }
    }

    /// Whether the message's first packet arrived.
    pub(super) fn started(&self) -> bool {
        self.start != RxStart::NotYet
    }

    /// The message's immediate, if it has one.
    pub(super) fn imm(&self) -> Option<u32> {
        (self.start == RxStart::WithImm).then_some(self.imm)
    }
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
