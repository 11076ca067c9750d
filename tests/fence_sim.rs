//! The fence end to end against the in-process simulator: upload (items and FENCE_* parameters)

//! and download-compare through the link's protocol machines, a flight drifting towards the fence
//! in wind with the ground monitor watching, and a live zone re-uploaded in flight.

// ArduCopter asks for telemetry with REQUEST_DATA_STREAM and the `_INT` frames: deprecated in
// MAVLink, still what the simulated vehicle speaks.
#![allow(deprecated)]

use std::time::Duration;

use mavlink::dialects::ardupilotmega::{
    COMMAND_LONG_DATA, MavCmd, MavDataStream, PositionTargetTypemask, REQUEST_DATA_STREAM_DATA,
    SET_POSITION_TARGET_GLOBAL_INT_DATA,
};
use mavlink::{MavHeader, MavlinkVersion};
use vigil::area::LocalFrame;
use vigil::fence::{
    AlarmEvent, AlarmKind, BreachAction, Fence, FenceArea, FenceAutopilot, FenceDownload,
    FenceShape, FenceUpload, Grade, LiveZones, Monitor, MonitorConfig, SamplePosition,
    TelemetryFeed, compare_fence, fence_items, fence_params,
};
use vigil::link::param::ParamConfig;
use vigil::link::transfer::{Target, TransferConfig};
use vigil::link::{MavMessage, Transaction};
use vigil::mission::LatLon;
use vigil_sim::{GeoPoint, Sim, SimConfig};

const HOME: (f64, f64) = (-35.363_261, 149.165_230);

fn frame() -> LocalFrame {
    LocalFrame::new(HOME.1, HOME.0)
}

fn ll(east_m: f64, north_m: f64) -> LatLon {
    let (lon, lat) = frame().to_wgs84(east_m, north_m);
    LatLon {
        lat_deg: lat,
        lon_deg: lon,
    }
}

/// A 120 m square around home, a ceiling at 50 m, a return point at home.
fn fence() -> Fence {
    Fence {
        areas: vec![FenceArea {
            name: "boundary".into(),
            inclusion: true,
            shape: FenceShape::Polygon(vec![
                ll(-60.0, -60.0),
                ll(60.0, -60.0),
                ll(60.0, 60.0),
                ll(-60.0, 60.0),
            ]),
        }],
        ceiling_m: Some(50.0),
        floor_m: None,
        return_point: Some(ll(0.0, 0.0)),
    }
}

/// The ground side: the simulator, the telemetry feed, the monitor and every alarm event.
struct Ground {
    sim: Sim,
    feed: TelemetryFeed,
    monitor: Monitor,
    events: Vec<AlarmEvent>,
    /// (time, east, mode) of every position sample.
    track: Vec<(f64, f64, Option<String>)>,
    seq: u8,
}

impl Ground {
    fn new(wind_mps: f64) -> Self {
        let mut cfg = SimConfig::new(GeoPoint::new(HOME.0, HOME.1, 584.0));
        // Wind from the west, gusting: the drift goes downwind, east.
        cfg.vehicle.wind_speed_mps = wind_mps;
        cfg.vehicle.wind_from_deg = 270.0;
        cfg.vehicle.gust_sigma_mps = 1.5;
        cfg.seed = 7;
        let mut g = Self {
            sim: Sim::new(cfg),
            feed: TelemetryFeed::default(),
            monitor: Monitor::new(&fence(), frame(), MonitorConfig::default()),
            events: Vec::new(),
            track: Vec::new(),
            seq: 0,
        };
        g.send(MavMessage::REQUEST_DATA_STREAM(REQUEST_DATA_STREAM_DATA {
            req_message_rate: 10,
            target_system: 1,
            target_component: 1,
            req_stream_id: MavDataStream::MAV_DATA_STREAM_ALL,
            start_stop: 1,
        }));
        g
    }

    fn now(&self) -> Duration {
        Duration::from_micros(self.sim.now_us())
    }

    fn send(&mut self, msg: MavMessage) {
        let header = MavHeader {
            system_id: 255,
            component_id: 190,
            sequence: self.seq,
        };
        self.seq = self.seq.wrapping_add(1);
        self.sim.handle_message(header, &msg, MavlinkVersion::V2);
    }

    /// Steps 10 ms; feeds what the vehicle sent to the monitor; returns the messages.
    fn step(&mut self) -> Vec<((u8, u8), MavMessage)> {
        self.sim.step(Duration::from_millis(10));
        let t = self.sim.now_us() as f64 * 1e-6;
        let mut out = Vec::new();
        for f in self.sim.poll_outgoing() {
            if let Some(s) = self.feed.on_message(t, sysid(&f.header), &f.msg) {
                let (e, _) = match s.position {
                    SamplePosition::LatLon(p) => frame().to_local(p.lon_deg, p.lat_deg),
                    SamplePosition::Local { east_m, north_m } => (east_m, north_m),
                };
                self.track.push((t, e, s.mode.clone()));
                let ev = self.monitor.on_sample(&s);
                self.events.extend(ev);
            }
            out.push(((sysid(&f.header), f.header.component_id), f.msg));
        }
        let ev = self.monitor.on_tick(t);
        self.events.extend(ev);
        out
    }

    fn run(&mut self, d: Duration) {
        let end = self.now() + d;
        while self.now() < end {
            self.step();
        }
    }

    /// Runs a protocol transaction to its end (at most 60 s of simulated time).
    fn transact<T: Transaction>(&mut self, mut tx: T) -> T::Output
    where
        T::Output: Clone,
    {
        let limit = self.now() + Duration::from_secs(60);
        for m in tx.start(self.now()) {
            self.send(m);
        }
        loop {
            if let Some(o) = tx.outcome() {
                return o.clone();
            }
            assert!(self.now() < limit, "transaction did not finish");
            for (from, msg) in self.step() {
                for m in tx.on_message(self.now(), from, &msg) {
                    self.send(m);
                }
            }
            if tx.deadline().is_some_and(|d| d <= self.now()) {
                for m in tx.on_tick(self.now()) {
                    self.send(m);
                }
            }
        }
    }

    fn command(&mut self, command: MavCmd, p: [f32; 7]) {
        self.send(MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
            param1: p[0],
            param2: p[1],
            param3: p[2],
            param4: p[3],
            param5: p[4],
            param6: p[5],
            param7: p[6],
            command,
            target_system: 1,
            target_component: 1,
            confirmation: 0,
        }));
        self.run(Duration::from_millis(500));
    }

    fn velocity(&mut self, east_mps: f32) {
        let ignore = PositionTargetTypemask::POSITION_TARGET_TYPEMASK_X_IGNORE
            | PositionTargetTypemask::POSITION_TARGET_TYPEMASK_Y_IGNORE
            | PositionTargetTypemask::POSITION_TARGET_TYPEMASK_Z_IGNORE
            | PositionTargetTypemask::POSITION_TARGET_TYPEMASK_AX_IGNORE
            | PositionTargetTypemask::POSITION_TARGET_TYPEMASK_AY_IGNORE
            | PositionTargetTypemask::POSITION_TARGET_TYPEMASK_AZ_IGNORE
            | PositionTargetTypemask::POSITION_TARGET_TYPEMASK_YAW_IGNORE
            | PositionTargetTypemask::POSITION_TARGET_TYPEMASK_YAW_RATE_IGNORE;
        self.send(MavMessage::SET_POSITION_TARGET_GLOBAL_INT(
            SET_POSITION_TARGET_GLOBAL_INT_DATA {
                time_boot_ms: 0,
                lat_int: 0,
                lon_int: 0,
                alt: 0.0,
                vx: 0.0,
                vy: east_mps,
                vz: 0.0,
                afx: 0.0,
                afy: 0.0,
                afz: 0.0,
                yaw: 0.0,
                yaw_rate: 0.0,
                type_mask: ignore,
                target_system: 1,
                target_component: 1,
                coordinate_frame:
                    mavlink::dialects::ardupilotmega::MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
            },
        ));
    }

    fn upload(&mut self, f: &Fence) {
        let up = FenceUpload::new(
            Target::autopilot(1),
            fence_items(f, FenceAutopilot::ArduPilot).expect("items"),
            fence_params(f, FenceAutopilot::ArduPilot, BreachAction::Return).expect("params"),
            TransferConfig::default(),
            ParamConfig::default(),
        );
        let report = self.transact(up).expect("fence upload");
        let names: Vec<_> = report.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "FENCE_TYPE",
                "FENCE_ALT_MAX",
                "FENCE_ACTION",
                "FENCE_ENABLE"
            ]
        );
        assert_eq!(report.params[0].value, 5.0, "ceiling (1) and polygons (4)");
    }
}

/// The header's system id (a u32 in mavlink 0.21's header; vehicles use 1..=255).
fn sysid(h: &MavHeader) -> u8 {
    u8::try_from(h.system_id).expect("a MAVLink system id fits a byte")
}

fn grade_events(events: &[AlarmEvent], kind: &AlarmKind) -> Vec<(f64, Grade)> {
    events
        .iter()
        .filter(|e| &e.kind == kind)
        .filter(|e| {
            matches!(
                e.event,
                vigil::fence::Lifecycle::Raised | vigil::fence::Lifecycle::Updated
            )
        })
        .map(|e| (e.time_s, e.grade))
        .collect()
}

#[test]
fn upload_then_download_compares_equal_and_a_change_is_reported() {
    let mut g = Ground::new(0.0);
    g.run(Duration::from_secs(1));
    let f = fence();
    g.upload(&f);
    let down = g
        .transact(FenceDownload::new(
            Target::autopilot(1),
            FenceAutopilot::ArduPilot,
            TransferConfig::default(),
            ParamConfig::default(),
        ))
        .expect("download");
    assert_eq!(down.items.items.len(), 5, "return point and four vertices");
    assert!(
        down.items.items.iter().all(|i| !i.autocontinue),
        "stored with autocontinue 0 like ArduPilot"
    );
    let diff =
        compare_fence(&f, FenceAutopilot::ArduPilot, BreachAction::Return, &down).expect("compare");
    assert!(diff.is_empty(), "{diff:?}");
    // Real ArduPilot reads every fence item back with autocontinue 0: still equal.
    let mut ardupilot = down.clone();
    for it in &mut ardupilot.items.items {
        it.autocontinue = false;
    }
    let diff = compare_fence(
        &f,
        FenceAutopilot::ArduPilot,
        BreachAction::Return,
        &ardupilot,
    )
    .expect("compare");
    assert!(diff.is_empty(), "{diff:?}");

    // A fence with a lower ceiling and a moved vertex no longer matches.
    let mut other = f.clone();
    other.ceiling_m = Some(40.0);
    if let FenceShape::Polygon(v) = &mut other.areas[0].shape {
        v[2] = ll(70.0, 60.0);
    }
    let diff = compare_fence(
        &other,
        FenceAutopilot::ArduPilot,
        BreachAction::Return,
        &down,
    )
    .expect("compare");
    assert_eq!(diff.len(), 2, "{diff:?}");
    assert!(
        diff[0].starts_with("fence item 3: longitude is 149.1"),
        "{}",
        diff[0]
    );
    assert_eq!(
        diff[1],
        "parameter FENCE_ALT_MAX: 50 on the vehicle, 40 in Vigil"
    );
}

#[test]
fn a_drift_towards_the_fence_in_wind_shows_blue_yellow_orange_then_the_vehicle_returns() {
    let mut g = Ground::new(8.0);
    g.run(Duration::from_secs(6));
    g.upload(&fence());

    // GUIDED (asked for: no mode-change alarm), arm, take off to 20 m.
    g.monitor.expect_mode(1, "GUIDED");
    g.command(
        MavCmd::MAV_CMD_DO_SET_MODE,
        [1.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    g.command(
        MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    g.command(
        MavCmd::MAV_CMD_NAV_TAKEOFF,
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 20.0],
    );
    g.run(Duration::from_secs(12));
    assert!(
        g.events.is_empty(),
        "quiet before the drift: {:?}",
        g.events
    );

    // Drift east at 0.8 m/s, as a gusty west wind would carry a vehicle that is not holding
    // position; refreshed every second as ArduCopter drops a velocity target after 3 s.
    let start = g.now();
    let mut crossing = None;
    let mut rtl_at = None;
    while g.now() < start + Duration::from_secs(120) && rtl_at.is_none() {
        g.velocity(0.8);
        for _ in 0..100 {
            g.step();
            let v = g.sim.vehicle(1).expect("vehicle 1");
            let (e, _) = frame().to_local(v.position().lon_deg, v.position().lat_deg);
            let t = g.sim.now_us() as f64 * 1e-6;
            if crossing.is_none() && e > 60.0 {
                crossing = Some(t);
            }
            if rtl_at.is_none() && v.mode() == vigil_sim::Mode::Rtl {
                rtl_at = Some(t);
            }
        }
    }
    let crossing = crossing.expect("the vehicle crossed the fence");
    let rtl_at = rtl_at.expect("the vehicle's breach action (RTL) followed");
    g.run(Duration::from_secs(2));

    let kind = AlarmKind::Fence {
        area: "boundary".into(),
    };
    let seq = grade_events(&g.events, &kind);
    let grades: Vec<_> = seq.iter().map(|(_, gr)| *gr).collect();
    assert_eq!(
        &grades[..3],
        [Grade::Blue, Grade::Yellow, Grade::Orange],
        "{seq:?}"
    );
    let (blue_t, yellow_t, orange_t) = (seq[0].0, seq[1].0, seq[2].0);
    assert!(
        blue_t < yellow_t && yellow_t < crossing,
        "{seq:?}, crossing {crossing}"
    );
    // Orange within 200 ms of the crossing (10 Hz telemetry; GPS noise may show it a little
    // early, never late).
    assert!(
        orange_t <= crossing + 0.2 && orange_t >= crossing - 0.5,
        "orange at {orange_t}, crossing at {crossing}"
    );
    // Each raised within 200 ms of the first telemetry sample showing its condition.
    let first_east = |x: f64| {
        g.track
            .iter()
            .find(|(_, e, _)| *e > x)
            .map(|(t, _, _)| *t)
            .expect("shown")
    };
    assert!(blue_t - first_east(40.0) <= 0.2, "blue at {blue_t}");
    assert!(orange_t - first_east(60.0) <= 0.2, "orange at {orange_t}");
    // The vehicle's own action follows the orange alarm, and the monitor sees RTL, so no red.
    assert!(
        rtl_at >= orange_t - 0.5,
        "RTL at {rtl_at}, orange at {orange_t}"
    );
    assert!(!grades.contains(&Grade::Red), "{seq:?}");
    let breach = grade_events(&g.events, &AlarmKind::VehicleBreach);
    assert_eq!(breach.first().map(|b| b.1), Some(Grade::Orange));
    // RTL came from the vehicle, not from us: an unexpected mode change.
    assert!(
        g.events
            .iter()
            .any(|e| e.kind == AlarmKind::ModeChange && e.what.contains("GUIDED to RTL"))
    );
}

#[test]
fn a_live_zone_is_uploaded_whole_and_watched_at_once() {
    let mut g = Ground::new(0.0);
    g.run(Duration::from_secs(6));
    g.upload(&fence());
    g.monitor.expect_mode(1, "GUIDED");
    g.command(
        MavCmd::MAV_CMD_DO_SET_MODE,
        [1.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    g.command(
        MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    g.command(
        MavCmd::MAV_CMD_NAV_TAKEOFF,
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 20.0],
    );
    g.run(Duration::from_secs(10));

    // A crowd 12 m east of the hovering vehicle: a 20 m exclusion around it.
    let mut live = LiveZones::new(fence());
    live.set_exclusion(
        "crowd 1",
        FenceShape::Circle {
            center: ll(12.0, 0.0),
            radius_m: 20.0,
        },
    );
    g.monitor.set_fence(&live.fence());
    g.run(Duration::from_millis(200));
    let kind = AlarmKind::Fence {
        area: "live 'crowd 1'".into(),
    };
    let seq = grade_events(&g.events, &kind);
    assert_eq!(
        seq.first().map(|s| s.1),
        Some(Grade::Orange),
        "inside the new zone at once"
    );

    // Re-uploaded whole: the boundary is unchanged, the circle follows, FENCE_ENABLE untouched.
    let up = live
        .upload(
            Target::autopilot(1),
            FenceAutopilot::ArduPilot,
            TransferConfig::default(),
        )
        .expect("items");
    let report = g.transact(up).expect("live upload");
    assert!(report.params.is_empty());
    assert_eq!(
        report.items.read_back.len(),
        6,
        "return point, 4 vertices, 1 circle"
    );
    assert_eq!(
        report.items.read_back[5].command,
        MavCmd::MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION
    );
    let v = g.sim.vehicle(1).expect("vehicle");
    assert_eq!(v.params.get("FENCE_ENABLE"), 1.0);
}

#[test]
fn without_a_fence_on_the_vehicle_the_ground_still_grades_and_goes_red() {
    // Nothing uploaded: the vehicle will not act, only the ground monitor watches.
    let mut g = Ground::new(8.0);
    g.run(Duration::from_secs(6));
    g.monitor.expect_mode(1, "GUIDED");
    g.command(
        MavCmd::MAV_CMD_DO_SET_MODE,
        [1.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    g.command(
        MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    g.command(
        MavCmd::MAV_CMD_NAV_TAKEOFF,
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 20.0],
    );
    g.run(Duration::from_secs(12));

    let start = g.now();
    while g.now() < start + Duration::from_secs(100) {
        g.velocity(1.5);
        g.run(Duration::from_secs(1));
    }
    let kind = AlarmKind::Fence {
        area: "boundary".into(),
    };
    let seq = grade_events(&g.events, &kind);
    let grades: Vec<_> = seq.iter().map(|(_, gr)| *gr).collect();
    // At 1.5 m/s the 10 s horizon (15 m) lies inside the 20 m margin: blue comes first.
    assert_eq!(
        grades,
        [Grade::Blue, Grade::Yellow, Grade::Orange, Grade::Red],
        "{seq:?}"
    );
    // Red 5 s after orange (within one 10 Hz sample), carrying the automatic return.
    assert!((seq[3].0 - seq[2].0 - 5.0).abs() <= 0.11, "{seq:?}");
    let red = g
        .events
        .iter()
        .find(|e| e.kind == kind && e.grade == Grade::Red)
        .expect("red");
    assert_eq!(red.action, Some(vigil::fence::AutoAction::Return));
    assert_eq!(
        g.sim.vehicle(1).map(|v| v.mode()),
        Some(vigil_sim::Mode::Guided)
    );
    assert!(grade_events(&g.events, &AlarmKind::VehicleBreach).is_empty());
}
