//! Mission items ⇄ the fields of MAVLink `MISSION_ITEM_INT`, without MAVLink types.
//!
//! In global frames x and y are latitude and longitude in degrees × 10⁷, rounded to the
//! nearest integer (about 1 cm). In local frames they are metres × 10⁴. In any other frame
//! (e.g. 2, `MAV_FRAME_MISSION`) they are param5 and param6 rounded to integers. NaN, which a
//! file may leave in an unused field, travels as `i32::MAX`, as MAVLink does for unused
//! integer fields; values beyond the `i32` range saturate.

use super::model::{MissionItem, is_global_frame};

/// `MISSION_ITEM_INT` x, y and z, plus params 1–4, as MAVLink carries them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntFields {
    pub params: [f32; 4],
    pub x: i32,
    pub y: i32,
    pub z: f32,
}

/// How x and y are scaled for a frame.
fn scale(frame: u8) -> f64 {
    if is_global_frame(frame) {
        1e7
    } else if is_local_frame(frame) {
        1e4
    } else {
        1.0
    }
}

/// `MAV_FRAME`s whose x and y are metres: LOCAL_NED, LOCAL_ENU, LOCAL_OFFSET_NED, BODY_NED,
/// BODY_OFFSET_NED, BODY_FRD, LOCAL_FRD, LOCAL_FLU.
fn is_local_frame(frame: u8) -> bool {
    matches!(frame, 1 | 4 | 7 | 8 | 9 | 12 | 20 | 21)
}

fn encode(v: f64, scale: f64) -> i32 {
    if v.is_nan() {
        i32::MAX
    } else {
        // `as` saturates at the i32 range, and rounding is half away from zero.
        (v * scale).round() as i32
    }
}

fn decode(v: i32, scale: f64) -> f64 {
    if v == i32::MAX {
        f64::NAN
    } else {
        // One correctly rounded division: 473977711 / 1e7 is exactly the double nearest to
        // 47.3977711, the same a file's decimal text gives.
        f64::from(v) / scale
    }
}

impl MissionItem {
    /// `MISSION_ITEM_INT`'s x, y and z for this item.
    ///
    /// ```
    /// use vigil::mission::MissionItem;
    /// let wp = MissionItem {
    ///     command: 16, frame: 3, params: [0.0; 4],
    ///     lat_deg: 47.39777106, lon_deg: 8.5466122, alt_m: 50.0, autocontinue: true,
    /// };
    /// assert_eq!(wp.to_int_fields(), (473977711, 85466122, 50.0));
    /// ```
    pub fn to_int_fields(&self) -> (i32, i32, f32) {
        let s = scale(self.frame);
        (
            encode(self.lat_deg, s),
            encode(self.lon_deg, s),
            self.alt_m as f32,
        )
    }

    /// All numeric fields of `MISSION_ITEM_INT` for this item.
    pub fn to_int_message_fields(&self) -> IntFields {
        let (x, y, z) = self.to_int_fields();
        IntFields {
            params: self.params.map(|p| p as f32),
            x,
            y,
            z,
        }
    }

    /// The mission item a `MISSION_ITEM_INT` describes.
    pub fn from_int_fields(command: u16, frame: u8, autocontinue: bool, f: IntFields) -> Self {
        let s = scale(frame);
        Self {
            command,
            frame,
            params: f.params.map(f64::from),
            lat_deg: decode(f.x, s),
            lon_deg: decode(f.y, s),
            alt_m: f64::from(f.z),
            autocontinue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(frame: u8, lat: f64, lon: f64) -> MissionItem {
        MissionItem {
            command: 16,
            frame,
            params: [0.0; 4],
            lat_deg: lat,
            lon_deg: lon,
            alt_m: 20.5,
            autocontinue: true,
        }
    }

    #[test]
    fn global_frames_round_to_nearest_1e7_degree() {
        // 47.39777106e7 = 473977710.6 rounds up; -35.36288104e7 = -353628810.4 rounds toward 0.
        let (x, y, z) = item(3, 47.39777106, -35.36288104).to_int_fields();
        assert_eq!((x, y, z), (473_977_711, -353_628_810, 20.5));
        // Half away from zero, on both signs.
        assert_eq!(item(0, 0.00000005, -0.00000005).to_int_fields().0, 1);
        assert_eq!(item(0, 0.00000005, -0.00000005).to_int_fields().1, -1);
        for frame in [0u8, 3, 5, 6, 10, 11] {
            assert_eq!(
                item(frame, 1.5, 2.0).to_int_fields().0,
                15_000_000,
                "frame {frame}"
            );
        }
    }

    #[test]
    fn seven_decimal_coordinates_survive_the_trip_exactly() {
        for (lat, lon) in [
            (47.3977711, 8.5466122),
            (-35.362881, 149.165222),
            (89.9999999, -179.9999999),
        ] {
            let it = item(6, lat, lon);
            let back = MissionItem::from_int_fields(16, 6, true, it.to_int_message_fields());
            assert_eq!((back.lat_deg, back.lon_deg), (lat, lon));
        }
    }

    #[test]
    fn mission_frame_carries_params_as_integers_and_nan_as_int32_max() {
        let jump = MissionItem {
            command: 177,
            frame: 2,
            params: [3.0, -1.0, 0.0, 0.0],
            lat_deg: 7.4,
            lon_deg: f64::NAN,
            alt_m: 0.0,
            autocontinue: true,
        };
        let f = jump.to_int_message_fields();
        assert_eq!((f.x, f.y), (7, i32::MAX));
        assert_eq!(f.params, [3.0, -1.0, 0.0, 0.0]);
        let back = MissionItem::from_int_fields(177, 2, true, f);
        assert_eq!(back.lat_deg, 7.0);
        assert!(back.lon_deg.is_nan());
    }

    #[test]
    fn local_frames_use_tenths_of_millimetres() {
        let (x, y, _) = item(1, 12.34567, -0.00004).to_int_fields();
        assert_eq!((x, y), (123_457, 0));
        let back = MissionItem::from_int_fields(
            16,
            1,
            true,
            IntFields {
                params: [0.0; 4],
                x,
                y,
                z: 1.0,
            },
        );
        assert_eq!(back.lat_deg, 12.3457);
    }

    #[test]
    fn out_of_range_values_saturate() {
        assert_eq!(item(2, 1e12, -1e12).to_int_fields().0, i32::MAX);
        assert_eq!(item(2, 1e12, -1e12).to_int_fields().1, i32::MIN);
    }
}
