//! Every radiometric file in the shared data decodes to the figures in
//! `notes/thermal_formats.md` and `thermal/flirpy_frame_000000.txt`.

use std::path::PathBuf;

use vigil::thermal::{Calibration, Decoded, Frame, SourceFormat, decode_file};

fn thermal_dir(test: &str) -> Option<PathBuf> {
    vigil::testdata::shared_data(test).map(|d| d.join("thermal"))
}

fn decode(dir: &std::path::Path, name: &str) -> Decoded {
    decode_file(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn planck(c: &Option<Calibration>) -> &vigil::thermal::Planck {
    match c {
        Some(Calibration::Planck(p)) => p,
        other => panic!("expected Planck calibration, got {other:?}"),
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// Tolerances: constants are stored as f32 in the file, so they are compared to the notes'
// printed digits (relative 1e-6). Temperatures from the simple Planck form are compared to
// the notes' one-decimal figures (± 0.05 °C). Scene-corrected temperatures are bounded by
// physics: warmer than apparent for an object above its reflected temperature at ε < 1.

#[test]
fn flirpy_fff_matches_its_exiftool_dump() {
    let Some(dir) = thermal_dir("flirpy_fff_matches_its_exiftool_dump") else {
        return;
    };
    let d = decode(&dir, "flirpy_frame_000000.fff");
    assert_eq!(d.format, SourceFormat::FlirFff);
    assert_eq!((d.width, d.height), (640, 512));
    let p = planck(&d.calibration);
    assert!(close(p.r1, 364_058.0, 1e-3));
    assert!(close(p.r2, 1.0, 1e-9));
    assert!(close(p.b, 1428.0, 1e-9) && close(p.f, 1.0, 1e-9) && close(p.o, -228.0, 1e-9));
    // Emissivity 0.94 is stored as f32 0.93994 (ExifTool prints 0.94).
    assert!(close(p.scene.emissivity, 0.94, 1e-3));
    assert!(close(p.scene.object_distance_m, 50.0, 1e-6));
    assert!(close(p.scene.reflected_temp_c, 20.0, 1e-3));
    assert!(close(p.scene.atmospheric_temp_c, 20.0, 1e-3));
    assert!(close(p.scene.ir_window_temp_c, 22.0, 1e-3));
    assert!(close(p.scene.relative_humidity, 0.30, 1e-6));
    assert!(close(p.scene.atm_alpha1, 0.006569, 1e-8));
    assert!(close(p.scene.atm_x, 1.9, 1e-6));
    assert_eq!(d.meta.camera_model.as_deref(), Some("Duo Pro R"));
    assert_eq!(d.meta.camera_serial.as_deref(), Some("8340357"));
    assert_eq!(d.meta.hfov_deg, Some(45.0));
    assert_eq!(d.meta.raw_median_hint, Some(2681));
    // 2018:11:05 12:14:43.084+01:00 = 11:14:43.084 UTC.
    assert!(close(
        d.meta.captured_unix_s.expect("time"),
        1_541_416_483.084,
        1e-6
    ));
    let (lat, lon, alt) = d.meta.gps.expect("GPS valid");
    // 53°26'56.06"N 2°48'54.09"W, 81.02 m.
    assert!(
        close(lat, 53.0 + 26.0 / 60.0 + 56.06 / 3600.0, 1e-5),
        "{lat}"
    );
    assert!(
        close(lon, -(2.0 + 48.0 / 60.0 + 54.09 / 3600.0), 1e-5),
        "{lon}"
    );
    assert!(close(alt, 81.02, 0.01));

    let f = d.into_frame(None).expect("calibrated");
    let s = f.stats();
    // Our median count, and the camera's own (CameraInfo RawValueMedian 2681, taken by the
    // camera over its own window) within 1 %.
    assert_eq!(s.median_raw, 2699);
    assert!(s.median_raw.abs_diff(2681) <= 27);
    // Apparent (ε = 1) median: 1428 / ln(364058 / (2699 − 228) + 1) − 273.15 = 12.48 °C.
    let apparent = Calibration::Planck(planck_of(&f).apparent());
    let median_apparent = apparent.temperature_c(s.median_raw).expect("defined");
    assert!(close(median_apparent, 12.48, 0.01), "{median_apparent}");
    // A November midday ground scene in Merseyside: all pixels between −10 and 40 °C. The
    // reflected 20 °C is warmer than the 12 °C scene, so the ε = 0.94 correction lowers it.
    assert!(s.min_c > -10.0 && s.max_c < 40.0, "{s:?}");
    assert!(s.median_c < median_apparent, "{s:?}");
    assert!(close(s.median_c, 11.5, 0.5), "{s:?}");
}

fn planck_of(f: &Frame) -> &vigil::thermal::Planck {
    match &f.calibration {
        Calibration::Planck(p) => p,
        other => panic!("expected Planck, got {other:?}"),
    }
}

#[test]
fn zenmuse_xtr_jpeg_has_the_notes_constants_and_raw_tiff_payload() {
    let Some(dir) = thermal_dir("zenmuse_xtr_jpeg") else {
        return;
    };
    let d = decode(&dir, "read_thermal_zenmuse_xtr.jpg");
    assert_eq!(d.format, SourceFormat::FlirJpeg);
    assert_eq!((d.width, d.height), (640, 512));
    assert!(!d.meta.byte_swapped);
    let p = planck(&d.calibration);
    assert!(close(p.r1, 17_096.453, 1e-3));
    assert!(close(p.r2, 0.048_084_795, 1e-9));
    assert!(close(p.b, 1428.0, 1e-9) && close(p.f, 1.0, 1e-9) && close(p.o, -370.0, 1e-9));
    assert!(close(p.scene.emissivity, 0.70, 1e-6));
    assert!(close(p.scene.object_distance_m, 20.0, 1e-6));

    // The derived TIFF is ExifTool's extraction of the same RawThermalImage: identical counts.
    let tiff = decode(&dir, "derived_zenmuse_xtr_rawthermal.tiff");
    assert_eq!(tiff.format, SourceFormat::Tiff);
    assert_eq!((tiff.width, tiff.height), (640, 512));
    assert!(tiff.calibration.is_none());
    assert_eq!(tiff.samples, d.samples);

    let f = d.into_frame(None).expect("calibrated");
    let s = f.stats();
    let apparent = Calibration::Planck(planck_of(&f).apparent());
    let app = |r| apparent.temperature_c(r).expect("defined");
    // A daytime Brazilian scene (air 32 °C in the record): apparent temperatures between
    // 10 and 70 °C, and a median near air temperature.
    assert!(app(s.min_raw) > 10.0 && app(s.max_raw) < 70.0, "{s:?}");
    assert!(
        app(s.median_raw) > 20.0 && app(s.median_raw) < 45.0,
        "{s:?}"
    );
    assert!(s.min_c < s.median_c && s.median_c < s.max_c);
}

#[test]
fn ax8_png_is_little_endian_and_reads_24_to_25_degrees() {
    let Some(dir) = thermal_dir("ax8_png") else {
        return;
    };
    let d = decode(&dir, "read_thermal_ax8.jpg");
    assert_eq!((d.width, d.height), (80, 60));
    assert!(d.meta.byte_swapped, "the AX8 PNG payload is little-endian");
    let p = planck(&d.calibration).clone();
    assert!(close(p.r1, 16_951.797, 1e-3));
    assert!(close(p.r2, 0.014_294_867, 1e-9));
    assert!(close(p.b, 1435.1, 1e-4) && close(p.o, -7142.0, 1e-9));
    assert!(close(p.scene.emissivity, 0.95, 1e-6));
    assert_eq!(d.meta.camera_model.as_deref(), Some("FLIR AX8"));

    // The notes: byte-swapped counts 16711..16876 → ≈ 24.1–25.2 °C (simple form).
    let f = d.into_frame(None).expect("calibrated");
    let s = f.stats();
    assert_eq!((s.min_raw, s.max_raw), (16_711, 16_876));
    let apparent = Calibration::Planck(p.apparent());
    let lo = apparent.temperature_c(s.min_raw).expect("defined");
    let hi = apparent.temperature_c(s.max_raw).expect("defined");
    assert!(close(lo, 24.1, 0.05) && close(hi, 25.2, 0.05), "{lo} {hi}");

    // The derived PNG alone (no metadata) is detected as swapped by plausibility, and holds the
    // same counts.
    let png = decode(&dir, "derived_ax8_rawthermal.png");
    assert_eq!(png.format, SourceFormat::Png);
    assert!(png.meta.byte_swapped);
    assert_eq!(png.samples, f.samples);
    // Given the AX8's calibration it reads the same temperatures.
    let g = png.into_frame(Some(&f.calibration)).expect("calibrated");
    assert_eq!(g.stats(), s);
}

#[test]
fn flir_one_example_is_portrait_240_by_320() {
    let Some(dir) = thermal_dir("flir_one_example") else {
        return;
    };
    let d = decode(&dir, "read_thermal_flir_example.jpg");
    assert_eq!((d.width, d.height), (240, 320));
    assert!(d.meta.byte_swapped);
    let p = planck(&d.calibration).clone();
    assert!(close(p.r1, 17_837.531, 1e-3));
    assert!(close(p.r2, 0.012_332_781, 1e-9));
    assert!(close(p.b, 1450.4, 1e-4) && close(p.o, -1143.0, 1e-9));
    let (lat, lon, _) = d.meta.gps.expect("GPS");
    // 49°00'38"N 8°25'06"E (Karlsruhe).
    assert!(close(lat, 49.0 + 38.0 / 3600.0, 1e-3), "{lat}");
    assert!(close(lon, 8.0 + 25.0 / 60.0 + 6.0 / 3600.0, 1e-3), "{lon}");
    let f = d.into_frame(None).expect("calibrated");
    let s = f.stats();
    // Read big-endian as the PNG standard says, the counts would span 49..65357 (NaN to
    // 193 °C); little-endian they span 12501..20042: a room-temperature scene (median
    // 26.6 °C, ε 0.95) with one object near 62 °C.
    assert_eq!(
        (s.min_raw, s.max_raw, s.median_raw),
        (12_501, 20_042, 12_612)
    );
    assert!(
        close(s.min_c, 25.95, 0.05) && close(s.max_c, 62.32, 0.05),
        "{s:?}"
    );
    assert!(close(s.median_c, 26.58, 0.05), "{s:?}");
}

#[test]
fn flirpy_tiff_is_tlinear_at_four_hundredths_of_a_kelvin_per_count() {
    let Some(dir) = thermal_dir("flirpy_tiff") else {
        return;
    };
    let tiff = decode(&dir, "flirpy_example_radiometric.tiff");
    assert_eq!(tiff.format, SourceFormat::Tiff);
    assert_eq!((tiff.width, tiff.height), (640, 512));
    assert!(
        tiff.calibration.is_none(),
        "no Planck constants in the TIFF"
    );
    assert!(matches!(
        tiff.clone().into_frame(None),
        Err(vigil::thermal::ThermalError::NoCalibration { .. })
    ));

    // The Duo Pro R writes its radiometric TIFFs in TLinear high-resolution form, 0.04 K per
    // count: counts 6743..7077 → −3.4..9.9 °C, median 6994 → 6.6 °C, a November ground scene
    // in Merseyside like the .fff of the same camera (12 °C median).
    let f = tiff
        .clone()
        .into_frame(Some(&Calibration::tlinear_high_res()))
        .expect("calibrated");
    let s = f.stats();
    assert_eq!((s.min_raw, s.max_raw, s.median_raw), (6743, 7077, 6994));
    assert!(
        close(s.min_c, -3.43, 0.01) && close(s.max_c, 9.93, 0.01),
        "{s:?}"
    );
    assert!(close(s.median_c, 6.61, 0.01), "{s:?}");

    // The counts are not the .fff's Planck counts: through the Planck curve they would read
    // 86–91 °C, which no November ground scene is.
    let fff = decode(&dir, "flirpy_frame_000000.fff");
    let wrong = tiff
        .into_frame(fff.calibration.as_ref())
        .expect("calibrated")
        .stats();
    assert!(wrong.min_c > 80.0, "{wrong:?}");
}

#[test]
fn real_daytime_scenes_hold_hot_objects_and_no_people() {
    use vigil::thermal::{HotspotKind, HotspotParams, hotspot};
    let Some(dir) = thermal_dir("real_scenes_hotspots") else {
        return;
    };
    // Zenmuse XT-R: sunlit metal behind a conveyor, 54–60 °C peaks over a 27.7 °C median.
    let f = decode(&dir, "read_thermal_zenmuse_xtr.jpg")
        .into_frame(None)
        .expect("calibrated");
    let d = hotspot::detect(&f, &HotspotParams::default(), None);
    assert!((d.background_c - 27.68).abs() < 0.01, "{}", d.background_c);
    assert_eq!(d.hotspots.len(), 10);
    assert!(d.hotspots.iter().all(|h| h.kind == HotspotKind::Hot));
    assert_eq!(d.hotspots[0].pixels, 24);
    assert!((d.hotspots.iter().map(|h| h.peak_c).fold(0.0, f64::max) - 59.73).abs() < 0.01);

    // FLIR One: one large object at up to 62.3 °C in a 26.6 °C room.
    let f = decode(&dir, "read_thermal_flir_example.jpg")
        .into_frame(None)
        .expect("calibrated");
    let d = hotspot::detect(&f, &HotspotParams::default(), None);
    assert_eq!(d.hotspots.len(), 1);
    assert_eq!(
        (d.hotspots[0].kind, d.hotspots[0].pixels),
        (HotspotKind::Hot, 14_842)
    );

    // The Duo Pro R ground scene and the AX8 are uniform: nothing stands out by 3 °C.
    for name in ["flirpy_frame_000000.fff", "read_thermal_ax8.jpg"] {
        let f = decode(&dir, name).into_frame(None).expect("calibrated");
        assert!(
            hotspot::detect(&f, &HotspotParams::default(), None)
                .hotspots
                .is_empty()
        );
    }
}

#[test]
fn truncated_or_corrupted_files_are_errors_never_panics() {
    let Some(dir) = thermal_dir("truncated_files") else {
        return;
    };
    for name in [
        "read_thermal_ax8.jpg",
        "read_thermal_flir_example.jpg",
        "flirpy_frame_000000.fff",
        "derived_ax8_rawthermal.png",
    ] {
        let bytes = std::fs::read(dir.join(name)).expect("readable");
        // Cut at many points, including inside headers, directories and the raw image.
        for k in 1..20 {
            let cut = bytes.len() * k / 20;
            let _ = vigil::thermal::decode_bytes(&bytes[..cut], name);
        }
        // Corrupt single bytes across the first 4 KiB (headers and record directory).
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..100 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let mut b = bytes.clone();
            let at = (rng as usize) % b.len().min(4096);
            b[at] ^= (rng >> 32) as u8 | 1;
            if let Ok(d) = vigil::thermal::decode_bytes(&b, name) {
                assert_eq!(d.samples.len(), (d.width * d.height) as usize);
            }
        }
    }
}
