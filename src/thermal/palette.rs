//! Palettes and gain: a frame's temperatures → RGBA pixels, and PNG output.
//!
//! Every palette is a 256-entry table. Gain maps a temperature range onto it: automatic gain
//! takes the range between two percentiles of the frame (1 % and 99 % by default, so a few hot
//! or dead pixels do not flatten the picture), manual gain a fixed °C range. Colouring goes
//! through a per-count table built once per frame, so each pixel costs one lookup.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ThermalError;
use super::frame::{Frame, percentile_raw};

/// A colour scale for thermal frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Palette {
    /// Black (cold) to white (hot).
    #[default]
    WhiteHot,
    /// White (cold) to black (hot).
    BlackHot,
    /// FLIR's "iron": black, violet, red, orange, yellow, white.
    Ironbow,
    /// Blue (cold) through cyan, green, yellow to red (hot).
    Rainbow,
}

impl Palette {
    /// All palettes, in the order a user would cycle through them.
    pub const ALL: [Palette; 4] = [
        Palette::WhiteHot,
        Palette::BlackHot,
        Palette::Ironbow,
        Palette::Rainbow,
    ];

    /// The palette's name as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            Palette::WhiteHot => "white-hot",
            Palette::BlackHot => "black-hot",
            Palette::Ironbow => "ironbow",
            Palette::Rainbow => "rainbow",
        }
    }

    /// The palette named `name` (`white-hot`, `black-hot`, `ironbow`, `rainbow`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The 256 colours, cold to hot.
    pub fn table(self) -> [[u8; 3]; 256] {
        let mut t = [[0u8; 3]; 256];
        for (i, c) in t.iter_mut().enumerate() {
            let v = i as u8;
            *c = match self {
                Palette::WhiteHot => [v, v, v],
                Palette::BlackHot => [255 - v, 255 - v, 255 - v],
                Palette::Ironbow => interpolate(IRONBOW, i as f64 / 255.0),
                Palette::Rainbow => interpolate(RAINBOW, i as f64 / 255.0),
            };
        }
        t
    }
}

/// Control points of the ironbow scale: position 0..1 and colour. They follow the look of
/// FLIR's "Iron" palette (black → deep violet → magenta-red → orange → yellow → white); the
/// exact FLIR table is not published.
const IRONBOW: &[(f64, [u8; 3])] = &[
    (0.00, [0, 0, 0]),
    (0.13, [28, 10, 107]),
    (0.30, [120, 5, 140]),
    (0.45, [180, 20, 110]),
    (0.60, [226, 74, 28]),
    (0.75, [249, 141, 10]),
    (0.88, [254, 203, 44]),
    (1.00, [255, 255, 255]),
];

/// Control points of the rainbow scale: hue from blue to red at full saturation.
const RAINBOW: &[(f64, [u8; 3])] = &[
    (0.00, [0, 0, 255]),
    (0.25, [0, 255, 255]),
    (0.50, [0, 255, 0]),
    (0.75, [255, 255, 0]),
    (1.00, [255, 0, 0]),
];

fn interpolate(points: &[(f64, [u8; 3])], t: f64) -> [u8; 3] {
    let k = points
        .windows(2)
        .position(|w| t <= w[1].0)
        .unwrap_or(points.len() - 2);
    let (t0, a) = points[k];
    let (t1, b) = points[k + 1];
    let u = ((t - t0) / (t1 - t0)).clamp(0.0, 1.0);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * u).round() as u8;
    [mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2])]
}

/// How temperatures map onto the palette.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Gain {
    /// The range between two percentiles of the frame (0..100).
    Auto {
        /// Percentile drawn as the coldest colour.
        low_pct: f64,
        /// Percentile drawn as the hottest colour.
        high_pct: f64,
    },
    /// A fixed range, °C.
    Manual {
        /// Temperature drawn as the coldest colour.
        min_c: f64,
        /// Temperature drawn as the hottest colour.
        max_c: f64,
    },
}

impl Default for Gain {
    fn default() -> Self {
        Gain::Auto {
            low_pct: 1.0,
            high_pct: 99.0,
        }
    }
}

/// A temperature band drawn in colour over a greyscale frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Isotherm {
    /// Lower edge, °C.
    pub min_c: f64,
    /// Upper edge, °C.
    pub max_c: f64,
    /// Palette used inside the band (its full scale spans the band).
    pub palette: Palette,
}

/// How to draw a frame.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Render {
    /// Colour scale.
    pub palette: Palette,
    /// Temperature range of the scale.
    pub gain: Gain,
    /// An optional band in colour; everything outside it is drawn white-hot grey.
    pub isotherm: Option<Isotherm>,
}

/// An RGBA image, row-major, 4 bytes per pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct RgbaImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width · height · 4` bytes.
    pub pixels: Vec<u8>,
    /// The temperature drawn as the coldest colour, °C.
    pub scale_min_c: f64,
    /// The temperature drawn as the hottest colour, °C.
    pub scale_max_c: f64,
}

impl Render {
    /// The °C range the scale spans for this frame.
    pub fn range_c(&self, frame: &Frame) -> (f64, f64) {
        let (lo, hist) = frame.histogram();
        self.range_from_histogram(frame, lo, &hist)
    }

    fn range_from_histogram(&self, frame: &Frame, lo: u16, hist: &[u32]) -> (f64, f64) {
        match self.gain {
            Gain::Manual { min_c, max_c } => (min_c, max_c),
            Gain::Auto { low_pct, high_pct } => {
                let t = |q: f64| {
                    let raw = percentile_raw(lo, hist, q / 100.0);
                    frame.calibration.temperature_c(raw).unwrap_or(f64::NAN)
                };
                (t(low_pct), t(high_pct))
            }
        }
    }

    /// Draws a frame.
    pub fn draw(&self, frame: &Frame) -> RgbaImage {
        let (lo, hist) = frame.histogram();
        let hi = lo + (hist.len() - 1) as u16;
        let (min_c, max_c) = self.range_from_histogram(frame, lo, &hist);
        let temps = frame.calibration.table_c(lo, hi);
        let main = self.palette.table();
        let grey = Palette::WhiteHot.table();
        let band = self.isotherm.map(|i| (i, i.palette.table()));

        let index = |t: f64, a: f64, b: f64| -> usize {
            let span = b - a;
            if span.is_nan() || span <= 0.0 || !t.is_finite() {
                return if t >= b { 255 } else { 0 };
            }
            ((t - a) / span * 255.0).round().clamp(0.0, 255.0) as usize
        };
        // One RGBA value per distinct count in the frame.
        let lut: Vec<[u8; 4]> = temps
            .iter()
            .map(|&t| {
                let t = f64::from(t);
                let rgb = match &band {
                    Some((iso, table)) if t >= iso.min_c && t <= iso.max_c => {
                        table[index(t, iso.min_c, iso.max_c)]
                    }
                    Some(_) => grey[index(t, min_c, max_c)],
                    None => main[index(t, min_c, max_c)],
                };
                [rgb[0], rgb[1], rgb[2], 255]
            })
            .collect();

        let pixels = frame
            .samples
            .iter()
            .map(|&s| lut[usize::from(s - lo)])
            .collect::<Vec<[u8; 4]>>()
            .into_flattened();
        RgbaImage {
            width: frame.width,
            height: frame.height,
            pixels,
            scale_min_c: min_c,
            scale_max_c: max_c,
        }
    }
}

impl RgbaImage {
    /// The image as PNG bytes (8-bit RGBA).
    pub fn to_png(&self) -> Result<Vec<u8>, ThermalError> {
        let mut out = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new(&mut out);
        image::ImageEncoder::write_image(
            encoder,
            &self.pixels,
            self.width,
            self.height,
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|source| ThermalError::Image {
            source_name: "rendered frame".to_string(),
            source,
        })?;
        Ok(out)
    }

    /// Writes the image as a PNG file through [`crate::fsutil::write_atomic`].
    pub fn write_png(&self, path: &Path) -> Result<(), ThermalError> {
        let bytes = self.to_png()?;
        crate::fsutil::write_atomic(path, &bytes).map_err(|source| ThermalError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The RGBA value at pixel `(x, y)`.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [
            self.pixels[i],
            self.pixels[i + 1],
            self.pixels[i + 2],
            self.pixels[i + 3],
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thermal::Calibration;

    /// A 256×1 ramp of 0.0, 0.1, … 25.5 °C in centikelvin.
    fn ramp() -> Frame {
        let samples = (0..256).map(|i| 27_315 + i * 10).collect();
        Frame::new(256, 1, samples, Calibration::CentiKelvin, "ramp").expect("frame")
    }

    #[test]
    fn tables_run_from_cold_to_hot() {
        let w = Palette::WhiteHot.table();
        assert_eq!((w[0], w[255]), ([0, 0, 0], [255, 255, 255]));
        let b = Palette::BlackHot.table();
        assert_eq!((b[0], b[255]), ([255, 255, 255], [0, 0, 0]));
        let i = Palette::Ironbow.table();
        assert_eq!((i[0], i[255]), ([0, 0, 0], [255, 255, 255]));
        // Ironbow's middle is red-dominant, never grey.
        let mid = i[128];
        assert!(mid[0] > mid[1] && mid[0] > mid[2], "{mid:?}");
        let r = Palette::Rainbow.table();
        assert_eq!((r[0], r[255]), ([0, 0, 255], [255, 0, 0]));
        assert_eq!(r[128][1], 255, "rainbow is green in the middle");
    }

    #[test]
    fn ironbow_brightness_rises_monotonically() {
        let t = Palette::Ironbow.table();
        let luma =
            |c: [u8; 3]| 299 * u32::from(c[0]) + 587 * u32::from(c[1]) + 114 * u32::from(c[2]);
        for k in 1..256 {
            assert!(luma(t[k]) + 2000 >= luma(t[k - 1]), "dip at {k}");
        }
        assert!(luma(t[255]) > luma(t[200]) && luma(t[200]) > luma(t[100]));
    }

    #[test]
    fn names_round_trip() {
        for p in Palette::ALL {
            assert_eq!(Palette::from_name(p.name()), Some(p));
        }
        assert_eq!(Palette::from_name("iron"), None);
    }

    #[test]
    fn manual_gain_maps_its_range_onto_the_full_scale() {
        let r = Render {
            palette: Palette::WhiteHot,
            gain: Gain::Manual {
                min_c: 5.0,
                max_c: 15.0,
            },
            isotherm: None,
        };
        let img = r.draw(&ramp());
        assert_eq!(img.pixel(0, 0), [0, 0, 0, 255]); // 0 °C, below range
        assert_eq!(img.pixel(50, 0), [0, 0, 0, 255]); // 5 °C
        assert_eq!(img.pixel(100, 0), [128, 128, 128, 255]); // 10 °C: 127.5 rounds up
        assert_eq!(img.pixel(150, 0), [255, 255, 255, 255]); // 15 °C
        assert_eq!(img.pixel(255, 0), [255, 255, 255, 255]);
    }

    #[test]
    fn auto_gain_spans_the_percentiles() {
        let r = Render {
            gain: Gain::Auto {
                low_pct: 10.0,
                high_pct: 90.0,
            },
            ..Render::default()
        };
        let (lo, hi) = r.range_c(&ramp());
        // 256 pixels: rank ceil(25.6) = 26 → count index 25 (2.5 °C); rank ceil(230.4) = 231
        // → index 230 (23.0 °C).
        assert!(
            (lo - 2.5).abs() < 1e-9 && (hi - 23.0).abs() < 1e-9,
            "{lo} {hi}"
        );
        let img = r.draw(&ramp());
        assert_eq!(img.pixel(25, 0)[0], 0);
        assert_eq!(img.pixel(230, 0)[0], 255);
    }

    #[test]
    fn isotherm_colours_only_its_band() {
        let r = Render {
            palette: Palette::WhiteHot,
            gain: Gain::Manual {
                min_c: 0.0,
                max_c: 25.5,
            },
            isotherm: Some(Isotherm {
                min_c: 10.0,
                max_c: 20.0,
                palette: Palette::Ironbow,
            }),
        };
        let img = r.draw(&ramp());
        // Outside: grey; inside: ironbow from its cold end to its hot end.
        let p = img.pixel(50, 0);
        assert!(p[0] == p[1] && p[1] == p[2]);
        assert_eq!(img.pixel(100, 0), [0, 0, 0, 255]); // 10 °C = ironbow's first colour
        let mid = img.pixel(150, 0);
        assert!(mid[0] > mid[2] && mid[0] != mid[1], "{mid:?}");
        assert_eq!(img.pixel(200, 0), [255, 255, 255, 255]);
        let p = img.pixel(210, 0);
        assert!(p[0] == p[1] && p[1] == p[2]);
    }

    #[test]
    fn png_round_trips_through_the_decoder() {
        let img = Render::default().draw(&ramp());
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ramp.png");
        img.write_png(&path).expect("written");
        let back = image::open(&path).expect("png").into_rgba8();
        assert_eq!(back.dimensions(), (256, 1));
        assert_eq!(back.into_raw(), img.pixels);
    }
}
