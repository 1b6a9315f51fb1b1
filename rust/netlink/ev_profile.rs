//! `ev-profile-*`: EV profiles (mode, format, EV count and floor, event
//! mask, fields, and an EXPLICIT profile's EVs), with every rule of the
//! protocol core checked before anything changes, so that a request is
//! applied whole or refused whole.

use super::attr::Name;
use super::profile::{self, Kind};
use super::state;
use crate::control::{Control, Profiles, StoredEvProfile, MAX_EV_PROFILES};
use crate::ffi::bindings;
use crate::ffi::genl::{Attr, Attrs, Message, Refusal, Request};
use crate::ffi::random;
use crate::proto::ev::{
    Ev, EvError, EvField, EvFormat, EvProfileConfig, EvProfileMode, ProfileState, EV_BYTES,
    EV_EVENT_ALL, MAX_EVS, MAX_FIELDS,
};
use kernel::error::code;
use kernel::prelude::*;
use kernel::rbtree::RBTree;

const ID: Name = Name::new(bindings::MRC_A_EV_PROFILE_ID, "id");
const STATE: Name = Name::new(bindings::MRC_A_EV_PROFILE_STATE, "state");
const MODE: Name = Name::new(bindings::MRC_A_EV_PROFILE_MODE, "mode");
const FMT_ID: Name = Name::new(bindings::MRC_A_EV_PROFILE_FMT_ID, "fmt-id");
const EV_COUNT: Name = Name::new(bindings::MRC_A_EV_PROFILE_EV_COUNT, "ev-count");
const EV_MIN_ACTIVE: Name = Name::new(bindings::MRC_A_EV_PROFILE_EV_MIN_ACTIVE, "ev-min-active");
const EV_EVENT_MASK: Name = Name::new(bindings::MRC_A_EV_PROFILE_EV_EVENT_MASK, "ev-event-mask");
const FIELD: Name = Name::new(bindings::MRC_A_EV_PROFILE_FIELD, "field");
const EV: Name = Name::new(bindings::MRC_A_EV_PROFILE_EV, "ev");
const USERS: Name = Name::new(bindings::MRC_A_EV_PROFILE_USERS, "users");
const EV_ARRAY_MAX: Name = Name::new(bindings::MRC_A_EV_PROFILE_EV_ARRAY_MAX, "ev-array-max");

const F_WIDTH: Name = Name::new(bindings::MRC_A_EV_FIELD_WIDTH, "width");
const F_INIT: Name = Name::new(bindings::MRC_A_EV_FIELD_INIT_VAL, "init-val");
const F_MIN: Name = Name::new(bindings::MRC_A_EV_FIELD_MIN_VAL, "min-val");
const F_MAX: Name = Name::new(bindings::MRC_A_EV_FIELD_MAX_VAL, "max-val");
const F_MASK: Name = Name::new(bindings::MRC_A_EV_FIELD_MASK, "mask");

/// Attributes that change the configuration (as opposed to the live-
/// changeable floor and event mask).
const CONFIG: [Name; 4] = [MODE, FMT_ID, EV_COUNT, FIELD];

/// Room for a reply without EVs (16 fields of five attributes and the rest).
const REPLY_SIZE: usize = 2048;

fn mode_from_uapi(mode: u32) -> Option<EvProfileMode> {
    match mode {
        bindings::mrc_ev_profile_mode::MRC_EV_PROFILE_MODE_AUTO => Some(EvProfileMode::Auto),
        bindings::mrc_ev_profile_mode::MRC_EV_PROFILE_MODE_EXPLICIT => {
            Some(EvProfileMode::Explicit)
        }
        bindings::mrc_ev_profile_mode::MRC_EV_PROFILE_MODE_GENERATED => {
            Some(EvProfileMode::Generated)
        }
        _ => None,
    }
}

fn mode_to_uapi(mode: EvProfileMode) -> u32 {
    match mode {
        EvProfileMode::Auto => bindings::mrc_ev_profile_mode::MRC_EV_PROFILE_MODE_AUTO,
        EvProfileMode::Explicit => bindings::mrc_ev_profile_mode::MRC_EV_PROFILE_MODE_EXPLICIT,
        EvProfileMode::Generated => bindings::mrc_ev_profile_mode::MRC_EV_PROFILE_MODE_GENERATED,
    }
}

/// The attribute an EV model rule is about.
fn named(e: EvError) -> Name {
    match e {
        EvError::BadEvCount | EvError::StorageTooSmall | EvError::GeneratedSpaceTooSmall => {
            EV_COUNT
        }
        EvError::MinActiveAboveCount => EV_MIN_ACTIVE,
        EvError::BadEventMask => EV_EVENT_MASK,
        EvError::FormatMismatch | EvError::FormatNotOnline => FMT_ID,
        EvError::StrayEvBits | EvError::EvCountMismatch | EvError::NotExplicit => EV,
        EvError::NotPopulated | EvError::IllegalTransition | EvError::NotConfigured => STATE,
        EvError::Busy | EvError::ChangeWhileOnline | EvError::NotOnline | EvError::NotInUse => {
            STATE
        }
        _ => FIELD,
    }
}

fn refuse<'a>(attrs: Attrs<'a>, e: EvError) -> Refusal<'a> {
    named(e).refuse(state::errno(e), attrs, e.rule())
}

/// One `field` nest: `width` required, the others 0 by default.
fn field<'a>(at: Attr<'a>) -> Result<EvField, Refusal<'a>> {
    let nested = at.nested();
    let width = F_WIDTH
        .u32(nested)?
        .ok_or_else(|| FIELD.refuse_at(code::EINVAL, Some(at), "width missing"))?;
    let value = |name: Name| name.u64(nested).map(Option::unwrap_or_default);
    Ok(EvField {
        width: u8::try_from(width)
            .map_err(|_| FIELD.refuse_at(code::EINVAL, Some(at), "widths are 1..=64 bits"))?,
        init_val: value(F_INIT)?,
        min_val: value(F_MIN)?,
        max_val: value(F_MAX)?,
        mask: value(F_MASK)?,
    })
}

/// The configuration a new or set request gives (completed from the
/// profile's current one), checked against its format profile with each
/// field's rules reported at that field; `None` if it changes nothing.
fn requested_config<'a>(
    attrs: Attrs<'a>,
    profiles: &Profiles,
    current: Option<&EvProfileConfig>,
) -> Result<Option<(EvProfileConfig, EvFormat)>, Refusal<'a>> {
    let changes = CONFIG.iter().any(|n| n.given(attrs));
    let live = EV_MIN_ACTIVE.given(attrs) || EV_EVENT_MASK.given(attrs);
    if !changes && (!live || current.is_some()) {
        return Ok(None);
    }
    let mode = match MODE.u32(attrs)? {
        Some(m) => {
            mode_from_uapi(m).ok_or_else(|| MODE.refuse(code::EINVAL, attrs, "unknown mode"))?
        }
        None => current.map(|c| c.mode).ok_or_else(|| MODE.missing())?,
    };
    let fmt_id = match FMT_ID.u64(attrs)? {
        Some(id) => id,
        None => current
            .map(|c| c.format_id)
            .ok_or_else(|| FMT_ID.missing())?,
    };
    let ev_count = match EV_COUNT.u32(attrs)? {
        Some(n) => u16::try_from(n)
            .map_err(|_| EV_COUNT.refuse(code::EINVAL, attrs, EvError::BadEvCount.rule()))?,
        None => current
            .map(|c| c.ev_count)
            .ok_or_else(|| EV_COUNT.missing())?,
    };
    let format = profiles
        .ev_fmts
        .get(&fmt_id)
        .ok_or_else(|| FMT_ID.refuse(code::ENOENT, attrs, "no EV format profile has this id"))?;
    let format = *format.format().ok_or_else(|| {
        FMT_ID.refuse(
            code::EINVAL,
            attrs,
            "the EV format profile is not configured",
        )
    })?;
    let mut fields = [EvField::default(); MAX_FIELDS];
    let mut count = 0;
    if FIELD.given(attrs) {
        for at in attrs.all(FIELD.ty) {
            let f = field(at)?;
            let width = format.widths().get(count).copied();
            let rule = match width {
                None => Err(EvError::TooManyFields),
                Some(w) if f.width > w => Err(EvError::FieldWiderThanFormatField),
                Some(_) => f.validate(),
            };
            rule.map_err(|e| {
                FIELD.refuse_at(
                    code::EINVAL,
                    Some(at),
                    format_args!("{count}: {}", e.rule()),
                )
            })?;
            // `count` < the format's field count ≤ MAX_FIELDS here.
            if let Some(slot) = fields.get_mut(count) {
                *slot = f;
            }
            count = count.saturating_add(1);
        }
    } else if let Some(c) = current {
        for (slot, f) in fields.iter_mut().zip(c.fields()) {
            *slot = *f;
            count = count.saturating_add(1);
        }
    }
    let mut config = EvProfileConfig::new(mode, fmt_id, fields.get(..count).unwrap_or(&[]))
        .map_err(|e| refuse(attrs, e))?;
    config.ev_count = ev_count;
    let min_active = EV_MIN_ACTIVE.u32(attrs)?.map(u16::try_from);
    config.ev_min_active = match min_active {
        Some(Ok(n)) => n,
        Some(Err(_)) => return Err(refuse(attrs, EvError::MinActiveAboveCount)),
        None => current.map_or(0, |c| c.ev_min_active),
    };
    config.ev_event_mask = match EV_EVENT_MASK.u32(attrs)? {
        Some(m) => m,
        None => current.map_or(0, |c| c.ev_event_mask),
    };
    config.validate(&format).map_err(|e| refuse(attrs, e))?;
    Ok(Some((config, format)))
}

/// The EVs a request supplies, each checked against `config` and `format`
/// (reported at the offending EV); `None` if it supplies none.
fn requested_evs<'a>(
    attrs: Attrs<'a>,
    config: Option<&(EvProfileConfig, EvFormat)>,
) -> Result<Option<KVec<Ev>>, Refusal<'a>> {
    if !EV.given(attrs) {
        return Ok(None);
    }
    let Some((config, format)) = config else {
        return Err(EV.refuse(code::EINVAL, attrs, EvError::NotConfigured.rule()));
    };
    if config.mode != EvProfileMode::Explicit {
        return Err(refuse(attrs, EvError::NotExplicit));
    }
    let layout = config.validate(format).map_err(|e| refuse(attrs, e))?;
    let mut evs = KVec::with_capacity(MAX_EVS, GFP_KERNEL)?;
    for (i, at) in attrs.all(EV.ty).enumerate() {
        let ev = <[u8; EV_BYTES]>::try_from(at.payload())
            .map(Ev)
            .map_err(|_| EV.refuse_at(code::EINVAL, Some(at), "an EV is 32 bytes"))?;
        if i >= usize::from(config.ev_count) {
            return Err(EV.refuse_at(
                code::EINVAL,
                Some(at),
                format_args!("more EVs than ev-count ({})", config.ev_count),
            ));
        }
        layout
            .expand(&ev)
            .map_err(|e| EV.refuse_at(code::EINVAL, Some(at), format_args!("{i}: {}", e.rule())))?;
        evs.push(ev, GFP_KERNEL)?;
    }
    if evs.len() != usize::from(config.ev_count) {
        return Err(EV.refuse(
            code::EINVAL,
            attrs,
            format_args!("{} EVs given, ev-count is {}", evs.len(), config.ev_count),
        ));
    }
    Ok(Some(evs))
}

/// The floor and event mask a set request changes alone (allowed in
/// every state), completed from `current`.
fn requested_live<'a>(
    attrs: Attrs<'a>,
    current: &EvProfileConfig,
) -> Result<(u16, u32), Refusal<'a>> {
    let min_active = match EV_MIN_ACTIVE.u32(attrs)? {
        Some(n) => u16::try_from(n).unwrap_or(u16::MAX),
        None => current.ev_min_active,
    };
    if min_active > current.ev_count {
        return Err(refuse(attrs, EvError::MinActiveAboveCount));
    }
    let mask = EV_EVENT_MASK.u32(attrs)?.unwrap_or(current.ev_event_mask);
    if mask & !EV_EVENT_ALL != 0 {
        return Err(refuse(attrs, EvError::BadEventMask));
    }
    Ok((min_active, mask))
}

/// Applies a new or set request's configuration, floor, event mask and
/// EVs to profile `id`. Everything is checked first, so a request is
/// applied whole or not at all.
fn change<'a>(attrs: Attrs<'a>, profiles: &mut Profiles, id: u64) -> Result<(), Refusal<'a>> {
    let current = profiles
        .ev_profiles
        .get(&id)
        .ok_or_else(|| ID.refuse(code::ENOENT, attrs, "no EV profile has this id"))?
        .config()
        .copied();
    let config = requested_config(attrs, profiles, current.as_ref())?;
    let live = match (config, current) {
        (None, Some(c)) if EV_MIN_ACTIVE.given(attrs) || EV_EVENT_MASK.given(attrs) => {
            Some(requested_live(attrs, &c)?)
        }
        _ => None,
    };
    let effective = config.or_else(|| {
        let c = current?;
        Some((c, *profiles.ev_fmts.get(&c.format_id)?.format()?))
    });
    let evs = requested_evs(attrs, effective.as_ref())?;
    let format = config.and_then(|(c, _)| profiles.ev_fmts.get(&c.format_id).copied());
    let profile = profiles
        .ev_profiles
        .get_mut(&id)
        .ok_or_else(|| ID.refuse(code::ENOENT, attrs, "no EV profile has this id"))?;
    if let (Some((config, _)), Some(format)) = (config, format) {
        profile
            .configure(config, &format)
            .map_err(|e| refuse(attrs, e))?;
    }
    if let Some((min_active, mask)) = live {
        profile
            .set_min_active(min_active)
            .map_err(|e| refuse(attrs, e))?;
        profile.set_event_mask(mask).map_err(|e| refuse(attrs, e))?;
    }
    if let Some(evs) = evs {
        profile.populate(&evs).map_err(|e| refuse(attrs, e))?;
        profile.denied.clear();
    }
    Ok(())
}

/// Moves profile `id` to `to`; OFFLINE and ONLINE involve its format
/// profile (checked again, and counted as used while ONLINE).
fn transition<'a>(
    attrs: Attrs<'a>,
    profiles: &mut Profiles,
    id: u64,
    to: ProfileState,
) -> Result<(), Refusal<'a>> {
    let Profiles {
        ev_fmts,
        ev_profiles,
        ..
    } = profiles;
    let profile = ev_profiles
        .get_mut(&id)
        .ok_or_else(|| ID.refuse(code::ENOENT, attrs, "no EV profile has this id"))?;
    if to == ProfileState::Init {
        profile.set_init().map_err(|e| refuse(attrs, e))?;
        profile.denied.clear();
        return Ok(());
    }
    let fmt_id = profile
        .config()
        .map(|c| c.format_id)
        .ok_or_else(|| refuse(attrs, EvError::NotConfigured))?;
    let format = ev_fmts
        .get_mut(&fmt_id)
        .ok_or_else(|| FMT_ID.refuse(code::ENOENT, attrs, "no EV format profile has this id"))?;
    let moved = if to == ProfileState::Online {
        profile.set_online(format, u64::from(random::u32()))
    } else {
        profile.set_offline(format)
    };
    moved.map_err(|e| refuse(attrs, e))
}

fn fill(msg: &mut Message<'_>, profile: &StoredEvProfile, evs: bool) -> Result {
    msg.put_u64(ID.ty, profile.id())?;
    msg.put_u32(STATE.ty, state::to_uapi(profile.state()))?;
    msg.put_u32(USERS.ty, profile.users())?;
    if let Some(c) = profile.config() {
        msg.put_u32(MODE.ty, mode_to_uapi(c.mode))?;
        msg.put_u64(FMT_ID.ty, c.format_id)?;
        msg.put_u32(EV_COUNT.ty, u32::from(c.ev_count))?;
        msg.put_u32(EV_MIN_ACTIVE.ty, u32::from(c.ev_min_active))?;
        msg.put_u32(EV_EVENT_MASK.ty, c.ev_event_mask)?;
        for f in c.fields() {
            msg.nest(FIELD.ty, |m| {
                m.put_u32(F_WIDTH.ty, u32::from(f.width))?;
                m.put_u64(F_INIT.ty, f.init_val)?;
                m.put_u64(F_MIN.ty, f.min_val)?;
                m.put_u64(F_MAX.ty, f.max_val)?;
                m.put_u64(F_MASK.ty, f.mask)
            })?;
        }
    }
    if evs {
        for ev in profile.ev_array().unwrap_or(&[]) {
            msg.put(EV.ty, &ev.0)?;
        }
    }
    Ok(())
}

/// `ev-profile-new`: created INIT, with the configuration and EVs given.
pub(crate) fn new<'a>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let id = ID.required_u64(attrs)?;
    let mut profiles = control.profiles();
    profile::vacancy::<EvProfiles>(&profiles, id, attrs)?;
    profiles
        .ev_profiles
        .try_create_and_insert(id, StoredEvProfile::new(id)?, GFP_KERNEL)?;
    change(attrs, &mut profiles, id).inspect_err(|_| {
        profiles.ev_profiles.remove(&id);
    })
}

/// `ev-profile-set`: a change of configuration or EVs, or of state.
pub(crate) fn set<'a>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let id = ID.required_u64(attrs)?;
    let to = state::requested(&STATE, attrs, &ID)?;
    let mut profiles = control.profiles();
    match to {
        Some(to) => transition(attrs, &mut profiles, id, to),
        None if attrs.count() > 1 => change(attrs, &mut profiles, id),
        None => Err(MODE.refuse(code::EINVAL, attrs, "nothing to change")),
    }
}

/// `ev-profile-get` (do): with the EVs, unless more than `ev-array-max`.
pub(crate) fn get<'a>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let max = EV_ARRAY_MAX.u32(attrs)?;
    let profiles = control.profiles();
    let profile = profile::find::<EvProfiles>(&profiles, attrs)?;
    let evs = profile.ev_array().map_or(0, <[Ev]>::len);
    if max.is_some_and(|max| evs > max as usize) {
        return Err(EV_ARRAY_MAX.refuse(
            code::E2BIG,
            attrs,
            format_args!("the profile has {evs} EVs"),
        ));
    }
    let size = REPLY_SIZE.saturating_add(evs.saturating_mul(4 + EV_BYTES));
    Ok(req.reply(bindings::MRC_CMD_EV_PROFILE_GET, size, |msg| {
        fill(msg, profile, true)
    })?)
}

/// EV profiles, for the requests all kinds share.
pub(super) struct EvProfiles;

// A deliberate twin of the other kinds' `impl Kind` (ev_fmt.rs, cc_profile.rs):
// each holds only its kind's data; the requests around it are written once, in
// profile.rs.
impl Kind for EvProfiles {
    type Stored = StoredEvProfile;
    const ID: Name = ID;
    const GET: u32 = bindings::MRC_CMD_EV_PROFILE_GET;
    const REPLY_SIZE: usize = REPLY_SIZE;
    const MAX: usize = MAX_EV_PROFILES;
    const UNKNOWN: &'static str = "no EV profile has this id";
    const TAKEN: &'static str = "an EV profile has this id";
    const FULL: &'static str = "the namespace has 64 EV profiles";

    fn table(profiles: &Profiles) -> &RBTree<u64, StoredEvProfile> {
        &profiles.ev_profiles
    }

    fn table_mut(profiles: &mut Profiles) -> &mut RBTree<u64, StoredEvProfile> {
        &mut profiles.ev_profiles
    }

    fn state(profile: &StoredEvProfile) -> ProfileState {
        profile.state()
    }

    /// Without the EVs: a dump lists profiles, `get` shows one whole.
    fn fill(msg: &mut Message<'_>, profile: &StoredEvProfile) -> Result {
        fill(msg, profile, false)
    }
}
