//! The fixed-size messages of both exchanges (`wire`'s Header, `msgwire`'s
//! Hello and End): an 8-byte magic, then big-endian integers at fixed
//! offsets; and the error of bytes that are not the message expected.

use std::io;

/// A message of `N` bytes: `magic`, then zeros for the fields.
pub fn framed<const N: usize>(magic: &[u8; 8]) -> [u8; N] {
    let mut b = [0u8; N];
    b[..8].copy_from_slice(magic);
    b
}

/// Whether `b` is a message of `len` bytes that starts with `magic`.
pub fn is_framed(b: &[u8], len: usize, magic: &[u8; 8]) -> bool {
    b.len() == len && b[..8] == *magic
}

/// Writes a field's big-endian bytes at offset `at`.
pub fn put(b: &mut [u8], at: usize, bytes: &[u8]) {
    b[at..at + bytes.len()].copy_from_slice(bytes);
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
