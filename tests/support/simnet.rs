//! A simulated radio link between a ground-station transaction and the fake autopilot: fixed
//! latency, seeded random loss each way, every message serialised to a MAVLink 2 frame and
//! parsed back. Time is simulated; nothing sleeps.

#![allow(dead_code, deprecated, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use mavlink::{MavHeader, MavlinkVersion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigil::link::{MavMessage, Transaction};

use super::fake_autopilot::FakeAutopilot;

/// Link impairments.
#[derive(Debug, Clone)]
pub struct NetConfig {
    pub latency: Duration,
    /// Probability a ground-to-vehicle message is lost.
    pub loss_up: f64,
    /// Probability a vehicle-to-ground message is lost.
    pub loss_down: f64,
    pub seed: u64,
}

impl NetConfig {
    pub fn lossless(latency_ms: u64) -> Self {
        Self {
            latency: Duration::from_millis(latency_ms),
            loss_up: 0.0,
            loss_down: 0.0,
            seed: 0,
        }
    }
    pub fn lossy(latency_ms: u64, loss: f64, seed: u64) -> Self {
        Self {
            latency: Duration::from_millis(latency_ms),
            loss_up: loss,
            loss_down: loss,
            seed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Dir {
    Up,
    Down,
}

/// Counters of one run.
#[derive(Debug, Clone, Default)]
pub struct NetStats {
    pub sent_up: usize,
    pub sent_down: usize,
    pub lost_up: usize,
    pub lost_down: usize,
}

fn roundtrip(msg: &MavMessage, sysid: u8, seq: u8) -> MavMessage {
    let mut buf = Vec::with_capacity(300);
    let header = MavHeader {
        system_id: u32::from(sysid),
        component_id: 1,
        sequence: seq,
    };
    mavlink::write_versioned_msg(&mut buf, MavlinkVersion::V2, header, msg).expect("serialise");
    let mut r = mavlink::MavlinkReader::new(&buf[..]);
    let (_, m) = r.read_any_message::<MavMessage>().expect("parse back");
    m
}

/// Runs `tx` against `ap` over the simulated link until it finishes or `limit` passes.
/// Returns the simulated time taken.
pub fn run<T: Transaction>(
    tx: &mut T,
    ap: &mut FakeAutopilot,
    net: &NetConfig,
    limit: Duration,
) -> (Duration, NetStats) {
    let mut rng = ChaCha8Rng::seed_from_u64(net.seed);
    let mut queue: BTreeMap<(Duration, u64), (Dir, MavMessage)> = BTreeMap::new();
    let mut counter = 0u64;
    let mut stats = NetStats::default();
    let mut now = Duration::ZERO;
    let mut seq = 0u8;

    let mut send = |dir: Dir,
                    msgs: Vec<MavMessage>,
                    now: Duration,
                    queue: &mut BTreeMap<(Duration, u64), (Dir, MavMessage)>,
                    stats: &mut NetStats| {
        for m in msgs {
            let loss = match dir {
                Dir::Up => {
                    stats.sent_up += 1;
                    net.loss_up
                }
                Dir::Down => {
                    stats.sent_down += 1;
                    net.loss_down
                }
            };
            if loss > 0.0 && rng.random::<f64>() < loss {
                match dir {
                    Dir::Up => stats.lost_up += 1,
                    Dir::Down => stats.lost_down += 1,
                }
                continue;
            }
            seq = seq.wrapping_add(1);
            let m = roundtrip(&m, if dir == Dir::Up { 255 } else { 1 }, seq);
            counter += 1;
            queue.insert((now + net.latency, counter), (dir, m));
        }
    };

    let first = tx.start(now);
    send(Dir::Up, first, now, &mut queue, &mut stats);
    while !tx.is_done() && now <= limit {
        let next = [
            queue.keys().next().map(|k| k.0),
            tx.deadline(),
            ap.deadline(),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(next) = next else { break };
        now = now.max(next);
        while let Some(entry) = queue.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let (dir, m) = entry.remove();
            if std::env::var_os("SIMNET_TRACE").is_some() {
                let d = match &m {
                    MavMessage::MISSION_REQUEST(r) => format!("REQ {}", r.seq),
                    MavMessage::MISSION_REQUEST_INT(r) => format!("REQI {}", r.seq),
                    MavMessage::MISSION_ITEM_INT(r) => format!("ITEM {}", r.seq),
                    MavMessage::MISSION_ACK(a) => format!("ACK {:?}", a.mavtype),
                    MavMessage::MISSION_COUNT(c) => format!("COUNT {}", c.count),
                    other => format!("{other:?}").chars().take(30).collect(),
                };
                eprintln!("{:>10.3} {:?} {d}", now.as_secs_f64(), dir);
            }
            match dir {
                Dir::Up => {
                    let out = ap.handle(now, &m);
                    send(Dir::Down, out, now, &mut queue, &mut stats);
                }
                Dir::Down => {
                    let out = tx.on_message(now, (ap.sysid, 1), &m);
                    send(Dir::Up, out, now, &mut queue, &mut stats);
                }
            }
        }
        let out = tx.on_tick(now);
        send(Dir::Up, out, now, &mut queue, &mut stats);
        let out = ap.tick(now);
        send(Dir::Down, out, now, &mut queue, &mut stats);
    }
    (now, stats)
}
