//! EV values and where an expanded EV goes on the wire.
//!
//! An [`Ev`] is the abstract path name a controller or generator deals in:
//! a bit string of up to 256 bits, most significant bit of byte 0 first
//! (shorter EVs are zero-padded at the end). Expansion
//! ([`EvLayout::expand`](super::EvLayout::expand)) turns it into a
//! [`WireEv`], laid out like the format profile, whose bits this module maps
//! onto header fields. This is the one place that knows that mapping:
//!
//! | mode | bits of the expanded EV | header field |
//! |------|-------------------------|--------------|
//! | UDP | 0–15 | UDP source port |
//! | STEV | 0–15 | UDP source port |
//! | STEV | 16–31 | low 16 bits of the IPv6 flow label (upper 4 bits 0) |
//! | SRv6 | 0–127 (bytes 0–15) | outer IPv6 destination (uSID container) |
//! | SRv6+SRH | 0–127 (bytes 0–15) | outer IPv6 destination |
//! | SRv6+SRH | 128–255 (bytes 16–31) | the SRH's single segment |

use super::{EvFormatMode, EV_BYTES};

/// An EV value: a bit string, most significant bit of byte 0 first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Ev(pub [u8; EV_BYTES]);

/// An expanded EV: the format profile's fields, most significant first,
/// from bit 0 of byte 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct WireEv(pub [u8; EV_BYTES]);

/// The header fields an expanded EV sets, per mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvSteering {
    /// UDP mode.
    Udp {
        /// UDP source port.
        src_port: u16,
    },
    /// STEV mode.
    Stev {
        /// UDP source port.
        src_port: u16,
        /// IPv6 flow label (20 bits; the upper 4 are zero).
        flow_label: u32,
    },
    /// SRv6 mode.
    Srv6 {
        /// Outer IPv6 destination: the uSID container.
        outer_dst: [u8; 16],
    },
    /// SRv6+SRH mode.
    Srv6Srh {
        /// Outer IPv6 destination.
        outer_dst: [u8; 16],
        /// The SRH's single segment.
        segment: [u8; 16],
    },
}

/// Splits a 32-bit STEV value into the UDP source port (its upper 16 bits)
/// and the IPv6 flow label (its lower 16 bits, as the label's low bits).
pub const fn stev_split(value: u32) -> (u16, u32) {
    let [a, b, c, d] = value.to_be_bytes();
    (u16::from_be_bytes([a, b]), u32::from_be_bytes([0, 0, c, d]))
}

impl WireEv {
    fn half(&self, second: bool) -> [u8; 16] {
        let mut out = [0u8; 16];
        let (first, last) = self.0.split_at(16);
        out.copy_from_slice(if second { last } else { first });
        out
    }

    /// The header fields this expanded EV sets in `mode`.
    pub fn steering(&self, mode: EvFormatMode) -> EvSteering {
        let [a, b, c, d, ..] = self.0;
        match mode {
            EvFormatMode::Udp => EvSteering::Udp {
                src_port: u16::from_be_bytes([a, b]),
            },
            EvFormatMode::Stev => {
                let (src_port, flow_label) = stev_split(u32::from_be_bytes([a, b, c, d]));
                EvSteering::Stev {
                    src_port,
                    flow_label,
                }
            }
            EvFormatMode::Srv6 => EvSteering::Srv6 {
                outer_dst: self.half(false),
            },
            EvFormatMode::Srv6Srh => EvSteering::Srv6Srh {
                outer_dst: self.half(false),
                segment: self.half(true),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire() -> WireEv {
        let mut b = [0u8; EV_BYTES];
        for (i, byte) in b.iter_mut().enumerate() {
            *byte = i as u8 + 1;
        }
        WireEv(b)
    }

    #[test]
    fn stev_split_puts_upper_16_bits_in_the_port() {
        assert_eq!(stev_split(0x1234_5678), (0x1234, 0x5678));
        assert_eq!(stev_split(0xFFFF_FFFF), (0xFFFF, 0xFFFF));
    }

    #[test]
    fn steering_per_mode() {
        let w = wire();
        assert_eq!(
            w.steering(EvFormatMode::Udp),
            EvSteering::Udp { src_port: 0x0102 }
        );
        assert_eq!(
            w.steering(EvFormatMode::Stev),
            EvSteering::Stev {
                src_port: 0x0102,
                flow_label: 0x0304
            }
        );
        let first: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
        let second: [u8; 16] = core::array::from_fn(|i| i as u8 + 17);
        assert_eq!(
            w.steering(EvFormatMode::Srv6),
            EvSteering::Srv6 { outer_dst: first }
        );
        assert_eq!(
            w.steering(EvFormatMode::Srv6Srh),
            EvSteering::Srv6Srh {
                outer_dst: first,
                segment: second
            }
        );
    }
}
