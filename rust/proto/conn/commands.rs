//! Application commands: queue a message (within the message slots and
//! WIMM), close gracefully once everything is acked, or reset.

use super::recv::AckState;
use super::retry::EXP_CNT_INFINITE;
use super::{messages, CloseReason, ConnState, Connection, Control, MsgId, SendError, Storage};
use crate::proto::wire::ResetReason;

impl<T: Storage> Connection<T> {
    /// Whether new data may be handed to the connection.
    fn accepts_messages(&self) -> bool {
        matches!(
            self.state,
            ConnState::Connecting | ConnState::Accepting | ConnState::Established
        )
    }

    /// Queue a message of `len` bytes (with immediate `imm`, making it a
    /// Write-with-Immediate) for transmission. The bytes stay with the
    /// caller until [`ConnEvent::MessageSent`](super::ConnEvent::MessageSent)
    /// for the returned id.
    pub fn send_message(&mut self, len: u32, imm: Option<u32>) -> Result<MsgId, SendError> {
        if !self.accepts_messages() {
            return Err(SendError::Closed);
        }
        if len > self.cfg.max_message_len {
            return Err(SendError::TooLong);
        }
        let slots = messages::usable_slots(self.messages.len());
        if self.tx.msg_nxt.wrapping_sub(self.tx.msg_una) >= slots {
            return Err(SendError::QueueFull);
        }
        if imm.is_some() && self.tx.wimm_open >= self.wimm_limit() {
            return Err(SendError::WimmLimit);
        }
        let id = self.tx.msg_nxt;
        let slot = self
            .messages
            .get_mut(messages::slot_of(id, slots))
            .ok_or(SendError::QueueFull)?;
        slot.tx = messages::TxMessage {
            len,
            imm,
            packets_left: packets_for(len, self.cfg.max_payload),
        };
        self.tx.msg_nxt = id.wrapping_add(1);
        if imm.is_some() {
            self.tx.wimm_open = self.tx.wimm_open.saturating_add(1);
        }
        Ok(MsgId(id))
    }

    /// WIMM as a sender: our own limit and the peer's, whichever is lower.
    fn wimm_limit(&self) -> u16 {
        match self.state {
            ConnState::Connecting => self.cfg.max_wimm,
            _ => self.cfg.max_wimm.min(self.tx.peer_max_wimm),
        }
    }

    /// Close gracefully: no new messages; once every message sent is acked
    /// the connection sends a reset that tells the peer it is finished, and
    /// closes with [`CloseReason::Finished`].
    pub fn close(&mut self) {
        if matches!(self.state, ConnState::Established) {
            self.state = ConnState::Closing;
            self.maybe_finish();
        } else if !matches!(self.state, ConnState::Closed(_) | ConnState::Closing) {
            self.close_with(CloseReason::LocalReset);
        }
    }

    /// Bounds the retries left to a connection nobody will read from any
    /// more (its socket was closed): at most `exp_cnt` doublings, where it
    /// had more or retried for ever, as TCP bounds its orphans by
    /// `tcp_orphan_retries`.
    pub fn limit_retries(&mut self, exp_cnt: u8) {
        let retry = &mut self.cfg.retry;
        if retry.exp_cnt == EXP_CNT_INFINITE || retry.exp_cnt > exp_cnt {
            retry.exp_cnt = exp_cnt;
        }
    }

    /// Abort: send a reset and close with [`CloseReason::LocalReset`].
    pub fn reset(&mut self) {
        if !matches!(self.state, ConnState::Closed(_)) {
            self.close_with(CloseReason::LocalReset);
        }
    }

    /// Closes a closing connection once everything sent is acked.
    pub(super) fn maybe_finish(&mut self) {
        let all_acked = self.tx.una == self.tx.nxt && self.tx.seg_msg == self.tx.msg_nxt;
        if self.state == ConnState::Closing && all_acked {
            self.close_with(CloseReason::Finished);
        }
    }

    /// Enters `Closed(reason)`; tells the peer with a reset unless the peer
    /// is the one that ended it.
    pub(super) fn close_with(&mut self, reason: CloseReason) {
        let reset = match reason {
            _ if self.peer.is_none() => None,
            CloseReason::PeerReset(_) | CloseReason::Rejected(_) => None,
            CloseReason::Finished => Some(ResetReason::Finished),
            CloseReason::LocalReset => Some(ResetReason::Aborted),
            CloseReason::RetriesExhausted => Some(ResetReason::RetryExceeded),
            CloseReason::ProtocolError => Some(ResetReason::ProtocolError),
        };
        self.control = Control {
            reset,
            ..Control::default()
        };
        self.ack = AckState::default();
        self.tx.rto_deadline = None;
        self.tx.rack_deadline = None;
        self.state = ConnState::Closed(reason);
    }
}

/// Packets a message of `len` bytes takes at `max_payload` per packet (an
/// empty message still takes one).
fn packets_for(len: u32, max_payload: u16) -> u32 {
    len.div_ceil(u32::from(max_payload.max(1))).max(1)
}
