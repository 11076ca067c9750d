//! The venue, the mission and the fence turned into shapes in WGS84 degrees, ready to be
//! projected onto the map every frame: filled areas as triangles (holes and concave outlines
//! drawn right), outlines as rings, the route as legs coloured per sortie.

use geo::TriangulateEarcut;
use geo_types::{MultiPolygon, Polygon};

use crate::area::{self, LocalFrame, Venue};
use crate::fence::{Fence, FenceShape};
use crate::mission::Mission;

/// `(lon_deg, lat_deg)`.
pub type LonLat = (f64, f64);

/// A filled area: triangles over vertices, plus its outline rings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Area {
    pub vertices: Vec<LonLat>,
    /// Three vertex indices per triangle.
    pub triangles: Vec<u32>,
    /// Exterior and interior rings, each closed (first = last).
    pub rings: Vec<Vec<LonLat>>,
}

impl Area {
    /// An area from polygons in a venue's local metres.
    pub fn from_local(mp: &MultiPolygon<f64>, frame: &LocalFrame) -> Self {
        let mut out = Area::default();
        for poly in &mp.0 {
            out.add_local(poly, frame);
        }
        out
    }

    fn add_local(&mut self, poly: &Polygon<f64>, frame: &LocalFrame) {
        let raw = poly.earcut_triangles_raw();
        let base = self.vertices.len() as u32;
        for v in &raw.vertices {
            self.vertices.push(frame.to_wgs84(v[0], v[1]));
        }
        self.triangles
            .extend(raw.triangle_indices.iter().map(|&i| base + i as u32));
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            self.rings
                .push(ring.coords().map(|c| frame.to_wgs84(c.x, c.y)).collect());
        }
    }

    /// True when there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.rings.is_empty()
    }
}

/// A camera: its position, its name and its ground footprint.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraShape {
    pub name: String,
    pub position: LonLat,
    pub footprint: Area,
}

/// A named zone with its drawn area.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneShape {
    pub name: String,
    /// Risk level 1–4; 0 for a no-fly zone.
    pub level: u8,
    pub area: Area,
}

/// Everything drawn from the venue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VenueShapes {
    pub boundary: Area,
    pub cameras: Vec<CameraShape>,
    pub blind: Area,
    pub no_fly: Vec<ZoneShape>,
    pub risk: Vec<ZoneShape>,
    pub home: Option<LonLat>,
    /// Centre of the venue's local frame.
    pub center: LonLat,
    /// Blind spot figures: count, area m², share of the venue.
    pub blind_count: usize,
    pub blind_area_m2: f64,
    pub blind_share: f64,
    pub venue_area_m2: f64,
}

impl VenueShapes {
    /// Computes blind spots and footprints and converts everything to degrees.
    pub fn new(venue: &Venue) -> Self {
        let f = &venue.frame;
        let blind = area::blind_spots(venue);
        VenueShapes {
            boundary: Area::from_local(&venue.boundary, f),
            cameras: venue
                .cameras
                .iter()
                .map(|c| CameraShape {
                    name: c.name.clone(),
                    position: f.to_wgs84(c.position.x(), c.position.y()),
                    footprint: Area::from_local(&area::camera_footprint(c, &venue.obstacles), f),
                })
                .collect(),
            blind: Area::from_local(&blind.regions, f),
            no_fly: venue
                .no_fly
                .iter()
                .map(|z| ZoneShape {
                    name: z.name.clone(),
                    level: 0,
                    area: Area::from_local(&z.area, f),
                })
                .collect(),
            risk: venue
                .risk
                .iter()
                .map(|z| ZoneShape {
                    name: z.name.clone(),
                    level: z.level,
                    area: Area::from_local(&z.area, f),
                })
                .collect(),
            home: venue
                .home
                .as_ref()
                .map(|h| f.to_wgs84(h.position.x(), h.position.y())),
            center: (f.lon0_deg, f.lat0_deg),
            blind_count: blind.count,
            blind_area_m2: blind.blind_area_m2,
            blind_share: blind.blind_share,
            venue_area_m2: blind.venue_area_m2,
        }
    }
}

/// One leg of a route between two waypoints, with the sortie it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leg {
    pub from: LonLat,
    pub to: LonLat,
    /// Index of the sortie (or vehicle) for its colour.
    pub sortie: usize,
}

/// MAV_CMD_NAV_WAYPOINT … the navigation commands that put a point on the route.
const NAV_COMMANDS: [u16; 5] = [16, 17, 18, 19, 22];
/// MAV_CMD_NAV_RETURN_TO_LAUNCH and MAV_CMD_NAV_LAND end a sortie.
const SORTIE_END: [u16; 2] = [20, 21];

/// The route of one or more missions as legs; each mission is one colour group, and inside a
/// mission an RTL or LAND item starts a new sortie.
pub fn route_legs(missions: &[Mission]) -> Vec<Leg> {
    let mut legs = Vec::new();
    let mut sortie = 0;
    for mission in missions {
        let mut prev: Option<LonLat> = None;
        for item in &mission.items {
            if SORTIE_END.contains(&item.command) {
                if prev.is_some() {
                    sortie += 1;
                }
                prev = None;
                continue;
            }
            if !NAV_COMMANDS.contains(&item.command) || (item.lat_deg == 0.0 && item.lon_deg == 0.0)
            {
                continue;
            }
            let p = (item.lon_deg, item.lat_deg);
            if let Some(q) = prev {
                legs.push(Leg {
                    from: q,
                    to: p,
                    sortie,
                });
            }
            prev = Some(p);
        }
        if prev.is_some() {
            sortie += 1;
        }
    }
    legs
}

/// A fence area drawn as a ring.
#[derive(Debug, Clone, PartialEq)]
pub struct FenceRing {
    pub name: String,
    pub inclusion: bool,
    pub ring: Vec<LonLat>,
}

/// The fence's areas as closed rings (circles as 72-gons).
pub fn fence_rings(fence: &Fence) -> Vec<FenceRing> {
    fence
        .areas
        .iter()
        .map(|a| {
            let ring = match &a.shape {
                FenceShape::Polygon(v) => {
                    let mut r: Vec<LonLat> = v.iter().map(|p| (p.lon_deg, p.lat_deg)).collect();
                    if let Some(&first) = r.first() {
                        r.push(first);
                    }
                    r
                }
                FenceShape::Circle { center, radius_m } => {
                    let frame = LocalFrame::new(center.lon_deg, center.lat_deg);
                    (0..=72)
                        .map(|i| {
                            let a = (i as f64 * 5.0).to_radians();
                            frame.to_wgs84(radius_m * a.sin(), radius_m * a.cos())
                        })
                        .collect()
                }
            };
            FenceRing {
                name: a.name.clone(),
                inclusion: a.inclusion,
                ring,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mission::MissionItem;
    use geo_types::polygon;

    fn item(command: u16, lat: f64, lon: f64) -> MissionItem {
        MissionItem {
            command,
            frame: 3,
            params: [0.0; 4],
            lat_deg: lat,
            lon_deg: lon,
            alt_m: 30.0,
            autocontinue: true,
        }
    }

    #[test]
    fn a_square_with_a_hole_is_eight_triangles_and_two_rings() {
        let frame = LocalFrame::new(144.0, -37.0);
        let p = polygon!(
            exterior: [(x: -50.0, y: -50.0), (x: 50.0, y: -50.0), (x: 50.0, y: 50.0), (x: -50.0, y: 50.0)],
            interiors: [[(x: -10.0, y: -10.0), (x: 10.0, y: -10.0), (x: 10.0, y: 10.0), (x: -10.0, y: 10.0)]],
        );
        let a = Area::from_local(&MultiPolygon(vec![p]), &frame);
        assert_eq!(a.triangles.len() / 3, 8);
        assert_eq!(a.rings.len(), 2);
        // 50 m east of the centre is about 0.000565° of longitude at 37° S.
        let east = a.rings[0][1].0 - 144.0;
        assert!((east - 50.0 / (111_320.0 * 37f64.to_radians().cos())).abs() < 2e-6);
    }

    #[test]
    fn rtl_splits_a_mission_into_sorties() {
        let m = Mission {
            items: vec![
                item(22, -37.0, 144.0),
                item(16, -37.001, 144.0),
                item(16, -37.002, 144.0),
                item(20, 0.0, 0.0),
                item(16, -37.003, 144.0),
                item(16, -37.004, 144.0),
            ],
            ..Mission::default()
        };
        let legs = route_legs(&[m]);
        assert_eq!(legs.len(), 3);
        assert_eq!(legs[0].sortie, 0);
        assert_eq!(legs[1].sortie, 0);
        assert_eq!(legs[2].sortie, 1);
        assert_eq!(legs[2].from, (144.0, -37.003));
    }
}
