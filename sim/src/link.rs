//! One direction of one simulated path: a FIFO bottleneck of a given rate
//! behind a queue of bounded size, then a propagation delay, with the
//! impairments a fabric shows (random loss, jitter that reorders, ECN marking
//! above a queue threshold, trimming instead of dropping on overflow, and a
//! scripted silent blackhole).
//!
//! The queue is modeled by the time the link becomes free: the backlog at any
//! instant is what is left to serialize until then, so no per-packet queue
//! needs to be kept.

use crate::rng::Rng;

/// Bytes that every packet carries below MRC on the wire (IPv6 + UDP).
pub const IP_UDP_OVERHEAD: usize = 48;

/// The static description of one link direction.
#[derive(Clone, Debug)]
pub struct LinkConfig {
    /// Bottleneck rate, bits per second.
    pub rate_bps: u64,
    /// One-way propagation delay, ns.
    pub delay_ns: u64,
    /// Queue capacity in bytes; a packet that does not fit is dropped, or
    /// trimmed when `trimming` is on.
    pub queue_bytes: u64,
    /// Probability that a packet is lost at random.
    pub loss: f64,
    /// Each packet gets an extra delay uniform in `0..=jitter_ns`, which
    /// reorders packets of the same link.
    pub jitter_ns: u64,
    /// Mark ECN CE when the backlog at enqueue is at least this many bytes.
    pub ecn_threshold_bytes: Option<u64>,
    /// Trim overflowing packets to their MRC headers instead of dropping them.
    pub trimming: bool,
}

/// What happened to a packet offered to a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// The packet will arrive at the far end at `at`.
    Deliver {
        /// Arrival time, ns.
        at: u64,
        /// ECN congestion experienced.
        ce: bool,
        /// The payload was cut away; only `header_len` bytes arrive.
        trimmed: bool,
    },
    /// The packet is gone (random loss, overflow or blackhole).
    Dropped,
}

/// Counters of one link direction.
#[derive(Clone, Debug, Default)]
pub struct LinkStats {
    /// Packets offered.
    pub offered: u64,
    /// Packets that will be delivered (trimmed ones included).
    pub delivered: u64,
    /// Packets trimmed.
    pub trimmed: u64,
    /// Packets marked CE.
    pub ecn_marked: u64,
    /// Packets lost at random.
    pub lost_random: u64,
    /// Packets dropped because the queue was full.
    pub lost_overflow: u64,
    /// Packets swallowed by a blackhole.
    pub lost_blackhole: u64,
    /// Bytes offered (IP and UDP headers included).
    pub bytes_offered: u64,
}

/// One link direction with its state.
#[derive(Clone, Debug)]
pub struct Link {
    cfg: LinkConfig,
    free_at: u64,
    blackholed: bool,
    stats: LinkStats,
}

impl Link {
    /// An idle link.
    pub fn new(cfg: LinkConfig) -> Self {
        Link {
            cfg,
            free_at: 0,
            blackholed: false,
            stats: LinkStats::default(),
        }
    }

    /// The link's configuration.
    pub fn config(&self) -> &LinkConfig {
        &self.cfg
    }

    /// The link's counters.
    pub fn stats(&self) -> &LinkStats {
        &self.stats
    }

    /// Start or stop silently dropping everything.
    pub fn set_blackholed(&mut self, on: bool) {
        self.blackholed = on;
    }

    /// Whether the link currently drops everything.
    pub fn is_blackholed(&self) -> bool {
        self.blackholed
    }

    /// Nanoseconds to serialize `bytes` at the link rate.
    pub fn serialization_ns(&self, bytes: u64) -> u64 {
        (bytes * 8 * 1_000_000_000).div_ceil(self.cfg.rate_bps.max(1))
    }

    /// Bytes still waiting to be serialized at `now`.
    pub fn backlog_bytes(&self, now: u64) -> u64 {
        let ns = self.free_at.saturating_sub(now);
        ns * self.cfg.rate_bps / 8 / 1_000_000_000
    }

    /// Offer a packet of `mrc_len` MRC bytes (of which `header_len` are MRC
    /// headers) at `now`.
    pub fn offer(&mut self, now: u64, mrc_len: usize, header_len: usize, rng: &mut Rng) -> Offer {
        let wire = (mrc_len + IP_UDP_OVERHEAD) as u64;
        self.stats.offered += 1;
        self.stats.bytes_offered += wire;
        if self.blackholed {
            self.stats.lost_blackhole += 1;
            return Offer::Dropped;
        }
        if rng.chance(self.cfg.loss) {
            self.stats.lost_random += 1;
            return Offer::Dropped;
        }
        let backlog = self.backlog_bytes(now);
        let ce = self.cfg.ecn_threshold_bytes.is_some_and(|t| backlog >= t);
        let jitter = rng.below(self.cfg.jitter_ns + 1);
        if backlog + wire > self.cfg.queue_bytes {
            if !self.cfg.trimming {
                self.stats.lost_overflow += 1;
                return Offer::Dropped;
            }
            // Trimmed headers go through a priority queue: they wait only
            // for their own serialization.
            let header_wire = (header_len + IP_UDP_OVERHEAD) as u64;
            let ser = self.serialization_ns(header_wire);
            self.free_at = self.free_at.max(now) + ser;
            self.stats.trimmed += 1;
            self.stats.delivered += 1;
            self.count_ce(ce);
            return Offer::Deliver {
                at: now + ser + self.cfg.delay_ns + jitter,
                ce,
                trimmed: true,
            };
        }
        let ser = self.serialization_ns(wire);
        self.free_at = self.free_at.max(now) + ser;
        self.stats.delivered += 1;
        self.count_ce(ce);
        Offer::Deliver {
            at: self.free_at + self.cfg.delay_ns + jitter,
            ce,
            trimmed: false,
        }
    }

    fn count_ce(&mut self, ce: bool) {
        if ce {
            self.stats.ecn_marked += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> LinkConfig {
        LinkConfig {
            rate_bps: 8_000_000_000,
            delay_ns: 1000,
            queue_bytes: 10_000,
            loss: 0.0,
            jitter_ns: 0,
            ecn_threshold_bytes: Some(4000),
            trimming: false,
        }
    }

    #[test]
    fn serializes_in_fifo_order_then_overflows() {
        let mut link = Link::new(cfg());
        let mut rng = Rng::new(1);
        // 952 + 48 = 1000 bytes = 1000 ns at 8 Gb/s.
        let a = link.offer(0, 952, 40, &mut rng);
        let b = link.offer(0, 952, 40, &mut rng);
        assert_eq!(
            a,
            Offer::Deliver {
                at: 2000,
                ce: false,
                trimmed: false
            }
        );
        assert_eq!(
            b,
            Offer::Deliver {
                at: 3000,
                ce: false,
                trimmed: false
            }
        );
        assert_eq!(link.backlog_bytes(0), 2000);
        for _ in 0..3 {
            link.offer(0, 952, 40, &mut rng);
        }
        // Backlog 5000 >= 4000: marked.
        assert!(matches!(
            link.offer(0, 952, 40, &mut rng),
            Offer::Deliver { ce: true, .. }
        ));
        for _ in 0..4 {
            link.offer(0, 952, 40, &mut rng);
        }
        assert_eq!(link.offer(0, 952, 40, &mut rng), Offer::Dropped);
        assert_eq!(link.stats().lost_overflow, 1);
    }

    #[test]
    fn trims_on_overflow_and_blackhole_drops_all() {
        let mut link = Link::new(LinkConfig {
            trimming: true,
            ..cfg()
        });
        let mut rng = Rng::new(1);
        for _ in 0..10 {
            link.offer(0, 952, 40, &mut rng);
        }
        let t = link.offer(0, 952, 40, &mut rng);
        assert!(matches!(t, Offer::Deliver { trimmed: true, .. }));
        link.set_blackholed(true);
        assert_eq!(link.offer(100_000, 952, 40, &mut rng), Offer::Dropped);
        assert_eq!(link.stats().lost_blackhole, 1);
        assert_eq!(link.stats().trimmed, 1);
    }
}
