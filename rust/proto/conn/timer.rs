//! Time: the next deadline for the caller's one timer, and what happens
//! when it fires (handshake retries, the coalesced SACK, ACK timeouts with
//! their retry budget, probe deadlines).

use super::{sent, CloseReason, ConnState, Connection, SentState, Storage};
use crate::proto::path::{LossCause, PathState, MAX_EVS};

/// Words of a bitset with one bit per possible EV.
const EV_WORDS: usize = MAX_EVS.div_ceil(64) as usize;

/// The ACK timeout's floor in smoothed RTTs.
const RTO_SRTT_FACTOR: u64 = 2;

impl<T: Storage> Connection<T> {
    /// When [`handle_timeout`](Self::handle_timeout) must be called next
    /// (absolute ns), if ever. Re-read it after every input and output.
    pub fn poll_timeout(&self) -> Option<u64> {
        let probes = match self.state {
            ConnState::Established | ConnState::Closing => self.paths.next_timeout(),
            _ => None,
        };
        [
            self.tx.rto_deadline,
            self.tx.rack_deadline,
            self.ack.deadline(),
            self.tx.credit.deadline(self.rto_interval()),
            probes,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Whether [`handle_timeout`](Self::handle_timeout) at `now` may
    /// judge packets lost or resend a handshake packet (an ACK timeout due
    /// with data in flight, or a RACK deadline due), rather than only send
    /// a due SACK or probe. A caller still holding received packets that
    /// arrived before `now` should hand them in first: they may acknowledge
    /// what the timeout would declare lost.
    pub fn loss_timer_due(&self, now: u64) -> bool {
        let due = |deadline: Option<u64>| deadline.is_some_and(|d| now >= d);
        match self.state {
            ConnState::Closed(_) => false,
            ConnState::Connecting | ConnState::Accepting => due(self.tx.rto_deadline),
            ConnState::Established | ConnState::Closing => {
                (due(self.tx.rto_deadline) && self.tx.bytes_in_flight != 0)
                    || due(self.tx.rack_deadline)
            }
        }
    }

    /// The timer fired at `now` (handshake retries, RACK, ACK timeout; the
    /// SACK and probe deadlines are served by the next transmit). Follow
    /// with [`poll_transmit`](Self::poll_transmit).
    pub fn handle_timeout(&mut self, now: u64) {
        let due = self.tx.rto_deadline.is_some_and(|d| now >= d);
        match self.state {
            ConnState::Closed(_) => {}
            ConnState::Connecting | ConnState::Accepting if due => self.on_handshake_timeout(),
            ConnState::Connecting | ConnState::Accepting => {}
            ConnState::Established | ConnState::Closing => {
                if self.tx.rack_deadline.is_some_and(|d| now >= d) {
                    self.on_rack_timeout(now);
                }
                if due {
                    self.on_ack_timeout(now);
                }
            }
        }
    }

    /// The current ACK timeout, after the timeouts in a row so far; `None`
    /// when the retries are used up. Its floor, scaled by the same backoff,
    /// is the larger of twice the smoothed RTT and RFC 6298's timeout
    /// (srtt + 4 rttvar) over the SACKs' whole response time, the
    /// receiver's service time included: on a path slower than the
    /// configured timeout, or a loaded or emulated host whose answers come
    /// late and unevenly, a fixed timeout would expire packets that
    /// arrived, blame their EVs and spend the retries.
    pub(super) fn rto_interval(&self) -> Option<u64> {
        let interval = self.cfg.retry.interval_ns(self.tx.timeouts)?;
        let backoff = interval.checked_div(self.cfg.retry.base_ns()).unwrap_or(1);
        let floor = self
            .tx
            .rtt
            .srtt_ns()
            .saturating_mul(RTO_SRTT_FACTOR)
            .max(self.tx.response.timeout_ns())
            .saturating_mul(backoff);
        Some(interval.max(floor))
    }

    /// Arms the timer for the handshake packet just sent.
    pub(super) fn arm_handshake_timer(&mut self, now: u64) {
        self.tx.rto_deadline = self.rto_interval().map(|rto| now.saturating_add(rto));
    }

    fn on_handshake_timeout(&mut self) {
        self.tx.rto_deadline = None;
        self.tx.timeouts = self.tx.timeouts.saturating_add(1);
        if self.rto_interval().is_none() {
            self.close_with(CloseReason::RetriesExhausted);
        } else if self.state == ConnState::Connecting {
            self.control.connect_request = true;
        } else {
            self.control.connect_accept = true;
        }
    }

    /// The ACK timeout: every packet in flight longer than the timeout is
    /// lost and its EV is assumed bad; so is everything else in flight on
    /// those EVs (they took a path that just failed). The timer then follows
    /// the oldest packet still in flight, so that other EVs on a failed path
    /// are found as soon as their own packets expire. A retry is counted at
    /// most once per timeout interval, and only without an ACK in between:
    /// the budget measures time without progress, not packets. Packets the
    /// receiver refused with NO_RESOURCE blame no EV and spend no retry.
    fn on_ack_timeout(&mut self, now: u64) {
        let Some(rto) = self.rto_interval() else {
            self.close_with(CloseReason::RetriesExhausted);
            return;
        };
        let span = self.tx.una.forward_to(self.tx.nxt);
        let mut bad_evs = [0u64; EV_WORDS];
        let mut expired = 0u32;
        let mut refused = 0u32;
        for step in 0..span {
            let psn = self.tx.una.wrapping_add(step);
            let Some(record) = self.sent.get(sent::slot_of(psn, self.tx.slots)).copied() else {
                continue;
            };
            if record.state != SentState::InFlight || record.sent_at.saturating_add(rto) > now {
                continue;
            }
            if self.mark_lost(psn).is_some() {
                expired = expired.saturating_add(1);
                if record.no_resource {
                    refused = refused.saturating_add(1);
                } else {
                    set_bit(&mut bad_evs, record.ev);
                }
            }
        }
        if expired != 0 || self.tx.lost != 0 {
            // (`Option::is_none_or` is newer than the kernel's minimum Rust.)
            // Packets the receiver refused for want of room (it answered:
            // it is alive) are retried without spending the budget, as
            // TCP's zero-window probes are.
            let counts = match self.tx.last_retry_at {
                _ if expired != 0 && refused == expired => false,
                None => true,
                Some(t) => now >= t.saturating_add(rto),
            };
            if counts {
                self.tx.timeouts = self.tx.timeouts.saturating_add(1);
                self.tx.last_retry_at = Some(now);
            }
            if expired != 0 {
                self.stats.ack_timeouts = self.stats.ack_timeouts.saturating_add(1);
                self.stats.timeout_losses =
                    self.stats.timeout_losses.saturating_add(u64::from(expired));
            }
        }
        let Some(next_rto) = self.rto_interval() else {
            self.close_with(CloseReason::RetriesExhausted);
            return;
        };
        let mut bad_routes = [0u64; EV_WORDS];
        for ev in 0..self.paths.ev_count() {
            if has_bit(&bad_evs, ev) {
                self.paths.on_loss(ev, now, LossCause::Timeout);
                set_bit(&mut bad_routes, self.route(ev));
            }
        }
        // The other EVs of those routes failed with them (the path set
        // demoted them): their packets in flight are lost too.
        for ev in 0..self.paths.ev_count() {
            if has_bit(&bad_routes, self.route(ev)) {
                set_bit(&mut bad_evs, ev);
            }
        }
        // A timeout blames a path, not the network's queues: the EV leaves
        // the spraying and NSCC keeps its window (congestion shows as delay,
        // ECN, trims and RACK losses).
        let mut oldest: Option<u64> = None;
        for step in 0..span {
            let psn = self.tx.una.wrapping_add(step);
            let Some(record) = self.sent.get(sent::slot_of(psn, self.tx.slots)).copied() else {
                continue;
            };
            if record.state != SentState::InFlight {
                continue;
            }
            if has_bit(&bad_evs, record.ev) {
                self.mark_lost(psn);
            } else {
                oldest = Some(oldest.map_or(record.sent_at, |o| o.min(record.sent_at)));
            }
        }
        self.tx.rto_deadline = match oldest {
            Some(sent_at) => Some(sent_at.saturating_add(next_rto)),
            None if self.tx.lost != 0 => Some(now.saturating_add(next_rto)),
            None => None,
        };
    }

    /// The route `ev` is on (the path set's, named by an EV).
    fn route(&self, ev: u16) -> u16 {
        self.paths.stats(ev).map_or(ev, PathState::route)
    }
}

fn set_bit(bits: &mut [u64; EV_WORDS], ev: u16) {
    if let Some(word) = bits.get_mut(usize::from(ev / 64)) {
        *word |= 1u64 << (ev % 64);
    }
}

fn has_bit(bits: &[u64; EV_WORDS], ev: u16) -> bool {
    bits.get(usize::from(ev / 64))
        .is_some_and(|w| w & (1u64 << (ev % 64)) != 0)
}
