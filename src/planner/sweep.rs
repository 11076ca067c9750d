//! Choosing each region's sweep direction: the angle whose decomposition flies in the least
//! time, searched over every edge direction of the region's convex hull and a 5° grid, then
//! refined in 1° steps around the best candidates.

use geo::ConvexHull;
use geo_types::Polygon;
use rand::RngExt;

use super::decompose::{Cell, MIN_SWEEP_M, decompose, sweep_offsets};
use super::geom::{dist, rotate};
use super::kinematics::Vehicle;

/// Estimated seconds to fly `cells`: every sweep and every hop between neighbouring sweeps as
/// a rest-to-rest run with a turn, plus a hop of two swaths into and out of each cell.
pub fn estimate_s(cells: &[Cell], vehicle: &Vehicle, swath_m: f64) -> f64 {
    let mut t = 0.0;
    for cell in cells {
        let mut flip = false;
        let mut prev_end = None;
        for s in &cell.sweeps {
            let (a, b) = if flip { (s.b, s.a) } else { (s.a, s.b) };
            if let Some(e) = prev_end {
                t += vehicle.run_s(dist(e, a)) + vehicle.turn_s;
            }
            t += vehicle.run_s(dist(a, b)) + vehicle.turn_s;
            prev_end = Some(b);
            flip = !flip;
        }
        t += vehicle.run_s(2.0 * swath_m) + vehicle.turn_s;
    }
    t
}

/// A region's chosen decomposition.
#[derive(Debug, Clone)]
pub struct RegionSweeps {
    pub angle_deg: f64,
    pub cells: Vec<Cell>,
    pub estimate_s: f64,
}

/// Decomposes `region` at the angle that minimises the estimated flight time, or at `fixed_deg`.
///
/// With `rng`, the angle is drawn among the candidates whose estimate is within `slack` (e.g.
/// 0.03) of the best, so that seeded plans differ while costing about the same.
pub fn best_sweeps(
    region: &Polygon<f64>,
    swath_m: f64,
    cap_m: f64,
    vehicle: &Vehicle,
    fixed_deg: Option<f64>,
    rng: Option<(&mut rand_chacha::ChaCha8Rng, f64)>,
) -> RegionSweeps {
    let eval = |deg: f64| {
        let cells = decompose(region, deg.to_radians(), swath_m, cap_m);
        let t = estimate_s(&cells, vehicle, swath_m);
        RegionSweeps {
            angle_deg: deg,
            cells,
            estimate_s: t,
        }
    };
    if let Some(deg) = fixed_deg {
        return eval(deg);
    }

    // Rank every 2° and every hull edge direction by a quick estimate from the sweeps' centre
    // lines, refine the best in 1° steps, then decompose the three best exactly.
    let mut angles: Vec<f64> = (0..90).map(|i| f64::from(i) * 2.0).collect();
    let hull = region.convex_hull();
    for w in hull.exterior().0.windows(2) {
        let d = (w[1].y - w[0].y).atan2(w[1].x - w[0].x).to_degrees();
        if dist(w[0], w[1]) > 1e-6 {
            angles.push(d.rem_euclid(180.0));
        }
    }
    let quick = |deg: f64| quick_s(region, deg, swath_m, cap_m, vehicle);
    let mut ranked: Vec<(f64, f64)> = angles.iter().map(|&a| (quick(a), a)).collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    let best: Vec<f64> = ranked.iter().take(3).map(|r| r.1).collect();
    for a in best {
        for k in [-1.0, 1.0] {
            let d = (a + k).rem_euclid(180.0);
            ranked.push((quick(d), d));
        }
    }
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut tried: Vec<RegionSweeps> = Vec::new();
    for &(_, a) in &ranked {
        if tried.len() == 3 {
            break;
        }
        if tried.iter().all(|t| (t.angle_deg - a).abs() > 0.5) {
            tried.push(eval(a));
        }
    }
    tried.sort_by(|a, b| a.estimate_s.total_cmp(&b.estimate_s));
    match rng {
        Some((rng, slack)) => {
            let limit = tried[0].estimate_s * (1.0 + slack);
            let n = tried.iter().take_while(|r| r.estimate_s <= limit).count();
            let pick = rng.random_range(0..n.max(1));
            tried.swap_remove(pick)
        }
        None => tried.swap_remove(0),
    }
}

/// A quick estimate of the seconds to sweep `region` along `deg`: each sweep's centre line
/// clipped to the region (less the look-ahead at both ends), a hop and turn per sweep, and a
/// cell change wherever a strip has a different number of pieces than the one before.
pub fn quick_s(
    region: &Polygon<f64>,
    deg: f64,
    swath_m: f64,
    cap_m: f64,
    vehicle: &Vehicle,
) -> f64 {
    let (c, s) = (deg.to_radians().cos(), deg.to_radians().sin());
    let mut edges = Vec::new();
    let (mut ymin, mut ymax) = (f64::MAX, f64::MIN);
    for ring in std::iter::once(region.exterior()).chain(region.interiors()) {
        let pts: Vec<_> = ring.0.iter().map(|p| rotate(*p, c, -s)).collect();
        for w in pts.windows(2) {
            edges.push((w[0], w[1]));
            ymin = ymin.min(w[0].y);
            ymax = ymax.max(w[0].y);
        }
    }
    let hop = vehicle.run_s(swath_m) + vehicle.turn_s;
    let mut t = 0.0;
    let mut last_count = usize::MAX;
    let mut xs = Vec::new();
    for y in sweep_offsets(ymin, ymax, swath_m) {
        xs.clear();
        for (p, q) in &edges {
            if (p.y > y) != (q.y > y) {
                xs.push(p.x + (y - p.y) / (q.y - p.y) * (q.x - p.x));
            }
        }
        xs.sort_by(f64::total_cmp);
        let count = xs.len() / 2;
        for w in xs.chunks_exact(2) {
            let len = (w[1] - w[0] - 2.0 * cap_m).max(MIN_SWEEP_M);
            t += vehicle.run_s(len) + vehicle.turn_s + hop;
        }
        if count != last_count {
            t += vehicle.run_s(2.0 * swath_m) + vehicle.turn_s;
            last_count = count;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn a_long_thin_rectangle_is_swept_along_its_length() {
        let r =
            polygon![(x: 0.0, y: 0.0), (x: 400.0, y: 0.0), (x: 400.0, y: 60.0), (x: 0.0, y: 60.0)];
        let best = best_sweeps(&r, 20.0, 10.0, &Vehicle::default(), None, None);
        assert!(best.angle_deg.abs() < 1e-9 || (best.angle_deg - 180.0).abs() < 1e-9);
        assert_eq!(best.cells.iter().map(|c| c.sweeps.len()).sum::<usize>(), 3);
    }

    #[test]
    fn a_rotated_rectangle_is_swept_along_its_hull_edge() {
        let c = 30.0_f64.to_radians().cos();
        let s = 30.0_f64.to_radians().sin();
        let r = |x: f64, y: f64| (x * c - y * s, x * s + y * c);
        let pts = [r(0.0, 0.0), r(300.0, 0.0), r(300.0, 50.0), r(0.0, 50.0)];
        let poly = Polygon::new(pts.to_vec().into(), vec![]);
        let best = best_sweeps(&poly, 25.0, 12.5, &Vehicle::default(), None, None);
        assert!((best.angle_deg - 30.0).abs() < 1e-6, "{}", best.angle_deg);
    }
}
