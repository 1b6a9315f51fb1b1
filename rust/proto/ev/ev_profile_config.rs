//! EV profile configuration: mode, format, EV count and floor, event mask
//! and the EV fields, with every validation rule (Documentation/protocol.rst,
//! "EV profiles"; the list: Documentation/ev-model.rst, "Validation rules").

use super::{EvError, EvField, EvFormat, EvLayout, EvRange, MAX_EVS, MAX_FIELDS};

/// Event mask bit: report GOOD → ASSUMED_BAD transitions.
pub const EV_EVENT_ASSUMED_BAD: u32 = 1 << 0;
/// Event mask bit: report ASSUMED_BAD → GOOD transitions.
pub const EV_EVENT_GOOD: u32 = 1 << 1;
/// Every defined event mask bit.
pub const EV_EVENT_ALL: u32 = EV_EVENT_ASSUMED_BAD | EV_EVENT_GOOD;

/// How a profile's EVs are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvProfileMode {
    /// The stack picks EVs itself, over every value the fields' masks allow.
    Auto,
    /// The controller supplies the EV array before ONLINE.
    Explicit,
    /// The stack generates EVs within each field's `min_val..=max_val`.
    Generated,
}

/// An EV profile's configuration (not yet checked against a format).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EvProfileConfig {
    /// How EVs are chosen.
    pub mode: EvProfileMode,
    /// Id of the EV format profile the fields pair with.
    pub format_id: u64,
    /// EVs per connection, 1..=[`MAX_EVS`].
    pub ev_count: u16,
    /// Never let the usable EVs fall below this floor (≤ `ev_count`).
    pub ev_min_active: u16,
    /// Which EV state transitions are reported ([`EV_EVENT_ALL`] bits).
    pub ev_event_mask: u32,
    fields: [EvField; MAX_FIELDS],
    field_count: u8,
}

impl EvProfileConfig {
    /// A configuration with `fields`, one EV, no floor and no events.
    pub fn new(
        mode: EvProfileMode,
        format_id: u64,
        fields: &[EvField],
    ) -> Result<EvProfileConfig, EvError> {
        let mut stored = [EvField::default(); MAX_FIELDS];
        if fields.len() > MAX_FIELDS {
            return Err(EvError::TooManyFields);
        }
        for (slot, field) in stored.iter_mut().zip(fields) {
            *slot = *field;
        }
        Ok(EvProfileConfig {
            mode,
            format_id,
            ev_count: 1,
            ev_min_active: 0,
            ev_event_mask: 0,
            fields: stored,
            field_count: u8::try_from(fields.len()).map_err(|_| EvError::TooManyFields)?,
        })
    }

    /// The EV fields.
    pub fn fields(&self) -> &[EvField] {
        self.fields
            .get(..usize::from(self.field_count))
            .unwrap_or(&[])
    }

    /// Checks every rule against `format`; returns the layout for expansion.
    pub fn validate(&self, format: &EvFormat) -> Result<EvLayout, EvError> {
        let layout = EvLayout::new(*format, self.fields())?;
        if self.ev_count == 0 || usize::from(self.ev_count) > MAX_EVS {
            return Err(EvError::BadEvCount);
        }
        check_min_active(self.ev_min_active, self.ev_count)?;
        check_event_mask(self.ev_event_mask)?;
        let range = match self.mode {
            EvProfileMode::Explicit => None,
            EvProfileMode::Auto => Some(EvRange::Full),
            EvProfileMode::Generated => Some(EvRange::Configured),
        };
        if let Some(range) = range {
            if layout.space(range) < u64::from(self.ev_count) {
                return Err(EvError::GeneratedSpaceTooSmall);
            }
        }
        Ok(layout)
    }
}

/// `ev_min_active` must not exceed `ev_count`.
pub(super) fn check_min_active(min_active: u16, count: u16) -> Result<(), EvError> {
    if min_active > count {
        Err(EvError::MinActiveAboveCount)
    } else {
        Ok(())
    }
}

/// The event mask may only hold defined bits.
pub(super) fn check_event_mask(mask: u32) -> Result<(), EvError> {
    if mask & !EV_EVENT_ALL != 0 {
        Err(EvError::BadEventMask)
    } else {
        Ok(())
    }
}
