//! What travels on the connection besides the pattern.
//!
//! ```text
//! client -> server   Header (32 bytes), then the pattern bytes, then EOF
//!                    (shutdown of the write side)
//! server -> client   u32 big-endian length, then a JSON ServerReport
//! ```
//!
//! The server answers only after it has read everything up to EOF, so the
//! client's clock stops when the last byte has provably arrived and been
//! checked.

use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};

use crate::codec::{self, invalid, u32_at, u64_at};

/// The first bytes of every test connection.
pub const MAGIC: [u8; 8] = *b"MRCPERF1";

/// The largest reply the client accepts (a report with many intervals).
pub const MAX_REPLY: u32 = 16 << 20;

/// The client's opening message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Seed of the byte pattern (see `pattern`).
    pub seed: u64,
    /// Interval of the receiver's goodput series, in milliseconds.
    pub interval_ms: u32,
    /// Bytes the client means to send, 0 if it sends for a time.
    pub bytes: u64,
}

impl Header {
    /// Wire size.
    pub const LEN: usize = 32;

    /// Encodes the header.
    pub fn encode(&self) -> [u8; Self::LEN] {
        // 20..24 reserved (zero)
        codec::encode(
            &MAGIC,
            &[
                (8, &self.seed.to_be_bytes()),
                (16, &self.interval_ms.to_be_bytes()),
                (24, &self.bytes.to_be_bytes()),
            ],
        )
    }

    /// Decodes a header; `None` if the magic is wrong or the interval is 0.
    pub fn decode(b: &[u8; Self::LEN]) -> Option<Self> {
        codec::framed(b, Self::LEN, &MAGIC)?;
        let seed = u64_at(b, 8)?;
        let interval_ms = u32_at(b, 16)?;
        let bytes = u64_at(b, 24)?;
        (interval_ms != 0).then_some(Self {
            seed,
            interval_ms,
            bytes,
        })
    }

    /// Reads and decodes a header.
    pub fn read_from(r: &mut (impl Read + ?Sized)) -> io::Result<Self> {
        let mut b = [0u8; Self::LEN];
        r.read_exact(&mut b)?;
        Self::decode(&b).ok_or_else(|| invalid("not an mrcperf header"))
    }
}

// Fields alike report::ClientReport's by shape: this is the server's wire JSON,
// that the client's output; the names are each format's.
/// The receiver's account of one connection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerReport {
    /// Pattern bytes received (the header not counted).
    pub bytes: u64,
    /// True if every received byte matched the pattern and the count is
    /// the one the client announced (when it announced one).
    pub intact: bool,
    /// Stream offset of the first wrong byte, if any.
    pub first_mismatch: Option<u64>,
    /// Nanoseconds from the header's arrival to EOF.
    pub ns: u64,
    /// Interval length of `intervals`, in milliseconds.
    pub interval_ms: u32,
    /// Bytes received in each interval since the header arrived.
    pub intervals: Vec<u64>,
    /// The header's arrival on the receiver's wall clock, nanoseconds
    /// since 1970: t = 0 of `intervals`.
    pub start_epoch_ns: u64,
}

impl ServerReport {
    pub fn seconds(&self) -> f64 {
        codec::seconds(self.ns)
    }
}

/// Writes a length-prefixed JSON report.
pub fn write_report(w: &mut (impl Write + ?Sized), r: &ServerReport) -> io::Result<()> {
    let body = serde_json::to_vec(r).map_err(io::Error::other)?;
    let len = u32::try_from(body.len()).map_err(io::Error::other)?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(&body)?;
    w.flush()
}

/// Reads a length-prefixed JSON report.
pub fn read_report(r: &mut (impl Read + ?Sized)) -> io::Result<ServerReport> {
    let mut l = [0u8; 4];
    r.read_exact(&mut l)?;
    let len = u32::from_be_bytes(l);
    if len > MAX_REPLY {
        return Err(invalid("report too long"));
    }
    let mut body = vec![0u8; len as usize];
    r.read_exact(&mut body)?;
    serde_json::from_slice(&body).map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_refusals() {
        let h = Header {
            seed: 0x0102_0304_0506_0708,
            interval_ms: 100,
            bytes: 1 << 40,
        };
        assert_eq!(Header::decode(&h.encode()), Some(h));
        let mut bad = h.encode();
        bad[0] = b'X';
        assert_eq!(Header::decode(&bad), None);
        let zero = Header {
            interval_ms: 0,
            ..h
        };
        assert_eq!(Header::decode(&zero.encode()), None);
    }

    #[test]
    // Alike msgwire's message tests in shape: each message's own fields and
    // refusals.
    fn report_round_trip() {
        let r = ServerReport {
            bytes: 10,
            intact: true,
            first_mismatch: None,
            ns: 1_500_000_001,
            interval_ms: 100,
            intervals: vec![1, 2, 7],
            start_epoch_ns: 1_795_000_000_250_000_001,
        };
        let mut buf = Vec::new();
        write_report(&mut buf, &r).unwrap();
        assert_eq!(read_report(&mut &buf[..]).unwrap(), r);
        // A length beyond the limit is refused before allocating.
        let huge = (MAX_REPLY + 1).to_be_bytes();
        assert!(read_report(&mut &huge[..]).is_err());
    }
}
