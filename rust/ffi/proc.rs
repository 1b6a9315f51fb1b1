//! Read-only files under /proc/net/ of one namespace, whose contents are
//! `name value` lines (the format of /proc/net/snmp6).

use super::bindings;
use super::pernet::Net;
use core::ffi::{c_int, c_void, CStr};
use kernel::error::code;
use kernel::prelude::*;
use kernel::sync::Arc;

/// Writes the lines of a proc file.
pub(crate) struct Lines(*mut bindings::seq_file);

impl Lines {
    /// Appends the line `name value`.
    pub(crate) fn put(&mut self, name: &CStr, value: u64) {
        // SAFETY: `self.0` is the seq_file of the running `show` (see
        // `show`), and `name` is NUL-terminated.
        unsafe { bindings::mrc_seq_put_u64(self.0, name.as_ptr(), value) };
    }
}

/// What a proc file shows.
pub(crate) trait Show: Send + Sync + Sized {
    /// Writes the file's lines.
    fn show(&self, lines: &mut Lines);
}

/// A registered /proc/net file showing `T`; removed on drop.
///
/// # Invariants
/// The entry `name` exists in `net`'s /proc/net with `data` (a reference on
/// the shown object taken with `Arc::into_raw`) as its entry data.
pub(crate) struct ProcFile<T: Show> {
    net: *mut bindings::net,
    name: &'static CStr,
    data: *const T,
}

// SAFETY: removal works from any thread and `T` is Send + Sync.
unsafe impl<T: Show> Send for ProcFile<T> {}
// SAFETY: no `&self` methods.
unsafe impl<T: Show> Sync for ProcFile<T> {}

impl<T: Show> ProcFile<T> {
    /// Creates /proc/net/`name` in `net`, showing `shown`. The registration
    /// must be dropped before `net` goes away (it lives in `net`'s state).
    pub(crate) fn create(net: &Net, name: &'static CStr, shown: Arc<T>) -> Result<Self> {
        let data = Arc::into_raw(shown);
        // SAFETY: `net` is live; `data` stays valid until the entry is
        // removed (Drop).
        let entry = unsafe {
            bindings::mrc_proc_create(
                net.as_ptr(),
                name.as_ptr(),
                Some(show::<T>),
                data.cast_mut().cast(),
            )
        };
        if entry.is_null() {
            // SAFETY: the reference taken above was not handed to anyone.
            drop(unsafe { Arc::from_raw(data) });
            return Err(code::ENOMEM);
        }
        // INVARIANT: created above with `data`.
        Ok(Self {
            net: net.as_ptr(),
            name,
            data,
        })
    }
}

impl<T: Show> Drop for ProcFile<T> {
    fn drop(&mut self) {
        // SAFETY: the entry exists (type invariant); remove_proc_entry waits
        // for running readers, after which `data` is no longer used.
        unsafe {
            bindings::mrc_proc_remove(self.net, self.name.as_ptr());
            drop(Arc::from_raw(self.data));
        }
    }
}

/// # Safety
/// Called by the seq_file core only, with the seq_file of a file
/// `ProcFile::create` made, whose private data is its `T`.
unsafe extern "C" fn show<T: Show>(seq: *mut bindings::seq_file, _v: *mut c_void) -> c_int {
    // SAFETY: the seq_file of an open proc file of ours, whose entry data
    // is the `T` of the registration (type invariant of `ProcFile`), alive
    // while readers run.
    let shown = unsafe { &*(bindings::mrc_seq_pde_data(seq) as *const T) };
    shown.show(&mut Lines(seq));
    0
}
