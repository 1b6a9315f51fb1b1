//! A one-shot high-resolution timer (a soft hrtimer on the monotonic
//! clock) embedded in an `Arc`-owned object, calling back into it from
//! softirq.

use super::bindings;
use core::marker::PhantomData;
use kernel::prelude::*;
use kernel::sync::{Arc, ArcBorrow};
use kernel::types::Opaque;

/// What a [`Timer`] calls when it fires, in softirq context.
pub(crate) trait TimerHandler: Send + Sync + Sized {
    /// The timer expired.
    fn fire(this: ArcBorrow<'_, Self>);
}

/// A timer inside a `T` that lives in an [`Arc`].
///
/// # Invariants
/// Once [`Timer::bind`] ran, the C timer's context is the address of the
/// `Arc<T>` data that contains this timer. The owner calls
/// [`Timer::cancel`] before the last reference to the `T` can be dropped,
/// and does not arm it afterwards, so the callback never runs on a `T`
/// whose count reached zero.
#[pin_data(PinnedDrop)]
pub(crate) struct Timer<T: TimerHandler> {
    #[pin]
    raw: Opaque<bindings::mrc_timer>,
    bound: core::sync::atomic::AtomicBool,
    _owner: PhantomData<T>,
}

// SAFETY: the hrtimer API may be called from any thread.
unsafe impl<T: TimerHandler> Send for Timer<T> {}
// SAFETY: as above; hrtimer_start/cancel serialize internally.
unsafe impl<T: TimerHandler> Sync for Timer<T> {}

impl<T: TimerHandler> Timer<T> {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            raw: Opaque::uninit(),
            bound: core::sync::atomic::AtomicBool::new(false),
            _owner: PhantomData,
        })
    }

    /// Initializes the timer for `owner`, the `Arc` that contains it. Must
    /// be called once, before [`arm`](Self::arm).
    pub(crate) fn bind(&self, owner: &Arc<T>) {
        let ctx: *const T = &**owner;
        // SAFETY: `raw` is pinned memory of this timer; `ctx` is the data
        // pointer of the Arc that contains it (type invariant).
        unsafe { bindings::mrc_timer_init(self.raw.get(), Some(fire::<T>), ctx.cast()) };
        self.bound
            .store(true, core::sync::atomic::Ordering::Release);
    }

    /// (Re)arms the timer to fire at `at_ns` on the monotonic clock.
    pub(crate) fn arm(&self, at_ns: u64) {
        if self.bound.load(core::sync::atomic::Ordering::Acquire) {
            // SAFETY: initialized by `bind`.
            unsafe { bindings::mrc_timer_arm(self.raw.get(), at_ns) };
        }
    }

    /// Stops the timer, waiting for a running callback to finish.
    pub(crate) fn cancel(&self) {
        if self.bound.load(core::sync::atomic::Ordering::Acquire) {
            // SAFETY: initialized by `bind`; may sleep-free spin until the
            // callback is done, which never waits on the caller.
            unsafe { bindings::mrc_timer_cancel(self.raw.get()) };
        }
    }
}

#[pinned_drop]
impl<T: TimerHandler> PinnedDrop for Timer<T> {
    fn drop(self: Pin<&mut Self>) {
        self.cancel();
    }
}

/// # Safety
/// Called by the C timer helper only, with the context `Timer::bind` gave it,
/// while the timer is armed.
unsafe extern "C" fn fire<T: TimerHandler>(ctx: *const core::ffi::c_void) {
    // SAFETY: `ctx` is the data pointer of the Arc containing the timer
    // (`bind`), and that Arc's count cannot reach zero while the timer may
    // still run (type invariant of `Timer`).
    let this = unsafe { ArcBorrow::from_raw(ctx.cast::<T>()) };
    T::fire(this);
}
