//! Unit and property tests of the path set.

use super::*;
use proptest::prelude::*;

fn set_with(cfg: PathConfig, evs: u16) -> PathSet<Vec<PathState>> {
    PathSet::new(cfg, vec![PathState::new(); usize::from(evs)], evs)
}

/// `evs` EVs configured by default but for what `tune` changes.
fn set_tuned(evs: u16, tune: impl FnOnce(&mut PathConfig)) -> PathSet<Vec<PathState>> {
    let mut cfg = PathConfig::default();
    tune(&mut cfg);
    set_with(cfg, evs)
}

fn set(evs: u16) -> PathSet<Vec<PathState>> {
    set_with(PathConfig::default(), evs)
}

/// Picks with a fixed `rand` of 0: every rotation starts at EV 0.
fn picks(paths: &mut PathSet<Vec<PathState>>, count: usize) -> Vec<u16> {
    (0..count)
        .map(|_| paths.choose(0, 0, None).unwrap())
        .collect()
}

fn counts(paths: &mut PathSet<Vec<PathState>>, evs: u16, picks: u32, seed: u32) -> Vec<u32> {
    let mut counts = vec![0u32; usize::from(evs)];
    for i in 0..picks {
        let rand = i.wrapping_add(seed).wrapping_mul(2_654_435_761);
        let ev = paths.choose(0, rand, None).unwrap();
        counts[usize::from(ev)] += 1;
    }
    counts
}

fn drain(paths: &mut PathSet<Vec<PathState>>) -> Vec<EvEvent> {
    core::iter::from_fn(|| paths.poll_event()).collect()
}

#[test]
fn equal_evs_share_evenly() {
    let mut paths = set(8);
    for count in counts(&mut paths, 8, 80_000, 0) {
        assert!((9_800..=10_200).contains(&count));
    }
}

#[test]
fn two_hundred_fifty_six_evs_share_evenly() {
    let mut paths = set(256);
    for count in counts(&mut paths, 256, 256 * 100, 7) {
        assert!((98..=102).contains(&count));
    }
}

#[test]
fn a_burst_keeps_one_ev_and_bursts_share_evenly() {
    let mut paths = set_tuned(8, |c| c.burst = 8);
    let mut counts = [0u32; 8];
    for burst in 0..8_000u32 {
        let rand = burst.wrapping_mul(2_654_435_761);
        let first = paths.choose_in_burst(0, rand, OPEN).unwrap();
        for _ in 1..8 {
            assert_eq!(paths.choose_in_burst(0, rand, OPEN), Some(first));
        }
        counts[usize::from(first)] += 8;
    }
    for count in counts {
        assert!((7_800..=8_200).contains(&count), "{counts:?}");
    }
}

#[test]
fn a_burst_ends_when_its_ev_stops_being_good() {
    let mut paths = set_tuned(4, |c| c.burst = 16);
    let first = paths.choose_in_burst(0, 0, OPEN).unwrap();
    paths.set_denied(first, true).unwrap();
    for _ in 0..64 {
        assert_ne!(paths.choose_in_burst(0, 0, OPEN), Some(first));
    }
}

/// A window with room for any burst.
const OPEN: u32 = u32::MAX;

#[test]
fn a_burst_is_at_most_its_share_of_the_room() {
    // A drain that starts with room for two spreads sends bursts of 2, so
    // its release reaches BURST_SPREAD EVs; its bursts keep that length as
    // its room shrinks.
    let mut paths = set_tuned(8, |c| c.burst = 8);
    for i in 0..100u32 {
        let rand = i.wrapping_mul(2_654_435_761);
        let room = if i == 0 { 2 * BURST_SPREAD } else { 1 };
        let first = paths.choose_in_burst(0, rand, room).unwrap();
        assert_eq!(paths.burst_left, 1);
        assert_eq!(paths.choose_in_burst(0, rand, 1), Some(first));
        assert_eq!(paths.burst_left, 0);
    }
    // The next drain sets its own length.
    paths.end_burst();
    paths.choose_in_burst(0, 0, OPEN).unwrap();
    assert_eq!(paths.burst_left, 7);
    // A drain with room for less than one spread: every packet picks, as
    // with burst 1.
    let mut bursty = set_tuned(8, |c| c.burst = 8);
    let mut plain = set(8);
    for i in 0..1000u32 {
        let rand = i.wrapping_mul(2_654_435_761);
        let room = BURST_SPREAD - 1;
        assert_eq!(
            bursty.choose_in_burst(0, rand, room),
            plain.choose(0, rand, None)
        );
    }
}

#[test]
fn burst_one_is_per_packet_spraying() {
    let mut bursty = set(8);
    let mut plain = set(8);
    for i in 0..1000u32 {
        let rand = i.wrapping_mul(2_654_435_761);
        assert_eq!(
            bursty.choose_in_burst(0, rand, OPEN),
            plain.choose(0, rand, None)
        );
    }
}

#[test]
fn path_set_is_small() {
    // The kernel builds it on a 16 KiB stack; the EVs live in the storage.
    assert!(core::mem::size_of::<PathSet<Vec<PathState>>>() <= 1024);
}

#[test]
fn storage_bounds_the_ev_count() {
    let paths = PathSet::new(PathConfig::default(), vec![PathState::new(); 3], 300);
    assert_eq!(paths.ev_count(), 3);
    assert_eq!(paths.state(2), Some(EvState::Good));
    assert_eq!(paths.state(3), None);
    assert!(paths.stats(3).is_none());
    let big = PathSet::new(PathConfig::default(), vec![PathState::new(); 300], 300);
    assert_eq!(big.ev_count(), MAX_EVS);
}

#[test]
fn no_evs_no_choice() {
    let mut paths = set(0);
    assert_eq!(paths.choose(0, 1, None), None);
    assert_eq!(paths.poll_probe(0), None);
    assert_eq!(paths.next_timeout(), None);
}

#[test]
fn ecn_skips_exactly_the_next_turn() {
    let mut paths = set(4);
    assert_eq!(picks(&mut paths, 2), [0, 1]);
    paths.on_ack(2, 10, 1_000, true);
    assert_eq!(paths.state(2), Some(EvState::Skip));
    // EV 2 loses its turn in this rotation and is back in the next.
    assert_eq!(picks(&mut paths, 7), [3, 0, 1, 2, 3, 0, 1]);
    assert_eq!(paths.state(2), Some(EvState::Good));
    assert_eq!(paths.stats(2).unwrap().ecn(), 1);
}

#[test]
fn a_delay_mark_skips_the_next_turn_and_costs_an_eighth_of_health() {
    let mut paths = set(4);
    for (ev, rtt) in [(0, 10_000), (1, 19_000), (2, 21_000), (3, 10_000)] {
        paths.on_ack(ev, 1, rtt, false);
    }
    // The rotation starting now takes 10 us as the lowest: above 20 us is
    // a delay mark.
    assert_eq!(picks(&mut paths, 2), [0, 1]);
    paths.on_ack(1, 2, 19_000, false);
    assert_eq!(paths.state(1), Some(EvState::Good));
    paths.on_ack(2, 2, 21_000, false);
    assert_eq!(paths.state(2), Some(EvState::Skip));
    // EV 2 loses its turn, and at 7/8 of the others' health earns its
    // next packet only at the visit after.
    assert_eq!(picks(&mut paths, 7), [3, 0, 1, 3, 0, 1, 2]);
    let stats = paths.stats(2).unwrap();
    let health = HEALTH_FULL - HEALTH_FULL / 8;
    assert_eq!(
        (stats.health(), stats.delayed(), stats.ecn()),
        (health, 1, 0)
    );
}

#[test]
fn named_routes_take_no_delay_marks() {
    let mut paths = set(4);
    paths.set_route(2, 0).unwrap();
    for (ev, rtt) in [(0, 10_000), (1, 10_000), (2, 10_000), (3, 30_000)] {
        paths.on_ack(ev, 1, rtt, false);
    }
    assert_eq!(picks(&mut paths, 2), [0, 1]);
    // Three times the lowest, and no mark.
    paths.on_ack(3, 2, 30_000, false);
    assert_eq!(paths.state(3), Some(EvState::Good));
    assert_eq!(paths.stats(3).unwrap().delayed(), 0);
}

/// Four links that ECMP hashed 6, 2, 4 and 4 of 16 EVs onto, each
/// serving 0.275 packets per packet sent (the sender uses 91% of the
/// sum): equal spraying would give the first 3/8 of them and a queue that
/// grows without end. A packet's RTT is 10 us plus 1 us per packet queued
/// before it on its link. The delay marks move packets off the busy links
/// (skips and lost health) until no queue grows: the link with 2 EVs
/// carries about a fifth.
#[test]
fn delay_marks_even_out_links_that_ecmp_loaded_unevenly() {
    let mut paths = set(16);
    let link = |ev: u16| match ev {
        0..=5 => 0usize,
        6..=7 => 1,
        8..=11 => 2,
        _ => 3,
    };
    let mut queue = [0.0f64; 4];
    let mut carried = [0u32; 4];
    for i in 0..40_000u32 {
        let ev = paths
            .choose(0, i.wrapping_mul(2_654_435_761), None)
            .unwrap();
        let l = link(ev);
        carried[l] += 1;
        queue[l] += 1.0;
        let rtt = 10_000 + (1_000.0 * queue[l]) as u64;
        for q in &mut queue {
            *q = (*q - 0.275).max(0.0);
        }
        paths.on_ack(ev, u64::from(i), rtt, false);
    }
    for l in 0..4 {
        let share = f64::from(carried[l]) / 40_000.0;
        assert!(share <= 0.28, "link {l} carried {share:.3}");
        assert!(queue[l] < 40.0, "link {l} queued {:.0}", queue[l]);
    }
}

#[test]
fn skip_after_its_turn_costs_the_next_rotation() {
    let mut paths = set(4);
    assert_eq!(picks(&mut paths, 3), [0, 1, 2]);
    paths.on_ack(2, 10, 1_000, true);
    assert_eq!(picks(&mut paths, 7), [3, 0, 1, 3, 0, 1, 2]);
}

#[test]
fn trim_skips_and_costs_health() {
    let mut paths = set(4);
    paths.on_trim(1, 10, false);
    assert_eq!(paths.state(1), Some(EvState::Skip));
    let stats = paths.stats(1).unwrap();
    assert_eq!((stats.trimmed(), stats.health()), (1, HEALTH_FULL * 3 / 4));
    // Skipped in the first rotation, then sending 3 turns in 4.
    assert_eq!(picks(&mut paths, 3), [0, 2, 3]);
    let chosen = picks(&mut paths, 15 * 4);
    assert_eq!(chosen.iter().filter(|&&ev| ev == 1).count(), 12);
}

#[test]
fn all_skipped_still_sprays() {
    let mut paths = set(3);
    for ev in 0..3 {
        paths.on_ack(ev, 1, 1_000, true);
    }
    assert_eq!(picks(&mut paths, 3), [0, 1, 2]);
}

#[test]
fn skip_in_every_rotation_counts_one_turn_each() {
    // Marking one EV once per rotation costs it exactly one turn in two.
    let mut paths = set(4);
    let mut chosen = [0u32; 4];
    for _ in 0..1_000 {
        for ev in picks(&mut paths, 4) {
            chosen[usize::from(ev)] += 1;
        }
        if paths.state(1) == Some(EvState::Good) {
            paths.on_ack(1, 1, 1_000, true);
        }
    }
    assert!(chosen[1] > 0);
    assert_eq!(chosen[0], chosen[2]);
}

#[test]
fn last_hop_trim_counts_but_does_not_skip() {
    let mut paths = set(2);
    for _ in 0..10 {
        paths.on_trim(0, 1, true);
    }
    assert_eq!(paths.state(0), Some(EvState::Good));
    let stats = paths.stats(0).unwrap();
    assert_eq!(stats.trimmed(), 10);
    assert_eq!(stats.health(), HEALTH_FULL);
}

#[test]
fn retransmission_avoids_its_ev() {
    let mut paths = set(4);
    for i in 0..1_000u32 {
        let ev = paths.choose(0, i.wrapping_mul(40_503), Some(2)).unwrap();
        assert_ne!(ev, 2);
    }
    // Alone, the avoided EV is still used.
    for ev in [0, 1, 3] {
        paths.set_denied(ev, true).unwrap();
    }
    assert_eq!(paths.choose(0, 5, Some(2)), Some(2));
}

#[test]
fn avoided_healthiest_ev_still_gives_way() {
    let mut paths = set(3);
    for ev in [0, 1] {
        for t in 0..20 {
            paths.on_loss(ev, t * 10_000_000, LossCause::Rack);
        }
    }
    assert_eq!(paths.stats(0).unwrap().health(), HEALTH_MIN);
    for i in 0..100u32 {
        assert_ne!(paths.choose(0, i, Some(2)), Some(2));
    }
}

#[test]
fn health_weights_the_spraying() {
    let mut paths = set_tuned(4, |c| c.loss_threshold = 0);
    for t in 0..2 {
        paths.on_loss(3, t, LossCause::Rack);
    }
    let health = u32::from(paths.stats(3).unwrap().health());
    assert_eq!(health, 576);
    let counts = counts(&mut paths, 4, 40_000, 3);
    // EV 3 sends health/1024 as often as the others.
    let expected = counts[0] * health / u32::from(HEALTH_FULL);
    assert!(counts[3].abs_diff(expected) <= counts[0] / 50, "{counts:?}");
    assert!(counts[0].abs_diff(counts[1]) <= 2 && counts[1].abs_diff(counts[2]) <= 2);
}

#[test]
fn clean_acks_restore_health() {
    let mut paths = set(2);
    paths.on_loss(0, 0, LossCause::Rack);
    assert!(paths.stats(0).unwrap().health() < HEALTH_FULL);
    for t in 0..200 {
        paths.on_ack(0, t, 1_000, false);
    }
    assert_eq!(paths.stats(0).unwrap().health(), HEALTH_FULL);
}

#[test]
fn timeout_moves_good_to_assumed_bad() {
    let mut paths = set(4);
    paths.on_loss(1, 500, LossCause::Timeout);
    assert_eq!(paths.state(1), Some(EvState::AssumedBad));
    assert_eq!(paths.active_count(), 3);
    assert_eq!(
        drain(&mut paths),
        [EvEvent {
            ev: 1,
            old: EvState::Good,
            new: EvState::AssumedBad,
            at_ns: 500,
            dropped: 0
        }]
    );
    for i in 0..100u32 {
        assert_ne!(paths.choose(0, i, None), Some(1));
    }
}

#[test]
fn rack_losses_within_window_move_to_assumed_bad() {
    let mut paths = set(4);
    let window = PathConfig::default().loss_window_ns;
    paths.on_loss(0, 0, LossCause::Rack);
    paths.on_loss(0, 10, LossCause::Rack);
    assert_eq!(paths.state(0), Some(EvState::Good));
    // The window expires: counting starts again.
    paths.on_loss(0, window + 10, LossCause::Rack);
    paths.on_trim(0, window + 20, false);
    assert_eq!(paths.state(0), Some(EvState::Skip));
    paths.on_loss(0, window + 30, LossCause::Rack);
    assert_eq!(paths.state(0), Some(EvState::AssumedBad));
    assert_eq!(paths.stats(0).unwrap().lost(), 4);
}

/// Eight EVs over four routes (EV i on route i mod 4), like SRv6 EVs over
/// four containers.
fn routed(cfg: PathConfig) -> PathSet<Vec<PathState>> {
    let mut paths = set_with(cfg, 8);
    for ev in 0..8 {
        paths.set_route(ev, ev % 4).unwrap();
    }
    paths
}

#[test]
fn a_timeout_takes_every_ev_of_its_route() {
    let mut paths = routed(PathConfig::default());
    paths.on_loss(5, 700, LossCause::Timeout);
    let bad: Vec<u16> = (0..8)
        .filter(|&ev| paths.state(ev) == Some(EvState::AssumedBad))
        .collect();
    assert_eq!(bad, [1, 5]);
    assert_eq!(paths.active_count(), 6);
    let events: Vec<(u16, u64)> = drain(&mut paths).iter().map(|e| (e.ev, e.at_ns)).collect();
    assert_eq!(events, [(5, 700), (1, 700)]);
    // Only the EV that timed out counts the timeout; each is probed.
    assert_eq!(paths.stats(5).unwrap().timeouts(), 1);
    assert_eq!(paths.stats(1).unwrap().timeouts(), 0);
    assert_eq!(paths.stats(1).unwrap().route(), 1);
    let cfg = PathConfig::default();
    let mut probed = [false; 8];
    let mut now = 700 + cfg.probe_interval_ns;
    while let Some(ev) = paths.poll_probe(now) {
        probed[usize::from(ev)] = true;
        now += 1;
    }
    assert_eq!(
        probed,
        [false, true, false, false, false, true, false, false]
    );
    assert_eq!(paths.set_route(8, 0), Err(PathError::EvOutOfRange));
    assert_eq!(paths.set_route(0, 8), Err(PathError::EvOutOfRange));
}

#[test]
fn a_route_stops_at_the_floor() {
    let cfg = PathConfig {
        ev_min_active: 7,
        ..PathConfig::default()
    };
    let mut paths = routed(cfg);
    paths.on_loss(2, 1, LossCause::Timeout);
    assert_eq!(paths.state(2), Some(EvState::AssumedBad));
    assert_eq!(paths.state(6), Some(EvState::Good));
    assert_eq!(paths.floor_refusals(), 1);
}

#[test]
fn floor_refuses_and_counts() {
    let mut paths = set_tuned(4, |c| c.ev_min_active = 2);
    for ev in 0..4 {
        paths.on_loss(ev, u64::from(ev) + 1, LossCause::Timeout);
    }
    assert_eq!(paths.state(2), Some(EvState::Good));
    assert_eq!(paths.state(3), Some(EvState::Good));
    assert_eq!(paths.active_count(), 2);
    assert_eq!(paths.floor_refusals(), 2);
    assert_eq!(drain(&mut paths).len(), 2);
    // The refused EVs keep spraying.
    let chosen = picks(&mut paths, 8);
    assert!(chosen.iter().all(|&ev| ev == 2 || ev == 3));
}

#[test]
fn probe_brings_assumed_bad_back_to_good() {
    let cfg = PathConfig::default();
    let mut paths = set_with(cfg, 4);
    paths.on_loss(2, 1_000, LossCause::Timeout);
    let due = 1_000 + cfg.probe_interval_ns;
    assert_eq!(paths.next_timeout(), Some(due));
    assert_eq!(paths.poll_probe(due - 1), None);
    assert_eq!(paths.poll_probe(due), Some(2));
    assert_eq!(paths.poll_probe(due), None);
    assert_eq!(paths.next_timeout(), Some(due + cfg.probe_timeout_ns));
    paths.on_probe_reply(2, due + 5_000, 4_000);
    assert_eq!(paths.state(2), Some(EvState::Good));
    assert_eq!(paths.next_timeout(), None);
    let stats = paths.stats(2).unwrap();
    assert_eq!(stats.srtt_ns(), 4_000);
    assert_eq!(stats.health(), HEALTH_FULL / 2);
    assert_eq!(stats.probes_sent(), 1);
    let events = drain(&mut paths);
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[1].old, events[1].new, events[1].at_ns),
        (EvState::AssumedBad, EvState::Good, due + 5_000)
    );
    assert!(paths.choose(0, 2, None).is_some());
}

#[test]
fn probe_timeouts_back_off() {
    let cfg = PathConfig {
        probe_backoff_max: 2,
        ..PathConfig::default()
    };
    let interval = cfg.probe_interval_ns;
    let mut paths = set_with(cfg, 2);
    paths.on_loss(0, 0, LossCause::Timeout);
    let mut now = interval;
    for shift in [1, 2, 2, 2] {
        assert_eq!(paths.poll_probe(now), Some(0));
        now += 10;
        paths.on_probe_timeout(0, now);
        // A second report of the same timeout changes nothing.
        paths.on_probe_timeout(0, now + 1);
        let next = now + (interval << shift);
        assert_eq!(paths.next_timeout(), Some(next));
        assert_eq!(paths.poll_probe(next - 1), None);
        now = next;
    }
    assert_eq!(paths.stats(0).unwrap().probe_backoff(), 4);
    paths.on_probe_reply(0, now, 1_000);
    assert_eq!(paths.stats(0).unwrap().probe_backoff(), 0);
}

#[test]
fn unreported_probe_timeout_expires_at_its_deadline() {
    let cfg = PathConfig::default();
    let mut paths = set_with(cfg, 2);
    paths.on_loss(1, 0, LossCause::Timeout);
    let sent = cfg.probe_interval_ns;
    assert_eq!(paths.poll_probe(sent), Some(1));
    let deadline = sent + cfg.probe_timeout_ns;
    assert_eq!(paths.next_timeout(), Some(deadline));
    assert_eq!(paths.poll_probe(deadline), None);
    assert_eq!(paths.stats(1).unwrap().probe_backoff(), 1);
    let next = deadline + (cfg.probe_interval_ns << 1);
    assert_eq!(paths.next_timeout(), Some(next));
    assert_eq!(paths.poll_probe(next), Some(1));
}

#[test]
fn bad_evs_take_turns_at_probes() {
    let mut paths = set(4);
    for ev in [0, 1, 2] {
        paths.on_loss(ev, 0, LossCause::Timeout);
    }
    let now = PathConfig::default().probe_interval_ns;
    let probed: Vec<_> = core::iter::from_fn(|| paths.poll_probe(now)).collect();
    assert_eq!(probed, [0, 1, 2]);
}

#[test]
fn deny_and_allow() {
    let mut paths = set(3);
    assert_eq!(paths.set_denied(3, true), Err(PathError::EvOutOfRange));
    paths.set_denied(1, true).unwrap();
    paths.set_denied(1, true).unwrap();
    assert_eq!(paths.state(1), Some(EvState::Denied));
    assert_eq!(paths.active_count(), 2);
    for i in 0..50u32 {
        assert_ne!(paths.choose(0, i, None), Some(1));
    }
    // Denied EVs are neither demoted nor probed.
    paths.on_loss(1, 0, LossCause::Timeout);
    assert_eq!(paths.state(1), Some(EvState::Denied));
    assert_eq!(paths.poll_probe(u64::MAX), None);
    paths.set_denied(1, false).unwrap();
    assert_eq!(paths.state(1), Some(EvState::Good));
    assert_eq!(paths.active_count(), 3);
    assert!(drain(&mut paths).is_empty());
}

#[test]
fn denying_an_assumed_bad_ev_stops_its_probes() {
    let mut paths = set(3);
    paths.on_loss(0, 0, LossCause::Timeout);
    paths.set_denied(0, true).unwrap();
    assert_eq!(paths.next_timeout(), None);
    assert_eq!(paths.poll_probe(u64::MAX), None);
}

#[test]
fn event_mask_filters() {
    let mut paths = set_tuned(2, |c| c.event_mask = EVENT_GOOD);
    paths.on_loss(0, 1, LossCause::Timeout);
    assert!(drain(&mut paths).is_empty());
    paths.on_probe_reply(0, 2, 1_000);
    let events = drain(&mut paths);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].new, EvState::Good);
}

#[test]
fn event_overflow_is_counted_and_reported() {
    let mut paths = set(2);
    // 20 round trips GOOD → ASSUMED_BAD → GOOD: 40 events, 16 fit.
    for t in 0..20u64 {
        paths.on_loss(0, t * 2, LossCause::Timeout);
        paths.on_probe_reply(0, t * 2 + 1, 1_000);
    }
    assert_eq!(paths.events_dropped(), 24);
    let queued = drain(&mut paths);
    assert_eq!(queued.len(), EVENT_QUEUE_LEN);
    assert!(queued.iter().all(|event| event.dropped == 0));
    assert_eq!(queued[15].at_ns, 15);
    paths.on_loss(0, 100, LossCause::Timeout);
    paths.on_probe_reply(0, 101, 1_000);
    let after = drain(&mut paths);
    assert_eq!(after.len(), 2);
    assert_eq!((after[0].at_ns, after[0].dropped), (100, 24));
    assert_eq!(after[1].dropped, 0);
}

#[test]
fn rtt_estimate() {
    let mut paths = set(1);
    paths.on_ack(0, 1, 8_000, false);
    let stats = paths.stats(0).unwrap();
    assert_eq!((stats.srtt_ns(), stats.rttvar_ns()), (8_000, 4_000));
    paths.on_ack(0, 2, 16_000, false);
    let stats = paths.stats(0).unwrap();
    assert_eq!((stats.srtt_ns(), stats.rttvar_ns()), (9_000, 5_000));
    assert_eq!(stats.last_ack_ns(), 2);
}

#[test]
fn send_counters() {
    let mut paths = set(2);
    paths.on_send(1, 7, 4_096);
    paths.on_send(1, 9, 100);
    paths.on_send(5, 9, 100);
    let stats = paths.stats(1).unwrap();
    assert_eq!(
        (stats.sent(), stats.bytes_sent(), stats.last_send_ns()),
        (2, 4_196, 9)
    );
}

#[derive(Clone, Debug)]
enum Op {
    Choose { rand: u32, avoid: Option<u16> },
    ChooseInBurst { rand: u32, room: u32 },
    Send { ev: u16, bytes: u32 },
    Ack { ev: u16, rtt: u64, ecn: bool },
    Trim { ev: u16, last_hop: bool },
    Loss { ev: u16, timeout: bool },
    PollProbe,
    ProbeReply { ev: u16, rtt: u64 },
    ProbeTimeout { ev: u16 },
    Deny { ev: u16, denied: bool },
    PollEvent,
}

fn op(evs: u16) -> impl Strategy<Value = Op> {
    let ev = prop_oneof![4 => 0..evs.max(1), 1 => any::<u16>()];
    let rtt = prop_oneof![0..100_000u64, any::<u64>()];
    prop_oneof![
        6 => (any::<u32>(), proptest::option::of(ev.clone()))
            .prop_map(|(rand, avoid)| Op::Choose { rand, avoid }),
        3 => (any::<u32>(), any::<u32>()).prop_map(|(rand, room)| Op::ChooseInBurst { rand, room }),
        2 => (ev.clone(), any::<u32>()).prop_map(|(ev, bytes)| Op::Send { ev, bytes }),
        4 => (ev.clone(), rtt.clone(), any::<bool>()).prop_map(|(ev, rtt, ecn)| Op::Ack { ev, rtt, ecn }),
        1 => (ev.clone(), any::<bool>()).prop_map(|(ev, last_hop)| Op::Trim { ev, last_hop }),
        2 => (ev.clone(), any::<bool>()).prop_map(|(ev, timeout)| Op::Loss { ev, timeout }),
        1 => Just(Op::PollProbe),
        1 => (ev.clone(), rtt).prop_map(|(ev, rtt)| Op::ProbeReply { ev, rtt }),
        1 => ev.clone().prop_map(|ev| Op::ProbeTimeout { ev }),
        1 => (ev, any::<bool>()).prop_map(|(ev, denied)| Op::Deny { ev, denied }),
        1 => Just(Op::PollEvent),
    ]
}

// A deliberate twin of the NSCC tests' and wire/strategy.rs's strategies:
// proptest's tuple strategies have no named form, so each field is named twice.
fn any_config() -> impl Strategy<Value = PathConfig> {
    (
        any::<u16>(),
        any::<u32>(),
        any::<u16>(),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        any::<u8>(),
        any::<u8>(),
    )
        .prop_map(
            |(
                ev_min_active,
                event_mask,
                loss_threshold,
                loss_window_ns,
                probe_interval_ns,
                probe_timeout_ns,
                probe_backoff_max,
                burst,
            )| {
                PathConfig {
                    ev_min_active,
                    event_mask,
                    loss_threshold,
                    loss_window_ns,
                    probe_interval_ns,
                    probe_timeout_ns,
                    probe_backoff_max,
                    burst,
                }
            },
        )
}

fn scenario() -> impl Strategy<Value = (PathConfig, u16, Vec<(u64, Op)>)> {
    (
        prop_oneof![
            Just(PathConfig::default()),
            Just(PathConfig {
                ev_min_active: 3,
                ..PathConfig::default()
            }),
            any_config()
        ],
        prop_oneof![1..=8u16, 0..=300u16],
    )
        .prop_flat_map(|(cfg, evs)| {
            let dt = prop_oneof![0..2_000_000u64, any::<u64>()];
            (
                Just(cfg),
                Just(evs),
                proptest::collection::vec((dt, op(evs)), 0..400),
            )
        })
}

proptest! {
    #[test]
    fn no_panic_and_counts_stay_true((cfg, evs, ops) in scenario()) {
        let mut paths = set_with(cfg, evs);
        let mut now = 0u64;
        for (dt, op) in ops {
            now = now.saturating_add(dt);
            let active_before = paths.active_count();
            let denying = matches!(op, Op::Deny { denied: true, .. });
            match op {
                Op::Choose { rand, avoid } => {
                    let chosen = paths.choose(now, rand, avoid);
                    prop_assert_eq!(chosen.is_some(), paths.active_count() > 0);
                    if let Some(ev) = chosen {
                        prop_assert_eq!(paths.state(ev), Some(EvState::Good));
                    }
                }
                Op::ChooseInBurst { rand, room } => {
                    let chosen = paths.choose_in_burst(now, rand, room);
                    prop_assert_eq!(chosen.is_some(), paths.active_count() > 0);
                    if let Some(ev) = chosen {
                        prop_assert_eq!(paths.state(ev), Some(EvState::Good));
                    }
                }
                Op::Send { ev, bytes } => paths.on_send(ev, now, bytes),
                Op::Ack { ev, rtt, ecn } => paths.on_ack(ev, now, rtt, ecn),
                Op::Trim { ev, last_hop } => paths.on_trim(ev, now, last_hop),
                Op::Loss { ev, timeout } => {
                    let cause = if timeout { LossCause::Timeout } else { LossCause::Rack };
                    paths.on_loss(ev, now, cause);
                }
                Op::PollProbe => {
                    if let Some(ev) = paths.poll_probe(now) {
                        prop_assert_eq!(paths.state(ev), Some(EvState::AssumedBad));
                    }
                }
                Op::ProbeReply { ev, rtt } => paths.on_probe_reply(ev, now, rtt),
                Op::ProbeTimeout { ev } => paths.on_probe_timeout(ev, now),
                Op::Deny { ev, denied } => {
                    prop_assert_eq!(paths.set_denied(ev, denied).is_ok(), ev < paths.ev_count());
                }
                Op::PollEvent => {
                    if let Some(event) = paths.poll_event() {
                        prop_assert!(event.ev < paths.ev_count());
                        prop_assert_ne!(event.old, event.new);
                    }
                }
            }
            let states: Vec<_> = (0..paths.ev_count()).filter_map(|ev| paths.state(ev)).collect();
            let active = states.iter().filter(|state| state.is_active()).count();
            prop_assert_eq!(active, usize::from(paths.active_count()));
            let bad = states.contains(&EvState::AssumedBad);
            prop_assert_eq!(paths.next_timeout().is_some(), bad);
            if !denying && paths.active_count() < active_before {
                prop_assert!(paths.active_count() >= cfg.ev_min_active);
            }
            for ev in 0..paths.ev_count() {
                let health = paths.stats(ev).map(PathState::health).unwrap_or(HEALTH_MIN);
                prop_assert!((HEALTH_MIN..=HEALTH_FULL).contains(&health));
            }
        }
    }

    #[test]
    fn equal_evs_get_equal_shares(evs in 1..=256u16, seed in any::<u32>(), rotations in 1..20u32) {
        let mut paths = set(evs);
        let counts = counts(&mut paths, evs, u32::from(evs) * rotations, seed);
        prop_assert!(counts.iter().all(|&count| count == rotations));
    }

    #[test]
    fn skip_costs_exactly_one_turn(evs in 2..=64u16, seed in any::<u32>(), warmup in 0..200u32, mark in any::<u16>()) {
        let mut paths = set(evs);
        let mark = mark % evs;
        let mut rand = seed;
        let mut next_rand = || {
            rand = rand.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            rand
        };
        for _ in 0..warmup {
            paths.choose(0, next_rand(), None).unwrap();
        }
        paths.on_ack(mark, 0, 1_000, true);
        // The rest of this rotation visits `rest` EVs from the cursor on.
        let rest = paths.rotation_left;
        let cursor = paths.cursor;
        let ahead = |ev: u16| (ev + evs - cursor) % evs < rest;
        // Through the end of the rotation after next: every EV gets each
        // of its turns except the marked one, which loses exactly one.
        let mut chosen = vec![0u32; usize::from(evs)];
        for _ in 0..u32::from(rest) + 2 * u32::from(evs) - 1 {
            chosen[usize::from(paths.choose(0, next_rand(), None).unwrap())] += 1;
        }
        prop_assert_eq!(paths.rotation_left, 0);
        for ev in 0..evs {
            let turns = 2 + u32::from(ahead(ev)) - u32::from(ev == mark);
            prop_assert_eq!(chosen[usize::from(ev)], turns, "ev {}", ev);
        }
        prop_assert_eq!(paths.state(mark), Some(EvState::Good));
    }
}

#[test]
fn a_probe_waits_at_least_the_evs_last_rto() {
    let cfg = PathConfig::default();
    let mut paths = set_with(cfg, 2);
    let rtt = 10 * cfg.probe_timeout_ns;
    paths.on_ack(1, 0, rtt, false);
    paths.on_loss(1, rtt, LossCause::Timeout);
    let sent = rtt + cfg.probe_interval_ns;
    assert_eq!(paths.poll_probe(sent), Some(1));
    let s = paths.stats(1).unwrap();
    let deadline = sent + s.srtt_ns() + 4 * s.rttvar_ns();
    assert!(deadline > sent + cfg.probe_timeout_ns);
    assert_eq!(paths.next_timeout(), Some(deadline));
    assert_eq!(paths.poll_probe(deadline - 1), None);
    assert_eq!(paths.stats(1).unwrap().probe_backoff(), 0);
    paths.on_probe_reply(1, deadline - 1, rtt);
    assert_eq!(paths.state(1), Some(EvState::Good));
}
