//! Counters of one connection, for an `MRC_INFO`-like snapshot. Per-EV
//! counters live in the path set's [`PathState`](crate::proto::path::PathState)s.

/// A snapshot of a connection's counters and estimates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnStats {
    /// Smoothed RTT over SACKs (ns; 0 before the first sample).
    pub srtt_ns: u64,
    /// Congestion window (bytes).
    pub cwnd: u32,
    /// Payload bytes in flight.
    pub bytes_in_flight: u32,
    /// EVs in use.
    pub ev_count: u16,
    /// EVs that are GOOD or SKIP.
    pub active_evs: u16,
    /// Data packets sent, retransmissions included.
    pub packets_sent: u64,
    /// Payload bytes sent, retransmissions included.
    pub bytes_sent: u64,
    /// Data packets acked (each PSN once).
    pub packets_acked: u64,
    /// Payload bytes acked (each PSN once).
    pub bytes_acked: u64,
    /// Data packets retransmitted.
    pub packets_retransmitted: u64,
    /// Payload bytes retransmitted.
    pub bytes_retransmitted: u64,
    /// Packets declared lost by RACK.
    pub rack_losses: u64,
    /// Packets declared lost by the ACK timeout.
    pub timeout_losses: u64,
    /// ACK timeouts that found packets to retransmit.
    pub ack_timeouts: u64,
    /// TRIM NACKs received.
    pub trims: u64,
    /// SACKs received that echoed a Congestion Experienced mark.
    pub ecn_echoes: u64,
    /// Messages fully acked.
    pub messages_sent: u64,
    /// Data packets received and placed.
    pub packets_received: u64,
    /// Payload bytes received and placed.
    pub bytes_received: u64,
    /// Data packets received more than once (dropped, re-acked).
    pub duplicates: u64,
    /// Messages delivered complete.
    pub messages_received: u64,
    /// SACKs sent.
    pub sacks_sent: u64,
    /// NACKs sent.
    pub nacks_sent: u64,
    /// Probes sent.
    pub probes_sent: u64,
    /// Credit probes sent: header-only duplicates asking a receiver whose
    /// buffer was full for its credit.
    pub credit_probes: u64,
    /// Packets refused (malformed, wrong connection, out of window, bad
    /// lengths, unexpected in the state).
    pub rejected: u64,
}
