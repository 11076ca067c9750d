//! One frame of the desktop app on the CPU (layout, map projection, layers, tessellation into
//! triangles) with a 3000-waypoint route, 5 vehicles with 600-point trails, 20 detections, 20
//! thermal footprints and the stadium venue, in a 1400×900 window. GPU rasterisation is not
//! included (egui_kittest without wgpu renders nothing).

use criterion::{Criterion, criterion_group, criterion_main};
use vigil::app::{AppConfig, DetectionView, FrameFootprintView, VehicleView, VigilApp};
use vigil::mission::{Mission, MissionItem};

fn app() -> VigilApp {
    let venue =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("missions/stadium.geojson");
    let mut app = VigilApp::new(&AppConfig {
        venue: Some(venue),
        ..AppConfig::default()
    });
    let frame = app.venue.as_ref().expect("venue").frame;
    // A 3000-waypoint lawnmower over 300 × 240 m, cut into 4 sorties.
    let mut m = Mission::default();
    for i in 0..3000 {
        let row = i / 2;
        let east = if (row % 2 == 0) == (i % 2 == 0) {
            -150.0
        } else {
            150.0
        };
        let north = -120.0 + 240.0 * row as f64 / 1500.0;
        let (lon, lat) = frame.to_wgs84(east, north);
        let command = if i > 0 && i % 750 == 0 { 20 } else { 16 };
        m.items.push(MissionItem {
            command,
            frame: 3,
            params: [0.0; 4],
            lat_deg: lat,
            lon_deg: lon,
            alt_m: 40.0,
            autocontinue: true,
        });
    }
    app.add_mission(m);
    for id in 1..=5u8 {
        let (lon, lat) = frame.to_wgs84(-100.0 + 40.0 * f64::from(id), 0.0);
        let mut v = VehicleView::new(id, lat, lon);
        v.mode = "AUTO".into();
        v.battery_pct = Some(80.0);
        for k in 0..600 {
            let (lon, lat) = frame.to_wgs84(-100.0 + 40.0 * f64::from(id), -100.0 + k as f64 * 0.3);
            v.move_to(lat, lon);
        }
        app.update_vehicle(v);
    }
    for k in 0..20 {
        let (lon, lat) = frame.to_wgs84(-90.0 + 9.0 * k as f64, 60.0);
        app.detections.push(DetectionView {
            lat_deg: lat,
            lon_deg: lon,
            temp_c: 34.0,
            label: "person".into(),
        });
        let c = |e: f64, n: f64| frame.to_wgs84(-90.0 + 9.0 * k as f64 + e, -60.0 + n);
        app.frames.push(FrameFootprintView {
            corners: [c(-10.0, 8.0), c(10.0, 8.0), c(10.0, -8.0), c(-10.0, -8.0)],
            mean_temp_c: 12.0,
        });
    }
    app
}

fn bench(c: &mut Criterion) {
    let mut app = app();
    let ctx = egui::Context::default();
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1400.0, 900.0),
        )),
        ..Default::default()
    };
    // Warm up: fonts, the fit to the venue.
    for _ in 0..3 {
        let mut out = ctx.run_ui(input(), |ui| app.show(ui));
        out.textures_delta.clear();
        let _ = ctx.tessellate(out.shapes, out.pixels_per_point);
    }
    c.bench_function("app frame: 3000 waypoints, 5 trails, 20 detections", |b| {
        b.iter(|| {
            let mut out = ctx.run_ui(input(), |ui| app.show(ui));
            out.textures_delta.clear();
            ctx.tessellate(out.shapes, out.pixels_per_point)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
