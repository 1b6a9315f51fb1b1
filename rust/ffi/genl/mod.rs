//! The generic netlink family `mrc`: its registration, and safe views of
//! what a command handler gets (the request's attributes, its extack) and
//! builds (a reply, dump messages).
//!
//! The policies and the ops table are generated from the spec
//! (`rust/mrc_nl_gen.c`, `Documentation/netlink/specs/mrc.yaml`); the
//! handlers the ops table names are the entry points of `ops.rs`. By
//! the time a handler runs, genetlink has checked the caller's permission
//! and every attribute against the op's policy; the attribute stream is
//! still parsed here with bounds checks and never trusted.

mod attrs;
mod dump;
pub(crate) mod ops;
mod refusal;
mod request;

use super::bindings;
use super::pernet::Net;
pub(crate) use attrs::{Attr, Attrs};
pub(crate) use dump::Dump;
use kernel::error::{code, to_result};
use kernel::prelude::*;
use kernel::ThisModule;
use ops::Commands;
pub(crate) use refusal::Refusal;
pub(crate) use request::{Message, Request};

/// The C tables genetlink holds pointers to while registered.
struct Tables {
    family: bindings::genl_family,
    mcgrps: [bindings::genl_multicast_group; 1],
}

/// The registered family; unregistered on drop.
///
/// # Invariants
/// `tables.family` is registered with `genl_register_family`.
pub(crate) struct Registration {
    tables: KBox<Tables>,
}

// SAFETY: the tables are only read by C after registration; unregistering
// works from any thread.
unsafe impl Send for Registration {}
// SAFETY: no `&self` methods.
unsafe impl Sync for Registration {}

impl Registration {
    /// Registers the family with the spec's ops and multicast groups; `T`,
    /// the namespace state, answers its commands.
    pub(crate) fn register<T: Commands>(module: &'static ThisModule) -> Result<Self> {
        let mut tables = KBox::new(
            Tables {
                family: bindings::genl_family {
                    version: bindings::MRC_FAMILY_VERSION,
                    module: module.as_ptr().cast(),
                    ..Default::default()
                },
                // The events name connections, whose numbers address
                // packets to them: only CAP_NET_ADMIN in the namespace's
                // user namespace may listen (as for conn-get).
                mcgrps: [bindings::genl_multicast_group {
                    flags: bindings::MRC_GENL_MCAST_CAP_NET_ADMIN,
                    ..Default::default()
                }],
            },
            GFP_KERNEL,
        )?;
        for (dst, src) in tables.family.name.iter_mut().zip(bindings::MRC_FAMILY_NAME) {
            *dst = *src as _;
        }
        for (dst, src) in tables.mcgrps[0]
            .name
            .iter_mut()
            .zip(bindings::MRC_MCGRP_EVENTS)
        {
            *dst = *src as _;
        }
        let Tables { family, mcgrps } = &mut *tables;
        family.set_netnsok(1);
        family.set_parallel_ops(1);
        // SAFETY: `mrc_nl_ops` is the generated, immutable ops table.
        let ops = unsafe { &bindings::mrc_nl_ops };
        family.split_ops = ops.as_ptr();
        family.n_split_ops = ops.len() as u8;
        family.mcgrps = mcgrps.as_ptr();
        family.n_mcgrps = mcgrps.len() as u8;
        ops::publish::<T>();
        // SAFETY: the tables live in the heap allocation owned by the
        // returned registration, which unregisters them before freeing.
        to_result(unsafe { bindings::genl_register_family(&mut tables.family) })
            .inspect_err(|_| ops::unpublish())?;
        // SAFETY: registered just above; unpublished before unregistering.
        unsafe { bindings::mrc_genl_events_publish(&mut tables.family) };
        // INVARIANT: registered above.
        Ok(Self { tables })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: registered in `register` (type invariant). Events stop
        // first (the helper waits for an RCU grace period, so no event is
        // being sent when it returns). Unregistering waits for every
        // running doit; a dump in progress holds a module reference, so
        // none is left when the module unloads.
        unsafe {
            bindings::mrc_genl_events_publish(core::ptr::null_mut());
            bindings::genl_unregister_family(&self.tables.family);
        }
        ops::unpublish();
    }
}

/// Multicasts one message of command `cmd`, written by `fill`, to the
/// events group of `net` (any context; nothing is sent once the family is
/// unregistered). ESRCH: nobody listens.
pub(crate) fn multicast(
    net: &Net,
    cmd: u32,
    fill: impl FnOnce(&mut Message<'_>) -> Result,
) -> Result {
    let mut hdr = core::ptr::null_mut();
    // SAFETY: allocating a message has no preconditions.
    let skb = unsafe { bindings::mrc_genl_event_new(cmd as u8, &mut hdr) };
    if skb.is_null() {
        return Err(code::ENOMEM);
    }
    // SAFETY: `skb` is ours until sent or freed below.
    let mut msg = unsafe { Message::new(skb) };
    if let Err(e) = fill(&mut msg) {
        // SAFETY: `skb` is ours, not sent.
        unsafe { bindings::mrc_nlmsg_free(skb) };
        return Err(e);
    }
    // SAFETY: `net` is live (its state holds the handle); `skb` holds the
    // message `hdr` starts; sending consumes it.
    to_result(unsafe { bindings::mrc_genl_event_send(net.as_ptr(), skb, hdr) })
}
