//! What the client prints and writes as JSON, for every protocol.

use std::io::{self, Write};

use serde::Serialize;

use crate::pathinfo::Sample;
use crate::series::Interval;
use crate::transport::Proto;

// Fields alike wire::ServerReport's by shape: that is the server's wire JSON, this the client's output; the names are each format's.
/// The client's report.
#[derive(Serialize, Debug)]
pub struct ClientReport {
    pub proto: Proto,
    pub connect: String,
    pub port: u16,
    pub bind: Option<String>,
    /// Pattern bytes written by the client.
    pub bytes_sent: u64,
    /// Pattern bytes the server received and checked.
    pub bytes_received: u64,
    /// Every received byte matched and none was missing (both ways, for a
    /// bidirectional MRC transfer).
    pub intact: bool,
    pub first_mismatch: Option<u64>,
    /// Connection set-up time, seconds.
    pub connect_seconds: f64,
    /// From the connection's establishment to the server's report.
    pub seconds: f64,
    /// bytes_received * 8 / seconds.
    pub goodput_bps: f64,
    /// bytes_received * 8 / the server's receive time.
    pub receiver_goodput_bps: f64,
    /// Extra MPTCP subflows seen while sending (max), MPTCP only.
    pub mptcp_subflows: Option<u8>,
    pub interval_ms: u32,
    /// The wall clock (nanoseconds since 1970) when the client started
    /// sending: t = 0 of the sender's series.
    pub start_epoch_ns: u64,
    /// t = 0 of the receiver's series on its wall clock: when the server
    /// read the header or Hello, a one-way delay and the server's own
    /// scheduling later (the same clock when both run on one host).
    pub receiver_start_epoch_ns: Option<u64>,
    /// The receiver's goodput series.
    pub intervals: Vec<Interval>,
    /// The sender's series (bytes handed to the socket).
    pub sender_intervals: Vec<Interval>,
    /// AF_MRC only: messages, the reverse stream, the paths.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mrc: Option<MrcReport>,
}

// Fields alike ClientReport's by shape: each struct is one part of the output JSON, named as scripts read it.
/// The AF_MRC part of a report.
#[derive(Serialize, Debug)]
pub struct MrcReport {
    /// The client-to-server stream alone was intact.
    pub forward_intact: bool,
    /// Data messages sent and received by the server.
    pub messages_sent: u64,
    pub messages_received: u64,
    /// The first message that arrived other than sent, if any.
    pub bad_message: Option<u64>,
    pub min_msg: u32,
    pub max_msg: u32,
    pub bidir: bool,
    /// MRC_EV_COUNT and MRC_SRV6_PATHS as set.
    pub evs: Option<u32>,
    pub srv6: Vec<String>,
    /// The server-to-client stream (`--bidir`).
    pub reverse: Option<ReverseReport>,
    /// MRC_INFO and MRC_PATH_INFO at the end (after `--linger-active`).
    pub last_sample: Option<Sample>,
}

// Fields alike msgwire::StreamReport's, but this is the client's output JSON; that one is the wire's.
/// The reverse stream of a bidirectional transfer, checked by the client.
#[derive(Serialize, Debug)]
pub struct ReverseReport {
    /// What the server says it sent.
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub messages: u64,
    pub intact: bool,
    pub first_mismatch: Option<u64>,
    pub bad_message: Option<u64>,
    /// From the Hello to the reverse stream's End.
    pub seconds: f64,
    pub goodput_bps: f64,
    pub intervals: Vec<Interval>,
}

fn mbit(bps: f64) -> f64 {
    bps / 1e6
}

fn verdict(intact: bool) -> &'static str {
    if intact {
        "intact"
    } else {
        "DAMAGED"
    }
}

pub fn print(r: &ClientReport, quiet: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if !quiet {
        writeln!(
            out,
            "{:>8} {:>8} {:>12} {:>10}",
            "from_s", "to_s", "bytes", "Mbit/s"
        )?;
        let secs = f64::from(r.interval_ms) / 1000.0;
        for i in &r.intervals {
            writeln!(
                out,
                "{:>8.2} {:>8.2} {:>12} {:>10.2}",
                i.t,
                i.t + secs,
                i.bytes,
                mbit(i.bits_per_second)
            )?;
        }
    }
    let sub = r
        .mptcp_subflows
        .map(|s| format!(" extra_subflows={s}"))
        .unwrap_or_default();
    let forward_intact = r.mrc.as_ref().map_or(r.intact, |m| m.forward_intact);
    let msgs = r
        .mrc
        .as_ref()
        .map(|m| format!(" messages={}", m.messages_received))
        .unwrap_or_default();
    writeln!(
        out,
        "{} {} bytes in {:.3} s: goodput {:.2} Mbit/s (receiver {:.2}), {}{}{}",
        r.proto,
        r.bytes_received,
        r.seconds,
        mbit(r.goodput_bps),
        mbit(r.receiver_goodput_bps),
        verdict(forward_intact),
        sub,
        msgs
    )?;
    let Some(m) = &r.mrc else { return Ok(()) };
    if let Some(v) = &m.reverse {
        writeln!(
            out,
            "{} reverse {} bytes in {:.3} s: goodput {:.2} Mbit/s, {} messages={}",
            r.proto,
            v.bytes_received,
            v.seconds,
            mbit(v.goodput_bps),
            verdict(v.intact),
            v.messages
        )?;
    }
    if let Some(s) = &m.last_sample {
        let info = s
            .info
            .map(|i| {
                format!(
                    " retrans={} rack_losses={} timeout_losses={} srtt_us={}",
                    i.packets_retrans, i.rack_losses, i.timeout_losses, i.srtt_us
                )
            })
            .unwrap_or_default();
        writeln!(out, "{} paths: {}{}", r.proto, s.summary(), info)?;
    }
    Ok(())
}

/// Writes the report as pretty JSON.
pub fn write_json(path: &std::path::Path, r: &ClientReport) -> io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    serde_json::to_writer_pretty(&mut f, r).map_err(io::Error::other)?;
    f.write_all(b"\n")
}
