//! Vigil: a drone patrol mission planner and telemetry controller for night security sweeps.
//!
//! The library holds everything but drawing: the venue and its blind spots ([`area`]), the
//! coverage planner ([`planner`]), mission files ([`mission`]), the MAVLink link ([`link`]),
//! geofences and graded alarms ([`fence`]) and the thermal pipeline ([`thermal`]). The `vigil`
//! binary is a thin command line over it; with the `app` feature (on by default) `app` is the
//! desktop application, which only draws what the other modules compute. See `DESIGN.md` in the
//! team's shared folder for the
//! data flow.

#[cfg(feature = "app")]
pub mod app;
pub mod area;
pub mod fence;
pub mod fsutil;
pub mod link;
pub mod mission;
pub mod planner;
pub mod sweep;
pub mod testdata;
pub mod thermal;
