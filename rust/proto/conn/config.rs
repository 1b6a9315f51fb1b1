//! A connection's attributes: what it advertises in the handshake (MPR,
//! WIMM), its ACK timeout and retries, segmentation, ACK coalescing, and the
//! path and congestion policies it hands to [`PathSet`] and [`Nscc`].
//!
//! [`PathSet`]: crate::proto::path::PathSet
//! [`Nscc`]: crate::proto::nscc::Nscc

use super::retry::RetryPolicy;
use crate::proto::nscc::NsccConfig;
use crate::proto::path::{PathConfig, MAX_EVS};

/// PSNs per unit of MPR.
pub const MPR_UNIT: u32 = 128;

/// Largest MPR this implementation tracks (64 × 128 = 8192 PSNs).
pub const MAX_MPR: u8 = 64;

pub use crate::proto::wire::MAX_PAYLOAD;

/// Configuration of one connection.
#[derive(Clone, Copy, Debug)]
pub struct ConnConfig {
    /// Payload bytes per data packet (the path MTU less all headers).
    pub max_payload: u16,
    /// MPR this end tracks as a receiver, in units of 128 PSNs; the peer's
    /// sender may run that far past our cumulative ack.
    pub mpr: u8,
    /// Whether this end takes part in dynamic MPR (the responder may lower
    /// the MPR at run time; only when both ends enable it).
    pub dynamic_mpr: bool,
    /// Write-with-Immediate messages this end accepts in flight as a
    /// receiver (advertised); as a sender it also never exceeds this.
    pub max_wimm: u16,
    /// ACK timeout and retries.
    pub retry: RetryPolicy,
    /// Send a SACK after this many new data packets even without an
    /// ack-request bit (1 = every packet).
    pub ack_every: u16,
    /// Longest a received packet waits for its SACK (ns).
    pub ack_delay_ns: u64,
    /// Largest message this end sends or accepts, bytes.
    pub max_message_len: u32,
    /// EVs this connection sprays over.
    pub ev_count: u16,
    /// EV policy.
    pub path: PathConfig,
    /// Congestion control parameters.
    pub nscc: NsccConfig,
    /// Partition key carried in every base header.
    pub pkey: u16,
    /// EV profile id (connect request).
    pub ev_profile: u64,
    /// CC profile id (connect request).
    pub cc_profile: u64,
}

/// Why a configuration or its storage was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// `max_payload` is 0 or above [`MAX_PAYLOAD`].
    Payload,
    /// `mpr` is 0 or above [`MAX_MPR`].
    Mpr,
    /// A retry field is out of range.
    Retry,
    /// `ack_every` is 0.
    AckEvery,
    /// `ev_count` is 0 or above the path set's limit.
    EvCount,
    /// `max_message_len` is 0.
    MessageLen,
    /// The sent-packet storage holds no slot.
    SentStorage,
    /// The message storage holds no slot.
    MessageStorage,
    /// The received-PSN bitmap cannot track `mpr` × 128 PSNs.
    PsnStorage,
    /// The path storage holds fewer than `ev_count` EVs.
    PathStorage,
    /// The local connection number is 0 (reserved for "no connection").
    ConnNumber,
}

impl ConnConfig {
    /// Checks every field against its range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.max_payload == 0 || self.max_payload > MAX_PAYLOAD {
            return Err(ConfigError::Payload);
        }
        if self.mpr == 0 || self.mpr > MAX_MPR {
            return Err(ConfigError::Mpr);
        }
        if !self.retry.is_valid() {
            return Err(ConfigError::Retry);
        }
        if self.ack_every == 0 {
            return Err(ConfigError::AckEvery);
        }
        if self.ev_count == 0 || self.ev_count > MAX_EVS {
            return Err(ConfigError::EvCount);
        }
        if self.max_message_len == 0 {
            return Err(ConfigError::MessageLen);
        }
        Ok(())
    }

    /// PSNs this end tracks as a receiver (MPR × 128).
    pub fn rx_window(&self) -> u32 {
        u32::from(self.mpr).saturating_mul(MPR_UNIT)
    }
}
