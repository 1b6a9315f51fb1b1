//! `mrcctl ev set` / `ev show`: one EV of an EV profile, as the controller
//! handles it (deny, allow, replace, read back).

use clap::ValueEnum;
use serde::Serialize;

use super::args;
use crate::keywords::{self, Keyword};
use crate::monitor::state_name;
use crate::nl::uapi::*;
use crate::nl::{Attr, Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::values;
use crate::Failure;

// Alike ev_profile::Event in shape only: the states the controller sets, not the events a profile reports.
/// The states the controller sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Set {
    Good,
    Denied,
}

/// Deny the EV (no connection of the profile uses it) or allow it.
const STATE: Keyword = Keyword::once("state", "{ good | denied }");
/// Replace the EV (EXPLICIT profiles, while no connection uses them).
const VALUE: Keyword = Keyword::once("value", "HEX");
/// `ev set`'s keywords.
pub const SET_KEYWORDS: [Keyword; 2] = [STATE, VALUE];

/// One EV as the kernel shows it.
#[derive(Serialize)]
struct ProfileEv {
    profile_id: u64,
    index: u32,
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

impl ProfileEv {
    fn from(r: &Reply) -> ProfileEv {
        ProfileEv {
            profile_id: r.u64(MRC_A_PROFILE_EV_PROFILE_ID).unwrap_or_default(),
            index: r.u32(MRC_A_PROFILE_EV_INDEX).unwrap_or_default(),
            state: state_name(r.u32(MRC_A_PROFILE_EV_STATE)),
            value: r.get(MRC_A_PROFILE_EV_VALUE).map(output::hex),
        }
    }
}

impl Render for ProfileEv {
    fn text(&self) -> String {
        let mut line = format!("ev {} {} {}", self.profile_id, self.index, self.state);
        if let Some(v) = &self.value {
            line += &format!(" {v}");
        }
        line
    }
}

/// `ev set PROFILE INDEX KEYWORD VALUE...`.
pub fn set(profile: u64, index: u32, words: &[String]) -> Result<(), Failure> {
    let pairs = keywords::parse(words, &SET_KEYWORDS)?;
    let mut attrs = vec![
        Attr::u64(MRC_A_PROFILE_EV_PROFILE_ID, "profile-id", profile),
        Attr::u32(MRC_A_PROFILE_EV_INDEX, "index", index),
    ];
    if let Some(state) = pairs.one(STATE.name, values::choice::<Set>)? {
        let v = match state {
            Set::Good => MRC_EV_GOOD,
            Set::Denied => MRC_EV_DENIED,
        };
        attrs.push(Attr::u32(MRC_A_PROFILE_EV_STATE, "state", v));
    }
    if let Some(ev) = pairs.one(VALUE.name, args::ev)? {
        attrs.push(Attr::bytes(MRC_A_PROFILE_EV_VALUE, "value", &ev.0));
    }
    if pairs.is_empty() {
        return Err(keywords::Usage(format!("nothing to set: give {STATE} or {VALUE}")).into());
    }
    Ok(Mrc::open()?.change(MRC_CMD_EV_SET, &attrs)?)
}

/// `ev show PROFILE [INDEX]`.
pub fn show(profile: u64, index: Option<u32>, format: Format) -> Result<(), Failure> {
    let attrs = [Attr::u64(
        MRC_A_PROFILE_EV_PROFILE_ID,
        "profile-id",
        profile,
    )];
    let key = index.map(|index| vec![Attr::u32(MRC_A_PROFILE_EV_INDEX, "index", index)]);
    let found = Mrc::open()?.show(MRC_CMD_EV_GET, &attrs, key.as_deref())?;
    output::print(&found.map(|r, _| ProfileEv::from(r)), format)
}
