//! Commands and parameters against the scripted ArduPilot over the simulated link.

#![allow(deprecated, clippy::unwrap_used)]

mod support;

use std::time::Duration;

use mavlink::dialects::ardupilotmega::*;
use support::fake_autopilot::{ApConfig, FakeAutopilot};
use support::simnet::{NetConfig, run};
use vigil::link::command::{Command, CommandConfig, CommandError, CommandTransaction};
use vigil::link::modes::{Firmware, mode_number};
use vigil::link::param::{ParamConfig, ParamError, ParamExchange, ParamReadAll};
use vigil::link::{MavMessage, Target, Transaction};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn arm_set_mode_takeoff_over_a_lossy_link() {
    let mut ap = FakeAutopilot::new(ApConfig::default());
    let t = Target::autopilot(1);
    let net = NetConfig::lossy(50, 0.3, 11);
    let mut arm = CommandTransaction::new(t, Command::arm(false), CommandConfig::default());
    run(&mut arm, &mut ap, &net, secs(30));
    assert!(arm.outcome().unwrap().is_ok());
    assert!(ap.armed);
    let guided = mode_number(Firmware::ArduCopter, "GUIDED").unwrap();
    let mut mode = CommandTransaction::new(t, Command::set_mode(guided), CommandConfig::default());
    run(&mut mode, &mut ap, &net, secs(30));
    assert!(mode.outcome().unwrap().is_ok());
    assert_eq!(ap.custom_mode, 4);
    let mut go = CommandTransaction::new(
        t,
        Command::go_to(-35.36, 149.16, 40.0),
        CommandConfig::default(),
    );
    run(&mut go, &mut ap, &net, secs(30));
    assert!(go.outcome().unwrap().is_ok());
    assert_eq!(ap.commands.last().unwrap().0, MavCmd::MAV_CMD_DO_REPOSITION);
}

#[test]
fn retries_increment_the_confirmation_counter() {
    let t = Target::autopilot(1);
    let mut c = CommandTransaction::new(t, Command::return_to_launch(), CommandConfig::default());
    let first = c.start(Duration::ZERO);
    let mut confirmations = vec![];
    for m in first {
        if let MavMessage::COMMAND_LONG(l) = m {
            confirmations.push(l.confirmation);
        }
    }
    while let Some(d) = c.deadline() {
        for m in c.on_tick(d) {
            if let MavMessage::COMMAND_LONG(l) = m {
                confirmations.push(l.confirmation);
            }
        }
    }
    assert_eq!(confirmations, vec![0, 1, 2, 3]);
    assert_eq!(
        c.outcome().unwrap(),
        &Err(CommandError::Timeout {
            command: MavCmd::MAV_CMD_NAV_RETURN_TO_LAUNCH,
            tries: 4
        })
    );
}

#[test]
fn in_progress_extends_the_wait_and_reports_progress() {
    let mut ap = FakeAutopilot::new(ApConfig {
        in_progress_steps: 3,
        ..ApConfig::default()
    });
    ap.armed = true;
    let mut c = CommandTransaction::new(
        Target::autopilot(1),
        Command::takeoff(20.0),
        CommandConfig::default(),
    );
    // IN_PROGRESS at 0, 33 and 66 %, then ACCEPTED after 1.5 s: the command was sent once
    // although 1.5 s is longer than its acknowledgement timeout.
    let (t, _) = run(&mut c, &mut ap, &NetConfig::lossless(20), secs(30));
    let rep = c.outcome().unwrap().as_ref().unwrap();
    assert_eq!((rep.progress_updates, rep.tries), (3, 1));
    assert_eq!(c.progress(), Some(66));
    assert_eq!(t, Duration::from_millis(1540));
    assert_eq!(ap.commands.len(), 1);
}

#[test]
fn temporarily_rejected_arming_is_retried_within_a_budget() {
    let mut ap = FakeAutopilot::new(ApConfig {
        arm_refusals: 2,
        ..ApConfig::default()
    });
    let cfg = CommandConfig {
        rejected_retries: 3,
        ..CommandConfig::default()
    };
    let mut c = CommandTransaction::new(Target::autopilot(1), Command::arm(false), cfg);
    let (t, _) = run(&mut c, &mut ap, &NetConfig::lossless(20), secs(60));
    assert_eq!(c.outcome().unwrap().as_ref().unwrap().refusals, 2);
    assert!(t >= secs(4), "two 2 s pauses: {t:?}");
    assert!(ap.armed);

    let mut ap = FakeAutopilot::new(ApConfig {
        arm_refusals: 5,
        ..ApConfig::default()
    });
    let cfg = CommandConfig {
        rejected_retries: 1,
        ..CommandConfig::default()
    };
    let mut c = CommandTransaction::new(Target::autopilot(1), Command::arm(false), cfg);
    run(&mut c, &mut ap, &NetConfig::lossless(20), secs(60));
    assert_eq!(
        c.outcome().unwrap(),
        &Err(CommandError::Refused {
            command: MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            result: MavResult::MAV_RESULT_TEMPORARILY_REJECTED,
            temporarily: true
        })
    );
}

#[test]
fn unsupported_command_is_refused_at_once() {
    let mut ap = FakeAutopilot::new(ApConfig::default());
    let mut c = CommandTransaction::new(
        Target::autopilot(1),
        Command::long(
            MavCmd::MAV_CMD_DO_FLIGHTTERMINATION,
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ),
        CommandConfig::default(),
    );
    let (t, _) = run(&mut c, &mut ap, &NetConfig::lossless(20), secs(60));
    assert!(matches!(
        c.outcome().unwrap(),
        Err(CommandError::Refused {
            result: MavResult::MAV_RESULT_UNSUPPORTED,
            ..
        })
    ));
    assert_eq!(t, Duration::from_millis(40));
}

#[test]
fn read_all_parameters_fills_gaps_over_loss() {
    let mut ap = FakeAutopilot::new(ApConfig::default());
    for i in 0..300 {
        ap.params.push((format!("TEST_P{i}"), i as f32));
    }
    let mut r = ParamReadAll::new(Target::autopilot(1), ParamConfig::default());
    run(&mut r, &mut ap, &NetConfig::lossy(50, 0.3, 3), secs(120));
    let all = r.outcome().unwrap().as_ref().unwrap();
    assert_eq!(all.len(), 305);
    assert_eq!(all[0].name, "FENCE_ENABLE");
    assert_eq!(all[304].name, "TEST_P299");
    assert_eq!(all[304].value, 299.0);
}

#[test]
fn set_is_verified_against_the_echo() {
    let mut ap = FakeAutopilot::new(ApConfig::default());
    let t = Target::autopilot(1);
    let mut s = ParamExchange::set(
        t,
        "FENCE_ENABLE",
        1.0,
        MavParamType::MAV_PARAM_TYPE_INT8,
        ParamConfig::default(),
    );
    run(&mut s, &mut ap, &NetConfig::lossy(30, 0.3, 5), secs(30));
    assert_eq!(s.outcome().unwrap().as_ref().unwrap().value, 1.0);
    assert_eq!(ap.params[0].1, 1.0);
    // The fake clamps FENCE_TYPE to 7: the set is reported as not taken.
    let mut s = ParamExchange::set(
        t,
        "FENCE_TYPE",
        15.0,
        MavParamType::MAV_PARAM_TYPE_INT8,
        ParamConfig::default(),
    );
    run(&mut s, &mut ap, &NetConfig::lossless(30), secs(30));
    assert_eq!(
        s.outcome().unwrap(),
        &Err(ParamError::NotSet {
            name: "FENCE_TYPE".into(),
            asked: 15.0,
            held: 7.0
        })
    );
    let mut g = ParamExchange::get(t, "WPNAV_SPEED", ParamConfig::default());
    run(&mut g, &mut ap, &NetConfig::lossless(30), secs(30));
    assert_eq!(g.outcome().unwrap().as_ref().unwrap().value, 1000.0);
    let mut g = ParamExchange::get(t, "NO_SUCH", ParamConfig::default());
    run(&mut g, &mut ap, &NetConfig::lossless(30), secs(30));
    assert!(matches!(
        g.outcome().unwrap(),
        Err(ParamError::Timeout { retries: 5, .. })
    ));
    assert!(g.is_done());
}
