//! Per-connection path policy: the knobs an EV profile hands to [`PathSet`],
//! the event mask bits, and the errors of the controller operations.
//!
//! [`PathSet`]: super::PathSet

/// Largest number of EVs one connection sprays over.
pub const MAX_EVS: u16 = 256;

/// Event mask bit: report GOOD → ASSUMED_BAD transitions.
pub const EVENT_ASSUMED_BAD: u32 = 1 << 0;

/// Event mask bit: report ASSUMED_BAD → GOOD transitions.
pub const EVENT_GOOD: u32 = 1 << 1;

/// The longest burst a sender sprays with unless configured otherwise
/// (`net.mrc.burst`, the simulator's default). [`BURST_SPREAD`] shortens
/// each drain's bursts to what its room allows, so a sender that the
/// windows hold to a few packets at a time still sprays packet by packet.
/// Chosen by measurement, see Documentation/performance.rst ("Bursts by
/// default").
pub const BURST_DEFAULT: u8 = 8;

/// The fewest EVs that what the windows release at once is sprayed over: a
/// burst is at most that release divided by this (see
/// [`PathSet::choose_in_burst`](super::PathSet::choose_in_burst)). With 8
/// the simulator's fabric of 4 KiB packets lost a third of its goodput;
/// with 16 it keeps its spraying and recovery properties.
pub const BURST_SPREAD: u32 = 16;

/// Path policy of one connection (part of the EV profile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathConfig {
    /// Floor on the number of active EVs (GOOD or SKIP): the path set never
    /// moves an EV to ASSUMED_BAD when that would leave fewer active EVs.
    pub ev_min_active: u16,
    /// Which transitions are queued as events ([`EVENT_ASSUMED_BAD`],
    /// [`EVENT_GOOD`]); other bits are ignored.
    pub event_mask: u32,
    /// RACK losses (and non-last-hop trims) within `loss_window_ns` that move
    /// an EV to ASSUMED_BAD; 0 leaves that to ACK timeouts alone.
    pub loss_threshold: u16,
    /// Length of the window in which `loss_threshold` losses are counted.
    pub loss_window_ns: u64,
    /// Delay from an EV becoming ASSUMED_BAD to its first probe, and the
    /// base of the probe backoff.
    pub probe_interval_ns: u64,
    /// How long a probe may stay unanswered before it counts as timed out;
    /// never less than the EV's RTO as last measured (srtt + 4 rttvar).
    pub probe_timeout_ns: u64,
    /// Largest backoff exponent: after `k` probe timeouts in a row the next
    /// probe waits `probe_interval_ns << min(k, probe_backoff_max)`.
    pub probe_backoff_max: u8,
    /// New data packets that go out on one EV in a row before spraying
    /// picks the next (1: every packet picks). A burst lets a sender hand
    /// the packets to the stack as one segmentation-offload batch; the
    /// spraying's weights then apply per burst.
    pub burst: u8,
}

impl Default for PathConfig {
    /// Defaults for a data-centre fabric: a floor of one EV, every transition
    /// reported, 3 losses within 1 ms demote an EV, probes every 1 ms backing
    /// off to about 1 s, a probe answered within 1 ms, every packet sprayed
    /// on its own.
    fn default() -> Self {
        Self {
            ev_min_active: 1,
            event_mask: EVENT_ASSUMED_BAD | EVENT_GOOD,
            loss_threshold: 3,
            loss_window_ns: 1_000_000,
            probe_interval_ns: 1_000_000,
            probe_timeout_ns: 1_000_000,
            probe_backoff_max: 10,
            burst: 1,
        }
    }
}

/// Why a controller operation on a [`PathSet`](super::PathSet) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// The EV index is not below the connection's EV count.
    EvOutOfRange,
}
