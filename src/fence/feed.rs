//! MAVLink telemetry to monitor samples (sans IO): keeps the latest mode, battery, GPS, EKF and
//! fence status per vehicle and emits a [`TelemetrySample`] on every `GLOBAL_POSITION_INT`.

use mavlink::dialects::ardupilotmega::{EkfStatusFlags, MavModeFlag, MavSysStatusSensor};

use super::monitor::{SamplePosition, TelemetrySample};
use crate::link::MavMessage;
use crate::link::modes::{Firmware, mode_name};
use crate::mission::LatLon;

#[derive(Debug, Clone, Default)]
struct Latest {
    mode: Option<String>,
    armed: bool,
    battery_pct: Option<f64>,
    gps_fix: Option<u8>,
    ekf_ok: Option<bool>,
    fence_breached: Option<bool>,
    /// EKF_STATUS_REPORT seen: it, not SYS_STATUS's AHRS health, says whether the EKF is good.
    ekf_reported: bool,
}

/// Turns a vehicle's MAVLink messages into monitor samples.
#[derive(Debug, Clone, Default)]
pub struct TelemetryFeed {
    vehicles: Vec<(u8, Latest)>,
}

impl TelemetryFeed {
    /// Feeds one message from system `from` received at `time_s`; returns a sample when the
    /// message carries a position.
    pub fn on_message(
        &mut self,
        time_s: f64,
        from: u8,
        msg: &MavMessage,
    ) -> Option<TelemetrySample> {
        let i = match self.vehicles.iter().position(|(v, _)| *v == from) {
            Some(i) => i,
            None => {
                self.vehicles.push((from, Latest::default()));
                self.vehicles.len() - 1
            }
        };
        let l = &mut self.vehicles[i].1;
        match msg {
            MavMessage::HEARTBEAT(h) => {
                // Ground stations and cameras send heartbeats too; only autopilots have modes.
                let fw = Firmware::from_heartbeat(h.autopilot, h.mavtype);
                if fw != Firmware::Other {
                    l.mode = Some(mode_name(fw, h.custom_mode));
                    l.armed = h
                        .base_mode
                        .contains(MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED);
                }
                None
            }
            MavMessage::SYS_STATUS(s) => {
                if s.battery_remaining >= 0 {
                    l.battery_pct = Some(f64::from(s.battery_remaining));
                }
                let ahrs = MavSysStatusSensor::MAV_SYS_STATUS_AHRS;
                if s.onboard_control_sensors_present.contains(ahrs) && !l.ekf_reported {
                    l.ekf_ok = Some(s.onboard_control_sensors_health.contains(ahrs));
                }
                None
            }
            MavMessage::EKF_STATUS_REPORT(e) => {
                let need = EkfStatusFlags::EKF_ATTITUDE
                    | EkfStatusFlags::EKF_VELOCITY_HORIZ
                    | EkfStatusFlags::EKF_POS_HORIZ_ABS;
                l.ekf_ok = Some(e.flags.contains(need));
                l.ekf_reported = true;
                None
            }
            MavMessage::GPS_RAW_INT(g) => {
                l.gps_fix = Some(g.fix_type as u8);
                None
            }
            MavMessage::FENCE_STATUS(f) => {
                l.fence_breached = Some(f.breach_status != 0);
                None
            }
            MavMessage::GLOBAL_POSITION_INT(p) => {
                // Before a position estimate ArduPilot sends zeros.
                if p.lat == 0 && p.lon == 0 {
                    return None;
                }
                Some(TelemetrySample {
                    vehicle: from,
                    time_s,
                    position: SamplePosition::LatLon(LatLon {
                        lat_deg: f64::from(p.lat) * 1e-7,
                        lon_deg: f64::from(p.lon) * 1e-7,
                    }),
                    alt_rel_m: f64::from(p.relative_alt) * 1e-3,
                    // NED centimetres per second → east, north, up metres per second.
                    velocity_mps: [
                        f64::from(p.vy) * 0.01,
                        f64::from(p.vx) * 0.01,
                        -f64::from(p.vz) * 0.01,
                    ],
                    battery_pct: l.battery_pct,
                    gps_fix: l.gps_fix,
                    ekf_ok: l.ekf_ok,
                    mode: l.mode.clone(),
                    fence_breached: l.fence_breached,
                    armed: l.armed,
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mavlink::dialects::ardupilotmega::{
        FENCE_STATUS_DATA, GLOBAL_POSITION_INT_DATA, GPS_RAW_INT_DATA, GpsFixType, HEARTBEAT_DATA,
        MavAutopilot, MavState, MavType,
    };

    #[test]
    fn a_position_becomes_a_sample_with_the_latest_status() {
        let mut feed = TelemetryFeed::default();
        let hb = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            custom_mode: 6,
            mavtype: MavType::MAV_TYPE_QUADROTOR,
            autopilot: MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA,
            base_mode: MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED
                | MavModeFlag::MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
            system_status: MavState::MAV_STATE_ACTIVE,
            mavlink_version: 3,
        });
        assert_eq!(feed.on_message(1.0, 3, &hb), None);
        let gps = MavMessage::GPS_RAW_INT(GPS_RAW_INT_DATA {
            fix_type: GpsFixType::GPS_FIX_TYPE_2D_FIX,
            ..GPS_RAW_INT_DATA::default()
        });
        feed.on_message(1.1, 3, &gps);
        let fence = MavMessage::FENCE_STATUS(FENCE_STATUS_DATA {
            breach_status: 1,
            ..FENCE_STATUS_DATA::default()
        });
        feed.on_message(1.2, 3, &fence);
        let pos = MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
            lat: -353_632_610,
            lon: 1_491_652_300,
            relative_alt: 25_500,
            vx: 120,
            vy: -340,
            vz: -50,
            ..GLOBAL_POSITION_INT_DATA::default()
        });
        let s = feed.on_message(1.3, 3, &pos).expect("a sample");
        assert_eq!((s.vehicle, s.time_s, s.alt_rel_m), (3, 1.3, 25.5));
        // NED cm/s → east, north, up m/s.
        assert_eq!(s.velocity_mps, [-3.4, 1.2, 0.5]);
        assert_eq!(s.mode.as_deref(), Some("RTL"));
        assert!(s.armed);
        assert_eq!((s.gps_fix, s.fence_breached), (Some(2), Some(true)));
        // Another vehicle's status does not leak into it.
        let other = feed.on_message(1.4, 4, &pos).expect("a sample");
        assert_eq!((other.mode, other.gps_fix), (None, None));
    }
}
