//! The events group: each GOOD <-> ASSUMED_BAD transition of a
//! connection's EV that its EV profile's event mask asks for, multicast to
//! the namespace's listeners, with a count of the events lost before it
//! (the connection's queue overflowed, or this namespace could not send).

use super::Control;
use crate::ffi::bindings;
use crate::ffi::genl;
use crate::ffi::pernet::Net;
use crate::proto::ev::{EV_EVENT_ALL, EV_EVENT_ASSUMED_BAD, EV_EVENT_GOOD};
use crate::proto::path::{EvEvent, EvState};
use core::sync::atomic::{AtomicU32, Ordering};
use kernel::error::code;

/// The namespace's side of the events group.
pub(crate) struct Events {
    net: Net,
    /// Events lost since the last one sent.
    dropped: AtomicU32,
}

impl Events {
    pub(crate) fn new(net: &Net) -> Self {
        Self {
            net: net.clone(),
            dropped: AtomicU32::new(0),
        }
    }
}

fn uapi(state: EvState) -> u32 {
    match state {
        EvState::Good => bindings::MRC_EV_GOOD,
        EvState::Skip => bindings::MRC_EV_SKIP,
        EvState::AssumedBad => bindings::MRC_EV_ASSUMED_BAD,
        EvState::Denied => bindings::MRC_EV_DENIED,
    }
}

impl Control {
    /// Reports `event` of connection `conn`, whose EV profile is
    /// `ev_profile` (0: the built-in one, which reports every transition),
    /// if the profile's event mask asks for it (process context; the
    /// caller may hold its socket's lock, not the profiles').
    pub(crate) fn ev_state_changed(&self, conn: u32, ev_profile: u64, event: &EvEvent) {
        let mask = match ev_profile {
            0 => EV_EVENT_ALL,
            id => self
                .profiles()
                .ev_profiles
                .get(&id)
                .and_then(|p| p.config().map(|c| c.ev_event_mask))
                .unwrap_or(0),
        };
        let bit = match event.new {
            EvState::AssumedBad => EV_EVENT_ASSUMED_BAD,
            _ => EV_EVENT_GOOD,
        };
        if mask & bit == 0 {
            return;
        }
        let events = &self.events;
        let lost = events.dropped.swap(0, Ordering::AcqRel);
        let dropped = lost.saturating_add(event.dropped);
        let sent = genl::multicast(&events.net, bindings::MRC_CMD_EV_STATE_NTF, |msg| {
            msg.put_u32(bindings::MRC_A_EV_EVENT_CONN, conn)?;
            msg.put_u64(bindings::MRC_A_EV_EVENT_EV_PROFILE_ID, ev_profile)?;
            msg.put_u32(bindings::MRC_A_EV_EVENT_INDEX, u32::from(event.ev))?;
            msg.put_u32(bindings::MRC_A_EV_EVENT_OLD_STATE, uapi(event.old))?;
            msg.put_u32(bindings::MRC_A_EV_EVENT_NEW_STATE, uapi(event.new))?;
            msg.put_u64(bindings::MRC_A_EV_EVENT_TIME, event.at_ns)?;
            msg.put_u32(bindings::MRC_A_EV_EVENT_DROPPED, dropped)
        });
        match sent {
            // Sent, or nobody listens (nothing is lost for anyone).
            Ok(()) => {}
            Err(e) if e == code::ESRCH => {}
            Err(_) => {
                events
                    .dropped
                    .fetch_add(dropped.saturating_add(1), Ordering::AcqRel);
            }
        }
    }
}
