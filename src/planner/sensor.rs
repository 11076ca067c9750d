//! The thermal camera model: field of view, altitude and side overlap give the swath; the pixels
//! needed on a person bound the altitude.

use serde::Serialize;

/// Pixels across a person's critical dimension to *detect* them: Johnson's criterion of one
/// cycle (a line pair), i.e. two pixels.
pub const JOHNSON_DETECTION_PX: f64 = 2.0;
/// Pixels across the critical dimension to *recognise* a person (three cycles).
pub const JOHNSON_RECOGNITION_PX: f64 = 6.0;
/// Critical dimension of a standing person, metres (the usual convention for a 1.8 m × 0.5 m
/// target seen from above at an angle; a conservative figure for a top-down view).
pub const PERSON_CRITICAL_M: f64 = 0.75;

/// A downward-looking thermal camera with a rectilinear lens, mounted with its image width
/// across the flight direction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThermalCamera {
    /// Preset key or a free name.
    pub name: String,
    /// Image width in pixels (across track).
    pub width_px: u32,
    /// Image height in pixels (along track).
    pub height_px: u32,
    /// Horizontal field of view, degrees (across track).
    pub hfov_deg: f64,
    /// Vertical field of view, degrees (along track).
    pub vfov_deg: f64,
}

impl ThermalCamera {
    /// A camera whose maker publishes the diagonal field of view: the horizontal and vertical
    /// ones follow from the pixel grid for a rectilinear lens with square pixels.
    pub fn from_dfov(name: &str, width_px: u32, height_px: u32, dfov_deg: f64) -> Self {
        let diag_px = f64::from(width_px).hypot(f64::from(height_px));
        let t = (dfov_deg.to_radians() / 2.0).tan();
        let fov = |px: u32| 2.0 * (t * f64::from(px) / diag_px).atan().to_degrees();
        Self {
            name: name.to_owned(),
            width_px,
            height_px,
            hfov_deg: fov(width_px),
            vfov_deg: fov(height_px),
        }
    }

    /// The presets Vigil knows, by key.
    ///
    /// - `h20t`: DJI Zenmuse H20T thermal camera, 640 × 512 px, DFOV 40.6° (DJI's published
    ///   specification, 13.5 mm lens).
    /// - `mavic3t`: DJI Mavic 3T thermal camera, 640 × 512 px, DFOV 61° (DJI's published
    ///   specification, 40 mm equivalent).
    /// - `boson640-50`: Teledyne FLIR Boson 640 core with its 50° HFOV lens, 640 × 512 px
    ///   (VFOV from the 5:4 pixel grid).
    /// - `vuepro-r-640-13`: FLIR Vue Pro R 640 with the 13 mm lens, 45° × 37° (FLIR's published
    ///   figures).
    pub fn presets() -> Vec<Self> {
        let boson_vfov = 2.0 * ((25.0_f64).to_radians().tan() * 512.0 / 640.0).atan();
        vec![
            Self::from_dfov("h20t", 640, 512, 40.6),
            Self::from_dfov("mavic3t", 640, 512, 61.0),
            Self {
                name: "boson640-50".into(),
                width_px: 640,
                height_px: 512,
                hfov_deg: 50.0,
                vfov_deg: boson_vfov.to_degrees(),
            },
            Self {
                name: "vuepro-r-640-13".into(),
                width_px: 640,
                height_px: 512,
                hfov_deg: 45.0,
                vfov_deg: 37.0,
            },
        ]
    }

    /// The preset named `key` (case-insensitive), if any.
    pub fn preset(key: &str) -> Option<Self> {
        Self::presets()
            .into_iter()
            .find(|c| c.name.eq_ignore_ascii_case(key))
    }

    /// Ground width of the image across track at `alt_m` above flat ground, metres.
    pub fn footprint_width_m(&self, alt_m: f64) -> f64 {
        2.0 * alt_m * (self.hfov_deg.to_radians() / 2.0).tan()
    }

    /// Ground length of the image along track at `alt_m`, metres.
    pub fn footprint_length_m(&self, alt_m: f64) -> f64 {
        2.0 * alt_m * (self.vfov_deg.to_radians() / 2.0).tan()
    }

    /// Ground sample distance across track at `alt_m`, metres per pixel.
    pub fn gsd_m(&self, alt_m: f64) -> f64 {
        self.footprint_width_m(alt_m) / f64::from(self.width_px)
    }

    /// Distance between neighbouring sweeps at `alt_m` with a side overlap in \[0, 1): the
    /// footprint width less the overlap.
    pub fn swath_m(&self, alt_m: f64, side_overlap: f64) -> f64 {
        self.footprint_width_m(alt_m) * (1.0 - side_overlap)
    }

    /// The highest altitude at which a target `target_m` across still spans `pixels` pixels.
    ///
    /// ```
    /// use vigil::planner::{ThermalCamera, JOHNSON_DETECTION_PX, PERSON_CRITICAL_M};
    /// let cam = ThermalCamera::preset("vuepro-r-640-13").unwrap();
    /// let alt = cam.max_alt_for_detection(PERSON_CRITICAL_M, JOHNSON_DETECTION_PX);
    /// assert!((cam.gsd_m(alt) * JOHNSON_DETECTION_PX - PERSON_CRITICAL_M).abs() < 1e-9);
    /// ```
    pub fn max_alt_for_detection(&self, target_m: f64, pixels: f64) -> f64 {
        target_m * f64::from(self.width_px)
            / (pixels * 2.0 * (self.hfov_deg.to_radians() / 2.0).tan())
    }
}

/// How the swath is given: from a camera with a side overlap, or directly.
#[derive(Debug, Clone, PartialEq)]
pub enum SwathSpec {
    /// A camera with `side_overlap` in \[0, 1) between neighbouring sweeps.
    Camera {
        camera: ThermalCamera,
        side_overlap: f64,
    },
    /// The swath width in metres, whatever the altitude.
    Width { swath_m: f64 },
}

impl SwathSpec {
    /// How far the camera sees ahead of and behind the vehicle at `alt_m`, counted for coverage:
    /// half the along-track footprint, at most half the swath (a swath given directly is
    /// taken as a square footprint).
    pub fn cap_m(&self, alt_m: f64) -> f64 {
        let half = 0.5 * self.swath_m(alt_m);
        match self {
            Self::Camera { camera, .. } => (0.5 * camera.footprint_length_m(alt_m)).min(half),
            Self::Width { .. } => half,
        }
    }

    /// The swath width when flying at `alt_m`, metres.
    pub fn swath_m(&self, alt_m: f64) -> f64 {
        match self {
            Self::Camera {
                camera,
                side_overlap,
            } => camera.swath_m(alt_m, *side_overlap),
            Self::Width { swath_m } => *swath_m,
        }
    }
}

/// The altitude Vigil flies at unless told otherwise, metres above home.
pub const BASE_ALT_M: f64 = 40.0;
/// The highest default altitude, metres above home (the usual legal ceiling for small drones).
pub const CEILING_ALT_M: f64 = 120.0;

/// The default altitude for a camera swath: [`BASE_ALT_M`], raised until half the swath reaches
/// across `widest_margin_m` (a no-fly zone's margin plus the safety margin: ground there can
/// only be seen from beside it), but never above [`CEILING_ALT_M`] nor above the altitude where
/// a person still spans Johnson's detection pixels. A swath given directly keeps the base.
pub fn default_alt_m(swath: &SwathSpec, widest_margin_m: f64) -> f64 {
    let SwathSpec::Camera {
        camera,
        side_overlap,
    } = swath
    else {
        return BASE_ALT_M;
    };
    let need = widest_margin_m + 0.25;
    if swath.swath_m(BASE_ALT_M) / 2.0 >= need {
        return BASE_ALT_M;
    }
    let cap =
        CEILING_ALT_M.min(camera.max_alt_for_detection(PERSON_CRITICAL_M, JOHNSON_DETECTION_PX));
    (2.0 * need / camera.swath_m(1.0, *side_overlap))
        .min(cap)
        .max(BASE_ALT_M)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dfov_presets_split_into_the_known_horizontal_and_vertical_fields() {
        let h20t = ThermalCamera::preset("h20t").expect("preset");
        // tan(20.3°) · 640 / 819.6 = 0.28887 → 32.2°; · 512 / 819.6 → 26.0°.
        assert!((h20t.hfov_deg - 32.23).abs() < 0.02, "{}", h20t.hfov_deg);
        assert!((h20t.vfov_deg - 26.0).abs() < 0.05, "{}", h20t.vfov_deg);
        let m3t = ThermalCamera::preset("MAVIC3T").expect("preset");
        assert!((m3t.hfov_deg - 49.4).abs() < 0.1, "{}", m3t.hfov_deg);
    }

    #[test]
    fn swath_of_a_45_degree_camera_at_50_m_with_20_percent_overlap() {
        let vue = ThermalCamera::preset("vuepro-r-640-13").expect("preset");
        // 2 · 50 · tan(22.5°) = 41.421 m footprint; 80 % of it.
        assert!((vue.footprint_width_m(50.0) - 41.421_356).abs() < 1e-5);
        assert!((vue.swath_m(50.0, 0.2) - 33.137_085).abs() < 1e-5);
    }

    #[test]
    fn the_default_altitude_rises_to_see_across_a_wide_margin() {
        let spec = SwathSpec::Camera {
            camera: ThermalCamera::preset("h20t").expect("preset"),
            side_overlap: 0.2,
        };
        assert_eq!(default_alt_m(&spec, 5.0), BASE_ALT_M);
        // 12 m margin: half the swath must be 12.25 m.
        let alt = default_alt_m(&spec, 12.0);
        assert!((spec.swath_m(alt) / 2.0 - 12.25).abs() < 1e-9, "{alt}");
        assert_eq!(default_alt_m(&spec, 200.0), CEILING_ALT_M);
        assert_eq!(
            default_alt_m(&SwathSpec::Width { swath_m: 10.0 }, 50.0),
            BASE_ALT_M
        );
    }

    #[test]
    fn detection_bounds_the_altitude() {
        let vue = ThermalCamera::preset("vuepro-r-640-13").expect("preset");
        // 0.75 m · 640 / (2 px · 2 tan 22.5°) = 289.706 m.
        let alt = vue.max_alt_for_detection(PERSON_CRITICAL_M, JOHNSON_DETECTION_PX);
        assert!((alt - 289.706).abs() < 0.001, "{alt}");
        assert!(vue.max_alt_for_detection(PERSON_CRITICAL_M, JOHNSON_RECOGNITION_PX) < alt / 2.9);
    }
}
