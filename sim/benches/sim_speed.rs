//! How fast the simulator runs: one vehicle with a ground station's usual telemetry rates
//! (target ≥ 100× real time), and 20 vehicles (target: one simulated second in under 0.2 s of
//! one core); and one thermal frame.

// REQUEST_DATA_STREAM is deprecated upstream but is what ground stations send ArduPilot.
#![allow(deprecated)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use mavlink::dialects::ardupilotmega::{
    COMMAND_LONG_DATA, MavCmd, MavDataStream, MavMessage, REQUEST_DATA_STREAM_DATA,
};
use mavlink::{MavHeader, MavlinkVersion};
use vigil_sim::{GeoPoint, Sim, SimConfig};

fn send(sim: &mut Sim, msg: MavMessage) {
    let header = MavHeader {
        system_id: 255,
        component_id: 190,
        sequence: 0,
    };
    sim.handle_message(header, &msg, MavlinkVersion::V2);
}

fn command(sim: &mut Sim, target: u8, command: MavCmd, p: [f32; 7]) {
    send(
        sim,
        MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
            param1: p[0],
            param2: p[1],
            param7: p[6],
            command,
            target_system: target,
            target_component: 1,
            ..COMMAND_LONG_DATA::default()
        }),
    );
}

fn stream(sim: &mut Sim, id: MavDataStream, rate_hz: u16) {
    send(
        sim,
        MavMessage::REQUEST_DATA_STREAM(REQUEST_DATA_STREAM_DATA {
            req_message_rate: rate_hz,
            target_system: 0,
            target_component: 0,
            req_stream_id: id,
            start_stop: 1,
        }),
    );
}

/// Vehicles flying in GUIDED with MAVProxy's stream rates (all streams at 4 Hz, position and
/// attitude at 10 Hz) — about 45 messages a second each.
fn flying(vehicles: u8) -> Sim {
    let mut cfg = SimConfig::new(GeoPoint::new(-35.363_261, 149.165_230, 584.0));
    cfg.vehicles = vehicles;
    cfg.vehicle.wind_speed_mps = 5.0;
    cfg.vehicle.gust_sigma_mps = 1.5;
    let mut sim = Sim::new(cfg);
    stream(&mut sim, MavDataStream::MAV_DATA_STREAM_ALL, 4);
    stream(&mut sim, MavDataStream::MAV_DATA_STREAM_POSITION, 10);
    stream(&mut sim, MavDataStream::MAV_DATA_STREAM_EXTRA1, 10);
    sim.step(Duration::from_secs(6));
    for v in 1..=vehicles {
        command(
            &mut sim,
            v,
            MavCmd::MAV_CMD_DO_SET_MODE,
            [1.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        );
        command(
            &mut sim,
            v,
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        );
        command(
            &mut sim,
            v,
            MavCmd::MAV_CMD_NAV_TAKEOFF,
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 30.0],
        );
    }
    sim.step(Duration::from_secs(5));
    sim.poll_outgoing();
    sim
}

/// Simulate `secs` seconds, serialising every frame as the binary does.
fn simulate(sim: &mut Sim, secs: u64) -> usize {
    let mut frames = 0;
    for _ in 0..secs * 50 {
        sim.step(Duration::from_millis(20));
        frames += sim.poll_outgoing().len();
    }
    frames
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("sim");
    group.sample_size(20);
    group.bench_function("one_vehicle_60_simulated_s", |b| {
        b.iter_batched(
            || flying(1),
            |mut sim| black_box(simulate(&mut sim, 60)),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("twenty_vehicles_1_simulated_s", |b| {
        b.iter_batched(
            || flying(20),
            |mut sim| black_box(simulate(&mut sim, 1)),
            BatchSize::LargeInput,
        )
    });
    group.finish();

    // One 160×120 thermal frame of the sample scenario from 40 m, looking down.
    let scenario = vigil_sim::thermal::Scenario::from_file(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../missions/scenario_cmac_night.json"
    )));
    if let Ok(scenario) = scenario {
        let scene = vigil_sim::thermal::Scene::new(
            scenario,
            GeoPoint::new(-35.363_261, 149.165_230, 584.0),
            1,
        );
        let cam = vigil_sim::thermal::CameraConfig::default();
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        c.bench_function("thermal_frame_160x120", |b| {
            b.iter(|| {
                black_box(vigil_sim::thermal::render(
                    &scene,
                    &cam,
                    [10.0, 40.0, 40.0],
                    0.0,
                    10.0,
                    &mut rng,
                ))
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
