//! The Fly panel's link: a tokio runtime beside the UI that opens a [`Link`], keeps each
//! vehicle's state as a watch stream the UI reads every frame, uploads missions with progress
//! and sends the commands that move a drone. Optionally starts the bundled simulator
//! (`vigil-sim`) in-process on a local TCP port, for the first run and for tests.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::link::command::{Command, CommandConfig};
use crate::link::modes::{Firmware, mode_number};
use crate::link::ops::{arm_with_patience, command, home_item_for, upload_lists, verified_upload};
use crate::link::session::{Link, LinkConfig};
use crate::link::state::VehicleState;
use crate::link::{Target, TransferConfig};
use crate::mission::Mission;

use super::model::{LogLevel, VehicleView};

/// A command that makes a drone move (each one needs the operator's confirmation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FlyCommand {
    /// GUIDED, then arm (retried while the autopilot refuses, up to 30 s).
    Arm,
    /// Take off to this altitude above home, metres.
    TakeOff { alt_m: f32 },
    /// Fly the uploaded mission (AUTO).
    Start,
    /// Return to launch.
    Return,
    /// Land where it is.
    Land,
}

impl FlyCommand {
    /// The command's name on its button.
    pub fn name(self) -> &'static str {
        match self {
            FlyCommand::Arm => "Arm",
            FlyCommand::TakeOff { .. } => "Take off",
            FlyCommand::Start => "Start mission",
            FlyCommand::Return => "Return",
            FlyCommand::Land => "Land",
        }
    }
}

enum Event {
    Connected(Link, Target),
    Log(LogLevel, String),
}

/// Upload progress: stage, items done, items in all, finished.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UploadProgress {
    pub stage: String,
    pub done: usize,
    pub total: usize,
    pub finished: bool,
    pub ok: bool,
}

/// The link to the vehicles (and the in-process simulator, when started).
pub struct FlySession {
    rt: tokio::runtime::Runtime,
    link: Option<Link>,
    states: Vec<(Target, watch::Receiver<VehicleState>)>,
    events_tx: mpsc::Sender<Event>,
    events_rx: mpsc::Receiver<Event>,
    /// Progress of the last upload.
    pub upload: Arc<Mutex<Option<UploadProgress>>>,
    sim_addr: Option<SocketAddr>,
    connecting: bool,
}

impl std::fmt::Debug for FlySession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlySession")
            .field("connected", &self.link.is_some())
            .field("vehicles", &self.states.len())
            .field("sim_addr", &self.sim_addr)
            .finish_non_exhaustive()
    }
}

impl FlySession {
    /// A session with its runtime and no link yet.
    pub fn new() -> std::io::Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("vigil-link")
            .enable_all()
            .build()?;
        let (events_tx, events_rx) = mpsc::channel();
        Ok(Self {
            rt,
            link: None,
            states: Vec::new(),
            events_tx,
            events_rx,
            upload: Arc::new(Mutex::new(None)),
            sim_addr: None,
            connecting: false,
        })
    }

    /// Starts the bundled simulator with one ArduCopter at `home` (lat, lon, ground altitude
    /// above mean sea level), `speedup` × real time, on a free local TCP port. Returns the
    /// connection string to reach it.
    pub fn start_sim(&mut self, home: (f64, f64, f64), speedup: f64) -> std::io::Result<String> {
        if let Some(a) = self.sim_addr {
            return Ok(format!("tcp:{a}"));
        }
        let cfg = vigil_sim::SimConfig::new(vigil_sim::GeoPoint::new(home.0, home.1, home.2));
        let harness = vigil_sim::Harness::new(cfg, vigil_sim::Impairment::none());
        let (addr, _task) = self.rt.block_on(vigil_sim::runner::spawn_tcp(
            harness,
            "127.0.0.1:0",
            speedup,
        ))?;
        self.sim_addr = Some(addr);
        Ok(format!("tcp:{addr}"))
    }

    /// Opens `conn` in the background; the first vehicle heard within 15 s is followed.
    pub fn connect(&mut self, conn: &str, repaint: Option<egui::Context>) {
        if self.connecting {
            return;
        }
        self.connecting = true;
        let tx = self.events_tx.clone();
        let conn = conn.to_string();
        self.rt.spawn(async move {
            let r = async {
                let link = Link::open(&conn, LinkConfig::default())
                    .await
                    .map_err(|e| format!("cannot open {conn}: {e}"))?;
                let target = link
                    .wait_vehicle(Duration::from_secs(15))
                    .await
                    .map_err(|e| format!("{conn}: {e}"))?;
                Ok::<_, String>((link, target))
            }
            .await;
            let _ = match r {
                Ok((link, target)) => tx.send(Event::Connected(link, target)),
                Err(e) => tx.send(Event::Log(LogLevel::Error, e)),
            };
            if let Some(c) = repaint {
                c.request_repaint();
            }
        });
    }

    /// Stops following the vehicles (the link's task ends when nothing holds it).
    pub fn disconnect(&mut self) {
        self.link = None;
        self.states.clear();
        self.connecting = false;
    }

    /// True once a vehicle has been heard.
    pub fn is_connected(&self) -> bool {
        self.link.is_some()
    }

    /// True while a connection is being opened.
    pub fn is_connecting(&self) -> bool {
        self.connecting && self.link.is_none()
    }

    /// The vehicles followed.
    pub fn targets(&self) -> Vec<Target> {
        self.states.iter().map(|(t, _)| *t).collect()
    }

    /// Takes in what the link reported since the last frame: log lines, and the current
    /// state of every vehicle.
    pub fn poll(&mut self) -> (Vec<(LogLevel, String)>, Vec<VehicleState>) {
        let mut logs = Vec::new();
        while let Ok(ev) = self.events_rx.try_recv() {
            match ev {
                Event::Connected(link, target) => {
                    logs.push((
                        LogLevel::Info,
                        format!("connected: vehicle {} heard", target.system),
                    ));
                    self.link = Some(link);
                    self.connecting = false;
                    let _ = target;
                }
                Event::Log(l, t) => {
                    if l == LogLevel::Error {
                        self.connecting = false;
                    }
                    logs.push((l, t));
                }
            }
        }
        if let Some(link) = &self.link {
            for t in link.vehicles() {
                if !self.states.iter().any(|(s, _)| *s == t)
                    && let Some(rx) = link.state(t)
                {
                    self.states.push((t, rx));
                }
            }
        }
        let states = self
            .states
            .iter()
            .map(|(_, rx)| rx.borrow().clone())
            .collect();
        (logs, states)
    }

    /// Uploads `mission` to `target` and reads it back; progress in [`FlySession::upload`].
    pub fn upload(&self, target: Target, mission: Mission) {
        let Some(link) = self.link.clone() else {
            return;
        };
        let firmware = self.firmware(target);
        let tx = self.events_tx.clone();
        let progress = self.upload.clone();
        if let Ok(mut p) = progress.lock() {
            *p = Some(UploadProgress::default());
        }
        self.rt.spawn(async move {
            let home_item = home_item_for(firmware);
            let result = async {
                let lists = upload_lists(&mission, false, false, home_item)
                    .map_err(|e| format!("mission upload: {e}"))?;
                for (kind, items) in lists {
                    let n = items.len();
                    let p2 = progress.clone();
                    verified_upload(
                        &link,
                        target,
                        kind,
                        items,
                        home_item,
                        TransferConfig::default(),
                        move |stage, done, total| {
                            if let Ok(mut p) = p2.lock() {
                                *p = Some(UploadProgress {
                                    stage: stage.to_string(),
                                    done,
                                    total,
                                    finished: false,
                                    ok: false,
                                });
                            }
                        },
                    )
                    .await
                    .map_err(|e| format!("{} upload: {e}", kind.name()))?;
                    let _ = tx.send(Event::Log(
                        LogLevel::Info,
                        format!("{}: {n} items uploaded and verified", kind.name()),
                    ));
                }
                Ok::<(), String>(())
            }
            .await;
            let ok = result.is_ok();
            if let Err(e) = result {
                let _ = tx.send(Event::Log(LogLevel::Error, e));
            }
            if let Ok(mut p) = progress.lock() {
                let mut done = p.clone().unwrap_or_default();
                done.finished = true;
                done.ok = ok;
                *p = Some(done);
            }
        });
    }

    fn firmware(&self, target: Target) -> Option<Firmware> {
        self.states
            .iter()
            .find(|(t, _)| *t == target)
            .and_then(|(_, rx)| rx.borrow().firmware)
    }

    /// Sends a command that moves the drone; the outcome arrives as a log line.
    pub fn command(&self, target: Target, cmd: FlyCommand) {
        let Some(link) = self.link.clone() else {
            return;
        };
        let firmware = self.firmware(target).unwrap_or(Firmware::Other);
        let ardupilot = matches!(firmware, Firmware::ArduCopter | Firmware::ArduPlane);
        let tx = self.events_tx.clone();
        self.rt.spawn(async move {
            let cfg = CommandConfig::default();
            let mode = |name: &str| {
                mode_number(firmware, name)
                    .map(Command::set_mode)
                    .ok_or_else(|| format!("{firmware:?} has no mode {name}"))
            };
            let r: Result<(), String> = async {
                match cmd {
                    FlyCommand::Arm => {
                        if ardupilot {
                            command(&link, target, "GUIDED", mode("GUIDED")?, cfg.clone())
                                .await
                                .map_err(|e| e.to_string())?;
                        }
                        arm_with_patience(
                            &link,
                            target,
                            cfg.clone(),
                            Duration::from_secs(30),
                            Duration::from_secs(2),
                            |_| {},
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    }
                    FlyCommand::TakeOff { alt_m } => {
                        command(&link, target, "take-off", Command::takeoff(alt_m), cfg)
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                    FlyCommand::Start => {
                        let c = if ardupilot {
                            mode("AUTO")?
                        } else {
                            Command::mission_start()
                        };
                        command(&link, target, "start", c, cfg)
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                    FlyCommand::Return => {
                        command(&link, target, "return", Command::return_to_launch(), cfg)
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                    FlyCommand::Land => {
                        command(&link, target, "land", Command::land(), cfg)
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                }
                Ok(())
            }
            .await;
            let _ = tx.send(match r {
                Ok(()) => Event::Log(
                    LogLevel::Info,
                    format!("vehicle {}: {} accepted", target.system, cmd.name()),
                ),
                Err(e) => Event::Log(
                    LogLevel::Error,
                    format!("vehicle {}: {} failed: {e}", target.system, cmd.name()),
                ),
            });
        });
    }
}

/// The map and HUD view of a vehicle's state; `prev` keeps its trail.
pub fn view_of(s: &VehicleState, prev: Option<&VehicleView>) -> Option<VehicleView> {
    let p = s.position?;
    if p.lat_deg == 0.0 && p.lon_deg == 0.0 {
        // Autopilots report 0, 0 before their first fix.
        return None;
    }
    let mut v = match prev {
        Some(old) => {
            let mut v = old.clone();
            if (old.lat_deg, old.lon_deg) != (p.lat_deg, p.lon_deg) {
                v.move_to(p.lat_deg, p.lon_deg);
            }
            v
        }
        None => VehicleView::new(s.system_id, p.lat_deg, p.lon_deg),
    };
    v.alt_m = p.alt_rel_m;
    v.heading_deg = s.heading_deg.map(f64::from).unwrap_or(v.heading_deg);
    v.ground_speed_mps = s.groundspeed_mps.map(f64::from).unwrap_or(0.0);
    v.mode = s.mode.clone().unwrap_or_else(|| "UNKNOWN".into());
    v.armed = s.armed;
    v.battery_pct = s.battery.and_then(|b| b.remaining_pct).map(f64::from);
    if let Some(g) = s.gps {
        v.gps_fix = g.fix_type;
        v.satellites = g.satellites;
    }
    v.link_quality_pct = if s.stale {
        0.0
    } else {
        100.0 * (1.0 - s.link.loss())
    };
    Some(v)
}
