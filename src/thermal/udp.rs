//! Vigil's thermal frame stream over UDP: radiometric 16-bit frames split into datagrams,
//! each carrying the frame's time and the vehicle pose, and a receiver that reassembles them.
//!
//! # Wire format, version 1 (`VTF1`)
//!
//! A frame is sent as `chunk_count` datagrams. Each datagram is an 80-byte header followed by
//! `payload_len` bytes of the frame's samples (16-bit little-endian, row-major), starting at
//! byte `payload_offset` of the sample data. All fields are little-endian.
//!
//! | offset | type | field |
//! |---|---|---|
//! | 0 | `[u8; 4]` | magic `"VTF1"` |
//! | 4 | u32 | frame id (increments per frame, wraps) |
//! | 8 | u64 | capture time on the vehicle's boot clock, microseconds |
//! | 16 | u16 | width, pixels |
//! | 18 | u16 | height, pixels |
//! | 20 | u16 | chunk index, 0-based |
//! | 22 | u16 | chunk count |
//! | 24 | u32 | payload offset, bytes into the sample data |
//! | 28 | u16 | payload length, bytes (even) |
//! | 30 | u8 | calibration: 0 = centikelvin, 1 = linear (the next two fields) |
//! | 31 | u8 | flags: bit 0 = the pose fields are valid |
//! | 32 | f32 | kelvin per count (linear) |
//! | 36 | f32 | kelvin at count 0 (linear) |
//! | 40 | i32 | vehicle latitude, degrees × 10⁷ |
//! | 44 | i32 | vehicle longitude, degrees × 10⁷ |
//! | 48 | i32 | vehicle altitude above mean sea level, millimetres |
//! | 52 | f32 ×3 | vehicle roll, pitch, yaw, degrees |
//! | 64 | f32 ×3 | gimbal roll, pitch, yaw, degrees (see [`super::geo`] for conventions) |
//! | 76 | f32 | camera horizontal field of view, degrees |
//!
//! With a 1 400-byte payload every datagram stays under a 1 500-byte Ethernet MTU; a 640×512
//! frame is 469 datagrams. Chunks may arrive in any order and twice; a frame is delivered when
//! all its chunks have arrived, and an incomplete frame is dropped (counted as lost) once a
//! newer frame completes or more than [`MAX_PENDING`] frames are in flight.

use std::collections::BTreeMap;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use super::ThermalError;
use super::calibration::Calibration;
use super::frame::Frame;
use super::geo::Pose;

/// The magic at the start of every datagram.
pub const MAGIC: &[u8; 4] = b"VTF1";
/// Header length, bytes.
pub const HEADER_LEN: usize = 80;
/// Payload bytes per datagram that keep it under a 1 500-byte MTU.
pub const DEFAULT_PAYLOAD: usize = 1400;
/// Incomplete frames kept waiting for their missing chunks.
pub const MAX_PENDING: usize = 4;
/// Largest frame accepted, pixels (2048 × 2048): a datagram claiming more is rejected before
/// anything is allocated for it.
pub const MAX_PIXELS: usize = 2048 * 2048;

/// A frame as it travels: the frame plus the pose and field of view sent with it.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamFrame {
    /// Frame id from the sender.
    pub frame_id: u32,
    /// The frame (its `boot_time_s` is set).
    pub frame: Frame,
    /// Vehicle and gimbal pose at capture, when the sender knew it.
    pub pose: Option<Pose>,
    /// Camera horizontal field of view, degrees.
    pub hfov_deg: f64,
}

/// Splits a frame into datagrams. The calibration must be linear or centikelvin (the stream
/// carries no Planck constants).
pub fn encode(sf: &StreamFrame, max_payload: usize) -> Result<Vec<Vec<u8>>, ThermalError> {
    let f = &sf.frame;
    let bad = |what: String| ThermalError::Malformed {
        source_name: f.source.clone(),
        what,
    };
    let (kind, k, off) = match f.calibration {
        Calibration::CentiKelvin => (0u8, 0.01f32, 0.0f32),
        Calibration::Linear {
            kelvin_per_count,
            offset_k,
        } => (1, kelvin_per_count as f32, offset_k as f32),
        Calibration::Planck(_) => {
            return Err(bad(
                "the UDP stream carries centikelvin or linear frames, not Planck".into(),
            ));
        }
    };
    let (Ok(w), Ok(h)) = (u16::try_from(f.width), u16::try_from(f.height)) else {
        return Err(bad(format!(
            "{}x{} exceeds 65535 pixels a side",
            f.width, f.height
        )));
    };
    let chunk = (max_payload.clamp(2, 65_534) / 2) * 2;
    let data: Vec<u8> = f.samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let count = data.len().div_ceil(chunk);
    let Ok(count16) = u16::try_from(count) else {
        return Err(bad(format!(
            "{count} chunks exceed 65535; use a larger payload"
        )));
    };
    let time_us = (f.boot_time_s.unwrap_or(0.0).max(0.0) * 1e6).round() as u64;

    let mut out = Vec::with_capacity(count);
    for (i, payload) in data.chunks(chunk).enumerate() {
        let mut d = Vec::with_capacity(HEADER_LEN + payload.len());
        d.extend_from_slice(MAGIC);
        d.extend(sf.frame_id.to_le_bytes());
        d.extend(time_us.to_le_bytes());
        d.extend(w.to_le_bytes());
        d.extend(h.to_le_bytes());
        d.extend((i as u16).to_le_bytes());
        d.extend(count16.to_le_bytes());
        d.extend(((i * chunk) as u32).to_le_bytes());
        d.extend((payload.len() as u16).to_le_bytes());
        d.push(kind);
        d.push(u8::from(sf.pose.is_some()));
        d.extend(k.to_le_bytes());
        d.extend(off.to_le_bytes());
        let p = sf.pose.unwrap_or(Pose {
            time_s: 0.0,
            lat_deg: 0.0,
            lon_deg: 0.0,
            alt_m: 0.0,
            roll_deg: 0.0,
            pitch_deg: 0.0,
            yaw_deg: 0.0,
            gimbal_roll_deg: 0.0,
            gimbal_pitch_deg: 0.0,
            gimbal_yaw_deg: 0.0,
        });
        d.extend(((p.lat_deg * 1e7).round() as i32).to_le_bytes());
        d.extend(((p.lon_deg * 1e7).round() as i32).to_le_bytes());
        d.extend(((p.alt_m * 1e3).round() as i32).to_le_bytes());
        for v in [
            p.roll_deg,
            p.pitch_deg,
            p.yaw_deg,
            p.gimbal_roll_deg,
            p.gimbal_pitch_deg,
            p.gimbal_yaw_deg,
            sf.hfov_deg,
        ] {
            d.extend((v as f32).to_le_bytes());
        }
        debug_assert_eq!(d.len(), HEADER_LEN);
        d.extend_from_slice(payload);
        out.push(d);
    }
    Ok(out)
}

/// The fixed part of a datagram's header.
#[derive(Debug, Clone, PartialEq)]
struct Header {
    frame_id: u32,
    time_us: u64,
    width: u16,
    height: u16,
    index: u16,
    count: u16,
    offset: u32,
    len: u16,
    calibration: Calibration,
    pose: Option<Pose>,
    hfov_deg: f64,
    /// Where the samples start in the datagram: [`HEADER_LEN`], or [`SIM_HEADER_LEN`].
    header_len: usize,
}

impl Header {
    /// The fields that every chunk of one frame must agree on.
    fn same_frame(&self, o: &Header) -> bool {
        (self.time_us, self.width, self.height, self.count)
            == (o.time_us, o.width, o.height, o.count)
    }
}

/// The magic of `vigil-sim`'s thermal chunks (layout in `sim/src/thermal.rs`).
pub const SIM_MAGIC: &[u8; 4] = b"VTH1";
/// Header length of `vigil-sim`'s chunks, bytes.
pub const SIM_HEADER_LEN: usize = 64;

/// A `vigil-sim` chunk (`VTH1`): centikelvin samples, the vehicle's position, heading, the
/// gimbal pitch (stabilised in roll and pitch) and the field of view.
fn parse_sim_header(d: &[u8]) -> Option<Header> {
    if d.len() < SIM_HEADER_LEN || &d[0..4] != SIM_MAGIC {
        return None;
    }
    let u16_at = |i: usize| u16::from_le_bytes([d[i], d[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
    let f32_at = |i: usize| f64::from(f32::from_bits(u32_at(i)));
    let i32_at = |i: usize| u32_at(i) as i32;
    let time_us = u64::from(u32_at(16)) | (u64::from(u32_at(20)) << 32);
    Some(Header {
        frame_id: u32_at(4),
        time_us,
        width: u16_at(12),
        height: u16_at(14),
        index: u16_at(8),
        count: u16_at(10),
        offset: u32_at(56),
        // A length that does not fit is refused below with the datagram's size.
        len: u16::try_from(u32_at(60)).unwrap_or(u16::MAX),
        calibration: Calibration::CentiKelvin,
        pose: Some(Pose {
            time_s: time_us as f64 / 1e6,
            lat_deg: f64::from(i32_at(28)) / 1e7,
            lon_deg: f64::from(i32_at(32)) / 1e7,
            alt_m: f64::from(i32_at(36)) / 1e3,
            roll_deg: 0.0,
            pitch_deg: 0.0,
            yaw_deg: f32_at(44),
            gimbal_roll_deg: 0.0,
            gimbal_pitch_deg: f32_at(48),
            gimbal_yaw_deg: 0.0,
        }),
        hfov_deg: f32_at(52),
        header_len: SIM_HEADER_LEN,
    })
}

/// A datagram's header, `VTF1` or `vigil-sim`'s `VTH1`, checked against its length.
fn parse_header(d: &[u8], name: &str) -> Result<Header, ThermalError> {
    let h = match parse_sim_header(d) {
        Some(h) => h,
        None => parse_vtf1(d, name)?,
    };
    check_header(h, d.len(), name)
}

/// A `VTF1` datagram's header (layout above).
fn parse_vtf1(d: &[u8], name: &str) -> Result<Header, ThermalError> {
    let bad = |what: String| ThermalError::Malformed {
        source_name: name.to_string(),
        what,
    };
    if d.len() < HEADER_LEN || &d[0..4] != MAGIC {
        return Err(bad(format!(
            "datagram of {} bytes without a VTF1 header (expected magic \"VTF1\" and {HEADER_LEN} header bytes, or vigil-sim's \"VTH1\")",
            d.len()
        )));
    }
    let u16_at = |i: usize| u16::from_le_bytes([d[i], d[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
    let f32_at = |i: usize| f64::from(f32::from_bits(u32_at(i)));
    let i32_at = |i: usize| u32_at(i) as i32;
    let time_us = u64::from(u32_at(8)) | (u64::from(u32_at(12)) << 32);
    Ok(Header {
        frame_id: u32_at(4),
        time_us,
        width: u16_at(16),
        height: u16_at(18),
        index: u16_at(20),
        count: u16_at(22),
        offset: u32_at(24),
        len: u16_at(28),
        calibration: match d[30] {
            0 => Calibration::CentiKelvin,
            1 => Calibration::Linear {
                kelvin_per_count: f32_at(32),
                offset_k: f32_at(36),
            },
            k => return Err(bad(format!("calibration kind {k}, expected 0 or 1"))),
        },
        pose: (d[31] & 1 == 1).then(|| Pose {
            time_s: time_us as f64 / 1e6,
            lat_deg: f64::from(i32_at(40)) / 1e7,
            lon_deg: f64::from(i32_at(44)) / 1e7,
            alt_m: f64::from(i32_at(48)) / 1e3,
            roll_deg: f32_at(52),
            pitch_deg: f32_at(56),
            yaw_deg: f32_at(60),
            gimbal_roll_deg: f32_at(64),
            gimbal_pitch_deg: f32_at(68),
            gimbal_yaw_deg: f32_at(72),
        }),
        hfov_deg: f32_at(76),
        header_len: HEADER_LEN,
    })
}

/// Refuses a header whose sizes, indices or calibration cannot be right for a datagram of
/// `datagram_len` bytes.
fn check_header(h: Header, datagram_len: usize, name: &str) -> Result<Header, ThermalError> {
    let bad = |what: String| ThermalError::Malformed {
        source_name: name.to_string(),
        what,
    };
    let total = 2 * usize::from(h.width) * usize::from(h.height);
    let end = h.offset as usize + usize::from(h.len);
    if usize::from(h.width) * usize::from(h.height) > MAX_PIXELS {
        return Err(bad(format!(
            "frame {} is {}x{}, more than the {MAX_PIXELS} pixels accepted",
            h.frame_id, h.width, h.height
        )));
    }
    if h.width == 0 || h.height == 0 || h.count == 0 || h.index >= h.count {
        return Err(bad(format!(
            "frame {} chunk {}/{} of {}x{}: expected a non-empty frame and index < count",
            h.frame_id, h.index, h.count, h.width, h.height
        )));
    }
    if datagram_len != h.header_len + usize::from(h.len) || end > total || !h.len.is_multiple_of(2)
    {
        return Err(bad(format!(
            "frame {} chunk {}: payload {}+{} in a {}-byte datagram for {total} bytes of samples",
            h.frame_id, h.index, h.offset, h.len, datagram_len
        )));
    }
    Ok(h)
}

/// A frame being reassembled.
#[derive(Debug)]
struct Partial {
    header: Header,
    data: Vec<u8>,
    have: Vec<bool>,
    missing: usize,
}

/// Counters of a reassembler.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Frames delivered.
    pub frames: u64,
    /// Frames dropped incomplete.
    pub lost_frames: u64,
    /// Datagrams rejected as malformed.
    pub bad_datagrams: u64,
    /// Duplicate chunks ignored.
    pub duplicates: u64,
}

/// Reassembles frames from datagrams, in whatever order they arrive.
#[derive(Debug, Default)]
pub struct Reassembler {
    name: String,
    pending: BTreeMap<u32, Partial>,
    /// Recently delivered frame ids: late duplicates of their chunks are ignored.
    delivered: std::collections::VecDeque<u32>,
    /// Counters.
    pub stats: StreamStats,
}

impl Reassembler {
    /// A reassembler whose frames are named `name#frame_id`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Feeds one datagram; returns the frame it completed, if any. A malformed datagram is an
    /// error (and counted); the reassembler stays usable.
    pub fn push(&mut self, datagram: &[u8]) -> Result<Option<StreamFrame>, ThermalError> {
        let h = match parse_header(datagram, &self.name) {
            Ok(h) => h,
            Err(e) => {
                self.stats.bad_datagrams += 1;
                return Err(e);
            }
        };
        if self.delivered.contains(&h.frame_id) {
            self.stats.duplicates += 1;
            return Ok(None);
        }
        let total = 2 * usize::from(h.width) * usize::from(h.height);
        let p = self.pending.entry(h.frame_id).or_insert_with(|| Partial {
            header: h.clone(),
            data: vec![0; total],
            have: vec![false; usize::from(h.count)],
            missing: usize::from(h.count),
        });
        if !p.header.same_frame(&h) {
            self.stats.bad_datagrams += 1;
            return Err(ThermalError::Malformed {
                source_name: self.name.clone(),
                what: format!(
                    "frame {} chunk {} disagrees with the frame's first chunk (size, time or count)",
                    h.frame_id, h.index
                ),
            });
        }
        let i = usize::from(h.index);
        if p.have[i] {
            self.stats.duplicates += 1;
            return Ok(None);
        }
        p.have[i] = true;
        p.missing -= 1;
        let start = h.offset as usize;
        p.data[start..start + usize::from(h.len)]
            .copy_from_slice(&datagram[h.header_len..h.header_len + usize::from(h.len)]);

        if p.missing > 0 {
            while self.pending.len() > MAX_PENDING {
                self.pending.pop_first();
                self.stats.lost_frames += 1;
            }
            return Ok(None);
        }
        let Some(done) = self.pending.remove(&h.frame_id) else {
            return Ok(None);
        };
        self.delivered.push_back(h.frame_id);
        if self.delivered.len() > 4 * MAX_PENDING {
            self.delivered.pop_front();
        }
        // Older incomplete frames will not complete usefully now.
        let older: Vec<u32> = self
            .pending
            .keys()
            .copied()
            .filter(|&id| id.wrapping_sub(h.frame_id) > u32::MAX / 2)
            .collect();
        for id in older {
            self.pending.remove(&id);
            self.stats.lost_frames += 1;
        }
        let hd = done.header;
        let samples = done
            .data
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let mut frame = Frame::new(
            u32::from(hd.width),
            u32::from(hd.height),
            samples,
            hd.calibration,
            format!("{}#{}", self.name, hd.frame_id),
        )?;
        frame.boot_time_s = Some(hd.time_us as f64 / 1e6);
        self.stats.frames += 1;
        Ok(Some(StreamFrame {
            frame_id: hd.frame_id,
            frame,
            pose: hd.pose,
            hfov_deg: hd.hfov_deg,
        }))
    }
}

/// A UDP socket receiving the frame stream.
#[derive(Debug)]
pub struct UdpFrameSource {
    socket: UdpSocket,
    reassembler: Reassembler,
    buf: Vec<u8>,
}

impl UdpFrameSource {
    /// Binds `addr` (for example `0.0.0.0:5601`).
    pub fn bind(addr: SocketAddr) -> Result<Self, ThermalError> {
        let socket = UdpSocket::bind(addr).map_err(|source| ThermalError::Io {
            path: format!("udp:{addr}").into(),
            source,
        })?;
        Ok(Self {
            reassembler: Reassembler::new(format!("udp:{addr}")),
            socket,
            buf: vec![0; 65_536],
        })
    }

    /// The bound address (useful after binding port 0).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.socket.local_addr().ok()
    }

    /// Counters.
    pub fn stats(&self) -> StreamStats {
        self.reassembler.stats
    }

    /// Waits up to `timeout` for the next complete frame; `Ok(None)` on timeout. Malformed
    /// datagrams are counted and skipped (logged at debug level).
    pub fn next_frame(&mut self, timeout: Duration) -> Result<Option<StreamFrame>, ThermalError> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let io = |source| ThermalError::Io {
                path: self.reassembler.name.clone().into(),
                source,
            };
            self.socket.set_read_timeout(Some(left)).map_err(io)?;
            let n = match self.socket.recv(&mut self.buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None);
                }
                Err(e) => {
                    return Err(ThermalError::Io {
                        path: self.reassembler.name.clone().into(),
                        source: e,
                    });
                }
            };
            match self.reassembler.push(&self.buf[..n]) {
                Ok(Some(f)) => return Ok(Some(f)),
                Ok(None) => {}
                Err(e) => tracing::debug!(error = %e, "thermal stream: datagram skipped"),
            }
        }
    }
}

/// Sends frames to a receiver: what the simulator (or a companion computer) runs.
#[derive(Debug)]
pub struct UdpFrameSender {
    socket: UdpSocket,
    to: SocketAddr,
    next_id: u32,
    /// Payload bytes per datagram.
    pub max_payload: usize,
}

impl UdpFrameSender {
    /// A sender from an ephemeral local port to `to`.
    pub fn new(to: SocketAddr) -> Result<Self, ThermalError> {
        let local: SocketAddr = if to.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local).map_err(|source| ThermalError::Io {
            path: format!("udp:{to}").into(),
            source,
        })?;
        Ok(Self {
            socket,
            to,
            next_id: 0,
            max_payload: DEFAULT_PAYLOAD,
        })
    }

    /// Sends one frame with the pose and field of view at its capture; returns its frame id.
    pub fn send(
        &mut self,
        frame: &Frame,
        pose: Option<Pose>,
        hfov_deg: f64,
    ) -> Result<u32, ThermalError> {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let sf = StreamFrame {
            frame_id: id,
            frame: frame.clone(),
            pose,
            hfov_deg,
        };
        for d in encode(&sf, self.max_payload)? {
            self.socket
                .send_to(&d, self.to)
                .map_err(|source| ThermalError::Io {
                    path: format!("udp:{}", self.to).into(),
                    source,
                })?;
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {

    /// A `vigil-sim` chunk laid out as `sim/src/thermal.rs` documents it.
    fn sim_chunk(frame_id: u32, index: u16, count: u16, offset: u32, px: &[u16]) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(b"VTH1");
        d.extend_from_slice(&frame_id.to_le_bytes());
        d.extend_from_slice(&index.to_le_bytes());
        d.extend_from_slice(&count.to_le_bytes());
        d.extend_from_slice(&2u16.to_le_bytes()); // width
        d.extend_from_slice(&2u16.to_le_bytes()); // height
        d.extend_from_slice(&1_500_000u64.to_le_bytes()); // boot time, µs
        d.extend_from_slice(&[1, 0, 0, 0]); // system id
        d.extend_from_slice(&(-378_249_010i32).to_le_bytes());
        d.extend_from_slice(&1_449_839_555i32.to_le_bytes());
        d.extend_from_slice(&52_000i32.to_le_bytes()); // 52 m above sea level
        d.extend_from_slice(&40_000i32.to_le_bytes()); // 40 m above home
        d.extend_from_slice(&90f32.to_le_bytes()); // heading
        d.extend_from_slice(&(-90f32).to_le_bytes()); // gimbal pitch
        d.extend_from_slice(&57f32.to_le_bytes()); // hfov
        d.extend_from_slice(&offset.to_le_bytes());
        d.extend_from_slice(&(2 * px.len() as u32).to_le_bytes());
        assert_eq!(d.len(), SIM_HEADER_LEN);
        for p in px {
            d.extend_from_slice(&p.to_le_bytes());
        }
        d
    }

    #[test]
    fn vigil_sim_chunks_are_reassembled_with_their_pose() {
        // `vigil thermal udp:` printed nothing for vigil-sim's stream: its VTH1 chunks were
        // refused as datagrams without a VTF1 header.
        let mut r = Reassembler::new("sim");
        assert!(
            r.push(&sim_chunk(7, 1, 2, 4, &[31_015, 30_415]))
                .expect("a well-formed chunk")
                .is_none()
        );
        let f = r
            .push(&sim_chunk(7, 0, 2, 0, &[28_315, 29_315]))
            .expect("a well-formed chunk")
            .expect("both chunks");
        assert_eq!(f.frame_id, 7);
        assert_eq!(f.frame.samples, [28_315, 29_315, 31_015, 30_415]);
        assert_eq!(f.frame.calibration, Calibration::CentiKelvin);
        assert_eq!(f.hfov_deg, 57.0);
        let p = f.pose.expect("pose");
        assert_eq!(
            (p.time_s, p.lat_deg, p.lon_deg),
            (1.5, -37.824901, 144.9839555)
        );
        assert_eq!(
            (p.alt_m, p.yaw_deg, p.gimbal_pitch_deg),
            (52.0, 90.0, -90.0)
        );
        // A chunk whose length disagrees with its datagram is refused, not read past.
        let mut short = sim_chunk(8, 0, 1, 0, &[1, 2, 3, 4]);
        short.truncate(short.len() - 2);
        assert!(r.push(&short).is_err());
    }

    use super::*;
    use rand::SeedableRng;
    use rand::seq::SliceRandom;

    fn stream_frame(id: u32, w: u32, h: u32) -> StreamFrame {
        let samples = (0..w * h).map(|i| 29_000 + (i * 7 % 1000) as u16).collect();
        let mut frame = Frame::new(w, h, samples, Calibration::CentiKelvin, "sim").expect("frame");
        frame.boot_time_s = Some(12.345_678);
        StreamFrame {
            frame_id: id,
            frame,
            pose: Some(Pose {
                time_s: 12.345_678,
                lat_deg: -37.818_3,
                lon_deg: 144.971_7,
                alt_m: 52.5,
                roll_deg: 1.5,
                pitch_deg: -2.0,
                yaw_deg: 270.0,
                gimbal_roll_deg: 0.0,
                gimbal_pitch_deg: -90.0,
                gimbal_yaw_deg: 0.0,
            }),
            hfov_deg: 40.0,
        }
    }

    #[test]
    fn shuffled_and_duplicated_chunks_reassemble_the_exact_frame() {
        let sf = stream_frame(7, 64, 48);
        let mut chunks = encode(&sf, 1000).expect("encode");
        assert_eq!(chunks.len(), (64 * 48 * 2usize).div_ceil(1000));
        let dup = chunks[2].clone();
        chunks.push(dup);
        chunks.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(42));
        let mut r = Reassembler::new("udp:test");
        let mut got = None;
        for c in &chunks {
            if let Some(f) = r.push(c).expect("valid") {
                got = Some(f);
            }
        }
        let got = got.expect("complete");
        assert_eq!(got.frame.samples, sf.frame.samples);
        assert_eq!(got.frame.source, "udp:test#7");
        assert_eq!(got.frame.boot_time_s, Some(12.345_678));
        let p = got.pose.expect("pose");
        assert!((p.lat_deg + 37.818_3).abs() < 1e-7 && (p.alt_m - 52.5).abs() < 1e-3);
        assert_eq!(
            (p.yaw_deg, p.gimbal_pitch_deg, got.hfov_deg),
            (270.0, -90.0, 40.0)
        );
        assert_eq!(r.stats.duplicates, 1);
    }

    #[test]
    fn a_frame_missing_a_chunk_is_dropped_when_a_newer_one_completes() {
        let mut r = Reassembler::new("udp:test");
        let a = encode(&stream_frame(1, 32, 32), 512).expect("encode");
        for c in &a[1..] {
            assert!(r.push(c).expect("valid").is_none());
        }
        let b = encode(&stream_frame(2, 32, 32), 512).expect("encode");
        let done: Vec<u32> = b
            .iter()
            .filter_map(|c| r.push(c).expect("valid").map(|f| f.frame_id))
            .collect();
        assert_eq!(done, vec![2]);
        assert_eq!((r.stats.frames, r.stats.lost_frames), (1, 1));
    }

    #[test]
    fn malformed_datagrams_are_errors_that_name_the_problem() {
        let mut r = Reassembler::new("udp:test");
        let e = r.push(b"hello").expect_err("short").to_string();
        assert!(e.contains("VTF1"), "{e}");
        let mut c = encode(&stream_frame(1, 8, 8), 64).expect("encode")[0].clone();
        c[24] = 200; // offset past the end
        let e = r.push(&c).expect_err("bounds").to_string();
        assert!(e.contains("payload"), "{e}");
        assert_eq!(r.stats.bad_datagrams, 2);
        // A header claiming a 65535×65535 frame is refused before any allocation.
        let mut c = encode(&stream_frame(1, 8, 8), 64).expect("encode")[0].clone();
        c[16..20].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        let e = r.push(&c).expect_err("too large").to_string();
        assert!(e.contains("65535x65535"), "{e}");
    }

    #[test]
    fn frames_cross_loopback_udp() {
        let mut rx = UdpFrameSource::bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
        let to = rx.local_addr().expect("addr");
        let mut tx = UdpFrameSender::new(to).expect("sender");
        let sent: Vec<StreamFrame> = (0..3).map(|i| stream_frame(i, 160, 120)).collect();
        let mut got = Vec::new();
        for sf in &sent {
            let id = tx.send(&sf.frame, sf.pose, sf.hfov_deg).expect("sent");
            assert_eq!(id, sf.frame_id);
            // The socket buffer holds a whole small frame; receive it before sending the next.
            let f = rx
                .next_frame(Duration::from_secs(5))
                .expect("io")
                .expect("a frame within the timeout");
            got.push(f);
        }
        assert_eq!(
            got.iter().map(|f| f.frame_id).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert!(
            got.iter()
                .zip(&sent)
                .all(|(a, b)| a.frame.samples == b.frame.samples)
        );
        assert_eq!(rx.stats().frames, 3);
    }
}
