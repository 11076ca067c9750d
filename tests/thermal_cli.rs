//! `vigil thermal` on the real files and on a loopback UDP stream.

use std::process::Command;

use vigil::thermal::udp::UdpFrameSender;
use vigil::thermal::{Calibration, Frame, Pose};

fn vigil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
}

#[test]
fn text_output_gives_size_and_temperatures_per_file() {
    let Some(data) = vigil::testdata::shared_data("thermal_cli_text") else {
        return;
    };
    let dir = data.join("thermal");
    let out = vigil()
        .arg("thermal")
        .arg(dir.join("read_thermal_ax8.jpg"))
        .arg(dir.join("flirpy_frame_000000.fff"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].ends_with(
            "read_thermal_ax8.jpg (FLIR AX8): 80x60, min 24.36 °C, max 25.47 °C, median 25.03 °C, 0 hotspot(s), 0 person(s)"
        ),
        "{text}"
    );
    assert!(
        lines[1].contains("(Duo Pro R): 640x512, min 9.56 °C, max 12.58 °C, median 11.55 °C"),
        "{text}"
    );
}

#[test]
fn json_and_png_output_for_a_folder_with_a_calibration_for_the_tiff() {
    let Some(data) = vigil::testdata::shared_data("thermal_cli_json") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = vigil()
        .arg("thermal")
        .arg(data.join("thermal/flirpy_example_radiometric.tiff"))
        .args(["--calibration", "tlinear", "--json", "--palette", "rainbow"])
        .arg("--png-dir")
        .arg(tmp.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON object per frame");
    let stats = &v["report"]["stats"];
    assert_eq!(v["report"]["width"], 640);
    assert_eq!(stats["median_raw"], 6994);
    assert!((stats["min_c"].as_f64().expect("min") + 3.43).abs() < 0.01);
    let png = image::open(tmp.path().join("flirpy_example_radiometric.tiff.png"))
        .expect("png written")
        .into_rgba8();
    assert_eq!(png.dimensions(), (640, 512));
}

#[test]
fn a_file_without_calibration_fails_with_a_line_saying_what_to_pass() {
    let Some(data) = vigil::testdata::shared_data("thermal_cli_nocal") else {
        return;
    };
    let out = vigil()
        .arg("thermal")
        .arg(data.join("thermal/flirpy_example_radiometric.tiff"))
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no calibration") && err.contains("--calibration"),
        "{err}"
    );
}

/// Runs `vigil thermal udp:… --frames 1 <extra>` and sends it one 160×120 nadir frame at 40 m,
/// 40° HFOV (18 cm per pixel), 12 °C ground, one person of 2×2 pixels (0.13 m²) at the centre,
/// the vehicle at (−37.8183, 144.9717). Returns its standard output.
fn run_udp(extra: &[&str]) -> String {
    // Reserve a free port, release it, and let the command bind it.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = vigil()
        .args(["thermal", &format!("udp:127.0.0.1:{port}"), "--frames", "1"])
        .args(["--timeout-s", "20"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");

    let ck = |c: f64| ((c + 273.15) * 100.0).round() as u16;
    let mut s = vec![ck(12.0); 160 * 120];
    for y in 59..61 {
        for x in 79..81 {
            s[y * 160 + x] = ck(33.0);
        }
    }
    let mut frame = Frame::new(160, 120, s, Calibration::CentiKelvin, "sim").expect("frame");
    frame.boot_time_s = Some(100.0);
    let pose = Pose {
        time_s: 100.0,
        lat_deg: -37.8183,
        lon_deg: 144.9717,
        alt_m: 40.0,
        roll_deg: 0.0,
        pitch_deg: 0.0,
        yaw_deg: 0.0,
        gimbal_roll_deg: 0.0,
        gimbal_pitch_deg: -90.0,
        gimbal_yaw_deg: 0.0,
    };
    let mut tx = UdpFrameSender::new(([127, 0, 0, 1], port).into()).expect("sender");
    // The command may not have bound yet: resend the frame until it answers (bounded).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        tx.send(&frame, Some(pose), 40.0).expect("send");
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success());
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no frame received");
        std::thread::park_timeout(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    String::from_utf8(out.stdout).expect("utf8")
}

#[test]
fn udp_source_prints_placed_detections() {
    let text = run_udp(&[]);
    assert!(text.contains("udp:127.0.0.1:"), "{text}");
    assert!(text.contains("1 person(s)"), "{text}");
    // The person is under the camera: at the pose's latitude/longitude.
    assert!(
        text.contains("Person #1: 4 px, 0.13 m², centroid (80.0, 60.0)"),
        "{text}"
    );
    assert!(text.contains("at -37.8183000,144.9717000"), "{text}");
}

#[test]
fn udp_frames_are_blanked_in_privacy_zones_before_detection() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let zones = tmp.path().join("privacy.geojson");
    // A garden 8.8 m (east) × 22.2 m (north) around the point under the camera.
    std::fs::write(
        &zones,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
        "geometry":{"type":"Polygon","coordinates":[[[144.97165,-37.8184],[144.97175,-37.8184],
        [144.97175,-37.8182],[144.97165,-37.8182],[144.97165,-37.8184]]]}}]}"#,
    )
    .expect("zones written");
    let text = run_udp(&["--privacy", zones.to_str().expect("utf8 path")]);
    assert!(text.contains("0 hotspot(s), 0 person(s)"), "{text}");
    // 8.8 m × 22.2 m of ground at 18.2 cm per pixel ≈ 48 × 122 pixels, clipped to the
    // frame's 120 rows: some 5 800 pixels.
    let blanked: u32 = text
        .split("privacy: ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a privacy line");
    assert!((5_000..6_500).contains(&blanked), "{text}");
}

#[test]
fn a_file_with_a_pose_gets_its_footprint_from_the_files_own_field_of_view() {
    let Some(data) = vigil::testdata::shared_data("thermal_cli_pose") else {
        return;
    };
    // The Duo Pro R frame (45° HFOV in its metadata), nadir from 50 m above the ground.
    let out = vigil()
        .arg("thermal")
        .arg(data.join("thermal/flirpy_frame_000000.fff"))
        .args([
            "--pose",
            "53.4489064,-2.8150262,81.02,0,-90",
            "--home-alt-m",
            "31.02",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf8");
    let corners: Vec<(f64, f64)> = text
        .split("BL): ")
        .nth(1)
        .expect("a footprint line")
        .split_whitespace()
        .map(|c| {
            let (lat, lon) = c.split_once(',').expect("lat,lon");
            (lat.parse().expect("lat"), lon.parse().expect("lon"))
        })
        .collect();
    assert_eq!(corners.len(), 4);
    let f = vigil::area::LocalFrame::new(-2.8150262, 53.4489064);
    let local: Vec<(f64, f64)> = corners.iter().map(|c| f.to_local(c.1, c.0)).collect();
    // 2 · 50 · tan(22.5°) = 41.42 m wide, 512/640 of that tall; printed to 1e-7° (≈ 1 cm).
    let width = (local[1].0 - local[0].0).hypot(local[1].1 - local[0].1);
    let height = (local[2].0 - local[1].0).hypot(local[2].1 - local[1].1);
    let expect = 100.0 * 22.5f64.to_radians().tan();
    assert!((width - expect).abs() < 0.02, "{width} vs {expect}");
    assert!((height - expect * 0.8).abs() < 0.02, "{height}");
}
