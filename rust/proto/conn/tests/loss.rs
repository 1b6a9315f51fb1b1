//! Loss: RACK per EV (never plain PSN gaps), TRIM NACKs, ACK timeouts that
//! demote an EV and retransmit elsewhere, probes that bring it back, and
//! the retry budget running out.

use super::harness::*;
use crate::proto::conn::*;
use crate::proto::path::EvState;
use crate::proto::wire::{trim_in_place, ResetReason};

#[test]
fn rack_declares_loss_per_ev_not_from_psn_gaps() {
    let mut pair = Pair::new();
    pair.client.send_message(8000, None).unwrap();
    let sent = drain(&mut pair.client, pair.now);
    let psns = data_psns(&sent);
    assert_eq!(psns.len(), 8);
    // Drop the first packet on EV e; deliver the second on e, and every
    // packet on other EVs except one earlier PSN that is only late.
    let e = psns[0].1;
    let second_on_e = psns.iter().skip(1).position(|p| p.1 == e).unwrap() + 1;
    // The late one is the last packet of its EV, with higher PSNs acked on
    // other EVs: a PSN gap, but nothing overtook it on its own EV.
    let late = (0..psns.len() - 1)
        .find(|&i| psns[i].1 != e && psns[i + 1..].iter().all(|p| p.1 != psns[i].1))
        .unwrap();
    let delivered: Vec<Wire> = sent
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 0 && *i != late)
        .map(|(_, w)| w.clone())
        .collect();
    pair.now += 2_000;
    for w in &delivered {
        pair.answered(std::slice::from_ref(w));
    }
    assert!(second_on_e > 0);
    assert_eq!(
        pair.client.stats().rack_losses,
        0,
        "sent 1 ns apart: wait for the reordering window"
    );
    let rack_at = pair.client.poll_timeout().unwrap();
    assert_eq!(rack_at, pair.now + pair.client.reorder_window());
    pair.fire_timers();
    let stats = pair.client.stats();
    assert_eq!(
        stats.rack_losses, 1,
        "only the packet overtaken on its own EV is lost"
    );
    let retx = drain(&mut pair.client, pair.now);
    let retx_psns = data_psns(&retx);
    assert_eq!(retx_psns.len(), 1);
    assert_eq!(retx_psns[0].0, psns[0].0, "same PSN");
    assert_ne!(retx_psns[0].1, e, "another EV");
    pair.deliver_to_server(&retx);
    pair.deliver_to_server(&sent[late..=late]);
    pair.run();
    assert_eq!(pair.placed, 8000);
    assert_eq!(pair.server.stats().duplicates, 0);
}

#[test]
fn trimmed_packet_is_nacked_and_resent_at_once() {
    let mut pair = Pair::new();
    pair.client.send_message(3000, None).unwrap();
    let mut sent = drain(&mut pair.client, pair.now);
    let len = trim_in_place(&mut sent[1].bytes, false).unwrap();
    sent[1].bytes.truncate(len);
    pair.answered(&sent);
    assert_eq!(pair.client.stats().trims, 1);
    assert_eq!(pair.server.stats().nacks_sent, 1);
    let retx = data_psns(&drain(&mut pair.client, pair.now));
    assert_eq!(retx.len(), 1, "retransmitted without waiting for a timeout");
    assert_eq!(retx[0].0, data_psns(&sent)[1].0);
    assert_ne!(retx[0].1, sent[1].ev);
}

/// Exchanges packets until `bytes` are placed or nothing is left to do,
/// firing timers when quiet; the client's packets for which `dead(round,
/// ev)` holds are dropped. Returns the packets dropped per EV.
fn exchange_dropping(pair: &mut Pair, bytes: u64, dead: impl Fn(usize, u16) -> bool) -> Vec<usize> {
    let mut lost = vec![0; usize::from(pair.client.paths().ev_count())];
    let mut round = 0;
    for _ in 0..200 {
        let c: Vec<Wire> = drain(&mut pair.client, pair.now);
        let s = drain(&mut pair.server, pair.now);
        if c.is_empty() && s.is_empty() {
            if pair.client.poll_timeout().is_none() || pair.placed == bytes {
                break;
            }
            pair.fire_timers();
            continue;
        }
        pair.now += 1_000;
        let (dropped, kept): (Vec<Wire>, Vec<Wire>) =
            c.into_iter().partition(|w| dead(round, w.ev));
        for w in &dropped {
            lost[usize::from(w.ev)] += 1;
        }
        round += 1;
        pair.deliver_to_server(&kept);
        pair.deliver_to_client(&s);
    }
    lost
}

/// A pair that sent a 20 000-byte message while EV `dead` dropped every
/// packet: the bytes arrived over the other EVs and `dead` is ASSUMED_BAD.
fn with_dead_ev(dead: u16) -> Pair {
    let mut pair = Pair::new();
    events(&mut pair.client);
    pair.client.send_message(20_000, None).unwrap();
    let lost = exchange_dropping(&mut pair, 20_000, |_, ev| ev == dead);
    assert!(lost.iter().sum::<usize>() > 0);
    assert_eq!(pair.placed, 20_000, "every byte arrives over the other EVs");
    assert_eq!(pair.client.paths().state(dead), Some(EvState::AssumedBad));
    pair
}

#[test]
fn dead_ev_times_out_is_avoided_then_probed_back() {
    let dead = 1u16;
    let mut pair = with_dead_ev(dead);
    // Before its probe is sent, no reply is taken for the EV.
    let mut buf = [0u8; 64];
    let n = answer_probe(&control_probe(dead, pair.now), 100, &mut buf).unwrap();
    assert_eq!(
        pair.client_gets(&buf[..n]),
        Err(PacketError::NoProbeOutstanding)
    );
    let evs = events(&mut pair.client);
    assert!(evs
        .iter()
        .any(|e| matches!(e, ConnEvent::Path(p) if p.ev == dead && p.new == EvState::AssumedBad)));
    assert!(pair.client.stats().ack_timeouts >= 1);
    assert_eq!(pair.client.state(), ConnState::Established);
    // The path heals: the next probe is answered and the EV is GOOD again.
    let mut probes = Vec::new();
    for _ in 0..10 {
        pair.fire_timers();
        probes = drain(&mut pair.client, pair.now);
        if !probes.is_empty() {
            break;
        }
    }
    assert_eq!(probes.len(), 1);
    assert_eq!(probes[0].ev, dead);
    // A forged reply (another send time) does not bring the EV back.
    let forged = control_probe(dead, pair.now - 1);
    let mut buf = [0u8; 64];
    let n = answer_probe(&forged, 100, &mut buf).unwrap();
    assert_eq!(
        pair.client_gets(&buf[..n]),
        Err(PacketError::NoProbeOutstanding)
    );
    assert_eq!(pair.client.paths().state(dead), Some(EvState::AssumedBad));
    let n = answer_probe(&probes[0].bytes, 100, &mut buf).unwrap();
    pair.now += 2_000;
    pair.client_gets(&buf[..n]).unwrap();
    assert_eq!(pair.client.paths().state(dead), Some(EvState::Good));
}

/// EVs 1 and 3 share a route that dies: EV 1 first, EV 3 one exchange
/// later, so EV 3's lost packets are younger than EV 1's. The ACK timeout
/// that finds EV 1 takes EV 3 with it, its packets in flight included:
/// one timeout for the whole route, not one per EV.
#[test]
fn a_timeout_takes_its_routes_other_evs_and_their_packets() {
    let mut pair = Pair::new();
    events(&mut pair.client);
    pair.client.set_ev_route(3, 1).unwrap();
    pair.client.send_message(20_000, None).unwrap();
    let lost = exchange_dropping(&mut pair, 20_000, |round, ev| {
        ev == 1 || (ev == 3 && round > 0)
    });
    assert!(lost[3] > 0, "EV 3 lost packets of its own");
    assert_eq!(pair.placed, 20_000);
    for ev in [1, 3] {
        assert_eq!(pair.client.paths().state(ev), Some(EvState::AssumedBad));
    }
    assert_eq!(
        pair.client.stats().ack_timeouts,
        1,
        "one timeout for the route"
    );
    let bad: Vec<u16> = events(&mut pair.client)
        .iter()
        .filter_map(|e| match e {
            ConnEvent::Path(p) if p.new == EvState::AssumedBad => Some(p.ev),
            _ => None,
        })
        .collect();
    assert_eq!(bad, [1, 3]);
    assert_eq!(
        pair.client.set_ev_route(4, 0),
        Err(crate::proto::path::PathError::EvOutOfRange)
    );
}

#[test]
fn retries_exhausted_is_a_clean_connection_error() {
    let mut pair = Pair::new();
    events(&mut pair.client);
    pair.client.send_message(500, None).unwrap();
    let mut sent = drain(&mut pair.client, pair.now).len();
    let mut rounds = 0;
    while let Some(t) = pair.client.poll_timeout() {
        pair.now = t;
        pair.client.handle_timeout(t);
        let out = drain(&mut pair.client, t);
        sent += data_psns(&out).len();
        rounds += 1;
        assert!(rounds < 1000);
        if matches!(pair.client.state(), ConnState::Closed(_)) {
            let resets: Vec<_> = out
                .iter()
                .filter(|w| data_psns(std::slice::from_ref(w)).is_empty())
                .collect();
            assert!(!resets.is_empty(), "the peer is told");
            pair.deliver_to_server(&out);
            break;
        }
    }
    assert_eq!(
        pair.client.state(),
        ConnState::Closed(CloseReason::RetriesExhausted)
    );
    assert_eq!(
        sent,
        1 + 2 + 3,
        "original, linear_cnt retries, exp_cnt retries"
    );
    let closes: Vec<ConnEvent> = events(&mut pair.client)
        .into_iter()
        .filter(|e| !matches!(e, ConnEvent::Path(_)))
        .collect();
    assert_eq!(
        closes,
        vec![ConnEvent::Closed(CloseReason::RetriesExhausted)]
    );
    assert_eq!(
        pair.server.state(),
        ConnState::Closed(CloseReason::PeerReset(ResetReason::RetryExceeded))
    );
    assert_eq!(pair.client.poll_timeout(), None);
}

#[test]
fn duplicate_data_is_acked_not_placed_twice() {
    let mut pair = Pair::new();
    pair.client.send_message(1000, None).unwrap();
    let sent = drain(&mut pair.client, pair.now);
    pair.deliver_to_server(&sent);
    pair.deliver_to_server(&sent);
    assert_eq!(pair.placed, 1000);
    assert_eq!(pair.server.stats().duplicates, 1);
    let acks = drain(&mut pair.server, pair.now);
    assert!(!acks.is_empty());
}

/// Exchanges packets in rounds, round `r` taking `one_way(r)` ns per hop
/// (probes answered on the way), firing the client's timer when it falls
/// due while packets are in flight, until `bytes` are placed and acked.
fn run_slow(pair: &mut Pair, one_way: impl Fn(usize) -> u64, bytes: u64) {
    for round in 0..10_000 {
        let one_way = one_way(round);
        if pair.placed == bytes && pair.client.stats().bytes_in_flight == 0 {
            return;
        }
        let mut c = drain(&mut pair.client, pair.now);
        let mut s = drain(&mut pair.server, pair.now);
        if c.is_empty() && s.is_empty() {
            pair.fire_timers();
            continue;
        }
        let arrival = pair.now + one_way;
        if let Some(t) = pair.client.poll_timeout().filter(|&t| t < arrival) {
            pair.now = pair.now.max(t);
            pair.client.handle_timeout(pair.now);
            c.extend(drain(&mut pair.client, pair.now));
        }
        let mut buf = [0u8; 64];
        for w in &c {
            if let Some(n) = answer_probe(&w.bytes, 0, &mut buf) {
                s.push(Wire {
                    ev: w.ev,
                    bytes: buf[..n].to_vec(),
                });
            }
        }
        pair.now = arrival;
        pair.deliver_to_server(&c);
        pair.deliver_to_client(&s);
    }
    panic!("the transfer never finished");
}

#[test]
fn a_path_slower_than_the_ack_timeout_is_not_timed_out() {
    let mut pair = Pair::new();
    let base = cfg().retry.base_ns();
    let one_way = 3 * base;
    // The first message measures the RTT (six times the configured
    // timeout, smoothed from the handshake's fast ones); its first flight
    // may expire before any sample exists.
    pair.client.send_message(4_000, None).unwrap();
    run_slow(&mut pair, |_| one_way, 4_000);
    assert!(pair.client.stats().srtt_ns > 4 * base);
    let before = pair.client.stats().ack_timeouts;
    pair.client.send_message(20_000, None).unwrap();
    run_slow(&mut pair, |_| one_way, 24_000);
    assert_eq!(
        pair.client.stats().ack_timeouts,
        before,
        "the floor is twice the srtt"
    );
    assert_eq!(pair.client.stats().active_evs, pair.client.stats().ev_count);
    assert_eq!(pair.client.state(), ConnState::Established);
}

#[test]
fn sacks_that_come_late_and_unevenly_widen_the_ack_timeout() {
    // A loaded host: the network is fast (a tenth of the configured
    // timeout each way), but one exchange in STALL_EVERY waits 1.5
    // timeouts, as a SACK does behind a busy receiver. Twice the smoothed
    // RTT stays below that wait; once a few such SACKs were measured, the
    // variance of their response time (RFC 6298) covers it.
    const STALL_EVERY: usize = 3;
    let mut pair = Pair::new();
    let base = cfg().retry.base_ns();
    let one_way = |round: usize| {
        if round % STALL_EVERY == STALL_EVERY - 1 {
            3 * base / 2
        } else {
            base / 10
        }
    };
    let mut placed = 0;
    let mut send = |pair: &mut Pair| {
        pair.client.send_message(20_000, None).unwrap();
        placed += 20_000;
        run_slow(pair, one_way, placed);
    };
    for _ in 0..3 {
        send(&mut pair);
    }
    let before = pair.client.stats();
    for _ in 0..8 {
        send(&mut pair);
    }
    let after = pair.client.stats();
    assert_eq!(after.ack_timeouts, before.ack_timeouts);
    assert_eq!(after.packets_retransmitted, before.packets_retransmitted);
    assert_eq!(after.active_evs, after.ev_count);
}

// A deliberate twin of endpoint/probe.rs's probe request: the test forges its
// packets independently of the code under test.
/// The probe request the client would send on `ev` at `timestamp`.
fn control_probe(ev: u16, timestamp: u64) -> Vec<u8> {
    use crate::proto::wire::{Body, ConnNumber, Packet, ProbeRequestRepr};
    let packet = Packet {
        pkey: PKEY,
        dest_conn: ConnNumber::NONE,
        body: Body::ProbeRequest(ProbeRequestRepr {
            probe_id: CLIENT,
            ev_index: ev,
            timestamp,
        }),
    };
    let mut buf = vec![0u8; 64];
    let n = packet.emit(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// A connection that would retry for ever, once closed by its
/// application, gives up after the orphan's bound.
#[test]
fn an_orphan_that_retried_for_ever_gives_up() {
    let mut cfg = cfg();
    cfg.retry.exp_cnt = EXP_CNT_INFINITE;
    let mut pair = Pair::with(cfg, cfg);
    pair.client.send_message(500, None).unwrap();
    pair.client.close();
    pair.client.limit_retries(2);
    let mut rounds = 0;
    drain(&mut pair.client, pair.now);
    while let Some(t) = pair.client.poll_timeout() {
        pair.now = t;
        pair.client.handle_timeout(t);
        drain(&mut pair.client, t);
        rounds += 1;
        assert!(rounds < 100, "still retrying after {rounds} timeouts");
    }
    assert_eq!(
        pair.client.state(),
        ConnState::Closed(CloseReason::RetriesExhausted)
    );
}

/// A probe reply that comes after its probe timed out and the next probe
/// went out still brings the EV back: the path works, only slowly.
#[test]
fn a_late_probe_reply_still_counts() {
    let dead = 1u16;
    let mut pair = with_dead_ev(dead);
    let mut probes = Vec::new();
    for _ in 0..200 {
        pair.fire_timers();
        probes.extend(drain(&mut pair.client, pair.now));
        if probes.len() >= 2 {
            break;
        }
    }
    assert!(
        probes.len() >= 2,
        "a second probe after the first timed out"
    );
    let mut buf = [0u8; 64];
    let n = answer_probe(&probes[0].bytes, 100, &mut buf).unwrap();
    pair.now += 1_000;
    assert_eq!(pair.client_gets(&buf[..n]), Ok(None));
    assert_eq!(pair.client.paths().state(dead), Some(EvState::Good));
}

#[test]
fn a_held_sack_handed_in_before_the_loss_timer_prevents_the_loss() {
    let mut pair = Pair::new();
    pair.client.send_message(3000, None).unwrap();
    let sent = drain(&mut pair.client, pair.now);
    assert!(!data_psns(&sent).is_empty());
    pair.now += 1_000;
    pair.deliver_to_server(&sent);
    let sacks = drain(&mut pair.server, pair.now);
    assert!(!sacks.is_empty());
    // The server sent no data: whatever its deadlines, none judges loss.
    assert!(!pair.server.loss_timer_due(u64::MAX));
    // The SACKs wait (in the host's receive queue, say) past the client's
    // ACK timeout.
    let due = pair.client.poll_timeout().unwrap();
    assert!(!pair.client.loss_timer_due(due - 1));
    assert!(pair.client.loss_timer_due(due));
    pair.now = due;
    // Handed in first, they acknowledge what the timeout would have lost.
    pair.deliver_to_client(&sacks);
    assert!(!pair.client.loss_timer_due(pair.now));
    pair.client.handle_timeout(pair.now);
    assert!(data_psns(&drain(&mut pair.client, pair.now)).is_empty());
    assert_eq!(pair.client.stats().ack_timeouts, 0);
    assert_eq!(pair.client.stats().packets_retransmitted, 0);
}
