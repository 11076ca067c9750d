//! Radiometric file decoders: FLIR radiometric JPEG (APP1 "FLIR" segments), bare FLIR FFF
//! records, and 16-bit TIFF and PNG (with FLIR's little-endian-in-PNG byte-order quirk).
//!
//! The FLIR layout follows ExifTool's `Image::ExifTool::FLIR` module: an FFF header of 64
//! bytes (`"FFF\0"`, creator, version at 0x14, directory offset at 0x18, entry count at 0x1c)
//! whose byte order is the one that reads a version in 100..200; 32-byte directory entries
//! (record type at 0, offset at 0x0c, length at 0x10); record 0x01 RawData (width at 2, height
//! at 4, image at 0x20: raw 16-bit words or a PNG), 0x20 CameraInfo (emissivity, distances,
//! temperatures in kelvin, Planck R1/B/F at 0x58.., O/R2 at 0x308/0x30c) and 0x2b GPSInfo.
//! Each record has its own byte order: the first 16-bit word is 2, so a value ≥ 0x100 means
//! the other order.

use std::path::Path;

use super::ThermalError;
use super::calibration::{Calibration, Planck, SceneParams, ZERO_C_IN_K};
use super::frame::{Frame, FrameMeta};

/// A decoded file: the raw image, the calibration the file itself carries (FLIR JPEG/FFF) or
/// `None` (a plain TIFF or PNG holds counts only), and metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Raw samples, row-major.
    pub samples: Vec<u16>,
    /// Calibration read from the file's own metadata.
    pub calibration: Option<Calibration>,
    /// Camera and capture metadata.
    pub meta: FrameMeta,
    /// The file or stream name, for messages.
    pub source: String,
    /// Which container the raw image came in.
    pub format: SourceFormat,
}

/// The container a frame was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// FLIR radiometric JPEG.
    FlirJpeg,
    /// Bare FLIR FFF record.
    FlirFff,
    /// 16-bit TIFF.
    Tiff,
    /// 16-bit PNG.
    Png,
    /// Vigil's UDP frame stream.
    Udp,
}

impl Decoded {
    /// The frame, with the file's calibration, else `fallback`, else an error saying what to
    /// pass.
    pub fn into_frame(self, fallback: Option<&Calibration>) -> Result<Frame, ThermalError> {
        let calibration = match (self.calibration, fallback) {
            (Some(c), _) => c,
            (None, Some(c)) => c.clone(),
            (None, None) => {
                return Err(ThermalError::NoCalibration {
                    source_name: self.source,
                });
            }
        };
        let mut f = Frame::new(
            self.width,
            self.height,
            self.samples,
            calibration,
            self.source,
        )?;
        f.meta = self.meta;
        Ok(f)
    }
}

/// Reads and decodes one radiometric file.
pub fn decode_file(path: &Path) -> Result<Decoded, ThermalError> {
    let bytes = std::fs::read(path).map_err(|source| ThermalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode_bytes(&bytes, &path.display().to_string())
}

/// Decodes a radiometric file held in memory; `name` is used in messages and as the frame's
/// source.
pub fn decode_bytes(bytes: &[u8], name: &str) -> Result<Decoded, ThermalError> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let fff = flir_fff_from_jpeg(bytes, name)?;
        decode_fff(&fff, name, SourceFormat::FlirJpeg)
    } else if bytes.starts_with(b"FFF\0") {
        decode_fff(bytes, name, SourceFormat::FlirFff)
    } else if bytes.starts_with(PNG_SIGNATURE)
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
    {
        decode_raster(bytes, name, None)
    } else {
        Err(ThermalError::UnknownFormat {
            source_name: name.to_string(),
            magic: bytes.iter().take(8).map(|b| format!("{b:02x}")).collect(),
        })
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn malformed(name: &str, what: impl Into<String>) -> ThermalError {
    ThermalError::Malformed {
        source_name: name.to_string(),
        what: what.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// JPEG APP1 "FLIR" segments

/// Concatenates the payloads of a JPEG's APP1 "FLIR" segments in their index order: the FFF
/// record that FLIR splits over 64 KiB segments. Each payload starts `"FLIR\0" 0x01 index last`.
pub fn flir_fff_from_jpeg(jpeg: &[u8], name: &str) -> Result<Vec<u8>, ThermalError> {
    let mut parts: Vec<(u8, &[u8])> = Vec::new();
    let mut last_index = None;
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        if jpeg[i] != 0xFF {
            return Err(malformed(
                name,
                format!("JPEG marker expected at byte {i}, found 0x{:02x}", jpeg[i]),
            ));
        }
        let marker = jpeg[i + 1];
        // Start of scan: the metadata segments are all before it.
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        if marker == 0xFF || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            i += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        let end = i + 2 + len;
        if len < 2 || end > jpeg.len() {
            return Err(malformed(
                name,
                format!("JPEG segment 0x{marker:02x} at byte {i} claims {len} bytes past the end"),
            ));
        }
        let payload = &jpeg[i + 4..end];
        if marker == 0xE1 && payload.len() >= 8 && payload.starts_with(b"FLIR\0") {
            parts.push((payload[6], &payload[8..]));
            last_index = Some(payload[7]);
        }
        i = end;
    }
    let Some(last) = last_index else {
        return Err(malformed(
            name,
            "JPEG without APP1 \"FLIR\" segments (not a FLIR radiometric JPEG)",
        ));
    };
    parts.sort_by_key(|p| p.0);
    let indices: Vec<u8> = parts.iter().map(|p| p.0).collect();
    if indices != (0..=last).collect::<Vec<_>>() {
        return Err(malformed(
            name,
            format!("FLIR APP1 segments {indices:?}, expected 0..={last}"),
        ));
    }
    Ok(parts
        .into_iter()
        .flat_map(|p| p.1.iter().copied())
        .collect())
}

// ---------------------------------------------------------------------------------------------
// FFF records

/// A byte order chosen for one FFF structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

/// A bounds-checked reader of one FFF structure.
struct Reader<'a> {
    buf: &'a [u8],
    order: Order,
    name: &'a str,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn bytes<const N: usize>(&self, at: usize) -> Result<[u8; N], ThermalError> {
        self.buf
            .get(at..at + N)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| {
                malformed(
                    self.name,
                    format!(
                        "{} is {} bytes, field at byte {at} needs {N}",
                        self.what,
                        self.buf.len()
                    ),
                )
            })
    }
    fn u16(&self, at: usize) -> Result<u16, ThermalError> {
        let b = self.bytes::<2>(at)?;
        Ok(match self.order {
            Order::Little => u16::from_le_bytes(b),
            Order::Big => u16::from_be_bytes(b),
        })
    }
    fn u32(&self, at: usize) -> Result<u32, ThermalError> {
        let b = self.bytes::<4>(at)?;
        Ok(match self.order {
            Order::Little => u32::from_le_bytes(b),
            Order::Big => u32::from_be_bytes(b),
        })
    }
    fn i32(&self, at: usize) -> Result<i32, ThermalError> {
        Ok(self.u32(at)? as i32)
    }
    fn f32(&self, at: usize) -> Result<f64, ThermalError> {
        Ok(f64::from(f32::from_bits(self.u32(at)?)))
    }
    fn f64(&self, at: usize) -> Result<f64, ThermalError> {
        let b = self.bytes::<8>(at)?;
        Ok(match self.order {
            Order::Little => f64::from_le_bytes(b),
            Order::Big => f64::from_be_bytes(b),
        })
    }
    fn string(&self, at: usize, len: usize) -> Option<String> {
        let s = self.buf.get(at..at + len)?;
        let end = s.iter().position(|&b| b == 0).unwrap_or(len);
        let text = String::from_utf8_lossy(&s[..end]).trim().to_string();
        (!text.is_empty()).then_some(text)
    }
    /// A record whose first 16-bit word is 2 in its own byte order.
    fn record(buf: &'a [u8], name: &'a str, what: &'static str) -> Self {
        let order = match buf.get(0..2) {
            Some(b) if u16::from_le_bytes([b[0], b[1]]) < 0x100 => Order::Little,
            _ => Order::Big,
        };
        Reader {
            buf,
            order,
            name,
            what,
        }
    }
}

const REC_RAW_DATA: u16 = 0x01;
const REC_CAMERA_INFO: u16 = 0x20;
const REC_GPS_INFO: u16 = 0x2b;

fn decode_fff(fff: &[u8], name: &str, format: SourceFormat) -> Result<Decoded, ThermalError> {
    if !fff.starts_with(b"FFF\0") {
        return Err(malformed(
            name,
            "FLIR record does not start with \"FFF\\0\"",
        ));
    }
    let mut hdr = Reader {
        buf: fff,
        order: Order::Big,
        name,
        what: "FFF header",
    };
    let version = hdr.u32(0x14)?;
    if !(100..200).contains(&version) {
        hdr.order = Order::Little;
        let v = hdr.u32(0x14)?;
        if !(100..200).contains(&v) {
            return Err(malformed(
                name,
                format!("FFF version {version} (or {v} swapped), expected 100..200"),
            ));
        }
    }
    let dir = hdr.u32(0x18)? as usize;
    let count = hdr.u32(0x1c)? as usize;

    let mut raw = None;
    let mut info = None;
    let mut gps = None;
    for k in 0..count {
        let e = dir + 32 * k;
        let rec_type = hdr.u16(e)?;
        if rec_type == 0 {
            continue;
        }
        let off = hdr.u32(e + 0x0c)? as usize;
        let len = hdr.u32(e + 0x10)? as usize;
        let body = fff.get(off..off + len).ok_or_else(|| {
            malformed(
                name,
                format!(
                    "FFF record 0x{rec_type:02x} at {off}+{len} runs past the end ({} bytes)",
                    fff.len()
                ),
            )
        })?;
        match rec_type {
            REC_RAW_DATA => raw = Some(body),
            REC_CAMERA_INFO => info = Some(body),
            REC_GPS_INFO => gps = Some(body),
            _ => {}
        }
    }
    let raw = raw.ok_or_else(|| malformed(name, "FFF has no RawData record (type 0x01)"))?;

    let mut meta = FrameMeta::default();
    let calibration = match info {
        Some(body) => Some(camera_info(body, name, &mut meta)?),
        None => None,
    };
    if let Some(body) = gps {
        meta.gps = gps_info(body, name);
    }

    let r = Reader::record(raw, name, "RawData record");
    let width = u32::from(r.u16(2)?);
    let height = u32::from(r.u16(4)?);
    let image = raw.get(0x20..).unwrap_or_default();
    let samples = if image.starts_with(PNG_SIGNATURE) {
        let d = decode_raster(image, name, meta.raw_median_hint)?;
        if (d.width, d.height) != (width, height) {
            return Err(malformed(
                name,
                format!(
                    "embedded PNG is {}x{}, RawData record says {width}x{height}",
                    d.width, d.height
                ),
            ));
        }
        meta.byte_swapped = d.meta.byte_swapped;
        d.samples
    } else {
        let n = width as usize * height as usize;
        if image.len() < 2 * n {
            return Err(malformed(
                name,
                format!(
                    "RawData holds {} bytes, a {width}x{height} 16-bit image needs {}",
                    image.len(),
                    2 * n
                ),
            ));
        }
        image[..2 * n]
            .chunks_exact(2)
            .map(|c| match r.order {
                Order::Little => u16::from_le_bytes([c[0], c[1]]),
                Order::Big => u16::from_be_bytes([c[0], c[1]]),
            })
            .collect()
    };

    Ok(Decoded {
        width,
        height,
        samples,
        calibration,
        meta,
        source: name.to_string(),
        format,
    })
}

/// Reads the Planck constants, scene terms and camera identity from a CameraInfo record.
fn camera_info(body: &[u8], name: &str, meta: &mut FrameMeta) -> Result<Calibration, ThermalError> {
    let r = Reader::record(body, name, "CameraInfo record");
    let k = |v: f64| v - ZERO_C_IN_K;
    let rh = r.f32(0x3c)?;
    let scene = SceneParams {
        emissivity: r.f32(0x20)?,
        object_distance_m: r.f32(0x24)?,
        reflected_temp_c: k(r.f32(0x28)?),
        atmospheric_temp_c: k(r.f32(0x2c)?),
        ir_window_temp_c: k(r.f32(0x30)?),
        ir_window_transmission: r.f32(0x34)?,
        // Some cameras store a percentage, most a fraction (as ExifTool does, > 2 means %).
        relative_humidity: if rh > 2.0 { rh / 100.0 } else { rh },
        atm_alpha1: r.f32(0x70)?,
        atm_alpha2: r.f32(0x74)?,
        atm_beta1: r.f32(0x78)?,
        atm_beta2: r.f32(0x7c)?,
        atm_x: r.f32(0x80)?,
    };
    if !(scene.emissivity > 0.0 && scene.emissivity <= 1.0) {
        return Err(malformed(
            name,
            format!(
                "CameraInfo emissivity {}, expected within (0, 1]",
                scene.emissivity
            ),
        ));
    }
    if !(scene.ir_window_transmission > 0.0 && scene.ir_window_transmission <= 1.0) {
        return Err(malformed(
            name,
            format!(
                "CameraInfo IR window transmission {}, expected within (0, 1]",
                scene.ir_window_transmission
            ),
        ));
    }
    let planck = Planck {
        r1: r.f32(0x58)?,
        b: r.f32(0x5c)?,
        f: r.f32(0x60)?,
        o: f64::from(r.i32(0x308)?),
        r2: r.f32(0x30c)?,
        scene,
    };
    if !(planck.r1 > 0.0 && planck.r2 > 0.0 && planck.b > 0.0) {
        return Err(malformed(
            name,
            format!(
                "CameraInfo Planck R1 {} R2 {} B {}, expected all > 0",
                planck.r1, planck.r2, planck.b
            ),
        ));
    }

    meta.camera_model = r.string(0xd4, 32);
    meta.camera_serial = r.string(0x104, 16);
    meta.hfov_deg = r.f32(0x1b4).ok().filter(|v| *v > 0.0 && *v < 180.0);
    meta.raw_median_hint = r.u16(0x338).ok().filter(|v| *v > 0);
    // DateTimeOriginal: Unix seconds (UTC) and milliseconds; the time-zone minutes that
    // follow only say how the camera displayed it.
    if let (Ok(s), Ok(ms)) = (r.u32(0x384), r.u32(0x388))
        && s > 0
    {
        meta.captured_unix_s = Some(f64::from(s) + f64::from(ms % 1000) / 1000.0);
    }
    Ok(Calibration::Planck(planck))
}

/// Reads a valid GPS fix from a GPSInfo record: `(lat_deg, lon_deg, alt_m)`.
fn gps_info(body: &[u8], name: &str) -> Option<(f64, f64, f64)> {
    let r = Reader::record(body, name, "GPSInfo record");
    // The record's first word is GPSValid (1), so the byte-order test of `record` holds too.
    if r.u32(0).ok()? != 1 {
        return None;
    }
    let lat_ref = *body.get(8)?;
    let lon_ref = *body.get(10)?;
    let mut lat = r.f64(0x10).ok()?;
    let mut lon = r.f64(0x18).ok()?;
    let alt = r.f32(0x20).ok()?;
    if lat_ref == b'S' && lat > 0.0 {
        lat = -lat;
    }
    if lon_ref == b'W' && lon > 0.0 {
        lon = -lon;
    }
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon, alt))
}

// ---------------------------------------------------------------------------------------------
// 16-bit TIFF and PNG

/// Decodes a 16-bit greyscale TIFF or PNG. A PNG's 16-bit samples are big-endian by the
/// standard, but most FLIR cameras write them little-endian; the order is chosen from
/// `raw_median_hint` (FLIR's recorded median count) when given, else from plausibility: a real
/// thermal scene is smooth in its high byte, so the right order has much smaller differences
/// between neighbouring pixels than the swapped one.
pub fn decode_raster(
    bytes: &[u8],
    name: &str,
    raw_median_hint: Option<u16>,
) -> Result<Decoded, ThermalError> {
    let is_png = bytes.starts_with(PNG_SIGNATURE);
    let img = image::load_from_memory(bytes).map_err(|source| ThermalError::Image {
        source_name: name.to_string(),
        source,
    })?;
    let color = img.color();
    if color != image::ColorType::L16 {
        return Err(malformed(
            name,
            format!("image is {color:?}, expected 16-bit greyscale (L16) radiometric counts"),
        ));
    }
    let img = img.into_luma16();
    let (width, height) = img.dimensions();
    let mut samples = img.into_raw();
    let mut meta = FrameMeta::default();
    if is_png && should_swap(&samples, width as usize, raw_median_hint) {
        for s in &mut samples {
            *s = s.swap_bytes();
        }
        meta.byte_swapped = true;
    }
    meta.raw_median_hint = raw_median_hint;
    Ok(Decoded {
        width,
        height,
        samples,
        calibration: None,
        meta,
        source: name.to_string(),
        format: if is_png {
            SourceFormat::Png
        } else {
            SourceFormat::Tiff
        },
    })
}

/// Whether byte-swapped samples are the plausible reading (see [`decode_raster`]). The
/// roughness test decides when one order is at least four times smoother; otherwise the
/// camera's recorded median, when known, picks the order whose median is closer to it.
fn should_swap(samples: &[u16], width: usize, raw_median_hint: Option<u16>) -> bool {
    let straight = roughness(samples, width, false);
    let swapped = roughness(samples, width, true);
    if swapped * 4.0 < straight {
        return true;
    }
    if straight * 4.0 < swapped {
        return false;
    }
    let Some(hint) = raw_median_hint else {
        return false;
    };
    let median = |swap: bool| {
        let mut v: Vec<u16> = samples
            .iter()
            .map(|s| if swap { s.swap_bytes() } else { *s })
            .collect();
        let mid = v.len() / 2;
        *v.select_nth_unstable(mid).1
    };
    let d = |m: u16| (i32::from(m) - i32::from(hint)).unsigned_abs();
    d(median(true)) < d(median(false))
}

/// Mean absolute difference between horizontal neighbours.
fn roughness(samples: &[u16], width: usize, swap: bool) -> f64 {
    let mut sum = 0u64;
    let mut n = 0u64;
    for row in samples.chunks(width.max(1)) {
        for w in row.windows(2) {
            let (a, b) = if swap {
                (w[0].swap_bytes(), w[1].swap_bytes())
            } else {
                (w[0], w[1])
            };
            sum += u64::from(a.abs_diff(b));
            n += 1;
        }
    }
    if n == 0 { 0.0 } else { sum as f64 / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fff_segments_are_joined_in_index_order() {
        // Two APP1 FLIR segments stored out of order, then SOS.
        let seg = |idx: u8, data: &[u8]| {
            let mut p = b"FLIR\0\x01".to_vec();
            p.extend([idx, 1]);
            p.extend(data);
            let mut s = vec![0xFF, 0xE1];
            s.extend(((p.len() + 2) as u16).to_be_bytes());
            s.extend(p);
            s
        };
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(seg(1, b"world"));
        jpeg.extend(seg(0, b"hello "));
        jpeg.extend([0xFF, 0xDA, 0x00, 0x02]);
        let fff = flir_fff_from_jpeg(&jpeg, "t.jpg").expect("joined");
        assert_eq!(fff, b"hello world");
    }

    #[test]
    fn a_missing_segment_is_an_error_naming_the_indices() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x0C];
        jpeg.extend(b"FLIR\0\x01\x01\x02xx");
        let msg = flir_fff_from_jpeg(&jpeg, "t.jpg")
            .expect_err("segment 0 missing")
            .to_string();
        assert!(msg.contains("[1]") && msg.contains("0..=2"), "{msg}");
    }

    #[test]
    fn a_truncated_segment_is_an_error_not_a_panic() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, b'F'];
        assert!(flir_fff_from_jpeg(&jpeg, "t.jpg").is_err());
        assert!(decode_bytes(b"FFF\0short", "t.fff").is_err());
        assert!(decode_bytes(b"GIF89a", "t.gif").is_err());
    }

    #[test]
    fn smooth_scene_stored_little_endian_in_png_is_detected_by_roughness() {
        // A smooth ramp around 16 800 counts, stored with its bytes swapped.
        let truth: Vec<u16> = (0..400).map(|i| 16_700 + (i % 20) as u16 * 5).collect();
        let swapped: Vec<u16> = truth.iter().map(|s| s.swap_bytes()).collect();
        assert!(should_swap(&swapped, 20, None));
        assert!(!should_swap(&truth, 20, None));
        assert!(should_swap(&swapped, 20, Some(16_750)));
        assert!(!should_swap(&truth, 20, Some(16_750)));
    }

    #[test]
    fn a_flat_image_falls_back_to_the_recorded_median() {
        // Constant image: both orders equally smooth, the hint decides.
        let flat = vec![0x4142u16; 100];
        assert!(!should_swap(&flat, 10, None));
        assert!(should_swap(&flat, 10, Some(0x4241)));
        assert!(!should_swap(&flat, 10, Some(0x4142)));
    }
}
