//! Safe legs: the flyable area (boundary shrunk by the safety margin, minus every no-fly zone
//! grown by its own margin and the safety margin) and shortest paths inside it, found with A*
//! over a lazily built visibility graph of the area's reflex corners.

use std::collections::{BinaryHeap, HashMap};

use geo::{Area, BooleanOps, Buffer};
use geo_types::{Coord, MultiPolygon};

use super::geom::{RingSet, dist, polyline_length};

/// How far graph corners are moved off the area's rings into free space, metres: legs through
/// them pass close to a ring without touching it.
const CORNER_NUDGE_M: f64 = 0.02;

/// `area` grown (or shrunk, for a negative `distance_m`) with mitred corners: every point of
/// the result's outline is at least `distance_m` from the original, and corners stay corners
/// (a rounded corner would add many vertices to the visibility graph).
pub fn grow(area: &MultiPolygon<f64>, distance_m: f64) -> MultiPolygon<f64> {
    use geo::algorithm::buffer::{BufferStyle, LineJoin};
    if distance_m == 0.0 {
        return area.clone();
    }
    area.buffer_with_style(BufferStyle::new(distance_m).line_join(LineJoin::Miter(MITER_MIN_RAD)))
}

/// Corners sharper than this (radians) are cut square by [`grow`] instead of mitred far out.
const MITER_MIN_RAD: f64 = 0.25;

/// A no-fly zone as the planner needs it: its name and its area grown by its margin.
#[derive(Debug, Clone)]
pub struct Keepout {
    pub name: String,
    /// The zone grown by its own `margin_m`.
    pub area: MultiPolygon<f64>,
}

/// The area a vehicle may fly in, with shortest paths inside it.
#[derive(Debug, Clone)]
pub struct Flyable {
    /// Boundary shrunk by the safety margin, minus the grown no-fly zones.
    pub area: MultiPolygon<f64>,
    rings: RingSet,
    corners: Vec<Coord<f64>>,
    visible: HashMap<(u32, u32), bool>,
}

impl Keepout {
    /// The zone `area` named `name`, grown by its `margin_m` (mitred, see [`grow`]).
    pub fn grown(name: &str, area: &MultiPolygon<f64>, margin_m: f64) -> Self {
        Self {
            name: name.to_owned(),
            area: grow(area, margin_m.max(0.0)),
        }
    }
}

impl Flyable {
    /// The flyable area of `boundary` with `keepouts` (each already grown by its own margin),
    /// everything kept `safety_m` further away.
    pub fn new(boundary: &MultiPolygon<f64>, keepouts: &[Keepout], safety_m: f64) -> Self {
        let inner = if safety_m > 0.0 {
            grow(boundary, -safety_m)
        } else {
            boundary.clone()
        };
        let grown: Vec<MultiPolygon<f64>> = keepouts
            .iter()
            .map(|k| {
                if safety_m > 0.0 {
                    grow(&k.area, safety_m)
                } else {
                    k.area.clone()
                }
            })
            .collect();
        let blocked = geo::algorithm::bool_ops::unary_union(grown.iter());
        let area = if blocked.unsigned_area() > 0.0 {
            inner.difference(&blocked)
        } else {
            inner
        };
        Self::from_area(area)
    }

    /// A flyable area given directly.
    pub fn from_area(area: MultiPolygon<f64>) -> Self {
        let rings = RingSet::new(&area);
        let mut corners = Vec::new();
        for poly in &area {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let pts = &ring.0;
                let n = pts.len().saturating_sub(1);
                for i in 0..n {
                    let v = pts[i];
                    let p = pts[(i + n - 1) % n];
                    let q = pts[(i + 1) % n];
                    let (lp, lq) = (dist(v, p), dist(v, q));
                    if lp < 1e-9 || lq < 1e-9 {
                        continue;
                    }
                    let bis = Coord {
                        x: (p.x - v.x) / lp + (q.x - v.x) / lq,
                        y: (p.y - v.y) / lp + (q.y - v.y) / lq,
                    };
                    let lb = bis.x.hypot(bis.y);
                    if lb < 1e-6 {
                        continue;
                    }
                    let step = Coord {
                        x: bis.x / lb * CORNER_NUDGE_M,
                        y: bis.y / lb * CORNER_NUDGE_M,
                    };
                    // A reflex corner of free space: the wide angle (away from the bisector of
                    // the two edges) is free, the narrow one is not.
                    let out = Coord {
                        x: v.x - step.x,
                        y: v.y - step.y,
                    };
                    let inn = Coord {
                        x: v.x + step.x,
                        y: v.y + step.y,
                    };
                    if rings.contains(out) && !rings.contains(inn) {
                        corners.push(out);
                    }
                }
            }
        }
        Self {
            area,
            rings,
            corners,
            visible: HashMap::new(),
        }
    }

    /// Number of reflex corners in the visibility graph.
    pub fn corner_count(&self) -> usize {
        self.corners.len()
    }

    /// The rings, indexed.
    pub fn rings(&self) -> &RingSet {
        &self.rings
    }

    /// Whether `p` is in the flyable area.
    pub fn contains(&self, p: Coord<f64>) -> bool {
        self.rings.contains(p)
    }

    /// Whether the straight leg `a`–`b` stays in the flyable area.
    pub fn segment_inside(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        self.rings.segment_inside(a, b)
    }

    fn corners_visible(&mut self, i: usize, j: usize) -> bool {
        let key = (i.min(j) as u32, i.max(j) as u32);
        if let Some(&v) = self.visible.get(&key) {
            return v;
        }
        let v = self.rings.segment_inside(self.corners[i], self.corners[j]);
        self.visible.insert(key, v);
        v
    }

    /// The shortest path from `a` to `b` inside the flyable area, both ends included, or `None`
    /// when either end is outside it or no path exists.
    pub fn shortest_path(&mut self, a: Coord<f64>, b: Coord<f64>) -> Option<Vec<Coord<f64>>> {
        if self.segment_inside(a, b) {
            return Some(vec![a, b]);
        }
        if !self.contains(a) || !self.contains(b) {
            return None;
        }

        // Nodes: corners 0..n, then a = n, b = n + 1.
        let n = self.corners.len();
        let pos = |s: &Self, i: usize| match i {
            i if i < n => s.corners[i],
            i if i == n => a,
            _ => b,
        };
        let mut g = vec![f64::INFINITY; n + 2];
        let mut prev = vec![usize::MAX; n + 2];
        let mut closed = vec![false; n + 2];
        let mut heap = BinaryHeap::new();
        g[n] = 0.0;
        heap.push(Node {
            f: dist(a, b),
            i: n,
        });
        // Visibility from b to corners, computed on demand (b is not a cached corner).
        let mut to_b: HashMap<usize, bool> = HashMap::new();

        while let Some(Node { i: u, .. }) = heap.pop() {
            if closed[u] {
                continue;
            }
            closed[u] = true;
            if u == n + 1 {
                break;
            }
            let pu = pos(self, u);

            // Straight to the goal when visible.
            let vis_b = if u == n {
                false
            } else {
                *to_b
                    .entry(u)
                    .or_insert_with(|| self.rings.segment_inside(pu, b))
            };
            if vis_b {
                let cand = g[u] + dist(pu, b);
                if cand < g[n + 1] {
                    g[n + 1] = cand;
                    prev[n + 1] = u;
                    heap.push(Node { f: cand, i: n + 1 });
                }
            }
            for v in 0..n {
                if closed[v] || v == u {
                    continue;
                }
                let pv = self.corners[v];
                let cand = g[u] + dist(pu, pv);
                if cand >= g[v] || cand + dist(pv, b) >= g[n + 1] {
                    continue;
                }
                let ok = if u == n {
                    self.rings.segment_inside(a, pv)
                } else {
                    self.corners_visible(u, v)
                };
                if ok {
                    g[v] = cand;
                    prev[v] = u;
                    heap.push(Node {
                        f: cand + dist(pv, b),
                        i: v,
                    });
                }
            }
        }
        if !g[n + 1].is_finite() {
            return None;
        }
        let mut path = vec![b];
        let mut i = prev[n + 1];
        while i != n {
            path.push(pos(self, i));
            i = prev[i];
        }
        path.push(a);
        path.reverse();
        Some(path)
    }

    /// Length of the shortest path from `a` to `b`, metres (infinite when there is none).
    pub fn path_length(&mut self, a: Coord<f64>, b: Coord<f64>) -> f64 {
        self.shortest_path(a, b)
            .map_or(f64::INFINITY, |p| polyline_length(&p))
    }

    /// The point of the flyable area nearest to `p` (on a ring, nudged inside), or `p` itself
    /// when it is inside.
    pub fn nearest_inside(&self, p: Coord<f64>) -> Option<Coord<f64>> {
        if self.contains(p) {
            return Some(p);
        }
        let mut best: Option<(f64, Coord<f64>)> = None;
        for &(u, v) in self.rings.edges() {
            let (dx, dy) = (v.x - u.x, v.y - u.y);
            let l2 = dx * dx + dy * dy;
            if l2 < 1e-18 {
                continue;
            }
            let t = (((p.x - u.x) * dx + (p.y - u.y) * dy) / l2).clamp(0.0, 1.0);
            let q = Coord {
                x: u.x + dx * t,
                y: u.y + dy * t,
            };
            let d = dist(p, q);
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, q));
            }
        }
        let (d, q) = best?;
        // Step a little further along the same direction so the point is strictly inside.
        for k in [0.05, 0.2, 1.0] {
            let r = Coord {
                x: q.x + (q.x - p.x) / d.max(1e-9) * k,
                y: q.y + (q.y - p.y) / d.max(1e-9) * k,
            };
            if self.contains(r) {
                return Some(r);
            }
        }
        None
    }
}

#[derive(Debug, PartialEq)]
struct Node {
    f: f64,
    i: usize,
}
impl Eq for Node {}
impl Ord for Node {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.f.total_cmp(&self.f).then(o.i.cmp(&self.i))
    }
}
impl PartialOrd for Node {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn the_path_around_a_wall_bends_at_its_corners() {
        // A 100 m square with a wall from (50, 0) to (50, 80), 2 m thick.
        let area = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 49.0, y: 0.0), (x: 49.0, y: 80.0), (x: 51.0, y: 80.0),
            (x: 51.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)
        ]]);
        let mut f = Flyable::from_area(area);
        let (a, b) = (Coord { x: 10.0, y: 10.0 }, Coord { x: 90.0, y: 10.0 });
        let path = f.shortest_path(a, b).expect("path");
        assert_eq!(path.len(), 4, "{path:?}");
        let len = polyline_length(&path);
        // Up to the wall's top corners and down again: 2·√(39² + 70²) + 2.
        let expect = 2.0 * (39.0_f64.powi(2) + 70.0_f64.powi(2)).sqrt() + 2.0;
        assert!((len - expect).abs() < 0.1, "{len} vs {expect}");
        for w in path.windows(2) {
            assert!(f.segment_inside(w[0], w[1]));
        }
    }

    #[test]
    fn the_path_around_a_grown_no_fly_zone_keeps_its_margin() {
        let boundary = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 200.0, y: 0.0), (x: 200.0, y: 200.0), (x: 0.0, y: 200.0)
        ]]);
        let zone = MultiPolygon(vec![polygon![
            (x: 80.0, y: 80.0), (x: 120.0, y: 80.0), (x: 120.0, y: 120.0), (x: 80.0, y: 120.0)
        ]]);
        let keep = Keepout {
            name: "tower".into(),
            area: zone.buffer(10.0),
        };
        let mut f = Flyable::new(&boundary, &[keep], 2.0);
        let path = f
            .shortest_path(Coord { x: 20.0, y: 100.0 }, Coord { x: 180.0, y: 100.0 })
            .expect("path");
        let zone_set = RingSet::new(&zone.buffer(12.0 - 0.01));
        for w in path.windows(2) {
            assert!(zone_set.segment_outside(w[0], w[1]), "{w:?}");
        }
        // Longer than straight, shorter than going around a 64 m box corner to corner.
        let len = polyline_length(&path);
        assert!(len > 160.0 && len < 160.0 + 64.0, "{len}");
    }
}
