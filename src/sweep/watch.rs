//! The ground watch during a sweep: every vehicle's track and battery from telemetry, its
//! status texts, and the fence monitor's graded alarms (kept, and appended to the event log).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use tokio::sync::{broadcast, oneshot};

use super::coverage::TrackPoint;
use super::flight::SweepClock;
use crate::area::LocalFrame;
use crate::fence::{AlarmEvent, EventLog, Fence, Monitor, MonitorConfig, TelemetryFeed};
use crate::link::MavMessage;
use crate::link::session::Link;
use crate::mission::LatLon;

/// What the watch saw of one vehicle.
#[derive(Debug, Clone, Default)]
pub(crate) struct VehicleWatch {
    pub track: Vec<TrackPoint>,
    pub last_battery_pct: Option<f64>,
    /// Charge used over every sortie, percent (a fresh battery between sorties adds nothing).
    pub battery_used_pct: f64,
    pub status_texts: Vec<(f64, String)>,
    /// Vehicle reboots noticed (its boot clock went back).
    pub reboots: usize,
    pub max_alt_rel_m: f64,
    pub distance_m: f64,
    /// The vehicle's own breach count (FENCE_STATUS).
    pub fence_breaches: u16,
    last_boot_ms: Option<u32>,
    /// Offset added to the vehicle's boot clock so that its time keeps rising across reboots.
    boot_offset_s: f64,
}

/// Everything the watch saw.
#[derive(Debug, Clone, Default)]
pub(crate) struct Watched {
    pub vehicles: BTreeMap<u8, VehicleWatch>,
    pub alarm_events: Vec<AlarmEvent>,
    pub event_log_error: Option<String>,
}

/// A running watch.
#[derive(Debug)]
pub(crate) struct Watcher {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Watched>,
}

impl Watcher {
    /// Starts watching `link`; monitor time is `clock` (the vehicles' clock).
    pub fn start(
        link: &Link,
        fence: &Fence,
        frame: LocalFrame,
        cfg: MonitorConfig,
        event_log: &Path,
        clock: SweepClock,
    ) -> Self {
        let mut rx = link.subscribe();
        let mut monitor = Monitor::new(fence, frame, cfg);
        let mut log = EventLog::open(event_log);
        let (stop, mut stop_rx) = oneshot::channel();
        let task = tokio::spawn(async move {
            let mut w = Watched::default();
            if let Err(e) = &log {
                w.event_log_error = Some(e.to_string());
            }
            let mut feed = TelemetryFeed::default();
            let mut homes_set: Vec<u8> = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_millis(50));
            loop {
                let now_s = clock.now_s();
                let events = tokio::select! {
                    _ = &mut stop_rx => break,
                    _ = tick.tick() => monitor.on_tick(now_s),
                    r = rx.recv() => match r {
                        Ok(((sys, _comp), msg)) => {
                            on_message(&mut w, &frame, now_s, sys, &msg);
                            if let MavMessage::HOME_POSITION(h) = &msg
                                && !homes_set.contains(&sys)
                            {
                                monitor.set_home(sys, LatLon {
                                    lat_deg: f64::from(h.latitude) * 1e-7,
                                    lon_deg: f64::from(h.longitude) * 1e-7,
                                });
                                homes_set.push(sys);
                            }
                            // ArduPilot reports 0,0 until its EKF has a position: no sample.
                            let unplaced = matches!(&msg, MavMessage::GLOBAL_POSITION_INT(p)
                                if p.lat == 0 && p.lon == 0);
                            match feed.on_message(now_s, sys, &msg).filter(|_| !unplaced) {
                                Some(sample) => monitor.on_sample(&sample),
                                None => Vec::new(),
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!(missed = n, "sweep watch fell behind the link");
                            Vec::new()
                        }
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                };
                if !events.is_empty() {
                    if let Ok(l) = &mut log
                        && let Err(e) = l.append(&events)
                    {
                        w.event_log_error = Some(e.to_string());
                    }
                    w.alarm_events.extend(events);
                }
            }
            w
        });
        Self { stop, task }
    }

    /// Stops the watch and returns what it saw.
    pub async fn stop(self) -> Watched {
        let _ = self.stop.send(());
        self.task.await.unwrap_or_default()
    }
}

fn on_message(w: &mut Watched, frame: &LocalFrame, now_s: f64, sys: u8, msg: &MavMessage) {
    let v = w.vehicles.entry(sys).or_default();
    match msg {
        MavMessage::GLOBAL_POSITION_INT(p) => {
            // ArduPilot reports 0,0 until its EKF has a position.
            if p.lat == 0 && p.lon == 0 {
                return;
            }
            if let Some(last) = v.last_boot_ms
                && p.time_boot_ms + 10_000 < last
            {
                v.reboots += 1;
                v.boot_offset_s = v.track.last().map_or(0.0, |t| t.time_s + 1.0);
            }
            v.last_boot_ms = Some(p.time_boot_ms);
            let (east_m, north_m) =
                frame.to_local(f64::from(p.lon) * 1e-7, f64::from(p.lat) * 1e-7);
            let alt_rel_m = f64::from(p.relative_alt) * 1e-3;
            let time_s = v.boot_offset_s + f64::from(p.time_boot_ms) * 1e-3;
            // Duplicates and late frames (a lossy, reordering link) are not part of the track.
            if v.track.last().is_some_and(|t| t.time_s >= time_s) {
                return;
            }
            if let Some(t) = v.track.last()
                && alt_rel_m > 1.0
            {
                v.distance_m += (t.east_m - east_m).hypot(t.north_m - north_m);
            }
            v.max_alt_rel_m = v.max_alt_rel_m.max(alt_rel_m);
            v.track.push(TrackPoint {
                time_s,
                east_m,
                north_m,
                alt_rel_m,
            });
        }
        MavMessage::SYS_STATUS(s) if s.battery_remaining >= 0 => {
            let pct = f64::from(s.battery_remaining);
            if let Some(last) = v.last_battery_pct {
                v.battery_used_pct += (last - pct).max(0.0);
            }
            v.last_battery_pct = Some(pct);
        }
        MavMessage::STATUSTEXT(t) => {
            let text: String = String::from_utf8_lossy(&t.text.to_vec())
                .trim_end_matches('\0')
                .to_string();
            v.status_texts.push((now_s, text));
        }
        MavMessage::FENCE_STATUS(f) => {
            v.fence_breaches = v.fence_breaches.max(f.breach_count);
        }
        _ => {}
    }
}
