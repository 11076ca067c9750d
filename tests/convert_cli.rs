//! `vigil convert` as a user runs it: warnings for what the target cannot hold, one error line
//! and no output file on failure.

use std::process::Command;

fn vigil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
}

const PLAN_WITH_FENCE: &str = r#"{"fileType":"Plan","geoFence":{"circles":[{"circle":{"center":[47.5,8.5],"radius":100},"inclusion":true,"version":1}],"polygons":[],"version":2},"mission":{"firmwareType":3,"items":[{"type":"SimpleItem","command":16,"frame":3,"autoContinue":true,"params":[0,0,0,null,47.5,8.5,30]}],"plannedHomePosition":[47.5,8.5,400]},"rallyPoints":{"points":[],"version":2},"version":1}"#;

#[test]
fn convert_writes_the_target_and_warns_about_what_it_cannot_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.plan");
    let output = dir.path().join("out.waypoints");
    std::fs::write(&input, PLAN_WITH_FENCE).expect("write");

    let out = vigil()
        .arg("convert")
        .arg(&input)
        .arg(&output)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].contains("fence (1 circle(s)) not written"),
        "{stderr}"
    );
    assert!(
        warnings[1].contains("firmware type 3 not written"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&output).expect("output"),
        "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t47.5\t8.5\t400\t1\n\
         1\t0\t3\t16\t0\t0\t0\tNaN\t47.5\t8.5\t30\t1\n"
    );
}

#[test]
fn convert_fails_with_one_line_and_no_output_on_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("bad.waypoints");
    let output = dir.path().join("out.plan");
    std::fs::write(
        &input,
        "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t95\t8\t400\t1\n",
    )
    .expect("write");

    let out = vigil()
        .arg("convert")
        .arg(&input)
        .arg(&output)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("bad.waypoints: line 2, field 9 (latitude): expected a latitude"),
        "{stderr}"
    );
    assert!(errors[0].contains("found \"95\""), "{stderr}");
    assert!(!output.exists());
}

#[test]
fn convert_to_a_legacy_fence_without_a_polygon_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.plan");
    let output = dir.path().join("fence.txt");
    std::fs::write(&input, PLAN_WITH_FENCE).expect("write");

    let out = vigil()
        .args(["convert", "--format", "legacy-fence"])
        .arg(&input)
        .arg(&output)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write legacy-fence"), "{stderr}");
    assert!(!output.exists());
}
