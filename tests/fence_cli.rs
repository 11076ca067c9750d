//! `vigil fence` as a user runs it: a clean check, one line per problem and a non-zero exit,
//! the shared QGC fence, an upload that cannot reach a vehicle, and upload, download and watch
//! against the simulator binary.

use std::process::{Command, Output};

fn vigil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run vigil")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A 300 m × 220 m inclusion with an exclusion in its middle; the route's second leg crosses
/// the exclusion between two legal waypoints (PX4 #22255's failure).
const CROSSING_PLAN: &str = r#"{"fileType":"Plan","groundStation":"QGroundControl","version":1,
 "geoFence":{"version":2,"circles":[],"polygons":[
   {"inclusion":true,"version":1,"polygon":[[47.3970,8.5440],[47.3970,8.5480],[47.3990,8.5480],[47.3990,8.5440]]},
   {"inclusion":false,"version":1,"polygon":[[47.3978,8.5455],[47.3978,8.5465],[47.3982,8.5465],[47.3982,8.5455]]}]},
 "mission":{"version":2,"firmwareType":3,"vehicleType":2,"cruiseSpeed":15,"hoverSpeed":5,
   "plannedHomePosition":[47.3975,8.5445,488],
   "items":[
    {"type":"SimpleItem","command":22,"frame":3,"autoContinue":true,"doJumpId":1,"params":[0,0,0,null,47.3975,8.5445,30]},
    {"type":"SimpleItem","command":16,"frame":3,"autoContinue":true,"doJumpId":2,"params":[0,0,0,null,47.3980,8.5450,30]},
    {"type":"SimpleItem","command":16,"frame":3,"autoContinue":true,"doJumpId":3,"params":[0,0,0,null,47.3980,8.5470,30]}]},
 "rallyPoints":{"version":2,"points":[]}}"#;

#[test]
fn a_sound_venue_fence_passes() {
    let out = vigil(&["fence", "check", "missions/stadium.geojson"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "fence OK: 3 area(s), ceiling 120 m, ArduPilot rules"
    );
}

#[test]
fn px4_limits_fail_with_one_line_per_reason() {
    let out = vigil(&[
        "fence",
        "check",
        "missions/park.geojson",
        "--autopilot",
        "px4",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "no-fly 'Lake': polygon: 144 vertices; PX4 takes at most 64 per polygon",
            "fence: all areas: 153 fence items (vertices, circles, return point); PX4 stores at \
             most 64",
        ]
    );
    assert_eq!(
        text(&out.stderr).trim(),
        "error: fence check failed: 2 problem(s) in missions/park.geojson"
    );
}

#[test]
fn a_leg_across_an_exclusion_fails_the_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("cross.plan");
    std::fs::write(&plan, CROSSING_PLAN).expect("write");
    let p = plan.to_str().expect("utf-8 path");
    let out = vigil(&["fence", "check", p]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "polygon 2: leg 3 (mission item 2 → mission item 3): enters the exclusion, up to 22.2 m \
         deep (at 47.3980000, 8.5462053)"
    );

    // The same fence checked against a mission given separately, and from a venue with the
    // route of another file: the venue's boundary is far from this route.
    let out = vigil(&["fence", "check", p, "--mission", p]);
    assert_eq!(out.status.code(), Some(1));
    let out = vigil(&["fence", "check", "missions/stadium.geojson", "--mission", p]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).lines().count() >= 3,
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_mission_without_a_fence_is_one_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("nofence.plan");
    let no_fence = CROSSING_PLAN.replace(r#""polygons":["#, r#""polygons":[],"x":["#);
    std::fs::write(&plan, no_fence).expect("write");
    let out = vigil(&["fence", "check", plan.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.trim_end().ends_with("the mission holds no geofence"),
        "{stderr}"
    );
}

#[test]
fn the_shared_qgc_geofence_passes_its_check() {
    let Some(data) = vigil::testdata::shared_data("the_shared_qgc_geofence_passes_its_check")
    else {
        return;
    };
    let plan = data.join("plan/qgc_custom_ce_geofence_outfield.plan");
    let out = vigil(&["fence", "check", plan.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout).trim(),
        "fence OK: 2 area(s), ceiling none, ArduPilot rules"
    );
}

#[test]
fn a_role_less_venue_is_checked_with_its_boundary_selected() {
    let Some(data) =
        vigil::testdata::shared_data("a_role_less_venue_is_checked_with_its_boundary_selected")
    else {
        return;
    };
    let venue = data.join("venues/cityofmelbourne_parks_birrarung-marr.geojson");
    let v = venue.to_str().expect("utf-8");
    let out = vigil(&[
        "fence",
        "check",
        v,
        "--boundary",
        "FEATURENAM=Birrarung Marr",
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout).trim(),
        "fence OK: 6 area(s), ceiling 120 m, ArduPilot rules"
    );
    // A route on the other side of the world fails, leg by leg, home first.
    let plan = data.join("plan/mavsdk_qgroundcontrol_sample.plan");
    let out = vigil(&[
        "fence",
        "check",
        v,
        "--boundary",
        "FEATURENAM=Birrarung Marr",
        "--mission",
        plan.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let first = stdout.lines().next().expect("a problem line");
    assert!(first.starts_with("boundary: home: "), "{first}");
    assert!(first.contains("m outside the inclusion"), "{first}");
}

#[test]
fn upload_without_a_vehicle_fails_with_one_error_line() {
    // Nothing listens on a fresh UDP port: no heartbeat within the wait.
    let out = vigil(&[
        "fence",
        "upload",
        "missions/stadium.geojson",
        "--link",
        "udpin:127.0.0.1:0",
        "--wait-s",
        "0.3",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].starts_with("error: no vehicle heard"), "{stderr}");
}

/// The vigil-sim binary beside vigil's (built by `cargo test --workspace`), if built.
fn sim_binary() -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_BIN_EXE_vigil")).with_file_name("vigil-sim");
    if p.is_file() {
        Some(p)
    } else if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{} is missing: CI runs cargo test --workspace", p.display());
    } else {
        eprintln!(
            "skipped: {} not built (cargo build -p vigil-sim)",
            p.display()
        );
        None
    }
}

#[test]
fn upload_then_download_against_the_simulator_over_tcp() {
    use std::io::{BufRead, BufReader};
    let Some(sim) = sim_binary() else { return };
    let mut child = Command::new(sim)
        .args([
            "--home",
            "-35.363261,149.165230,584",
            "--tcp",
            "127.0.0.1:0",
        ])
        .args(["--duration-s", "600"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start vigil-sim");
    let stdout = child.stdout.take().expect("piped stdout");
    let addr = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("vigil-sim: tcp listening on ")
                .map(str::to_owned)
        })
        .expect("the simulator's TCP address");
    let link = format!("tcp:{addr}");

    let up = vigil(&[
        "fence",
        "upload",
        "missions/stadium.geojson",
        "--link",
        &link,
    ]);
    let down = vigil(&[
        "fence",
        "download",
        "--link",
        &link,
        "--compare",
        "missions/stadium.geojson",
    ]);
    let other = vigil(&[
        "fence",
        "download",
        "--link",
        &link,
        "--compare",
        "missions/park.geojson",
    ]);
    // The simulated vehicle sits at Canberra, far outside the stadium's boundary: orange.
    let dir = tempfile::tempdir().expect("tempdir");
    let tlog = dir.path().join("flight.tlog");
    let watch = vigil(&[
        "fence",
        "watch",
        "missions/stadium.geojson",
        "--link",
        &link,
        "--duration-s",
        "2",
        "--tlog",
        tlog.to_str().expect("utf-8"),
    ]);
    // Ends the simulator this test started.
    let _ = child.kill();
    let _ = child.wait();

    assert!(up.status.success(), "{}", text(&up.stderr));
    let up_out = text(&up.stdout);
    assert_eq!(
        up_out.lines().collect::<Vec<_>>(),
        [
            "fence uploaded to system 1: 157 item(s) verified by read-back",
            "  FENCE_TYPE = 5",
            "  FENCE_ALT_MAX = 120",
            "  FENCE_ACTION = 1",
            "  FENCE_ENABLE = 1",
        ]
    );
    assert!(down.status.success(), "{}", text(&down.stderr));
    let down_out = text(&down.stdout);
    assert!(down_out.starts_with("fence: 3 polygon(s), 0 circle(s), return point set"));
    assert!(
        down_out.trim_end().ends_with("the vehicle's fence matches"),
        "{down_out}"
    );
    assert_eq!(other.status.code(), Some(1));
    assert!(text(&other.stderr).contains("the vehicle's fence differs"));

    assert!(watch.status.success(), "{}", text(&watch.stderr));
    let first = text(&watch.stdout);
    let first = first.lines().next().expect("an alarm line");
    assert!(
        first.contains("orange #1 vehicle 1 raised: inclusion fence 'boundary' breached by"),
        "{first}"
    );
    assert!(tlog.is_file());
    let log = std::fs::read_to_string(dir.path().join("flight.alarms.jsonl")).expect("alarm log");
    let line: serde_json::Value =
        serde_json::from_str(log.lines().next().expect("a line")).expect("JSON");
    assert_eq!(line["event"], "raised");
    assert_eq!(line["grade"], "orange");
    assert_eq!(line["kind"]["area"], "boundary");
}
