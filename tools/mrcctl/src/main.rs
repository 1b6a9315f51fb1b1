//! `mrcctl`: the MRC controller CLI, iproute2 style: `mrcctl [-j] [-p]
//! OBJECT COMMAND [ARGS]`. One module per object; the netlink objects
//! speak the generic netlink family `mrc` (`nl`), `ev expand` is offline.
//!
//! Exit codes: 0 success; 1 the request is invalid or the kernel refused
//! it; 2 usage (unknown command, malformed argument); 3 mrc.ko is not
//! loaded; 4 permission denied (changes need CAP_NET_ADMIN).

mod cc_profile;
mod conn;
mod dev;
mod ev;
mod ev_fmt;
mod ev_profile;
mod monitor;
mod nl;
mod output;
mod probe;
mod profile;

use std::fmt;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use output::Format;

/// Exit code: the request is invalid, or the kernel refused it.
const EXIT_INVALID: u8 = 1;
/// Exit code: the family does not exist (mrc.ko is not loaded).
const EXIT_NO_MODULE: u8 = 3;
/// Exit code: EPERM.
const EXIT_PERMISSION: u8 = 4;

/// Configure and inspect MRC (Multipath Reliable Connection).
#[derive(Parser, Debug)]
#[command(
    name = "mrcctl",
    version,
    about,
    after_help = "Exit codes: 0 success, 1 the request is invalid or refused, 2 usage error, \
                  3 mrc.ko is not loaded, 4 permission denied."
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
    /// What the loaded mrc.ko supports.
    #[command(subcommand)]
    Dev(dev::DevCommand),
    /// EV format profiles: how an EV sits on the wire.
    #[command(subcommand, name = "ev-fmt")]
    EvFmt(ev_fmt::EvFmtCommand),
    /// EV profiles: the EVs a connection sprays over.
    #[command(subcommand, name = "ev-profile")]
    EvProfile(ev_profile::EvProfileCommand),
    /// Congestion control (NSCC) profiles.
    #[command(subcommand, name = "cc-profile")]
    CcProfile(cc_profile::CcProfileCommand),
    /// Print EV state changes as they happen (the events group).
    Monitor(monitor::MonitorArgs),
    /// Entropy values: one EV of a profile, or expanded offline.
    #[command(subcommand)]
    Ev(ev::EvCommand),
    /// Live connections (like ss): endpoints, state, profiles, RTT,
    /// window, counters, and each EV's.
    #[command(subcommand)]
    Conn(conn::ConnCommand),
    /// Probe EVs toward a host: each EV's RTT, or a timeout.
    Probe(probe::ProbeArgs),
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The request breaks a rule `mrcctl` checks itself.
    Invalid(String),
    /// Netlink: the module is missing, or the kernel refused.
    Nl(nl::Failure),
    /// Printing the result failed.
    Output(String),
}

impl From<nl::Failure> for Failure {
    fn from(f: nl::Failure) -> Failure {
        Failure::Nl(f)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Invalid(m) | Failure::Output(m) => f.write_str(m),
            Failure::Nl(n) => n.fmt(f),
        }
    }
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Nl(nl::Failure::NoFamily) => EXIT_NO_MODULE,
            Failure::Nl(nl::Failure::Refused { errno, .. }) if *errno == nl::EPERM => {
                EXIT_PERMISSION
            }
            _ => EXIT_INVALID,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = Format::new(cli.json, cli.pretty);
    let result = match cli.object {
        Object::Dev(command) => dev::run(command, format),
        Object::EvFmt(command) => ev_fmt::run(command, format),
        Object::EvProfile(command) => ev_profile::run(command, format),
        Object::CcProfile(command) => cc_profile::run(command, format),
        Object::Monitor(args) => monitor::run(&args, format),
        Object::Ev(command) => ev::run(command, format),
        Object::Conn(command) => conn::run(command, format),
        Object::Probe(args) => probe::run(&args, format),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("mrcctl: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
