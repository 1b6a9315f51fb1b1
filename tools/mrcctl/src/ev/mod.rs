//! `mrcctl ev`: entropy values. Offline commands only so far: they compute
//! with the protocol core's own code and need no kernel module.

pub mod args;
mod expand;
mod profile_ev;

use clap::Subcommand;

pub use args::Mode;

use crate::output::Format;
use crate::Failure;

/// `mrcctl ev COMMAND`.
#[derive(Subcommand, Debug)]
pub enum EvCommand {
    /// Expand an EV through a format and EV fields, as the datapath does
    /// (offline: no kernel module needed).
    Expand(expand::ExpandArgs),
    /// Deny, allow or replace one EV of an EV profile.
    Set(profile_ev::SetArgs),
    /// Show one EV of an EV profile, or all of them.
    Show(profile_ev::ShowArgs),
}

/// Runs an `ev` command.
pub fn run(command: EvCommand, format: Format) -> Result<(), Failure> {
    match command {
        EvCommand::Expand(args) => expand::run(&args, format).map_err(Failure::Invalid),
        EvCommand::Set(args) => profile_ev::set(&args),
        EvCommand::Show(args) => profile_ev::show(&args, format),
    }
}
