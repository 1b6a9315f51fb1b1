//! The connect accept extension header: the responder's half of connection
//! set-up, sent to the initiator's connection number.
//!
//! | byte | bits | field |
//! |------|------|-------|
//! | 0 | | reserved, 0 |
//! | 1–3 | | responder's connection number (non-zero) |
//! | 4 | | reserved, 0 |
//! | 5–7 | | responder's initial PSN |
//! | 8–9 | | MPR: the responder's maximum packet reorder (`mpr_dest`), units of 128 PSNs, ≥ 1 |
//! | 10–11 | | WIMM: Write-with-Immediate operations the responder accepts in flight (`max_wimm_dest`) |
//! | 12 | 7 | dynamic MPR in use (both ends enabled it) |
//! | 12 | 6–0 | reserved, 0 |
//! | 13–15 | | the initiator's initial PSN, echoed from its request: the initiator honours the accept only if it matches, which an off-path sender cannot guess |
//!
//! 16 bytes.

use super::connect_request::DYNAMIC_MPR;
use super::cursor::{Reader, Writer};
use super::{ConnNumber, WireError};
use crate::proto::psn::Psn;

/// The connect accept extension header, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnectAcceptRepr {
    /// The responder's connection number.
    pub responder_conn: ConnNumber,
    /// The responder's first PSN.
    pub initial_psn: Psn,
    /// The responder's MPR (units of 128 PSNs).
    pub mpr: u16,
    /// Write-with-Immediate operations the responder accepts in flight.
    pub max_wimm: u16,
    /// Dynamic MPR is in use on this connection.
    pub dynamic_mpr: bool,
    /// The initial PSN of the request accepted.
    pub echo_psn: Psn,
}

// A deliberate twin of every extension's parse and emit, connect_request.rs's
// most: the accept's first fields match the request's, but they are separate
// messages of the protocol.
impl ConnectAcceptRepr {
    /// Length of the connect accept extension in bytes.
    pub const LEN: usize = 16;

    /// Parses the connect accept extension at the start of `buf`; returns
    /// it and the bytes after it.
    pub fn parse(buf: &[u8]) -> Result<(ConnectAcceptRepr, &[u8]), WireError> {
        let mut r = Reader::new(buf);
        let responder_conn = ConnNumber::from_wire(r.u24()?);
        let initial_psn = Psn::new_truncating(r.u24()?);
        let mpr = r.u16()?;
        let max_wimm = r.u16()?;
        let flags = r.u8()?;
        let echo_psn = Psn::new_truncating(r.u24_packed()?);
        if flags & !DYNAMIC_MPR != 0 {
            return Err(WireError::ReservedBitsSet);
        }
        let repr = ConnectAcceptRepr {
            responder_conn,
            initial_psn,
            mpr,
            max_wimm,
            dynamic_mpr: flags & DYNAMIC_MPR != 0,
            echo_psn,
        };
        repr.check()?;
        Ok((repr, r.rest()))
    }

    /// Writes the connect accept extension to the start of `buf`; returns
    /// its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        self.check()?;
        let mut w = Writer::new(buf);
        w.u24(self.responder_conn.get())?;
        w.u24(self.initial_psn.get())?;
        w.u16(self.mpr)?;
        w.u16(self.max_wimm)?;
        w.u8(if self.dynamic_mpr { DYNAMIC_MPR } else { 0 })?;
        w.u24_packed(self.echo_psn.get())?;
        Ok(Self::LEN)
    }

    fn check(&self) -> Result<(), WireError> {
        if self.responder_conn.is_none() {
            Err(WireError::ZeroConnNumber)
        } else if self.mpr == 0 {
            Err(WireError::ZeroMpr)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;

    const SAMPLE: [u8; 16] = [
        0, 0x0A, 0x0B, 0x0C, 0, 0, 0, 1, 0x01, 0x00, 0, 4, 0, 0, 0, 7,
    ];

    fn sample() -> ConnectAcceptRepr {
        ConnectAcceptRepr {
            responder_conn: ConnNumber::new(0x0A_0B0C).unwrap(),
            initial_psn: Psn::new(1).unwrap(),
            mpr: 256,
            max_wimm: 4,
            dynamic_mpr: false,
            echo_psn: Psn::new(7).unwrap(),
        }
    }

    #[test]
    fn parses_and_emits_the_documented_layout() {
        check::layout(
            &SAMPLE,
            &sample(),
            ConnectAcceptRepr::parse,
            ConnectAcceptRepr::emit,
        );
    }

    #[test]
    fn reserved_bits_and_zero_fields_are_refused() {
        check::reserved_bits(
            &SAMPLE,
            &[(0, 1), (4, 1), (12, 0x40)],
            ConnectAcceptRepr::parse,
        );
        let mut b = SAMPLE;
        b[1..4].fill(0);
        assert_eq!(ConnectAcceptRepr::parse(&b), Err(WireError::ZeroConnNumber));
        let mut b = SAMPLE;
        b[8] = 0;
        assert_eq!(ConnectAcceptRepr::parse(&b), Err(WireError::ZeroMpr));
    }
}
