//! Per-EV feedback: sends, ACKs (RTT, ECN), trims and losses, and the
//! demotion to ASSUMED_BAD they may cause (policy in the module doc).

use core::ops::DerefMut;

use super::{EvState, PathSet, PathState};

/// An EV whose smoothed RTT is above the lowest by more than `1 / 2^shift`
/// of it gets a delay mark at each ACK: twice the lowest, well clear of
/// the queueing that the congestion control's target allows on every
/// path (with a margin of a half, and skips alone, the simulator's eight
/// equal paths lost 4% of their goodput).
const DELAY_MARK_SHIFT: u32 = 0;

/// A delay mark also takes `1 / 2^shift` of the EV's health: a skip alone
/// can at most halve an EV's share, and ECMP may hash three times as many
/// EVs onto one link as onto another.
const DELAY_HURT_SHIFT: u32 = 3;

/// How the caller found that a packet sent on an EV was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossCause {
    /// RACK: a packet sent later on the same EV was acknowledged.
    Rack,
    /// The ACK timeout fired and no trim explained the loss.
    Timeout,
}

impl<S: DerefMut<Target = [PathState]>> PathSet<S> {
    /// A packet of `bytes` left on `ev`.
    pub fn on_send(&mut self, ev: u16, now: u64, bytes: u32) {
        if let Some(path) = self.path_mut(ev) {
            path.sent = path.sent.saturating_add(1);
            path.bytes_sent = path.bytes_sent.saturating_add(u64::from(bytes));
            path.last_send_ns = now;
        }
    }

    /// A packet sent on `ev` was acknowledged after `rtt_ns`; `ecn` if the
    /// ACK echoed a congestion mark. A mark makes the EV skip its next turn
    /// and costs no health (the skip is the whole answer to a mark, so the
    /// EV is back at full weight one rotation later); a clean ACK heals.
    /// A delay mark skips too, and costs an eighth of the health: the EV's
    /// smoothed RTT is more than twice the lowest among the active EVs
    /// (taken at the rotation's start), so its path queues where another's
    /// does not. Not once routes are named: the set then knows which EVs
    /// share a path and sprays them evenly, and the marks would only move
    /// packets between equal paths on RTT noise.
    pub fn on_ack(&mut self, ev: u16, now: u64, rtt_ns: u64, ecn: bool) {
        let fastest = self.rotation_min_srtt;
        let shared = self.shared_routes;
        let mark_above = fastest.saturating_add(fastest >> DELAY_MARK_SHIFT);
        let Some(path) = self.path_mut(ev) else {
            return;
        };
        path.acked = path.acked.saturating_add(1);
        path.last_ack_ns = now;
        path.rtt.sample(rtt_ns);
        let delayed = !shared && fastest != 0 && path.rtt.srtt_ns() > mark_above;
        if delayed {
            path.delayed = path.delayed.saturating_add(1);
            path.hurt(DELAY_HURT_SHIFT);
        }
        if ecn {
            path.ecn = path.ecn.saturating_add(1);
        }
        if ecn || delayed {
            if path.state == EvState::Good {
                path.state = EvState::Skip;
            }
        } else {
            path.heal();
        }
    }

    /// A packet sent on `ev` was trimmed. A trim before the last hop is the
    /// path's congestion: the EV skips its next turn and the trim counts as a
    /// loss in the window. A last-hop trim is only counted.
    pub fn on_trim(&mut self, ev: u16, now: u64, last_hop: bool) {
        let Some(path) = self.path_mut(ev) else {
            return;
        };
        path.trimmed = path.trimmed.saturating_add(1);
        if last_hop {
            return;
        }
        path.hurt(2);
        if path.state == EvState::Good {
            path.state = EvState::Skip;
        }
        self.count_loss(ev, now);
    }

    /// A packet sent on `ev` was lost, found by `cause`.
    pub fn on_loss(&mut self, ev: u16, now: u64, cause: LossCause) {
        let Some(path) = self.path_mut(ev) else {
            return;
        };
        path.lost = path.lost.saturating_add(1);
        match cause {
            LossCause::Rack => {
                path.hurt(2);
                self.count_loss(ev, now);
            }
            LossCause::Timeout => {
                path.timeouts = path.timeouts.saturating_add(1);
                path.hurt(1);
                self.demote(ev, now);
            }
        }
    }

    /// Counts one loss in `ev`'s window; demotes it at `loss_threshold`.
    fn count_loss(&mut self, ev: u16, now: u64) {
        let window = self.cfg.loss_window_ns;
        let threshold = self.cfg.loss_threshold;
        let Some(path) = self.path_mut(ev) else {
            return;
        };
        if now.saturating_sub(path.loss_window_start_ns) >= window || path.loss_window_count == 0 {
            path.loss_window_start_ns = now;
            path.loss_window_count = 0;
        }
        path.loss_window_count = path.loss_window_count.saturating_add(1);
        if threshold != 0 && path.loss_window_count >= threshold {
            self.demote(ev, now);
        }
    }
}
