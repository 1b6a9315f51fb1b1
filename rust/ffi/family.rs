//! Registration of an address family with the socket layer: the
//! `net_proto_family`, `proto` and `proto_ops` tables, and the trampolines
//! through which C calls the family's safe code ([`Protocol`]).

use super::bindings;
use super::socket::Socket;
use core::ffi::c_int;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::error::{code, from_result, to_result};
use kernel::prelude::*;
use kernel::ThisModule;

/// What a socket family implements; called from the socket layer.
pub(crate) trait Protocol {
    /// The name of the `struct proto` (seen in /proc/net/protocols).
    const NAME: &'static [u8];

    /// Accepts or refuses socket(2) for a socket type and protocol number,
    /// before anything is allocated; returns the protocol number the sock
    /// records (0 selects the default).
    fn check(sock_type: i32, protocol: i32) -> Result<u16>;
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
                ops: bindings::proto_ops {
                    family,
                    owner,
                    release: Some(release),
                    bind: Some(bindings::sock_no_bind),
                    connect: Some(bindings::sock_no_connect),
                    socketpair: Some(bindings::sock_no_socketpair),
                    accept: Some(bindings::sock_no_accept),
                    getname: Some(bindings::sock_no_getname),
                    listen: Some(bindings::sock_no_listen),
                    shutdown: Some(bindings::sock_no_shutdown),
                    sendmsg: Some(bindings::sock_no_sendmsg),
                    recvmsg: Some(bindings::sock_no_recvmsg),
                    mmap: Some(bindings::sock_no_mmap),
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

/// `net_proto_family.create`: socket(2) for the family.
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
        let tables = TABLES.load(Ordering::Acquire);
        if tables.is_null() {
            return Err(super::errno::eafnosupport());
        }
        // SAFETY: `tables` is non-null, so the registration is alive, and it
        // outlives this call (sock_unregister waits for running creates).
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
        // SAFETY: `sock` is live and ours (above); `sk` was just allocated
        // for it; `ops` lives as long as the registration, and the module
        // cannot unload while this socket exists (ops.owner).
        unsafe {
            (*sock).state = bindings::socket_state_SS_UNCONNECTED;
            (*sock).ops = &(*tables).ops;
            bindings::sock_init_data(sock, sk);
            (*sk).sk_protocol = protocol;
            bindings::mrc_sock_inuse_add(sk, 1);
        }
        Ok(0)
    })
}

/// `proto_ops.release`: the last close of the socket.
unsafe extern "C" fn release(sock: *mut bindings::socket) -> c_int {
    // SAFETY: the socket layer passes a live socket, exclusively, on close.
    let sk = unsafe { (*sock).sk };
    if sk.is_null() {
        return 0;
    }
    // SAFETY: detach the sock from the socket being freed, then drop the
    // reference `create` took; the sock is freed with its last reference.
    unsafe {
        bindings::mrc_sock_inuse_add(sk, -1);
        bindings::mrc_sock_orphan(sk);
        (*sock).sk = ptr::null_mut();
        bindings::mrc_sock_put(sk);
    }
    0
}
