//! The probe extension header, shared by probe requests and responses:
//! connectionless RTT measurement on one chosen EV.
//!
//! | byte | field |
//! |------|-------|
//! | 0–3 | probe id (chosen by the requester, echoed) |
//! | 4–5 | EV index (chosen by the requester, echoed) |
//! | 6–7 | reserved, 0 |
//! | 8–15 | timestamp, ns: the requester's send time (echoed in the response) |
//! | 16–19 | responder service time, ns (response only; 0 in a request) |
//!
//! 20 bytes. The RTT is `now − timestamp − service time`.

use super::cursor::{Reader, Writer};
use super::WireError;

/// A probe request, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProbeRequestRepr {
    /// Requester's probe id.
    pub probe_id: u32,
    /// Requester's EV index for the probed path.
    pub ev_index: u16,
    /// Requester's send time, ns.
    pub timestamp: u64,
}

/// A probe response, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProbeResponseRepr {
    /// The request's probe id.
    pub probe_id: u32,
    /// The request's EV index.
    pub ev_index: u16,
    /// The request's timestamp, ns.
    pub timestamp_echo: u64,
    /// How long the responder held the request, ns.
    pub service_time: u32,
}

/// Length of the probe extension in bytes.
const LEN: usize = 20;

fn parse_fields(buf: &[u8]) -> Result<(u32, u16, u64, u32, &[u8]), WireError> {
    let mut r = Reader::new(buf);
    let probe_id = r.u32()?;
    let ev_index = r.u16()?;
    r.reserved::<2>()?;
    let timestamp = r.u64()?;
    let service_time = r.u32()?;
    Ok((probe_id, ev_index, timestamp, service_time, r.rest()))
}

fn emit_fields(
    buf: &mut [u8],
    probe_id: u32,
    ev_index: u16,
    timestamp: u64,
    service_time: u32,
) -> Result<usize, WireError> {
    let mut w = Writer::new(buf);
    w.u32(probe_id)?;
    w.u16(ev_index)?;
    w.reserved::<2>()?;
    w.u64(timestamp)?;
    w.u32(service_time)?;
    Ok(LEN)
}

impl ProbeRequestRepr {
    /// Length of the probe extension in bytes.
    pub const LEN: usize = LEN;

    /// Parses a probe request extension at the start of `buf`; returns it
    /// and the bytes after it. The service time field is reserved here.
    pub fn parse(buf: &[u8]) -> Result<(ProbeRequestRepr, &[u8]), WireError> {
        let (probe_id, ev_index, timestamp, service_time, rest) = parse_fields(buf)?;
        if service_time != 0 {
            return Err(WireError::ReservedBitsSet);
        }
        Ok((
            ProbeRequestRepr {
                probe_id,
                ev_index,
                timestamp,
            },
            rest,
        ))
    }

    /// Writes the probe request extension to the start of `buf`; returns
    /// its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        emit_fields(buf, self.probe_id, self.ev_index, self.timestamp, 0)
    }

    /// The response to this request, sent after holding it `service_time` ns.
    pub const fn response(&self, service_time: u32) -> ProbeResponseRepr {
        ProbeResponseRepr {
            probe_id: self.probe_id,
            ev_index: self.ev_index,
            timestamp_echo: self.timestamp,
            service_time,
        }
    }
}

impl ProbeResponseRepr {
    /// Length of the probe extension in bytes.
    pub const LEN: usize = LEN;

    /// Parses a probe response extension at the start of `buf`; returns it
    /// and the bytes after it.
    pub fn parse(buf: &[u8]) -> Result<(ProbeResponseRepr, &[u8]), WireError> {
        let (probe_id, ev_index, timestamp_echo, service_time, rest) = parse_fields(buf)?;
        Ok((
            ProbeResponseRepr {
                probe_id,
                ev_index,
                timestamp_echo,
                service_time,
            },
            rest,
        ))
    }

    /// Writes the probe response extension to the start of `buf`; returns
    /// its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        emit_fields(
            buf,
            self.probe_id,
            self.ev_index,
            self.timestamp_echo,
            self.service_time,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::check;
    use super::*;

    const RESPONSE: [u8; 20] = [
        0, 0, 0, 0x63, // probe id 99
        0x01, 0x00, 0, 0, // EV index 256, reserved
        0, 0, 0, 0, 0, 0, 0x01, 0x00, // timestamp 256
        0, 0, 0, 0x10, // service time 16
    ];

    #[test]
    fn response_parses_and_emits_the_documented_layout() {
        let want = ProbeResponseRepr {
            probe_id: 99,
            ev_index: 256,
            timestamp_echo: 256,
            service_time: 16,
        };
        let (repr, rest) = ProbeResponseRepr::parse(&RESPONSE).unwrap();
        assert_eq!(repr, want);
        assert!(rest.is_empty());
        let mut out = [0u8; 20];
        assert_eq!(want.emit(&mut out), Ok(20));
        assert_eq!(out, RESPONSE);
    }

    #[test]
    fn request_has_zero_service_time() {
        let request = ProbeRequestRepr {
            probe_id: 99,
            ev_index: 256,
            timestamp: 256,
        };
        let mut out = [0xFFu8; 20];
        assert_eq!(request.emit(&mut out), Ok(20));
        assert_eq!(out[..16], RESPONSE[..16]);
        assert_eq!(out[16..], [0, 0, 0, 0]);
        assert_eq!(ProbeRequestRepr::parse(&out).unwrap().0, request);
        assert_eq!(
            ProbeRequestRepr::parse(&RESPONSE),
            Err(WireError::ReservedBitsSet)
        );
        assert_eq!(
            request.response(16),
            ProbeResponseRepr::parse(&RESPONSE).unwrap().0
        );
    }

    #[test]
    fn truncations_and_reserved_bytes_are_refused() {
        check::truncations(&RESPONSE, ProbeResponseRepr::parse);
        check::truncations(&RESPONSE, ProbeRequestRepr::parse);
        let mut b = RESPONSE;
        b[6] = 1;
        assert_eq!(
            ProbeResponseRepr::parse(&b),
            Err(WireError::ReservedBitsSet)
        );
    }
}
