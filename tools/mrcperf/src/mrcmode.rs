//! `--proto mrc`: the message exchange (`msgperf`) on AF_MRC sockets
//! (`mrc`), with the MRC-only options, the path snapshots (`pathinfo`)
//! and the client's report.

use std::fs::File;
use std::io;
use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use clap::Args;

use crate::mrc::{self, MrcAddr, MrcOptions, MAX_MESSAGE};
use crate::msgperf::{self, ClientPlan};
use crate::pathinfo::{self, Sample};
use crate::report::{ClientReport, MrcReport, ReverseReport};
use crate::seqsock::SeqSocket;
use crate::series::intervals;
use crate::sizes::SizeRange;
use crate::transport::Proto;
use crate::{ClientArgs, ServerArgs};

/// Without --stall-timeout: the longest any one send or receive may wait.
const DEFAULT_STALL_S: f64 = 120.0;
/// Without --path-info-ms.
const DEFAULT_PATH_INFO_MS: u32 = 200;

// srv6, evs and stall_timeout twin MrcClientArgs's: the help speaks of the listener here, and clap's --help keeps field order.
/// The server's MRC-only options.
#[derive(Args, Debug, Default)]
pub struct MrcServerArgs {
    /// (mrc) MRC_SRV6_PATHS on the listener: uSID containers toward the
    /// clients (EV i is sent via container i); accepted connections take them.
    #[arg(long, value_delimiter = ',', value_name = "ADDR,...")]
    pub srv6: Vec<Ipv6Addr>,
    /// (mrc) MRC_EV_COUNT on the listener: EVs of the AUTO profile.
    #[arg(long, value_name = "N")]
    pub evs: Option<u32>,
    /// (mrc) Seconds any one send or receive may wait before the connection
    /// is given up [default: 120].
    #[arg(long, value_name = "SECS")]
    pub stall_timeout: Option<f64>,
}

impl MrcServerArgs {
    pub fn any(&self) -> bool {
        !self.srv6.is_empty() || self.evs.is_some() || self.stall_timeout.is_some()
    }
}

/// The client's MRC-only options.
#[derive(Args, Debug, Default)]
pub struct MrcClientArgs {
    /// (mrc) The server sends a stream back while it receives: --bytes each
    /// way (with --seconds, until the client's stream ends).
    #[arg(long)]
    pub bidir: bool,
    // srv6 and evs twin MrcServerArgs's (see there).
    /// (mrc) MRC_SRV6_PATHS: uSID containers toward the server (EV i is sent
    /// via container i). Without it the EVs are UDP/flow-label entropy.
    #[arg(long, value_delimiter = ',', value_name = "ADDR,...")]
    pub srv6: Vec<Ipv6Addr>,
    /// (mrc) MRC_EV_COUNT: EVs of the AUTO profile.
    #[arg(long, value_name = "N")]
    pub evs: Option<u32>,
    /// (mrc) MRC_EV_PROFILE: send with the EVs of this online EV profile
    /// (made with mrcctl) instead of --srv6 or the AUTO profile.
    #[arg(long, value_name = "ID")]
    pub ev_profile: Option<u64>,
    /// (mrc) The largest message; sizes are drawn log-uniformly from
    /// --min-msg up to it, from the seed [default: 1M].
    #[arg(long, value_name = "SIZE", value_parser = parse_msg_size)]
    pub max_msg: Option<u32>,
    /// (mrc) The smallest message [default: 1]; equal to --max-msg, every
    /// message has that size.
    #[arg(long, value_name = "SIZE", value_parser = parse_msg_size)]
    pub min_msg: Option<u32>,
    /// (mrc) Write MRC_INFO and MRC_PATH_INFO snapshots (per EV state,
    /// RTT, losses) to FILE while the transfer runs, one JSON line each.
    #[arg(long, value_name = "FILE")]
    pub path_info_json: Option<PathBuf>,
    /// (mrc) Snapshot period for --path-info-json [default: 200].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u32).range(1..))]
    pub path_info_ms: Option<u32>,
    /// (mrc) After the transfer, keep the connection open (still
    /// snapshotting) until every EV is active (GOOD or SKIP), for at most
    /// SECS.
    #[arg(long, value_name = "SECS")]
    pub linger_active: Option<f64>,
    /// (mrc) Seconds any one send or receive may wait before the transfer
    /// is given up [default: 120].
    #[arg(long, value_name = "SECS")]
    pub stall_timeout: Option<f64>,
    /// (mrc) With --seconds: SIGUSR1 ends the sending earlier; the End,
    /// the report and the JSON follow as after the time.
    #[arg(long, requires = "seconds")]
    pub until_signal: bool,
}

impl MrcClientArgs {
    pub fn any(&self) -> bool {
        self.bidir
            || !self.srv6.is_empty()
            || self.evs.is_some()
            || self.ev_profile.is_some()
            || self.max_msg.is_some()
            || self.min_msg.is_some()
            || self.path_info_json.is_some()
            || self.path_info_ms.is_some()
            || self.linger_active.is_some()
            || self.stall_timeout.is_some()
            || self.until_signal
    }
}

fn parse_msg_size(s: &str) -> Result<u32, String> {
    let n = crate::parse_size(s)?;
    u32::try_from(n)
        .ok()
        .filter(|&n| (1..=MAX_MESSAGE).contains(&n))
        .ok_or_else(|| format!("from 1 to 1M (one MRC message): {s}"))
}

/// --min-msg and --max-msg.
fn size_range(m: &MrcClientArgs) -> io::Result<SizeRange> {
    let r = SizeRange {
        min: m.min_msg.unwrap_or(1),
        max: m.max_msg.unwrap_or(MAX_MESSAGE),
    };
    if r.min > r.max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("--min-msg {} is above --max-msg {}", r.min, r.max),
        ));
    }
    Ok(r)
}

fn parse_v6(s: &str) -> io::Result<Ipv6Addr> {
    s.parse().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not an IPv6 address (MRC runs over IPv6): {s}"),
        )
    })
}

fn stall(s: Option<f64>) -> io::Result<Duration> {
    Duration::try_from_secs_f64(s.unwrap_or(DEFAULT_STALL_S))
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("--stall-timeout: {e}")))
}

// ---------------------------------------------------------------- server

pub fn server(a: &ServerArgs) -> io::Result<bool> {
    let m = &a.mrc;
    let opts = MrcOptions {
        evs: m.evs,
        srv6: m.srv6.clone(),
        ev_profile: None,
    };
    let stall = stall(m.stall_timeout)?;
    let listener = mrc::listen(&MrcAddr::new(parse_v6(&a.bind)?, a.port), &opts)?;
    let local = listener
        .local_addr()
        .map_or_else(|_| format!("[{}]:{}", a.bind, a.port), |l| l.to_string());
    eprintln!("mrcperf: mrc server listening on {local}");
    loop {
        let (sock, peer) = listener.accept()?;
        let peer = peer.map_or_else(|| "?".to_string(), |p| p.to_string());
        if a.once {
            return Ok(serve(&sock, &peer, stall));
        }
        thread::spawn(move || serve(&sock, &peer, stall));
    }
}

/// One connection: the exchange, then a JSON line with the verdict and
/// the connection's MRC_INFO.
fn serve(sock: &SeqSocket, peer: &str, stall: Duration) -> bool {
    match msgperf::serve(sock, stall) {
        Ok(msgperf::Served { hello, report, bye }) => {
            let r = &report.received;
            let line = serde_json::json!({
                "proto": Proto::Mrc, "peer": peer, "seed": hello.seed, "bidir": hello.bidir(),
                "min_msg": hello.sizes.min, "max_msg": hello.sizes.max, "bytes": r.bytes, "messages": r.messages,
                "intact": r.intact, "first_mismatch": r.first_mismatch,
                "bad_message": r.bad_message, "seconds": r.seconds(),
                "reverse_bytes": report.reverse_bytes, "reverse_messages": report.reverse_messages,
                "bye": bye, "mrc_info": mrc::info(sock).ok(),
            });
            println!("{line}");
            r.intact
        }
        Err(e) => {
            eprintln!("mrcperf: {peer}: {e}");
            let line = serde_json::json!({
                "proto": Proto::Mrc, "peer": peer, "intact": false, "error": e.to_string(),
            });
            println!("{line}");
            false
        }
    }
}

// ---------------------------------------------------------------- client

/// Snapshots until every EV is active or `secs` have passed; the last one.
fn linger(sock: &SeqSocket, start: Instant, secs: Option<f64>, period: Duration) -> Sample {
    let until = Instant::now() + Duration::from_secs_f64(secs.unwrap_or(0.0).max(0.0));
    loop {
        let s = Sample::take(sock, start);
        if s.all_active() || Instant::now() >= until {
            return s;
        }
        thread::sleep(period);
    }
}

pub fn client(a: &ClientArgs) -> io::Result<bool> {
    let m = &a.mrc;
    let dst = MrcAddr::new(parse_v6(&a.connect)?, a.port);
    let src = a.bind.as_deref().map(parse_v6).transpose()?;
    let opts = MrcOptions {
        evs: m.evs,
        srv6: m.srv6.clone(),
        ev_profile: m.ev_profile,
    };
    let plan = ClientPlan {
        seed: crate::seed_or_clock(a.seed),
        interval_ms: a.interval_ms,
        bytes: a.bytes,
        seconds: a.seconds,
        sizes: size_range(m)?,
        bidir: m.bidir,
        stall: stall(m.stall_timeout)?,
        until_signal: m.until_signal,
    };
    let period = Duration::from_millis(m.path_info_ms.unwrap_or(DEFAULT_PATH_INFO_MS).into());
    let snapshots = m.path_info_json.as_ref().map(File::create).transpose()?;

    if m.until_signal {
        crate::stopsig::arm()?;
    }
    let t_connect = Instant::now();
    let sock = mrc::connect(src, &dst, &opts)?;
    let connect_seconds = t_connect.elapsed().as_secs_f64();
    let start = Instant::now();
    let stop = AtomicBool::new(false);
    let (outcome, last) = thread::scope(|s| {
        let sampler = snapshots.map(|f| s.spawn(|| pathinfo::run(&sock, start, period, f, &stop)));
        let r = msgperf::client(&sock, &plan);
        // The last snapshot (after lingering) comes before the Bye: the
        // server closes on it.
        let last = r
            .is_ok()
            .then(|| linger(&sock, start, m.linger_active, period));
        stop.store(true, Ordering::Relaxed);
        if let Some(Err(e)) = sampler.map(|h| h.join()) {
            eprintln!("mrcperf: path snapshots: {e:?}");
        }
        if r.is_ok() {
            msgperf::bye(&sock)?;
        }
        r.map(|o| (o, last))
    })?;

    let rep = &outcome.report;
    let rx = &rep.received;
    let forward_intact =
        rx.intact && rx.bytes == outcome.sent.bytes && rx.messages == outcome.sent.messages;
    let reverse = outcome.reverse.as_ref().map(|v| ReverseReport {
        bytes_sent: rep.reverse_bytes,
        bytes_received: v.bytes,
        messages: v.messages,
        intact: v.intact && v.bytes == rep.reverse_bytes && v.messages == rep.reverse_messages,
        first_mismatch: v.first_mismatch,
        bad_message: v.bad_message,
        seconds: v.seconds(),
        goodput_bps: rate(v.bytes, v.seconds()),
        intervals: intervals(&v.intervals, v.interval_ms),
    });
    let r = ClientReport {
        proto: Proto::Mrc,
        connect: a.connect.clone(),
        port: a.port,
        bind: a.bind.clone(),
        bytes_sent: outcome.sent.bytes,
        bytes_received: rx.bytes,
        intact: forward_intact && reverse.as_ref().is_none_or(|v| v.intact),
        first_mismatch: rx.first_mismatch,
        connect_seconds,
        seconds: outcome.seconds,
        goodput_bps: rate(rx.bytes, outcome.seconds),
        receiver_goodput_bps: rate(rx.bytes, rx.seconds()),
        mptcp_subflows: None,
        interval_ms: rx.interval_ms,
        start_epoch_ns: outcome.start_epoch_ns,
        receiver_start_epoch_ns: rx.start_epoch_ns,
        intervals: intervals(&rx.intervals, rx.interval_ms),
        sender_intervals: intervals(&outcome.sent_bins, a.interval_ms),
        mrc: Some(MrcReport {
            forward_intact,
            messages_sent: outcome.sent.messages,
            messages_received: rx.messages,
            bad_message: rx.bad_message,
            min_msg: plan.sizes.min,
            max_msg: plan.sizes.max,
            bidir: plan.bidir,
            evs: m.evs,
            srv6: m.srv6.iter().map(ToString::to_string).collect(),
            reverse,
            last_sample: last,
        }),
    };
    crate::report::print(&r, a.quiet)?;
    if let Some(path) = &a.json {
        crate::report::write_json(path, &r)?;
    }
    Ok(r.intact)
}

fn rate(bytes: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        bytes as f64 * 8.0 / seconds
    } else {
        0.0
    }
}
