//! The generic netlink family `mrc` (`Documentation/netlink/specs/mrc.yaml`,
//! `Documentation/userspace-api/netlink.rst`): which handler answers each
//! command, and the handlers. The profile commands change the namespace's
//! controller state (`crate::control`), `conn-get` reads the sockets of its
//! endpoint, `probe` uses both. genetlink has checked the caller's
//! permission and the attributes against the spec's policy before a
//! handler runs; the handlers check every value again.

mod attr;
mod cc_profile;
mod conn;
mod dev;
mod ev;
mod ev_fmt;
mod ev_profile;
mod probe;
mod profile;
mod state;

use crate::ffi::bindings;
use crate::ffi::errno;
use crate::ffi::genl::ops::Commands;
use crate::ffi::genl::{Dump, Refusal, Request};
use crate::sock::NetMrc;
use cc_profile::CcProfiles;
use ev_fmt::EvFmts;
use ev_profile::EvProfiles;

impl Commands for NetMrc {
    fn doit<'a>(&self, cmd: u32, req: &Request<'a>) -> Result<(), Refusal<'a>> {
        let control = self.control();
        // One arm per command: the profile kinds' rows are deliberate twins,
        // the table genetlink dispatches on.
        match cmd {
            bindings::MRC_CMD_DEV_GET => dev::get(control, req),
            bindings::MRC_CMD_EV_FMT_NEW => ev_fmt::new(control, req),
            bindings::MRC_CMD_EV_FMT_SET => ev_fmt::set(control, req),
            bindings::MRC_CMD_EV_FMT_GET => profile::get::<EvFmts>(control, req),
            bindings::MRC_CMD_EV_FMT_DEL => profile::del::<EvFmts>(control, req),
            bindings::MRC_CMD_EV_PROFILE_NEW => ev_profile::new(control, req),
            bindings::MRC_CMD_EV_PROFILE_SET => ev_profile::set(control, req),
            bindings::MRC_CMD_EV_PROFILE_GET => ev_profile::get(control, req),
            bindings::MRC_CMD_EV_PROFILE_DEL => profile::del::<EvProfiles>(control, req),
            bindings::MRC_CMD_CC_PROFILE_NEW => cc_profile::new(control, req),
            bindings::MRC_CMD_CC_PROFILE_SET => cc_profile::set(control, req),
            bindings::MRC_CMD_CC_PROFILE_GET => profile::get::<CcProfiles>(control, req),
            bindings::MRC_CMD_CC_PROFILE_DEL => profile::del::<CcProfiles>(control, req),
            bindings::MRC_CMD_EV_SET => ev::set(control, req),
            bindings::MRC_CMD_EV_GET => ev::get(control, req),
            bindings::MRC_CMD_CONN_GET => conn::get(self.endpoint(), req),
            bindings::MRC_CMD_PROBE => probe::probe(self, req),
            _ => Err(errno::eopnotsupp().into()),
        }
    }

    fn dumpit<'a>(&self, cmd: u32, dump: &mut Dump<'a>) -> Result<(), Refusal<'a>> {
        let control = self.control();
        match cmd {
            bindings::MRC_CMD_EV_FMT_GET => profile::dump::<EvFmts>(control, dump),
            bindings::MRC_CMD_EV_PROFILE_GET => profile::dump::<EvProfiles>(control, dump),
            bindings::MRC_CMD_CC_PROFILE_GET => profile::dump::<CcProfiles>(control, dump),
            bindings::MRC_CMD_EV_GET => ev::dump(control, dump),
            bindings::MRC_CMD_CONN_GET => conn::dump(self.endpoint(), dump),
            _ => Err(errno::eopnotsupp().into()),
        }
    }

    fn dump_size(cmd: u32) -> usize {
        match cmd {
            bindings::MRC_CMD_CONN_GET => conn::MAX_MESSAGE,
            _ => 0,
        }
    }
}
