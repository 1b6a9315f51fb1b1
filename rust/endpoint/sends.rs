//! A run of sends from the namespace's tunnel socket: the tunnel held once
//! for the run, bottom halves off until it ends (`Tunnel::sending`), and
//! every packet counted.

use super::mib::{Counters, Mib};
use crate::ffi::errno;
use crate::ffi::route::Route;
use crate::ffi::udp::{Sender, TxBatch};
use kernel::prelude::*;

/// The sends of one run ([`Endpoint::sending`](super::Endpoint::sending)).
pub(crate) struct Sends<'a> {
    pub(super) counters: &'a Counters,
    /// The tunnel's sender; `None` while the namespace has no tunnel.
    pub(super) tx: Option<&'a Sender<'a>>,
}

impl<'a> Sends<'a> {
    // A deliberate twin of ffi/udp.rs's `Sender::send` signature: this one
    // counts the packet and hands it on to the tunnel's sender.
    /// Sends one packet of `len` bytes, written by `fill`.
    pub(crate) fn send(
        &self,
        route: &mut Route<'_>,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result,
    ) -> Result {
        self.counted(1, |tx| tx.send(route, len, fill))
    }

    /// Sends the packets of `batch` as one UDP GSO batch (a batch of one
    /// leaves as a plain datagram and is not counted as a batch).
    pub(crate) fn send_batch(&self, route: &mut Route<'_>, batch: TxBatch) -> Result {
        let (segs, by_reference) = (batch.segs(), batch.by_reference());
        let sent = self.counted(segs, |tx| tx.send_batch(route, batch));
        if sent.is_ok() && segs > 1 {
            self.counters.inc(Mib::OutGsoBatches);
            if by_reference {
                self.counters.inc(Mib::OutGsoBatchesByRef);
            }
        }
        sent
    }

    /// Hands `packets` packets to the tunnel's sender through `send`
    /// (`ENETDOWN` without a tunnel) and counts them as sent or failed.
    fn counted(&self, packets: usize, send: impl FnOnce(&Sender<'a>) -> Result) -> Result {
        let sent = self.tx.map_or_else(|| Err(errno::enetdown()), send);
        let mib = if sent.is_ok() {
            Mib::OutPackets
        } else {
            Mib::OutErrors
        };
        self.counters.add(mib, packets as u64);
        sent
    }
}
