//! Headless UI tests of the desktop app with egui_kittest (accessibility tree, no GPU): the
//! sample venue loads with the library's blind-spot figures, layers toggle, a route checked
//! against the fence raises an orange alarm that the operator acknowledges, a vehicle's HUD
//! shows its telemetry, and the red theme leaves nothing green or blue in the panels.
#![cfg(feature = "app")]

use std::path::PathBuf;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use geo::InteriorPoint;
use vigil::app::{AlarmGrade, AppConfig, Tab, Theme, VehicleView, VigilApp};
use vigil::area::{LocalFrame, Selection, Venue, blind_spots, read_venue};
use vigil::mission::{GeoPoint, Mission, MissionItem, write_mission};

fn stadium() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("missions/stadium.geojson")
}

fn waypoint(frame: &LocalFrame, east_m: f64, north_m: f64) -> MissionItem {
    let (lon, lat) = frame.to_wgs84(east_m, north_m);
    MissionItem {
        command: 16,
        frame: 3,
        params: [0.0; 4],
        lat_deg: lat,
        lon_deg: lon,
        alt_m: 30.0,
        autocontinue: true,
    }
}

/// A route through an interior point of every blind spot, plus (when `stray`) one waypoint
/// 400 m east of the venue's centre, well outside its boundary.
fn route(venue: &Venue, stray: bool) -> Mission {
    let blind = blind_spots(venue);
    let mut m = Mission::default();
    let f = &venue.frame;
    for region in &blind.regions.0 {
        if let Some(p) = region.interior_point() {
            m.items.push(waypoint(f, p.x(), p.y()));
        }
    }
    if stray {
        m.items.push(waypoint(f, 400.0, 0.0));
    }
    let (lon, lat) = f.to_wgs84(0.0, 0.0);
    m.planned_home = Some(GeoPoint {
        lat_deg: lat,
        lon_deg: lon,
        alt_m: 0.0,
    });
    m
}

fn harness(app: VigilApp) -> Harness<'static, VigilApp> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut VigilApp| app.show(ui), app)
}

fn open_tab(h: &mut Harness<'_, VigilApp>, tab: Tab) {
    h.state_mut().tab = tab;
    h.run_steps(2);
}

#[test]
fn the_sample_venue_shows_the_library_blind_spot_figures() {
    let venue = read_venue(&stadium(), &Selection::default()).expect("sample venue reads");
    let blind = blind_spots(&venue);
    let app = VigilApp::new(&AppConfig {
        venue: Some(stadium()),
        ..AppConfig::default()
    });
    let mut h = harness(app);
    h.run_steps(2);
    open_tab(&mut h, Tab::Plan);
    let expected = format!(
        "{} regions, {:.0} m² ({:.1} %)",
        blind.count,
        blind.blind_area_m2,
        blind.blind_share * 100.0
    );
    assert!(blind.count > 0, "the sample venue has blind spots");
    h.get_by_label(&expected);
    h.get_by_label(&venue.name);
    // The map layers were built from the same venue: one footprint per camera.
    let shapes = h.state().shapes.as_ref().expect("shapes");
    assert_eq!(shapes.cameras.len(), venue.cameras.len());
    assert_eq!(shapes.blind_count, blind.count);
}

#[test]
fn layers_toggle_from_their_checkboxes() {
    let mut h = harness(VigilApp::new(&AppConfig {
        venue: Some(stadium()),
        ..AppConfig::default()
    }));
    h.run_steps(2);
    assert!(h.state().layers.blind_spots);
    h.get_by_label("Blind spots").click();
    h.run_steps(2);
    assert!(!h.state().layers.blind_spots);
    assert!(h.state().layers.boundary, "other layers untouched");
    h.get_by_label("Boundary").click();
    h.run_steps(2);
    assert!(!h.state().layers.boundary);
}

#[test]
fn a_route_leaving_the_fence_raises_an_orange_alarm_that_is_acknowledged() {
    let venue = read_venue(&stadium(), &Selection::default()).expect("sample venue reads");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("stray.plan");
    let mission = route(&venue, true);
    let n_items = mission.items.len();
    write_mission(&path, &mission).expect("mission written");

    let mut h = harness(VigilApp::new(&AppConfig {
        venue: Some(stadium()),
        missions: vec![path],
        ..AppConfig::default()
    }));
    h.run_steps(2);
    assert_eq!(h.state().missions.len(), 1);
    assert_eq!(h.state().missions[0].items.len(), n_items);
    // One leg fewer than waypoints: the route is drawn as connected legs.
    assert_eq!(h.state().legs.len(), n_items - 1);

    open_tab(&mut h, Tab::Plan);
    h.get_by_label("Check against fence").click();
    h.run_steps(2);
    let alarms = &h.state().alarms;
    let stray = alarms
        .iter()
        .find(|a| a.grade == AlarmGrade::Orange && a.title.contains("outside"))
        .unwrap_or_else(|| panic!("an orange alarm for the stray waypoint, got {alarms:#?}"));
    let (lon, lat) = stray.position.expect("the alarm says where");
    let (e, n) = venue.frame.to_local(lon, lat);
    assert!(
        e > 100.0,
        "the worst place is east, outside the venue: {e:.0} m, {n:.0} m"
    );
    let open = alarms.iter().filter(|a| !a.acknowledged).count();

    // The tab label counts open alarms; acknowledging one takes it down by one.
    h.get_by_label(&format!("Alarms ({open})")).click();
    h.run_steps(2);
    assert_eq!(h.state().tab, Tab::Alarms);
    h.get_all_by_label("Acknowledge")
        .next()
        .expect("an acknowledge button")
        .click();
    h.run_steps(2);
    let acked: Vec<_> = h.state().alarms.iter().filter(|a| a.acknowledged).collect();
    assert_eq!(acked.len(), 1);
    // The list is sorted most urgent first: the acknowledged one is an orange one.
    assert_eq!(acked[0].grade, AlarmGrade::Orange);
    assert!(
        h.state()
            .log
            .iter()
            .any(|l| l.text.starts_with("acknowledged: "))
    );
    if open > 1 {
        h.get_by_label(&format!("Alarms ({})", open - 1));
    } else {
        h.get_by_label("Alarms");
    }
}

#[test]
fn a_route_inside_the_venue_passes_the_fence_check() {
    let venue = read_venue(&stadium(), &Selection::default()).expect("sample venue reads");
    let mut app = VigilApp::new(&AppConfig {
        venue: Some(stadium()),
        ..AppConfig::default()
    });
    app.add_mission(route(&venue, false));
    let mut h = harness(app);
    open_tab(&mut h, Tab::Plan);
    h.get_by_label("Check against fence").click();
    h.run_steps(2);
    let outside: Vec<_> = h
        .state()
        .alarms
        .iter()
        .filter(|a| a.title.contains("outside"))
        .collect();
    assert!(outside.is_empty(), "{outside:#?}");
}

#[test]
fn the_fly_tab_shows_a_vehicle_hud() {
    let mut app = VigilApp::new(&AppConfig::default());
    let mut v = VehicleView::new(3, -37.8250, 144.9850);
    v.mode = "AUTO".into();
    v.armed = true;
    v.battery_pct = Some(76.4);
    v.alt_m = 42.25;
    v.ground_speed_mps = 8.04;
    v.gps_fix = 3;
    v.satellites = 14;
    v.link_quality_pct = 97.0;
    app.update_vehicle(v.clone());
    v.move_to(-37.8251, 144.9851);
    app.update_vehicle(v);
    let mut h = harness(app);
    open_tab(&mut h, Tab::Fly);
    h.get_by_label("Vehicle 3");
    h.get_by_label("AUTO");
    h.get_by_label("ARMED");
    h.get_by_label("76 %");
    h.get_by_label("42.2 m");
    h.get_by_label("8.0 m/s");
    h.get_by_label("fix 3 · 14 sats");
    assert_eq!(h.state().vehicles[&3].trail.len(), 1);
    assert_eq!(h.state().history[&3].alt_m.len(), 2);
}

#[test]
fn the_red_theme_paints_panels_black_and_text_red() {
    let mut h = harness(VigilApp::new(&AppConfig {
        theme: Theme::Red,
        ..AppConfig::default()
    }));
    h.run_steps(2);
    let visuals = h.ctx.global_style().visuals.clone();
    assert_eq!(visuals.panel_fill, egui::Color32::BLACK);
    let text = visuals.override_text_color.expect("text colour set");
    let [_, g, b, _] = text.to_srgba_unmultiplied();
    assert_eq!((g, b), (0, 0));
}

#[test]
fn pressing_plan_draws_the_planner_route_and_exports_it() {
    let mut h = harness(VigilApp::new(&AppConfig {
        venue: Some(stadium()),
        ..AppConfig::default()
    }));
    open_tab(&mut h, Tab::Plan);
    h.get_by_label("Plan sweep").click();
    h.run_steps(2);
    let app = h.state();
    let report = app.plan_report.clone().expect("a plan report");
    assert!(!app.missions.is_empty());
    assert_eq!(app.missions.len(), report.sorties);
    // Every mission item with a position becomes a route point: legs join them sortie by sortie.
    assert!(app.legs.len() > 10, "{} legs", app.legs.len());
    assert!(
        report.coverage_pct > 90.0,
        "coverage {}",
        report.coverage_pct
    );
    assert_eq!(report.legs_violating, 0);
    h.get_by_label(&format!(
        "{:.2} % of {:.0} m²",
        report.coverage_pct, report.blind_area_m2
    ));

    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("sweep.waypoints");
    let written = h.state_mut().export_missions(&out);
    assert_eq!(written.len(), report.sorties);
    let (back, _) = vigil::mission::read_mission(&written[0]).expect("exported mission reads");
    assert_eq!(back.items.len(), h.state().missions[0].items.len());
}

/// Steps the UI until `done` holds, or panics after `limit_s` seconds of real time (the
/// simulator and the link run on their own threads).
fn step_until(
    h: &mut Harness<'_, VigilApp>,
    limit_s: f64,
    what: &str,
    done: impl Fn(&VigilApp) -> bool,
) {
    let start = std::time::Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed().as_secs_f64() < limit_s,
            "{what}: not within {limit_s} s; log: {:#?}",
            h.state().log
        );
        h.step();
        std::thread::park_timeout(std::time::Duration::from_millis(20));
    }
    h.step();
}

#[test]
fn connect_to_the_simulator_upload_and_watch_it_take_off() {
    let mut h = harness(VigilApp::new(&AppConfig {
        venue: Some(stadium()),
        ..AppConfig::default()
    }));
    // A route of plain waypoints through the blind spots. (The planner's missions carry a
    // DO_CHANGE_SPEED whose throttle -1 the simulator reads back as 0, so their verified
    // upload fails today: reported to the lead.)
    let venue = read_venue(&stadium(), &Selection::default()).expect("sample venue reads");
    h.state_mut().add_mission(route(&venue, false));

    // The simulator at 4× real time, connected over local TCP.
    let conn = h
        .state_mut()
        .start_simulator(4.0, None)
        .expect("simulator starts");
    assert!(conn.starts_with("tcp:127.0.0.1:"), "{conn}");
    open_tab(&mut h, Tab::Fly);
    step_until(&mut h, 30.0, "vehicle heard", |a| {
        a.vehicles.get(&1).is_some_and(|v| v.gps_fix >= 3)
    });
    h.get_by_label("Vehicle 1");
    let home = h
        .state()
        .shapes
        .as_ref()
        .and_then(|s| s.home)
        .expect("home");
    let v = &h.state().vehicles[&1];
    let frame = vigil::area::LocalFrame::new(home.0, home.1);
    let (e, n) = frame.to_local(v.lon_deg, v.lat_deg);
    assert!(
        e.hypot(n) < 10.0,
        "the simulator starts at the venue's home: {e:.1}, {n:.1}"
    );

    // Upload, verified by reading back.
    h.get_by_label("Upload route").click();
    h.run_steps(1);
    step_until(&mut h, 60.0, "upload verified", |a| {
        a.fly
            .as_ref()
            .and_then(|f| f.upload.lock().ok().and_then(|p| p.clone()))
            .is_some_and(|p| p.finished)
    });
    let p = h
        .state()
        .fly
        .as_ref()
        .and_then(|f| f.upload.lock().ok().and_then(|p| p.clone()));
    assert!(
        p.as_ref().is_some_and(|p| p.ok),
        "{p:?}; log: {:#?}",
        h.state().log
    );
    assert!(
        h.state()
            .log
            .iter()
            .any(|l| l.text.contains("items uploaded and verified")),
        "{:#?}",
        h.state().log
    );

    // Arm: asks first; cancelling sends nothing.
    h.get_by_label("Arm").click();
    h.run_steps(2);
    h.get_by_label("This makes the drone move.");
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(h.state().pending_command.is_none());
    assert!(!h.state().vehicles[&1].armed);
    h.get_by_label("Arm").click();
    h.run_steps(2);
    h.get_by_label("Yes, arm").click();
    h.run_steps(2);
    step_until(&mut h, 60.0, "armed", |a| a.vehicles[&1].armed);

    h.get_by_label("Take off").click();
    h.run_steps(2);
    h.get_by_label("Yes, take off").click();
    h.run_steps(2);
    step_until(&mut h, 60.0, "climbed to 10 m", |a| {
        a.vehicles[&1].alt_m > 10.0
    });
    let v = &h.state().vehicles[&1];
    assert!(!v.trail.is_empty(), "the vehicle left a trail");
    assert!(h.state().history[&1].alt_m.len() > 2, "altitude plotted");
    open_tab(&mut h, Tab::Plots);
    h.get_by_label("Altitude (m)");
    h.get_by_label("Battery (%)");
    h.get_by_label("Link quality (%)");
    // Return, confirmed: the simulator switches to RTL.
    open_tab(&mut h, Tab::Fly);
    h.get_by_label("Return").click();
    h.run_steps(2);
    h.get_by_label("Yes, return").click();
    h.run_steps(2);
    step_until(&mut h, 30.0, "RTL mode", |a| a.vehicles[&1].mode == "RTL");
}

#[test]
fn live_telemetry_outside_the_fence_raises_a_monitor_alarm_the_operator_acknowledges() {
    use vigil::link::state::{Position, VehicleState};
    let venue = read_venue(&stadium(), &Selection::default()).expect("sample venue reads");
    let mut h = harness(VigilApp::new(&AppConfig {
        venue: Some(stadium()),
        ..AppConfig::default()
    }));
    h.run_steps(1);
    // An armed vehicle: first hovering inside, then flying east at 8 m/s beyond the east edge.
    let state_at = |east_m: f64, speed_mps: f32| {
        let (lon, lat) = venue.frame.to_wgs84(east_m, 0.0);
        let mut s = VehicleState::new(1, 1);
        s.armed = true;
        s.mode = Some("AUTO".into());
        s.groundspeed_mps = Some(speed_mps);
        s.heading_deg = Some(90.0);
        s.position = Some(Position {
            lat_deg: lat,
            lon_deg: lon,
            alt_rel_m: 30.0,
            ..Position::default()
        });
        s
    };
    // Hovering between the pitch and the east edge: nothing to report.
    h.state_mut().on_telemetry(&state_at(110.0, 0.0));
    h.run_steps(1);
    assert!(
        h.state().alarms.iter().all(|a| a.monitor_id.is_none()),
        "{:#?}",
        h.state().alarms
    );
    let mut out = state_at(260.0, 8.0);
    out.status_texts.push_back(vigil::link::state::StatusText {
        at: std::time::Duration::from_secs(5),
        severity: 2,
        text: "Fence breached".into(),
        seq: 1,
    });
    h.state_mut().on_telemetry(&out);
    // The same text again is not logged twice.
    h.state_mut().on_telemetry(&out);
    let texts: Vec<_> = h
        .state()
        .log
        .iter()
        .filter(|l| l.text == "vehicle 1: Fence breached")
        .collect();
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].level, vigil::app::LogLevel::Error);
    h.run_steps(1);
    let alarm = h
        .state()
        .alarms
        .iter()
        .find(|a| a.monitor_id.is_some() && a.grade >= AlarmGrade::Orange)
        .unwrap_or_else(|| panic!("a breach alarm; got {:#?}", h.state().alarms))
        .clone();
    assert!(alarm.title.starts_with("vehicle 1: "), "{}", alarm.title);
    let (lon, _) = alarm.position.expect("where");
    let (e, _) = venue.frame.to_local(lon, venue.frame.lat0_deg);
    assert!(
        (e - 260.0).abs() < 5.0,
        "the alarm is where the vehicle is: {e:.1} m east"
    );

    open_tab(&mut h, Tab::Alarms);
    h.get_all_by_label("Acknowledge")
        .next()
        .expect("an acknowledge button")
        .click();
    h.run_steps(2);
    let mid = alarm.monitor_id.expect("monitor id");
    let acked = h
        .state()
        .alarms
        .iter()
        .find(|a| a.id == alarm.id)
        .expect("alarm");
    assert!(acked.acknowledged);
    let monitor = h.state().monitor.as_ref().expect("monitor");
    let m = monitor
        .alarms()
        .iter()
        .find(|a| a.id == mid)
        .expect("still active");
    assert!(
        m.acknowledged_s.is_some(),
        "the monitor knows it was acknowledged"
    );
}

#[test]
fn the_thermal_panel_shows_the_temperature_under_the_cursor_and_boxes_a_person() {
    use vigil::app::thermal_view::ThermalView;
    use vigil::thermal::{Calibration, Frame};
    // A 32×24 frame at 10 °C with one 4×4 person at 33 °C (centikelvin).
    let mut samples = vec![28_315u16; 32 * 24];
    for y in 10..14 {
        for x in 8..12 {
            samples[y * 32 + x] = 30_615;
        }
    }
    let frame = Frame::new(32, 24, samples, Calibration::CentiKelvin, "synthetic").expect("frame");
    let mut app = VigilApp::new(&AppConfig::default());
    app.thermal = Some(ThermalView::new(frame, "synthetic"));
    let mut h = harness(app);
    open_tab(&mut h, Tab::Thermal);
    h.get_by_label("Hot spots: 1 (1 people)");
    h.get_by_label("32 × 24 px, 10.0 to 33.0 °C");
    let rect = h
        .state()
        .thermal
        .as_ref()
        .and_then(|t| t.shown_rect)
        .expect("drawn");
    // Pixel (9, 11) is inside the person; (1, 1) is background.
    let at = |x: f32, y: f32| rect.min + egui::vec2(x + 0.5, y + 0.5) * (rect.width() / 32.0);
    h.input_mut()
        .events
        .push(egui::Event::PointerMoved(at(9.0, 11.0)));
    h.run_steps(2);
    h.get_by_label("Under cursor: 33.0 °C");
    h.input_mut()
        .events
        .push(egui::Event::PointerMoved(at(1.0, 1.0)));
    h.run_steps(2);
    h.get_by_label("Under cursor: 10.0 °C");
}

#[test]
fn a_real_flir_radiometric_jpeg_opens_in_the_thermal_panel() {
    use vigil::app::thermal_view::ThermalView;
    let Some(data) =
        vigil::testdata::shared_data("a_real_flir_radiometric_jpeg_opens_in_the_thermal_panel")
    else {
        return;
    };
    let path = data.join("thermal/read_thermal_flir_example.jpg");
    let view = ThermalView::open(&path).expect("the JPEG decodes");
    let stats = view.frame.stats();
    let mut app = VigilApp::new(&AppConfig::default());
    app.thermal = Some(view);
    let mut h = harness(app);
    open_tab(&mut h, Tab::Thermal);
    let f = &h.state().thermal.as_ref().expect("view").frame;
    h.get_by_label(&format!(
        "{} × {} px, {:.1} to {:.1} °C",
        f.width, f.height, stats.min_c, stats.max_c
    ));
    assert!(stats.max_c > stats.min_c);
}

#[test]
fn a_tile_server_shows_its_attribution_and_the_layers_still_draw_without_tiles() {
    // A server that cannot answer (nothing listens on port 9): no network in tests.
    let cache = tempfile::tempdir().expect("tempdir");
    let mut app = VigilApp::new(&AppConfig {
        venue: Some(stadium()),
        tile_cache: Some(cache.path().to_path_buf()),
        ..AppConfig::default()
    });
    app.set_tiles(vigil::app::TileChoice::Url(
        "http://127.0.0.1:9/{z}/{x}/{y}.png".into(),
    ));
    let mut h = harness(app);
    h.run_steps(3);
    h.get_by_label("Map tiles: custom server (see its terms)");
    assert!(h.state().shapes.is_some());
    // Back to no tiles: the attribution goes.
    h.get_by_label("None (offline: layers, grid, scale)")
        .click();
    h.run_steps(2);
    assert_eq!(h.state().tile_choice(), &vigil::app::TileChoice::None);
    assert!(
        h.query_by_label("Map tiles: custom server (see its terms)")
            .is_none()
    );
}
