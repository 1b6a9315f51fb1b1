//! The caller-provided storage of one connection ([`ConnStorage`]), and
//! [`Storage`], which names its four container types once so that every
//! `impl` of [`Connection`](super::Connection) carries one bound.

use core::ops::DerefMut;

use super::{MessageSlot, SentPacket};
use crate::proto::path::PathState;

/// The caller-provided storage of one connection.
pub struct ConnStorage<S, M, B, P> {
    /// One record per PSN of the send window (a power of two is used).
    pub sent: S,
    /// One record per message in flight, shared by both directions.
    pub messages: M,
    /// Received-PSN bitmap: at least `mpr × 128 / 64` words.
    pub rx_psns: B,
    /// One state per EV: at least `ev_count`.
    pub paths: P,
}

/// The container types of a connection's storage: anything that derefs to
/// a slice of the right records (`Vec` on the host, `KVec` in the kernel).
/// Implemented by every [`ConnStorage`] whose parts qualify.
pub trait Storage {
    /// Sent records, one per PSN of the send window.
    type Sent: DerefMut<Target = [SentPacket]>;
    /// Message records, shared by both directions.
    type Messages: DerefMut<Target = [MessageSlot]>;
    /// Words of the received-PSN bitmap.
    type RxPsns: DerefMut<Target = [u64]>;
    /// EV states, one per EV.
    type Paths: DerefMut<Target = [PathState]>;

    /// The four parts, for the connection to take apart.
    fn into_parts(self) -> ConnStorage<Self::Sent, Self::Messages, Self::RxPsns, Self::Paths>;
}

impl<S, M, B, P> Storage for ConnStorage<S, M, B, P>
where
    S: DerefMut<Target = [SentPacket]>,
    M: DerefMut<Target = [MessageSlot]>,
    B: DerefMut<Target = [u64]>,
    P: DerefMut<Target = [PathState]>,
{
    type Sent = S;
    type Messages = M;
    type RxPsns = B;
    type Paths = P;

    fn into_parts(self) -> ConnStorage<S, M, B, P> {
        self
    }
}
