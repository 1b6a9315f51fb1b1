//! Receiver PSN tracking: which PSNs within MPR × 128 past the cumulative
//! point have arrived, as a bitmap in caller storage (one bit per PSN, so
//! memory is bounded by the MPR, not by the traffic).

use super::slots;
use crate::proto::psn::Psn;

/// What the receive window says about one arriving PSN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RxPsn {
    /// First arrival: accept it.
    New,
    /// Already received (before or within the window).
    Duplicate,
    /// Too far ahead, or so far behind that it is stale.
    OutOfWindow,
}

/// The cumulative point and window length; the bits live in the caller's
/// `[u64]`, indexed by the PSN modulo a power of two that divides 2^24, so
/// the indexing stays consistent across the PSN wrap.
#[derive(Clone, Copy, Debug)]
pub(super) struct RxPsnWindow {
    /// Next PSN expected in order: every PSN before it has arrived.
    next: Psn,
    /// PSNs tracked past `next` (MPR × 128, bounded by the storage).
    len: u32,
    /// Mask of the bit index: storage bits rounded down to a power of two.
    index_mask: u32,
}

/// Storage bits usable for a `words`-long bitmap: the largest power of two
/// that fits, at most 2^24.
pub(super) fn usable_bits(words: usize) -> u32 {
    let bits = u32::try_from(words)
        .unwrap_or(u32::MAX)
        .saturating_mul(64)
        .min(1 << Psn::BITS);
    slots::floor_pow2(bits)
}

impl RxPsnWindow {
    /// A window starting at `first`, tracking `len` PSNs; `storage` is
    /// cleared. `len` is clamped to what `storage` can index.
    pub(super) fn new(first: Psn, len: u32, storage: &mut [u64]) -> Self {
        storage.iter_mut().for_each(|w| *w = 0);
        let bits = usable_bits(storage.len());
        RxPsnWindow {
            next: first,
            len: len.min(bits),
            index_mask: bits.saturating_sub(1),
        }
    }

    /// Next PSN expected in order.
    pub(super) fn next(&self) -> Psn {
        self.next
    }

    fn locate(&self, psn: Psn) -> (usize, u64) {
        let bit = psn.get() & self.index_mask;
        let word = usize::try_from(bit >> 6).unwrap_or(usize::MAX);
        (word, 1u64 << (bit & 63))
    }

    fn is_set(&self, storage: &[u64], psn: Psn) -> bool {
        let (word, mask) = self.locate(psn);
        storage.get(word).is_some_and(|w| w & mask != 0)
    }

    fn set(&self, storage: &mut [u64], psn: Psn, on: bool) {
        let (word, mask) = self.locate(psn);
        if let Some(w) = storage.get_mut(word) {
            if on {
                *w |= mask;
            } else {
                *w &= !mask;
            }
        }
    }

    /// Whether `psn` can be the PSN the sender sends next: at or past the
    /// next one expected here, by at most the window (the sender keeps no
    /// more in flight). An off-path sender guesses it with odds of about
    /// the window over 2^24.
    pub(super) fn admits_next(&self, psn: Psn) -> bool {
        let distance = self.next.distance_to(psn);
        distance >= 0 && distance.unsigned_abs() <= self.len
    }

    /// Classify `psn` without recording it.
    pub(super) fn check(&self, storage: &[u64], psn: Psn) -> RxPsn {
        let distance = self.next.distance_to(psn);
        if distance < 0 {
            if distance.unsigned_abs() <= self.len {
                RxPsn::Duplicate
            } else {
                RxPsn::OutOfWindow
            }
        } else if distance.unsigned_abs() >= self.len {
            RxPsn::OutOfWindow
        } else if self.is_set(storage, psn) {
            RxPsn::Duplicate
        } else {
            RxPsn::New
        }
    }

    /// Record `psn`, which [`check`](Self::check) classified as new, and
    /// advance the cumulative point over every PSN now contiguous.
    pub(super) fn record(&mut self, storage: &mut [u64], psn: Psn) {
        self.set(storage, psn, true);
        let mut steps = 0u32;
        while steps < self.len && self.is_set(storage, self.next) {
            self.set(storage, self.next, false);
            self.next = self.next.next();
            steps = steps.saturating_add(1);
        }
    }

    /// 64 bits of received state from `base` on (bit i: `base + i`
    /// arrived); PSNs before the cumulative point count as arrived.
    pub(super) fn bitmap(&self, storage: &[u64], base: Psn) -> u64 {
        let mut bits = 0u64;
        for i in 0..64u32 {
            let psn = base.wrapping_add(i);
            let arrived = match self.next.distance_to(psn) {
                d if d < 0 => true,
                d if d.unsigned_abs() < self.len => self.is_set(storage, psn),
                _ => false,
            };
            if arrived {
                bits |= 1u64 << i;
            }
        }
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_out_of_order_and_advances_across_the_wrap() {
        let mut words = vec![u64::MAX; 4];
        let start = Psn::new(Psn::MASK - 2).unwrap();
        let mut w = RxPsnWindow::new(start, 256, &mut words);
        assert_eq!(words, vec![0; 4]);
        let p = |k: u32| start.wrapping_add(k);
        assert_eq!(w.check(&words, p(2)), RxPsn::New);
        w.record(&mut words, p(2));
        assert_eq!(w.next(), start);
        assert_eq!(w.check(&words, p(2)), RxPsn::Duplicate);
        assert_eq!(w.bitmap(&words, start), 0b100);
        w.record(&mut words, p(0));
        w.record(&mut words, p(1));
        assert_eq!(w.next(), p(3));
        assert_eq!(w.next().get(), 0);
        assert_eq!(w.check(&words, p(1)), RxPsn::Duplicate);
        assert_eq!(w.bitmap(&words, start), 0b111);
        assert_eq!(w.check(&words, p(3 + 255)), RxPsn::New);
        assert_eq!(w.check(&words, p(3 + 256)), RxPsn::OutOfWindow);
        assert_eq!(w.check(&words, p(3).wrapping_sub(257)), RxPsn::OutOfWindow);
    }

    #[test]
    fn window_clamped_to_storage() {
        let mut words = vec![0u64; 2];
        let w = RxPsnWindow::new(Psn::ZERO, 1024, &mut words);
        assert_eq!(w.check(&words, Psn::new(127).unwrap()), RxPsn::New);
        assert_eq!(w.check(&words, Psn::new(128).unwrap()), RxPsn::OutOfWindow);
        let mut none: [u64; 0] = [];
        let w = RxPsnWindow::new(Psn::ZERO, 1024, &mut none);
        assert_eq!(w.check(&none, Psn::ZERO), RxPsn::OutOfWindow);
    }
}
