//! The netlink side of `mrcctl`: the generic netlink family `mrc` through
//! neli's router, requests built from [`Attr`]s, replies read as
//! [`Reply`]s, and refusals turned into a message that names the
//! attribute the kernel pointed at.

mod attrs;
pub mod uapi;

use std::cell::Cell;
use std::fmt;

use neli::consts::nl::{NlmF, Nlmsg};
use neli::consts::socket::NlFamily;
use neli::err::RouterError;
use neli::genl::{AttrTypeBuilder, Genlmsghdr, GenlmsghdrBuilder, NlattrBuilder, NoUserHeader};
use neli::nl::{NlPayload, NlmsghdrBuilder};
use neli::router::synchronous::NlRouter;
use neli::socket::synchronous::NlSocketHandle;
use neli::types::{Buffer, GenlBuffer};
use neli::utils::Groups;
use serde::Serialize;

pub use attrs::{Attr, Reply};

/// `NLMSGERR_ATTR_MSG`, `_OFFS` and `_MISS_TYPE`.
const EXTACK_MSG: u16 = 1;
const EXTACK_OFFS: u16 = 2;
const EXTACK_MISS_TYPE: u16 = 5;
/// `ENOENT`: what the controller family answers for an unknown family.
const ENOENT: i32 = 2;
/// `EPERM`: a change without CAP_NET_ADMIN.
pub const EPERM: i32 = 1;
/// Bytes before a request's attributes: nlmsghdr and genlmsghdr.
const HEADERS: usize = 16 + 4;

/// Why a request failed.
#[derive(Debug)]
pub enum Failure {
    /// The family is not registered: mrc.ko is not loaded.
    NoFamily,
    /// The kernel refused the request: errno and the extack's message,
    /// naming the attribute.
    Refused { errno: i32, message: String },
    /// The socket or the messages failed.
    Netlink(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NoFamily => write!(
                f,
                "the generic netlink family \"mrc\" does not exist: is mrc.ko loaded?"
            ),
            Failure::Refused { errno, message } => {
                let text = std::io::Error::from_raw_os_error(*errno);
                let text = text.to_string();
                let text = text.split(" (os error").next().unwrap_or_default();
                if message.is_empty() {
                    write!(f, "{text}")
                } else {
                    write!(f, "{message} ({text})")
                }
            }
            Failure::Netlink(what) => write!(f, "netlink: {what}"),
        }
    }
}

/// A connection to the family in the caller's network namespace.
///
/// Requests go through neli's socket handle rather than its router: the
/// router's typed errors lose the extended ACK (neli 0.7.5), which holds
/// the kernel's message and the offending attribute.
pub struct Mrc {
    router: NlRouter,
    socket: NlSocketHandle,
    family: u16,
    seq: Cell<u32>,
}

/// What a `show` found: the object a get asked for, or every object of a
/// dump.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Found<T> {
    One(T),
    All(Vec<T>),
}

impl<T> Found<T> {
    /// Each object as `f` reads it; `f` learns whether it is the one asked
    /// for (a dump may leave details out).
    pub fn map<U>(&self, f: impl Fn(&T, bool) -> U) -> Found<U> {
        match self {
            Found::One(t) => Found::One(f(t, true)),
            Found::All(all) => Found::All(all.iter().map(|t| f(t, false)).collect()),
        }
    }
}

/// A subscription to a multicast group of the family.
pub struct Subscription {
    socket: NlSocketHandle,
}

impl Subscription {
    /// The next batch of messages: (command, attributes) each. A receive
    /// buffer overrun (ENOBUFS: events were lost) is reported and skipped.
    pub fn next(&self) -> Result<Vec<(u8, Reply)>, Failure> {
        let (messages, _) = match self.socket.recv::<u16, Msg>() {
            Ok(m) => m,
            Err(e) if e.to_string().contains("No buffer space") => {
                eprintln!("mrcctl: events lost: the receive buffer overran");
                return Ok(Vec::new());
            }
            Err(e) => return Err(netlink(e)),
        };
        let mut out = Vec::new();
        for m in messages {
            if let NlPayload::Payload(p) = m.map_err(netlink)?.nl_payload() {
                out.push((*p.cmd(), reply(p)));
            }
        }
        Ok(out)
    }
}

fn reply(p: &Msg) -> Reply {
    Reply(
        p.attrs()
            .iter()
            .map(|a| (*a.nla_type().nla_type(), a.nla_payload().as_ref().to_vec()))
            .collect(),
    )
}

type Msg = Genlmsghdr<u8, u16>;

fn netlink(e: impl fmt::Display) -> Failure {
    Failure::Netlink(e.to_string())
}

impl Mrc {
    /// Connects and resolves the family.
    pub fn open() -> Result<Mrc, Failure> {
        let (router, _) =
            NlRouter::connect(NlFamily::Generic, None, Groups::empty()).map_err(netlink)?;
        let family = match router.resolve_genl_family(uapi::MRC_FAMILY_NAME) {
            Ok(id) => id,
            Err(RouterError::Nlmsgerr(e)) if -*e.error() == ENOENT => {
                return Err(Failure::NoFamily)
            }
            Err(RouterError::Msg(_)) => return Err(Failure::NoFamily),
            Err(e) => return Err(netlink(e)),
        };
        let socket =
            NlSocketHandle::connect(NlFamily::Generic, None, Groups::empty()).map_err(netlink)?;
        socket.enable_ext_ack(true).map_err(netlink)?;
        Ok(Mrc {
            router,
            socket,
            family,
            seq: Cell::new(1),
        })
    }

    /// Joins multicast group `group` of the family on a socket of its own.
    pub fn subscribe(&self, group: &str) -> Result<Subscription, Failure> {
        let id = self
            .router
            .resolve_nl_mcast_group(uapi::MRC_FAMILY_NAME, group)
            .map_err(netlink)?;
        let socket =
            NlSocketHandle::connect(NlFamily::Generic, None, Groups::empty()).map_err(netlink)?;
        socket
            .add_mcast_membership(Groups::new_groups(&[id]))
            .map_err(netlink)?;
        Ok(Subscription { socket })
    }

    /// Sends command `cmd` with `attrs`, a change that answers with an
    /// acknowledgement alone.
    pub fn change(&self, cmd: u8, attrs: &[Attr]) -> Result<(), Failure> {
        self.request(cmd, attrs, false).map(drop)
    }

    /// Sends command `cmd` with `attrs`, a do that answers one object.
    pub fn get(&self, cmd: u8, attrs: &[Attr]) -> Result<Reply, Failure> {
        let replies = self.request(cmd, attrs, false)?;
        Ok(replies.into_iter().next().unwrap_or_default())
    }

    /// Dumps command `cmd` with `attrs`: every entry.
    pub fn dump(&self, cmd: u8, attrs: &[Attr]) -> Result<Vec<Reply>, Failure> {
        self.request(cmd, attrs, true)
    }

    /// Shows with command `cmd`: with `key`, the object it names (a get
    /// with `attrs` and `key`); without, every object (a dump with `attrs`).
    pub fn show(
        &self,
        cmd: u8,
        attrs: &[Attr],
        key: Option<&[Attr]>,
    ) -> Result<Found<Reply>, Failure> {
        Ok(match key {
            Some(key) => Found::One(self.get(cmd, &[attrs, key].concat())?),
            None => Found::All(self.dump(cmd, attrs)?),
        })
    }

    /// Sends command `cmd` with `attrs`; returns the replies (one for a
    /// do that answers, none for one that only acknowledges, every entry
    /// for a dump).
    fn request(&self, cmd: u8, attrs: &[Attr], dump: bool) -> Result<Vec<Reply>, Failure> {
        let mut buffer = GenlBuffer::<u16, Buffer>::new();
        for a in attrs {
            let ty = AttrTypeBuilder::default()
                .nla_type(a.ty)
                .nla_nested(a.is_nest())
                .build()
                .map_err(netlink)?;
            let attr = NlattrBuilder::default()
                .nla_type(ty)
                .nla_payload(a.payload())
                .build()
                .map_err(netlink)?;
            buffer.push(attr);
        }
        let genl = GenlmsghdrBuilder::<u8, u16, NoUserHeader>::default()
            .cmd(cmd)
            .version(uapi::MRC_FAMILY_VERSION)
            .attrs(buffer)
            .build()
            .map_err(netlink)?;
        let seq = self.seq.get();
        self.seq.set(seq.wrapping_add(1));
        let flags = NlmF::REQUEST | if dump { NlmF::DUMP } else { NlmF::ACK };
        let msg = NlmsghdrBuilder::default()
            .nl_type(self.family)
            .nl_flags(flags)
            .nl_seq(seq)
            .nl_payload(NlPayload::Payload(genl))
            .build()
            .map_err(netlink)?;
        self.socket.send(&msg).map_err(netlink)?;
        let mut replies = Vec::new();
        loop {
            let (messages, _) = self.socket.recv::<u16, Msg>().map_err(netlink)?;
            for m in messages {
                let m = m.map_err(netlink)?;
                if *m.nl_seq() != seq {
                    continue;
                }
                match m.nl_payload() {
                    NlPayload::Payload(p) => replies.push(reply(p)),
                    NlPayload::Err(e) => return Err(refusal(-*e.error(), e.ext_ack(), attrs)),
                    NlPayload::DumpExtAck(e) if *e.error() != 0 => {
                        return Err(refusal(-*e.error(), e.ext_ack(), attrs))
                    }
                    NlPayload::Ack(_) | NlPayload::DumpExtAck(_) => return Ok(replies),
                    NlPayload::Empty => {
                        if dump && u16::from(Nlmsg::Done) == *m.nl_type() {
                            return Ok(replies);
                        }
                    }
                }
            }
        }
    }
}

/// The refusal of a request: the extack's message, prefixed with the name
/// of the attribute its offset points at (or that it says is missing)
/// unless the message already starts with it.
fn refusal(
    errno: i32,
    ext_ack: &GenlBuffer<neli::consts::nl::NlmsgerrAttr, Buffer>,
    attrs: &[Attr],
) -> Failure {
    let mut message = String::new();
    let mut name = None;
    for a in ext_ack.iter() {
        let ty = u16::from(*a.nla_type().nla_type());
        let payload = a.nla_payload().as_ref();
        match ty {
            EXTACK_MSG => {
                message = String::from_utf8_lossy(payload)
                    .trim_end_matches('\0')
                    .to_string()
            }
            EXTACK_OFFS => {
                if let Ok(b) = <[u8; 4]>::try_from(payload) {
                    let offset = u32::from_ne_bytes(b) as usize;
                    name = offset
                        .checked_sub(HEADERS)
                        .and_then(|o| attrs::name_at(attrs, o));
                }
            }
            EXTACK_MISS_TYPE if name.is_none() => {
                if let Ok(b) = <[u8; 4]>::try_from(payload) {
                    name = Some(format!("missing attribute {}", u32::from_ne_bytes(b)));
                }
            }
            _ => {}
        }
    }
    // The module's own messages start with the attribute's name; the
    // policy's ("integer out of range") do not.
    if let Some(name) = name {
        let top = name.split('.').next().unwrap_or_default();
        if message.is_empty() {
            message = name;
        } else if !message.starts_with(&format!("{top}:")) {
            message = format!("{name}: {message}");
        }
    }
    Failure::Refused { errno, message }
}
