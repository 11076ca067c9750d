//! The venue model, in local east-north metres (see [`LocalFrame`]).

use geo_types::{MultiPolygon, Point};

use super::LocalFrame;

/// A venue as Vigil plans over it: every geometry in local metres around `frame`'s centre.
#[derive(Debug, Clone)]
pub struct Venue {
    /// A name for reports: the boundary's `name`, or the file stem.
    pub name: String,
    /// The frame every geometry below is expressed in.
    pub frame: LocalFrame,
    /// The area to patrol; several boundaries form one venue. Holes allowed.
    pub boundary: MultiPolygon<f64>,
    /// Areas never to be flown over, each with its own safety margin.
    pub no_fly: Vec<Zone>,
    /// Buildings that block camera views.
    pub obstacles: Vec<Obstacle>,
    /// Fixed CCTV cameras.
    pub cameras: Vec<Camera>,
    /// Areas to revisit on a schedule.
    pub risk: Vec<RiskZone>,
    /// Launch and landing point, if the file gives one.
    pub home: Option<Home>,
    /// Problems found while reading that left the venue usable (a ring repaired, say).
    pub warnings: Vec<String>,
}

/// A named area: a no-fly zone.
#[derive(Debug, Clone)]
pub struct Zone {
    pub name: String,
    pub area: MultiPolygon<f64>,
    /// Extra distance to keep from the zone, metres (0 when the file gives none).
    pub margin_m: f64,
}

/// A building that hides what is behind it from a camera.
#[derive(Debug, Clone)]
pub struct Obstacle {
    pub name: String,
    pub area: MultiPolygon<f64>,
    pub height_m: Option<f64>,
}

/// A fixed camera: its ground footprint is a sector of `range_m` around `heading_deg`,
/// `hfov_deg` wide, minus what obstacles hide.
#[derive(Debug, Clone)]
pub struct Camera {
    pub name: String,
    pub position: Point<f64>,
    /// 0 = north, clockwise.
    pub heading_deg: f64,
    pub hfov_deg: f64,
    pub range_m: f64,
    pub height_m: Option<f64>,
}

/// An area to revisit at least every `revisit_min` minutes.
#[derive(Debug, Clone)]
pub struct RiskZone {
    pub name: String,
    pub area: MultiPolygon<f64>,
    /// 1 (low) to 4 (high).
    pub level: u8,
    pub revisit_min: f64,
}

/// Launch point; `alt_m` is the ground altitude above mean sea level when known.
#[derive(Debug, Clone, Copy)]
pub struct Home {
    pub position: Point<f64>,
    pub alt_m: Option<f64>,
}
