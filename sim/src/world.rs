//! The event loop: virtual time that jumps to the next packet arrival,
//! scripted fault or connection deadline; endpoints driven exactly as the
//! kernel drives them (handle input, then drain `poll_transmit` and
//! `poll_event`, then re-read `poll_timeout`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use mrc_proto::conn::{
    answer_probe, CloseReason, ConnEvent, ConnState, ConnStorage, Connection, ListenAction,
    Listener, MessageSlot, SendError, SentPacket, Transmit, MAX_HEADER_LEN,
};
use mrc_proto::path::{EvState, PathState};
use mrc_proto::psn::Psn;
use mrc_proto::wire::{trim_in_place, Body, ConnNumber, Packet};

use crate::app::{Receiver, Sender};
use crate::link::{Link, Offer};
use crate::report::{self, Report};
use crate::rng::Rng;
use crate::scenario::Scenario;

/// Host storage of one connection: all in `Vec`s.
pub type SimStorage = ConnStorage<Vec<SentPacket>, Vec<MessageSlot>, Vec<u64>, Vec<PathState>>;

/// The host-side connection type.
pub type SimConnection = Connection<SimStorage>;

/// The MRC port every server listens on.
const PORT: u16 = 1;

/// Iterations at one instant beyond which the loop is declared stuck.
const SPIN_LIMIT: u64 = 1_000_000;

/// Direction of a packet on a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Client to server (data).
    ToServer,
    /// Server to client (SACKs, NACKs, accepts).
    ToClient,
}

enum Event {
    Arrive {
        flow: usize,
        dir: Dir,
        path: usize,
        bytes: Vec<u8>,
        ce: bool,
    },
    Blackhole {
        path: usize,
        on: bool,
    },
    Start {
        flow: usize,
    },
}

struct Scheduled {
    at: u64,
    seq: u64,
    event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// What the world observed of one flow.
#[derive(Default)]
pub struct FlowTrace {
    /// When the client saw `Connected`.
    pub connected_at: Option<u64>,
    /// When the last message was delivered.
    pub done_at: Option<u64>,
    /// (time, bytes) of every placement at the server.
    pub placements: Vec<(u64, u32)>,
    /// Data packets the client sent on each path (retransmissions included).
    pub path_packets: Vec<u64>,
    /// Client EV transitions: (time, ev, new state).
    pub ev_events: Vec<(u64, u16, EvState)>,
    /// How each side closed, if it did.
    pub client_closed: Option<CloseReason>,
    /// How the server closed, if it did.
    pub server_closed: Option<CloseReason>,
    /// Data packets the client sent on each path after each one's last
    /// return to GOOD.
    pub path_packets_after_good: Vec<u64>,
    /// (time, path) of every data packet the client sent.
    pub sends: Vec<(u64, usize)>,
}

/// One connection: both endpoints and their applications.
pub struct Flow {
    /// The initiator, which sends the data.
    pub client: Option<SimConnection>,
    /// The responder, once the listener admitted the client.
    pub server: Option<SimConnection>,
    listener: Listener,
    /// The sending application.
    pub sender: Sender,
    /// The receiving application.
    pub receiver: Receiver,
    /// Observations.
    pub trace: FlowTrace,
}

/// The whole simulation.
pub struct World {
    /// The scenario being run.
    pub scenario: Scenario,
    /// Virtual time, ns.
    pub now: u64,
    rng: Rng,
    /// Per path: [client → server, server → client].
    pub links: Vec<[Link; 2]>,
    heap: BinaryHeap<Reverse<Scheduled>>,
    seq: u64,
    /// The flows.
    pub flows: Vec<Flow>,
    /// Packets that were in flight on a link when it was blackholed.
    pub lost_in_flight: u64,
    buf: Vec<u8>,
}

/// Fresh host storage for one connection of `scenario`.
pub fn storage(scenario: &Scenario) -> SimStorage {
    let words = (scenario.conn.rx_window() as usize).div_ceil(64);
    ConnStorage {
        sent: vec![SentPacket::default(); scenario.sent_slots],
        messages: vec![MessageSlot::default(); scenario.message_slots],
        rx_psns: vec![0; words],
        paths: vec![PathState::default(); scenario.conn.ev_count as usize],
    }
}

impl World {
    /// A world ready to run `scenario`.
    pub fn new(scenario: Scenario) -> Self {
        let mut rng = Rng::new(scenario.seed);
        let links = scenario
            .paths
            .iter()
            .map(|p| [Link::new(p.clone()), Link::new(p.clone())])
            .collect();
        let n = scenario.paths.len();
        let flows = scenario
            .flows
            .iter()
            .map(|spec| Flow {
                client: None,
                server: None,
                listener: Listener::new(PORT, 16),
                sender: Sender::new(spec.clone(), rng.fork()),
                receiver: Receiver::default(),
                trace: FlowTrace {
                    path_packets: vec![0; n],
                    path_packets_after_good: vec![0; n],
                    ..FlowTrace::default()
                },
            })
            .collect();
        let mut world = World {
            scenario,
            now: 0,
            rng,
            links,
            heap: BinaryHeap::new(),
            seq: 0,
            flows,
            lost_in_flight: 0,
            buf: vec![0; MAX_HEADER_LEN],
        };
        for (flow, spec) in world.scenario.flows.clone().iter().enumerate() {
            world.schedule(spec.start_ns, Event::Start { flow });
        }
        for fault in world.scenario.faults.clone() {
            world.schedule(
                fault.at_ns,
                Event::Blackhole {
                    path: fault.path,
                    on: true,
                },
            );
            if let Some(at) = fault.restore_ns {
                world.schedule(
                    at,
                    Event::Blackhole {
                        path: fault.path,
                        on: false,
                    },
                );
            }
        }
        world
    }

    fn schedule(&mut self, at: u64, event: Event) {
        self.seq += 1;
        self.heap.push(Reverse(Scheduled {
            at,
            seq: self.seq,
            event,
        }));
    }

    fn all_done(&self) -> bool {
        self.flows.iter().all(|f| {
            f.trace.done_at.is_some()
                || f.trace.client_closed.is_some()
                || f.trace.server_closed.is_some()
        })
    }

    fn next_deadline(&self) -> Option<u64> {
        let conns = self.flows.iter().flat_map(|f| {
            [f.client.as_ref(), f.server.as_ref()]
                .into_iter()
                .flatten()
                .filter_map(|c| c.poll_timeout())
        });
        let heap = self.heap.peek().map(|Reverse(s)| s.at);
        conns.chain(heap).min()
    }

    /// Runs until every flow is done, closed, stuck, or the deadline.
    pub fn run(&mut self) {
        let mut spins = 0u64;
        while !self.all_done() {
            let Some(next) = self.next_deadline() else {
                break;
            };
            if next > self.scenario.deadline_ns {
                break;
            }
            if next <= self.now {
                spins += 1;
                assert!(spins < SPIN_LIMIT, "simulation stuck at {} ns", self.now);
            } else {
                spins = 0;
                self.now = next;
            }
            while self.heap.peek().is_some_and(|Reverse(s)| s.at <= self.now) {
                let Reverse(s) = self.heap.pop().expect("peeked");
                self.process(s.event);
            }
            for flow in 0..self.flows.len() {
                for dir in [Dir::ToServer, Dir::ToClient] {
                    let due = self
                        .conn(flow, dir)
                        .and_then(|c| c.poll_timeout())
                        .is_some_and(|t| t <= self.now);
                    if due {
                        let now = self.now;
                        if let Some(c) = self.conn_mut(flow, dir) {
                            c.handle_timeout(now);
                        }
                        self.pump(flow, dir);
                    }
                }
            }
        }
    }

    /// The connection that receives packets travelling in `dir`.
    fn conn(&self, flow: usize, dir: Dir) -> Option<&SimConnection> {
        match dir {
            Dir::ToServer => self.flows[flow].server.as_ref(),
            Dir::ToClient => self.flows[flow].client.as_ref(),
        }
    }

    fn conn_mut(&mut self, flow: usize, dir: Dir) -> Option<&mut SimConnection> {
        match dir {
            Dir::ToServer => self.flows[flow].server.as_mut(),
            Dir::ToClient => self.flows[flow].client.as_mut(),
        }
    }

    fn process(&mut self, event: Event) {
        match event {
            Event::Start { flow } => {
                let local = ConnNumber::new(2 * flow as u32 + 1).expect("small connection number");
                let psn = Psn::new_truncating(self.rng.next_u64() as u32);
                let conn = Connection::connect(
                    self.scenario.conn,
                    storage(&self.scenario),
                    local,
                    PORT,
                    psn,
                )
                .expect("valid client configuration");
                self.flows[flow].client = Some(conn);
                self.pump(flow, Dir::ToClient);
            }
            Event::Blackhole { path, on } => {
                for link in &mut self.links[path] {
                    link.set_blackholed(on);
                }
            }
            Event::Arrive {
                flow,
                dir,
                path,
                bytes,
                ce,
            } => {
                if self.links[path][dir as usize].is_blackholed() {
                    self.lost_in_flight += 1;
                    return;
                }
                match dir {
                    Dir::ToServer => self.server_receive(flow, path, &bytes, ce),
                    Dir::ToClient => {
                        let now = self.now;
                        if let Some(c) = self.flows[flow].client.as_mut() {
                            let _ = c.handle_packet(now, ce, &bytes);
                        }
                        self.pump(flow, Dir::ToClient);
                    }
                }
            }
        }
    }

    fn server_receive(&mut self, flow: usize, path: usize, bytes: &[u8], ce: bool) {
        let now = self.now;
        let is_probe = matches!(
            Packet::parse(bytes),
            Ok(Packet {
                body: Body::ProbeRequest(_),
                ..
            })
        );
        if is_probe {
            let mut out = vec![0u8; 64];
            if let Some(len) = answer_probe(bytes, 0, &mut out) {
                out.truncate(len);
                self.send_raw(flow, Dir::ToClient, path, out, len);
            }
            return;
        }
        if let Some(server) = self.flows[flow].server.as_mut() {
            if let Ok(Some(p)) = server.handle_packet(now, ce, bytes) {
                let f = &mut self.flows[flow];
                let placed = f.receiver.place(&p, bytes);
                f.trace.placements.push((now, placed));
            }
            self.pump(flow, Dir::ToServer);
            return;
        }
        let mut out = vec![0u8; 64];
        match self.flows[flow].listener.handle_packet(bytes, &mut out) {
            ListenAction::Accept { request, .. } => {
                let local = ConnNumber::new(2 * flow as u32 + 2).expect("small connection number");
                let psn = Psn::new_truncating(self.rng.next_u64() as u32);
                let conn = Connection::accept(
                    self.scenario.conn,
                    storage(&self.scenario),
                    local,
                    &request,
                    psn,
                )
                .expect("valid server configuration");
                self.flows[flow].server = Some(conn);
                self.pump(flow, Dir::ToServer);
            }
            ListenAction::Reply { len } => {
                out.truncate(len);
                self.send_raw(flow, Dir::ToClient, path, out, len);
            }
            ListenAction::Drop(_) => {}
        }
    }

    /// Drives one endpoint after an input: events, new messages, packets,
    /// until it has nothing more to say.
    fn pump(&mut self, flow: usize, side: Dir) {
        loop {
            let mut progressed = self.drain_events(flow, side);
            if side == Dir::ToClient {
                progressed |= self.submit_messages(flow);
            }
            progressed |= self.drain_transmits(flow, side);
            if !progressed {
                break;
            }
        }
    }

    fn drain_events(&mut self, flow: usize, side: Dir) -> bool {
        let now = self.now;
        let f = &mut self.flows[flow];
        let conn = match side {
            Dir::ToServer => f.server.as_mut(),
            Dir::ToClient => f.client.as_mut(),
        };
        let Some(conn) = conn else { return false };
        let mut any = false;
        while let Some(event) = conn.poll_event() {
            any = true;
            match event {
                ConnEvent::Connected => {
                    if side == Dir::ToClient {
                        f.trace.connected_at = Some(now);
                    } else {
                        f.listener.half_open_done();
                    }
                }
                ConnEvent::MessageSent { msg } => f.sender.sent(msg),
                ConnEvent::MessageReceived { msg, len, imm } => {
                    f.receiver.complete(msg, len, imm, &f.sender);
                    if f.sender.all_submitted() && f.receiver.messages == f.sender.messages {
                        f.trace.done_at = Some(now);
                    }
                }
                ConnEvent::Path(ev) => {
                    if side == Dir::ToClient {
                        f.trace.ev_events.push((ev.at_ns, ev.ev, ev.new));
                        if ev.new == EvState::Good {
                            let path = ev.ev as usize % f.trace.path_packets_after_good.len();
                            f.trace.path_packets_after_good[path] = 0;
                        }
                    }
                }
                ConnEvent::Closed(reason) => match side {
                    Dir::ToClient => f.trace.client_closed = Some(reason),
                    Dir::ToServer => f.trace.server_closed = Some(reason),
                },
            }
        }
        any
    }

    fn submit_messages(&mut self, flow: usize) -> bool {
        let f = &mut self.flows[flow];
        let Some(conn) = f.client.as_mut() else {
            return false;
        };
        if conn.state() != ConnState::Established {
            return false;
        }
        let mut any = false;
        while let Some((len, imm)) = f.sender.next_message() {
            match conn.send_message(len, imm) {
                Ok(id) => {
                    f.sender.accepted(id);
                    any = true;
                }
                Err(SendError::QueueFull | SendError::WimmLimit) => break,
                Err(e) => panic!("send_message refused: {e:?}"),
            }
        }
        any
    }

    fn drain_transmits(&mut self, flow: usize, side: Dir) -> bool {
        let mut any = false;
        loop {
            let now = self.now;
            let rand = self.rng.next_u64() as u32;
            let mut buf = std::mem::take(&mut self.buf);
            let t = self
                .conn_mut(flow, side)
                .and_then(|c| c.poll_transmit(now, rand, &mut buf));
            let Some(t) = t else {
                self.buf = buf;
                return any;
            };
            any = true;
            let packet = self.build_packet(flow, &t, &buf);
            self.buf = buf;
            let path = t.ev as usize % self.links.len();
            let dir = match side {
                Dir::ToClient => Dir::ToServer,
                Dir::ToServer => Dir::ToClient,
            };
            if dir == Dir::ToServer && t.payload.is_some() {
                let trace = &mut self.flows[flow].trace;
                trace.path_packets[path] += 1;
                trace.sends.push((self.now, path));
                trace.path_packets_after_good[path] += 1;
            }
            self.send_raw(flow, dir, path, packet, t.header_len);
        }
    }

    /// Headers from the core plus the payload bytes from the sender's copy.
    fn build_packet(&self, flow: usize, t: &Transmit, buf: &[u8]) -> Vec<u8> {
        let mut packet = buf[..t.header_len].to_vec();
        if let Some(range) = &t.payload {
            let start = packet.len();
            packet.resize(start + range.len as usize, 0);
            self.flows[flow].sender.fill(range, &mut packet[start..]);
        }
        packet
    }

    fn send_raw(
        &mut self,
        flow: usize,
        dir: Dir,
        path: usize,
        mut bytes: Vec<u8>,
        header_len: usize,
    ) {
        let offer =
            self.links[path][dir as usize].offer(self.now, bytes.len(), header_len, &mut self.rng);
        if let Offer::Deliver { at, ce, trimmed } = offer {
            if trimmed {
                // A switch trims data packets; anything else that overflows
                // is dropped.
                match trim_in_place(&mut bytes, false) {
                    Ok(len) => bytes.truncate(len),
                    Err(_) => return,
                }
            }
            self.schedule(
                at,
                Event::Arrive {
                    flow,
                    dir,
                    path,
                    bytes,
                    ce,
                },
            );
        }
    }
}

/// Runs `scenario` to the end and reports.
pub fn run(scenario: Scenario) -> Report {
    let mut world = World::new(scenario);
    world.run();
    report::build(&world)
}
