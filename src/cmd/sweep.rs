//! `vigil sweep`: plan a venue's blind spots, fly the sweep (bundled simulator or a vehicle on a
//! link) and write the report folder.

use std::path::PathBuf;

use anyhow::{Context, bail};
use vigil::planner::{SwathSpec, ThermalCamera};
use vigil::sweep::{SweepOptions, Target};

use super::link_args::runtime;

/// Arguments of `vigil sweep`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Venue file (GeoJSON with roles, KML/KMZ).
    pub venue: PathBuf,
    /// Selector of the boundary in a file without roles (`KEY=VALUE` or `#INDEX`).
    #[arg(long)]
    pub boundary: Option<String>,
    /// Selectors of extra no-fly zones in a file without roles.
    #[arg(long = "no-fly")]
    pub no_fly: Vec<String>,
    /// Fly the bundled simulator in this process (the default without --link).
    #[arg(long, conflicts_with = "link")]
    pub sim: bool,
    /// Fly a vehicle on this MAVLink connection (tcp:127.0.0.1:5760, udpin:0.0.0.0:14550,
    /// serial:/dev/ttyUSB0:57600).
    #[arg(long)]
    pub link: Option<String>,
    /// Vehicles sharing the work (system ids 1..=N).
    #[arg(long, default_value_t = 1)]
    pub vehicles: usize,
    /// Simulated seconds per real second; with --link, the vehicle's own speed-up (SITL).
    #[arg(long)]
    pub speedup: Option<f64>,
    /// Folder for report.json, map.png, routes.geojson, flight.tlog and events.jsonl
    /// (default: sweep-<Unix seconds> in the current folder).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Seed of the simulator and of the plan's randomisation.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Packet loss each way in the simulator, 0 to 0.9.
    #[arg(long, default_value_t = 0.0)]
    pub loss: f64,
    /// Mean wind in the simulator, m/s.
    #[arg(long, default_value_t = 0.0)]
    pub wind_mps: f64,
    /// Thermal camera preset: h20t, mavic3t, boson640-50, vuepro-r-640-13.
    #[arg(long, default_value = "h20t")]
    pub camera: String,
    /// Flight altitude above home, metres (default from the camera and the venue).
    #[arg(long)]
    pub alt: Option<f64>,
    /// Cruise speed, m/s.
    #[arg(long, default_value_t = 10.0)]
    pub speed: f64,
    /// Add this many seeded cameras (venues that come without cameras).
    #[arg(long, default_value_t = 0)]
    pub seeded_cameras: usize,
    /// Write the report as JSON on standard output too.
    #[arg(long)]
    pub json: bool,
}

/// Runs `vigil sweep`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let camera = ThermalCamera::preset(&args.camera).with_context(|| {
        let known: Vec<String> = ThermalCamera::presets()
            .into_iter()
            .map(|c| c.name)
            .collect();
        format!(
            "--camera {}: unknown preset, expected one of {}",
            args.camera,
            known.join(", ")
        )
    })?;
    let target = match &args.link {
        Some(l) => Target::Link(l.clone()),
        None => Target::Sim,
    };
    if args.link.is_some() && (args.loss > 0.0 || args.wind_mps > 0.0) {
        bail!("--loss and --wind-mps shape the bundled simulator; they do not apply with --link");
    }
    let speedup = args
        .speedup
        .unwrap_or(if target == Target::Sim { 50.0 } else { 1.0 });
    let report_dir = args.report_dir.clone().unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        PathBuf::from(format!("sweep-{t}"))
    });
    let opts = SweepOptions {
        boundary: args.boundary.clone(),
        no_fly: args.no_fly.clone(),
        seeded_cameras: args.seeded_cameras,
        target,
        vehicles: args.vehicles,
        speedup,
        seed: args.seed,
        loss: args.loss,
        wind_mps: args.wind_mps,
        swath: SwathSpec::Camera {
            camera,
            side_overlap: 0.2,
        },
        alt_m: args.alt,
        speed_mps: args.speed,
        ..SweepOptions::new(&args.venue, report_dir)
    };
    let report = runtime()?
        .block_on(vigil::sweep::run(&opts))
        .with_context(|| format!("sweeping {}", args.venue.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    println!("{}", report.summary());
    if !report.clean() {
        bail!(
            "the sweep did not complete cleanly: see {}",
            report.event_log.display()
        );
    }
    Ok(())
}
