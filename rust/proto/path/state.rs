//! The state of one EV: its [`EvState`], counters, RTT estimate, health
//! score and probe bookkeeping.

use crate::proto::rtt::RttEstimate;

/// Health of an EV that has shown no congestion or loss lately.
pub const HEALTH_FULL: u16 = 1024;

/// Lowest health: an EV this sick is still sprayed, once per
/// `HEALTH_FULL / HEALTH_MIN` rotations of the healthiest EV.
pub const HEALTH_MIN: u16 = 64;

/// What the spraying may do with an EV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvState {
    /// Usable.
    Good,
    /// Usable, but skipped at its next turn of the spraying rotation (after
    /// an ECN mark or a trimmed packet), then GOOD again.
    Skip,
    /// The sender attributed a loss to this EV; only probes use it until a
    /// probe reply brings it back to GOOD.
    AssumedBad,
    /// Set by the controller only; never used until allowed again.
    Denied,
}

impl EvState {
    /// GOOD or SKIP: counts towards `ev_min_active`.
    pub fn is_active(self) -> bool {
        matches!(self, EvState::Good | EvState::Skip)
    }
}

/// Per-EV state and statistics, stored in the caller's slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// A twin by shape only of conn/sent.rs's `SentPacket` fields: unrelated
// records.
pub struct PathState {
    pub(super) state: EvState,
    pub(super) sent: u64,
    pub(super) bytes_sent: u64,
    pub(super) acked: u64,
    pub(super) lost: u64,
    pub(super) timeouts: u64,
    pub(super) trimmed: u64,
    pub(super) ecn: u64,
    pub(super) delayed: u64,
    pub(super) rtt: RttEstimate,
    pub(super) last_ack_ns: u64,
    pub(super) last_send_ns: u64,
    pub(super) health: u16,
    /// Spraying credit in 1/HEALTH_FULL of a packet.
    pub(super) credit: u16,
    pub(super) loss_window_start_ns: u64,
    pub(super) loss_window_count: u16,
    pub(super) probe_due_ns: u64,
    /// Deadline of the outstanding probe, if one is outstanding.
    pub(super) probe_deadline_ns: Option<u64>,
    /// When the last [`PROBES_REMEMBERED`](super::PROBES_REMEMBERED)
    /// probes were sent (0: none), slot `probes_sent % N` the newest: a
    /// reply echoes one of them.
    pub(super) probe_sent_ns: [u64; super::PROBES_REMEMBERED],
    pub(super) probe_backoff: u8,
    pub(super) probes_sent: u64,
    /// EVs with the same route take the same network path (the caller
    /// knows: SRv6 EVs toward one container); a demotion takes them all.
    pub(super) route: u16,
}

impl Default for PathState {
    fn default() -> Self {
        Self::new()
    }
}

impl PathState {
    /// A fresh GOOD EV with full health and no history.
    pub const fn new() -> Self {
        Self {
            state: EvState::Good,
            sent: 0,
            bytes_sent: 0,
            acked: 0,
            lost: 0,
            timeouts: 0,
            trimmed: 0,
            ecn: 0,
            delayed: 0,
            rtt: RttEstimate::new(),
            last_ack_ns: 0,
            last_send_ns: 0,
            health: HEALTH_FULL,
            credit: 0,
            loss_window_start_ns: 0,
            loss_window_count: 0,
            probe_due_ns: 0,
            probe_deadline_ns: None,
            probe_sent_ns: [0; super::PROBES_REMEMBERED],
            probe_backoff: 0,
            probes_sent: 0,
            route: 0,
        }
    }

    /// Current state.
    pub fn state(&self) -> EvState {
        self.state
    }

    /// Packets sent on this EV.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Bytes sent on this EV.
    pub fn bytes_sent(&self) -> u64 {
        self.bytes_sent
    }

    /// Packets acknowledged on this EV.
    pub fn acked(&self) -> u64 {
        self.acked
    }

    /// Packets declared lost on this EV (RACK and ACK timeout).
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// Of [`lost`](Self::lost), those found by ACK timeout.
    pub fn timeouts(&self) -> u64 {
        self.timeouts
    }

    /// Packets trimmed on this EV (last hop or not).
    pub fn trimmed(&self) -> u64 {
        self.trimmed
    }

    /// ACKs with an ECN echo on this EV.
    pub fn ecn(&self) -> u64 {
        self.ecn
    }

    /// ACKs with a delay mark on this EV (its smoothed RTT was more than
    /// twice the lowest active EV's).
    pub fn delayed(&self) -> u64 {
        self.delayed
    }

    /// Smoothed RTT in ns (0 before the first sample).
    pub fn srtt_ns(&self) -> u64 {
        self.rtt.srtt_ns()
    }

    /// RTT variance (mean deviation) in ns.
    pub fn rttvar_ns(&self) -> u64 {
        self.rtt.rttvar_ns()
    }

    /// Time of the last ACK or probe reply on this EV (0 if none).
    pub fn last_ack_ns(&self) -> u64 {
        self.last_ack_ns
    }

    /// Time of the last packet sent on this EV (0 if none).
    pub fn last_send_ns(&self) -> u64 {
        self.last_send_ns
    }

    /// Health score, [`HEALTH_MIN`]..=[`HEALTH_FULL`]: the spraying weight.
    pub fn health(&self) -> u16 {
        self.health
    }

    /// Probes sent on this EV.
    pub fn probes_sent(&self) -> u64 {
        self.probes_sent
    }

    /// The route: EVs sharing it share their fate.
    pub fn route(&self) -> u16 {
        self.route
    }

    /// Consecutive probe timeouts (the backoff exponent before capping).
    pub fn probe_backoff(&self) -> u8 {
        self.probe_backoff
    }

    /// A clean ACK: health climbs 1/16 of the way back to full.
    pub(super) fn heal(&mut self) {
        let gap = HEALTH_FULL.saturating_sub(self.health);
        self.health = self
            .health
            .saturating_add(gap.div_ceil(16))
            .min(HEALTH_FULL);
    }

    /// A congestion or loss signal: health loses `1 / 2^shift` of itself.
    pub(super) fn hurt(&mut self, shift: u32) {
        let loss = self.health.checked_shr(shift).unwrap_or(0);
        self.health = self.health.saturating_sub(loss).max(HEALTH_MIN);
    }
}
