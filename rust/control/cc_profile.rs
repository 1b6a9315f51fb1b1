//! A CC profile as the namespace stores it: NSCC's parameters and the
//! profile state machine (the `cc-profile-*` commands of
//! `crate::netlink::cc_profile` make and change it; connections lease it).

use crate::proto::ev::{EvError, Lifecycle};
use crate::proto::nscc::NsccConfig;

/// A CC profile: NSCC parameters and the profile state machine.
pub(crate) struct CcProfile {
    pub(crate) id: u64,
    pub(crate) config: NsccConfig,
    pub(crate) life: Lifecycle,
}

impl CcProfile {
    /// The parameters connections using this profile run with.
    pub(crate) fn config(&self) -> &NsccConfig {
        &self.config
    }

    /// Records a live connection using this ONLINE profile.
    pub(crate) fn acquire(&mut self) -> Result<(), EvError> {
        self.life.acquire()
    }

    /// Records that a live connection stopped using this profile.
    pub(crate) fn release(&mut self) -> Result<(), EvError> {
        self.life.release()
    }
}
