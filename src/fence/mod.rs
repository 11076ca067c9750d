//! Geofences: the fence model, validation before upload, the ground monitor and graded alarms.
//!
//! A [`Fence`] is built from a venue ([`Fence::from_venue`]) or from a mission file's geofence
//! ([`Fence::from_geofence`]); [`validate`] checks it against an autopilot's rules, and the
//! planned route against it, before anything is uploaded. In flight a [`Monitor`] is fed
//! [`TelemetrySample`]s and raises graded alarms ([`Grade`]: blue, yellow, orange, red) as
//! [`AlarmEvent`]s, which an [`EventLog`] keeps as JSON lines beside the flight's tlog.

mod alarm;
mod eventlog;
mod feed;
pub mod geometry;
mod live;
mod model;
mod monitor;
mod upload;
mod validate;
mod watch;

pub use alarm::{
    Alarm, AlarmBook, AlarmEvent, AlarmKind, AutoAction, Condition, Grade, Lifecycle, Place,
};
pub use eventlog::{EventLog, EventLogError};
pub use feed::TelemetryFeed;
pub use live::LiveZones;
pub use model::{Fence, FenceArea, FenceShape, VenueFenceOptions};
pub use monitor::{
    CrowdInput, FenceReading, Monitor, MonitorConfig, SamplePosition, TelemetrySample,
};
pub use upload::{
    BreachAction, DownloadedFence, FenceAutopilot, FenceDownload, FenceLinkError, FenceParam,
    FenceUpload, FenceUploadReport, compare_fence, fence_items, fence_param_names, fence_params,
};
pub use validate::{
    AutopilotRules, FenceProblem, InclusionRule, ProblemKind, Route, Winding, validate,
};
pub use watch::{AlarmWatch, WATCH_TICK};
