//! Scripted peers for the link tests: a fake ArduPilot and a simulated lossy radio.

pub mod fake_autopilot;
pub mod peer;
pub mod simnet;
