//! Packets an off-path sender can forge knowing a connection number: each
//! is refused without a change of state unless it carries what only the
//! peer knows (an in-window PSN, the echo of the initiator's initial PSN).

use super::harness::*;
use crate::proto::conn::*;
use crate::proto::psn::Psn;
use crate::proto::wire::{
    Body, ConnNumber, ConnectAcceptRepr, ConnectRejectRepr, RejectReason, ResetReason, ResetRepr,
    SackRepr,
};

fn reset(psn: Psn) -> Body<'static> {
    Body::Reset(ResetRepr {
        reason: ResetReason::Aborted,
        psn,
    })
}

#[test]
fn reset_outside_the_receive_window_is_refused() {
    let mut pair = Pair::new();
    let next = pair.client.rx_window.next();
    let window = pair.client.cfg.rx_window();
    for psn in [
        next.wrapping_sub(1),
        next.wrapping_add(window + 1),
        next.wrapping_add(Psn::HALF),
    ] {
        assert_eq!(
            pair.client_gets(&control(CLIENT, reset(psn))),
            Err(PacketError::PsnOutOfWindow),
            "reset at {psn:?} (next {next:?})"
        );
        assert_eq!(pair.client.state(), ConnState::Established);
    }
    // The peer's own reset carries its next PSN, which is in the window.
    assert_eq!(
        pair.client.handle_packet(
            pair.now,
            false,
            &control(CLIENT, reset(next.wrapping_add(window)))
        ),
        Ok(None)
    );
    assert!(matches!(pair.client.state(), ConnState::Closed(_)));
}

#[test]
fn a_peers_reset_carries_its_next_psn() {
    let mut pair = Pair::new();
    pair.server.reset();
    pair.run();
    assert_eq!(
        pair.client.state(),
        ConnState::Closed(CloseReason::PeerReset(ResetReason::Aborted))
    );
}

#[test]
fn reset_before_the_handshake_is_refused() {
    let (mut client, _) = connecting();
    let any = Psn::new(SERVER_PSN).unwrap();
    assert_eq!(
        client.handle_packet(0, false, &control(CLIENT, reset(any))),
        Err(PacketError::UnexpectedOpcode)
    );
    assert_eq!(client.state(), ConnState::Connecting);
}

fn connecting() -> (TestConn, Vec<Wire>) {
    let mut client = initiator(cfg(), PORT, CLIENT_PSN);
    let request = drain(&mut client, 0);
    (client, request)
}

fn accept(echo_psn: Psn) -> Body<'static> {
    Body::ConnectAccept(ConnectAcceptRepr {
        responder_conn: ConnNumber::new(SERVER).unwrap(),
        initial_psn: Psn::new(SERVER_PSN).unwrap(),
        mpr: 2,
        max_wimm: 2,
        dynamic_mpr: false,
        echo_psn,
    })
}

#[test]
fn accept_or_reject_without_the_initiators_psn_is_refused() {
    let (mut client, _) = connecting();
    let wrong = Psn::new(CLIENT_PSN).unwrap().wrapping_add(1);
    assert_eq!(
        client.handle_packet(0, false, &control(CLIENT, accept(wrong))),
        Err(PacketError::BadEcho)
    );
    let reject = |echo_psn| {
        Body::ConnectReject(ConnectRejectRepr {
            reason: RejectReason::NoListener,
            echo_psn,
        })
    };
    assert_eq!(
        client.handle_packet(0, false, &control(CLIENT, reject(wrong))),
        Err(PacketError::BadEcho)
    );
    assert_eq!(client.state(), ConnState::Connecting);
    // The echo of the request's PSN is honoured.
    let right = Psn::new(CLIENT_PSN).unwrap();
    assert_eq!(
        client.handle_packet(0, false, &control(CLIENT, reject(right))),
        Ok(None)
    );
    assert_eq!(
        client.state(),
        ConnState::Closed(CloseReason::Rejected(RejectReason::NoListener))
    );
}

/// A responder that sent its accept and heard nothing back.
fn half_open() -> TestConn {
    let (_, request) = connecting();
    let mut server = responder(cfg(), &request[0].bytes, SERVER_PSN);
    drain(&mut server, 0);
    server
}

#[test]
fn a_half_open_responder_is_not_established_by_guesses() {
    let mut server = half_open();
    // Data at a PSN outside the initiator's window, or just before it.
    let start = Psn::new(CLIENT_PSN).unwrap();
    let window = server.cfg.rx_window();
    for psn in [start.wrapping_add(window), start.wrapping_sub(1)] {
        let forged = Forge {
            psn,
            ..Forge::client_data(0, 100)
        };
        assert_eq!(
            server.handle_packet(0, false, &forged.bytes()),
            Err(PacketError::PsnOutOfWindow)
        );
    }
    // A SACK acknowledging a PSN the responder never sent.
    let sack = SackRepr {
        cum_ack: Psn::new(SERVER_PSN + 1).unwrap(),
        sack_base: Psn::new(SERVER_PSN + 1).unwrap(),
        bitmap: 0,
        timestamp_echo: 0,
        service_time: 0,
        ev_index: u16::MAX,
        mpr: 2,
        ecn_echo: false,
        credit: None,
    };
    assert_eq!(
        server.handle_packet(0, false, &control(SERVER, Body::Sack(sack))),
        Err(PacketError::PsnOutOfWindow)
    );
    assert_eq!(server.state(), ConnState::Accepting);
    // No reply was queued for any of them.
    assert!(drain(&mut server, 0).is_empty());
}
