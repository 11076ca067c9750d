//! Raw count → temperature: linear (centikelvin) and FLIR's Planck calibration with the object,
//! reflected, atmospheric and window terms.
//!
//! The Planck form is the one FLIR's tools and ExifTool's documentation give, with the
//! atmosphere and window corrections as published in R's `Thermimage::raw2temp` (the FFF
//! CameraInfo record carries every constant it needs):
//!
//! ```text
//! T[K] = B / ln( R1 / (R2 · (S_obj + O)) + F )
//! S_obj = S / (E·τ1·τw·τ2) − atmosphere − window − (1−E)/E · S(T_reflected)
//! ```
//!
//! With emissivity 1, object distance 0 and window transmission 1 it reduces to the simple
//! form `T = B / ln(R1 / (R2 · (S + O)) + F)`.

use serde::{Deserialize, Serialize};

/// 0 °C in kelvin.
pub const ZERO_C_IN_K: f64 = 273.15;

/// How a frame's 16-bit samples become temperatures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Calibration {
    /// Each sample is kelvin × 100 (FLIR Lepton 2.5/3.5 TLinear, radiometric Boson, the
    /// simulator's stream).
    CentiKelvin,
    /// `T[K] = kelvin_per_count · S + offset_k`.
    Linear {
        /// Kelvin per count.
        kelvin_per_count: f64,
        /// Kelvin at count 0.
        offset_k: f64,
    },
    /// FLIR's Planck constants and the scene terms around the object.
    Planck(Planck),
}

impl Calibration {
    /// FLIR's TLinear high-resolution form, 0.04 K per count (Tau 2, Vue Pro R and Duo Pro R
    /// radiometric TIFFs).
    pub fn tlinear_high_res() -> Self {
        Calibration::Linear {
            kelvin_per_count: 0.04,
            offset_k: 0.0,
        }
    }

    /// The temperature in °C of one raw sample, or `None` where the calibration is undefined
    /// for that count (below the camera's zero signal).
    pub fn temperature_c(&self, raw: u16) -> Option<f64> {
        let t_k = match self {
            Calibration::CentiKelvin => f64::from(raw) / 100.0,
            Calibration::Linear {
                kelvin_per_count,
                offset_k,
            } => kelvin_per_count * f64::from(raw) + offset_k,
            Calibration::Planck(p) => p.temperature_k(f64::from(raw))?,
        };
        Some(t_k - ZERO_C_IN_K)
    }

    /// The raw count whose temperature is closest to `t_c` (the inverse of
    /// [`Calibration::temperature_c`]), clamped to the 16-bit range.
    pub fn raw_for_c(&self, t_c: f64) -> u16 {
        let t_k = t_c + ZERO_C_IN_K;
        let raw = match self {
            Calibration::CentiKelvin => t_k * 100.0,
            Calibration::Linear {
                kelvin_per_count,
                offset_k,
            } => (t_k - offset_k) / kelvin_per_count,
            Calibration::Planck(p) => p.raw_for_k(t_k),
        };
        // Saturating float→int conversion is the clamp we want.
        raw.round().clamp(0.0, f64::from(u16::MAX)) as u16
    }

    /// A table of °C for the counts `lo..=hi` (NaN where undefined): every conversion of a frame
    /// goes through it, so the logarithms are paid once per distinct count, not per pixel.
    pub fn table_c(&self, lo: u16, hi: u16) -> Vec<f32> {
        if let Calibration::Planck(p) = self {
            // The scene corrections do not depend on the count: compute them once.
            let (sub, div) = p.corrections();
            return (lo..=hi)
                .map(|raw| {
                    p.temperature_k_with(f64::from(raw), sub, div)
                        .map_or(f32::NAN, |t| (t - ZERO_C_IN_K) as f32)
                })
                .collect();
        }
        (lo..=hi)
            .map(|raw| self.temperature_c(raw).map_or(f32::NAN, |t| t as f32))
            .collect()
    }
}

/// FLIR's Planck calibration constants plus the conditions around the object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planck {
    /// Planck R1.
    pub r1: f64,
    /// Planck R2.
    pub r2: f64,
    /// Planck B (kelvin).
    pub b: f64,
    /// Planck F.
    pub f: f64,
    /// Planck O (counts).
    pub o: f64,
    /// Emissivity, reflected and atmospheric terms.
    pub scene: SceneParams,
}

/// The conditions between the camera and the object that FLIR's CameraInfo record stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SceneParams {
    /// Object emissivity (0..1].
    pub emissivity: f64,
    /// Apparent temperature of what the object reflects, °C.
    pub reflected_temp_c: f64,
    /// Air temperature, °C.
    pub atmospheric_temp_c: f64,
    /// Relative humidity, 0..1.
    pub relative_humidity: f64,
    /// Distance from the camera to the object, metres.
    pub object_distance_m: f64,
    /// Temperature of an external IR window, °C.
    pub ir_window_temp_c: f64,
    /// Transmission of an external IR window (1 = no window).
    pub ir_window_transmission: f64,
    /// Atmospheric transmission constants (alpha1, alpha2, beta1, beta2, X).
    pub atm_alpha1: f64,
    /// See `atm_alpha1`.
    pub atm_alpha2: f64,
    /// See `atm_alpha1`.
    pub atm_beta1: f64,
    /// See `atm_alpha1`.
    pub atm_beta2: f64,
    /// See `atm_alpha1`.
    pub atm_x: f64,
}

impl SceneParams {
    /// No correction: emissivity 1, no distance, no window. The temperature is the camera's
    /// apparent (black-body) temperature.
    pub fn apparent() -> Self {
        Self {
            emissivity: 1.0,
            reflected_temp_c: 20.0,
            atmospheric_temp_c: 20.0,
            relative_humidity: 0.5,
            object_distance_m: 0.0,
            ir_window_temp_c: 20.0,
            ir_window_transmission: 1.0,
            // FLIR's usual constants (identical in all four sample files).
            atm_alpha1: 0.006569,
            atm_alpha2: 0.01262,
            atm_beta1: -0.002276,
            atm_beta2: -0.00667,
            atm_x: 1.9,
        }
    }

    /// Atmospheric transmission over half the object distance (the window, if any, sits in the
    /// middle of the path, as in Thermimage).
    fn tau_half(&self) -> f64 {
        let t = self.atmospheric_temp_c;
        // Water vapour content from temperature and humidity (FLIR's polynomial).
        let h2o = self.relative_humidity
            * (1.5587 + 0.06939 * t - 0.00027816 * t * t + 0.00000068455 * t * t * t).exp();
        let d = (self.object_distance_m.max(0.0) / 2.0).sqrt();
        let s = h2o.sqrt();
        self.atm_x * (-d * (self.atm_alpha1 + self.atm_beta1 * s)).exp()
            + (1.0 - self.atm_x) * (-d * (self.atm_alpha2 + self.atm_beta2 * s)).exp()
    }
}

impl Planck {
    /// Raw signal of a black body at `t_k`.
    fn raw_of_blackbody(&self, t_k: f64) -> f64 {
        self.r1 / (self.r2 * ((self.b / t_k).exp() - self.f)) - self.o
    }

    /// The sum subtracted from `S/(E·τ1·τw·τ2)`, and that divisor, for these scene terms.
    fn corrections(&self) -> (f64, f64) {
        let s = &self.scene;
        let e = s.emissivity;
        let tau = s.tau_half();
        let irt = s.ir_window_transmission;
        let k = ZERO_C_IN_K;
        let refl = (1.0 - e) / e * self.raw_of_blackbody(s.reflected_temp_c + k);
        let atm1 = (1.0 - tau) / e / tau * self.raw_of_blackbody(s.atmospheric_temp_c + k);
        let wind = (1.0 - irt) / e / tau / irt * self.raw_of_blackbody(s.ir_window_temp_c + k);
        let atm2 =
            (1.0 - tau) / e / tau / irt / tau * self.raw_of_blackbody(s.atmospheric_temp_c + k);
        (refl + atm1 + wind + atm2, e * tau * irt * tau)
    }

    /// Object temperature in kelvin for a raw count `raw`, or `None` where undefined.
    pub fn temperature_k(&self, raw: f64) -> Option<f64> {
        let (sub, div) = self.corrections();
        self.temperature_k_with(raw, sub, div)
    }

    /// [`Planck::temperature_k`] with the corrections already computed.
    fn temperature_k_with(&self, raw: f64, sub: f64, div: f64) -> Option<f64> {
        let obj = raw / div - sub;
        let arg = self.r1 / (self.r2 * (obj + self.o)) + self.f;
        if obj + self.o <= 0.0 || arg <= 1.0 {
            return None;
        }
        let t = self.b / arg.ln();
        t.is_finite().then_some(t)
    }

    /// Raw count for an object at `t_k` (the inverse of [`Planck::temperature_k`]).
    pub fn raw_for_k(&self, t_k: f64) -> f64 {
        let (sub, div) = self.corrections();
        (self.raw_of_blackbody(t_k) + sub) * div
    }

    /// The same constants with no scene correction (apparent temperature).
    pub fn apparent(&self) -> Self {
        Self {
            scene: SceneParams::apparent(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duo_pro_r() -> Planck {
        Planck {
            r1: 364058.0,
            r2: 1.0,
            b: 1428.0,
            f: 1.0,
            o: -228.0,
            scene: SceneParams::apparent(),
        }
    }

    #[test]
    fn simple_planck_matches_the_hand_computed_value() {
        // 1428 / ln(364058 / (2681 − 228) + 1) = 285.2166 K = 12.067 °C.
        let t = Calibration::Planck(duo_pro_r())
            .temperature_c(2681)
            .expect("defined");
        assert!((t - 12.067).abs() < 0.001, "{t}");
    }

    #[test]
    fn centikelvin_is_kelvin_times_one_hundred() {
        let t = Calibration::CentiKelvin
            .temperature_c(30_915)
            .expect("defined");
        assert!((t - 36.0).abs() < 1e-9);
        assert_eq!(Calibration::CentiKelvin.raw_for_c(36.0), 30_915);
    }

    #[test]
    fn emissivity_below_one_raises_a_warm_object_above_its_apparent_temperature() {
        // An object warmer than its surroundings emits less than a black body at its own
        // temperature, so correcting for ε < 1 raises it; the reflected term is subtracted.
        let mut p = duo_pro_r();
        p.scene.emissivity = 0.9;
        p.scene.reflected_temp_c = 0.0;
        let apparent = duo_pro_r().temperature_k(3300.0).expect("defined") - ZERO_C_IN_K;
        let corrected = p.temperature_k(3300.0).expect("defined") - ZERO_C_IN_K;
        assert!(apparent > 20.0);
        assert!(corrected > apparent + 1.0, "{apparent} {corrected}");
    }

    #[test]
    fn object_at_reflected_temperature_is_unchanged_by_emissivity() {
        // If the object is at the reflected temperature, any emissivity gives the same reading.
        let mut p = duo_pro_r();
        p.scene.emissivity = 0.5;
        p.scene.reflected_temp_c = 25.0;
        let raw = duo_pro_r().raw_for_k(25.0 + ZERO_C_IN_K);
        let t = p.temperature_k(raw).expect("defined") - ZERO_C_IN_K;
        assert!((t - 25.0).abs() < 1e-6, "{t}");
    }

    #[test]
    fn raw_for_k_inverts_temperature_k_with_full_scene_terms() {
        let mut p = duo_pro_r();
        p.scene.emissivity = 0.94;
        p.scene.object_distance_m = 50.0;
        p.scene.relative_humidity = 0.3;
        p.scene.ir_window_transmission = 0.9;
        p.scene.ir_window_temp_c = 22.0;
        for t_c in [-10.0, 12.0, 36.5, 90.0] {
            let raw = p.raw_for_k(t_c + ZERO_C_IN_K);
            let back = p.temperature_k(raw).expect("defined") - ZERO_C_IN_K;
            assert!((back - t_c).abs() < 1e-6, "{t_c} → {raw} → {back}");
        }
    }

    #[test]
    fn atmospheric_transmission_is_one_at_zero_distance_and_falls_with_distance() {
        let mut s = SceneParams::apparent();
        assert!((s.tau_half() - 1.0).abs() < 1e-12);
        s.object_distance_m = 50.0;
        let t50 = s.tau_half();
        s.object_distance_m = 500.0;
        let t500 = s.tau_half();
        assert!(t50 < 1.0 && t500 < t50 && t500 > 0.5, "{t50} {t500}");
    }

    #[test]
    fn the_table_matches_per_count_conversion() {
        let mut p = duo_pro_r();
        p.scene.emissivity = 0.94;
        p.scene.object_distance_m = 50.0;
        let c = Calibration::Planck(p);
        let table = c.table_c(2000, 4000);
        for (i, raw) in (2000..=4000).enumerate().step_by(250) {
            let t = c.temperature_c(raw).expect("defined");
            assert!((f64::from(table[i]) - t).abs() < 1e-4, "{raw}");
        }
        assert!(c.table_c(100, 101).iter().all(|t| t.is_nan()));
    }

    #[test]
    fn counts_below_the_zero_signal_are_undefined() {
        assert_eq!(Calibration::Planck(duo_pro_r()).temperature_c(100), None);
    }
}
