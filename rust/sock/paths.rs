//! How each EV index of a connection is put on the wire: the controller's
//! EV profile named by `MRC_EV_PROFILE` (leased while the connection
//! lives, its denied EVs applied as they change), or else an explicit list
//! of SRv6 uSID containers set with `MRC_SRV6_PATHS`, or else the built-in
//! AUTO profile in STEV mode.

use crate::control::lease::EvProfileLease;
use crate::control::Control;
use crate::ffi::errno;
use crate::ffi::route::Ipv6Addr;
use crate::proto::ev::{stev_split, EvFormatMode, EvSteering};
use kernel::prelude::*;
use kernel::sync::Arc;

use super::conn::Core;

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

/// The paths of one socket or connection.
#[derive(Default)]
pub(crate) struct Paths {
    /// SRv6 containers, EV i via `srv6[i]`; empty for the AUTO profile.
    srv6: KVec<Ipv6Addr>,
    /// A connection's EV profile: its EVs replace the two above.
    profile: Option<EvProfileLease>,
    /// The profile's deny generation last applied to the connection.
    denied_seen: Option<u64>,
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

    /// A copy of a socket's paths, for a listener's child.
    pub(crate) fn try_clone(&self) -> Result<Self> {
        let mut p = Self::default();
        p.set_srv6(&self.srv6)?;
        Ok(p)
    }

    /// The paths of a connection starting on this socket (or of a probe
    /// batch), with EV profile `ev_profile` leased unless it is 0 (ENOENT:
    /// no such profile; EBUSY: not ONLINE; EOPNOTSUPP: SRv6 with an SRH,
    /// which the datapath does not build).
    pub(crate) fn with_profile(&self, control: &Arc<Control>, ev_profile: u64) -> Result<Self> {
        let mut p = self.try_clone()?;
        if ev_profile != 0 {
            let lease = Control::lease_ev_profile(control, ev_profile)?;
            if lease.mode() == EvFormatMode::Srv6Srh || lease.evs().is_empty() {
                return Err(errno::eopnotsupp());
            }
            p.profile = Some(lease);
        }
        Ok(p)
    }

    /// The EV count the profile sets, if any.
    pub(crate) fn ev_count(&self) -> Option<u16> {
        let lease = self.profile.as_ref()?;
        u16::try_from(lease.evs().len()).ok()
    }

    /// Applies the profile's denied EVs to `core` when they changed since
    /// the last call.
    pub(crate) fn apply_denied(&mut self, core: &mut Core) {
        let Some(lease) = &self.profile else {
            return;
        };
        let denied = lease.denied();
        let generation = denied.generation();
        if self.denied_seen == Some(generation) {
            return;
        }
        self.denied_seen = Some(generation);
        for ev in 0..core.paths().ev_count() {
            // Every index is below the EV count.
            let _ = core.set_ev_denied(ev, denied.contains(ev));
        }
    }

    /// Tells `core` which EVs share a route: SRv6 EVs toward the same
    /// container take the same path through the fabric (EV i and EV j
    /// share EV i's route, i < j the first with that container). Entropy
    /// EVs are each their own route: only the fabric's hashing knows.
    pub(crate) fn set_routes(&self, core: &mut Core) {
        let evs = core.paths().ev_count();
        for ev in 0..evs {
            let Some(via) = self.steering(ev).via else {
                continue;
            };
            if let Some(first) = (0..ev).find(|&e| self.steering(e).via == Some(via)) {
                // `ev` is below the EV count.
                let _ = core.set_ev_route(ev, first);
            }
        }
    }

    /// The profile's steering of EV `ev`, if the connection has a profile.
    fn profile_steering(&self, ev: u16) -> Option<EvSteering> {
        let lease = self.profile.as_ref()?;
        let wire = lease.evs().get(usize::from(ev))?;
        Some(wire.steering(lease.mode()))
    }

    /// The SRv6 containers.
    pub(crate) fn srv6(&self) -> &[Ipv6Addr] {
        &self.srv6
    }

    /// Where the first hop of `peer`'s packets goes: the first SRv6
    /// container, or the peer itself (whose route MTU bounds the packets).
    pub(crate) fn first_hop(&self, peer: &Ipv6Addr) -> Ipv6Addr {
        match self.profile_steering(0) {
            Some(EvSteering::Srv6 { outer_dst } | EvSteering::Srv6Srh { outer_dst, .. }) => {
                outer_dst
            }
            Some(_) => *peer,
            None => self.srv6.first().copied().unwrap_or(*peer),
        }
    }

    /// Whether EVs are sent over SRv6.
    pub(crate) fn is_srv6(&self) -> bool {
        match &self.profile {
            Some(lease) => matches!(lease.mode(), EvFormatMode::Srv6 | EvFormatMode::Srv6Srh),
            None => !self.srv6.is_empty(),
        }
    }

    /// The header fields for EV `ev`. AUTO: the 32-bit STEV value of EV i
    /// has 0xC000 + i as its UDP source port half and a multiplicative
    /// hash of i as its flow-label half, so both ECMP hash policies (L4
    /// ports, flow label) spread the EVs. A profile's UDP and STEV EVs set
    /// those fields themselves; its SRv6 EVs (like `MRC_SRV6_PATHS`) set
    /// the outer destination and keep the AUTO inner fields.
    pub(crate) fn steering(&self, ev: u16) -> Steering {
        let value = (u32::from(0xC000u16 | (ev & 0x3FFF)) << 16)
            | (u32::from(ev).wrapping_mul(0x9E37) & 0xFFFF);
        let (src_port, flow_label) = stev_split(value);
        let auto = Steering {
            src_port,
            flow_label,
            via: None,
        };
        match self.profile_steering(ev) {
            Some(EvSteering::Udp { src_port }) => Steering {
                src_port,
                flow_label: 0,
                via: None,
            },
            Some(EvSteering::Stev {
                src_port,
                flow_label,
            }) => Steering {
                src_port,
                flow_label,
                via: None,
            },
            Some(EvSteering::Srv6 { outer_dst } | EvSteering::Srv6Srh { outer_dst, .. }) => {
                Steering {
                    via: Some(outer_dst),
                    ..auto
                }
            }
            None if self.profile.is_some() => auto,
            None => Steering {
                via: self
                    .srv6
                    .get(usize::from(ev).checked_rem(self.srv6.len()).unwrap_or(0))
                    .copied(),
                ..auto
            },
        }
    }
}
