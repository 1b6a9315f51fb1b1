//! How each EV index of a connection is put on the wire, until EV profiles
//! come from the controller: the built-in AUTO profile in STEV mode, or an
//! explicit list of SRv6 uSID containers set with `MRC_SRV6_PATHS`.

use crate::ffi::udp::Ipv6Addr;
use crate::proto::ev::stev_split;
use kernel::prelude::*;

/// Largest number of SRv6 paths one socket takes.
pub(crate) const MAX_SRV6_PATHS: usize = 256;

/// The header fields of one EV.
pub(crate) struct Steering {
    /// UDP source port.
    pub(crate) src_port: u16,
    /// IPv6 flow label.
    pub(crate) flow_label: u32,
    /// SRv6: the outer destination (uSID container).
    pub(crate) via: Option<Ipv6Addr>,
}

/// The paths of one socket.
#[derive(Default)]
pub(crate) struct Paths {
    /// SRv6 containers, EV i via `srv6[i]`; empty for the AUTO profile.
    srv6: KVec<Ipv6Addr>,
}

impl Paths {
    /// Takes a list of SRv6 containers (an empty list returns to AUTO).
    pub(crate) fn set_srv6(&mut self, containers: &[Ipv6Addr]) -> Result {
        if containers.len() > MAX_SRV6_PATHS {
            return Err(EINVAL);
        }
        let mut v = KVec::with_capacity(containers.len(), GFP_KERNEL)?;
        for c in containers {
            v.push(*c, GFP_KERNEL)?;
        }
        self.srv6 = v;
        Ok(())
    }

    /// A copy, for an accepted connection.
    pub(crate) fn try_clone(&self) -> Result<Self> {
        let mut p = Self::default();
        p.set_srv6(&self.srv6)?;
        Ok(p)
    }

    /// The SRv6 containers.
    pub(crate) fn srv6(&self) -> &[Ipv6Addr] {
        &self.srv6
    }

    /// Where the first hop of `peer`'s packets goes: the first SRv6
    /// container, or the peer itself (whose route MTU bounds the packets).
    pub(crate) fn first_hop<'a>(&'a self, peer: &'a Ipv6Addr) -> &'a Ipv6Addr {
        self.srv6.first().unwrap_or(peer)
    }

    /// Whether EVs are sent over SRv6.
    pub(crate) fn is_srv6(&self) -> bool {
        !self.srv6.is_empty()
    }

    /// The header fields for EV `ev`. AUTO: the 32-bit STEV value of EV i
    /// has 0xC000 + i as its UDP source port half and a multiplicative
    /// hash of i as its flow-label half, so both ECMP hash policies (L4
    /// ports, flow label) spread the EVs.
    pub(crate) fn steering(&self, ev: u16) -> Steering {
        let value = (u32::from(0xC000u16 | (ev & 0x3FFF)) << 16)
            | (u32::from(ev).wrapping_mul(0x9E37) & 0xFFFF);
        let (src_port, flow_label) = stev_split(value);
        let via = if self.srv6.is_empty() {
            None
        } else {
            self.srv6.get(usize::from(ev) % self.srv6.len()).copied()
        };
        Steering {
            src_port,
            flow_label,
            via,
        }
    }
}
