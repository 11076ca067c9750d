//! The ground monitor's cost: 10 fences of 50 vertices, 20 vehicles at 10 Hz. One iteration is
//! one simulated second of telemetry (200 samples, positions in WGS84 so the projection is
//! counted); the target is under 10 ms (1 % of one core).

use std::f64::consts::TAU;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vigil::area::LocalFrame;
use vigil::fence::{
    Fence, FenceArea, FenceShape, Monitor, MonitorConfig, SamplePosition, TelemetrySample,
};
use vigil::mission::LatLon;

const VERTICES: usize = 50;
const VEHICLES: u8 = 20;
const RATE_HZ: u32 = 10;

fn frame() -> LocalFrame {
    LocalFrame::new(149.165_230, -35.363_261)
}

fn ll(f: &LocalFrame, e: f64, n: f64) -> LatLon {
    let (lon, lat) = f.to_wgs84(e, n);
    LatLon {
        lat_deg: lat,
        lon_deg: lon,
    }
}

/// A 50-vertex star-ish ring of mean radius `r` around (cx, cy).
fn ring(f: &LocalFrame, cx: f64, cy: f64, r: f64) -> Vec<LatLon> {
    (0..VERTICES)
        .map(|i| {
            let a = TAU * i as f64 / VERTICES as f64;
            let rr = r * (1.0 + 0.08 * (5.0 * a).sin());
            ll(f, cx + rr * a.cos(), cy + rr * a.sin())
        })
        .collect()
}

/// One inclusion of 1.5 km radius and nine 60 m exclusions inside it.
fn fence(f: &LocalFrame) -> Fence {
    let mut areas = vec![FenceArea {
        name: "boundary".into(),
        inclusion: true,
        shape: FenceShape::Polygon(ring(f, 0.0, 0.0, 1500.0)),
    }];
    for k in 0..9 {
        let a = TAU * f64::from(k) / 9.0;
        areas.push(FenceArea {
            name: format!("no-fly {k}"),
            inclusion: false,
            shape: FenceShape::Polygon(ring(f, 800.0 * a.cos(), 800.0 * a.sin(), 60.0)),
        });
    }
    Fence {
        areas,
        ceiling_m: Some(120.0),
        floor_m: None,
        return_point: None,
    }
}

/// Vehicle `v` at time `t`: circles of different radii, some crossing fences.
fn sample(f: &LocalFrame, v: u8, t: f64) -> TelemetrySample {
    let r = 300.0 + 60.0 * f64::from(v);
    let w = 8.0 / r;
    let a = w * t + f64::from(v);
    TelemetrySample {
        vehicle: v + 1,
        time_s: t,
        position: SamplePosition::LatLon(ll(f, r * a.cos(), r * a.sin())),
        alt_rel_m: 60.0,
        velocity_mps: [-8.0 * a.sin(), 8.0 * a.cos(), 0.0],
        battery_pct: Some(70.0),
        gps_fix: Some(3),
        ekf_ok: Some(true),
        mode: Some("AUTO".into()),
        fence_breached: Some(false),
        armed: true,
    }
}

fn bench(c: &mut Criterion) {
    let f = frame();
    let fence = fence(&f);
    // Telemetry for one minute, made up front so that only the monitor is timed.
    let seconds = 60u32;
    let mut samples: Vec<Vec<TelemetrySample>> = (0..seconds)
        .map(|s| {
            (0..RATE_HZ)
                .flat_map(|k| {
                    let t = f64::from(s) + f64::from(k) / f64::from(RATE_HZ);
                    (0..VEHICLES).map(move |v| (v, t))
                })
                .map(|(v, t)| sample(&f, v, t))
                .collect()
        })
        .collect();

    let mut monitor = Monitor::new(&fence, f, MonitorConfig::default());
    let mut second = 0usize;
    let mut alarms = 0usize;
    c.bench_function(
        "monitor one simulated second (10 fences x 50 vertices, 20 vehicles, 10 Hz)",
        |b| {
            b.iter(|| {
                let batch = &mut samples[second % seconds as usize];
                for s in batch.iter() {
                    alarms += black_box(monitor.on_sample(s)).len();
                }
                // The clock keeps going when the minute of telemetry is replayed.
                for s in batch.iter_mut() {
                    s.time_s += f64::from(seconds);
                }
                second += 1;
            });
        },
    );
    black_box(alarms);
}

criterion_group!(benches, bench);
criterion_main!(benches);
