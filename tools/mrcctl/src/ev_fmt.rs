//! `mrcctl ev-fmt`: EV format profiles (a mode and the field widths of the
//! on-wire EV).

use clap::{Args, Subcommand};
use serde::Serialize;

use crate::ev::Mode;
use crate::nl::uapi::*;
use crate::nl::{Attr, Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::profile::{self, state_of, State};
use crate::Failure;

/// `mrcctl ev-fmt COMMAND`.
#[derive(Subcommand, Debug)]
pub enum EvFmtCommand {
    /// Create an EV format profile (INIT).
    Add(FormatArgs),
    /// Change its format (not while ONLINE), or move it to a state.
    Set(SetArgs),
    /// Show one profile, or all.
    Show {
        #[arg(value_parser = profile::id)]
        id: Option<u64>,
    },
    /// Delete a profile that is not ONLINE.
    Del {
        #[arg(value_parser = profile::id)]
        id: u64,
    },
}

/// The id and format of `add` and `set`.
#[derive(Args, Debug)]
pub struct FormatArgs {
    /// The profile's id (1 or more).
    #[arg(value_parser = profile::id)]
    id: u64,
    /// Where the EV goes on the wire.
    #[arg(long, value_enum)]
    mode: Option<Mode>,
    /// Field widths in bits, most significant first (e.g. 16,16).
    #[arg(long, value_name = "W1,W2,...", value_delimiter = ',')]
    widths: Vec<u32>,
}

/// `set`: a new format, or a state.
#[derive(Args, Debug)]
pub struct SetArgs {
    #[command(flatten)]
    format: FormatArgs,
    /// Move to this state (alone).
    #[arg(long, value_enum, conflicts_with_all = ["mode", "widths"])]
    state: Option<State>,
}

pub fn mode_uapi(mode: Mode) -> u32 {
    match mode {
        Mode::Udp => MRC_EV_FMT_MODE_UDP,
        Mode::Stev => MRC_EV_FMT_MODE_STEV,
        Mode::Srv6 => MRC_EV_FMT_MODE_SRV6,
        Mode::Srv6Srh => MRC_EV_FMT_MODE_SRV6_SRH,
    }
}

pub fn mode_name(mode: u32) -> &'static str {
    match mode {
        MRC_EV_FMT_MODE_UDP => "udp",
        MRC_EV_FMT_MODE_STEV => "stev",
        MRC_EV_FMT_MODE_SRV6 => "srv6",
        MRC_EV_FMT_MODE_SRV6_SRH => "srv6-srh",
        _ => "unknown",
    }
}

/// One EV format profile as the kernel shows it.
#[derive(Serialize)]
struct EvFmt {
    id: u64,
    state: Option<State>,
    mode: Option<&'static str>,
    field_widths: Vec<u32>,
    users: u32,
}

impl EvFmt {
    fn from(r: &Reply) -> EvFmt {
        EvFmt {
            id: r.u64(MRC_A_EV_FMT_ID).unwrap_or_default(),
            state: state_of(r.u32(MRC_A_EV_FMT_STATE)),
            mode: r.u32(MRC_A_EV_FMT_MODE).map(mode_name),
            field_widths: r.all_u32(MRC_A_EV_FMT_FIELD_WIDTH),
            users: r.u32(MRC_A_EV_FMT_USERS).unwrap_or_default(),
        }
    }
}

impl Render for EvFmt {
    fn text(&self) -> String {
        let mut line = format!(
            "ev-fmt {} state {}",
            self.id,
            self.state.map_or("?", State::name)
        );
        if let Some(mode) = self.mode {
            let widths: Vec<String> = self.field_widths.iter().map(u32::to_string).collect();
            line += &format!(" mode {mode} widths {}", widths.join(","));
        }
        line + &format!(" users {}", self.users)
    }
}

/// A list of profiles renders one per line, or as a JSON array.
#[derive(Serialize)]
#[serde(transparent)]
struct List(Vec<EvFmt>);

impl Render for List {
    fn text(&self) -> String {
        self.0
            .iter()
            .map(Render::text)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn format_attrs(args: &FormatArgs) -> Vec<Attr> {
    let mut attrs = vec![Attr::u64(MRC_A_EV_FMT_ID, "id", args.id)];
    if let Some(mode) = args.mode {
        attrs.push(Attr::u32(MRC_A_EV_FMT_MODE, "mode", mode_uapi(mode)));
    }
    for &w in &args.widths {
        attrs.push(Attr::u32(MRC_A_EV_FMT_FIELD_WIDTH, "field-width", w));
    }
    attrs
}

/// Runs an `ev-fmt` command.
pub fn run(command: EvFmtCommand, format: Format) -> Result<(), Failure> {
    let mrc = Mrc::open()?;
    match command {
        EvFmtCommand::Add(args) => {
            mrc.request(MRC_CMD_EV_FMT_NEW, &format_attrs(&args), false)?;
        }
        EvFmtCommand::Set(args) => {
            let attrs = match args.state {
                Some(state) => vec![
                    Attr::u64(MRC_A_EV_FMT_ID, "id", args.format.id),
                    Attr::u32(MRC_A_EV_FMT_STATE, "state", state.to_uapi()),
                ],
                None => format_attrs(&args.format),
            };
            mrc.request(MRC_CMD_EV_FMT_SET, &attrs, false)?;
        }
        EvFmtCommand::Show { id: Some(id) } => {
            let attrs = [Attr::u64(MRC_A_EV_FMT_ID, "id", id)];
            let replies = mrc.request(MRC_CMD_EV_FMT_GET, &attrs, false)?;
            let reply = replies.first().cloned().unwrap_or_default();
            output::print(&EvFmt::from(&reply), format).map_err(Failure::Output)?;
        }
        EvFmtCommand::Show { id: None } => {
            let replies = mrc.request(MRC_CMD_EV_FMT_GET, &[], true)?;
            let list = List(replies.iter().map(EvFmt::from).collect());
            output::print(&list, format).map_err(Failure::Output)?;
        }
        EvFmtCommand::Del { id } => {
            let attrs = [Attr::u64(MRC_A_EV_FMT_ID, "id", id)];
            mrc.request(MRC_CMD_EV_FMT_DEL, &attrs, false)?;
        }
    }
    Ok(())
}
