//! The figures a run produces: goodput against the sum of the path rates,
//! per-path packet shares, retransmissions, recovery after a blackhole,
//! bytes lost and duplicates, as text and as JSON.

use mrc_proto::conn::CloseReason;
use mrc_proto::path::EvState;
use serde_json::{json, Value};

use crate::world::World;

/// Fraction of the surviving capacity that counts as recovered.
pub const RECOVERED_FRACTION: f64 = 0.9;

/// Goodput windows used for recovery, in base RTTs.
pub const WINDOW_RTTS: u64 = 2;

/// Recovery from one scripted blackhole, seen by flow 0.
#[derive(Clone, Debug)]
pub struct Recovery {
    /// The blackholed path.
    pub path: usize,
    /// When it went dark, ns.
    pub fault_ns: u64,
    /// First ACK timeout on it (its EV assumed bad), ns.
    pub first_timeout_ns: Option<u64>,
    /// End of the first window after the timeout whose goodput reached
    /// [`RECOVERED_FRACTION`] of the surviving paths' capacity, ns.
    pub recovered_ns: Option<u64>,
    /// `recovered_ns − first_timeout_ns`, in base RTTs.
    pub recovery_base_rtts: Option<f64>,
    /// Goodput in the window that ends at the first timeout, as a fraction
    /// of the surviving capacity (how far the dead path dragged it down).
    pub before_timeout_fraction: Option<f64>,
    /// When the path came back, ns.
    pub restore_ns: Option<u64>,
    /// When a probe brought its EV back to GOOD, ns.
    pub good_again_ns: Option<u64>,
    /// Data packets it carried after that.
    pub packets_after_good: u64,
}

/// What one flow achieved.
#[derive(Clone, Debug)]
pub struct FlowReport {
    /// Bytes the application handed to the core.
    pub bytes_submitted: u64,
    /// Bytes delivered in whole, verified messages.
    pub bytes_delivered: u64,
    /// Messages delivered and verified.
    pub messages_delivered: u64,
    /// From `Connected` to the last delivery, ns.
    pub duration_ns: u64,
    /// Delivered bytes over the duration, bits per second.
    pub goodput_bps: f64,
    /// Goodput over the sum of the path rates.
    pub goodput_ratio: f64,
    /// Data packets sent per path.
    pub path_packets: Vec<u64>,
    /// Each path's share of the data packets.
    pub path_share: Vec<f64>,
    /// Data packets retransmitted.
    pub retransmissions: u64,
    /// Losses found by RACK, by ACK timeout; ACK timeouts; trims.
    pub rack_losses: u64,
    /// Losses found by the ACK timeout.
    pub timeout_losses: u64,
    /// ACK timeouts.
    pub ack_timeouts: u64,
    /// TRIM NACKs the sender got.
    pub trims: u64,
    /// Duplicate data packets the receiving core dropped.
    pub duplicate_packets: u64,
    /// Payload placements that overlapped bytes already placed (must be 0).
    pub duplicate_placements: u64,
    /// Submitted bytes never delivered.
    pub bytes_lost: u64,
    /// Every byte delivered exactly once, in order, hash-checked.
    pub integrity_ok: bool,
    /// Integrity failures, if any.
    pub errors: Vec<String>,
    /// How the client closed, if it did.
    pub client_closed: Option<CloseReason>,
    /// How the server closed, if it did.
    pub server_closed: Option<CloseReason>,
}

/// Flow 0 over time, in bins of one base RTT: for plotting goodput and
/// the per-path spraying across a failure.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Bin width, ns.
    pub bin_ns: u64,
    /// Payload placed at the receiver per bin, Gb/s.
    pub goodput_gbps: Vec<f64>,
    /// Data packets sent per bin, per path.
    pub path_packets: Vec<Vec<u32>>,
}

/// The report of one run.
#[derive(Clone, Debug)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// Number of paths.
    pub paths: usize,
    /// Sum of the path rates, bits per second.
    pub capacity_bps: u64,
    /// Largest base RTT among the paths, ns.
    pub base_rtt_ns: u64,
    /// Virtual time at the end, ns.
    pub end_ns: u64,
    /// Per flow.
    pub flows: Vec<FlowReport>,
    /// Per scripted blackhole.
    pub recoveries: Vec<Recovery>,
    /// Flow 0 over time.
    pub timeline: Timeline,
}

/// Builds the report of a finished world.
pub fn build(world: &World) -> Report {
    let s = &world.scenario;
    let capacity = s.capacity_bps();
    let rtt = (0..s.paths.len())
        .map(|i| s.base_rtt_ns(i))
        .max()
        .unwrap_or(1);
    let flows = world
        .flows
        .iter()
        .map(|f| flow_report(world, f, capacity))
        .collect();
    let recoveries = s
        .faults
        .iter()
        .map(|fault| recovery(world, fault, rtt))
        .collect();
    Report {
        seed: s.seed,
        paths: s.paths.len(),
        capacity_bps: capacity,
        base_rtt_ns: rtt,
        end_ns: world.now,
        flows,
        recoveries,
        timeline: timeline(world, rtt),
    }
}

fn timeline(world: &World, bin_ns: u64) -> Timeline {
    let Some(flow) = world.flows.first() else {
        return Timeline::default();
    };
    let bins = (world.now / bin_ns + 1) as usize;
    let mut placed = vec![0u64; bins];
    for (at, bytes) in &flow.trace.placements {
        placed[(*at / bin_ns) as usize] += u64::from(*bytes);
    }
    let mut path_packets = vec![vec![0u32; bins]; world.scenario.paths.len()];
    for (at, path) in &flow.trace.sends {
        path_packets[*path][(*at / bin_ns) as usize] += 1;
    }
    Timeline {
        bin_ns,
        goodput_gbps: placed
            .iter()
            .map(|b| *b as f64 * 8.0 / bin_ns as f64)
            .collect(),
        path_packets,
    }
}

fn flow_report(world: &World, f: &crate::world::Flow, capacity: u64) -> FlowReport {
    let stats = f.client.as_ref().map(|c| c.stats()).unwrap_or_default();
    let server = f.server.as_ref().map(|c| c.stats()).unwrap_or_default();
    let start = f.trace.connected_at.unwrap_or(0);
    let end = f.trace.done_at.unwrap_or(world.now);
    let duration = end.saturating_sub(start).max(1);
    let goodput = f.receiver.delivered as f64 * 8.0 * 1e9 / duration as f64;
    let total: u64 = f.trace.path_packets.iter().sum();
    let share = f
        .trace
        .path_packets
        .iter()
        .map(|&p| {
            if total == 0 {
                0.0
            } else {
                p as f64 / total as f64
            }
        })
        .collect();
    let lost = f.sender.submitted.saturating_sub(f.receiver.delivered);
    FlowReport {
        bytes_submitted: f.sender.submitted,
        bytes_delivered: f.receiver.delivered,
        messages_delivered: f.receiver.messages,
        duration_ns: duration,
        goodput_bps: goodput,
        goodput_ratio: goodput / capacity as f64,
        path_packets: f.trace.path_packets.clone(),
        path_share: share,
        retransmissions: stats.packets_retransmitted,
        rack_losses: stats.rack_losses,
        timeout_losses: stats.timeout_losses,
        ack_timeouts: stats.ack_timeouts,
        trims: stats.trims,
        duplicate_packets: server.duplicates,
        duplicate_placements: f.receiver.duplicates,
        bytes_lost: lost,
        integrity_ok: f.receiver.errors.is_empty()
            && f.receiver.duplicates == 0
            && lost == 0
            && f.sender.all_submitted(),
        errors: f.receiver.errors.clone(),
        client_closed: f.trace.client_closed,
        server_closed: f.trace.server_closed,
    }
}

fn recovery(world: &World, fault: &crate::scenario::FaultSpec, rtt: u64) -> Recovery {
    let s = &world.scenario;
    let n = s.paths.len();
    let trace = &world.flows[0].trace;
    let on_path = |ev: u16| ev as usize % n == fault.path;
    let first_timeout = trace
        .ev_events
        .iter()
        .find(|(at, ev, state)| *at >= fault.at_ns && on_path(*ev) && *state == EvState::AssumedBad)
        .map(|(at, _, _)| *at);
    let surviving_bps = (s.capacity_bps() - s.paths[fault.path].rate_bps) as f64;
    let window = WINDOW_RTTS * rtt;
    let end = trace.done_at.unwrap_or(world.now);
    let bps_in = |from: u64| {
        let bytes: u64 = trace
            .placements
            .iter()
            .filter(|(at, _)| *at > from && *at <= from + window)
            .map(|(_, b)| u64::from(*b))
            .sum();
        bytes as f64 * 8.0 * 1e9 / window as f64
    };
    let recovered = first_timeout.and_then(|t0| {
        let step = (window / 16).max(1);
        let mut t = t0;
        while t + window <= end {
            if bps_in(t) >= RECOVERED_FRACTION * surviving_bps {
                return Some(t + window);
            }
            t += step;
        }
        None
    });
    let before = first_timeout.map(|t0| bps_in(t0.saturating_sub(window)) / surviving_bps);
    let good_again = fault.restore_ns.and_then(|r| {
        trace
            .ev_events
            .iter()
            .find(|(at, ev, state)| *at >= r && on_path(*ev) && *state == EvState::Good)
            .map(|(at, _, _)| *at)
    });
    Recovery {
        path: fault.path,
        fault_ns: fault.at_ns,
        first_timeout_ns: first_timeout,
        recovered_ns: recovered,
        recovery_base_rtts: match (first_timeout, recovered) {
            (Some(t0), Some(t1)) => Some((t1 - t0) as f64 / rtt as f64),
            _ => None,
        },
        before_timeout_fraction: before,
        restore_ns: fault.restore_ns,
        good_again_ns: good_again,
        packets_after_good: if good_again.is_some() {
            trace.path_packets_after_good[fault.path]
        } else {
            0
        },
    }
}

fn close_name(reason: Option<CloseReason>) -> Value {
    reason.map_or(Value::Null, |r| Value::String(format!("{r:?}")))
}

impl Report {
    /// The report as JSON.
    pub fn json(&self) -> Value {
        let flows: Vec<Value> = self
            .flows
            .iter()
            .map(|f| {
                json!({
                    "bytes_submitted": f.bytes_submitted,
                    "bytes_delivered": f.bytes_delivered,
                    "messages_delivered": f.messages_delivered,
                    "duration_ns": f.duration_ns,
                    "goodput_bps": f.goodput_bps,
                    "goodput_ratio": f.goodput_ratio,
                    "path_packets": f.path_packets,
                    "path_share": f.path_share,
                    "retransmissions": f.retransmissions,
                    "rack_losses": f.rack_losses,
                    "timeout_losses": f.timeout_losses,
                    "ack_timeouts": f.ack_timeouts,
                    "trims": f.trims,
                    "duplicate_packets": f.duplicate_packets,
                    "duplicate_placements": f.duplicate_placements,
                    "bytes_lost": f.bytes_lost,
                    "integrity_ok": f.integrity_ok,
                    "errors": f.errors,
                    "client_closed": close_name(f.client_closed),
                    "server_closed": close_name(f.server_closed),
                })
            })
            .collect();
        let recoveries: Vec<Value> = self
            .recoveries
            .iter()
            .map(|r| {
                json!({
                    "path": r.path,
                    "fault_ns": r.fault_ns,
                    "first_timeout_ns": r.first_timeout_ns,
                    "recovered_ns": r.recovered_ns,
                    "recovery_base_rtts": r.recovery_base_rtts,
                    "before_timeout_fraction": r.before_timeout_fraction,
                    "restore_ns": r.restore_ns,
                    "good_again_ns": r.good_again_ns,
                    "packets_after_good": r.packets_after_good,
                })
            })
            .collect();
        json!({
            "seed": self.seed,
            "paths": self.paths,
            "capacity_bps": self.capacity_bps,
            "base_rtt_ns": self.base_rtt_ns,
            "end_ns": self.end_ns,
            "flows": flows,
            "recoveries": recoveries,
            "timeline": {
                "bin_ns": self.timeline.bin_ns,
                "goodput_gbps": self.timeline.goodput_gbps,
                "path_packets": self.timeline.path_packets,
            },
        })
    }

    /// The report as text.
    pub fn text(&self) -> String {
        let mut out = format!(
            "seed {}  paths {}  capacity {:.2} Gb/s  base RTT {:.1} us  end {:.3} ms\n",
            self.seed,
            self.paths,
            self.capacity_bps as f64 / 1e9,
            self.base_rtt_ns as f64 / 1e3,
            self.end_ns as f64 / 1e6
        );
        for (i, f) in self.flows.iter().enumerate() {
            out += &format!(
                "flow {i}: delivered {} / {} bytes in {} messages, {:.3} ms\n",
                f.bytes_delivered,
                f.bytes_submitted,
                f.messages_delivered,
                f.duration_ns as f64 / 1e6
            );
            out += &format!(
                "  goodput {:.3} Gb/s = {:.1}% of the sum of path rates\n",
                f.goodput_bps / 1e9,
                f.goodput_ratio * 100.0
            );
            let shares: Vec<String> = f
                .path_share
                .iter()
                .map(|s| format!("{:.1}%", s * 100.0))
                .collect();
            out += &format!("  path share: {}\n", shares.join(" "));
            out += &format!(
                "  retransmitted {} (RACK {}, timeout {}, trims {}), ACK timeouts {}, duplicate packets {}\n",
                f.retransmissions, f.rack_losses, f.timeout_losses, f.trims, f.ack_timeouts, f.duplicate_packets
            );
            out += &format!(
                "  bytes lost {}, duplicate placements {}, integrity {}\n",
                f.bytes_lost,
                f.duplicate_placements,
                if f.integrity_ok {
                    "OK (every byte once, in order, SHA-256 checked)"
                } else {
                    "FAILED"
                }
            );
            for e in f.errors.iter().take(5) {
                out += &format!("  error: {e}\n");
            }
            if f.client_closed.is_some() || f.server_closed.is_some() {
                out += &format!(
                    "  closed: client {:?}, server {:?}\n",
                    f.client_closed, f.server_closed
                );
            }
        }
        for r in &self.recoveries {
            out += &format!(
                "blackhole path {} at {:.3} ms: ",
                r.path,
                r.fault_ns as f64 / 1e6
            );
            match (r.first_timeout_ns, r.recovered_ns, r.recovery_base_rtts) {
                (Some(t0), Some(_), Some(rtts)) => {
                    out += &format!(
                        "first ACK timeout at {:.3} ms (goodput just before: {:.0}% of surviving capacity), \
                         >= {:.0}% of surviving capacity {:.1} base RTTs later\n",
                        t0 as f64 / 1e6,
                        r.before_timeout_fraction.unwrap_or(0.0) * 100.0,
                        RECOVERED_FRACTION * 100.0,
                        rtts
                    )
                }
                (Some(t0), _, _) => out += &format!("first ACK timeout at {:.3} ms, never recovered\n", t0 as f64 / 1e6),
                _ => out += "no ACK timeout on it\n",
            }
            if let Some(restore) = r.restore_ns {
                match r.good_again_ns {
                    Some(g) => {
                        out += &format!(
                            "  restored at {:.3} ms, GOOD again at {:.3} ms, then carried {} data packets\n",
                            restore as f64 / 1e6,
                            g as f64 / 1e6,
                            r.packets_after_good
                        )
                    }
                    None => out += &format!("  restored at {:.3} ms, never GOOD again\n", restore as f64 / 1e6),
                }
            }
        }
        out
    }
}
