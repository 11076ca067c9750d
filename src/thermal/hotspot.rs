//! Hotspots: warm blobs above the scene's background, and which of them look like people.
//!
//! The background is the frame's median temperature; its spread is the median absolute
//! deviation (MAD), scaled by 1.4826 so that it estimates a standard deviation for Gaussian
//! noise while ignoring the few hot pixels we are looking for. A pixel is hot when it is above
//! `median + max(k · σ_MAD, min_contrast_c)`. Hot pixels are grouped into connected components
//! (8-connectivity). A component whose peak lies in the person band and whose ground area (when
//! the ground sample distance is known) is a person's is classed as a person.
//!
//! The person band defaults to 28–40 °C apparent at the hottest pixel. At night a person seen
//! from above shows head, face and hands (skin 30–35 °C, hair and clothing a few degrees
//! less, emissivity ≈ 0.98) as the warmest part; fever stays below 40 °C. Below 28 °C most
//! clothing-only blobs, animals' fur and ground that kept the day's warmth are left out;
//! above 40 °C are engines, exhausts, lamps and fires.
//!
//! Thresholding and labelling work on raw counts (calibrations are monotonic, so a temperature
//! threshold is a count threshold), which keeps a 640×512 frame well under a millisecond.

use serde::Serialize;

use super::frame::{Frame, percentile_raw};

/// Tuning of hotspot detection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotspotParams {
    /// Pixels hotter than `median + k_mad · σ_MAD` are hot.
    pub k_mad: f64,
    /// …and at least this many °C above the median (a uniform night scene has a tiny MAD).
    pub min_contrast_c: f64,
    /// Apparent peak temperature of a person, °C `(low, high)`.
    pub person_band_c: (f64, f64),
    /// Components with fewer pixels are noise.
    pub min_pixels: u32,
    /// Ground area of a person seen from above, m² `(low, high)`; used when the ground sample
    /// distance is known.
    pub person_area_m2: (f64, f64),
}

impl Default for HotspotParams {
    fn default() -> Self {
        Self {
            k_mad: 5.0,
            min_contrast_c: 3.0,
            person_band_c: (28.0, 40.0),
            min_pixels: 3,
            // Shoulders seen from above ≈ 0.45 m × 0.25 m ≈ 0.1 m²; a small child or a partly
            // hidden head a third of that; two people side by side or someone lying down ≈ 1 m².
            person_area_m2: (0.03, 1.5),
        }
    }
}

/// What a hotspot probably is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HotspotKind {
    /// Peak in the person band and a person's size.
    Person,
    /// Hotter than a person (engine, exhaust, lamp, fire).
    Hot,
    /// Warmer than the background but not a person (size or temperature).
    Warm,
}

/// One connected warm blob in a frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hotspot {
    /// Number of pixels.
    pub pixels: u32,
    /// Centroid in pixel coordinates (x right, y down; pixel `(i, j)` covers `[i, i+1) ×
    /// [j, j+1)`, so its centre is `(i + 0.5, j + 0.5)`).
    pub centroid_px: (f64, f64),
    /// Bounding box `(x_min, y_min, x_max, y_max)`, inclusive pixel indices.
    pub bbox_px: (u32, u32, u32, u32),
    /// Hottest pixel, °C.
    pub peak_c: f64,
    /// Where the hottest pixel is.
    pub peak_px: (u32, u32),
    /// Mean temperature of the blob, °C.
    pub mean_c: f64,
    /// Ground area, m², when the ground sample distance was given.
    pub area_m2: Option<f64>,
    /// Classification.
    pub kind: HotspotKind,
}

/// The result of searching one frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detections {
    /// Background (median) temperature, °C.
    pub background_c: f64,
    /// Robust spread of the background, °C (1.4826 · MAD).
    pub sigma_c: f64,
    /// Temperature above which a pixel is hot, °C.
    pub threshold_c: f64,
    /// Hotspots, largest first.
    pub hotspots: Vec<Hotspot>,
}

impl Detections {
    /// The hotspots classed as people.
    pub fn people(&self) -> impl Iterator<Item = &Hotspot> {
        self.hotspots
            .iter()
            .filter(|h| h.kind == HotspotKind::Person)
    }
}

/// Finds the hotspots of a frame; `gsd_m` is the ground sample distance (metres per pixel) when
/// the camera's height and field of view are known.
pub fn detect(frame: &Frame, params: &HotspotParams, gsd_m: Option<f64>) -> Detections {
    let (lo, hist) = frame.histogram();
    let hi = lo + (hist.len() - 1) as u16;
    let table = frame.calibration.table_c(lo, hi);
    let t_of = |raw: u16| f64::from(table[usize::from(raw - lo)]);

    // Background: median and MAD of temperature, from the histogram.
    let median_raw = percentile_raw(lo, &hist, 0.5);
    let background_c = t_of(median_raw);
    let mad_c = mad_from_histogram(&table, &hist, usize::from(median_raw - lo));
    let sigma_c = 1.4826 * mad_c;
    let threshold_c = background_c + (params.k_mad * sigma_c).max(params.min_contrast_c);

    // The first count at or above the threshold (undefined counts are never hot).
    let Some(first_hot) = table
        .iter()
        .position(|&t| t.is_finite() && f64::from(t) >= threshold_c)
    else {
        return Detections {
            background_c,
            sigma_c,
            threshold_c,
            hotspots: Vec::new(),
        };
    };
    let raw_threshold = lo + first_hot as u16;

    let mut hotspots = components(frame, raw_threshold, &table, lo)
        .into_iter()
        .filter(|c| c.pixels >= params.min_pixels)
        .map(|c| {
            let peak_c = t_of(c.peak_raw);
            let area_m2 = gsd_m.map(|g| f64::from(c.pixels) * g * g);
            let in_band = peak_c >= params.person_band_c.0 && peak_c <= params.person_band_c.1;
            let person_sized = area_m2
                .is_none_or(|a| a >= params.person_area_m2.0 && a <= params.person_area_m2.1);
            let kind = if in_band && person_sized {
                HotspotKind::Person
            } else if peak_c > params.person_band_c.1 {
                HotspotKind::Hot
            } else {
                HotspotKind::Warm
            };
            let n = f64::from(c.pixels);
            Hotspot {
                pixels: c.pixels,
                centroid_px: (c.sum_x / n + 0.5, c.sum_y / n + 0.5),
                bbox_px: c.bbox,
                peak_c,
                peak_px: c.peak_px,
                mean_c: c.sum_t / n,
                area_m2,
                kind,
            }
        })
        .collect::<Vec<_>>();
    hotspots.sort_by_key(|h| std::cmp::Reverse(h.pixels));
    Detections {
        background_c,
        sigma_c,
        threshold_c,
        hotspots,
    }
}

/// The median of `|T(c) − T(median)|` over the histogram, walking outward from the median
/// count (temperature is monotonic in the count, so each side's deviations are sorted).
fn mad_from_histogram(table: &[f32], hist: &[u32], median_idx: usize) -> f64 {
    let n: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    let half = n.div_ceil(2);
    let t_med = f64::from(table[median_idx]);
    let dev = |i: usize| {
        let t = f64::from(table[i]);
        if t.is_finite() {
            (t - t_med).abs()
        } else {
            f64::INFINITY
        }
    };
    let mut seen = u64::from(hist[median_idx]);
    if seen >= half {
        return 0.0;
    }
    let (mut left, mut right) = (median_idx.checked_sub(1), median_idx + 1);
    loop {
        let l = left.map(|i| (dev(i), i));
        let r = (right < hist.len()).then(|| (dev(right), right));
        let (d, i, from_left) = match (l, r) {
            (Some((dl, il)), Some((dr, _))) if dl <= dr => (dl, il, true),
            (_, Some((dr, ir))) => (dr, ir, false),
            (Some((dl, il)), None) => (dl, il, true),
            (None, None) => return 0.0,
        };
        seen += u64::from(hist[i]);
        if seen >= half {
            return d;
        }
        if from_left {
            left = i.checked_sub(1);
        } else {
            right = i + 1;
        }
    }
}

/// One connected component's running sums.
#[derive(Debug)]
struct Component {
    pixels: u32,
    sum_x: f64,
    sum_y: f64,
    sum_t: f64,
    bbox: (u32, u32, u32, u32),
    peak_raw: u16,
    peak_px: (u32, u32),
}

/// Labels the 8-connected components of pixels with a count ≥ `raw_threshold`; `table` holds
/// the °C of the counts from `lo` up.
fn components(frame: &Frame, raw_threshold: u16, table: &[f32], lo: u16) -> Vec<Component> {
    let w = frame.width as usize;
    let h = frame.height as usize;
    let samples = &frame.samples;
    // Hot pixels already taken into a component.
    let mut taken = vec![false; samples.len()];

    let mut out = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for start in 0..samples.len() {
        if samples[start] < raw_threshold || taken[start] {
            continue;
        }
        taken[start] = true;
        stack.push(start);
        let mut c = Component {
            pixels: 0,
            sum_x: 0.0,
            sum_y: 0.0,
            sum_t: 0.0,
            bbox: (u32::MAX, u32::MAX, 0, 0),
            peak_raw: 0,
            peak_px: (0, 0),
        };
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            let s = samples[i];
            c.pixels += 1;
            c.sum_x += x as f64;
            c.sum_y += y as f64;
            c.sum_t += f64::from(table[usize::from(s - lo)]);
            let (xu, yu) = (x as u32, y as u32);
            c.bbox = (
                c.bbox.0.min(xu),
                c.bbox.1.min(yu),
                c.bbox.2.max(xu),
                c.bbox.3.max(yu),
            );
            if s > c.peak_raw {
                c.peak_raw = s;
                c.peak_px = (xu, yu);
            }
            let x0 = x.saturating_sub(1);
            let x1 = (x + 1).min(w - 1);
            let y0 = y.saturating_sub(1);
            let y1 = (y + 1).min(h - 1);
            for ny in y0..=y1 {
                let row = ny * w;
                for nx in x0..=x1 {
                    let j = row + nx;
                    if samples[j] >= raw_threshold && !taken[j] {
                        taken[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thermal::Calibration;

    /// A frame at `bg_c` with ±0.1 °C checkerboard noise and the given hot pixels.
    fn scene(w: u32, h: u32, bg_c: f64, hot: &[(u32, u32, f64)]) -> Frame {
        let ck = |t: f64| ((t + 273.15) * 100.0).round() as u16;
        let mut s: Vec<u16> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                ck(bg_c + if (x + y) % 2 == 0 { 0.1 } else { -0.1 })
            })
            .collect();
        for &(x, y, t) in hot {
            s[(y * w + x) as usize] = ck(t);
        }
        Frame::new(w, h, s, Calibration::CentiKelvin, "scene").expect("frame")
    }

    fn square(x0: u32, y0: u32, n: u32, t: f64) -> Vec<(u32, u32, f64)> {
        (0..n * n).map(|i| (x0 + i % n, y0 + i / n, t)).collect()
    }

    #[test]
    fn a_person_sized_warm_square_is_one_person() {
        let mut hot = square(10, 20, 4, 31.0);
        hot[5].2 = 33.5; // the face
        let f = scene(64, 48, 12.0, &hot);
        let d = detect(&f, &HotspotParams::default(), Some(0.1));
        assert!((d.background_c - 12.1).abs() < 0.01, "{d:?}");
        // MAD of ±0.1 noise is 0.1 (or 0 where the median bin holds half): threshold = median + 3.
        assert!(
            d.threshold_c > 12.0 + 2.9 && d.threshold_c < 12.0 + 4.0,
            "{d:?}"
        );
        assert_eq!(d.hotspots.len(), 1);
        let h = &d.hotspots[0];
        assert_eq!(h.pixels, 16);
        assert_eq!(h.bbox_px, (10, 20, 13, 23));
        assert!((h.centroid_px.0 - 12.0).abs() < 1e-9 && (h.centroid_px.1 - 22.0).abs() < 1e-9);
        assert!((h.peak_c - 33.5).abs() < 0.01);
        assert_eq!(h.peak_px, (11, 21));
        assert!((h.mean_c - (15.0 * 31.0 + 33.5) / 16.0).abs() < 0.01);
        assert!((h.area_m2.expect("gsd given") - 0.16).abs() < 1e-9);
        assert_eq!(h.kind, HotspotKind::Person);
    }

    #[test]
    fn diagonal_neighbours_join_one_component() {
        let hot = [(5, 5, 30.0), (6, 6, 30.0), (7, 7, 30.0), (20, 5, 30.0)];
        let f = scene(32, 32, 10.0, &hot);
        let p = HotspotParams {
            min_pixels: 1,
            ..HotspotParams::default()
        };
        let d = detect(&f, &p, None);
        let sizes: Vec<u32> = d.hotspots.iter().map(|h| h.pixels).collect();
        assert_eq!(sizes, vec![3, 1]);
    }

    #[test]
    fn engines_are_hot_and_big_warm_areas_are_not_people() {
        let mut hot = square(2, 2, 5, 70.0);
        hot.extend(square(30, 30, 20, 30.0)); // a 2 m × 2 m warm patch at 0.1 m/px
        let f = scene(64, 64, 8.0, &hot);
        let d = detect(&f, &HotspotParams::default(), Some(0.1));
        assert_eq!(d.hotspots.len(), 2);
        assert_eq!(d.hotspots[0].pixels, 400);
        assert_eq!(d.hotspots[0].kind, HotspotKind::Warm);
        assert_eq!(d.hotspots[1].kind, HotspotKind::Hot);
        assert_eq!(d.people().count(), 0);
    }

    #[test]
    fn noise_and_single_pixels_are_not_hotspots() {
        let f = scene(40, 30, 15.0, &[(3, 3, 35.0), (4, 10, 16.0)]);
        let d = detect(&f, &HotspotParams::default(), None);
        assert!(d.hotspots.is_empty(), "{d:?}");
    }

    #[test]
    fn mad_is_the_median_deviation() {
        // Temperatures 0..=10 °C one pixel each: median 5, deviations 0,1,1,2,2,…,5,5 → MAD 3.
        let table: Vec<f32> = (0..=10).map(|t| t as f32).collect();
        let hist = vec![1u32; 11];
        assert!((mad_from_histogram(&table, &hist, 5) - 3.0).abs() < 1e-9);
    }
}
