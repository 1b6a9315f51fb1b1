//! `mrcctl`: the MRC controller CLI, iproute2 style: `mrcctl [-j] [-p]
//! [-d] OBJECT COMMAND [ID...] [KEYWORD VALUE]...`. clap reads the options,
//! objects, commands and positional arguments, `keywords` the pairs after
//! them. One module per object; the profiles' commands run once in
//! `profile`; the netlink objects speak the generic netlink family `mrc`
//! (`nl`), `ev expand` is offline.
//!
//! Exit codes: 0 success; 1 the request is invalid or the kernel refused
//! it; 2 usage (unknown command or keyword, malformed value); 3 mrc.ko is
//! not loaded; 4 permission denied (changes need CAP_NET_ADMIN).

mod cc_profile;
mod conn;
mod dev;
mod ev;
mod ev_fmt;
mod ev_profile;
mod keywords;
mod monitor;
mod nl;
mod output;
mod probe;
mod profile;
mod values;

use std::fmt;
use std::net::Ipv6Addr;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use cc_profile::CcProfiles;
use ev_fmt::EvFmts;
use ev_profile::EvProfiles;
use keywords::Usage;
use output::Format;

/// Exit code: the request is invalid, or the kernel refused it.
const EXIT_INVALID: u8 = 1;
/// Exit code: the command line is wrong (clap's too).
const EXIT_USAGE: u8 = 2;
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
    /// Show details (conn show: each EV).
    #[arg(short = 'd', long = "details", global = true)]
    details: bool,
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
    EvFmt(profile::Command),
    /// EV profiles: the EVs a connection sprays over.
    #[command(subcommand, name = "ev-profile")]
    EvProfile(profile::Command),
    /// Congestion control (NSCC) profiles.
    #[command(subcommand, name = "cc-profile")]
    CcProfile(profile::Command),
    /// Print EV state changes as they happen (the events group).
    Monitor {
        #[arg(trailing_var_arg = true, value_name = "KEYWORD VALUE")]
        args: Vec<String>,
    },
    /// Entropy values: one EV of a profile, or expanded offline.
    #[command(subcommand)]
    Ev(ev::EvCommand),
    /// Live connections (like ss): endpoints, state, profiles, RTT,
    /// window, counters, and each EV's (-d).
    #[command(subcommand)]
    Conn(conn::ConnCommand),
    /// Probe EVs toward a host: each EV's RTT, or a timeout.
    Probe {
        /// The host to probe (IPv6 address); its mrc.ko answers.
        addr: Ipv6Addr,
        #[arg(trailing_var_arg = true, value_name = "KEYWORD VALUE")]
        args: Vec<String>,
    },
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong: a keyword or its value.
    Usage(Usage),
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

impl From<Usage> for Failure {
    fn from(u: Usage) -> Failure {
        Failure::Usage(u)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(u) => u.fmt(f),
            Failure::Invalid(m) | Failure::Output(m) => f.write_str(m),
            Failure::Nl(n) => n.fmt(f),
        }
    }
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => EXIT_USAGE,
            Failure::Nl(nl::Failure::NoFamily) => EXIT_NO_MODULE,
            Failure::Nl(nl::Failure::Refused { errno, .. }) if *errno == nl::EPERM => {
                EXIT_PERMISSION
            }
            _ => EXIT_INVALID,
        }
    }
}

/// The command line's parser, each command's `--help` listing the keywords
/// it takes (from the tables its parser takes them from).
fn command() -> clap::Command {
    Cli::command()
        .mut_subcommand("ev-fmt", profile::with_keywords::<EvFmts>)
        .mut_subcommand("ev-profile", profile::with_keywords::<EvProfiles>)
        .mut_subcommand("cc-profile", profile::with_keywords::<CcProfiles>)
        .mut_subcommand("ev", ev::with_keywords)
        .mut_subcommand("monitor", |c| {
            c.after_help(keywords::help(&monitor::KEYWORDS))
        })
        .mut_subcommand("probe", |c| c.after_help(keywords::help(&probe::KEYWORDS)))
}

fn main() -> ExitCode {
    let cli = Cli::from_arg_matches(&command().get_matches()).unwrap_or_else(|e| e.exit());
    let format = Format::new(cli.json, cli.pretty);
    let result = match cli.object {
        Object::Dev(command) => dev::run(command, format),
        Object::EvFmt(command) => profile::run::<EvFmts>(command, format),
        Object::EvProfile(command) => profile::run::<EvProfiles>(command, format),
        Object::CcProfile(command) => profile::run::<CcProfiles>(command, format),
        Object::Monitor { args } => monitor::run(&args, format),
        Object::Ev(command) => ev::run(command, format),
        Object::Conn(command) => conn::run(command, cli.details, format),
        Object::Probe { addr, args } => probe::run(&addr, &args, format),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("mrcctl: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
