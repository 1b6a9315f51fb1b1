//! The module's own workqueue, on which every namespace's receive work and
//! every connection's timer work runs. Destroying it at module unload
//! waits for queued work to finish.

use super::bindings;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::workqueue::{HasWork, Queue, WorkItem};

/// The queue while the module is loaded.
static QUEUE: AtomicPtr<bindings::workqueue_struct> = AtomicPtr::new(ptr::null_mut());

/// Ownership of the module's workqueue; destroyed on drop.
///
/// # Invariants
/// `raw` is a live workqueue that `QUEUE` points to; it is dropped only
/// after every object that enqueues work on it is gone (it is the module's
/// last field).
pub(crate) struct WorkQueue {
    raw: *mut bindings::workqueue_struct,
}

// SAFETY: a workqueue may be destroyed from any thread.
unsafe impl Send for WorkQueue {}
// SAFETY: no `&self` methods.
unsafe impl Sync for WorkQueue {}

impl WorkQueue {
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: plain allocation of a workqueue.
        let raw = unsafe { bindings::mrc_alloc_workqueue() };
        if raw.is_null() {
            return Err(ENOMEM);
        }
        QUEUE.store(raw, Ordering::Release);
        Ok(Self { raw })
    }
}

impl Drop for WorkQueue {
    fn drop(&mut self) {
        QUEUE.store(ptr::null_mut(), Ordering::Release);
        // SAFETY: live (type invariant); drains the work still queued.
        unsafe { bindings::destroy_workqueue(self.raw) };
    }
}

/// Queues `item`'s work unless it is already queued.
pub(crate) fn enqueue<T>(item: Arc<T>)
where
    T: WorkItem<Pointer = Arc<T>> + HasWork<T> + Send + Sync + 'static,
{
    let raw = QUEUE.load(Ordering::Acquire);
    if raw.is_null() {
        return;
    }
    // SAFETY: the queue lives while anything can enqueue on it (invariant
    // of `WorkQueue`).
    let queue = unsafe {
        Queue::from_raw(
            raw.cast::<kernel::bindings::workqueue_struct>()
                .cast_const(),
        )
    };
    // Already queued: the queued run will see the new state.
    let _ = queue.enqueue(item);
}
