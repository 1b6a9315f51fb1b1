//! Set-up and tear-down: negotiation, listener refusals, lost handshake
//! packets, half-open expiry, reset and the size bounds.

use super::harness::*;
use crate::proto::conn::*;
use crate::proto::psn::Psn;
use crate::proto::wire::{ConnNumber, RejectReason, ResetReason};

#[test]
fn connection_fits_a_kernel_stack() {
    assert!(
        core::mem::size_of::<TestConn>() < 4096,
        "{}",
        core::mem::size_of::<TestConn>()
    );
}

#[test]
fn a_message_slot_is_32_bytes() {
    // The kernel keeps 128 per connection: one 4 KiB page, not eight.
    assert_eq!(core::mem::size_of::<MessageSlot>(), 32);
}

#[test]
fn handshake_negotiates_mpr_wimm_and_dynamic_mpr() {
    let mut server_cfg = cfg();
    server_cfg.mpr = 1;
    server_cfg.max_wimm = 5;
    server_cfg.dynamic_mpr = false;
    let mut pair = Pair::with(cfg(), server_cfg);
    assert_eq!(events(&mut pair.client), vec![ConnEvent::Connected]);
    assert_eq!(events(&mut pair.server), vec![ConnEvent::Connected]);
    assert_eq!(pair.client.peer_conn().get(), SERVER);
    assert_eq!(pair.server.peer_conn().get(), CLIENT);
    assert_eq!(pair.client.send_window(), 128);
    assert_eq!(pair.server.send_window(), 256);
    assert_eq!(pair.client.tx.peer_max_wimm, 5);
    assert_eq!(pair.server.tx.peer_max_wimm, 2);
    assert!(!pair.client.dynamic_mpr && !pair.server.dynamic_mpr);
    assert_eq!(pair.client.tx.nxt.get(), CLIENT_PSN);
    assert_eq!(pair.server.rx_window.next().get(), CLIENT_PSN);
    assert_eq!(pair.client.rx_window.next().get(), SERVER_PSN);
}

fn request_bytes(dest_port: u16) -> (TestConn, Vec<u8>) {
    let mut client = initiator(cfg(), dest_port, 0);
    let request = drain(&mut client, 0).remove(0).bytes;
    (client, request)
}

#[test]
fn reject_for_a_port_without_listener_closes_the_initiator() {
    let (mut client, request) = request_bytes(PORT + 1);
    let mut listener = Listener::new(PORT, 4);
    let mut buf = [0u8; 64];
    let ListenAction::Reply { len } = listener.handle_packet(&request, &mut buf) else {
        panic!("no reject");
    };
    assert_eq!(client.handle_packet(10, false, &buf[..len]), Ok(None));
    assert_eq!(
        client.state(),
        ConnState::Closed(CloseReason::Rejected(RejectReason::NoListener))
    );
    assert_eq!(
        events(&mut client),
        vec![ConnEvent::Closed(CloseReason::Rejected(
            RejectReason::NoListener
        ))]
    );
    assert!(
        drain(&mut client, 20).is_empty(),
        "a rejected initiator sends no reset"
    );
    assert_eq!(listener.rejected(), 1);
}

#[test]
fn a_full_backlog_displaces_its_oldest_half_open_connection() {
    let (_, request) = request_bytes(PORT);
    let mut listener = Listener::new(PORT, 2);
    let mut buf = [0u8; 64];
    for _ in 0..2 {
        assert!(matches!(
            listener.handle_packet(&request, &mut buf),
            ListenAction::Accept {
                displaces: false,
                ..
            }
        ));
    }
    assert!(
        matches!(
            listener.handle_packet(&request, &mut buf),
            ListenAction::Accept {
                displaces: true,
                ..
            }
        ),
        "a full backlog takes the newcomer in place of the oldest"
    );
    assert_eq!((listener.half_open(), listener.displaced()), (2, 1));
    listener.half_open_done();
    assert_eq!(listener.half_open(), 1);
    assert!(matches!(
        listener.handle_packet(&request, &mut buf),
        ListenAction::Accept {
            displaces: false,
            ..
        }
    ));
    assert!(matches!(
        listener.handle_packet(&[1, 2, 3], &mut buf),
        ListenAction::Drop(PacketError::Malformed(_))
    ));
}

#[test]
fn a_backlog_full_reject_closes_the_initiator() {
    let (mut client, request) = request_bytes(PORT);
    let mut listener = Listener::new(PORT, 1);
    let mut buf = [0u8; 64];
    let ListenAction::Accept { request, pkey, .. } = listener.handle_packet(&request, &mut buf)
    else {
        panic!("refused");
    };
    let ListenAction::Reply { len } =
        listener.reject(&request, pkey, RejectReason::BacklogFull, &mut buf)
    else {
        panic!("no reject written");
    };
    client.handle_packet(10, false, &buf[..len]).unwrap();
    assert_eq!(
        client.state(),
        ConnState::Closed(CloseReason::Rejected(RejectReason::BacklogFull))
    );
    assert_eq!(listener.rejected(), 1);
}

#[test]
fn unanswered_connect_request_retries_then_fails_cleanly() {
    let (mut client, _) = request_bytes(PORT);
    let policy = cfg().retry;
    let mut requests = 1;
    let mut now = 0;
    while let Some(t) = client.poll_timeout() {
        now = t;
        client.handle_timeout(now);
        requests += drain(&mut client, now).len();
        assert!(requests < 100);
    }
    assert_eq!(
        requests,
        1 + usize::from(policy.linear_cnt) + usize::from(policy.exp_cnt)
    );
    assert_eq!(
        client.state(),
        ConnState::Closed(CloseReason::RetriesExhausted)
    );
    assert_eq!(
        events(&mut client),
        vec![ConnEvent::Closed(CloseReason::RetriesExhausted)]
    );
    // base, then 2 linear retries at base, then 3 doublings: 2, 4, 8.
    assert_eq!(now, policy.base_ns() * (1 + 1 + 1 + 2 + 4 + 8));
}

/// `from`'s timer fires and it sends its one handshake packet again, which
/// `to` takes; returns when.
fn sent_again(from: &mut TestConn, to: &mut TestConn) -> u64 {
    let t = from.poll_timeout().unwrap();
    from.handle_timeout(t);
    let again = drain(from, t);
    assert_eq!(again.len(), 1);
    assert_eq!(to.handle_packet(t, false, &again[0].bytes), Ok(None));
    t
}

/// `from` sends one packet at `t`, which takes `to` to ESTABLISHED at
/// `t + 1`.
fn establishes(from: &mut TestConn, to: &mut TestConn, t: u64) {
    let sent = drain(from, t);
    assert_eq!(sent.len(), 1);
    to.handle_packet(t + 1, false, &sent[0].bytes).unwrap();
    assert_eq!(to.state(), ConnState::Established);
}

#[test]
fn lost_accept_is_sent_again_on_the_repeated_request() {
    let (mut client, request) = request_bytes(PORT);
    let mut server = responder(cfg(), &request, 5);
    assert_eq!(drain(&mut server, 1).len(), 1, "accept sent (and lost)");
    let t = sent_again(&mut client, &mut server);
    establishes(&mut server, &mut client, t);
    // The initiator confirms at once.
    assert_eq!(server.state(), ConnState::Accepting);
    establishes(&mut client, &mut server, t + 1);
    // A request from another initiator is not ours to answer.
    let (_, foreign) = request_bytes(PORT);
    let mut other = foreign.clone();
    other[12 + 3] ^= 1;
    assert_eq!(
        server.handle_packet(t + 3, false, &other),
        Err(PacketError::WrongConnection)
    );
}

#[test]
fn half_open_connection_expires() {
    let (_, request) = request_bytes(PORT);
    let mut server = responder(cfg(), &request, 0);
    let mut accepts = drain(&mut server, 0).len();
    while let Some(t) = server.poll_timeout() {
        server.handle_timeout(t);
        accepts += drain(&mut server, t).len();
        assert!(accepts < 100);
    }
    assert_eq!(
        server.state(),
        ConnState::Closed(CloseReason::RetriesExhausted)
    );
    assert_eq!(
        accepts,
        1 + 2 + 3 + 1,
        "accepts, then a reset to the silent initiator"
    );
}

#[test]
fn reset_closes_both_ends() {
    let mut pair = Pair::new();
    events(&mut pair.client);
    events(&mut pair.server);
    pair.client.reset();
    assert_eq!(
        pair.client.state(),
        ConnState::Closed(CloseReason::LocalReset)
    );
    let reset = drain(&mut pair.client, pair.now);
    assert_eq!(reset.len(), 1);
    assert!(
        drain(&mut pair.client, pair.now).is_empty(),
        "one reset only"
    );
    pair.deliver_to_server(&reset);
    assert_eq!(
        pair.server.state(),
        ConnState::Closed(CloseReason::PeerReset(ResetReason::Aborted))
    );
    assert_eq!(
        events(&mut pair.server),
        vec![ConnEvent::Closed(CloseReason::PeerReset(
            ResetReason::Aborted
        ))]
    );
    assert!(
        drain(&mut pair.server, pair.now).is_empty(),
        "no reset back"
    );
    assert_eq!(pair.server_gets(&reset[0].bytes), Err(PacketError::Closed));
    assert_eq!(pair.client.send_message(10, None), Err(SendError::Closed));
    assert_eq!(pair.client.poll_timeout(), None);
}

#[test]
fn bad_configurations_are_refused() {
    let local = ConnNumber::new(CLIENT).unwrap();
    type Mutation = fn(&mut ConnConfig);
    let checks: [(Mutation, ConfigError); 6] = [
        (|c| c.max_payload = 0, ConfigError::Payload),
        (|c| c.mpr = 0, ConfigError::Mpr),
        (|c| c.mpr = MAX_MPR + 1, ConfigError::Mpr),
        (|c| c.retry.linear_cnt = 8, ConfigError::Retry),
        (|c| c.ack_every = 0, ConfigError::AckEvery),
        (|c| c.ev_count = 0, ConfigError::EvCount),
    ];
    for (mutate, want) in checks {
        let mut c = cfg();
        mutate(&mut c);
        assert_eq!(
            TestConn::connect(c, storage(&cfg()), local, PORT, Psn::ZERO).err(),
            Some(want)
        );
    }
    let mut s = storage(&cfg());
    s.rx_psns.truncate(1);
    assert_eq!(
        TestConn::connect(cfg(), s, local, PORT, Psn::ZERO).err(),
        Some(ConfigError::PsnStorage)
    );
    let mut s = storage(&cfg());
    s.sent.clear();
    assert_eq!(
        TestConn::connect(cfg(), s, local, PORT, Psn::ZERO).err(),
        Some(ConfigError::SentStorage)
    );
    let mut s = storage(&cfg());
    s.paths.truncate(1);
    assert_eq!(
        TestConn::connect(cfg(), s, local, PORT, Psn::ZERO).err(),
        Some(ConfigError::PathStorage)
    );
    assert_eq!(
        TestConn::connect(cfg(), storage(&cfg()), ConnNumber::NONE, PORT, Psn::ZERO).err(),
        Some(ConfigError::ConnNumber)
    );
}

#[test]
fn lost_confirmation_is_repeated_when_the_accept_comes_again() {
    let (mut client, request) = request_bytes(PORT);
    let mut server = responder(cfg(), &request, 0);
    let accept = drain(&mut server, 0);
    client.handle_packet(1, false, &accept[0].bytes).unwrap();
    assert_eq!(drain(&mut client, 1).len(), 1, "confirmation (lost)");
    let t = sent_again(&mut server, &mut client);
    assert_eq!(client.state(), ConnState::Established);
    establishes(&mut client, &mut server, t);
    assert_eq!(events(&mut server), vec![ConnEvent::Connected]);
    assert_eq!(
        events(&mut client),
        vec![ConnEvent::Connected],
        "connected once"
    );
}

/// A listener's answered request for `request`: the accept it sends, and
/// the request itself.
fn answered(request: &[u8], now: u64) -> (AnsweredRequest, Vec<u8>) {
    let mut listener = Listener::new(PORT, 4);
    let mut buf = [0u8; 64];
    let ListenAction::Accept { request, pkey, .. } = listener.handle_packet(request, &mut buf)
    else {
        panic!("listener refused");
    };
    let local = ConnNumber::new(SERVER).unwrap();
    let answered = AnsweredRequest::new(request, pkey, local, Psn::new(SERVER_PSN).unwrap(), now);
    let params = AcceptParams {
        mpr: cfg().mpr,
        max_wimm: cfg().max_wimm,
        dynamic_mpr: cfg().dynamic_mpr,
    };
    let len = answered.emit_accept(params, &mut buf).unwrap();
    (answered, buf[..len].to_vec())
}

#[test]
fn an_answered_request_becomes_the_responder_at_the_initiators_first_packet() {
    let (mut client, request) = request_bytes(PORT);
    let (answered, accept) = answered(&request, 0);
    // The accept sent without a connection is the responder's own.
    let mut server = responder(cfg(), &request, SERVER_PSN);
    assert_eq!(drain(&mut server, 0)[0].bytes, accept);
    client.handle_packet(1, false, &accept).unwrap();
    assert_eq!(client.state(), ConnState::Established);
    let confirmation = drain(&mut client, 1);
    assert_eq!(confirmation.len(), 1);
    // Built only now, from the answered request.
    let mut server = TestConn::accept(
        cfg(),
        storage(&cfg()),
        answered.responder_conn,
        &answered.request,
        answered.initial_psn,
    )
    .unwrap();
    server
        .handle_packet(2, false, &confirmation[0].bytes)
        .unwrap();
    assert_eq!(server.state(), ConnState::Established);
    assert_eq!(events(&mut server), vec![ConnEvent::Connected]);
    assert!(drain(&mut server, 2).is_empty(), "no second accept");
}

#[test]
fn an_answered_request_resends_its_accept_on_the_doubling_schedule_then_expires() {
    let (_, request) = request_bytes(PORT);
    let (mut answered, _) = answered(&request, 1_000);
    let retry = cfg().retry;
    let base = retry.base_ns();
    let mut at = 1_000;
    let mut resends = 0;
    loop {
        let deadline = answered.deadline(&retry);
        assert!(deadline > at, "the deadline moves on");
        assert!(deadline - at >= 2 * base, "doubling intervals only");
        at = deadline;
        match answered.on_timeout(at, &retry) {
            AnsweredTimeout::Resend => resends += 1,
            AnsweredTimeout::Expire => break,
        }
        assert!(resends <= MAX_ACCEPT_RESENDS);
    }
    assert_eq!(
        resends,
        MAX_ACCEPT_RESENDS.min(u32::from(retry.exp_cnt) - 1)
    );
}
