//! Sent-record storage that grows with the send window: a connection may
//! start with few records (an idle connection then costs little) and be
//! handed more once the records, not the peer's window or the congestion
//! window, are what holds its sending back.

use super::{sent, Connection, SentPacket, Storage, MPR_UNIT};

impl<T: Storage> Connection<T> {
    /// More sent records, when the connection could use them now: twice
    /// its current (usable) ones when every one of them is in flight and
    /// the peer's negotiated window allows more. A caller that grows hands
    /// storage of that length to [`Connection::replace_sent`].
    pub fn sent_records_wanted(&self) -> Option<usize> {
        let slots = self.tx.slots;
        let peer = u32::from(self.tx.peer_mpr_max)
            .saturating_mul(MPR_UNIT)
            .checked_next_power_of_two()
            .unwrap_or(1 << 31);
        let full = self.tx.una.forward_to(self.tx.nxt) >= slots;
        if !full || slots >= peer {
            return None;
        }
        let wanted = slots.saturating_mul(2).min(peer);
        let usable = sent::usable_slots(usize::try_from(wanted).unwrap_or(usize::MAX));
        (usable > slots).then_some(usable as usize)
    }

    /// Moves the sent records into `new` and returns the storage they
    /// leave; `new` comes back as the error if its usable records cannot
    /// hold the PSNs in flight.
    pub fn replace_sent(&mut self, mut new: T::Sent) -> Result<T::Sent, T::Sent> {
        let slots = sent::usable_slots(new.len());
        let span = self.tx.una.forward_to(self.tx.nxt);
        if slots == 0 || span > slots {
            return Err(new);
        }
        new.iter_mut().for_each(|r| *r = SentPacket::default());
        for step in 0..span {
            let psn = self.tx.una.wrapping_add(step);
            let record = self.sent.get(sent::slot_of(psn, self.tx.slots)).copied();
            if let (Some(record), Some(to)) = (record, new.get_mut(sent::slot_of(psn, slots))) {
                *to = record;
            }
        }
        self.tx.slots = slots;
        Ok(core::mem::replace(&mut self.sent, new))
    }
}
