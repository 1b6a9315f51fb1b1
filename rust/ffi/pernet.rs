//! Per-network-namespace state: a `pernet_operations` registration that
//! gives every namespace its own `T`, created when the namespace is and
//! dropped when it goes away.

use super::bindings;
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_uint};
use core::marker::PhantomData;
use kernel::error::{from_result, to_result};
use kernel::prelude::*;

/// A network namespace, as its own state refers to it.
///
/// # Invariants
/// Only the namespace's state (created by [`NetState::new`]) holds one, so
/// the namespace outlives it.
#[derive(Clone)]
pub(crate) struct Net(*mut bindings::net);

// SAFETY: a namespace may be used from any thread while it lives, which it
// does as long as the handle (type invariant).
unsafe impl Send for Net {}
// SAFETY: as above; the handle is only a pointer.
unsafe impl Sync for Net {}

impl Net {
    /// The raw pointer, for calls into C.
    pub(crate) fn as_ptr(&self) -> *mut bindings::net {
        self.0
    }
}

/// The state a namespace holds for the module.
pub(crate) trait NetState: Sized + Send + Sync {
    /// Creates the state of a new namespace.
    fn new(net: &Net) -> Result<KBox<Self>>;
}

/// The generic-storage id the pernet core assigns at registration.
struct PernetId(UnsafeCell<c_uint>);

// SAFETY: written by register_pernet_subsys() before any callback runs and
// only read afterwards.
unsafe impl Sync for PernetId {}

/// One registration per module, hence one id.
static ID: PernetId = PernetId(UnsafeCell::new(0));

/// A pernet registration for state `T`; unregistered on drop, which drops
/// every namespace's `T`.
///
/// # Invariants
/// `ops` is registered with `register_pernet_subsys`.
pub(crate) struct Registration<T: NetState> {
    ops: KBox<bindings::pernet_operations>,
    _state: PhantomData<T>,
}

// SAFETY: the ops table is only read by C; unregistering works from any thread.
unsafe impl<T: NetState> Send for Registration<T> {}
// SAFETY: no `&self` methods.
unsafe impl<T: NetState> Sync for Registration<T> {}

impl<T: NetState> Registration<T> {
    /// Registers `T` and creates it for every existing namespace.
    pub(crate) fn register() -> Result<Self> {
        let mut ops = KBox::new(
            bindings::pernet_operations {
                init: Some(init::<T>),
                exit: Some(exit::<T>),
                id: ID.0.get(),
                size: core::mem::size_of::<*mut T>(),
                ..Default::default()
            },
            GFP_KERNEL,
        )?;
        // SAFETY: `ops` is heap-allocated and owned by the returned
        // registration, which unregisters it before freeing it.
        to_result(unsafe { bindings::register_pernet_subsys(&mut *ops) })?;
        // INVARIANT: registered above.
        Ok(Self {
            ops,
            _state: PhantomData,
        })
    }
}

impl<T: NetState> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: registered in `register` (type invariant); this calls
        // `exit` for every namespace, dropping each `T`.
        unsafe { bindings::unregister_pernet_subsys(&mut *self.ops) };
    }
}

/// The slot of `net`'s generic storage that holds our `*mut T`.
///
/// # Safety
/// `net` must be live and the registration for `T` in place.
unsafe fn slot<T>(net: *const bindings::net) -> *mut *mut T {
    // SAFETY: the caller guarantees `net` is live and our id assigned; the
    // pernet core allocated `size_of::<*mut T>()` bytes for it.
    unsafe { bindings::mrc_net_generic(net, *ID.0.get()).cast() }
}

/// The state `T` of a namespace.
///
/// # Safety
/// `net` must be live for `'a`, and `T` the type of the live registration.
pub(super) unsafe fn state<'a, T: NetState>(net: *const bindings::net) -> Option<&'a T> {
    // SAFETY: the caller guarantees `net` is live and registered for `T`;
    // the slot holds the box `init` stored, dropped only at `exit`, which
    // cannot run while the namespace is live.
    unsafe { (*slot::<T>(net)).cast_const().as_ref() }
}

/// # Safety
/// Called by the pernet core only, with a namespace being set up.
unsafe extern "C" fn init<T: NetState>(net: *mut bindings::net) -> c_int {
    from_result(|| {
        let state = T::new(&Net(net))?;
        // SAFETY: called by the pernet core for a live `net`, after it
        // assigned the generic storage for our id.
        unsafe { *slot::<T>(net) = KBox::into_raw(state) };
        Ok(0)
    })
}

/// # Safety
/// Called by the pernet core only, with a namespace being torn down whose
/// `init` succeeded.
unsafe extern "C" fn exit<T: NetState>(net: *mut bindings::net) {
    // SAFETY: called once per namespace whose `init` succeeded; the slot
    // holds the pointer `init` stored, turned back into the box it was.
    unsafe {
        let state = *slot::<T>(net);
        *slot::<T>(net) = core::ptr::null_mut();
        drop(KBox::from_raw(state));
    }
}
