//! Coverage, measured independently of how the sweeps were made: the blind spots' area inside
//! the union of the swath rectangles of every sweep leg flown, over the blind spots' area.
//!
//! A sweep leg's swath is its square-capped buffer: `swath_m` wide, reaching `cap_m` (half the
//! camera's along-track footprint, at most half the swath) beyond each end.

use geo::{Area, BooleanOps};
use geo_types::{MultiPolygon, Polygon};

use super::geom::swath_rect;
use super::sortie::Sortie;

/// Blind area, covered blind area (m²) and the swath footprint itself.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub blind_area_m2: f64,
    pub covered_blind_area_m2: f64,
    /// Union of the swath rectangles of every sweep leg.
    pub swath: MultiPolygon<f64>,
}

impl Coverage {
    /// Covered share of the blind area, percent (100 when there is nothing to cover).
    pub fn pct(&self) -> f64 {
        if self.blind_area_m2 <= 0.0 {
            100.0
        } else {
            100.0 * self.covered_blind_area_m2 / self.blind_area_m2
        }
    }
}

/// The swath of every sweep leg of `sorties`, `swath_m` wide and reaching `cap_m` beyond each
/// end, laid over `blind`.
pub fn coverage<'a>(
    blind: &MultiPolygon<f64>,
    sorties: impl IntoIterator<Item = &'a Sortie>,
    swath_m: f64,
    cap_m: f64,
) -> Coverage {
    let mut rects: Vec<Polygon<f64>> = Vec::new();
    for s in sorties {
        for w in s.points.windows(2) {
            if w[1].sweep && super::geom::dist(w[0].pos(), w[1].pos()) > 1e-6 {
                rects.push(swath_rect(w[0].pos(), w[1].pos(), swath_m, cap_m));
            }
        }
    }
    let swath = geo::algorithm::bool_ops::unary_union(rects.iter());
    let blind_area_m2 = blind.unsigned_area();
    let covered_blind_area_m2 = blind.intersection(&swath).unsigned_area();
    Coverage {
        blind_area_m2,
        covered_blind_area_m2,
        swath,
    }
}
