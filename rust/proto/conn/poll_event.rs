//! [`Connection::poll_event`]: the next [`ConnEvent`] for the application,
//! in a fixed order (connection up, EV transitions, messages sent, messages
//! received, the close), taken from the connection's state rather than
//! queued, so none can be lost. What each event means: `event.rs`.
//!
//! [`ConnEvent`]: super::ConnEvent

use super::{messages, ConnEvent, ConnState, Connection, MsgId, Storage};

impl<T: Storage> Connection<T> {
    /// The next event for the caller, if any: connection up, EV transitions,
    /// messages sent and received (each in message order), then the close.
    pub fn poll_event(&mut self) -> Option<ConnEvent> {
        if self.connected_pending {
            self.connected_pending = false;
            return Some(ConnEvent::Connected);
        }
        if let Some(ev) = self.paths.poll_event() {
            return Some(ConnEvent::Path(ev));
        }
        if let Some(msg) = self.pop_sent_message() {
            return Some(ConnEvent::MessageSent { msg });
        }
        if let Some(event) = self.pop_received_message() {
            return Some(event);
        }
        match self.state {
            ConnState::Closed(reason) if !self.closed_reported => {
                self.closed_reported = true;
                Some(ConnEvent::Closed(reason))
            }
            _ => None,
        }
    }

    /// The oldest outgoing message, if all its packets are acked.
    fn pop_sent_message(&mut self) -> Option<MsgId> {
        if self.tx.msg_una == self.tx.msg_nxt {
            return None;
        }
        let slots = messages::usable_slots(self.messages.len());
        let id = self.tx.msg_una;
        let slot = self.messages.get_mut(messages::slot_of(id, slots))?;
        if slot.tx.packets_left != 0 {
            return None;
        }
        if slot.tx.imm.is_some() {
            self.tx.wimm_open = self.tx.wimm_open.saturating_sub(1);
        }
        slot.tx = messages::TxMessage::default();
        self.tx.msg_una = id.wrapping_add(1);
        self.stats.messages_sent = self.stats.messages_sent.saturating_add(1);
        Some(MsgId(id))
    }

    /// The oldest incoming message, if every byte of it was placed.
    fn pop_received_message(&mut self) -> Option<ConnEvent> {
        let slots = messages::usable_slots(self.messages.len());
        let id = self.rx.msg_base;
        let slot = self.messages.get_mut(messages::slot_of(id, slots))?;
        if !slot.rx.started() || slot.rx.placed != slot.rx.len {
            return None;
        }
        let event = ConnEvent::MessageReceived {
            msg: MsgId(id),
            len: slot.rx.len,
            imm: slot.rx.imm(),
        };
        if slot.rx.imm().is_some() {
            self.rx.wimm_open = self.rx.wimm_open.saturating_sub(1);
        }
        slot.rx = messages::RxMessage::default();
        self.rx.msg_base = id.wrapping_add(1);
        self.stats.messages_received = self.stats.messages_received.saturating_add(1);
        Some(event)
    }
}
