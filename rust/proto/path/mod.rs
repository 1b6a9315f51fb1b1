//! Path (EV) state of one connection: which EVs the spraying may use, how
//! healthy each is, loss attribution per EV, probes and EV events. No
//! allocation: the per-EV [`PathState`]s live in a slice the caller owns (a
//! `Vec` on the host, a `KVec` in the kernel); [`PathSet`] itself is small.
//!
//! # States and policy
//!
//! ```text
//!        ECN echo / delay mark / non-last-hop trim
//!   GOOD ───────────────────────────────▶ SKIP ── its next turn passes ──▶ GOOD
//!     │ ▲                                   │
//!     │ └──── probe reply ──────┐           │ ACK timeout, or loss_threshold
//!     ▼                         │           ▼ losses within loss_window_ns
//!   ASSUMED_BAD ◀───────────────┴──────── (GOOD or SKIP)
//!   DENIED ◀──▶ any: controller only (allow → GOOD)
//! ```
//!
//! - Spraying ([`PathSet::choose`]) is a deficit round robin over GOOD EVs:
//!   one *rotation* visits every EV once, starting at a random offset. At a
//!   visit an EV earns credit `health × HEALTH_FULL / best_health` (best over
//!   the active EVs, taken at the rotation's start) and sends one packet per
//!   [`HEALTH_FULL`] of credit, so healthy EVs send once per rotation and an
//!   EV at health `h` about `h / best` times per rotation: N equally healthy
//!   EVs share exactly evenly. A SKIP EV loses exactly its next turn, then is
//!   GOOD again. An EV skips after an ECN echo, a non-last-hop trim, and a
//!   delay mark: an ACK while its smoothed RTT is more than twice the
//!   lowest of the active EVs' at the rotation's start (without ECN in the
//!   fabric, this is what moves packets off a link that ECMP hashed too
//!   many EVs onto); none once routes are named (below). A retransmission
//!   names the EV it was lost on (`avoid`); that EV is passed over without
//!   losing its credit unless it is the only one.
//! - Health ([`HEALTH_MIN`] = 64 ..= [`HEALTH_FULL`] = 1024): a clean ACK
//!   recovers 1/16 of the gap to full; a delay mark takes an eighth of the
//!   health, a non-last-hop trim or a RACK loss a quarter, an ACK timeout
//!   half. An ECN echo takes nothing: its answer is the skip. An EV back
//!   from ASSUMED_BAD or DENIED starts at half health.
//! - Loss attribution ([`PathSet::on_loss`]): the caller infers losses per EV
//!   (RACK: a later packet on the same EV was acked; or the ACK timeout
//!   fired without a trim). An ACK timeout moves the EV to ASSUMED_BAD; so do
//!   `loss_threshold` RACK losses or non-last-hop trims within
//!   `loss_window_ns`. A last-hop trim is the receiver's congestion, shared
//!   by all EVs: it is counted but held against no EV.
//! - Routes ([`PathSet::set_route`]): EVs the caller knows to take the same
//!   network path (SRv6 EVs toward one container) share a route, and a move
//!   of one to ASSUMED_BAD moves them all: the packets still in flight on a
//!   failed path would otherwise find its other EVs one ACK timeout at a
//!   time. Each EV is probed back on its own. By default every EV is its
//!   own route (entropy: only the fabric's hashing knows).
//! - Floor: a move to ASSUMED_BAD that would leave fewer than
//!   `ev_min_active` active (GOOD or SKIP) EVs is refused and counted
//!   ([`PathSet::floor_refusals`]); the EV stays active, its health still
//!   drops. The controller's deny is not subject to the floor.
//! - Probes ([`PathSet::poll_probe`]): an ASSUMED_BAD EV is first probed
//!   `probe_interval_ns` after it went bad; after `k` probe timeouts in a row
//!   the next one waits `probe_interval_ns << min(k, probe_backoff_max)`. A
//!   probe reply brings the EV back to GOOD. A probe unanswered for
//!   `probe_timeout_ns` (at least the EV's srtt + 4 rttvar) times out, whether the caller reports it
//!   ([`PathSet::on_probe_timeout`]) or not; [`PathSet::next_timeout`]
//!   includes both probe due times and probe deadlines.
//! - Events ([`PathSet::poll_event`]): each GOOD ↔ ASSUMED_BAD transition
//!   whose bit is in `event_mask` is queued (capacity [`EVENT_QUEUE_LEN`]);
//!   when full, the event is dropped and the count rides on the next event
//!   queued ([`EvEvent::dropped`]) and in [`PathSet::events_dropped`].
//!
//! Limits: at most [`MAX_EVS`] (256) EVs; the tunables and their defaults
//! (floor 1, 3 losses in 1 ms, probes every 1 ms backing off to ~1 s) are in
//! [`PathConfig`].

mod config;
mod event;
mod loss;
mod probe;
mod spray;
mod state;
#[cfg(test)]
mod tests;

pub use config::{
    PathConfig, PathError, BURST_DEFAULT, BURST_SPREAD, EVENT_ASSUMED_BAD, EVENT_GOOD, MAX_EVS,
};
pub use event::{EvEvent, EVENT_QUEUE_LEN};
pub use loss::LossCause;
pub use state::{EvState, PathState, HEALTH_FULL, HEALTH_MIN};

/// Probe send times an EV remembers, so that a reply that comes after
/// its probe timed out (and the next was sent) still answers.
pub const PROBES_REMEMBERED: usize = 4;

use core::ops::DerefMut;
use event::EventQueue;

/// The EVs of one connection, over caller-provided storage.
pub struct PathSet<S> {
    cfg: PathConfig,
    paths: S,
    /// EVs in use: `paths[..ev_count]`.
    ev_count: u16,
    /// EVs that are GOOD or SKIP.
    active: u16,
    /// EVs that are ASSUMED_BAD.
    assumed_bad: u16,
    /// Next EV the spraying visits.
    cursor: u16,
    /// Visits left in the current rotation.
    rotation_left: u16,
    /// Best health among active EVs when the current rotation started.
    rotation_best: u16,
    /// Where the next probe scan starts, so that bad EVs take turns.
    probe_cursor: u16,
    /// Some EVs share a route ([`set_route`](Self::set_route)).
    shared_routes: bool,
    /// Lowest smoothed RTT among the active EVs when the current rotation
    /// started (0: none yet), the delay marks' reference.
    rotation_min_srtt: u64,
    floor_refusals: u64,
    /// The EV of the burst in progress and the packets it still takes, and
    /// the length of this drain's bursts (0: set by the drain's first
    /// packet) ([`choose_in_burst`](Self::choose_in_burst)).
    burst_ev: u16,
    burst_left: u8,
    burst_len: u8,
    events: EventQueue,
}

impl<S: DerefMut<Target = [PathState]>> PathSet<S> {
    /// A path set over `storage` with `active_evs` EVs, all GOOD. The EV
    /// count is clamped to `storage.len()` and to [`MAX_EVS`]; the first
    /// that many entries of `storage` are reset.
    pub fn new(cfg: PathConfig, mut storage: S, active_evs: u16) -> Self {
        let ev_count = active_evs
            .min(MAX_EVS)
            .min(u16::try_from(storage.len()).unwrap_or(u16::MAX));
        for (ev, path) in (0..ev_count).zip(storage.iter_mut()) {
            *path = PathState::new();
            path.route = ev;
        }
        Self {
            cfg,
            paths: storage,
            ev_count,
            active: ev_count,
            assumed_bad: 0,
            cursor: 0,
            rotation_left: 0,
            rotation_best: HEALTH_FULL,
            probe_cursor: 0,
            shared_routes: false,
            rotation_min_srtt: 0,
            floor_refusals: 0,
            burst_ev: 0,
            burst_left: 0,
            burst_len: 0,
            events: EventQueue::new(),
        }
    }

    /// The policy this set runs with.
    pub fn config(&self) -> &PathConfig {
        &self.cfg
    }

    /// Number of EVs in use.
    pub fn ev_count(&self) -> u16 {
        self.ev_count
    }

    /// EVs that are GOOD or SKIP.
    pub fn active_count(&self) -> u16 {
        self.active
    }

    /// Moves to ASSUMED_BAD refused because of `ev_min_active`.
    pub fn floor_refusals(&self) -> u64 {
        self.floor_refusals
    }

    /// Events dropped on a full queue since creation.
    pub fn events_dropped(&self) -> u64 {
        self.events.dropped_total()
    }

    /// State of `ev`, or `None` when out of range.
    pub fn state(&self, ev: u16) -> Option<EvState> {
        self.path(ev).map(PathState::state)
    }

    /// Counters and estimates of `ev`, or `None` when out of range.
    pub fn stats(&self, ev: u16) -> Option<&PathState> {
        self.path(ev)
    }

    /// Oldest pending EV event.
    pub fn poll_event(&mut self) -> Option<EvEvent> {
        self.events.pop()
    }

    /// Controller: deny `ev` (never used, not probed) or allow it again (it
    /// comes back GOOD at half health). Idempotent; not bound by the floor.
    pub fn set_denied(&mut self, ev: u16, denied: bool) -> Result<(), PathError> {
        let old = self.state(ev).ok_or(PathError::EvOutOfRange)?;
        match (old, denied) {
            (EvState::Denied, true)
            | (EvState::Good | EvState::Skip | EvState::AssumedBad, false) => {}
            (_, true) => self.set_state(ev, EvState::Denied),
            (EvState::Denied, false) => {
                self.set_state(ev, EvState::Good);
                if let Some(path) = self.path_mut(ev) {
                    path.health = HEALTH_FULL / 2;
                    path.credit = 0;
                }
            }
        }
        Ok(())
    }

    /// Puts `ev` on `route`, named by one of its EVs (by default every EV
    /// names its own): EVs on one route go ASSUMED_BAD together.
    pub fn set_route(&mut self, ev: u16, route: u16) -> Result<(), PathError> {
        if route >= self.ev_count {
            return Err(PathError::EvOutOfRange);
        }
        let path = self.path_mut(ev).ok_or(PathError::EvOutOfRange)?;
        path.route = route;
        if route != ev {
            self.shared_routes = true;
        }
        Ok(())
    }

    pub(super) fn path(&self, ev: u16) -> Option<&PathState> {
        if ev >= self.ev_count {
            return None;
        }
        self.paths.get(usize::from(ev))
    }

    pub(super) fn path_mut(&mut self, ev: u16) -> Option<&mut PathState> {
        if ev >= self.ev_count {
            return None;
        }
        self.paths.get_mut(usize::from(ev))
    }

    /// Sets the state of `ev`, keeping the active / assumed-bad counts and
    /// the probe bookkeeping in step. No events, no floor: callers decide.
    fn set_state(&mut self, ev: u16, new: EvState) {
        let Some(path) = self.path_mut(ev) else {
            return;
        };
        let old = path.state;
        path.state = new;
        if new != EvState::AssumedBad {
            path.probe_deadline_ns = None;
            path.probe_backoff = 0;
        }
        if old.is_active() {
            self.active = self.active.saturating_sub(1);
        }
        if old == EvState::AssumedBad {
            self.assumed_bad = self.assumed_bad.saturating_sub(1);
        }
        if new.is_active() {
            self.active = self.active.saturating_add(1);
        }
        if new == EvState::AssumedBad {
            self.assumed_bad = self.assumed_bad.saturating_add(1);
        }
    }

    /// `ev` and the other EVs on its route: GOOD/SKIP → ASSUMED_BAD.
    fn demote(&mut self, ev: u16, now: u64) {
        let Some(route) = self.path(ev).map(|p| p.route) else {
            return;
        };
        self.demote_one(ev, now);
        if !self.shared_routes {
            return;
        }
        for other in 0..self.ev_count {
            if other != ev && self.path(other).is_some_and(|p| p.route == route) {
                self.demote_one(other, now);
            }
        }
    }

    /// GOOD/SKIP → ASSUMED_BAD, unless that breaks the `ev_min_active` floor
    /// (then counted and refused). Schedules the first probe.
    fn demote_one(&mut self, ev: u16, now: u64) {
        let Some(old) = self.state(ev) else {
            return;
        };
        if !old.is_active() {
            return;
        }
        if self.active <= self.cfg.ev_min_active {
            self.floor_refusals = self.floor_refusals.saturating_add(1);
            return;
        }
        self.set_state(ev, EvState::AssumedBad);
        let due = now.saturating_add(self.cfg.probe_interval_ns);
        if let Some(path) = self.path_mut(ev) {
            path.probe_due_ns = due;
            path.loss_window_count = 0;
        }
        self.report(ev, EvState::Good, EvState::AssumedBad, now);
    }

    /// ASSUMED_BAD → GOOD (a probe answered).
    fn promote(&mut self, ev: u16, now: u64) {
        if self.state(ev) != Some(EvState::AssumedBad) {
            return;
        }
        self.set_state(ev, EvState::Good);
        if let Some(path) = self.path_mut(ev) {
            path.health = HEALTH_FULL / 2;
            path.credit = 0;
            path.loss_window_count = 0;
        }
        self.report(ev, EvState::AssumedBad, EvState::Good, now);
    }

    fn report(&mut self, ev: u16, old: EvState, new: EvState, now: u64) {
        let bit = if new == EvState::AssumedBad {
            EVENT_ASSUMED_BAD
        } else {
            EVENT_GOOD
        };
        if self.cfg.event_mask & bit != 0 {
            self.events.push(EvEvent {
                ev,
                old,
                new,
                at_ns: now,
                dropped: 0,
            });
        }
    }
}
