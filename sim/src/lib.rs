//! `mrc_sim`: a deterministic, seeded, virtual-time simulator for the MRC
//! protocol core. Two endpoints per flow talk through N shared paths, each
//! with its own rate, delay, queue, loss, jitter, ECN marking, trimming and
//! scripted blackholes; the harness holds the real message bytes, fills
//! packets from them, places received payloads where the core says, and
//! checks by hash that every byte arrives exactly once, in message order.
//!
//! Used by the `mrcsim` binary and by the integration tests; build a
//! [`Scenario`], call [`run`], read the [`Report`].

pub mod app;
pub mod link;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod world;

pub use link::LinkConfig;
pub use report::{FlowReport, Recovery, Report, Timeline};
pub use scenario::{FaultSpec, FlowSpec, Scenario};
pub use world::{run, World};
