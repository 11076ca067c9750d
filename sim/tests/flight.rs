//! End-to-end flights against the simulator in-process, with a stepped clock: arming checks,
//! a full AUTO mission, fence breach, GCS and battery failsafes, determinism.

mod common;

use common::{Gcs, fence_item, home, item, secs};
use mavlink::dialects::ardupilotmega::{
    MavCmd, MavMessage, MavMissionResult, MavMissionType, MavResult,
};
use vigil_sim::{Mode, SimConfig};

const GUIDED: u32 = 4;
const AUTO: u32 = 3;
const RTL: u32 = 6;
const LAND: u32 = 9;

fn ready_gcs(cfg: SimConfig) -> Gcs {
    let mut g = Gcs::new(cfg);
    g.request_all_streams(4);
    // The simulated EKF settles after 5 s by default.
    g.run(secs(6));
    g
}

#[test]
fn arming_is_refused_until_the_ekf_settles_and_position_reads_zero_before() {
    let mut g = Gcs::new(SimConfig::new(home()));
    g.request_all_streams(4);
    g.run(secs(2));
    let early = g.log.iter().rev().find_map(|(_, _, m)| match m {
        MavMessage::GLOBAL_POSITION_INT(p) => Some((p.lat, p.lon)),
        _ => None,
    });
    assert_eq!(early, Some((0, 0)));
    // GUIDED needs a position too.
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_FAILED);
    // STABILIZE arms without a position, so try with the fence enabled (needs position).
    g.set_param("FENCE_ENABLE", 1.0);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_FAILED);
    assert!(
        g.texts()
            .iter()
            .any(|t| t == "PreArm: Need Position Estimate"),
        "{:?}",
        g.texts()
    );

    g.run(secs(4));
    let late = g.log.iter().rev().find_map(|(_, _, m)| match m {
        MavMessage::GLOBAL_POSITION_INT(p) => Some(p.lat),
        _ => None,
    });
    assert!(
        late.is_some_and(|lat| (lat - (home().lat_deg * 1e7) as i32).abs() < 100),
        "{late:?}"
    );
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
    g.run(secs(1));
    assert_eq!(g.last_heartbeat(1), Some((GUIDED, true)));
}

#[test]
fn mission_flown_in_auto_reports_every_item_then_lands_and_disarms() {
    let mut g = ready_gcs(SimConfig::new(home()));
    let items = vec![
        item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 0.0, 0.0, [0.0; 4]), // home, ignored
        item(MavCmd::MAV_CMD_NAV_TAKEOFF, 0.0, 0.0, 20.0, [0.0; 4]),
        item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 60.0, 20.0, [0.0; 4]),
        item(
            MavCmd::MAV_CMD_DO_CHANGE_SPEED,
            0.0,
            0.0,
            0.0,
            [1.0, 5.0, -1.0, 0.0],
        ),
        item(
            MavCmd::MAV_CMD_NAV_WAYPOINT,
            60.0,
            60.0,
            25.0,
            [2.0, 0.0, 0.0, 0.0],
        ),
        item(
            MavCmd::MAV_CMD_NAV_LOITER_TIME,
            60.0,
            0.0,
            25.0,
            [3.0, 0.0, 0.0, 0.0],
        ),
        item(MavCmd::MAV_CMD_NAV_LAND, 0.0, 0.0, 0.0, [0.0; 4]),
    ];
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_MISSION, &items),
        MavMissionResult::MAV_MISSION_ACCEPTED
    );
    assert_eq!(g.h.sim.vehicle(1).map(|v| v.store.mission.len()), Some(7));

    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(
        g.command(MavCmd::MAV_CMD_MISSION_START, [0.0; 7]),
        MavResult::MAV_RESULT_ACCEPTED
    );
    g.run(secs(1));
    assert_eq!(g.last_heartbeat(1), Some((AUTO, true)));

    let start = g.log.len();
    let landed = g.run_until(secs(400), |m| matches!(m, MavMessage::HEARTBEAT(hb) if !hb.base_mode.contains(mavlink::dialects::ardupilotmega::MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED)));
    assert!(landed.is_some(), "never disarmed; texts {:?}", g.texts());
    let reached: Vec<u16> = g.log[start..]
        .iter()
        .filter_map(|(_, _, m)| match m {
            MavMessage::MISSION_ITEM_REACHED(r) => Some(r.seq),
            _ => None,
        })
        .collect();
    assert_eq!(reached, vec![1, 2, 3, 4, 5, 6]);

    // It landed at home (the LAND item has no location: where it was, 60 m east).
    let v = g.h.sim.vehicle(1).expect("vehicle 1");
    let p = v.position();
    let east = (p.lon_deg - home().lon_deg)
        * vigil_sim::geodesy::M_PER_DEG
        * home().lat_deg.to_radians().cos();
    assert!((east - 60.0).abs() < 1.5, "east {east}");
    assert!(v.landed() && !v.armed());
    assert!(
        g.texts().iter().any(|t| t == "Mission: 2 WP"),
        "{:?}",
        g.texts()
    );
    // Battery drained by the flight.
    assert!(v.battery_remaining() < 0.99 && v.battery_remaining() > 0.8);
}

#[test]
fn fence_breach_reports_and_returns() {
    let mut g = ready_gcs(SimConfig::new(home()));
    let n = 4.0;
    let square = [(-40.0, -40.0), (40.0, -40.0), (40.0, 40.0), (-40.0, 40.0)];
    let fence: Vec<_> = square
        .iter()
        .map(|&(e, nm)| fence_item(MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION, e, nm, n))
        .collect();
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_FENCE, &fence),
        MavMissionResult::MAV_MISSION_ACCEPTED
    );
    g.set_param("FENCE_ENABLE", 1.0);
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(
        g.command(
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    g.run(secs(10));
    // Fly north out of the square.
    let target = item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 120.0, 10.0, [0.0; 4]);
    g.send(MavMessage::COMMAND_INT(
        mavlink::dialects::ardupilotmega::COMMAND_INT_DATA {
            param1: -1.0,
            param2: 0.0,
            param3: 0.0,
            param4: 0.0,
            x: target.x,
            y: target.y,
            z: 10.0,
            command: MavCmd::MAV_CMD_DO_REPOSITION,
            target_system: 1,
            target_component: 1,
            frame: mavlink::dialects::ardupilotmega::MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
            current: 0,
            autocontinue: 0,
        },
    ));
    let breach = g.run_until(
        secs(60),
        |m| matches!(m, MavMessage::FENCE_STATUS(f) if f.breach_status == 1),
    );
    assert!(breach.is_some(), "no breach; texts {:?}", g.texts());
    assert!(g.texts().iter().any(|t| t == "Polygon fence breached"));
    g.run(secs(1));
    assert_eq!(g.last_heartbeat(1).map(|(m, _)| m), Some(RTL));
    // RTL brings it home and it disarms on landing.
    let disarmed = g.run_until(secs(120), |_| false);
    assert!(disarmed.is_none());
    let v = g.h.sim.vehicle(1).expect("vehicle 1");
    assert!(!v.armed() && v.landed(), "mode {:?}", v.mode());
}

#[test]
fn gcs_heartbeat_loss_triggers_rtl_after_the_timeout() {
    let mut g = ready_gcs(SimConfig::new(home()));
    g.set_param("FS_GCS_ENABLE", 1.0);
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(
        g.command(
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 15.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    g.run(secs(10));
    g.heartbeats = false;
    let silent_from = g.h.now_us() as f64 * 1e-6;
    let silent_from = silent_from.min(g.last_heartbeat_sent_us as f64 * 1e-6);
    g.run(secs(4));
    assert_eq!(
        g.last_heartbeat(1).map(|(m, _)| m),
        Some(GUIDED),
        "too early"
    );
    let rtl = g.run_until(
        secs(3),
        |m| matches!(m, MavMessage::HEARTBEAT(hb) if hb.custom_mode == RTL),
    );
    assert!(rtl.is_some());
    let after = g.now_s() - silent_from;
    assert!((5.0..5.3).contains(&after), "RTL after {after} s");
    assert!(g.texts().iter().any(|t| t.starts_with("GCS Failsafe On")));
}

#[test]
fn battery_failsafe_returns_on_low_and_lands_on_critical() {
    let mut g = ready_gcs(SimConfig::new(home()));
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(
        g.command(
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 30.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    g.run(secs(15));
    // 12 % left: below BATT_LOW_VOLT (10.5 V) under hover current, above BATT_CRT_VOLT.
    g.h.sim
        .vehicle_mut(1)
        .expect("vehicle")
        .set_battery_remaining(0.12);
    let rtl = g.run_until(
        secs(12),
        |m| matches!(m, MavMessage::HEARTBEAT(hb) if hb.custom_mode == RTL),
    );
    assert!(rtl.is_some(), "texts {:?}", g.texts());
    assert!(g.texts().iter().any(|t| t.starts_with("Battery 1 is low")));
    g.h.sim
        .vehicle_mut(1)
        .expect("vehicle")
        .set_battery_remaining(0.01);
    let land = g.run_until(
        secs(12),
        |m| matches!(m, MavMessage::HEARTBEAT(hb) if hb.custom_mode == LAND),
    );
    assert!(land.is_some(), "texts {:?}", g.texts());
    assert!(
        g.texts()
            .iter()
            .any(|t| t.starts_with("Battery 1 is critical"))
    );
    assert_eq!(g.h.sim.vehicle(1).map(|v| v.mode()), Some(Mode::Land));
}

#[test]
fn same_seed_gives_identical_frames() {
    let run = |seed: u64| {
        let mut cfg = SimConfig::new(home());
        cfg.seed = seed;
        cfg.vehicles = 2;
        cfg.vehicle.wind_speed_mps = 6.0;
        cfg.vehicle.gust_sigma_mps = 2.0;
        cfg.vehicle.gps_noise_m = 1.0;
        let mut g = ready_gcs(cfg);
        assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
        assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
        g.command(
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 20.0],
        );
        g.run(secs(30));
        g.raw
    };
    let a = run(42);
    assert!(a.len() > 500, "{} frames", a.len());
    assert_eq!(a, run(42));
    assert_ne!(a, run(43));
}

#[test]
fn do_jump_repeats_items_and_guided_goto_flies_there() {
    let mut g = ready_gcs(SimConfig::new(home()));
    let items = vec![
        item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 0.0, 0.0, [0.0; 4]),
        item(MavCmd::MAV_CMD_NAV_TAKEOFF, 0.0, 0.0, 10.0, [0.0; 4]),
        item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 20.0, 10.0, [0.0; 4]),
        item(MavCmd::MAV_CMD_NAV_WAYPOINT, 20.0, 20.0, 10.0, [0.0; 4]),
        item(MavCmd::MAV_CMD_DO_JUMP, 0.0, 0.0, 0.0, [2.0, 1.0, 0.0, 0.0]),
        item(MavCmd::MAV_CMD_NAV_LOITER_UNLIM, 0.0, 0.0, 10.0, [0.0; 4]),
    ];
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_MISSION, &items),
        MavMissionResult::MAV_MISSION_ACCEPTED
    );
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
    let start = g.log.len();
    assert_eq!(g.set_mode(AUTO), MavResult::MAV_RESULT_ACCEPTED);
    g.run(secs(90));
    let reached: Vec<u16> = g.log[start..]
        .iter()
        .filter_map(|(_, _, m)| match m {
            MavMessage::MISSION_ITEM_REACHED(r) => Some(r.seq),
            _ => None,
        })
        .collect();
    assert_eq!(reached, vec![1, 2, 3, 2, 3]);
    assert_eq!(g.h.sim.vehicle(1).map(|v| v.mission_index()), Some(5));

    // GUIDED go-to with SET_POSITION_TARGET_GLOBAL_INT, 50 m north at 15 m.
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    let target = item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 50.0, 15.0, [0.0; 4]);
    g.send(MavMessage::SET_POSITION_TARGET_GLOBAL_INT(
        mavlink::dialects::ardupilotmega::SET_POSITION_TARGET_GLOBAL_INT_DATA {
            lat_int: target.x,
            lon_int: target.y,
            alt: 15.0,
            type_mask: mavlink::dialects::ardupilotmega::PositionTargetTypemask::from_bits_truncate(
                0b0000_1111_1111_1000,
            ),
            target_system: 1,
            target_component: 1,
            coordinate_frame:
                mavlink::dialects::ardupilotmega::MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
            ..Default::default()
        },
    ));
    g.run(secs(30));
    let v = g.h.sim.vehicle(1).expect("vehicle 1");
    let north = (v.position().lat_deg - home().lat_deg) * vigil_sim::geodesy::M_PER_DEG;
    assert!(
        (north - 50.0).abs() < 1.0 && (v.relative_alt_m() - 15.0).abs() < 0.5,
        "north {north}"
    );

    // BRAKE stops a vehicle flying at speed within a few metres.
    let far = item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 300.0, 15.0, [0.0; 4]);
    g.send(MavMessage::SET_POSITION_TARGET_GLOBAL_INT(
        mavlink::dialects::ardupilotmega::SET_POSITION_TARGET_GLOBAL_INT_DATA {
            lat_int: far.x,
            lon_int: far.y,
            alt: 15.0,
            type_mask: mavlink::dialects::ardupilotmega::PositionTargetTypemask::from_bits_truncate(
                0b0000_1111_1111_1000,
            ),
            target_system: 1,
            target_component: 1,
            coordinate_frame:
                mavlink::dialects::ardupilotmega::MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
            ..Default::default()
        },
    ));
    g.run(secs(10));
    assert_eq!(g.set_mode(17), MavResult::MAV_RESULT_ACCEPTED);
    let at_brake = g.h.sim.vehicle(1).expect("vehicle").position();
    g.run(secs(15));
    let after = g.h.sim.vehicle(1).expect("vehicle").position();
    let moved = (after.lat_deg - at_brake.lat_deg) * vigil_sim::geodesy::M_PER_DEG;
    assert!(moved.abs() < 25.0, "moved {moved} m after BRAKE");
}

#[test]
fn upload_completes_over_a_lossy_link_thanks_to_re_requests() {
    let link = vigil_sim::Impairment {
        loss: 0.15,
        latency_ms: 40.0,
        jitter_ms: 10.0,
        ..Default::default()
    };
    let mut g = common::Gcs::with_link(SimConfig::new(home()), link);
    let mut items = vec![item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 0.0, 0.0, [0.0; 4])];
    for i in 0..30 {
        items.push(item(
            MavCmd::MAV_CMD_NAV_WAYPOINT,
            f64::from(i) * 5.0,
            10.0,
            20.0,
            [0.0; 4],
        ));
    }
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_MISSION, &items),
        MavMissionResult::MAV_MISSION_ACCEPTED
    );
    let stored =
        g.h.sim
            .vehicle(1)
            .map(|v| v.store.mission.clone())
            .expect("vehicle");
    assert_eq!(stored.len(), 31);
    assert!(
        stored
            .iter()
            .zip(&items)
            .skip(1)
            .all(|(s, i)| s.x == i.x && s.y == i.y)
    );
    assert!(g.h.up.stats().lost > 0 && g.h.down.stats().lost > 0);
}

#[test]
fn altitude_ceiling_and_exclusion_circle_are_fences_too() {
    let mut g = ready_gcs(SimConfig::new(home()));
    g.set_param("FENCE_ENABLE", 1.0);
    g.set_param("FENCE_ALT_MAX", 20.0);
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(
        g.command(
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 30.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    let breach = g.run_until(
        secs(30),
        |m| matches!(m, MavMessage::FENCE_STATUS(f) if f.breach_status == 1),
    );
    let Some(MavMessage::FENCE_STATUS(f)) = breach else {
        panic!("no breach; texts {:?}", g.texts())
    };
    assert_eq!(
        f.breach_type,
        mavlink::dialects::ardupilotmega::FenceBreach::FENCE_BREACH_MAXALT
    );
    assert!(g.texts().iter().any(|t| t == "Max alt fence breached"));
    let alt =
        g.h.sim
            .vehicle(1)
            .map(|v| v.relative_alt_m())
            .unwrap_or_default();
    assert!((20.0..21.0).contains(&alt), "breached at {alt} m");
    g.run(secs(1));
    assert_eq!(g.h.sim.vehicle(1).map(|v| v.mode()), Some(Mode::Rtl));

    // A fresh vehicle: an exclusion circle 30 m north, flown into.
    let mut g = ready_gcs(SimConfig::new(home()));
    let circle = vec![fence_item(
        MavCmd::MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION,
        0.0,
        30.0,
        10.0,
    )];
    assert_eq!(
        g.upload(MavMissionType::MAV_MISSION_TYPE_FENCE, &circle),
        MavMissionResult::MAV_MISSION_ACCEPTED
    );
    g.set_param("FENCE_ENABLE", 1.0);
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(
        g.command(
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    g.run(secs(8));
    let target = item(MavCmd::MAV_CMD_NAV_WAYPOINT, 0.0, 60.0, 10.0, [0.0; 4]);
    let result = g.command(
        MavCmd::MAV_CMD_DO_REPOSITION,
        [
            -1.0,
            0.0,
            0.0,
            0.0,
            (f64::from(target.x) * 1e-7) as f32,
            (f64::from(target.y) * 1e-7) as f32,
            10.0,
        ],
    );
    assert_eq!(result, MavResult::MAV_RESULT_ACCEPTED);
    let breach = g.run_until(
        secs(30),
        |m| matches!(m, MavMessage::FENCE_STATUS(f) if f.breach_status == 1),
    );
    assert!(breach.is_some(), "texts {:?}", g.texts());
    let north =
        g.h.sim
            .vehicle(1)
            .map(|v| (v.position().lat_deg - home().lat_deg) * vigil_sim::geodesy::M_PER_DEG);
    assert!(
        north.is_some_and(|n| (19.0..22.0).contains(&n)),
        "breached at {north:?} m north"
    );
    assert!(g.texts().iter().any(|t| t == "Polygon fence breached"));
}

#[test]
fn smart_rtl_retraces_the_path_and_lands_where_it_armed() {
    let mut g = ready_gcs(SimConfig::new(home()));
    assert_eq!(g.set_mode(GUIDED), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(g.arm(), MavResult::MAV_RESULT_ACCEPTED);
    assert_eq!(
        g.command(
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 15.0]
        ),
        MavResult::MAV_RESULT_ACCEPTED
    );
    g.run(secs(10));
    // An L: 80 m north, then 80 m east.
    for (east, north) in [(0.0, 80.0), (80.0, 80.0)] {
        let t = item(MavCmd::MAV_CMD_NAV_WAYPOINT, east, north, 15.0, [0.0; 4]);
        let r = g.command(
            MavCmd::MAV_CMD_DO_REPOSITION,
            [
                -1.0,
                0.0,
                0.0,
                0.0,
                (f64::from(t.x) * 1e-7) as f32,
                (f64::from(t.y) * 1e-7) as f32,
                15.0,
            ],
        );
        assert_eq!(r, MavResult::MAV_RESULT_ACCEPTED);
        g.run(secs(20));
    }
    assert_eq!(g.set_mode(21), MavResult::MAV_RESULT_ACCEPTED);
    // Straight home would cut the corner; SMART_RTL passes near (0, 80).
    let h = home();
    let local = |p: vigil_sim::GeoPoint| {
        let m = vigil_sim::geodesy::M_PER_DEG;
        [
            (p.lon_deg - h.lon_deg) * m * h.lat_deg.to_radians().cos(),
            (p.lat_deg - h.lat_deg) * m,
        ]
    };
    let mut closest = f64::MAX;
    for _ in 0..600 {
        g.run(std::time::Duration::from_millis(100));
        let v = g.h.sim.vehicle(1).expect("vehicle");
        let p = local(v.position());
        closest = closest.min(p[0].hypot(p[1] - 80.0));
        if !v.armed() {
            break;
        }
    }
    let v = g.h.sim.vehicle(1).expect("vehicle");
    assert!(
        !v.armed() && v.landed(),
        "still flying in {:?} at {:?} alt {}",
        v.mode(),
        local(v.position()),
        v.relative_alt_m()
    );
    assert!(closest < 3.0, "passed {closest} m from the corner");
    let p = local(v.position());
    assert!(p[0].hypot(p[1]) < 1.5, "landed at {p:?}");
}
