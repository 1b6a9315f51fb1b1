//! EV events for the controller: a fixed-capacity queue of GOOD ↔
//! ASSUMED_BAD transitions that counts what it had to drop.

use super::EvState;

/// Events the queue holds before it starts dropping.
pub const EVENT_QUEUE_LEN: usize = 16;

/// One GOOD ↔ ASSUMED_BAD transition of one EV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvEvent {
    /// EV index within the connection.
    pub ev: u16,
    /// State before the transition (SKIP is reported as GOOD: it is a
    /// transient sub-state of GOOD).
    pub old: EvState,
    /// State after the transition.
    pub new: EvState,
    /// When the transition happened (ns).
    pub at_ns: u64,
    /// Events dropped because the queue was full, between the previous
    /// queued event and this one.
    pub dropped: u32,
}

/// Ring buffer of [`EvEvent`]s; small enough to live inside `PathSet`.
#[derive(Clone, Copy, Debug)]
pub(super) struct EventQueue {
    slots: [Option<EvEvent>; EVENT_QUEUE_LEN],
    head: usize,
    len: usize,
    /// Dropped since the last event that made it into the queue.
    dropped_pending: u32,
    dropped_total: u64,
}

impl EventQueue {
    pub(super) const fn new() -> Self {
        Self {
            slots: [None; EVENT_QUEUE_LEN],
            head: 0,
            len: 0,
            dropped_pending: 0,
            dropped_total: 0,
        }
    }

    /// Queues `event`, or drops and counts it when the queue is full; the
    /// count rides on the next event that is queued.
    pub(super) fn push(&mut self, mut event: EvEvent) {
        if self.len >= EVENT_QUEUE_LEN {
            self.dropped_pending = self.dropped_pending.saturating_add(1);
            self.dropped_total = self.dropped_total.saturating_add(1);
            return;
        }
        event.dropped = self.dropped_pending;
        let tail = self.head.wrapping_add(self.len) % EVENT_QUEUE_LEN;
        if let Some(slot) = self.slots.get_mut(tail) {
            *slot = Some(event);
            self.dropped_pending = 0;
            self.len = self.len.saturating_add(1);
        }
    }

    /// Oldest queued event.
    pub(super) fn pop(&mut self) -> Option<EvEvent> {
        if self.len == 0 {
            return None;
        }
        let event = self.slots.get_mut(self.head).and_then(Option::take);
        self.head = self.head.wrapping_add(1) % EVENT_QUEUE_LEN;
        self.len = self.len.saturating_sub(1);
        event
    }

    /// Events dropped since the path set was created.
    pub(super) fn dropped_total(&self) -> u64 {
        self.dropped_total
    }
}
