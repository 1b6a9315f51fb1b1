//! The message sizes of a message-mode transfer, from the seed.
//!
//! Sender and receiver draw the same sequence, so the receiver knows the
//! length of every message before it arrives and a merged, split or
//! truncated message shows up at its index. The sizes are log-uniform
//! between `min` and `max`: an exponent `e` in
//! `floor(log2(min))..=floor(log2(max))` is drawn, then a size in
//! `[2^e, 2^(e+1))`, clamped to `[min, max]`; small and large messages both
//! occur often, and `max` itself about once every `floor(log2(max)) + 1`
//! draws when `min` is 1. `min == max` gives messages of one size.
//!
//! The generator is splitmix64 over `seed ^ SALT`; draw `r`, then
//! `e = floor(log2(min)) + r % (floor(log2(max)) - floor(log2(min)) + 1)`
//! and `size = clamp(2^e + (r >> 32) % 2^e, min, max)`.
//! selftests/mrc_client.c and selftests/mrc_client.py implement the same
//! for `min` 1, pinned by the same test vectors.

/// Mixed into the seed so the sizes are not the pattern's first words.
const SALT: u64 = 0x6d72_6373_697a_6573; // "mrcsizes"

/// The bounds of the message sizes (`msgwire::Hello` carries them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeRange {
    /// The smallest message, at least 1.
    pub min: u32,
    /// The largest message, at least `min`.
    pub max: u32,
}

impl SizeRange {
    /// Sizes from 1 byte up to `max`.
    #[cfg(test)]
    pub fn up_to(max: u32) -> Self {
        Self { min: 1, max }
    }
}

/// The size sequence of one direction of a transfer.
#[derive(Clone, Debug)]
pub struct Sizes {
    state: u64,
    min: u32,
    max: u32,
    /// floor(log2(min)).
    min_exp: u32,
    /// floor(log2(max)).
    max_exp: u32,
}

impl Sizes {
    /// The sequence of `seed`, sizes within `range` (both bounds raised to
    /// at least 1, `max` to at least `min`).
    pub fn new(seed: u64, range: SizeRange) -> Self {
        let min = range.min.max(1);
        let max = range.max.max(min);
        Self {
            state: seed ^ SALT,
            min,
            max,
            min_exp: 31 - min.leading_zeros(),
            max_exp: 31 - max.leading_zeros(),
        }
    }

    /// splitmix64.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// The next message size.
    pub fn next_size(&mut self) -> u32 {
        let r = self.next_u64();
        let e = self.min_exp + (r % u64::from(self.max_exp - self.min_exp + 1)) as u32;
        let lo = 1u64 << e;
        let size = lo + (r >> 32) % lo;
        size.clamp(u64::from(self.min), u64::from(self.max)) as u32
    }

    /// The next message size when `left` bytes remain to be sent (`None`:
    /// the transfer is timed, no limit).
    pub fn next_within(&mut self, left: Option<u64>) -> u32 {
        let s = self.next_size();
        left.map_or(s, |l| l.min(u64::from(s)) as u32)
    }
}

/// The seed of the server-to-client stream of a bidirectional transfer.
pub fn reverse_seed(seed: u64) -> u64 {
    !seed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned: mrc_client.c and mrc_client.py --selfcheck assert the same.
    #[test]
    fn vectors() {
        let mut s = Sizes::new(1, SizeRange::up_to(1 << 20));
        let got: Vec<u32> = (0..8).map(|_| s.next_size()).collect();
        assert_eq!(got, VECTOR_SEED1_1MIB);
        let mut s = Sizes::new(0xdead_beef, SizeRange::up_to(1000));
        let got: Vec<u32> = (0..8).map(|_| s.next_size()).collect();
        assert_eq!(got, VECTOR_SEED_DEADBEEF_1000);
    }

    const VECTOR_SEED1_1MIB: [u32; 8] = [224, 363, 7231, 7, 54, 316492, 738085, 14677];
    const VECTOR_SEED_DEADBEEF_1000: [u32; 8] = [1, 10, 55, 137, 508, 34, 1, 51];

    #[test]
    fn bounds_and_mix() {
        for max in [1u32, 2, 3, 1000, 65536, 1 << 20] {
            let mut s = Sizes::new(7, SizeRange::up_to(max));
            let v: Vec<u32> = (0..4000).map(|_| s.next_size()).collect();
            assert!(v.iter().all(|&x| (1..=max).contains(&x)), "max {max}");
            if max >= 1000 {
                // Every power-of-two band is hit, the maximum too.
                for e in 0..=(31 - max.leading_zeros()) {
                    let lo = 1u32 << e;
                    assert!(v.iter().any(|&x| x >= lo && x < lo.saturating_mul(2)));
                }
                assert!(v.contains(&max));
            }
        }
        assert_eq!(Sizes::new(3, SizeRange::up_to(0)).next_size(), 1);
    }

    #[test]
    fn a_range_bounds_and_spreads_them() {
        for (min, max) in [(8192u32, 8192u32), (1000, 1001), (4096, 1 << 20), (3, 2)] {
            let mut s = Sizes::new(9, SizeRange { min, max });
            let v: Vec<u32> = (0..4000).map(|_| s.next_size()).collect();
            let max = max.max(min);
            assert!(v.iter().all(|&x| (min..=max).contains(&x)), "{min}..={max}");
            assert!(v.contains(&max), "{min}..={max}");
        }
        let mut fixed = Sizes::new(
            9,
            SizeRange {
                min: 8192,
                max: 8192,
            },
        );
        assert!((0..100).all(|_| fixed.next_size() == 8192));
        // Log-uniform from the lower bound: its band is as common as the top's.
        let mut s = Sizes::new(
            9,
            SizeRange {
                min: 4096,
                max: 1 << 20,
            },
        );
        let v: Vec<u32> = (0..9000).map(|_| s.next_size()).collect();
        assert!(v.iter().filter(|&&x| x < 8192).count() > 700);
    }

    #[test]
    fn deterministic_per_seed() {
        let a: Vec<u32> = {
            let mut s = Sizes::new(42, SizeRange::up_to(1 << 20));
            (0..100).map(|_| s.next_size()).collect()
        };
        let mut s = Sizes::new(42, SizeRange::up_to(1 << 20));
        assert!(a.iter().all(|&x| x == s.next_size()));
        let mut o = Sizes::new(43, SizeRange::up_to(1 << 20));
        assert!(a.iter().filter(|&&x| x == o.next_size()).count() < 20);
    }

    #[test]
    fn limited_tail() {
        let mut s = Sizes::new(5, SizeRange::up_to(1 << 20));
        let (mut left, mut n) = (3u64 << 20, 0);
        while left > 0 {
            let m = s.next_within(Some(left));
            assert!(m >= 1 && u64::from(m) <= left);
            left -= u64::from(m);
            n += 1;
        }
        assert!(n > 3);
        assert_eq!(reverse_seed(reverse_seed(9)), 9);
        assert_ne!(reverse_seed(9), 9);
    }
}
