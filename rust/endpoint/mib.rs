//! The endpoint's counters (/proc/net/mrc_snmp): every packet that arrives
//! is counted once as received and, if refused, once under why.

use core::sync::atomic::{AtomicU64, Ordering};

/// One counter per event; names follow /proc/net/snmp6 style.
#[derive(Clone, Copy)]
pub(crate) enum Mib {
    /// Datagrams that reached the tunnel socket.
    InDatagrams,
    /// Datagrams refused as malformed (bad UDP length or MRC headers).
    InMalformed,
    /// Well-formed packets for a connection that does not exist here.
    InNoConnection,
    /// Connect requests for an MRC port nobody listens on (rejected).
    InNoListener,
    /// Probe requests answered.
    InProbeRequests,
    /// Probe responses for no outstanding probe.
    InUnexpectedProbeResponses,
    /// Packets sent.
    OutPackets,
    /// Packets that could not be sent (no route, no memory).
    OutErrors,
    /// Failures to open the tunnel socket (port in use, no memory).
    TunnelOpenErrors,
    /// Packets a connection refused (wrong state, out of window, bad
    /// lengths; the connection's own counters say which).
    InConnRejected,
    /// Data packets dropped before the connection saw them because the
    /// receiving socket had no room (SO_RCVBUF, or unread messages).
    InNoBuffer,
    /// Connect requests admitted by a listener.
    PassiveOpens,
    /// Connections opened by connect(2).
    ActiveOpens,
}

const COUNT: usize = 13;

/// Names, in `Mib` order.
const NAMES: [&core::ffi::CStr; COUNT] = [
    c"MrcInDatagrams",
    c"MrcInMalformed",
    c"MrcInNoConnection",
    c"MrcInNoListener",
    c"MrcInProbeRequests",
    c"MrcInUnexpectedProbeResponses",
    c"MrcOutPackets",
    c"MrcOutErrors",
    c"MrcTunnelOpenErrors",
    c"MrcInConnRejected",
    c"MrcInNoBuffer",
    c"MrcPassiveOpens",
    c"MrcActiveOpens",
];

/// The counters of one namespace.
pub(crate) struct Counters([AtomicU64; COUNT]);

impl Counters {
    pub(crate) const fn new() -> Self {
        Self([const { AtomicU64::new(0) }; COUNT])
    }

    /// Counts one `mib` event.
    pub(crate) fn inc(&self, mib: Mib) {
        if let Some(c) = self.0.get(mib as usize) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Every counter with its name.
    pub(crate) fn each(&self, mut f: impl FnMut(&core::ffi::CStr, u64)) {
        for (name, c) in NAMES.iter().zip(self.0.iter()) {
            f(name, c.load(Ordering::Relaxed));
        }
    }
}
