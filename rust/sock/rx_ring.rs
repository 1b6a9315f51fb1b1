//! The incoming messages a connection holds, by message number: a ring
//! that starts with a few slots and doubles, up to [`RX_RING`], when a
//! message further ahead of the reader arrives, so that an idle connection
//! keeps little.

use super::rx_message::RxMessage;
use kernel::prelude::*;

/// Incoming messages a connection holds at once, complete or not, counted
/// from the next one the application reads. The receive credit's message
/// limit keeps a sender of this implementation within it; data for a
/// message further ahead is refused (and sent again by the peer once the
/// application has read).
pub(super) const RX_RING: u32 = 256;

/// Slots a connection starts with.
const FIRST_SLOTS: u32 = 8;

/// An incoming message.
pub(super) enum RxSlot {
    Empty,
    /// Bytes of message `msn` arriving.
    Filling {
        msn: u32,
        buf: RxMessage,
    },
    /// Message `msn` complete, waiting for recvmsg.
    Done {
        msn: u32,
        buf: KVVec<u8>,
        imm: Option<u32>,
    },
}

/// Slots indexed by message number modulo their count, a power of two (so
/// the index stays consistent across the wrap of `u32`).
pub(super) struct RxRing {
    slots: KVec<RxSlot>,
}

/// `n` empty slots.
fn empty(n: u32) -> Result<KVec<RxSlot>> {
    let mut slots = KVec::with_capacity(n as usize, GFP_KERNEL)?;
    for _ in 0..n {
        slots.push(RxSlot::Empty, GFP_KERNEL)?;
    }
    Ok(slots)
}

impl RxRing {
    pub(super) fn new() -> Result<Self> {
        Ok(Self {
            slots: empty(FIRST_SLOTS)?,
        })
    }

    fn index(&self, msn: u32) -> usize {
        (msn & (self.slots.len() as u32).wrapping_sub(1)) as usize
    }

    /// The slot of message `msn`, which may hold another message (the
    /// caller checks).
    pub(super) fn get(&self, msn: u32) -> Option<&RxSlot> {
        self.slots.get(self.index(msn))
    }

    /// The slot of message `msn`, which may hold another message (the
    /// caller checks).
    pub(super) fn get_mut(&mut self, msn: u32) -> Option<&mut RxSlot> {
        let i = self.index(msn);
        self.slots.get_mut(i)
    }

    /// Makes room for the message `ahead` messages past the reader's next
    /// one, every held message keeping its own slot: false if that is
    /// beyond [`RX_RING`] or memory ran out. The held messages all lie
    /// within the ring's span past the reader, so none collide.
    pub(super) fn reach(&mut self, ahead: u32) -> bool {
        let len = self.slots.len() as u32;
        if ahead < len {
            return true;
        }
        if ahead >= RX_RING {
            return false;
        }
        let Ok(mut grown) = empty(ahead.saturating_add(1).next_power_of_two()) else {
            return false;
        };
        let mask = (grown.len() as u32).wrapping_sub(1);
        for slot in core::mem::take(&mut self.slots) {
            if let RxSlot::Filling { msn, .. } | RxSlot::Done { msn, .. } = slot {
                if let Some(to) = grown.get_mut((msn & mask) as usize) {
                    *to = slot;
                }
            }
        }
        self.slots = grown;
        true
    }
}
