//! Choosing each region's sweep direction: the angle whose decomposition flies in the least
//! time, searched over every edge direction of the region's convex hull and a 5° grid, then
//! refined in 1° steps around the best candidates.

use geo::ConvexHull;
use geo_types::Polygon;
use rand::RngExt;

use super::decompose::{Cell, decompose};
use super::geom::dist;
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

    // Hull edge directions and a coarse grid.
    let mut angles: Vec<f64> = (0..36).map(|i| f64::from(i) * 5.0).collect();
    let hull = region.convex_hull();
    for w in hull.exterior().0.windows(2) {
        let d = (w[1].y - w[0].y).atan2(w[1].x - w[0].x).to_degrees();
        if dist(w[0], w[1]) > 1e-6 {
            angles.push(d.rem_euclid(180.0));
        }
    }
    let mut tried: Vec<RegionSweeps> = angles.iter().map(|&a| eval(a)).collect();
    tried.sort_by(|a, b| a.estimate_s.total_cmp(&b.estimate_s));

    // Refine around the three best in 1° steps.
    let seeds: Vec<f64> = tried.iter().take(3).map(|r| r.angle_deg).collect();
    for s in seeds {
        for k in [-4.0, -3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 4.0] {
            tried.push(eval((s + k).rem_euclid(180.0)));
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
