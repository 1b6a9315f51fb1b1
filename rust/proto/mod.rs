//! The MRC protocol core: wire formats, EV model, connection state machine,
//! path state and NSCC congestion control, sans-IO.
//!
//! Rules for every file below this one (they are what lets the same code run
//! in the kernel and on the host):
//! - `core` only: no `std`, no `alloc`, no kernel types; time (`now`, in
//!   nanoseconds) and randomness are passed in by the caller.
//! - No `unsafe`, no floating point (the kernel has no FPU context here), no
//!   128-bit division (the kernel does not link it).
//! - No panics on any input: no indexing or slicing that can fail, no
//!   `unwrap`, and no arithmetic that can overflow (the kernel builds with
//!   overflow checks). The lints below hold that line; tests are exempt.
//! - Large state lives in caller-provided storage (anything that derefs to a
//!   slice: `Vec` on the host, `KVec` in the kernel), because the kernel
//!   builds these structs on a 16 KiB stack.
#![forbid(unsafe_code)]
// A deliberate twin of the list in rust/mrc.rs, which the kernel build (where
// mrc.rs is the crate root) needs on its own.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::float_arithmetic,
        clippy::arithmetic_side_effects,
    )
)]

pub mod conn;
pub mod ev;
pub mod nscc;
pub mod path;
pub mod psn;
pub mod rtt;
pub mod wire;
