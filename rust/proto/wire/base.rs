//! The MRC base header: 12 bytes laid out like the InfiniBand BTH, first in
//! every MRC packet (right after the UDP header).
//!
//! | byte | bits | field |
//! |------|------|-------|
//! | 0 | 7–0 | opcode (see [`Opcode`]) |
//! | 1 | 7–6 | trim code: 0 not trimmed, 1 trimmed, 2 trimmed at the last hop, 3 invalid |
//! | 1 | 5–4 | reserved, 0 |
//! | 1 | 3–0 | version, [`WIRE_VERSION`] (BTH TVer) |
//! | 2–3 | | partition key (BTH P_Key) |
//! | 4 | | reserved, 0 (BTH FECN/BECN byte) |
//! | 5–7 | | destination connection number, 24 bits (BTH DestQP) |
//! | 8 | 7 | ack request (BTH A) |
//! | 8 | 6–0 | reserved, 0 |
//! | 9–11 | | PSN, 24 bits |
//!
//! The trim code is written by a trimming switch (or the simulator) when it
//! cuts a data packet to its headers; senders always write 0.

use super::cursor::{Reader, Writer};
use super::{Opcode, WireError};
use crate::proto::psn::Psn;

/// The base header's version nibble this code speaks.
pub const WIRE_VERSION: u8 = 0;

const TRIM_SHIFT: u32 = 6;
const FLAGS_RESERVED: u8 = 0x30;
const VERSION_MASK: u8 = 0x0F;
const ACK_REQ: u8 = 0x80;

/// A 24-bit connection number (the InfiniBand QP number's counterpart).
///
/// # Invariants
/// The inner value is below `2^24`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct ConnNumber(u32);

impl ConnNumber {
    /// Connection number 0: "no connection" (probes, connect requests).
    pub const NONE: ConnNumber = ConnNumber(0);
    /// The largest connection number.
    pub const MAX: u32 = 0x00FF_FFFF;

    /// The connection number `value`, or `None` if it exceeds 24 bits.
    pub const fn new(value: u32) -> Option<ConnNumber> {
        if value > Self::MAX {
            None
        } else {
            Some(ConnNumber(value))
        }
    }

    /// The connection number in the low 24 bits of a wire field.
    pub(super) const fn from_wire(field: u32) -> ConnNumber {
        ConnNumber(field & Self::MAX)
    }

    /// The numeric value.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// True for [`ConnNumber::NONE`].
    pub const fn is_none(self) -> bool {
        self.0 == 0
    }
}

/// Whether, and where, a switch trimmed this packet to its headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Trim {
    /// Not trimmed (what every sender writes).
    #[default]
    None,
    /// Trimmed inside the fabric: counts against the EV.
    Trimmed,
    /// Trimmed at the last hop (the receiver's link): not the path's fault.
    TrimmedLastHop,
}

impl Trim {
    const fn from_bits(bits: u8) -> Result<Trim, WireError> {
        match bits {
            0 => Ok(Trim::None),
            1 => Ok(Trim::Trimmed),
            2 => Ok(Trim::TrimmedLastHop),
            _ => Err(WireError::BadTrimCode),
        }
    }

    const fn bits(self) -> u8 {
        match self {
            Trim::None => 0,
            Trim::Trimmed => 1,
            Trim::TrimmedLastHop => 2,
        }
    }
}

/// The base header, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BaseRepr {
    /// What the rest of the packet is.
    pub opcode: Opcode,
    /// Trim marking (data packets only).
    pub trim: Trim,
    /// Partition key.
    pub pkey: u16,
    /// The receiver's connection number ([`ConnNumber::NONE`] for
    /// connectionless packets).
    pub dest_conn: ConnNumber,
    /// The sender asks for an acknowledgement now (data packets only).
    pub ack_req: bool,
    /// The packet's PSN (data packets only; zero otherwise).
    pub psn: Psn,
}

// A deliberate twin of every extension's parse and emit: the same Reader and
// Writer steps over each header's own documented layout.
impl BaseRepr {
    /// Length of the base header in bytes.
    pub const LEN: usize = 12;

    /// Parses the base header at the start of `buf`; returns it and the
    /// bytes after it. Checks the header alone: the rules that tie base
    /// fields to the opcode are [`Packet::parse`](super::Packet::parse)'s.
    pub fn parse(buf: &[u8]) -> Result<(BaseRepr, &[u8]), WireError> {
        let mut r = Reader::new(buf);
        let opcode = r.u8()?;
        let flags = r.u8()?;
        let pkey = r.u16()?;
        let dest_conn = r.u24()?;
        let [ack_byte, psn_hi, psn_mid, psn_lo] = r.u32()?.to_be_bytes();
        if flags & VERSION_MASK != WIRE_VERSION {
            return Err(WireError::BadVersion);
        }
        if flags & FLAGS_RESERVED != 0 || ack_byte & !ACK_REQ != 0 {
            return Err(WireError::ReservedBitsSet);
        }
        let repr = BaseRepr {
            opcode: Opcode::from_u8(opcode)?,
            trim: Trim::from_bits(flags >> TRIM_SHIFT)?,
            pkey,
            dest_conn: ConnNumber::from_wire(dest_conn),
            ack_req: ack_byte & ACK_REQ != 0,
            psn: Psn::new_truncating(u32::from_be_bytes([0, psn_hi, psn_mid, psn_lo])),
        };
        Ok((repr, r.rest()))
    }

    /// Writes the base header to the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut w = Writer::new(buf);
        w.u8(self.opcode.to_u8())?;
        w.u8((self.trim.bits() << TRIM_SHIFT) | WIRE_VERSION)?;
        w.u16(self.pkey)?;
        w.u24(self.dest_conn.get())?;
        let [_, a, b, c] = self.psn.get().to_be_bytes();
        let ack_byte = if self.ack_req { ACK_REQ } else { 0 };
        w.u32(u32::from_be_bytes([ack_byte, a, b, c]))?;
        Ok(Self::LEN)
    }
}

#[cfg(test)]
// Each extension's tests share a shape (and wire/check.rs): deliberate twins
// over different samples and rules.
mod tests {
    use super::super::check;
    use super::*;
    use crate::proto::wire::DataKind;

    const SAMPLE: [u8; 12] = [
        0xC3, 0x40, 0xFF, 0xFF, 0, 0x12, 0x34, 0x56, 0x80, 0xAB, 0xCD, 0xEF,
    ];

    fn sample() -> BaseRepr {
        BaseRepr {
            opcode: Opcode::Data {
                kind: DataKind::Only,
                immediate: false,
            },
            trim: Trim::Trimmed,
            pkey: 0xFFFF,
            dest_conn: ConnNumber::new(0x12_3456).unwrap(),
            ack_req: true,
            psn: Psn::new(0xAB_CDEF).unwrap(),
        }
    }

    #[test]
    fn parses_and_emits_the_documented_layout() {
        check::layout(&SAMPLE, &sample(), BaseRepr::parse, BaseRepr::emit);
    }

    #[test]
    fn short_output_buffer_is_refused() {
        let mut out = [0u8; 11];
        assert_eq!(sample().emit(&mut out), Err(WireError::BufferTooSmall));
    }

    #[test]
    fn version_must_be_zero() {
        let mut b = SAMPLE;
        b[1] |= 0x01;
        assert_eq!(BaseRepr::parse(&b), Err(WireError::BadVersion));
    }

    #[test]
    fn reserved_bits_are_refused() {
        check::reserved_bits(
            &SAMPLE,
            &[
                (1, 0x10),
                (1, 0x20),
                (4, 0x01),
                (4, 0x80),
                (8, 0x01),
                (8, 0x40),
            ],
            BaseRepr::parse,
        );
    }

    #[test]
    fn trim_code_three_is_refused() {
        let mut b = SAMPLE;
        b[1] = 0xC0;
        assert_eq!(BaseRepr::parse(&b), Err(WireError::BadTrimCode));
    }

    #[test]
    fn bad_opcode_is_refused() {
        let mut b = SAMPLE;
        b[0] = 0x04;
        assert_eq!(BaseRepr::parse(&b), Err(WireError::BadOpcode));
    }

    #[test]
    fn conn_number_is_24_bits() {
        assert_eq!(ConnNumber::new(0x100_0000), None);
        assert_eq!(
            ConnNumber::new(0xFF_FFFF).map(ConnNumber::get),
            Some(0xFF_FFFF)
        );
        assert!(ConnNumber::NONE.is_none());
    }
}
