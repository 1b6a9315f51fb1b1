//! Sender per-PSN records: what each PSN in flight carries (message, offset,
//! length), on which EV and when it last left, and whether it is acked or
//! lost. The records live in caller storage, one slot per PSN of the send
//! window, indexed by the PSN modulo a power of two that divides 2^24.

use super::slots;
use crate::proto::psn::Psn;

/// Where a sent PSN stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SentState {
    /// Slot not in use.
    #[default]
    Free,
    /// Sent, neither acked nor declared lost.
    InFlight,
    /// Declared lost; waits for retransmission.
    Lost,
    /// Acked by the receiver.
    Acked,
}

/// One sent PSN (caller storage: allocate `SentPacket::default()` slots).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
// A twin by shape only of path/state.rs's `PathState` fields: unrelated
// records.
pub struct SentPacket {
    pub(super) state: SentState,
    /// Message sequence number.
    pub(super) msg: u32,
    /// Byte offset within the message.
    pub(super) offset: u32,
    /// Payload bytes.
    pub(super) len: u32,
    /// EV index of the last transmission.
    pub(super) ev: u16,
    /// Time of the last transmission (ns).
    pub(super) sent_at: u64,
    /// Transmissions so far (1 = never retransmitted).
    pub(super) transmissions: u8,
    /// The receiver said NO_RESOURCE: a timeout of this PSN is not the
    /// path's fault.
    pub(super) no_resource: bool,
    /// When a packet sent after this one on the same EV was acked, within
    /// the reordering window (RACK waits for the window to pass).
    pub(super) overtaken_at: Option<u64>,
}

impl SentPacket {
    /// State of this record.
    pub fn state(&self) -> SentState {
        self.state
    }
}

/// Slots usable in `len` records: the largest power of two that fits, at
/// most 2^24.
pub(super) fn usable_slots(len: usize) -> u32 {
    slots::usable(len, 1 << Psn::BITS)
}

/// Index of `psn`'s slot among `slots` (a power of two).
pub(super) fn slot_of(psn: Psn, slots: u32) -> usize {
    slots::slot_of(psn.get(), slots)
}
