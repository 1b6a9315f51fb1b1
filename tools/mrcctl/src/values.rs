//! Parsers for the values of positional arguments and keywords: numbers,
//! ids, durations, names from a fixed set, lists and booleans. Each says
//! what it refused; the caller names the argument.

use clap::ValueEnum;

/// A number in decimal or `0x` hexadecimal (ids, counts, parameters).
pub fn number(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|e| format!("'{text}': {e}"))
}

/// A number that fits 32 bits.
pub fn number_u32(text: &str) -> Result<u32, String> {
    u32::try_from(number(text)?).map_err(|_| format!("'{text}' does not fit 32 bits"))
}

/// A profile id: 1 or more.
pub fn id(text: &str) -> Result<u64, String> {
    match number(text)? {
        0 => Err("ids start at 1 (0 names the built-in defaults)".to_string()),
        id => Ok(id),
    }
}

/// A duration in ns, with an optional unit: ns, us, ms, s.
pub fn duration_ns(text: &str) -> Result<u64, String> {
    let (digits, scale) = [
        ("ns", 1),
        ("us", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
    ]
    .iter()
    .find_map(|(unit, scale)| text.strip_suffix(unit).map(|d| (d, *scale)))
    .unwrap_or((text, 1));
    number(digits)?
        .checked_mul(scale)
        .ok_or_else(|| format!("'{text}' is too long"))
}

/// One of the names of `T` (`udp`, `stev`, ...), exactly.
pub fn choice<T: ValueEnum>(text: &str) -> Result<T, String> {
    T::from_str(text, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect();
        format!("'{text}': expected one of {}", names.join(", "))
    })
}

/// A comma-separated list, each item through `parse`.
pub fn list<T>(text: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    text.split(',').map(parse).collect()
}

/// `on` or `off`, as iproute2 spells booleans.
pub fn on_off(text: &str) -> Result<bool, String> {
    match text {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("'{text}': expected on or off")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
    enum Colour {
        Red,
        DarkBlue,
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(duration_ns("250"), Ok(250));
        assert_eq!(duration_ns("10us"), Ok(10_000));
        assert_eq!(duration_ns("2ms"), Ok(2_000_000));
        assert_eq!(duration_ns("1s"), Ok(1_000_000_000));
        assert!(duration_ns("ms").is_err());
        assert!(duration_ns("99999999999999999999s").is_err());
    }

    #[test]
    fn ids_start_at_one() {
        assert_eq!(id("0x10"), Ok(16));
        assert!(id("0").is_err());
        assert!(id("-1").is_err());
    }

    #[test]
    fn numbers_fit_u32() {
        assert_eq!(number_u32("0x10"), Ok(16));
        assert!(number_u32("4294967296").is_err());
        assert!(number_u32("x").is_err());
    }

    #[test]
    fn choices_list_the_names_on_a_miss() {
        assert_eq!(choice::<Colour>("dark-blue"), Ok(Colour::DarkBlue));
        assert_eq!(
            choice::<Colour>("RED"),
            Err("'RED': expected one of red, dark-blue".to_string())
        );
    }

    #[test]
    fn lists_and_booleans() {
        assert_eq!(list("16,0x10", number), Ok(vec![16, 16]));
        assert!(list("16,", number).is_err());
        assert_eq!(on_off("on"), Ok(true));
        assert_eq!(on_off("off"), Ok(false));
        assert!(on_off("true").unwrap_err().contains("on or off"));
    }
}
