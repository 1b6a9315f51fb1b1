//! Per-namespace integer sysctls under /proc/sys/net/mrc, each bounded by
//! its own min and max (`proc_dointvec_minmax`).

use super::bindings;
use super::pernet::Net;
use core::ffi::{c_int, CStr};
use core::ops::Deref;
use core::sync::atomic::AtomicI32;
use kernel::error::code;
use kernel::prelude::*;

/// One bounded integer knob. The sysctl handler reads and writes `value`
/// (plain int stores, as for every kernel sysctl); code reads it with
/// `Ordering::Relaxed`.
pub(crate) struct IntKnob {
    /// The current value.
    pub(crate) value: AtomicI32,
    min: c_int,
    max: c_int,
    name: &'static CStr,
}

impl IntKnob {
    /// A knob named `name` starting at `default`, writable within min..=max.
    pub(crate) const fn new(name: &'static CStr, default: i32, min: i32, max: i32) -> Self {
        Self {
            value: AtomicI32::new(default),
            min,
            max,
            name,
        }
    }

    fn entry(&self) -> bindings::ctl_table {
        bindings::ctl_table {
            procname: self.name.as_ptr(),
            data: self.value.as_ptr().cast(),
            maxlen: core::mem::size_of::<c_int>() as c_int,
            mode: 0o644,
            proc_handler: Some(bindings::proc_dointvec_minmax),
            extra1: (&self.min as *const c_int).cast_mut().cast(),
            extra2: (&self.max as *const c_int).cast_mut().cast(),
            ..Default::default()
        }
    }
}

/// A set of knobs that is registered as one table.
pub(crate) trait Knobs: Send + Sync {
    /// Calls `f` on every knob, in the order they appear in /proc.
    fn each(&self, f: &mut dyn FnMut(&IntKnob) -> Result) -> Result;
}

/// Knobs `K` registered under `net/mrc` of one namespace; unregistered on
/// drop, before the knobs are freed.
///
/// # Invariants
/// `header` is the registration of `table`, whose entries point into
/// `knobs`' heap allocation.
pub(crate) struct Sysctls<K: Knobs> {
    header: *mut bindings::ctl_table_header,
    /// The entries the sysctl core reads; held until unregistration.
    _table: KVec<bindings::ctl_table>,
    knobs: KBox<K>,
}

// SAFETY: the table is only used by the sysctl core, `K` is Send + Sync, and
// unregistering works from any thread.
unsafe impl<K: Knobs> Send for Sysctls<K> {}
// SAFETY: `&self` only gives `&K`, which is Sync.
unsafe impl<K: Knobs> Sync for Sysctls<K> {}

impl<K: Knobs> Sysctls<K> {
    /// Registers `knobs` under `net/mrc` in `net`.
    pub(crate) fn register(net: &Net, knobs: K) -> Result<Self> {
        let knobs = KBox::new(knobs, GFP_KERNEL)?;
        let mut table = KVec::new();
        knobs.each(&mut |knob| Ok(table.push(knob.entry(), GFP_KERNEL)?))?;
        // SAFETY: `table` and the boxed knobs it points to live in `Self`
        // until after unregistration (see Drop); the sysctl core copies the
        // path.
        let header = unsafe {
            bindings::register_net_sysctl_sz(
                net.as_ptr(),
                c"net/mrc".as_ptr(),
                table.as_mut_ptr(),
                table.len(),
            )
        };
        if header.is_null() {
            return Err(code::ENOMEM);
        }
        // INVARIANT: registered above, pointing into `knobs`.
        Ok(Self {
            header,
            _table: table,
            knobs,
        })
    }
}

impl<K: Knobs> Deref for Sysctls<K> {
    type Target = K;

    fn deref(&self) -> &K {
        &self.knobs
    }
}

impl<K: Knobs> Drop for Sysctls<K> {
    fn drop(&mut self) {
        // SAFETY: registered in `register` (type invariant); afterwards the
        // sysctl core no longer touches the table or the knobs, which are
        // freed after this (field drops follow `drop`).
        unsafe { bindings::unregister_net_sysctl_table(self.header) };
    }
}
