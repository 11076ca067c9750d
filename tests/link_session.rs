//! Sessions over real loopback sockets against a scripted ArduPilot: UDP and TCP (with console
//! text and a dropped connection), telemetry into the watch stream, a verified upload through
//! the link, link loss marked stale, MAVLink 2 signing.

#![allow(deprecated, clippy::unwrap_used)]

mod support;

use std::time::Duration;

use support::peer::Peer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use vigil::link::frame::FrameParser;
use vigil::link::items::{ListKind, mission_to_wire};
use vigil::link::session::{Link, LinkConfig};
use vigil::link::transfer::VerifiedUpload;
use vigil::link::{Target, TransferConfig};
use vigil::mission::MissionItem;

const WAIT: Duration = Duration::from_secs(10);

async fn wait_for(
    rx: &mut watch::Receiver<vigil::link::state::VehicleState>,
    what: &str,
    f: impl Fn(&vigil::link::state::VehicleState) -> bool,
) {
    tokio::time::timeout(WAIT, rx.wait_for(|s| f(s)))
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
        .unwrap();
}

fn items(n: usize) -> Vec<vigil::link::items::WireItem> {
    let m: Vec<MissionItem> = (0..n)
        .map(|i| MissionItem {
            command: 16,
            frame: 3,
            params: [0.0; 4],
            lat_deg: -35.36 + i as f64 * 1e-4,
            lon_deg: 149.16,
            alt_m: 30.0,
            autocontinue: true,
        })
        .collect();
    mission_to_wire(&m, None, true).unwrap()
}

#[tokio::test]
async fn udp_session_streams_state_runs_an_upload_and_goes_stale() {
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = sock.local_addr().unwrap().port();
    let (talk_tx, talk_rx) = watch::channel(true);
    let peer_task = tokio::spawn(async move {
        let mut peer = Peer::new(None);
        let mut gcs = None;
        let mut buf = vec![0u8; 65_536];
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tokio::select! {
                r = sock.recv_from(&mut buf) => {
                    let (n, from) = r.unwrap();
                    gcs = Some(from);
                    let out = peer.on_bytes(&buf[..n]);
                    let talking = *talk_rx.borrow();
                    if !out.is_empty() && talking { sock.send_to(&out, from).await.unwrap(); }
                }
                _ = tick.tick() => {
                    let talking = *talk_rx.borrow();
                    if let (Some(g), true) = (gcs, talking) {
                        let out = peer.periodic();
                        sock.send_to(&out, g).await.unwrap();
                    }
                    if peer.ap.uploads_completed > 0 && peer.got_streams_request && !talking {
                        return peer;
                    }
                }
            }
        }
    });

    let dir = tempfile::tempdir().unwrap();
    let tlog = dir.path().join("session.tlog");
    let cfg = LinkConfig {
        link_loss: Duration::from_millis(600),
        tlog: Some(tlog.clone()),
        heartbeat_period: Duration::from_millis(200),
        ..LinkConfig::default()
    };
    let link = Link::open(&format!("udpout:127.0.0.1:{port}"), cfg)
        .await
        .unwrap();
    let v = link.wait_vehicle(WAIT).await.unwrap();
    assert_eq!(v, Target::autopilot(1));
    let mut state = link.state(v).unwrap();
    wait_for(&mut state, "a position", |s| s.position.is_some()).await;
    {
        let s = state.borrow();
        assert_eq!(s.mode.as_deref(), Some("STABILIZE"));
        assert!((s.position.unwrap().alt_rel_m - 30.0).abs() < 1e-9);
    }

    // A verified upload through the real socket.
    let up = VerifiedUpload::new(
        v,
        ListKind::Mission,
        items(30),
        true,
        TransferConfig::default(),
    );
    let rep = link.run(up).await.unwrap().unwrap();
    assert_eq!(rep.read_back.len(), 31);

    // The vehicle goes silent: stale within the link-loss time.
    talk_tx.send(false).unwrap();
    wait_for(&mut state, "stale", |s| s.stale).await;
    let peer = tokio::time::timeout(WAIT, peer_task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(peer.ap.list(ListKind::Mission).len(), 31);
    assert!(peer.got_streams_request, "telemetry was requested");

    // Everything in and out went to the tlog (flushed at least every 250 ms).
    tokio::time::sleep(Duration::from_millis(400)).await;
    let s = vigil::link::summary::summarize(&std::fs::read(&tlog).unwrap());
    assert_eq!(s.bad_bytes, 0);
    assert!(
        s.counts["MISSION_ITEM_INT"] >= 31 && s.counts["MISSION_REQUEST"] >= 31,
        "{:?}",
        s.counts
    );
    assert!(
        s.vehicles.iter().any(|v| v.system_id == 255),
        "our own frames are recorded"
    );
    assert!(link.stats().frames_in > 0);
}

#[tokio::test]
async fn tcp_client_skips_console_text_and_reconnects() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        // First connection: console text, a few frames, then the connection drops.
        let (mut s, _) = listener.accept().await.unwrap();
        let mut peer = Peer::new(None);
        s.write_all(b"Init ArduCopter V4.7.0-dev (abc123)\r\nServer started on port 5760\r\n")
            .await
            .unwrap();
        for _ in 0..3 {
            s.write_all(&peer.periodic()).await.unwrap();
        }
        drop(s);
        // Second connection: the vehicle changed mode in between.
        let (mut s, _) = listener.accept().await.unwrap();
        peer.ap.custom_mode = 3;
        let mut buf = vec![0u8; 4096];
        for _ in 0..50 {
            s.write_all(&peer.periodic()).await.unwrap();
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(50), s.read(&mut buf)).await
            {
                let out = peer.on_bytes(&buf[..n]);
                s.write_all(&out).await.unwrap();
            }
        }
    });
    let link = Link::open(&format!("tcp:127.0.0.1:{port}"), LinkConfig::default())
        .await
        .unwrap();
    let v = link.wait_vehicle(WAIT).await.unwrap();
    let mut state = link.state(v).unwrap();
    wait_for(&mut state, "AUTO after the reconnection", |s| {
        s.mode.as_deref() == Some("AUTO")
    })
    .await;
    let st = link.stats();
    assert!(
        st.skipped_bytes >= 60,
        "console text skipped: {}",
        st.skipped_bytes
    );
    assert!(st.connects >= 2 && st.disconnects >= 1, "{st:?}");
    server.abort();
}

#[tokio::test]
async fn strict_signing_drops_unsigned_frames_and_accepts_signed_ones() {
    let key = [42u8; 32];
    for (peer_key, expect_vehicle) in [(Some(key), true), (None, false)] {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let port = sock.local_addr().unwrap().port();
        let cfg = LinkConfig {
            signing: Some((key, 1, true)),
            ..LinkConfig::default()
        };
        let link = Link::open(&format!("udpout:127.0.0.1:{port}"), cfg)
            .await
            .unwrap();
        // The link's first heartbeat tells the peer where we are. Each periodic burst is a
        // heartbeat, a position and MISSION_CURRENT: 5 bursts, 15 frames.
        let mut buf = vec![0u8; 2048];
        let (n, gcs) = tokio::time::timeout(WAIT, sock.recv_from(&mut buf))
            .await
            .unwrap()
            .unwrap();
        let mut p = FrameParser::new();
        let ours = p.push(&buf[..n]);
        assert!(ours.iter().all(|f| f.signed), "outgoing frames are signed");
        let mut peer = Peer::new(peer_key);
        for _ in 0..5 {
            sock.send_to(&peer.periodic(), gcs).await.unwrap();
        }
        let heard = link.wait_vehicle(Duration::from_millis(800)).await.is_ok();
        assert_eq!(heard, expect_vehicle);
        let st = link.stats().signing;
        if expect_vehicle {
            assert_eq!((st.signed_ok, st.dropped), (15, 0));
        } else {
            assert_eq!((st.unsigned, st.dropped), (15, 15));
        }
    }
}

#[tokio::test]
async fn two_vehicles_on_one_socket_get_their_own_sessions_and_commands() {
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = sock.local_addr().unwrap().port();
    let peers = tokio::spawn(async move {
        let mut a = Peer::with_sysid(1, None);
        let mut b = Peer::with_sysid(2, None);
        let mut gcs = None;
        let mut buf = vec![0u8; 65_536];
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        for _ in 0..100 {
            tokio::select! {
                r = sock.recv_from(&mut buf) => {
                    let (n, from) = r.unwrap();
                    gcs = Some(from);
                    let mut out = a.on_bytes(&buf[..n]);
                    out.extend(b.on_bytes(&buf[..n]));
                    if !out.is_empty() { sock.send_to(&out, from).await.unwrap(); }
                }
                _ = tick.tick() => if let Some(g) = gcs {
                    let mut out = a.periodic();
                    out.extend(b.periodic());
                    sock.send_to(&out, g).await.unwrap();
                }
            }
        }
        (a, b)
    });
    let link = Link::open(&format!("udpout:127.0.0.1:{port}"), LinkConfig::default())
        .await
        .unwrap();
    link.wait_vehicle(WAIT).await.unwrap();
    tokio::time::timeout(WAIT, async {
        while link.vehicles().len() < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(
        link.vehicles(),
        vec![Target::autopilot(1), Target::autopilot(2)]
    );

    // A mode change for vehicle 2 only.
    let auto =
        vigil::link::modes::mode_number(vigil::link::modes::Firmware::ArduCopter, "AUTO").unwrap();
    let cmd = vigil::link::command::CommandTransaction::new(
        Target::autopilot(2),
        vigil::link::command::Command::set_mode(auto),
        vigil::link::command::CommandConfig::default(),
    );
    link.run(cmd).await.unwrap().unwrap();
    let mut two = link.state(Target::autopilot(2)).unwrap();
    wait_for(&mut two, "vehicle 2 in AUTO", |s| {
        s.mode.as_deref() == Some("AUTO")
    })
    .await;
    let mut one = link.state(Target::autopilot(1)).unwrap();
    wait_for(&mut one, "a TIMESYNC round trip", |s| s.link.rtt.is_some()).await;
    assert_eq!(one.borrow().mode.as_deref(), Some("STABILIZE"));
    assert!(one.borrow().link.rtt.unwrap() < Duration::from_secs(1));

    let (a, b) = peers.await.unwrap();
    assert!(
        a.ap.commands
            .iter()
            .all(|c| c.0 != mavlink::dialects::ardupilotmega::MavCmd::MAV_CMD_DO_SET_MODE)
    );
    assert_eq!(b.ap.custom_mode, 3);
}

#[tokio::test]
async fn a_tlog_replays_through_the_file_transport() {
    let Some(dir) = vigil::testdata::shared_data("file_transport") else {
        return;
    };
    let path = dir.join("tlog/code-lever_2013-10-13_18-31-24.tlog");
    let cfg = LinkConfig {
        heartbeat: false,
        request_streams: false,
        ..LinkConfig::default()
    };
    let link = Link::open(&format!("file:{}", path.display()), cfg)
        .await
        .unwrap();
    let v = link.wait_vehicle(WAIT).await.unwrap();
    assert_eq!(v, Target::autopilot(1));
    let mut st = link.state(v).unwrap();
    wait_for(&mut st, "the whole log", |s| s.link.received == 10_923).await;
    let s = st.borrow().clone();
    assert_eq!(s.mode.as_deref(), Some("STABILIZE"));
    assert!(s.position.is_some() && s.gps.is_some() && s.attitude.is_some());
    // Everything but the 1,345 frames Mission Planner sent as system 255 (our own id, skipped).
    tokio::time::timeout(WAIT, async {
        while link.stats().frames_in < 12_037 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(link.stats().frames_in, 12_037);
    assert_eq!(link.stats().frames_out, 0);
}

#[tokio::test]
async fn udpin_answers_whoever_sent_last() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = LinkConfig {
        heartbeat_period: Duration::from_millis(100),
        ..LinkConfig::default()
    };
    let link = Link::open(&format!("udpin:127.0.0.1:{port}"), cfg)
        .await
        .unwrap();
    // The vehicle speaks first (as ArduPilot does to a GCS listening on 14550).
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut peer = Peer::with_sysid(3, None);
    sock.send_to(&peer.periodic(), ("127.0.0.1", port))
        .await
        .unwrap();
    let v = link.wait_vehicle(WAIT).await.unwrap();
    assert_eq!(v.system, 3);
    // Our heartbeats now come back to the vehicle's address.
    let mut buf = vec![0u8; 2048];
    let (n, _) = tokio::time::timeout(WAIT, sock.recv_from(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let frames = FrameParser::new().push(&buf[..n]);
    assert_eq!(frames[0].header.system_id, 255);
}
