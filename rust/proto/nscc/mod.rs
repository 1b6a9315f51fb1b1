//! NSCC, the window-based sender congestion control MRC uses (from Ultra
//! Ethernet), for one connection; integer only.
//!
//! On each ACK, with `delay = RTT − base_rtt` and target `T`:
//! - no ECN, `delay < T`: proportional increase. A window's worth of ACKs
//!   adds `max_cwnd / 32 × (T − delay) / T` bytes (the gain is derived, not
//!   a profile parameter). Near zero delay (`delay < T / 8`) for a whole
//!   window, fast increase takes over: each ACK of `n` bytes adds
//!   `n × fi_scale / 1024` at once.
//! - no ECN, `delay ≥ T`: fair increase, `fi` bytes per window of ACKs.
//! - ECN, `delay ≥ T`: at most once per base RTT, multiplicative decrease
//!   `cwnd × max(1 − gamma × (delay − T) / delay, max_md_jump)`.
//! - ECN, `delay < T`: nothing (the path set skips the EV instead).
//!
//! Increases accumulate (in 1/1024 byte) and are applied when more than
//! `adjust_bytes_threshold` bytes were acked or more than
//! `adjust_period_threshold` passed since the last period; `eta` is added
//! once per period. The window stays within `mtu..=max_cwnd`.
//!
//! Quick adapt (unless `disable_qa`): a trim, a loss, or an ACK with delay
//! above `qa_threshold` arms it; at the end of each measurement window
//! (`base_rtt + T` long, so at most once per RTT), if armed and the bytes
//! delivered in that window are below `max_cwnd >> qa_gate`, the window is
//! set to those bytes; pending increases are dropped, and no multiplicative
//! decrease follows within the next base RTT (the ECN echoes still in
//! flight describe the old window). The arming is cleared at each window
//! end.
//!
//! `base_rtt` is the profile's and is not learned from RTT samples: flows
//! sharing a queue that had learned different minima (one started on an
//! idle path, one behind a standing queue) would judge the same queue
//! differently and settle at unequal shares (the latecomer problem of
//! delay-based control). An RTT below `base_rtt` counts as zero delay.
//!
//! Scales: times in ns (samples clamped to [`MAX_RTT_NS`]), sizes in bytes,
//! fractions in 1/[`FRACTION_ONE`]; every product is bounded to fit `u64`,
//! the rest is saturating.

#[cfg(test)]
mod bottleneck_tests;
mod config;
#[cfg(test)]
mod tests;

pub use config::{NsccConfig, NsccError, DEFAULT_MTU, FRACTION_ONE, MAX_RTT_NS};

/// [`FRACTION_ONE`] as a `u64` divisor.
const ONE: u64 = FRACTION_ONE as u64;

/// Accumulated increases are kept in 1/`INC_ONE` byte.
const INC_ONE: u64 = 1024;

/// The proportional increase at zero delay is `max_cwnd >> PROPORTIONAL_SHIFT`
/// bytes per window of ACKs.
const PROPORTIONAL_SHIFT: u32 = 5;

/// NSCC state of one connection.
#[derive(Clone, Copy, Debug)]
pub struct Nscc {
    cfg: NsccConfig,
    /// Window in bytes, `mtu..=max_cwnd`.
    cwnd: u64,
    /// Pending increase in 1/INC_ONE byte.
    inc: u64,
    /// Bytes acked since the last adjustment.
    adjust_bytes: u64,
    /// Start of the current adjust period.
    adjust_start_ns: Option<u64>,
    /// Last multiplicative decrease (or quick adapt).
    last_md_ns: Option<u64>,
    /// Bytes acked at near-zero delay in a row (fast increase gate).
    near_zero_bytes: u64,
    /// Fast increase running.
    fast: bool,
    /// End of the quick adapt measurement window.
    qa_end_ns: Option<u64>,
    /// Bytes delivered in the current measurement window.
    delivered: u64,
    /// Quick adapt armed by a trim, a loss or a large delay.
    qa_armed: bool,
}

impl Nscc {
    /// A controller starting at `max_cwnd` (a new connection may send at
    /// line rate; quick adapt and decreases cut it). `cfg` should have been
    /// validated; fields out of range are clamped.
    pub fn new(cfg: NsccConfig) -> Self {
        let cfg = cfg.clamped();
        Self {
            cfg,
            cwnd: u64::from(cfg.max_cwnd),
            inc: 0,
            adjust_bytes: 0,
            adjust_start_ns: None,
            last_md_ns: None,
            near_zero_bytes: 0,
            fast: false,
            qa_end_ns: None,
            delivered: 0,
            qa_armed: false,
        }
    }

    /// The (clamped) configuration in use.
    pub fn config(&self) -> &NsccConfig {
        &self.cfg
    }

    /// Congestion window in bytes.
    pub fn cwnd(&self) -> u32 {
        u32::try_from(self.cwnd).unwrap_or(u32::MAX)
    }

    /// `acked_bytes` newly acknowledged by an ACK that measured `rtt_ns`,
    /// with `ecn` if it echoed a congestion mark.
    pub fn on_ack(&mut self, now: u64, acked_bytes: u32, rtt_ns: u64, ecn: bool) {
        let rtt_ns = rtt_ns.min(MAX_RTT_NS);
        let delay = rtt_ns.saturating_sub(self.cfg.base_rtt_ns);
        let acked = u64::from(acked_bytes);
        self.delivered = self.delivered.saturating_add(acked);
        if delay > self.cfg.qa_threshold_ns {
            self.qa_armed = true;
        }
        if self.quick_adapt(now) {
            return;
        }
        let target = self.cfg.target_delay_ns;
        match (ecn, delay >= target) {
            (false, true) => self.fair_increase(acked),
            (false, false) => self.proportional_increase(acked, delay),
            (true, true) => self.multiplicative_decrease(now, delay),
            (true, false) => {}
        }
        self.adjust_bytes = self.adjust_bytes.saturating_add(acked);
        self.adjust(now);
    }

    /// A packet was trimmed: arms quick adapt.
    pub fn on_trim(&mut self, now: u64) {
        self.qa_armed = true;
        self.quick_adapt(now);
    }

    /// A packet was declared lost: arms quick adapt.
    pub fn on_loss(&mut self, now: u64) {
        self.qa_armed = true;
        self.quick_adapt(now);
    }

    fn fair_increase(&mut self, acked: u64) {
        self.stop_fast();
        let per_window = acked.saturating_mul(u64::from(self.cfg.fi));
        self.accumulate(per_window);
    }

    fn proportional_increase(&mut self, acked: u64, delay: u64) {
        if delay < self.cfg.target_delay_ns / 8 {
            self.near_zero_bytes = self.near_zero_bytes.saturating_add(acked);
            if self.fast || self.near_zero_bytes > self.cwnd {
                self.fast = true;
                let grow = acked.saturating_mul(u64::from(self.cfg.fi_scale)) / ONE;
                self.set_cwnd(self.cwnd.saturating_add(grow));
                return;
            }
        } else {
            self.stop_fast();
        }
        let target = self.cfg.target_delay_ns;
        let headroom = target.saturating_sub(delay);
        let gain = (u64::from(self.cfg.max_cwnd) >> PROPORTIONAL_SHIFT)
            .saturating_mul(headroom)
            .checked_div(target)
            .unwrap_or(0);
        self.accumulate(acked.saturating_mul(gain));
    }

    fn multiplicative_decrease(&mut self, now: u64, delay: u64) {
        self.stop_fast();
        if self
            .last_md_ns
            .is_some_and(|last| now.saturating_sub(last) <= self.cfg.base_rtt_ns)
        {
            return;
        }
        let overshoot = delay
            .saturating_sub(self.cfg.target_delay_ns)
            .saturating_mul(ONE)
            .checked_div(delay)
            .unwrap_or(0);
        let cut = u64::from(self.cfg.gamma).saturating_mul(overshoot) / ONE;
        let factor = ONE.saturating_sub(cut).max(u64::from(self.cfg.max_md_jump));
        self.set_cwnd(self.cwnd.saturating_mul(factor) / ONE);
        self.last_md_ns = Some(now);
    }

    /// Adds an increase of `per_window` / cwnd bytes (the caller passes
    /// bytes × bytes-per-window) to the pending increase.
    fn accumulate(&mut self, per_window: u64) {
        let step = per_window
            .saturating_mul(INC_ONE)
            .checked_div(self.cwnd)
            .unwrap_or(0);
        self.inc = self.inc.saturating_add(step);
    }

    /// Applies the pending increase when the bytes or the period threshold
    /// is crossed, plus `eta` once per period.
    fn adjust(&mut self, now: u64) {
        let start = *self.adjust_start_ns.get_or_insert(now);
        let period_over = now.saturating_sub(start) > self.cfg.adjust_period_threshold_ns;
        if !period_over && self.adjust_bytes <= u64::from(self.cfg.adjust_bytes_threshold) {
            return;
        }
        let mut cwnd = self.cwnd.saturating_add(self.inc / INC_ONE);
        self.inc %= INC_ONE;
        self.adjust_bytes = 0;
        if period_over {
            cwnd = cwnd.saturating_add(u64::from(self.cfg.eta));
            self.adjust_start_ns = Some(now);
        }
        self.set_cwnd(cwnd);
    }

    /// Ends the measurement window if it is over, running quick adapt when
    /// armed and gated in. True when the window was just set.
    fn quick_adapt(&mut self, now: u64) -> bool {
        if self.cfg.disable_qa {
            return false;
        }
        let window = self
            .cfg
            .base_rtt_ns
            .saturating_add(self.cfg.target_delay_ns);
        let Some(end) = self.qa_end_ns else {
            self.qa_end_ns = Some(now.saturating_add(window));
            self.delivered = 0;
            return false;
        };
        if now <= end {
            return false;
        }
        let gate = u64::from(self.cfg.max_cwnd) >> self.cfg.qa_gate;
        let fire = self.qa_armed && self.delivered < gate;
        if fire {
            self.set_cwnd(self.delivered);
            self.inc = 0;
            self.adjust_bytes = 0;
            self.stop_fast();
            self.last_md_ns = Some(now);
        }
        self.qa_armed = false;
        self.delivered = 0;
        self.qa_end_ns = Some(now.saturating_add(window));
        fire
    }

    fn stop_fast(&mut self) {
        self.fast = false;
        self.near_zero_bytes = 0;
    }

    fn set_cwnd(&mut self, cwnd: u64) {
        self.cwnd = cwnd.clamp(u64::from(self.cfg.mtu), u64::from(self.cfg.max_cwnd));
    }
}
