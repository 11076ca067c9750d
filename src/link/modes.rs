//! Flight mode names for ArduCopter, ArduPlane and PX4, to and from `HEARTBEAT.custom_mode`.

use mavlink::dialects::ardupilotmega::{MavAutopilot, MavType};

/// Whose mode numbers a vehicle uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Firmware {
    /// ArduPilot multicopters, helicopters and everything that is not a plane.
    ArduCopter,
    /// ArduPilot fixed-wing and VTOL planes.
    ArduPlane,
    /// PX4 (main mode in bits 16..24, sub mode in bits 24..32).
    Px4,
    /// Anything else: modes are shown as numbers.
    Other,
}

impl Firmware {
    /// The firmware a heartbeat's `autopilot` and `type` fields describe.
    pub fn from_heartbeat(autopilot: MavAutopilot, mav_type: MavType) -> Self {
        match autopilot {
            MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA => match mav_type {
                MavType::MAV_TYPE_FIXED_WING
                | MavType::MAV_TYPE_VTOL_TAILSITTER_DUOROTOR
                | MavType::MAV_TYPE_VTOL_TAILSITTER_QUADROTOR
                | MavType::MAV_TYPE_VTOL_TILTROTOR
                | MavType::MAV_TYPE_VTOL_FIXEDROTOR
                | MavType::MAV_TYPE_VTOL_TAILSITTER
                | MavType::MAV_TYPE_VTOL_TILTWING => Self::ArduPlane,
                _ => Self::ArduCopter,
            },
            MavAutopilot::MAV_AUTOPILOT_PX4 => Self::Px4,
            _ => Self::Other,
        }
    }
}

const COPTER: &[(u32, &str)] = &[
    (0, "STABILIZE"),
    (1, "ACRO"),
    (2, "ALT_HOLD"),
    (3, "AUTO"),
    (4, "GUIDED"),
    (5, "LOITER"),
    (6, "RTL"),
    (7, "CIRCLE"),
    (9, "LAND"),
    (11, "DRIFT"),
    (13, "SPORT"),
    (14, "FLIP"),
    (15, "AUTOTUNE"),
    (16, "POSHOLD"),
    (17, "BRAKE"),
    (18, "THROW"),
    (19, "AVOID_ADSB"),
    (20, "GUIDED_NOGPS"),
    (21, "SMART_RTL"),
    (22, "FLOWHOLD"),
    (23, "FOLLOW"),
    (24, "ZIGZAG"),
    (25, "SYSTEMID"),
    (26, "AUTOROTATE"),
    (27, "AUTO_RTL"),
    (28, "TURTLE"),
];

const PLANE: &[(u32, &str)] = &[
    (0, "MANUAL"),
    (1, "CIRCLE"),
    (2, "STABILIZE"),
    (3, "TRAINING"),
    (4, "ACRO"),
    (5, "FBWA"),
    (6, "FBWB"),
    (7, "CRUISE"),
    (8, "AUTOTUNE"),
    (10, "AUTO"),
    (11, "RTL"),
    (12, "LOITER"),
    (13, "TAKEOFF"),
    (14, "AVOID_ADSB"),
    (15, "GUIDED"),
    (17, "QSTABILIZE"),
    (18, "QHOVER"),
    (19, "QLOITER"),
    (20, "QLAND"),
    (21, "QRTL"),
    (22, "QAUTOTUNE"),
    (23, "QACRO"),
    (24, "THERMAL"),
    (25, "LOITER_ALT_QLAND"),
    (26, "AUTOLAND"),
];

/// PX4 (main mode, sub mode, name).
const PX4: &[(u32, u32, &str)] = &[
    (1, 0, "MANUAL"),
    (2, 0, "ALTCTL"),
    (3, 0, "POSCTL"),
    (4, 1, "AUTO.READY"),
    (4, 2, "AUTO.TAKEOFF"),
    (4, 3, "AUTO.LOITER"),
    (4, 4, "AUTO.MISSION"),
    (4, 5, "AUTO.RTL"),
    (4, 6, "AUTO.LAND"),
    (4, 8, "AUTO.FOLLOW_TARGET"),
    (4, 9, "AUTO.PRECLAND"),
    (5, 0, "ACRO"),
    (6, 0, "OFFBOARD"),
    (7, 0, "STABILIZED"),
    (8, 0, "RATTITUDE"),
];

/// The mode's name, or `MODE(n)` when the number is not known.
pub fn mode_name(firmware: Firmware, custom_mode: u32) -> String {
    let known = match firmware {
        Firmware::ArduCopter => COPTER.iter().find(|m| m.0 == custom_mode).map(|m| m.1),
        Firmware::ArduPlane => PLANE.iter().find(|m| m.0 == custom_mode).map(|m| m.1),
        Firmware::Px4 => {
            let main = (custom_mode >> 16) & 0xff;
            let sub = (custom_mode >> 24) & 0xff;
            PX4.iter()
                .find(|m| m.0 == main && (m.1 == sub || (m.1 == 0 && main != 4)))
                .map(|m| m.2)
        }
        Firmware::Other => None,
    };
    known.map_or_else(|| format!("MODE({custom_mode})"), str::to_string)
}

/// The `custom_mode` for a mode name (case-insensitive), `None` when the firmware has no such
/// mode.
pub fn mode_number(firmware: Firmware, name: &str) -> Option<u32> {
    let name = name.to_ascii_uppercase();
    match firmware {
        Firmware::ArduCopter => COPTER.iter().find(|m| m.1 == name).map(|m| m.0),
        Firmware::ArduPlane => PLANE.iter().find(|m| m.1 == name).map(|m| m.0),
        Firmware::Px4 => PX4
            .iter()
            .find(|m| m.2 == name)
            .map(|m| (m.0 << 16) | (m.1 << 24)),
        Firmware::Other => None,
    }
}

/// Mode names a firmware knows, for help texts.
pub fn mode_names(firmware: Firmware) -> Vec<&'static str> {
    match firmware {
        Firmware::ArduCopter => COPTER.iter().map(|m| m.1).collect(),
        Firmware::ArduPlane => PLANE.iter().map(|m| m.1).collect(),
        Firmware::Px4 => PX4.iter().map(|m| m.2).collect(),
        Firmware::Other => Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_for_each_firmware() {
        assert_eq!(mode_name(Firmware::ArduCopter, 3), "AUTO");
        assert_eq!(mode_name(Firmware::ArduCopter, 6), "RTL");
        assert_eq!(mode_name(Firmware::ArduPlane, 10), "AUTO");
        assert_eq!(mode_name(Firmware::ArduPlane, 6), "FBWB");
        assert_eq!(mode_number(Firmware::ArduCopter, "guided"), Some(4));
        assert_eq!(
            mode_number(Firmware::Px4, "AUTO.MISSION"),
            Some(0x0404_0000)
        );
        assert_eq!(mode_name(Firmware::Px4, 0x0404_0000), "AUTO.MISSION");
        assert_eq!(mode_name(Firmware::Px4, 3 << 16), "POSCTL");
        assert_eq!(mode_name(Firmware::ArduCopter, 99), "MODE(99)");
        assert_eq!(mode_number(Firmware::ArduCopter, "QHOVER"), None);
        for fw in [Firmware::ArduCopter, Firmware::ArduPlane, Firmware::Px4] {
            for n in mode_names(fw) {
                let v = mode_number(fw, n);
                assert_eq!(mode_name(fw, v.unwrap_or(u32::MAX)), n, "{fw:?}");
            }
        }
    }

    #[test]
    fn firmware_from_heartbeat() {
        assert_eq!(
            Firmware::from_heartbeat(
                MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA,
                MavType::MAV_TYPE_QUADROTOR
            ),
            Firmware::ArduCopter
        );
        assert_eq!(
            Firmware::from_heartbeat(
                MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA,
                MavType::MAV_TYPE_FIXED_WING
            ),
            Firmware::ArduPlane
        );
        assert_eq!(
            Firmware::from_heartbeat(MavAutopilot::MAV_AUTOPILOT_PX4, MavType::MAV_TYPE_QUADROTOR),
            Firmware::Px4
        );
    }
}
