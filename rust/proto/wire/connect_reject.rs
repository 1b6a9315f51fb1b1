//! The connect reject extension header: a listener refuses a connect
//! request. Sent to the initiator's connection number.
//!
//! | byte | field |
//! |------|-------|
//! | 0 | reason (see [`RejectReason`]) |
//! | 1–3 | the initiator's initial PSN, echoed from its request: the initiator honours the reject only if it matches, which an off-path sender cannot guess |
//!
//! 4 bytes.

use super::{reason_psn, WireError};
use crate::proto::psn::Psn;

/// Why a connect request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// Nothing listens on the destination MRC port.
    NoListener,
    /// The listener's backlog of half-open connections is full.
    BacklogFull,
    /// The EV or CC profile id is unknown or not ONLINE here.
    UnknownProfile,
    /// A parameter (MPR, WIMM, ...) is unacceptable to the responder.
    BadParameters,
    /// The responder has no memory or connection number to spare.
    NoResource,
}

impl RejectReason {
    /// The reason for wire value `value`.
    pub const fn from_u8(value: u8) -> Result<RejectReason, WireError> {
        match value {
            1 => Ok(RejectReason::NoListener),
            2 => Ok(RejectReason::BacklogFull),
            3 => Ok(RejectReason::UnknownProfile),
            4 => Ok(RejectReason::BadParameters),
            5 => Ok(RejectReason::NoResource),
            _ => Err(WireError::BadRejectReason),
        }
    }

    /// The wire value.
    pub const fn to_u8(self) -> u8 {
        match self {
            RejectReason::NoListener => 1,
            RejectReason::BacklogFull => 2,
            RejectReason::UnknownProfile => 3,
            RejectReason::BadParameters => 4,
            RejectReason::NoResource => 5,
        }
    }
}

/// The connect reject extension header, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnectRejectRepr {
    /// Why.
    pub reason: RejectReason,
    /// The initial PSN of the request refused.
    pub echo_psn: Psn,
}

// A deliberate twin of reset.rs's `ResetRepr`: the two share their layout
// (reason_psn.rs) but are separate messages of the protocol, each with its own
// reasons.
impl ConnectRejectRepr {
    /// Length of the connect reject extension in bytes.
    pub const LEN: usize = reason_psn::LEN;

    /// Parses the connect reject extension at the start of `buf`; returns
    /// it and the bytes after it.
    pub fn parse(buf: &[u8]) -> Result<(ConnectRejectRepr, &[u8]), WireError> {
        let (reason, echo_psn, rest) = reason_psn::parse(buf, RejectReason::from_u8)?;
        Ok((ConnectRejectRepr { reason, echo_psn }, rest))
    }

    /// Writes the connect reject extension to the start of `buf`; returns
    /// its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        reason_psn::emit(self.reason.to_u8(), self.echo_psn, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;

    #[test]
    fn parses_and_emits_the_documented_layout() {
        let want = ConnectRejectRepr {
            reason: RejectReason::BacklogFull,
            echo_psn: Psn::new(0x0A_0B0C).unwrap(),
        };
        let bytes = [2, 10, 11, 12];
        check::layout(
            &bytes,
            &want,
            ConnectRejectRepr::parse,
            ConnectRejectRepr::emit,
        );
    }

    #[test]
    fn reasons_round_trip_and_unknown_reasons_are_refused() {
        let (from, to) = (RejectReason::from_u8, RejectReason::to_u8);
        check::codes(from, to, WireError::BadRejectReason);
        assert_eq!(
            ConnectRejectRepr::parse(&[0, 0, 0, 0]),
            Err(WireError::BadRejectReason)
        );
        assert_eq!(
            ConnectRejectRepr::parse(&[6, 0, 0, 0]),
            Err(WireError::BadRejectReason)
        );
    }

    #[test]
    fn truncation_is_refused() {
        assert_eq!(
            ConnectRejectRepr::parse(&[1, 0, 0]),
            Err(WireError::Truncated)
        );
    }
}
