//! Bit-string primitives over the 32-byte EV arrays: bit 0 is the most
//! significant bit of byte 0. Positions past the array read as zero and are
//! never written, so no input can index out of bounds.

use super::EV_BYTES;

/// Number of bits in an EV array.
pub(super) const EV_BITS: u32 = 256;

fn bit(buf: &[u8; EV_BYTES], pos: u32) -> u64 {
    let byte = buf.get((pos / 8) as usize).copied().unwrap_or(0);
    u64::from(byte.wrapping_shr(7u32.wrapping_sub(pos % 8)) & 1)
}

/// Reads `len` (≤ 64) bits at `at`, the first bit read becoming the most
/// significant of the result.
pub(super) fn read_bits(buf: &[u8; EV_BYTES], at: u32, len: u32) -> u64 {
    (0..len.min(64)).fold(0u64, |acc, i| {
        acc.wrapping_shl(1) | bit(buf, at.saturating_add(i))
    })
}

/// Writes the low `len` (≤ 64) bits of `value` at `at`, most significant first.
pub(super) fn write_bits(buf: &mut [u8; EV_BYTES], at: u32, len: u32, value: u64) {
    let len = len.min(64);
    for i in 0..len {
        let pos = at.saturating_add(i);
        let set = value.wrapping_shr(len.wrapping_sub(1).wrapping_sub(i)) & 1 != 0;
        if let Some(byte) = buf.get_mut((pos / 8) as usize) {
            let flag = 0x80u8.wrapping_shr(pos % 8);
            if set {
                *byte |= flag;
            } else {
                *byte &= !flag;
            }
        }
    }
}

/// True if any bit at position `at` or later is set.
pub(super) fn any_set_from(buf: &[u8; EV_BYTES], at: u32) -> bool {
    (at..EV_BITS).any(|pos| bit(buf, pos) != 0)
}

/// Deposits the low bits of `x` into the set bits of `mask`: walking the
/// mask from its least significant set bit upward, the j-th set bit
/// receives bit j of `x`.
pub(super) fn deposit(x: u64, mask: u64) -> u64 {
    let mut out = 0u64;
    let mut rest = mask;
    let mut j = 0u32;
    while rest != 0 {
        let lowest = rest & rest.wrapping_neg();
        if x.wrapping_shr(j) & 1 != 0 {
            out |= lowest;
        }
        rest &= !lowest;
        j = j.saturating_add(1);
    }
    out
}

/// A mask of the low `width` (≤ 64) bits.
pub(super) const fn low_mask(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width).wrapping_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_and_write_are_msb_first() {
        let mut buf = [0u8; EV_BYTES];
        write_bits(&mut buf, 4, 8, 0xAB);
        assert_eq!(buf[..2], [0x0A, 0xB0]);
        assert_eq!(read_bits(&buf, 4, 8), 0xAB);
        assert_eq!(read_bits(&buf, 0, 16), 0x0AB0);
        write_bits(&mut buf, 250, 64, u64::MAX);
        assert_eq!(buf[31], 0x3F);
        assert_eq!(read_bits(&buf, 250, 64), 0x3F << 58);
    }

    #[test]
    fn deposit_walks_mask_bits_upward() {
        assert_eq!(deposit(0b101, 0b1011_0000), 0b1001_0000);
        assert_eq!(deposit(0b111, 0b1011_0000), 0b1011_0000);
        assert_eq!(deposit(u64::MAX, 0), 0);
        assert_eq!(deposit(1, 1 << 63), 1 << 63);
    }

    #[test]
    fn stray_bit_detection() {
        let mut buf = [0u8; EV_BYTES];
        buf[31] = 1;
        assert!(any_set_from(&buf, 255));
        assert!(!any_set_from(&buf, 256));
        assert_eq!(low_mask(0), 0);
        assert_eq!(low_mask(64), u64::MAX);
    }
}
