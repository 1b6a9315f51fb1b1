//! MRC opcodes: the first byte of every packet, from the vendor range of the
//! InfiniBand BTH opcode space (0xC0–0xFF) so that RoCEv2 decoders show MRC
//! packets as vendor traffic instead of misreading them.
//!
//! | value | opcode | extension after the base header |
//! |-------|--------|---------------------------------|
//! | 0xC0 | DATA_FIRST | data (24 bytes) |
//! | 0xC1 | DATA_MIDDLE | data (24 bytes) |
//! | 0xC2 | DATA_LAST | data (24 bytes) |
//! | 0xC3 | DATA_ONLY | data (24 bytes) |
//! | 0xC4 | DATA_FIRST_IMM | data with immediate (28 bytes) |
//! | 0xC5 | DATA_MIDDLE_IMM | data with immediate (28 bytes) |
//! | 0xC6 | DATA_LAST_IMM | data with immediate (28 bytes) |
//! | 0xC7 | DATA_ONLY_IMM | data with immediate (28 bytes) |
//! | 0xD0 | SACK | SACK (36 bytes); every acknowledgement is a SACK |
//! | 0xD1 | NACK | NACK (8 bytes) |
//! | 0xE0 | PROBE_REQUEST | probe (20 bytes) |
//! | 0xE1 | PROBE_RESPONSE | probe (20 bytes) |
//! | 0xF0 | CONNECT_REQUEST | connect request (32 bytes) |
//! | 0xF1 | CONNECT_ACCEPT | connect accept (16 bytes) |
//! | 0xF2 | CONNECT_REJECT | connect reject (4 bytes) |
//! | 0xF3 | RESET | reset (4 bytes) |
//!
//! All other values are refused with [`WireError::BadOpcode`].

use super::WireError;

/// Position of a data packet within its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataKind {
    /// The first packet of a multi-packet message (offset 0).
    First,
    /// A packet strictly inside a multi-packet message.
    Middle,
    /// The last packet of a multi-packet message (ends at the message length).
    Last,
    /// The single packet of a one-packet message.
    Only,
}

impl DataKind {
    /// The kind of the packet carrying bytes `offset..end` of a message of
    /// `msg_len` bytes.
    pub const fn of_segment(offset: u32, end: u32, msg_len: u32) -> Self {
        match (offset == 0, end >= msg_len) {
            (true, true) => DataKind::Only,
            (true, false) => DataKind::First,
            (false, true) => DataKind::Last,
            (false, false) => DataKind::Middle,
        }
    }
}

/// An MRC opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Opcode {
    /// A data packet (RDMA Write semantics); `immediate` for the
    /// Write-with-Immediate opcodes, whose every packet carries the immediate.
    Data {
        /// Position within the message.
        kind: DataKind,
        /// True for the `*_IMM` opcodes.
        immediate: bool,
    },
    /// Selective acknowledgement.
    Sack,
    /// Negative acknowledgement.
    Nack,
    /// Path probe request (connectionless).
    ProbeRequest,
    /// Path probe response (connectionless).
    ProbeResponse,
    /// Connection request (connectionless: addressed to an MRC port).
    ConnectRequest,
    /// Connection accepted.
    ConnectAccept,
    /// Connection refused.
    ConnectReject,
    /// Connection reset.
    Reset,
}

// A twin by shape only of sock/io.rs's epoll bits (a list of named numbers):
// unrelated values, nothing to share.
const DATA_FIRST: u8 = 0xC0;
const DATA_IMM_BIT: u8 = 0x04;
const SACK: u8 = 0xD0;
const NACK: u8 = 0xD1;
const PROBE_REQUEST: u8 = 0xE0;
const PROBE_RESPONSE: u8 = 0xE1;
const CONNECT_REQUEST: u8 = 0xF0;
const CONNECT_ACCEPT: u8 = 0xF1;
const CONNECT_REJECT: u8 = 0xF2;
const RESET: u8 = 0xF3;

impl Opcode {
    /// The opcode for wire value `value`.
    pub const fn from_u8(value: u8) -> Result<Opcode, WireError> {
        let op = match value {
            0xC0..=0xC7 => {
                let kind = match value & 0x03 {
                    0 => DataKind::First,
                    1 => DataKind::Middle,
                    2 => DataKind::Last,
                    _ => DataKind::Only,
                };
                Opcode::Data {
                    kind,
                    immediate: value & DATA_IMM_BIT != 0,
                }
            }
            SACK => Opcode::Sack,
            NACK => Opcode::Nack,
            PROBE_REQUEST => Opcode::ProbeRequest,
            PROBE_RESPONSE => Opcode::ProbeResponse,
            CONNECT_REQUEST => Opcode::ConnectRequest,
            CONNECT_ACCEPT => Opcode::ConnectAccept,
            CONNECT_REJECT => Opcode::ConnectReject,
            RESET => Opcode::Reset,
            _ => return Err(WireError::BadOpcode),
        };
        Ok(op)
    }

    /// The wire value.
    pub const fn to_u8(self) -> u8 {
        match self {
            Opcode::Data { kind, immediate } => {
                let position = match kind {
                    DataKind::First => 0,
                    DataKind::Middle => 1,
                    DataKind::Last => 2,
                    DataKind::Only => 3,
                };
                let imm = if immediate { DATA_IMM_BIT } else { 0 };
                DATA_FIRST | imm | position
            }
            Opcode::Sack => SACK,
            Opcode::Nack => NACK,
            Opcode::ProbeRequest => PROBE_REQUEST,
            Opcode::ProbeResponse => PROBE_RESPONSE,
            Opcode::ConnectRequest => CONNECT_REQUEST,
            Opcode::ConnectAccept => CONNECT_ACCEPT,
            Opcode::ConnectReject => CONNECT_REJECT,
            Opcode::Reset => RESET,
        }
    }

    /// True for probes and connect requests, which are not addressed to a
    /// connection (destination connection number 0).
    pub const fn is_connectionless(self) -> bool {
        matches!(
            self,
            Opcode::ProbeRequest | Opcode::ProbeResponse | Opcode::ConnectRequest
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;

    #[test]
    fn segment_kinds_follow_the_offset_and_the_message_end() {
        assert_eq!(DataKind::of_segment(0, 10, 10), DataKind::Only);
        assert_eq!(DataKind::of_segment(0, 4, 10), DataKind::First);
        assert_eq!(DataKind::of_segment(4, 8, 10), DataKind::Middle);
        assert_eq!(DataKind::of_segment(8, 10, 10), DataKind::Last);
    }

    #[test]
    fn every_byte_either_round_trips_or_is_bad_opcode() {
        let assigned = check::codes(Opcode::from_u8, Opcode::to_u8, WireError::BadOpcode);
        assert_eq!(assigned, 16);
        for value in 0..0xC0 {
            assert_eq!(Opcode::from_u8(value), Err(WireError::BadOpcode));
        }
    }

    #[test]
    fn data_opcode_values() {
        let op = Opcode::Data {
            kind: DataKind::Last,
            immediate: true,
        };
        assert_eq!(op.to_u8(), 0xC6);
        assert_eq!(
            Opcode::from_u8(0xC1),
            Ok(Opcode::Data {
                kind: DataKind::Middle,
                immediate: false
            })
        );
        assert_eq!(Opcode::from_u8(0xBF), Err(WireError::BadOpcode));
        assert_eq!(Opcode::from_u8(0xC8), Err(WireError::BadOpcode));
    }
}
