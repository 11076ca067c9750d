//! Bounded fuzzing of every venue importer (proptest; `cargo fuzz` needs nightly): arbitrary
//! bytes and mutated real files never panic, they give a venue or a typed error.

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use vigil::area::{Selection, blind_spots, read_venue};

/// Writes `bytes` as `name` in a fresh folder and imports it with `selection`; any outcome but
/// a panic is fine, and a venue that imports also gets its blind spots computed.
fn import(name: &str, bytes: &[u8], selection: &Selection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    if let Ok(v) = read_venue(&p, selection) {
        let b = blind_spots(&v);
        assert!((0.0..=1.0).contains(&b.blind_share));
    }
}

fn kmz(kml: &[u8]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("doc.kml", opts).expect("start");
    zip.write_all(kml).expect("write");
    zip.finish().expect("finish");
    buf.into_inner()
}

fn repo_file(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect("bundled sample")
}

fn shared(rel: &str) -> Option<Vec<u8>> {
    let dir: PathBuf = vigil::testdata::shared_data("area_fuzz")?;
    Some(std::fs::read(dir.join(rel)).expect("shared file"))
}

/// Small edits of a valid file: overwrite, insert or delete a byte, insert a JSON/XML token
/// that stresses the reader, or cut the file short.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Token(usize, &'static str),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let token = prop::sample::select(vec![
        "]",
        "[",
        "{",
        "}",
        ",",
        "\"",
        "-1e999",
        "1e308",
        "null",
        "NaN",
        "-0",
        "999",
        "<",
        ">",
        "</Polygon>",
        "\"Point\"",
        "\"MultiPolygon\"",
        "\"role\"",
        "\"camera\"",
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), token).prop_map(|(i, t)| Edit::Token(i, t)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn mutate(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len().max(1);
        match *e {
            Edit::Set(i, b) if !bytes.is_empty() => bytes[i % n] = b,
            Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % n);
            }
            Edit::Token(i, t) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, t.bytes());
            }
            Edit::Truncate(i) => bytes.truncate(i % n),
            _ => {}
        }
    }
    bytes
}

fn selection_by_index() -> Selection {
    Selection {
        boundary: Some("#0".into()),
        no_fly: vec!["#1".into()],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        import("a.geojson", &bytes, &Selection::default());
        import("a.kml", &bytes, &Selection::default());
        import("a.plan", &bytes, &Selection::default());
        import("a.kmz", &bytes, &Selection::default());
        import("b.kmz", &kmz(&bytes), &Selection::default());
    }

    #[test]
    fn mutated_stadium_never_panics(edits in prop::collection::vec(edit(), 1..6)) {
        let bytes = mutate(repo_file("missions/stadium.geojson"), &edits);
        import("stadium.geojson", &bytes, &Selection::default());
    }

    #[test]
    fn mutated_park_never_panics(edits in prop::collection::vec(edit(), 1..6)) {
        let bytes = mutate(repo_file("missions/park.geojson"), &edits);
        import("park.geojson", &bytes, &selection_by_index());
    }

    #[test]
    fn mutated_real_geojson_never_panics(edits in prop::collection::vec(edit(), 1..6)) {
        let Some(bytes) = shared("venues/tu-cricket-ground-kirtipur_zones.geojson") else {
            return Ok(());
        };
        import("ground.geojson", &mutate(bytes, &edits), &Selection {
            boundary: Some("name=GROUND".into()),
            no_fly: vec!["#17".into()],
        });
    }

    #[test]
    fn mutated_real_kml_and_kmz_never_panic(edits in prop::collection::vec(edit(), 1..6)) {
        let Some(bytes) = shared("venues/qgc_PolygonGood.kml") else {
            return Ok(());
        };
        let bytes = mutate(bytes, &edits);
        import("p.kml", &bytes, &Selection::default());
        import("p.kmz", &kmz(&bytes), &Selection::default());
    }

    #[test]
    fn mutated_real_plan_never_panics(edits in prop::collection::vec(edit(), 1..6)) {
        let Some(bytes) = shared("plan/qgc_custom_ce_geofence_outfield.plan") else {
            return Ok(());
        };
        import("f.plan", &mutate(bytes, &edits), &Selection::default());
    }
}

/// A random rectangle obstacle, camera or venue piece, in local metres.
fn rect(x: f64, y: f64, w: f64, h: f64) -> geo_types::MultiPolygon<f64> {
    geo_types::MultiPolygon::new(vec![geo_types::Polygon::new(
        geo_types::LineString::from(vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]),
        vec![],
    )])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Covered and blind areas always partition the venue, whatever the cameras and obstacles.
    #[test]
    fn covered_and_blind_partition_the_venue(
        cams in prop::collection::vec(
            (0.0..400.0f64, 0.0..300.0f64, 0.0..360.0f64, 1.0..360.0f64, 5.0..200.0f64), 0..30),
        obstacles in prop::collection::vec(
            (0.0..400.0f64, 0.0..300.0f64, 1.0..40.0f64, 1.0..40.0f64), 0..8),
        lake in (50.0..300.0f64, 50.0..200.0f64, 5.0..80.0f64),
    ) {
        use geo::Area;
        use vigil::area::{Camera, LocalFrame, Obstacle, Venue, Zone, MIN_BLIND_SPOT_M2};
        let venue = Venue {
            name: "random".into(),
            frame: LocalFrame::new(0.0, 0.0),
            boundary: rect(0.0, 0.0, 400.0, 300.0),
            no_fly: vec![Zone { name: "lake".into(), area: rect(lake.0, lake.1, lake.2, lake.2), margin_m: 0.0 }],
            obstacles: obstacles
                .iter()
                .map(|&(x, y, w, h)| Obstacle { name: "o".into(), area: rect(x, y, w, h), height_m: None })
                .collect(),
            cameras: cams
                .iter()
                .map(|&(x, y, heading_deg, hfov_deg, range_m)| Camera {
                    name: "c".into(),
                    position: geo_types::Point::new(x, y),
                    heading_deg,
                    hfov_deg,
                    range_m,
                    height_m: None,
                })
                .collect(),
            risk: vec![],
            home: None,
            warnings: vec![],
        };
        let b = blind_spots(&venue);
        let want_venue = 120_000.0 - lake.2 * lake.2;
        prop_assert!((b.venue_area_m2 - want_venue).abs() < 1e-6 * want_venue);
        // Dropped slivers are under 1 m² each; allow a few.
        let gap = b.venue_area_m2 - b.covered_area_m2 - b.blind_area_m2;
        prop_assert!(gap > -1e-3 * want_venue && gap < 1e-4 * want_venue + 20.0 * MIN_BLIND_SPOT_M2,
            "gap {gap}");
        prop_assert!((0.0..=1.0).contains(&b.blind_share));
        prop_assert_eq!(b.count, b.regions.0.len());
        prop_assert!((b.regions.unsigned_area() - b.blind_area_m2).abs() < 1e-6 * want_venue);
        if venue.cameras.is_empty() {
            prop_assert!((b.blind_share - 1.0).abs() < 1e-9);
        }
    }
}
