//! A doit's request, and the messages a handler writes (its reply, and a
//! dump's entries).

use super::{Attrs, Refusal};
use crate::ffi::bindings;
use crate::ffi::errno;
use core::ffi::c_int;
use core::marker::PhantomData;
use kernel::error::{code, to_result};
use kernel::prelude::*;

/// A command being handled: the request and the means to answer it.
///
/// # Invariants
/// `info` is the `genl_info` of the running doit, valid for `'a`.
pub(crate) struct Request<'a> {
    info: *mut bindings::genl_info,
    attrs: Attrs<'a>,
}

impl<'a> Request<'a> {
    /// # Safety
    /// `info` must be the `genl_info` of a running doit, valid for `'a`.
    pub(super) unsafe fn from_raw(info: *mut bindings::genl_info) -> Self {
        let mut len: c_int = 0;
        // SAFETY: the caller guarantees `info` is valid; genetlink checked
        // that the message holds its header, so the stream lies within it.
        let start = unsafe { bindings::mrc_genl_attrs(info, &mut len) };
        // INVARIANT: the caller guarantees `info` for `'a`.
        Self {
            info,
            // SAFETY: the stream is in the request skb, alive for the doit.
            attrs: unsafe { Attrs::from_raw(start, len) },
        }
    }

    /// The namespace the request came from.
    pub(super) fn net(&self) -> *const bindings::net {
        // SAFETY: `info` is valid (type invariant).
        unsafe { bindings::mrc_genl_info_net(self.info) }
    }

    /// The request's top-level attributes.
    pub(crate) fn attrs(&self) -> Attrs<'a> {
        self.attrs
    }

    /// Writes `refusal` into the extack; returns the errno for genetlink.
    pub(super) fn refuse(&self, refusal: &Refusal<'_>) -> c_int {
        // SAFETY: `info` is valid (type invariant); its extack lives for the
        // doit, whose request holds the refused attribute.
        unsafe { refusal.write((*self.info).extack) }
    }

    /// Answers with one message of command `cmd` that `fill` writes, in a
    /// buffer of `size` bytes of attributes.
    pub(crate) fn reply(
        &self,
        cmd: u32,
        size: usize,
        fill: impl FnOnce(&mut Message<'_>) -> Result,
    ) -> Result {
        // SAFETY: allocating an skb has no preconditions.
        let skb = unsafe { bindings::mrc_genlmsg_new(size) };
        if skb.is_null() {
            return Err(code::ENOMEM);
        }
        // SAFETY: `skb` is ours and `info` valid (type invariant).
        let hdr = unsafe { bindings::mrc_genlmsg_put_reply(skb, self.info, cmd as u8) };
        // SAFETY: `skb` is ours until sent or freed below.
        let mut msg = unsafe { Message::new(skb) };
        let filled = if hdr.is_null() {
            Err(errno::emsgsize())
        } else {
            fill(&mut msg)
        };
        if let Err(e) = filled {
            // SAFETY: `skb` is ours, not sent.
            unsafe { bindings::mrc_nlmsg_free(skb) };
            return Err(e);
        }
        // SAFETY: `skb` holds the message `hdr` starts; sending consumes it.
        to_result(unsafe { bindings::mrc_genlmsg_reply(skb, hdr, self.info) })
    }
}

/// A message being written: a reply or one entry of a dump.
///
/// # Invariants
/// `skb` is an skb this code owns or fills for the running callback.
// A twin by shape of ffi/msg.rs's `Msg` (deliberate): each wraps a different
// kernel object for a call's life.
pub(crate) struct Message<'a> {
    skb: *mut bindings::sk_buff,
    _skb: PhantomData<&'a mut bindings::sk_buff>,
}

impl Message<'_> {
    /// A message written into `skb`.
    ///
    /// # Safety
    /// `skb` must be an skb the caller owns or fills for the running
    /// callback, for the message's life.
    pub(super) unsafe fn new(skb: *mut bindings::sk_buff) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            skb,
            _skb: PhantomData,
        }
    }

    /// Appends attribute `ty` with payload `data`; EMSGSIZE when it does
    /// not fit.
    pub(crate) fn put(&mut self, ty: u32, data: &[u8]) -> Result {
        let len = c_int::try_from(data.len()).map_err(|_| errno::emsgsize())?;
        // SAFETY: `skb` is valid (type invariant); `data` is `len` bytes.
        to_result(unsafe { bindings::nla_put(self.skb, ty as c_int, len, data.as_ptr().cast()) })
    }

    /// Appends a `u8` attribute.
    pub(crate) fn put_u8(&mut self, ty: u32, v: u8) -> Result {
        self.put(ty, &[v])
    }

    /// Appends a `u32` attribute.
    pub(crate) fn put_u32(&mut self, ty: u32, v: u32) -> Result {
        self.put(ty, &v.to_ne_bytes())
    }

    /// Appends a `u64` attribute (4-byte aligned, as x86-64 allows).
    pub(crate) fn put_u64(&mut self, ty: u32, v: u64) -> Result {
        self.put(ty, &v.to_ne_bytes())
    }

    /// Appends a nest of type `ty` holding what `fill` writes.
    pub(crate) fn nest(&mut self, ty: u32, fill: impl FnOnce(&mut Self) -> Result) -> Result {
        // SAFETY: `skb` is valid (type invariant).
        let nest = unsafe { bindings::mrc_nla_nest_start(self.skb, ty as c_int) };
        if nest.is_null() {
            return Err(errno::emsgsize());
        }
        fill(self)?;
        // SAFETY: `nest` was started on this skb just above; on error the
        // whole message is cancelled by the caller.
        unsafe { bindings::mrc_nla_nest_end(self.skb, nest) };
        Ok(())
    }
}
