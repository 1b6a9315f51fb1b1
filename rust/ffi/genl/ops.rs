//! The C entry points the generated ops table (`rust/mrc_nl_gen.c`) names.
//! Each finds the requesting namespace's state and hands the command to
//! that state's [`Commands`], the type `Registration::register` was
//! given: which handler answers which command is decided there, above this
//! layer (`crate::netlink`), and nothing here names it.

use super::{Dump, Refusal, Request};
use crate::ffi::bindings;
use crate::ffi::pernet::{self, NetState};
use core::ffi::c_int;
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::error::code;

/// What answers the family's commands: the namespace state the pernet
/// registration holds.
pub(crate) trait Commands: NetState + 'static {
    /// Answers (or refuses) the doit of command `cmd` (an `MRC_CMD_*`).
    fn doit<'a>(&self, cmd: u32, request: &Request<'a>) -> Result<(), Refusal<'a>>;

    /// Writes the next entries of a dump of command `cmd`.
    fn dumpit<'a>(&self, cmd: u32, dump: &mut Dump<'a>) -> Result<(), Refusal<'a>>;

    /// The bytes of messages each round of a dump of `cmd` must have room
    /// for (the largest entry), asked when the dump starts.
    fn dump_size(cmd: u32) -> usize;
}

/// The registered [`Commands`] type's entry points.
pub(super) struct Dispatch {
    doit: unsafe fn(u32, *mut bindings::genl_info) -> c_int,
    dumpit: unsafe fn(u32, *mut bindings::sk_buff, *mut bindings::netlink_callback) -> c_int,
    dump_size: fn(u32) -> usize,
}

/// The [`Dispatch`] of `T`, a constant so that it lives for ever.
struct Of<T>(PhantomData<T>);

impl<T: Commands> Of<T> {
    const DISPATCH: Dispatch = Dispatch {
        doit: doit::<T>,
        dumpit: dumpit::<T>,
        dump_size: T::dump_size,
    };
}

/// The registered type's entry points; null while no family is registered.
static DISPATCH: AtomicPtr<Dispatch> = AtomicPtr::new(ptr::null_mut());

/// Makes `T` answer the family's commands, from before the family is
/// registered until [`unpublish`].
pub(super) fn publish<T: Commands>() {
    let dispatch: &'static Dispatch = &Of::<T>::DISPATCH;
    DISPATCH.store(ptr::from_ref(dispatch).cast_mut(), Ordering::Release);
}

/// Forgets the registered type, once the family is unregistered.
pub(super) fn unpublish() {
    DISPATCH.store(ptr::null_mut(), Ordering::Release);
}

/// The registered entry points.
fn dispatch() -> Option<&'static Dispatch> {
    // SAFETY: the pointer is null or was made from a `&'static Dispatch`
    // by `publish`.
    unsafe { DISPATCH.load(Ordering::Acquire).as_ref() }
}

/// # Safety
/// `info` must be the `genl_info` of a running doit.
unsafe fn doit<T: Commands>(cmd: u32, info: *mut bindings::genl_info) -> c_int {
    // SAFETY: guaranteed by the caller, for the whole call.
    let request = unsafe { Request::from_raw(info) };
    // SAFETY: the requesting socket holds its namespace, and genetlink is
    // unregistered (waiting for running doits) before the pernet state.
    let Some(state) = (unsafe { pernet::state::<T>(request.net()) }) else {
        return code::ENODEV.to_errno();
    };
    match state.doit(cmd, &request) {
        Ok(()) => 0,
        Err(refusal) => request.refuse(&refusal),
    }
}

/// # Safety
/// `skb` and `cb` must be those of a running dumpit.
unsafe fn dumpit<T: Commands>(
    cmd: u32,
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
) -> c_int {
    // SAFETY: guaranteed by the caller, for the whole call.
    let mut dump = unsafe { Dump::from_raw(skb, cb) };
    // SAFETY: the dumping socket holds its namespace; a dump in progress
    // holds a reference on the module, so the pernet state outlives it.
    let Some(state) = (unsafe { pernet::state::<T>(dump.net()) }) else {
        return code::ENODEV.to_errno();
    };
    match state.dumpit(cmd, &mut dump) {
        Ok(()) => dump.result(),
        Err(refusal) => dump.refuse(&refusal),
    }
}

// A deliberate twin of `dumpit!`: genetlink's doit and dumpit callbacks have
// different signatures.
/// Defines the C doit `$name` of command `$cmd`.
macro_rules! doit {
    ($name:ident, $cmd:ident) => {
        /// # Safety
        /// Called by genetlink only, with the request's `info`.
        #[no_mangle]
        unsafe extern "C" fn $name(
            _skb: *mut bindings::sk_buff,
            info: *mut bindings::genl_info,
        ) -> c_int {
            match dispatch() {
                // SAFETY: genetlink calls a doit with the request's info.
                Some(d) => unsafe { (d.doit)(bindings::$cmd, info) },
                None => code::ENODEV.to_errno(),
            }
        }
    };
}

// A deliberate twin of `doit!`: genetlink's doit and dumpit callbacks have
// different signatures.
/// Defines the C dumpit `$name` of command `$cmd`.
macro_rules! dumpit {
    ($name:ident, $cmd:ident) => {
        /// # Safety
        /// Called by genetlink only, with the dump's skb and callback.
        #[no_mangle]
        unsafe extern "C" fn $name(
            skb: *mut bindings::sk_buff,
            cb: *mut bindings::netlink_callback,
        ) -> c_int {
            match dispatch() {
                // SAFETY: genetlink calls a dumpit with its skb and callback.
                Some(d) => unsafe { (d.dumpit)(bindings::$cmd, skb, cb) },
                None => code::ENODEV.to_errno(),
            }
        }
    };
}

doit!(mrc_nl_dev_get_doit, MRC_CMD_DEV_GET);
doit!(mrc_nl_ev_fmt_new_doit, MRC_CMD_EV_FMT_NEW);
doit!(mrc_nl_ev_fmt_set_doit, MRC_CMD_EV_FMT_SET);
doit!(mrc_nl_ev_fmt_get_doit, MRC_CMD_EV_FMT_GET);
dumpit!(mrc_nl_ev_fmt_get_dumpit, MRC_CMD_EV_FMT_GET);
doit!(mrc_nl_ev_fmt_del_doit, MRC_CMD_EV_FMT_DEL);
doit!(mrc_nl_ev_profile_new_doit, MRC_CMD_EV_PROFILE_NEW);
doit!(mrc_nl_ev_profile_set_doit, MRC_CMD_EV_PROFILE_SET);
doit!(mrc_nl_ev_profile_get_doit, MRC_CMD_EV_PROFILE_GET);
dumpit!(mrc_nl_ev_profile_get_dumpit, MRC_CMD_EV_PROFILE_GET);
doit!(mrc_nl_ev_profile_del_doit, MRC_CMD_EV_PROFILE_DEL);
doit!(mrc_nl_cc_profile_new_doit, MRC_CMD_CC_PROFILE_NEW);
doit!(mrc_nl_cc_profile_set_doit, MRC_CMD_CC_PROFILE_SET);
doit!(mrc_nl_cc_profile_get_doit, MRC_CMD_CC_PROFILE_GET);
dumpit!(mrc_nl_cc_profile_get_dumpit, MRC_CMD_CC_PROFILE_GET);
doit!(mrc_nl_cc_profile_del_doit, MRC_CMD_CC_PROFILE_DEL);
doit!(mrc_nl_ev_set_doit, MRC_CMD_EV_SET);
doit!(mrc_nl_ev_get_doit, MRC_CMD_EV_GET);
dumpit!(mrc_nl_ev_get_dumpit, MRC_CMD_EV_GET);
doit!(mrc_nl_conn_get_doit, MRC_CMD_CONN_GET);
dumpit!(mrc_nl_conn_get_dumpit, MRC_CMD_CONN_GET);
doit!(mrc_nl_probe_doit, MRC_CMD_PROBE);

/// The start hook of `conn-get` dumps: each round's skb has room for the
/// largest entry.
///
/// # Safety
/// Called by genetlink only, with the dump's callback, before its first
/// round.
#[no_mangle]
unsafe extern "C" fn mrc_nl_conn_get_start(cb: *mut bindings::netlink_callback) -> c_int {
    if let Some(d) = dispatch() {
        let size = (d.dump_size)(bindings::MRC_CMD_CONN_GET);
        // SAFETY: genetlink calls a start hook with the dump's callback.
        unsafe { Dump::reserve(cb, size) };
    }
    0
}
