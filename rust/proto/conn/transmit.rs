//! Output: the next packet to send. Control first (handshake, NACKs, the
//! SACK due, probes), then retransmissions, then new data, within the PSN
//! window (peer MPR × 128, bounded by the sent-record storage) and the NSCC
//! congestion window.

use super::credit::Start;
use super::{messages, sent, ConnState, Connection, MsgId, SentPacket, SentState, Storage};
use crate::proto::psn::Psn;
use crate::proto::wire::{
    BaseRepr, Body, ConnNumber, ConnectAcceptRepr, ConnectRequestRepr, DataKind, DataRepr,
    NackRepr, Packet, ProbeRequestRepr, ResetRepr, SackRepr, Trim, PAYLOAD_STAND_IN,
};

/// The payload bytes a data packet carries: the caller copies them from its
/// copy of the message right after the headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayloadRange {
    /// The message.
    pub msg: MsgId,
    /// First byte within the message.
    pub offset: u32,
    /// Number of bytes.
    pub len: u32,
}

/// A packet to send, from [`Connection::poll_transmit`]: its headers are in
/// `buf[..header_len]`; a data packet's payload follows them on the wire
/// (the caller appends it, in the same buffer or as separate fragments), so
/// the packet is `header_len + payload.len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// EV index (path) to send it on.
    pub ev: u16,
    /// Bytes of headers written at the start of the buffer.
    pub header_len: usize,
    /// Payload the caller appends, for data packets.
    pub payload: Option<PayloadRange>,
}

/// Room [`Connection::poll_transmit`] needs in its buffer: the largest
/// headers of any packet it emits (base header and SACK). Payload bytes are
/// not written by the core, so the buffer may hold the headers only.
pub const MAX_HEADER_LEN: usize = BaseRepr::LEN + SackRepr::LEN;

/// One data packet about to be emitted.
struct DataOut {
    psn: Psn,
    msg: u32,
    offset: u32,
    len: u32,
    ev: u16,
    ack_req: bool,
    /// Transmission stamp (see `SendState::last_stamp`).
    stamp: u64,
}

impl<T: Storage> Connection<T> {
    /// The next packet to send, its headers written into `buf` (at least
    /// [`MAX_HEADER_LEN`] bytes; see [`Transmit`]), or `None` when nothing
    /// may go now. `rand` is fresh randomness for the
    /// spraying. Call it until it returns `None` after every input.
    pub fn poll_transmit(&mut self, now: u64, rand: u32, buf: &mut [u8]) -> Option<Transmit> {
        match self.state {
            ConnState::Closed(_) => return self.transmit_reset(now, rand, buf),
            ConnState::Connecting => return self.transmit_connect_request(now, rand, buf),
            ConnState::Accepting => return self.transmit_accept(now, rand, buf),
            ConnState::Established | ConnState::Closing => {}
        }
        if let Some(t) = self.transmit_accept(now, rand, buf) {
            return Some(t);
        }
        if let Some(t) = self.transmit_nack(now, rand, buf) {
            return Some(t);
        }
        if let Some(t) = self.transmit_sack(now, rand, buf) {
            return Some(t);
        }
        if let Some(t) = self.transmit_probe(now, buf) {
            return Some(t);
        }
        if let Some(t) = self.transmit_retransmission(now, rand, buf) {
            return Some(t);
        }
        let data = self.transmit_new_data(now, rand, buf);
        if data.is_none() {
            // The window released no more: the next packet starts a new
            // burst, so a burst is at most what one drain of the window
            // sends (a few packets per SACK on an ack-clocked path).
            self.paths.end_burst();
        }
        data
    }

    /// An EV for a control packet: `preferred` if it is one of ours, else
    /// the spraying's pick, else EV 0.
    pub(super) fn control_ev(&mut self, now: u64, rand: u32, preferred: Option<u16>) -> u16 {
        match preferred {
            Some(ev) if ev < self.paths.ev_count() => ev,
            _ => self.paths.choose(now, rand, None).unwrap_or(0),
        }
    }

    /// Emits a header-only packet; `None` (and nothing sent) if `buf` is
    /// too small.
    fn emit_control(
        &mut self,
        buf: &mut [u8],
        dest_conn: ConnNumber,
        body: Body<'_>,
        ev: u16,
    ) -> Option<Transmit> {
        let packet = Packet {
            pkey: self.cfg.pkey,
            dest_conn,
            body,
        };
        let header_len = packet.emit(buf).ok()?;
        Some(Transmit {
            ev,
            header_len,
            payload: None,
        })
    }

    fn transmit_reset(&mut self, now: u64, rand: u32, buf: &mut [u8]) -> Option<Transmit> {
        let reason = self.control.reset?;
        let ev = self.control_ev(now, rand, None);
        let t = self.emit_control(
            buf,
            self.peer,
            Body::Reset(ResetRepr {
                reason,
                psn: self.tx.nxt,
            }),
            ev,
        )?;
        self.control.reset = None;
        Some(t)
    }

    // A deliberate twin of `transmit_accept`: the request and the accept are
    // separate extensions whose first fields match.
    fn transmit_connect_request(
        &mut self,
        now: u64,
        rand: u32,
        buf: &mut [u8],
    ) -> Option<Transmit> {
        if !self.control.connect_request {
            return None;
        }
        let request = ConnectRequestRepr {
            initiator_conn: self.local,
            initial_psn: self.initial_psn,
            mpr: u16::from(self.cfg.mpr),
            max_wimm: self.cfg.max_wimm,
            dest_port: self.dest_port,
            dynamic_mpr: self.cfg.dynamic_mpr,
            ev_profile: self.cfg.ev_profile,
            cc_profile: self.cfg.cc_profile,
        };
        let ev = self.control_ev(now, rand, None);
        let t = self.emit_control(buf, ConnNumber::NONE, Body::ConnectRequest(request), ev)?;
        self.control.connect_request = false;
        self.arm_handshake_timer(now);
        Some(t)
    }

    // A deliberate twin of `transmit_connect_request`: the request and the
    // accept are separate extensions whose first fields match.
    fn transmit_accept(&mut self, now: u64, rand: u32, buf: &mut [u8]) -> Option<Transmit> {
        if !self.control.connect_accept {
            return None;
        }
        let accept = ConnectAcceptRepr {
            responder_conn: self.local,
            initial_psn: self.initial_psn,
            mpr: u16::from(self.cfg.mpr),
            max_wimm: self.cfg.max_wimm,
            dynamic_mpr: self.dynamic_mpr,
            echo_psn: self.peer_initial_psn,
        };
        let ev = self.control_ev(now, rand, None);
        let t = self.emit_control(buf, self.peer, Body::ConnectAccept(accept), ev)?;
        self.control.connect_accept = false;
        if self.state == ConnState::Accepting {
            self.arm_handshake_timer(now);
        }
        Some(t)
    }

    fn transmit_nack(&mut self, now: u64, rand: u32, buf: &mut [u8]) -> Option<Transmit> {
        let slot = self.control.nacks.iter().position(Option::is_some)?;
        let nack = self.control.nacks.get(slot).copied().flatten()?;
        let ev = self.control_ev(now, rand, Some(nack.ev));
        let repr = NackRepr {
            code: nack.code,
            psn: nack.psn,
            ev_index: nack.ev,
        };
        let t = self.emit_control(buf, self.peer, Body::Nack(repr), ev)?;
        if let Some(entry) = self.control.nacks.get_mut(slot) {
            *entry = None;
        }
        self.stats.nacks_sent = self.stats.nacks_sent.saturating_add(1);
        Some(t)
    }

    fn transmit_sack(&mut self, now: u64, rand: u32, buf: &mut [u8]) -> Option<Transmit> {
        if !self.ack.is_due(now) {
            return None;
        }
        let credit = self.rx.credit.announce();
        let sack = self.ack.sack(
            now,
            &self.rx_window,
            &self.rx_psns,
            self.rx.advertised_mpr,
            credit,
        );
        let ev = self.control_ev(now, rand, self.ack.echo_ev());
        let t = self.emit_control(buf, self.peer, Body::Sack(sack), ev)?;
        self.ack.sent();
        self.stats.sacks_sent = self.stats.sacks_sent.saturating_add(1);
        Some(t)
    }

    fn transmit_probe(&mut self, now: u64, buf: &mut [u8]) -> Option<Transmit> {
        let ev = self.paths.poll_probe(now)?;
        let probe = ProbeRequestRepr {
            probe_id: self.local.get(),
            ev_index: ev,
            timestamp: now,
        };
        let t = self.emit_control(buf, ConnNumber::NONE, Body::ProbeRequest(probe), ev)?;
        self.stats.probes_sent = self.stats.probes_sent.saturating_add(1);
        Some(t)
    }

    /// Whether `len` more payload bytes fit the congestion window (one
    /// packet may always go when nothing is in flight).
    fn cwnd_allows(&self, len: u32) -> bool {
        self.tx.bytes_in_flight == 0
            || self.tx.bytes_in_flight.saturating_add(len) <= self.nscc.cwnd()
    }

    /// Full-sized packets the windows let go now: the PSN window's room
    /// beside `outstanding`, and the congestion window's in bytes (at
    /// least one packet, as [`cwnd_allows`](Self::cwnd_allows) lets one
    /// go when nothing is in flight).
    fn room(&self, window: u32, outstanding: u32) -> u32 {
        let bytes = self.nscc.cwnd().saturating_sub(self.tx.bytes_in_flight);
        let packets = bytes
            .checked_div(u32::from(self.cfg.max_payload))
            .unwrap_or(0)
            .max(1);
        packets.min(window.saturating_sub(outstanding))
    }

    /// PSNs the sender may have outstanding: the peer's MPR × 128, bounded
    /// by the sent-record storage.
    pub(super) fn send_window(&self) -> u32 {
        u32::from(self.tx.peer_mpr)
            .saturating_mul(super::MPR_UNIT)
            .min(self.tx.slots)
    }

    fn transmit_retransmission(&mut self, now: u64, rand: u32, buf: &mut [u8]) -> Option<Transmit> {
        if self.tx.lost == 0 {
            return None;
        }
        let span = self.tx.retx_cursor.forward_to(self.tx.nxt);
        let mut found = None;
        for step in 0..span {
            let psn = self.tx.retx_cursor.wrapping_add(step);
            let record = self.sent.get(sent::slot_of(psn, self.tx.slots))?;
            if record.state == SentState::Lost {
                found = Some((psn, *record));
                break;
            }
        }
        let Some((psn, record)) = found else {
            // The count and the records disagree only if a lost record was
            // acked meanwhile; resynchronise.
            self.tx.lost = 0;
            return None;
        };
        self.tx.retx_cursor = psn;
        if !self.cwnd_allows(record.len) {
            return None;
        }
        let ev = self.paths.choose(now, rand, Some(record.ev))?;
        let stamp = self.next_stamp(now);
        let out = DataOut {
            psn,
            msg: record.msg,
            offset: record.offset,
            len: record.len,
            ev,
            ack_req: true,
            stamp,
        };
        let t = self.emit_data(buf, &out)?;
        if let Some(r) = self.sent.get_mut(sent::slot_of(psn, self.tx.slots)) {
            r.state = SentState::InFlight;
            r.ev = ev;
            r.sent_at = stamp;
            r.transmissions = r.transmissions.saturating_add(1);
            r.overtaken_at = None;
        }
        self.tx.lost = self.tx.lost.saturating_sub(1);
        self.tx.retx_cursor = psn.next();
        self.after_data_sent(now, &out);
        self.stats.packets_retransmitted = self.stats.packets_retransmitted.saturating_add(1);
        self.stats.bytes_retransmitted = self
            .stats
            .bytes_retransmitted
            .saturating_add(u64::from(record.len));
        Some(t)
    }

    fn transmit_new_data(&mut self, now: u64, rand: u32, buf: &mut [u8]) -> Option<Transmit> {
        if self.tx.seg_msg == self.tx.msg_nxt {
            return None;
        }
        let window = self.send_window();
        let outstanding = self.tx.una.forward_to(self.tx.nxt);
        if outstanding >= window {
            return None;
        }
        let slots = messages::usable_slots(self.messages.len());
        let msg = self
            .messages
            .get(messages::slot_of(self.tx.seg_msg, slots))?
            .tx;
        let len = msg
            .len
            .saturating_sub(self.tx.seg_offset)
            .min(u32::from(self.cfg.max_payload));
        if !self.cwnd_allows(len) {
            return None;
        }
        if self.tx.seg_offset == 0 {
            let idle = self.tx.una == self.tx.nxt;
            let persist = self.rto_interval();
            match self
                .tx
                .credit
                .may_start(now, self.tx.seg_msg, msg.len, idle, persist)
            {
                Start::Go => {}
                Start::Wait => return None,
                Start::Probe => return self.transmit_credit_probe(now, rand, buf),
            }
        }
        let ev = self
            .paths
            .choose_in_burst(now, rand, self.room(window, outstanding))?;
        let end = self.tx.seg_offset.saturating_add(len);
        let window_full = outstanding.saturating_add(1) >= window
            || self
                .tx
                .bytes_in_flight
                .saturating_add(len)
                .saturating_add(u32::from(self.cfg.max_payload))
                > self.nscc.cwnd();
        let out = DataOut {
            psn: self.tx.nxt,
            msg: self.tx.seg_msg,
            offset: self.tx.seg_offset,
            len,
            ev,
            ack_req: end == msg.len || window_full,
            stamp: self.next_stamp(now),
        };
        let t = self.emit_data(buf, &out)?;
        if let Some(r) = self.sent.get_mut(sent::slot_of(out.psn, self.tx.slots)) {
            *r = SentPacket {
                state: SentState::InFlight,
                msg: out.msg,
                offset: out.offset,
                len,
                ev,
                sent_at: out.stamp,
                transmissions: 1,
                no_resource: false,
                overtaken_at: None,
            };
        }
        if out.offset == 0 {
            self.tx.credit.start(msg.len);
        }
        self.tx.nxt = self.tx.nxt.next();
        if end >= msg.len {
            self.tx.seg_msg = self.tx.seg_msg.wrapping_add(1);
            self.tx.seg_offset = 0;
        } else {
            self.tx.seg_offset = end;
        }
        self.after_data_sent(now, &out);
        Some(t)
    }

    /// A transmission stamp: `now`, or 1 ns past the previous stamp.
    fn next_stamp(&mut self, now: u64) -> u64 {
        let stamp = now.max(self.tx.last_stamp.saturating_add(1));
        self.tx.last_stamp = stamp;
        stamp
    }

    /// Accounting shared by new data and retransmissions.
    fn after_data_sent(&mut self, now: u64, out: &DataOut) {
        self.tx.bytes_in_flight = self.tx.bytes_in_flight.saturating_add(out.len);
        self.paths.on_send(out.ev, now, out.len);
        self.stats.packets_sent = self.stats.packets_sent.saturating_add(1);
        self.stats.bytes_sent = self.stats.bytes_sent.saturating_add(u64::from(out.len));
        if self.tx.rto_deadline.is_none() {
            self.tx.rto_deadline = self.rto_interval().map(|rto| now.saturating_add(rto));
        }
    }

    /// A credit probe (see `credit`): the last packet the peer acked,
    /// trimmed to its headers as a switch trims one. Every receiver
    /// answers a duplicate with a SACK at once, and the SACK carries its
    /// credit; the probe carries no data, so nothing waits to be refused
    /// and sent again. Only sent idle, when every PSN before `nxt` is
    /// acked and the last message before the waiting one is complete.
    fn transmit_credit_probe(&mut self, now: u64, rand: u32, buf: &mut [u8]) -> Option<Transmit> {
        let ev = self.control_ev(now, rand, None);
        let data = DataRepr {
            kind: DataKind::Only,
            msn: self.tx.seg_msg.wrapping_sub(1),
            offset: 0,
            msg_len: 0,
            ev_index: ev,
            timestamp: self.next_stamp(now),
            immediate: None,
        };
        let packet = Packet {
            pkey: self.cfg.pkey,
            dest_conn: self.peer,
            body: Body::Data {
                psn: self.tx.nxt.wrapping_sub(1),
                ack_req: true,
                trim: Trim::TrimmedLastHop,
                data,
                payload: &[],
            },
        };
        let header_len = packet.emit(buf).ok()?;
        self.stats.credit_probes = self.stats.credit_probes.saturating_add(1);
        Some(Transmit {
            ev,
            header_len,
            payload: None,
        })
    }

    // A deliberate twin of the test harness's `Forge::bytes`, which forges data
    // packets independently of this code.
    /// Writes a data packet's headers; `None` if `buf` cannot hold them and
    /// the payload.
    fn emit_data(&mut self, buf: &mut [u8], out: &DataOut) -> Option<Transmit> {
        let slots = messages::usable_slots(self.messages.len());
        let msg = self.messages.get(messages::slot_of(out.msg, slots))?.tx;
        let end = out.offset.saturating_add(out.len);
        let kind = DataKind::of_segment(out.offset, end, msg.len);
        let data = DataRepr {
            kind,
            msn: out.msg,
            offset: out.offset,
            msg_len: msg.len,
            ev_index: out.ev,
            timestamp: out.stamp,
            immediate: msg.imm,
        };
        // The wire checks the payload length against the offset and message
        // length but writes only headers: a stand-in of the right length
        // lets it check, and the caller supplies the real bytes.
        let payload = PAYLOAD_STAND_IN.get(..usize::try_from(out.len).ok()?)?;
        let packet = Packet {
            pkey: self.cfg.pkey,
            dest_conn: self.peer,
            body: Body::Data {
                psn: out.psn,
                ack_req: out.ack_req,
                trim: Trim::None,
                data,
                payload,
            },
        };
        let written = packet.emit(buf).ok()?;
        Some(Transmit {
            ev: out.ev,
            header_len: written,
            payload: Some(PayloadRange {
                msg: MsgId(out.msg),
                offset: out.offset,
                len: out.len,
            }),
        })
    }
}
