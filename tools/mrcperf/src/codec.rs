//! The fixed-size messages of both exchanges (`wire`'s Header, `msgwire`'s
//! Hello and End): an 8-byte magic, then big-endian integers at fixed
//! offsets; and the error of bytes that are not the message expected.

use std::io;

/// A message of `N` bytes: `magic`, then each field's big-endian bytes at
/// its offset; the bytes between the fields are zero.
pub fn encode<const N: usize>(magic: &[u8; 8], fields: &[(usize, &[u8])]) -> [u8; N] {
    let mut b = [0u8; N];
    b[..8].copy_from_slice(magic);
    for &(at, bytes) in fields {
        b[at..at + bytes.len()].copy_from_slice(bytes);
    }
    b
}

/// `Some` if `b` is a message of `len` bytes that starts with `magic`.
pub fn framed(b: &[u8], len: usize, magic: &[u8; 8]) -> Option<()> {
    (b.len() == len && b.get(..8) == Some(&magic[..])).then_some(())
}

/// The big-endian `u32` at offset `at`.
pub fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The big-endian `u64` at offset `at`.
pub fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Seconds of a receiver's nanosecond count.
pub fn seconds(ns: u64) -> f64 {
    ns as f64 / 1e9
}

/// The error of bytes that are not what the exchange expects.
pub fn invalid(what: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_at_their_offsets_and_refusals() {
        let b: [u8; 20] = encode(
            b"ABCDEFGH",
            &[(8, &7u32.to_be_bytes()), (12, &9u64.to_be_bytes())],
        );
        assert_eq!(&b[..12], b"ABCDEFGH\0\0\0\x07");
        assert_eq!((u32_at(&b, 8), u64_at(&b, 12)), (Some(7), Some(9)));
        assert_eq!(u64_at(&b, 13), None);
        assert_eq!(framed(&b, 20, b"ABCDEFGH"), Some(()));
        assert_eq!(framed(&b, 21, b"ABCDEFGH"), None);
        assert_eq!(framed(&b[..4], 4, b"ABCDEFGH"), None);
        assert_eq!(framed(&b, 20, b"ABCDEFGX"), None);
    }
}
