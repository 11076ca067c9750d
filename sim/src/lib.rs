//! `vigil-sim`: simulated ArduCopter-like multicopters that speak MAVLink, for testing Vigil
//! without a drone or an external simulator.
//!
//! The library is sans-IO and clock-driven: a [`Sim`] is stepped by its caller, fed bytes or
//! parsed messages, and polled for the frames it sends; an [`ImpairedLink`] per direction
//! degrades a link with a seed; a [`Harness`] joins them for in-process tests. The binary adds
//! TCP, UDP and pseudo-terminal transports and real (or sped-up) time.
//!
//! ```
//! use std::time::Duration;
//! use vigil_sim::{GeoPoint, Sim, SimConfig};
//!
//! let mut sim = Sim::new(SimConfig::new(GeoPoint::new(-35.363, 149.165, 584.0)));
//! sim.step(Duration::from_secs(1));
//! // Only heartbeats until a ground station asks for telemetry.
//! let frames = sim.poll_outgoing();
//! assert!(frames.iter().all(|f| f.header.system_id == 1));
//! ```

// ArduPilot speaks MISSION_REQUEST, MISSION_ITEM, REQUEST_DATA_STREAM and the `_INT` frames,
// all deprecated in the MAVLink definitions: the simulator must too.
#![allow(deprecated)]

pub mod geodesy;
pub mod harness;
pub mod impair;
pub mod mission;
pub mod params;
pub mod physics;
pub mod runner;
pub mod sim;
pub mod telemetry;
pub mod thermal;
pub mod transport;

pub mod vehicle;
pub mod venue;

pub use geodesy::GeoPoint;
pub use harness::Harness;
pub use impair::{ImpairedLink, Impairment, LinkStats};
pub use sim::{Frame, Signing, Sim, SimConfig};
pub use vehicle::{Mode, Vehicle, VehicleConfig};
