//! mrc: the Multipath Reliable Connection transport for Linux.
//!
//! Registers the AF_MRC socket family and per-network-namespace state. The
//! module is one crate: `proto` is the protocol core (also built on the
//! host by cargo); `sock`, `endpoint`, `control`, `netlink` and `netns` are
//! the safe glue; `ffi` is the only place with `unsafe` (the others deny it).

// The whole module has the core's panic-freedom lints (clippy, run by
// `make test`): no indexing, unwrap, panic or overflowing arithmetic, since
// the kernel builds Rust with overflow checks and a panic is an oops. A
// deliberate twin of the list in `rust/proto/mod.rs`, which the host build
// (where `proto` is the crate root) needs on its own.
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::todo,
    clippy::arithmetic_side_effects
)]
// `pin_init!` expands one level per field: a namespace's settings (one
// field per `net.mrc.*` knob) go past the default limit of 128.
#![recursion_limit = "256"]

use kernel::prelude::*;

pub mod proto;

// Only `ffi` may use `unsafe` (`proto` forbids it itself): the compiler
// checks the confinement. (The crate root cannot deny it: `module!`
// expands to unsafe code here.)
#[deny(unsafe_code)]
mod clock;
#[deny(unsafe_code)]
mod control;
#[deny(unsafe_code)]
mod endpoint;
mod ffi;
#[deny(unsafe_code)]
mod netlink;
#[deny(unsafe_code)]
mod netns;
#[deny(unsafe_code)]
pub(crate) mod sock;

module! {
    type: MrcModule,
    name: "mrc",
    author: "The mrc developers",
    description: "MRC (Multipath Reliable Connection) transport, AF_MRC sockets",
    license: "GPL",
}

/// The module: its registrations, in teardown order (fields drop first to
/// last): no controller request runs and no new socket can be created
/// before the namespaces' state goes, and the workqueue, drained, goes last.
struct MrcModule {
    _genl: ffi::genl::Registration,
    _family: ffi::family::Registration,
    _pernet: ffi::pernet::Registration<sock::NetMrc>,
    _work: ffi::work::WorkQueue,
}

impl kernel::Module for MrcModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let family = ffi::param::family();
        let work = ffi::work::WorkQueue::new()?;
        let pernet = ffi::pernet::Registration::register()?;
        let registration = ffi::family::Registration::register::<sock::Mrc>(family, module)
            .inspect_err(|e| {
                pr_err!(
                    "cannot register address family {} (error {}): the slot is taken or invalid; \
                     load with family=<a free number below AF_MAX>\n",
                    family,
                    e.to_errno()
                )
            })?;
        pr_info!("AF_MRC registered as address family {}\n", family);
        let genl = ffi::genl::Registration::register::<sock::NetMrc>(module)?;
        Ok(Self {
            _genl: genl,
            _family: registration,
            _pernet: pernet,
            _work: work,
        })
    }
}
