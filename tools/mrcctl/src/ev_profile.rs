//! `mrcctl ev-profile`: EV profiles (mode, format, EV count, floor, event
//! mask, fields and an EXPLICIT profile's EVs).

use clap::ValueEnum;
use mrc_proto::ev::{Ev, EvField};
use serde::Serialize;

use crate::ev::args::{self, FIELD};
use crate::keywords::{Keyword, Pairs, Usage};
use crate::nl::uapi::*;
use crate::nl::{Attr, Reply};
use crate::output::{hex, Render};
use crate::profile::{state_of, Profile, State};
use crate::values;

/// How EVs are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProfileMode {
    Auto,
    Explicit,
    Generated,
}

// Alike ev::profile_ev::Set in shape only: the events a profile reports, not
// the states the controller sets.
/// Transitions reported to the events group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Event {
    /// GOOD -> ASSUMED_BAD.
    AssumedBad,
    /// ASSUMED_BAD -> GOOD.
    Good,
}

const MODE: Keyword = Keyword::once("mode", "{ auto | explicit | generated }");
/// The EV format profile the fields pair with.
const FMT: Keyword = Keyword::once("fmt", "ID");
/// EVs per connection.
const COUNT: Keyword = Keyword::once("count", "N");
/// Never let the usable EVs fall below this floor.
const MIN_ACTIVE: Keyword = Keyword::once("min-active", "N");
/// Transitions to report (comma-separated; "none" for none).
const EVENTS: Keyword = Keyword::once("events", "{ assumed-bad,good | none }");
/// An EV of an EXPLICIT profile, in order (hex).
const EV: Keyword = Keyword::repeated("ev", "HEX");
/// `show ID`: refuse (E2BIG) rather than show more EVs than this.
const MAX_EVS: Keyword = Keyword::once("max-evs", "N");

/// The event mask `events` names.
fn events(text: &str) -> Result<u32, String> {
    if text == "none" {
        return Ok(0);
    }
    let events = values::list(text, values::choice::<Event>)?;
    Ok(events.iter().fold(0, |mask, e| {
        mask | match e {
            Event::AssumedBad => MRC_EV_EVENT_ASSUMED_BAD,
            Event::Good => MRC_EV_EVENT_GOOD,
        }
    }))
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
pub struct EvProfile {
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

fn field_attr(f: &EvField) -> Attr {
    Attr::nest(
        MRC_A_EV_PROFILE_FIELD,
        "field",
        vec![
            Attr::u32(MRC_A_EV_FIELD_WIDTH, "width", u32::from(f.width)),
            Attr::u64(MRC_A_EV_FIELD_INIT_VAL, "init-val", f.init_val),
            Attr::u64(MRC_A_EV_FIELD_MIN_VAL, "min-val", f.min_val),
            Attr::u64(MRC_A_EV_FIELD_MAX_VAL, "max-val", f.max_val),
            Attr::u64(MRC_A_EV_FIELD_MASK, "mask", f.mask),
        ],
    )
}

/// `mrcctl ev-profile`.
pub struct EvProfiles;

// Alike the other Profile impls on purpose: only this kind's numbers and keywords; profile::run runs the commands.
impl Profile for EvProfiles {
    const NEW: u8 = MRC_CMD_EV_PROFILE_NEW;
    const SET: u8 = MRC_CMD_EV_PROFILE_SET;
    const GET: u8 = MRC_CMD_EV_PROFILE_GET;
    const DEL: u8 = MRC_CMD_EV_PROFILE_DEL;
    const ATTR_ID: u16 = MRC_A_EV_PROFILE_ID;
    const ATTR_STATE: u16 = MRC_A_EV_PROFILE_STATE;
    type Shown = EvProfile;

    fn keywords(_add: bool) -> Vec<Keyword> {
        vec![MODE, FMT, COUNT, MIN_ACTIVE, EVENTS, FIELD, EV]
    }

    fn config(pairs: &Pairs, _add: bool) -> Result<Vec<Attr>, Usage> {
        let mut attrs = Vec::new();
        if let Some(mode) = pairs.one(MODE.name, values::choice::<ProfileMode>)? {
            attrs.push(Attr::u32(MRC_A_EV_PROFILE_MODE, "mode", mode_uapi(mode)));
        }
        if let Some(fmt) = pairs.one(FMT.name, values::id)? {
            attrs.push(Attr::u64(MRC_A_EV_PROFILE_FMT_ID, "fmt-id", fmt));
        }
        if let Some(n) = pairs.one(COUNT.name, values::number_u32)? {
            attrs.push(Attr::u32(MRC_A_EV_PROFILE_EV_COUNT, "ev-count", n));
        }
        if let Some(n) = pairs.one(MIN_ACTIVE.name, values::number_u32)? {
            attrs.push(Attr::u32(
                MRC_A_EV_PROFILE_EV_MIN_ACTIVE,
                "ev-min-active",
                n,
            ));
        }
        if let Some(mask) = pairs.one(EVENTS.name, events)? {
            attrs.push(Attr::u32(
                MRC_A_EV_PROFILE_EV_EVENT_MASK,
                "ev-event-mask",
                mask,
            ));
        }
        attrs.extend(pairs.all(FIELD.name, args::field)?.iter().map(field_attr));
        let evs: Vec<Ev> = pairs.all(EV.name, args::ev)?;
        attrs.extend(
            evs.iter()
                .map(|ev| Attr::bytes(MRC_A_EV_PROFILE_EV, "ev", &ev.0)),
        );
        Ok(attrs)
    }

    fn show_keywords() -> Vec<Keyword> {
        vec![MAX_EVS]
    }

    fn show_attrs(pairs: &Pairs) -> Result<Vec<Attr>, Usage> {
        let max = pairs.one(MAX_EVS.name, values::number_u32)?;
        Ok(max
            .map(|n| Attr::u32(MRC_A_EV_PROFILE_EV_ARRAY_MAX, "ev-array-max", n))
            .into_iter()
            .collect())
    }

    /// A dump's list shows no EVs.
    fn shown(reply: &Reply, one: bool) -> EvProfile {
        EvProfile::from(reply, one)
    }
}
