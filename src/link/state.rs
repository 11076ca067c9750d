//! A vehicle's state as its telemetry tells it, updated message by message (sans IO).

use std::collections::VecDeque;
use std::time::Duration;

use mavlink::dialects::ardupilotmega::{MavAutopilot, MavModeFlag, MavSeverity};

use super::MavMessage;
use super::modes::{Firmware, mode_name};

/// Status texts kept.
const TEXTS_KEPT: usize = 32;

/// A position: WGS84 degrees, altitudes in metres.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Position {
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
    /// Altitude above mean sea level, metres.
    pub alt_msl_m: f64,
    /// Altitude above home, metres.
    pub alt_rel_m: f64,
}

/// Roll, pitch and yaw in degrees.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Attitude {
    /// Roll, degrees, right wing down positive.
    pub roll_deg: f32,
    /// Pitch, degrees, nose up positive.
    pub pitch_deg: f32,
    /// Yaw, degrees, clockwise from north.
    pub yaw_deg: f32,
}

/// The battery.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Battery {
    /// Voltage, volts.
    pub voltage_v: f32,
    /// Current, amperes (None when not measured).
    pub current_a: Option<f32>,
    /// Remaining charge, percent (None when not estimated).
    pub remaining_pct: Option<u8>,
}

/// GPS quality.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Gps {
    /// `GPS_FIX_TYPE` (0 none, 1 no fix, 2 2D, 3 3D, 4 DGPS, 5 RTK float, 6 RTK fixed).
    pub fix_type: u8,
    /// Satellites visible.
    pub satellites: u8,
    /// Horizontal dilution of precision (None when unknown).
    pub hdop: Option<f32>,
}

/// Link quality seen from the ground.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LinkQuality {
    /// Messages received from the vehicle.
    pub received: u64,
    /// Messages lost, from gaps in the vehicle's sequence numbers.
    pub lost: u64,
    /// Round trip measured with `TIMESYNC` (sent with our heartbeat), when the vehicle answers.
    pub rtt: Option<Duration>,
}

impl LinkQuality {
    /// Share of messages lost, 0..1.
    pub fn loss(&self) -> f64 {
        let total = self.received + self.lost;
        if total == 0 {
            0.0
        } else {
            self.lost as f64 / total as f64
        }
    }
}

/// One status text.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusText {
    /// When it arrived (session clock).
    pub at: Duration,
    /// `MAV_SEVERITY` (0 emergency .. 7 debug).
    pub severity: u8,
    /// The text.
    pub text: String,
    /// Its number among all texts received from this vehicle, from 1 (never reused, unlike
    /// positions in the bounded buffer).
    pub seq: u64,
}

/// Everything known about one vehicle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VehicleState {
    /// System id.
    pub system_id: u8,
    /// Component id.
    pub component_id: u8,
    /// Firmware, from the heartbeat.
    pub firmware: Option<Firmware>,
    /// Armed.
    pub armed: bool,
    /// `custom_mode` from the heartbeat.
    pub custom_mode: Option<u32>,
    /// The mode's name (ArduCopter, ArduPlane, PX4).
    pub mode: Option<String>,
    /// Position.
    pub position: Option<Position>,
    /// Attitude.
    pub attitude: Option<Attitude>,
    /// Ground speed, m/s.
    pub groundspeed_mps: Option<f32>,
    /// Air speed, m/s.
    pub airspeed_mps: Option<f32>,
    /// Climb rate, m/s.
    pub climb_mps: Option<f32>,
    /// Heading, degrees from north.
    pub heading_deg: Option<f32>,
    /// Battery.
    pub battery: Option<Battery>,
    /// GPS.
    pub gps: Option<Gps>,
    /// Home (altitude above mean sea level).
    pub home: Option<Position>,
    /// Current mission item.
    pub mission_current: Option<u16>,
    /// Last mission item reached.
    pub mission_reached: Option<u16>,
    /// Whether the fence is breached (`FENCE_STATUS`), and breaches counted by the vehicle.
    pub fence_breached: Option<bool>,
    /// Breaches counted by the vehicle.
    pub fence_breach_count: u16,
    /// The latest status texts, oldest first.
    pub status_texts: VecDeque<StatusText>,
    /// Status texts received in all (the `seq` of the latest), counting those dropped from
    /// `status_texts`.
    pub status_texts_received: u64,
    /// Link quality.
    pub link: LinkQuality,
    /// When the vehicle was last heard (session clock).
    pub last_heard: Option<Duration>,
    /// No message for the link-loss time: everything above is old.
    pub stale: bool,
    last_seq: Option<u8>,
}

impl VehicleState {
    /// An empty state for `system_id`/`component_id`.
    pub fn new(system_id: u8, component_id: u8) -> Self {
        Self {
            system_id,
            component_id,
            ..Self::default()
        }
    }

    /// Applies one message received at `now` with sequence number `seq`.
    pub fn apply(&mut self, now: Duration, seq: u8, msg: &MavMessage) {
        self.last_heard = Some(now);
        self.stale = false;
        self.link.received += 1;
        if let Some(prev) = self.last_seq {
            let gap = seq.wrapping_sub(prev).wrapping_sub(1);
            // A large jump is a reboot or a duplicate, not 200 lost messages.
            if gap < 128 {
                self.link.lost += u64::from(gap);
            }
        }
        self.last_seq = Some(seq);

        match msg {
            MavMessage::HEARTBEAT(h) => {
                if h.autopilot == MavAutopilot::MAV_AUTOPILOT_INVALID {
                    return;
                }
                let fw = Firmware::from_heartbeat(h.autopilot, h.mavtype);
                self.firmware = Some(fw);
                self.armed = h
                    .base_mode
                    .contains(MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED);
                self.custom_mode = Some(h.custom_mode);
                self.mode = Some(mode_name(fw, h.custom_mode));
            }
            MavMessage::GLOBAL_POSITION_INT(g) => {
                self.position = Some(Position {
                    lat_deg: f64::from(g.lat) * 1e-7,
                    lon_deg: f64::from(g.lon) * 1e-7,
                    alt_msl_m: f64::from(g.alt) * 1e-3,
                    alt_rel_m: f64::from(g.relative_alt) * 1e-3,
                });
                if g.hdg != u16::MAX {
                    self.heading_deg = Some(f32::from(g.hdg) / 100.0);
                }
            }
            MavMessage::ATTITUDE(a) => {
                self.attitude = Some(Attitude {
                    roll_deg: a.roll.to_degrees(),
                    pitch_deg: a.pitch.to_degrees(),
                    yaw_deg: a.yaw.to_degrees().rem_euclid(360.0),
                })
            }
            MavMessage::VFR_HUD(v) => {
                self.groundspeed_mps = Some(v.groundspeed);
                self.airspeed_mps = Some(v.airspeed);
                self.climb_mps = Some(v.climb);
                self.heading_deg = Some(f32::from(v.heading));
            }
            MavMessage::SYS_STATUS(s) => {
                self.battery = Some(Battery {
                    voltage_v: f32::from(s.voltage_battery) / 1000.0,
                    current_a: (s.current_battery >= 0)
                        .then(|| f32::from(s.current_battery) / 100.0),
                    remaining_pct: u8::try_from(s.battery_remaining).ok(),
                })
            }
            MavMessage::GPS_RAW_INT(g) => {
                self.gps = Some(Gps {
                    fix_type: g.fix_type as u32 as u8,
                    satellites: g.satellites_visible,
                    hdop: (g.eph != u16::MAX).then(|| f32::from(g.eph) / 100.0),
                })
            }
            MavMessage::HOME_POSITION(h) => {
                self.home = Some(Position {
                    lat_deg: f64::from(h.latitude) * 1e-7,
                    lon_deg: f64::from(h.longitude) * 1e-7,
                    alt_msl_m: f64::from(h.altitude) * 1e-3,
                    alt_rel_m: 0.0,
                })
            }
            MavMessage::MISSION_CURRENT(m) => self.mission_current = Some(m.seq),
            MavMessage::MISSION_ITEM_REACHED(m) => self.mission_reached = Some(m.seq),
            MavMessage::FENCE_STATUS(f) => {
                self.fence_breached = Some(f.breach_status != 0);
                self.fence_breach_count = f.breach_count;
            }
            MavMessage::STATUSTEXT(t) => {
                let text = t.text.to_str().unwrap_or("").trim_end().to_string();
                if self.status_texts.len() == TEXTS_KEPT {
                    self.status_texts.pop_front();
                }
                self.status_texts_received += 1;
                self.status_texts.push_back(StatusText {
                    at: now,
                    severity: severity(t.severity),
                    text,
                    seq: self.status_texts_received,
                });
            }
            _ => {}
        }
    }

    /// The kept status texts numbered after `seen` (a `status_texts_received` read earlier),
    /// oldest first. Texts already dropped from the buffer are not returned.
    pub fn texts_after(&self, seen: u64) -> impl Iterator<Item = &StatusText> {
        self.status_texts.iter().filter(move |t| t.seq > seen)
    }

    /// Marks the state stale when nothing was heard for `limit`; returns whether it changed.
    pub fn check_stale(&mut self, now: Duration, limit: Duration) -> bool {
        let stale = self
            .last_heard
            .is_none_or(|t| now.saturating_sub(t) >= limit);
        let changed = stale != self.stale;
        self.stale = stale;
        changed
    }
}

fn severity(s: MavSeverity) -> u8 {
    s as u32 as u8
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use mavlink::dialects::ardupilotmega::*;

    #[test]
    fn telemetry_fills_the_state_and_silence_makes_it_stale() {
        let mut s = VehicleState::new(1, 1);
        let ms = Duration::from_millis;
        s.apply(
            ms(0),
            10,
            &MavMessage::HEARTBEAT(HEARTBEAT_DATA {
                custom_mode: 3,
                mavtype: MavType::MAV_TYPE_QUADROTOR,
                autopilot: MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA,
                base_mode: MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED
                    | MavModeFlag::MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
                system_status: MavState::MAV_STATE_ACTIVE,
                mavlink_version: 3,
            }),
        );
        s.apply(
            ms(100),
            13,
            &MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
                time_boot_ms: 0,
                lat: -353_632_610,
                lon: 1_491_652_300,
                alt: 614_500,
                relative_alt: 30_500,
                vx: 0,
                vy: 0,
                vz: 0,
                hdg: 27_000,
            }),
        );
        s.apply(
            ms(200),
            14,
            &MavMessage::STATUSTEXT(STATUSTEXT_DATA {
                severity: MavSeverity::MAV_SEVERITY_WARNING,
                text: "Polygon fence breached".into(),
                id: 0,
                chunk_seq: 0,
            }),
        );
        assert!(s.armed);
        assert_eq!(s.mode.as_deref(), Some("AUTO"));
        let p = s.position.unwrap();
        assert!((p.lat_deg + 35.363_261).abs() < 1e-9 && p.alt_rel_m == 30.5);
        assert_eq!(s.heading_deg, Some(270.0));
        assert_eq!(s.status_texts[0].text, "Polygon fence breached");
        assert_eq!(s.status_texts[0].severity, 4);
        assert_eq!((s.link.received, s.link.lost), (3, 2));
        assert!((s.link.loss() - 0.4).abs() < 1e-12);
        assert!(!s.check_stale(ms(3100), Duration::from_secs(3)));
        assert!(s.check_stale(ms(3200), Duration::from_secs(3)));
        assert!(s.stale);
    }

    fn text(s: &str) -> MavMessage {
        MavMessage::STATUSTEXT(STATUSTEXT_DATA {
            severity: MavSeverity::MAV_SEVERITY_INFO,
            text: s.into(),
            id: 0,
            chunk_seq: 0,
        })
    }

    #[test]
    fn texts_after_keeps_finding_new_texts_once_the_buffer_is_full() {
        let ms = Duration::from_millis;
        let mut s = VehicleState::new(1, 1);
        let mut seen = s.status_texts_received;
        let mut printed = Vec::new();
        for i in 0..100u8 {
            s.apply(ms(u64::from(i)), i, &text(&format!("t{i}")));
            if i % 3 == 0 {
                printed.extend(s.texts_after(seen).map(|t| t.text.clone()));
                seen = s.status_texts_received;
            }
        }
        printed.extend(s.texts_after(seen).map(|t| t.text.clone()));
        let want: Vec<_> = (0..100).map(|i| format!("t{i}")).collect();
        assert_eq!(printed, want);
        assert_eq!(s.status_texts.len(), TEXTS_KEPT);
        assert_eq!(s.status_texts_received, 100);
        assert_eq!(s.status_texts.back().map(|t| t.seq), Some(100));
        // Two texts in the same millisecond are both new.
        s.apply(ms(500), 100, &text("Arm: a"));
        s.apply(ms(500), 101, &text("Arm: b"));
        let new: Vec<_> = s.texts_after(100).map(|t| t.text.as_str()).collect();
        assert_eq!(new, ["Arm: a", "Arm: b"]);
    }
}
