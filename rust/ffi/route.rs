//! Where an MRC packet goes: the addresses, ports and flow label of its
//! outer headers, the SRv6 segment it is encapsulated to, and the route
//! cached for the EV it belongs to.

use super::bindings;

/// An IPv6 address in network byte order.
pub(crate) type Ipv6Addr = [u8; 16];

/// One per EV of a connection: an EV's packets all take the same route.
///
/// # Invariants
/// `inner.dst` is null or holds a reference on a dst entry.
pub(crate) struct RouteCache {
    inner: bindings::mrc_dst,
}

// SAFETY: the cached dst is reference-counted and may be released from any
// thread; the cache is only used through `&mut`.
unsafe impl Send for RouteCache {}
// SAFETY: no `&self` method touches the dst.
unsafe impl Sync for RouteCache {}

impl RouteCache {
    /// An empty cache: the first send looks the route up.
    pub(crate) fn new() -> Self {
        Self {
            // SAFETY: all zeroes is a valid `mrc_dst`: no dst, cookie 0, `::`.
            inner: unsafe { core::mem::zeroed() },
        }
    }

    /// The cache as the send helpers take it, borrowed for one send.
    pub(super) fn as_ptr(&mut self) -> *mut bindings::mrc_dst {
        &mut self.inner
    }
}

impl Drop for RouteCache {
    fn drop(&mut self) {
        // SAFETY: releases the reference `inner.dst` holds, if any (type
        // invariant), and clears it; any context may release a dst.
        unsafe { bindings::mrc_dst_release(&mut self.inner) };
    }
}

/// What a send needs besides the packet.
pub(crate) struct Route<'a> {
    /// Local source address.
    pub(crate) src: &'a Ipv6Addr,
    /// Destination address.
    pub(crate) dst: &'a Ipv6Addr,
    /// UDP source port (the entropy of UDP/STEV modes).
    pub(crate) src_port: u16,
    /// IPv6 flow label (20 bits are used).
    pub(crate) flow_label: u32,
    /// SRv6 modes: the outer destination (uSID container) of H.Encaps.
    pub(crate) via: Option<&'a Ipv6Addr>,
    /// Where this flow's route is kept between sends, if anywhere.
    pub(crate) cache: Option<&'a mut RouteCache>,
}
