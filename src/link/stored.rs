//! What an autopilot keeps of an uploaded item: the representational changes a read-back may
//! legitimately show, so that verification accepts exactly those and reports anything else.
//!
//! ArduPilot converts every MISSION_ITEM_INT into a compact stored command (`AP_Mission`'s
//! 15-byte record, `AC_PolyFence_loader` and `AP_Rally` records) and reads back from that
//! record. The rules below are that conversion, field by field, for the commands Vigil
//! uploads; an item the rules do not know is expected back unchanged.

use mavlink::dialects::ardupilotmega::{MavCmd, MavFrame};

use super::items::{ListKind, WireItem, is_global};

/// How an autopilot stores uploaded items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Storage {
    /// Items come back exactly as sent (PX4, and any autopilot not known to change them).
    #[default]
    Exact,
    /// ArduPilot's stored form (see [`ardupilot_stored`]).
    ArduPilot,
}

impl Storage {
    /// The item `sent` as this autopilot stores and returns it.
    pub fn stored(self, kind: ListKind, sent: &WireItem) -> WireItem {
        match self {
            Storage::Exact => *sent,
            Storage::ArduPilot => ardupilot_stored(kind, sent),
        }
    }
}

/// Commands whose location ArduPilot keeps (the others have no x, y, z in storage).
fn has_location(cmd: MavCmd) -> bool {
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

/// A whole, non-negative number as ArduPilot's unsigned fields keep it.
fn whole(v: f32, max: f32) -> f32 {
    if v.is_nan() {
        return v;
    }
    v.trunc().clamp(0.0, max)
}

/// The item `sent` as ArduCopter stores it and returns it on read-back:
///
/// - every item: `autocontinue` is not stored (always 1 on read-back);
/// - a located mission command: the frame loses its `_INT` (6 → 3, 5 → 0, 11 → 10), the
///   altitude is kept in whole centimetres; any other command: no location and frame 0;
/// - waypoint, take-off, land, loiter-time: only the hold time, in whole seconds (param1);
///   loiter-unlimited: the radius in whole metres (param3); loiter-turns: turns and radius
///   each in a byte; change-speed: the speed type and throttle in bytes, the speed as sent;
///   jump: target and repeat count as integers; other commands keep their four params;
/// - fence: frame 0, no altitude, polygon vertex count in a byte, the return point without
///   params, a circle's radius as sent;
/// - rally: altitude in whole metres relative to home, no params.
///
/// A NaN parameter stays NaN (it means "the vehicle's default": whatever comes back is fine).
pub fn ardupilot_stored(kind: ListKind, sent: &WireItem) -> WireItem {
    use MavCmd::*;
    let mut s = WireItem {
        command: sent.command,
        frame: MavFrame::MAV_FRAME_GLOBAL,
        params: [0.0; 4],
        x: 0,
        y: 0,
        z: 0.0,
        autocontinue: true,
    };
    match kind {
        ListKind::Mission => {
            if has_location(sent.command) && is_global(sent.frame) {
                s.x = sent.x;
                s.y = sent.y;
                s.z = ((f64::from(sent.z) * 100.0).round() / 100.0) as f32;
                s.frame = super::items::float_frame(sent.frame);
            } else if has_location(sent.command) {
                // A local frame ArduPilot refuses on upload: nothing to normalise.
                return *sent;
            }
            let p = sent.params;
            match sent.command {
                MAV_CMD_NAV_WAYPOINT
                | MAV_CMD_NAV_LOITER_TIME
                | MAV_CMD_NAV_TAKEOFF
                | MAV_CMD_NAV_LAND => s.params[0] = whole(p[0], 65_535.0),
                MAV_CMD_NAV_LOITER_UNLIM => s.params[2] = whole(p[2].abs(), 65_535.0),
                MAV_CMD_NAV_LOITER_TURNS => {
                    s.params[0] = whole(p[0], 255.0);
                    s.params[2] = whole(p[2].abs(), 255.0);
                }
                MAV_CMD_DO_JUMP => {
                    s.params[0] = whole(p[0], 65_535.0);
                    s.params[1] = p[1].trunc().clamp(-32_768.0, 32_767.0);
                }
                MAV_CMD_DO_CHANGE_SPEED => {
                    s.params[0] = whole(p[0], 255.0);
                    s.params[1] = p[1];
                    s.params[2] = whole(p[2], 255.0);
                }
                _ => s.params = p,
            }
        }
        ListKind::Fence => {
            s.x = sent.x;
            s.y = sent.y;
            s.params[0] = match sent.command {
                MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION
                | MAV_CMD_NAV_FENCE_POLYGON_VERTEX_EXCLUSION => whole(sent.params[0], 255.0),
                MAV_CMD_NAV_FENCE_RETURN_POINT => 0.0,
                _ => sent.params[0],
            };
        }
        ListKind::Rally => {
            s.x = sent.x;
            s.y = sent.y;
            s.z = sent.z.round().clamp(-32_768.0, 32_767.0);
            s.frame = MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::items::compare_stored;

    fn item(command: MavCmd, frame: MavFrame, params: [f32; 4], z: f32) -> WireItem {
        WireItem {
            command,
            frame,
            params,
            x: -353_632_610,
            y: 1_491_652_300,
            z,
            autocontinue: true,
        }
    }

    #[test]
    fn int_frames_lose_int_and_altitude_keeps_centimetres() {
        use MavFrame::*;
        let cases = [
            (
                MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
                MAV_FRAME_GLOBAL_RELATIVE_ALT,
            ),
            (MAV_FRAME_GLOBAL_INT, MAV_FRAME_GLOBAL),
            (
                MAV_FRAME_GLOBAL_TERRAIN_ALT_INT,
                MAV_FRAME_GLOBAL_TERRAIN_ALT,
            ),
        ];
        for (sent, back) in cases {
            let w = item(
                MavCmd::MAV_CMD_NAV_WAYPOINT,
                sent,
                [2.7, 3.0, 0.0, 45.0],
                40.126,
            );
            let s = ardupilot_stored(ListKind::Mission, &w);
            assert_eq!(s.frame, back);
            assert_eq!(s.params, [2.0, 0.0, 0.0, 0.0]);
            assert_eq!(s.z, 40.13);
            assert_eq!((s.x, s.y), (w.x, w.y));
        }
    }

    #[test]
    fn commands_without_location_come_back_in_frame_0_without_position() {
        let speed = item(
            MavCmd::MAV_CMD_DO_CHANGE_SPEED,
            MavFrame::MAV_FRAME_MISSION,
            [1.0, 10.0, -1.0, 0.0],
            0.0,
        );
        let s = ardupilot_stored(ListKind::Mission, &speed);
        assert_eq!(s.frame, MavFrame::MAV_FRAME_GLOBAL);
        assert_eq!(s.params, [1.0, 10.0, 0.0, 0.0]);
        assert_eq!((s.x, s.y, s.z), (0, 0, 0.0));
    }

    #[test]
    fn fence_and_rally_keep_what_their_records_hold() {
        let v = item(
            MavCmd::MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            MavFrame::MAV_FRAME_GLOBAL_INT,
            [4.0, 0.0, 0.0, 0.0],
            12.0,
        );
        let s = ardupilot_stored(ListKind::Fence, &v);
        assert_eq!(
            (s.frame, s.z, s.params[0]),
            (MavFrame::MAV_FRAME_GLOBAL, 0.0, 4.0)
        );
        let r = item(
            MavCmd::MAV_CMD_NAV_RALLY_POINT,
            MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
            [0.0; 4],
            25.4,
        );
        let s = ardupilot_stored(ListKind::Rally, &r);
        assert_eq!(
            (s.frame, s.z),
            (MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT, 25.0)
        );
    }

    #[test]
    fn read_back_accepts_the_stored_form_and_reports_real_differences() {
        let home = item(
            MavCmd::MAV_CMD_NAV_WAYPOINT,
            MavFrame::MAV_FRAME_GLOBAL,
            [0.0; 4],
            584.0,
        );
        let wp = item(
            MavCmd::MAV_CMD_NAV_WAYPOINT,
            MavFrame::MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
            [3.9, 0.0, 0.0, f32::NAN],
            40.004,
        );
        let speed = item(
            MavCmd::MAV_CMD_DO_CHANGE_SPEED,
            MavFrame::MAV_FRAME_MISSION,
            [1.0, 10.0, -1.0, 0.0],
            0.0,
        );
        let sent = [home, wp, speed];
        let read: Vec<WireItem> = sent
            .iter()
            .map(|w| ardupilot_stored(ListKind::Mission, w))
            .collect();
        let ok = compare_stored(
            &sent,
            &read,
            ListKind::Mission,
            Storage::ArduPilot,
            true,
            false,
        );
        assert!(ok.is_empty(), "{ok:?}");
        // An autopilot that echoes items exactly passes too.
        let echo = compare_stored(
            &sent,
            &sent,
            ListKind::Mission,
            Storage::ArduPilot,
            true,
            false,
        );
        assert!(echo.is_empty(), "{echo:?}");

        // Without the autopilot's storage rules the same read-back is full of differences.
        let exact = compare_stored(&sent, &read, ListKind::Mission, Storage::Exact, true, false);
        let fields: Vec<_> = exact.iter().map(|m| (m.seq, m.field)).collect();
        // (The speed item was sent with a position, which ArduPilot does not keep for it. Its
        // frame and its "no change" throttle are meaningless for any autopilot, so even the
        // exact comparison lets those pass: see `compare_items`.)
        assert_eq!(fields, [(1, "param1"), (2, "x"), (2, "y")]);

        // Real differences still show: a hold of 4 s instead of 3, 2 cm of altitude, a moved
        // vertex, another speed, a relative altitude turned absolute.
        let mut bad = read.clone();
        bad[1].params[0] = 4.0;
        bad[1].z = 40.02;
        bad[1].x += 2;
        bad[2].params[1] = 12.0;
        let m = compare_stored(
            &sent,
            &bad,
            ListKind::Mission,
            Storage::ArduPilot,
            true,
            false,
        );
        let fields: Vec<_> = m.iter().map(|m| (m.seq, m.field)).collect();
        assert_eq!(fields, [(1, "param1"), (1, "x"), (1, "z"), (2, "param2")]);
        let mut absolute = read.clone();
        absolute[1].frame = MavFrame::MAV_FRAME_GLOBAL;
        let m = compare_stored(
            &sent,
            &absolute,
            ListKind::Mission,
            Storage::ArduPilot,
            true,
            false,
        );
        assert_eq!((m.len(), m[0].field, m[0].read), (1, "frame", 0.0));
    }
}
