//! One simulated ArduCopter: flight modes, commands with COMMAND_ACK, arming checks, AUTO
//! missions, the fence and its breach action, GCS and battery failsafes, and its telemetry.

use std::collections::BTreeMap;

use mavlink::dialects::ardupilotmega::{
    ATTITUDE_DATA, AUTOPILOT_VERSION_DATA, BATTERY_STATUS_DATA, COMMAND_ACK_DATA,
    EXTENDED_SYS_STATE_DATA, FENCE_STATUS_DATA, FenceBreach, FenceMitigate,
    GLOBAL_POSITION_INT_DATA, GPS_RAW_INT_DATA, GpsFixType, HEARTBEAT_DATA, HOME_POSITION_DATA,
    MESSAGE_INTERVAL_DATA, MISSION_CURRENT_DATA, MISSION_ITEM_REACHED_DATA, MavAutopilot,
    MavBatteryChargeState, MavBatteryFault, MavBatteryFunction, MavBatteryMode, MavBatteryType,
    MavCmd, MavFrame, MavLandedState, MavMessage, MavMissionType, MavModeFlag,
    MavProtocolCapability, MavResult, MavSeverity, MavState, MavSysStatusSensor,
    MavSysStatusSensorExtended, MavType, MavVtolState, MissionState, NAV_CONTROLLER_OUTPUT_DATA,
    PARAM_VALUE_DATA, PositionTargetTypemask, STATUSTEXT_DATA, SYS_STATUS_DATA, SYSTEM_TIME_DATA,
    VFR_HUD_DATA,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::geodesy::{GeoPoint, LocalFrame, deg_to_e7, e7_to_deg};
use crate::mission::{self, Context, MissionStore, Peer};
use crate::params::Params;
use crate::physics::{Battery, Body, GpsNoise, Limits, Setpoint, Wind};
use crate::telemetry::{Telemetry, id};

/// A STATUSTEXT message (text cut to MAVLink's 50 characters).
pub fn statustext(severity: MavSeverity, text: &str) -> MavMessage {
    MavMessage::STATUSTEXT(STATUSTEXT_DATA {
        severity,
        text: text.into(),
        id: 0,
        chunk_seq: 0,
    })
}

/// ArduCopter's flight modes with their custom-mode numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 0.
    Stabilize,
    /// 1.
    Acro,
    /// 2.
    AltHold,
    /// 3: fly the mission.
    Auto,
    /// 4: go where the ground station says.
    Guided,
    /// 5: hold position.
    Loiter,
    /// 6: return to launch.
    Rtl,
    /// 7.
    Circle,
    /// 9: land where it is.
    Land,
    /// 16.
    PosHold,
    /// 17: stop at once and hold.
    Brake,
    /// 21: return along the way it came (simulated as RTL).
    SmartRtl,
}

impl Mode {
    /// The mode for an ArduCopter custom-mode number.
    pub fn from_number(n: u32) -> Option<Self> {
        Some(match n {
            0 => Self::Stabilize,
            1 => Self::Acro,
            2 => Self::AltHold,
            3 => Self::Auto,
            4 => Self::Guided,
            5 => Self::Loiter,
            6 => Self::Rtl,
            7 => Self::Circle,
            9 => Self::Land,
            16 => Self::PosHold,
            17 => Self::Brake,
            21 => Self::SmartRtl,
            _ => return None,
        })
    }

    /// ArduCopter's custom-mode number.
    pub fn number(self) -> u32 {
        match self {
            Self::Stabilize => 0,
            Self::Acro => 1,
            Self::AltHold => 2,
            Self::Auto => 3,
            Self::Guided => 4,
            Self::Loiter => 5,
            Self::Rtl => 6,
            Self::Circle => 7,
            Self::Land => 9,
            Self::PosHold => 16,
            Self::Brake => 17,
            Self::SmartRtl => 21,
        }
    }

    /// ArduCopter's name for the mode.
    pub fn name(self) -> &'static str {
        match self {
            Self::Stabilize => "STABILIZE",
            Self::Acro => "ACRO",
            Self::AltHold => "ALT_HOLD",
            Self::Auto => "AUTO",
            Self::Guided => "GUIDED",
            Self::Loiter => "LOITER",
            Self::Rtl => "RTL",
            Self::Circle => "CIRCLE",
            Self::Land => "LAND",
            Self::PosHold => "POSHOLD",
            Self::Brake => "BRAKE",
            Self::SmartRtl => "SMART_RTL",
        }
    }

    fn requires_position(self) -> bool {
        !matches!(
            self,
            Self::Stabilize | Self::Acro | Self::AltHold | Self::Land
        )
    }

    fn armable(self) -> bool {
        matches!(
            self,
            Self::Stabilize
                | Self::Acro
                | Self::AltHold
                | Self::Guided
                | Self::Loiter
                | Self::PosHold
        )
    }
}

/// How one vehicle is simulated: timings, limits, weather and sensors.
#[derive(Debug, Clone, PartialEq)]
pub struct VehicleConfig {
    /// Seconds after boot before the simulated EKF has a position (arming refused and position
    /// reported as 0,0 before).
    pub ekf_settle_s: f64,
    /// Seconds after boot before the GPS has a 3D fix.
    pub gps_fix_s: f64,
    /// Mission capacity, home included.
    pub mission_capacity: u16,
    /// Airframe limits.
    pub limits: Limits,
    /// Mean wind speed, m/s.
    pub wind_speed_mps: f64,
    /// Direction the wind blows from, degrees.
    pub wind_from_deg: f64,
    /// Gust standard deviation, m/s.
    pub gust_sigma_mps: f64,
    /// GPS horizontal error standard deviation, metres.
    pub gps_noise_m: f64,
}

impl Default for VehicleConfig {
    fn default() -> Self {
        Self {
            ekf_settle_s: 5.0,
            gps_fix_s: 1.0,
            mission_capacity: mission::DEFAULT_MISSION_CAPACITY,
            limits: Limits::default(),
            wind_speed_mps: 0.0,
            wind_from_deg: 0.0,
            gust_sigma_mps: 0.0,
            gps_noise_m: 0.3,
        }
    }
}

/// A COMMAND_LONG or COMMAND_INT in one form.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Command {
    command: MavCmd,
    p: [f32; 4],
    /// Latitude in degrees (COMMAND_INT x, COMMAND_LONG param5).
    lat_deg: f64,
    /// Longitude in degrees (COMMAND_INT y, COMMAND_LONG param6).
    lon_deg: f64,
    z: f32,
    frame: MavFrame,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Guided {
    Hold,
    Takeoff { alt_m: f64 },
    Position { pos_m: [f64; 3] },
    Velocity { vel_mps: [f64; 3], until_us: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RtlPhase {
    Climb,
    Return,
    Loiter { since_us: u64 },
    Land,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Nav {
    None,
    Takeoff {
        alt_m: f64,
    },
    Waypoint {
        pos_m: [f64; 3],
        hold_s: f64,
        arrived_us: Option<u64>,
    },
    LoiterUnlim {
        pos_m: [f64; 3],
    },
    Land {
        en_m: [f64; 2],
        alt_m: f64,
    },
    Rtl,
    Hold {
        pos_m: [f64; 3],
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Auto {
    running: bool,
    complete: bool,
    index: u16,
    jumps: BTreeMap<u16, i32>,
}

/// Fence shapes in the local frame.
#[derive(Debug, Clone, PartialEq, Default)]
struct FenceShapes {
    inclusion_polygons: Vec<Vec<[f64; 2]>>,
    exclusion_polygons: Vec<Vec<[f64; 2]>>,
    inclusion_circles: Vec<([f64; 2], f64)>,
    exclusion_circles: Vec<([f64; 2], f64)>,
}

const FENCE_ALT: u8 = 1;
const FENCE_CIRCLE: u8 = 2;
const FENCE_POLYGON: u8 = 4;

fn inside_polygon(p: [f64; 2], poly: &[[f64; 2]]) -> bool {
    let mut inside = false;
    let mut j = poly.len().wrapping_sub(1);
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
        {
            inside = !inside;
        }
        j = i;
    }
    inside
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// One simulated multicopter. Built by [`crate::Sim`]; tests read its state through the accessors.
#[derive(Debug)]
pub struct Vehicle {
    sysid: u8,
    cfg: VehicleConfig,
    frame: LocalFrame,
    /// Parameters (read and written by the parameter protocol).
    pub params: Params,
    /// Mission, fence and rally lists.
    pub store: MissionStore,
    body: Body,
    wind: Wind,
    wind_now: [f64; 3],
    gps: GpsNoise,
    battery: Battery,
    rng: ChaCha8Rng,
    now_us: u64,
    armed: bool,
    mode: Mode,
    landed: bool,
    home: Option<GeoPoint>,
    ekf_ok: bool,
    gps_fix: bool,
    guided: Guided,
    hold_m: [f64; 3],
    rtl: RtlPhase,
    land_en: [f64; 2],
    nav: Nav,
    auto: Auto,
    speed_override_mps: Option<f64>,
    telemetry: Telemetry,
    out: Vec<MavMessage>,
    due: Vec<u32>,
    fence: FenceShapes,
    breaches: u8,
    breach_count: u16,
    breach_time_ms: u32,
    last_breach: FenceBreach,
    gcs_heartbeat_us: Option<u64>,
    gcs_failsafe: bool,
    batt_low_since_us: Option<u64>,
    batt_crit_since_us: Option<u64>,
    batt_state: u8,
    landed_since_us: Option<u64>,
    next_heartbeat_us: u64,
    next_slow_us: u64,
    next_prearm_text_us: u64,
    throttle_pct: f64,
    breadcrumbs: Vec<[f64; 3]>,
    srtl_path: Vec<[f64; 3]>,
}

impl Vehicle {
    /// A vehicle with system id `sysid` resting at `start` (its ground altitude is the start
    /// altitude), randomness seeded with `seed`.
    pub fn new(sysid: u8, start: GeoPoint, cfg: VehicleConfig, seed: u64) -> Self {
        let frame = LocalFrame::new(start);
        let mut params = Params::default();
        params.set("SYSID_THISMAV", f32::from(sysid));
        let battery = Battery::new(f64::from(params.get("BATT_CAPACITY")));
        Self {
            sysid,
            wind: Wind::new(cfg.wind_speed_mps, cfg.wind_from_deg, cfg.gust_sigma_mps),
            gps: GpsNoise::new(cfg.gps_noise_m),
            store: MissionStore::new(cfg.mission_capacity),
            cfg,
            frame,
            params,
            body: Body::on_ground_at([0.0, 0.0]),
            wind_now: [0.0; 3],
            battery,
            rng: ChaCha8Rng::seed_from_u64(seed ^ (u64::from(sysid) << 32)),
            now_us: 0,
            armed: false,
            mode: Mode::Stabilize,
            landed: true,
            home: None,
            ekf_ok: false,
            gps_fix: false,
            guided: Guided::Hold,
            hold_m: [0.0; 3],
            rtl: RtlPhase::Climb,
            land_en: [0.0; 2],
            nav: Nav::None,
            auto: Auto::default(),
            speed_override_mps: None,
            telemetry: Telemetry::default(),
            out: Vec::new(),
            due: Vec::new(),
            fence: FenceShapes::default(),
            breaches: 0,
            breach_count: 0,
            breach_time_ms: 0,
            last_breach: FenceBreach::FENCE_BREACH_NONE,
            gcs_heartbeat_us: None,
            gcs_failsafe: false,
            batt_low_since_us: None,
            batt_crit_since_us: None,
            batt_state: 0,
            landed_since_us: None,
            next_heartbeat_us: 0,
            next_slow_us: 0,
            next_prearm_text_us: 0,
            throttle_pct: 0.0,
            breadcrumbs: Vec::new(),
            srtl_path: Vec::new(),
        }
    }

    // ------------------------------------------------------------------------------------------
    // State for tests and the binary.

    /// System id.
    pub fn sysid(&self) -> u8 {
        self.sysid
    }

    /// Flight mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// True when armed.
    pub fn armed(&self) -> bool {
        self.armed
    }

    /// True when ArduCopter would consider itself landed.
    pub fn landed(&self) -> bool {
        self.landed
    }

    /// True position (no GPS error): latitude, longitude and altitude above mean sea level.
    pub fn position(&self) -> GeoPoint {
        let (lat, lon) = self.frame.to_geo(self.body.pos_m[0], self.body.pos_m[1]);
        GeoPoint::new(lat, lon, self.frame.origin().alt_m + self.body.pos_m[2])
    }

    /// Heading, degrees clockwise from north, in [0, 360).
    pub fn heading_deg(&self) -> f64 {
        self.body.yaw_rad.to_degrees().rem_euclid(360.0)
    }

    /// Roll and pitch, radians.
    pub fn roll_pitch_rad(&self) -> (f64, f64) {
        (self.body.roll_rad, self.body.pitch_rad)
    }

    /// Simulated time of the last step, microseconds since boot.
    pub fn boot_time_us(&self) -> u64 {
        self.now_us
    }

    /// Altitude above home, metres.
    pub fn relative_alt_m(&self) -> f64 {
        self.body.pos_m[2] + self.frame.origin().alt_m
            - self.home.map_or(self.frame.origin().alt_m, |h| h.alt_m)
    }

    /// Home, once the EKF has set it.
    pub fn home(&self) -> Option<GeoPoint> {
        self.home
    }

    /// Battery state of charge, 0 to 1.
    pub fn battery_remaining(&self) -> f64 {
        self.battery.remaining()
    }

    /// Battery voltage, volts.
    pub fn battery_voltage_v(&self) -> f64 {
        self.battery.voltage_v
    }

    /// Index of the mission item being flown.
    pub fn mission_index(&self) -> u16 {
        self.auto.index
    }

    /// Fence breach bits (1 altitude, 2 circle, 4 polygon) at the last check.
    pub fn fence_breaches(&self) -> u8 {
        self.breaches
    }

    /// Drain the battery to `remaining` (0 to 1), for failsafe tests.
    pub fn set_battery_remaining(&mut self, remaining: f64) {
        self.battery.consumed_mah = self.battery.capacity_mah * (1.0 - remaining.clamp(0.0, 1.0));
    }

    /// Messages produced since the last call.
    pub fn take_outgoing(&mut self, into: &mut Vec<MavMessage>) {
        into.append(&mut self.out);
    }

    fn text(&mut self, severity: MavSeverity, text: &str) {
        tracing::debug!(sysid = self.sysid, text, "statustext");
        self.out.push(statustext(severity, text));
    }

    fn p(&self, name: &str) -> f64 {
        f64::from(self.params.get(name))
    }

    fn home_en(&self) -> [f64; 2] {
        self.home
            .map_or([0.0, 0.0], |h| self.frame.to_local(h.lat_deg, h.lon_deg))
    }

    /// Height of home above the frame's ground, metres (home may be reset anywhere on arming).
    fn home_up_m(&self) -> f64 {
        self.home
            .map_or(0.0, |h| h.alt_m - self.frame.origin().alt_m)
    }

    fn wp_speed_mps(&self) -> f64 {
        self.speed_override_mps
            .unwrap_or(self.p("WPNAV_SPEED") / 100.0)
            .max(0.2)
    }

    fn climb_mps(&self) -> f64 {
        (self.p("WPNAV_SPEED_UP") / 100.0).max(0.1)
    }

    fn descent_mps(&self) -> f64 {
        (self.p("WPNAV_SPEED_DN") / 100.0).max(0.1)
    }

    fn position_setpoint(&self, pos_m: [f64; 3], speed_mps: f64) -> Setpoint {
        Setpoint::Position {
            pos_m,
            speed_mps,
            climb_mps: self.climb_mps(),
            descent_mps: self.descent_mps(),
        }
    }

    /// Local position of a MAVLink location; lat/lon 0 means "here", altitude per frame.
    fn local_of(&self, lat_e7: i32, lon_e7: i32, z: f32, frame: MavFrame) -> [f64; 3] {
        let en = if lat_e7 == 0 && lon_e7 == 0 {
            [self.body.pos_m[0], self.body.pos_m[1]]
        } else {
            self.frame.to_local(e7_to_deg(lat_e7), e7_to_deg(lon_e7))
        };
        let up = match frame {
            MavFrame::MAV_FRAME_GLOBAL | MavFrame::MAV_FRAME_GLOBAL_INT => {
                f64::from(z) - self.frame.origin().alt_m
            }
            _ => f64::from(z) + self.home_up_m(),
        };
        [en[0], en[1], up]
    }

    // ------------------------------------------------------------------------------------------
    // Time.

    /// Advance the vehicle by `dt_s` (the simulator keeps each step at most 20 ms).
    pub fn step(&mut self, now_us: u64, dt_s: f64) {
        self.now_us = now_us;
        let t_s = now_us as f64 * 1e-6;

        // Sensors settle.
        if !self.gps_fix && t_s >= self.cfg.gps_fix_s {
            self.gps_fix = true;
        }
        if !self.ekf_ok && self.gps_fix && t_s >= self.cfg.ekf_settle_s {
            self.ekf_ok = true;
            self.text(MavSeverity::MAV_SEVERITY_INFO, "EKF3 IMU0 is using GPS");
            self.text(MavSeverity::MAV_SEVERITY_INFO, "EKF3 IMU0 origin set");
            self.set_home_here();
        }

        // Flight control and the airframe.
        let setpoint = self.control();
        self.wind_now = self.wind.step(&mut self.rng, dt_s);
        let gust = self.wind.gust_mps();
        let residual = [0.15 * gust[0], 0.15 * gust[1], 0.05 * gust[2]];
        self.body
            .step(&setpoint, &self.cfg.limits, self.wind_now, residual, dt_s);
        self.gps.step(&mut self.rng, dt_s);
        self.detect_landing();

        // Battery.
        let flying = self.armed && !self.landed;
        let air = [
            self.body.vel_mps[0] - self.wind_now[0],
            self.body.vel_mps[1] - self.wind_now[1],
        ];
        let current = Battery::current_for(
            self.armed,
            flying,
            air[0].hypot(air[1]),
            self.body.vel_mps[2],
        );
        self.battery.capacity_mah = self.p("BATT_CAPACITY").max(1.0);
        self.battery.step(current, dt_s);
        self.throttle_pct = if flying {
            (current / 30.0 * 100.0).min(100.0)
        } else {
            0.0
        };

        // Checks ArduCopter runs at 10 Hz.
        if now_us >= self.next_slow_us {
            self.next_slow_us = now_us + 100_000;
            self.check_fence();
            self.check_gcs_failsafe();
            self.check_battery_failsafe();
            self.check_auto_disarm();
            self.prearm_reminder();
            self.record_breadcrumb();
        }

        // Mission protocol timers.
        let home = self.home;
        let current = self.auto.index;
        let running = self.mission_running();
        let mut ctx = Context {
            now_us,
            home,
            current_nav_index: current,
            mission_running: running,
            out: &mut self.out,
        };
        if let Some(event) = self.store.update(&mut ctx) {
            self.on_store_event(event);
        }

        // Telemetry.
        if now_us >= self.next_heartbeat_us {
            self.next_heartbeat_us = now_us + 1_000_000;
            let hb = self.heartbeat();
            self.out.push(hb);
        }
        let mut due = std::mem::take(&mut self.due);
        due.clear();
        self.telemetry.due(now_us, &mut due);
        for &msg_id in &due {
            if let Some(m) = self.build(msg_id) {
                self.out.push(m);
            }
        }
        self.due = due;
    }

    fn set_home_here(&mut self) {
        let mut here = self.position();
        here.alt_m = self.frame.origin().alt_m + self.body.pos_m[2];
        self.home = Some(here);
        if let Some(m) = self.build(id::HOME_POSITION) {
            self.out.push(m);
        }
    }

    fn mission_running(&self) -> bool {
        self.mode == Mode::Auto && self.auto.running
    }

    fn detect_landing(&mut self) {
        if !self.armed {
            self.landed = true;
            return;
        }
        if self.landed {
            return;
        }
        if self.body.on_ground {
            self.landed = true;
            self.landed_since_us = Some(self.now_us);
            let auto_land = matches!(self.mode, Mode::Land | Mode::Rtl | Mode::SmartRtl)
                || (self.mode == Mode::Auto && matches!(self.nav, Nav::Land { .. } | Nav::Rtl));
            if auto_land {
                if self.mode == Mode::Auto {
                    self.nav_complete();
                }
                self.disarm("Disarming: landed");
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Flight control per mode.

    fn control(&mut self) -> Setpoint {
        if !self.armed {
            return Setpoint::Ground;
        }
        let here = self.body.pos_m;
        match self.mode {
            Mode::Stabilize
            | Mode::Acro
            | Mode::AltHold
            | Mode::Loiter
            | Mode::PosHold
            | Mode::Circle
            | Mode::Brake => {
                if self.landed {
                    Setpoint::Ground
                } else {
                    self.position_setpoint(self.hold_m, self.wp_speed_mps())
                }
            }
            Mode::Guided => match self.guided {
                Guided::Takeoff { alt_m } => {
                    self.landed = false;
                    if here[2] >= alt_m - 0.3 {
                        self.guided = Guided::Position {
                            pos_m: [here[0], here[1], alt_m],
                        };
                    }
                    self.position_setpoint(
                        [self.hold_m[0], self.hold_m[1], alt_m],
                        self.wp_speed_mps(),
                    )
                }
                _ if self.landed => Setpoint::Ground,
                Guided::Hold => self.position_setpoint(self.hold_m, self.wp_speed_mps()),
                Guided::Position { pos_m } => self.position_setpoint(pos_m, self.wp_speed_mps()),
                Guided::Velocity { vel_mps, until_us } => {
                    if self.now_us > until_us {
                        self.hold_m = here;
                        self.guided = Guided::Hold;
                    }
                    Setpoint::Velocity { vel_mps }
                }
            },
            Mode::Rtl => {
                if self.landed {
                    Setpoint::Ground
                } else {
                    self.rtl_control()
                }
            }
            Mode::SmartRtl => {
                if self.landed {
                    Setpoint::Ground
                } else {
                    self.smart_rtl_control()
                }
            }
            Mode::Land => {
                if self.landed {
                    Setpoint::Ground
                } else {
                    self.descend_at(self.land_en)
                }
            }
            Mode::Auto => self.auto_control(),
        }
    }

    fn descend_at(&self, en_m: [f64; 2]) -> Setpoint {
        let above_home = self.body.pos_m[2] - self.home_up_m();
        let slow_below_m = self.p("LAND_ALT_LOW") / 100.0;
        let high = self.p("LAND_SPEED_HIGH");
        let high_mps = if high > 0.0 {
            high / 100.0
        } else {
            self.descent_mps()
        };
        let rate = if above_home > slow_below_m {
            high_mps
        } else {
            self.p("LAND_SPEED") / 100.0
        };
        Setpoint::Descend {
            en_m,
            rate_mps: rate.max(0.1),
        }
    }

    fn rtl_alt_m(&self) -> f64 {
        (self.p("RTL_ALT") / 100.0).max(self.body.pos_m[2] - self.home_up_m()) + self.home_up_m()
    }

    fn rtl_control(&mut self) -> Setpoint {
        let here = self.body.pos_m;
        let home = self.home_en();
        let speed = {
            let s = self.p("RTL_SPEED");
            if s > 0.0 {
                s / 100.0
            } else {
                self.p("WPNAV_SPEED") / 100.0
            }
        };
        loop {
            match self.rtl {
                RtlPhase::Climb => {
                    let alt = self.rtl_alt_m();
                    if here[2] >= alt - 0.5 {
                        self.rtl = RtlPhase::Return;
                        self.hold_m = [home[0], home[1], alt];
                        continue;
                    }
                    return self.position_setpoint([self.hold_m[0], self.hold_m[1], alt], speed);
                }
                RtlPhase::Return => {
                    if dist2([here[0], here[1]], home) < 2.0
                        && (here[2] - self.hold_m[2]).abs() < 1.0
                    {
                        self.rtl = RtlPhase::Loiter {
                            since_us: self.now_us,
                        };
                        continue;
                    }
                    return self.position_setpoint(self.hold_m, speed);
                }
                RtlPhase::Loiter { since_us } => {
                    if self.now_us.saturating_sub(since_us) as f64
                        >= self.p("RTL_LOIT_TIME") * 1000.0
                    {
                        self.rtl = RtlPhase::Land;
                        continue;
                    }
                    return self.position_setpoint(self.hold_m, speed);
                }
                RtlPhase::Land => return self.descend_at(home),
            }
        }
    }

    /// SMART_RTL's path: a point every 3 m flown (at most 300), as ArduCopter's SRTL_POINTS.
    fn record_breadcrumb(&mut self) {
        let recording = self.armed
            && !self.landed
            && !matches!(self.mode, Mode::SmartRtl | Mode::Rtl | Mode::Land);
        if !recording {
            return;
        }
        let here = self.body.pos_m;
        let far = self
            .breadcrumbs
            .last()
            .is_none_or(|p| (p[0] - here[0]).hypot(p[1] - here[1]).hypot(p[2] - here[2]) >= 3.0);
        if far {
            self.breadcrumbs.push(here);
            if self.breadcrumbs.len() > 300 {
                self.breadcrumbs.remove(1);
            }
        }
    }

    /// Back along the recorded path, then land where the path began.
    fn smart_rtl_control(&mut self) -> Setpoint {
        let here = self.body.pos_m;
        let dist3 = |a: [f64; 3], b: [f64; 3]| (a[0] - b[0]).hypot(a[1] - b[1]).hypot(a[2] - b[2]);
        while self.srtl_path.len() > 1
            && self.srtl_path.last().is_some_and(|&p| dist3(p, here) < 2.0)
        {
            self.srtl_path.pop();
        }
        let Some(&p) = self.srtl_path.last() else {
            return self.descend_at(self.home_en());
        };
        if self.srtl_path.len() == 1 {
            // Over the start: hold height, then land there.
            return if dist2([p[0], p[1]], [here[0], here[1]]) > 1.0 {
                self.position_setpoint([p[0], p[1], here[2]], self.wp_speed_mps())
            } else {
                self.descend_at([p[0], p[1]])
            };
        }
        // Follow the path at a speed that can still slow down for its next corner (a turn of
        // more than 20 degrees) or its end.
        let d = dist3(p, here).max(1e-6);
        let heading = [
            (p[0] - here[0]) / d,
            (p[1] - here[1]) / d,
            (p[2] - here[2]) / d,
        ];
        let mut rest = 0.0;
        for w in self.srtl_path.windows(2).rev() {
            let (from, to) = (w[1], w[0]);
            let len = dist3(from, to);
            if len < 1e-6 {
                continue;
            }
            let cos = ((to[0] - from[0]) * heading[0]
                + (to[1] - from[1]) * heading[1]
                + (to[2] - from[2]) * heading[2])
                / len;
            if cos < 20f64.to_radians().cos() {
                break;
            }
            rest += len;
        }
        let accel = self.cfg.limits.accel_mps2;
        let speed = (self.p("WPNAV_SPEED") / 100.0).min((2.0 * accel * 0.8 * (d + rest)).sqrt());
        let vel_mps = [
            (p[0] - here[0]) / d * speed,
            (p[1] - here[1]) / d * speed,
            (p[2] - here[2]) / d * speed,
        ];
        Setpoint::Velocity { vel_mps }
    }

    fn start_rtl(&mut self) {
        self.rtl = RtlPhase::Climb;
        self.hold_m = self.body.pos_m;
    }

    // ------------------------------------------------------------------------------------------
    // AUTO.

    fn auto_control(&mut self) -> Setpoint {
        let here = self.body.pos_m;
        if !self.auto.running && self.auto.complete {
            return if self.landed {
                Setpoint::Ground
            } else {
                self.position_setpoint(self.hold_m, self.wp_speed_mps())
            };
        }
        match self.nav {
            Nav::None => {
                if self.landed {
                    Setpoint::Ground
                } else {
                    self.position_setpoint(self.hold_m, self.wp_speed_mps())
                }
            }
            Nav::Takeoff { alt_m } => {
                self.landed = false;
                if here[2] >= alt_m - 0.3 {
                    self.hold_m = [here[0], here[1], alt_m];
                    self.nav_complete();
                }
                self.position_setpoint([self.hold_m[0], self.hold_m[1], alt_m], self.wp_speed_mps())
            }
            Nav::Waypoint {
                pos_m,
                hold_s,
                arrived_us,
            } => {
                let radius = (self.p("WPNAV_RADIUS") / 100.0).max(0.05);
                let d = dist2([here[0], here[1]], [pos_m[0], pos_m[1]]).hypot(here[2] - pos_m[2]);
                match arrived_us {
                    None if d <= radius => {
                        self.nav = Nav::Waypoint {
                            pos_m,
                            hold_s,
                            arrived_us: Some(self.now_us),
                        };
                        if hold_s <= 0.0 {
                            self.hold_m = pos_m;
                            self.nav_complete();
                        }
                    }
                    Some(t) if self.now_us.saturating_sub(t) as f64 >= hold_s * 1e6 => {
                        self.hold_m = pos_m;
                        self.nav_complete();
                    }
                    _ => {}
                }
                self.position_setpoint(pos_m, self.wp_speed_mps())
            }
            Nav::LoiterUnlim { pos_m } => self.position_setpoint(pos_m, self.wp_speed_mps()),
            Nav::Land { en_m, alt_m } => {
                if dist2([here[0], here[1]], en_m) > 1.0 && !self.landed {
                    self.position_setpoint([en_m[0], en_m[1], alt_m], self.wp_speed_mps())
                } else if self.landed {
                    Setpoint::Ground
                } else {
                    self.descend_at(en_m)
                }
            }
            Nav::Rtl => {
                if self.landed {
                    Setpoint::Ground
                } else {
                    self.rtl_control()
                }
            }
            Nav::Hold { pos_m } => {
                if self.landed {
                    Setpoint::Ground
                } else {
                    self.position_setpoint(pos_m, self.wp_speed_mps())
                }
            }
        }
    }

    /// The current nav item is done: report it and load the next.
    fn nav_complete(&mut self) {
        let index = self.auto.index;
        self.out.push(MavMessage::MISSION_ITEM_REACHED(
            MISSION_ITEM_REACHED_DATA { seq: index },
        ));
        self.nav = Nav::None;
        self.auto_load(index + 1);
    }

    /// ArduPilot's start_or_resume.
    fn auto_start_or_resume(&mut self) {
        let restart = self.p("MIS_RESTART") >= 1.0;
        if restart || self.auto.complete || self.auto.index == 0 {
            self.auto.jumps.clear();
            self.auto.complete = false;
            self.speed_override_mps = None;
            self.auto_load(1);
        } else {
            let index = self.auto.index;
            self.auto_load(index);
        }
    }

    fn mission_text(&mut self, index: u16, what: &str) {
        self.text(
            MavSeverity::MAV_SEVERITY_INFO,
            &format!("Mission: {index} {what}"),
        );
    }

    /// Run do-commands and jumps from `index` until a navigation command starts or the mission
    /// ends.
    fn auto_load(&mut self, mut index: u16) {
        self.auto.running = true;
        let here = self.body.pos_m;
        for _ in 0..1000 {
            let Some(item) = self.store.mission.get(usize::from(index)).cloned() else {
                break;
            };
            match item.command {
                MavCmd::MAV_CMD_DO_JUMP => {
                    let repeat = item.param2 as i32;
                    let done = self.auto.jumps.entry(index).or_insert(0);
                    if repeat < 0 || *done < repeat {
                        *done += 1;
                        index = item.param1 as u16;
                    } else {
                        index += 1;
                    }
                    continue;
                }
                MavCmd::MAV_CMD_DO_CHANGE_SPEED => {
                    if item.param2 > 0.0 {
                        self.speed_override_mps = Some(f64::from(item.param2));
                    }
                    self.mission_text(index, "ChangeSpeed");
                    self.out.push(MavMessage::MISSION_ITEM_REACHED(
                        MISSION_ITEM_REACHED_DATA { seq: index },
                    ));
                    index += 1;
                    continue;
                }
                cmd if !mission::is_nav(cmd) => {
                    self.out.push(MavMessage::MISSION_ITEM_REACHED(
                        MISSION_ITEM_REACHED_DATA { seq: index },
                    ));
                    index += 1;
                    continue;
                }
                _ => {}
            }

            // A navigation command.
            self.auto.index = index;
            let target = self.local_of(item.x, item.y, item.z, item.frame);
            let (nav, name) = match item.command {
                MavCmd::MAV_CMD_NAV_TAKEOFF => (
                    Nav::Takeoff {
                        alt_m: (f64::from(item.z) + self.home_up_m()).max(here[2]),
                    },
                    "Takeoff",
                ),
                MavCmd::MAV_CMD_NAV_WAYPOINT | MavCmd::MAV_CMD_NAV_SPLINE_WAYPOINT => (
                    Nav::Waypoint {
                        pos_m: target,
                        hold_s: f64::from(item.param1),
                        arrived_us: None,
                    },
                    "WP",
                ),
                MavCmd::MAV_CMD_NAV_LOITER_TIME => (
                    Nav::Waypoint {
                        pos_m: target,
                        hold_s: f64::from(item.param1),
                        arrived_us: None,
                    },
                    "LoitTime",
                ),
                MavCmd::MAV_CMD_NAV_LOITER_TURNS => {
                    let radius = f64::from(item.param3).max(1.0);
                    let secs = f64::from(item.param1) * std::f64::consts::TAU * radius / 5.0;
                    (
                        Nav::Waypoint {
                            pos_m: target,
                            hold_s: secs,
                            arrived_us: None,
                        },
                        "LoitTurns",
                    )
                }
                MavCmd::MAV_CMD_NAV_DELAY => (
                    Nav::Waypoint {
                        pos_m: here,
                        hold_s: f64::from(item.param1),
                        arrived_us: None,
                    },
                    "Delay",
                ),
                MavCmd::MAV_CMD_NAV_LOITER_UNLIM | MavCmd::MAV_CMD_NAV_LOITER_TO_ALT => {
                    (Nav::LoiterUnlim { pos_m: target }, "LoitUnlim")
                }
                MavCmd::MAV_CMD_NAV_RETURN_TO_LAUNCH => {
                    self.start_rtl();
                    (Nav::Rtl, "RTL")
                }
                MavCmd::MAV_CMD_NAV_LAND => {
                    let en = if item.x == 0 && item.y == 0 {
                        [here[0], here[1]]
                    } else {
                        [target[0], target[1]]
                    };
                    (
                        Nav::Land {
                            en_m: en,
                            alt_m: here[2],
                        },
                        "Land",
                    )
                }
                _ => (
                    Nav::Waypoint {
                        pos_m: target,
                        hold_s: 0.0,
                        arrived_us: None,
                    },
                    "WP",
                ),
            };
            self.nav = nav;
            self.mission_text(index, name);
            if let Some(m) = self.build(id::MISSION_CURRENT) {
                self.out.push(m);
            }
            return;
        }

        // End of the mission: hold where it is, or disarm if on the ground.
        self.auto.running = false;
        self.auto.complete = true;
        self.nav = Nav::Hold { pos_m: here };
        self.hold_m = here;
        if let Some(m) = self.build(id::MISSION_CURRENT) {
            self.out.push(m);
        }
        if self.armed && self.landed {
            self.disarm("Disarming: mission complete");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Modes, arming.

    /// Change mode as ArduCopter would; Err carries the reason it refuses.
    fn set_mode(&mut self, mode: Mode) -> Result<(), String> {
        if mode.requires_position() && !self.ekf_ok {
            return Err(format!(
                "Mode change to {} failed: requires position",
                mode.name()
            ));
        }
        if mode == Mode::Auto {
            if self.store.mission.len() < 2 {
                return Err("Mode change to AUTO failed: no mission".into());
            }
            let first_nav = self
                .store
                .mission
                .iter()
                .skip(1)
                .find(|i| mission::is_nav(i.command));
            if self.armed
                && self.landed
                && !first_nav.is_some_and(|i| i.command == MavCmd::MAV_CMD_NAV_TAKEOFF)
            {
                self.text(
                    MavSeverity::MAV_SEVERITY_CRITICAL,
                    "Auto: Missing Takeoff Cmd",
                );
                return Err("Mode change to AUTO failed: Missing Takeoff Cmd".into());
            }
        }
        if mode == Mode::SmartRtl && (!self.armed || self.landed || self.breadcrumbs.is_empty()) {
            return Err("Mode change to SMART_RTL failed: no path".into());
        }
        if matches!(mode, Mode::Rtl | Mode::SmartRtl) && self.home.is_none() {
            return Err(format!(
                "Mode change to {} failed: home not set",
                mode.name()
            ));
        }
        let here = self.body.pos_m;
        self.hold_m = here;
        match mode {
            Mode::Guided => self.guided = Guided::Hold,
            Mode::Rtl => self.start_rtl(),
            Mode::SmartRtl => self.srtl_path = self.breadcrumbs.clone(),
            Mode::Land => self.land_en = [here[0], here[1]],
            _ => {}
        }
        let was_auto = self.mode == Mode::Auto;
        self.mode = mode;
        if mode == Mode::Auto {
            self.auto_start_or_resume();
        } else if was_auto {
            self.auto.running = false;
            self.nav = Nav::None;
        }
        tracing::info!(sysid = self.sysid, mode = mode.name(), "mode changed");
        Ok(())
    }

    fn set_mode_or_land(&mut self, mode: Mode) {
        if self.mode == mode {
            return;
        }
        if self.set_mode(mode).is_err() {
            let _ = self.set_mode(Mode::Land);
        }
    }

    /// The first failing arming check, in ArduCopter's words.
    fn arming_failure(&self) -> Option<String> {
        if !self.mode.armable() {
            return Some("Arm: Mode not armable".into());
        }
        let fence_on = self.p("FENCE_ENABLE") >= 1.0;
        if self.p("ARMING_CHECK") == 0.0 {
            return None;
        }
        let needs_position = self.mode.requires_position() || fence_on;
        if needs_position && !self.gps_fix {
            return Some("PreArm: GPS 1: Bad fix".into());
        }
        if needs_position && (!self.ekf_ok || self.home.is_none()) {
            return Some("PreArm: Need Position Estimate".into());
        }
        if fence_on {
            let b = self.fence_breach_bits();
            if b & FENCE_POLYGON != 0 {
                return Some("PreArm: Vehicle breaching Polygon fence".into());
            }
            if b & FENCE_CIRCLE != 0 {
                return Some("PreArm: Vehicle breaching Circle fence".into());
            }
        }
        if self.batt_state > 0 || self.battery.voltage_v < self.p("BATT_LOW_VOLT") {
            return Some("PreArm: Battery 1 low voltage failsafe".into());
        }
        None
    }

    fn arm(&mut self, force: bool) -> Result<(), String> {
        if self.armed {
            return Ok(());
        }
        if !force && let Some(reason) = self.arming_failure() {
            return Err(reason);
        }
        self.armed = true;
        self.landed = true;
        self.landed_since_us = Some(self.now_us);
        self.hold_m = self.body.pos_m;
        self.guided = Guided::Hold;
        self.breadcrumbs = vec![self.body.pos_m];
        // ArduCopter resets home to where it arms.
        if self.ekf_ok {
            self.set_home_here();
        }
        tracing::info!(sysid = self.sysid, "armed");
        Ok(())
    }

    fn disarm(&mut self, why: &str) {
        if !self.armed {
            return;
        }
        self.armed = false;
        self.landed = true;
        self.gcs_failsafe = false;
        tracing::info!(sysid = self.sysid, why, "disarmed");
    }

    fn check_auto_disarm(&mut self) {
        let immediate = matches!(self.mode, Mode::Land | Mode::Rtl | Mode::SmartRtl);
        if !self.armed || !self.landed || immediate {
            self.landed_since_us = None;
            return;
        }
        let taking_off = (self.mode == Mode::Guided
            && matches!(self.guided, Guided::Takeoff { .. }))
            || (self.mode == Mode::Auto && matches!(self.nav, Nav::Takeoff { .. }));
        if taking_off {
            self.landed_since_us = None;
            return;
        }
        let since = *self.landed_since_us.get_or_insert(self.now_us);
        let delay = self.p("DISARM_DELAY");
        if delay > 0.0 && self.now_us.saturating_sub(since) as f64 >= delay * 1e6 {
            self.disarm("Disarming: auto-disarm");
        }
    }

    fn prearm_reminder(&mut self) {
        if self.armed || self.now_us < self.next_prearm_text_us {
            return;
        }
        self.next_prearm_text_us = self.now_us + 30_000_000;
        if let Some(reason) = self.arming_failure().filter(|r| r.starts_with("PreArm")) {
            self.text(MavSeverity::MAV_SEVERITY_CRITICAL, &reason);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Fence.

    fn rebuild_fence(&mut self) {
        let mut shapes = FenceShapes::default();
        let items = &self.store.fence;
        let mut i = 0;
        while i < items.len() {
            let item = &items[i];
            let en = self.frame.to_local(e7_to_deg(item.x), e7_to_deg(item.y));
            match item.command {
                MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION
                | MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION => {
                    let n = (item.param1 as usize).max(1).min(items.len() - i);
                    let poly: Vec<[f64; 2]> = items[i..i + n]
                        .iter()
                        .map(|v| self.frame.to_local(e7_to_deg(v.x), e7_to_deg(v.y)))
                        .collect();
                    if item.command == MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION {
                        shapes.inclusion_polygons.push(poly);
                    } else {
                        shapes.exclusion_polygons.push(poly);
                    }
                    i += n;
                    continue;
                }
                MavCmd::MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION => {
                    shapes.inclusion_circles.push((en, f64::from(item.param1)));
                }
                MavCmd::MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION => {
                    shapes.exclusion_circles.push((en, f64::from(item.param1)));
                }
                _ => {}
            }
            i += 1;
        }
        self.fence = shapes;
    }

    fn fence_breach_bits(&self) -> u8 {
        let kinds = self.p("FENCE_TYPE") as u8;
        let here = self.body.pos_m;
        let en = [here[0], here[1]];
        let mut bits = 0;
        if kinds & FENCE_ALT != 0 && here[2] - self.home_up_m() > self.p("FENCE_ALT_MAX") {
            bits |= FENCE_ALT;
        }
        if kinds & FENCE_CIRCLE != 0
            && self.home.is_some()
            && dist2(en, self.home_en()) > self.p("FENCE_RADIUS")
        {
            bits |= FENCE_CIRCLE;
        }
        if kinds & FENCE_POLYGON != 0 {
            let f = &self.fence;
            let outside = f.inclusion_polygons.iter().any(|p| !inside_polygon(en, p))
                || f.exclusion_polygons.iter().any(|p| inside_polygon(en, p))
                || f.inclusion_circles.iter().any(|&(c, r)| dist2(en, c) > r)
                || f.exclusion_circles.iter().any(|&(c, r)| dist2(en, c) < r);
            if outside {
                bits |= FENCE_POLYGON;
            }
        }
        bits
    }

    fn check_fence(&mut self) {
        if self.p("FENCE_ENABLE") < 1.0 || !self.armed || !self.ekf_ok {
            if self.breaches != 0 {
                self.breaches = 0;
            }
            return;
        }
        let bits = self.fence_breach_bits();
        let new = bits & !self.breaches;
        let cleared = self.breaches != 0 && bits == 0;
        self.breaches = bits;
        if cleared {
            self.text(MavSeverity::MAV_SEVERITY_INFO, "Fence breach cleared");
        }
        if new == 0 {
            return;
        }
        self.breach_count = self.breach_count.wrapping_add(1);
        self.breach_time_ms = (self.now_us / 1000) as u32;
        let (breach, what) = if new & FENCE_POLYGON != 0 {
            (FenceBreach::FENCE_BREACH_BOUNDARY, "Polygon fence breached")
        } else if new & FENCE_CIRCLE != 0 {
            (FenceBreach::FENCE_BREACH_BOUNDARY, "Circle fence breached")
        } else {
            (FenceBreach::FENCE_BREACH_MAXALT, "Max alt fence breached")
        };
        self.last_breach = breach;
        self.text(MavSeverity::MAV_SEVERITY_CRITICAL, what);
        tracing::info!(sysid = self.sysid, what, "fence breach");
        if let Some(m) = self.build(id::FENCE_STATUS) {
            self.out.push(m);
        }
        let action = self.p("FENCE_ACTION") as i32;
        if action == 0 {
            return;
        }
        if self.landed {
            self.disarm("Disarming: fence breach on the ground");
            return;
        }
        match action {
            2 => self.set_mode_or_land(Mode::Land),
            4 => self.set_mode_or_land(Mode::Brake),
            _ => self.set_mode_or_land(Mode::Rtl),
        }
    }

    // ------------------------------------------------------------------------------------------
    // Failsafes.

    fn check_gcs_failsafe(&mut self) {
        let enabled = self.p("FS_GCS_ENABLE") as i32;
        let Some(last) = self.gcs_heartbeat_us else {
            return;
        };
        if enabled == 0 || !self.armed || self.gcs_failsafe {
            return;
        }
        if (self.now_us.saturating_sub(last) as f64) < self.p("FS_GCS_TIMEOUT") * 1e6 {
            return;
        }
        self.gcs_failsafe = true;
        if self.landed {
            self.text(
                MavSeverity::MAV_SEVERITY_CRITICAL,
                "GCS Failsafe On: Disarming",
            );
            self.disarm("GCS failsafe on the ground");
            return;
        }
        if matches!(self.mode, Mode::Rtl | Mode::Land | Mode::SmartRtl) {
            self.text(MavSeverity::MAV_SEVERITY_CRITICAL, "GCS Failsafe On");
            return;
        }
        match enabled {
            2 if self.mode == Mode::Auto => {
                self.text(
                    MavSeverity::MAV_SEVERITY_CRITICAL,
                    "GCS Failsafe On: Continuing Auto",
                );
            }
            5 => {
                self.text(MavSeverity::MAV_SEVERITY_CRITICAL, "GCS Failsafe On: Land");
                self.set_mode_or_land(Mode::Land);
            }
            _ => {
                self.text(MavSeverity::MAV_SEVERITY_CRITICAL, "GCS Failsafe On: RTL");
                self.set_mode_or_land(Mode::Rtl);
            }
        }
    }

    fn check_battery_failsafe(&mut self) {
        let v = self.battery.voltage_v;
        let remaining_mah = self.battery.capacity_mah - self.battery.consumed_mah;
        let low_v = self.p("BATT_LOW_VOLT");
        let crit_v = self.p("BATT_CRT_VOLT");
        let low_mah = self.p("BATT_LOW_MAH");
        let crit_mah = self.p("BATT_CRT_MAH");
        let timer_us = (self.p("BATT_LOW_TIMER").max(0.0) * 1e6) as u64;
        let low = (low_v > 0.0 && v < low_v) || (low_mah > 0.0 && remaining_mah < low_mah);
        let crit = (crit_v > 0.0 && v < crit_v) || (crit_mah > 0.0 && remaining_mah < crit_mah);
        let now = self.now_us;
        let held = |since: &mut Option<u64>, cond: bool| -> bool {
            if !cond {
                *since = None;
                return false;
            }
            now.saturating_sub(*since.get_or_insert(now)) >= timer_us
        };
        let crit_held = held(&mut self.batt_crit_since_us, crit);
        let low_held = held(&mut self.batt_low_since_us, low);
        let (level, name, action) = if crit_held && self.batt_state < 2 {
            (2, "critical", self.p("BATT_FS_CRT_ACT") as i32)
        } else if low_held && self.batt_state < 1 {
            (1, "low", self.p("BATT_FS_LOW_ACT") as i32)
        } else {
            return;
        };
        self.batt_state = level;
        let used = self.battery.consumed_mah;
        self.text(
            MavSeverity::MAV_SEVERITY_CRITICAL,
            &format!("Battery 1 is {name} {v:.2}V used {used:.0} mAh"),
        );
        if !self.armed || action == 0 {
            return;
        }
        if self.landed {
            self.disarm("battery failsafe on the ground");
            return;
        }
        match action {
            1 => self.set_mode_or_land(Mode::Land),
            5 => self.disarm("battery failsafe: terminate"),
            7 => self.set_mode_or_land(Mode::Brake),
            _ => {
                if !matches!(self.mode, Mode::Land) {
                    self.set_mode_or_land(Mode::Rtl)
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Incoming messages.

    /// Handle one message addressed to this vehicle (or broadcast). `mavlink1` says whether it
    /// arrived in a MAVLink 1 frame.
    pub fn handle(&mut self, peer: Peer, mavlink1: bool, msg: &MavMessage) {
        match msg {
            MavMessage::HEARTBEAT(hb)
                if hb.mavtype == MavType::MAV_TYPE_GCS
                    && f32::from(peer.sysid) == self.params.get("SYSID_MYGCS") =>
            {
                self.gcs_heartbeat_us = Some(self.now_us);
                if self.gcs_failsafe {
                    self.gcs_failsafe = false;
                    self.text(MavSeverity::MAV_SEVERITY_CRITICAL, "GCS Failsafe Cleared");
                }
            }
            MavMessage::COMMAND_LONG(c) => {
                let cmd = Command {
                    command: c.command,
                    p: [c.param1, c.param2, c.param3, c.param4],
                    lat_deg: f64::from(c.param5),
                    lon_deg: f64::from(c.param6),
                    z: c.param7,
                    frame: MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
                };
                self.command(peer, cmd);
            }
            MavMessage::COMMAND_INT(c) => {
                let cmd = Command {
                    command: c.command,
                    p: [c.param1, c.param2, c.param3, c.param4],
                    lat_deg: e7_to_deg(c.x),
                    lon_deg: e7_to_deg(c.y),
                    z: c.z,
                    frame: c.frame,
                };
                self.command(peer, cmd);
            }
            MavMessage::SET_MODE(m) => {
                let result = match Mode::from_number(m.custom_mode) {
                    Some(mode) => self.mode_result(mode),
                    None => MavResult::MAV_RESULT_UNSUPPORTED,
                };
                // ArduPilot acknowledges SET_MODE with the message id (11) as the command; the
                // dialect's MAV_CMD has no 11, so DO_SET_MODE is reported instead.
                self.ack(peer, MavCmd::MAV_CMD_DO_SET_MODE, result);
            }
            MavMessage::SET_POSITION_TARGET_GLOBAL_INT(t) => self.position_target(t),
            MavMessage::REQUEST_DATA_STREAM(r) => {
                self.telemetry.request_stream(
                    r.req_stream_id,
                    r.req_message_rate,
                    r.start_stop != 0,
                    self.now_us,
                );
            }
            MavMessage::PARAM_REQUEST_LIST(_) => {
                self.text(
                    MavSeverity::MAV_SEVERITY_INFO,
                    "ArduCopter V4.7.0-dev (vigil-sim)",
                );
                self.text(MavSeverity::MAV_SEVERITY_INFO, "Frame: QUAD/X");
                for i in 0..self.params.len() {
                    self.param_value(i);
                }
            }
            MavMessage::PARAM_REQUEST_READ(r) => {
                let index = if r.param_index >= 0 {
                    Some(r.param_index as usize).filter(|&i| i < self.params.len())
                } else {
                    r.param_id
                        .to_str()
                        .ok()
                        .and_then(|n| self.params.index_of(n))
                };
                if let Some(i) = index {
                    self.param_value(i);
                }
            }
            MavMessage::PARAM_SET(s) => {
                let Ok(name) = s.param_id.to_str() else {
                    return;
                };
                let name = name.to_owned();
                if name == "MIS_TOTAL" || !s.param_value.is_finite() {
                    // Read-only or nonsense: answer with the value kept.
                    if let Some(i) = self.params.index_of(&name) {
                        self.param_value(i);
                    }
                    return;
                }
                if let Some(i) = self.params.set(&name, s.param_value) {
                    self.param_value(i);
                }
            }
            MavMessage::MISSION_COUNT(c) => {
                if let Some(e) =
                    self.with_store(|store, ctx| store.handle_count(peer, mavlink1, c, ctx))
                {
                    self.on_store_event(e);
                }
            }
            MavMessage::MISSION_ITEM_INT(item) => {
                if let Some(e) = self.with_store(|store, ctx| store.handle_item(peer, item, ctx)) {
                    self.on_store_event(e);
                }
            }
            MavMessage::MISSION_ITEM(item) => {
                let item = mission::item_from_float(item);
                if let Some(e) = self.with_store(|store, ctx| store.handle_item(peer, &item, ctx)) {
                    self.on_store_event(e);
                }
            }
            MavMessage::MISSION_REQUEST_LIST(r) => {
                self.with_store(|store, ctx| {
                    store.handle_request_list(peer, r.mission_type, ctx);
                    None
                });
            }
            MavMessage::MISSION_REQUEST_INT(r) => {
                self.with_store(|store, ctx| {
                    store.handle_request(peer, r.seq, r.mission_type, true, ctx);
                    None
                });
            }
            MavMessage::MISSION_REQUEST(r) => {
                self.with_store(|store, ctx| {
                    store.handle_request(peer, r.seq, r.mission_type, false, ctx);
                    None
                });
            }
            MavMessage::MISSION_CLEAR_ALL(c) => {
                if let Some(e) =
                    self.with_store(|store, ctx| store.handle_clear_all(peer, c.mission_type, ctx))
                {
                    self.on_store_event(e);
                }
            }
            MavMessage::TIMESYNC(t) if t.tc1 == 0 => {
                // ArduPilot answers a time-sync request with its own clock in nanoseconds.
                self.out.push(MavMessage::TIMESYNC(
                    mavlink::dialects::ardupilotmega::TIMESYNC_DATA {
                        tc1: (self.now_us * 1000) as i64,
                        ts1: t.ts1,
                        target_system: peer.sysid,
                        target_component: peer.compid,
                    },
                ));
            }
            MavMessage::MISSION_SET_CURRENT(s) => {
                self.set_current(s.seq);
            }
            _ => {}
        }
    }

    fn with_store<F>(&mut self, f: F) -> Option<mission::Event>
    where
        F: FnOnce(&mut MissionStore, &mut Context<'_>) -> Option<mission::Event>,
    {
        let running = self.mission_running();
        let mut ctx = Context {
            now_us: self.now_us,
            home: self.home,
            current_nav_index: self.auto.index,
            mission_running: running,
            out: &mut self.out,
        };
        f(&mut self.store, &mut ctx)
    }

    fn on_store_event(&mut self, event: mission::Event) {
        match event {
            mission::Event::Uploaded(MavMissionType::MAV_MISSION_TYPE_FENCE)
            | mission::Event::Cleared(_) => self.rebuild_fence(),
            _ => {}
        }
        let total = self.store.mission.len() as f32;
        self.params.set("MIS_TOTAL", total);
    }

    fn set_current(&mut self, seq: u16) -> bool {
        if seq == 0 || usize::from(seq) >= self.store.mission.len() {
            if let Some(m) = self.build(id::MISSION_CURRENT) {
                self.out.push(m);
            }
            return false;
        }
        if self.mission_running() {
            self.nav = Nav::None;
            self.auto_load(seq);
        } else {
            self.auto.index = seq;
            self.auto.complete = false;
            if let Some(m) = self.build(id::MISSION_CURRENT) {
                self.out.push(m);
            }
        }
        true
    }

    fn param_value(&mut self, index: usize) {
        let Some(p) = self.params.at(index).copied() else {
            return;
        };
        self.out.push(MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
            param_value: p.value,
            param_count: self.params.len() as u16,
            param_index: index as u16,
            param_id: p.name.into(),
            param_type: p.kind,
        }));
    }

    fn ack(&mut self, peer: Peer, command: MavCmd, result: MavResult) {
        self.out.push(MavMessage::COMMAND_ACK(COMMAND_ACK_DATA {
            command,
            result,
            progress: 0,
            result_param2: 0,
            target_system: peer.sysid,
            target_component: peer.compid,
        }));
    }

    fn mode_result(&mut self, mode: Mode) -> MavResult {
        if self.mode == mode {
            return MavResult::MAV_RESULT_ACCEPTED;
        }
        match self.set_mode(mode) {
            Ok(()) => MavResult::MAV_RESULT_ACCEPTED,
            Err(reason) => {
                self.text(MavSeverity::MAV_SEVERITY_WARNING, &reason);
                MavResult::MAV_RESULT_FAILED
            }
        }
    }

    fn command(&mut self, peer: Peer, c: Command) {
        let result = self.command_result(&c);
        self.ack(peer, c.command, result);
        // Requested messages follow their acknowledgement, as on ArduPilot.
        let requested = match c.command {
            MavCmd::MAV_CMD_REQUEST_MESSAGE if result == MavResult::MAV_RESULT_ACCEPTED => {
                Some(c.p[0] as u32)
            }
            MavCmd::MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES => Some(id::AUTOPILOT_VERSION),
            MavCmd::MAV_CMD_GET_HOME_POSITION if result == MavResult::MAV_RESULT_ACCEPTED => {
                Some(id::HOME_POSITION)
            }
            MavCmd::MAV_CMD_GET_MESSAGE_INTERVAL => {
                let msg_id = c.p[0] as u32;
                let interval_us = self.telemetry.interval_us(msg_id).map_or(-1, |i| i as i32);
                self.out
                    .push(MavMessage::MESSAGE_INTERVAL(MESSAGE_INTERVAL_DATA {
                        interval_us,
                        message_id: msg_id as u16,
                    }));
                None
            }
            _ => None,
        };
        if let Some(msg_id) = requested
            && let Some(m) = self.build(msg_id)
        {
            self.out.push(m);
        }
    }

    fn command_result(&mut self, c: &Command) -> MavResult {
        use MavResult::*;
        match c.command {
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM => {
                let force = (c.p[1] - 21196.0).abs() < 0.5;
                if c.p[0] >= 0.5 {
                    match self.arm(force) {
                        Ok(()) => MAV_RESULT_ACCEPTED,
                        Err(reason) => {
                            self.text(MavSeverity::MAV_SEVERITY_CRITICAL, &reason);
                            MAV_RESULT_FAILED
                        }
                    }
                } else if !self.armed {
                    MAV_RESULT_ACCEPTED
                } else if self.landed || force {
                    self.disarm("Disarming: command");
                    MAV_RESULT_ACCEPTED
                } else {
                    MAV_RESULT_FAILED
                }
            }
            MavCmd::MAV_CMD_DO_SET_MODE => match Mode::from_number(c.p[1] as u32) {
                Some(mode) if (c.p[0] as u32) & 1 != 0 => self.mode_result(mode),
                _ => MAV_RESULT_UNSUPPORTED,
            },
            MavCmd::MAV_CMD_NAV_TAKEOFF => {
                let alt_m = f64::from(c.z);
                let can = self.armed
                    && self.landed
                    && matches!(
                        self.mode,
                        Mode::Guided | Mode::Loiter | Mode::AltHold | Mode::PosHold
                    );
                if !(can && alt_m > 0.0 && alt_m.is_finite()) {
                    return MAV_RESULT_FAILED;
                }
                self.hold_m = self.body.pos_m;
                if self.mode != Mode::Guided {
                    self.mode = Mode::Guided;
                }
                self.guided = Guided::Takeoff {
                    alt_m: alt_m + self.home_up_m(),
                };
                self.landed = false;
                MAV_RESULT_ACCEPTED
            }
            MavCmd::MAV_CMD_MISSION_START => match self.set_mode(Mode::Auto) {
                Ok(()) => {
                    let first = c.p[0] as u16;
                    if first > 0 && usize::from(first) < self.store.mission.len() {
                        self.set_current(first);
                    }
                    MAV_RESULT_ACCEPTED
                }
                Err(reason) => {
                    self.text(MavSeverity::MAV_SEVERITY_WARNING, &reason);
                    MAV_RESULT_FAILED
                }
            },
            MavCmd::MAV_CMD_NAV_RETURN_TO_LAUNCH => self.mode_result(Mode::Rtl),
            MavCmd::MAV_CMD_NAV_LAND => self.mode_result(Mode::Land),
            MavCmd::MAV_CMD_NAV_LOITER_UNLIM => self.mode_result(Mode::Loiter),
            MavCmd::MAV_CMD_DO_REPOSITION => {
                let change_mode = (c.p[1] as i32) & 1 != 0;
                if self.mode != Mode::Guided && !change_mode {
                    return MAV_RESULT_DENIED;
                }
                if !(c.lat_deg.abs() <= 90.0 && c.lon_deg.abs() <= 180.0) {
                    return MAV_RESULT_DENIED;
                }
                if self.mode != Mode::Guided && self.set_mode(Mode::Guided).is_err() {
                    return MAV_RESULT_FAILED;
                }
                if !c.z.is_finite() {
                    return MAV_RESULT_DENIED;
                }
                let pos = self.local_of(deg_to_e7(c.lat_deg), deg_to_e7(c.lon_deg), c.z, c.frame);
                if c.p[0] > 0.0 && c.p[0].is_finite() {
                    self.speed_override_mps = Some(f64::from(c.p[0]));
                }
                self.guided = Guided::Position { pos_m: pos };
                MAV_RESULT_ACCEPTED
            }
            MavCmd::MAV_CMD_DO_CHANGE_SPEED => {
                if c.p[1] > 0.0 && c.p[1].is_finite() {
                    self.speed_override_mps = Some(f64::from(c.p[1]));
                    MAV_RESULT_ACCEPTED
                } else {
                    MAV_RESULT_FAILED
                }
            }
            MavCmd::MAV_CMD_DO_SET_MISSION_CURRENT => {
                if self.set_current(c.p[0] as u16) {
                    MAV_RESULT_ACCEPTED
                } else {
                    MAV_RESULT_DENIED
                }
            }
            MavCmd::MAV_CMD_DO_SET_HOME => {
                if c.p[0] >= 0.5 {
                    if !self.ekf_ok {
                        return MAV_RESULT_FAILED;
                    }
                    self.set_home_here();
                } else {
                    if c.lat_deg == 0.0 && c.lon_deg == 0.0 {
                        return MAV_RESULT_FAILED;
                    }
                    let valid =
                        c.lat_deg.abs() <= 90.0 && c.lon_deg.abs() <= 180.0 && c.z.is_finite();
                    if !valid {
                        return MAV_RESULT_DENIED;
                    }
                    self.home = Some(GeoPoint::new(c.lat_deg, c.lon_deg, f64::from(c.z)));
                    if let Some(m) = self.build(id::HOME_POSITION) {
                        self.out.push(m);
                    }
                }
                MAV_RESULT_ACCEPTED
            }
            MavCmd::MAV_CMD_DO_FENCE_ENABLE => {
                self.params
                    .set("FENCE_ENABLE", if c.p[0] >= 0.5 { 1.0 } else { 0.0 });
                MAV_RESULT_ACCEPTED
            }
            MavCmd::MAV_CMD_SET_MESSAGE_INTERVAL => {
                let msg_id = c.p[0] as u32;
                if !crate::telemetry::schedulable(msg_id) {
                    return MAV_RESULT_FAILED;
                }
                let interval = c.p[1];
                if interval == 0.0 {
                    self.telemetry.set_default_interval(msg_id, self.now_us);
                } else {
                    let interval_us = (interval > 0.0).then_some(interval as u64);
                    self.telemetry
                        .set_interval(msg_id, interval_us, self.now_us);
                }
                MAV_RESULT_ACCEPTED
            }
            MavCmd::MAV_CMD_GET_MESSAGE_INTERVAL => MAV_RESULT_ACCEPTED,
            MavCmd::MAV_CMD_REQUEST_MESSAGE => {
                let msg_id = c.p[0] as u32;
                if self.build(msg_id).is_some() {
                    MAV_RESULT_ACCEPTED
                } else {
                    MAV_RESULT_FAILED
                }
            }
            MavCmd::MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES => MAV_RESULT_ACCEPTED,
            MavCmd::MAV_CMD_GET_HOME_POSITION => {
                if self.home.is_some() {
                    MAV_RESULT_ACCEPTED
                } else {
                    MAV_RESULT_FAILED
                }
            }
            _ => MAV_RESULT_UNSUPPORTED,
        }
    }

    fn position_target(
        &mut self,
        t: &mavlink::dialects::ardupilotmega::SET_POSITION_TARGET_GLOBAL_INT_DATA,
    ) {
        if self.mode != Mode::Guided {
            return;
        }
        let mask = t.type_mask;
        let pos_ignored = mask.contains(PositionTargetTypemask::POSITION_TARGET_TYPEMASK_X_IGNORE)
            || mask.contains(PositionTargetTypemask::POSITION_TARGET_TYPEMASK_Y_IGNORE);
        let vel_ignored = mask.contains(PositionTargetTypemask::POSITION_TARGET_TYPEMASK_VX_IGNORE);
        // ArduPilot ignores targets with NaN or infinite numbers.
        let numbers = [t.alt, t.vx, t.vy, t.vz];
        if numbers.iter().any(|v| !v.is_finite())
            || t.lat_int.unsigned_abs() > 900_000_000
            || t.lon_int.unsigned_abs() > 1_800_000_000
        {
            return;
        }
        if !pos_ignored {
            let mut pos = self.local_of(t.lat_int, t.lon_int, t.alt, t.coordinate_frame);
            if mask.contains(PositionTargetTypemask::POSITION_TARGET_TYPEMASK_Z_IGNORE) {
                pos[2] = self.body.pos_m[2];
            }
            self.guided = Guided::Position { pos_m: pos };
        } else if !vel_ignored {
            // NED in, east-north-up inside; ArduCopter stops after 3 s without an update.
            self.guided = Guided::Velocity {
                vel_mps: [f64::from(t.vy), f64::from(t.vx), -f64::from(t.vz)],
                until_us: self.now_us + 3_000_000,
            };
        }
    }

    // ------------------------------------------------------------------------------------------
    // Outgoing messages.

    fn heartbeat(&self) -> MavMessage {
        let mut base = MavModeFlag::MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
            | MavModeFlag::MAV_MODE_FLAG_STABILIZE_ENABLED
            | MavModeFlag::MAV_MODE_FLAG_MANUAL_INPUT_ENABLED;
        if matches!(
            self.mode,
            Mode::Auto
                | Mode::Guided
                | Mode::Rtl
                | Mode::Loiter
                | Mode::Land
                | Mode::Brake
                | Mode::SmartRtl
        ) {
            base |= MavModeFlag::MAV_MODE_FLAG_GUIDED_ENABLED;
        }
        if self.mode == Mode::Auto {
            base |= MavModeFlag::MAV_MODE_FLAG_AUTO_ENABLED;
        }
        if self.armed {
            base |= MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED;
        }
        let status = if self.gcs_failsafe || self.batt_state >= 2 {
            MavState::MAV_STATE_CRITICAL
        } else if self.armed {
            MavState::MAV_STATE_ACTIVE
        } else {
            MavState::MAV_STATE_STANDBY
        };
        MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            custom_mode: self.mode.number(),
            mavtype: MavType::MAV_TYPE_QUADROTOR,
            autopilot: MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA,
            base_mode: base,
            system_status: status,
            mavlink_version: 3,
        })
    }

    fn reported_position(&self) -> Option<(i32, i32, i32, i32)> {
        if !self.ekf_ok {
            return None;
        }
        // The EKF blends GPS with inertia: a fraction of the GPS wander shows.
        let g = self.gps.offset_m();
        let e = self.body.pos_m[0] + 0.3 * g[0];
        let n = self.body.pos_m[1] + 0.3 * g[1];
        let (lat, lon) = self.frame.to_geo(e, n);
        let alt_m = self.frame.origin().alt_m + self.body.pos_m[2];
        let rel_m = self.relative_alt_m();
        Some((
            deg_to_e7(lat),
            deg_to_e7(lon),
            (alt_m * 1000.0).round() as i32,
            (rel_m * 1000.0).round() as i32,
        ))
    }

    fn heading_cdeg(&self) -> u16 {
        (self.body.yaw_rad.to_degrees().rem_euclid(360.0) * 100.0).round() as u16 % 36000
    }

    fn boot_ms(&self) -> u32 {
        (self.now_us / 1000) as u32
    }

    fn mission_state(&self) -> MissionState {
        if self.store.mission.len() < 2 {
            MissionState::MISSION_STATE_NO_MISSION
        } else if self.auto.complete {
            MissionState::MISSION_STATE_COMPLETE
        } else if self.mission_running() {
            MissionState::MISSION_STATE_ACTIVE
        } else if self.auto.index > 0 {
            MissionState::MISSION_STATE_PAUSED
        } else {
            MissionState::MISSION_STATE_NOT_STARTED
        }
    }

    /// Build message `msg_id` from the present state, if the simulator knows it.
    pub fn build(&self, msg_id: u32) -> Option<MavMessage> {
        let v = &self.body.vel_mps;
        Some(match msg_id {
            id::HEARTBEAT => self.heartbeat(),
            id::SYS_STATUS => {
                let base = MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_3D_GYRO
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_3D_ACCEL
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_3D_MAG
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_ABSOLUTE_PRESSURE
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_GPS
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_ANGULAR_RATE_CONTROL
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_ATTITUDE_STABILIZATION
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_YAW_POSITION
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_Z_ALTITUDE_CONTROL
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_XY_POSITION_CONTROL
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_MOTOR_OUTPUTS
                    | MavSysStatusSensor::MAV_SYS_STATUS_AHRS
                    | MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_BATTERY
                    | MavSysStatusSensor::MAV_SYS_STATUS_PREARM_CHECK;
                let mut present = base;
                let mut enabled = base;
                let mut health = base;
                // As ArduPilot: the fence is present once enabled or uploaded, and healthy
                // (whether present or not) unless breached.
                let fence_on = self.p("FENCE_ENABLE") >= 1.0;
                if fence_on || !self.store.fence.is_empty() {
                    present |= MavSysStatusSensor::MAV_SYS_STATUS_GEOFENCE;
                }
                if self.breaches == 0 {
                    health |= MavSysStatusSensor::MAV_SYS_STATUS_GEOFENCE;
                }
                if fence_on {
                    enabled |= MavSysStatusSensor::MAV_SYS_STATUS_GEOFENCE;
                }
                if !self.gps_fix {
                    health.remove(MavSysStatusSensor::MAV_SYS_STATUS_SENSOR_GPS);
                }
                if !self.ekf_ok {
                    health.remove(MavSysStatusSensor::MAV_SYS_STATUS_AHRS);
                }
                if self.arming_failure().is_some() {
                    health.remove(MavSysStatusSensor::MAV_SYS_STATUS_PREARM_CHECK);
                }
                MavMessage::SYS_STATUS(SYS_STATUS_DATA {
                    onboard_control_sensors_present: present,
                    onboard_control_sensors_enabled: enabled,
                    onboard_control_sensors_health: health,
                    load: 200,
                    voltage_battery: (self.battery.voltage_v * 1000.0).round() as u16,
                    current_battery: (self.battery.current_a * 100.0).round() as i16,
                    drop_rate_comm: 0,
                    errors_comm: 0,
                    errors_count1: 0,
                    errors_count2: 0,
                    errors_count3: 0,
                    errors_count4: 0,
                    battery_remaining: (self.battery.remaining() * 100.0).round() as i8,
                    onboard_control_sensors_present_extended: MavSysStatusSensorExtended::empty(),
                    onboard_control_sensors_enabled_extended: MavSysStatusSensorExtended::empty(),
                    onboard_control_sensors_health_extended: MavSysStatusSensorExtended::empty(),
                })
            }
            id::SYSTEM_TIME => MavMessage::SYSTEM_TIME(SYSTEM_TIME_DATA {
                // A fixed epoch (2026-01-01) plus boot time keeps runs identical.
                time_unix_usec: if self.gps_fix {
                    1_767_225_600_000_000 + self.now_us
                } else {
                    0
                },
                time_boot_ms: self.boot_ms(),
            }),
            id::GPS_RAW_INT => {
                let (lat, lon, alt, fix, sats) = if self.gps_fix {
                    let g = self.gps.offset_m();
                    let (lat, lon) = self
                        .frame
                        .to_geo(self.body.pos_m[0] + g[0], self.body.pos_m[1] + g[1]);
                    let alt = self.frame.origin().alt_m + self.body.pos_m[2] + g[2];
                    (
                        deg_to_e7(lat),
                        deg_to_e7(lon),
                        (alt * 1000.0).round() as i32,
                        GpsFixType::GPS_FIX_TYPE_3D_FIX,
                        12,
                    )
                } else {
                    (0, 0, 0, GpsFixType::GPS_FIX_TYPE_NO_FIX, 0)
                };
                let cog = (v[0].atan2(v[1]).to_degrees().rem_euclid(360.0) * 100.0).round() as u16
                    % 36000;
                MavMessage::GPS_RAW_INT(GPS_RAW_INT_DATA {
                    time_usec: self.now_us,
                    lat,
                    lon,
                    alt,
                    eph: 121,
                    epv: 200,
                    vel: (self.body.ground_speed_mps() * 100.0).round() as u16,
                    cog,
                    fix_type: fix,
                    satellites_visible: sats,
                    alt_ellipsoid: alt,
                    h_acc: (self.cfg.gps_noise_m * 1000.0) as u32,
                    v_acc: (self.cfg.gps_noise_m * 1500.0) as u32,
                    vel_acc: 100,
                    hdg_acc: 0,
                    yaw: 0,
                })
            }
            id::GLOBAL_POSITION_INT => {
                let (lat, lon, alt, rel) = self.reported_position().unwrap_or((0, 0, 0, 0));
                MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
                    time_boot_ms: self.boot_ms(),
                    lat,
                    lon,
                    alt,
                    relative_alt: rel,
                    vx: (v[1] * 100.0).round() as i16,
                    vy: (v[0] * 100.0).round() as i16,
                    vz: (-v[2] * 100.0).round() as i16,
                    hdg: self.heading_cdeg(),
                })
            }
            id::ATTITUDE => {
                let yaw = if self.body.yaw_rad > std::f64::consts::PI {
                    self.body.yaw_rad - std::f64::consts::TAU
                } else {
                    self.body.yaw_rad
                };
                MavMessage::ATTITUDE(ATTITUDE_DATA {
                    time_boot_ms: self.boot_ms(),
                    roll: self.body.roll_rad as f32,
                    pitch: self.body.pitch_rad as f32,
                    yaw: yaw as f32,
                    rollspeed: 0.0,
                    pitchspeed: 0.0,
                    yawspeed: self.body.yaw_rate_rps as f32,
                })
            }
            id::VFR_HUD => {
                let air = (v[0] - self.wind_now[0]).hypot(v[1] - self.wind_now[1]);
                MavMessage::VFR_HUD(VFR_HUD_DATA {
                    airspeed: air as f32,
                    groundspeed: self.body.ground_speed_mps() as f32,
                    alt: (self.frame.origin().alt_m + self.body.pos_m[2]) as f32,
                    climb: v[2] as f32,
                    heading: (self.heading_cdeg() / 100) as i16,
                    throttle: self.throttle_pct.round() as u16,
                })
            }
            id::BATTERY_STATUS => {
                let mut voltages = [u16::MAX; 10];
                voltages[0] = (self.battery.voltage_v * 1000.0).round() as u16;
                let charge = match self.batt_state {
                    0 => MavBatteryChargeState::MAV_BATTERY_CHARGE_STATE_OK,
                    1 => MavBatteryChargeState::MAV_BATTERY_CHARGE_STATE_LOW,
                    _ => MavBatteryChargeState::MAV_BATTERY_CHARGE_STATE_CRITICAL,
                };
                MavMessage::BATTERY_STATUS(BATTERY_STATUS_DATA {
                    current_consumed: self.battery.consumed_mah.round() as i32,
                    energy_consumed: (self.battery.energy_j / 100.0).round() as i32,
                    temperature: i16::MAX,
                    voltages,
                    current_battery: (self.battery.current_a * 100.0).round() as i16,
                    id: 0,
                    battery_function: MavBatteryFunction::MAV_BATTERY_FUNCTION_ALL,
                    mavtype: MavBatteryType::MAV_BATTERY_TYPE_LIPO,
                    battery_remaining: (self.battery.remaining() * 100.0).round() as i8,
                    time_remaining: 0,
                    charge_state: charge,
                    voltages_ext: [0; 4],
                    mode: MavBatteryMode::MAV_BATTERY_MODE_UNKNOWN,
                    fault_bitmask: MavBatteryFault::empty(),
                })
            }
            id::AUTOPILOT_VERSION => {
                use MavProtocolCapability as C;
                MavMessage::AUTOPILOT_VERSION(AUTOPILOT_VERSION_DATA {
                    capabilities: C::MAV_PROTOCOL_CAPABILITY_MISSION_FLOAT
                        | C::MAV_PROTOCOL_CAPABILITY_MISSION_INT
                        | C::MAV_PROTOCOL_CAPABILITY_COMMAND_INT
                        | C::MAV_PROTOCOL_CAPABILITY_SET_ATTITUDE_TARGET
                        | C::MAV_PROTOCOL_CAPABILITY_SET_POSITION_TARGET_GLOBAL_INT
                        | C::MAV_PROTOCOL_CAPABILITY_MAVLINK2
                        | C::MAV_PROTOCOL_CAPABILITY_MISSION_FENCE
                        | C::MAV_PROTOCOL_CAPABILITY_MISSION_RALLY
                        | C::MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_C_CAST,
                    uid: u64::from(self.sysid),
                    // 4.7.0-dev: major.minor.patch.type (type 0 = dev).
                    flight_sw_version: (4 << 24) | (7 << 16),
                    middleware_sw_version: 0,
                    os_sw_version: 0,
                    board_version: 0,
                    vendor_id: 0,
                    product_id: 0,
                    flight_custom_version: *b"vigilsim",
                    middleware_custom_version: [0; 8],
                    os_custom_version: [0; 8],
                    uid2: [0; 18],
                })
            }
            id::FENCE_STATUS => {
                if self.p("FENCE_ENABLE") < 1.0 {
                    return None;
                }
                MavMessage::FENCE_STATUS(FENCE_STATUS_DATA {
                    breach_time: self.breach_time_ms,
                    breach_count: self.breach_count,
                    breach_status: u8::from(self.breaches != 0),
                    breach_type: self.last_breach,
                    breach_mitigation: if self.p("FENCE_ACTION") == 0.0 {
                        FenceMitigate::FENCE_MITIGATE_NONE
                    } else {
                        FenceMitigate::FENCE_MITIGATE_UNKNOWN
                    },
                })
            }
            id::HOME_POSITION => {
                let h = self.home?;
                MavMessage::HOME_POSITION(HOME_POSITION_DATA {
                    latitude: deg_to_e7(h.lat_deg),
                    longitude: deg_to_e7(h.lon_deg),
                    altitude: (h.alt_m * 1000.0).round() as i32,
                    x: 0.0,
                    y: 0.0,
                    z: 0.0,
                    q: [1.0, 0.0, 0.0, 0.0],
                    approach_x: 0.0,
                    approach_y: 0.0,
                    approach_z: 0.0,
                    time_usec: self.now_us,
                })
            }
            id::EXTENDED_SYS_STATE => {
                let landed_state = if !self.armed || self.landed {
                    MavLandedState::MAV_LANDED_STATE_ON_GROUND
                } else if v[2] > 0.3 && self.body.pos_m[2] - self.home_up_m() < 5.0 {
                    MavLandedState::MAV_LANDED_STATE_TAKEOFF
                } else if v[2] < -0.3 && matches!(self.mode, Mode::Land) {
                    MavLandedState::MAV_LANDED_STATE_LANDING
                } else {
                    MavLandedState::MAV_LANDED_STATE_IN_AIR
                };
                MavMessage::EXTENDED_SYS_STATE(EXTENDED_SYS_STATE_DATA {
                    vtol_state: MavVtolState::MAV_VTOL_STATE_UNDEFINED,
                    landed_state,
                })
            }
            id::MISSION_CURRENT => MavMessage::MISSION_CURRENT(MISSION_CURRENT_DATA {
                seq: self.auto.index,
                total: (self.store.mission.len() as u16).saturating_sub(1),
                mission_state: self.mission_state(),
                mission_mode: u8::from(self.mode == Mode::Auto),
                mission_id: 0,
                fence_id: 0,
                rally_points_id: 0,
            }),
            id::NAV_CONTROLLER_OUTPUT => {
                let target = match (self.mode, self.nav, self.guided) {
                    (Mode::Auto, Nav::Waypoint { pos_m, .. }, _) => Some(pos_m),
                    (Mode::Guided, _, Guided::Position { pos_m }) => Some(pos_m),
                    _ => None,
                };
                let here = self.body.pos_m;
                let (dist, bearing, alt_err) = target.map_or((0.0, 0.0, 0.0), |t| {
                    (
                        dist2([here[0], here[1]], [t[0], t[1]]),
                        (t[0] - here[0]).atan2(t[1] - here[1]).to_degrees(),
                        t[2] - here[2],
                    )
                });
                MavMessage::NAV_CONTROLLER_OUTPUT(NAV_CONTROLLER_OUTPUT_DATA {
                    nav_roll: self.body.roll_rad.to_degrees() as f32,
                    nav_pitch: self.body.pitch_rad.to_degrees() as f32,
                    alt_error: alt_err as f32,
                    aspd_error: 0.0,
                    xtrack_error: 0.0,
                    nav_bearing: bearing.round() as i16,
                    target_bearing: bearing.round() as i16,
                    wp_dist: dist.min(65_535.0) as u16,
                })
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_numbers_are_arducopters() {
        for (n, name) in [
            (0, "STABILIZE"),
            (3, "AUTO"),
            (4, "GUIDED"),
            (6, "RTL"),
            (9, "LAND"),
            (17, "BRAKE"),
            (21, "SMART_RTL"),
        ] {
            let mode = Mode::from_number(n).map(Mode::name);
            assert_eq!(mode, Some(name));
        }
        assert_eq!(Mode::from_number(8), None);
    }

    #[test]
    fn point_in_polygon() {
        let square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        assert!(inside_polygon([5.0, 5.0], &square));
        assert!(!inside_polygon([15.0, 5.0], &square));
        assert!(!inside_polygon([-0.1, 5.0], &square));
    }
}
