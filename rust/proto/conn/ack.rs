//! Sender feedback: SACKs (ack records, feed the EVs and NSCC, RACK loss
//! inference per EV, dynamic MPR) and NACKs (a trim retransmits at once).

use super::{messages, sent, Connection, PacketError, SentPacket, SentState, Storage};
use crate::proto::path::LossCause;
use crate::proto::psn::Psn;
use crate::proto::wire::{NackCode, NackRepr, SackRepr};

/// Smallest RACK reordering window (ns), for paths whose RTT is tiny.
const MIN_REORDER_NS: u64 = 1_000;

impl<T: Storage> Connection<T> {
    /// Whether `psn` has been sent and not yet passed by the cumulative ack.
    fn is_outstanding(&self, psn: Psn) -> bool {
        psn.in_window(self.tx.una, self.tx.una.forward_to(self.tx.nxt))
    }

    pub(super) fn on_sack(&mut self, now: u64, sack: &SackRepr) -> Result<(), PacketError> {
        let outstanding = self.tx.una.forward_to(self.tx.nxt);
        let cum = self.tx.una.distance_to(sack.cum_ack);
        if cum < 0 || cum.unsigned_abs() > outstanding {
            return Err(PacketError::PsnOutOfWindow);
        }
        if sack.bitmap != 0 {
            let highest = sack
                .sack_base
                .wrapping_add(63u32.saturating_sub(sack.bitmap.leading_zeros()));
            if !self.is_outstanding(highest) {
                return Err(PacketError::PsnOutOfWindow);
            }
        }
        let echo = self.echo_of(now, sack)?;
        // Validated: now it may complete a half-open connection.
        self.require_established()?;
        let ecn_ev = echo.map(|(ev, _, _)| ev).filter(|_| sack.ecn_echo);
        if sack.ecn_echo {
            self.stats.ecn_echoes = self.stats.ecn_echoes.saturating_add(1);
        }
        let mut acked_bytes = 0u32;
        let mut acked_packets = 0u32;
        for step in 0..cum.unsigned_abs() {
            let psn = self.tx.una.wrapping_add(step);
            if let Some(len) = self.ack_record(now, psn, ecn_ev) {
                acked_bytes = acked_bytes.saturating_add(len);
                acked_packets = acked_packets.saturating_add(1);
            }
        }
        for bit in 0..64u32 {
            let set = sack.bitmap.checked_shr(bit).is_some_and(|b| b & 1 != 0);
            let psn = sack.sack_base.wrapping_add(bit);
            if set && self.is_outstanding(psn) {
                if let Some(len) = self.ack_record(now, psn, ecn_ev) {
                    acked_bytes = acked_bytes.saturating_add(len);
                    acked_packets = acked_packets.saturating_add(1);
                }
            }
        }
        self.advance_una();
        if acked_packets != 0 {
            self.tx.timeouts = 0;
            self.tx.last_retry_at = None;
        }
        if self.dynamic_mpr {
            self.tx.peer_mpr = sack.mpr.clamp(1, self.tx.peer_mpr_max);
        }
        if let Some(credit) = sack.credit {
            self.tx
                .credit
                .on_sack(credit, sack.cum_ack == self.tx.nxt, self.tx.seg_msg);
        }
        match echo {
            Some((ev, rtt, sent_at)) => {
                self.tx.rtt.sample(rtt);
                self.tx.response.sample(now.saturating_sub(sent_at).max(1));
                self.nscc.on_ack(now, acked_bytes, rtt, sack.ecn_echo);
                self.rack(now, ev, sent_at);
            }
            None if acked_bytes != 0 => {
                self.nscc
                    .on_ack(now, acked_bytes, self.tx.rtt.srtt_ns(), sack.ecn_echo)
            }
            None => {}
        }
        self.maybe_finish();
        Ok(())
    }

    /// The SACK's echo (EV, RTT net of the responder's service time, send
    /// time of the echoed transmission), if it echoes a data packet.
    fn echo_of(&self, now: u64, sack: &SackRepr) -> Result<Option<(u16, u64, u64)>, PacketError> {
        if sack.ev_index == super::recv::NO_EV {
            return Ok(None);
        }
        if sack.ev_index >= self.paths.ev_count() {
            return Err(PacketError::BadEv);
        }
        if sack.timestamp_echo > self.tx.last_stamp {
            return Err(PacketError::BadTimestamp);
        }
        let rtt = now
            .saturating_sub(sack.timestamp_echo)
            .saturating_sub(u64::from(sack.service_time))
            .max(1);
        Ok(Some((sack.ev_index, rtt, sack.timestamp_echo)))
    }

    /// Marks `psn` acked; returns its payload length if it was not before.
    fn ack_record(&mut self, now: u64, psn: Psn, ecn_ev: Option<u16>) -> Option<u32> {
        let slot = sent::slot_of(psn, self.tx.slots);
        let record = self.sent.get_mut(slot)?;
        match record.state {
            SentState::InFlight => {
                self.tx.bytes_in_flight = self.tx.bytes_in_flight.saturating_sub(record.len);
            }
            SentState::Lost => self.tx.lost = self.tx.lost.saturating_sub(1),
            SentState::Acked | SentState::Free => return None,
        }
        record.state = SentState::Acked;
        let record = *record;
        self.paths.on_ack(
            record.ev,
            now,
            now.saturating_sub(record.sent_at),
            ecn_ev == Some(record.ev),
        );
        let slots = messages::usable_slots(self.messages.len());
        if let Some(msg) = self.messages.get_mut(messages::slot_of(record.msg, slots)) {
            msg.tx.packets_left = msg.tx.packets_left.saturating_sub(1);
        }
        self.stats.packets_acked = self.stats.packets_acked.saturating_add(1);
        self.stats.bytes_acked = self.stats.bytes_acked.saturating_add(u64::from(record.len));
        Some(record.len)
    }

    /// Frees acked records at the front of the window.
    fn advance_una(&mut self) {
        while self.tx.una != self.tx.nxt {
            let slot = sent::slot_of(self.tx.una, self.tx.slots);
            match self.sent.get_mut(slot) {
                Some(record) if record.state == SentState::Acked => *record = SentPacket::default(),
                _ => break,
            }
            self.tx.una = self.tx.una.next();
        }
        if self.tx.retx_cursor.is_before(self.tx.una) {
            self.tx.retx_cursor = self.tx.una;
        }
        if self.tx.una == self.tx.nxt {
            self.tx.retx_cursor = self.tx.una;
        }
    }

    /// RACK per EV: the echoed transmission left EV `ev` at `stamp` and
    /// arrived, so a packet still in flight on `ev` that left before it is
    /// lost once the reordering window has passed: at once if it left that
    /// much earlier, else when the RACK timer fires.
    fn rack(&mut self, now: u64, ev: u16, stamp: u64) {
        let reorder = self.reorder_window();
        let mut losses = 0u32;
        let span = self.tx.una.forward_to(self.tx.nxt);
        for step in 0..span {
            let psn = self.tx.una.wrapping_add(step);
            let Some(record) = self.sent.get_mut(sent::slot_of(psn, self.tx.slots)) else {
                continue;
            };
            if record.transmissions == 1 && record.sent_at >= stamp {
                // First transmissions leave in PSN order and a later PSN
                // (retransmitted or not) left after its first transmission:
                // nothing past here left before the echoed packet.
                break;
            }
            // A packet the receiver refused for want of resources arrived:
            // it waits for the ACK timeout, which blames no EV.
            if record.state != SentState::InFlight
                || record.ev != ev
                || record.sent_at >= stamp
                || record.no_resource
            {
                continue;
            }
            if stamp.saturating_sub(record.sent_at) < reorder {
                if record.overtaken_at.is_none() {
                    record.overtaken_at = Some(now);
                    let due = now.saturating_add(reorder);
                    self.tx.rack_deadline = Some(self.tx.rack_deadline.map_or(due, |d| d.min(due)));
                }
                continue;
            }
            if self.mark_lost(psn).is_some() {
                losses = losses.saturating_add(1);
                self.paths.on_loss(ev, now, LossCause::Rack);
            }
        }
        self.count_rack_losses(now, losses);
    }

    /// RACK's reordering window: a quarter of the smoothed RTT, at least
    /// [`MIN_REORDER_NS`].
    pub(super) fn reorder_window(&self) -> u64 {
        (self.tx.rtt.srtt_ns() / 4).max(MIN_REORDER_NS)
    }

    /// The RACK timer: overtaken packets that waited out the window are lost.
    pub(super) fn on_rack_timeout(&mut self, now: u64) {
        let reorder = self.reorder_window();
        self.tx.rack_deadline = None;
        let mut losses = 0u32;
        let span = self.tx.una.forward_to(self.tx.nxt);
        for step in 0..span {
            let psn = self.tx.una.wrapping_add(step);
            let Some(record) = self.sent.get(sent::slot_of(psn, self.tx.slots)).copied() else {
                continue;
            };
            let Some(at) = record
                .overtaken_at
                .filter(|_| record.state == SentState::InFlight && !record.no_resource)
            else {
                continue;
            };
            let due = at.saturating_add(reorder);
            if due > now {
                self.tx.rack_deadline = Some(self.tx.rack_deadline.map_or(due, |d| d.min(due)));
            } else if self.mark_lost(psn).is_some() {
                losses = losses.saturating_add(1);
                self.paths.on_loss(record.ev, now, LossCause::Rack);
            }
        }
        self.count_rack_losses(now, losses);
    }

    fn count_rack_losses(&mut self, now: u64, losses: u32) {
        if losses != 0 {
            self.stats.rack_losses = self.stats.rack_losses.saturating_add(u64::from(losses));
            self.nscc.on_loss(now);
        }
    }

    /// Moves an in-flight record to the retransmission queue.
    pub(super) fn mark_lost(&mut self, psn: Psn) -> Option<SentPacket> {
        let record = self.sent.get_mut(sent::slot_of(psn, self.tx.slots))?;
        if record.state != SentState::InFlight {
            return None;
        }
        record.state = SentState::Lost;
        let record = *record;
        self.tx.bytes_in_flight = self.tx.bytes_in_flight.saturating_sub(record.len);
        self.tx.lost = self.tx.lost.saturating_add(1);
        if psn.is_before(self.tx.retx_cursor) {
            self.tx.retx_cursor = psn;
        }
        Some(record)
    }

    pub(super) fn on_nack(&mut self, now: u64, nack: &NackRepr) -> Result<(), PacketError> {
        if !self.is_outstanding(nack.psn) {
            return Err(PacketError::PsnOutOfWindow);
        }
        self.require_established()?;
        match nack.code {
            NackCode::Trimmed | NackCode::TrimmedLastHop => {
                if let Some(record) = self.mark_lost(nack.psn) {
                    let last_hop = nack.code == NackCode::TrimmedLastHop;
                    self.paths.on_trim(record.ev, now, last_hop);
                    self.nscc.on_trim(now);
                    self.stats.trims = self.stats.trims.saturating_add(1);
                }
            }
            NackCode::PsnOutOfWindow | NackCode::NoResource => {
                if let Some(record) = self.sent.get_mut(sent::slot_of(nack.psn, self.tx.slots)) {
                    record.no_resource = true;
                }
            }
            NackCode::Unexpected => {}
        }
        Ok(())
    }
}
