//! Bytes appended to a kernel vector with one `memcpy`. The kernel crate's
//! `Vec::extend_from_slice` (6.12) clones element by element, which for a
//! packet's payload compiles to a loop over its bytes.

use kernel::alloc::Flags;
use kernel::prelude::*;

/// Appends `src` to `buf`, growing it with `flags` if its spare room is
/// short (within its capacity nothing is allocated).
pub(crate) fn append(buf: &mut KVVec<u8>, src: &[u8], flags: Flags) -> Result {
    buf.reserve(src.len(), flags)?;
    let len = buf.len();
    let Some(dst) = buf.spare_capacity_mut().get_mut(..src.len()) else {
        return Err(ENOMEM);
    };
    // SAFETY: `dst` is `src.len()` bytes of `buf`'s spare capacity, which
    // `src`, a shared borrow, cannot overlap (`buf` is borrowed mutably).
    unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr().cast(), src.len()) };
    // SAFETY: the `src.len()` bytes past `len` were initialised just above,
    // within the capacity that `reserve` made room for.
    unsafe { buf.set_len(len.saturating_add(src.len())) };
    Ok(())
}
