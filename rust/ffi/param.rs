//! Module parameters, declared in C (rust/helpers/param.c) since the 6.12
//! `module!` macro has none.

use super::bindings;

/// `family=`: the address family number AF_MRC registers as.
pub(crate) fn family() -> i32 {
    // SAFETY: the module loader writes the parameter before `init` runs and
    // it is read-only (0444) afterwards.
    unsafe { bindings::mrc_param_family }
}
