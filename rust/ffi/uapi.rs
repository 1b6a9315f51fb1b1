//! The byte images of the uapi structures getsockopt(2) returns.

use super::bindings;

/// Bytes of one `struct mrc_path_info`.
pub(crate) const PATH_INFO_LEN: usize = core::mem::size_of::<bindings::mrc_path_info>();

/// The bytes of a `struct mrc_info`.
pub(crate) fn info_bytes(info: &bindings::mrc_info) -> &[u8] {
    // SAFETY: `mrc_info` is a repr(C) struct of integers whose uapi layout
    // has explicit padding fields and no implicit padding, so every byte
    // is initialized.
    unsafe {
        core::slice::from_raw_parts(
            (info as *const bindings::mrc_info).cast::<u8>(),
            core::mem::size_of::<bindings::mrc_info>(),
        )
    }
}

/// The bytes of a `struct mrc_path_info`.
pub(crate) fn path_info_bytes(info: &bindings::mrc_path_info) -> &[u8] {
    // SAFETY: as for `info_bytes`: integers only, no implicit padding.
    unsafe {
        core::slice::from_raw_parts(
            (info as *const bindings::mrc_path_info).cast::<u8>(),
            PATH_INFO_LEN,
        )
    }
}
