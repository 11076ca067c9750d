//! What the app shows that is not the venue: vehicles, alarms, detections, thermal frame
//! footprints, log lines and telemetry history, in WGS84 degrees.

use std::collections::VecDeque;

/// How many trail points a vehicle keeps (older points are dropped).
pub const TRAIL_LEN: usize = 600;
/// How many samples each telemetry plot keeps.
pub const HISTORY_LEN: usize = 3600;

/// One vehicle as the map and the HUD show it.
#[derive(Debug, Clone, PartialEq)]
pub struct VehicleView {
    /// MAVLink system id.
    pub system_id: u8,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Altitude above home, metres.
    pub alt_m: f64,
    /// Heading, degrees clockwise from north.
    pub heading_deg: f64,
    pub ground_speed_mps: f64,
    /// Flight mode name (`AUTO`, `RTL`, …).
    pub mode: String,
    pub armed: bool,
    /// Remaining battery, percent, when the vehicle reports it.
    pub battery_pct: Option<f64>,
    /// GPS fix type as MAVLink numbers it (3 = 3D fix).
    pub gps_fix: u8,
    pub satellites: u8,
    /// Share of expected messages received over the last seconds, percent.
    pub link_quality_pct: f64,
    /// Past positions `(lon_deg, lat_deg)`, oldest first.
    pub trail: VecDeque<(f64, f64)>,
}

impl VehicleView {
    /// A vehicle at a position with nothing else known yet.
    pub fn new(system_id: u8, lat_deg: f64, lon_deg: f64) -> Self {
        Self {
            system_id,
            lat_deg,
            lon_deg,
            alt_m: 0.0,
            heading_deg: 0.0,
            ground_speed_mps: 0.0,
            mode: String::from("UNKNOWN"),
            armed: false,
            battery_pct: None,
            gps_fix: 0,
            satellites: 0,
            link_quality_pct: 0.0,
            trail: VecDeque::new(),
        }
    }

    /// Moves the vehicle, appending its old position to the trail.
    pub fn move_to(&mut self, lat_deg: f64, lon_deg: f64) {
        self.trail.push_back((self.lon_deg, self.lat_deg));
        while self.trail.len() > TRAIL_LEN {
            self.trail.pop_front();
        }
        self.lat_deg = lat_deg;
        self.lon_deg = lon_deg;
    }
}

/// Alarm grades, from least to most urgent (DESIGN.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlarmGrade {
    /// Within the warning margin.
    Blue,
    /// Breach predicted within seconds.
    Yellow,
    /// Breached.
    Orange,
    /// Breached and not returning, link lost or battery critical.
    Red,
}

impl AlarmGrade {
    /// The grade's name as the operator reads it.
    pub fn name(self) -> &'static str {
        match self {
            AlarmGrade::Blue => "BLUE",
            AlarmGrade::Yellow => "YELLOW",
            AlarmGrade::Orange => "ORANGE",
            AlarmGrade::Red => "RED",
        }
    }
}

/// One alarm in the Alarms panel and on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmView {
    /// Unique within a session.
    pub id: u64,
    pub grade: AlarmGrade,
    /// Which fence or vehicle, and what happened.
    pub title: String,
    /// What the operator should do.
    pub advice: String,
    /// Where, when known: `(lon_deg, lat_deg)`.
    pub position: Option<(f64, f64)>,
    /// Seconds since the app started when it was raised.
    pub since_s: f64,
    pub acknowledged: bool,
    /// The fence monitor's alarm id, when the alarm comes from live telemetry.
    pub monitor_id: Option<u64>,
    /// The condition is gone (the monitor cleared it); kept in the list for the record.
    pub cleared: bool,
}

/// A person, vehicle or crowd found in a thermal frame, placed on the ground.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectionView {
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Hottest temperature in the detection, °C.
    pub temp_c: f64,
    /// `person`, `crowd`, `vehicle`, …
    pub label: String,
}

/// Where a thermal frame was taken, as its four ground corners `(lon_deg, lat_deg)`
/// (front-left, front-right, back-right, back-left).
#[derive(Debug, Clone, PartialEq)]
pub struct FrameFootprintView {
    pub corners: [(f64, f64); 4],
    /// Mean scene temperature, °C, used to tint the footprint.
    pub mean_temp_c: f64,
}

/// How important a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Info,
    Warning,
    Error,
}

/// One line of the Log panel.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Seconds since the app started.
    pub t_s: f64,
    pub level: LogLevel,
    pub text: String,
}

/// Telemetry over time for the plots: `[t_s, value]` pairs per vehicle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub alt_m: VecDeque<[f64; 2]>,
    pub battery_pct: VecDeque<[f64; 2]>,
    pub link_quality_pct: VecDeque<[f64; 2]>,
}

impl History {
    /// Records one sample of a vehicle's state at `t_s`.
    pub fn record(&mut self, t_s: f64, v: &VehicleView) {
        push_bounded(&mut self.alt_m, [t_s, v.alt_m]);
        if let Some(b) = v.battery_pct {
            push_bounded(&mut self.battery_pct, [t_s, b]);
        }
        push_bounded(&mut self.link_quality_pct, [t_s, v.link_quality_pct]);
    }
}

fn push_bounded(q: &mut VecDeque<[f64; 2]>, s: [f64; 2]) {
    q.push_back(s);
    while q.len() > HISTORY_LEN {
        q.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_keeps_the_last_positions_only() {
        let mut v = VehicleView::new(1, -37.0, 144.0);
        for i in 0..(TRAIL_LEN + 10) {
            v.move_to(-37.0 + i as f64 * 1e-5, 144.0);
        }
        assert_eq!(v.trail.len(), TRAIL_LEN);
        // The newest trail point is the position before the last move.
        let last = v.trail.back().copied().unwrap_or_default();
        assert!((last.1 - (-37.0 + (TRAIL_LEN + 8) as f64 * 1e-5)).abs() < 1e-12);
    }

    #[test]
    fn grades_order_by_urgency() {
        assert!(AlarmGrade::Red > AlarmGrade::Orange);
        assert!(AlarmGrade::Orange > AlarmGrade::Yellow);
        assert!(AlarmGrade::Yellow > AlarmGrade::Blue);
    }
}
