//! The `struct sock` behind an AF_MRC socket, as the socket code uses it:
//! a counted reference that wakes and waits on the socket, and reads its
//! generic settings (buffer sizes, timeouts).

use super::bindings;
use core::ffi::c_long;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use kernel::error::Error;
use kernel::prelude::*;

/// The sock an MRC socket's state belongs to, once it has one (an accepted
/// connection gets it at accept(2)).
///
/// # Invariants
/// `sk` is null or a sock on which this slot holds a reference (taken by
/// [`SockSlot::attach`]); it is set at most once.
pub(crate) struct SockSlot {
    sk: AtomicPtr<bindings::sock>,
}

// SAFETY: a referenced sock may be used from any thread.
unsafe impl Send for SockSlot {}
// SAFETY: every use goes through the sock's own locking (wait queue, READ_ONCE).
unsafe impl Sync for SockSlot {}

impl SockSlot {
    pub(crate) const fn new() -> Self {
        Self {
            sk: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Takes a reference on `sk` and keeps it.
    ///
    /// # Safety
    /// `sk` must be a live sock.
    pub(super) unsafe fn attach(&self, sk: *mut bindings::sock) {
        // SAFETY: live, by the caller's guarantee.
        unsafe { bindings::mrc_sock_hold(sk) };
        let old = self.sk.swap(sk, Ordering::AcqRel);
        if !old.is_null() {
            // SAFETY: a second attach replaces the first reference (never
            // happens; kept balanced regardless).
            unsafe { bindings::mrc_sock_put(old) };
        }
    }

    fn get(&self) -> Option<*mut bindings::sock> {
        let sk = self.sk.load(Ordering::Acquire);
        (!sk.is_null()).then_some(sk)
    }

    /// Runs `f` with what it allocates with `__GFP_ACCOUNT` charged to the
    /// memory cgroup of the socket's creator, as the kernel charges socket
    /// memory, not to the task that runs it (the namespace's receive work).
    /// Without a sock, or outside any memory cgroup, as before.
    pub(crate) fn charged<R>(&self, f: impl FnOnce() -> R) -> R {
        let Some(sk) = self.get() else {
            return f();
        };
        // SAFETY: referenced by this slot (type invariant), so its memory
        // cgroup reference lives as long; the scope is this task's.
        let old = unsafe { bindings::mrc_sk_charge_begin(sk) };
        let r = f();
        // SAFETY: restores the scope `begin` replaced, on the same task,
        // with every scope `f` opened closed again.
        unsafe { bindings::mrc_sk_charge_end(old) };
        r
    }

    /// Wakes the tasks waiting on the socket (blocking calls, poll, epoll).
    pub(crate) fn wake(&self) {
        if let Some(sk) = self.get() {
            // SAFETY: referenced by this slot (type invariant); the wake-up
            // copes with an orphaned sock (no wait queue).
            unsafe { bindings::mrc_sk_wake(sk) };
        }
    }

    /// Records a pending error for SO_ERROR (positive errno).
    pub(crate) fn set_err(&self, err: Error) {
        if let Some(sk) = self.get() {
            // SAFETY: referenced (type invariant); a plain WRITE_ONCE.
            unsafe { bindings::mrc_sock_set_err(sk, err.to_errno().saturating_neg()) };
        }
    }

    /// SO_SNDBUF (`send`) or SO_RCVBUF, in bytes.
    pub(crate) fn bufsize(&self, send: bool) -> usize {
        match self.get() {
            Some(sk) => {
                // SAFETY: referenced (type invariant); a plain READ_ONCE.
                usize::try_from(unsafe { bindings::mrc_sock_bufsize(sk, send) }).unwrap_or(0)
            }
            None => 0,
        }
    }

    /// How long a send (`send`) or receive may block: SO_SNDTIMEO or
    /// SO_RCVTIMEO in jiffies, 0 if `nonblock`.
    pub(crate) fn timeo(&self, send: bool, nonblock: bool) -> c_long {
        match self.get() {
            // SAFETY: referenced (type invariant); reads a field.
            Some(sk) if send => unsafe { bindings::mrc_sock_sndtimeo(sk, nonblock) },
            // SAFETY: as above.
            Some(sk) => unsafe { bindings::mrc_sock_rcvtimeo(sk, nonblock) },
            None => 0,
        }
    }

    /// Whether the calling task may use `addr` as its source: an address
    /// of the sock's namespace, or any with CAP_NET_RAW there (as
    /// IP_FREEBIND and IP_TRANSPARENT are gated).
    pub(crate) fn may_use_source(&self, addr: &[u8; 16]) -> bool {
        let Some(sk) = self.get() else {
            return false;
        };
        let a = bindings::in6_addr {
            in6_u: bindings::in6_addr__bindgen_ty_1 { u6_addr8: *addr },
        };
        // SAFETY: the sock is referenced (type invariant); `a` lives for
        // the call; both run in process context (the caller's bind).
        unsafe { bindings::mrc_sock_addr_local(sk, &a) || bindings::mrc_sock_net_raw_capable(sk) }
    }

    /// Sleeps until [`wake`](Self::wake) is called after `seq` was read as
    /// `seen`, or `timeo` jiffies pass; returns the jiffies left. A pending
    /// signal ends the wait with EINTR or ERESTARTSYS (SO_*TIMEO rules).
    /// Only for the process that owns the socket (it has a wait queue).
    pub(crate) fn wait(&self, seq: &AtomicU32, seen: u32, timeo: c_long) -> Result<c_long> {
        let Some(sk) = self.get() else {
            return Err(EINVAL);
        };
        // SAFETY: no locks are held by callers of `wait`.
        if unsafe { bindings::mrc_signal_pending() } {
            // SAFETY: pure computation on `timeo`.
            return Err(Error::from_errno(unsafe {
                bindings::mrc_sock_intr_errno(timeo)
            }));
        }
        // SAFETY: the sock is referenced and grafted to the calling
        // process's socket, so it has a wait queue; `seq` outlives the call.
        let left = unsafe { bindings::mrc_sk_wait(sk, seq.as_ptr(), seen, timeo) };
        // SAFETY: as above.
        if unsafe { bindings::mrc_signal_pending() } {
            // SAFETY: pure computation on `left`.
            return Err(Error::from_errno(unsafe {
                bindings::mrc_sock_intr_errno(left)
            }));
        }
        Ok(left)
    }
}

impl Drop for SockSlot {
    fn drop(&mut self) {
        if let Some(sk) = self.get() {
            // SAFETY: drops the reference this slot held (type invariant).
            unsafe { bindings::mrc_sock_put(sk) };
        }
    }
}

/// Raises SIGPIPE in the calling task (a send on a closed connection
/// without MSG_NOSIGNAL).
pub(crate) fn send_sigpipe() {
    // SAFETY: signals the current task, always valid in process context.
    unsafe { bindings::mrc_send_sigpipe() };
}
