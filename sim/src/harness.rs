//! A simulator behind an impaired link in both directions, driven by a simulated clock: what a
//! test needs to play the ground station in-process.

use std::time::Duration;

use crate::impair::{ImpairedLink, Impairment};
use crate::sim::{Sim, SimConfig};

/// Step used to interleave link deliveries and physics, microseconds (5 ms).
const SLICE_US: u64 = 5_000;

/// A [`Sim`] with an uplink (ground station to vehicles) and a downlink, each impaired.
#[derive(Debug)]
pub struct Harness {
    /// The simulator.
    pub sim: Sim,
    /// Ground station to vehicles.
    pub up: ImpairedLink,
    /// Vehicles to ground station.
    pub down: ImpairedLink,
}

impl Harness {
    /// A simulator with the same impairment both ways (seeded from the simulator's seed).
    pub fn new(cfg: SimConfig, impairment: Impairment) -> Self {
        Self::with_links(cfg, impairment, impairment)
    }

    /// A simulator with different uplink and downlink impairments.
    pub fn with_links(cfg: SimConfig, up: Impairment, down: Impairment) -> Self {
        let seed = cfg.seed;
        Self {
            sim: Sim::new(cfg),
            up: ImpairedLink::new(up, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5550),
            down: ImpairedLink::new(down, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD0D0),
        }
    }

    /// Simulated time, microseconds.
    pub fn now_us(&self) -> u64 {
        self.sim.now_us()
    }

    /// The ground station sends bytes now.
    pub fn send(&mut self, bytes: &[u8]) {
        let now = self.sim.now_us();
        self.up.send(now, bytes);
    }

    /// Advance by `dt`; returns the byte chunks (one frame each) that reached the ground
    /// station, in arrival order.
    pub fn advance(&mut self, dt: Duration) -> Vec<Vec<u8>> {
        let end = self.sim.now_us() + dt.as_micros() as u64;
        let mut received = Vec::new();
        loop {
            let now = self.sim.now_us();
            for chunk in self.up.poll(now) {
                self.sim.handle_bytes(&chunk);
            }
            for frame in self.sim.poll_outgoing() {
                self.down.send(now, &frame.bytes);
            }
            received.extend(self.down.poll(now));
            if now >= end {
                break;
            }
            self.sim
                .step(Duration::from_micros((end - now).min(SLICE_US)));
        }
        received
    }
}
