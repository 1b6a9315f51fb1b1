//! What each network namespace holds for MRC: its `net.mrc.*` sysctls.

use crate::ffi::pernet::{Net, NetState};
use crate::ffi::sysctl::{IntKnob, Knobs, Sysctls};
use kernel::prelude::*;

/// RoCEv2's UDP port, MRC's default (`MRC_UDP_PORT_DEFAULT` in the uapi).
const UDP_PORT_DEFAULT: i32 = 4791;

/// The `net.mrc.*` knobs of one namespace.
pub(crate) struct MrcKnobs {
    /// `net.mrc.udp_port`: the UDP destination port of MRC packets.
    udp_port: IntKnob,
}

impl Knobs for MrcKnobs {
    fn each(&self, f: &mut dyn FnMut(&IntKnob) -> Result) -> Result {
        f(&self.udp_port)
    }
}

/// Per-namespace MRC state.
pub(crate) struct MrcNet {
    /// Registered for as long as the namespace lives.
    _sysctls: Sysctls<MrcKnobs>,
}

impl NetState for MrcNet {
    fn new(net: &Net) -> Result<KBox<Self>> {
        let knobs = MrcKnobs {
            udp_port: IntKnob::new(c"udp_port", UDP_PORT_DEFAULT, 1, 65535),
        };
        Ok(KBox::new(
            Self {
                _sysctls: Sysctls::register(net, knobs)?,
            },
            GFP_KERNEL,
        )?)
    }
}
