//! `mrcctl probe ADDR`: probe EVs toward a host (`probe`) and print the
//! RTT of each EV's reply, or that none came in time.

use std::net::Ipv6Addr;

use clap::Args;
use serde::Serialize;

use crate::nl::uapi::*;
use crate::nl::{Attr, Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::Failure;

/// `mrcctl probe ADDR [--ev-profile ID] [--ev INDEX]... [--timeout MS]`.
#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// The host to probe (IPv6 address); its mrc.ko answers.
    addr: Ipv6Addr,
    /// The online EV profile whose EVs to probe (default: the built-in
    /// AUTO profile, net.mrc.ev_count EVs).
    #[arg(long = "ev-profile", value_name = "ID")]
    ev_profile: Option<u64>,
    /// An EV index to probe (repeat; default: every EV of the profile).
    #[arg(long = "ev", value_name = "INDEX")]
    evs: Vec<u32>,
    /// How long to wait for the replies, ms (1-10000).
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    timeout: u32,
}

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
fn attrs(args: &ProbeArgs) -> Vec<Attr> {
    let mut attrs = vec![
        Attr::bytes(MRC_A_PROBE_ADDR, "addr", &args.addr.octets()),
        Attr::u32(MRC_A_PROBE_TIMEOUT, "timeout", args.timeout),
    ];
    if let Some(id) = args.ev_profile {
        attrs.push(Attr::u64(MRC_A_PROBE_EV_PROFILE_ID, "ev-profile-id", id));
    }
    for &ev in &args.evs {
        attrs.push(Attr::u32(MRC_A_PROBE_INDEX, "index", ev));
    }
    attrs
}

/// Runs `probe`.
pub fn run(args: &ProbeArgs, format: Format) -> Result<(), Failure> {
    let replies = Mrc::open()?.request(MRC_CMD_PROBE, &attrs(args), false)?;
    let reply = replies.first().cloned().unwrap_or_default();
    output::print(&Probes::from(&args.addr, &reply), format).map_err(Failure::Output)
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
        let args = ProbeArgs {
            addr: "fd00::2".parse().unwrap(),
            ev_profile: Some(7),
            evs: vec![1, 2],
            timeout: 500,
        };
        let types: Vec<u16> = attrs(&args).iter().map(|a| a.ty).collect();
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
    }
}
