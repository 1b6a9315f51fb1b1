//! One MRC connection as a sans-IO state machine.
//!
//! The caller feeds it packets ([`Connection::handle_packet`]), timer
//! expiries ([`Connection::handle_timeout`]) and application commands
//! ([`Connection::send_message`], [`Connection::close`],
//! [`Connection::reset`]), and drains its outputs: packets to send
//! ([`Connection::poll_transmit`]), the next deadline
//! ([`Connection::poll_timeout`]) and events ([`Connection::poll_event`]).
//! Time (`now`, ns) and randomness are passed in; nothing here allocates.
//!
//! Message bytes never enter the core. On send, a [`Transmit`] names the
//! payload range (message, offset, length) the caller appends after the
//! headers written into its buffer; on receive, a [`Placement`] says where
//! the payload of the packet just handled belongs. The caller keeps a sent
//! message until [`ConnEvent::MessageSent`], and hands a received one to the
//! application at [`ConnEvent::MessageReceived`], which come in message
//! order.
//!
//! Large state lives in caller storage ([`ConnStorage`]): one
//! [`SentPacket`] per PSN of the send window, one [`MessageSlot`] per
//! message in flight (both directions), a bitmap of `mpr × 128` bits for
//! received PSNs, and one [`PathState`] per EV. The [`Connection`] itself is
//! small enough for a kernel stack. The sent records may start fewer than
//! the window and grow while the connection lives
//! ([`Connection::sent_records_wanted`], [`Connection::replace_sent`]).
//!
//! [`PathState`]: crate::proto::path::PathState
//!
//! Loss is inferred per EV, never from PSN gaps: RACK (a SACK echoes a
//! packet sent later on the same EV) or the ACK timeout; a TRIM NACK
//! retransmits at once. Retransmissions reuse their PSN and prefer another
//! EV. An ACK timeout moves the EV to ASSUMED_BAD and counts against the
//! retry budget (reset by any ACK progress); it is not a congestion signal
//! for NSCC (delay, ECN, trims and RACK losses are).
//!
//! # Choices this implementation makes
//!
//! - SACKs: the receiver acks every `ack_every` new packets, at once for an
//!   ack-request bit (set by the sender on the last packet of a message, on
//!   retransmissions and when its window fills) or a duplicate, else after
//!   `ack_delay_ns`. The bitmap covers the 64 PSNs ending at the packet the
//!   SACK echoes; the SACK goes back on that packet's EV index.
//! - RACK: data packets carry strictly increasing transmission stamps (the
//!   clock, nudged by 1 ns within a burst), echoed in SACKs; a packet still
//!   in flight on the echoed EV that left before the echoed one is lost once
//!   a reordering window (srtt / 4, at least 1 µs) has passed.
//! - The handshake confirmation is an empty SACK whose EV index is
//!   `u16::MAX` ("no packet echoed"); a responder is half-open until it gets
//!   any packet from the initiator, and retries its accept on the ACK
//!   timeout schedule like the initiator retries its request.
//! - A probe's id is the requester's connection number, so the caller can
//!   route the (connectionless) response back.
//! - Graceful close ends with a reset (reason Aborted) once everything sent
//!   is acked: the wire has no FIN.
//!
//! # Driving a connection
//!
//! 1. Create it: [`Connection::connect`] (initiator), or, for a connect
//!    request that [`Listener::handle_packet`] admitted,
//!    [`Connection::accept`] (responder). Probe requests are answered
//!    without a connection by [`answer_probe`]; probe responses carry the
//!    requester's connection number as probe id.
//! 2. After every input — [`Connection::handle_packet`] for each packet
//!    addressed to it (copy the payload as the returned [`Placement`] says
//!    before the buffer is reused), [`Connection::handle_timeout`] when the
//!    timer fires, or a command — drain [`Connection::poll_transmit`] until
//!    it returns `None` (each [`Transmit`] names the EV and, for data, the
//!    payload range to append after the headers), drain
//!    [`Connection::poll_event`], and re-arm the one timer at
//!    [`Connection::poll_timeout`].
//! 3. [`ConnEvent::MessageSent`] frees a sent message's bytes;
//!    [`ConnEvent::MessageReceived`] hands a complete message to the
//!    application; [`ConnEvent::Closed`] ends the connection (drain
//!    `poll_transmit` once more: it may hold the reset for the peer).

mod ack;
mod answered;
mod commands;
mod config;
mod credit;
mod event;
mod handshake;
mod listener;
mod messages;
mod poll_event;
mod probe;
mod recv;
mod retry;
mod rx_psn;
mod sent;
mod sent_growth;
mod slots;
mod stats;
mod storage;
#[cfg(test)]
mod tests;
mod timer;
mod transmit;

pub use answered::{AcceptParams, AnsweredRequest, AnsweredTimeout, MAX_ACCEPT_RESENDS};
pub use config::{ConfigError, ConnConfig, MAX_MPR, MAX_PAYLOAD, MPR_UNIT};
pub use event::{CloseReason, ConnEvent, MsgId};
pub use listener::{ListenAction, Listener};
pub use messages::MessageSlot;
pub use probe::answer_probe;
pub use recv::{PacketError, Placement};
pub use retry::{RetryPolicy, EXP_CNT_INFINITE, MAX_LINEAR_CNT, MAX_TIMEOUT_EXP};
pub use sent::{SentPacket, SentState};
pub use stats::ConnStats;
pub use storage::{ConnStorage, Storage};
pub use transmit::{PayloadRange, Transmit, MAX_HEADER_LEN};

use crate::proto::nscc::Nscc;
use crate::proto::path::PathSet;
use crate::proto::psn::Psn;
use crate::proto::rtt::RttEstimate;
use crate::proto::wire::ConnNumber;
use credit::{RxCredit, TxCredit};
use recv::AckState;
use rx_psn::RxPsnWindow;

/// Where a connection is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// Initiator: connect request sent, waiting for the accept.
    Connecting,
    /// Responder: accept sent, waiting for the initiator's first packet
    /// (half-open).
    Accepting,
    /// Data flows both ways.
    Established,
    /// [`Connection::close`] was called: no new messages; closes once
    /// everything sent is acked.
    Closing,
    /// Closed for the given reason; no input is accepted.
    Closed(CloseReason),
}

/// Why [`Connection::send_message`] refused a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendError {
    /// The connection is closing or closed.
    Closed,
    /// Longer than `max_message_len`.
    TooLong,
    /// Every message slot is in use: wait for [`ConnEvent::MessageSent`].
    QueueFull,
    /// As many Write-with-Immediate messages as WIMM allows are in flight.
    WimmLimit,
}

/// A pending NACK: the responder's answer to one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PendingNack {
    code: crate::proto::wire::NackCode,
    psn: Psn,
    ev: u16,
}

/// NACKs that may wait for transmission at once; more are dropped (the
/// sender's timeout covers them).
const NACK_QUEUE_LEN: usize = 8;

/// Sender side: PSN space, segmentation cursor and in-flight accounting.
#[derive(Clone, Copy, Debug)]
struct SendState {
    /// Oldest PSN not yet acked.
    una: Psn,
    /// Next new PSN.
    nxt: Psn,
    /// Usable sent-record slots (a power of two).
    slots: u32,
    /// MPR the peer tracks (units of 128), as negotiated.
    peer_mpr_max: u16,
    /// MPR the peer currently allows (dynamic MPR may lower it).
    peer_mpr: u16,
    /// Payload bytes of records in flight (not acked, not lost).
    bytes_in_flight: u32,
    /// Records declared lost and not yet retransmitted.
    lost: u32,
    /// No lost record lies before this PSN.
    retx_cursor: Psn,
    /// Oldest message not yet reported sent.
    msg_una: u32,
    /// Next message sequence number to assign.
    msg_nxt: u32,
    /// Message being segmented, and the offset of its next new packet.
    seg_msg: u32,
    seg_offset: u32,
    /// Write-with-Immediate messages not yet reported sent.
    wimm_open: u16,
    /// WIMM the peer accepts.
    peer_max_wimm: u16,
    /// ACK timeout deadline (lazy: checked against the records when due).
    rto_deadline: Option<u64>,
    /// ACK timeouts in a row without progress.
    timeouts: u32,
    /// When the last of those was counted.
    last_retry_at: Option<u64>,
    /// RTT over every SACK, net of the receiver's service time: the
    /// network's share, for NSCC and RACK (its mean only).
    rtt: RttEstimate,
    /// The whole time from a data packet's transmission to the SACK that
    /// echoes it, service time included, with its variance: what the ACK
    /// timeout waits for (`Connection::rto_interval`).
    response: RttEstimate,
    /// Last transmission stamp: data packets carry strictly increasing
    /// stamps (the clock, nudged by 1 ns within a burst), so that RACK can
    /// order the packets of one EV.
    last_stamp: u64,
    /// When overtaken packets have waited out the reordering window.
    rack_deadline: Option<u64>,
    /// The peer's receive credit, and what it was spent on.
    credit: TxCredit,
}

/// Receiver side: message cursor and WIMM accounting (the PSN window and
/// SACK state are separate).
#[derive(Clone, Copy, Debug)]
struct RecvState {
    /// Oldest message not yet reported received.
    msg_base: u32,
    /// Write-with-Immediate messages started and not yet reported.
    wimm_open: u16,
    /// MPR advertised in SACKs (the configured one unless lowered by
    /// dynamic MPR).
    advertised_mpr: u8,
    /// What the application's buffer can take of new messages (see
    /// [`Connection::set_rx_room`]): a message that does not fit is refused
    /// with NO_RESOURCE; the SACKs announce it as credit.
    credit: RxCredit,
}

/// Control packets waiting for transmission.
#[derive(Clone, Copy, Debug, Default)]
struct Control {
    connect_request: bool,
    connect_accept: bool,
    reset: Option<crate::proto::wire::ResetReason>,
    nacks: [Option<PendingNack>; NACK_QUEUE_LEN],
}

/// One MRC connection over caller storage `T` (see [`Storage`]).
pub struct Connection<T: Storage> {
    cfg: ConnConfig,
    state: ConnState,
    local: ConnNumber,
    peer: ConnNumber,
    dest_port: u16,
    /// This end's first PSN (the connect request or accept carries it).
    initial_psn: Psn,
    /// The peer's first PSN (duplicate connect requests must match it).
    peer_initial_psn: Psn,
    dynamic_mpr: bool,
    sent: T::Sent,
    messages: T::Messages,
    rx_psns: T::RxPsns,
    paths: PathSet<T::Paths>,
    nscc: Nscc,
    tx: SendState,
    rx: RecvState,
    rx_window: RxPsnWindow,
    ack: AckState,
    control: Control,
    connected_pending: bool,
    closed_reported: bool,
    stats: ConnStats,
}

impl<T: Storage> Connection<T> {
    fn new(
        cfg: ConnConfig,
        storage: T,
        local: ConnNumber,
        initial_psn: Psn,
        state: ConnState,
    ) -> Result<Self, ConfigError> {
        cfg.validate()?;
        if local.is_none() {
            return Err(ConfigError::ConnNumber);
        }
        let ConnStorage {
            mut sent,
            mut messages,
            mut rx_psns,
            paths,
        } = storage.into_parts();
        let slots = sent::usable_slots(sent.len());
        if slots == 0 {
            return Err(ConfigError::SentStorage);
        }
        if messages::usable_slots(messages.len()) == 0 {
            return Err(ConfigError::MessageStorage);
        }
        if rx_psn::usable_bits(rx_psns.len()) < cfg.rx_window() {
            return Err(ConfigError::PsnStorage);
        }
        if paths.len() < usize::from(cfg.ev_count) {
            return Err(ConfigError::PathStorage);
        }
        sent.iter_mut().for_each(|r| *r = SentPacket::default());
        messages
            .iter_mut()
            .for_each(|m| *m = MessageSlot::default());
        let rx_window = RxPsnWindow::new(Psn::ZERO, cfg.rx_window(), &mut rx_psns);
        Ok(Connection {
            cfg,
            state,
            local,
            peer: ConnNumber::NONE,
            dest_port: 0,
            initial_psn,
            peer_initial_psn: Psn::ZERO,
            dynamic_mpr: false,
            sent,
            messages,
            rx_psns,
            paths: PathSet::new(cfg.path, paths, cfg.ev_count),
            nscc: Nscc::new(cfg.nscc),
            tx: SendState {
                una: initial_psn,
                nxt: initial_psn,
                slots,
                peer_mpr_max: 1,
                peer_mpr: 1,
                bytes_in_flight: 0,
                lost: 0,
                retx_cursor: initial_psn,
                msg_una: 0,
                msg_nxt: 0,
                seg_msg: 0,
                seg_offset: 0,
                wimm_open: 0,
                peer_max_wimm: 0,
                rto_deadline: None,
                timeouts: 0,
                last_retry_at: None,
                rtt: RttEstimate::new(),
                response: RttEstimate::new(),
                last_stamp: 0,
                rack_deadline: None,
                credit: TxCredit::default(),
            },
            rx: RecvState {
                msg_base: 0,
                wimm_open: 0,
                advertised_mpr: cfg.mpr,
                credit: RxCredit::unlimited(),
            },
            rx_window,
            ack: AckState::default(),
            control: Control::default(),
            connected_pending: false,
            closed_reported: false,
            stats: ConnStats::default(),
        })
    }

    /// This end's connection number.
    pub fn local_conn(&self) -> ConnNumber {
        self.local
    }

    /// The peer's connection number ([`ConnNumber::NONE`] until known).
    pub fn peer_conn(&self) -> ConnNumber {
        self.peer
    }

    /// The connection's state.
    pub fn state(&self) -> ConnState {
        self.state
    }

    /// The configuration this connection runs with.
    pub fn config(&self) -> &ConnConfig {
        &self.cfg
    }

    /// The EVs of this connection (states, per-EV counters).
    pub fn paths(&self) -> &PathSet<T::Paths> {
        &self.paths
    }

    /// Dynamic MPR, as the responder: advertise `mpr` (units of 128 PSNs,
    /// at most the configured MPR) in the SACKs from now on, so that the
    /// peer's sender narrows (or widens back) its window. Only when both
    /// ends enabled dynamic MPR; returns whether it was applied.
    pub fn set_dynamic_mpr(&mut self, mpr: u8) -> bool {
        if !self.dynamic_mpr || mpr == 0 || mpr > self.cfg.mpr {
            return false;
        }
        self.rx.advertised_mpr = mpr;
        true
    }

    /// The room for new messages as last told (`set_rx_room`), less what
    /// began since: `u64::MAX` while any one message fits.
    pub fn rx_room(&self) -> u64 {
        self.rx.credit.room()
    }

    /// Receive-side flow control: the application's buffer can take
    /// `free` more bytes of new messages (0: no new message at all, not
    /// even an empty one), and holds no message if `empty` (then any one
    /// message fits, whatever its length); it has no room for message
    /// number `messages` or any later one (while not `empty`). The first
    /// packet of a message that does not fit is refused with a
    /// NO_RESOURCE NACK (the sender retries after its ACK timeout and
    /// blames no EV). From the first call on, every SACK announces the
    /// room as receive credit (see `credit.rs`), and a sender of this
    /// implementation starts no message beyond it. When both ends enabled
    /// dynamic MPR, the SACKs also advertise the PSN window that fits in
    /// the room (in 128-PSN units of full packets, at least 1, at most the
    /// configured MPR).
    ///
    /// Returns whether a SACK is now due to tell the peer that the room
    /// opened (the application read): the caller should transmit.
    pub fn set_rx_room(&mut self, free: u64, empty: bool, messages: u32) -> bool {
        let largest = u64::from(self.cfg.max_message_len);
        let messages = credit::message_limit(messages, self.rx.msg_base);
        let due = self.rx.credit.set(free, empty, messages, largest);
        let unit = u64::from(self.cfg.max_payload).saturating_mul(128).max(1);
        let room = self.rx.credit.room();
        let fits = u8::try_from(room.checked_div(unit).unwrap_or(0)).unwrap_or(u8::MAX);
        self.set_dynamic_mpr(fits.clamp(1, self.cfg.mpr.max(1)));
        let due = due && matches!(self.state, ConnState::Established | ConnState::Closing);
        if due {
            self.ack.force();
        }
        due
    }

    // A deliberate twin of `set_ev_route`: two separate controller settings
    // handed on to the path set.
    /// Controller: deny `ev` or allow it again.
    pub fn set_ev_denied(
        &mut self,
        ev: u16,
        denied: bool,
    ) -> Result<(), crate::proto::path::PathError> {
        self.paths.set_denied(ev, denied)
    }

    // A deliberate twin of `set_ev_denied`: two separate controller settings
    // handed on to the path set.
    /// Puts `ev` on `route`: EVs known to take one network path share a
    /// route and go ASSUMED_BAD together.
    pub fn set_ev_route(
        &mut self,
        ev: u16,
        route: u16,
    ) -> Result<(), crate::proto::path::PathError> {
        self.paths.set_route(ev, route)
    }

    /// Counters and estimates for an `MRC_INFO`-like snapshot.
    pub fn stats(&self) -> ConnStats {
        let mut s = self.stats;
        s.srtt_ns = self.tx.rtt.srtt_ns();
        s.cwnd = self.nscc.cwnd();
        s.bytes_in_flight = self.tx.bytes_in_flight;
        s.active_evs = self.paths.active_count();
        s.ev_count = self.paths.ev_count();
        s
    }
}
