//! What the three kinds of profile (EV format, EV, CC) have in common on
//! the netlink side: a table of the namespace by id, bounded in size,
//! shown one by one (get) or in id order (dump), deleted unless ONLINE.
//! Each kind says where its table is and how one of its profiles is
//! written; the requests around that are written once, here.

use super::attr::Name;
use crate::control::{Control, Profiles};
use crate::ffi::genl::{Attrs, Dump, Message, Refusal, Request};
use crate::proto::ev::ProfileState;
use kernel::error::code;
use kernel::prelude::*;
use kernel::rbtree::RBTree;

/// One kind of profile.
pub(super) trait Kind {
    /// A profile as the namespace stores it.
    type Stored;
    /// The id attribute of the kind's attribute set.
    const ID: Name;
    /// The get command, whose messages a dump writes too.
    const GET: u32;
    /// Room for a reply without EVs.
    const REPLY_SIZE: usize;
    /// Most profiles of the kind per namespace.
    const MAX: usize;
    /// The refusals' words: "no EV profile has this id", "an EV profile
    /// has this id", "the namespace has 64 EV profiles".
    const UNKNOWN: &'static str;
    const TAKEN: &'static str;
    const FULL: &'static str;

    /// The namespace's table of the kind.
    fn table(profiles: &Profiles) -> &RBTree<u64, Self::Stored>;
    fn table_mut(profiles: &mut Profiles) -> &mut RBTree<u64, Self::Stored>;
    /// Where the profile is in the profile state machine.
    fn state(profile: &Self::Stored) -> ProfileState;
    /// Writes the profile as get and dump show it (a dump leaves the EVs
    /// out).
    fn fill(msg: &mut Message<'_>, profile: &Self::Stored) -> Result;
}

/// The id the request names and its profile (ENOENT if none).
fn lookup<'p, 'a, K: Kind>(
    profiles: &'p Profiles,
    attrs: Attrs<'a>,
) -> Result<(u64, &'p K::Stored), Refusal<'a>> {
    let id = K::ID.required_u64(attrs)?;
    let profile = K::table(profiles)
        .get(&id)
        .ok_or_else(|| unknown::<K>(attrs))?;
    Ok((id, profile))
}

/// The profile the request's id names (ENOENT if none).
pub(super) fn find<'p, 'a, K: Kind>(
    profiles: &'p Profiles,
    attrs: Attrs<'a>,
) -> Result<&'p K::Stored, Refusal<'a>> {
    lookup::<K>(profiles, attrs).map(|(_, profile)| profile)
}

/// The profile the request's id names, to change (ENOENT if none).
pub(super) fn find_mut<'p, 'a, K: Kind>(
    profiles: &'p mut Profiles,
    attrs: Attrs<'a>,
) -> Result<&'p mut K::Stored, Refusal<'a>> {
    let id = K::ID.required_u64(attrs)?;
    K::table_mut(profiles)
        .get_mut(&id)
        .ok_or_else(|| unknown::<K>(attrs))
}

/// ENOENT: no profile of the kind has the request's id.
fn unknown<'a, K: Kind>(attrs: Attrs<'a>) -> Refusal<'a> {
    K::ID.refuse(code::ENOENT, attrs, K::UNKNOWN)
}

/// Whether a new profile `id` may be added: EEXIST if the id is taken,
/// ENOSPC if the namespace has as many as it may.
pub(super) fn vacancy<'a, K: Kind>(
    profiles: &Profiles,
    id: u64,
    attrs: Attrs<'a>,
) -> Result<(), Refusal<'a>> {
    let table = K::table(profiles);
    if table.get(&id).is_some() {
        return Err(K::ID.refuse(code::EEXIST, attrs, K::TAKEN));
    }
    if table.keys().count() >= K::MAX {
        return Err(K::ID.refuse(code::ENOSPC, attrs, K::FULL));
    }
    Ok(())
}

/// `*-get` (do).
pub(super) fn get<'a, K: Kind>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let profiles = control.profiles();
    let profile = find::<K>(&profiles, req.attrs())?;
    Ok(req.reply(K::GET, K::REPLY_SIZE, |msg| K::fill(msg, profile))?)
}

/// `*-get` (dump), in id order; the cursor is the last id written.
pub(super) fn dump<'a, K: Kind>(control: &Control, dump: &mut Dump<'a>) -> Result<(), Refusal<'a>> {
    let after = dump.cursor();
    let profiles = control.profiles();
    for (&id, profile) in K::table(&profiles).iter().filter(|(&id, _)| id > after) {
        if !dump.entry(K::GET, id, |msg| K::fill(msg, profile))? {
            break;
        }
    }
    Ok(())
}

/// `*-del`: any profile that is not ONLINE.
pub(super) fn del<'a, K: Kind>(control: &Control, req: &Request<'a>) -> Result<(), Refusal<'a>> {
    let attrs = req.attrs();
    let mut profiles = control.profiles();
    let (id, profile) = lookup::<K>(&profiles, attrs)?;
    if K::state(profile) == ProfileState::Online {
        return Err(K::ID.refuse(
            code::EBUSY,
            attrs,
            "the profile is ONLINE: set it OFFLINE first",
        ));
    }
    K::table_mut(&mut profiles).remove(&id);
    Ok(())
}
