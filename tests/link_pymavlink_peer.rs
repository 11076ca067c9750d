//! The link against an independent MAVLink implementation: a pymavlink autopilot
//! (tests/python/mission_peer.py) over loopback UDP. Runs when `VIGIL_PYTHON` names a Python
//! with pymavlink (CI sets it); skipped otherwise.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use vigil::link::TransferConfig;
use vigil::link::items::{ListKind, compare_items, mission_to_wire};
use vigil::link::session::{Link, LinkConfig};
use vigil::link::transfer::VerifiedUpload;
use vigil::mission::MissionItem;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_upload_and_download_against_pymavlink() {
    let Some(python) = std::env::var_os("VIGIL_PYTHON") else {
        eprintln!(
            "verified_upload_and_download_against_pymavlink: skipped, VIGIL_PYTHON is not set"
        );
        return;
    };
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/mission_peer.py");
    let child = std::process::Command::new(python)
        .arg(&script)
        .arg(port.to_string())
        .arg("20")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The peer needs a moment to bind; our heartbeats (every 200 ms) reach it once it has.
    let cfg = LinkConfig {
        heartbeat_period: Duration::from_millis(200),
        ..LinkConfig::default()
    };
    let link = Link::open(&format!("udpout:127.0.0.1:{port}"), cfg)
        .await
        .unwrap();
    let v = link.wait_vehicle(Duration::from_secs(10)).await.unwrap();
    let mut state = link.state(v).unwrap();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| s.position.is_some()),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(state.borrow().mode.as_deref(), Some("LOITER"));

    let mission: Vec<MissionItem> = (0..60)
        .map(|i| MissionItem {
            command: if i % 10 == 0 { 178 } else { 16 },
            frame: if i % 10 == 0 { 2 } else { 3 },
            params: [1.0, 2.5, f64::from(i), 0.0],
            lat_deg: if i % 10 == 0 {
                0.0
            } else {
                -35.36 + f64::from(i) * 1e-5
            },
            lon_deg: if i % 10 == 0 { 0.0 } else { 149.16 },
            alt_m: if i % 10 == 0 { 0.0 } else { 25.0 },
            autocontinue: true,
        })
        .collect();
    let wire = mission_to_wire(&mission, None, true).unwrap();
    let up = VerifiedUpload::new(
        v,
        ListKind::Mission,
        wire.clone(),
        true,
        TransferConfig::default(),
    );
    let rep = link.run(up).await.unwrap().unwrap();
    assert!(rep.upload.ack_seen);
    // The read-back went through pymavlink's encoder: every field, home item included.
    assert!(compare_items(&wire, &rep.read_back, false, false).is_empty());
    assert_eq!(
        rep.read_back[11].command_id(),
        178,
        "item 10 after the home item"
    );

    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["items"], 61);
}
