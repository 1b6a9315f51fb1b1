//! `mrcctl`: the MRC controller CLI, iproute2 style: `mrcctl [-j] [-p]
//! OBJECT COMMAND [ARGS]`. One module per object.
//!
//! Exit codes: 0 success; 1 the request is invalid (an EV profile breaks a
//! rule, an EV has stray bits); 2 usage (unknown command, malformed
//! argument).

mod ev;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use output::Format;

/// Exit code: the request is invalid.
const EXIT_INVALID: u8 = 1;

/// Configure and inspect MRC (Multipath Reliable Connection).
#[derive(Parser, Debug)]
#[command(
    name = "mrcctl",
    version,
    about,
    after_help = "Exit codes: 0 success, 1 the request is invalid, 2 usage error."
)]
struct Cli {
    /// Print JSON instead of text.
    #[arg(short = 'j', long = "json", global = true)]
    json: bool,
    /// Pretty-print JSON (implies -j).
    #[arg(short = 'p', long = "pretty", global = true)]
    pretty: bool,
    #[command(subcommand)]
    object: Object,
}

#[derive(Subcommand, Debug)]
enum Object {
    /// Entropy values: the paths a connection sprays over.
    #[command(subcommand)]
    Ev(ev::EvCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = Format::new(cli.json, cli.pretty);
    let result = match cli.object {
        Object::Ev(command) => ev::run(command, format),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mrcctl: {message}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}
