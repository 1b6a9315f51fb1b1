//! An outgoing message's bytes in pages of its own, copied once from the
//! sender's memory. A data packet sent in a UDP GSO batch takes its payload
//! from them as skb fragments ([`TxBatch`](super::udp::TxBatch)), without a
//! second copy: each fragment holds a reference on its page, which keeps
//! the bytes until the skb is freed, even after the message is acked and
//! its pages dropped here. The bytes are never written again once copied
//! in.

use super::bindings;
use super::msg::Msg;
use kernel::page::{PAGE_SHIFT, PAGE_SIZE};
use kernel::prelude::*;

/// Pages per chunk, as a power of two, that a message takes when it is
/// long enough and the allocator has them without effort (32 KiB, as the
/// kernel's own page fragments); else single pages.
const CHUNK_ORDER: u32 = 3;

/// One message's bytes, in chunks of `1 << shift` bytes each (the last
/// one's tail unused).
///
/// # Invariants
/// Each of `chunks` is a page (a compound page of `1 << shift` bytes when
/// `shift` is above the page's) that this value holds a reference on,
/// allocated without `__GFP_HIGHMEM` (so mapped at its `page_address`);
/// together they hold `len` bytes from the start of the first, all
/// initialised.
pub(crate) struct MessagePages {
    chunks: KVec<*mut bindings::page>,
    shift: u32,
    len: usize,
}

// SAFETY: the pages are referenced, not borrowed; a page reference may be
// dropped from any context.
unsafe impl Send for MessagePages {}
// SAFETY: `&self` methods only read bytes that are never written again.
unsafe impl Sync for MessagePages {}

impl MessagePages {
    /// The next `len` bytes of `msg`'s data, copied into pages charged to
    /// the caller's memory cgroup: the whole message or an error.
    pub(super) fn copy_from(msg: &mut Msg<'_>, len: usize) -> Result<Self> {
        // A message of a page or less takes one page; longer ones take
        // chunks, or single pages if chunks are short.
        let wanted = if len > PAGE_SIZE { CHUNK_ORDER } else { 0 };
        let mut pages = match Self::alloc(len, wanted) {
            Err(e) if wanted > 0 && e == ENOMEM => Self::alloc(len, 0)?,
            other => other?,
        };
        let chunk = 1usize << pages.shift;
        let mut left = len;
        for &page in pages.chunks.iter() {
            let n = left.min(chunk);
            // SAFETY: `page` is a referenced lowmem chunk of `chunk` >= `n`
            // bytes, so its address is valid for `n` bytes of writes; no
            // slice of its bytes exists before they are initialised.
            unsafe { msg.copy_raw(bindings::mrc_page_address(page).cast(), n) }?;
            left = left.saturating_sub(n);
        }
        // INVARIANT: every byte of the `len` was copied in above (or the
        // `?` returned, dropping the pages).
        pages.len = len;
        Ok(pages)
    }

    /// Chunks of `1 << order` pages for `len` bytes, their bytes not yet
    /// initialised (`len` 0 until they are).
    fn alloc(len: usize, order: u32) -> Result<Self> {
        let shift = order.saturating_add(PAGE_SHIFT as u32);
        let n = len.div_ceil(1usize << shift);
        let mut pages = Self {
            chunks: KVec::with_capacity(n, GFP_KERNEL_ACCOUNT)?,
            shift,
            len: 0,
        };
        for _ in 0..n {
            // SAFETY: a plain page allocation (the helper adds no
            // `__GFP_HIGHMEM`).
            let page = unsafe { bindings::mrc_alloc_chunk(order) };
            if page.is_null() {
                return Err(ENOMEM);
            }
            // Within the capacity reserved above, so it does not fail;
            // should it, the reference is dropped rather than leaked.
            if pages.chunks.push(page, GFP_KERNEL_ACCOUNT).is_err() {
                // SAFETY: the page was just allocated and is not kept.
                unsafe { bindings::mrc_put_page(page) };
                return Err(ENOMEM);
            }
        }
        Ok(pages)
    }

    /// The message's length.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The bytes `off..off + len` as the pieces that lie in one chunk each,
    /// in order: each a page, an offset into it and the bytes there. None
    /// if they do not lie within the message.
    pub(super) fn pieces(&self, off: usize, len: usize) -> Option<Pieces<'_>> {
        let end = off.checked_add(len).filter(|&e| e <= self.len)?;
        Some(Pieces {
            pages: self,
            at: off,
            end,
        })
    }

    /// Copies the bytes `off..off + dst.len()` to `dst`; false, `dst`
    /// untouched, if they do not lie within the message.
    pub(crate) fn copy_out(&self, off: usize, dst: &mut [u8]) -> bool {
        self.pieces(off, dst.len()).is_some_and(|p| p.copy_to(dst))
    }
}

impl Drop for MessagePages {
    fn drop(&mut self) {
        for &page in self.chunks.iter() {
            // SAFETY: this value's reference on the page (type invariant),
            // dropped once; skbs that send its bytes hold their own.
            unsafe { bindings::mrc_put_page(page) };
        }
    }
}

/// Part of a message's bytes that lies in one chunk.
pub(super) struct Piece<'a> {
    /// The chunk's page.
    pub(super) page: *mut bindings::page,
    /// Where the bytes start in it.
    pub(super) offset: usize,
    /// The bytes.
    pub(super) bytes: &'a [u8],
}

/// The pieces of a range of a message's bytes ([`MessagePages::pieces`]).
pub(super) struct Pieces<'a> {
    pages: &'a MessagePages,
    at: usize,
    end: usize,
}

impl Pieces<'_> {
    /// Copies the pieces' bytes back to back to `dst`; false if they are
    /// not exactly `dst.len()` bytes (then `dst` holds part of them).
    pub(super) fn copy_to(self, dst: &mut [u8]) -> bool {
        let mut rest = dst;
        for p in self {
            if p.bytes.len() > rest.len() {
                return false;
            }
            let (head, tail) = rest.split_at_mut(p.bytes.len());
            head.copy_from_slice(p.bytes);
            rest = tail;
        }
        rest.is_empty()
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        if self.at >= self.end {
            return None;
        }
        let chunk = 1usize << self.pages.shift;
        let offset = self.at & chunk.wrapping_sub(1);
        let n = chunk
            .saturating_sub(offset)
            .min(self.end.saturating_sub(self.at));
        let page = *self.pages.chunks.get(self.at >> self.pages.shift)?;
        // SAFETY: `page` is a referenced lowmem chunk whose bytes up to the
        // message's length are initialised and never written again (type
        // invariant of `MessagePages`); `offset + n` stays within both the
        // chunk and `len` (`end` <= `len`, checked by `pieces`). The slice
        // lives as long as the borrow of the pages.
        let bytes = unsafe {
            core::slice::from_raw_parts(
                bindings::mrc_page_address(page).cast::<u8>().add(offset),
                n,
            )
        };
        self.at = self.at.saturating_add(n);
        Some(Piece {
            page,
            offset,
            bytes,
        })
    }
}
