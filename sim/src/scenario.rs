//! What to simulate: the paths, the scripted faults, the flows and the
//! connection configuration every endpoint uses.

use mrc_proto::conn::{ConnConfig, RetryPolicy};
use mrc_proto::nscc::NsccConfig;
use mrc_proto::path::{PathConfig, BURST_DEFAULT};

use crate::link::LinkConfig;

/// A silent blackhole of one path (both directions) from `at_ns`, lifted
/// at `restore_ns` if given.
#[derive(Clone, Debug)]
pub struct FaultSpec {
    /// Path index.
    pub path: usize,
    /// When the path starts dropping everything, ns.
    pub at_ns: u64,
    /// When it works again, ns.
    pub restore_ns: Option<u64>,
}

/// One connection: a client that sends `total_bytes` in messages whose
/// sizes are drawn uniformly from `min_msg..=max_msg`, to a server.
#[derive(Clone, Debug)]
pub struct FlowSpec {
    /// When the client connects, ns.
    pub start_ns: u64,
    /// Payload bytes to send.
    pub total_bytes: u64,
    /// Smallest message, bytes.
    pub min_msg: u32,
    /// Largest message, bytes.
    pub max_msg: u32,
    /// Every `imm_every`-th message is a Write-with-Immediate (0: none).
    pub imm_every: u32,
}

/// A whole simulation.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Seed of every random draw.
    pub seed: u64,
    /// The paths; EV `i` of every connection takes path `i % paths.len()`.
    pub paths: Vec<LinkConfig>,
    /// Scripted blackholes.
    pub faults: Vec<FaultSpec>,
    /// The connections, all sharing the paths.
    pub flows: Vec<FlowSpec>,
    /// Configuration of every connection (both ends).
    pub conn: ConnConfig,
    /// Sent-packet slots per connection.
    pub sent_slots: usize,
    /// Message slots per connection.
    pub message_slots: usize,
    /// Stop here even if flows are unfinished, ns.
    pub deadline_ns: u64,
    /// EVs per connection (a multiple of the path count spreads them
    /// evenly: EV `i` takes path `i % paths`).
    pub evs: u16,
}

impl Scenario {
    /// Sum of the path rates, bits per second.
    pub fn capacity_bps(&self) -> u64 {
        self.paths.iter().map(|p| p.rate_bps).sum()
    }

    /// Base RTT of path `i`: both propagation delays plus serializing one
    /// full data packet and one SACK.
    pub fn base_rtt_ns(&self, i: usize) -> u64 {
        let p = &self.paths[i];
        let data = (self.conn.max_payload as u64 + 100) * 8 * 1_000_000_000 / p.rate_bps;
        let ack = 100 * 8 * 1_000_000_000 / p.rate_bps;
        2 * p.delay_ns + data + ack
    }

    /// The default scenario: `n` equal paths of `rate_bps` and `delay_ns`,
    /// one flow of `total_bytes` in mixed-size messages, no impairment.
    pub fn uniform(n: usize, rate_bps: u64, delay_ns: u64, total_bytes: u64, seed: u64) -> Self {
        let path = LinkConfig {
            rate_bps,
            delay_ns,
            queue_bytes: 512 * 1024,
            loss: 0.0,
            jitter_ns: 0,
            ecn_threshold_bytes: Some(128 * 1024),
            trimming: false,
        };
        let mut s = Scenario {
            seed,
            paths: vec![path; n],
            faults: Vec::new(),
            flows: vec![FlowSpec {
                start_ns: 0,
                total_bytes,
                min_msg: 1,
                max_msg: 256 * 1024,
                imm_every: 4,
            }],
            conn: default_conn(n as u16),
            sent_slots: 4096,
            message_slots: 1024,
            deadline_ns: 10_000_000_000,
            evs: n as u16,
        };
        s.tune_conn();
        s
    }

    /// Sets the NSCC window and the ACK timeout from the paths: NSCC sized
    /// for the sum of the rates over the largest base RTT, and an ACK timeout
    /// of at least eight base RTTs (NSCC keeps queueing near one base RTT).
    pub fn tune_conn(&mut self) {
        let rtt = (0..self.paths.len())
            .map(|i| self.base_rtt_ns(i))
            .max()
            .unwrap_or(1);
        let rate_bytes = self.capacity_bps() / 8;
        self.conn.nscc = NsccConfig::for_path(rate_bytes, rtt);
        self.conn.nscc.mtu = u32::from(self.conn.max_payload);
        self.conn.ev_count = self.evs.max(1);
        let want = 8 * rtt;
        let mut t = 0u8;
        while t < 24 && (1024u64 << t) < want {
            t += 1;
        }
        self.conn.retry.timeout = t;
    }
}

/// Connection defaults for the simulator: 4 KiB payloads, MPR 16, 8 fixed
/// retries then 7 doublings, probes every 100 µs.
pub fn default_conn(ev_count: u16) -> ConnConfig {
    ConnConfig {
        max_payload: 4096,
        mpr: 16,
        dynamic_mpr: true,
        max_wimm: 64,
        retry: RetryPolicy {
            timeout: 8,
            linear_cnt: 7,
            exp_cnt: 7,
        },
        ack_every: 2,
        ack_delay_ns: 2_000,
        max_message_len: 1 << 30,
        ev_count,
        path: PathConfig {
            probe_interval_ns: 100_000,
            probe_timeout_ns: 200_000,
            burst: BURST_DEFAULT,
            ..PathConfig::default()
        },
        nscc: NsccConfig::for_path(1_000_000_000, 20_000),
        pkey: 0xFFFF,
        ev_profile: 1,
        cc_profile: 1,
    }
}
