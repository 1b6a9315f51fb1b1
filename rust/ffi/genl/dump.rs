//! A dump in progress: one round's skb and the cursor between rounds.

use super::{Attrs, Message, Refusal};
use crate::ffi::bindings;
use crate::ffi::errno;
use core::ffi::c_int;
use core::marker::PhantomData;
use kernel::prelude::*;

/// A dump in progress: fills the skb of one `recvmsg` with messages, and
/// keeps a cursor for the next.
///
/// # Invariants
/// `skb` and `cb` are those of the running dumpit.
pub(crate) struct Dump<'a> {
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
    /// An entry did not fit this round's skb.
    full: bool,
    _cb: PhantomData<&'a mut bindings::netlink_callback>,
}

impl<'a> Dump<'a> {
    /// # Safety
    /// `skb` and `cb` must be those of a running dumpit.
    pub(super) unsafe fn from_raw(
        skb: *mut bindings::sk_buff,
        cb: *mut bindings::netlink_callback,
    ) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            skb,
            cb,
            full: false,
            _cb: PhantomData,
        }
    }

    /// From a dump's start hook: every skb of the dump has room for
    /// `size` bytes of messages (the reader needs a buffer that large).
    ///
    /// # Safety
    /// `cb` must be the callback of a dump being started.
    pub(super) unsafe fn reserve(cb: *mut bindings::netlink_callback, size: usize) {
        // SAFETY: guaranteed by the caller; netlink reads `min_dump_alloc`
        // when it allocates each round's skb, after the start hook.
        unsafe { (*cb).min_dump_alloc = u32::try_from(size).unwrap_or(u32::MAX) };
    }

    /// The dump request's top-level attributes.
    pub(crate) fn attrs(&self) -> Attrs<'a> {
        let mut len: c_int = 0;
        // SAFETY: `cb` is valid (type invariant); its request skb lives as
        // long as the dump, which outlives `'a` (a round of it).
        unsafe {
            let start = bindings::mrc_genl_dump_attrs(self.cb, &mut len);
            Attrs::from_raw(start, len)
        }
    }

    /// Writes `refusal` into the dump's extack; returns the errno.
    pub(super) fn refuse(&self, refusal: &Refusal<'_>) -> c_int {
        // SAFETY: `cb` is valid (type invariant); its extack, if any, is
        // the running round's.
        unsafe { refusal.write(bindings::mrc_genl_dump_extack(self.cb)) }
    }

    /// The namespace of the dumping socket.
    pub(super) fn net(&self) -> *const bindings::net {
        // SAFETY: `cb` is valid (type invariant).
        unsafe { bindings::mrc_genl_dump_net(self.cb) }
    }

    /// What the dumpit returns: the bytes written this round (0: the dump
    /// is complete), or EMSGSIZE if an entry fits no skb at all.
    pub(super) fn result(&self) -> c_int {
        // SAFETY: `skb` is valid (type invariant).
        let len = unsafe { bindings::mrc_skb_len(self.skb) };
        if len == 0 && self.full {
            return errno::emsgsize().to_errno();
        }
        c_int::try_from(len).unwrap_or(c_int::MAX)
    }

    /// Where the previous round stopped (0 at the start).
    pub(crate) fn cursor(&self) -> u64 {
        // SAFETY: `cb` is valid (type invariant); args[0] is ours.
        unsafe { *bindings::mrc_genl_dump_cursor(self.cb) as u64 }
    }

    /// Adds one message of command `cmd` that `fill` writes, and moves the
    /// cursor to `cursor` once it is in. `Ok(false)`: the skb is full, the
    /// message is left for the next round.
    pub(crate) fn entry(
        &mut self,
        cmd: u32,
        cursor: u64,
        fill: impl FnOnce(&mut Message<'_>) -> Result,
    ) -> Result<bool> {
        // SAFETY: `skb` and `cb` are valid (type invariant).
        let hdr = unsafe { bindings::mrc_genl_dump_put(self.skb, self.cb, cmd as u8) };
        if hdr.is_null() {
            self.full = true;
            return Ok(false);
        }
        // SAFETY: `skb` is the running round's (type invariant).
        let mut msg = unsafe { Message::new(self.skb) };
        match fill(&mut msg) {
            Ok(()) => {
                // SAFETY: `hdr` starts the message just written to `skb`;
                // `cb` is valid (type invariant).
                unsafe {
                    bindings::mrc_genlmsg_end(self.skb, hdr);
                    *bindings::mrc_genl_dump_cursor(self.cb) = cursor as _;
                }
                Ok(true)
            }
            Err(e) => {
                // SAFETY: `hdr` starts the message being cancelled.
                unsafe { bindings::mrc_genlmsg_cancel(self.skb, hdr) };
                if e.to_errno() == errno::emsgsize().to_errno() {
                    self.full = true;
                    Ok(false)
                } else {
                    Err(e)
                }
            }
        }
    }
}
