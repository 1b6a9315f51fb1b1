//! Failure: one of 8 paths silently blackholed mid-transfer. Goodput is back
//! to 90% of the 7 surviving paths within 5 base RTTs of the first ACK
//! timeout on it, nothing is lost, and once the path is restored a probe
//! returns it to GOOD and it carries traffic again. With every path dead
//! the retries run out and the connection fails cleanly.

use mrc_proto::conn::CloseReason;
use mrc_sim::{run, FaultSpec, Scenario};

#[test]
fn blackholed_path_recovers_fast_and_comes_back() {
    let mut s = Scenario::uniform(8, 10_000_000_000, 5_000, 64 << 20, 31);
    s.faults.push(FaultSpec {
        path: 3,
        at_ns: 2_000_000,
        restore_ns: Some(4_000_000),
    });
    let r = run(s);
    let f = &r.flows[0];
    let rec = &r.recoveries[0];
    assert!(f.integrity_ok, "{}", r.text());
    assert_eq!(f.bytes_lost, 0);
    let t0 = rec
        .first_timeout_ns
        .expect("an ACK timeout on the dead path");
    assert!(t0 > rec.fault_ns);
    let rtts = rec.recovery_base_rtts.expect("recovered");
    assert!(
        rtts <= 5.0,
        "recovered after {rtts:.1} base RTTs\n{}",
        r.text()
    );
    let good = rec.good_again_ns.expect("probed back to GOOD");
    assert!(good > 4_000_000);
    assert!(rec.packets_after_good > 100, "{}", r.text());
}

#[test]
fn several_evs_on_the_dead_path_are_all_found_fast() {
    let mut s = Scenario::uniform(8, 10_000_000_000, 5_000, 32 << 20, 33);
    s.evs = 32;
    s.faults.push(FaultSpec {
        path: 6,
        at_ns: 1_000_000,
        restore_ns: Some(2_000_000),
    });
    s.tune_conn();
    let r = run(s);
    let f = &r.flows[0];
    let rec = &r.recoveries[0];
    assert!(f.integrity_ok, "{}", r.text());
    let rtts = rec.recovery_base_rtts.expect("recovered");
    assert!(
        rtts <= 5.0,
        "4 EVs on the dead path: recovered after {rtts:.1} base RTTs\n{}",
        r.text()
    );
    assert!(
        rec.good_again_ns.is_some() && rec.packets_after_good > 0,
        "{}",
        r.text()
    );
}

#[test]
fn every_path_dead_is_a_clean_connection_error() {
    let mut s = Scenario::uniform(4, 10_000_000_000, 5_000, 16 << 20, 32);
    for path in 0..4 {
        s.faults.push(FaultSpec {
            path,
            at_ns: 500_000,
            restore_ns: None,
        });
    }
    let r = run(s);
    let f = &r.flows[0];
    assert_eq!(
        f.client_closed,
        Some(CloseReason::RetriesExhausted),
        "{}",
        r.text()
    );
    assert!(
        f.errors.is_empty(),
        "what was delivered is intact: {:?}",
        f.errors
    );
    assert!(f.bytes_delivered > 0 && f.bytes_lost > 0);
}
