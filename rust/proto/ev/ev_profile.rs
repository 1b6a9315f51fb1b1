//! An EV profile: a controller-chosen id, its configuration, the profile
//! state machine, and its EV array in caller-provided storage (up to
//! [`MAX_EVS`](super::MAX_EVS) × 32 bytes, too large for a kernel stack).
//!
//! Changes while ONLINE are limited to those live connections cannot
//! notice (the event mask and the active floor); everything else needs the
//! profile OFFLINE, and a profile in use answers [`EvError::Busy`].

use core::ops::DerefMut;

use super::ev_profile_config::{check_event_mask, check_min_active};
use super::{
    Ev, EvError, EvFormatProfile, EvLayout, EvProfileConfig, EvProfileMode, EvRange, Lifecycle,
    ProfileState, WireEv,
};

/// An EV profile whose EVs live in `S` (a slice, `Vec` or `KVec` of [`Ev`]).
#[derive(Clone, Debug)]
pub struct EvProfile<S> {
    id: u64,
    config: Option<(EvProfileConfig, EvLayout)>,
    life: Lifecycle,
    evs: S,
    populated: bool,
}

impl<S: DerefMut<Target = [Ev]>> EvProfile<S> {
    /// A new, unconfigured profile in INIT, keeping its EVs in `storage`.
    pub fn new(id: u64, storage: S) -> EvProfile<S> {
        EvProfile {
            id,
            config: None,
            life: Lifecycle::new(),
            evs: storage,
            populated: false,
        }
    }

    /// The controller's id for this profile.
    pub const fn id(&self) -> u64 {
        self.id
    }

    /// The state.
    pub const fn state(&self) -> ProfileState {
        self.life.state()
    }

    /// How many live connections use this profile.
    pub const fn users(&self) -> u32 {
        self.life.users()
    }

    /// The configuration, once set.
    pub fn config(&self) -> Option<&EvProfileConfig> {
        self.config.as_ref().map(|(config, _)| config)
    }

    /// The layout (fields checked against the format), once configured.
    pub fn layout(&self) -> Option<&EvLayout> {
        self.config.as_ref().map(|(_, layout)| layout)
    }

    /// Replaces the configuration after checking it against `format` (which
    /// must be the profile it names). Refused while ONLINE; an EXPLICIT
    /// profile must then be populated again.
    pub fn configure(
        &mut self,
        config: EvProfileConfig,
        format: &EvFormatProfile,
    ) -> Result<(), EvError> {
        self.life.check_reconfigure()?;
        let layout = validate(&config, format)?;
        if self.evs.len() < usize::from(config.ev_count) {
            return Err(EvError::StorageTooSmall);
        }
        self.config = Some((config, layout));
        self.populated = false;
        Ok(())
    }

    /// Sets the event mask; allowed in every state.
    pub fn set_event_mask(&mut self, mask: u32) -> Result<(), EvError> {
        check_event_mask(mask)?;
        let (config, _) = self.config.as_mut().ok_or(EvError::NotConfigured)?;
        config.ev_event_mask = mask;
        Ok(())
    }

    /// Sets the floor of usable EVs; allowed in every state.
    pub fn set_min_active(&mut self, min_active: u16) -> Result<(), EvError> {
        let (config, _) = self.config.as_mut().ok_or(EvError::NotConfigured)?;
        check_min_active(min_active, config.ev_count)?;
        config.ev_min_active = min_active;
        Ok(())
    }

    /// Supplies an EXPLICIT profile's EVs: exactly `ev_count`, each of
    /// which must expand (no stray bits). Refused while ONLINE.
    pub fn populate(&mut self, evs: &[Ev]) -> Result<(), EvError> {
        self.life.check_reconfigure()?;
        let (config, layout) = self.config.as_ref().ok_or(EvError::NotConfigured)?;
        if config.mode != EvProfileMode::Explicit {
            return Err(EvError::NotExplicit);
        }
        if evs.len() != usize::from(config.ev_count) {
            return Err(EvError::EvCountMismatch);
        }
        for ev in evs {
            layout.expand(ev)?;
        }
        for (slot, ev) in self.evs.iter_mut().zip(evs) {
            *slot = *ev;
        }
        self.populated = true;
        Ok(())
    }

    /// Replaces EV `index` of an EXPLICIT profile whose EVs were supplied
    /// (ONLINE or not): the new EV must expand; refused while in use.
    pub fn replace_ev(&mut self, index: u16, ev: Ev) -> Result<(), EvError> {
        if self.life.users() > 0 {
            return Err(EvError::Busy);
        }
        let (config, layout) = self.config.as_ref().ok_or(EvError::NotConfigured)?;
        if config.mode != EvProfileMode::Explicit {
            return Err(EvError::NotExplicit);
        }
        if !self.populated {
            return Err(EvError::NotPopulated);
        }
        layout.expand(&ev)?;
        let slot = self
            .evs
            .get_mut(..usize::from(config.ev_count))
            .and_then(|evs| evs.get_mut(usize::from(index)))
            .ok_or(EvError::ValueOutOfRange)?;
        *slot = ev;
        Ok(())
    }

    /// INIT → OFFLINE (needs a configuration valid for `format`) or
    /// ONLINE → OFFLINE (refused while in use; releases `format`).
    pub fn set_offline(&mut self, format: &mut EvFormatProfile) -> Result<(), EvError> {
        match self.life.state() {
            ProfileState::Init => {
                let (config, _) = self.config.as_ref().ok_or(EvError::NotConfigured)?;
                let layout = validate(config, format)?;
                self.life.transition(ProfileState::Offline)?;
                if let Some((_, stored)) = self.config.as_mut() {
                    *stored = layout;
                }
                Ok(())
            }
            ProfileState::Online => {
                check_format_id(self.config.as_ref(), format)?;
                if self.life.users() > 0 {
                    return Err(EvError::Busy);
                }
                format.release()?;
                self.life.transition(ProfileState::Offline)
            }
            ProfileState::Offline => Err(EvError::IllegalTransition),
        }
    }

    /// OFFLINE → ONLINE: `format` must be the named profile and ONLINE; the
    /// configuration is checked against it again; an EXPLICIT profile must
    /// be populated; AUTO and GENERATED profiles generate their EVs from
    /// `seed`. Takes a use of `format`.
    pub fn set_online(&mut self, format: &mut EvFormatProfile, seed: u64) -> Result<(), EvError> {
        if self.life.state() != ProfileState::Offline {
            return Err(EvError::IllegalTransition);
        }
        let (config, _) = self.config.as_ref().ok_or(EvError::NotConfigured)?;
        let config = *config;
        let layout = validate(&config, format)?;
        if format.state() != ProfileState::Online {
            return Err(EvError::FormatNotOnline);
        }
        let count = config.ev_count;
        let evs = self
            .evs
            .get_mut(..usize::from(count))
            .ok_or(EvError::StorageTooSmall)?;
        let range = match config.mode {
            EvProfileMode::Explicit if !self.populated => return Err(EvError::NotPopulated),
            EvProfileMode::Explicit => None,
            EvProfileMode::Auto => Some(EvRange::Full),
            EvProfileMode::Generated => Some(EvRange::Configured),
        };
        match range {
            Some(range) => {
                for (index, slot) in (0..count).zip(evs.iter_mut()) {
                    *slot = layout.generate(range, seed, index, count)?;
                }
            }
            None => {
                for ev in evs.iter() {
                    layout.expand(ev)?;
                }
            }
        }
        format.acquire()?;
        self.config = Some((config, layout));
        self.life.transition(ProfileState::Online)
    }

    /// OFFLINE → INIT: forgets the configuration and the EVs.
    pub fn set_init(&mut self) -> Result<(), EvError> {
        self.life.transition(ProfileState::Init)?;
        self.config = None;
        self.populated = false;
        Ok(())
    }

    /// Records a live connection using this ONLINE profile.
    pub fn acquire(&mut self) -> Result<(), EvError> {
        self.life.acquire()
    }

    /// Records that a live connection stopped using this profile.
    pub fn release(&mut self) -> Result<(), EvError> {
        self.life.release()
    }

    /// The EV array of an ONLINE profile (`ev_count` EVs).
    pub fn evs(&self) -> Result<&[Ev], EvError> {
        if self.life.state() != ProfileState::Online {
            return Err(EvError::NotOnline);
        }
        let (config, _) = self.config.as_ref().ok_or(EvError::NotConfigured)?;
        self.evs
            .get(..usize::from(config.ev_count))
            .ok_or(EvError::StorageTooSmall)
    }

    /// The EV array as it stands, for a controller to read back: the
    /// `ev_count` EVs of an ONLINE profile, or those supplied to an
    /// EXPLICIT profile that is not ONLINE yet; `None` otherwise.
    pub fn ev_array(&self) -> Option<&[Ev]> {
        let (config, _) = self.config.as_ref()?;
        if self.life.state() != ProfileState::Online && !self.populated {
            return None;
        }
        self.evs.get(..usize::from(config.ev_count))
    }

    /// EV `index` of an ONLINE profile, expanded for the wire.
    pub fn wire_ev(&self, index: u16) -> Result<WireEv, EvError> {
        let ev = self
            .evs()?
            .get(usize::from(index))
            .ok_or(EvError::ValueOutOfRange)?;
        let (_, layout) = self.config.as_ref().ok_or(EvError::NotConfigured)?;
        layout.expand(ev)
    }
}

fn check_format_id(
    config: Option<&(EvProfileConfig, EvLayout)>,
    format: &EvFormatProfile,
) -> Result<(), EvError> {
    let (config, _) = config.ok_or(EvError::NotConfigured)?;
    if config.format_id != format.id() {
        return Err(EvError::FormatMismatch);
    }
    Ok(())
}

fn validate(config: &EvProfileConfig, format: &EvFormatProfile) -> Result<EvLayout, EvError> {
    if config.format_id != format.id() {
        return Err(EvError::FormatMismatch);
    }
    config.validate(format.format().ok_or(EvError::NotConfigured)?)
}
