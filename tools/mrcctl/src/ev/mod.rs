//! `mrcctl ev`: entropy values. Offline commands only so far: they compute
//! with the protocol core's own code and need no kernel module.

pub mod args;
mod expand;

use clap::Subcommand;

pub use args::Mode;

use crate::output::Format;

/// `mrcctl ev COMMAND`.
#[derive(Subcommand, Debug)]
pub enum EvCommand {
    /// Expand an EV through a format and EV fields, as the datapath does
    /// (offline: no kernel module needed).
    Expand(expand::ExpandArgs),
}

/// Runs an `ev` command.
pub fn run(command: EvCommand, format: Format) -> Result<(), String> {
    match command {
        EvCommand::Expand(args) => expand::run(&args, format),
    }
}
