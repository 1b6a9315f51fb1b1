//! The applications at both ends of a flow, holding the real bytes: the
//! sender generates messages of random content, keeps each until the core
//! reports it acked and copies payload ranges into packets; the receiver
//! places payloads where the core says, refuses any byte placed twice, and
//! checks every completed message's hash and order against the sender's.

use std::collections::{BTreeMap, HashMap, VecDeque};

use mrc_proto::conn::{MsgId, PayloadRange, Placement};
use sha2::{Digest, Sha256};

use crate::rng::Rng;
use crate::scenario::FlowSpec;

/// A message the core accepted and may still ask bytes of.
struct Outgoing {
    id: MsgId,
    bytes: Vec<u8>,
}

/// The sending application of one flow.
pub struct Sender {
    spec: FlowSpec,
    rng: Rng,
    /// Bytes handed to the core so far.
    pub submitted: u64,
    /// Messages handed to the core so far.
    pub messages: u64,
    /// The next message, generated but refused (window full) so far.
    pending: Option<(Vec<u8>, Option<u32>)>,
    outgoing: VecDeque<Outgoing>,
    /// Expected hash and length of every message, by id.
    expected: HashMap<u32, ([u8; 32], u32, Option<u32>)>,
}

impl Sender {
    /// A sender for `spec`, drawing sizes and content from `rng`.
    pub fn new(spec: FlowSpec, rng: Rng) -> Self {
        Sender {
            spec,
            rng,
            submitted: 0,
            messages: 0,
            pending: None,
            outgoing: VecDeque::new(),
            expected: HashMap::new(),
        }
    }

    /// Whether every byte was handed to the core.
    pub fn all_submitted(&self) -> bool {
        self.pending.is_none() && self.submitted >= self.spec.total_bytes
    }

    /// The next message to submit (generated once, kept until accepted).
    pub fn next_message(&mut self) -> Option<(u32, Option<u32>)> {
        if self.pending.is_none() {
            let left = self.spec.total_bytes.saturating_sub(self.submitted);
            if left == 0 {
                return None;
            }
            let span = u64::from(self.spec.max_msg - self.spec.min_msg) + 1;
            let len = (u64::from(self.spec.min_msg) + self.rng.below(span)).min(left) as u32;
            let mut bytes = vec![0u8; len as usize];
            for chunk in bytes.chunks_mut(8) {
                let r = self.rng.next_u64().to_le_bytes();
                chunk.copy_from_slice(&r[..chunk.len()]);
            }
            let imm = (self.spec.imm_every != 0
                && self.messages % u64::from(self.spec.imm_every)
                    == u64::from(self.spec.imm_every) - 1)
                .then(|| self.rng.next_u64() as u32);
            self.pending = Some((bytes, imm));
        }
        self.pending.as_ref().map(|(b, imm)| (b.len() as u32, *imm))
    }

    /// The core accepted the pending message as `id`.
    pub fn accepted(&mut self, id: MsgId) {
        let (bytes, imm) = self
            .pending
            .take()
            .expect("accepted without a pending message");
        let hash: [u8; 32] = Sha256::digest(&bytes).into();
        self.expected.insert(id.0, (hash, bytes.len() as u32, imm));
        self.submitted += bytes.len() as u64;
        self.messages += 1;
        self.outgoing.push_back(Outgoing { id, bytes });
    }

    /// Copies the payload the core asked for into `out`.
    pub fn fill(&self, range: &PayloadRange, out: &mut [u8]) {
        let msg = self
            .outgoing
            .iter()
            .find(|m| m.id == range.msg)
            .unwrap_or_else(|| panic!("core asked for bytes of unknown message {:?}", range.msg));
        let start = range.offset as usize;
        let end = start + range.len as usize;
        out.copy_from_slice(&msg.bytes[start..end]);
    }

    /// The core reported `id` acked: its bytes can go (in message order).
    pub fn sent(&mut self, id: MsgId) {
        let front = self
            .outgoing
            .pop_front()
            .expect("MessageSent with nothing outstanding");
        assert_eq!(front.id, id, "MessageSent out of order");
    }

    /// What the receiver must see for message `id`.
    pub fn expected(&self, id: u32) -> Option<&([u8; 32], u32, Option<u32>)> {
        self.expected.get(&id)
    }
}

/// A message being reassembled.
struct Incoming {
    bytes: Vec<u8>,
    /// Placed extents: offset → length, never overlapping.
    extents: BTreeMap<u32, u32>,
}

/// The receiving application of one flow.
#[derive(Default)]
pub struct Receiver {
    incoming: HashMap<u32, Incoming>,
    /// Next message id expected to complete.
    pub next_msg: u32,
    /// Bytes of completed, verified messages.
    pub delivered: u64,
    /// Messages completed and verified.
    pub messages: u64,
    /// Payload bytes placed (each at most once).
    pub placed: u64,
    /// Placements that overlapped bytes already placed.
    pub duplicates: u64,
    /// Integrity failures: wrong hash, length, order or immediate.
    pub errors: Vec<String>,
}

impl Receiver {
    /// Copies a placed payload from `packet` into its message.
    pub fn place(&mut self, p: &Placement, packet: &[u8]) -> u32 {
        let Some(payload) = packet.get(p.payload_start..p.payload_start + p.len as usize) else {
            self.errors
                .push(format!("placement outside the packet: {p:?}"));
            return 0;
        };
        let msg = self.incoming.entry(p.msg.0).or_insert_with(|| Incoming {
            bytes: vec![0; p.msg_len as usize],
            extents: BTreeMap::new(),
        });
        let end = p.offset as u64 + u64::from(p.len);
        if msg.bytes.len() as u64 != u64::from(p.msg_len) || end > msg.bytes.len() as u64 {
            self.errors
                .push(format!("placement beyond its message: {p:?}"));
            return 0;
        }
        let overlaps_before = msg
            .extents
            .range(..=p.offset)
            .next_back()
            .is_some_and(|(o, l)| o + l > p.offset);
        let overlaps_after = msg
            .extents
            .range(p.offset..)
            .next()
            .is_some_and(|(o, _)| u64::from(*o) < end);
        if (overlaps_before || overlaps_after) && p.len > 0 {
            self.duplicates += 1;
            return 0;
        }
        msg.extents.insert(p.offset, p.len);
        msg.bytes[p.offset as usize..end as usize].copy_from_slice(payload);
        self.placed += u64::from(p.len);
        p.len
    }

    /// The core reported message `id` complete: check it against what the
    /// sender sent.
    pub fn complete(&mut self, id: MsgId, len: u32, imm: Option<u32>, sender: &Sender) {
        if id.0 != self.next_msg {
            self.errors.push(format!(
                "message {} completed, expected {}",
                id.0, self.next_msg
            ));
        }
        self.next_msg = id.0.wrapping_add(1);
        let msg = self.incoming.remove(&id.0).unwrap_or(Incoming {
            bytes: Vec::new(),
            extents: BTreeMap::new(),
        });
        let covered: u64 = msg.extents.values().map(|l| u64::from(*l)).sum();
        let Some((hash, want_len, want_imm)) = sender.expected(id.0) else {
            self.errors.push(format!("message {} was never sent", id.0));
            return;
        };
        if len != *want_len || msg.bytes.len() != len as usize || covered != u64::from(len) {
            self.errors.push(format!(
                "message {}: length {len}, buffer {}, placed {covered}, sent {want_len}",
                id.0,
                msg.bytes.len()
            ));
            return;
        }
        if imm != *want_imm {
            self.errors.push(format!(
                "message {}: immediate {imm:?}, sent {want_imm:?}",
                id.0
            ));
        }
        let got: [u8; 32] = Sha256::digest(&msg.bytes).into();
        if got != *hash {
            self.errors.push(format!("message {}: hash mismatch", id.0));
            return;
        }
        self.delivered += u64::from(len);
        self.messages += 1;
    }
}
