//! The vehicle: cruise speed, acceleration, a pause to turn at each stop, climb rate, battery
//! endurance and mission capacity; how long a polyline takes to fly.

use geo_types::Coord;
use serde::Serialize;

use super::geom::dist;

/// A multicopter as the planner costs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vehicle {
    /// Cruise ground speed along sweeps and legs, m/s.
    pub speed_mps: f64,
    /// Acceleration and deceleration, m/s².
    pub accel_mps2: f64,
    /// Time spent at each stop to settle and turn, seconds.
    pub turn_s: f64,
    /// Vertical speed for take-off and landing, m/s.
    pub climb_mps: f64,
    /// Flight time on a full battery at cruise, seconds.
    pub endurance_s: f64,
    /// Share of the endurance kept in reserve, in \[0, 1).
    pub reserve: f64,
    /// Most mission items the vehicle accepts, home included (ArduPilot SITL: 650).
    pub max_items: usize,
}

impl Default for Vehicle {
    fn default() -> Self {
        Self {
            speed_mps: 10.0,
            accel_mps2: 2.0,
            turn_s: 1.0,
            climb_mps: 2.5,
            endurance_s: 25.0 * 60.0,
            reserve: 0.25,
            max_items: 650,
        }
    }
}

/// Direction changes above this angle (degrees) make the vehicle stop and turn.
pub const STOP_TURN_DEG: f64 = 20.0;

impl Vehicle {
    /// Seconds to fly a straight run of `len_m` from rest to rest: accelerate, cruise,
    /// decelerate (a triangular profile when the run is too short to reach cruise).
    pub fn run_s(&self, len_m: f64) -> f64 {
        if len_m <= 0.0 {
            return 0.0;
        }
        let (v, a) = (self.speed_mps, self.accel_mps2);
        if len_m >= v * v / a {
            len_m / v + v / a
        } else {
            2.0 * (len_m / a).sqrt()
        }
    }

    /// Seconds to fly a polyline from rest to rest, stopping (and pausing `turn_s`) wherever
    /// the direction changes by more than [`STOP_TURN_DEG`]; also returns the number of turns.
    pub fn polyline_s(&self, pts: &[Coord<f64>]) -> (f64, usize) {
        if pts.len() < 2 {
            return (0.0, 0);
        }
        let mut t = 0.0;
        let mut turns = 0;
        let mut run = 0.0;
        for i in 1..pts.len() {
            run += dist(pts[i - 1], pts[i]);
            if i + 1 < pts.len() && is_turn(pts[i - 1], pts[i], pts[i + 1]) {
                t += self.run_s(run) + self.turn_s;
                turns += 1;
                run = 0.0;
            }
        }
        (t + self.run_s(run), turns)
    }

    /// Seconds of usable flight per battery: endurance less the reserve.
    pub fn usable_s(&self) -> f64 {
        self.endurance_s * (1.0 - self.reserve)
    }
}

/// Whether the path turns at `b` by more than [`STOP_TURN_DEG`].
pub fn is_turn(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> bool {
    let (u, w) = ((b.x - a.x, b.y - a.y), (c.x - b.x, c.y - b.y));
    let (lu, lw) = (u.0.hypot(u.1), w.0.hypot(w.1));
    if lu < 1e-9 || lw < 1e-9 {
        return false;
    }
    let cos = (u.0 * w.0 + u.1 * w.1) / (lu * lw);
    cos < STOP_TURN_DEG.to_radians().cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_run_costs_cruise_time_plus_one_speed_change() {
        let v = Vehicle::default();
        // 100 m at 10 m/s with 2 m/s²: 10 s + 5 s (2.5 s to accelerate and 2.5 s to stop, each
        // covering 25 m at an average 5 m/s, i.e. 2.5 s more than cruising them).
        assert!((v.run_s(100.0) - 15.0).abs() < 1e-12);
        // 25 m never reaches cruise: 2 · √(25 / 2) s.
        assert!((v.run_s(25.0) - 2.0 * 12.5_f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn a_square_path_turns_twice() {
        let v = Vehicle::default();
        let pts = [
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 100.0, y: 0.0 },
            Coord { x: 100.0, y: 100.0 },
            Coord { x: 0.0, y: 100.0 },
        ];
        let (t, turns) = v.polyline_s(&pts);
        assert_eq!(turns, 2);
        assert!((t - (3.0 * 15.0 + 2.0)).abs() < 1e-9);
    }
}
