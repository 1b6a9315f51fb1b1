//! The profile state machine as the controller sees it: the uapi's
//! `enum mrc_profile_state`, and the errno each refused change answers.

use super::attr::Name;
use crate::ffi::bindings;
use crate::ffi::genl::{Attrs, Refusal};
use crate::proto::ev::{EvError, ProfileState};
use kernel::error::{code, Error};

/// The uapi value of a state.
pub(crate) fn to_uapi(state: ProfileState) -> u32 {
    match state {
        ProfileState::Init => bindings::mrc_profile_state::MRC_PROFILE_STATE_INIT,
        ProfileState::Offline => bindings::mrc_profile_state::MRC_PROFILE_STATE_OFFLINE,
        ProfileState::Online => bindings::mrc_profile_state::MRC_PROFILE_STATE_ONLINE,
    }
}

/// The state a set request asks for, if it asks for one: then it must ask
/// for nothing else (a state change is a request of its own), so that
/// every request is applied whole or not at all.
pub(crate) fn requested<'a>(
    state: &Name,
    attrs: Attrs<'a>,
    id: &Name,
) -> Result<Option<ProfileState>, Refusal<'a>> {
    let Some(value) = state.u32(attrs)? else {
        return Ok(None);
    };
    let mut all = attrs;
    if all.any(|a| {
        let ty = u32::from(a.ty());
        ty != state.ty && ty != id.ty
    }) {
        return Err(state.refuse(
            code::EINVAL,
            attrs,
            "a state change is a request of its own",
        ));
    }
    match value {
        bindings::mrc_profile_state::MRC_PROFILE_STATE_INIT => Ok(Some(ProfileState::Init)),
        bindings::mrc_profile_state::MRC_PROFILE_STATE_OFFLINE => Ok(Some(ProfileState::Offline)),
        bindings::mrc_profile_state::MRC_PROFILE_STATE_ONLINE => Ok(Some(ProfileState::Online)),
        _ => Err(state.refuse(code::EINVAL, attrs, "unknown state")),
    }
}

/// The errno of a refused change: EBUSY when live users or the ONLINE
/// state stand in the way (Documentation/protocol.rst, "Profile
/// lifecycle"), EINVAL for every broken rule.
pub(crate) fn errno(e: EvError) -> Error {
    match e {
        EvError::Busy | EvError::ChangeWhileOnline => code::EBUSY,
        _ => code::EINVAL,
    }
}
