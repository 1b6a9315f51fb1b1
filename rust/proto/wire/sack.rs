//! The SACK extension header: the responder's acknowledgement. Every
//! acknowledgement is a SACK; an empty bitmap makes it a plain cumulative
//! ACK. It also carries what the sender needs per path and for RTT: the EV
//! index of the packet that triggered it, its ECN mark, its timestamp and
//! how long the responder held it, and (this implementation's flow
//! control, see [`SackCredit`]) how much of new messages the responder's
//! application buffer can still take.
//!
//! | byte | bits | field |
//! |------|------|-------|
//! | 0 | | message limit, high byte (only with CREDIT; else 0) |
//! | 1–3 | | cumulative ack PSN: every PSN before it has been received (the next PSN expected) |
//! | 4 | | message limit, low byte (only with CREDIT; else 0) |
//! | 5–7 | | SACK base PSN |
//! | 8–15 | | bitmap: bit i (bit 0 = least significant) set ⇒ PSN base + i received |
//! | 16–23 | | timestamp echo: the data extension timestamp of the triggering packet, ns |
//! | 24–27 | | responder service time, ns: from that packet's arrival to this SACK's departure |
//! | 28–29 | | EV index echo: the triggering packet's EV index |
//! | 30–31 | | MPR: the responder's current maximum packet reorder, units of 128 PSNs, ≥ 1 |
//! | 32 | 7 | ECN echo: the triggering packet arrived CE-marked |
//! | 32 | 6 | CREDIT: bytes 33–35 hold the receive limit, bytes 0 and 4 the message limit |
//! | 32 | 5 | EMPTY: the responder holds no message (only with CREDIT) |
//! | 32 | 4–0 | reserved, 0 |
//! | 33–35 | | receive limit, 64-byte units, modulo 2^24 (only with CREDIT; else 0) |
//!
//! 36 bytes. Every set bitmap bit must name a PSN after the cumulative ack
//! (within half the PSN space); with an empty bitmap the base must equal the
//! cumulative ack, so that every SACK has one encoding.

use super::cursor::{Reader, Writer};
use super::WireError;
use crate::proto::psn::Psn;

const ECN_ECHO: u8 = 0x80;
const CREDIT: u8 = 0x40;
const EMPTY: u8 = 0x20;

/// The receive credit a SACK may carry: flow control of this
/// implementation, beyond the protocol (whose hardware receivers provision
/// their buffers up front). The responder's application buffer can hold
/// the messages whose bytes, counted from the start of the connection in
/// the order of their message numbers, end at or before `limit` × 64; a
/// sender starts no message beyond that, so a slow reader holds its
/// sender back instead of refusing its packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SackCredit {
    /// The limit in 64-byte units, modulo 2^24 (24 bits).
    pub limit: u32,
    /// The responder holds no message: any one message fits, whatever
    /// its length.
    pub empty: bool,
    /// The first message sequence number the responder has no room for,
    /// modulo 2^16: it holds a bounded number of messages, however small.
    pub messages: u16,
}

impl SackCredit {
    /// Bytes per unit of `limit`.
    pub const UNIT: u64 = 64;
    /// `limit` wraps at this many units.
    pub const MODULUS: u32 = 1 << 24;
}

/// The SACK extension header, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SackRepr {
    /// Every PSN before this one has been received.
    pub cum_ack: Psn,
    /// The PSN of bitmap bit 0.
    pub sack_base: Psn,
    /// Received PSNs beyond the cumulative ack: bit i ⇒ `sack_base + i`.
    pub bitmap: u64,
    /// Timestamp of the triggering data packet, ns.
    pub timestamp_echo: u64,
    /// How long the responder held the triggering packet, ns.
    pub service_time: u32,
    /// EV index of the triggering data packet.
    pub ev_index: u16,
    /// The responder's current MPR (units of 128 PSNs).
    pub mpr: u16,
    /// The triggering packet was ECN CE-marked.
    pub ecn_echo: bool,
    /// The responder's receive credit, if it announces one.
    pub credit: Option<SackCredit>,
}

// A deliberate twin of every extension's parse and emit: the same Reader and
// Writer steps over each header's own documented layout.
impl SackRepr {
    /// Length of the SACK extension in bytes.
    pub const LEN: usize = 36;

    /// True if this SACK reports `psn` as received (cumulatively or in the
    /// bitmap).
    pub fn acks(&self, psn: Psn) -> bool {
        psn.is_before(self.cum_ack)
            || self
                .bitmap
                .checked_shr(self.sack_base.forward_to(psn))
                .is_some_and(|bits| bits & 1 != 0)
    }

    /// Parses the SACK extension at the start of `buf`; returns it and the
    /// bytes after it.
    pub fn parse(buf: &[u8]) -> Result<(SackRepr, &[u8]), WireError> {
        let mut r = Reader::new(buf);
        let messages_hi = r.u8()?;
        let cum_ack = Psn::new_truncating(r.u24_packed()?);
        let messages_lo = r.u8()?;
        let sack_base = Psn::new_truncating(r.u24_packed()?);
        let messages = u16::from_be_bytes([messages_hi, messages_lo]);
        let bitmap = r.u64()?;
        let timestamp_echo = r.u64()?;
        let service_time = r.u32()?;
        let ev_index = r.u16()?;
        let mpr = r.u16()?;
        let flags = r.u8()?;
        let limit = r.u24_packed()?;
        let credit = if flags & CREDIT != 0 {
            Some(SackCredit {
                limit,
                empty: flags & EMPTY != 0,
                messages,
            })
        } else if flags & EMPTY != 0 || limit != 0 || messages != 0 {
            return Err(WireError::ReservedBitsSet);
        } else {
            None
        };
        if flags & !(ECN_ECHO | CREDIT | EMPTY) != 0 {
            return Err(WireError::ReservedBitsSet);
        }
        let repr = SackRepr {
            cum_ack,
            sack_base,
            bitmap,
            timestamp_echo,
            service_time,
            ev_index,
            mpr,
            ecn_echo: flags & ECN_ECHO != 0,
            credit,
        };
        repr.check()?;
        Ok((repr, r.rest()))
    }

    /// Writes the SACK extension to the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        self.check()?;
        let mut w = Writer::new(buf);
        let [messages_hi, messages_lo] = self.credit.map_or(0, |c| c.messages).to_be_bytes();
        w.u8(messages_hi)?;
        w.u24_packed(self.cum_ack.get())?;
        w.u8(messages_lo)?;
        w.u24_packed(self.sack_base.get())?;
        w.u64(self.bitmap)?;
        w.u64(self.timestamp_echo)?;
        w.u32(self.service_time)?;
        w.u16(self.ev_index)?;
        w.u16(self.mpr)?;
        let mut flags = if self.ecn_echo { ECN_ECHO } else { 0 };
        if let Some(c) = self.credit {
            flags |= CREDIT | if c.empty { EMPTY } else { 0 };
        }
        w.u8(flags)?;
        w.u24_packed(self.credit.map_or(0, |c| c.limit))?;
        Ok(Self::LEN)
    }

    fn check(&self) -> Result<(), WireError> {
        if self.mpr == 0 {
            return Err(WireError::ZeroMpr);
        }

        if self.bitmap == 0 {
            return if self.sack_base == self.cum_ack {
                Ok(())
            } else {
                Err(WireError::SackBaseWithoutBitmap)
            };
        }
        // The set bits span at most 64 PSNs: if the lowest and the highest
        // are after the cumulative ack, so is every one between them.
        let lowest = self.sack_base.wrapping_add(self.bitmap.trailing_zeros());
        let highest = self
            .sack_base
            .wrapping_add((u64::BITS - 1).saturating_sub(self.bitmap.leading_zeros()));
        if lowest.is_after(self.cum_ack) && highest.is_after(self.cum_ack) {
            Ok(())
        } else {
            Err(WireError::SackBitmapBehindCumAck)
        }
    }
}

#[cfg(test)]
// Each extension's tests share a shape (and wire/check.rs): deliberate twins
// over different samples and rules.
mod tests {
    use super::super::check;
    use super::*;

    const SAMPLE: [u8; 36] = [
        0x12, 0x00, 0x01, 0x00, // message limit 0x1234 (high byte); cum ack 256
        0x34, 0x00, 0x01, 0x02, // (low byte); base 258
        0, 0, 0, 0, 0, 0, 0, 0x05, // bitmap: 258, 260
        0, 0, 0, 0, 0, 0, 0x30, 0x39, // timestamp echo 12345
        0, 0, 0x03, 0xE8, // service time 1000
        0, 0x09, // EV index 9
        0, 0x04, // MPR 4
        0xE0, 0x01, 0x02, 0x03, // ECN echo, CREDIT, EMPTY; limit 0x010203
    ];

    fn p(v: u32) -> Psn {
        Psn::new(v).unwrap()
    }

    fn sample() -> SackRepr {
        SackRepr {
            cum_ack: p(256),
            sack_base: p(258),
            bitmap: 5,
            timestamp_echo: 12345,
            service_time: 1000,
            ev_index: 9,
            mpr: 4,
            ecn_echo: true,
            credit: Some(SackCredit {
                limit: 0x01_0203,
                empty: true,
                messages: 0x1234,
            }),
        }
    }

    #[test]
    fn parses_and_emits_the_documented_layout() {
        check::layout(&SAMPLE, &sample(), SackRepr::parse, SackRepr::emit);
    }

    #[test]
    fn reserved_bits_are_refused() {
        check::reserved_bits(&SAMPLE, &[(32, 0x01), (32, 0x10)], SackRepr::parse);
    }

    #[test]
    fn a_limit_or_empty_without_credit_is_refused() {
        let mut b = SAMPLE;
        b[32] = 0x80;
        assert_eq!(SackRepr::parse(&b), Err(WireError::ReservedBitsSet));
        b[33..36].copy_from_slice(&[0; 3]);
        assert_eq!(SackRepr::parse(&b), Err(WireError::ReservedBitsSet));
        b[0] = 0;
        assert_eq!(SackRepr::parse(&b), Err(WireError::ReservedBitsSet));
        b[4] = 0;
        b[32] = 0xA0;
        assert_eq!(SackRepr::parse(&b), Err(WireError::ReservedBitsSet));
        b[32] = 0x80;
        let (plain, _) = SackRepr::parse(&b).unwrap();
        assert_eq!(plain.credit, None);
        let mut back = [0; 36];
        plain.emit(&mut back).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn a_limit_wider_than_24_bits_is_not_emitted() {
        let wide = SackRepr {
            credit: Some(SackCredit {
                limit: SackCredit::MODULUS,
                empty: false,
                messages: 0,
            }),
            ..sample()
        };
        assert_eq!(wide.emit(&mut [0; 36]), Err(WireError::FieldTooWide));
    }

    #[test]
    fn zero_mpr_is_refused() {
        let mut b = SAMPLE;
        b[31] = 0;
        assert_eq!(SackRepr::parse(&b), Err(WireError::ZeroMpr));
        assert_eq!(
            SackRepr { mpr: 0, ..sample() }.emit(&mut [0; 36]),
            Err(WireError::ZeroMpr)
        );
    }

    /// The sample with this SACK base and bitmap, which `emit` refuses.
    fn refused(sack_base: Psn, bitmap: u64) {
        let bad = SackRepr {
            sack_base,
            bitmap,
            ..sample()
        };
        assert_eq!(
            bad.emit(&mut [0; 36]),
            Err(WireError::SackBitmapBehindCumAck),
            "base {sack_base:?} bitmap {bitmap:#x}"
        );
    }

    #[test]
    fn bitmap_bit_at_cum_ack_is_refused() {
        refused(p(256), 1);
        let mut b = SAMPLE;
        b[7] = 0x00; // base 256, bitmap 0b101: bit 0 names the cum ack itself
        assert_eq!(SackRepr::parse(&b), Err(WireError::SackBitmapBehindCumAck));
    }

    #[test]
    fn bitmap_behind_cum_ack_but_base_before_is_fine_if_bits_are_after() {
        let ok = SackRepr {
            sack_base: p(250),
            bitmap: 1 << 10,
            ..sample()
        };
        assert_eq!(ok.emit(&mut [0; 36]), Ok(36));
        refused(p(250), 1 << 6 | 1 << 10);
    }

    #[test]
    fn bitmap_past_half_the_space_is_refused() {
        refused(p(256 + Psn::HALF - 1), 1 << 63);
    }

    #[test]
    fn bitmap_across_the_psn_wrap() {
        let wrap = SackRepr {
            cum_ack: p(0xFF_FFF0),
            sack_base: p(0xFF_FFF1),
            bitmap: u64::MAX,
            ..sample()
        };
        let mut out = [0; 36];
        assert_eq!(wrap.emit(&mut out), Ok(36));
        assert_eq!(SackRepr::parse(&out).unwrap().0, wrap);
        assert!(wrap.acks(p(0x20)));
        assert!(!wrap.acks(p(0x31)));
        assert!(wrap.acks(p(0xFF_FFEF)));
        assert!(!wrap.acks(p(0xFF_FFF0)));
    }

    #[test]
    fn empty_bitmap_needs_base_equal_to_cum_ack() {
        let bad = SackRepr {
            bitmap: 0,
            ..sample()
        };
        assert_eq!(
            bad.emit(&mut [0; 36]),
            Err(WireError::SackBaseWithoutBitmap)
        );
        let ok = SackRepr {
            bitmap: 0,
            sack_base: p(256),
            ..sample()
        };
        assert_eq!(ok.emit(&mut [0; 36]), Ok(36));
    }

    #[test]
    fn acks_reports_cumulative_and_selective() {
        let s = sample();
        assert!(s.acks(p(255)));
        assert!(!s.acks(p(256)));
        assert!(!s.acks(p(257)));
        assert!(s.acks(p(258)));
        assert!(!s.acks(p(259)));
        assert!(s.acks(p(260)));
    }
}
