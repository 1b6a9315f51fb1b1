//! Error codes the `kernel` crate does not name (networking ones), as
//! `kernel::error::Error` values built from the generated constants.

use super::bindings;
use kernel::error::Error;

fn errno(code: u32) -> Error {
    // Errno constants are small positive numbers; the kernel's convention
    // is their negation.
    Error::from_errno((code as i32).saturating_neg())
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

/// Network is down.
pub(crate) fn enetdown() -> Error {
    errno(bindings::ENETDOWN)
}

/// Address already in use.
pub(crate) fn eaddrinuse() -> Error {
    errno(bindings::EADDRINUSE)
}

/// Cannot assign requested address.
pub(crate) fn eaddrnotavail() -> Error {
    errno(bindings::EADDRNOTAVAIL)
}

/// Operation now in progress.
pub(crate) fn einprogress() -> Error {
    errno(bindings::EINPROGRESS)
}

/// Network is unreachable.
pub(crate) fn enetunreach() -> Error {
    errno(bindings::ENETUNREACH)
}

/// Operation not supported.
pub(crate) fn eopnotsupp() -> Error {
    errno(bindings::EOPNOTSUPP)
}

/// Message too long.
pub(crate) fn emsgsize() -> Error {
    errno(bindings::EMSGSIZE)
}

/// Transport endpoint is not connected.
pub(crate) fn enotconn() -> Error {
    errno(bindings::ENOTCONN)
}

/// Connection refused.
pub(crate) fn econnrefused() -> Error {
    errno(bindings::ECONNREFUSED)
}

/// Connection reset by peer.
pub(crate) fn econnreset() -> Error {
    errno(bindings::ECONNRESET)
}

/// Connection timed out.
pub(crate) fn etimedout() -> Error {
    errno(bindings::ETIMEDOUT)
}

/// Transport endpoint is already connected.
pub(crate) fn eisconn() -> Error {
    errno(bindings::EISCONN)
}

/// Operation already in progress.
pub(crate) fn ealready() -> Error {
    errno(bindings::EALREADY)
}

/// Protocol not available.
pub(crate) fn enoprotoopt() -> Error {
    errno(bindings::ENOPROTOOPT)
}

/// An ioctl command the socket does not implement (kernel-internal: the
/// socket layer then tries its generic ones, or answers ENOTTY).
pub(crate) fn enoioctlcmd() -> Error {
    errno(bindings::ENOIOCTLCMD)
}
