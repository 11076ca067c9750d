//! The serial transport on a pseudo-terminal, with a pymavlink vehicle on the other end.
//! Runs when `VIGIL_PYTHON` names a Python with pymavlink (CI sets it); skipped otherwise.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read};
use std::time::Duration;

use vigil::link::Target;
use vigil::link::session::{Link, LinkConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serial_link_over_a_pseudo_terminal() {
    let Some(python) = std::env::var_os("VIGIL_PYTHON") else {
        eprintln!("serial_link_over_a_pseudo_terminal: skipped, VIGIL_PYTHON is not set");
        return;
    };
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/pty_peer.py");
    let mut child = std::process::Command::new(python)
        .arg(&script)
        .arg("4")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut tty = String::new();
    out.read_line(&mut tty).unwrap();
    let tty = tty.trim().to_string();
    assert!(tty.starts_with("/dev/"), "{tty:?}");

    let cfg = LinkConfig {
        heartbeat_period: Duration::from_millis(200),
        ..LinkConfig::default()
    };
    let link = Link::open(&format!("serial:{tty}:57600"), cfg)
        .await
        .unwrap();
    let v = link.wait_vehicle(Duration::from_secs(5)).await.unwrap();
    assert_eq!(v, Target::autopilot(7));
    let mut st = link.state(v).unwrap();
    tokio::time::timeout(
        Duration::from_secs(5),
        st.wait_for(|s| s.position.is_some()),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(st.borrow().mode.as_deref(), Some("RTL"));

    let rest = tokio::task::spawn_blocking(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        child.wait().unwrap();
        s
    })
    .await
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(rest.trim()).unwrap();
    assert!(v["gcs_heartbeats"].as_u64().unwrap() >= 5, "{v}");
}
