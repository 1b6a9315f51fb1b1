//! A whole MRC packet (base header, extension header, payload) as one
//! validated value: the entry point for receiving (`Packet::parse`) and
//! sending (`Packet::emit`).
//!
//! Rules that tie the base header to the opcode live here:
//! - the PSN, the ack-request bit and the trim code belong to data packets;
//!   every other packet carries zeros there;
//! - probes and connect requests carry destination connection number 0;
//!   every other packet names a connection (non-zero);
//! - a control packet ends with its extension header; a data packet's
//!   payload runs to the end of the datagram and must fit its offset and
//!   message length, or be absent if a switch trimmed it.

use super::data::MAX_PAYLOAD;
use super::{
    BaseRepr, ConnNumber, ConnectAcceptRepr, ConnectRejectRepr, ConnectRequestRepr, DataRepr,
    NackRepr, Opcode, ProbeRequestRepr, ProbeResponseRepr, ResetRepr, SackRepr, Trim, WireError,
};
use crate::proto::psn::Psn;

/// A validated MRC packet, borrowing its payload from the received bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Packet<'a> {
    /// Partition key.
    pub pkey: u16,
    /// The receiver's connection number ([`ConnNumber::NONE`] for probes
    /// and connect requests).
    pub dest_conn: ConnNumber,
    /// What the packet carries.
    pub body: Body<'a>,
}

/// What a packet carries; the opcode follows from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Body<'a> {
    /// A data packet.
    Data {
        /// The packet's PSN.
        psn: Psn,
        /// The sender asks for an acknowledgement now.
        ack_req: bool,
        /// Whether a switch cut the payload off.
        trim: Trim,
        /// The data extension header.
        data: DataRepr,
        /// The payload: empty if trimmed. [`Packet::emit`] does not copy
        /// it; the caller appends it after the headers.
        payload: &'a [u8],
    },
    /// A selective acknowledgement.
    Sack(SackRepr),
    /// A negative acknowledgement.
    Nack(NackRepr),
    /// A probe request.
    ProbeRequest(ProbeRequestRepr),
    /// A probe response.
    ProbeResponse(ProbeResponseRepr),
    /// A connect request.
    ConnectRequest(ConnectRequestRepr),
    /// A connect accept.
    ConnectAccept(ConnectAcceptRepr),
    /// A connect reject.
    ConnectReject(ConnectRejectRepr),
    /// A reset.
    Reset(ResetRepr),
}

impl Body<'_> {
    /// The opcode of a packet with this body.
    pub const fn opcode(&self) -> Opcode {
        match self {
            Body::Data { data, .. } => Opcode::Data {
                kind: data.kind,
                immediate: data.immediate.is_some(),
            },
            Body::Sack(_) => Opcode::Sack,
            Body::Nack(_) => Opcode::Nack,
            Body::ProbeRequest(_) => Opcode::ProbeRequest,
            Body::ProbeResponse(_) => Opcode::ProbeResponse,
            Body::ConnectRequest(_) => Opcode::ConnectRequest,
            Body::ConnectAccept(_) => Opcode::ConnectAccept,
            Body::ConnectReject(_) => Opcode::ConnectReject,
            Body::Reset(_) => Opcode::Reset,
        }
    }

    const fn extension_len(&self) -> usize {
        match self {
            Body::Data { data, .. } => data.header_len(),
            Body::Sack(_) => SackRepr::LEN,
            Body::Nack(_) => NackRepr::LEN,
            Body::ProbeRequest(_) => ProbeRequestRepr::LEN,
            Body::ProbeResponse(_) => ProbeResponseRepr::LEN,
            Body::ConnectRequest(_) => ConnectRequestRepr::LEN,
            Body::ConnectAccept(_) => ConnectAcceptRepr::LEN,
            Body::ConnectReject(_) => ConnectRejectRepr::LEN,
            Body::Reset(_) => ResetRepr::LEN,
        }
    }
}

impl<'a> Packet<'a> {
    /// Parses and validates a whole packet (the UDP payload).
    pub fn parse(buf: &'a [u8]) -> Result<Packet<'a>, WireError> {
        let (base, rest) = BaseRepr::parse(buf)?;
        check_conn(base.opcode, base.dest_conn)?;
        if !matches!(base.opcode, Opcode::Data { .. }) {
            check_control(&base)?;
        }
        let (body, rest) = match base.opcode {
            Opcode::Data { kind, immediate } => {
                let (data, payload) = DataRepr::parse(rest, kind, immediate)?;
                (data_body(&base, data, payload)?, &[][..])
            }
            Opcode::Sack => control(SackRepr::parse(rest), Body::Sack)?,
            Opcode::Nack => control(NackRepr::parse(rest), Body::Nack)?,
            Opcode::ProbeRequest => control(ProbeRequestRepr::parse(rest), Body::ProbeRequest)?,
            Opcode::ProbeResponse => control(ProbeResponseRepr::parse(rest), Body::ProbeResponse)?,
            Opcode::ConnectRequest => {
                control(ConnectRequestRepr::parse(rest), Body::ConnectRequest)?
            }
            Opcode::ConnectAccept => control(ConnectAcceptRepr::parse(rest), Body::ConnectAccept)?,
            Opcode::ConnectReject => control(ConnectRejectRepr::parse(rest), Body::ConnectReject)?,
            Opcode::Reset => control(ResetRepr::parse(rest), Body::Reset)?,
        };
        if !rest.is_empty() {
            return Err(WireError::LengthMismatch);
        }
        Ok(Packet {
            pkey: base.pkey,
            dest_conn: base.dest_conn,
            body,
        })
    }

    /// Parses a packet of `len` bytes of which only the first, `head`, are
    /// at hand (the rest lies where the caller reads it itself): `parse`
    /// when `head` holds all `len`. Otherwise only a data packet whose
    /// headers `head` holds whole passes, checked as `parse` checks it; its
    /// payload is then zeros of the payload's length, standing in for
    /// bytes the parse does not read (a payload longer than
    /// [`MAX_PAYLOAD`](crate::proto::conn::MAX_PAYLOAD) has no stand-in
    /// and is refused, as a connection would refuse it). A control packet
    /// longer than `head` is refused as longer than its headers.
    pub fn parse_head(head: &'a [u8], len: usize) -> Result<Packet<'a>, WireError> {
        if let Some(whole) = head.get(..len) {
            return Packet::parse(whole);
        }
        let (base, rest) = BaseRepr::parse(head)?;
        check_conn(base.opcode, base.dest_conn)?;
        let Opcode::Data { kind, immediate } = base.opcode else {
            check_control(&base)?;
            return Err(WireError::LengthMismatch);
        };
        let (data, _) = DataRepr::parse(rest, kind, immediate)?;
        let headers = BaseRepr::LEN.saturating_add(data.header_len());
        let payload = len
            .checked_sub(headers)
            .and_then(|n| PAYLOAD_STAND_IN.get(..n))
            .ok_or(WireError::PayloadLength)?;
        Ok(Packet {
            pkey: base.pkey,
            dest_conn: base.dest_conn,
            body: data_body(&base, data, payload)?,
        })
    }

    /// Length of the headers (base + extension).
    pub const fn header_len(&self) -> usize {
        BaseRepr::LEN.saturating_add(self.body.extension_len())
    }

    /// Length of the whole packet: headers plus payload.
    pub const fn buffer_len(&self) -> usize {
        let payload = match self.body {
            Body::Data { payload, .. } => payload.len(),
            _ => 0,
        };
        self.header_len().saturating_add(payload)
    }

    /// Validates the packet and writes its headers to the start of `buf`;
    /// returns their length. A data packet's payload is checked but not
    /// copied: the caller appends it right after the headers. On error the
    /// contents of `buf` are unspecified.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let opcode = self.body.opcode();
        check_conn(opcode, self.dest_conn)?;
        // A twin of the connection's match on `Body::Data` (conn/recv.rs,
        // deliberate): each takes the fields it uses by name.
        let (psn, ack_req, trim) = match self.body {
            Body::Data {
                psn,
                ack_req,
                trim,
                data,
                payload,
            } => {
                check_payload(&data, trim, payload)?;
                (psn, ack_req, trim)
            }
            _ => (Psn::ZERO, false, Trim::None),
        };
        let base = BaseRepr {
            opcode,
            trim,
            pkey: self.pkey,
            dest_conn: self.dest_conn,
            ack_req,
            psn,
        };
        let base_len = base.emit(buf)?;
        let ext = buf.get_mut(base_len..).ok_or(WireError::BufferTooSmall)?;
        let ext_len = match &self.body {
            Body::Data { data, .. } => data.emit(ext)?,
            Body::Sack(repr) => repr.emit(ext)?,
            Body::Nack(repr) => repr.emit(ext)?,
            Body::ProbeRequest(repr) => repr.emit(ext)?,
            Body::ProbeResponse(repr) => repr.emit(ext)?,
            Body::ConnectRequest(repr) => repr.emit(ext)?,
            Body::ConnectAccept(repr) => repr.emit(ext)?,
            Body::ConnectReject(repr) => repr.emit(ext)?,
            Body::Reset(repr) => repr.emit(ext)?,
        };
        Ok(base_len.saturating_add(ext_len))
    }
}

/// A packet as it was received: its length, its bytes (all of them, or
/// the first, see [`Received::from_head`]) and what parsing them gave,
/// kept together so that a receiver parses each packet once and hands the
/// result along (the core reads the payload's position in the packet from
/// it).
#[derive(Clone, Copy, Debug)]
pub struct Received<'a> {
    bytes: &'a [u8],
    len: usize,
    parsed: Result<Packet<'a>, WireError>,
}

impl<'a> Received<'a> {
    /// Parses `bytes` (the UDP payload).
    pub fn new(bytes: &'a [u8]) -> Self {
        Received {
            bytes,
            len: bytes.len(),
            parsed: Packet::parse(bytes),
        }
    }

    /// Parses a packet of `len` bytes that begins with `head`
    /// ([`Packet::parse_head`]): a receiver whose packet does not lie in
    /// one piece copies the payload from where it lies.
    pub fn from_head(head: &'a [u8], len: usize) -> Self {
        Received {
            bytes: head.get(..len).unwrap_or(head),
            len,
            parsed: Packet::parse_head(head, len),
        }
    }

    /// The bytes at hand: the whole packet, or its first bytes.
    pub const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The packet's length.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the packet has no bytes.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The packet, or why the bytes are not one.
    pub const fn packet(&self) -> Result<&Packet<'a>, WireError> {
        match &self.parsed {
            Ok(packet) => Ok(packet),
            Err(e) => Err(*e),
        }
    }
}

/// Trims the data packet in `buf` in place, as a congested switch does:
/// marks it trimmed (at the last hop if `last_hop`) and returns the length
/// of its headers, to which the caller cuts the datagram. Refuses anything
/// that is not a valid data packet.
pub fn trim_in_place(buf: &mut [u8], last_hop: bool) -> Result<usize, WireError> {
    let trimmed = match Packet::parse(buf)? {
        Packet {
            pkey,
            dest_conn,
            body: Body::Data {
                psn, ack_req, data, ..
            },
        } => Packet {
            pkey,
            dest_conn,
            body: Body::Data {
                psn,
                ack_req,
                trim: if last_hop {
                    Trim::TrimmedLastHop
                } else {
                    Trim::Trimmed
                },
                data,
                payload: &[],
            },
        },
        _ => return Err(WireError::TrimmedControl),
    };
    trimmed.emit(buf)
}

fn check_conn(opcode: Opcode, dest_conn: ConnNumber) -> Result<(), WireError> {
    match (opcode.is_connectionless(), dest_conn.is_none()) {
        (true, false) => Err(WireError::ConnNumberOnConnectionless),
        (false, true) => Err(WireError::ZeroConnNumber),
        _ => Ok(()),
    }
}

/// Zeros standing in for payload bytes that are checked for their length
/// only: a payload being emitted (the caller appends the bytes) or one
/// received apart from its headers ([`Packet::parse_head`]).
pub(crate) static PAYLOAD_STAND_IN: [u8; MAX_PAYLOAD as usize] = [0; MAX_PAYLOAD as usize];

/// A data packet's body from its base header, its data extension and its
/// payload, checked against each other.
fn data_body<'a>(
    base: &BaseRepr,
    data: DataRepr,
    payload: &'a [u8],
) -> Result<Body<'a>, WireError> {
    check_payload(&data, base.trim, payload)?;
    Ok(Body::Data {
        psn: base.psn,
        ack_req: base.ack_req,
        trim: base.trim,
        data,
        payload,
    })
}

fn check_payload(data: &DataRepr, trim: Trim, payload: &[u8]) -> Result<(), WireError> {
    match trim {
        Trim::None => data.check_payload(payload.len()),
        Trim::Trimmed | Trim::TrimmedLastHop if payload.is_empty() => Ok(()),
        Trim::Trimmed | Trim::TrimmedLastHop => Err(WireError::TrimmedWithPayload),
    }
}

fn check_control(base: &BaseRepr) -> Result<(), WireError> {
    if base.trim != Trim::None {
        Err(WireError::TrimmedControl)
    } else if base.ack_req {
        Err(WireError::AckReqOnControl)
    } else if base.psn != Psn::ZERO {
        Err(WireError::PsnOnControl)
    } else {
        Ok(())
    }
}

/// Wraps a parsed control extension into its body.
fn control<R>(
    parsed: Result<(R, &[u8]), WireError>,
    wrap: fn(R) -> Body<'static>,
) -> Result<(Body<'static>, &[u8]), WireError> {
    parsed.map(|(repr, rest)| (wrap(repr), rest))
}
