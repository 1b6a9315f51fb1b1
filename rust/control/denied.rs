//! The EVs the controller denied in one EV profile: a bitmap shared with
//! the connections that lease the profile, and a generation that moves on
//! every change, so that the datapath re-reads the bitmap only when it
//! changed.

use crate::proto::ev::MAX_EVS;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;
use kernel::sync::Arc;

const WORDS: usize = MAX_EVS / 64;

/// The denied EVs of one profile.
pub(crate) struct Denied {
    bits: [AtomicU64; WORDS],
    generation: AtomicU64,
}

impl Denied {
    /// No EV denied.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                bits: [const { AtomicU64::new(0) }; WORDS],
                generation: AtomicU64::new(0),
            },
            GFP_KERNEL,
        )?)
    }

    fn word(&self, index: u16) -> Option<(&AtomicU64, u64)> {
        let word = self.bits.get(usize::from(index) / 64)?;
        Some((word, 1 << (index % 64)))
    }

    /// Whether EV `index` is denied.
    pub(crate) fn contains(&self, index: u16) -> bool {
        self.word(index)
            .is_some_and(|(w, bit)| w.load(Ordering::Acquire) & bit != 0)
    }

    /// How many of the first `count` EVs are denied.
    pub(crate) fn count(&self, count: u16) -> u16 {
        (0..count).filter(|&i| self.contains(i)).count() as u16
    }

    /// Denies (or allows) EV `index`; writers hold the profiles' lock.
    pub(crate) fn set(&self, index: u16, denied: bool) {
        if let Some((w, bit)) = self.word(index) {
            let old = if denied {
                w.fetch_or(bit, Ordering::AcqRel)
            } else {
                w.fetch_and(!bit, Ordering::AcqRel)
            };
            if (old & bit != 0) != denied {
                self.generation.fetch_add(1, Ordering::Release);
            }
        }
    }

    /// Allows every EV (a new EV array or configuration).
    pub(crate) fn clear(&self) {
        for w in &self.bits {
            w.store(0, Ordering::Release);
        }
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Moves on with every change: the datapath applies the bitmap again
    /// (`PathSet::set_denied` for each EV) when it differs from the last
    /// generation it saw (the socket side, through a lease).
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}
