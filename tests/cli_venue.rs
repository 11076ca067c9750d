//! `vigil venue` as a user runs it: the bundled samples, the real venues, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn vigil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .output()
        .expect("run vigil")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_report(args: &[&str]) -> Value {
    let o = vigil(args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("one JSON object")
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn stadium_sample_prints_its_blind_spot_figures() {
    let o = vigil(&["venue", "missions/stadium.geojson"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for label in [
        "venue area:",
        "covered area:",
        "blind spots:",
        "blind area:",
        "blind share:",
    ] {
        assert!(out.contains(label), "{label} missing in:\n{out}");
    }
    assert!(!out.contains("warning:"), "{out}");
}

#[test]
fn stadium_json_report_adds_up() {
    let r = json_report(&["venue", "missions/stadium.geojson", "--json"]);
    let (venue, covered, blind) = (
        num(&r, "venue_area_m2"),
        num(&r, "covered_area_m2"),
        num(&r, "blind_area_m2"),
    );
    // About 460 m × 360 m less a hotel plot and the pitch.
    assert!((100_000.0..160_000.0).contains(&venue), "{venue}");
    // Covered and blind partition the venue (blind slivers under 1 m² aside).
    assert!((covered + blind - venue).abs() < 0.001 * venue, "{r}");
    let share = num(&r, "blind_share");
    assert!(share > 0.05 && share < 0.95, "{share}");
    assert!((share - blind / venue).abs() < 1e-5);
    assert!(r["blind_spot_count"].as_u64().expect("count") >= 1);
    assert_eq!(r["cameras"], 14);
    assert_eq!(r["obstacles"], 6);
    assert_eq!(r["no_fly_zones"], 1);
    assert_eq!(r["warnings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn park_blind_spots_written_as_geojson_read_back_with_the_same_area() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("blind.geojson");
    let out_s = out.to_str().expect("utf-8 path");
    let r = json_report(&[
        "venue",
        "missions/park.geojson",
        "--json",
        "--blind-out",
        out_s,
    ]);
    assert_eq!(r["risk_zones"], 2);
    let share = num(&r, "blind_share");
    assert!(share > 0.0 && share < 1.0, "{share}");

    let text = std::fs::read_to_string(&out).expect("blind-out");
    // An independent GeoJSON reader accepts it.
    let parsed: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    assert!(matches!(parsed, geojson::GeoJson::FeatureCollection(_)));
    let g: Value = serde_json::from_str(&text).expect("json");
    let features = g["features"].as_array().expect("features");
    assert_eq!(
        features.len() as u64,
        r["blind_spot_count"].as_u64().expect("count")
    );
    let total: f64 = features
        .iter()
        .map(|f| f["properties"]["area_m2"].as_f64().expect("area_m2"))
        .sum();
    assert!((total - num(&r, "blind_area_m2")).abs() < 0.01 * features.len() as f64 + 0.01);

    // Any GIS opens it; so does Vigil: the first blind spot, read back as a venue, has the
    // area the report gave it (to 0.1 %, the file's coordinates are rounded to 1e-8°).
    let back = json_report(&["venue", out_s, "--boundary", "#0", "--json"]);
    let want = features[0]["properties"]["area_m2"].as_f64().expect("area");
    let got = num(&back, "venue_area_m2");
    assert!((got - want).abs() / want < 1e-3, "{got} vs {want}");
}

#[test]
fn real_venue_with_a_selector_and_a_no_fly_zone() {
    let Some(dir) = vigil::testdata::shared_data("cli_real_venue") else {
        return;
    };
    let path = dir.join("venues/osm_university-of-bath_subset.geojson");
    let p = path.to_str().expect("utf-8 path");
    let campus = json_report(&[
        "venue",
        p,
        "--boundary",
        "name=University of Bath",
        "--json",
    ]);
    let track = json_report(&["venue", p, "--boundary", "leisure=track", "--json"]);
    let less = json_report(&[
        "venue",
        p,
        "--boundary",
        "name=University of Bath",
        "--no-fly",
        "leisure=track",
        "--json",
    ]);
    assert_eq!(campus["venue"], "University of Bath");
    // Without cameras the whole venue is blind.
    assert_eq!(num(&campus, "blind_share"), 1.0);
    // The running track lies on the campus: making it no-fly takes its area away.
    let removed = num(&campus, "venue_area_m2") - num(&less, "venue_area_m2");
    let want = num(&track, "venue_area_m2");
    assert!((removed - want).abs() / want < 1e-3, "{removed} vs {want}");
}

fn one_error_line(o: &Output) -> String {
    assert!(!o.status.success());
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn malformed_json_is_one_line_with_line_and_column_and_no_output_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = write(
        dir.path(),
        "bad.geojson",
        "{\"type\": \"FeatureCollection\",\n\"features\": [}\n",
    );
    let out = dir.path().join("blind.geojson");
    let o = vigil(&[
        "venue",
        bad.to_str().expect("path"),
        "--blind-out",
        out.to_str().expect("path"),
    ]);
    let line = one_error_line(&o);
    assert!(line.contains("bad.geojson:2:14: malformed JSON"), "{line}");
    assert!(!out.exists());
}

#[test]
fn a_failed_run_leaves_an_existing_blind_spot_file_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = write(dir.path(), "blind.geojson", "previous good file");
    let bad = write(dir.path(), "bad.kml", "<kml><Document><Placemark>");
    let o = vigil(&[
        "venue",
        bad.to_str().expect("path"),
        "--blind-out",
        out.to_str().expect("path"),
    ]);
    let line = one_error_line(&o);
    assert!(line.contains("malformed KML"), "{line}");
    assert_eq!(
        std::fs::read_to_string(&out).expect("read"),
        "previous good file"
    );
}

#[test]
fn a_role_less_file_without_selector_says_how_to_choose() {
    let Some(dir) = vigil::testdata::shared_data("cli_no_selector") else {
        return;
    };
    let path = dir.join("venues/osm_university-of-bath_subset.geojson");
    let o = vigil(&["venue", path.to_str().expect("path")]);
    let line = one_error_line(&o);
    assert!(line.contains("--boundary"), "{line}");
    assert!(line.contains("\"University of Bath\""), "{line}");
}

#[test]
fn an_unwritable_blind_out_is_one_error_line() {
    let o = vigil(&[
        "venue",
        "missions/park.geojson",
        "--blind-out",
        "/nonexistent-dir/blind.geojson",
    ]);
    let line = one_error_line(&o);
    assert!(
        line.contains("cannot write blind spots to /nonexistent-dir/blind.geojson"),
        "{line}"
    );
}
