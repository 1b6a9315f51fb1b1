//! The values of EVs as commands take them: format modes, `field`
//! specifications and EV hex strings. A malformed value is a usage error
//! (exit code 2).

use clap::ValueEnum;
use mrc_proto::ev::{Ev, EvField, EvFormatMode, EV_BYTES};

use crate::keywords::Keyword;
use crate::values::number;

/// An EV format's mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// UDP source port.
    Udp,
    /// UDP source port and IPv6 flow label.
    Stev,
    /// SRv6 outer destination (uSID container).
    Srv6,
    /// SRv6 outer destination and one SRH segment.
    #[value(name = "srv6-srh")]
    Srv6Srh,
}

impl From<Mode> for EvFormatMode {
    fn from(mode: Mode) -> EvFormatMode {
        match mode {
            Mode::Udp => EvFormatMode::Udp,
            Mode::Stev => EvFormatMode::Stev,
            Mode::Srv6 => EvFormatMode::Srv6,
            Mode::Srv6Srh => EvFormatMode::Srv6Srh,
        }
    }
}

/// An EV format's mode, where the EV goes on the wire (`ev-fmt`, `ev expand`).
pub const MODE: Keyword = Keyword::once("mode", "{ udp | stev | srv6 | srv6-srh }");
/// An EV format's field widths in bits, most significant first.
pub const WIDTHS: Keyword = Keyword::once("widths", "W1,W2,...");

/// An EV field, in format order (once per field).
pub const FIELD: Keyword = Keyword::repeated("field", "width=N,init=V,min=V,max=V,mask=V");

/// `field width=16,init=0x0,min=0x0,max=0x0,mask=0xffff`: every key
/// once; `width` is required, the others default to 0.
pub fn field(text: &str) -> Result<EvField, String> {
    let mut field = EvField::default();
    let mut seen: Vec<&str> = Vec::new();
    for pair in text.split(',') {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("'{pair}' is not KEY=VALUE"))?;
        let key = key.trim();
        if seen.contains(&key) {
            return Err(format!("'{key}' given twice"));
        }
        let value = number(value.trim())?;
        match key {
            "width" => {
                field.width =
                    u8::try_from(value).map_err(|_| format!("width {value} is too large"))?
            }
            "init" => field.init_val = value,
            "min" => field.min_val = value,
            "max" => field.max_val = value,
            "mask" => field.mask = value,
            other => {
                return Err(format!(
                    "unknown key '{other}' (width, init, min, max, mask)"
                ))
            }
        }
        seen.push(key);
    }
    if !seen.contains(&"width") {
        return Err("width=N is required".to_string());
    }
    Ok(field)
}

/// An EV: up to 64 hex digits (optional `0x`), most significant first:
/// the first digit is the top nibble of byte 0; shorter EVs are padded with
/// zeros at the end.
pub fn ev(text: &str) -> Result<Ev, String> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    if digits.is_empty() {
        return Err("empty EV".to_string());
    }
    if digits.len() > EV_BYTES * 2 {
        return Err(format!(
            "{} hex digits: an EV has at most {}",
            digits.len(),
            EV_BYTES * 2
        ));
    }
    let mut bytes = [0u8; EV_BYTES];
    for (i, c) in digits.chars().enumerate() {
        let nibble = c
            .to_digit(16)
            .ok_or_else(|| format!("'{c}' is not a hex digit"))? as u8;
        bytes[i / 2] |= if i % 2 == 0 { nibble << 4 } else { nibble };
    }
    Ok(Ev(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_spec() {
        let f = field("width=16,init=0x10,min=1,max=0x4,mask=0xf").unwrap();
        assert_eq!(
            f,
            EvField {
                width: 16,
                init_val: 0x10,
                min_val: 1,
                max_val: 4,
                mask: 0xf
            }
        );
        assert!(field("init=0").unwrap_err().contains("width"));
        assert!(field("width=8,width=8").unwrap_err().contains("twice"));
        assert!(field("width=8,foo=1").unwrap_err().contains("unknown key"));
        assert!(field("width=300").unwrap_err().contains("too large"));
        assert!(field("width").unwrap_err().contains("KEY=VALUE"));
    }

    #[test]
    fn ev_hex_is_msb_first_and_left_aligned() {
        let e = ev("0x1234").unwrap();
        assert_eq!(e.0[..3], [0x12, 0x34, 0]);
        assert_eq!(ev("abc").unwrap().0[..2], [0xAB, 0xC0]);
        assert_eq!(ev(&"f".repeat(64)).unwrap().0, [0xFF; 32]);
        assert!(ev(&"f".repeat(65)).is_err());
        assert!(ev("").is_err());
        assert!(ev("0x").is_err());
        assert!(ev("12g4").is_err());
    }
}
