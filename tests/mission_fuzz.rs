//! Bounded fuzzing of every mission file reader (proptest, 256 cases each): arbitrary bytes,
//! plausible-looking rows and mutated real files never panic, and whatever a reader accepts,
//! the writers write and the readers read back.

use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::Config;
use vigil::mission::{self, MissionFormat, mission_to_string, read_mission_str};

const FORMATS: [MissionFormat; 4] = [
    MissionFormat::Plan,
    MissionFormat::Waypoints,
    MissionFormat::LegacyFence,
    MissionFormat::LegacyRally,
];

fn config() -> Config {
    Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Every reader on `text`; when one accepts it, its mission goes through every writer and
/// the written text must read back in that format.
fn exercise(text: &str) {
    let _ = MissionFormat::sniff(text);
    for format in FORMATS {
        let Ok((m, _)) = read_mission_str(text, format) else {
            continue;
        };
        for out in FORMATS {
            if let Ok((written, _)) = mission_to_string(&m, out)
                && let Err(e) = read_mission_str(&written, out)
            {
                panic!(
                    "{} output of a mission read as {} does not read back: {e}\n{written}",
                    out.name(),
                    format.name()
                );
            }
        }
    }
}

/// The real files (from the shared data folder when present) plus small embedded samples so
/// that a fresh clone still mutates something.
fn seeds() -> Vec<String> {
    let mut out = vec![
        "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t-35.36\t149.16\t584\t1\n1\t0\t3\t22\t0\t0\t0\t0\t-35.36\t149.16\t20\t1\n".to_owned(),
        "QGC WPL 110\n0\t0\t0\t5001\t3\t0\t0\t0\t1\t2\t0\t0\n1\t0\t0\t5001\t3\t0\t0\t0\t1\t3\t0\t0\n2\t0\t0\t5001\t3\t0\t0\t0\t2\t3\t0\t0\n3\t0\t0\t5004\t20\t0\t0\t0\t1.5\t2.5\t0\t0\n".to_owned(),
        "-35.36 149.16\n-35.35 149.15\n-35.35 149.17\n-35.37 149.17\n-35.35 149.15\n".to_owned(),
        "RALLY -35.28\t149.0\t100\t40\t0\t0\n".to_owned(),
        r#"{"fileType":"Plan","geoFence":{"circles":[{"circle":{"center":[1,2],"radius":5},"inclusion":true,"version":1}],"polygons":[{"inclusion":false,"polygon":[[1,2],[1,3],[2,3]],"version":1}],"version":2},"mission":{"firmwareType":3,"items":[{"type":"SimpleItem","command":16,"frame":3,"autoContinue":true,"params":[0,0,0,null,1,2,3]},{"type":"ComplexItem","complexItemType":"fwLandingPattern","landCoordinate":[1,2,0],"landingApproachCoordinate":[1,2.01,30],"loiterRadius":50,"stopTakingPhotos":true}],"plannedHomePosition":[1,2,null]},"rallyPoints":{"points":[[1,2,null]],"version":2},"version":1}"#.to_owned(),
    ];
    if let Some(dir) = vigil::testdata::shared_data("mission_fuzz") {
        for sub in ["plan", "waypoints", "bugs"] {
            let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
                continue;
            };
            let mut paths: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for p in paths {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    out.push(text);
                }
            }
        }
    }
    out
}

/// One edit to a file's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, byte: u8 },
    Insert { at: usize, text: String },
    Delete { at: usize, len: usize },
    DuplicateLine { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        (
            any::<usize>(),
            prop_oneof![
                Just("\t".to_owned()),
                Just("\n".to_owned()),
                Just("null".to_owned()),
                Just("NaN".to_owned()),
                Just("-1e309".to_owned()),
                Just("5001".to_owned()),
                Just("[".to_owned()),
                Just("}".to_owned()),
                Just("\"".to_owned()),
                Just("999999999999".to_owned()),
                "[ -~]{0,6}",
            ]
        )
            .prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        any::<usize>().prop_map(|at| Mutation::DuplicateLine { at }),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in muts {
        let n = bytes.len().max(1);
        match m {
            Mutation::Flip { at, byte } => {
                if !bytes.is_empty() {
                    bytes[at % n] = *byte;
                }
            }
            Mutation::Insert { at, text } => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, text.bytes());
            }
            Mutation::Delete { at, len } => {
                let at = at % n.min(bytes.len().max(1));
                let end = (at + len).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Mutation::DuplicateLine { at } => {
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let lines: Vec<&str> = s.split('\n').collect();
                let i = at % lines.len();
                let mut out: Vec<&str> = lines.clone();
                out.insert(i, lines[i]);
                bytes = out.join("\n").into_bytes();
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn plausible_wpl_rows_never_panic(
        rows in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    Just("0".to_owned()), Just("1".to_owned()), Just("3".to_owned()),
                    Just("16".to_owned()), Just("5001".to_owned()), Just("5002".to_owned()),
                    Just("5003".to_owned()), Just("5005".to_owned()), Just("5100".to_owned()),
                    Just("4".to_owned()), Just("NaN".to_owned()), Just("-35.5".to_owned()),
                    Just("149.25".to_owned()), Just("1e300".to_owned()), Just("x".to_owned()),
                ],
                10..14,
            ),
            0..12,
        )
    ) {
        let mut text = String::from("QGC WPL 110\n");
        for r in rows {
            text.push_str(&r.join("\t"));
            text.push('\n');
        }
        exercise(&text);
    }

    #[test]
    fn mutated_real_files_never_panic(
        pick in any::<usize>(),
        muts in proptest::collection::vec(mutation(), 1..6),
    ) {
        let seeds = seeds();
        let text = apply(&seeds[pick % seeds.len()], &muts);
        exercise(&text);
    }
}

#[test]
fn every_seed_is_exercised_unmutated() {
    for s in seeds() {
        exercise(&s);
    }
    // The embedded plan sample reads, with its landing pattern expanded.
    let (m, _) = mission::read_plan(&seeds()[4]).expect("embedded plan");
    assert_eq!(
        m.items.len(),
        6,
        "waypoint + land start + 2 stop photos + loiter + land"
    );
}
