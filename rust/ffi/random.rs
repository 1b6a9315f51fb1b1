//! Randomness from the kernel's CRNG (connection numbers, initial PSNs,
//! spraying).

use super::bindings;

/// A random `u32`.
pub(crate) fn u32() -> u32 {
    // SAFETY: get_random_u32 may be called from any context.
    unsafe { bindings::get_random_u32() }
}
