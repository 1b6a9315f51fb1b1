//! The controller's EV probes (the `probe` netlink command): a batch of
//! probe requests toward one host, registered under a probe id taken from
//! the connection numbers' space (a connection's probes carry its number),
//! so that the endpoint's work hands each reply to the batch, and the
//! caller's wait for the replies.

use super::{Endpoint, Recipient};
use crate::ffi::errno;
use crate::ffi::route::Route;
use crate::proto::wire::{Body, ConnNumber, Packet, ProbeRequestRepr, ProbeResponseRepr};
use kernel::prelude::*;
use kernel::rbtree::RBTreeNodeReservation;
use kernel::sync::{new_condvar, new_mutex, Arc, CondVar, CondVarTimeoutResult, Mutex};
use kernel::time::msecs_to_jiffies;

/// The pkey of a controller's probes (no connection's).
const PROBE_PKEY: u16 = 0xFFFF;

/// The probed EVs, each with its RTT once its reply came.
struct Replies {
    evs: KVec<(u16, Option<u64>)>,
    /// EVs still without a reply.
    waiting: usize,
    /// When the batch started: earlier timestamps are not its probes'.
    since: u64,
}

/// One batch of probes and its replies.
#[pin_data]
pub(crate) struct ProbeBatch {
    #[pin]
    replies: Mutex<Replies>,
    #[pin]
    answered: CondVar,
}

impl ProbeBatch {
    /// A batch probing `evs` (indexes of the caller's EV profile).
    pub(crate) fn new(evs: &[u16], now: u64) -> Result<Arc<Self>> {
        let mut list = KVec::with_capacity(evs.len(), GFP_KERNEL)?;
        for &ev in evs {
            list.push((ev, None), GFP_KERNEL)?;
        }
        Arc::pin_init(
            pin_init!(Self {
                replies <- new_mutex!(Replies {
                    evs: list,
                    waiting: evs.len(),
                    since: now,
                }),
                answered <- new_condvar!("ProbeBatch::answered"),
            }),
            GFP_KERNEL,
        )
    }

    /// A reply for this batch arrived at `now`.
    fn on_response(&self, r: &ProbeResponseRepr, now: u64) {
        let mut g = self.replies.lock();
        if r.timestamp_echo < g.since || r.timestamp_echo > now {
            return;
        }
        let rtt = now
            .saturating_sub(r.timestamp_echo)
            .saturating_sub(u64::from(r.service_time));
        let mut matched: usize = 0;
        for (_, slot) in g
            .evs
            .iter_mut()
            .filter(|(ev, slot)| *ev == r.ev_index && slot.is_none())
        {
            *slot = Some(rtt);
            matched = matched.saturating_add(1);
        }
        g.waiting = g.waiting.saturating_sub(matched);
        if g.waiting == 0 {
            self.answered.notify_all();
        }
    }

    /// Waits until every EV answered or `ms` passed; returns each EV with
    /// its RTT (`None`: no reply in time). EINTR on a signal.
    pub(crate) fn wait(&self, ms: u32) -> Result<KVec<(u16, Option<u64>)>> {
        let mut left = msecs_to_jiffies(ms);
        let mut g = self.replies.lock();
        while g.waiting != 0 {
            match self.answered.wait_interruptible_timeout(&mut g, left) {
                CondVarTimeoutResult::Timeout => break,
                CondVarTimeoutResult::Signal { .. } => return Err(EINTR),
                CondVarTimeoutResult::Woken { jiffies } => left = jiffies,
            }
        }
        let mut out = KVec::with_capacity(g.evs.len(), GFP_KERNEL)?;
        for e in g.evs.iter() {
            out.push(*e, GFP_KERNEL)?;
        }
        Ok(out)
    }
}

impl<S: Recipient> Endpoint<S> {
    /// Registers `batch` under a fresh probe id, unused by connections.
    pub(crate) fn add_probe(&self, batch: Arc<ProbeBatch>) -> Result<u32> {
        let slot = RBTreeNodeReservation::new(GFP_KERNEL)?;
        let mut t = self.tables.lock();
        let id = t.fresh_number().ok_or_else(errno::eaddrnotavail)?.get();
        t.probes.insert(slot.into_node(id, batch));
        Ok(id)
    }

    /// Forgets probe id `id`: later replies are counted as unexpected.
    pub(crate) fn remove_probe(&self, id: u32) {
        let old = self.tables.lock().probes.remove(&id);
        drop(old);
    }

    /// Sends the probe request of batch `id` for EV `ev` along `route`.
    pub(crate) fn send_probe(&self, route: &mut Route<'_>, id: u32, ev: u16, now: u64) -> Result {
        // A deliberate twin of the probe request proto/conn/tests/loss.rs
        // forges independently of this code.
        let request = Packet {
            pkey: PROBE_PKEY,
            dest_conn: ConnNumber::NONE,
            body: Body::ProbeRequest(ProbeRequestRepr {
                probe_id: id,
                ev_index: ev,
                timestamp: now,
            }),
        };
        self.sending(|s| {
            s.send(route, request.header_len(), |buf| {
                request.emit(buf).map(|_| ()).map_err(|_| EINVAL)
            })
        })
    }

    /// Hands a probe response to the batch it answers; `false` if none
    /// waits for it.
    pub(super) fn answer_batch(&self, r: &ProbeResponseRepr) -> bool {
        let batch = self.tables.lock().probes.get(&r.probe_id).cloned();
        match batch {
            Some(b) => {
                b.on_response(r, crate::clock::now_ns());
                true
            }
            None => false,
        }
    }
}
