//! `ev-set` / `ev-get`: one EV of an EV profile as the controller handles
//! it: denied or allowed (live, for every connection of the profile), an
//! EXPLICIT profile's EV replaced, values and states read back.

use super::attr::Name;
use super::state;
use crate::control::{Control, StoredEvProfile};
use crate::ffi::bindings;
use crate::ffi::genl::{Attrs, Dump, Message, Refusal, Request};
use crate::proto::ev::{Ev, EV_BYTES};
use kernel::error::code;
use kernel::prelude::*;

// A twin by shape of probe.rs's attribute names (deliberate): each command has
// its own attribute set.
const PROFILE_ID: Name = Name::new(bindings::MRC_A_PROFILE_EV_PROFILE_ID, "profile-id");
const INDEX: Name = Name::new(bindings::MRC_A_PROFILE_EV_INDEX, "index");
const STATE: Name = Name::new(bindings::MRC_A_PROFILE_EV_STATE, "state");
const VALUE: Name = Name::new(bindings::MRC_A_PROFILE_EV_VALUE, "value");

/// `linux/mrc.h`'s EV states the controller sets.
const GOOD: u32 = bindings::MRC_EV_GOOD;
const DENIED: u32 = bindings::MRC_EV_DENIED;

fn profile<'p, 'a>(
    profiles: &'p mut crate::control::Profiles,
    attrs: Attrs<'a>,
) -> Result<&'p mut StoredEvProfile, Refusal<'a>> {
    let id = PROFILE_ID.required_u64(attrs)?;
    profiles
        .ev_profiles
        .get_mut(&id)
        .ok_or_else(|| PROFILE_ID.refuse(code::ENOENT, attrs, "no EV profile has this id"))
}

/// The index a request names, within the profile's `ev_count`.
fn index<'a>(attrs: Attrs<'a>, p: &StoredEvProfile) -> Result<u16, Refusal<'a>> {
    let index = INDEX.u32(attrs)?.ok_or_else(|| INDEX.missing())?;
    let count = p.config().map_or(0, |c| u32::from(c.ev_count));
    if index >= count {
        return Err(INDEX.refuse(
            code::EINVAL,
            attrs,
            format_args!("the profile has {count} EVs"),
        ));
    }
    Ok(index as u16)
}

/// The profile and the index of the EV a request names.
fn named_ev<'p, 'a>(
    profiles: &'p mut crate::control::Profiles,
    attrs: Attrs<'a>,
) -> Result<(&'p mut StoredEvProfile, u16), Refusal<'a>> {
    let p = profile(profiles, attrs)?;
    let index = index(attrs, p)?;
    Ok((p, index))
}

fn fill(msg: &mut Message<'_>, p: &StoredEvProfile, index: u16) -> Result {
    msg.put_u64(PROFILE_ID.ty, p.id())?;
    msg.put_u32(INDEX.ty, u32::from(index))?;
    let denied = p.denied.contains(index);
    msg.put_u32(STATE.ty, if denied { DENIED } else { GOOD })?;
    let array = p.ev_array().unwrap_or(&[]);
    if let Some(ev) = array.get(usize::from(index)) {
        msg.put(VALUE.ty, &ev.0)?;
    }
    Ok(())
}

/// `ev-set`: a state (good or denied), a new value, or both.
pub(crate) fn set<'a>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let mut profiles = control.profiles();
    let (p, index) = named_ev(&mut profiles, attrs)?;
    let denied = match STATE.u32(attrs)? {
        Some(GOOD) => Some(false),
        Some(DENIED) => Some(true),
        Some(_) => {
            return Err(STATE.refuse(code::EINVAL, attrs, "the controller sets good or denied"))
        }
        None => None,
    };
    let value = match VALUE.get(attrs) {
        Some(at) => Some(Ev(<[u8; EV_BYTES]>::try_from(at.payload()).map_err(
            |_| VALUE.refuse_at(code::EINVAL, Some(at), "an EV is 32 bytes"),
        )?)),
        None => None,
    };
    if denied.is_none() && value.is_none() {
        return Err(STATE.refuse(code::EINVAL, attrs, "nothing to change (state or value)"));
    }
    if denied == Some(true) && !p.denied.contains(index) {
        // The floor holds for the controller too.
        let (count, floor) = p.config().map_or((0, 0), |c| (c.ev_count, c.ev_min_active));
        if count.saturating_sub(p.denied.count(count)) <= floor {
            return Err(STATE.refuse(
                code::EBUSY,
                attrs,
                format_args!("ev-min-active is {floor}: no EV more can be denied"),
            ));
        }
    }
    if let Some(ev) = value {
        p.replace_ev(index, ev)
            .map_err(|e| VALUE.refuse(state::errno(e), attrs, e.rule()))?;
    }
    if let Some(denied) = denied {
        p.denied.set(index, denied);
    }
    Ok(())
}

/// `ev-get` (do).
pub(crate) fn get<'a>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let mut profiles = control.profiles();
    let (p, index) = named_ev(&mut profiles, attrs)?;
    Ok(req.reply(bindings::MRC_CMD_EV_GET, 128, |msg| fill(msg, p, index))?)
}

/// `ev-get` (dump): every EV of the profile, in index order.
pub(crate) fn dump<'a>(control: &Control, dump: &mut Dump<'a>) -> Result<(), Refusal<'a>> {
    let attrs = dump.attrs();
    let mut profiles = control.profiles();
    let p = profile(&mut profiles, attrs)?;
    let count = p.config().map_or(0, |c| c.ev_count);
    // The cursor is the next index.
    for index in dump.cursor()..u64::from(count) {
        let index = index as u16;
        let next = u64::from(index) + 1;
        if !dump.entry(bindings::MRC_CMD_EV_GET, next, |msg| fill(msg, p, index))? {
            break;
        }
    }
    Ok(())
}
