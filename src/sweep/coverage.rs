//! Flown coverage: the blind spots covered by the flown track (from telemetry) buffered by the
//! swath, measured the same way as the planner's planned coverage.

use geo::{Area, BooleanOps, Simplify};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

use crate::planner::geom::swath_rect;

/// One telemetry position of a vehicle, in the venue's local metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackPoint {
    /// Vehicle clock, seconds since its boot.
    pub time_s: f64,
    pub east_m: f64,
    pub north_m: f64,
    /// Altitude above home, metres.
    pub alt_rel_m: f64,
}

/// Samples further apart than this in time do not make a segment (a link outage or a landing
/// between sorties): the camera's view between them is unknown.
const MAX_GAP_S: f64 = 5.0;

/// Pieces of `track` flown at or above `min_alt_m` with no gap longer than [`MAX_GAP_S`],
/// simplified to `tolerance_m` (straight sweeps become one segment each).
pub fn camera_pieces(track: &[TrackPoint], min_alt_m: f64, tolerance_m: f64) -> Vec<LineString> {
    let mut pieces = Vec::new();
    let mut cur: Vec<Coord<f64>> = Vec::new();
    let mut last_t = f64::NEG_INFINITY;
    for p in track {
        let up = p.alt_rel_m >= min_alt_m;
        if !up || p.time_s - last_t > MAX_GAP_S || p.time_s < last_t {
            if cur.len() >= 2 {
                pieces.push(LineString::new(std::mem::take(&mut cur)));
            }
            cur.clear();
        }
        if up {
            cur.push(Coord {
                x: p.east_m,
                y: p.north_m,
            });
            last_t = p.time_s;
        }
    }
    if cur.len() >= 2 {
        pieces.push(LineString::new(cur));
    }
    pieces
        .into_iter()
        .map(|l| l.simplify(tolerance_m))
        .collect()
}

/// The ground the camera saw along `pieces`: each segment `swath_m` wide, reaching `cap_m`
/// beyond its ends (as [`crate::planner::coverage`] measures the plan).
pub fn seen_area(pieces: &[LineString], swath_m: f64, cap_m: f64) -> MultiPolygon<f64> {
    let mut rects: Vec<Polygon<f64>> = Vec::new();
    for l in pieces {
        for w in l.0.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a.x - b.x).hypot(a.y - b.y) > 1e-3 {
                rects.push(swath_rect(a, b, swath_m, cap_m));
            }
        }
    }
    geo::algorithm::bool_ops::unary_union(rects.iter())
}

/// Covered share of `blind`, percent (100 when there is nothing to cover), and the covered
/// area in m².
pub fn covered_pct(blind: &MultiPolygon<f64>, seen: &MultiPolygon<f64>) -> (f64, f64) {
    let total = blind.unsigned_area();
    if total <= 0.0 {
        return (100.0, 0.0);
    }
    let covered = blind.intersection(seen).unsigned_area();
    (100.0 * covered / total, covered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn pt(t: f64, e: f64, n: f64, alt: f64) -> TrackPoint {
        TrackPoint {
            time_s: t,
            east_m: e,
            north_m: n,
            alt_rel_m: alt,
        }
    }

    #[test]
    fn a_straight_pass_covers_its_swath_and_nothing_on_the_ground_counts() {
        // A 100 × 40 m blind spot; one pass along its middle with a 20 m swath covers half.
        let blind = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 40.0), (x: 0.0, y: 40.0)
        ]]);
        let track: Vec<TrackPoint> = (0..=10)
            .map(|i| pt(f64::from(i), 10.0 * f64::from(i), 20.0, 40.0))
            .collect();
        let pieces = camera_pieces(&track, 30.0, 0.5);
        assert_eq!(pieces.len(), 1);
        assert_eq!(
            pieces[0].0.len(),
            2,
            "a straight pass simplifies to one segment"
        );
        let seen = seen_area(&pieces, 20.0, 0.0);
        let (pct, m2) = covered_pct(&blind, &seen);
        assert!((m2 - 2000.0).abs() < 1e-6, "{m2}");
        assert!((pct - 50.0).abs() < 1e-9);

        // The same pass at 5 m (taking off) sees nothing; a 10 s gap splits a pass in two.
        let low: Vec<TrackPoint> = track
            .iter()
            .map(|p| pt(p.time_s, p.east_m, 20.0, 5.0))
            .collect();
        assert!(camera_pieces(&low, 30.0, 0.5).is_empty());
        let mut gap = track.clone();
        for p in gap.iter_mut().skip(5) {
            p.time_s += 10.0;
        }
        let pieces = camera_pieces(&gap, 30.0, 0.5);
        assert_eq!(pieces.len(), 2);
        let (pct, _) = covered_pct(&blind, &seen_area(&pieces, 20.0, 0.0));
        assert!(
            (pct - 45.0).abs() < 1e-9,
            "the 10 m between samples 4 and 5 is lost: {pct}"
        );
    }
}
