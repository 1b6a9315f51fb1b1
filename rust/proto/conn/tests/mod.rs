//! Connection tests: a pair of connections wired back to back on a
//! hand-driven clock, and packets forged with the wire module.

mod forgery;
mod handshake;
mod harness;
mod loss;
mod prop;
mod rejects;
mod transfer;
