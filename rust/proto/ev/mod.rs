//! The EV model: format profiles (how an EV sits on the wire), EV profiles
//! (which EVs a connection uses), the profile state machine, EV expansion
//! and generation, and the mapping of an expanded EV onto header fields.
//!
//! No heap: profiles are fixed-size (at most [`MAX_FIELDS`] fields of at
//! most [`MAX_FIELD_WIDTH`] bits; an [`EvLayout`] is under 680 bytes, an
//! [`EvProfile`] under 1.4 KiB, meant for kernel heap memory, not the
//! stack), and an EV profile's array of up to [`MAX_EVS`] EVs lives in
//! caller storage.

mod bits;
mod error;
mod ev_profile;
mod ev_profile_config;
mod format;
mod format_profile;
mod generate;
mod layout;
mod lifecycle;
mod value;

#[cfg(test)]
mod tests;

pub use error::EvError;
pub use ev_profile::EvProfile;
pub use ev_profile_config::{
    EvProfileConfig, EvProfileMode, EV_EVENT_ALL, EV_EVENT_ASSUMED_BAD, EV_EVENT_GOOD,
};
pub use format::{EvFormat, EvFormatMode};
pub use format_profile::EvFormatProfile;
pub use generate::EvRange;
pub use layout::{EvField, EvLayout};
pub use lifecycle::{Lifecycle, ProfileState};
pub use value::{stev_split, Ev, EvSteering, WireEv};

/// Most fields in a format or EV profile.
pub const MAX_FIELDS: usize = 16;
/// Widest field, in bits (field values are 64-bit integers).
pub const MAX_FIELD_WIDTH: u32 = 64;
/// Bytes in an EV and in an expanded EV (256 bits).
pub const EV_BYTES: usize = 32;
/// Most EVs per EV profile (EV indexes fit the 16-bit wire field).
pub const MAX_EVS: usize = 256;
