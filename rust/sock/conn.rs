//! One connection of a socket: the protocol core's `Connection`, the bytes
//! of the messages it carries, and the glue that feeds it packets and puts
//! its packets on the wire. Everything here runs under the socket's mutex,
//! in process context.

use super::addr::SockAddr;
use super::burst::Burst;
use super::paths::{Paths, Steering};
use super::rx_message::RxMessage;
use super::rx_ring::{RxRing, RxSlot, RX_RING};
use super::Endpoint;
use crate::control::lease::CcProfileLease;
use crate::endpoint::{MemPool, Mib, Sends};
use crate::ffi::pages::MessagePages;
use crate::ffi::route::{Route, RouteCache};
use crate::ffi::skb::Datagram;
use crate::proto::conn::{
    AnsweredRequest, CloseReason, ConnConfig, ConnEvent, ConnState, ConnStorage, Connection,
    MessageSlot, PacketError, SendError, SentPacket, Transmit, MAX_HEADER_LEN,
};
use crate::proto::path::{EvEvent, PathState};
use crate::proto::psn::Psn;
use crate::proto::wire::{Body, ConnNumber, Packet};
use kernel::alloc::Flags;
use kernel::prelude::*;
use kernel::sync::Arc;

/// A connection's storage in the kernel's vectors.
type Storage = ConnStorage<KVVec<SentPacket>, KVec<MessageSlot>, KVec<u64>, KVec<PathState>>;

/// The core connection over kernel storage.
pub(crate) type Core = Connection<Storage>;

/// Message records of the core (both directions share them).
const MESSAGE_SLOTS: usize = 128;

/// Packets sent in one run with bottom halves off (`Endpoint::sending`):
/// as many as the longest burst (`net.mrc.burst`). A burst that a run's
/// end cuts leaves as two batches.
const SEND_RUN: usize = 64;

/// What a connection asks of its socket after some input or output.
#[derive(Default)]
pub(crate) struct Outcome {
    /// Readiness changed: wake waiters.
    pub(crate) wake: bool,
    /// The handshake completed.
    pub(crate) connected: bool,
    /// The connection closed, for this reason.
    pub(crate) closed: Option<CloseReason>,
    /// EV state changes, for the controller's events group.
    pub(crate) ev_events: KVec<EvEvent>,
}

/// A connection with its message buffers.
pub(crate) struct Conn {
    core: Core,
    /// Outgoing messages until acked, by message number modulo the ring.
    tx: KVec<Option<MessagePages>>,
    /// Bytes held in `tx`.
    pub(crate) tx_bytes: usize,
    /// Messages handed to the core and not yet acked.
    pub(crate) tx_messages: usize,
    rx: RxRing,
    /// Next message the application reads.
    rx_next: u32,
    /// Bytes held in `rx`, charged to `mem`.
    pub(crate) rx_bytes: usize,
    /// Messages held in `rx`, complete or not (a message of no bytes
    /// holds a slot all the same).
    rx_held: u32,
    /// The namespace's budget for received messages.
    mem: Arc<MemPool>,
    pub(crate) local: SockAddr,
    pub(crate) peer: SockAddr,
    paths: Paths,
    /// Each EV's route, looked up at its first packet and reused while the
    /// stack says it is current (an EV's packets all take one route).
    route_caches: KVec<RouteCache>,
    /// The CC profile's lease (`MRC_CC_PROFILE`), held while the
    /// connection lives: the profile answers EBUSY to changes meanwhile.
    _cc: Option<CcProfileLease>,
    hdr: [u8; MAX_HEADER_LEN],
    /// Data packets of one EV collected to leave together, until a packet
    /// of another EV or the end of a round of sending.
    burst: Option<Burst>,
    /// The EV chooser's randomness (xorshift32, seeded from the kernel's
    /// generator): which path a packet takes needs no secrecy, and one
    /// `get_random_u32` per packet cost 1% of the datapath.
    ev_rand: u32,
    /// Why it closed, once it did.
    pub(crate) closed: Option<CloseReason>,
}

/// Sent records a connection starts with: enough for a request and its
/// answer; they double while the window needs more (`Conn::grow_sent`), up
/// to the peer's MPR × 128, so an idle connection stays small.
const FIRST_SENT_RECORDS: usize = 64;

/// `n` free sent records.
fn sent_records(n: usize, gfp: Flags) -> Result<KVVec<SentPacket>> {
    let mut sent = KVVec::with_capacity(n, gfp)?;
    sent.extend_with(n, SentPacket::default(), gfp)?;
    Ok(sent)
}

/// Storage for `cfg`, allocated with `gfp`.
fn storage(cfg: &ConnConfig, gfp: Flags) -> Result<Storage> {
    let sent = sent_records(FIRST_SENT_RECORDS, gfp)?;
    let mut messages = KVec::with_capacity(MESSAGE_SLOTS, gfp)?;
    messages.extend_with(MESSAGE_SLOTS, MessageSlot::default(), gfp)?;
    let words = (cfg.rx_window() as usize).div_ceil(64);
    let mut rx_psns = KVec::with_capacity(words, gfp)?;
    rx_psns.extend_with(words, 0u64, gfp)?;
    let evs = usize::from(cfg.ev_count);
    let mut paths = KVec::with_capacity(evs, gfp)?;
    paths.extend_with(evs, PathState::default(), gfp)?;
    Ok(ConnStorage {
        sent,
        messages,
        rx_psns,
        paths,
    })
}

fn ring<T>(n: usize, mut f: impl FnMut() -> T) -> Result<KVec<T>> {
    let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
    for _ in 0..n {
        v.push(f(), GFP_KERNEL)?;
    }
    Ok(v)
}

pub(crate) fn random_psn() -> Psn {
    Psn::new_truncating(crate::ffi::random::u32())
}

impl Conn {
    // The parameter lists of `wrap`, `connect` and `accept` are deliberate
    // twins: each hands the socket's parts on to `wrap`.
    fn wrap(
        mut core: Core,
        local: SockAddr,
        peer: SockAddr,
        paths: Paths,
        cc: Option<CcProfileLease>,
        mem: Arc<MemPool>,
    ) -> Result<KBox<Self>> {
        paths.set_routes(&mut core);
        let route_caches = ring(usize::from(core.paths().ev_count()), RouteCache::new)?;
        Ok(KBox::new(
            Self {
                core,
                tx: ring(MESSAGE_SLOTS, || None)?,
                tx_bytes: 0,
                tx_messages: 0,
                rx: RxRing::new()?,
                rx_next: 0,
                rx_bytes: 0,
                rx_held: 0,
                mem,
                local,
                peer,
                paths,
                route_caches,
                _cc: cc,
                hdr: [0; MAX_HEADER_LEN],
                burst: None,
                ev_rand: crate::ffi::random::u32() | 1,
                closed: None,
            },
            GFP_KERNEL,
        )?)
    }

    /// An initiator toward `peer`.
    pub(crate) fn connect(
        cfg: ConnConfig,
        local_conn: ConnNumber,
        local: SockAddr,
        peer: SockAddr,
        paths: Paths,
        cc: Option<CcProfileLease>,
        mem: Arc<MemPool>,
    ) -> Result<KBox<Self>> {
        // In the caller's context: charged to its memory cgroup.
        let core = Core::connect(
            cfg,
            storage(&cfg, GFP_KERNEL_ACCOUNT)?,
            local_conn,
            peer.port,
            random_psn(),
        )
        .map_err(|_| EINVAL)?;
        Self::wrap(core, local, peer, paths, cc, mem)
    }

    /// A responder for an admitted connect request.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn accept(
        cfg: ConnConfig,
        answered: &AnsweredRequest,
        local: SockAddr,
        peer: SockAddr,
        paths: Paths,
        cc: Option<CcProfileLease>,
        mem: Arc<MemPool>,
    ) -> Result<KBox<Self>> {
        let core = Core::accept(
            cfg,
            storage(&cfg, GFP_KERNEL_ACCOUNT)?,
            answered.responder_conn,
            &answered.request,
            answered.initial_psn,
        )
        .map_err(|_| EINVAL)?;
        Self::wrap(core, local, peer, paths, cc, mem)
    }

    pub(crate) fn core(&self) -> &Core {
        &self.core
    }

    pub(crate) fn core_mut(&mut self) -> &mut Core {
        &mut self.core
    }

    pub(crate) fn state(&self) -> ConnState {
        self.core.state()
    }

    /// Queues a message; the bytes stay until the peer acked them.
    pub(crate) fn send(
        &mut self,
        buf: MessagePages,
        imm: Option<u32>,
    ) -> core::result::Result<(), (SendError, MessagePages)> {
        let Ok(len) = u32::try_from(buf.len()) else {
            return Err((SendError::TooLong, buf));
        };
        let id = match self.core.send_message(len, imm) {
            Ok(id) => id,
            Err(e) => return Err((e, buf)),
        };
        self.tx_bytes = self.tx_bytes.saturating_add(buf.len());
        self.tx_messages = self.tx_messages.saturating_add(1);
        if let Some(slot) = self.tx.get_mut(id.0 as usize % MESSAGE_SLOTS) {
            *slot = Some(buf);
        }
        Ok(())
    }

    /// Tells the core what the application's buffer can take of new
    /// messages: the rest of `rcvbuf`, or any one message while it holds
    /// nothing; and none numbered past the ring's reach from the next one
    /// the application reads. Returns the room, and whether a SACK is due
    /// to tell the peer that it opened.
    fn tell_room(&mut self, rcvbuf: usize) -> (u64, bool) {
        let free = rcvbuf.saturating_sub(self.rx_bytes) as u64;
        let empty = self.rx_held == 0;
        let due = self.core.set_rx_room(free, empty, self.message_limit());
        (self.core.rx_room(), due)
    }

    /// The first message number the ring has no slot for.
    fn message_limit(&self) -> u32 {
        self.rx_next.wrapping_add(RX_RING)
    }

    /// The application took a message: whether the peer should hear at
    /// once of the room that opened (a SACK is due; the caller drives).
    pub(crate) fn room_opened(&mut self, rcvbuf: usize) -> bool {
        self.tell_room(rcvbuf).1
    }

    /// Feeds one packet to the connection. The core's receive room is what
    /// the application's buffer can take (`tell_room`): a message that
    /// does not fit is refused with NO_RESOURCE, and the SACKs announce the
    /// room as credit (and narrow the peer's window to it), so a sender
    /// that outruns its reader waits instead of losing packets. A
    /// message's buffer is made (and charged to the namespace) before the
    /// core accepts its first packet. `ce`: the packet came marked
    /// Congestion Experienced (the SACK echoes it). The payload is copied
    /// from the datagram, wherever its skb holds it, into the message.
    pub(crate) fn input(&mut self, ep: &Endpoint, now: u64, dgram: &Datagram, rcvbuf: usize) {
        let (room, _) = self.tell_room(rcvbuf);
        let mut head = [0u8; MAX_HEADER_LEN];
        let received = crate::endpoint::received(dgram, &mut head);
        let mut fresh = None;
        if let Ok(Packet {
            body: Body::Data { data: d, .. },
            ..
        }) = received.packet()
        {
            let ahead = d.msn.wrapping_sub(self.rx_next);
            // Data of a message the application already read ("behind")
            // goes to the core as is: it re-acks the duplicate, without
            // which the sender would retry until it gives up.
            let behind = (ahead as i32) < 0;
            let reached = behind || self.rx.reach(ahead);
            let Some(slot) = self.rx.get_mut(d.msn) else {
                return;
            };
            let len = d.msg_len as usize;
            if !reached {
                // No slot until the application reads.
                self.core.set_rx_room(0, false, self.message_limit());
            } else if !behind
                && matches!(slot, RxSlot::Empty)
                && len <= self.core.config().max_message_len as usize
                && len as u64 <= room
            {
                if !self.mem.charge(len, self.rx_bytes) {
                    ep.count(Mib::InNoMemory);
                    return;
                }
                let Ok(buf) = RxMessage::new(len) else {
                    self.mem.uncharge(len);
                    ep.count(Mib::InNoMemory);
                    return;
                };
                self.rx_bytes = self.rx_bytes.saturating_add(len);
                self.rx_held = self.rx_held.saturating_add(1);
                *slot = RxSlot::Filling { msn: d.msn, buf };
                fresh = Some(d.msn);
            }
        }
        match self.core.handle_received(now, dgram.ce(), &received) {
            Ok(Some(p)) => {
                if let Some(RxSlot::Filling { msn, buf }) = self.rx.get_mut(p.msg.0) {
                    if *msn == p.msg.0 {
                        buf.place(p.offset as usize, dgram, p.payload_start, p.len as usize);
                    }
                }
            }
            // A packet that placed nothing (a trimmed one, say) keeps no
            // buffer it made room for.
            Ok(None) => {
                if let Some(msn) = fresh {
                    self.free_rx(msn);
                }
            }
            Err(e) => {
                if e != PacketError::NoRoom {
                    ep.count(Mib::InConnRejected);
                }
                ep.count(Mib::refused(e));
                if let Some(msn) = fresh {
                    self.free_rx(msn);
                }
            }
        }
    }

    /// A received message of `len` bytes is no longer held: out of
    /// `rx_held` and `rx_bytes`, and back to the namespace's budget.
    fn unhold(&mut self, len: usize) {
        self.rx_held = self.rx_held.saturating_sub(1);
        self.rx_bytes = self.rx_bytes.saturating_sub(len);
        self.mem.uncharge(len);
    }

    fn free_rx(&mut self, msn: u32) {
        if let Some(slot) = self.rx.get_mut(msn) {
            match core::mem::replace(slot, RxSlot::Empty) {
                RxSlot::Filling { buf, .. } => self.unhold(buf.len()),
                RxSlot::Done { buf, .. } => self.unhold(buf.len()),
                RxSlot::Empty => {}
            }
        }
    }

    /// Takes what the core reports, then sends what it has to send.
    pub(crate) fn pump(&mut self, ep: &Endpoint, now: u64) -> Outcome {
        let mut out = Outcome::default();
        self.paths.apply_denied(&mut self.core);
        loop {
            let mut progressed = false;
            while let Some(event) = self.core.poll_event() {
                progressed = true;
                self.on_event(event, &mut out);
            }
            // A run starts only with a packet in hand: a round with
            // nothing due takes neither the tunnel nor bottom halves.
            if let Some(first) = self.poll(now) {
                progressed = true;
                ep.sending(|tx| {
                    let mut next = Some(first);
                    let mut sent = 0usize;
                    while let Some(t) = next {
                        self.emit(tx, t);
                        sent = sent.saturating_add(1);
                        next = if sent < SEND_RUN {
                            self.poll(now)
                        } else {
                            None
                        };
                    }
                    self.send_burst(tx);
                });
            }
            progressed |= self.grow_sent();
            if !progressed {
                return out;
            }
        }
    }

    /// Doubles the sent records when they alone hold the window back;
    /// whether it did (without memory the window stays as it is).
    fn grow_sent(&mut self) -> bool {
        let Some(wanted) = self.core.sent_records_wanted() else {
            return false;
        };
        let Ok(records) = sent_records(wanted, GFP_KERNEL_ACCOUNT) else {
            return false;
        };
        self.core.replace_sent(records).is_ok()
    }

    fn on_event(&mut self, event: ConnEvent, out: &mut Outcome) {
        match event {
            ConnEvent::Connected => {
                out.connected = true;
                out.wake = true;
            }
            ConnEvent::MessageSent { msg } => {
                if let Some(Some(buf)) = self
                    .tx
                    .get_mut(msg.0 as usize % MESSAGE_SLOTS)
                    .map(Option::take)
                {
                    self.tx_bytes = self.tx_bytes.saturating_sub(buf.len());
                    self.tx_messages = self.tx_messages.saturating_sub(1);
                }
                out.wake = true;
            }
            ConnEvent::MessageReceived { msg, imm, .. } => {
                if let Some(slot) = self.rx.get_mut(msg.0) {
                    *slot = match core::mem::replace(slot, RxSlot::Empty) {
                        RxSlot::Filling { msn, buf } if msn == msg.0 => RxSlot::Done {
                            msn,
                            buf: buf.into_bytes(),
                            imm,
                        },
                        other => other,
                    };
                }
                out.wake = true;
            }
            // Lost only if memory runs out (the core's queue counts its own).
            ConnEvent::Path(ev) => {
                let _ = out.ev_events.push(ev, GFP_KERNEL);
            }
            ConnEvent::Closed(reason) => {
                self.closed = Some(reason);
                out.closed = Some(reason);
                out.wake = true;
            }
        }
    }

    /// The core's next packet, if it has one: its headers in `hdr`.
    fn poll(&mut self, now: u64) -> Option<Transmit> {
        // xorshift32 (Marsaglia): never 0 from a non-zero seed.
        self.ev_rand ^= self.ev_rand << 13;
        self.ev_rand ^= self.ev_rand >> 17;
        self.ev_rand ^= self.ev_rand << 5;
        self.core.poll_transmit(now, self.ev_rand, &mut self.hdr)
    }

    /// Sends `t`, the packet [`poll`](Self::poll) just returned, or adds
    /// it to the burst.
    fn emit(&mut self, tx: &Sends<'_>, t: Transmit) {
        let steering = self.paths.steering(t.ev);
        let burst = usize::from(self.core.config().path.burst);
        // Data packets of a burst on a UDP route collect in one batch.
        let batched = t.payload.filter(|_| burst > 1 && steering.via.is_none());
        if let Some(p) = batched {
            // A packet the burst cannot take sends the burst first.
            let (off, len) = (p.offset as usize, p.len as usize);
            let pages = self.tx.get(p.msg.0 as usize % MESSAGE_SLOTS);
            if let (Some(b), Some(Some(pages))) = (self.burst.as_ref(), pages) {
                if b.ev != t.ev || !b.batch.fits(t.header_len, pages, off, len) {
                    self.send_burst(tx);
                }
            }
        }
        let Some(header) = self.hdr.get(..t.header_len) else {
            return;
        };
        // A data packet's payload: `len` bytes at `off` in its message.
        let payload = match t.payload {
            Some(p) => match self.tx.get(p.msg.0 as usize % MESSAGE_SLOTS) {
                Some(Some(pages)) => Some((pages, p.offset as usize, p.len as usize)),
                _ => return,
            },
            None => None,
        };
        if let Some((pages, off, len)) = payload.filter(|_| batched.is_some()) {
            if self.burst.is_none() {
                self.burst = Burst::new(t.ev, header.len().saturating_add(len), len, burst);
            }
            if let Some(b) = self.burst.as_mut().filter(|b| b.ev == t.ev) {
                if b.batch.push(header, pages, off, len) {
                    return;
                }
            }
        }
        let len = header
            .len()
            .saturating_add(payload.map_or(0, |(_, _, n)| n));
        let mut route = ev_route(
            &self.local,
            &self.peer,
            &mut self.route_caches,
            &steering,
            t.ev,
        );
        // A failed send is a lost packet, which the protocol recovers.
        let _ = tx.send(&mut route, len, |buf| {
            let (h, p) = buf.split_at_mut(header.len());
            h.copy_from_slice(header);
            match payload {
                Some((pages, off, _)) if !pages.copy_out(off, p) => Err(EINVAL),
                _ => Ok(()),
            }
        });
    }

    /// Sends the burst collected so far, if any, on its EV's route (a
    /// failed send is lost packets, which the protocol recovers).
    fn send_burst(&mut self, tx: &Sends<'_>) {
        let Some(b) = self.burst.take() else {
            return;
        };
        let steering = self.paths.steering(b.ev);
        let mut route = ev_route(
            &self.local,
            &self.peer,
            &mut self.route_caches,
            &steering,
            b.ev,
        );
        let _ = tx.send_batch(&mut route, b.batch);
    }

    /// The next complete message, if any: its length and immediate.
    pub(crate) fn peek(&self) -> Option<(&[u8], Option<u32>)> {
        match self.rx.get(self.rx_next) {
            Some(RxSlot::Done { msn, buf, imm }) if *msn == self.rx_next => Some((buf, *imm)),
            _ => None,
        }
    }

    /// Takes the next complete message.
    pub(crate) fn take(&mut self) -> Option<(KVVec<u8>, Option<u32>)> {
        let next = self.rx_next;
        let slot = self.rx.get_mut(next)?;
        if !matches!(slot, RxSlot::Done { msn, .. } if *msn == next) {
            return None;
        }
        let RxSlot::Done { buf, imm, .. } = core::mem::replace(slot, RxSlot::Empty) else {
            return None;
        };
        self.unhold(buf.len());
        self.rx_next = self.rx_next.wrapping_add(1);
        Some((buf, imm))
    }

    /// The core's next deadline.
    pub(crate) fn deadline(&self) -> Option<u64> {
        self.core.poll_timeout()
    }
}

/// EV `ev`'s route from `local` to `peer`, steered by `steering`, with its
/// cache from `caches` (a free function: a packet being sent borrows other
/// fields of the connection meanwhile).
fn ev_route<'a>(
    local: &'a SockAddr,
    peer: &'a SockAddr,
    caches: &'a mut KVec<RouteCache>,
    steering: &'a Steering,
    ev: u16,
) -> Route<'a> {
    Route {
        src: &local.addr,
        dst: &peer.addr,
        src_port: steering.src_port,
        flow_label: steering.flow_label,
        via: steering.via.as_ref(),
        cache: caches.get_mut(usize::from(ev)),
    }
}

impl Drop for Conn {
    /// Messages still held go back to the namespace's budget.
    fn drop(&mut self) {
        self.mem.uncharge(self.rx_bytes);
    }
}
