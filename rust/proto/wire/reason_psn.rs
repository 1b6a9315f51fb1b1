//! The layout the connect reject and reset extensions share, read and
//! written once: a reason byte, then a 24-bit PSN. Each extension keeps
//! its own reason codes and says what its PSN is.
//!
//! | byte | field |
//! |------|-------|
//! | 0 | reason (non-zero; its meaning depends on the extension) |
//! | 1–3 | a PSN |
//!
//! 4 bytes.

use super::cursor::{Reader, Writer};
use super::WireError;
use crate::proto::psn::Psn;

/// Length of a reason-and-PSN extension in bytes.
pub(super) const LEN: usize = 4;

/// Parses a reason byte, checked and converted by `reason`, and a PSN at
/// the start of `buf`; returns them and the bytes after.
pub(super) fn parse<R>(
    buf: &[u8],
    reason: fn(u8) -> Result<R, WireError>,
) -> Result<(R, Psn, &[u8]), WireError> {
    let mut r = Reader::new(buf);
    let reason = reason(r.u8()?)?;
    let psn = Psn::new_truncating(r.u24_packed()?);
    Ok((reason, psn, r.rest()))
}

/// Writes the wire value `reason` and `psn` to the start of `buf`; returns
/// [`LEN`].
pub(super) fn emit(reason: u8, psn: Psn, buf: &mut [u8]) -> Result<usize, WireError> {
    let mut w = Writer::new(buf);
    w.u8(reason)?;
    w.u24_packed(psn.get())?;
    Ok(LEN)
}
