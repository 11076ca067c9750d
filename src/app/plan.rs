//! The Plan panel's settings and the call into [`crate::planner`]: a venue and a few operator
//! choices in, one mission per sortie and the report's figures out.

use std::time::Instant;

use geo::InteriorPoint;
use geo_types::Coord;

use crate::area::{Venue, blind_spots};
use crate::mission::Mission;
use crate::planner::output::{Report, sortie_mission};
use crate::planner::{
    Keepout, PlanInput, PlanOptions, RiskTarget, SwathSpec, ThermalCamera, Vehicle, plan,
};

/// What the operator sets in the Plan panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSettings {
    /// A thermal camera preset key (see [`ThermalCamera::presets`]).
    pub camera: String,
    /// Flight altitude above home, metres.
    pub alt_m: f64,
    /// Side overlap between neighbouring sweeps, 0 to 0.95.
    pub overlap: f64,
    pub speed_mps: f64,
    /// Extra distance kept from the boundary and no-fly zones, metres.
    pub margin_m: f64,
    pub vehicles: usize,
}

impl Default for PlanSettings {
    fn default() -> Self {
        Self {
            camera: "h20t".into(),
            alt_m: 40.0,
            overlap: 0.2,
            speed_mps: 10.0,
            margin_m: 2.0,
            vehicles: 1,
        }
    }
}

/// A finished plan as the app shows it.
#[derive(Debug, Clone)]
pub struct PlanOutcome {
    /// One mission per sortie, vehicle by vehicle; `(vehicle, sortie, mission)`, numbered from 1.
    pub missions: Vec<(usize, usize, Mission)>,
    pub report: Report,
}

/// Plans a sweep of `venue`'s blind spots with `settings`.
pub fn plan_venue(venue: &Venue, settings: &PlanSettings) -> Result<PlanOutcome, String> {
    let started = Instant::now();
    let camera = ThermalCamera::preset(&settings.camera).ok_or_else(|| {
        let known: Vec<String> = ThermalCamera::presets()
            .into_iter()
            .map(|c| c.name)
            .collect();
        format!(
            "camera {}: unknown preset, expected one of {}",
            settings.camera,
            known.join(", ")
        )
    })?;
    let blind = blind_spots(venue);
    let home = match venue.home {
        Some(h) => Coord {
            x: h.position.x(),
            y: h.position.y(),
        },
        None => {
            venue
                .boundary
                .interior_point()
                .ok_or_else(|| "the venue boundary is empty".to_string())?
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
    let opts = PlanOptions {
        swath: SwathSpec::Camera {
            camera,
            side_overlap: settings.overlap,
        },
        alt_m: settings.alt_m,
        vehicle: Vehicle {
            speed_mps: settings.speed_mps,
            ..Vehicle::default()
        },
        safety_margin_m: settings.margin_m,
        vehicles: settings.vehicles,
        ..PlanOptions::default()
    };
    let planned = plan(&input, &opts).map_err(|e| format!("planning {}: {e}", venue.name))?;
    let compute_ms = started.elapsed().as_secs_f64() * 1e3;
    let coverage = planned.coverage(&input.blind);
    let report = Report::new(&planned, &coverage, &venue.frame, compute_ms);
    let home_alt = venue.home.and_then(|h| h.alt_m).unwrap_or(0.0);
    let mut missions = Vec::new();
    for (vi, v) in planned.vehicles.iter().enumerate() {
        for (si, s) in v.sorties.iter().enumerate() {
            let m = sortie_mission(
                s,
                &venue.frame,
                planned.launch,
                home_alt,
                v.alt_m,
                settings.speed_mps,
            );
            missions.push((vi + 1, si + 1, m));
        }
    }
    Ok(PlanOutcome { missions, report })
}
