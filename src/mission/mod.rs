//! Missions: the model shared by the planner, the files and the link, and the file formats
//! other ground stations read and write (QGC `.plan`, QGC WPL `.waypoints`, legacy ArduPilot
//! fence and rally files).

mod model;

pub use model::{
    FenceCircle, FencePolygon, GeoFence, GeoPoint, LatLon, Mission, MissionItem, RallyPoint,
};
