//! Planner benchmark: a 1 km² venue with 100 seeded cameras and 10 no-fly zones, from blind
//! spots to a checked plan on one core; and the coverage measurement on its own.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use geo_types::{Coord, MultiPolygon, Point, polygon};
use vigil::area::{Home, LocalFrame, Venue, Zone, blind_spots, seeded_cameras};
use vigil::planner::{Keepout, PlanInput, PlanOptions, SwathSpec, ThermalCamera, plan};

/// A 1 km × 1 km venue with ten 40 m no-fly squares (5 m margin) on a grid, home near a corner,
/// and 100 cameras from the area module's seeded generator.
pub fn venue_1km2() -> Venue {
    let boundary = MultiPolygon(vec![polygon![
        (x: -500.0, y: -500.0), (x: 500.0, y: -500.0), (x: 500.0, y: 500.0), (x: -500.0, y: 500.0)
    ]]);
    let no_fly = (0..10)
        .map(|i| {
            let (cx, cy) = (
                -350.0 + 175.0 * (i % 5) as f64,
                if i < 5 { -180.0 } else { 200.0 },
            );
            Zone {
                name: format!("zone {i}"),
                area: MultiPolygon(vec![polygon![
                    (x: cx - 20.0, y: cy - 20.0), (x: cx + 20.0, y: cy - 20.0),
                    (x: cx + 20.0, y: cy + 20.0), (x: cx - 20.0, y: cy + 20.0)
                ]]),
                margin_m: 5.0,
            }
        })
        .collect();
    let mut v = Venue {
        name: "bench".into(),
        frame: LocalFrame::new(144.9717, -37.8183),
        boundary,
        no_fly,
        obstacles: vec![],
        cameras: vec![],
        risk: vec![],
        home: Some(Home {
            position: Point::new(-480.0, -480.0),
            alt_m: None,
        }),
        warnings: vec![],
    };
    v.cameras = seeded_cameras(&v, 100, 42);
    v
}

fn input_of(v: &Venue) -> PlanInput {
    PlanInput {
        boundary: v.boundary.clone(),
        keepouts: v
            .no_fly
            .iter()
            .map(|z| Keepout::grown(&z.name, &z.area, z.margin_m))
            .collect(),
        blind: blind_spots(v).regions,
        risk: vec![],
        home: v.home.map_or(Coord { x: 0.0, y: 0.0 }, |h| h.position.0),
    }
}

fn opts() -> PlanOptions {
    PlanOptions {
        swath: SwathSpec::Camera {
            camera: ThermalCamera::preset("h20t").expect("preset"),
            side_overlap: 0.2,
        },
        ..PlanOptions::default()
    }
}

fn bench(c: &mut Criterion) {
    let v = venue_1km2();
    let input = input_of(&v);
    let o = opts();
    let p = plan(&input, &o).expect("plan");
    let cov = p.coverage(&input.blind);
    eprintln!(
        "bench venue: {} cameras, {} blind regions, {:.0} m² blind; {} sorties, {:.0} m, {} legs checked, coverage {:.2} %",
        v.cameras.len(),
        input.blind.0.len(),
        cov.blind_area_m2,
        p.sorties().count(),
        p.sorties().map(|s| s.length_m).sum::<f64>(),
        p.legs_checked,
        cov.pct()
    );
    let mut g = c.benchmark_group("planner_1km2_100_cameras_10_no_fly");
    g.sample_size(10);
    g.bench_function("blind_spots_and_plan", |b| {
        b.iter(|| {
            let input = input_of(black_box(&v));
            plan(&input, &o).expect("plan")
        })
    });
    g.bench_function("plan", |b| {
        b.iter(|| plan(black_box(&input), &o).expect("plan"))
    });
    g.bench_function("coverage", |b| {
        b.iter(|| p.coverage(black_box(&input.blind)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
