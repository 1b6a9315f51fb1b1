//! What a connection takes from the controller's profiles while it lives:
//! a lease on an ONLINE EV profile or CC profile, counted as a user (so
//! the profile answers EBUSY to changes that would break the connection)
//! until the lease is dropped.
//!
//! For the socket side (`MRC_EV_PROFILE` / `MRC_CC_PROFILE` name profile
//! ids; 0 keeps the built-in defaults): take the leases when a connection
//! starts (connect, or a handshake accepted) and keep them in the
//! connection's state, so that they are dropped when it is closed.

use super::{Control, Denied};
use crate::proto::ev::{EvError, EvFormatMode, WireEv, MAX_EVS};
use crate::proto::nscc::NsccConfig;
use kernel::error::{code, Error};
use kernel::prelude::*;
use kernel::sync::Arc;

/// The errno a connection gets for a profile it cannot use: ENOENT when
/// no profile has the id, EBUSY when it is not ONLINE
/// (Documentation/protocol.rst, "Profile lifecycle").
fn errno(e: EvError) -> Error {
    match e {
        EvError::NotOnline => code::EBUSY,
        _ => code::EINVAL,
    }
}

/// A connection's use of an ONLINE EV profile, with a copy of its EVs
/// expanded for the wire (the profile cannot change while leased).
pub(crate) struct EvProfileLease {
    control: Arc<Control>,
    id: u64,
    mode: EvFormatMode,
    evs: KVec<WireEv>,
    denied: Arc<Denied>,
}

impl EvProfileLease {
    /// Where each EV goes on the wire.
    pub(crate) fn mode(&self) -> EvFormatMode {
        self.mode
    }

    /// The profile's EVs, expanded: index i is the connection's EV i.
    pub(crate) fn evs(&self) -> &[WireEv] {
        &self.evs
    }

    /// The EVs the controller denies, live: apply them to the connection
    /// (`PathSet::set_denied`) whenever `generation()` moved on.
    pub(crate) fn denied(&self) -> &Denied {
        &self.denied
    }
}

// A deliberate twin of `CcProfileLease`'s drop: the two kinds live in separate
// tables of different types.
impl Drop for EvProfileLease {
    fn drop(&mut self) {
        if let Some(p) = self.control.profiles().ev_profiles.get_mut(&self.id) {
            // Held since `lease_ev_profile`: a used profile is never
            // deleted or taken OFFLINE, so this cannot fail.
            let _ = p.release();
        }
    }
}

/// A connection's use of an ONLINE CC profile.
pub(crate) struct CcProfileLease {
    control: Arc<Control>,
    id: u64,
    config: NsccConfig,
}

impl CcProfileLease {
    /// The NSCC parameters to run with.
    pub(crate) fn config(&self) -> &NsccConfig {
        &self.config
    }
}

// A deliberate twin of `EvProfileLease`'s drop: the two kinds live in separate
// tables of different types.
impl Drop for CcProfileLease {
    fn drop(&mut self) {
        if let Some(p) = self.control.profiles().cc_profiles.get_mut(&self.id) {
            // As for EV profiles: cannot fail while leased.
            let _ = p.release();
        }
    }
}

impl Control {
    /// Leases EV profile `id` for a connection (see the module
    /// documentation).
    pub(crate) fn lease_ev_profile(control: &Arc<Control>, id: u64) -> Result<EvProfileLease> {
        let mut evs = KVec::with_capacity(MAX_EVS, GFP_KERNEL)?;
        let mut profiles = control.profiles();
        let profile = profiles.ev_profiles.get_mut(&id).ok_or(code::ENOENT)?;
        let mode = profile
            .layout()
            .map(|l| l.format().mode())
            .ok_or(code::EBUSY)?;
        for index in 0..profile.evs().map_err(errno)?.len() {
            let index = u16::try_from(index).map_err(|_| code::EINVAL)?;
            evs.push(profile.wire_ev(index).map_err(errno)?, GFP_KERNEL)?;
        }
        profile.acquire().map_err(errno)?;
        let denied = profile.denied.clone();
        drop(profiles);
        Ok(EvProfileLease {
            control: control.clone(),
            id,
            mode,
            evs,
            denied,
        })
    }

    /// Leases CC profile `id` for a connection.
    pub(crate) fn lease_cc_profile(control: &Arc<Control>, id: u64) -> Result<CcProfileLease> {
        let mut profiles = control.profiles();
        let profile = profiles.cc_profiles.get_mut(&id).ok_or(code::ENOENT)?;
        profile.acquire().map_err(errno)?;
        let config = *profile.config();
        drop(profiles);
        Ok(CcProfileLease {
            control: control.clone(),
            id,
            config,
        })
    }
}
