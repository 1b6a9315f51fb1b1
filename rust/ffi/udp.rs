//! The per-namespace UDP tunnel socket that MRC packets arrive on and leave
//! by (a kernel UDP socket with an `encap_rcv` hook, as Soft-RoCE and VXLAN
//! use), and the datagrams it carries.

use super::bindings;
use super::pernet::Net;
use core::ffi::c_int;
use core::marker::PhantomData;
use core::ptr;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::sync::Arc;

/// An IPv6 address in network byte order.
pub(crate) type Ipv6Addr = [u8; 16];

/// One MRC datagram as it arrived: the UDP payload and where it came from.
pub(crate) struct Datagram<'a> {
    /// The UDP payload: one MRC packet, not yet validated.
    pub(crate) payload: &'a [u8],
    /// The sender's address.
    pub(crate) src: Ipv6Addr,
    /// The address it was sent to (one of ours).
    pub(crate) dst: Ipv6Addr,
    /// The sender's UDP source port.
    pub(crate) src_port: u16,
    /// The IPv6 flow label it carried.
    pub(crate) flow_label: u32,
    /// When it reached the tunnel, in ns of the monotonic clock.
    pub(crate) arrival_ns: u64,
}

/// Who handles what the tunnel receives; called in softirq context.
pub(crate) trait Receiver: Send + Sync + Sized {
    /// Handles one datagram. `tx` sends replies from the same socket.
    fn receive(&self, tx: &Sender<'_>, dgram: &Datagram<'_>);

    /// A datagram too short or inconsistent to describe was dropped.
    fn malformed(&self);
}

/// Sends MRC packets from a tunnel socket; borrowed while it is open.
pub(crate) struct Sender<'a> {
    sk: *mut bindings::sock,
    port: u16,
    _socket: PhantomData<&'a bindings::sock>,
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
}

impl Sender<'_> {
    /// Sends one MRC packet of `len` bytes, written by `fill` into the
    /// packet buffer, to `route.dst` at the tunnel's port.
    pub(crate) fn send(
        &self,
        route: &Route<'_>,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result,
    ) -> Result {
        let len32 = u32::try_from(len).map_err(|_| EINVAL)?;
        // SAFETY: allocation with GFP_ATOMIC is allowed in any context.
        let skb = unsafe { bindings::mrc_alloc_tx_skb(len32) };
        if skb.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `skb` was just allocated with `len` bytes of tailroom;
        // skb_put returns the start of those bytes, which nothing else uses.
        let buf =
            unsafe { core::slice::from_raw_parts_mut(bindings::skb_put(skb, len32).cast(), len) };
        if let Err(e) = fill(buf) {
            // SAFETY: the skb is ours and not yet handed to the stack.
            unsafe { bindings::mrc_kfree_skb(skb) };
            return Err(e);
        }
        // SAFETY: `sk` is the open tunnel socket (lifetime of `self`); the
        // helper consumes the skb on every path.
        to_result(unsafe {
            bindings::mrc_udp6_send(
                self.sk,
                skb,
                route.src.as_ptr().cast(),
                route.dst.as_ptr().cast(),
                route.src_port,
                self.port,
                route.flow_label,
            )
        })
    }
}

/// An open tunnel socket bound to a UDP port, delivering to `R`; closed on
/// drop.
///
/// # Invariants
/// `sock` is an open kernel UDP socket set up as a tunnel whose
/// `sk_user_data` is a reference on `receiver` taken with
/// `Arc::into_raw`; the reference is returned when the socket is released.
pub(crate) struct Tunnel<R: Receiver> {
    sock: *mut bindings::socket,
    receiver: *const R,
}

// SAFETY: the socket may be released from any thread, and `R` is Send + Sync.
unsafe impl<R: Receiver> Send for Tunnel<R> {}
// SAFETY: no `&self` method touches the socket.
unsafe impl<R: Receiver> Sync for Tunnel<R> {}

impl<R: Receiver> Tunnel<R> {
    /// Opens the tunnel socket on UDP `port` (IPv6, any address) in `net`.
    pub(crate) fn open(net: &Net, port: u16, receiver: Arc<R>) -> Result<Self> {
        let mut cfg = bindings::udp_port_cfg {
            family: bindings::AF_INET6 as u8,
            local_udp_port: port.to_be(),
            ..Default::default()
        };
        cfg.set_ipv6_v6only(1);
        let mut sock: *mut bindings::socket = ptr::null_mut();
        // SAFETY: `net` is live (the caller holds its state); `cfg` and
        // `sock` are valid for the call.
        to_result(unsafe { bindings::udp_sock_create6(net.as_ptr(), &mut cfg, &mut sock) })?;
        let receiver = Arc::into_raw(receiver);
        let mut tunnel = bindings::udp_tunnel_sock_cfg {
            sk_user_data: receiver.cast_mut().cast(),
            encap_type: 1,
            encap_rcv: Some(encap_rcv::<R>),
            ..Default::default()
        };
        // SAFETY: `sock` was just created in `net`; from here on `encap_rcv`
        // may run, with `receiver` as user data.
        unsafe { bindings::setup_udp_tunnel_sock(net.as_ptr(), sock, &mut tunnel) };
        // INVARIANT: set up above with the reference from `into_raw`.
        Ok(Self { sock, receiver })
    }
}

impl<R: Receiver> Drop for Tunnel<R> {
    fn drop(&mut self) {
        // SAFETY: `sock` is open (type invariant). The release clears the
        // user data and waits for RCU readers, so no `encap_rcv` still uses
        // the receiver when its reference is dropped below.
        unsafe {
            bindings::udp_tunnel_sock_release(self.sock);
            drop(Arc::from_raw(self.receiver));
        }
    }
}

/// `encap_rcv` of the tunnel socket: every UDP datagram to our port.
unsafe extern "C" fn encap_rcv<R: Receiver>(
    sk: *mut bindings::sock,
    skb: *mut bindings::sk_buff,
) -> c_int {
    // SAFETY: called in an RCU read section by the UDP stack with the
    // tunnel's sock; `sk_user_data` is the receiver reference (type
    // invariant of `Tunnel`), alive until after the RCU grace period that
    // follows its clearing.
    let receiver = unsafe { ((*sk).sk_user_data as *const R).as_ref() };
    if let Some(receiver) = receiver {
        let arrival_ns = crate::clock::now_ns();
        let mut d = bindings::mrc_datagram::default();
        // SAFETY: `skb` is ours until we free it; `d` is valid to write.
        if unsafe { bindings::mrc_skb_datagram(skb, &mut d) } == 0 {
            // SAFETY: the helper checked that `len` bytes at `payload` lie
            // in the (now linear) skb, which lives until freed below.
            let payload = unsafe { core::slice::from_raw_parts(d.payload, d.len as usize) };
            let dgram = Datagram {
                payload,
                // SAFETY: in6_addr is 16 bytes of address in network order.
                src: unsafe { d.saddr.in6_u.u6_addr8 },
                // SAFETY: as above.
                dst: unsafe { d.daddr.in6_u.u6_addr8 },
                src_port: d.sport,
                flow_label: d.flow_label,
                arrival_ns,
            };
            // SAFETY: `sk` is the live tunnel sock; its bound port is fixed.
            let port = unsafe { bindings::mrc_sock_local_port(sk) };
            let tx = Sender {
                sk,
                port,
                _socket: PhantomData,
            };
            receiver.receive(&tx, &dgram);
        } else {
            receiver.malformed();
        }
    }
    // SAFETY: returning 0 tells the UDP stack we consumed the skb.
    unsafe { bindings::mrc_kfree_skb(skb) };
    0
}
