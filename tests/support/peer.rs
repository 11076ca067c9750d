//! The fake autopilot at byte level, for tests over real sockets: heartbeats, positions and
//! mission progress every tick, answers to whatever it receives. A crude flight: after take-off
//! it reports the take-off altitude; in AUTO it advances one mission item per tick and, past
//! the last one, lands and disarms.

#![allow(dead_code, deprecated, clippy::unwrap_used)]

use mavlink::dialects::ardupilotmega::*;
use mavlink::{MavlinkVersion, Message};
use vigil::link::MavMessage;
use vigil::link::frame::{FrameCodec, FrameParser};
use vigil::link::items::ListKind;

use super::fake_autopilot::{ApConfig, FakeAutopilot};

pub fn heartbeat(ap: &FakeAutopilot) -> MavMessage {
    let mut base = MavModeFlag::MAV_MODE_FLAG_CUSTOM_MODE_ENABLED;
    if ap.armed {
        base |= MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED;
    }
    MavMessage::HEARTBEAT(HEARTBEAT_DATA {
        custom_mode: ap.custom_mode,
        mavtype: MavType::MAV_TYPE_QUADROTOR,
        autopilot: MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA,
        base_mode: base,
        system_status: MavState::MAV_STATE_STANDBY,
        mavlink_version: 3,
    })
}

pub fn position(rel_alt_m: f32) -> MavMessage {
    MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
        time_boot_ms: 0,
        lat: -353_632_610,
        lon: 1_491_652_300,
        alt: 584_000 + (rel_alt_m * 1000.0) as i32,
        relative_alt: (rel_alt_m * 1000.0) as i32,
        vx: 0,
        vy: 0,
        vz: 0,
        hdg: 9000,
    })
}

/// The fake autopilot's byte-level side: heartbeats and positions every 100 ms while `talk` is
/// true, answers to everything it receives. `bytes_in` gives received bytes, the returned
/// bytes are sent.
pub struct Peer {
    pub ap: FakeAutopilot,
    codec: FrameCodec,
    parser: FrameParser,
    started: tokio::time::Instant,
    pub got_streams_request: bool,
    pub rel_alt_m: f32,
}

impl Peer {
    pub fn new(signing: Option<[u8; 32]>) -> Self {
        Self::with_sysid(1, signing)
    }

    /// A peer that is system `sysid` and ignores messages addressed to other systems.
    pub fn with_sysid(sysid: u8, signing: Option<[u8; 32]>) -> Self {
        let mut codec = FrameCodec::new(sysid, 1, MavlinkVersion::V2);
        if let Some(k) = signing {
            codec.set_signing_key(k, 0, false);
        }
        let mut ap = FakeAutopilot::new(ApConfig::default());
        ap.sysid = sysid;
        Self {
            ap,
            codec,
            parser: FrameParser::new(),
            started: tokio::time::Instant::now(),
            got_streams_request: false,
            rel_alt_m: 30.0,
        }
    }

    pub fn on_bytes(&mut self, bytes: &[u8]) -> Vec<u8> {
        let now = self.started.elapsed();
        let mut out = Vec::new();
        for rx in self.parser.push(bytes) {
            let Some(m) = rx.message else { continue };
            if m.target_system_id()
                .is_some_and(|t| t != 0 && t != self.ap.sysid)
            {
                continue;
            }
            if matches!(m, MavMessage::REQUEST_DATA_STREAM(_)) {
                self.got_streams_request = true;
            }
            if let MavMessage::TIMESYNC(t) = &m
                && t.tc1 == 0
            {
                let reply = MavMessage::TIMESYNC(TIMESYNC_DATA {
                    tc1: 1,
                    ts1: t.ts1,
                    target_system: 255,
                    target_component: 190,
                });
                out.extend(self.codec.encode(&reply));
            }
            for reply in self.ap.handle(now, &m) {
                out.extend(self.codec.encode(&reply));
            }
        }
        out
    }

    pub fn periodic(&mut self) -> Vec<u8> {
        let now = self.started.elapsed();
        self.fly();
        let mut out = self.codec.encode(&heartbeat(&self.ap));
        out.extend(self.codec.encode(&position(self.rel_alt_m)));
        out.extend(
            self.codec
                .encode(&MavMessage::MISSION_CURRENT(MISSION_CURRENT_DATA {
                    seq: self.ap.mission_current,
                    ..MISSION_CURRENT_DATA::default()
                })),
        );
        for m in self.ap.tick(now) {
            out.extend(self.codec.encode(&m));
        }
        out
    }
}

impl Peer {
    /// One tick of the crude flight.
    fn fly(&mut self) {
        let took_off = self
            .ap
            .commands
            .iter()
            .any(|c| c.0 == MavCmd::MAV_CMD_NAV_TAKEOFF);
        if self.ap.armed && took_off && self.rel_alt_m < 20.0 {
            self.rel_alt_m = 20.0;
        }
        if self.ap.armed && self.ap.custom_mode == 3 {
            let last = self.ap.list(ListKind::Mission).len().saturating_sub(1) as u16;
            if self.ap.mission_current < last {
                self.ap.mission_current += 1;
            } else {
                self.ap.custom_mode = 9;
                self.rel_alt_m = 0.0;
                self.ap.armed = false;
            }
        }
    }
}
