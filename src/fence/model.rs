//! The fence model: named inclusion and exclusion polygons and circles, an altitude ceiling and
//! floor, and a return point, built from a venue or from a mission file's geofence.

use geo::algorithm::buffer::{Buffer, BufferStyle, LineJoin};
use geo_types::{LineString, MultiPolygon};

use crate::area::{LocalFrame, Venue};
use crate::mission::{FenceCircle, FencePolygon, GeoFence, LatLon};

/// The shape of one fence area.
#[derive(Debug, Clone, PartialEq)]
pub enum FenceShape {
    /// Vertices in order, the ring not closed (first ≠ last).
    Polygon(Vec<LatLon>),
    /// A circle around a fixed centre.
    Circle { center: LatLon, radius_m: f64 },
}

/// One named fence area: the vehicle must stay inside an inclusion and outside an exclusion.
#[derive(Debug, Clone, PartialEq)]
pub struct FenceArea {
    /// How the area is named in checks and alarms: `boundary`, `no-fly 'Stage'`, `polygon 2`.
    pub name: String,
    pub inclusion: bool,
    pub shape: FenceShape,
}

/// A fence as Vigil validates, uploads and watches it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fence {
    pub areas: Vec<FenceArea>,
    /// Highest allowed altitude above home, metres (ArduPilot `FENCE_ALT_MAX`).
    pub ceiling_m: Option<f64>,
    /// Lowest allowed altitude above home, metres (ArduPilot `FENCE_ALT_MIN`).
    pub floor_m: Option<f64>,
    /// Where a breached vehicle returns to.
    pub return_point: Option<LatLon>,
}

/// How a fence is built from a venue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VenueFenceOptions {
    /// Added to every no-fly zone's own `margin_m` before it becomes an exclusion, metres.
    pub extra_no_fly_margin_m: f64,
    /// Altitude ceiling above home, metres.
    pub ceiling_m: Option<f64>,
    /// Altitude floor above home, metres.
    pub floor_m: Option<f64>,
}

impl Default for VenueFenceOptions {
    fn default() -> Self {
        Self {
            extra_no_fly_margin_m: 0.0,
            ceiling_m: Some(120.0),
            floor_m: None,
        }
    }
}

impl Fence {
    /// The fence of a venue: each boundary polygon becomes an inclusion polygon and each of its
    /// holes an exclusion; each no-fly zone, grown by its margin plus
    /// `options.extra_no_fly_margin_m`, becomes an exclusion polygon; the venue's home becomes
    /// the return point.
    ///
    /// Margins are grown with mitred corners, so the exclusion covers at least the margin all
    /// round (a rounded buffer's chords would cut a little inside it) and keeps few vertices.
    pub fn from_venue(venue: &Venue, options: &VenueFenceOptions) -> Self {
        let frame = venue.frame;
        let mut areas = Vec::new();

        let parts = venue.boundary.0.len();
        for (i, poly) in venue.boundary.0.iter().enumerate() {
            let name = if parts == 1 {
                "boundary".to_owned()
            } else {
                format!("boundary part {}", i + 1)
            };
            areas.push(FenceArea {
                name: name.clone(),
                inclusion: true,
                shape: FenceShape::Polygon(ring_to_wgs84(&frame, poly.exterior())),
            });
            for (k, hole) in poly.interiors().iter().enumerate() {
                areas.push(FenceArea {
                    name: format!("{name} hole {}", k + 1),
                    inclusion: false,
                    shape: FenceShape::Polygon(ring_to_wgs84(&frame, hole)),
                });
            }
        }

        for zone in &venue.no_fly {
            let margin_m = zone.margin_m + options.extra_no_fly_margin_m;
            let grown: MultiPolygon<f64> = if margin_m > 0.0 {
                let style = BufferStyle::new(margin_m)
                    .line_join(LineJoin::Miter(0.01 * std::f64::consts::PI));
                zone.area.buffer_with_style(style)
            } else {
                zone.area.clone()
            };
            let n = grown.0.len();
            for (k, poly) in grown.0.iter().enumerate() {
                let name = if n == 1 {
                    format!("no-fly '{}'", zone.name)
                } else {
                    format!("no-fly '{}' part {}", zone.name, k + 1)
                };
                // Limitation: a hole inside a no-fly zone is not flown either (the exclusion
                // is its outline), which is the cautious reading.
                areas.push(FenceArea {
                    name,
                    inclusion: false,
                    shape: FenceShape::Polygon(ring_to_wgs84(&frame, poly.exterior())),
                });
            }
        }

        let return_point = venue.home.map(|h| {
            let (lon, lat) = frame.to_wgs84(h.position.x(), h.position.y());
            LatLon {
                lat_deg: lat,
                lon_deg: lon,
            }
        });
        Self {
            areas,
            ceiling_m: options.ceiling_m,
            floor_m: options.floor_m,
            return_point,
        }
    }

    /// The fence a mission file held. Circles around home become circles around `home` when it
    /// is known; otherwise they are left out and named in the returned warnings.
    pub fn from_geofence(g: &GeoFence, home: Option<LatLon>) -> (Self, Vec<String>) {
        let mut areas = Vec::new();
        let mut warnings = Vec::new();
        for (i, p) in g.polygons.iter().enumerate() {
            areas.push(FenceArea {
                name: format!("polygon {}", i + 1),
                inclusion: p.inclusion,
                shape: FenceShape::Polygon(p.vertices.clone()),
            });
        }
        for (i, c) in g.circles.iter().enumerate() {
            areas.push(FenceArea {
                name: format!("circle {}", i + 1),
                inclusion: c.inclusion,
                shape: FenceShape::Circle {
                    center: c.center,
                    radius_m: c.radius_m,
                },
            });
        }
        for (i, h) in g.home_circles.iter().enumerate() {
            match home {
                Some(center) => areas.push(FenceArea {
                    name: format!("home circle {}", i + 1),
                    inclusion: true,
                    shape: FenceShape::Circle {
                        center,
                        radius_m: h.radius_m,
                    },
                }),
                None => warnings.push(format!(
                    "home circle {} (radius {} m) left out: no home is known to centre it on",
                    i + 1,
                    h.radius_m
                )),
            }
        }
        let fence = Self {
            areas,
            ceiling_m: None,
            floor_m: None,
            return_point: g.return_point,
        };
        (fence, warnings)
    }

    /// A local frame for watching this fence: centred on the mean of its vertices, circle
    /// centres and return point; `None` for a fence with none of them.
    pub fn local_frame(&self) -> Option<LocalFrame> {
        let mut pts: Vec<LatLon> = Vec::new();
        for a in &self.areas {
            match &a.shape {
                FenceShape::Polygon(v) => pts.extend(v.iter().copied()),
                FenceShape::Circle { center, .. } => pts.push(*center),
            }
        }
        pts.extend(self.return_point);
        if pts.is_empty() {
            return None;
        }
        let n = pts.len() as f64;
        let lat = pts.iter().map(|p| p.lat_deg).sum::<f64>() / n;
        let lon = pts.iter().map(|p| p.lon_deg).sum::<f64>() / n;
        Some(LocalFrame::new(lon, lat))
    }

    /// The fence as a mission file holds it (the ceiling and floor are vehicle parameters, not
    /// part of a file's geofence).
    pub fn to_geofence(&self) -> GeoFence {
        let mut g = GeoFence {
            return_point: self.return_point,
            ..GeoFence::default()
        };
        for a in &self.areas {
            match &a.shape {
                FenceShape::Polygon(v) => g.polygons.push(FencePolygon {
                    inclusion: a.inclusion,
                    vertices: v.clone(),
                }),
                FenceShape::Circle { center, radius_m } => g.circles.push(FenceCircle {
                    inclusion: a.inclusion,
                    center: *center,
                    radius_m: *radius_m,
                }),
            }
        }
        g
    }
}

/// A closed local ring → open WGS84 vertex list.
fn ring_to_wgs84(frame: &LocalFrame, ring: &LineString<f64>) -> Vec<LatLon> {
    let mut pts: Vec<LatLon> = ring
        .0
        .iter()
        .map(|c| {
            let (lon, lat) = frame.to_wgs84(c.x, c.y);
            LatLon {
                lat_deg: lat,
                lon_deg: lon,
            }
        })
        .collect();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    pts
}
