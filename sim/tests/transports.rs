//! The `vigil-sim` binary's UDP output and pseudo-terminal serial port carry MAVLink both ways.

use std::io::Read;
use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mavlink::MavHeader;
use mavlink::dialects::ardupilotmega::{COMMAND_LONG_DATA, MavCmd, MavMessage, MavResult};

struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn parse_all(bytes: &[u8]) -> Vec<MavMessage> {
    let mut reader = mavlink::MavlinkReader::new(bytes);
    let mut out = Vec::new();
    while let Ok((_, m)) = reader.read_any_message::<MavMessage>() {
        out.push(m);
    }
    out
}

#[test]
fn udp_output_and_serial_pty_carry_mavlink_both_ways() {
    let gcs = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port");
    gcs.set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let port = gcs.local_addr().expect("local address").port();
    let pty = std::env::temp_dir().join(format!("vigil-sim-test-{}.pty", std::process::id()));
    let _sim = Sim(Command::new(env!("CARGO_BIN_EXE_vigil-sim"))
        .args([
            "--home",
            "-35.363261,149.165230,584",
            "--no-tcp",
            "--speedup",
            "5",
        ])
        .args(["--udp-out", &format!("127.0.0.1:{port}")])
        .arg("--serial-pty")
        .arg(&pty)
        .args(["--duration-s", "300"])
        .stdout(Stdio::null())
        .spawn()
        .expect("start vigil-sim"));

    // UDP: heartbeats arrive; a command sent back to where they came from is acknowledged.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut buf = vec![0u8; 65_536];
    let mut sim_addr = None;
    let mut acked = false;
    while Instant::now() < deadline && !acked {
        let Ok((n, from)) = gcs.recv_from(&mut buf) else {
            continue;
        };
        for m in parse_all(&buf[..n]) {
            match m {
                MavMessage::HEARTBEAT(_) if sim_addr.is_none() => {
                    sim_addr = Some(from);
                    let cmd = MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
                        command: MavCmd::MAV_CMD_REQUEST_MESSAGE,
                        param1: 148.0,
                        target_system: 1,
                        target_component: 1,
                        ..COMMAND_LONG_DATA::default()
                    });
                    let mut out = Vec::new();
                    let header = MavHeader {
                        system_id: 255,
                        component_id: 190,
                        sequence: 0,
                    };
                    mavlink::write_v2_msg(&mut out, header, &cmd).expect("serialise");
                    gcs.send_to(&out, from).expect("send");
                }
                MavMessage::COMMAND_ACK(a) => {
                    assert_eq!(a.result, MavResult::MAV_RESULT_ACCEPTED);
                    acked = true;
                }
                _ => {}
            }
        }
    }
    assert!(sim_addr.is_some(), "no heartbeat over UDP");
    assert!(acked, "no COMMAND_ACK over UDP");

    // Serial: the link at the given path reads heartbeats.
    let (tx, rx) = std::sync::mpsc::channel();
    let path = pty.clone();
    std::thread::spawn(move || {
        let Ok(mut port) = std::fs::File::open(&path) else {
            return;
        };
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        while let Ok(n) = port.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
            if parse_all(&got)
                .iter()
                .any(|m| matches!(m, MavMessage::HEARTBEAT(_)))
            {
                let _ = tx.send(());
                return;
            }
        }
    });
    assert!(
        rx.recv_timeout(Duration::from_secs(20)).is_ok(),
        "no heartbeat on {}",
        pty.display()
    );
    let _ = std::fs::remove_file(&pty);
}

#[test]
fn thermal_frames_stream_over_udp_with_ground_truth() {
    use vigil_sim::thermal::parse_chunk;

    let rx = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port");
    rx.set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let port = rx.local_addr().expect("local address").port();
    let truth = std::env::temp_dir().join(format!("vigil-sim-truth-{}.csv", std::process::id()));
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../missions/scenario_cmac_night.json"
    );
    let _sim = Sim(Command::new(env!("CARGO_BIN_EXE_vigil-sim"))
        .args([
            "--home",
            "-35.363261,149.165230,584",
            "--no-tcp",
            "--speedup",
            "5",
        ])
        .args([
            "--thermal-udp",
            &format!("127.0.0.1:{port}"),
            "--scenario",
            scenario,
        ])
        .arg("--ground-truth")
        .arg(&truth)
        .args(["--duration-s", "300"])
        .stdout(Stdio::null())
        .spawn()
        .expect("start vigil-sim"));

    // Assemble frame 1 (frame 0 may have started before the socket was read).
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut buf = vec![0u8; 65_536];
    let mut pixels = vec![0u8; 160 * 120 * 2];
    let mut seen = std::collections::BTreeSet::new();
    let mut count = 0;
    while Instant::now() < deadline && (count == 0 || seen.len() < count) {
        let Ok(n) = rx.recv(&mut buf) else { continue };
        let Some((h, px)) = parse_chunk(&buf[..n]) else {
            panic!("not a VTH1 chunk")
        };
        if h.frame_id != 1 {
            continue;
        }
        assert_eq!((h.width, h.height), (160, 120));
        count = usize::from(h.count);
        pixels[h.offset as usize..h.offset as usize + px.len()].copy_from_slice(px);
        seen.insert(h.index);
    }
    assert!(
        count > 0 && seen.len() == count,
        "frame 1 incomplete: {} of {count} chunks",
        seen.len()
    );
    let ck: Vec<u16> = pixels
        .chunks(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    // On the ground the camera sees the road it stands on (289 K) and the ground around it.
    let mean = ck.iter().map(|&p| f64::from(p)).sum::<f64>() / ck.len() as f64;
    assert!((28_250.0..29_000.0).contains(&mean), "mean {mean} cK");

    let text = std::fs::read_to_string(&truth).expect("ground truth written");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("time_boot_s,sysid,frame_id,source_id,kind,lat_deg,lon_deg")
    );
    // 2 walkers, 25 people in the crowd, 2 cars per frame.
    let frame0: Vec<&str> = lines.filter(|l| l.split(',').nth(2) == Some("0")).collect();
    assert_eq!(frame0.len(), 29, "{frame0:?}");
    assert_eq!(
        frame0
            .iter()
            .filter(|l| l.contains(",person_standing,"))
            .count(),
        25
    );
    let _ = std::fs::remove_file(&truth);
}

#[tokio::test]
async fn an_in_process_simulator_serves_tcp() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use vigil_sim::{GeoPoint, Harness, Impairment, SimConfig};

    let harness = Harness::new(
        SimConfig::new(GeoPoint::new(-35.363_261, 149.165_230, 584.0)),
        Impairment::none(),
    );
    let (addr, task) = vigil_sim::runner::spawn_tcp(harness, "127.0.0.1:0", 10.0)
        .await
        .expect("serve");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
        command: MavCmd::MAV_CMD_REQUEST_MESSAGE,
        param1: 148.0,
        target_system: 1,
        target_component: 1,
        ..COMMAND_LONG_DATA::default()
    });
    let mut out = Vec::new();
    mavlink::write_v2_msg(
        &mut out,
        MavHeader {
            system_id: 255,
            component_id: 190,
            sequence: 0,
        },
        &request,
    )
    .expect("serialise");
    stream.write_all(&out).await.expect("send");

    let mut got = Vec::new();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.expect("read");
            assert!(n > 0, "connection closed");
            got.extend_from_slice(&buf[..n]);
            if parse_all(&got)
                .iter()
                .any(|m| matches!(m, MavMessage::AUTOPILOT_VERSION(_)))
            {
                return;
            }
        }
    })
    .await;
    task.abort();
    assert!(found.is_ok(), "no AUTOPILOT_VERSION over TCP");
    // The first bytes are MAVLink: no console text in process.
    assert_eq!(got.first(), Some(&0xFD));
}
