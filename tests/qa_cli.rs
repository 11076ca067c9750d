//! Regressions found by trying the command line as a new user: one clear error line for bad
//! input, negative numbers reaching the checks, and no file written on error.

use std::path::Path;
use std::process::{Command, Output};

fn vigil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .output()
        .expect("run vigil")
}

/// The single `error:` line of a failed run (exit code 1, nothing else on stderr).
fn one_error_line(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "exit code; stderr: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_missing_file_is_reported_once() {
    // The io error used to be printed twice: in the library's message and again as its cause.
    let line = one_error_line(&vigil(&["venue", "no-such-venue.geojson"]));
    assert_eq!(
        line,
        "error: no-such-venue.geojson: cannot read: No such file or directory (os error 2)"
    );
    let line = one_error_line(&vigil(&["convert", "no-such.plan", "out.waypoints"]));
    assert_eq!(
        line.matches("No such file or directory").count(),
        1,
        "{line}"
    );
    assert!(line.contains("no-such.plan"), "{line}");
    let line = one_error_line(&vigil(&[
        "upload",
        "no-such.plan",
        "--link",
        "tcp:127.0.0.1:9",
    ]));
    assert_eq!(line.matches("no-such.plan").count(), 1, "{line}");
}

#[test]
fn negative_plan_options_are_refused_by_name_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("sweep.plan");
    let out = out.to_str().expect("utf-8 path");
    let cases: [(&[&str], &str); 6] = [
        (&["--alt", "-10"], "option alt_m = -10 is invalid"),
        (&["--speed", "-3"], "option speed_mps = -3 is invalid"),
        (&["--margin", "-2"], "option margin_m = -2 is invalid"),
        (&["--swath", "-5"], "option swath_m = -5 is invalid"),
        // The overlap is named, not the zero swath it would give.
        (&["--overlap", "1"], "option overlap = 1 is invalid"),
        (
            &["--endurance-min", "-1"],
            "option endurance_s = -60 is invalid",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["plan", "missions/stadium.geojson", "-o", out];
        args.extend_from_slice(extra);
        let line = one_error_line(&vigil(&args));
        assert!(line.contains(expected), "{extra:?}: {line}");
    }
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn an_output_folder_that_does_not_exist_is_named_not_a_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blind = dir.path().join("missing").join("blind.geojson");
    let line = one_error_line(&vigil(&[
        "venue",
        "missions/stadium.geojson",
        "--blind-out",
        blind.to_str().expect("utf-8"),
    ]));
    assert!(!line.contains("missing/.tmp"), "{line}");
    assert!(
        line.ends_with(&format!(
            "cannot create a file in {}: No such file or directory (os error 2)",
            dir.path().join("missing").display()
        )),
        "{line}"
    );
}

#[test]
fn a_no_fly_selector_that_matches_nothing_lists_the_polygons_without_boundary_advice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let venue = dir.path().join("plain.geojson");
    std::fs::write(
        &venue,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"Field"},"geometry":{"type":"Polygon",
         "coordinates":[[[0,0],[0.001,0],[0.001,0.001],[0,0.001],[0,0]]]}}]}"#,
    )
    .expect("write venue");
    let line = one_error_line(&vigil(&[
        "venue",
        venue.to_str().expect("utf-8"),
        "--boundary",
        "name=Field",
        "--no-fly",
        "name=Lake",
    ]));
    assert!(
        line.ends_with(
            "selector \"name=Lake\" matches no polygon feature; the file's polygon features \
             are #0 \"Field\""
        ),
        "{line}"
    );
}

#[test]
fn converting_a_file_onto_itself_is_refused_and_leaves_it_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("m.plan");
    let original = r#"{"fileType":"Plan","version":1,"groundStation":"QGroundControl",
      "geoFence":{"version":2,"polygons":[],"circles":[]},"rallyPoints":{"version":2,"points":[]},
      "mission":{"version":2,"firmwareType":3,"vehicleType":2,"cruiseSpeed":15,"hoverSpeed":5,
      "plannedHomePosition":[47.6,-122.1,20],"items":[]}}"#;
    std::fs::write(&plan, original).expect("write plan");
    let p = plan.to_str().expect("utf-8");
    // The same file, also when named differently.
    let again = dir.path().join(".").join("m.plan");
    let line = one_error_line(&vigil(&["convert", p, again.to_str().expect("utf-8")]));
    assert!(line.ends_with("the output is the input file; write the conversion to another file"));
    assert_eq!(std::fs::read_to_string(&plan).expect("read"), original);
}

#[test]
fn download_checks_its_output_before_opening_the_link() {
    // Port 9 on loopback refuses connections: without the check this waited for a vehicle.
    let started = std::time::Instant::now();
    let line = one_error_line(&vigil(&[
        "download",
        "--link",
        "tcp:127.0.0.1:9",
        "--wait-s",
        "10",
        "-o",
        "onboard.kml",
    ]));
    assert_eq!(
        line,
        "error: onboard.kml: expected a .plan, .waypoints or .txt file name"
    );
    let line = one_error_line(&vigil(&[
        "download",
        "--link",
        "tcp:127.0.0.1:9",
        "-o",
        "no-such-folder/onboard.plan",
    ]));
    assert!(
        line.ends_with("the folder no-such-folder does not exist"),
        "{line}"
    );
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn no_vehicle_heard_says_why_the_link_is_down() {
    let o = vigil(&[
        "download",
        "--link",
        "tcp:127.0.0.1:9",
        "--wait-s",
        "1",
        "-o",
        "onboard.plan",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(
            "error: no vehicle heard on tcp:127.0.0.1:9 within 1s (link down: cannot connect to \
             127.0.0.1:9: Connection refused"
        ),
        "{err}"
    );
}

#[test]
fn a_venue_the_cameras_see_whole_plans_nothing_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let venue = dir.path().join("seen.geojson");
    // A 22 m square watched from two opposite corners, with no home point.
    std::fs::write(
        &venue,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"role":"boundary","name":"Tiny"},"geometry":{"type":"Polygon",
         "coordinates":[[[0,0],[0.0002,0],[0.0002,0.0002],[0,0.0002],[0,0]]]}},
        {"type":"Feature","properties":{"role":"camera","heading_deg":45,"hfov_deg":120,"range_m":200},
         "geometry":{"type":"Point","coordinates":[0.00001,0.00001]}},
        {"type":"Feature","properties":{"role":"camera","heading_deg":225,"hfov_deg":120,"range_m":200},
         "geometry":{"type":"Point","coordinates":[0.00019,0.00019]}}]}"#,
    )
    .expect("write venue");
    let out = dir.path().join("m.plan");
    let o = vigil(&[
        "plan",
        venue.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("0 sortie(s) on 1 vehicle(s), 0 m, 0 s"),
        "{text}"
    );
    assert!(!text.contains("-0"), "{text}");
    assert!(
        text.ends_with("nothing to sweep: no blind spot to cover, so no mission was written\n"),
        "{text}"
    );
    // Warnings are plain `warning:` lines (no colour codes when not on a terminal).
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("warning: ")
            && err.contains("the venue has no home point")
            && !err.contains('\u{1b}'),
        "{err}"
    );
    assert_eq!(files_in(dir.path()), ["seen.geojson"]);
}

#[test]
fn a_silent_thermal_stream_is_an_error_not_an_empty_success() {
    let line = one_error_line(&vigil(&[
        "thermal",
        "udp:127.0.0.1:0",
        "--timeout-s",
        "0.3",
    ]));
    assert_eq!(
        line,
        "error: udp:127.0.0.1:0: no thermal frame within 0.3 s (0 datagram(s) received that are \
         not Vigil's or vigil-sim's frame chunks)"
    );
}

#[test]
fn a_blind_spot_enclosed_by_a_no_fly_ring_is_named_on_the_map() {
    // A running track as a no-fly ring: its infield is blind but cannot be reached from home
    // (outside the ring) without crossing the track. It used to refuse the plan in local metres.
    let dir = tempfile::tempdir().expect("tempdir");
    let venue = dir.path().join("track.geojson");
    std::fs::write(
        &venue,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"role":"boundary","name":"Campus"},"geometry":{"type":"Polygon",
         "coordinates":[[[0,0],[0.004,0],[0.004,0.004],[0,0.004],[0,0]]]}},
        {"type":"Feature","properties":{"role":"no_fly","name":"Track"},"geometry":{"type":"Polygon",
         "coordinates":[[[0.001,0.001],[0.003,0.001],[0.003,0.003],[0.001,0.003],[0.001,0.001]],
                        [[0.0015,0.0015],[0.0015,0.0025],[0.0025,0.0025],[0.0025,0.0015],[0.0015,0.0015]]]}},
        {"type":"Feature","properties":{"role":"home"},"geometry":{"type":"Point","coordinates":[0.0002,0.0002]}}]}"#,
    )
    .expect("write venue");
    let out = dir.path().join("m.plan");
    let o = vigil(&[
        "plan",
        venue.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    // The rest of the venue is planned; the infield is named by lat/lon, not refused.
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("unreachable: "))
        .unwrap_or_else(|| panic!("no unreachable line in: {stdout}"));
    assert!(
        line.contains("of blind area at 0.002000, 0.002000 (lat, lon) cannot be seen"),
        "{line}"
    );
    assert!(files_in(dir.path()).iter().any(|f| f == "m-v1-s1.plan"));
}

#[test]
fn purging_a_missing_record_folder_says_so() {
    // A missing folder used to end silently.
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("flights");
    let o = vigil(&[
        "thermal",
        "--record",
        missing.to_str().expect("utf-8"),
        "--purge-older-than-h",
        "72",
    ]);
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!("nothing to purge: {} does not exist\n", missing.display())
    );
}

#[test]
fn a_file_without_valid_frames_says_every_byte_was_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.tlog");
    // A MAVLink 1 heartbeat's shape with a wrong checksum, behind a timestamp.
    let mut bytes = vec![0u8; 8];
    bytes.extend_from_slice(&[0xfe, 9, 0, 1, 1, 0, 0, 0, 0, 0, 2, 3, 0x51, 4, 3, 0, 0]);
    std::fs::write(&junk, &bytes).expect("write");
    let line = one_error_line(&vigil(&["replay", junk.to_str().expect("utf-8")]));
    assert!(
        line.ends_with(&format!(
            "junk.tlog: no MAVLink frame with a valid checksum in {} bytes, all skipped \
             (expected a .tlog: 8-byte big-endian timestamp, then a frame)",
            bytes.len()
        )),
        "{line}"
    );
}
