//! Goodput series: bytes per interval since a start, and their report form.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// The wall clock, seconds since 1970 (what the runs' other timestamps,
/// like a script's $EPOCHREALTIME, use).
pub fn wall_clock() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The wall clock in nanoseconds since 1970: the form of every timestamp
/// that a report carries, so that one compares equal after JSON.
pub fn wall_clock_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// A duration in whole nanoseconds, as the reports carry it.
pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Bytes per interval since `start`.
pub struct Series {
    pub start: Instant,
    /// `start` on the wall clock, nanoseconds since 1970.
    pub epoch_ns: u64,
    interval: Duration,
    pub bins: Vec<u64>,
}

impl Series {
    pub fn new(interval_ms: u32) -> Self {
        Self::starting(Instant::now(), interval_ms)
    }

    pub fn starting(start: Instant, interval_ms: u32) -> Self {
        Self {
            start,
            epoch_ns: wall_clock_ns().saturating_sub(nanos(start.elapsed())),
            interval: Duration::from_millis(interval_ms.into()),
            bins: Vec::new(),
        }
    }

    pub fn add(&mut self, now: Instant, n: u64) {
        let idx =
            (now.duration_since(self.start).as_nanos() / self.interval.as_nanos().max(1)) as usize;
        if self.bins.len() <= idx {
            self.bins.resize(idx + 1, 0);
        }
        self.bins[idx] += n;
    }
}

/// One interval of a goodput series.
#[derive(Serialize, Debug)]
pub struct Interval {
    /// Start of the interval, seconds.
    pub t: f64,
    pub bytes: u64,
    pub bits_per_second: f64,
}

pub fn intervals(bins: &[u64], interval_ms: u32) -> Vec<Interval> {
    let secs = f64::from(interval_ms) / 1000.0;
    bins.iter()
        .enumerate()
        .map(|(i, &b)| Interval {
            t: i as f64 * secs,
            bytes: b,
            bits_per_second: b as f64 * 8.0 / secs,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_by_time() {
        let t0 = Instant::now();
        let mut s = Series::starting(t0, 100);
        s.add(t0, 5);
        s.add(t0 + Duration::from_millis(250), 7);
        s.add(t0 + Duration::from_millis(99), 1);
        assert_eq!(s.bins, vec![6, 0, 7]);
        let iv = intervals(&s.bins, 100);
        assert_eq!(iv[2].t, 0.2);
        assert_eq!(iv[0].bits_per_second, 480.0);
    }
}
