//! AF_MRC sockets: which socket(2) calls the family accepts, and the life
//! of an MRC socket: bound, listening with its children, or one
//! connection.
//!
//! Each socket's state is an [`MrcSock`] in an `Arc`, held by the sock
//! (until close), by the namespace's tables (while its port is bound or its
//! connection lives) and by queued work. It is changed in process context
//! only, under its mutex: by system calls, by the namespace's receive work
//! and by its own timer work (the hrtimer only queues that work). Never
//! are two sockets' mutexes held at once: a child tells its listener about
//! its handshake after dropping its own. Lock order: a socket's mutex, then
//! the endpoint's tables, then its tunnel.

mod addr;
mod burst;
mod config;
mod conn;
mod io;
mod listen;
mod options;
mod paths;
mod recipient;
mod rx_message;
mod rx_ring;
mod snapshot;

use crate::control::Control;
use crate::endpoint::{Mib, Recipient};
use crate::ffi::bindings::{self, sock_type_SOCK_SEQPACKET as SOCK_SEQPACKET};
use crate::ffi::errno;
use crate::ffi::family::{Ioctl, NetRef, Protocol};
use crate::ffi::msg::{Msg, OptIn, OptOut};
use crate::ffi::sock::SockSlot;
use crate::ffi::timer::{Timer, TimerHandler};
use crate::proto::conn::{CloseReason, ConnState};
use crate::proto::wire::{ConnNumber, ResetReason};
use addr::SockAddr;
use config::SockConfig;
use conn::{Conn, Outcome};
use core::ffi::c_long;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::prelude::*;
use kernel::sync::{new_mutex, Arc, ArcBorrow, Mutex};
use kernel::workqueue::{new_work, Work, WorkItem};
use listen::Listen;
pub(crate) use paths::Paths;
pub(crate) use snapshot::ConnSnapshot;

/// Doublings of the ACK timeout a closed socket's connection still tries
/// (as `tcp_orphan_retries`): a peer that vanished does not keep it, its
/// socket and its namespace for ever, whatever MRC_RETRIES said.
const ORPHAN_EXP_CNT: u8 = 8;

/// A namespace's endpoint, delivering to MRC sockets.
pub(crate) type Endpoint = crate::endpoint::Endpoint<MrcSock>;
/// A namespace's MRC state, whose endpoint delivers to MRC sockets.
pub(crate) type NetMrc = crate::netns::NetMrc<MrcSock>;

/// The MRC protocol of the AF_MRC family.
pub(crate) struct Mrc;

/// What a socket is doing.
enum Phase {
    /// Created or bound.
    Idle,
    Listening(Listen),
    /// Connecting, connected, or closed with messages left to read.
    Conn(KBox<Conn>),
}

/// The mutable state of a socket.
struct Inner {
    cfg: SockConfig,
    paths: Paths,
    /// The local address.
    local: Option<SockAddr>,
    /// `local`'s port is this socket's in the endpoint's table (an
    /// accepted connection shares its listener's port instead).
    port_bound: bool,
    /// The connection number registered in the endpoint's table.
    conn_no: Option<ConnNumber>,
    phase: Phase,
    /// A child that is not yet established: its listener.
    parent: Option<Arc<MrcSock>>,
    /// shutdown(2) directions.
    shut_rd: bool,
    shut_wr: bool,
    /// The application closed the socket.
    released: bool,
    /// The connection is over: out of the tables, timer stopped.
    retired: bool,
    /// Counted among the namespace's orphans until retired.
    orphan: bool,
    /// A loss timer waiting for the receive queue (`MrcSock::defer_loss_timer`).
    loss_wait: Option<LossWait>,
}

/// A connection's loss timer that came due while packets that had already
/// arrived for the namespace waited in its receive queue.
#[derive(Clone, Copy)]
struct LossWait {
    /// The deadline that came due.
    deadline: u64,
    /// The receive queue's mark (`Endpoint::rx_mark`) it waits for.
    mark: u64,
    /// How far the queue's handling had got at the last look
    /// (`Endpoint::rx_progress`).
    progress: u64,
    /// Looks at the queue so far.
    polls: u32,
}

/// A waiting loss timer looks at the receive queue again after this, then
/// after twice as long each time up to the eighth look's 32 ms ...
const LOSS_WAIT_FIRST_NS: u64 = 250_000;
/// ... this many times whatever the queue does (about 64 ms in all) ...
const LOSS_WAIT_POLLS: u32 = 8;
/// ... and past those only while the queue's handling moved on since the
/// last look, this many times in all (about 190 ms); then it acts. So a
/// flood that keeps the queue long costs each connection a few more runs
/// of its timer work per deadline, not one per interval, and a slow host
/// whose queue is still draining toward the mark is waited for.
const LOSS_WAIT_POLLS_MAX: u32 = 12;

/// One MRC socket.
#[pin_data]
pub(crate) struct MrcSock {
    endpoint: Arc<Endpoint>,
    /// The namespace's controller state: where EV state changes go.
    control: Arc<Control>,
    slot: SockSlot,
    /// Bumped at every wake-up (see [`SockSlot::wait`]).
    seq: AtomicU32,
    /// Whether a send could queue (`io::sendable`) when the connection
    /// last ran (`drive`): sendmsg then leaves its early check to the one
    /// under the mutex. Only a hint; the mutex decides.
    send_open: AtomicBool,
    /// An accepted connection: the initiator's address and connection
    /// number, which repeated connect requests are matched by.
    origin: Option<listen::Origin>,
    /// SO_SNDBUF and SO_RCVBUF it starts with.
    buffers: (i32, i32),
    #[pin]
    inner: Mutex<Inner>,
    #[pin]
    timer: Timer<MrcSock>,
    #[pin]
    work: Work<MrcSock>,
}

kernel::impl_has_work! {
    impl HasWork<Self> for MrcSock { self.work }
}

/// What a socket must do once its mutex is dropped (`MrcSock::finish`).
#[derive(Default)]
#[must_use]
struct Deferred {
    /// Readiness changed: wake the waiters. Not under the mutex: a waiter
    /// woken meanwhile would only spin on it until the waker let go.
    wake: bool,
    /// Its handshake completed (`true`) or failed: tell the listener.
    parent: Option<(Arc<MrcSock>, bool)>,
}

impl MrcSock {
    fn new(
        endpoint: Arc<Endpoint>,
        control: Arc<Control>,
        origin: Option<listen::Origin>,
        cfg: SockConfig,
        paths: Paths,
        buffers: (i32, i32),
    ) -> Result<Arc<Self>> {
        let sock = Arc::pin_init(
            pin_init!(Self {
                endpoint,
                control,
                slot: SockSlot::new(),
                seq: AtomicU32::new(0),
                send_open: AtomicBool::new(false),
                origin,
                buffers,
                inner <- new_mutex!(Inner {
                    cfg,
                    paths,
                    local: None,
                    port_bound: false,
                    conn_no: None,
                    phase: Phase::Idle,
                    parent: None,
                    shut_rd: false,
                    shut_wr: false,
                    released: false,
                    retired: false,
                    orphan: false,
                    loss_wait: None,
                }),
                timer <- Timer::new(),
                work <- new_work!("MrcSock::work"),
            }),
            GFP_KERNEL,
        )?;
        sock.timer.bind(&sock);
        Ok(sock)
    }

    /// Wakes everything waiting on the socket.
    fn wake(&self) {
        self.seq.fetch_add(1, Ordering::AcqRel);
        self.slot.wake();
    }

    /// Blocks until `ready` returns a result, for at most `timeo` jiffies
    /// (0: do not block); then fails with `timeout_err`.
    fn wait<R>(
        &self,
        mut timeo: c_long,
        timeout_err: Error,
        mut ready: impl FnMut(&mut Inner) -> Option<Result<R>>,
    ) -> Result<R> {
        loop {
            let seen = self.seq.load(Ordering::Acquire);
            if let Some(r) = ready(&mut self.inner.lock()) {
                return r;
            }
            if timeo <= 0 {
                return Err(timeout_err);
            }
            timeo = self.slot.wait(&self.seq, seen, timeo)?;
        }
    }

    /// Runs the connection after an input, a timeout or a call: its events
    /// and packets; then re-arms the timer, or retires it once closed.
    fn drive(&self, g: &mut Inner) -> Deferred {
        let mut deferred = Deferred::default();
        let Phase::Conn(conn) = &mut g.phase else {
            return deferred;
        };
        if g.retired {
            return deferred;
        }
        let now = crate::clock::now_ns();
        let out: Outcome = conn.pump(&self.endpoint, now);
        if let Some(n) = g.conn_no {
            for ev in &out.ev_events {
                self.control.ev_state_changed(n.get(), g.cfg.ev_profile, ev);
            }
        }
        if out.connected {
            if let Some(parent) = g.parent.take() {
                deferred.parent = Some((parent, true));
            }
        }
        if let Some(reason) = out.closed {
            if let Some(parent) = g.parent.take() {
                deferred.parent = Some((parent, false));
            }
            if let Some(err) = close_error(reason) {
                self.slot.set_err(err);
            }
        }
        if matches!(conn.state(), ConnState::Closed(_)) {
            self.retire(g);
        } else if let Some(at) = conn.deadline() {
            self.timer.arm(at);
        }
        let open = matches!(io::sendable(g), Ok(true));
        self.send_open.store(open, Ordering::Relaxed);
        deferred.wake = out.wake;
        deferred
    }

    /// Takes the connection out of the tables and stops its timer.
    fn retire(&self, g: &mut Inner) {
        if g.retired {
            return;
        }
        g.retired = true;
        if core::mem::take(&mut g.orphan) {
            self.endpoint.orphans().release();
        }
        self.timer.cancel();
        if let Some(n) = g.conn_no.take() {
            self.endpoint.remove_conn(n);
        }
    }

    /// What `deferred` asks, the mutex dropped: the wake-up, and the
    /// listener's side.
    fn finish(this: ArcBorrow<'_, Self>, deferred: Deferred) {
        if deferred.wake {
            this.wake();
        }
        let Some((parent, established)) = deferred.parent else {
            return;
        };
        let mut pg = parent.inner.lock();
        if let Phase::Listening(l) = &mut pg.phase {
            let origin = this.origin.filter(|o| l.half_open.remove(o, &this));
            if let Some(origin) = origin {
                l.listener.half_open_done();
                if established {
                    if l.ready.push(origin, this.into()).is_err() {
                        drop(pg);
                        Arc::<Self>::from(this).abort();
                        return;
                    }
                }
            }
        }
        drop(pg);
        parent.wake();
    }

    /// The receive buffer limit: SO_RCVBUF, or for a child not yet
    /// accepted its listener's starting value.
    fn rcvbuf(&self) -> usize {
        match self.slot.bufsize(false) {
            0 => usize::try_from(self.buffers.1).unwrap_or(0),
            n => n,
        }
    }

    /// The child connection for the request `answered` (taken from this
    /// listener, whose port is `port`), registered in the tables under
    /// the number the accept gave it, not yet driven.
    fn spawn(
        self: &Arc<Self>,
        ep: &Endpoint,
        cfg: SockConfig,
        port: u16,
        answered: &listen::Answered,
        paths: Paths,
    ) -> Result<Arc<Self>> {
        let child = MrcSock::new(
            self.endpoint.clone(),
            self.control.clone(),
            Some(answered.origin),
            cfg,
            paths.try_clone()?,
            self.buffers,
        )?;
        let peer_addr = answered.origin.0;
        let paths = paths.with_profile(&self.control, cfg.ev_profile)?;
        let cc = cfg.cc_lease(&self.control)?;
        let mtu = ep.route_mtu(&paths.first_hop(&peer_addr))?;
        let conn_cfg = cfg.conn_config(&paths, cc.as_ref(), mtu);
        let conn_no = answered.core.responder_conn;
        ep.promote(conn_no, child.clone())?;
        let local = SockAddr {
            addr: answered.local,
            port,
            scope_id: 0,
        };
        let peer = SockAddr {
            addr: peer_addr,
            port: 0,
            scope_id: 0,
        };
        let conn = Conn::accept(
            conn_cfg,
            &answered.core,
            local,
            peer,
            paths,
            cc,
            ep.mem().clone(),
        )
        .inspect_err(|_| ep.remove_conn(conn_no))?;
        let mut cg = child.inner.lock();
        cg.local = Some(local);
        cg.conn_no = Some(conn_no);
        cg.parent = Some(self.clone());
        cg.phase = Phase::Conn(conn);
        drop(cg);
        Ok(child)
    }
}

/// The error a closed connection reports (SO_ERROR, failed calls); `None`
/// for a graceful end.
fn close_error(reason: CloseReason) -> Option<Error> {
    match reason {
        CloseReason::Finished | CloseReason::PeerReset(ResetReason::Finished) => None,
        CloseReason::LocalReset => None,
        CloseReason::Rejected(_) => Some(errno::econnrefused()),
        CloseReason::RetriesExhausted => Some(errno::etimedout()),
        CloseReason::PeerReset(_) | CloseReason::ProtocolError => Some(errno::econnreset()),
    }
}

impl MrcSock {
    /// A loss timer (`deadline`) came due at `now`: if packets that had
    /// reached the namespace's receive queue by then are not all handled,
    /// it waits for them (they may be the acknowledgements it would judge
    /// missing), looking again after [`LOSS_WAIT_FIRST_NS`], doubling;
    /// [`LOSS_WAIT_POLLS`] times in any case, then while the queue makes
    /// progress, at most [`LOSS_WAIT_POLLS_MAX`] times; returns whether it
    /// waits. TCP likewise runs a socket's backlog before its deferred
    /// retransmission timer. The mark is taken once per deadline and the
    /// queue is handled in order, so the wait ends when what was queued
    /// then is handled.
    fn defer_loss_timer(&self, wait: &mut Option<LossWait>, deadline: u64, now: u64) -> bool {
        let progress = self.endpoint.rx_progress();
        let w = match *wait {
            Some(w) if w.deadline == deadline => w,
            _ => LossWait {
                deadline,
                mark: self.endpoint.rx_mark(),
                progress,
                polls: 0,
            },
        };
        let moved = progress != w.progress;
        let more = w.polls < LOSS_WAIT_POLLS || (moved && w.polls < LOSS_WAIT_POLLS_MAX);
        if !more || self.endpoint.rx_handled(w.mark) {
            *wait = None;
            return false;
        }
        if w.polls == 0 {
            self.endpoint.count(Mib::LossTimersDeferred);
        }
        let interval = LOSS_WAIT_FIRST_NS << w.polls.min(LOSS_WAIT_POLLS - 1);
        self.timer.arm(now.saturating_add(interval));
        *wait = Some(LossWait {
            progress,
            polls: w.polls.saturating_add(1),
            ..w
        });
        true
    }
}

impl TimerHandler for MrcSock {
    fn fire(this: ArcBorrow<'_, Self>) {
        crate::ffi::work::enqueue::<MrcSock>(this.into());
    }
}

impl WorkItem for MrcSock {
    type Pointer = Arc<MrcSock>;

    /// The timer fired: let the core handle its timeouts (a listener's:
    /// its answered requests').
    fn run(this: Arc<MrcSock>) {
        let mut g = this.inner.lock();
        if g.retired {
            return;
        }
        let now = crate::clock::now_ns();
        let (cfg, released) = (g.cfg, g.released);
        let inner = &mut *g;
        match &mut inner.phase {
            Phase::Conn(conn) => {
                if let Some(at) = conn.deadline().filter(|&at| at <= now) {
                    if conn.core().loss_timer_due(now)
                        && this.defer_loss_timer(&mut inner.loss_wait, at, now)
                    {
                        return;
                    }
                    conn.core_mut().handle_timeout(now);
                }
            }
            Phase::Listening(l) if !released => {
                l.timer_at = l.on_timeout(&this.endpoint, now, &cfg.retry, cfg.accept_params());
                if let Some(at) = l.timer_at {
                    this.timer.arm(at);
                }
                return;
            }
            _ => {}
        }
        let d = this.drive(&mut g);
        drop(g);
        Self::finish(this.as_arc_borrow(), d);
    }
}

impl Protocol for Mrc {
    const NAME: &'static [u8] = b"MRC";

    type Sock = MrcSock;

    /// MRC is message-oriented and reliable: SOCK_SEQPACKET only. Errors
    /// follow inet: an unsupported type is ESOCKTNOSUPPORT, an unknown
    /// protocol for a supported type EPROTONOSUPPORT.
    fn check(sock_type: i32, protocol: i32) -> Result<u16> {
        if sock_type != SOCK_SEQPACKET as i32 {
            return Err(errno::esocktnosupport());
        }
        const MRC: i32 = bindings::MRCPROTO_MRC as i32;
        match protocol {
            0 | MRC => Ok(MRC as u16),
            _ => Err(errno::eprotonosupport()),
        }
    }

    fn create(net: NetRef<'_>) -> Result<Arc<MrcSock>> {
        let state = net.state::<NetMrc>().ok_or(EINVAL)?;
        let d = state.defaults();
        MrcSock::new(
            state.endpoint().clone(),
            state.control().clone(),
            None,
            SockConfig::new(&d),
            Paths::default(),
            (d.wmem, d.rmem),
        )
    }

    fn buffer_sizes(sock: &MrcSock) -> (i32, i32) {
        sock.buffers
    }

    fn slot(sock: &MrcSock) -> &SockSlot {
        &sock.slot
    }

    /// close(2): a connection closes gracefully (its queued messages are
    /// still delivered, then RESET(FINISHED) ends it) and lives on until
    /// then, as one of the namespace's orphans, with bounded retries; past
    /// `net.mrc.max_orphans` it is reset at once. A listener resets its
    /// children.
    fn release(sock: Arc<MrcSock>) {
        let mut g = sock.inner.lock();
        let inner = &mut *g;
        inner.released = true;
        if let (Some(local), true) = (inner.local, inner.port_bound) {
            inner.port_bound = false;
            sock.endpoint.unbind_port(local.port);
        }
        match &mut inner.phase {
            Phase::Conn(conn) => {
                if conn.rx_bytes > 0 {
                    // Unread data: like TCP, the peer learns by a reset.
                    conn.core_mut().reset();
                } else {
                    conn.core_mut().close();
                }
                if !inner.retired && !matches!(conn.state(), ConnState::Closed(_)) {
                    if sock.endpoint.orphans().adopt() {
                        inner.orphan = true;
                        conn.core_mut().limit_retries(ORPHAN_EXP_CNT);
                    } else {
                        sock.endpoint.count(Mib::OrphanResets);
                        conn.core_mut().reset();
                    }
                }
                let d = sock.drive(&mut g);
                drop(g);
                MrcSock::finish(sock.as_arc_borrow(), d);
            }
            Phase::Listening(_) => {
                drop(g);
                sock.abort();
            }
            Phase::Idle => {}
        }
    }

    fn bind(sock: ArcBorrow<'_, MrcSock>, addr: &[u8]) -> Result {
        let a = SockAddr::parse(addr)?;
        if a.is_multicast() || !(a.is_unspecified() || sock.slot.may_use_source(&a.addr)) {
            return Err(errno::eaddrnotavail());
        }
        let mut g = sock.inner.lock();
        if g.local.is_some() || !matches!(g.phase, Phase::Idle) {
            return Err(EINVAL);
        }
        let port = if a.port == 0 {
            sock.endpoint.bind_any_port(sock.into())?
        } else {
            sock.endpoint.bind_port(a.port, sock.into())?;
            a.port
        };
        g.local = Some(SockAddr { port, ..a });
        g.port_bound = true;
        Ok(())
    }

    fn listen(sock: ArcBorrow<'_, MrcSock>, backlog: i32) -> Result {
        let mut g = sock.inner.lock();
        // The socket layer has capped it at net.core.somaxconn.
        let backlog = usize::try_from(backlog).unwrap_or(0).max(1);
        match &mut g.phase {
            Phase::Listening(l) => {
                l.backlog = backlog;
                return Ok(());
            }
            Phase::Conn(_) => return Err(EINVAL),
            Phase::Idle => {}
        }
        let port = match g.local {
            Some(l) => l.port,
            None => {
                let port = sock.endpoint.bind_any_port(sock.into())?;
                g.local = Some(SockAddr {
                    port,
                    ..SockAddr::default()
                });
                g.port_bound = true;
                port
            }
        };
        g.phase = Phase::Listening(Listen::new(port, backlog, g.cfg.max_half_open));
        Ok(())
    }

    fn accept(sock: ArcBorrow<'_, MrcSock>, nonblock: bool) -> Result<Arc<MrcSock>> {
        let timeo = sock.slot.timeo(false, nonblock);
        sock.wait(timeo, EAGAIN, |g| match &mut g.phase {
            Phase::Listening(l) => l.ready.take_oldest().map(Ok),
            _ => Some(Err(EINVAL)),
        })
    }

    fn connect(sock: ArcBorrow<'_, MrcSock>, addr: &[u8], nonblock: bool) -> Result {
        let peer = SockAddr::parse(addr)?;
        {
            let mut g = sock.inner.lock();
            match &g.phase {
                Phase::Conn(c) => {
                    return Err(match c.state() {
                        ConnState::Connecting if nonblock => errno::ealready(),
                        ConnState::Connecting => errno::ealready(),
                        _ => errno::eisconn(),
                    })
                }
                Phase::Listening(_) => return Err(EINVAL),
                Phase::Idle => {}
            }
            if peer.is_unspecified() || peer.is_multicast() || peer.port == 0 {
                return Err(EINVAL);
            }
            let mut local = match g.local {
                Some(l) => l,
                None => {
                    let port = sock.endpoint.bind_any_port(sock.into())?;
                    let l = SockAddr {
                        port,
                        ..SockAddr::default()
                    };
                    g.local = Some(l);
                    g.port_bound = true;
                    l
                }
            };
            if local.is_unspecified() {
                local.addr = sock.endpoint.source_for(&peer.addr)?;
            }
            let paths = g.paths.with_profile(&sock.control, g.cfg.ev_profile)?;
            let cc = g.cfg.cc_lease(&sock.control)?;
            let mtu = sock.endpoint.route_mtu(&paths.first_hop(&peer.addr))?;
            let cfg = g.cfg.conn_config(&paths, cc.as_ref(), mtu);
            let conn_no = sock.endpoint.add_conn(sock.into())?;
            let mem = sock.endpoint.mem().clone();
            let conn = Conn::connect(cfg, conn_no, local, peer, paths, cc, mem)
                .inspect_err(|_| sock.endpoint.remove_conn(conn_no))?;
            g.conn_no = Some(conn_no);
            g.local = Some(local);
            g.phase = Phase::Conn(conn);
            sock.endpoint.count(Mib::ActiveOpens);
            let d = sock.drive(&mut g);
            drop(g);
            MrcSock::finish(sock, d);
        }
        let timeo = sock.slot.timeo(true, nonblock);
        sock.wait(timeo, errno::einprogress(), |g| match &g.phase {
            Phase::Conn(c) => match c.state() {
                ConnState::Connecting => None,
                ConnState::Closed(r) => Some(Err(close_error(r).unwrap_or(errno::econnreset()))),
                _ => Some(Ok(())),
            },
            _ => Some(Err(EINVAL)),
        })
    }

    fn getname(sock: ArcBorrow<'_, MrcSock>, peer: bool, out: &mut [u8]) -> Result<usize> {
        let g = sock.inner.lock();
        let a = if peer {
            match &g.phase {
                Phase::Conn(c) if !matches!(c.state(), ConnState::Connecting) => c.peer,
                _ => return Err(errno::enotconn()),
            }
        } else {
            g.local.unwrap_or_default()
        };
        a.emit(out)
    }

    fn poll(sock: ArcBorrow<'_, MrcSock>) -> u32 {
        io::poll(&sock)
    }

    fn shutdown(sock: ArcBorrow<'_, MrcSock>, how: i32) -> Result {
        io::shutdown(sock, how)
    }

    fn sendmsg(sock: ArcBorrow<'_, MrcSock>, msg: &mut Msg<'_>, flags: u32) -> Result<usize> {
        io::sendmsg(sock, msg, flags)
    }

    fn recvmsg(sock: ArcBorrow<'_, MrcSock>, msg: &mut Msg<'_>, flags: u32) -> Result<usize> {
        io::recvmsg(sock, msg, flags)
    }

    fn setsockopt(sock: ArcBorrow<'_, MrcSock>, level: i32, name: i32, opt: OptIn) -> Result {
        options::set(&sock, level, name, opt)
    }

    fn getsockopt(sock: ArcBorrow<'_, MrcSock>, level: i32, name: i32, opt: &mut OptOut) -> Result {
        options::get(&sock, level, name, opt)
    }

    fn ioctl(sock: &MrcSock, cmd: Ioctl) -> Result<i32> {
        io::ioctl(sock, cmd)
    }
}
