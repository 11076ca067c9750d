//! Thermal benchmarks: palette rendering and hotspot detection on a 640×512 frame.
//!
//! The acceptance figure (issue 7) is palette + hotspot detection within 2 ms on one core.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use vigil::thermal::{
    Calibration, Frame, HotspotParams, Palette, Planck, Render, SceneParams, hotspot,
};

/// A 640×512 night scene in FLIR Duo Pro R Planck counts: ground at 8–14 °C with a gentle
/// gradient and ±0.3 °C noise (seeded xorshift), and 20 people as 8×8-pixel blobs at 32 °C.
fn night_frame() -> Frame {
    let planck = Planck {
        r1: 364_058.0,
        r2: 1.0,
        b: 1428.0,
        f: 1.0,
        o: -228.0,
        scene: SceneParams::apparent(),
    };
    let cal = Calibration::Planck(planck);
    let (w, h) = (640u32, 512u32);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut samples: Vec<u16> = (0..w * h)
        .map(|i| {
            let (x, y) = (f64::from(i % w), f64::from(i / w));
            let t = 8.0 + 6.0 * (x + y) / 1152.0 + 0.6 * noise();
            cal.raw_for_c(t)
        })
        .collect();
    let person = cal.raw_for_c(32.0);
    for k in 0..20u32 {
        let (x0, y0) = (20 + (k * 97) % 600, 20 + (k * 61) % 470);
        for y in y0..y0 + 8 {
            for x in x0..x0 + 8 {
                samples[(y * w + x) as usize] = person;
            }
        }
    }
    Frame::new(w, h, samples, cal, "bench").expect("valid frame")
}

fn bench(c: &mut Criterion) {
    let frame = night_frame();
    let params = HotspotParams::default();
    let render = Render {
        palette: Palette::Ironbow,
        ..Render::default()
    };
    assert_eq!(
        hotspot::detect(&frame, &params, Some(0.0455))
            .people()
            .count(),
        20,
        "the benchmark frame must hold 20 people"
    );

    c.bench_function("thermal/palette_ironbow_640x512", |b| {
        b.iter(|| render.draw(black_box(&frame)))
    });
    c.bench_function("thermal/hotspots_640x512", |b| {
        b.iter(|| hotspot::detect(black_box(&frame), &params, Some(0.0455)))
    });
    c.bench_function("thermal/palette_and_hotspots_640x512", |b| {
        b.iter(|| {
            let img = render.draw(black_box(&frame));
            let d = hotspot::detect(black_box(&frame), &params, Some(0.0455));
            (img, d)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
