//! Recording thermal frames and their detections with a flight, and purging old recordings.
//!
//! A record is two files in the flight's `thermal/` folder, named by the time of recording
//! (Unix milliseconds) and a sequence number: `<ms>-<seq>.png`, the raw counts as a standard
//! 16-bit greyscale PNG (big-endian, as the PNG standard says), and `<ms>-<seq>.json`, the
//! calibration, metadata and the pipeline's report. The PNG is written first and the JSON
//! last, each atomically, so a record with its JSON is complete. Frames should be recorded
//! after [`super::Pipeline::process`], which has already applied the privacy mask.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ThermalError;
use super::calibration::Calibration;
use super::frame::{Frame, FrameMeta};
use super::pipeline::FrameReport;

/// The JSON half of a record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordMeta {
    /// Where the frame came from.
    pub source: String,
    /// Recording time, Unix seconds.
    pub recorded_unix_s: f64,
    /// Frame time on the vehicle boot clock, seconds.
    pub boot_time_s: Option<f64>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// How the PNG's counts become temperatures.
    pub calibration: Calibration,
    /// Camera metadata.
    pub meta: FrameMeta,
    /// The pipeline's findings (as JSON, so the record outlives changes to the report type).
    pub report: serde_json::Value,
}

/// Writes records into one flight's `thermal/` folder.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    seq: u64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ThermalError + '_ {
    move |source| ThermalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Recorder {
    /// A recorder for the flight folder `flight_dir` (its `thermal/` folder is created).
    pub fn open(flight_dir: &Path) -> Result<Self, ThermalError> {
        let dir = flight_dir.join("thermal");
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Self { dir, seq: 0 })
    }

    /// The folder records go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records one frame and its report at `now_unix_s`; returns the JSON file's path.
    pub fn record(
        &mut self,
        frame: &Frame,
        report: &FrameReport,
        now_unix_s: f64,
    ) -> Result<PathBuf, ThermalError> {
        let stem = format!(
            "{:013}-{:06}",
            (now_unix_s * 1000.0).max(0.0).round() as u64,
            self.seq
        );
        self.seq += 1;
        let png_path = self.dir.join(format!("{stem}.png"));
        let json_path = self.dir.join(format!("{stem}.json"));

        // The encoder takes 16-bit samples in native byte order and writes them big-endian.
        let bytes: Vec<u8> = frame.samples.iter().flat_map(|s| s.to_ne_bytes()).collect();
        let mut png = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut png),
            &bytes,
            frame.width,
            frame.height,
            image::ExtendedColorType::L16,
        )
        .map_err(|source| ThermalError::Image {
            source_name: png_path.display().to_string(),
            source,
        })?;
        crate::fsutil::write_atomic(&png_path, &png).map_err(io(&png_path))?;

        let meta = RecordMeta {
            source: frame.source.clone(),
            recorded_unix_s: now_unix_s,
            boot_time_s: frame.boot_time_s,
            width: frame.width,
            height: frame.height,
            calibration: frame.calibration.clone(),
            meta: frame.meta.clone(),
            report: serde_json::to_value(report).map_err(|e| ThermalError::Malformed {
                source_name: json_path.display().to_string(),
                what: format!("report not serialisable: {e}"),
            })?,
        };
        let text = serde_json::to_vec_pretty(&meta).map_err(|e| ThermalError::Malformed {
            source_name: json_path.display().to_string(),
            what: format!("record not serialisable: {e}"),
        })?;
        crate::fsutil::write_atomic(&json_path, &text).map_err(io(&json_path))?;
        Ok(json_path)
    }
}

/// Reads a record back: the frame (with its calibration and metadata) and the JSON half.
pub fn load_record(json_path: &Path) -> Result<(Frame, RecordMeta), ThermalError> {
    let name = json_path.display().to_string();
    let text = std::fs::read(json_path).map_err(io(json_path))?;
    let meta: RecordMeta = serde_json::from_slice(&text).map_err(|e| ThermalError::Malformed {
        source_name: name.clone(),
        what: format!("record JSON: {e}"),
    })?;
    let png_path = json_path.with_extension("png");
    let png = std::fs::read(&png_path).map_err(io(&png_path))?;
    // Vigil's own PNGs are standard big-endian: no byte-order guessing here.
    let img = image::load_from_memory(&png).map_err(|source| ThermalError::Image {
        source_name: png_path.display().to_string(),
        source,
    })?;
    if img.color() != image::ColorType::L16 {
        return Err(ThermalError::Malformed {
            source_name: png_path.display().to_string(),
            what: format!("record image is {:?}, expected L16", img.color()),
        });
    }
    let img = img.into_luma16();
    let (w, h) = img.dimensions();
    if (w, h) != (meta.width, meta.height) {
        return Err(ThermalError::Malformed {
            source_name: name,
            what: format!(
                "record says {}x{}, its PNG is {w}x{h}",
                meta.width, meta.height
            ),
        });
    }
    let mut frame = Frame::new(
        w,
        h,
        img.into_raw(),
        meta.calibration.clone(),
        meta.source.clone(),
    )?;
    frame.boot_time_s = meta.boot_time_s;
    frame.meta = meta.meta.clone();
    Ok((frame, meta))
}

/// What a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Records (PNG + JSON pairs, or strays) removed.
    pub files_removed: u64,
    /// Bytes freed.
    pub bytes_freed: u64,
}

/// Removes every record under `root` (a flight folder or a folder of flights, searched three
/// levels deep for `thermal/` folders) recorded before `now_unix_s − retention_s`. Records are
/// dated by their file name, so copying a folder does not make its records younger.
pub fn purge(root: &Path, retention_s: f64, now_unix_s: f64) -> Result<PurgeReport, ThermalError> {
    let cutoff_ms = ((now_unix_s - retention_s) * 1000.0).max(0.0) as u64;
    let mut report = PurgeReport::default();
    purge_dir(root, cutoff_ms, 0, &mut report)?;
    Ok(report)
}

fn purge_dir(
    dir: &Path,
    cutoff_ms: u64,
    depth: u32,
    report: &mut PurgeReport,
) -> Result<(), ThermalError> {
    let is_thermal = dir.file_name().is_some_and(|n| n == "thermal");
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            if depth < 3 {
                purge_dir(&path, cutoff_ms, depth + 1, report)?;
            }
            continue;
        }
        if !is_thermal {
            continue;
        }
        let ext_ok = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("png" | "json")
        );
        let recorded_ms = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.split_once('-'))
            .and_then(|(ms, seq)| {
                (seq.chars().all(|c| c.is_ascii_digit())).then(|| ms.parse::<u64>().ok())?
            });
        if let (true, Some(ms)) = (ext_ok, recorded_ms)
            && ms < cutoff_ms
        {
            let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            std::fs::remove_file(&path).map_err(io(&path))?;
            report.files_removed += 1;
            report.bytes_freed += len;
            tracing::info!(file = %path.display(), "thermal record purged");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thermal::{CrowdParams, HotspotParams, Pipeline, TrackerParams};

    fn frame() -> Frame {
        let s = (0..40 * 30)
            .map(|i| {
                if i == 615 {
                    30_615
                } else {
                    28_515 + (i % 7) as u16
                }
            })
            .collect();
        let mut f = Frame::new(40, 30, s, Calibration::CentiKelvin, "cam.tiff").expect("frame");
        f.boot_time_s = Some(12.5);
        f.meta.camera_model = Some("Test".into());
        f
    }

    fn report(f: &mut Frame) -> FrameReport {
        Pipeline::new(
            None,
            HotspotParams::default(),
            TrackerParams::default(),
            CrowdParams::default(),
        )
        .process(f)
    }

    #[test]
    fn a_record_reads_back_the_same_frame_and_report() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut rec = Recorder::open(tmp.path()).expect("open");
        let mut f = frame();
        let r = report(&mut f);
        let json = rec.record(&f, &r, 1_700_000_000.25).expect("recorded");
        assert_eq!(
            json.file_name().and_then(|n| n.to_str()),
            Some("1700000000250-000000.json")
        );
        let (back, meta) = load_record(&json).expect("loaded");
        assert!(back.samples == f.samples, "samples differ");
        assert_eq!(
            (back.width, back.height, back.boot_time_s),
            (40, 30, Some(12.5))
        );
        assert_eq!((&back.calibration, &back.meta), (&f.calibration, &f.meta));
        assert_eq!(meta.report["stats"]["max_raw"], 30_615);
        assert_eq!(meta.recorded_unix_s, 1_700_000_000.25);
    }

    #[test]
    fn purge_removes_only_records_older_than_the_retention() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let flight = tmp.path().join("flight-1");
        let mut rec = Recorder::open(&flight).expect("open");
        let mut f = frame();
        let r = report(&mut f);
        let day = 86_400.0;
        let old = rec.record(&f, &r, 1_000.0 * day).expect("old");
        let new = rec.record(&f, &r, 1_006.0 * day).expect("new");
        // An unrelated file in the flight folder is never touched.
        std::fs::write(flight.join("notes.txt"), b"keep").expect("write");

        let p = purge(tmp.path(), 3.0 * day, 1_007.0 * day).expect("purged");
        assert_eq!(p.files_removed, 2);
        assert!(p.bytes_freed > 0);
        assert!(!old.exists() && !old.with_extension("png").exists());
        assert!(new.exists() && new.with_extension("png").exists());
        assert!(flight.join("notes.txt").exists());
    }

    #[test]
    fn a_broken_record_is_an_error_naming_the_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let p = tmp.path().join("1-000000.json");
        std::fs::write(&p, b"{not json").expect("write");
        let e = load_record(&p).expect_err("broken").to_string();
        assert!(
            e.contains("1-000000.json") && e.contains("record JSON"),
            "{e}"
        );
    }
}
