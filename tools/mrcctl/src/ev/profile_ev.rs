//! `mrcctl ev set` / `ev show`: one EV of an EV profile, as the controller
//! handles it (deny, allow, replace, read back).

use clap::{Args, ValueEnum};
use mrc_proto::ev::Ev;
use serde::Serialize;

use super::args;
use crate::monitor::state_name;
use crate::nl::uapi::*;
use crate::nl::{Attr, Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::profile;
use crate::Failure;

/// The states the controller sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Set {
    Good,
    Denied,
}

/// `ev set`.
#[derive(Args, Debug)]
pub struct SetArgs {
    /// The EV profile.
    #[arg(value_parser = profile::id)]
    profile: u64,
    /// The EV's index in the profile.
    index: u32,
    /// Deny the EV (no connection of the profile uses it) or allow it.
    #[arg(long, value_enum, required_unless_present = "value")]
    state: Option<Set>,
    /// Replace the EV (EXPLICIT profiles, while no connection uses them).
    #[arg(long, value_name = "HEX", value_parser = args::ev)]
    value: Option<Ev>,
}

/// `ev show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The EV profile.
    #[arg(value_parser = profile::id)]
    profile: u64,
    /// One EV; every EV of the profile without it.
    index: Option<u32>,
}

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
            value: r
                .get(MRC_A_PROFILE_EV_VALUE)
                .map(|v| v.iter().map(|b| format!("{b:02x}")).collect()),
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

#[derive(Serialize)]
#[serde(transparent)]
struct List(Vec<ProfileEv>);

impl Render for List {
    fn text(&self) -> String {
        self.0
            .iter()
            .map(Render::text)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `ev set`.
pub fn set(args: &SetArgs) -> Result<(), Failure> {
    let mut attrs = vec![
        Attr::u64(MRC_A_PROFILE_EV_PROFILE_ID, "profile-id", args.profile),
        Attr::u32(MRC_A_PROFILE_EV_INDEX, "index", args.index),
    ];
    if let Some(state) = args.state {
        let v = match state {
            Set::Good => MRC_EV_GOOD,
            Set::Denied => MRC_EV_DENIED,
        };
        attrs.push(Attr::u32(MRC_A_PROFILE_EV_STATE, "state", v));
    }
    if let Some(ev) = &args.value {
        attrs.push(Attr::bytes(MRC_A_PROFILE_EV_VALUE, "value", &ev.0));
    }
    Mrc::open()?.request(MRC_CMD_EV_SET, &attrs, false)?;
    Ok(())
}

/// `ev show`.
pub fn show(args: &ShowArgs, format: Format) -> Result<(), Failure> {
    let mut attrs = vec![Attr::u64(
        MRC_A_PROFILE_EV_PROFILE_ID,
        "profile-id",
        args.profile,
    )];
    let mrc = Mrc::open()?;
    match args.index {
        Some(index) => {
            attrs.push(Attr::u32(MRC_A_PROFILE_EV_INDEX, "index", index));
            let replies = mrc.request(MRC_CMD_EV_GET, &attrs, false)?;
            let reply = replies.first().cloned().unwrap_or_default();
            output::print(&ProfileEv::from(&reply), format).map_err(Failure::Output)
        }
        None => {
            let replies = mrc.request(MRC_CMD_EV_GET, &attrs, true)?;
            let list = List(replies.iter().map(ProfileEv::from).collect());
            output::print(&list, format).map_err(Failure::Output)
        }
    }
}
