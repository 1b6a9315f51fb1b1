//! `cc-profile-*`: congestion control profiles: NSCC's parameters, from
//! defaults scaled to a path's bandwidth-delay product, each checked by the
//! protocol core; the profile state machine is the EV profiles' one.

use super::attr::Name;
use super::profile::{self, Kind};
use super::state;
use crate::control::cc_profile::CcProfile;
use crate::control::{Control, Profiles, MAX_CC_PROFILES};
use crate::ffi::bindings;
use crate::ffi::errno;
use crate::ffi::genl::{Attrs, Message, Refusal, Request};
use crate::proto::ev::{Lifecycle, ProfileState};
use crate::proto::nscc::{NsccConfig, NsccError};
use kernel::error::code;
use kernel::prelude::*;
use kernel::rbtree::RBTree;

const ID: Name = Name::new(bindings::MRC_A_CC_PROFILE_ID, "id");
const STATE: Name = Name::new(bindings::MRC_A_CC_PROFILE_STATE, "state");
const ALGO: Name = Name::new(bindings::MRC_A_CC_PROFILE_ALGO, "algo");
const LINK_RATE: Name = Name::new(bindings::MRC_A_CC_PROFILE_LINK_RATE, "link-rate");
const BASE_RTT: Name = Name::new(bindings::MRC_A_CC_PROFILE_BASE_RTT, "base-rtt");
const TARGET_DELAY: Name = Name::new(bindings::MRC_A_CC_PROFILE_TARGET_DELAY, "target-delay");
const ETA: Name = Name::new(bindings::MRC_A_CC_PROFILE_ETA, "eta");
const FI: Name = Name::new(bindings::MRC_A_CC_PROFILE_FI, "fi");
const FI_SCALE: Name = Name::new(bindings::MRC_A_CC_PROFILE_FI_SCALE, "fi-scale");
const GAMMA: Name = Name::new(bindings::MRC_A_CC_PROFILE_GAMMA, "gamma");
const MAX_MD_JUMP: Name = Name::new(bindings::MRC_A_CC_PROFILE_MAX_MD_JUMP, "max-md-jump");
const MAX_CWND: Name = Name::new(bindings::MRC_A_CC_PROFILE_MAX_CWND, "max-cwnd");
const QA_GATE: Name = Name::new(bindings::MRC_A_CC_PROFILE_QA_GATE, "qa-gate");
const QA_THRESHOLD: Name = Name::new(bindings::MRC_A_CC_PROFILE_QA_THRESHOLD, "qa-threshold");
const ADJUST_BYTES: Name = Name::new(bindings::MRC_A_CC_PROFILE_ADJUST_BYTES, "adjust-bytes");
const ADJUST_PERIOD: Name = Name::new(bindings::MRC_A_CC_PROFILE_ADJUST_PERIOD, "adjust-period");
const DISABLE_QA: Name = Name::new(bindings::MRC_A_CC_PROFILE_DISABLE_QA, "disable-qa");
const MTU: Name = Name::new(bindings::MRC_A_CC_PROFILE_MTU, "mtu");
const USERS: Name = Name::new(bindings::MRC_A_CC_PROFILE_USERS, "users");

/// The defaults' path when a new request names none: 1 Gb/s, 2 ms (the
/// order of the test fabric's paths, as the sockets' built-in defaults).
const DEFAULT_LINK_RATE: u64 = 125_000_000;
const DEFAULT_BASE_RTT_NS: u64 = 2_000_000;

/// The attribute each NSCC rule is about.
fn named(e: NsccError) -> (Name, &'static str) {
    match e {
        NsccError::BaseRtt => (BASE_RTT, "must be 1 ns ..= 2^40 ns"),
        NsccError::TargetDelay => (TARGET_DELAY, "must be 1 ns ..= 2^40 ns"),
        NsccError::Mtu => (MTU, "must not be 0"),
        NsccError::MaxCwnd => (MAX_CWND, "must be at least mtu"),
        NsccError::Increase => (ETA, "eta and fi must not exceed max-cwnd"),
        NsccError::FiScale => (FI_SCALE, "must not exceed 1024"),
        NsccError::Gamma => (GAMMA, "must be 1..=1024"),
        NsccError::MaxMdJump => (MAX_MD_JUMP, "must be 1..=1023"),
        NsccError::QaGate => (QA_GATE, "must not exceed 31"),
        NsccError::QaThreshold => (QA_THRESHOLD, "must be target-delay ..= 2^40 ns"),
        NsccError::AdjustPeriod => (ADJUST_PERIOD, "must be 1 ns ..= 2^40 ns"),
    }
}

/// Sets each slot whose attribute the request gives, read with `read`.
fn set_given<'a, T, const N: usize>(
    attrs: Attrs<'a>,
    slots: [(Name, &mut T); N],
    read: impl Fn(&Name, Attrs<'a>) -> Result<Option<T>, Refusal<'a>>,
) -> Result<(), Refusal<'a>> {
    for (name, slot) in slots {
        if let Some(v) = read(&name, attrs)? {
            *slot = v;
        }
    }
    Ok(())
}

/// `base` with the parameters the request gives, checked as a whole.
fn requested<'a>(attrs: Attrs<'a>, base: NsccConfig) -> Result<NsccConfig, Refusal<'a>> {
    let mut c = base;
    let u64s = [
        (TARGET_DELAY, &mut c.target_delay_ns),
        (QA_THRESHOLD, &mut c.qa_threshold_ns),
        (ADJUST_PERIOD, &mut c.adjust_period_threshold_ns),
        (BASE_RTT, &mut c.base_rtt_ns),
    ];
    set_given(attrs, u64s, Name::u64)?;
    let u32s = [
        (ETA, &mut c.eta),
        (FI, &mut c.fi),
        (FI_SCALE, &mut c.fi_scale),
        (GAMMA, &mut c.gamma),
        (MAX_MD_JUMP, &mut c.max_md_jump),
        (MAX_CWND, &mut c.max_cwnd),
        (ADJUST_BYTES, &mut c.adjust_bytes_threshold),
        (MTU, &mut c.mtu),
    ];
    set_given(attrs, u32s, Name::u32)?;
    if let Some(v) = QA_GATE.u32(attrs)? {
        c.qa_gate = u8::try_from(v).unwrap_or(u8::MAX);
    }
    if let Some(v) = DISABLE_QA.u8(attrs)? {
        c.disable_qa = v != 0;
    }
    c.validate().map_err(|e| {
        let (name, why) = named(e);
        name.refuse(code::EINVAL, attrs, why)
    })?;
    Ok(c)
}

// A twin by shape of conn.rs's `fill` (one put per attribute): deliberate, each
// writes its own attribute set.
fn fill(msg: &mut Message<'_>, p: &CcProfile) -> Result {
    let c = &p.config;
    msg.put_u64(ID.ty, p.id)?;
    msg.put_u32(STATE.ty, state::to_uapi(p.life.state()))?;
    msg.put_u32(ALGO.ty, bindings::mrc_cc_algo::MRC_CC_ALGO_NSCC)?;
    msg.put_u64(BASE_RTT.ty, c.base_rtt_ns)?;
    msg.put_u64(TARGET_DELAY.ty, c.target_delay_ns)?;
    msg.put_u32(ETA.ty, c.eta)?;
    msg.put_u32(FI.ty, c.fi)?;
    msg.put_u32(FI_SCALE.ty, c.fi_scale)?;
    msg.put_u32(GAMMA.ty, c.gamma)?;
    msg.put_u32(MAX_MD_JUMP.ty, c.max_md_jump)?;
    msg.put_u32(MAX_CWND.ty, c.max_cwnd)?;
    msg.put_u32(QA_GATE.ty, u32::from(c.qa_gate))?;
    msg.put_u64(QA_THRESHOLD.ty, c.qa_threshold_ns)?;
    msg.put_u32(ADJUST_BYTES.ty, c.adjust_bytes_threshold)?;
    msg.put_u64(ADJUST_PERIOD.ty, c.adjust_period_threshold_ns)?;
    msg.put_u8(DISABLE_QA.ty, u8::from(c.disable_qa))?;
    msg.put_u32(MTU.ty, c.mtu)?;
    msg.put_u32(USERS.ty, p.life.users())
}

/// `cc-profile-new`: INIT, the defaults for `link-rate` and `base-rtt`,
/// then the parameters given.
pub(crate) fn new<'a>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let id = ID.required_u64(attrs)?;
    if ALGO
        .u32(attrs)?
        .is_some_and(|a| a != bindings::mrc_cc_algo::MRC_CC_ALGO_NSCC)
    {
        return Err(ALGO.refuse(errno::eopnotsupp(), attrs, "only nscc"));
    }
    let rate = LINK_RATE.u64(attrs)?.unwrap_or(DEFAULT_LINK_RATE);
    if rate == 0 {
        return Err(LINK_RATE.refuse(code::EINVAL, attrs, "must not be 0"));
    }
    let rtt = BASE_RTT.u64(attrs)?.unwrap_or(DEFAULT_BASE_RTT_NS);
    let config = requested(attrs, NsccConfig::for_path(rate, rtt))?;
    let mut profiles = control.profiles();
    profile::vacancy::<CcProfiles>(&profiles, id, attrs)?;
    let profile = CcProfile {
        id,
        config,
        life: Lifecycle::new(),
    };
    profiles
        .cc_profiles
        .try_create_and_insert(id, profile, GFP_KERNEL)?;
    Ok(())
}

/// `cc-profile-set`: parameters (not while ONLINE), or a state change.
pub(crate) fn set<'a>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let to = state::requested(&STATE, attrs, &ID)?;
    let mut profiles = control.profiles();
    let profile = profile::find_mut::<CcProfiles>(&mut profiles, attrs)?;
    if let Some(to) = to {
        return profile
            .life
            .transition(to)
            .map_err(|e| STATE.refuse(state::errno(e), attrs, e.rule()));
    }
    if attrs.count() < 2 {
        return Err(ID.refuse(code::EINVAL, attrs, "nothing to change"));
    }
    profile
        .life
        .check_reconfigure()
        .map_err(|e| STATE.refuse(state::errno(e), attrs, e.rule()))?;
    profile.config = requested(attrs, profile.config)?;
    Ok(())
}

/// CC profiles, for the requests all kinds share.
pub(super) struct CcProfiles;

// A deliberate twin of the other kinds' `impl Kind` (ev_fmt.rs, ev_profile.rs):
// each holds only its kind's data; the requests around it are written once, in
// profile.rs.
impl Kind for CcProfiles {
    type Stored = CcProfile;
    const ID: Name = ID;
    const GET: u32 = bindings::MRC_CMD_CC_PROFILE_GET;
    const REPLY_SIZE: usize = 512;
    const MAX: usize = MAX_CC_PROFILES;
    const UNKNOWN: &'static str = "no CC profile has this id";
    const TAKEN: &'static str = "a CC profile has this id";
    const FULL: &'static str = "the namespace has 64 CC profiles";

    fn table(profiles: &Profiles) -> &RBTree<u64, CcProfile> {
        &profiles.cc_profiles
    }

    fn table_mut(profiles: &mut Profiles) -> &mut RBTree<u64, CcProfile> {
        &mut profiles.cc_profiles
    }

    fn state(profile: &CcProfile) -> ProfileState {
        profile.life.state()
    }

    fn fill(msg: &mut Message<'_>, profile: &CcProfile) -> Result {
        fill(msg, profile)
    }
}
