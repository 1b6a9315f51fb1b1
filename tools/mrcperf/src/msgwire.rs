//! The message exchange of `--proto mrc` (any `SOCK_SEQPACKET` transport):
//! what travels besides the pattern, one message each.
//!
//! ```text
//! client -> server  Hello (40 bytes)
//!                   data messages: the pattern (`pattern`, seed), cut at
//!                   the sizes of `sizes` (seed, min_msg..=max_msg)
//!                   End (24 bytes): bytes and messages sent
//! server -> client  with BIDIR, at the same time: data messages of the
//!                   reverse stream (seed !seed, same sizes), then End
//!                   Report: "MRCPREP1" then the JSON MsgReport
//! client -> server  Bye (8 bytes); then both close
//! ```
//!
//! Integers are big-endian. No message relies on a half-close or on what
//! close() does with unsent data: the End tells the receiver the stream is
//! complete, the Report the client that it arrived, the Bye the server that
//! its Report arrived. A receiver tells the End from a data message by
//! trying data first: a data message has the expected size and pattern;
//! only a message that is not that and is a well-formed End is the End.
//! selftests/mrc_client.c and selftests/mrc_client.py speak the same.

use serde::{Deserialize, Serialize};
use std::io;

use crate::codec::{self, invalid, u32_at, u64_at};
use crate::sizes::SizeRange;

pub const HELLO_MAGIC: [u8; 8] = *b"MRCPMSG1";
pub const END_MAGIC: [u8; 8] = *b"MRCPEND1";
pub const REPORT_MAGIC: [u8; 8] = *b"MRCPREP1";
pub const BYE: [u8; 8] = *b"MRCPBYE1";

/// Hello flag: the server sends a stream back while it receives.
pub const FLAG_BIDIR: u32 = 1;

/// The client's first message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hello {
    /// Seed of the pattern and of the message sizes.
    pub seed: u64,
    /// Interval of the receiver's goodput series, milliseconds (not 0).
    pub interval_ms: u32,
    pub flags: u32,
    /// Bytes the client sends (and, with BIDIR, the server sends back);
    /// 0: the client sends for a time and the server until the End.
    pub bytes: u64,
    /// The data messages' sizes: `max` in 1..=1 MiB, `min` up to `max`
    /// (on the wire 0 for 1: the foreign clients send 0 there).
    pub sizes: SizeRange,
}

impl Hello {
    pub const LEN: usize = 40;

    pub fn encode(&self) -> [u8; Self::LEN] {
        let min = if self.sizes.min > 1 {
            self.sizes.min
        } else {
            0
        };
        codec::encode(
            &HELLO_MAGIC,
            &[
                (8, &self.seed.to_be_bytes()),
                (16, &self.interval_ms.to_be_bytes()),
                (20, &self.flags.to_be_bytes()),
                (24, &self.bytes.to_be_bytes()),
                (32, &self.sizes.max.to_be_bytes()),
                (36, &min.to_be_bytes()),
            ],
        )
    }

    pub fn decode(b: &[u8]) -> Option<Self> {
        codec::framed(b, Self::LEN, &HELLO_MAGIC)?;
        let h = Self {
            seed: u64_at(b, 8)?,
            interval_ms: u32_at(b, 16)?,
            flags: u32_at(b, 20)?,
            bytes: u64_at(b, 24)?,
            sizes: SizeRange {
                min: u32_at(b, 36)?.max(1),
                max: u32_at(b, 32)?,
            },
        };
        let sizes_ok =
            (1..=crate::mrc::MAX_MESSAGE).contains(&h.sizes.max) && h.sizes.min <= h.sizes.max;
        (h.interval_ms != 0 && sizes_ok).then_some(h)
    }

    pub fn bidir(&self) -> bool {
        self.flags & FLAG_BIDIR != 0
    }

    /// The byte limit of each direction (`None`: timed).
    pub fn limit(&self) -> Option<u64> {
        (self.bytes != 0).then_some(self.bytes)
    }
}

/// The last message of a stream: what was sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct End {
    pub bytes: u64,
    pub messages: u64,
}

impl End {
    pub const LEN: usize = 24;

    pub fn encode(&self) -> [u8; Self::LEN] {
        codec::encode(
            &END_MAGIC,
            &[
                (8, &self.bytes.to_be_bytes()),
                (16, &self.messages.to_be_bytes()),
            ],
        )
    }

    pub fn decode(b: &[u8]) -> Option<Self> {
        codec::framed(b, Self::LEN, &END_MAGIC)?;
        Some(Self {
            bytes: u64_at(b, 8)?,
            messages: u64_at(b, 16)?,
        })
    }
}

// Fields alike report::ReverseReport's, but this is the wire's JSON, which the C and Python clients read; that one is the client's output.
/// What a receiver found in one stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamReport {
    /// Pattern bytes received.
    pub bytes: u64,
    /// Data messages received.
    pub messages: u64,
    /// Every message had its size and its bytes, none was missing or
    /// extra, and the End's totals match (and the Hello's byte count).
    pub intact: bool,
    /// Stream offset of the first wrong byte (or of the first message
    /// boundary in the wrong place).
    pub first_mismatch: Option<u64>,
    /// Index of the first data message that was not as expected.
    pub bad_message: Option<u64>,
    /// Nanoseconds from the first message (the Hello, for the server) to
    /// the End.
    pub ns: u64,
    pub interval_ms: u32,
    /// Bytes received in each interval.
    pub intervals: Vec<u64>,
    /// t = 0 of `intervals` on the receiver's wall clock, nanoseconds
    /// since 1970 (absent from mrc_client.py's reports).
    #[serde(default)]
    pub start_epoch_ns: Option<u64>,
}

impl StreamReport {
    pub fn seconds(&self) -> f64 {
        codec::seconds(self.ns)
    }
}

/// The server's Report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MsgReport {
    /// The client-to-server stream, as the server received it.
    #[serde(flatten)]
    pub received: StreamReport,
    /// What the server sent back (BIDIR).
    pub reverse_bytes: u64,
    pub reverse_messages: u64,
}

impl MsgReport {
    /// The Report message. A report too large for one message drops its
    /// series (it never is at sane intervals: 1 MiB is 100 000 intervals).
    pub fn encode(&self, max: usize) -> io::Result<Vec<u8>> {
        let mut m = REPORT_MAGIC.to_vec();
        serde_json::to_writer(&mut m, self).map_err(io::Error::other)?;
        if m.len() > max {
            let mut lean = self.clone();
            lean.received.intervals.clear();
            m.truncate(REPORT_MAGIC.len());
            serde_json::to_writer(&mut m, &lean).map_err(io::Error::other)?;
        }
        Ok(m)
    }

    pub fn decode(b: &[u8]) -> io::Result<Self> {
        let json = b
            .strip_prefix(&REPORT_MAGIC[..])
            .ok_or_else(|| invalid("not an mrcperf report"))?;
        serde_json::from_slice(json).map_err(invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_round_trip_and_refusals() {
        let h = Hello {
            seed: 0x0102_0304_0506_0708,
            interval_ms: 100,
            flags: FLAG_BIDIR,
            bytes: 64 << 20,
            sizes: SizeRange::up_to(1 << 20),
        };
        let b = h.encode();
        assert_eq!(&b[..8], b"MRCPMSG1");
        assert_eq!(&b[32..40], &[0, 0x10, 0, 0, 0, 0, 0, 0]);
        assert_eq!(Hello::decode(&b), Some(h));
        let fixed = Hello {
            sizes: SizeRange {
                min: 8192,
                max: 8192,
            },
            ..h
        };
        assert_eq!(&fixed.encode()[32..40], &[0, 0, 0x20, 0, 0, 0, 0x20, 0]);
        assert_eq!(Hello::decode(&fixed.encode()), Some(fixed));
        assert!(h.bidir());
        assert_eq!(h.limit(), Some(64 << 20));
        assert_eq!(Hello { bytes: 0, ..h }.limit(), None);
        assert_eq!(Hello::decode(&b[..39]), None);
        for bad in [
            Hello {
                interval_ms: 0,
                ..h
            },
            Hello {
                sizes: SizeRange::up_to(0),
                ..h
            },
            Hello {
                sizes: SizeRange::up_to((1 << 20) + 1),
                ..h
            },
            Hello {
                sizes: SizeRange {
                    min: 5000,
                    max: 4096,
                },
                ..h
            },
        ] {
            assert_eq!(Hello::decode(&bad.encode()), None);
        }
    }

    // Alike wire's header test in shape: each message's own fields and refusals.
    #[test]
    fn end_round_trip() {
        let e = End {
            bytes: 5,
            messages: 2,
        };
        let b = e.encode();
        assert_eq!(End::decode(&b), Some(e));
        assert_eq!(End::decode(&b[..23]), None);
        let mut x = b;
        x[3] ^= 1;
        assert_eq!(End::decode(&x), None);
    }

    #[test]
    fn report_round_trip_and_size_cap() {
        let r = MsgReport {
            received: StreamReport {
                bytes: 10,
                messages: 3,
                intact: true,
                interval_ms: 100,
                intervals: vec![7; 1000],
                ns: 1_234_567_891,
                start_epoch_ns: Some(1_795_000_000_123_456_789),
                ..Default::default()
            },
            reverse_bytes: 4,
            reverse_messages: 1,
        };
        let m = r.encode(1 << 20).unwrap();
        assert!(m.starts_with(b"MRCPREP1{"));
        // The flattened names are what the C and Python clients look for.
        let text = std::str::from_utf8(&m[8..]).unwrap();
        assert!(text.contains("\"intact\":true") && text.contains("\"bytes\":10"));
        assert_eq!(MsgReport::decode(&m).unwrap(), r);
        let small = r.encode(200).unwrap();
        let back = MsgReport::decode(&small).unwrap();
        assert!(back.received.intervals.is_empty() && back.received.intact);
        assert!(MsgReport::decode(b"MRCPEND1{}").is_err());
    }
}
