//! A scripted autopilot that answers like ArduCopter's SITL: the server side of the mission
//! protocol (item 0 = home, MISSION_REQUEST during uploads, re-requests every second, gives up
//! after 8 s, NO_SPACE above its capacity), commands with COMMAND_ACK, and parameters.

#![allow(deprecated, dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use mavlink::dialects::ardupilotmega::*;
use vigil::link::MavMessage;
use vigil::link::items::{ListKind, WireItem};

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct ApConfig {
    /// Items the mission list holds, home included (SITL: 650; flight controllers ~720).
    pub capacity: usize,
    /// Ask with MISSION_REQUEST (40), as SITL does, instead of MISSION_REQUEST_INT.
    pub float_requests: bool,
    /// Answer MISSION_REQUEST_INT during downloads (false: an old autopilot).
    pub answers_int: bool,
    /// Re-request interval during uploads.
    pub rerequest: Duration,
    /// Upload abandoned after this long without progress.
    pub upload_timeout: Duration,
    /// The real home reported at seq 0 (lat, lon degE7, alt m AMSL).
    pub home: (i32, i32, f32),
    /// Command answers IN_PROGRESS this many times before ACCEPTED (takeoff-like).
    pub in_progress_steps: u8,
    /// Arming refused with this many TEMPORARILY_REJECTED answers first.
    pub arm_refusals: u8,
}

impl Default for ApConfig {
    fn default() -> Self {
        Self {
            capacity: 650,
            float_requests: true,
            answers_int: true,
            rerequest: Duration::from_secs(1),
            upload_timeout: Duration::from_secs(8),
            home: (-353_632_610, 1_491_652_300, 584.0),
            in_progress_steps: 0,
            arm_refusals: 0,
        }
    }
}

#[derive(Debug, Clone)]
struct Receiving {
    kind: ListKind,
    count: usize,
    next: usize,
    buf: Vec<WireItem>,
    last_request: Duration,
    last_progress: Duration,
}

/// The fake autopilot.
#[derive(Debug, Clone)]
pub struct FakeAutopilot {
    pub cfg: ApConfig,
    pub sysid: u8,
    pub lists: BTreeMap<u8, Vec<WireItem>>,
    receiving: Option<Receiving>,
    pub armed: bool,
    pub custom_mode: u32,
    pub params: Vec<(String, f32)>,
    /// Commands received, with their confirmation counter.
    pub commands: Vec<(MavCmd, u8)>,
    pub uploads_completed: usize,
    pub mission_current: u16,
    refusals_left: u8,
    progress_left: BTreeMap<u32, u8>,
    /// Acknowledgements the vehicle sends by itself later (progress of a long command).
    scheduled: Vec<(Duration, MavMessage)>,
    now: Duration,
}

fn kind_key(k: ListKind) -> u8 {
    k.mission_type() as u32 as u8
}

impl FakeAutopilot {
    pub fn new(cfg: ApConfig) -> Self {
        let home = WireItem {
            command: MavCmd::MAV_CMD_NAV_WAYPOINT,
            frame: MavFrame::MAV_FRAME_GLOBAL,
            params: [0.0; 4],
            x: cfg.home.0,
            y: cfg.home.1,
            z: cfg.home.2,
            autocontinue: true,
        };
        let mut lists = BTreeMap::new();
        lists.insert(kind_key(ListKind::Mission), vec![home]);
        lists.insert(kind_key(ListKind::Fence), vec![]);
        lists.insert(kind_key(ListKind::Rally), vec![]);
        let refusals_left = cfg.arm_refusals;
        Self {
            cfg,
            sysid: 1,
            lists,
            receiving: None,
            armed: false,
            custom_mode: 0,
            params: vec![
                ("FENCE_ENABLE".into(), 0.0),
                ("FENCE_TYPE".into(), 7.0),
                ("FENCE_ACTION".into(), 1.0),
                ("WPNAV_SPEED".into(), 1000.0),
                ("SYSID_THISMAV".into(), 1.0),
            ],
            commands: Vec::new(),
            uploads_completed: 0,
            mission_current: 0,
            refusals_left,
            progress_left: BTreeMap::new(),
            scheduled: Vec::new(),
            now: Duration::ZERO,
        }
    }

    pub fn list(&self, kind: ListKind) -> &[WireItem] {
        &self.lists[&kind_key(kind)]
    }

    fn ack(&self, kind: MavMissionType, r: MavMissionResult) -> MavMessage {
        MavMessage::MISSION_ACK(MISSION_ACK_DATA {
            target_system: 255,
            target_component: 190,
            mavtype: r,
            mission_type: kind,
            opaque_id: 0,
        })
    }

    fn request(&self, kind: ListKind, seq: usize) -> MavMessage {
        if self.cfg.float_requests {
            MavMessage::MISSION_REQUEST(MISSION_REQUEST_DATA {
                seq: seq as u16,
                target_system: 255,
                target_component: 190,
                mission_type: kind.mission_type(),
            })
        } else {
            MavMessage::MISSION_REQUEST_INT(MISSION_REQUEST_INT_DATA {
                seq: seq as u16,
                target_system: 255,
                target_component: 190,
                mission_type: kind.mission_type(),
            })
        }
    }

    fn on_item(
        &mut self,
        now: Duration,
        kind_t: MavMissionType,
        seq: u16,
        item: WireItem,
    ) -> Vec<MavMessage> {
        let Some(kind) = ListKind::from_mission_type(kind_t) else {
            return vec![];
        };
        let Some(r) = self.receiving.as_mut() else {
            return vec![self.ack(kind_t, MavMissionResult::MAV_MISSION_INVALID_SEQUENCE)];
        };
        if r.kind != kind || usize::from(seq) != r.next {
            return vec![self.ack(kind_t, MavMissionResult::MAV_MISSION_INVALID_SEQUENCE)];
        }
        r.buf.push(item);
        r.next += 1;
        r.last_progress = now;
        r.last_request = now;
        if r.next == r.count {
            let mut buf = std::mem::take(&mut r.buf);
            if kind == ListKind::Mission {
                // Seq 0 as sent is ignored: home stays the real home.
                buf[0] = self.list(ListKind::Mission)[0];
            }
            self.receiving = None;
            self.lists.insert(kind_key(kind), buf);
            self.uploads_completed += 1;
            vec![self.ack(kind_t, MavMissionResult::MAV_MISSION_ACCEPTED)]
        } else {
            let next = r.next;
            vec![self.request(kind, next)]
        }
    }

    fn param_value(&self, i: usize) -> MavMessage {
        let (name, v) = &self.params[i];
        MavMessage::PARAM_VALUE(PARAM_VALUE_DATA {
            param_value: *v,
            param_count: self.params.len() as u16,
            param_index: i as u16,
            param_id: name.as_str().into(),
            param_type: MavParamType::MAV_PARAM_TYPE_REAL32,
        })
    }

    fn command_ack(&self, command: MavCmd, result: MavResult, progress: u8) -> MavMessage {
        MavMessage::COMMAND_ACK(COMMAND_ACK_DATA {
            command,
            result,
            progress,
            result_param2: 0,
            target_system: 255,
            target_component: 190,
        })
    }

    fn on_command(
        &mut self,
        command: MavCmd,
        params: [f32; 7],
        confirmation: u8,
    ) -> Vec<MavMessage> {
        self.commands.push((command, confirmation));
        let key = command as u32;
        if self.cfg.in_progress_steps > 0 && !self.progress_left.contains_key(&key) {
            // Progress every 500 ms, then the result.
            let steps = self.cfg.in_progress_steps;
            self.progress_left.insert(key, steps);
            for k in 1..steps {
                let pct = (100 * u32::from(k) / u32::from(steps)) as u8;
                let at = self.now + Duration::from_millis(500 * u64::from(k));
                let m = self.command_ack(command, MavResult::MAV_RESULT_IN_PROGRESS, pct);
                self.scheduled.push((at, m));
            }
            let at = self.now + Duration::from_millis(500 * u64::from(steps));
            let m = self.command_ack(command, MavResult::MAV_RESULT_ACCEPTED, 100);
            self.scheduled.push((at, m));
            return vec![self.command_ack(command, MavResult::MAV_RESULT_IN_PROGRESS, 0)];
        }
        if self.progress_left.contains_key(&key) {
            return vec![];
        }
        let result = match command {
            MavCmd::MAV_CMD_COMPONENT_ARM_DISARM => {
                if params[0] == 1.0 && self.refusals_left > 0 {
                    self.refusals_left -= 1;
                    MavResult::MAV_RESULT_TEMPORARILY_REJECTED
                } else {
                    self.armed = params[0] == 1.0;
                    MavResult::MAV_RESULT_ACCEPTED
                }
            }
            MavCmd::MAV_CMD_DO_SET_MODE => {
                self.custom_mode = params[1] as u32;
                MavResult::MAV_RESULT_ACCEPTED
            }
            MavCmd::MAV_CMD_NAV_TAKEOFF if !self.armed => MavResult::MAV_RESULT_FAILED,
            MavCmd::MAV_CMD_DO_SET_MISSION_CURRENT => {
                self.mission_current = params[0] as u16;
                MavResult::MAV_RESULT_ACCEPTED
            }
            MavCmd::MAV_CMD_DO_FLIGHTTERMINATION => MavResult::MAV_RESULT_UNSUPPORTED,
            _ => MavResult::MAV_RESULT_ACCEPTED,
        };
        vec![self.command_ack(command, result, 0)]
    }

    /// One message from the ground station.
    pub fn handle(&mut self, now: Duration, msg: &MavMessage) -> Vec<MavMessage> {
        self.now = now;
        match msg {
            MavMessage::MISSION_COUNT(c) => {
                let Some(kind) = ListKind::from_mission_type(c.mission_type) else {
                    return vec![];
                };
                let count = usize::from(c.count);
                let cap = if kind == ListKind::Mission {
                    self.cfg.capacity
                } else {
                    100
                };
                if count > cap {
                    return vec![self.ack(c.mission_type, MavMissionResult::MAV_MISSION_NO_SPACE)];
                }
                if count == 0 {
                    self.lists.insert(kind_key(kind), vec![]);
                    return vec![self.ack(c.mission_type, MavMissionResult::MAV_MISSION_ACCEPTED)];
                }
                self.receiving = Some(Receiving {
                    kind,
                    count,
                    next: 0,
                    buf: Vec::with_capacity(count),
                    last_request: now,
                    last_progress: now,
                });
                vec![self.request(kind, 0)]
            }
            MavMessage::MISSION_ITEM_INT(m) => {
                self.on_item(now, m.mission_type, m.seq, WireItem::from_item_int(m))
            }
            MavMessage::MISSION_ITEM(m) => {
                self.on_item(now, m.mission_type, m.seq, WireItem::from_item_float(m))
            }
            MavMessage::MISSION_REQUEST_LIST(r) => {
                let Some(kind) = ListKind::from_mission_type(r.mission_type) else {
                    return vec![];
                };
                vec![MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
                    count: self.list(kind).len() as u16,
                    target_system: 255,
                    target_component: 190,
                    mission_type: r.mission_type,
                    opaque_id: 0,
                })]
            }
            MavMessage::MISSION_REQUEST_INT(r) if self.cfg.answers_int => {
                self.send_item(r.mission_type, r.seq, false)
            }
            MavMessage::MISSION_REQUEST(r) => self.send_item(r.mission_type, r.seq, true),
            MavMessage::MISSION_CLEAR_ALL(c) => {
                if let Some(kind) = ListKind::from_mission_type(c.mission_type) {
                    let keep = if kind == ListKind::Mission { 1 } else { 0 };
                    if let Some(l) = self.lists.get_mut(&kind_key(kind)) {
                        l.truncate(keep);
                    }
                }
                vec![self.ack(c.mission_type, MavMissionResult::MAV_MISSION_ACCEPTED)]
            }
            MavMessage::COMMAND_LONG(c) => self.on_command(
                c.command,
                [
                    c.param1, c.param2, c.param3, c.param4, c.param5, c.param6, c.param7,
                ],
                c.confirmation,
            ),
            MavMessage::COMMAND_INT(c) => self.on_command(
                c.command,
                [
                    c.param1, c.param2, c.param3, c.param4, c.x as f32, c.y as f32, c.z,
                ],
                0,
            ),
            MavMessage::PARAM_REQUEST_LIST(_) => (0..self.params.len())
                .map(|i| self.param_value(i))
                .collect(),
            MavMessage::PARAM_REQUEST_READ(r) => {
                let name = r
                    .param_id
                    .to_str()
                    .unwrap_or("")
                    .trim_end_matches('\0')
                    .to_string();
                let idx = if r.param_index >= 0 {
                    Some(r.param_index as usize).filter(|&i| i < self.params.len())
                } else {
                    self.params.iter().position(|(n, _)| *n == name)
                };
                idx.map(|i| vec![self.param_value(i)]).unwrap_or_default()
            }
            MavMessage::PARAM_SET(p) => {
                let name = p
                    .param_id
                    .to_str()
                    .unwrap_or("")
                    .trim_end_matches('\0')
                    .to_string();
                match self.params.iter().position(|(n, _)| *n == name) {
                    Some(i) => {
                        // FENCE_TYPE is a bitmask of 3 bits: larger values are clipped, as
                        // ArduPilot clamps out-of-range values.
                        let v = if name == "FENCE_TYPE" {
                            p.param_value.min(7.0)
                        } else {
                            p.param_value
                        };
                        self.params[i].1 = v;
                        vec![self.param_value(i)]
                    }
                    None => vec![],
                }
            }
            _ => vec![],
        }
    }

    fn send_item(&self, kind_t: MavMissionType, seq: u16, float: bool) -> Vec<MavMessage> {
        let Some(kind) = ListKind::from_mission_type(kind_t) else {
            return vec![];
        };
        let list = self.list(kind);
        match list.get(usize::from(seq)) {
            Some(it) if float => vec![MavMessage::MISSION_ITEM(it.to_item_float(
                seq,
                (255, 190),
                kind,
                false,
            ))],
            Some(it) => vec![MavMessage::MISSION_ITEM_INT(it.to_item_int(
                seq,
                (255, 190),
                kind,
                false,
            ))],
            None => vec![self.ack(kind_t, MavMissionResult::MAV_MISSION_INVALID_SEQUENCE)],
        }
    }

    /// When `tick` is next due.
    pub fn deadline(&self) -> Option<Duration> {
        let sched = self.scheduled.iter().map(|s| s.0).min();
        let recv = self.receiving.as_ref().map(|r| {
            (r.last_request + self.cfg.rerequest).min(r.last_progress + self.cfg.upload_timeout)
        });
        [sched, recv].into_iter().flatten().min()
    }

    /// The clock moved: re-request, or give up an upload.
    pub fn tick(&mut self, now: Duration) -> Vec<MavMessage> {
        self.now = now;
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.scheduled)
            .into_iter()
            .partition(|s| s.0 <= now);
        self.scheduled = later;
        let mut out: Vec<MavMessage> = due.into_iter().map(|s| s.1).collect();
        out.extend(self.tick_upload(now));
        out
    }

    fn tick_upload(&mut self, now: Duration) -> Vec<MavMessage> {
        let Some(r) = self.receiving.as_mut() else {
            return vec![];
        };
        if now >= r.last_progress + self.cfg.upload_timeout {
            let kind = r.kind;
            self.receiving = None;
            return vec![self.ack(
                kind.mission_type(),
                MavMissionResult::MAV_MISSION_OPERATION_CANCELLED,
            )];
        }
        if now >= r.last_request + self.cfg.rerequest {
            r.last_request = now;
            let (kind, next) = (r.kind, r.next);
            return vec![self.request(kind, next)];
        }
        vec![]
    }
}
