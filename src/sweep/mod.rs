//! The end-to-end night sweep: plan a venue's blind spots, validate and upload the fence,
//! upload every sortie's mission with read-back, fly it (arm, take off, AUTO, return, land),
//! watch telemetry and fence alarms, and report what was flown and covered.
//!
//! [`run`] does it over any MAVLink link ([`Target::Link`]) or against the bundled simulator
//! in this process ([`Target::Sim`]): the simulator serves MAVLink on a loopback TCP port and
//! Vigil talks to it through the same link code as to a real vehicle, so the real protocol
//! path is exercised, on the simulator's clock sped up by [`SweepOptions::speedup`].

pub mod coverage;
pub mod fence_fit;
mod flight;
pub mod map;
mod report;
mod watch;

use std::path::PathBuf;
use std::time::Duration;

use geo::InteriorPoint;
use geo_types::{Coord, LineString};

use crate::area::{Selection, Venue, VenueError, blind_spots, read_venue, seeded_cameras};
use crate::fence::{
    AutopilotRules, BreachAction, Fence, FenceAutopilot, FenceLinkError, MonitorConfig, Route,
    VenueFenceOptions, fence_items, fence_params, validate,
};
use crate::link::session::{Link, LinkConfig, LinkError};
use crate::mission::{GeoPoint, Mission};
use crate::planner::output::sortie_mission;
use crate::planner::{
    Keepout, PlanError, PlanInput, PlanOptions, RiskTarget, SwathSpec, ThermalCamera, Vehicle,
    default_alt_m, plan,
};

pub use report::{AlarmRecord, SweepReport, VehicleReport};

/// Where the vehicles are.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The bundled simulator, in this process.
    Sim,
    /// A MAVLink connection string (`tcp:127.0.0.1:5760`, `udpin:0.0.0.0:14550`,
    /// `serial:/dev/ttyUSB0:57600`).
    Link(String),
}

/// A failure to inject in the simulator while it flies (a drill).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Drill {
    /// The ground link drops every frame both ways from `at_s` (simulated seconds after the
    /// first take-off) for `for_s` seconds; the vehicle's GCS failsafe is on.
    LinkCut { at_s: f64, for_s: f64 },
    /// Vehicle 1's battery drops to `remaining_pct` at `at_s` (simulated seconds after the
    /// first take-off): its battery failsafe acts (ArduCopter's low action: RTL).
    BatteryDrop { at_s: f64, remaining_pct: f64 },
}

/// How to sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// The venue file.
    pub venue: PathBuf,
    /// Boundary selector for files without roles (`KEY=VALUE` or `#INDEX`).
    pub boundary: Option<String>,
    /// Selectors of extra no-fly zones in a file without roles.
    pub no_fly: Vec<String>,
    /// Seeded cameras to add (venues that come without cameras).
    pub seeded_cameras: usize,
    /// Seed of the added cameras.
    pub camera_seed: u64,
    pub target: Target,
    /// Vehicles sharing the work (system ids 1..=N).
    pub vehicles: usize,
    /// Simulated seconds per real second (in-process simulator); with a link, the vehicle's
    /// clock rate (1 for a real drone, SITL's `--speedup`).
    pub speedup: f64,
    /// Folder for the report, map, tlog and event log.
    pub report_dir: PathBuf,
    /// Seed of the simulator (wind, GPS noise, link loss) and of the plan's randomisation.
    pub seed: u64,
    /// Packet loss each way in the simulator, 0 to 1.
    pub loss: f64,
    /// Mean wind in the simulator, m/s (from the west, gusting).
    pub wind_mps: f64,
    /// Thermal camera swath model.
    pub swath: SwathSpec,
    /// Flight altitude above home; default from the camera and the venue's margins.
    pub alt_m: Option<f64>,
    /// Cruise speed, m/s.
    pub speed_mps: f64,
    /// Battery endurance at cruise, seconds, and the share kept in reserve (the simulator's
    /// 5000 mAh battery lasts about 20 minutes at 10 m/s).
    pub endurance_s: f64,
    pub reserve: f64,
    /// Distance kept from the boundary and every no-fly zone's margin, metres: room for the
    /// vehicle's overshoot at turns and in gusts, so its own fence does not trip.
    pub safety_margin_m: f64,
    /// What the vehicle does on a fence breach.
    pub breach_action: BreachAction,
    /// Simulated seconds to keep retrying a refused arming.
    pub arm_patience_s: f64,
    /// Simulated seconds a sortie may last before Vigil gives up following it.
    pub max_sortie_s: f64,
    /// A failure to inject (simulator only).
    pub drill: Option<Drill>,
}

impl SweepOptions {
    /// Defaults for `venue`: the simulator, one vehicle, 20× real time, an H20T camera.
    pub fn new(venue: impl Into<PathBuf>, report_dir: impl Into<PathBuf>) -> Self {
        Self {
            venue: venue.into(),
            boundary: None,
            no_fly: Vec::new(),
            seeded_cameras: 0,
            camera_seed: 1,
            target: Target::Sim,
            vehicles: 1,
            speedup: 20.0,
            report_dir: report_dir.into(),
            seed: 1,
            loss: 0.0,
            wind_mps: 0.0,
            swath: SwathSpec::Camera {
                camera: ThermalCamera::preset("h20t").unwrap_or_else(default_camera),
                side_overlap: 0.2,
            },
            alt_m: None,
            speed_mps: 10.0,
            safety_margin_m: 5.0,
            endurance_s: 1200.0,
            reserve: 0.3,
            breach_action: BreachAction::Return,
            arm_patience_s: 90.0,
            max_sortie_s: 3600.0,
            drill: None,
        }
    }
}

fn default_camera() -> ThermalCamera {
    // Only reached if the preset table lost its H20T entry.
    ThermalCamera::presets()
        .into_iter()
        .next()
        .unwrap_or_else(|| unreachable!("the planner ships camera presets"))
}

/// Why a sweep failed before it could report.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("venue {path}: {source}")]
    Venue {
        path: PathBuf,
        #[source]
        source: Box<VenueError>,
    },
    #[error("venue {0} has an empty boundary")]
    EmptyVenue(String),
    #[error("planning {venue}: {source}")]
    Plan {
        venue: String,
        #[source]
        source: Box<PlanError>,
    },
    #[error("the fence fails its checks: {}", .0.join("; "))]
    Fence(Vec<String>),
    #[error("fence items: {0}")]
    FenceItems(#[from] FenceLinkError),
    #[error("mission items: {0}")]
    Items(#[from] crate::link::items::ItemError),
    #[error("simulator: {0}")]
    Sim(std::io::Error),
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error("expected {expected} vehicle(s) on the link, heard {heard} within {waited_s:.0} s")]
    Vehicles {
        expected: usize,
        heard: usize,
        waited_s: f64,
    },
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("option {field} = {value}: expected {expected}")]
    BadOption {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// The planned sweep: venue, blind spots, plan and one mission per vehicle and sortie.
#[derive(Debug)]
pub struct Prepared {
    pub venue: Venue,
    pub blind: geo_types::MultiPolygon<f64>,
    pub plan: crate::planner::Plan,
    pub planned_coverage_pct: f64,
    /// `missions[vehicle][sortie]`.
    pub missions: Vec<Vec<Mission>>,
    /// The fence as uploaded (fitted to the autopilot, see [`fence_fit`]).
    pub fence: Fence,
    /// How far the fence was simplified inwards to fit, metres (0: as the venue gives it).
    pub fence_tolerance_m: f64,
    /// Home: the launch point with its ground altitude above mean sea level.
    pub home: GeoPoint,
}

/// Reads the venue, finds its blind spots, plans the sweep and builds and validates the fence
/// against every sortie's route.
pub fn prepare(opts: &SweepOptions) -> Result<Prepared, SweepError> {
    let selection = Selection {
        boundary: opts.boundary.clone(),
        no_fly: opts.no_fly.clone(),
    };
    let mut venue = read_venue(&opts.venue, &selection).map_err(|source| SweepError::Venue {
        path: opts.venue.clone(),
        source: Box::new(source),
    })?;
    if opts.seeded_cameras > 0 {
        let extra = seeded_cameras(&venue, opts.seeded_cameras, opts.camera_seed);
        venue.cameras.extend(extra);
    }
    let blind = blind_spots(&venue).regions;
    let launch = match venue.home {
        Some(h) => Coord {
            x: h.position.x(),
            y: h.position.y(),
        },
        None => {
            venue
                .boundary
                .interior_point()
                .ok_or_else(|| SweepError::EmptyVenue(venue.name.clone()))?
                .0
        }
    };
    let input = PlanInput {
        boundary: venue.boundary.clone(),
        keepouts: venue
            .no_fly
            .iter()
            .map(|z| Keepout::grown(&z.name, &z.area, z.margin_m))
            .collect(),
        blind: blind.clone(),
        risk: venue
            .risk
            .iter()
            .map(|r| RiskTarget {
                name: r.name.clone(),
                area: r.area.clone(),
                level: r.level,
                revisit_s: r.revisit_min * 60.0,
            })
            .collect(),
        home: launch,
    };
    let safety_margin_m = opts.safety_margin_m;
    let alt_m = opts.alt_m.unwrap_or_else(|| {
        let widest = venue.no_fly.iter().map(|z| z.margin_m).fold(0.0, f64::max);
        default_alt_m(&opts.swath, widest + safety_margin_m)
    });
    let popts = PlanOptions {
        swath: opts.swath.clone(),
        alt_m,
        vehicle: Vehicle {
            speed_mps: opts.speed_mps,
            endurance_s: opts.endurance_s,
            reserve: opts.reserve,
            ..Vehicle::default()
        },
        safety_margin_m,
        seed: Some(opts.seed),
        vehicles: opts.vehicles,
        ..PlanOptions::default()
    };
    let planned = plan(&input, &popts).map_err(|source| SweepError::Plan {
        venue: venue.name.clone(),
        source: Box::new(source),
    })?;
    let planned_coverage_pct = planned.coverage(&blind).pct();

    let home_alt_m = venue.home.and_then(|h| h.alt_m).unwrap_or(0.0);
    let (lon, lat) = venue.frame.to_wgs84(planned.launch.x, planned.launch.y);
    let home = GeoPoint {
        lat_deg: lat,
        lon_deg: lon,
        alt_m: home_alt_m,
    };
    let missions: Vec<Vec<Mission>> = planned
        .vehicles
        .iter()
        .map(|v| {
            v.sorties
                .iter()
                .map(|s| {
                    sortie_mission(
                        s,
                        &venue.frame,
                        planned.launch,
                        home_alt_m,
                        v.alt_m,
                        opts.speed_mps,
                    )
                })
                .collect()
        })
        .collect();

    // The fence: the venue's boundary and no-fly zones, a ceiling well above the sweep.
    let top_m = planned
        .vehicles
        .iter()
        .map(|v| v.alt_m)
        .fold(alt_m, f64::max);
    let fence = Fence::from_venue(
        &venue,
        &VenueFenceOptions {
            ceiling_m: Some((top_m + 30.0).max(60.0)),
            ..VenueFenceOptions::default()
        },
    );
    // ArduPilot keeps 255 fence items: a detailed boundary is simplified, never widened.
    let rules = AutopilotRules::ARDUPILOT;
    let (fence, fence_tolerance_m) = fence_fit::fit_fence(
        &fence,
        &venue.frame,
        rules.max_fence_items,
        rules.max_vertices_per_polygon,
    )
    .ok_or_else(|| {
        SweepError::Fence(vec![format!(
            "{} fence items do not fit in {} even simplified by 5 m",
            fence_fit::fence_item_count(&fence),
            rules.max_fence_items
        )])
    })?;
    if fence_tolerance_m > 0.0 {
        tracing::info!(
            tolerance_m = fence_tolerance_m,
            items = fence_fit::fence_item_count(&fence),
            "fence simplified inwards to fit the autopilot"
        );
    }
    let mut problems = Vec::new();
    for (vi, v) in missions.iter().enumerate() {
        for (si, m) in v.iter().enumerate() {
            let route = Route {
                home: Some(home),
                items: &m.items,
            };
            for p in validate(&fence, &rules, route) {
                problems.push(format!(
                    "vehicle {} sortie {}: {}",
                    vi + 1,
                    si + 1,
                    p.message
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(SweepError::Fence(problems));
    }
    Ok(Prepared {
        venue,
        blind,
        plan: planned,
        planned_coverage_pct,
        missions,
        fence,
        fence_tolerance_m,
        home,
    })
}

/// Runs the whole sweep and writes the report folder; see the module docs. A flight that goes
/// wrong (a vehicle that does not arm, a lost link) is reported, not an error: errors are what
/// stops a sweep from starting or from writing its report.
pub async fn run(opts: &SweepOptions) -> Result<SweepReport, SweepError> {
    check_options(opts)?;
    let wall_start = std::time::Instant::now();
    let prepared = prepare(opts)?;
    std::fs::create_dir_all(&opts.report_dir).map_err(|source| SweepError::Write {
        path: opts.report_dir.clone(),
        source,
    })?;
    let tlog = opts.report_dir.join("flight.tlog");
    let event_log = opts.report_dir.join("events.jsonl");

    // The vehicles: the simulator in this process, or the given link.
    let mut sim_task = None;
    let mut sim_control = None;
    let conn = match &opts.target {
        Target::Link(c) => c.clone(),
        Target::Sim => {
            let (addr, task, control) = flight::start_sim(opts, &prepared).await?;
            sim_task = Some(task);
            sim_control = Some(control);
            format!("tcp:{addr}")
        }
    };
    let speedup = opts.speedup;
    let link = Link::open(
        &conn,
        LinkConfig {
            tlog: Some(tlog.clone()),
            // Heartbeats and link-loss on the vehicle's clock: the GCS failsafe counts in it.
            heartbeat_period: Duration::from_secs_f64((1.0 / speedup).max(0.01)),
            link_loss: Duration::from_secs_f64((3.0 / speedup).max(0.02)),
            stream_rate_hz: 4,
            ..LinkConfig::default()
        },
    )
    .await?;
    let targets = flight::wait_vehicles(&link, opts.vehicles, Duration::from_secs(30)).await?;
    let clock = match &sim_control {
        Some(c) => flight::SweepClock::Sim(c.clock_us.clone()),
        None => flight::SweepClock::Wall {
            link: link.clone(),
            speedup,
        },
    };

    // The ground watch: telemetry, tracks and the fence monitor.
    let monitor_cfg = MonitorConfig::default();
    let watcher = watch::Watcher::start(
        &link,
        &prepared.fence,
        prepared.venue.frame,
        monitor_cfg,
        &event_log,
        clock.clone(),
    );

    // Fly every vehicle's sorties, vehicles at once.
    let fence_items = fence_items(&prepared.fence, FenceAutopilot::ArduPilot)?;
    let fence_params = fence_params(
        &prepared.fence,
        FenceAutopilot::ArduPilot,
        opts.breach_action,
    )?;
    let mut set = tokio::task::JoinSet::new();
    for (vi, target) in targets.iter().enumerate() {
        let plan = flight::VehiclePlan {
            target: *target,
            missions: prepared.missions.get(vi).cloned().unwrap_or_default(),
            fence_items: fence_items.clone(),
            fence_params: fence_params.clone(),
            takeoff_alt_m: prepared
                .plan
                .vehicles
                .get(vi)
                .map_or(prepared.plan.alt_m, |v| v.alt_m),
            speedup,
            arm_patience_s: opts.arm_patience_s,
            max_sortie_s: opts.max_sortie_s,
            sim: sim_control.clone(),
            clock: clock.clone(),
        };
        let link = link.clone();
        set.spawn(async move { (vi, flight::fly_vehicle(&link, plan).await) });
    }
    if let (Some(drill), Some(control)) = (opts.drill, &sim_control) {
        flight::schedule_drill(&link, targets.clone(), control.clone(), drill, speedup);
    }
    let mut outcomes: Vec<Option<flight::VehicleOutcome>> = vec![None; targets.len()];
    while let Some(r) = set.join_next().await {
        if let Ok((vi, out)) = r {
            outcomes[vi] = Some(out);
        }
    }
    let watched = watcher.stop().await;
    let link_stats = link.stats();
    drop(link);
    if let Some(t) = sim_task {
        t.abort();
    }

    let report::Built {
        report,
        seen,
        tracks,
    } = report::build(
        opts,
        &prepared,
        &targets,
        outcomes,
        watched,
        link_stats,
        &tlog,
        &event_log,
        wall_start.elapsed().as_secs_f64(),
    );
    report::write(&opts.report_dir, &report, &prepared, &tracks, &seen)?;
    Ok(report)
}

fn check_options(opts: &SweepOptions) -> Result<(), SweepError> {
    let bad = |field, value: String, expected| {
        Err(SweepError::BadOption {
            field,
            value,
            expected,
        })
    };
    if !(opts.speedup.is_finite() && opts.speedup > 0.0 && opts.speedup <= 1000.0) {
        return bad("speedup", opts.speedup.to_string(), "0 < speedup ≤ 1000");
    }
    if !(0.0..=0.9).contains(&opts.loss) {
        return bad("loss", opts.loss.to_string(), "a share in [0, 0.9]");
    }
    if !(opts.wind_mps.is_finite() && (0.0..=15.0).contains(&opts.wind_mps)) {
        return bad("wind_mps", opts.wind_mps.to_string(), "0 to 15 m/s");
    }
    if opts.vehicles == 0 || opts.vehicles > 16 {
        return bad("vehicles", opts.vehicles.to_string(), "1 to 16 vehicles");
    }
    Ok(())
}

/// A sortie's planned path as a line in local metres.
fn planned_line(plan: &crate::planner::Plan, v: usize, s: usize) -> Option<LineString<f64>> {
    let sortie = plan.vehicles.get(v)?.sorties.get(s)?;
    let mut pts = vec![plan.launch];
    pts.extend(sortie.positions());
    pts.push(plan.launch);
    Some(LineString::new(pts))
}
