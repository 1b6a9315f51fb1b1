//! Connections whose sockets were closed while they still had work (a
//! graceful close waiting for acks): how many a namespace keeps at most
//! (`net.mrc.max_orphans`, as `tcp_max_orphans`).

use core::sync::atomic::{AtomicU32, Ordering};

/// The namespace's count of orphaned connections and its limit.
pub(crate) struct Orphans {
    count: AtomicU32,
    max: AtomicU32,
}

impl Orphans {
    pub(crate) const fn new() -> Self {
        Self {
            count: AtomicU32::new(0),
            max: AtomicU32::new(u32::MAX),
        }
    }

    pub(crate) fn set_max(&self, max: i32) {
        self.max
            .store(u32::try_from(max).unwrap_or(0), Ordering::Relaxed);
    }

    /// Counts one more orphan; `false` (nothing counted) at the limit.
    pub(crate) fn adopt(&self) -> bool {
        let max = self.max.load(Ordering::Relaxed);
        self.count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < max).then(|| n.saturating_add(1))
            })
            .is_ok()
    }

    /// An orphan is gone.
    pub(crate) fn release(&self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn count(&self) -> u32 {
        self.count.load(Ordering::Relaxed)
    }
}
