//! Packet sequence numbers: 24 bits on the wire, wrapping, compared with
//! serial-number arithmetic (RFC 1982 style, half the space either way).
//!
//! `Psn` deliberately does not implement `Ord`: serial order is not
//! transitive across the whole space, so every comparison names its meaning
//! (`is_before`, `is_after`, `distance_to`).

use core::fmt;

/// A 24-bit packet sequence number.
///
/// # Invariants
/// The inner value is always below `2^24`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Psn(u32);

impl Psn {
    /// Number of significant bits.
    pub const BITS: u32 = 24;
    /// Mask of the significant bits.
    pub const MASK: u32 = (1 << Self::BITS) - 1;
    /// Half of the sequence space: the largest forward distance that still
    /// reads as "after".
    pub const HALF: u32 = 1 << (Self::BITS - 1);
    /// PSN zero.
    pub const ZERO: Psn = Psn(0);

    /// The PSN `value` modulo `2^24` (the upper 8 bits are dropped).
    pub const fn new_truncating(value: u32) -> Psn {
        Psn(value & Self::MASK)
    }

    /// The PSN `value`, or `None` if it does not fit in 24 bits.
    pub const fn new(value: u32) -> Option<Psn> {
        if value > Self::MASK {
            None
        } else {
            Some(Psn(value))
        }
    }

    /// The numeric value, below `2^24`.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// `self + n`, wrapping modulo `2^24`.
    pub const fn wrapping_add(self, n: u32) -> Psn {
        Psn(self.0.wrapping_add(n) & Self::MASK)
    }

    /// `self - n`, wrapping modulo `2^24`.
    pub const fn wrapping_sub(self, n: u32) -> Psn {
        Psn(self.0.wrapping_sub(n) & Self::MASK)
    }

    /// The next PSN (`self + 1`, wrapping).
    pub const fn next(self) -> Psn {
        self.wrapping_add(1)
    }

    /// Signed serial distance from `self` to `later`, in
    /// `-2^23 ..= 2^23 - 1`: positive if `later` is after `self`.
    ///
    /// A distance of exactly half the space reads as negative, so that
    /// `a.distance_to(b)` and `b.distance_to(a)` never both claim "after".
    pub const fn distance_to(self, later: Psn) -> i32 {
        let forward = later.0.wrapping_sub(self.0) & Self::MASK;
        if forward >= Self::HALF {
            // Sign-extend the 24-bit two's complement value.
            (forward | !Self::MASK) as i32
        } else {
            forward as i32
        }
    }

    /// Unsigned forward distance from `self` to `later` modulo `2^24`
    /// (how many increments take `self` to `later`).
    pub const fn forward_to(self, later: Psn) -> u32 {
        later.0.wrapping_sub(self.0) & Self::MASK
    }

    /// True if `self` comes strictly before `other` in serial order.
    pub const fn is_before(self, other: Psn) -> bool {
        self.distance_to(other) > 0
    }

    /// True if `self` comes strictly after `other` in serial order.
    pub const fn is_after(self, other: Psn) -> bool {
        other.is_before(self)
    }

    /// True if `self` lies in the half-open window `start .. start + len`
    /// (wrapping); `len` above half the space is clamped to it.
    pub const fn in_window(self, start: Psn, len: u32) -> bool {
        let len = if len > Self::HALF { Self::HALF } else { len };
        start.forward_to(self) < len
    }
}

impl fmt::Debug for Psn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Psn({})", self.0)
    }
}

impl fmt::Display for Psn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(v: u32) -> Psn {
        Psn::new(v).unwrap()
    }

    #[test]
    fn new_rejects_values_above_24_bits() {
        assert_eq!(Psn::new(0x00ff_ffff), Some(p(0xff_ffff)));
        assert_eq!(Psn::new(0x0100_0000), None);
        assert_eq!(Psn::new_truncating(0x0100_0005), p(5));
    }

    #[test]
    fn wrapping_add_and_sub_wrap_at_24_bits() {
        assert_eq!(p(0xff_ffff).next(), p(0));
        assert_eq!(p(0xff_fffe).wrapping_add(5), p(3));
        assert_eq!(p(2).wrapping_sub(5), p(0xff_fffd));
        assert_eq!(p(7).wrapping_add(u32::MAX), p(6));
    }

    #[test]
    fn distance_across_the_wrap() {
        assert_eq!(p(0xff_fff0).distance_to(p(0x10)), 0x20);
        assert_eq!(p(0x10).distance_to(p(0xff_fff0)), -0x20);
        assert_eq!(p(5).distance_to(p(5)), 0);
        assert!(p(0xff_ffff).is_before(p(0)));
        assert!(p(0).is_after(p(0xff_ffff)));
        assert!(!p(3).is_before(p(3)));
        assert!(!p(3).is_after(p(3)));
    }

    #[test]
    fn half_space_distance_is_negative_both_ways() {
        let a = p(0);
        let b = p(Psn::HALF);
        assert_eq!(a.distance_to(b), -(Psn::HALF as i32));
        assert_eq!(b.distance_to(a), -(Psn::HALF as i32));
        assert!(!a.is_before(b) && !b.is_before(a));
    }

    #[test]
    fn window_membership_wraps() {
        assert!(p(2).in_window(p(0xff_fffe), 8));
        assert!(!p(6).in_window(p(0xff_fffe), 8));
        assert!(!p(0xff_fffd).in_window(p(0xff_fffe), 8));
        assert!(!p(1).in_window(p(1), 0));
    }

    proptest! {
        #[test]
        fn add_then_distance_is_identity(a in 0u32..=Psn::MASK, n in 0u32..Psn::HALF) {
            let a = p(a);
            let b = a.wrapping_add(n);
            prop_assert_eq!(a.distance_to(b), n as i32);
            prop_assert_eq!(b.distance_to(a), -(n as i32));
            prop_assert_eq!(b.wrapping_sub(n), a);
            prop_assert_eq!(a.forward_to(b), n);
            prop_assert_eq!(n > 0, a.is_before(b));
            prop_assert_eq!(n > 0, b.is_after(a));
        }

        #[test]
        fn before_and_after_are_exclusive(a in 0u32..=Psn::MASK, b in 0u32..=Psn::MASK) {
            let (a, b) = (p(a), p(b));
            prop_assert!(!(a.is_before(b) && a.is_after(b)));
            prop_assert_eq!(a.is_before(b), b.is_after(a));
        }
    }
}
