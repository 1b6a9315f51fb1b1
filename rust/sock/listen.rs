//! A listening socket's state: the core's listener (backlog, refusals) and
//! its children, half-open then ready for accept(2).

use super::MrcSock;
use crate::proto::conn::Listener;
use kernel::prelude::*;
use kernel::sync::Arc;

/// Children of one listener, in arrival order.
pub(crate) struct Listen {
    pub(crate) listener: Listener,
    /// Admitted, handshake not complete.
    pub(crate) half_open: KVec<Arc<MrcSock>>,
    /// Established, waiting for accept(2).
    pub(crate) ready: KVec<Arc<MrcSock>>,
    /// Most connections `ready` may hold (the listen(2) backlog).
    pub(crate) backlog: usize,
}

/// Removes `child` from `list`; whether it was there. The list is rebuilt
/// in place (capacity reserved first, so no element can be lost).
pub(crate) fn remove(list: &mut KVec<Arc<MrcSock>>, child: &MrcSock) -> bool {
    let Some(i) = list.iter().position(|c| core::ptr::eq(&**c, child)) else {
        return false;
    };
    take_at(list, i).is_some()
}

/// Takes element `i` of `list`.
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
    pub(crate) fn new(port: u16, backlog: usize) -> Self {
        let half_open = u16::try_from(backlog).unwrap_or(u16::MAX).max(1);
        Self {
            listener: Listener::new(port, half_open),
            half_open: KVec::new(),
            ready: KVec::new(),
            backlog: backlog.max(1),
        }
    }

    /// The half-open or ready child that came from `origin`, if any (a
    /// repeated connect request goes to it).
    pub(crate) fn find(&self, origin: ([u8; 16], u32)) -> Option<Arc<MrcSock>> {
        Iterator::chain(self.half_open.iter(), self.ready.iter())
            .find(|c| c.origin == Some(origin))
            .cloned()
    }

    /// Every child, for teardown.
    pub(crate) fn drain(&mut self) -> (KVec<Arc<MrcSock>>, KVec<Arc<MrcSock>>) {
        (
            core::mem::take(&mut self.half_open),
            core::mem::take(&mut self.ready),
        )
    }
}
