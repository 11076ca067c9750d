//! Drives a [`Harness`] in real (or sped-up) time on tokio: uplink bytes in, downlink frames
//! out, thermal frames to UDP. The binary uses it; so can a ground station's tests, with
//! [`spawn_tcp`] for an in-process simulator on a TCP port.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mavlink::dialects::ardupilotmega::MavMessage;
use mavlink::{MAVLinkMessageRaw, MavlinkReader};
use tokio::sync::{broadcast, mpsc};

use crate::harness::Harness;
use crate::thermal::{Scene, ThermalCamera};
use crate::transport::{self, Downlink};

/// Where thermal frames go: a camera per vehicle, a UDP socket and target, and optionally a
/// ground-truth CSV.
pub struct ThermalOutput {
    /// The scene the cameras see.
    pub scene: Scene,
    /// One camera per vehicle, in system id order.
    pub cameras: Vec<ThermalCamera>,
    /// Socket the chunks leave from.
    pub socket: std::net::UdpSocket,
    /// Where they go (HOST:PORT).
    pub target: String,
    /// Ground-truth CSV (header already written), if wanted.
    pub truth: Option<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for ThermalOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThermalOutput")
            .field("cameras", &self.cameras.len())
            .field("target", &self.target)
            .field("truth", &self.truth.is_some())
            .finish()
    }
}

/// Header of the ground-truth CSV.
pub const TRUTH_HEADER: &str = "time_boot_s,sysid,frame_id,source_id,kind,lat_deg,lon_deg";

#[derive(Debug, Default)]
struct Feed(VecDeque<u8>);

impl Read for Feed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len());
        for (d, s) in buf.iter_mut().zip(self.0.drain(..n)) {
            *d = s;
        }
        Ok(n)
    }
}

/// A simulator on a wall clock.
#[derive(Debug)]
pub struct Runner {
    /// The simulator and its impaired links.
    pub harness: Harness,
    /// Simulated seconds per real second.
    pub speedup: f64,
    /// Stop after this many simulated seconds.
    pub duration_s: Option<f64>,
    /// Thermal output, if any.
    pub thermal: Option<ThermalOutput>,
}

impl Runner {
    /// A runner in real time with no thermal output and no end.
    pub fn new(harness: Harness) -> Self {
        Self {
            harness,
            speedup: 1.0,
            duration_s: None,
            thermal: None,
        }
    }

    /// Run until `duration_s` (forever without one): every 10 ms of wall time, feed what came up,
    /// advance the clock, broadcast what went down.
    pub async fn run(
        mut self,
        mut uplink: mpsc::UnboundedReceiver<Vec<u8>>,
        downlink: Downlink,
    ) -> std::io::Result<()> {
        // Uplink bytes are cut into frames so that impairment acts on frames, as a radio's does.
        let mut framer = MavlinkReader::new(Feed::default());
        let start = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let speedup = if self.speedup > 0.0 && self.speedup.is_finite() {
            self.speedup
        } else {
            1.0
        };
        let max_step_us = (speedup * 50_000.0).max(1_000_000.0) as u64;
        let frame_step_us = match &self.thermal {
            Some(t) => t
                .cameras
                .first()
                .map_or(u64::MAX, |c| (1e6 / c.config.fps.max(0.1)) as u64),
            None => u64::MAX,
        };
        loop {
            tick.tick().await;
            while let Ok(bytes) = uplink.try_recv() {
                framer.get_mut().0.extend(bytes);
                while let Ok(raw) = framer.read_any_raw_message::<MavMessage>() {
                    let bytes = match &raw {
                        MAVLinkMessageRaw::V1(m) => m.raw_bytes(),
                        MAVLinkMessageRaw::V2(m) => m.raw_bytes(),
                    };
                    self.harness.send(bytes);
                }
            }
            let target_us = (start.elapsed().as_secs_f64() * speedup * 1e6) as u64;
            let mut now = self.harness.now_us();
            let end = target_us.min(now + max_step_us);
            while end > now {
                // With a camera, time advances one frame interval at a time so no frame is skipped.
                let dt = (end - now).min(frame_step_us);
                for frame in self.harness.advance(Duration::from_micros(dt)) {
                    // No receiver is normal: nobody connected yet.
                    let _ = downlink.send(Arc::new(frame));
                }
                now = self.harness.now_us();
                if let Some(out) = &mut self.thermal {
                    thermal_step(out, &self.harness)?;
                }
            }
            if let Some(d) = self.duration_s
                && self.harness.now_us() as f64 * 1e-6 >= d
            {
                return Ok(());
            }
        }
    }
}

fn thermal_step(out: &mut ThermalOutput, harness: &Harness) -> std::io::Result<()> {
    for (camera, vehicle) in out.cameras.iter_mut().zip(harness.sim.vehicles()) {
        let Some(frame) = camera.poll(&out.scene, vehicle) else {
            continue;
        };
        for chunk in frame.chunks() {
            // An absent listener is normal for UDP.
            let _ = out.socket.send_to(&chunk, out.target.as_str());
        }
        if let Some(f) = &mut out.truth {
            let t = frame.time_boot_us as f64 * 1e-6;
            for s in out.scene.sources_at(t) {
                writeln!(
                    f,
                    "{t:.3},{},{},{},{},{:.7},{:.7}",
                    frame.sysid,
                    frame.frame_id,
                    s.id,
                    s.kind.name(),
                    s.lat_deg,
                    s.lon_deg
                )?;
            }
            f.flush()?;
        }
    }
    Ok(())
}

/// Start `harness` in this process behind a TCP server at `addr` (port 0 picks one), in real
/// time × `speedup`, without console text. Returns the bound address and the running task.
pub async fn spawn_tcp(
    harness: Harness,
    addr: &str,
    speedup: f64,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let (up_tx, up_rx) = mpsc::unbounded_channel();
    let (down_tx, _) = broadcast::channel(8192);
    let local = transport::serve_tcp(addr, up_tx, down_tx.clone(), false).await?;
    let runner = Runner {
        speedup,
        ..Runner::new(harness)
    };
    Ok((local, tokio::spawn(runner.run(up_rx, down_tx))))
}
