//! Geo-referencing: where on the ground a frame and each of its pixels lie, from the camera
//! model, its mount on the vehicle, and the vehicle pose at the frame's time.
//!
//! Conventions (those of MAVLink and ArduPilot):
//! - The world frame is north-east-down (NED) around the venue's [`LocalFrame`] centre; the
//!   ground is flat at the home altitude.
//! - Vehicle attitude is roll, pitch, yaw in degrees (yaw 0 = north, clockwise; pitch up
//!   positive), applied as yaw then pitch then roll (Z-Y-X).
//! - The gimbal's roll, pitch, yaw are relative to the vehicle body, or, for a stabilised
//!   gimbal, roll and pitch are relative to the horizon and yaw to the vehicle heading.
//!   Pitch −90° looks straight down. At zero angles the camera looks along the body's nose.
//! - Pixel coordinates: x right, y down, `(0, 0)` the top-left corner of the top-left pixel. At
//!   gimbal pitch −90° and yaw 0 the top of the image points along the vehicle's nose.
//! - Intrinsics are the pinhole model from the horizontal field of view and the resolution,
//!   with square pixels and the principal point at the image centre.

use serde::{Deserialize, Serialize};

use crate::area::LocalFrame;

/// A 3-vector.
pub type Vec3 = [f64; 3];

/// A unit quaternion `[w, x, y, z]` rotating body vectors into the world frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quat(pub [f64; 4]);

impl Quat {
    /// From Z-Y-X Euler angles in degrees (roll about x, pitch about y, yaw about z).
    pub fn from_euler_deg(roll_deg: f64, pitch_deg: f64, yaw_deg: f64) -> Self {
        let (r, p, y) = (
            roll_deg.to_radians() / 2.0,
            pitch_deg.to_radians() / 2.0,
            yaw_deg.to_radians() / 2.0,
        );
        let (sr, cr) = r.sin_cos();
        let (sp, cp) = p.sin_cos();
        let (sy, cy) = y.sin_cos();
        Quat([
            cr * cp * cy + sr * sp * sy,
            sr * cp * cy - cr * sp * sy,
            cr * sp * cy + sr * cp * sy,
            cr * cp * sy - sr * sp * cy,
        ])
    }

    /// Z-Y-X Euler angles `(roll, pitch, yaw)` in degrees.
    pub fn to_euler_deg(self) -> (f64, f64, f64) {
        let [w, x, y, z] = self.0;
        let roll = (2.0 * (w * x + y * z)).atan2(1.0 - 2.0 * (x * x + y * y));
        let pitch = (2.0 * (w * y - z * x)).clamp(-1.0, 1.0).asin();
        let yaw = (2.0 * (w * z + x * y)).atan2(1.0 - 2.0 * (y * y + z * z));
        (roll.to_degrees(), pitch.to_degrees(), yaw.to_degrees())
    }

    /// `self · other`: the rotation that applies `other` first, then `self`.
    pub fn compose(self, other: Quat) -> Quat {
        let [a1, b1, c1, d1] = self.0;
        let [a2, b2, c2, d2] = other.0;
        Quat([
            a1 * a2 - b1 * b2 - c1 * c2 - d1 * d2,
            a1 * b2 + b1 * a2 + c1 * d2 - d1 * c2,
            a1 * c2 - b1 * d2 + c1 * a2 + d1 * b2,
            a1 * d2 + b1 * c2 - c1 * b2 + d1 * a2,
        ])
    }

    /// Rotates a vector.
    pub fn rotate(self, v: Vec3) -> Vec3 {
        let [w, x, y, z] = self.0;
        // v + 2w(q×v) + 2 q×(q×v)
        let q = [x, y, z];
        let c1 = cross(q, v);
        let c2 = cross(q, c1);
        [
            v[0] + 2.0 * (w * c1[0] + c2[0]),
            v[1] + 2.0 * (w * c1[1] + c2[1]),
            v[2] + 2.0 * (w * c1[2] + c2[2]),
        ]
    }

    /// Spherical linear interpolation from `self` (u = 0) to `other` (u = 1), the short way.
    pub fn slerp(self, other: Quat, u: f64) -> Quat {
        let a = self.0;
        let mut b = other.0;
        let mut dot: f64 = (0..4).map(|i| a[i] * b[i]).sum();
        if dot < 0.0 {
            b = b.map(|v| -v);
            dot = -dot;
        }
        let (wa, wb) = if dot > 0.9995 {
            (1.0 - u, u)
        } else {
            let theta = dot.clamp(-1.0, 1.0).acos();
            let s = theta.sin();
            (((1.0 - u) * theta).sin() / s, (u * theta).sin() / s)
        };
        let q = [0, 1, 2, 3].map(|i| wa * a[i] + wb * b[i]);
        let n = q.iter().map(|v| v * v).sum::<f64>().sqrt();
        Quat(q.map(|v| v / n))
    }
}

fn cross(a: Vec3, b: Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

// ---------------------------------------------------------------------------------------------
// Camera and mount

/// A thermal camera: resolution and horizontal field of view.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CameraModel {
    /// Image width in pixels.
    pub width_px: u32,
    /// Image height in pixels.
    pub height_px: u32,
    /// Horizontal field of view, degrees.
    pub hfov_deg: f64,
}

impl CameraModel {
    /// Focal length in pixels.
    pub fn focal_px(&self) -> f64 {
        f64::from(self.width_px) / 2.0 / (self.hfov_deg.to_radians() / 2.0).tan()
    }

    /// Vertical field of view, degrees (square pixels).
    pub fn vfov_deg(&self) -> f64 {
        2.0 * (f64::from(self.height_px) / 2.0 / self.focal_px())
            .atan()
            .to_degrees()
    }

    /// Ground sample distance at the image centre for a nadir view from `height_m`.
    pub fn nadir_gsd_m(&self, height_m: f64) -> f64 {
        height_m / self.focal_px()
    }

    /// The ray through pixel position `(x, y)` in the camera's forward-right-down axes.
    fn ray(&self, x: f64, y: f64) -> Vec3 {
        let f = self.focal_px();
        let cx = f64::from(self.width_px) / 2.0;
        let cy = f64::from(self.height_px) / 2.0;
        [1.0, (x - cx) / f, (y - cy) / f]
    }
}

/// How the camera is mounted on the vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mount {
    /// Camera position relative to the vehicle's reference point, body axes forward, right,
    /// down, metres.
    pub offset_m: Vec3,
    /// The gimbal holds roll and pitch level with the horizon (yaw follows the vehicle).
    pub stabilised: bool,
}

impl Default for Mount {
    fn default() -> Self {
        Self {
            offset_m: [0.0; 3],
            stabilised: true,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Poses

/// The vehicle and gimbal state at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pose {
    /// Vehicle boot clock, seconds.
    pub time_s: f64,
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
    /// Altitude above mean sea level, metres.
    pub alt_m: f64,
    /// Vehicle roll, degrees.
    pub roll_deg: f64,
    /// Vehicle pitch, degrees.
    pub pitch_deg: f64,
    /// Vehicle yaw (heading), degrees.
    pub yaw_deg: f64,
    /// Gimbal roll, degrees.
    pub gimbal_roll_deg: f64,
    /// Gimbal pitch, degrees (−90 = straight down).
    pub gimbal_pitch_deg: f64,
    /// Gimbal yaw relative to the vehicle heading, degrees.
    pub gimbal_yaw_deg: f64,
}

/// Poses over time, interpolated to a frame's timestamp: positions linearly (in the local
/// frame), vehicle and gimbal attitudes by quaternion slerp.
#[derive(Debug, Clone, Default)]
pub struct PoseHistory {
    poses: Vec<Pose>,
    /// How far before the first or after the last pose a time may be and still get the
    /// nearest pose, seconds.
    pub max_extrapolation_s: f64,
}

impl PoseHistory {
    /// An empty history that answers only between its poses (plus 0.1 s at either end).
    pub fn new() -> Self {
        Self {
            poses: Vec::new(),
            max_extrapolation_s: 0.1,
        }
    }

    /// Adds a pose, keeping the history in time order.
    pub fn push(&mut self, pose: Pose) {
        let at = self.poses.partition_point(|p| p.time_s <= pose.time_s);
        self.poses.insert(at, pose);
    }

    /// Number of poses.
    pub fn len(&self) -> usize {
        self.poses.len()
    }

    /// Whether there are no poses.
    pub fn is_empty(&self) -> bool {
        self.poses.is_empty()
    }

    /// The pose at `time_s`, or `None` outside the history.
    pub fn at(&self, time_s: f64) -> Option<Pose> {
        let first = self.poses.first()?;
        let last = self.poses.last()?;
        if time_s <= first.time_s {
            return (first.time_s - time_s <= self.max_extrapolation_s).then_some(*first);
        }
        if time_s >= last.time_s {
            return (time_s - last.time_s <= self.max_extrapolation_s).then_some(*last);
        }
        let k = self.poses.partition_point(|p| p.time_s <= time_s);
        let (a, b) = (self.poses[k - 1], self.poses[k]);
        let u = (time_s - a.time_s) / (b.time_s - a.time_s);
        Some(interpolate(&a, &b, u))
    }
}

fn interpolate(a: &Pose, b: &Pose, u: f64) -> Pose {
    // Position: linear in a frame centred on `a` (exact for straight legs at these distances).
    let f = LocalFrame::new(a.lon_deg, a.lat_deg);
    let (e, n) = f.to_local(b.lon_deg, b.lat_deg);
    let (lon, lat) = f.to_wgs84(e * u, n * u);
    let va = Quat::from_euler_deg(a.roll_deg, a.pitch_deg, a.yaw_deg);
    let vb = Quat::from_euler_deg(b.roll_deg, b.pitch_deg, b.yaw_deg);
    let (roll, pitch, yaw) = va.slerp(vb, u).to_euler_deg();
    let ga = Quat::from_euler_deg(a.gimbal_roll_deg, a.gimbal_pitch_deg, a.gimbal_yaw_deg);
    let gb = Quat::from_euler_deg(b.gimbal_roll_deg, b.gimbal_pitch_deg, b.gimbal_yaw_deg);
    let (groll, gpitch, gyaw) = ga.slerp(gb, u).to_euler_deg();
    Pose {
        time_s: a.time_s + (b.time_s - a.time_s) * u,
        lat_deg: lat,
        lon_deg: lon,
        alt_m: a.alt_m + (b.alt_m - a.alt_m) * u,
        roll_deg: roll,
        pitch_deg: pitch,
        yaw_deg: yaw,
        gimbal_roll_deg: groll,
        gimbal_pitch_deg: gpitch,
        gimbal_yaw_deg: gyaw,
    }
}

// ---------------------------------------------------------------------------------------------
// Projection onto the ground

/// A point on the ground: local metres and WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroundPoint {
    /// East of the venue centre, metres.
    pub east_m: f64,
    /// North of the venue centre, metres.
    pub north_m: f64,
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
    /// Slant distance from the camera, metres.
    pub range_m: f64,
}

/// Projects pixels of frames taken from a pose onto flat ground at the home altitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Georeferencer {
    /// The venue's local frame.
    pub frame: LocalFrame,
    /// Ground altitude above mean sea level, metres.
    pub home_alt_m: f64,
    /// The camera.
    pub camera: CameraModel,
    /// How it is mounted.
    pub mount: Mount,
}

/// Where the camera is and how it looks, in world axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraView {
    /// Camera position: east, north (venue frame) and height above the ground, metres.
    pub east_m: f64,
    /// See `east_m`.
    pub north_m: f64,
    /// See `east_m`.
    pub height_m: f64,
    /// Camera axes (forward, right, down) → NED.
    pub attitude: Quat,
}

impl Georeferencer {
    /// The camera position and attitude for a vehicle pose.
    pub fn view(&self, pose: &Pose) -> CameraView {
        let body = Quat::from_euler_deg(pose.roll_deg, pose.pitch_deg, pose.yaw_deg);
        let attitude = if self.mount.stabilised {
            Quat::from_euler_deg(
                pose.gimbal_roll_deg,
                pose.gimbal_pitch_deg,
                pose.yaw_deg + pose.gimbal_yaw_deg,
            )
        } else {
            body.compose(Quat::from_euler_deg(
                pose.gimbal_roll_deg,
                pose.gimbal_pitch_deg,
                pose.gimbal_yaw_deg,
            ))
        };
        let off = body.rotate(self.mount.offset_m);
        let (e, n) = self.frame.to_local(pose.lon_deg, pose.lat_deg);
        CameraView {
            east_m: e + off[1],
            north_m: n + off[0],
            height_m: pose.alt_m - self.home_alt_m - off[2],
            attitude,
        }
    }

    /// The ground point seen at pixel position `(x, y)` (see the module's pixel convention),
    /// or `None` when that ray does not reach the ground (at or above the horizon, or the
    /// camera is not above the ground).
    pub fn ground_point(&self, view: &CameraView, x: f64, y: f64) -> Option<GroundPoint> {
        let d = view.attitude.rotate(self.camera.ray(x, y));
        if view.height_m <= 0.0 || d[2] <= 1e-9 {
            return None;
        }
        let t = view.height_m / d[2];
        let east_m = view.east_m + t * d[1];
        let north_m = view.north_m + t * d[0];
        let (lon_deg, lat_deg) = self.frame.to_wgs84(east_m, north_m);
        let norm = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        Some(GroundPoint {
            east_m,
            north_m,
            lat_deg,
            lon_deg,
            range_m: t * norm,
        })
    }

    /// The pixel position where the ground point `(east_m, north_m)` appears (the inverse of
    /// [`Georeferencer::ground_point`]), or `None` when it is behind the camera. The position
    /// may lie outside the image.
    pub fn pixel_of(&self, view: &CameraView, east_m: f64, north_m: f64) -> Option<(f64, f64)> {
        let [w, x, y, z] = view.attitude.0;
        let inverse = Quat([w, -x, -y, -z]);
        let d = inverse.rotate([north_m - view.north_m, east_m - view.east_m, view.height_m]);
        if d[0] <= 1e-9 {
            return None;
        }
        let f = self.camera.focal_px();
        Some((
            f64::from(self.camera.width_px) / 2.0 + f * d[1] / d[0],
            f64::from(self.camera.height_px) / 2.0 + f * d[2] / d[0],
        ))
    }

    /// The frame's ground footprint: the ground points of the image's four corners, top-left,
    /// top-right, bottom-right, bottom-left; `None` when a corner is at or above the horizon.
    pub fn footprint(&self, view: &CameraView) -> Option<[GroundPoint; 4]> {
        let (w, h) = (
            f64::from(self.camera.width_px),
            f64::from(self.camera.height_px),
        );
        Some([
            self.ground_point(view, 0.0, 0.0)?,
            self.ground_point(view, w, 0.0)?,
            self.ground_point(view, w, h)?,
            self.ground_point(view, 0.0, h)?,
        ])
    }

    /// Ground sample distance at pixel position `(x, y)`: the ground distance between it and
    /// the pixel one column to its right.
    pub fn gsd_m(&self, view: &CameraView, x: f64, y: f64) -> Option<f64> {
        let a = self.ground_point(view, x - 0.5, y)?;
        let b = self.ground_point(view, x + 0.5, y)?;
        Some((a.east_m - b.east_m).hypot(a.north_m - b.north_m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LON: f64 = 144.9717;
    const LAT: f64 = -37.8183;

    fn geo(hfov_deg: f64) -> Georeferencer {
        Georeferencer {
            frame: LocalFrame::new(LON, LAT),
            home_alt_m: 10.0,
            camera: CameraModel {
                width_px: 640,
                height_px: 512,
                hfov_deg,
            },
            mount: Mount::default(),
        }
    }

    fn pose(yaw_deg: f64, gimbal_pitch_deg: f64) -> Pose {
        Pose {
            time_s: 0.0,
            lat_deg: LAT,
            lon_deg: LON,
            alt_m: 50.0, // 40 m above the 10 m home
            roll_deg: 0.0,
            pitch_deg: 0.0,
            yaw_deg,
            gimbal_roll_deg: 0.0,
            gimbal_pitch_deg,
            gimbal_yaw_deg: 0.0,
        }
    }

    fn dist(a: &GroundPoint, b: &GroundPoint) -> f64 {
        (a.east_m - b.east_m).hypot(a.north_m - b.north_m)
    }

    #[test]
    fn nadir_footprint_at_40_m_with_40_degree_hfov_is_2h_tan_20_wide() {
        let g = geo(40.0);
        let fp = g.footprint(&g.view(&pose(0.0, -90.0))).expect("looks down");
        let width = 2.0 * 40.0 * 20f64.to_radians().tan();
        let height = width * 512.0 / 640.0;
        assert!((dist(&fp[0], &fp[1]) - width).abs() < 1e-6, "{fp:?}");
        assert!((dist(&fp[1], &fp[2]) - height).abs() < 1e-6);
        // Yaw 0: the top of the image is north, its right is east.
        assert!((fp[0].north_m - height / 2.0).abs() < 1e-6);
        assert!((fp[0].east_m + width / 2.0).abs() < 1e-6);
        assert!((fp[2].north_m + height / 2.0).abs() < 1e-6);
        assert!((fp[2].east_m - width / 2.0).abs() < 1e-6);
    }

    #[test]
    fn a_known_pixel_lands_on_a_known_ground_point() {
        let g = geo(40.0);
        // Right edge, middle row, heading east: the image's right is south.
        let v = g.view(&pose(90.0, -90.0));
        let p = g.ground_point(&v, 640.0, 256.0).expect("on ground");
        let half = 40.0 * 20f64.to_radians().tan();
        assert!(
            p.east_m.abs() < 1e-6 && (p.north_m + half).abs() < 1e-6,
            "{p:?}"
        );
        // Its latitude is `half` metres south of the centre.
        let (lon, lat) = g.frame.to_wgs84(0.0, -half);
        assert!((p.lat_deg - lat).abs() < 1e-9 && (p.lon_deg - lon).abs() < 1e-9);
        assert!((p.range_m - 40.0f64.hypot(half)).abs() < 1e-6);
        assert!((g.gsd_m(&v, 320.0, 256.0).expect("gsd") - 2.0 * half / 640.0).abs() < 1e-6);
    }

    #[test]
    fn a_pitched_camera_sees_the_centre_at_h_over_tan_pitch() {
        let g = geo(40.0);
        // Heading north, camera 45° down: centre 40 m ahead; the top edge 20° higher
        // (vfov/2 above the axis) at 40/tan(45° − vfov/2).
        let v = g.view(&pose(0.0, -45.0));
        let c = g.ground_point(&v, 320.0, 256.0).expect("centre");
        assert!(
            c.east_m.abs() < 1e-6 && (c.north_m - 40.0).abs() < 1e-6,
            "{c:?}"
        );
        let half_v = g.camera.vfov_deg() / 2.0;
        let top = g.ground_point(&v, 320.0, 0.0).expect("top");
        let expect = 40.0 / (45.0 - half_v).to_radians().tan();
        assert!((top.north_m - expect).abs() < 1e-6, "{top:?} {expect}");
        // Looking at the horizon, the top half of the image misses the ground.
        let level = g.view(&pose(0.0, 0.0));
        assert!(g.ground_point(&level, 320.0, 100.0).is_none());
        assert!(g.footprint(&level).is_none());
    }

    #[test]
    fn vehicle_roll_tilts_an_unstabilised_camera_but_not_a_stabilised_one() {
        let mut g = geo(40.0);
        let mut p = pose(0.0, -90.0);
        p.roll_deg = 10.0; // right wing down
        let steady = g.ground_point(&g.view(&p), 320.0, 256.0).expect("c");
        assert!(steady.east_m.abs() < 1e-9 && steady.north_m.abs() < 1e-9);
        g.mount.stabilised = false;
        let tilted = g.ground_point(&g.view(&p), 320.0, 256.0).expect("c");
        // Rolling right turns a downward-looking camera to look left (west).
        assert!(
            (tilted.east_m + 40.0 * 10f64.to_radians().tan()).abs() < 1e-6,
            "{tilted:?}"
        );
    }

    #[test]
    fn mount_offset_moves_the_footprint_with_the_heading() {
        let mut g = geo(40.0);
        g.mount.offset_m = [0.5, 0.0, 0.2]; // 0.5 m ahead of the centre, 0.2 m below
        let v = g.view(&pose(90.0, -90.0));
        assert!((v.east_m - 0.5).abs() < 1e-9 && v.north_m.abs() < 1e-9);
        assert!((v.height_m - 39.8).abs() < 1e-9);
    }

    #[test]
    fn pose_history_interpolates_position_and_slerps_attitude() {
        let mut h = PoseHistory::new();
        let f = LocalFrame::new(LON, LAT);
        let mut a = pose(350.0, -90.0);
        let mut b = pose(10.0, -60.0);
        (b.lon_deg, b.lat_deg) = f.to_wgs84(10.0, 20.0);
        b.alt_m = 60.0;
        b.time_s = 2.0;
        a.time_s = 0.0;
        h.push(b);
        h.push(a);
        let m = h.at(0.5).expect("inside");
        let (e, n) = f.to_local(m.lon_deg, m.lat_deg);
        assert!((e - 2.5).abs() < 1e-3 && (n - 5.0).abs() < 1e-3, "{e} {n}");
        assert!((m.alt_m - 52.5).abs() < 1e-9);
        // 350° → 10° the short way through north: a quarter of the way is 355°.
        assert!(
            ((m.yaw_deg + 360.0) % 360.0 - 355.0).abs() < 1e-6,
            "{}",
            m.yaw_deg
        );
        assert!(
            (m.gimbal_pitch_deg + 82.5).abs() < 1e-6,
            "{}",
            m.gimbal_pitch_deg
        );
        assert!(h.at(-0.05).is_some() && h.at(-1.0).is_none() && h.at(3.0).is_none());
    }

    #[test]
    fn pixel_of_inverts_ground_point_for_an_oblique_yawed_camera() {
        let mut g = geo(45.0);
        g.mount.stabilised = false;
        let mut p = pose(30.0, -60.0);
        p.roll_deg = 4.0;
        p.pitch_deg = -3.0;
        let v = g.view(&p);
        for (x, y) in [(0.0, 0.0), (320.0, 256.0), (600.5, 100.25), (13.0, 511.0)] {
            let gp = g.ground_point(&v, x, y).expect("on ground");
            let (x2, y2) = g.pixel_of(&v, gp.east_m, gp.north_m).expect("in front");
            assert!(
                (x - x2).abs() < 1e-6 && (y - y2).abs() < 1e-6,
                "{x},{y} → {x2},{y2}"
            );
        }
    }

    #[test]
    fn quaternion_round_trips_euler_angles() {
        for (r, p, y) in [(0.0, 0.0, 0.0), (10.0, -20.0, 30.0), (-5.0, 60.0, -170.0)] {
            let (r2, p2, y2) = Quat::from_euler_deg(r, p, y).to_euler_deg();
            assert!((r - r2).abs() < 1e-9 && (p - p2).abs() < 1e-9 && (y - y2).abs() < 1e-9);
        }
    }
}
