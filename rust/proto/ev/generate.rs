//! EV generation for AUTO and GENERATED profiles: `count` EVs spread evenly
//! over the space of field values, deterministic from a seed and an index.
//!
//! Each field i ranges over r_i values (`min_val..=max_val` for GENERATED;
//! every value of its popcount(mask) bits for AUTO; one value for a fixed
//! field). The space is the mixed-radix number system whose digits are the
//! fields, the last field least significant, with T = Π r_i combinations
//! (saturating at 2^64 − 1: fields whose ranges lie beyond that stay near
//! their minimum). EV j of N takes combination
//! `(⌊j·T/N⌋ + seed) mod T`: the N EVs are evenly spaced and, when T ≥ N,
//! pairwise distinct; the seed rotates the whole set.

use super::{Ev, EvError, EvField, EvLayout};

/// Which values generation draws for each field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvRange {
    /// `min_val..=max_val` (GENERATED profiles).
    Configured,
    /// Every value the field's mask can carry (AUTO profiles).
    Full,
}

impl EvRange {
    fn of(self, field: &EvField) -> (u64, u64) {
        match self {
            EvRange::Configured => (field.min_val, field.max_val),
            EvRange::Full => (0, super::bits::low_mask(field.ev_bits())),
        }
    }

    /// Number of values of `field`, saturating.
    fn size(self, field: &EvField) -> u64 {
        let (min, max) = self.of(field);
        max.saturating_sub(min).saturating_add(1)
    }
}

impl EvLayout {
    /// Number of distinct EVs the fields allow under `range`, saturating at
    /// `u64::MAX`.
    pub fn space(&self, range: EvRange) -> u64 {
        self.fields()
            .iter()
            .fold(1u64, |total, field| total.saturating_mul(range.size(field)))
    }

    /// EV `index` of `count`, spread evenly over `range` and rotated by
    /// `seed` (see the module documentation).
    pub fn generate(
        &self,
        range: EvRange,
        seed: u64,
        index: u16,
        count: u16,
    ) -> Result<Ev, EvError> {
        if index >= count {
            return Err(EvError::ValueOutOfRange);
        }
        let total = self.space(range);
        let (j, n) = (u64::from(index), u64::from(count));
        // ⌊j·T/N⌋ without 128-bit arithmetic; both terms stay below T.
        let spaced = div(total, n)
            .saturating_mul(j)
            .saturating_add(div(rem(total, n).saturating_mul(j), n));
        let mut combination = add_mod(spaced, rem(seed, total), total);
        let mut values = [0u64; super::MAX_FIELDS];
        for (value, field) in values.iter_mut().zip(self.fields()).rev() {
            let size = range.size(field);
            let (min, _) = range.of(field);
            *value = min.saturating_add(rem(combination, size));
            combination = div(combination, size);
        }
        self.pack(values.get(..self.fields().len()).unwrap_or(&[]))
    }
}

/// `a / b`; every divisor here is at least 1, which 0 would contradict.
fn div(a: u64, b: u64) -> u64 {
    a.checked_div(b).unwrap_or(0)
}

/// `a mod b`; every divisor here is at least 1.
fn rem(a: u64, b: u64) -> u64 {
    a.checked_rem(b).unwrap_or(0)
}

/// `(a + b) mod m` for `a, b < m`, without overflow.
fn add_mod(a: u64, b: u64, m: u64) -> u64 {
    let room = m.saturating_sub(b);
    if a >= room {
        a.saturating_sub(room)
    } else {
        a.saturating_add(b)
    }
}
