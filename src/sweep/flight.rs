//! Flying one vehicle's sorties over the link (fence, verified mission, arm with patience,
//! take-off, AUTO, follow to landing), and the in-process simulator on a loopback TCP port.

use std::collections::VecDeque;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mavlink::{MAVLinkMessageRaw, MavlinkReader};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc};

use super::{Prepared, SweepError, SweepOptions};
use crate::fence::{FenceParam, FenceUpload};
use crate::link::MavMessage;
use crate::link::command::{Command, CommandConfig};
use crate::link::items::WireItem;
use crate::link::modes::{Firmware, mode_number};
use crate::link::ops::{
    arm_with_patience, command, command_with_patience, home_item_for, upload_lists, verified_upload,
};
use crate::link::param::ParamConfig;
use crate::link::session::Link;
use crate::link::transfer::{Target, TransferConfig};
use crate::mission::Mission;

/// The in-process simulator's handle: its harness (for the operator's battery swap between
/// sorties and for drills) and the switch that cuts its link.
#[derive(Debug, Clone)]
pub(crate) struct SimControl {
    pub harness: Arc<Mutex<vigil_sim::Harness>>,
    /// Set: every frame both ways is dropped (a radio out of range).
    pub cut: Arc<AtomicBool>,
    /// The simulator's clock, microseconds, published after every step.
    pub clock_us: Arc<AtomicU64>,
    /// Protocol exchanges under way: while any is, the simulator runs at most
    /// [`TRANSFER_SPEEDUP`] × real time, so that the vehicle's protocol timeouts (a request
    /// repeated every second, an upload abandoned after 8 s) stay longer than a ground
    /// station's round trip, as they are with a real vehicle.
    pub exchanges: Arc<AtomicUsize>,
}

/// The simulator's speed-up during protocol exchanges (see [`SimControl::exchanges`]).
pub(crate) const TRANSFER_SPEEDUP: f64 = 10.0;

/// Marks a protocol exchange under way while it lives.
pub(crate) struct Exchange(Option<Arc<AtomicUsize>>);

impl Exchange {
    pub fn begin(sim: Option<&SimControl>) -> Self {
        let c = sim.map(|s| s.exchanges.clone());
        if let Some(c) = &c {
            c.fetch_add(1, Ordering::SeqCst);
        }
        Self(c)
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The vehicles' clock as the sweep sees it: the simulator's own, or (on a link) the link's
/// wall clock × the vehicle's speed-up.
#[derive(Debug, Clone)]
pub(crate) enum SweepClock {
    Sim(Arc<AtomicU64>),
    Wall { link: Link, speedup: f64 },
}

impl SweepClock {
    /// Seconds.
    pub fn now_s(&self) -> f64 {
        match self {
            SweepClock::Sim(us) => us.load(Ordering::Relaxed) as f64 * 1e-6,
            SweepClock::Wall { link, speedup } => link.now().as_secs_f64() * speedup,
        }
    }
}

impl SimControl {
    /// A fresh battery in a landed vehicle, as the operator swaps it between sorties.
    pub fn swap_battery(&self, sysid: u8) {
        if let Ok(mut h) = self.harness.lock()
            && let Some(v) = h.sim.vehicle_mut(sysid)
            && !v.armed()
        {
            v.set_battery_remaining(1.0);
        }
    }
}

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

/// Starts the simulator for `prepared` in this process, serving MAVLink on a loopback TCP port
/// (with SITL's console text first, as ArduPilot's port 5760 does) on its clock × speed-up.
pub(crate) async fn start_sim(
    opts: &SweepOptions,
    prepared: &Prepared,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>, SimControl), SweepError> {
    use vigil_sim::{GeoPoint, Harness, Impairment, SimConfig};

    let mut cfg = SimConfig::new(GeoPoint::new(
        prepared.home.lat_deg,
        prepared.home.lon_deg,
        prepared.home.alt_m,
    ));
    cfg.vehicles = u8::try_from(opts.vehicles).unwrap_or(u8::MAX);
    cfg.seed = opts.seed;
    cfg.vehicle.wind_speed_mps = opts.wind_mps;
    cfg.vehicle.wind_from_deg = 270.0;
    cfg.vehicle.gust_sigma_mps = opts.wind_mps * 0.2;
    let impairment = Impairment {
        loss: opts.loss,
        ..Impairment::none()
    };
    let mut harness = Harness::new(cfg, impairment);
    if let Some(super::Drill::LinkCut { .. }) = opts.drill {
        // The drill is about the vehicle's own GCS failsafe: switch it on (RTL).
        for sysid in 1..=opts.vehicles {
            if let Some(v) = harness.sim.vehicle_mut(sysid as u8) {
                v.params.set("FS_GCS_ENABLE", 1.0);
            }
        }
    }
    let control = SimControl {
        harness: Arc::new(Mutex::new(harness)),
        cut: Arc::new(AtomicBool::new(false)),
        clock_us: Arc::new(AtomicU64::new(0)),
        exchanges: Arc::new(AtomicUsize::new(0)),
    };
    let (up_tx, mut up_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let (down_tx, _) = broadcast::channel::<Arc<Vec<u8>>>(8192);
    let addr = vigil_sim::transport::serve_tcp("127.0.0.1:0", up_tx, down_tx.clone(), true)
        .await
        .map_err(SweepError::Sim)?;
    let speedup = opts.speedup;
    let c = control.clone();
    let task = tokio::spawn(async move {
        // Uplink bytes are cut into frames so that loss acts on frames, as a radio's does.
        let mut framer = MavlinkReader::new(Feed::default());
        let mut last = std::time::Instant::now();
        let mut target_us = 0.0f64;
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let max_step_us = (speedup * 50_000.0).max(1_000_000.0) as u64;
        loop {
            tick.tick().await;
            let cut = c.cut.load(Ordering::Relaxed);
            let Ok(mut h) = c.harness.lock() else {
                return;
            };
            while let Ok(bytes) = up_rx.try_recv() {
                if cut {
                    continue;
                }
                framer.get_mut().0.extend(bytes);
                while let Ok(raw) = framer.read_any_raw_message::<MavMessage>() {
                    let bytes = match &raw {
                        MAVLinkMessageRaw::V1(m) => m.raw_bytes(),
                        MAVLinkMessageRaw::V2(m) => m.raw_bytes(),
                    };
                    h.send(bytes);
                }
            }
            let rate = if c.exchanges.load(Ordering::SeqCst) > 0 {
                speedup.min(TRANSFER_SPEEDUP)
            } else {
                speedup
            };
            let now = h.now_us();
            target_us = (target_us + last.elapsed().as_secs_f64() * rate * 1e6)
                .min((now + max_step_us) as f64);
            last = std::time::Instant::now();
            let end = target_us as u64;
            // A quarter second at a time: the clock the ground reads never runs far ahead of
            // the frames it has been sent.
            let mut now = now;
            while end > now {
                for frame in h.advance(Duration::from_micros((end - now).min(250_000))) {
                    if !cut {
                        // No receiver is normal: nobody connected yet.
                        let _ = down_tx.send(Arc::new(frame));
                    }
                }
                now = h.now_us();
                c.clock_us.store(now, Ordering::Relaxed);
            }
        }
    });
    Ok((addr, task, control))
}

/// Injects `drill` into the simulator, timed on the simulator's clock from vehicle 1's arming.
pub(crate) fn schedule_drill(
    link: &Link,
    targets: Vec<Target>,
    control: SimControl,
    drill: super::Drill,
    speedup: f64,
) {
    let states: Vec<_> = targets.iter().filter_map(|t| link.state(*t)).collect();
    tokio::spawn(async move {
        let Some(mut first) = states.into_iter().next() else {
            return;
        };
        if first.wait_for(|s| s.armed).await.is_err() {
            return;
        }
        let sim_s = |c: &SimControl| c.clock_us.load(Ordering::Relaxed) as f64 * 1e-6;
        let armed_s = sim_s(&control);
        let poll = Duration::from_secs_f64((0.1 / speedup).max(0.002));
        match drill {
            super::Drill::LinkCut { at_s, for_s } => {
                while sim_s(&control) < armed_s + at_s {
                    tokio::time::sleep(poll).await;
                }
                tracing::info!(for_s, "drill: link cut");
                control.cut.store(true, Ordering::Relaxed);
                while sim_s(&control) < armed_s + at_s + for_s {
                    tokio::time::sleep(poll).await;
                }
                control.cut.store(false, Ordering::Relaxed);
                tracing::info!("drill: link back");
            }
            super::Drill::BatteryDrop {
                at_s,
                remaining_pct,
            } => {
                while sim_s(&control) < armed_s + at_s {
                    tokio::time::sleep(poll).await;
                }
                tracing::info!(remaining_pct, "drill: battery drop");
                if let Ok(mut h) = control.harness.lock()
                    && let Some(v) = h.sim.vehicle_mut(1)
                {
                    v.set_battery_remaining(remaining_pct / 100.0);
                }
            }
        }
    });
}

/// Waits until `n` autopilots have been heard; returns them by system id.
pub(crate) async fn wait_vehicles(
    link: &Link,
    n: usize,
    timeout: Duration,
) -> Result<Vec<Target>, SweepError> {
    let start = std::time::Instant::now();
    loop {
        let mut found: Vec<Target> = link
            .vehicles()
            .into_iter()
            .filter(|t| {
                link.state(*t)
                    .is_some_and(|s| s.borrow().firmware.is_some_and(|f| f != Firmware::Other))
            })
            .collect();
        found.sort_by_key(|t| t.system);
        found.dedup_by_key(|t| t.system);
        if found.len() >= n {
            found.truncate(n);
            return Ok(found);
        }
        if start.elapsed() >= timeout {
            return Err(SweepError::Vehicles {
                expected: n,
                heard: found.len(),
                waited_s: timeout.as_secs_f64(),
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What one vehicle is to fly.
#[derive(Debug, Clone)]
pub(crate) struct VehiclePlan {
    pub target: Target,
    pub missions: Vec<Mission>,
    pub fence_items: Vec<WireItem>,
    pub fence_params: Vec<FenceParam>,
    pub takeoff_alt_m: f64,
    pub speedup: f64,
    pub arm_patience_s: f64,
    pub max_sortie_s: f64,
    /// The in-process simulator, for the battery swap between sorties.
    pub sim: Option<SimControl>,
    pub clock: SweepClock,
}

/// One step of a vehicle's sweep, for the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlightEvent {
    /// Seconds on the vehicles' clock (the simulator's, or wall time × speed-up on a link).
    pub time_s: f64,
    pub what: String,
}

/// How a vehicle's sweep went.
#[derive(Debug, Clone, Default)]
pub(crate) struct VehicleOutcome {
    pub fence_uploaded: bool,
    pub missions_verified: usize,
    pub sorties_flown: usize,
    pub sorties_planned: usize,
    pub landed: bool,
    pub disarmed: bool,
    pub reconnects: usize,
    pub events: Vec<FlightEvent>,
    pub error: Option<String>,
}

struct Log {
    clock: SweepClock,
    events: Vec<FlightEvent>,
    system: u8,
}

impl Log {
    fn push(&mut self, what: impl Into<String>) {
        let what = what.into();
        tracing::info!(vehicle = self.system, "{what}");
        self.events.push(FlightEvent {
            time_s: self.clock.now_s(),
            what,
        });
    }
}

/// Flies every sortie of `plan` in turn; never fails, reports.
pub(crate) async fn fly_vehicle(link: &Link, plan: VehiclePlan) -> VehicleOutcome {
    let mut out = VehicleOutcome {
        sorties_planned: plan.missions.len(),
        ..VehicleOutcome::default()
    };
    let mut log = Log {
        clock: plan.clock.clone(),
        events: Vec::new(),
        system: plan.target.system,
    };
    if let Err(e) = fly_sorties(link, &plan, &mut out, &mut log).await {
        log.push(format!("stopped: {e}"));
        out.error = Some(e);
    }
    if let Some(state) = link.state(plan.target) {
        let s = state.borrow();
        out.disarmed = !s.armed;
        out.landed = out.disarmed && s.position.is_some_and(|p| p.alt_rel_m.abs() < 2.0);
    }
    out.events = log.events;
    out
}

fn wall(sim_s: f64, speedup: f64, min_s: f64) -> Duration {
    Duration::from_secs_f64((sim_s / speedup).max(min_s))
}

async fn fly_sorties(
    link: &Link,
    plan: &VehiclePlan,
    out: &mut VehicleOutcome,
    log: &mut Log,
) -> Result<(), String> {
    let target = plan.target;
    let sp = plan.speedup;
    let mut state = link
        .state(target)
        .ok_or("the vehicle's session disappeared")?;
    let firmware = state.borrow().firmware.unwrap_or(Firmware::Other);
    let home_item = home_item_for(Some(firmware));
    let ardupilot = matches!(firmware, Firmware::ArduCopter | Firmware::ArduPlane);
    // Protocol timeouts in the vehicle's time: a real ground station's 1.5 s is 1.5 s of the
    // vehicle's clock, however fast the simulator runs. A radio loses frames: more tries.
    let rate = if plan.sim.is_some() {
        sp.min(TRANSFER_SPEEDUP)
    } else {
        sp
    };
    let cmd_cfg = CommandConfig {
        timeout: Duration::from_secs_f64((1.5 / rate).max(0.08)),
        max_retries: 9,
        ..CommandConfig::default()
    };
    let defaults = TransferConfig::default();
    let transfer_cfg = TransferConfig {
        initial_timeout: Duration::from_secs_f64((1.5 / rate).max(0.05)),
        max_timeout: Duration::from_secs_f64((3.0 / rate).max(0.1)),
        ..defaults
    };
    let mode = |name: &str| -> Result<Command, String> {
        mode_number(firmware, name)
            .map(Command::set_mode)
            .ok_or_else(|| format!("{firmware:?} has no mode {name}"))
    };

    // The fence: items verified by read-back, then FENCE_* parameters verified by echo.
    if ardupilot {
        let _slow = Exchange::begin(plan.sim.as_ref());
        let up = FenceUpload::new(
            target,
            plan.fence_items.clone(),
            plan.fence_params.clone(),
            transfer_cfg.clone(),
            ParamConfig::default(),
        );
        let rep = link
            .run(up)
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("fence upload: {e}"))?;
        out.fence_uploaded = true;
        log.push(format!(
            "fence: {} items verified, {} parameters set",
            plan.fence_items.len(),
            rep.params.len()
        ));
    }

    for (si, mission) in plan.missions.iter().enumerate() {
        let sortie = si + 1;
        if si > 0
            && let Some(sim) = &plan.sim
        {
            sim.swap_battery(target.system);
            log.push(format!("sortie {sortie}: battery swapped"));
        }
        let slow = Exchange::begin(plan.sim.as_ref());
        for (kind, items) in
            upload_lists(mission, false, false, home_item).map_err(|e| e.to_string())?
        {
            let n = items.len();
            verified_upload(
                link,
                target,
                kind,
                items,
                home_item,
                transfer_cfg.clone(),
                |_, _, _| {},
            )
            .await
            .map_err(|e| format!("sortie {sortie}: {} upload: {e}", kind.name()))?;
            log.push(format!(
                "sortie {sortie}: {n} {} items uploaded and verified",
                kind.name()
            ));
        }
        out.missions_verified += 1;
        drop(slow);

        let slow = Exchange::begin(plan.sim.as_ref());
        let mut refusals = 0usize;
        let mut last_refusal = String::new();
        if ardupilot {
            // GUIDED, like arming, is refused until the EKF has a position.
            command_with_patience(
                link,
                target,
                "GUIDED",
                mode("GUIDED")?,
                cmd_cfg.clone(),
                wall(plan.arm_patience_s, rate, 2.0),
                wall(2.0, rate, 0.02),
                |why| {
                    refusals += 1;
                    last_refusal = why.to_string();
                },
            )
            .await
            .map_err(|e| format!("sortie {sortie}: {e}"))?;
        }
        arm_with_patience(
            link,
            target,
            cmd_cfg.clone(),
            wall(plan.arm_patience_s, rate, 2.0),
            wall(2.0, rate, 0.02),
            |why| {
                refusals += 1;
                last_refusal = why.to_string();
            },
        )
        .await
        .map_err(|e| format!("sortie {sortie}: arming: {e}"))?;
        if refusals > 0 {
            log.push(format!(
                "sortie {sortie}: GUIDED or arming refused {refusals} time(s) before the vehicle was ready (last: {})",
                last_refusal.trim()
            ));
        }
        tokio::time::timeout(wall(5.0, rate, 2.0), state.wait_for(|s| s.armed))
            .await
            .map_err(|_| "arming acknowledged but no heartbeat showed it armed".to_string())?
            .map_err(|_| "the link closed".to_string())?;
        log.push(format!("sortie {sortie}: armed"));
        drop(slow);

        if ardupilot {
            let slow = Exchange::begin(plan.sim.as_ref());
            let takeoff = command(
                link,
                target,
                "take-off",
                Command::takeoff(plan.takeoff_alt_m as f32),
                cmd_cfg.clone(),
            )
            .await;
            drop(slow);
            // A take-off acknowledged but its ACK lost is refused when repeated (the vehicle is
            // no longer landed): the climb below decides.
            if let Err(e) = takeoff {
                log.push(format!(
                    "sortie {sortie}: take-off answer: {e}; watching the climb"
                ));
            }
            let want = plan.takeoff_alt_m * 0.9;
            tokio::time::timeout(
                wall(120.0, sp, 5.0),
                state.wait_for(|s| s.position.is_some_and(|p| p.alt_rel_m >= want) || !s.armed),
            )
            .await
            .map_err(|_| format!("sortie {sortie}: no climb to {want:.0} m"))?
            .map_err(|_| "the link closed".to_string())?;
            if !state.borrow().armed {
                return Err(format!("sortie {sortie}: disarmed during take-off"));
            }
            let _slow = Exchange::begin(plan.sim.as_ref());
            command(link, target, "AUTO", mode("AUTO")?, cmd_cfg.clone())
                .await
                .map_err(|e| e.to_string())?;
        } else {
            command(
                link,
                target,
                "mission start",
                Command::mission_start(),
                cmd_cfg.clone(),
            )
            .await
            .map_err(|e| e.to_string())?;
        }
        log.push(format!("sortie {sortie}: mission started"));

        follow(plan, &mut state, sortie, out, log).await?;
        out.sorties_flown += 1;
        log.push(format!("sortie {sortie}: landed and disarmed"));
    }
    Ok(())
}

/// Follows a sortie until the vehicle has disarmed; notes link loss and recovery, mode
/// changes and reboots.
async fn follow(
    plan: &VehiclePlan,
    state: &mut tokio::sync::watch::Receiver<crate::link::state::VehicleState>,
    sortie: usize,
    out: &mut VehicleOutcome,
    log: &mut Log,
) -> Result<(), String> {
    let deadline = std::time::Instant::now() + wall(plan.max_sortie_s * 1.5, plan.speedup, 10.0);
    let mut stale = false;
    let mut mode = state.borrow().mode.clone();
    // Silence is judged on the vehicles' clock: 3 s without a message is a lost link.
    let poll = wall(0.25, plan.speedup, 0.002);
    let mut last_heard_s = plan.clock.now_s();
    loop {
        let changed = tokio::time::timeout(poll, state.changed()).await;
        match changed {
            Ok(Err(_)) => return Err("the link closed during the flight".into()),
            Ok(Ok(())) => last_heard_s = plan.clock.now_s(),
            Err(_) => {}
        }
        let mut s = state.borrow().clone();
        s.stale = s.stale || plan.clock.now_s() - last_heard_s > 3.0;
        if s.stale && !stale {
            log.push(format!("sortie {sortie}: link lost"));
        } else if !s.stale && stale {
            out.reconnects += 1;
            log.push(format!(
                "sortie {sortie}: link back, vehicle in {}",
                s.mode.as_deref().unwrap_or("?")
            ));
        }
        stale = s.stale;
        if s.mode != mode {
            log.push(format!(
                "sortie {sortie}: mode {} → {}",
                mode.as_deref().unwrap_or("?"),
                s.mode.as_deref().unwrap_or("?")
            ));
            mode = s.mode.clone();
        }
        if !s.armed && !s.stale {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!(
                "sortie {sortie}: still flying after {:.0} s; stopped following",
                plan.max_sortie_s * 1.5
            ));
        }
    }
}
