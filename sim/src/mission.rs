//! The server side of the mission protocol for mission, fence and rally items, as ArduPilot
//! implements it: item 0 of a mission is home, uploads are driven by MISSION_REQUEST (id 40)
//! repeated every second and abandoned after 8 s, a mission capacity answered with NO_SPACE,
//! MISSION_ACK INVALID_SEQUENCE for an item other than the one requested, and items stored in
//! ArduCopter's compact form (so some fields read back changed, as on a real autopilot).

use mavlink::dialects::ardupilotmega::{
    MISSION_ACK_DATA, MISSION_COUNT_DATA, MISSION_ITEM_DATA, MISSION_ITEM_INT_DATA,
    MISSION_REQUEST_DATA, MavCmd, MavFrame, MavMessage, MavMissionResult, MavMissionType,
    MavSeverity,
};

use crate::geodesy::{GeoPoint, deg_to_e7};

/// ArduPilot's default mission capacity, home included.
pub const DEFAULT_MISSION_CAPACITY: u16 = 650;
/// Fence items the simulator stores (ArduPilot counts them in a byte).
pub const FENCE_CAPACITY: u16 = 255;
/// Rally points the simulator stores.
pub const RALLY_CAPACITY: u16 = 100;
/// ArduPilot's re-request interval during an upload, microseconds.
pub const REQUEST_INTERVAL_US: u64 = 1_000_000;
/// ArduPilot's upload timeout, microseconds.
pub const UPLOAD_TIMEOUT_US: u64 = 8_000_000;

/// Which list a transfer is about (index into the store's lists).
fn slot(kind: MavMissionType) -> Option<usize> {
    match kind {
        MavMissionType::MAV_MISSION_TYPE_MISSION => Some(0),
        MavMissionType::MAV_MISSION_TYPE_FENCE => Some(1),
        MavMissionType::MAV_MISSION_TYPE_RALLY => Some(2),
        _ => None,
    }
}

const KINDS: [MavMissionType; 3] = [
    MavMissionType::MAV_MISSION_TYPE_MISSION,
    MavMissionType::MAV_MISSION_TYPE_FENCE,
    MavMissionType::MAV_MISSION_TYPE_RALLY,
];

/// Who sent a message: system and component id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    /// System id.
    pub sysid: u8,
    /// Component id.
    pub compid: u8,
}

/// An upload in progress.
#[derive(Debug, Clone, PartialEq)]
struct Upload {
    peer: Peer,
    request_i: u16,
    request_last: u16,
    last_receive_us: u64,
    last_request_us: u64,
    /// Fence uploads are kept aside and written at the end, as ArduPilot does.
    buffer: Option<Vec<MISSION_ITEM_INT_DATA>>,
}

/// What the vehicle needs to know after a message was handled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// A list was replaced by a completed upload.
    Uploaded(MavMissionType),
    /// A list was cleared.
    Cleared(MavMissionType),
    /// An upload was abandoned (timeout or an item refused); the list may be partly written,
    /// as on ArduPilot.
    Abandoned(MavMissionType),
}

/// What the store needs from the vehicle to answer.
#[derive(Debug)]
pub struct Context<'a> {
    /// Simulated time, microseconds since boot.
    pub now_us: u64,
    /// Home, if set (mission item 0 on download).
    pub home: Option<GeoPoint>,
    /// Index of the mission item being flown.
    pub current_nav_index: u16,
    /// True while a mission runs in AUTO (ArduPilot refuses to clear it then).
    pub mission_running: bool,
    /// Messages to send.
    pub out: &'a mut Vec<MavMessage>,
}

fn text(out: &mut Vec<MavMessage>, severity: MavSeverity, s: &str) {
    out.push(crate::vehicle::statustext(severity, s));
}

fn ack(out: &mut Vec<MavMessage>, peer: Peer, kind: MavMissionType, result: MavMissionResult) {
    out.push(MavMessage::MISSION_ACK(MISSION_ACK_DATA {
        target_system: peer.sysid,
        target_component: peer.compid,
        mavtype: result,
        mission_type: kind,
        opaque_id: 0,
    }));
}

fn is_global_frame(frame: MavFrame) -> bool {
    matches!(
        frame,
        MavFrame::MAV_FRAME_GLOBAL
            | MavFrame::MAV_FRAME_GLOBAL_INT
            | MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT
            | MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
            | MavFrame::MAV_FRAME_GLOBAL_TERRAIN_ALT
            | MavFrame::MAV_FRAME_GLOBAL_TERRAIN_ALT_INT
    )
}

/// True for mission commands that carry a location.
pub fn has_location(cmd: MavCmd) -> bool {
    use MavCmd::*;
    matches!(
        cmd,
        MAV_CMD_NAV_WAYPOINT
            | MAV_CMD_NAV_LOITER_UNLIM
            | MAV_CMD_NAV_LOITER_TURNS
            | MAV_CMD_NAV_LOITER_TIME
            | MAV_CMD_NAV_LAND
            | MAV_CMD_NAV_TAKEOFF
            | MAV_CMD_NAV_LOITER_TO_ALT
            | MAV_CMD_NAV_SPLINE_WAYPOINT
            | MAV_CMD_DO_SET_HOME
            | MAV_CMD_DO_LAND_START
            | MAV_CMD_DO_SET_ROI
    )
}

/// True for navigation commands (the ones MISSION_CURRENT points at).
pub fn is_nav(cmd: MavCmd) -> bool {
    (cmd as u32) < 95 || matches!(cmd, MavCmd::MAV_CMD_NAV_LOITER_TO_ALT)
}

/// ArduCopter's conversion of a MISSION_ITEM_INT into its stored form: refuses what it does not
/// support and drops what its 15-byte record cannot hold.
fn to_stored(item: &MISSION_ITEM_INT_DATA) -> Result<MISSION_ITEM_INT_DATA, MavMissionResult> {
    use MavCmd::*;
    let supported = matches!(
        item.command,
        MAV_CMD_NAV_WAYPOINT
            | MAV_CMD_NAV_LOITER_UNLIM
            | MAV_CMD_NAV_LOITER_TURNS
            | MAV_CMD_NAV_LOITER_TIME
            | MAV_CMD_NAV_RETURN_TO_LAUNCH
            | MAV_CMD_NAV_LAND
            | MAV_CMD_NAV_TAKEOFF
            | MAV_CMD_NAV_LOITER_TO_ALT
            | MAV_CMD_NAV_SPLINE_WAYPOINT
            | MAV_CMD_NAV_DELAY
            | MAV_CMD_CONDITION_DELAY
            | MAV_CMD_CONDITION_YAW
            | MAV_CMD_DO_JUMP
            | MAV_CMD_DO_CHANGE_SPEED
            | MAV_CMD_DO_SET_HOME
            | MAV_CMD_DO_SET_SERVO
            | MAV_CMD_DO_LAND_START
            | MAV_CMD_DO_SET_ROI
            | MAV_CMD_DO_DIGICAM_CONTROL
            | MAV_CMD_DO_SET_CAM_TRIGG_DIST
            | MAV_CMD_DO_FENCE_ENABLE
    );
    if !supported {
        return Err(MavMissionResult::MAV_MISSION_UNSUPPORTED);
    }
    // ArduPilot's sanity check: no NaN or infinity, except a yaw (param4) left unset.
    let finite = [
        (item.param1, MavMissionResult::MAV_MISSION_INVALID_PARAM1),
        (item.param2, MavMissionResult::MAV_MISSION_INVALID_PARAM2),
        (item.param3, MavMissionResult::MAV_MISSION_INVALID_PARAM3),
        (item.z, MavMissionResult::MAV_MISSION_INVALID_PARAM7),
    ];
    if let Some(&(_, result)) = finite.iter().find(|(v, _)| !v.is_finite()) {
        return Err(result);
    }
    let mut s = MISSION_ITEM_INT_DATA {
        command: item.command,
        seq: item.seq,
        autocontinue: 1,
        frame: MavFrame::MAV_FRAME_GLOBAL,
        mission_type: MavMissionType::MAV_MISSION_TYPE_MISSION,
        ..MISSION_ITEM_INT_DATA::default()
    };
    if has_location(item.command) {
        if !is_global_frame(item.frame) {
            return Err(MavMissionResult::MAV_MISSION_UNSUPPORTED_FRAME);
        }
        if item.x.unsigned_abs() > 900_000_000 {
            return Err(MavMissionResult::MAV_MISSION_INVALID_PARAM5_X);
        }
        if item.y.unsigned_abs() > 1_800_000_000 {
            return Err(MavMissionResult::MAV_MISSION_INVALID_PARAM6_Y);
        }
        s.x = item.x;
        s.y = item.y;
        // Altitude is stored in whole centimetres; the frame comes back without "_INT".
        s.z = ((f64::from(item.z) * 100.0).round() / 100.0) as f32;
        s.frame = match item.frame {
            MavFrame::MAV_FRAME_GLOBAL | MavFrame::MAV_FRAME_GLOBAL_INT => {
                MavFrame::MAV_FRAME_GLOBAL
            }
            MavFrame::MAV_FRAME_GLOBAL_TERRAIN_ALT | MavFrame::MAV_FRAME_GLOBAL_TERRAIN_ALT_INT => {
                MavFrame::MAV_FRAME_GLOBAL_TERRAIN_ALT
            }
            _ => MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
        };
    }
    let whole = |v: f32| v.trunc().clamp(0.0, 65_535.0);
    match item.command {
        // Copter keeps only the hold time (whole seconds) of a waypoint, loiter or takeoff.
        MAV_CMD_NAV_WAYPOINT | MAV_CMD_NAV_LOITER_TIME | MAV_CMD_NAV_TAKEOFF | MAV_CMD_NAV_LAND => {
            s.param1 = whole(item.param1);
        }
        MAV_CMD_NAV_LOITER_UNLIM => s.param3 = whole(item.param3.abs()),
        MAV_CMD_NAV_LOITER_TURNS => {
            s.param1 = whole(item.param1).min(255.0);
            s.param3 = whole(item.param3.abs()).min(255.0);
        }
        MAV_CMD_DO_JUMP => {
            s.param1 = whole(item.param1);
            s.param2 = item.param2.trunc().clamp(-32_768.0, 32_767.0);
        }
        MAV_CMD_DO_CHANGE_SPEED => {
            s.param1 = whole(item.param1).min(255.0);
            s.param2 = item.param2;
            s.param3 = whole(item.param3).min(255.0);
        }
        _ => {
            s.param1 = item.param1;
            s.param2 = item.param2;
            s.param3 = item.param3;
            s.param4 = item.param4;
        }
    }
    Ok(s)
}

fn fence_stored(item: &MISSION_ITEM_INT_DATA) -> Result<MISSION_ITEM_INT_DATA, MavMissionResult> {
    if !item.param1.is_finite() {
        return Err(MavMissionResult::MAV_MISSION_INVALID_PARAM1);
    }
    if !is_global_frame(item.frame) {
        return Err(MavMissionResult::MAV_MISSION_UNSUPPORTED_FRAME);
    }
    use MavCmd::*;
    let param1 = match item.command {
        MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION | MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION => {
            item.param1.trunc().clamp(0.0, 255.0)
        }
        MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION | MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION => item.param1,
        MAV_CMD_NAV_FENCE_RETURN_POINT => 0.0,
        _ => return Err(MavMissionResult::MAV_MISSION_UNSUPPORTED),
    };
    Ok(MISSION_ITEM_INT_DATA {
        command: item.command,
        seq: item.seq,
        param1,
        x: item.x,
        y: item.y,
        frame: MavFrame::MAV_FRAME_GLOBAL,
        autocontinue: 1,
        mission_type: MavMissionType::MAV_MISSION_TYPE_FENCE,
        ..MISSION_ITEM_INT_DATA::default()
    })
}

fn rally_stored(item: &MISSION_ITEM_INT_DATA) -> Result<MISSION_ITEM_INT_DATA, MavMissionResult> {
    if item.command != MavCmd::MAV_CMD_NAV_RALLY_POINT {
        return Err(MavMissionResult::MAV_MISSION_UNSUPPORTED);
    }
    if !item.z.is_finite() {
        return Err(MavMissionResult::MAV_MISSION_INVALID_PARAM7);
    }
    if !matches!(
        item.frame,
        MavFrame::MAV_FRAME_GLOBAL
            | MavFrame::MAV_FRAME_GLOBAL_INT
            | MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT
            | MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
    ) {
        return Err(MavMissionResult::MAV_MISSION_UNSUPPORTED_FRAME);
    }
    // ArduPilot keeps a rally point's altitude in whole metres, relative to home.
    Ok(MISSION_ITEM_INT_DATA {
        command: item.command,
        seq: item.seq,
        x: item.x,
        y: item.y,
        z: item.z.round().clamp(-32_768.0, 32_767.0),
        frame: MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
        autocontinue: 1,
        mission_type: MavMissionType::MAV_MISSION_TYPE_RALLY,
        ..MISSION_ITEM_INT_DATA::default()
    })
}

/// ArduPilot's fence validation when an upload completes: polygons whose vertices agree with their
/// count (at least three), circles with a positive radius.
fn fence_is_valid(items: &[MISSION_ITEM_INT_DATA]) -> bool {
    use MavCmd::*;
    let mut i = 0;
    while i < items.len() {
        let item = &items[i];
        match item.command {
            MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION
            | MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION => {
                let n = item.param1 as usize;
                if n < 3 || i + n > items.len() {
                    return false;
                }
                if items[i..i + n]
                    .iter()
                    .any(|v| v.command != item.command || v.param1 as usize != n)
                {
                    return false;
                }
                i += n;
            }
            MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION | MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION => {
                if item.param1 <= 0.0 {
                    return false;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    true
}

/// Converts a MISSION_ITEM (float) into a MISSION_ITEM_INT as ArduPilot does.
pub fn item_from_float(m: &MISSION_ITEM_DATA) -> MISSION_ITEM_INT_DATA {
    let global = is_global_frame(m.frame);
    let conv = |v: f32| {
        if global {
            deg_to_e7(f64::from(v))
        } else {
            v.round() as i32
        }
    };
    MISSION_ITEM_INT_DATA {
        param1: m.param1,
        param2: m.param2,
        param3: m.param3,
        param4: m.param4,
        x: conv(m.x),
        y: conv(m.y),
        z: m.z,
        seq: m.seq,
        command: m.command,
        target_system: m.target_system,
        target_component: m.target_component,
        frame: m.frame,
        current: m.current,
        autocontinue: m.autocontinue,
        mission_type: m.mission_type,
    }
}

fn item_to_float(m: &MISSION_ITEM_INT_DATA) -> MISSION_ITEM_DATA {
    let global = is_global_frame(m.frame);
    let conv = |v: i32| {
        if global {
            (f64::from(v) * 1e-7) as f32
        } else {
            v as f32
        }
    };
    MISSION_ITEM_DATA {
        param1: m.param1,
        param2: m.param2,
        param3: m.param3,
        param4: m.param4,
        x: conv(m.x),
        y: conv(m.y),
        z: m.z,
        seq: m.seq,
        command: m.command,
        target_system: m.target_system,
        target_component: m.target_component,
        frame: m.frame,
        current: m.current,
        autocontinue: m.autocontinue,
        mission_type: m.mission_type,
    }
}

/// The vehicle's mission, fence and rally lists and the transfers under way.
#[derive(Debug, Clone, PartialEq)]
pub struct MissionStore {
    /// Mission items as stored; index 0 is home's slot (its content is never read back).
    pub mission: Vec<MISSION_ITEM_INT_DATA>,
    /// Fence items as stored (no home).
    pub fence: Vec<MISSION_ITEM_INT_DATA>,
    /// Rally points as stored (no home).
    pub rally: Vec<MISSION_ITEM_INT_DATA>,
    /// Mission capacity, home included (650 on ArduPilot).
    pub mission_capacity: u16,
    uploads: [Option<Upload>; 3],
}

impl Default for MissionStore {
    fn default() -> Self {
        Self::new(DEFAULT_MISSION_CAPACITY)
    }
}

impl MissionStore {
    /// Empty lists and a mission capacity (home included).
    pub fn new(mission_capacity: u16) -> Self {
        Self {
            mission: Vec::new(),
            fence: Vec::new(),
            rally: Vec::new(),
            mission_capacity,
            uploads: [None, None, None],
        }
    }

    fn list(&self, i: usize) -> &Vec<MISSION_ITEM_INT_DATA> {
        match i {
            0 => &self.mission,
            1 => &self.fence,
            _ => &self.rally,
        }
    }

    fn list_mut(&mut self, i: usize) -> &mut Vec<MISSION_ITEM_INT_DATA> {
        match i {
            0 => &mut self.mission,
            1 => &mut self.fence,
            _ => &mut self.rally,
        }
    }

    fn capacity(&self, i: usize) -> u16 {
        match i {
            0 => self.mission_capacity,
            1 => FENCE_CAPACITY,
            _ => RALLY_CAPACITY,
        }
    }

    /// True while an upload of `kind` is under way.
    pub fn receiving(&self, kind: MavMissionType) -> bool {
        slot(kind).is_some_and(|i| self.uploads[i].is_some())
    }

    fn item_count(&self, i: usize) -> u16 {
        match (&self.uploads[i], i) {
            (
                Some(Upload {
                    buffer: Some(b), ..
                }),
                1,
            ) => b.len() as u16,
            _ => self.list(i).len() as u16,
        }
    }

    fn send_request(up: &mut Upload, kind: MavMissionType, now_us: u64, out: &mut Vec<MavMessage>) {
        out.push(MavMessage::MISSION_REQUEST(MISSION_REQUEST_DATA {
            seq: up.request_i,
            target_system: up.peer.sysid,
            target_component: up.peer.compid,
            mission_type: kind,
        }));
        up.last_request_us = now_us;
    }

    /// MISSION_COUNT: start (or restart) an upload. `mavlink1` is true when it came in a
    /// MAVLink 1 frame (ArduPilot then refuses fence and rally transfers).
    pub fn handle_count(
        &mut self,
        peer: Peer,
        mavlink1: bool,
        data: &MISSION_COUNT_DATA,
        ctx: &mut Context<'_>,
    ) -> Option<Event> {
        let kind = data.mission_type;
        let Some(i) = slot(kind) else {
            ack(
                ctx.out,
                peer,
                kind,
                MavMissionResult::MAV_MISSION_UNSUPPORTED,
            );
            return None;
        };
        if i != 0 && mavlink1 {
            text(
                ctx.out,
                MavSeverity::MAV_SEVERITY_WARNING,
                "Need mavlink2 for item transfer",
            );
            ack(
                ctx.out,
                peer,
                kind,
                MavMissionResult::MAV_MISSION_UNSUPPORTED,
            );
            return None;
        }
        if let Some(up) = &self.uploads[i]
            && up.peer != peer
        {
            ack(ctx.out, peer, kind, MavMissionResult::MAV_MISSION_DENIED);
            return None;
        }
        self.uploads[i] = None;
        let capacity = self.capacity(i);
        if data.count > capacity {
            ack(ctx.out, peer, kind, MavMissionResult::MAV_MISSION_NO_SPACE);
            text(
                ctx.out,
                MavSeverity::MAV_SEVERITY_WARNING,
                &format!("Only {capacity} items are supported"),
            );
            return None;
        }
        let buffer =
            (i == 1).then(|| vec![MISSION_ITEM_INT_DATA::default(); usize::from(data.count)]);
        if i != 1 {
            // New items arriving: the stored list is cut to the new length at once.
            self.list_mut(i).truncate(usize::from(data.count));
        }
        if data.count == 0 {
            return self.complete(i, peer, Vec::new(), ctx);
        }
        let mut up = Upload {
            peer,
            request_i: 0,
            request_last: data.count - 1,
            last_receive_us: ctx.now_us,
            last_request_us: ctx.now_us,
            buffer,
        };
        Self::send_request(&mut up, kind, ctx.now_us, ctx.out);
        self.uploads[i] = Some(up);
        None
    }

    /// MISSION_ITEM_INT (or a converted MISSION_ITEM) during an upload.
    pub fn handle_item(
        &mut self,
        peer: Peer,
        item: &MISSION_ITEM_INT_DATA,
        ctx: &mut Context<'_>,
    ) -> Option<Event> {
        let kind = item.mission_type;
        let Some(i) = slot(kind) else {
            ack(
                ctx.out,
                peer,
                kind,
                MavMissionResult::MAV_MISSION_UNSUPPORTED,
            );
            return None;
        };
        // Not receiving: ArduPilot has no link to answer on and stays silent.
        let up = self.uploads[i].as_ref()?;
        if item.seq != up.request_i {
            ack(
                ctx.out,
                peer,
                kind,
                MavMissionResult::MAV_MISSION_INVALID_SEQUENCE,
            );
            return None;
        }
        if peer != up.peer {
            ack(ctx.out, peer, kind, MavMissionResult::MAV_MISSION_DENIED);
            return None;
        }
        let request_last = up.request_last;
        let stored = match i {
            0 => to_stored(item).and_then(|s| {
                let count = self.mission.len() as u16;
                let target = s.param1 as u16;
                if s.command == MavCmd::MAV_CMD_DO_JUMP
                    && ((target >= count && target > request_last) || target == 0)
                {
                    Err(MavMissionResult::MAV_MISSION_ERROR)
                } else {
                    Ok(s)
                }
            }),
            1 => fence_stored(item),
            _ => rally_stored(item),
        };
        let result = stored.and_then(|s| {
            let count = self.item_count(i);
            if let Some(Upload {
                buffer: Some(b), ..
            }) = &mut self.uploads[i]
            {
                let at = usize::from(s.seq);
                b[at] = s;
                Ok(())
            } else if s.seq < count {
                let at = usize::from(s.seq);
                self.list_mut(i)[at] = s;
                Ok(())
            } else if s.seq == count {
                self.list_mut(i).push(s);
                Ok(())
            } else {
                Err(MavMissionResult::MAV_MISSION_ERROR)
            }
        });
        if let Err(result) = result {
            ack(ctx.out, peer, kind, result);
            self.uploads[i] = None;
            return Some(Event::Abandoned(kind));
        }
        let up = self.uploads[i].as_mut()?;
        up.last_receive_us = ctx.now_us;
        up.request_i += 1;
        if up.request_i > up.request_last {
            let buffer = up.buffer.take().unwrap_or_default();
            self.uploads[i] = None;
            return self.complete(i, peer, buffer, ctx);
        }
        Self::send_request(up, kind, ctx.now_us, ctx.out);
        None
    }

    fn complete(
        &mut self,
        i: usize,
        peer: Peer,
        buffer: Vec<MISSION_ITEM_INT_DATA>,
        ctx: &mut Context<'_>,
    ) -> Option<Event> {
        let kind = KINDS[i];
        self.uploads[i] = None;
        if i == 1 {
            if !fence_is_valid(&buffer) {
                text(
                    ctx.out,
                    MavSeverity::MAV_SEVERITY_WARNING,
                    "Fence: invalid polygon or circle",
                );
                ack(ctx.out, peer, kind, MavMissionResult::MAV_MISSION_ERROR);
                return Some(Event::Abandoned(kind));
            }
            self.fence = buffer;
        }
        if i == 0 {
            text(
                ctx.out,
                MavSeverity::MAV_SEVERITY_INFO,
                "Flight plan received",
            );
        }
        ack(ctx.out, peer, kind, MavMissionResult::MAV_MISSION_ACCEPTED);
        Some(Event::Uploaded(kind))
    }

    /// MISSION_REQUEST_LIST: answer with the count (denied during an upload).
    pub fn handle_request_list(&self, peer: Peer, kind: MavMissionType, ctx: &mut Context<'_>) {
        let Some(i) = slot(kind) else {
            ack(
                ctx.out,
                peer,
                kind,
                MavMissionResult::MAV_MISSION_UNSUPPORTED,
            );
            return;
        };
        if self.uploads[i].is_some() {
            ack(ctx.out, peer, kind, MavMissionResult::MAV_MISSION_DENIED);
            return;
        }
        ctx.out.push(MavMessage::MISSION_COUNT(MISSION_COUNT_DATA {
            count: self.list(i).len() as u16,
            target_system: peer.sysid,
            target_component: peer.compid,
            mission_type: kind,
            opaque_id: 0,
        }));
    }

    /// MISSION_REQUEST_INT (`int` true) or MISSION_REQUEST: send one item.
    pub fn handle_request(
        &self,
        peer: Peer,
        seq: u16,
        kind: MavMissionType,
        int: bool,
        ctx: &mut Context<'_>,
    ) {
        let Some(i) = slot(kind) else {
            ack(
                ctx.out,
                peer,
                kind,
                MavMissionResult::MAV_MISSION_UNSUPPORTED,
            );
            return;
        };
        if self.uploads[i].is_some() {
            ack(ctx.out, peer, kind, MavMissionResult::MAV_MISSION_DENIED);
            return;
        }
        let list = self.list(i);
        let mut item = match i {
            0 if seq == 0 => {
                // Home, with its altitude above mean sea level.
                let home = ctx.home.unwrap_or(GeoPoint::new(0.0, 0.0, 0.0));
                MISSION_ITEM_INT_DATA {
                    command: MavCmd::MAV_CMD_NAV_WAYPOINT,
                    x: deg_to_e7(home.lat_deg),
                    y: deg_to_e7(home.lon_deg),
                    z: home.alt_m as f32,
                    frame: MavFrame::MAV_FRAME_GLOBAL,
                    ..MISSION_ITEM_INT_DATA::default()
                }
            }
            0 => {
                let Some(item) = list.get(usize::from(seq)) else {
                    // ArduPilot tries to educate the GCS on the real size, then refuses.
                    self.handle_request_list(peer, kind, ctx);
                    ack(ctx.out, peer, kind, MavMissionResult::MAV_MISSION_ERROR);
                    return;
                };
                item.clone()
            }
            _ => {
                let Some(item) = list.get(usize::from(seq)) else {
                    let result = if usize::from(seq) > list.len() && i == 1 {
                        MavMissionResult::MAV_MISSION_INVALID_SEQUENCE
                    } else {
                        MavMissionResult::MAV_MISSION_ERROR
                    };
                    ack(ctx.out, peer, kind, result);
                    return;
                };
                item.clone()
            }
        };
        item.seq = seq;
        item.target_system = peer.sysid;
        item.target_component = peer.compid;
        item.mission_type = kind;
        // ArduPilot reads fence and rally items back with autocontinue 0.
        item.autocontinue = u8::from(kind == MavMissionType::MAV_MISSION_TYPE_MISSION);
        // ArduPilot compares the command number with the current index here (sic), so
        // `current` is rarely what a ground station expects; reproduced as is.
        item.current =
            u8::from(i == 0 && (item.command as u32) == u32::from(ctx.current_nav_index));
        if int {
            ctx.out.push(MavMessage::MISSION_ITEM_INT(item));
        } else {
            ctx.out.push(MavMessage::MISSION_ITEM(item_to_float(&item)));
        }
    }

    /// MISSION_CLEAR_ALL for one kind or all.
    pub fn handle_clear_all(
        &mut self,
        peer: Peer,
        kind: MavMissionType,
        ctx: &mut Context<'_>,
    ) -> Option<Event> {
        let slots: Vec<usize> = if kind == MavMissionType::MAV_MISSION_TYPE_ALL {
            vec![0, 1, 2]
        } else if let Some(i) = slot(kind) {
            vec![i]
        } else {
            ack(
                ctx.out,
                peer,
                kind,
                MavMissionResult::MAV_MISSION_UNSUPPORTED,
            );
            return None;
        };
        let mut ok = true;
        for &i in &slots {
            let refused = self.uploads[i].is_some() || (i == 0 && ctx.mission_running);
            if refused {
                ok = false;
            } else {
                self.list_mut(i).clear();
            }
        }
        let result = if ok {
            MavMissionResult::MAV_MISSION_ACCEPTED
        } else {
            MavMissionResult::MAV_MISSION_ERROR
        };
        ack(ctx.out, peer, kind, result);
        ok.then_some(Event::Cleared(kind))
    }

    /// Timers: re-request the awaited item every second, abandon after 8 s of silence.
    pub fn update(&mut self, ctx: &mut Context<'_>) -> Option<Event> {
        let mut event = None;
        for i in 0..3 {
            let kind = KINDS[i];
            let Some(up) = self.uploads[i].as_mut() else {
                continue;
            };
            if ctx.now_us.saturating_sub(up.last_receive_us) > UPLOAD_TIMEOUT_US {
                let peer = up.peer;
                self.uploads[i] = None;
                let what = ["Mission", "Fence", "Rally"][i];
                text(
                    ctx.out,
                    MavSeverity::MAV_SEVERITY_WARNING,
                    &format!("{what} upload timeout"),
                );
                ack(
                    ctx.out,
                    peer,
                    kind,
                    MavMissionResult::MAV_MISSION_OPERATION_CANCELLED,
                );
                event = Some(Event::Abandoned(kind));
            } else if ctx.now_us.saturating_sub(up.last_request_us) > REQUEST_INTERVAL_US {
                Self::send_request(up, kind, ctx.now_us, ctx.out);
            }
        }
        event
    }
}
