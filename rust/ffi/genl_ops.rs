//! The handlers the generated ops table (`rust/mrc_nl_gen.c`) names: C
//! entry points that find the namespace's controller state (profiles),
//! endpoint (connections) or both (probes) and call the safe handlers of
//! `crate::control`.

use super::bindings;
use super::genl::{Dump, Refusal, Request};
use super::pernet;
use crate::control::{self, Control};
use crate::endpoint::Endpoint;
use crate::netns::NetMrc;
use core::ffi::c_int;
use kernel::error::code;

/// A doit handler: answers (or refuses) one request about a `T`.
type DoFn<T> = for<'a> fn(&T, &Request<'a>) -> Result<(), Refusal<'a>>;
/// A dumpit handler: writes the next entries of a dump of `T`'s.
type DumpFn<T> = for<'a> fn(&T, &mut Dump<'a>) -> Result<(), Refusal<'a>>;

/// The controller state of a namespace: what the profile handlers take.
fn control(state: &NetMrc) -> &Control {
    state.control()
}

/// The endpoint of a namespace: what the connection handlers take.
fn endpoint(state: &NetMrc) -> &Endpoint {
    state.endpoint()
}

/// The whole namespace state: what handlers that need both (probes) take.
fn net(state: &NetMrc) -> &NetMrc {
    state
}

/// # Safety
/// `info` must be the `genl_info` of a running doit.
unsafe fn doit<T>(
    info: *mut bindings::genl_info,
    scope: fn(&NetMrc) -> &T,
    handler: DoFn<T>,
) -> c_int {
    // SAFETY: guaranteed by the caller, for the whole call.
    let request = unsafe { Request::from_raw(info) };
    // SAFETY: the requesting socket holds its namespace, and genetlink is
    // unregistered (waiting for running doits) before the pernet state.
    let Some(state) = (unsafe { pernet::state::<NetMrc>(request.net()) }) else {
        return code::ENODEV.to_errno();
    };
    match handler(scope(state), &request) {
        Ok(()) => 0,
        Err(refusal) => request.refuse(&refusal),
    }
}

/// # Safety
/// `skb` and `cb` must be those of a running dumpit.
unsafe fn dumpit<T>(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
    scope: fn(&NetMrc) -> &T,
    handler: DumpFn<T>,
) -> c_int {
    // SAFETY: guaranteed by the caller, for the whole call.
    let mut dump = unsafe { Dump::from_raw(skb, cb) };
    // SAFETY: the dumping socket holds its namespace; a dump in progress
    // holds a reference on the module, so the pernet state outlives it.
    let Some(state) = (unsafe { pernet::state::<NetMrc>(dump.net()) }) else {
        return code::ENODEV.to_errno();
    };
    match handler(scope(state), &mut dump) {
        Ok(()) => dump.result(),
        Err(refusal) => dump.refuse(&refusal),
    }
}

/// Defines the C doit `$name` calling `$handler` with the namespace's
/// `$scope` (`control` unless given).
macro_rules! doit {
    ($name:ident, $handler:path) => {
        doit!($name, control: $handler);
    };
    ($name:ident, $scope:ident: $handler:path) => {
        #[no_mangle]
        unsafe extern "C" fn $name(
            _skb: *mut bindings::sk_buff,
            info: *mut bindings::genl_info,
        ) -> c_int {
            // SAFETY: genetlink calls a doit with the request's info.
            unsafe { doit(info, $scope, $handler) }
        }
    };
}

/// Defines the C dumpit `$name` calling `$handler` with the namespace's
/// `$scope` (`control` unless given).
macro_rules! dumpit {
    ($name:ident, $handler:path) => {
        dumpit!($name, control: $handler);
    };
    ($name:ident, $scope:ident: $handler:path) => {
        #[no_mangle]
        unsafe extern "C" fn $name(
            skb: *mut bindings::sk_buff,
            cb: *mut bindings::netlink_callback,
        ) -> c_int {
            // SAFETY: genetlink calls a dumpit with its skb and callback.
            unsafe { dumpit(skb, cb, $scope, $handler) }
        }
    };
}

doit!(mrc_nl_dev_get_doit, control::dev::get);
doit!(mrc_nl_ev_fmt_new_doit, control::ev_fmt::new);
doit!(mrc_nl_ev_fmt_set_doit, control::ev_fmt::set);
doit!(mrc_nl_ev_fmt_get_doit, control::ev_fmt::get);
dumpit!(mrc_nl_ev_fmt_get_dumpit, control::ev_fmt::dump);
doit!(mrc_nl_ev_fmt_del_doit, control::ev_fmt::del);
doit!(mrc_nl_ev_profile_new_doit, control::ev_profile::new);
doit!(mrc_nl_ev_profile_set_doit, control::ev_profile::set);
doit!(mrc_nl_ev_profile_get_doit, control::ev_profile::get);
dumpit!(mrc_nl_ev_profile_get_dumpit, control::ev_profile::dump);
doit!(mrc_nl_ev_profile_del_doit, control::ev_profile::del);
doit!(mrc_nl_cc_profile_new_doit, control::cc_profile::new);
doit!(mrc_nl_cc_profile_set_doit, control::cc_profile::set);
doit!(mrc_nl_cc_profile_get_doit, control::cc_profile::get);
dumpit!(mrc_nl_cc_profile_get_dumpit, control::cc_profile::dump);
doit!(mrc_nl_cc_profile_del_doit, control::cc_profile::del);
doit!(mrc_nl_ev_set_doit, control::ev::set);
doit!(mrc_nl_ev_get_doit, control::ev::get);
dumpit!(mrc_nl_ev_get_dumpit, control::ev::dump);
doit!(mrc_nl_conn_get_doit, endpoint: control::conn::get);
dumpit!(mrc_nl_conn_get_dumpit, endpoint: control::conn::dump);
doit!(mrc_nl_probe_doit, net: control::probe::probe);

/// The start hook of `conn-get` dumps: each round's skb holds a connection
/// with the most EVs.
#[no_mangle]
unsafe extern "C" fn mrc_nl_conn_get_start(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: genetlink calls a start hook with the dump's callback, before
    // the first round.
    unsafe { Dump::reserve(cb, control::conn::MAX_MESSAGE) };
    0
}
