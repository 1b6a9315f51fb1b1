//! Host build of the MRC protocol core.
//!
//! `mrc.ko` compiles `mod.rs` as `mod proto;` of its crate root; this file
//! includes the very same files so that cargo can test them on the host. It
//! is `no_std` outside tests: only `core` is available, as in the kernel.
#![cfg_attr(not(test), no_std)]

#[path = "mod.rs"]
mod proto;

pub use proto::*;
