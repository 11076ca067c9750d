//! No panic on any byte stream: the tlog reader, the summary and the mavlink crate's frame
//! parser fed arbitrary and mutated bytes (a bounded proptest run).

#![allow(clippy::unwrap_used)]

use mavlink::dialects::ardupilotmega::{HEARTBEAT_DATA, MavMessage, STATUSTEXT_DATA};
use mavlink::{MavHeader, MavlinkVersion};
use proptest::prelude::*;
use vigil::link::frame::FrameParser;
use vigil::link::summary::summarize;
use vigil::link::tlog::TlogReader;

/// A small valid tlog to mutate: a v1 heartbeat and a v2 status text.
fn seed_tlog() -> Vec<u8> {
    let mut out = Vec::new();
    let h = MavHeader {
        system_id: 1,
        component_id: 1,
        sequence: 0,
    };
    for (i, (v, m)) in [
        (
            MavlinkVersion::V1,
            MavMessage::HEARTBEAT(HEARTBEAT_DATA::default()),
        ),
        (
            MavlinkVersion::V2,
            MavMessage::STATUSTEXT(STATUSTEXT_DATA {
                text: "fuzz".into(),
                ..STATUSTEXT_DATA::default()
            }),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        out.extend((1_700_000_000_000_000u64 + i as u64).to_be_bytes());
        mavlink::write_versioned_msg(&mut out, v, h, &m).unwrap();
    }
    out
}

fn read_all(bytes: &[u8]) -> (usize, usize) {
    let mut r = TlogReader::new(bytes);
    let n = r.by_ref().filter(|rec| rec.message().is_some()).count();
    let skipped = r.skipped_bytes();
    let mut f = TlogReader::frames_only(bytes);
    let _ = f.by_ref().count();
    let _ = summarize(bytes);
    // The crate's own stream parser on the same bytes (bounded: each call consumes bytes).
    let mut p = mavlink::MavlinkReader::new(bytes);
    for _ in 0..bytes.len() + 1 {
        if p.read_any_message::<MavMessage>().is_err() {
            break;
        }
    }
    (n, skipped)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let (_, skipped) = read_all(&bytes);
        prop_assert!(skipped <= bytes.len());
    }

    #[test]
    fn stream_parser_never_panics_and_finds_frames_in_noise(
        noise in proptest::collection::vec(any::<u8>(), 0..600),
        chunk in 1usize..64,
    ) {
        // Noise, then a valid frame: fed in arbitrary chunks the frame must come out whole.
        let mut bytes = noise.clone();
        let tlog = seed_tlog();
        let frame = &tlog[8..8 + 17];
        bytes.extend_from_slice(frame);
        bytes.extend_from_slice(frame);
        let mut p = FrameParser::new();
        let mut got = Vec::new();
        for c in bytes.chunks(chunk) {
            got.extend(p.push(c));
        }
        prop_assert!(got.iter().filter(|f| f.frame == frame).count() >= 1);
        prop_assert!(p.skipped_bytes() <= bytes.len() as u64);
    }

    #[test]
    fn mutated_tlogs_never_panic_and_account_for_every_byte(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = seed_tlog();
        for (i, v) in flips {
            let k = i.index(bytes.len());
            bytes[k] = v;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let mut r = TlogReader::new(&bytes);
        let used: usize = r.by_ref().map(|rec| 8 + rec.frame.len()).sum();
        prop_assert_eq!(used + r.skipped_bytes(), bytes.len());
        read_all(&bytes);
    }
}

#[test]
fn seed_tlog_reads_cleanly() {
    let bytes = seed_tlog();
    assert_eq!(read_all(&bytes), (2, 0));
}
