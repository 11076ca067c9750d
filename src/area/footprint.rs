//! Camera ground footprints: the sector a camera sees, minus the shadows obstacles cast.

use geo::bool_ops::{FillRule, OpType};
use geo::{BooleanOps, BoundingRect, Contains, Orient, orient::Direction};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon, Rect};

use super::{Camera, Obstacle};

/// Largest angle between two vertices of a footprint's arc. An inscribed polygon with steps
/// of δ radians has `1 - sin δ / δ ≈ δ²/6` less area than the true sector: 0.02 % at 2°.
pub const ARC_STEP_DEG: f64 = 2.0;

/// The unit vector of a compass bearing (0 = north, clockwise) in east-north coordinates.
fn bearing_vector(bearing_deg: f64) -> Coord<f64> {
    let b = bearing_deg.to_radians();
    Coord {
        x: b.sin(),
        y: b.cos(),
    }
}

/// The sector a camera sees with nothing in the way: radius `range_m`, `hfov_deg` wide,
/// centred on `heading_deg`; a full disc when `hfov_deg` is 360 or more.
/// Empty when the range or the field of view is not positive.
pub fn camera_sector(camera: &Camera) -> Option<Polygon<f64>> {
    let (range_m, hfov_deg) = (camera.range_m, camera.hfov_deg);
    if !(range_m > 0.0 && hfov_deg > 0.0 && range_m.is_finite() && hfov_deg.is_finite()) {
        return None;
    }
    let c = camera.position.0;
    let at = |bearing_deg: f64| c + bearing_vector(bearing_deg) * range_m;
    let mut ring = Vec::new();
    if hfov_deg >= 360.0 {
        let n = (360.0 / ARC_STEP_DEG).ceil() as usize;
        ring.extend((0..n).map(|k| at(360.0 * k as f64 / n as f64)));
    } else {
        let n = (hfov_deg / ARC_STEP_DEG).ceil().max(1.0) as usize;
        let start = camera.heading_deg - hfov_deg / 2.0;
        ring.push(c);
        ring.extend((0..=n).map(|k| at(start + hfov_deg * k as f64 / n as f64)));
    }
    Some(Polygon::new(LineString::new(ring), vec![]).orient(Direction::Default))
}

/// Distance from `p` to the nearest point of `r` (0 inside).
fn distance_to_rect(p: Coord<f64>, r: &Rect<f64>) -> f64 {
    let dx = (r.min().x - p.x).max(p.x - r.max().x).max(0.0);
    let dy = (r.min().y - p.y).max(p.y - r.max().y).max(0.0);
    dx.hypot(dy)
}

/// The region an edge `a → b` hides from `c`: everything beyond the edge on rays from `c`,
/// out to `far_m` (which must exceed the camera's range).
fn edge_shadow(c: Coord<f64>, a: Coord<f64>, b: Coord<f64>, far_m: f64) -> Polygon<f64> {
    let angle = |p: Coord<f64>| (p.y - c.y).atan2(p.x - c.x);
    let (aa, ab) = (angle(a), angle(b));

    // The edge faces the camera, so it spans less than half a turn as seen from it; walk the
    // far arc from b back to a in steps small enough that its chords stay beyond the range.
    let mut sweep = aa - ab;
    while sweep > std::f64::consts::PI {
        sweep -= std::f64::consts::TAU;
    }
    while sweep < -std::f64::consts::PI {
        sweep += std::f64::consts::TAU;
    }
    let steps = (sweep.abs() / 20f64.to_radians()).ceil().max(1.0) as usize;
    let mut ring = vec![a, b];
    for k in 0..=steps {
        let t = ab + sweep * k as f64 / steps as f64;
        ring.push(Coord {
            x: c.x + far_m * t.cos(),
            y: c.y + far_m * t.sin(),
        });
    }
    Polygon::new(LineString::new(ring), vec![]).orient(Direction::Default)
}

/// The shadows `obstacles` cast from the camera's position, out past its range.
///
/// A point is hidden when the segment from the camera to it crosses an obstacle's outline;
/// it is enough to look at edges that face the camera. An obstacle that contains the camera
/// is the building the camera is mounted on, and hides nothing from it.
pub fn obstacle_shadows(camera: &Camera, obstacles: &[Obstacle]) -> Vec<Polygon<f64>> {
    let c = camera.position.0;
    // Chords of the far arc (steps of 20°) stay at least cos 10° ≈ 0.985 of this radius out.
    let far_m = camera.range_m * 1.1 + 1.0;
    let mut shadows = Vec::new();
    for obstacle in obstacles {
        let near = obstacle
            .area
            .bounding_rect()
            .is_some_and(|r| distance_to_rect(c, &r) < camera.range_m);
        if !near || obstacle.area.contains(&Point(c)) {
            continue;
        }
        for poly in &obstacle.area.0 {
            // Exterior counter-clockwise, holes clockwise: the inside is left of every edge.
            let poly = poly.orient(Direction::Default);
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for edge in ring.lines() {
                    let (a, b) = (edge.start, edge.end);
                    let cross = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
                    if cross < 0.0 {
                        shadows.push(edge_shadow(c, a, b, far_m));
                    }
                }
            }
        }
    }
    shadows
}

/// A camera's ground footprint: its sector ([`camera_sector`]) minus the shadows of
/// `obstacles` ([`obstacle_shadows`]), in the venue's local metres.
///
/// ```
/// use geo::Area;
/// use geo_types::Point;
/// use vigil::area::{Camera, camera_footprint};
/// let cam = Camera {
///     name: "gate".into(),
///     position: Point::new(0.0, 0.0),
///     heading_deg: 45.0,
///     hfov_deg: 90.0,
///     range_m: 50.0,
///     height_m: None,
/// };
/// let quarter_disc = std::f64::consts::PI * 50.0 * 50.0 / 4.0;
/// let area = camera_footprint(&cam, &[]).unsigned_area();
/// assert!((area - quarter_disc).abs() / quarter_disc < 1e-3);
/// ```
pub fn camera_footprint(camera: &Camera, obstacles: &[Obstacle]) -> MultiPolygon<f64> {
    let Some(sector) = camera_sector(camera) else {
        return MultiPolygon::new(vec![]);
    };
    let shadows = obstacle_shadows(camera, obstacles);
    if shadows.is_empty() {
        return MultiPolygon::new(vec![sector]);
    }

    // Shadows of neighbouring edges overlap; the non-zero rule counts them once.
    sector
        .boolean_op_with_fill_rule(
            &MultiPolygon::new(shadows),
            OpType::Difference,
            FillRule::NonZero,
        )
        .orient(Direction::Default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;
    use std::f64::consts::PI;

    fn cam(x: f64, y: f64, heading_deg: f64, hfov_deg: f64, range_m: f64) -> Camera {
        Camera {
            name: "c".into(),
            position: Point::new(x, y),
            heading_deg,
            hfov_deg,
            range_m,
            height_m: None,
        }
    }

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }

    fn obstacle(area: MultiPolygon<f64>) -> Obstacle {
        Obstacle {
            name: "o".into(),
            area,
            height_m: None,
        }
    }

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b
    }

    #[test]
    fn quarter_sector_at_a_corner_has_a_quarter_disc_area() {
        let f = camera_footprint(&cam(0.0, 0.0, 45.0, 90.0, 50.0), &[]);
        assert!(rel(f.unsigned_area(), PI * 2500.0 / 4.0) < 1e-3);
    }

    #[test]
    fn sector_areas_are_within_a_thousandth_for_any_fov() {
        for hfov in [1.0, 10.0, 37.0, 90.0, 179.0, 200.0, 359.0, 360.0] {
            let f = camera_footprint(&cam(3.0, -7.0, 123.0, hfov, 80.0), &[]);
            let want = PI * 80.0 * 80.0 * hfov / 360.0;
            assert!(rel(f.unsigned_area(), want) < 1e-3, "hfov {hfov}");
        }
    }

    #[test]
    fn sector_points_where_the_heading_says() {
        // Looking east, 40° wide (20 steps of 2°): every vertex has x >= 0, one is at (range, 0).
        let s = camera_sector(&cam(0.0, 0.0, 90.0, 40.0, 10.0)).expect("sector");
        assert!(s.exterior().coords().all(|c| c.x >= -1e-9));
        assert!(
            s.exterior()
                .coords()
                .any(|c| (c.x - 10.0).abs() < 1e-9 && c.y.abs() < 1e-9)
        );
    }

    #[test]
    fn a_wall_across_the_view_hides_the_wedge_behind_it() {
        // A 360° camera at the origin, range 100; a thin wall from (10,-10) to (10,10) hides
        // the 90° wedge beyond x = 10: the quarter disc between bearings 45° and 135° minus
        // the triangle in front of the wall (area 10 * 20 / 2 = 100), plus the wall itself.
        let wall = obstacle(square(10.0, -10.0, 10.5, 10.0));
        let f = camera_footprint(&cam(0.0, 0.0, 0.0, 360.0, 100.0), &[wall]);
        let wedge = PI * 100.0 * 100.0 / 4.0 - 100.0;
        let want = PI * 100.0 * 100.0 - wedge;
        assert!(rel(f.unsigned_area(), want) < 1e-3, "{}", f.unsigned_area());
        assert!(!f.contains(&Point::new(50.0, 0.0)));
        assert!(f.contains(&Point::new(5.0, 0.0)));
        assert!(f.contains(&Point::new(-50.0, 0.0)));
    }

    #[test]
    fn an_obstacle_out_of_range_or_holding_the_camera_hides_nothing() {
        let far = obstacle(square(200.0, 0.0, 210.0, 10.0));
        let mount = obstacle(square(-1.0, -1.0, 1.0, 1.0));
        let f = camera_footprint(&cam(0.0, 0.0, 0.0, 360.0, 50.0), &[far, mount]);
        assert!(rel(f.unsigned_area(), PI * 2500.0) < 1e-3);
    }

    #[test]
    fn a_courtyard_building_hides_its_courtyard() {
        // A 20 m square building with a 10 m courtyard, seen from 30 m away: the courtyard
        // is hidden (the outer wall is in front of it).
        let building = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![
                (30., -10.),
                (50., -10.),
                (50., 10.),
                (30., 10.),
                (30., -10.),
            ]),
            vec![LineString::from(vec![
                (35., -5.),
                (45., -5.),
                (45., 5.),
                (35., 5.),
                (35., -5.),
            ])],
        )]);
        let f = camera_footprint(&cam(0.0, 0.0, 90.0, 90.0, 100.0), &[obstacle(building)]);
        assert!(!f.contains(&Point::new(40.0, 0.0)));
        assert!(f.contains(&Point::new(20.0, 0.0)));
    }
}
