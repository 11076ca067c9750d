//! The airframe: a point mass with speed, acceleration, climb, descent and yaw-rate limits, plus
//! seeded wind with gusts, GPS noise and a battery that drains with speed and climb.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Standard gravity, m/s².
pub const GRAVITY_MPS2: f64 = 9.806_65;

/// One normally distributed sample (Box–Muller), from the vehicle's seeded generator.
pub fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The airframe's hard limits, whatever the flight controller asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Largest horizontal speed, m/s.
    pub max_speed_mps: f64,
    /// Largest horizontal acceleration, m/s².
    pub accel_mps2: f64,
    /// Largest climb rate, m/s.
    pub max_climb_mps: f64,
    /// Largest descent rate, m/s.
    pub max_descent_mps: f64,
    /// Largest vertical acceleration, m/s².
    pub vert_accel_mps2: f64,
    /// Largest yaw rate, degrees per second.
    pub yaw_rate_dps: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_speed_mps: 20.0,
            accel_mps2: 2.5,
            max_climb_mps: 5.0,
            max_descent_mps: 3.0,
            vert_accel_mps2: 2.5,
            yaw_rate_dps: 90.0,
        }
    }
}

/// What the flight controller asks of the airframe for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Setpoint {
    /// Motors stopped or idling on the ground: no motion.
    Ground,
    /// Fly to and hold a point (east, north, up above home, metres) with speed caps.
    Position {
        /// Target east, north, up, metres.
        pos_m: [f64; 3],
        /// Horizontal speed cap, m/s.
        speed_mps: f64,
        /// Climb-rate cap, m/s.
        climb_mps: f64,
        /// Descent-rate cap, m/s.
        descent_mps: f64,
    },
    /// Follow a velocity (east, north, up, m/s).
    Velocity {
        /// East, north, up, m/s.
        vel_mps: [f64; 3],
    },
    /// Hold a horizontal point and descend at a rate until touching the ground.
    Descend {
        /// East and north, metres.
        en_m: [f64; 2],
        /// Descent rate, m/s.
        rate_mps: f64,
    },
}

/// Position, velocity and heading of one airframe in the local frame (up is above home ground).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Body {
    /// East, north, up, metres.
    pub pos_m: [f64; 3],
    /// East, north, up, m/s.
    pub vel_mps: [f64; 3],
    /// Heading, radians clockwise from north, in [0, 2π).
    pub yaw_rad: f64,
    /// Yaw rate, rad/s.
    pub yaw_rate_rps: f64,
    /// Roll, radians (right wing down positive).
    pub roll_rad: f64,
    /// Pitch, radians (nose up positive).
    pub pitch_rad: f64,
    /// True while resting on the ground.
    pub on_ground: bool,
}

fn approach(current: f64, desired: f64, max_step: f64) -> f64 {
    current + (desired - current).clamp(-max_step, max_step)
}

fn wrap_pi(a: f64) -> f64 {
    let mut a = a % std::f64::consts::TAU;
    if a > std::f64::consts::PI {
        a -= std::f64::consts::TAU;
    } else if a < -std::f64::consts::PI {
        a += std::f64::consts::TAU;
    }
    a
}

impl Body {
    /// A body resting on the ground at east/north `en_m`.
    pub fn on_ground_at(en_m: [f64; 2]) -> Self {
        Self {
            pos_m: [en_m[0], en_m[1], 0.0],
            on_ground: true,
            ..Self::default()
        }
    }

    /// Horizontal speed over ground, m/s.
    pub fn ground_speed_mps(&self) -> f64 {
        self.vel_mps[0].hypot(self.vel_mps[1])
    }

    /// Advance by `dt_s` towards `setpoint`. `wind_residual_mps` is the part of the wind the
    /// position controller does not reject (east, north, up); `wind_mps` the wind itself, which
    /// tilts the airframe.
    pub fn step(
        &mut self,
        setpoint: &Setpoint,
        limits: &Limits,
        wind_mps: [f64; 3],
        wind_residual_mps: [f64; 3],
        dt_s: f64,
    ) {
        if dt_s <= 0.0 {
            return;
        }
        let old_vel = self.vel_mps;

        // Desired velocity from the setpoint.
        let desired = match *setpoint {
            Setpoint::Ground => {
                self.vel_mps = [0.0; 3];
                self.yaw_rate_rps = 0.0;
                self.roll_rad = 0.0;
                self.pitch_rad = 0.0;
                self.pos_m[2] = self.pos_m[2].max(0.0);
                self.on_ground = self.pos_m[2] <= 0.0;
                return;
            }
            Setpoint::Position {
                pos_m,
                speed_mps,
                climb_mps,
                descent_mps,
            } => {
                let horizontal = self.horizontal_towards([pos_m[0], pos_m[1]], speed_mps, limits);
                let dz = pos_m[2] - self.pos_m[2];
                let vz_cap = if dz >= 0.0 {
                    climb_mps.min(limits.max_climb_mps)
                } else {
                    descent_mps.min(limits.max_descent_mps)
                };
                let vz = dz.signum()
                    * vz_cap
                        .min((2.0 * limits.vert_accel_mps2 * 0.8 * dz.abs()).sqrt())
                        .min(1.5 * dz.abs());
                [horizontal[0], horizontal[1], vz]
            }
            Setpoint::Velocity { vel_mps } => {
                let speed = vel_mps[0].hypot(vel_mps[1]);
                let scale = if speed > limits.max_speed_mps {
                    limits.max_speed_mps / speed
                } else {
                    1.0
                };
                [
                    vel_mps[0] * scale,
                    vel_mps[1] * scale,
                    vel_mps[2].clamp(-limits.max_descent_mps, limits.max_climb_mps),
                ]
            }
            Setpoint::Descend { en_m, rate_mps } => {
                let horizontal = self.horizontal_towards(en_m, limits.max_speed_mps, limits);
                [
                    horizontal[0],
                    horizontal[1],
                    -rate_mps.min(limits.max_descent_mps),
                ]
            }
        };

        // Acceleration-limited velocity change.
        let dvx = desired[0] - self.vel_mps[0];
        let dvy = desired[1] - self.vel_mps[1];
        let dv = dvx.hypot(dvy);
        let max_dv = limits.accel_mps2 * dt_s;
        let k = if dv > max_dv { max_dv / dv } else { 1.0 };
        self.vel_mps[0] += dvx * k;
        self.vel_mps[1] += dvy * k;
        self.vel_mps[2] = approach(self.vel_mps[2], desired[2], limits.vert_accel_mps2 * dt_s);

        // Integrate, with the wind the controller does not reject.
        let airborne = !self.on_ground || self.vel_mps[2] > 0.0;
        let residual = if airborne {
            wind_residual_mps
        } else {
            [0.0; 3]
        };
        for (axis, r) in residual.iter().enumerate() {
            self.pos_m[axis] += (self.vel_mps[axis] + r) * dt_s;
        }
        if self.pos_m[2] <= 0.0 {
            self.pos_m[2] = 0.0;
            if self.vel_mps[2] <= 0.0 {
                self.vel_mps = [0.0; 3];
                self.on_ground = true;
            }
        } else {
            self.on_ground = false;
        }

        // Heading follows the direction of travel, rate-limited.
        let speed = self.ground_speed_mps();
        let old_yaw = self.yaw_rad;
        if speed > 1.0 {
            let desired_yaw = self.vel_mps[0].atan2(self.vel_mps[1]);
            let err = wrap_pi(desired_yaw - self.yaw_rad);
            let max_step = limits.yaw_rate_dps.to_radians() * dt_s;
            self.yaw_rad =
                (self.yaw_rad + err.clamp(-max_step, max_step)).rem_euclid(std::f64::consts::TAU);
        }
        self.yaw_rate_rps = wrap_pi(self.yaw_rad - old_yaw) / dt_s;

        // Tilt: the thrust must supply the acceleration and balance the drag of the airflow.
        if self.on_ground {
            self.roll_rad = 0.0;
            self.pitch_rad = 0.0;
        } else {
            const DRAG_PER_MPS: f64 = 0.08;
            let ax = (self.vel_mps[0] - old_vel[0]) / dt_s
                + DRAG_PER_MPS * (self.vel_mps[0] - wind_mps[0]);
            let ay = (self.vel_mps[1] - old_vel[1]) / dt_s
                + DRAG_PER_MPS * (self.vel_mps[1] - wind_mps[1]);
            let (s, c) = self.yaw_rad.sin_cos();
            let forward = ax * s + ay * c;
            let right = ax * c - ay * s;
            let max_tilt = 45f64.to_radians();
            self.pitch_rad = (-forward / GRAVITY_MPS2).atan().clamp(-max_tilt, max_tilt);
            self.roll_rad = (right / GRAVITY_MPS2).atan().clamp(-max_tilt, max_tilt);
        }
    }

    fn horizontal_towards(&self, target: [f64; 2], speed_mps: f64, limits: &Limits) -> [f64; 2] {
        let dx = target[0] - self.pos_m[0];
        let dy = target[1] - self.pos_m[1];
        let dist = dx.hypot(dy);
        if dist < 1e-6 {
            return [0.0, 0.0];
        }
        // A speed that can still stop at the target, and a gentle proportional finish.
        let v = speed_mps
            .min(limits.max_speed_mps)
            .min((2.0 * limits.accel_mps2 * 0.8 * dist).sqrt())
            .min(1.2 * dist);
        [dx / dist * v, dy / dist * v]
    }
}

/// Wind: a mean vector plus gusts from a first-order Gauss–Markov process per axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Wind {
    /// Mean wind velocity (east, north), m/s: where the air moves to.
    pub mean_mps: [f64; 2],
    /// Standard deviation of gusts, m/s.
    pub gust_sigma_mps: f64,
    /// Correlation time of gusts, seconds.
    pub gust_tau_s: f64,
    gust_mps: [f64; 3],
}

impl Wind {
    /// Wind blowing *from* `from_deg` (meteorological convention) at `speed_mps`.
    pub fn new(speed_mps: f64, from_deg: f64, gust_sigma_mps: f64) -> Self {
        let to = (from_deg + 180.0).to_radians();
        Self {
            mean_mps: [speed_mps * to.sin(), speed_mps * to.cos()],
            gust_sigma_mps,
            gust_tau_s: 3.0,
            gust_mps: [0.0; 3],
        }
    }

    /// Advance the gusts and return the wind (east, north, up), m/s.
    pub fn step(&mut self, rng: &mut ChaCha8Rng, dt_s: f64) -> [f64; 3] {
        if self.gust_sigma_mps > 0.0 {
            let a = (-dt_s / self.gust_tau_s).exp();
            let b = self.gust_sigma_mps * (1.0 - a * a).sqrt();
            for (axis, g) in self.gust_mps.iter_mut().enumerate() {
                let vertical = if axis == 2 { 0.3 } else { 1.0 };
                *g = a * *g + b * vertical * gauss(rng);
            }
        }
        [
            self.mean_mps[0] + self.gust_mps[0],
            self.mean_mps[1] + self.gust_mps[1],
            self.gust_mps[2],
        ]
    }

    /// The gust part of the wind (east, north, up), m/s: what the controller cannot reject at once.
    pub fn gust_mps(&self) -> [f64; 3] {
        self.gust_mps
    }
}

/// GPS position error: a slowly wandering offset (Gauss–Markov) per axis, metres.
#[derive(Debug, Clone, PartialEq)]
pub struct GpsNoise {
    /// Standard deviation of the horizontal error, metres (vertical is 1.5×).
    pub sigma_m: f64,
    /// Correlation time, seconds.
    pub tau_s: f64,
    offset_m: [f64; 3],
}

impl GpsNoise {
    /// Noise with the given horizontal standard deviation.
    pub fn new(sigma_m: f64) -> Self {
        Self {
            sigma_m,
            tau_s: 10.0,
            offset_m: [0.0; 3],
        }
    }

    /// Advance and return the current error (east, north, up), metres.
    pub fn step(&mut self, rng: &mut ChaCha8Rng, dt_s: f64) -> [f64; 3] {
        if self.sigma_m > 0.0 {
            let a = (-dt_s / self.tau_s).exp();
            let b = self.sigma_m * (1.0 - a * a).sqrt();
            for (axis, o) in self.offset_m.iter_mut().enumerate() {
                let scale = if axis == 2 { 1.5 } else { 1.0 };
                *o = a * *o + b * scale * gauss(rng);
            }
        }
        self.offset_m
    }

    /// The current error without advancing.
    pub fn offset_m(&self) -> [f64; 3] {
        self.offset_m
    }
}

/// A three-cell lithium-polymer battery whose current rises with airspeed and climb.
#[derive(Debug, Clone, PartialEq)]
pub struct Battery {
    /// Capacity, mAh (the `BATT_CAPACITY` parameter).
    pub capacity_mah: f64,
    /// Charge drawn so far, mAh.
    pub consumed_mah: f64,
    /// Present current, amperes.
    pub current_a: f64,
    /// Present terminal voltage, volts.
    pub voltage_v: f64,
    /// Energy drawn, joules.
    pub energy_j: f64,
}

/// Cells in series.
const CELLS: f64 = 3.0;
/// Internal resistance, ohms.
const RESISTANCE_OHM: f64 = 0.02;

impl Battery {
    /// A full battery of `capacity_mah`.
    pub fn new(capacity_mah: f64) -> Self {
        let mut b = Self {
            capacity_mah,
            consumed_mah: 0.0,
            current_a: 0.0,
            voltage_v: 0.0,
            energy_j: 0.0,
        };
        b.voltage_v = b.open_circuit_v();
        b
    }

    /// State of charge, 0 to 1.
    pub fn remaining(&self) -> f64 {
        if self.capacity_mah <= 0.0 {
            return 0.0;
        }
        (1.0 - self.consumed_mah / self.capacity_mah).clamp(0.0, 1.0)
    }

    fn open_circuit_v(&self) -> f64 {
        CELLS * (3.3 + 0.9 * self.remaining().powf(0.6))
    }

    /// The current an airframe draws: idle on the ground when armed, hover plus drag and climb
    /// when flying.
    pub fn current_for(armed: bool, flying: bool, airspeed_mps: f64, climb_mps: f64) -> f64 {
        if !armed {
            0.3
        } else if !flying {
            2.0
        } else {
            let hover = 14.0 * (1.0 + 0.3 * (airspeed_mps / 12.0).powi(2));
            (hover + 3.0 * climb_mps.max(0.0) - 1.0 * (-climb_mps).max(0.0)).max(5.0)
        }
    }

    /// Draw `current_a` for `dt_s`.
    pub fn step(&mut self, current_a: f64, dt_s: f64) {
        self.current_a = current_a;
        self.consumed_mah += current_a * dt_s / 3.6;
        self.voltage_v = self.open_circuit_v() - current_a * RESISTANCE_OHM;
        self.energy_j += self.voltage_v * current_a * dt_s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn position_setpoint_respects_speed_and_arrives() {
        let limits = Limits::default();
        let mut body = Body {
            pos_m: [0.0, 0.0, 10.0],
            ..Body::default()
        };
        let sp = Setpoint::Position {
            pos_m: [100.0, 0.0, 10.0],
            speed_mps: 5.0,
            climb_mps: 2.5,
            descent_mps: 1.5,
        };
        let mut max_speed: f64 = 0.0;
        for _ in 0..(60 * 50) {
            body.step(&sp, &limits, [0.0; 3], [0.0; 3], 0.02);
            max_speed = max_speed.max(body.ground_speed_mps());
        }
        assert!(max_speed <= 5.0 + 1e-9, "speed {max_speed}");
        assert!(
            (body.pos_m[0] - 100.0).abs() < 0.05,
            "east {}",
            body.pos_m[0]
        );
        // Heading east is 90 degrees.
        assert!((body.yaw_rad.to_degrees() - 90.0).abs() < 1.0);
    }

    #[test]
    fn climb_rate_is_capped() {
        let limits = Limits::default();
        let mut body = Body::on_ground_at([0.0, 0.0]);
        let sp = Setpoint::Position {
            pos_m: [0.0, 0.0, 50.0],
            speed_mps: 5.0,
            climb_mps: 2.5,
            descent_mps: 1.5,
        };
        for _ in 0..100 {
            body.step(&sp, &limits, [0.0; 3], [0.0; 3], 0.02);
        }
        // After 2 s with 2.5 m/s² vertical acceleration the rate is at its 2.5 m/s cap.
        assert!((body.vel_mps[2] - 2.5).abs() < 1e-9);
        assert!(!body.on_ground);
    }

    #[test]
    fn battery_drains_faster_when_flying_fast() {
        let hover = Battery::current_for(true, true, 0.0, 0.0);
        let fast = Battery::current_for(true, true, 12.0, 0.0);
        assert!((hover - 14.0).abs() < 1e-9 && (fast - 18.2).abs() < 1e-9);
        let mut b = Battery::new(5000.0);
        b.step(18.0, 500.0); // 18 A for 500 s is 2500 mAh, half the capacity
        assert!((b.remaining() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn gusts_are_seeded() {
        let mut a = Wind::new(5.0, 270.0, 1.0);
        let mut b = Wind::new(5.0, 270.0, 1.0);
        let mut ra = ChaCha8Rng::seed_from_u64(7);
        let mut rb = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..100 {
            assert_eq!(a.step(&mut ra, 0.1), b.step(&mut rb, 0.1));
        }
        // Wind from the west blows east.
        assert!((a.mean_mps[0] - 5.0).abs() < 1e-9 && a.mean_mps[1].abs() < 1e-9);
    }
}
