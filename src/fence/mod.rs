//! Geofences: the fence model, validation before upload, the ground monitor and graded alarms.
//!
//! A [`Fence`] is built from a venue ([`Fence::from_venue`]) or from a mission file's geofence
//! ([`Fence::from_geofence`]); [`validate`] checks it against an autopilot's rules, and the
//! planned route against it, before anything is uploaded.

mod model;
mod validate;

pub use model::{Fence, FenceArea, FenceShape, VenueFenceOptions};
pub use validate::{
    AutopilotRules, FenceProblem, InclusionRule, ProblemKind, Route, Winding, validate,
};
