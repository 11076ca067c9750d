//! The ground monitor: fed telemetry samples, it measures every vehicle against every fence area,
//! predicts breaches from the current velocity and raises graded alarms (sans IO, no clock of
//! its own: time is the telemetry's).
//!
//! It works with or without a fence on the vehicle: the fence it watches is the ground's copy,
//! and a vehicle's own `FENCE_STATUS` is one more input.

use super::alarm::{Alarm, AlarmBook, AlarmEvent, AlarmKind, AutoAction, Condition, Grade, Place};
use super::geometry::{En, LocalFence};
use super::model::Fence;
use crate::area::LocalFrame;
use crate::mission::LatLon;

/// Thresholds of the monitor. The defaults are argued for a security multicopter flying
/// sweeps at 5–10 m/s and braking at ArduCopter's default 2.5 m/s² (`WPNAV_ACCEL`).
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorConfig {
    /// Blue inside this distance of a fence edge, metres. Default 20 m: the braking distance
    /// from 10 m/s at 2.5 m/s² (v²/2a), so a blue vehicle can still stop short.
    pub warning_margin_m: f64,
    /// A blue alarm clears only beyond the margin plus this, metres. Default 2 m, about twice
    /// a GPS's horizontal noise, so that hovering on the margin does not flap.
    pub hysteresis_m: f64,
    /// Yellow when a breach is predicted within this many seconds. Default 10 s: about 2 s for
    /// an operator to see and react plus 4 s to brake from 10 m/s, doubled.
    pub horizon_s: f64,
    /// Below this ground speed no breach is predicted (GPS jitter of a hovering vehicle),
    /// m/s. Default 0.3 m/s.
    pub min_speed_mps: f64,
    /// Red when breached for this long without recovering, seconds. Default 5 s: ArduCopter
    /// starts its breach action within 0.1 s and has braked from 10 m/s in 4 s.
    pub recover_within_s: f64,
    /// Moving back towards the allowed side at this speed or more counts as recovering, m/s.
    /// Default 0.5 m/s.
    pub recovering_speed_mps: f64,
    /// Modes that count as recovering (a returning or landing vehicle), by name as
    /// [`crate::link::modes::mode_name`] gives them (ArduPilot and PX4).
    pub recovery_modes: Vec<String>,
    /// Link lost after this long without telemetry, seconds. Default 5 s, ArduPilot's
    /// `FS_GCS_TIMEOUT` default.
    pub link_lost_s: f64,
    /// Link lost within this distance of a fence edge (or breached) is red, metres. Default 40 m:
    /// twice the warning margin, as the vehicle may have moved on since last heard.
    pub link_lost_near_fence_m: f64,
    /// Yellow at or below this battery charge, percent. Default 30 %.
    pub battery_low_pct: f64,
    /// Orange at or below this charge, percent. Default 15 %.
    pub battery_critical_pct: f64,
    /// Battery critical farther than this from home is red, metres. Default 300 m: about a
    /// minute's flight home at 5 m/s, more than a critical battery can be trusted for.
    pub far_from_home_m: f64,
    /// A crowd of this many people or more is orange (yellow below). Default 50.
    pub crowd_orange_people: usize,
    /// A crowd not reported for this long is cleared, seconds. Default 30 s.
    pub crowd_timeout_s: f64,
    /// The automatic action per grade (blue, yellow, orange, red), for fence, altitude, vehicle
    /// breach and battery alarms. Default: none but red → return, since at orange the vehicle's
    /// own breach action is expected to act, and red means it has not.
    pub actions: [Option<AutoAction>; 4],
}

impl Default for MonitorConfig {
    fn default() -> Self {
        Self {
            warning_margin_m: 20.0,
            hysteresis_m: 2.0,
            horizon_s: 10.0,
            min_speed_mps: 0.3,
            recover_within_s: 5.0,
            recovering_speed_mps: 0.5,
            recovery_modes: [
                "RTL",
                "SMART_RTL",
                "LAND",
                "AUTO_RTL",
                "QRTL",
                "QLAND",
                "AUTO.RTL",
                "AUTO.LAND",
            ]
            .map(String::from)
            .to_vec(),
            link_lost_s: 5.0,
            link_lost_near_fence_m: 40.0,
            battery_low_pct: 30.0,
            battery_critical_pct: 15.0,
            far_from_home_m: 300.0,
            crowd_orange_people: 50,
            crowd_timeout_s: 30.0,
            actions: [None, None, None, Some(AutoAction::Return)],
        }
    }
}

impl MonitorConfig {
    fn action(&self, kind: &AlarmKind, grade: Grade) -> Option<AutoAction> {
        if kind.actionable() {
            self.actions[grade as usize]
        } else {
            None
        }
    }
}

/// Where a vehicle is: WGS84 or the monitor's local frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SamplePosition {
    /// Latitude and longitude.
    LatLon(LatLon),
    /// East, north metres in the monitor's frame.
    Local { east_m: f64, north_m: f64 },
}

/// One telemetry sample of one vehicle. Fields a vehicle did not report are `None` and raise
/// nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct TelemetrySample {
    /// The vehicle's system id (1..=255).
    pub vehicle: u8,
    /// When the telemetry was received, seconds (any monotonic clock, the same for all calls).
    pub time_s: f64,
    pub position: SamplePosition,
    /// Altitude above home, metres.
    pub alt_rel_m: f64,
    /// Velocity east, north, up, m/s.
    pub velocity_mps: [f64; 3],
    /// Remaining battery charge, percent.
    pub battery_pct: Option<f64>,
    /// `GPS_FIX_TYPE` (3 = 3D fix).
    pub gps_fix: Option<u8>,
    /// Whether the EKF's solution is good.
    pub ekf_ok: Option<bool>,
    /// The flight mode's name.
    pub mode: Option<String>,
    /// Whether the vehicle reports its own fence breached (`FENCE_STATUS.breach_status`).
    pub fence_breached: Option<bool>,
    /// Whether the vehicle is armed (the floor, GPS and EKF are only watched in flight).
    pub armed: bool,
}

/// How one vehicle stands against one fence area (or the ceiling or floor).
#[derive(Debug, Clone, PartialEq)]
pub struct FenceReading {
    /// The area's name, or `ceiling` / `floor`.
    pub fence: String,
    /// Distance to the edge: positive on the allowed side, negative when breached, metres.
    pub clearance_m: f64,
    /// Seconds until the current velocity crosses the edge, if it does.
    pub time_to_breach_s: Option<f64>,
    /// Nearest polygon edge, vertex indices from 0.
    pub edge: Option<usize>,
}

#[derive(Debug, Clone, Default)]
struct VehicleWatch {
    /// None until the first sample (a vehicle named by `set_home` first is not lost).
    last_heard_s: Option<f64>,
    last_position: Option<En>,
    mode: Option<String>,
    expected_mode: Option<String>,
    /// Smallest clearance over all areas at the last sample.
    min_clearance_m: f64,
    home: Option<En>,
    /// Once above the floor, the floor is watched.
    floor_active: bool,
    readings: Vec<FenceReading>,
}

/// The ground monitor.
///
/// ```
/// use vigil::area::LocalFrame;
/// use vigil::fence::{
///     Fence, FenceArea, FenceShape, Grade, Monitor, MonitorConfig, SamplePosition,
///     TelemetrySample,
/// };
/// use vigil::mission::LatLon;
///
/// let frame = LocalFrame::new(149.1652, -35.3632);
/// let circle = FenceArea {
///     name: "field".into(),
///     inclusion: true,
///     shape: FenceShape::Circle {
///         center: LatLon { lat_deg: -35.3632, lon_deg: 149.1652 },
///         radius_m: 100.0,
///     },
/// };
/// let fence = Fence { areas: vec![circle], ..Fence::default() };
/// let mut monitor = Monitor::new(&fence, frame, MonitorConfig::default());
///
/// // 50 m from the edge, flying at it at 6 m/s: a breach in 8.3 s, within the 10 s horizon.
/// let sample = TelemetrySample {
///     vehicle: 1,
///     time_s: 12.0,
///     position: SamplePosition::Local { east_m: 50.0, north_m: 0.0 },
///     alt_rel_m: 30.0,
///     velocity_mps: [6.0, 0.0, 0.0],
///     battery_pct: None,
///     gps_fix: None,
///     ekf_ok: None,
///     mode: None,
///     fence_breached: None,
///     armed: true,
/// };
/// let events = monitor.on_sample(&sample);
/// assert_eq!(events[0].grade, Grade::Yellow);
/// assert_eq!(events[0].todo, "Turn away or brake now");
/// ```
#[derive(Debug, Clone)]
pub struct Monitor {
    cfg: MonitorConfig,
    fence: LocalFence,
    vehicles: Vec<(u8, VehicleWatch)>,
    crowds_seen: Vec<(u64, f64)>,
    book: AlarmBook,
}

/// A crowd as thermal detection reports it ([`crate::thermal::CrowdEvent`], through
/// [`CrowdInput::from_event`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CrowdInput {
    /// Stable id while the crowd persists.
    pub crowd_id: u64,
    /// When, seconds on the monitor's clock.
    pub time_s: f64,
    /// Number of people.
    pub people: usize,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Distance from its centre to its farthest member, metres.
    pub extent_m: f64,
}

impl CrowdInput {
    /// A crowd the thermal pipeline reported, at `time_s` on the monitor's clock (the event's
    /// own time is on the vehicle's boot clock, which the monitor does not share).
    pub fn from_event(e: &crate::thermal::CrowdEvent, time_s: f64) -> Self {
        Self {
            crowd_id: e.crowd_id,
            time_s,
            people: e.people,
            lat_deg: e.lat_deg,
            lon_deg: e.lon_deg,
            extent_m: e.extent_m,
        }
    }
}

impl Monitor {
    /// A monitor of `fence` (possibly empty: no fence areas) in `frame`.
    pub fn new(fence: &Fence, frame: LocalFrame, cfg: MonitorConfig) -> Self {
        Self {
            cfg,
            fence: LocalFence::new(fence, frame),
            vehicles: Vec::new(),
            crowds_seen: Vec::new(),
            book: AlarmBook::default(),
        }
    }

    /// The thresholds.
    pub fn config(&self) -> &MonitorConfig {
        &self.cfg
    }

    /// The fence watched, in the local frame.
    pub fn fence(&self) -> &LocalFence {
        &self.fence
    }

    /// Replaces the fence watched, effective from the next sample (a live zone added or moved).
    /// Alarms of areas that no longer exist are cleared then.
    pub fn set_fence(&mut self, fence: &Fence) {
        self.fence = LocalFence::new(fence, self.fence.frame);
    }

    /// Sets a vehicle's home (battery alarms use the distance to it).
    pub fn set_home(&mut self, vehicle: u8, home: LatLon) {
        let (e, n) = self.fence.frame.to_local(home.lon_deg, home.lat_deg);
        self.watch(vehicle).home = Some([e, n]);
    }

    /// The ground station asked `vehicle` for `mode`: a change to it raises nothing.
    pub fn expect_mode(&mut self, vehicle: u8, mode: &str) {
        self.watch(vehicle).expected_mode = Some(mode.to_owned());
    }

    /// The active alarms, oldest first.
    pub fn alarms(&self) -> &[Alarm] {
        self.book.active()
    }

    /// The latest readings of `vehicle` against every fence area, ceiling and floor.
    pub fn readings(&self, vehicle: u8) -> &[FenceReading] {
        self.vehicles
            .iter()
            .find(|(v, _)| *v == vehicle)
            .map_or(&[], |(_, w)| &w.readings)
    }

    /// The operator acknowledges alarm `id`.
    pub fn acknowledge(&mut self, now_s: f64, id: u64) -> Vec<AlarmEvent> {
        self.book.acknowledge(now_s, id)
    }

    fn watch(&mut self, vehicle: u8) -> &mut VehicleWatch {
        let i = match self.vehicles.iter().position(|(v, _)| *v == vehicle) {
            Some(i) => i,
            None => {
                self.vehicles.push((vehicle, VehicleWatch::default()));
                self.vehicles.len() - 1
            }
        };
        &mut self.vehicles[i].1
    }

    /// The clock moved without telemetry: raises link-loss alarms and clears crowds no longer
    /// reported.
    pub fn on_tick(&mut self, now_s: f64) -> Vec<AlarmEvent> {
        let mut out = Vec::new();
        for i in 0..self.vehicles.len() {
            let (vehicle, w) = &self.vehicles[i];
            let Some(heard_s) = w.last_heard_s else {
                continue;
            };
            let (vehicle, silent_s) = (*vehicle, now_s - heard_s);
            if silent_s < self.cfg.link_lost_s {
                continue;
            }
            let near = w.min_clearance_m < self.cfg.link_lost_near_fence_m;
            let place = w.last_position.map(|p| self.place(p));
            let (grade, what, todo) = if near {
                (
                    Grade::Red,
                    format!(
                        "link lost for {silent_s:.0} s, last heard {:.0} m from a fence edge",
                        w.min_clearance_m
                    ),
                    "Regain the link (antenna, range); expect the vehicle's GCS failsafe; \
                     watch the fence from the vehicle's last position"
                        .to_owned(),
                )
            } else {
                (
                    Grade::Orange,
                    format!("link lost for {silent_s:.0} s"),
                    "Regain the link (antenna, range); expect the vehicle's GCS failsafe (RTL)"
                        .to_owned(),
                )
            };
            let c = Condition {
                grade,
                what,
                place,
                todo,
            };
            out.extend(
                self.book
                    .assert(now_s, vehicle, AlarmKind::LinkLost, c, None),
            );
        }

        let timeout = self.cfg.crowd_timeout_s;
        let (stale, kept): (Vec<_>, Vec<_>) = self
            .crowds_seen
            .iter()
            .partition(|(_, t)| now_s - t >= timeout);
        self.crowds_seen = kept;
        for (id, _) in stale {
            out.extend(
                self.book
                    .clear(now_s, 0, &AlarmKind::Crowd { crowd_id: id }),
            );
        }
        out
    }

    /// A crowd found in thermal frames: raised when new, its place kept up to date.
    pub fn on_crowd(&mut self, c: &CrowdInput) -> Vec<AlarmEvent> {
        match self
            .crowds_seen
            .iter_mut()
            .find(|(id, _)| *id == c.crowd_id)
        {
            Some(seen) => seen.1 = c.time_s,
            None => self.crowds_seen.push((c.crowd_id, c.time_s)),
        }
        let grade = if c.people >= self.cfg.crowd_orange_people {
            Grade::Orange
        } else {
            Grade::Yellow
        };
        let cond = Condition {
            grade,
            what: format!(
                "crowd of {} people, {:.0} m across",
                c.people,
                2.0 * c.extent_m
            ),
            place: Some(Place::at(c.lat_deg, c.lon_deg)),
            todo: "Send a patrol to check; if flights must keep clear, add a live exclusion zone \
                   around it"
                .to_owned(),
        };
        let kind = AlarmKind::Crowd {
            crowd_id: c.crowd_id,
        };
        self.book
            .assert(c.time_s, 0, kind, cond, None)
            .into_iter()
            .collect()
    }

    /// One telemetry sample: every alarm it raises, updates or clears.
    pub fn on_sample(&mut self, s: &TelemetrySample) -> Vec<AlarmEvent> {
        let mut out = Vec::new();
        let now = s.time_s;
        let vehicle = s.vehicle;
        let p = match s.position {
            SamplePosition::Local { east_m, north_m } => [east_m, north_m],
            SamplePosition::LatLon(ll) => {
                let (e, n) = self.fence.frame.to_local(ll.lon_deg, ll.lat_deg);
                [e, n]
            }
        };
        let (lat_deg, lon_deg) = match s.position {
            SamplePosition::LatLon(ll) => (ll.lat_deg, ll.lon_deg),
            SamplePosition::Local { east_m, north_m } => {
                let (lon, lat) = self.fence.frame.to_wgs84(east_m, north_m);
                (lat, lon)
            }
        };
        let v2 = [s.velocity_mps[0], s.velocity_mps[1]];
        let moving = v2[0].hypot(v2[1]) >= self.cfg.min_speed_mps;
        // A disarmed vehicle is on the ground: a breach stays orange, never red.
        let in_recovery_mode = !s.armed
            || s.mode
                .as_deref()
                .is_some_and(|m| self.cfg.recovery_modes.iter().any(|r| r == m));

        // The link is back.
        out.extend(self.book.clear(now, vehicle, &AlarmKind::LinkLost));

        let mut w = std::mem::take(self.watch(vehicle));
        w.last_heard_s = Some(now);
        w.last_position = Some(p);
        let mut n_readings = 0;
        let mut asserted: Vec<AlarmKind> = Vec::new();
        let mut min_clearance = f64::INFINITY;

        // Every fence area.
        // The areas are lent out of `self` while alarms are asserted, and put back after.
        let areas = std::mem::take(&mut self.fence.areas);
        for area in &areas {
            let c = area.clearance(p);
            let ttb = if moving {
                area.time_to_breach_s(p, v2)
            } else {
                None
            };
            min_clearance = min_clearance.min(c.clearance_m);
            let recovering = in_recovery_mode || dot(c.away, v2) >= self.cfg.recovering_speed_mps;
            put_reading(
                &mut w.readings,
                &mut n_readings,
                &area.name,
                c.clearance_m,
                ttb,
                c.edge,
            );

            // Far from this area and not heading for it: nothing to raise or keep.
            let quiet = c.clearance_m >= self.cfg.warning_margin_m + self.cfg.hysteresis_m
                && ttb.is_none_or(|t| t > self.cfg.horizon_s);
            if quiet && !self.has_fence_alarm(vehicle, &area.name) {
                continue;
            }
            let edge = c.edge.map(|i| {
                let n = match &area.shape {
                    super::geometry::LocalShape::Polygon(v) => v.len(),
                    super::geometry::LocalShape::Circle { .. } => 1,
                };
                format!("edge {}–{}", i + 1, (i + 1) % n + 1)
            });
            let place = Place {
                lat_deg,
                lon_deg,
                fence: Some(area.name.clone()),
                edge,
                clearance_m: Some(round2(c.clearance_m)),
                time_to_breach_s: ttb.map(round2),
            };
            let kind = AlarmKind::Fence {
                area: area.name.clone(),
            };
            let label = if area.inclusion {
                format!("inclusion fence '{}'", area.name)
            } else {
                format!("exclusion fence '{}'", area.name)
            };
            self.fence_alarm(
                now,
                vehicle,
                kind,
                &label,
                c.clearance_m,
                ttb,
                recovering,
                place,
                &mut asserted,
                &mut out,
            );
        }

        self.fence.areas = areas;

        // Ceiling and floor.
        let vz = s.velocity_mps[2];
        if let Some(ceiling) = self.fence.ceiling_m {
            let clearance = ceiling - s.alt_rel_m;
            let ttb = (clearance >= 0.0 && vz > self.cfg.min_speed_mps).then(|| clearance / vz);
            min_clearance = min_clearance.min(clearance);
            put_reading(
                &mut w.readings,
                &mut n_readings,
                "ceiling",
                clearance,
                ttb,
                None,
            );
            let recovering = in_recovery_mode || -vz >= self.cfg.recovering_speed_mps;
            let place = Place {
                clearance_m: Some(round2(clearance)),
                time_to_breach_s: ttb.map(round2),
                fence: Some("ceiling".into()),
                ..Place::at(lat_deg, lon_deg)
            };
            let label = format!("altitude ceiling {ceiling:.0} m");
            self.fence_alarm(
                now,
                vehicle,
                AlarmKind::Ceiling,
                &label,
                clearance,
                ttb,
                recovering,
                place,
                &mut asserted,
                &mut out,
            );
        }
        if let Some(floor) = self.fence.floor_m {
            if !s.armed {
                w.floor_active = false;
            } else if s.alt_rel_m > floor {
                w.floor_active = true;
            }
            if w.floor_active {
                let clearance = s.alt_rel_m - floor;
                let ttb =
                    (clearance >= 0.0 && -vz > self.cfg.min_speed_mps).then(|| clearance / -vz);
                put_reading(
                    &mut w.readings,
                    &mut n_readings,
                    "floor",
                    clearance,
                    ttb,
                    None,
                );
                let recovering = in_recovery_mode || vz >= self.cfg.recovering_speed_mps;
                let place = Place {
                    clearance_m: Some(round2(clearance)),
                    time_to_breach_s: ttb.map(round2),
                    fence: Some("floor".into()),
                    ..Place::at(lat_deg, lon_deg)
                };
                let label = format!("altitude floor {floor:.0} m");
                self.fence_alarm(
                    now,
                    vehicle,
                    AlarmKind::Floor,
                    &label,
                    clearance,
                    ttb,
                    recovering,
                    place,
                    &mut asserted,
                    &mut out,
                );
            }
        }
        w.readings.truncate(n_readings);
        w.min_clearance_m = min_clearance;

        // The vehicle's own fence.
        if s.fence_breached == Some(true) {
            let kind = AlarmKind::VehicleBreach;
            let since = self
                .book
                .get(vehicle, &kind)
                .and_then(|a| a.breached_since_s)
                .unwrap_or(now);
            let red = now - since >= self.cfg.recover_within_s && !in_recovery_mode;
            let grade = if red { Grade::Red } else { Grade::Orange };
            let cond = Condition {
                grade,
                what: format!(
                    "the vehicle reports a fence breach (mode {})",
                    s.mode.as_deref().unwrap_or("unknown")
                ),
                place: Some(Place::at(lat_deg, lon_deg)),
                todo: if red {
                    "The vehicle is not returning: command RTL or LAND now".into()
                } else {
                    "Confirm the vehicle's breach action (RTL) is under way".into()
                },
            };
            self.assert_kind(
                now,
                vehicle,
                kind,
                cond,
                Some(since),
                &mut asserted,
                &mut out,
            );
        }

        // Battery.
        if let Some(pct) = s.battery_pct {
            let far_m = w
                .home
                .map(|h| (p[0] - h[0]).hypot(p[1] - h[1]))
                .filter(|d| *d > self.cfg.far_from_home_m);
            let cond = if pct <= self.cfg.battery_critical_pct {
                Some(match far_m {
                    Some(d) => (
                        Grade::Red,
                        format!("battery critical ({pct:.0} %) {d:.0} m from home"),
                        "Land now at the nearest safe place, or return if it is certainly in \
                         reach"
                            .to_owned(),
                    ),
                    None => (
                        Grade::Orange,
                        format!("battery critical ({pct:.0} %)"),
                        "Return and land now".to_owned(),
                    ),
                })
            } else if pct <= self.cfg.battery_low_pct {
                Some((
                    Grade::Yellow,
                    format!("battery low ({pct:.0} %)"),
                    "Finish the leg and return".to_owned(),
                ))
            } else {
                None
            };
            if let Some((grade, what, todo)) = cond {
                let c = Condition {
                    grade,
                    what,
                    place: Some(Place::at(lat_deg, lon_deg)),
                    todo,
                };
                self.assert_kind(
                    now,
                    vehicle,
                    AlarmKind::Battery,
                    c,
                    None,
                    &mut asserted,
                    &mut out,
                );
            }
        }

        // GPS and EKF, in flight (before arming, a settling EKF is the pre-arm checks' business).
        if let Some(fix) = s.gps_fix.filter(|f| *f < 3 && s.armed) {
            let c = Condition {
                grade: Grade::Orange,
                what: format!("GPS lost (fix type {fix})"),
                place: Some(Place::at(lat_deg, lon_deg)),
                todo: "Expect the vehicle to drift: be ready to take manual control (ALT_HOLD) \
                       or land"
                    .into(),
            };
            self.assert_kind(
                now,
                vehicle,
                AlarmKind::GpsLost,
                c,
                None,
                &mut asserted,
                &mut out,
            );
        }
        if s.ekf_ok == Some(false) && s.armed {
            let c = Condition {
                grade: Grade::Orange,
                what: "EKF failure: the position estimate is not trusted".into(),
                place: Some(Place::at(lat_deg, lon_deg)),
                todo: "Expect an EKF failsafe (LAND); be ready to take manual control".into(),
            };
            self.assert_kind(
                now,
                vehicle,
                AlarmKind::EkfFailure,
                c,
                None,
                &mut asserted,
                &mut out,
            );
        }

        // Conditions gone since the last sample.
        self.book.clear_where(
            now,
            vehicle,
            |k| k.derived_from_sample() && !asserted.contains(k),
            &mut out,
        );

        // Mode changes the ground station did not ask for.
        if let Some(mode) = &s.mode {
            let changed = w.mode.as_ref().is_some_and(|m| m != mode);
            let expected = w.expected_mode.as_ref() == Some(mode);
            if changed && !expected {
                let from = w.mode.clone().unwrap_or_default();
                let c = Condition {
                    grade: Grade::Yellow,
                    what: format!("mode changed from {from} to {mode} without a command"),
                    place: Some(Place::at(lat_deg, lon_deg)),
                    todo: "Check the vehicle's messages for a failsafe or a pilot's switch".into(),
                };
                out.extend(
                    self.book
                        .assert(now, vehicle, AlarmKind::ModeChange, c, None),
                );
            }
            if expected {
                w.expected_mode = None;
            }
            if w.mode.as_ref() != Some(mode) {
                w.mode = Some(mode.clone());
            }
        }

        *self.watch(vehicle) = w;
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn fence_alarm(
        &mut self,
        now: f64,
        vehicle: u8,
        kind: AlarmKind,
        label: &str,
        clearance_m: f64,
        ttb: Option<f64>,
        recovering: bool,
        place: Place,
        asserted: &mut Vec<AlarmKind>,
        out: &mut Vec<AlarmEvent>,
    ) {
        let existing = self.book.get(vehicle, &kind);
        let blue_m = if existing.is_some() {
            self.cfg.warning_margin_m + self.cfg.hysteresis_m
        } else {
            self.cfg.warning_margin_m
        };
        let cond = if clearance_m < 0.0 {
            let since = existing.and_then(|a| a.breached_since_s).unwrap_or(now);
            let red = now - since >= self.cfg.recover_within_s && !recovering;
            let (grade, todo) = if red {
                (
                    Grade::Red,
                    "Not recovering: command RTL (or LAND) now and check why the vehicle's own \
                     fence did not act",
                )
            } else {
                (
                    Grade::Orange,
                    "Confirm the vehicle is returning (its breach action); take control if not",
                )
            };
            let what = format!(
                "{label} breached by {:.1} m for {:.1} s",
                -clearance_m,
                now - since
            );
            Some((grade, what, todo.to_owned(), Some(since)))
        } else if let Some(t) = ttb.filter(|t| *t <= self.cfg.horizon_s) {
            Some((
                Grade::Yellow,
                format!("{label}: breach predicted in {t:.1} s, {clearance_m:.1} m away"),
                "Turn away or brake now".to_owned(),
                None,
            ))
        } else if clearance_m < blue_m {
            Some((
                Grade::Blue,
                format!("{label}: {clearance_m:.1} m from the edge"),
                "Keep watching; steer away if it keeps closing".to_owned(),
                None,
            ))
        } else {
            None
        };
        if let Some((grade, what, todo, since)) = cond {
            let c = Condition {
                grade,
                what,
                place: Some(place),
                todo,
            };
            self.assert_kind(now, vehicle, kind, c, since, asserted, out);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn assert_kind(
        &mut self,
        now: f64,
        vehicle: u8,
        kind: AlarmKind,
        c: Condition,
        breached_since_s: Option<f64>,
        asserted: &mut Vec<AlarmKind>,
        out: &mut Vec<AlarmEvent>,
    ) {
        let action = self.cfg.action(&kind, c.grade);
        out.extend(self.book.assert(now, vehicle, kind.clone(), c, action));
        if let Some(a) = self.book.get_mut(vehicle, &kind) {
            a.breached_since_s = breached_since_s;
        }
        asserted.push(kind);
    }

    fn has_fence_alarm(&self, vehicle: u8, name: &str) -> bool {
        self.book.active().iter().any(|a| {
            a.vehicle == vehicle && matches!(&a.kind, AlarmKind::Fence { area } if area == name)
        })
    }

    fn place(&self, p: En) -> Place {
        let (lon, lat) = self.fence.frame.to_wgs84(p[0], p[1]);
        Place::at(lat, lon)
    }
}

/// Writes reading number `n` in place (its name's allocation is kept from sample to sample).
fn put_reading(
    readings: &mut Vec<FenceReading>,
    n: &mut usize,
    name: &str,
    clearance_m: f64,
    time_to_breach_s: Option<f64>,
    edge: Option<usize>,
) {
    match readings.get_mut(*n) {
        Some(r) => {
            if r.fence != name {
                r.fence.clear();
                r.fence.push_str(name);
            }
            r.clearance_m = clearance_m;
            r.time_to_breach_s = time_to_breach_s;
            r.edge = edge;
        }
        None => readings.push(FenceReading {
            fence: name.to_owned(),
            clearance_m,
            time_to_breach_s,
            edge,
        }),
    }
    *n += 1;
}

fn dot(a: En, b: En) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
