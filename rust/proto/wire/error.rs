//! The one error type of the wire module: why a packet was refused (parse)
//! or could not be written (emit). Every variant names one rule.

use core::fmt;

/// Why a packet could not be parsed or emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WireError {
    /// The input ended before the header did.
    Truncated,
    /// The output buffer is shorter than the headers to write.
    BufferTooSmall,
    /// The opcode is outside the MRC range or unassigned within it.
    BadOpcode,
    /// The base header's version nibble is not [`WIRE_VERSION`](super::WIRE_VERSION).
    BadVersion,
    /// A reserved bit or byte is not zero.
    ReservedBitsSet,
    /// The base header's trim code is the unassigned value 3.
    BadTrimCode,
    /// A control packet is longer than its headers.
    LengthMismatch,
    /// A packet other than data carries a trim code.
    TrimmedControl,
    /// A packet other than data has the ack-request bit set.
    AckReqOnControl,
    /// A packet other than data carries a non-zero base PSN.
    PsnOnControl,
    /// A connectionless packet (probe, connect request) names a destination
    /// connection number.
    ConnNumberOnConnectionless,
    /// A value does not fit its 24-bit wire field.
    FieldTooWide,
    /// A connection number that must name a connection is zero.
    ZeroConnNumber,
    /// A data packet's byte offset is not allowed for its opcode (FIRST and
    /// ONLY start at 0; MIDDLE and LAST start past 0, inside the message).
    BadOffset,
    /// A data packet's payload does not fit its offset and message length
    /// (or is empty where it must not be).
    PayloadLength,
    /// A data packet marked trimmed still carries payload.
    TrimmedWithPayload,
    /// A SACK bitmap bit names a PSN at or before the cumulative ack.
    SackBitmapBehindCumAck,
    /// A SACK with an empty bitmap has a base PSN other than the cumulative ack.
    SackBaseWithoutBitmap,
    /// An MPR of zero (the window would never open).
    ZeroMpr,
    /// The NACK code is not assigned.
    BadNackCode,
    /// The destination MRC port of a connect request is zero.
    ZeroPort,
    /// The connect-reject reason is not assigned.
    BadRejectReason,
    /// The reset reason is not assigned.
    BadResetReason,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            WireError::Truncated => "packet shorter than its headers",
            WireError::BufferTooSmall => "output buffer shorter than the headers",
            WireError::BadOpcode => "unknown opcode",
            WireError::BadVersion => "unsupported wire version",
            WireError::ReservedBitsSet => "reserved bits set",
            WireError::BadTrimCode => "unassigned trim code",
            WireError::LengthMismatch => "control packet longer than its headers",
            WireError::TrimmedControl => "trim code on a control packet",
            WireError::AckReqOnControl => "ack-request bit on a control packet",
            WireError::PsnOnControl => "PSN on a control packet",
            WireError::ConnNumberOnConnectionless => "connection number on a connectionless packet",
            WireError::FieldTooWide => "value does not fit its 24-bit field",
            WireError::ZeroConnNumber => "connection number zero",
            WireError::BadOffset => "byte offset not allowed for the data opcode",
            WireError::PayloadLength => {
                "payload length inconsistent with offset and message length"
            }
            WireError::TrimmedWithPayload => "trimmed packet with payload",
            WireError::SackBitmapBehindCumAck => {
                "SACK bitmap names a PSN before the cumulative ack"
            }
            WireError::SackBaseWithoutBitmap => {
                "SACK base differs from the cumulative ack with an empty bitmap"
            }
            WireError::ZeroMpr => "MPR zero",
            WireError::BadNackCode => "unknown NACK code",
            WireError::ZeroPort => "destination MRC port zero",
            WireError::BadRejectReason => "unknown connect-reject reason",
            WireError::BadResetReason => "unknown reset reason",
        };
        f.write_str(text)
    }
}
