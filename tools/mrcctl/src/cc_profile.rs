//! `mrcctl cc-profile`: congestion control profiles (NSCC's parameters).

use serde::Serialize;

use crate::keywords::{Keyword, Pairs, Usage};
use crate::nl::uapi::*;
use crate::nl::{Attr, Reply};
use crate::output::Render;
use crate::profile::{state_of, Profile, State};
use crate::values;

/// How a parameter's value reads and travels.
#[derive(Clone, Copy)]
enum Kind {
    /// A time with an optional unit (ns, us, ms, s), in ns, u64.
    Time,
    /// A number, u32.
    Number,
    /// on or off, u8.
    Bool,
}

/// One of NSCC's parameters: its keyword (the spec's attribute name),
/// attribute and kind.
struct Param {
    keyword: Keyword,
    attr: u16,
    kind: Kind,
}

const fn param(name: &'static str, value: &'static str, attr: u16, kind: Kind) -> Param {
    Param {
        keyword: Keyword::once(name, value),
        attr,
        kind,
    }
}

/// NSCC's parameters (fractions are 1/1024), a line each.
#[rustfmt::skip]
const PARAMS: [Param; 14] = [
    param("base-rtt", "TIME", MRC_A_CC_PROFILE_BASE_RTT, Kind::Time),
    param("target-delay", "TIME", MRC_A_CC_PROFILE_TARGET_DELAY, Kind::Time),
    param("eta", "BYTES", MRC_A_CC_PROFILE_ETA, Kind::Number),
    param("fi", "BYTES", MRC_A_CC_PROFILE_FI, Kind::Number),
    param("fi-scale", "N/1024", MRC_A_CC_PROFILE_FI_SCALE, Kind::Number),
    param("gamma", "N/1024", MRC_A_CC_PROFILE_GAMMA, Kind::Number),
    param("max-md-jump", "N/1024", MRC_A_CC_PROFILE_MAX_MD_JUMP, Kind::Number),
    param("max-cwnd", "BYTES", MRC_A_CC_PROFILE_MAX_CWND, Kind::Number),
    param("qa-gate", "SHIFT", MRC_A_CC_PROFILE_QA_GATE, Kind::Number),
    param("qa-threshold", "TIME", MRC_A_CC_PROFILE_QA_THRESHOLD, Kind::Time),
    param("adjust-bytes", "BYTES", MRC_A_CC_PROFILE_ADJUST_BYTES, Kind::Number),
    param("adjust-period", "TIME", MRC_A_CC_PROFILE_ADJUST_PERIOD, Kind::Time),
    param("disable-qa", "{ on | off }", MRC_A_CC_PROFILE_DISABLE_QA, Kind::Bool),
    param("mtu", "BYTES", MRC_A_CC_PROFILE_MTU, Kind::Number),
];

/// `add`'s: the path's rate in bytes/s (default 125000000, 1 Gb/s), which
/// the defaults scale to.
const LINK_RATE: Keyword = Keyword::once("link-rate", "BYTES/S");

/// The attribute a parameter's value asks for.
fn param_attr(p: &Param, pairs: &Pairs) -> Result<Option<Attr>, Usage> {
    let name = p.keyword.name;
    Ok(match p.kind {
        Kind::Time => pairs
            .one(name, values::duration_ns)?
            .map(|v| Attr::u64(p.attr, name, v)),
        Kind::Number => pairs
            .one(name, values::number_u32)?
            .map(|v| Attr::u32(p.attr, name, v)),
        Kind::Bool => pairs
            .one(name, values::on_off)?
            .map(|v| Attr::u8(p.attr, name, u8::from(v))),
    })
}

// Fields alike the other objects' by shape only: each object is its own JSON, named as scripts read it.
/// One CC profile as the kernel shows it.
#[derive(Serialize)]
pub struct CcProfile {
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
            if self.disable_qa { "on" } else { "off" },
            self.adjust_bytes,
            self.adjust_period_ns
        )
    }
}

/// `mrcctl cc-profile`.
pub struct CcProfiles;

// Alike the other Profile impls on purpose: only this kind's numbers and keywords; profile::run runs the commands.
impl Profile for CcProfiles {
    const NEW: u8 = MRC_CMD_CC_PROFILE_NEW;
    const SET: u8 = MRC_CMD_CC_PROFILE_SET;
    const GET: u8 = MRC_CMD_CC_PROFILE_GET;
    const DEL: u8 = MRC_CMD_CC_PROFILE_DEL;
    const ATTR_ID: u16 = MRC_A_CC_PROFILE_ID;
    const ATTR_STATE: u16 = MRC_A_CC_PROFILE_STATE;
    type Shown = CcProfile;

    fn keywords(add: bool) -> Vec<Keyword> {
        let params = PARAMS.iter().map(|p| p.keyword);
        if add {
            params.chain([LINK_RATE]).collect()
        } else {
            params.collect()
        }
    }

    fn config(pairs: &Pairs, add: bool) -> Result<Vec<Attr>, Usage> {
        let mut attrs = Vec::new();
        for p in &PARAMS {
            attrs.extend(param_attr(p, pairs)?);
        }
        if add {
            attrs.push(Attr::u32(MRC_A_CC_PROFILE_ALGO, "algo", MRC_CC_ALGO_NSCC));
            if let Some(rate) = pairs.one(LINK_RATE.name, values::number)? {
                attrs.push(Attr::u64(MRC_A_CC_PROFILE_LINK_RATE, "link-rate", rate));
            }
        }
        Ok(attrs)
    }

    fn shown(reply: &Reply, _one: bool) -> CcProfile {
        CcProfile::from(reply)
    }
}
