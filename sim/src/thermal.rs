//! A gimbal-mounted thermal camera: renders radiometric 16-bit frames (centikelvin) of a
//! scenario of heat sources seen from a vehicle's pose, and cuts them into UDP chunks.
//!
//! # Wire format (one UDP datagram per chunk, little-endian)
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `VTH1` |
//! | 4 | 4 | frame id (u32, counts from 0 per vehicle) |
//! | 8 | 2 | chunk index (u16) |
//! | 10 | 2 | chunk count (u16) |
//! | 12 | 2 | width, pixels (u16) |
//! | 14 | 2 | height, pixels (u16) |
//! | 16 | 8 | vehicle boot time of the exposure, µs (u64) |
//! | 24 | 1 | vehicle system id (u8), then 3 bytes of zero |
//! | 28 | 4 | latitude × 1e7 (i32) |
//! | 32 | 4 | longitude × 1e7 (i32) |
//! | 36 | 4 | altitude above mean sea level, mm (i32) |
//! | 40 | 4 | altitude above home, mm (i32) |
//! | 44 | 4 | vehicle heading, degrees (f32) |
//! | 48 | 4 | gimbal pitch, degrees, negative down (f32) |
//! | 52 | 4 | horizontal field of view, degrees (f32) |
//! | 56 | 4 | byte offset of this chunk's pixels in the frame (u32) |
//! | 60 | 4 | pixel bytes in this chunk (u32) |
//! | 64 | … | pixels, row-major from the top-left, u16 centikelvin |
//!
//! The camera looks along the vehicle's heading, tilted by the gimbal pitch and stabilised in
//! roll and pitch; the ground is flat at home's altitude.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use crate::geodesy::{GeoPoint, LocalFrame, deg_to_e7};

/// Bytes of the chunk header.
pub const HEADER_BYTES: usize = 64;
/// Pixel bytes per chunk (keeps datagrams under a 1500-byte MTU).
pub const CHUNK_PIXEL_BYTES: usize = 1200;

/// A surface of the background with its own temperature.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Surface {
    /// Name, for people reading the file.
    #[serde(default)]
    pub name: String,
    /// Outline as `[longitude, latitude]` pairs (GeoJSON order).
    pub polygon: Vec<[f64; 2]>,
    /// Temperature, kelvin.
    pub temp_k: f64,
}

/// A person walking along a path, back and forth.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Walker {
    /// Path as `[longitude, latitude]` pairs.
    pub path: Vec<[f64; 2]>,
    /// Walking speed, m/s.
    #[serde(default = "default_walk_mps")]
    pub speed_mps: f64,
    /// Apparent temperature, kelvin.
    #[serde(default = "default_person_k")]
    pub temp_k: f64,
}

/// People standing in a group.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Crowd {
    /// Centre as `[longitude, latitude]`.
    pub center: [f64; 2],
    /// Radius, metres.
    pub radius_m: f64,
    /// Number of people.
    pub count: u32,
    /// Apparent temperature, kelvin.
    #[serde(default = "default_person_k")]
    pub temp_k: f64,
}

/// A parked car with a warm engine.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Car {
    /// Centre as `[longitude, latitude]`.
    pub position: [f64; 2],
    /// Heading, degrees clockwise from north.
    #[serde(default)]
    pub heading_deg: f64,
    /// Body temperature, kelvin.
    #[serde(default = "default_car_k")]
    pub body_temp_k: f64,
    /// Engine (front 1.2 m) temperature, kelvin.
    #[serde(default = "default_engine_k")]
    pub engine_temp_k: f64,
}

fn default_walk_mps() -> f64 {
    1.3
}
fn default_person_k() -> f64 {
    306.0
}
fn default_car_k() -> f64 {
    290.0
}
fn default_engine_k() -> f64 {
    330.0
}
fn default_background_k() -> f64 {
    285.0
}
fn default_sky_k() -> f64 {
    240.0
}

/// A thermal scene: background surfaces and heat sources. Read from JSON (see `missions/`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Scenario {
    /// Ground temperature where no surface says otherwise, kelvin.
    #[serde(default = "default_background_k")]
    pub background_k: f64,
    /// Sky temperature (pixels above the horizon), kelvin.
    #[serde(default = "default_sky_k")]
    pub sky_k: f64,
    /// Surfaces, later ones on top.
    #[serde(default)]
    pub surfaces: Vec<Surface>,
    /// People walking.
    #[serde(default)]
    pub people: Vec<Walker>,
    /// Standing crowds.
    #[serde(default)]
    pub crowds: Vec<Crowd>,
    /// Cars.
    #[serde(default)]
    pub cars: Vec<Car>,
}

/// Why a scenario could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: cannot read")]
    Read {
        /// The scenario file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not a valid scenario.
    #[error("{path}: line {line}, column {column}: {message}")]
    Parse {
        /// The scenario file.
        path: std::path::PathBuf,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What was wrong.
        message: String,
    },
}

impl Scenario {
    /// Read a scenario file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| ScenarioError::Parse {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }
}

/// What kind of heat source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A walking person.
    Walker,
    /// A person standing in a crowd.
    CrowdMember,
    /// A car.
    Car,
}

impl SourceKind {
    /// Name used in ground-truth files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Walker => "person_walking",
            Self::CrowdMember => "person_standing",
            Self::Car => "car",
        }
    }
}

/// Where one heat source is at a time (ground truth for scoring detections).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceAt {
    /// Index of the source in a stable order (walkers, crowd members, cars).
    pub id: usize,
    /// Kind.
    pub kind: SourceKind,
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct Disc {
    en: [f64; 2],
    radius_m: f64,
    temp_k: f64,
}

/// A scenario placed in a local frame, ready to render.
#[derive(Debug, Clone)]
pub struct Scene {
    frame: LocalFrame,
    scenario: Scenario,
    surfaces: Vec<Vec<[f64; 2]>>,
    walkers: Vec<(Vec<[f64; 2]>, f64)>,
    crowd: Vec<[f64; 2]>,
    /// Each car's centre and heading sine and cosine, in the local frame.
    cars: Vec<([f64; 2], f64, f64)>,
}

fn inside(p: [f64; 2], poly: &[[f64; 2]]) -> bool {
    let mut c = false;
    let mut j = poly.len().wrapping_sub(1);
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
        {
            c = !c;
        }
        j = i;
    }
    c
}

impl Scene {
    /// Place `scenario` around `origin` (the simulator's home); crowd members are scattered
    /// with `seed`.
    pub fn new(scenario: Scenario, origin: GeoPoint, seed: u64) -> Self {
        let frame = LocalFrame::new(origin);
        let local = |ll: &[f64; 2]| frame.to_local(ll[1], ll[0]);
        let surfaces = scenario
            .surfaces
            .iter()
            .map(|s| s.polygon.iter().map(local).collect())
            .collect();
        let walkers = scenario
            .people
            .iter()
            .map(|w| {
                let path: Vec<[f64; 2]> = w.path.iter().map(local).collect();
                let len = path
                    .windows(2)
                    .map(|p| (p[1][0] - p[0][0]).hypot(p[1][1] - p[0][1]))
                    .sum();
                (path, len)
            })
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7e47);
        let mut crowd = Vec::new();
        for c in &scenario.crowds {
            let centre = local(&c.center);
            for _ in 0..c.count {
                let r = c.radius_m * (rand::RngExt::random::<f64>(&mut rng)).sqrt();
                let a = rand::RngExt::random::<f64>(&mut rng) * std::f64::consts::TAU;
                crowd.push([centre[0] + r * a.sin(), centre[1] + r * a.cos()]);
            }
        }
        let cars = scenario
            .cars
            .iter()
            .map(|c| {
                let (s, co) = c.heading_deg.to_radians().sin_cos();
                (local(&c.position), s, co)
            })
            .collect();
        Self {
            frame,
            scenario,
            surfaces,
            walkers,
            crowd,
            cars,
        }
    }

    fn walker_at(&self, i: usize, t_s: f64) -> [f64; 2] {
        let (path, len) = &self.walkers[i];
        if path.len() < 2 || *len <= 0.0 {
            return path.first().copied().unwrap_or([0.0, 0.0]);
        }
        // Back and forth along the path.
        let d = (self.scenario.people[i].speed_mps * t_s).rem_euclid(2.0 * len);
        let mut d = if d > *len { 2.0 * len - d } else { d };
        for seg in path.windows(2) {
            let l = (seg[1][0] - seg[0][0]).hypot(seg[1][1] - seg[0][1]);
            if d <= l && l > 0.0 {
                let f = d / l;
                return [
                    seg[0][0] + f * (seg[1][0] - seg[0][0]),
                    seg[0][1] + f * (seg[1][1] - seg[0][1]),
                ];
            }
            d -= l;
        }
        path[path.len() - 1]
    }

    /// Every heat source at `t_s` seconds after boot.
    pub fn sources_at(&self, t_s: f64) -> Vec<SourceAt> {
        let mut out = Vec::new();
        let mut push = |kind, en: [f64; 2]| {
            let (lat, lon) = self.frame.to_geo(en[0], en[1]);
            out.push(SourceAt {
                id: out.len(),
                kind,
                lat_deg: lat,
                lon_deg: lon,
            });
        };
        for i in 0..self.walkers.len() {
            push(SourceKind::Walker, self.walker_at(i, t_s));
        }
        for &m in &self.crowd {
            push(SourceKind::CrowdMember, m);
        }
        for c in &self.scenario.cars {
            push(
                SourceKind::Car,
                self.frame.to_local(c.position[1], c.position[0]),
            );
        }
        out
    }

    fn discs(&self, t_s: f64) -> Vec<Disc> {
        let mut d: Vec<Disc> = (0..self.walkers.len())
            .map(|i| Disc {
                en: self.walker_at(i, t_s),
                radius_m: 0.3,
                temp_k: self.scenario.people[i].temp_k,
            })
            .collect();
        let crowd_k = self
            .scenario
            .crowds
            .first()
            .map_or(default_person_k(), |c| c.temp_k);
        d.extend(self.crowd.iter().map(|&en| Disc {
            en,
            radius_m: 0.3,
            temp_k: crowd_k,
        }));
        d
    }

    /// Apparent ground temperature at a local point (no noise), kelvin.
    fn ground_k(&self, p: [f64; 2], discs: &[Disc]) -> f64 {
        for d in discs {
            let (dx, dy) = (p[0] - d.en[0], p[1] - d.en[1]);
            if dx * dx + dy * dy <= d.radius_m * d.radius_m {
                return d.temp_k;
            }
        }
        for (c, &(centre, s, co)) in self.scenario.cars.iter().zip(&self.cars) {
            let dx = p[0] - centre[0];
            let dy = p[1] - centre[1];
            let along = dx * s + dy * co;
            let across = dx * co - dy * s;
            if along.abs() <= 2.25 && across.abs() <= 0.9 {
                return if along >= 2.25 - 1.2 {
                    c.engine_temp_k
                } else {
                    c.body_temp_k
                };
            }
        }
        let mut t = self.scenario.background_k;
        for (poly, s) in self.surfaces.iter().zip(&self.scenario.surfaces) {
            if inside(p, poly) {
                t = s.temp_k;
            }
        }
        t
    }
}

/// The camera's optics and timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraConfig {
    /// Width, pixels.
    pub width: u16,
    /// Height, pixels.
    pub height: u16,
    /// Horizontal field of view, degrees.
    pub hfov_deg: f64,
    /// Gimbal pitch, degrees (−90 looks straight down).
    pub pitch_deg: f64,
    /// Frames per second.
    pub fps: f64,
    /// Sensor noise (standard deviation), centikelvin.
    pub noise_ck: f64,
}

impl Default for CameraConfig {
    fn default() -> Self {
        Self {
            width: 160,
            height: 120,
            hfov_deg: 57.0,
            pitch_deg: -90.0,
            fps: 9.0,
            noise_ck: 5.0,
        }
    }
}

/// One radiometric frame and the pose it was taken from.
#[derive(Debug, Clone, PartialEq)]
pub struct ThermalFrame {
    /// Frame number for this vehicle.
    pub frame_id: u32,
    /// Vehicle boot time of the exposure, µs.
    pub time_boot_us: u64,
    /// Vehicle system id.
    pub sysid: u8,
    /// Camera position (above mean sea level).
    pub position: GeoPoint,
    /// Height above home, metres.
    pub relative_alt_m: f64,
    /// Vehicle heading, degrees.
    pub heading_deg: f64,
    /// Gimbal pitch, degrees.
    pub pitch_deg: f64,
    /// Horizontal field of view, degrees.
    pub hfov_deg: f64,
    /// Width, pixels.
    pub width: u16,
    /// Height, pixels.
    pub height: u16,
    /// Pixels, row-major from the top-left, centikelvin.
    pub pixels: Vec<u16>,
}

/// Render one frame of `scene` from a camera at local `pos_m` (east, north, up above home
/// ground) looking along `heading_deg`, at `t_s` seconds after boot.
pub fn render(
    scene: &Scene,
    cam: &CameraConfig,
    pos_m: [f64; 3],
    heading_deg: f64,
    t_s: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<u16> {
    let (w, h) = (usize::from(cam.width), usize::from(cam.height));
    let (sy, cy) = heading_deg.to_radians().sin_cos();
    let (sp, cp) = cam.pitch_deg.to_radians().sin_cos();
    // Camera axes in east-north-up: forward, right, up.
    let fwd = [sy * cp, cy * cp, sp];
    let right = [cy, -sy, 0.0];
    let up = [-sy * sp, -cy * sp, cp];
    let half = (cam.hfov_deg.to_radians() / 2.0).tan();
    // Only the heat sources near the ground under the camera matter (a generous circle).
    let reach_m = if fwd[2] < -0.5 {
        pos_m[2] * 2.5 + 5.0
    } else {
        f64::INFINITY
    };
    let discs: Vec<Disc> = scene
        .discs(t_s)
        .into_iter()
        .filter(|d| (d.en[0] - pos_m[0]).hypot(d.en[1] - pos_m[1]) <= reach_m)
        .collect();
    let mut out = Vec::with_capacity(w * h);
    let mut spare_noise: Option<f64> = None;
    for j in 0..h {
        let y = -((j as f64 + 0.5) - h as f64 / 2.0) / (w as f64 / 2.0) * half;
        for i in 0..w {
            let x = ((i as f64 + 0.5) - w as f64 / 2.0) / (w as f64 / 2.0) * half;
            let d = [
                fwd[0] + x * right[0] + y * up[0],
                fwd[1] + x * right[1] + y * up[1],
                fwd[2] + x * right[2] + y * up[2],
            ];
            let k = if d[2] >= -1e-9 || pos_m[2] <= 0.0 {
                scene.scenario.sky_k
            } else {
                let t = -pos_m[2] / d[2];
                scene.ground_k([pos_m[0] + t * d[0], pos_m[1] + t * d[1]], &discs)
            };
            // Box–Muller gives two samples: use both.
            let n = match spare_noise.take() {
                Some(n) => n,
                None => {
                    let (a, b) = gauss_pair(rng);
                    spare_noise = Some(b);
                    a
                }
            };
            let ck = k * 100.0 + cam.noise_ck * n;
            out.push(ck.round().clamp(0.0, 65_535.0) as u16);
        }
    }
    out
}

fn gauss_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1: f64 = rand::RngExt::random::<f64>(rng).max(1e-12);
    let u2: f64 = rand::RngExt::random::<f64>(rng);
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
    (r * c, r * s)
}

/// A camera on one vehicle: decides when a frame is due and renders it.
#[derive(Debug)]
pub struct ThermalCamera {
    /// Optics and timing.
    pub config: CameraConfig,
    rng: ChaCha8Rng,
    next_us: u64,
    frame_id: u32,
}

impl ThermalCamera {
    /// A camera whose noise is seeded with `seed`.
    pub fn new(config: CameraConfig, seed: u64) -> Self {
        Self {
            config,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x7e4d),
            next_us: 0,
            frame_id: 0,
        }
    }

    /// The frame due at the vehicle's present time, if one is.
    pub fn poll(&mut self, scene: &Scene, vehicle: &crate::Vehicle) -> Option<ThermalFrame> {
        let now = vehicle.boot_time_us();
        if now < self.next_us || self.config.fps <= 0.0 {
            return None;
        }
        self.next_us = now + (1e6 / self.config.fps) as u64;
        let position = vehicle.position();
        let en = scene.frame.to_local(position.lat_deg, position.lon_deg);
        // The camera hangs 20 cm above the ground when the vehicle stands on it.
        let up = (position.alt_m - scene.frame.origin().alt_m).max(0.2);
        let heading = vehicle.heading_deg();
        let pixels = render(
            scene,
            &self.config,
            [en[0], en[1], up],
            heading,
            now as f64 * 1e-6,
            &mut self.rng,
        );
        let frame = ThermalFrame {
            frame_id: self.frame_id,
            time_boot_us: now,
            sysid: vehicle.sysid(),
            position,
            relative_alt_m: vehicle.relative_alt_m(),
            heading_deg: heading,
            pitch_deg: self.config.pitch_deg,
            hfov_deg: self.config.hfov_deg,
            width: self.config.width,
            height: self.config.height,
            pixels,
        };
        self.frame_id = self.frame_id.wrapping_add(1);
        Some(frame)
    }
}

impl ThermalFrame {
    /// The frame as UDP datagrams in the documented chunk format.
    pub fn chunks(&self) -> Vec<Vec<u8>> {
        let bytes: Vec<u8> = self.pixels.iter().flat_map(|p| p.to_le_bytes()).collect();
        let count = bytes.len().div_ceil(CHUNK_PIXEL_BYTES).max(1);
        (0..count)
            .map(|i| {
                let start = i * CHUNK_PIXEL_BYTES;
                let part =
                    &bytes[start.min(bytes.len())..(start + CHUNK_PIXEL_BYTES).min(bytes.len())];
                let mut d = Vec::with_capacity(HEADER_BYTES + part.len());
                d.extend_from_slice(b"VTH1");
                d.extend_from_slice(&self.frame_id.to_le_bytes());
                d.extend_from_slice(&(i as u16).to_le_bytes());
                d.extend_from_slice(&(count as u16).to_le_bytes());
                d.extend_from_slice(&self.width.to_le_bytes());
                d.extend_from_slice(&self.height.to_le_bytes());
                d.extend_from_slice(&self.time_boot_us.to_le_bytes());
                d.extend_from_slice(&[self.sysid, 0, 0, 0]);
                d.extend_from_slice(&deg_to_e7(self.position.lat_deg).to_le_bytes());
                d.extend_from_slice(&deg_to_e7(self.position.lon_deg).to_le_bytes());
                d.extend_from_slice(&((self.position.alt_m * 1000.0).round() as i32).to_le_bytes());
                d.extend_from_slice(&((self.relative_alt_m * 1000.0).round() as i32).to_le_bytes());
                d.extend_from_slice(&(self.heading_deg as f32).to_le_bytes());
                d.extend_from_slice(&(self.pitch_deg as f32).to_le_bytes());
                d.extend_from_slice(&(self.hfov_deg as f32).to_le_bytes());
                d.extend_from_slice(&(start as u32).to_le_bytes());
                d.extend_from_slice(&(part.len() as u32).to_le_bytes());
                d.extend_from_slice(part);
                d
            })
            .collect()
    }
}

/// Header fields of one chunk, as read back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChunkHeader {
    /// Frame id.
    pub frame_id: u32,
    /// Chunk index.
    pub index: u16,
    /// Chunks in the frame.
    pub count: u16,
    /// Width, pixels.
    pub width: u16,
    /// Height, pixels.
    pub height: u16,
    /// Vehicle boot time, µs.
    pub time_boot_us: u64,
    /// Byte offset of the chunk's pixels.
    pub offset: u32,
}

/// Read a chunk's header and pixel bytes; None if it is not a `VTH1` chunk.
pub fn parse_chunk(d: &[u8]) -> Option<(ChunkHeader, &[u8])> {
    if d.len() < HEADER_BYTES || &d[0..4] != b"VTH1" {
        return None;
    }
    let u16_at = |o: usize| u16::from_le_bytes([d[o], d[o + 1]]);
    let u32_at = |o: usize| u32::from_le_bytes([d[o], d[o + 1], d[o + 2], d[o + 3]]);
    let len = u32_at(60) as usize;
    let pixels = d.get(HEADER_BYTES..HEADER_BYTES + len)?;
    let mut t = [0u8; 8];
    t.copy_from_slice(&d[16..24]);
    Some((
        ChunkHeader {
            frame_id: u32_at(4),
            index: u16_at(8),
            count: u16_at(10),
            width: u16_at(12),
            height: u16_at(14),
            time_boot_us: u64::from_le_bytes(t),
            offset: u32_at(56),
        },
        pixels,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene() -> Scene {
        let origin = GeoPoint::new(-35.0, 149.0, 500.0);
        let frame = LocalFrame::new(origin);
        let ll = |e: f64, n: f64| {
            let (lat, lon) = frame.to_geo(e, n);
            [lon, lat]
        };
        let scenario = Scenario {
            background_k: 285.0,
            sky_k: 240.0,
            surfaces: vec![Surface {
                name: "road".into(),
                polygon: vec![
                    ll(-50.0, -2.0),
                    ll(50.0, -2.0),
                    ll(50.0, 2.0),
                    ll(-50.0, 2.0),
                ],
                temp_k: 290.0,
            }],
            people: vec![Walker {
                path: vec![ll(0.0, 10.0), ll(20.0, 10.0)],
                speed_mps: 1.0,
                temp_k: 306.0,
            }],
            crowds: vec![],
            cars: vec![Car {
                position: ll(-10.0, -10.0),
                heading_deg: 0.0,
                body_temp_k: 290.0,
                engine_temp_k: 330.0,
            }],
        };
        Scene::new(scenario, origin, 1)
    }

    #[test]
    fn walker_goes_back_and_forth() {
        let s = scene();
        let at = |t| {
            let p = s.sources_at(t)[0];
            LocalFrame::new(GeoPoint::new(-35.0, 149.0, 500.0)).to_local(p.lat_deg, p.lon_deg)
        };
        assert!((at(5.0)[0] - 5.0).abs() < 1e-6);
        assert!((at(25.0)[0] - 15.0).abs() < 1e-6);
    }

    #[test]
    fn nadir_frame_shows_person_road_and_engine() {
        let s = scene();
        let cam = CameraConfig {
            noise_ck: 0.0,
            ..CameraConfig::default()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        // 40 m above home looking straight down, heading north (north is the top of the image).
        let px = render(&s, &cam, [0.0, 0.0, 40.0], 0.0, 0.0, &mut rng);
        let at = |i: usize, j: usize| px[j * 160 + i];
        assert_eq!(at(80, 60), 29_000, "the road under the camera");
        // The walker starts 10 m north: 0.25 of the altitude, row 60 - 0.25 / tan(28.5°) × 80.
        assert_eq!(at(80, 23), 30_600);
        assert_eq!(
            *px.iter().max().expect("pixels"),
            33_000,
            "the engine is the hottest thing"
        );
        assert!(px.contains(&28_500), "background");
        // Looking up sees the sky.
        let up = CameraConfig {
            pitch_deg: 30.0,
            ..cam
        };
        assert!(
            render(&s, &up, [0.0, 0.0, 30.0], 0.0, 0.0, &mut rng)
                .iter()
                .all(|&p| p == 24_000)
        );
    }

    #[test]
    fn chunks_round_trip() {
        let frame = ThermalFrame {
            frame_id: 7,
            time_boot_us: 123_456,
            sysid: 2,
            position: GeoPoint::new(-35.0, 149.0, 530.0),
            relative_alt_m: 30.0,
            heading_deg: 90.0,
            pitch_deg: -90.0,
            hfov_deg: 57.0,
            width: 160,
            height: 120,
            pixels: (0..19_200u32).map(|i| (i % 65_536) as u16).collect(),
        };
        let chunks = frame.chunks();
        assert_eq!(chunks.len(), 32);
        let mut bytes = vec![0u8; 38_400];
        for c in &chunks {
            assert!(c.len() <= HEADER_BYTES + CHUNK_PIXEL_BYTES);
            let (h, px) = parse_chunk(c).expect("a chunk");
            assert_eq!(
                (h.frame_id, h.count, h.width, h.height, h.time_boot_us),
                (7, 32, 160, 120, 123_456)
            );
            bytes[h.offset as usize..h.offset as usize + px.len()].copy_from_slice(px);
        }
        let back: Vec<u16> = bytes
            .chunks(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(back, frame.pixels);
    }
}
