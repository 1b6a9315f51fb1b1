//! Property tests: random bytes and random operation sequences never
//! panic, and whatever the network did, a healed network delivers every
//! message whole and in order.

use proptest::prelude::*;

use super::harness::*;
use crate::proto::conn::*;

/// `packets` with each `(at, x)` of `flips` XORed into byte `at` (modulo
/// the packet's length) of every one.
fn flipped(mut packets: Vec<Wire>, flips: &[(usize, u8)]) -> Vec<Wire> {
    for w in &mut packets {
        for (at, x) in flips {
            let i = at % w.bytes.len();
            w.bytes[i] ^= x;
        }
    }
    packets
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..120), ce in any::<bool>()) {
        let mut pair = Pair::new();
        let _ = pair.client.handle_packet(pair.now, ce, &bytes);
        let _ = pair.server.handle_packet(pair.now, ce, &bytes);
        drain(&mut pair.client, pair.now);
        drain(&mut pair.server, pair.now);
    }

    #[test]
    fn mutated_packets_never_panic(flips in proptest::collection::vec((0usize..64, any::<u8>()), 1..6), len in 1u32..4000) {
        let mut pair = Pair::new();
        pair.verify = false;
        pair.client.send_message(len, Some(3)).unwrap();
        let packets = flipped(drain(&mut pair.client, pair.now), &flips);
        pair.deliver_to_server(&packets);
        let answers = flipped(drain(&mut pair.server, pair.now), &flips);
        pair.deliver_to_client(&answers);
        pair.fire_timers();
        drain(&mut pair.client, pair.now);
    }

    #[test]
    fn any_network_then_healing_delivers_everything(ops in proptest::collection::vec(op(), 1..60)) {
        let mut c = cfg();
        c.retry.exp_cnt = EXP_CNT_INFINITE;
        let mut pair = Pair::with(c, c);
        events(&mut pair.client);
        events(&mut pair.server);
        let mut to_server: Vec<Wire> = Vec::new();
        let mut to_client: Vec<Wire> = Vec::new();
        let mut sent_lens = Vec::new();
        for op in ops {
            match op {
                Op::Send(len, imm) => {
                    if let Ok(id) = pair.client.send_message(len, imm) {
                        prop_assert_eq!(id.0 as usize, sent_lens.len());
                        sent_lens.push(len);
                    }
                }
                Op::Pump => {
                    to_server.extend(drain(&mut pair.client, pair.now));
                    to_client.extend(drain(&mut pair.server, pair.now));
                }
                Op::Deliver(k, reverse) => {
                    let k = k.min(to_server.len());
                    let mut batch: Vec<Wire> = to_server.drain(..k).collect();
                    if reverse { batch.reverse(); }
                    pair.deliver_to_server(&batch);
                    let k = k.min(to_client.len());
                    let back: Vec<Wire> = to_client.drain(..k).collect();
                    pair.deliver_to_client(&back);
                }
                Op::Drop(k) => {
                    let k = k.min(to_server.len());
                    to_server.drain(..k);
                }
                Op::Duplicate => {
                    if let Some(w) = to_server.first().cloned() { to_server.push(w); }
                }
                Op::Tick(ns) => pair.now += ns,
                Op::Timer => pair.fire_timers(),
            }
        }
        pair.deliver_to_server(&to_server);
        pair.deliver_to_client(&to_client);
        for _ in 0..200 {
            pair.run();
            if pair.client.poll_timeout().is_none() { break; }
            pair.fire_timers();
        }
        let total: u64 = sent_lens.iter().map(|&l| u64::from(l)).sum();
        prop_assert_eq!(pair.placed, total);
        let received: Vec<ConnEvent> = events(&mut pair.server);
        let want: Vec<u32> = sent_lens.clone();
        let got: Vec<u32> = received
            .iter()
            .filter_map(|e| match e { ConnEvent::MessageReceived { len, .. } => Some(*len), _ => None })
            .collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(pair.client.state(), ConnState::Established);
    }
}

#[derive(Clone, Debug)]
enum Op {
    Send(u32, Option<u32>),
    Pump,
    Deliver(usize, bool),
    Drop(usize),
    Duplicate,
    Tick(u64),
    Timer,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..5000, proptest::option::of(any::<u32>())).prop_map(|(l, i)| Op::Send(l, i)),
        Just(Op::Pump),
        (0usize..20, any::<bool>()).prop_map(|(k, r)| Op::Deliver(k, r)),
        (0usize..5).prop_map(Op::Drop),
        Just(Op::Duplicate),
        (0u64..100_000).prop_map(Op::Tick),
        Just(Op::Timer),
    ]
}
