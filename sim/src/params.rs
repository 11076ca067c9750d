//! The vehicle's parameters: ArduCopter's names, units and types, read and set through the
//! MAVLink parameter protocol.

use mavlink::dialects::ardupilotmega::MavParamType;

/// One parameter: name, value (as MAVLink carries it, a float) and declared type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// ArduPilot's name, at most 16 characters.
    pub name: &'static str,
    /// The value; integer types hold whole numbers.
    pub value: f32,
    /// The type reported in PARAM_VALUE.
    pub kind: MavParamType,
}

use MavParamType::{
    MAV_PARAM_TYPE_INT8 as I8, MAV_PARAM_TYPE_INT16 as I16, MAV_PARAM_TYPE_INT32 as I32,
    MAV_PARAM_TYPE_REAL32 as F32,
};

/// ArduCopter defaults, except where a comment says the simulator differs.
const DEFAULTS: &[(&str, f32, MavParamType)] = &[
    ("ARMING_CHECK", 1.0, I32),
    // ArduCopter ships 0 (no action); the simulator returns on a low battery and lands on a
    // critical one so that failsafes are exercised by default.
    ("BATT_CAPACITY", 5000.0, I32),
    ("BATT_CRT_MAH", 0.0, F32),
    ("BATT_CRT_VOLT", 10.0, F32),
    ("BATT_FS_CRT_ACT", 1.0, I8),
    ("BATT_FS_LOW_ACT", 2.0, I8),
    ("BATT_LOW_MAH", 0.0, F32),
    ("BATT_LOW_TIMER", 10.0, I8),
    ("BATT_LOW_VOLT", 10.5, F32),
    ("DISARM_DELAY", 10.0, I8),
    ("FENCE_ACTION", 1.0, I8),
    ("FENCE_ALT_MAX", 100.0, F32),
    ("FENCE_ALT_MIN", -10.0, F32),
    ("FENCE_ENABLE", 0.0, I8),
    ("FENCE_MARGIN", 2.0, F32),
    ("FENCE_RADIUS", 300.0, F32),
    ("FENCE_TYPE", 7.0, I8),
    ("FS_GCS_ENABLE", 0.0, I8),
    ("FS_GCS_TIMEOUT", 5.0, F32),
    ("LAND_ALT_LOW", 1000.0, I16),
    ("LAND_SPEED", 50.0, I16),
    ("LAND_SPEED_HIGH", 0.0, I16),
    ("MIS_RESTART", 0.0, I8),
    ("MIS_TOTAL", 0.0, I16),
    ("RTL_ALT", 1500.0, I32),
    ("RTL_ALT_FINAL", 0.0, I16),
    ("RTL_LOIT_TIME", 5000.0, I32),
    ("RTL_SPEED", 0.0, I16),
    ("SYSID_MYGCS", 255.0, I16),
    ("SYSID_THISMAV", 1.0, I16),
    ("WPNAV_ACCEL", 250.0, F32),
    ("WPNAV_RADIUS", 200.0, F32),
    ("WPNAV_SPEED", 1000.0, F32),
    ("WPNAV_SPEED_DN", 150.0, F32),
    ("WPNAV_SPEED_UP", 250.0, F32),
];

/// The parameter table, in a fixed order (the index used by the parameter protocol).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    list: Vec<Param>,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            list: DEFAULTS
                .iter()
                .map(|&(name, value, kind)| Param { name, value, kind })
                .collect(),
        }
    }
}

impl Params {
    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none (never, for a vehicle).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The parameter at `index`.
    pub fn at(&self, index: usize) -> Option<&Param> {
        self.list.get(index)
    }

    /// Index of `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.list.iter().position(|p| p.name == name)
    }

    /// Value of `name`; 0 for a name the table does not have (callers use known names only).
    pub fn get(&self, name: &str) -> f32 {
        self.index_of(name).map_or(0.0, |i| self.list[i].value)
    }

    /// Set `name` as the parameter protocol does (integer types are rounded); returns the index,
    /// or None for an unknown name.
    pub fn set(&mut self, name: &str, value: f32) -> Option<usize> {
        let i = self.index_of(name)?;
        let p = &mut self.list[i];
        p.value = if p.kind == F32 { value } else { value.round() };
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_parameters_are_rounded_and_unknown_names_refused() {
        let mut p = Params::default();
        assert_eq!(p.get("RTL_ALT"), 1500.0);
        assert!(p.set("FS_GCS_ENABLE", 1.4).is_some());
        assert_eq!(p.get("FS_GCS_ENABLE"), 1.0);
        assert!(p.set("FENCE_MARGIN", 2.5).is_some());
        assert_eq!(p.get("FENCE_MARGIN"), 2.5);
        assert_eq!(p.set("NO_SUCH_PARAM", 1.0), None);
        assert!(p.list.iter().all(|p| p.name.len() <= 16));
    }
}
