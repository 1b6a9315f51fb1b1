//! `mrcctl cc-profile`: congestion control profiles (NSCC's parameters).

use clap::{Args, Subcommand};
use serde::Serialize;

use crate::nl::uapi::*;
use crate::nl::{Attr, Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::profile::{self, state_of, State};
use crate::Failure;

/// `mrcctl cc-profile COMMAND`.
#[derive(Subcommand, Debug)]
pub enum CcProfileCommand {
    /// Create a CC profile (INIT): defaults for the path's rate and base
    /// RTT, then the parameters given.
    Add(AddArgs),
    /// Change parameters (not while ONLINE), or move it to a state.
    Set(SetArgs),
    /// Show one profile, or all.
    Show {
        #[arg(value_parser = profile::id)]
        id: Option<u64>,
    },
    /// Delete a profile that is not ONLINE.
    Del {
        #[arg(value_parser = profile::id)]
        id: u64,
    },
}

/// NSCC's parameters (times take ns, us, ms or s; fractions are 1/1024).
#[derive(Args, Debug)]
pub struct Params {
    /// The profile's id (1 or more).
    #[arg(value_parser = profile::id)]
    id: u64,
    #[arg(long, value_parser = profile::duration_ns, value_name = "TIME")]
    base_rtt: Option<u64>,
    #[arg(long, value_parser = profile::duration_ns, value_name = "TIME")]
    target_delay: Option<u64>,
    #[arg(long, value_name = "BYTES")]
    eta: Option<u32>,
    #[arg(long, value_name = "BYTES")]
    fi: Option<u32>,
    #[arg(long, value_name = "N/1024")]
    fi_scale: Option<u32>,
    #[arg(long, value_name = "N/1024")]
    gamma: Option<u32>,
    #[arg(long, value_name = "N/1024")]
    max_md_jump: Option<u32>,
    #[arg(long, value_name = "BYTES")]
    max_cwnd: Option<u32>,
    #[arg(long, value_name = "SHIFT")]
    qa_gate: Option<u32>,
    #[arg(long, value_parser = profile::duration_ns, value_name = "TIME")]
    qa_threshold: Option<u64>,
    #[arg(long, value_name = "BYTES")]
    adjust_bytes: Option<u32>,
    #[arg(long, value_parser = profile::duration_ns, value_name = "TIME")]
    adjust_period: Option<u64>,
    /// Quick adapt off (true) or on (false).
    #[arg(long, value_name = "BOOL")]
    disable_qa: Option<bool>,
    #[arg(long, value_name = "BYTES")]
    mtu: Option<u32>,
}

/// `add`: the parameters and the path their defaults scale to.
#[derive(Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    params: Params,
    /// The path's rate in bytes/s (default 125000000, 1 Gb/s).
    #[arg(long, value_name = "BYTES/S")]
    link_rate: Option<u64>,
}

/// `set`: parameters, or a state.
#[derive(Args, Debug)]
pub struct SetArgs {
    #[command(flatten)]
    params: Params,
    /// Move to this state (alone).
    #[arg(long, value_enum, conflicts_with_all = [
        "base_rtt", "target_delay", "eta", "fi", "fi_scale", "gamma", "max_md_jump",
        "max_cwnd", "qa_gate", "qa_threshold", "adjust_bytes", "adjust_period",
        "disable_qa", "mtu",
    ])]
    state: Option<State>,
}

fn param_attrs(p: &Params) -> Vec<Attr> {
    let mut attrs = vec![Attr::u64(MRC_A_CC_PROFILE_ID, "id", p.id)];
    let u64s = [
        (MRC_A_CC_PROFILE_BASE_RTT, "base-rtt", p.base_rtt),
        (
            MRC_A_CC_PROFILE_TARGET_DELAY,
            "target-delay",
            p.target_delay,
        ),
        (
            MRC_A_CC_PROFILE_QA_THRESHOLD,
            "qa-threshold",
            p.qa_threshold,
        ),
        (
            MRC_A_CC_PROFILE_ADJUST_PERIOD,
            "adjust-period",
            p.adjust_period,
        ),
    ];
    for (ty, name, v) in u64s {
        attrs.extend(v.map(|v| Attr::u64(ty, name, v)));
    }
    let u32s = [
        (MRC_A_CC_PROFILE_ETA, "eta", p.eta),
        (MRC_A_CC_PROFILE_FI, "fi", p.fi),
        (MRC_A_CC_PROFILE_FI_SCALE, "fi-scale", p.fi_scale),
        (MRC_A_CC_PROFILE_GAMMA, "gamma", p.gamma),
        (MRC_A_CC_PROFILE_MAX_MD_JUMP, "max-md-jump", p.max_md_jump),
        (MRC_A_CC_PROFILE_MAX_CWND, "max-cwnd", p.max_cwnd),
        (MRC_A_CC_PROFILE_QA_GATE, "qa-gate", p.qa_gate),
        (
            MRC_A_CC_PROFILE_ADJUST_BYTES,
            "adjust-bytes",
            p.adjust_bytes,
        ),
        (MRC_A_CC_PROFILE_MTU, "mtu", p.mtu),
    ];
    for (ty, name, v) in u32s {
        attrs.extend(v.map(|v| Attr::u32(ty, name, v)));
    }
    if let Some(off) = p.disable_qa {
        attrs.push(Attr::u8(
            MRC_A_CC_PROFILE_DISABLE_QA,
            "disable-qa",
            u8::from(off),
        ));
    }
    attrs
}

/// One CC profile as the kernel shows it.
#[derive(Serialize)]
struct CcProfile {
    id: u64,
    state: Option<State>,
    users: u32,
    algo: &'static str,
    base_rtt_ns: u64,
    target_delay_ns: u64,
    eta: u32,
    fi: u32,
    fi_scale: u32,
    gamma: u32,
    max_md_jump: u32,
    max_cwnd: u32,
    qa_gate: u32,
    qa_threshold_ns: u64,
    adjust_bytes: u32,
    adjust_period_ns: u64,
    disable_qa: bool,
    mtu: u32,
}

impl CcProfile {
    fn from(r: &Reply) -> CcProfile {
        let n32 = |ty| r.u32(ty).unwrap_or_default();
        let n64 = |ty| r.u64(ty).unwrap_or_default();
        CcProfile {
            id: n64(MRC_A_CC_PROFILE_ID),
            state: state_of(r.u32(MRC_A_CC_PROFILE_STATE)),
            users: n32(MRC_A_CC_PROFILE_USERS),
            algo: if r.u32(MRC_A_CC_PROFILE_ALGO) == Some(MRC_CC_ALGO_NSCC) {
                "nscc"
            } else {
                "unknown"
            },
            base_rtt_ns: n64(MRC_A_CC_PROFILE_BASE_RTT),
            target_delay_ns: n64(MRC_A_CC_PROFILE_TARGET_DELAY),
            eta: n32(MRC_A_CC_PROFILE_ETA),
            fi: n32(MRC_A_CC_PROFILE_FI),
            fi_scale: n32(MRC_A_CC_PROFILE_FI_SCALE),
            gamma: n32(MRC_A_CC_PROFILE_GAMMA),
            max_md_jump: n32(MRC_A_CC_PROFILE_MAX_MD_JUMP),
            max_cwnd: n32(MRC_A_CC_PROFILE_MAX_CWND),
            qa_gate: n32(MRC_A_CC_PROFILE_QA_GATE),
            qa_threshold_ns: n64(MRC_A_CC_PROFILE_QA_THRESHOLD),
            adjust_bytes: n32(MRC_A_CC_PROFILE_ADJUST_BYTES),
            adjust_period_ns: n64(MRC_A_CC_PROFILE_ADJUST_PERIOD),
            disable_qa: r.u8(MRC_A_CC_PROFILE_DISABLE_QA).unwrap_or_default() != 0,
            mtu: n32(MRC_A_CC_PROFILE_MTU),
        }
    }
}

impl Render for CcProfile {
    fn text(&self) -> String {
        format!(
            "cc-profile {} state {} users {} algo {}\n    base-rtt {}ns target-delay {}ns \
             max-cwnd {} mtu {}\n    eta {} fi {} fi-scale {} gamma {} max-md-jump {}\n    \
             qa-gate {} qa-threshold {}ns disable-qa {} adjust-bytes {} adjust-period {}ns",
            self.id,
            self.state.map_or("?", State::name),
            self.users,
            self.algo,
            self.base_rtt_ns,
            self.target_delay_ns,
            self.max_cwnd,
            self.mtu,
            self.eta,
            self.fi,
            self.fi_scale,
            self.gamma,
            self.max_md_jump,
            self.qa_gate,
            self.qa_threshold_ns,
            self.disable_qa,
            self.adjust_bytes,
            self.adjust_period_ns
        )
    }
}

#[derive(Serialize)]
#[serde(transparent)]
struct List(Vec<CcProfile>);

impl Render for List {
    fn text(&self) -> String {
        self.0
            .iter()
            .map(Render::text)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Runs a `cc-profile` command.
pub fn run(command: CcProfileCommand, format: Format) -> Result<(), Failure> {
    let mrc = Mrc::open()?;
    match command {
        CcProfileCommand::Add(args) => {
            let mut attrs = param_attrs(&args.params);
            attrs.push(Attr::u32(MRC_A_CC_PROFILE_ALGO, "algo", MRC_CC_ALGO_NSCC));
            if let Some(rate) = args.link_rate {
                attrs.push(Attr::u64(MRC_A_CC_PROFILE_LINK_RATE, "link-rate", rate));
            }
            mrc.request(MRC_CMD_CC_PROFILE_NEW, &attrs, false)?;
        }
        CcProfileCommand::Set(args) => {
            let attrs = match args.state {
                Some(state) => vec![
                    Attr::u64(MRC_A_CC_PROFILE_ID, "id", args.params.id),
                    Attr::u32(MRC_A_CC_PROFILE_STATE, "state", state.to_uapi()),
                ],
                None => param_attrs(&args.params),
            };
            mrc.request(MRC_CMD_CC_PROFILE_SET, &attrs, false)?;
        }
        CcProfileCommand::Show { id: Some(id) } => {
            let attrs = [Attr::u64(MRC_A_CC_PROFILE_ID, "id", id)];
            let replies = mrc.request(MRC_CMD_CC_PROFILE_GET, &attrs, false)?;
            let reply = replies.first().cloned().unwrap_or_default();
            output::print(&CcProfile::from(&reply), format).map_err(Failure::Output)?;
        }
        CcProfileCommand::Show { id: None } => {
            let replies = mrc.request(MRC_CMD_CC_PROFILE_GET, &[], true)?;
            let list = List(replies.iter().map(CcProfile::from).collect());
            output::print(&list, format).map_err(Failure::Output)?;
        }
        CcProfileCommand::Del { id } => {
            let attrs = [Attr::u64(MRC_A_CC_PROFILE_ID, "id", id)];
            mrc.request(MRC_CMD_CC_PROFILE_DEL, &attrs, false)?;
        }
    }
    Ok(())
}
