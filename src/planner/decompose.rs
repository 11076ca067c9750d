//! Boustrophedon decomposition at swath resolution: a region is cut into strips one swath wide
//! across the sweep direction; each strip's connected parts are found exactly with a scanline;
//! parts that follow one another without a split or a merge form a cell that is swept back and
//! forth; a split or a merge (a hole, a concave notch) starts new cells.
//!
//! Each strip's sweep runs along its centre line over the part's full extent inside the strip, so
//! the swath covers the part to its edges; the outer sweeps lie half a swath inside the region's
//! edges, and a last sweep is added when the remaining strip is narrower than a swath.

use geo_types::{Coord, Polygon};

use super::geom::rotate;

/// Shortest sweep flown, metres: a part narrower than the camera's footprint is still flown
/// over (a sweep this long across its middle).
pub const MIN_SWEEP_M: f64 = 0.5;

/// One straight pass of the camera, flown from `a` to `b` or back, local metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sweep {
    pub a: Coord<f64>,
    pub b: Coord<f64>,
}

/// Sweeps over one part of a region that are flown back and forth in strip order.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Index of the region (blind-spot polygon) the cell belongs to.
    pub region: usize,
    /// Sweep direction, degrees counter-clockwise from east.
    pub angle_deg: f64,
    /// Sweeps in strip order, each pointing along `angle_deg`.
    pub sweeps: Vec<Sweep>,
}

/// Offsets (metres, across the sweep direction) of the sweeps over an extent `ymin..ymax`:
/// the first and last half a swath inside, the others one swath apart.
pub fn sweep_offsets(ymin: f64, ymax: f64, swath_m: f64) -> Vec<f64> {
    let h = ymax - ymin;
    if h <= swath_m {
        return vec![0.5 * (ymin + ymax)];
    }
    let n = ((h / swath_m) - 1e-9).ceil() as usize;
    let mut out: Vec<f64> = (0..n - 1)
        .map(|i| ymin + swath_m * (0.5 + i as f64))
        .collect();
    out.push(ymax - 0.5 * swath_m);
    out
}

/// One connected part of a region within a strip.
#[derive(Debug, Clone)]
struct Part {
    xmin: f64,
    xmax: f64,
    /// The part's intervals on each join line (index into the strip's join list).
    at_join: Vec<Vec<(f64, f64)>>,
}

/// Decomposes `region` for sweeps along `angle_rad` (counter-clockwise from east) spaced
/// `swath_m` apart. Each sweep stops `cap_m` short of its part's extent at both ends: the camera
/// sees that far ahead and behind (half its along-track footprint). Cells come back with
/// `region` set to 0; the caller numbers them.
pub fn decompose(region: &Polygon<f64>, angle_rad: f64, swath_m: f64, cap_m: f64) -> Vec<Cell> {
    let (c, s) = (angle_rad.cos(), angle_rad.sin());

    // Work in a frame where sweeps run along +x.
    let mut edges = Vec::new();
    let mut ys = Vec::new();
    for ring in std::iter::once(region.exterior()).chain(region.interiors()) {
        let pts: Vec<Coord<f64>> = ring.0.iter().map(|p| rotate(*p, c, -s)).collect();
        for w in pts.windows(2) {
            if w[0] != w[1] {
                edges.push((w[0], w[1]));
                ys.push(w[0].y);
            }
        }
    }
    if edges.len() < 3 {
        return Vec::new();
    }
    ys.sort_by(f64::total_cmp);
    ys.dedup();
    let (ymin, ymax) = (ys[0], ys[ys.len() - 1]);
    let centres = sweep_offsets(ymin, ymax, swath_m);
    let joins: Vec<f64> = centres.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();

    // Parts of every strip.
    let mut strips: Vec<Vec<Part>> = Vec::with_capacity(centres.len());
    for (i, &yc) in centres.iter().enumerate() {
        let y0 = (yc - 0.5 * swath_m).max(ymin);
        let y1 = (yc + 0.5 * swath_m).min(ymax);
        let mut extra = Vec::new();
        if i > 0 {
            extra.push(joins[i - 1]);
        }
        if i < joins.len() {
            extra.push(joins[i]);
        }
        // Only edges reaching into the strip can cross its scanlines.
        let near: Vec<(Coord<f64>, Coord<f64>)> = edges
            .iter()
            .filter(|(p, q)| p.y.min(q.y) <= y1 && p.y.max(q.y) >= y0)
            .copied()
            .collect();
        strips.push(strip_parts(&near, &ys, y0, y1, &extra));
    }

    // Link parts of neighbouring strips that meet on their join line.
    let mut succ: Vec<Vec<Vec<usize>>> = strips.iter().map(|s| vec![Vec::new(); s.len()]).collect();
    let mut pred: Vec<Vec<Vec<usize>>> = succ.clone();
    for i in 0..strips.len().saturating_sub(1) {
        for (a, pa) in strips[i].iter().enumerate() {
            let ja = pa.at_join.last().map(Vec::as_slice).unwrap_or(&[]);
            for (b, pb) in strips[i + 1].iter().enumerate() {
                let jb = pb.at_join.first().map(Vec::as_slice).unwrap_or(&[]);
                let meet = ja
                    .iter()
                    .any(|p| jb.iter().any(|q| p.0 <= q.1 + 1e-6 && q.0 <= p.1 + 1e-6));
                if meet {
                    succ[i][a].push(b);
                    pred[i + 1][b].push(a);
                }
            }
        }
    }

    // Chain one-to-one links into cells.
    let mut cell_of: Vec<Vec<usize>> = strips.iter().map(|s| vec![usize::MAX; s.len()]).collect();
    let mut cells: Vec<Cell> = Vec::new();
    for (i, strip) in strips.iter().enumerate() {
        for (k, part) in strip.iter().enumerate() {
            let continues = i > 0 && pred[i][k].len() == 1 && succ[i - 1][pred[i][k][0]].len() == 1;
            let id = if continues {
                cell_of[i - 1][pred[i][k][0]]
            } else {
                cells.push(Cell {
                    region: 0,
                    angle_deg: angle_rad.to_degrees(),
                    sweeps: Vec::new(),
                });
                cells.len() - 1
            };
            cell_of[i][k] = id;
            let (x0, x1) = if part.xmax - part.xmin > 2.0 * cap_m + MIN_SWEEP_M {
                (part.xmin + cap_m, part.xmax - cap_m)
            } else {
                let mid = 0.5 * (part.xmin + part.xmax);
                (mid - 0.5 * MIN_SWEEP_M, mid + 0.5 * MIN_SWEEP_M)
            };
            let a = rotate(
                Coord {
                    x: x0,
                    y: centres[i],
                },
                c,
                s,
            );
            let b = rotate(
                Coord {
                    x: x1,
                    y: centres[i],
                },
                c,
                s,
            );
            cells[id].sweeps.push(Sweep { a, b });
        }
    }
    cells
}

/// The connected parts of the region between `y0` and `y1`, found by scanlines just inside the
/// strip's edges, just either side of every vertex, and on the `extra` lines.
fn strip_parts(
    edges: &[(Coord<f64>, Coord<f64>)],
    ys: &[f64],
    y0: f64,
    y1: f64,
    extra: &[f64],
) -> Vec<Part> {
    const D: f64 = 1e-6;
    let mut samples: Vec<(f64, Option<usize>)> = vec![(y0 + D, None), (y1 - D, None)];
    let lo = ys.partition_point(|&v| v <= y0);
    let hi = ys.partition_point(|&v| v < y1);
    for &v in &ys[lo..hi] {
        samples.push((v - D, None));
        samples.push((v + D, None));
    }
    for (j, &e) in extra.iter().enumerate() {
        // Join lines lie on the strip's edge when strips abut: sample just inside.
        samples.push((e.clamp(y0 + D, y1 - D), Some(j)));
    }
    samples.retain(|(y, _)| *y >= y0 + 0.5 * D && *y <= y1 - 0.5 * D);
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));

    // Intervals on every scanline, numbered globally for the union-find.
    let mut lines: Vec<Vec<(f64, f64)>> = Vec::with_capacity(samples.len());
    let mut xs = Vec::new();
    for &(y, _) in &samples {
        xs.clear();
        for (p, q) in edges {
            if (p.y > y) != (q.y > y) {
                xs.push(p.x + (y - p.y) / (q.y - p.y) * (q.x - p.x));
            }
        }
        xs.sort_by(f64::total_cmp);
        lines.push(xs.chunks_exact(2).map(|w| (w[0], w[1])).collect());
    }
    let mut first = Vec::with_capacity(lines.len() + 1);
    let mut n = 0;
    for l in &lines {
        first.push(n);
        n += l.len();
    }
    let mut uf: Vec<usize> = (0..n).collect();
    fn find(uf: &mut [usize], mut i: usize) -> usize {
        while uf[i] != i {
            uf[i] = uf[uf[i]];
            i = uf[i];
        }
        i
    }

    for k in 0..lines.len().saturating_sub(1) {
        let (ya, yb) = (samples[k].0, samples[k + 1].0);
        let vertex_between = {
            let i = ys.partition_point(|&v| v < ya);
            i < ys.len() && ys[i] <= yb
        };
        let (la, lb) = (&lines[k], &lines[k + 1]);
        if !vertex_between && la.len() == lb.len() {
            // No vertex between: the same edges bound the same trapezoids.
            for j in 0..la.len() {
                let (ra, rb) = (find(&mut uf, first[k] + j), find(&mut uf, first[k + 1] + j));
                uf[ra] = rb;
            }
        } else {
            for (ja, ia) in la.iter().enumerate() {
                for (jb, ib) in lb.iter().enumerate() {
                    if ia.0 <= ib.1 + 1e-9 && ib.0 <= ia.1 + 1e-9 {
                        let ra = find(&mut uf, first[k] + ja);
                        let rb = find(&mut uf, first[k + 1] + jb);
                        uf[ra] = rb;
                    }
                }
            }
        }
    }

    // Gather the parts.
    let mut parts: Vec<Part> = Vec::new();
    let mut part_of_root = std::collections::HashMap::new();
    for (k, line) in lines.iter().enumerate() {
        for (j, iv) in line.iter().enumerate() {
            let root = find(&mut uf, first[k] + j);
            let id = *part_of_root.entry(root).or_insert_with(|| {
                parts.push(Part {
                    xmin: f64::MAX,
                    xmax: f64::MIN,
                    at_join: vec![Vec::new(); extra.len()],
                });
                parts.len() - 1
            });
            let p = &mut parts[id];
            p.xmin = p.xmin.min(iv.0);
            p.xmax = p.xmax.max(iv.1);
            if let Some(e) = samples[k].1 {
                p.at_join[e].push(*iv);
            }
        }
    }
    parts.sort_by(|a, b| a.xmin.total_cmp(&b.xmin));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn offsets_put_outer_sweeps_half_a_swath_inside() {
        assert_eq!(sweep_offsets(0.0, 60.0, 20.0), vec![10.0, 30.0, 50.0]);
        // 61 m needs a fourth sweep for the last metre; it lies half a swath inside the top.
        assert_eq!(sweep_offsets(0.0, 61.0, 20.0), vec![10.0, 30.0, 50.0, 51.0]);
        assert_eq!(sweep_offsets(0.0, 15.0, 20.0), vec![7.5]);
    }

    #[test]
    fn a_rectangle_is_one_cell_of_full_width_sweeps() {
        let r =
            polygon![(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 60.0), (x: 0.0, y: 60.0)];
        let cells = decompose(&r, 0.0, 20.0, 0.0);
        assert_eq!(cells.len(), 1);
        let s = &cells[0].sweeps;
        assert_eq!(s.len(), 3);
        for (sw, y) in s.iter().zip([10.0, 30.0, 50.0]) {
            assert!((sw.a.x - 0.0).abs() < 1e-9 && (sw.b.x - 100.0).abs() < 1e-9);
            assert!((sw.a.y - y).abs() < 1e-9);
        }
        // With a 10 m cap every sweep stops 10 m short of each end.
        let capped = decompose(&r, 0.0, 20.0, 10.0);
        assert!((capped[0].sweeps[1].a.x - 10.0).abs() < 1e-9);
        assert!((capped[0].sweeps[1].b.x - 90.0).abs() < 1e-9);
    }

    #[test]
    fn a_square_with_a_hole_splits_into_cells_around_it() {
        let p = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)],
            interiors: [[(x: 40.0, y: 30.0), (x: 60.0, y: 30.0), (x: 60.0, y: 70.0), (x: 40.0, y: 70.0)]],
        );
        let cells = decompose(&p, 0.0, 20.0, 0.0);
        // Below the hole, left of it, right of it, above it.
        assert_eq!(cells.len(), 4, "{cells:#?}");
        let total: usize = cells.iter().map(|c| c.sweeps.len()).sum();
        // Two full-width strips below (the strip reaching y = 40 is joined under the hole), one
        // each side of it, two above.
        assert_eq!(total, 6);
        for c in &cells {
            for s in &c.sweeps {
                // No sweep crosses the hole's interior.
                let crosses = s.a.y > 30.0 && s.a.y < 70.0 && s.a.x < 40.0 && s.b.x > 60.0;
                assert!(!crosses, "{s:?}");
            }
        }
    }

    #[test]
    fn an_l_shape_splits_at_its_reflex_corner() {
        let l = polygon![(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 40.0),
            (x: 40.0, y: 40.0), (x: 40.0, y: 100.0), (x: 0.0, y: 100.0)];
        // Sweeping along y (90°): strips are vertical; the strips left of x = 40 run the full
        // height, the others only to y = 40 — one cell, as no strip splits.
        let cells = decompose(&l, std::f64::consts::FRAC_PI_2, 20.0, 0.0);
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].sweeps.len(), 5);
    }
}
