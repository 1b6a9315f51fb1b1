//! What each network namespace holds for MRC: its `net.mrc.*` sysctls, its
//! endpoint (counters in /proc/net/mrc_snmp) and the UDP tunnel socket that
//! feeds the endpoint, reopened when `net.mrc.udp_port` changes.

use crate::endpoint::{Endpoint, Mib};
use crate::ffi::pernet::{Net, NetState};
use crate::ffi::proc::ProcFile;
use crate::ffi::sysctl::{IntKnob, Knobs, Sysctls};
use crate::ffi::udp::Tunnel;
use core::sync::atomic::Ordering;
use kernel::prelude::*;
use kernel::sync::Arc;

/// RoCEv2's UDP port, MRC's default (`MRC_UDP_PORT_DEFAULT` in the uapi).
const UDP_PORT_DEFAULT: i32 = 4791;

/// The namespace's settings and the tunnel they shape.
#[pin_data]
pub(crate) struct MrcNet {
    net: Net,
    /// `net.mrc.udp_port`: the UDP port MRC packets are sent to and
    /// received on.
    udp_port: IntKnob,
    endpoint: Arc<Endpoint>,
}

impl MrcNet {
    /// (Re)opens the tunnel on the current `udp_port`. The old socket is
    /// closed first, so a write of the same port cannot collide with itself.
    fn open_tunnel(&self) {
        let port = self.udp_port.value.load(Ordering::Relaxed) as u16;
        let opened = self
            .endpoint
            .reopen_tunnel(|| Tunnel::open(&self.net, port, self.endpoint.clone()));
        match opened {
            Ok(()) => {}
            Err(e) => {
                self.endpoint.count(Mib::TunnelOpenErrors);
                pr_err!(
                    "cannot open the MRC tunnel socket on UDP port {} (error {})\n",
                    port,
                    e.to_errno()
                );
            }
        }
    }
}

impl Knobs for MrcNet {
    fn each(&self, f: &mut dyn FnMut(&IntKnob) -> Result) -> Result {
        f(&self.udp_port)
    }

    fn changed(&self, knob: &IntKnob) {
        if core::ptr::eq(knob, &self.udp_port) {
            self.open_tunnel();
        }
    }
}

/// Per-namespace MRC state. Field order is drop order: the proc file and
/// the sysctls go before the endpoint they show and shape, which is shut
/// down (its tunnel closed, its connections reset) last.
pub(crate) struct NetMrc {
    _snmp: ProcFile<Endpoint>,
    _sysctls: Sysctls<MrcNet>,
    endpoint: Arc<Endpoint>,
}

impl NetMrc {
    /// The namespace's endpoint.
    pub(crate) fn endpoint(&self) -> &Arc<Endpoint> {
        &self.endpoint
    }
}

impl Drop for NetMrc {
    fn drop(&mut self) {
        self.endpoint.shut_down();
    }
}

impl NetState for NetMrc {
    fn new(net: &Net) -> Result<KBox<Self>> {
        let endpoint = Endpoint::new()?;
        let shown = endpoint.clone();
        let kept = endpoint.clone();
        let sysctls = Sysctls::register(
            net,
            try_pin_init!(MrcNet {
                net: net.clone(),
                udp_port: IntKnob::new(c"udp_port", UDP_PORT_DEFAULT, 1, 65535),
                endpoint,
            }? Error),
        )?;
        let snmp = ProcFile::create(net, c"mrc_snmp", shown)?;
        sysctls.open_tunnel();
        // On failure the state is dropped, which shuts the endpoint down.
        Ok(KBox::new(
            Self {
                _snmp: snmp,
                _sysctls: sysctls,
                endpoint: kept,
            },
            GFP_KERNEL,
        )?)
    }
}
