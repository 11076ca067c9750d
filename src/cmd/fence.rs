//! `vigil fence`: check a fence (and a route against it) before flight, upload it to a vehicle
//! with its parameters, download and compare it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use vigil::area::{Selection, read_venue};
use vigil::fence::{
    AlarmWatch, AutopilotRules, BreachAction, EventLog, Fence, FenceAutopilot, FenceDownload,
    FenceUpload, Monitor, MonitorConfig, Route, VenueFenceOptions, compare_fence, fence_items,
    fence_params, validate,
};
use vigil::link::param::ParamConfig;
use vigil::link::session::{Link, LinkConfig};
use vigil::link::transfer::TransferConfig;
use vigil::mission::{self, GeoFence, LatLon, Mission};

/// Arguments of `vigil fence`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// What `vigil fence` does.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Check a fence before upload: its shapes, home and return point, and every leg of the
    /// route. Exits non-zero with one line per problem.
    Check(CheckArgs),
    /// Check, then upload a fence and its FENCE_* (or GF_*) parameters, verified by read-back.
    Upload(UploadArgs),
    /// Download a vehicle's fence and parameters; compare with a fence file if given.
    Download(DownloadArgs),
    /// Watch vehicles against a fence from live telemetry: print graded alarms as they are
    /// raised, updated and cleared, and log them as JSON lines beside the tlog.
    Watch(WatchArgs),
}

/// Arguments of `vigil fence watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub source: Source,

    /// Connection, as for upload.
    #[arg(long, value_name = "CONN")]
    pub link: String,

    /// Record the flight to this tlog; alarms go to `<tlog stem>.alarms.jsonl` beside it.
    #[arg(long, value_name = "FILE")]
    pub tlog: Option<PathBuf>,

    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long, value_name = "S")]
    pub duration_s: Option<f64>,
}

/// Where the fence comes from.
#[derive(Debug, clap::Args)]
pub struct Source {
    /// A venue (GeoJSON, KML, KMZ: boundary → inclusion, no-fly zones → exclusions) or a
    /// mission file whose geofence is the fence (.plan, .waypoints, legacy fence .txt).
    pub input: PathBuf,

    /// The mission whose route is checked (default: the input's own items, if a mission).
    #[arg(long, value_name = "FILE")]
    pub mission: Option<PathBuf>,

    /// The boundary of a venue without roles: `KEY=VALUE` or a feature index.
    #[arg(long, value_name = "SEL")]
    pub boundary: Option<String>,

    /// A venue feature to treat as a no-fly zone (same forms as --boundary); may be repeated.
    #[arg(long = "no-fly", value_name = "SEL")]
    pub no_fly: Vec<String>,

    /// Added to every no-fly zone's own margin, metres.
    #[arg(long, default_value_t = 0.0, value_name = "M")]
    pub margin_m: f64,

    /// Altitude ceiling above home, metres (a venue's default is 120 m).
    #[arg(long, value_name = "M")]
    pub ceiling_m: Option<f64>,

    /// Whose rules: ardupilot or px4.
    #[arg(long, default_value = "ardupilot", value_parser = parse_autopilot)]
    pub autopilot: FenceAutopilot,
}

/// Arguments of `vigil fence check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: Source,
}

/// Arguments of `vigil fence upload`.
#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    #[command(flatten)]
    pub source: Source,

    /// Connection: udpin:0.0.0.0:14550, udpout:HOST:PORT, tcp:HOST:PORT, serial:/dev/ttyX:BAUD.
    #[arg(long, value_name = "CONN")]
    pub link: String,

    /// The vehicle's breach action: return, land, hold or report.
    #[arg(long, default_value = "return", value_parser = parse_action)]
    pub action: BreachAction,

    /// Seconds to wait for the vehicle's heartbeat.
    #[arg(long, default_value_t = 10.0)]
    pub wait_s: f64,
}

/// Arguments of `vigil fence download`.
#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
    /// Connection, as for upload.
    #[arg(long, value_name = "CONN")]
    pub link: String,

    /// Whose parameters to read: ardupilot or px4.
    #[arg(long, default_value = "ardupilot", value_parser = parse_autopilot)]
    pub autopilot: FenceAutopilot,

    /// Write the downloaded fence to this mission file (.plan or .waypoints).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Compare with the fence of this venue or mission file (with --action for the parameter).
    #[arg(long, value_name = "FILE")]
    pub compare: Option<PathBuf>,

    /// The breach action expected when comparing.
    #[arg(long, default_value = "return", value_parser = parse_action)]
    pub action: BreachAction,

    /// Seconds to wait for the vehicle's heartbeat.
    #[arg(long, default_value_t = 10.0)]
    pub wait_s: f64,
}

fn parse_autopilot(s: &str) -> Result<FenceAutopilot, String> {
    match s.to_ascii_lowercase().as_str() {
        "ardupilot" | "apm" => Ok(FenceAutopilot::ArduPilot),
        "px4" => Ok(FenceAutopilot::Px4),
        _ => Err(format!("{s:?}: expected ardupilot or px4")),
    }
}

fn parse_action(s: &str) -> Result<BreachAction, String> {
    match s.to_ascii_lowercase().as_str() {
        "return" | "rtl" => Ok(BreachAction::Return),
        "land" => Ok(BreachAction::Land),
        "hold" | "brake" | "loiter" => Ok(BreachAction::Hold),
        "report" | "none" => Ok(BreachAction::Report),
        _ => Err(format!("{s:?}: expected return, land, hold or report")),
    }
}

/// Runs `vigil fence`.
pub fn run(args: Args) -> anyhow::Result<()> {
    match args.action {
        Action::Check(a) => {
            let (fence, _) = checked(&a.source)?;
            println!(
                "fence OK: {} area(s), ceiling {}, {} rules",
                fence.areas.len(),
                fence
                    .ceiling_m
                    .map_or_else(|| "none".to_owned(), |c| format!("{c} m")),
                rules(a.source.autopilot).name
            );
            Ok(())
        }
        Action::Upload(a) => upload(a),
        Action::Download(a) => download(a),
        Action::Watch(a) => watch(a),
    }
}

fn rules(autopilot: FenceAutopilot) -> AutopilotRules {
    match autopilot {
        FenceAutopilot::ArduPilot => AutopilotRules::ARDUPILOT,
        FenceAutopilot::Px4 => AutopilotRules::PX4,
    }
}

fn is_mission_file(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    matches!(ext.as_str(), "plan" | "waypoints" | "txt" | "fen")
}

/// Reads the fence and the route; prints one line per problem and fails when there is any.
fn checked(src: &Source) -> anyhow::Result<(Fence, Option<LatLon>)> {
    let (mut fence, own_mission) = read_fence(src)?;
    if let Some(c) = src.ceiling_m {
        fence.ceiling_m = Some(c);
    }
    let mission = match &src.mission {
        Some(p) => Some(read_mission(p)?),
        None => own_mission,
    };
    let items = mission.as_ref().map_or(&[][..], |m| &m.items[..]);
    let home = mission.as_ref().and_then(|m| m.planned_home);
    let problems = validate(&fence, &rules(src.autopilot), Route { home, items });
    if !problems.is_empty() {
        for p in &problems {
            println!("{p}");
        }
        bail!(
            "fence check failed: {} problem(s) in {}",
            problems.len(),
            src.input.display()
        );
    }
    let home = home.map(|h| LatLon {
        lat_deg: h.lat_deg,
        lon_deg: h.lon_deg,
    });
    Ok((fence, home))
}

fn read_mission(path: &Path) -> anyhow::Result<Mission> {
    let (m, notes) = mission::read_mission(path)
        .with_context(|| format!("cannot read the mission {}", path.display()))?;
    for n in &notes {
        eprintln!("warning: {}: {n}", path.display());
    }
    Ok(m)
}

/// The fence of a venue or mission file, and the mission itself when it is one.
fn read_fence(src: &Source) -> anyhow::Result<(Fence, Option<Mission>)> {
    if is_mission_file(&src.input) {
        let m = read_mission(&src.input)?;
        if m.fence.is_empty() {
            bail!("{}: the mission holds no geofence", src.input.display());
        }
        let home = m.planned_home.map(|h| LatLon {
            lat_deg: h.lat_deg,
            lon_deg: h.lon_deg,
        });
        let (fence, warnings) = Fence::from_geofence(&m.fence, home);
        for w in &warnings {
            eprintln!("warning: {}: {w}", src.input.display());
        }
        return Ok((fence, Some(m)));
    }
    let selection = Selection {
        boundary: src.boundary.clone(),
        no_fly: src.no_fly.clone(),
    };
    let venue = read_venue(&src.input, &selection)?;
    for w in &venue.warnings {
        eprintln!("warning: {}: {w}", src.input.display());
    }
    let opts = VenueFenceOptions {
        extra_no_fly_margin_m: src.margin_m,
        ..VenueFenceOptions::default()
    };
    Ok((Fence::from_venue(&venue, &opts), None))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn upload(a: UploadArgs) -> anyhow::Result<()> {
    let (fence, _) = checked(&a.source)?;
    let items = fence_items(&fence, a.source.autopilot)?;
    let params = fence_params(&fence, a.source.autopilot, a.action)?;
    runtime()?.block_on(async {
        let link = Link::open(&a.link, LinkConfig::default())
            .await
            .with_context(|| format!("cannot open the link {}", a.link))?;
        let target = link
            .wait_vehicle(Duration::from_secs_f64(a.wait_s))
            .await
            .context("no vehicle heard")?;
        let n_items = items.len();
        let up = FenceUpload::new(
            target,
            items,
            params,
            TransferConfig::default(),
            ParamConfig::default(),
        );
        let report = link
            .run(up)
            .await
            .context("link failed during the fence upload")?
            .context("fence upload failed")?;
        println!(
            "fence uploaded to system {}: {n_items} item(s) verified by read-back",
            target.system
        );
        for p in &report.params {
            println!("  {} = {}", p.name, p.value);
        }
        Ok(())
    })
}

fn download(a: DownloadArgs) -> anyhow::Result<()> {
    let expected = match &a.compare {
        Some(p) => {
            let src = Source {
                input: p.clone(),
                mission: None,
                boundary: None,
                no_fly: Vec::new(),
                margin_m: 0.0,
                ceiling_m: None,
                autopilot: a.autopilot,
            };
            Some(read_fence(&src)?.0)
        }
        None => None,
    };
    let read = runtime()?.block_on(async {
        let link = Link::open(&a.link, LinkConfig::default())
            .await
            .with_context(|| format!("cannot open the link {}", a.link))?;
        let target = link
            .wait_vehicle(Duration::from_secs_f64(a.wait_s))
            .await
            .context("no vehicle heard")?;
        let down = FenceDownload::new(
            target,
            a.autopilot,
            TransferConfig::default(),
            ParamConfig::default(),
        );
        link.run(down)
            .await
            .context("link failed during the fence download")?
            .context("fence download failed")
    })?;

    let g: &GeoFence = &read.geofence;
    println!(
        "fence: {} polygon(s), {} circle(s), return point {}",
        g.polygons.len(),
        g.circles.len(),
        if g.return_point.is_some() {
            "set"
        } else {
            "none"
        }
    );
    for p in &read.params {
        println!("  {} = {}", p.name, p.value);
    }
    if let Some(out) = &a.out {
        let m = Mission {
            fence: read.geofence.clone(),
            ..Mission::default()
        };
        for n in mission::write_mission(out, &m)
            .with_context(|| format!("cannot write {}", out.display()))?
        {
            eprintln!("warning: {}: {n}", out.display());
        }
    }
    if let Some(fence) = expected {
        let diff = compare_fence(&fence, a.autopilot, a.action, &read)?;
        if !diff.is_empty() {
            for d in &diff {
                println!("{d}");
            }
            bail!("the vehicle's fence differs in {} place(s)", diff.len());
        }
        println!("the vehicle's fence matches");
    }
    Ok(())
}

fn watch(a: WatchArgs) -> anyhow::Result<()> {
    let (fence, _) = checked(&a.source)?;
    let Some(frame) = fence.local_frame() else {
        bail!(
            "{}: the fence has no area to watch",
            a.source.input.display()
        );
    };
    let log = match &a.tlog {
        Some(t) => {
            let path = EventLog::path_beside(t);
            Some(EventLog::open(&path)?)
        }
        None => None,
    };
    let mut w = AlarmWatch::new(Monitor::new(&fence, frame, MonitorConfig::default()))
        .on_event(|e| println!("{e}"));
    if let Some(h) = fence.return_point {
        // Limitation: home is the fence's return point, not the vehicle's HOME_POSITION.
        w = w.with_home(h);
    }
    if let Some(d) = a.duration_s {
        w = w.for_duration(Duration::from_secs_f64(d));
    }
    if let Some(log) = log {
        eprintln!("alarms logged to {}", log.path().display());
        w = w.with_log(log);
    }
    let cfg = LinkConfig {
        tlog: a.tlog.clone(),
        stream_rate_hz: 10,
        ..LinkConfig::default()
    };
    let events = runtime()?.block_on(async {
        let link = Link::open(&a.link, cfg)
            .await
            .with_context(|| format!("cannot open the link {}", a.link))?;
        link.run(w)
            .await
            .context("link failed while watching")?
            .map_err(|e| anyhow::anyhow!("alarm log: {e}"))
    })?;
    eprintln!("{events} alarm event(s)");
    Ok(())
}
