//! Ring arithmetic the connection's tables share: the message slots, the
//! sent-packet records and the receive bitmap are each indexed by a
//! wrapping counter modulo a power of two.

/// The largest power of two at most `n` (0 for 0). It divides 2^32, so a
/// ring of that many slots, indexed by a wrapping `u32` counter, stays
/// consistent across the wrap.
pub(super) fn floor_pow2(n: u32) -> u32 {
    match n.checked_ilog2() {
        Some(log) => 1u32.checked_shl(log).unwrap_or(0),
        None => 0,
    }
}

/// Slots usable in `len` records, at most `max`: the largest power of two
/// that fits.
pub(super) fn usable(len: usize, max: u32) -> u32 {
    floor_pow2(u32::try_from(len).unwrap_or(u32::MAX).min(max))
}

/// Index of counter value `seq`'s slot among `slots` (a power of two).
pub(super) fn slot_of(seq: u32, slots: u32) -> usize {
    usize::try_from(seq & slots.saturating_sub(1)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::super::{messages, rx_psn, sent};
    use super::*;
    use crate::proto::psn::Psn;

    #[test]
    fn powers_of_two_within_the_bound() {
        assert_eq!(floor_pow2(0), 0);
        assert_eq!(floor_pow2(1), 1);
        assert_eq!(floor_pow2(u32::MAX), 1 << 31);
        assert_eq!(usable(100, 1 << 31), 64);
        assert_eq!(usable(usize::MAX, 1 << 31), 1 << 31);
    }

    #[test]
    fn message_slots_wrap() {
        assert_eq!(messages::usable_slots(100), 64);
        assert_eq!(messages::usable_slots(0), 0);
        assert_eq!(messages::slot_of(u32::MAX, 64), 63);
        assert_eq!(messages::slot_of(u32::MAX.wrapping_add(1), 64), 0);
    }

    #[test]
    fn sent_slots_are_powers_of_two_and_wrap_consistently() {
        assert_eq!(sent::usable_slots(0), 0);
        assert_eq!(sent::usable_slots(1000), 512);
        assert_eq!(sent::usable_slots(usize::MAX), 1 << 24);
        let top = Psn::new(Psn::MASK).unwrap();
        assert_eq!(sent::slot_of(top, 512), 511);
        assert_eq!(sent::slot_of(top.next(), 512), 0);
    }

    #[test]
    fn usable_bits_is_a_power_of_two_within_storage() {
        assert_eq!(rx_psn::usable_bits(0), 0);
        assert_eq!(rx_psn::usable_bits(1), 64);
        assert_eq!(rx_psn::usable_bits(3), 128);
        assert_eq!(rx_psn::usable_bits(1 << 20), 1 << 24);
    }
}
