//! A burst: data packets that the spraying sent on one EV in a row,
//! collected back to back into one skb and handed to the stack as one UDP
//! GSO batch, which the stack (or the device) cuts into one datagram per
//! packet as late as it can. One route lookup, one trip through IPv6 output
//! and the device for the whole burst (Documentation/performance.rst).

use crate::ffi::udp::TxBatch;

/// Largest batch: one IPv6 payload (64 KiB) less the UDP header, rounded
/// down with room to spare.
const MAX_BATCH_BYTES: usize = 60_000;

/// Shortest payload a batch takes by reference to its message's pages
/// (skb fragments) instead of copying it. A payload by reference costs a
/// fragment and a page reference, and the receiver a copy of its packet's
/// headers out of the fragments; at MTU 1500 (payloads of 1412 bytes)
/// that bought nothing measurable (Documentation/performance.rst, "Fewer
/// copies"), so shorter payloads are copied as before.
const BY_REFERENCE_MIN: usize = 4096;

/// The burst being collected for one EV.
pub(crate) struct Burst {
    pub(crate) ev: u16,
    pub(crate) batch: TxBatch,
}

impl Burst {
    /// An empty burst on `ev` with room for `packets` packets of `len`
    /// bytes, `payload` of them payload (fewer packets if they would pass
    /// [`MAX_BATCH_BYTES`]); `None` without memory, and then packets go
    /// one by one.
    pub(crate) fn new(ev: u16, len: usize, payload: usize, packets: usize) -> Option<Self> {
        let fit = packets
            .min(MAX_BATCH_BYTES.checked_div(len).unwrap_or(1))
            .max(1);
        let by_reference = payload >= BY_REFERENCE_MIN;
        let batch = TxBatch::new(len.saturating_mul(fit), by_reference).ok()?;
        Some(Self { ev, batch })
    }
}
