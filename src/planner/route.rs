//! The route over cells: which cell next and which way through it. A greedy tour from home is
//! improved by 2-opt (reversing a stretch of the tour flies each of its cells backwards), then
//! every cell's entry corner is chosen exactly for the final order by dynamic programming.

use geo_types::Coord;
use rand::RngExt;

use super::decompose::Cell;
use super::geom::dist;

/// One of the four ways through a cell: strip order forward or reversed, and the first sweep
/// flown along or against its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    pub reversed: bool,
    pub flipped: bool,
}

impl Variant {
    /// All four variants.
    pub const ALL: [Variant; 4] = [
        Variant {
            reversed: false,
            flipped: false,
        },
        Variant {
            reversed: false,
            flipped: true,
        },
        Variant {
            reversed: true,
            flipped: false,
        },
        Variant {
            reversed: true,
            flipped: true,
        },
    ];
}

/// The sweeps of `cell` in flying order for `v`, each as (start, end).
pub fn fly_order(cell: &Cell, v: Variant) -> Vec<(Coord<f64>, Coord<f64>)> {
    let n = cell.sweeps.len();
    (0..n)
        .map(|m| {
            let s = cell.sweeps[if v.reversed { n - 1 - m } else { m }];
            if v.flipped ^ (m % 2 == 1) {
                (s.b, s.a)
            } else {
                (s.a, s.b)
            }
        })
        .collect()
}

/// Where `v` enters and leaves `cell`.
pub fn ends(cell: &Cell, v: Variant) -> (Coord<f64>, Coord<f64>) {
    let n = cell.sweeps.len();
    let first = cell.sweeps[if v.reversed { n - 1 } else { 0 }];
    let last = cell.sweeps[if v.reversed { 0 } else { n - 1 }];
    let entry = if v.flipped { first.b } else { first.a };
    let last_flipped = v.flipped ^ ((n - 1) % 2 == 1);
    let exit = if last_flipped { last.a } else { last.b };
    (entry, exit)
}

/// The variant that flies `cell` backwards: it enters where `v` leaves.
pub fn backwards(cell: &Cell, v: Variant) -> Variant {
    let n = cell.sweeps.len();
    Variant {
        reversed: !v.reversed,
        flipped: !(v.flipped ^ ((n - 1) % 2 == 1)),
    }
}

/// Orders `cells` into a tour from `home` back to `home`, minimising the length of the hops
/// between cells. With `first`, the tour starts at the cell entry nearest to that point; with
/// `rng`, the greedy start picks among the three nearest cells at random.
pub fn order(
    cells: &[Cell],
    home: Coord<f64>,
    first: Option<Coord<f64>>,
    mut rng: Option<&mut rand_chacha::ChaCha8Rng>,
) -> Vec<(usize, Variant)> {
    let n = cells.len();
    if n == 0 {
        return Vec::new();
    }
    let mut used = vec![false; n];
    let mut tour: Vec<(usize, Variant)> = Vec::with_capacity(n);
    let mut cur = home;
    let fixed_first = first.is_some();
    if let Some(p) = first {
        let mut best = (f64::INFINITY, 0, Variant::ALL[0]);
        for (i, c) in cells.iter().enumerate() {
            for v in Variant::ALL {
                let d = dist(p, ends(c, v).0);
                if d < best.0 {
                    best = (d, i, v);
                }
            }
        }
        used[best.1] = true;
        tour.push((best.1, best.2));
        cur = ends(&cells[best.1], best.2).1;
    }
    while tour.len() < n {
        let mut cands: Vec<(f64, usize, Variant)> = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            if used[i] {
                continue;
            }
            let best = Variant::ALL
                .iter()
                .map(|&v| (dist(cur, ends(c, v).0), v))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .unwrap_or((f64::INFINITY, Variant::ALL[0]));
            cands.push((best.0, i, best.1));
        }
        cands.sort_by(|a, b| a.0.total_cmp(&b.0));
        let k = match rng.as_deref_mut() {
            Some(r) => r.random_range(0..cands.len().min(3)),
            None => 0,
        };
        let (_, i, v) = cands[k];
        used[i] = true;
        tour.push((i, v));
        cur = ends(&cells[i], v).1;
    }

    let lo = usize::from(fixed_first);
    for _ in 0..6 {
        let mut improved = two_opt(cells, home, &mut tour, lo);
        improved |= or_opt(cells, home, &mut tour, lo);
        choose_variants(cells, home, &mut tour, lo);
        if !improved {
            break;
        }
    }
    tour
}

/// Or-opt: moves a run of one to three cells elsewhere in the tour (either way round) when
/// that shortens the hops; the first `lo` cells stay put.
fn or_opt(cells: &[Cell], home: Coord<f64>, tour: &mut Vec<(usize, Variant)>, lo: usize) -> bool {
    let entry = |t: &(usize, Variant)| ends(&cells[t.0], t.1).0;
    let exit = |t: &(usize, Variant)| ends(&cells[t.0], t.1).1;
    let mut improved_any = false;
    let mut passes = 0;
    let mut improved = true;
    while improved && passes < 20 {
        improved = false;
        passes += 1;
        'search: for len in 1..=3usize {
            let n = tour.len();
            if n < len + 2 {
                break;
            }
            for i in lo..=n - len {
                let before = if i == 0 { home } else { exit(&tour[i - 1]) };
                let after = if i + len == n {
                    home
                } else {
                    entry(&tour[i + len])
                };
                let (first_in, last_out) = (entry(&tour[i]), exit(&tour[i + len - 1]));
                let removed = dist(before, first_in) + dist(last_out, after) - dist(before, after);
                // Insert between positions j−1 and j of the tour without the run.
                let rest: Vec<(usize, Variant)> = tour[..i]
                    .iter()
                    .chain(tour[i + len..].iter())
                    .copied()
                    .collect();
                for j in lo..=rest.len() {
                    if j == i {
                        continue;
                    }
                    let p = if j == 0 { home } else { exit(&rest[j - 1]) };
                    let q = if j == rest.len() {
                        home
                    } else {
                        entry(&rest[j])
                    };
                    let fwd = dist(p, first_in) + dist(last_out, q) - dist(p, q);
                    let bwd = dist(p, last_out) + dist(first_in, q) - dist(p, q);
                    if fwd.min(bwd) < removed - 1e-6 {
                        let mut run: Vec<(usize, Variant)> = tour[i..i + len].to_vec();
                        if bwd < fwd {
                            run.reverse();
                            for t in &mut run {
                                t.1 = backwards(&cells[t.0], t.1);
                            }
                        }
                        let mut next = rest[..j].to_vec();
                        next.extend(run);
                        next.extend_from_slice(&rest[j..]);
                        *tour = next;
                        improved = true;
                        improved_any = true;
                        break 'search;
                    }
                }
            }
        }
    }
    improved_any
}

/// Length of the hops of `tour`, home to home, metres.
pub fn hop_length(cells: &[Cell], home: Coord<f64>, tour: &[(usize, Variant)]) -> f64 {
    let mut cur = home;
    let mut total = 0.0;
    for &(i, v) in tour {
        let (a, b) = ends(&cells[i], v);
        total += dist(cur, a);
        cur = b;
    }
    total + dist(cur, home)
}

fn two_opt(cells: &[Cell], home: Coord<f64>, tour: &mut [(usize, Variant)], lo: usize) -> bool {
    let n = tour.len();
    let mut improved_any = false;
    let mut improved = true;
    let mut passes = 0;
    while improved && passes < 50 {
        improved = false;
        passes += 1;
        for i in lo..n {
            let before = if i == 0 {
                home
            } else {
                ends(&cells[tour[i - 1].0], tour[i - 1].1).1
            };
            let entry_i = ends(&cells[tour[i].0], tour[i].1).0;
            for j in i..n {
                let exit_j = ends(&cells[tour[j].0], tour[j].1).1;
                let after = if j + 1 == n {
                    home
                } else {
                    ends(&cells[tour[j + 1].0], tour[j + 1].1).0
                };
                let delta = dist(before, exit_j) + dist(entry_i, after)
                    - dist(before, entry_i)
                    - dist(exit_j, after);
                if delta < -1e-6 {
                    tour[i..=j].reverse();
                    for t in &mut tour[i..=j] {
                        t.1 = backwards(&cells[t.0], t.1);
                    }
                    improved = true;
                    improved_any = true;
                    break;
                }
            }
        }
    }
    improved_any
}

/// For a fixed order, picks each cell's variant to minimise the hops (exact, by dynamic
/// programming over the four variants); the first `lo` cells keep theirs.
fn choose_variants(cells: &[Cell], home: Coord<f64>, tour: &mut [(usize, Variant)], lo: usize) {
    let n = tour.len();
    if n == 0 {
        return;
    }
    let options = |k: usize| -> Vec<Variant> {
        if k < lo {
            vec![tour[k].1]
        } else {
            Variant::ALL.to_vec()
        }
    };
    let mut cost: Vec<Vec<f64>> = Vec::with_capacity(n);
    let mut from: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut opts: Vec<Vec<Variant>> = Vec::with_capacity(n);
    for k in 0..n {
        let o = options(k);
        let cell = &cells[tour[k].0];
        let mut c = Vec::with_capacity(o.len());
        let mut f = Vec::with_capacity(o.len());
        for &v in &o {
            let entry = ends(cell, v).0;
            if k == 0 {
                c.push(dist(home, entry));
                f.push(0);
            } else {
                let prev_cell = &cells[tour[k - 1].0];
                let (bi, bc) = opts[k - 1]
                    .iter()
                    .enumerate()
                    .map(|(pi, &pv)| (pi, cost[k - 1][pi] + dist(ends(prev_cell, pv).1, entry)))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap_or((0, f64::INFINITY));
                c.push(bc);
                f.push(bi);
            }
        }
        cost.push(c);
        from.push(f);
        opts.push(o);
    }
    let last_cell = &cells[tour[n - 1].0];
    let mut best = (0, f64::INFINITY);
    for (i, &v) in opts[n - 1].iter().enumerate() {
        let c = cost[n - 1][i] + dist(ends(last_cell, v).1, home);
        if c < best.1 {
            best = (i, c);
        }
    }
    let mut idx = best.0;
    for k in (0..n).rev() {
        tour[k].1 = opts[k][idx];
        idx = from[k][idx];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::decompose::Sweep;

    fn cell(x: f64, n: usize) -> Cell {
        Cell {
            region: 0,
            angle_deg: 0.0,
            sweeps: (0..n)
                .map(|k| Sweep {
                    a: Coord {
                        x,
                        y: 10.0 * k as f64,
                    },
                    b: Coord {
                        x: x + 50.0,
                        y: 10.0 * k as f64,
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn backwards_enters_where_forwards_leaves() {
        for n in 1..5 {
            let c = cell(0.0, n);
            for v in Variant::ALL {
                let (e, x) = ends(&c, v);
                let (e2, x2) = ends(&c, backwards(&c, v));
                assert_eq!((e2, x2), (x, e), "n={n} {v:?}");
                let f = fly_order(&c, v);
                assert_eq!((f[0].0, f[n - 1].1), (e, x));
            }
        }
    }

    #[test]
    fn cells_in_a_row_are_visited_in_a_row() {
        let cells: Vec<Cell> = [300.0, 0.0, 200.0, 100.0]
            .iter()
            .map(|&x| cell(x, 2))
            .collect();
        let tour = order(&cells, Coord { x: -10.0, y: 0.0 }, None, None);
        let xs: Vec<usize> = tour.iter().map(|t| t.0).collect();
        assert!(xs == vec![1, 3, 2, 0] || xs == vec![0, 2, 3, 1], "{xs:?}");
    }
}
