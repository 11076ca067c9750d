//! tlog parsing speed: records (timestamp + CRC-checked frame) per second on one core, on the
//! team's real logs, and the full `vigil replay` summary.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vigil::link::summary::summarize;
use vigil::link::tlog::TlogReader;

fn bench(c: &mut Criterion) {
    let Some(dir) = vigil::testdata::shared_data("benches/tlog") else {
        return;
    };
    for name in [
        "code-lever_2013-10-13_18-31-24.tlog",
        "uavlogviewer_vtol.tlog",
    ] {
        let Ok(data) = std::fs::read(dir.join("tlog").join(name)) else {
            eprintln!("benches/tlog: {name} missing, skipped");
            continue;
        };
        let n = TlogReader::new(&data).count() as u64;
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(n));
        g.bench_function("read records", |b| {
            b.iter(|| {
                let mut ids = 0u64;
                for rec in TlogReader::new(std::hint::black_box(&data)) {
                    ids += u64::from(rec.message_id);
                }
                ids
            })
        });
        g.bench_function("read and decode every message", |b| {
            b.iter(|| {
                TlogReader::new(std::hint::black_box(&data))
                    .filter_map(|r| r.message())
                    .count()
            })
        });
        g.bench_function("replay summary", |b| {
            b.iter(|| summarize(std::hint::black_box(&data)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
