//! Planar geometry the planner needs fast: rings as edge lists with a grid index, point-in-area
//! tests, segment containment (the segment is split at every ring crossing and each piece's
//! midpoint is tested) and clipping a segment to an area.

use geo_types::{Coord, MultiPolygon, Polygon};

/// Pieces of a segment shorter than this (metres) are numerical noise at a ring, not a crossing.
const TINY_M: f64 = 1e-6;

/// Every edge of every ring of `area`.
pub fn ring_edges(area: &MultiPolygon<f64>) -> Vec<(Coord<f64>, Coord<f64>)> {
    let mut out = Vec::new();
    for poly in area {
        polygon_edges(poly, &mut out);
    }
    out
}

/// Appends every edge of every ring of `poly` to `out`.
pub fn polygon_edges(poly: &Polygon<f64>, out: &mut Vec<(Coord<f64>, Coord<f64>)>) {
    for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
        for w in ring.0.windows(2) {
            if w[0] != w[1] {
                out.push((w[0], w[1]));
            }
        }
    }
}

/// An area given by its ring edges (even-odd rule), indexed by a uniform grid so that segment
/// and point queries touch only nearby edges.
#[derive(Debug, Clone)]
pub struct RingSet {
    edges: Vec<(Coord<f64>, Coord<f64>)>,
    min: Coord<f64>,
    cell_m: f64,
    cols: usize,
    rows: usize,
    cells: Vec<Vec<u32>>,
}

impl RingSet {
    /// Indexes the rings of `area`.
    pub fn new(area: &MultiPolygon<f64>) -> Self {
        Self::from_edges(ring_edges(area))
    }

    /// Indexes a list of edges.
    pub fn from_edges(edges: Vec<(Coord<f64>, Coord<f64>)>) -> Self {
        let (mut lo, mut hi) = (
            Coord {
                x: f64::MAX,
                y: f64::MAX,
            },
            Coord {
                x: f64::MIN,
                y: f64::MIN,
            },
        );
        for (a, b) in &edges {
            for p in [a, b] {
                lo.x = lo.x.min(p.x);
                lo.y = lo.y.min(p.y);
                hi.x = hi.x.max(p.x);
                hi.y = hi.y.max(p.y);
            }
        }
        if edges.is_empty() {
            lo = Coord { x: 0.0, y: 0.0 };
            hi = Coord { x: 1.0, y: 1.0 };
        }
        let (w, h) = ((hi.x - lo.x).max(1.0), (hi.y - lo.y).max(1.0));
        // About two edges per cell on average, with at most 256 × 256 cells.
        let cell_m = ((w * h) / (edges.len().max(1) as f64 / 2.0))
            .sqrt()
            .max(w.max(h) / 256.0)
            .max(0.5);
        let cols = ((w / cell_m).floor() as usize + 1).min(257);
        let rows = ((h / cell_m).floor() as usize + 1).min(257);
        let mut set = Self {
            edges,
            min: lo,
            cell_m,
            cols,
            rows,
            cells: vec![Vec::new(); cols * rows],
        };
        for (i, (a, b)) in set.edges.iter().enumerate() {
            let (c0, r0) = set.cell_of(Coord {
                x: a.x.min(b.x),
                y: a.y.min(b.y),
            });
            let (c1, r1) = set.cell_of(Coord {
                x: a.x.max(b.x),
                y: a.y.max(b.y),
            });
            for r in r0..=r1 {
                for c in c0..=c1 {
                    set.cells[r * cols + c].push(i as u32);
                }
            }
        }
        set
    }

    /// The edges, as indexed.
    pub fn edges(&self) -> &[(Coord<f64>, Coord<f64>)] {
        &self.edges
    }

    fn cell_of(&self, p: Coord<f64>) -> (usize, usize) {
        let c = ((p.x - self.min.x) / self.cell_m).floor();
        let r = ((p.y - self.min.y) / self.cell_m).floor();
        (
            (c.max(0.0) as usize).min(self.cols - 1),
            (r.max(0.0) as usize).min(self.rows - 1),
        )
    }

    /// Indices of edges whose grid cells the segment `a`–`b` may touch (a superset).
    fn candidates(&self, a: Coord<f64>, b: Coord<f64>, out: &mut Vec<u32>) {
        out.clear();
        let (c0, r0) = self.cell_of(Coord {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
        });
        let (c1, r1) = self.cell_of(Coord {
            x: a.x.max(b.x),
            y: a.y.max(b.y),
        });
        if (c1 - c0 + 1) * (r1 - r0 + 1) <= 16 {
            for r in r0..=r1 {
                for c in c0..=c1 {
                    out.extend_from_slice(&self.cells[r * self.cols + c]);
                }
            }
        } else {
            // Walk the segment in quarter-cell steps and take each visited cell's 3 × 3 block:
            // every cell the segment passes through is in one of those blocks.
            let len = (b.x - a.x).hypot(b.y - a.y);
            let steps = (len / (self.cell_m * 0.25)).ceil() as usize + 1;
            let mut last = (usize::MAX, usize::MAX);
            for s in 0..=steps {
                let t = s as f64 / steps as f64;
                let cr = self.cell_of(Coord {
                    x: a.x + (b.x - a.x) * t,
                    y: a.y + (b.y - a.y) * t,
                });
                if cr == last {
                    continue;
                }
                last = cr;
                for r in cr.1.saturating_sub(1)..=(cr.1 + 1).min(self.rows - 1) {
                    for c in cr.0.saturating_sub(1)..=(cr.0 + 1).min(self.cols - 1) {
                        out.extend_from_slice(&self.cells[r * self.cols + c]);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Whether `p` is inside the area (even-odd rule; a point on a ring counts either way).
    pub fn contains(&self, p: Coord<f64>) -> bool {
        let (c0, r) = self.cell_of(p);
        let mut inside = false;
        let mut seen: Vec<u32> = Vec::new();
        for c in c0..self.cols {
            for &i in &self.cells[r * self.cols + c] {
                seen.push(i);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        for i in seen {
            let (a, b) = self.edges[i as usize];
            if (a.y > p.y) != (b.y > p.y) {
                let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x);
                if x > p.x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// Parameters `t` in \[0, 1\] (sorted, with 0 and 1) where `a`–`b` meets a ring.
    fn cuts(&self, a: Coord<f64>, b: Coord<f64>, scratch: &mut Vec<u32>) -> Vec<f64> {
        self.candidates(a, b, scratch);
        let mut ts = vec![0.0, 1.0];
        let d = Coord {
            x: b.x - a.x,
            y: b.y - a.y,
        };
        for &i in scratch.iter() {
            let (p, q) = self.edges[i as usize];
            let e = Coord {
                x: q.x - p.x,
                y: q.y - p.y,
            };
            let denom = d.x * e.y - d.y * e.x;
            let w = Coord {
                x: p.x - a.x,
                y: p.y - a.y,
            };
            if denom.abs() < 1e-12 {
                // Parallel: collinear overlaps cut the segment at the edge's ends.
                let cross = w.x * d.y - w.y * d.x;
                let dd = d.x * d.x + d.y * d.y;
                if cross.abs() < 1e-9 * dd.sqrt().max(1.0) && dd > 0.0 {
                    for r in [p, q] {
                        let t = ((r.x - a.x) * d.x + (r.y - a.y) * d.y) / dd;
                        if (0.0..=1.0).contains(&t) {
                            ts.push(t);
                        }
                    }
                }
                continue;
            }
            let t = (w.x * e.y - w.y * e.x) / denom;
            let u = (w.x * d.y - w.y * d.x) / denom;
            if (-1e-12..=1.0 + 1e-12).contains(&t) && (-1e-12..=1.0 + 1e-12).contains(&u) {
                ts.push(t.clamp(0.0, 1.0));
            }
        }
        ts.sort_by(f64::total_cmp);
        ts.dedup_by(|x, y| (*x - *y).abs() < 1e-12);
        ts
    }

    /// Whether `p` lies on one of the `candidates` edges (within a micrometre).
    fn on_ring(&self, p: Coord<f64>, candidates: &[u32]) -> bool {
        candidates.iter().any(|&i| {
            let (u, v) = self.edges[i as usize];
            let (dx, dy) = (v.x - u.x, v.y - u.y);
            let l2 = dx * dx + dy * dy;
            if l2 < 1e-18 {
                return false;
            }
            let t = (((p.x - u.x) * dx + (p.y - u.y) * dy) / l2).clamp(0.0, 1.0);
            (p.x - u.x - dx * t).hypot(p.y - u.y - dy * t) < 1e-6
        })
    }

    /// The pieces of `a`–`b` inside the area, in order from `a`, as `(t0, t1)` parameters.
    pub fn clip(&self, a: Coord<f64>, b: Coord<f64>) -> Vec<(f64, f64)> {
        let mut scratch = Vec::new();
        let len = (b.x - a.x).hypot(b.y - a.y);
        let ts = self.cuts(a, b, &mut scratch);
        let mut out: Vec<(f64, f64)> = Vec::new();
        for w in ts.windows(2) {
            if (w[1] - w[0]) * len < TINY_M {
                continue;
            }
            let m = lerp(a, b, 0.5 * (w[0] + w[1]));
            if self.contains(m) || self.on_ring(m, &scratch) {
                match out.last_mut() {
                    Some(last) if (w[0] - last.1) * len < 1e-3 => last.1 = w[1],
                    _ => out.push((w[0], w[1])),
                }
            }
        }
        out
    }

    /// Whether the whole segment `a`–`b` is inside the area (touching a ring is allowed).
    pub fn segment_inside(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        self.first_piece(a, b, true).is_none()
    }

    /// Whether no part of `a`–`b` is inside the area (touching a ring is allowed).
    pub fn segment_outside(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        self.first_piece(a, b, false).is_none()
    }

    /// The midpoint of the first piece of `a`–`b` that is outside (`want_inside`) or inside
    /// (`!want_inside`) the area, if any.
    pub fn first_piece(
        &self,
        a: Coord<f64>,
        b: Coord<f64>,
        want_inside: bool,
    ) -> Option<Coord<f64>> {
        let mut scratch = Vec::new();
        let len = (b.x - a.x).hypot(b.y - a.y);
        if len < TINY_M {
            return (self.contains(a) != want_inside).then_some(a);
        }
        let ts = self.cuts(a, b, &mut scratch);
        for w in ts.windows(2) {
            if (w[1] - w[0]) * len < TINY_M {
                continue;
            }
            let m = lerp(a, b, 0.5 * (w[0] + w[1]));
            // A piece running along a ring touches it: neither inside nor outside.
            if self.contains(m) != want_inside && !self.on_ring(m, &scratch) {
                return Some(m);
            }
        }
        None
    }
}

/// The point at parameter `t` on `a`–`b`.
pub fn lerp(a: Coord<f64>, b: Coord<f64>, t: f64) -> Coord<f64> {
    Coord {
        x: a.x + (b.x - a.x) * t,
        y: a.y + (b.y - a.y) * t,
    }
}

/// Euclidean distance, metres.
pub fn dist(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (b.x - a.x).hypot(b.y - a.y)
}

/// Length of a polyline, metres.
pub fn polyline_length(pts: &[Coord<f64>]) -> f64 {
    pts.windows(2).map(|w| dist(w[0], w[1])).sum()
}

/// Rotates `p` by the angle whose cosine and sine are given, about the origin.
pub fn rotate(p: Coord<f64>, cos: f64, sin: f64) -> Coord<f64> {
    Coord {
        x: p.x * cos - p.y * sin,
        y: p.x * sin + p.y * cos,
    }
}

/// A rectangle `width_m` wide centred on `a`–`b` and reaching `cap_m` beyond each end,
/// counter-clockwise: the ground a camera sees along a sweep.
pub fn swath_rect(a: Coord<f64>, b: Coord<f64>, width_m: f64, cap_m: f64) -> Polygon<f64> {
    let len = dist(a, b).max(1e-9);
    let (ux, uy) = ((b.x - a.x) / len, (b.y - a.y) / len);
    let (a, b) = (
        Coord {
            x: a.x - ux * cap_m,
            y: a.y - uy * cap_m,
        },
        Coord {
            x: b.x + ux * cap_m,
            y: b.y + uy * cap_m,
        },
    );
    let (nx, ny) = (-uy * width_m / 2.0, ux * width_m / 2.0);
    Polygon::new(
        vec![
            Coord {
                x: a.x - nx,
                y: a.y - ny,
            },
            Coord {
                x: b.x - nx,
                y: b.y - ny,
            },
            Coord {
                x: b.x + nx,
                y: b.y + ny,
            },
            Coord {
                x: a.x + nx,
                y: a.y + ny,
            },
            Coord {
                x: a.x - nx,
                y: a.y - ny,
            },
        ]
        .into(),
        vec![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn square_with_hole() -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 6.0, y: 4.0), (x: 6.0, y: 6.0), (x: 4.0, y: 6.0)]],
        )])
    }

    #[test]
    fn a_segment_through_a_hole_is_not_inside_and_clips_into_two_pieces() {
        let set = RingSet::new(&square_with_hole());
        let (a, b) = (Coord { x: 1.0, y: 5.0 }, Coord { x: 9.0, y: 5.0 });
        assert!(!set.segment_inside(a, b));
        let pieces = set.clip(a, b);
        assert_eq!(pieces.len(), 2);
        assert!((pieces[0].1 - 3.0 / 8.0).abs() < 1e-12);
        assert!((pieces[1].0 - 5.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn a_segment_grazing_a_hole_corner_is_inside() {
        let set = RingSet::new(&square_with_hole());
        assert!(!set.segment_inside(Coord { x: 2.0, y: 2.0 }, Coord { x: 8.0, y: 8.0 }));
        assert!(set.segment_inside(Coord { x: 2.0, y: 6.0 }, Coord { x: 6.0, y: 8.0 }));
        assert!(set.segment_inside(Coord { x: 1.0, y: 4.0 }, Coord { x: 9.0, y: 4.0 }));
    }

    #[test]
    fn leaving_through_a_vertex_is_caught() {
        let set = RingSet::new(&square_with_hole());
        // From inside through the corner (10, 10) to outside.
        assert!(!set.segment_inside(Coord { x: 8.0, y: 8.0 }, Coord { x: 12.0, y: 12.0 }));
        assert!(set.segment_outside(Coord { x: 11.0, y: 0.0 }, Coord { x: 11.0, y: 10.0 }));
    }
}
