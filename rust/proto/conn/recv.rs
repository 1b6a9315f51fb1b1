//! Input: every packet addressed to the connection. Parses with the wire
//! module, checks it against the connection (number, partition, state, PSN
//! window, message window, lengths), and for data returns where the payload
//! goes. Everything read from a packet is untrusted: a bad packet is
//! counted and refused with a [`PacketError`], never trusted.

use super::rx_psn::RxPsn;
use super::{messages, CloseReason, ConnState, Connection, MsgId, PendingNack, Storage};
use crate::proto::psn::Psn;
use crate::proto::wire::{
    Body, DataRepr, NackCode, Received, SackCredit, SackRepr, Trim, WireError,
};

/// Where the payload of a data packet belongs: the caller copies
/// `bytes[payload_start..payload_start + len]` of the packet it handed in to
/// offset `offset` of message `msg` (which is `msg_len` bytes long).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The message.
    pub msg: MsgId,
    /// The message's total length.
    pub msg_len: u32,
    /// Offset of this payload within the message.
    pub offset: u32,
    /// Where the payload starts within the packet.
    pub payload_start: usize,
    /// Payload length.
    pub len: u32,
}

/// Why a packet was refused (it is dropped and counted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketError {
    /// The bytes do not parse.
    Malformed(WireError),
    /// Addressed to another connection number (or probe id).
    WrongConnection,
    /// Another partition key.
    WrongPartition,
    /// The opcode is not valid in the connection's state.
    UnexpectedOpcode,
    /// A PSN (data, SACK or NACK) outside the window.
    PsnOutOfWindow,
    /// A message sequence number outside the receive message window.
    MessageOutOfWindow,
    /// A length that contradicts the message (or exceeds a limit).
    BadLength,
    /// More bytes placed into a message than it holds.
    BadOffset,
    /// A new Write-with-Immediate message beyond WIMM.
    WimmExceeded,
    /// A new message longer than the room the application's buffer has
    /// (see `Connection::set_rx_room`).
    NoRoom,
    /// An EV index that this connection does not have.
    BadEv,
    /// A timestamp echo from the future.
    BadTimestamp,
    /// The connection is closed.
    Closed,
    /// A probe response that answers no probe outstanding on its EV.
    NoProbeOutstanding,
    /// A connect accept or reject that does not echo this end's initial
    /// PSN (forged, or for an earlier attempt).
    BadEcho,
}

/// The packet a SACK will echo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AckTrigger {
    psn: Psn,
    ev: u16,
    timestamp: u64,
    arrived: u64,
}

/// EV index a SACK carries when no data packet triggered it (the
/// initiator's handshake confirmation): the sender takes no RTT or RACK
/// signal from it.
pub(super) const NO_EV: u16 = u16::MAX;

/// SACK coalescing state of the receiver.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct AckState {
    /// New data packets since the last SACK.
    pending: u16,
    /// Send a SACK at the next transmit opportunity.
    due: bool,
    /// Send a SACK by this time at the latest.
    deadline: Option<u64>,
    trigger: Option<AckTrigger>,
    /// A packet since the last SACK was CE-marked.
    ce: bool,
}

impl AckState {
    /// Whether a SACK should go now.
    pub(super) fn is_due(&self, now: u64) -> bool {
        self.due || self.deadline.is_some_and(|d| now >= d)
    }

    /// When the coalescing delay runs out.
    pub(super) fn deadline(&self) -> Option<u64> {
        self.deadline
    }

    /// Ask for a SACK now (handshake confirmation).
    pub(super) fn force(&mut self) {
        self.due = true;
    }

    /// EV of the packet the next SACK echoes.
    pub(super) fn echo_ev(&self) -> Option<u16> {
        self.trigger.map(|t| t.ev)
    }

    /// A data packet arrived (new or duplicate).
    fn on_data(
        &mut self,
        now: u64,
        trigger: AckTrigger,
        ce: bool,
        immediate: bool,
        cfg: &super::ConnConfig,
    ) {
        self.trigger = Some(trigger);
        self.ce |= ce;
        self.pending = self.pending.saturating_add(1);
        if immediate || self.pending >= cfg.ack_every {
            self.due = true;
        } else if self.deadline.is_none() {
            self.deadline = Some(now.saturating_add(cfg.ack_delay_ns));
        }
    }

    /// The SACK to send now.
    pub(super) fn sack(
        &self,
        now: u64,
        window: &super::RxPsnWindow,
        storage: &[u64],
        mpr: u8,
        credit: Option<SackCredit>,
    ) -> SackRepr {
        let cum_ack = window.next();
        let (base, echo) = match self.trigger {
            Some(t) => {
                // The 64 PSNs up to the triggering one: what arrived lately.
                let base = if cum_ack.distance_to(t.psn) > 63 {
                    t.psn.wrapping_sub(63)
                } else {
                    cum_ack
                };
                (base, Some(t))
            }
            None => (cum_ack, None),
        };
        let bitmap = window.bitmap(storage, base);
        let sack_base = if bitmap == 0 { cum_ack } else { base };
        SackRepr {
            cum_ack,
            sack_base,
            bitmap,
            timestamp_echo: echo.map_or(0, |t| t.timestamp),
            service_time: echo.map_or(0, |t| {
                u32::try_from(now.saturating_sub(t.arrived)).unwrap_or(u32::MAX)
            }),
            ev_index: echo.map_or(NO_EV, |t| t.ev),
            mpr: u16::from(mpr.max(1)),
            ecn_echo: self.ce,
            credit,
        }
    }

    /// A SACK left.
    pub(super) fn sent(&mut self) {
        *self = AckState::default();
    }
}

impl<T: Storage> Connection<T> {
    /// Handle one received packet (`bytes`: the MRC headers and payload,
    /// below UDP). `ecn_ce` is the IP header's congestion-experienced mark.
    /// For a data packet that is new, returns where its payload goes; the
    /// caller copies it before handing in the next packet or polling.
    pub fn handle_packet(
        &mut self,
        now: u64,
        ecn_ce: bool,
        bytes: &[u8],
    ) -> Result<Option<Placement>, PacketError> {
        self.handle_received(now, ecn_ce, &Received::new(bytes))
    }

    /// [`handle_packet`](Self::handle_packet) for a packet the caller has
    /// parsed already: the placement is in `received`'s bytes.
    pub fn handle_received(
        &mut self,
        now: u64,
        ecn_ce: bool,
        received: &Received<'_>,
    ) -> Result<Option<Placement>, PacketError> {
        let result = self.dispatch(now, ecn_ce, received);
        if result.is_err() {
            self.stats.rejected = self.stats.rejected.saturating_add(1);
        }
        result
    }

    fn dispatch(
        &mut self,
        now: u64,
        ecn_ce: bool,
        received: &Received<'_>,
    ) -> Result<Option<Placement>, PacketError> {
        let packet = *received.packet().map_err(PacketError::Malformed)?;
        if matches!(self.state, ConnState::Closed(_)) {
            return Err(PacketError::Closed);
        }
        if packet.pkey != self.cfg.pkey {
            return Err(PacketError::WrongPartition);
        }
        match packet.body {
            Body::ConnectRequest(req) => return self.on_duplicate_request(&req).map(|()| None),
            Body::ProbeResponse(resp) => return self.on_probe_response(now, &resp).map(|()| None),
            Body::ProbeRequest(_) => return Err(PacketError::UnexpectedOpcode),
            _ => {}
        }
        if packet.dest_conn != self.local {
            return Err(PacketError::WrongConnection);
        }
        // A twin of `Packet::emit`'s match on `Body::Data` (deliberate): each
        // takes the fields it uses by name.
        match packet.body {
            Body::Data {
                psn,
                ack_req,
                trim,
                data,
                payload,
            } => {
                let payload_start = received.len().saturating_sub(payload.len());
                let arrival = Arrival {
                    now,
                    ce: ecn_ce,
                    psn,
                    ack_req,
                    trim,
                    payload_start,
                };
                self.on_data(&arrival, &data, payload.len())
            }
            Body::Sack(sack) => self.on_sack(now, &sack).map(|()| None),
            Body::Nack(nack) => self.on_nack(now, &nack).map(|()| None),
            Body::ConnectAccept(accept) => self.on_accept(&accept).map(|()| None),
            Body::ConnectReject(reject) => match self.state {
                ConnState::Connecting if reject.echo_psn == self.initial_psn => {
                    self.close_with(CloseReason::Rejected(reject.reason));
                    Ok(None)
                }
                ConnState::Connecting => Err(PacketError::BadEcho),
                _ => Err(PacketError::UnexpectedOpcode),
            },
            // A reset ends the connection only with the PSN its sender
            // would send next, which this end's receive window bounds:
            // before the handshake there is none to check, and none is
            // honoured (the request's retries end in a reject instead).
            Body::Reset(reset) => match self.state {
                ConnState::Connecting => Err(PacketError::UnexpectedOpcode),
                _ if !self.rx_window.admits_next(reset.psn) => Err(PacketError::PsnOutOfWindow),
                _ => {
                    self.close_with(CloseReason::PeerReset(reset.reason));
                    Ok(None)
                }
            },
            Body::ConnectRequest(_) | Body::ProbeRequest(_) | Body::ProbeResponse(_) => {
                Err(PacketError::UnexpectedOpcode)
            }
        }
    }

    /// The first packet from the initiator completes a half-open
    /// connection; data and SACKs are refused before the handshake.
    pub(super) fn require_established(&mut self) -> Result<(), PacketError> {
        match self.state {
            ConnState::Accepting => {
                self.establish();
                Ok(())
            }
            ConnState::Established | ConnState::Closing => Ok(()),
            ConnState::Connecting | ConnState::Closed(_) => Err(PacketError::UnexpectedOpcode),
        }
    }

    /// Queue a NACK; when the queue is full it is dropped (the sender's
    /// ACK timeout covers the packet).
    fn queue_nack(&mut self, code: NackCode, psn: Psn, ev: u16) {
        if let Some(slot) = self.control.nacks.iter_mut().find(|n| n.is_none()) {
            *slot = Some(PendingNack { code, psn, ev });
        }
    }

    fn on_data(
        &mut self,
        arrival: &Arrival,
        data: &DataRepr,
        payload_len: usize,
    ) -> Result<Option<Placement>, PacketError> {
        // Validated before anything changes: a half-open responder
        // establishes only on a new in-window PSN from the initiator.
        let accepting = match self.state {
            ConnState::Accepting => true,
            ConnState::Established | ConnState::Closing => false,
            ConnState::Connecting | ConnState::Closed(_) => {
                return Err(PacketError::UnexpectedOpcode)
            }
        };
        let len = u32::try_from(payload_len).map_err(|_| PacketError::BadLength)?;
        if data.msg_len > self.cfg.max_message_len || len > u32::from(self.cfg.max_payload) {
            return Err(PacketError::BadLength);
        }
        match self.rx_window.check(&self.rx_psns, arrival.psn) {
            RxPsn::OutOfWindow | RxPsn::Duplicate if accepting => {
                return Err(PacketError::PsnOutOfWindow)
            }
            RxPsn::OutOfWindow => {
                // Ahead of a window the peer may have been told was wider
                // (dynamic MPR narrows it): NACKed, so it waits. Further
                // ahead than our widest window no sender of ours can be,
                // and a NACK would only reflect a forger's packet at the
                // peer (as TCP answers only near-window segments).
                let ahead = self.rx_window.next().distance_to(arrival.psn);
                if ahead > 0 && ahead.unsigned_abs() <= self.cfg.rx_window() {
                    self.queue_nack(NackCode::PsnOutOfWindow, arrival.psn, data.ev_index);
                }
                return Err(PacketError::PsnOutOfWindow);
            }
            RxPsn::Duplicate => {
                self.stats.duplicates = self.stats.duplicates.saturating_add(1);
                self.note_arrival(arrival, data, true);
                return Ok(None);
            }
            RxPsn::New => self.require_established()?,
        }
        match arrival.trim {
            Trim::None => {}
            Trim::Trimmed | Trim::TrimmedLastHop => {
                let code = if arrival.trim == Trim::Trimmed {
                    NackCode::Trimmed
                } else {
                    NackCode::TrimmedLastHop
                };
                self.queue_nack(code, arrival.psn, data.ev_index);
                return Ok(None);
            }
        }
        let slots = messages::usable_slots(self.messages.len());
        if data.msn.wrapping_sub(self.rx.msg_base) >= slots {
            self.queue_nack(NackCode::NoResource, arrival.psn, data.ev_index);
            return Err(PacketError::MessageOutOfWindow);
        }
        let wimm_full = self.rx.wimm_open >= self.cfg.max_wimm;
        let slot = self
            .messages
            .get_mut(messages::slot_of(data.msn, slots))
            .ok_or(PacketError::MessageOutOfWindow)?;
        let mut rx = slot.rx;
        if !rx.started() {
            if data.immediate.is_some() && wimm_full {
                self.queue_nack(NackCode::NoResource, arrival.psn, data.ev_index);
                return Err(PacketError::WimmExceeded);
            }
            if !self.rx.credit.fits(data.msn, data.msg_len) {
                self.queue_nack(NackCode::NoResource, arrival.psn, data.ev_index);
                return Err(PacketError::NoRoom);
            }
            rx = messages::RxMessage::first(data.msg_len, data.immediate);
        } else if rx.len != data.msg_len || rx.imm() != data.immediate {
            return Err(PacketError::BadLength);
        }
        rx.placed = rx
            .placed
            .checked_add(len)
            .filter(|placed| *placed <= rx.len)
            .ok_or(PacketError::BadOffset)?;
        let started = !slot.rx.started();
        let started_wimm = started && rx.imm().is_some();
        slot.rx = rx;
        if started {
            self.rx.credit.begin(data.msg_len);
        }
        if started_wimm {
            self.rx.wimm_open = self.rx.wimm_open.saturating_add(1);
        }
        self.rx_window.record(&mut self.rx_psns, arrival.psn);
        self.stats.packets_received = self.stats.packets_received.saturating_add(1);
        self.stats.bytes_received = self.stats.bytes_received.saturating_add(u64::from(len));
        self.note_arrival(arrival, data, false);
        Ok(Some(Placement {
            msg: MsgId(data.msn),
            msg_len: data.msg_len,
            offset: data.offset,
            payload_start: arrival.payload_start,
            len,
        }))
    }

    /// SACK bookkeeping for an accepted or duplicate data packet: a
    /// duplicate is acked at once, so that the sender stops resending it.
    fn note_arrival(&mut self, arrival: &Arrival, data: &DataRepr, duplicate: bool) {
        let trigger = AckTrigger {
            psn: arrival.psn,
            ev: data.ev_index,
            timestamp: data.timestamp,
            arrived: arrival.now,
        };
        self.ack.on_data(
            arrival.now,
            trigger,
            arrival.ce,
            arrival.ack_req || duplicate,
            &self.cfg,
        );
    }
}

/// What the receive path needs to know about one arriving data packet.
struct Arrival {
    now: u64,
    ce: bool,
    psn: Psn,
    ack_req: bool,
    trim: Trim,
    payload_start: usize,
}
