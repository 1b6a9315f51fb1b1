//! The checks every extension's unit tests make, each against its own
//! documented sample bytes.

use super::WireError;
use core::fmt::Debug;

/// What an extension's `parse` returns: the header and the bytes after it.
type Parsed<'b, R> = Result<(R, &'b [u8]), WireError>;

/// `bytes` parses to `want` with nothing after it, `want` writes exactly
/// `bytes` (over a buffer of 0xFF, so every byte is written), and every
/// proper prefix of `bytes` is refused as truncated.
pub(super) fn layout<R: Debug + PartialEq>(
    bytes: &[u8],
    want: &R,
    parse: impl for<'b> Fn(&'b [u8]) -> Parsed<'b, R>,
    emit: impl Fn(&R, &mut [u8]) -> Result<usize, WireError>,
) {
    let (repr, rest) = parse(bytes).unwrap();
    assert_eq!(&repr, want);
    assert!(rest.is_empty());
    let mut out = vec![0xFF; bytes.len()];
    assert_eq!(emit(want, &mut out), Ok(bytes.len()));
    assert_eq!(out, bytes);
    truncations(bytes, parse);
}

/// Every proper prefix of `bytes` is refused as truncated.
pub(super) fn truncations<R: Debug + PartialEq>(
    bytes: &[u8],
    parse: impl for<'b> Fn(&'b [u8]) -> Parsed<'b, R>,
) {
    for len in 0..bytes.len() {
        assert_eq!(
            parse(&bytes[..len]),
            Err(WireError::Truncated),
            "{len} bytes"
        );
    }
}

/// `bytes` with any one of the reserved `(byte, bit)`s set is refused.
pub(super) fn reserved_bits<R: Debug + PartialEq>(
    bytes: &[u8],
    reserved: &[(usize, u8)],
    parse: impl for<'b> Fn(&'b [u8]) -> Parsed<'b, R>,
) {
    for &(byte, bit) in reserved {
        let mut b = bytes.to_vec();
        b[byte] |= bit;
        assert_eq!(
            parse(&b),
            Err(WireError::ReservedBitsSet),
            "byte {byte} bit {bit:#x}"
        );
    }
}

/// Every byte is either a code that writes back as itself or refused with
/// `unknown`; returns how many are codes.
pub(super) fn codes<C>(
    from_u8: impl Fn(u8) -> Result<C, WireError>,
    to_u8: impl Fn(C) -> u8,
    unknown: WireError,
) -> usize {
    let mut assigned = 0;
    for value in 0..=u8::MAX {
        match from_u8(value) {
            Ok(code) => {
                assigned += 1;
                assert_eq!(to_u8(code), value);
            }
            Err(e) => assert_eq!(e, unknown),
        }
    }
    assigned
}
