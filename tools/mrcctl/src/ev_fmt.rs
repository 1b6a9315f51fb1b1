//! `mrcctl ev-fmt`: EV format profiles (a mode and the field widths of the
//! on-wire EV).

use serde::Serialize;

use crate::ev::args::{Mode, MODE, WIDTHS};
use crate::keywords::{Keyword, Pairs, Usage};
use crate::nl::uapi::*;
use crate::nl::{Attr, Reply};
use crate::output::Render;
use crate::profile::{state_of, Profile, State};
use crate::values;

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
pub struct EvFmt {
    id: u64,
    state: Option<State>,
    mode: Option<&'static str>,
    field_widths: Vec<u32>,
    users: u32,
}

impl EvFmt {
    // Reads its reply like the other objects, attribute by attribute; the attributes are its own.
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

// Alike monitor.rs's EvEvent in shape (read from a reply, then rendered): each
// object reads its own attributes and prints its own line.
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

/// `mrcctl ev-fmt`.
pub struct EvFmts;

// Alike the other Profile impls on purpose: only this kind's numbers and keywords; profile::run runs the commands.
impl Profile for EvFmts {
    const NEW: u8 = MRC_CMD_EV_FMT_NEW;
    const SET: u8 = MRC_CMD_EV_FMT_SET;
    const GET: u8 = MRC_CMD_EV_FMT_GET;
    const DEL: u8 = MRC_CMD_EV_FMT_DEL;
    const ATTR_ID: u16 = MRC_A_EV_FMT_ID;
    const ATTR_STATE: u16 = MRC_A_EV_FMT_STATE;
    type Shown = EvFmt;

    fn keywords(_add: bool) -> Vec<Keyword> {
        vec![MODE, WIDTHS]
    }

    fn config(pairs: &Pairs, _add: bool) -> Result<Vec<Attr>, Usage> {
        let mut attrs = Vec::new();
        if let Some(mode) = pairs.one(MODE.name, values::choice::<Mode>)? {
            attrs.push(Attr::u32(MRC_A_EV_FMT_MODE, "mode", mode_uapi(mode)));
        }
        let widths = pairs.one(WIDTHS.name, |v| values::list(v, values::number_u32))?;
        for w in widths.unwrap_or_default() {
            attrs.push(Attr::u32(MRC_A_EV_FMT_FIELD_WIDTH, "field-width", w));
        }
        Ok(attrs)
    }

    fn shown(reply: &Reply, _one: bool) -> EvFmt {
        EvFmt::from(reply)
    }
}
