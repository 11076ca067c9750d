//! `vigil sweep` end to end against the in-process simulator, through the real MAVLink link
//! over loopback TCP: every bundled and real venue swept with 20 % packet loss each way and a
//! gusting wind; flown coverage, fences, landings and tlogs checked; failure drills.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use vigil::sweep::{Drill, SweepOptions, SweepReport};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Sweep options for a test: the simulator at 100× real time, 20 % loss, 6 m/s wind.
fn options(venue: &Path, dir: &Path) -> SweepOptions {
    SweepOptions {
        speedup: 100.0,
        loss: 0.2,
        wind_mps: 6.0,
        seed: 11,
        ..SweepOptions::new(venue, dir)
    }
}

/// One sweep at a time: each runs a simulator faster than real time on the wall clock, and
/// several side by side on a 2-core machine starve each other's simulated vehicles (a take-off
/// watched with a wall-clock budget then times out).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn sweep(opts: &SweepOptions) -> SweepReport {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(vigil::sweep::run(opts))
        .unwrap_or_else(|e| panic!("{}: {e}", opts.venue.display()))
}

/// The acceptance checks every venue must pass.
fn assert_clean(r: &SweepReport) {
    let ctx = format!("{}\n{}", r.venue, r.summary());
    assert!(r.flown_coverage_pct >= 98.0, "flown coverage: {ctx}");
    assert!(r.planned_coverage_pct >= 98.0, "planned coverage: {ctx}");
    assert!(r.landed, "not all landed: {ctx}");
    for v in &r.per_vehicle {
        assert_eq!(v.error, None, "{ctx}");
        assert!(v.landed && v.disarmed, "vehicle {}: {ctx}", v.system_id);
        assert_eq!(v.sorties_flown, v.sorties_planned, "{ctx}");
        assert!(v.fence_uploaded, "{ctx}");
        assert_eq!(v.fence_breaches, 0, "the vehicle's own fence: {ctx}");
        assert_eq!(v.breach_alarms, 0, "orange/red fence alarms: {ctx}");
        assert!(v.telemetry_points > 100, "{ctx}");
    }
    assert!(r.duration_s > 60.0, "{ctx}");
    // The report folder holds what the report names.
    for p in [&r.tlog, &r.map, &r.routes] {
        assert!(std::fs::metadata(p).unwrap().len() > 100, "{}", p.display());
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(r.map.with_file_name("report.json")).unwrap())
            .unwrap();
    for key in [
        "flown_coverage_pct",
        "planned_coverage_pct",
        "duration_s",
        "alarms",
        "detections",
        "landed",
        "tlog",
    ] {
        assert!(json.get(key).is_some(), "report.json lacks {key}");
    }
    check_tlog_with_pymavlink(&r.tlog, r.vehicles);
}

/// pymavlink reads the tlog without a bad frame, with every vehicle and the ground station in
/// it (when `VIGIL_PYTHON` names a Python with pymavlink; CI sets it).
fn check_tlog_with_pymavlink(tlog: &Path, vehicles: usize) {
    let Some(python) = std::env::var_os("VIGIL_PYTHON") else {
        eprintln!("pymavlink check skipped: VIGIL_PYTHON is not set");
        return;
    };
    let script = root().join("tests/python/read_tlog.py");
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(tlog)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["bad"], 0, "{v}");
    assert!(
        v["counts"]["GLOBAL_POSITION_INT"].as_u64().unwrap() > 100,
        "{v}"
    );
    let mut want: Vec<u64> = (1..=vehicles as u64).collect();
    want.push(255);
    assert_eq!(v["sysids"], serde_json::json!(want), "{v}");
    // Vigil's own reader counts the same messages.
    let s = vigil::link::summary::summarize(&std::fs::read(tlog).unwrap());
    assert_eq!(s.messages as u64, v["messages"].as_u64().unwrap());
}

fn real_venue(test: &str, file: &str) -> Option<PathBuf> {
    vigil::testdata::shared_data(test).map(|d| d.join("venues").join(file))
}

#[test]
fn stadium_is_swept_in_loss_and_wind() {
    let dir = tempfile::tempdir().unwrap();
    let r = sweep(&options(
        &root().join("missions/stadium.geojson"),
        dir.path(),
    ));
    assert_clean(&r);
}

#[test]
fn park_is_swept_in_loss_and_wind() {
    let dir = tempfile::tempdir().unwrap();
    let r = sweep(&options(&root().join("missions/park.geojson"), dir.path()));
    assert_clean(&r);
}

#[test]
fn real_venues_are_swept_in_loss_and_wind() {
    // (file, boundary, no-fly zones, seeded cameras) as the area and planner tests read them.
    let venues: [(&str, &str, &[&str], usize); 4] = [
        (
            "osm_purdue_stadiums_residence-halls_subset.geojson",
            "name=Ross-Ade Stadium",
            &[],
            10,
        ),
        (
            "tu-cricket-ground-kirtipur_zones.geojson",
            "name=GROUND",
            &["name=VIP", "name=TEAM STAND"],
            20,
        ),
        (
            "cityofmelbourne_parks_birrarung-marr.geojson",
            "FEATURENAM=Birrarung Marr",
            &[],
            20,
        ),
        ("qgc_PolygonGood.kml", "#0", &[], 10),
    ];
    for (file, boundary, no_fly, cameras) in venues {
        let Some(path) = real_venue("real_venues_are_swept_in_loss_and_wind", file) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let opts = SweepOptions {
            boundary: Some(boundary.into()),
            no_fly: no_fly.iter().map(|s| s.to_string()).collect(),
            seeded_cameras: cameras,
            camera_seed: 7,
            ..options(&path, dir.path())
        };
        let r = sweep(&opts);
        assert_clean(&r);
    }
}

#[test]
fn three_vehicles_share_the_park_in_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SweepOptions {
        vehicles: 3,
        ..options(&root().join("missions/park.geojson"), dir.path())
    };
    let r = sweep(&opts);
    assert_eq!(r.vehicles, 3);
    assert_eq!(
        r.per_vehicle
            .iter()
            .map(|v| v.system_id)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    // Each vehicle swept its own partition.
    for v in &r.per_vehicle {
        assert!(v.distance_m > 200.0, "{}", r.summary());
    }
    assert_clean(&r);
}

#[test]
fn a_link_cut_mid_flight_is_survived_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SweepOptions {
        drill: Some(Drill::LinkCut {
            at_s: 120.0,
            for_s: 10.0,
        }),
        loss: 0.0,
        speedup: 50.0,
        ..options(&root().join("missions/stadium.geojson"), dir.path())
    };
    let r = sweep(&opts);
    let v = &r.per_vehicle[0];
    let events: Vec<&str> = v.events.iter().map(|e| e.what.as_str()).collect();
    let ctx = format!("{events:#?}\n{}", r.summary());
    // Vigil saw the link go and come back, the vehicle's GCS failsafe returned it (RTL), and
    // the report says so.
    assert!(events.iter().any(|e| e.ends_with("link lost")), "{ctx}");
    assert!(v.reconnects >= 1, "{ctx}");
    assert!(
        events.iter().any(|e| e.contains("→ RTL")) || events.iter().any(|e| e.contains("in RTL")),
        "{ctx}"
    );
    assert!(
        r.alarms.iter().any(|a| a.what.contains("link lost")),
        "{ctx}"
    );
    assert!(v.landed && v.disarmed, "{ctx}");
}

#[test]
fn a_battery_failsafe_returns_the_vehicle_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SweepOptions {
        drill: Some(Drill::BatteryDrop {
            at_s: 120.0,
            remaining_pct: 14.0,
        }),
        loss: 0.0,
        speedup: 50.0,
        ..options(&root().join("missions/stadium.geojson"), dir.path())
    };
    let r = sweep(&opts);
    let v = &r.per_vehicle[0];
    let events: Vec<&str> = v.events.iter().map(|e| e.what.as_str()).collect();
    let ctx = format!("{events:#?}\n{:#?}\n{}", v.status_texts, r.summary());
    // The vehicle's battery failsafe took it home (RTL or LAND), the ground raised a battery
    // alarm at orange or worse, and it landed.
    assert!(
        events
            .iter()
            .any(|e| e.contains("→ RTL") || e.contains("→ LAND")),
        "{ctx}"
    );
    assert!(
        r.alarms
            .iter()
            .any(|a| a.what.contains("battery") && (a.grade == "orange" || a.grade == "red")),
        "{ctx}"
    );
    assert!(v.landed && v.disarmed, "{ctx}");
}
