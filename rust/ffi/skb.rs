//! Datagrams that arrived on the tunnel socket, owned (each holds its
//! `sk_buff` until dropped), the UDP GSO batches they may arrive in, and
//! the queue that carries both from softirq to the work that processes
//! them.

use super::bindings;
use super::route::{Ipv6Addr, Route};
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::Deref;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use kernel::prelude::*;
use kernel::types::Opaque;

/// One MRC datagram as it arrived: the UDP payload and where it came from.
/// Its bytes stay where they arrived, in the skb's linear data or in its
/// pages: [`start`](Self::start) gives the first of them in one piece,
/// [`copy_to`](Self::copy_to) and [`append_to`](Self::append_to) copy any.
///
/// # Invariants
/// `skb` is an `sk_buff` owned by this value (or, in a [`DatagramRef`],
/// by the [`Batch`] it borrows), and `info` describes it
/// (`mrc_skb_datagram` succeeded on it): the packet is the `info.len`
/// bytes from `info.off` bytes past the skb's data, which the skb holds,
/// its whole UDP payload or, for a packet of a GSO batch, the part from
/// `seg_off` on; `info.head` points to the first `info.head_len` of them
/// (at most `info.len`) in the linear data.
pub(crate) struct Datagram {
    skb: *mut bindings::sk_buff,
    info: bindings::mrc_datagram,
    /// Where its payload starts in the skb's UDP payload (a packet of a
    /// GSO batch; 0 otherwise).
    seg_off: u32,
    /// When it reached the tunnel, in ns of the monotonic clock (kept
    /// while it waits in a [`DatagramQueue`]).
    pub(crate) arrival_ns: u64,
}

// SAFETY: the skb is owned; an skb may be freed from any context.
unsafe impl Send for Datagram {}

impl Datagram {
    /// Takes ownership of `skb` (positioned at its UDP header), which
    /// reached the tunnel at `arrival_ns`, or frees it and returns `None`
    /// when its lengths are inconsistent.
    ///
    /// # Safety
    /// `skb` must be a valid skb owned by the caller, with its network and
    /// transport headers set.
    pub(super) unsafe fn from_skb(skb: *mut bindings::sk_buff, arrival_ns: u64) -> Option<Self> {
        let mut info = bindings::mrc_datagram::default();
        // SAFETY: the caller owns a valid skb; `info` is valid to write.
        if unsafe { bindings::mrc_skb_datagram(skb, &mut info) } != 0 {
            // SAFETY: owned by the caller, and not used after this.
            unsafe { bindings::mrc_kfree_skb(skb) };
            return None;
        }
        // INVARIANT: the helper checked and described the skb.
        Some(Self {
            skb,
            info,
            seg_off: 0,
            arrival_ns,
        })
    }

    /// Narrows the payload to the `len` bytes at `off` bytes into it (a
    /// packet of a GSO batch); false, leaving it as it was, if they do not
    /// lie inside it.
    fn narrow(&mut self, off: u32, len: u32) -> bool {
        if !off.checked_add(len).is_some_and(|end| end <= self.info.len) {
            return false;
        }
        let head_len = self.info.head_len.saturating_sub(off).min(len);
        if head_len > 0 {
            // SAFETY: `off` < `info.head_len` (`head_len` is not 0), so the
            // new head lies inside the old one.
            self.info.head = unsafe { self.info.head.add(off as usize) };
        }
        // INVARIANT: `off` + `len` <= `info.len` (checked above), so the
        // new packet lies inside the old one, and its head inside the old
        // head.
        self.info.head_len = head_len;
        self.info.off = self.info.off.saturating_add(off);
        self.info.len = len;
        self.seg_off = self.seg_off.saturating_add(off);
        true
    }

    /// How many packets its payload holds as a UDP GSO batch of
    /// `gso_size` bytes each but the last (1 if `gso_size` is 0).
    pub(super) fn packets(&self, gso_size: u32) -> u32 {
        match gso_size {
            0 => 1,
            g => self.info.len.div_ceil(g).max(1),
        }
    }

    /// The length of the UDP payload: one MRC packet, not yet validated.
    pub(crate) fn len(&self) -> usize {
        self.info.len as usize
    }

    /// The packet's first bytes in one piece: those in the skb's linear
    /// data when they are the whole packet or at least `buf.len()`, else
    /// the first `buf.len()` (or all, if fewer) copied into `buf`.
    pub(crate) fn start<'b>(&'b self, buf: &'b mut [u8]) -> &'b [u8] {
        let (head_len, len) = (self.info.head_len as usize, self.len());
        if head_len >= len.min(buf.len()) {
            // SAFETY: by the type invariant `head` points to `head_len`
            // bytes of the skb, which lives as long as `self`.
            return unsafe { core::slice::from_raw_parts(self.info.head, head_len) };
        }
        let n = len.min(buf.len());
        let Some(dst) = buf.get_mut(..n) else {
            return &[];
        };
        if self.copy_to(0, dst) {
            dst
        } else {
            &[]
        }
    }

    /// Copies the `dst.len()` bytes at `off` into the packet to `dst`;
    /// false, `dst` untouched, if they do not lie within it.
    pub(crate) fn copy_to(&self, off: usize, dst: &mut [u8]) -> bool {
        // SAFETY: `dst` is valid for `dst.len()` bytes of writes.
        unsafe { self.copy_raw(off, dst.as_mut_ptr(), dst.len()) }
    }

    /// Appends the `len` bytes at `off` into the packet to `buf` (within
    /// its capacity, nothing is allocated). EINVAL, `buf` unchanged, if
    /// they do not lie within the packet.
    pub(crate) fn append_to(&self, off: usize, len: usize, buf: &mut KVVec<u8>) -> Result {
        buf.reserve(len, GFP_KERNEL)?;
        let at = buf.len();
        let Some(dst) = buf.spare_capacity_mut().get_mut(..len) else {
            return Err(ENOMEM);
        };
        // SAFETY: `dst` is `len` bytes of `buf`'s spare capacity, valid
        // for writes.
        if !unsafe { self.copy_raw(off, dst.as_mut_ptr().cast(), len) } {
            return Err(EINVAL);
        }
        // SAFETY: the copy initialised the `len` bytes past `at`, within
        // the capacity `reserve` made room for.
        unsafe { buf.set_len(at.saturating_add(len)) };
        Ok(())
    }

    /// Copies the `len` bytes at `off` into the packet to `dst`, from the
    /// head when they lie there, else from wherever the skb keeps them;
    /// false, nothing written, if they do not lie within the packet.
    ///
    /// # Safety
    /// `dst` must be valid for `len` bytes of writes and not overlap the
    /// skb's data.
    unsafe fn copy_raw(&self, off: usize, dst: *mut u8, len: usize) -> bool {
        let Some(end) = off.checked_add(len).filter(|&e| e <= self.len()) else {
            return false;
        };
        if end <= self.info.head_len as usize {
            // SAFETY: `off`..`end` lies within the head (type invariant:
            // `head_len` bytes at `head`); the caller vouches for `dst`.
            unsafe { core::ptr::copy_nonoverlapping(self.info.head.add(off), dst, len) };
            return true;
        }
        let (Ok(at), Ok(n)) = (u32::try_from(off), u32::try_from(len)) else {
            return false;
        };
        // SAFETY: the skb is owned (type invariant) and `info.off` + `end`
        // <= its length, so the helper reads only the skb's bytes; the
        // caller vouches for `dst`.
        unsafe {
            bindings::mrc_skb_copy_bits(self.skb, self.info.off.saturating_add(at), dst.cast(), n)
                == 0
        }
    }

    /// The sender's address.
    pub(crate) fn src(&self) -> Ipv6Addr {
        // SAFETY: in6_addr is 16 bytes of address in network order.
        unsafe { self.info.saddr.in6_u.u6_addr8 }
    }

    /// The address it was sent to (one of ours).
    pub(crate) fn dst(&self) -> Ipv6Addr {
        // SAFETY: as above.
        unsafe { self.info.daddr.in6_u.u6_addr8 }
    }

    /// The sender's UDP source port.
    pub(crate) fn src_port(&self) -> u16 {
        self.info.sport
    }

    /// The IPv6 flow label it carried.
    pub(crate) fn flow_label(&self) -> u32 {
        self.info.flow_label
    }

    /// Whether it arrived marked Congestion Experienced, or was marked
    /// since ([`mark_ce`](Self::mark_ce)).
    pub(crate) fn ce(&self) -> bool {
        self.info.ce
    }

    /// Marks it Congestion Experienced, for whoever handles it next (its
    /// IP header is left as it is).
    pub(crate) fn mark_ce(&mut self) {
        self.info.ce = true;
    }

    /// Calls `f` with the route back along the path this datagram came by
    /// (addresses swapped, same source port and flow label).
    pub(crate) fn reply_route<T>(&self, f: impl FnOnce(&mut Route<'_>) -> T) -> T {
        let (src, dst) = (self.dst(), self.src());
        f(&mut Route {
            src: &src,
            dst: &dst,
            src_port: self.src_port(),
            flow_label: self.flow_label(),
            via: None,
            cache: None,
        })
    }
}

impl Datagram {
    /// Frees a datagram refused unprocessed, as a drop (drop monitors and
    /// `kfree_skb` tracepoints see it); a datagram simply dropped was
    /// handled, and is consumed.
    pub(crate) fn discard(self) {
        let skb = self.skb;
        core::mem::forget(self);
        // SAFETY: the skb was owned by `self` (type invariant), forgotten
        // above, so it is freed once.
        unsafe { bindings::mrc_kfree_skb(skb) };
    }
}

impl Drop for Datagram {
    fn drop(&mut self) {
        // SAFETY: the skb is owned (type invariant) and not used after this.
        unsafe { bindings::mrc_consume_skb(self.skb) };
    }
}

/// A datagram as it waits in a [`DatagramQueue`]: one packet, or a UDP GSO
/// batch kept whole, whose packets ([`packets`](Self::packets)) are read
/// where they lie in its skb, without a clone of the skb for each.
pub(crate) struct Batch {
    dgram: Datagram,
    /// The batch's packets are this many bytes each but the last (0: one
    /// packet, the whole payload).
    size: u32,
}

impl From<Datagram> for Batch {
    fn from(dgram: Datagram) -> Self {
        Self { dgram, size: 0 }
    }
}

impl Batch {
    /// `dgram`'s payload as packets of `size` bytes each but the last (0:
    /// one packet).
    pub(super) fn new(dgram: Datagram, size: u32) -> Self {
        Self { dgram, size }
    }

    /// How many packets it holds.
    pub(crate) fn count(&self) -> u32 {
        self.dgram.packets(self.size)
    }

    /// Its packets, in order, each read in place.
    pub(crate) fn packets(&self) -> impl Iterator<Item = DatagramRef<'_>> {
        let size = match self.size {
            0 => self.dgram.info.len,
            g => g,
        };
        (0..self.count()).filter_map(move |i| self.packet(i.saturating_mul(size), size))
    }

    /// The packet at `off` bytes into the payload, `len` bytes or what is
    /// left of it (None past the end of a batch).
    fn packet(&self, off: u32, len: u32) -> Option<DatagramRef<'_>> {
        let end = off.saturating_add(len).min(self.dgram.info.len);
        let len = end.checked_sub(off)?;
        // A view, never dropped: the skb stays the batch's.
        let mut dgram = ManuallyDrop::new(Datagram { ..self.dgram });
        // INVARIANT: narrowing keeps the packet inside the batch's payload,
        // in the skb the batch owns for as long as the view borrows it.
        dgram.narrow(off, len).then_some(DatagramRef {
            dgram,
            _batch: PhantomData,
        })
    }

    /// Hands `f` its packets one by one, each a datagram of its own (a
    /// clone of the skb, sharing its data); without memory for a clone,
    /// that packet and the rest are dropped.
    pub(crate) fn split(self, mut f: impl FnMut(Datagram)) {
        for p in self.packets() {
            // SAFETY: the skb is owned by the batch; a clone shares its data.
            let skb = unsafe { bindings::mrc_skb_clone(p.skb) };
            if skb.is_null() {
                return;
            }
            // INVARIANT: the clone shares the data `p` describes, and is
            // owned by the new datagram.
            f(Datagram { skb, ..*p });
        }
    }

    /// When it reached the tunnel, in ns of the monotonic clock.
    pub(crate) fn arrival_ns(&self) -> u64 {
        self.dgram.arrival_ns
    }

    /// Whether it arrived marked Congestion Experienced, or was marked
    /// since (its packets share the mark).
    pub(crate) fn ce(&self) -> bool {
        self.dgram.ce()
    }

    /// Marks every packet of it Congestion Experienced.
    pub(crate) fn mark_ce(&mut self) {
        self.dgram.mark_ce();
    }

    /// Frees a batch refused unprocessed, as a drop (see
    /// [`Datagram::discard`]).
    pub(crate) fn discard(self) {
        self.dgram.discard();
    }
}

/// One packet of a [`Batch`], read where it lies in the batch's skb: a
/// [`Datagram`] for as long as the batch is borrowed, which leaves the skb
/// to the batch.
pub(crate) struct DatagramRef<'a> {
    dgram: ManuallyDrop<Datagram>,
    _batch: PhantomData<&'a Batch>,
}

impl Deref for DatagramRef<'_> {
    type Target = Datagram;

    fn deref(&self) -> &Datagram {
        &self.dgram
    }
}

/// A FIFO of datagrams and batches ([`Batch`], an skb each), safe to push
/// from softirq and pop from process context (`sk_buff_head`'s own
/// IRQ-safe lock). It also counts, so that a waiter can tell when
/// everything queued before a moment has been handled: skbs ever pushed
/// ([`mark`](Self::mark)), and those its consumer has finished with
/// ([`finished`](Self::finished)).
#[pin_data(PinnedDrop)]
pub(crate) struct DatagramQueue {
    #[pin]
    head: Opaque<bindings::sk_buff_head>,
    /// The `truesize` of the skbs queued: the memory they hold.
    bytes: AtomicUsize,
    /// Datagrams and batches pushed, ever (counted before each is queued).
    pushed: AtomicU64,
    /// Datagrams and batches popped and finished with (by the consumer, or
    /// dropped by `pop` itself).
    done: AtomicU64,
}

// SAFETY: every access to the queue goes through its internal lock.
unsafe impl Send for DatagramQueue {}
// SAFETY: as above.
unsafe impl Sync for DatagramQueue {}

impl DatagramQueue {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: `slot` is valid for writes and pinned; the helper
            // initializes the list and its lock.
            head <- Opaque::ffi_init(|slot| unsafe { bindings::mrc_skb_queue_init(slot) }),
            bytes: AtomicUsize::new(0),
            pushed: AtomicU64::new(0),
            done: AtomicU64::new(0),
        })
    }

    /// Appends a datagram or batch unless the ones queued hold `max_bytes`
    /// of memory with it: then it is handed back. (Concurrent pushes may
    /// overshoot by one each.)
    pub(crate) fn push(&self, b: Batch, max_bytes: usize) -> Result<(), Batch> {
        // SAFETY: `b`'s datagram owns a valid skb (its type invariant); a
        // plain read.
        let size = unsafe { bindings::mrc_skb_truesize(b.dgram.skb) } as usize;
        if self.bytes.load(Ordering::Relaxed).saturating_add(size) > max_bytes {
            return Err(b);
        }
        self.bytes.fetch_add(size, Ordering::Relaxed);
        self.pushed.fetch_add(1, Ordering::Relaxed);
        let wait = bindings::mrc_skb_wait {
            arrival_ns: b.dgram.arrival_ns,
            seg_off: b.dgram.seg_off,
            seg_len: b.dgram.info.len,
            seg_size: b.size,
        };
        let skb = b.dgram.skb;
        core::mem::forget(b);
        // SAFETY: the queue is initialized; it takes over the skb that `b`
        // owned (forgotten above, so it is not freed twice).
        unsafe { bindings::mrc_skb_queue_tail(self.head.get(), skb, &wait) };
        Ok(())
    }

    /// Takes the oldest datagram or batch.
    pub(crate) fn pop(&self) -> Option<Batch> {
        loop {
            let mut wait = bindings::mrc_skb_wait::default();
            // SAFETY: the queue is initialized; `wait` is valid to write.
            let skb = unsafe { bindings::mrc_skb_dequeue(self.head.get(), &mut wait) };
            if skb.is_null() {
                return None;
            }
            // SAFETY: the queue handed the valid skb back; a plain read.
            let size = unsafe { bindings::mrc_skb_truesize(skb) } as usize;
            self.bytes.fetch_sub(size, Ordering::Relaxed);
            // SAFETY: queued skbs were described once (by `Datagram`), so
            // their headers are set; the queue handed ownership back.
            if let Some(mut d) = unsafe { Datagram::from_skb(skb, wait.arrival_ns) } {
                if d.narrow(wait.seg_off, wait.seg_len) {
                    return Some(Batch::new(d, wait.seg_size));
                }
            }
            self.finished(1);
        }
    }

    /// Whether nothing is queued. Without the queue's lock: a push that
    /// happened before the caller synchronized with its pusher (an
    /// acquire of what the pusher released after it) is seen.
    pub(crate) fn is_empty(&self) -> bool {
        // SAFETY: the queue is initialized; a lockless read of its list head.
        unsafe { bindings::mrc_skb_queue_empty(self.head.get()) }
    }

    /// The consumer is done with `n` more datagrams or batches it popped.
    pub(crate) fn finished(&self, n: usize) {
        self.done.fetch_add(n as u64, Ordering::Release);
    }

    /// The datagrams and batches pushed so far: once
    /// [`reached`](Self::reached), every one of them has been finished
    /// with.
    pub(crate) fn mark(&self) -> u64 {
        self.pushed.load(Ordering::Relaxed)
    }

    /// The datagrams and batches finished with so far (it only grows).
    pub(crate) fn finished_count(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Whether every datagram or batch pushed before `mark` was taken has
    /// been finished with (FIFO: the first `mark` ones).
    pub(crate) fn reached(&self, mark: u64) -> bool {
        self.done.load(Ordering::Acquire) >= mark
    }
}

#[pinned_drop]
impl PinnedDrop for DatagramQueue {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: the queue is initialized and nobody else uses it any more.
        unsafe { bindings::mrc_skb_queue_purge(self.head.get()) };
    }
}
