//! Both sides of the message exchange (`msgwire`) over a connected
//! `SOCK_SEQPACKET` socket: the client sends its stream while a second
//! thread receives (the reverse stream, then the Report); the server
//! receives while, with BIDIR, a second thread sends the reverse stream.
//! Every blocking call is bounded by the stall timeout, and a failing
//! direction shuts the socket down so the other one returns too.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use crate::codec;
use crate::mrc::MAX_MESSAGE;
use crate::msgcheck::{Got, MsgCheck};
use crate::msgwire::{End, Hello, MsgReport, StreamReport, BYE, FLAG_BIDIR};
use crate::pattern::Pattern;
use crate::seqsock::SeqSocket;
use crate::series::{nanos, Series};
use crate::sizes::{reverse_seed, SizeRange, Sizes};
use crate::stopsig;

/// Receive buffer: the largest message and room to spare, so that a
/// message a little too long is seen as such rather than as MSG_TRUNC.
const RECV_BUF: usize = MAX_MESSAGE as usize + 4096;

// Fields alike the reports' by shape only: what the client is asked to do, not what it measured.
/// What the client sends.
#[derive(Clone, Debug)]
pub struct ClientPlan {
    pub seed: u64,
    pub interval_ms: u32,
    /// Bytes each way (`None`: send until `seconds` have passed).
    pub bytes: Option<u64>,
    pub seconds: Option<f64>,
    pub sizes: SizeRange,
    pub bidir: bool,
    /// Longest wait for any one send or receive.
    pub stall: Duration,
    /// A timed stream also ends on SIGUSR1 (`stopsig`).
    pub until_signal: bool,
}

/// The client's result.
#[derive(Debug)]
pub struct ClientOutcome {
    /// What the client sent (its End).
    pub sent: End,
    /// Bytes handed to the socket per interval.
    pub sent_bins: Vec<u64>,
    /// The server's Report.
    pub report: MsgReport,
    /// The reverse stream as the client received it (BIDIR).
    pub reverse: Option<StreamReport>,
    /// From the Hello to the Report's arrival.
    pub seconds: f64,
    /// The Hello's sending on the wall clock (ns since 1970): the start of
    /// `sent_bins`.
    pub start_epoch_ns: u64,
}

/// Sends one stream: data messages until `limit` bytes or until `stop`,
/// then the End.
fn send_stream(
    sock: &SeqSocket,
    seed: u64,
    range: SizeRange,
    limit: Option<u64>,
    stop: &dyn Fn() -> bool,
    series: &mut Series,
) -> io::Result<End> {
    let pat = Pattern::new(seed);
    let mut sizes = Sizes::new(seed, range);
    let mut buf = vec![0u8; range.max as usize];
    let mut sent = End::default();
    loop {
        if limit.is_some_and(|l| sent.bytes >= l) || (limit.is_none() && stop()) {
            break;
        }
        let n = sizes.next_within(limit.map(|l| l - sent.bytes)) as usize;
        pat.fill(sent.bytes, &mut buf[..n]);
        sock.send_msg(&buf[..n])?;
        sent.bytes += n as u64;
        sent.messages += 1;
        series.add(Instant::now(), n as u64);
    }
    sock.send_msg(&sent.encode())?;
    Ok(sent)
}

/// Receives one stream up to its End.
fn recv_stream(
    sock: &SeqSocket,
    mut check: MsgCheck,
    mut series: Series,
    interval_ms: u32,
    buf: &mut [u8],
) -> io::Result<StreamReport> {
    loop {
        let n = sock.recv_msg(buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the connection ended after {} bytes, before the End",
                    check.off
                ),
            ));
        }
        match check.feed(&buf[..n]) {
            Got::Data => series.add(Instant::now(), n as u64),
            Got::End(end) => {
                return Ok(StreamReport {
                    bytes: check.off,
                    messages: check.messages,
                    intact: check.intact(&end),
                    first_mismatch: check.first_mismatch,
                    bad_message: check.bad_message,
                    ns: nanos(series.start.elapsed()),
                    interval_ms,
                    intervals: series.bins,
                    start_epoch_ns: Some(series.epoch_ns),
                })
            }
        }
    }
}

fn recv_one(sock: &SeqSocket, buf: &mut [u8], what: &str) -> io::Result<usize> {
    match sock.recv_msg(buf) {
        Ok(0) => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the connection ended before the {what}"),
        )),
        Ok(n) => Ok(n),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("waiting for the {what}: {e}"),
        )),
    }
}

/// Runs `a` here and `b` on a second thread. The first to fail shuts the
/// socket down, so that the other cannot block forever, and its error is
/// the one returned (the other's is only the consequence).
fn both<A, B>(
    sock: &SeqSocket,
    a: impl FnOnce() -> io::Result<A>,
    b: Option<impl FnOnce() -> io::Result<B> + Send>,
) -> io::Result<(A, Option<B>)>
where
    B: Send,
{
    let first_error = Mutex::new(None);
    let fail = &|e: io::Error| {
        let mut first = first_error.lock().unwrap_or_else(|p| p.into_inner());
        if first.is_none() {
            *first = Some(io::Error::new(e.kind(), e.to_string()));
            sock.abort();
        }
        e
    };
    let (ra, rb) = thread::scope(|s| {
        let h = b.map(|b| s.spawn(move || b().map_err(fail)));
        let ra = a().map_err(fail);
        let rb = h.map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(fail(io::Error::other("a transfer thread panicked"))))
        });
        (ra, rb)
    });
    if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    Ok((ra?, rb.transpose()?))
}

/// The client's side: Hello, the stream (and the reverse stream), End,
/// then the Report. The caller sends the Bye (`bye`) when it is done with
/// the connection.
pub fn client(sock: &SeqSocket, p: &ClientPlan) -> io::Result<ClientOutcome> {
    sock.set_recv_timeout(Some(p.stall))?;
    sock.set_send_timeout(Some(p.stall))?;
    let hello = Hello {
        seed: p.seed,
        interval_ms: p.interval_ms,
        flags: if p.bidir { FLAG_BIDIR } else { 0 },
        bytes: p.bytes.unwrap_or(0),
        sizes: p.sizes,
    };
    let mut sent_series = Series::new(p.interval_ms);
    let start = sent_series.start;
    sock.send_msg(&hello.encode())?;
    let deadline = p.seconds.map(|s| start + Duration::from_secs_f64(s));
    let stop =
        || deadline.is_some_and(|d| Instant::now() >= d) || (p.until_signal && stopsig::raised());
    let ended = AtomicBool::new(false);

    let receive = || -> io::Result<(Option<StreamReport>, MsgReport, Instant)> {
        let mut buf = vec![0u8; RECV_BUF];
        let reverse = if p.bidir {
            let check = MsgCheck::new(reverse_seed(p.seed), p.sizes, hello.limit());
            let series = Series::starting(start, p.interval_ms);
            Some(recv_stream(sock, check, series, p.interval_ms, &mut buf)?)
        } else {
            None
        };
        // The report comes after the stream's End: a wait that began while
        // the stream was still being sent is no stall.
        let n = loop {
            let sending = !ended.load(Ordering::Acquire);
            match recv_one(sock, &mut buf, "server's report") {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && sending => {}
                r => break r?,
            }
        };
        Ok((reverse, MsgReport::decode(&buf[..n])?, Instant::now()))
    };
    let send = || {
        let r = send_stream(
            sock,
            p.seed,
            p.sizes,
            hello.limit(),
            &stop,
            &mut sent_series,
        );
        ended.store(true, Ordering::Release);
        r
    };
    let (sent, got) = both(sock, send, Some(receive))?;
    let (reverse, report, at) = got.ok_or_else(|| io::Error::other("no receiver"))?;
    Ok(ClientOutcome {
        sent,
        sent_bins: sent_series.bins,
        report,
        reverse,
        seconds: at.duration_since(start).as_secs_f64(),
        start_epoch_ns: sent_series.epoch_ns,
    })
}

/// The client's last message.
pub fn bye(sock: &SeqSocket) -> io::Result<()> {
    sock.send_msg(&BYE)
}

/// What the server did on one connection.
#[derive(Debug)]
pub struct Served {
    pub hello: Hello,
    pub report: MsgReport,
    /// The Bye came (`false`: the client vanished or said something else).
    pub bye: bool,
}

/// The server's side of one connection: reads the Hello, checks the
/// stream (sending the reverse one meanwhile if asked), answers with the
/// Report and waits for the Bye.
pub fn serve(sock: &SeqSocket, stall: Duration) -> io::Result<Served> {
    sock.set_recv_timeout(Some(stall))?;
    sock.set_send_timeout(Some(stall))?;
    let mut buf = vec![0u8; RECV_BUF];
    let n = recv_one(sock, &mut buf, "hello")?;
    let h = Hello::decode(&buf[..n]).ok_or_else(|| codec::invalid("not an mrcperf hello"))?;
    let series = Series::new(h.interval_ms);
    let done = AtomicBool::new(false);

    let receive = || {
        let check = MsgCheck::new(h.seed, h.sizes, h.limit());
        let r = recv_stream(sock, check, series, h.interval_ms, &mut buf);
        done.store(true, Ordering::Relaxed);
        r
    };
    let send_back = h.bidir().then_some(|| {
        let stop = || done.load(Ordering::Relaxed);
        let mut unused = Series::new(h.interval_ms);
        send_stream(
            sock,
            reverse_seed(h.seed),
            h.sizes,
            h.limit(),
            &stop,
            &mut unused,
        )
    });
    let (received, back) = both(sock, receive, send_back)?;
    let back = back.unwrap_or_default();
    let report = MsgReport {
        received,
        reverse_bytes: back.bytes,
        reverse_messages: back.messages,
    };
    sock.send_msg(&report.encode(MAX_MESSAGE as usize)?)?;
    let mut b = [0u8; 64];
    let bye = matches!(sock.recv_msg(&mut b), Ok(8) if b[..8] == BYE);
    Ok(Served {
        hello: h,
        report,
        bye,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: u32 = 48 << 10;

    fn plan(bytes: Option<u64>, seconds: Option<f64>, bidir: bool) -> ClientPlan {
        ClientPlan {
            seed: 77,
            interval_ms: 20,
            bytes,
            seconds,
            sizes: SizeRange::up_to(MAX),
            bidir,
            stall: Duration::from_secs(20),
            until_signal: false,
        }
    }

    /// Client and server on the two ends of a socket pair.
    fn exchange(p: &ClientPlan) -> (ClientOutcome, MsgReport, bool) {
        let (c, s) = SeqSocket::pair(MAX as usize + 4096).unwrap();
        thread::scope(|sc| {
            let srv = sc.spawn(|| serve(&s, Duration::from_secs(20)).unwrap());
            let out = client(&c, p).unwrap();
            bye(&c).unwrap();
            let served = srv.join().unwrap();
            assert_eq!(served.hello.seed, p.seed);
            (out, served.report, served.bye)
        })
    }

    /// The stall bounds each wait, not the transfer: a stream sent for
    /// longer than it still gets its report. (A stall of 1 s, not 100 ms:
    /// the two threads share a loaded 2-core machine, where a thread can
    /// wait 100 ms for a CPU.)
    #[test]
    fn a_stream_longer_than_the_stall_gets_its_report() {
        let p = ClientPlan {
            stall: Duration::from_secs(1),
            ..plan(None, Some(2.5), false)
        };
        let (out, rep, byed) = exchange(&p);
        assert!(byed && rep.received.intact);
        assert_eq!(rep.received.bytes, out.sent.bytes);
    }

    #[test]
    fn one_way_by_bytes() {
        let (out, rep, byed) = exchange(&plan(Some(3 << 20), None, false));
        assert!(byed);
        assert_eq!(out.sent.bytes, 3 << 20);
        assert_eq!(out.report, rep);
        assert!(rep.received.intact);
        assert_eq!(rep.received.bytes, 3 << 20);
        assert_eq!(rep.received.messages, out.sent.messages);
        assert!(out.reverse.is_none() && rep.reverse_bytes == 0);
    }

    #[test]
    fn both_ways_by_bytes() {
        let (out, rep, _) = exchange(&plan(Some(2 << 20), None, true));
        assert!(rep.received.intact);
        let rev = out.reverse.unwrap();
        assert!(rev.intact, "{rev:?}");
        assert_eq!(rev.bytes, 2 << 20);
        assert_eq!(
            (rep.reverse_bytes, rep.reverse_messages),
            (rev.bytes, rev.messages)
        );
    }

    #[test]
    fn both_ways_timed() {
        let (out, rep, _) = exchange(&plan(None, Some(0.3), true));
        assert!(rep.received.intact && out.sent.bytes > 0);
        assert_eq!(rep.received.bytes, out.sent.bytes);
        // The server sent back until the client's End arrived.
        let rev = out.reverse.unwrap();
        assert!(rev.intact && rev.bytes > 0 && rev.bytes == rep.reverse_bytes);
    }

    /// A client that sends a damaged stream gets a report saying where.
    #[test]
    fn damage_reported_to_the_client() {
        let (c, s) = SeqSocket::pair(MAX as usize + 4096).unwrap();
        thread::scope(|sc| {
            let srv = sc.spawn(|| serve(&s, Duration::from_secs(20)).unwrap());
            let h = Hello {
                seed: 5,
                interval_ms: 10,
                flags: 0,
                bytes: 0,
                sizes: SizeRange::up_to(MAX),
            };
            c.send_msg(&h.encode()).unwrap();
            let mut sizes = Sizes::new(5, SizeRange::up_to(MAX));
            let (a, b) = (sizes.next_size() as usize, sizes.next_size() as usize);
            let mut data = vec![0u8; a + b];
            Pattern::new(5).fill(0, &mut data);
            data[a + 1] ^= 0x10;
            c.send_msg(&data[..a]).unwrap();
            c.send_msg(&data[a..]).unwrap();
            c.send_msg(
                &End {
                    bytes: (a + b) as u64,
                    messages: 2,
                }
                .encode(),
            )
            .unwrap();
            let mut buf = vec![0u8; 1 << 16];
            let n = c.recv_msg(&mut buf).unwrap();
            let rep = MsgReport::decode(&buf[..n]).unwrap();
            assert!(!rep.received.intact);
            assert_eq!(rep.received.first_mismatch, Some(a as u64 + 1));
            assert_eq!(rep.received.bad_message, Some(1));
            drop(c);
            assert!(!srv.join().unwrap().bye);
        });
    }

    /// A server whose client vanishes mid-stream reports an error, no hang.
    #[test]
    fn vanished_client() {
        let (c, s) = SeqSocket::pair(MAX as usize + 4096).unwrap();
        let h = Hello {
            seed: 5,
            interval_ms: 10,
            flags: FLAG_BIDIR,
            bytes: 1 << 30,
            sizes: SizeRange::up_to(MAX),
        };
        c.send_msg(&h.encode()).unwrap();
        c.send_msg(&[0u8; 3]).unwrap();
        drop(c);
        let e = serve(&s, Duration::from_secs(20)).unwrap_err();
        assert!(matches!(
            e.kind(),
            io::ErrorKind::UnexpectedEof
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::ConnectionReset
        ));
    }
}
