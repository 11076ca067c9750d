//! Blind spots of a 1 km² venue with 100 cameras and 10 obstacles (target: under 50 ms).

use criterion::{Criterion, criterion_group, criterion_main};
use geo_types::{LineString, MultiPolygon, Polygon};
use vigil::area::{LocalFrame, Obstacle, Venue, blind_spots, seeded_cameras};

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
        vec![],
    )])
}

/// A 1000 m × 1000 m venue, ten 30 m × 20 m buildings spread over it, 100 seeded cameras.
fn venue() -> Venue {
    let obstacles = (0..10)
        .map(|i| {
            let x = 80.0 + 90.0 * f64::from(i);
            let y = 100.0 + 80.0 * f64::from((i * 7) % 10);
            Obstacle {
                name: format!("building {i}"),
                area: rect(x, y, x + 30.0, y + 20.0),
                height_m: Some(12.0),
            }
        })
        .collect();
    let mut v = Venue {
        name: "bench".into(),
        frame: LocalFrame::new(144.97, -37.82),
        boundary: rect(0.0, 0.0, 1000.0, 1000.0),
        no_fly: vec![],
        obstacles,
        cameras: vec![],
        risk: vec![],
        home: None,
        warnings: vec![],
    };
    v.cameras = seeded_cameras(&v, 100, 42);
    v
}

fn bench(c: &mut Criterion) {
    let v = venue();
    let b = blind_spots(&v);
    eprintln!(
        "bench venue: {:.0} m², {} cameras, {} obstacles → {} blind spots, {:.1} % blind",
        b.venue_area_m2,
        v.cameras.len(),
        v.obstacles.len(),
        b.count,
        b.blind_share * 100.0
    );
    c.bench_function("blind_spots 1 km² 100 cameras 10 obstacles", |bench| {
        bench.iter(|| blind_spots(std::hint::black_box(&v)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
