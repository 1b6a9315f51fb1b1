//! Packet spraying: which EV the next packet takes (deficit round robin
//! weighted by health; the rotation is described in the module doc).

use core::ops::DerefMut;

use super::{EvState, PathSet, PathState, BURST_SPREAD, HEALTH_FULL, HEALTH_MIN};

impl<S: DerefMut<Target = [PathState]>> PathSet<S> {
    /// The EV for the next packet, or `None` when no EV is GOOD or SKIP.
    /// `rand` places the start of each rotation (so that connections do not
    /// march over the EVs in lock step); `avoid` is the EV a retransmitted
    /// packet was lost on, used only when no other EV is usable. When the
    /// visits run out before an EV has earned a packet (the healthiest EV
    /// is `avoid`), the GOOD EV with the most credit takes it. The pick
    /// depends on the rotation, not on the clock: `now` is not consulted.
    pub fn choose(&mut self, _now: u64, rand: u32, avoid: Option<u16>) -> Option<u16> {
        if self.active == 0 || self.ev_count == 0 {
            return None;
        }
        let mut rand = rand;
        let mut avoided = None;
        let mut richest: Option<(u16, u16)> = None;
        // Enough for the rest of this rotation, one full rotation in which
        // every SKIP turn is spent, and one in which the healthiest EV sends.
        let visits = u32::from(self.ev_count).saturating_mul(3);
        for _ in 0..visits {
            if self.rotation_left == 0 {
                self.start_rotation(rand);
                rand = rand.rotate_left(13) ^ 0x9e37_79b9;
            }
            let ev = self.cursor;
            self.cursor = ev.saturating_add(1);
            if self.cursor >= self.ev_count {
                self.cursor = 0;
            }
            self.rotation_left = self.rotation_left.saturating_sub(1);
            let best = self.rotation_best;
            let Some(path) = self.path_mut(ev) else {
                continue;
            };
            match path.state {
                EvState::Skip => path.state = EvState::Good,
                EvState::Good if Some(ev) == avoid => avoided = Some(ev),
                EvState::Good => {
                    let earned = u32::from(path.health)
                        .saturating_mul(u32::from(HEALTH_FULL))
                        .checked_div(u32::from(best))
                        .unwrap_or(u32::from(HEALTH_FULL));
                    let earned = u16::try_from(earned)
                        .unwrap_or(HEALTH_FULL)
                        .min(HEALTH_FULL);
                    path.credit = path.credit.saturating_add(earned);
                    if path.credit >= HEALTH_FULL {
                        path.credit = path.credit.saturating_sub(HEALTH_FULL).min(HEALTH_FULL);
                        return Some(ev);
                    }
                    let richer = match richest {
                        None => true,
                        Some((_, credit)) => path.credit > credit,
                    };
                    if richer {
                        richest = Some((ev, path.credit));
                    }
                }
                EvState::AssumedBad | EvState::Denied => {}
            }
        }
        match richest {
            Some((ev, _)) => {
                if let Some(path) = self.path_mut(ev) {
                    path.credit = 0;
                }
                Some(ev)
            }
            None => avoided,
        }
    }

    /// The EV for the next new data packet: the current burst's EV while
    /// the burst lasts and that EV is still GOOD, else a fresh pick of
    /// [`choose`](Self::choose), which starts the next burst.
    ///
    /// A drain of the windows (the packets sent until
    /// [`end_burst`](Self::end_burst)) sends its bursts of one length, set
    /// at its first packet from `room`, how many packets the windows let
    /// go then: `room /` [`BURST_SPREAD`], at least 1 and at most
    /// [`PathConfig::burst`](super::PathConfig::burst). So what the windows
    /// release at once reaches at least that many EVs, and a sender whose
    /// window opens a few packets at a time sprays each on its own.
    pub fn choose_in_burst(&mut self, now: u64, rand: u32, room: u32) -> Option<u16> {
        if self.burst_len == 0 {
            let spread = room.checked_div(BURST_SPREAD).unwrap_or(0);
            self.burst_len = u8::try_from(spread)
                .unwrap_or(u8::MAX)
                .min(self.cfg.burst)
                .max(1);
        }
        if self.burst_left > 0 {
            self.burst_left = self.burst_left.saturating_sub(1);
            let ev = self.burst_ev;
            if self.path(ev).is_some_and(|p| p.state == EvState::Good) {
                return Some(ev);
            }
        }
        let ev = self.choose(now, rand, None)?;
        self.burst_ev = ev;
        self.burst_left = self.burst_len.saturating_sub(1);
        Some(ev)
    }

    /// Ends the drain in progress: the next new data packet picks afresh
    /// and sets the length of the next drain's bursts.
    pub fn end_burst(&mut self) {
        self.burst_left = 0;
        self.burst_len = 0;
    }

    /// Starts a rotation at a random EV and notes the best health to weigh
    /// this rotation's credits against and the lowest smoothed RTT (the
    /// delay marks' reference).
    fn start_rotation(&mut self, rand: u32) {
        let count = u32::from(self.ev_count);
        self.cursor = u16::try_from(rand.checked_rem(count).unwrap_or(0)).unwrap_or(0);
        self.rotation_left = self.ev_count;
        let active = || {
            self.paths
                .iter()
                .take(usize::from(self.ev_count))
                .filter(|path| path.state.is_active())
        };
        self.rotation_best = active()
            .map(|path| path.health)
            .max()
            .unwrap_or(HEALTH_FULL)
            .max(HEALTH_MIN);
        self.rotation_min_srtt = active()
            .map(|path| path.rtt.srtt_ns())
            .filter(|&srtt| srtt != 0)
            .min()
            .unwrap_or(0);
    }
}
