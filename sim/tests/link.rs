//! The link around the simulator: MAVLink 2 signing, several vehicles on one link, and frames
//! damaged or lost by the impairment.

mod common;

use std::time::Duration;

use common::{Gcs, home, secs};
use mavlink::dialects::ardupilotmega::{COMMAND_LONG_DATA, MavCmd, MavMessage, MavResult};
use mavlink::{MavHeader, MavlinkReader, SigningConfig, SigningData};
use vigil_sim::{Harness, Impairment, Signing, SimConfig};

const KEY: [u8; 32] = [7; 32];

fn arm_command() -> MavMessage {
    MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
        param1: 1.0,
        command: MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
        target_system: 1,
        target_component: 1,
        ..COMMAND_LONG_DATA::default()
    })
}

fn frame(msg: &MavMessage, signing: Option<&SigningData>) -> Vec<u8> {
    let header = MavHeader {
        system_id: 255,
        component_id: 190,
        sequence: 0,
    };
    let mut bytes = Vec::new();
    mavlink::write_v2_msg_signed(&mut bytes, header, msg, signing).expect("serialise");
    bytes
}

fn acks(chunks: &[Vec<u8>], signing: Option<&SigningData>) -> Vec<MavResult> {
    let bytes: Vec<u8> = chunks.concat();
    let mut reader = MavlinkReader::new(bytes.as_slice());
    let mut out = Vec::new();
    loop {
        let next = match signing {
            Some(s) => reader.read_any_message_signed::<MavMessage>(Some(s)),
            None => reader.read_any_message::<MavMessage>(),
        };
        match next {
            Ok((_, MavMessage::COMMAND_ACK(a))) => out.push(a.result),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    out
}

#[test]
fn required_signing_drops_unsigned_frames_and_signs_its_own() {
    let mut cfg = SimConfig::new(home());
    cfg.signing = Some(Signing {
        key: KEY,
        required: true,
    });
    let mut h = Harness::new(cfg, Impairment::none());
    let gcs_signing = SigningData::from_config(SigningConfig::new(KEY, 1, true, false));

    h.send(&frame(&arm_command(), None));
    let got = h.advance(Duration::from_millis(100));
    assert!(
        acks(&got, Some(&gcs_signing)).is_empty(),
        "an unsigned command was obeyed"
    );

    h.send(&frame(&arm_command(), Some(&gcs_signing)));
    let got = h.advance(Duration::from_millis(100));
    // Every frame the simulator sends carries a signature (incompatibility flag 0x01)...
    assert!(got.iter().all(|f| f[2] & 0x01 == 0x01));
    // ...that checks out with the key, and the signed command was answered (STABILIZE arms).
    assert_eq!(
        acks(&got, Some(&gcs_signing)),
        vec![MavResult::MAV_RESULT_ACCEPTED]
    );
    assert!(h.sim.vehicle(1).is_some_and(|v| v.armed()));
}

#[test]
fn accepted_signing_still_takes_unsigned_frames() {
    let mut cfg = SimConfig::new(home());
    cfg.signing = Some(Signing {
        key: KEY,
        required: false,
    });
    let mut h = Harness::new(cfg, Impairment::none());
    h.send(&frame(&arm_command(), None));
    let got = h.advance(Duration::from_millis(100));
    assert_eq!(acks(&got, None), vec![MavResult::MAV_RESULT_ACCEPTED]);
}

#[test]
fn commands_reach_only_their_target_vehicle() {
    let mut cfg = SimConfig::new(home());
    cfg.vehicles = 3;
    let mut g = Gcs::new(cfg);
    g.run(secs(2));
    let sysids: std::collections::BTreeSet<u32> =
        g.log.iter().map(|(_, h, _)| h.system_id).collect();
    assert_eq!(sysids.into_iter().collect::<Vec<_>>(), vec![1, 2, 3]);
    let mut cmd = arm_command();
    if let MavMessage::COMMAND_LONG(c) = &mut cmd {
        c.target_system = 2;
    }
    g.send(cmd);
    g.run(Duration::from_millis(100));
    let armed: Vec<bool> = g.h.sim.vehicles().iter().map(|v| v.armed()).collect();
    assert_eq!(armed, vec![false, true, false]);
    // Vehicles start 3 m apart eastwards.
    let east = |i: usize| g.h.sim.vehicles()[i].position().lon_deg;
    let spacing_m =
        (east(1) - east(0)) * vigil_sim::geodesy::M_PER_DEG * home().lat_deg.to_radians().cos();
    assert!((spacing_m - 3.0).abs() < 1e-6, "{spacing_m}");
}

#[test]
fn flipped_bits_are_caught_by_the_checksum_and_counted_as_lost_messages() {
    let link = Impairment {
        bit_flip: 1.0,
        ..Impairment::none()
    };
    let mut h = Harness::with_links(SimConfig::new(home()), link, Impairment::none());
    for _ in 0..20 {
        h.send(&frame(&arm_command(), None));
    }
    let got = h.advance(Duration::from_millis(200));
    // A flipped bit in the header may still leave a frame for another system; none arms ours.
    assert!(acks(&got, None).is_empty());
    assert_eq!(h.up.stats().corrupted, 20);
    assert!(h.sim.vehicle(1).is_some_and(|v| !v.armed()));
}

#[test]
fn a_57600_baud_downlink_limits_what_arrives() {
    let radio = Impairment {
        baud: Some(57_600),
        buffer_bytes: 2048,
        ..Impairment::none()
    };
    let mut g = Gcs::with_link(SimConfig::new(home()), radio);
    g.request_all_streams(50);
    g.run(secs(10));
    let bytes: usize = g.raw.iter().map(Vec::len).sum();
    // 57600 baud carries at most 5760 bytes a second.
    assert!(bytes <= 5_760 * 10 + 300, "{bytes} bytes in 10 s");
    assert!(
        g.h.down.stats().overflowed > 0,
        "the radio buffer should overflow at 50 Hz"
    );
}
