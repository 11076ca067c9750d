//! Mission items as the wire carries them, and their conversions to and from the mission model.
//!
//! A [`WireItem`] is one `MISSION_ITEM_INT` without its sequence number and addressing: what a
//! transfer sends, what a read-back returns, and what the comparison after an upload checks.
//! Conversions follow ArduPilot's conventions: mission item 0 is home (see
//! [`mission_to_wire`]), fence polygons carry their vertex count in param1, fence circles their
//! radius in param1.

use mavlink::dialects::ardupilotmega::{
    MISSION_ITEM_DATA, MISSION_ITEM_INT_DATA, MavCmd, MavFrame, MavMissionType,
};
use num_traits::FromPrimitive;

use crate::mission::{
    FenceCircle, FencePolygon, GeoFence, GeoPoint, LatLon, MissionItem, RallyPoint,
};

/// `MAV_CMD_NAV_WAYPOINT`.
pub const CMD_WAYPOINT: u16 = 16;
/// `MAV_CMD_NAV_FENCE_RETURN_POINT`.
pub const CMD_FENCE_RETURN_POINT: u16 = 5000;
/// `MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION`.
pub const CMD_FENCE_POLYGON_INCLUSION: u16 = 5001;
/// `MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION`.
pub const CMD_FENCE_POLYGON_EXCLUSION: u16 = 5002;
/// `MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION`.
pub const CMD_FENCE_CIRCLE_INCLUSION: u16 = 5003;
/// `MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION`.
pub const CMD_FENCE_CIRCLE_EXCLUSION: u16 = 5004;
/// `MAV_CMD_NAV_RALLY_POINT`.
pub const CMD_RALLY_POINT: u16 = 5100;

/// `MAV_FRAME_GLOBAL` (altitude above mean sea level).
pub const FRAME_GLOBAL: u8 = 0;
/// `MAV_FRAME_GLOBAL_RELATIVE_ALT` (altitude above home).
pub const FRAME_GLOBAL_RELATIVE_ALT: u8 = 3;

/// Which list a transfer moves: the mission, the fence or the rally points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// The flight plan (`MAV_MISSION_TYPE_MISSION`).
    Mission,
    /// The geofence (`MAV_MISSION_TYPE_FENCE`).
    Fence,
    /// Rally points (`MAV_MISSION_TYPE_RALLY`).
    Rally,
}

impl ListKind {
    /// The `mission_type` field value.
    pub fn mission_type(self) -> MavMissionType {
        match self {
            Self::Mission => MavMissionType::MAV_MISSION_TYPE_MISSION,
            Self::Fence => MavMissionType::MAV_MISSION_TYPE_FENCE,
            Self::Rally => MavMissionType::MAV_MISSION_TYPE_RALLY,
        }
    }

    /// The kind a `mission_type` field names, `None` for `ALL`.
    pub fn from_mission_type(t: MavMissionType) -> Option<Self> {
        match t {
            MavMissionType::MAV_MISSION_TYPE_MISSION => Some(Self::Mission),
            MavMissionType::MAV_MISSION_TYPE_FENCE => Some(Self::Fence),
            MavMissionType::MAV_MISSION_TYPE_RALLY => Some(Self::Rally),
            _ => None,
        }
    }

    /// Lower-case name for messages and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mission => "mission",
            Self::Fence => "fence",
            Self::Rally => "rally",
        }
    }
}

/// A mission item that could not be put on the wire or read from it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ItemError {
    /// The command number is not in the ardupilotmega dialect.
    #[error("{kind} item {index}: command {command} is not a MAV_CMD of the ardupilotmega dialect")]
    UnknownCommand {
        /// Which list.
        kind: &'static str,
        /// Index in the list given (home excluded).
        index: usize,
        /// The command number.
        command: u16,
    },
    /// The frame number is not a `MAV_FRAME`.
    #[error("{kind} item {index}: frame {frame} is not a MAV_FRAME")]
    UnknownFrame {
        /// Which list.
        kind: &'static str,
        /// Index in the list given.
        index: usize,
        /// The frame number.
        frame: u8,
    },
    /// A value cannot be carried by the wire format.
    #[error("{kind} item {index}: {field} = {value} is out of range ({expected})")]
    OutOfRange {
        /// Which list.
        kind: &'static str,
        /// Index in the list given.
        index: usize,
        /// The field.
        field: &'static str,
        /// The value.
        value: f64,
        /// What was expected.
        expected: &'static str,
    },
    /// A fence list read from a vehicle does not make whole polygons.
    #[error("fence item {seq}: {reason}")]
    BadFence {
        /// Sequence number on the wire.
        seq: usize,
        /// What was wrong.
        reason: String,
    },
}

/// One mission item as `MISSION_ITEM_INT` carries it, without sequence number or addressing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WireItem {
    /// The command.
    pub command: MavCmd,
    /// The coordinate frame.
    pub frame: MavFrame,
    /// param1..param4.
    pub params: [f32; 4],
    /// param5: latitude in degE7 for global frames, metres × 1e4 for local frames.
    pub x: i32,
    /// param6: longitude in degE7 for global frames, metres × 1e4 for local frames.
    pub y: i32,
    /// param7: altitude in the frame's reference.
    pub z: f32,
    /// Continue to the next item when this one completes.
    pub autocontinue: bool,
}

impl WireItem {
    /// A global waypoint with everything else zero (used for ArduPilot's home placeholder).
    pub fn waypoint(frame: MavFrame, lat_deg: f64, lon_deg: f64, alt_m: f32) -> Self {
        Self {
            command: MavCmd::MAV_CMD_NAV_WAYPOINT,
            frame,
            params: [0.0; 4],
            x: deg_to_e7(lat_deg),
            y: deg_to_e7(lon_deg),
            z: alt_m,
            autocontinue: true,
        }
    }

    /// The command number.
    pub fn command_id(&self) -> u16 {
        self.command as u32 as u16
    }

    /// The frame number.
    pub fn frame_id(&self) -> u8 {
        self.frame as u32 as u8
    }

    /// Latitude in degrees (meaningful for global frames).
    pub fn lat_deg(&self) -> f64 {
        // One correctly rounded division (not `* 1e-7`, which prints 149.16522999999998).
        f64::from(self.x) / 1e7
    }

    /// Longitude in degrees (meaningful for global frames).
    pub fn lon_deg(&self) -> f64 {
        f64::from(self.y) / 1e7
    }

    /// The `MISSION_ITEM_INT` that carries this item.
    pub fn to_item_int(
        &self,
        seq: u16,
        target: (u8, u8),
        kind: ListKind,
        current: bool,
    ) -> MISSION_ITEM_INT_DATA {
        MISSION_ITEM_INT_DATA {
            param1: self.params[0],
            param2: self.params[1],
            param3: self.params[2],
            param4: self.params[3],
            x: self.x,
            y: self.y,
            z: self.z,
            seq,
            command: self.command,
            target_system: target.0,
            target_component: target.1,
            frame: int_frame(self.frame),
            current: u8::from(current),
            autocontinue: u8::from(self.autocontinue),
            mission_type: kind.mission_type(),
        }
    }

    /// The float `MISSION_ITEM` that carries this item to autopilots that ask with
    /// `MISSION_REQUEST` (latitude and longitude lose precision to float32).
    pub fn to_item_float(
        &self,
        seq: u16,
        target: (u8, u8),
        kind: ListKind,
        current: bool,
    ) -> MISSION_ITEM_DATA {
        let (x, y) = if is_global(self.frame) {
            (self.lat_deg() as f32, self.lon_deg() as f32)
        } else {
            (self.x as f32 / 1e4, self.y as f32 / 1e4)
        };
        MISSION_ITEM_DATA {
            param1: self.params[0],
            param2: self.params[1],
            param3: self.params[2],
            param4: self.params[3],
            x,
            y,
            z: self.z,
            seq,
            command: self.command,
            target_system: target.0,
            target_component: target.1,
            frame: float_frame(self.frame),
            current: u8::from(current),
            autocontinue: u8::from(self.autocontinue),
            mission_type: kind.mission_type(),
        }
    }

    /// The item a `MISSION_ITEM_INT` carries.
    pub fn from_item_int(m: &MISSION_ITEM_INT_DATA) -> Self {
        Self {
            command: m.command,
            frame: float_frame(m.frame),
            params: [m.param1, m.param2, m.param3, m.param4],
            x: m.x,
            y: m.y,
            z: m.z,
            autocontinue: m.autocontinue != 0,
        }
    }

    /// The item a float `MISSION_ITEM` carries (coordinates rounded to degE7).
    pub fn from_item_float(m: &MISSION_ITEM_DATA) -> Self {
        let frame = float_frame(m.frame);
        let (x, y) = if is_global(frame) {
            (deg_to_e7(f64::from(m.x)), deg_to_e7(f64::from(m.y)))
        } else {
            (
                (f64::from(m.x) * 1e4).round() as i32,
                (f64::from(m.y) * 1e4).round() as i32,
            )
        };
        Self {
            command: m.command,
            frame,
            params: [m.param1, m.param2, m.param3, m.param4],
            x,
            y,
            z: m.z,
            autocontinue: m.autocontinue != 0,
        }
    }
}

/// Degrees to degE7, saturating (callers validate ranges first).
pub fn deg_to_e7(deg: f64) -> i32 {
    (deg * 1e7).round() as i32
}

/// Whether a frame's x and y are latitude and longitude.
pub fn is_global(frame: MavFrame) -> bool {
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

/// The deprecated `_INT` frames mean the same as their plain forms; items keep the plain form
/// (what ArduPilot returns on read-back), so an `_INT` frame read from a file compares equal.
pub fn float_frame(frame: MavFrame) -> MavFrame {
    match frame {
        MavFrame::MAV_FRAME_GLOBAL_INT => MavFrame::MAV_FRAME_GLOBAL,
        MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT => MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT,
        MavFrame::MAV_FRAME_GLOBAL_TERRAIN_ALT_INT => MavFrame::MAV_FRAME_GLOBAL_TERRAIN_ALT,
        f => f,
    }
}

/// `MISSION_ITEM_INT` is sent with the plain frames too (MAVLink deprecates the `_INT` ones).
fn int_frame(frame: MavFrame) -> MavFrame {
    float_frame(frame)
}

fn command_of(kind: &'static str, index: usize, command: u16) -> Result<MavCmd, ItemError> {
    MavCmd::from_u16(command).ok_or(ItemError::UnknownCommand {
        kind,
        index,
        command,
    })
}

fn frame_of(kind: &'static str, index: usize, frame: u8) -> Result<MavFrame, ItemError> {
    MavFrame::from_u8(frame)
        .map(float_frame)
        .ok_or(ItemError::UnknownFrame { kind, index, frame })
}

fn coord_e7(
    kind: &'static str,
    index: usize,
    field: &'static str,
    value: f64,
    limit: f64,
) -> Result<i32, ItemError> {
    if value.is_finite() && value.abs() <= limit {
        Ok(deg_to_e7(value))
    } else if value.is_nan() {
        Ok(0)
    } else {
        Err(ItemError::OutOfRange {
            kind,
            index,
            field,
            value,
            expected: if limit <= 90.0 {
                "a latitude within ±90°"
            } else {
                "a longitude within ±180°"
            },
        })
    }
}

/// One model mission item on the wire. NaN parameters (QGC's `null`) are sent as NaN, which
/// ArduPilot and PX4 read as "unchanged / default".
pub fn item_to_wire(index: usize, item: &MissionItem) -> Result<WireItem, ItemError> {
    let kind = "mission";
    let command = command_of(kind, index, item.command)?;
    let frame = frame_of(kind, index, item.frame)?;
    let (x, y) = if is_global(frame) {
        (
            coord_e7(kind, index, "latitude", item.lat_deg, 90.0)?,
            coord_e7(kind, index, "longitude", item.lon_deg, 180.0)?,
        )
    } else if frame == MavFrame::MAV_FRAME_MISSION {
        // Frame MISSION carries param5/param6 as plain integers.
        (item.lat_deg.round() as i32, item.lon_deg.round() as i32)
    } else {
        (
            (item.lat_deg * 1e4).round() as i32,
            (item.lon_deg * 1e4).round() as i32,
        )
    };
    Ok(WireItem {
        command,
        frame,
        params: item.params.map(|p| p as f32),
        x,
        y,
        z: item.alt_m as f32,
        autocontinue: item.autocontinue,
    })
}

/// A wire item back to the model.
pub fn wire_to_item(w: &WireItem) -> MissionItem {
    let (lat_deg, lon_deg) = if is_global(w.frame) {
        (w.lat_deg(), w.lon_deg())
    } else if w.frame == MavFrame::MAV_FRAME_MISSION {
        (f64::from(w.x), f64::from(w.y))
    } else {
        (f64::from(w.x) / 1e4, f64::from(w.y) / 1e4)
    };
    MissionItem {
        command: w.command_id(),
        frame: w.frame_id(),
        params: w.params.map(f64::from),
        lat_deg,
        lon_deg,
        alt_m: f64::from(w.z),
        autocontinue: w.autocontinue,
    }
}

/// The mission's items on the wire. With `home_item` (ArduPilot) a home item comes first: the
/// planned home when the mission has one, zeros otherwise; ArduPilot ignores what is sent at
/// seq 0 and reports its real home there on read-back.
pub fn mission_to_wire(
    items: &[MissionItem],
    planned_home: Option<GeoPoint>,
    home_item: bool,
) -> Result<Vec<WireItem>, ItemError> {
    let mut out = Vec::with_capacity(items.len() + 1);
    if home_item {
        let h = planned_home.unwrap_or(GeoPoint {
            lat_deg: 0.0,
            lon_deg: 0.0,
            alt_m: 0.0,
        });
        out.push(WireItem::waypoint(
            MavFrame::MAV_FRAME_GLOBAL,
            h.lat_deg,
            h.lon_deg,
            h.alt_m as f32,
        ));
    }
    for (i, item) in items.iter().enumerate() {
        out.push(item_to_wire(i, item)?);
    }
    Ok(out)
}

/// Mission items read from a vehicle, split into home (seq 0, altitude above mean sea level)
/// and the items to fly when `home_item` is set.
pub fn wire_to_mission(
    items: &[WireItem],
    home_item: bool,
) -> (Option<GeoPoint>, Vec<MissionItem>) {
    if home_item && let Some((home, rest)) = items.split_first() {
        let home = GeoPoint {
            lat_deg: home.lat_deg(),
            lon_deg: home.lon_deg(),
            alt_m: f64::from(home.z),
        };
        return (Some(home), rest.iter().map(wire_to_item).collect());
    }
    (None, items.iter().map(wire_to_item).collect())
}

fn fence_point(cmd: MavCmd, p: LatLon, param1: f32) -> WireItem {
    WireItem {
        command: cmd,
        frame: MavFrame::MAV_FRAME_GLOBAL,
        params: [param1, 0.0, 0.0, 0.0],
        x: deg_to_e7(p.lat_deg),
        y: deg_to_e7(p.lon_deg),
        z: 0.0,
        autocontinue: false,
    }
}

fn check_latlon(kind: &'static str, index: usize, p: LatLon) -> Result<(), ItemError> {
    coord_e7(kind, index, "latitude", p.lat_deg, 90.0)?;
    coord_e7(kind, index, "longitude", p.lon_deg, 180.0)?;
    Ok(())
}

/// A geofence on the wire, as ArduPilot and PX4 take it: no home item; each polygon vertex
/// carries its polygon's vertex count in param1; circles carry their radius in param1; the
/// return point (if any) comes first. Circles centred on home (a `.waypoints` 5005 row) become
/// inclusion circles at `home`, which must then be known.
pub fn fence_to_wire(fence: &GeoFence, home: Option<LatLon>) -> Result<Vec<WireItem>, ItemError> {
    let kind = "fence";
    let mut out = Vec::new();
    let mut circles = fence.circles.clone();
    for (i, hc) in fence.home_circles.iter().enumerate() {
        let Some(center) = home else {
            return Err(ItemError::OutOfRange {
                kind,
                index: i,
                field: "home circle centre",
                value: hc.radius_m,
                expected: "a known home position (the mission's planned home or the vehicle's)",
            });
        };
        circles.push(FenceCircle {
            inclusion: true,
            center,
            radius_m: hc.radius_m,
        });
    }
    if let Some(rp) = fence.return_point {
        check_latlon(kind, out.len(), rp)?;
        out.push(fence_point(MavCmd::MAV_CMD_NAV_FENCE_RETURN_POINT, rp, 0.0));
    }
    for poly in &fence.polygons {
        if poly.vertices.len() < 3 {
            return Err(ItemError::OutOfRange {
                kind,
                index: out.len(),
                field: "vertex count",
                value: poly.vertices.len() as f64,
                expected: "at least 3 vertices",
            });
        }
        let cmd = if poly.inclusion {
            MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION
        } else {
            MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION
        };
        let n = poly.vertices.len() as f32;
        for v in &poly.vertices {
            check_latlon(kind, out.len(), *v)?;
            out.push(fence_point(cmd, *v, n));
        }
    }
    for c in &circles {
        if !(c.radius_m.is_finite() && c.radius_m > 0.0) {
            return Err(ItemError::OutOfRange {
                kind,
                index: out.len(),
                field: "radius_m",
                value: c.radius_m,
                expected: "a positive radius",
            });
        }
        check_latlon(kind, out.len(), c.center)?;
        let cmd = if c.inclusion {
            MavCmd::MAV_CMD_NAV_FENCE_CIRCLE_INCLUSION
        } else {
            MavCmd::MAV_CMD_NAV_FENCE_CIRCLE_EXCLUSION
        };
        out.push(fence_point(cmd, c.center, c.radius_m as f32));
    }
    Ok(out)
}

/// A fence read from a vehicle back to the model. Consecutive vertices of one command form one
/// polygon of the count in param1.
pub fn wire_to_fence(items: &[WireItem]) -> Result<GeoFence, ItemError> {
    let mut fence = GeoFence::default();
    let mut seq = 0;
    while seq < items.len() {
        let it = &items[seq];
        let p = LatLon {
            lat_deg: it.lat_deg(),
            lon_deg: it.lon_deg(),
        };
        match it.command_id() {
            CMD_FENCE_RETURN_POINT => {
                fence.return_point = Some(p);
                seq += 1;
            }
            CMD_FENCE_CIRCLE_INCLUSION | CMD_FENCE_CIRCLE_EXCLUSION => {
                fence.circles.push(FenceCircle {
                    inclusion: it.command_id() == CMD_FENCE_CIRCLE_INCLUSION,
                    center: p,
                    radius_m: f64::from(it.params[0]),
                });
                seq += 1;
            }
            cmd @ (CMD_FENCE_POLYGON_INCLUSION | CMD_FENCE_POLYGON_EXCLUSION) => {
                let n = it.params[0];
                if !(n >= 3.0 && n.fract() == 0.0) || seq + n as usize > items.len() {
                    return Err(ItemError::BadFence {
                        seq,
                        reason: format!(
                            "polygon vertex count {n} in param1, expected at least 3 and at most \
                             the {} items left",
                            items.len() - seq
                        ),
                    });
                }
                let n = n as usize;
                let mut vertices = Vec::with_capacity(n);
                for (k, v) in items[seq..seq + n].iter().enumerate() {
                    if v.command_id() != cmd || v.params[0] as usize != n {
                        return Err(ItemError::BadFence {
                            seq: seq + k,
                            reason: format!(
                                "vertex {k} of a {n}-vertex polygon has command {} and count {}",
                                v.command_id(),
                                v.params[0]
                            ),
                        });
                    }
                    vertices.push(LatLon {
                        lat_deg: v.lat_deg(),
                        lon_deg: v.lon_deg(),
                    });
                }
                fence.polygons.push(FencePolygon {
                    inclusion: cmd == CMD_FENCE_POLYGON_INCLUSION,
                    vertices,
                });
                seq += n;
            }
            other => {
                return Err(ItemError::BadFence {
                    seq,
                    reason: format!("command {other} is not a fence command (5000..=5004)"),
                });
            }
        }
    }
    Ok(fence)
}

/// Rally points on the wire (`MAV_CMD_NAV_RALLY_POINT`, altitude relative to home unless the
/// point gives its frame). The legacy rally file's break altitude, landing direction and flags
/// have no place in the mission protocol and are not sent.
pub fn rally_to_wire(points: &[RallyPoint]) -> Result<Vec<WireItem>, ItemError> {
    points
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let p = LatLon {
                lat_deg: r.position.lat_deg,
                lon_deg: r.position.lon_deg,
            };
            check_latlon("rally", i, p)?;
            Ok(WireItem {
                command: MavCmd::MAV_CMD_NAV_RALLY_POINT,
                frame: frame_of("rally", i, r.frame.unwrap_or(FRAME_GLOBAL_RELATIVE_ALT))?,
                params: [0.0; 4],
                x: deg_to_e7(p.lat_deg),
                y: deg_to_e7(p.lon_deg),
                z: r.position.alt_m as f32,
                autocontinue: false,
            })
        })
        .collect()
}

/// Rally points read from a vehicle back to the model.
pub fn wire_to_rally(items: &[WireItem]) -> Vec<RallyPoint> {
    items
        .iter()
        .map(|w| {
            let mut r = RallyPoint::new(GeoPoint {
                lat_deg: w.lat_deg(),
                lon_deg: w.lon_deg(),
                alt_m: f64::from(w.z),
            });
            if w.frame_id() != FRAME_GLOBAL_RELATIVE_ALT {
                r.frame = Some(w.frame_id());
            }
            r
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------

/// One field that differs between what was uploaded and what was read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Sequence number on the wire.
    pub seq: usize,
    /// The field (`command`, `frame`, `param1`.. `param4`, `x`, `y`, `z`, `autocontinue`,
    /// or `count`).
    pub field: &'static str,
    /// What was sent.
    pub sent: f64,
    /// What was read back.
    pub read: f64,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "item {}: {} sent {} read back {}",
            self.seq, self.field, self.sent, self.read
        )
    }
}

fn f32_close(a: f32, b: f32) -> bool {
    // A parameter sent as NaN (QGC's `null`) means "the vehicle's default": whatever the vehicle
    // reports back is that default.
    if a.is_nan() {
        return true;
    }
    if b.is_nan() {
        return false;
    }
    // Autopilots store some parameters in narrower types; allow float32 rounding.
    (a - b).abs() <= 1e-5_f32.max(a.abs().max(b.abs()) * 4.0 * f32::EPSILON)
}

fn e7_close(a: i32, b: i32, global: bool, via_float: bool) -> bool {
    // A float MISSION_ITEM carries latitude and longitude as float32: a relative precision of
    // 2^-23, i.e. up to ~2e-5° near ±180°. degE7 ints from MISSION_ITEM_INT compare to 1e-7°.
    let tol = if global && via_float {
        let mag = f64::from(a.unsigned_abs().max(b.unsigned_abs())) * 1e-7;
        ((mag * f64::from(f32::EPSILON)) * 1e7).ceil().max(1.0) as i64
    } else {
        1
    };
    (i64::from(a) - i64::from(b)).abs() <= tol
}

/// [`compare_items`] for a list of `kind`: fence and rally items are compared without their
/// autocontinue flag, which means nothing for them and which ArduPilot does not keep.
pub fn compare_list(
    kind: ListKind,
    sent: &[WireItem],
    read: &[WireItem],
    skip_home: bool,
    via_float: bool,
) -> Vec<Mismatch> {
    let mut m = compare_items(sent, read, skip_home, via_float);
    if kind != ListKind::Mission {
        m.retain(|m| m.field != "autocontinue");
    }
    m
}

/// Whether `cmd` carries a position (latitude, longitude, altitude) that the vehicle stores
/// with its frame: navigation commands but return-to-launch and delay, the do-commands that
/// name a place, and fence and rally items.
fn has_position(cmd: MavCmd) -> bool {
    use MavCmd::*;
    match cmd {
        MAV_CMD_NAV_RETURN_TO_LAUNCH | MAV_CMD_NAV_DELAY => false,
        MAV_CMD_DO_SET_HOME
        | MAV_CMD_DO_LAND_START
        | MAV_CMD_DO_REPOSITION
        | MAV_CMD_DO_SET_ROI
        | MAV_CMD_DO_SET_ROI_LOCATION => true,
        // NAV commands are numbered below 100; fence and rally items from 5000.
        c => {
            let id = c as u32;
            !(100..5000).contains(&id)
        }
    }
}

/// Every field of `read` compared with `sent`, item by item. With `skip_home` (ArduPilot's
/// mission list) seq 0 is not compared: the vehicle replaces it with its real home. With
/// `via_float` (items came through float `MISSION_ITEM`s) coordinates get float32 tolerance.
/// Parameters are compared to float32 rounding, except those sent as NaN (the vehicle's
/// default, whatever it reports); a global altitude to half a centimetre (ArduPilot keeps
/// centimetres); latitude and longitude to 1e-7°.
pub fn compare_items(
    sent: &[WireItem],
    read: &[WireItem],
    skip_home: bool,
    via_float: bool,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if sent.len() != read.len() {
        out.push(Mismatch {
            seq: sent.len().min(read.len()),
            field: "count",
            sent: sent.len() as f64,
            read: read.len() as f64,
        });
    }
    for (seq, (s, r)) in sent.iter().zip(read).enumerate() {
        if skip_home && seq == 0 {
            continue;
        }
        let mut push = |field, a: f64, b: f64| {
            out.push(Mismatch {
                seq,
                field,
                sent: a,
                read: b,
            })
        };
        if s.command != r.command {
            push("command", s.command_id().into(), r.command_id().into());
        }
        // An item without a position (MAV_FRAME_MISSION, as QGC writes DO_CHANGE_SPEED and
        // RTL, or a command that has none, such as CONDITION_YAW written with frame 3) has a
        // meaningless frame: ArduPilot does not store it and reads it back as MAV_FRAME_GLOBAL.
        let positionless = (s.frame == MavFrame::MAV_FRAME_MISSION || !has_position(s.command))
            && matches!(
                r.frame,
                MavFrame::MAV_FRAME_MISSION | MavFrame::MAV_FRAME_GLOBAL
            );
        if !positionless && float_frame(s.frame) != float_frame(r.frame) {
            push("frame", s.frame_id().into(), r.frame_id().into());
        }
        const NAMES: [&str; 4] = ["param1", "param2", "param3", "param4"];
        for (i, ((name, a), b)) in NAMES.iter().zip(s.params).zip(r.params).enumerate() {
            // DO_CHANGE_SPEED's throttle: a negative value means "no change", and ArduPilot
            // keeps the throttle as an unsigned percentage where 0 means the same.
            let no_throttle_change = s.command == MavCmd::MAV_CMD_DO_CHANGE_SPEED
                && i == 2
                && a < 0.0
                && (b == 0.0 || b == a);
            if !no_throttle_change && !f32_close(a, b) {
                push(name, a.into(), b.into());
            }
        }
        let global = is_global(s.frame);
        if !e7_close(s.x, r.x, global, via_float) {
            push("x", s.x.into(), r.x.into());
        }
        if !e7_close(s.y, r.y, global, via_float) {
            push("y", s.y.into(), r.y.into());
        }
        // ArduPilot stores a global altitude in whole centimetres.
        let z_ok = if global {
            (s.z - r.z).abs() <= 0.005 + s.z.abs() * 4.0 * f32::EPSILON
        } else {
            f32_close(s.z, r.z)
        };
        if !z_ok {
            push("z", s.z.into(), r.z.into());
        }
        if s.autocontinue != r.autocontinue {
            push(
                "autocontinue",
                f64::from(u8::from(s.autocontinue)),
                f64::from(u8::from(r.autocontinue)),
            );
        }
    }
    out
}

/// [`compare_list`] that also accepts what `storage` keeps of each item
/// ([`super::stored`]): a field passes when it reads back as sent or as the autopilot's stored
/// form of it (its documented representational change); any other value is reported, with
/// the value sent.
pub fn compare_stored(
    sent: &[WireItem],
    read: &[WireItem],
    kind: ListKind,
    storage: super::stored::Storage,
    skip_home: bool,
    via_float: bool,
) -> Vec<Mismatch> {
    let exact = compare_list(kind, sent, read, skip_home, via_float);
    if exact.is_empty() || storage == super::stored::Storage::Exact {
        return exact;
    }
    let expected: Vec<WireItem> = sent.iter().map(|w| storage.stored(kind, w)).collect();
    let stored = compare_list(kind, &expected, read, skip_home, via_float);
    exact
        .into_iter()
        .filter(|m| stored.iter().any(|s| s.seq == m.seq && s.field == m.field))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn degree_e7_decodes_to_the_shortest_decimal() {
        let mut w = WireItem::waypoint(MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT, 0.0, 0.0, 30.0);
        w.x = -353_632_610;
        w.y = 1_491_652_300;
        assert_eq!(w.lon_deg().to_string(), "149.16523");
        assert_eq!(w.lat_deg().to_string(), "-35.363261");
        assert_eq!(w.lon_deg(), 149.16523);
    }

    fn wp(lat: f64, lon: f64, alt: f64) -> MissionItem {
        MissionItem {
            command: 16,
            frame: 3,
            params: [0.0, 2.0, 0.0, f64::NAN],
            lat_deg: lat,
            lon_deg: lon,
            alt_m: alt,
            autocontinue: true,
        }
    }

    #[test]
    fn mission_gets_a_home_item_first_for_ardupilot() {
        let home = GeoPoint {
            lat_deg: -35.363_261,
            lon_deg: 149.165_230,
            alt_m: 584.0,
        };
        let w = mission_to_wire(&[wp(-35.36, 149.16, 30.0)], Some(home), true).unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].x, -353_632_610);
        assert_eq!(w[0].y, 1_491_652_300);
        assert_eq!(w[0].frame, MavFrame::MAV_FRAME_GLOBAL);
        assert_eq!(w[1].x, -353_600_000);
        assert_eq!(w[1].frame, MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT);
        let (h, items) = wire_to_mission(&w, true);
        assert_eq!(h.unwrap().alt_m, 584.0);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].alt_m, 30.0);
        assert!(items[0].params[3].is_nan());
    }

    #[test]
    fn unknown_command_and_bad_latitude_are_typed_errors() {
        let mut bad = wp(0.0, 0.0, 10.0);
        bad.command = 65_000;
        let e = mission_to_wire(&[wp(1.0, 1.0, 1.0), bad], None, true).unwrap_err();
        assert_eq!(
            e,
            ItemError::UnknownCommand {
                kind: "mission",
                index: 1,
                command: 65_000
            }
        );
        let e = mission_to_wire(&[wp(91.0, 0.0, 1.0)], None, false).unwrap_err();
        assert!(e.to_string().contains("latitude = 91"), "{e}");
    }

    #[test]
    fn int_frames_are_normalised() {
        let mut it = wp(1.0, 2.0, 3.0);
        it.frame = 6;
        let w = item_to_wire(0, &it).unwrap();
        assert_eq!(w.frame, MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT);
    }

    #[test]
    fn fence_polygons_carry_vertex_count_and_circles_radius() {
        let fence = GeoFence {
            polygons: vec![FencePolygon {
                inclusion: true,
                vertices: vec![
                    LatLon {
                        lat_deg: 1.0,
                        lon_deg: 1.0,
                    },
                    LatLon {
                        lat_deg: 1.0,
                        lon_deg: 2.0,
                    },
                    LatLon {
                        lat_deg: 2.0,
                        lon_deg: 2.0,
                    },
                    LatLon {
                        lat_deg: 2.0,
                        lon_deg: 1.0,
                    },
                ],
            }],
            circles: vec![FenceCircle {
                inclusion: false,
                center: LatLon {
                    lat_deg: 1.5,
                    lon_deg: 1.5,
                },
                radius_m: 25.0,
            }],
            home_circles: vec![],
            return_point: Some(LatLon {
                lat_deg: 1.2,
                lon_deg: 1.3,
            }),
        };
        let w = fence_to_wire(&fence, None).unwrap();
        assert_eq!(w.len(), 6);
        assert_eq!(w[0].command_id(), CMD_FENCE_RETURN_POINT);
        assert!(
            w[1..5]
                .iter()
                .all(|v| v.params[0] == 4.0 && v.command_id() == 5001)
        );
        assert_eq!(w[5].command_id(), 5004);
        assert_eq!(w[5].params[0], 25.0);
        assert_eq!(wire_to_fence(&w).unwrap(), fence);

        // A circle around home needs home.
        let mut with_home = fence.clone();
        with_home
            .home_circles
            .push(crate::mission::HomeCircle { radius_m: 300.0 });
        assert!(fence_to_wire(&with_home, None).is_err());
        let home = LatLon {
            lat_deg: 1.4,
            lon_deg: 1.6,
        };
        let w = fence_to_wire(&with_home, Some(home)).unwrap();
        assert_eq!(w.len(), 7);
        assert_eq!(
            (w[6].command_id(), w[6].params[0], w[6].x),
            (5003, 300.0, 14_000_000)
        );
    }

    #[test]
    fn fence_with_short_polygon_is_rejected_on_read() {
        let v = fence_point(
            MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            LatLon {
                lat_deg: 1.0,
                lon_deg: 1.0,
            },
            4.0,
        );
        let e = wire_to_fence(&[v, v, v]).unwrap_err();
        assert!(matches!(e, ItemError::BadFence { seq: 0, .. }), "{e}");
    }

    #[test]
    fn compare_finds_each_changed_field_and_tolerates_float32() {
        let a = item_to_wire(0, &wp(-35.363_261_1, 149.165_230_7, 30.0)).unwrap();
        let mut via_float =
            WireItem::from_item_float(&a.to_item_float(1, (1, 1), ListKind::Mission, false));
        assert!(compare_items(&[a, a], &[a, via_float], true, true).is_empty());
        // Through the int path the same rounding is a mismatch: 1e-7° is the contract there.
        assert!(!compare_items(&[a, a], &[a, via_float], true, false).is_empty());
        via_float.z = 31.0;
        via_float.params[1] = 3.0;
        let m = compare_items(&[a, a], &[a, via_float], true, true);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].field, "param2");
        assert_eq!(m[1].field, "z");
        assert_eq!(m[1].seq, 1);
        let m = compare_items(&[a, a], &[a], false, false);
        assert_eq!(m[0].field, "count");

        // param4 was sent as NaN (vehicle default): any yaw read back is fine. An altitude
        // stored in centimetres is fine; one off by 2 cm is not.
        let mut stored = a;
        stored.params[3] = 0.0;
        stored.z = 30.004;
        assert!(compare_items(&[a], &[stored], false, false).is_empty());
        stored.z = 30.02;
        assert_eq!(compare_items(&[a], &[stored], false, false)[0].field, "z");
        let mut nan_back = a;
        nan_back.params[1] = f32::NAN;
        assert_eq!(
            compare_items(&[a], &[nan_back], false, false)[0].field,
            "param2"
        );
    }

    #[test]
    fn positionless_items_read_back_as_ardupilot_stores_them() {
        // The planner's DO_CHANGE_SPEED (frame MISSION, throttle -1 = no change) and RTL come
        // back from ArduPilot (and vigil-sim) with frame GLOBAL and throttle 0: no mismatch.
        let blank = |command, params| WireItem {
            command,
            frame: MavFrame::MAV_FRAME_MISSION,
            params,
            x: 0,
            y: 0,
            z: 0.0,
            autocontinue: true,
        };
        let speed = blank(MavCmd::MAV_CMD_DO_CHANGE_SPEED, [1.0, 10.0, -1.0, 0.0]);
        let rtl = blank(MavCmd::MAV_CMD_NAV_RETURN_TO_LAUNCH, [0.0; 4]);
        let mut speed_back = speed;
        speed_back.frame = MavFrame::MAV_FRAME_GLOBAL;
        speed_back.params[2] = 0.0;
        let mut rtl_back = rtl;
        rtl_back.frame = MavFrame::MAV_FRAME_GLOBAL;
        assert!(compare_items(&[speed, rtl], &[speed_back, rtl_back], false, false).is_empty());
        // CONDITION_YAW written with frame 3 (as in ArduPilot's own copter_mission.txt) comes
        // back with frame 0; a waypoint's frame still counts.
        let mut yaw = blank(MavCmd::MAV_CMD_CONDITION_YAW, [640.0, 20.0, 1.0, 1.0]);
        yaw.frame = MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT;
        let mut yaw_back = yaw;
        yaw_back.frame = MavFrame::MAV_FRAME_GLOBAL;
        assert!(compare_items(&[yaw], &[yaw_back], false, false).is_empty());
        let mut wp = yaw;
        wp.command = MavCmd::MAV_CMD_NAV_WAYPOINT;
        let mut wp_back = yaw_back;
        wp_back.command = MavCmd::MAV_CMD_NAV_WAYPOINT;
        assert_eq!(
            compare_items(&[wp], &[wp_back], false, false)[0].field,
            "frame"
        );
        // A real change still counts: another speed, a throttle, a positional frame.
        speed_back.params[1] = 5.0;
        speed_back.params[2] = 50.0;
        rtl_back.frame = MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT;
        let m = compare_items(&[speed, rtl], &[speed_back, rtl_back], false, false);
        let fields: Vec<_> = m.iter().map(|m| (m.seq, m.field)).collect();
        assert_eq!(fields, [(0, "param2"), (0, "param3"), (1, "frame")]);

        // A fence vertex read back with autocontinue set is the same vertex; a mission item is
        // not the same item.
        let mut vertex = blank(
            MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            [4.0, 0.0, 0.0, 0.0],
        );
        vertex.frame = MavFrame::MAV_FRAME_GLOBAL;
        vertex.autocontinue = false;
        let vertex_back = WireItem {
            autocontinue: true,
            ..vertex
        };
        assert!(compare_list(ListKind::Fence, &[vertex], &[vertex_back], false, false).is_empty());
        assert_eq!(
            compare_list(ListKind::Mission, &[vertex], &[vertex_back], false, false)[0].field,
            "autocontinue"
        );
    }
}
