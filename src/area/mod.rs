//! The venue: boundary, no-fly zones, obstacles, cameras, risk zones and home, in a local
//! metric frame; camera footprints and the blind spots they leave.

mod frame;
mod venue;

pub use frame::LocalFrame;
pub use venue::{Camera, Home, Obstacle, RiskZone, Venue, Zone};
