//! The MRC endpoint of one network namespace: what happens to every packet
//! the namespace's tunnel socket receives, and the tables that find the
//! socket a packet is for.
//!
//! The tunnel's receive hook runs in softirq. It answers probes at once
//! (their service time must not include queueing) and queues everything
//! else for the endpoint's work item, which runs in process context and
//! hands each packet to its connection or listener: all connection state
//! is touched in process context only, under the socket's own mutex.
//!
//! Lock order: a socket's mutex, then `tables`, then `tunnel`. The work
//! item takes a socket's mutex only after dropping `tables`.

mod mem;
mod mib;
mod orphans;
mod probe;
mod ratelimit;
mod sends;

use crate::ffi::errno;
use crate::ffi::proc::{Lines, Show};
use crate::ffi::route::{Ipv6Addr, Route};
use crate::ffi::skb::{Batch, Datagram, DatagramQueue};
use crate::ffi::udp::{Receiver, Sender, Tunnel};
use crate::proto::conn::MAX_HEADER_LEN;
use crate::proto::wire::{
    BaseRepr, Body, ConnNumber, ConnectRejectRepr, ConnectRequestRepr, Opcode, Packet, Received,
    RejectReason,
};
use core::ops::Deref;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNode, RBTreeNodeReservation};
use kernel::sync::{new_mutex, Arc, ArcBorrow, Mutex};
use kernel::workqueue::{new_work, Work, WorkItem};
pub(crate) use mem::MemPool;
use mib::Counters;
pub(crate) use mib::Mib;
pub(crate) use orphans::Orphans;
pub(crate) use probe::ProbeBatch;
use ratelimit::TokenBucket;
pub(crate) use sends::Sends;

/// Packets one run of the work item handles (and the rest of a batch it
/// began).
const RX_BATCH: usize = 64;

/// Consecutive packets for one connection that its socket takes under one
/// lock, with one round of sending and one wake-up after them (a run stops
/// taking more once it holds this many; its batches stay whole). A run's
/// slots are on the work item's stack.
const RUN_MAX: usize = 16;

/// Probe replies a namespace sends per second, and in one burst: a
/// controller's batch is one probe per EV (at most 256); beyond, requests
/// are dropped and counted (`MrcInProbeRateLimited`), as ICMP errors are
/// rate-limited, so that forged sources cannot turn a host into a
/// reflector.
const PROBE_REPLIES_PER_SEC: u64 = 20_000;
const PROBE_REPLY_BURST: u64 = 1_024;

/// Memory (skb truesize) of the datagrams waiting for the work item, at
/// most, per namespace: beyond, arrivals are dropped and counted
/// (`MrcInRxQueueFull`), so a flood costs bounded memory. 64 MiB: at 2048
/// datagrams a loaded test guest dropped the acks and probe replies of 256
/// connections by the hundred thousand.
const RX_QUEUE_MAX_BYTES: usize = 64 << 20;

/// Memory of the connect requests waiting for the work item, at most (a
/// few hundred requests): beyond, requests are dropped and counted
/// (`MrcInRequestQueueFull`). They wait apart from other packets, so that
/// a flood of forged requests neither delays established connections'
/// packets nor makes a real request wait behind a long queue, and they
/// are handled [`REQUEST_BATCH`] at a time after each batch of the rest.
const REQUEST_QUEUE_MAX_BYTES: usize = 256 << 10;

/// Connect requests one run of the work item handles.
const REQUEST_BATCH: usize = 16;

/// What the endpoint hands packets to: a bound or listening socket, or a
/// connection's (`crate::sock::MrcSock`). Called in process context, from
/// the endpoint's work item, with none of the endpoint's locks held.
pub(crate) trait Recipient: Send + Sync + Sized + 'static {
    /// For a connection a listener accepted: where its connect request
    /// came from.
    fn origin(&self) -> Option<Origin>;

    /// Whether connect requests to its port are for it.
    fn is_listening(&self) -> bool;

    /// A connect request to its port.
    fn on_request(
        self: &Arc<Self>,
        ep: &Endpoint<Self>,
        dgram: &Datagram,
        request: &ConnectRequestRepr,
    );

    /// Packets addressed to its connection, in arrival order.
    fn on_packets<D: Deref<Target = Datagram>>(
        self: &Arc<Self>,
        ep: &Endpoint<Self>,
        dgrams: impl Iterator<Item = D>,
    );

    /// Packets addressed to connection number `n`, which its listener
    /// gave a connect request it answered (see
    /// [`Endpoint::add_answered`]), in arrival order.
    fn on_answered<D: Deref<Target = Datagram>>(
        self: &Arc<Self>,
        ep: &Endpoint<Self>,
        n: u32,
        dgrams: impl Iterator<Item = D>,
    );

    /// The namespace is going away: its connection ends, reset.
    fn abort(self: &Arc<Self>);
}

/// Where a connect request came from: the initiator's address and
/// connection number.
pub(crate) type Origin = (Ipv6Addr, u32);

/// Which socket owns what, in one namespace.
struct Tables<S> {
    /// Bound MRC ports (listeners and bound sockets).
    ports: RBTree<u16, Arc<S>>,
    /// Live connections by local connection number.
    conns: RBTree<u32, Arc<S>>,
    /// Connection numbers that listeners gave the connect requests they
    /// answered, not yet connections: the listener.
    answered: RBTree<u32, Arc<S>>,
    /// The live connections that listeners accepted, by origin: a repeated
    /// connect request goes to its connection (as TCP looks a SYN up among
    /// established sockets before listeners).
    origins: RBTree<Origin, u32>,
    /// The controller's probe batches waiting for replies, by probe id
    /// (from the connection numbers' space).
    probes: RBTree<u32, Arc<ProbeBatch>>,
}

impl<S> Tables<S> {
    /// A random connection number that no live connection, answered
    /// request or probe batch has (tries 64 before giving up).
    fn fresh_number(&self) -> Option<ConnNumber> {
        (0..64).find_map(|_| {
            let n = crate::ffi::random::u32() & ConnNumber::MAX;
            ConnNumber::new(n).filter(|c| {
                !c.is_none()
                    && self.conns.get(&n).is_none()
                    && self.answered.get(&n).is_none()
                    && self.probes.get(&n).is_none()
            })
        })
    }
}

/// Per-namespace endpoint state, shared by the tunnel socket (softirq), the
/// sockets and the work item.
#[pin_data]
pub(crate) struct Endpoint<S: Recipient> {
    counters: Counters,
    /// Probe replies sent, at most as fast as it allows.
    probe_replies: TokenBucket,
    /// What the namespace's received messages may take (`net.mrc.mem`).
    mem: Arc<MemPool>,
    /// Closed sockets' connections still finishing (`net.mrc.max_orphans`).
    orphans: Orphans,
    /// A packet that waited longer than this (ns; 0: never) in `rx` goes
    /// on marked Congestion Experienced (`net.mrc.rx_ce_threshold_us`).
    ce_threshold_ns: AtomicU64,
    /// The open tunnel socket; `None` when opening it failed (the port is
    /// taken), until a write of `net.mrc.udp_port` retries, and after the
    /// namespace's exit began.
    #[pin]
    tunnel: Mutex<Option<Tunnel<Endpoint<S>>>>,
    #[pin]
    tables: Mutex<Tables<S>>,
    /// Packets waiting for the work item.
    #[pin]
    rx: DatagramQueue,
    /// Connect requests waiting for the work item.
    #[pin]
    requests: DatagramQueue,
    /// The work item is queued or running, and looks at both queues again
    /// before it stops: a datagram queued meanwhile needs no queue_work
    /// (which would wake a second worker only to find the item running).
    scheduled: AtomicBool,
    #[pin]
    work: Work<Endpoint<S>>,
}

kernel::impl_has_work! {
    impl{S: Recipient} HasWork<Self> for Endpoint<S> { self.work }
}

impl<S: Recipient> WorkItem for Endpoint<S> {
    type Pointer = Arc<Endpoint<S>>;

    /// Handles a batch of packets and one of connect requests, then
    /// queues itself again if more is waiting: the worker may reschedule
    /// between work items, so a flood of packets cannot hold the CPU (the
    /// kernel may be non-preemptible).
    fn run(this: Arc<Endpoint<S>>) {
        let more_packets = this.run_packets();
        let mut more_requests = true;
        for _ in 0..REQUEST_BATCH {
            let Some(request) = this.requests.pop() else {
                more_requests = false;
                break;
            };
            this.dispatch_each(request, &this.requests);
        }
        if more_packets || more_requests {
            // Still scheduled: queued again, for the next run.
            crate::ffi::work::enqueue::<Endpoint<S>>(this);
            return;
        }
        // Both queues were found empty. A datagram queued since found the
        // item scheduled and did not queue it: clearing the flag acquires
        // what such a pusher released, so a look at the queues sees it, and
        // the item is queued again for it (unless a later pusher did).
        this.scheduled.swap(false, Ordering::AcqRel);
        if !this.rx.is_empty() || !this.requests.is_empty() {
            Self::schedule(this.as_arc_borrow());
        }
    }
}

impl<S: Recipient> Endpoint<S> {
    /// Handles up to [`RX_BATCH`] packets (or a little more, to finish a
    /// batch); whether it stopped at the limit. Consecutive packets for one
    /// connection go to its socket together (until the run holds
    /// [`RUN_MAX`]; batches stay whole), so that a burst costs one lock,
    /// one round of sending and one wake-up, not one per packet.
    fn run_packets(&self) -> bool {
        let mut left = RX_BATCH;
        let mut carry = None;
        while left > 0 {
            let Some(first) = carry.take().or_else(|| self.next_batch()) else {
                return false;
            };
            let mut packets = first.count() as usize;
            left = left.saturating_sub(packets);
            let Some(n) = conn_of(&first) else {
                self.dispatch_each(first, &self.rx);
                continue;
            };
            let mut run: [Option<Batch>; RUN_MAX] = Default::default();
            let mut slots = run.iter_mut();
            if let Some(slot) = slots.next() {
                *slot = Some(first);
            }
            for slot in slots {
                if left == 0 || packets >= RUN_MAX {
                    break;
                }
                match self.next_batch() {
                    Some(b) if conn_of(&b) == Some(n) => {
                        let count = b.count() as usize;
                        packets = packets.saturating_add(count);
                        left = left.saturating_sub(count);
                        *slot = Some(b);
                    }
                    other => {
                        carry = other;
                        break;
                    }
                }
            }
            self.deliver(n, &run);
            self.rx.finished(run.iter().flatten().count());
        }
        if let Some(b) = carry {
            self.dispatch_each(b, &self.rx);
        }
        true
    }

    /// Hands each packet of a datagram or batch taken from `queue` to its
    /// socket, one by one.
    fn dispatch_each(&self, b: Batch, queue: &DatagramQueue) {
        b.packets().for_each(|d| self.dispatch(&d));
        queue.finished(1);
    }
}

impl<S: Recipient> Endpoint<S> {
    /// The oldest datagram or batch waiting for the work item, marked
    /// Congestion Experienced if it waited longer than
    /// `net.mrc.rx_ce_threshold_us` (as fq_codel's `ce_threshold` marks).
    /// The queue is this host's bottleneck when its CPU is: its sender's
    /// congestion control must see it grow as it sees a switch's queue
    /// grow, or it fills it until packets outwait their ACK timeout.
    fn next_batch(&self) -> Option<Batch> {
        let mut b = self.rx.pop()?;
        let threshold = self.ce_threshold_ns.load(Ordering::Relaxed);
        if threshold != 0
            && !b.ce()
            && crate::clock::now_ns().saturating_sub(b.arrival_ns()) >= threshold
        {
            b.mark_ce();
            self.counters.add(Mib::InQueueCeMarks, b.count().into());
        }
        Some(b)
    }

    /// Queues the work item for a datagram or request just queued, unless
    /// it is scheduled already (see `scheduled`): setting the flag releases
    /// the push to the run that clears it.
    fn schedule(this: ArcBorrow<'_, Self>) {
        if !this.scheduled.swap(true, Ordering::AcqRel) {
            crate::ffi::work::enqueue::<Endpoint<S>>(this.into());
        }
    }

    /// Where the receive queue's arrivals stand now: see
    /// [`rx_handled`](Self::rx_handled).
    pub(crate) fn rx_mark(&self) -> u64 {
        self.rx.mark()
    }

    /// Whether every packet that had reached the receive queue when `mark`
    /// was taken ([`rx_mark`](Self::rx_mark)) has been handed to its socket
    /// (or dropped): a connection's loss timer waits for that, so that
    /// acknowledgements already here are not judged missing.
    pub(crate) fn rx_handled(&self, mark: u64) -> bool {
        self.rx.reached(mark)
    }

    /// How many datagrams the receive queue has handled, ever: a waiter
    /// that sees it move knows the queue is draining.
    pub(crate) fn rx_progress(&self) -> u64 {
        self.rx.finished_count()
    }

    /// Sets `net.mrc.rx_ce_threshold_us` (0: never mark).
    pub(crate) fn set_ce_threshold_us(&self, us: u64) {
        self.ce_threshold_ns
            .store(us.saturating_mul(1000), Ordering::Relaxed);
    }
}

/// `dgram` parsed, once: from its bytes where the skb holds them in one
/// piece, else from its first bytes copied into `head`, which hold any
/// control packet whole and a data packet's headers (its payload stays in
/// the skb, for [`Datagram::append_to`] to copy where it belongs).
pub(crate) fn received<'b>(
    dgram: &'b Datagram,
    head: &'b mut [u8; MAX_HEADER_LEN],
) -> Received<'b> {
    Received::from_head(dgram.start(head), dgram.len())
}

/// The connection number a datagram or batch is for, when every packet of
/// it is a packet of that connection (not a connect request, a probe
/// response or malformed: those go through `Endpoint::dispatch` one by
/// one, as do the packets of a batch for several connections). Reads the
/// base headers alone: the tunnel parsed each packet before queuing it,
/// and the connection parses it once more, to use it.
fn conn_of(b: &Batch) -> Option<u32> {
    let mut conn = None;
    for d in b.packets() {
        let mut head = [0u8; BaseRepr::LEN];
        let (base, _) = BaseRepr::parse(d.start(&mut head)).ok()?;
        let n = match base.opcode {
            Opcode::ConnectRequest | Opcode::ProbeResponse => None,
            _ => Some(base.dest_conn.get()).filter(|&n| n != 0),
        }?;
        if conn.is_some_and(|c| c != n) {
            return None;
        }
        conn = Some(n);
    }
    conn
}

impl<S: Recipient> Endpoint<S> {
    pub(crate) fn new() -> Result<Arc<Self>> {
        let mem = Arc::new(MemPool::new(), GFP_KERNEL)?;
        let counters = Counters::new()?;
        Arc::pin_init(
            pin_init!(Self {
                counters,
                probe_replies: TokenBucket::new(PROBE_REPLIES_PER_SEC, PROBE_REPLY_BURST),
                mem,
                orphans: Orphans::new(),
                ce_threshold_ns: AtomicU64::new(0),
                tunnel <- new_mutex!(None),
                tables <- new_mutex!(Tables {
                    ports: RBTree::new(),
                    conns: RBTree::new(),
                    answered: RBTree::new(),
                    origins: RBTree::new(),
                    probes: RBTree::new(),
                }),
                rx <- DatagramQueue::new(),
                requests <- DatagramQueue::new(),
                scheduled: AtomicBool::new(false),
                work <- new_work!("Endpoint::work"),
            }),
            GFP_KERNEL,
        )
    }

    /// The namespace's budget for received messages.
    pub(crate) fn mem(&self) -> &Arc<MemPool> {
        &self.mem
    }

    /// The namespace's orphaned connections.
    pub(crate) fn orphans(&self) -> &Orphans {
        &self.orphans
    }

    /// Counts one event.
    pub(crate) fn count(&self, mib: Mib) {
        self.counters.inc(mib);
    }

    /// Installs (or, with `None`, closes) the tunnel socket.
    pub(crate) fn set_tunnel(&self, tunnel: Option<Tunnel<Endpoint<S>>>) {
        let old = core::mem::replace(&mut *self.tunnel.lock(), tunnel);
        drop(old);
    }

    /// Closes the tunnel first, so a write of the same port cannot collide
    /// with itself, then opens a new one with `open`.
    pub(crate) fn reopen_tunnel(
        &self,
        open: impl FnOnce() -> Result<Tunnel<Endpoint<S>>>,
    ) -> Result {
        let mut tunnel = self.tunnel.lock();
        *tunnel = None;
        *tunnel = Some(open()?);
        Ok(())
    }

    /// Runs `f` with the sends of one run: the tunnel held for the run and
    /// bottom halves off, so that what the run's packets cost the receive
    /// path of this host (the peer of a veth pair) is paid once, after it.
    /// `f` must not sleep.
    pub(crate) fn sending<T>(&self, f: impl FnOnce(&Sends<'_>) -> T) -> T {
        let tunnel = self.tunnel.lock();
        let counters = &self.counters;
        match &*tunnel {
            Some(t) => t.sending(|tx| {
                f(&Sends {
                    counters,
                    tx: Some(tx),
                })
            }),
            None => f(&Sends { counters, tx: None }),
        }
    }

    /// The source address the stack picks toward `dst`.
    pub(crate) fn source_for(&self, dst: &Ipv6Addr) -> Result<Ipv6Addr> {
        match &*self.tunnel.lock() {
            Some(t) => t.source_for(dst),
            None => Err(errno::enetdown()),
        }
    }

    /// The MTU of the route toward `dst`.
    pub(crate) fn route_mtu(&self, dst: &Ipv6Addr) -> Result<u32> {
        match &*self.tunnel.lock() {
            Some(t) => t.route_mtu(dst),
            None => Err(errno::enetdown()),
        }
    }

    /// Claims MRC port `port` for `sock` (EADDRINUSE if taken).
    pub(crate) fn bind_port(&self, port: u16, sock: Arc<S>) -> Result {
        let node = RBTreeNode::new(port, sock, GFP_KERNEL)?;
        let mut t = self.tables.lock();
        if t.ports.get(&port).is_some() {
            return Err(errno::eaddrinuse());
        }
        t.ports.insert(node);
        Ok(())
    }

    /// Claims a free port from the dynamic range (49152-65535) for `sock`.
    pub(crate) fn bind_any_port(&self, sock: Arc<S>) -> Result<u16> {
        let start = crate::ffi::random::u32();
        let slot = RBTreeNodeReservation::new(GFP_KERNEL)?;
        let mut t = self.tables.lock();
        for i in 0..16384u32 {
            // 0xC000 | 14 bits: 49152 to 65535.
            let port = 0xC000 | (start.wrapping_add(i) & 0x3FFF) as u16;
            if t.ports.get(&port).is_none() {
                t.ports.insert(slot.into_node(port, sock));
                return Ok(port);
            }
        }
        Err(errno::eaddrinuse())
    }

    /// Releases MRC port `port`.
    pub(crate) fn unbind_port(&self, port: u16) {
        let old = self.tables.lock().ports.remove(&port);
        drop(old);
    }

    /// Registers `sock` under a fresh random connection number.
    pub(crate) fn add_conn(&self, sock: Arc<S>) -> Result<ConnNumber> {
        self.add_numbered(sock, |t| &mut t.conns)
    }

    /// Files `sock` under a fresh connection number in the table `table`
    /// picks.
    fn add_numbered(
        &self,
        sock: Arc<S>,
        table: impl FnOnce(&mut Tables<S>) -> &mut RBTree<u32, Arc<S>>,
    ) -> Result<ConnNumber> {
        let slot = RBTreeNodeReservation::new(GFP_KERNEL)?;
        let mut t = self.tables.lock();
        let number = t.fresh_number().ok_or_else(errno::eaddrnotavail)?;
        table(&mut t).insert(slot.into_node(number.get(), sock));
        Ok(number)
    }

    /// A fresh connection number for a connect request that `listener`
    /// answered: packets to it go to the listener until
    /// [`promote`](Self::promote) or [`remove_answered`](Self::remove_answered).
    pub(crate) fn add_answered(&self, listener: Arc<S>) -> Result<ConnNumber> {
        self.add_numbered(listener, |t| &mut t.answered)
    }

    /// The answered request numbered `n` became the connection `sock`,
    /// from `sock`'s origin.
    pub(crate) fn promote(&self, n: ConnNumber, sock: Arc<S>) -> Result {
        let slot = RBTreeNodeReservation::new(GFP_KERNEL)?;
        let by_origin = RBTreeNodeReservation::new(GFP_KERNEL)?;
        let origin = sock.origin().ok_or(EINVAL)?;
        let mut t = self.tables.lock();
        let old = t.answered.remove(&n.get());
        t.conns.insert(slot.into_node(n.get(), sock));
        let replaced = t.origins.insert(by_origin.into_node(origin, n.get()));
        drop(t);
        drop(old);
        drop(replaced);
        Ok(())
    }

    /// Forgets the answered request numbered `n`.
    pub(crate) fn remove_answered(&self, n: ConnNumber) {
        let old = self.tables.lock().answered.remove(&n.get());
        drop(old);
    }

    /// Forgets connection number `n`.
    pub(crate) fn remove_conn(&self, n: ConnNumber) {
        let mut t = self.tables.lock();
        let old = t.conns.remove(&n.get());
        if let Some(origin) = old.as_ref().and_then(|s| s.origin()) {
            if t.origins.get(&origin) == Some(&n.get()) {
                t.origins.remove(&origin);
            }
        }
        drop(t);
        drop(old);
    }

    /// The live connection numbered `n`.
    pub(crate) fn conn(&self, n: u32) -> Option<Arc<S>> {
        self.tables.lock().conns.get(&n).cloned()
    }

    /// Up to `max` live connections numbered above `after`, in number
    /// order. The tables are unlocked on return, before any of the sockets
    /// is locked.
    pub(crate) fn conns_after(&self, after: u32, max: usize) -> Result<KVec<(u32, Arc<S>)>> {
        let mut out = KVec::with_capacity(max, GFP_KERNEL)?;
        let mut t = self.tables.lock();
        let mut at = after
            .checked_add(1)
            .and_then(|n| t.conns.cursor_lower_bound(&n));
        while let Some(cursor) = at {
            if out.len() == max {
                break;
            }
            let (&n, sock) = cursor.current();
            // Within the capacity reserved above: does not allocate.
            out.push((n, sock.clone()), GFP_ATOMIC)?;
            at = cursor.move_next();
        }
        Ok(out)
    }

    /// The namespace is going away: no socket of it is open any more, but
    /// connections closed by their owners may still be finishing. Closes
    /// the tunnel, empties the tables and resets every connection that was
    /// in them (each one: the tables are taken whole, nothing is copied
    /// that could fail to allocate).
    pub(crate) fn shut_down(&self) {
        self.set_tunnel(None);
        let mut t = self.tables.lock();
        let ports = core::mem::take(&mut t.ports);
        let conns = core::mem::take(&mut t.conns);
        let answered = core::mem::take(&mut t.answered);
        let origins = core::mem::take(&mut t.origins);
        let probes = core::mem::take(&mut t.probes);
        drop(t);
        drop(answered);
        drop(origins);
        for (_, sock) in conns.iter() {
            sock.abort();
        }
        drop(ports);
        drop(conns);
        drop(probes);
    }

    /// Sends `reply` back along the path `dgram` came by.
    fn reply(&self, tx: &Sender<'_>, dgram: &Datagram, reply: &Packet<'_>) {
        let sent = dgram.reply_route(|route| {
            tx.send(route, reply.header_len(), |buf| {
                reply.emit(buf).map(|_| ()).map_err(|_| EINVAL)
            })
        });
        self.count(if sent.is_ok() {
            Mib::OutPackets
        } else {
            Mib::OutErrors
        });
    }

    /// Sends the packet `bytes` back along the path `dgram` came by
    /// (process context).
    pub(crate) fn reply_bytes(&self, dgram: &Datagram, bytes: &[u8]) {
        dgram.reply_route(|route| self.send_bytes(route, bytes));
    }

    /// Sends the packet `bytes` by `route` (process context). A lost
    /// packet is one its sender's timer, or its peer's, covers.
    pub(crate) fn send_bytes(&self, route: &mut Route<'_>, bytes: &[u8]) {
        let _ = self.sending(|s| {
            s.send(route, bytes.len(), |buf| {
                buf.copy_from_slice(bytes);
                Ok(())
            })
        });
    }

    /// Refuses a connect request nobody listens for.
    fn reject_no_listener(&self, dgram: &Datagram, pkey: u16, request: &ConnectRequestRepr) {
        self.count(Mib::InNoListener);
        let reject = Packet {
            pkey,
            dest_conn: request.initiator_conn,
            body: Body::ConnectReject(ConnectRejectRepr {
                reason: RejectReason::NoListener,
                echo_psn: request.initial_psn,
            }),
        };
        let tunnel = self.tunnel.lock();
        if let Some(t) = &*tunnel {
            self.reply(&t.sender(), dgram, &reject);
        }
    }

    /// Hands a run of packets for connection `n` to its socket.
    fn deliver(&self, n: u32, run: &[Option<Batch>]) {
        let packets = || run.iter().flatten().flat_map(Batch::packets);
        let (sock, answered) = self.owner(n);
        match (sock, answered) {
            (Some(s), _) => s.on_packets(self, packets()),
            (None, Some(l)) => l.on_answered(self, n, packets()),
            (None, None) => packets().for_each(|_| self.count(Mib::InNoConnection)),
        }
    }

    /// Who packets to connection number `n` are for: its connection, or
    /// the listener that answered a request with it.
    fn owner(&self, n: u32) -> (Option<Arc<S>>, Option<Arc<S>>) {
        let t = self.tables.lock();
        match t.conns.get(&n) {
            Some(s) => (Some(s.clone()), None),
            None => (None, t.answered.get(&n).cloned()),
        }
    }

    /// Hands a queued packet to its socket (process context).
    fn dispatch(&self, dgram: &Datagram) {
        let mut head = [0u8; MAX_HEADER_LEN];
        let received = received(dgram, &mut head);
        let Ok(packet) = received.packet() else {
            self.count(Mib::InMalformed);
            return;
        };
        if let Body::ConnectRequest(request) = packet.body {
            let (conn, listener) = {
                let t = self.tables.lock();
                let origin = (dgram.src(), request.initiator_conn.get());
                match t.origins.get(&origin).and_then(|n| t.conns.get(n)) {
                    Some(c) => (Some(c.clone()), None),
                    None => (None, t.ports.get(&request.dest_port).cloned()),
                }
            };
            match (conn, listener) {
                // Repeated: its connection answers it again.
                (Some(c), _) => c.on_packets(self, core::iter::once(dgram)),
                (None, Some(l)) if l.is_listening() => l.on_request(self, dgram, &request),
                (None, _) => self.reject_no_listener(dgram, packet.pkey, &request),
            }
            return;
        }
        // A connection's probes carry its connection number as the probe
        // id, so that the responses find it; a controller's batch has an
        // id of its own from the same space.
        let (n, unknown) = match packet.body {
            Body::ProbeResponse(r) => (r.probe_id, Mib::InUnexpectedProbeResponses),
            _ => (packet.dest_conn.get(), Mib::InNoConnection),
        };
        let (sock, answered) = if n == 0 { (None, None) } else { self.owner(n) };
        match (sock, answered, &packet.body) {
            (Some(s), _, _) => s.on_packets(self, core::iter::once(dgram)),
            (None, Some(l), b) if !matches!(b, Body::ProbeResponse(_)) => {
                l.on_answered(self, n, core::iter::once(dgram))
            }
            (None, _, Body::ProbeResponse(r)) if self.answer_batch(r) => {}
            (None, _, _) => self.count(unknown),
        }
    }
}

impl<S: Recipient> Receiver for Endpoint<S> {
    fn receive(this: ArcBorrow<'_, Self>, tx: &Sender<'_>, dgram: Datagram) {
        this.arrived(1, dgram.ce());
        let mut head = [0u8; MAX_HEADER_LEN];
        let received = received(&dgram, &mut head);
        let Ok(packet) = received.packet() else {
            this.count(Mib::InMalformed);
            dgram.discard();
            return;
        };
        match packet.body {
            Body::ProbeRequest(_) if dgram.dst()[0] == 0xFF => {
                // Never answer a group: one probe would draw a reply from
                // every member (an amplifier).
                this.count(Mib::InProbeToMulticast);
                dgram.discard();
            }
            Body::ProbeRequest(_) if !this.probe_replies.admit(dgram.arrival_ns) => {
                this.count(Mib::InProbeRateLimited);
                dgram.discard();
            }
            Body::ProbeRequest(request) => {
                this.count(Mib::InProbeRequests);
                let held = crate::clock::now_ns().saturating_sub(dgram.arrival_ns);
                let service_time = u32::try_from(held).unwrap_or(u32::MAX);
                let response = Packet {
                    pkey: packet.pkey,
                    dest_conn: ConnNumber::NONE,
                    body: Body::ProbeResponse(request.response(service_time)),
                };
                this.reply(tx, &dgram, &response);
            }
            Body::ConnectRequest(_) => {
                match this.requests.push(dgram.into(), REQUEST_QUEUE_MAX_BYTES) {
                    Ok(()) => Self::schedule(this),
                    Err(b) => {
                        this.count(Mib::InRequestQueueFull);
                        b.discard();
                    }
                }
            }
            _ => Self::queue(this, dgram.into()),
        }
    }

    /// A batch whose packets are all for the work item (none malformed, a
    /// probe request or a connect request) waits for it whole, one skb;
    /// any other is split, and its packets are received one by one.
    fn receive_batch(this: ArcBorrow<'_, Self>, tx: &Sender<'_>, batch: Batch) {
        this.count(Mib::InGsoBatches);
        let whole = batch.packets().all(|d| {
            let mut head = [0u8; MAX_HEADER_LEN];
            received(&d, &mut head)
                .packet()
                .is_ok_and(|p| !matches!(p.body, Body::ProbeRequest(_) | Body::ConnectRequest(_)))
        });
        if !whole {
            this.count(Mib::InGsoBatchesSplit);
            batch.split(|d| Self::receive(this, tx, d));
            return;
        }
        this.arrived(batch.count().into(), batch.ce());
        Self::queue(this, batch);
    }

    fn malformed(&self) {
        self.arrived(1, false);
        self.count(Mib::InMalformed);
    }
}

impl<S: Recipient> Endpoint<S> {
    /// Counts `n` datagrams received, marked Congestion Experienced or not.
    fn arrived(&self, n: u64, ce: bool) {
        self.counters.add(Mib::InDatagrams, n);
        if ce {
            self.counters.add(Mib::InCe, n);
        }
    }

    /// Queues packets for the work item, unless the queue is full.
    fn queue(this: ArcBorrow<'_, Self>, b: Batch) {
        let count = b.count();
        match this.rx.push(b, RX_QUEUE_MAX_BYTES) {
            Ok(()) => Self::schedule(this),
            Err(b) => {
                this.counters.add(Mib::InRxQueueFull, count.into());
                b.discard();
            }
        }
    }
}

impl<S: Recipient> Show for Endpoint<S> {
    fn show(&self, lines: &mut Lines) {
        self.counters.each(|name, value| lines.put(name, value));
        lines.put(c"MrcRxMemBytes", self.mem.used() as u64);
        lines.put(c"MrcOrphans", u64::from(self.orphans.count()));
    }
}
