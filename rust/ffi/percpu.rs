//! Counters kept per CPU, as the kernel keeps its SNMP counters: adding
//! touches only this CPU's copy, so counting every packet shares no cache
//! line between CPUs; reading sums the copies.

use super::bindings;
use core::ffi::c_void;
use core::ptr::NonNull;
use kernel::prelude::*;

/// `len` counters, one copy of each per possible CPU.
///
/// # Invariants
/// `ptr` is a live per-CPU allocation of `len` u64s, owned by this value.
pub(crate) struct PerCpuCounters {
    ptr: NonNull<c_void>,
    len: u32,
}

// SAFETY: the per-CPU allocation may be added to from any CPU and context
// (`this_cpu_add` is preemption- and interrupt-safe) and read from any.
unsafe impl Send for PerCpuCounters {}
// SAFETY: as above.
unsafe impl Sync for PerCpuCounters {}

impl PerCpuCounters {
    /// `len` counters at zero.
    pub(crate) fn new(len: usize) -> Result<Self> {
        let len = u32::try_from(len).map_err(|_| EINVAL)?;
        // SAFETY: any size may be asked for; NULL is returned on failure.
        let ptr = unsafe { bindings::mrc_percpu_alloc(len) };
        Ok(Self {
            ptr: NonNull::new(ptr).ok_or(ENOMEM)?,
            len,
        })
    }

    /// Adds `n` to counter `i` (nothing if `i` is out of range).
    pub(crate) fn add(&self, i: usize, n: u64) {
        let Some(i) = u32::try_from(i).ok().filter(|&i| i < self.len) else {
            return;
        };
        // SAFETY: `ptr` holds `len` u64s per CPU (type invariant), `i < len`.
        unsafe { bindings::mrc_percpu_add(self.ptr.as_ptr(), i, n) };
    }

    /// Counter `i` summed over the CPUs (0 if `i` is out of range).
    pub(crate) fn sum(&self, i: usize) -> u64 {
        let Some(i) = u32::try_from(i).ok().filter(|&i| i < self.len) else {
            return 0;
        };
        // SAFETY: as in `add`.
        unsafe { bindings::mrc_percpu_sum(self.ptr.as_ptr(), i) }
    }
}

impl Drop for PerCpuCounters {
    fn drop(&mut self) {
        // SAFETY: `ptr` is owned by this value (type invariant) and no
        // longer used.
        unsafe { bindings::mrc_percpu_free(self.ptr.as_ptr()) };
    }
}
