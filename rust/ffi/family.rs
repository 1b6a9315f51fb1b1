//! Registration of an address family with the socket layer: the
//! `net_proto_family`, `proto` and `proto_ops` tables, and the trampolines
//! through which C calls the family's safe code ([`Protocol`]).

use super::bindings;
use super::msg::{Msg, OptIn, OptOut};
use super::sock::SockSlot;
use super::socket::Socket;
use core::ffi::{c_char, c_int, c_uint, c_ulong};
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::error::{code, from_result, to_result};
use kernel::prelude::*;
use kernel::sync::{Arc, ArcBorrow};
use kernel::uaccess::UserSlice;
use kernel::ThisModule;

/// What a socket family implements; called from the socket layer in
/// process context. `Sock` is the per-socket state, kept in an [`Arc`]
/// that the sock's `sk_user_data` holds until release.
pub(crate) trait Protocol {
    /// The name of the `struct proto` (seen in /proc/net/protocols).
    const NAME: &'static [u8];

    /// Per-socket state.
    type Sock: Send + Sync + 'static;

    /// Accepts or refuses socket(2) for a socket type and protocol number,
    /// before anything is allocated; returns the protocol number the sock
    /// records (0 selects the default).
    fn check(sock_type: i32, protocol: i32) -> Result<u16>;

    /// The state of a new socket in namespace `net`.
    fn create(net: NetRef<'_>) -> Result<Arc<Self::Sock>>;

    /// SO_SNDBUF and SO_RCVBUF a new sock starts with.
    fn buffer_sizes(sock: &Self::Sock) -> (i32, i32);

    /// Where the state keeps its sock.
    fn slot(sock: &Self::Sock) -> &SockSlot;

    /// The last close(2).
    fn release(sock: Arc<Self::Sock>);

    /// bind(2) with the caller's address bytes.
    fn bind(sock: ArcBorrow<'_, Self::Sock>, addr: &[u8]) -> Result;

    /// connect(2).
    fn connect(sock: ArcBorrow<'_, Self::Sock>, addr: &[u8], nonblock: bool) -> Result;

    /// listen(2).
    fn listen(sock: ArcBorrow<'_, Self::Sock>, backlog: i32) -> Result;

    /// accept(2): the state of the accepted connection.
    fn accept(sock: ArcBorrow<'_, Self::Sock>, nonblock: bool) -> Result<Arc<Self::Sock>>;

    /// getsockname(2) (`peer` false) or getpeername(2): writes the address
    /// into `out` and returns its length.
    fn getname(sock: ArcBorrow<'_, Self::Sock>, peer: bool, out: &mut [u8]) -> Result<usize>;

    /// poll(2) readiness (EPOLL* bits).
    fn poll(sock: ArcBorrow<'_, Self::Sock>) -> u32;

    /// shutdown(2).
    fn shutdown(sock: ArcBorrow<'_, Self::Sock>, how: i32) -> Result;

    /// sendmsg(2) with MSG_* `flags`; returns the bytes sent.
    fn sendmsg(sock: ArcBorrow<'_, Self::Sock>, msg: &mut Msg<'_>, flags: u32) -> Result<usize>;

    /// recvmsg(2) with MSG_* `flags`; returns the bytes (or, with
    /// MSG_TRUNC, the message length).
    fn recvmsg(sock: ArcBorrow<'_, Self::Sock>, msg: &mut Msg<'_>, flags: u32) -> Result<usize>;

    /// setsockopt(2) below SOL_SOCKET.
    fn setsockopt(sock: ArcBorrow<'_, Self::Sock>, level: i32, name: i32, opt: OptIn) -> Result;

    /// getsockopt(2) below SOL_SOCKET.
    fn getsockopt(
        sock: ArcBorrow<'_, Self::Sock>,
        level: i32,
        name: i32,
        opt: &mut OptOut,
    ) -> Result;

    /// ioctl(2) `cmd`: the `int` it answers. Called without the caller's
    /// locks held by this layer; the answer is copied to the user after
    /// the call returns.
    fn ioctl(sock: &Self::Sock, cmd: Ioctl) -> Result<i32>;
}

/// The ioctl(2) commands a family answers; the socket layer gets
/// ENOIOCTLCMD for any other, as from UDP.
pub(crate) enum Ioctl {
    /// SIOCINQ (FIONREAD): the length of the next message recvmsg returns.
    InQueue,
    /// SIOCOUTQ: the bytes sent and not yet acknowledged.
    OutQueue,
}

/// The network namespace of a socket being created, borrowed for the call.
pub(crate) struct NetRef<'a> {
    net: *mut bindings::net,
    _call: PhantomData<&'a bindings::net>,
}

impl<'a> NetRef<'a> {
    /// The namespace's state `T` (registered with [`pernet`](super::pernet)).
    pub(crate) fn state<T: super::pernet::NetState>(&self) -> Option<&'a T> {
        // SAFETY: the namespace is live during the call that lent us
        // `net` (the socket being created holds a reference on it).
        unsafe { super::pernet::state::<T>(self.net) }
    }
}

/// The C tables the socket layer holds pointers to while registered.
struct Tables {
    family: bindings::net_proto_family,
    proto: bindings::proto,
    ops: bindings::proto_ops,
}

/// The registered family's tables, for `create`, which gets no context
/// pointer from the socket layer. Non-null exactly while a [`Registration`]
/// lives; there is at most one.
static TABLES: AtomicPtr<Tables> = AtomicPtr::new(ptr::null_mut());

/// A registered address family; unregistered on drop.
///
/// # Invariants
/// `tables` is registered with `proto_register` and `sock_register` and is
/// what [`TABLES`] points to.
pub(crate) struct Registration {
    tables: KBox<Tables>,
}

// SAFETY: the tables are only read by C after registration, and dropping
// the registration (unregistering) is safe from any thread.
unsafe impl Send for Registration {}
// SAFETY: `Registration` has no methods taking `&self`.
unsafe impl Sync for Registration {}

impl Registration {
    /// Registers address family number `family` for `T`. Fails with EEXIST
    /// when another protocol already holds the slot.
    pub(crate) fn register<T: Protocol>(family: i32, module: &'static ThisModule) -> Result<Self> {
        let af_max = bindings::AF_MAX as i32;
        if family <= 0 || family >= af_max {
            return Err(code::EINVAL);
        }
        let owner = module.as_ptr().cast::<bindings::module>();
        let mut tables = KBox::new(
            Tables {
                family: bindings::net_proto_family {
                    family,
                    create: Some(create::<T>),
                    owner,
                },
                proto: bindings::proto {
                    owner,
                    obj_size: core::mem::size_of::<bindings::sock>() as u32,
                    ..Default::default()
                },
                // Every entry that the socket layer calls without a NULL
                // check is set, to the family's or a `sock_no_*`. Left NULL
                // are only the optional hooks whose every caller in 6.12
                // checks first and falls back: gettstamp (ENOIOCTLCMD),
                // compat_ioctl (the native ioctl), show_fdinfo,
                // splice_read (copy_splice_read over recvmsg), splice_eof,
                // set_peek_off (EOPNOTSUPP), set_rcvlowat (sk_rcvlowat),
                // and peek_len, read_sock, read_skb, which only TCP/UDP
                // users (vhost, sockmap, strparser) reach.
                ops: bindings::proto_ops {
                    family,
                    owner,
                    release: Some(release::<T>),
                    bind: Some(bind::<T>),
                    connect: Some(connect::<T>),
                    socketpair: Some(bindings::sock_no_socketpair),
                    accept: Some(accept::<T>),
                    getname: Some(getname::<T>),
                    poll: Some(poll::<T>),
                    ioctl: Some(ioctl::<T>),
                    listen: Some(listen::<T>),
                    shutdown: Some(shutdown::<T>),
                    setsockopt: Some(setsockopt::<T>),
                    getsockopt: Some(getsockopt::<T>),
                    sendmsg: Some(sendmsg::<T>),
                    recvmsg: Some(recvmsg::<T>),
                    mmap: Some(bindings::sock_no_mmap),
                    sendmsg_locked: Some(bindings::sock_no_sendmsg_locked),
                    ..Default::default()
                },
            },
            GFP_KERNEL,
        )?;
        for (dst, src) in tables.proto.name.iter_mut().zip(T::NAME) {
            *dst = *src as _;
        }
        let raw: *mut Tables = &mut *tables;
        if TABLES
            .compare_exchange(ptr::null_mut(), raw, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(code::EBUSY);
        }
        // SAFETY: `proto` lives in the heap allocation owned by the returned
        // registration, which unregisters it before freeing it.
        if let Err(e) = to_result(unsafe { bindings::proto_register(&mut tables.proto, 1) }) {
            TABLES.store(ptr::null_mut(), Ordering::Release);
            return Err(e);
        }
        // SAFETY: as above for `family`; `create` finds the tables through
        // TABLES, set before this call.
        if let Err(e) = to_result(unsafe { bindings::sock_register(&tables.family) }) {
            // SAFETY: registered just above, not yet visible to sockets.
            unsafe { bindings::proto_unregister(&mut tables.proto) };
            TABLES.store(ptr::null_mut(), Ordering::Release);
            return Err(e);
        }
        // INVARIANT: both registrations succeeded and TABLES points here.
        Ok(Self { tables })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: registered in `register` (type invariant). sock_unregister
        // waits (synchronize_rcu) until no `create` can still run; sockets
        // already created pin the module through `ops.owner`, so none is
        // left when the module unloads.
        unsafe {
            bindings::sock_unregister(self.tables.family.family);
            bindings::proto_unregister(&mut self.tables.proto);
        }
        TABLES.store(ptr::null_mut(), Ordering::Release);
    }
}

/// Allocates the sock of `sock` in `net` and attaches `state` to it.
///
/// # Safety
/// `sock` must be a live socket without a sock, owned by the caller;
/// `net` live.
unsafe fn attach<T: Protocol>(
    net: *mut bindings::net,
    sock: *mut bindings::socket,
    protocol: u16,
    kern: c_int,
    state: Arc<T::Sock>,
) -> Result {
    let tables = TABLES.load(Ordering::Acquire);
    if tables.is_null() {
        return Err(super::errno::eafnosupport());
    }
    // SAFETY: `tables` is non-null, so the registration is alive, and it
    // outlives this call (sock_unregister waits for running creates; the
    // socket being accepted pins the module).
    let sk = unsafe {
        bindings::sk_alloc(
            net,
            (*tables).family.family,
            bindings::MRC_GFP_KERNEL,
            &mut (*tables).proto,
            kern,
        )
    };
    if sk.is_null() {
        return Err(super::errno::enobufs());
    }
    // SAFETY: `sock` is live and ours (caller); `sk` was just allocated
    // for it; `ops` lives as long as the registration, and the module
    // cannot unload while this socket exists (ops.owner). `sk_user_data`
    // takes over the reference of `state` until `release`.
    unsafe {
        (*sock).ops = &(*tables).ops;
        bindings::sock_init_data(sock, sk);
        (*sk).sk_protocol = protocol;
        ((*sk).sk_sndbuf, (*sk).sk_rcvbuf) = T::buffer_sizes(&state);
        T::slot(&state).attach(sk);
        (*sk).sk_user_data = Arc::into_raw(state).cast_mut().cast();
        bindings::mrc_sock_inuse_add(sk, 1);
    }
    Ok(())
}

/// `net_proto_family.create`: socket(2) for the family.
///
/// # Safety
/// Called by the socket layer only, with a `socket` being created in
/// `net`, before any other operation on it.
unsafe extern "C" fn create<T: Protocol>(
    net: *mut bindings::net,
    sock: *mut bindings::socket,
    protocol: c_int,
    kern: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: the socket layer passes a live socket that nothing else
        // touches during `create`.
        let socket = unsafe { Socket::from_raw(sock) };
        let protocol = T::check(socket.sock_type(), protocol)?;
        let state = T::create(NetRef {
            net,
            _call: PhantomData,
        })?;
        // SAFETY: the socket layer passes a live socket without a sock,
        // and a live net.
        unsafe {
            (*sock).state = bindings::socket_state_SS_UNCONNECTED;
            attach::<T>(net, sock, protocol, kern, state)?;
        }
        Ok(0)
    })
}

/// The state of `sock`, borrowed for a call from the socket layer.
///
/// # Safety
/// `sock` must be a live socket of this family, in a call from the socket
/// layer other than `release` (so its sock and state are attached).
unsafe fn state<'a, T: Protocol>(sock: *mut bindings::socket) -> ArcBorrow<'a, T::Sock> {
    // SAFETY: `sk_user_data` holds the reference `attach` stored, which
    // only `release` takes back, and the socket layer does not run
    // `release` concurrently with other calls on the socket.
    unsafe { ArcBorrow::from_raw((*(*sock).sk).sk_user_data as *const T::Sock) }
}

/// `proto_ops.release`: the last close of the socket.
///
/// # Safety
/// Called by the socket layer only, once, with a socket this family
/// created; no other operation on it runs or follows.
unsafe extern "C" fn release<T: Protocol>(sock: *mut bindings::socket) -> c_int {
    // SAFETY: the socket layer passes a live socket, exclusively, on close.
    let sk = unsafe { (*sock).sk };
    if sk.is_null() {
        return 0;
    }
    // SAFETY: take back the state reference `attach` stored; detach the
    // sock from the socket being freed and drop the reference `create`
    // took (the state's slot may still hold one).
    unsafe {
        let state = Arc::from_raw((*sk).sk_user_data as *const T::Sock);
        (*sk).sk_user_data = ptr::null_mut();
        bindings::mrc_sock_inuse_add(sk, -1);
        bindings::mrc_sock_orphan(sk);
        (*sock).sk = ptr::null_mut();
        T::release(state);
        bindings::mrc_sock_put(sk);
    }
    0
}

/// The address bytes of a bind(2) or connect(2) call.
///
/// # Safety
/// `addr` must point to `len` readable bytes (the socket layer's kernel
/// copy of the user's address).
unsafe fn addr_bytes<'a>(addr: *mut bindings::sockaddr, len: c_int) -> Result<&'a [u8]> {
    let len = usize::try_from(len).map_err(|_| EINVAL)?;
    if addr.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: guaranteed by the caller.
    Ok(unsafe { core::slice::from_raw_parts(addr.cast::<u8>(), len) })
}

/// `proto_ops.bind`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.bind`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn bind<T: Protocol>(
    sock: *mut bindings::socket,
    addr: *mut bindings::sockaddr,
    len: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: a live socket of ours, in a socket-layer call; the
        // address is the layer's kernel copy of `len` bytes.
        let (s, addr) = unsafe { (state::<T>(sock), addr_bytes(addr, len)?) };
        T::bind(s, addr).map(|()| 0)
    })
}

/// `proto_ops.connect`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.connect`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn connect<T: Protocol>(
    sock: *mut bindings::socket,
    addr: *mut bindings::sockaddr,
    len: c_int,
    flags: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: as in `bind`.
        let (s, addr) = unsafe { (state::<T>(sock), addr_bytes(addr, len)?) };
        let nonblock = flags as u32 & bindings::O_NONBLOCK != 0;
        let result = T::connect(s, addr, nonblock);
        // SAFETY: a live socket in a socket-layer call; `state` tracks
        // connect(2) progress for the socket layer.
        unsafe {
            (*sock).state = match result {
                Ok(()) => bindings::socket_state_SS_CONNECTED,
                Err(e) if e == super::errno::einprogress() => bindings::socket_state_SS_CONNECTING,
                Err(_) => (*sock).state,
            };
        }
        result.map(|()| 0)
    })
}

// One trampoline per `proto_ops` entry, each with the C signature of its slot:
// twins by design (listen and shutdown the closest); what they share is in
// `state` and `from_result`.
/// `proto_ops.listen`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.listen`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn listen<T: Protocol>(sock: *mut bindings::socket, backlog: c_int) -> c_int {
    // SAFETY: a live socket of ours, in a socket-layer call.
    let s = unsafe { state::<T>(sock) };
    from_result(|| T::listen(s, backlog).map(|()| 0))
}

/// `proto_ops.accept`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.accept`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn accept<T: Protocol>(
    sock: *mut bindings::socket,
    newsock: *mut bindings::socket,
    arg: *mut bindings::proto_accept_arg,
) -> c_int {
    from_result(|| {
        // SAFETY: a live socket of ours and its accept argument, in a
        // socket-layer call.
        let (s, flags, kern) = unsafe { (state::<T>(sock), (*arg).flags, (*arg).kern) };
        let nonblock = flags as u32 & bindings::O_NONBLOCK != 0;
        let child = T::accept(s, nonblock)?;
        let kept = child.clone();
        // SAFETY: `sock` is live, so is its sock and namespace; `newsock`
        // is the new socket the layer allocated for the connection,
        // without a sock yet.
        let attached = unsafe {
            let sk = (*sock).sk;
            let net = bindings::mrc_sock_net(sk);
            attach::<T>(net, newsock, (*sk).sk_protocol, c_int::from(kern), child)
        };
        if let Err(e) = attached {
            // Taken from the queue but given no socket: closed at once, as
            // if accepted and closed, so it does not live on unowned.
            T::release(kept);
            return Err(e);
        }
        // SAFETY: as above; the new socket now has its sock.
        unsafe { (*newsock).state = bindings::socket_state_SS_CONNECTED };
        Ok(0)
    })
}

/// `proto_ops.getname`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.getname`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn getname<T: Protocol>(
    sock: *mut bindings::socket,
    addr: *mut bindings::sockaddr,
    peer: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: a live socket of ours; `addr` is the layer's
        // `sockaddr_storage` (128 bytes).
        let (s, out) = unsafe {
            (
                state::<T>(sock),
                core::slice::from_raw_parts_mut(addr.cast::<u8>(), 128),
            )
        };
        let len = T::getname(s, peer != 0, out)?;
        Ok(len as c_int)
    })
}

/// `proto_ops.poll`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.poll`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn poll<T: Protocol>(
    file: *mut bindings::file,
    sock: *mut bindings::socket,
    wait: *mut bindings::poll_table_struct,
) -> bindings::__poll_t {
    // SAFETY: the layer passes a live file, socket and poll table.
    unsafe { bindings::mrc_sock_poll_wait(file, sock, wait) };
    // SAFETY: a live socket of ours, in a socket-layer call.
    let s = unsafe { state::<T>(sock) };
    T::poll(s)
}

/// `proto_ops.ioctl`: SIOCINQ and SIOCOUTQ; ENOIOCTLCMD for the rest.
///
/// # Safety
/// `sock` must be a live socket of this family, in a socket-layer call.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.ioctl`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn ioctl<T: Protocol>(
    sock: *mut bindings::socket,
    cmd: c_uint,
    arg: c_ulong,
) -> c_int {
    let cmd = match cmd {
        bindings::MRC_SIOCINQ => Ioctl::InQueue,
        bindings::MRC_SIOCOUTQ => Ioctl::OutQueue,
        _ => return super::errno::enoioctlcmd().to_errno(),
    };
    // SAFETY: a live socket of ours, in a socket-layer call (caller).
    let s = unsafe { state::<T>(sock) };
    from_result(|| {
        let answer = T::ioctl(&s, cmd)?;
        // `arg` is the caller's pointer; UserSlice checks it.
        UserSlice::new(arg as usize, core::mem::size_of::<c_int>())
            .writer()
            .write(&answer)?;
        Ok(0)
    })
}

// A deliberate twin of `listen` (see there).
/// `proto_ops.shutdown`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.shutdown`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn shutdown<T: Protocol>(sock: *mut bindings::socket, how: c_int) -> c_int {
    // SAFETY: a live socket of ours, in a socket-layer call.
    let s = unsafe { state::<T>(sock) };
    from_result(|| T::shutdown(s, how).map(|()| 0))
}

/// `proto_ops.sendmsg`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.sendmsg`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn sendmsg<T: Protocol>(
    sock: *mut bindings::socket,
    msg: *mut bindings::msghdr,
    _len: usize,
) -> c_int {
    from_result(|| {
        // SAFETY: a live socket of ours and the call's message header.
        let (s, mut m) = unsafe { (state::<T>(sock), Msg::from_raw(msg)) };
        // SAFETY: as above.
        let flags = unsafe { (*msg).msg_flags };
        let n = T::sendmsg(s, &mut m, flags)?;
        Ok(c_int::try_from(n).unwrap_or(c_int::MAX))
    })
}

/// `proto_ops.recvmsg`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.recvmsg`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn recvmsg<T: Protocol>(
    sock: *mut bindings::socket,
    msg: *mut bindings::msghdr,
    _len: usize,
    flags: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: a live socket of ours and the call's message header.
        let (s, mut m) = unsafe { (state::<T>(sock), Msg::from_raw(msg)) };
        let n = T::recvmsg(s, &mut m, flags as u32)?;
        Ok(c_int::try_from(n).unwrap_or(c_int::MAX))
    })
}

/// `proto_ops.setsockopt`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.setsockopt`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn setsockopt<T: Protocol>(
    sock: *mut bindings::socket,
    level: c_int,
    name: c_int,
    val: bindings::sockptr_t,
    len: core::ffi::c_uint,
) -> c_int {
    // SAFETY: a live socket of ours, in a socket-layer call.
    let s = unsafe { state::<T>(sock) };
    from_result(|| T::setsockopt(s, level, name, OptIn::new(val, len)).map(|()| 0))
}

/// `proto_ops.getsockopt`.
///
/// # Safety
/// Called by the socket layer only, as `proto_ops.getsockopt`, with a socket
/// this family created and has not released, and pointers valid for the
/// call as that operation's contract gives them.
unsafe extern "C" fn getsockopt<T: Protocol>(
    sock: *mut bindings::socket,
    level: c_int,
    name: c_int,
    val: *mut c_char,
    len: *mut c_int,
) -> c_int {
    // SAFETY: a live socket of ours, in a socket-layer call.
    let s = unsafe { state::<T>(sock) };
    let mut out = OptOut::new(val, len);
    from_result(|| T::getsockopt(s, level, name, &mut out).map(|()| 0))
}
