//! `dev-get`: what this implementation supports, so that a controller can
//! size its requests (versions, limits, modes, algorithms).

use super::attr::Name;
use crate::control::{Control, MAX_CC_PROFILES, MAX_EV_FMT_PROFILES, MAX_EV_PROFILES};
use crate::ffi::bindings;
use crate::ffi::genl::{Message, Refusal, Request};
use crate::proto::ev::{EV_BYTES, MAX_EVS, MAX_FIELDS, MAX_FIELD_WIDTH};
use crate::proto::wire::WIRE_VERSION;
use kernel::prelude::*;

const PROTO_VERSION: Name = Name::new(bindings::MRC_A_DEV_PROTO_VERSION, "proto-version");
const MAX_EV_FMT: Name = Name::new(
    bindings::MRC_A_DEV_MAX_EV_FMT_PROFILES,
    "max-ev-fmt-profiles",
);
const MAX_EV_PROF: Name = Name::new(bindings::MRC_A_DEV_MAX_EV_PROFILES, "max-ev-profiles");
const MAX_CC_PROF: Name = Name::new(bindings::MRC_A_DEV_MAX_CC_PROFILES, "max-cc-profiles");
const MAX_EVS_A: Name = Name::new(bindings::MRC_A_DEV_MAX_EVS, "max-evs");
const MAX_FIELDS_A: Name = Name::new(bindings::MRC_A_DEV_MAX_FIELDS, "max-fields");
const MAX_WIDTH: Name = Name::new(bindings::MRC_A_DEV_MAX_FIELD_WIDTH, "max-field-width");
const EV_BYTES_A: Name = Name::new(bindings::MRC_A_DEV_EV_BYTES, "ev-bytes");
const EV_FMT_MODE: Name = Name::new(bindings::MRC_A_DEV_EV_FMT_MODE, "ev-fmt-mode");
const EV_PROFILE_MODE: Name = Name::new(bindings::MRC_A_DEV_EV_PROFILE_MODE, "ev-profile-mode");
const CC_ALGO: Name = Name::new(bindings::MRC_A_DEV_CC_ALGO, "cc-algo");

fn fill(msg: &mut Message<'_>) -> Result {
    msg.put_u32(PROTO_VERSION.ty, u32::from(WIRE_VERSION))?;
    msg.put_u32(MAX_EV_FMT.ty, MAX_EV_FMT_PROFILES as u32)?;
    msg.put_u32(MAX_EV_PROF.ty, MAX_EV_PROFILES as u32)?;
    msg.put_u32(MAX_CC_PROF.ty, MAX_CC_PROFILES as u32)?;
    msg.put_u32(MAX_EVS_A.ty, MAX_EVS as u32)?;
    msg.put_u32(MAX_FIELDS_A.ty, MAX_FIELDS as u32)?;
    msg.put_u32(MAX_WIDTH.ty, MAX_FIELD_WIDTH)?;
    msg.put_u32(EV_BYTES_A.ty, EV_BYTES as u32)?;
    for mode in super::ev_fmt::SUPPORTED_MODES {
        msg.put_u32(EV_FMT_MODE.ty, mode)?;
    }
    for mode in [
        bindings::mrc_ev_profile_mode::MRC_EV_PROFILE_MODE_AUTO,
        bindings::mrc_ev_profile_mode::MRC_EV_PROFILE_MODE_EXPLICIT,
        bindings::mrc_ev_profile_mode::MRC_EV_PROFILE_MODE_GENERATED,
    ] {
        msg.put_u32(EV_PROFILE_MODE.ty, mode)?;
    }
    msg.put_u32(CC_ALGO.ty, bindings::mrc_cc_algo::MRC_CC_ALGO_NSCC)
}

/// `dev-get`.
pub(crate) fn get<'a>(_control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    Ok(req.reply(bindings::MRC_CMD_DEV_GET, 256, fill)?)
}
