//! `vigil plan` end to end: a venue file with every role in, missions, route GeoJSON and
//! report out.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use vigil::area::LocalFrame;
use vigil::mission::read_mission;

fn ring(frame: &LocalFrame, pts: &[(f64, f64)]) -> Value {
    let mut v: Vec<Value> = pts
        .iter()
        .map(|&(x, y)| {
            let (lon, lat) = frame.to_wgs84(x, y);
            json!([lon, lat])
        })
        .collect();
    v.push(v[0].clone());
    json!([v])
}

/// A 400 m × 300 m venue with a no-fly tower (10 m margin), one camera, a risk zone and home.
fn write_venue(dir: &Path) -> std::path::PathBuf {
    let f = LocalFrame::new(-0.1276, 51.5072);
    let pt = |x: f64, y: f64| {
        let (lon, lat) = f.to_wgs84(x, y);
        json!({ "type": "Point", "coordinates": [lon, lat] })
    };
    let venue = json!({
        "type": "FeatureCollection",
        "features": [
            { "type": "Feature", "properties": { "role": "boundary", "name": "Test ground" },
              "geometry": { "type": "Polygon", "coordinates": ring(&f, &[(-200.0, -150.0), (200.0, -150.0), (200.0, 150.0), (-200.0, 150.0)]) } },
            { "type": "Feature", "properties": { "role": "no_fly", "name": "Tower", "margin_m": 10.0 },
              "geometry": { "type": "Polygon", "coordinates": ring(&f, &[(-20.0, -20.0), (20.0, -20.0), (20.0, 20.0), (-20.0, 20.0)]) } },
            { "type": "Feature", "properties": { "role": "camera", "name": "C1", "heading_deg": 45.0, "hfov_deg": 90.0, "range_m": 120.0 },
              "geometry": pt(-190.0, -140.0) },
            { "type": "Feature", "properties": { "role": "risk", "name": "Gate", "level": 3, "revisit_min": 10.0 },
              "geometry": { "type": "Polygon", "coordinates": ring(&f, &[(150.0, 100.0), (190.0, 100.0), (190.0, 140.0), (150.0, 140.0)]) } },
            { "type": "Feature", "properties": { "role": "home", "alt_m": 35.0 }, "geometry": pt(-180.0, 130.0) },
        ]
    });
    let path = dir.join("venue.geojson");
    std::fs::write(&path, serde_json::to_string(&venue).expect("json")).expect("write venue");
    path
}

fn vigil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
}

#[test]
fn plan_writes_missions_route_and_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let venue = write_venue(dir.path());
    let out = dir.path().join("sweep.plan");
    let report = dir.path().join("report.json");
    let route = dir.path().join("route.geojson");
    let status = vigil()
        .args([
            "plan",
            venue.to_str().expect("utf8"),
            "--camera",
            "vuepro-r-640-13",
            "--alt",
            "50",
        ])
        .args(["--endurance-min", "60", "-o", out.to_str().expect("utf8")])
        .args([
            "--report",
            report.to_str().expect("utf8"),
            "--geojson",
            route.to_str().expect("utf8"),
        ])
        .output()
        .expect("run vigil");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );

    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    for key in [
        "swath_m",
        "path_length_m",
        "flight_time_s",
        "turns",
        "sorties",
        "blind_area_m2",
        "covered_blind_area_m2",
        "coverage_pct",
        "compute_ms",
    ] {
        assert!(r.get(key).is_some(), "report lacks {key}");
    }
    // 45° camera at 50 m with 20 % side overlap: 2 · 50 · tan 22.5° · 0.8 = 33.14 m.
    assert!((r["swath_m"].as_f64().expect("swath") - 33.137).abs() < 0.01);
    assert!(r["coverage_pct"].as_f64().expect("pct") >= 99.5, "{r}");
    assert_eq!(r["sorties"], 1);
    assert_eq!(r["risk"][0]["name"], "Gate");

    // The mission reads back: take-off, speed, waypoints at 50 m relative to home, RTL.
    let (m, _) = read_mission(&out).expect("read plan");
    let (w, _) = read_mission(&out.with_extension("waypoints")).expect("read waypoints");
    assert_eq!(m.items.len(), w.items.len());
    assert_eq!(m.items[0].command, 22);
    assert_eq!(m.items[1].command, 178);
    assert_eq!(m.items[1].params[1], 10.0);
    assert_eq!(m.items.last().expect("items").command, 20);
    for it in &m.items[2..m.items.len() - 1] {
        assert_eq!((it.command, it.frame), (16, 3));
        assert_eq!(it.alt_m, 50.0);
    }
    let home = m.planned_home.expect("home");
    assert!((home.alt_m - 35.0).abs() < 1e-9);

    // The venue's fence travels in the .plan: the boundary as inclusion, the tower grown by
    // its 10 m margin as exclusion, home as return point.
    let f = LocalFrame::new(-0.1276, 51.5072);
    assert_eq!(m.fence.polygons.len(), 2, "{:?}", m.fence);
    assert!(m.fence.polygons[0].inclusion && !m.fence.polygons[1].inclusion);
    let xs: Vec<f64> = m.fence.polygons[1]
        .vertices
        .iter()
        .map(|v| f.to_local(v.lon_deg, v.lat_deg).0)
        .collect();
    let widest = xs.iter().cloned().fold(0.0, f64::max);
    assert!(
        (widest - 30.0).abs() < 0.5,
        "tower exclusion reaches x = {widest} m"
    );
    let ret = m.fence.return_point.expect("return point");
    assert!((ret.lat_deg - home.lat_deg).abs() < 1e-9 && (ret.lon_deg - home.lon_deg).abs() < 1e-9);
    // The .waypoints file cannot hold it; the route respects it by `vigil fence check`.
    assert!(w.fence.polygons.is_empty());
    let check = vigil()
        .args(["fence", "check", out.to_str().expect("utf8")])
        .output()
        .expect("run fence check");
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("fence OK: 2 area(s)"));

    let g: Value =
        serde_json::from_str(&std::fs::read_to_string(&route).expect("route")).expect("json");
    let kinds: Vec<&str> = g["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap_or(""))
        .collect();
    assert!(
        kinds.contains(&"route") && kinds.contains(&"swath"),
        "{kinds:?}"
    );
}

#[test]
fn two_vehicles_get_one_mission_each_named_by_vehicle_and_sortie() {
    let dir = tempfile::tempdir().expect("tempdir");
    let venue = write_venue(dir.path());
    let out = dir.path().join("m.waypoints");
    let status = vigil()
        .args([
            "plan",
            venue.to_str().expect("utf8"),
            "--swath",
            "30",
            "--vehicles",
            "2",
            "--seed",
            "5",
            // 30 min on the ground between sorties: no vehicle can look at the Gate every
            // 10 min, so each reports it.
            "--turnaround-min",
            "30",
        ])
        .args(["--endurance-min", "60", "-o", out.to_str().expect("utf8")])
        .output()
        .expect("run vigil");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(!out.exists());
    // Each vehicle's line about the risk zone says which vehicle it is about.
    let stdout = String::from_utf8_lossy(&status.stdout);
    for v in [1, 2] {
        assert!(
            stdout.contains(&format!("risk zone Gate (level 3) on vehicle {v}: revisit")),
            "{stdout}"
        );
    }
    for v in [1, 2] {
        for ext in ["waypoints", "plan"] {
            let p = dir.path().join(format!("m-v{v}-s1.{ext}"));
            assert!(p.exists(), "{}", p.display());
        }
        // The second vehicle flies 5 m higher.
        let (m, _) = read_mission(&dir.path().join(format!("m-v{v}-s1.plan"))).expect("read");
        assert_eq!(m.items[0].alt_m, 40.0 + 5.0 * f64::from(v - 1));
    }
}

#[test]
fn an_unknown_camera_is_refused_with_the_presets_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let venue = write_venue(dir.path());
    let out = vigil()
        .args([
            "plan",
            venue.to_str().expect("utf8"),
            "--camera",
            "nope",
            "-o",
        ])
        .arg(dir.path().join("m.plan"))
        .output()
        .expect("run vigil");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope") && err.contains("h20t"), "{err}");
}

#[test]
fn a_sortie_file_that_cannot_be_written_leaves_none_of_the_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let venue = write_venue(dir.path());
    let out = dir.path().join("m.plan");
    // The second vehicle's mission path is taken by a folder: its file cannot be written.
    std::fs::create_dir(dir.path().join("m-v2-s1.plan")).expect("mkdir");
    let status = vigil()
        .args(["plan", venue.to_str().expect("utf8"), "--swath", "30"])
        .args(["--vehicles", "2", "--endurance-min", "60", "-o"])
        .arg(&out)
        .output()
        .expect("run vigil");
    assert!(!status.status.success());
    let err = String::from_utf8_lossy(&status.stderr);
    assert!(err.contains("m-v2-s1.plan"), "{err}");
    // Nothing but the venue and the folder is left: no first vehicle's files, no temporaries.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["m-v2-s1.plan", "venue.geojson"]);
}
