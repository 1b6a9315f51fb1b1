//! `mrcctl ev-profile`: EV profiles (mode, format, EV count, floor, event
//! mask, fields and an EXPLICIT profile's EVs).

use clap::{Args, Subcommand, ValueEnum};
use mrc_proto::ev::{Ev, EvField};
use serde::Serialize;

use crate::ev::args;
use crate::nl::uapi::*;
use crate::nl::{Attr, Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::profile::{self, state_of, State};
use crate::Failure;

/// `mrcctl ev-profile COMMAND`.
#[derive(Subcommand, Debug)]
pub enum EvProfileCommand {
    /// Create an EV profile (INIT), configured and populated as given.
    Add(ConfigArgs),
    /// Change its configuration or EVs (not while ONLINE; the floor and
    /// event mask alone in any state), or move it to a state.
    Set(SetArgs),
    /// Show one profile with its EVs, or all without.
    Show {
        #[arg(value_parser = profile::id)]
        id: Option<u64>,
        /// Refuse (E2BIG) rather than show more EVs than this.
        #[arg(long, value_name = "N", requires = "id")]
        max_evs: Option<u32>,
    },
    /// Delete a profile that is not ONLINE.
    Del {
        #[arg(value_parser = profile::id)]
        id: u64,
    },
}

/// How EVs are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProfileMode {
    Auto,
    Explicit,
    Generated,
}

/// Transitions reported to the events group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Event {
    /// GOOD -> ASSUMED_BAD.
    AssumedBad,
    /// ASSUMED_BAD -> GOOD.
    Good,
}

/// The id and configuration of `add` and `set`.
#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// The profile's id (1 or more).
    #[arg(value_parser = profile::id)]
    id: u64,
    #[arg(long, value_enum)]
    mode: Option<ProfileMode>,
    /// The EV format profile the fields pair with.
    #[arg(long = "fmt", value_name = "ID", value_parser = profile::id)]
    fmt: Option<u64>,
    /// EVs per connection.
    #[arg(long = "count", value_name = "N")]
    count: Option<u32>,
    /// Never let the usable EVs fall below this floor.
    #[arg(long = "min-active", value_name = "N")]
    min_active: Option<u32>,
    /// Transitions to report (comma-separated; "none" for none).
    #[arg(long, value_name = "EVENTS", value_delimiter = ',', value_parser = event)]
    events: Option<Vec<u32>>,
    /// An EV field, in format order (repeat for each field).
    #[arg(long = "field", value_name = "width=N,init=V,min=V,max=V,mask=V", value_parser = args::field)]
    fields: Vec<EvField>,
    /// An EV of an EXPLICIT profile, in order (repeat for each; hex).
    #[arg(long = "ev", value_name = "HEX", value_parser = args::ev)]
    evs: Vec<Ev>,
}

/// `set`: a change, or a state.
#[derive(Args, Debug)]
pub struct SetArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Move to this state (alone).
    #[arg(long, value_enum,
          conflicts_with_all = ["mode", "fmt", "count", "min_active", "events", "fields", "evs"])]
    state: Option<State>,
}

fn event(text: &str) -> Result<u32, String> {
    match text {
        "none" => Ok(0),
        other => Event::from_str(other, true)
            .map(|e| match e {
                Event::AssumedBad => MRC_EV_EVENT_ASSUMED_BAD,
                Event::Good => MRC_EV_EVENT_GOOD,
            })
            .map_err(|_| format!("'{other}': assumed-bad, good or none")),
    }
}

fn mode_uapi(mode: ProfileMode) -> u32 {
    match mode {
        ProfileMode::Auto => MRC_EV_PROFILE_MODE_AUTO,
        ProfileMode::Explicit => MRC_EV_PROFILE_MODE_EXPLICIT,
        ProfileMode::Generated => MRC_EV_PROFILE_MODE_GENERATED,
    }
}

pub fn mode_name(mode: u32) -> &'static str {
    match mode {
        MRC_EV_PROFILE_MODE_AUTO => "auto",
        MRC_EV_PROFILE_MODE_EXPLICIT => "explicit",
        MRC_EV_PROFILE_MODE_GENERATED => "generated",
        _ => "unknown",
    }
}

/// One field as the kernel shows it.
#[derive(Serialize)]
struct Field {
    width: u32,
    init: String,
    min: String,
    max: String,
    mask: String,
}

/// One EV profile as the kernel shows it.
#[derive(Serialize)]
struct EvProfile {
    id: u64,
    state: Option<State>,
    users: u32,
    mode: Option<&'static str>,
    fmt_id: Option<u64>,
    ev_count: Option<u32>,
    ev_min_active: Option<u32>,
    events: Vec<&'static str>,
    fields: Vec<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evs: Option<Vec<String>>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl EvProfile {
    fn from(r: &Reply, with_evs: bool) -> EvProfile {
        let mask = r.u32(MRC_A_EV_PROFILE_EV_EVENT_MASK).unwrap_or_default();
        EvProfile {
            id: r.u64(MRC_A_EV_PROFILE_ID).unwrap_or_default(),
            state: state_of(r.u32(MRC_A_EV_PROFILE_STATE)),
            users: r.u32(MRC_A_EV_PROFILE_USERS).unwrap_or_default(),
            mode: r.u32(MRC_A_EV_PROFILE_MODE).map(mode_name),
            fmt_id: r.u64(MRC_A_EV_PROFILE_FMT_ID),
            ev_count: r.u32(MRC_A_EV_PROFILE_EV_COUNT),
            ev_min_active: r.u32(MRC_A_EV_PROFILE_EV_MIN_ACTIVE),
            events: [
                (MRC_EV_EVENT_ASSUMED_BAD, "assumed-bad"),
                (MRC_EV_EVENT_GOOD, "good"),
            ]
            .into_iter()
            .filter(|(bit, _)| mask & bit != 0)
            .map(|(_, name)| name)
            .collect(),
            fields: r
                .all(MRC_A_EV_PROFILE_FIELD)
                .map(|nest| {
                    let f = Reply::parse(nest);
                    let v = |ty| format!("{:#x}", f.u64(ty).unwrap_or_default());
                    Field {
                        width: f.u32(MRC_A_EV_FIELD_WIDTH).unwrap_or_default(),
                        init: v(MRC_A_EV_FIELD_INIT_VAL),
                        min: v(MRC_A_EV_FIELD_MIN_VAL),
                        max: v(MRC_A_EV_FIELD_MAX_VAL),
                        mask: v(MRC_A_EV_FIELD_MASK),
                    }
                })
                .collect(),
            evs: with_evs.then(|| r.all(MRC_A_EV_PROFILE_EV).map(hex).collect()),
        }
    }
}

impl Render for EvProfile {
    fn text(&self) -> String {
        let mut out = format!(
            "ev-profile {} state {} users {}",
            self.id,
            self.state.map_or("?", State::name),
            self.users
        );
        if let (Some(mode), Some(fmt), Some(count)) = (self.mode, self.fmt_id, self.ev_count) {
            out += &format!(
                " mode {mode} fmt {fmt} count {count} min-active {} events {}",
                self.ev_min_active.unwrap_or_default(),
                if self.events.is_empty() {
                    "none".to_string()
                } else {
                    self.events.join(",")
                }
            );
        }
        for f in &self.fields {
            out += &format!(
                "\n    field width={},init={},min={},max={},mask={}",
                f.width, f.init, f.min, f.max, f.mask
            );
        }
        for (i, ev) in self.evs.iter().flatten().enumerate() {
            out += &format!("\n    ev {i} {ev}");
        }
        out
    }
}

#[derive(Serialize)]
#[serde(transparent)]
struct List(Vec<EvProfile>);

impl Render for List {
    fn text(&self) -> String {
        self.0
            .iter()
            .map(Render::text)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn config_attrs(args: &ConfigArgs) -> Vec<Attr> {
    let mut attrs = vec![Attr::u64(MRC_A_EV_PROFILE_ID, "id", args.id)];
    if let Some(mode) = args.mode {
        attrs.push(Attr::u32(MRC_A_EV_PROFILE_MODE, "mode", mode_uapi(mode)));
    }
    if let Some(fmt) = args.fmt {
        attrs.push(Attr::u64(MRC_A_EV_PROFILE_FMT_ID, "fmt-id", fmt));
    }
    if let Some(n) = args.count {
        attrs.push(Attr::u32(MRC_A_EV_PROFILE_EV_COUNT, "ev-count", n));
    }
    if let Some(n) = args.min_active {
        attrs.push(Attr::u32(
            MRC_A_EV_PROFILE_EV_MIN_ACTIVE,
            "ev-min-active",
            n,
        ));
    }
    if let Some(events) = &args.events {
        let mask = events.iter().fold(0, |m, e| m | e);
        attrs.push(Attr::u32(
            MRC_A_EV_PROFILE_EV_EVENT_MASK,
            "ev-event-mask",
            mask,
        ));
    }
    for f in &args.fields {
        attrs.push(Attr::nest(
            MRC_A_EV_PROFILE_FIELD,
            "field",
            vec![
                Attr::u32(MRC_A_EV_FIELD_WIDTH, "width", u32::from(f.width)),
                Attr::u64(MRC_A_EV_FIELD_INIT_VAL, "init-val", f.init_val),
                Attr::u64(MRC_A_EV_FIELD_MIN_VAL, "min-val", f.min_val),
                Attr::u64(MRC_A_EV_FIELD_MAX_VAL, "max-val", f.max_val),
                Attr::u64(MRC_A_EV_FIELD_MASK, "mask", f.mask),
            ],
        ));
    }
    for ev in &args.evs {
        attrs.push(Attr::bytes(MRC_A_EV_PROFILE_EV, "ev", &ev.0));
    }
    attrs
}

/// Runs an `ev-profile` command.
pub fn run(command: EvProfileCommand, format: Format) -> Result<(), Failure> {
    let mrc = Mrc::open()?;
    match command {
        EvProfileCommand::Add(args) => {
            mrc.request(MRC_CMD_EV_PROFILE_NEW, &config_attrs(&args), false)?;
        }
        EvProfileCommand::Set(args) => {
            let attrs = match args.state {
                Some(state) => vec![
                    Attr::u64(MRC_A_EV_PROFILE_ID, "id", args.config.id),
                    Attr::u32(MRC_A_EV_PROFILE_STATE, "state", state.to_uapi()),
                ],
                None => config_attrs(&args.config),
            };
            mrc.request(MRC_CMD_EV_PROFILE_SET, &attrs, false)?;
        }
        EvProfileCommand::Show {
            id: Some(id),
            max_evs,
        } => {
            let mut attrs = vec![Attr::u64(MRC_A_EV_PROFILE_ID, "id", id)];
            if let Some(n) = max_evs {
                attrs.push(Attr::u32(MRC_A_EV_PROFILE_EV_ARRAY_MAX, "ev-array-max", n));
            }
            let replies = mrc.request(MRC_CMD_EV_PROFILE_GET, &attrs, false)?;
            let reply = replies.first().cloned().unwrap_or_default();
            output::print(&EvProfile::from(&reply, true), format).map_err(Failure::Output)?;
        }
        EvProfileCommand::Show { id: None, .. } => {
            let replies = mrc.request(MRC_CMD_EV_PROFILE_GET, &[], true)?;
            let list = List(replies.iter().map(|r| EvProfile::from(r, false)).collect());
            output::print(&list, format).map_err(Failure::Output)?;
        }
        EvProfileCommand::Del { id } => {
            let attrs = [Attr::u64(MRC_A_EV_PROFILE_ID, "id", id)];
            mrc.request(MRC_CMD_EV_PROFILE_DEL, &attrs, false)?;
        }
    }
    Ok(())
}
