//! Connection tests: handshake, transfer, loss recovery and every refusal.
