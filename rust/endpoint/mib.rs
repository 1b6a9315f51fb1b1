//! The endpoint's counters (/proc/net/mrc_snmp): every packet that arrives
//! is counted once as received and, if refused, once under why.

use core::sync::atomic::{AtomicU64, Ordering};

/// Declares the counters once: the enum, its `/proc` names in order, and
/// their number.
macro_rules! mibs {
    ($($(#[doc = $doc:literal])* $name:ident = $proc:literal,)*) => {
        /// One counter per event; names follow /proc/net/snmp6 style.
        #[derive(Clone, Copy)]
        pub(crate) enum Mib {
            $($(#[doc = $doc])* $name,)*
        }

        /// Names, in `Mib` order.
        const NAMES: &[&core::ffi::CStr] = &[$($proc,)*];
    };
}

mibs! {
    /// Datagrams that reached the tunnel socket.
    InDatagrams = c"MrcInDatagrams",
    /// Datagrams refused as malformed (bad UDP length or MRC headers).
    InMalformed = c"MrcInMalformed",
    /// Well-formed packets for a connection that does not exist here.
    InNoConnection = c"MrcInNoConnection",
    /// Connect requests for an MRC port nobody listens on (rejected).
    InNoListener = c"MrcInNoListener",
    /// Probe requests answered.
    InProbeRequests = c"MrcInProbeRequests",
    /// Probe requests sent to a multicast address (never answered).
    InProbeToMulticast = c"MrcInProbeToMulticast",
    /// Probe requests over the reply rate limit (not answered).
    InProbeRateLimited = c"MrcInProbeRateLimited",
    /// Probe responses for no outstanding probe.
    InUnexpectedProbeResponses = c"MrcInUnexpectedProbeResponses",
    /// Packets sent.
    OutPackets = c"MrcOutPackets",
    /// Packets that could not be sent (no route, no memory).
    OutErrors = c"MrcOutErrors",
    /// Failures to open the tunnel socket (port in use, no memory).
    TunnelOpenErrors = c"MrcTunnelOpenErrors",
    /// Packets a connection refused (wrong state, out of window, bad
    /// lengths; the connection's own counters say which).
    InConnRejected = c"MrcInConnRejected",
    /// First packets of new messages refused with NO_RESOURCE because the
    /// receiving socket had no room (SO_RCVBUF, or unread messages); the
    /// sender retries after its ACK timeout.
    InNoBuffer = c"MrcInNoBuffer",
    /// Connect requests admitted (and answered) by a listener.
    PassiveOpens = c"MrcPassiveOpens",
    /// Answered connect requests forgotten (or half-open connections
    /// reset) to make room for a newer one: the listener's
    /// `net.mrc.max_half_open` was taken.
    HalfOpenDisplaced = c"MrcHalfOpenDisplaced",
    /// Answered connect requests forgotten after their accept's resends,
    /// the initiator never having answered.
    AnsweredExpired = c"MrcAnsweredExpired",
    /// Connections opened by connect(2).
    ActiveOpens = c"MrcActiveOpens",
    /// Connections reset at close(2) because the namespace had
    /// `net.mrc.max_orphans` closed connections still finishing.
    OrphanResets = c"MrcOrphanResets",
    /// Packets naming a live connection from an address that is not its
    /// peer's (the inner source in SRv6 modes): refused unseen.
    InWrongPeer = c"MrcInWrongPeer",
    /// Data of a new message dropped because the namespace's message
    /// memory (`net.mrc.mem`), or the allocator, had no room for it (the
    /// peer sends it again).
    InNoMemory = c"MrcInNoMemory",
    /// Datagrams dropped because the namespace's receive queue was full.
    InRxQueueFull = c"MrcInRxQueueFull",
    /// Dropped: the connect requests waiting for the namespace's work
    /// were at their limit (256 KiB of skbs: a connect flood).
    InRequestQueueFull = c"MrcInRequestQueueFull",
}

const COUNT: usize = NAMES.len();

/// The counters of one namespace.
pub(crate) struct Counters([AtomicU64; COUNT]);

impl Counters {
    pub(crate) const fn new() -> Self {
        Self([const { AtomicU64::new(0) }; COUNT])
    }

    /// Counts one `mib` event.
    pub(crate) fn inc(&self, mib: Mib) {
        self.add(mib, 1);
    }

    /// Counts `n` `mib` events.
    pub(crate) fn add(&self, mib: Mib, n: u64) {
        if let Some(c) = self.0.get(mib as usize) {
            c.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Every counter with its name.
    pub(crate) fn each(&self, mut f: impl FnMut(&core::ffi::CStr, u64)) {
        for (name, c) in NAMES.iter().zip(self.0.iter()) {
            f(name, c.load(Ordering::Relaxed));
        }
    }
}
