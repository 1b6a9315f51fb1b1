//! NSCC through the whole stack: connections that spray over the same
//! simulated paths share those links as their bottleneck. Two connections
//! converge to equal shares; an 8-to-1 incast keeps the queues bounded.
//!
//! The links mark ECN above 32 KiB of backlog, below the queue that the
//! target delay stands for (one base RTT, about 54 kB per path here), as
//! NSCC expects: a mark then means "queue building", and a decrease
//! needs both a mark and a delay above target.

use mrc_sim::{FlowSpec, Scenario, World};

const PATHS: usize = 2;
const RATE_BPS: u64 = 10_000_000_000;
const DELAY_NS: u64 = 20_000;
const ECN_THRESHOLD: u64 = 32 * 1024;
const TOTAL_BYTES: u64 = 64 << 20;

/// Connections starting at `starts`, each with more bytes than it can send
/// by the end of the run, over the shared paths.
fn shared(starts: &[u64], seed: u64) -> Scenario {
    let mut s = Scenario::uniform(PATHS, RATE_BPS, DELAY_NS, TOTAL_BYTES, seed);
    for path in &mut s.paths {
        path.ecn_threshold_bytes = Some(ECN_THRESHOLD);
    }
    s.flows = starts
        .iter()
        .map(|&start_ns| FlowSpec {
            start_ns,
            total_bytes: TOTAL_BYTES,
            min_msg: 16 * 1024,
            max_msg: 64 * 1024,
            imm_every: 0,
        })
        .collect();
    // A short message queue: the senders stay window-limited without
    // generating (and hashing) far more bytes than the run carries.
    s.message_slots = 32;
    s
}

/// Runs `scenario` to `until`, calling `sample` every `step` ns.
fn run_sampled(
    scenario: Scenario,
    step: u64,
    until: u64,
    mut sample: impl FnMut(&World, u64),
) -> World {
    let mut world = World::new(scenario);
    let mut t = step;
    while t <= until {
        world.scenario.deadline_ns = t;
        world.run();
        sample(&world, t);
        t += step;
    }
    world
}

/// Payload bytes placed at flow `flow`'s receiver within `from..to`.
fn delivered(world: &World, flow: usize, from: u64, to: u64) -> u64 {
    world.flows[flow]
        .trace
        .placements
        .iter()
        .filter(|(at, _)| (from..to).contains(at))
        .map(|&(_, bytes)| u64::from(bytes))
        .sum()
}

/// Bytes all paths together can carry in `ns`.
fn capacity_bytes(ns: u64) -> u64 {
    PATHS as u64 * RATE_BPS / 8 * ns / 1_000_000_000
}

/// Two connections, shares measured over 6-12 ms: together they fill the
/// links, and each gets its equal share within 20%.
fn assert_fair(starts: [u64; 2], seed: u64) {
    let (from, to) = (6_000_000, 12_000_000);
    let world = run_sampled(shared(&starts, seed), to, to, |_, _| {});
    let (a, b) = (
        delivered(&world, 0, from, to),
        delivered(&world, 1, from, to),
    );
    let total = a + b;
    assert!(
        total * 10 >= capacity_bytes(to - from) * 9,
        "seed {seed}: total {total}"
    );
    assert!(
        a.abs_diff(b) * 5 <= total,
        "seed {seed}, starts {starts:?}: shares {a} / {b}"
    );
}

#[test]
fn latecomer_converges_to_an_equal_share() {
    assert_fair([0, 2_000_000], 1);
    assert_fair([2_000_000, 0], 2);
}

#[test]
fn simultaneous_starts_converge_to_equal_shares() {
    assert_fair([0, 0], 3);
}

#[test]
fn incast_keeps_the_queues_bounded() {
    // Eight connections start within 8 µs, each at max_cwnd (1.5 × the
    // BDP of both paths): six path-BDPs of backlog per path arrive at once.
    // After 2 ms no queue holds more than two path-BDPs, the links stay
    // busy and no connection starves.
    let starts: Vec<u64> = (0..8).map(|i| i * 1_000).collect();
    let scenario = shared(&starts, 4);
    let bdp = RATE_BPS / 8 * scenario.base_rtt_ns(0) / 1_000_000_000;
    let (from, to) = (2_000_000, 10_000_000);
    let mut max_backlog = 0;
    let world = run_sampled(scenario, 5_000, to, |world, t| {
        if t >= from {
            for path in &world.links {
                max_backlog = max_backlog.max(path[0].backlog_bytes(t));
            }
        }
    });
    assert!(
        max_backlog <= 2 * bdp,
        "max backlog {max_backlog} B, path BDP {bdp} B"
    );
    let shares: Vec<u64> = (0..8)
        .map(|flow| delivered(&world, flow, from, to))
        .collect();
    let total: u64 = shares.iter().sum();
    assert!(total * 10 >= capacity_bytes(to - from) * 9, "total {total}");
    for share in &shares {
        assert!(share * 8 * 2 >= total, "shares {shares:?}");
    }
}
