//! `mrcctl conn show`: the namespace's live connections (`conn-get`), one
//! line each like ss, with each EV's state and counters under the global
//! `-d` (and always in JSON).

use std::net::Ipv6Addr;

use clap::Subcommand;
use serde::Serialize;

use crate::monitor::state_name;
use crate::nl::uapi::*;
use crate::nl::{Attr, Mrc, Reply};
use crate::output::{self, Format, Render};
use crate::values;
use crate::Failure;

/// `mrcctl conn COMMAND`.
#[derive(Subcommand, Debug)]
pub enum ConnCommand {
    /// Show one connection by its local number, or all of them.
    Show {
        /// The local connection number (MRC_INFO's mrci_local_conn).
        #[arg(value_parser = values::number_u32)]
        conn: Option<u32>,
    },
}

fn conn_state_name(v: Option<u32>) -> &'static str {
    match v {
        Some(MRC_STATE_CLOSED) => "closed",
        Some(MRC_STATE_LISTEN) => "listen",
        Some(MRC_STATE_CONNECTING) => "connecting",
        Some(MRC_STATE_ACCEPTING) => "accepting",
        Some(MRC_STATE_ESTABLISHED) => "established",
        Some(MRC_STATE_CLOSING) => "closing",
        _ => "unknown",
    }
}

/// One EV of a connection.
#[derive(Serialize, Debug, PartialEq)]
// Fields alike the other objects' (cc_profile::CcProfile's) by shape only: each
// object is its own JSON, named as scripts read it.
struct ConnEv {
    index: u32,
    state: &'static str,
    srtt_us: u32,
    packets_sent: u64,
    packets_acked: u64,
    lost: u64,
    timeouts: u64,
}

impl ConnEv {
    fn from(r: &Reply) -> ConnEv {
        let n = |ty| r.u64(ty).unwrap_or_default();
        ConnEv {
            index: r.u32(MRC_A_CONN_EV_INDEX).unwrap_or_default(),
            state: state_name(r.u32(MRC_A_CONN_EV_STATE)),
            srtt_us: r.u32(MRC_A_CONN_EV_SRTT).unwrap_or_default(),
            packets_sent: n(MRC_A_CONN_EV_PACKETS_SENT),
            packets_acked: n(MRC_A_CONN_EV_PACKETS_ACKED),
            lost: n(MRC_A_CONN_EV_LOST),
            timeouts: n(MRC_A_CONN_EV_TIMEOUTS),
        }
    }
}

/// One connection as the kernel shows it.
#[derive(Serialize, Debug, PartialEq)]
struct Conn {
    local_conn: u32,
    peer_conn: u32,
    state: &'static str,
    local_addr: String,
    local_port: u16,
    peer_addr: String,
    /// 0 on the accepting side: a connect request does not carry it.
    peer_port: u16,
    ev_profile_id: u64,
    cc_profile_id: u64,
    ev_count: u32,
    active_evs: u32,
    srtt_us: u32,
    cwnd: u32,
    bytes_in_flight: u32,
    packets_sent: u64,
    packets_acked: u64,
    packets_retrans: u64,
    evs: Vec<ConnEv>,
    /// Whether text shows a line per EV (JSON always has them).
    #[serde(skip)]
    details: bool,
}

fn addr(r: &Reply, ty: u16) -> String {
    r.get(ty)
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
        .map_or_else(|| "?".to_string(), |a| Ipv6Addr::from(a).to_string())
}

impl Conn {
    fn from(r: &Reply, details: bool) -> Conn {
        let n32 = |ty| r.u32(ty).unwrap_or_default();
        let n64 = |ty| r.u64(ty).unwrap_or_default();
        Conn {
            local_conn: n32(MRC_A_CONN_LOCAL_CONN),
            peer_conn: n32(MRC_A_CONN_PEER_CONN),
            state: conn_state_name(r.u32(MRC_A_CONN_STATE)),
            local_addr: addr(r, MRC_A_CONN_LOCAL_ADDR),
            local_port: r.u16(MRC_A_CONN_LOCAL_PORT).unwrap_or_default(),
            peer_addr: addr(r, MRC_A_CONN_PEER_ADDR),
            peer_port: r.u16(MRC_A_CONN_PEER_PORT).unwrap_or_default(),
            ev_profile_id: n64(MRC_A_CONN_EV_PROFILE_ID),
            cc_profile_id: n64(MRC_A_CONN_CC_PROFILE_ID),
            ev_count: n32(MRC_A_CONN_EV_COUNT),
            active_evs: n32(MRC_A_CONN_ACTIVE_EVS),
            srtt_us: n32(MRC_A_CONN_SRTT),
            cwnd: n32(MRC_A_CONN_CWND),
            bytes_in_flight: n32(MRC_A_CONN_BYTES_IN_FLIGHT),
            packets_sent: n64(MRC_A_CONN_PACKETS_SENT),
            packets_acked: n64(MRC_A_CONN_PACKETS_ACKED),
            packets_retrans: n64(MRC_A_CONN_PACKETS_RETRANS),
            evs: r
                .all(MRC_A_CONN_EV)
                .map(|nest| ConnEv::from(&Reply::parse(nest)))
                .collect(),
            details,
        }
    }
}

impl Render for Conn {
    /// The ss-like line; with `details`, a line per EV under it.
    fn text(&self) -> String {
        let port = |p: u16| {
            if p == 0 {
                "*".to_string()
            } else {
                p.to_string()
            }
        };
        let mut out = format!(
            "{} [{}]:{} conn {} peer [{}]:{} conn {} ev-profile {} cc-profile {} \
             evs {}/{} rtt {}us cwnd {} inflight {} sent {} acked {} retrans {}",
            self.state,
            self.local_addr,
            self.local_port,
            self.local_conn,
            self.peer_addr,
            port(self.peer_port),
            self.peer_conn,
            self.ev_profile_id,
            self.cc_profile_id,
            self.active_evs,
            self.ev_count,
            self.srtt_us,
            self.cwnd,
            self.bytes_in_flight,
            self.packets_sent,
            self.packets_acked,
            self.packets_retrans
        );
        if self.details {
            for ev in &self.evs {
                out += &format!(
                    "\n    ev {} {} rtt {}us sent {} acked {} lost {} timeouts {}",
                    ev.index,
                    ev.state,
                    ev.srtt_us,
                    ev.packets_sent,
                    ev.packets_acked,
                    ev.lost,
                    ev.timeouts
                );
            }
        }
        out
    }
}

/// Runs a `conn` command; `details` shows each EV in text.
pub fn run(command: ConnCommand, details: bool, format: Format) -> Result<(), Failure> {
    let ConnCommand::Show { conn } = command;
    let mrc = Mrc::open()?;
    let key = conn.map(|n| vec![Attr::u32(MRC_A_CONN_LOCAL_CONN, "local-conn", n)]);
    let found = mrc.show(MRC_CMD_CONN_GET, &[], key.as_deref())?;
    output::print(&found.map(|r, _| Conn::from(r, details)), format)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nl::Found;

    /// A connection with two EVs, as the kernel encodes it.
    fn reply() -> Reply {
        let mut local = [0u8; 16];
        local[15] = 1;
        let peer = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let ev = |i: u32, state: u32| {
            Attr::nest(
                MRC_A_CONN_EV,
                "ev",
                vec![
                    Attr::u32(MRC_A_CONN_EV_INDEX, "index", i),
                    Attr::u32(MRC_A_CONN_EV_STATE, "state", state),
                    Attr::u32(MRC_A_CONN_EV_SRTT, "srtt", 40 + i),
                    Attr::u64(MRC_A_CONN_EV_PACKETS_SENT, "packets-sent", 100),
                    Attr::u64(MRC_A_CONN_EV_PACKETS_ACKED, "packets-acked", 99),
                    Attr::u64(MRC_A_CONN_EV_LOST, "lost", 1),
                    Attr::u64(MRC_A_CONN_EV_TIMEOUTS, "timeouts", 0),
                ],
            )
        };
        let attrs = [
            Attr::u32(MRC_A_CONN_LOCAL_CONN, "local-conn", 0x1234),
            Attr::u32(MRC_A_CONN_PEER_CONN, "peer-conn", 77),
            Attr::bytes(MRC_A_CONN_LOCAL_ADDR, "local-addr", &local),
            Attr::bytes(MRC_A_CONN_LOCAL_PORT, "local-port", &7300u16.to_ne_bytes()),
            Attr::bytes(MRC_A_CONN_PEER_ADDR, "peer-addr", &peer),
            Attr::bytes(MRC_A_CONN_PEER_PORT, "peer-port", &0u16.to_ne_bytes()),
            Attr::u32(MRC_A_CONN_STATE, "state", MRC_STATE_ESTABLISHED),
            Attr::u64(MRC_A_CONN_EV_PROFILE_ID, "ev-profile-id", 12),
            Attr::u64(MRC_A_CONN_CC_PROFILE_ID, "cc-profile-id", 13),
            Attr::u32(MRC_A_CONN_EV_COUNT, "ev-count", 2),
            Attr::u32(MRC_A_CONN_ACTIVE_EVS, "active-evs", 1),
            Attr::u32(MRC_A_CONN_SRTT, "srtt", 41),
            Attr::u32(MRC_A_CONN_CWND, "cwnd", 18750),
            Attr::u32(MRC_A_CONN_BYTES_IN_FLIGHT, "bytes-in-flight", 4096),
            Attr::u64(MRC_A_CONN_PACKETS_SENT, "packets-sent", 200),
            Attr::u64(MRC_A_CONN_PACKETS_ACKED, "packets-acked", 198),
            Attr::u64(MRC_A_CONN_PACKETS_RETRANS, "packets-retrans", 2),
            ev(0, MRC_EV_GOOD),
            ev(1, MRC_EV_ASSUMED_BAD),
        ];
        Reply::parse(&attrs.iter().flat_map(Attr::encoded).collect::<Vec<_>>())
    }

    #[test]
    fn text_is_one_line_per_connection_and_evs_with_details() {
        assert_eq!(
            Conn::from(&reply(), false).text(),
            "established [::1]:7300 conn 4660 peer [fd00::2]:* conn 77 ev-profile 12 \
             cc-profile 13 evs 1/2 rtt 41us cwnd 18750 inflight 4096 sent 200 acked 198 \
             retrans 2"
        );
        let text = Conn::from(&reply(), true).text();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[2],
            "    ev 1 assumed-bad rtt 41us sent 100 acked 99 lost 1 timeouts 0"
        );
    }

    #[test]
    fn json_has_every_field_and_the_evs_without_details() {
        let listing = Found::All(vec![Conn::from(&reply(), false)]);
        let v: serde_json::Value = serde_json::to_value(&listing).unwrap();
        let c = &v[0];
        assert_eq!(c["state"], "established");
        assert_eq!(c["local_addr"], "::1");
        assert_eq!(c["local_port"], 7300);
        assert_eq!(c["peer_port"], 0);
        assert_eq!(c["ev_profile_id"], 12);
        assert_eq!(c["packets_retrans"], 2);
        assert_eq!(c["evs"].as_array().unwrap().len(), 2);
        assert_eq!(c["evs"][1]["state"], "assumed-bad");
        assert_eq!(c["evs"][1]["srtt_us"], 41);
    }
}
