//! NSCC flows sharing one bottleneck, packet by packet: fairness between
//! flows and a bounded queue under incast. The model is a FIFO link of
//! fixed rate behind which every packet is acked one base RTT later; a
//! packet is ECN-marked when the backlog it joins exceeds a threshold.

use std::collections::VecDeque;

use super::*;

const RATE: u64 = 12_500_000_000; // 100 Gb/s, bytes per second
const BASE: u64 = 10_000; // ns
const BDP: u64 = RATE * BASE / 1_000_000_000; // 125 kB
const PACKET: u32 = 4096;
const ECN_THRESHOLD: u64 = BDP / 2;

struct Flow {
    cc: Nscc,
    start_ns: u64,
    in_flight: u64,
    started: bool,
    /// Bytes acked after the measurement start.
    measured: u64,
}

struct InFlight {
    acked_at: u64,
    flow: usize,
    sent_at: u64,
    ecn: bool,
}

struct Bottleneck {
    flows: Vec<Flow>,
    pipe: VecDeque<InFlight>,
    link_free_at: u64,
    /// Largest backlog (bytes) seen after the measurement start.
    max_backlog: u64,
    measure_from: u64,
}

impl Bottleneck {
    fn new(starts: &[u64], measure_from: u64) -> Self {
        let cfg = NsccConfig::for_path(RATE, BASE);
        let flows = starts
            .iter()
            .map(|&start_ns| Flow {
                cc: Nscc::new(cfg),
                start_ns,
                in_flight: 0,
                started: false,
                measured: 0,
            })
            .collect();
        Self {
            flows,
            pipe: VecDeque::new(),
            link_free_at: 0,
            max_backlog: 0,
            measure_from,
        }
    }

    fn send(&mut self, flow: usize, now: u64) {
        while self.flows[flow].in_flight + u64::from(PACKET)
            <= u64::from(self.flows[flow].cc.cwnd())
        {
            let backlog = self.link_free_at.saturating_sub(now) * RATE / 1_000_000_000;
            if now >= self.measure_from {
                self.max_backlog = self.max_backlog.max(backlog);
            }
            let serialize = u64::from(PACKET) * 1_000_000_000 / RATE;
            self.link_free_at = self.link_free_at.max(now) + serialize;
            self.pipe.push_back(InFlight {
                acked_at: self.link_free_at + BASE - serialize,
                flow,
                sent_at: now,
                ecn: backlog > ECN_THRESHOLD,
            });
            self.flows[flow].in_flight += u64::from(PACKET);
        }
    }

    fn run(&mut self, until: u64) {
        loop {
            let next_start = self
                .flows
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.started)
                .min_by_key(|(_, f)| f.start_ns)
                .map(|(i, f)| (f.start_ns, i));
            let next_ack = self.pipe.front().map(|p| p.acked_at);
            match (next_start, next_ack) {
                (Some((at, flow)), ack) if ack.is_none_or(|ack| at <= ack) => {
                    if at > until {
                        return;
                    }
                    self.flows[flow].started = true;
                    self.send(flow, at);
                }
                (_, Some(at)) => {
                    if at > until {
                        return;
                    }
                    let packet = self.pipe.pop_front().unwrap();
                    let flow = &mut self.flows[packet.flow];
                    flow.in_flight -= u64::from(PACKET);
                    flow.cc.on_ack(at, PACKET, at - packet.sent_at, packet.ecn);
                    if at >= self.measure_from {
                        flow.measured += u64::from(PACKET);
                    }
                    self.send(packet.flow, at);
                }
                (_, None) => return,
            }
        }
    }
}

#[test]
fn two_flows_converge_to_equal_shares() {
    // The second flow joins 2 ms late; shares are measured over 20-40 ms.
    let mut net = Bottleneck::new(&[0, 2_000_000], 20_000_000);
    net.run(40_000_000);
    let (a, b) = (net.flows[0].measured, net.flows[1].measured);
    let total = a + b;
    // The link stays busy...
    assert!(total >= RATE / 50 * 95 / 100, "total {total}");
    // ...and is shared within 20% of equal.
    assert!(a.abs_diff(b) * 5 <= total / 2, "shares {a} / {b}");
}

#[test]
fn incast_keeps_the_queue_bounded() {
    // Eight senders start within 8 µs of each other, each at max_cwnd
    // (1.5 BDP): 12 BDP arrive at once. After the first 2 ms the backlog
    // stays within a few BDP and the link stays busy.
    let starts: Vec<u64> = (0..8).map(|i| i * 1_000).collect();
    let mut net = Bottleneck::new(&starts, 2_000_000);
    net.run(20_000_000);
    let total: u64 = net.flows.iter().map(|f| f.measured).sum();
    assert!(total >= RATE / 1_000 * 18 * 95 / 100, "total {total}");
    assert!(
        net.max_backlog <= 2 * BDP,
        "max backlog {} B, BDP {BDP} B",
        net.max_backlog
    );
    let shares: Vec<u64> = net.flows.iter().map(|f| f.measured).collect();
    let (min, max) = (shares.iter().min().unwrap(), shares.iter().max().unwrap());
    assert!(max - min <= total / 8 / 2, "shares {shares:?}");
}
