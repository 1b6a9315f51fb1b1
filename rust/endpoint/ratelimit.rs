//! A token bucket: how many replies a namespace may send now.

use core::sync::atomic::{AtomicU64, Ordering};

/// `rate` tokens a second, at most `burst` saved up. Lock-free: the
/// bucket's state is one word, the time (ns) at which it was last empty,
/// so a token is taken by moving that time forward one token's worth.
pub(crate) struct TokenBucket {
    /// ns a token takes to refill.
    per_token_ns: u64,
    /// ns of tokens the bucket holds when full.
    depth_ns: u64,
    /// The time the bucket would be empty at, given the tokens taken.
    empty_at: AtomicU64,
}

impl TokenBucket {
    pub(crate) const fn new(rate: u64, burst: u64) -> Self {
        let per_token_ns = match 1_000_000_000u64.checked_div(rate) {
            Some(ns) => ns,
            None => u64::MAX,
        };
        Self {
            per_token_ns,
            depth_ns: per_token_ns.saturating_mul(burst),
            empty_at: AtomicU64::new(0),
        }
    }

    /// Takes a token at time `now` (ns), if one is there.
    pub(crate) fn admit(&self, now: u64) -> bool {
        let mut seen = self.empty_at.load(Ordering::Relaxed);
        loop {
            // A bucket idle for long is full, not fuller.
            let from = seen.max(now.saturating_sub(self.depth_ns));
            let next = from.saturating_add(self.per_token_ns);
            if next > now {
                return false;
            }
            match self.empty_at.compare_exchange_weak(
                seen,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => seen = actual,
            }
        }
    }
}
