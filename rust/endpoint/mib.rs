//! The endpoint's counters (/proc/net/mrc_snmp): every packet that arrives
//! is counted once as received and, if refused, once under why.

use crate::ffi::percpu::PerCpuCounters;
use crate::proto::conn::PacketError;
use kernel::prelude::*;

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
    /// Packets a connection refused, all reasons together; each is also
    /// counted under its reason (the `MrcInRej*` counters).
    InConnRejected = c"MrcInConnRejected",
    /// Refused: the connection's own parse found the packet malformed.
    RejMalformed = c"MrcInRejMalformed",
    /// Refused: addressed to another connection number (or probe id).
    RejWrongConnection = c"MrcInRejWrongConnection",
    /// Refused: another partition key.
    RejWrongPartition = c"MrcInRejWrongPartition",
    /// Refused: an opcode the connection's state does not take (a
    /// duplicate handshake reply, say).
    RejUnexpectedOpcode = c"MrcInRejUnexpectedOpcode",
    /// Refused: a PSN (data, SACK or NACK) outside the window.
    RejPsnOutOfWindow = c"MrcInRejPsnOutOfWindow",
    /// Refused: a message number outside the receive message window.
    RejMessageOutOfWindow = c"MrcInRejMessageOutOfWindow",
    /// Refused: a length that contradicts the message or a limit.
    RejBadLength = c"MrcInRejBadLength",
    /// Refused: bytes placed past the end of their message.
    RejBadOffset = c"MrcInRejBadOffset",
    /// Refused: a new Write-with-Immediate message beyond WIMM.
    RejWimmExceeded = c"MrcInRejWimmExceeded",
    /// Refused: an EV index the connection does not have.
    RejBadEv = c"MrcInRejBadEv",
    /// Refused: a timestamp echo from the future.
    RejBadTimestamp = c"MrcInRejBadTimestamp",
    /// Refused: the connection had closed.
    RejClosed = c"MrcInRejClosed",
    /// Refused: a probe response that answers no probe outstanding.
    RejNoProbeOutstanding = c"MrcInRejNoProbeOutstanding",
    /// Refused: a connect accept or reject that does not echo the
    /// initiator's initial PSN.
    RejBadEcho = c"MrcInRejBadEcho",
    /// First packets of new messages refused with NO_RESOURCE because the
    /// receiving socket had no room (SO_RCVBUF, or unread messages); the
    /// sender retries after its ACK timeout.
    InNoBuffer = c"MrcInNoBuffer",
    /// Connect requests admitted (and answered) by a listener.
    PassiveOpens = c"MrcPassiveOpens",
    /// Connect requests refused (CONNECT_REJECT BACKLOG_FULL) because the
    /// listener's accept queue was full (its backlog, capped by
    /// `somaxconn`): TCP's ListenOverflows.
    ListenOverflows = c"MrcListenOverflows",
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
    /// Packets that waited in the namespace's receive queue longer than
    /// `net.mrc.rx_ce_threshold_us` and went on marked Congestion
    /// Experienced (their connection's SACK echoes the mark).
    InQueueCeMarks = c"MrcInQueueCeMarks",
    /// Datagrams that arrived marked Congestion Experienced by a queue on
    /// their path (any kind: only a data packet's mark is echoed).
    InCe = c"MrcInCe",
    /// Loss timers (ACK timeout, RACK) that came due while packets that
    /// had already arrived for the namespace still waited in its receive
    /// queue, and waited for them to be handled first (as TCP runs a
    /// socket's backlog before its deferred retransmission timer).
    LossTimersDeferred = c"MrcLossTimersDeferred",
    /// UDP GSO batches that reached the tunnel socket whole (each of their
    /// packets is then counted as a datagram).
    InGsoBatches = c"MrcInGsoBatches",
    /// Of those, batches split into their packets on arrival, because one
    /// of them was malformed, a probe request or a connect request (the
    /// others wait for the endpoint's work whole).
    InGsoBatchesSplit = c"MrcInGsoBatchesSplit",
    /// Bursts sent as one UDP GSO batch of two or more packets (each of
    /// their packets is also counted in `MrcOutPackets`).
    OutGsoBatches = c"MrcOutGsoBatches",
    /// Of `MrcOutGsoBatches`, those whose payloads went as references to
    /// their messages' pages (skb fragments), not copied.
    OutGsoBatchesByRef = c"MrcOutGsoBatchesByRef",
}

const COUNT: usize = NAMES.len();

impl Mib {
    /// The counter of a connection's refusal `e` (NO_RESOURCE has its
    /// own, [`Mib::InNoBuffer`], and is not a refusal of the packet's
    /// content).
    pub(crate) fn refused(e: PacketError) -> Self {
        match e {
            PacketError::Malformed(_) => Self::RejMalformed,
            PacketError::WrongConnection => Self::RejWrongConnection,
            PacketError::WrongPartition => Self::RejWrongPartition,
            PacketError::UnexpectedOpcode => Self::RejUnexpectedOpcode,
            PacketError::PsnOutOfWindow => Self::RejPsnOutOfWindow,
            PacketError::MessageOutOfWindow => Self::RejMessageOutOfWindow,
            PacketError::BadLength => Self::RejBadLength,
            PacketError::BadOffset => Self::RejBadOffset,
            PacketError::WimmExceeded => Self::RejWimmExceeded,
            PacketError::NoRoom => Self::InNoBuffer,
            PacketError::BadEv => Self::RejBadEv,
            PacketError::BadTimestamp => Self::RejBadTimestamp,
            PacketError::Closed => Self::RejClosed,
            PacketError::NoProbeOutstanding => Self::RejNoProbeOutstanding,
            PacketError::BadEcho => Self::RejBadEcho,
        }
    }
}

/// The counters of one namespace, kept per CPU: every packet counts.
pub(crate) struct Counters(PerCpuCounters);

impl Counters {
    pub(crate) fn new() -> Result<Self> {
        Ok(Self(PerCpuCounters::new(COUNT)?))
    }

    /// Counts one `mib` event.
    pub(crate) fn inc(&self, mib: Mib) {
        self.add(mib, 1);
    }

    /// Counts `n` `mib` events.
    pub(crate) fn add(&self, mib: Mib, n: u64) {
        self.0.add(mib as usize, n);
    }

    /// Every counter with its name.
    pub(crate) fn each(&self, mut f: impl FnMut(&core::ffi::CStr, u64)) {
        for (i, name) in NAMES.iter().enumerate() {
            f(name, self.0.sum(i));
        }
    }
}
