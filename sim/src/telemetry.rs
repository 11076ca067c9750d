//! Telemetry schedules: nothing but HEARTBEAT until a ground station asks, then per-message rates
//! from SET_MESSAGE_INTERVAL and REQUEST_DATA_STREAM with ArduCopter's stream groupings.

use std::collections::BTreeMap;

use mavlink::dialects::ardupilotmega::MavDataStream;

/// Message ids the simulator can send periodically.
pub mod id {
    /// HEARTBEAT.
    pub const HEARTBEAT: u32 = 0;
    /// SYS_STATUS.
    pub const SYS_STATUS: u32 = 1;
    /// SYSTEM_TIME.
    pub const SYSTEM_TIME: u32 = 2;
    /// GPS_RAW_INT.
    pub const GPS_RAW_INT: u32 = 24;
    /// ATTITUDE.
    pub const ATTITUDE: u32 = 30;
    /// GLOBAL_POSITION_INT.
    pub const GLOBAL_POSITION_INT: u32 = 33;
    /// MISSION_CURRENT.
    pub const MISSION_CURRENT: u32 = 42;
    /// NAV_CONTROLLER_OUTPUT.
    pub const NAV_CONTROLLER_OUTPUT: u32 = 62;
    /// VFR_HUD.
    pub const VFR_HUD: u32 = 74;
    /// BATTERY_STATUS.
    pub const BATTERY_STATUS: u32 = 147;
    /// AUTOPILOT_VERSION.
    pub const AUTOPILOT_VERSION: u32 = 148;
    /// FENCE_STATUS.
    pub const FENCE_STATUS: u32 = 162;
    /// HOME_POSITION.
    pub const HOME_POSITION: u32 = 242;
    /// EXTENDED_SYS_STATE.
    pub const EXTENDED_SYS_STATE: u32 = 245;
}

/// The messages in one of ArduCopter's stream groups (what REQUEST_DATA_STREAM switches on).
pub fn stream_members(stream: MavDataStream) -> &'static [u32] {
    use id::*;
    match stream {
        MavDataStream::MAV_DATA_STREAM_EXTENDED_STATUS => &[
            SYS_STATUS,
            MISSION_CURRENT,
            GPS_RAW_INT,
            NAV_CONTROLLER_OUTPUT,
            FENCE_STATUS,
            EXTENDED_SYS_STATE,
        ],
        MavDataStream::MAV_DATA_STREAM_POSITION => &[GLOBAL_POSITION_INT],
        MavDataStream::MAV_DATA_STREAM_EXTRA1 => &[ATTITUDE],
        MavDataStream::MAV_DATA_STREAM_EXTRA2 => &[VFR_HUD],
        MavDataStream::MAV_DATA_STREAM_EXTRA3 => &[BATTERY_STATUS, SYSTEM_TIME],
        _ => &[],
    }
}

/// Every stream group with members, for MAV_DATA_STREAM_ALL.
pub const ALL_STREAMS: [MavDataStream; 5] = [
    MavDataStream::MAV_DATA_STREAM_EXTENDED_STATUS,
    MavDataStream::MAV_DATA_STREAM_POSITION,
    MavDataStream::MAV_DATA_STREAM_EXTRA1,
    MavDataStream::MAV_DATA_STREAM_EXTRA2,
    MavDataStream::MAV_DATA_STREAM_EXTRA3,
];

/// True for the ids `Telemetry` may schedule.
pub fn schedulable(msg_id: u32) -> bool {
    use id::*;
    matches!(
        msg_id,
        SYS_STATUS
            | SYSTEM_TIME
            | GPS_RAW_INT
            | ATTITUDE
            | GLOBAL_POSITION_INT
            | MISSION_CURRENT
            | NAV_CONTROLLER_OUTPUT
            | VFR_HUD
            | BATTERY_STATUS
            | FENCE_STATUS
            | HOME_POSITION
            | EXTENDED_SYS_STATE
            | AUTOPILOT_VERSION
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Schedule {
    interval_us: u64,
    next_us: u64,
}

/// Per-message send intervals; empty at boot, as on ArduPilot SITL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Telemetry {
    schedules: BTreeMap<u32, Schedule>,
    /// Rate of each stream group last requested with REQUEST_DATA_STREAM (its "default").
    stream_rates_hz: BTreeMap<u32, u16>,
}

impl Telemetry {
    /// Send `msg_id` every `interval_us` from `now_us` on, or stop it with None.
    pub fn set_interval(&mut self, msg_id: u32, interval_us: Option<u64>, now_us: u64) {
        match interval_us {
            Some(i) if i > 0 => {
                self.schedules.insert(
                    msg_id,
                    Schedule {
                        interval_us: i,
                        next_us: now_us,
                    },
                );
            }
            _ => {
                self.schedules.remove(&msg_id);
            }
        }
    }

    /// SET_MESSAGE_INTERVAL's interval 0: back to the rate of the message's stream group (as
    /// last requested), or off when the group was never requested.
    pub fn set_default_interval(&mut self, msg_id: u32, now_us: u64) {
        let rate = ALL_STREAMS
            .iter()
            .find(|&&s| stream_members(s).contains(&msg_id))
            .and_then(|&s| self.stream_rates_hz.get(&(s as u32)).copied())
            .unwrap_or(0);
        let interval = (rate > 0).then(|| 1_000_000 / u64::from(rate));
        self.set_interval(msg_id, interval, now_us);
    }

    /// The interval of `msg_id`, if it is being sent.
    pub fn interval_us(&self, msg_id: u32) -> Option<u64> {
        self.schedules.get(&msg_id).map(|s| s.interval_us)
    }

    /// REQUEST_DATA_STREAM: a stream group (or all) at `rate_hz`, 0 to stop.
    pub fn request_stream(
        &mut self,
        stream: MavDataStream,
        rate_hz: u16,
        start: bool,
        now_us: u64,
    ) {
        let streams: &[MavDataStream] = if stream == MavDataStream::MAV_DATA_STREAM_ALL {
            &ALL_STREAMS
        } else {
            std::slice::from_ref(&stream)
        };
        let interval = (start && rate_hz > 0).then(|| 1_000_000 / u64::from(rate_hz.min(50)));
        for &s in streams {
            self.stream_rates_hz
                .insert(s as u32, if start { rate_hz.min(50) } else { 0 });
            for &m in stream_members(s) {
                self.set_interval(m, interval, now_us);
            }
        }
    }

    /// The ids due at `now_us`, in id order; their next times move on by one interval (without
    /// bursts after a long step).
    pub fn due(&mut self, now_us: u64, out: &mut Vec<u32>) {
        for (&msg_id, s) in self.schedules.iter_mut() {
            if s.next_us <= now_us {
                out.push(msg_id);
                s.next_us += s.interval_us;
                if s.next_us <= now_us {
                    s.next_us = now_us + s.interval_us;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_follow_requested_rates() {
        let mut t = Telemetry::default();
        let mut due = Vec::new();
        t.due(0, &mut due);
        assert!(due.is_empty(), "nothing before a request");
        t.request_stream(MavDataStream::MAV_DATA_STREAM_POSITION, 4, true, 0);
        let mut count = 0;
        for ms in (0..1000).step_by(10) {
            due.clear();
            t.due(ms * 1000, &mut due);
            count += due
                .iter()
                .filter(|&&m| m == id::GLOBAL_POSITION_INT)
                .count();
        }
        assert_eq!(count, 4);
        t.set_interval(id::GLOBAL_POSITION_INT, Some(50_000), 0);
        t.set_default_interval(id::GLOBAL_POSITION_INT, 0);
        assert_eq!(
            t.interval_us(id::GLOBAL_POSITION_INT),
            Some(250_000),
            "back to the 4 Hz stream"
        );
        t.set_default_interval(id::ATTITUDE, 0);
        assert_eq!(
            t.interval_us(id::ATTITUDE),
            None,
            "its stream was never asked for"
        );
        t.request_stream(MavDataStream::MAV_DATA_STREAM_ALL, 0, false, 0);
        assert_eq!(t.interval_us(id::GLOBAL_POSITION_INT), None);
    }
}
