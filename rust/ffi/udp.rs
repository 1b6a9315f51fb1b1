//! The per-namespace UDP tunnel socket that MRC packets arrive on and leave
//! by (a kernel UDP socket set up as Soft-RoCE's and VXLAN's are: with an
//! `encap_rcv` hook, or, to take UDP GSO batches whole, reading what UDP
//! queues on it from its `sk_data_ready` hook), and the datagrams it
//! carries.

use super::bindings;
use super::pages::{MessagePages, Pieces};
use super::pernet::Net;
use super::route::{Ipv6Addr, Route, RouteCache};
use super::skb::{Batch, Datagram};
use core::ffi::c_int;
use core::marker::PhantomData;
use core::ptr;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::sync::{Arc, ArcBorrow};

/// Who handles what the tunnel receives; called in softirq context.
pub(crate) trait Receiver: Send + Sync + Sized {
    /// Handles one datagram (keeping it or dropping it). `tx` sends
    /// replies from the same socket.
    fn receive(this: ArcBorrow<'_, Self>, tx: &Sender<'_>, dgram: Datagram);

    /// Handles a UDP GSO batch that arrived whole (of two packets or
    /// more): keeping it whole, or each of its packets apart
    /// ([`Batch::split`]).
    fn receive_batch(this: ArcBorrow<'_, Self>, tx: &Sender<'_>, batch: Batch);

    /// A datagram too short or inconsistent to describe was dropped.
    fn malformed(&self);
}

/// The most packets a UDP GSO batch may hold, as UDP allows a sender
/// (`UDP_MAX_SEGMENTS`): a larger one is refused whole as malformed, so a
/// batch costs at most this many parses (and clones, when it is split).
const GSO_PACKETS_MAX: u32 = 128;

/// Sends MRC packets from a tunnel socket; borrowed while it is open.
pub(crate) struct Sender<'a> {
    sk: *mut bindings::sock,
    port: u16,
    _socket: PhantomData<&'a bindings::sock>,
}

/// A route looked up once and reused while the IPv6 stack says it is
/// current (its cookie still checks), like a connected socket's dst cache.
impl Sender<'_> {
    // A deliberate twin of endpoint/sends.rs's `send` signature, which
    // counts the packet and hands it on to this one.
    /// Sends one MRC packet of `len` bytes, written by `fill` into the
    /// packet buffer, to `route.dst` at the tunnel's port.
    pub(crate) fn send(
        &self,
        route: &mut Route<'_>,
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
        // SAFETY: the skb is ours, holds one MRC packet and has the
        // headroom of `mrc_alloc_tx_skb`.
        unsafe { self.send_skb(route, skb, 0) }
    }

    /// Sends the packets of `batch` to `route.dst` as one UDP GSO batch
    /// (one datagram each on the wire). SRv6 routes take single packets
    /// only: EINVAL.
    pub(crate) fn send_batch(&self, route: &mut Route<'_>, batch: TxBatch) -> Result {
        // SRv6 routes, and a batch that holds no whole packet, are refused.
        if route.via.is_some() || batch.segs == 0 {
            return Err(EINVAL);
        }
        let gso_size = if batch.segs > 1 { batch.seg_len } else { 0 };
        let gso_size = u32::try_from(gso_size).map_err(|_| EINVAL)?;
        let skb = batch.skb;
        core::mem::forget(batch);
        // SAFETY: the batch owned the skb (forgotten above, so it is not
        // freed twice); its packets are `gso_size` bytes each but the last
        // (type invariant of `TxBatch`), and it has the headroom of
        // `mrc_alloc_tx_skb`.
        unsafe { self.send_skb(route, skb, gso_size) }
    }

    /// Routes and sends `skb`.
    ///
    /// # Safety
    /// `skb` is owned by the caller, made by `mrc_alloc_tx_skb` and holds
    /// MRC packets only; with a non-zero `gso_size` (UDP routes only) they
    /// are `gso_size` bytes each but the last, which is not longer.
    unsafe fn send_skb(
        &self,
        route: &mut Route<'_>,
        skb: *mut bindings::sk_buff,
        gso_size: u32,
    ) -> Result {
        let cache = route
            .cache
            .as_deref_mut()
            .map_or(ptr::null_mut(), RouteCache::as_ptr);
        // The SRv6 and the UDP call below are deliberate twins: two C send
        // paths that take the same route fields (SRv6 adds `via`).
        if let Some(via) = route.via {
            // SAFETY: `sk` is the open tunnel socket (lifetime of `self`);
            // `cache` is null or exclusively borrowed for the call;
            // the skb has headroom for both IPv6 headers and the UDP one;
            // the helper consumes it on every path.
            return to_result(unsafe {
                bindings::mrc_srv6_send(
                    self.sk,
                    skb,
                    route.src.as_ptr().cast(),
                    route.dst.as_ptr().cast(),
                    route.src_port,
                    self.port,
                    route.flow_label,
                    via.as_ptr().cast(),
                    cache,
                )
            });
        }
        // SAFETY: `sk` is the open tunnel socket (lifetime of `self`);
        // `cache` is null or exclusively borrowed for the call; the helper
        // consumes the skb on every path.
        to_result(unsafe {
            bindings::mrc_udp6_send(
                self.sk,
                skb,
                route.src.as_ptr().cast(),
                route.dst.as_ptr().cast(),
                route.src_port,
                self.port,
                route.flow_label,
                cache,
                gso_size,
            )
        })
    }
}

/// MRC packets for one route, back to back in one skb, to leave as one
/// UDP GSO batch ([`Sender::send_batch`]). A batch by reference takes
/// every payload as fragments that reference the message's pages
/// ([`MessagePages`]), nothing of it copied, with the first packet's
/// headers in the skb's linear data and every later packet's in a
/// fragment of their own; any other batch copies its packets into its
/// linear data.
///
/// # Invariants
/// `skb` is owned by this value and was made by `mrc_alloc_tx_skb`; it
/// holds `segs` packets, each `seg_len` bytes but the last, which may be
/// shorter (then `closed`: nothing more is appended), and at most
/// `capacity` bytes of them, `bytes` in all; unless `by_reference`, its
/// linear data has room for all `capacity`. A batch whose skb holds part
/// of a packet (a fragment refused midway) has `segs` 0 and is `closed`:
/// it is never sent.
pub(crate) struct TxBatch {
    skb: *mut bindings::sk_buff,
    seg_len: usize,
    segs: usize,
    closed: bool,
    bytes: usize,
    capacity: usize,
    by_reference: bool,
}

// SAFETY: the skb is owned; an skb may be freed from any context.
unsafe impl Send for TxBatch {}

/// Linear room for the first packet's headers; longer headers go in a
/// fragment like the later packets'.
const BATCH_HEADER_ROOM: u32 = 64;

impl TxBatch {
    /// An empty batch with room for `capacity` bytes of packets, which
    /// takes their payloads by reference or copies them.
    pub(crate) fn new(capacity: usize, by_reference: bool) -> Result<Self> {
        let linear = if by_reference {
            BATCH_HEADER_ROOM
        } else {
            u32::try_from(capacity).map_err(|_| EINVAL)?
        };
        // SAFETY: allocation with GFP_ATOMIC is allowed in any context.
        let skb = unsafe { bindings::mrc_alloc_tx_skb(linear) };
        if skb.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: a fresh skb holds no packet.
        Ok(Self {
            skb,
            seg_len: 0,
            segs: 0,
            closed: false,
            bytes: 0,
            capacity,
            by_reference,
        })
    }

    /// Packets in the batch.
    pub(crate) fn segs(&self) -> usize {
        self.segs
    }

    /// Whether it takes its payloads by reference.
    pub(crate) fn by_reference(&self) -> bool {
        self.by_reference
    }

    /// Whether the packet of `header` and the `len` bytes at `off` in
    /// `payload` can be appended: the room and the skb's fragments are
    /// there, and it is as long as the first (a shorter one is taken as the
    /// last).
    pub(crate) fn fits(
        &self,
        header: usize,
        payload: &MessagePages,
        off: usize,
        len: usize,
    ) -> bool {
        let total = header.saturating_add(len);
        let shape = !self.closed && (self.segs == 0 || total <= self.seg_len);
        // SAFETY: `skb` is a valid skb owned by this value.
        let (frags_left, tailroom) = unsafe {
            (
                bindings::mrc_skb_frags_left(self.skb) as usize,
                bindings::mrc_skb_tailroom(self.skb) as usize,
            )
        };
        let Some(pieces) = payload.pieces(off, len) else {
            return false;
        };
        let room = if self.by_reference {
            let linear = self.segs == 0 && header <= tailroom;
            let frags = pieces.count().saturating_add(usize::from(!linear));
            frags <= frags_left && total <= self.capacity.saturating_sub(self.bytes)
        } else {
            total <= tailroom
        };
        header != 0 && shape && room
    }

    /// Appends the packet of `header` and the `len` bytes at `off` in
    /// `payload`, if it [`fits`](Self::fits). Whether it was appended.
    pub(crate) fn push(
        &mut self,
        header: &[u8],
        payload: &MessagePages,
        off: usize,
        len: usize,
    ) -> bool {
        if !self.fits(header.len(), payload, off, len) {
            return false;
        }
        let Some(pieces) = payload.pieces(off, len) else {
            return false;
        };
        let total = header.len().saturating_add(len);
        let appended = if self.by_reference {
            self.append_by_reference(header, pieces)
        } else {
            self.append_copy(header, total, pieces)
        };
        match appended {
            Appended::Whole => {
                // INVARIANT: the packet is `seg_len` bytes, or the first
                // (which sets it), or shorter, which closes the batch;
                // `fits` kept the batch within `capacity`.
                if self.segs == 0 {
                    self.seg_len = total;
                } else if total < self.seg_len {
                    self.closed = true;
                }
                self.segs = self.segs.saturating_add(1);
                self.bytes = self.bytes.saturating_add(total);
                true
            }
            Appended::Nothing => false,
            Appended::Part => {
                // `fits` checked the bytes and the fragments, so this does
                // not happen; if it did, the skb holds part of a packet.
                // INVARIANT: a batch holding part of a packet has no
                // `segs`, and is never sent.
                self.segs = 0;
                self.closed = true;
                false
            }
        }
    }

    /// Copies the packet, `total` bytes of `header` and the payload's
    /// `pieces`, into the linear data, which `fits` found room in.
    fn append_copy(&mut self, header: &[u8], total: usize, pieces: Pieces<'_>) -> Appended {
        let Ok(total32) = u32::try_from(total) else {
            return Appended::Nothing;
        };
        // SAFETY: `skb` is owned and `fits` checked `total` bytes of
        // tailroom; skb_put returns their start, which nothing else uses.
        let buf = unsafe {
            core::slice::from_raw_parts_mut(bindings::skb_put(self.skb, total32).cast(), total)
        };
        // `total` is the header's length and the pieces'.
        let (h, p) = buf.split_at_mut(header.len());
        h.copy_from_slice(header);
        if pieces.copy_to(p) {
            Appended::Whole
        } else {
            Appended::Part
        }
    }

    /// Appends the packet's headers (to the linear data if first and it
    /// has room, else as a fragment) and its payload's `pieces` as
    /// fragments of the message's pages, which `fits` counted.
    fn append_by_reference(&mut self, header: &[u8], pieces: Pieces<'_>) -> Appended {
        let Ok(hlen) = u32::try_from(header.len()) else {
            return Appended::Nothing;
        };
        // SAFETY: `skb` is owned; `fits` checked the tailroom for the
        // first packet's headers and the fragments for the rest; skb_put
        // returns the start of `hlen` bytes of tailroom nobody else uses.
        let header_in = unsafe {
            if self.segs == 0 && header.len() <= bindings::mrc_skb_tailroom(self.skb) as usize {
                core::slice::from_raw_parts_mut(
                    bindings::skb_put(self.skb, hlen).cast(),
                    header.len(),
                )
                .copy_from_slice(header);
                true
            } else {
                bindings::mrc_skb_add_header_frag(self.skb, header.as_ptr().cast(), hlen) == 0
            }
        };
        if !header_in {
            // No memory for the headers' fragment: nothing was appended.
            return Appended::Nothing;
        }
        let payload_in = pieces.into_iter().all(|p| {
            let (Ok(at), Ok(n)) = (u32::try_from(p.offset), u32::try_from(p.bytes.len())) else {
                return false;
            };
            // SAFETY: `skb` is owned; `p.page` is a referenced chunk of the
            // message holding `n` bytes at `at`, which the fragment takes a
            // reference of its own on.
            unsafe { bindings::mrc_skb_add_page_frag(self.skb, p.page, at, n) == 0 }
        });
        if payload_in {
            Appended::Whole
        } else {
            Appended::Part
        }
    }
}

/// What [`TxBatch`] appended of a packet.
enum Appended {
    Whole,
    Nothing,
    Part,
}

impl Drop for TxBatch {
    fn drop(&mut self) {
        // SAFETY: owned and never handed to the stack (`send_batch` forgets
        // the batch it sends).
        unsafe { bindings::mrc_kfree_skb(self.skb) };
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
    /// With `whole_batches` (`net.mrc.udp_gro`, the default) it takes what
    /// UDP queues on it from its `sk_data_ready`, so that UDP GSO batches
    /// arrive whole; without, UDP hands it each datagram through
    /// `encap_rcv`, having cut batches up first.
    pub(crate) fn open(
        net: &Net,
        port: u16,
        receiver: Arc<R>,
        whole_batches: bool,
    ) -> Result<Self> {
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
            ..Default::default()
        };
        if !whole_batches {
            tunnel.encap_type = 1;
            tunnel.encap_rcv = Some(encap_rcv::<R>);
        }
        // SAFETY: `sock` was just created in `net`; it gets `receiver` as
        // user data, and from here on `encap_rcv`, or from the next call on
        // `data_ready`, runs with it.
        unsafe {
            bindings::setup_udp_tunnel_sock(net.as_ptr(), sock, &mut tunnel);
            if whole_batches {
                bindings::mrc_udp_set_data_ready((*sock).sk, Some(data_ready::<R>));
            }
        }
        // INVARIANT: set up above with the reference from `into_raw`.
        Ok(Self { sock, receiver })
    }
}

impl<R: Receiver> Tunnel<R> {
    /// A sender on this socket.
    pub(crate) fn sender(&self) -> Sender<'_> {
        // SAFETY: `sock` is open (type invariant), so is its sock, whose
        // bound port is fixed.
        let (sk, port) = unsafe {
            let sk = (*self.sock).sk;
            (sk, bindings::mrc_sock_local_port(sk))
        };
        Sender {
            sk,
            port,
            _socket: PhantomData,
        }
    }

    /// Runs `f` with a sender on this socket and bottom halves disabled:
    /// for a run of sends, whose receive processing on this host (veth
    /// and loopback deliver through the CPU's backlog, in softirq) then
    /// runs once when `f` returns, for the whole run, instead of after
    /// each packet. `f` must not sleep.
    pub(crate) fn sending<T>(&self, f: impl FnOnce(&Sender<'_>) -> T) -> T {
        let tx = self.sender();
        // SAFETY: bottom halves may be disabled in any context; enabled
        // again below, on the same CPU (not sleeping, `f` stays on it).
        unsafe { bindings::mrc_local_bh_disable() };
        let out = f(&tx);
        // SAFETY: pairs with the disable above.
        unsafe { bindings::mrc_local_bh_enable() };
        out
    }
}

impl<R: Receiver> Tunnel<R> {
    /// The source address the stack picks toward `dst` (ENETUNREACH if
    /// there is no route).
    pub(crate) fn source_for(&self, dst: &Ipv6Addr) -> Result<Ipv6Addr> {
        let mut src = bindings::in6_addr::default();
        // SAFETY: `sock` is open (type invariant), so its net is live; the
        // addresses are valid for the call.
        let err = unsafe {
            bindings::mrc_route_saddr(
                bindings::mrc_sock_net((*self.sock).sk),
                dst.as_ptr().cast(),
                &mut src,
            )
        };
        if err != 0 {
            return Err(super::errno::enetunreach());
        }
        // SAFETY: in6_addr is 16 bytes of address.
        Ok(unsafe { src.in6_u.u6_addr8 })
    }
}

impl<R: Receiver> Tunnel<R> {
    /// The MTU of the route toward `dst` (ENETUNREACH if there is none).
    pub(crate) fn route_mtu(&self, dst: &Ipv6Addr) -> Result<u32> {
        // SAFETY: `sock` is open (type invariant), so its net is live; the
        // address is valid for the call.
        let mtu = unsafe {
            bindings::mrc_route_mtu(bindings::mrc_sock_net((*self.sock).sk), dst.as_ptr().cast())
        };
        u32::try_from(mtu).map_err(|_| super::errno::enetunreach())
    }
}

impl<R: Receiver> Drop for Tunnel<R> {
    fn drop(&mut self) {
        // SAFETY: `sock` is open (type invariant). The release clears the
        // user data and waits for RCU readers, so no hook still uses
        // the receiver when its reference is dropped below.
        unsafe {
            bindings::udp_tunnel_sock_release(self.sock);
            drop(Arc::from_raw(self.receiver));
        }
    }
}

/// `encap_rcv` of a tunnel socket that takes datagrams one by one: every
/// UDP datagram to our port (UDP cut GSO batches up before).
///
/// # Safety
/// Called by the UDP stack only, in softirq, in an RCU read section, with
/// a tunnel socket `Tunnel::open` made and an skb it hands over.
unsafe extern "C" fn encap_rcv<R: Receiver>(
    sk: *mut bindings::sock,
    skb: *mut bindings::sk_buff,
) -> c_int {
    // SAFETY: as this function's own contract; the UDP stack hands the skb
    // over at its UDP header. Returning 0 tells it we consumed the skb.
    unsafe { hand_over::<R>(sk, skb) };
    0
}

/// `sk_data_ready` of a tunnel socket that takes GSO batches whole: UDP
/// queued a datagram (or a batch) to our port; takes one off the queue.
///
/// # Safety
/// Called by the UDP stack only, in softirq, or by
/// `mrc_udp_set_data_ready` with bottom halves disabled; in an RCU read
/// section either way, with a tunnel socket `Tunnel::open` made.
unsafe extern "C" fn data_ready<R: Receiver>(sk: *mut bindings::sock) {
    // SAFETY: `sk` is the live tunnel sock.
    let skb = unsafe { bindings::mrc_udp_dequeue(sk) };
    if !skb.is_null() {
        // SAFETY: as this function's own contract; the dequeued skb is
        // ours, with its network and transport headers set.
        unsafe { hand_over::<R>(sk, skb) };
    }
}

/// Hands a datagram that reached the tunnel socket `sk`, or a GSO batch,
/// to the socket's receiver; consumes the skb.
///
/// # Safety
/// In an RCU read section, with bottom halves disabled; `sk` is a tunnel
/// socket `Tunnel::open` made, and `skb` an skb the caller owns, with its
/// network and transport headers set.
unsafe fn hand_over<R: Receiver>(sk: *mut bindings::sock, skb: *mut bindings::sk_buff) {
    // SAFETY: in an RCU read section with the tunnel's sock;
    // `sk_user_data` is the receiver reference (type invariant of
    // `Tunnel`), alive until after the RCU grace period that follows its
    // clearing.
    let receiver = unsafe { (*sk).sk_user_data as *const R };
    if receiver.is_null() {
        // SAFETY: the skb is ours.
        unsafe { bindings::mrc_kfree_skb(skb) };
        return;
    }
    // SAFETY: non-null, so the reference from `Arc::into_raw` that the
    // tunnel holds (see above).
    let receiver = unsafe { ArcBorrow::<R>::from_raw(receiver) };
    // SAFETY: the skb is ours; a plain read of its GSO size.
    let gso_size = unsafe { bindings::mrc_skb_gso_size(skb) };
    // SAFETY: the skb is ours, with its headers set.
    match unsafe { Datagram::from_skb(skb, crate::clock::now_ns()) } {
        Some(dgram) => {
            // SAFETY: `sk` is the live tunnel sock; its bound port is fixed.
            let port = unsafe { bindings::mrc_sock_local_port(sk) };
            let tx = Sender {
                sk,
                port,
                _socket: PhantomData,
            };
            match dgram.packets(gso_size) {
                1 => R::receive(receiver, &tx, dgram),
                n if n <= GSO_PACKETS_MAX => {
                    R::receive_batch(receiver, &tx, Batch::new(dgram, gso_size))
                }
                _ => {
                    dgram.discard();
                    receiver.malformed();
                }
            }
        }
        None => receiver.malformed(),
    }
}
