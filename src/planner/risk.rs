//! Risk zones: areas to see again at least every `revisit` seconds. While sorties are built the
//! tracker notes when the camera last saw each zone and asks for a detour to it before the
//! interval runs out; afterwards the report says, for each zone, the longest gap over the
//! patrol window and by how much it misses its interval, if it does.

use geo::{Buffer, InteriorPoint};
use geo_types::{Coord, MultiPolygon};
use serde::Serialize;

use super::geom::RingSet;
use super::legs::Flyable;

/// A risk zone as the planner takes it.
#[derive(Debug, Clone)]
pub struct RiskTarget {
    pub name: String,
    pub area: MultiPolygon<f64>,
    /// 1 (low) to 4 (high).
    pub level: u8,
    /// Longest allowed time between two looks, seconds.
    pub revisit_s: f64,
}

/// Whether a zone's revisit interval is met over the patrol window, and by how much it is not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskReport {
    pub name: String,
    /// The vehicle (from 1) whose route this report is about: with several vehicles, each
    /// reports every zone over its own patrol.
    pub vehicle: usize,
    pub level: u8,
    pub revisit_min: f64,
    /// Looks at the zone over the patrol window.
    pub visits: usize,
    /// Longest time without a look over the window, minutes (infinite when never seen).
    pub max_gap_min: f64,
    pub met: bool,
    /// How much longer than the interval the worst gap is, minutes (0 when met).
    pub shortfall_min: f64,
}

/// Tracks looks at risk zones while a route is built.
#[derive(Debug)]
pub struct RiskTracker {
    targets: Vec<RiskTarget>,
    /// Each zone grown by half a swath: a leg crossing it puts the zone in the camera's view.
    sight: Vec<RingSet>,
    /// A point to fly over to look at the zone, inside the flyable area (None: unreachable).
    pub aim: Vec<Option<Coord<f64>>>,
    /// Times (seconds from the first take-off) of every look, per zone.
    pub looks: Vec<Vec<f64>>,
    /// When each zone counts as last seen before any look (0: at the first take-off).
    before: Vec<f64>,
}

impl RiskTracker {
    /// Prepares `targets` for a route flown with `swath_m` inside `flyable`.
    pub fn new(targets: Vec<RiskTarget>, swath_m: f64, flyable: &Flyable) -> Self {
        let sight = targets
            .iter()
            .map(|t| RingSet::new(&t.area.buffer(0.5 * swath_m)))
            .collect();
        let aim = targets
            .iter()
            .map(|t| {
                let p = t.area.interior_point().map(|p| p.0)?;
                flyable.nearest_inside(p)
            })
            .collect();
        let looks = vec![Vec::new(); targets.len()];
        let before = vec![0.0; targets.len()];
        Self {
            targets,
            sight,
            aim,
            looks,
            before,
        }
    }

    /// Sets when each zone was last seen before the first take-off (negative seconds): the
    /// previous cycle's last look, for a patrol that repeats.
    pub fn seen_before(&mut self, times_s: &[f64]) {
        for (b, t) in self.before.iter_mut().zip(times_s) {
            *b = *t;
        }
    }

    /// Number of zones.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there are no zones.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Notes the looks a leg from `a` to `b` gives, flown ending at time `t_s`.
    pub fn observe(&mut self, a: Coord<f64>, b: Coord<f64>, t_s: f64) {
        for (z, set) in self.sight.iter().enumerate() {
            if !set.segment_outside(a, b) || set.contains(a) {
                self.looks[z].push(t_s);
            }
        }
    }

    /// The zone most overdue if the vehicle, at `from` when the clock reads `t_s`, flew
    /// straight to it at `speed_mps` before looking again; `None` when none would be.
    pub fn due(&self, t_s: f64, from: Coord<f64>, speed_mps: f64) -> Option<usize> {
        let mut worst: Option<(usize, f64)> = None;
        for (z, t) in self.targets.iter().enumerate() {
            let Some(aim) = self.aim[z] else {
                continue;
            };
            let last = self.last_look(z);
            let over = t_s + super::geom::dist(from, aim) / speed_mps - last - t.revisit_s;
            if over > 0.0 && worst.is_none_or(|(_, w)| over > w) {
                worst = Some((z, over));
            }
        }
        worst.map(|(z, _)| z)
    }

    /// Zone `z`'s revisit interval, seconds.
    pub fn revisit_s(&self, z: usize) -> f64 {
        self.targets[z].revisit_s
    }

    /// The time of the last look at zone `z` (see [`RiskTracker::seen_before`] before any).
    pub fn last_look(&self, z: usize) -> f64 {
        self.looks[z].last().copied().unwrap_or(self.before[z])
    }

    /// The report over a patrol of `window_s` seconds that repeats a cycle of `cycle_s`
    /// seconds (the cycle's looks repeat every `cycle_s`).
    pub fn report(&self, cycle_s: f64, window_s: f64) -> Vec<RiskReport> {
        self.targets
            .iter()
            .enumerate()
            .map(|(z, t)| {
                // The cycle's looks repeated over the window and one cycle beyond it: every gap
                // that starts within the window is a gap the patrol flies.
                let mut times: Vec<f64> = Vec::new();
                let mut k = 0.0;
                while cycle_s > 0.0 && k * cycle_s < window_s + cycle_s {
                    times.extend(self.looks[z].iter().map(|x| x + k * cycle_s));
                    k += 1.0;
                }
                times.sort_by(f64::total_cmp);
                let max_gap_s = if times.is_empty() {
                    f64::INFINITY
                } else {
                    times
                        .windows(2)
                        .filter(|w| w[0] < window_s)
                        .map(|w| w[1] - w[0])
                        .fold(0.0, f64::max)
                };
                let visits = times.iter().filter(|x| **x < window_s).count();
                let revisit_min = t.revisit_s / 60.0;
                let max_gap_min = max_gap_s / 60.0;
                let met = max_gap_s <= t.revisit_s + 1e-6;
                RiskReport {
                    name: t.name.clone(),
                    vehicle: 1,
                    level: t.level,
                    revisit_min,
                    visits,
                    max_gap_min,
                    met,
                    shortfall_min: if met { 0.0 } else { max_gap_min - revisit_min },
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn tracker(revisit_s: f64) -> RiskTracker {
        let area = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 200.0, y: 0.0), (x: 200.0, y: 200.0), (x: 0.0, y: 200.0)
        ]]);
        let zone = MultiPolygon(vec![polygon![
            (x: 90.0, y: 90.0), (x: 110.0, y: 90.0), (x: 110.0, y: 110.0), (x: 90.0, y: 110.0)
        ]]);
        let target = RiskTarget {
            name: "gate".into(),
            area: zone,
            level: 3,
            revisit_s,
        };
        RiskTracker::new(vec![target], 20.0, &Flyable::from_area(area))
    }

    #[test]
    fn a_leg_passing_within_half_a_swath_is_a_look() {
        let mut t = tracker(300.0);
        t.observe(
            Coord { x: 0.0, y: 119.0 },
            Coord { x: 200.0, y: 119.0 },
            10.0,
        );
        t.observe(
            Coord { x: 0.0, y: 121.0 },
            Coord { x: 200.0, y: 121.0 },
            20.0,
        );
        assert_eq!(t.looks[0], vec![10.0]);
    }

    #[test]
    fn the_report_gives_the_worst_gap_and_the_shortfall() {
        let mut t = tracker(300.0);
        t.looks[0] = vec![100.0, 500.0];
        // Cycle 600 s repeated over 1200 s: looks at 100, 500, 700, 1100 (and 1300 after);
        // gaps 400, 200, 400, 200.
        let r = &t.report(600.0, 1200.0)[0];
        assert_eq!(r.visits, 4);
        assert!((r.max_gap_min - 400.0 / 60.0).abs() < 1e-9);
        assert!(!r.met);
        assert!((r.shortfall_min - 100.0 / 60.0).abs() < 1e-9);
        let aim = t.aim[0].expect("aim");
        assert_eq!(t.due(799.0, aim, 10.0), None);
        assert_eq!(t.due(801.0, aim, 10.0), Some(0));
        // 200 m away at 10 m/s: due 20 s earlier.
        let far = Coord {
            x: aim.x + 200.0,
            y: aim.y,
        };
        assert_eq!(t.due(781.0, far, 10.0), Some(0));
    }
}
