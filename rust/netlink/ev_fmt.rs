//! `ev-fmt-*`: EV format profiles (a mode and the field widths of the
//! on-wire EV), created INIT, configured, and moved along the profile
//! state machine; an ONLINE format is used by the ONLINE EV profiles that
//! name it.

use super::attr::Name;
use super::profile::{self, Kind};
use super::state;
use crate::control::{Control, Profiles, MAX_EV_FMT_PROFILES};
use crate::ffi::bindings;
use crate::ffi::errno;
use crate::ffi::genl::{Attrs, Message, Refusal, Request};
use crate::proto::ev::{
    EvError, EvFormat, EvFormatMode, EvFormatProfile, ProfileState, MAX_FIELDS,
};
use kernel::error::code;
use kernel::prelude::*;
use kernel::rbtree::RBTree;

pub(crate) const ID: Name = Name::new(bindings::MRC_A_EV_FMT_ID, "id");
const STATE: Name = Name::new(bindings::MRC_A_EV_FMT_STATE, "state");
const MODE: Name = Name::new(bindings::MRC_A_EV_FMT_MODE, "mode");
const FIELD_WIDTH: Name = Name::new(bindings::MRC_A_EV_FMT_FIELD_WIDTH, "field-width");
const USERS: Name = Name::new(bindings::MRC_A_EV_FMT_USERS, "users");

/// The modes the datapath can put on the wire (SRv6 with an SRH it cannot
/// yet), as `dev-get` reports them.
pub(crate) const SUPPORTED_MODES: [u32; 3] = [
    bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_UDP,
    bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_STEV,
    bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_SRV6,
];

fn mode_from_uapi(mode: u32) -> Option<EvFormatMode> {
    match mode {
        bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_UDP => Some(EvFormatMode::Udp),
        bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_STEV => Some(EvFormatMode::Stev),
        bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_SRV6 => Some(EvFormatMode::Srv6),
        bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_SRV6_SRH => Some(EvFormatMode::Srv6Srh),
        _ => None,
    }
}

fn mode_to_uapi(mode: EvFormatMode) -> u32 {
    match mode {
        EvFormatMode::Udp => bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_UDP,
        EvFormatMode::Stev => bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_STEV,
        EvFormatMode::Srv6 => bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_SRV6,
        EvFormatMode::Srv6Srh => bindings::mrc_ev_fmt_mode::MRC_EV_FMT_MODE_SRV6_SRH,
    }
}

/// The format a new or set request gives, completed from `current` (a set
/// may change the mode or the widths alone); `None` if it gives neither.
fn requested<'a>(
    attrs: Attrs<'a>,
    current: Option<&EvFormat>,
) -> Result<Option<EvFormat>, Refusal<'a>> {
    let mode = match MODE.u32(attrs)? {
        Some(m) if SUPPORTED_MODES.contains(&m) => mode_from_uapi(m),
        Some(_) => {
            return Err(MODE.refuse(errno::eopnotsupp(), attrs, "not supported by this datapath"))
        }
        None => None,
    };
    let mut widths = [0u8; MAX_FIELDS];
    let mut count = 0;
    for at in attrs.all(FIELD_WIDTH.ty) {
        let width = FIELD_WIDTH.u32_at(at)?;
        let slot = widths.get_mut(count).ok_or_else(|| {
            FIELD_WIDTH.refuse_at(code::EINVAL, Some(at), "a format has at most 16 fields")
        })?;
        *slot = u8::try_from(width)
            .map_err(|_| FIELD_WIDTH.refuse_at(code::EINVAL, Some(at), "widths are 1..=64 bits"))?;
        count = count.saturating_add(1);
    }
    let widths = widths.get(..count).unwrap_or(&[]);
    let (mode, widths) = match (mode, count, current) {
        (None, 0, _) => return Ok(None),
        (Some(mode), 0, Some(f)) => (mode, f.widths()),
        (None, _, Some(f)) => (f.mode(), widths),
        (Some(mode), 1.., _) => (mode, widths),
        (Some(_), 0, None) => return Err(FIELD_WIDTH.missing()),
        (None, _, None) => return Err(MODE.missing()),
    };
    EvFormat::new(mode, widths)
        .map(Some)
        .map_err(|e| FIELD_WIDTH.refuse(code::EINVAL, attrs, e.rule()))
}

fn fill(msg: &mut Message<'_>, profile: &EvFormatProfile) -> Result {
    msg.put_u64(ID.ty, profile.id())?;
    msg.put_u32(STATE.ty, state::to_uapi(profile.state()))?;
    if let Some(format) = profile.format() {
        msg.put_u32(MODE.ty, mode_to_uapi(format.mode()))?;
        for &width in format.widths() {
            msg.put_u32(FIELD_WIDTH.ty, u32::from(width))?;
        }
    }
    msg.put_u32(USERS.ty, profile.users())
}

/// `ev-fmt-new`.
pub(crate) fn new<'a>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let id = ID.required_u64(attrs)?;
    let format = requested(attrs, None)?;
    let mut profiles = control.profiles();
    profile::vacancy::<EvFmts>(&profiles, id, attrs)?;
    let mut profile = EvFormatProfile::new(id);
    if let Some(format) = format {
        profile
            .configure(format)
            .map_err(|e| MODE.refuse(state::errno(e), attrs, e.rule()))?;
    }
    profiles
        .ev_fmts
        .try_create_and_insert(id, profile, GFP_KERNEL)?;
    Ok(())
}

/// `ev-fmt-set`: a new format (not while ONLINE), or a state change.
pub(crate) fn set<'a>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let to = state::requested(&STATE, attrs, &ID)?;
    let mut profiles = control.profiles();
    let profile = profile::find_mut::<EvFmts>(&mut profiles, attrs)?;
    if let Some(to) = to {
        return profile.set_state(to).map_err(|e| match e {
            EvError::Busy => STATE.refuse(code::EBUSY, attrs, "ONLINE EV profiles use the format"),
            _ => STATE.refuse(state::errno(e), attrs, e.rule()),
        });
    }
    let format = requested(attrs, profile.format())?
        .ok_or_else(|| MODE.refuse(code::EINVAL, attrs, "nothing to change"))?;
    profile.configure(format).map_err(|e| {
        let named = if MODE.given(attrs) { MODE } else { FIELD_WIDTH };
        named.refuse(state::errno(e), attrs, e.rule())
    })
}

/// EV format profiles, for the requests all kinds share.
pub(super) struct EvFmts;

// A deliberate twin of the other kinds' `impl Kind` (ev_profile.rs,
// cc_profile.rs): each holds only its kind's data; the requests around it are
// written once, in profile.rs.
impl Kind for EvFmts {
    type Stored = EvFormatProfile;
    const ID: Name = ID;
    const GET: u32 = bindings::MRC_CMD_EV_FMT_GET;
    const REPLY_SIZE: usize = 256;
    const MAX: usize = MAX_EV_FMT_PROFILES;
    const UNKNOWN: &'static str = "no EV format profile has this id";
    const TAKEN: &'static str = "an EV format profile has this id";
    const FULL: &'static str = "the namespace has 64 EV format profiles";

    fn table(profiles: &Profiles) -> &RBTree<u64, EvFormatProfile> {
        &profiles.ev_fmts
    }

    fn table_mut(profiles: &mut Profiles) -> &mut RBTree<u64, EvFormatProfile> {
        &mut profiles.ev_fmts
    }

    fn state(profile: &EvFormatProfile) -> ProfileState {
        profile.state()
    }

    fn fill(msg: &mut Message<'_>, profile: &EvFormatProfile) -> Result {
        fill(msg, profile)
    }
}
