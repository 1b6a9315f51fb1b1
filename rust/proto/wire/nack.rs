//! The NACK extension header: the responder refuses or reports one packet.
//!
//! | byte | field |
//! |------|-------|
//! | 0 | NACK code (see [`NackCode`]) |
//! | 1–3 | PSN of the packet concerned |
//! | 4–5 | EV index of that packet (echoed from its data extension) |
//! | 6–7 | reserved, 0 |
//!
//! 8 bytes.

use super::cursor::{Reader, Writer};
use super::WireError;
use crate::proto::psn::Psn;

/// Why the responder sent a NACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NackCode {
    /// The packet was trimmed inside the fabric: retransmit now, and count
    /// it against the EV.
    Trimmed,
    /// The packet was trimmed at the last hop: retransmit now; the path is
    /// not at fault.
    TrimmedLastHop,
    /// The PSN is outside the responder's window (beyond the MPR).
    PsnOutOfWindow,
    /// The responder had no resource for the packet (e.g. WIMM exhausted).
    NoResource,
    /// The packet was not expected in the connection's state.
    Unexpected,
}

impl NackCode {
    /// The NACK code for wire value `value`.
    pub const fn from_u8(value: u8) -> Result<NackCode, WireError> {
        match value {
            1 => Ok(NackCode::Trimmed),
            2 => Ok(NackCode::TrimmedLastHop),
            3 => Ok(NackCode::PsnOutOfWindow),
            4 => Ok(NackCode::NoResource),
            5 => Ok(NackCode::Unexpected),
            _ => Err(WireError::BadNackCode),
        }
    }

    /// The wire value.
    pub const fn to_u8(self) -> u8 {
        match self {
            NackCode::Trimmed => 1,
            NackCode::TrimmedLastHop => 2,
            NackCode::PsnOutOfWindow => 3,
            NackCode::NoResource => 4,
            NackCode::Unexpected => 5,
        }
    }
}

/// The NACK extension header, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NackRepr {
    /// Why.
    pub code: NackCode,
    /// The PSN of the packet concerned.
    pub psn: Psn,
    /// The EV index that packet carried.
    pub ev_index: u16,
}

// A deliberate twin of every extension's parse and emit: the same Reader and
// Writer steps over each header's own documented layout.
impl NackRepr {
    /// Length of the NACK extension in bytes.
    pub const LEN: usize = 8;

    /// Parses the NACK extension at the start of `buf`; returns it and the
    /// bytes after it.
    pub fn parse(buf: &[u8]) -> Result<(NackRepr, &[u8]), WireError> {
        let mut r = Reader::new(buf);
        let [code, psn_hi, psn_mid, psn_lo] = r.u32()?.to_be_bytes();
        let ev_index = r.u16()?;
        r.reserved::<2>()?;
        let repr = NackRepr {
            code: NackCode::from_u8(code)?,
            psn: Psn::new_truncating(u32::from_be_bytes([0, psn_hi, psn_mid, psn_lo])),
            ev_index,
        };
        Ok((repr, r.rest()))
    }

    /// Writes the NACK extension to the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut w = Writer::new(buf);
        let [_, psn_hi, psn_mid, psn_lo] = self.psn.get().to_be_bytes();
        w.u32(u32::from_be_bytes([
            self.code.to_u8(),
            psn_hi,
            psn_mid,
            psn_lo,
        ]))?;
        w.u16(self.ev_index)?;
        w.reserved::<2>()?;
        Ok(Self::LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;

    const SAMPLE: [u8; 8] = [2, 0x01, 0x02, 0x03, 0x00, 0x2A, 0, 0];

    fn sample() -> NackRepr {
        NackRepr {
            code: NackCode::TrimmedLastHop,
            psn: Psn::new(0x01_0203).unwrap(),
            ev_index: 42,
        }
    }

    #[test]
    fn parses_and_emits_the_documented_layout() {
        check::layout(&SAMPLE, &sample(), NackRepr::parse, NackRepr::emit);
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        check::codes(NackCode::from_u8, NackCode::to_u8, WireError::BadNackCode);
        let mut b = SAMPLE;
        b[0] = 0;
        assert_eq!(NackRepr::parse(&b), Err(WireError::BadNackCode));
        b[0] = 6;
        assert_eq!(NackRepr::parse(&b), Err(WireError::BadNackCode));
    }

    #[test]
    fn reserved_bytes_are_refused() {
        let mut b = SAMPLE;
        b[7] = 1;
        assert_eq!(NackRepr::parse(&b), Err(WireError::ReservedBitsSet));
    }
}
