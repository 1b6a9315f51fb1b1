//! The receiver's side of one message stream (`msgwire`): every data
//! message must have the next size of the sequence and the pattern's bytes
//! at its offset, and the End must count what arrived.

use crate::msgwire::End;
use crate::pattern::Pattern;
use crate::sizes::{SizeRange, Sizes};

/// What a received message was.
#[derive(Debug, PartialEq, Eq)]
pub enum Got {
    Data,
    End(End),
}

/// The check of one stream, message by message.
pub struct MsgCheck {
    pat: Pattern,
    sizes: Sizes,
    /// The announced byte count (`None`: timed).
    limit: Option<u64>,
    /// Stream offset: the bytes received so far.
    pub off: u64,
    pub messages: u64,
    pub first_mismatch: Option<u64>,
    pub bad_message: Option<u64>,
    scratch: Vec<u8>,
}

impl MsgCheck {
    pub fn new(seed: u64, sizes: SizeRange, limit: Option<u64>) -> Self {
        Self {
            pat: Pattern::new(seed),
            sizes: Sizes::new(seed, sizes),
            limit,
            off: 0,
            messages: 0,
            first_mismatch: None,
            bad_message: None,
            scratch: Vec::new(),
        }
    }

    /// Classifies and checks one message.
    pub fn feed(&mut self, msg: &[u8]) -> Got {
        let mut next = self.sizes.clone();
        let want = next.next_within(self.limit.map(|l| l.saturating_sub(self.off)));
        let expected = msg.len() == want as usize
            && self.pat.check(self.off, msg, &mut self.scratch).is_none();
        if !expected {
            if let Some(end) = End::decode(msg) {
                return Got::End(end);
            }
            if self.first_mismatch.is_none() {
                let at_byte = self.pat.check(self.off, msg, &mut self.scratch);
                let at_boundary = self.off + msg.len().min(want as usize) as u64;
                self.first_mismatch = Some(at_byte.map_or(at_boundary, |b| b.min(at_boundary)));
                self.bad_message = Some(self.messages);
            }
        }
        self.sizes = next;
        self.off += msg.len() as u64;
        self.messages += 1;
        Got::Data
    }

    /// The stream is complete and undamaged, as the End describes it.
    pub fn intact(&self, end: &End) -> bool {
        self.first_mismatch.is_none()
            && end.bytes == self.off
            && end.messages == self.messages
            && self.limit.is_none_or(|l| l == self.off)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages a sender of `seed` sends for `total` bytes.
    fn stream(seed: u64, max: u32, total: u64) -> Vec<Vec<u8>> {
        let (pat, mut sizes) = (Pattern::new(seed), Sizes::new(seed, SizeRange::up_to(max)));
        let (mut off, mut out) = (0u64, Vec::new());
        while off < total {
            let n = sizes.next_within(Some(total - off)) as usize;
            let mut m = vec![0u8; n];
            pat.fill(off, &mut m);
            off += n as u64;
            out.push(m);
        }
        out
    }

    fn run(c: &mut MsgCheck, msgs: &[Vec<u8>]) {
        for m in msgs {
            assert_eq!(c.feed(m), Got::Data);
        }
    }

    #[test]
    fn intact_stream() {
        let msgs = stream(3, 4096, 100_000);
        let mut c = MsgCheck::new(3, SizeRange::up_to(4096), Some(100_000));
        run(&mut c, &msgs);
        let end = End {
            bytes: 100_000,
            messages: msgs.len() as u64,
        };
        assert_eq!(c.feed(&end.encode()), Got::End(end));
        assert!(c.intact(&end));
        // Timed: no limit announced.
        let mut t = MsgCheck::new(3, SizeRange::up_to(4096), None);
        run(&mut t, &msgs[..5]);
        let n: u64 = msgs[..5].iter().map(|m| m.len() as u64).sum();
        assert!(t.intact(&End {
            bytes: n,
            messages: 5
        }));
        assert!(!t.intact(&End {
            bytes: n,
            messages: 6
        }));
    }

    #[test]
    fn damage_is_located() {
        let msgs = stream(4, 4096, 50_000);
        let base: u64 = msgs[..3].iter().map(|m| m.len() as u64).sum();

        // A flipped byte in message 3.
        let mut bad = msgs.clone();
        bad[3][0] ^= 1;
        let mut c = MsgCheck::new(4, SizeRange::up_to(4096), Some(50_000));
        run(&mut c, &bad);
        assert_eq!((c.first_mismatch, c.bad_message), (Some(base), Some(3)));
        let end = End {
            bytes: 50_000,
            messages: msgs.len() as u64,
        };
        assert!(!c.intact(&end));

        // Two messages merged into one: the boundary is in the wrong place.
        let mut merged = msgs[..3].to_vec();
        merged.push([msgs[3].clone(), msgs[4].clone()].concat());
        let mut c = MsgCheck::new(4, SizeRange::up_to(4096), Some(50_000));
        run(&mut c, &merged);
        assert_eq!(c.first_mismatch, Some(base + msgs[3].len() as u64));
        assert_eq!(c.bad_message, Some(3));

        // A lost message.
        let mut lost = msgs.clone();
        lost.remove(2);
        let mut c = MsgCheck::new(4, SizeRange::up_to(4096), Some(50_000));
        run(&mut c, &lost);
        assert_eq!(c.bad_message, Some(2));

        // A stream cut short is not intact even if the End agrees with it.
        let mut c = MsgCheck::new(4, SizeRange::up_to(4096), Some(50_000));
        run(&mut c, &msgs[..3]);
        assert!(!c.intact(&End {
            bytes: base,
            messages: 3
        }));
    }

    /// A data message that happens to be End-sized is still data.
    #[test]
    fn end_sized_data_is_data() {
        let pat = Pattern::new(11);
        let mut s = Sizes::new(11, SizeRange::up_to(24));
        let mut off = 0u64;
        let mut c = MsgCheck::new(11, SizeRange::up_to(24), None);
        for _ in 0..200 {
            let mut m = vec![0u8; s.next_size() as usize];
            pat.fill(off, &mut m);
            off += m.len() as u64;
            assert_eq!(c.feed(&m), Got::Data);
        }
        assert_eq!(c.first_mismatch, None);
    }
}
