//! EV format: how an expanded EV is laid out on the wire. A mode says
//! where the EV goes (UDP source port, source port + flow label, SRv6
//! destination, SRv6 destination + SRH segment); an array of field widths,
//! most significant first, says how its bits are divided.

use super::{EvError, MAX_FIELDS, MAX_FIELD_WIDTH};

/// Where an expanded EV is carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvFormatMode {
    /// The UDP source port (16 bits).
    Udp,
    /// Source port and flow label: 32 bits, the UDP source port (upper 16)
    /// and the low 16 bits of the IPv6 flow label.
    Stev,
    /// SRv6 H.Encaps: the outer IPv6 destination, a uSID container (128 bits).
    Srv6,
    /// SRv6 with an SRH: the outer destination plus the SRH's single
    /// segment (256 bits).
    Srv6Srh,
}

impl EvFormatMode {
    /// How many EV bits this mode carries on the wire.
    pub const fn wire_bits(self) -> u32 {
        match self {
            EvFormatMode::Udp => 16,
            EvFormatMode::Stev => 32,
            EvFormatMode::Srv6 => 128,
            EvFormatMode::Srv6Srh => 256,
        }
    }
}

/// A validated EV format: mode and field widths.
///
/// # Invariants
/// 1 ≤ `count` ≤ [`MAX_FIELDS`]; each of the first `count` widths is in
/// `1..=MAX_FIELD_WIDTH`, the rest are 0; their sum is at most
/// `mode.wire_bits()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EvFormat {
    mode: EvFormatMode,
    widths: [u8; MAX_FIELDS],
    count: u8,
}

impl EvFormat {
    /// A format with `mode` and field `widths` (most significant first).
    pub fn new(mode: EvFormatMode, widths: &[u8]) -> Result<EvFormat, EvError> {
        if widths.is_empty() {
            return Err(EvError::NoFormatFields);
        }
        let mut stored = [0u8; MAX_FIELDS];
        if widths.len() > MAX_FIELDS {
            return Err(EvError::TooManyFormatFields);
        }
        let mut total = 0u32;
        for (slot, &width) in stored.iter_mut().zip(widths) {
            if width == 0 || u32::from(width) > MAX_FIELD_WIDTH {
                return Err(EvError::BadFormatFieldWidth);
            }
            *slot = width;
            total = total.saturating_add(u32::from(width));
        }
        if total > mode.wire_bits() {
            return Err(EvError::FormatTooWide);
        }
        // A deliberate twin of layout.rs's `EvLayout::new` tail: each stores
        // its own bounded list with its count.
        let count = u8::try_from(widths.len()).map_err(|_| EvError::TooManyFormatFields)?;
        Ok(EvFormat {
            mode,
            widths: stored,
            count,
        })
    }

    /// The mode.
    pub const fn mode(&self) -> EvFormatMode {
        self.mode
    }

    /// The field widths, most significant first.
    pub fn widths(&self) -> &[u8] {
        self.widths.get(..usize::from(self.count)).unwrap_or(&[])
    }

    /// The on-wire EV width: the sum of the field widths.
    pub fn total_bits(&self) -> u32 {
        self.widths().iter().map(|&w| u32::from(w)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_formats() {
        let stev = EvFormat::new(EvFormatMode::Stev, &[16, 16]).unwrap();
        assert_eq!(stev.widths(), &[16, 16]);
        assert_eq!(stev.total_bits(), 32);
        let usid = EvFormat::new(EvFormatMode::Srv6, &[32, 16, 16, 16, 16, 16, 16]).unwrap();
        assert_eq!(usid.total_bits(), 128);
        let narrow = EvFormat::new(EvFormatMode::Udp, &[12]).unwrap();
        assert_eq!(narrow.total_bits(), 12);
        let srh = EvFormat::new(EvFormatMode::Srv6Srh, &[16; 16]).unwrap();
        assert_eq!(srh.total_bits(), 256);
    }

    #[test]
    fn each_format_rule_has_its_error() {
        assert_eq!(
            EvFormat::new(EvFormatMode::Udp, &[]),
            Err(EvError::NoFormatFields)
        );
        assert_eq!(
            EvFormat::new(EvFormatMode::Srv6Srh, &[1; 17]),
            Err(EvError::TooManyFormatFields)
        );
        assert_eq!(
            EvFormat::new(EvFormatMode::Stev, &[16, 0]),
            Err(EvError::BadFormatFieldWidth)
        );
        assert_eq!(
            EvFormat::new(EvFormatMode::Srv6, &[65]),
            Err(EvError::BadFormatFieldWidth)
        );
        assert_eq!(
            EvFormat::new(EvFormatMode::Udp, &[16, 1]),
            Err(EvError::FormatTooWide)
        );
        assert_eq!(
            EvFormat::new(EvFormatMode::Stev, &[16, 16, 1]),
            Err(EvError::FormatTooWide)
        );
        assert_eq!(
            EvFormat::new(EvFormatMode::Srv6, &[64, 64, 1]),
            Err(EvError::FormatTooWide)
        );
    }
}
