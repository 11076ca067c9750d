//! Whatever arrives, the simulator neither panics nor loses its state: random bytes, and
//! well-formed messages with random (NaN, infinite, huge) numbers, from a seeded generator.

use std::time::Duration;

use mavlink::dialects::ardupilotmega::{
    COMMAND_LONG_DATA, MISSION_COUNT_DATA, MISSION_ITEM_INT_DATA, MavCmd, MavFrame, MavMessage,
    MavMissionType, PositionTargetTypemask, SET_POSITION_TARGET_GLOBAL_INT_DATA,
};
use mavlink::{MavHeader, MavlinkVersion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigil_sim::{GeoPoint, Sim, SimConfig};

fn wild(rng: &mut ChaCha8Rng) -> f32 {
    match rng.random_range(0..8) {
        0 => f32::NAN,
        1 => f32::INFINITY,
        2 => -1e30,
        3 => 0.0,
        4 => rng.random_range(-1.0..1.0),
        5 => 21196.0,
        _ => rng.random_range(-200.0..200.0),
    }
}

#[test]
fn random_bytes_and_wild_messages_never_break_the_simulator() {
    let mut cfg = SimConfig::new(GeoPoint::new(-35.363_261, 149.165_230, 584.0));
    cfg.vehicles = 2;
    let mut sim = Sim::new(cfg);
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let commands = [
        MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
        MavCmd::MAV_CMD_DO_SET_MODE,
        MavCmd::MAV_CMD_NAV_TAKEOFF,
        MavCmd::MAV_CMD_MISSION_START,
        MavCmd::MAV_CMD_NAV_RETURN_TO_LAUNCH,
        MavCmd::MAV_CMD_NAV_LAND,
        MavCmd::MAV_CMD_DO_REPOSITION,
        MavCmd::MAV_CMD_DO_CHANGE_SPEED,
        MavCmd::MAV_CMD_DO_SET_HOME,
        MavCmd::MAV_CMD_SET_MESSAGE_INTERVAL,
        MavCmd::MAV_CMD_REQUEST_MESSAGE,
        MavCmd::MAV_CMD_DO_SET_MISSION_CURRENT,
        MavCmd::MAV_CMD_DO_FENCE_ENABLE,
    ];
    let header = MavHeader {
        system_id: 255,
        component_id: 190,
        sequence: 0,
    };
    for round in 0..3000 {
        match rng.random_range(0..6) {
            0 => {
                let garbage: Vec<u8> = (0..rng.random_range(1..300))
                    .map(|_| rng.random())
                    .collect();
                sim.handle_bytes(&garbage);
            }
            1 | 2 => {
                let command = commands[rng.random_range(0..commands.len())];
                let msg = MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
                    param1: if command == MavCmd::MAV_CMD_DO_SET_MODE {
                        1.0
                    } else {
                        wild(&mut rng)
                    },
                    param2: if command == MavCmd::MAV_CMD_DO_SET_MODE {
                        rng.random_range(0..22) as f32
                    } else {
                        wild(&mut rng)
                    },
                    param3: wild(&mut rng),
                    param4: wild(&mut rng),
                    param5: wild(&mut rng),
                    param6: wild(&mut rng),
                    param7: wild(&mut rng),
                    command,
                    target_system: rng.random_range(0..3),
                    target_component: 1,
                    confirmation: 0,
                });
                sim.handle_message(header, &msg, MavlinkVersion::V2);
            }
            3 => {
                let msg = MavMessage::SET_POSITION_TARGET_GLOBAL_INT(
                    SET_POSITION_TARGET_GLOBAL_INT_DATA {
                        lat_int: rng.random(),
                        lon_int: rng.random(),
                        alt: wild(&mut rng),
                        vx: wild(&mut rng),
                        vy: wild(&mut rng),
                        vz: wild(&mut rng),
                        type_mask: PositionTargetTypemask::from_bits_truncate(rng.random()),
                        target_system: 1,
                        target_component: 1,
                        coordinate_frame: MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
                        ..Default::default()
                    },
                );
                sim.handle_message(header, &msg, MavlinkVersion::V2);
            }
            4 => {
                let kind = [
                    MavMissionType::MAV_MISSION_TYPE_MISSION,
                    MavMissionType::MAV_MISSION_TYPE_FENCE,
                    MavMissionType::MAV_MISSION_TYPE_RALLY,
                ][rng.random_range(0..3)];
                let msg = MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
                    count: rng.random_range(0..12),
                    target_system: 1,
                    target_component: 1,
                    mission_type: kind,
                    opaque_id: 0,
                });
                sim.handle_message(header, &msg, MavlinkVersion::V2);
            }
            _ => {
                let cmds = [
                    MavCmd::MAV_CMD_NAV_WAYPOINT,
                    MavCmd::MAV_CMD_NAV_TAKEOFF,
                    MavCmd::MAV_CMD_DO_JUMP,
                    MavCmd::MAV_CMD_NAV_LAND,
                    MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION,
                    MavCmd::MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION,
                    MavCmd::MAV_CMD_NAV_RALLY_POINT,
                ];
                let msg = MavMessage::MISSION_ITEM_INT(MISSION_ITEM_INT_DATA {
                    param1: wild(&mut rng),
                    param2: wild(&mut rng),
                    x: rng.random_range(-353_700_000..-353_500_000),
                    y: rng.random_range(1_491_600_000..1_491_700_000),
                    z: wild(&mut rng),
                    seq: rng.random_range(0..12),
                    command: cmds[rng.random_range(0..cmds.len())],
                    target_system: 1,
                    target_component: 1,
                    frame: MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
                    mission_type: [
                        MavMissionType::MAV_MISSION_TYPE_MISSION,
                        MavMissionType::MAV_MISSION_TYPE_FENCE,
                        MavMissionType::MAV_MISSION_TYPE_RALLY,
                    ][rng.random_range(0..3)],
                    ..Default::default()
                });
                sim.handle_message(header, &msg, MavlinkVersion::V2);
            }
        }
        sim.step(Duration::from_millis(if round % 10 == 0 {
            500
        } else {
            20
        }));
        sim.poll_outgoing();
        for v in sim.vehicles() {
            let p = v.position();
            assert!(
                p.lat_deg.is_finite() && p.lon_deg.is_finite() && p.alt_m.is_finite(),
                "round {round}: vehicle {} at {p:?}",
                v.sysid()
            );
            // Home may have been moved anywhere; the ground stays where it is.
            assert!(
                p.alt_m >= 584.0 - 1e-6,
                "round {round}: below ground at {p:?}"
            );
        }
    }
    assert!(sim.in_stats().messages > 2000);
}
