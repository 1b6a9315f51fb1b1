//! A listening socket's state: the core's listener (backlog, refusals) and
//! its children, half-open then ready for accept(2).

use super::MrcSock;
use crate::proto::conn::Listener;
use kernel::prelude::*;
use kernel::rbtree::RBTree;
use kernel::sync::Arc;

/// Where a connect request came from: the initiator's address and
/// connection number.
pub(crate) type Origin = ([u8; 16], u32);

/// Half-open children, by admission (the oldest is displaced first) and by
/// origin (a repeated request finds its child): each step costs
/// O(log n), so that a flood of requests against a full set stays cheap.
pub(crate) struct HalfOpen {
    by_age: RBTree<u64, Arc<MrcSock>>,
    by_origin: RBTree<Origin, u64>,
    admitted: u64,
}

impl HalfOpen {
    fn new() -> Self {
        Self {
            by_age: RBTree::new(),
            by_origin: RBTree::new(),
            admitted: 0,
        }
    }

    /// Adds `child`, which came from `origin`.
    pub(crate) fn push(&mut self, origin: Origin, child: Arc<MrcSock>) -> Result {
        let age = self.admitted;
        self.by_origin
            .try_create_and_insert(origin, age, GFP_KERNEL)?;
        if let Err(e) = self.by_age.try_create_and_insert(age, child, GFP_KERNEL) {
            self.by_origin.remove(&origin);
            return Err(e);
        }
        self.admitted = self.admitted.wrapping_add(1);
        Ok(())
    }

    fn find(&self, origin: &Origin) -> Option<&Arc<MrcSock>> {
        self.by_age.get(self.by_origin.get(origin)?)
    }

    /// Removes `child` (from `origin`); whether it was there.
    pub(crate) fn remove(&mut self, origin: &Origin, child: &MrcSock) -> bool {
        let Some(&age) = self.by_origin.get(origin) else {
            return false;
        };
        if !self
            .by_age
            .get(&age)
            .is_some_and(|c| core::ptr::eq(&**c, child))
        {
            return false;
        }
        self.by_origin.remove(origin);
        self.by_age.remove(&age).is_some()
    }

    /// Takes the oldest child.
    pub(crate) fn take_oldest(&mut self) -> Option<Arc<MrcSock>> {
        let (_, oldest) = self.by_age.cursor_front()?.remove_current();
        let (_, child) = oldest.to_key_value();
        if let Some(origin) = child.origin {
            self.by_origin.remove(&origin);
        }
        Some(child)
    }
}

/// Children of one listener.
pub(crate) struct Listen {
    pub(crate) listener: Listener,
    /// Admitted, handshake not complete.
    pub(crate) half_open: HalfOpen,
    /// Established, waiting for accept(2), in arrival order.
    pub(crate) ready: KVec<Arc<MrcSock>>,
    /// Most connections `ready` may hold (the listen(2) backlog).
    pub(crate) backlog: usize,
}

/// Takes element `i` of `list`. The list is rebuilt in place (capacity
/// reserved first, so no element can be lost).
pub(crate) fn take_at(list: &mut KVec<Arc<MrcSock>>, i: usize) -> Option<Arc<MrcSock>> {
    let mut rest = KVec::with_capacity(list.len(), GFP_KERNEL).ok()?;
    let mut taken = None;
    for (j, c) in core::mem::take(list).into_iter().enumerate() {
        if j == i {
            taken = Some(c);
        } else {
            // Cannot fail: the capacity was reserved above.
            let _ = rest.push(c, GFP_KERNEL);
        }
    }
    *list = rest;
    taken
}

impl Listen {
    /// A listener on `port` whose accept queue holds `backlog` connections
    /// and which holds `max_half_open` half-open ones.
    pub(crate) fn new(port: u16, backlog: usize, max_half_open: u16) -> Self {
        Self {
            listener: Listener::new(port, max_half_open.max(1)),
            half_open: HalfOpen::new(),
            ready: KVec::new(),
            backlog: backlog.max(1),
        }
    }

    /// The half-open or ready child that came from `origin`, if any (a
    /// repeated connect request goes to it).
    pub(crate) fn find(&self, origin: Origin) -> Option<Arc<MrcSock>> {
        self.half_open
            .find(&origin)
            .or_else(|| self.ready.iter().find(|c| c.origin == Some(origin)))
            .cloned()
    }

    /// Every child, for teardown.
    pub(crate) fn drain(&mut self) -> KVec<Arc<MrcSock>> {
        let mut all = core::mem::take(&mut self.ready);
        while let Some(child) = self.half_open.take_oldest() {
            // Without memory a child is dropped unreset: its timer ends it.
            let _ = all.push(child, GFP_KERNEL);
        }
        all
    }
}
