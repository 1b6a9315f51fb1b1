//! An EV format profile: a controller-chosen id, an [`EvFormat`] and the
//! profile state machine. EV profiles that are ONLINE count as its users.

use super::{EvError, EvFormat, Lifecycle, ProfileState};

/// An EV format profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EvFormatProfile {
    id: u64,
    format: Option<EvFormat>,
    life: Lifecycle,
}

impl EvFormatProfile {
    /// A new, unconfigured profile in INIT.
    pub const fn new(id: u64) -> EvFormatProfile {
        EvFormatProfile {
            id,
            format: None,
            life: Lifecycle::new(),
        }
    }

    /// The controller's id for this profile.
    pub const fn id(&self) -> u64 {
        self.id
    }

    /// The format, once configured.
    pub const fn format(&self) -> Option<&EvFormat> {
        self.format.as_ref()
    }

    /// The state.
    pub const fn state(&self) -> ProfileState {
        self.life.state()
    }

    /// How many ONLINE EV profiles use this format.
    pub const fn users(&self) -> u32 {
        self.life.users()
    }

    /// Sets the format; refused while ONLINE (formats cannot change under
    /// live EV profiles).
    pub fn configure(&mut self, format: EvFormat) -> Result<(), EvError> {
        self.life.check_reconfigure()?;
        self.format = Some(format);
        Ok(())
    }

    /// Moves to `to` (see [`Lifecycle::transition`]); INIT→OFFLINE needs a
    /// format, OFFLINE→INIT forgets it.
    pub fn set_state(&mut self, to: ProfileState) -> Result<(), EvError> {
        if self.life.state() == ProfileState::Init
            && to == ProfileState::Offline
            && self.format.is_none()
        {
            return Err(EvError::NotConfigured);
        }
        self.life.transition(to)?;
        if to == ProfileState::Init {
            self.format = None;
        }
        Ok(())
    }

    pub(super) fn acquire(&mut self) -> Result<(), EvError> {
        self.life.acquire()
    }

    pub(super) fn release(&mut self) -> Result<(), EvError> {
        self.life.release()
    }
}
