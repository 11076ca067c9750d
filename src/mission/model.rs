//! The mission model: items as MAVLink carries them, a geofence, rally points, a planned home.
//!
//! Items keep their MAVLink frame exactly as read: an altitude relative to home is never turned
//! into an absolute one, or the reverse, behind the user's back.

/// True for the `MAV_FRAME`s whose x and y are latitude and longitude: 0 (global, AMSL),
/// 3 (relative to home), 5 and 6 (their `_INT` twins), 10 and 11 (terrain).
pub fn is_global_frame(frame: u8) -> bool {
    matches!(frame, 0 | 3 | 5 | 6 | 10 | 11)
}

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

/// An inclusion circle centred on the vehicle's home, wherever home turns out to be
/// (ArduPilot's fence item 5005 in a `.waypoints` file); only its radius is known in advance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HomeCircle {
    pub radius_m: f64,
}

/// A geofence as files and autopilots hold it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeoFence {
    pub polygons: Vec<FencePolygon>,
    pub circles: Vec<FenceCircle>,
    /// Inclusion circles centred on home (`.waypoints` command 5005).
    pub home_circles: Vec<HomeCircle>,
    /// Where a breached vehicle returns to, when the fence gives one.
    pub return_point: Option<LatLon>,
}

impl GeoFence {
    /// True when the fence has no polygon, circle or return point.
    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
            && self.circles.is_empty()
            && self.home_circles.is_empty()
            && self.return_point.is_none()
    }
}

/// A rally point: an alternative place to return to.
///
/// `position.alt_m` is relative to home unless `frame` says otherwise. The optional fields are
/// what some formats carry and others lack; they are kept so a round trip loses nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RallyPoint {
    pub position: GeoPoint,
    /// `MAV_FRAME` of the altitude when the file gave one (a `.waypoints` 5100 row); `None`
    /// means relative to home (3), as `.plan` and legacy rally files define it.
    pub frame: Option<u8>,
    /// Legacy rally file: altitude at which to break off a loiter, metres.
    pub break_alt_m: Option<f64>,
    /// Legacy rally file: landing direction, degrees.
    pub land_dir_deg: Option<f64>,
    /// Legacy rally file: `RALLY_FLAGS` bits.
    pub flags: Option<u8>,
}

impl RallyPoint {
    /// A rally point with only a position (altitude relative to home).
    pub fn new(position: GeoPoint) -> Self {
        Self {
            position,
            frame: None,
            break_alt_m: None,
            land_dir_deg: None,
            flags: None,
        }
    }
}

/// A `.plan` complex item that Vigil could not turn into mission items (it carried no
/// pre-generated items and Vigil does not generate that pattern). It is kept verbatim so a
/// `.plan` written back holds it again; other formats report it as not written.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptComplexItem {
    /// Index in [`Mission::items`] before which the complex item stood.
    pub before_item: usize,
    /// Its `complexItemType` (`StructureScan`, `vtolLandingPattern`, ...).
    pub complex_type: String,
    /// The item's JSON object exactly as read.
    pub json: serde_json::Value,
}

/// A whole mission: items (home excluded), fence, rally points and the planned home.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mission {
    /// The items to fly, in order; home is not one of them.
    pub items: Vec<MissionItem>,
    /// Planned home, altitude above mean sea level unless `planned_home_frame` says otherwise.
    pub planned_home: Option<GeoPoint>,
    /// `MAV_FRAME` of the planned home's altitude as a `.waypoints` row 0 gave it; 0 (global,
    /// above mean sea level) unless a file said otherwise. Kept so a round trip does not turn
    /// one altitude reference into another.
    pub planned_home_frame: u8,
    pub fence: GeoFence,
    pub rally: Vec<RallyPoint>,
    /// `MAV_TYPE` of the vehicle the file was made for, when it says.
    pub vehicle_type: Option<u8>,
    /// `MAV_AUTOPILOT` the file was made for, when it says.
    pub firmware_type: Option<u8>,
    pub cruise_speed_mps: Option<f64>,
    pub hover_speed_mps: Option<f64>,
    /// `.plan` complex items kept verbatim because they could not be flattened.
    pub kept_complex_items: Vec<KeptComplexItem>,
}
