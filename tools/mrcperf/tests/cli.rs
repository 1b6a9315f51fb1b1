//! The command line as scripts use it: exit codes, option checks, and a
//! loopback run through the real binary. (Also what makes `cargo test
//! --release` build target/release/mrcperf for the VM selftests.)

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn mrcperf() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mrcperf"))
}

/// `mrcperf client --proto mrc --connect ADDR --bytes N`.
fn mrc_client(connect: &str, bytes: &str) -> Command {
    let mut c = mrcperf();
    c.args(["client", "--proto", "mrc"])
        .args(["--connect", connect, "--bytes", bytes]);
    c
}

#[test]
fn mrc_options_need_proto_mrc() {
    for args in [
        &["client", "--connect", "::1", "--bytes", "1M", "--bidir"][..],
        &[
            "client",
            "--connect",
            "::1",
            "--bytes",
            "1M",
            "--srv6",
            "fcbb::",
        ],
        &["server", "--evs", "4"],
    ] {
        let out = mrcperf().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--proto mrc"));
    }
    // Usage errors from clap are 2 as well.
    let out = mrc_client("::1", "1M")
        .args(["--max-msg", "2M"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn mrc_needs_ipv6() {
    let out = mrc_client("127.0.0.1", "1K").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("IPv6"));
}

/// The server listens on a port the kernel picks (port 0) and names it
/// once it listens: no port guessed, no retries timed.
#[test]
fn tcp_loopback_through_the_binary() {
    let mut srv = mrcperf()
        .args(["server", "--bind", "127.0.0.1", "--port", "0", "--once"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(srv.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim_end().rsplit(':').next().unwrap().to_string();
    assert!(line.contains("listening") && port != "0", "{line}");
    let st = mrcperf()
        .args(["client", "--connect", "127.0.0.1", "--port", &port])
        .args(["--bytes", "2M", "--seed", "3", "-q"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let out = srv.wait_with_output().unwrap();
    assert!(st.success() && out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"intact\":true"));
}
