//! The test pair: two connections, a clock, and a packet queue per
//! direction that tests can inspect, drop, reorder or forge into.

use std::vec::Vec;

use crate::proto::conn::*;
use crate::proto::nscc::NsccConfig;
use crate::proto::path::{PathConfig, PathState};
use crate::proto::psn::Psn;
use crate::proto::wire::ConnNumber;

pub type TestStorage = ConnStorage<Vec<SentPacket>, Vec<MessageSlot>, Vec<u64>, Vec<PathState>>;
pub type TestConn = Connection<TestStorage>;

pub const CLIENT: u32 = 0x10;
pub const SERVER: u32 = 0x20;
pub const PORT: u16 = 7;
pub const PKEY: u16 = 0xFFFF;
pub const CLIENT_PSN: u32 = Psn::MASK - 5;
pub const SERVER_PSN: u32 = 1000;

pub fn cfg() -> ConnConfig {
    ConnConfig {
        max_payload: 1000,
        mpr: 2,
        dynamic_mpr: true,
        max_wimm: 2,
        retry: RetryPolicy {
            timeout: 4,
            linear_cnt: 2,
            exp_cnt: 3,
        },
        ack_every: 1,
        ack_delay_ns: 1000,
        max_message_len: 1 << 20,
        ev_count: 4,
        path: PathConfig {
            probe_interval_ns: 50_000,
            probe_timeout_ns: 50_000,
            ..PathConfig::default()
        },
        nscc: NsccConfig::for_path(1_000_000_000, 10_000),
        pkey: PKEY,
        ev_profile: 1,
        cc_profile: 2,
    }
}

pub fn storage(cfg: &ConnConfig) -> TestStorage {
    ConnStorage {
        sent: vec![SentPacket::default(); 512],
        messages: vec![MessageSlot::default(); 16],
        rx_psns: vec![0; (cfg.rx_window() as usize).div_ceil(64)],
        paths: vec![PathState::default(); usize::from(cfg.ev_count)],
    }
}

/// An initiator `CLIENT` with `cfg`, connecting to `port` from `psn`; its
/// request is left for the caller to drain.
pub fn initiator(cfg: ConnConfig, port: u16, psn: u32) -> TestConn {
    let local = ConnNumber::new(CLIENT).unwrap();
    TestConn::connect(cfg, storage(&cfg), local, port, Psn::new(psn).unwrap()).unwrap()
}

/// A responder `SERVER` with `cfg`, from `psn`, accepting the `request`
/// bytes that a listener on `PORT` took; its accept is left for the caller
/// to drain.
pub fn responder(cfg: ConnConfig, request: &[u8], psn: u32) -> TestConn {
    let mut listener = Listener::new(PORT, 4);
    let mut buf = [0u8; 64];
    let ListenAction::Accept { request, .. } = listener.handle_packet(request, &mut buf) else {
        panic!("listener refused");
    };
    let local = ConnNumber::new(SERVER).unwrap();
    TestConn::accept(cfg, storage(&cfg), local, &request, Psn::new(psn).unwrap()).unwrap()
}

/// A packet in flight: its bytes and the EV it was sent on.
#[derive(Clone, Debug)]
pub struct Wire {
    pub ev: u16,
    pub bytes: Vec<u8>,
}

/// Payload byte `i` of message `msg`: a pattern the receiver can check.
pub fn pattern(msg: u32, i: u32) -> u8 {
    (msg.wrapping_mul(31).wrapping_add(i.wrapping_mul(7))) as u8
}

/// Every packet `conn` wants to send now, payloads filled with [`pattern`].
pub fn drain(conn: &mut TestConn, now: u64) -> Vec<Wire> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 2048];
    let mut rand = 0x1234_5678u32;
    while let Some(t) = conn.poll_transmit(now, rand, &mut buf) {
        rand = rand.rotate_left(7).wrapping_add(0x9E37_79B9);
        let mut bytes = buf[..t.header_len].to_vec();
        if let Some(p) = t.payload {
            bytes.extend((0..p.len).map(|i| pattern(p.msg.0, p.offset + i)));
        }
        out.push(Wire { ev: t.ev, bytes });
        assert!(out.len() < 10_000, "poll_transmit never stops");
    }
    out
}

/// All pending events of `conn`.
pub fn events(conn: &mut TestConn) -> Vec<ConnEvent> {
    core::iter::from_fn(|| conn.poll_event()).collect()
}

/// A client and a server, connected through a listener.
pub struct Pair {
    pub now: u64,
    pub client: TestConn,
    pub server: TestConn,
    /// Bytes placed at the server: (msg, offset) → checked against the pattern.
    pub placed: u64,
    /// Check placed bytes against [`pattern`] (off when tests corrupt them).
    pub verify: bool,
}

impl Pair {
    /// Runs the handshake with `client_cfg` and `server_cfg`.
    pub fn with(client_cfg: ConnConfig, server_cfg: ConnConfig) -> Pair {
        let mut client = initiator(client_cfg, PORT, CLIENT_PSN);
        let request = drain(&mut client, 0);
        assert_eq!(request.len(), 1);
        let server = responder(server_cfg, &request[0].bytes, SERVER_PSN);
        let mut pair = Pair {
            now: 1_000,
            client,
            server,
            placed: 0,
            verify: true,
        };
        pair.run();
        assert_eq!(pair.client.state(), ConnState::Established);
        assert_eq!(pair.server.state(), ConnState::Established);
        pair
    }

    pub fn new() -> Pair {
        Pair::with(cfg(), cfg())
    }

    /// The server's answer to `bytes`, received now (no ECN mark).
    pub fn server_gets(&mut self, bytes: &[u8]) -> Result<Option<Placement>, PacketError> {
        self.server.handle_packet(self.now, false, bytes)
    }

    /// The client's answer to `bytes`, received now (no ECN mark).
    pub fn client_gets(&mut self, bytes: &[u8]) -> Result<Option<Placement>, PacketError> {
        self.client.handle_packet(self.now, false, bytes)
    }

    /// Delivers `packets` to the server, checking placements.
    pub fn deliver_to_server(&mut self, packets: &[Wire]) {
        for p in packets {
            if let Ok(Some(pl)) = self.server.handle_packet(self.now, false, &p.bytes) {
                let payload = &p.bytes[pl.payload_start..pl.payload_start + pl.len as usize];
                for (i, b) in payload.iter().enumerate().filter(|_| self.verify) {
                    assert_eq!(
                        *b,
                        pattern(pl.msg.0, pl.offset + i as u32),
                        "byte placed at the wrong offset"
                    );
                }
                self.placed += u64::from(pl.len);
            }
        }
    }

    /// Delivers `packets` to the client.
    pub fn deliver_to_client(&mut self, packets: &[Wire]) {
        for p in packets {
            let _ = self.client.handle_packet(self.now, false, &p.bytes);
        }
    }

    /// Delivers `packets` to the server and, at once, its answers to the
    /// client.
    pub fn answered(&mut self, packets: &[Wire]) {
        self.deliver_to_server(packets);
        let answers = drain(&mut self.server, self.now);
        self.deliver_to_client(&answers);
    }

    /// Exchanges packets (1 µs per hop) until both sides are quiet.
    pub fn run(&mut self) {
        for _ in 0..10_000 {
            let c = drain(&mut self.client, self.now);
            let s = drain(&mut self.server, self.now);
            if c.is_empty() && s.is_empty() {
                return;
            }
            self.now += 1_000;
            self.deliver_to_server(&c);
            self.deliver_to_client(&s);
        }
        panic!("pair never went quiet");
    }

    /// Advances the clock to the earliest deadline and fires it.
    pub fn fire_timers(&mut self) {
        let next = [self.client.poll_timeout(), self.server.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        if let Some(t) = next {
            self.now = self.now.max(t);
            self.client.handle_timeout(self.now);
            self.server.handle_timeout(self.now);
        }
    }
}

/// A data packet as a peer would build it.
#[derive(Clone, Copy)]
pub struct Forge {
    pub dest: u32,
    pub pkey: u16,
    pub psn: Psn,
    pub msn: u32,
    pub offset: u32,
    pub msg_len: u32,
    pub len: u32,
    pub imm: Option<u32>,
    pub ev: u16,
    pub timestamp: u64,
}

impl Forge {
    /// Packet `k` of message 0 (1000-byte packets of a `msg_len` message)
    /// from the client to the server.
    pub fn client_data(k: u32, msg_len: u32) -> Forge {
        let offset = k * 1000;
        Forge {
            dest: SERVER,
            pkey: PKEY,
            psn: Psn::new(CLIENT_PSN).unwrap().wrapping_add(k),
            msn: 0,
            offset,
            msg_len,
            len: msg_len.saturating_sub(offset).min(1000),
            imm: None,
            ev: 0,
            timestamp: 500,
        }
    }

    // A deliberate twin of transmit.rs's `emit_data`: the tests forge data
    // packets independently of the code under test.
    pub fn bytes(&self) -> Vec<u8> {
        use crate::proto::wire::{Body, DataKind, DataRepr, Packet, Trim};
        let end = self.offset + self.len;
        let kind = DataKind::of_segment(self.offset, end, self.msg_len);
        let data = DataRepr {
            kind,
            msn: self.msn,
            offset: self.offset,
            msg_len: self.msg_len,
            ev_index: self.ev,
            timestamp: self.timestamp,
            immediate: self.imm,
        };
        let payload: Vec<u8> = (0..self.len)
            .map(|i| pattern(self.msn, self.offset + i))
            .collect();
        let packet = Packet {
            pkey: self.pkey,
            dest_conn: ConnNumber::new(self.dest).unwrap(),
            body: Body::Data {
                psn: self.psn,
                ack_req: false,
                trim: Trim::None,
                data,
                payload: &payload,
            },
        };
        let mut buf = vec![0u8; 64 + payload.len()];
        let n = packet.emit(&mut buf).unwrap();
        buf.truncate(n);
        buf.extend_from_slice(&payload);
        buf
    }
}

/// A control packet to `dest` with `body`.
pub fn control(dest: u32, body: crate::proto::wire::Body<'_>) -> Vec<u8> {
    let packet = crate::proto::wire::Packet {
        pkey: PKEY,
        dest_conn: ConnNumber::new(dest).unwrap(),
        body,
    };
    let mut buf = vec![0u8; 128];
    let n = packet.emit(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// The data packets among `packets`, with their PSNs.
pub fn data_psns(packets: &[Wire]) -> Vec<(Psn, u16)> {
    use crate::proto::wire::{Body, Packet};
    packets
        .iter()
        .filter_map(|w| match Packet::parse(&w.bytes) {
            Ok(Packet {
                body: Body::Data { psn, .. },
                ..
            }) => Some((psn, w.ev)),
            _ => None,
        })
        .collect()
}
