//! The ground monitor on small exact geometries: grade sequences, timing, red when not
//! recovering, the other alarms, live zones, and the JSON-lines alarm log.

use vigil::area::LocalFrame;
use vigil::fence::{
    AlarmEvent, AlarmKind, AutoAction, CrowdInput, EventLog, Fence, FenceArea, FenceShape, Grade,
    Lifecycle, Monitor, MonitorConfig, SamplePosition, TelemetrySample,
};
use vigil::mission::LatLon;

fn frame() -> LocalFrame {
    LocalFrame::new(149.165_230, -35.363_261)
}

fn ll(east_m: f64, north_m: f64) -> LatLon {
    let (lon, lat) = frame().to_wgs84(east_m, north_m);
    LatLon {
        lat_deg: lat,
        lon_deg: lon,
    }
}

/// A 400 m square inclusion centred on the frame, and a 30 m exclusion circle.
fn fence() -> Fence {
    Fence {
        areas: vec![
            FenceArea {
                name: "boundary".into(),
                inclusion: true,
                shape: FenceShape::Polygon(vec![
                    ll(-200.0, -200.0),
                    ll(200.0, -200.0),
                    ll(200.0, 200.0),
                    ll(-200.0, 200.0),
                ]),
            },
            FenceArea {
                name: "stage".into(),
                inclusion: false,
                shape: FenceShape::Circle {
                    center: ll(-100.0, 0.0),
                    radius_m: 30.0,
                },
            },
        ],
        ceiling_m: Some(120.0),
        floor_m: None,
        return_point: Some(ll(0.0, 0.0)),
    }
}

fn sample(t: f64, east_m: f64, north_m: f64, v: [f64; 2], mode: &str) -> TelemetrySample {
    TelemetrySample {
        vehicle: 1,
        time_s: t,
        position: SamplePosition::Local { east_m, north_m },
        alt_rel_m: 40.0,
        velocity_mps: [v[0], v[1], 0.0],
        battery_pct: Some(80.0),
        gps_fix: Some(3),
        ekf_ok: Some(true),
        mode: Some(mode.into()),
        fence_breached: Some(false),
        armed: true,
    }
}

fn boundary() -> AlarmKind {
    AlarmKind::Fence {
        area: "boundary".into(),
    }
}

/// Drifts east from x = 150.05 m (thresholds fall between samples) at `speed` m/s, 10 Hz, until `until_s`; returns every event.
fn drift(m: &mut Monitor, speed: f64, until_s: f64, mode: &str) -> Vec<(f64, f64, AlarmEvent)> {
    let mut out = Vec::new();
    let mut k = 0u32;
    loop {
        let t = f64::from(k) * 0.1;
        if t > until_s {
            break;
        }
        let x = 150.05 + speed * t;
        for e in m.on_sample(&sample(t, x, 0.0, [speed, 0.0], mode)) {
            out.push((t, x, e));
        }
        k += 1;
    }
    out
}

#[test]
fn readings_give_exact_clearances_and_times_to_breach() {
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    m.on_sample(&sample(0.0, 150.0, 0.0, [2.0, 0.0], "AUTO"));
    let r = m.readings(1);
    assert_eq!(r.len(), 3, "boundary, stage, ceiling");
    assert_eq!(r[0].fence, "boundary");
    assert!(
        (r[0].clearance_m - 50.0).abs() < 1e-3,
        "{}",
        r[0].clearance_m
    );
    assert_eq!(r[0].edge, Some(1), "the east edge, vertices 2–3");
    let ttb = r[0].time_to_breach_s.expect("heading for the east edge");
    assert!((ttb - 25.0).abs() < 1e-3, "{ttb}");
    // The stage circle is 250 m behind, clearance 220 m, never reached heading east.
    assert!(
        (r[1].clearance_m - 220.0).abs() < 1e-3,
        "{}",
        r[1].clearance_m
    );
    assert_eq!(r[1].time_to_breach_s, None);
    assert_eq!((r[2].fence.as_str(), r[2].clearance_m), ("ceiling", 80.0));

    // Heading west at 5 m/s towards the stage: 250 - 30 = 220 m → 44 s.
    m.on_sample(&sample(0.1, 150.0, 0.0, [-5.0, 0.0], "AUTO"));
    let t = m.readings(1)[1]
        .time_to_breach_s
        .expect("heading for the stage");
    assert!((t - 44.0).abs() < 1e-3, "{t}");
}

#[test]
fn a_drift_towards_the_fence_grades_blue_then_yellow_then_orange_on_time() {
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    // 1 m/s: blue at 20 m (x > 180), yellow at 10 s (x ≥ 190), orange past x = 200.
    let events = drift(&mut m, 1.0, 52.0, "RTL");
    let ours: Vec<_> = events
        .iter()
        .filter(|(_, _, e)| e.kind == boundary())
        .collect();
    let grades: Vec<_> = ours.iter().map(|(_, _, e)| (e.event, e.grade)).collect();
    assert_eq!(
        grades,
        [
            (Lifecycle::Raised, Grade::Blue),
            (Lifecycle::Updated, Grade::Yellow),
            (Lifecycle::Updated, Grade::Orange),
        ],
        "RTL counts as recovering, so no red"
    );

    // Each within 200 ms of the first sample showing its condition (here: that very sample).
    // Samples every 0.1 s from x = 150.05: x > 180 first at t = 30.0, x ≥ 190 at t = 40.0,
    // x > 200 at t = 50.0.
    let first = |cond: &dyn Fn(f64) -> bool| {
        (0..=520)
            .map(|k| f64::from(k) * 0.1)
            .find(|t| cond(150.05 + t))
            .expect("condition shown")
    };
    let shown = [
        first(&|x| 200.0 - x < 20.0),
        first(&|x| (200.0 - x) / 1.0 <= 10.0),
        first(&|x| x > 200.0),
    ];
    for ((t, _, e), shown_t) in ours.iter().zip(shown) {
        assert!(
            *t - shown_t <= 0.2 + 1e-9 && *t >= shown_t - 1e-9,
            "{:?} at {t} s, shown at {shown_t} s",
            e.grade
        );
        assert_eq!(e.time_s, *t);
    }
    assert!((shown[0] - 30.0).abs() < 1e-6 && (shown[2] - 50.0).abs() < 1e-6);
    let orange = &ours[2].2;
    let place = orange.place.as_ref().expect("place");
    assert_eq!(place.edge.as_deref(), Some("edge 2–3"));
    assert_eq!(place.fence.as_deref(), Some("boundary"));
    assert!(place.clearance_m.expect("clearance") < 0.0);
}

#[test]
fn a_fast_vehicle_is_yellow_before_it_is_blue() {
    // At 5 m/s the 10 s horizon (50 m) lies beyond the 20 m margin.
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    let events = drift(&mut m, 5.0, 12.0, "RTL");
    let first = events
        .iter()
        .find(|(_, _, e)| e.kind == boundary())
        .expect("an alarm");
    assert_eq!(first.2.grade, Grade::Yellow);
    // 49.95 m at 5 m/s is 9.99 s: within the horizon from the first sample.
    assert_eq!(first.0, 0.0);
}

#[test]
fn red_when_breached_and_not_recovering_then_down_and_cleared_on_return() {
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    let events = drift(&mut m, 1.0, 56.0, "LOITER");
    let ours: Vec<_> = events
        .iter()
        .filter(|(_, _, e)| e.kind == boundary())
        .collect();
    let last = ours.last().expect("events");
    assert_eq!(last.2.grade, Grade::Red);
    // Orange first shown at t = 50.0 s; red 5 s later.
    assert!((last.0 - 55.0).abs() < 1e-6, "red at {}", last.0);
    assert_eq!(last.2.action, Some(AutoAction::Return));
    assert_eq!(last.2.previous_grade, Some(Grade::Orange));

    // The operator acknowledges; the vehicle turns back west at 2 m/s in RTL.
    let id = last.2.alarm_id;
    let ack = m.acknowledge(56.5, id);
    assert_eq!(ack.len(), 1);
    assert_eq!(ack[0].event, Lifecycle::Acknowledged);
    let mut seen = Vec::new();
    for k in 0..200 {
        let t = 57.0 + f64::from(k) * 0.1;
        let x = 206.0 - 2.0 * f64::from(k) * 0.1;
        for e in m.on_sample(&sample(t, x, 0.0, [-2.0, 0.0], "RTL")) {
            if e.kind == boundary() {
                seen.push((x, e.event, e.grade));
            }
        }
    }
    let steps: Vec<_> = seen.iter().map(|(_, ev, g)| (*ev, *g)).collect();
    assert_eq!(
        steps,
        [
            (Lifecycle::Updated, Grade::Orange),
            (Lifecycle::Updated, Grade::Blue),
            (Lifecycle::Cleared, Grade::Blue),
        ]
    );
    // Back inside at once; clear only beyond margin + hysteresis (22 m → x < 178).
    assert!(seen[1].0 < 200.0 && seen[1].0 > 199.0, "{}", seen[1].0);
    assert!(seen[2].0 < 178.0 && seen[2].0 > 177.7, "{}", seen[2].0);
}

#[test]
fn each_vehicle_has_its_own_alarms() {
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    let mut near = sample(0.0, 190.0, 0.0, [0.0, 0.0], "AUTO");
    let far = TelemetrySample {
        vehicle: 2,
        ..sample(0.0, 0.0, 0.0, [0.0, 0.0], "AUTO")
    };
    let e = m.on_sample(&near);
    assert_eq!((e.len(), e[0].vehicle, e[0].grade), (1, 1, Grade::Blue));
    assert!(
        m.on_sample(&far).is_empty(),
        "vehicle 2 does not clear vehicle 1's alarm"
    );
    assert_eq!(m.alarms().len(), 1);
    near.time_s = 0.1;
    assert!(m.on_sample(&near).is_empty(), "same grade: no event");
    // Vehicle 2 stays heard, vehicle 1 falls silent: only vehicle 1 is lost.
    for k in 1..=60 {
        let t = f64::from(k) * 0.1;
        m.on_sample(&TelemetrySample {
            time_s: t,
            ..far.clone()
        });
    }
    let lost: Vec<_> = m
        .on_tick(6.0)
        .into_iter()
        .filter(|e| e.kind == AlarmKind::LinkLost)
        .collect();
    assert_eq!(lost.len(), 1);
    assert_eq!((lost[0].vehicle, lost[0].grade), (1, Grade::Red));
}

#[test]
fn link_loss_near_a_fence_is_red_and_far_from_it_orange() {
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    // A vehicle named before it is heard is not lost.
    m.set_home(1, ll(0.0, 0.0));
    assert!(m.on_tick(30.0).is_empty());
    m.on_sample(&sample(0.0, 170.0, 0.0, [0.0, 0.0], "AUTO"));
    assert!(m.on_tick(4.9).iter().all(|e| e.kind != AlarmKind::LinkLost));
    let e = m.on_tick(5.0);
    let lost = e
        .iter()
        .find(|e| e.kind == AlarmKind::LinkLost)
        .expect("link lost at 5 s");
    assert_eq!((lost.grade, lost.time_s), (Grade::Red, 5.0));
    // Telemetry again: cleared.
    let e = m.on_sample(&sample(6.0, 0.0, 0.0, [0.0, 0.0], "AUTO"));
    assert!(
        e.iter()
            .any(|e| e.kind == AlarmKind::LinkLost && e.event == Lifecycle::Cleared)
    );
    // Far from every fence (100 m to the boundary, 70 m to the stage): orange.
    let e = m.on_tick(11.0);
    let lost = e
        .iter()
        .find(|e| e.kind == AlarmKind::LinkLost)
        .expect("lost");
    assert_eq!(lost.grade, Grade::Orange);
}

#[test]
fn battery_gps_ekf_vehicle_breach_and_mode_change_alarms() {
    let mut m = Monitor::new(&Fence::default(), frame(), MonitorConfig::default());
    m.set_home(1, ll(0.0, 0.0));
    let mut s = sample(0.0, 0.0, 0.0, [0.0, 0.0], "AUTO");
    assert!(m.on_sample(&s).is_empty(), "no fence, all well: nothing");

    s.time_s = 1.0;
    s.battery_pct = Some(25.0);
    let e = m.on_sample(&s);
    assert_eq!(
        (e[0].kind.clone(), e[0].grade),
        (AlarmKind::Battery, Grade::Yellow)
    );
    s.time_s = 2.0;
    s.battery_pct = Some(12.0);
    assert_eq!(m.on_sample(&s)[0].grade, Grade::Orange);
    s.time_s = 3.0;
    s.position = SamplePosition::Local {
        east_m: 400.0,
        north_m: 0.0,
    };
    let e = m.on_sample(&s);
    assert_eq!(
        (e[0].grade, e[0].action),
        (Grade::Red, Some(AutoAction::Return))
    );
    assert!(e[0].what.contains("400 m from home"), "{}", e[0].what);

    s.time_s = 4.0;
    s.gps_fix = Some(1);
    s.ekf_ok = Some(false);
    s.fence_breached = Some(true);
    let kinds: Vec<_> = m
        .on_sample(&s)
        .into_iter()
        .map(|e| (e.kind, e.grade))
        .collect();
    assert!(kinds.contains(&(AlarmKind::GpsLost, Grade::Orange)));
    assert!(kinds.contains(&(AlarmKind::EkfFailure, Grade::Orange)));
    assert!(kinds.contains(&(AlarmKind::VehicleBreach, Grade::Orange)));
    // Still breached 5 s later and not in a recovery mode: red.
    s.time_s = 9.0;
    let e = m.on_sample(&s);
    assert!(
        e.iter()
            .any(|e| e.kind == AlarmKind::VehicleBreach && e.grade == Grade::Red)
    );

    // All well again: every sample-derived alarm clears.
    s.time_s = 10.0;
    s.gps_fix = Some(3);
    s.ekf_ok = Some(true);
    s.fence_breached = Some(false);
    s.battery_pct = Some(90.0);
    let e = m.on_sample(&s);
    assert_eq!(e.len(), 4);
    assert!(e.iter().all(|e| e.event == Lifecycle::Cleared));
    assert!(m.alarms().is_empty());

    // A mode the ground station asked for raises nothing; another one does.
    m.expect_mode(1, "LOITER");
    s.time_s = 11.0;
    s.mode = Some("LOITER".into());
    assert!(m.on_sample(&s).is_empty());
    s.time_s = 12.0;
    s.mode = Some("LAND".into());
    let e = m.on_sample(&s);
    assert_eq!(
        (e[0].kind.clone(), e[0].grade),
        (AlarmKind::ModeChange, Grade::Yellow)
    );
    assert!(e[0].what.contains("LOITER to LAND"), "{}", e[0].what);
    let ev = m.acknowledge(13.0, e[0].alarm_id);
    assert_eq!(ev.last().map(|e| e.event), Some(Lifecycle::Cleared));
}

#[test]
fn ceiling_breach_is_predicted_from_the_climb_rate() {
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    let mut s = sample(0.0, 0.0, 0.0, [0.0, 0.0], "AUTO");
    s.alt_rel_m = 100.0;
    s.velocity_mps[2] = 2.5;
    let e = m.on_sample(&s);
    let c = e
        .iter()
        .find(|e| e.kind == AlarmKind::Ceiling)
        .expect("ceiling");
    // 20 m at 2.5 m/s is 8 s, within the 10 s horizon.
    assert_eq!(c.grade, Grade::Yellow);
    assert_eq!(c.place.as_ref().and_then(|p| p.time_to_breach_s), Some(8.0));
}

#[test]
fn a_live_exclusion_zone_is_watched_from_the_next_sample() {
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    let s = sample(0.0, 50.0, 50.0, [0.0, 0.0], "AUTO");
    assert!(m.on_sample(&s).is_empty());
    let mut f = fence();
    f.areas.push(FenceArea {
        name: "crowd 7".into(),
        inclusion: false,
        shape: FenceShape::Circle {
            center: ll(60.0, 50.0),
            radius_m: 15.0,
        },
    });
    m.set_fence(&f);
    let e = m.on_sample(&sample(0.1, 50.0, 50.0, [0.0, 0.0], "AUTO"));
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].kind,
        AlarmKind::Fence {
            area: "crowd 7".into()
        }
    );
    assert_eq!(e[0].grade, Grade::Orange, "inside the new zone");
    // The zone moves away: the alarm clears.
    f.areas[2].shape = FenceShape::Circle {
        center: ll(-50.0, -150.0),
        radius_m: 15.0,
    };
    m.set_fence(&f);
    let e = m.on_sample(&sample(0.2, 50.0, 50.0, [0.0, 0.0], "AUTO"));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].event, Lifecycle::Cleared);
}

#[test]
fn crowds_raise_and_clear_by_timeout() {
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    let c = CrowdInput {
        crowd_id: 4,
        time_s: 10.0,
        people: 12,
        lat_deg: -35.3632,
        lon_deg: 149.1652,
        extent_m: 6.0,
    };
    let e = m.on_crowd(&c);
    assert_eq!((e[0].vehicle, e[0].grade), (0, Grade::Yellow));
    assert_eq!(e[0].what, "crowd of 12 people, 12 m across");
    let bigger = CrowdInput {
        people: 60,
        time_s: 20.0,
        ..c.clone()
    };
    assert_eq!(m.on_crowd(&bigger)[0].grade, Grade::Orange);
    assert!(m.on_tick(49.9).is_empty());
    let e = m.on_tick(50.0);
    assert_eq!(e[0].event, Lifecycle::Cleared);
}

#[test]
fn a_crowd_from_the_thermal_pipeline_raises_an_alarm_where_it_is() {
    use vigil::thermal::{CrowdEvent, CrowdStatus};
    let event = CrowdEvent {
        crowd_id: 9,
        status: CrowdStatus::Formed,
        time_s: 812.4,
        people: 7,
        east_m: 40.0,
        north_m: -12.0,
        lat_deg: -35.363_369,
        lon_deg: 149.165_671,
        extent_m: 4.5,
        member_ids: vec![3, 4, 8, 11, 12, 15, 16],
    };
    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    let e = m.on_crowd(&CrowdInput::from_event(&event, 30.0));
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].event, e[0].kind.clone(), e[0].grade, e[0].time_s),
        (
            Lifecycle::Raised,
            AlarmKind::Crowd { crowd_id: 9 },
            Grade::Yellow,
            30.0
        )
    );
    assert_eq!(e[0].what, "crowd of 7 people, 9 m across");
    let place = e[0].place.as_ref().expect("place");
    assert_eq!((place.lat_deg, place.lon_deg), (-35.363_369, 149.165_671));
    // The same crowd again: no new alarm.
    assert!(m.on_crowd(&CrowdInput::from_event(&event, 31.0)).is_empty());
}

#[test]
fn every_lifecycle_event_is_one_json_line_in_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tlog = dir.path().join("flight-1.tlog");
    let path = EventLog::path_beside(&tlog);
    assert_eq!(path, dir.path().join("flight-1.alarms.jsonl"));
    let mut log = EventLog::open(&path).expect("open");

    let mut m = Monitor::new(&fence(), frame(), MonitorConfig::default());
    let events: Vec<_> = drift(&mut m, 1.0, 56.0, "LOITER")
        .into_iter()
        .map(|(_, _, e)| e)
        .collect();
    log.append(&events).expect("append");
    let ack = m.acknowledge(57.0, events[0].alarm_id);
    log.append(&ack).expect("append");
    drop(log);
    // Reopened, the log appends.
    let mut log = EventLog::open(&path).expect("reopen");
    let cleared = m.on_sample(&sample(58.0, 0.0, 0.0, [0.0, 0.0], "LOITER"));
    log.append(&cleared).expect("append");

    let text = std::fs::read_to_string(&path).expect("read");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let steps: Vec<(&str, &str)> = lines
        .iter()
        .map(|v| {
            (
                v["event"].as_str().unwrap_or(""),
                v["grade"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("raised", "blue"),
            ("updated", "yellow"),
            ("updated", "orange"),
            ("updated", "red"),
            ("acknowledged", "red"),
            ("cleared", "red"),
        ]
    );
    let red = &lines[3];
    assert_eq!(red["kind"]["type"], "fence");
    assert_eq!(red["kind"]["area"], "boundary");
    assert_eq!(red["action"], "return");
    assert_eq!(red["previous_grade"], "orange");
    assert_eq!(red["place"]["edge"], "edge 2–3");
    assert!(
        red["place"]["lat_deg"]
            .as_f64()
            .is_some_and(|l| (l + 35.363).abs() < 0.01)
    );
    assert!(red["todo"].as_str().is_some_and(|t| t.contains("RTL")));
    assert_eq!(lines[4]["time_s"], 57.0);
    assert!(
        lines
            .iter()
            .all(|l| l["logged_unix_s"].as_f64().is_some_and(|t| t > 1.7e9))
    );
    assert_eq!(lines[5]["time_s"], 58.0);
}
