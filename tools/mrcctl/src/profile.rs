//! What the three profile objects share: ids, states, and the commands'
//! shape (`add`, `set`, `show`, `del`).

use clap::ValueEnum;
use serde::Serialize;

use crate::nl::uapi::{
    MRC_PROFILE_STATE_INIT, MRC_PROFILE_STATE_OFFLINE, MRC_PROFILE_STATE_ONLINE,
};

/// A profile's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Init,
    Offline,
    Online,
}

impl State {
    pub fn to_uapi(self) -> u32 {
        match self {
            State::Init => MRC_PROFILE_STATE_INIT,
            State::Offline => MRC_PROFILE_STATE_OFFLINE,
            State::Online => MRC_PROFILE_STATE_ONLINE,
        }
    }

    pub fn from_uapi(v: u32) -> Option<State> {
        match v {
            MRC_PROFILE_STATE_INIT => Some(State::Init),
            MRC_PROFILE_STATE_OFFLINE => Some(State::Offline),
            MRC_PROFILE_STATE_ONLINE => Some(State::Online),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            State::Init => "init",
            State::Offline => "offline",
            State::Online => "online",
        }
    }
}

/// Serializes `Option<State>` from a reply that may lack it.
pub fn state_of(v: Option<u32>) -> Option<State> {
    v.and_then(State::from_uapi)
}

/// A number in decimal or `0x` hexadecimal (ids, counts, parameters).
pub fn number(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|e| format!("'{text}': {e}"))
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
