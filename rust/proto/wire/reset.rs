//! The reset extension header: one end tears the connection down at once.
//! Sent to the peer's connection number.
//!
//! | byte | field |
//! |------|-------|
//! | 0 | reason (see [`ResetReason`]) |
//! | 1–3 | the sender's next PSN: the receiver honours the reset only if it lies in its receive window, which an off-path sender cannot guess (as RFC 5961 asks of a TCP RST) |
//!
//! 4 bytes.

use super::{reason_psn, WireError};
use crate::proto::psn::Psn;

/// Why a connection was reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResetReason {
    /// The application closed the connection without a graceful end.
    Aborted,
    /// The retry budget (`linear_cnt`, `exp_cnt`) ran out.
    RetryExceeded,
    /// The peer broke the protocol.
    ProtocolError,
    /// A packet arrived for a connection number that does not exist here.
    UnknownConnection,
    /// A graceful close: every message the sender sent was acked, and it
    /// sends no more.
    Finished,
}

impl ResetReason {
    /// The reason for wire value `value`.
    pub const fn from_u8(value: u8) -> Result<ResetReason, WireError> {
        match value {
            1 => Ok(ResetReason::Aborted),
            2 => Ok(ResetReason::RetryExceeded),
            3 => Ok(ResetReason::ProtocolError),
            4 => Ok(ResetReason::UnknownConnection),
            5 => Ok(ResetReason::Finished),
            _ => Err(WireError::BadResetReason),
        }
    }

    /// The wire value.
    pub const fn to_u8(self) -> u8 {
        match self {
            ResetReason::Aborted => 1,
            ResetReason::RetryExceeded => 2,
            ResetReason::ProtocolError => 3,
            ResetReason::UnknownConnection => 4,
            ResetReason::Finished => 5,
        }
    }
}

/// The reset extension header, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResetRepr {
    /// Why.
    pub reason: ResetReason,
    /// The PSN the sender would send next.
    pub psn: Psn,
}

// A deliberate twin of connect_reject.rs's `ConnectRejectRepr`: the two share
// their layout (reason_psn.rs) but are separate messages of the protocol, each
// with its own reasons.
impl ResetRepr {
    /// Length of the reset extension in bytes.
    pub const LEN: usize = reason_psn::LEN;

    /// Parses the reset extension at the start of `buf`; returns it and
    /// the bytes after it.
    pub fn parse(buf: &[u8]) -> Result<(ResetRepr, &[u8]), WireError> {
        let (reason, psn, rest) = reason_psn::parse(buf, ResetReason::from_u8)?;
        Ok((ResetRepr { reason, psn }, rest))
    }

    /// Writes the reset extension to the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        reason_psn::emit(self.reason.to_u8(), self.psn, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;

    #[test]
    fn parses_and_emits_the_documented_layout() {
        let want = ResetRepr {
            reason: ResetReason::UnknownConnection,
            psn: Psn::new(0x01_0203).unwrap(),
        };
        check::layout(&[4, 1, 2, 3], &want, ResetRepr::parse, ResetRepr::emit);
    }

    #[test]
    fn reasons_round_trip_and_unknown_reasons_are_refused() {
        let (from, to) = (ResetReason::from_u8, ResetReason::to_u8);
        check::codes(from, to, WireError::BadResetReason);
        assert_eq!(
            ResetRepr::parse(&[6, 0, 0, 0]),
            Err(WireError::BadResetReason)
        );
    }

    #[test]
    fn truncation_is_refused() {
        assert_eq!(ResetRepr::parse(&[1]), Err(WireError::Truncated));
        assert_eq!(ResetRepr::parse(&[1, 0, 0]), Err(WireError::Truncated));
    }
}
