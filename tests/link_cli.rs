//! `vigil upload`, `download` and `fly` as a user runs them, against the scripted ArduPilot on
//! a loopback UDP socket.

#![allow(clippy::unwrap_used)]

mod support;

use std::process::Output;
use std::time::Duration;

use support::peer::Peer;
use tokio::sync::oneshot;
use vigil::link::items::ListKind;

const WPL: &str = "QGC WPL 110
0\t1\t0\t16\t0\t0\t0\t0\t-35.363261\t149.165230\t584.000000\t1
1\t0\t3\t22\t0\t0\t0\t0\t-35.363261\t149.165230\t20.000000\t1
2\t0\t3\t16\t0\t0\t0\t0\t-35.362500\t149.165500\t20.000000\t1
3\t0\t3\t16\t0\t0\t0\t0\t-35.362000\t149.166000\t25.000000\t1
4\t0\t3\t20\t0\t0\t0\t0\t0.000000\t0.000000\t0.000000\t1
";

/// Runs the peer on a UDP socket until `stop`; returns it for inspection.
async fn serve(sock: tokio::net::UdpSocket, mut stop: oneshot::Receiver<()>) -> Peer {
    let mut peer = Peer::new(None);
    peer.rel_alt_m = 0.0;
    let mut gcs = None;
    let mut buf = vec![0u8; 65_536];
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            r = sock.recv_from(&mut buf) => {
                let (n, from) = r.unwrap();
                gcs = Some(from);
                let out = peer.on_bytes(&buf[..n]);
                if !out.is_empty() { let _ = sock.send_to(&out, from).await; }
            }
            _ = tick.tick() => {
                if let Some(g) = gcs { let _ = sock.send_to(&peer.periodic(), g).await; }
            }
            _ = &mut stop => return peer,
        }
    }
}

async fn vigil(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_download_and_fly_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let mission = dir.path().join("patrol.waypoints");
    std::fs::write(&mission, WPL).unwrap();
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let link = format!("udpout:127.0.0.1:{}", sock.local_addr().unwrap().port());
    let (stop, stop_rx) = oneshot::channel();
    let peer = tokio::spawn(serve(sock, stop_rx));

    let m = mission.display().to_string();
    let up = vigil(vec![
        "upload".into(),
        m.clone(),
        "--link".into(),
        link.clone(),
        "--quiet".into(),
    ])
    .await;
    assert!(up.status.success(), "{}", text(&up));
    assert!(
        String::from_utf8_lossy(&up.stdout).contains("mission: 5 items uploaded and verified"),
        "{}",
        text(&up)
    );

    let out = dir.path().join("back.plan");
    let down = vigil(vec![
        "download".into(),
        "--link".into(),
        link.clone(),
        "-o".into(),
        out.display().to_string(),
    ])
    .await;
    assert!(down.status.success(), "{}", text(&down));
    let (back, _) = vigil::mission::read_mission(&out).unwrap();
    assert_eq!(back.items.len(), 4);
    assert_eq!(back.items[1].alt_m, 20.0);
    assert_eq!(back.items[3].command, 20);
    // Home is the vehicle's real home, not the file's row 0.
    assert!((back.planned_home.unwrap().alt_m - 584.0).abs() < 1e-3);

    let fly = vigil(vec![
        "fly".into(),
        m,
        "--link".into(),
        link.clone(),
        "--takeoff-alt-m".into(),
        "20".into(),
    ])
    .await;
    assert!(fly.status.success(), "{}", text(&fly));
    let s = String::from_utf8_lossy(&fly.stdout);
    assert!(
        s.contains("armed") && s.contains("landed and disarmed"),
        "{}",
        text(&fly)
    );
    assert!(s.contains("mission item 4"), "{}", text(&fly));
    assert!(s.contains("max altitude     20.0 m"), "{}", text(&fly));

    // A bad connection string is one clear line and a failure.
    let bad = vigil(vec![
        "upload".into(),
        mission.display().to_string(),
        "--link".into(),
        "tcp:nowhere".into(),
    ])
    .await;
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no port"),
        "{}",
        text(&bad)
    );

    stop.send(()).unwrap();
    let peer = peer.await.unwrap();
    assert_eq!(peer.ap.list(ListKind::Mission).len(), 5);
    assert_eq!(peer.ap.uploads_completed, 2);
    assert!(!peer.ap.armed);
}
