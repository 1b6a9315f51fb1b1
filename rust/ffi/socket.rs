//! Borrowed views of `struct socket` for the socket code.

use super::bindings;
use kernel::types::Opaque;

/// A `struct socket` (the BSD side of a socket), borrowed during a call
/// from the socket layer.
///
/// # Invariants
/// The wrapped object is a live `struct socket` for the borrow's lifetime.
#[repr(transparent)]
pub(crate) struct Socket(Opaque<bindings::socket>);

impl Socket {
    /// # Safety
    /// `ptr` must point to a live `struct socket` that outlives `'a`, and
    /// no other Rust reference to it may exist during `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::socket) -> &'a Self {
        // SAFETY: `Socket` is `repr(transparent)` over the C struct and the
        // caller guarantees it is live for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The socket type asked of socket(2) (`SOCK_SEQPACKET`, ...).
    pub(crate) fn sock_type(&self) -> i32 {
        // SAFETY: by the type invariant the struct is live; `type_` is a
        // plain field written once by the socket layer before `create`.
        i32::from(unsafe { (*self.0.get()).type_ })
    }
}
