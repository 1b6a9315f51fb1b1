//! The controller's state of one network namespace: its EV format, EV and
//! CC profiles (which the `mrc` netlink family's commands in
//! `crate::netlink` create, change, show and delete), what connections take
//! from them while they live ([`lease`]), the EVs the controller denies
//! ([`Denied`]), and the events group their EV state changes go to
//! ([`events`]). Sockets and the netlink handlers both use it; it uses
//! neither.
//!
//! One mutex guards all profiles of the namespace: an EV profile's state
//! change touches its format profile too, and requests are rare.

pub(crate) mod cc_profile;
mod denied;
mod events;
pub(crate) mod lease;

use crate::ffi::pernet::Net;
use crate::proto::ev::{Ev, EvFormatProfile, EvProfile};
use cc_profile::CcProfile;
use core::ops::{Deref, DerefMut};
pub(crate) use denied::Denied;
use events::Events;
use kernel::prelude::*;
use kernel::rbtree::RBTree;
use kernel::sync::lock::{mutex::MutexBackend, Guard};
use kernel::sync::{new_mutex, Arc, Mutex};

/// Most EV format profiles per namespace.
pub(crate) const MAX_EV_FMT_PROFILES: usize = 64;
/// Most EV profiles per namespace (each holds 8 KiB of EVs).
pub(crate) const MAX_EV_PROFILES: usize = 64;
/// Most CC profiles per namespace.
pub(crate) const MAX_CC_PROFILES: usize = 64;

/// An EV profile with room for the largest EV array, and the EVs the
/// controller denied in it.
pub(crate) struct StoredEvProfile {
    profile: EvProfile<KVec<Ev>>,
    pub(crate) denied: Arc<Denied>,
}

impl StoredEvProfile {
    /// A new profile `id` in INIT.
    pub(crate) fn new(id: u64) -> Result<Self> {
        let mut storage = KVec::with_capacity(crate::proto::ev::MAX_EVS, GFP_KERNEL)?;
        storage.extend_with(crate::proto::ev::MAX_EVS, Ev::default(), GFP_KERNEL)?;
        Ok(Self {
            profile: EvProfile::new(id, storage),
            denied: Denied::new()?,
        })
    }
}

impl Deref for StoredEvProfile {
    type Target = EvProfile<KVec<Ev>>;

    fn deref(&self) -> &Self::Target {
        &self.profile
    }
}

impl DerefMut for StoredEvProfile {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.profile
    }
}

/// Every profile of the namespace, by id.
pub(crate) struct Profiles {
    pub(crate) ev_fmts: RBTree<u64, EvFormatProfile>,
    pub(crate) ev_profiles: RBTree<u64, StoredEvProfile>,
    pub(crate) cc_profiles: RBTree<u64, CcProfile>,
}

/// The controller's state of one namespace.
#[pin_data]
pub(crate) struct Control {
    #[pin]
    profiles: Mutex<Profiles>,
    events: Events,
}

impl Control {
    /// The controller's state of namespace `net`.
    pub(crate) fn new(net: &Net) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                events: Events::new(net),
                profiles <- new_mutex!(Profiles {
                    ev_fmts: RBTree::new(),
                    ev_profiles: RBTree::new(),
                    cc_profiles: RBTree::new(),
                }),
            }),
            GFP_KERNEL,
        )
    }

    /// The profiles, locked (process context).
    pub(crate) fn profiles(&self) -> Guard<'_, Profiles, MutexBackend> {
        self.profiles.lock()
    }
}
