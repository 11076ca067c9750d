//! The ground monitor as a link transaction: run by `Link::run` alongside any other, it feeds
//! every message through a [`TelemetryFeed`] into a [`Monitor`], ticks for link loss, hands each
//! alarm event to a callback and the alarm log, and picks up live fence changes at once.
//!
//! ```no_run
//! # async fn demo(fence: vigil::fence::Fence) -> Result<(), Box<dyn std::error::Error>> {
//! use vigil::fence::{AlarmWatch, EventLog, Monitor, MonitorConfig};
//! use vigil::link::session::{Link, LinkConfig};
//! let link = Link::open("udpin:0.0.0.0:14550", LinkConfig::default()).await?;
//! let frame = fence.local_frame().expect("a fence with areas");
//! let watch = AlarmWatch::new(Monitor::new(&fence, frame, MonitorConfig::default()))
//!     .with_log(EventLog::open("flight.alarms.jsonl".as_ref())?)
//!     .on_event(|e| println!("{e}"));
//! link.run(watch).await?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use tokio::sync::watch;

use super::alarm::AlarmEvent;
use super::eventlog::EventLog;
use super::feed::TelemetryFeed;
use super::model::Fence;
use super::monitor::Monitor;
use crate::link::{MavMessage, Transaction};
use crate::mission::LatLon;

/// How often link loss and crowd timeouts are checked without telemetry.
pub const WATCH_TICK: Duration = Duration::from_millis(500);

type EventSink = Box<dyn FnMut(&AlarmEvent) + Send>;

/// The monitor run as a link transaction; it never asks the vehicle for anything.
pub struct AlarmWatch {
    feed: TelemetryFeed,
    monitor: Monitor,
    home: Option<LatLon>,
    homed: Vec<u8>,
    log: Option<EventLog>,
    sink: Option<EventSink>,
    fence_updates: Option<watch::Receiver<Fence>>,
    duration: Option<Duration>,
    until: Option<Duration>,
    next_tick: Duration,
    events: usize,
    done: Option<Result<usize, String>>,
}

impl std::fmt::Debug for AlarmWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlarmWatch")
            .field("monitor", &self.monitor)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

impl AlarmWatch {
    /// A watch running `monitor` until the link closes.
    pub fn new(monitor: Monitor) -> Self {
        Self {
            feed: TelemetryFeed::default(),
            monitor,
            home: None,
            homed: Vec::new(),
            log: None,
            sink: None,
            fence_updates: None,
            duration: None,
            until: None,
            next_tick: Duration::ZERO,
            events: 0,
            done: None,
        }
    }

    /// Appends every event to `log`.
    pub fn with_log(mut self, log: EventLog) -> Self {
        self.log = Some(log);
        self
    }

    /// Calls `f` with every event (to print it, show it, or execute its automatic action).
    pub fn on_event(mut self, f: impl FnMut(&AlarmEvent) + Send + 'static) -> Self {
        self.sink = Some(Box::new(f));
        self
    }

    /// Home of every vehicle heard (battery alarms use the distance to it).
    pub fn with_home(mut self, home: LatLon) -> Self {
        self.home = Some(home);
        self
    }

    /// Live fence changes (a zone added or moved): each new value is watched from the next
    /// message on.
    pub fn with_fence_updates(mut self, rx: watch::Receiver<Fence>) -> Self {
        self.fence_updates = Some(rx);
        self
    }

    /// Ends the watch after `d`.
    pub fn for_duration(mut self, d: Duration) -> Self {
        self.duration = Some(d);
        self
    }

    /// The monitor (its alarms and readings).
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    fn emit(&mut self, events: Vec<AlarmEvent>) {
        if events.is_empty() {
            return;
        }
        if let Some(sink) = &mut self.sink {
            for e in &events {
                sink(e);
            }
        }
        self.events += events.len();
        if let Some(log) = &mut self.log
            && let Err(e) = log.append(&events)
        {
            self.done = Some(Err(e.to_string()));
        }
    }

    fn check_end(&mut self, now: Duration) {
        if self.done.is_none() && self.until.is_some_and(|u| now >= u) {
            self.done = Some(Ok(self.events));
        }
    }

    fn follow_fence(&mut self) {
        if let Some(rx) = &mut self.fence_updates
            && rx.has_changed().unwrap_or(false)
        {
            let fence = rx.borrow_and_update().clone();
            self.monitor.set_fence(&fence);
        }
    }
}

impl Transaction for AlarmWatch {
    /// The number of alarm events, or why the alarm log could not be written.
    type Output = Result<usize, String>;

    fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        self.next_tick = now + WATCH_TICK;
        self.until = self.duration.map(|d| now + d);
        Vec::new()
    }

    fn on_message(&mut self, now: Duration, from: (u8, u8), msg: &MavMessage) -> Vec<MavMessage> {
        if self.done.is_some() {
            return Vec::new();
        }
        self.follow_fence();
        if let Some(s) = self.feed.on_message(now.as_secs_f64(), from.0, msg) {
            if let Some(h) = self.home
                && !self.homed.contains(&s.vehicle)
            {
                self.monitor.set_home(s.vehicle, h);
                self.homed.push(s.vehicle);
            }
            let ev = self.monitor.on_sample(&s);
            self.emit(ev);
        }
        self.check_end(now);
        Vec::new()
    }

    fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        if self.done.is_none() {
            self.follow_fence();
            let ev = self.monitor.on_tick(now.as_secs_f64());
            self.emit(ev);
            self.next_tick = now + WATCH_TICK;
            self.check_end(now);
        }
        Vec::new()
    }

    fn deadline(&self) -> Option<Duration> {
        self.done.is_none().then_some(self.next_tick)
    }

    fn outcome(&self) -> Option<&Self::Output> {
        self.done.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use mavlink::dialects::ardupilotmega::{
        GLOBAL_POSITION_INT_DATA, HEARTBEAT_DATA, MavAutopilot, MavModeFlag, MavState, MavType,
    };

    use super::*;
    use crate::area::LocalFrame;
    use crate::fence::{AlarmKind, FenceArea, FenceShape, Grade, Lifecycle, MonitorConfig};

    fn position(frame: &LocalFrame, east_m: f64) -> MavMessage {
        let (lon, lat) = frame.to_wgs84(east_m, 0.0);
        MavMessage::GLOBAL_POSITION_INT(GLOBAL_POSITION_INT_DATA {
            lat: (lat * 1e7).round() as i32,
            lon: (lon * 1e7).round() as i32,
            relative_alt: 20_000,
            ..GLOBAL_POSITION_INT_DATA::default()
        })
    }

    #[test]
    fn events_reach_the_callback_live_zones_apply_and_silence_is_link_loss() {
        let frame = LocalFrame::new(149.1652, -35.3632);
        let monitor = Monitor::new(&Fence::default(), frame, MonitorConfig::default());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let (tx, rx) = watch::channel(Fence::default());
        let mut w = AlarmWatch::new(monitor)
            .on_event(move |e| {
                if let Ok(mut v) = sink.lock() {
                    v.push((e.event, e.kind.clone(), e.grade));
                }
            })
            .with_fence_updates(rx)
            .for_duration(Duration::from_secs(20));
        let hb = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            custom_mode: 4,
            mavtype: MavType::MAV_TYPE_QUADROTOR,
            autopilot: MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA,
            base_mode: MavModeFlag::MAV_MODE_FLAG_SAFETY_ARMED,
            system_status: MavState::MAV_STATE_ACTIVE,
            mavlink_version: 3,
        });
        let s = Duration::from_secs;
        assert!(w.start(s(0)).is_empty());
        assert_eq!(w.deadline(), Some(WATCH_TICK));
        w.on_message(s(1), (1, 1), &hb);
        w.on_message(s(1), (1, 1), &position(&frame, 0.0));

        // A crowd zone 10 m east of the vehicle, sent while the watch runs.
        let mut live = Fence::default();
        live.areas.push(FenceArea {
            name: "crowd".into(),
            inclusion: false,
            shape: FenceShape::Circle {
                center: {
                    let (lon, lat) = frame.to_wgs84(10.0, 0.0);
                    LatLon {
                        lat_deg: lat,
                        lon_deg: lon,
                    }
                },
                radius_m: 15.0,
            },
        });
        tx.send_replace(live);
        w.on_message(s(2), (1, 1), &position(&frame, 0.0));
        w.on_tick(s(8));
        w.on_tick(s(20));
        assert_eq!(w.outcome(), Some(&Ok(2)));
        assert_eq!(w.deadline(), None);

        let got = seen.lock().map(|v| v.clone()).unwrap_or_default();
        let crowd = AlarmKind::Fence {
            area: "crowd".into(),
        };
        assert_eq!(
            got,
            [
                (Lifecycle::Raised, crowd, Grade::Orange),
                // Silent since 2 s, 5 m inside the zone: red.
                (Lifecycle::Raised, AlarmKind::LinkLost, Grade::Red),
            ]
        );
    }
}
