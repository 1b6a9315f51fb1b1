//! `mrcperf`: a goodput client/server for AF_MRC and the transports MRC
//! is compared with (TCP, MPTCP).
//!
//! ```text
//! mrcperf server --proto tcp|mptcp|mrc [--bind ADDR] [--port P] [--once]
//!                [mrc: --srv6 ADDR,... --evs N]
//! mrcperf client --proto tcp|mptcp|mrc --connect ADDR [--port P] [--bind SRC]
//!                (--bytes N | --seconds S) [--interval-ms 100] [--json FILE]
//!                [mrc: --bidir --srv6 ADDR,... --evs N --max-msg SIZE
//!                 --path-info-json FILE --path-info-ms MS --linger-active S
//!                 --until-signal]
//! mrcperf idle --seconds S
//! ```
//!
//! The client sends a deterministic pattern (`pattern`); the server checks
//! every byte, keeps a goodput series per interval as it receives, and,
//! after the client's EOF, answers with its report (`wire`). The client
//! prints the receiver's series and the totals, and writes them as JSON.
//! Goodput is verified bytes over the client's time from connection set-up
//! to the report's arrival: buffered, unacknowledged data never counts.
//!
//! AF_MRC keeps message boundaries, so `--proto mrc` sends the pattern in
//! messages of seeded mixed sizes (`sizes`), checked message by message,
//! optionally both ways at once (`msgwire`, `msgperf`, `mrcmode`).
//!
//! `idle` measures the CPU time the rest of the system leaves idle
//! (the `idle` module): it prints each CPU's count of an idle-priority spinner's loops
//! as JSON, to compare with the count on a quiet system.
//!
//! Exit status: 0 success; 1 the data arrived damaged or incomplete, or an
//! I/O error; 2 usage.

mod codec;
mod idle;
#[cfg(test)]
mod interop_tests;
mod mrc;
mod mrcmode;
mod msgcheck;
mod msgperf;
mod msgwire;
mod pathinfo;
mod pattern;
mod report;
mod seqsock;
mod series;
mod sizes;
mod stopsig;
mod transport;
mod wire;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};

use mrcmode::{MrcClientArgs, MrcServerArgs};
use pattern::Pattern;
use report::ClientReport;
use series::{intervals, nanos, Series};
use transport::{Conn, Proto};
use wire::{Header, ServerReport};

/// Read and write size.
const CHUNK: usize = 256 << 10;

/// Goodput benchmark for AF_MRC, TCP and MPTCP.
#[derive(Parser, Debug)]
#[command(
    name = "mrcperf",
    version,
    about,
    after_help = "Exit codes: 0 success, 1 failure (damaged or missing data, I/O error), 2 usage."
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Accept connections and check what they carry.
    Server(ServerArgs),
    /// Send a pattern and report the verified goodput.
    Client(ClientArgs),
    /// Count the loops of an idle-priority spinner on every CPU.
    Idle(IdleArgs),
}

#[derive(Args, Debug)]
struct IdleArgs {
    /// Seconds to spin for.
    #[arg(long)]
    seconds: f64,
}

#[derive(Args, Debug)]
struct ServerArgs {
    /// Transport protocol.
    #[arg(long, value_enum, default_value_t = Proto::Tcp)]
    proto: Proto,
    /// Local address to listen on.
    #[arg(long, default_value = "::")]
    bind: String,
    /// Port to listen on.
    #[arg(long, default_value_t = 5201)]
    port: u16,
    /// Exit after the first connection (status 1 if it was not intact).
    #[arg(long)]
    once: bool,
    #[command(flatten)]
    mrc: MrcServerArgs,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("amount").required(true).args(["bytes", "seconds"])))]
struct ClientArgs {
    /// Transport protocol.
    #[arg(long, value_enum, default_value_t = Proto::Tcp)]
    proto: Proto,
    /// Server address.
    #[arg(long)]
    connect: String,
    /// Server port.
    #[arg(long, default_value_t = 5201)]
    port: u16,
    /// Local (source) address; in the test fabric it picks the path.
    #[arg(long)]
    bind: Option<String>,
    /// Bytes to send (suffixes K, M, G: powers of 1024).
    #[arg(long, value_parser = parse_size)]
    bytes: Option<u64>,
    /// Seconds to send for.
    #[arg(long)]
    seconds: Option<f64>,
    /// Interval of the goodput series, in milliseconds.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    interval_ms: u32,
    /// Write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Pattern seed (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
    /// Print only the summary line(s).
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    mrc: MrcClientArgs,
}

/// "123", "64K", "10M", "1G" (binary multiples).
fn parse_size(s: &str) -> Result<u64, String> {
    let (num, mult) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&s[..s.len() - 1], 1 << 20),
        Some('g' | 'G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("not a positive size: {s}"))
}

/// The pattern seed: given, or from the clock.
fn seed_or_clock(seed: Option<u64>) -> u64 {
    seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            ^ u64::from(std::process::id())
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let misplaced_mrc_options = match &cli.cmd {
        Cmd::Server(a) => a.mrc.any() && a.proto != Proto::Mrc,
        Cmd::Client(a) => a.mrc.any() && a.proto != Proto::Mrc,
        Cmd::Idle(_) => false,
    };
    if misplaced_mrc_options {
        eprintln!("mrcperf: the options marked (mrc) need --proto mrc");
        return ExitCode::from(2);
    }
    let r = match cli.cmd {
        Cmd::Server(a) if a.proto == Proto::Mrc => mrcmode::server(&a),
        Cmd::Client(a) if a.proto == Proto::Mrc => mrcmode::client(&a),
        Cmd::Server(a) => server(&a),
        Cmd::Client(a) => client(&a),
        Cmd::Idle(a) => idle::spin(a.seconds).map(|loops| {
            println!(
                "{}",
                serde_json::json!({ "seconds": a.seconds, "loops": loops })
            );
            true
        }),
    };
    match r {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("mrcperf: {e}");
            ExitCode::from(1)
        }
    }
}

// ---------------------------------------------------------------- server

fn server(a: &ServerArgs) -> io::Result<bool> {
    let listener = transport::listen(a.proto, &a.bind, a.port)?;
    eprintln!(
        "mrcperf: {} server listening on [{}]:{}",
        a.proto,
        a.bind,
        listener.port()?
    );
    loop {
        let (conn, peer) = listener.accept()?;
        if a.once {
            return Ok(serve(conn, &peer, a.proto));
        }
        thread::spawn({
            let proto = a.proto;
            move || serve(conn, &peer, proto)
        });
    }
}

/// One connection: check it, answer with the report, print a JSON line.
fn serve(mut conn: Box<dyn Conn>, peer: &str, proto: Proto) -> bool {
    match receive(conn.as_mut()) {
        Ok(report) => {
            let sent = wire::write_report(&mut conn, &report);
            let line = serde_json::json!({
                "proto": proto, "peer": peer, "bytes": report.bytes, "intact": report.intact,
                "first_mismatch": report.first_mismatch, "seconds": report.seconds(),
                "mptcp_subflows": conn.mptcp_subflows(),
                "reply_sent": sent.is_ok(),
            });
            println!("{line}");
            report.intact && sent.is_ok()
        }
        Err(e) => {
            eprintln!("mrcperf: {peer}: {e}");
            false
        }
    }
}

fn receive(conn: &mut dyn Conn) -> io::Result<ServerReport> {
    let h = Header::read_from(conn)?;
    let pat = Pattern::new(h.seed);
    let mut series = Series::new(h.interval_ms);
    let (mut buf, mut scratch) = (vec![0u8; CHUNK], Vec::with_capacity(CHUNK));
    let (mut off, mut first_mismatch) = (0u64, None);
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        series.add(Instant::now(), n as u64);
        if first_mismatch.is_none() {
            first_mismatch = pat.check(off, &buf[..n], &mut scratch);
        }
        off += n as u64;
    }
    Ok(ServerReport {
        bytes: off,
        intact: first_mismatch.is_none() && (h.bytes == 0 || h.bytes == off),
        first_mismatch,
        ns: nanos(series.start.elapsed()),
        interval_ms: h.interval_ms,
        intervals: series.bins,
        start_epoch_ns: series.epoch_ns,
    })
}

// ---------------------------------------------------------------- client

fn client(a: &ClientArgs) -> io::Result<bool> {
    let seed = seed_or_clock(a.seed);
    let t_connect = Instant::now();
    let mut conn = transport::connect(a.proto, a.bind.as_deref(), &a.connect, a.port)?;
    let connect_seconds = t_connect.elapsed().as_secs_f64();
    let limit = a.bytes.unwrap_or(0);
    let deadline = a.seconds.map(Duration::from_secs_f64);
    let header = Header {
        seed,
        interval_ms: a.interval_ms,
        bytes: limit,
    };

    let mut sent_series = Series::new(a.interval_ms);
    let start = sent_series.start;
    conn.write_all(&header.encode())?;
    let pat = Pattern::new(seed);
    let mut buf = vec![0u8; CHUNK];
    let (mut off, mut subflows) = (0u64, conn.mptcp_subflows());
    let mut last_info = start;
    loop {
        let now = Instant::now();
        if deadline.is_some_and(|d| now.duration_since(start) >= d) || (limit != 0 && off >= limit)
        {
            break;
        }
        let n = if limit != 0 {
            (limit - off).min(CHUNK as u64) as usize
        } else {
            CHUNK
        };
        pat.fill(off, &mut buf[..n]);
        let w = match conn.write(&buf[..n]) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "connection closed",
                ))
            }
            Ok(w) => w,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        off += w as u64;
        let now = Instant::now();
        sent_series.add(now, w as u64);
        if now.duration_since(last_info) >= Duration::from_millis(200) {
            subflows = subflows.max(conn.mptcp_subflows());
            last_info = now;
        }
    }
    subflows = subflows.max(conn.mptcp_subflows());
    conn.shutdown_write()?;
    let report = wire::read_report(&mut conn)?;
    let seconds = start.elapsed().as_secs_f64();

    let rep = ClientReport {
        proto: a.proto,
        connect: a.connect.clone(),
        port: a.port,
        bind: a.bind.clone(),
        bytes_sent: off,
        bytes_received: report.bytes,
        intact: report.intact && report.bytes == off,
        first_mismatch: report.first_mismatch,
        connect_seconds,
        seconds,
        goodput_bps: report.bytes as f64 * 8.0 / seconds,
        receiver_goodput_bps: if report.ns > 0 {
            report.bytes as f64 * 8.0 / report.seconds()
        } else {
            0.0
        },
        mptcp_subflows: subflows,
        interval_ms: report.interval_ms,
        intervals: intervals(&report.intervals, report.interval_ms),
        start_epoch_ns: sent_series.epoch_ns,
        receiver_start_epoch_ns: Some(report.start_epoch_ns),
        sender_intervals: intervals(&sent_series.bins, a.interval_ms),
        mrc: None,
    };
    report::print(&rep, a.quiet)?;
    if let Some(path) = &a.json {
        report::write_json(path, &rep)?;
    }
    Ok(rep.intact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10"), Ok(10));
        assert_eq!(parse_size("4K"), Ok(4096));
        assert_eq!(parse_size("3m"), Ok(3 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("x").is_err());
        assert!(parse_size("99999999999G").is_err());
    }

    /// A loopback transfer through the real sockets, then a damaged stream.
    #[test]
    fn loopback_tcp_round_trip() {
        // The trait does not report a port-0 choice back: pick one from the pid.
        let port = 40000 + (std::process::id() % 20000) as u16;
        let listener = transport::listen(Proto::Tcp, "127.0.0.1", port).expect("listen");
        let srv = thread::spawn(move || {
            let (c, p) = listener.accept().unwrap();
            serve(c, &p, Proto::Tcp)
        });
        let args = ClientArgs {
            proto: Proto::Tcp,
            connect: "127.0.0.1".into(),
            port,
            bind: None,
            bytes: Some(3 << 20),
            seconds: None,
            interval_ms: 50,
            json: None,
            seed: Some(9),
            quiet: true,
            mrc: MrcClientArgs::default(),
        };
        assert!(client(&args).unwrap());
        assert!(srv.join().unwrap());

        // A stream with one flipped byte is reported as damaged at that offset.
        let listener = transport::listen(Proto::Tcp, "127.0.0.1", port + 1).expect("listen");
        let srv = thread::spawn(move || receive(listener.accept().unwrap().0.as_mut()).unwrap());
        let mut c = transport::connect(Proto::Tcp, None, "127.0.0.1", port + 1).unwrap();
        c.write_all(
            &Header {
                seed: 5,
                interval_ms: 10,
                bytes: 0,
            }
            .encode(),
        )
        .unwrap();
        let mut data = vec![0u8; 100_000];
        Pattern::new(5).fill(0, &mut data);
        data[77_777] ^= 0x40;
        c.write_all(&data).unwrap();
        c.shutdown_write().unwrap();
        let rep = srv.join().unwrap();
        assert!(!rep.intact);
        assert_eq!(rep.first_mismatch, Some(77_777));
        assert_eq!(rep.bytes, 100_000);
    }
}
