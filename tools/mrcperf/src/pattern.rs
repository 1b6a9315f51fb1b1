//! The deterministic byte stream the client sends and the server checks.
//!
//! Byte `o` of the stream is byte `o % 8` (little endian) of
//! `mix(seed ^ (o / 8))`, where `mix` is a bijection on u64 (a multiply by
//! an odd constant, then an xor-shift): any offset can be generated or
//! checked without state, no two 8-byte blocks of one stream are equal, so
//! a lost, duplicated or misplaced chunk shows up at its exact offset. It
//! is deliberately cheap (one multiply per 8 bytes): sender and receiver
//! share two emulated CPUs with the network stack under test.

/// A cheap bijection on u64.
fn mix(x: u64) -> u64 {
    let z = x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z ^ (z >> 29)
}

/// The pattern for one seed.
#[derive(Clone, Copy, Debug)]
pub struct Pattern {
    seed: u64,
}

impl Pattern {
    /// The pattern of `seed`.
    pub fn new(seed: u64) -> Self {
        Self { seed }
    }

    /// The 8-byte block that holds stream offset `8 * index`.
    fn block(&self, index: u64) -> [u8; 8] {
        mix(self.seed ^ index).to_le_bytes()
    }

    /// Fills `buf` with the stream's bytes starting at `offset`.
    pub fn fill(&self, offset: u64, buf: &mut [u8]) {
        let mut off = offset;
        let mut rest = buf;
        // Leading partial block.
        let skip = (off % 8) as usize;
        if skip != 0 {
            let b = self.block(off / 8);
            let n = (8 - skip).min(rest.len());
            rest[..n].copy_from_slice(&b[skip..skip + n]);
            rest = &mut rest[n..];
            off += n as u64;
        }
        let mut chunks = rest.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.block(off / 8));
            off += 8;
        }
        let tail = chunks.into_remainder();
        if !tail.is_empty() {
            let b = self.block(off / 8);
            let n = tail.len();
            tail.copy_from_slice(&b[..n]);
        }
    }

    /// Checks `buf` against the stream at `offset`; returns the stream
    /// offset of the first wrong byte, if any. `scratch` is reused storage.
    pub fn check(&self, offset: u64, buf: &[u8], scratch: &mut Vec<u8>) -> Option<u64> {
        scratch.resize(buf.len(), 0);
        self.fill(offset, scratch);
        if scratch[..] == buf[..] {
            return None;
        }
        buf.iter()
            .zip(scratch.iter())
            .position(|(a, b)| a != b)
            .map(|i| offset + i as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_is_position_independent() {
        let p = Pattern::new(42);
        let mut whole = vec![0u8; 1000];
        p.fill(0, &mut whole);
        // Any split, at any alignment, produces the same bytes.
        for start in [0usize, 1, 7, 8, 9, 13, 500, 999] {
            for len in [0usize, 1, 3, 8, 17, 1000 - start] {
                let len = len.min(1000 - start);
                let mut part = vec![0u8; len];
                p.fill(start as u64, &mut part);
                assert_eq!(part, whole[start..start + len], "start {start} len {len}");
            }
        }
    }

    #[test]
    fn check_finds_the_first_wrong_byte() {
        let p = Pattern::new(7);
        let mut buf = vec![0u8; 4096];
        p.fill(100, &mut buf);
        let mut scratch = Vec::new();
        assert_eq!(p.check(100, &buf, &mut scratch), None);
        buf[1234] ^= 1;
        buf[2000] ^= 1;
        assert_eq!(p.check(100, &buf, &mut scratch), Some(1334));
        // The right bytes at the wrong offset are wrong.
        let mut ok = vec![0u8; 64];
        p.fill(0, &mut ok);
        assert!(p.check(8, &ok, &mut scratch).is_some());
    }

    /// Pinned: selftests/mrc_client.c and mrc_client.py --selfcheck assert
    /// the same bytes.
    #[test]
    fn vectors() {
        let p = Pattern::new(0x1234);
        let mut b = [0u8; 16];
        p.fill(0, &mut b);
        assert_eq!(
            b,
            [76, 139, 68, 89, 161, 196, 211, 9, 141, 216, 124, 215, 95, 62, 11, 168]
        );
        p.fill(1_000_003, &mut b);
        assert_eq!(
            b,
            [170, 112, 155, 119, 73, 34, 177, 216, 93, 43, 21, 175, 231, 120, 227, 222]
        );
    }

    #[test]
    fn seeds_differ() {
        let (mut a, mut b) = (vec![0u8; 64], vec![0u8; 64]);
        Pattern::new(1).fill(0, &mut a);
        Pattern::new(2).fill(0, &mut b);
        assert!(a.iter().zip(&b).filter(|(x, y)| x == y).count() < 8);
    }
}
