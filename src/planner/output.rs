//! What a plan becomes: a mission per vehicle and sortie, the route and swath as GeoJSON in
//! WGS84, and the report's figures.

use geo_types::{Coord, MultiPolygon};
use serde::Serialize;
use serde_json::{Value, json};

use super::coverage::Coverage;
use super::risk::RiskReport;
use super::{Leftovers, Plan, Sortie};
use crate::area::LocalFrame;
use crate::mission::{GeoPoint, Mission, MissionItem};

/// `MAV_CMD_NAV_WAYPOINT`.
pub const CMD_WAYPOINT: u16 = 16;
/// `MAV_CMD_NAV_RETURN_TO_LAUNCH`.
pub const CMD_RTL: u16 = 20;
/// `MAV_CMD_NAV_TAKEOFF`.
pub const CMD_TAKEOFF: u16 = 22;
/// `MAV_CMD_DO_CHANGE_SPEED`.
pub const CMD_CHANGE_SPEED: u16 = 178;
/// `MAV_FRAME_MISSION`: the item has no position.
pub const FRAME_MISSION: u8 = 2;
/// `MAV_FRAME_GLOBAL_RELATIVE_ALT`: altitude relative to home.
pub const FRAME_RELATIVE_ALT: u8 = 3;

/// The mission for one sortie: take-off over `launch`, speed, every point of the path at
/// `alt_m` relative to home, return to launch.
///
/// `launch` is where the vehicle stands (local metres) and `home_alt_amsl_m` the ground there
/// above mean sea level (0 when unknown).
pub fn sortie_mission(
    sortie: &Sortie,
    frame: &LocalFrame,
    launch: Coord<f64>,
    home_alt_amsl_m: f64,
    alt_m: f64,
    speed_mps: f64,
) -> Mission {
    let geo = |p: Coord<f64>| {
        let (lon, lat) = frame.to_wgs84(p.x, p.y);
        (lat, lon)
    };
    let (hlat, hlon) = geo(launch);
    let item = |command, frame, params, lat_deg, lon_deg, alt_m| MissionItem {
        command,
        frame,
        params,
        lat_deg,
        lon_deg,
        alt_m,
        autocontinue: true,
    };
    let mut items = vec![
        item(
            CMD_TAKEOFF,
            FRAME_RELATIVE_ALT,
            [0.0, 0.0, 0.0, f64::NAN],
            hlat,
            hlon,
            alt_m,
        ),
        item(
            CMD_CHANGE_SPEED,
            FRAME_MISSION,
            [1.0, speed_mps, -1.0, 0.0],
            0.0,
            0.0,
            0.0,
        ),
    ];
    // The path starts at the flyable point nearest home; fly to it first when home is not it.
    let skip = usize::from(super::geom::dist(sortie.points[0].pos(), launch) < 0.01);
    for p in &sortie.points[skip..] {
        let (lat, lon) = geo(p.pos());
        items.push(item(
            CMD_WAYPOINT,
            FRAME_RELATIVE_ALT,
            [0.0, 0.0, 0.0, f64::NAN],
            lat,
            lon,
            alt_m,
        ));
    }
    items.push(item(CMD_RTL, FRAME_MISSION, [0.0; 4], 0.0, 0.0, 0.0));
    Mission {
        items,
        planned_home: Some(GeoPoint {
            lat_deg: hlat,
            lon_deg: hlon,
            alt_m: home_alt_amsl_m,
        }),
        vehicle_type: Some(2),
        firmware_type: Some(3),
        cruise_speed_mps: Some(speed_mps),
        hover_speed_mps: Some(speed_mps),
        ..Mission::default()
    }
}

fn ring_json(ring: &geo_types::LineString<f64>, frame: &LocalFrame) -> Value {
    Value::Array(
        ring.0
            .iter()
            .map(|c| {
                let (lon, lat) = frame.to_wgs84(c.x, c.y);
                json!([lon, lat])
            })
            .collect(),
    )
}

/// A GeoJSON MultiPolygon geometry of `mp` in WGS84.
pub fn multipolygon_json(mp: &MultiPolygon<f64>, frame: &LocalFrame) -> Value {
    let polys: Vec<Value> = mp
        .iter()
        .map(|p| {
            let mut rings = vec![ring_json(p.exterior(), frame)];
            rings.extend(p.interiors().iter().map(|r| ring_json(r, frame)));
            Value::Array(rings)
        })
        .collect();
    json!({ "type": "MultiPolygon", "coordinates": polys })
}

/// The route of every sortie (LineStrings, `kind: "route"`) and each vehicle's swath
/// (MultiPolygons, `kind: "swath"`) as a GeoJSON FeatureCollection in WGS84.
pub fn route_geojson(plan: &Plan, swaths: &[MultiPolygon<f64>], frame: &LocalFrame) -> Value {
    let mut features = Vec::new();
    for (vi, v) in plan.vehicles.iter().enumerate() {
        for (si, s) in v.sorties.iter().enumerate() {
            let coords: Vec<Value> = s
                .points
                .iter()
                .map(|p| {
                    let (lon, lat) = frame.to_wgs84(p.x_m, p.y_m);
                    json!([lon, lat])
                })
                .collect();
            features.push(json!({
                "type": "Feature",
                "geometry": { "type": "LineString", "coordinates": coords },
                "properties": {
                    "kind": "route", "vehicle": vi + 1, "sortie": si + 1,
                    "length_m": s.length_m, "time_s": s.time_s, "alt_m": v.alt_m,
                },
            }));
        }
        if let Some(sw) = swaths.get(vi) {
            features.push(json!({
                "type": "Feature",
                "geometry": multipolygon_json(sw, frame),
                "properties": { "kind": "swath", "vehicle": vi + 1, "swath_m": plan.swath_m },
            }));
        }
    }
    json!({ "type": "FeatureCollection", "features": features })
}

/// One sortie in the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SortieReport {
    pub vehicle: usize,
    pub alt_m: f64,
    pub sortie: usize,
    pub length_m: f64,
    pub time_s: f64,
    pub turns: usize,
    pub mission_items: usize,
}

/// A piece of blind area left out, on the map.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct GeoSpot {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub area_m2: f64,
}

/// The report written as JSON next to the mission.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub swath_m: f64,
    pub alt_m: f64,
    pub path_length_m: f64,
    pub flight_time_s: f64,
    pub turns: usize,
    pub sorties: usize,
    pub vehicles: usize,
    pub cells: usize,
    pub blind_area_m2: f64,
    pub covered_blind_area_m2: f64,
    pub coverage_pct: f64,
    pub legs_checked: usize,
    pub legs_violating: usize,
    pub leftovers: Leftovers,
    /// The unreachable pieces of [`Leftovers::unreachable`] in WGS84, largest first.
    pub unreachable: Vec<GeoSpot>,
    pub per_sortie: Vec<SortieReport>,
    pub risk: Vec<RiskReport>,
    pub compute_ms: f64,
}

impl Report {
    /// The figures of `plan` with its measured `coverage` and planning time; `frame` places
    /// the leftovers on the map.
    pub fn new(plan: &Plan, coverage: &Coverage, frame: &LocalFrame, compute_ms: f64) -> Self {
        let mut per_sortie = Vec::new();
        for (vi, v) in plan.vehicles.iter().enumerate() {
            for (si, s) in v.sorties.iter().enumerate() {
                per_sortie.push(SortieReport {
                    vehicle: vi + 1,
                    alt_m: v.alt_m,
                    sortie: si + 1,
                    length_m: s.length_m,
                    time_s: s.time_s,
                    turns: s.turns,
                    mission_items: s.items()
                        + usize::from(super::geom::dist(s.points[0].pos(), plan.launch) >= 0.01),
                });
            }
        }
        Self {
            swath_m: plan.swath_m,
            alt_m: plan.alt_m,
            path_length_m: per_sortie.iter().map(|s| s.length_m).sum(),
            flight_time_s: per_sortie.iter().map(|s| s.time_s).sum(),
            turns: per_sortie.iter().map(|s| s.turns).sum(),
            sorties: per_sortie.len(),
            vehicles: plan.vehicles.len(),
            cells: plan.vehicles.iter().map(|v| v.cells).sum(),
            blind_area_m2: coverage.blind_area_m2,
            covered_blind_area_m2: coverage.covered_blind_area_m2,
            coverage_pct: coverage.pct(),
            legs_checked: plan.legs_checked,
            legs_violating: 0,
            leftovers: plan.leftovers.clone(),
            unreachable: plan
                .leftovers
                .unreachable
                .iter()
                .map(|s| {
                    let (lon_deg, lat_deg) = frame.to_wgs84(s.x_m, s.y_m);
                    GeoSpot {
                        lat_deg,
                        lon_deg,
                        area_m2: s.area_m2,
                    }
                })
                .collect(),
            per_sortie,
            risk: plan
                .vehicles
                .iter()
                .flat_map(|v| v.risk.iter().cloned())
                .collect(),
            compute_ms,
        }
    }
}
