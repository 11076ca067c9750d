//! The mission-transfer acceptance figure in simulated time: a verified upload (upload then
//! read-back of every field) of 700 items over a 50 ms link, lossless and with 30 % loss each
//! way over 50 seeds. Prints the times; the test `link_transfer` asserts the bound.

#![allow(clippy::unwrap_used, deprecated)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use support::fake_autopilot::{ApConfig, FakeAutopilot};
use support::simnet::{NetConfig, run};
use vigil::link::items::{ListKind, mission_to_wire};
use vigil::link::transfer::VerifiedUpload;
use vigil::link::{Target, TransferConfig};
use vigil::mission::MissionItem;

fn verified_700(net: &NetConfig) -> Duration {
    let items: Vec<MissionItem> = (0..699)
        .map(|i| MissionItem {
            command: 16,
            frame: 3,
            params: [0.0; 4],
            lat_deg: -35.363_261 + i as f64 * 1.1e-5,
            lon_deg: 149.165_230,
            alt_m: 30.0,
            autocontinue: true,
        })
        .collect();
    let wire = mission_to_wire(&items, None, true).unwrap();
    let mut ap = FakeAutopilot::new(ApConfig {
        capacity: 720,
        ..ApConfig::default()
    });
    let mut v = VerifiedUpload::new(
        Target::autopilot(1),
        ListKind::Mission,
        wire,
        true,
        TransferConfig::default(),
    );
    let (t, _) = run(&mut v, &mut ap, net, Duration::from_secs(3600));
    assert!(v.outcome().unwrap().is_ok(), "seed {}", net.seed);
    t
}

fn main() {
    let wall = std::time::Instant::now();
    let lossless = verified_700(&NetConfig::lossless(50));
    let mut lossy: Vec<Duration> = (1..=50)
        .map(|s| verified_700(&NetConfig::lossy(50, 0.3, s)))
        .collect();
    lossy.sort();
    let median = (lossy[24] + lossy[25]) / 2;
    println!(
        "mission transfer, 700 items (home included), 50 ms latency each way, simulated time:"
    );
    println!(
        "  lossless verified upload:            {:8.1} s",
        lossless.as_secs_f64()
    );
    println!(
        "  30 % loss each way, 50 seeds: median {:8.1} s  (min {:.1} s, max {:.1} s)  = {:.2}x lossless",
        median.as_secs_f64(),
        lossy[0].as_secs_f64(),
        lossy[49].as_secs_f64(),
        median.as_secs_f64() / lossless.as_secs_f64()
    );
    println!(
        "  ({} runs simulated in {:.1} s of wall time)",
        51,
        wall.elapsed().as_secs_f64()
    );
}
