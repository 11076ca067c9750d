//! The mission model: items as MAVLink carries them, a geofence, rally points, a planned home.
//!
//! Items keep their MAVLink frame exactly as read: an altitude relative to home is never turned
//! into an absolute one, or the reverse, behind the user's back.

/// A WGS84 position with an altitude whose reference is given by context (an item's frame, or
/// above mean sea level for a home).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
}

/// A WGS84 position without altitude (fence vertices and centres).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLon {
    pub lat_deg: f64,
    pub lon_deg: f64,
}

/// One mission item, as `MISSION_ITEM_INT` carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct MissionItem {
    /// `MAV_CMD` number (16 = waypoint, 22 = takeoff, 20 = return to launch, ...).
    pub command: u16,
    /// `MAV_FRAME` number as read (0 global, 3 relative to home, 10 terrain, ...).
    pub frame: u8,
    /// param1..param4; NaN where a file leaves a parameter empty (QGC's `null`).
    pub params: [f64; 4],
    /// param5: latitude when the command has a position.
    pub lat_deg: f64,
    /// param6: longitude when the command has a position.
    pub lon_deg: f64,
    /// param7: altitude in `frame`'s reference when the command has a position.
    pub alt_m: f64,
    pub autocontinue: bool,
}

/// An inclusion or exclusion polygon.
#[derive(Debug, Clone, PartialEq)]
pub struct FencePolygon {
    pub inclusion: bool,
    /// Vertices in order, the ring not closed (first ≠ last).
    pub vertices: Vec<LatLon>,
}

/// An inclusion or exclusion circle.
#[derive(Debug, Clone, PartialEq)]
pub struct FenceCircle {
    pub inclusion: bool,
    pub center: LatLon,
    pub radius_m: f64,
}

/// A geofence as files and autopilots hold it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeoFence {
    pub polygons: Vec<FencePolygon>,
    pub circles: Vec<FenceCircle>,
    /// Where a breached vehicle returns to, when the fence gives one.
    pub return_point: Option<LatLon>,
}

/// A rally point: an alternative place to return to. `alt_m` is relative to home.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RallyPoint {
    pub position: GeoPoint,
}

/// A whole mission: items (home excluded), fence, rally points and the planned home.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mission {
    /// The items to fly, in order; home is not one of them.
    pub items: Vec<MissionItem>,
    /// Planned home, altitude above mean sea level.
    pub planned_home: Option<GeoPoint>,
    pub fence: GeoFence,
    pub rally: Vec<RallyPoint>,
    /// `MAV_TYPE` of the vehicle the file was made for, when it says.
    pub vehicle_type: Option<u8>,
    /// `MAV_AUTOPILOT` the file was made for, when it says.
    pub firmware_type: Option<u8>,
    pub cruise_speed_mps: Option<f64>,
    pub hover_speed_mps: Option<f64>,
}
