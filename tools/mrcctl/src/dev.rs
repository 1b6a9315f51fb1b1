//! `mrcctl dev show`: what the loaded mrc.ko supports (`dev-get`).

use clap::Subcommand;
use serde::Serialize;

use crate::nl::uapi::*;
use crate::nl::{Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::{ev_fmt, ev_profile, Failure};

/// `mrcctl dev COMMAND`.
#[derive(Subcommand, Debug)]
pub enum DevCommand {
    /// Versions, limits, modes and algorithms.
    Show,
}

/// What `dev-get` answers.
#[derive(Serialize)]
struct Dev {
    proto_version: u32,
    max_ev_fmt_profiles: u32,
    max_ev_profiles: u32,
    max_cc_profiles: u32,
    max_evs: u32,
    max_fields: u32,
    max_field_width: u32,
    ev_bytes: u32,
    ev_fmt_modes: Vec<&'static str>,
    ev_profile_modes: Vec<&'static str>,
    cc_algos: Vec<&'static str>,
}

impl Dev {
    fn from(r: &Reply) -> Dev {
        let n = |ty| r.u32(ty).unwrap_or_default();
        Dev {
            proto_version: n(MRC_A_DEV_PROTO_VERSION),
            max_ev_fmt_profiles: n(MRC_A_DEV_MAX_EV_FMT_PROFILES),
            max_ev_profiles: n(MRC_A_DEV_MAX_EV_PROFILES),
            max_cc_profiles: n(MRC_A_DEV_MAX_CC_PROFILES),
            max_evs: n(MRC_A_DEV_MAX_EVS),
            max_fields: n(MRC_A_DEV_MAX_FIELDS),
            max_field_width: n(MRC_A_DEV_MAX_FIELD_WIDTH),
            ev_bytes: n(MRC_A_DEV_EV_BYTES),
            ev_fmt_modes: r
                .all_u32(MRC_A_DEV_EV_FMT_MODE)
                .into_iter()
                .map(ev_fmt::mode_name)
                .collect(),
            ev_profile_modes: r
                .all_u32(MRC_A_DEV_EV_PROFILE_MODE)
                .into_iter()
                .map(ev_profile::mode_name)
                .collect(),
            cc_algos: r
                .all_u32(MRC_A_DEV_CC_ALGO)
                .into_iter()
                .map(|a| {
                    if a == MRC_CC_ALGO_NSCC {
                        "nscc"
                    } else {
                        "unknown"
                    }
                })
                .collect(),
        }
    }
}

impl Render for Dev {
    fn text(&self) -> String {
        format!(
            "proto-version {}\n\
             profiles: ev-fmt {} ev {} cc {} (per network namespace)\n\
             evs {} fields {} field-width {} ev-bytes {}\n\
             ev-fmt modes: {}\n\
             ev-profile modes: {}\n\
             cc algorithms: {}",
            self.proto_version,
            self.max_ev_fmt_profiles,
            self.max_ev_profiles,
            self.max_cc_profiles,
            self.max_evs,
            self.max_fields,
            self.max_field_width,
            self.ev_bytes,
            self.ev_fmt_modes.join(" "),
            self.ev_profile_modes.join(" "),
            self.cc_algos.join(" ")
        )
    }
}

/// Runs a `dev` command.
pub fn run(command: DevCommand, format: Format) -> Result<(), Failure> {
    match command {
        DevCommand::Show => {
            let reply = Mrc::open()?.get(MRC_CMD_DEV_GET, &[])?;
            output::print(&Dev::from(&reply), format)
        }
    }
}
