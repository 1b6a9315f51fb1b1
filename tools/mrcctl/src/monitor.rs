//! `mrcctl monitor`: the events group, one line (or JSON object) per EV
//! state change, until interrupted or `count N` events.

use std::io::Write;

use serde::Serialize;

use crate::keywords::{self, Keyword};
use crate::nl::uapi::*;
use crate::nl::{Mrc, Reply};
use crate::output::{Format, Render};
use crate::values;
use crate::Failure;

/// Exit after this many events.
const COUNT: Keyword = Keyword::once("count", "N");
/// `monitor`'s keywords.
pub const KEYWORDS: [Keyword; 1] = [COUNT];

pub fn state_name(v: Option<u32>) -> &'static str {
    match v {
        Some(MRC_EV_GOOD) => "good",
        Some(MRC_EV_SKIP) => "skip",
        Some(MRC_EV_ASSUMED_BAD) => "assumed-bad",
        Some(MRC_EV_DENIED) => "denied",
        _ => "unknown",
    }
}

/// One EV state change.
#[derive(Serialize)]
struct EvEvent {
    conn: u32,
    ev_profile_id: u64,
    index: u32,
    old_state: &'static str,
    new_state: &'static str,
    time_ns: u64,
    dropped: u32,
}

impl EvEvent {
    fn from(r: &Reply) -> EvEvent {
        EvEvent {
            conn: r.u32(MRC_A_EV_EVENT_CONN).unwrap_or_default(),
            ev_profile_id: r.u64(MRC_A_EV_EVENT_EV_PROFILE_ID).unwrap_or_default(),
            index: r.u32(MRC_A_EV_EVENT_INDEX).unwrap_or_default(),
            old_state: state_name(r.u32(MRC_A_EV_EVENT_OLD_STATE)),
            new_state: state_name(r.u32(MRC_A_EV_EVENT_NEW_STATE)),
            time_ns: r.u64(MRC_A_EV_EVENT_TIME).unwrap_or_default(),
            dropped: r.u32(MRC_A_EV_EVENT_DROPPED).unwrap_or_default(),
        }
    }
}

// Alike ev_fmt.rs's EvFmt in shape (read from a reply, then rendered): each
// object reads its own attributes and prints its own line.
impl Render for EvEvent {
    fn text(&self) -> String {
        let mut line = format!(
            "ev conn {} profile {} index {} {} -> {} at {}.{:09}",
            self.conn,
            self.ev_profile_id,
            self.index,
            self.old_state,
            self.new_state,
            self.time_ns / 1_000_000_000,
            self.time_ns % 1_000_000_000
        );
        if self.dropped > 0 {
            line += &format!(" ({} dropped before)", self.dropped);
        }
        line
    }
}

/// Runs `mrcctl monitor [count N]`. JSON is one object per line, even
/// with `-p`.
pub fn run(words: &[String], format: Format) -> Result<(), Failure> {
    let count = keywords::parse(words, &KEYWORDS)?.one(COUNT.name, values::number)?;
    let events = Mrc::open()?.subscribe(MRC_MCGRP_EVENTS)?;
    let mut seen = 0;
    let mut out = std::io::stdout();
    while count.is_none_or(|n| seen < n) {
        for (cmd, reply) in events.next()? {
            if cmd != MRC_CMD_EV_STATE_NTF {
                continue;
            }
            let event = EvEvent::from(&reply);
            let line = match format {
                Format::Text => event.text(),
                _ => serde_json::to_string(&event).map_err(|e| Failure::Output(e.to_string()))?,
            };
            writeln!(out, "{line}")
                .and_then(|()| out.flush())
                .map_err(|e| Failure::Output(e.to_string()))?;
            seen += 1;
            if count.is_some_and(|n| seen >= n) {
                break;
            }
        }
    }
    Ok(())
}
