//! The simulator: N vehicles (system ids 1..N) stepped by a simulated clock, fed MAVLink bytes or
//! parsed messages, and polled for the frames they send. No sockets and no wall clock inside.

use std::collections::VecDeque;
use std::io::Read;
use std::time::Duration;

use mavlink::dialects::ardupilotmega::MavMessage;
use mavlink::{
    MAVLinkMessageRaw, MavHeader, MavlinkReader, MavlinkVersion, Message, SigningConfig,
    SigningData,
};

use crate::geodesy::{GeoPoint, LocalFrame};
use crate::mission::Peer;
use crate::vehicle::{Vehicle, VehicleConfig};

/// Largest physics step, microseconds (100 Hz).
pub const PHYSICS_STEP_US: u64 = 10_000;
/// Metres between neighbouring vehicles at start (they line up eastwards from home).
pub const VEHICLE_SPACING_M: f64 = 3.0;

/// MAVLink 2 signing for the simulator's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    /// The 32-byte secret key.
    pub key: [u8; 32],
    /// Drop unsigned and badly signed frames when true; accept unsigned ones otherwise.
    pub required: bool,
}

/// How to build a simulator.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Number of vehicles (system ids 1..=N).
    pub vehicles: u8,
    /// Home of vehicle 1; the others start a few metres east of it.
    pub home: GeoPoint,
    /// Seed of every random process (wind, GPS noise).
    pub seed: u64,
    /// Per-vehicle settings.
    pub vehicle: VehicleConfig,
    /// MAVLink 2 signing, if any.
    pub signing: Option<Signing>,
}

impl SimConfig {
    /// One vehicle at `home`, seed 1, default settings.
    pub fn new(home: GeoPoint) -> Self {
        Self {
            vehicles: 1,
            home,
            seed: 1,
            vehicle: VehicleConfig::default(),
            signing: None,
        }
    }
}

/// A frame the simulator sends: its header, the message and the bytes on the wire.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Header (the vehicle's system id, component 1, its sequence number).
    pub header: MavHeader,
    /// The message.
    pub msg: MavMessage,
    /// The serialised MAVLink 2 frame (signed when signing is set).
    pub bytes: Vec<u8>,
}

/// Counters of what came in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InStats {
    /// Messages handled.
    pub messages: u64,
    /// Frames with a good checksum that did not decode, or were refused by signing.
    pub rejected: u64,
}

#[derive(Debug, Default)]
struct Feed(VecDeque<u8>);

impl Read for Feed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len());
        for (dst, src) in buf.iter_mut().zip(self.0.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }
}

/// The simulator.
pub struct Sim {
    vehicles: Vec<Vehicle>,
    sequences: Vec<u8>,
    now_us: u64,
    reader: MavlinkReader<Feed>,
    signing: Option<SigningData>,
    stats: InStats,
    scratch: Vec<MavMessage>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("vehicles", &self.vehicles.len())
            .field("now_us", &self.now_us)
            .finish()
    }
}

impl Sim {
    /// A simulator at time zero with every vehicle disarmed on the ground.
    pub fn new(cfg: SimConfig) -> Self {
        let frame = LocalFrame::new(cfg.home);
        let vehicles: Vec<Vehicle> = (1..=cfg.vehicles.max(1))
            .map(|sysid| {
                let (lat, lon) = frame.to_geo(f64::from(sysid - 1) * VEHICLE_SPACING_M, 0.0);
                let start = GeoPoint::new(lat, lon, cfg.home.alt_m);
                Vehicle::new(sysid, start, cfg.vehicle.clone(), cfg.seed)
            })
            .collect();
        let signing = cfg
            .signing
            .as_ref()
            .map(|s| SigningData::from_config(SigningConfig::new(s.key, 0, true, !s.required)));
        Self {
            sequences: vec![0; vehicles.len()],
            vehicles,
            now_us: 0,
            reader: MavlinkReader::new(Feed::default()),
            signing,
            stats: InStats::default(),
            scratch: Vec::new(),
        }
    }

    /// Simulated time since boot, microseconds.
    pub fn now_us(&self) -> u64 {
        self.now_us
    }

    /// The vehicles, system id order.
    pub fn vehicles(&self) -> &[Vehicle] {
        &self.vehicles
    }

    /// Vehicle `sysid`.
    pub fn vehicle(&self, sysid: u8) -> Option<&Vehicle> {
        self.vehicles.get(usize::from(sysid).checked_sub(1)?)
    }

    /// Vehicle `sysid`, mutable (to drain a battery or change a parameter in a test).
    pub fn vehicle_mut(&mut self, sysid: u8) -> Option<&mut Vehicle> {
        self.vehicles.get_mut(usize::from(sysid).checked_sub(1)?)
    }

    /// Counters of incoming traffic.
    pub fn in_stats(&self) -> InStats {
        self.stats
    }

    /// Advance simulated time by `dt` in physics steps of at most 10 ms.
    pub fn step(&mut self, dt: Duration) {
        let end = self.now_us + dt.as_micros() as u64;
        while self.now_us < end {
            let h = (end - self.now_us).min(PHYSICS_STEP_US);
            self.now_us += h;
            for v in &mut self.vehicles {
                v.step(self.now_us, h as f64 * 1e-6);
            }
        }
    }

    /// Feed bytes as they came off a link: frames are reassembled across calls, garbage between
    /// frames is skipped.
    pub fn handle_bytes(&mut self, bytes: &[u8]) {
        self.reader.get_mut().0.extend(bytes);
        loop {
            let raw = match &self.signing {
                Some(s) => self
                    .reader
                    .read_any_raw_message_signed::<MavMessage>(Some(s)),
                None => self.reader.read_any_raw_message::<MavMessage>(),
            };
            let Ok(raw) = raw else { break };
            self.handle_raw(&raw);
        }
    }

    fn handle_raw(&mut self, raw: &MAVLinkMessageRaw) {
        let version = raw.version();
        match MavMessage::parse(version, raw.message_id(), raw.payload()) {
            Ok(msg) => {
                let header = MavHeader {
                    system_id: raw.system_id(),
                    component_id: raw.component_id(),
                    sequence: raw.sequence(),
                };
                self.handle_message(header, &msg, version);
            }
            Err(e) => {
                tracing::debug!(error = %e, "incoming frame not decoded");
                self.stats.rejected += 1;
            }
        }
    }

    /// Handle one parsed message as if it had arrived in a frame of `version`.
    pub fn handle_message(&mut self, header: MavHeader, msg: &MavMessage, version: MavlinkVersion) {
        self.stats.messages += 1;
        let peer = Peer {
            sysid: header.system_id as u8,
            compid: header.component_id,
        };
        let target = msg.target_system_id();
        let component_ok = msg.target_component_id().is_none_or(|c| c == 0 || c == 1);
        if !component_ok {
            return;
        }
        let v1 = version == MavlinkVersion::V1;
        for v in &mut self.vehicles {
            if target.is_none_or(|t| t == 0 || t == v.sysid()) {
                v.handle(peer, v1, msg);
            }
        }
    }

    /// Everything the vehicles have sent since the last call, as MAVLink 2 frames.
    pub fn poll_outgoing(&mut self) -> Vec<Frame> {
        let mut frames = Vec::new();
        for (i, v) in self.vehicles.iter_mut().enumerate() {
            self.scratch.clear();
            v.take_outgoing(&mut self.scratch);
            for msg in self.scratch.drain(..) {
                let header = MavHeader {
                    system_id: u32::from(v.sysid()),
                    component_id: 1,
                    sequence: self.sequences[i],
                };
                self.sequences[i] = self.sequences[i].wrapping_add(1);
                let mut bytes = Vec::with_capacity(64);
                if let Err(e) =
                    mavlink::write_v2_msg_signed(&mut bytes, header, &msg, self.signing.as_ref())
                {
                    tracing::warn!(error = %e, "frame not serialised");
                    continue;
                }
                frames.push(Frame { header, msg, bytes });
            }
        }
        frames
    }
}
