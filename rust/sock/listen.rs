//! A listening socket's state: the core's listener (backlog, refusals),
//! the connect requests it answered (not yet connections), and its
//! children, half-open then ready for accept(2).

use super::{Endpoint, MrcSock};
use crate::endpoint::Mib;
use crate::ffi::route::{Ipv6Addr, Route};
use crate::ffi::skb::Datagram;
use crate::proto::conn::{AcceptParams, AnsweredRequest, AnsweredTimeout, Listener, RetryPolicy};
use kernel::prelude::*;
use kernel::rbtree::RBTree;
use kernel::sync::Arc;

pub(crate) use crate::endpoint::Origin;

/// A connect request answered without a connection (the core's
/// [`AnsweredRequest`]), and the way its accepts go back: from the
/// address it was sent to, with the UDP source port and flow label it
/// came with.
pub(crate) struct Answered {
    pub(crate) core: AnsweredRequest,
    pub(crate) origin: Origin,
    pub(crate) local: Ipv6Addr,
    src_port: u16,
    flow_label: u32,
}

impl Answered {
    /// `core`, for the request `dgram` carried from `origin`.
    pub(crate) fn new(core: AnsweredRequest, origin: Origin, dgram: &Datagram) -> Self {
        Self {
            core,
            origin,
            local: dgram.dst(),
            src_port: dgram.src_port(),
            flow_label: dgram.flow_label(),
        }
    }

    /// Sends its accept (again).
    pub(crate) fn send_accept(&self, ep: &Endpoint, params: AcceptParams) {
        let mut buf = [0u8; 64];
        let Ok(len) = self.core.emit_accept(params, &mut buf) else {
            return;
        };
        // A lost accept is covered by its resends and the initiator's
        // repeated requests.
        ep.send_bytes(
            &mut Route {
                src: &self.local,
                dst: &self.origin.0,
                src_port: self.src_port,
                flow_label: self.flow_label,
                via: None,
                cache: None,
            },
            buf.get(..len).unwrap_or(&[]),
        );
    }
}

/// Entries by admission (the oldest is displaced, or accepted, first) and
/// by origin (a repeated request finds its entry): each step costs
/// O(log n), so that a flood of requests against a full set stays cheap.
pub(crate) struct ByOrigin<T> {
    by_age: RBTree<u64, (Origin, T)>,
    by_origin: RBTree<Origin, u64>,
    admitted: u64,
    len: usize,
}

impl<T> ByOrigin<T> {
    fn new() -> Self {
        Self {
            by_age: RBTree::new(),
            by_origin: RBTree::new(),
            admitted: 0,
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `entry`, which came from `origin`; EEXIST if an entry from
    /// `origin` is already here (one per origin, so that `find` and
    /// `remove` always see the one there is).
    pub(crate) fn push(&mut self, origin: Origin, entry: T) -> Result {
        if self.by_origin.get(&origin).is_some() {
            return Err(EEXIST);
        }
        let age = self.admitted;
        self.by_origin
            .try_create_and_insert(origin, age, GFP_KERNEL)?;
        if let Err(e) = self
            .by_age
            .try_create_and_insert(age, (origin, entry), GFP_KERNEL)
        {
            self.by_origin.remove(&origin);
            return Err(e);
        }
        self.admitted = self.admitted.wrapping_add(1);
        self.len = self.len.saturating_add(1);
        Ok(())
    }

    pub(crate) fn find(&self, origin: &Origin) -> Option<&T> {
        Some(&self.by_age.get(self.by_origin.get(origin)?)?.1)
    }

    /// Takes the entry from `origin`.
    pub(crate) fn take(&mut self, origin: &Origin) -> Option<T> {
        let age = self.by_origin.remove(origin)?;
        let (_, entry) = self.by_age.remove(&age)?;
        self.len = self.len.saturating_sub(1);
        Some(entry)
    }

    /// Takes the oldest entry.
    pub(crate) fn take_oldest(&mut self) -> Option<T> {
        let (_, oldest) = self.by_age.cursor_front()?.remove_current();
        let (_, (origin, entry)) = oldest.to_key_value();
        self.by_origin.remove(&origin);
        self.len = self.len.saturating_sub(1);
        Some(entry)
    }
}

impl ByOrigin<Arc<MrcSock>> {
    /// Removes `child` (from `origin`); whether it was there.
    pub(crate) fn remove(&mut self, origin: &Origin, child: &MrcSock) -> bool {
        if !self
            .find(origin)
            .is_some_and(|c| core::ptr::eq(&**c, child))
        {
            return false;
        }
        self.take(origin).is_some()
    }
}

/// Children of one listener.
pub(crate) struct Listen {
    pub(crate) listener: Listener,
    /// Connect requests answered, by admission and origin.
    pub(crate) answered: ByOrigin<Answered>,
    /// Their connection numbers: where each one's origin is.
    answered_numbers: RBTree<u32, Origin>,
    /// When the socket's timer is armed for their resends, if it is.
    pub(crate) timer_at: Option<u64>,
    /// Built from an answered request, handshake not complete.
    pub(crate) half_open: ByOrigin<Arc<MrcSock>>,
    /// Established, waiting for accept(2), in arrival order.
    pub(crate) ready: ByOrigin<Arc<MrcSock>>,
    /// Most connections `ready` may hold (the listen(2) backlog).
    pub(crate) backlog: usize,
}

impl Listen {
    /// A listener on `port` whose accept queue holds `backlog` connections
    /// and which holds `max_half_open` answered requests and half-open
    /// connections.
    pub(crate) fn new(port: u16, backlog: usize, max_half_open: u16) -> Self {
        Self {
            listener: Listener::new(port, max_half_open.max(1)),
            answered: ByOrigin::new(),
            answered_numbers: RBTree::new(),
            timer_at: None,
            half_open: ByOrigin::new(),
            ready: ByOrigin::new(),
            backlog: backlog.max(1),
        }
    }

    /// Keeps `answered`.
    pub(crate) fn push_answered(&mut self, answered: Answered) -> Result {
        let (n, origin) = (answered.core.responder_conn.get(), answered.origin);
        self.answered_numbers
            .try_create_and_insert(n, origin, GFP_KERNEL)?;
        if let Err(e) = self.answered.push(origin, answered) {
            self.answered_numbers.remove(&n);
            return Err(e);
        }
        Ok(())
    }

    /// Where the request answered with connection number `n` came from.
    pub(crate) fn answered_origin(&self, n: u32) -> Option<Origin> {
        self.answered_numbers.get(&n).copied()
    }

    /// Takes the request answered with connection number `n`.
    pub(crate) fn take_answered(&mut self, n: u32) -> Option<Answered> {
        let origin = self.answered_numbers.remove(&n)?;
        self.answered.take(&origin)
    }

    /// Makes room for a newer request (see `Listener`): the oldest
    /// answered request is forgotten, or else the oldest half-open child
    /// is returned for the caller to reset, without this socket's mutex.
    pub(crate) fn displace_oldest(&mut self, ep: &Endpoint) -> Option<Arc<MrcSock>> {
        ep.count(Mib::HalfOpenDisplaced);
        if let Some(a) = self.answered.take_oldest() {
            self.forget(ep, &a);
            return None;
        }
        self.half_open.take_oldest()
    }

    fn forget(&mut self, ep: &Endpoint, a: &Answered) {
        self.answered_numbers.remove(&a.core.responder_conn.get());
        ep.remove_answered(a.core.responder_conn);
    }

    /// At `now`, resends the accepts that are due (none while the set is
    /// at least half full, as Linux prunes its request queue: then only
    /// a repeated request is answered) and forgets the requests whose
    /// retries are used up; the next deadline, if any.
    pub(crate) fn on_timeout(
        &mut self,
        ep: &Endpoint,
        now: u64,
        retry: &RetryPolicy,
        params: AcceptParams,
    ) -> Option<u64> {
        let resend = !self.listener.at_least_half_full();
        let mut expired = KVec::new();
        let mut next: Option<u64> = None;
        for (_, (_, a)) in self.answered.by_age.iter_mut() {
            if a.core.deadline(retry) <= now {
                match a.core.on_timeout(now, retry) {
                    AnsweredTimeout::Resend if resend => a.send_accept(ep, params),
                    AnsweredTimeout::Resend => {}
                    // Without memory it stays, due at once again.
                    AnsweredTimeout::Expire if expired.push(a.origin, GFP_KERNEL).is_ok() => {
                        continue
                    }
                    AnsweredTimeout::Expire => {}
                }
            }
            let at = a.core.deadline(retry);
            next = Some(next.map_or(at, |n| n.min(at)));
        }
        for origin in expired.iter() {
            if let Some(a) = self.answered.take(origin) {
                self.forget(ep, &a);
                self.listener.half_open_done();
                ep.count(Mib::AnsweredExpired);
            }
        }
        next
    }

    /// Every child, for teardown; the answered requests are forgotten.
    pub(crate) fn drain(&mut self, ep: &Endpoint) -> KVec<Arc<MrcSock>> {
        while let Some(a) = self.answered.take_oldest() {
            self.forget(ep, &a);
        }
        let mut all = KVec::with_capacity(
            self.ready.len().saturating_add(self.half_open.len()),
            GFP_KERNEL,
        )
        .unwrap_or(KVec::new());
        while let Some(child) = self
            .ready
            .take_oldest()
            .or_else(|| self.half_open.take_oldest())
        {
            // Without memory a child is dropped unreset: its timer ends it.
            let _ = all.push(child, GFP_KERNEL);
        }
        all
    }
}
