//! What the three profile objects (`ev-fmt`, `ev-profile`, `cc-profile`)
//! share: their states and their commands, `add`, `set`, `show` and `del`,
//! run once here for any [`Profile`].

use clap::{Subcommand, ValueEnum};
use serde::Serialize;

use crate::keywords::{self, Keyword, Pairs, Usage};
use crate::nl::uapi::{
    MRC_PROFILE_STATE_INIT, MRC_PROFILE_STATE_OFFLINE, MRC_PROFILE_STATE_ONLINE,
};
use crate::nl::{Attr, Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::values;
use crate::Failure;

/// A profile's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Init,
    Offline,
    Online,
}

impl State {
    pub fn to_uapi(self) -> u32 {
        match self {
            State::Init => MRC_PROFILE_STATE_INIT,
            State::Offline => MRC_PROFILE_STATE_OFFLINE,
            State::Online => MRC_PROFILE_STATE_ONLINE,
        }
    }

    pub fn from_uapi(v: u32) -> Option<State> {
        match v {
            MRC_PROFILE_STATE_INIT => Some(State::Init),
            MRC_PROFILE_STATE_OFFLINE => Some(State::Offline),
            MRC_PROFILE_STATE_ONLINE => Some(State::Online),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            State::Init => "init",
            State::Offline => "offline",
            State::Online => "online",
        }
    }
}

/// Serializes `Option<State>` from a reply that may lack it.
pub fn state_of(v: Option<u32>) -> Option<State> {
    v.and_then(State::from_uapi)
}

/// `set`'s keyword that moves a profile, alone.
const STATE: Keyword = Keyword::once("state", "{ init | offline | online }");

/// `mrcctl ev-fmt|ev-profile|cc-profile COMMAND`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a profile (INIT), configured as the keywords say.
    Add {
        /// The profile's id (1 or more).
        #[arg(value_parser = values::id)]
        id: u64,
        #[arg(trailing_var_arg = true, value_name = "KEYWORD VALUE")]
        args: Vec<String>,
    },
    /// Change its configuration (not while ONLINE), or move it to a
    /// state (`state` alone).
    Set {
        /// The profile's id.
        #[arg(value_parser = values::id)]
        id: u64,
        #[arg(trailing_var_arg = true, value_name = "KEYWORD VALUE")]
        args: Vec<String>,
    },
    /// Show one profile, or all.
    Show {
        /// The profile's id; every profile without it.
        #[arg(value_parser = values::id)]
        id: Option<u64>,
        #[arg(trailing_var_arg = true, value_name = "KEYWORD VALUE", requires = "id")]
        args: Vec<String>,
    },
    /// Delete a profile that is not ONLINE.
    Del {
        /// The profile's id.
        #[arg(value_parser = values::id)]
        id: u64,
    },
}

/// One kind of profile: its commands, attributes, keywords and how it
/// shows.
pub trait Profile {
    const NEW: u8;
    const SET: u8;
    const GET: u8;
    const DEL: u8;
    /// The id attribute.
    const ATTR_ID: u16;
    /// The state attribute.
    const ATTR_STATE: u16;
    /// How the kernel's answer shows.
    type Shown: Render;

    /// The keywords of `add` (with `add`) or of `set`, but `state`.
    fn keywords(add: bool) -> Vec<Keyword>;
    /// The attributes the configuration keywords ask for.
    fn config(pairs: &Pairs, add: bool) -> Result<Vec<Attr>, Usage>;
    /// The keywords of `show ID`.
    fn show_keywords() -> Vec<Keyword> {
        Vec::new()
    }
    /// The attributes `show ID`'s keywords ask for.
    fn show_attrs(_pairs: &Pairs) -> Result<Vec<Attr>, Usage> {
        Ok(Vec::new())
    }
    /// One profile; `one` for `show ID` (a dump may leave out details).
    fn shown(reply: &Reply, one: bool) -> Self::Shown;
}

/// `set`'s keywords: the configuration's and `state`.
fn set_keywords<P: Profile>() -> Vec<Keyword> {
    let mut keywords = P::keywords(false);
    keywords.push(STATE);
    keywords
}

/// `P`'s object with each command's keywords in its `--help`.
pub fn with_keywords<P: Profile>(object: clap::Command) -> clap::Command {
    object
        .mut_subcommand("add", |c| c.after_help(keywords::help(&P::keywords(true))))
        .mut_subcommand("set", |c| {
            c.after_help(keywords::help(&set_keywords::<P>()))
        })
        .mut_subcommand("show", |c| {
            c.after_help(keywords::help(&P::show_keywords()))
        })
}

/// `set`'s attributes: the state alone, or a configuration.
fn set_attrs<P: Profile>(pairs: &Pairs) -> Result<Vec<Attr>, Usage> {
    match pairs.one(STATE.name, values::choice::<State>)? {
        Some(state) => match pairs.names().find(|&n| n != STATE.name) {
            Some(other) => Err(Usage(format!("\"state\" goes alone, without \"{other}\""))),
            None => Ok(vec![Attr::u32(P::ATTR_STATE, "state", state.to_uapi())]),
        },
        None if pairs.is_empty() => {
            let names: Vec<String> = P::keywords(false).iter().map(|k| k.to_string()).collect();
            Err(Usage(format!(
                "nothing to set: give {STATE} or some of {}",
                names.join(", ")
            )))
        }
        None => P::config(pairs, false),
    }
}

/// The id attribute, then `rest`.
fn with_id<P: Profile>(id: u64, rest: Vec<Attr>) -> Vec<Attr> {
    let mut attrs = vec![Attr::u64(P::ATTR_ID, "id", id)];
    attrs.extend(rest);
    attrs
}

/// Runs a profile command.
pub fn run<P: Profile>(command: Command, format: Format) -> Result<(), Failure> {
    match command {
        Command::Add { id, args } => {
            let pairs = keywords::parse(&args, &P::keywords(true))?;
            let attrs = with_id::<P>(id, P::config(&pairs, true)?);
            Ok(Mrc::open()?.change(P::NEW, &attrs)?)
        }
        Command::Set { id, args } => {
            let pairs = keywords::parse(&args, &set_keywords::<P>())?;
            let attrs = with_id::<P>(id, set_attrs::<P>(&pairs)?);
            Ok(Mrc::open()?.change(P::SET, &attrs)?)
        }
        Command::Show { id, args } => {
            let key = match id {
                Some(id) => {
                    let pairs = keywords::parse(&args, &P::show_keywords())?;
                    Some(with_id::<P>(id, P::show_attrs(&pairs)?))
                }
                None => None,
            };
            let found = Mrc::open()?.show(P::GET, &[], key.as_deref())?;
            output::print(&found.map(P::shown), format)
        }
        Command::Del { id } => Ok(Mrc::open()?.change(P::DEL, &with_id::<P>(id, Vec::new()))?),
    }
}
