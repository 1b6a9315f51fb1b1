//! Data transfer without loss: placement, in-order delivery, the PSN and
//! congestion windows, WIMM, dynamic MPR and graceful close.

use super::harness::*;
use crate::proto::conn::*;
use crate::proto::nscc::NsccConfig;
use crate::proto::wire::{Body, SackRepr};

/// A message limit no test here reaches.
const ANY_MESSAGE: u32 = 1 << 12;

#[test]
fn messages_of_mixed_sizes_arrive_whole_and_in_order() {
    let mut pair = Pair::new();
    events(&mut pair.client);
    events(&mut pair.server);
    let sizes = [0u32, 1, 999, 1000, 1001, 5000, 12345];
    let mut total = 0u64;
    for (i, &len) in sizes.iter().enumerate() {
        let imm = (i % 3 == 1).then_some(i as u32 * 11);
        assert_eq!(pair.client.send_message(len, imm), Ok(MsgId(i as u32)));
        total += u64::from(len);
    }
    pair.run();
    assert_eq!(pair.placed, total);
    let received: Vec<ConnEvent> = events(&mut pair.server);
    let want: Vec<ConnEvent> = sizes
        .iter()
        .enumerate()
        .map(|(i, &len)| ConnEvent::MessageReceived {
            msg: MsgId(i as u32),
            len,
            imm: (i % 3 == 1).then_some(i as u32 * 11),
        })
        .collect();
    assert_eq!(received, want);
    let sent: Vec<ConnEvent> = events(&mut pair.client);
    let want: Vec<ConnEvent> = (0..sizes.len())
        .map(|i| ConnEvent::MessageSent {
            msg: MsgId(i as u32),
        })
        .collect();
    assert_eq!(sent, want);
    let stats = pair.client.stats();
    assert_eq!(stats.bytes_acked, total);
    assert_eq!(stats.packets_retransmitted, 0);
    assert_eq!(stats.bytes_in_flight, 0);
    assert!(stats.srtt_ns > 0);
    assert_eq!(pair.server.stats().bytes_received, total);
}

#[test]
fn in_flight_is_bounded_by_the_congestion_window() {
    let mut pair = Pair::new();
    pair.client.send_message(100_000, None).unwrap();
    let burst = data_psns(&drain(&mut pair.client, pair.now));
    let cwnd = pair.client.stats().cwnd;
    assert_eq!(burst.len() as u32, cwnd / 1000, "cwnd {cwnd}");
    assert!(pair.client.stats().bytes_in_flight <= cwnd);
}

/// `cfg()` on a 100 Gb/s path with a 100 µs base RTT: the congestion
/// window never limits what is in flight.
fn fast_path() -> ConnConfig {
    let mut fat = cfg();
    fat.nscc = NsccConfig::for_path(100_000_000_000, 100_000);
    fat
}

#[test]
fn in_flight_is_bounded_by_the_peer_mpr() {
    let mut server = cfg();
    server.mpr = 1;
    let mut pair = Pair::with(fast_path(), server);
    for _ in 0..8 {
        pair.client.send_message(100_000, None).unwrap();
    }
    let burst = drain(&mut pair.client, pair.now);
    assert_eq!(
        data_psns(&burst).len(),
        128,
        "MPR 1 = 128 PSNs past the cumulative ack"
    );
    pair.deliver_to_server(&burst);
    pair.run();
    assert_eq!(pair.placed, 800_000);
}

#[test]
fn sent_records_grow_to_the_peers_window_while_packets_are_in_flight() {
    let mut pair = Pair::with(fast_path(), cfg());
    let records = |n: usize| vec![SentPacket::default(); n];
    assert!(
        pair.client.replace_sent(records(64)).is_ok(),
        "idle: any size will do"
    );
    assert_eq!(
        pair.client.sent_records_wanted(),
        None,
        "idle: no growth wanted"
    );
    for _ in 0..8 {
        pair.client.send_message(100_000, None).unwrap();
    }
    let mut sent = drain(&mut pair.client, pair.now);
    assert_eq!(data_psns(&sent).len(), 64, "the records bound the window");
    assert_eq!(pair.client.sent_records_wanted(), Some(128));
    assert!(
        pair.client.replace_sent(records(32)).is_err(),
        "too few for the PSNs in flight"
    );
    pair.client.replace_sent(records(128)).unwrap();
    sent.extend(drain(&mut pair.client, pair.now));
    assert_eq!(data_psns(&sent).len(), 128);
    assert_eq!(pair.client.sent_records_wanted(), Some(256));
    pair.client.replace_sent(records(256)).unwrap();
    sent.extend(drain(&mut pair.client, pair.now));
    assert_eq!(data_psns(&sent).len(), 256, "the peer's MPR 2: 256 PSNs");
    assert_eq!(
        pair.client.sent_records_wanted(),
        None,
        "the peer's window is the ceiling"
    );
    pair.deliver_to_server(&sent);
    pair.run();
    assert_eq!(pair.placed, 800_000);
    assert_eq!(pair.client.stats().packets_retransmitted, 0);
}

#[test]
fn dynamic_mpr_lowers_the_window_only_when_both_enable_it() {
    for dynamic in [true, false] {
        let mut server = cfg();
        server.dynamic_mpr = dynamic;
        let mut pair = Pair::with(fast_path(), server);
        pair.client.send_message(1000, None).unwrap();
        let first = drain(&mut pair.client, pair.now);
        let una = pair.client.tx.una;
        let sack = SackRepr {
            cum_ack: una,
            sack_base: una,
            bitmap: 0,
            timestamp_echo: 0,
            service_time: 0,
            ev_index: first[0].ev,
            mpr: 1,
            ecn_echo: false,
            credit: None,
        };
        pair.client_gets(&control(CLIENT, Body::Sack(sack)))
            .unwrap();
        assert_eq!(pair.client.send_window(), if dynamic { 128 } else { 256 });
    }
}

#[test]
fn responder_lowers_and_restores_the_mpr_at_run_time() {
    let mut pair = Pair::with(fast_path(), cfg());
    assert!(!pair.server.set_dynamic_mpr(3), "above the configured MPR");
    assert!(pair.server.set_dynamic_mpr(1));
    for _ in 0..4 {
        pair.client.send_message(100_000, None).unwrap();
    }
    let first = drain(&mut pair.client, pair.now);
    pair.answered(&first[..1]);
    assert_eq!(pair.client.send_window(), 128);
    assert!(pair.server.set_dynamic_mpr(2));
    pair.answered(&first[1..2]);
    assert_eq!(pair.client.send_window(), 256);
    let mut plain = cfg();
    plain.dynamic_mpr = false;
    let mut pair = Pair::with(cfg(), plain);
    assert!(
        !pair.server.set_dynamic_mpr(1),
        "the initiator did not enable it"
    );
}

#[test]
fn wimm_limits_immediate_messages_in_flight() {
    let mut pair = Pair::new();
    assert!(pair.client.send_message(10, Some(1)).is_ok());
    assert!(pair.client.send_message(10, Some(2)).is_ok());
    assert_eq!(
        pair.client.send_message(10, Some(3)),
        Err(SendError::WimmLimit)
    );
    assert!(
        pair.client.send_message(10, None).is_ok(),
        "plain writes are not limited"
    );
    pair.run();
    events(&mut pair.client);
    assert!(pair.client.send_message(10, Some(3)).is_ok());
}

#[test]
fn message_slots_and_length_limit() {
    let mut pair = Pair::new();
    assert_eq!(
        pair.client.send_message((1 << 20) + 1, None),
        Err(SendError::TooLong)
    );
    for _ in 0..16 {
        pair.client.send_message(1, None).unwrap();
    }
    assert_eq!(pair.client.send_message(1, None), Err(SendError::QueueFull));
    pair.run();
    assert_eq!(events(&mut pair.client).len(), 1 + 16);
    assert!(pair.client.send_message(1, None).is_ok());
}

#[test]
fn graceful_close_waits_for_acks() {
    let mut pair = Pair::new();
    pair.client.send_message(3000, None).unwrap();
    let data = drain(&mut pair.client, pair.now);
    pair.client.close();
    assert_eq!(pair.client.state(), ConnState::Closing);
    assert_eq!(pair.client.send_message(1, None), Err(SendError::Closed));
    pair.deliver_to_server(&data);
    pair.run();
    assert_eq!(pair.placed, 3000);
    assert_eq!(
        pair.client.state(),
        ConnState::Closed(CloseReason::Finished)
    );
    assert!(matches!(
        pair.server.state(),
        ConnState::Closed(CloseReason::PeerReset(_))
    ));
    let client_events = events(&mut pair.client);
    assert_eq!(
        &client_events[client_events.len() - 2..],
        &[
            ConnEvent::MessageSent { msg: MsgId(0) },
            ConnEvent::Closed(CloseReason::Finished)
        ],
        "acked messages are still reported after the close"
    );
}

#[test]
fn a_buffer_for_the_headers_is_enough() {
    let mut pair = Pair::new();
    pair.client.send_message(2500, Some(7)).unwrap();
    let mut tiny = [0u8; 8];
    assert_eq!(
        pair.client.poll_transmit(pair.now, 1, &mut tiny),
        None,
        "no room: nothing sent"
    );
    let mut buf = [0u8; MAX_HEADER_LEN];
    let mut lens = Vec::new();
    while let Some(t) = pair.client.poll_transmit(pair.now, 1, &mut buf) {
        let p = t.payload.unwrap();
        assert_eq!(t.header_len, 12 + 28);
        let mut packet = buf[..t.header_len].to_vec();
        packet.extend((0..p.len).map(|i| pattern(p.msg.0, p.offset + i)));
        pair.deliver_to_server(&[Wire {
            ev: t.ev,
            bytes: packet,
        }]);
        lens.push(p.len);
    }
    assert_eq!(lens, vec![1000, 1000, 500]);
    assert_eq!(pair.placed, 2500);
}

#[test]
fn both_directions_carry_data_at_once() {
    let mut pair = Pair::new();
    events(&mut pair.client);
    events(&mut pair.server);
    pair.client.send_message(7000, None).unwrap();
    pair.server.send_message(9000, Some(5)).unwrap();
    pair.server.send_message(1, None).unwrap();
    pair.run();
    assert_eq!(pair.placed, 7000);
    let at_client = events(&mut pair.client);
    assert!(at_client.contains(&ConnEvent::MessageReceived {
        msg: MsgId(0),
        len: 9000,
        imm: Some(5)
    }));
    assert!(at_client.contains(&ConnEvent::MessageReceived {
        msg: MsgId(1),
        len: 1,
        imm: None
    }));
    assert!(at_client.contains(&ConnEvent::MessageSent { msg: MsgId(0) }));
    let at_server = events(&mut pair.server);
    assert!(at_server.contains(&ConnEvent::MessageReceived {
        msg: MsgId(0),
        len: 7000,
        imm: None
    }));
    assert!(at_server.contains(&ConnEvent::MessageSent { msg: MsgId(1) }));
    assert_eq!(pair.client.stats().bytes_received, 9001);
}

#[test]
fn a_receiver_without_room_refuses_new_messages_and_the_sender_waits() {
    let mut pair = Pair::new();
    // The application's buffer is full: nothing new fits.
    pair.server.set_rx_room(0, false, ANY_MESSAGE);
    pair.client.send_message(2500, None).unwrap();
    for _ in 0..40 {
        pair.run();
        pair.fire_timers();
    }
    assert_eq!(pair.placed, 0, "no byte of a message that does not fit");
    let stats = pair.client.stats();
    assert!(
        stats.ack_timeouts > 0,
        "the refused packets wait for the ACK timeout"
    );
    assert_eq!(stats.rack_losses, 0, "a refused packet is not a RACK loss");
    assert_eq!(
        pair.client.state(),
        ConnState::Established,
        "refusals spend no retry"
    );
    for ev in 0..pair.client.paths().ev_count() {
        assert_eq!(
            pair.client.paths().state(ev),
            Some(crate::proto::path::EvState::Good),
            "no EV blamed for the receiver's refusal"
        );
    }
    // The application read: the message fits and arrives whole.
    pair.server.set_rx_room(u64::MAX, true, ANY_MESSAGE);
    events(&mut pair.server);
    for _ in 0..40 {
        pair.run();
        pair.fire_timers();
    }
    assert_eq!(pair.placed, 2500);
    assert!(
        events(&mut pair.server).contains(&ConnEvent::MessageReceived {
            msg: MsgId(0),
            len: 2500,
            imm: None
        })
    );
}

#[test]
fn the_advertised_window_follows_the_receivers_room() {
    let mut pair = Pair::with(fast_path(), cfg());
    // cfg(): MPR 2 of 1000-byte packets, 128 000 bytes per unit.
    pair.server.set_rx_room(200_000, false, ANY_MESSAGE);
    for _ in 0..4 {
        pair.client.send_message(100_000, None).unwrap();
    }
    let first = drain(&mut pair.client, pair.now);
    pair.answered(&first[..1]);
    assert_eq!(pair.client.send_window(), 128, "room for one unit");
    pair.server.set_rx_room(u64::MAX, true, ANY_MESSAGE);
    pair.answered(&first[1..2]);
    assert_eq!(pair.client.send_window(), 256, "the configured MPR again");
}

#[test]
fn a_slow_reader_holds_its_sender_back_by_credit_without_refusals() {
    let mut pair = Pair::new();
    // An application buffer of 30 000 bytes, empty.
    pair.server.set_rx_room(30_000, true, ANY_MESSAGE);
    pair.client.send_message(1000, None).unwrap();
    for _ in 0..10 {
        pair.run();
    }
    assert_eq!(pair.placed, 1000, "the first SACK carries the credit");
    for _ in 0..10 {
        pair.client.send_message(10_000, None).unwrap();
    }
    for _ in 0..20 {
        pair.run();
    }
    // 1000 + 29 000 bytes of room: two messages of 10 000 fit, not three.
    assert_eq!(pair.placed, 21_000, "the sender waits at the credit");
    // The application reads everything each time a message completes.
    for _ in 0..400 {
        if events(&mut pair.server)
            .iter()
            .any(|e| matches!(e, ConnEvent::MessageReceived { .. }))
        {
            pair.server.set_rx_room(30_000, true, ANY_MESSAGE);
        }
        pair.run();
        pair.fire_timers();
    }
    assert_eq!(pair.placed, 101_000);
    let stats = pair.client.stats();
    assert_eq!(
        stats.packets_retransmitted, 0,
        "nothing refused, nothing resent"
    );
    assert_eq!(pair.server.stats().nacks_sent, 0);
    assert_eq!(pair.client.state(), ConnState::Established);
}

#[test]
fn a_reader_behind_by_many_small_messages_holds_its_sender_back_by_the_message_limit() {
    let mut pair = Pair::new();
    // A megabyte of room, but for messages 0 to 3 only.
    pair.server.set_rx_room(1 << 20, true, 4);
    pair.client.send_message(1, None).unwrap();
    for _ in 0..10 {
        pair.run();
    }
    assert_eq!(pair.placed, 1, "the first SACK carries the credit");
    pair.server.set_rx_room((1 << 20) - 1, false, 4);
    for _ in 0..10 {
        pair.client.send_message(1, None).unwrap();
    }
    for _ in 0..20 {
        pair.run();
    }
    assert_eq!(pair.placed, 4, "the sender waits at the message limit");
    // The application read all four: the peer hears of it at once.
    assert!(pair.server.set_rx_room(1 << 20, true, 36));
    for _ in 0..20 {
        pair.run();
    }
    assert_eq!(pair.placed, 11);
    assert_eq!(pair.client.stats().packets_retransmitted, 0);
    assert_eq!(pair.server.stats().nacks_sent, 0, "nothing refused");
}

#[test]
fn a_reader_that_stalls_is_asked_for_credit_by_probes_without_data() {
    let mut pair = Pair::new();
    // The credit counts in 64-byte units: 10 240 bytes, exactly.
    pair.server.set_rx_room(10_240, true, ANY_MESSAGE);
    pair.client.send_message(1024, None).unwrap();
    for _ in 0..10 {
        pair.run();
    }
    pair.client.send_message(9216, None).unwrap();
    pair.client.send_message(10_000, None).unwrap();
    for _ in 0..10 {
        pair.run();
    }
    assert_eq!(pair.placed, 10_240);
    // The application never reads: the second message waits, and the
    // sender asks for the credit once per persist interval, each interval
    // twice the last (up to 64 times the first).
    let rounds = 20;
    let mut probed_at = Vec::new();
    for _ in 0..rounds {
        pair.fire_timers();
        pair.run();
        let probes = pair.client.stats().credit_probes;
        if probes > probed_at.len() as u64 {
            probed_at.push(pair.now);
        }
    }
    assert_eq!(pair.placed, 10_240);
    let probes = pair.client.stats().credit_probes;
    assert!(
        probes >= 8 && probes == probed_at.len() as u64,
        "{probes} credit probes in {rounds} timer rounds, one at a time"
    );
    let gap = |i: usize| probed_at[i + 1] - probed_at[i];
    // One interval to the first probe, two to the second, ..., 64 at most.
    assert_eq!(gap(1) / gap(0), 2, "the interval doubles");
    assert_eq!(gap(probed_at.len() - 2) / gap(0), 32, "up to 64 intervals");
    assert_eq!(
        pair.server.stats().duplicates,
        probes,
        "each probe arrived as a duplicate, and was answered"
    );
    assert_eq!(pair.server.stats().nacks_sent, 0, "nothing refused");
    assert_eq!(
        pair.client.stats().packets_retransmitted,
        0,
        "nothing resent"
    );
    assert_eq!(pair.client.state(), ConnState::Established);
    // It reads, but the SACK that says so is lost: the next probe's
    // answer carries the credit, and the waiting message follows.
    assert!(pair.server.set_rx_room(10_240, true, ANY_MESSAGE));
    assert!(
        !drain(&mut pair.server, pair.now).is_empty(),
        "the lost SACK"
    );
    for _ in 0..40 {
        pair.run();
        pair.fire_timers();
    }
    assert_eq!(pair.placed, 20_240);
    assert_eq!(pair.client.stats().credit_probes, probes + 1);
    assert_eq!(pair.server.stats().nacks_sent, 0);
    assert_eq!(pair.client.stats().packets_retransmitted, 0);
}

#[test]
fn a_congestion_mark_is_echoed_and_counted_by_the_sender() {
    let mut pair = Pair::new();
    pair.client.send_message(3000, None).unwrap();
    let data = drain(&mut pair.client, pair.now);
    assert!(!data.is_empty());
    for p in &data {
        let _ = pair.server.handle_packet(pair.now, false, &p.bytes);
    }
    pair.now += 1_000;
    let sacks = drain(&mut pair.server, pair.now);
    pair.deliver_to_client(&sacks);
    assert_eq!(pair.client.stats().ecn_echoes, 0, "no mark, no echo");

    pair.client.send_message(3000, None).unwrap();
    let data = drain(&mut pair.client, pair.now);
    for p in &data {
        let _ = pair.server.handle_packet(pair.now, true, &p.bytes);
    }
    pair.now += 1_000;
    let sacks = drain(&mut pair.server, pair.now);
    assert!(!sacks.is_empty());
    pair.deliver_to_client(&sacks);
    assert!(pair.client.stats().ecn_echoes >= 1);
    assert!(pair.client.stats().ecn_echoes <= sacks.len() as u64);
}
