//! The sweep report: figures, per-vehicle sections, planned and flown routes as GeoJSON, every
//! alarm, the map image; written atomically into the report folder.

use std::path::{Path, PathBuf};

use geo::Simplify;
use geo_types::{LineString, MultiPolygon};
use serde::Serialize;
use serde_json::{Value, json};

use super::coverage::{camera_pieces, covered_pct, seen_area};
use super::flight::{FlightEvent, VehicleOutcome};
use super::map::{MapLayers, render_png};
use super::watch::Watched;
use super::{Prepared, SweepError, SweepOptions, Target, planned_line};
use crate::area::LocalFrame;
use crate::fence::{AlarmEvent, AlarmKind, Grade};
use crate::link::session::LinkStats;
use crate::link::transfer;
use crate::planner::SwathSpec;
use crate::planner::output::multipolygon_json;

/// One alarm as the report lists it: a lifecycle step of a graded alarm.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AlarmRecord {
    /// Seconds on the vehicles' clock since the sweep started.
    pub time_s: f64,
    pub vehicle: u8,
    pub grade: String,
    /// `raised`, `escalated`, `downgraded`, `cleared`, ...
    pub event: String,
    pub what: String,
    pub todo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon_deg: Option<f64>,
}

/// One vehicle's part of the sweep.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VehicleReport {
    pub system_id: u8,
    pub sorties_planned: usize,
    pub sorties_flown: usize,
    pub fence_uploaded: bool,
    pub missions_verified: usize,
    pub landed: bool,
    pub disarmed: bool,
    /// The vehicle's own fence breach count.
    pub fence_breaches: u16,
    /// Alarms raised at orange or red for this vehicle's fence or altitude limits.
    pub breach_alarms: usize,
    pub reconnects: usize,
    pub reboots: usize,
    pub flown_coverage_pct: f64,
    pub distance_m: f64,
    pub max_alt_rel_m: f64,
    pub flight_time_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub battery_used_pct: Option<f64>,
    pub telemetry_points: usize,
    pub events: Vec<FlightEvent>,
    pub status_texts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The sweep report (report.json).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SweepReport {
    pub venue: String,
    /// `sim` or the connection string.
    pub link: String,
    pub vehicles: usize,
    pub speedup: f64,
    pub seed: u64,
    pub loss: f64,
    pub wind_mps: f64,
    /// Distance between neighbouring sweeps (the planner's swath, overlap taken off), metres.
    pub swath_m: f64,
    /// Ground width the camera sees across track at the sweep altitude, metres: the flown
    /// track is buffered by half of it for the flown coverage.
    pub camera_swath_m: f64,
    pub alt_m: f64,
    /// Fence items uploaded, and how far the fence was simplified inwards to fit, metres.
    pub fence_items: usize,
    pub fence_tolerance_m: f64,
    pub blind_area_m2: f64,
    /// Blind spots covered by the planned routes, measured as the flown coverage is.
    pub planned_coverage_pct: f64,
    /// The planner's own figure: sweep legs only, each as wide as the sweep spacing.
    pub planner_coverage_pct: f64,
    /// Blind spots covered by the flown tracks (telemetry) buffered by half the camera swath.
    pub flown_coverage_pct: f64,
    pub covered_blind_area_m2: f64,
    /// Longest vehicle flight (first take-off to last landing), vehicle clock, seconds.
    pub duration_s: f64,
    /// Wall-clock time of the whole sweep, seconds.
    pub wall_s: f64,
    pub landed: bool,
    /// Largest battery use of any vehicle, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub battery_used_pct: Option<f64>,
    pub alarms: Vec<AlarmRecord>,
    /// Highest grade raised, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_alarm: Option<String>,
    /// Thermal detections with their positions. The sweep does not yet run the thermal
    /// pipeline, so this is empty (see the README's limitations).
    pub detections: Vec<Value>,
    pub tlog: PathBuf,
    pub event_log: PathBuf,
    pub map: PathBuf,
    pub routes: PathBuf,
    pub link_frames_in: u64,
    pub link_frames_out: u64,
    pub per_vehicle: Vec<VehicleReport>,
}

impl SweepReport {
    /// Whether every vehicle flew all its sorties, landed and disarmed, with no fence breach.
    pub fn clean(&self) -> bool {
        self.landed
            && self.per_vehicle.iter().all(|v| {
                v.error.is_none()
                    && v.sorties_flown == v.sorties_planned
                    && v.fence_breaches == 0
                    && v.breach_alarms == 0
            })
    }

    /// A few lines for the terminal.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: flown coverage {:.2} % of {:.0} m² blind spots (planned {:.2} %), {} vehicle(s), {:.0} s flight, {}\n",
            self.venue,
            self.flown_coverage_pct,
            self.blind_area_m2,
            self.planned_coverage_pct,
            self.vehicles,
            self.duration_s,
            if self.landed {
                "all landed"
            } else {
                "NOT all landed"
            }
        );
        for v in &self.per_vehicle {
            s.push_str(&format!(
                "  vehicle {}: {}/{} sortie(s), {:.0} m flown, coverage {:.2} %, battery used {} over its sorties, fence breaches {}{}\n",
                v.system_id,
                v.sorties_flown,
                v.sorties_planned,
                v.distance_m,
                v.flown_coverage_pct,
                v.battery_used_pct
                    .map_or("-".to_string(), |b| format!("{b:.0} %")),
                v.fence_breaches,
                v.error
                    .as_ref()
                    .map_or(String::new(), |e| format!(", stopped: {e}"))
            ));
        }
        let mut grades = [0usize; 4];
        for a in self.alarms.iter().filter(|a| a.event == "raised") {
            let i = ["blue", "yellow", "orange", "red"]
                .iter()
                .position(|g| *g == a.grade)
                .unwrap_or(0);
            grades[i] += 1;
        }
        s.push_str(&format!(
            "  alarms raised: {} blue, {} yellow, {} orange, {} red; detections: {}\n",
            grades[0],
            grades[1],
            grades[2],
            grades[3],
            self.detections.len()
        ));
        s.push_str(&format!(
            "  report {}, map {}, tlog {}",
            self.map.with_file_name("report.json").display(),
            self.map.display(),
            self.tlog.display()
        ));
        s
    }
}

/// The ground width the camera sees across track at `alt_m`: its footprint, before the side
/// overlap the planner keeps between sweeps (that overlap is the margin for the flown track's
/// deviations; it is not part of what the camera sees).
pub fn camera_swath_m(spec: &SwathSpec, alt_m: f64) -> f64 {
    match spec {
        SwathSpec::Camera { camera, .. } => camera.footprint_width_m(alt_m),
        SwathSpec::Width { swath_m } => *swath_m,
    }
}

fn grade_name(g: Grade) -> String {
    g.name().to_ascii_lowercase()
}

fn is_breach(e: &AlarmEvent) -> bool {
    matches!(
        e.kind,
        AlarmKind::Fence { .. } | AlarmKind::Ceiling | AlarmKind::Floor | AlarmKind::VehicleBreach
    ) && matches!(e.grade, Grade::Orange | Grade::Red)
}

/// The report with what the map and the routes file draw: the ground the cameras saw and each
/// vehicle's flown track in local metres.
pub(crate) struct Built {
    pub report: SweepReport,
    pub seen: MultiPolygon<f64>,
    pub tracks: Vec<(u8, LineString<f64>)>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    opts: &SweepOptions,
    prepared: &Prepared,
    targets: &[transfer::Target],
    outcomes: Vec<Option<VehicleOutcome>>,
    watched: Watched,
    stats: LinkStats,
    tlog: &Path,
    event_log: &Path,
    wall_s: f64,
) -> Built {
    let tracks: Vec<(u8, LineString<f64>)> = watched
        .vehicles
        .iter()
        .map(|(sys, w)| {
            let pts: Vec<(f64, f64)> = w
                .track
                .iter()
                .filter(|p| p.alt_rel_m > 1.0)
                .map(|p| (p.east_m, p.north_m))
                .collect();
            (*sys, LineString::from(pts))
        })
        .collect();
    let plan = &prepared.plan;
    let start_s = 0.0;
    let mut per_vehicle = Vec::new();
    let mut all_seen: Vec<MultiPolygon<f64>> = Vec::new();
    let mut duration_s: f64 = 0.0;
    for (vi, t) in targets.iter().enumerate() {
        let out = outcomes.get(vi).cloned().flatten().unwrap_or_default();
        let w = watched.vehicles.get(&t.system).cloned().unwrap_or_default();
        let alt = plan.vehicles.get(vi).map_or(plan.alt_m, |v| v.alt_m);
        // The camera sees its swath once the vehicle is near its sweep altitude.
        let pieces = camera_pieces(&w.track, alt * 0.8, 0.5);
        let seen = seen_area(&pieces, camera_swath_m(&opts.swath, alt), plan.cap_m);
        let vblind = plan
            .vehicles
            .get(vi)
            .map_or_else(|| prepared.blind.clone(), |v| v.blind.clone());
        let (pct, _) = covered_pct(&vblind, &seen);
        all_seen.push(seen);
        let airborne: Vec<f64> = w
            .track
            .iter()
            .filter(|p| p.alt_rel_m > 1.0)
            .map(|p| p.time_s)
            .collect();
        let flight_time_s = match (airborne.first(), airborne.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        };
        duration_s = duration_s.max(flight_time_s);
        let breach_alarms = watched
            .alarm_events
            .iter()
            .filter(|e| e.vehicle == t.system && is_breach(e))
            .count();
        per_vehicle.push(VehicleReport {
            system_id: t.system,
            sorties_planned: out.sorties_planned,
            sorties_flown: out.sorties_flown,
            fence_uploaded: out.fence_uploaded,
            missions_verified: out.missions_verified,
            landed: out.landed,
            disarmed: out.disarmed,
            fence_breaches: w.fence_breaches,
            breach_alarms,
            reconnects: out.reconnects,
            reboots: w.reboots,
            flown_coverage_pct: pct,
            distance_m: w.distance_m,
            max_alt_rel_m: w.max_alt_rel_m,
            flight_time_s,
            battery_used_pct: w.last_battery_pct.map(|_| w.battery_used_pct),
            telemetry_points: w.track.len(),
            events: out.events,
            status_texts: w.status_texts.iter().map(|(_, t)| t.clone()).collect(),
            error: out.error,
        });
    }
    let seen_union =
        geo::algorithm::bool_ops::unary_union(all_seen.iter().flat_map(|m| m.0.iter()));
    // The planned routes measured the same way as the flown tracks.
    let mut planned_seen = Vec::new();
    for (vi, v) in plan.vehicles.iter().enumerate() {
        let width = camera_swath_m(&opts.swath, v.alt_m);
        let lines: Vec<LineString<f64>> = (0..v.sorties.len())
            .filter_map(|si| planned_line(plan, vi, si))
            .collect();
        planned_seen.extend(seen_area(&lines, width, plan.cap_m).0);
    }
    let planned_seen = geo::algorithm::bool_ops::unary_union(planned_seen.iter());
    let (planned_coverage_pct, _) = covered_pct(&prepared.blind, &planned_seen);
    let (flown_coverage_pct, covered_m2) = covered_pct(&prepared.blind, &seen_union);
    let alarms: Vec<AlarmRecord> = watched
        .alarm_events
        .iter()
        .map(|e| AlarmRecord {
            time_s: e.time_s - start_s,
            vehicle: e.vehicle,
            grade: grade_name(e.grade),
            event: serde_json::to_value(e.event)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            what: e.what.clone(),
            todo: e.todo.clone(),
            lat_deg: e.place.as_ref().map(|p| p.lat_deg),
            lon_deg: e.place.as_ref().map(|p| p.lon_deg),
        })
        .collect();
    let worst_alarm = watched
        .alarm_events
        .iter()
        .map(|e| e.grade)
        .max_by_key(|g| *g as usize)
        .map(grade_name);
    let landed = !per_vehicle.is_empty() && per_vehicle.iter().all(|v| v.landed && v.disarmed);
    let report = SweepReport {
        venue: prepared.venue.name.clone(),
        link: match &opts.target {
            Target::Sim => "sim".into(),
            Target::Link(c) => c.clone(),
        },
        vehicles: targets.len(),
        speedup: opts.speedup,
        seed: opts.seed,
        loss: opts.loss,
        wind_mps: opts.wind_mps,
        swath_m: plan.swath_m,
        camera_swath_m: camera_swath_m(&opts.swath, plan.alt_m),
        alt_m: plan.alt_m,
        fence_items: super::fence_fit::fence_item_count(&prepared.fence),
        fence_tolerance_m: prepared.fence_tolerance_m,
        blind_area_m2: geo::Area::unsigned_area(&prepared.blind),
        planned_coverage_pct,
        planner_coverage_pct: prepared.planned_coverage_pct,
        flown_coverage_pct,
        covered_blind_area_m2: covered_m2,
        duration_s,
        wall_s,
        landed,
        battery_used_pct: per_vehicle
            .iter()
            .filter_map(|v| v.battery_used_pct)
            .reduce(f64::max),
        alarms,
        worst_alarm,
        detections: Vec::new(),
        tlog: tlog.to_path_buf(),
        event_log: event_log.to_path_buf(),
        map: opts.report_dir.join("map.png"),
        routes: opts.report_dir.join("routes.geojson"),
        link_frames_in: stats.frames_in,
        link_frames_out: stats.frames_out,
        per_vehicle,
    };
    Built {
        report,
        seen: seen_union,
        tracks,
    }
}

fn line_json(l: &LineString<f64>, frame: &LocalFrame) -> Value {
    let coords: Vec<Value> =
        l.0.iter()
            .map(|c| {
                let (lon, lat) = frame.to_wgs84(c.x, c.y);
                json!([lon, lat])
            })
            .collect();
    json!({"type": "LineString", "coordinates": coords})
}

/// Writes report.json, routes.geojson (planned and flown routes, blind spots, what was seen)
/// and map.png into `dir`, each atomically.
pub(crate) fn write(
    dir: &Path,
    report: &SweepReport,
    prepared: &Prepared,
    watched_tracks: &[(u8, LineString<f64>)],
    seen: &MultiPolygon<f64>,
) -> Result<(), SweepError> {
    let frame = &prepared.venue.frame;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        crate::fsutil::write_atomic(&path, bytes)
            .map_err(|source| SweepError::Write { path, source })
    };

    let mut planned = Vec::new();
    let mut features = Vec::new();
    for (vi, v) in prepared.plan.vehicles.iter().enumerate() {
        for si in 0..v.sorties.len() {
            if let Some(l) = planned_line(&prepared.plan, vi, si) {
                features.push(json!({
                    "type": "Feature",
                    "properties": {"layer": "planned", "vehicle": vi + 1, "sortie": si + 1},
                    "geometry": line_json(&l, frame),
                }));
                planned.push(l);
            }
        }
    }
    for (sys, l) in watched_tracks {
        features.push(json!({
            "type": "Feature",
            "properties": {"layer": "flown", "vehicle": sys},
            "geometry": line_json(&l.simplify(0.5), frame),
        }));
    }
    features.push(json!({
        "type": "Feature",
        "properties": {"layer": "blind_spots"},
        "geometry": multipolygon_json(&prepared.blind, frame),
    }));
    let covered = geo::BooleanOps::intersection(&prepared.blind, seen);
    features.push(json!({
        "type": "Feature",
        "properties": {"layer": "covered"},
        "geometry": multipolygon_json(&covered, frame),
    }));
    let routes = json!({"type": "FeatureCollection", "features": features});
    write(
        "routes.geojson",
        serde_json::to_string(&routes)
            .unwrap_or_default()
            .as_bytes(),
    )?;

    let no_fly: Vec<&MultiPolygon<f64>> = prepared.venue.no_fly.iter().map(|z| &z.area).collect();
    let layers = MapLayers {
        boundary: Some(&prepared.venue.boundary),
        no_fly,
        blind: Some(&prepared.blind),
        covered: Some(&covered),
        planned,
        flown: watched_tracks.iter().map(|(_, l)| l.clone()).collect(),
        detections: Vec::new(),
    };
    let png = render_png(&layers, 1400).map_err(|e| SweepError::Write {
        path: dir.join("map.png"),
        source: std::io::Error::other(e),
    })?;
    write("map.png", &png)?;

    let json = serde_json::to_string_pretty(report).map_err(|e| SweepError::Write {
        path: dir.join("report.json"),
        source: std::io::Error::other(e),
    })?;
    write("report.json", json.as_bytes())?;
    Ok(())
}
