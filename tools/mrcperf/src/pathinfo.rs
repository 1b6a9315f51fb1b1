//! Snapshots of an MRC connection's state (MRC_INFO) and of its paths, one
//! entry per EV (MRC_PATH_INFO), taken periodically while a transfer runs
//! and written as JSON lines (`--path-info-json`), so a test can tell
//! which EVs were ASSUMED_BAD at which time:
//!
//! ```text
//! {"t":1.2,"epoch":1767000000.25,"conn_state":"ESTABLISHED","info":{...},
//!  "paths":[{"ev":0,"state":"GOOD","srtt_us":180,"packets_sent":..,
//!  "packets_acked":..,"lost":0,"timeouts":0},...]}
//! ```
//!
//! `t` is seconds since the client's start, `epoch` the wall clock (what a
//! shell's `$EPOCHREALTIME` reads), so samples line up with faults injected
//! from outside. A getsockopt that fails gives a line with `"error"`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::mrc::{self, MrcInfo};
use crate::seqsock::SeqSocket;
use crate::series::wall_clock;

/// One EV in a snapshot.
#[derive(Clone, Debug, Serialize)]
pub struct EvSample {
    pub ev: usize,
    pub state: &'static str,
    pub srtt_us: u32,
    pub packets_sent: u64,
    pub packets_acked: u64,
    pub lost: u64,
    pub timeouts: u64,
}

/// One snapshot of a connection.
#[derive(Clone, Debug, Serialize)]
pub struct Sample {
    pub t: f64,
    pub epoch: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conn_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<MrcInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<EvSample>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Sample {
    /// Takes a snapshot of `sock`; `start` is the time origin of `t`.
    pub fn take(sock: &SeqSocket, start: Instant) -> Self {
        let epoch = wall_clock();
        let t = start.elapsed().as_secs_f64();
        let mut errors = Vec::new();
        let info = mrc::info(sock)
            .map_err(|e| errors.push(format!("MRC_INFO: {e}")))
            .ok();
        let paths = mrc::path_info(sock)
            .map(|v| {
                v.iter()
                    .enumerate()
                    .map(|(ev, p)| EvSample {
                        ev,
                        state: mrc::ev_state_name(p.state),
                        srtt_us: p.srtt_us,
                        packets_sent: p.packets_sent,
                        packets_acked: p.packets_acked,
                        lost: p.lost,
                        timeouts: p.timeouts,
                    })
                    .collect()
            })
            .map_err(|e| errors.push(format!("MRC_PATH_INFO: {e}")))
            .ok();
        Self {
            t,
            epoch,
            conn_state: info.map(|i| mrc::conn_state_name(i.state)),
            info,
            paths,
            error: (!errors.is_empty()).then(|| errors.join("; ")),
        }
    }

    /// Every EV is active, GOOD or SKIP (and there is at least one). SKIP
    /// is usable: the EV's next turn of the spraying is skipped after an
    /// ECN mark or a trimmed packet, and an idle connection, taking no
    /// turns, keeps it.
    pub fn all_active(&self) -> bool {
        self.paths
            .as_ref()
            .is_some_and(|p| !p.is_empty() && p.iter().all(|e| matches!(e.state, "GOOD" | "SKIP")))
    }

    /// "4 EVs: GOOD GOOD ASSUMED_BAD GOOD", for the text report.
    pub fn summary(&self) -> String {
        match &self.paths {
            Some(p) => {
                let states: Vec<&str> = p.iter().map(|e| e.state).collect();
                format!("{} EVs: {}", p.len(), states.join(" "))
            }
            None => format!(
                "no path info ({})",
                self.error.as_deref().unwrap_or("unknown")
            ),
        }
    }
}

/// Appends one snapshot to `out` as a JSON line.
pub fn write_line(out: &mut impl Write, s: &Sample) -> io::Result<()> {
    serde_json::to_writer(&mut *out, s).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Samples `sock` every `period` into `file` until `stop` is set, then
/// once more.
pub fn run(
    sock: &SeqSocket,
    start: Instant,
    period: Duration,
    file: File,
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut out = BufWriter::new(file);
    let step = period.min(Duration::from_millis(20));
    loop {
        let next = Instant::now() + period;
        write_line(&mut out, &Sample::take(sock, start))?;
        while Instant::now() < next {
            if stop.load(Ordering::Relaxed) {
                return write_line(&mut out, &Sample::take(sock, start));
            }
            std::thread::sleep(step);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ev: usize, state: &'static str) -> EvSample {
        EvSample {
            ev,
            state,
            srtt_us: 1,
            packets_sent: 2,
            packets_acked: 2,
            lost: 0,
            timeouts: 0,
        }
    }

    #[test]
    fn states_and_json() {
        let mut s = Sample {
            t: 1.5,
            epoch: 100.25,
            conn_state: Some("ESTABLISHED"),
            info: Some(MrcInfo::default()),
            paths: Some(vec![ev(0, "GOOD"), ev(1, "ASSUMED_BAD")]),
            error: None,
        };
        assert!(!s.all_active());
        assert_eq!(s.summary(), "2 EVs: GOOD ASSUMED_BAD");
        let mut line = Vec::new();
        write_line(&mut line, &s).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(v["paths"][1]["state"], "ASSUMED_BAD");
        assert_eq!(v["info"]["bytes_acked"], 0);
        assert!(v["info"].get("pad").is_none() && v.get("error").is_none());
        assert!(line.ends_with(b"}\n"));
        s.paths = Some(vec![ev(0, "GOOD"), ev(1, "SKIP")]);
        assert!(s.all_active());
        s.paths = Some(vec![ev(0, "GOOD"), ev(1, "DENIED")]);
        assert!(!s.all_active());
        s.paths = Some(vec![]);
        assert!(!s.all_active());
    }

    /// On a socket that is not MRC, the snapshot says why it has nothing.
    #[test]
    fn failing_getsockopt_is_reported() {
        let (a, _b) = SeqSocket::pair(1024).unwrap();
        let s = Sample::take(&a, Instant::now());
        assert!(s.info.is_none() && s.paths.is_none());
        assert!(s.error.unwrap().contains("MRC_PATH_INFO"));
    }
}
