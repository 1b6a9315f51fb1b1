//! Receive credit: flow control that this implementation adds to the
//! protocol, whose hardware receivers provision their buffers up front. A
//! socket's reader can be slower than its sender; without a credit the
//! receiver could only refuse what its buffer cannot take (NO_RESOURCE),
//! and the sender would send it again. With it, the SACKs announce how far
//! the sender may go (`SackCredit`), and the sender starts no message
//! beyond that: TCP's receive window, counted in message bytes.
//!
//! Both ends count the bytes of messages in message-number order, from the
//! start of the connection: the receiver those it began (accepted a first
//! packet of), the sender those it started (sent a first packet of). The
//! receiver's limit is what it began plus what its buffer can still take;
//! it only grows, as the application reads, so a late SACK cannot shrink
//! it. Bytes alone do not bound how many messages the receiver holds (a
//! thousand one-byte messages fit any buffer), so each credit also names
//! the first message number the receiver has no room for, and the sender
//! starts no message from there on either. A message larger than the
//! whole buffer still goes when the receiver holds nothing (the EMPTY
//! flag) and nothing is in flight. If the SACK that opens the credit is
//! lost, a message that waited idle for an ACK timeout asks for the
//! credit with a probe that carries no data, as TCP's persist timer probes
//! a zero window: the waiting message's data goes only once a credit
//! covers it, so a stalled reader costs no refused and resent packets.
//! Each probe doubles the interval to the next, up to
//! 2^[`PROBE_BACKOFF_MAX`] ACK timeouts.

use crate::proto::wire::SackCredit;

/// The most a limit runs ahead of what the receiver began: keeps the
/// 24-bit limit (in 64-byte units, 1 GiB around) within reach of the
/// sender's unwrapping.
const MAX_AHEAD: u64 = 1 << 28;

/// The bits of a limit on the wire.
const MASK: u32 = SackCredit::MODULUS - 1;

/// Message numbers the receiver's message limit moves by before the
/// peer hears of it in a SACK of its own (a sender waiting on the limit
/// hears when the reader has taken this many messages, or all it held).
const MESSAGE_STEP: u32 = 32;

/// How far past the next message to complete a message limit may lie: it
/// goes on the wire as 16 bits, which the sender unwraps near its own
/// next message.
const MESSAGE_HORIZON: u32 = 1 << 14;

/// Doublings of the persist interval, for a receiver that stays full.
const PROBE_BACKOFF_MAX: u32 = 6;

/// Whether message number `a` comes before `b` (within half the space).
fn before(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) > 0
}

/// `messages` as a message limit for a receiver whose next message to
/// complete is `base`: at most [`MESSAGE_HORIZON`] past it.
pub(super) fn message_limit(messages: u32, base: u32) -> u32 {
    let horizon = base.wrapping_add(MESSAGE_HORIZON);
    if before(messages, horizon) {
        messages
    } else {
        horizon
    }
}

/// The receiver's side.
#[derive(Clone, Copy, Debug)]
pub(super) struct RxCredit {
    /// Announce a credit: the application told its buffer's room.
    on: bool,
    /// Bytes of the messages begun so far.
    begun: u64,
    /// Bytes of new messages the application's buffer can still take.
    free: u64,
    /// The buffer holds no message, so any one message fits.
    empty: bool,
    /// The first message number the application's side has no room for.
    messages: u32,
    /// The limit, EMPTY flag and message limit the last SACK announced.
    told: Option<(u64, bool, u32)>,
}

impl RxCredit {
    /// No credit announced, any message accepted.
    pub(super) const fn unlimited() -> Self {
        RxCredit {
            on: false,
            begun: 0,
            free: u64::MAX,
            empty: true,
            messages: 0,
            told: None,
        }
    }

    /// The application's buffer can take `free` more bytes of new
    /// messages, and holds no message if `empty`; it has no room for
    /// message number `messages` and later ones. Returns whether the peer
    /// should hear of it at once, as after the application read what the
    /// sender may be waiting on: the buffer emptied, the room ahead of
    /// what began grew and either doubled since the last SACK or was
    /// smaller than `largest` (a message of up to that many bytes may be
    /// waiting for it), or the message limit moved [`MESSAGE_STEP`] past
    /// the one told.
    pub(super) fn set(&mut self, free: u64, empty: bool, messages: u32, largest: u64) -> bool {
        self.on = true;
        self.free = free;
        self.empty = empty;
        self.messages = messages;
        let Some((told, told_empty, told_messages)) = self.told else {
            return false;
        };
        let ahead_told = told.saturating_sub(self.begun);
        let ahead = self.ahead();
        (empty && !told_empty)
            || (ahead > ahead_told
                && (ahead >= ahead_told.saturating_mul(2) || ahead_told < largest))
            || !before(messages, told_messages.wrapping_add(MESSAGE_STEP))
    }

    /// The room for new messages, `u64::MAX` when any one message fits.
    pub(super) fn room(&self) -> u64 {
        if self.empty {
            u64::MAX
        } else {
            self.free
        }
    }

    /// Whether new message number `msn`, of `len` bytes, fits (none does
    /// in no room, not even an empty one).
    pub(super) fn fits(&self, msn: u32, len: u32) -> bool {
        if !self.on {
            return true;
        }
        self.empty || (self.free != 0 && u64::from(len) <= self.free && before(msn, self.messages))
    }

    /// A message of `len` bytes began: it takes its room.
    pub(super) fn begin(&mut self, len: u32) {
        self.begun = self.begun.saturating_add(u64::from(len));
        self.free = self.free.saturating_sub(u64::from(len));
        self.empty = false;
    }

    fn ahead(&self) -> u64 {
        self.free.min(MAX_AHEAD)
    }

    /// The credit for the SACK leaving now, if the application told one.
    pub(super) fn announce(&mut self) -> Option<SackCredit> {
        if !self.on {
            return None;
        }
        let limit = self.begun.saturating_add(self.ahead());
        self.told = Some((limit, self.empty, self.messages));
        let units = limit.checked_div(SackCredit::UNIT).unwrap_or(0) & u64::from(MASK);
        Some(SackCredit {
            limit: u32::try_from(units).unwrap_or(0),
            empty: self.empty,
            // The low 16 bits: the sender unwraps them near its own.
            messages: self.messages as u16,
        })
    }
}

/// The sender's side.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct TxCredit {
    /// Bytes of the messages started so far.
    started: u64,
    /// The peer's limit, once a SACK announced one.
    limit: Option<u64>,
    /// The first message number the peer has no room for, once a SACK
    /// announced one.
    messages: Option<u32>,
    /// The peer said it holds nothing, in a SACK that acked all sent.
    peer_empty: bool,
    /// Since when a message has waited for credit with nothing in flight.
    waiting_since: Option<u64>,
    /// Credit probes sent since a message last started.
    probes: u32,
}

/// What the credit says of the next message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Start {
    /// It may start.
    Go,
    /// It waits for credit.
    Wait,
    /// It waited idle for the persist interval: ask for the credit with a
    /// probe that carries no data.
    Probe,
}

impl TxCredit {
    /// A SACK announced `credit`; `acked_all`: it acked every packet sent;
    /// `next_msn`: the number of the next message to start.
    pub(super) fn on_sack(&mut self, credit: SackCredit, acked_all: bool, next_msn: u32) {
        // The limit lies within 2^23 units of what was started: the
        // nearest value with the announced low 24 bits.
        let base = self.started.checked_div(SackCredit::UNIT).unwrap_or(0);
        let base_low = u32::try_from(base & u64::from(MASK)).unwrap_or(0);
        let ahead = credit.limit.wrapping_sub(base_low) & MASK;
        let wrap = if ahead > MASK >> 1 {
            SackCredit::MODULUS
        } else {
            0
        };
        let diff = i64::from(ahead).wrapping_sub(i64::from(wrap));
        let limit = base
            .saturating_add_signed(diff)
            .saturating_mul(SackCredit::UNIT);
        self.limit = Some(self.limit.map_or(limit, |old| old.max(limit)));
        // The message limit lies within 2^15 of the next message: the
        // nearest number with the announced low 16 bits.
        let ahead = credit.messages.wrapping_sub(next_msn as u16) as i16;
        let messages = next_msn.wrapping_add_signed(i32::from(ahead));
        self.messages = Some(match self.messages {
            Some(old) if before(messages, old) => old,
            _ => messages,
        });
        if acked_all && credit.empty {
            self.peer_empty = true;
        }
    }

    /// Whether message number `msn`, of `len` bytes, may start at `now`.
    /// `idle`: nothing is in flight; `persist`: the ACK timeout, after
    /// which a message that waited idle asks for the credit (and after
    /// twice that since the last probe, and so on).
    pub(super) fn may_start(
        &mut self,
        now: u64,
        msn: u32,
        len: u32,
        idle: bool,
        persist: Option<u64>,
    ) -> Start {
        let Some(limit) = self.limit else {
            return Start::Go;
        };
        // An empty message needs a byte of room: a receiver with none
        // takes no message at all.
        let needs = u64::from(len.max(1));
        // (`Option::is_none_or` is newer than the kernel's minimum Rust.)
        let slot = match self.messages {
            Some(m) => before(msn, m),
            None => true,
        };
        let room = self.started.saturating_add(needs) <= limit && slot;
        if room || (idle && self.peer_empty) {
            self.waiting_since = None;
            return Start::Go;
        }
        if !idle {
            self.waiting_since = None;
            return Start::Wait;
        }
        self.waiting_since.get_or_insert(now);
        if self.deadline(persist).is_some_and(|due| now >= due) {
            self.waiting_since = Some(now);
            self.probes = self.probes.saturating_add(1);
            return Start::Probe;
        }
        Start::Wait
    }

    /// A message of `len` bytes started.
    pub(super) fn start(&mut self, len: u32) {
        self.started = self.started.saturating_add(u64::from(len));
        self.peer_empty = false;
        self.probes = 0;
    }

    /// When a message waiting idle sends its next credit probe, if one
    /// waits.
    pub(super) fn deadline(&self, persist: Option<u64>) -> Option<u64> {
        let doublings = self.probes.min(PROBE_BACKOFF_MAX);
        self.waiting_since
            .zip(persist)
            .map(|(since, p)| since.saturating_add(p.saturating_mul(1 << doublings)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message limit far ahead of every message number used here.
    const FAR: u32 = 0x4000;

    fn go(tx: &mut TxCredit, now: u64, msn: u32, len: u32, idle: bool, p: Option<u64>) -> bool {
        tx.may_start(now, msn, len, idle, p) == Start::Go
    }

    fn credit(limit: u64, empty: bool) -> SackCredit {
        let units = (limit / SackCredit::UNIT) % u64::from(SackCredit::MODULUS);
        SackCredit {
            limit: u32::try_from(units).unwrap(),
            empty,
            messages: FAR as u16,
        }
    }

    #[test]
    fn a_sender_starts_no_message_beyond_the_limit() {
        let mut tx = TxCredit::default();
        assert!(
            go(&mut tx, 0, 0, 1 << 20, false, None),
            "no credit heard yet"
        );
        tx.on_sack(credit(64_000, false), false, 0);
        assert!(go(&mut tx, 0, 0, 64_000, false, None));
        tx.start(64_000);
        assert!(!go(&mut tx, 0, 0, 1, false, None));
        tx.on_sack(credit(128_000, false), false, 0);
        assert!(go(&mut tx, 0, 0, 64_000, false, None));
        assert!(!go(&mut tx, 0, 0, 64_001, false, None));
    }

    #[test]
    fn a_sender_starts_no_message_past_the_message_limit() {
        let mut tx = TxCredit::default();
        let at = |messages| SackCredit {
            messages,
            ..credit(1 << 20, false)
        };
        tx.on_sack(at(3), false, 0);
        assert!(go(&mut tx, 0, 2, 1, false, None));
        assert!(!go(&mut tx, 0, 3, 1, false, None), "however small");
        // A late SACK's lower limit does not take it back.
        tx.on_sack(at(5), false, 3);
        tx.on_sack(at(4), false, 3);
        assert!(go(&mut tx, 0, 4, 1, false, None));
        assert!(!go(&mut tx, 0, 5, 1, false, None));
        // The 16 bits unwrap near the next message, across the wrap of 32.
        let mut wrap = TxCredit::default();
        wrap.on_sack(at(5), false, u32::MAX - 10);
        assert!(go(&mut wrap, 0, 4, 1, false, None));
        assert!(!go(&mut wrap, 0, 5, 1, false, None));
        assert!(go(&mut wrap, 0, u32::MAX, 1, false, None));
    }

    #[test]
    fn a_receiver_tells_its_message_limit_once_it_moved_a_step() {
        let mut rx = RxCredit::unlimited();
        assert!(!rx.set(1 << 20, false, 10, 1000));
        assert_eq!(rx.announce().map(|c| c.messages), Some(10));
        assert!(
            rx.fits(9, 1) && !rx.fits(10, 1),
            "a message past the limit does not fit"
        );
        assert!(!rx.set(1 << 20, false, 10 + MESSAGE_STEP - 1, 1000));
        assert!(rx.set(1 << 20, false, 10 + MESSAGE_STEP, 1000));
        rx.set(1 << 20, true, 10, 1000);
        assert!(rx.fits(10, 1), "an empty receiver takes any one message");
    }

    #[test]
    fn a_late_sack_does_not_shrink_the_limit() {
        let mut tx = TxCredit::default();
        tx.on_sack(credit(128_000, false), false, 0);
        tx.on_sack(credit(64_000, false), false, 0);
        assert!(go(&mut tx, 0, 0, 128_000, false, None));
    }

    #[test]
    fn the_limit_unwraps_across_its_24_bits() {
        let wrap = SackCredit::UNIT * u64::from(SackCredit::MODULUS);
        let mut tx = TxCredit {
            started: wrap - 6400,
            ..TxCredit::default()
        };
        // A limit 64 KiB past the wrap reads as that, not as 1 GiB behind.
        tx.on_sack(credit(wrap + 65_536, false), false, 0);
        assert_eq!(tx.limit, Some(wrap + 65_536));
        // And one just behind reads as behind, not 1 GiB ahead.
        let mut late = TxCredit {
            started: wrap + 6400,
            ..TxCredit::default()
        };
        late.on_sack(credit(wrap - 640, false), false, 0);
        assert_eq!(late.limit, Some(wrap - 640));
    }

    #[test]
    fn an_empty_receiver_takes_one_message_of_any_length_when_idle() {
        let mut tx = TxCredit::default();
        tx.on_sack(credit(1000, true), false, 0);
        assert!(
            !go(&mut tx, 0, 0, 1 << 20, true, None),
            "EMPTY before all was acked"
        );
        tx.on_sack(credit(1000, true), true, 0);
        assert!(
            !go(&mut tx, 0, 0, 1 << 20, false, None),
            "something in flight"
        );
        assert!(go(&mut tx, 0, 0, 1 << 20, true, None));
        tx.start(1 << 20);
        assert!(!go(&mut tx, 0, 0, 1, true, None), "one message, not more");
    }

    #[test]
    fn a_waiting_message_probes_after_the_persist_interval_then_backs_off() {
        let mut tx = TxCredit::default();
        tx.on_sack(credit(0, false), true, 0);
        assert_eq!(tx.may_start(100, 0, 10, true, Some(50)), Start::Wait);
        assert_eq!(tx.deadline(Some(50)), Some(150));
        assert_eq!(tx.may_start(149, 0, 10, true, Some(50)), Start::Wait);
        assert_eq!(tx.may_start(150, 0, 10, true, Some(50)), Start::Probe);
        assert_eq!(tx.deadline(Some(50)), Some(250), "twice the interval");
        assert_eq!(tx.may_start(249, 0, 10, true, Some(50)), Start::Wait);
        assert_eq!(tx.may_start(250, 0, 10, true, Some(50)), Start::Probe);
        assert_eq!(tx.deadline(Some(50)), Some(450));
        let mut now = 450;
        let mut gaps = Vec::new();
        for _ in 0..8 {
            assert_eq!(tx.may_start(now, 0, 10, true, Some(50)), Start::Probe);
            let next = tx.deadline(Some(50)).unwrap();
            gaps.push((next - now) / 50);
            now = next;
        }
        assert_eq!(
            gaps,
            [8, 16, 32, 64, 64, 64, 64, 64],
            "at most 64 intervals"
        );
        // The probe's SACK opens the credit: the message starts, and the
        // next wait probes after one interval again.
        tx.on_sack(credit(640, false), true, 0);
        assert_eq!(tx.may_start(now, 0, 10, true, Some(50)), Start::Go);
        tx.start(10);
        tx.on_sack(credit(640, false), true, 1);
        assert_eq!(tx.may_start(now, 1, 640, true, Some(50)), Start::Wait);
        assert_eq!(tx.deadline(Some(50)), Some(now + 50));
        assert_eq!(tx.may_start(now, 1, 640, false, Some(50)), Start::Wait);
        assert_eq!(tx.deadline(Some(50)), None, "not idle: no probe due");
    }

    #[test]
    fn a_receiver_limit_is_what_began_plus_its_room() {
        let mut rx = RxCredit::unlimited();
        assert_eq!(rx.announce(), None, "silent until the application tells");
        assert!(!rx.set(100_000, true, FAR, 1000));
        assert_eq!(rx.announce(), Some(credit(100_000, true)));
        assert!(rx.fits(0, 1 << 22), "empty: any one message");
        rx.begin(1 << 22);
        assert!(!rx.fits(1, 0), "no room left");
        assert!(!rx.set(0, false, FAR, 1000));
        assert_eq!(rx.announce(), Some(credit(1 << 22, false)));
        // The application read it: the peer must hear at once.
        assert!(rx.set(100_000, true, FAR, 1000));
        assert_eq!(rx.announce(), Some(credit((1 << 22) + 100_000, true)));
        // A little more room is not worth a SACK of its own...
        rx.begin(60_000);
        assert!(!rx.set(40_000, false, FAR, 1000));
        rx.announce();
        assert!(!rx.set(60_000, false, FAR, 1000));
        assert!(rx.set(100_000, false, FAR, 1000));
        // ...unless a message that does not fit the room told may wait.
        rx.announce();
        assert!(!rx.set(100_000, false, FAR, 150_000), "no more room");
        assert!(rx.set(110_000, false, FAR, 150_000));
    }
}
