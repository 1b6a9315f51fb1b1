//! The data extension header: where a data packet's bytes go (message +
//! offset, so out-of-order packets are placed directly), which EV it was
//! sent on, and when.
//!
//! | byte | field |
//! |------|-------|
//! | 0–3 | message sequence number (MSN) |
//! | 4–7 | byte offset of this packet's payload within the message |
//! | 8–11 | message length in bytes |
//! | 12–13 | EV index: the sender's index into its EV array (echoed in SACK) |
//! | 14–15 | reserved, 0 |
//! | 16–23 | sender timestamp, ns (echoed in SACK for RTT) |
//! | 24–27 | immediate (only on the `*_IMM` opcodes, whose every packet carries it) |
//!
//! 24 bytes, or 28 with the immediate. The payload follows and runs to the
//! end of the UDP datagram. Offset rules (checked here): FIRST and ONLY start
//! at offset 0; MIDDLE and LAST start past 0 and before the message length.
//! Payload rules (checked by [`Packet::parse`](super::Packet::parse), which
//! sees the payload): FIRST and MIDDLE carry a non-empty payload that ends
//! before the message length; LAST and ONLY end exactly at it (an ONLY
//! message may be empty).

use super::cursor::{Reader, Writer};
use super::{DataKind, WireError};

/// Largest payload of one data packet.
pub const MAX_PAYLOAD: u16 = 9000;

/// The data extension header, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DataRepr {
    /// Position of this packet within its message.
    pub kind: DataKind,
    /// Message sequence number.
    pub msn: u32,
    /// Byte offset of the payload within the message.
    pub offset: u32,
    /// Message length in bytes.
    pub msg_len: u32,
    /// The sender's index into its EV array for the path this packet took.
    pub ev_index: u16,
    /// Sender timestamp in ns.
    pub timestamp: u64,
    /// The immediate (Write-with-Immediate), if any.
    pub immediate: Option<u32>,
}

// A deliberate twin of every extension's parse and emit: the same Reader and
// Writer steps over each header's own documented layout.
impl DataRepr {
    /// Length without the immediate.
    pub const LEN: usize = 24;
    /// Length with the immediate.
    pub const LEN_IMM: usize = 28;

    /// Length of this header on the wire.
    pub const fn header_len(&self) -> usize {
        if self.immediate.is_some() {
            Self::LEN_IMM
        } else {
            Self::LEN
        }
    }

    /// Parses the data extension at the start of `buf` for a packet of
    /// `kind` (with an immediate if `immediate`); returns it and the payload.
    pub fn parse(
        buf: &[u8],
        kind: DataKind,
        immediate: bool,
    ) -> Result<(DataRepr, &[u8]), WireError> {
        let mut r = Reader::new(buf);
        let msn = r.u32()?;
        let offset = r.u32()?;
        let msg_len = r.u32()?;
        let ev_index = r.u16()?;
        r.reserved::<2>()?;
        let timestamp = r.u64()?;
        let immediate = if immediate { Some(r.u32()?) } else { None };
        // A twin of the literal in wire/strategy.rs (deliberate): both set
        // every field by name.
        let repr = DataRepr {
            kind,
            msn,
            offset,
            msg_len,
            ev_index,
            timestamp,
            immediate,
        };
        repr.check_offset()?;
        Ok((repr, r.rest()))
    }

    /// Writes the data extension to the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        self.check_offset()?;
        let mut w = Writer::new(buf);
        w.u32(self.msn)?;
        w.u32(self.offset)?;
        w.u32(self.msg_len)?;
        w.u16(self.ev_index)?;
        w.reserved::<2>()?;
        w.u64(self.timestamp)?;
        if let Some(imm) = self.immediate {
            w.u32(imm)?;
        }
        Ok(self.header_len())
    }

    fn check_offset(&self) -> Result<(), WireError> {
        let ok = match self.kind {
            DataKind::First | DataKind::Only => self.offset == 0,
            DataKind::Middle | DataKind::Last => self.offset > 0 && self.offset < self.msg_len,
        };
        if ok {
            Ok(())
        } else {
            Err(WireError::BadOffset)
        }
    }

    /// Checks that a payload of `payload_len` bytes fits this header (see
    /// the module documentation for the rules).
    pub fn check_payload(&self, payload_len: usize) -> Result<(), WireError> {
        let len = u32::try_from(payload_len).map_err(|_| WireError::PayloadLength)?;
        let end = self
            .offset
            .checked_add(len)
            .ok_or(WireError::PayloadLength)?;
        let ok = match self.kind {
            DataKind::First | DataKind::Middle => len > 0 && end < self.msg_len,
            DataKind::Last | DataKind::Only => end == self.msg_len,
        };
        if ok {
            Ok(())
        } else {
            Err(WireError::PayloadLength)
        }
    }
}

#[cfg(test)]
// Each extension's tests share a shape (and wire/check.rs): deliberate twins
// over different samples and rules.
mod tests {
    use super::super::check;
    use super::*;

    const SAMPLE: [u8; 28] = [
        0, 0, 0, 7, // msn
        0, 0, 0x10, 0, // offset 4096
        0, 0, 0x20, 0, // msg_len 8192
        0x01, 0x02, 0, 0, // ev index 0x0102, reserved
        0, 0, 0, 0, 0x3B, 0x9A, 0xCA, 0x00, // timestamp 1e9
        0xDE, 0xAD, 0xBE, 0xEF, // immediate
    ];

    fn sample() -> DataRepr {
        DataRepr {
            kind: DataKind::Last,
            msn: 7,
            offset: 4096,
            msg_len: 8192,
            ev_index: 0x0102,
            timestamp: 1_000_000_000,
            immediate: Some(0xDEAD_BEEF),
        }
    }

    #[test]
    fn parses_and_emits_the_documented_layout() {
        let (want, emit) = (sample(), DataRepr::emit);
        check::layout(
            &SAMPLE,
            &want,
            |b| DataRepr::parse(b, DataKind::Last, true),
            emit,
        );
    }

    #[test]
    fn without_immediate_the_header_is_24_bytes() {
        let (repr, rest) = DataRepr::parse(&SAMPLE, DataKind::Last, false).unwrap();
        assert_eq!(repr.immediate, None);
        assert_eq!(repr.header_len(), 24);
        assert_eq!(rest, &SAMPLE[24..]);
    }

    #[test]
    fn reserved_bytes_are_refused() {
        let mut b = SAMPLE;
        b[15] = 1;
        assert_eq!(
            DataRepr::parse(&b, DataKind::Last, true),
            Err(WireError::ReservedBitsSet)
        );
    }

    #[test]
    fn offset_rules_per_kind() {
        let mut zero_offset = SAMPLE;
        zero_offset[6] = 0;
        let mut at_end = SAMPLE;
        at_end[6] = 0x20;
        for (bytes, kind) in [
            (SAMPLE, DataKind::First),
            (SAMPLE, DataKind::Only),
            (zero_offset, DataKind::Middle),
            (zero_offset, DataKind::Last),
            (at_end, DataKind::Middle),
        ] {
            assert_eq!(
                DataRepr::parse(&bytes, kind, true),
                Err(WireError::BadOffset),
                "{kind:?}"
            );
        }
        let bad = DataRepr {
            offset: 1,
            kind: DataKind::First,
            ..sample()
        };
        assert_eq!(bad.emit(&mut [0u8; 28]), Err(WireError::BadOffset));
    }

    #[test]
    fn payload_rules_per_kind() {
        let last = sample();
        assert_eq!(last.check_payload(4096), Ok(()));
        assert_eq!(last.check_payload(4095), Err(WireError::PayloadLength));
        let middle = DataRepr {
            kind: DataKind::Middle,
            ..sample()
        };
        assert_eq!(middle.check_payload(100), Ok(()));
        assert_eq!(middle.check_payload(0), Err(WireError::PayloadLength));
        assert_eq!(middle.check_payload(4096), Err(WireError::PayloadLength));
        let first = DataRepr {
            kind: DataKind::First,
            offset: 0,
            ..sample()
        };
        assert_eq!(first.check_payload(8192), Err(WireError::PayloadLength));
        let only = DataRepr {
            kind: DataKind::Only,
            offset: 0,
            msg_len: 0,
            ..sample()
        };
        assert_eq!(only.check_payload(0), Ok(()));
        assert_eq!(only.check_payload(1), Err(WireError::PayloadLength));
        let huge = DataRepr {
            offset: u32::MAX - 1,
            msg_len: u32::MAX,
            ..sample()
        };
        assert_eq!(huge.check_payload(2), Err(WireError::PayloadLength));
    }
}
