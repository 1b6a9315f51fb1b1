//! The FFI layer: the only place in mrc.ko with `unsafe`.
//!
//! It holds the bindgen output for the module's own header
//! (`bindings_helper.h`, generated at build time) and small safe wrappers
//! over the C objects the rest of the module touches: socket family
//! registration, sockets, per-network-namespace state. Every `unsafe` block
//! here carries a `// SAFETY:` comment; code outside `ffi` has none.

pub(crate) mod bindings;
pub(crate) mod bytes;
pub(crate) mod errno;
pub(crate) mod family;
pub(crate) mod genl;
pub(crate) mod msg;
pub(crate) mod pages;
pub(crate) mod param;
pub(crate) mod percpu;
pub(crate) mod pernet;
pub(crate) mod proc;
pub(crate) mod random;
pub(crate) mod route;
pub(crate) mod skb;
pub(crate) mod sock;
pub(crate) mod socket;
pub(crate) mod sysctl;
pub(crate) mod timer;
pub(crate) mod uapi;
pub(crate) mod udp;
pub(crate) mod work;
