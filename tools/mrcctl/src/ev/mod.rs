//! `mrcctl ev`: entropy values: one EV of an EV profile, as the controller
//! handles it, or an EV expanded offline with the protocol core's own code
//! (no kernel module needed).

pub mod args;
mod expand;
mod profile_ev;

use clap::Subcommand;

use crate::keywords;
use crate::output::Format;
use crate::values;
use crate::Failure;

/// `mrcctl ev COMMAND`.
#[derive(Subcommand, Debug)]
pub enum EvCommand {
    /// Expand an EV through a format and EV fields, as the datapath does
    /// (offline: no kernel module needed).
    Expand {
        #[arg(trailing_var_arg = true, value_name = "KEYWORD VALUE")]
        args: Vec<String>,
    },
    /// Deny, allow or replace one EV of an EV profile.
    Set {
        /// The EV profile.
        #[arg(value_parser = values::id)]
        profile: u64,
        /// The EV's index in the profile.
        #[arg(value_parser = values::number_u32)]
        index: u32,
        #[arg(trailing_var_arg = true, value_name = "KEYWORD VALUE")]
        args: Vec<String>,
    },
    /// Show one EV of an EV profile, or all of them.
    Show {
        /// The EV profile.
        #[arg(value_parser = values::id)]
        profile: u64,
        /// One EV; every EV of the profile without it.
        #[arg(value_parser = values::number_u32)]
        index: Option<u32>,
    },
}

/// `ev` with each command's keywords in its `--help`.
pub fn with_keywords(ev: clap::Command) -> clap::Command {
    ev.mut_subcommand("expand", |c| {
        c.after_help(keywords::help(&expand::KEYWORDS))
    })
    .mut_subcommand("set", |c| {
        c.after_help(keywords::help(&profile_ev::SET_KEYWORDS))
    })
}

/// Runs an `ev` command.
pub fn run(command: EvCommand, format: Format) -> Result<(), Failure> {
    match command {
        EvCommand::Expand { args } => expand::run(&args, format),
        EvCommand::Set {
            profile,
            index,
            args,
        } => profile_ev::set(profile, index, &args),
        EvCommand::Show { profile, index } => profile_ev::show(profile, index, format),
    }
}
