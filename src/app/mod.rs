//! The egui/eframe desktop application: the map with the venue's layers, and panels to plan,
//! fly and watch. Behind the cargo feature `app` (on by default); the library never depends on
//! this module.
//!
//! [`VigilApp::show`] draws the whole window into a [`egui::Ui`], so tests drive it headless
//! with `egui_kittest`; [`run`] opens it in a native window.

pub mod fly;
pub mod layers;
pub mod map;
pub mod model;
mod panels;
pub mod plan;
pub mod theme;
pub mod thermal_view;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkers::{MapMemory, Tiles, lon_lat};

use crate::area::{Selection, Venue, read_venue};
use crate::fence::{Fence, VenueFenceOptions};
use crate::mission::{Mission, read_mission};

pub use layers::{Leg, VenueShapes};
pub use map::TileChoice;
pub use model::{
    AlarmGrade, AlarmView, DetectionView, FrameFootprintView, History, LogLevel, LogLine,
    VehicleView,
};
pub use theme::{Palette, Theme};

/// What the app opens with.
#[derive(Debug, Clone, PartialEq)]
pub struct AppConfig {
    /// A venue file (GeoJSON with roles, or KML) to open.
    pub venue: Option<PathBuf>,
    /// Mission files (`.plan`, `.waypoints`) whose routes to show.
    pub missions: Vec<PathBuf>,
    pub tiles: TileChoice,
    pub theme: Theme,
    /// Start the bundled simulator at the venue's home and connect to it.
    pub simulator: bool,
    /// Where downloaded tiles are cached (default [`map::tile_cache_dir`]; `None`: no cache).
    pub tile_cache: Option<PathBuf>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            venue: None,
            missions: Vec::new(),
            tiles: TileChoice::None,
            theme: Theme::Night,
            simulator: false,
            tile_cache: map::tile_cache_dir(),
        }
    }
}

/// Which layers are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerToggles {
    pub boundary: bool,
    pub cameras: bool,
    pub blind_spots: bool,
    pub zones: bool,
    pub route: bool,
    pub fences: bool,
    pub vehicles: bool,
    pub thermal: bool,
    pub detections: bool,
    pub alarms: bool,
    pub grid: bool,
}

impl Default for LayerToggles {
    fn default() -> Self {
        Self {
            boundary: true,
            cameras: true,
            blind_spots: true,
            zones: true,
            route: true,
            fences: true,
            vehicles: true,
            thermal: true,
            detections: true,
            alarms: true,
            grid: true,
        }
    }
}

/// The side panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Layers,
    Plan,
    Fly,
    Alarms,
    Thermal,
    Log,
    Plots,
}

impl Tab {
    /// Every tab, in the order shown.
    pub const ALL: [Tab; 7] = [
        Tab::Layers,
        Tab::Plan,
        Tab::Fly,
        Tab::Alarms,
        Tab::Thermal,
        Tab::Log,
        Tab::Plots,
    ];

    /// The tab's title.
    pub fn name(self) -> &'static str {
        match self {
            Tab::Layers => "Layers",
            Tab::Plan => "Plan",
            Tab::Fly => "Fly",
            Tab::Alarms => "Alarms",
            Tab::Thermal => "Thermal",
            Tab::Log => "Log",
            Tab::Plots => "Plots",
        }
    }
}

/// The application's state. Everything it draws lives here; [`VigilApp::show`] draws it.
pub struct VigilApp {
    pub venue: Option<Venue>,
    pub venue_path: Option<PathBuf>,
    pub shapes: Option<VenueShapes>,
    pub missions: Vec<Mission>,
    pub legs: Vec<Leg>,
    pub fence: Option<Fence>,
    pub fence_rings: Vec<layers::FenceRing>,
    pub vehicles: BTreeMap<u8, VehicleView>,
    pub history: BTreeMap<u8, History>,
    pub alarms: Vec<AlarmView>,
    pub detections: Vec<DetectionView>,
    pub frames: Vec<FrameFootprintView>,
    pub log: Vec<LogLine>,
    /// The Plan panel's settings.
    pub plan_settings: plan::PlanSettings,
    /// The last plan's report.
    pub plan_report: Option<crate::planner::output::Report>,
    /// `(vehicle, sortie)` of each mission in `missions`, when they came from the planner.
    pub mission_labels: Vec<(usize, usize)>,
    /// The link to the vehicles, once the Fly panel (or the first run) opened one.
    pub fly: Option<fly::FlySession>,
    /// The frame shown in the Thermal panel.
    pub thermal: Option<thermal_view::ThermalView>,
    /// The ground fence monitor over the venue's fence, fed by live telemetry.
    pub monitor: Option<crate::fence::Monitor>,
    /// Per vehicle, the `seq` of the newest status text already logged.
    status_seen: BTreeMap<u8, u64>,
    /// A command waiting for the operator's confirmation.
    pub pending_command: Option<(crate::link::Target, fly::FlyCommand)>,
    /// Take-off altitude above home, metres.
    pub takeoff_alt_m: f32,
    pub layers: LayerToggles,
    pub theme: Theme,
    pub tab: Tab,
    pub map_memory: MapMemory,
    tile_choice: TileChoice,
    tile_cache: Option<PathBuf>,
    tiles: Option<Box<dyn Tiles>>,
    tiles_ctx: Option<egui::Context>,
    applied_theme: Option<Theme>,
    fit_pending: bool,
    next_alarm_id: u64,
    /// Seconds on the UI clock at the last frame.
    now_s: f64,
    ui_state: panels::UiState,
}

impl std::fmt::Debug for VigilApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VigilApp")
            .field("venue_path", &self.venue_path)
            .field("missions", &self.missions.len())
            .field("vehicles", &self.vehicles.len())
            .field("alarms", &self.alarms.len())
            .field("theme", &self.theme)
            .finish_non_exhaustive()
    }
}

impl VigilApp {
    /// An app with the config's venue and missions loaded. Load failures become log lines and
    /// red entries in the Log panel rather than errors: the window opens regardless.
    pub fn new(config: &AppConfig) -> Self {
        let mut app = VigilApp {
            venue: None,
            venue_path: None,
            shapes: None,
            missions: Vec::new(),
            legs: Vec::new(),
            fence: None,
            fence_rings: Vec::new(),
            vehicles: BTreeMap::new(),
            history: BTreeMap::new(),
            alarms: Vec::new(),
            detections: Vec::new(),
            frames: Vec::new(),
            log: Vec::new(),
            plan_settings: plan::PlanSettings::default(),
            plan_report: None,
            mission_labels: Vec::new(),
            fly: None,
            monitor: None,
            thermal: None,
            status_seen: BTreeMap::new(),
            pending_command: None,
            takeoff_alt_m: 20.0,
            layers: LayerToggles::default(),
            theme: config.theme,
            tab: Tab::Layers,
            map_memory: MapMemory::default(),
            tile_choice: config.tiles.clone(),
            tile_cache: config.tile_cache.clone(),
            tiles: None,
            tiles_ctx: None,
            applied_theme: None,
            fit_pending: true,
            next_alarm_id: 1,
            now_s: 0.0,
            ui_state: panels::UiState::new(config),
        };
        if let Some(p) = &config.venue {
            app.open_venue(p);
        }
        for p in &config.missions {
            app.open_mission(p);
        }
        if config.simulator {
            app.start_simulator(1.0, None);
        }
        app
    }

    fn fly_session(&mut self) -> Option<&mut fly::FlySession> {
        if self.fly.is_none() {
            match fly::FlySession::new() {
                Ok(f) => self.fly = Some(f),
                Err(e) => {
                    self.log(
                        LogLevel::Error,
                        format!("cannot start the link runtime: {e}"),
                    );
                    return None;
                }
            }
        }
        self.fly.as_mut()
    }

    /// Starts the bundled simulator at the venue's home (or its centre), `speedup` × real
    /// time, and connects to it. Returns the connection string.
    pub fn start_simulator(
        &mut self,
        speedup: f64,
        repaint: Option<egui::Context>,
    ) -> Option<String> {
        let home = match (&self.venue, &self.shapes) {
            (Some(v), Some(s)) => {
                let (lon, lat) = s.home.unwrap_or(s.center);
                (lat, lon, v.home.and_then(|h| h.alt_m).unwrap_or(0.0))
            }
            _ => {
                self.log(
                    LogLevel::Warning,
                    "open a venue before starting the simulator",
                );
                return None;
            }
        };
        let r = self.fly_session()?.start_sim(home, speedup);
        match r {
            Ok(conn) => {
                self.log(LogLevel::Info, format!("simulator listening at {conn}"));
                self.ui_state.set_conn(&conn);
                self.connect(&conn, repaint);
                Some(conn)
            }
            Err(e) => {
                self.log(LogLevel::Error, format!("cannot start the simulator: {e}"));
                None
            }
        }
    }

    /// Opens a link (`tcp:host:port`, `udpin:0.0.0.0:14550`, `serial:/dev/ttyUSB0:57600`…).
    pub fn connect(&mut self, conn: &str, repaint: Option<egui::Context>) {
        self.log(LogLevel::Info, format!("connecting to {conn}"));
        if let Some(f) = self.fly_session() {
            f.connect(conn, repaint);
        }
    }

    /// Uploads the first route to the first vehicle (verified by reading it back).
    pub fn upload_route(&mut self) -> bool {
        let Some(m) = self.missions.first().cloned() else {
            self.log(
                LogLevel::Warning,
                "nothing to upload: plan or open a route first",
            );
            return false;
        };
        let Some(f) = &self.fly else { return false };
        let Some(t) = f.targets().first().copied() else {
            self.log(
                LogLevel::Warning,
                "nothing to upload to: no vehicle connected",
            );
            return false;
        };
        f.upload(t, m);
        true
    }

    /// Sends a drone-moving command now (the Fly panel asks for confirmation first).
    pub fn send_command(&mut self, target: crate::link::Target, cmd: fly::FlyCommand) {
        self.log(
            LogLevel::Info,
            format!("vehicle {}: {}", target.system, cmd.name()),
        );
        if let Some(f) = &self.fly {
            f.command(target, cmd);
        }
    }

    /// Reads what the link reported: log lines and vehicle states.
    fn poll_link(&mut self, ctx: &egui::Context) {
        let Some(f) = self.fly.as_mut() else { return };
        let (logs, states) = f.poll();
        let live = f.is_connected() || f.is_connecting();
        for (l, t) in logs {
            self.log(l, t);
        }
        for s in &states {
            self.on_telemetry(s);
        }
        if let Some(m) = self.monitor.as_mut()
            && !states.is_empty()
        {
            let events = m.on_tick(self.now_s);
            self.apply_alarm_events(events);
        }
        if live {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// Adds a line to the Log panel (and to the tracing log).
    pub fn log(&mut self, level: LogLevel, text: impl Into<String>) {
        let text = drawable_text(&text.into());
        match level {
            LogLevel::Info => tracing::info!("{text}"),
            LogLevel::Warning => tracing::warn!("{text}"),
            LogLevel::Error => tracing::error!("{text}"),
        }
        self.log.push(LogLine {
            t_s: self.now_s,
            level,
            text,
        });
    }

    /// Opens a venue file: its layers, blind spots and fence replace the current ones.
    pub fn open_venue(&mut self, path: &Path) -> bool {
        match read_venue(path, &Selection::default()) {
            Ok(venue) => {
                self.set_venue(venue);
                self.venue_path = Some(path.to_path_buf());
                self.log(LogLevel::Info, format!("opened venue {}", path.display()));
                true
            }
            Err(e) => {
                self.log(LogLevel::Error, format!("cannot open venue: {e}"));
                false
            }
        }
    }

    /// Shows a venue already read.
    pub fn set_venue(&mut self, venue: Venue) {
        let shapes = VenueShapes::new(&venue);
        let fence = Fence::from_venue(&venue, &VenueFenceOptions::default());
        self.fence_rings = layers::fence_rings(&fence);
        self.monitor = Some(crate::fence::Monitor::new(
            &fence,
            venue.frame,
            crate::fence::MonitorConfig::default(),
        ));
        self.fence = Some(fence);
        for w in venue.warnings.clone() {
            self.log(LogLevel::Warning, w);
        }
        self.map_memory
            .center_at(lon_lat(shapes.center.0, shapes.center.1));
        self.shapes = Some(shapes);
        self.venue = Some(venue);
        self.fit_pending = true;
    }

    /// Opens a mission file and adds its route to the map.
    pub fn open_mission(&mut self, path: &Path) -> bool {
        match read_mission(path) {
            Ok((mission, notes)) => {
                for n in notes {
                    self.log(LogLevel::Warning, format!("{}: {n:?}", path.display()));
                }
                self.log(
                    LogLevel::Info,
                    format!(
                        "opened mission {} ({} items)",
                        path.display(),
                        mission.items.len()
                    ),
                );
                self.add_mission(mission);
                true
            }
            Err(e) => {
                self.log(LogLevel::Error, format!("cannot open mission: {e}"));
                false
            }
        }
    }

    /// Adds a mission's route to the map (one colour group per mission).
    pub fn add_mission(&mut self, mission: Mission) {
        self.missions.push(mission);
        self.legs = layers::route_legs(&self.missions);
    }

    /// Removes every route.
    pub fn clear_missions(&mut self) {
        self.missions.clear();
        self.mission_labels.clear();
        self.legs.clear();
        self.plan_report = None;
    }

    /// Plans the open venue with [`VigilApp::plan_settings`]; the sorties replace the routes on
    /// the map. False (and a log line) when there is no venue or the planner refuses.
    pub fn plan(&mut self) -> bool {
        let Some(venue) = &self.venue else {
            self.log(LogLevel::Warning, "nothing to plan: open a venue first");
            return false;
        };
        match plan::plan_venue(venue, &self.plan_settings) {
            Ok(outcome) => {
                self.clear_missions();
                let r = &outcome.report;
                let line = format!(
                    "planned: swath {:.1} m, {} sortie(s) on {} vehicle(s), {:.0} m, {:.0} s, coverage {:.2} %",
                    r.swath_m,
                    r.sorties,
                    r.vehicles,
                    r.path_length_m,
                    r.flight_time_s,
                    r.coverage_pct
                );
                for (v, s, m) in outcome.missions {
                    self.mission_labels.push((v, s));
                    self.missions.push(m);
                }
                self.legs = layers::route_legs(&self.missions);
                self.plan_report = Some(outcome.report);
                self.log(LogLevel::Info, line);
                true
            }
            Err(e) => {
                self.log(LogLevel::Error, e);
                false
            }
        }
    }

    /// Writes every mission to `path` (format by extension); with several, to
    /// `stem-v<vehicle>-s<sortie>.ext` (or `stem-<n>.ext` for opened files). Returns the files.
    pub fn export_missions(&mut self, path: &Path) -> Vec<PathBuf> {
        let mut written = Vec::new();
        let n = self.missions.len();
        let mut lines = Vec::new();
        for (i, m) in self.missions.iter().enumerate() {
            let target = if n == 1 {
                path.to_path_buf()
            } else {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("mission");
                let ext = path.extension().and_then(|s| s.to_str()).unwrap_or("plan");
                let name = match self.mission_labels.get(i) {
                    Some((v, s)) => format!("{stem}-v{v}-s{s}.{ext}"),
                    None => format!("{stem}-{}.{ext}", i + 1),
                };
                path.with_file_name(name)
            };
            match crate::mission::write_mission(&target, m) {
                Ok(_) => {
                    lines.push((LogLevel::Info, format!("exported {}", target.display())));
                    written.push(target);
                }
                Err(e) => lines.push((LogLevel::Error, format!("export failed: {e}"))),
            }
        }
        if n == 0 {
            lines.push((LogLevel::Warning, "nothing to export: no route".to_string()));
        }
        for (l, t) in lines {
            self.log(l, t);
        }
        written
    }

    /// Updates (or adds) a vehicle and records its telemetry for the plots.
    pub fn update_vehicle(&mut self, v: VehicleView) {
        self.history
            .entry(v.system_id)
            .or_default()
            .record(self.now_s, &v);
        self.vehicles.insert(v.system_id, v);
    }

    /// Raises an alarm; returns its id.
    pub fn raise_alarm(
        &mut self,
        grade: AlarmGrade,
        title: impl Into<String>,
        advice: impl Into<String>,
        position: Option<(f64, f64)>,
    ) -> u64 {
        let id = self.next_alarm_id;
        self.next_alarm_id += 1;
        let title = drawable_text(&title.into());
        let advice = drawable_text(&advice.into());
        self.log(
            match grade {
                AlarmGrade::Blue | AlarmGrade::Yellow => LogLevel::Warning,
                AlarmGrade::Orange | AlarmGrade::Red => LogLevel::Error,
            },
            format!("alarm {}: {title}", grade.name()),
        );
        self.alarms.push(AlarmView {
            id,
            grade,
            title,
            advice,
            position,
            since_s: self.now_s,
            acknowledged: false,
            monitor_id: None,
            cleared: false,
        });
        id
    }

    /// Feeds one vehicle state to the map, the plots and the fence monitor; the monitor's
    /// alarm events become (or update) alarms.
    pub fn on_telemetry(&mut self, s: &crate::link::state::VehicleState) {
        // By sequence number: several texts can arrive in the same millisecond.
        let seen = self.status_seen.get(&s.system_id).copied().unwrap_or(0);
        let new: Vec<_> = s.texts_after(seen).cloned().collect();
        for t in new {
            // MAV_SEVERITY: 0..=3 emergency to error, 4 warning, 5.. notice, info, debug.
            let level = match t.severity {
                0..=3 => LogLevel::Error,
                4 => LogLevel::Warning,
                _ => LogLevel::Info,
            };
            self.log(level, format!("vehicle {}: {}", s.system_id, t.text));
            self.status_seen.insert(s.system_id, t.seq);
        }
        let Some(v) = fly::view_of(s, self.vehicles.get(&s.system_id)) else {
            return;
        };
        let gs = s.groundspeed_mps.map(f64::from).unwrap_or(0.0);
        let hdg = s
            .heading_deg
            .map(f64::from)
            .unwrap_or(v.heading_deg)
            .to_radians();
        let sample = crate::fence::TelemetrySample {
            vehicle: s.system_id,
            time_s: self.now_s,
            position: crate::fence::SamplePosition::LatLon(crate::mission::LatLon {
                lat_deg: v.lat_deg,
                lon_deg: v.lon_deg,
            }),
            alt_rel_m: v.alt_m,
            velocity_mps: [
                gs * hdg.sin(),
                gs * hdg.cos(),
                s.climb_mps.map(f64::from).unwrap_or(0.0),
            ],
            battery_pct: v.battery_pct,
            gps_fix: s.gps.map(|g| g.fix_type),
            ekf_ok: None,
            mode: s.mode.clone(),
            fence_breached: s.fence_breached,
            armed: s.armed,
        };
        self.update_vehicle(v);
        if let Some(m) = self.monitor.as_mut() {
            let events = m.on_sample(&sample);
            self.apply_alarm_events(events);
        }
    }

    fn apply_alarm_events(&mut self, events: Vec<crate::fence::AlarmEvent>) {
        use crate::fence::{Grade, Lifecycle};
        for e in events {
            let grade = match e.grade {
                Grade::Blue => AlarmGrade::Blue,
                Grade::Yellow => AlarmGrade::Yellow,
                Grade::Orange => AlarmGrade::Orange,
                Grade::Red => AlarmGrade::Red,
            };
            let title = format!("vehicle {}: {}", e.vehicle, e.what);
            let position = e.place.as_ref().map(|p| (p.lon_deg, p.lat_deg));
            let existing = self
                .alarms
                .iter()
                .position(|a| a.monitor_id == Some(e.alarm_id) && !a.cleared);
            match (e.event, existing) {
                (Lifecycle::Raised, _) | (Lifecycle::Updated, None) => {
                    let id = self.raise_alarm(grade, title, e.todo.clone(), position);
                    if let Some(a) = self.alarms.iter_mut().find(|a| a.id == id) {
                        a.monitor_id = Some(e.alarm_id);
                    }
                }
                (Lifecycle::Updated, Some(i)) => {
                    let a = &mut self.alarms[i];
                    // An escalation needs a new acknowledgement.
                    if grade > a.grade {
                        a.acknowledged = false;
                    }
                    a.grade = grade;
                    a.title = drawable_text(&title);
                    a.advice = drawable_text(&e.todo);
                    a.position = position.or(a.position);
                }
                (Lifecycle::Cleared, Some(i)) => {
                    self.alarms[i].cleared = true;
                    self.log(LogLevel::Info, format!("cleared: {title}"));
                }
                _ => {}
            }
        }
    }

    /// Acknowledges an alarm by id; false when there is no such alarm.
    pub fn acknowledge(&mut self, id: u64) -> bool {
        let Some(a) = self.alarms.iter_mut().find(|a| a.id == id) else {
            return false;
        };
        a.acknowledged = true;
        let title = a.title.clone();
        let monitor_id = a.monitor_id;
        if let (Some(mid), Some(m)) = (monitor_id, self.monitor.as_mut()) {
            m.acknowledge(self.now_s, mid);
        }
        self.log(LogLevel::Info, format!("acknowledged: {title}"));
        true
    }

    /// Centres the map on a point `(lon, lat)`.
    pub fn center_on(&mut self, p: (f64, f64)) {
        self.map_memory.center_at(lon_lat(p.0, p.1));
    }

    /// Where downloaded tiles are cached.
    pub fn tile_cache(&self) -> Option<&Path> {
        self.tile_cache.as_deref()
    }

    /// The tile source in use.
    pub fn tile_choice(&self) -> &TileChoice {
        &self.tile_choice
    }

    /// Switches the tile source (opened on the next frame).
    pub fn set_tiles(&mut self, choice: TileChoice) {
        if choice != self.tile_choice {
            self.tile_choice = choice;
            self.tiles = None;
            self.tiles_ctx = None;
        }
    }

    /// Checks the loaded missions against the venue's fence; each problem becomes an alarm
    /// (orange: the route leaves the fence; yellow: any other problem). Returns how many.
    pub fn check_fence(&mut self) -> usize {
        let Some(fence) = self.fence.clone() else {
            return 0;
        };
        let mut problems = Vec::new();
        for m in &self.missions {
            problems.extend(crate::fence::validate(
                &fence,
                &crate::fence::AutopilotRules::ARDUPILOT,
                crate::fence::Route {
                    home: m.planned_home,
                    items: &m.items,
                },
            ));
        }
        let n = problems.len();
        for p in problems {
            use crate::fence::ProblemKind as K;
            let grade = match p.kind {
                K::OutsideInclusion | K::InsideExclusion | K::AboveCeiling | K::BelowFloor => {
                    AlarmGrade::Orange
                }
                _ => AlarmGrade::Yellow,
            };
            self.raise_alarm(
                grade,
                format!("{}: {}: {}", p.fence, p.subject, p.message),
                "Re-plan or edit the mission before upload.",
                p.at.map(|a| (a.lon_deg, a.lat_deg)),
            );
        }
        if n == 0 {
            self.log(
                LogLevel::Info,
                "fence check: the routes stay inside the fence",
            );
        }
        n
    }

    /// Draws the whole window into `ui`.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.now_s = ui.input(|i| i.time);
        if self.applied_theme != Some(self.theme) {
            ui.ctx().set_visuals(theme::visuals(self.theme));
            self.applied_theme = Some(self.theme);
        }
        if self.tiles.is_none() && self.tile_choice != TileChoice::None {
            self.tiles = map::open_tiles(&self.tile_choice, self.tile_cache.clone(), ui.ctx());
            self.tiles_ctx = Some(ui.ctx().clone());
        }
        let ctx = ui.ctx().clone();
        self.poll_link(&ctx);
        panels::show(self, ui);
    }
}

/// `text` with the few symbols the bundled fonts lack (arrows, ≤, ≥) spelled in ASCII, so
/// library messages draw without missing glyphs.
pub fn drawable_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '→' | '⟶' => out.push_str("->"),
            '←' => out.push_str("<-"),
            '≤' => out.push_str("<="),
            '≥' => out.push_str(">="),
            '≈' => out.push('~'),
            c => out.push(c),
        }
    }
    out
}

impl eframe::App for VigilApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}

/// Opens the app in a native window and returns when it is closed.
pub fn run(config: AppConfig) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Vigil")
            .with_inner_size([1280.0, 800.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Vigil",
        options,
        Box::new(move |cc| {
            // Before the first frame: a red-theme start must not flash grey at the operator.
            cc.egui_ctx.set_visuals(theme::visuals(config.theme));
            Ok(Box::new(VigilApp::new(&config)))
        }),
    )
}
