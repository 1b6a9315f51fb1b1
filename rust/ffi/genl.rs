//! The generic netlink family `mrc`: its registration, and safe views of
//! what a command handler gets (the request's attributes, its extack) and
//! builds (a reply, dump messages).
//!
//! The policies and the ops table are generated from the spec
//! (`rust/mrc_nl_gen.c`, `Documentation/netlink/specs/mrc.yaml`); the
//! handlers the ops table names are the entry points of `genl_ops.rs`. By
//! the time a handler runs, genetlink has checked the caller's permission
//! and every attribute against the op's policy; the attribute stream is
//! still parsed here with bounds checks and never trusted.

use super::bindings;
use super::errno;
use super::genl_ops::{self, Commands};
use super::pernet::Net;
use core::ffi::c_int;
use core::fmt;
use core::marker::PhantomData;
use kernel::error::{code, to_result, Error};
use kernel::prelude::*;
use kernel::ThisModule;

/// Bytes of an attribute header (`NLA_HDRLEN`).
const NLA_HDRLEN: usize = 4;
/// The type bits of `nla_type` (`NLA_TYPE_MASK`: without the nested and
/// byte-order flags).
const NLA_TYPE_MASK: u16 = 0x3fff;
/// Longest extack message (`NETLINK_MAX_FMTMSG_LEN` less its NUL).
const MSG_MAX: usize = 79;

/// The C tables genetlink holds pointers to while registered.
struct Tables {
    family: bindings::genl_family,
    mcgrps: [bindings::genl_multicast_group; 1],
}

/// The registered family; unregistered on drop.
///
/// # Invariants
/// `tables.family` is registered with `genl_register_family`.
pub(crate) struct Registration {
    tables: KBox<Tables>,
}

// SAFETY: the tables are only read by C after registration; unregistering
// works from any thread.
unsafe impl Send for Registration {}
// SAFETY: no `&self` methods.
unsafe impl Sync for Registration {}

impl Registration {
    /// Registers the family with the spec's ops and multicast groups; `T`,
    /// the namespace state, answers its commands.
    pub(crate) fn register<T: Commands>(module: &'static ThisModule) -> Result<Self> {
        let mut tables = KBox::new(
            Tables {
                family: bindings::genl_family {
                    version: bindings::MRC_FAMILY_VERSION,
                    module: module.as_ptr().cast(),
                    ..Default::default()
                },
                // The events name connections, whose numbers address
                // packets to them: only CAP_NET_ADMIN in the namespace's
                // user namespace may listen (as for conn-get).
                mcgrps: [bindings::genl_multicast_group {
                    flags: bindings::MRC_GENL_MCAST_CAP_NET_ADMIN,
                    ..Default::default()
                }],
            },
            GFP_KERNEL,
        )?;
        for (dst, src) in tables.family.name.iter_mut().zip(bindings::MRC_FAMILY_NAME) {
            *dst = *src as _;
        }
        for (dst, src) in tables.mcgrps[0]
            .name
            .iter_mut()
            .zip(bindings::MRC_MCGRP_EVENTS)
        {
            *dst = *src as _;
        }
        let Tables { family, mcgrps } = &mut *tables;
        family.set_netnsok(1);
        family.set_parallel_ops(1);
        // SAFETY: `mrc_nl_ops` is the generated, immutable ops table.
        let ops = unsafe { &bindings::mrc_nl_ops };
        family.split_ops = ops.as_ptr();
        family.n_split_ops = ops.len() as u8;
        family.mcgrps = mcgrps.as_ptr();
        family.n_mcgrps = mcgrps.len() as u8;
        genl_ops::publish::<T>();
        // SAFETY: the tables live in the heap allocation owned by the
        // returned registration, which unregisters them before freeing.
        to_result(unsafe { bindings::genl_register_family(&mut tables.family) })
            .inspect_err(|_| genl_ops::unpublish())?;
        // SAFETY: registered just above; unpublished before unregistering.
        unsafe { bindings::mrc_genl_events_publish(&mut tables.family) };
        // INVARIANT: registered above.
        Ok(Self { tables })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: registered in `register` (type invariant). Events stop
        // first (the helper waits for an RCU grace period, so no event is
        // being sent when it returns). Unregistering waits for every
        // running doit; a dump in progress holds a module reference, so
        // none is left when the module unloads.
        unsafe {
            bindings::mrc_genl_events_publish(core::ptr::null_mut());
            bindings::genl_unregister_family(&self.tables.family);
        }
        genl_ops::unpublish();
    }
}

/// Multicasts one message of command `cmd`, written by `fill`, to the
/// events group of `net` (any context; nothing is sent once the family is
/// unregistered). ESRCH: nobody listens.
pub(crate) fn multicast(
    net: &Net,
    cmd: u32,
    fill: impl FnOnce(&mut Message<'_>) -> Result,
) -> Result {
    let mut hdr = core::ptr::null_mut();
    // SAFETY: allocating a message has no preconditions.
    let skb = unsafe { bindings::mrc_genl_event_new(cmd as u8, &mut hdr) };
    if skb.is_null() {
        return Err(code::ENOMEM);
    }
    let mut msg = Message {
        skb,
        _skb: PhantomData,
    };
    if let Err(e) = fill(&mut msg) {
        // SAFETY: `skb` is ours, not sent.
        unsafe { bindings::mrc_nlmsg_free(skb) };
        return Err(e);
    }
    // SAFETY: `net` is live (its state holds the handle); `skb` holds the
    // message `hdr` starts; sending consumes it.
    to_result(unsafe { bindings::mrc_genl_event_send(net.as_ptr(), skb, hdr) })
}

/// One attribute of a request: its type and payload, and where it sits in
/// the message (for the extack's offset).
#[derive(Clone, Copy)]
pub(crate) struct Attr<'a> {
    ty: u16,
    /// The whole attribute, header first.
    raw: &'a [u8],
}

impl<'a> Attr<'a> {
    /// The attribute type, without flags.
    pub(crate) fn ty(&self) -> u16 {
        self.ty
    }

    /// The payload.
    pub(crate) fn payload(&self) -> &'a [u8] {
        self.raw.get(NLA_HDRLEN..).unwrap_or(&[])
    }

    /// A `u8` payload.
    pub(crate) fn u8(&self) -> Option<u8> {
        <[u8; 1]>::try_from(self.payload()).ok().map(|b| b[0])
    }

    /// A `u32` payload.
    pub(crate) fn u32(&self) -> Option<u32> {
        <[u8; 4]>::try_from(self.payload())
            .ok()
            .map(u32::from_ne_bytes)
    }

    /// A `u64` payload.
    pub(crate) fn u64(&self) -> Option<u64> {
        <[u8; 8]>::try_from(self.payload())
            .ok()
            .map(u64::from_ne_bytes)
    }

    /// The attributes nested in this one.
    pub(crate) fn nested(&self) -> Attrs<'a> {
        Attrs(self.payload())
    }
}

/// A stream of attributes, walked with bounds checks; a truncated or
/// malformed tail ends the walk.
#[derive(Clone, Copy)]
pub(crate) struct Attrs<'a>(&'a [u8]);

impl<'a> Attrs<'a> {
    /// The last attribute of type `ty` (the one `nla_parse` would keep).
    pub(crate) fn get(&self, ty: u32) -> Option<Attr<'a>> {
        self.filter(|a| u32::from(a.ty) == ty).last()
    }

    /// Every attribute of type `ty`, in order (multi-attr).
    pub(crate) fn all(&self, ty: u32) -> impl Iterator<Item = Attr<'a>> {
        self.filter(move |a| u32::from(a.ty) == ty)
    }
}

impl Attrs<'_> {
    /// # Safety
    /// `start` must be null or point to `len` bytes that stay valid and
    /// unchanged for the attributes' lifetime.
    unsafe fn from_raw(start: *const core::ffi::c_void, len: c_int) -> Self {
        let len = usize::try_from(len).unwrap_or(0);
        if start.is_null() || len == 0 {
            return Attrs(&[]);
        }
        // SAFETY: guaranteed by the caller.
        Attrs(unsafe { core::slice::from_raw_parts(start.cast::<u8>(), len) })
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Attr<'a>> {
        let header = self.0.get(..NLA_HDRLEN)?;
        let len = usize::from(u16::from_ne_bytes([header[0], header[1]]));
        let ty = u16::from_ne_bytes([header[2], header[3]]) & NLA_TYPE_MASK;
        if len < NLA_HDRLEN {
            self.0 = &[];
            return None;
        }
        let raw = self.0.get(..len)?;
        let aligned = (len + 3) & !3;
        self.0 = self.0.get(aligned..).unwrap_or(&[]);
        Some(Attr { ty, raw })
    }
}

/// A refusal's message: at most 79 bytes, longer text is cut.
pub(crate) struct Text {
    buf: [u8; MSG_MAX],
    len: usize,
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (dst, src) in self.buf.iter_mut().skip(self.len).zip(s.bytes()) {
            *dst = src;
            self.len += 1;
        }
        Ok(())
    }
}

/// Why a request was refused: an errno and an extack message, pointing at
/// the offending attribute or naming the missing one.
pub(crate) struct Refusal<'a> {
    err: Error,
    at: Option<Attr<'a>>,
    missing: u16,
    text: Text,
}

impl<'a> Refusal<'a> {
    /// Refuses with `err` and the message `args`; `at` is the attribute it
    /// is about, `missing` the type of a required attribute that is absent.
    pub(crate) fn new(
        err: Error,
        at: Option<Attr<'a>>,
        missing: u32,
        args: fmt::Arguments<'_>,
    ) -> Self {
        let mut text = Text {
            buf: [0; MSG_MAX],
            len: 0,
        };
        // Text never fails; a message that does not fit is cut.
        let _ = fmt::write(&mut text, args);
        Self {
            err,
            at,
            missing: u16::try_from(missing).unwrap_or(0),
            text,
        }
    }
}

impl Refusal<'_> {
    /// Writes the refusal into `extack`; returns the errno.
    ///
    /// # Safety
    /// `extack` must be null or the extack of the running callback, whose
    /// request holds the refused attribute.
    unsafe fn write(&self, extack: *mut bindings::netlink_ext_ack) -> c_int {
        let bad = self.at.map_or(core::ptr::null(), |a| {
            a.raw.as_ptr().cast::<bindings::nlattr>()
        });
        let text = self.text.buf.get(..self.text.len).unwrap_or(&[]);
        if !text.is_empty() {
            // SAFETY: guaranteed by the caller; `bad` is null or points into
            // the request (an attribute of its stream); the text is copied.
            unsafe {
                bindings::mrc_genl_set_err(
                    extack,
                    bad,
                    self.missing,
                    text.as_ptr().cast(),
                    text.len(),
                )
            };
        }
        self.err.to_errno()
    }
}

impl From<Error> for Refusal<'_> {
    /// A refusal that is not the request's fault (a full reply): the
    /// errno alone.
    fn from(err: Error) -> Self {
        Self::new(err, None, 0, format_args!(""))
    }
}

impl From<kernel::alloc::AllocError> for Refusal<'_> {
    /// Out of memory: ENOMEM alone.
    fn from(_: kernel::alloc::AllocError) -> Self {
        Self::from(code::ENOMEM)
    }
}

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
        let bad = refusal.at.map_or(core::ptr::null(), |a| {
            a.raw.as_ptr().cast::<bindings::nlattr>()
        });
        let text = refusal.text.buf.get(..refusal.text.len).unwrap_or(&[]);
        if !text.is_empty() {
            // SAFETY: `info` is valid (type invariant), its extack lives for
            // the doit; `bad` is null or points into the request (an
            // attribute of its stream); the helper copies the text.
            unsafe {
                bindings::mrc_genl_set_err(
                    (*self.info).extack,
                    bad,
                    refusal.missing,
                    text.as_ptr().cast(),
                    text.len(),
                )
            };
        }
        refusal.err.to_errno()
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
        let mut msg = Message {
            skb,
            _skb: PhantomData,
        };
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
pub(crate) struct Message<'a> {
    skb: *mut bindings::sk_buff,
    _skb: PhantomData<&'a mut bindings::sk_buff>,
}

impl Message<'_> {
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
        let mut msg = Message {
            skb: self.skb,
            _skb: PhantomData,
        };
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
