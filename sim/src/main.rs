//! `mrcsim`: run one simulated MRC scenario and report its figures.
//!
//! ```text
//! mrcsim --paths 8 --rate-gbps 10 --delay-us 5 --size-mib 64 --loss 0.01 \
//!        --jitter-us 2 --blackhole 3 --at-us 500 --restore-us 3000 --json out.json
//! ```

use std::process::ExitCode;

use clap::Parser;
use mrc_sim::{run, FaultSpec, Scenario};

/// Command-line scenario.
#[derive(Parser, Debug)]
#[command(
    name = "mrcsim",
    about = "Deterministic MRC simulator: goodput, spraying, recovery, integrity"
)]
struct Args {
    /// Number of paths.
    #[arg(long, default_value_t = 8)]
    paths: usize,
    /// Rate of each path, Gb/s.
    #[arg(long, default_value_t = 10.0)]
    rate_gbps: f64,
    /// One-way propagation delay of each path, µs.
    #[arg(long, default_value_t = 5.0)]
    delay_us: f64,
    /// Queue capacity of each path direction, KiB.
    #[arg(long, default_value_t = 512)]
    queue_kib: u64,
    /// Random loss probability per packet, every path.
    #[arg(long, default_value_t = 0.0)]
    loss: f64,
    /// Per-packet jitter (reordering), µs.
    #[arg(long, default_value_t = 0.0)]
    jitter_us: f64,
    /// ECN marking threshold, KiB of backlog (0: no marking).
    #[arg(long, default_value_t = 128)]
    ecn_kib: u64,
    /// Trim overflowing packets instead of dropping them.
    #[arg(long)]
    trimming: bool,
    /// Path to blackhole.
    #[arg(long)]
    blackhole: Option<usize>,
    /// When the blackhole starts, µs.
    #[arg(long, default_value_t = 500.0)]
    at_us: f64,
    /// When the blackholed path comes back, µs.
    #[arg(long)]
    restore_us: Option<f64>,
    /// MiB to transfer.
    #[arg(long, default_value_t = 64)]
    size_mib: u64,
    /// Smallest message, bytes.
    #[arg(long, default_value_t = 1)]
    min_msg: u32,
    /// Largest message, bytes.
    #[arg(long, default_value_t = 262_144)]
    max_msg: u32,
    /// Concurrent flows sharing the paths.
    #[arg(long, default_value_t = 1)]
    flows: usize,
    /// EVs per connection (default: one per path); EV i takes path i % paths.
    #[arg(long)]
    evs: Option<u16>,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write the report as JSON to this file.
    #[arg(long)]
    json: Option<String>,
}

fn main() -> ExitCode {
    let a = Args::parse();
    if a.paths == 0 || a.rate_gbps <= 0.0 || a.min_msg > a.max_msg || a.flows == 0 {
        eprintln!(
            "mrcsim: need at least one path and flow, a positive rate and min-msg <= max-msg"
        );
        return ExitCode::from(2);
    }
    let mut s = Scenario::uniform(
        a.paths,
        (a.rate_gbps * 1e9) as u64,
        (a.delay_us * 1e3) as u64,
        a.size_mib << 20,
        a.seed,
    );
    for p in &mut s.paths {
        p.queue_bytes = a.queue_kib * 1024;
        p.loss = a.loss;
        p.jitter_ns = (a.jitter_us * 1e3) as u64;
        p.ecn_threshold_bytes = (a.ecn_kib > 0).then_some(a.ecn_kib * 1024);
        p.trimming = a.trimming;
    }
    for f in &mut s.flows {
        f.min_msg = a.min_msg;
        f.max_msg = a.max_msg;
    }
    let template = s.flows[0].clone();
    s.flows = vec![template; a.flows];
    if let Some(path) = a.blackhole {
        if path >= a.paths {
            eprintln!("mrcsim: --blackhole {path} but only {} paths", a.paths);
            return ExitCode::from(2);
        }
        s.faults.push(FaultSpec {
            path,
            at_ns: (a.at_us * 1e3) as u64,
            restore_ns: a.restore_us.map(|r| (r * 1e3) as u64),
        });
    }
    if let Some(evs) = a.evs {
        if evs == 0 || evs > mrc_proto::path::MAX_EVS {
            eprintln!("mrcsim: --evs must be 1..={}", mrc_proto::path::MAX_EVS);
            return ExitCode::from(2);
        }
        s.evs = evs;
    }
    s.tune_conn();
    let report = run(s);
    print!("{}", report.text());
    if let Some(path) = a.json {
        let text = serde_json::to_string_pretty(&report.json()).expect("JSON of plain values");
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("mrcsim: cannot write {path}: {e}");
            return ExitCode::from(1);
        }
    }
    if report.flows.iter().all(|f| f.integrity_ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
