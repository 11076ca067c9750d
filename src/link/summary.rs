//! A tlog's summary: duration, vehicles, message counts, modes, track length, unreadable bytes.

use std::collections::BTreeMap;

use geo::{Distance, Haversine, Point};
use mavlink::dialects::ardupilotmega::{GpsFixType, MavAutopilot};
use mavlink::{MavlinkVersion, Message};
use serde::Serialize;

use super::MavMessage;
use super::modes::{Firmware, mode_name};
use super::tlog::TlogReader;

/// Earliest and latest plausible timestamps (2000-01-01 to 2100-01-01): a record outside is
/// counted but does not stretch the duration (a foreign or little-endian timestamp).
const PLAUSIBLE_US: std::ops::Range<u64> = 946_684_800_000_000..4_102_444_800_000_000;

/// One sender seen in the log.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct VehicleSummary {
    /// System id.
    pub system_id: u8,
    /// Component id.
    pub component_id: u8,
    /// Messages from it.
    pub messages: usize,
    /// Its `HEARTBEAT` type and autopilot, when it sent one (`MAV_TYPE_QUADROTOR`, ...).
    pub mav_type: Option<String>,
    /// Its autopilot (`MAV_AUTOPILOT_ARDUPILOTMEGA`, ...).
    pub autopilot: Option<String>,
    /// Modes in the order first seen (named for ArduCopter, ArduPlane and PX4).
    pub modes: Vec<String>,
    /// Mode changes seen.
    pub mode_changes: usize,
    /// Length of the track flown, metres, from `GLOBAL_POSITION_INT` (or `GPS_RAW_INT` with a
    /// fix when the log has no `GLOBAL_POSITION_INT`).
    pub track_m: f64,
    /// Which message the track came from.
    pub track_source: Option<&'static str>,
    /// Sequence numbers skipped (messages lost before the log).
    pub sequence_gaps: usize,
}

/// The summary of a whole tlog.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TlogSummary {
    /// Bytes read.
    pub bytes: usize,
    /// Records (frames) read.
    pub messages: usize,
    /// MAVLink 1 frames.
    pub mavlink1: usize,
    /// MAVLink 2 frames.
    pub mavlink2: usize,
    /// Bytes that formed no record and were skipped.
    pub bad_bytes: usize,
    /// First and last plausible timestamps, microseconds since the Unix epoch.
    pub first_us: Option<u64>,
    /// See `first_us`.
    pub last_us: Option<u64>,
    /// `last_us - first_us`, seconds.
    pub duration_s: f64,
    /// Records whose timestamp is outside 2000..2100.
    pub implausible_timestamps: usize,
    /// Count per message name.
    pub counts: BTreeMap<String, usize>,
    /// Senders, by (system, component).
    pub vehicles: Vec<VehicleSummary>,
}

#[derive(Debug, Default)]
struct Track {
    last: Option<Point<f64>>,
    global_m: f64,
    gps_m: f64,
    gps_last: Option<Point<f64>>,
    has_global: bool,
}

/// Per sender: its summary, its track, its last mode and its last sequence number.
type Sender = (VehicleSummary, Track, Option<u32>, Option<u8>);

fn step(last: &mut Option<Point<f64>>, lat_e7: i32, lon_e7: i32) -> f64 {
    if lat_e7 == 0 && lon_e7 == 0 {
        return 0.0;
    }
    let p = Point::new(f64::from(lon_e7) * 1e-7, f64::from(lat_e7) * 1e-7);
    let d = last.map_or(0.0, |q| Haversine.distance(q, p));
    *last = Some(p);
    d
}

/// Reads a whole tlog and summarises it.
pub fn summarize(data: &[u8]) -> TlogSummary {
    let mut s = TlogSummary {
        bytes: data.len(),
        ..TlogSummary::default()
    };
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    let mut vehicles: BTreeMap<(u8, u8), Sender> = BTreeMap::new();
    let mut reader = TlogReader::new(data);

    for rec in reader.by_ref() {
        s.messages += 1;
        match rec.version {
            MavlinkVersion::V1 => s.mavlink1 += 1,
            MavlinkVersion::V2 => s.mavlink2 += 1,
        }
        if PLAUSIBLE_US.contains(&rec.time_us) {
            s.first_us = Some(s.first_us.map_or(rec.time_us, |f| f.min(rec.time_us)));
            s.last_us = Some(s.last_us.map_or(rec.time_us, |l| l.max(rec.time_us)));
        } else {
            s.implausible_timestamps += 1;
        }
        *counts.entry(rec.message_id).or_default() += 1;

        let (v, track, mode, last_seq) = vehicles
            .entry((rec.system_id, rec.component_id))
            .or_insert_with(|| {
                let v = VehicleSummary {
                    system_id: rec.system_id,
                    component_id: rec.component_id,
                    ..VehicleSummary::default()
                };
                (v, Track::default(), None, None)
            });
        v.messages += 1;
        if let Some(prev) = *last_seq {
            let gap = rec.sequence.wrapping_sub(prev).wrapping_sub(1);
            // A large "gap" is a restart or a duplicate, not loss.
            if gap < 128 {
                v.sequence_gaps += usize::from(gap);
            }
        }
        *last_seq = Some(rec.sequence);

        // Decode only what the summary needs.
        if !matches!(rec.message_id, 0 | 24 | 33) {
            continue;
        }
        match rec.message() {
            Some(MavMessage::HEARTBEAT(h)) => {
                v.mav_type = Some(format!("{:?}", h.mavtype));
                v.autopilot = Some(format!("{:?}", h.autopilot));
                if h.autopilot == MavAutopilot::MAV_AUTOPILOT_INVALID {
                    continue;
                }
                let fw = Firmware::from_heartbeat(h.autopilot, h.mavtype);
                if *mode != Some(h.custom_mode) {
                    if mode.is_some() {
                        v.mode_changes += 1;
                    }
                    *mode = Some(h.custom_mode);
                    let name = mode_name(fw, h.custom_mode);
                    if !v.modes.contains(&name) {
                        v.modes.push(name);
                    }
                }
            }
            Some(MavMessage::GLOBAL_POSITION_INT(g)) => {
                track.has_global = true;
                track.global_m += step(&mut track.last, g.lat, g.lon);
            }
            Some(MavMessage::GPS_RAW_INT(g))
                if g.fix_type as u32 >= GpsFixType::GPS_FIX_TYPE_2D_FIX as u32 =>
            {
                track.gps_m += step(&mut track.gps_last, g.lat, g.lon);
            }
            _ => {}
        }
    }

    s.bad_bytes = reader.skipped_bytes();
    if let (Some(f), Some(l)) = (s.first_us, s.last_us) {
        s.duration_s = (l - f) as f64 * 1e-6;
    }
    s.counts = counts
        .into_iter()
        .map(|(id, n)| {
            let name = MavMessage::default_message_from_id(id)
                .map_or_else(|| format!("MSG_{id}"), |m| m.message_name().to_string());
            (name, n)
        })
        .collect();
    s.vehicles = vehicles
        .into_values()
        .map(|(mut v, t, _, _)| {
            if t.has_global {
                v.track_m = t.global_m;
                v.track_source = Some("GLOBAL_POSITION_INT");
            } else if t.gps_last.is_some() {
                v.track_m = t.gps_m;
                v.track_source = Some("GPS_RAW_INT");
            }
            v
        })
        .collect();
    s
}
