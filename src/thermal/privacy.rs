//! Privacy mask zones: ground areas (gardens, windows, changing rooms) whose pixels are
//! blanked in every frame before it is searched, shown or stored.
//!
//! Each pixel's ray is intersected with the flat ground (see [`super::geo`]); a pixel whose
//! ground point lies in or on the edge of a zone takes the frame's median count, so it shows as
//! plain background and holds no hotspot. The mask fails closed: a frame that cannot be placed
//! (no pose at its time) while zones exist is blanked whole.
//!
//! Limitation: a zone is a ground area. Pixels above the horizon never meet the ground and are
//! not masked, so a zone does not hide the facade of a building seen obliquely.

use geo::{BoundingRect, Intersects};
use geo_types::{Coord, MultiPolygon, Polygon, Rect};

use super::frame::{Frame, percentile_raw};
use super::geo::{CameraView, Georeferencer};
use crate::area::LocalFrame;

/// Privacy zones in the venue's local frame (east, north metres).
#[derive(Debug, Clone, Default)]
pub struct PrivacyMask {
    zones: Vec<(MultiPolygon<f64>, Rect<f64>)>,
}

/// What masking did to one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MaskOutcome {
    /// Pixels blanked.
    pub blanked_px: u32,
    /// The frame could not be placed and was blanked whole.
    pub whole_frame: bool,
}

impl PrivacyMask {
    /// A mask from zones in local metres (the venue's own geometry).
    pub fn new(zones: impl IntoIterator<Item = MultiPolygon<f64>>) -> Self {
        Self {
            zones: zones
                .into_iter()
                .filter_map(|z| {
                    let r = z.bounding_rect()?;
                    Some((z, r))
                })
                .collect(),
        }
    }

    /// A mask from zones in WGS84 degrees (x = longitude, y = latitude).
    pub fn from_wgs84(frame: &LocalFrame, zones: &[Polygon<f64>]) -> Self {
        let local = zones.iter().map(|p| {
            let ring = |r: &geo_types::LineString<f64>| {
                r.coords()
                    .map(|c| {
                        let (x, y) = frame.to_local(c.x, c.y);
                        Coord { x, y }
                    })
                    .collect::<Vec<_>>()
                    .into()
            };
            MultiPolygon(vec![Polygon::new(
                ring(p.exterior()),
                p.interiors().iter().map(ring).collect(),
            )])
        });
        Self::new(local.collect::<Vec<_>>())
    }

    /// Whether there are no zones.
    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }

    /// Whether the ground point `(east_m, north_m)` is inside or on the edge of a zone.
    pub fn covers(&self, east_m: f64, north_m: f64) -> bool {
        let c = Coord {
            x: east_m,
            y: north_m,
        };
        self.zones.iter().any(|(z, r)| {
            c.x >= r.min().x
                && c.x <= r.max().x
                && c.y >= r.min().y
                && c.y <= r.max().y
                && z.intersects(&c)
        })
    }

    /// Blanks the pixels of `frame` that see a zone; `placed` is the camera model and view at
    /// the frame's time, or `None` when unknown (then the whole frame is blanked).
    pub fn apply(
        &self,
        frame: &mut Frame,
        placed: Option<(&Georeferencer, &CameraView)>,
    ) -> MaskOutcome {
        if self.zones.is_empty() {
            return MaskOutcome {
                blanked_px: 0,
                whole_frame: false,
            };
        }
        let (lo, hist) = frame.histogram();
        let blank = percentile_raw(lo, &hist, 0.5);
        let Some((g, v)) = placed else {
            frame.samples.fill(blank);
            return MaskOutcome {
                blanked_px: frame.samples.len() as u32,
                whole_frame: true,
            };
        };

        // The ray of pixel centre (x, y) is a + x·b + y·c in world axes (linear in x and y).
        let f = g.camera.focal_px();
        let cx = f64::from(g.camera.width_px) / 2.0;
        let cy = f64::from(g.camera.height_px) / 2.0;
        let sx = f64::from(frame.width) / f64::from(g.camera.width_px);
        let sy = f64::from(frame.height) / f64::from(g.camera.height_px);
        let col = |v3: [f64; 3]| v.attitude.rotate(v3);
        let a = col([1.0, -cx / f, -cy / f]);
        let b = col([0.0, 1.0 / f, 0.0]);
        let c = col([0.0, 0.0, 1.0 / f]);

        let mut blanked = 0u32;
        let w = frame.width as usize;
        for (i, s) in frame.samples.iter_mut().enumerate() {
            // Pixel centre in camera-model pixels (frames may be scaled copies).
            let x = ((i % w) as f64 + 0.5) / sx;
            let y = ((i / w) as f64 + 0.5) / sy;
            let d = [
                a[0] + x * b[0] + y * c[0],
                a[1] + x * b[1] + y * c[1],
                a[2] + x * b[2] + y * c[2],
            ];
            if d[2] <= 1e-9 || v.height_m <= 0.0 {
                continue;
            }
            let t = v.height_m / d[2];
            if self.covers(v.east_m + t * d[1], v.north_m + t * d[0]) {
                *s = blank;
                blanked += 1;
            }
        }
        MaskOutcome {
            blanked_px: blanked,
            whole_frame: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thermal::Calibration;
    use crate::thermal::geo::{CameraModel, Mount, Pose};
    use geo_types::polygon;

    fn setup() -> (Georeferencer, CameraView) {
        let g = Georeferencer {
            frame: LocalFrame::new(144.9717, -37.8183),
            home_alt_m: 0.0,
            camera: CameraModel {
                width_px: 64,
                height_px: 48,
                hfov_deg: 40.0,
            },
            mount: Mount::default(),
        };
        let v = g.view(&Pose {
            time_s: 0.0,
            lat_deg: -37.8183,
            lon_deg: 144.9717,
            alt_m: 40.0,
            roll_deg: 0.0,
            pitch_deg: 0.0,
            yaw_deg: 0.0,
            gimbal_roll_deg: 0.0,
            gimbal_pitch_deg: -90.0,
            gimbal_yaw_deg: 0.0,
        });
        (g, v)
    }

    fn warm_frame() -> Frame {
        // Left half 10 °C, right half 30 °C.
        let s = (0..64 * 48)
            .map(|i| if i % 64 < 32 { 28_315 } else { 30_315 })
            .collect();
        Frame::new(64, 48, s, Calibration::CentiKelvin, "t").expect("frame")
    }

    #[test]
    fn the_east_half_of_a_nadir_frame_is_blanked_by_an_east_zone() {
        let (g, v) = setup();
        // Everything east of the camera, well beyond the footprint.
        let zone = polygon![(x: 0.0, y: -100.0), (x: 100.0, y: -100.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)];
        let mask = PrivacyMask::new([MultiPolygon(vec![zone])]);
        let mut f = warm_frame();
        let out = mask.apply(&mut f, Some((&g, &v)));
        assert_eq!(out.blanked_px, 32 * 48);
        // The right half (east at yaw 0) now holds the median count: no 30 °C pixel remains.
        assert!(!f.samples.contains(&30_315));
        assert_eq!(f.raw(63, 10), Some(28_315));
        assert_eq!(f.raw(0, 10), Some(28_315));
    }

    #[test]
    fn zones_in_wgs84_match_zones_in_metres() {
        let (g, v) = setup();
        let (lon_w, lat_s) = g.frame.to_wgs84(0.0, -100.0);
        let (lon_e, lat_n) = g.frame.to_wgs84(100.0, 100.0);
        let zone = polygon![(x: lon_w, y: lat_s), (x: lon_e, y: lat_s), (x: lon_e, y: lat_n), (x: lon_w, y: lat_n)];
        let mask = PrivacyMask::from_wgs84(&g.frame, &[zone]);
        let mut f = warm_frame();
        assert_eq!(mask.apply(&mut f, Some((&g, &v))).blanked_px, 32 * 48);
    }

    #[test]
    fn an_unplaced_frame_is_blanked_whole_and_no_zone_changes_nothing() {
        let zone = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)];
        let mask = PrivacyMask::new([MultiPolygon(vec![zone])]);
        let mut f = warm_frame();
        let out = mask.apply(&mut f, None);
        assert!(out.whole_frame);
        assert!(f.samples.iter().all(|&s| s == f.samples[0]));

        let mut f = warm_frame();
        let before = f.samples.clone();
        let out = PrivacyMask::default().apply(&mut f, None);
        assert_eq!((out.blanked_px, out.whole_frame), (0, false));
        assert_eq!(f.samples, before);
    }
}
