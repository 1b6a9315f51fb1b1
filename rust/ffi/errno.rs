//! Error codes the `kernel` crate does not name (networking ones), as
//! `kernel::error::Error` values built from the generated constants.

use super::bindings;
use kernel::error::Error;

fn errno(code: u32) -> Error {
    // Errno constants are small positive numbers; the kernel's convention
    // is their negation.
    Error::from_errno(-(code as i32))
}

/// Address family not supported.
pub(crate) fn eafnosupport() -> Error {
    errno(bindings::EAFNOSUPPORT)
}

/// No buffer space available.
pub(crate) fn enobufs() -> Error {
    errno(bindings::ENOBUFS)
}

/// Socket type not supported.
pub(crate) fn esocktnosupport() -> Error {
    errno(bindings::ESOCKTNOSUPPORT)
}

/// Protocol not supported.
pub(crate) fn eprotonosupport() -> Error {
    errno(bindings::EPROTONOSUPPORT)
}
