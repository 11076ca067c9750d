//! The per-frame pipeline: statistics, hotspots, ground footprint, detections on the map,
//! tracking and crowds, in one call per frame.

use serde::Serialize;

use super::frame::{Frame, FrameStats};
use super::geo::{Georeferencer, GroundPoint, PoseHistory};
use super::hotspot::{self, Detections, HotspotParams};
use super::privacy::{MaskOutcome, PrivacyMask};
use super::track::{CrowdEvent, CrowdParams, CrowdWatch, GroundDetection, Tracker, TrackerParams};

/// What the pipeline found in one frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameReport {
    /// The frame's source.
    pub source: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Minimum, maximum, median.
    pub stats: FrameStats,
    /// Hotspots in pixel terms.
    pub detections: Detections,
    /// Ground footprint corners (top-left, top-right, bottom-right, bottom-left), when the
    /// pose at the frame's time is known and every corner looks at the ground.
    pub footprint: Option<[GroundPoint; 4]>,
    /// Each hotspot on the ground (same order as `detections.hotspots`), when placed.
    pub ground: Vec<Option<GroundPoint>>,
    /// Each hotspot's tracked object id (0 when it was not placed on the ground).
    pub object_ids: Vec<u64>,
    /// Crowds among the tracked people after this frame.
    pub crowds: Vec<CrowdEvent>,
    /// What the privacy mask blanked before the frame was searched.
    pub privacy: MaskOutcome,
}

/// Frames in, reports out; keeps the pose history, the tracker and the crowd watch.
#[derive(Debug)]
pub struct Pipeline {
    /// Hotspot tuning.
    pub hotspot: HotspotParams,
    /// Camera and ground model; `None` for frames that cannot be placed (files without pose).
    pub georef: Option<Georeferencer>,
    /// Vehicle poses to pair frames with, by `Frame::boot_time_s`.
    pub poses: PoseHistory,
    /// Ground sample distance, metres per pixel, for frames that cannot be placed (files).
    pub fallback_gsd_m: Option<f64>,
    /// Zones blanked in every frame before it is searched (and so before it is shown or
    /// stored by the caller).
    pub privacy: PrivacyMask,
    tracker: Option<Tracker>,
    crowds: Option<CrowdWatch>,
}

impl Pipeline {
    /// A pipeline that places frames with `georef` when given.
    pub fn new(
        georef: Option<Georeferencer>,
        hotspot: HotspotParams,
        tracker: TrackerParams,
        crowds: CrowdParams,
    ) -> Self {
        Self {
            hotspot,
            poses: PoseHistory::new(),
            fallback_gsd_m: None,
            privacy: PrivacyMask::default(),
            tracker: georef.map(|g| Tracker::new(g.frame, tracker)),
            crowds: georef.map(|g| CrowdWatch::new(g.frame, crowds)),
            georef,
        }
    }

    /// The tracker, when frames are placed on the ground.
    pub fn tracker(&self) -> Option<&Tracker> {
        self.tracker.as_ref()
    }

    /// Runs one frame through the pipeline. The frame is first blanked where it sees a
    /// privacy zone, so what the caller shows or stores afterwards is the masked frame.
    pub fn process(&mut self, frame: &mut Frame) -> FrameReport {
        let time_s = frame.boot_time_s;
        let placed = match (self.georef, time_s.and_then(|t| self.poses.at(t))) {
            (Some(g), Some(pose)) => Some((g, g.view(&pose))),
            _ => None,
        };
        let privacy = self
            .privacy
            .apply(frame, placed.as_ref().map(|(g, v)| (g, v)));
        let frame: &Frame = frame;
        let stats = frame.stats();
        let gsd = placed
            .and_then(|(g, v)| {
                g.gsd_m(
                    &v,
                    f64::from(frame.width) / 2.0,
                    f64::from(frame.height) / 2.0,
                )
            })
            .or(self.fallback_gsd_m);
        let mut detections = hotspot::detect(frame, &self.hotspot, gsd);

        let footprint = placed.and_then(|(g, v)| g.footprint(&v));
        let ground: Vec<Option<GroundPoint>> = detections
            .hotspots
            .iter()
            .map(|h| placed.and_then(|(g, v)| g.ground_point(&v, h.centroid_px.0, h.centroid_px.1)))
            .collect();
        // With the ground sample distance at each hotspot (not the centre's), size is exact
        // for oblique views too.
        if let Some((g, v)) = placed {
            for h in &mut detections.hotspots {
                if let Some(gsd) = g.gsd_m(&v, h.centroid_px.0, h.centroid_px.1) {
                    h.area_m2 = Some(f64::from(h.pixels) * gsd * gsd);
                }
            }
        }

        let mut object_ids = vec![0; ground.len()];
        let mut crowds = Vec::new();
        if let (true, Some(time_s), Some(tracker)) =
            (placed.is_some(), time_s, self.tracker.as_mut())
        {
            let placed_dets: Vec<(usize, GroundDetection)> = detections
                .hotspots
                .iter()
                .zip(&ground)
                .enumerate()
                .filter_map(|(i, (h, p))| {
                    p.map(|point| {
                        (
                            i,
                            GroundDetection {
                                time_s,
                                point,
                                kind: h.kind,
                                peak_c: h.peak_c,
                                area_m2: h.area_m2,
                            },
                        )
                    })
                })
                .collect();
            let dets: Vec<GroundDetection> = placed_dets.iter().map(|d| d.1.clone()).collect();
            let ids = tracker.update(time_s, &dets);
            for ((i, _), id) in placed_dets.iter().zip(ids) {
                object_ids[*i] = id;
            }
            if let Some(w) = self.crowds.as_mut() {
                crowds = w.update(time_s, tracker.objects());
            }
        }

        FrameReport {
            source: frame.source.clone(),
            width: frame.width,
            height: frame.height,
            stats,
            detections,
            footprint,
            ground,
            object_ids,
            crowds,
            privacy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::LocalFrame;
    use crate::thermal::geo::{CameraModel, Mount, Pose};
    use crate::thermal::{Calibration, CrowdStatus};
    use geo_types::polygon;

    const LON: f64 = 144.9717;
    const LAT: f64 = -37.8183;

    /// A 640×512 nadir frame at 40 m, 40° HFOV (GSD 4.55 cm), 12 °C ground, with people
    /// drawn as 8×8-pixel squares at 32 °C at the given ground points (east, north).
    fn frame_with_people(g: &Georeferencer, t: f64, people: &[(f64, f64)]) -> Frame {
        let ck = |c: f64| ((c + 273.15) * 100.0).round() as u16;
        let (w, h) = (640u32, 512u32);
        let mut s: Vec<u16> = (0..w * h)
            .map(|i| ck(12.0 + if i % 2 == 0 { 0.1 } else { -0.1 }))
            .collect();
        let gsd = g.camera.nadir_gsd_m(40.0);
        for &(e, n) in people {
            // Nadir, heading north: x = cx + e/gsd, y = cy − n/gsd.
            let x0 = (320.0 + e / gsd - 4.0).round() as u32;
            let y0 = (256.0 - n / gsd - 4.0).round() as u32;
            for y in y0..y0 + 8 {
                for x in x0..x0 + 8 {
                    s[(y * w + x) as usize] = ck(32.0);
                }
            }
        }
        let mut f = Frame::new(w, h, s, Calibration::CentiKelvin, "synthetic").expect("frame");
        f.boot_time_s = Some(t);
        f
    }

    fn georef() -> Georeferencer {
        Georeferencer {
            frame: LocalFrame::new(LON, LAT),
            home_alt_m: 0.0,
            camera: CameraModel {
                width_px: 640,
                height_px: 512,
                hfov_deg: 40.0,
            },
            mount: Mount::default(),
        }
    }

    fn pose(t: f64) -> Pose {
        Pose {
            time_s: t,
            lat_deg: LAT,
            lon_deg: LON,
            alt_m: 40.0,
            roll_deg: 0.0,
            pitch_deg: 0.0,
            yaw_deg: 0.0,
            gimbal_roll_deg: 0.0,
            gimbal_pitch_deg: -90.0,
            gimbal_yaw_deg: 0.0,
        }
    }

    #[test]
    fn people_are_placed_tracked_and_a_gathering_is_a_crowd() {
        let g = georef();
        let mut p = Pipeline::new(
            Some(g),
            HotspotParams::default(),
            TrackerParams::default(),
            CrowdParams::default(),
        );
        for t in [0.0, 0.2, 0.4] {
            p.poses.push(pose(t));
        }
        let gathering = [(0.0, 0.0), (2.0, 0.0), (-2.0, 0.0), (0.0, 2.0), (0.0, -2.0)];
        let mut lone = gathering.to_vec();
        lone.push((10.0, 8.0));

        let r = p.process(&mut frame_with_people(&g, 0.0, &lone));
        assert_eq!(r.detections.people().count(), 6);
        let fp = r.footprint.expect("footprint");
        assert!((fp[1].east_m - fp[0].east_m - 2.0 * 40.0 * 20f64.to_radians().tan()).abs() < 1e-6);
        // Each person lands within one pixel (4.6 cm) of where it was drawn.
        for (gp, h) in r.ground.iter().zip(&r.detections.hotspots) {
            let gp = gp.expect("placed");
            let near = lone
                .iter()
                .map(|q| (q.0 - gp.east_m).hypot(q.1 - gp.north_m))
                .fold(f64::INFINITY, f64::min);
            assert!(near < 0.05, "{gp:?}");
            // 64 px at 4.55 cm: 0.133 m².
            assert!((h.area_m2.expect("area") - 0.1325).abs() < 0.002, "{h:?}");
        }
        assert_eq!(r.crowds.len(), 1);
        assert_eq!(
            (r.crowds[0].people, r.crowds[0].status),
            (5, CrowdStatus::Formed)
        );
        let first_ids = r.object_ids.clone();

        // The next frame: the same people, the same ids; the crowd goes on.
        let r2 = p.process(&mut frame_with_people(&g, 0.2, &lone));
        let mut a = first_ids;
        let mut b = r2.object_ids.clone();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        assert_eq!(r2.crowds[0].status, CrowdStatus::Ongoing);
        assert_eq!(p.tracker().expect("tracker").objects().len(), 6);
    }

    #[test]
    fn people_in_a_privacy_zone_are_blanked_before_detection() {
        let g = georef();
        let mut p = Pipeline::new(
            Some(g),
            HotspotParams::default(),
            TrackerParams::default(),
            CrowdParams::default(),
        );
        p.poses.push(pose(0.0));
        // A garden 4 m × 4 m around (10, 8).
        let garden = polygon![
            (x: 8.0, y: 6.0), (x: 12.0, y: 6.0), (x: 12.0, y: 10.0), (x: 8.0, y: 10.0)
        ];
        p.privacy = PrivacyMask::new([geo_types::MultiPolygon(vec![garden])]);
        let mut f = frame_with_people(&g, 0.0, &[(0.0, 0.0), (10.0, 8.0)]);
        let r = p.process(&mut f);
        assert_eq!(r.detections.people().count(), 1);
        // 4 m / 4.55 cm per pixel ≈ 88 pixels a side.
        assert!(
            (r.privacy.blanked_px as f64 - 87.9f64.powi(2)).abs() < 400.0,
            "{:?}",
            r.privacy
        );
        let gp = r.ground[0].expect("placed");
        assert!(gp.east_m.abs() < 0.05 && gp.north_m.abs() < 0.05);
    }

    #[test]
    fn without_a_pose_frames_are_searched_but_not_placed() {
        let g = georef();
        let mut p = Pipeline::new(
            Some(g),
            HotspotParams::default(),
            TrackerParams::default(),
            CrowdParams::default(),
        );
        let r = p.process(&mut frame_with_people(&g, 5.0, &[(0.0, 0.0)]));
        assert_eq!(r.detections.hotspots.len(), 1);
        assert!(r.footprint.is_none() && r.ground == vec![None]);
        assert_eq!(r.object_ids, vec![0]);
    }
}
