//! The profile state machine shared by EV format and EV profiles:
//! INIT → OFFLINE → ONLINE → OFFLINE → INIT, with an in-use counter of
//! the live users (connections, or EV profiles for a format) that keeps an
//! ONLINE profile from going away under them.

use super::EvError;

/// A profile's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ProfileState {
    /// Created, not usable; freely configurable.
    #[default]
    Init,
    /// Configured and validated, not usable; still configurable.
    Offline,
    /// Usable by connections; changes are limited.
    Online,
}

/// A profile's state and its count of live users.
///
/// # Invariants
/// `users` is 0 unless `state` is ONLINE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Lifecycle {
    state: ProfileState,
    users: u32,
}

impl Lifecycle {
    /// A new profile: INIT, unused.
    pub const fn new() -> Lifecycle {
        Lifecycle {
            state: ProfileState::Init,
            users: 0,
        }
    }

    /// The current state.
    pub const fn state(&self) -> ProfileState {
        self.state
    }

    /// The number of live users.
    pub const fn users(&self) -> u32 {
        self.users
    }

    /// Moves to `to`: only INIT→OFFLINE, OFFLINE→ONLINE, ONLINE→OFFLINE
    /// (refused with [`EvError::Busy`] while in use) and OFFLINE→INIT.
    pub fn transition(&mut self, to: ProfileState) -> Result<(), EvError> {
        use ProfileState::{Init, Offline, Online};
        match (self.state, to) {
            (Init, Offline) | (Offline, Online) | (Offline, Init) => {}
            (Online, Offline) if self.users > 0 => return Err(EvError::Busy),
            (Online, Offline) => {}
            _ => return Err(EvError::IllegalTransition),
        }
        self.state = to;
        Ok(())
    }

    /// Checks that a configuration change that live users would notice is
    /// allowed: [`EvError::Busy`] if in use, [`EvError::ChangeWhileOnline`]
    /// if ONLINE.
    pub fn check_reconfigure(&self) -> Result<(), EvError> {
        if self.users > 0 {
            Err(EvError::Busy)
        } else if self.state == ProfileState::Online {
            Err(EvError::ChangeWhileOnline)
        } else {
            Ok(())
        }
    }

    /// Records one more live user; the profile must be ONLINE.
    pub fn acquire(&mut self) -> Result<(), EvError> {
        if self.state != ProfileState::Online {
            return Err(EvError::NotOnline);
        }
        self.users = self.users.checked_add(1).ok_or(EvError::Busy)?;
        Ok(())
    }

    /// Records that a live user is gone.
    pub fn release(&mut self) -> Result<(), EvError> {
        self.users = self.users.checked_sub(1).ok_or(EvError::NotInUse)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProfileState::{Init, Offline, Online};

    #[test]
    fn the_legal_cycle() {
        let mut life = Lifecycle::new();
        for to in [Offline, Online, Offline, Init, Offline] {
            assert_eq!(life.transition(to), Ok(()));
            assert_eq!(life.state(), to);
        }
    }

    #[test]
    fn illegal_transitions_are_refused() {
        let mut life = Lifecycle::new();
        assert_eq!(life.transition(Online), Err(EvError::IllegalTransition));
        assert_eq!(life.transition(Init), Err(EvError::IllegalTransition));
        life.transition(Offline).unwrap();
        assert_eq!(life.transition(Offline), Err(EvError::IllegalTransition));
        life.transition(Online).unwrap();
        assert_eq!(life.transition(Init), Err(EvError::IllegalTransition));
        assert_eq!(life.transition(Online), Err(EvError::IllegalTransition));
        assert_eq!(life.state(), Online);
    }

    #[test]
    fn in_use_profiles_are_busy() {
        let mut life = Lifecycle::new();
        assert_eq!(life.acquire(), Err(EvError::NotOnline));
        life.transition(Offline).unwrap();
        assert_eq!(life.check_reconfigure(), Ok(()));
        life.transition(Online).unwrap();
        assert_eq!(life.check_reconfigure(), Err(EvError::ChangeWhileOnline));
        life.acquire().unwrap();
        assert_eq!(life.users(), 1);
        assert_eq!(life.check_reconfigure(), Err(EvError::Busy));
        assert_eq!(life.transition(Offline), Err(EvError::Busy));
        life.release().unwrap();
        assert_eq!(life.release(), Err(EvError::NotInUse));
        assert_eq!(life.transition(Offline), Ok(()));
    }
}
