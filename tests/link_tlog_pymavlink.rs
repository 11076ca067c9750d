//! A tlog Vigil writes is read by pymavlink with the same messages and timestamps.
//! Runs when `VIGIL_PYTHON` names a Python with pymavlink (CI sets it); skipped otherwise.

#![allow(clippy::unwrap_used)]

use mavlink::dialects::ardupilotmega::*;
use mavlink::{MavHeader, MavlinkVersion};
use vigil::link::tlog::TlogWriter;

fn frame(version: MavlinkVersion, sysid: u32, seq: u8, msg: &MavMessage) -> Vec<u8> {
    let mut buf = Vec::new();
    let h = MavHeader {
        system_id: sysid,
        component_id: 1,
        sequence: seq,
    };
    mavlink::write_versioned_msg(&mut buf, version, h, msg).unwrap();
    buf
}

#[test]
fn pymavlink_reads_what_vigil_writes() {
    let Some(python) = std::env::var_os("VIGIL_PYTHON") else {
        eprintln!("pymavlink_reads_what_vigil_writes: skipped, VIGIL_PYTHON is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flight.tlog");
    let mut w = TlogWriter::create(&path).unwrap();
    let t0: u64 = 1_764_720_000_000_000;
    let hb = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
        custom_mode: 3,
        mavtype: MavType::MAV_TYPE_QUADROTOR,
        autopilot: MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA,
        base_mode: MavModeFlag::MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
        system_status: MavState::MAV_STATE_ACTIVE,
        mavlink_version: 3,
    });
    let pos = MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
        time_boot_ms: 1000,
        lat: -353_632_610,
        lon: 1_491_652_300,
        alt: 584_000,
        relative_alt: 30_000,
        vx: 100,
        vy: 0,
        vz: 0,
        hdg: 9000,
    });
    let text = MavMessage::STATUSTEXT(STATUSTEXT_DATA {
        severity: MavSeverity::MAV_SEVERITY_INFO,
        text: "Vigil tlog test".into(),
        id: 0,
        chunk_seq: 0,
    });
    for i in 0..100u64 {
        let v = if i % 2 == 0 {
            MavlinkVersion::V1
        } else {
            MavlinkVersion::V2
        };
        w.write_frame_at(t0 + i * 100_000, &frame(v, 1, i as u8, &hb))
            .unwrap();
        w.write_frame_at(
            t0 + i * 100_000 + 10,
            &frame(MavlinkVersion::V2, 1, i as u8, &pos),
        )
        .unwrap();
        if i % 10 == 0 {
            w.write_frame_at(
                t0 + i * 100_000 + 20,
                &frame(MavlinkVersion::V2, 255, i as u8, &text),
            )
            .unwrap();
        }
    }
    drop(w);

    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/read_tlog.py");
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["messages"], 210);
    assert_eq!(v["bad"], 0);
    assert_eq!(v["counts"]["HEARTBEAT"], 100);
    assert_eq!(v["counts"]["GLOBAL_POSITION_INT"], 100);
    assert_eq!(v["counts"]["STATUSTEXT"], 10);
    assert_eq!(v["sysids"], serde_json::json!([1, 255]));
    let first = v["first_timestamp"].as_f64().unwrap();
    let last = v["last_timestamp"].as_f64().unwrap();
    assert!((first - t0 as f64 * 1e-6).abs() < 1e-3, "{first}");
    assert!(
        (last - (t0 + 99 * 100_000 + 10) as f64 * 1e-6).abs() < 1e-3,
        "{last}"
    );

    // And Vigil's own reader agrees.
    let s = vigil::link::summary::summarize(&std::fs::read(&path).unwrap());
    assert_eq!((s.messages, s.mavlink1, s.bad_bytes), (210, 50, 0));
    assert!((s.duration_s - 9.900_01).abs() < 1e-9, "{}", s.duration_s);
}
