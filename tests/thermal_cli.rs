//! `vigil thermal` on the real files and on a loopback UDP stream.

use std::process::Command;

use vigil::thermal::udp::{DEFAULT_PAYLOAD, StreamFrame, encode};
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

#[test]
fn udp_source_prints_placed_detections() {
    // Reserve a free port, release it, and let the command bind it.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = vigil()
        .args(["thermal", &format!("udp:127.0.0.1:{port}"), "--frames", "1"])
        .args(["--timeout-s", "20"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");

    // A 160×120 nadir frame at 40 m, 40° HFOV (18 cm per pixel), 12 °C ground, one person of
    // 2×2 pixels (0.13 m²) at the centre.
    let ck = |c: f64| ((c + 273.15) * 100.0).round() as u16;
    let mut s = vec![ck(12.0); 160 * 120];
    for y in 59..61 {
        for x in 79..81 {
            s[y * 160 + x] = ck(33.0);
        }
    }
    let mut frame = Frame::new(160, 120, s, Calibration::CentiKelvin, "sim").expect("frame");
    frame.boot_time_s = Some(100.0);
    let sf = StreamFrame {
        frame_id: 1,
        frame,
        pose: Some(Pose {
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
        }),
        hfov_deg: 40.0,
    };
    let chunks = encode(&sf, DEFAULT_PAYLOAD).expect("encode");
    let tx = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    // The command may not have bound yet: resend the frame until it answers (bounded).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        for c in &chunks {
            tx.send_to(c, ("127.0.0.1", port)).expect("send");
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success());
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no frame received");
        std::thread::yield_now();
        std::thread::park_timeout(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(text.contains("udp:127.0.0.1:"), "{text}");
    assert!(text.contains("1 person(s)"), "{text}");
    // The person is under the camera: at the pose's latitude/longitude.
    assert!(
        text.contains("Person #1: 4 px, 0.13 m², centroid (80.0, 60.0)"),
        "{text}"
    );
    assert!(text.contains("at -37.8183000,144.9717000"), "{text}");
}
