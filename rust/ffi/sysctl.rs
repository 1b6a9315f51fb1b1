//! Per-namespace integer sysctls under /proc/sys/net/mrc, each one integer
//! or a vector of up to [`MAX_VALUES`] (as `tcp_mem`), every value bounded
//! by the knob's min and max (`proc_dointvec_minmax`), with a hook that
//! runs after a write changed a value.

use super::bindings;
use super::pernet::Net;
use core::ffi::{c_int, c_void, CStr};
use core::ops::Deref;
use core::pin::Pin;
use core::sync::atomic::{AtomicI32, Ordering};
use kernel::error::code;
use kernel::prelude::*;

/// Values a vector knob holds at most.
pub(crate) const MAX_VALUES: usize = 3;

/// One bounded integer knob, or a vector of them; code reads them with
/// [`get`](Self::get) or `value` (the first).
pub(crate) struct IntKnob {
    /// The current value (the first of a vector).
    pub(crate) value: AtomicI32,
    /// The vector's other values.
    rest: [AtomicI32; MAX_VALUES - 1],
    /// Values in use: 1 for a plain knob.
    len: usize,
    min: c_int,
    max: c_int,
    name: &'static CStr,
}

impl IntKnob {
    /// A knob named `name` starting at `default`, writable within min..=max.
    pub(crate) const fn new(name: &'static CStr, default: i32, min: i32, max: i32) -> Self {
        Self::vector(name, &[default], min, max)
    }

    /// A knob of `defaults.len()` (1..=[`MAX_VALUES`]) values, each
    /// writable within min..=max; extra defaults are ignored.
    // A const fn has no iterators: the loop's condition bounds the index.
    #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
    pub(crate) const fn vector(name: &'static CStr, defaults: &[i32], min: i32, max: i32) -> Self {
        let mut at = [0; MAX_VALUES];
        let mut len = 0;
        while len < defaults.len() && len < MAX_VALUES {
            at[len] = defaults[len];
            len += 1;
        }
        Self {
            value: AtomicI32::new(at[0]),
            rest: [AtomicI32::new(at[1]), AtomicI32::new(at[2])],
            len,
            min,
            max,
            name,
        }
    }

    /// Value `i` of the vector (0 for one past its end).
    pub(crate) fn get(&self, i: usize) -> i32 {
        self.slot(i).map_or(0, |v| v.load(Ordering::Relaxed))
    }

    fn slot(&self, i: usize) -> Option<&AtomicI32> {
        match i {
            0 => Some(&self.value),
            _ if i < self.len => self.rest.get(i.saturating_sub(1)),
            _ => None,
        }
    }

    /// The table entry: `extra1` is the knob, `extra2` the set it is in.
    fn entry<K: Knobs>(&self, knobs: &K) -> bindings::ctl_table {
        bindings::ctl_table {
            procname: self.name.as_ptr(),
            data: self.value.as_ptr().cast(),
            maxlen: core::mem::size_of::<c_int>().saturating_mul(self.len) as c_int,
            mode: 0o644,
            proc_handler: Some(handler::<K>),
            extra1: (self as *const Self).cast_mut().cast(),
            extra2: (knobs as *const K).cast_mut().cast(),
            ..Default::default()
        }
    }
}

/// A set of knobs that is registered as one table.
pub(crate) trait Knobs: Send + Sync {
    /// Calls `f` on every knob, in the order they appear in /proc.
    fn each(&self, f: &mut dyn FnMut(&IntKnob) -> Result) -> Result;

    /// A write changed `knob`'s value (process context, may sleep).
    fn changed(&self, knob: &IntKnob);
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
    knobs: Pin<KBox<K>>,
}

// SAFETY: the table is only used by the sysctl core, `K` is Send + Sync, and
// unregistering works from any thread.
unsafe impl<K: Knobs> Send for Sysctls<K> {}
// SAFETY: `&self` only gives `&K`, which is Sync.
unsafe impl<K: Knobs> Sync for Sysctls<K> {}

impl<K: Knobs> Sysctls<K> {
    /// Registers the knobs `init` makes under `net/mrc` in `net`.
    pub(crate) fn register(net: &Net, init: impl PinInit<K, Error>) -> Result<Self> {
        let knobs = KBox::pin_init(init, GFP_KERNEL)?;
        let mut table = KVec::new();
        knobs.each(&mut |knob| Ok(table.push(knob.entry(&*knobs), GFP_KERNEL)?))?;
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

/// The proc handler of every knob: `proc_dointvec_minmax` on a copy, so
/// that the bounds apply and a changed value reaches [`Knobs::changed`].
///
/// # Safety
/// Called by the sysctl core only, with a table entry `Sysctls::register`
/// made and the user buffer of the read or write.
unsafe extern "C" fn handler<K: Knobs>(
    table: *const bindings::ctl_table,
    write: c_int,
    buffer: *mut c_void,
    lenp: *mut usize,
    ppos: *mut bindings::loff_t,
) -> c_int {
    // SAFETY: the sysctl core passes an entry of a registered table, whose
    // `extra1` and `extra2` point at a knob and its set (see `entry`), both
    // alive until the table is unregistered, which waits for handlers.
    let (knob, knobs) = unsafe {
        (
            &*((*table).extra1 as *const IntKnob),
            &*((*table).extra2 as *const K),
        )
    };
    let mut values: [c_int; MAX_VALUES] = [0; MAX_VALUES];
    for (i, v) in values.iter_mut().enumerate() {
        *v = knob.get(i);
    }
    let copy = bindings::ctl_table {
        // SAFETY: as above, `table` is valid to read.
        procname: unsafe { (*table).procname },
        data: values.as_mut_ptr().cast(),
        maxlen: core::mem::size_of::<c_int>().saturating_mul(knob.len) as c_int,
        mode: 0o644,
        extra1: (&knob.min as *const c_int).cast_mut().cast(),
        extra2: (&knob.max as *const c_int).cast_mut().cast(),
        ..Default::default()
    };
    // SAFETY: `copy` points at `values` (`knob.len` of them) and the
    // bounds, all alive for the call; the other arguments are the
    // caller's, passed through.
    let ret = unsafe { bindings::proc_dointvec_minmax(&copy, write, buffer, lenp, ppos) };
    if write != 0 && ret == 0 {
        let mut changed = false;
        for (i, v) in values.iter().enumerate() {
            if let Some(slot) = knob.slot(i) {
                changed |= slot.swap(*v, Ordering::Relaxed) != *v;
            }
        }
        if changed {
            knobs.changed(knob);
        }
    }
    ret
}
