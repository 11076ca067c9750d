//! A link: one transport, any number of vehicles on it, one session (state) per vehicle, our
//! heartbeat, telemetry requests, the tlog, and the protocol state machines run against it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use vigil::link::session::{Link, LinkConfig};
//! let link = Link::open("udpin:0.0.0.0:14550", LinkConfig::default()).await?;
//! let vehicle = link.wait_vehicle(std::time::Duration::from_secs(10)).await?;
//! let state = link.state(vehicle).expect("session exists once heard");
//! println!("mode {:?}", state.borrow().mode);
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mavlink::MavlinkVersion;
use mavlink::dialects::ardupilotmega::{
    COMMAND_LONG_DATA, HEARTBEAT_DATA, MavAutopilot, MavCmd, MavDataStream, MavModeFlag, MavState,
    MavType, REQUEST_DATA_STREAM_DATA, TIMESYNC_DATA,
};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::Instant;

use super::MavMessage;
use super::conn::{ConnAddr, ConnAddrError, TransportEvent};
use super::frame::{FrameCodec, FrameParser, SigningStats};
use super::state::VehicleState;
use super::tlog::TlogWriter;
use super::transaction::Transaction;
use super::transfer::Target;

/// How a link behaves.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// Our system id (ground stations use 255).
    pub system_id: u8,
    /// Our component id (190 = MAV_COMP_ID_MISSIONPLANNER).
    pub component_id: u8,
    /// Send our heartbeat.
    pub heartbeat: bool,
    /// Heartbeat period.
    pub heartbeat_period: Duration,
    /// Silence after which a vehicle's state is marked stale.
    pub link_loss: Duration,
    /// Record every frame in and out here.
    pub tlog: Option<PathBuf>,
    /// MAVLink 2 signing: key, link id, strict (drop unsigned and badly signed frames).
    pub signing: Option<([u8; 32], u8, bool)>,
    /// Ask a newly heard autopilot for telemetry (SET_MESSAGE_INTERVAL and, for older
    /// ArduPilot, REQUEST_DATA_STREAM).
    pub request_streams: bool,
    /// Telemetry rate asked for, Hz.
    pub stream_rate_hz: u16,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            system_id: 255,
            component_id: 190,
            heartbeat: true,
            heartbeat_period: Duration::from_secs(1),
            link_loss: Duration::from_secs(3),
            tlog: None,
            signing: None,
            request_streams: true,
            stream_rate_hz: 4,
        }
    }
}

/// Why a link failed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Bad connection string.
    #[error(transparent)]
    Addr(#[from] ConnAddrError),
    /// The transport could not be opened.
    #[error("opening {addr}: {source}")]
    Open {
        /// The connection string.
        addr: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The tlog could not be created.
    #[error(transparent)]
    Tlog(#[from] super::tlog::TlogError),
    /// No vehicle was heard in time.
    #[error("no vehicle heard on {addr} within {waited:?}{}",
        link_down.as_ref().map(|w| format!(" (link down: {w})")).unwrap_or_default())]
    NoVehicle {
        /// The connection string.
        addr: String,
        /// How long we waited.
        waited: Duration,
        /// Why the transport was down at the end, if it was (a refused port, a missing device).
        link_down: Option<String>,
    },
    /// The link's task ended.
    #[error("the link is closed")]
    Closed,
}

/// What the link reports about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkStats {
    /// Frames received.
    pub frames_in: u64,
    /// Frames sent.
    pub frames_out: u64,
    /// Bytes skipped by the parser (console text, noise).
    pub skipped_bytes: u64,
    /// Connections (re)established.
    pub connects: u64,
    /// Connections lost, and failures to connect (each distinct failure once in a row).
    pub disconnects: u64,
    /// Signing counters.
    pub signing: SigningStats,
    /// Why the transport is down (a refused connection, a missing serial device), or `None`
    /// while it is up or has reported nothing.
    pub link_down: Option<String>,
}

type Sessions = Arc<Mutex<BTreeMap<(u8, u8), watch::Sender<VehicleState>>>>;

/// An open link.
#[derive(Debug, Clone)]
pub struct Link {
    addr: String,
    out: mpsc::Sender<MavMessage>,
    incoming: broadcast::Sender<((u8, u8), MavMessage)>,
    sessions: Sessions,
    stats: Arc<Mutex<LinkStats>>,
    started: Instant,
}

impl Link {
    /// Opens a link from a connection string and starts its task on the current runtime.
    pub async fn open(conn: &str, cfg: LinkConfig) -> Result<Self, LinkError> {
        let addr: ConnAddr = conn.parse()?;
        let transport = super::conn::open(&addr)
            .await
            .map_err(|source| LinkError::Open {
                addr: conn.to_string(),
                source,
            })?;
        let tlog = cfg.tlog.as_deref().map(TlogWriter::create).transpose()?;
        let (out, out_rx) = mpsc::channel(1024);
        let (incoming, _) = broadcast::channel(4096);
        let link = Self {
            addr: conn.to_string(),
            out,
            incoming: incoming.clone(),
            sessions: Arc::default(),
            stats: Arc::default(),
            started: Instant::now(),
        };
        let task = LinkTask {
            cfg,
            transport,
            out_rx,
            incoming,
            sessions: link.sessions.clone(),
            stats: link.stats.clone(),
            started: link.started,
            tlog,
        };
        tokio::spawn(task.run());
        Ok(link)
    }

    /// The link's clock: time since it was opened.
    pub fn now(&self) -> Duration {
        self.started.elapsed()
    }

    /// Sends one message.
    pub async fn send(&self, msg: MavMessage) -> Result<(), LinkError> {
        self.out.send(msg).await.map_err(|_| LinkError::Closed)
    }

    /// Vehicles heard so far (system, component).
    pub fn vehicles(&self) -> Vec<Target> {
        self.sessions
            .lock()
            .map(|s| {
                s.keys()
                    .map(|&(system, component)| Target { system, component })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A vehicle's state as a watch stream.
    pub fn state(&self, target: Target) -> Option<watch::Receiver<VehicleState>> {
        let s = self.sessions.lock().ok()?;
        s.get(&(target.system, target.component))
            .map(watch::Sender::subscribe)
    }

    /// Waits until an autopilot's heartbeat has been heard; returns it.
    pub async fn wait_vehicle(&self, timeout: Duration) -> Result<Target, LinkError> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.sessions.lock().ok().and_then(|s| {
                s.iter()
                    .find(|(_, tx)| tx.borrow().firmware.is_some())
                    .map(|(&(system, component), _)| Target { system, component })
            });
            if let Some(t) = found {
                return Ok(t);
            }
            if Instant::now() >= deadline {
                return Err(LinkError::NoVehicle {
                    addr: self.addr.clone(),
                    waited: timeout,
                    link_down: self.stats().link_down,
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every message received from now on, with its sender (system, component): for
    /// watchers that need more than a vehicle's state (a track, a fence monitor).
    pub fn subscribe(&self) -> broadcast::Receiver<((u8, u8), MavMessage)> {
        self.incoming.subscribe()
    }

    /// Link counters.
    pub fn stats(&self) -> LinkStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Runs a protocol transaction over the link until it finishes; returns its outcome.
    pub async fn run<T>(&self, tx: T) -> Result<T::Output, LinkError>
    where
        T: Transaction,
        T::Output: Clone,
    {
        self.run_observed(tx, |_| {}).await
    }

    /// Like [`Link::run`], calling `observe` after every step (for a progress bar).
    pub async fn run_observed<T>(
        &self,
        mut tx: T,
        mut observe: impl FnMut(&T),
    ) -> Result<T::Output, LinkError>
    where
        T: Transaction,
        T::Output: Clone,
    {
        let mut rx = self.incoming.subscribe();
        for m in tx.start(self.now()) {
            self.send(m).await?;
        }
        loop {
            if let Some(o) = tx.outcome() {
                return Ok(o.clone());
            }
            let sleep_for = tx
                .deadline()
                .map_or(Duration::from_secs(3600), |d| d.saturating_sub(self.now()));
            let outs = tokio::select! {
                r = rx.recv() => match r {
                    Ok((from, msg)) => tx.on_message(self.now(), from, &msg),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "transaction fell behind the link");
                        Vec::new()
                    }
                    Err(broadcast::error::RecvError::Closed) => return Err(LinkError::Closed),
                },
                () = tokio::time::sleep(sleep_for) => tx.on_tick(self.now()),
            };
            for m in outs {
                self.send(m).await?;
            }
            observe(&tx);
        }
    }
}

struct LinkTask {
    cfg: LinkConfig,
    transport: super::conn::Transport,
    out_rx: mpsc::Receiver<MavMessage>,
    incoming: broadcast::Sender<((u8, u8), MavMessage)>,
    sessions: Sessions,
    stats: Arc<Mutex<LinkStats>>,
    started: Instant,
    tlog: Option<TlogWriter>,
}

impl LinkTask {
    async fn run(mut self) {
        let mut codec = FrameCodec::new(
            self.cfg.system_id,
            self.cfg.component_id,
            MavlinkVersion::V2,
        );
        if let Some((key, link_id, strict)) = self.cfg.signing {
            codec.set_signing_key(key, link_id, strict);
        }
        let mut parser = FrameParser::new();
        let mut heartbeat = tokio::time::interval(self.cfg.heartbeat_period);
        let mut housekeeping = tokio::time::interval(Duration::from_millis(250));
        let mut streams_asked: Vec<(u8, u8)> = Vec::new();
        let mut transport_open = true;

        loop {
            tokio::select! {
                ev = self.transport.events.recv(), if transport_open => match ev {
                    Some(TransportEvent::Bytes(b)) => {
                        for rx in parser.push(&b) {
                            if !codec.accept(&rx) {
                                continue;
                            }
                            self.record(&rx.frame);
                            let from = (rx.header.system_id as u8, rx.header.component_id);
                            let Some(msg) = rx.message else { continue };
                            if from.0 == self.cfg.system_id {
                                continue;
                            }
                            // Latency: our TIMESYNC requests come back with our time in ts1;
                            // a vehicle's requests are answered with ours.
                            if let MavMessage::TIMESYNC(t) = &msg {
                                let now_ns = self.started.elapsed().as_nanos() as i64;
                                if t.tc1 == 0 {
                                    let reply = MavMessage::TIMESYNC(TIMESYNC_DATA {
                                        tc1: now_ns,
                                        ts1: t.ts1,
                                        target_system: from.0,
                                        target_component: from.1,
                                    });
                                    self.write(&mut codec, &reply).await;
                                } else if t.ts1 > 0 && t.ts1 <= now_ns {
                                    let rtt = Duration::from_nanos((now_ns - t.ts1) as u64);
                                    if let Ok(s) = self.sessions.lock()
                                        && let Some(tx) = s.get(&from)
                                    {
                                        tx.send_modify(|st| st.link.rtt = Some(rtt));
                                    }
                                }
                            }
                            let first_autopilot = self.update_session(from, rx.header.sequence, &msg);
                            if first_autopilot && self.cfg.request_streams && !streams_asked.contains(&from) {
                                streams_asked.push(from);
                                for m in stream_requests(from, self.cfg.stream_rate_hz) {
                                    self.write(&mut codec, &m).await;
                                }
                            }
                            let _ = self.incoming.send((from, msg));
                        }
                        if let Ok(mut s) = self.stats.lock() {
                            s.skipped_bytes = parser.skipped_bytes();
                            s.signing = codec.signing_stats();
                        }
                    }
                    Some(TransportEvent::Up(who)) => {
                        tracing::info!(peer = %who, "link up");
                        // A new connection: ask for telemetry again.
                        streams_asked.clear();
                        if let Ok(mut s) = self.stats.lock() { s.connects += 1; s.link_down = None; }
                    }
                    Some(TransportEvent::Down(why)) => {
                        tracing::warn!(reason = %why, "link down, reconnecting");
                        if let Ok(mut s) = self.stats.lock() {
                            s.disconnects += 1;
                            s.link_down = Some(why);
                        }
                    }
                    Some(TransportEvent::Closed) | None => {
                        tracing::info!("transport closed");
                        // Keep serving the state watchers until every handle is gone.
                        transport_open = false;
                    }
                },
                m = self.out_rx.recv() => match m {
                    Some(m) => self.write(&mut codec, &m).await,
                    None => break,
                },
                _ = heartbeat.tick(), if self.cfg.heartbeat => {
                    let hb = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
                        custom_mode: 0,
                        mavtype: MavType::MAV_TYPE_GCS,
                        autopilot: MavAutopilot::MAV_AUTOPILOT_INVALID,
                        base_mode: MavModeFlag::empty(),
                        system_status: MavState::MAV_STATE_ACTIVE,
                        mavlink_version: 3,
                    });
                    self.write(&mut codec, &hb).await;
                    // Ask every vehicle for a time sync: its answer measures the round trip.
                    if self.sessions.lock().is_ok_and(|s| !s.is_empty()) {
                        let ts = MavMessage::TIMESYNC(TIMESYNC_DATA {
                            tc1: 0,
                            ts1: self.started.elapsed().as_nanos().max(1) as i64,
                            target_system: 0,
                            target_component: 0,
                        });
                        self.write(&mut codec, &ts).await;
                    }
                }
                _ = housekeeping.tick() => {
                    let now = self.started.elapsed();
                    if let Ok(s) = self.sessions.lock() {
                        for tx in s.values() {
                            tx.send_if_modified(|st| st.check_stale(now, self.cfg.link_loss));
                        }
                    }
                    if let Some(t) = self.tlog.as_mut()
                        && let Err(e) = t.flush()
                    {
                        tracing::warn!(error = %e, "tlog flush");
                    }
                }
            }
        }
    }

    fn record(&mut self, frame: &[u8]) {
        if let Some(t) = self.tlog.as_mut()
            && let Err(e) = t.write_frame(frame)
        {
            tracing::warn!(error = %e, "tlog write; recording stopped");
            self.tlog = None;
        }
    }

    async fn write(&mut self, codec: &mut FrameCodec, msg: &MavMessage) {
        let frame = codec.encode(msg);
        if frame.is_empty() {
            return;
        }
        self.record(&frame);
        if let Ok(mut s) = self.stats.lock() {
            s.frames_out += 1;
        }
        let _ = self.transport.send.send(frame).await;
    }

    /// Updates (or creates) the sender's session; returns true on an autopilot's first heartbeat.
    fn update_session(&mut self, from: (u8, u8), seq: u8, msg: &MavMessage) -> bool {
        let now = self.started.elapsed();
        if let Ok(mut s) = self.stats.lock() {
            s.frames_in += 1;
        }
        let Ok(mut sessions) = self.sessions.lock() else {
            return false;
        };
        let tx = sessions
            .entry(from)
            .or_insert_with(|| watch::channel(VehicleState::new(from.0, from.1)).0);
        let mut first = false;
        tx.send_modify(|st| {
            let had = st.firmware.is_some();
            st.apply(now, seq, msg);
            first = !had && st.firmware.is_some();
        });
        first
    }
}

/// Telemetry requests for a newly heard autopilot.
fn stream_requests(target: (u8, u8), rate_hz: u16) -> Vec<MavMessage> {
    let mut out = vec![MavMessage::REQUEST_DATA_STREAM(REQUEST_DATA_STREAM_DATA {
        req_message_rate: rate_hz,
        target_system: target.0,
        target_component: target.1,
        req_stream_id: MavDataStream::MAV_DATA_STREAM_ALL,
        start_stop: 1,
    })];
    let interval_us = 1e6 / f32::from(rate_hz.max(1));
    // GLOBAL_POSITION_INT, ATTITUDE, VFR_HUD, SYS_STATUS, GPS_RAW_INT, MISSION_CURRENT, HOME.
    for (id, us) in [
        (33, interval_us),
        (30, interval_us),
        (74, interval_us),
        (1, 1e6),
        (24, 1e6),
        (42, 1e6),
        (242, 5e6),
    ] {
        out.push(MavMessage::COMMAND_LONG(COMMAND_LONG_DATA {
            param1: id as f32,
            param2: us,
            param3: 0.0,
            param4: 0.0,
            param5: 0.0,
            param6: 0.0,
            param7: 0.0,
            command: MavCmd::MAV_CMD_SET_MESSAGE_INTERVAL,
            target_system: target.0,
            target_component: target.1,
            confirmation: 0,
        }));
    }
    out
}
