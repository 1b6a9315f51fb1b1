//! `mrcctl probe ADDR [ev-profile ID] [ev INDEX]... [timeout MS]`: probe
//! EVs toward a host (`probe`) and print the
//! RTT of each EV's reply, or that none came in time.

use std::net::Ipv6Addr;

use serde::Serialize;

use crate::keywords::{self, Keyword, Pairs, Usage};
use crate::nl::uapi::*;
use crate::nl::{Attr, Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::values;
use crate::Failure;

/// The online EV profile whose EVs to probe (default: the built-in AUTO
/// profile, net.mrc.ev_count EVs).
const EV_PROFILE: Keyword = Keyword::once("ev-profile", "ID");
/// An EV index to probe (once per EV; default: every EV of the profile).
const EV: Keyword = Keyword::repeated("ev", "INDEX");
/// How long to wait for the replies, ms (1-10000).
const TIMEOUT: Keyword = Keyword::once("timeout", "MS");
/// `probe`'s keywords.
pub const KEYWORDS: [Keyword; 3] = [EV_PROFILE, EV, TIMEOUT];
/// `timeout`'s default.
const TIMEOUT_MS: u32 = 1000;

/// One EV's outcome.
#[derive(Serialize, Debug, PartialEq)]
struct EvProbe {
    index: u32,
    /// Round-trip time in ns, net of the responder's service time.
    #[serde(skip_serializing_if = "Option::is_none")]
    rtt_ns: Option<u32>,
    timed_out: bool,
}

/// What `probe` answered.
#[derive(Serialize, Debug, PartialEq)]
struct Probes {
    addr: String,
    answered: usize,
    results: Vec<EvProbe>,
}

impl Probes {
    fn from(addr: &Ipv6Addr, r: &Reply) -> Probes {
        let results: Vec<EvProbe> = r
            .all(MRC_A_PROBE_RESULT)
            .map(|nest| {
                let n = Reply::parse(nest);
                EvProbe {
                    index: n.u32(MRC_A_PROBE_RESULT_INDEX).unwrap_or_default(),
                    rtt_ns: n.u32(MRC_A_PROBE_RESULT_RTT),
                    timed_out: n.get(MRC_A_PROBE_RESULT_TIMED_OUT).is_some(),
                }
            })
            .collect();
        Probes {
            addr: addr.to_string(),
            answered: results.iter().filter(|p| !p.timed_out).count(),
            results,
        }
    }
}

impl Render for Probes {
    fn text(&self) -> String {
        let mut lines = vec![format!(
            "{}: {} of {} EVs answered",
            self.addr,
            self.answered,
            self.results.len()
        )];
        for p in &self.results {
            lines.push(match p.rtt_ns {
                Some(ns) => format!("ev {} rtt {:.1}us", p.index, f64::from(ns) / 1000.0),
                None => format!("ev {} timeout", p.index),
            });
        }
        lines.join("\n")
    }
}

/// The request's attributes.
fn attrs(addr: &Ipv6Addr, pairs: &Pairs) -> Result<Vec<Attr>, Usage> {
    let timeout = pairs.one(TIMEOUT.name, values::number_u32)?;
    let mut attrs = vec![
        Attr::bytes(MRC_A_PROBE_ADDR, "addr", &addr.octets()),
        Attr::u32(
            MRC_A_PROBE_TIMEOUT,
            "timeout",
            timeout.unwrap_or(TIMEOUT_MS),
        ),
    ];
    if let Some(id) = pairs.one(EV_PROFILE.name, values::id)? {
        attrs.push(Attr::u64(MRC_A_PROBE_EV_PROFILE_ID, "ev-profile-id", id));
    }
    for ev in pairs.all(EV.name, values::number_u32)? {
        attrs.push(Attr::u32(MRC_A_PROBE_INDEX, "index", ev));
    }
    Ok(attrs)
}

/// Runs `probe`.
pub fn run(addr: &Ipv6Addr, words: &[String], format: Format) -> Result<(), Failure> {
    let attrs = attrs(addr, &keywords::parse(words, &KEYWORDS)?)?;
    let reply = Mrc::open()?.get(MRC_CMD_PROBE, &attrs)?;
    output::print(&Probes::from(addr, &reply), format)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nest(index: u32, rtt: Option<u32>) -> Vec<u8> {
        let mut inner = Attr::u32(MRC_A_PROBE_RESULT_INDEX, "index", index).encoded();
        match rtt {
            Some(ns) => inner.extend(Attr::u32(MRC_A_PROBE_RESULT_RTT, "rtt", ns).encoded()),
            None => {
                inner.extend(Attr::bytes(MRC_A_PROBE_RESULT_TIMED_OUT, "timed-out", &[]).encoded())
            }
        }
        inner
    }

    #[test]
    fn results_in_order_with_timeouts() {
        let addr: Ipv6Addr = "fd00::2".parse().unwrap();
        let reply = Reply(vec![
            (MRC_A_PROBE_RESULT, nest(0, Some(12_345))),
            (MRC_A_PROBE_RESULT, nest(3, None)),
        ]);
        let p = Probes::from(&addr, &reply);
        assert_eq!(p.answered, 1);
        assert_eq!(
            p.text(),
            "fd00::2: 1 of 2 EVs answered\nev 0 rtt 12.3us\nev 3 timeout"
        );
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains(r#"{"index":3,"timed_out":true}"#), "{json}");
    }

    #[test]
    fn request_names_the_evs() {
        let addr = "fd00::2".parse().unwrap();
        let words: Vec<String> = ["ev-profile", "7", "ev", "1", "ev", "2", "timeout", "500"]
            .map(String::from)
            .to_vec();
        let pairs = keywords::parse(&words, &KEYWORDS).unwrap();
        let given = attrs(&addr, &pairs).unwrap();
        let types: Vec<u16> = given.iter().map(|a| a.ty).collect();
        assert_eq!(
            types,
            [
                MRC_A_PROBE_ADDR,
                MRC_A_PROBE_TIMEOUT,
                MRC_A_PROBE_EV_PROFILE_ID,
                MRC_A_PROBE_INDEX,
                MRC_A_PROBE_INDEX
            ]
        );
        assert_eq!(given[1].payload(), 500u32.to_ne_bytes());
        let none = keywords::parse(&[], &KEYWORDS).unwrap();
        let default = attrs(&addr, &none).unwrap();
        assert_eq!(default[1].payload(), TIMEOUT_MS.to_ne_bytes());
    }
}
