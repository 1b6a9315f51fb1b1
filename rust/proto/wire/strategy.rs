//! Proptest strategies for every header and for whole packets (tests only).

use super::*;
use crate::proto::psn::Psn;
use proptest::prelude::*;

pub(super) fn psn() -> impl Strategy<Value = Psn> {
    (0..=Psn::MASK).prop_map(Psn::new_truncating)
}

pub(super) fn conn() -> impl Strategy<Value = ConnNumber> {
    (1..=ConnNumber::MAX).prop_map(|v| ConnNumber::new(v).unwrap())
}

pub(super) fn sack() -> impl Strategy<Value = SackRepr> {
    (
        psn(),
        any::<u64>(),
        1..(Psn::HALF - 64),
        any::<u64>(),
        any::<u32>(),
        any::<u16>(),
        1..=u16::MAX,
        any::<bool>(),
        proptest::option::of((0..SackCredit::MODULUS, any::<bool>(), any::<u16>())),
    )
        .prop_map(
            |(
                cum_ack,
                bitmap,
                gap,
                timestamp_echo,
                service_time,
                ev_index,
                mpr,
                ecn_echo,
                credit,
            )| {
                SackRepr {
                    cum_ack,
                    sack_base: if bitmap == 0 {
                        cum_ack
                    } else {
                        cum_ack.wrapping_add(gap)
                    },
                    bitmap,
                    timestamp_echo,
                    service_time,
                    ev_index,
                    mpr,
                    ecn_echo,
                    credit: credit.map(|(limit, empty, messages)| SackCredit {
                        limit,
                        empty,
                        messages,
                    }),
                }
            },
        )
}

pub(super) fn nack() -> impl Strategy<Value = NackRepr> {
    (1u8..=5, psn(), any::<u16>()).prop_map(|(code, psn, ev_index)| NackRepr {
        code: NackCode::from_u8(code).unwrap(),
        psn,
        ev_index,
    })
}

pub(super) fn probe_request() -> impl Strategy<Value = ProbeRequestRepr> {
    (any::<u32>(), any::<u16>(), any::<u64>()).prop_map(|(probe_id, ev_index, timestamp)| {
        ProbeRequestRepr {
            probe_id,
            ev_index,
            timestamp,
        }
    })
}

pub(super) fn probe_response() -> impl Strategy<Value = ProbeResponseRepr> {
    (probe_request(), any::<u32>())
        .prop_map(|(request, service_time)| request.response(service_time))
}

// Each field is named twice, bound from the tuple and set in the struct, as in
// every strategy here and the path and NSCC tests' `any_config`: deliberate
// twins, proptest's tuple strategies have no named form.
pub(super) fn connect_request() -> impl Strategy<Value = ConnectRequestRepr> {
    (
        conn(),
        psn(),
        1..=u16::MAX,
        any::<u16>(),
        1..=u16::MAX,
        any::<bool>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(
                initiator_conn,
                initial_psn,
                mpr,
                max_wimm,
                dest_port,
                dynamic_mpr,
                ev_profile,
                cc_profile,
            )| {
                ConnectRequestRepr {
                    initiator_conn,
                    initial_psn,
                    mpr,
                    max_wimm,
                    dest_port,
                    dynamic_mpr,
                    ev_profile,
                    cc_profile,
                }
            },
        )
}

pub(super) fn connect_accept() -> impl Strategy<Value = ConnectAcceptRepr> {
    (
        conn(),
        psn(),
        1..=u16::MAX,
        any::<u16>(),
        any::<bool>(),
        psn(),
    )
        .prop_map(
            |(responder_conn, initial_psn, mpr, max_wimm, dynamic_mpr, echo_psn)| {
                ConnectAcceptRepr {
                    responder_conn,
                    initial_psn,
                    mpr,
                    max_wimm,
                    dynamic_mpr,
                    echo_psn,
                }
            },
        )
}

pub(super) fn connect_reject() -> impl Strategy<Value = ConnectRejectRepr> {
    (1u8..=5, psn()).prop_map(|(v, echo_psn)| ConnectRejectRepr {
        reason: RejectReason::from_u8(v).unwrap(),
        echo_psn,
    })
}

pub(super) fn reset() -> impl Strategy<Value = ResetRepr> {
    (1u8..=5, psn()).prop_map(|(v, psn)| ResetRepr {
        reason: ResetReason::from_u8(v).unwrap(),
        psn,
    })
}

fn trim() -> impl Strategy<Value = Trim> {
    prop_oneof![6 => Just(Trim::None), 1 => Just(Trim::Trimmed), 1 => Just(Trim::TrimmedLastHop)]
}

fn data_kind() -> impl Strategy<Value = DataKind> {
    prop_oneof![
        Just(DataKind::First),
        Just(DataKind::Middle),
        Just(DataKind::Last),
        Just(DataKind::Only)
    ]
}

/// A packet that owns its payload; `view` lends it out as a [`Packet`].
#[derive(Clone, Debug)]
pub(super) struct OwnedPacket {
    pub pkey: u16,
    pub dest_conn: ConnNumber,
    pub body: Body<'static>,
    pub payload: Vec<u8>,
}

impl OwnedPacket {
    pub(super) fn view(&self) -> Packet<'_> {
        let body = match self.body {
            Body::Data {
                psn,
                ack_req,
                trim,
                data,
                ..
            } => Body::Data {
                psn,
                ack_req,
                trim,
                data,
                payload: &self.payload,
            },
            other => other,
        };
        Packet {
            pkey: self.pkey,
            dest_conn: self.dest_conn,
            body,
        }
    }

    /// The packet's bytes: emitted headers followed by the payload.
    pub(super) fn to_bytes(&self) -> Vec<u8> {
        let packet = self.view();
        let mut buf = vec![0u8; packet.header_len()];
        assert_eq!(packet.emit(&mut buf), Ok(packet.header_len()));
        buf.extend_from_slice(&self.payload);
        assert_eq!(buf.len(), packet.buffer_len());
        buf
    }
}

fn data_body() -> impl Strategy<Value = (Body<'static>, Vec<u8>)> {
    (
        (data_kind(), trim(), psn(), any::<bool>()),
        (
            any::<u32>(),
            any::<u16>(),
            any::<u64>(),
            proptest::option::of(any::<u32>()),
        ),
        (
            proptest::collection::vec(any::<u8>(), 1..48),
            0usize..2,
            1u32..100_000,
            1u32..100_000,
        ),
    )
        .prop_map(
            |(
                (kind, trim, psn, ack_req),
                (msn, ev_index, timestamp, immediate),
                (mut payload, empty_only, start, extra),
            )| {
                if kind == DataKind::Only && empty_only == 0 {
                    payload.clear();
                }
                let len = payload.len() as u32;
                let (offset, msg_len) = match kind {
                    DataKind::Only => (0, len),
                    DataKind::First => (0, len + extra),
                    DataKind::Middle => (start, start + len + extra),
                    DataKind::Last => (start, start + len),
                };
                if trim != Trim::None {
                    payload.clear();
                }
                // A twin of the literal in data.rs's `parse` (deliberate): both
                // set every field by name.
                let data = DataRepr {
                    kind,
                    msn,
                    offset,
                    msg_len,
                    ev_index,
                    timestamp,
                    immediate,
                };
                (
                    Body::Data {
                        psn,
                        ack_req,
                        trim,
                        data,
                        payload: &[],
                    },
                    payload,
                )
            },
        )
}

pub(super) fn packet() -> impl Strategy<Value = OwnedPacket> {
    let connected = prop_oneof![
        3 => data_body(),
        1 => sack().prop_map(|r| (Body::Sack(r), Vec::new())),
        1 => nack().prop_map(|r| (Body::Nack(r), Vec::new())),
        1 => connect_accept().prop_map(|r| (Body::ConnectAccept(r), Vec::new())),
        1 => connect_reject().prop_map(|r| (Body::ConnectReject(r), Vec::new())),
        1 => reset().prop_map(|r| (Body::Reset(r), Vec::new())),
    ];
    let connectionless = prop_oneof![
        probe_request().prop_map(Body::ProbeRequest),
        probe_response().prop_map(Body::ProbeResponse),
        connect_request().prop_map(Body::ConnectRequest),
    ];
    prop_oneof![
        3 => (any::<u16>(), conn(), connected)
            .prop_map(|(pkey, dest_conn, (body, payload))| OwnedPacket { pkey, dest_conn, body, payload }),
        1 => (any::<u16>(), connectionless)
            .prop_map(|(pkey, body)| OwnedPacket { pkey, dest_conn: ConnNumber::NONE, body, payload: Vec::new() }),
    ]
}
