//! An incoming message's bytes while its packets arrive: room for the
//! whole message is reserved at its first packet, but only the bytes
//! written so far are initialised. A packet that continues where the
//! written bytes end is copied on at once; one that skips ahead
//! zero-fills the gap, which the packets still missing overwrite. So a
//! message whose packets arrive in order costs one copy of its bytes, not
//! a pass to zero its buffer first.

use crate::ffi::skb::Datagram;
use kernel::prelude::*;

/// The bytes of one incoming message.
pub(super) struct RxMessage {
    /// The bytes written so far, from the message's start (their length)
    /// within room reserved for all of it (the capacity).
    buf: KVVec<u8>,
    /// The message's length.
    len: usize,
}

impl RxMessage {
    /// Room for a message of `len` bytes, none written yet.
    pub(super) fn new(len: usize) -> Result<Self> {
        Ok(Self {
            buf: KVVec::with_capacity(len, GFP_KERNEL_ACCOUNT)?,
            len,
        })
    }

    /// The message's length.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Writes the `len` bytes at `at` in `src`'s packet at `offset`;
    /// nothing if they do not lie within the message (the core placed
    /// them there, so they do) or within the packet.
    pub(super) fn place(&mut self, offset: usize, src: &Datagram, at: usize, len: usize) {
        let Some(end) = offset.checked_add(len).filter(|&e| e <= self.len) else {
            return;
        };
        // Within the reserved room, neither extension allocates.
        let written = self.buf.len();
        let gap = offset.saturating_sub(written);
        if gap > 0 && self.buf.extend_with(gap, 0, GFP_KERNEL).is_err() {
            return;
        }
        // The part over bytes already there, then the rest.
        let over = end.min(self.buf.len()).saturating_sub(offset);
        let Some(dst) = self.buf.get_mut(offset..offset.saturating_add(over)) else {
            return;
        };
        if over > 0 && !src.copy_to(at, dst) {
            return;
        }
        if len > over {
            // Within the reserved room: cannot fail.
            let _ = src.append_to(
                at.saturating_add(over),
                len.saturating_sub(over),
                &mut self.buf,
            );
        }
    }

    /// The whole message, once every byte of it has been placed (bytes
    /// never placed, which the core's accounting rules out, read as zero).
    pub(super) fn into_bytes(mut self) -> KVVec<u8> {
        let missing = self.len.saturating_sub(self.buf.len());
        if missing > 0 {
            // Within the reserved room: does not allocate.
            let _ = self.buf.extend_with(missing, 0, GFP_KERNEL);
        }
        self.buf
    }
}
