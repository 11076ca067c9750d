//! The window's layout: the top bar (files, theme, tiles), the side panel's tabs (layers, plan,
//! fly, alarms, thermal, log, plots) and the map in the middle.

use std::path::PathBuf;

use egui::{Align2, Color32, FontId, RichText, Shape, Stroke, Ui, vec2};
use walkers::{Projector, lon_lat};

use super::layers::LonLat;
use super::map::{self, TileChoice, arrow_head, draw_area, screen};
use super::model::{AlarmGrade, LogLevel};
use super::theme::{self, Palette, Theme};
use super::{AppConfig, Tab, VigilApp};

/// Text fields and other widget state that is not the app's data.
#[derive(Debug, Clone)]
pub(super) struct UiState {
    venue_path: String,
    mission_path: String,
    export_path: String,
    tile_url: String,
    pmtiles_path: String,
    conn: String,
    thermal_path: String,
}

impl UiState {
    pub(super) fn new(config: &AppConfig) -> Self {
        let (tile_url, pmtiles_path) = match &config.tiles {
            TileChoice::Url(u) => (u.clone(), String::new()),
            TileChoice::PmTiles(p) => (map::OSM_URL.to_string(), p.display().to_string()),
            TileChoice::None => (map::OSM_URL.to_string(), String::new()),
        };
        Self {
            venue_path: config
                .venue
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            mission_path: config
                .missions
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            export_path: String::from("sweep.plan"),
            tile_url,
            pmtiles_path,
            conn: String::from("udpin:0.0.0.0:14550"),
            thermal_path: String::new(),
        }
    }

    pub(super) fn set_conn(&mut self, conn: &str) {
        self.conn = conn.to_string();
    }
}

/// The colour an alarm grade is shown in.
pub fn grade_color(grade: AlarmGrade, theme: Theme) -> Color32 {
    let c = match grade {
        AlarmGrade::Blue => Color32::from_rgb(40, 110, 255),
        AlarmGrade::Yellow => Color32::from_rgb(240, 200, 0),
        AlarmGrade::Orange => Color32::from_rgb(255, 130, 0),
        AlarmGrade::Red => Color32::from_rgb(230, 0, 0),
    };
    match theme {
        Theme::Day => c,
        Theme::Night => theme::dim(c, 0.8),
        Theme::Red => theme::red(c, 0.9),
    }
}

pub(super) fn show(app: &mut VigilApp, ui: &mut Ui) {
    egui::Panel::top("vigil_top").show(ui, |ui| top_bar(app, ui));
    egui::Panel::right("vigil_side")
        .resizable(true)
        .default_size(340.0)
        .show(ui, |ui| side_panel(app, ui));
    let palette = Palette::of(app.theme);
    egui::CentralPanel::default()
        .frame(egui::Frame::NONE.fill(palette.background))
        .show(ui, |ui| map_view(app, ui, &palette));
}

fn top_bar(app: &mut VigilApp, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.strong("Vigil");
        ui.separator();
        let l = ui.label("Venue");
        ui.add(egui::TextEdit::singleline(&mut app.ui_state.venue_path).desired_width(180.0))
            .labelled_by(l.id);
        if ui.button("Open venue").clicked() {
            let p = PathBuf::from(app.ui_state.venue_path.trim());
            app.open_venue(&p);
        }
        ui.separator();
        let l = ui.label("Mission");
        ui.add(egui::TextEdit::singleline(&mut app.ui_state.mission_path).desired_width(160.0))
            .labelled_by(l.id);
        if ui.button("Open mission").clicked() {
            let p = PathBuf::from(app.ui_state.mission_path.trim());
            app.open_mission(&p);
        }
        ui.separator();
        egui::ComboBox::from_label("Theme")
            .selected_text(app.theme.name())
            .show_ui(ui, |ui| {
                for t in [Theme::Day, Theme::Night, Theme::Red] {
                    ui.selectable_value(&mut app.theme, t, t.name());
                }
            });
    });
}

fn side_panel(app: &mut VigilApp, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        for t in Tab::ALL {
            let label = if t == Tab::Alarms {
                let open = app
                    .alarms
                    .iter()
                    .filter(|a| !a.acknowledged && !a.cleared)
                    .count();
                if open > 0 {
                    format!("Alarms ({open})")
                } else {
                    "Alarms".to_string()
                }
            } else {
                t.name().to_string()
            };
            ui.selectable_value(&mut app.tab, t, label);
        }
    });
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| match app.tab {
        Tab::Layers => layers_tab(app, ui),
        Tab::Plan => plan_tab(app, ui),
        Tab::Fly => fly_tab(app, ui),
        Tab::Alarms => alarms_tab(app, ui),
        Tab::Thermal => thermal_tab(app, ui),
        Tab::Log => log_tab(app, ui),
        Tab::Plots => plots_tab(app, ui),
    });
}

fn layers_tab(app: &mut VigilApp, ui: &mut Ui) {
    let l = &mut app.layers;
    ui.heading("Layers");
    ui.checkbox(&mut l.boundary, "Boundary");
    ui.checkbox(&mut l.cameras, "Cameras and footprints");
    ui.checkbox(&mut l.blind_spots, "Blind spots");
    ui.checkbox(&mut l.zones, "No-fly and risk zones");
    ui.checkbox(&mut l.route, "Planned route");
    ui.checkbox(&mut l.fences, "Fences");
    ui.checkbox(&mut l.vehicles, "Vehicles");
    ui.checkbox(&mut l.thermal, "Thermal frames");
    ui.checkbox(&mut l.detections, "Detections");
    ui.checkbox(&mut l.alarms, "Alarms");
    ui.checkbox(&mut l.grid, "Grid");
    ui.separator();
    ui.heading("Map tiles");
    let mut choice = app.tile_choice.clone();
    ui.radio_value(
        &mut choice,
        TileChoice::None,
        "None (offline: layers, grid, scale)",
    );
    let url = app.ui_state.tile_url.trim().to_string();
    let l = ui.radio_value(&mut choice, TileChoice::Url(url.clone()), "Tile server");
    ui.add(egui::TextEdit::singleline(&mut app.ui_state.tile_url).desired_width(300.0))
        .labelled_by(l.id);
    let pm = PathBuf::from(app.ui_state.pmtiles_path.trim());
    let l = ui.radio_value(
        &mut choice,
        TileChoice::PmTiles(pm),
        "Offline archive (.pmtiles)",
    );
    ui.add(
        egui::TextEdit::singleline(&mut app.ui_state.pmtiles_path)
            .hint_text("path/to/area.pmtiles")
            .desired_width(300.0),
    )
    .labelled_by(l.id);
    if choice != app.tile_choice {
        app.set_tiles(choice);
    }
    if let Some(dir) = app.tile_cache()
        && matches!(app.tile_choice, TileChoice::Url(_))
    {
        ui.small(format!("Tile cache: {}", dir.display()));
    }
}

fn plan_tab(app: &mut VigilApp, ui: &mut Ui) {
    ui.heading("Venue");
    match (&app.venue, &app.shapes) {
        (Some(v), Some(s)) => {
            egui::Grid::new("venue_figures").show(ui, |ui| {
                ui.label("Name");
                ui.label(&v.name);
                ui.end_row();
                ui.label("Area");
                ui.label(format!("{:.0} m²", s.venue_area_m2));
                ui.end_row();
                ui.label("Cameras");
                ui.label(v.cameras.len().to_string());
                ui.end_row();
                ui.label("Blind spots");
                ui.label(format!(
                    "{} regions, {:.0} m² ({:.1} %)",
                    s.blind_count,
                    s.blind_area_m2,
                    s.blind_share * 100.0
                ));
                ui.end_row();
                ui.label("No-fly zones");
                ui.label(v.no_fly.len().to_string());
                ui.end_row();
                ui.label("Risk zones");
                ui.label(v.risk.len().to_string());
                ui.end_row();
            });
        }
        _ => {
            ui.label("No venue open.");
        }
    }
    ui.separator();
    ui.heading("Plan");
    let st = &mut app.plan_settings;
    egui::Grid::new("plan_settings").show(ui, |ui| {
        ui.label("Camera");
        egui::ComboBox::from_id_salt("camera_preset")
            .selected_text(st.camera.clone())
            .show_ui(ui, |ui| {
                for c in crate::planner::ThermalCamera::presets() {
                    ui.selectable_value(&mut st.camera, c.name.clone(), c.name);
                }
            });
        ui.end_row();
        let l = ui.label("Altitude");
        ui.add(
            egui::DragValue::new(&mut st.alt_m)
                .range(10.0..=120.0)
                .suffix(" m"),
        )
        .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Side overlap");
        ui.add(
            egui::DragValue::new(&mut st.overlap)
                .range(0.0..=0.95)
                .speed(0.01),
        )
        .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Speed");
        ui.add(
            egui::DragValue::new(&mut st.speed_mps)
                .range(1.0..=20.0)
                .suffix(" m/s"),
        )
        .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Margin");
        ui.add(
            egui::DragValue::new(&mut st.margin_m)
                .range(0.0..=50.0)
                .suffix(" m"),
        )
        .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Vehicles");
        ui.add(egui::DragValue::new(&mut st.vehicles).range(1..=8))
            .labelled_by(l.id);
        ui.end_row();
    });
    ui.horizontal(|ui| {
        if ui.button("Plan sweep").clicked() {
            app.plan();
        }
        if ui.button("Check against fence").clicked() {
            app.check_fence();
        }
        if ui.button("Clear routes").clicked() {
            app.clear_missions();
        }
    });
    if let Some(r) = &app.plan_report {
        egui::Grid::new("plan_report").show(ui, |ui| {
            for (k, v) in [
                ("Swath", format!("{:.1} m", r.swath_m)),
                ("Altitude", format!("{:.0} m", r.alt_m)),
                ("Route length", format!("{:.0} m", r.path_length_m)),
                ("Flight time", format!("{:.0} s", r.flight_time_s)),
                ("Turns", r.turns.to_string()),
                (
                    "Sorties",
                    format!("{} on {} vehicle(s)", r.sorties, r.vehicles),
                ),
                (
                    "Coverage",
                    format!("{:.2} % of {:.0} m²", r.coverage_pct, r.blind_area_m2),
                ),
                (
                    "Legs checked",
                    format!("{} ({} violating)", r.legs_checked, r.legs_violating),
                ),
                ("Planned in", format!("{:.0} ms", r.compute_ms)),
            ] {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            }
        });
    }
    ui.separator();
    ui.heading("Route");
    if app.missions.is_empty() {
        ui.label("No route: press Plan, or open a .plan or .waypoints file above.");
    }
    for (i, m) in app.missions.iter().enumerate() {
        let name = match app.mission_labels.get(i) {
            Some((v, s)) => format!("Vehicle {v} sortie {s}"),
            None => format!("Mission {}", i + 1),
        };
        ui.label(format!("{name}: {} items", m.items.len()));
    }
    let length_m: f64 = app.legs.iter().map(|l| leg_length_m(l.from, l.to)).sum();
    if !app.legs.is_empty() {
        ui.label(format!(
            "{} legs, {:.0} m between waypoints",
            app.legs.len(),
            length_m
        ));
    }
    ui.horizontal(|ui| {
        let l = ui.label("Export to");
        ui.add(egui::TextEdit::singleline(&mut app.ui_state.export_path).desired_width(160.0))
            .labelled_by(l.id);
        if ui.button("Export").clicked() {
            let p = PathBuf::from(app.ui_state.export_path.trim());
            app.export_missions(&p);
        }
    });
    ui.small("The format follows the extension: .plan or .waypoints.");
}

/// Distance between two points, metres (equirectangular; legs are short).
fn leg_length_m(a: LonLat, b: LonLat) -> f64 {
    let lat = ((a.1 + b.1) / 2.0).to_radians();
    let dx = (b.0 - a.0) * 111_320.0 * lat.cos();
    let dy = (b.1 - a.1) * 110_574.0;
    dx.hypot(dy)
}

fn fly_tab(app: &mut VigilApp, ui: &mut Ui) {
    use super::fly::FlyCommand;
    ui.heading("Link");
    ui.horizontal(|ui| {
        let l = ui.label("Connection");
        ui.add(egui::TextEdit::singleline(&mut app.ui_state.conn).desired_width(190.0))
            .labelled_by(l.id);
    });
    let connected = app.fly.as_ref().is_some_and(|f| f.is_connected());
    let connecting = app.fly.as_ref().is_some_and(|f| f.is_connecting());
    ui.horizontal(|ui| {
        if connected {
            if ui.button("Disconnect").clicked()
                && let Some(f) = app.fly.as_mut()
            {
                f.disconnect();
                app.vehicles.clear();
                app.log(LogLevel::Info, "disconnected");
            }
        } else if connecting {
            ui.spinner();
            ui.label("connecting…");
        } else {
            if ui.button("Connect").clicked() {
                let c = app.ui_state.conn.trim().to_string();
                app.connect(&c, Some(ui.ctx().clone()));
            }
            if ui.button("Start simulator").clicked() {
                app.start_simulator(1.0, Some(ui.ctx().clone()));
            }
        }
    });
    if connected {
        ui.horizontal(|ui| {
            if ui.button("Upload route").clicked() {
                app.upload_route();
            }
            let l = ui.label("Take-off altitude");
            ui.add(
                egui::DragValue::new(&mut app.takeoff_alt_m)
                    .range(5.0..=120.0)
                    .suffix(" m"),
            )
            .labelled_by(l.id);
        });
        let progress = app
            .fly
            .as_ref()
            .and_then(|f| f.upload.lock().ok().and_then(|p| p.clone()));
        if let Some(p) = progress {
            let frac = if p.total > 0 {
                p.done as f32 / p.total as f32
            } else {
                0.0
            };
            let text = if p.finished {
                if p.ok {
                    "upload verified".to_string()
                } else {
                    "upload failed".to_string()
                }
            } else {
                format!("{} {}/{}", p.stage, p.done, p.total)
            };
            ui.add(egui::ProgressBar::new(if p.finished && p.ok { 1.0 } else { frac }).text(text));
        }
    }
    ui.separator();
    ui.heading("Vehicles");
    if app.vehicles.is_empty() {
        ui.label("No vehicles.");
    }
    let mut centre = None;
    let mut ask = None;
    let alt = app.takeoff_alt_m;
    let targets = app.fly.as_ref().map(|f| f.targets()).unwrap_or_default();
    for v in app.vehicles.values() {
        ui.group(|ui| {
            ui.horizontal(|ui| {
                ui.strong(format!("Vehicle {}", v.system_id));
                ui.label(&v.mode);
                ui.label(if v.armed { "ARMED" } else { "disarmed" });
                if ui.small_button("Centre").clicked() {
                    centre = Some((v.lon_deg, v.lat_deg));
                }
            });
            egui::Grid::new(("hud", v.system_id)).show(ui, |ui| {
                ui.label("Battery");
                ui.label(
                    v.battery_pct
                        .map(|b| format!("{b:.0} %"))
                        .unwrap_or_else(|| "—".into()),
                );
                ui.label("GPS");
                ui.label(format!("fix {} · {} sats", v.gps_fix, v.satellites));
                ui.end_row();
                ui.label("Altitude");
                ui.label(format!("{:.1} m", v.alt_m));
                ui.label("Speed");
                ui.label(format!("{:.1} m/s", v.ground_speed_mps));
                ui.end_row();
                ui.label("Link");
                ui.label(format!("{:.0} %", v.link_quality_pct));
                ui.label("Heading");
                ui.label(format!("{:.0}°", v.heading_deg));
                ui.end_row();
            });
            if let Some(t) = targets.iter().find(|t| t.system == v.system_id) {
                ui.horizontal_wrapped(|ui| {
                    for c in [
                        FlyCommand::Arm,
                        FlyCommand::TakeOff { alt_m: alt },
                        FlyCommand::Start,
                        FlyCommand::Return,
                        FlyCommand::Land,
                    ] {
                        if ui.button(c.name()).clicked() {
                            ask = Some((*t, c));
                        }
                    }
                });
            }
        });
    }
    if let Some(p) = centre {
        app.center_on(p);
    }
    if ask.is_some() {
        app.pending_command = ask;
    }
    confirm_dialog(app, ui);
}

/// Asks before anything that makes a drone move.
fn confirm_dialog(app: &mut VigilApp, ui: &mut Ui) {
    let Some((target, cmd)) = app.pending_command else {
        return;
    };
    let mut answer = None;
    egui::Modal::new(egui::Id::unique("confirm_command")).show(ui.ctx(), |ui| {
        ui.heading(format!("{} vehicle {}?", cmd.name(), target.system));
        ui.label("This makes the drone move.");
        ui.horizontal(|ui| {
            if ui
                .button(format!("Yes, {}", cmd.name().to_lowercase()))
                .clicked()
            {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(false);
            }
        });
    });
    match answer {
        Some(true) => {
            app.pending_command = None;
            app.send_command(target, cmd);
        }
        Some(false) => app.pending_command = None,
        None => {}
    }
}

fn alarms_tab(app: &mut VigilApp, ui: &mut Ui) {
    ui.heading("Alarms");
    if app.alarms.is_empty() {
        ui.label("No alarms.");
    }
    let mut order: Vec<usize> = (0..app.alarms.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&app.alarms[a], &app.alarms[b]);
        (
            x.acknowledged,
            std::cmp::Reverse(x.grade),
            std::cmp::Reverse(x.id),
        )
            .cmp(&(
                y.acknowledged,
                std::cmp::Reverse(y.grade),
                std::cmp::Reverse(y.id),
            ))
    });
    let mut ack = None;
    let mut centre = None;
    for i in order {
        let a = &app.alarms[i];
        let c = grade_color(a.grade, app.theme);
        ui.group(|ui| {
            ui.horizontal(|ui| {
                let grade = RichText::new(a.grade.name()).strong().color(c);
                ui.label(if a.acknowledged { grade.weak() } else { grade });
                ui.label(format!("t+{:.0} s", a.since_s));
                if a.cleared {
                    ui.label("cleared");
                } else if a.acknowledged {
                    ui.label("acknowledged");
                } else if ui.button("Acknowledge").clicked() {
                    ack = Some(a.id);
                }
                if let Some(p) = a.position
                    && ui.small_button("Centre").clicked()
                {
                    centre = Some(p);
                }
            });
            ui.label(&a.title);
            ui.small(&a.advice);
        });
    }
    if let Some(id) = ack {
        app.acknowledge(id);
    }
    if let Some(p) = centre {
        app.center_on(p);
    }
}

fn thermal_tab(app: &mut VigilApp, ui: &mut Ui) {
    ui.heading("Frame");
    ui.horizontal(|ui| {
        let l = ui.label("File");
        ui.add(
            egui::TextEdit::singleline(&mut app.ui_state.thermal_path)
                .hint_text("radiometric .jpg/.fff/.tiff/.png")
                .desired_width(200.0),
        )
        .labelled_by(l.id);
        if ui.button("Open frame").clicked() {
            let p = PathBuf::from(app.ui_state.thermal_path.trim());
            match super::thermal_view::ThermalView::open(&p) {
                Ok(v) => {
                    app.log(
                        LogLevel::Info,
                        format!("opened thermal frame {}", p.display()),
                    );
                    app.thermal = Some(v);
                }
                Err(e) => app.log(LogLevel::Error, e),
            }
        }
    });
    match app.thermal.as_mut() {
        Some(v) => v.show(ui),
        None => {
            ui.label("No frame.");
        }
    }
    ui.separator();
    ui.heading("Detections");
    if app.detections.is_empty() {
        ui.label("No detections.");
    }
    let mut centre = None;
    for d in &app.detections {
        ui.horizontal(|ui| {
            ui.label(format!("{} · {:.1} °C", d.label, d.temp_c));
            if ui.small_button("Centre").clicked() {
                centre = Some((d.lon_deg, d.lat_deg));
            }
        });
    }
    ui.label(format!("{} frame footprints on the map", app.frames.len()));
    if let Some(p) = centre {
        app.center_on(p);
    }
}

fn log_tab(app: &mut VigilApp, ui: &mut Ui) {
    ui.heading("Log");
    let theme = app.theme;
    for line in app.log.iter().rev() {
        let color = match line.level {
            LogLevel::Info => None,
            LogLevel::Warning => Some(grade_color(AlarmGrade::Yellow, theme)),
            LogLevel::Error => Some(grade_color(AlarmGrade::Red, theme)),
        };
        let mut t = RichText::new(format!("{:>7.1} s  {}", line.t_s, line.text)).monospace();
        if let Some(c) = color {
            t = t.color(c);
        }
        ui.label(t);
    }
}

/// Picks one telemetry series out of a vehicle's history.
type Series = fn(&super::History) -> &std::collections::VecDeque<[f64; 2]>;

fn plots_tab(app: &mut VigilApp, ui: &mut Ui) {
    use egui_plot::{Legend, Line, Plot, PlotPoints};
    if app.history.is_empty() {
        ui.label("No telemetry yet.");
        return;
    }
    let plots: [(&str, &str, Series); 3] = [
        ("Altitude (m)", "plot_alt", |h| &h.alt_m),
        ("Battery (%)", "plot_batt", |h| &h.battery_pct),
        ("Link quality (%)", "plot_link", |h| &h.link_quality_pct),
    ];
    for (title, id, series) in plots {
        ui.label(title);
        Plot::new(id)
            .height(120.0)
            .legend(Legend::default())
            .show(ui, |p| {
                for (sys, h) in &app.history {
                    let pts: PlotPoints = series(h).iter().copied().collect();
                    p.line(Line::new(format!("vehicle {sys}"), pts));
                }
            });
    }
}

/// Zoom level at which the boundary's extent fills `size` pixels.
fn fit_zoom(rings: &[Vec<LonLat>], size: egui::Vec2) -> Option<f64> {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in rings.iter().flatten() {
        x0 = x0.min(p.0);
        x1 = x1.max(p.0);
        y0 = y0.min(p.1);
        y1 = y1.max(p.1);
    }
    if x0 > x1 || size.x < 10.0 || size.y < 10.0 {
        return None;
    }
    let lat = ((y0 + y1) / 2.0).to_radians();
    let w_m = ((x1 - x0) * 111_320.0 * lat.cos()).max(1.0);
    let h_m = ((y1 - y0) * 110_574.0).max(1.0);
    let ppm = (f64::from(size.x) / w_m).min(f64::from(size.y) / h_m) * 0.85;
    let z = (ppm * 40_075_016.686 * lat.cos() / 256.0).log2();
    Some(z.clamp(2.0, 21.0))
}

fn map_view(app: &mut VigilApp, ui: &mut Ui, palette: &Palette) {
    let center = app
        .shapes
        .as_ref()
        .map(|s| s.center)
        .unwrap_or((144.9834, -37.8200));
    if app.fit_pending
        && let Some(s) = &app.shapes
    {
        if let Some(z) = fit_zoom(&s.boundary.rings, ui.available_size()) {
            // Clamped to walkers' range above, so this cannot fail.
            let _ = app.map_memory.set_zoom(z);
        }
        app.map_memory.center_at(lon_lat(center.0, center.1));
        app.fit_pending = false;
    }
    let attribution = app.tiles.as_ref().map(|t| t.attribution());
    let mut m = walkers::Map::new(None, &mut app.map_memory, lon_lat(center.0, center.1));
    if let Some(t) = app.tiles.as_deref_mut() {
        m = m.with_layer(t, 1.0);
    }
    let view = MapData {
        app_layers: app.layers,
        shapes: app.shapes.as_ref(),
        legs: &app.legs,
        fences: &app.fence_rings,
        vehicles: &app.vehicles,
        frames: &app.frames,
        detections: &app.detections,
        alarms: &app.alarms,
        theme: app.theme,
    };
    m.show(ui, |ui, _response, projector, _memory| {
        let painter = ui.painter().with_clip_rect(projector.clip_rect());
        if palette.tile_dim.a() > 0 {
            painter.rect_filled(projector.clip_rect(), 0.0, palette.tile_dim);
        }
        map::draw_grid_and_scale(ui, projector, center, palette, view.app_layers.grid);
        draw_layers(&painter, projector, &view, palette);
        if let Some(a) = attribution {
            let r = projector.clip_rect();
            let at =
                egui::Rect::from_min_max(r.right_bottom() - vec2(260.0, 20.0), r.right_bottom());
            if a.url.is_empty() {
                ui.put(at, egui::Label::new(RichText::new(a.text).small()));
            } else {
                ui.put(
                    at,
                    egui::Hyperlink::from_label_and_url(RichText::new(a.text).small(), a.url),
                );
            }
        }
    });
}

/// What the map draws, borrowed from the app while the map holds its memory.
struct MapData<'a> {
    app_layers: super::LayerToggles,
    shapes: Option<&'a super::VenueShapes>,
    legs: &'a [super::Leg],
    fences: &'a [super::layers::FenceRing],
    vehicles: &'a std::collections::BTreeMap<u8, super::VehicleView>,
    frames: &'a [super::FrameFootprintView],
    detections: &'a [super::DetectionView],
    alarms: &'a [super::AlarmView],
    theme: Theme,
}

fn label(painter: &egui::Painter, at: egui::Pos2, text: String, p: &Palette) {
    let galley = painter.layout_no_wrap(text, FontId::proportional(12.0), p.text);
    let r = Align2::LEFT_CENTER
        .anchor_size(at, galley.size())
        .expand(2.0);
    painter.rect_filled(r, 2.0, p.label_bg);
    painter.galley(r.min + vec2(2.0, 2.0), galley, p.text);
}

fn draw_layers(painter: &egui::Painter, pr: &Projector, v: &MapData<'_>, p: &Palette) {
    let l = v.app_layers;
    if let Some(s) = v.shapes {
        if l.boundary {
            draw_area(
                painter,
                pr,
                &s.boundary,
                p.boundary_fill,
                Stroke::new(2.5, p.boundary),
            );
        }
        if l.zones {
            for z in &s.risk {
                let fill = p.risk.gamma_multiply(0.08 * f32::from(z.level.clamp(1, 4)));
                draw_area(painter, pr, &z.area, fill, Stroke::new(1.5, p.risk));
            }
            for z in &s.no_fly {
                draw_area(
                    painter,
                    pr,
                    &z.area,
                    p.no_fly.gamma_multiply(0.25),
                    Stroke::new(2.0, p.no_fly),
                );
            }
        }
        if l.cameras {
            for c in &s.cameras {
                draw_area(
                    painter,
                    pr,
                    &c.footprint,
                    p.footprint_fill,
                    Stroke::new(1.0, p.camera),
                );
            }
        }
        if l.blind_spots {
            draw_area(painter, pr, &s.blind, p.blind_fill, Stroke::NONE);
        }
        if l.cameras {
            for c in &s.cameras {
                let at = screen(pr, c.position);
                painter.circle(at, 5.0, p.camera, Stroke::new(1.5, p.label_bg));
            }
        }
        if let Some(h) = s.home {
            let at = screen(pr, h);
            painter.text(
                at,
                Align2::CENTER_CENTER,
                "H",
                FontId::proportional(16.0),
                p.text,
            );
        }
        if l.zones {
            for z in s.no_fly.iter().chain(&s.risk) {
                if let Some(first) = z.area.rings.first().and_then(|r| r.first()) {
                    label(painter, screen(pr, *first), z.name.clone(), p);
                }
            }
        }
    }
    if l.fences {
        for f in v.fences {
            let c = if f.inclusion { p.fence_in } else { p.fence_out };
            let pts: Vec<egui::Pos2> = f.ring.iter().map(|&q| screen(pr, q)).collect();
            painter.add(Shape::dashed_line(&pts, Stroke::new(1.5, c), 8.0, 5.0));
        }
    }
    if l.thermal {
        for f in v.frames {
            let pts = f.corners.iter().map(|&q| screen(pr, q)).collect();
            painter.add(Shape::convex_polygon(
                pts,
                p.thermal,
                Stroke::new(1.0, p.thermal),
            ));
        }
    }
    if l.route {
        draw_route(painter, pr, v.legs, p);
    }
    if l.vehicles {
        for veh in v.vehicles.values() {
            let trail: Vec<egui::Pos2> = veh
                .trail
                .iter()
                .chain(std::iter::once(&(veh.lon_deg, veh.lat_deg)))
                .map(|&q| screen(pr, q))
                .collect();
            painter.add(Shape::line(trail, Stroke::new(2.0, p.trail)));
            let at = screen(pr, (veh.lon_deg, veh.lat_deg));
            let h = veh.heading_deg.to_radians() as f32;
            let d = vec2(h.sin(), -h.cos());
            let n = vec2(-d.y, d.x);
            let icon = vec![
                at + d * 14.0,
                at - d * 8.0 + n * 8.0,
                at - d * 4.0,
                at - d * 8.0 - n * 8.0,
            ];
            painter.add(Shape::convex_polygon(
                icon.clone(),
                p.vehicle,
                Stroke::new(1.5, p.label_bg),
            ));
            let batt = veh
                .battery_pct
                .map(|b| format!(" {b:.0}%"))
                .unwrap_or_default();
            label(
                painter,
                at + vec2(16.0, 0.0),
                format!("#{} {}{}", veh.system_id, veh.mode, batt),
                p,
            );
        }
    }
    if l.detections {
        for d in v.detections {
            let at = screen(pr, (d.lon_deg, d.lat_deg));
            painter.circle(at, 6.0, p.detection, Stroke::new(2.0, p.label_bg));
            label(
                painter,
                at + vec2(9.0, 0.0),
                format!("{} {:.0}°C", d.label, d.temp_c),
                p,
            );
        }
    }
    if l.alarms {
        for a in v.alarms.iter().filter(|a| !a.acknowledged && !a.cleared) {
            if let Some(q) = a.position {
                let at = screen(pr, q);
                let c = grade_color(a.grade, v.theme);
                painter.circle_stroke(at, 14.0, Stroke::new(3.0, c));
                painter.text(
                    at + vec2(0.0, -18.0),
                    Align2::CENTER_BOTTOM,
                    "!",
                    FontId::proportional(16.0),
                    c,
                );
            }
        }
    }
}

fn draw_route(painter: &egui::Painter, pr: &Projector, legs: &[super::Leg], p: &Palette) {
    // Consecutive legs of one sortie are drawn as one polyline, with an arrow every ~80 px.
    let clip = pr.clip_rect().expand(20.0);
    let mut pts: Vec<egui::Pos2> = Vec::new();
    let mut color = p.route[0];
    let mut since_arrow = 0.0f32;
    let mut sortie = usize::MAX;
    for leg in legs {
        let from = screen(pr, leg.from);
        let joined = pts.last().is_some_and(|&q| (q - from).length() < 0.5);
        if leg.sortie != sortie || !joined {
            if pts.len() > 1 {
                painter.add(Shape::line(
                    std::mem::take(&mut pts),
                    Stroke::new(3.0, color),
                ));
            }
            pts.clear();
            pts.push(from);
            sortie = leg.sortie;
            color = p.route[sortie % p.route.len()];
        }
        let to = screen(pr, leg.to);
        let seg = to - from;
        since_arrow += seg.length();
        if since_arrow > 80.0 && clip.contains(from + seg * 0.5) {
            arrow_head(painter, from + seg * 0.5, seg, 6.0, color);
            since_arrow = 0.0;
        }
        pts.push(to);
    }
    if pts.len() > 1 {
        painter.add(Shape::line(pts, Stroke::new(3.0, color)));
    }
}
