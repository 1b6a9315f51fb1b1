//! Every refusal of bad input at the connection level, one test each.
//! The tests share a shape (forge a packet, hand it over, expect one
//! `PacketError`): deliberate twins, one refusal spelled out per test.

use super::harness::*;
use crate::proto::conn::*;
use crate::proto::psn::Psn;
use crate::proto::wire::{
    Body, ConnNumber, ConnectAcceptRepr, ConnectRejectRepr, NackCode, NackRepr, ProbeRequestRepr,
    RejectReason, SackRepr, WireError,
};

fn established() -> Pair {
    let mut pair = Pair::new();
    events(&mut pair.client);
    events(&mut pair.server);
    pair
}

fn sack_to_client(pair: &Pair, cum_ack: Psn, sack_base: Psn, bitmap: u64) -> SackRepr {
    let _ = pair;
    SackRepr {
        cum_ack,
        sack_base,
        bitmap,
        timestamp_echo: 0,
        service_time: 0,
        ev_index: u16::MAX,
        mpr: 2,
        ecn_echo: false,
        credit: None,
    }
}

#[test]
fn malformed_bytes() {
    let mut pair = established();
    assert_eq!(
        pair.server_gets(&[]),
        Err(PacketError::Malformed(WireError::Truncated))
    );
    let mut bad = Forge::client_data(0, 10).bytes();
    bad[0] = 0x10;
    assert_eq!(
        pair.server_gets(&bad),
        Err(PacketError::Malformed(WireError::BadOpcode))
    );
    assert_eq!(pair.server.stats().rejected, 2);
}

#[test]
fn wrong_connection_number() {
    let mut pair = established();
    let mut f = Forge::client_data(0, 10);
    f.dest = SERVER + 1;
    assert_eq!(
        pair.server_gets(&f.bytes()),
        Err(PacketError::WrongConnection)
    );
    assert_eq!(pair.placed, 0);
}

#[test]
fn wrong_partition_key() {
    let mut pair = established();
    let mut f = Forge::client_data(0, 10);
    f.pkey = 0x8001;
    assert_eq!(
        pair.server_gets(&f.bytes()),
        Err(PacketError::WrongPartition)
    );
}

#[test]
fn data_psn_beyond_the_mpr_window_is_nacked() {
    let mut pair = established();
    let mut f = Forge::client_data(0, 10);
    f.psn = f.psn.wrapping_add(256);
    assert_eq!(
        pair.server_gets(&f.bytes()),
        Err(PacketError::PsnOutOfWindow)
    );
    f.psn = f.psn.wrapping_sub(255);
    let mut inside = f;
    inside.len = 10;
    assert!(
        pair.server_gets(&inside.bytes()).unwrap().is_some(),
        "the edge is inside"
    );
    let nacks = drain(&mut pair.server, pair.now);
    assert!(pair.server.stats().nacks_sent == 1 && !nacks.is_empty());
    let mut stale = Forge::client_data(0, 10);
    stale.psn = stale.psn.wrapping_sub(1000);
    assert_eq!(
        pair.server_gets(&stale.bytes()),
        Err(PacketError::PsnOutOfWindow)
    );
}

#[test]
fn data_far_beyond_any_window_is_refused_without_a_nack() {
    let mut pair = established();
    let mut f = Forge::client_data(0, 10);
    f.psn = f.psn.wrapping_add(0x12_3456);
    assert_eq!(
        pair.server_gets(&f.bytes()),
        Err(PacketError::PsnOutOfWindow)
    );
    drain(&mut pair.server, pair.now);
    assert_eq!(pair.server.stats().nacks_sent, 0);
}

#[test]
fn sack_naming_unsent_psns() {
    let mut pair = established();
    pair.client.send_message(2000, None).unwrap();
    drain(&mut pair.client, pair.now);
    let una = pair.client.tx.una;
    let beyond = sack_to_client(&pair, una.wrapping_add(3), una.wrapping_add(3), 0);
    assert_eq!(
        pair.client_gets(&control(CLIENT, Body::Sack(beyond))),
        Err(PacketError::PsnOutOfWindow)
    );
    let behind = sack_to_client(&pair, una.wrapping_sub(1), una.wrapping_sub(1), 0);
    assert_eq!(
        pair.client_gets(&control(CLIENT, Body::Sack(behind))),
        Err(PacketError::PsnOutOfWindow)
    );
    let bitmap_beyond = sack_to_client(&pair, una, una.wrapping_add(1), 0b10);
    assert_eq!(
        pair.client_gets(&control(CLIENT, Body::Sack(bitmap_beyond))),
        Err(PacketError::PsnOutOfWindow)
    );
    assert_eq!(
        pair.client.stats().packets_acked,
        0,
        "nothing was acked by refused SACKs"
    );
    let good = sack_to_client(&pair, una.wrapping_add(2), una.wrapping_add(2), 0);
    assert_eq!(
        pair.client_gets(&control(CLIENT, Body::Sack(good))),
        Ok(None)
    );
    assert_eq!(pair.client.stats().packets_acked, 2);
}

#[test]
fn sack_with_foreign_ev_or_future_timestamp() {
    let mut pair = established();
    pair.client.send_message(1000, None).unwrap();
    drain(&mut pair.client, pair.now);
    let una = pair.client.tx.una;
    let mut s = sack_to_client(&pair, una.wrapping_add(1), una.wrapping_add(1), 0);
    s.ev_index = 4;
    assert_eq!(
        pair.client_gets(&control(CLIENT, Body::Sack(s))),
        Err(PacketError::BadEv)
    );
    s.ev_index = 0;
    s.timestamp_echo = pair.client.tx.last_stamp + 1;
    assert_eq!(
        pair.client_gets(&control(CLIENT, Body::Sack(s))),
        Err(PacketError::BadTimestamp)
    );
}

#[test]
fn nack_for_an_unsent_psn() {
    let mut pair = established();
    let nack = NackRepr {
        code: NackCode::Trimmed,
        psn: pair.client.tx.nxt,
        ev_index: 0,
    };
    assert_eq!(
        pair.client_gets(&control(CLIENT, Body::Nack(nack))),
        Err(PacketError::PsnOutOfWindow)
    );
}

#[test]
fn message_beyond_the_receive_message_window() {
    let mut pair = established();
    let mut f = Forge::client_data(0, 10);
    f.msn = 16;
    assert_eq!(
        pair.server_gets(&f.bytes()),
        Err(PacketError::MessageOutOfWindow)
    );
    f.msn = u32::MAX;
    assert_eq!(
        pair.server_gets(&f.bytes()),
        Err(PacketError::MessageOutOfWindow)
    );
}

#[test]
fn message_length_that_changes_between_packets() {
    let mut pair = established();
    pair.server_gets(&Forge::client_data(0, 3000).bytes())
        .unwrap();
    let liar = Forge::client_data(1, 2500);
    assert_eq!(pair.server_gets(&liar.bytes()), Err(PacketError::BadLength));
    let mut imm_liar = Forge::client_data(1, 3000);
    imm_liar.imm = Some(9);
    assert_eq!(
        pair.server_gets(&imm_liar.bytes()),
        Err(PacketError::BadLength)
    );
}

#[test]
fn lengths_above_the_limits() {
    let mut pair = established();
    let too_long = Forge::client_data(0, (1 << 20) + 1);
    assert_eq!(
        pair.server_gets(&too_long.bytes()),
        Err(PacketError::BadLength)
    );
    let mut jumbo = Forge::client_data(0, 5000);
    jumbo.len = 1001;
    assert_eq!(
        pair.server_gets(&jumbo.bytes()),
        Err(PacketError::BadLength)
    );
}

#[test]
fn bytes_beyond_the_message_length() {
    let mut pair = established();
    // The wire refuses an offset past the message.
    let mut past = Forge::client_data(1, 1500).bytes();
    past[12 + 7] = 0xFF;
    assert!(matches!(
        pair.server_gets(&past),
        Err(PacketError::Malformed(_))
    ));
    // Packets that each fit but together overfill the message.
    let mut a = Forge::client_data(0, 1500);
    a.len = 900;
    pair.server_gets(&a.bytes()).unwrap();
    let mut b = a;
    b.psn = a.psn.next();
    assert_eq!(pair.server_gets(&b.bytes()), Err(PacketError::BadOffset));
}

#[test]
fn write_with_immediate_beyond_wimm() {
    let mut pair = established();
    for k in 0..2 {
        let mut f = Forge::client_data(0, 2000);
        f.msn = k;
        f.psn = f.psn.wrapping_add(k);
        f.imm = Some(k);
        pair.server_gets(&f.bytes()).unwrap();
    }
    let mut third = Forge::client_data(0, 2000);
    third.msn = 2;
    third.psn = third.psn.wrapping_add(2);
    third.imm = Some(2);
    assert_eq!(
        pair.server_gets(&third.bytes()),
        Err(PacketError::WimmExceeded)
    );
    let nack = drain(&mut pair.server, pair.now);
    assert!(!nack.is_empty());
}

#[test]
fn opcodes_unexpected_in_the_state() {
    // Data before the handshake completes.
    let mut client = initiator(cfg(), PORT, 0);
    let mut f = Forge::client_data(0, 10);
    f.dest = CLIENT;
    assert_eq!(
        client.handle_packet(0, false, &f.bytes()),
        Err(PacketError::UnexpectedOpcode)
    );
    let sack = SackRepr {
        cum_ack: Psn::ZERO,
        sack_base: Psn::ZERO,
        bitmap: 0,
        timestamp_echo: 0,
        service_time: 0,
        ev_index: 0,
        mpr: 1,
        ecn_echo: false,
        credit: None,
    };
    assert_eq!(
        client.handle_packet(0, false, &control(CLIENT, Body::Sack(sack))),
        Err(PacketError::UnexpectedOpcode)
    );
    // A reject, a foreign accept or a probe request once established.
    let mut pair = established();
    let reject = control(
        CLIENT,
        Body::ConnectReject(ConnectRejectRepr {
            reason: RejectReason::NoResource,
            echo_psn: Psn::ZERO,
        }),
    );
    assert_eq!(
        pair.client_gets(&reject),
        Err(PacketError::UnexpectedOpcode)
    );
    let accept = ConnectAcceptRepr {
        responder_conn: ConnNumber::new(SERVER + 5).unwrap(),
        initial_psn: Psn::ZERO,
        mpr: 1,
        max_wimm: 1,
        dynamic_mpr: false,
        echo_psn: Psn::ZERO,
    };
    assert_eq!(
        pair.client.handle_packet(
            pair.now,
            false,
            &control(CLIENT, Body::ConnectAccept(accept))
        ),
        Err(PacketError::UnexpectedOpcode)
    );
    let probe = crate::proto::wire::Packet {
        pkey: PKEY,
        dest_conn: ConnNumber::NONE,
        body: Body::ProbeRequest(ProbeRequestRepr {
            probe_id: CLIENT,
            ev_index: 0,
            timestamp: 1,
        }),
    };
    let mut buf = [0u8; 64];
    let n = probe.emit(&mut buf).unwrap();
    assert_eq!(
        pair.client_gets(&buf[..n]),
        Err(PacketError::UnexpectedOpcode)
    );
    assert_eq!(pair.client.state(), ConnState::Established);
}

#[test]
fn probe_response_for_another_connection_or_ev() {
    let mut pair = established();
    let mut buf = [0u8; 64];
    for (probe_id, ev, want) in [
        (CLIENT + 1, 0, PacketError::WrongConnection),
        (CLIENT, 9, PacketError::BadEv),
    ] {
        let request = crate::proto::wire::Packet {
            pkey: PKEY,
            dest_conn: ConnNumber::NONE,
            body: Body::ProbeRequest(ProbeRequestRepr {
                probe_id,
                ev_index: ev,
                timestamp: 1,
            }),
        };
        let mut req = [0u8; 64];
        let n = request.emit(&mut req).unwrap();
        let m = answer_probe(&req[..n], 0, &mut buf).unwrap();
        assert_eq!(pair.client_gets(&buf[..m]), Err(want));
    }
    let future = crate::proto::wire::Packet {
        pkey: PKEY,
        dest_conn: ConnNumber::NONE,
        body: Body::ProbeRequest(ProbeRequestRepr {
            probe_id: CLIENT,
            ev_index: 0,
            timestamp: pair.now + 1,
        }),
    };
    let mut req = [0u8; 64];
    let n = future.emit(&mut req).unwrap();
    let m = answer_probe(&req[..n], 0, &mut buf).unwrap();
    assert_eq!(pair.client_gets(&buf[..m]), Err(PacketError::BadTimestamp));
    assert_eq!(answer_probe(&[0u8; 3], 0, &mut buf), None);
}
