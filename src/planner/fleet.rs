//! Fleet partition: the work is cut by lines across the venue's longer axis into one slab per
//! vehicle, the cuts placed so that every slab takes about the same flight time. Slabs are
//! disjoint, so no two vehicles sweep the same ground.

use geo::{Area, BooleanOps, BoundingRect};
use geo_types::{Coord, MultiPolygon, Rect};

/// Which axis the cuts run across.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// Cuts are lines of constant x (east).
    X,
    /// Cuts are lines of constant y (north).
    Y,
}

/// The longer side of `area`'s bounding box: cuts run across it.
pub fn long_axis(area: &MultiPolygon<f64>) -> Axis {
    match area.bounding_rect() {
        Some(r) if r.height() > r.width() => Axis::Y,
        _ => Axis::X,
    }
}

/// `area` between `lo` and `hi` along `axis`.
pub fn slab(area: &MultiPolygon<f64>, axis: Axis, lo: f64, hi: f64) -> MultiPolygon<f64> {
    let Some(b) = area.bounding_rect() else {
        return MultiPolygon(vec![]);
    };
    let pad = 1.0;
    let r = match axis {
        Axis::X => Rect::new(
            Coord {
                x: lo,
                y: b.min().y - pad,
            },
            Coord {
                x: hi,
                y: b.max().y + pad,
            },
        ),
        Axis::Y => Rect::new(
            Coord {
                x: b.min().x - pad,
                y: lo,
            },
            Coord {
                x: b.max().x + pad,
                y: hi,
            },
        ),
    };
    area.intersection(&MultiPolygon(vec![r.to_polygon()]))
}

/// Cut positions along `axis` that split `area` into `n` slabs, slab `i` getting `weights[i]`
/// share of the cost, where the cost of ground in slab `i` of `old_cuts` is its area times
/// `density[i]` (pass one slab and density 1 for plain area).
pub fn cuts(
    area: &MultiPolygon<f64>,
    axis: Axis,
    n: usize,
    old_cuts: &[f64],
    density: &[f64],
) -> Vec<f64> {
    let Some(b) = area.bounding_rect() else {
        return Vec::new();
    };
    let (lo, hi) = match axis {
        Axis::X => (b.min().x - 1.0, b.max().x + 1.0),
        Axis::Y => (b.min().y - 1.0, b.max().y + 1.0),
    };
    // Cost of the ground below `x`: area in each old slab times that slab's density.
    let bounds: Vec<f64> = std::iter::once(lo)
        .chain(old_cuts.iter().copied())
        .chain(std::iter::once(hi))
        .collect();
    let cost_below = |x: f64| -> f64 {
        let mut c = 0.0;
        for (i, w) in bounds.windows(2).enumerate() {
            let top = w[1].min(x);
            if top > w[0] {
                c += slab(area, axis, w[0], top).unsigned_area()
                    * density.get(i).copied().unwrap_or(1.0);
            }
        }
        c
    };
    let total = cost_below(hi);
    (1..n)
        .map(|k| {
            let target = total * k as f64 / n as f64;
            let (mut a, mut z) = (lo, hi);
            for _ in 0..40 {
                let m = 0.5 * (a + z);
                if cost_below(m) < target {
                    a = m;
                } else {
                    z = m;
                }
            }
            0.5 * (a + z)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn a_rectangle_splits_into_equal_slabs() {
        let r = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 300.0, y: 0.0), (x: 300.0, y: 100.0), (x: 0.0, y: 100.0)
        ]]);
        assert_eq!(long_axis(&r), Axis::X);
        let c = cuts(&r, Axis::X, 3, &[], &[1.0]);
        assert!(
            (c[0] - 100.0).abs() < 1e-6 && (c[1] - 200.0).abs() < 1e-6,
            "{c:?}"
        );
        // Ground right of x = 150 costs three times as much: cuts move right-to-left.
        let c2 = cuts(&r, Axis::X, 2, &[150.0], &[1.0, 3.0]);
        // Total cost 150·100 + 3·150·100 = 60 000; half is 30 000 = 15 000 + 3·100·(x − 150).
        assert!((c2[0] - 200.0).abs() < 1e-6, "{c2:?}");
    }
}
