//! A small ground station for the simulator's tests: sends MAVLink through a [`Harness`],
//! parses what comes back, uploads missions and sends commands as a client would.

#![allow(dead_code, deprecated)]

use std::collections::VecDeque;
use std::io::Read;
use std::time::Duration;

use mavlink::dialects::ardupilotmega::{
    COMMAND_LONG_DATA, HEARTBEAT_DATA, MISSION_COUNT_DATA, MISSION_ITEM_INT_DATA, MavAutopilot,
    MavCmd, MavDataStream, MavFrame, MavMessage, MavMissionResult, MavMissionType, MavModeFlag,
    MavParamType, MavResult, MavState, MavType, PARAM_SET_DATA, REQUEST_DATA_STREAM_DATA,
};
use mavlink::{MavHeader, MavlinkReader};
use vigil_sim::{GeoPoint, Harness, Impairment, SimConfig};

/// Where the tests fly: ArduPilot's SITL default location (CMAC, Canberra).
pub fn home() -> GeoPoint {
    GeoPoint::new(-35.363_261, 149.165_230, 584.0)
}

#[derive(Debug, Default)]
struct Feed(VecDeque<u8>);

impl Read for Feed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len());
        for (d, s) in buf.iter_mut().zip(self.0.drain(..n)) {
            *d = s;
        }
        Ok(n)
    }
}

/// The test ground station.
pub struct Gcs {
    /// The simulator and its links.
    pub h: Harness,
    reader: MavlinkReader<Feed>,
    seq: u8,
    /// Send a GCS heartbeat every second.
    pub heartbeats: bool,
    next_heartbeat_us: u64,
    /// When the last GCS heartbeat was sent, microseconds.
    pub last_heartbeat_sent_us: u64,
    /// Every message received, with its header.
    pub log: Vec<(u64, MavHeader, MavMessage)>,
    /// Every raw chunk received (for determinism checks).
    pub raw: Vec<Vec<u8>>,
}

impl Gcs {
    pub fn new(cfg: SimConfig) -> Self {
        Self::with_link(cfg, Impairment::none())
    }

    pub fn with_link(cfg: SimConfig, link: Impairment) -> Self {
        Self {
            h: Harness::new(cfg, link),
            reader: MavlinkReader::new(Feed::default()),
            seq: 0,
            heartbeats: true,
            next_heartbeat_us: 0,
            last_heartbeat_sent_us: 0,
            log: Vec::new(),
            raw: Vec::new(),
        }
    }

    pub fn now_s(&self) -> f64 {
        self.h.now_us() as f64 * 1e-6
    }

    pub fn send(&mut self, msg: MavMessage) {
        let header = MavHeader {
            system_id: 255,
            component_id: 190,
            sequence: self.seq,
        };
        self.seq = self.seq.wrapping_add(1);
        let mut bytes = Vec::new();
        mavlink::write_v2_msg(&mut bytes, header, &msg).expect("serialise");
        self.h.send(&bytes);
    }

    /// Advance by `dt` in 20 ms slices; returns the messages received meanwhile.
    pub fn run(&mut self, dt: Duration) -> Vec<MavMessage> {
        let start = self.log.len();
        let end = self.h.now_us() + dt.as_micros() as u64;
        while self.h.now_us() < end {
            if self.heartbeats && self.h.now_us() >= self.next_heartbeat_us {
                self.next_heartbeat_us = self.h.now_us() + 1_000_000;
                self.last_heartbeat_sent_us = self.h.now_us();
                self.send(MavMessage::HEARTBEAT(HEARTBEAT_DATA {
                    custom_mode: 0,
                    mavtype: MavType::MAV_TYPE_GCS,
                    autopilot: MavAutopilot::MAV_AUTOPILOT_INVALID,
                    base_mode: MavModeFlag::empty(),
                    system_status: MavState::MAV_STATE_ACTIVE,
                    mavlink_version: 3,
                }));
            }
            let slice = (end - self.h.now_us()).min(20_000);
            let chunks = self.h.advance(Duration::from_micros(slice));
            for c in chunks {
                self.reader.get_mut().0.extend(&c);
                self.raw.push(c);
                while let Ok((header, msg)) = self.reader.read_any_message::<MavMessage>() {
                    self.log.push((self.h.now_us(), header, msg));
                }
            }
        }
        self.log[start..]
            .iter()
            .map(|(_, _, m)| m.clone())
            .collect()
    }

    /// Run until `pred` matches a received message, at most `timeout`.
    pub fn run_until<F: FnMut(&MavMessage) -> bool>(
        &mut self,
        timeout: Duration,
        mut pred: F,
    ) -> Option<MavMessage> {
        let end = self.h.now_us() + timeout.as_micros() as u64;
        while self.h.now_us() < end {
            for m in self.run(Duration::from_millis(20)) {
                if pred(&m) {
                    return Some(m);
                }
            }
        }
        None
    }

    pub fn command(&mut self, command: MavCmd, p: [f32; 7]) -> MavResult {
        self.send(MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
            param1: p[0],
            param2: p[1],
            param3: p[2],
            param4: p[3],
            param5: p[4],
            param6: p[5],
            param7: p[6],
            command,
            target_system: 1,
            target_component: 1,
            confirmation: 0,
        }));
        match self.run_until(
            Duration::from_secs(3),
            |m| matches!(m, MavMessage::COMMAND_ACK(a) if a.command == command),
        ) {
            Some(MavMessage::COMMAND_ACK(a)) => a.result,
            _ => panic!("no COMMAND_ACK for {command:?}"),
        }
    }

    pub fn set_mode(&mut self, mode: u32) -> MavResult {
        self.command(
            MavCmd::MAV_CMD_DO_SET_MODE,
            [1.0, mode as f32, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
    }

    pub fn arm(&mut self) -> MavResult {
        self.command(
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM,
            [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
    }

    pub fn set_param(&mut self, name: &str, value: f32) {
        self.send(MavMessage::PARAM_SET(PARAM_SET_DATA {
            param_value: value,
            target_system: 1,
            target_component: 1,
            param_id: name.into(),
            param_type: MavParamType::MAV_PARAM_TYPE_REAL32,
        }));
        let got = self.run_until(
            Duration::from_secs(2),
            |m| matches!(m, MavMessage::PARAM_VALUE(p) if p.param_id.to_str().ok() == Some(name)),
        );
        match got {
            Some(MavMessage::PARAM_VALUE(p)) => {
                assert_eq!(p.param_value.round(), value.round(), "{name}")
            }
            _ => panic!("no PARAM_VALUE for {name}"),
        }
    }

    pub fn request_all_streams(&mut self, rate_hz: u16) {
        self.send(MavMessage::REQUEST_DATA_STREAM(REQUEST_DATA_STREAM_DATA {
            req_message_rate: rate_hz,
            target_system: 1,
            target_component: 1,
            req_stream_id: MavDataStream::MAV_DATA_STREAM_ALL,
            start_stop: 1,
        }));
    }

    /// Upload `items` (a mission includes home at seq 0) answering every MISSION_REQUEST.
    pub fn upload(
        &mut self,
        kind: MavMissionType,
        items: &[MISSION_ITEM_INT_DATA],
    ) -> MavMissionResult {
        self.send(MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
            count: items.len() as u16,
            target_system: 1,
            target_component: 1,
            mission_type: kind,
            opaque_id: 0,
        }));
        for _ in 0..(items.len() * 4 + 10) {
            let reply = self.run_until(Duration::from_secs(10), |m| {
                matches!(
                    m,
                    MavMessage::MISSION_REQUEST(_)
                        | MavMessage::MISSION_REQUEST_INT(_)
                        | MavMessage::MISSION_ACK(_)
                )
            });
            let seq = match reply {
                Some(MavMessage::MISSION_REQUEST(r)) => r.seq,
                Some(MavMessage::MISSION_REQUEST_INT(r)) => r.seq,
                Some(MavMessage::MISSION_ACK(a)) => return a.mavtype,
                _ => panic!("upload stalled"),
            };
            let mut item = items[usize::from(seq)].clone();
            item.seq = seq;
            item.mission_type = kind;
            item.target_system = 1;
            item.target_component = 1;
            self.send(MavMessage::MISSION_ITEM_INT(item));
        }
        panic!("upload did not finish")
    }

    /// Custom mode and armed flag of the latest heartbeat from `sysid`.
    pub fn last_heartbeat(&self, sysid: u32) -> Option<(u32, bool)> {
        self.log.iter().rev().find_map(|(_, h, m)| match m {
            MavMessage::HEARTBEAT(hb) if h.system_id == sysid => Some((
                hb.custom_mode,
                hb.base_mode
                    .contains(MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED),
            )),
            _ => None,
        })
    }

    pub fn texts(&self) -> Vec<String> {
        self.log
            .iter()
            .filter_map(|(_, _, m)| match m {
                MavMessage::STATUSTEXT(t) => t.text.to_str().ok().map(str::to_owned),
                _ => None,
            })
            .collect()
    }
}

/// A mission item in the relative-altitude frame at east/north metres from `home()`.
pub fn item(
    command: MavCmd,
    east_m: f64,
    north_m: f64,
    alt_m: f32,
    params: [f32; 4],
) -> MISSION_ITEM_INT_DATA {
    let h = home();
    let lat = h.lat_deg + north_m / vigil_sim::geodesy::M_PER_DEG;
    let lon = h.lon_deg + east_m / (vigil_sim::geodesy::M_PER_DEG * h.lat_deg.to_radians().cos());
    let located = !(east_m == 0.0 && north_m == 0.0);
    MISSION_ITEM_INT_DATA {
        param1: params[0],
        param2: params[1],
        param3: params[2],
        param4: params[3],
        x: if located {
            (lat * 1e7).round() as i32
        } else {
            0
        },
        y: if located {
            (lon * 1e7).round() as i32
        } else {
            0
        },
        z: alt_m,
        command,
        frame: MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        autocontinue: 1,
        ..MISSION_ITEM_INT_DATA::default()
    }
}

/// A fence vertex or circle item at east/north metres from `home()`.
pub fn fence_item(
    command: MavCmd,
    east_m: f64,
    north_m: f64,
    param1: f32,
) -> MISSION_ITEM_INT_DATA {
    let mut i = item(command, east_m, north_m, 0.0, [param1, 0.0, 0.0, 0.0]);
    i.frame = MavFrame::MAV_FRAME_GLOBAL;
    i
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}
