//! Blind spots: the parts of a venue no fixed camera sees, and their GeoJSON form.

use std::path::Path;

use geo::bool_ops::{FillRule, OpType};
use geo::{Area, BooleanOps, MapCoords, Orient, orient::Direction};
use geo_types::{Coord, MultiPolygon, Polygon};
use serde_json::{Value, json};

use super::{LocalFrame, Venue, camera_footprint};

/// Blind spots smaller than this are dropped: they are slivers where footprints meet, not
/// places a drone could sweep.
pub const MIN_BLIND_SPOT_M2: f64 = 1.0;

/// The blind spots of a venue and the figures that describe them.
#[derive(Debug, Clone)]
pub struct BlindSpots {
    /// The blind spots: boundary minus no-fly zones minus the union of camera footprints.
    pub regions: MultiPolygon<f64>,
    /// What the cameras see of the boundary outside no-fly zones.
    pub covered: MultiPolygon<f64>,
    /// Area of the venue the cameras should watch: boundary minus no-fly zones, m².
    pub venue_area_m2: f64,
    /// Area of `covered`, m².
    pub covered_area_m2: f64,
    /// Area of `regions`, m².
    pub blind_area_m2: f64,
    /// `blind_area_m2 / venue_area_m2`, from 0 to 1 (0 for an empty venue).
    pub blind_share: f64,
    /// Number of blind spots (polygons of `regions`).
    pub count: usize,
}

/// The boundary minus every no-fly zone (margins are the planner's concern, not the cameras').
pub fn flyable_area(venue: &Venue) -> MultiPolygon<f64> {
    let boundary = venue.boundary.orient(Direction::Default);
    let no_fly: Vec<Polygon<f64>> = venue
        .no_fly
        .iter()
        .flat_map(|z| z.area.orient(Direction::Default).0)
        .collect();
    if no_fly.is_empty() {
        return boundary;
    }
    // No-fly zones may overlap each other; the non-zero rule subtracts their union.
    boundary.boolean_op_with_fill_rule(
        &MultiPolygon::new(no_fly),
        OpType::Difference,
        FillRule::NonZero,
    )
}

/// The union of every camera footprint of the venue.
pub fn camera_coverage(venue: &Venue) -> MultiPolygon<f64> {
    let footprints: Vec<MultiPolygon<f64>> = venue
        .cameras
        .iter()
        .map(|c| camera_footprint(c, &venue.obstacles))
        .filter(|f| !f.0.is_empty())
        .collect();
    if footprints.is_empty() {
        return MultiPolygon::new(vec![]);
    }
    // One sweep over all footprints at once: far cheaper than folding pairwise unions.
    geo::unary_union(&footprints)
}

/// The blind spots of `venue` as DESIGN.md defines them: the boundary minus no-fly zones
/// minus the union of all camera footprints.
pub fn blind_spots(venue: &Venue) -> BlindSpots {
    let flyable = flyable_area(venue);
    let coverage = camera_coverage(venue);

    let (covered, regions) = if coverage.0.is_empty() {
        (MultiPolygon::new(vec![]), flyable.clone())
    } else {
        (
            flyable.intersection(&coverage),
            flyable.difference(&coverage),
        )
    };
    let regions = MultiPolygon::new(
        regions
            .0
            .into_iter()
            .filter(|p| p.unsigned_area() >= MIN_BLIND_SPOT_M2)
            .collect(),
    )
    .orient(Direction::Default);

    let venue_area_m2 = flyable.unsigned_area();
    let covered_area_m2 = covered.unsigned_area();
    let blind_area_m2 = regions.unsigned_area();
    let blind_share = if venue_area_m2 > 0.0 {
        (blind_area_m2 / venue_area_m2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    BlindSpots {
        count: regions.0.len(),
        regions,
        covered: covered.orient(Direction::Default),
        venue_area_m2,
        covered_area_m2,
        blind_area_m2,
        blind_share,
    }
}

/// Rounds degrees to 1e-8 (about a millimetre): enough for a map, and stable to compare.
fn round_deg(v: f64) -> f64 {
    (v * 1e8).round() / 1e8
}

/// The blind spots as a GeoJSON FeatureCollection (RFC 7946: WGS84 longitude/latitude,
/// exteriors counter-clockwise, holes clockwise), one feature per blind spot with its
/// `index` and `area_m2`.
pub fn blind_spots_geojson(blind: &BlindSpots, frame: &LocalFrame) -> Value {
    let features: Vec<Value> = blind
        .regions
        .0
        .iter()
        .enumerate()
        .map(|(index, poly)| {
            let wgs: Polygon<f64> = poly
                .map_coords(|c| {
                    let (lon, lat) = frame.to_wgs84(c.x, c.y);
                    Coord { x: lon, y: lat }
                })
                .orient(Direction::Default);
            let ring = |r: &geo_types::LineString<f64>| -> Vec<[f64; 2]> {
                r.coords()
                    .map(|c| [round_deg(c.x), round_deg(c.y)])
                    .collect()
            };
            let mut rings = vec![ring(wgs.exterior())];
            rings.extend(wgs.interiors().iter().map(ring));
            json!({
                "type": "Feature",
                "properties": {
                    "kind": "blind_spot",
                    "index": index,
                    "area_m2": (poly.unsigned_area() * 100.0).round() / 100.0,
                },
                "geometry": { "type": "Polygon", "coordinates": rings },
            })
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

/// Writes [`blind_spots_geojson`] to `path` atomically (never a half-written file).
///
/// # Errors
/// The I/O error of creating, writing or renaming the file.
pub fn write_blind_spots(
    path: &Path,
    blind: &BlindSpots,
    frame: &LocalFrame,
) -> std::io::Result<()> {
    let value = blind_spots_geojson(blind, frame);
    let mut text = serde_json::to_vec(&value).map_err(std::io::Error::other)?;
    text.push(b'\n');
    crate::fsutil::write_atomic(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::{Camera, Obstacle, Zone};
    use geo_types::{LineString, Point};
    use std::f64::consts::PI;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }

    fn cam(x: f64, y: f64, heading_deg: f64, hfov_deg: f64, range_m: f64) -> Camera {
        Camera {
            name: format!("cam {x},{y}"),
            position: Point::new(x, y),
            heading_deg,
            hfov_deg,
            range_m,
            height_m: None,
        }
    }

    fn venue(cameras: Vec<Camera>) -> Venue {
        Venue {
            name: "square".into(),
            frame: LocalFrame::new(144.97, -37.82),
            boundary: rect(0.0, 0.0, 100.0, 100.0),
            no_fly: vec![],
            obstacles: vec![],
            cameras,
            risk: vec![],
            home: None,
            warnings: vec![],
        }
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn one_corner_camera_leaves_the_rest_of_the_square_blind() {
        let b = blind_spots(&venue(vec![cam(0.0, 0.0, 45.0, 90.0, 50.0)]));
        let quarter = PI * 2500.0 / 4.0;
        assert!(close(b.venue_area_m2, 10_000.0, 1e-9));
        assert!(close(b.covered_area_m2, quarter, 1e-3));
        assert!(close(b.blind_area_m2, 10_000.0 - quarter, 1e-3));
        assert!(close(b.blind_share, 1.0 - quarter / 10_000.0, 1e-3));
        assert_eq!(b.count, 1);
    }

    #[test]
    fn footprints_are_clipped_to_the_boundary_and_counted_once() {
        // A 360° camera in the middle with range 100 sees the whole square; a second one on
        // top of it adds nothing.
        let b = blind_spots(&venue(vec![
            cam(50.0, 50.0, 0.0, 360.0, 100.0),
            cam(50.0, 50.0, 0.0, 360.0, 100.0),
        ]));
        assert!(close(b.covered_area_m2, 10_000.0, 1e-9));
        assert_eq!(b.count, 0);
        assert_eq!(b.blind_share, 0.0);
    }

    #[test]
    fn four_corner_cameras_leave_a_middle_blind_spot() {
        // Quarter discs of radius 50 at the four corners meet at the edge midpoints and leave
        // one concave blind spot in the middle: 100² − π·50².
        let b = blind_spots(&venue(vec![
            cam(0.0, 0.0, 45.0, 90.0, 50.0),
            cam(100.0, 0.0, 315.0, 90.0, 50.0),
            cam(100.0, 100.0, 225.0, 90.0, 50.0),
            cam(0.0, 100.0, 135.0, 90.0, 50.0),
        ]));
        let want = 10_000.0 - PI * 2500.0;
        assert_eq!(b.count, 1);
        assert!(close(b.blind_area_m2, want, 2e-3), "{}", b.blind_area_m2);
        assert!(b.regions.contains(&Point::new(50.0, 50.0)));
    }

    #[test]
    fn no_fly_zones_are_neither_venue_nor_blind() {
        let mut v = venue(vec![]);
        v.no_fly.push(Zone {
            name: "stage".into(),
            area: rect(0.0, 0.0, 50.0, 100.0),
            margin_m: 5.0,
        });
        v.no_fly.push(Zone {
            name: "overlapping stage".into(),
            area: rect(25.0, 0.0, 75.0, 100.0),
            margin_m: 0.0,
        });
        let b = blind_spots(&v);
        assert!(close(b.venue_area_m2, 2_500.0, 1e-9));
        assert!(close(b.blind_area_m2, 2_500.0, 1e-9));
        assert_eq!(b.blind_share, 1.0);
    }

    #[test]
    fn an_obstacle_shadow_becomes_blind() {
        // A 360° camera in the middle sees the whole square, except behind a wall east of it.
        let mut v = venue(vec![cam(50.0, 50.0, 0.0, 360.0, 100.0)]);
        v.obstacles.push(Obstacle {
            name: "wall".into(),
            area: rect(60.0, 40.0, 61.0, 60.0),
            height_m: None,
        });
        let b = blind_spots(&v);
        // Behind the wall: the wedge between the rays through (60,40) and (60,60), i.e. the
        // trapezoid from x=60 (20 m tall) to x=100 (100 m tall): (20 + 100) / 2 · 40 = 2400.
        assert_eq!(b.count, 1);
        assert!(close(b.blind_area_m2, 2_400.0, 1e-6), "{}", b.blind_area_m2);
    }

    #[test]
    fn geojson_rings_are_wgs84_counter_clockwise_with_areas() {
        let mut v = venue(vec![cam(0.0, 0.0, 45.0, 90.0, 50.0)]);
        v.boundary = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![
                (0., 0.),
                (100., 0.),
                (100., 100.),
                (0., 100.),
                (0., 0.),
            ]),
            vec![LineString::from(vec![
                (70., 70.),
                (80., 70.),
                (80., 80.),
                (70., 80.),
                (70., 70.),
            ])],
        )]);
        let b = blind_spots(&v);
        let g = blind_spots_geojson(&b, &v.frame);
        let f = &g["features"][0];
        let area = f["properties"]["area_m2"].as_f64().expect("area");
        assert!(close(area, 10_000.0 - 100.0 - PI * 625.0, 1e-3));
        let rings = f["geometry"]["coordinates"].as_array().expect("rings");
        assert_eq!(rings.len(), 2);
        let to_ls = |r: &Value| {
            LineString::from(
                r.as_array()
                    .expect("ring")
                    .iter()
                    .map(|p| (p[0].as_f64().expect("lon"), p[1].as_f64().expect("lat")))
                    .collect::<Vec<_>>(),
            )
        };
        use geo::Winding;
        assert!(to_ls(&rings[0]).is_ccw());
        assert!(to_ls(&rings[1]).is_cw());
        // Longitudes near 144.97, latitudes near -37.82: lon/lat order.
        let first = &rings[0][0];
        assert!((first[0].as_f64().expect("lon") - 144.97).abs() < 0.01);
        assert!((first[1].as_f64().expect("lat") + 37.82).abs() < 0.01);
    }

    use geo::Contains;
}
