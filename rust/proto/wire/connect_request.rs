//! The connect request extension header: in-band connection set-up (the
//! initiator's half of what MRC hardware exchanges out of band). Sent with
//! destination connection number 0, to a listener named by its MRC port.
//!
//! | byte | bits | field |
//! |------|------|-------|
//! | 0 | | reserved, 0 |
//! | 1–3 | | initiator's connection number (non-zero) |
//! | 4 | | reserved, 0 |
//! | 5–7 | | initiator's initial PSN |
//! | 8–9 | | MPR: the initiator's maximum packet reorder, units of 128 PSNs, ≥ 1 |
//! | 10–11 | | max WIMM: Write-with-Immediate operations the initiator accepts in flight |
//! | 12–13 | | destination MRC port (non-zero) |
//! | 14 | 7 | dynamic MPR enabled by the initiator |
//! | 14 | 6–0 | reserved, 0 |
//! | 15 | | reserved, 0 |
//! | 16–23 | | EV profile id |
//! | 24–31 | | CC profile id |
//!
//! 32 bytes.

use super::cursor::{Reader, Writer};
use super::{ConnNumber, WireError};
use crate::proto::psn::Psn;

/// Flag bit: the sender enables dynamic MPR.
pub(super) const DYNAMIC_MPR: u8 = 0x80;

/// The connect request extension header, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnectRequestRepr {
    /// The initiator's connection number (where replies go).
    pub initiator_conn: ConnNumber,
    /// The initiator's first PSN.
    pub initial_psn: Psn,
    /// The initiator's MPR (units of 128 PSNs).
    pub mpr: u16,
    /// Write-with-Immediate operations the initiator accepts in flight.
    pub max_wimm: u16,
    /// The listener's MRC port.
    pub dest_port: u16,
    /// The initiator enables dynamic MPR.
    pub dynamic_mpr: bool,
    /// EV profile id (learned out of band).
    pub ev_profile: u64,
    /// CC profile id (learned out of band).
    pub cc_profile: u64,
}

// A deliberate twin of every extension's parse and emit, connect_accept.rs's
// most: the request's first fields match the accept's, but they are separate
// messages of the protocol.
impl ConnectRequestRepr {
    /// Length of the connect request extension in bytes.
    pub const LEN: usize = 32;

    /// Parses the connect request extension at the start of `buf`; returns
    /// it and the bytes after it.
    pub fn parse(buf: &[u8]) -> Result<(ConnectRequestRepr, &[u8]), WireError> {
        let mut r = Reader::new(buf);
        let initiator_conn = ConnNumber::from_wire(r.u24()?);
        let initial_psn = Psn::new_truncating(r.u24()?);
        let mpr = r.u16()?;
        let max_wimm = r.u16()?;
        let dest_port = r.u16()?;
        let flags = r.u8()?;
        r.reserved::<1>()?;
        let ev_profile = r.u64()?;
        let cc_profile = r.u64()?;
        if flags & !DYNAMIC_MPR != 0 {
            return Err(WireError::ReservedBitsSet);
        }
        let repr = ConnectRequestRepr {
            initiator_conn,
            initial_psn,
            mpr,
            max_wimm,
            dest_port,
            dynamic_mpr: flags & DYNAMIC_MPR != 0,
            ev_profile,
            cc_profile,
        };
        repr.check()?;
        Ok((repr, r.rest()))
    }

    /// Writes the connect request extension to the start of `buf`; returns
    /// its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        self.check()?;
        let mut w = Writer::new(buf);
        w.u24(self.initiator_conn.get())?;
        w.u24(self.initial_psn.get())?;
        w.u16(self.mpr)?;
        w.u16(self.max_wimm)?;
        w.u16(self.dest_port)?;
        w.u8(if self.dynamic_mpr { DYNAMIC_MPR } else { 0 })?;
        w.reserved::<1>()?;
        w.u64(self.ev_profile)?;
        w.u64(self.cc_profile)?;
        Ok(Self::LEN)
    }

    fn check(&self) -> Result<(), WireError> {
        if self.initiator_conn.is_none() {
            Err(WireError::ZeroConnNumber)
        } else if self.mpr == 0 {
            Err(WireError::ZeroMpr)
        } else if self.dest_port == 0 {
            Err(WireError::ZeroPort)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;

    const SAMPLE: [u8; 32] = [
        0, 0, 0, 0x11, // initiator conn 17
        0, 0xFF, 0xFF, 0xFE, // initial PSN
        0, 0x08, // MPR 8
        0, 0x10, // max WIMM 16
        0x12, 0xB7, // port 4791
        0x80, 0, // dynamic MPR
        0, 0, 0, 0, 0, 0, 0, 0x0A, // EV profile 10
        0xFF, 0, 0, 0, 0, 0, 0, 0x0B, // CC profile
    ];

    fn sample() -> ConnectRequestRepr {
        ConnectRequestRepr {
            initiator_conn: ConnNumber::new(17).unwrap(),
            initial_psn: Psn::new(0xFF_FFFE).unwrap(),
            mpr: 8,
            max_wimm: 16,
            dest_port: 4791,
            dynamic_mpr: true,
            ev_profile: 10,
            cc_profile: 0xFF00_0000_0000_000B,
        }
    }

    #[test]
    fn parses_and_emits_the_documented_layout() {
        check::layout(
            &SAMPLE,
            &sample(),
            ConnectRequestRepr::parse,
            ConnectRequestRepr::emit,
        );
    }

    #[test]
    fn reserved_bits_are_refused() {
        check::reserved_bits(
            &SAMPLE,
            &[(0, 1), (4, 1), (14, 0x01), (15, 0x80)],
            ConnectRequestRepr::parse,
        );
    }

    #[test]
    fn zero_fields_are_refused() {
        let mut b = SAMPLE;
        b[3] = 0;
        assert_eq!(
            ConnectRequestRepr::parse(&b),
            Err(WireError::ZeroConnNumber)
        );
        let mut b = SAMPLE;
        b[9] = 0;
        assert_eq!(ConnectRequestRepr::parse(&b), Err(WireError::ZeroMpr));
        let mut b = SAMPLE;
        b[12] = 0;
        b[13] = 0;
        assert_eq!(ConnectRequestRepr::parse(&b), Err(WireError::ZeroPort));
        let bad = ConnectRequestRepr {
            dest_port: 0,
            ..sample()
        };
        assert_eq!(bad.emit(&mut [0; 32]), Err(WireError::ZeroPort));
    }
}
