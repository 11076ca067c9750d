//! The mission, parameter and telemetry protocols on the wire, as ArduPilot answers them.

#![allow(deprecated)] // ArduPilot answers with MISSION_REQUEST (id 40), deprecated upstream.

mod common;

use common::{Gcs, fence_item, home, item, secs};
use mavlink::dialects::ardupilotmega::{
    COMMAND_LONG_DATA, MISSION_COUNT_DATA, MISSION_REQUEST_INT_DATA, MISSION_REQUEST_LIST_DATA,
    MavCmd, MavFrame, MavMessage, MavMissionResult, MavMissionType, MavResult,
    PARAM_REQUEST_LIST_DATA,
};
use mavlink::{MavHeader, MavlinkVersion};
use vigil_sim::SimConfig;

fn count(g: &mut Gcs, kind: MavMissionType, n: u16) {
    g.send(MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
        count: n,
        target_system: 1,
        target_component: 1,
        mission_type: kind,
        opaque_id: 0,
    }));
}

fn mission_msgs(g: &Gcs, from: usize) -> Vec<MavMessage> {
    g.log[from..]
        .iter()
        .filter(|(_, _, m)| {
            matches!(
                m,
                MavMessage::MISSION_REQUEST(_)
                    | MavMessage::MISSION_ACK(_)
                    | MavMessage::MISSION_REQUEST_INT(_)
            )
        })
        .map(|(_, _, m)| m.clone())
        .collect()
}

#[test]
fn a_count_over_capacity_is_refused_at_once_with_no_space() {
    let mut g = Gcs::new(SimConfig::new(home()));
    g.run(secs(1));
    let from = g.log.len();
    count(&mut g, MavMissionType::MAV_MISSION_TYPE_MISSION, 651);
    g.run(std::time::Duration::from_millis(40));
    let got = mission_msgs(&g, from);
    assert!(
        matches!(got.as_slice(), [MavMessage::MISSION_ACK(a)] if a.mavtype == MavMissionResult::MAV_MISSION_NO_SPACE),
        "{got:?}"
    );
    assert!(
        g.texts()
            .iter()
            .any(|t| t == "Only 650 items are supported")
    );

    // 650 is fine: the first request (MISSION_REQUEST, id 40) asks for seq 0.
    let from = g.log.len();
    count(&mut g, MavMissionType::MAV_MISSION_TYPE_MISSION, 650);
    g.run(std::time::Duration::from_millis(40));
    let got = mission_msgs(&g, from);
    assert!(
        matches!(got.as_slice(), [MavMessage::MISSION_REQUEST(r)] if r.seq == 0),
        "{got:?}"
    );
}

#[test]
fn capacity_is_settable() {
    let mut cfg = SimConfig::new(home());
    cfg.vehicle.mission_capacity = 10;
    let mut g = Gcs::new(cfg);
    count(&mut g, MavMissionType::MAV_MISSION_TYPE_MISSION, 11);
    let ack = g.run_until(secs(1), |m| matches!(m, MavMessage::MISSION_ACK(_)));
    assert!(
        matches!(ack, Some(MavMessage::MISSION_ACK(a)) if a.mavtype == MavMissionResult::MAV_MISSION_NO_SPACE)
    );
}

#[test]
fn upload_requests_repeat_every_second_and_give_up_after_eight() {
    let mut g = Gcs::new(SimConfig::new(home()));
    let from = g.log.len();
    count(&mut g, MavMissionType::MAV_MISSION_TYPE_MISSION, 3);
    g.run(secs(10));
    let requests: Vec<(u64, u16)> = g.log[from..]
        .iter()
        .filter_map(|(t, _, m)| match m {
            MavMessage::MISSION_REQUEST(r) => Some((*t, r.seq)),
            _ => None,
        })
        .collect();
    // One at once, then one a second (ArduPilot waits more than 1000 ms) until 8 s.
    assert_eq!(requests.len(), 8, "{requests:?}");
    assert!(requests.iter().all(|&(_, seq)| seq == 0));
    let gaps: Vec<u64> = requests.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert!(
        gaps.iter()
            .all(|&gap| (1_000_000..1_150_000).contains(&gap)),
        "{gaps:?}"
    );
    let ack = g.log[from..].iter().find_map(|(t, _, m)| match m {
        MavMessage::MISSION_ACK(a) => Some((*t, a.mavtype)),
        _ => None,
    });
    let (t, result) = ack.expect("a cancel ack");
    assert_eq!(result, MavMissionResult::MAV_MISSION_OPERATION_CANCELLED);
    assert!((8_000_000..8_200_000).contains(&(t - requests[0].0)), "{t}");
    assert!(g.texts().iter().any(|t| t == "Mission upload timeout"));
}

#[test]
fn out_of_sequence_and_repeated_items_get_invalid_sequence_and_the_upload_goes_on() {
    let mut g = Gcs::new(SimConfig::new(home()));
    count(&mut g, MavMissionType::MAV_MISSION_TYPE_MISSION, 3);
    g.run(std::time::Duration::from_millis(40));
    let mut wp = item(MavCmd::MAV_CMD_NAV_WAYPOINT, 10.0, 10.0, 20.0, [0.0; 4]);
    wp.target_system = 1;
    wp.target_component = 1;

    // Item 2 when 0 was asked for.
    let from = g.log.len();
    wp.seq = 2;
    g.send(MavMessage::MISSION_ITEM_INT(wp.clone()));
    g.run(std::time::Duration::from_millis(40));
    let got = mission_msgs(&g, from);
    assert!(
        matches!(got.as_slice(), [MavMessage::MISSION_ACK(a)] if a.mavtype == MavMissionResult::MAV_MISSION_INVALID_SEQUENCE),
        "{got:?}"
    );

    // The right one: the next request follows.
    let from = g.log.len();
    wp.seq = 0;
    g.send(MavMessage::MISSION_ITEM_INT(wp.clone()));
    g.run(std::time::Duration::from_millis(40));
    let got = mission_msgs(&g, from);
    assert!(
        matches!(got.as_slice(), [MavMessage::MISSION_REQUEST(r)] if r.seq == 1),
        "{got:?}"
    );

    // The same item again (a duplicate on the link): INVALID_SEQUENCE, still expecting 1.
    let from = g.log.len();
    g.send(MavMessage::MISSION_ITEM_INT(wp.clone()));
    g.run(std::time::Duration::from_millis(40));
    let got = mission_msgs(&g, from);
    assert!(
        matches!(got.as_slice(), [MavMessage::MISSION_ACK(a)] if a.mavtype == MavMissionResult::MAV_MISSION_INVALID_SEQUENCE),
        "{got:?}"
    );

    for seq in 1..3 {
        wp.seq = seq;
        g.send(MavMessage::MISSION_ITEM_INT(wp.clone()));
        g.run(std::time::Duration::from_millis(40));
    }
    assert!(
        matches!(g.log.last(), Some((_, _, MavMessage::MISSION_ACK(a))) if a.mavtype == MavMissionResult::MAV_MISSION_ACCEPTED)
    );
    // An item after the upload ended is ignored, as ArduPilot has no transfer to answer for.
    let from = g.log.len();
    g.send(MavMessage::MISSION_ITEM_INT(wp));
    g.run(std::time::Duration::from_millis(40));
    assert!(mission_msgs(&g, from).is_empty());
}

fn request_int(g: &mut Gcs, kind: MavMissionType, seq: u16) -> MavMessage {
    g.send(MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
        seq,
        target_system: 1,
        target_component: 1,
        mission_type: kind,
    }));
    g.run_until(secs(1), |m| {
        matches!(
            m,
            MavMessage::MISSION_ITEM_INT(_) | MavMessage::MISSION_ACK(_)
        )
    })
    .expect("an answer")
}

#[test]
fn download_returns_home_as_item_zero_and_items_as_arducopter_stores_them() {
    let mut g = Gcs::new(SimConfig::new(home()));
    g.run(secs(6));
    let mut wp = item(
        MavCmd::MAV_CMD_NAV_WAYPOINT,
        30.0,
        40.0,
        25.456,
        [3.7, 5.0, 0.0, 90.0],
    );
    wp.frame = MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT;
    let items = vec![
        item(MavCmd::MAV_CMD_NAV_WAYPOINT, 99.0, 99.0, 99.0, [0.0; 4]),
        wp.clone(),
    ];
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_MISSION, &items),
        MavMissionResult::MAV_MISSION_ACCEPTED
    );

    g.send(MavMessage::MISSION_REQUEST_LIST(
        MISSION_REQUEST_LIST_DATA {
            target_system: 1,
            target_component: 1,
            mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        },
    ));
    let c = g.run_until(secs(1), |m| matches!(m, MavMessage::MISSION_COUNT(_)));
    assert!(matches!(c, Some(MavMessage::MISSION_COUNT(c)) if c.count == 2));

    let MavMessage::MISSION_ITEM_INT(home_item) =
        request_int(&mut g, MavMissionType::MAV_MISSION_TYPE_MISSION, 0)
    else {
        panic!("no home item")
    };
    // Home, not what was uploaded at seq 0, with its altitude above sea level.
    assert_eq!(home_item.x, (home().lat_deg * 1e7).round() as i32);
    assert_eq!(home_item.y, (home().lon_deg * 1e7).round() as i32);
    assert_eq!(home_item.z, 584.0);
    assert_eq!(home_item.frame, MavFrame::MAV_FRAME_GLOBAL);

    let MavMessage::MISSION_ITEM_INT(back) =
        request_int(&mut g, MavMissionType::MAV_MISSION_TYPE_MISSION, 1)
    else {
        panic!("no item 1")
    };
    assert_eq!((back.x, back.y), (wp.x, wp.y));
    assert_eq!(back.z, 25.46);
    // Copter keeps the whole seconds of the hold time only, and reports the frame without _INT.
    assert_eq!((back.param1, back.param2, back.param4), (3.0, 0.0, 0.0));
    assert_eq!(back.frame, MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT);

    // Past the end: the count again, then an error.
    let answer = request_int(&mut g, MavMissionType::MAV_MISSION_TYPE_MISSION, 5);
    assert!(
        matches!(answer, MavMessage::MISSION_ACK(a) if a.mavtype == MavMissionResult::MAV_MISSION_ERROR)
    );
}

#[test]
fn fence_items_have_no_home_and_keep_vertex_counts_and_radii() {
    let mut g = Gcs::new(SimConfig::new(home()));
    let fence = vec![
        fence_item(
            MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            -50.0,
            -50.0,
            3.0,
        ),
        fence_item(
            MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            50.0,
            -50.0,
            3.0,
        ),
        fence_item(
            MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            0.0,
            60.0,
            3.0,
        ),
        fence_item(MavCmd::MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION, 10.0, 10.0, 7.5),
    ];
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_FENCE, &fence),
        MavMissionResult::MAV_MISSION_ACCEPTED
    );
    let MavMessage::MISSION_ITEM_INT(first) =
        request_int(&mut g, MavMissionType::MAV_MISSION_TYPE_FENCE, 0)
    else {
        panic!("no vertex")
    };
    assert_eq!(
        first.command,
        MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION
    );
    assert_eq!(
        (first.x, first.y, first.param1),
        (fence[0].x, fence[0].y, 3.0)
    );
    let MavMessage::MISSION_ITEM_INT(circle) =
        request_int(&mut g, MavMissionType::MAV_MISSION_TYPE_FENCE, 3)
    else {
        panic!("no circle")
    };
    assert_eq!(
        (circle.command, circle.param1),
        (MavCmd::MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION, 7.5)
    );

    // A polygon whose vertex count disagrees is refused when the upload completes.
    let mut bad = fence.clone();
    bad[2].param1 = 4.0;
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_FENCE, &bad),
        MavMissionResult::MAV_MISSION_ERROR
    );
    assert_eq!(
        g.h.sim.vehicle(1).map(|v| v.store.fence.len()),
        Some(4),
        "the old fence stays"
    );
}

#[test]
fn rally_points_round_to_whole_metres() {
    let mut g = Gcs::new(SimConfig::new(home()));
    let rally = vec![item(
        MavCmd::MAV_CMD_NAV_RALLY_POINT,
        20.0,
        20.0,
        30.6,
        [0.0; 4],
    )];
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_RALLY, &rally),
        MavMissionResult::MAV_MISSION_ACCEPTED
    );
    let MavMessage::MISSION_ITEM_INT(back) =
        request_int(&mut g, MavMissionType::MAV_MISSION_TYPE_RALLY, 0)
    else {
        panic!("no rally point")
    };
    assert_eq!(back.z, 31.0);
}

#[test]
fn fence_over_mavlink1_is_refused() {
    let mut g = Gcs::new(SimConfig::new(home()));
    let header = MavHeader {
        system_id: 255,
        component_id: 190,
        sequence: 0,
    };
    let msg = MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
        count: 3,
        target_system: 1,
        target_component: 1,
        mission_type: MavMissionType::MAV_MISSION_TYPE_FENCE,
        opaque_id: 0,
    });
    g.h.sim.handle_message(header, &msg, MavlinkVersion::V1);
    g.run(std::time::Duration::from_millis(40));
    assert!(
        g.texts()
            .iter()
            .any(|t| t == "Need mavlink2 for item transfer")
    );
}

#[test]
fn no_telemetry_until_requested_then_at_the_requested_rates() {
    let mut g = Gcs::new(SimConfig::new(home()));
    let quiet = g.run(secs(3));
    assert!(
        quiet.iter().all(|m| matches!(
            m,
            MavMessage::HEARTBEAT(_) | MavMessage::STATUSTEXT(_) | MavMessage::HOME_POSITION(_)
        )),
        "{quiet:?}"
    );
    assert_eq!(
        quiet
            .iter()
            .filter(|m| matches!(m, MavMessage::HEARTBEAT(_)))
            .count(),
        3
    );

    g.request_all_streams(5);
    let result = g.command(
        MavCmd::MAV_CMD_SET_MESSAGE_INTERVAL,
        [30.0, 50_000.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    assert_eq!(result, MavResult::MAV_RESULT_ACCEPTED);
    let second = g.run(secs(2));
    let n = |f: fn(&MavMessage) -> bool| second.iter().filter(|m| f(m)).count();
    assert_eq!(n(|m| matches!(m, MavMessage::GLOBAL_POSITION_INT(_))), 10);
    assert_eq!(n(|m| matches!(m, MavMessage::ATTITUDE(_))), 40);
    assert_eq!(n(|m| matches!(m, MavMessage::SYS_STATUS(_))), 10);
    assert_eq!(n(|m| matches!(m, MavMessage::BATTERY_STATUS(_))), 10);

    // AUTOPILOT_VERSION on request, after its acknowledgement, with the capability bits.
    g.send(MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
        param1: 148.0,
        command: MavCmd::MAV_CMD_REQUEST_MESSAGE,
        target_system: 1,
        target_component: 1,
        ..COMMAND_LONG_DATA::default()
    }));
    let v = g.run_until(secs(1), |m| matches!(m, MavMessage::AUTOPILOT_VERSION(_)));
    let Some(MavMessage::AUTOPILOT_VERSION(v)) = v else {
        panic!("no AUTOPILOT_VERSION")
    };
    let caps = v.capabilities.bits();
    for bit in [4u64, 8, 64, 8192, 16384, 32768] {
        assert!(caps & bit != 0, "capability {bit} missing");
    }
}

#[test]
fn parameters_list_read_and_set() {
    let mut g = Gcs::new(SimConfig::new(home()));
    g.send(MavMessage::PARAM_REQUEST_LIST(PARAM_REQUEST_LIST_DATA {
        target_system: 1,
        target_component: 1,
    }));
    let got = g.run(std::time::Duration::from_millis(100));
    let names: Vec<String> = got
        .iter()
        .filter_map(|m| match m {
            MavMessage::PARAM_VALUE(p) => p.param_id.to_str().ok().map(str::to_owned),
            _ => None,
        })
        .collect();
    for name in [
        "FENCE_ENABLE",
        "FENCE_TYPE",
        "FENCE_ACTION",
        "FENCE_ALT_MAX",
        "FENCE_MARGIN",
        "FENCE_RADIUS",
        "RTL_ALT",
        "RTL_SPEED",
        "WPNAV_SPEED",
        "WPNAV_SPEED_UP",
        "WPNAV_SPEED_DN",
        "BATT_CAPACITY",
        "BATT_LOW_VOLT",
        "BATT_CRT_VOLT",
        "BATT_FS_LOW_ACT",
        "BATT_FS_CRT_ACT",
        "FS_GCS_ENABLE",
        "FS_GCS_TIMEOUT",
        "SYSID_THISMAV",
        "MIS_TOTAL",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing");
    }
    g.set_param("RTL_ALT", 3000.0);
    assert_eq!(
        g.h.sim.vehicle(1).map(|v| v.params.get("RTL_ALT")),
        Some(3000.0)
    );
}

#[test]
fn clear_all_empties_the_mission() {
    let mut g = Gcs::new(SimConfig::new(home()));
    let items = vec![
        item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 0.0, 0.0, [0.0; 4]),
        item(MavCmd::MAV_CMD_NAV_TAKEOFF, 0.0, 0.0, 10.0, [0.0; 4]),
    ];
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_MISSION, &items),
        MavMissionResult::MAV_MISSION_ACCEPTED
    );
    g.send(MavMessage::MISSION_CLEAR_ALL(
        mavlink::dialects::ardupilotmega::MISSION_CLEAR_ALL_DATA {
            target_system: 1,
            target_component: 1,
            mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        },
    ));
    let ack = g.run_until(secs(1), |m| matches!(m, MavMessage::MISSION_ACK(_)));
    assert!(
        matches!(ack, Some(MavMessage::MISSION_ACK(a)) if a.mavtype == MavMissionResult::MAV_MISSION_ACCEPTED)
    );
    assert_eq!(g.h.sim.vehicle(1).map(|v| v.store.mission.len()), Some(0));
}

#[test]
fn float_items_upload_and_download_and_timesync_is_answered() {
    let mut g = Gcs::new(SimConfig::new(home()));
    g.run(secs(6));
    count(&mut g, MavMissionType::MAV_MISSION_TYPE_MISSION, 2);
    let lat = -35.362_5_f32;
    let lon = 149.166_f32;
    for seq in 0..2u16 {
        let asked = g.run_until(
            secs(2),
            |m| matches!(m, MavMessage::MISSION_REQUEST(r) if r.seq == seq),
        );
        assert!(asked.is_some(), "no request for {seq}");
        g.send(MavMessage::MISSION_ITEM(
            mavlink::dialects::ardupilotmega::MISSION_ITEM_DATA {
                x: lat,
                y: lon,
                z: 30.0,
                seq,
                command: MavCmd::MAV_CMD_NAV_WAYPOINT,
                target_system: 1,
                target_component: 1,
                frame: MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
                autocontinue: 1,
                ..Default::default()
            },
        ));
    }
    let ack = g.run_until(secs(1), |m| matches!(m, MavMessage::MISSION_ACK(_)));
    assert!(
        matches!(ack, Some(MavMessage::MISSION_ACK(a)) if a.mavtype == MavMissionResult::MAV_MISSION_ACCEPTED)
    );

    g.send(MavMessage::MISSION_REQUEST(
        mavlink::dialects::ardupilotmega::MISSION_REQUEST_DATA {
            seq: 1,
            target_system: 1,
            target_component: 1,
            mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        },
    ));
    let item = g.run_until(secs(1), |m| matches!(m, MavMessage::MISSION_ITEM(_)));
    let Some(MavMessage::MISSION_ITEM(item)) = item else {
        panic!("no MISSION_ITEM")
    };
    assert!(
        (item.x - lat).abs() < 1e-5 && (item.y - lon).abs() < 1e-5 && item.z == 30.0,
        "{item:?}"
    );

    g.send(MavMessage::TIMESYNC(
        mavlink::dialects::ardupilotmega::TIMESYNC_DATA {
            tc1: 0,
            ts1: 12_345,
            target_system: 1,
            target_component: 1,
        },
    ));
    let sync = g.run_until(
        secs(1),
        |m| matches!(m, MavMessage::TIMESYNC(t) if t.tc1 != 0),
    );
    let Some(MavMessage::TIMESYNC(t)) = sync else {
        panic!("no TIMESYNC")
    };
    assert_eq!(t.ts1, 12_345);
    assert!((t.tc1 - (g.h.now_us() as i64 * 1000)).abs() < 50_000_000);
}
