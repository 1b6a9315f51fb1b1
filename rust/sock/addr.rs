//! `struct sockaddr_mrc`: an IPv6 address and an MRC port.

use crate::ffi::errno;
use kernel::prelude::*;

/// Bytes of `struct sockaddr_mrc`.
pub(crate) const SOCKADDR_LEN: usize = 24;

/// An MRC endpoint address.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SockAddr {
    /// IPv6 address, network order.
    pub(crate) addr: [u8; 16],
    /// MRC port.
    pub(crate) port: u16,
    /// Interface of a link-local address.
    pub(crate) scope_id: u32,
}

/// The family number AF_MRC was registered as.
fn family() -> u16 {
    crate::ffi::param::family() as u16
}

impl SockAddr {
    /// Parses the caller's address: EINVAL if short, EAFNOSUPPORT for
    /// another family.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        let b: &[u8; SOCKADDR_LEN] = bytes
            .get(..SOCKADDR_LEN)
            .and_then(|b| b.try_into().ok())
            .ok_or(EINVAL)?;
        let [f0, f1, p0, p1, s0, s1, s2, s3, addr @ ..] = *b;
        if u16::from_ne_bytes([f0, f1]) != family() {
            return Err(errno::eafnosupport());
        }
        Ok(Self {
            addr,
            port: u16::from_ne_bytes([p0, p1]),
            scope_id: u32::from_ne_bytes([s0, s1, s2, s3]),
        })
    }

    /// Writes the address into `out`; returns its length.
    pub(crate) fn emit(&self, out: &mut [u8]) -> Result<usize> {
        let out = out.get_mut(..SOCKADDR_LEN).ok_or(EINVAL)?;
        let (head, addr) = out.split_at_mut(8);
        let f = family().to_ne_bytes();
        let p = self.port.to_ne_bytes();
        let s = self.scope_id.to_ne_bytes();
        for (d, v) in head
            .iter_mut()
            .zip(Iterator::chain(Iterator::chain(f.iter(), &p), &s))
        {
            *d = *v;
        }
        addr.copy_from_slice(&self.addr);
        Ok(SOCKADDR_LEN)
    }

    /// `::`, the unspecified address.
    pub(crate) fn is_unspecified(&self) -> bool {
        self.addr == [0; 16]
    }

    /// A multicast address (ff00::/8), which MRC cannot connect to.
    pub(crate) fn is_multicast(&self) -> bool {
        self.addr[0] == 0xFF
    }
}
