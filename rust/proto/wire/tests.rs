//! Whole-packet tests: the base-to-opcode rules, round trips of every header,
//! and parsing of arbitrary and mutated bytes.

use super::strategy;
use super::*;
use crate::proto::psn::Psn;
use proptest::prelude::*;

fn conn(v: u32) -> ConnNumber {
    ConnNumber::new(v).unwrap()
}

fn data_packet(payload: &[u8]) -> Packet<'_> {
    Packet {
        pkey: 0xFFFF,
        dest_conn: conn(5),
        body: Body::Data {
            psn: Psn::new(100).unwrap(),
            ack_req: false,
            trim: Trim::None,
            data: DataRepr {
                kind: DataKind::Only,
                msn: 1,
                offset: 0,
                msg_len: payload.len() as u32,
                ev_index: 3,
                timestamp: 77,
                immediate: None,
            },
            payload,
        },
    }
}

fn reset_packet() -> Packet<'static> {
    Packet {
        pkey: 1,
        dest_conn: conn(5),
        body: Body::Reset(ResetRepr {
            reason: ResetReason::Aborted,
            psn: crate::proto::psn::Psn::new(9).unwrap(),
        }),
    }
}

fn bytes(packet: &Packet<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; packet.header_len()];
    packet.emit(&mut buf).unwrap();
    if let Body::Data { payload, .. } = packet.body {
        buf.extend_from_slice(payload);
    }
    buf
}

#[test]
fn data_packet_hand_vector() {
    let want: Vec<u8> = [
        &[0xC3, 0x00, 0xFF, 0xFF, 0, 0, 0, 5, 0, 0, 0, 100][..], // base
        &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 3, 0, 0],       // msn, offset, length, EV index
        &[0, 0, 0, 0, 0, 0, 0, 77],                              // timestamp
        b"abc",
    ]
    .concat();
    let packet = data_packet(b"abc");
    assert_eq!(packet.header_len(), 36);
    assert_eq!(packet.buffer_len(), 39);
    assert_eq!(bytes(&packet), want);
    assert_eq!(Packet::parse(&want), Ok(packet));
}

#[test]
fn control_packet_with_trailing_bytes_is_length_mismatch() {
    let mut b = bytes(&reset_packet());
    assert!(Packet::parse(&b).is_ok());
    b.push(0);
    assert_eq!(Packet::parse(&b), Err(WireError::LengthMismatch));
}

#[test]
fn base_fields_of_data_packets_are_refused_on_control_packets() {
    let good = bytes(&reset_packet());
    let mut b = good.clone();
    b[1] = 0x40;
    assert_eq!(Packet::parse(&b), Err(WireError::TrimmedControl));
    let mut b = good.clone();
    b[8] = 0x80;
    assert_eq!(Packet::parse(&b), Err(WireError::AckReqOnControl));
    let mut b = good;
    b[11] = 1;
    assert_eq!(Packet::parse(&b), Err(WireError::PsnOnControl));
}

#[test]
fn connectionless_packets_must_not_name_a_connection() {
    let probe = ProbeRequestRepr {
        probe_id: 1,
        ev_index: 2,
        timestamp: 3,
    };
    let mut packet = Packet {
        pkey: 0,
        dest_conn: ConnNumber::NONE,
        body: Body::ProbeRequest(probe),
    };
    let mut b = bytes(&packet);
    assert_eq!(Packet::parse(&b), Ok(packet));
    b[7] = 9;
    assert_eq!(
        Packet::parse(&b),
        Err(WireError::ConnNumberOnConnectionless)
    );
    packet.dest_conn = conn(9);
    assert_eq!(
        packet.emit(&mut [0u8; 64]),
        Err(WireError::ConnNumberOnConnectionless)
    );
}

#[test]
fn connection_bound_packets_must_name_a_connection() {
    let mut b = bytes(&reset_packet());
    b[7] = 0;
    assert_eq!(Packet::parse(&b), Err(WireError::ZeroConnNumber));
    let packet = Packet {
        dest_conn: ConnNumber::NONE,
        ..data_packet(b"x")
    };
    assert_eq!(packet.emit(&mut [0u8; 64]), Err(WireError::ZeroConnNumber));
}

#[test]
fn data_payload_must_fit_the_message() {
    let mut b = bytes(&data_packet(b"abc"));
    b.push(b'd');
    assert_eq!(Packet::parse(&b), Err(WireError::PayloadLength));
    b.truncate(b.len() - 2);
    assert_eq!(Packet::parse(&b), Err(WireError::PayloadLength));
    let mut packet = data_packet(b"abc");
    if let Body::Data {
        ref mut payload, ..
    } = packet.body
    {
        *payload = b"ab";
    }
    assert_eq!(packet.emit(&mut [0u8; 64]), Err(WireError::PayloadLength));
}

#[test]
fn trimming_marks_the_packet_and_drops_the_payload() {
    for (last_hop, trim) in [(false, Trim::Trimmed), (true, Trim::TrimmedLastHop)] {
        let mut b = bytes(&data_packet(b"abc"));
        let len = trim_in_place(&mut b, last_hop).unwrap();
        assert_eq!(len, 36);
        b.truncate(len);
        let parsed = Packet::parse(&b).unwrap();
        match parsed.body {
            Body::Data {
                trim: got, payload, ..
            } => {
                assert_eq!(got, trim);
                assert!(payload.is_empty());
            }
            other => panic!("not data: {other:?}"),
        }
        b.push(0);
        assert_eq!(Packet::parse(&b), Err(WireError::TrimmedWithPayload));
    }
}

#[test]
fn trimming_refuses_control_and_invalid_packets() {
    let mut b = bytes(&reset_packet());
    assert_eq!(trim_in_place(&mut b, false), Err(WireError::TrimmedControl));
    assert_eq!(trim_in_place(&mut [0xC3], false), Err(WireError::Truncated));
}

#[test]
fn emit_into_short_buffers_is_buffer_too_small() {
    let packet = data_packet(b"abc");
    for len in 0..packet.header_len() {
        assert_eq!(
            packet.emit(&mut vec![0u8; len]),
            Err(WireError::BufferTooSmall),
            "len {len}"
        );
    }
}

#[test]
fn every_truncation_of_a_control_packet_is_truncated() {
    let b = bytes(&reset_packet());
    for len in 0..b.len() {
        assert_eq!(Packet::parse(&b[..len]), Err(WireError::Truncated));
    }
}

fn opcode_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        0xC0u8..=0xC7,
        Just(0xD0),
        Just(0xD1),
        Just(0xE0),
        Just(0xE1),
        0xF0u8..=0xF3,
        any::<u8>()
    ]
}

/// A packet's bytes with one bit flipped in one of the base header's first
/// 8 bytes, so that parses meet broken headers as well as good ones.
fn base_flipped(owned: &strategy::OwnedPacket, flip: prop::sample::Index) -> Vec<u8> {
    let mut b = owned.to_bytes();
    if let Some(byte) = b.get_mut(flip.index(8)) {
        *byte ^= 0x40;
    }
    b
}

/// Re-emitting accepted bytes must give them back: one encoding per packet.
fn assert_canonical(input: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(packet) = Packet::parse(input) {
        prop_assert_eq!(bytes(&packet), input);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn packet_round_trips(owned in strategy::packet()) {
        let b = owned.to_bytes();
        let parsed = Packet::parse(&b).unwrap();
        prop_assert_eq!(parsed, owned.view());
        prop_assert_eq!(bytes(&parsed), b);
    }

    #[test]
    fn received_keeps_the_bytes_and_what_parse_gave(
        owned in strategy::packet(),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
    ) {
        let mut b = base_flipped(&owned, flip);
        b.truncate(cut.index(b.len() + 1));
        let received = Received::new(&b);
        prop_assert_eq!(received.bytes(), &b[..]);
        prop_assert_eq!(received.packet().copied(), Packet::parse(&b));
    }

    #[test]
    fn a_packet_parsed_from_its_head_is_what_parse_gives(
        owned in strategy::packet(),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
    ) {
        let b = base_flipped(&owned, flip);
        let k = cut.index(b.len() + 1);
        let received = Received::from_head(&b[..k], b.len());
        prop_assert_eq!(received.len(), b.len());
        prop_assert_eq!(received.bytes(), &b[..k]);
        let head = received.packet().copied();
        match Packet::parse(&b) {
            whole if k == b.len() => prop_assert_eq!(head, whole),
            // Apart from its headers, a data packet's payload is a
            // stand-in of zeros of its length; everything else is as
            // `parse` gave it.
            Ok(p @ Packet { body: Body::Data { psn, ack_req, trim, data, payload }, .. })
                if k >= p.header_len() =>
            {
                let stand_in = &PAYLOAD_STAND_IN[..payload.len()];
                let body = Body::Data { psn, ack_req, trim, data, payload: stand_in };
                prop_assert_eq!(head, Ok(Packet { body, ..p }));
            }
            _ => prop_assert!(head.is_err()),
        }
    }

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..128)) {
        assert_canonical(&input)?;
    }

    #[test]
    fn parse_never_panics_on_bytes_behind_a_valid_base(
        op in opcode_byte(),
        conn in 0u32..4,
        rest in proptest::collection::vec(any::<u8>(), 0..80),
    ) {
        let mut input = vec![op, 0, 0, 0, 0, 0, 0, conn as u8, 0, 0, 0, 0];
        input.extend_from_slice(&rest);
        assert_canonical(&input)?;
    }

    #[test]
    fn parse_never_panics_on_mutated_packets(
        owned in strategy::packet(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut b: Vec<u8> = owned.to_bytes();
        for (at, value) in flips {
            let i = at.index(b.len());
            b[i] ^= value;
        }
        if truncate {
            b.truncate(cut.index(b.len() + 1));
        }
        assert_canonical(&b)?;
    }
}

macro_rules! extension_round_trip {
    ($name:ident, $strategy:expr, $repr:ty) => {
        proptest! {
            #[test]
            fn $name(repr in $strategy, trailing in proptest::collection::vec(any::<u8>(), 0..4)) {
                let mut buf = vec![0u8; <$repr>::LEN];
                prop_assert_eq!(repr.emit(&mut buf), Ok(<$repr>::LEN));
                let emitted = buf.clone();
                buf.extend_from_slice(&trailing);
                let (parsed, rest) = <$repr>::parse(&buf).unwrap();
                prop_assert_eq!(parsed, repr);
                prop_assert_eq!(rest, &trailing[..]);
                let mut again = vec![0u8; <$repr>::LEN];
                parsed.emit(&mut again).unwrap();
                prop_assert_eq!(again, emitted);
            }
        }
    };
}

extension_round_trip!(sack_round_trips, strategy::sack(), SackRepr);
extension_round_trip!(nack_round_trips, strategy::nack(), NackRepr);
extension_round_trip!(
    probe_request_round_trips,
    strategy::probe_request(),
    ProbeRequestRepr
);
extension_round_trip!(
    probe_response_round_trips,
    strategy::probe_response(),
    ProbeResponseRepr
);
extension_round_trip!(
    connect_request_round_trips,
    strategy::connect_request(),
    ConnectRequestRepr
);
extension_round_trip!(
    connect_accept_round_trips,
    strategy::connect_accept(),
    ConnectAcceptRepr
);
extension_round_trip!(
    connect_reject_round_trips,
    strategy::connect_reject(),
    ConnectRejectRepr
);
extension_round_trip!(reset_round_trips, strategy::reset(), ResetRepr);

proptest! {
    #[test]
    fn base_round_trips(
        op in opcode_byte().prop_filter_map("assigned", |v| Opcode::from_u8(v).ok()),
        trim in 0u8..3,
        pkey in any::<u16>(),
        dest_conn in 0..=ConnNumber::MAX,
        ack_req in any::<bool>(),
        psn in strategy::psn(),
    ) {
        let repr = BaseRepr {
            opcode: op,
            trim: [Trim::None, Trim::Trimmed, Trim::TrimmedLastHop][trim as usize],
            pkey,
            dest_conn: ConnNumber::new(dest_conn).unwrap(),
            ack_req,
            psn,
        };
        let mut buf = [0u8; 12];
        prop_assert_eq!(repr.emit(&mut buf), Ok(12));
        let (parsed, rest) = BaseRepr::parse(&buf).unwrap();
        prop_assert_eq!(parsed, repr);
        prop_assert!(rest.is_empty());
    }

    #[test]
    fn data_extension_round_trips(owned in strategy::packet().prop_filter("data", |p| matches!(p.body, Body::Data { .. }))) {
        let Body::Data { data, .. } = owned.body else { unreachable!() };
        let mut buf = vec![0u8; data.header_len()];
        prop_assert_eq!(data.emit(&mut buf), Ok(data.header_len()));
        let (parsed, rest) = DataRepr::parse(&buf, data.kind, data.immediate.is_some()).unwrap();
        prop_assert_eq!(parsed, data);
        prop_assert!(rest.is_empty());
    }
}
