//! A QGroundControl-style survey, the baseline Vigil's planner is measured against: one set of
//! parallel lines over the whole region at the single best angle (1° steps, shortest path),
//! each line flown from its first to its last crossing of the region's outline (so it crosses
//! holes and notches, as QGC's transects do), joined by straight transitions in serpentine
//! order, from and to home.

use geo::{BooleanOps, ConvexHull};
use geo_types::{Coord, LineString, MultiLineString, MultiPolygon, Polygon};

/// The baseline's path, home to home.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub angle_deg: f64,
    pub points: Vec<Coord<f64>>,
    /// Sweep segments (the lines themselves), for coverage.
    pub sweeps: Vec<(Coord<f64>, Coord<f64>)>,
    pub length_m: f64,
}

fn rot(p: Coord<f64>, c: f64, s: f64) -> Coord<f64> {
    Coord {
        x: p.x * c - p.y * s,
        y: p.x * s + p.y * c,
    }
}

fn survey_at(
    region: &MultiPolygon<f64>,
    deg: f64,
    swath_m: f64,
    cap_m: f64,
    home: Coord<f64>,
) -> Option<Baseline> {
    let (c, s) = (deg.to_radians().cos(), deg.to_radians().sin());
    let pts: Vec<Coord<f64>> = region
        .iter()
        .flat_map(|p| p.exterior().0.iter().copied())
        .map(|p| rot(p, c, -s))
        .collect();
    let (ymin, ymax) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.y), a.1.max(p.y)));
    let (xmin, xmax) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.x), a.1.max(p.x)));
    let h = ymax - ymin;
    let n = if h <= swath_m {
        1
    } else {
        ((h / swath_m) - 1e-9).ceil() as usize
    };
    let mut sweeps = Vec::new();
    for i in 0..n {
        let y = if n == 1 {
            0.5 * (ymin + ymax)
        } else if i + 1 == n {
            ymax - 0.5 * swath_m
        } else {
            ymin + swath_m * (0.5 + i as f64)
        };
        let line = MultiLineString(vec![LineString(vec![
            rot(Coord { x: xmin - 1.0, y }, c, s),
            rot(Coord { x: xmax + 1.0, y }, c, s),
        ])]);
        let clipped = region.clip(&line, false);
        // First to last crossing along the line.
        let mut ts: Vec<f64> = Vec::new();
        for ls in &clipped {
            for p in &ls.0 {
                ts.push(rot(*p, c, -s).x);
            }
        }
        if ts.is_empty() {
            continue;
        }
        let (a, b) = ts.iter().fold((f64::MAX, f64::MIN), |acc, x| {
            (acc.0.min(*x), acc.1.max(*x))
        });
        let (a, b) = if b - a > 2.0 * cap_m + 0.5 {
            (a + cap_m, b - cap_m)
        } else {
            (0.5 * (a + b) - 0.25, 0.5 * (a + b) + 0.25)
        };
        let (pa, pb) = (rot(Coord { x: a, y }, c, s), rot(Coord { x: b, y }, c, s));
        if sweeps.len() % 2 == 0 {
            sweeps.push((pa, pb))
        } else {
            sweeps.push((pb, pa))
        }
    }
    if sweeps.is_empty() {
        return None;
    }
    let mut points = vec![home];
    for (a, b) in &sweeps {
        points.push(*a);
        points.push(*b);
    }
    points.push(home);
    let length_m = points
        .windows(2)
        .map(|w| (w[1].x - w[0].x).hypot(w[1].y - w[0].y))
        .sum();
    Some(Baseline {
        angle_deg: deg,
        points,
        sweeps,
        length_m,
    })
}

/// The baseline over `region` with sweeps `swath_m` apart, the angle (1° steps, plus the
/// convex hull's edge directions) giving the shortest path. Lines stop `cap_m` short of the
/// outline at both ends (0 for QGC's edge-to-edge lines; the camera's look-ahead to give the
/// baseline the same advantage Vigil takes).
pub fn survey(region: &MultiPolygon<f64>, swath_m: f64, cap_m: f64, home: Coord<f64>) -> Baseline {
    let mut angles: Vec<f64> = (0..180).map(f64::from).collect();
    for p in region {
        let hull: Polygon<f64> = p.convex_hull();
        for w in hull.exterior().0.windows(2) {
            angles.push(
                (w[1].y - w[0].y)
                    .atan2(w[1].x - w[0].x)
                    .to_degrees()
                    .rem_euclid(180.0),
            );
        }
    }
    angles
        .into_iter()
        .filter_map(|a| survey_at(region, a, swath_m, cap_m, home))
        .min_by(|a, b| a.length_m.total_cmp(&b.length_m))
        .expect("a region with area has a survey")
}
