//! The namespace's budget for the messages its connections receive
//! (`net.mrc.mem`, in pages, as `tcp_mem`): what a peer can make this host
//! hold, whatever it announces.

use core::sync::atomic::{AtomicUsize, Ordering};

/// Bytes of one page, the unit of `net.mrc.mem`.
const PAGE: usize = 4096;

/// Received-message memory of one namespace, charged as buffers are
/// allocated and returned as they are read or freed.
pub(crate) struct MemPool {
    /// Bytes charged now.
    used: AtomicUsize,
    /// Above this many bytes the namespace is under pressure: a connection
    /// that already holds a message gets no room for another.
    pressure: AtomicUsize,
    /// No charge takes the namespace above this many bytes.
    max: AtomicUsize,
}

impl MemPool {
    pub(crate) const fn new() -> Self {
        Self {
            used: AtomicUsize::new(0),
            pressure: AtomicUsize::new(usize::MAX),
            max: AtomicUsize::new(usize::MAX),
        }
    }

    /// Sets the limits from `net.mrc.mem` (pages; `min` needs no action:
    /// below `pressure` nothing is refused).
    pub(crate) fn set_limits(&self, pressure_pages: i32, max_pages: i32) {
        let bytes = |pages: i32| usize::try_from(pages).unwrap_or(0).saturating_mul(PAGE);
        self.pressure
            .store(bytes(pressure_pages), Ordering::Relaxed);
        self.max.store(bytes(max_pages), Ordering::Relaxed);
    }

    /// Charges `bytes` for a connection that holds `held` bytes already;
    /// `false` (nothing charged) when the budget has no room for them.
    pub(crate) fn charge(&self, bytes: usize, held: usize) -> bool {
        let used = self
            .used
            .fetch_add(bytes, Ordering::Relaxed)
            .saturating_add(bytes);
        let over = used > self.max.load(Ordering::Relaxed)
            || (held > 0 && used > self.pressure.load(Ordering::Relaxed));
        if over {
            self.used.fetch_sub(bytes, Ordering::Relaxed);
        }
        !over
    }

    /// Returns `bytes` charged before.
    pub(crate) fn uncharge(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::Relaxed);
    }

    /// Bytes charged now.
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }
}
