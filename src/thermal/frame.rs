//! A radiometric frame: 16-bit samples, their calibration to temperature, when and where from.

use serde::{Deserialize, Serialize};

use super::ThermalError;
use super::calibration::Calibration;

/// What the source file or stream says about the camera and the moment of capture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrameMeta {
    /// Camera model, when the file names it.
    pub camera_model: Option<String>,
    /// Camera serial number, when the file names it.
    pub camera_serial: Option<String>,
    /// Horizontal field of view of the lens, degrees, when the file gives it.
    pub hfov_deg: Option<f64>,
    /// Capture time, seconds since the Unix epoch (UTC).
    pub captured_unix_s: Option<f64>,
    /// Camera GPS position `(lat_deg, lon_deg, alt_m)` when the file holds a valid fix.
    pub gps: Option<(f64, f64, f64)>,
    /// Median raw count the camera recorded for this frame (FLIR CameraInfo), a byte-order hint.
    pub raw_median_hint: Option<u16>,
    /// The raw image was stored byte-swapped and has been put right.
    pub byte_swapped: bool,
}

/// One radiometric frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Raw 16-bit samples, row-major, `width · height` of them.
    pub samples: Vec<u16>,
    /// How samples become temperatures.
    pub calibration: Calibration,
    /// Time on the vehicle's boot clock, seconds, used to pair the frame with the vehicle pose
    /// (frames from files have none unless the caller sets it).
    pub boot_time_s: Option<f64>,
    /// Where the frame came from: a file path or `udp:ADDR:PORT#frame_id`.
    pub source: String,
    /// Camera and capture metadata.
    pub meta: FrameMeta,
}

/// Minimum, maximum and median of a frame, as raw counts and °C.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FrameStats {
    /// Smallest raw count.
    pub min_raw: u16,
    /// Largest raw count.
    pub max_raw: u16,
    /// Median raw count (the lower middle for an even number of pixels).
    pub median_raw: u16,
    /// Coldest pixel, °C.
    pub min_c: f64,
    /// Hottest pixel, °C.
    pub max_c: f64,
    /// Median temperature, °C (calibrations are monotonic, so it is the median count's).
    pub median_c: f64,
}

impl Frame {
    /// A frame from its parts, checking that the sample count matches the size.
    pub fn new(
        width: u32,
        height: u32,
        samples: Vec<u16>,
        calibration: Calibration,
        source: impl Into<String>,
    ) -> Result<Self, ThermalError> {
        let source = source.into();
        let expected = width as usize * height as usize;
        if width == 0 || height == 0 || samples.len() != expected {
            return Err(ThermalError::Malformed {
                source_name: source,
                what: format!(
                    "{} samples for a {width}x{height} frame (expected {expected}, size > 0)",
                    samples.len()
                ),
            });
        }
        Ok(Self {
            width,
            height,
            samples,
            calibration,
            boot_time_s: None,
            source,
            meta: FrameMeta::default(),
        })
    }

    /// The raw sample at pixel `(x, y)` (column, row from the top left).
    pub fn raw(&self, x: u32, y: u32) -> Option<u16> {
        (x < self.width && y < self.height)
            .then(|| self.samples[y as usize * self.width as usize + x as usize])
    }

    /// Temperature in °C at pixel `(x, y)`; `None` outside the frame or where undefined.
    pub fn temperature_c(&self, x: u32, y: u32) -> Option<f64> {
        self.calibration.temperature_c(self.raw(x, y)?)
    }

    /// Smallest and largest raw count.
    pub fn raw_range(&self) -> (u16, u16) {
        let mut lo = u16::MAX;
        let mut hi = 0;
        for &s in &self.samples {
            lo = lo.min(s);
            hi = hi.max(s);
        }
        (lo, hi)
    }

    /// A histogram of the counts `lo..=hi` where `(lo, hi)` is [`Frame::raw_range`]: returns
    /// `lo` and the counts.
    pub fn histogram(&self) -> (u16, Vec<u32>) {
        // One pass over the pixels into a full table, then trimmed to the range in use.
        let mut full = vec![0u32; 1 << 16];
        for &s in &self.samples {
            full[usize::from(s)] += 1;
        }
        let lo = full.iter().position(|&c| c > 0).unwrap_or(0);
        let hi = full.iter().rposition(|&c| c > 0).unwrap_or(0);
        full.truncate(hi + 1);
        full.drain(..lo);
        (lo as u16, full)
    }

    /// Temperatures of every pixel, °C, row-major (NaN where the calibration is undefined).
    pub fn temperatures_c(&self) -> Vec<f32> {
        let (lo, hi) = self.raw_range();
        let table = self.calibration.table_c(lo, hi);
        self.samples
            .iter()
            .map(|&s| table[usize::from(s - lo)])
            .collect()
    }

    /// Minimum, maximum and median.
    pub fn stats(&self) -> FrameStats {
        let (lo, hist) = self.histogram();
        let median_raw = percentile_raw(lo, &hist, 0.5);
        let hi = lo + (hist.len() - 1) as u16;
        let t = |r: u16| self.calibration.temperature_c(r).unwrap_or(f64::NAN);
        FrameStats {
            min_raw: lo,
            max_raw: hi,
            median_raw,
            min_c: t(lo),
            max_c: t(hi),
            median_c: t(median_raw),
        }
    }
}

/// The count at fraction `q` (0..=1) of a histogram that starts at count `lo`: the smallest
/// count with at least `ceil(q·n)` samples at or below it (at least one).
pub fn percentile_raw(lo: u16, hist: &[u32], q: f64) -> u16 {
    let n: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).max(1);
    let mut seen = 0u64;
    for (i, &c) in hist.iter().enumerate() {
        seen += u64::from(c);
        if seen >= rank {
            return lo + i as u16;
        }
    }
    lo + hist.len().saturating_sub(1) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(samples: Vec<u16>, w: u32, h: u32) -> Frame {
        Frame::new(w, h, samples, Calibration::CentiKelvin, "test").expect("valid frame")
    }

    #[test]
    fn temperature_at_a_pixel_uses_row_major_order() {
        let f = frame(vec![27_315, 28_315, 29_315, 30_315, 31_315, 32_315], 3, 2);
        assert_eq!(f.temperature_c(2, 0), Some(29_315.0 / 100.0 - 273.15));
        assert!((f.temperature_c(0, 1).expect("inside") - 30.0).abs() < 1e-9);
        assert_eq!(f.temperature_c(3, 0), None);
        assert_eq!(f.temperature_c(0, 2), None);
    }

    #[test]
    fn stats_give_min_max_and_lower_median() {
        let f = frame(vec![27_315, 30_315, 28_315, 29_315], 2, 2);
        let s = f.stats();
        assert_eq!(
            (s.min_raw, s.max_raw, s.median_raw),
            (27_315, 30_315, 28_315)
        );
        assert!(s.min_c.abs() < 1e-9 && (s.max_c - 30.0).abs() < 1e-9);
        assert!((s.median_c - 10.0).abs() < 1e-9);
    }

    #[test]
    fn a_sample_count_that_does_not_match_the_size_is_an_error() {
        let e = Frame::new(3, 2, vec![0; 5], Calibration::CentiKelvin, "x.tiff");
        let msg = e.expect_err("must fail").to_string();
        assert!(
            msg.contains("x.tiff") && msg.contains("expected 6"),
            "{msg}"
        );
    }

    #[test]
    fn percentiles_walk_the_histogram() {
        // Counts 10 (x1), 11 (x2), 12 (x7).
        let hist = [1, 2, 7];
        assert_eq!(percentile_raw(10, &hist, 0.0), 10);
        assert_eq!(percentile_raw(10, &hist, 0.1), 10);
        assert_eq!(percentile_raw(10, &hist, 0.3), 11);
        assert_eq!(percentile_raw(10, &hist, 0.31), 12);
        assert_eq!(percentile_raw(10, &hist, 1.0), 12);
    }
}
