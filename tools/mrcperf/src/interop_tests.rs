//! The message exchange against the other implementations of it,
//! selftests/mrc_client.py and selftests/mrc_client.c, over an AF_UNIX
//! `SOCK_SEQPACKET` pair handed to them as `--fd N`: the same bytes, sizes
//! and verdicts without mrc.ko. Skipped (with a note) where python3 or
//! gcc is missing.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use crate::msgperf::{self, ClientPlan};
use crate::seqsock::SeqSocket;
use crate::sizes::SizeRange;

const MAX: u32 = 48 << 10;

fn selftests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../selftests")
}

fn have(tool: &str) -> bool {
    let found = Command::new(tool).arg("--version").output().is_ok();
    if !found {
        eprintln!("interop: {tool} not found, skipped");
    }
    found
}

/// Runs `cmd` with `sock` as its file descriptor `--fd N`.
fn spawn_with(mut cmd: Command, sock: &SeqSocket) -> Child {
    let fd = sock.raw();
    cmd.arg("--fd").arg(fd.to_string());
    // SAFETY: between fork and exec only fcntl(2), which is
    // async-signal-safe, runs: it lets the child inherit `fd`.
    unsafe {
        cmd.pre_exec(move || {
            if libc::fcntl(fd, libc::F_SETFD, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn().expect("spawn")
}

/// The Rust server checks a foreign client's streams.
fn foreign_client(cmd: Command, seed: u64, bytes: u64) {
    let (ours, theirs) = SeqSocket::pair(MAX as usize + 4096).unwrap();
    let mut child = spawn_with(cmd, &theirs);
    drop(theirs);
    let served = msgperf::serve(&ours, Duration::from_secs(60)).unwrap();
    assert!(child.wait().unwrap().success());
    let r = &served.report;
    assert_eq!(served.hello.seed, seed);
    assert!(served.hello.bidir() && served.bye);
    assert!(r.received.intact, "{r:?}");
    assert_eq!((r.received.bytes, r.reverse_bytes), (bytes, bytes));
}

#[test]
fn python_client_and_server() {
    if !have("python3") {
        return;
    }
    let script = selftests().join("mrc_client.py");
    let mut c = Command::new("python3");
    c.arg(&script)
        .args(["client", "--bytes", "1M", "--seed", "21", "--bidir"])
        .arg("--max-msg")
        .arg(MAX.to_string());
    foreign_client(c, 21, 1 << 20);

    // The Rust client against the Python server.
    let (ours, theirs) = SeqSocket::pair(MAX as usize + 4096).unwrap();
    let mut c = Command::new("python3");
    c.arg(&script).arg("serve");
    let mut child = spawn_with(c, &theirs);
    drop(theirs);
    let plan = ClientPlan {
        seed: 22,
        interval_ms: 50,
        bytes: Some(1 << 20),
        seconds: None,
        sizes: SizeRange::up_to(MAX),
        bidir: true,
        stall: Duration::from_secs(60),
        until_signal: false,
    };
    let out = msgperf::client(&ours, &plan).unwrap();
    msgperf::bye(&ours).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(out.report.received.intact);
    assert_eq!(out.report.received.messages, out.sent.messages);
    let rev = out.reverse.unwrap();
    assert!(rev.intact && rev.bytes == 1 << 20);
}

#[test]
fn c_client() {
    if !have("gcc") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("mrcperf-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("mrc_client");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let st = Command::new("gcc")
        .args(["-O2", "-Wall", "-Werror"])
        .arg("-I")
        .arg(root.join("include/uapi"))
        .arg("-I")
        .arg(selftests())
        .arg("-o")
        .arg(&bin)
        .arg(selftests().join("mrc_client.c"))
        .status()
        .unwrap();
    assert!(st.success(), "mrc_client.c does not compile");
    let mut c = Command::new(&bin);
    c.args(["--bytes", "3M", "--seed", "23", "--bidir", "--max-msg"])
        .arg(MAX.to_string());
    foreign_client(c, 23, 3 << 20);
    // A failure above leaves the binary to look at.
    std::fs::remove_dir_all(&dir).unwrap();
}
