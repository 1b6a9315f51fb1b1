//! The one error type of the EV model: every validation rule, every
//! illegal profile transition and every expansion failure has its own
//! variant, so a controller can be told exactly which rule it broke.

use core::fmt;

/// Why an EV format, EV profile, EV or profile transition was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvError {
    /// A format profile has no fields.
    NoFormatFields,
    /// A format profile has more than [`MAX_FIELDS`](super::MAX_FIELDS) fields.
    TooManyFormatFields,
    /// A format field width is 0 or above [`MAX_FIELD_WIDTH`](super::MAX_FIELD_WIDTH).
    BadFormatFieldWidth,
    /// The format widths add up to more than the mode carries on the wire.
    FormatTooWide,
    /// The EV profile has more fields than its format profile.
    TooManyFields,
    /// The EV field widths add up to more than the format widths.
    FieldsWiderThanFormat,
    /// An EV field width is 0 or above [`MAX_FIELD_WIDTH`](super::MAX_FIELD_WIDTH).
    BadFieldWidth,
    /// An EV field is wider than the format field it is paired with.
    FieldWiderThanFormatField,
    /// `init_val` does not fit the field width.
    InitTooWide,
    /// `mask` has bits outside the field width.
    MaskTooWide,
    /// `max_val` does not fit in popcount(`mask`) bits.
    MaxTooWide,
    /// `min_val` is above `max_val`.
    MinAboveMax,
    /// A fixed field (mask 0) has a non-zero `min_val` or `max_val`.
    FixedFieldRange,
    /// `ev_count` is 0 or above [`MAX_EVS`](super::MAX_EVS).
    BadEvCount,
    /// `ev_min_active` is above `ev_count`.
    MinActiveAboveCount,
    /// `ev_event_mask` has bits outside [`EV_EVENT_ALL`](super::EV_EVENT_ALL).
    BadEventMask,
    /// A GENERATED profile's fields allow fewer distinct EVs than `ev_count`.
    GeneratedSpaceTooSmall,
    /// An EV has bits set past those the profile's fields read.
    StrayEvBits,
    /// A field value given for packing exceeds the field's range.
    ValueOutOfRange,
    /// The profile transition is not INIT→OFFLINE, OFFLINE→ONLINE,
    /// ONLINE→OFFLINE or OFFLINE→INIT.
    IllegalTransition,
    /// Live connections use the profile: the change would break them.
    Busy,
    /// The change is not allowed while the profile is ONLINE.
    ChangeWhileOnline,
    /// Only an ONLINE profile can be used by a connection.
    NotOnline,
    /// Released more often than acquired.
    NotInUse,
    /// The EV profile has no configuration yet.
    NotConfigured,
    /// An EXPLICIT profile's EV array was not supplied before ONLINE.
    NotPopulated,
    /// EVs can only be supplied to an EXPLICIT profile.
    NotExplicit,
    /// The number of EVs supplied is not `ev_count`.
    EvCountMismatch,
    /// The format profile is not ONLINE.
    FormatNotOnline,
    /// The format profile is not the one the EV profile names.
    FormatMismatch,
    /// The caller's EV storage holds fewer than `ev_count` EVs.
    StorageTooSmall,
}

impl EvError {
    /// A one-line statement of the rule that was broken.
    pub const fn rule(self) -> &'static str {
        match self {
            EvError::NoFormatFields => "a format profile needs at least one field",
            EvError::TooManyFormatFields => "a format profile has at most 16 fields",
            EvError::BadFormatFieldWidth => "format field widths are 1..=64 bits",
            EvError::FormatTooWide => {
                "the sum of format widths exceeds the mode's on-wire EV width"
            }
            EvError::TooManyFields => "field count must not exceed the format field count",
            EvError::FieldsWiderThanFormat => {
                "the sum of field widths must not exceed the sum of format widths"
            }
            EvError::BadFieldWidth => "field widths are 1..=64 bits",
            EvError::FieldWiderThanFormatField => "a field must not be wider than its format field",
            EvError::InitTooWide => "init_val must fit the field width",
            EvError::MaskTooWide => "mask must lie within the field width",
            EvError::MaxTooWide => "max_val must fit in popcount(mask) bits",
            EvError::MinAboveMax => "min_val must not exceed max_val",
            EvError::FixedFieldRange => "a fixed field (mask 0) needs min_val = max_val = 0",
            EvError::BadEvCount => "ev_count must be 1..=256",
            EvError::MinActiveAboveCount => "ev_min_active must not exceed ev_count",
            EvError::BadEventMask => "ev_event_mask has unknown bits",
            EvError::GeneratedSpaceTooSmall => {
                "the fields' min..max ranges allow fewer EVs than ev_count"
            }
            EvError::StrayEvBits => "EV bits set past the bits the fields read",
            EvError::ValueOutOfRange => "a field value exceeds the field's range",
            EvError::IllegalTransition => {
                "profile states go INIT -> OFFLINE -> ONLINE -> OFFLINE -> INIT"
            }
            EvError::Busy => "the profile is in use by live connections",
            EvError::ChangeWhileOnline => "the change is not allowed while the profile is ONLINE",
            EvError::NotOnline => "the profile is not ONLINE",
            EvError::NotInUse => "the profile is not in use",
            EvError::NotConfigured => "the EV profile is not configured",
            EvError::NotPopulated => "an EXPLICIT profile needs its EVs before ONLINE",
            EvError::NotExplicit => "EVs can only be supplied to an EXPLICIT profile",
            EvError::EvCountMismatch => "the number of EVs supplied differs from ev_count",
            EvError::FormatNotOnline => "the format profile is not ONLINE",
            EvError::FormatMismatch => "the format profile is not the one the EV profile names",
            EvError::StorageTooSmall => "the EV storage is smaller than ev_count",
        }
    }
}

impl fmt::Display for EvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rule())
    }
}
