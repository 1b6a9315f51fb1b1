//! EV fields checked against their format ([`EvLayout`]), and the EV
//! expansion rule (Documentation/protocol.rst, "EV expansion"), exactly:
//!
//! Output starts as 256 zero bits, with a write cursor and an EV read
//! cursor at bit 0 (bit 0 = most significant bit of byte 0). For each EV
//! field i, paired with format field i:
//! 1. value = `init_val`;
//! 2. if `mask` ≠ 0: read k = popcount(`mask`) EV bits at the read cursor
//!    into x (the first bit read is the most significant), advance the read
//!    cursor by k, and deposit x into the mask positions (the j-th set bit
//!    of the mask, counting from the least significant, receives bit j of x);
//!    bits outside the mask keep `init_val`;
//! 3. write value at the write cursor, most significant bit first, in the
//!    FORMAT field's width (a narrower EV field is right-aligned), and
//!    advance the write cursor by that width.
//!
//! Format fields without an EV field stay zero. Any EV bit set past the
//! read cursor at the end is an error ([`EvError::StrayEvBits`]).

use super::bits::{any_set_from, deposit, low_mask, read_bits, write_bits};
use super::{Ev, EvError, EvFormat, WireEv, MAX_FIELDS, MAX_FIELD_WIDTH};

/// One EV field of an EV profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct EvField {
    /// Width in bits, 1..=64, at most its format field's width.
    pub width: u8,
    /// Value of the bits outside `mask`.
    pub init_val: u64,
    /// Smallest value the EV may carry in this field (GENERATED).
    pub min_val: u64,
    /// Largest value the EV may carry in this field (GENERATED).
    pub max_val: u64,
    /// Which bits of the field the EV sets; 0 for a fixed field.
    pub mask: u64,
}

impl EvField {
    /// How many EV bits this field consumes: popcount(`mask`).
    pub const fn ev_bits(&self) -> u32 {
        self.mask.count_ones()
    }

    /// Checks the rules that involve this field alone.
    pub fn validate(&self) -> Result<(), EvError> {
        let width = u32::from(self.width);
        if width == 0 || width > MAX_FIELD_WIDTH {
            return Err(EvError::BadFieldWidth);
        }
        let in_width = low_mask(width);
        if self.init_val & !in_width != 0 {
            return Err(EvError::InitTooWide);
        }
        if self.mask & !in_width != 0 {
            return Err(EvError::MaskTooWide);
        }
        if self.mask == 0 {
            if self.min_val != 0 || self.max_val != 0 {
                return Err(EvError::FixedFieldRange);
            }
            return Ok(());
        }
        if self.max_val & !low_mask(self.ev_bits()) != 0 {
            return Err(EvError::MaxTooWide);
        }
        if self.min_val > self.max_val {
            return Err(EvError::MinAboveMax);
        }
        Ok(())
    }

    /// The field's value for EV bits `x` (step 2 of the expansion).
    pub fn value(&self, x: u64) -> u64 {
        (self.init_val & !self.mask) | deposit(x, self.mask)
    }
}

/// EV fields validated against a format: everything expansion needs.
///
/// # Invariants
/// `count` ≤ the format's field count; each field passes
/// [`EvField::validate`] and is no wider than its format field; the
/// fields' widths add up to at most the format's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EvLayout {
    format: EvFormat,
    fields: [EvField; MAX_FIELDS],
    count: u8,
}

impl EvLayout {
    /// Checks `fields` against `format` (every field rule of
    /// Documentation/ev-model.rst, "Validation rules").
    pub fn new(format: EvFormat, fields: &[EvField]) -> Result<EvLayout, EvError> {
        if fields.len() > format.widths().len() {
            return Err(EvError::TooManyFields);
        }
        let mut stored = [EvField::default(); MAX_FIELDS];
        let mut total = 0u32;
        for (slot, field) in stored.iter_mut().zip(fields) {
            field.validate()?;
            total = total.saturating_add(u32::from(field.width));
            *slot = *field;
        }
        if total > format.total_bits() {
            return Err(EvError::FieldsWiderThanFormat);
        }
        if fields
            .iter()
            .zip(format.widths())
            .any(|(field, &width)| field.width > width)
        {
            return Err(EvError::FieldWiderThanFormatField);
        }
        // A deliberate twin of format.rs's `EvFormat::new` tail: each stores
        // its own bounded list with its count.
        let count = u8::try_from(fields.len()).map_err(|_| EvError::TooManyFields)?;
        Ok(EvLayout {
            format,
            fields: stored,
            count,
        })
    }

    /// The format.
    pub const fn format(&self) -> &EvFormat {
        &self.format
    }

    /// The EV fields, in format order.
    pub fn fields(&self) -> &[EvField] {
        self.fields.get(..usize::from(self.count)).unwrap_or(&[])
    }

    /// How many EV bits the fields read: the sum of popcount(mask).
    pub fn ev_bits(&self) -> u32 {
        self.fields().iter().map(EvField::ev_bits).sum()
    }

    /// Expands `ev` (see the module documentation for the rule).
    pub fn expand(&self, ev: &Ev) -> Result<WireEv, EvError> {
        let mut out = [0u8; super::EV_BYTES];
        let mut read = 0u32;
        let mut write = 0u32;
        for (i, &format_width) in self.format.widths().iter().enumerate() {
            let format_width = u32::from(format_width);
            if let Some(field) = self.fields().get(i) {
                let k = field.ev_bits();
                let x = read_bits(&ev.0, read, k);
                read = read.saturating_add(k);
                write_bits(&mut out, write, format_width, field.value(x));
            }
            write = write.saturating_add(format_width);
        }
        if any_set_from(&ev.0, read) {
            return Err(EvError::StrayEvBits);
        }
        Ok(WireEv(out))
    }

    /// The EV that carries `values[i]` in field i (the inverse of
    /// expansion's reads): each value must fit popcount(mask) bits, so
    /// fixed fields take 0; missing values are 0; values past the last
    /// field are refused.
    pub fn pack(&self, values: &[u64]) -> Result<Ev, EvError> {
        if values.len() > self.fields().len() {
            return Err(EvError::ValueOutOfRange);
        }
        let mut out = [0u8; super::EV_BYTES];
        let mut at = 0u32;
        for (i, field) in self.fields().iter().enumerate() {
            let x = values.get(i).copied().unwrap_or(0);
            let k = field.ev_bits();
            if x & !low_mask(k) != 0 {
                return Err(EvError::ValueOutOfRange);
            }
            write_bits(&mut out, at, k, x);
            at = at.saturating_add(k);
        }
        Ok(Ev(out))
    }
}
