//! Probes of ASSUMED_BAD EVs: when each is due, backoff after timeouts, and
//! the return to GOOD on a reply.

use core::ops::DerefMut;

use super::{EvState, PathSet, PathState, PROBES_REMEMBERED};

impl<S: DerefMut<Target = [PathState]>> PathSet<S> {
    /// An ASSUMED_BAD EV due a probe at `now`, if any; the caller sends one
    /// probe on it. Bad EVs take turns. A probe left unanswered past its
    /// deadline is timed out here first.
    pub fn poll_probe(&mut self, now: u64) -> Option<u16> {
        if self.assumed_bad == 0 || self.ev_count == 0 {
            return None;
        }
        let configured = self.cfg.probe_timeout_ns;
        let start = self.probe_cursor;
        for step in 0..self.ev_count {
            let ev = start
                .wrapping_add(step)
                .checked_rem(self.ev_count)
                .unwrap_or(0);
            let expired = match self.path(ev) {
                Some(path) if path.state == EvState::AssumedBad => path
                    .probe_deadline_ns
                    .is_some_and(|deadline| now >= deadline),
                _ => continue,
            };
            if expired {
                self.on_probe_timeout(ev, now);
            }
            let Some(path) = self.path_mut(ev) else {
                continue;
            };
            if path.probe_deadline_ns.is_none() && now >= path.probe_due_ns {
                // A probe gets at least the EV's last known RTO (srtt +
                // 4 rttvar): a slow path is not a dead one.
                let rto = path.rtt.timeout_ns();
                path.probe_deadline_ns = Some(now.saturating_add(configured.max(rto)));
                let slot = path
                    .probes_sent
                    .checked_rem(PROBES_REMEMBERED as u64)
                    .unwrap_or(0) as usize;
                if let Some(sent) = path.probe_sent_ns.get_mut(slot) {
                    *sent = now;
                }
                path.probes_sent = path.probes_sent.saturating_add(1);
                self.probe_cursor = ev.saturating_add(1).checked_rem(self.ev_count).unwrap_or(0);
                return Some(ev);
            }
        }
        None
    }

    /// Whether a reply echoing `sent_at` answers one of the last probes
    /// sent on the ASSUMED_BAD `ev`: only such a reply may return the EV to
    /// GOOD (a forged one would have to guess a send time to the ns). A
    /// late reply, after its probe timed out and the next was sent, still
    /// counts: the path works, only slowly.
    pub fn answers_probe(&self, ev: u16, sent_at: u64) -> bool {
        self.path(ev).is_some_and(|path| {
            path.state == EvState::AssumedBad
                && sent_at != 0
                && path.probe_sent_ns.contains(&sent_at)
        })
    }

    /// A probe on `ev` was answered after `rtt_ns` (already net of the
    /// responder's service time): an ASSUMED_BAD EV is GOOD again.
    pub fn on_probe_reply(&mut self, ev: u16, now: u64, rtt_ns: u64) {
        let Some(path) = self.path_mut(ev) else {
            return;
        };
        path.last_ack_ns = now;
        path.rtt.sample(rtt_ns);
        self.promote(ev, now);
    }

    /// The probe outstanding on `ev` went unanswered: back off and schedule
    /// the next one. Does nothing when no probe is outstanding, so a timeout
    /// is applied once whether the caller or [`poll_probe`](Self::poll_probe)
    /// notices it first.
    pub fn on_probe_timeout(&mut self, ev: u16, now: u64) {
        let interval = self.cfg.probe_interval_ns;
        let backoff_max = self.cfg.probe_backoff_max;
        let Some(path) = self.path_mut(ev) else {
            return;
        };
        if path.state != EvState::AssumedBad || path.probe_deadline_ns.take().is_none() {
            return;
        }
        path.probe_backoff = path.probe_backoff.saturating_add(1);
        let shift = u32::from(path.probe_backoff.min(backoff_max));
        let wait = interval
            .checked_shl(shift)
            .filter(|wait| wait.checked_shr(shift) == Some(interval))
            .unwrap_or(u64::MAX);
        path.probe_due_ns = now.saturating_add(wait);
    }

    /// Earliest time at which [`poll_probe`](Self::poll_probe) has work: a
    /// probe falling due or an outstanding probe's deadline.
    pub fn next_timeout(&self) -> Option<u64> {
        if self.assumed_bad == 0 {
            return None;
        }
        self.paths
            .iter()
            .take(usize::from(self.ev_count))
            .filter(|path| path.state == EvState::AssumedBad)
            .map(|path| path.probe_deadline_ns.unwrap_or(path.probe_due_ns))
            .min()
    }
}
