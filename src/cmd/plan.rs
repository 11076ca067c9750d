//! `vigil plan`: read a venue, find its blind spots, plan the sweep and write the missions, the
//! route GeoJSON and the report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use geo::InteriorPoint;
use geo_types::Coord;

use vigil::area::{Selection, blind_spots, read_venue, seeded_cameras};
use vigil::fence::{Fence, VenueFenceOptions};
use vigil::mission::{MissionFormat, mission_to_string};
use vigil::planner::output::{Report, route_geojson, sortie_mission};
use vigil::planner::{
    Corner, Keepout, PlanError, PlanInput, PlanOptions, RiskTarget, SwathSpec, ThermalCamera,
    Vehicle, plan,
};

/// Arguments of `vigil plan`.
///
/// Missions: with one vehicle and one sortie the mission is written to `-o` and, beside it, in
/// the other format (`mission.plan` and `mission.waypoints`). With several sorties or vehicles
/// each mission is written as `<stem>-v<vehicle>-s<sortie>.plan` and `.waypoints` (numbers from
/// 1) next to `-o`, and `-o` itself is not written.
#[derive(Debug, clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    /// Venue file (GeoJSON with roles, KML/KMZ, or a QGC plan's geofence).
    pub venue: PathBuf,
    /// Selector of the boundary in a file without roles (`KEY=VALUE` or `#INDEX`).
    #[arg(long)]
    pub boundary: Option<String>,
    /// Selectors of extra no-fly zones in a file without roles.
    #[arg(long = "no-fly")]
    pub no_fly: Vec<String>,
    /// Thermal camera preset: h20t, mavic3t, boson640-50, vuepro-r-640-13.
    #[arg(long, conflicts_with = "swath")]
    pub camera: Option<String>,
    /// Swath width in metres, instead of a camera.
    #[arg(long)]
    pub swath: Option<f64>,
    /// Flight altitude above home, metres. Without it: 40 m, raised (up to 120 m, and never
    /// above the camera's detection altitude for a person) when a camera's swath would not
    /// reach across the widest no-fly margin.
    #[arg(long)]
    pub alt: Option<f64>,
    /// Side overlap between neighbouring sweeps, 0 to 0.95 (with --camera).
    #[arg(long, default_value_t = 0.2)]
    pub overlap: f64,
    /// Cruise speed, m/s.
    #[arg(long, default_value_t = 10.0)]
    pub speed: f64,
    /// Safety margin kept from the boundary and from every no-fly zone (beyond its own
    /// margin_m), metres.
    #[arg(long, default_value_t = 2.0)]
    pub margin: f64,
    /// Vehicles sharing the work.
    #[arg(long, default_value_t = 1)]
    pub vehicles: usize,
    /// Each further vehicle flies this much higher than the one before, metres.
    #[arg(long, default_value_t = 5.0)]
    pub alt_step: f64,
    /// Seed for a randomised plan with the same coverage.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Battery endurance at cruise, minutes.
    #[arg(long, default_value_t = 25.0)]
    pub endurance_min: f64,
    /// Share of the battery kept in reserve, 0 to 1.
    #[arg(long, default_value_t = 0.25)]
    pub reserve: f64,
    /// Most mission items the vehicle accepts, home included.
    #[arg(long, default_value_t = 650)]
    pub max_items: usize,
    /// Fix the sweep direction, degrees clockwise from north.
    #[arg(long)]
    pub heading: Option<f64>,
    /// Start at the venue corner: sw, se, ne or nw.
    #[arg(long)]
    pub entry_corner: Option<String>,
    /// Patrol window over which risk-zone revisits are checked, minutes.
    #[arg(long, default_value_t = 60.0)]
    pub patrol_min: f64,
    /// Time on the ground between sorties, minutes.
    #[arg(long, default_value_t = 5.0)]
    pub turnaround_min: f64,
    /// Blind-spot pieces smaller than this (m²) are reported as slivers, not swept.
    #[arg(long, default_value_t = 1.0)]
    pub min_region_m2: f64,
    /// Sweeps shorter than this (metres) are dropped where other sweeps see what they would,
    /// or else lengthened to it (ArduCopter accepts a waypoint within 2 m).
    #[arg(long, default_value_t = 2.0)]
    pub min_sweep: f64,
    /// Add this many seeded cameras (for venues that come without cameras).
    #[arg(long, default_value_t = 0)]
    pub seeded_cameras: usize,
    /// Seed of the added cameras.
    #[arg(long, default_value_t = 1)]
    pub camera_seed: u64,
    /// Output mission (.plan or .waypoints).
    #[arg(short = 'o', long)]
    pub output: PathBuf,
    /// Report JSON.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Route and swath GeoJSON.
    #[arg(long)]
    pub geojson: Option<PathBuf>,
}

/// Runs `vigil plan`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let ext = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let other_ext = match ext.as_deref() {
        Some("plan") => "waypoints",
        Some("waypoints") => "plan",
        _ => bail!(
            "output {}: expected a .plan or .waypoints file name",
            args.output.display()
        ),
    };
    let swath = match (&args.camera, args.swath) {
        (Some(name), _) => SwathSpec::Camera {
            camera: ThermalCamera::preset(name).with_context(|| {
                let known: Vec<String> = ThermalCamera::presets()
                    .into_iter()
                    .map(|c| c.name)
                    .collect();
                format!(
                    "--camera {name}: unknown preset, expected one of {}",
                    known.join(", ")
                )
            })?,
            side_overlap: args.overlap,
        },
        (None, Some(w)) => SwathSpec::Width { swath_m: w },
        (None, None) => SwathSpec::Camera {
            camera: ThermalCamera::preset("h20t").context("the h20t preset")?,
            side_overlap: args.overlap,
        },
    };
    let entry_corner = match args
        .entry_corner
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => None,
        Some("sw") => Some(Corner::SouthWest),
        Some("se") => Some(Corner::SouthEast),
        Some("ne") => Some(Corner::NorthEast),
        Some("nw") => Some(Corner::NorthWest),
        Some(other) => bail!("--entry-corner {other}: expected sw, se, ne or nw"),
    };

    let started = Instant::now();
    let selection = Selection {
        boundary: args.boundary.clone(),
        no_fly: args.no_fly.clone(),
    };
    let mut venue = read_venue(&args.venue, &selection).context("reading the venue")?;
    for w in &venue.warnings {
        eprintln!("warning: {}: {w}", args.venue.display());
    }
    if args.seeded_cameras > 0 {
        let extra = seeded_cameras(&venue, args.seeded_cameras, args.camera_seed);
        venue.cameras.extend(extra);
    }
    let blind = blind_spots(&venue);
    let home = match venue.home {
        Some(h) => Coord {
            x: h.position.x(),
            y: h.position.y(),
        },
        None => {
            let p = venue
                .boundary
                .interior_point()
                .context("the venue boundary is empty")?;
            eprintln!(
                "warning: {}: the venue has no home point: take-off and landing at a point \
                 inside the boundary",
                args.venue.display()
            );
            p.0
        }
    };
    let input = PlanInput {
        boundary: venue.boundary.clone(),
        keepouts: venue
            .no_fly
            .iter()
            .map(|z| Keepout::grown(&z.name, &z.area, z.margin_m))
            .collect(),
        blind: blind.regions.clone(),
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
        home,
    };
    let alt_m = match args.alt {
        Some(a) => a,
        None => default_alt(&swath, &venue, args.margin),
    };
    let opts = PlanOptions {
        swath,
        alt_m,
        vehicle: Vehicle {
            speed_mps: args.speed,
            endurance_s: args.endurance_min * 60.0,
            reserve: args.reserve,
            max_items: args.max_items,
            ..Vehicle::default()
        },
        safety_margin_m: args.margin,
        min_region_m2: args.min_region_m2,
        min_sweep_m: args.min_sweep,
        sweep_heading_deg: args.heading,
        entry_corner,
        seed: args.seed,
        vehicles: args.vehicles,
        vehicle_alt_step_m: args.alt_step,
        patrol_window_s: args.patrol_min * 60.0,
        turnaround_s: args.turnaround_min * 60.0,
        ..PlanOptions::default()
    };
    let planned = match plan(&input, &opts) {
        Ok(p) => p,
        // Say where on the map, and why, rather than in the planner's local metres.
        Err(PlanError::Unreachable { x_m, y_m }) => {
            let (lon, lat) = venue.frame.to_wgs84(x_m, y_m);
            bail!(
                "planning {}: blind spot at {lat:.6}, {lon:.6} (lat, lon) cannot be reached from \
                 home inside the flyable area: no-fly zones or their margins enclose it (a smaller \
                 --margin or margin_m may open a way)",
                venue.name
            );
        }
        Err(e) => return Err(e).with_context(|| format!("planning {}", venue.name)),
    };
    let compute_ms = started.elapsed().as_secs_f64() * 1e3;
    let coverage = planned.coverage(&input.blind);
    let report = Report::new(&planned, &coverage, &venue.frame, compute_ms);

    // Missions, each carrying the venue's fence (boundary → inclusion, no-fly zones grown by
    // their own margins → exclusions, home → return point) so that `upload --fence` of a
    // planned mission uploads the venue's fence.
    let home_alt = venue.home.and_then(|h| h.alt_m).unwrap_or(0.0);
    let geofence = Fence::from_venue(&venue, &VenueFenceOptions::default()).to_geofence();
    let total: usize = planned.vehicles.iter().map(|v| v.sorties.len()).sum();
    let mut files = Vec::new();
    for (vi, v) in planned.vehicles.iter().enumerate() {
        for (si, s) in v.sorties.iter().enumerate() {
            let mut mission = sortie_mission(
                s,
                &venue.frame,
                planned.launch,
                home_alt,
                v.alt_m,
                args.speed,
            );
            mission.fence = geofence.clone();
            let primary = if total == 1 {
                args.output.clone()
            } else {
                numbered(&args.output, vi + 1, si + 1)
            };
            for path in [primary.clone(), primary.with_extension(other_ext)] {
                let format = MissionFormat::for_writing(&path)
                    .with_context(|| format!("{}: no mission format", path.display()))?;
                let (text, notes) = mission_to_string(&mission, format).map_err(|reason| {
                    anyhow::anyhow!("writing {} as {}: {reason}", path.display(), format.name())
                })?;
                for n in notes {
                    tracing::info!(path = %path.display(), "{}", n.message);
                }
                files.push((path, text));
            }
        }
    }
    let written = write_all_or_none(&files).context("writing the missions")?;
    if let Some(path) = &args.geojson {
        let swaths = vec![coverage.swath.clone()];
        let json = route_geojson(&planned, &swaths, &venue.frame);
        vigil::fsutil::write_atomic(path, serde_json::to_string_pretty(&json)?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.report {
        vigil::fsutil::write_atomic(path, serde_json::to_string_pretty(&report)?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }

    println!(
        "{}: swath {:.1} m, {} sortie(s) on {} vehicle(s), {:.0} m, {:.0} s, {} turns, coverage {:.2} % of {:.0} m² blind, {:.0} ms",
        venue.name,
        report.swath_m,
        report.sorties,
        report.vehicles,
        // `+ 0.0` prints an empty plan's -0 as 0.
        report.path_length_m + 0.0,
        report.flight_time_s + 0.0,
        report.turns,
        report.coverage_pct,
        report.blind_area_m2,
        report.compute_ms
    );
    let left = &report.leftovers;
    if left.slivers + left.unswept > 0 || left.unreachable_area_m2 > 0.5 {
        println!(
            "not swept: {} sliver(s) of {:.1} m², {} leftover(s) between swaths of {:.1} m², {:.1} m² no swath can reach inside the margins",
            left.slivers,
            left.sliver_area_m2,
            left.unswept,
            left.unswept_area_m2,
            left.unreachable_area_m2
        );
    }
    for u in &report.unreachable {
        println!(
            "unreachable: {:.1} m² of blind area at {:.6}, {:.6} (lat, lon) cannot be seen from \
             the part of the flyable area home is in",
            u.area_m2, u.lat_deg, u.lon_deg
        );
    }
    for r in report.risk.iter().filter(|r| !r.met) {
        // With several vehicles each reports every zone on its own patrol: say whose.
        let whose = if report.vehicles > 1 {
            format!(" on vehicle {}", r.vehicle)
        } else {
            String::new()
        };
        println!(
            "risk zone {} (level {}){whose}: revisit every {:.1} min not met, worst gap {:.1} min ({:.1} min over)",
            r.name, r.level, r.revisit_min, r.max_gap_min, r.shortfall_min
        );
    }
    for p in &written {
        println!("wrote {}", p.display());
    }
    if written.is_empty() {
        println!("nothing to sweep: no blind spot to cover, so no mission was written");
    }
    Ok(())
}

/// The default altitude for this venue: see [`vigil::planner::default_alt_m`].
fn default_alt(swath: &SwathSpec, venue: &vigil::area::Venue, safety_m: f64) -> f64 {
    let widest = venue.no_fly.iter().map(|z| z.margin_m).fold(0.0, f64::max) + safety_m;
    let alt = vigil::planner::default_alt_m(swath, widest);
    if alt > vigil::planner::sensor::BASE_ALT_M {
        tracing::info!(
            alt_m = alt,
            margin_m = widest,
            "altitude raised so the swath reaches across no-fly margins"
        );
    }
    alt
}

/// `dir/stem-v<vehicle>-s<sortie>.ext` for `dir/stem.ext`.
fn numbered(path: &Path, vehicle: usize, sortie: usize) -> PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("mission");
    let ext = path.extension().and_then(|s| s.to_str()).unwrap_or("plan");
    path.with_file_name(format!("{stem}-v{vehicle}-s{sortie}.{ext}"))
}

/// Writes every `(path, text)` or none: each goes first to a temporary file beside its path
/// (through [`vigil::fsutil::write_atomic`]), and only when all are written are they renamed
/// into place. When a write or a rename fails, the temporaries and the files already renamed
/// are removed, so that no partial set of sortie files is left to be flown. Returns the paths.
fn write_all_or_none(files: &[(PathBuf, String)]) -> anyhow::Result<Vec<PathBuf>> {
    let staged: Vec<PathBuf> = files.iter().map(|(p, _)| staging_path(p)).collect();
    let remove = |paths: &[PathBuf]| {
        for p in paths {
            // Best effort: a file that is not there is what we want.
            let _ = std::fs::remove_file(p);
        }
    };
    for (k, ((path, text), tmp)) in files.iter().zip(&staged).enumerate() {
        if let Err(e) = vigil::fsutil::write_atomic(tmp, text.as_bytes()) {
            remove(&staged[..k]);
            return Err(e).with_context(|| format!("writing {}", path.display()));
        }
    }
    for (k, ((path, _), tmp)) in files.iter().zip(&staged).enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            let done: Vec<PathBuf> = files[..k].iter().map(|(p, _)| p.clone()).collect();
            remove(&done);
            remove(&staged[k..]);
            return Err(e).with_context(|| {
                format!(
                    "writing {} (the {} file(s) written before it were removed)",
                    path.display(),
                    k
                )
            });
        }
    }
    Ok(files.iter().map(|(p, _)| p.clone()).collect())
}

/// `dir/.name.part` for `dir/name`: where [`write_all_or_none`] stages a file.
fn staging_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "mission".to_owned());
    path.with_file_name(format!(".{name}.part"))
}
